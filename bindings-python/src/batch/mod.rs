//! The batch functions over Arrow tables: `scrm.fold_table`, `scrm.meter_table` and
//! `scrm.price_table`. Each goes through [`run_batch`] (extract, release the GIL, run with panics
//! caught, convert back), and each reports a bad row by its number and column, or lists it in the
//! rejected-rows table when the caller passes `on_error="reject"`; no row is silently dropped.

pub(crate) mod columns;
mod fold;
mod meter;
mod price;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;
use scrm_core::{Engine, Interval, Meter, Pricing};

use crate::arrow::{BatchError, OnError, extract, run_batch};
use crate::convert::{to_json, utc_time};
use crate::errors;
use crate::playbook::Playbook;
use columns::DecimalOut;

/// Folds an events table into profiles, with the effects of every event.
///
/// `playbook` is a `scrm.Playbook` (its engine is compiled with the GIL released). `events` is a
/// pyarrow Table or RecordBatch, a polars or pandas DataFrame, or anything with
/// `__arrow_c_stream__` / `__arrow_c_array__`, with columns `id`, `customer_id`, `type`
/// (strings), `at` (a timestamp with a timezone, or RFC 3339 text), optionally `tenant_id`,
/// `platform`, `channel_id`, `channel_code`, `text` and `properties` (JSON object text); every other
/// column is the event property of its name. Rows may come in any order: each customer's events
/// are folded in time order (time, then id), as the core's `Engine.fold` does.
///
/// `profiles` continues an earlier fold: a table with a `state` column, as this function returns
/// (only `state` is read). Customers without a profile get a new one.
///
/// Returns `(profiles, effects)` as `pyarrow.Table`s:
/// - profiles: `customer_id`, `stage`, `score` (at `now`, default each customer's latest event;
///   a decimal string, or `decimal128` with `decimal="decimal128"`), `grade`, `tags` (list of tag
///   ids), `owner`, `last_event_at` (timestamp, UTC), `events_seen` (int64) and `state` (the
///   profile as JSON, to pass back as `profiles` later). Input profiles first, in order, then new
///   customers in order of first appearance.
/// - effects: one row per change — `customer_id`, `event_id`, `at`, `kind` (`tag_added`,
///   `tag_removed`, `tag_refreshed`, `score`, `stage`, `threshold_fired`, `threshold_rearmed`,
///   `task`, `alert`, `replayed`), `detail` and `reason`. With `effects=False` the fold takes the
///   core's faster batch path and this table is empty (the profiles are the same).
///
/// A bad row (a null id, an unreadable time, an event later than the lateness bound) raises
/// `ValidationError` at `events[<row>].<column>`; with `on_error="reject"` the result is
/// `(profiles, effects, rejected)` and the bad rows are listed in `rejected` (`row`, `column`,
/// `reason`) instead. A missing or mistyped column raises at `events.<column>`; a bad profile
/// always raises, at `profiles[<row>]...` (skipping it would start that customer afresh).
#[pyfunction]
#[pyo3(signature = (playbook, events, profiles = None, *, now = None, effects = true, state = true, decimal = "string", on_error = "raise"))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fold_table<'py>(
    playbook: &Bound<'py, Playbook>,
    events: &Bound<'py, PyAny>,
    profiles: Option<&Bound<'py, PyAny>>,
    now: Option<&Bound<'py, PyAny>>,
    effects: bool,
    state: bool,
    decimal: &str,
    on_error: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let options = fold::FoldOptions {
        now: match now {
            Some(n) if !n.is_none() => Some(utc_time(n, "now")?),
            _ => None,
        },
        effects,
        state,
        decimal: DecimalOut::parse(decimal)?,
    };
    let on_error = OnError::parse(on_error)?;
    let previous = match profiles {
        Some(p) if !p.is_none() => extract(p, "profiles")?.0,
        _ => Vec::new(),
    };
    let lent = &previous;
    let playbook = &playbook.get().inner;
    // `previous` outlives the call, so its batches are released with the GIL held, as the events'.
    run_batch(events, "events", on_error, move |batches, _, rejects| {
        let engine = Engine::compile(playbook).map_err(BatchError::Core)?;
        fold::fold(&engine, &options, batches, lent, rejects)
    })
}

/// Meters a usage table: one row per customer, meter and billing period.
///
/// `meters` is a `scrm.Playbook` (its `pricing.meters`, periods in its timezone), or a list of
/// meter dicts (docs/billing.md: `{"id", "event", "aggregation", "field"?, "unit"?}`) or their JSON
/// text. `usage` is an Arrow table (pyarrow, polars, pandas) with columns `id`, `customer_id`,
/// `type` (strings), `at` (a timestamp with a timezone, or RFC 3339 text), optionally `operation`
/// (`add` / `remove`, for unique counts), and the columns the meters read (their `field`), as
/// strings, integers or decimals; floats are refused. `timezone` (IANA name; default the
/// playbook's, else UTC) and `interval` (`month`, `quarter`, `year`) set calendar periods.
///
/// Returns a `pyarrow.Table`: `customer_id`, `meter_id`, `period_start`, `period_end` (UTC
/// timestamps), `first_day`, `last_day` (local dates), `value` (a decimal string, or `decimal128`
/// with `decimal="decimal128"`) and `events` (int64), sorted by customer, meter and period.
///
/// Every row is accounted for: a repeat of an event with the same content counts once; a bad row
/// (a null id, a property a meter cannot read, the same id with other content) raises
/// `ValidationError` at `usage[<row>].<column>`, or with `on_error="reject"` the result is
/// `(values, rejected)` with the bad rows listed in `rejected`. The values table's schema
/// metadata counts every row: `scrm.rows` = `scrm.metered` + `scrm.replayed` + `scrm.unmetered`
/// (a type no meter reads) + `scrm.rejected`.
#[pyfunction]
#[pyo3(signature = (meters, usage, *, timezone = None, interval = "month", decimal = "string", on_error = "raise"))]
pub(crate) fn meter_table<'py>(
    meters: &Bound<'py, PyAny>,
    usage: &Bound<'py, PyAny>,
    timezone: Option<&str>,
    interval: &str,
    decimal: &str,
    on_error: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let py = meters.py();
    let (meters, default_zone): (Vec<Meter>, String) = match meters.cast::<Playbook>() {
        Ok(playbook) => {
            let inner = &playbook.get().inner;
            (
                inner.pricing().meters().to_vec(),
                inner.timezone_name().to_owned(),
            )
        }
        Err(_) => {
            let text = if meters.is_instance_of::<PyString>() {
                meters.extract::<String>()?
            } else {
                to_json(meters, "meters")?
            };
            let list = serde_json::from_str::<Vec<Meter>>(&text).map_err(|e| {
                errors::validation(py, "meters", format!("not a list of meters: {e}"))
            })?;
            (list, "UTC".to_owned())
        }
    };
    let zone_name = timezone.unwrap_or(&default_zone);
    let zone: chrono_tz::Tz = zone_name.parse().map_err(|_| {
        errors::validation(
            py,
            "timezone",
            format!(
                "unknown timezone {zone_name:?}, expected an IANA name such as \"Asia/Shanghai\""
            ),
        )
    })?;
    let interval: Interval = serde_json::from_value(serde_json::Value::String(interval.into()))
        .map_err(|_| {
            errors::validation(
                py,
                "interval",
                format!("interval must be \"month\", \"quarter\" or \"year\", not {interval:?}"),
            )
        })?;
    let decimal = DecimalOut::parse(decimal)?;
    let on_error = OnError::parse(on_error)?;
    run_batch(usage, "usage", on_error, move |batches, _, rejects| {
        meter::meter(&meters, zone, interval, decimal, batches, rejects)
    })
}

/// Prices many subscriptions into invoices and invoice lines, for the period containing `at`, as
/// known at `now`.
///
/// `pricing` is a `scrm.Playbook` (its `pricing` section), or a pricing section as a dict or JSON
/// text (docs/billing.md). `subscriptions` is an Arrow table with either a `subscription` column
/// (each row a subscription as JSON text) or the fields as columns: `id`, `customer_id`, `plan`,
/// `started_at` (timestamp with a timezone, or RFC 3339 text), `timezone`, and optionally
/// `anchor`, `seats` (int), `overrides`, `coupons`, `changes` (JSON text). The period's usage comes
/// from a `usage` column (JSON object text, `{"sms": "1500"}`) and/or columns `usage.<meter id>`
/// (integers, decimals or decimal strings); `scrm.meter_table` gives the values to pivot there.
///
/// Returns `(invoices, lines)` as `pyarrow.Table`s. invoices: `row` (the subscription's input row),
/// `subscription_id`, `customer_id`, `plan_id`, `period_start`, `period_end`, `first_day`,
/// `last_day`, `status`, `currency`, `subtotal`, `discount`, `total`. lines: `subscription_id`,
/// `customer_id`, `line` (its position on the invoice), `kind`, `description`, `explanation`,
/// `charge_id`, `currency`, `quantity`, `unit_price`, `amount` (rounded) and `precise_amount`.
/// Amounts are decimal strings, or `decimal128` with `decimal="decimal128"` — never floats.
///
/// A subscription that cannot be priced (an unknown plan, a bad timezone, unreadable usage)
/// raises `ValidationError` at `subscriptions[<row>].<column>`; with `on_error="reject"` the
/// result is `(invoices, lines, rejected)` and the others are still priced.
#[pyfunction]
#[pyo3(signature = (pricing, subscriptions, *, at, now, decimal = "string", on_error = "raise"))]
pub(crate) fn price_table<'py>(
    pricing: &Bound<'py, PyAny>,
    subscriptions: &Bound<'py, PyAny>,
    at: &Bound<'py, PyAny>,
    now: &Bound<'py, PyAny>,
    decimal: &str,
    on_error: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let py = pricing.py();
    let pricing: Pricing = match pricing.cast::<Playbook>() {
        Ok(playbook) => playbook.get().inner.pricing().clone(),
        Err(_) => {
            let text = if pricing.is_instance_of::<PyString>() {
                pricing.extract::<String>()?
            } else if pricing.is_instance_of::<pyo3::types::PyDict>() {
                to_json(pricing, "pricing")?
            } else {
                return Err(PyTypeError::new_err(
                    "pricing must be a scrm.Playbook, a dict or JSON text",
                ));
            };
            Pricing::from_json(&text).map_err(|e| errors::to_py(py, e))?
        }
    };
    let at = utc_time(at, "at")?;
    let now = utc_time(now, "now")?;
    let decimal = DecimalOut::parse(decimal)?;
    let on_error = OnError::parse(on_error)?;
    run_batch(
        subscriptions,
        "subscriptions",
        on_error,
        move |batches, _, rejects| price::price(&pricing, at, now, decimal, batches, rejects),
    )
}
