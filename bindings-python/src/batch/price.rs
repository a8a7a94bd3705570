//! `scrm.price_table`: many subscriptions priced by the core's [`Pricing`] into an invoices table
//! and an invoice-lines table, through [`Pricing::invoices`] (one result per subscription; one
//! subscription's error does not stop the others).
//!
//! Subscriptions table columns (docs/python.md): either `subscription` (each row a subscription
//! as JSON text, docs/billing.md), or its fields as columns: `id`, `customer_id`, `plan`,
//! `started_at` (timestamp with a timezone, or RFC 3339 text), `timezone`, and optionally `anchor`,
//! `seats` (integer), `overrides`, `coupons`, `changes` (JSON text). The period's usage: a `usage`
//! column (JSON object text, `{"sms": "1500"}`) and/or one column per meter named
//! `usage.<meter id>` (integers, decimals or decimal strings).

use arrow_array::builder::{
    Date32Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{Array, RecordBatch, StringArray};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use scrm_core::{Invoice, InvoiceRequest, Pricing, Subscription, Usage};

use super::columns::{self, DecimalOut, Out, Times, excerpt, problem_message};
use crate::arrow::{BatchError, Rejects, Tables};

const FLAT: [&str; 10] = [
    "id",
    "customer_id",
    "plan",
    "started_at",
    "timezone",
    "anchor",
    "seats",
    "overrides",
    "coupons",
    "changes",
];

/// The columns of one subscriptions batch.
struct SubscriptionColumns {
    json: Option<StringArray>,
    text: Vec<(&'static str, StringArray)>,
    started_at: Option<Times>,
    seats: Option<arrow_array::Int64Array>,
    usage: Option<StringArray>,
    usage_columns: Vec<(String, String, StringArray)>,
}

impl SubscriptionColumns {
    fn new(batch: &RecordBatch) -> Result<SubscriptionColumns, BatchError> {
        let json = columns::text(batch, "subscription", false)?;
        let mut text = Vec::new();
        if json.is_none() {
            for name in ["id", "customer_id", "plan", "timezone"] {
                let column = columns::text(batch, name, true)?
                    .ok_or_else(|| columns::missing(batch, name))?;
                text.push((name, column));
            }
            for name in ["anchor", "overrides", "coupons", "changes"] {
                if let Some(column) = columns::text(batch, name, false)? {
                    text.push((name, column));
                }
            }
        }
        let started_at = if json.is_none() {
            Some(
                Times::of(batch, "started_at")?
                    .ok_or_else(|| columns::missing(batch, "started_at"))?,
            )
        } else {
            None
        };
        let mut usage_columns = Vec::new();
        for (field, column) in batch.schema_ref().fields().iter().zip(batch.columns()) {
            if let Some(meter) = field.name().strip_prefix("usage.") {
                let values = columns::value_text(field.name(), column)?;
                usage_columns.push((field.name().clone(), meter.to_owned(), values));
            }
        }
        Ok(SubscriptionColumns {
            seats: if json.is_none() {
                columns::integers(batch, "seats")?
            } else {
                None
            },
            json,
            text,
            started_at,
            usage: columns::text(batch, "usage", false)?,
            usage_columns,
        })
    }

    /// The subscription and usage of row `i`, or the column at fault and why.
    fn read(&self, i: usize) -> Result<(Subscription, Usage), (String, String)> {
        let subscription = match &self.json {
            Some(json) => {
                if json.is_null(i) {
                    return Err(("subscription".into(), "the subscription is null".into()));
                }
                Subscription::from_json(json.value(i))
                    .map_err(|e| ("subscription".to_owned(), problem_message(&e)))?
            }
            None => self.flat(i)?,
        };
        let mut usage = serde_json::Map::new();
        if let Some(u) = self.usage.as_ref().filter(|u| u.is_valid(i)) {
            let text = u.value(i);
            match serde_json::from_str::<serde_json::Value>(text) {
                Ok(serde_json::Value::Object(map)) => usage = map,
                _ => {
                    return Err((
                        "usage".into(),
                        format!(
                            "not a JSON object of meter ids to quantities: {}",
                            excerpt(text)
                        ),
                    ));
                }
            }
        }
        for (_, meter, values) in &self.usage_columns {
            if values.is_valid(i) {
                usage.insert(meter.clone(), values.value(i).into());
            }
        }
        let usage: Usage = serde_json::from_value(serde_json::Value::Object(usage))
            .map_err(|e| ("usage".to_owned(), e.to_string()))?;
        Ok((subscription, usage))
    }

    fn flat(&self, i: usize) -> Result<Subscription, (String, String)> {
        use serde_json::Value;
        let mut map = serde_json::Map::new();
        for (name, column) in &self.text {
            if column.is_null(i) {
                continue;
            }
            let text = column.value(i);
            let value = match *name {
                "overrides" | "coupons" | "changes" => serde_json::from_str(text).map_err(|e| {
                    (
                        (*name).to_owned(),
                        format!("not JSON ({e}): {}", excerpt(text)),
                    )
                })?,
                _ => Value::String(text.to_owned()),
            };
            map.insert((*name).to_owned(), value);
        }
        if let Some(times) = &self.started_at {
            match times.get(i, "started_at") {
                Ok(Some(at)) => {
                    map.insert("started_at".into(), Value::String(at.to_rfc3339()));
                }
                Ok(None) => {}
                Err(reason) => return Err(("started_at".into(), reason)),
            }
        }
        if let Some(seats) = self.seats.as_ref().filter(|s| s.is_valid(i)) {
            map.insert("seats".into(), Value::from(seats.value(i)));
        }
        for name in ["id", "customer_id", "plan", "started_at", "timezone"] {
            if !map.contains_key(name) {
                return Err((name.to_owned(), format!("the {name} is null")));
            }
        }
        serde_json::from_value(Value::Object(map)).map_err(|e| {
            let message = e.to_string();
            let column = FLAT
                .iter()
                .find(|c| message.contains(&format!("`{c}`")))
                .copied()
                .unwrap_or("subscription");
            (column.to_owned(), message)
        })
    }

    /// The column a core error's path names: `plan` for `subscription.plan`, `usage.sms` or
    /// `usage` for `usage.sms`.
    fn column_of(&self, path: &str) -> String {
        if let Some(rest) = path.strip_prefix("usage.") {
            let meter = rest.split(['.', '[']).next().unwrap_or(rest);
            if let Some((column, _, _)) = self.usage_columns.iter().find(|u| u.1 == meter) {
                return column.clone();
            }
            return "usage".to_owned();
        }
        if self.json.is_some() {
            return "subscription".to_owned();
        }
        let field = path
            .strip_prefix("subscription.")
            .unwrap_or(path)
            .split(['.', '['])
            .next()
            .unwrap_or("");
        FLAT.iter()
            .find(|c| **c == field)
            .map_or_else(|| "subscription".to_owned(), |c| (*c).to_owned())
    }
}

/// Prices every good row of `batches` for the period containing `at`, as known at `now`.
pub(crate) fn price(
    pricing: &Pricing,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
    decimal: DecimalOut,
    batches: &[RecordBatch],
    rejects: &mut Rejects,
) -> Result<Tables, BatchError> {
    // Every bad row, the binding's and the core's, reported in row order.
    let mut bad: Vec<(usize, String, String)> = Vec::new();
    let mut read = Vec::new();
    let mut where_ = Vec::new();
    let mut offset = 0;
    let cols = batches
        .iter()
        .map(SubscriptionColumns::new)
        .collect::<Result<Vec<_>, _>>()?;
    for (c, batch) in cols.iter().zip(batches) {
        for i in 0..batch.num_rows() {
            match c.read(i) {
                Ok(pair) => {
                    read.push(pair);
                    where_.push((offset + i, c));
                }
                Err((column, reason)) => bad.push((offset + i, column, reason)),
            }
        }
        offset += batch.num_rows();
    }
    let results = pricing.invoices(read.iter().map(|(subscription, usage)| InvoiceRequest {
        subscription,
        usage,
        at,
        now,
    }));
    let mut invoices = Vec::with_capacity(results.len());
    for (result, (row, c)) in results.into_iter().zip(&where_) {
        match result {
            Ok(invoice) => invoices.push((*row, invoice)),
            Err(e) => {
                let path = e
                    .problems()
                    .first()
                    .map(|p| p.path.clone())
                    .unwrap_or_default();
                let reason = if path.is_empty() {
                    problem_message(&e)
                } else {
                    format!("{path}: {}", problem_message(&e))
                };
                bad.push((*row, c.column_of(&path), reason));
            }
        }
    }
    bad.sort_by_key(|b| b.0);
    for (row, column, reason) in bad {
        rejects.reject(row, &column, reason)?;
    }
    Ok(Tables(vec![
        invoices_table(&invoices, decimal)?,
        lines_table(&invoices, decimal)?,
    ]))
}

fn name_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn invoices_table(
    invoices: &[(usize, Invoice)],
    decimal: DecimalOut,
) -> Result<RecordBatch, BatchError> {
    let n = invoices.len();
    let mut row = Int64Builder::with_capacity(n);
    let mut subscription_id = StringBuilder::new();
    let mut customer_id = StringBuilder::new();
    let mut plan_id = StringBuilder::new();
    let mut start = TimestampMicrosecondBuilder::with_capacity(n);
    let mut end = TimestampMicrosecondBuilder::with_capacity(n);
    let mut first = Date32Builder::with_capacity(n);
    let mut last = Date32Builder::with_capacity(n);
    let mut status = StringBuilder::new();
    let mut currency = StringBuilder::new();
    let (mut subtotal, mut discount, mut total) = (Vec::new(), Vec::new(), Vec::new());
    for (r, invoice) in invoices {
        row.append_value(i64::try_from(*r).unwrap_or(i64::MAX));
        subscription_id.append_value(&invoice.subscription_id);
        customer_id.append_value(&invoice.customer_id);
        plan_id.append_value(&invoice.plan_id);
        start.append_value(columns::micros(invoice.period.start()));
        end.append_value(columns::micros(invoice.period.end()));
        first.append_value(columns::days(invoice.period.first_day()));
        last.append_value(columns::days(invoice.period.last_day()));
        status.append_value(name_of(&invoice.status));
        currency.append_value(invoice.currency.code());
        subtotal.push(Some(invoice.subtotal.amount()));
        discount.push(Some(invoice.discount.amount()));
        total.push(Some(invoice.total.amount()));
    }
    let mut out = Out::new();
    out.int("row", row);
    out.text("subscription_id", subscription_id, false);
    out.text("customer_id", customer_id, false);
    out.text("plan_id", plan_id, false);
    out.time("period_start", start);
    out.time("period_end", end);
    out.date("first_day", first);
    out.date("last_day", last);
    out.text("status", status, false);
    out.text("currency", currency, false);
    out.decimals("subtotal", &subtotal, decimal)?;
    out.decimals("discount", &discount, decimal)?;
    out.decimals("total", &total, decimal)?;
    out.finish()
}

fn lines_table(
    invoices: &[(usize, Invoice)],
    decimal: DecimalOut,
) -> Result<RecordBatch, BatchError> {
    let mut subscription_id = StringBuilder::new();
    let mut customer_id = StringBuilder::new();
    let mut line = Int64Builder::new();
    let mut kind = StringBuilder::new();
    let mut description = StringBuilder::new();
    let mut explanation = StringBuilder::new();
    let mut charge_id = StringBuilder::new();
    let mut currency = StringBuilder::new();
    let mut quantity: Vec<Option<Decimal>> = Vec::new();
    let mut unit_price = Vec::new();
    let mut amount = Vec::new();
    let mut precise = Vec::new();
    for (_, invoice) in invoices {
        for (i, l) in invoice.lines.iter().enumerate() {
            subscription_id.append_value(&invoice.subscription_id);
            customer_id.append_value(&invoice.customer_id);
            line.append_value(i64::try_from(i).unwrap_or(i64::MAX));
            kind.append_value(name_of(&l.kind));
            description.append_value(&l.description);
            explanation.append_value(&l.explanation);
            charge_id.append_option(l.charge_id.as_deref());
            currency.append_value(invoice.currency.code());
            quantity.push(Some(l.quantity));
            unit_price.push(Some(l.unit_price));
            amount.push(Some(l.amount.amount()));
            precise.push(Some(l.precise_amount));
        }
    }
    let mut out = Out::new();
    out.text("subscription_id", subscription_id, false);
    out.text("customer_id", customer_id, false);
    out.int("line", line);
    out.text("kind", kind, false);
    out.text("description", description, false);
    out.text("explanation", explanation, false);
    out.text("charge_id", charge_id, true);
    out.text("currency", currency, false);
    out.decimals("quantity", &quantity, decimal)?;
    out.decimals("unit_price", &unit_price, decimal)?;
    out.decimals("amount", &amount, decimal)?;
    out.decimals("precise_amount", &precise, decimal)?;
    out.finish()
}
