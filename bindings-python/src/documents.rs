//! The one place the document functions' inputs and outputs cross: Python values to the core's
//! JSON text, and the core's JSON back to Python values.
//!
//! - In: dicts (string keys), lists and tuples, `str`, `int`, `float`, `bool`, `None`, aware
//!   `datetime` (RFC 3339 in UTC), `date` (`YYYY-MM-DD`) and `Decimal` (a plain decimal string:
//!   money never crosses as a float). Objects with `to_dict()` (an `Identity`) cross as that dict.
//!   A problem names its path from the argument, as the core does (`events[3].at`).
//! - Out: JSON objects and lists become dicts and lists; a string under a time key (`at`,
//!   `as_of`, `*_at`, ...) becomes an aware `datetime` in UTC (or a `date` for a calendar day),
//!   and a decimal string under an amount key (`amount`, `score`, `rate`, ...) a `Decimal`. Maps
//!   whose keys or values the caller chose (an event's `properties`, `identities`, `referrers`,
//!   ...) come back as written.
//!   Passing an output back in gives the core the same document.

use chrono::{Datelike, Timelike};
use pyo3::exceptions::{PyRecursionError, PyTypeError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};
use serde_json::{Map, Value};

use crate::convert::utc_text;
use crate::errors;

static DATETIME: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static TIMEZONE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Deeper input than this is refused (a circular list, or nesting no document has).
const MAX_DEPTH: usize = 128;

/// Keys whose string values are instants or calendar days, besides every key ending in `_at`.
const TIME_KEYS: &[&str] = &[
    "account_since",
    "anniversary",
    "as_of",
    "at",
    "checked",
    "checked_until",
    "created_from",
    "created_to",
    "end",
    "end_date",
    "first_day",
    "from",
    "last_activity",
    "last_day",
    "last_follow_up",
    "latest",
    "local",
    "next_possible_on",
    "now",
    "owner_since",
    "payable_from",
    "reclaim",
    "reclaim_on",
    "reclaim_on_before",
    "since",
    "start",
    "start_date",
    "t",
    "to",
    "today",
    "until",
    "warn",
];

/// Keys whose values are objects of instants keyed by an id (a rule's last activity).
const TIME_MAP_KEYS: &[&str] = &["last_activity_by_rule"];

/// Keys whose decimal-string values are amounts, scores, rates or units.
const DECIMAL_KEYS: &[&str] = &[
    "after",
    "amount",
    "attributed",
    "before",
    "bonus_left",
    "bonus_units",
    "capped",
    "clawback",
    "commission",
    "consumed",
    "conversion",
    "cost_per_lead",
    "cumulative",
    "decayed",
    "default_rate",
    "delta",
    "discount",
    "discount_percent",
    "due",
    "engagement",
    "fee",
    "first_percent",
    "fit",
    "fit_capped",
    "fixed",
    "fixed_fee",
    "flat_fee",
    "fraction",
    "free_units",
    "held",
    "included",
    "intent",
    "invites_per_sharer",
    "k_factor",
    "last_percent",
    "left",
    "max_fee",
    "min_fee",
    "minimum_commitment",
    "monetary",
    "net",
    "overall",
    "paid",
    "paid_left",
    "paid_units",
    "part",
    "payable",
    "percent",
    "points",
    "precise",
    "precise_amount",
    "price",
    "priority",
    "quantity",
    "rate",
    "rates",
    "raw",
    "refunded",
    "remaining",
    "sale_amount",
    "score",
    "score_before",
    "seat_price",
    "shortfall",
    "social",
    "spend",
    "subtotal",
    "total",
    "total_capped",
    "total_units",
    "unattributed",
    "unit_price",
    "units",
    "upline_rate",
    "urgency",
    "value",
    "weight",
    "weighted",
    "within",
];

/// Maps whose keys and values the caller chose: returned exactly as written.
const OPAQUE_KEYS: &[&str] = &["identities", "last_turn", "properties", "referrers"];

/// Where a value sits in an argument, rendered only when a problem is reported.
#[derive(Clone, Copy)]
enum At<'a> {
    Root(&'a str),
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    fn render(&self) -> String {
        match self {
            At::Root(name) => (*name).to_owned(),
            At::Key(parent, key) => match parent.render() {
                p if p.is_empty() => (*key).to_owned(),
                p => format!("{p}.{key}"),
            },
            At::Index(parent, i) => format!("{}[{i}]", parent.render()),
        }
    }
}

/// Writes a Python value as the core's JSON text; `what` names the argument (the root of every
/// path in errors; "" for a document whose fields are the arguments).
pub(crate) fn encode(value: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    Ok(to_value(value, At::Root(what), 0)?.to_string())
}

/// Like [`encode`] for an optional argument: `None` stays `None`.
pub(crate) fn encode_optional(
    value: Option<&Bound<'_, PyAny>>,
    what: &str,
) -> PyResult<Option<String>> {
    match value {
        Some(v) if !v.is_none() => encode(v, what).map(Some),
        _ => Ok(None),
    }
}

/// Like [`encode`] for an optional list argument: `None` is the empty list.
pub(crate) fn encode_list(value: Option<&Bound<'_, PyAny>>, what: &str) -> PyResult<String> {
    Ok(encode_optional(value, what)?.unwrap_or_else(|| "[]".to_owned()))
}

/// Writes a document made of named fields (`None` fields left out), each checked at its name.
pub(crate) fn encode_fields(fields: &[(&str, Option<&Bound<'_, PyAny>>)]) -> PyResult<String> {
    let root = At::Root("");
    let mut map = Map::new();
    for (name, value) in fields {
        if let Some(value) = value.filter(|v| !v.is_none()) {
            map.insert(
                (*name).to_owned(),
                to_value(value, At::Key(&root, name), 0)?,
            );
        }
    }
    Ok(Value::Object(map).to_string())
}

fn to_value(value: &Bound<'_, PyAny>, at: At<'_>, depth: usize) -> PyResult<Value> {
    let py = value.py();
    if depth > MAX_DEPTH {
        let cause = PyRecursionError::new_err(format!("nested deeper than {MAX_DEPTH} levels"));
        return Err(errors::unwritable(py, &at.render(), cause));
    }
    if value.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if value.is_instance_of::<PyInt>() {
        if let Ok(n) = value.extract::<i64>() {
            return Ok(Value::from(n));
        }
        if let Ok(n) = value.extract::<u64>() {
            return Ok(Value::from(n));
        }
        let message = format!("{} is too large for an integer; pass a str", value.repr()?);
        return Err(errors::validation(py, &at.render(), message));
    }
    if let Ok(f) = value.cast::<PyFloat>() {
        let f = f.value();
        return serde_json::Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| errors::validation(py, &at.render(), format!("{f} is not a number")));
    }
    if let Ok(s) = value.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(dict) = value.cast::<PyDict>() {
        let mut map = Map::new();
        for (key, item) in dict.iter() {
            let key = key.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{}: keys must be str, not {}",
                    at.render(),
                    type_name(&key)
                ))
            })?;
            let key = key.to_cow()?.into_owned();
            let item = to_value(&item, At::Key(&at, &key), depth + 1)?;
            map.insert(key, item);
        }
        return Ok(Value::Object(map));
    }
    if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, item) in value.try_iter()?.enumerate() {
            items.push(to_value(&item?, At::Index(&at, i), depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    if let Some(text) = document_text(value, &at.render())? {
        return Ok(Value::String(text));
    }
    if value.hasattr("to_dict")? {
        return to_value(&value.call_method0("to_dict")?, at, depth + 1);
    }
    Err(PyTypeError::new_err(format!(
        "{}: {} cannot be written as JSON; pass dicts, lists, str, int, bool, None, \
         datetime, date or Decimal",
        at.render(),
        type_name(value)
    )))
}

/// The core's text of the values a document holds besides JSON's own, or `None` for any other
/// value: an aware `datetime` as RFC 3339 in UTC (a naive one is a `ValueError` naming `what`), a
/// `date` as `YYYY-MM-DD`, a `Decimal` as a plain decimal string.
pub(crate) fn document_text(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Option<String>> {
    let py = value.py();
    // A datetime is a date too: ask for it first.
    if value.is_instance(DATETIME.import(py, "datetime", "datetime")?)? {
        return utc_text(value, what).map(Some);
    }
    if value.is_instance(DATE.import(py, "datetime", "date")?)? {
        return value.call_method0("isoformat")?.extract().map(Some);
    }
    if value.is_instance(DECIMAL.import(py, "decimal", "Decimal")?)? {
        // `format(d, "f")` never uses an exponent, which the core would refuse.
        let text = py
            .import("builtins")?
            .getattr("format")?
            .call1((value, "f"))?;
        return text.extract().map(Some);
    }
    Ok(None)
}

/// Reads the core's JSON output text (with the GIL released) for [`decode`].
pub(crate) fn parse(text: &str) -> scrm_core::Result<Value> {
    serde_json::from_str(text).map_err(|e| {
        scrm_core::Error::internal(format!("the core wrote JSON it cannot read back: {e}"))
    })
}

/// The core's JSON output as Python values, times and amounts converted (see the module docs).
pub(crate) fn decode<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    to_py(py, value, None)
}

fn to_py<'py>(py: Python<'py>, value: &Value, key: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i.into_pyobject(py)?.into_any(),
            (None, Some(u)) => u.into_pyobject(py)?.into_any(),
            _ => PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any(),
        },
        Value::String(s) => string(py, s, key)?,
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item, key)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                let item = if OPAQUE_KEYS.contains(&k.as_str()) {
                    plain(py, v)?
                } else if let (true, Value::Object(times)) =
                    (TIME_MAP_KEYS.contains(&k.as_str()), v)
                {
                    let inner = PyDict::new(py);
                    for (id, at) in times {
                        inner.set_item(id, to_py(py, at, Some("at"))?)?;
                    }
                    inner.into_any()
                } else {
                    to_py(py, v, Some(k))?
                };
                dict.set_item(k, item)?;
            }
            dict.into_any()
        }
    })
}

/// JSON as Python's `json` module reads it, with nothing converted.
fn plain<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    match value {
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(plain(py, item)?)?;
            }
            Ok(list.into_any())
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, plain(py, v)?)?;
            }
            Ok(dict.into_any())
        }
        Value::String(s) => Ok(PyString::new(py, s).into_any()),
        other => to_py(py, other, None),
    }
}

fn string<'py>(py: Python<'py>, s: &str, key: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
    let Some(key) = key else {
        return Ok(PyString::new(py, s).into_any());
    };
    if key.ends_with("_at") || TIME_KEYS.contains(&key) {
        if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
            let t = t.with_timezone(&chrono::Utc);
            let micros = (t.nanosecond() / 1_000).min(999_999);
            let utc = TIMEZONE
                .import(py, "datetime", "timezone")?
                .getattr("utc")?;
            return DATETIME.import(py, "datetime", "datetime")?.call1((
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second(),
                micros,
                utc,
            ));
        }
        if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return DATE
                .import(py, "datetime", "date")?
                .call1((d.year(), d.month(), d.day()));
        }
    }
    if DECIMAL_KEYS.contains(&key) && is_plain_decimal(s) {
        return DECIMAL.import(py, "decimal", "Decimal")?.call1((s,));
    }
    Ok(PyString::new(py, s).into_any())
}

/// `-?digits(.digits)?`: the only form the core writes amounts in.
fn is_plain_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "an object".to_owned())
}

/// Runs a core document function with the GIL released and converts its JSON output.
pub(crate) fn call<'py, F>(py: Python<'py>, work: F) -> PyResult<Bound<'py, PyAny>>
where
    F: FnOnce() -> scrm_core::Result<String> + Send,
{
    let value = crate::run(py, || work().and_then(|text| parse(&text)))?;
    decode(py, &value)
}

/// The core's JSON output text, already in hand, as Python values (see [`call`]).
pub(crate) fn document<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
    let value = parse(text).map_err(|e| errors::to_py(py, e))?;
    decode(py, &value)
}
