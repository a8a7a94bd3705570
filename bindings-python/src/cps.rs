//! CPS (attribution and commissions) and usage packs: functions over plain documents.
//!
//! Each function gathers its arguments into the one document the core reads (docs/cps.md,
//! docs/packs.md), so every problem is named from that document's root (`sales[2].touches[0].at`,
//! `plan.referral.levels`).

use pyo3::prelude::*;

use crate::documents::{call, encode_fields};

/// Attributes one `sale` (`{"id", "at", "amount", "currency", "touches": [{"at", "channel",
/// "campaign"?, "promoter"?}]}`) to its touches under `attribution` (`{"model": "linear" |
/// "first_touch" | "last_touch" | "time_decay" | "position_based", "lookback"?, ...}`).
///
/// Returns `{sale_id, model, currency, amount, attributed, unattributed, credits: [{touch_index,
/// weight, amount, explanation, ...}], excluded: [{touch_index, reason, ...}], explanation}`
/// with `Decimal` amounts and weights that sum exactly to the sale.
#[pyfunction]
pub fn attribute<'py>(
    attribution: &Bound<'py, PyAny>,
    sale: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = sale.py();
    let doc = encode_fields(&[("attribution", Some(attribution)), ("sale", Some(sale))])?;
    call(py, || scrm_core::attribute_json(&doc))
}

/// Every commission line (佣金) of a history as of `as_of` (an aware `datetime`).
///
/// `plan` is a commission section (`Pricing.commission`); `sales`, `refunds`, `payouts` lists
/// of dicts; `referrers` maps a promoter to their upline. Returns `{as_of, currency, lines:
/// [{sale_id, touch_index, level, promoter, attributed, rate, commission, paid, amount, status,
/// ...}], totals: {commission, paid, held, payable, clawback, due}}` with `Decimal` amounts.
#[pyfunction]
#[pyo3(signature = (
    plan, *, as_of, sales = None, refunds = None, payouts = None, referrers = None
))]
pub fn commission<'py>(
    plan: &Bound<'py, PyAny>,
    as_of: &Bound<'py, PyAny>,
    sales: Option<&Bound<'py, PyAny>>,
    refunds: Option<&Bound<'py, PyAny>>,
    payouts: Option<&Bound<'py, PyAny>>,
    referrers: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = plan.py();
    let doc = encode_fields(&[
        ("plan", Some(plan)),
        ("sales", sales),
        ("refunds", refunds),
        ("payouts", payouts),
        ("referrers", referrers),
        ("as_of", Some(as_of)),
    ])?;
    call(py, || scrm_core::commission_json(&doc))
}

/// A promoter's commission statement (对账单) for `[start, end)` (aware `datetime`s; the
/// document's `from` and `to`): the lines of `commission` for that promoter and period, with
/// totals and an explanation. Raises `ValidationError` when `start` is not before `end`.
#[pyfunction]
#[pyo3(signature = (
    plan, promoter, start, end, *, sales = None, refunds = None, payouts = None, referrers = None
))]
#[allow(clippy::too_many_arguments)] // one per field of the core's document
pub fn commission_statement<'py>(
    plan: &Bound<'py, PyAny>,
    promoter: &Bound<'py, PyAny>,
    start: &Bound<'py, PyAny>,
    end: &Bound<'py, PyAny>,
    sales: Option<&Bound<'py, PyAny>>,
    refunds: Option<&Bound<'py, PyAny>>,
    payouts: Option<&Bound<'py, PyAny>>,
    referrers: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = plan.py();
    let doc = encode_fields(&[
        ("plan", Some(plan)),
        ("sales", sales),
        ("refunds", refunds),
        ("payouts", payouts),
        ("referrers", referrers),
        ("promoter", Some(promoter)),
        ("from", Some(start)),
        ("to", Some(end)),
    ])?;
    call(py, || scrm_core::commission_statement_json(&doc))
}

/// The pack ladder (流量包阶梯) with effective unit prices: `packs` is a packs section
/// (`Pricing.packs`: `{"unit", "currency", "ladder": [{"id", "units", "bonus_units"?, "price",
/// "valid_for"?}]}`). Returns `{"unit", "currency", "packs": [{id, units, bonus_units,
/// total_units, price, unit_price, discount_percent, explanation, ...}]}` with `Decimal`s.
#[pyfunction]
pub fn pack_ladder<'py>(packs: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let py = packs.py();
    let doc = encode_fields(&[("packs", Some(packs))])?;
    call(py, || scrm_core::pack_ladder_json(&doc))
}

/// The wallet that buying pack `pack_id` at `at` (an aware `datetime`) creates, with id
/// `wallet_id`: `{"id", "pack_id", "purchased_at", "expires_at"?, "paid_units",
/// "bonus_units"}`. Raises `ValidationError` at `pack_id` for an unknown pack.
#[pyfunction]
pub fn purchase<'py>(
    packs: &Bound<'py, PyAny>,
    pack_id: &Bound<'py, PyAny>,
    wallet_id: &Bound<'py, PyAny>,
    at: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = packs.py();
    let doc = encode_fields(&[
        ("packs", Some(packs)),
        ("pack_id", Some(pack_id)),
        ("wallet_id", Some(wallet_id)),
        ("at", Some(at)),
    ])?;
    call(py, || scrm_core::purchase_json(&doc))
}

/// Consumes `usages` (`[{"id", "at", "quantity"}]`, in time order; the same id twice counts
/// once) from `wallets` (as `purchase` returns them): bonus units first, then paid, the wallet
/// expiring first first.
///
/// Returns `{"wallets": [the wallets after], "consumptions": [{usage_id, consumed, shortfall,
/// lines: [{wallet_id, kind, units, ...}], expired: [...], ...}]}` with `Decimal` units.
#[pyfunction]
pub fn consume<'py>(
    wallets: &Bound<'py, PyAny>,
    usages: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = usages.py();
    let doc = encode_fields(&[("wallets", Some(wallets)), ("usages", Some(usages))])?;
    call(py, || scrm_core::consume_json(&doc))
}
