//! `scrm.Pool`: the customer pool (公海), claims, transfers between employees and lead assignment.

use pyo3::prelude::*;

use crate::convert::utc_time;
use crate::documents::{call, encode, encode_list, encode_optional};
use crate::playbook::Playbook;
use crate::run;

/// A playbook's pool, transfer and assignment rules (`pool`, `transfer`, `assignment`),
/// checked once when built.
///
/// Customers, employees, requests and records are dicts in the shapes of docs/pool.md; outputs
/// are the documents of docs/pool.md, with times as aware `datetime`s and each decision's
/// `reason` in words. A pool is immutable and may be shared between threads; every call
/// releases the GIL.
///
/// ```python
/// pool = scrm.Pool(playbook)
/// for item in pool.due(customers, now)["items"]:
///     print(item["customer_id"], item["action"], item["reason"])
/// ```
#[pyclass(module = "scrm", frozen)]
pub struct Pool {
    tenant_id: String,
    pool: scrm_core::PoolRules,
    transfer: scrm_core::TransferRules,
    router: scrm_core::Router,
}

#[pymethods]
impl Pool {
    /// Compiles the pool, transfer and assignment rules of `playbook`. Raises `ValidationError`
    /// at its path if they do not compile (e.g. `assignment.working_hours[0]`).
    #[new]
    fn new(py: Python<'_>, playbook: &Bound<'_, Playbook>) -> PyResult<Pool> {
        let playbook = &playbook.get().inner;
        run(py, || {
            Ok(Pool {
                tenant_id: playbook.tenant_id().to_owned(),
                pool: scrm_core::PoolRules::new(playbook)?,
                transfer: scrm_core::TransferRules::new(playbook)?,
                router: scrm_core::Router::new(playbook)?,
            })
        })
    }

    /// What is due at `now` for `customers` (a list of pool-facts dicts: owner, stage, last
    /// follow-up, ...): `{"items": [{customer_id, owner, action: "reclaim" | "warn" | "kept",
    /// since, idle_days, limit_days, ..., reason}]}`.
    ///
    /// Raises `ValidationError` at its path, e.g. `customers[3].owner.since`.
    fn due<'py>(
        &self,
        customers: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = customers.py();
        let now = utc_time(now, "now")?;
        let customers = encode(customers, "customers")?;
        call(py, || self.pool.due_json(&customers, now))
    }

    /// Whether `employee` (an employee dict) may claim `customer` (a pool-facts dict) from the
    /// pool at `now`: `{customer_id, employee_id, allowed, refusals: [{rule, ..., reason}],
    /// reason}`.
    fn claim<'py>(
        &self,
        employee: &Bound<'py, PyAny>,
        customer: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = customer.py();
        let now = utc_time(now, "now")?;
        let employee = encode(employee, "employee")?;
        let customer = encode(customer, "customer")?;
        call(py, || self.pool.claim_json(&employee, &customer, now))
    }

    /// Checks a transfer `request` (在职/离职继承: handover, takeover, customer ids, message)
    /// against the `history` of earlier transfer records and the `employees` (for the taker's
    /// limit): `{accepted: [ids], refused: [{customer_id, rule, ..., reason}], records: [...],
    /// completes_at}`. Keep the returned records for `transfer_status` and later plans.
    #[pyo3(signature = (request, now, history = None, employees = None))]
    fn plan_transfer<'py>(
        &self,
        request: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        history: Option<&Bound<'py, PyAny>>,
        employees: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = request.py();
        let now = utc_time(now, "now")?;
        let request = encode(request, "request")?;
        let history = encode_list(history, "history")?;
        let employees = encode_optional(employees, "employees")?;
        call(py, || {
            self.transfer
                .plan_json(&request, &history, employees.as_deref(), now)
        })
    }

    /// The status at `now` of each transfer record (waiting, completed, refused, ...):
    /// `{"outcomes": [{customer_id, handover, takeover, started_at, completes_at, status, ...,
    /// reason}]}` in input order. `employees` gives the taker's limit.
    #[pyo3(signature = (records, now, employees = None))]
    fn transfer_status<'py>(
        &self,
        records: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        employees: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = records.py();
        let now = utc_time(now, "now")?;
        let records = encode(records, "records")?;
        let employees = encode_optional(employees, "employees")?;
        call(py, || {
            self.transfer
                .status_json(&records, employees.as_deref(), now)
        })
    }

    /// Assigns `leads` in order to `employees` (round robin, weights, skills, quotas, working
    /// hours, as the playbook's routes say): `{"decisions": [{customer_id, employee_id, route?,
    /// rule?, strategy?, skipped, reason}], "state": {...}, "employees": [...]}`.
    ///
    /// Pass the returned `state` and `employees` (their counters updated) to the next call; None
    /// for `state` starts fresh.
    #[pyo3(signature = (employees, leads, now, state = None))]
    fn assign<'py>(
        &self,
        employees: &Bound<'py, PyAny>,
        leads: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        state: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = leads.py();
        let now = utc_time(now, "now")?;
        let employees = encode(employees, "employees")?;
        let leads = encode(leads, "leads")?;
        let state = encode_optional(state, "state")?;
        call(py, || {
            self.router
                .assign_json(&employees, state.as_deref(), &leads, now)
        })
    }

    fn __repr__(&self) -> String {
        format!("Pool(tenant_id={:?})", self.tenant_id)
    }
}
