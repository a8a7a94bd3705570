//! The JSON document interface of billing, for the bindings: each function takes and returns
//! JSON text in the shapes documented in `docs/billing.md` and `conformance/README.md`.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::charge::{AdvanceFee, ChargeModel, Quantity};
use super::invoice::Usage;
use super::meter::{IngestReport, Meter, MeterValue, Metering, Rejection, UsageEvent};
use super::money::{Currency, Money};
use super::period::{BillingCycle, Interval};
use super::subscription::Subscription;
use crate::error::{Error, ErrorKind, Result};
use crate::playbook::Pricing;

fn read<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| crate::error::json_parse_error(what, "JSON", &e))?;
    serde_json::from_value(value).map_err(|e| Error::at(ErrorKind::Validation, what, e.to_string()))
}

fn write<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Options of [`meter_json`]: the default timezone and interval, and per-customer ones.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MeterOptions {
    #[serde(default)]
    timezone: Option<String>,
    #[serde(default)]
    interval: Option<Interval>,
    #[serde(default)]
    customers: BTreeMap<String, CustomerClock>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomerClock {
    timezone: String,
    #[serde(default)]
    interval: Option<Interval>,
    #[serde(default)]
    anniversary: Option<NaiveDate>,
}

fn timezone(name: &str, at: &str) -> Result<Tz> {
    name.parse().map_err(|_| {
        Error::at(
            ErrorKind::Validation,
            at,
            format!("unknown timezone {name:?}, expected an IANA name such as \"Asia/Shanghai\""),
        )
    })
}

/// Meters a JSON list of usage events.
///
/// * `meters_json`: a list of meters (the playbook's `pricing.meters`).
/// * `events_json`: a list of usage events (`{"id", "customer_id", "type", "at", "properties",
///   "operation"}`). An event that does not read as one is rejected in the report (with an
///   empty path: the whole event), not an error of the whole call.
/// * `options_json`: `{"timezone": "Asia/Shanghai", "interval": "month", "customers": {"c1":
///   {"timezone": "UTC", "interval": "quarter", "anniversary": "2026-01-15"}}}`, every field
///   optional (default UTC, month, calendar periods).
///
/// Returns `{"values": [{"customer_id", "meter_id", "period": {"start", "end", "first_day",
/// "last_day", "days"}, "value", "events"}...], "report": {"accepted", "replayed",
/// "unmetered", "conflicts": [{"index", "customer_id", "id", "message"}], "rejected":
/// [{"index", "id", "path", "message"}]}}`.
///
/// # Errors
///
/// [`ErrorKind::Parse`] for malformed JSON; [`ErrorKind::Validation`] for invalid meters or
/// options, or a value that overflows.
pub fn meter_json(
    meters_json: &str,
    events_json: &str,
    options_json: Option<&str>,
) -> Result<String> {
    let meters: Vec<Meter> = read(meters_json, "meters")?;
    let options: MeterOptions = match options_json {
        Some(text) => read(text, "options")?,
        None => MeterOptions::default(),
    };
    let tz = timezone(
        options.timezone.as_deref().unwrap_or("UTC"),
        "options.timezone",
    )?;
    let interval = options.interval.unwrap_or(Interval::Month);
    let mut metering = Metering::new(&meters, tz, interval)?;
    for (id, clock) in &options.customers {
        let at = format!("options.customers.{id}");
        let tz = timezone(&clock.timezone, &format!("{at}.timezone"))?;
        let interval = clock.interval.unwrap_or(interval);
        let cycle = match clock.anniversary {
            Some(date) => BillingCycle::anniversary(interval, date),
            None => BillingCycle::calendar(interval),
        };
        metering.set_customer(id, tz, cycle)?;
    }
    let raw: Vec<Value> = read(events_json, "events")?;
    let mut events = Vec::with_capacity(raw.len());
    let mut unreadable = Vec::new();
    let mut positions = Vec::with_capacity(raw.len());
    for (i, value) in raw.into_iter().enumerate() {
        let id = value
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        match serde_json::from_value::<UsageEvent>(value) {
            Ok(e) => {
                events.push(e);
                positions.push(i);
            }
            Err(e) => unreadable.push(Rejection {
                index: Some(i),
                id,
                path: String::new(),
                message: format!("not a usage event: {e}"),
            }),
        }
    }
    let mut report = metering.ingest(&events);
    // Indices in the report are positions in the list given, unreadable events included.
    let at = |k: Option<usize>| k.and_then(|k| positions.get(k).copied());
    for c in &mut report.conflicts {
        c.index = at(c.index);
    }
    for r in &mut report.rejected {
        r.index = at(r.index);
    }
    report.rejected.extend(unreadable);
    report.rejected.sort_by_key(|r| r.index);
    #[derive(Serialize)]
    struct Out {
        values: Vec<MeterValue>,
        report: IngestReport,
    }
    Ok(write(&Out {
        values: metering.values()?,
        report,
    }))
}

/// Prices a quantity (or transactions) with a charge model, in arrears.
///
/// * `charge_json`: a charge model (`{"model": "graduated", "tiers": [...]}`).
/// * `quantity_json`: a decimal string or integer (`"1500"`), or a list of transaction amounts
///   for a percentage charge (`["5", "10"]`).
/// * `currency`: an ISO 4217 code; the amount is rounded to its minor unit.
///
/// Returns `{"quantity": "1500", "amount": {"amount": "112.00", "currency": "CNY"},
/// "precise_amount": "112.00", "explanation": "1,500 units: 100 × 0.10 + ...", "parts":
/// [{"kind", "quantity", "unit_price", "amount"}...]}`.
///
/// # Errors
///
/// [`ErrorKind::Parse`] for malformed JSON; [`ErrorKind::Validation`] for an invalid model,
/// a quantity of the wrong kind, an unknown currency, or an overflow.
pub fn price_json(charge_json: &str, quantity_json: &str, currency: &str) -> Result<String> {
    let model: ChargeModel = read(charge_json, "charge")?;
    let quantity: Quantity = read(quantity_json, "quantity")?;
    let currency = Currency::from_code(currency, "currency")?;
    let price = model.price(&quantity)?;
    let unit = match (model.prices_transactions(), price.quantity == Decimal::ONE) {
        (true, true) => "transaction",
        (true, false) => "transactions",
        (false, true) => "unit",
        (false, false) => "units",
    };
    #[derive(Serialize)]
    struct Out {
        #[serde(with = "crate::billing::decimal_text")]
        quantity: Decimal,
        amount: Money,
        #[serde(with = "crate::billing::decimal_text")]
        precise_amount: Decimal,
        explanation: String,
        parts: Vec<super::charge::PricePart>,
    }
    Ok(write(&Out {
        quantity: price.quantity,
        amount: Money::new(price.amount, currency).round(),
        precise_amount: price.amount,
        explanation: format!(
            "{} {unit}: {}",
            crate::billing::format::grouped(price.quantity),
            price.detail
        ),
        parts: price.parts,
    }))
}

/// The fees of events charged in advance ([`ChargeModel::fees_in_advance`]).
///
/// * `charge_json`: a charge model.
/// * `prior_json`: the period's earlier events (a list of decimals: units per event, or
///   transaction amounts), possibly empty.
/// * `events_json`: the events to bill, in time order.
/// * `currency`: an ISO 4217 code.
///
/// Returns `{"fees": [{"quantity", "cumulative", "before", "after", "amount",
/// "explanation"}...], "total": {"amount", "currency"}}`.
///
/// # Errors
///
/// As [`price_json`], and for a model that cannot be billed in advance (volume) or a negative
/// event.
pub fn advance_fees_json(
    charge_json: &str,
    prior_json: &str,
    events_json: &str,
    currency: &str,
) -> Result<String> {
    let model: ChargeModel = read(charge_json, "charge")?;
    let prior = decimals(prior_json, "prior")?;
    let events = decimals(events_json, "events")?;
    let currency = Currency::from_code(currency, "currency")?;
    let unit = if model.prices_transactions() {
        "transaction"
    } else {
        "units"
    };
    let fees = model.fees_in_advance(&prior, &events, Decimal::ZERO, currency, unit)?;
    let total = Money::sum(currency, fees.iter().map(|f| f.amount))?;
    #[derive(Serialize)]
    struct Out {
        fees: Vec<AdvanceFee>,
        total: Money,
    }
    Ok(write(&Out { fees, total }))
}

fn decimals(text: &str, what: &str) -> Result<Vec<Decimal>> {
    match read::<Quantity>(text, what)? {
        Quantity::Transactions(list) => Ok(list),
        Quantity::Units(_) => Err(Error::at(
            ErrorKind::Validation,
            what,
            "expected a list of decimal strings or integers",
        )),
    }
}

/// The invoice of a JSON subscription for the period containing `at`, with that period's usage
/// (`{"sms": "1500", "payments": ["5", "10"]}`, meter id → quantity or transactions), as known at
/// `now`. Returns the [`Invoice`](crate::Invoice) as JSON: `subscription_id`, `customer_id`,
/// `plan_id`, `period`, `status`, `currency`, `lines` (each `kind`, `description`,
/// `explanation`, `quantity`, `unit_price`, `amount`, `precise_amount`, `charge_id?`, `days?`),
/// `subtotal`, `discount`, `total`, `coupons` (`coupon`, `active`, `discount`, `remaining?`).
///
/// # Errors
///
/// [`ErrorKind::Parse`] for malformed JSON; [`ErrorKind::Validation`] as
/// [`Pricing::invoice`].
pub fn invoice_json(
    pricing: &Pricing,
    subscription_json: &str,
    usage_json: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<String> {
    let subscription: Subscription = read(subscription_json, "subscription")?;
    let usage: Usage = read(usage_json, "usage")?;
    Ok(write(&pricing.invoice(&subscription, &usage, at, now)?))
}

/// The statement of a JSON subscription from its first period through the one containing `now`.
/// `usage_json` maps each period's first local day to its usage: `{"2026-03-01": {"sms":
/// "1500"}}`. Returns `{"subscription_id", "invoices": [...], "total"}`.
///
/// # Errors
///
/// As [`invoice_json`] and [`Pricing::statement`].
pub fn statement_json(
    pricing: &Pricing,
    subscription_json: &str,
    usage_json: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let subscription: Subscription = read(subscription_json, "subscription")?;
    let usage: BTreeMap<NaiveDate, Usage> = read(usage_json, "usage")?;
    Ok(write(&pricing.statement(&subscription, &usage, now)?))
}

/// One invoice to compute in a batch: borrowed, so a columnar caller builds no JSON.
#[derive(Debug, Clone, Copy)]
pub struct InvoiceRequest<'a> {
    /// The subscription.
    pub subscription: &'a Subscription,
    /// The period's usage.
    pub usage: &'a Usage,
    /// An instant in the period.
    pub at: DateTime<Utc>,
    /// What is known so far.
    pub now: DateTime<Utc>,
}

impl Pricing {
    /// Invoices many subscriptions (the batch path): one result per request, in order; one
    /// subscription's error does not stop the others.
    pub fn invoices<'a>(
        &self,
        requests: impl IntoIterator<Item = InvoiceRequest<'a>>,
    ) -> Vec<Result<crate::Invoice>> {
        requests
            .into_iter()
            .map(|r| self.invoice(r.subscription, r.usage, r.at, r.now))
            .collect()
    }

    /// A customer's usage for the period containing `at`, read from a metering state: every
    /// meter's value, and for meters a percentage charge of the catalog prices, the list of
    /// transactions.
    ///
    /// # Errors
    ///
    /// As [`Metering::value`] and [`Metering::transactions`].
    pub fn usage_of(
        &self,
        metering: &Metering,
        customer_id: &str,
        at: DateTime<Utc>,
    ) -> Result<Usage> {
        let per_transaction: HashMap<&str, bool> = self
            .plans
            .iter()
            .flat_map(|p| &p.charges)
            .filter(|c| c.price.prices_transactions())
            .map(|c| (c.meter.as_str(), true))
            .collect();
        let mut usage = Usage::new();
        for meter in metering.meters() {
            let q = if per_transaction.contains_key(meter.id.as_str()) {
                Quantity::Transactions(metering.transactions(customer_id, &meter.id, at)?)
            } else {
                Quantity::Units(metering.value(customer_id, &meter.id, at)?)
            };
            usage.insert(meter.id.clone(), q);
        }
        Ok(usage)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    #[test]
    fn document_shapes_round_trip_through_json() {
        let out = price_json(
            r#"{"model": "package", "size": 1000, "price": "5.00", "free_units": 100}"#,
            "2150",
            "CNY",
        )
        .unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["amount"], json!({"amount": "15.00", "currency": "CNY"}));
        assert_eq!(v["parts"][1]["kind"], "packages");
        let e = price_json("{", "1", "CNY").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse);
        let e = price_json(r#"{"model": "standard", "unit_price": 0.1}"#, "1", "CNY").unwrap_err();
        assert_eq!(e.problems()[0].path, "charge");
    }

    #[test]
    fn the_batch_path_invoices_from_a_metering_state() {
        let pricing = Pricing::from_json(crate::billing::invoice::tests::CATALOG).unwrap();
        let mut metering = Metering::new(pricing.meters(), Tz::UTC, Interval::Month).unwrap();
        let at: DateTime<Utc> = "2026-03-05T00:00:00Z".parse().unwrap();
        let mut events: Vec<UsageEvent> = (0..1500)
            .map(|i| UsageEvent::new(&format!("m{i}"), "c1", "sms_sent", at))
            .collect();
        for (i, amount) in ["5", "10", "100", "500"].iter().enumerate() {
            events.push(
                UsageEvent::new(&format!("p{i}"), "c1", "payment", at).with("amount", amount),
            );
        }
        let report = metering.ingest(&events);
        assert_eq!(report.accepted, 1504);
        let usage = pricing.usage_of(&metering, "c1", at).unwrap();
        assert_eq!(usage["sms"], Quantity::Units(Decimal::from(1500)));
        let sub: Subscription = serde_json::from_value(json!({
            "id": "s1", "customer_id": "c1", "plan": "pro", "seats": 5,
            "started_at": "2026-02-01T00:00:00Z", "timezone": "UTC"
        }))
        .unwrap();
        let now: DateTime<Utc> = "2026-04-01T00:00:00Z".parse().unwrap();
        let request = InvoiceRequest {
            subscription: &sub,
            usage: &usage,
            at,
            now,
        };
        let bad = InvoiceRequest {
            at: "2026-01-01T00:00:00Z".parse().unwrap(),
            ..request
        };
        let results = pricing.invoices([request, bad]);
        // 999.00 + 112.00 + 8.85 = 1,119.85, below the 1,500.00 commitment.
        assert_eq!(
            results[0].as_ref().unwrap().total.amount().to_string(),
            "1500.00"
        );
        assert!(results[1].is_err());
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-z0-9.:-]{0,12}".prop_map(Value::from),
            prop::sample::select(vec![
                "standard",
                "graduated",
                "volume",
                "package",
                "percentage",
                "graduated_percentage",
                "sms_sent",
                "CNY",
                "2026-03-01T00:00:00Z",
                "1e3",
                "-0.5"
            ])
            .prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map(
                    prop::sample::select(vec![
                        "model",
                        "tiers",
                        "from",
                        "to",
                        "unit_price",
                        "size",
                        "price",
                        "rate",
                        "id",
                        "customer_id",
                        "type",
                        "at",
                        "properties",
                        "event",
                        "aggregation",
                        "field"
                    ])
                    .prop_map(str::to_owned),
                    inner,
                    0..5,
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn no_document_function_panics(
            a in json_value(), b in json_value(), c in json_value(), text in ".{0,40}",
        ) {
            let (a, b, c) = (a.to_string(), b.to_string(), c.to_string());
            let _ = price_json(&a, &b, "CNY");
            let _ = price_json(&text, &text, &text);
            let _ = advance_fees_json(&a, &b, &c, "JPY");
            let _ = meter_json(&a, &b, Some(&c));
            let _ = meter_json(&text, &text, None);
            let pricing = Pricing::default();
            let now = "2026-04-01T00:00:00Z".parse().unwrap();
            let _ = invoice_json(&pricing, &a, &b, now, now);
            let _ = statement_json(&pricing, &a, &b, now);
            let _ = Pricing::from_json(&a);
        }
    }
}
