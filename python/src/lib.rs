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

use pyo3::prelude::*;

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
    Ok(())
}
