//! The Monte Carlo driver: paths in parallel, common random numbers, streamed statistics.
//!
//! Paths are cut into fixed blocks of [`BLOCK_PATHS`]. A worker takes the next block, generates
//! each path's demand once, runs every policy on it, and folds the block's values into
//! accumulators whose merge is exact (see [`stats`]). Because no floating-point result depends
//! on which worker ran which block or in which order blocks were merged, results are
//! bit-identical for any thread count, and a later split into shards can merge to the same bits.
//! Memory does not grow with the number of paths: the only per-path storage is the bounded
//! quantile sample of [`stats::PathSample`].

mod adjust;
pub mod controls;
pub mod finite;
pub mod precision;
mod record;
pub mod relative;
pub mod service;
pub mod stats;
mod summary;
mod totals;
mod worker;

pub use record::{BaselineFigures, PolicyRow, TotalCostFigures};
pub use summary::{
    AnnualDemand, Comparison, ControlPeriod, ControlVariates, CostBreakdown, CostDistribution,
    CostHistogram, CostSummary, DemandRatePoint, DemandSamplePath, DemandSummary,
    DifferenceQuantiles, FinanceSummary, PartnerSummary, PlainEstimate, PolicySummary,
    RecordsSummary, RelativeControl, RetainedLevel, RunSummary, ServiceVerdict, StockoutPoint,
    StockoutSummary, TimeSeriesPoint, UnitsSummary, Verdict, Z95,
};

use std::sync::atomic::{AtomicBool, Ordering};

use crate::demand::{DemandGenerator, DemandPath};
use crate::inventory::Plan;
use crate::rng::StreamFactory;
use crate::scenario::Scenario;
use relative::RelativeSet;
use totals::Shifts;
pub use totals::Totals;
use worker::simulate;

/// Paths per block: the unit of work and of floating-point summation order. Part of the
/// reproducibility contract: changing it changes results in the last bits.
pub const BLOCK_PATHS: u64 = 256;

/// How much to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSettings {
    /// Number of demand paths.
    pub paths: u64,
    /// Seed of every random stream.
    pub seed: u64,
    /// Worker threads (0 = one per core).
    pub threads: usize,
}

/// Number of whole or partial years in the horizon (annual demand buckets).
fn horizon_years(plan: &Plan) -> usize {
    (plan.horizon.time.ceil() as usize).max(1)
}

/// Number of path blocks of a run of `paths` paths.
pub fn block_count(paths: u64) -> u64 {
    paths.div_ceil(BLOCK_PATHS)
}

/// Simulates `scenario` with its prepared `plan` and summarises the results.
pub fn run(
    scenario: &Scenario,
    plan: &Plan,
    settings: RunSettings,
    progress: &(dyn Fn(u64) + Sync),
) -> RunSummary {
    let never = AtomicBool::new(false);
    run_cancellable(scenario, plan, settings, progress, &never)
        .expect("a run that is never cancelled completes")
}

/// The run was stopped through its cancellation flag; nothing was summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the run was cancelled")]
pub struct Cancelled;

/// [`run`], stopping early when `cancel` becomes true: workers check it before every path, so
/// the run ends within one path's work of the request. A cancelled run returns [`Cancelled`]
/// and no partial results. The library installs no signal handler; the caller (the command
/// line) sets the flag.
pub fn run_cancellable(
    scenario: &Scenario,
    plan: &Plan,
    settings: RunSettings,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<RunSummary, Cancelled> {
    let totals = simulate_run(scenario, plan, settings, progress, cancel)?;
    Ok(summarize_run(scenario, plan, settings, &totals))
}

/// The first half of [`run_cancellable`]: the exact totals of every path of the run.
pub fn simulate_run(
    scenario: &Scenario,
    plan: &Plan,
    settings: RunSettings,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Totals, Cancelled> {
    simulate_blocks(
        scenario,
        plan,
        settings,
        0..block_count(settings.paths),
        progress,
        cancel,
    )
}

/// The exact totals of the paths of blocks `blocks` (of [`BLOCK_PATHS`] paths each) of the run
/// of `settings.paths` paths: what one shard of a run simulates.
pub fn simulate_blocks(
    scenario: &Scenario,
    plan: &Plan,
    settings: RunSettings,
    blocks: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Totals, Cancelled> {
    let generator = DemandGenerator::new(&scenario.demand, scenario.horizon_years, plan.discount);
    let relative = RelativeSet::new(&scenario.demand, plan);
    let totals = simulate(
        plan, &generator, &relative, true, settings, blocks, progress, cancel,
    );
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    Ok(totals)
}

/// The second half of [`run_cancellable`]: the summary of a whole run's exact totals (also how
/// `merge` summarises the totals that shards computed).
pub fn summarize_run(
    scenario: &Scenario,
    plan: &Plan,
    settings: RunSettings,
    totals: &Totals,
) -> RunSummary {
    let expected = adjust::Expected::new(scenario, plan);
    summarize_with(scenario, plan, settings, totals, &expected)
}

/// [`summarize_run`] with the controls' expectations already computed.
fn summarize_with(
    scenario: &Scenario,
    plan: &Plan,
    settings: RunSettings,
    totals: &Totals,
    expected: &adjust::Expected,
) -> RunSummary {
    let generator = DemandGenerator::new(&scenario.demand, scenario.horizon_years, plan.discount);
    let samples = demand_sample_paths(&generator, settings, horizon_years(plan));
    summary::summarize(scenario, plan, settings, totals, expected, samples)
}

/// Checks that `totals` can be those of the paths of blocks `blocks` of the run of `scenario`
/// (with its `plan`) and `settings`, before they are merged and summarised: see
/// [`Totals`]. What is wrong, when something is.
pub fn check_totals(
    scenario: &Scenario,
    plan: &Plan,
    settings: RunSettings,
    blocks: std::ops::Range<u64>,
    totals: &Totals,
) -> Result<(), String> {
    let generator = DemandGenerator::new(&scenario.demand, scenario.horizon_years, plan.discount);
    let streams = StreamFactory::new(settings.seed);
    let relative = RelativeSet::new(&scenario.demand, plan);
    let shifts = Shifts::new(plan, &generator, &streams, &relative);
    totals.check(
        plan,
        horizon_years(plan),
        &shifts,
        &relative,
        settings,
        blocks,
    )
}

/// What the optimiser needs of one policy of a run: the mean total cost with its standard
/// error (the control-variate estimates, as `run` reports them), and the fill rate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PolicyEstimate {
    /// Mean total discounted cost per path (currency), adjusted by the control variates when
    /// they apply.
    pub mean_cost: f64,
    /// Standard error of `mean_cost`.
    pub std_err: f64,
    /// Units demanded, summed over all paths.
    pub units_demanded: u64,
    /// Units filled from stock at once, summed over all paths.
    pub units_filled: u64,
    /// Share of paths on which no demand went short (in [0, 1]), as `run` reports it.
    pub no_stockout_probability: f64,
}

impl PolicyEstimate {
    /// Units filled from stock at once ÷ units demanded (1 when nothing was demanded: no
    /// demand went unserved).
    pub fn fill_rate(&self) -> f64 {
        if self.units_demanded == 0 {
            1.0
        } else {
            self.units_filled as f64 / self.units_demanded as f64
        }
    }
}

/// Runs every policy of `plan` on the paths of `settings` like [`run_cancellable`], but
/// summarises only what the optimiser needs ([`PolicyEstimate`], one per policy, in order)
/// and records no time series, so that many candidate policies can share one pass.
///
/// A policy's estimate depends only on the policy itself, the scenario and `settings` (its
/// sums are kept apart from every other policy's, in the same block order): evaluating it
/// alone or among any other candidates gives the same bits.
pub fn evaluate_cancellable(
    scenario: &Scenario,
    plan: &Plan,
    settings: RunSettings,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Vec<PolicyEstimate>, Cancelled> {
    let blocks = 0..block_count(settings.paths);
    let totals = simulate_candidates(scenario, plan, settings, blocks, false, progress, cancel)?;
    Ok(estimates(scenario, plan, &totals))
}

/// The exact totals of the paths of blocks `blocks` of the run of `plan` with `settings`, as
/// [`evaluate_cancellable`] and [`difference`] need them: no time series, and the sums of the
/// paired differences only when `paired`. Totals of consecutive blocks merge exactly
/// ([`Totals::merge`]), so a candidate evaluated on more paths later need only simulate the new
/// ones.
pub fn simulate_candidates(
    scenario: &Scenario,
    plan: &Plan,
    settings: RunSettings,
    blocks: std::ops::Range<u64>,
    paired: bool,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Totals, Cancelled> {
    let mut plan = plan.clone();
    plan.timeseries_paths = 0;
    let generator = DemandGenerator::new(&scenario.demand, scenario.horizon_years, plan.discount);
    let relative = RelativeSet::new(&scenario.demand, &plan);
    let totals = simulate(
        &plan, &generator, &relative, paired, settings, blocks, progress, cancel,
    );
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    Ok(totals)
}

/// A paired difference of mean total costs on the same paths.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostDifference {
    /// Mean of (cost of the later policy − cost of the earlier) per path (currency), adjusted
    /// by the control variates as `run`'s comparisons are.
    pub mean: f64,
    /// Standard error of `mean` (currency).
    pub std_err: f64,
}

/// The paired difference between policies `i` < `j` of `plan` in `totals` (paired totals of
/// [`simulate_candidates`]), estimated as `run` estimates its comparisons: what the optimiser
/// judges between two policies' optima under `--precision`.
pub fn difference(
    scenario: &Scenario,
    plan: &Plan,
    totals: &Totals,
    i: usize,
    j: usize,
) -> CostDifference {
    assert!(
        i < j && j < totals.policies.len() && !totals.pairs.is_empty(),
        "a difference of two policies of paired totals"
    );
    let expected = adjust::Expected::new(scenario, plan);
    let e = adjust::Adjusted::new(&expected, totals).pair(i, j);
    CostDifference {
        mean: e.mean,
        std_err: e.std_err,
    }
}

/// [`run_cancellable`] until the answer is known: paths in stages, from path 0, until every
/// policy's mean total cost and the verdict's saving meet `rule` (see [`precision`]) or
/// `rule.max_paths` paths are simulated. `settings.paths` is not used; the summary's `paths`
/// (and `precision.paths`) are the paths simulated, and apart from `precision` the summary is
/// exactly that of [`run_cancellable`] with that many paths. `stage(from, to)` is called before
/// paths `from..to` are simulated.
pub fn run_to_precision(
    scenario: &Scenario,
    plan: &Plan,
    settings: RunSettings,
    rule: precision::PrecisionRule,
    stage: &dyn Fn(u64, u64),
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<RunSummary, Cancelled> {
    let expected = adjust::Expected::new(scenario, plan);
    let (totals, outcome) = precision::run_stages(
        rule,
        |from, to| {
            stage(from, to);
            let s = RunSettings {
                paths: to,
                ..settings
            };
            simulate_blocks(
                scenario,
                plan,
                s,
                from / BLOCK_PATHS..block_count(to),
                progress,
                cancel,
            )
        },
        |totals| summary::precision_figures(&expected, totals),
    )?;
    let settings = RunSettings {
        paths: outcome.paths,
        ..settings
    };
    let mut summary = summarize_with(scenario, plan, settings, &totals, &expected);
    summary.precision = Some(outcome);
    Ok(summary)
}

/// The estimates of every policy of `totals` (of the run of `plan`), as
/// [`evaluate_cancellable`] returns them.
pub fn estimates(scenario: &Scenario, plan: &Plan, totals: &Totals) -> Vec<PolicyEstimate> {
    // The same control-variate estimates as `run` reports: each policy's own relative
    // controls and the demand's, so a policy's estimate still depends on no other candidate.
    let expected = adjust::Expected::new(scenario, plan);
    let adjusted = adjust::Adjusted::new(&expected, totals);
    totals
        .policies
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let e = adjusted.policy(i);
            PolicyEstimate {
                mean_cost: e.mean,
                std_err: e.std_err,
                units_demanded: t.units.demanded,
                units_filled: t.units.filled_from_stock,
                no_stockout_probability: t.paths_without_short as f64 / totals.paths as f64,
            }
        })
        .collect()
}

/// Number of demand paths whose annual units are shown as examples ([`DemandSamplePath`]).
pub const DEMAND_SAMPLE_PATHS: u64 = 3;

/// The annual units demanded on the first [`DEMAND_SAMPLE_PATHS`] paths (or fewer, when the
/// run is smaller): the same paths the policies were evaluated on, generated again from their
/// streams after the run, so that the parallel loop does not carry them.
fn demand_sample_paths(
    generator: &DemandGenerator,
    settings: RunSettings,
    years: usize,
) -> Vec<DemandSamplePath> {
    let streams = StreamFactory::new(settings.seed);
    let mut path = DemandPath::default();
    (0..settings.paths.min(DEMAND_SAMPLE_PATHS))
        .map(|k| {
            generator.generate(&streams, k, &mut path);
            let mut annual_units = vec![0; years];
            for o in &path.orders {
                annual_units[(o.time as usize).min(years - 1)] += o.units;
            }
            DemandSamplePath {
                path: k,
                annual_units,
            }
        })
        .collect()
}
