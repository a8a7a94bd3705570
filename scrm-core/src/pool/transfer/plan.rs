//! Planning a transfer request: [`TransferRules::plan`] checks the request against WeCom's limits
//! and the customers' transfer history.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde::ser::SerializeMap;

use super::{TransferKind, TransferRecord, TransferRequest, TransferRules, TransferStatus};
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::playbook::employee_id_problem;
use crate::pool::calendar::{days_between, local_date, shift};
use crate::pool::{Employee, EmployeeStatus};

/// What a request does: the customers that start a transfer now, the ones refused and why, and
/// the records to keep (status `waiting` until `completes_at`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferPlan {
    /// Customers whose transfer starts now, in request order.
    pub accepted: Vec<String>,
    /// Customers refused, in request order, each with why.
    pub refused: Vec<TransferRefusal>,
    /// One record per accepted customer, to keep as history.
    pub records: Vec<TransferRecord>,
    /// When the accepted transfers complete unless refused: 24 h from now.
    pub completes_at: DateTime<Utc>,
}

/// A customer a request may not transfer, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferRefusal {
    /// The customer.
    pub customer_id: String,
    /// Why.
    pub why: TransferBlock,
}

/// What blocks a customer's transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransferBlock {
    /// The takeover already follows the customer.
    TakeoverFollows,
    /// An earlier transfer of the customer is still waiting.
    InProgress {
        /// When it started.
        started_at: DateTime<Utc>,
        /// When it completes.
        completes_at: DateTime<Utc>,
    },
    /// The customer was transferred as often as the window allows.
    LimitReached {
        /// Transfers in the window (done or waiting).
        count: u32,
        /// The most allowed.
        max: u32,
        /// The window, in calendar days.
        window_days: u32,
        /// The first day (playbook timezone) a transfer is allowed again.
        next_possible_on: NaiveDate,
    },
}

impl TransferRefusal {
    /// Why, in a sentence.
    pub fn reason(&self) -> String {
        match &self.why {
            TransferBlock::TakeoverFollows => "the takeover already follows the customer".into(),
            TransferBlock::InProgress {
                started_at,
                completes_at,
            } => format!(
                "a transfer started at {} is still waiting, until {}",
                started_at.format("%Y-%m-%dT%H:%M:%SZ"),
                completes_at.format("%Y-%m-%dT%H:%M:%SZ")
            ),
            TransferBlock::LimitReached {
                count,
                max,
                window_days,
                next_possible_on,
            } => format!(
                "transferred {count} times in the last {window_days} days; at most {max} are \
                 allowed; next possible on {next_possible_on}"
            ),
        }
    }
}

impl TransferRules {
    /// Checks a request at `now` against the limits and the customers' `history` (earlier
    /// records, any status), with `employees` (optional: the handover's and takeover's status,
    /// and the takeovers' `held` for the platform limit, as in [`TransferRules::statuses`]).
    ///
    /// A customer is refused (as data) when the takeover already follows them, when an earlier
    /// transfer of theirs is still waiting, or when `max_transfers_per_customer` transfers that
    /// moved or will move them (done or waiting) started within the last `window_days` calendar
    /// days (today included). A transfer started on day `d` stops counting on day `d +
    /// window_days`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`], every problem with its path: no customers, more than
    /// `max_customers_per_request` (the message names the count), a customer listed twice, a
    /// malformed employee id, the same handover and takeover, a resigned takeover, an in-service
    /// transfer from a resigned employee or a resignation transfer from one still active; and the
    /// errors of [`TransferRules::statuses`] on `history`.
    pub fn plan(
        &self,
        request: &TransferRequest,
        history: &[TransferRecord],
        employees: &[Employee],
        now: DateTime<Utc>,
    ) -> Result<TransferPlan> {
        self.check_request(request, employees)?;
        let outcomes = self.statuses(history, employees, now)?;
        let mut by_customer: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, o) in outcomes.iter().enumerate() {
            by_customer.entry(&o.customer_id).or_default().push(i);
        }
        let today = local_date(self.tz, now);
        let follows: HashSet<&str> = request
            .takeover_follows
            .iter()
            .map(String::as_str)
            .collect();
        let mut plan = TransferPlan {
            accepted: Vec::new(),
            refused: Vec::new(),
            records: Vec::new(),
            completes_at: now
                .checked_add_signed(super::refusal_window())
                .ok_or_else(|| Error::at(ErrorKind::Validation, "now", "too late a time"))?,
        };
        for customer in &request.customers {
            let past = by_customer.get(customer.as_str()).map(Vec::as_slice);
            let past = past.unwrap_or_default().iter().map(|&i| &outcomes[i]);
            let block = if follows.contains(customer.as_str()) {
                Some(TransferBlock::TakeoverFollows)
            } else if let Some(w) = past.clone().find(|o| o.status == TransferStatus::Waiting) {
                Some(TransferBlock::InProgress {
                    started_at: w.started_at,
                    completes_at: w.completes_at,
                })
            } else {
                let mut days: Vec<NaiveDate> = past
                    .filter(|o| o.status.counts())
                    .map(|o| local_date(self.tz, o.started_at))
                    .filter(|d| days_between(*d, today) < i64::from(self.window_days))
                    .collect();
                days.sort_unstable();
                self.limit_block(&days)?
            };
            match block {
                Some(why) => plan.refused.push(TransferRefusal {
                    customer_id: customer.clone(),
                    why,
                }),
                None => {
                    plan.accepted.push(customer.clone());
                    plan.records.push(TransferRecord {
                        customer_id: customer.clone(),
                        handover: request.handover.clone(),
                        takeover: request.takeover.clone(),
                        kind: request.kind,
                        started_at: now,
                        refused_at: None,
                        relation_ended_at: None,
                    });
                }
            }
        }
        Ok(plan)
    }

    /// With `days` the sorted start dates of the counted transfers in the window: the block, if
    /// the customer may not be transferred again yet.
    fn limit_block(&self, days: &[NaiveDate]) -> Result<Option<TransferBlock>> {
        let count = u32::try_from(days.len()).unwrap_or(u32::MAX);
        if count < self.max_transfers {
            return Ok(None);
        }
        // Allowed again once all but max - 1 of them have left the window.
        let oldest_to_leave = days.len() - usize::try_from(self.max_transfers).unwrap_or(1);
        let Some(day) = days.get(oldest_to_leave) else {
            return Ok(None);
        };
        Ok(Some(TransferBlock::LimitReached {
            count,
            max: self.max_transfers,
            window_days: self.window_days,
            next_possible_on: shift(*day, i64::from(self.window_days))?,
        }))
    }

    fn check_request(&self, request: &TransferRequest, employees: &[Employee]) -> Result<()> {
        let mut problems = Vec::new();
        for (name, id) in [
            ("handover", &request.handover),
            ("takeover", &request.takeover),
        ] {
            if let Some(message) = employee_id_problem(id) {
                problems.push(Problem::new(name, message));
            }
        }
        if request.handover == request.takeover {
            problems.push(Problem::new(
                "takeover",
                format!(
                    "{:?} cannot take over their own customers",
                    request.takeover
                ),
            ));
        }
        let status = |id: &str| employees.iter().find(|e| e.id == id).map(|e| e.status);
        match (request.kind, status(&request.handover)) {
            (TransferKind::InService, Some(EmployeeStatus::Resigned)) => {
                problems.push(Problem::new(
                    "kind",
                    format!(
                        "{:?} has resigned: use kind \"resigned\" (离职继承)",
                        request.handover
                    ),
                ))
            }
            (TransferKind::Resigned, Some(s)) if s != EmployeeStatus::Resigned => {
                problems.push(Problem::new(
                    "kind",
                    format!(
                        "{:?} has not resigned: use kind \"in_service\" (在职继承)",
                        request.handover
                    ),
                ))
            }
            _ => {}
        }
        if status(&request.takeover) == Some(EmployeeStatus::Resigned) {
            problems.push(Problem::new(
                "takeover",
                format!(
                    "{:?} has resigned and cannot take customers over",
                    request.takeover
                ),
            ));
        }
        let count = request.customers.len();
        let max = usize::try_from(self.max_customers).unwrap_or(usize::MAX);
        if count == 0 {
            problems.push(Problem::new(
                "customers",
                "a request needs at least one customer",
            ));
        } else if count > max {
            problems.push(Problem::new(
                "customers",
                format!(
                    "{count} customers in one request; at most {max} are allowed: split it into \
                     {} requests",
                    count.div_ceil(max)
                ),
            ));
        }
        let mut seen = HashMap::new();
        for (i, c) in request.customers.iter().enumerate() {
            if c.trim().is_empty() {
                problems.push(Problem::new(
                    format!("customers[{i}]"),
                    "a customer id must not be blank",
                ));
            } else if let Some(first) = seen.insert(c.as_str(), i) {
                seen.insert(c.as_str(), first);
                problems.push(Problem::new(
                    format!("customers[{i}]"),
                    format!("customer {c:?} is listed twice (first at customers[{first}])"),
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }
}

/// `{customer_id, rule, ..., reason}`.
impl Serialize for TransferRefusal {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Flat<'r> {
            customer_id: &'r str,
            #[serde(flatten)]
            why: &'r TransferBlock,
            reason: String,
        }
        Flat {
            customer_id: &self.customer_id,
            why: &self.why,
            reason: self.reason(),
        }
        .serialize(serializer)
    }
}

/// `{accepted, refused, records, completes_at}`.
impl Serialize for TransferPlan {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(4))?;
        map.serialize_entry("accepted", &self.accepted)?;
        map.serialize_entry("refused", &self.refused)?;
        map.serialize_entry("records", &self.records)?;
        map.serialize_entry("completes_at", &self.completes_at)?;
        map.end()
    }
}
