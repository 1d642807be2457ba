//! `report.html` of `pimsim optimize`: the verdict (each policy's best quantity, its mean cost
//! with its 95 % confidence interval and its service), the key assumptions, the chart inline,
//! the frontier (every quantity evaluated) and how the search went.
//!
//! Like the run report it loads nothing, is well-formed XML with every text through [`esc`],
//! and every number taken from `optimize.json` carries `data-key` (its JSON pointer there) and
//! `data-value` (the exact value).

use std::fmt::Write as _;

use super::assumptions::scenario_rows;
use super::{cell, esc, page_start, plain, share, short, swatch, value};
use crate::optimize::{Method, OptimizeReport, PolicyOptimum, QuantityKind};
use crate::output::charts::optimize_svg;
use crate::output::charts::target_percent;
use crate::output::{MoneyColumn, money, whole_number};
use crate::scenario::{Policy, PolicyKind, Replenishment};

/// The name of the frontier's CSV file.
pub const FRONTIER_CSV: &str = "optimize_frontier.csv";

/// Most rows of a policy's frontier table (all of them are in `optimize_frontier.csv`): the
/// rows nearest the best quantity.
const MAX_FRONTIER_ROWS: usize = 120;

/// The style of a table cell that holds a name: long names wrap instead of widening the
/// page (the shared style keeps row headers on one line).
const NAME_CELL: &str = "white-space:normal;overflow-wrap:anywhere";

/// The heading of the chart's figure.
const CHART_TITLE: &str = "Mean total cost and fill rate by quantity";

/// The page.
pub(crate) fn render_optimize_html(report: &OptimizeReport) -> anyhow::Result<String> {
    let mut h = page_start(&format!("{} — pimsim optimize", report.scenario));
    header(&mut h, report);
    verdict(&mut h, report);
    assumptions(&mut h, report);
    chart(&mut h, report)?;
    frontier(&mut h, report);
    search(&mut h, report);
    let _ = write!(
        h,
        "<footer>pimsim {} · {} paths · seed {}. The same scenario, seed and path count give \
         the same numbers on any machine and thread count.</footer>\n</main>\n</body>\n</html>\n",
        esc(&report.pimsim_version),
        whole_number(report.paths),
        report.seed
    );
    Ok(h)
}

/// The currency label, escaped.
fn currency(report: &OptimizeReport) -> String {
    esc(report.scenario_as_run.report.currency_label())
}

/// The swatch of the `k`-th optimised policy (its colour in every chart).
fn policy_swatch(report: &OptimizeReport, k: usize) -> String {
    swatch(report.policy_indices.get(k).copied().unwrap_or(k))
}

/// What is chosen, for prose: "retained level R" or "last-time buy".
fn quantity_name(p: &PolicyOptimum) -> &'static str {
    match p.quantity_kind {
        QuantityKind::RetainedLevel => "retained level R",
        QuantityKind::LastTimeBuy => "last-time buy",
    }
}

/// The half-width of a 95 % interval.
fn half(ci: [f64; 2]) -> f64 {
    (ci[1] - ci[0]) / 2.0
}

/// The page's header: the scenario's name and description, the part, paths, horizon, money.
fn header(h: &mut String, report: &OptimizeReport) {
    let s = &report.scenario_as_run;
    let _ = write!(
        h,
        "<header>\n<h1>{} — optimising the stock</h1>\n",
        esc(&report.scenario)
    );
    if !s.description.is_empty() {
        let _ = writeln!(h, "<p class=\"description\">{}</p>", esc(&s.description));
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">{}{} simulated futures of demand, the same for every quantity · horizon \
         {} years · money in {}, in today's value (discounted to t = 0 at {} % a year) · costs \
         positive, income negative</p>",
        if s.part.name.is_empty() {
            String::new()
        } else {
            format!("{} · ", esc(&s.part.name))
        },
        whole_number(report.paths),
        short(s.horizon_years, 2),
        currency(report),
        short(100.0 * s.discount_rate, 2)
    );
    if let Some(p) = &report.precision {
        // Stopped by --precision: say how, next to the path count (as the run report does).
        let _ = writeln!(
            h,
            "<p class=\"meta precision\">Stopped by --precision: {}</p>",
            esc(crate::output::precision_line(p).trim_start_matches("precision "))
        );
    }
    h.push_str("</header>\n");
}

/// The verdict: the recommended policy's optimum first, then every policy's.
fn verdict(h: &mut String, report: &OptimizeReport) {
    let cur = currency(report);
    let r = &report.recommended;
    let b = &r.best;
    let k = report
        .policies
        .iter()
        .position(|p| p.policy == r.policy)
        .unwrap_or(0);
    h.push_str("<section id=\"verdict\" style=\"overflow-wrap:anywhere\">\n<h2>Verdict</h2>\n");
    let which = if report.policies.len() > 1 {
        " is the cheapest policy at its optimum"
    } else {
        ""
    };
    let _ = writeln!(
        h,
        "<p class=\"lead\">{}<strong>{}</strong>{which}: with a {} of {} units it costs {} {cur} \
         per part on average over the {} years, in today's money (95 % confidence interval {} to \
         {}), and fills {} of demand from stock at once.</p>",
        policy_swatch(report, k),
        esc(&r.policy),
        quantity_name(r),
        value(
            "span",
            "/best/quantity",
            b.quantity as f64,
            &whole_number(b.quantity)
        ),
        value(
            "span",
            "/best/total_cost",
            b.total_cost,
            &money(b.total_cost)
        ),
        short(report.scenario_as_run.horizon_years, 2),
        value("span", "/best/ci95/0", b.ci95[0], &money(b.ci95[0])),
        value("span", "/best/ci95/1", b.ci95[1], &money(b.ci95[1])),
        value("span", "/best/fill_rate", b.fill_rate, &share(b.fill_rate)),
    );
    h.push_str("<ul>\n");
    if let Some(target) = r.fill_rate_target {
        let _ = writeln!(
            h,
            "<li><strong>Fill-rate target:</strong> {} — each policy's best quantity is the \
             cheapest whose fill rate reaches it.</li>",
            value("span", "/fill_rate_target", target, &target_percent(target))
        );
    }
    for (k, p) in report.policies.iter().enumerate() {
        policy_item(h, report, k, p, &cur);
    }
    let _ = writeln!(
        h,
        "<li><strong>How sure:</strong> each interval is that of one quantity's mean cost over \
         the {} futures. Every quantity and every policy runs on the same futures, so the \
         differences between neighbouring quantities are surer than the intervals suggest.</li>",
        whole_number(report.paths)
    );
    h.push_str("</ul>\n</section>\n");
}

/// One policy's optimum in the verdict's list, with the quantities that cost about as much.
fn policy_item(h: &mut String, report: &OptimizeReport, k: usize, p: &PolicyOptimum, cur: &str) {
    let b = &p.best;
    let key = |name: &str| format!("/policies/{k}/best/{name}");
    let _ = write!(
        h,
        "<li>{}<strong>{}</strong> ({}): best {}: {} units — {} ± {} {cur} (95 % CI), fill rate \
         {}, no stock-out in {} of futures.",
        policy_swatch(report, k),
        esc(&p.policy),
        esc(&p.kind.replace('_', " ")),
        quantity_name(p),
        value(
            "span",
            &key("quantity"),
            b.quantity as f64,
            &whole_number(b.quantity)
        ),
        value(
            "span",
            &key("total_cost"),
            b.total_cost,
            &money(b.total_cost)
        ),
        money(half(b.ci95)),
        value("span", &key("fill_rate"), b.fill_rate, &share(b.fill_rate)),
        value(
            "span",
            &key("no_stockout_probability"),
            b.no_stockout_probability,
            &share(b.no_stockout_probability)
        ),
    );
    if !p.target_met {
        let _ = write!(
            h,
            " <strong>No quantity up to {} reaches the fill-rate target</strong>; shown is the \
             highest fill rate.",
            whole_number(p.search.upper)
        );
    }
    if let Some((lo, hi)) = near_optimal(p)
        && lo < hi
    {
        let _ = write!(
            h,
            " Every quantity evaluated from {} to {} costs at most {} {cur} more (the best's own \
             95 % half-width){}.",
            whole_number(lo),
            whole_number(hi),
            money(half(b.ci95)),
            if p.fill_rate_target.is_some() {
                " and meets the target"
            } else {
                ""
            }
        );
    }
    h.push_str("</li>\n");
}

/// The run of evaluated quantities around the best whose mean cost exceeds the best's by at
/// most the half-width of its 95 % interval (and that meet the target, if any): the flat
/// bottom of the cost curve, as far as the search looked.
fn near_optimal(p: &PolicyOptimum) -> Option<(u64, u64)> {
    let at = p
        .frontier
        .iter()
        .position(|f| f.quantity == p.best.quantity)?;
    let limit = p.best.total_cost + half(p.best.ci95);
    let ok = |i: usize| {
        let f = &p.frontier[i];
        f.total_cost <= limit && p.fill_rate_target.is_none_or(|t| f.fill_rate >= t)
    };
    let mut lo = at;
    while lo > 0 && ok(lo - 1) {
        lo -= 1;
    }
    let mut hi = at;
    while hi + 1 < p.frontier.len() && ok(hi + 1) {
        hi += 1;
    }
    Some((p.frontier[lo].quantity, p.frontier[hi].quantity))
}

/// A row of the assumptions table (`text` already markup).
fn row(h: &mut String, label: &str, text: &str) {
    let _ = writeln!(
        h,
        "<tr><th scope=\"row\" style=\"{NAME_CELL}\">{}</th><td>{text}</td></tr>",
        esc(label)
    );
}

/// The key assumptions: the scenario's (as in the run report), then each optimised policy.
fn assumptions(h: &mut String, report: &OptimizeReport) {
    let s = &report.scenario_as_run;
    h.push_str(
        "<section id=\"assumptions\" style=\"overflow-wrap:anywhere\">\n<h2>Key assumptions</h2>\n<table class=\"assumptions\">\n<tbody>\n",
    );
    scenario_rows(h, s);
    for (k, p) in report.policies.iter().enumerate() {
        let Some(policy) = s.policies.iter().find(|x| x.name == p.policy) else {
            continue;
        };
        row(
            h,
            &format!("Policy {}", p.policy),
            &format!(
                "{}{}",
                policy_swatch(report, k),
                esc(&policy_in_words(policy, p, &s.replenishment))
            ),
        );
    }
    row(
        h,
        "Simulation",
        &format!(
            "{} futures (paths), seed {}, the same for every quantity (common random numbers)",
            whole_number(report.paths),
            report.seed
        ),
    );
    h.push_str("</tbody>\n</table>\n</section>\n");
}

/// What an optimised policy does, with the quantity left open.
fn policy_in_words(
    policy: &Policy,
    p: &PolicyOptimum,
    default_replenishment: &Replenishment,
) -> String {
    let range = format!(
        "searched from {} to {} units",
        whole_number(p.search.lower),
        whole_number(p.search.upper)
    );
    let what = match policy.kind {
        PolicyKind::Hold => format!(
            "hold: keep all stock, plus a last-time buy at t = 0 ({range}; it replaces the \
             scenario's part.last_time_buy)"
        ),
        PolicyKind::Scrap | PolicyKind::PartnerRelease => format!(
            "at year {}, keep R units ({range}) and {}",
            short(policy.at_years, 2),
            if policy.kind == PolicyKind::Scrap {
                "scrap the rest"
            } else {
                "release the rest to partners"
            }
        ),
    };
    // As the run report: the reorder rule only when the policy overrides the scenario's.
    if policy.replenishment == *default_replenishment {
        what
    } else {
        format!(
            "{what}; own reorder rule: reorder at {}, up to {}",
            policy.replenishment.reorder_point, policy.replenishment.order_up_to
        )
    }
}

/// The chart, inline without its title (the heading gives it), with how to read it.
fn chart(h: &mut String, report: &OptimizeReport) -> anyhow::Result<()> {
    let svg = optimize_svg(report, false)?;
    let svg = svg.trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
    let svg = svg.trim().replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{}\" ", esc(CHART_TITLE)),
        1,
    );
    let target = match report.recommended.fill_rate_target {
        Some(t) => format!(
            " The dashed red line is the fill-rate target, {}: quantities below it are not \
             considered.",
            target_percent(t)
        ),
        None => String::new(),
    };
    let _ = write!(
        h,
        "<section id=\"charts\" style=\"overflow-wrap:anywhere\">\n<h2>Chart</h2>\n<figure id=\"chart-optimize\">\n<h3>{}</h3>\n\
         <p class=\"how\">Per policy, the mean total cost per part ({}, present value at t = 0) \
         of each quantity evaluated, with its 95 % confidence band (top), and its fill rate \
         (bottom), over the whole range searched (left) and close up around the best (right); \
         the vertical line marks the chosen quantity. The dots crowd where the search zoomed \
         in.{target}</p>\n{svg}\n<figcaption>As files: <a href=\"optimize.svg\">optimize.svg</a> · \
         <a href=\"optimize.png\">optimize.png</a></figcaption>\n</figure>\n</section>\n",
        esc(CHART_TITLE),
        currency(report),
    );
    Ok(())
}

/// The frontier: per policy, every quantity evaluated (at most [`MAX_FRONTIER_ROWS`]).
fn frontier(h: &mut String, report: &OptimizeReport) {
    let cur = currency(report);
    let _ = writeln!(
        h,
        "<section id=\"frontier\" style=\"overflow-wrap:anywhere\">\n<h2>The frontier: every quantity evaluated</h2>\n<p>All of \
         them, with the standard errors, are in <a href=\"{FRONTIER_CSV}\">{FRONTIER_CSV}</a> and \
         <a href=\"optimize.json\">optimize.json</a>.</p>"
    );
    for (k, p) in report.policies.iter().enumerate() {
        let first = match p.quantity_kind {
            QuantityKind::RetainedLevel => "retained level R",
            QuantityKind::LastTimeBuy => "last-time buy",
        };
        let _ = write!(
            h,
            "<table class=\"numbers\" id=\"frontier-{k}\" style=\"width:auto\">\n<caption>{}<strong>{}</strong> \
             ({}): mean total cost per part ({cur}, present value at t = 0) by {first}</caption>\n\
             <thead><tr><th scope=\"col\" class=\"num\">{first} (units)</th><th scope=\"col\" class=\"num\">mean cost ({cur})</th>\
             <th scope=\"col\" class=\"num\">± 95 % CI ({cur})</th><th scope=\"col\" class=\"num\">fill rate</th>\
             <th scope=\"col\" class=\"num\">P(no stock-out)</th><th scope=\"col\"></th></tr></thead>\n<tbody>\n",
            policy_swatch(report, k),
            esc(&p.policy),
            esc(&p.kind.replace('_', " ")),
        );
        let n = p.frontier.len();
        let at = p
            .frontier
            .iter()
            .position(|f| f.quantity == p.best.quantity)
            .unwrap_or(0);
        let start = at
            .saturating_sub(MAX_FRONTIER_ROWS / 2)
            .min(n.saturating_sub(MAX_FRONTIER_ROWS));
        let end = (start + MAX_FRONTIER_ROWS).min(n);
        let shown = || p.frontier.iter().take(end).skip(start);
        let costs = MoneyColumn::of(shown().map(|f| f.total_cost));
        let half_widths = MoneyColumn::of(shown().map(|f| half(f.ci95)));
        for (j, f) in p.frontier.iter().enumerate().take(end).skip(start) {
            let key = |name: &str| format!("/policies/{k}/frontier/{j}/{name}");
            let best = j == at;
            let _ = write!(
                h,
                "<tr{}>",
                if best {
                    " class=\"best\" style=\"font-weight:bold\""
                } else {
                    ""
                }
            );
            h.push_str(&cell(&key("quantity"), Some(f.quantity as f64), |v| {
                plain(v, 0)
            }));
            h.push_str(&cell(&key("total_cost"), Some(f.total_cost), |v| {
                costs.format(v)
            }));
            let _ = write!(
                h,
                "<td class=\"num\">± {}</td>",
                half_widths.format(half(f.ci95))
            );
            h.push_str(&cell(&key("fill_rate"), Some(f.fill_rate), share));
            h.push_str(&cell(
                &key("no_stockout_probability"),
                Some(f.no_stockout_probability),
                share,
            ));
            let note = match (best, p.fill_rate_target) {
                (true, _) => "best",
                (false, Some(t)) if f.fill_rate < t => "below target",
                _ => "",
            };
            let _ = writeln!(h, "<td>{note}</td></tr>");
        }
        h.push_str("</tbody>\n</table>\n");
        if n > end - start {
            let _ = writeln!(
                h,
                "<p class=\"how\">The {} quantities nearest the best of {} evaluated; all are in \
                 {FRONTIER_CSV}.</p>",
                end - start,
                whole_number(n as u64)
            );
        }
    }
    h.push_str("</section>\n");
}

/// How the search went: method, range, quantities evaluated, engine passes.
fn search(h: &mut String, report: &OptimizeReport) {
    h.push_str(
        "<section id=\"search\" style=\"overflow-wrap:anywhere\">\n<h2>How the optimum was found</h2>\n<table class=\"numbers\">\n\
         <thead><tr><th scope=\"col\">policy</th><th scope=\"col\">quantity</th>\
         <th scope=\"col\">method</th><th scope=\"col\" class=\"num\">range searched (units)</th>\
         <th scope=\"col\" class=\"num\">quantities evaluated</th><th scope=\"col\" class=\"num\">of a full scan</th>\
         <th scope=\"col\" class=\"num\">engine passes</th></tr></thead>\n<tbody>\n",
    );
    for (k, p) in report.policies.iter().enumerate() {
        let s = &p.search;
        let key = |name: &str| format!("/policies/{k}/search/{name}");
        let _ = write!(
            h,
            "<tr><th scope=\"row\" style=\"{NAME_CELL}\">{}{}</th><td>{}</td><td>{}</td><td class=\"num\">{} to {}</td>",
            policy_swatch(report, k),
            esc(&p.policy),
            quantity_name(p),
            match s.method {
                Method::ZoomingGrid => "zooming grid",
                Method::FullScan => "full scan",
            },
            value(
                "span",
                &key("lower"),
                s.lower as f64,
                &whole_number(s.lower)
            ),
            value(
                "span",
                &key("upper"),
                s.upper as f64,
                &whole_number(s.upper)
            ),
        );
        h.push_str(&cell(&key("candidates"), Some(s.candidates as f64), |v| {
            plain(v, 0)
        }));
        h.push_str(&cell(&key("full_grid"), Some(s.full_grid as f64), |v| {
            plain(v, 0)
        }));
        h.push_str(&cell(&key("passes"), Some(s.passes as f64), |v| {
            plain(v, 0)
        }));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    let _ = writeln!(
        h,
        "<p class=\"how\">The zooming grid evaluates 17 quantities evenly over the range in one \
         pass over the futures, then 17 over the bracket around the best of them, until no \
         quantity in the bracket is left unevaluated: it finds exactly the best quantity of a \
         full scan on the same futures when the mean cost falls and then rises with the quantity. \
         A full scan (<code>--full-scan</code>) evaluates every quantity of the range. For a \
         last-time buy the range starts at the 0.999 quantile of lifetime demand and doubles \
         while the best lies on its upper end.</p>\n</section>"
    );
}
