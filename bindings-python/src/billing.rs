//! `scrm.Pricing` (invoices and statements) and the metering and pricing functions.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyFloat, PyList, PyTuple};

use crate::convert::utc_time;
use crate::documents::{call, decode, encode, encode_list, encode_optional};
use crate::playbook::Playbook;
use crate::run;

/// A tenant's price list (the `pricing` section of a playbook): meters, plans, coupons, usage
/// packs and the commission plan, validated once.
///
/// Build one with `Pricing.from_playbook`, `Pricing.from_dict` or `Pricing.from_json`. Amounts
/// in and out are `Decimal`s (or decimal strings), never floats; times are aware `datetime`s.
///
/// ```python
/// pricing = scrm.Pricing.from_playbook(playbook)
/// invoice = pricing.invoice(subscription, {"sms": 1500}, at=now, now=now)
/// invoice["total"]            # {'amount': Decimal('374.00'), 'currency': 'CNY'}
/// ```
#[pyclass(module = "scrm", frozen)]
pub struct Pricing {
    inner: scrm_core::Pricing,
}

#[pymethods]
impl Pricing {
    /// Loads and validates a pricing section written in JSON (the `pricing` object of a
    /// playbook). Raises `ParseError` for malformed text, `ValidationError` listing every
    /// problem at its path (`plans[0].charges[1].price.tiers[2].from`).
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Pricing> {
        run(py, || scrm_core::Pricing::from_json(text)).map(|inner| Pricing { inner })
    }

    /// Loads and validates a pricing section given as a dict; raises as `from_json` does.
    #[staticmethod]
    fn from_dict(section: &Bound<'_, PyAny>) -> PyResult<Pricing> {
        let py = section.py();
        let text = encode(section, "")?;
        run(py, || scrm_core::Pricing::from_json(&text)).map(|inner| Pricing { inner })
    }

    /// The pricing section of a playbook (already validated with it).
    #[staticmethod]
    fn from_playbook(playbook: &Bound<'_, Playbook>) -> Pricing {
        Pricing {
            inner: playbook.get().inner.pricing().clone(),
        }
    }

    /// The meters (billable metrics), as dicts; pass them to `scrm.meter`.
    #[getter]
    fn meters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        section(py, serde_json::to_value(&self.inner.meters))
    }

    /// The commission plan (`pricing.commission`) as a dict, or None; pass it to
    /// `scrm.commission` as `plan`.
    #[getter]
    fn commission<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        section(py, serde_json::to_value(&self.inner.commission))
    }

    /// The usage packs (`pricing.packs`) as a dict, or None; pass it to `scrm.pack_ladder`.
    #[getter]
    fn packs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        section(py, serde_json::to_value(&self.inner.packs))
    }

    /// The whole section as a dict; `Pricing.from_dict` of it gives an equal pricing.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        section(py, serde_json::to_value(&self.inner))
    }

    /// The invoice of `subscription` (a dict: id, customer_id, plan, started_at, timezone, ...)
    /// for the period containing `at`, with that period's `usage` (meter id to a quantity, or a
    /// list of transaction amounts for a percentage charge), as known at `now`.
    ///
    /// Returns the invoice dict: `period`, `status` ("final" or "draft"), `currency`, `lines`
    /// (each with its kind, explanation and `Decimal` amount), `subtotal`, `discount`, `total`,
    /// `coupons`. Raises `ValidationError` at its path (`subscription.plan`, `usage.sms`).
    fn invoice<'py>(
        &self,
        subscription: &Bound<'py, PyAny>,
        usage: &Bound<'py, PyAny>,
        at: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = usage.py();
        let at = utc_time(at, "at")?;
        let now = utc_time(now, "now")?;
        let subscription = encode(subscription, "subscription")?;
        let usage = encode(usage, "usage")?;
        call(py, || {
            scrm_core::invoice_json(&self.inner, &subscription, &usage, at, now)
        })
    }

    /// Every invoice of `subscription` from its first period through the one containing `now`:
    /// `usage` maps each period's first local day (a `date` or "YYYY-MM-DD") to that period's
    /// usage. Returns `{"subscription_id", "invoices": [...], "total"}`; the GIL is released
    /// meanwhile.
    fn statement<'py>(
        &self,
        subscription: &Bound<'py, PyAny>,
        usage: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = usage.py();
        let now = utc_time(now, "now")?;
        let subscription = encode(subscription, "subscription")?;
        let usage = encode(&day_keys(usage)?, "usage")?;
        call(py, || {
            scrm_core::statement_json(&self.inner, &subscription, &usage, now)
        })
    }

    fn __eq__(&self, other: &Pricing) -> bool {
        self.inner == other.inner
    }

    fn __repr__(&self) -> String {
        format!(
            "Pricing(meters={}, plans={}, coupons={}, packs={}, commission={})",
            self.inner.meters.len(),
            self.inner.plans.len(),
            self.inner.coupons.len(),
            py_bool(self.inner.packs.is_some()),
            py_bool(self.inner.commission.is_some())
        )
    }
}

fn py_bool(value: bool) -> &'static str {
    if value { "True" } else { "False" }
}

/// A part of the pricing section as Python values.
fn section<'py>(
    py: Python<'py>,
    value: serde_json::Result<serde_json::Value>,
) -> PyResult<Bound<'py, PyAny>> {
    let value = value
        .map_err(|e| crate::errors::internal(format!("cannot write the pricing section: {e}")))?;
    decode(py, &value)
}

/// A usage-by-day dict with `date` keys written as "YYYY-MM-DD" (JSON keys are strings).
fn day_keys<'py>(usage: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = usage.py();
    let Ok(dict) = usage.cast::<pyo3::types::PyDict>() else {
        return Ok(usage.clone());
    };
    let out = pyo3::types::PyDict::new(py);
    for (key, value) in dict.iter() {
        let key = if key.hasattr("isoformat")? {
            key.call_method0("isoformat")?
        } else {
            key
        };
        out.set_item(key, value)?;
    }
    Ok(out.into_any())
}

/// Refuses a float quantity, or a float in a list of transactions: floats are inexact.
fn no_float(value: &Bound<'_, PyAny>, what: &str) -> PyResult<()> {
    let float = |v: &Bound<'_, PyAny>| v.is_instance_of::<PyFloat>();
    let floats_inside = if value.is_instance_of::<PyList>() || value.is_instance_of::<PyTuple>() {
        value.try_iter()?.any(|item| item.is_ok_and(|i| float(&i)))
    } else {
        false
    };
    if float(value) || floats_inside {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a Decimal, int or str (or a list of them), not float: floats are \
             inexact; pass Decimal(\"1500\") or \"1500\""
        )));
    }
    Ok(())
}

/// Meters usage events (计量): sums, counts, maxima or unique counts per customer, meter and
/// billing period.
///
/// `meters` is a list of meter dicts (`Pricing.meters`); `events` a list of usage events
/// `{"id", "customer_id", "type", "at", "properties", "operation"?}`; `options` `{"timezone",
/// "interval", "customers": {id: {"timezone", "interval"?, "anniversary"?}}}`, each optional
/// (default UTC, monthly calendar periods). A bad event is rejected in the report, not raised.
///
/// Returns `{"values": [{customer_id, meter_id, period, value, events}], "report": {accepted,
/// replayed, unmetered, conflicts, rejected}}`, values as `Decimal`s. The GIL is released
/// meanwhile.
#[pyfunction]
#[pyo3(signature = (meters, events, options = None))]
pub fn meter<'py>(
    meters: &Bound<'py, PyAny>,
    events: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = events.py();
    let meters = encode(meters, "meters")?;
    let events = encode(events, "events")?;
    let options = encode_optional(options, "options")?;
    call(py, || {
        scrm_core::meter_json(&meters, &events, options.as_deref())
    })
}

/// Prices `quantity` with a `charge` model (flat, per unit, graduated, volume, package,
/// percentage, ...) in `currency` (ISO 4217), in arrears.
///
/// `quantity` is a `Decimal`, `int` or decimal `str`, or for a percentage charge a list of
/// transaction amounts; a float raises `TypeError`. Returns `{"quantity", "amount": {"amount",
/// "currency"}, "precise_amount", "explanation", "parts": [...]}` with `Decimal` amounts, the
/// amount rounded to the currency's minor unit.
#[pyfunction]
pub fn price<'py>(
    charge: &Bound<'py, PyAny>,
    quantity: &Bound<'py, PyAny>,
    currency: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let py = charge.py();
    no_float(quantity, "quantity")?;
    let charge = encode(charge, "charge")?;
    let quantity = encode(quantity, "quantity")?;
    call(py, || scrm_core::price_json(&charge, &quantity, currency))
}

/// The fee of each event charged in advance (预付费), given the period's `prior` events (units
/// per event, or transaction amounts; None for none) and the `events` to bill, in time order.
///
/// Returns `{"fees": [{quantity, cumulative, before, after, amount, explanation}], "total"}`
/// with `Decimal` amounts. Raises `ValidationError` for a model that cannot be billed in
/// advance (volume) or a negative event; a float raises `TypeError`.
#[pyfunction]
#[pyo3(signature = (charge, events, currency, prior = None))]
pub fn advance_fees<'py>(
    charge: &Bound<'py, PyAny>,
    events: &Bound<'py, PyAny>,
    currency: &str,
    prior: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = charge.py();
    no_float(events, "events")?;
    if let Some(prior) = prior {
        no_float(prior, "prior")?;
    }
    let charge = encode(charge, "charge")?;
    let events = encode(events, "events")?;
    let prior = encode_list(prior, "prior")?;
    call(py, || {
        scrm_core::advance_fees_json(&charge, &prior, &events, currency)
    })
}
