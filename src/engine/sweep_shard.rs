//! Sweep shards: a sweep (one or several scenario files) cut into slices of whole runs that
//! run anywhere and merge into exactly the outputs of one `pimsim sweep`.
//!
//! The runs of a sweep, over all its files in order, are its units: per file its points, then
//! (when there are one-at-a-time points) the base scenario and the one-at-a-time points, the
//! order of [`super::sweep::run_sweep`]. Of `U` units, shard `k` of `n` runs the units
//! `⌊U·k/n⌋ .. ⌊U·(k+1)/n⌋` (some shards are empty when `n > U`), each exactly as the
//! single-machine sweep runs it: `retain = "optimal"` resolved on the point's own paths, then
//! every path. A [`PartialSweep`] keeps, per unit, the engine's exact totals and the resolved
//! levels; [`merge_sweep`] rebuilds each file's plan from the text stored in the partials and
//! summarises the totals with the code of a single run, so the merged [`SweepRun`]s — and
//! `sweep.csv`, `sweep_oat.csv`, `sweep.json` and the report — are the same bits as a single
//! sweep's for any `n` and any thread count.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::shard::{Fnv, MergeError, PARTIAL_FORMAT, Partial, Shard, complete_set};
use super::sweep::{SweepRun, resolved_plan, slim, unit_scenarios};
use super::{BLOCK_PATHS, Cancelled, RunSettings, Totals, simulate_run, summarize_run};
use crate::inventory::Plan;
use crate::retention::RetainRule;
use crate::scenario::sweep::SweepPlan;

/// The `kind` of a sweep's partial result.
pub const SWEEP_KIND: &str = "sweep";

/// One scenario file of a sweep to shard: what [`run_sweep_shard`] needs of it.
#[derive(Debug, Clone)]
pub struct SweepInput {
    /// The file as given.
    pub file: PathBuf,
    /// Its stem: the `scenario` column of `sweep.csv`.
    pub stem: String,
    /// Its text, kept in the partial so that merge can rebuild the plan.
    pub text: String,
    /// The validated plan of `text`.
    pub plan: SweepPlan,
    /// Seed and paths of every run of this file.
    pub settings: RunSettings,
}

/// One scenario file of a sharded sweep, as recorded in every partial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepFile {
    /// The file as given to the shard.
    pub scenario_file: PathBuf,
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
struct UnitTotals {
    unit: u64,
    retained: Vec<(usize, u64)>,
    totals: Totals,
}

/// One shard's units of a sweep, with everything needed to check and merge them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialSweep {
    /// [`SWEEP_KIND`]: tells `pimsim merge` which kind of partial this is.
    pub kind: String,
    /// [`PARTIAL_FORMAT`].
    pub format: u32,
    /// The pimsim version that wrote it.
    pub pimsim_version: String,
    /// [`sweep_fingerprint`] in hexadecimal.
    pub fingerprint: String,
    /// The sweep's files, in order.
    pub files: Vec<SweepFile>,
    /// Which shard this is.
    pub shard: Shard,
    /// The units it covers, out of all units of all files.
    pub units: Range<u64>,
    /// One result per unit of `units`, in order.
    runs: Vec<UnitTotals>,
}

/// Fingerprint of a sharded sweep: FNV-1a (64 bits) over the kind, the version, every file's
/// stem, text, seed and paths, the block size and the shard count. It detects mixing parts of
/// different sweeps; it is not a cryptographic signature.
pub fn sweep_fingerprint(files: &[SweepFile], shards: u64) -> String {
    let mut hash = Fnv::new();
    hash.feed(SWEEP_KIND.as_bytes());
    hash.feed(&[0]);
    hash.feed(env!("CARGO_PKG_VERSION").as_bytes());
    hash.feed(&[0]);
    hash.feed(&(files.len() as u64).to_le_bytes());
    for f in files {
        hash.feed(f.scenario.as_bytes());
        hash.feed(&[0]);
        hash.feed(f.scenario_text.as_bytes());
        hash.feed(&[0]);
        hash.feed(&f.seed.to_le_bytes());
        hash.feed(&f.paths.to_le_bytes());
    }
    for x in [BLOCK_PATHS, shards] {
        hash.feed(&x.to_le_bytes());
    }
    hash.hex()
}

/// Every unit of `inputs` in order: (file index, the unit's scenario).
fn units(inputs: &[SweepInput]) -> Vec<(usize, &crate::scenario::Scenario)> {
    inputs
        .iter()
        .enumerate()
        .flat_map(|(f, input)| unit_scenarios(&input.plan).into_iter().map(move |s| (f, s)))
        .collect()
}

/// The units of shard `shard` of the sweep of `inputs`, and the paths they simulate (for a
/// progress bar).
pub fn shard_units(inputs: &[SweepInput], shard: Shard) -> (Range<u64>, u64) {
    let all = units(inputs);
    let range = shard.blocks(all.len() as u64);
    let paths = all[range.start as usize..range.end as usize]
        .iter()
        .map(|(f, _)| inputs[*f].settings.paths)
        .sum();
    (range, paths)
}

/// Runs shard `shard` of the sweep of `inputs` (every run of its units, as [`SweepRun`] does),
/// stopping early with [`Cancelled`] when `cancel` becomes true.
pub fn run_sweep_shard(
    inputs: &[SweepInput],
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<PartialSweep, Cancelled> {
    let all = units(inputs);
    let range = shard.blocks(all.len() as u64);
    let mut runs = Vec::new();
    for unit in range.clone() {
        let (f, scenario) = all[unit as usize];
        let settings = inputs[f].settings;
        let (plan, retained) = resolved_plan(scenario, settings, cancel)?;
        let totals = simulate_run(scenario, &plan, settings, progress, cancel)?;
        runs.push(UnitTotals {
            unit,
            retained,
            totals,
        });
    }
    let files: Vec<SweepFile> = inputs
        .iter()
        .map(|i| SweepFile {
            scenario_file: i.file.clone(),
            scenario: i.stem.clone(),
            scenario_text: i.text.clone(),
            seed: i.settings.seed,
            paths: i.settings.paths,
            runs: SweepRun::run_count(&i.plan),
        })
        .collect();
    Ok(PartialSweep {
        kind: SWEEP_KIND.to_string(),
        format: PARTIAL_FORMAT,
        pimsim_version: env!("CARGO_PKG_VERSION").to_string(),
        fingerprint: sweep_fingerprint(&files, shard.count),
        files,
        shard,
        units: range,
        runs,
    })
}

impl Partial for PartialSweep {
    fn format(&self) -> u32 {
        self.format
    }

    fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn shard(&self) -> Shard {
        self.shard
    }

    fn check(&self) -> Result<(), String> {
        let total: u64 = self.files.iter().map(|f| f.runs).sum();
        let in_order = self
            .runs
            .iter()
            .map(|r| r.unit)
            .eq(self.units.start..self.units.end);
        if self.kind != SWEEP_KIND
            || self.fingerprint != sweep_fingerprint(&self.files, self.shard.count)
            || self.units != self.shard.blocks(total)
            || !in_order
        {
            return Err("its header does not match its contents (edited or truncated?)".into());
        }
        Ok(())
    }
}

/// Checks that `partials` (each with the file it came from) are exactly the shards of one
/// sweep and merges them into the [`SweepRun`]s of a single `pimsim sweep`, one per file.
pub fn merge_sweep(partials: Vec<(PathBuf, PartialSweep)>) -> Result<Vec<SweepRun>, MergeError> {
    let partials = complete_set(partials)?;
    let first_file = partials[0].0.clone();
    let files = partials[0].1.files.clone();
    let inconsistent = |reason: String| MergeError::Inconsistent {
        file: first_file.clone(),
        reason,
    };
    let mut results = partials.into_iter().flat_map(|(_, p)| p.runs);
    let mut runs = Vec::new();
    for f in &files {
        let plan = SweepPlan::from_toml(&f.scenario_file, &f.scenario_text)
            .map_err(|e| inconsistent(format!("its scenario no longer validates: {e}")))?;
        let settings = RunSettings {
            paths: f.paths,
            seed: f.seed,
            threads: 1,
        };
        let scenarios = unit_scenarios(&plan);
        if scenarios.len() as u64 != f.runs {
            return Err(inconsistent(format!(
                "{}: {} runs recorded, but its sweep has {} (another pimsim version?)",
                f.scenario_file.display(),
                f.runs,
                scenarios.len()
            )));
        }
        let mut summaries = Vec::with_capacity(scenarios.len());
        for scenario in scenarios {
            let unit = results
                .next()
                .ok_or_else(|| inconsistent("fewer runs than the sweep has".into()))?;
            let mut run_plan = Plan::new(scenario)
                .map_err(|(i, e)| inconsistent(format!("unit {}: policy[{i}]: {e}", unit.unit)))?;
            for &(i, units) in &unit.retained {
                let optimal = scenario
                    .policies
                    .get(i)
                    .is_some_and(|p| p.retain == Some(RetainRule::Optimal));
                if !optimal {
                    return Err(inconsistent(format!(
                        "unit {}: a resolved level for policy[{i}], which has no \
                         retain = \"optimal\"",
                        unit.unit
                    )));
                }
                for d in &mut run_plan.policies[i].dispositions {
                    d.retained = units;
                }
            }
            summaries.push(slim(summarize_run(
                scenario,
                &run_plan,
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
        return Err(inconsistent("more runs than the sweep has".into()));
    }
    Ok(runs)
}
