//! pimsim's errors as Python exceptions: [`Error::Input`] → `pimsim.ScenarioError` (a
//! `ValueError` carrying every problem with its file, line, column, key, value and message),
//! [`Error::Cancelled`] → `KeyboardInterrupt`, [`Error::Machine`] → `OSError`,
//! [`Error::Internal`] and a panic → `RuntimeError`.

use std::any::Any;
use std::path::Path;

use pimsim::error::{Error, InputError, Problem, Severity};
use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The Python exception for `e`.
pub fn to_py(py: Python<'_>, e: Error) -> PyErr {
    match e {
        Error::Input(input) => input_error(py, &input),
        Error::Cancelled => PyKeyboardInterrupt::new_err(Error::Cancelled.to_string()),
        Error::Machine(message) => PyOSError::new_err(message),
        e @ Error::Internal(_) => PyRuntimeError::new_err(e.to_string()),
    }
}

/// The `RuntimeError` for a panic inside pimsim (a bug): never an abort of the interpreter.
pub fn panic_error(payload: Box<dyn Any + Send>) -> PyErr {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string());
    PyRuntimeError::new_err(format!(
        "internal failure: pimsim panicked: {message}; nothing was written (please report \
         this with the scenario)"
    ))
}

/// A problem as the dictionary `pimsim.Problem` is built from.
pub fn problem_dict<'py>(py: Python<'py>, p: &Problem) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    let severity = match p.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    d.set_item("severity", severity)?;
    d.set_item("file", p.file.display().to_string())?;
    d.set_item("line", p.line)?;
    d.set_item("column", p.column)?;
    d.set_item("key", &p.key)?;
    d.set_item("value", &p.value)?;
    d.set_item("message", &p.message)?;
    d.set_item("text", p.to_string())?;
    Ok(d)
}

/// A problem without a position (line and column 0), for input errors that are not
/// [`InputError::Problems`].
fn unplaced(file: &Path, key: &str, value: Option<String>, message: String) -> Problem {
    Problem {
        severity: Severity::Error,
        file: file.to_path_buf(),
        line: 0,
        column: 0,
        key: key.to_string(),
        value,
        message,
    }
}

/// The problems an input error carries: all of them for [`InputError::Problems`], one for an
/// unreadable file, a bad option or an output location, none for inputs that do not belong
/// together (the message says why).
pub fn problems_of(e: &InputError) -> Vec<Problem> {
    match e {
        InputError::Problems(p) => p.clone(),
        InputError::Unreadable { path, reason } => {
            vec![unplaced(path, "", None, format!("cannot read: {reason}"))]
        }
        // A dotted override that names no field: the problem is at that key.
        InputError::Flag {
            flag,
            value,
            message,
        } if flag == "override" => {
            vec![unplaced(Path::new(""), value, None, message.clone())]
        }
        InputError::Flag {
            flag,
            value,
            message,
        } => vec![unplaced(
            Path::new(""),
            flag.trim_start_matches("--"),
            Some(value.clone()),
            message.clone(),
        )],
        InputError::Output { path, message } => vec![unplaced(path, "", None, message.clone())],
        InputError::Mismatch(_) => Vec::new(),
    }
}

/// `pimsim.ScenarioError(message, problems)`, built by the Python package
/// (`pimsim._errors`); a plain `ValueError` if that module cannot be imported.
pub fn input_error(py: Python<'_>, e: &InputError) -> PyErr {
    let message = e.to_string();
    let build = || -> PyResult<PyErr> {
        let problems = problems_of(e)
            .iter()
            .map(|p| problem_dict(py, p))
            .collect::<PyResult<Vec<_>>>()?;
        // A problem made from another kind of input error reads as that error's message.
        if !matches!(e, InputError::Problems(_)) {
            for p in &problems {
                p.set_item("text", &message)?;
            }
        }
        let module = py.import("pimsim._errors")?;
        let exception = module
            .getattr("_scenario_error")?
            .call1((message.clone(), problems))?;
        Ok(PyErr::from_value(exception))
    };
    build().unwrap_or_else(|_| PyValueError::new_err(message.clone()))
}

/// A `ScenarioError` with one problem at `key` (no file, no position): bad arguments of a
/// call, in the words of the command line's flags.
pub fn argument_error(py: Python<'_>, key: &str, value: String, message: String) -> PyErr {
    input_error(
        py,
        &InputError::Flag {
            flag: key.to_string(),
            value,
            message,
        },
    )
}
