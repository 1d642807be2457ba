//! The results of a run, with the stable names users' scripts read (docs/output.md).
//!
//! [`RunSummary`] is `summary.json`; its JSON Schema (`schema/summary.schema.json`) is generated
//! from these types, and their doc comments are its descriptions.

use schemars::JsonSchema;
use serde::Serialize;

use super::service::ServiceRule;
use crate::inventory::{CostLines, RecordCounts, UnitCounts};
use crate::scenario::{PolicyKind, Scenario};

/// z for a two-sided 95 % normal interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// What `pimsim run` found, as written to `summary.json` (and printed by `pimsim run --format
/// json`): per policy the stable figures (`fill_rate`, `no_stockout_probability`, `total_cost`,
/// `cost_breakdown`, `units`) and more, the verdict, simulated against expected demand, and
/// the scenario as run. Money is in the scenario's currency, discounted to t = 0; costs are
/// positive, income negative. Fields are described in docs/output.md.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RunSummary {
    /// Version of pimsim that wrote the file (e.g. "0.1.0").
    pub pimsim_version: String,
    /// Seed of all random streams of the run.
    pub seed: u64,
    /// Number of simulated demand paths (possible futures).
    pub paths: u64,
    /// The policies in scenario order; the first one is the baseline of the comparisons.
    pub policies: Vec<PolicySummary>,
    /// Which policy is cheapest and by how much.
    pub verdict: Verdict,
    /// Demand as simulated against its exact expectation.
    pub demand: DemandSummary,
    /// The control variates behind the adjusted means (`total_cost.mean` and the paired
    /// differences): the demand periods, their exact expected units, and whether they were
    /// used.
    pub control_variates: ControlVariates,
    /// How the quantiles were computed, in words.
    pub quantile_method: String,
    /// The validated scenario, every default filled in.
    pub scenario: Scenario,
    /// Per policy and time-series point (written to `timeseries.csv`, not to the JSON).
    #[serde(skip)]
    pub timeseries: Vec<TimeSeriesPoint>,
    /// How a run with `--precision` stopped: the precision asked, whether it was reached, the
    /// paths used and the most it could use (absent when the run had no `--precision`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::engine::precision::PrecisionOutcome>,
}

/// One policy's results.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PolicySummary {
    /// The policy's name, unique in the scenario.
    pub name: String,
    /// What the policy does with the stock: hold, scrap or partner_release.
    #[schemars(with = "PolicyKind")]
    pub kind: String,
    /// Retained levels of the dispositions, in time order (empty for a policy without one).
    pub retained_levels: Vec<RetainedLevel>,
    /// Units filled from stock at once ÷ units demanded, summed over all paths (share in
    /// [0, 1]; `null` when nothing was demanded). Stable.
    #[schemars(range(min = 0, max = 1))]
    pub fill_rate: Option<f64>,
    /// Share of paths with no short unit (share in [0, 1]). Stable.
    #[schemars(range(min = 0, max = 1))]
    pub no_stockout_probability: f64,
    /// Distribution of the total discounted cost per path (currency). Stable. `mean`,
    /// `std_err` and `ci95` are the control-variate estimates (see `control_variates`);
    /// `plain` holds the plain ones.
    pub total_cost: CostSummary,
    /// Plain variance of the total cost ÷ its residual variance after the control variates:
    /// how many times fewer paths the adjusted mean needs for the same standard error
    /// (dimensionless, at most 10,000: the standard error is never taken below 1 % of the
    /// plain one; `null` when the plain estimates are reported).
    pub variance_reduction: Option<f64>,
    /// Number of control variates the adjusted total cost used (0: the plain estimates): of
    /// this policy's relative controls (`control_variates.relative`) and the demand controls,
    /// those that vary, are not combinations of the others and that the paths allow.
    pub controls_used: usize,
    /// Mean of each cost line per path, and their sum (currency). Stable.
    pub cost_breakdown: CostBreakdown,
    /// Mean units per path. Stable.
    pub units: UnitsSummary,
    /// Time of the first stock-out among paths that stock out (years; `null` when no path
    /// stocks out).
    pub first_stockout_years: Option<StockoutSummary>,
    /// Dealings with each partner, in scenario order.
    pub partners: Vec<PartnerSummary>,
    /// Finance figures.
    pub finance: FinanceSummary,
    /// Paired comparison with the baseline on the same paths (`null` for the baseline itself).
    pub comparison: Option<Comparison>,
    /// Shape of the total-cost distribution, on bins shared by all policies (currency).
    pub cost_distribution: CostDistribution,
    /// Share of paths that have stocked out by each of 101 evenly spaced times (the
    /// distribution of the time to the first stock-out, counting paths that never stock out).
    pub stockout_by_time: Vec<StockoutPoint>,
    /// Drifting stock records: accuracy at the cycle counts, phantom stock found, shortages
    /// it caused (absent when the scenario's records cannot drift: no
    /// `stock.unrecorded_shrinkage_rate` and no `stock.count_every_years`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<RecordsSummary>,
}

/// What drifting stock records did (docs/model.md, "Stock records").
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, JsonSchema)]
pub struct RecordsSummary {
    /// Share of cycle counts, over all paths, at which the records matched the physical stock
    /// (share in [0, 1]; `null` without counts).
    #[schemars(range(min = 0, max = 1))]
    pub record_accuracy: Option<f64>,
    /// Phantom units (on record, not on hand) found per cycle count, over all paths (units
    /// per count; `null` without counts).
    pub phantom_found_per_count: Option<f64>,
    /// Units short because of phantom stock ÷ all units short (share in [0, 1]; `null` when
    /// nothing was short).
    #[schemars(range(min = 0, max = 1))]
    pub phantom_share_of_short: Option<f64>,
    /// The mean of each count per path (units, or counts for `counts` and
    /// `accurate_counts`).
    #[serde(flatten)]
    pub means: RecordCounts<f64>,
}

/// Distribution of total discounted cost over the paths kept for quantiles (currency).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CostDistribution {
    /// Number of paths behind these figures (the first 262,144 paths at most).
    pub paths: u64,
    /// Total cost of the cheapest path (currency).
    pub min: f64,
    /// 25th percentile of total cost (currency).
    pub p25: f64,
    /// 75th percentile of total cost (currency).
    pub p75: f64,
    /// Total cost of the costliest path (currency).
    pub max: f64,
    /// Path counts per cost bin; the bins are the same for every policy of the run.
    pub histogram: CostHistogram,
}

/// Path counts per total-cost bin.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CostHistogram {
    /// Bin edges (currency), ascending; bin k is [edge k, edge k+1) (the last bin includes its
    /// upper edge). The first edge is at or below the cheapest path of every policy.
    pub bin_edges: Vec<f64>,
    /// Paths per bin (one fewer entry than `bin_edges`).
    pub counts: Vec<u64>,
    /// Paths costlier than the last edge (a long tail cut off to keep the bins readable).
    pub above: u64,
}

/// Share of paths that have stocked out by a given time.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StockoutPoint {
    /// Time after the decision (years).
    pub time_years: f64,
    /// Share of paths whose first short unit came at or before `time_years` (share in
    /// [0, 1]).
    #[schemars(range(min = 0, max = 1))]
    pub share_of_paths: f64,
}

/// A retained level and when it applies.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RetainedLevel {
    /// Time of the disposition (years).
    pub at_years: f64,
    /// Units retained; the stock above is scrapped or released (units).
    pub units: u64,
}

/// Distribution of total discounted cost over paths (currency).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CostSummary {
    /// Mean over all paths (currency), adjusted by the control variates when they apply.
    pub mean: f64,
    /// Standard error of the mean (currency), of the adjusted mean when the controls apply.
    pub std_err: f64,
    /// 95 % confidence interval of the mean, [low, high] (currency): mean ± 1.96 std_err.
    pub ci95: [f64; 2],
    /// The plain estimates: the average over paths and its standard error, without control
    /// variates (currency).
    pub plain: PlainEstimate,
    /// 5th percentile (currency).
    pub p05: f64,
    /// Median (currency).
    pub p50: f64,
    /// 95th percentile (currency).
    pub p95: f64,
    /// CVaR95: mean of the costliest 5 % of paths (currency).
    pub cvar95: f64,
}

/// A mean over paths with its standard error and 95 % interval, without control variates
/// (currency).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct PlainEstimate {
    /// The average over all paths (currency).
    pub mean: f64,
    /// Its standard error (currency).
    pub std_err: f64,
    /// mean ± 1.96 std_err, [low, high] (currency).
    pub ci95: [f64; 2],
}

/// The control variates of a run: the units demanded in each period and the policies'
/// closed-form relatives, whose exact expectations adjust the mean total costs and paired
/// differences.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ControlVariates {
    /// The periods whose units demanded are the controls, in time order.
    pub controls: Vec<ControlPeriod>,
    /// The closed-form relatives whose discounted unit-years on hand and units left are
    /// controls (two per stock level, of the policies named), in increasing stock; empty
    /// when their exact expectations would cost too much (`note` says so).
    pub relative: Vec<RelativeControl>,
    /// Most controls any policy's estimate used (those that vary between paths, are not
    /// combinations of the others and that the paths allow; 0 when the plain estimates are
    /// reported). Each policy's own count is its `controls_used`.
    pub used: usize,
    /// What was done, in words (why the plain estimates are reported, when they are).
    pub note: String,
}

/// The controls of one closed-form relative: a stock of `stock_units` that is never
/// replenished, serves demand until it runs out and is held to the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RelativeControl {
    /// The relative's stock (units).
    pub stock_units: u64,
    /// The policies whose estimates use it.
    pub policies: Vec<String>,
    /// Exact expected discounted unit-years on hand of the relative per path (unit-years,
    /// discounted to t = 0).
    pub expected_holding_unit_years: f64,
    /// Their mean over the simulated paths (unit-years).
    pub mean_holding_unit_years: f64,
    /// Exact expected units the relative has left at the horizon per path (units).
    pub expected_leftover_units: f64,
    /// Their mean over the simulated paths (units).
    pub mean_leftover_units: f64,
}

/// One control: the units demanded per path in a period of the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ControlPeriod {
    /// Start of the period (years).
    pub from_years: f64,
    /// End of the period (years).
    pub to_years: f64,
    /// Exact expected units demanded in the period per path (units; rate uncertainty and
    /// sudden death included).
    pub expected_units: f64,
    /// Mean units demanded in the period over the simulated paths (units).
    pub mean_units: f64,
}

/// Mean cost lines per path and their sum (currency, discounted to t = 0; costs are positive,
/// income is negative).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CostBreakdown {
    /// The mean of each cost line.
    #[serde(flatten)]
    pub lines: CostLines<f64>,
    /// Sum of the lines: the plain mean total cost (currency; `total_cost.plain.mean`, the
    /// lines are plain means).
    pub total: f64,
}

/// Mean units per path (units; runs for `remanufacture_runs`).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct UnitsSummary {
    /// The mean of each unit count (units per path; runs per path for `remanufacture_runs`).
    #[serde(flatten)]
    pub counts: UnitCounts<f64>,
    /// Time-average units on hand over the horizon (units).
    pub average_on_hand: f64,
}

/// First stock-out times among paths that stock out (years).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StockoutSummary {
    /// Share of all paths that stock out (share in [0, 1]).
    #[schemars(range(min = 0, max = 1))]
    pub share_of_paths: f64,
    /// 5th percentile of the time of the first short unit (years).
    pub p05: f64,
    /// 25th percentile (years).
    pub p25: f64,
    /// Median (years).
    pub p50: f64,
    /// 75th percentile (years).
    pub p75: f64,
    /// 95th percentile (years).
    pub p95: f64,
}

/// A partner's performance as a supplier of buy-backs.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PartnerSummary {
    /// Partner name.
    pub name: String,
    /// Mean buy-back requests per path (requests).
    pub requests: f64,
    /// Share of requests honoured (share in [0, 1]; `null` without requests).
    #[schemars(range(min = 0, max = 1))]
    pub honoured_share: Option<f64>,
    /// Units shipped ÷ units requested (share in [0, 1]; `null` without requests).
    #[schemars(range(min = 0, max = 1))]
    pub request_fill_rate: Option<f64>,
    /// Mean days from request to delivery of honoured requests (days; `null` without an
    /// honoured request).
    pub mean_response_days: Option<f64>,
    /// Mean units bought back from this partner per path (units).
    pub units_shipped: f64,
}

/// Finance figures.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct FinanceSummary {
    /// Units served per year (backorders filled later included) ÷ average units on hand (per
    /// year; `null` when nothing is on hand on average).
    pub inventory_turnover: Option<f64>,
    /// Gross margin per year ÷ average inventory at `part.unit_cost` (ratio per year; `null`
    /// without `part.sale_price` or without stock).
    pub gmroi: Option<f64>,
    /// Carrying cost ÷ total cost (ratio; may exceed 1 when income offsets costs; `null` unless
    /// the total is positive).
    pub carrying_share_of_total: Option<f64>,
    /// Mean discounted revenue of units served (currency; never part of total cost; `null`
    /// without `part.sale_price`).
    pub revenue: Option<f64>,
}

/// Paired comparison of a policy with the baseline on the same paths.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Comparison {
    /// The baseline's name (the first policy).
    pub baseline: String,
    /// Mean of (this policy's total cost − the baseline's) on the same paths (currency;
    /// negative = cheaper), adjusted by the control variates when they apply.
    pub mean_difference: f64,
    /// Standard error of the mean difference (currency).
    pub std_err: f64,
    /// 95 % confidence interval of the mean difference, [low, high] (currency).
    pub ci95: [f64; 2],
    /// The plain estimates of the mean difference (currency).
    pub plain: PlainEstimate,
    /// Plain variance of the paired difference ÷ its residual variance after the control
    /// variates (dimensionless; `null` as for the policy's).
    pub variance_reduction: Option<f64>,
    /// Number of control variates the adjusted difference used (both policies' relative
    /// controls and the demand controls; 0: the plain estimates).
    pub controls_used: usize,
    /// Share of paths on which this policy is strictly cheaper (share in [0, 1]).
    #[schemars(range(min = 0, max = 1))]
    pub probability_cheaper: f64,
    /// Share of paths with exactly the same cost (share in [0, 1]).
    #[schemars(range(min = 0, max = 1))]
    pub probability_tie: f64,
    /// Quantiles over paths of (this policy's total cost − the baseline's) on the same path.
    pub per_path_difference: DifferenceQuantiles,
}

/// Quantiles of a per-path cost difference over the paths kept for quantiles (currency).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DifferenceQuantiles {
    /// 5th percentile (currency).
    pub p05: f64,
    /// 25th percentile (currency).
    pub p25: f64,
    /// Median (currency).
    pub p50: f64,
    /// 75th percentile (currency).
    pub p75: f64,
    /// 95th percentile (currency).
    pub p95: f64,
}

/// Which policy is cheapest.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Verdict {
    /// The policy with the lowest mean total cost.
    pub cheapest: String,
    /// Its mean total cost (currency).
    pub mean_total_cost: f64,
    /// The next cheapest policy (`null` when there is only one).
    pub runner_up: Option<String>,
    /// Mean saving against the runner-up on the same paths (currency; `null` without a
    /// runner-up).
    pub saving_vs_runner_up: Option<f64>,
    /// Standard error of that saving (currency; `null` without a runner-up).
    pub saving_std_err: Option<f64>,
    /// Share of paths on which the cheapest policy is strictly cheaper than the runner-up,
    /// over the paths kept for quantiles (share in [0, 1]; `null` without a runner-up).
    #[schemars(range(min = 0, max = 1))]
    pub probability_cheaper_than_runner_up: Option<f64>,
    /// The cheapest policy's service judged by the service rule (docs/output.md), and the
    /// cheapest policy that serves well when its service is poor.
    pub service: ServiceVerdict,
}

/// The cheapest policy's service judged by the service rule (docs/output.md).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ServiceVerdict {
    /// The rule: service is poor below `fill_rate_floor` or with a stock-out in more than
    /// `max_stockout_share` of the futures.
    pub rule: ServiceRule,
    /// Whether the cheapest policy's service is poor by the rule.
    pub poor: bool,
    /// When it is poor: the cheapest policy whose service is good (`null` when the cheapest
    /// serves well, or when no policy does).
    pub better_service: Option<String>,
    /// That policy's mean total cost minus the cheapest's (currency; `null` without
    /// `better_service`).
    pub better_service_extra_cost: Option<f64>,
}

/// Simulated demand against its exact expectation.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DemandSummary {
    /// Exact expected units demanded over the horizon (units).
    pub expected_units: f64,
    /// Simulated mean units demanded per path (units).
    pub mean_units: f64,
    /// Standard error of the simulated mean (units).
    pub std_err: f64,
    /// Per year of the horizon, year 0 first.
    pub annual: Vec<AnnualDemand>,
    /// The expected demand rate over the horizon as seen from t = 0, at 201 evenly spaced
    /// times.
    pub expected_rate: Vec<DemandRatePoint>,
    /// Annual units demanded on paths 0, 1 and 2, to show what single futures look like.
    pub sample_paths: Vec<DemandSamplePath>,
}

/// The expected demand rate at one time.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DemandRatePoint {
    /// Time after the decision (years).
    pub time_years: f64,
    /// Expected units demanded per year at that time: λ(t) × mean order size × the chance the
    /// part has not died suddenly by t (units per year).
    pub expected_units_per_year: f64,
}

/// Units demanded per year on one simulated path.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DemandSamplePath {
    /// Path number (0-based).
    pub path: u64,
    /// Units demanded in each year of the horizon, year 0 first (units).
    pub annual_units: Vec<u64>,
}

/// Units demanded in one year of the horizon.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct AnnualDemand {
    /// Year index (0 = the first year after the decision).
    pub year: usize,
    /// Exact expected units (units).
    pub expected: f64,
    /// Simulated mean units per path (units).
    pub mean: f64,
    /// 5th percentile over paths (units).
    pub p05: f64,
    /// Median over paths (units).
    pub p50: f64,
    /// 95th percentile over paths (units).
    pub p95: f64,
}

/// One policy at one time-series point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeSeriesPoint {
    /// Policy name.
    pub policy: String,
    /// Years.
    pub time_years: f64,
    /// Mean units on hand.
    pub on_hand_mean: f64,
    /// 5th percentile of units on hand.
    pub on_hand_p05: f64,
    /// Median units on hand.
    pub on_hand_p50: f64,
    /// 95th percentile of units on hand.
    pub on_hand_p95: f64,
    /// Mean cumulative discounted cost (currency).
    pub cumulative_cost_mean: f64,
    /// Mean re-manufacture runs ordered so far.
    pub remanufacture_runs_mean: f64,
    /// Mean units delivered by re-manufacture so far.
    pub remanufactured_mean: f64,
    /// Mean units bought back from partners so far.
    pub bought_back_mean: f64,
}

mod build;

pub(super) use build::{precision_figures, summarize};
