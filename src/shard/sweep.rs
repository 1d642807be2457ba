//! Sweep shards: a sweep (one or several scenario files) cut into slices of whole runs that
//! run anywhere and merge into exactly the outputs of one `pimsim sweep`.
//!
//! The runs of a sweep, over all its files in order, are its units: per file its points, then
//! (when there are one-at-a-time points) the base scenario and the one-at-a-time points, the
//! order of [`crate::sweep::run::run_sweep`]. Of `U` units, shard `k` of `n` runs the units
//! `⌊U·k/n⌋ .. ⌊U·(k+1)/n⌋` (some shards are empty when `n > U`), each exactly as the
//! single-machine sweep runs it: `retain = "optimal"` resolved on the point's own paths, then
//! every path. A [`SweepPartial`] keeps, per unit, the engine's exact totals and the resolved
//! levels; [`merge`] rebuilds each file's plan from the text stored in the partials and
//! summarises the totals with the code of a single run, so the merged [`SweepRun`]s — and
//! `sweep.csv`, `sweep_oat.csv`, `sweep.json` and the report — are the same bits as a single
//! sweep's for any `n` and any thread count.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::{Fingerprint, MergeError, Partial, Read, Shard, complete_set};
use crate::engine::{self, Cancelled, RunSettings, Totals, block_count, simulate_run};
use crate::inventory::Plan;
use crate::retention::RetainRule;
use crate::scenario::Scenario;
use crate::sweep::SweepPlan;
use crate::sweep::run::{SweepJob, SweepRun, resolved_plan, slim, unit_scenarios};

/// One scenario file of a sharded sweep, as recorded in every partial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepFile {
    /// The file's name (without directories), for messages.
    pub scenario_file: String,
    /// Its stem (the `scenario` column of `sweep.csv`).
    pub scenario: String,
    /// Its text.
    pub scenario_text: String,
    /// Seed of its runs.
    pub seed: u64,
    /// Paths of each of its runs.
    pub paths: u64,
    /// Number of its runs (units).
    pub runs: u64,
}

/// The exact result of one unit: its global index, the levels of `retain = "optimal"`
/// (policy index, units) it resolved, and the engine's totals of all its paths.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitTotals {
    unit: u64,
    retained: Vec<(usize, u64)>,
    totals: Totals,
}

/// One shard's units of a sweep, with everything needed to check and merge them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepPartial {
    /// The sweep's files, in order.
    pub files: Vec<SweepFile>,
    /// Which shard this is.
    pub shard: Shard,
    /// The units it covers, out of all units of all files.
    pub units: Range<u64>,
    /// One result per unit of `units`, in order.
    pub runs: Vec<UnitTotals>,
}

impl Partial for SweepPartial {
    const KIND: &'static str = "sweep";

    fn shard(&self) -> Shard {
        self.shard
    }

    fn identity(&self, hash: &mut Fingerprint) {
        hash.number(self.files.len() as u64);
        for f in &self.files {
            hash.feed(f.scenario_file.as_bytes());
            hash.feed(f.scenario.as_bytes());
            hash.feed(f.scenario_text.as_bytes());
            hash.number(f.seed);
            hash.number(f.paths);
            hash.number(f.runs);
        }
    }

    fn check(&self) -> Result<(), String> {
        let total = self
            .files
            .iter()
            .try_fold(0u64, |sum, f| sum.checked_add(f.runs));
        let in_order = self
            .runs
            .iter()
            .map(|r| r.unit)
            .eq(self.units.start..self.units.end);
        let consistent = self.shard.index < self.shard.count
            && total.is_some_and(|t| self.units == self.shard.blocks(t))
            && in_order;
        if !consistent {
            return Err("its header does not match its contents (edited or truncated?)".into());
        }
        Ok(())
    }
}

/// Every unit of `jobs` in order: (file index, the unit's scenario).
fn units(jobs: &[SweepJob]) -> Vec<(usize, &Scenario)> {
    jobs.iter()
        .enumerate()
        .flat_map(|(f, job)| unit_scenarios(&job.plan).into_iter().map(move |s| (f, s)))
        .collect()
}

/// The units of shard `shard` of the sweep of `jobs`, and the paths they simulate (for a
/// progress bar).
pub fn shard_units(jobs: &[SweepJob], shard: Shard) -> (Range<u64>, u64) {
    let all = units(jobs);
    let range = shard.blocks(all.len() as u64);
    let paths = all[range.start as usize..range.end as usize]
        .iter()
        .map(|(f, _)| jobs[*f].settings.paths)
        .sum();
    (range, paths)
}

/// The name of `path` without its directories.
fn file_name(path: &Path) -> String {
    super::run::file_name(path)
}

/// Runs shard `shard` of the sweep of `jobs` (every run of its units, as [`SweepRun`] does),
/// stopping early with [`Cancelled`] when `cancel` becomes true.
pub fn run_shard(
    jobs: &[SweepJob],
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<SweepPartial, Cancelled> {
    let all = units(jobs);
    let range = shard.blocks(all.len() as u64);
    let mut runs = Vec::new();
    for unit in range.clone() {
        let (f, scenario) = all[unit as usize];
        let settings = jobs[f].settings;
        let (plan, retained) = resolved_plan(scenario, settings, cancel)?;
        let totals = simulate_run(scenario, &plan, settings, progress, cancel)?;
        runs.push(UnitTotals {
            unit,
            retained,
            totals,
        });
    }
    let files: Vec<SweepFile> = jobs
        .iter()
        .map(|j| SweepFile {
            scenario_file: file_name(&j.file),
            scenario: j.stem.clone(),
            scenario_text: j.text.clone(),
            seed: j.settings.seed,
            paths: j.settings.paths,
            runs: SweepRun::run_count(&j.plan),
        })
        .collect();
    Ok(SweepPartial {
        files,
        shard,
        units: range,
        runs,
    })
}

/// The plan of one unit: the scenario's, with the levels of `retain = "optimal"` the shard
/// resolved (each checked to belong to such a policy).
fn unit_plan(scenario: &Scenario, unit: &UnitTotals) -> Result<Plan, String> {
    let mut plan = Plan::new(scenario).map_err(|(i, e)| format!("policy[{i}]: {e}"))?;
    for &(i, units) in &unit.retained {
        let optimal = scenario
            .policies
            .get(i)
            .is_some_and(|p| p.retain == Some(RetainRule::Optimal));
        if !optimal {
            return Err(format!(
                "a resolved level for policy[{i}], which has no retain = \"optimal\""
            ));
        }
        for d in &mut plan.policies[i].dispositions {
            d.retained = units;
        }
    }
    Ok(plan)
}

/// Checks that `partials` are exactly the shards of one sweep, checks every unit's totals
/// against its scenario, and merges them into the [`SweepRun`]s of a single `pimsim sweep`,
/// one per file.
pub fn merge(partials: Vec<Read<SweepPartial>>) -> Result<Vec<SweepRun>, MergeError> {
    let partials = complete_set(partials)?;
    let first_file = partials[0].file.clone();
    let files = partials[0].body.files.clone();
    let inconsistent = |file: &PathBuf, reason: String| MergeError::Inconsistent {
        file: file.clone(),
        reason,
    };
    let mut results = partials
        .into_iter()
        .flat_map(|p| p.body.runs.into_iter().map(move |u| (p.file.clone(), u)));
    let mut runs = Vec::new();
    for f in &files {
        let plan =
            SweepPlan::from_toml(Path::new(&f.scenario_file), &f.scenario_text).map_err(|e| {
                inconsistent(&first_file, format!("its scenario does not validate: {e}"))
            })?;
        let settings = RunSettings {
            paths: f.paths,
            seed: f.seed,
            threads: 1,
        };
        let scenarios = unit_scenarios(&plan);
        if scenarios.len() as u64 != f.runs {
            return Err(inconsistent(
                &first_file,
                format!(
                    "{}: {} runs recorded, but its sweep has {}",
                    f.scenario_file,
                    f.runs,
                    scenarios.len()
                ),
            ));
        }
        let mut summaries = Vec::with_capacity(scenarios.len());
        for scenario in scenarios {
            let (file, unit) = results
                .next()
                .ok_or_else(|| inconsistent(&first_file, "fewer runs than the sweep has".into()))?;
            let whole = 0..block_count(settings.paths);
            let fits = f.paths > 0 && f.paths <= scenario.max_paths();
            let plan = unit_plan(scenario, &unit)
                .and_then(|plan| {
                    if !fits {
                        return Err("its path count is not one pimsim runs".into());
                    }
                    engine::check_totals(scenario, &plan, settings, whole, &unit.totals)?;
                    Ok(plan)
                })
                .map_err(|reason| inconsistent(&file, format!("unit {}: {reason}", unit.unit)))?;
            summaries.push(slim(engine::summarize_run(
                scenario,
                &plan,
                settings,
                &unit.totals,
            )));
        }
        let oat = summaries.split_off(plan.points.len());
        let mut oat = oat.into_iter();
        let base = oat.next();
        runs.push(SweepRun {
            scenario: f.scenario.clone(),
            plan,
            settings,
            points: summaries,
            base,
            oat: oat.collect(),
        });
    }
    if results.next().is_some() {
        return Err(inconsistent(
            &first_file,
            "more runs than the sweep has".into(),
        ));
    }
    Ok(runs)
}
