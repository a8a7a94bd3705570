//! Billing: meters, charge models, and `Pricing` (plans, coupons) for invoices and statements.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::condition::time;
use crate::{Playbook, document, json_text, optional_json, run};

/// Meters usage events (计量): per customer, meter and billing period (whole local days in the
/// customer's timezone), the meter's value as a decimal string. A usage event sent again counts
/// once (`report.replayed`); the same id with other content is a conflict, and an event that does
/// not read as one is rejected (both listed in the report, not thrown). `meters` is a playbook's
/// `pricing.meters`; `options` (every field optional) sets the default timezone and interval and
/// per-customer ones.
///
/// @throws {ScrmError} `code` "validation" naming each bad meter (`meters[0].field`) or option,
/// or a value that overflows; "parse" for a value that has no JSON form.
#[napi(
    ts_args_type = "meters: Array<MeterJson>, events: Array<UsageEventJson>, options?: MeterOptionsJson | undefined | null",
    ts_return_type = "Metered"
)]
pub fn meter<'env>(
    env: &'env Env,
    meters: Unknown<'_>,
    events: Unknown<'_>,
    options: Option<Unknown<'_>>,
) -> Result<Unknown<'env>> {
    let meters = json_text(env, meters, "meters")?;
    let events = json_text(env, events, "events")?;
    let options = optional_json(env, options, "options")?;
    document(env, || {
        scrm_core::meter_json(&meters, &events, options.as_deref())
    })
}

/// Prices `quantity` (a decimal string such as `"1500"`, or for a percentage charge the list of
/// transaction amounts, `["5", "10"]`) with a charge model (`standard`, `graduated`, `volume`,
/// `package`, `percentage`, `graduated_percentage`), in arrears: the amount rounded to the
/// currency's minor unit, the exact amount, the parts and the calculation in words. Amounts are
/// decimal strings, never JS numbers.
///
/// @throws {ScrmError} `code` "validation" naming each bad field of `charge`
/// (`price.tiers[1].from`), at `quantity` for a quantity of the wrong kind or a JS number with a
/// fraction, at `currency` for an unknown ISO 4217 code.
#[napi(
    ts_args_type = "charge: ChargeModelJson, quantity: string | Array<string>, currency: string",
    ts_return_type = "Price"
)]
pub fn price<'env>(
    env: &'env Env,
    charge: Unknown<'_>,
    quantity: Unknown<'_>,
    currency: String,
) -> Result<Unknown<'env>> {
    let charge = json_text(env, charge, "charge")?;
    let quantity = json_text(env, quantity, "quantity")?;
    document(env, || scrm_core::price_json(&charge, &quantity, &currency))
}

/// The fee of each event of a charge billed in advance (预付), given the period's earlier events
/// `prior` (units per event, or transaction amounts, as decimal strings): what each event adds to
/// the period's price, and the total.
///
/// @throws {ScrmError} As `price`, and for a model that cannot be billed in advance (volume) or a
/// negative event.
#[napi(
    ts_args_type = "charge: ChargeModelJson, events: Array<string>, currency: string, prior?: Array<string> | undefined | null",
    ts_return_type = "AdvanceFees"
)]
pub fn advance_fees<'env>(
    env: &'env Env,
    charge: Unknown<'_>,
    events: Unknown<'_>,
    currency: String,
    prior: Option<Unknown<'_>>,
) -> Result<Unknown<'env>> {
    let charge = json_text(env, charge, "charge")?;
    let events = json_text(env, events, "events")?;
    let prior = optional_json(env, prior, "prior")?.unwrap_or_else(|| "[]".to_owned());
    document(env, || {
        scrm_core::advance_fees_json(&charge, &prior, &events, &currency)
    })
}

/// A validated pricing section (meters, plans, coupons, packs, commission), loaded once; bill
/// subscriptions with `invoice` and `statement`. Build one with `Pricing.fromJson` or
/// `Pricing.fromPlaybook`. See `docs/billing.md`.
#[napi]
pub struct Pricing {
    inner: scrm_core::Pricing,
}

#[napi]
impl Pricing {
    /// Loads and validates a pricing section on its own (the `pricing` object of a playbook), as
    /// JSON text or an object. Problem paths leave out the `pricing.` prefix.
    ///
    /// @throws {ScrmError} `code` "parse" for text that is not JSON; "validation" with every
    /// problem at its path (`plans[0].charges[1].price.tiers[2].from`).
    #[napi(factory, ts_args_type = "json: PricingJson | string")]
    pub fn from_json(env: Env, json: Unknown<'_>) -> Result<Pricing> {
        let text = match json.get_type()? {
            ValueType::String => String::from_unknown(json)?,
            _ => json_text(&env, json, "")?,
        };
        run(&env, || scrm_core::Pricing::from_json(&text)).map(|inner| Pricing { inner })
    }

    /// The pricing section of a loaded playbook (empty when it has none).
    #[napi(factory)]
    pub fn from_playbook(playbook: &Playbook) -> Pricing {
        Pricing {
            inner: playbook.inner.pricing().clone(),
        }
    }

    /// The section as a plain object; `Pricing.fromJson` reads it back to an equal one.
    #[napi(ts_return_type = "PricingJson")]
    pub fn to_json<'env>(&self, env: &'env Env) -> Result<Unknown<'env>> {
        document(env, || {
            serde_json::to_string(&self.inner)
                .map_err(|e| scrm_core::Error::internal(format!("pricing as JSON: {e}")))
        })
    }

    /// The invoice of `subscription` for the billing period containing `at`, with that period's
    /// `usage` (meter id → quantity as a decimal string, or transactions for a percentage charge),
    /// as known at `now` (a draft until the period ends). Each line has its kind, quantity, unit
    /// price, rounded and exact amounts (decimal strings) and explanation; proration counts local
    /// days in the subscription's timezone.
    ///
    /// @throws {ScrmError} `code` "validation" at `at` or `now`, and naming each bad field of
    /// `subscription` (`subscription.changes[0].plan`) and `usage` (`usage.sms`).
    #[napi(
        ts_args_type = "subscription: SubscriptionJson, usage: UsageJson, at: Date | string, now: Date | string",
        ts_return_type = "Invoice"
    )]
    pub fn invoice<'env>(
        &self,
        env: &'env Env,
        subscription: Unknown<'_>,
        usage: Unknown<'_>,
        at: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let at = time(env, at, "at")?;
        let now = time(env, now, "now")?;
        let subscription = json_text(env, subscription, "subscription")?;
        let usage = json_text(env, usage, "usage")?;
        document(env, || {
            scrm_core::invoice_json(&self.inner, &subscription, &usage, at, now)
        })
    }

    /// Every invoice of `subscription` from its first period through the one containing `now`,
    /// fixed once coupons carried from invoice to invoice. `usage` maps each period's first local
    /// day to its usage: `{ '2026-03-01': { sms: '1500' } }`.
    ///
    /// @throws {ScrmError} As `invoice`.
    #[napi(
        ts_args_type = "subscription: SubscriptionJson, usage: Record<string, UsageJson>, now: Date | string",
        ts_return_type = "Statement"
    )]
    pub fn statement<'env>(
        &self,
        env: &'env Env,
        subscription: Unknown<'_>,
        usage: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let now = time(env, now, "now")?;
        let subscription = json_text(env, subscription, "subscription")?;
        let usage = json_text(env, usage, "usage")?;
        document(env, || {
            scrm_core::statement_json(&self.inner, &subscription, &usage, now)
        })
    }
}
