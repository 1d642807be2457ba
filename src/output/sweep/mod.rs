//! Outputs of a sweep: `sweep.csv` (one tidy row per scenario × point × policy), `sweep_oat.csv`
//! (the one-at-a-time runs behind the tornado chart), `sweep.json`, the terminal table, and
//! `report.html` with the decision map and the tornado as inline SVG (and as SVG and PNG files).
//!
//! The CSV files write every text from the input (the scenario's file stem, the swept keys,
//! swept values that are not numbers, policy names) as a spreadsheet-safe cell
//! ([`spreadsheet_cell`]); `sweep.json` keeps them raw. The terminal table shows them through
//! [`terminal_line`].
//!
//! [`SweepReport`] is `sweep.json`; its JSON Schema (`schema/sweep.schema.json`) is generated
//! from these types, and their doc comments are its descriptions.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::Serialize;

mod report;

pub use report::render_sweep_html;

use super::charts::sweep::{DecisionCell, DecisionMap, SweepChart, Tornado, TornadoRow};
use super::{
    OptionalColumns, check_finite, money, policy_cells_with, policy_columns_with,
    summaries_have_records,
};
use crate::engine::{CostBreakdown, CostSummary, PolicyRow, RunSummary};
use crate::escape::{spreadsheet_cell, terminal_line};
use crate::scenario::PolicyKind;
use crate::sweep::run::SweepRun;
use crate::sweep::{Design, value_text};

/// The swept keys of all runs, in order of first appearance (the parameter columns).
pub fn parameter_columns(runs: &[SweepRun]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in runs {
        for p in &r.plan.parameters {
            if !out.contains(&p.key.text) {
                out.push(p.key.text.clone());
            }
        }
    }
    out
}

/// A CSV cell of text from the input, spreadsheet-safe.
fn text_cell(text: &str) -> String {
    spreadsheet_cell(text).into_owned()
}

/// A CSV cell of a swept value: a number as it is, any other value (text, a boolean, a date,
/// a list) spreadsheet-safe.
fn value_cell(v: &toml::Value) -> String {
    match v {
        toml::Value::Integer(_) | toml::Value::Float(_) => value_text(v),
        _ => text_cell(&value_text(v)),
    }
}

/// The header of `sweep.csv`: `scenario`, `point`, the swept keys (spreadsheet-safe),
/// `policy`, then the metric columns of `policies.csv`.
/// With the repair columns when some point of `runs` has `[repair]`.
pub fn sweep_columns(runs: &[SweepRun]) -> Vec<String> {
    let mut header = vec!["scenario".to_string(), "point".to_string()];
    header.extend(parameter_columns(runs).iter().map(|c| text_cell(c)));
    header.extend(policy_columns_with(extras(runs)));
    if has_precision(runs) {
        header.extend(["paths", "precision_reached"].map(String::from));
    }
    header
}

/// Whether the points ran with `--precision` (then `sweep.csv` says the paths each point used
/// and whether it reached the precision).
fn has_precision(runs: &[SweepRun]) -> bool {
    runs.iter()
        .any(|r| r.points.iter().any(|s| s.precision.is_some()))
}

/// The optional columns of `sweep.csv` and `sweep_oat.csv`: the repair columns when some point
/// of `runs` has `[repair]` (points without it show zeros there), the drifting records'
/// columns when a run (a point, a base or a one-at-a-time point) has them.
fn extras(runs: &[SweepRun]) -> OptionalColumns {
    OptionalColumns {
        repair: runs
            .iter()
            .flat_map(|r| &r.points)
            .any(|s| s.scenario.repair.is_some()),
        records: summaries_have_records(
            runs.iter()
                .flat_map(|r| r.points.iter().chain(&r.base).chain(&r.oat)),
        ),
    }
}

/// `sweep.csv`.
pub fn render_sweep_csv(runs: &[SweepRun]) -> anyhow::Result<Vec<u8>> {
    let columns = parameter_columns(runs);
    let extras = extras(runs);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(sweep_columns(runs))?;
    for r in runs {
        for (n, (point, summary)) in r.plan.points.iter().zip(&r.points).enumerate() {
            let mut prefix = vec![text_cell(&r.scenario), n.to_string()];
            for c in &columns {
                let cell = r
                    .plan
                    .parameters
                    .iter()
                    .position(|p| &p.key.text == c)
                    .map(|i| value_cell(&point.values[i]))
                    .unwrap_or_default();
                prefix.push(cell);
            }
            for p in &summary.policies {
                let mut row = prefix.clone();
                row.extend(policy_cells_with(&PolicyRow::of(summary, p), extras));
                if has_precision(runs) {
                    row.push(summary.paths.to_string());
                    row.push(
                        summary
                            .precision
                            .map(|o| o.reached.to_string())
                            .unwrap_or_default(),
                    );
                }
                w.write_record(&row)?;
            }
        }
    }
    Ok(w.into_inner()?)
}

/// The header of `sweep_oat.csv`: `scenario`, `parameter`, `level`, `value`, then the columns
/// of `policies.csv`.
pub fn oat_columns(extras: OptionalColumns) -> Vec<String> {
    let mut header: Vec<String> = ["scenario", "parameter", "level", "value"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    header.extend(policy_columns_with(extras));
    header
}

/// `sweep_oat.csv`: per scenario the base run (`level` = `base`, `parameter` and `value`
/// empty), then each numeric parameter at its lowest (`low`) and highest (`high`) swept value.
pub fn render_oat_csv(runs: &[SweepRun]) -> anyhow::Result<Vec<u8>> {
    let extras = extras(runs);
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(oat_columns(extras))?;
    for r in runs {
        let Some(base) = &r.base else { continue };
        let mut rows: Vec<([String; 4], &RunSummary)> = vec![(
            [
                text_cell(&r.scenario),
                String::new(),
                "base".into(),
                String::new(),
            ],
            base,
        )];
        for (o, s) in r.plan.oat.iter().zip(&r.oat) {
            rows.push((
                [
                    text_cell(&r.scenario),
                    text_cell(&r.plan.parameters[o.parameter].key.text),
                    o.level.to_string(),
                    value_cell(&o.value),
                ],
                s,
            ));
        }
        for (prefix, summary) in rows {
            for p in &summary.policies {
                let mut row = prefix.to_vec();
                row.extend(policy_cells_with(&PolicyRow::of(summary, p), extras));
                w.write_record(&row)?;
            }
        }
    }
    Ok(w.into_inner()?)
}

/// What `pimsim sweep` found, as written to `sweep.json` (and printed by `pimsim sweep --format
/// json`): per scenario file its design, swept parameters, points (values and per-policy
/// results) and one-at-a-time runs (docs/sweeps.md). Money is in the scenario's currency,
/// discounted to t = 0. Every object of the file, down to the cost figures, has its keys in
/// alphabetical order.
// The fields of these types are declared in that order, so that serde writes them so.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SweepReport {
    /// Version of pimsim that wrote the file (e.g. "0.1.0").
    pub pimsim_version: String,
    /// One entry per scenario file, in the order they were given.
    pub scenarios: Vec<SweepScenario>,
}

/// The sweep of one scenario file.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SweepScenario {
    /// Per policy, the scenario as written: the base of the one-at-a-time runs (`null` when
    /// there are no one-at-a-time runs).
    pub base: Option<Vec<SweepPolicyResult>>,
    /// How the points were chosen.
    pub design: SweepDesign,
    /// The scenario's `name`.
    pub name: String,
    /// The one-at-a-time runs behind the tornado chart: each numeric parameter at its lowest
    /// and highest swept value, every other field as written (low then high, per parameter).
    pub one_at_a_time: Vec<OneAtATimeRun>,
    /// The swept parameters, in file order.
    pub parameters: Vec<SweptParameter>,
    /// Demand paths of every run (the same paths for every point). With `--precision`, where
    /// each point stops on its own (its count is in the point's `precision.paths`), the most
    /// paths any point used.
    pub paths: u64,
    /// The points, in order (grid: the first parameter varies slowest).
    pub points: Vec<SweepPointResult>,
    /// The scenario file's stem (the `scenario` column of `sweep.csv`).
    pub scenario: String,
    /// Seed of every run.
    pub seed: u64,
}

/// How the points of a sweep were chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SweepDesign {
    /// The full factorial of the listed values.
    Grid,
    /// A Latin hypercube over `[lo, hi]` ranges: one point per stratum of every range.
    LatinHypercube {
        /// Number of points (and of strata per range).
        points: usize,
        /// Seed of the stratum permutations and of the positions within strata.
        seed: u64,
    },
}

/// One swept parameter.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SweptParameter {
    /// The scenario's own value of the field, as a JSON value (`null`: not set, the default
    /// applies).
    pub base: Option<serde_json::Value>,
    /// The dotted key of the scenario field (e.g. "demand.rate").
    pub key: String,
}

/// One point of a sweep and its results.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SweepPointResult {
    /// The policy with the lowest mean total cost at this point.
    pub cheapest: String,
    /// 0-based point index within its scenario (the `point` column of `sweep.csv`).
    pub point: usize,
    /// Per policy, in scenario order.
    pub policies: Vec<SweepPolicyResult>,
    /// The value of each swept parameter at this point, by dotted key (values as in the
    /// scenario file: numbers, text, booleans, lists or tables).
    pub values: BTreeMap<String, serde_json::Value>,
    /// How the point's `--precision` run stopped, with the paths it used (absent when the
    /// sweep had no `--precision`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::engine::precision::PrecisionOutcome>,
}

/// One one-at-a-time run: a parameter at its lowest or highest swept value.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct OneAtATimeRun {
    /// "low" (the lowest swept value) or "high" (the highest).
    #[schemars(extend("enum" = ["low", "high"]))]
    pub level: String,
    /// The dotted key of the parameter.
    pub parameter: String,
    /// Per policy, in scenario order.
    pub policies: Vec<SweepPolicyResult>,
    /// The parameter's value in this run.
    pub value: serde_json::Value,
}

/// One policy's results at one point of a sweep.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SweepPolicyResult {
    /// Mean of each cost line per path, and their sum (currency; keys in alphabetical order).
    #[serde(serialize_with = "keys_sorted")]
    pub cost_breakdown: CostBreakdown,
    /// Units filled from stock at once ÷ units demanded, summed over all paths (share in
    /// [0, 1]; `null` when nothing was demanded).
    #[schemars(range(min = 0, max = 1))]
    pub fill_rate: Option<f64>,
    /// What the policy does with the stock: hold, scrap or partner_release.
    #[schemars(with = "PolicyKind")]
    pub kind: String,
    /// Share of paths with no short unit (share in [0, 1]).
    #[schemars(range(min = 0, max = 1))]
    pub no_stockout_probability: f64,
    /// The policy's name.
    pub policy: String,
    /// Distribution of the total discounted cost per path (currency; keys in alphabetical
    /// order).
    #[serde(serialize_with = "keys_sorted")]
    pub total_cost: CostSummary,
}

/// Serializes `value` with the keys of its objects in alphabetical order, as `sweep.json` has
/// always written them (through a `serde_json::Value`, whose maps are sorted).
fn keys_sorted<T: Serialize, S: serde::Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
    serde_json::to_value(value)
        .map_err(serde::ser::Error::custom)?
        .serialize(s)
}

impl SweepPolicyResult {
    /// Every policy of the run `s`, in order.
    fn all(s: &RunSummary) -> Vec<SweepPolicyResult> {
        s.policies
            .iter()
            .map(|p| SweepPolicyResult {
                cost_breakdown: p.cost_breakdown.clone(),
                fill_rate: p.fill_rate,
                kind: p.kind.clone(),
                no_stockout_probability: p.no_stockout_probability,
                policy: p.name.clone(),
                total_cost: p.total_cost.clone(),
            })
            .collect()
    }
}

fn toml_to_json(v: &toml::Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

impl SweepScenario {
    /// The sweep of one scenario file.
    fn of(r: &SweepRun) -> SweepScenario {
        let design = match r.plan.design {
            Design::Grid => SweepDesign::Grid,
            Design::LatinHypercube { points, seed } => SweepDesign::LatinHypercube { points, seed },
        };
        let parameters = r
            .plan
            .parameters
            .iter()
            .map(|p| SweptParameter {
                base: p.base.as_ref().map(toml_to_json),
                key: p.key.text.clone(),
            })
            .collect();
        let points = r
            .plan
            .points
            .iter()
            .zip(&r.points)
            .enumerate()
            .map(|(n, (pt, s))| SweepPointResult {
                cheapest: s.verdict.cheapest.clone(),
                point: n,
                policies: SweepPolicyResult::all(s),
                values: r
                    .plan
                    .parameters
                    .iter()
                    .zip(&pt.values)
                    .map(|(p, v)| (p.key.text.clone(), toml_to_json(v)))
                    .collect(),
                precision: s.precision,
            })
            .collect();
        let one_at_a_time = r
            .plan
            .oat
            .iter()
            .zip(&r.oat)
            .map(|(o, s)| OneAtATimeRun {
                level: o.level.to_string(),
                parameter: r.plan.parameters[o.parameter].key.text.clone(),
                policies: SweepPolicyResult::all(s),
                value: toml_to_json(&o.value),
            })
            .collect();
        SweepScenario {
            base: r.base.as_ref().map(SweepPolicyResult::all),
            design,
            name: r.plan.base.scenario.name.clone(),
            one_at_a_time,
            parameters,
            paths: r.path_range().1,
            points,
            scenario: r.scenario.clone(),
            seed: r.settings.seed,
        }
    }
}

impl SweepReport {
    /// The report of the sweeps `runs`.
    pub fn of(runs: &[SweepRun]) -> SweepReport {
        SweepReport {
            pimsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenarios: runs.iter().map(SweepScenario::of).collect(),
        }
    }
}

/// `sweep.json` ([`SweepReport`]): per scenario its design, parameters, points (values and
/// per-policy results) and one-at-a-time runs.
pub fn render_sweep_json(runs: &[SweepRun]) -> anyhow::Result<Vec<u8>> {
    let mut text = serde_json::to_string_pretty(&SweepReport::of(runs))?;
    text.push('\n');
    Ok(text.into_bytes())
}

/// Cheapest policy (index) of a point and its lead over the runner-up.
fn cheapest(means: &[f64]) -> (usize, f64) {
    let best = (0..means.len())
        .min_by(|&a, &b| means[a].total_cmp(&means[b]))
        .unwrap_or(0);
    let runner_up = (0..means.len())
        .filter(|&i| i != best)
        .map(|i| means[i])
        .fold(f64::INFINITY, f64::min);
    let margin = if runner_up.is_finite() {
        runner_up - means[best]
    } else {
        0.0
    };
    (best, margin)
}

fn means(s: &RunSummary) -> Vec<f64> {
    s.policies.iter().map(|p| p.total_cost.mean).collect()
}

/// The decision map of one scenario's sweep (`None` without parameters). Grid: one cell per
/// combination of the first two parameters, the mean costs averaged over the other
/// parameters' values; Latin hypercube: one dot per point.
pub fn decision_map(r: &SweepRun) -> Option<DecisionMap> {
    let params = &r.plan.parameters;
    if params.is_empty() {
        return None;
    }
    let first = r.points.first()?;
    let policies: Vec<String> = first.policies.iter().map(|p| p.name.clone()).collect();
    let two = params.len() >= 2;
    let mut cells = Vec::new();
    let (mut x_ticks, mut y_ticks) = (Vec::new(), Vec::new());
    match r.plan.design {
        Design::Grid => {
            let distinct = |i: usize| {
                let mut seen: Vec<String> = Vec::new();
                for p in &r.plan.points {
                    let t = value_text(&p.values[i]);
                    if !seen.contains(&t) {
                        seen.push(t);
                    }
                }
                seen
            };
            x_ticks = distinct(0);
            if two {
                y_ticks = distinct(1);
            }
            let ny = y_ticks.len().max(1);
            let mut sums = vec![(vec![0.0; policies.len()], 0usize); x_ticks.len() * ny];
            for (pt, s) in r.plan.points.iter().zip(&r.points) {
                let xi = x_ticks
                    .iter()
                    .position(|t| *t == value_text(&pt.values[0]))?;
                let yi = if two {
                    y_ticks
                        .iter()
                        .position(|t| *t == value_text(&pt.values[1]))?
                } else {
                    0
                };
                let cell = &mut sums[xi * ny + yi];
                for (acc, m) in cell.0.iter_mut().zip(means(s)) {
                    *acc += m;
                }
                cell.1 += 1;
            }
            for (k, (sum, count)) in sums.into_iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let avg: Vec<f64> = sum.iter().map(|v| v / count as f64).collect();
                let (best, margin) = cheapest(&avg);
                cells.push(DecisionCell {
                    x: (k / ny) as f64,
                    y: (k % ny) as f64,
                    best,
                    margin,
                });
            }
        }
        Design::LatinHypercube { .. } => {
            let num = |v: &toml::Value| match v {
                toml::Value::Integer(i) => *i as f64,
                toml::Value::Float(f) => *f,
                _ => 0.0,
            };
            for (pt, s) in r.plan.points.iter().zip(&r.points) {
                let (best, margin) = cheapest(&means(s));
                cells.push(DecisionCell {
                    x: num(&pt.values[0]),
                    y: if two { num(&pt.values[1]) } else { 0.0 },
                    best,
                    margin,
                });
            }
        }
    }
    Some(DecisionMap {
        title: format!(
            "{} — which policy is cheapest where",
            r.plan.base.scenario.name
        ),
        x_label: params[0].key.title(first.scenario.report.currency_label()),
        y_label: two.then(|| params[1].key.title(first.scenario.report.currency_label())),
        x_ticks,
        y_ticks,
        cells,
        policies,
        currency: first.scenario.report.currency_label().to_string(),
    })
}

/// The tornado of one scenario's sweep (`None` without one-at-a-time runs).
pub fn tornado(r: &SweepRun) -> Option<Tornado> {
    let base = r.base.as_ref()?;
    let mut rows = Vec::new();
    for (i, p) in r.plan.parameters.iter().enumerate() {
        let find = |level: &str| {
            r.plan
                .oat
                .iter()
                .zip(&r.oat)
                .find(|(o, _)| o.parameter == i && o.level == level)
        };
        let (Some((lo, lo_s)), Some((hi, hi_s))) = (find("low"), find("high")) else {
            continue;
        };
        rows.push(TornadoRow {
            label: format!(
                "{}, {} → {}",
                p.key.title(base.scenario.report.currency_label()),
                value_text(&lo.value),
                value_text(&hi.value)
            ),
            costs: means(lo_s).into_iter().zip(means(hi_s)).collect(),
        });
    }
    if rows.is_empty() {
        return None;
    }
    let swing = |r: &TornadoRow| {
        r.costs
            .iter()
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max)
    };
    rows.sort_by(|a, b| swing(b).total_cmp(&swing(a)));
    Some(Tornado {
        title: format!(
            "{} — sensitivity of mean total cost, one parameter at a time",
            r.plan.base.scenario.name
        ),
        rows,
        base: means(base),
        policies: base.policies.iter().map(|p| p.name.clone()).collect(),
        currency: base.scenario.report.currency_label().to_string(),
    })
}

/// File stem of a chart: `decision_map`, or `<scenario>-decision_map` in a sweep of several
/// files.
fn chart_stem(runs: &[SweepRun], r: &SweepRun, chart: &str) -> String {
    if runs.len() == 1 {
        chart.to_string()
    } else {
        format!("{}-{chart}", r.scenario)
    }
}

/// Every file of a sweep: `sweep.csv`, `sweep_oat.csv`, `sweep.json`, and when `report`,
/// `report.html` and the charts as SVG and PNG.
pub fn render_sweep_all(runs: &[SweepRun], report: bool) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    for r in runs {
        for s in r.points.iter().chain(&r.base).chain(&r.oat) {
            check_finite(s)?;
        }
    }
    let mut files = vec![
        ("sweep.csv".to_string(), render_sweep_csv(runs)?),
        ("sweep_oat.csv".to_string(), render_oat_csv(runs)?),
        ("sweep.json".to_string(), render_sweep_json(runs)?),
    ];
    if report {
        let mut charts = Vec::new();
        for r in runs {
            if let Some(m) = decision_map(r) {
                charts.push((
                    chart_stem(runs, r, "decision_map"),
                    SweepChart::DecisionMap(m),
                ));
            }
            if let Some(t) = tornado(r) {
                charts.push((chart_stem(runs, r, "tornado"), SweepChart::Tornado(t)));
            }
        }
        files.push((
            "report.html".into(),
            render_sweep_html(runs, &charts)?.into_bytes(),
        ));
        for (stem, chart) in &charts {
            files.push((format!("{stem}.svg"), chart.svg(true)?.into_bytes()));
            files.push((format!("{stem}.png"), chart.png()?));
        }
    }
    Ok(files)
}

/// The paths of a sweep's points in words: for the terminal "2000 paths" and for the report
/// "2,000 paths each"; with `--precision`, where each point stops on its own, "1024 to 40000
/// paths, each point to its precision".
pub(crate) fn paths_text(r: &SweepRun, for_report: bool) -> String {
    let number = |n: u64| {
        if for_report {
            crate::output::whole_number(n)
        } else {
            n.to_string()
        }
    };
    let (lo, hi) = r.path_range();
    if !r.to_precision() {
        let each = if for_report { " each" } else { "" };
        return format!("{} paths{each}", number(hi));
    }
    let range = if lo == hi {
        number(hi)
    } else {
        format!("{} to {}", number(lo), number(hi))
    };
    format!("{range} paths, each point to its precision")
}

/// The terminal table: one line per point with the cheapest policy.
pub fn render_sweep_table(runs: &[SweepRun]) -> String {
    let mut out = String::new();
    for r in runs {
        let _ = writeln!(
            out,
            "{} — {} point(s), {}, seed {}",
            terminal_line(&r.scenario),
            r.points.len(),
            paths_text(r, false),
            r.settings.seed
        );
        let mut header = vec!["point".to_string()];
        header.extend(
            r.plan
                .parameters
                .iter()
                .map(|p| terminal_line(&p.key.text).into_owned()),
        );
        header.extend(["cheapest".into(), "mean cost".into(), "lead".into()]);
        let mut rows = vec![header];
        for (n, (pt, s)) in r.plan.points.iter().zip(&r.points).enumerate() {
            let m = means(s);
            let (best, margin) = cheapest(&m);
            let mut row = vec![n.to_string()];
            row.extend(
                pt.values
                    .iter()
                    .map(|v| terminal_line(&value_text(v)).into_owned()),
            );
            row.push(terminal_line(&s.policies[best].name).into_owned());
            row.push(money(m[best]));
            row.push(if m.len() > 1 {
                money(margin)
            } else {
                "n/a".into()
            });
            rows.push(row);
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for row in rows {
            let line: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(c, w)| format!("{c:>w$}", w = *w))
                .collect();
            let _ = writeln!(out, "  {}", line.join("  "));
        }
    }
    out
}
