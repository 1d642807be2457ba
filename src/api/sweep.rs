//! `sweep`: every point of each scenario file's `[sweep]` table on the same demand paths; and
//! one shard of a sweep.

use std::path::PathBuf;

use super::{Control, RunOptions};
use crate::error::{Error, InputError, Problem};
use crate::scenario::{LoadError, Scenario};
use crate::shard::Shard;
use crate::shard::sweep::SweepPartial;
use crate::sweep::SweepPlan;
use crate::sweep::run::{SweepJob, SweepRun, run_sweep};

/// The stem of a scenario file: the `scenario` column of `sweep.csv`.
pub fn stem_of(path: &std::path::Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into())
}

/// Reads and validates the sweep of every file in `inputs` (files, or directories whose
/// `*.toml` files are taken in name order), with the paths and seed of `options`. Every problem
/// of every file is reported at once; two files with the same stem are refused (their rows of
/// `sweep.csv` could not be told apart). The warnings of each file are in its
/// `plan.base.warnings`.
pub fn load(
    inputs: &[PathBuf],
    options: &RunOptions,
    control: &Control,
) -> Result<Vec<SweepJob>, Error> {
    let files = super::scenario_files(inputs)?;
    let mut texts = Vec::with_capacity(files.len());
    for f in files {
        control.check()?;
        let text = Scenario::read_text(&f)?;
        texts.push((f, text));
    }
    load_texts(texts, options, control)
}

/// [`load`] of scenario texts (`(name, text)`: the name is used in messages and gives the
/// `scenario` column), e.g. scenarios built by a caller in memory.
pub fn load_texts(
    texts: Vec<(PathBuf, String)>,
    options: &RunOptions,
    control: &Control,
) -> Result<Vec<SweepJob>, Error> {
    let mut plans = Vec::new();
    let mut problems: Vec<Problem> = Vec::new();
    let files: Vec<PathBuf> = texts.iter().map(|(f, _)| f.clone()).collect();
    for (f, text) in texts {
        let f = &f;
        // Validating every point can take long (exact quantiles): it stops when cancelled.
        match SweepPlan::from_toml_cancellable(f, &text, control.cancel_flag(), &|_| {}) {
            Ok(plan) => plans.push((plan, text)),
            Err(LoadError::Input(InputError::Problems(p))) => problems.extend(p),
            Err(LoadError::Input(e)) => return Err(e.into()),
            Err(LoadError::Cancelled) => return Err(Error::Cancelled),
        }
    }
    if !problems.is_empty() {
        return Err(InputError::Problems(problems).into());
    }
    let mut jobs: Vec<SweepJob> = Vec::new();
    for (file, (plan, text)) in files.iter().zip(plans) {
        let stem = stem_of(file);
        if jobs.iter().any(|j| j.stem == stem) {
            return Err(InputError::Mismatch(format!(
                "two scenario files are named {stem}.toml; the `scenario` column of sweep.csv \
                 could not tell them apart (rename one)"
            ))
            .into());
        }
        let settings = options.settings(&plan.base.scenario.simulation);
        let precision = options.precision_rule(&plan.base.scenario)?;
        let max_paths = plan
            .points
            .iter()
            .map(|p| p.scenario.max_paths())
            .chain(plan.oat.iter().map(|p| p.scenario.max_paths()))
            .chain([plan.base.scenario.max_paths()])
            .min()
            .unwrap_or(u64::MAX);
        if precision.is_none() && settings.paths > max_paths {
            return Err(super::too_many_paths(
                "--paths".into(),
                settings.paths,
                format!(
                    "too many paths for the volumes of {stem}.toml at some sweep point: the exact \
                     unit counters would overflow; at most {max_paths} paths"
                ),
            ));
        }
        jobs.push(SweepJob {
            file: file.clone(),
            stem,
            text,
            plan,
            settings,
            precision,
        });
    }
    Ok(jobs)
}

/// Point-paths of all of `jobs` (for a progress display).
pub fn point_paths(jobs: &[SweepJob]) -> u64 {
    jobs.iter()
        .map(|j| SweepRun::run_count(&j.plan).saturating_mul(j.settings.paths))
        .fold(0, u64::saturating_add)
}

/// Runs every point of every job (then each file's base scenario and one-at-a-time points),
/// one file after the other.
pub fn sweep(jobs: Vec<SweepJob>, control: &Control) -> Result<Vec<SweepRun>, Error> {
    control.start(point_paths(&jobs), "point-paths", None);
    let mut runs = Vec::with_capacity(jobs.len());
    for j in jobs {
        runs.push(run_sweep(
            j.stem,
            j.plan,
            j.settings,
            j.precision,
            &|n| control.done(n),
            control.cancel_flag(),
        )?);
    }
    control.check()?;
    Ok(runs)
}

/// Runs shard `shard` of the sweep of `jobs`: its slice of the sweep's runs, as a partial
/// result for `merge`.
pub fn sweep_shard(
    jobs: &[SweepJob],
    shard: Shard,
    control: &Control,
) -> Result<SweepPartial, Error> {
    if let Some(j) = jobs.iter().find(|j| j.precision.is_some()) {
        let options = RunOptions {
            precision: j.precision.map(|r| r.target),
            ..RunOptions::default()
        };
        options.precision_with_shards()?;
    }
    let (_, paths) = crate::shard::sweep::shard_units(jobs, shard);
    control.start(paths, "point-paths", None);
    let partial =
        crate::shard::sweep::run_shard(jobs, shard, &|n| control.done(n), control.cancel_flag())?;
    control.check()?;
    Ok(partial)
}
