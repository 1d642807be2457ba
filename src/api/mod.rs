//! The library's facade: one function per job — [`run()`](run::run), [`sweep()`](sweep::sweep),
//! [`optimize()`](optimize::optimize), [`fit()`](fit::fit), [`portfolio()`](portfolio::portfolio),
//! [`merge()`](merge::merge), and the shard of each — in the words of the command line and the
//! scenario file. The command line is a thin layer over these functions, and any other caller
//! (tests, a Python binding) uses them the same way:
//!
//! 1. inputs are read and validated first ([`ScenarioFile::load`], [`sweep::load`],
//!    [`portfolio::load`], [`fit::read_history`]), reporting every problem at once;
//! 2. the job runs with [`Options`](RunOptions) and a [`Control`]: a cancellation flag the job
//!    checks often (a set flag ends it promptly with [`Error::Cancelled`]) and a progress
//!    callback ([`Progress`]);
//! 3. it returns result data (summaries, frontiers, fits, portfolios); nothing is printed and
//!    nothing is written: [`crate::output`] renders the files and writes them all at once.

pub mod fit;
pub mod merge;
pub mod optimize;
pub mod portfolio;
pub mod run;
pub mod sweep;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use crate::engine::{Cancelled, RunSettings};
use crate::error::{Error, InputError};
use crate::scenario::{LoadedScenario, Scenario, Simulation};

/// The library's version, as `summary.json` and every other output cite it.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What a long job reports while it works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress<'a> {
    /// A stretch of work of `total` `unit`s starts (a run's paths, a sweep's point-paths, a
    /// portfolio's parts, an optimiser pass's paths); `label` says what it is, when that helps
    /// (e.g. "hold: pass 2, 17 quantities"). A job may start several stretches in turn.
    Start {
        /// Units of work in this stretch.
        total: u64,
        /// What is counted: "paths", "point-paths" or "parts".
        unit: &'static str,
        /// What the stretch is, for a display.
        label: Option<&'a str>,
    },
    /// This many more units of the current stretch are done.
    Done(u64),
}

/// How a caller steers a long job: a cancellation flag and a progress callback.
#[derive(Clone, Copy)]
pub struct Control<'a> {
    cancel: &'a AtomicBool,
    progress: &'a (dyn Fn(Progress) + Sync),
}

/// A flag that is never set, for [`Control::quiet`].
static NEVER: AtomicBool = AtomicBool::new(false);

impl<'a> Control<'a> {
    /// A control with the caller's flag (set it from a signal handler or another thread to
    /// stop the job) and progress callback.
    pub fn new(cancel: &'a AtomicBool, progress: &'a (dyn Fn(Progress) + Sync)) -> Self {
        Control { cancel, progress }
    }

    /// No cancellation and no progress.
    pub fn quiet() -> Control<'static> {
        Control {
            cancel: &NEVER,
            progress: &|_| {},
        }
    }

    /// The cancellation flag.
    pub fn cancel_flag(&self) -> &'a AtomicBool {
        self.cancel
    }

    /// Whether the caller asked the job to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Reports `event`.
    pub fn report(&self, event: Progress) {
        (self.progress)(event);
    }

    /// Starts a stretch of `total` units.
    pub fn start(&self, total: u64, unit: &'static str, label: Option<&str>) {
        (self.progress)(Progress::Start { total, unit, label });
    }

    /// A counter for the engine: `n` more units done.
    pub fn done(&self, n: u64) {
        (self.progress)(Progress::Done(n));
    }

    /// [`Error::Cancelled`] when the caller asked the job to stop.
    pub fn check(&self) -> Result<(), Error> {
        if self.cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }
}

impl From<Cancelled> for Error {
    fn from(_: Cancelled) -> Self {
        Error::Cancelled
    }
}

/// How much to simulate: the command line's `--paths`, `--seed`, `--threads`, `--precision`
/// and `--max-paths`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunOptions {
    /// Demand paths [default: the scenario's `simulation.paths`].
    pub paths: Option<u64>,
    /// Seed of every random stream [default: the scenario's `simulation.seed`].
    pub seed: Option<u64>,
    /// Worker threads (0 = one per core). Results do not depend on it.
    pub threads: usize,
    /// Stop when the 95 % intervals' half-widths are at most this share of the estimates
    /// (relative, in (0, 1); 0.001 = 0.1 %) instead of after a fixed number of paths; not
    /// with `paths` (see [`crate::engine::precision`]).
    pub precision: Option<f64>,
    /// With `precision`: the most paths to simulate [default:
    /// [`crate::engine::precision::DEFAULT_MAX_PATHS`]], capped by the scenario's path limit.
    pub max_paths: Option<u64>,
}

impl RunOptions {
    /// The precision rule of these options for `scenario` (`None` without `precision`):
    /// the precision checked (finite, in (0, 1), not with `paths`), the maximum path count
    /// capped by the scenario's path limit ([`Scenario::max_paths`]).
    pub fn precision_rule(
        &self,
        scenario: &Scenario,
    ) -> Result<Option<crate::engine::precision::PrecisionRule>, Error> {
        let flag = |flag: &str, value: String, message: &str| -> Error {
            InputError::Flag {
                flag: flag.into(),
                value,
                message: message.into(),
            }
            .into()
        };
        let Some(target) = self.precision else {
            if let Some(m) = self.max_paths {
                return Err(flag(
                    "--max-paths",
                    m.to_string(),
                    "limits a run with --precision; give --precision P too, or --paths N for \
                     a fixed number of paths",
                ));
            }
            return Ok(None);
        };
        if !(target.is_finite() && target > 0.0 && target < 1.0) {
            return Err(flag(
                "--precision",
                target.to_string(),
                "expected a relative half-width of the 95 % intervals in (0, 1), e.g. 0.001 \
                 for 0.1 %",
            ));
        }
        if let Some(p) = self.paths {
            return Err(flag(
                "--precision",
                target.to_string(),
                &format!(
                    "a run stops at a precision or after a number of paths, not both (--paths \
                     {p}); give --max-paths N to limit a precision run"
                ),
            ));
        }
        let max_paths = self
            .max_paths
            .unwrap_or(crate::engine::precision::DEFAULT_MAX_PATHS);
        if max_paths == 0 {
            return Err(flag(
                "--max-paths",
                "0".into(),
                "expected a whole number of paths of at least 1",
            ));
        }
        Ok(Some(crate::engine::precision::PrecisionRule {
            target,
            max_paths: max_paths.min(scenario.max_paths()),
        }))
    }

    /// The error for `--precision` with `--shard`: shards cannot stop together without
    /// talking to each other.
    pub fn precision_with_shards(&self) -> Result<(), Error> {
        match self.precision {
            Some(p) => Err(InputError::Flag {
                flag: "--precision".into(),
                value: p.to_string(),
                message: "shards cannot stop together at a precision (each sees only its own \
                          paths); run once with --precision without shards, read the paths \
                          it used (precision.paths in summary.json), and shard that run with \
                          --paths N"
                    .into(),
            }
            .into()),
            None => Ok(()),
        }
    }

    /// The run settings: the options where given, else the scenario's `[simulation]`.
    pub fn settings(&self, simulation: &Simulation) -> RunSettings {
        RunSettings {
            paths: self.paths.unwrap_or(simulation.paths),
            seed: self.seed.unwrap_or(simulation.seed),
            threads: self.threads,
        }
    }
}

/// A scenario file read and validated, with its text (kept for shards, whose partial results
/// carry it to `merge`).
#[derive(Debug, Clone)]
pub struct ScenarioFile {
    /// The validated scenario, its warnings and the file it came from.
    pub loaded: LoadedScenario,
    /// The file's text.
    pub text: String,
}

impl ScenarioFile {
    /// Reads and validates the scenario file `path` (a `[sweep]` table in it is ignored here;
    /// see [`sweep::load`]).
    pub fn load(path: &Path) -> Result<ScenarioFile, InputError> {
        let text = Scenario::read_text(path)?;
        Self::from_text(path, text)
    }

    /// Validates scenario `text`; `path` names it in messages and gives the default name.
    pub fn from_text(path: &Path, text: String) -> Result<ScenarioFile, InputError> {
        let loaded = Scenario::from_toml(path, &text)?;
        Ok(ScenarioFile { loaded, text })
    }

    /// A scenario from a table of values (e.g. a dictionary of a caller's language, turned
    /// into TOML): written as TOML text, then validated as a file named `path` would be (the
    /// lines and columns of problems refer to that text, [`ScenarioFile::text`]).
    pub fn from_table(path: &Path, table: &toml::Table) -> Result<ScenarioFile, InputError> {
        let text = toml::to_string(table).map_err(|e| InputError::Unreadable {
            path: path.to_path_buf(),
            reason: format!("cannot be written as TOML: {e}"),
        })?;
        Self::from_text(path, text)
    }

    /// This scenario with fields set by dotted name (`demand.half_life_years`,
    /// `policy.scrap-60.retain`: the keys of sweeps and parts files), validated again. A
    /// `[sweep]` table is dropped.
    pub fn with_overrides(
        &self,
        overrides: &[(&str, toml::Value)],
    ) -> Result<ScenarioFile, InputError> {
        let text =
            crate::scenario::overrides::apply_dotted(&self.text, overrides).map_err(|e| {
                InputError::Flag {
                    flag: "override".into(),
                    value: match &e {
                        crate::scenario::overrides::OverrideError::Syntax { key, .. }
                        | crate::scenario::overrides::OverrideError::Path { key, .. } => {
                            crate::scenario::overrides::shorten_key(key)
                        }
                    },
                    message: e.to_string(),
                }
            })?;
        Self::from_text(self.path(), text)
    }

    /// The validated scenario.
    pub fn scenario(&self) -> &Scenario {
        &self.loaded.scenario
    }

    /// The file it came from.
    pub fn path(&self) -> &Path {
        &self.loaded.path
    }
}

/// Whether scenario text has a `[sweep]` table: `run` of such a file runs its sweep.
pub fn has_sweep(text: &str) -> bool {
    crate::sweep::has_sweep(text)
}

/// The error for a path count above what a scenario's volumes allow (`flag` names where the
/// count came from).
fn too_many_paths(flag: String, value: u64, message: String) -> Error {
    InputError::Flag {
        flag,
        value: value.to_string(),
        message,
    }
    .into()
}

/// The file `path` names, for messages (`--paths` or `simulation.paths of FILE`).
fn paths_source(options: &RunOptions, file: &Path) -> String {
    match options.paths {
        Some(_) => "--paths".to_string(),
        None => format!("simulation.paths of {}", file.display()),
    }
}

/// The files of `inputs`: files as given, directories expanded to their `*.toml` files sorted
/// by name (a directory without any is refused).
pub fn scenario_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut files = Vec::new();
    for input in inputs {
        if std::fs::metadata(input).is_ok_and(|m| m.is_dir()) {
            let found = crate::input::files_in(input, |n| n.ends_with(".toml"))?;
            if found.is_empty() {
                return Err(InputError::Unreadable {
                    path: input.clone(),
                    reason: "a directory without scenario files (*.toml)".into(),
                });
            }
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}
