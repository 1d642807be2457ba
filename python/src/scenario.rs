//! `Scenario`: a scenario file read and validated ([`ScenarioFile`]), from a file, a TOML text
//! or a dictionary, and with fields set by dotted name.

use std::path::{Path, PathBuf};

use pimsim::api::{self, ScenarioFile};
use pimsim::error::{Error, InputError, Problem, Severity};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::{input_error, problem_dict};
use crate::runner::guarded;
use crate::values::{self, BadValue};

/// A validated scenario: its text, the file it came from, its warnings.
#[pyclass(module = "pimsim._native", name = "Scenario", frozen)]
pub struct PyScenario {
    /// The validated scenario and its text.
    pub file: ScenarioFile,
}

/// The problem of a Python value that has no TOML value.
fn bad_value(py: Python<'_>, file: &Path, (key, value, message): BadValue) -> PyErr {
    input_error(
        py,
        &InputError::Problems(vec![Problem {
            severity: Severity::Error,
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            key,
            value: Some(value),
            message,
        }]),
    )
}

#[pymethods]
impl PyScenario {
    /// Reads and validates the scenario file `path`.
    #[staticmethod]
    fn from_file(py: Python<'_>, path: PathBuf) -> PyResult<Self> {
        let file = guarded(py, || Ok(ScenarioFile::load(&path)?))?;
        Ok(PyScenario { file })
    }

    /// Validates scenario `text`; `name` names it in messages and gives the default name.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: String, name: PathBuf) -> PyResult<Self> {
        let file = guarded(py, || Ok(ScenarioFile::from_text(&name, text)?))?;
        Ok(PyScenario { file })
    }

    /// A scenario from a dictionary of tables, written as TOML and validated as a file named
    /// `name`.
    #[staticmethod]
    fn from_dict(py: Python<'_>, table: &Bound<'_, PyDict>, name: PathBuf) -> PyResult<Self> {
        let table = values::table("", table).map_err(|b| bad_value(py, &name, b))?;
        let file = guarded(py, || Ok(ScenarioFile::from_table(&name, &table)?))?;
        Ok(PyScenario { file })
    }

    /// This scenario with fields set by dotted name, validated again (a `[sweep]` table is
    /// dropped).
    fn with_overrides(&self, py: Python<'_>, overrides: &Bound<'_, PyDict>) -> PyResult<Self> {
        let mut pairs: Vec<(String, toml::Value)> = Vec::with_capacity(overrides.len());
        for (k, v) in overrides.iter() {
            let key: String = k.extract().map_err(|_| {
                bad_value(
                    py,
                    self.file.path(),
                    (
                        "override".into(),
                        k.repr().map(|r| r.to_string()).unwrap_or_default(),
                        "a dotted key must be a str, e.g. \"demand.rate\"".into(),
                    ),
                )
            })?;
            let value =
                values::to_toml(&key, &v).map_err(|b| bad_value(py, self.file.path(), b))?;
            pairs.push((key, value));
        }
        let refs: Vec<(&str, toml::Value)> =
            pairs.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let file = guarded(py, || Ok(self.file.with_overrides(&refs)?))?;
        Ok(PyScenario { file })
    }

    /// The scenario's TOML text.
    #[getter]
    fn text(&self) -> &str {
        &self.file.text
    }

    /// The file it came from (or the name it was given).
    #[getter]
    fn path(&self) -> String {
        self.file.path().display().to_string()
    }

    /// `scenario.name`.
    #[getter]
    fn name(&self) -> String {
        self.file.scenario().name.clone()
    }

    /// The policies' names, in order (the first is the baseline).
    #[getter]
    fn policies(&self) -> Vec<String> {
        self.file
            .scenario()
            .policies
            .iter()
            .map(|p| p.name.clone())
            .collect()
    }

    /// Whether the text has a `[sweep]` table.
    #[getter]
    fn has_sweep(&self) -> bool {
        api::has_sweep(&self.file.text)
    }

    /// The warnings of the validation, as dictionaries.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .file
            .loaded
            .warnings
            .iter()
            .map(|p| problem_dict(py, p))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// The scenario's text as a dictionary (as written, defaults not filled in).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let table: toml::Table = self.file.text.parse().map_err(|e| {
            crate::errors::to_py(
                py,
                Error::Internal(format!("a validated scenario does not parse: {e}")),
            )
        })?;
        values::table_to_python(py, &table)
    }
}
