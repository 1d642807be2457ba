//! `run`: simulate a scenario and compare its policies; and one shard of such a run.

use super::{Control, RunOptions, ScenarioFile, paths_source, too_many_paths};
use crate::engine::{self, RunSettings, RunSummary};
use crate::error::{Error, InputError};
use crate::inventory::Plan;
use crate::optimize::{OPTIMAL_RETAIN_PATHS, OptimizeError};
use crate::retention::RetainRule;
use crate::scenario::{LoadError, Scenario};
use crate::shard::Shard;
use crate::shard::run::RunPartial;

/// A policy's `retain = "optimal"` as the optimiser resolved it before the run.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedRetain {
    /// The policy.
    pub policy: String,
    /// The retained level chosen (units).
    pub units: u64,
    /// Its mean total cost on the paths it was chosen on (currency).
    pub mean_cost: f64,
    /// Those paths: the first min(run paths, [`OPTIMAL_RETAIN_PATHS`]).
    pub paths: u64,
    /// Quantities evaluated.
    pub candidates: u64,
    /// Engine passes.
    pub passes: u32,
}

/// What a run found.
#[derive(Debug, Clone)]
pub struct RunResult {
    /// The summary: everything `summary.json`, `policies.csv`, `timeseries.csv` and the report
    /// show.
    pub summary: RunSummary,
    /// The `retain = "optimal"` levels resolved before the run.
    pub resolved: Vec<ResolvedRetain>,
    /// Paths, seed and threads used.
    pub settings: RunSettings,
}

/// The plan of `file`: retained levels computed (exact quantiles can take a while: the
/// computation stops when the caller cancels). A retained level that cannot be computed is an
/// input error at the policy's `retain` in the file, with line and column.
pub fn plan(file: &ScenarioFile, control: &Control) -> Result<Plan, Error> {
    Plan::of_cancellable(&file.loaded, control.cancel_flag()).map_err(|e| match e {
        LoadError::Cancelled => Error::Cancelled,
        LoadError::Input(e) => Error::Input(e),
    })
}

/// The settings of a run of `file` with `options`, checked against the scenario's volumes.
pub fn settings_of(file: &ScenarioFile, options: &RunOptions) -> Result<RunSettings, Error> {
    let scenario = file.scenario();
    let settings = options.settings(&scenario.simulation);
    let max_paths = scenario.max_paths();
    if settings.paths > max_paths {
        return Err(too_many_paths(
            paths_source(options, file.path()),
            settings.paths,
            format!(
                "too many paths for this scenario's volumes: the exact unit counters would \
                 overflow; at most {max_paths} paths (about {:.3e} units per path)",
                scenario.units_per_path_bound()
            ),
        ));
    }
    Ok(settings)
}

/// Whether a policy of `scenario` has `retain = "optimal"`.
fn has_optimal(scenario: &Scenario) -> bool {
    scenario
        .policies
        .iter()
        .any(|p| p.retain == Some(RetainRule::Optimal))
}

/// The plan of a run with every `retain = "optimal"` resolved (on the run's own first paths).
fn resolved_plan(
    file: &ScenarioFile,
    settings: RunSettings,
    control: &Control,
) -> Result<(Plan, Vec<ResolvedRetain>), Error> {
    let scenario = file.scenario();
    let mut plan = plan(file, control)?;
    let resolved = crate::optimize::resolve_optimal_retain(
        scenario,
        &mut plan,
        settings,
        control.cancel_flag(),
    )
    .map_err(|e| match e {
        OptimizeError::Cancelled => Error::Cancelled,
        other => Error::Internal(other.to_string()),
    })?;
    let resolved = resolved
        .into_iter()
        .map(|(_, o)| ResolvedRetain {
            policy: o.policy,
            units: o.best.quantity,
            mean_cost: o.best.total_cost,
            paths: settings.paths.min(OPTIMAL_RETAIN_PATHS),
            candidates: o.search.candidates,
            passes: o.search.passes,
        })
        .collect();
    control.check()?;
    Ok((plan, resolved))
}

/// Simulates every policy of `file` on the same demand paths and summarises them.
pub fn run(
    file: &ScenarioFile,
    options: &RunOptions,
    control: &Control,
) -> Result<RunResult, Error> {
    let settings = settings_of(file, options)?;
    if let Some(rule) = options.precision_rule(file.scenario())? {
        // `retain = "optimal"` is resolved on the paths the run may use at most (the first
        // min(max paths, OPTIMAL_RETAIN_PATHS)), before the stopping point is known.
        let most = RunSettings {
            paths: rule.max_paths,
            ..settings
        };
        let (plan, resolved) = resolved_plan(file, most, control)?;
        let summary = engine::run_to_precision(
            file.scenario(),
            &plan,
            settings,
            rule,
            &|from, to| {
                let label = format!("paths {from}..{to} (precision {})", rule.target);
                control.start(to - from, "paths", Some(&label));
            },
            &|n| control.done(n),
            control.cancel_flag(),
        )?;
        return Ok(RunResult {
            settings: RunSettings {
                paths: summary.paths,
                ..settings
            },
            summary,
            resolved,
        });
    }
    let (plan, resolved) = resolved_plan(file, settings, control)?;
    control.start(settings.paths, "paths", None);
    let summary = engine::run_cancellable(
        file.scenario(),
        &plan,
        settings,
        &|n| control.done(n),
        control.cancel_flag(),
    )?;
    Ok(RunResult {
        summary,
        resolved,
        settings,
    })
}

/// Simulates shard `shard` of the run of `file` with `options`: its slice of the path blocks,
/// as a partial result for `merge`.
pub fn run_shard(
    file: &ScenarioFile,
    options: &RunOptions,
    shard: Shard,
    control: &Control,
) -> Result<RunPartial, Error> {
    options.precision_with_shards()?;
    let settings = settings_of(file, options)?;
    if has_optimal(file.scenario()) {
        return Err(InputError::Flag {
            flag: "--shard".into(),
            value: file.path().display().to_string(),
            message: "a policy has retain = \"optimal\", which is resolved before a whole run; \
                      run it without shards, or give R as the number `pimsim optimize` finds"
                .into(),
        }
        .into());
    }
    let plan = plan(file, control)?;
    let blocks = shard.blocks(engine::block_count(settings.paths));
    let paths = (blocks.end * engine::BLOCK_PATHS).min(settings.paths)
        - (blocks.start * engine::BLOCK_PATHS).min(settings.paths);
    control.start(paths, "paths", None);
    Ok(crate::shard::run::run_shard(
        &file.loaded,
        &file.text,
        &plan,
        settings,
        shard,
        &|n| control.done(n),
        control.cancel_flag(),
    )?)
}
