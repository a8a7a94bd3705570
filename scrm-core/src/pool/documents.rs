//! The document interface of pool, transfer and assignment: JSON text in, JSON text out, for the
//! bindings. Shapes are documented in `docs/pool.md`; bad input names the path of the field at
//! fault (`customers[3].owner.since`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::{
    AssignState, Employee, Lead, PoolFacts, PoolRules, Router, Team, TransferRecord,
    TransferRequest, TransferRules,
};
use crate::error::{Error, ErrorKind, Result};
use crate::playbook::Playbook;

fn read<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| crate::error::json_parse_error(what, "JSON", &e))?;
    serde_json::from_value(value).map_err(|e| Error::at(ErrorKind::Validation, what, e.to_string()))
}

/// Reads a JSON list item by item, so each problem names its item (`what[3]`).
fn read_list<T: DeserializeOwned>(text: &str, what: &str) -> Result<Vec<T>> {
    let values: Vec<serde_json::Value> = read(text, what)?;
    let mut out = Vec::with_capacity(values.len());
    let mut problems = Vec::new();
    for (i, v) in values.into_iter().enumerate() {
        match serde_json::from_value(v) {
            Ok(item) => out.push(item),
            Err(e) => problems.push(crate::error::Problem::new(
                format!("{what}[{i}]"),
                e.to_string(),
            )),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::with_problems(ErrorKind::Validation, problems))
    }
}

fn write<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// What is due at `now` for a JSON list of [`PoolFacts`] (see [`PoolRules::due`]); compiles the
/// rules on each call: hold a [`PoolRules`] and call [`PoolRules::due_json`] to compile once.
///
/// Output: `{"items": [{customer_id, owner, stage?, action: "reclaim" | "warn" | "kept", ...,
/// since, followed_up, idle_days, limit_days, grace_days, default_limit, reason}]}`.
pub fn due_json(playbook: &Playbook, customers_json: &str, now: DateTime<Utc>) -> Result<String> {
    PoolRules::new(playbook)?.due_json(customers_json, now)
}

/// Whether a JSON [`Employee`] may claim a JSON [`PoolFacts`] customer at `now` (see
/// [`PoolRules::claim`]); compiles the rules on each call (see [`PoolRules::claim_json`]).
///
/// Output: `{customer_id, employee_id, allowed, refusals: [{rule, ..., reason}], reason}`.
pub fn claim_json(
    playbook: &Playbook,
    employee_json: &str,
    customer_json: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    PoolRules::new(playbook)?.claim_json(employee_json, customer_json, now)
}

/// Checks a JSON [`TransferRequest`] against a JSON list of earlier [`TransferRecord`]s and an
/// optional JSON list of [`Employee`]s (see [`TransferRules::plan`]); compiles the rules on each
/// call (see [`TransferRules::plan_json`]).
///
/// Output: `{accepted: [ids], refused: [{customer_id, rule, ..., reason}], records: [...],
/// completes_at}`.
pub fn transfer_plan_json(
    playbook: &Playbook,
    request_json: &str,
    history_json: &str,
    employees_json: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String> {
    TransferRules::new(playbook)?.plan_json(request_json, history_json, employees_json, now)
}

/// The status of each JSON [`TransferRecord`] at `now`, with an optional JSON list of
/// [`Employee`]s for the takeover limit (see [`TransferRules::statuses`]); compiles the rules on
/// each call (see [`TransferRules::status_json`]).
///
/// Output: `{"outcomes": [{customer_id, handover, takeover, started_at, completes_at, status,
/// at?, taker_held?, taker_limit?, reason}]}` in input order.
pub fn transfer_status_json(
    playbook: &Playbook,
    records_json: &str,
    employees_json: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String> {
    TransferRules::new(playbook)?.status_json(records_json, employees_json, now)
}

/// Assigns a JSON list of [`Lead`]s in order, given a JSON list of [`Employee`]s and the JSON
/// [`AssignState`] (`None`: a fresh state) (see [`Router::assign`]); compiles the routes on each
/// call (see [`Router::assign_json`]).
///
/// Output: `{"decisions": [{customer_id, employee_id, route?, channel_code?, rule?, strategy?,
/// turn_of?, skipped, reason}], "state": {...}, "employees": [... with updated counters]}`; pass
/// `state` and `employees` to the next call.
pub fn assign_json(
    playbook: &Playbook,
    employees_json: &str,
    state_json: Option<&str>,
    leads_json: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    Router::new(playbook)?.assign_json(employees_json, state_json, leads_json, now)
}

fn optional_list(text: Option<&str>) -> Result<Vec<Employee>> {
    text.map_or(Ok(Vec::new()), |t| read_list(t, "employees"))
}

/// The document interface on compiled rules: what a binding holding the rules calls, so a
/// per-request claim or due pays no compilation.
impl PoolRules {
    /// [`due_json`] on these rules.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] naming the item at fault (`customers[3].owner.since`).
    pub fn due_json(&self, customers_json: &str, now: DateTime<Utc>) -> Result<String> {
        let facts: Vec<PoolFacts> = read_list(customers_json, "customers")?;
        Ok(self.due(&facts, now)?.to_json())
    }

    /// [`claim_json`] on these rules.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] naming the field at fault (`employee.id`, `customer.owner`).
    pub fn claim_json(
        &self,
        employee_json: &str,
        customer_json: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let employee: Employee = read(employee_json, "employee")?;
        let customer: PoolFacts = read(customer_json, "customer")?;
        Ok(write(&self.claim(&employee, &customer, now)?))
    }
}

impl TransferRules {
    /// [`transfer_plan_json`] on these rules.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] naming the field at fault (`request.customer_ids`,
    /// `history[2].started_at`).
    pub fn plan_json(
        &self,
        request_json: &str,
        history_json: &str,
        employees_json: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let request: TransferRequest = read(request_json, "request")?;
        let history: Vec<TransferRecord> = read_list(history_json, "history")?;
        let employees = optional_list(employees_json)?;
        Ok(write(&self.plan(&request, &history, &employees, now)?))
    }

    /// [`transfer_status_json`] on these rules.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] naming the record at fault (`records[1].takeover`).
    pub fn status_json(
        &self,
        records_json: &str,
        employees_json: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let records: Vec<TransferRecord> = read_list(records_json, "records")?;
        let employees = optional_list(employees_json)?;
        let outcomes = self.statuses(&records, &employees, now)?;
        Ok(write(&serde_json::json!({ "outcomes": outcomes })))
    }
}

impl Router {
    /// [`assign_json`] on these routes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] naming the item at fault (`leads[0].customer_id`,
    /// `employees[2].weight`).
    pub fn assign_json(
        &self,
        employees_json: &str,
        state_json: Option<&str>,
        leads_json: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let mut team = Team::new(read_list(employees_json, "employees")?)?;
        let mut state: AssignState = match state_json {
            Some(text) => read(text, "state")?,
            None => AssignState::default(),
        };
        let leads: Vec<Lead> = read_list(leads_json, "leads")?;
        let decisions = self.assign_all(&leads, &mut team, &mut state, now)?;
        let employees: Vec<&Employee> = team.employees().collect();
        Ok(write(&serde_json::json!({
            "decisions": decisions,
            "state": state,
            "employees": employees,
        })))
    }
}
