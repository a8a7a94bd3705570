//! `scrm.fold_table`: an events table folded into a profiles table and an effects table by the
//! core's [`Engine`], continuing from the profiles of an earlier batch when given.
//!
//! Events table columns (docs/python.md): `id`, `customer_id`, `type` (strings, required, never
//! null or empty), `at` (a timestamp with a timezone, or RFC 3339 text), and optionally
//! `tenant_id`, `platform`, `channel_id`, `channel_code`, `text` (strings) and `properties` (a
//! JSON object as text). Every other column is the event property of its name (strings, integers,
//! decimals, booleans; floats as JSON numbers; nulls left out).

use std::collections::{BTreeMap, HashMap};

use arrow_array::builder::{Int64Builder, ListBuilder, StringBuilder, TimestampMicrosecondBuilder};
use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_cast::cast::cast;
use arrow_schema::DataType;
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use scrm_core::{Effects, Engine, Event, Profile, TagAction};

use super::columns::{self, DecimalOut, Out, Times, excerpt, problem_message};
use crate::arrow::{BatchError, Rejects, Tables};

/// Options of one fold call.
pub(crate) struct FoldOptions {
    pub(crate) now: Option<DateTime<Utc>>,
    pub(crate) effects: bool,
    pub(crate) state: bool,
    pub(crate) decimal: DecimalOut,
}

const EVENT_COLUMNS: [&str; 10] = [
    "id",
    "customer_id",
    "type",
    "at",
    "tenant_id",
    "platform",
    "channel_id",
    "channel_code",
    "text",
    "properties",
];

/// Folds the events of `batches` over the profiles of `profiles` (the `state` column of an earlier
/// result), returning the profiles table and the effects table.
pub(crate) fn fold(
    engine: &Engine,
    options: &FoldOptions,
    batches: &[RecordBatch],
    profiles: &[RecordBatch],
    rejects: &mut Rejects,
) -> Result<Tables, BatchError> {
    let mut states = read_profiles(profiles)?;
    // Every bad row, the binding's and the core's, reported in row order.
    let mut bad = BadRows::default();
    let (events, rows) = read_events(engine, batches, &mut bad)?;
    let mut effects = EffectRows::default();
    let report = if options.effects {
        engine.fold_with_effects(&mut states, &events, |i, fx| {
            if let Some(event) = events.get(i) {
                effects.push(event, fx);
            }
        })
    } else {
        engine.fold(&mut states, &events)
    }
    .map_err(|e| prefixed(e, "profiles"))?;
    for refusal in &report.refused {
        let row = usize::try_from(refusal.index)
            .ok()
            .and_then(|i| rows.get(i).copied())
            .unwrap_or_default();
        let (column, reason) = refusal_column(&refusal.message);
        bad.push(row, column, reason);
    }
    bad.report(rejects)?;
    let profiles = profiles_table(engine, &states, options)?;
    let effects = effects.finish()?;
    Ok(Tables(vec![profiles, effects]))
}

/// Bad rows found so far: `(row, column, reason)`.
#[derive(Default)]
struct BadRows(Vec<(usize, String, String)>);

impl BadRows {
    fn push(&mut self, row: usize, column: &str, reason: String) {
        self.0.push((row, column.to_owned(), reason));
    }

    /// Hands the rows to `rejects` in row order: the first raises under `on_error="raise"`.
    fn report(mut self, rejects: &mut Rejects) -> Result<(), BatchError> {
        self.0.sort_by_key(|b| b.0);
        for (row, column, reason) in self.0 {
            rejects.reject(row, &column, reason)?;
        }
        Ok(())
    }
}

/// A core error from the profiles, with `profiles` put before its paths.
fn prefixed(error: scrm_core::Error, what: &str) -> BatchError {
    let problem = error.problems().first();
    BatchError::Argument {
        path: problem.map_or_else(|| what.to_owned(), |p| p.path.clone()),
        message: problem_message(&error),
    }
}

/// The profiles of an earlier batch, from the `state` column (each row one `Profile` JSON). A bad
/// state always raises: skipping it would fold that customer's events over a fresh profile.
fn read_profiles(batches: &[RecordBatch]) -> Result<Vec<Profile>, BatchError> {
    let mut out = Vec::with_capacity(batches.iter().map(RecordBatch::num_rows).sum());
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut row = 0;
    for batch in batches {
        let state = columns::text(batch, "state", true)
            .map_err(at_profiles)?
            .ok_or_else(|| at_profiles(columns::missing(batch, "state")))?;
        for i in 0..batch.num_rows() {
            let path = format!("profiles[{row}].state");
            if state.is_null(i) {
                return Err(BatchError::Argument {
                    path,
                    message: "the profile state is null".to_owned(),
                });
            }
            let profile = Profile::from_json(state.value(i)).map_err(|e| BatchError::Argument {
                path: path.clone(),
                message: problem_message(&e),
            })?;
            let id = profile.customer().id.to_string();
            if let Some(first) = seen.insert(id.clone(), row) {
                return Err(BatchError::Argument {
                    path,
                    message: format!(
                        "customer {id:?} has a profile in row {first} already; give each \
                         customer one profile"
                    ),
                });
            }
            out.push(profile);
            row += 1;
        }
    }
    Ok(out)
}

fn at_profiles(error: BatchError) -> BatchError {
    match error {
        BatchError::Column { column, message } => BatchError::Argument {
            path: format!("profiles.{column}"),
            message: format!("column {column:?}: {message}"),
        },
        other => other,
    }
}

/// The events of every good row, with each one's row number over the whole input.
fn read_events(
    engine: &Engine,
    batches: &[RecordBatch],
    bad: &mut BadRows,
) -> Result<(Vec<Event>, Vec<usize>), BatchError> {
    let total = batches.iter().map(RecordBatch::num_rows).sum();
    let mut events = Vec::with_capacity(total);
    let mut rows = Vec::with_capacity(total);
    let mut offset = 0;
    for batch in batches {
        let cols = EventColumns::new(batch)?;
        for i in 0..batch.num_rows() {
            let row = offset + i;
            match cols.event(engine.tenant_id(), i) {
                Ok(event) => {
                    events.push(event);
                    rows.push(row);
                }
                Err((column, reason)) => bad.push(row, column, reason),
            }
        }
        offset += batch.num_rows();
    }
    Ok((events, rows))
}

/// The columns of one events batch.
struct EventColumns {
    id: StringArray,
    customer_id: StringArray,
    kind: StringArray,
    at: Times,
    tenant_id: Option<StringArray>,
    platform: Option<StringArray>,
    channel_id: Option<StringArray>,
    channel_code: Option<StringArray>,
    text: Option<StringArray>,
    properties: Option<StringArray>,
    extra: Vec<(String, Property)>,
}

/// An extra column read as an event property.
enum Property {
    Text(StringArray),
    Int(arrow_array::Int64Array),
    Float(arrow_array::Float64Array),
    Bool(arrow_array::BooleanArray),
    /// Decimals, written exactly as text (money never goes through a float).
    Decimal(StringArray),
}

impl EventColumns {
    fn new(batch: &RecordBatch) -> Result<EventColumns, BatchError> {
        let required = |name: &str| {
            columns::text(batch, name, true)?.ok_or_else(|| columns::missing(batch, name))
        };
        let optional = |name: &str| columns::text(batch, name, false);
        let at = Times::of(batch, "at")?.ok_or_else(|| columns::missing(batch, "at"))?;
        let mut extra = Vec::new();
        for (field, column) in batch.schema_ref().fields().iter().zip(batch.columns()) {
            let name = field.name();
            if EVENT_COLUMNS.contains(&name.as_str()) {
                continue;
            }
            extra.push((name.clone(), property(name, column)?));
        }
        Ok(EventColumns {
            id: required("id")?,
            customer_id: required("customer_id")?,
            kind: required("type")?,
            at,
            tenant_id: optional("tenant_id")?,
            platform: optional("platform")?,
            channel_id: optional("channel_id")?,
            channel_code: optional("channel_code")?,
            text: optional("text")?,
            properties: optional("properties")?,
            extra,
        })
    }

    /// The event of row `i`, or the column at fault and why.
    fn event<'a>(&'a self, tenant: &'a str, i: usize) -> Result<Event, (&'static str, String)> {
        let id = required(&self.id, i, "id")?;
        let customer_id = required(&self.customer_id, i, "customer_id")?;
        let kind = required(&self.kind, i, "type")?;
        let at = match self.at.get(i, "at") {
            Ok(Some(at)) => at,
            Ok(None) => return Err(("at", "the time is null".to_owned())),
            Err(reason) => return Err(("at", reason)),
        };
        let get = |a: &'a Option<StringArray>| {
            a.as_ref()
                .and_then(|a| a.is_valid(i).then(|| a.value(i)))
                .filter(|v| !v.is_empty())
        };
        let tenant_id = get(&self.tenant_id).unwrap_or(tenant);
        if tenant_id != tenant {
            return Err((
                "tenant_id",
                format!(
                    "the event is of tenant {tenant_id:?}, the playbook of {tenant:?}; fold each \
                     tenant's events with its own playbook"
                ),
            ));
        }
        let mut event = Event::new(tenant_id, id, customer_id, kind, at);
        if let Some(p) = get(&self.platform) {
            event.platform = Some(
                serde_json::from_value(serde_json::Value::String(p.to_owned())).map_err(|_| {
                    (
                        "platform",
                        format!(
                            "{} is not a platform (wecom, wechat, douyin, ...)",
                            excerpt(p)
                        ),
                    )
                })?,
            );
        }
        event.channel_id = get(&self.channel_id).map(str::to_owned);
        event.channel_code = get(&self.channel_code).map(str::to_owned);
        event.text = get(&self.text).map(str::to_owned);
        if let Some(text) = get(&self.properties) {
            event.properties = serde_json::from_str::<BTreeMap<String, serde_json::Value>>(text)
                .map_err(|e| {
                    (
                        "properties",
                        format!("not a JSON object ({e}): {}", excerpt(text)),
                    )
                })?;
        }
        for (name, column) in &self.extra {
            if let Some(value) = column.get(i).map_err(|reason| ("", reason))? {
                event.properties.insert(name.clone(), value);
            }
        }
        Ok(event)
    }
}

/// The non-empty string of a required column at row `i`.
fn required<'a>(
    array: &'a StringArray,
    i: usize,
    column: &'static str,
) -> Result<&'a str, (&'static str, String)> {
    if array.is_null(i) {
        return Err((column, format!("the {column} is null")));
    }
    let value = array.value(i);
    if value.trim().is_empty() {
        return Err((column, format!("the {column} is empty")));
    }
    Ok(value)
}

impl Property {
    fn get(&self, i: usize) -> Result<Option<serde_json::Value>, String> {
        use serde_json::Value;
        Ok(match self {
            Property::Text(a) => a.is_valid(i).then(|| Value::String(a.value(i).to_owned())),
            Property::Decimal(a) => a.is_valid(i).then(|| Value::String(a.value(i).to_owned())),
            Property::Int(a) => a.is_valid(i).then(|| Value::from(a.value(i))),
            Property::Bool(a) => a.is_valid(i).then(|| Value::Bool(a.value(i))),
            Property::Float(a) => {
                if a.is_null(i) {
                    None
                } else {
                    let n = serde_json::Number::from_f64(a.value(i))
                        .ok_or_else(|| format!("{} is not a finite number", a.value(i)))?;
                    Some(Value::Number(n))
                }
            }
        })
    }
}

fn property(name: &str, column: &ArrayRef) -> Result<Property, BatchError> {
    let wrong = || BatchError::Column {
        column: name.to_owned(),
        message: format!(
            "is {}; an event property column holds strings, integers, decimals, booleans or \
             floats",
            column.data_type()
        ),
    };
    let data_type = match column.data_type() {
        DataType::Dictionary(_, value) => value.as_ref().clone(),
        other => other.clone(),
    };
    let to = |target: &DataType| {
        cast(column.as_ref(), target).map_err(|e| BatchError::Column {
            column: name.to_owned(),
            message: format!("cannot read {}: {e}", column.data_type()),
        })
    };
    Ok(match data_type {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {
            Property::Text(to(&DataType::Utf8)?.as_string::<i32>().clone())
        }
        t if t.is_integer() => {
            Property::Int(to(&DataType::Int64)?.as_primitive::<Int64Type>().clone())
        }
        DataType::Float16 | DataType::Float32 | DataType::Float64 => Property::Float(
            to(&DataType::Float64)?
                .as_primitive::<Float64Type>()
                .clone(),
        ),
        DataType::Boolean => Property::Bool(to(&DataType::Boolean)?.as_boolean().clone()),
        DataType::Decimal32(_, _)
        | DataType::Decimal64(_, _)
        | DataType::Decimal128(_, _)
        | DataType::Decimal256(_, _) => {
            Property::Decimal(to(&DataType::Utf8)?.as_string::<i32>().clone())
        }
        _ => return Err(wrong()),
    })
}

/// The column a core refusal names (`event.at: ...` names `at`), and its message.
fn refusal_column(message: &str) -> (&str, String) {
    let Some(rest) = message.strip_prefix("event.") else {
        return ("", message.to_owned());
    };
    match rest.split_once(": ") {
        Some((path, reason)) => {
            let column = path.split(['.', '[']).next().unwrap_or("");
            let column = if column == "type" { "type" } else { column };
            let reason = if path.contains('.') {
                format!("{path}: {reason}")
            } else {
                reason.to_owned()
            };
            (column, reason)
        }
        None => ("", message.to_owned()),
    }
}

fn prefixed_at(error: scrm_core::Error, at: &str) -> BatchError {
    let problem = error.problems().first();
    let path = match problem.map(|p| p.path.as_str()) {
        Some(p) if p.starts_with("profiles[0]") => p.replacen("profiles[0]", at, 1),
        Some(p) if !p.is_empty() => format!("{at}.{p}"),
        _ => at.to_owned(),
    };
    BatchError::Argument {
        path,
        message: problem_message(&error),
    }
}

/// The effects table, one row per change.
#[derive(Default)]
struct EffectRows {
    customer_id: StringBuilder,
    event_id: StringBuilder,
    at: TimestampMicrosecondBuilder,
    kind: StringBuilder,
    detail: StringBuilder,
    reason: StringBuilder,
}

impl EffectRows {
    fn row(&mut self, event: &Event, kind: &str, detail: &str, reason: &str) {
        self.customer_id.append_value(&event.customer_id);
        self.event_id.append_value(&event.id);
        self.at.append_value(columns::micros(event.at));
        self.kind.append_value(kind);
        self.detail.append_value(detail);
        self.reason.append_value(reason);
    }

    fn push(&mut self, event: &Event, effects: &Effects) {
        if effects.replayed {
            self.row(event, "replayed", "", "the event was applied before");
            return;
        }
        for change in &effects.tags {
            let kind = match change.action {
                TagAction::Added => "tag_added",
                TagAction::Removed => "tag_removed",
                TagAction::Refreshed => "tag_refreshed",
            };
            self.row(event, kind, &change.tag_id, &change.reason);
        }
        if let Some(score) = &effects.score
            && score.delta.hundredths() != 0
        {
            let before = score
                .before
                .map_or_else(|| "none".to_owned(), |b| b.to_string());
            let detail = format!("{before} -> {} ({:+})", score.after, points(score.delta));
            let rules: Vec<String> = score
                .explained
                .explanation
                .rules
                .iter()
                .filter(|r| r.points.hundredths() != 0)
                .map(|r| format!("{} {}", r.rule, points(r.points)))
                .collect();
            let reason = format!("score by rule: {}", rules.join(", "));
            self.row(event, "score", &detail, &reason);
        }
        for stage in &effects.stages {
            let detail = format!(
                "{} -> {}",
                stage.from.as_deref().unwrap_or("none"),
                stage.to
            );
            self.row(event, "stage", &detail, &stage.reason);
        }
        for t in &effects.thresholds {
            let kind = if t.fired {
                "threshold_fired"
            } else {
                "threshold_rearmed"
            };
            self.row(event, kind, &t.id, "");
        }
        for task in &effects.tasks {
            let reason = format!("entered stage {}", task.stage);
            self.row(event, "task", &task.name, &reason);
        }
        for alert in &effects.alerts {
            self.row(event, "alert", &alert.id, &alert.message);
        }
        if let Some(pool) = &effects.pool {
            let day = |d: Option<chrono::NaiveDate>| {
                d.map_or_else(|| "never".to_owned(), |d| d.to_string())
            };
            let detail = format!(
                "{} -> {}",
                day(pool.reclaim_on_before),
                day(pool.reclaim_on)
            );
            self.row(event, "pool", &detail, &pool.reason);
        }
        for suppressed in &effects.suppressed {
            self.row(event, "suppressed", suppressed, "engine.contact_consent");
        }
    }

    fn finish(self) -> Result<RecordBatch, BatchError> {
        let mut out = Out::new();
        out.text("customer_id", self.customer_id, false);
        out.text("event_id", self.event_id, false);
        out.time("at", self.at);
        out.text("kind", self.kind, false);
        out.text("detail", self.detail, false);
        out.text("reason", self.reason, false);
        out.finish()
    }
}

/// Points as an exact decimal (they are hundredths).
fn points(p: scrm_core::Points) -> Decimal {
    Decimal::new(p.hundredths(), 2).normalize()
}

/// The profiles table: one row per profile, input profiles first, then new customers.
fn profiles_table(
    engine: &Engine,
    states: &[Profile],
    options: &FoldOptions,
) -> Result<RecordBatch, BatchError> {
    let n = states.len();
    let mut customer_id = StringBuilder::with_capacity(n, n * 8);
    let mut stage = StringBuilder::with_capacity(n, n * 8);
    let mut grade = StringBuilder::new();
    let mut scores = Vec::with_capacity(n);
    let mut tags = ListBuilder::new(StringBuilder::new());
    let mut owner = StringBuilder::new();
    let mut last = TimestampMicrosecondBuilder::with_capacity(n);
    let mut seen = Int64Builder::with_capacity(n);
    let mut state = StringBuilder::with_capacity(n, if options.state { n * 4096 } else { 0 });
    let mut json = Vec::new();
    for (i, p) in states.iter().enumerate() {
        let customer = p.customer();
        customer_id.append_value(&customer.id);
        stage.append_option(customer.stage.as_deref());
        let latest = p.latest_event_at();
        let now = options.now.or(latest).unwrap_or(customer.created_at);
        let (score, fit_grade) = engine
            .score_and_grade(p, now)
            .map_err(|e| prefixed_at(e, &format!("profiles[{i}]")))?;
        scores.push(Some(points(score)));
        grade.append_option(fit_grade);
        for t in &customer.tags {
            tags.values().append_value(&t.tag_id);
        }
        tags.append(true);
        owner.append_option(customer.owner.as_deref());
        last.append_option(latest.map(columns::micros));
        seen.append_value(i64::try_from(p.events_seen()).unwrap_or(i64::MAX));
        if options.state {
            json.clear();
            p.write_json(&mut json);
            state.append_value(std::str::from_utf8(&json).unwrap_or_default());
        }
    }
    let mut out = Out::new();
    out.text("customer_id", customer_id, false);
    out.text("stage", stage, true);
    out.decimals("score", &scores, options.decimal)?;
    out.text("grade", grade, true);
    out.list("tags", tags);
    out.text("owner", owner, true);
    out.time("last_event_at", last);
    out.int("events_seen", seen);
    if options.state {
        out.text("state", state, false);
    }
    out.finish()
}
