//! Claiming a customer from the pool (领取): [`PoolRules::claim`].

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::ser::SerializeMap;

use super::{Employee, EmployeeStatus, PoolFacts, PoolRules};
use crate::error::{Error, ErrorKind, Result};

/// Whether an employee may claim a customer, and every rule that refuses if not.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClaimDecision {
    /// The customer.
    pub customer_id: String,
    /// The employee claiming.
    pub employee_id: String,
    /// Every rule that refuses the claim, in a fixed order; empty when the claim is allowed.
    pub refusals: Vec<ClaimRefusal>,
}

/// A rule refusing a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ClaimRefusal {
    /// The customer is not in the pool: someone owns it.
    Owned {
        /// The owner.
        owner: String,
    },
    /// The employee has resigned.
    Resigned,
    /// The employee has claimed their daily number already.
    DailyLimit {
        /// Claimed today.
        claimed_today: u32,
        /// The daily limit.
        limit: u32,
    },
    /// The employee holds as many customers as they may (库容).
    Capacity {
        /// Customers held.
        held: u32,
        /// The capacity.
        capacity: u32,
    },
    /// The employee owned the customer before it went to the pool and must wait.
    PreviousOwner {
        /// When the customer went to the pool.
        pooled_at: DateTime<Utc>,
        /// When the employee may claim it back.
        until: DateTime<Utc>,
        /// The wait as the playbook writes it.
        wait: String,
    },
    /// The customer went to the pool recently and cools off before anyone may claim it.
    CoolingOff {
        /// When the customer went to the pool.
        pooled_at: DateTime<Utc>,
        /// When it may be claimed.
        until: DateTime<Utc>,
        /// The cooling-off time as the playbook writes it.
        cool_off: String,
    },
}

impl ClaimRefusal {
    /// Why, in a sentence.
    pub fn reason(&self) -> String {
        let time = |t: &DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        match self {
            ClaimRefusal::Owned { owner } => {
                format!("the customer is not in the pool: {owner} owns it")
            }
            ClaimRefusal::Resigned => "the employee has resigned".to_owned(),
            ClaimRefusal::DailyLimit {
                claimed_today,
                limit,
            } => format!("already claimed {claimed_today} today; the daily limit is {limit}"),
            ClaimRefusal::Capacity { held, capacity } => {
                format!("holds {held} customers; the capacity is {capacity}")
            }
            ClaimRefusal::PreviousOwner {
                pooled_at,
                until,
                wait,
            } => format!(
                "was the owner until the customer went to the pool at {}; the previous owner waits \
                 {wait}, until {}",
                time(pooled_at),
                time(until)
            ),
            ClaimRefusal::CoolingOff {
                pooled_at,
                until,
                cool_off,
            } => format!(
                "went to the pool at {}; it cools off for {cool_off}, until {}",
                time(pooled_at),
                time(until)
            ),
        }
    }
}

impl ClaimDecision {
    /// Whether the claim is allowed (no rule refuses it).
    pub fn allowed(&self) -> bool {
        self.refusals.is_empty()
    }

    /// Why, in a sentence.
    pub fn reason(&self) -> String {
        if self.refusals.is_empty() {
            return format!("{} may claim {}", self.employee_id, self.customer_id);
        }
        let why: Vec<String> = self.refusals.iter().map(ClaimRefusal::reason).collect();
        format!(
            "{} may not claim {}: {}",
            self.employee_id,
            self.customer_id,
            why.join("; ")
        )
    }
}

impl PoolRules {
    /// Whether `employee` may claim `customer` at `now`. A rule refusing is an answer, not an
    /// error: the decision lists every refusing rule with its data.
    ///
    /// Rules, in the order reported: the customer is in the pool (has no owner); the employee has
    /// not resigned; fewer than `pool.claim.daily_limit` claims today; fewer customers held than
    /// the capacity (the employee's own, else `pool.capacity`); the previous owner waits
    /// `previous_owner_wait` after `pooled_at`; everyone waits `cool_off` after `pooled_at`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when a configured rule needs a fact the customer lacks: a
    /// `previous_owner` without `pooled_at`.
    pub fn claim(
        &self,
        employee: &Employee,
        customer: &PoolFacts,
        now: DateTime<Utc>,
    ) -> Result<ClaimDecision> {
        let mut refusals = Vec::new();
        if let Some(owner) = &customer.owner {
            refusals.push(ClaimRefusal::Owned {
                owner: owner.id.clone(),
            });
        }
        if employee.status == EmployeeStatus::Resigned {
            refusals.push(ClaimRefusal::Resigned);
        }
        if let Some(limit) = self.daily_claims {
            if employee.claimed_today >= limit {
                refusals.push(ClaimRefusal::DailyLimit {
                    claimed_today: employee.claimed_today,
                    limit,
                });
            }
        }
        if let Some(capacity) = employee.capacity.or(self.capacity) {
            if employee.held >= capacity {
                refusals.push(ClaimRefusal::Capacity {
                    held: employee.held,
                    capacity,
                });
            }
        }
        let is_previous = customer.previous_owner.as_deref() == Some(employee.id.as_str());
        if let (true, Some((wait, text))) = (is_previous, &self.previous_owner_wait) {
            let pooled_at = customer.pooled_at.ok_or_else(|| {
                Error::at(
                    ErrorKind::Validation,
                    "customer.pooled_at",
                    format!(
                        "customer {:?} names a previous_owner but no pooled_at; the previous \
                         owner's wait counts from it",
                        customer.customer_id
                    ),
                )
            })?;
            let until = later(pooled_at, *wait)?;
            if now < until {
                refusals.push(ClaimRefusal::PreviousOwner {
                    pooled_at,
                    until,
                    wait: text.clone(),
                });
            }
        }
        if let (Some(pooled_at), Some((cool_off, text))) = (customer.pooled_at, &self.cool_off) {
            let until = later(pooled_at, *cool_off)?;
            if now < until {
                refusals.push(ClaimRefusal::CoolingOff {
                    pooled_at,
                    until,
                    cool_off: text.clone(),
                });
            }
        }
        Ok(ClaimDecision {
            customer_id: customer.customer_id.clone(),
            employee_id: employee.id.clone(),
            refusals,
        })
    }
}

fn later(t: DateTime<Utc>, by: chrono::TimeDelta) -> Result<DateTime<Utc>> {
    t.checked_add_signed(by).ok_or_else(|| {
        Error::at(
            ErrorKind::Validation,
            "customer.pooled_at",
            format!("{t} is too late to add a wait to"),
        )
    })
}

/// `{customer_id, employee_id, allowed, refusals: [{rule, ..., reason}], reason}`.
impl Serialize for ClaimDecision {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct WithReason<'r> {
            #[serde(flatten)]
            refusal: &'r ClaimRefusal,
            reason: String,
        }
        let refusals: Vec<WithReason> = self
            .refusals
            .iter()
            .map(|refusal| WithReason {
                refusal,
                reason: refusal.reason(),
            })
            .collect();
        let mut map = serializer.serialize_map(Some(5))?;
        map.serialize_entry("customer_id", &self.customer_id)?;
        map.serialize_entry("employee_id", &self.employee_id)?;
        map.serialize_entry("allowed", &self.allowed())?;
        map.serialize_entry("refusals", &refusals)?;
        map.serialize_entry("reason", &self.reason())?;
        map.end()
    }
}
