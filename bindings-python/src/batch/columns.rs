//! Reading the columns of an input table and building the columns of an output table, shared by
//! the batch calls (fold, meter, price). Every input column is normalised once per batch to a type
//! read directly (strings as `Utf8`, times as microseconds in UTC); no value is built per row
//! beyond what the core needs.

use std::sync::Arc;

use arrow_array::builder::{
    Date32Builder, Decimal128Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, ArrayRef, RecordBatch, StringArray};
use arrow_cast::cast::{CastOptions, cast_with_options};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::arrow::BatchError;

/// How decimal outputs (scores, meter values, money) are written: decimal strings, or Arrow
/// `decimal128`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecimalOut {
    String,
    Decimal128,
}

impl DecimalOut {
    /// Reads the `decimal` argument: `"string"` or `"decimal128"`.
    pub(crate) fn parse(text: &str) -> pyo3::PyResult<DecimalOut> {
        match text {
            "string" => Ok(DecimalOut::String),
            "decimal128" => Ok(DecimalOut::Decimal128),
            other => Err(pyo3::exceptions::PyValueError::new_err(format!(
                "decimal must be \"string\" or \"decimal128\", not {other:?}"
            ))),
        }
    }
}

/// A column cast to `Utf8` (dictionaries, views and large strings included; other types refused).
pub(crate) fn text(
    batch: &RecordBatch,
    name: &str,
    required: bool,
) -> Result<Option<StringArray>, BatchError> {
    let Some(column) = batch.column_by_name(name) else {
        return if required {
            Err(missing(batch, name))
        } else {
            Ok(None)
        };
    };
    let readable = match column.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => true,
        DataType::Dictionary(_, value) => matches!(
            value.as_ref(),
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        ),
        _ => false,
    };
    if !readable {
        return Err(BatchError::Column {
            column: name.to_owned(),
            message: format!("is {}, expected strings", column.data_type()),
        });
    }
    Ok(Some(
        cast(name, column, &DataType::Utf8)?
            .as_string::<i32>()
            .clone(),
    ))
}

/// Any scalar column as `Utf8` text (numbers and decimals written exactly, booleans as
/// `true`/`false`); floats are refused, since a float is not the number the caller wrote.
pub(crate) fn value_text(name: &str, column: &ArrayRef) -> Result<StringArray, BatchError> {
    let data_type = match column.data_type() {
        DataType::Dictionary(_, value) => value.as_ref().clone(),
        other => other.clone(),
    };
    if matches!(
        data_type,
        DataType::Float16 | DataType::Float32 | DataType::Float64
    ) {
        return Err(BatchError::Column {
            column: name.to_owned(),
            message: format!(
                "is {data_type}: floats are inexact; give quantities as integers, decimals or \
                 decimal strings"
            ),
        });
    }
    Ok(cast(name, column, &DataType::Utf8)?
        .as_string::<i32>()
        .clone())
}

/// An integer column as `Int64`.
pub(crate) fn integers(
    batch: &RecordBatch,
    name: &str,
) -> Result<Option<arrow_array::Int64Array>, BatchError> {
    let Some(column) = batch.column_by_name(name) else {
        return Ok(None);
    };
    if !column.data_type().is_integer() && !matches!(column.data_type(), DataType::Null) {
        return Err(BatchError::Column {
            column: name.to_owned(),
            message: format!("is {}, expected integers", column.data_type()),
        });
    }
    Ok(Some(
        cast(name, column, &DataType::Int64)?
            .as_primitive::<Int64Type>()
            .clone(),
    ))
}

/// The error for a timestamp column without a timezone, refused by every batch call: its instants
/// (and so its dates) would be a guess.
pub(crate) fn naive_timestamp(column: &str) -> BatchError {
    BatchError::Column {
        column: column.to_owned(),
        message: "is a timestamp without a timezone; give it one (pyarrow: \
                  pa.timestamp(\"us\", tz=\"UTC\"); polars: \
                  .dt.replace_time_zone(\"UTC\"); pandas: .dt.tz_localize(\"UTC\"))"
            .to_owned(),
    }
}

/// A time column: timestamps with a timezone (any unit), or RFC 3339 strings.
pub(crate) enum Times {
    /// Microseconds since the epoch, UTC.
    Micros(arrow_array::TimestampMicrosecondArray),
    /// RFC 3339 text, parsed per row.
    Text(StringArray),
}

impl Times {
    /// Reads column `name`: a timestamp with a timezone (a naive one is refused: its zone would be
    /// a guess), a date-time string column, or missing (`None`).
    pub(crate) fn of(batch: &RecordBatch, name: &str) -> Result<Option<Times>, BatchError> {
        let Some(column) = batch.column_by_name(name) else {
            return Ok(None);
        };
        match column.data_type() {
            DataType::Timestamp(_, Some(_)) => {
                let target = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
                let cast = cast(name, column, &target)?;
                Ok(Some(Times::Micros(
                    cast.as_primitive::<TimestampMicrosecondType>().clone(),
                )))
            }
            DataType::Timestamp(_, None) => Err(naive_timestamp(name)),
            _ => Ok(text(batch, name, true)?.map(Times::Text)),
        }
    }

    /// The time of `row`: `Ok(None)` for a null, `Err(reason)` for unreadable text.
    pub(crate) fn get(&self, row: usize, name: &str) -> Result<Option<DateTime<Utc>>, String> {
        match self {
            Times::Micros(a) => {
                if a.is_null(row) {
                    return Ok(None);
                }
                DateTime::from_timestamp_micros(a.value(row))
                    .map(Some)
                    .ok_or_else(|| format!("{} µs is out of range", a.value(row)))
            }
            Times::Text(a) => {
                if a.is_null(row) {
                    return Ok(None);
                }
                scrm_core::parse_time(a.value(row), name)
                    .map(Some)
                    .map_err(|e| problem_message(&e))
            }
        }
    }
}

fn cast(name: &str, column: &ArrayRef, target: &DataType) -> Result<ArrayRef, BatchError> {
    if column.data_type() == target {
        return Ok(column.clone());
    }
    let options = CastOptions {
        safe: false,
        ..CastOptions::default()
    };
    cast_with_options(column.as_ref(), target, &options).map_err(|e| BatchError::Column {
        column: name.to_owned(),
        message: format!("cannot read {} as {target}: {e}", column.data_type()),
    })
}

/// The error of a required column that is not there, listing the columns that are.
pub(crate) fn missing(batch: &RecordBatch, name: &str) -> BatchError {
    let have: Vec<&str> = batch
        .schema_ref()
        .fields()
        .iter()
        .map(|f| f.name().as_str())
        .collect();
    BatchError::Column {
        column: name.to_owned(),
        message: format!("no such column (it is required); the table has {have:?}"),
    }
}

/// The messages of a core error's problems, without their paths (the caller names the column).
pub(crate) fn problem_message(error: &scrm_core::Error) -> String {
    let messages: Vec<&str> = error
        .problems()
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    if messages.is_empty() {
        error.to_string()
    } else {
        messages.join("; ")
    }
}

/// A value quoted for an error message, cut to 60 characters.
pub(crate) fn excerpt(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(60).collect();
    if chars.next().is_some() {
        format!("{head:?}... ({} bytes)", text.len())
    } else {
        format!("{head:?}")
    }
}

/// The columns of an output table, built row by row.
pub(crate) struct Out {
    fields: Vec<Field>,
    columns: Vec<ArrayRef>,
    metadata: std::collections::HashMap<String, String>,
}

impl Out {
    pub(crate) fn new() -> Out {
        Out {
            fields: Vec::new(),
            columns: Vec::new(),
            metadata: std::collections::HashMap::new(),
        }
    }

    /// A key of the table's schema metadata (`pyarrow.Table.schema.metadata`).
    pub(crate) fn meta(&mut self, key: &str, value: impl ToString) {
        self.metadata.insert(key.to_owned(), value.to_string());
    }

    pub(crate) fn text(&mut self, name: &str, mut builder: StringBuilder, nullable: bool) {
        self.push(name, Arc::new(builder.finish()), nullable);
    }

    pub(crate) fn int(&mut self, name: &str, mut builder: Int64Builder) {
        self.push(name, Arc::new(builder.finish()), false);
    }

    pub(crate) fn time(&mut self, name: &str, mut builder: TimestampMicrosecondBuilder) {
        let array = builder.finish().with_timezone("UTC");
        self.push(name, Arc::new(array), true);
    }

    pub(crate) fn date(&mut self, name: &str, mut builder: Date32Builder) {
        self.push(name, Arc::new(builder.finish()), true);
    }

    pub(crate) fn list(&mut self, name: &str, mut builder: ListBuilder<StringBuilder>) {
        self.push(name, Arc::new(builder.finish()), false);
    }

    pub(crate) fn decimals(
        &mut self,
        name: &str,
        values: &[Option<Decimal>],
        mode: DecimalOut,
    ) -> Result<(), BatchError> {
        let array = decimal_array(name, values, mode)?;
        self.push(name, array, true);
        Ok(())
    }

    fn push(&mut self, name: &str, array: ArrayRef, nullable: bool) {
        let nullable = nullable || array.null_count() > 0;
        self.fields
            .push(Field::new(name, array.data_type().clone(), nullable));
        self.columns.push(array);
    }

    pub(crate) fn finish(self) -> Result<RecordBatch, BatchError> {
        let schema = Arc::new(Schema::new(self.fields).with_metadata(self.metadata));
        RecordBatch::try_new(schema, self.columns).map_err(|e| {
            BatchError::Core(scrm_core::Error::internal(format!(
                "building an output table: {e}"
            )))
        })
    }
}

/// Decimals as strings, or as `decimal128(38, s)` with `s` the largest scale among them (a value
/// with more integer digits than fit is an error naming the column).
pub(crate) fn decimal_array(
    name: &str,
    values: &[Option<Decimal>],
    mode: DecimalOut,
) -> Result<ArrayRef, BatchError> {
    match mode {
        DecimalOut::String => {
            let mut b = StringBuilder::with_capacity(values.len(), values.len() * 6);
            for v in values {
                match v {
                    Some(d) => b.append_value(d.to_string()),
                    None => b.append_null(),
                }
            }
            Ok(Arc::new(b.finish()))
        }
        DecimalOut::Decimal128 => {
            let scale = values
                .iter()
                .flatten()
                .map(Decimal::scale)
                .max()
                .unwrap_or(0);
            let mut b = Decimal128Builder::with_capacity(values.len());
            for v in values {
                match v {
                    Some(d) => {
                        let mut d = *d;
                        d.rescale(scale);
                        b.append_value(d.mantissa());
                    }
                    None => b.append_null(),
                }
            }
            let scale = i8::try_from(scale).unwrap_or(i8::MAX);
            let array = b
                .finish()
                .with_precision_and_scale(38, scale)
                .map_err(|e| BatchError::Column {
                    column: name.to_owned(),
                    message: format!("cannot be written as decimal128(38, {scale}): {e}"),
                })?;
            Ok(Arc::new(array))
        }
    }
}

/// Microseconds since the epoch of a UTC time.
pub(crate) fn micros(at: DateTime<Utc>) -> i64 {
    at.timestamp_micros()
}

/// Days since 1970-01-01 of a date (Arrow `date32`).
pub(crate) fn days(date: NaiveDate) -> i32 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    i32::try_from((date - epoch).num_days()).unwrap_or(i32::MAX)
}
