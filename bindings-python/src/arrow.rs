//! Arrow batch calls: the one helper every long batch call goes through, and how bad rows are told.
//!
//! [`run_batch`] does the four steps of every batch call, in order: extract the Arrow input through
//! the Arrow PyCapsule interface (`__arrow_c_stream__` or `__arrow_c_array__`, so pyarrow, polars
//! and pandas all work without a copy), release the GIL, run the core with panics caught, and
//! convert the result back to Arrow. The input batches are read while the GIL is held (a producer
//! may need it) and dropped after it is taken back (a producer's release callback may need it).
//!
//! A bad row never vanishes: with `on_error="raise"` the call raises `scrm.ValidationError` naming
//! the row and the column (path `customers[3].score`); with `on_error="reject"` the row's result is
//! null and the call also returns a table of rejected rows (`row`, `column`, `reason`).

use std::sync::Arc;

use arrow_array::builder::{Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use pyo3::exceptions::{PyModuleNotFoundError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyTuple;
use pyo3_arrow::input::AnyRecordBatch;
use pyo3_arrow::{PyArray, PyTable};

use crate::errors;

/// What a batch call does with a bad row: raise at the first one, or reject each and go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnError {
    Raise,
    Reject,
}

impl OnError {
    /// Reads the `on_error` argument: `"raise"` or `"reject"`.
    pub(crate) fn parse(text: &str) -> PyResult<OnError> {
        match text {
            "raise" => Ok(OnError::Raise),
            "reject" => Ok(OnError::Reject),
            other => Err(PyValueError::new_err(format!(
                "on_error must be \"raise\" or \"reject\", not {other:?}"
            ))),
        }
    }
}

/// One bad row: its index over the whole input (0-based, across batches), the column at fault and
/// why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RowError {
    pub(crate) row: usize,
    pub(crate) column: String,
    pub(crate) reason: String,
}

/// Why a batch call failed.
#[derive(Debug)]
pub(crate) enum BatchError {
    /// A whole column is unusable: missing, or of a type that cannot hold the field.
    Column { column: String, message: String },
    /// A bad row, when the caller asked to raise.
    Row(RowError),
    /// The arguments cannot work on any table (e.g. a condition the table cannot answer).
    Argument { path: String, message: String },
    /// An error of the core itself (including a caught panic).
    Core(scrm_core::Error),
}

impl From<scrm_core::Error> for BatchError {
    fn from(error: scrm_core::Error) -> BatchError {
        BatchError::Core(error)
    }
}

/// The bad rows of one call, kept or raised as the caller asked.
pub(crate) struct Rejects {
    mode: OnError,
    rows: Vec<RowError>,
}

impl Rejects {
    /// Records a bad row: an error under `OnError::Raise`, kept under `OnError::Reject`.
    pub(crate) fn reject(
        &mut self,
        row: usize,
        column: &str,
        reason: impl Into<String>,
    ) -> Result<(), BatchError> {
        let error = RowError {
            row,
            column: column.to_owned(),
            reason: reason.into(),
        };
        match self.mode {
            OnError::Raise => Err(BatchError::Row(error)),
            OnError::Reject => {
                self.rows.push(error);
                Ok(())
            }
        }
    }
}

/// Runs one batch call: extract `input` (named `what` in errors) as Arrow record batches, release
/// the GIL, run `work` over the batches with panics caught, and convert its result array back.
///
/// Returns a `pyarrow.Array` (or, without pyarrow, an Arrow array object exposing
/// `__arrow_c_array__`); under `OnError::Reject`, a tuple of it and the rejected-rows table. A
/// call that returns tables ([`Tables`]) gets a tuple of `pyarrow.Table`s, the rejected-rows table
/// last under `OnError::Reject`.
pub(crate) fn run_batch<'py, F, O>(
    input: &Bound<'py, PyAny>,
    what: &str,
    on_error: OnError,
    work: F,
) -> PyResult<Bound<'py, PyAny>>
where
    F: FnOnce(&[RecordBatch], &SchemaRef, &mut Rejects) -> Result<O, BatchError> + Send,
    O: BatchOutput + Send,
{
    let py = input.py();
    let (batches, schema) = extract(input, what)?;
    let outcome = crate::released(py, || {
        let mut rejects = Rejects {
            mode: on_error,
            rows: Vec::new(),
        };
        work(&batches, &schema, &mut rejects).map(|values| (values, rejects.rows))
    });
    // `batches` is dropped at the end of this function, with the GIL held again.
    let (values, rejected) = outcome.map_err(|e| to_py(py, e, what))?;
    let rejected = match on_error {
        OnError::Raise => None,
        OnError::Reject => Some(rejected_table(py, &rejected)?),
    };
    values.into_python(py, rejected)
}

/// What a batch call returns, converted back to Python with the GIL held.
pub(crate) trait BatchOutput {
    /// The Python result: the output itself, and the rejected-rows table when there is one.
    fn into_python<'py>(
        self,
        py: Python<'py>,
        rejected: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>>;
}

impl BatchOutput for ArrayRef {
    fn into_python<'py>(
        self,
        py: Python<'py>,
        rejected: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let values = array_to_python(py, self)?;
        match rejected {
            None => Ok(values),
            Some(rejected) => Ok(PyTuple::new(py, [values, rejected])?.into_any()),
        }
    }
}

/// One result table, returned as a `pyarrow.Table`.
impl BatchOutput for RecordBatch {
    fn into_python<'py>(
        self,
        py: Python<'py>,
        rejected: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let table = table_to_python(py, self)?;
        match rejected {
            None => Ok(table),
            Some(rejected) => Ok(PyTuple::new(py, [table, rejected])?.into_any()),
        }
    }
}

/// Several result tables, returned as a tuple of `pyarrow.Table`s (objects with
/// `__arrow_c_stream__` when pyarrow is not installed), the rejected-rows table appended.
pub(crate) struct Tables(pub(crate) Vec<RecordBatch>);

impl BatchOutput for Tables {
    fn into_python<'py>(
        self,
        py: Python<'py>,
        rejected: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let mut items = Vec::with_capacity(self.0.len() + 1);
        for batch in self.0 {
            items.push(table_to_python(py, batch)?);
        }
        items.extend(rejected);
        Ok(PyTuple::new(py, items)?.into_any())
    }
}

/// One record batch as a `pyarrow.Table`, read through `RecordBatchReader.from_stream` where
/// pyarrow has it (15 and later): `pyarrow.table(...)` first asks whether its argument is a pandas
/// DataFrame, which imports pandas, seconds on the first call of a program that never uses it.
fn table_to_python(py: Python<'_>, batch: RecordBatch) -> PyResult<Bound<'_, PyAny>> {
    let schema = batch.schema();
    let exported = PyTable::try_new(vec![batch], schema)?
        .into_pyobject(py)?
        .into_any();
    let from_stream = match py.import("pyarrow") {
        Ok(pyarrow) => pyarrow
            .getattr("RecordBatchReader")
            .and_then(|reader| reader.getattr("from_stream"))
            .ok(),
        Err(_) => None,
    };
    match from_stream {
        Some(from_stream) => from_stream.call1((exported,))?.call_method0("read_all"),
        None => to_pyarrow(py, exported, "table"),
    }
}

/// Reads any Arrow tabular object into record batches, without copying the buffers. A call with
/// a second input table extracts it with this before [`run_batch`] and lends it to the work.
pub(crate) fn extract(
    input: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<(Vec<RecordBatch>, SchemaRef)> {
    let any: AnyRecordBatch = input.extract().map_err(|e| {
        let name = input
            .get_type()
            .name()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "an object".to_owned());
        let err = PyTypeError::new_err(format!(
            "{what} must be an Arrow table: a pyarrow Table or RecordBatch, a polars DataFrame, a \
             pandas DataFrame, or any object with __arrow_c_stream__ or __arrow_c_array__; not {name}"
        ));
        err.set_cause(input.py(), Some(e));
        err
    })?;
    let table: PyTable = any.into_table()?;
    Ok(table.into_inner())
}

fn to_py(py: Python<'_>, error: BatchError, what: &str) -> PyErr {
    match error {
        BatchError::Column { column, message } => errors::validation(
            py,
            &format!("{what}.{column}"),
            format!("column {column:?}: {message}"),
        ),
        BatchError::Row(RowError {
            row,
            column,
            reason,
        }) => errors::validation(
            py,
            &format!("{what}[{row}].{column}"),
            format!("row {row}, column {column:?}: {reason}"),
        ),
        BatchError::Argument { path, message } => errors::validation(py, &path, message),
        BatchError::Core(e) => errors::to_py(py, e),
    }
}

/// An Arrow array as a `pyarrow.Array`, or as an object with `__arrow_c_array__` when pyarrow is
/// not installed (polars users need not install it).
fn array_to_python(py: Python<'_>, values: ArrayRef) -> PyResult<Bound<'_, PyAny>> {
    let exported = PyArray::from_array_ref(values)
        .into_pyobject(py)?
        .into_any();
    to_pyarrow(py, exported, "array")
}

/// `pyarrow.<constructor>(exported)`, which reads the object's PyCapsule without a copy; the
/// object itself when pyarrow is not installed.
fn to_pyarrow<'py>(
    py: Python<'py>,
    exported: Bound<'py, PyAny>,
    constructor: &str,
) -> PyResult<Bound<'py, PyAny>> {
    match py.import("pyarrow") {
        Ok(pyarrow) => pyarrow.getattr(constructor)?.call1((exported,)),
        Err(e) if e.is_instance_of::<PyModuleNotFoundError>(py) => Ok(exported),
        Err(e) => Err(e),
    }
}

/// The rejected rows as a table with columns `row` (int64), `column` and `reason` (strings).
fn rejected_table<'py>(py: Python<'py>, rejected: &[RowError]) -> PyResult<Bound<'py, PyAny>> {
    let mut rows = Int64Builder::with_capacity(rejected.len());
    let mut columns = StringBuilder::new();
    let mut reasons = StringBuilder::new();
    for r in rejected {
        rows.append_value(i64::try_from(r.row).unwrap_or(i64::MAX));
        columns.append_value(&r.column);
        reasons.append_value(&r.reason);
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("row", DataType::Int64, false),
        Field::new("column", DataType::Utf8, false),
        Field::new("reason", DataType::Utf8, false),
    ]));
    let columns: Vec<ArrayRef> = vec![
        Arc::new(rows.finish()),
        Arc::new(columns.finish()),
        Arc::new(reasons.finish()),
    ];
    let batch = RecordBatch::try_new(schema, columns)
        .map_err(|e| errors::internal(format!("building the rejected-rows table: {e}")))?;
    table_to_python(py, batch)
}
