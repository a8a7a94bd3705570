//! `scrm.Condition` and `scrm.CompiledCondition`.

use pyo3::prelude::*;
use pyo3::types::PyString;

use crate::arrow::{OnError, run_batch};
use crate::convert::{decimal_text, from_json, list_to_json, to_json, utc_text, utc_time};
use crate::customers_table::{self, Target};
use crate::playbook::Playbook;
use crate::run;

/// A condition over one customer, such as `score >= 60 and has_tag("高意向")`.
///
/// Read it from its text form (`Condition.parse`) or its JSON form (`Condition.from_json`); both
/// give equal conditions and each prints back to the other. Compile it against a playbook to
/// evaluate it. The language is documented in docs/conditions.md and on `scrm_core::Condition`.
#[pyclass(module = "scrm", frozen)]
#[derive(Clone)]
pub struct Condition {
    inner: scrm_core::Condition,
}

#[pymethods]
impl Condition {
    /// Reads the text form.
    ///
    /// Raises `ParseError` for syntax errors (the message gives the line, column and a caret),
    /// unknown names and texts beyond the limits; `ValidationError` for comparisons that mean
    /// nothing, such as `stage > 3`.
    #[staticmethod]
    fn parse(py: Python<'_>, text: &str) -> PyResult<Condition> {
        run(py, || scrm_core::Condition::parse(text)).map(|inner| Condition { inner })
    }

    /// Reads the JSON form: a dict such as `{"has_tag": "高意向"}`, or its JSON text.
    ///
    /// Raises `ParseError` for text that is not JSON, `ValidationError` listing every problem at
    /// its JSON path (`all[1].compare.op`) otherwise.
    #[staticmethod]
    fn from_json(obj: &Bound<'_, PyAny>) -> PyResult<Condition> {
        let py = obj.py();
        let text = match obj.cast::<PyString>() {
            Ok(s) => s.extract::<String>()?,
            Err(_) => to_json(obj, "condition")?,
        };
        run(py, || scrm_core::Condition::from_json(&text)).map(|inner| Condition { inner })
    }

    /// The canonical text form, on one line; `Condition.parse` reads it back to an equal condition.
    fn to_text(&self) -> String {
        self.inner.to_text()
    }

    /// The JSON form as a dict; `Condition.from_json` reads it back to an equal condition.
    fn to_json<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        from_json(py, &self.inner.to_json())
    }

    /// Resolves tag and tag-group names against the playbook's taxonomy, ready to evaluate.
    ///
    /// Raises `ValidationError` naming every unknown or ambiguous tag and unknown group.
    fn compile(
        &self,
        py: Python<'_>,
        playbook: &Bound<'_, Playbook>,
    ) -> PyResult<CompiledCondition> {
        let playbook = playbook.get();
        run(py, || self.inner.compile(playbook.inner.taxonomy())).map(|inner| CompiledCondition {
            inner,
            condition: self.clone(),
        })
    }

    fn __eq__(&self, other: &Bound<'_, Condition>) -> bool {
        self.inner == other.get().inner
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        // Equal conditions have the same tree, so the same canonical text.
        PyString::new(py, &self.inner.to_text()).hash()
    }

    fn __str__(&self) -> String {
        self.inner.to_text()
    }

    fn __repr__(&self) -> String {
        format!("Condition({:?})", self.inner.to_text())
    }
}

/// A condition compiled against a playbook's taxonomy, ready to evaluate over many customers.
#[pyclass(module = "scrm", frozen)]
pub struct CompiledCondition {
    pub(crate) inner: scrm_core::CompiledCondition,
    condition: Condition,
}

#[pymethods]
impl CompiledCondition {
    /// Whether `customer` satisfies the condition at `now`.
    ///
    /// `customer` is a customer dict; `now` an aware `datetime` (windows such as `within = "7d"`
    /// end there; a naive datetime raises `ValueError`); `history` the customer's events (None for
    /// none); `score` the customer's score as a `Decimal`, `int` or decimal `str` (a float raises
    /// `TypeError`), None when not known. Raises `ValidationError` at its path for bad input.
    #[pyo3(signature = (customer, now, history = None, score = None))]
    fn evaluate(
        &self,
        customer: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        history: Option<&Bound<'_, PyAny>>,
        score: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let py = customer.py();
        let now = utc_text(now, "now")?;
        let score = decimal_text(score, "score")?;
        let customer = to_json(customer, "customer")?;
        let history = list_to_json(history, "history")?;
        run(py, || {
            let now = scrm_core::parse_time(&now, "now")?;
            scrm_core::evaluate_json(&self.inner, &customer, &history, score.as_deref(), now)
        })
    }

    /// Evaluates the condition over every row of a customers table at `now`, in one call.
    ///
    /// `customers` is any Arrow table: a pyarrow `Table` or `RecordBatch`, a polars `DataFrame`, a
    /// pandas `DataFrame` (Arrow dtypes read without a copy), or any object with
    /// `__arrow_c_stream__` / `__arrow_c_array__`. Its columns are `id` (string, never null),
    /// `tags` (list of tag ids), `stage`, `owner`, `grade`, `score`, `identities`,
    /// `consent.<purpose>.<channel>`, and any other column is the attribute of its name; see
    /// docs/python.md. Only the columns the condition reads must be present.
    ///
    /// Returns a boolean `pyarrow.Array` with one value per row, in order (an Arrow array object
    /// with `__arrow_c_array__` when pyarrow is not installed). The GIL is released while the
    /// rows are evaluated.
    ///
    /// A bad row (null id, unreadable score, NaN, ...) raises `ValidationError` naming the row and
    /// the column (path `customers[3].score`). With `on_error="reject"` it returns a tuple
    /// `(values, rejected)` instead: bad rows are null in `values` and listed in `rejected`, a
    /// table of `row`, `column` and `reason`. A missing column, or a column of a type that cannot
    /// hold the field, always raises `ValidationError` at `customers.<column>`; a condition with
    /// `count(...)` raises at `condition`, since a table holds no events.
    #[pyo3(signature = (customers, now, *, on_error = "raise"))]
    fn evaluate_table<'py>(
        &self,
        customers: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        on_error: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = utc_time(now, "now")?;
        let on_error = OnError::parse(on_error)?;
        let target = Target::Condition(&self.inner);
        run_batch(
            customers,
            "customers",
            on_error,
            move |batches, schema, rejects| {
                customers_table::evaluate(target, now, batches, schema, rejects)
            },
        )
    }

    /// The condition this was compiled from.
    #[getter]
    fn condition(&self) -> Condition {
        self.condition.clone()
    }

    fn __repr__(&self) -> String {
        format!("CompiledCondition({:?})", self.condition.inner.to_text())
    }
}
