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
pub mod fit;
mod optimize;
pub mod portfolio;
mod report;
pub mod sweep;
mod table;

pub use files::{MARKER, OutputDir, SharedDir, is_pimsim_dir, replace_file, resolve};
pub use optimize::{
    FRONTIER_COLUMNS, FRONTIER_CSV, render_frontier_csv, render_optimize, render_optimize_table,
};
pub use report::{HtmlReport, render_html};
pub use table::{MoneyColumn, money, percent, render_table, signed_money, whole_number};

use crate::engine::{PolicyRow, RunSummary, TimeSeriesPoint};
use crate::inventory::REPAIR_ONLY;

/// One output format. Exporters are independent of each other, so they may run in parallel.
pub trait Exporter: Send + Sync {
    /// The file name inside the output directory.
    fn file_name(&self) -> &'static str;
    /// The file's content.
    fn render(&self, summary: &RunSummary) -> anyhow::Result<Vec<u8>>;
}

/// `summary.json`: everything, with the stable names users' scripts read (docs/output.md).
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
        let rows = PolicyRow::all(summary);
        let extras = OptionalColumns {
            repair: summary.scenario.repair.is_some(),
            records: rows_have_records(&rows),
        };
        w.write_record(policy_columns_with(extras))?;
        for row in &rows {
            w.write_record(policy_cells_with(row, extras))?;
        }
        Ok(w.into_inner()?)
    }
}

/// The columns of `policies.csv` without those of optional features (the metric columns of
/// `sweep.csv` and `portfolio.csv`), in the order of [`policy_cells`].
pub fn policy_columns() -> Vec<String> {
    policy_columns_with(OptionalColumns::default())
}

/// The cells of one row of `policies.csv`, in the order of [`policy_columns`].
pub fn policy_cells(row: &PolicyRow) -> Vec<String> {
    policy_cells_with(row, OptionalColumns::default())
}

/// The columns a file of policy rows has beyond the plain ones: those of features a scenario
/// may leave out, present when a row of the file uses the feature, so that the files of
/// scenarios without them stay as they were.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OptionalColumns {
    /// The repair lines and counts ([`REPAIR_ONLY`]).
    pub repair: bool,
    /// The drifting stock records' columns (the cost line `cost_counting` and the `records_`
    /// columns).
    pub records: bool,
}

/// [`policy_columns`], with the columns of the optional features in `extras`.
pub fn policy_columns_with(extras: OptionalColumns) -> Vec<String> {
    policy_record(&PolicyRow::default(), extras)
        .into_iter()
        .map(|(column, _)| column)
        .collect()
}

/// The cells of one row in the order of [`policy_columns_with`]`(extras)` (the records'
/// cells empty for a row without them, the repair cells 0).
pub fn policy_cells_with(row: &PolicyRow, extras: OptionalColumns) -> Vec<String> {
    policy_record(row, extras)
        .into_iter()
        .map(|(_, c)| c)
        .collect()
}

/// Whether any of `rows` has drifting stock records (then its file has their columns).
pub fn rows_have_records<'a>(rows: impl IntoIterator<Item = &'a PolicyRow>) -> bool {
    rows.into_iter().any(|r| r.records.is_some())
}

/// Whether any of `rows` shows repairable returns (a repair cost or a returned core): then a
/// file of rows without their scenarios (`portfolio.csv`) has the repair columns.
pub fn rows_have_repair<'a>(rows: impl IntoIterator<Item = &'a PolicyRow>) -> bool {
    rows.into_iter()
        .any(|r| r.cost.repair != 0.0 || r.units.returned != 0.0)
}

/// Whether a policy of any of `summaries` has drifting stock records.
pub fn summaries_have_records<'a>(summaries: impl IntoIterator<Item = &'a RunSummary>) -> bool {
    summaries
        .into_iter()
        .any(|s| s.policies.iter().any(|p| p.records.is_some()))
}

/// The drifting records' (column, cell) pairs of `row`, after the other columns.
fn record_columns(row: &PolicyRow, push: &mut impl FnMut(&str, String)) {
    let r = row.records.as_ref();
    push(
        "records_record_accuracy",
        cell(r.and_then(|r| r.record_accuracy)),
    );
    push(
        "records_phantom_found_per_count",
        cell(r.and_then(|r| r.phantom_found_per_count)),
    );
    push(
        "records_phantom_share_of_short",
        cell(r.and_then(|r| r.phantom_share_of_short)),
    );
    let means = r.map(|r| r.means).unwrap_or_default();
    for (name, v) in means.named() {
        push(&format!("records_{name}"), cell(r.map(|_| *v)));
    }
}

/// The (column, cell) pairs of a row of `policies.csv`: the one place its columns are listed,
/// with the columns of the optional features in `extras`.
fn policy_record(row: &PolicyRow, extras: OptionalColumns) -> Vec<(String, String)> {
    let shown = |name: &str| extras.repair || !REPAIR_ONLY.contains(&name);
    let mut record: Vec<(String, String)> = Vec::with_capacity(64);
    let mut push = |column: &str, cell: String| record.push((column.to_string(), cell));
    push(
        "policy",
        crate::escape::spreadsheet_cell(&row.policy).into_owned(),
    );
    push(
        "kind",
        crate::escape::spreadsheet_cell(&row.kind).into_owned(),
    );
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
    for (name, v) in row.cost.named().filter(|(n, _)| shown(n)) {
        if name == "counting" && !extras.records {
            continue;
        }
        push(&format!("cost_{name}"), v.to_string());
    }
    push("cost_total", row.cost_total.to_string());
    for (name, v) in row.units.named().filter(|(n, _)| shown(n)) {
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
    if extras.records {
        record_columns(row, &mut push);
    }
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
            match crate::escape::spreadsheet_cell(&point.policy) {
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

/// The files of one command's output, rendered in memory before anything is written, each by
/// name: [`OutputDir::replace`] writes them all at once, and the command line prints one of
/// them on standard output by name ([`FileSet::get`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileSet {
    files: Vec<(String, Vec<u8>)>,
}

impl FileSet {
    /// The file named `name`, if the set has one.
    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| c.as_slice())
    }

    /// (name, content) of every file, in the order they were rendered.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files.iter().map(|(n, c)| (n.as_str(), c.as_slice()))
    }

    /// The file names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(n, _)| n.as_str())
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether the set has no file.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Adds a file.
    pub fn push(&mut self, name: impl Into<String>, content: Vec<u8>) {
        self.files.push((name.into(), content));
    }
}

impl<N: Into<String>> FromIterator<(N, Vec<u8>)> for FileSet {
    fn from_iter<I: IntoIterator<Item = (N, Vec<u8>)>>(iter: I) -> Self {
        FileSet {
            files: iter.into_iter().map(|(n, c)| (n.into(), c)).collect(),
        }
    }
}

/// The files of `pimsim run`: `summary.json`, `policies.csv`, `timeseries.csv` and, with
/// `report`, `report.html` and the charts.
pub fn run_files(summary: &RunSummary, report: bool) -> Result<FileSet, crate::error::Error> {
    Ok(render_all(summary, report)?.into_iter().collect())
}

/// The files of `pimsim sweep`: `sweep.csv`, `sweep_oat.csv`, `sweep.json` and, with
/// `report`, `report.html` and the charts.
pub fn sweep_files(
    runs: &[crate::sweep::run::SweepRun],
    report: bool,
) -> Result<FileSet, crate::error::Error> {
    Ok(sweep::render_sweep_all(runs, report)?.into_iter().collect())
}

/// The files of `pimsim optimize`: `optimize.json`, `optimize_frontier.csv` and, with
/// `with_report`, `report.html` and the chart.
pub fn optimize_files(
    report: &crate::optimize::OptimizeReport,
    with_report: bool,
) -> Result<FileSet, crate::error::Error> {
    Ok(render_optimize(report, with_report)?.into_iter().collect())
}

/// The files of `pimsim portfolio`: `portfolio.csv`, `portfolio_parts.csv`, `portfolio.json`
/// and, with `report`, `report.html` and the Pareto chart.
pub fn portfolio_files(
    p: &crate::portfolio::Portfolio,
    analysis: &crate::portfolio::Analysis,
    report: bool,
) -> Result<FileSet, crate::error::Error> {
    Ok(portfolio::render_portfolio_all(p, analysis, report)?
        .into_iter()
        .collect())
}

/// The names of the files `fit` writes besides the parts' scenarios.
pub const FIT_FILES: [&str; 4] = [
    "parts.csv",
    "fit_cumulative.csv",
    "fit_cumulative.svg",
    "fit_cumulative.png",
];

/// The files of `pimsim fit` into a directory: `parts.csv`, `fit_cumulative.csv`, the chart,
/// and `<part>.toml` per part (names made safe and unique).
pub fn fit_files(result: &crate::fit::FitResult) -> Result<FileSet, crate::error::Error> {
    let fits = result.fits();
    let mut set = FileSet::default();
    set.push(FIT_FILES[0], fit::render_parts_csv(&fits)?);
    set.push(FIT_FILES[1], fit::render_cumulative_csv(&fits)?);
    set.push(
        FIT_FILES[2],
        charts::fit::fit_cumulative_svg(&fits)?.into_bytes(),
    );
    set.push(FIT_FILES[3], charts::fit::fit_cumulative_png(&fits)?);
    let ids: Vec<&str> = result.parts.iter().map(|p| p.fit.part.as_str()).collect();
    let names = fit::part_file_names(&ids, &fit::FIT_RESERVED_STEMS);
    for (name, part) in names.into_iter().zip(&result.parts) {
        set.push(name, part.text.clone().into_bytes());
    }
    Ok(set)
}

/// Whether `content` is a file `pimsim fit` wrote (a part's scenario or demand block): its
/// first line is pimsim's own comment. `fit --out FILE.toml` replaces only such a file
/// unless given `--force`.
pub fn is_fit_output(content: &[u8]) -> bool {
    let first = content.split(|&b| b == b'\n').next().unwrap_or_default();
    let first = String::from_utf8_lossy(first);
    first.starts_with("# ") && first.contains("fitted by pimsim fit")
}

/// One line on how a `--precision` run stopped, for the terminal and the report, e.g.
/// "precision ± 0.1 % reached at 36,864 paths (3 stages; max 1,000,000); widest ± 0.093 %".
pub fn precision_line(p: &crate::engine::precision::PrecisionOutcome) -> String {
    let pct = |x: f64| {
        let v = x * 100.0;
        // Enough digits for small targets (0.001 % shows as 0.001, not 0.00).
        let digits = (2.0 - crate::elementary::log10(v).floor()).clamp(1.0, 6.0) as usize;
        // Three significant digits, without trailing zeros (0.5, not 0.500).
        let text = format!("{v:.digits$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    };
    let how = if p.reached { "reached" } else { "not reached" };
    let worst = match p.achieved {
        Some(a) => format!("widest ± {} %", pct(a)),
        None => "widest unbounded (a figure of size 0)".into(),
    };
    format!(
        "precision ± {} % {how} at {} paths ({} stage{}; max {}); {worst}",
        pct(p.target),
        whole_number(p.paths),
        p.stages,
        if p.stages == 1 { "" } else { "s" },
        whole_number(p.max_paths),
    )
}
