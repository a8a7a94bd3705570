//! `Pool`: the pool (公海), claim, transfer and assignment rules of a playbook.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::condition::time;
use crate::{Playbook, document, json_text, optional_json, run};

/// The `pool`, `transfer` and `assignment` sections of a playbook: which neglected customers go
/// back to the pool (公海回收), who may claim one (领取), how customers transfer between employees
/// within WeCom's limits (在职继承 / 离职继承), and who a new customer is assigned to (分配). Build
/// one with `Pool.fromPlaybook`. Every answer carries its reason; refusals are answers, not
/// errors. See `docs/pool.md`.
#[napi]
pub struct Pool {
    pool: scrm_core::PoolRules,
    transfer: scrm_core::TransferRules,
    router: scrm_core::Router,
}

#[napi]
impl Pool {
    /// Checks the pool, transfer and assignment rules of `playbook` (durations, working hours,
    /// routes) and keeps them. A playbook without these sections reclaims nobody, lets anyone
    /// claim and assigns nobody.
    ///
    /// @throws {ScrmError} `code` "validation" naming every bad rule (`pool.claim.cool_off`,
    /// `assignment.working_hours[0].from`).
    #[napi(factory)]
    pub fn from_playbook(env: Env, playbook: &Playbook) -> Result<Pool> {
        // Compiled once here: a bad section is reported when the pool is built, and a
        // per-request claim or due pays no compilation.
        run(&env, || {
            Ok(Pool {
                pool: scrm_core::PoolRules::new(&playbook.inner)?,
                transfer: scrm_core::TransferRules::new(&playbook.inner)?,
                router: scrm_core::Router::new(&playbook.inner)?,
            })
        })
    }

    /// What is due at `now` (a `Date` or an RFC 3339 string) for `customers` (PoolFacts records):
    /// customers to reclaim to the pool, owners to warn with the days left, overdue customers kept
    /// (protected, or with an open task). Days are calendar days in the playbook's timezone.
    /// Items are sorted by customer id.
    ///
    /// @throws {ScrmError} `code` "validation" at `now` and at each bad record (`customers[3]`).
    #[napi(
        ts_args_type = "customers: Array<PoolFactsJson>, now: Date | string",
        ts_return_type = "Due"
    )]
    pub fn due<'env>(
        &self,
        env: &'env Env,
        customers: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let now = time(env, now, "now")?;
        let customers = json_text(env, customers, "customers")?;
        document(env, || self.pool.due_json(&customers, now))
    }

    /// Whether `employee` may claim `customer` (a PoolFacts record) from the pool at `now`: every
    /// rule that refuses (`owned`, `resigned`, `daily_limit`, `capacity`, `previous_owner`,
    /// `cooling_off`), each with its reason.
    ///
    /// @throws {ScrmError} `code` "validation" at `now`, naming each bad field of `employee` and
    /// `customer` (`customer.pooled_at` when a previous owner's wait cannot be measured).
    #[napi(
        ts_args_type = "employee: EmployeeJson, customer: PoolFactsJson, now: Date | string",
        ts_return_type = "ClaimDecision"
    )]
    pub fn claim<'env>(
        &self,
        env: &'env Env,
        employee: Unknown<'_>,
        customer: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let now = time(env, now, "now")?;
        let employee = json_text(env, employee, "employee")?;
        let customer = json_text(env, customer, "customer")?;
        document(env, || self.pool.claim_json(&employee, &customer, now))
    }

    /// Checks a transfer request at `now` against the earlier transfers `history` (at most 2 per
    /// customer in 90 days, none while one is waiting) and, when given, the `employees` (a
    /// resigned takeover, the wrong kind for the handover's status): the customers accepted, those
    /// refused with the rule and reason, and the records to store.
    ///
    /// @throws {ScrmError} `code` "validation" at `now`, at `customers` for more than 100 in one
    /// request, at `kind`, and naming each bad field of `request`, `history` and `employees`.
    #[napi(
        ts_args_type = "request: TransferRequestJson, now: Date | string, history?: Array<TransferRecordJson> | undefined | null, employees?: Array<EmployeeJson> | undefined | null",
        ts_return_type = "TransferPlan"
    )]
    pub fn plan_transfer<'env>(
        &self,
        env: &'env Env,
        request: Unknown<'_>,
        now: Unknown<'_>,
        history: Option<Unknown<'_>>,
        employees: Option<Unknown<'_>>,
    ) -> Result<Unknown<'env>> {
        let now = time(env, now, "now")?;
        let request = json_text(env, request, "request")?;
        let history = optional_json(env, history, "history")?.unwrap_or_else(|| "[]".to_owned());
        let employees = optional_json(env, employees, "employees")?;
        document(env, || {
            self.transfer
                .plan_json(&request, &history, employees.as_deref(), now)
        })
    }

    /// The status of each transfer record at `now`, in input order, with WeCom's codes:
    /// `waiting`, `done`, `refused`, `taker_at_limit` (needs `employees` and
    /// `transfer.taker_limit`), `no_relation`.
    ///
    /// @throws {ScrmError} `code` "validation" at `now` and naming each bad field of `records`
    /// (`records[0].refused_at`) and `employees`.
    #[napi(
        ts_args_type = "records: Array<TransferRecordJson>, now: Date | string, employees?: Array<EmployeeJson> | undefined | null",
        ts_return_type = "TransferStatuses"
    )]
    pub fn transfer_status<'env>(
        &self,
        env: &'env Env,
        records: Unknown<'_>,
        now: Unknown<'_>,
        employees: Option<Unknown<'_>>,
    ) -> Result<Unknown<'env>> {
        let now = time(env, now, "now")?;
        let records = json_text(env, records, "records")?;
        let employees = optional_json(env, employees, "employees")?;
        document(env, || {
            self.transfer
                .status_json(&records, employees.as_deref(), now)
        })
    }

    /// Assigns new customers (`leads`) in order at `now`: the route of each lead's channel code,
    /// the strategy's turn, who was passed over and why. `state` is the `state` of the previous
    /// call (absent: a fresh start); pass the returned `state` and `employees` (their counters
    /// updated) to the next call.
    ///
    /// @throws {ScrmError} `code` "validation" at `now` and naming each bad field of `employees`
    /// (duplicate ids, unknown backups), `state` and `leads`.
    #[napi(
        ts_args_type = "employees: Array<EmployeeJson>, leads: Array<LeadJson>, now: Date | string, state?: AssignStateJson | undefined | null",
        ts_return_type = "Assignment"
    )]
    pub fn assign<'env>(
        &self,
        env: &'env Env,
        employees: Unknown<'_>,
        leads: Unknown<'_>,
        now: Unknown<'_>,
        state: Option<Unknown<'_>>,
    ) -> Result<Unknown<'env>> {
        let now = time(env, now, "now")?;
        let employees = json_text(env, employees, "employees")?;
        let leads = json_text(env, leads, "leads")?;
        let state = optional_json(env, state, "state")?;
        document(env, || {
            self.router
                .assign_json(&employees, state.as_deref(), &leads, now)
        })
    }
}
