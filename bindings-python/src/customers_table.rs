//! A customers table read as the [`Facts`] of a condition, row by row, straight from the Arrow
//! columns: no customer, dict or JSON is built per row, and nothing is allocated per row.
//!
//! The table's schema (documented in docs/python.md): `id` (string, required, never null), `tags`
//! (list of tag-id strings), `stage`, `owner`, `grade` (strings), `score` (decimal, integer, float
//! or decimal-text), `identities` (list of identity kinds), `consent.<purpose>.<channel>` (strings
//! `granted` / `denied` / `withdrawn`), and every other column a custom attribute by its name
//! (`attr.<name>` also names the attribute `<name>`, for attributes called like a reserved column).
//! Only the columns the condition reads are looked at; a column it reads must be in the table.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::builder::BooleanBuilder;
use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Float64Type, Int64Type};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Date32Array, Decimal128Array, Float64Array, Int64Array,
    LargeStringArray, RecordBatch, StringArray, StringViewArray,
};
use arrow_buffer::NullBuffer;
use arrow_cast::cast::{CastOptions, cast_with_options};
use arrow_schema::{DataType, Field, SchemaRef};
use chrono::{DateTime, NaiveDate, Utc};
use scrm_core::{AttrValue, CompiledCondition, ConsentStatus, EventFilter, Facts, Number, Segment};

use crate::arrow::{BatchError, Rejects};
use crate::number::decimal_number;

/// What is evaluated per row: a condition, or a segment (which also reads the id).
#[derive(Clone, Copy)]
pub(crate) enum Target<'a> {
    Condition(&'a CompiledCondition),
    Segment(&'a Segment),
}

impl Target<'_> {
    fn condition(&self) -> &CompiledCondition {
        match self {
            Target::Condition(c) => c,
            Target::Segment(s) => s.condition(),
        }
    }
}

/// Evaluates `target` at `now` over every row of `batches`: one boolean per row, null for the rows
/// `rejects` took.
pub(crate) fn evaluate(
    target: Target<'_>,
    now: DateTime<Utc>,
    batches: &[RecordBatch],
    _schema: &SchemaRef,
    rejects: &mut Rejects,
) -> Result<ArrayRef, BatchError> {
    let uses = Uses::of(target.condition())?;
    let total = batches.iter().map(RecordBatch::num_rows).sum();
    let mut out = BooleanBuilder::with_capacity(total);
    let mut offset = 0;
    for batch in batches {
        evaluate_batch(target, now, &uses, batch, offset, rejects, &mut out)?;
        offset += batch.num_rows();
    }
    Ok(Arc::new(out.finish()))
}

/// The columns a condition reads, found once from its JSON form.
#[derive(Default, Debug)]
struct Uses {
    score: bool,
    stage: bool,
    owner: bool,
    grade: bool,
    tags: bool,
    identities: bool,
    attributes: Vec<String>,
    consents: Vec<(String, String)>,
}

impl Uses {
    fn of(condition: &CompiledCondition) -> Result<Uses, BatchError> {
        if let Some(filter) = condition.condition().event_filters().next() {
            return Err(BatchError::Argument {
                path: "condition".to_owned(),
                message: format!(
                    "count(event = {:?}, ...) needs each customer's events, which a customers \
                     table does not hold; evaluate it per customer with CompiledCondition.evaluate",
                    filter.event()
                ),
            });
        }
        let mut uses = Uses::default();
        uses.walk(&condition.condition().to_json_value());
        Ok(uses)
    }

    fn walk(&mut self, node: &serde_json::Value) {
        match node {
            serde_json::Value::Object(map) => {
                for (key, value) in map {
                    match key.as_str() {
                        "field" | "missing" | "exists" => self.field(value),
                        "has_tag" | "has_any_tag" | "has_all_tags" | "has_none_of"
                        | "has_tag_in_group" => self.tags = true,
                        "has_identity" => self.identities = true,
                        _ => {}
                    }
                    self.walk(value);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|i| self.walk(i)),
            _ => {}
        }
    }

    fn field(&mut self, field: &serde_json::Value) {
        match field {
            serde_json::Value::String(name) => match name.as_str() {
                "score" => self.score = true,
                "stage" => self.stage = true,
                "owner" => self.owner = true,
                "grade" => self.grade = true,
                _ => {}
            },
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::String(name)) = map.get("attr")
                    && !self.attributes.contains(name)
                {
                    self.attributes.push(name.clone());
                }
                if let Some(serde_json::Value::Object(consent)) = map.get("consent") {
                    let part = |k: &str| consent.get(k).and_then(|v| v.as_str()).unwrap_or("");
                    let pair = (part("purpose").to_owned(), part("channel").to_owned());
                    if !self.consents.contains(&pair) {
                        self.consents.push(pair);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Column names with a meaning of their own; an attribute so called is given as `attr.<name>`.
const RESERVED: [&str; 7] = [
    "id",
    "tags",
    "stage",
    "owner",
    "grade",
    "score",
    "identities",
];

#[allow(clippy::too_many_arguments)]
fn evaluate_batch(
    target: Target<'_>,
    now: DateTime<Utc>,
    uses: &Uses,
    batch: &RecordBatch,
    offset: usize,
    rejects: &mut Rejects,
    out: &mut BooleanBuilder,
) -> Result<(), BatchError> {
    let owned = Owned::new(batch, uses)?;
    let columns = Columns::new(&owned)?;
    let rows = batch.num_rows();
    let mut bad = Bad::default();
    columns.validate(rows, offset, rejects, &mut bad)?;
    for row in 0..rows {
        if bad.contains(row) {
            out.append_null();
            continue;
        }
        let facts = RowFacts {
            columns: &columns,
            row,
        };
        let value = match target {
            Target::Condition(c) => c.evaluate(&facts, now),
            Target::Segment(s) => {
                // Validation rejected every null id, so this row has one.
                let id = columns.id.get(row).unwrap_or("");
                s.contains(id, &facts, now)
            }
        };
        out.append_value(value);
    }
    Ok(())
}

/// The rows of one batch rejected so far.
#[derive(Default)]
struct Bad(Vec<bool>);

impl Bad {
    fn mark(&mut self, row: usize, rows: usize) {
        if self.0.is_empty() {
            self.0 = vec![false; rows];
        }
        if let Some(slot) = self.0.get_mut(row) {
            *slot = true;
        }
    }

    fn contains(&self, row: usize) -> bool {
        self.0.get(row).copied().unwrap_or(false)
    }
}

/// The columns the condition reads, each normalised to a type the views below read (dictionaries
/// unpacked, narrow integers widened, timestamps made dates), keyed by role.
struct Owned {
    id: (String, ArrayRef),
    tags: Option<(String, ArrayRef)>,
    identities: Option<(String, ArrayRef)>,
    stage: Option<(String, ArrayRef)>,
    owner: Option<(String, ArrayRef)>,
    grade: Option<(String, ArrayRef)>,
    score: Option<(String, ArrayRef)>,
    attributes: Vec<(String, String, ArrayRef)>,
    consents: Vec<(String, String, String, ArrayRef)>,
}

impl Owned {
    fn new(batch: &RecordBatch, uses: &Uses) -> Result<Owned, BatchError> {
        let find = |name: &str| -> Result<(String, ArrayRef), BatchError> {
            let column = batch
                .column_by_name(name)
                .ok_or_else(|| BatchError::Column {
                    column: name.to_owned(),
                    message: missing_message(name, batch),
                })?;
            Ok((name.to_owned(), normalise(name, column)?))
        };
        let id = find("id")?;
        let wanted = |used: bool, name: &str| used.then(|| find(name)).transpose();
        let mut attributes = Vec::with_capacity(uses.attributes.len());
        for name in &uses.attributes {
            let prefixed = format!("attr.{name}");
            let column =
                if batch.column_by_name(&prefixed).is_some() || RESERVED.contains(&name.as_str()) {
                    find(&prefixed)?
                } else {
                    find(name)?
                };
            attributes.push((name.clone(), column.0, column.1));
        }
        let mut consents = Vec::with_capacity(uses.consents.len());
        for (purpose, channel) in &uses.consents {
            let (column, array) = find(&format!("consent.{purpose}.{channel}"))?;
            consents.push((purpose.clone(), channel.clone(), column, array));
        }
        Ok(Owned {
            id,
            tags: wanted(uses.tags, "tags")?,
            identities: wanted(uses.identities, "identities")?,
            stage: wanted(uses.stage, "stage")?,
            owner: wanted(uses.owner, "owner")?,
            grade: wanted(uses.grade, "grade")?,
            score: wanted(uses.score, "score")?,
            attributes,
            consents,
        })
    }
}

fn missing_message(name: &str, batch: &RecordBatch) -> String {
    let have: Vec<&str> = batch
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    let why = if name == "id" {
        "every customers table needs it".to_owned()
    } else {
        "the condition reads it".to_owned()
    };
    format!("no such column ({why}); the table has {have:?}")
}

/// Casts the types the views do not read directly into ones they do; other types pass unchanged
/// (and are refused, naming the column, when a view is built).
fn normalise(name: &str, column: &ArrayRef) -> Result<ArrayRef, BatchError> {
    let target = match column.data_type() {
        DataType::Timestamp(_, None) => return Err(crate::batch::columns::naive_timestamp(name)),
        DataType::Dictionary(_, value) => Some(value.as_ref().clone()),
        DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64 => Some(DataType::Int64),
        DataType::Float16 | DataType::Float32 => Some(DataType::Float64),
        DataType::Decimal32(p, s) | DataType::Decimal64(p, s) => Some(DataType::Decimal128(*p, *s)),
        DataType::Date64 | DataType::Timestamp(_, _) => Some(DataType::Date32),
        DataType::LargeBinary | DataType::Binary | DataType::BinaryView => None,
        DataType::ListView(f) | DataType::FixedSizeList(f, _) => Some(DataType::List(Arc::new(
            Field::new("item", DataType::Utf8, f.is_nullable()),
        ))),
        DataType::LargeListView(f) => Some(DataType::LargeList(Arc::new(Field::new(
            "item",
            DataType::Utf8,
            f.is_nullable(),
        )))),
        DataType::List(f) | DataType::LargeList(f) if !is_text(f.data_type()) => {
            let item = Arc::new(Field::new("item", DataType::Utf8, true));
            Some(match column.data_type() {
                DataType::LargeList(_) => DataType::LargeList(item),
                _ => DataType::List(item),
            })
        }
        _ => None,
    };
    let Some(target) = target else {
        return Ok(column.clone());
    };
    let options = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    let cast =
        cast_with_options(column.as_ref(), &target, &options).map_err(|e| BatchError::Column {
            column: name.to_owned(),
            message: format!("cannot read {} as {target}: {e}", column.data_type()),
        })?;
    // A dictionary may hold another dictionary or a narrow type: normalise the result too.
    if matches!(column.data_type(), DataType::Dictionary(_, _)) {
        normalise(name, &cast)
    } else {
        Ok(cast)
    }
}

fn is_text(data_type: &DataType) -> bool {
    matches!(
        data_type,
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
    )
}

/// A string column, borrowed.
#[derive(Clone, Copy)]
enum Text<'a> {
    Utf8(&'a StringArray),
    Large(&'a LargeStringArray),
    View(&'a StringViewArray),
    Null,
}

impl<'a> Text<'a> {
    fn of(column: &'a ArrayRef) -> Option<Text<'a>> {
        Some(match column.data_type() {
            DataType::Utf8 => Text::Utf8(column.as_string::<i32>()),
            DataType::LargeUtf8 => Text::Large(column.as_string::<i64>()),
            DataType::Utf8View => Text::View(column.as_string_view()),
            DataType::Null => Text::Null,
            _ => return None,
        })
    }

    #[inline]
    fn get(&self, row: usize) -> Option<&'a str> {
        match self {
            Text::Utf8(a) => a.is_valid(row).then(|| a.value(row)),
            Text::Large(a) => a.is_valid(row).then(|| a.value(row)),
            Text::View(a) => a.is_valid(row).then(|| a.value(row)),
            Text::Null => None,
        }
    }

    fn has_nulls(&self) -> bool {
        match self {
            Text::Utf8(a) => a.null_count() > 0,
            Text::Large(a) => a.null_count() > 0,
            Text::View(a) => a.null_count() > 0,
            Text::Null => true,
        }
    }
}

/// A list-of-strings column (`tags`, `identities`), borrowed.
#[derive(Clone, Copy)]
struct TextList<'a> {
    offsets: Offsets<'a>,
    nulls: Option<&'a NullBuffer>,
    values: Text<'a>,
}

#[derive(Clone, Copy)]
enum Offsets<'a> {
    Small(&'a [i32]),
    Large(&'a [i64]),
}

impl<'a> TextList<'a> {
    fn of(column: &'a ArrayRef) -> Option<TextList<'a>> {
        let (offsets, values) = match column.data_type() {
            DataType::List(_) => {
                let list = column.as_list::<i32>();
                (Offsets::Small(list.value_offsets()), list.values())
            }
            DataType::LargeList(_) => {
                let list = column.as_list::<i64>();
                (Offsets::Large(list.value_offsets()), list.values())
            }
            _ => return None,
        };
        Some(TextList {
            offsets,
            nulls: column.nulls(),
            values: Text::of(values)?,
        })
    }

    /// The range of value indexes of `row`; empty for a null list.
    #[inline]
    fn range(&self, row: usize) -> Range<usize> {
        if self.nulls.is_some_and(|n| n.is_null(row)) {
            return 0..0;
        }
        let (start, end) = match self.offsets {
            Offsets::Small(o) => (
                o.get(row).copied().unwrap_or(0) as usize,
                o.get(row + 1).copied().unwrap_or(0) as usize,
            ),
            Offsets::Large(o) => (
                o.get(row).copied().unwrap_or(0) as usize,
                o.get(row + 1).copied().unwrap_or(0) as usize,
            ),
        };
        start..end.max(start)
    }

    #[inline]
    fn contains(&self, row: usize, needle: &str) -> bool {
        self.range(row).any(|i| self.values.get(i) == Some(needle))
    }

    /// The rows holding a null element.
    fn null_element_rows(&self, rows: usize) -> impl Iterator<Item = usize> + '_ {
        let any = self.values.has_nulls();
        (0..rows).filter(move |&row| any && self.range(row).any(|i| self.values.get(i).is_none()))
    }
}

/// A number column (`score`, numeric attributes), borrowed.
enum Numbers<'a> {
    Int(&'a Int64Array),
    Float(&'a Float64Array),
    Decimal(&'a Decimal128Array, i8),
    /// Decimal text, read once when the view is built (`None` for null, empty or unreadable
    /// text; validation rejects the unreadable).
    Text(Text<'a>, Vec<Option<Number>>),
    Null,
}

impl Numbers<'_> {
    #[inline]
    fn get(&self, row: usize) -> Option<Number> {
        match self {
            Numbers::Int(a) => a.is_valid(row).then(|| Number::from(a.value(row))),
            Numbers::Float(a) => a
                .is_valid(row)
                .then(|| Number::from_f64(a.value(row)))
                .flatten(),
            Numbers::Decimal(a, scale) => a
                .is_valid(row)
                .then(|| decimal_number(a.value(row), *scale))
                .flatten(),
            Numbers::Text(_, values) => values.get(row).copied().flatten(),
            Numbers::Null => None,
        }
    }
}

/// A custom attribute column, borrowed.
enum Attr<'a> {
    Text(Text<'a>),
    Number(Numbers<'a>),
    Bool(&'a BooleanArray),
    Date(&'a Date32Array),
    /// The lists' strings, copied once per batch: the core reads a list attribute as `&[String]`.
    List(Vec<String>, TextList<'a>),
}

/// The days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

fn date(days: i32) -> Option<NaiveDate> {
    days.checked_add(UNIX_EPOCH_DAYS_FROM_CE)
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// The views the evaluator reads, one per column the condition uses.
struct Columns<'a> {
    id: Text<'a>,
    id_name: &'a str,
    tags: Option<(&'a str, TextList<'a>)>,
    identities: Option<(&'a str, TextList<'a>)>,
    stage: Option<Text<'a>>,
    owner: Option<Text<'a>>,
    grade: Option<Text<'a>>,
    score: Option<(&'a str, &'a ArrayRef, Numbers<'a>)>,
    attributes: Vec<(&'a str, &'a str, &'a ArrayRef, Attr<'a>)>,
    consents: Vec<(&'a str, &'a str, &'a str, Text<'a>)>,
}

fn wrong_type(column: &str, array: &ArrayRef, expected: &str) -> BatchError {
    BatchError::Column {
        column: column.to_owned(),
        message: format!("must be {expected}, not {}", array.data_type()),
    }
}

const TEXT: &str = "a string column";
const TEXT_LIST: &str = "a list<string> column";
const NUMBER: &str = "a decimal, integer, float or decimal-string column";
const ATTRIBUTE: &str =
    "a string, integer, float, decimal, bool, date, timestamp or list<string> column";

impl<'a> Columns<'a> {
    fn new(owned: &'a Owned) -> Result<Columns<'a>, BatchError> {
        let text = |c: &'a Option<(String, ArrayRef)>| -> Result<Option<Text<'a>>, BatchError> {
            c.as_ref()
                .map(|(name, array)| Text::of(array).ok_or_else(|| wrong_type(name, array, TEXT)))
                .transpose()
        };
        let list = |c: &'a Option<(String, ArrayRef)>| {
            c.as_ref()
                .map(|(name, array)| {
                    TextList::of(array)
                        .map(|l| (name.as_str(), l))
                        .ok_or_else(|| wrong_type(name, array, TEXT_LIST))
                })
                .transpose()
        };
        let (id_name, id_array) = &owned.id;
        let score = match &owned.score {
            Some((name, array)) => Some((
                name.as_str(),
                array,
                numbers(array).ok_or_else(|| wrong_type(name, array, NUMBER))?,
            )),
            None => None,
        };
        let mut attributes = Vec::with_capacity(owned.attributes.len());
        for (attr, column, array) in &owned.attributes {
            let view = attribute(array).ok_or_else(|| wrong_type(column, array, ATTRIBUTE))?;
            attributes.push((attr.as_str(), column.as_str(), array, view));
        }
        let mut consents = Vec::with_capacity(owned.consents.len());
        for (purpose, channel, column, array) in &owned.consents {
            let view = Text::of(array).ok_or_else(|| wrong_type(column, array, TEXT))?;
            consents.push((purpose.as_str(), channel.as_str(), column.as_str(), view));
        }
        Ok(Columns {
            id: Text::of(id_array).ok_or_else(|| wrong_type(id_name, id_array, TEXT))?,
            id_name,
            tags: list(&owned.tags)?,
            identities: list(&owned.identities)?,
            stage: text(&owned.stage)?,
            owner: text(&owned.owner)?,
            grade: text(&owned.grade)?,
            score,
            attributes,
            consents,
        })
    }

    /// Rejects every bad row, column by column (so a column is scanned once, not per row), and
    /// reads decimal-text scores once.
    fn validate(
        &self,
        rows: usize,
        offset: usize,
        rejects: &mut Rejects,
        bad: &mut Bad,
    ) -> Result<(), BatchError> {
        let mut reject = |row: usize, column: &str, reason: String| {
            bad.mark(row, rows);
            rejects.reject(offset + row, column, reason)
        };
        for row in 0..rows {
            match self.id.get(row) {
                None => reject(row, self.id_name, "the id is null".to_owned())?,
                Some("") => reject(row, self.id_name, "the id is empty".to_owned())?,
                Some(_) => {}
            }
        }
        for (name, list) in self.tags.iter().chain(self.identities.iter()) {
            for row in list.null_element_rows(rows) {
                reject(row, name, "the list holds a null".to_owned())?;
            }
        }
        if let Some((name, _, numbers)) = &self.score {
            check_numbers(numbers, rows, &mut |row, reason| reject(row, name, reason))?;
        }
        for (_, column, _, attr) in &self.attributes {
            match attr {
                Attr::Number(numbers) => check_numbers(numbers, rows, &mut |row, reason| {
                    reject(row, column, reason)
                })?,
                Attr::Date(dates) => {
                    for row in 0..rows {
                        if dates.is_valid(row) && date(dates.value(row)).is_none() {
                            let reason = format!("{} days is not a date", dates.value(row));
                            reject(row, column, reason)?;
                        }
                    }
                }
                Attr::List(_, list) => {
                    for row in list.null_element_rows(rows) {
                        reject(row, column, "the list holds a null".to_owned())?;
                    }
                }
                Attr::Text(_) | Attr::Bool(_) => {}
            }
        }
        for (_, _, column, text) in &self.consents {
            for row in 0..rows {
                if let Some(value) = text.get(row)
                    && !value.is_empty()
                    && consent_status(value).is_none()
                {
                    let reason = format!(
                        "{} is not a consent status (granted, denied or withdrawn)",
                        excerpt(value)
                    );
                    reject(row, column, reason)?;
                }
            }
        }
        Ok(())
    }
}

fn check_numbers(
    numbers: &Numbers<'_>,
    rows: usize,
    reject: &mut dyn FnMut(usize, String) -> Result<(), BatchError>,
) -> Result<(), BatchError> {
    match numbers {
        Numbers::Float(a) => {
            for row in 0..rows {
                if a.is_valid(row) && Number::from_f64(a.value(row)).is_none() {
                    reject(
                        row,
                        format!("{} is not a finite number below 1e38", a.value(row)),
                    )?;
                }
            }
        }
        Numbers::Text(text, values) => {
            for row in 0..rows {
                let Some(t) = text.get(row) else { continue };
                if !t.trim().is_empty() && values.get(row).is_none_or(Option::is_none) {
                    reject(row, format!("{} is not a decimal number", excerpt(t)))?;
                }
            }
        }
        Numbers::Int(_) | Numbers::Decimal(_, _) | Numbers::Null => {}
    }
    Ok(())
}

fn numbers(array: &ArrayRef) -> Option<Numbers<'_>> {
    Some(match array.data_type() {
        DataType::Int64 => Numbers::Int(array.as_primitive::<Int64Type>()),
        DataType::Float64 => Numbers::Float(array.as_primitive::<Float64Type>()),
        DataType::Decimal128(_, scale) => {
            Numbers::Decimal(array.as_primitive::<Decimal128Type>(), *scale)
        }
        DataType::Null => Numbers::Null,
        _ => {
            let text = Text::of(array)?;
            let values = (0..array.len())
                .map(|row| text.get(row).and_then(|t| t.trim().parse().ok()))
                .collect();
            Numbers::Text(text, values)
        }
    })
}

fn attribute(array: &ArrayRef) -> Option<Attr<'_>> {
    Some(match array.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => {
            Attr::Text(Text::of(array)?)
        }
        DataType::Int64 | DataType::Float64 | DataType::Decimal128(_, _) => {
            Attr::Number(numbers(array)?)
        }
        DataType::Boolean => Attr::Bool(array.as_boolean()),
        DataType::Date32 => Attr::Date(array.as_primitive::<Date32Type>()),
        DataType::List(_) | DataType::LargeList(_) => {
            let list = TextList::of(array)?;
            let strings = list_strings(&list, array.len());
            Attr::List(strings, list)
        }
        _ => return None,
    })
}

/// Every string of the list column's rows, in order; `range(row)` indexes into it once shifted
/// by the first row's offset.
fn list_strings(list: &TextList<'_>, rows: usize) -> Vec<String> {
    let start = list.range(0).start;
    let end = (0..rows).map(|r| list.range(r).end).max().unwrap_or(start);
    (start..end)
        .map(|i| list.values.get(i).unwrap_or("").to_owned())
        .collect()
}

/// A value quoted for an error message, cut to 60 characters: a huge cell must not make a huge
/// error.
fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(60).collect();
    if chars.next().is_some() {
        format!("{head:?}... ({} bytes)", text.len())
    } else {
        format!("{head:?}")
    }
}

fn consent_status(text: &str) -> Option<ConsentStatus> {
    match text {
        "granted" => Some(ConsentStatus::Granted),
        "denied" => Some(ConsentStatus::Denied),
        "withdrawn" => Some(ConsentStatus::Withdrawn),
        _ => None,
    }
}

/// One row of the table, as the evaluator sees a customer.
struct RowFacts<'c, 'a> {
    columns: &'c Columns<'a>,
    row: usize,
}

impl Facts for RowFacts<'_, '_> {
    fn score(&self) -> Option<Number> {
        self.columns.score.as_ref()?.2.get(self.row)
    }

    fn stage(&self) -> Option<&str> {
        self.columns.stage?.get(self.row)
    }

    fn owner(&self) -> Option<&str> {
        self.columns.owner?.get(self.row)
    }

    fn grade(&self) -> Option<&str> {
        self.columns.grade?.get(self.row)
    }

    fn attribute(&self, name: &str) -> Option<AttrValue<'_>> {
        let (_, _, array, attr) = self.columns.attributes.iter().find(|a| a.0 == name)?;
        let row = self.row;
        match attr {
            Attr::Text(t) => t.get(row).map(AttrValue::Text),
            Attr::Number(n) => n.get(row).map(AttrValue::Number),
            Attr::Bool(b) => b.is_valid(row).then(|| AttrValue::Bool(b.value(row))),
            Attr::Date(d) => d
                .is_valid(row)
                .then(|| date(d.value(row)))
                .flatten()
                .map(AttrValue::Date),
            Attr::List(strings, list) => {
                if !array.is_valid(row) {
                    return None;
                }
                // `strings` starts at the first row's first value; offsets only grow.
                let base = list.range(0).start;
                let range = list.range(row);
                let start = range.start.checked_sub(base)?;
                let end = range.end.checked_sub(base)?;
                strings.get(start..end).map(AttrValue::List)
            }
        }
    }

    fn has_tag(&self, tag_id: &str) -> bool {
        self.columns
            .tags
            .is_some_and(|(_, tags)| tags.contains(self.row, tag_id))
    }

    fn consent(&self, purpose: &str, channel: &str) -> Option<ConsentStatus> {
        let (_, _, _, text) = self
            .columns
            .consents
            .iter()
            .find(|c| c.0 == purpose && c.1 == channel)?;
        text.get(self.row).and_then(consent_status)
    }

    fn has_identity(&self, kind: &str) -> bool {
        self.columns
            .identities
            .is_some_and(|(_, ids)| ids.contains(self.row, kind))
    }

    fn count_events(&self, _: &EventFilter, _: Option<DateTime<Utc>>, _: DateTime<Utc>) -> u64 {
        // `Uses::of` refuses conditions with `count(...)` before any row is read.
        0
    }
}
