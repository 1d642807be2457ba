//! The outputs of `pimsim optimize`: `optimize.json`, `optimize_frontier.csv`, the report
//! (`report.html`, `optimize.svg`, `optimize.png`) and the terminal table (policy names
//! through [`terminal_line`]).

use std::fmt::Write;

use super::charts::{optimize_png, optimize_svg, target_percent};
pub use super::report::FRONTIER_CSV;
use super::report::render_optimize_html;
use super::{money, percent};
use crate::escape::{spreadsheet_cell, terminal_line};
use crate::optimize::{OptimizeReport, QuantityKind};

/// The columns of `optimize_frontier.csv`, in order (docs/optimizer.md).
pub const FRONTIER_COLUMNS: [&str; 15] = [
    "policy",
    "kind",
    "quantity_kind",
    "quantity",
    "best",
    "total_cost_mean",
    "total_cost_std_err",
    "total_cost_ci95_low",
    "total_cost_ci95_high",
    "fill_rate",
    "no_stockout_probability",
    "fill_rate_target",
    "meets_target",
    "paths",
    "seed",
];

/// The files of an optimisation, in order: `optimize.json`, `optimize_frontier.csv`, then
/// (with `report`) `report.html` and the chart as SVG and PNG.
pub fn render_optimize(
    report: &OptimizeReport,
    with_report: bool,
) -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    let mut json = serde_json::to_string_pretty(report)?;
    json.push('\n');
    let mut files = vec![
        ("optimize.json", json.into_bytes()),
        (FRONTIER_CSV, render_frontier_csv(report)?),
    ];
    if with_report {
        files.push(("report.html", render_optimize_html(report)?.into_bytes()));
        files.push(("optimize.svg", optimize_svg(report, true)?.into_bytes()));
        files.push(("optimize.png", optimize_png(report)?));
    }
    Ok(files)
}

/// `optimize_frontier.csv`: one row per policy and quantity evaluated, by policy in scenario
/// order then by quantity, in the columns of [`FRONTIER_COLUMNS`]. Text cells go through
/// [`spreadsheet_cell`] (no formula injection); numbers are written in full precision.
pub fn render_frontier_csv(report: &OptimizeReport) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(FRONTIER_COLUMNS)?;
    for p in &report.policies {
        let kind = match p.quantity_kind {
            QuantityKind::RetainedLevel => "retained_level",
            QuantityKind::LastTimeBuy => "last_time_buy",
        };
        for f in &p.frontier {
            let target = p.fill_rate_target;
            w.write_record([
                spreadsheet_cell(&p.policy).into_owned(),
                spreadsheet_cell(&p.kind).into_owned(),
                kind.to_string(),
                f.quantity.to_string(),
                (f.quantity == p.best.quantity).to_string(),
                f.total_cost.to_string(),
                f.std_err.to_string(),
                f.ci95[0].to_string(),
                f.ci95[1].to_string(),
                f.fill_rate.to_string(),
                f.no_stockout_probability.to_string(),
                target.map(|t| t.to_string()).unwrap_or_default(),
                target
                    .map(|t| (f.fill_rate >= t).to_string())
                    .unwrap_or_default(),
                report.paths.to_string(),
                report.seed.to_string(),
            ])?;
        }
    }
    Ok(w.into_inner()?)
}

/// A short table: per policy the chosen quantity, its mean cost ± the half-width of its 95 %
/// confidence interval (as `run` shows it), fill rate, chance of no stock-out, and the
/// search's work.
pub fn render_optimize_table(report: &OptimizeReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<20} {:<14} {:>9} {:>22} {:>10} {:>16} {:>20}",
        "policy",
        "quantity",
        "best",
        "mean cost ± 95% CI",
        "fill rate",
        "P(no stock-out)",
        "evaluated"
    );
    for p in &report.policies {
        let what = match p.quantity_kind {
            QuantityKind::RetainedLevel => "retained R",
            QuantityKind::LastTimeBuy => "last-time buy",
        };
        let b = &p.best;
        let _ = writeln!(
            out,
            "{:<20} {:<14} {:>9} {:>22} {:>10} {:>16} {:>20}",
            terminal_line(&p.policy),
            what,
            b.quantity,
            format!(
                "{} ± {}",
                money(b.total_cost),
                money((b.ci95[1] - b.ci95[0]) / 2.0)
            ),
            percent(Some(b.fill_rate)),
            percent(Some(b.no_stockout_probability)),
            format!(
                "{} of {} ({} passes)",
                p.search.candidates, p.search.full_grid, p.search.passes
            ),
        );
    }
    if let Some(target) = report.recommended.fill_rate_target {
        let _ = writeln!(out, "fill-rate target: {}", target_percent(target));
        for p in report.policies.iter().filter(|p| !p.target_met) {
            let _ = writeln!(
                out,
                "  {}: no quantity up to {} reaches it; shown is the highest fill rate",
                terminal_line(&p.policy),
                p.search.upper
            );
        }
    }
    if report.policies.len() > 1 {
        let _ = writeln!(
            out,
            "cheapest at its optimum: {} ({} = {})",
            terminal_line(&report.recommended.policy),
            match report.recommended.quantity_kind {
                QuantityKind::RetainedLevel => "R",
                QuantityKind::LastTimeBuy => "last-time buy",
            },
            report.recommended.best.quantity
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::output::charts::target_percent;

    #[test]
    fn targets_keep_their_decimals() {
        assert_eq!(target_percent(0.995), "99.5 %");
        assert_eq!(target_percent(0.98), "98.0 %");
        assert_eq!(target_percent(0.9999), "99.99 %");
        assert_eq!(target_percent(0.99995), "99.995 %");
        assert_eq!(target_percent(1.0 / 3.0), "33.333 %");
    }
}
