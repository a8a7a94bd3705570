//! Python bindings of scrm: the package `scrm`, a thin layer over `scrm-core`.
//!
//! Every call goes through [`released`] (by way of [`run`] or [`arrow::run_batch`]), which
//! releases the GIL while the core works and turns a panic into `scrm.InternalError`, so nothing
//! a caller passes can crash the interpreter. Python values convert in `convert` (dicts and lists as JSON text, aware datetimes, decimals) and errors in
//! `errors`, each in that one place.

mod arrow;
mod batch;
mod condition;
mod convert;
mod customers_table;
mod errors;
mod identity;
mod number;
mod playbook;
mod segment;
mod tagging;
mod types;

// The full surface (issue 6): engine, pool, social and analytics, billing, CPS and packs.
mod analytics;
mod billing;
mod cps;
mod documents;
mod engine;
mod pool;

use pyo3::prelude::*;

/// The module's Rust allocations use mimalloc, not the C library's malloc (as polars does): a
/// batch fold builds and frees millions of small strings and vectors, where glibc's malloc spent
/// about a seventh of the time (decision 0020). Python's own objects keep Python's allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs core work with the GIL released and panics caught, converting the error in one place.
pub(crate) fn run<T, F>(py: Python<'_>, work: F) -> PyResult<T>
where
    T: Send,
    F: FnOnce() -> scrm_core::Result<T> + Send,
{
    released(py, work).map_err(|e| errors::to_py(py, e))
}

/// The one place the GIL is released: runs `work` detached from Python, a panic caught and
/// returned as an internal error (`scrm.InternalError`). [`run`] (calls over dicts and documents)
/// and [`arrow::run_batch`] (calls over Arrow tables) both go through it.
pub(crate) fn released<T, E, F>(py: Python<'_>, work: F) -> Result<T, E>
where
    T: Send,
    E: From<scrm_core::Error> + Send,
    F: FnOnce() -> Result<T, E> + Send,
{
    py.detach(|| match scrm_core::catch_panic(|| Ok(work())) {
        Ok(result) => result,
        Err(panic) => Err(E::from(panic)),
    })
}

/// Not part of the API: a test hook that panics inside [`released`], through [`run`] or, given a
/// table, through [`arrow::run_batch`], so the tests can see a panic come back as
/// `scrm.InternalError` with the interpreter alive. No other path is known to panic.
#[pyfunction]
#[pyo3(signature = (table=None))]
fn _panic_probe<'py>(
    py: Python<'py>,
    table: Option<Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    match table {
        None => run(py, || -> scrm_core::Result<()> {
            panic!("the panic probe")
        })
        .map(|()| py.None().into_bound(py)),
        Some(table) => arrow::run_batch(
            &table,
            "table",
            arrow::OnError::Raise,
            |_, _, _| -> Result<arrow_array::ArrayRef, arrow::BatchError> {
                panic!("the panic probe, in a batch")
            },
        ),
    }
}

#[pymodule]
mod _native {
    #[pymodule_export]
    use super::_panic_probe;
    #[pymodule_export]
    use super::condition::{CompiledCondition, Condition};
    #[pymodule_export]
    use super::errors::{
        InternalError, ParseError, ScrmError, UnsupportedVersionError, ValidationError,
    };
    #[pymodule_export]
    use super::identity::{Identity, merge, normalize_identity, resolve, resolve_aliases};
    #[pymodule_export]
    use super::playbook::Playbook;
    #[pymodule_export]
    use super::segment::{Segment, decision_chain};
    #[pymodule_export]
    use super::tagging::{TagChange, Tagger};
    #[pymodule_export]
    use super::types::{Channel, DecisionChain, Problem, Tag, TagGroup};

    // The full surface (issue 6): engine, pool, social and analytics, billing, CPS and packs.
    #[pymodule_export]
    use super::analytics::{
        became, cohorts, cost_per_lead, fission, funnel, propagation, report_html,
    };
    #[pymodule_export]
    use super::billing::{Pricing, advance_fees, meter, price};
    #[pymodule_export]
    use super::cps::{attribute, commission, commission_statement, consume, pack_ladder, purchase};
    #[pymodule_export]
    use super::engine::Engine;
    #[pymodule_export]
    use super::pool::Pool;
    // Batch functions over Arrow tables (issue 6 §2).
    #[pymodule_export]
    use super::batch::{fold_table, meter_table, price_table};

    #[allow(non_upper_case_globals)]
    #[pymodule_export]
    const __version__: &str = scrm_core::VERSION;
}
