//! `optimize`: the retained level (scrap, partner release) or last-time buy (hold) of least
//! mean total cost, optionally under a fill-rate target, with the whole cost/fill-rate
//! frontier.

use super::run::{plan, settings_of};
use super::{Control, RunOptions, ScenarioFile};
use crate::engine::RunSettings;
use crate::error::{Error, InputError};
use crate::optimize::{
    Method, OptimizeError, OptimizeProgress, OptimizeReport, initial_upper, optimisable_policies,
    quantity_kind,
};

/// Most quantities a full scan (`--full-scan`) evaluates for one policy: beyond it the scan
/// would take thousands of engine passes; the zooming grid needs a few.
pub const MAX_FULL_SCAN: u64 = 100_000;

/// What to optimise and how: the command line's flags of `pimsim optimize`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OptimizeOptions {
    /// Paths, seed, threads.
    pub run: RunOptions,
    /// The policy to optimise [default: every policy without `review_every_years`].
    pub policy: Option<String>,
    /// Least acceptable mean fill rate, in [0, 1].
    pub fill_rate_target: Option<f64>,
    /// Evaluate every quantity of the range instead of the zooming grid.
    pub full_scan: bool,
}

/// What the optimiser found.
#[derive(Debug, Clone)]
pub struct OptimizeResult {
    /// The report written as `optimize.json`.
    pub report: OptimizeReport,
    /// Policies left out because they repeat their disposition (`review_every_years`).
    pub skipped: Vec<String>,
    /// Paths, seed and threads used.
    pub settings: RunSettings,
}

/// The candidate closest to `name` among `names`, for a "did you mean" hint.
fn closest<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    names
        .map(|n| (strsim::jaro_winkler(name, n), n))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

fn policy_error(value: &str, message: String) -> Error {
    InputError::Flag {
        flag: "--policy".into(),
        value: value.to_string(),
        message,
    }
    .into()
}

/// The policies to optimise (indices into the scenario's policies) and those skipped.
fn chosen_policies(
    file: &ScenarioFile,
    policy: Option<&str>,
) -> Result<(Vec<usize>, Vec<String>), Error> {
    let scenario = file.scenario();
    let names = || scenario.policies.iter().map(|p| p.name.as_str());
    let Some(name) = policy else {
        let all = optimisable_policies(scenario);
        if all.is_empty() {
            return Err(policy_error(
                "(every policy)",
                "every policy repeats its disposition (review_every_years): nothing to \
                 optimise; remove review_every_years from one"
                    .into(),
            ));
        }
        let skipped = scenario
            .policies
            .iter()
            .filter(|p| p.review_every_years.is_some())
            .map(|p| p.name.clone())
            .collect();
        return Ok((all, skipped));
    };
    let Some(i) = scenario.policies.iter().position(|p| p.name == name) else {
        let hint = closest(name, names())
            .map(|n| format!("did you mean \"{n}\"? "))
            .unwrap_or_default();
        return Err(policy_error(
            name,
            format!(
                "no policy of that name in {}; {hint}the policies are: {}",
                file.path().display(),
                names().collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    if scenario.policies[i].review_every_years.is_some() {
        return Err(policy_error(
            name,
            "this policy repeats its disposition (review_every_years): there is no single \
             retained level to optimise; remove review_every_years"
                .into(),
        ));
    }
    Ok((vec![i], Vec::new()))
}

/// Refuses a full scan of more than [`MAX_FULL_SCAN`] quantities, before anything runs.
fn check_full_scan(file: &ScenarioFile, indices: &[usize]) -> Result<(), Error> {
    let scenario = file.scenario();
    for &i in indices {
        let policy = &scenario.policies[i];
        let upper = initial_upper(scenario, quantity_kind(policy.kind));
        if upper >= MAX_FULL_SCAN {
            return Err(InputError::Flag {
                flag: "--full-scan".into(),
                value: policy.name.clone(),
                message: format!(
                    "would evaluate {} quantities (0 to {upper}) for this policy, more than the \
                     {MAX_FULL_SCAN} a full scan takes; leave out --full-scan (the zooming grid \
                     needs a few passes), or optimise a smaller stock",
                    upper.saturating_add(1)
                ),
            }
            .into());
        }
    }
    Ok(())
}

/// Optimises the chosen policies of `file` on common random numbers.
pub fn optimize(
    file: &ScenarioFile,
    options: &OptimizeOptions,
    control: &Control,
) -> Result<OptimizeResult, Error> {
    let scenario = file.scenario();
    let rule = options.run.precision_rule(scenario)?;
    let plan = plan(file, control)?;
    let (indices, skipped) = chosen_policies(file, options.policy.as_deref())?;
    if options.full_scan {
        check_full_scan(file, &indices)?;
    }
    let settings = settings_of(file, &options.run)?;
    let progress = |event: OptimizeProgress| match event {
        OptimizeProgress::Pass {
            policy,
            pass,
            candidates,
            paths,
        } => {
            let label = format!("{policy}: pass {pass}, {candidates} quantities");
            control.start(paths, "paths", Some(&label));
        }
        OptimizeProgress::Comparison {
            first,
            second,
            paths,
        } => {
            let label = format!("{first} against {second}");
            control.start(paths, "paths", Some(&label));
        }
        OptimizeProgress::Paths(n) => control.done(n),
    };
    let method = if options.full_scan {
        Method::FullScan
    } else {
        Method::ZoomingGrid
    };
    let cancel = control.cancel_flag();
    let target = options.fill_rate_target;
    let report = match rule {
        Some(rule) => crate::optimize::optimise_to_precision(
            scenario, &plan, &indices, settings, target, method, rule, &progress, cancel,
        ),
        None => crate::optimize::optimise(
            scenario, &plan, &indices, settings, target, method, &progress, cancel,
        ),
    }
    .map_err(|e| match e {
        OptimizeError::Cancelled => Error::Cancelled,
        e @ OptimizeError::Reviews(_) => {
            policy_error(options.policy.as_deref().unwrap_or(""), e.to_string())
        }
    })?;
    control.check()?;
    let settings = RunSettings {
        paths: report.paths,
        ..settings
    };
    Ok(OptimizeResult {
        report,
        skipped,
        settings,
    })
}
