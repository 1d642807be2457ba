//! Outputs of a portfolio: `portfolio.csv` (one tidy row per part × policy),
//! `portfolio_parts.csv` (one row per part: recommendation, classes, value at stake),
//! `portfolio.json` (totals and classes), the terminal table, and `report.html` with the
//! Pareto chart of value at stake (also as `pareto.svg` and `pareto.png`) and a table of
//! recommendations.
//!
//! The CSV files write every text from the input (part ids, the override and `fit.` columns'
//! names, their values as written unless they are numbers, policy names) as a
//! spreadsheet-safe cell ([`spreadsheet_cell`]); `portfolio.json` keeps them raw. The terminal
//! table shows them through [`terminal_line`].
//!
//! [`PortfolioReport`] is `portfolio.json`; its JSON Schema (`schema/portfolio.schema.json`)
//! is generated from these types, and their doc comments are its descriptions.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Serialize;

use super::charts::pareto::Pareto;
use super::charts::{hex, policy_color};
use super::report::{esc, page_start};
use super::{
    MoneyColumn, OptionalColumns, money, percent, policy_cells_with, policy_columns_with,
    rows_have_records, rows_have_repair,
};
use crate::engine::Z95;
use crate::engine::service::ServiceRule;
use crate::escape::{spreadsheet_cell, terminal_line};
use crate::portfolio::{ABC_A, ABC_B, Analysis, Portfolio, Total, XYZ_X, XYZ_Y};
use crate::scenario::PolicyKind;

mod report;
pub use report::*;

/// Most parts listed in the report's table of recommendations (all are in the CSV files).
pub const MAX_TABLE_PARTS: usize = 200;

/// A CSV cell of text from the input, spreadsheet-safe.
fn text_cell(text: &str) -> String {
    spreadsheet_cell(text).into_owned()
}

/// A CSV cell of a value from the input as written (an override, a fitted figure): a finite
/// number as it is, any other text spreadsheet-safe.
fn written_cell(text: &str) -> String {
    if text.parse::<f64>().is_ok_and(f64::is_finite) {
        text.to_string()
    } else {
        text_cell(text)
    }
}

/// The header of `portfolio.csv`: `part`, the override columns (spreadsheet-safe), then
/// exactly the columns of `policies.csv` (`policy`, `kind`, `paths`, `seed`, …, `revenue`),
/// then `recommended`, `abc`, `xyz`.
pub fn portfolio_columns(p: &Portfolio) -> Vec<String> {
    let mut header = vec!["part".to_string()];
    header.extend(p.meta.columns.iter().map(|c| text_cell(c)));
    header.extend(policy_columns_with(portfolio_columns_extras(p)));
    header.extend(["recommended", "abc", "xyz"].map(String::from));
    header
}

/// The optional columns of `portfolio.csv`: the repair lines and counts when a part returns
/// cores, the drifting records' when a part has them.
fn portfolio_columns_extras(p: &Portfolio) -> OptionalColumns {
    let rows = || p.parts.iter().flat_map(|part| &part.policies);
    OptionalColumns {
        repair: rows_have_repair(rows()),
        records: rows_have_records(rows()),
    }
}

/// `portfolio.csv`.
pub fn render_portfolio_csv(p: &Portfolio, a: &Analysis) -> anyhow::Result<Vec<u8>> {
    let extras = portfolio_columns_extras(p);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(portfolio_columns(p))?;
    for (part, pa) in p.parts.iter().zip(&a.parts) {
        for (i, policy) in part.policies.iter().enumerate() {
            let mut row = vec![text_cell(&part.part)];
            row.extend(part.values.iter().map(|v| written_cell(v)));
            row.extend(policy_cells_with(policy, extras));
            row.push((i == pa.recommended).to_string());
            row.push(pa.abc.to_string());
            row.push(pa.xyz.to_string());
            w.write_record(&row)?;
        }
    }
    Ok(w.into_inner()?)
}

/// The header of `portfolio_parts.csv` (the `fit.` columns spreadsheet-safe).
pub fn parts_columns(p: &Portfolio) -> Vec<String> {
    let mut header: Vec<String> = [
        "part",
        "abc",
        "xyz",
        "annual_usage_value",
        "unit_cost",
        "expected_annual_units",
        "demand_cv",
        "seed",
        "recommended_policy",
        "recommended_total_cost_mean",
        "recommended_total_cost_std_err",
        "recommended_fill_rate",
        "target_met",
        "baseline_policy",
        "baseline_total_cost_mean",
        "saving_vs_baseline",
        "saving_std_err",
        "saving_rank",
        "recommended_no_stockout_probability",
        "service_poor",
        "better_service_policy",
        "better_service_extra_cost",
    ]
    .map(String::from)
    .to_vec();
    if has_precision(p) {
        header.extend(["paths", "precision_reached"].map(String::from));
    }
    header.extend(p.meta.fit_columns.iter().map(|c| text_cell(c)));
    header
}

/// Whether the parts ran with `--precision` (then `portfolio_parts.csv` says the paths each
/// part used and whether it reached the precision).
fn has_precision(p: &Portfolio) -> bool {
    p.parts.iter().any(|part| part.precision.is_some())
}

fn cell(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

/// `portfolio_parts.csv`: one row per part, in the parts file's order.
pub fn render_parts_csv(p: &Portfolio, a: &Analysis) -> anyhow::Result<Vec<u8>> {
    let mut rank = vec![0; p.parts.len()];
    for (r, &k) in a.by_saving.iter().enumerate() {
        rank[k] = r + 1;
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(parts_columns(p))?;
    for (k, (part, pa)) in p.parts.iter().zip(&a.parts).enumerate() {
        let r = &part.policies[pa.recommended];
        let b = &part.policies[0];
        let mut row = vec![
            text_cell(&part.part),
            pa.abc.to_string(),
            pa.xyz.to_string(),
            pa.annual_usage_value.to_string(),
            part.unit_cost.to_string(),
            part.expected_annual_units.to_string(),
            cell(part.demand_cv),
            part.seed.to_string(),
            text_cell(&r.policy),
            r.total_cost.mean.to_string(),
            r.total_cost.std_err.to_string(),
            cell(r.fill_rate),
            pa.target_met.to_string(),
            text_cell(&b.policy),
            b.total_cost.mean.to_string(),
            pa.saving.to_string(),
            pa.saving_std_err.to_string(),
            rank[k].to_string(),
            r.no_stockout_probability.to_string(),
            pa.service_poor.to_string(),
            pa.better_service
                .map(|i| text_cell(&part.policies[i].policy))
                .unwrap_or_default(),
            cell(
                pa.better_service
                    .map(|i| part.policies[i].total_cost.mean - r.total_cost.mean),
            ),
        ];
        if has_precision(p) {
            let (paths, reached) = match &part.precision {
                Some(o) => (o.paths, o.reached.to_string()),
                None => (p.meta.paths, String::new()),
            };
            row.extend([paths.to_string(), reached]);
        }
        row.extend(part.fit_values.iter().map(|v| written_cell(v)));
        w.write_record(&row)?;
    }
    Ok(w.into_inner()?)
}

/// Counts of parts per ABC × XYZ cell, rows A, B, C and columns X, Y, Z.
pub fn class_matrix(a: &Analysis) -> [[usize; 3]; 3] {
    let mut m = [[0; 3]; 3];
    for pa in &a.parts {
        let r = (pa.abc as u8 - b'A') as usize;
        let c = (pa.xyz as u8 - b'X') as usize;
        m[r][c] += 1;
    }
    m
}

fn ci(t: &Total) -> String {
    format!("{} ± {}", money(t.mean), money(Z95 * t.std_err))
}

/// Most parts listed by name under the terminal table's service sentence.
pub const MAX_TERMINAL_FLAGS: usize = 5;

/// "1 part", "300 parts".
fn parts_count(n: usize) -> String {
    if n == 1 {
        "1 part".to_string()
    } else {
        format!("{n} parts")
    }
}

/// The saving of the best mix against the baseline `baseline` (already escaped for its
/// medium, as `cur`): a total over the portfolio, and per part on average.
fn saving_sentence(p: &Portfolio, a: &Analysis, baseline: &str, cur: &str) -> String {
    let n = p.parts.len();
    format!(
        "Against {baseline} for all {}, the best mix saves {} {cur} (95% CI) in total over the \
         portfolio: {} {cur} per part on average.",
        parts_count(n),
        ci(&a.best_mix_saving),
        money(a.best_mix_saving.mean / n.max(1) as f64)
    )
}

/// How many recommendations serve poorly by the portfolio's service rule, and for how many a
/// dearer policy serves well (plain text; the rule's words hold no input).
fn service_sentence(p: &Portfolio, a: &Analysis) -> String {
    let (label, rest) = service_words(p, a);
    format!("{label} {rest}")
}

/// [`service_sentence`] as its label ("Service:", "Service warning:") and the rest.
fn service_words(p: &Portfolio, a: &Analysis) -> (&'static str, String) {
    let rule = a.service_rule.describe();
    let n = p.parts.len();
    if a.parts_with_poor_service == 0 {
        return (
            "Service:",
            format!("every recommendation serves well ({rule})."),
        );
    }
    let poor = a.parts_with_poor_service;
    let better = a.parts_with_better_service;
    let remedy = if poor == 1 && better == 1 {
        "a dearer policy serves it well".to_string()
    } else if poor == 1 {
        "no policy of the template serves it well".to_string()
    } else if better == poor {
        "for each of them a dearer policy serves well".to_string()
    } else if better == 0 {
        "no policy of the template serves any of them well".to_string()
    } else {
        format!(
            "for {better} of them a dearer policy serves well, for {} no policy of the template does",
            poor - better
        )
    };
    (
        "Service warning:",
        format!(
            "the recommendation of {poor} of the {} serves poorly (good service is {rule}); \
             {remedy} (service_poor and better_service_policy in portfolio_parts.csv).",
            parts_count(n)
        ),
    )
}

/// The terminal table: totals per policy, the best mix, its saving, the service of the
/// recommendations (with the first parts whose recommendation serves poorly while a dearer
/// policy serves well), the classes.
pub fn render_portfolio_table(p: &Portfolio, a: &Analysis) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} — {} parts, {} paths each, portfolio seed {}, costs discounted to t = 0 ({})\n",
        terminal_line(&p.meta.parts_files.join(" + ")),
        p.parts.len(),
        p.meta.paths,
        p.meta.seed,
        terminal_line(&p.meta.currency)
    );
    let mut rows = vec![[
        "policy".to_string(),
        "total mean cost ± 95% CI".into(),
        "recommended for".into(),
    ]];
    for t in &a.policies {
        rows.push([
            terminal_line(&format!("{} ({})", t.policy, t.kind)).into_owned(),
            ci(&t.total_cost),
            parts_count(t.recommended_parts),
        ]);
    }
    rows.push([
        "best mix (each part's recommendation)".into(),
        ci(&a.best_mix),
        parts_count(p.parts.len()),
    ]);
    let widths: Vec<usize> = (0..3)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for (i, r) in rows.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:<w0$}  {:>w1$}  {:>w2$}",
            r[0],
            r[1],
            r[2],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        if i == 0 {
            let _ = writeln!(
                out,
                "{}  {}  {}",
                "-".repeat(widths[0]),
                "-".repeat(widths[1]),
                "-".repeat(widths[2])
            );
        }
    }
    let cur = terminal_line(&p.meta.currency);
    if let Some((baseline, _)) = p.meta.policies.first() {
        let _ = writeln!(
            out,
            "\n{}",
            saving_sentence(p, a, &terminal_line(baseline), &cur)
        );
    }
    if let Some(f) = p.meta.fill_rate_target {
        let _ = writeln!(
            out,
            "Fill-rate target {}: met by {} of {} parts.",
            percent(Some(f)),
            a.parts_meeting_target,
            p.parts.len()
        );
    }
    let _ = writeln!(out, "{}", service_sentence(p, a));
    let flagged: Vec<usize> = a
        .by_saving
        .iter()
        .copied()
        .filter(|&k| a.parts[k].better_service.is_some())
        .collect();
    for &k in flagged.iter().take(MAX_TERMINAL_FLAGS) {
        let (part, pa) = (&p.parts[k], &a.parts[k]);
        let rec = &part.policies[pa.recommended];
        if let Some(b) = pa.better_service {
            let better = &part.policies[b];
            let _ = writeln!(
                out,
                "  {}: {} fills {}, short in {} of futures; {} serves well for {} {cur} more",
                terminal_line(&part.part),
                terminal_line(&rec.policy),
                percent(rec.fill_rate),
                percent(Some(1.0 - rec.no_stockout_probability)),
                terminal_line(&better.policy),
                money(better.total_cost.mean - rec.total_cost.mean)
            );
        }
    }
    if flagged.len() > MAX_TERMINAL_FLAGS {
        let _ = writeln!(
            out,
            "  … and {} more (the parts with the most value at stake first; all in \
             portfolio_parts.csv)",
            flagged.len() - MAX_TERMINAL_FLAGS
        );
    }
    let m = class_matrix(a);
    let _ = writeln!(out, "\nparts by class      X      Y      Z");
    for (r, class) in ['A', 'B', 'C'].iter().enumerate() {
        let _ = writeln!(
            out,
            "{class:>14} {:>6} {:>6} {:>6}",
            m[r][0], m[r][1], m[r][2]
        );
    }
    out
}

/// The Pareto chart's data.
pub fn pareto(p: &Portfolio, a: &Analysis) -> Pareto {
    Pareto {
        bars: a
            .by_saving
            .iter()
            .map(|&k| (a.parts[k].saving, a.parts[k].recommended))
            .collect(),
        policies: p.meta.policies.iter().map(|x| x.0.clone()).collect(),
        currency: p.meta.currency.clone(),
    }
}

/// The portfolio's `report.html`: the introduction, the totals per policy, the Pareto chart
/// of value at stake, the ABC × XYZ classes and the recommendations.
pub fn render_portfolio_html(
    p: &Portfolio,
    a: &Analysis,
    chart: &Pareto,
) -> anyhow::Result<String> {
    let title = format!("{} — pimsim portfolio", p.meta.parts_files.join(" + "));
    let mut h = page_start(&title);
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
    let baseline = p.meta.policies.first().map_or("", |x| x.0.as_str());
    introduction(&mut h, p, a, baseline);
    totals_section(&mut h, p, a, baseline);
    pareto_section(&mut h, p, a, chart)?;
    classes_section(&mut h, a);
    recommendations_section(&mut h, p, a, baseline);
    let _ = writeln!(
        h,
        "<footer><p>pimsim {} portfolio report.</p></footer>\n</main>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    Ok(h)
}

/// What the portfolio is: parts, template, paths, seeds, money, the recommendation rule and
/// the data files.
fn introduction(h: &mut String, p: &Portfolio, a: &Analysis, baseline: &str) {
    let _ = writeln!(
        h,
        "<p>{} parts, each simulated with the template <code>{}</code> and its row of \
         overrides, on {} paths with its own seed (derived from the portfolio seed {} and the \
         part id). Money in {}, discounted to t = 0. The recommended policy of a part is the one \
         of least mean total cost{}; its <em>value at stake</em> is its mean saving against the \
         baseline <code>{}</code> on the same paths. A recommendation serves poorly unless it has {}; \
         the service column flags it, with the cheapest policy of the part that serves well. Data: <a href=\"portfolio.csv\">portfolio.csv</a> \
         (one row per part and policy), <a href=\"portfolio_parts.csv\">portfolio_parts.csv</a> \
         (one row per part), <a href=\"portfolio.json\">portfolio.json</a> (totals).</p>",
        p.parts.len(),
        esc(&p.meta.template),
        p.meta.paths,
        p.meta.seed,
        esc(&p.meta.currency),
        match p.meta.fill_rate_target {
            Some(f) => format!(
                " among those with a fill rate of at least {}",
                percent(Some(f))
            ),
            None => String::new(),
        },
        esc(baseline),
        esc(&a.service_rule.describe())
    );
}

/// The totals per policy and of the best mix, with the saving of the best mix.
fn totals_section(h: &mut String, p: &Portfolio, a: &Analysis, baseline: &str) {
    let _ = writeln!(
        h,
        "<section>\n<h2>Portfolio totals</h2>\n<p class=\"note\">Sum over parts of the mean total \
         cost if every part followed the policy; the 95 % confidence interval treats parts as \
         independent (each has its own seed).</p>\n<table>\n<thead><tr><th>policy</th>\
         <th class=\"num\">total mean cost ({cur})</th><th class=\"num\">± 95 % CI ({cur})</th>\
         <th class=\"num\">recommended for</th></tr></thead>\n<tbody>",
        cur = esc(&p.meta.currency)
    );
    for (i, t) in a.policies.iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{} ({})</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            hex(policy_color(i)),
            esc(&t.policy),
            esc(&t.kind),
            esc(&money(t.total_cost.mean)),
            esc(&money(Z95 * t.total_cost.std_err)),
            parts_count(t.recommended_parts)
        );
    }
    let cur = esc(&p.meta.currency);
    let _ = writeln!(
        h,
        "<tr><td><strong>best mix</strong> (each part's recommendation)</td><td class=\"num\">\
         <strong>{}</strong></td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n\
         </tbody>\n</table>\n<p>Against <code>{}</code> for all {}, the best mix saves \
         <strong>{}</strong> ± {} {cur} (95 % CI, paired per part) in total over the portfolio: {} \
         {cur} per part on average.{}</p>\n<p{}>{}</p>\n</section>",
        esc(&money(a.best_mix.mean)),
        esc(&money(Z95 * a.best_mix.std_err)),
        parts_count(p.parts.len()),
        esc(baseline),
        parts_count(p.parts.len()),
        esc(&money(a.best_mix_saving.mean)),
        esc(&money(Z95 * a.best_mix_saving.std_err)),
        esc(&money(a.best_mix_saving.mean / p.parts.len().max(1) as f64)),
        match p.meta.fill_rate_target {
            Some(_) => format!(
                " {} of {} parts meet the fill-rate target with their recommendation.",
                a.parts_meeting_target,
                p.parts.len()
            ),
            None => String::new(),
        },
        if a.parts_with_poor_service > 0 {
            " class=\"warning\""
        } else {
            ""
        },
        {
            let (label, rest) = service_words(p, a);
            format!("<strong>{}</strong> {}", esc(label), esc(&rest))
        }
    );
}

/// Where the value is: the share of the top 20 % of parts and the Pareto chart inline.
fn pareto_section(
    h: &mut String,
    p: &Portfolio,
    a: &Analysis,
    chart: &Pareto,
) -> anyhow::Result<()> {
    let top = (p.parts.len() as f64 * 0.2).ceil() as usize;
    let total_saving: f64 = a.parts.iter().map(|x| x.saving).sum();
    let top_saving: f64 = a
        .by_saving
        .iter()
        .take(top)
        .map(|&k| a.parts[k].saving)
        .sum();
    let _ = writeln!(
        h,
        "<section>\n<h2>Where the value is</h2>\n<p class=\"note\">{}</p>\n<figure>\n{}\n\
         <figcaption>Files: <a href=\"pareto.svg\">pareto.svg</a>, <a href=\"pareto.png\">pareto.png\
         </a></figcaption>\n</figure>\n</section>",
        if total_saving > 0.0 {
            format!(
                "The top 20 % of parts ({top}) hold {} of the total value at stake ({} {}).",
                percent(Some(top_saving / total_saving)),
                money(total_saving),
                esc(&p.meta.currency)
            )
        } else {
            "No part saves anything against the baseline.".to_string()
        },
        chart
            .svg(false)?
            .trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
            .trim()
    );
    Ok(())
}

/// The parts per ABC × XYZ class, with the rules.
fn classes_section(h: &mut String, a: &Analysis) {
    let m = class_matrix(a);
    let _ = writeln!(
        h,
        "<section>\n<h2>ABC × XYZ</h2>\n<p class=\"note\">ABC by annual usage value (unit cost × \
         expected units in the first year): A up to {} % of the cumulative value, B up to {} %, \
         C the rest. XYZ by the coefficient of variation of first-year demand under the part's \
         demand model: X ≤ {XYZ_X}, Y ≤ {XYZ_Y}, Z above (or no demand).</p>\n<table>\n<thead>\
         <tr><th>parts</th><th class=\"num\">X</th><th class=\"num\">Y</th><th class=\"num\">Z\
         </th></tr></thead>\n<tbody>",
        ABC_A * 100.0,
        ABC_B * 100.0
    );
    for (r, class) in ['A', 'B', 'C'].iter().enumerate() {
        let _ = writeln!(
            h,
            "<tr><td>{class}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            m[r][0], m[r][1], m[r][2]
        );
    }
    let _ = writeln!(h, "</tbody>\n</table>\n</section>");
}

/// The recommendations, the parts with the most value at stake first (at most
/// [`MAX_TABLE_PARTS`]).
fn recommendations_section(h: &mut String, p: &Portfolio, a: &Analysis, baseline: &str) {
    let _ = writeln!(
        h,
        "<section>\n<h2>Recommendations</h2>\n<table>\n<thead><tr><th class=\"num\">rank</th>\
         <th>part</th><th>class</th><th>recommended policy</th><th class=\"num wrap\">its mean cost ({cur})</th>\
         <th class=\"num\">fill rate</th><th class=\"num wrap\">{} mean cost ({cur})</th>\
         <th class=\"num wrap\">value at stake ({cur})</th><th class=\"num wrap\">± 95 % CI ({cur})</th></tr></thead>\n<tbody>",
        esc(baseline),
        cur = esc(&p.meta.currency)
    );
    let shown = || {
        a.by_saving
            .iter()
            .take(MAX_TABLE_PARTS)
            .map(|&k| (&p.parts[k], &a.parts[k]))
    };
    let own_cost =
        MoneyColumn::of(shown().map(|(part, pa)| part.policies[pa.recommended].total_cost.mean));
    let baseline_cost = MoneyColumn::of(shown().map(|(part, _)| part.policies[0].total_cost.mean));
    let at_stake = MoneyColumn::of(shown().map(|(_, pa)| pa.saving));
    let interval = MoneyColumn::of(shown().map(|(_, pa)| Z95 * pa.saving_std_err));
    for (r, &k) in a.by_saving.iter().take(MAX_TABLE_PARTS).enumerate() {
        let part = &p.parts[k];
        let pa = &a.parts[k];
        let rec = &part.policies[pa.recommended];
        let _ = writeln!(
            h,
            "<tr><td class=\"num\">{}</td><td>{}</td><td>{}{}</td><td><span class=\"swatch\" \
             style=\"background:{}\"></span>{}{}{}</td><td class=\"num\">{}</td><td class=\"num{}\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            r + 1,
            esc(&part.part),
            pa.abc,
            pa.xyz,
            hex(policy_color(pa.recommended)),
            esc(&rec.policy),
            if pa.target_met {
                ""
            } else {
                " (misses the target)"
            },
            service_note(part, pa),
            esc(&own_cost.format(rec.total_cost.mean)),
            if pa.service_poor { " poor" } else { "" },
            esc(&percent(rec.fill_rate)),
            esc(&baseline_cost.format(part.policies[0].total_cost.mean)),
            esc(&at_stake.format(pa.saving)),
            esc(&interval.format(Z95 * pa.saving_std_err))
        );
    }
    let _ = writeln!(h, "</tbody>\n</table>");
    if p.parts.len() > MAX_TABLE_PARTS {
        let _ = writeln!(
            h,
            "<p class=\"note\">The {MAX_TABLE_PARTS} parts with the most value at stake of {}; \
             all of them are in portfolio_parts.csv.</p>",
            p.parts.len()
        );
    }
    h.push_str("</section>\n");
}

/// The service note under a part's recommended policy (HTML): empty when it serves well;
/// else "poor service" with the share of futures with a stock-out (the fill rate is in its
/// own column), and on a second line the cheapest policy of the part that serves well with its
/// extra cost, or that none does.
fn service_note(
    part: &crate::portfolio::PartResult,
    pa: &crate::portfolio::PartAnalysis,
) -> String {
    if !pa.service_poor {
        return String::new();
    }
    let rec = &part.policies[pa.recommended];
    let shortfall = format!(
        "poor service: short in {} of futures",
        percent(Some(1.0 - rec.no_stockout_probability))
    );
    let remedy = match pa.better_service {
        Some(b) => {
            let better = &part.policies[b];
            format!(
                "{} serves well: +{}",
                better.policy,
                money(better.total_cost.mean - rec.total_cost.mean)
            )
        }
        None => "no policy serves well".to_string(),
    };
    format!(
        "<br/><span class=\"poor\">{}<br/>{}</span>",
        esc(&shortfall),
        esc(&remedy)
    )
}

/// Every file of a portfolio: `portfolio.csv`, `portfolio_parts.csv`, `portfolio.json`, and
/// when `report`, `report.html`, `pareto.svg` and `pareto.png`. Refuses a result that is not
/// finite.
pub fn render_portfolio_all(
    p: &Portfolio,
    a: &Analysis,
    report: bool,
) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let finite = a
        .policies
        .iter()
        .all(|t| t.total_cost.mean.is_finite() && t.total_cost.std_err.is_finite())
        && [a.best_mix, a.best_mix_saving]
            .iter()
            .all(|t| t.mean.is_finite() && t.std_err.is_finite())
        && a.parts
            .iter()
            .all(|x| x.annual_usage_value.is_finite() && x.saving.is_finite());
    if !finite {
        anyhow::bail!(
            "internal failure: a portfolio total is not a finite number; nothing was written \
             (please report this together with the input files)"
        );
    }
    let mut files = vec![
        ("portfolio.csv".to_string(), render_portfolio_csv(p, a)?),
        ("portfolio_parts.csv".to_string(), render_parts_csv(p, a)?),
        ("portfolio.json".to_string(), render_portfolio_json(p, a)?),
    ];
    if report {
        let chart = pareto(p, a);
        files.push((
            "report.html".into(),
            render_portfolio_html(p, a, &chart)?.into_bytes(),
        ));
        files.push(("pareto.svg".into(), chart.svg(true)?.into_bytes()));
        files.push(("pareto.png".into(), chart.png()?));
    }
    Ok(files)
}

/// The scenario of part `p` as a file that `pimsim run` reproduces the part with: the template
/// with the part's row written in, and `[simulation]` set to the portfolio's `paths` and the
/// part's seed (so that `pimsim run FILE` needs no flags).
pub fn part_scenario_file(
    p: &crate::portfolio::input::PreparedPart,
    paths: u64,
    seed: u64,
) -> String {
    let mut doc: toml::Table = p
        .scenario_text
        .parse()
        .expect("the part's scenario text was parsed when it was validated");
    let simulation = doc
        .entry("simulation")
        .or_insert_with(|| toml::Value::Table(toml::Table::new()));
    if let Some(t) = simulation.as_table_mut() {
        // Paths ≤ 10^12 and seeds < 2^53 fit TOML's 64-bit integers.
        t.insert("paths".into(), toml::Value::Integer(paths as i64));
        t.insert(
            "seed".into(),
            toml::Value::Integer(crate::portfolio::part_seed(seed, &p.part) as i64),
        );
    }
    format!(
        "# Part {} of a pimsim portfolio: the template with the part's row written in, and the\n\
         # portfolio's paths with the part's own seed. `pimsim run` of this file reproduces the\n\
         # part's rows of portfolio.csv bit for bit.\n{doc}",
        super::fit::scenario_file::quoted(&p.part)
    )
}
