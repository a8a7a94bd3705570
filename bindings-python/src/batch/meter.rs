//! `scrm.meter_table`: a usage table metered by the core's [`Metering`] into one row per customer,
//! meter and billing period.
//!
//! Usage table columns (docs/python.md): `id`, `customer_id`, `type` (strings, required), `at` (a
//! timestamp with a timezone, or RFC 3339 text), optionally `operation` (`add` / `remove`), and the
//! property columns the meters read (`field`), as strings, integers or decimals (floats are
//! refused: quantities are exact). Rows are borrowed straight from the columns
//! ([`UsageRecord`]): no event is built per row.

use arrow_array::builder::{
    Date32Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{Array, RecordBatch, StringArray};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use scrm_core::{Interval, Meter, Metering, Operation, UsageRecord};

use super::columns::{self, DecimalOut, Out, Times, excerpt};
use crate::arrow::{BatchError, Rejects};

/// The columns of one usage batch, read once.
struct UsageColumns {
    id: StringArray,
    customer_id: StringArray,
    kind: StringArray,
    at: Times,
    operation: Option<StringArray>,
    properties: Vec<(String, StringArray)>,
}

impl UsageColumns {
    fn new(batch: &RecordBatch, fields: &[String]) -> Result<UsageColumns, BatchError> {
        let required = |name: &str| {
            columns::text(batch, name, true)?.ok_or_else(|| columns::missing(batch, name))
        };
        let mut properties = Vec::with_capacity(fields.len());
        for field in fields {
            if let Some(column) = batch.column_by_name(field) {
                properties.push((field.clone(), columns::value_text(field, column)?));
            }
        }
        Ok(UsageColumns {
            id: required("id")?,
            customer_id: required("customer_id")?,
            kind: required("type")?,
            at: Times::of(batch, "at")?.ok_or_else(|| columns::missing(batch, "at"))?,
            operation: columns::text(batch, "operation", false)?,
            properties,
        })
    }
}

/// Meters every good row of `batches`; returns the values table.
pub(crate) fn meter(
    meters: &[Meter],
    timezone: Tz,
    interval: Interval,
    decimal: DecimalOut,
    batches: &[RecordBatch],
    rejects: &mut Rejects,
) -> Result<RecordBatch, BatchError> {
    let mut metering = Metering::new(meters, timezone, interval).map_err(BatchError::Core)?;
    let fields: Vec<String> = {
        let mut f: Vec<String> = meters.iter().filter_map(|m| m.field.clone()).collect();
        f.sort();
        f.dedup();
        f
    };
    let cols = batches
        .iter()
        .map(|b| UsageColumns::new(b, &fields))
        .collect::<Result<Vec<_>, _>>()?;
    let total: usize = batches.iter().map(RecordBatch::num_rows).sum();
    // Every row's properties first (a record borrows its own from this list, which must not
    // grow after), then the records, borrowed from the columns and this list.
    let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(total * fields.len().min(2));
    let mut starts: Vec<usize> = Vec::with_capacity(total + 1);
    for c in &cols {
        for i in 0..c.id.len() {
            starts.push(pairs.len());
            for (name, values) in &c.properties {
                if values.is_valid(i) {
                    pairs.push((name.as_str(), values.value(i)));
                }
            }
        }
    }
    starts.push(pairs.len());
    // The batch of each row, by where the batches end.
    let ends: Vec<usize> = batches
        .iter()
        .scan(0, |end, b| {
            *end += b.num_rows();
            Some(*end)
        })
        .collect();
    let locate = |row: usize| {
        let b = ends.partition_point(|&end| end <= row);
        let start = b
            .checked_sub(1)
            .and_then(|p| ends.get(p))
            .copied()
            .unwrap_or(0);
        Some((cols.get(b)?, row.saturating_sub(start)))
    };
    let properties = |row: usize| match (starts.get(row), starts.get(row + 1)) {
        (Some(&a), Some(&z)) => pairs.get(a..z).unwrap_or(&[]),
        _ => &[],
    };
    // Every row checked once: its time (read once here, then by the core from this list), and
    // every bad row, the binding's and the core's, reported in row order.
    let mut times: Vec<Option<DateTime<Utc>>> = Vec::with_capacity(total);
    let mut bad: Vec<(usize, String, String)> = Vec::new();
    for row in 0..total {
        let checked = locate(row).map(|(c, i)| read_row(c, i, properties(row)));
        times.push(match checked {
            Some(Ok(record)) => Some(record.at),
            Some(Err((column, reason))) => {
                bad.push((row, column.to_owned(), reason));
                None
            }
            None => None,
        });
    }
    // The core reads the good rows in place (a bad one is `None`, reported above).
    let report = metering.ingest_rows(total, |row| {
        let at = (*times.get(row)?)?;
        let (c, i) = locate(row)?;
        Some(UsageRecord {
            id: c.id.value(i),
            customer_id: c.customer_id.value(i),
            kind: c.kind.value(i),
            at,
            operation: operation(c, i).ok()?,
            properties: properties(row),
        })
    });
    let row_of = |index: Option<usize>| index.unwrap_or_default();
    for r in &report.rejected {
        let column = r
            .path
            .strip_prefix("properties.")
            .unwrap_or(&r.path)
            .to_owned();
        bad.push((row_of(r.index), column, r.message.clone()));
    }
    for c in &report.conflicts {
        let reason = format!(
            "event {:?} of customer {:?} was metered before with other content, which stays: {}",
            c.id, c.customer_id, c.message
        );
        bad.push((row_of(c.index), "id".to_owned(), reason));
    }
    bad.sort_by_key(|b| b.0);
    // Every row accounted for: metered, a repeat, of a type no meter reads, or bad.
    let accounts = Accounts {
        rows: total,
        metered: report.accepted.saturating_sub(report.unmetered),
        replayed: report.replayed,
        unmetered: report.unmetered,
        rejected: bad.len(),
    };
    for (row, column, reason) in bad {
        rejects.reject(row, &column, reason)?;
    }
    values_table(&metering, decimal, &accounts)
}

/// What became of the usage rows, written to the values table's schema metadata (`scrm.rows`,
/// `scrm.metered`, `scrm.replayed`, `scrm.unmetered`, `scrm.rejected`), which add up to the rows.
struct Accounts {
    rows: usize,
    metered: u64,
    replayed: u64,
    unmetered: u64,
    rejected: usize,
}

fn read_row<'a>(
    c: &'a UsageColumns,
    i: usize,
    properties: &'a [(&'a str, &'a str)],
) -> Result<UsageRecord<'a>, (&'static str, String)> {
    let required = |array: &'a StringArray, column: &'static str| {
        if array.is_null(i) {
            return Err((column, format!("the {column} is null")));
        }
        Ok(array.value(i))
    };
    let at = match c.at.get(i, "at") {
        Ok(Some(at)) => at,
        Ok(None) => return Err(("at", "the time is null".to_owned())),
        Err(reason) => return Err(("at", reason)),
    };
    let operation = operation(c, i)?;
    Ok(UsageRecord {
        id: required(&c.id, "id")?,
        customer_id: required(&c.customer_id, "customer_id")?,
        kind: required(&c.kind, "type")?,
        at,
        operation,
        properties,
    })
}

/// The operation of row `i` (add when there is no `operation` column or it is null or empty).
fn operation(c: &UsageColumns, i: usize) -> Result<Operation, (&'static str, String)> {
    match c
        .operation
        .as_ref()
        .filter(|o| o.is_valid(i))
        .map(|o| o.value(i))
    {
        None | Some("") | Some("add") => Ok(Operation::Add),
        Some("remove") => Ok(Operation::Remove),
        Some(other) => Err((
            "operation",
            format!("{} is not an operation (add or remove)", excerpt(other)),
        )),
    }
}

/// One row per customer, meter and period, sorted so.
fn values_table(
    metering: &Metering,
    decimal: DecimalOut,
    accounts: &Accounts,
) -> Result<RecordBatch, BatchError> {
    let values = metering.values().map_err(BatchError::Core)?;
    let n = values.len();
    let mut customer_id = StringBuilder::with_capacity(n, n * 8);
    let mut meter_id = StringBuilder::with_capacity(n, n * 8);
    let mut start = TimestampMicrosecondBuilder::with_capacity(n);
    let mut end = TimestampMicrosecondBuilder::with_capacity(n);
    let mut first = Date32Builder::with_capacity(n);
    let mut last = Date32Builder::with_capacity(n);
    let mut amounts = Vec::with_capacity(n);
    let mut events = Int64Builder::with_capacity(n);
    for v in &values {
        customer_id.append_value(&v.customer_id);
        meter_id.append_value(&v.meter_id);
        start.append_value(columns::micros(v.period.start()));
        end.append_value(columns::micros(v.period.end()));
        first.append_value(columns::days(v.period.first_day()));
        last.append_value(columns::days(v.period.last_day()));
        amounts.push(Some(v.value));
        events.append_value(i64::try_from(v.events).unwrap_or(i64::MAX));
    }
    let mut out = Out::new();
    out.text("customer_id", customer_id, false);
    out.text("meter_id", meter_id, false);
    out.time("period_start", start);
    out.time("period_end", end);
    out.date("first_day", first);
    out.date("last_day", last);
    out.decimals("value", &amounts, decimal)?;
    out.int("events", events);
    out.meta("scrm.rows", accounts.rows);
    out.meta("scrm.metered", accounts.metered);
    out.meta("scrm.replayed", accounts.replayed);
    out.meta("scrm.unmetered", accounts.unmetered);
    out.meta("scrm.rejected", accounts.rejected);
    out.finish()
}
