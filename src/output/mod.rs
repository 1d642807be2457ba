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
pub mod escape;
mod files;
pub mod fit;
mod optimize;
pub mod portfolio;
mod report;
pub mod sweep;
mod table;

pub use files::{MARKER, OutputDir};
pub use optimize::{render_optimize, render_optimize_table};
pub use report::{HtmlReport, render_html};
pub use table::{money, percent, render_table, signed_money, whole_number};

use crate::engine::{PolicyRow, RunSummary, TimeSeriesPoint};

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
        for row in PolicyRow::all(summary) {
            w.write_record(policy_cells(&row))?;
        }
        Ok(w.into_inner()?)
    }
}

/// The columns of `policies.csv` (also the metric columns of `sweep.csv` and
/// `portfolio.csv`), in the order of [`policy_cells`].
pub fn policy_columns() -> Vec<String> {
    policy_record(&PolicyRow::default())
        .into_iter()
        .map(|(column, _)| column)
        .collect()
}

/// The cells of one row of `policies.csv`, in the order of [`policy_columns`].
pub fn policy_cells(row: &PolicyRow) -> Vec<String> {
    policy_record(row).into_iter().map(|(_, c)| c).collect()
}

/// The (column, cell) pairs of a row of `policies.csv`: the one place its columns are listed.
fn policy_record(row: &PolicyRow) -> Vec<(String, String)> {
    let mut record: Vec<(String, String)> = Vec::with_capacity(64);
    let mut push = |column: &str, cell: String| record.push((column.to_string(), cell));
    push("policy", escape::spreadsheet_cell(&row.policy).into_owned());
    push("kind", escape::spreadsheet_cell(&row.kind).into_owned());
    push("paths", row.paths.to_string());
    push("seed", row.seed.to_string());
    push("fill_rate", cell(row.fill_rate));
    push(
        "no_stockout_probability",
        row.no_stockout_probability.to_string(),
    );
    let c = &row.total_cost;
    for (name, v) in [
        ("mean", c.mean),
        ("std_err", c.std_err),
        ("ci95_low", c.ci95_low),
        ("ci95_high", c.ci95_high),
        ("p05", c.p05),
        ("p50", c.p50),
        ("p95", c.p95),
        ("cvar95", c.cvar95),
    ] {
        push(&format!("total_cost_{name}"), v.to_string());
    }
    for (name, v) in row.cost.named() {
        push(&format!("cost_{name}"), v.to_string());
    }
    push("cost_total", row.cost_total.to_string());
    for (name, v) in row.units.named() {
        push(&format!("units_{name}"), v.to_string());
    }
    push("units_average_on_hand", row.average_on_hand.to_string());
    push("first_stockout_share", cell(row.first_stockout_share));
    push(
        "first_stockout_p50_years",
        cell(row.first_stockout_p50_years),
    );
    let vs = row.versus_baseline.as_ref();
    push(
        "difference_vs_baseline_mean",
        cell(vs.map(|c| c.mean_difference)),
    );
    push(
        "difference_vs_baseline_std_err",
        cell(vs.map(|c| c.std_err)),
    );
    push(
        "difference_vs_baseline_ci95_low",
        cell(vs.map(|c| c.ci95_low)),
    );
    push(
        "difference_vs_baseline_ci95_high",
        cell(vs.map(|c| c.ci95_high)),
    );
    push(
        "probability_cheaper_than_baseline",
        cell(vs.map(|c| c.probability_cheaper)),
    );
    push("inventory_turnover", cell(row.inventory_turnover));
    push("gmroi", cell(row.gmroi));
    push("carrying_share_of_total", cell(row.carrying_share_of_total));
    push("revenue", cell(row.revenue));
    record
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
            match escape::spreadsheet_cell(&point.policy) {
                std::borrow::Cow::Borrowed(_) => w.serialize(point)?,
                std::borrow::Cow::Owned(policy) => w.serialize(TimeSeriesPoint {
                    policy,
                    ..point.clone()
                })?,
            }
        }
        Ok(w.into_inner()?)
    }
}

/// Checks that every number of `summary` is finite ([`RunSummary::check_finite`]) before
/// anything is rendered from it.
pub fn check_finite(summary: &RunSummary) -> anyhow::Result<()> {
    summary.check_finite().map_err(anyhow::Error::new)
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
