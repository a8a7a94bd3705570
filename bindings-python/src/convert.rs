//! The one place Python values become core inputs and core outputs become Python values.
//!
//! - Dicts and lists (customers, events, policies, condition JSON) cross as JSON text written and
//!   read by Python's own `json` module, in the shapes of `docs/data-model.md`; the core reads
//!   the text and reports bad input with its path (`customers[2].identities[0].value`).
//! - Datetimes must be timezone-aware; they cross as RFC 3339 text in UTC, also inside those
//!   dicts, so a customer or profile another call returned (with `datetime` and `Decimal`
//!   values) can be passed straight back.
//! - Decimal numbers cross as decimal strings; floats are refused, never rounded silently.

use pyo3::exceptions::{PyRecursionError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyString, PyType};

use crate::errors;

static DUMPS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIMEZONE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DEFAULT: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// `json.dumps`'s `default`: the values a document may hold besides JSON's own, written as the
/// document functions of `documents.rs` write them. An aware `datetime` is RFC 3339 text in UTC
/// (a naive one is a `ValueError`), a `date` is `YYYY-MM-DD`, a `Decimal` a plain decimal string,
/// and an object with `to_dict()` (an `Identity`) that dict. Anything else stays a `TypeError`.
#[pyfunction]
fn json_default<'py>(value: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = value.py();
    if let Some(text) = crate::documents::document_text(value, "a datetime in the document")? {
        return Ok(PyString::new(py, &text).into_any());
    }
    if value.hasattr("to_dict")? {
        return value.call_method0("to_dict");
    }
    Err(PyTypeError::new_err(format!(
        "Object of type {} is not JSON serializable",
        type_name(value)
    )))
}

/// Writes a Python value as JSON text for the core; `what` names the argument in errors.
///
/// A value JSON cannot hold (a `set`, bytes, an `object()`) is a `TypeError` naming the argument;
/// `datetime`, `date`, `Decimal` and objects with `to_dict()` are written as [`json_default`] says;
/// a value too deeply nested or circular is a `scrm.ParseError` at `what`. Plain `json.dumps`
/// output is ASCII, so the text always crosses into Rust.
pub(crate) fn to_json(value: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let py = value.py();
    let dumps = DUMPS.import(py, "json", "dumps")?;
    let default = DEFAULT.get_or_try_init(py, || {
        wrap_pyfunction!(json_default, py).map(|f| f.into_any().unbind())
    })?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("default", default.bind(py))?;
    match dumps.call((value,), Some(&kwargs)) {
        Ok(text) => text.extract::<String>(),
        Err(e) if e.is_instance_of::<PyTypeError>(py) => {
            let err = PyTypeError::new_err(format!("{what}: {}", e.value(py)));
            err.set_cause(py, Some(e));
            Err(err)
        }
        Err(e)
            if e.is_instance_of::<PyValueError>(py) || e.is_instance_of::<PyRecursionError>(py) =>
        {
            Err(errors::unwritable(py, what, e))
        }
        Err(e) => Err(e),
    }
}

/// Like [`to_json`] for an optional list argument: `None` is the empty list.
pub(crate) fn list_to_json(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<String> {
    match value {
        Some(v) if !v.is_none() => to_json(v, what),
        _ => Ok("[]".to_owned()),
    }
}

/// Like [`to_json`] for an optional argument: `None` stays `None`.
pub(crate) fn optional_json(
    value: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Option<String>> {
    match value {
        Some(v) if !v.is_none() => to_json(v, what).map(Some),
        _ => Ok(None),
    }
}

/// A dict of decimals (customer id to `Decimal`, `int` or `str`) as JSON text of an object of
/// decimal strings; `None` stays `None`. Each value is checked as [`decimal_text`] checks it
/// (floats refused), named `what[key]` in errors; anything but a dict is a `TypeError`.
pub(crate) fn decimals_json(
    value: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Option<String>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let py = value.py();
    let dict = value.cast::<PyDict>().map_err(|_| {
        PyTypeError::new_err(format!("{what} must be a dict, not {}", type_name(value)))
    })?;
    let texts = PyDict::new(py);
    for (key, number) in dict.iter() {
        let name = format!("{what}[{}]", key.repr()?);
        let text = decimal_text(Some(&number), &name)?;
        texts.set_item(key, text)?;
    }
    to_json(texts.as_any(), what).map(Some)
}

/// An iterable of strings (customer ids) as a list; a lone `str` is a `TypeError`, since
/// iterating it would give its characters.
pub(crate) fn str_list(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<String>> {
    if value.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an iterable of str, not a single str; wrap it in a list"
        )));
    }
    let mut out = Vec::new();
    for item in value.try_iter()? {
        let item = item?;
        let text = item.extract::<String>().map_err(|_| {
            PyTypeError::new_err(format!("{what} must hold str, not {}", type_name(&item)))
        })?;
        out.push(text);
    }
    Ok(out)
}

/// Reads JSON text the core wrote back into Python dicts and lists.
pub(crate) fn from_json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    LOADS.import(py, "json", "loads")?.call1((text,))
}

/// An aware `datetime` as RFC 3339 text in UTC, for [`scrm_core::parse_time`].
///
/// Anything but a `datetime` is a `TypeError`; a naive one (no `tzinfo`) is a `ValueError`, since
/// guessing its zone would silently shift every time window.
pub(crate) fn utc_text(value: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    let py = value.py();
    let datetime = DATETIME.import(py, "datetime", "datetime")?;
    if !value.is_instance(datetime)? {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a datetime.datetime, not {}",
            type_name(value)
        )));
    }
    if value.call_method0("utcoffset")?.is_none() {
        return Err(PyValueError::new_err(format!(
            "{what} must be a timezone-aware datetime, got the naive {}; \
             use e.g. datetime.now(timezone.utc) or dt.replace(tzinfo=timezone.utc)",
            value.repr()?
        )));
    }
    let utc = TIMEZONE
        .import(py, "datetime", "timezone")?
        .getattr("utc")?;
    value
        .call_method1("astimezone", (utc,))?
        .call_method0("isoformat")?
        .extract()
}

/// An aware `datetime` as a UTC instant, checked as [`utc_text`] checks it.
pub(crate) fn utc_time(
    value: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<chrono::DateTime<chrono::Utc>> {
    let text = utc_text(value, what)?;
    scrm_core::parse_time(&text, what).map_err(|e| errors::to_py(value.py(), e))
}

/// A decimal argument (`Decimal`, `int` or `str`) as a decimal string; `None` stays `None`.
///
/// Floats (and bools) are refused with a `TypeError` naming the argument: a float is not the
/// number the caller wrote, and scrm never rounds silently.
pub(crate) fn decimal_text(
    value: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Option<String>> {
    let Some(value) = value.filter(|v| !v.is_none()) else {
        return Ok(None);
    };
    let py = value.py();
    if value.is_instance_of::<PyFloat>() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a Decimal, int or str, not float: floats are inexact; \
             pass Decimal(\"72.5\") or \"72.5\""
        )));
    }
    if value.is_instance_of::<PyString>() {
        return value.extract().map(Some);
    }
    let is_int = value.is_instance_of::<PyInt>() && !value.is_instance_of::<PyBool>();
    if is_int || value.is_instance(DECIMAL.import(py, "decimal", "Decimal")?)? {
        return value.str()?.extract().map(Some);
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be a Decimal, int or str, not {}",
        type_name(value)
    )))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an object".to_owned())
}
