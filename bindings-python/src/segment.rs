//! `scrm.Segment` and `scrm.decision_chain`: who is in a segment, and who decides in an account.

use pyo3::prelude::*;

use crate::arrow::{OnError, run_batch};
use crate::condition::CompiledCondition;
use crate::convert::{decimals_json, optional_json, str_list, to_json, utc_text, utc_time};
use crate::customers_table::{self, Target};
use crate::run;
use crate::types::DecisionChain;

/// A segment of customers (客户分群): those matching a compiled condition, adjusted by hand.
///
/// `include` pins customers (by id) into the segment whatever the condition says; `exclude`
/// keeps them out even when included. Precedence: exclude, then include, then the condition.
/// A segment is immutable and may be shared between threads; each call releases the GIL.
#[pyclass(module = "scrm", frozen)]
pub struct Segment {
    inner: scrm_core::Segment,
    condition: Py<CompiledCondition>,
}

#[pymethods]
impl Segment {
    /// A segment of the customers matching `condition`, plus those in `include` (customer ids),
    /// minus those in `exclude`. A lone `str` for `include` or `exclude` raises `TypeError`.
    #[new]
    #[pyo3(signature = (condition, include = None, exclude = None))]
    fn new(
        condition: &Bound<'_, CompiledCondition>,
        include: Option<&Bound<'_, PyAny>>,
        exclude: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Segment> {
        let ids = |value: Option<&Bound<'_, PyAny>>, what: &str| match value {
            Some(v) if !v.is_none() => str_list(v, what),
            _ => Ok(Vec::new()),
        };
        let inner = scrm_core::Segment::new(condition.get().inner.clone())
            .include(ids(include, "include")?)
            .exclude(ids(exclude, "exclude")?);
        Ok(Segment {
            inner,
            condition: condition.clone().unbind(),
        })
    }

    /// The ids of the customers in the segment at `now`, in the order of `customers`.
    ///
    /// `customers` is a list of customer dicts; `now` an aware `datetime` (a naive one raises
    /// `ValueError`); `histories` maps a customer id to that customer's events (None: no events);
    /// `scores` maps a customer id to its score as a `Decimal`, `int` or decimal `str` (a float
    /// raises `TypeError`). Raises `ValidationError` at its path for bad input, e.g.
    /// `customers[1].stage` or `scores.c1`.
    #[pyo3(signature = (customers, now, histories = None, scores = None))]
    fn members(
        &self,
        customers: &Bound<'_, PyAny>,
        now: &Bound<'_, PyAny>,
        histories: Option<&Bound<'_, PyAny>>,
        scores: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Vec<String>> {
        let py = customers.py();
        let now = utc_text(now, "now")?;
        let scores = decimals_json(scores, "scores")?;
        let customers = to_json(customers, "customers")?;
        let histories = optional_json(histories, "histories")?;
        run(py, || {
            let now = scrm_core::parse_time(&now, "now")?;
            scrm_core::segment_members_json(
                &self.inner,
                &customers,
                histories.as_deref(),
                scores.as_deref(),
                now,
            )
        })
    }

    /// Whether each row of a customers table is in the segment at `now`, in one call.
    ///
    /// Takes the same tables and arguments as `CompiledCondition.evaluate_table` and returns the
    /// same (one boolean per row, or `(values, rejected)` with `on_error="reject"`), with the
    /// segment's precedence applied by the `id` column: exclude, then include, then the
    /// condition. The GIL is released while the rows are evaluated.
    #[pyo3(signature = (customers, now, *, on_error = "raise"))]
    fn evaluate_table<'py>(
        &self,
        customers: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        on_error: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let now = utc_time(now, "now")?;
        let on_error = OnError::parse(on_error)?;
        let target = Target::Segment(&self.inner);
        run_batch(
            customers,
            "customers",
            on_error,
            move |batches, schema, rejects| {
                customers_table::evaluate(target, now, batches, schema, rejects)
            },
        )
    }

    /// The compiled condition of the segment.
    #[getter]
    fn condition(&self, py: Python<'_>) -> Py<CompiledCondition> {
        self.condition.clone_ref(py)
    }

    /// The manually included customer ids, sorted.
    #[getter]
    fn include(&self) -> Vec<String> {
        sorted(self.inner.included())
    }

    /// The manually excluded customer ids, sorted.
    #[getter]
    fn exclude(&self) -> Vec<String> {
        sorted(self.inner.excluded())
    }

    fn __repr__(&self) -> String {
        format!(
            "Segment({:?}, include={:?}, exclude={:?})",
            self.inner.condition().condition().to_text(),
            self.include(),
            self.exclude()
        )
    }
}

fn sorted(ids: &std::collections::HashSet<String>) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().cloned().collect();
    ids.sort();
    ids
}

/// The decision chain of a B2B account (决策链): its decision makers, influencers, champions,
/// gatekeepers, and the gaps the sales team still needs to fill.
///
/// `account` is an account dict (see docs/data-model.md). Raises `ValidationError` at its path
/// for a bad account, duplicate contacts, a `reports_to` naming no contact, or a reporting cycle.
#[pyfunction]
pub fn decision_chain(account: &Bound<'_, PyAny>) -> PyResult<DecisionChain> {
    let py = account.py();
    let account = to_json(account, "account")?;
    run(py, || scrm_core::decision_chain_json(&account)).map(DecisionChain::from)
}
