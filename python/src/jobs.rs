//! The commands: `run`, `sweep`, `optimize`, `fit` and `portfolio`, each one call of the facade
//! ([`pimsim::api`]) as the command line makes it, off the interpreter ([`runner::run`]), with a
//! result that holds the library's result and the data files rendered from it
//! ([`pimsim::output`]), and writes the command's whole set of files into a directory
//! ([`OutputDir::replace`], all at once), byte for byte as the command line does.

use std::path::PathBuf;

use pimsim::api::optimize::OptimizeOptions;
use pimsim::api::portfolio::{PortfolioInput, PortfolioOptions};
use pimsim::api::run::RunResult;
use pimsim::api::{self, RunOptions, ScenarioFile};
use pimsim::error::{Error, Problem};
use pimsim::fit::{FitResult, TimeOrigin};
use pimsim::optimize::OptimizeReport;
use pimsim::output::{self, FileSet, OutputDir};
use pimsim::portfolio::Portfolio;
use pimsim::scenario::{MAX_PATHS, Scenario};
use pimsim::sweep::run::SweepRun;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

use crate::errors::{argument_error, problem_dict};
use crate::runner;
use crate::scenario::PyScenario;

/// Most worker threads (as the command line's `--threads`).
pub const MAX_THREADS: usize = 1024;

/// The run options, checked as the command line checks `--paths` and `--threads`.
fn run_options(
    py: Python<'_>,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: usize,
) -> PyResult<RunOptions> {
    if let Some(p) = paths
        && !(1..=MAX_PATHS).contains(&p)
    {
        return Err(argument_error(
            py,
            "paths",
            p.to_string(),
            format!("expected a whole number of paths in [1, {MAX_PATHS}], e.g. 20000"),
        ));
    }
    if threads > MAX_THREADS {
        return Err(argument_error(
            py,
            "threads",
            threads.to_string(),
            format!(
                "expected a whole number of worker threads in [0, {MAX_THREADS}] (0 = one per \
                 core)"
            ),
        ));
    }
    Ok(RunOptions {
        paths,
        seed,
        threads,
        ..RunOptions::default()
    })
}

/// A fill-rate target, checked as `--fill-rate-target`.
fn fill_rate_target(py: Python<'_>, target: Option<f64>) -> PyResult<Option<f64>> {
    match target {
        Some(f) if !(0.0..=1.0).contains(&f) => Err(argument_error(
            py,
            "fill_rate_target",
            f.to_string(),
            "expected a fill rate in [0, 1], e.g. 0.95".into(),
        )),
        t => Ok(t),
    }
}

/// `[(name, bytes), …]` of a file set.
fn files_list<'py>(py: Python<'py>, files: &FileSet) -> PyResult<Bound<'py, PyList>> {
    let items = files
        .iter()
        .map(|(name, content)| {
            PyTuple::new(
                py,
                [
                    name.into_pyobject(py)?.into_any(),
                    PyBytes::new(py, content).into_any(),
                ],
            )
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// Problems as a list of dictionaries.
fn problems_list<'py, 'a>(
    py: Python<'py>,
    problems: impl IntoIterator<Item = &'a Problem>,
) -> PyResult<Bound<'py, PyList>> {
    let items = problems
        .into_iter()
        .map(|p| problem_dict(py, p))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, items)
}

/// Writes the file set that `render` makes into `out`, all at once, as the command line does:
/// the directory is checked first (an unusable place is refused before anything is
/// rendered), then the set is rendered and swapped in. Returns where it was written.
fn write_set<F>(
    py: Python<'_>,
    out: PathBuf,
    progress: Option<&Bound<'_, PyAny>>,
    render: F,
) -> PyResult<PathBuf>
where
    F: FnOnce() -> Result<FileSet, Error> + Send,
{
    runner::run(py, progress, |control| {
        let dir = OutputDir::prepare(&out)?;
        let files = render()?;
        control.check()?;
        dir.replace(files.iter(), control.cancel_flag())?;
        Ok(dir.target().to_path_buf())
    })
}

// ---------------------------------------------------------------------------------------
// run

/// What `run` found: the summary and its data files.
#[pyclass(module = "pimsim._native", name = "RunResult", frozen)]
pub struct PyRunResult {
    result: RunResult,
    files: FileSet,
}

/// Simulates every policy of `scenario` on the same demand paths (`pimsim run`).
#[pyfunction]
#[pyo3(signature = (scenario, paths=None, seed=None, threads=0, progress=None, precision=None,
                    max_paths=None))]
#[allow(clippy::too_many_arguments)]
pub fn run(
    py: Python<'_>,
    scenario: &Bound<'_, PyScenario>,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    progress: Option<Bound<'_, PyAny>>,
    precision: Option<f64>,
    max_paths: Option<u64>,
) -> PyResult<PyRunResult> {
    // `--precision` and `--max-paths` are checked by the library (`RunOptions::precision_rule`)
    // and reported as the command line reports them.
    let options = RunOptions {
        precision,
        max_paths,
        ..run_options(py, paths, seed, threads)?
    };
    let file = &scenario.get().file;
    let (result, files) = runner::run(py, progress.as_ref(), |control| {
        let result = api::run::run(file, &options, control)?;
        let files = output::run_files(&result.summary, false)?;
        Ok((result, files))
    })?;
    Ok(PyRunResult { result, files })
}

#[pymethods]
impl PyRunResult {
    /// The data files: `summary.json`, `policies.csv`, `timeseries.csv`.
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        files_list(py, &self.files)
    }

    /// The terminal table of `pimsim run`.
    fn table(&self) -> String {
        output::render_table(&self.result.summary)
    }

    /// Paths, seed and threads used.
    fn settings(&self) -> (u64, u64, usize) {
        let s = self.result.settings;
        (s.paths, s.seed, s.threads)
    }

    /// The `retain = "optimal"` levels resolved before the run.
    fn resolved<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .result
            .resolved
            .iter()
            .map(|r| {
                let d = PyDict::new(py);
                d.set_item("policy", &r.policy)?;
                d.set_item("units", r.units)?;
                d.set_item("mean_cost", r.mean_cost)?;
                d.set_item("paths", r.paths)?;
                d.set_item("candidates", r.candidates)?;
                d.set_item("passes", r.passes)?;
                Ok(d)
            })
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// Writes the files of `pimsim run` into `out` (with `report`: `report.html` and the
    /// charts too), all at once.
    #[pyo3(signature = (out, report=true, progress=None))]
    fn write(
        &self,
        py: Python<'_>,
        out: PathBuf,
        report: bool,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PathBuf> {
        let summary = &self.result.summary;
        write_set(py, out, progress.as_ref(), || {
            output::run_files(summary, report)
        })
    }
}

// ---------------------------------------------------------------------------------------
// sweep

/// What `sweep` found: one run per scenario file and their data files.
#[pyclass(module = "pimsim._native", name = "SweepResult", frozen)]
pub struct PySweepResult {
    runs: Vec<SweepRun>,
    files: FileSet,
    warnings: Vec<Problem>,
}

/// A scenario given to `sweep` or `portfolio`: a file, or a text with the name it goes by.
enum Source {
    File(PathBuf),
    Text(PathBuf, String),
}

impl Source {
    /// A `Scenario` or a path (str or os.PathLike).
    fn of(item: &Bound<'_, PyAny>) -> PyResult<Source> {
        if let Ok(s) = item.cast::<PyScenario>() {
            let file: &ScenarioFile = &s.get().file;
            return Ok(Source::Text(file.path().to_path_buf(), file.text.clone()));
        }
        Ok(Source::File(item.extract()?))
    }
}

/// Runs every point of the `[sweep]` table of each scenario of `inputs` (`pimsim sweep`).
#[pyfunction]
#[pyo3(signature = (inputs, paths=None, seed=None, threads=0, progress=None))]
pub fn sweep(
    py: Python<'_>,
    inputs: &Bound<'_, PyList>,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PySweepResult> {
    let options = run_options(py, paths, seed, threads)?;
    let sources = inputs
        .iter()
        .map(|i| Source::of(&i))
        .collect::<PyResult<Vec<_>>>()?;
    runner::run(py, progress.as_ref(), |control| {
        let mut texts = Vec::new();
        for source in sources {
            match source {
                Source::Text(name, text) => texts.push((name, text)),
                Source::File(path) => {
                    for f in api::scenario_files(&[path])? {
                        control.check()?;
                        let text = Scenario::read_text(&f)?;
                        texts.push((f, text));
                    }
                }
            }
        }
        let jobs = api::sweep::load_texts(texts, &options, control)?;
        let warnings = jobs
            .iter()
            .flat_map(|j| j.plan.base.warnings.iter().cloned())
            .collect();
        let runs = api::sweep::sweep(jobs, control)?;
        let files = output::sweep_files(&runs, false)?;
        Ok(PySweepResult {
            runs,
            files,
            warnings,
        })
    })
}

#[pymethods]
impl PySweepResult {
    /// The data files: `sweep.csv`, `sweep_oat.csv`, `sweep.json`.
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        files_list(py, &self.files)
    }

    /// The terminal table of `pimsim sweep`.
    fn table(&self) -> String {
        output::sweep::render_sweep_table(&self.runs)
    }

    /// The warnings of the scenarios (as `pimsim sweep` prints them).
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        problems_list(py, &self.warnings)
    }

    /// Writes the files of `pimsim sweep` into `out`, all at once.
    #[pyo3(signature = (out, report=true, progress=None))]
    fn write(
        &self,
        py: Python<'_>,
        out: PathBuf,
        report: bool,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PathBuf> {
        let runs = &self.runs;
        write_set(py, out, progress.as_ref(), || {
            output::sweep_files(runs, report)
        })
    }
}

// ---------------------------------------------------------------------------------------
// optimize

/// What `optimize` found: the report of `optimize.json`.
#[pyclass(module = "pimsim._native", name = "OptimizeResult", frozen)]
pub struct PyOptimizeResult {
    report: OptimizeReport,
    skipped: Vec<String>,
    json: Vec<u8>,
}

/// The retained level or last-time buy of least mean total cost (`pimsim optimize`).
#[pyfunction]
#[pyo3(signature = (scenario, policy=None, fill_rate_target=None, full_scan=false, paths=None,
                    seed=None, threads=0, progress=None, precision=None, max_paths=None))]
#[allow(clippy::too_many_arguments)]
pub fn optimize(
    py: Python<'_>,
    scenario: &Bound<'_, PyScenario>,
    policy: Option<String>,
    fill_rate_target: Option<f64>,
    full_scan: bool,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    progress: Option<Bound<'_, PyAny>>,
    precision: Option<f64>,
    max_paths: Option<u64>,
) -> PyResult<PyOptimizeResult> {
    let options = OptimizeOptions {
        run: RunOptions {
            precision,
            max_paths,
            ..run_options(py, paths, seed, threads)?
        },
        policy,
        fill_rate_target: self::fill_rate_target(py, fill_rate_target)?,
        full_scan,
    };
    let file = &scenario.get().file;
    runner::run(py, progress.as_ref(), |control| {
        let result = api::optimize::optimize(file, &options, control)?;
        let json = output::render_optimize(&result.report, false)?
            .into_iter()
            .find(|(name, _)| *name == "optimize.json")
            .map(|(_, content)| content)
            .unwrap_or_default();
        Ok(PyOptimizeResult {
            report: result.report,
            skipped: result.skipped,
            json,
        })
    })
}

#[pymethods]
impl PyOptimizeResult {
    /// `optimize.json`.
    fn json<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.json)
    }

    /// The terminal table of `pimsim optimize`.
    fn table(&self) -> String {
        output::render_optimize_table(&self.report)
    }

    /// Policies left out because they repeat their disposition (`review_every_years`).
    fn skipped(&self) -> Vec<String> {
        self.skipped.clone()
    }

    /// Writes the files of `pimsim optimize` (`optimize.json`, `optimize_frontier.csv`,
    /// `report.html` and the chart) into `out`.
    #[pyo3(signature = (out, progress=None))]
    fn write(
        &self,
        py: Python<'_>,
        out: PathBuf,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PathBuf> {
        let report = &self.report;
        write_set(py, out, progress.as_ref(), || {
            output::optimize_files(report, true)
        })
    }
}

// ---------------------------------------------------------------------------------------
// fit

/// What `fit` found: per part the fit and its file.
#[pyclass(module = "pimsim._native", name = "FitResult", frozen)]
pub struct PyFitResult {
    result: FitResult,
    files: FileSet,
}

/// Fits demand models to a demand history (`pimsim fit`): the file `history`, or with `text`
/// the CSV text named `history`.
#[pyfunction]
#[pyo3(signature = (history, text=None, origin="eop", template=None, progress=None))]
pub fn fit(
    py: Python<'_>,
    history: PathBuf,
    text: Option<String>,
    origin: &str,
    template: Option<&Bound<'_, PyScenario>>,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PyFitResult> {
    let origin = match origin {
        "eop" => TimeOrigin::Eop,
        "end" => TimeOrigin::End,
        other => {
            return Err(argument_error(
                py,
                "origin",
                other.to_string(),
                "expected \"eop\" (the end of production) or \"end\" (the end of the history)"
                    .into(),
            ));
        }
    };
    let options = api::fit::FitOptions {
        origin,
        template: template.map(|t| t.get().file.clone()),
    };
    let source = history
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    runner::run(py, progress.as_ref(), |control| {
        let history = match &text {
            Some(text) => api::fit::parse_history(&history, text)?,
            None => api::fit::read_history(&history)?,
        };
        control.check()?;
        let result = api::fit::fit(&history, &source, &options)?;
        let fits = result.fits();
        let mut files = FileSet::default();
        files.push(output::FIT_FILES[0], output::fit::render_parts_csv(&fits)?);
        files.push(
            output::FIT_FILES[1],
            output::fit::render_cumulative_csv(&fits)?,
        );
        Ok(PyFitResult { result, files })
    })
}

#[pymethods]
impl PyFitResult {
    /// The data files: `parts.csv`, `fit_cumulative.csv`.
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        files_list(py, &self.files)
    }

    /// `[(part, text of its file), …]` in the history's order.
    fn texts(&self) -> Vec<(String, String)> {
        self.result
            .parts
            .iter()
            .map(|p| (p.fit.part.clone(), p.text.clone()))
            .collect()
    }

    /// The terminal table of `pimsim fit`.
    fn table(&self) -> String {
        output::fit::render_fit_table(&self.result.fits())
    }

    /// Writes the files of `pimsim fit` into the directory `out`: `parts.csv`,
    /// `fit_cumulative.csv`, its chart and `<part>.toml` per part.
    #[pyo3(signature = (out, progress=None))]
    fn write(
        &self,
        py: Python<'_>,
        out: PathBuf,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<PathBuf> {
        let result = &self.result;
        write_set(py, out, progress.as_ref(), || output::fit_files(result))
    }
}

// ---------------------------------------------------------------------------------------
// portfolio

/// What `portfolio` found: per part and policy results, and the inputs they came from.
#[pyclass(module = "pimsim._native", name = "PortfolioResult", frozen)]
pub struct PyPortfolioResult {
    input: PortfolioInput,
    options: PortfolioOptions,
    portfolio: Portfolio,
    files: FileSet,
}

/// Simulates every part of the parts lists `parts` (paths, or `(name, CSV text)`), joined on
/// `part`, with `template` (a `Scenario` or a path) (`pimsim portfolio`).
#[pyfunction]
#[pyo3(signature = (parts, template, fill_rate_target=None, paths=None, seed=None, threads=0,
                    progress=None))]
#[allow(clippy::too_many_arguments)]
pub fn portfolio(
    py: Python<'_>,
    parts: &Bound<'_, PyList>,
    template: &Bound<'_, PyAny>,
    fill_rate_target: Option<f64>,
    paths: Option<u64>,
    seed: Option<u64>,
    threads: usize,
    progress: Option<Bound<'_, PyAny>>,
) -> PyResult<PyPortfolioResult> {
    let options = PortfolioOptions {
        run: run_options(py, paths, seed, threads)?,
        fill_rate_target: self::fill_rate_target(py, fill_rate_target)?,
    };
    let parts = parts
        .iter()
        .map(|item| match item.extract::<(PathBuf, String)>() {
            Ok((name, text)) => Ok(Source::Text(name, text)),
            Err(_) => Ok(Source::File(item.extract()?)),
        })
        .collect::<PyResult<Vec<_>>>()?;
    let template = Source::of(template)?;
    runner::run(py, progress.as_ref(), |control| {
        let input = load_portfolio(parts, template, threads)?;
        control.check()?;
        let portfolio = api::portfolio::portfolio(&input, &options, control)?;
        let analysis = pimsim::portfolio::analyse(&portfolio);
        let files = output::portfolio_files(&portfolio, &analysis, false)?;
        Ok(PyPortfolioResult {
            input,
            options,
            portfolio,
            files,
        })
    })
}

/// The portfolio's inputs: as `pimsim portfolio` reads them when every input is a file, else
/// from the texts (files read with the same limits).
fn load_portfolio(
    parts: Vec<Source>,
    template: Source,
    threads: usize,
) -> Result<PortfolioInput, Error> {
    let files: Option<Vec<PathBuf>> = parts
        .iter()
        .map(|s| match s {
            Source::File(p) => Some(p.clone()),
            Source::Text(..) => None,
        })
        .collect();
    if let (Some(files), Source::File(template)) = (&files, &template) {
        return api::portfolio::load(files, template, threads);
    }
    let mut texts = Vec::with_capacity(parts.len());
    for source in parts {
        texts.push(match source {
            Source::Text(name, text) => (name, text),
            Source::File(path) => {
                let text = pimsim::scenario::read_text_file(
                    &path,
                    pimsim::portfolio::input::MAX_PARTS_FILE_BYTES,
                    "a parts list is a CSV text file",
                )?;
                (path, text)
            }
        });
    }
    let template = match template {
        Source::Text(name, text) => (name, text),
        Source::File(path) => {
            let text = Scenario::read_text(&path)?;
            (path, text)
        }
    };
    api::portfolio::load_texts(texts, template, threads)
}

#[pymethods]
impl PyPortfolioResult {
    /// The data files: `portfolio.csv`, `portfolio_parts.csv`, `portfolio.json`.
    fn files<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        files_list(py, &self.files)
    }

    /// The terminal table of `pimsim portfolio`.
    fn table(&self) -> String {
        let analysis = pimsim::portfolio::analyse(&self.portfolio);
        output::portfolio::render_portfolio_table(&self.portfolio, &analysis)
    }

    /// The warnings of the template, the parts files and the parts' scenarios.
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let input = &self.input;
        problems_list(
            py,
            input
                .template
                .loaded
                .warnings
                .iter()
                .chain(&input.parts.warnings)
                .chain(input.part_warnings()),
        )
    }

    /// `[(file name, text), …]`: each part's scenario, as `pimsim portfolio --scenarios`
    /// writes them.
    fn scenarios(&self) -> Vec<(String, String)> {
        let count = self.input.parts.parts.len();
        api::portfolio::part_scenarios(&self.input, &self.options, 0..count)
    }

    /// Writes the files of `pimsim portfolio` into `out`, all at once; with `scenarios`, also
    /// each part's scenario into that directory (`--scenarios DIR`), after the other files.
    #[pyo3(signature = (out, report=true, scenarios=None, progress=None))]
    fn write(
        &self,
        py: Python<'_>,
        out: PathBuf,
        report: bool,
        scenarios: Option<PathBuf>,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyResult<(PathBuf, Option<PathBuf>)> {
        let (input, options, portfolio) = (&self.input, &self.options, &self.portfolio);
        runner::run(py, progress.as_ref(), |control| {
            let scenarios_dir = scenarios.as_deref().map(OutputDir::prepare).transpose()?;
            let dir = OutputDir::prepare(&out)?;
            let analysis = pimsim::portfolio::analyse(portfolio);
            let files = output::portfolio_files(portfolio, &analysis, report)?;
            control.check()?;
            dir.replace(files.iter(), control.cancel_flag())?;
            let Some(scenarios_dir) = scenarios_dir else {
                return Ok((dir.target().to_path_buf(), None));
            };
            let count = input.parts.parts.len();
            let set: FileSet = api::portfolio::part_scenarios(input, options, 0..count)
                .into_iter()
                .map(|(name, text)| (name, text.into_bytes()))
                .collect();
            scenarios_dir.replace(set.iter(), control.cancel_flag())?;
            Ok((
                dir.target().to_path_buf(),
                Some(scenarios_dir.target().to_path_buf()),
            ))
        })
    }
}
