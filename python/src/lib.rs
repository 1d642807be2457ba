//! `pimsim._native`: the native module of the Python package `pimsim` (python/pimsim/), a
//! thin layer over the library's facade ([`pimsim::api`]) exactly as the command line is:
//! inputs are read and validated with the facade's functions, each job runs with a
//! cancellation flag and a progress callback, and the files are rendered by
//! [`pimsim::output`] and written all at once. The Python package wraps these functions with
//! data frames, progress displays and docstrings; users import `pimsim`, not this module.
//!
//! - Long jobs run with the interpreter released and stop on Ctrl-C ([`runner`]).
//! - Errors map to Python exceptions ([`errors`]): bad input → `pimsim.ScenarioError`,
//!   cancelled → `KeyboardInterrupt`, the machine → `OSError`, a bug or a panic →
//!   `RuntimeError`.

#![deny(missing_docs)]

mod errors;
mod jobs;
mod runner;
mod scenario;
mod values;

use pimsim::error::{Error, InputError};
use pyo3::prelude::*;

/// For the package's tests: a job that fails as `kind` says (`input`, `cancelled`, `machine`,
/// `internal`, or `panic`), run the way every job is run, so that the tests see each error
/// become its Python exception (and a panic a `RuntimeError`, not an abort).
#[pyfunction]
fn _fail_for_tests(py: Python<'_>, kind: String) -> PyResult<()> {
    runner::run(py, None, move |_| match kind.as_str() {
        "input" => Err(InputError::Mismatch("a test of the input error".into()).into()),
        "cancelled" => Err(Error::Cancelled),
        "machine" => Err(Error::Machine("a test of the machine's failure".into())),
        "internal" => Err(Error::Internal("a test of the internal failure".into())),
        _ => panic!("a test of a panic"),
    })
}

/// The native module.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("VERSION", pimsim::api::VERSION)?;
    m.add("MAX_PATHS", pimsim::scenario::MAX_PATHS)?;
    m.add("MAX_THREADS", jobs::MAX_THREADS)?;
    m.add_class::<scenario::PyScenario>()?;
    m.add_class::<jobs::PyRunResult>()?;
    m.add_class::<jobs::PySweepResult>()?;
    m.add_class::<jobs::PyOptimizeResult>()?;
    m.add_class::<jobs::PyFitResult>()?;
    m.add_class::<jobs::PyPortfolioResult>()?;
    m.add_function(wrap_pyfunction!(jobs::run, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::sweep, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::optimize, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::fit, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::portfolio, m)?)?;
    m.add_function(wrap_pyfunction!(_fail_for_tests, m)?)?;
    Ok(())
}
