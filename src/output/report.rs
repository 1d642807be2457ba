//! `report.html`: one self-contained page a finance team can read — a plain-language verdict,
//! the key assumptions, the six charts inline as SVG, and the full numbers.
//!
//! The page loads nothing: styles are inline, charts are inline SVG, and the only links point
//! to the chart files beside it. It is also well-formed XML (every tag closed, no named
//! entities), so tests and scripts can read it with an XML parser. Every number taken from
//! `summary.json` carries `data-key` (its JSON pointer in `summary.json`) and `data-value` (the
//! exact value), so a script can check the page against the data.

use std::fmt::Write as _;

use super::charts::{COST_LINE_LABELS, Chart, hex, policy_color};
use super::{Exporter, money, percent, signed_money, whole_number};
use crate::demand::{Intensity, OrderSize};
use crate::engine::{PolicySummary, RunSummary, Z95};
use crate::retention::RetainRule;
use crate::scenario::{PolicyKind, UnmetDemand};

/// `report.html`.
pub struct HtmlReport;

impl Exporter for HtmlReport {
    fn file_name(&self) -> &'static str {
        "report.html"
    }
    fn render(&self, summary: &RunSummary) -> anyhow::Result<Vec<u8>> {
        Ok(render_html(summary)?.into_bytes())
    }
}

/// Fill rate below which the verdict also names the cheapest policy that reaches it.
const SERVICE_TARGET: f64 = 0.99;

/// Escapes text for HTML (and XML).
pub(crate) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number from `summary.json` at JSON pointer `key`, shown as `text`.
fn value(tag: &str, key: &str, v: f64, text: &str) -> String {
    format!(
        "<{tag} data-key=\"{}\" data-value=\"{v}\">{}</{tag}>",
        esc(key),
        esc(text),
        tag = tag
    )
}

/// A numeric table cell for the JSON pointer `key`; "n/a" when absent.
fn cell(key: &str, v: Option<f64>, format: impl Fn(f64) -> String) -> String {
    match v {
        Some(v) => format!(
            "<td class=\"num\" data-key=\"{}\" data-value=\"{v}\">{}</td>",
            esc(key),
            esc(&format(v))
        ),
        None => "<td class=\"num na\">n/a</td>".to_string(),
    }
}

fn share(v: f64) -> String {
    percent(Some(v))
}

/// A plain number with up to `decimals` decimals and thousands separators for the integer part.
fn plain(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let grouped = whole_number(int.parse::<u64>().unwrap_or(0));
    let sign = if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// A number for prose: at most `decimals` decimals, trailing zeros dropped.
fn short(v: f64, decimals: usize) -> String {
    let text = plain(v, decimals);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A swatch in a policy's colour.
fn swatch(index: usize) -> String {
    format!(
        "<span class=\"swatch\" style=\"background:{}\"></span>",
        hex(policy_color(index))
    )
}

/// The policy's name with its colour swatch.
fn named(summary: &RunSummary, name: &str) -> String {
    let index = summary.policies.iter().position(|p| p.name == name);
    match index {
        Some(i) => format!("{}<strong>{}</strong>", swatch(i), esc(name)),
        None => format!("<strong>{}</strong>", esc(name)),
    }
}

/// The start of a self-contained report page titled `title`, up to the opening `<main>`
/// (every report shares the head and the style sheet).
pub(crate) fn page_start(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n",
        esc(title),
        CSS
    )
}

/// The full report page.
pub fn render_html(summary: &RunSummary) -> anyhow::Result<String> {
    let scenario = &summary.scenario;
    let mut h = page_start(&format!("{} — pimsim report", scenario.name));
    header(&mut h, summary);
    verdict(&mut h, summary);
    assumptions(&mut h, summary);
    let _ = write!(
        h,
        "<section id=\"charts\">\n<h2>Charts</h2>\n<p class=\"key\">Policy colours, the same in every chart: {}</p>\n",
        summary
            .policies
            .iter()
            .enumerate()
            .map(|(i, p)| format!(
                "<span class=\"keyitem\">{}{}</span>",
                swatch(i),
                esc(&p.name)
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (n, chart) in Chart::ALL.iter().enumerate() {
        let svg = chart.inline_svg(summary)?;
        let svg = svg.replacen(
            "<svg ",
            &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(chart.title())),
            1,
        );
        let _ = write!(
            h,
            "<figure id=\"chart-{stem}\">\n<h3>{n}. {title}</h3>\n<p class=\"how\">{how}</p>\n{svg}\
             <figcaption>As files: <a href=\"{svg_name}\">{svg_name}</a> · <a href=\"{png_name}\">{png_name}</a></figcaption>\n</figure>\n",
            stem = chart.file_stem(),
            n = n + 1,
            title = esc(chart.title()),
            how = how_to_read(*chart, summary),
            svg = svg,
            svg_name = chart.svg_name(),
            png_name = chart.png_name(),
        );
    }
    h.push_str("</section>\n");
    numbers(&mut h, summary);
    let _ = write!(
        h,
        "<footer>pimsim {} · {} paths · seed {} · quantiles: {}. The same scenario, seed and \
         path count give the same numbers on any machine and thread count.</footer>\n\
         </main>\n</body>\n</html>\n",
        esc(&summary.pimsim_version),
        whole_number(summary.paths),
        summary.seed,
        esc(&summary.quantile_method)
    );
    Ok(h)
}

fn header(h: &mut String, summary: &RunSummary) {
    let s = &summary.scenario;
    let _ = write!(h, "<header>\n<h1>{}</h1>\n", esc(&s.name));
    if !s.description.is_empty() {
        let _ = writeln!(h, "<p class=\"description\">{}</p>", esc(&s.description));
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">{}{} simulated futures of demand · horizon {} years · money in {}, \
         in today's value (discounted to t = 0 at {} % a year) · costs positive, income negative</p>\n</header>",
        if s.part.name.is_empty() {
            String::new()
        } else {
            format!("{} · ", esc(&s.part.name))
        },
        whole_number(summary.paths),
        short(s.horizon_years, 2),
        esc(s.report.currency_label()),
        short(100.0 * s.discount_rate, 2)
    );
}

fn policy_index(summary: &RunSummary, name: &str) -> usize {
    summary
        .policies
        .iter()
        .position(|p| p.name == name)
        .unwrap_or(0)
}

fn verdict(h: &mut String, summary: &RunSummary) {
    let v = &summary.verdict;
    let cur = esc(summary.scenario.report.currency_label());
    let best_index = policy_index(summary, &v.cheapest);
    let best = &summary.policies[best_index];
    h.push_str("<section id=\"verdict\">\n<h2>Verdict</h2>\n");
    let _ = writeln!(
        h,
        "<p class=\"lead\">{} is the cheapest policy: {} {cur} per part on average over the {} years, \
         in today's money.</p>",
        named(summary, &v.cheapest),
        value(
            "span",
            "/verdict/mean_total_cost",
            v.mean_total_cost,
            &money(v.mean_total_cost)
        ),
        short(summary.scenario.horizon_years, 2)
    );
    h.push_str("<ul>\n");
    match (&v.runner_up, v.saving_vs_runner_up, v.saving_std_err) {
        (Some(r), Some(s), Some(se)) if s == 0.0 && se == 0.0 => {
            let _ = writeln!(
                h,
                "<li><strong>How sure:</strong> {} costs exactly the same on every simulated future.</li>",
                named(summary, r)
            );
        }
        (Some(r), Some(s), Some(se)) => {
            let half = Z95 * se;
            let p = v.probability_cheaper_than_runner_up.unwrap_or(0.0);
            if s - half > 0.0 {
                let _ = writeln!(
                    h,
                    "<li><strong>How sure:</strong> it costs {} {cur} less than the runner-up, {} \
                     (95 % confidence interval {} to {}), and is cheaper on {} of the simulated futures.</li>",
                    value("span", "/verdict/saving_vs_runner_up", s, &money(s)),
                    named(summary, r),
                    money(s - half),
                    money(s + half),
                    value(
                        "span",
                        "/verdict/probability_cheaper_than_runner_up",
                        p,
                        &share(p)
                    )
                );
            } else {
                let _ = writeln!(
                    h,
                    "<li><strong>How sure: not sure.</strong> The runner-up, {}, costs {} ± {} {cur} more \
                     (95 % confidence interval), which includes no difference at all: with {} futures the \
                     two cannot be told apart. It is cheaper on {} of futures. Run more paths, or treat them as equal.</li>",
                    named(summary, r),
                    value("span", "/verdict/saving_vs_runner_up", s, &money(s)),
                    money(half),
                    whole_number(summary.paths),
                    value(
                        "span",
                        "/verdict/probability_cheaper_than_runner_up",
                        p,
                        &share(p)
                    )
                );
            }
        }
        _ => h.push_str("<li>It is the only policy of the scenario.</li>\n"),
    }
    let i = best_index;
    let never_short = value(
        "span",
        &format!("/policies/{i}/no_stockout_probability"),
        best.no_stockout_probability,
        &share(best.no_stockout_probability),
    );
    let shortages = match &best.first_stockout_years {
        Some(s) => format!(
            "it runs short at least once in {} of futures (never in {never_short}), the first time \
             after {} years (median)",
            share(1.0 - best.no_stockout_probability),
            value(
                "span",
                &format!("/policies/{i}/first_stockout_years/p50"),
                s.p50,
                &short(s.p50, 1)
            )
        ),
        None => format!("it never runs short in {never_short} of futures"),
    };
    let _ = writeln!(
        h,
        "<li><strong>Service:</strong> it serves {} of the units demanded from stock at once (fill rate); \
         {shortages}.</li>",
        match best.fill_rate {
            Some(f) => value("span", &format!("/policies/{i}/fill_rate"), f, &share(f)),
            None => "n/a (no demand)".to_string(),
        },
    );
    if let Some(c) = &best.comparison {
        let half = (c.ci95[1] - c.ci95[0]) / 2.0;
        let _ = writeln!(
            h,
            "<li><strong>Against the baseline,</strong> {} (the first policy of the scenario): it costs {} ± {} {cur} \
             {} per part on the same futures, and is cheaper on {} of them.</li>",
            named(summary, &c.baseline),
            value(
                "span",
                &format!("/policies/{i}/comparison/mean_difference"),
                c.mean_difference,
                &money(c.mean_difference.abs())
            ),
            money(half),
            if c.mean_difference <= 0.0 {
                "less"
            } else {
                "more"
            },
            value(
                "span",
                &format!("/policies/{i}/comparison/probability_cheaper"),
                c.probability_cheaper,
                &share(c.probability_cheaper)
            )
        );
    }
    if best.fill_rate.is_some_and(|f| f < SERVICE_TARGET) {
        let alternative = summary
            .policies
            .iter()
            .enumerate()
            .filter(|(_, p)| p.fill_rate.is_some_and(|f| f >= SERVICE_TARGET))
            .min_by(|a, b| a.1.total_cost.mean.total_cmp(&b.1.total_cost.mean));
        match alternative {
            Some((j, p)) => {
                let _ = writeln!(
                    h,
                    "<li><strong>If service matters more:</strong> the cheapest policy with a fill rate of at \
                     least {} is {}, at {} {cur} per part ({} {cur} more), with a fill rate of {}, never short in {} of futures.</li>",
                    share(SERVICE_TARGET),
                    named(summary, &p.name),
                    value(
                        "span",
                        &format!("/policies/{j}/total_cost/mean"),
                        p.total_cost.mean,
                        &money(p.total_cost.mean)
                    ),
                    money(p.total_cost.mean - v.mean_total_cost),
                    share(p.fill_rate.unwrap_or(0.0)),
                    share(p.no_stockout_probability)
                );
            }
            None => {
                let _ = writeln!(
                    h,
                    "<li><strong>Service warning:</strong> no policy of the scenario reaches a fill rate of {}.</li>",
                    share(SERVICE_TARGET)
                );
            }
        }
    }
    h.push_str("</ul>\n</section>\n");
}

/// The demand model in words.
fn demand_in_words(summary: &RunSummary) -> String {
    match &summary.scenario.demand.intensity {
        Intensity::Constant { rate } => format!("constant: {} orders per year", short(*rate, 3)),
        Intensity::Exponential { rate, decay_rate } => {
            if *decay_rate > 0.0 {
                format!(
                    "exponential decay from {} orders per year, half-life {} years",
                    short(*rate, 3),
                    short(std::f64::consts::LN_2 / decay_rate, 2)
                )
            } else {
                format!("constant: {} orders per year", short(*rate, 3))
            }
        }
        Intensity::Linear { rate, end_years } => format!(
            "linear decline from {} orders per year to none at year {}",
            short(*rate, 3),
            short(*end_years, 2)
        ),
        Intensity::InstalledBase {
            units_in_field,
            retirement_scale_years,
            retirement_shape,
            failure_rate,
            failure_growth,
        } => format!(
            "installed base: {} units in the field, retiring with a Weibull scale of {} years \
             (shape {}); {} orders per unit in the field and year, growing {} % a year",
            short(*units_in_field, 0),
            short(*retirement_scale_years, 2),
            short(*retirement_shape, 2),
            short(*failure_rate, 4),
            short(100.0 * failure_growth, 2)
        ),
        Intensity::Table { rates } => format!(
            "table, orders per year from year 0: {}",
            rates
                .iter()
                .map(|r| short(*r, 3))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn order_size_in_words(size: &OrderSize) -> String {
    match size {
        OrderSize::One => "one unit per order".into(),
        OrderSize::Poisson { mean } => {
            format!("1 + Poisson, mean {} units per order", short(*mean, 3))
        }
        OrderSize::Geometric { mean } => {
            format!("geometric, mean {} units per order", short(*mean, 3))
        }
        OrderSize::NegativeBinomial { mean, dispersion } => format!(
            "1 + negative binomial, mean {} units per order, dispersion {}",
            short(*mean, 3),
            short(*dispersion, 3)
        ),
        OrderSize::Table { pmf } => format!(
            "table, P(1, 2, …) = {}; mean {} units per order",
            pmf.iter()
                .map(|p| short(*p, 4))
                .collect::<Vec<_>>()
                .join(", "),
            short(size.mean(), 3)
        ),
    }
}

fn row(h: &mut String, label: &str, value: &str) {
    let _ = writeln!(
        h,
        "<tr><th scope=\"row\">{}</th><td>{value}</td></tr>",
        esc(label)
    );
}

fn assumptions(h: &mut String, summary: &RunSummary) {
    let s = &summary.scenario;
    let cur = esc(s.report.currency_label());
    h.push_str(
        "<section id=\"assumptions\">\n<h2>Key assumptions</h2>\n<table class=\"assumptions\">\n<tbody>\n",
    );
    let part = if s.part.name.is_empty() {
        "the part".to_string()
    } else {
        esc(&s.part.name)
    };
    row(
        h,
        "Part",
        &format!(
            "{part}, book value {} {cur} per unit",
            money(s.part.unit_cost)
        ),
    );
    let mut stock = format!("{} units on hand at t = 0", whole_number(s.part.on_hand));
    if s.part.last_time_buy > 0 {
        let _ = write!(
            stock,
            ", plus a last-time buy of {} units at {} {cur} each",
            whole_number(s.part.last_time_buy),
            money(s.part.last_time_buy_cost)
        );
    }
    row(h, "Stock", &stock);
    row(
        h,
        "Horizon and money",
        &format!(
            "{} years after the decision; cash flows discounted at {} % a year (annual effective)",
            short(s.horizon_years, 2),
            short(100.0 * s.discount_rate, 2)
        ),
    );
    row(
        h,
        "Demand",
        &format!(
            "{}; {} units expected over the horizon",
            esc(&demand_in_words(summary)),
            value(
                "span",
                "/demand/expected_units",
                summary.demand.expected_units,
                &short(summary.demand.expected_units, 1)
            )
        ),
    );
    row(
        h,
        "Order sizes",
        &esc(&order_size_in_words(&s.demand.order_size)),
    );
    let d = &s.demand;
    row(
        h,
        "Uncertainty and risk",
        &format!(
            "{}; {}",
            if d.rate_cv > 0.0 {
                format!(
                    "the demand rate of each future is uncertain (coefficient of variation {})",
                    short(d.rate_cv, 3)
                )
            } else {
                "the demand rate is known".into()
            },
            if d.obsolescence_annual_probability > 0.0 {
                format!(
                    "sudden obsolescence (demand stops for good) with probability {} a year",
                    share(d.obsolescence_annual_probability)
                )
            } else {
                "no sudden obsolescence".into()
            }
        ),
    );
    if s.stock.shrinkage_rate > 0.0 {
        row(
            h,
            "Losses in storage",
            &format!("{} of stored units a year", share(s.stock.shrinkage_rate)),
        );
    }
    let c = &s.costs;
    let mut carrying = format!(
        "{} of book value a year = {} {cur} per unit-year",
        share(c.holding_rate),
        money(s.holding_cost_per_unit_year())
    );
    if let Some(k) = &c.holding_components {
        let _ = write!(
            carrying,
            " (capital {}, storage {}, insurance {}, obsolescence {})",
            share(k.capital),
            share(k.storage),
            share(k.insurance),
            share(k.obsolescence)
        );
    }
    row(h, "Carrying cost", &carrying);
    row(
        h,
        "Scrap and salvage",
        &if c.salvage_value >= 0.0 {
            format!(
                "{} {cur} income per unit scrapped or left at the horizon",
                money(c.salvage_value)
            )
        } else {
            format!(
                "a disposal fee of {} {cur} per unit scrapped or left at the horizon",
                money(-c.salvage_value)
            )
        },
    );
    row(
        h,
        "Shortage",
        &match c.unmet_demand {
            UnmetDemand::Lost => format!(
                "{} {cur} per unit short; the sale is lost",
                money(c.shortage_penalty)
            ),
            UnmetDemand::Backorder => format!(
                "{} {cur} per unit short, which then waits for stock (backorder) at {} {cur} per unit-year",
                money(c.shortage_penalty),
                money(c.backorder_cost_per_year)
            ),
        },
    );
    row(
        h,
        "Replenishment",
        &format!(
            "when the inventory position (on hand + on order − backorders) is {} or less, order up to {}: \
             first buy-backs from partners, then re-manufacture",
            s.replenishment.reorder_point, s.replenishment.order_up_to
        ),
    );
    row(
        h,
        "Re-manufacture",
        &match &s.remanufacture {
            Some(r) => format!(
                "{} {cur} per run + {} {cur} per unit{}, {} years lead time, \
                 possible until year {}, at least {} units per run{}",
                money(r.setup_cost),
                money(r.unit_cost),
                if r.cost_escalation != 0.0 {
                    format!(" (both growing {} a year)", share(r.cost_escalation))
                } else {
                    String::new()
                },
                short(r.lead_time_years, 2),
                short(r.available_until_years, 2),
                r.min_batch,
                r.batch_cover_years
                    .map(|y| format!(", a run covers {} years of expected demand", short(y, 2)))
                    .unwrap_or_default()
            ),
            None => "not possible".into(),
        },
    );
    for p in &s.partners {
        row(
            h,
            &format!("Partner {}", p.name),
            &format!(
                "takes {} of released units at {} {cur} each; sells back at {} {cur}{}; honours {} of requests, \
                 delivers {}; {} of its stock leaves its hands each year",
                share(p.share),
                money(p.release_price),
                money(p.buyback_price),
                if p.order_fee > 0.0 {
                    format!(" plus {} {cur} per request", money(p.order_fee))
                } else {
                    String::new()
                },
                share(p.reliability),
                if p.response_days > 0.0 {
                    format!("in {} days", short(p.response_days, 1))
                } else {
                    "at once".to_string()
                },
                share(p.attrition_rate)
            ),
        );
    }
    for (i, p) in s.policies.iter().enumerate() {
        let summary_policy = &summary.policies[i];
        let what = match p.kind {
            PolicyKind::Hold => "hold: keep all stock".to_string(),
            PolicyKind::Scrap | PolicyKind::PartnerRelease => {
                let action = if p.kind == PolicyKind::Scrap {
                    "scrap"
                } else {
                    "release to partners"
                };
                let levels = &summary_policy.retained_levels;
                let first = levels.first().map_or(0, |r| r.units);
                let rule = match p.retain {
                    Some(RetainRule::Units(n)) => format!("{n} units"),
                    Some(RetainRule::CoverYears(y)) => format!(
                        "the expected demand of the next {} years ({first} units)",
                        short(y, 2)
                    ),
                    Some(RetainRule::Quantile(q)) => format!(
                        "enough for all remaining demand with probability {} ({first} units)",
                        share(q)
                    ),
                    Some(RetainRule::Optimal) => format!(
                        "the retained level of least mean cost found by the optimiser ({first} units)"
                    ),
                    None => "nothing".into(),
                };
                let review = match (p.review_every_years, levels.last()) {
                    (Some(r), Some(last)) if levels.len() > 1 => format!(
                        "; again every {} years with the level recomputed, down to {} units by year {}",
                        short(r, 2),
                        last.units,
                        short(last.at_years, 2)
                    ),
                    (Some(r), _) => format!("; again every {} years", short(r, 2)),
                    _ => String::new(),
                };
                format!(
                    "at year {}, keep {rule} and {action} the rest{review}",
                    short(p.at_years, 2),
                )
            }
        };
        let replenishment = if p.replenishment != s.replenishment {
            format!(
                "; own reorder rule: reorder at {}, up to {}",
                p.replenishment.reorder_point, p.replenishment.order_up_to
            )
        } else {
            String::new()
        };
        row(
            h,
            &format!(
                "Policy {}{}",
                p.name,
                if i == 0 { " (baseline)" } else { "" }
            ),
            &format!("{}{}{}", swatch(i), esc(&what), esc(&replenishment)),
        );
    }
    row(
        h,
        "Simulation",
        &format!(
            "{} futures (paths), seed {}",
            whole_number(summary.paths),
            summary.seed
        ),
    );
    h.push_str("</tbody>\n</table>\n</section>\n");
}

fn how_to_read(chart: Chart, summary: &RunSummary) -> String {
    let cur = esc(summary.scenario.report.currency_label());
    let baseline = summary
        .policies
        .first()
        .map_or(String::new(), |p| esc(&p.name));
    match chart {
        Chart::Demand => "The black curve is the expected number of units demanded per year. The blue \
             step line is the median of the simulated futures, year by year, and the shaded band holds \
             90 % of them (5th to 95th percentile); the grey dots, joined by thin lines, are single \
             futures. Years with few or no orders show how intermittent the demand becomes."
            .to_string(),
        Chart::Stock => "One panel per policy. The line is the mean number of units on hand, the band \
             holds 90 % of futures. A drop at the start is the scrap or release of the excess. The bars \
             under each panel are the units arriving per year on average: re-manufactured units (paid \
             in runs with a setup cost) and units bought back from partners."
            .to_string(),
        Chart::CostDistribution => format!(
            "Each row is the spread of total discounted cost ({cur}) over the simulated futures, on the \
             same axis for every policy. The solid line is the mean, the dashed line the 95th \
             percentile: a bad but not extreme future. A wide or long-tailed histogram is a risky policy."
        ),
        Chart::CostBreakdown => format!(
            "The mean cost per part ({cur}, present value) split into its lines: carrying (holding) \
             cost, buy-backs, re-manufacture, shortage penalties to the right of zero; scrap, release and \
             end-of-horizon income to the left. The black bar under each stack is the net total. \
             Carrying cost against re-manufacture and shortages is the trade-off every policy makes."
        ),
        Chart::Comparison => format!(
            "Every policy is run on the same futures as the baseline, {baseline}, so each future gives a \
             cost difference. The diamond is the mean difference ({cur}) with its 95 % confidence \
             interval (often too narrow to see); the box and whiskers show how the difference varies \
             from future to future. Left of zero is cheaper than {baseline}."
        ),
        Chart::Service => "Fill rate is the share of units demanded that were served from stock at once; \
             P(no stock-out) the share of futures in which no unit ever went short. The curves show, \
             for each policy, the share of futures that have run short at least once by a given year: \
             the earlier a curve rises, the sooner the shelf runs empty."
            .to_string(),
    }
}

/// A row of the units table: JSON name, label, value.
type UnitRow = (&'static str, &'static str, fn(&PolicySummary) -> f64);

/// A row of the finance table: JSON name, label, value, format.
type FinanceRow = (
    &'static str,
    &'static str,
    fn(&PolicySummary) -> Option<f64>,
    fn(f64) -> String,
);

/// A table with one column per policy.
fn policy_columns(h: &mut String, summary: &RunSummary, caption: &str, first: &str) {
    let _ = write!(
        h,
        "<table class=\"numbers\">\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th>",
        esc(caption),
        esc(first)
    );
    for (i, p) in summary.policies.iter().enumerate() {
        let _ = write!(h, "<th scope=\"col\">{}{}</th>", swatch(i), esc(&p.name));
    }
    h.push_str("</tr></thead>\n<tbody>\n");
}

fn numbers(h: &mut String, summary: &RunSummary) {
    let cur = esc(summary.scenario.report.currency_label());
    h.push_str("<section id=\"numbers\">\n<h2>Full numbers</h2>\n");

    // Cost distribution per policy.
    let _ = write!(
        h,
        "<table class=\"numbers\" id=\"policies\">\n<caption>Total discounted cost per part ({cur}, present value at t = 0) over the simulated futures</caption>\n\
         <thead><tr><th scope=\"col\">policy</th><th scope=\"col\">mean cost</th>\
         <th scope=\"col\">± 95 % CI</th><th scope=\"col\">P5</th><th scope=\"col\">median</th>\
         <th scope=\"col\">P95</th><th scope=\"col\">CVaR95</th></tr></thead>\n<tbody>\n"
    );
    for (i, p) in summary.policies.iter().enumerate() {
        let c = &p.total_cost;
        let k = |name: &str| format!("/policies/{i}/{name}");
        let _ = write!(
            h,
            "<tr><th scope=\"row\">{}{}</th>",
            swatch(i),
            esc(&p.name)
        );
        h.push_str(&cell(&k("total_cost/mean"), Some(c.mean), money));
        let _ = write!(
            h,
            "<td class=\"num\">± {}</td>",
            money((c.ci95[1] - c.ci95[0]) / 2.0)
        );
        h.push_str(&cell(&k("total_cost/p05"), Some(c.p05), money));
        h.push_str(&cell(&k("total_cost/p50"), Some(c.p50), money));
        h.push_str(&cell(&k("total_cost/p95"), Some(c.p95), money));
        h.push_str(&cell(&k("total_cost/cvar95"), Some(c.cvar95), money));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");

    // Service and the comparison with the baseline.
    let _ = write!(
        h,
        "<table class=\"numbers\" id=\"service\">\n<caption>Service, and each policy against the baseline on the same futures ({cur})</caption>\n\
         <thead><tr><th scope=\"col\">policy</th><th scope=\"col\">kind</th><th scope=\"col\">fill rate</th>\
         <th scope=\"col\">P(no stock-out)</th><th scope=\"col\">vs baseline ± 95 % CI</th>\
         <th scope=\"col\">P(cheaper)</th></tr></thead>\n<tbody>\n"
    );
    for (i, p) in summary.policies.iter().enumerate() {
        let k = |name: &str| format!("/policies/{i}/{name}");
        let _ = write!(
            h,
            "<tr><th scope=\"row\">{}{}</th><td>{}</td>",
            swatch(i),
            esc(&p.name),
            esc(&p.kind.replace('_', " "))
        );
        h.push_str(&cell(&k("fill_rate"), p.fill_rate, share));
        h.push_str(&cell(
            &k("no_stockout_probability"),
            Some(p.no_stockout_probability),
            share,
        ));
        match &p.comparison {
            Some(cmp) => {
                let half = (cmp.ci95[1] - cmp.ci95[0]) / 2.0;
                let _ = write!(
                    h,
                    "<td class=\"num\" data-key=\"{}\" data-value=\"{}\">{} ± {}</td>",
                    k("comparison/mean_difference"),
                    cmp.mean_difference,
                    signed_money(cmp.mean_difference),
                    money(half)
                );
                h.push_str(&cell(
                    &k("comparison/probability_cheaper"),
                    Some(cmp.probability_cheaper),
                    share,
                ));
            }
            None => h.push_str("<td class=\"num\">(baseline)</td><td></td>"),
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");

    // Cost lines.
    policy_columns(
        h,
        summary,
        &format!(
            "Mean cost lines per part ({}; income negative)",
            summary.scenario.report.currency_label()
        ),
        "cost line",
    );
    let names = <crate::inventory::CostLines>::NAMES;
    for (k, name) in names.iter().enumerate() {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", esc(COST_LINE_LABELS[k]));
        for (i, p) in summary.policies.iter().enumerate() {
            let v = p.cost_breakdown.lines.values()[k];
            h.push_str(&cell(
                &format!("/policies/{i}/cost_breakdown/{name}"),
                Some(v),
                money,
            ));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("<tr class=\"total\"><th scope=\"row\">total</th>");
    for (i, p) in summary.policies.iter().enumerate() {
        h.push_str(&cell(
            &format!("/policies/{i}/cost_breakdown/total"),
            Some(p.cost_breakdown.total),
            money,
        ));
    }
    h.push_str("</tr>\n</tbody>\n</table>\n");

    // Units.
    policy_columns(h, summary, "Units, mean per future", "units");
    let units: [UnitRow; 16] = [
        ("demanded", "demanded", |p| p.units.counts.demanded),
        ("filled_from_stock", "served from stock at once", |p| {
            p.units.counts.filled_from_stock
        }),
        ("short", "short", |p| p.units.counts.short),
        ("lost", "lost sales", |p| p.units.counts.lost),
        ("backordered", "backordered", |p| p.units.counts.backordered),
        ("backorders_filled", "backorders served later", |p| {
            p.units.counts.backorders_filled
        }),
        ("scrapped", "scrapped", |p| p.units.counts.scrapped),
        ("released", "released to partners", |p| {
            p.units.counts.released
        }),
        ("bought_back", "bought back", |p| p.units.counts.bought_back),
        ("remanufactured", "re-manufactured", |p| {
            p.units.counts.remanufactured
        }),
        ("remanufacture_runs", "re-manufacture runs", |p| {
            p.units.counts.remanufacture_runs
        }),
        ("lost_in_storage", "lost in storage", |p| {
            p.units.counts.lost_in_storage
        }),
        ("on_hand_at_horizon", "on hand at the horizon", |p| {
            p.units.counts.on_hand_at_horizon
        }),
        (
            "open_backorders_at_horizon",
            "backorders open at the horizon",
            |p| p.units.counts.open_backorders_at_horizon,
        ),
        ("on_order_at_horizon", "on order at the horizon", |p| {
            p.units.counts.on_order_at_horizon
        }),
        ("average_on_hand", "average on hand", |p| {
            p.units.average_on_hand
        }),
    ];
    for (key, label, get) in units {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", esc(label));
        for (i, p) in summary.policies.iter().enumerate() {
            h.push_str(&cell(
                &format!("/policies/{i}/units/{key}"),
                Some(get(p)),
                |v| plain(v, 2),
            ));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");

    // First stock-out and finance.
    policy_columns(h, summary, "First stock-out and finance", "figure");
    let _ = write!(h, "<tr><th scope=\"row\">futures that run short</th>");
    for p in &summary.policies {
        let _ = write!(
            h,
            "<td class=\"num\">{}</td>",
            share(1.0 - p.no_stockout_probability)
        );
    }
    h.push_str("</tr>\n");
    for (q, label) in [
        ("p05", "first stock-out, P5 (years)"),
        ("p25", "first stock-out, P25 (years)"),
        ("p50", "first stock-out, median (years)"),
        ("p75", "first stock-out, P75 (years)"),
        ("p95", "first stock-out, P95 (years)"),
    ] {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", esc(label));
        for (i, p) in summary.policies.iter().enumerate() {
            let v = p.first_stockout_years.as_ref().map(|s| match q {
                "p05" => s.p05,
                "p25" => s.p25,
                "p50" => s.p50,
                "p75" => s.p75,
                _ => s.p95,
            });
            h.push_str(&cell(
                &format!("/policies/{i}/first_stockout_years/{q}"),
                v,
                |v| plain(v, 2),
            ));
        }
        h.push_str("</tr>\n");
    }
    let finance: [FinanceRow; 4] = [
        (
            "inventory_turnover",
            "inventory turnover (per year)",
            |p| p.finance.inventory_turnover,
            |v| plain(v, 3),
        ),
        ("gmroi", "GMROI", |p| p.finance.gmroi, |v| plain(v, 3)),
        (
            "carrying_share_of_total",
            "carrying cost, share of total",
            |p| p.finance.carrying_share_of_total,
            share,
        ),
        (
            "revenue",
            "revenue (not in cost)",
            |p| p.finance.revenue,
            money,
        ),
    ];
    for (key, label, get, format) in finance {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", esc(label));
        for (i, p) in summary.policies.iter().enumerate() {
            h.push_str(&cell(
                &format!("/policies/{i}/finance/{key}"),
                get(p),
                format,
            ));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");

    // Partners.
    if !summary.scenario.partners.is_empty() {
        h.push_str(
            "<table class=\"numbers\">\n<caption>Partners as suppliers of buy-backs (means per future; policies that release stock)</caption>\n\
             <thead><tr><th scope=\"col\">policy</th><th scope=\"col\">partner</th><th scope=\"col\">requests</th>\
             <th scope=\"col\">honoured</th><th scope=\"col\">units shipped ÷ asked</th>\
             <th scope=\"col\">response (days)</th><th scope=\"col\">units shipped</th></tr></thead>\n<tbody>\n",
        );
        for (i, p) in summary.policies.iter().enumerate() {
            if p.units.counts.released == 0.0 && p.partners.iter().all(|x| x.requests == 0.0) {
                continue;
            }
            for (j, partner) in p.partners.iter().enumerate() {
                let k = |name: &str| format!("/policies/{i}/partners/{j}/{name}");
                let _ = write!(
                    h,
                    "<tr><th scope=\"row\">{}{}</th><td>{}</td>",
                    swatch(i),
                    esc(&p.name),
                    esc(&partner.name)
                );
                h.push_str(&cell(&k("requests"), Some(partner.requests), |v| {
                    plain(v, 2)
                }));
                h.push_str(&cell(&k("honoured_share"), partner.honoured_share, share));
                h.push_str(&cell(
                    &k("request_fill_rate"),
                    partner.request_fill_rate,
                    share,
                ));
                h.push_str(&cell(
                    &k("mean_response_days"),
                    partner.mean_response_days,
                    |v| plain(v, 1),
                ));
                h.push_str(&cell(
                    &k("units_shipped"),
                    Some(partner.units_shipped),
                    |v| plain(v, 2),
                ));
                h.push_str("</tr>\n");
            }
        }
        h.push_str("</tbody>\n</table>\n");
    }

    // Retained levels.
    h.push_str(
        "<table class=\"numbers\">\n<caption>Retained levels (units kept at each disposition)</caption>\n\
         <thead><tr><th scope=\"col\">policy</th><th scope=\"col\">year</th><th scope=\"col\">units kept</th></tr></thead>\n<tbody>\n",
    );
    for (i, p) in summary.policies.iter().enumerate() {
        if p.retained_levels.is_empty() {
            let _ = writeln!(
                h,
                "<tr><th scope=\"row\">{}{}</th><td colspan=\"2\">keeps all stock</td></tr>",
                swatch(i),
                esc(&p.name)
            );
        }
        for (j, r) in p.retained_levels.iter().enumerate() {
            let _ = write!(
                h,
                "<tr><th scope=\"row\">{}{}</th>",
                swatch(i),
                esc(&p.name)
            );
            h.push_str(&cell(
                &format!("/policies/{i}/retained_levels/{j}/at_years"),
                Some(r.at_years),
                |v| short(v, 2),
            ));
            h.push_str(&cell(
                &format!("/policies/{i}/retained_levels/{j}/units"),
                Some(r.units as f64),
                |v| plain(v, 0),
            ));
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</tbody>\n</table>\n");

    // Annual demand.
    let d = &summary.demand;
    let _ = write!(
        h,
        "<table class=\"numbers\">\n<caption>Units demanded per year: exact expectation and simulation \
         (total over the horizon: {} expected, {} ± {} simulated)</caption>\n\
         <thead><tr><th scope=\"col\">year</th><th scope=\"col\">expected</th><th scope=\"col\">mean</th>\
         <th scope=\"col\">P5</th><th scope=\"col\">median</th><th scope=\"col\">P95</th></tr></thead>\n<tbody>\n",
        plain(d.expected_units, 1),
        value(
            "span",
            "/demand/mean_units",
            d.mean_units,
            &plain(d.mean_units, 1)
        ),
        plain(Z95 * d.std_err, 1)
    );
    for (y, a) in d.annual.iter().enumerate() {
        let k = |name: &str| format!("/demand/annual/{y}/{name}");
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", a.year);
        h.push_str(&cell(&k("expected"), Some(a.expected), |v| plain(v, 2)));
        h.push_str(&cell(&k("mean"), Some(a.mean), |v| plain(v, 2)));
        h.push_str(&cell(&k("p05"), Some(a.p05), |v| plain(v, 0)));
        h.push_str(&cell(&k("p50"), Some(a.p50), |v| plain(v, 0)));
        h.push_str(&cell(&k("p95"), Some(a.p95), |v| plain(v, 0)));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n</section>\n");
}

pub(crate) const CSS: &str = "
:root { --ink: #212529; --soft: #555a62; --rule: #dee2e6; --zebra: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 16px/1.5 'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 28px; margin: 0 0 4px; }
h2 { font-size: 22px; margin: 36px 0 10px; border-bottom: 2px solid var(--rule); padding-bottom: 4px; }
h3 { font-size: 18px; margin: 0 0 4px; }
.description { font-size: 18px; margin: 0 0 6px; }
.meta, .how, figcaption, footer, caption { color: var(--soft); font-size: 14px; }
#verdict { background: #f3f7fb; border-left: 5px solid #4e79a7; padding: 4px 20px 10px; margin-top: 24px; }
#verdict h2 { border: 0; margin-top: 12px; }
.lead { font-size: 19px; margin: 6px 0 10px; }
#verdict li { margin: 4px 0; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 2px; margin-right: 6px;
  vertical-align: -1px; }
.keyitem { white-space: nowrap; margin-right: 14px; }
figure { margin: 28px 0 0; break-inside: avoid; page-break-inside: avoid; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid var(--rule); margin: 6px 0; }
table { border-collapse: collapse; margin: 14px 0 22px; font-size: 14px; }
caption { text-align: left; padding: 0 0 6px; }
tbody th { white-space: nowrap; }
th, td { padding: 5px 10px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); white-space: nowrap; }
tbody tr:nth-child(even) { background: var(--zebra); }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.na { color: var(--soft); }
tr.total th, tr.total td { font-weight: bold; border-top: 2px solid var(--ink); }
table.assumptions th { width: 190px; white-space: nowrap; }
table.numbers { width: 100%; }
#numbers { overflow-x: auto; }
footer { margin-top: 36px; border-top: 1px solid var(--rule); padding-top: 8px; }
@media print { main { max-width: none; padding: 0; } h2 { break-after: avoid; } }
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }

    #[test]
    fn plain_numbers_group_and_round() {
        assert_eq!(plain(12345.678, 2), "12,345.68");
        assert_eq!(plain(-0.001, 2), "0.00");
        assert_eq!(plain(-1234.5, 0), "-1,234");
        assert_eq!(short(2.50, 2), "2.5");
        assert_eq!(short(3.0, 2), "3");
    }
}
