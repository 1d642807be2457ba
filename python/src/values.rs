//! Python values as TOML values and back: dictionaries of a scenario (`Scenario.from_dict`,
//! `Scenario.to_dict`) and the values of dotted overrides.

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// Why a Python value has no TOML value: (dotted key, the value's repr, message).
pub type BadValue = (String, String, String);

fn bad(key: &str, value: &Bound<'_, PyAny>, message: &str) -> BadValue {
    let shown = value
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "?".into());
    (key.to_string(), shown, message.to_string())
}

/// `key` extended by `name` (`demand` + `rate` = `demand.rate`).
fn join(key: &str, name: &str) -> String {
    if key.is_empty() {
        name.to_string()
    } else {
        format!("{key}.{name}")
    }
}

/// The TOML value of `value` (at dotted `key`, for messages): `bool`, `int`, `float`, `str`,
/// lists and tuples, dictionaries with string keys, and scalars with an `item()` method (NumPy).
pub fn to_toml(key: &str, value: &Bound<'_, PyAny>) -> Result<toml::Value, BadValue> {
    if value.is_none() {
        return Err(bad(
            key,
            value,
            "None has no value in a scenario; leave the key out to take its default",
        ));
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(toml::Value::Boolean(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        return value
            .extract::<i64>()
            .map(toml::Value::Integer)
            .map_err(|_| {
                bad(
                    key,
                    value,
                    "a whole number beyond the range of a TOML integer",
                )
            });
    }
    if value.is_instance_of::<PyFloat>() {
        let x: f64 = value
            .extract()
            .map_err(|_| bad(key, value, "not a number"))?;
        return Ok(toml::Value::Float(x));
    }
    if value.is_instance_of::<PyString>() {
        return value
            .extract::<String>()
            .map(toml::Value::String)
            .map_err(|_| bad(key, value, "not valid UTF-8 text"));
    }
    if let Ok(d) = value.cast::<PyDict>() {
        return table(key, d).map(toml::Value::Table);
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        let iter = value
            .try_iter()
            .map_err(|_| bad(key, value, "cannot be iterated"))?;
        for (i, item) in iter.enumerate() {
            let item = item.map_err(|_| bad(key, value, "cannot be iterated"))?;
            items.push(to_toml(&format!("{key}[{i}]"), &item)?);
        }
        return Ok(toml::Value::Array(items));
    }
    // NumPy scalars (numpy.int64, numpy.bool_, …) and the like: their Python value.
    if value.hasattr("item").unwrap_or(false)
        && value.hasattr("dtype").unwrap_or(false)
        && let Ok(plain) = value.call_method0("item")
        && !plain.is(value)
    {
        return to_toml(key, &plain);
    }
    let type_name = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default();
    Err(bad(
        key,
        value,
        &format!(
            "a {type_name} has no value in a scenario; give a bool, int, float, str, list or \
             dict"
        ),
    ))
}

/// The TOML table of a dictionary with string keys (at dotted `key`).
pub fn table(key: &str, d: &Bound<'_, PyDict>) -> Result<toml::Table, BadValue> {
    let mut t = toml::Table::new();
    for (k, v) in d.iter() {
        let Ok(name) = k.extract::<String>() else {
            return Err(bad(key, &k, "a key of a scenario table must be a str"));
        };
        let value = to_toml(&join(key, &name), &v)?;
        t.insert(name, value);
    }
    Ok(t)
}

/// The Python value of a TOML value: tables as dicts, arrays as lists, datetimes as their
/// TOML text.
pub fn to_python<'py>(py: Python<'py>, value: &toml::Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        toml::Value::String(s) => PyString::new(py, s).into_any(),
        toml::Value::Integer(i) => i.into_pyobject(py)?.into_any(),
        toml::Value::Float(x) => PyFloat::new(py, *x).into_any(),
        toml::Value::Boolean(b) => PyBool::new(py, *b).to_owned().into_any(),
        toml::Value::Datetime(d) => PyString::new(py, &d.to_string()).into_any(),
        toml::Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_python(py, item)?)?;
            }
            list.into_any()
        }
        toml::Value::Table(t) => table_to_python(py, t)?.into_any(),
    })
}

/// A TOML table as a dict, keys in the table's order.
pub fn table_to_python<'py>(py: Python<'py>, t: &toml::Table) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (k, v) in t {
        d.set_item(k, to_python(py, v)?)?;
    }
    Ok(d)
}
