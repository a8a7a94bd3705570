//! Billing (计费): metering, charge models, invoices and statements; CPS attribution and
//! commission (分佣); usage packs (资源包). Documents cross as JSON text in the shapes of
//! `docs/billing.md`, `docs/cps.md` and `docs/packs.md`; money is always a decimal string.

use std::sync::Arc;
use std::time::SystemTime;

use crate::convert::utc_at;
use crate::{Playbook, ScrmError, guarded, run};

/// A pricing section (plans, charges, coupons, meters), validated once. Safe to share between
/// threads.
#[derive(uniffi::Object)]
pub struct Pricing {
    inner: scrm_core::Pricing,
}

#[uniffi::export]
impl Pricing {
    /// Loads and validates a pricing section on its own (the `pricing` object of a playbook).
    ///
    /// Throws `ScrmException.Parse` for malformed JSON and `ScrmException.Validation` with every
    /// problem at its path (`plans[0].charges[1].price.tiers[2].from`).
    #[uniffi::constructor]
    pub fn from_json(text: String) -> Result<Arc<Pricing>, ScrmError> {
        run(|| scrm_core::Pricing::from_json(&text)).map(|inner| Arc::new(Pricing { inner }))
    }

    /// The pricing section of a playbook (empty when it has none).
    #[uniffi::constructor]
    pub fn from_playbook(playbook: Arc<Playbook>) -> Arc<Pricing> {
        Arc::new(Pricing {
            inner: playbook.inner.pricing().clone(),
        })
    }

    /// The invoice of a subscription (JSON) for the period containing `at`, with that period's
    /// usage (JSON: meter id → quantity or transactions, `{"sms": "1500"}`), as known at `now`.
    /// Returns the invoice JSON: period, status, lines with explanations, subtotal, discount,
    /// total, coupons.
    pub fn invoice_json(
        &self,
        subscription_json: String,
        usage_json: String,
        at: SystemTime,
        now: SystemTime,
    ) -> Result<String, ScrmError> {
        guarded(|| {
            let at = utc_at(at, "at")?;
            let now = utc_at(now, "now")?;
            Ok(scrm_core::invoice_json(
                &self.inner,
                &subscription_json,
                &usage_json,
                at,
                now,
            )?)
        })
    }

    /// The statement of a subscription (JSON) from its first period through the one containing
    /// `now`; `usage_json` maps each period's first local day to its usage (`{"2026-03-01":
    /// {"sms": "1500"}}`). Returns `{"subscription_id", "invoices": [...], "total"}`.
    pub fn statement_json(
        &self,
        subscription_json: String,
        usage_json: String,
        now: SystemTime,
    ) -> Result<String, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            Ok(scrm_core::statement_json(
                &self.inner,
                &subscription_json,
                &usage_json,
                now,
            )?)
        })
    }
}

/// Meters usage events (a JSON list) with meters (a JSON list, the playbook's `pricing.meters`)
/// and options (JSON `{"timezone", "interval", "customers"}`, or null for UTC monthly). Returns
/// `{"values": [...], "report": {"accepted", "replayed", "unmetered", "conflicts", "rejected"}}`;
/// an unreadable event is rejected in the report, not an error of the call.
#[uniffi::export]
pub fn meter_json(
    meters_json: String,
    events_json: String,
    options_json: Option<String>,
) -> Result<String, ScrmError> {
    run(|| scrm_core::meter_json(&meters_json, &events_json, options_json.as_deref()))
}

/// Prices a quantity with a charge model (JSON), in arrears: `quantity_json` is a decimal string
/// (`"1500"`) or a list of transaction amounts (`["5", "10"]`), `currency` an ISO 4217 code.
/// Returns `{"quantity", "amount": {"amount", "currency"}, "precise_amount", "explanation",
/// "parts"}`.
#[uniffi::export]
pub fn price_json(
    charge_json: String,
    quantity_json: String,
    currency: String,
) -> Result<String, ScrmError> {
    run(|| scrm_core::price_json(&charge_json, &quantity_json, &currency))
}

/// The fees of events charged in advance: the period's earlier events (`prior_json`, a JSON list
/// of decimals) and the events to bill (`events_json`). Returns `{"fees": [...], "total"}`.
#[uniffi::export]
pub fn advance_fees_json(
    charge_json: String,
    prior_json: String,
    events_json: String,
    currency: String,
) -> Result<String, ScrmError> {
    run(|| scrm_core::advance_fees_json(&charge_json, &prior_json, &events_json, &currency))
}

/// Attributes one sale to its touches (CPS 归因): `{"attribution": {"model", "lookback"},
/// "sale": {...}}` → `{sale_id, model, credits: [...], excluded: [...], unattributed, ...}`.
#[uniffi::export]
pub fn attribute_json(input_json: String) -> Result<String, ScrmError> {
    run(|| scrm_core::attribute_json(&input_json))
}

/// Every commission line as of a time (分佣): `{"plan", "sales", "refunds", "payouts",
/// "referrers", "as_of"}` → `{as_of, currency, lines: [...], totals: {...}}`.
#[uniffi::export]
pub fn commission_json(input_json: String) -> Result<String, ScrmError> {
    run(|| scrm_core::commission_json(&input_json))
}

/// A promoter's commission statement for `[from, to)`: the input of `commissionJson` with
/// `"promoter"`, `"from"` and `"to"` instead of `"as_of"`.
#[uniffi::export]
pub fn commission_statement_json(input_json: String) -> Result<String, ScrmError> {
    run(|| scrm_core::commission_statement_json(&input_json))
}

/// The pack ladder with effective unit prices: `{"packs": <the packs section>}` → `{"unit",
/// "currency", "packs": [{id, total_units, unit_price, discount_percent, explanation, ...}]}`.
#[uniffi::export]
pub fn pack_ladder_json(input_json: String) -> Result<String, ScrmError> {
    run(|| scrm_core::pack_ladder_json(&input_json))
}

/// The wallet a pack purchase creates: `{"packs", "pack_id", "wallet_id", "at"}` → `{"id",
/// "pack_id", "purchased_at", "expires_at"?, "paid_units", "bonus_units"}`.
#[uniffi::export]
pub fn purchase_json(input_json: String) -> Result<String, ScrmError> {
    run(|| scrm_core::purchase_json(&input_json))
}

/// Consumes usages from wallets, in time order: `{"wallets": [...], "usages": [{"id", "at",
/// "quantity"}]}` → `{"wallets": [...after], "consumptions": [...]}`.
#[uniffi::export]
pub fn consume_json(input_json: String) -> Result<String, ScrmError> {
    run(|| scrm_core::consume_json(&input_json))
}
