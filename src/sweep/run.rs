//! Running a sweep: every point of every [`SweepPlan`], on the same demand paths.
//!
//! Points run one after the other and the engine runs each point's paths in parallel (the
//! normal [`run_cancellable`]): a point is a full run, parallel over fixed blocks of paths, so
//! the cores are busy without nesting two thread pools, memory stays one run's worth, and the
//! results are bit-identical to separate `pimsim run`s of each point for any thread count.
//! Every point of a scenario uses the same seed and path count, hence the same demand paths
//! (common random numbers across points: differences between points are not noise).

use std::sync::atomic::AtomicBool;

use crate::engine::precision::PrecisionRule;
use crate::engine::{Cancelled, RunSettings, RunSummary, run_cancellable};
use crate::inventory::Plan;
use crate::optimize::OptimizeError;
use crate::scenario::Scenario;
use crate::sweep::SweepPlan;

/// One scenario file of a sweep, validated: what running (or sharding) its sweep needs.
#[derive(Debug, Clone)]
pub struct SweepJob {
    /// The file as given.
    pub file: std::path::PathBuf,
    /// Its stem: the `scenario` column of `sweep.csv`.
    pub stem: String,
    /// Its text (kept in shards' partial results, so that merge can rebuild the plan).
    pub text: String,
    /// The validated plan of `text`.
    pub plan: SweepPlan,
    /// Seed and paths of every run of this file.
    pub settings: RunSettings,
    /// With `--precision`: each run stops on its own by this rule (`settings.paths` unused).
    pub precision: Option<PrecisionRule>,
}

/// The results of one scenario file's sweep.
#[derive(Debug, Clone)]
pub struct SweepRun {
    /// The file stem (the `scenario` column of `sweep.csv`).
    pub scenario: String,
    /// The validated plan.
    pub plan: SweepPlan,
    /// Seed and paths used for every point.
    pub settings: RunSettings,
    /// One summary per point, in point order.
    pub points: Vec<RunSummary>,
    /// The scenario as written, the base of the one-at-a-time points (run only when there
    /// are one-at-a-time points).
    pub base: Option<RunSummary>,
    /// One summary per one-at-a-time point, in the order of [`SweepPlan::oat`].
    pub oat: Vec<RunSummary>,
}

impl SweepRun {
    /// The fewest and the most paths any point used (equal without `--precision`, where
    /// every point uses `settings.paths`; with it, each point stops on its own).
    pub fn path_range(&self) -> (u64, u64) {
        let used = self.points.iter().map(|s| s.paths);
        match (used.clone().min(), used.max()) {
            (Some(lo), Some(hi)) => (lo, hi),
            _ => (self.settings.paths, self.settings.paths),
        }
    }

    /// Whether the points stopped at a precision (`--precision`) rather than after a fixed
    /// number of paths.
    pub fn to_precision(&self) -> bool {
        self.points.iter().any(|s| s.precision.is_some())
    }

    /// Runs needed: points, the base, the one-at-a-time points.
    pub fn run_count(plan: &SweepPlan) -> u64 {
        let oat = if plan.oat.is_empty() {
            0
        } else {
            1 + plan.oat.len()
        };
        (plan.points.len() + oat) as u64
    }
}

/// The scenarios of the runs of `plan`, in the order the sweep runs them: the points, then
/// (when there are one-at-a-time points) the base scenario and the one-at-a-time points.
pub fn unit_scenarios(plan: &SweepPlan) -> Vec<&Scenario> {
    let mut out: Vec<&Scenario> = plan.points.iter().map(|p| &p.scenario).collect();
    if !plan.oat.is_empty() {
        out.push(&plan.base.scenario);
        out.extend(plan.oat.iter().map(|p| &p.scenario));
    }
    out
}

/// The plan of one run of a sweep, with `retain = "optimal"` resolved; also the resolved
/// levels as (policy index, units).
pub fn resolved_plan(
    scenario: &Scenario,
    settings: RunSettings,
    cancel: &AtomicBool,
) -> Result<(Plan, Vec<(usize, u64)>), Cancelled> {
    let mut plan = Plan::new(scenario).expect("sweep points were validated with their plans");
    // `retain = "optimal"` is chosen for each point anew, on the point's own paths, exactly as
    // `pimsim run` of that point would (validation refuses it together with reviews).
    match crate::optimize::resolve_optimal_retain(scenario, &mut plan, settings, cancel) {
        Ok(resolved) => {
            let levels = resolved
                .iter()
                .map(|(i, o)| (*i, o.best.quantity))
                .collect();
            Ok((plan, levels))
        }
        Err(OptimizeError::Cancelled) => Err(Cancelled),
        Err(e @ OptimizeError::Reviews(_)) => unreachable!("validation refuses it: {e}"),
    }
}

fn run_one(
    scenario: &Scenario,
    settings: RunSettings,
    precision: Option<PrecisionRule>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<RunSummary, Cancelled> {
    let Some(rule) = precision else {
        let (plan, _) = resolved_plan(scenario, settings, cancel)?;
        return run_cancellable(scenario, &plan, settings, progress, cancel).map(slim);
    };
    // Each point stops on its own, as `pimsim run --precision` of it would (its maximum capped
    // by the point's own path limit).
    let rule = PrecisionRule {
        max_paths: rule.max_paths.min(scenario.max_paths()),
        ..rule
    };
    let most = RunSettings {
        paths: rule.max_paths,
        ..settings
    };
    let (plan, _) = resolved_plan(scenario, most, cancel)?;
    crate::engine::run_to_precision(
        scenario,
        &plan,
        settings,
        rule,
        &|_, _| {},
        progress,
        cancel,
    )
    .map(slim)
}

/// Drops the per-time and per-bin series of a point's summary (time series, histograms,
/// stock-out curves, demand by year), which a sweep's outputs do not use, so that memory per
/// point stays a few kilobytes even for large sweeps. Every figure of `policies.csv` stays.
pub fn slim(mut s: RunSummary) -> RunSummary {
    s.timeseries = Vec::new();
    s.demand.annual = Vec::new();
    s.demand.expected_rate = Vec::new();
    s.demand.sample_paths = Vec::new();
    for p in &mut s.policies {
        p.cost_distribution.histogram.bin_edges = Vec::new();
        p.cost_distribution.histogram.counts = Vec::new();
        p.stockout_by_time = Vec::new();
    }
    s
}

/// Runs every point of `plan` (then the base scenario and the one-at-a-time points) with
/// `settings` (or to `precision`, each run on its own). `scenario` names the rows. Stops with
/// [`Cancelled`] when `cancel` is set.
pub fn run_sweep(
    scenario: String,
    plan: SweepPlan,
    settings: RunSettings,
    precision: Option<PrecisionRule>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<SweepRun, Cancelled> {
    let points = plan
        .points
        .iter()
        .map(|p| run_one(&p.scenario, settings, precision, progress, cancel))
        .collect::<Result<Vec<_>, _>>()?;
    let base = if plan.oat.is_empty() {
        None
    } else {
        Some(run_one(
            &plan.base.scenario,
            settings,
            precision,
            progress,
            cancel,
        )?)
    };
    let oat = plan
        .oat
        .iter()
        .map(|p| run_one(&p.scenario, settings, precision, progress, cancel))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(SweepRun {
        scenario,
        plan,
        settings,
        points,
        base,
        oat,
    })
}
