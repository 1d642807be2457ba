//! Outputs of a run: `summary.json`, `policies.csv`, `timeseries.csv`, the terminal table, and
//! the report: `report.html` with its charts ([`charts`]) as SVG and PNG files.
//!
//! Each file format is one [`Exporter`]; [`OutputDir`] writes files atomically (a temporary
//! file in the same directory, then a rename), so an interrupted run never leaves a
//! half-written file nor destroys an earlier result, and it refuses to write into a non-empty
//! directory that pimsim did not create. [`standard_exporters`] are the data files every run
//! writes; [`report_exporters`] the report, which `run --no-report` skips. [`fit`] renders the
//! outputs of `pimsim fit`, [`portfolio`] those of `pimsim portfolio`.

pub mod charts;
mod files;
mod finite;
pub mod fit;
mod optimize;
pub mod portfolio;
mod report;
pub mod sweep;
mod table;

pub use files::{MARKER, OutputDir};
pub use finite::first_non_finite;
pub use optimize::{render_optimize, render_optimize_table};
pub use report::{HtmlReport, render_html};
pub use table::{money, percent, render_table, signed_money, whole_number};

use crate::engine::RunSummary;

/// One output format. Exporters are independent of each other, so they may run in parallel.
pub trait Exporter: Send + Sync {
    /// The file name inside the output directory.
    fn file_name(&self) -> &'static str;
    /// The file's content.
    fn render(&self, summary: &RunSummary) -> anyhow::Result<Vec<u8>>;
}

/// `summary.json`: everything, with the stable names of SPEC section 7.
pub struct SummaryJson;

impl Exporter for SummaryJson {
    fn file_name(&self) -> &'static str {
        "summary.json"
    }
    fn render(&self, summary: &RunSummary) -> anyhow::Result<Vec<u8>> {
        let mut text = serde_json::to_string_pretty(summary)?;
        text.push('\n');
        Ok(text.into_bytes())
    }
}

/// `policies.csv`: one flat row per policy.
pub struct PoliciesCsv;

fn cell(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

impl Exporter for PoliciesCsv {
    fn file_name(&self) -> &'static str {
        "policies.csv"
    }
    fn render(&self, summary: &RunSummary) -> anyhow::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(policy_columns())?;
        for p in &summary.policies {
            w.write_record(policy_row(summary, p))?;
        }
        Ok(w.into_inner()?)
    }
}

/// The columns of `policies.csv` (also the metric columns of `sweep.csv`).
pub fn policy_columns() -> Vec<String> {
    let mut header: Vec<String> = [
        "policy",
        "kind",
        "paths",
        "seed",
        "fill_rate",
        "no_stockout_probability",
        "total_cost_mean",
        "total_cost_std_err",
        "total_cost_ci95_low",
        "total_cost_ci95_high",
        "total_cost_p05",
        "total_cost_p50",
        "total_cost_p95",
        "total_cost_cvar95",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(
        crate::inventory::CostLines::NAMES
            .iter()
            .map(|n| format!("cost_{n}")),
    );
    header.push("cost_total".into());
    let unit_names = crate::inventory::UnitCounts::NAMES
        .iter()
        .chain(&["average_on_hand"]);
    header.extend(unit_names.map(|n| format!("units_{n}")));
    header.extend(
        [
            "first_stockout_share",
            "first_stockout_p50_years",
            "difference_vs_baseline_mean",
            "difference_vs_baseline_std_err",
            "difference_vs_baseline_ci95_low",
            "difference_vs_baseline_ci95_high",
            "probability_cheaper_than_baseline",
            "inventory_turnover",
            "gmroi",
            "carrying_share_of_total",
            "revenue",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    header
}

/// One row of `policies.csv`: `p`'s cells in the order of [`policy_columns`].
pub fn policy_row(summary: &RunSummary, p: &crate::engine::PolicySummary) -> Vec<String> {
    let c = &p.total_cost;
    let b = &p.cost_breakdown;
    let u = &p.units;
    let mut row = vec![
        p.name.clone(),
        p.kind.clone(),
        summary.paths.to_string(),
        summary.seed.to_string(),
        cell(p.fill_rate),
        p.no_stockout_probability.to_string(),
    ];
    row.extend(
        [
            c.mean, c.std_err, c.ci95[0], c.ci95[1], c.p05, c.p50, c.p95, c.cvar95,
        ]
        .iter()
        .chain(&b.lines())
        .chain(&[
            b.total,
            u.demanded,
            u.filled_from_stock,
            u.short,
            u.lost,
            u.backordered,
            u.backorders_filled,
            u.scrapped,
            u.released,
            u.bought_back,
            u.remanufactured,
            u.lost_in_storage,
            u.on_hand_at_horizon,
            u.open_backorders_at_horizon,
            u.on_order_at_horizon,
            u.remanufacture_runs,
            u.average_on_hand,
        ])
        .map(|v| v.to_string()),
    );
    let cmp = p.comparison.as_ref();
    row.extend([
        cell(p.first_stockout_years.as_ref().map(|s| s.share_of_paths)),
        cell(p.first_stockout_years.as_ref().map(|s| s.p50)),
        cell(cmp.map(|c| c.mean_difference)),
        cell(cmp.map(|c| c.std_err)),
        cell(cmp.map(|c| c.ci95[0])),
        cell(cmp.map(|c| c.ci95[1])),
        cell(cmp.map(|c| c.probability_cheaper)),
        cell(p.finance.inventory_turnover),
        cell(p.finance.gmroi),
        cell(p.finance.carrying_share_of_total),
        cell(p.finance.revenue),
    ]);
    row
}

/// `timeseries.csv`: per policy and time-series point, on-hand stock and cumulative cost.
pub struct TimeSeriesCsv;

impl Exporter for TimeSeriesCsv {
    fn file_name(&self) -> &'static str {
        "timeseries.csv"
    }
    fn render(&self, summary: &RunSummary) -> anyhow::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        for point in &summary.timeseries {
            w.serialize(point)?;
        }
        Ok(w.into_inner()?)
    }
}

/// Checks that every number of `summary` (and of its time series) is finite: the guard that
/// keeps NaN and infinity out of every output. A failure is a bug (validation keeps every
/// magnitude in range), reported with the figure's path.
pub fn check_finite(summary: &RunSummary) -> anyhow::Result<()> {
    let found = first_non_finite(summary)
        .or_else(|| first_non_finite(&summary.timeseries).map(|path| format!("timeseries{path}")));
    match found {
        None => Ok(()),
        Some(path) => Err(anyhow::anyhow!(
            "internal failure: the result `{path}` is not a finite number; nothing was written \
             (please report this together with the scenario file)"
        )),
    }
}

/// Renders every standard file of `summary` (and the report's files when `report`), after
/// [`check_finite`], in the order of [`standard_exporters`] then [`report_exporters`].
pub fn render_all(
    summary: &RunSummary,
    report: bool,
) -> anyhow::Result<Vec<(&'static str, Vec<u8>)>> {
    use rayon::prelude::*;
    check_finite(summary)?;
    let mut exporters = standard_exporters();
    if report {
        exporters.extend(report_exporters());
    }
    // The charts take most of the time: render the files in parallel (each is deterministic).
    exporters
        .par_iter()
        .map(|e| Ok((e.file_name(), e.render(summary)?)))
        .collect()
}

/// The files every run writes.
pub fn standard_exporters() -> Vec<Box<dyn Exporter>> {
    vec![
        Box::new(SummaryJson),
        Box::new(PoliciesCsv),
        Box::new(TimeSeriesCsv),
    ]
}

/// The report: `report.html` (charts inline), then each chart as SVG and PNG.
pub fn report_exporters() -> Vec<Box<dyn Exporter>> {
    let mut exporters: Vec<Box<dyn Exporter>> = vec![Box::new(HtmlReport)];
    for chart in charts::Chart::ALL {
        exporters.push(Box::new(charts::ChartSvg(chart)));
        exporters.push(Box::new(charts::ChartPng(chart)));
    }
    exporters
}
