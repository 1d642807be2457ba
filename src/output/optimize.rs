//! The outputs of `pimsim optimize`: `optimize.json`, `optimize.svg`, `optimize.png` and the
//! terminal table (policy names through [`terminal_line`]).

use std::fmt::Write;

use super::charts::{optimize_png, optimize_svg};
use super::{money, percent};
use crate::escape::terminal_line;
use crate::optimize::{OptimizeReport, QuantityKind};

/// The files of an optimisation, in order: `optimize.json` first, then (with `chart`) the
/// chart as SVG and PNG.
pub fn render_optimize(
    report: &OptimizeReport,
    chart: bool,
) -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    let mut json = serde_json::to_string_pretty(report)?;
    json.push('\n');
    let mut files = vec![("optimize.json", json.into_bytes())];
    if chart {
        files.push(("optimize.svg", optimize_svg(report)?.into_bytes()));
        files.push(("optimize.png", optimize_png(report)?));
    }
    Ok(files)
}

/// A short table: per policy the chosen quantity, its mean cost (± standard error) and fill
/// rate, and the search's work.
pub fn render_optimize_table(report: &OptimizeReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<20} {:<14} {:>9} {:>14} {:>11} {:>9} {:>16}",
        "policy", "quantity", "best", "mean cost", "± std err", "fill", "evaluated"
    );
    for p in &report.policies {
        let what = match p.quantity_kind {
            QuantityKind::RetainedLevel => "retained R",
            QuantityKind::LastTimeBuy => "last-time buy",
        };
        let _ = writeln!(
            out,
            "{:<20} {:<14} {:>9} {:>14} {:>11} {:>9} {:>16}",
            terminal_line(&p.policy),
            what,
            p.best.quantity,
            money(p.best.total_cost),
            money(p.best.std_err),
            percent(Some(p.best.fill_rate)),
            format!(
                "{} of {} ({} passes)",
                p.search.candidates, p.search.full_grid, p.search.passes
            ),
        );
    }
    if let Some(target) = report.recommended.fill_rate_target {
        let _ = writeln!(out, "fill-rate target: {}", percent(Some(target)));
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
