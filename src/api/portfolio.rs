//! `portfolio`: every part of a parts list simulated with a template scenario, a recommended
//! policy per part, totals and ABC/XYZ classes; and one shard of a portfolio.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::{Control, RunOptions, ScenarioFile};
use crate::error::{Error, InputError, Problem};
use crate::portfolio::input::{PartsInput, read_parts};
use crate::portfolio::{self as pf, Portfolio, PortfolioError, PortfolioMeta};
use crate::scenario::Scenario;
use crate::shard::Shard;
use crate::shard::portfolio::{PortfolioPartial, partial, shard_parts};

/// A portfolio's inputs, read and validated: the template and every part's scenario.
#[derive(Debug, Clone)]
pub struct PortfolioInput {
    /// The template scenario.
    pub template: ScenarioFile,
    /// The parts files, joined on `part`, every part's scenario validated.
    pub parts: PartsInput,
}

impl PortfolioInput {
    /// The warnings of the parts' scenarios, part by part (the template's and the files' are
    /// in `template.loaded.warnings` and `parts.warnings`).
    pub fn part_warnings(&self) -> impl Iterator<Item = &Problem> {
        self.parts.parts.iter().flat_map(|p| &p.warnings)
    }
}

/// How to simulate a portfolio: the command line's flags of `pimsim portfolio`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PortfolioOptions {
    /// Paths per part, the portfolio seed (each part's seed derives from it), threads.
    pub run: RunOptions,
    /// Recommend the cheapest policy whose fill rate is at least this.
    pub fill_rate_target: Option<f64>,
}

/// Reads the template and the parts files (joined on `part`) and validates every part's
/// scenario, with `threads` workers (0 = one per core).
pub fn load(parts: &[PathBuf], template: &Path, threads: usize) -> Result<PortfolioInput, Error> {
    let template = template_file(template, Scenario::read_text(template)?)?;
    let pool = pf::thread_pool(threads);
    let parts = pool.install(|| read_parts(parts, template.path(), &template.text))?;
    Ok(PortfolioInput { template, parts })
}

/// [`load`] of parts lists and a template given as text (`(name, text)`; names are used in
/// messages), e.g. data frames written as CSV by a caller.
pub fn load_texts(
    parts: Vec<(PathBuf, String)>,
    template: (PathBuf, String),
    threads: usize,
) -> Result<PortfolioInput, Error> {
    let template = template_file(&template.0, template.1)?;
    let (names, texts): (Vec<PathBuf>, Vec<String>) = parts.into_iter().unzip();
    let pool = pf::thread_pool(threads);
    let parts = pool.install(|| {
        crate::portfolio::input::read_parts_texts(&names, texts, template.path(), &template.text)
    })?;
    Ok(PortfolioInput { template, parts })
}

/// The template scenario: one scenario, without `[sweep]`.
fn template_file(template: &Path, text: String) -> Result<ScenarioFile, Error> {
    if super::has_sweep(&text) {
        return Err(InputError::Flag {
            flag: "--template".into(),
            value: template.display().to_string(),
            message: "the template has a [sweep] table; a portfolio template is one scenario \
                      (remove [sweep])"
                .into(),
        }
        .into());
    }
    Ok(ScenarioFile::from_text(template, text)?)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The names and settings every output of the portfolio carries.
fn meta(input: &PortfolioInput, options: &PortfolioOptions) -> PortfolioMeta {
    let template = input.template.scenario();
    let settings = options.run.settings(&template.simulation);
    PortfolioMeta {
        template: file_name(input.template.path()),
        parts_files: input.parts.files.iter().map(|p| file_name(p)).collect(),
        columns: input.parts.columns.iter().map(|c| c.name.clone()).collect(),
        fit_columns: input
            .parts
            .fit_columns
            .iter()
            .map(|c| c.name.clone())
            .collect(),
        policies: template
            .policies
            .iter()
            .map(|p| (p.name.clone(), p.kind.as_str().to_string()))
            .collect(),
        currency: template.report.currency_label().to_string(),
        paths: settings.paths,
        seed: settings.seed,
        fill_rate_target: options.fill_rate_target,
    }
}

/// Refuses a path count above what some part's volumes allow.
fn check_paths(input: &PortfolioInput, paths: u64) -> Result<(), Error> {
    match input
        .parts
        .parts
        .iter()
        .find(|p| paths > p.scenario.max_paths())
    {
        None => Ok(()),
        Some(p) => Err(super::too_many_paths(
            "--paths".into(),
            paths,
            format!(
                "too many paths for the volumes of part {}: the exact unit counters would \
                 overflow; at most {} paths",
                p.part,
                p.scenario.max_paths()
            ),
        )),
    }
}

/// Simulates the parts `range` of `input` in parallel.
fn run_range(
    input: &PortfolioInput,
    options: &PortfolioOptions,
    range: Range<usize>,
    control: &Control,
) -> Result<Vec<pf::PartResult>, Error> {
    let settings = options.run.settings(&input.template.scenario().simulation);
    // Each part stops on its own; its maximum is capped by its own path limit in `run_part`.
    let precision = options.run.precision_rule(input.template.scenario())?;
    if precision.is_none() {
        check_paths(input, settings.paths)?;
    }
    control.check()?;
    control.start(range.len() as u64, "parts", None);
    let pool = pf::thread_pool(settings.threads);
    let results = pool.install(|| {
        pf::run_parts(
            &input.parts.parts[range],
            settings.paths,
            settings.seed,
            precision,
            &|n| control.done(n),
            control.cancel_flag(),
        )
    });
    let results = results.map_err(|e| match e {
        PortfolioError::Cancelled => Error::Cancelled,
        PortfolioError::NotFinite { part, message } => {
            Error::Internal(format!("part {part}: {message}"))
        }
    })?;
    control.check()?;
    Ok(results)
}

/// Simulates every part of `input`.
pub fn portfolio(
    input: &PortfolioInput,
    options: &PortfolioOptions,
    control: &Control,
) -> Result<Portfolio, Error> {
    let parts = run_range(input, options, 0..input.parts.parts.len(), control)?;
    Ok(Portfolio {
        meta: meta(input, options),
        parts,
    })
}

/// The parts that shard `shard` of `input` simulates.
pub fn shard_range(input: &PortfolioInput, shard: Shard) -> Range<usize> {
    shard_parts(shard, input.parts.parts.len())
}

/// Simulates shard `shard` of the portfolio: its slice of the parts, as a partial result for
/// `merge`.
pub fn portfolio_shard(
    input: &PortfolioInput,
    options: &PortfolioOptions,
    shard: Shard,
    control: &Control,
) -> Result<PortfolioPartial, Error> {
    let count = input.parts.parts.len();
    let results = run_range(input, options, shard_parts(shard, count), control)?;
    Ok(partial(
        &input.template.text,
        &input.parts.texts,
        meta(input, options),
        shard,
        count,
        results,
    ))
}

/// The scenario file of each part of `range` (`portfolio --scenarios`): the template with the
/// part's row, and `[simulation]` set to the paths and the part's seed, so that `pimsim run`
/// of it reproduces the part; with a safe, unique file name each (`<part>.toml`).
pub fn part_scenarios(
    input: &PortfolioInput,
    options: &PortfolioOptions,
    range: Range<usize>,
) -> Vec<(String, String)> {
    let settings = options.run.settings(&input.template.scenario().simulation);
    let parts = &input.parts.parts[range];
    let ids: Vec<&str> = parts.iter().map(|p| p.part.as_str()).collect();
    crate::output::fit::part_file_names(&ids, &[])
        .into_iter()
        .zip(parts)
        .map(|(name, p)| {
            (
                name,
                crate::output::portfolio::part_scenario_file(p, settings.paths, settings.seed),
            )
        })
        .collect()
}
