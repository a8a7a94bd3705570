//! The customer pool (公海), transfers (离职/在职继承) and lead assignment (分配) of a playbook.
//! Inputs are JSON text in the shapes of `docs/pool.md`; what is due comes back typed as well.

use std::sync::Arc;
use std::time::SystemTime;

use crate::convert::utc_at;
use crate::effects::DueItem;
use crate::engine::document;
use crate::{Playbook, ScrmError, guarded, run};

/// The pool, transfer and assignment rules of one playbook, checked once when built. Safe to share
/// between threads.
#[derive(uniffi::Object)]
pub struct PoolRules {
    pool: scrm_core::PoolRules,
    transfer: scrm_core::TransferRules,
    router: scrm_core::Router,
}

#[uniffi::export]
impl PoolRules {
    /// Checks the pool, transfer and assignment sections of `playbook`.
    ///
    /// Throws `ScrmException.Validation` at the playbook path at fault.
    #[uniffi::constructor]
    pub fn new(playbook: Arc<Playbook>) -> Result<Arc<PoolRules>, ScrmError> {
        // Compiled once: a per-request claim or due pays no compilation.
        run(|| {
            Ok(Arc::new(PoolRules {
                pool: scrm_core::PoolRules::new(&playbook.inner)?,
                transfer: scrm_core::TransferRules::new(&playbook.inner)?,
                router: scrm_core::Router::new(&playbook.inner)?,
            }))
        })
    }

    /// What is due at `now` for the owned customers of `customers_json` (a JSON list of pool facts:
    /// `{customer_id, owner: {id, since}, stage?, last_follow_up?, ...}`): reclaim, warn or kept,
    /// each with its reason. Customers with nothing due are left out.
    ///
    /// Throws `ScrmException.Validation` at `customers[i]` for a bad item.
    pub fn due(&self, customers_json: String, now: SystemTime) -> Result<Vec<DueItem>, ScrmError> {
        let out = self.due_json(customers_json, now)?;
        let doc = document(&out)?;
        Ok(doc["items"]
            .as_array()
            .map(|items| items.iter().map(DueItem::from).collect())
            .unwrap_or_default())
    }

    /// The JSON twin of `due`: `{"items": [...]}` as in `docs/pool.md`.
    pub fn due_json(&self, customers_json: String, now: SystemTime) -> Result<String, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            Ok(self.pool.due_json(&customers_json, now)?)
        })
    }

    /// Whether an employee (JSON) may claim a pool customer (JSON pool facts) at `now` (领取).
    /// Returns `{customer_id, employee_id, allowed, refusals: [{rule, ..., reason}], reason}`.
    pub fn claim_json(
        &self,
        employee_json: String,
        customer_json: String,
        now: SystemTime,
    ) -> Result<String, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            Ok(self.pool.claim_json(&employee_json, &customer_json, now)?)
        })
    }

    /// Checks a transfer request (JSON) against the earlier transfers (a JSON list) and the
    /// employees (a JSON list, or null). Returns `{accepted, refused, records, completes_at}`.
    pub fn plan_transfer_json(
        &self,
        request_json: String,
        history_json: String,
        employees_json: Option<String>,
        now: SystemTime,
    ) -> Result<String, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            Ok(self.transfer.plan_json(
                &request_json,
                &history_json,
                employees_json.as_deref(),
                now,
            )?)
        })
    }

    /// The status at `now` of each transfer record (a JSON list), with the employees (a JSON list,
    /// or null) for the takeover limit. Returns `{"outcomes": [...]}` in input order.
    pub fn transfer_status_json(
        &self,
        records_json: String,
        employees_json: Option<String>,
        now: SystemTime,
    ) -> Result<String, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            Ok(self
                .transfer
                .status_json(&records_json, employees_json.as_deref(), now)?)
        })
    }

    /// Assigns leads (a JSON list) in order to the employees (a JSON list), continuing from
    /// `state_json` (null: a fresh state). Returns `{"decisions", "state", "employees"}`; pass
    /// `state` and `employees` to the next call.
    pub fn assign_json(
        &self,
        employees_json: String,
        state_json: Option<String>,
        leads_json: String,
        now: SystemTime,
    ) -> Result<String, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            Ok(self
                .router
                .assign_json(&employees_json, state_json.as_deref(), &leads_json, now)?)
        })
    }
}
