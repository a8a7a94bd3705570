//! [`PoolFacts`]: what the pool needs to know about one customer.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::Customer;

/// The pool-relevant facts of one customer, as the caller (or the engine) knows them at `now`.
///
/// ```
/// let facts: scrm_core::PoolFacts = serde_json::from_str(r#"{
///     "customer_id": "c-1",
///     "owner": { "id": "wang", "since": "2026-03-01T02:00:00Z" },
///     "stage": "lead",
///     "last_follow_up": "2026-03-05T06:30:00Z",
///     "open_tasks": 1
/// }"#).unwrap();
/// assert_eq!(facts.owner.unwrap().id, "wang");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PoolFacts {
    /// The customer id.
    pub customer_id: String,
    /// The current owner (跟进人), absent for a customer in the pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// The lifecycle stage id, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The latest follow-up (跟进记录). Absent: never followed up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_follow_up: Option<DateTime<Utc>>,
    /// When the owner protected the customer from reclaim (保护客户); absent: not protected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected_at: Option<DateTime<Utc>>,
    /// Open tasks (待办) on the customer; any open task keeps the customer from reclaim.
    #[serde(default)]
    pub open_tasks: u32,
    /// When the customer last went to the pool; absent: never pooled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pooled_at: Option<DateTime<Utc>>,
    /// Who owned the customer before it last went to the pool.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_owner: Option<String>,
    /// The customer's latest activity (their own event: a message, a view, a scan), for the
    /// lifecycle's dormancy rules; absent: dormancy is not checked for this customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_activity: Option<DateTime<Utc>>,
    /// Where an inactivity rule counts only some events (its `activity` list), the latest
    /// activity it counts, by rule id; a rule not listed here uses `last_activity`.
    /// [`Engine::pool_facts`](crate::Engine::pool_facts) lists each rule whose instant differs
    /// from `last_activity`, as the engine counts it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub last_activity_by_rule: BTreeMap<String, DateTime<Utc>>,
}

/// Who owns a customer, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Owner {
    /// The owner's employee id (WeCom userid).
    pub id: String,
    /// When they took the customer on (added, assigned, claimed or inherited it). The reclaim
    /// clock never starts before this: a new owner gets the full limit.
    pub since: DateTime<Utc>,
}

impl Owner {
    /// An owner since `since`.
    pub fn new(id: &str, since: DateTime<Utc>) -> Owner {
        Owner {
            id: id.to_owned(),
            since,
        }
    }
}

impl PoolFacts {
    /// A customer in the pool with nothing else known; set the fields that apply.
    pub fn new(customer_id: &str) -> PoolFacts {
        PoolFacts {
            customer_id: customer_id.to_owned(),
            owner: None,
            stage: None,
            last_follow_up: None,
            protected_at: None,
            open_tasks: 0,
            pooled_at: None,
            previous_owner: None,
            last_activity: None,
            last_activity_by_rule: BTreeMap::new(),
        }
    }

    /// The facts a [`Customer`] profile holds: its owner (since `owner_since`, else since the
    /// profile was created) and its stage. Follow-ups, protection, tasks and pooling live outside
    /// the profile; set them from wherever the caller keeps them.
    pub fn from_customer(customer: &Customer) -> PoolFacts {
        let mut facts = PoolFacts::new(&customer.id);
        facts.owner = customer
            .owner
            .as_ref()
            .map(|id| Owner::new(id, customer.owner_since.unwrap_or(customer.created_at)));
        facts.stage = customer.stage.clone();
        facts
    }

    /// When the reclaim clock started for an owned customer: the later of the last follow-up and
    /// the day the owner took the customer on. A customer never followed up counts from the
    /// latter.
    pub fn clock_start(&self) -> Option<DateTime<Utc>> {
        let owner = self.owner.as_ref()?;
        Some(match self.last_follow_up {
            Some(t) if t > owner.since => t,
            _ => owner.since,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_from_a_customer_profile() {
        let created = "2026-01-01T00:00:00Z".parse().unwrap();
        let mut c = Customer::new("t", "c1", created);
        assert_eq!(PoolFacts::from_customer(&c), PoolFacts::new("c1"));
        c.owner = Some("wang".into());
        c.stage = Some("lead".into());
        let f = PoolFacts::from_customer(&c);
        assert_eq!(f.owner, Some(Owner::new("wang", created)));
        assert_eq!(f.clock_start(), Some(created));
        let since = "2026-02-01T00:00:00Z".parse().unwrap();
        c.owner_since = Some(since);
        let mut f = PoolFacts::from_customer(&c);
        assert_eq!(f.clock_start(), Some(since));
        f.last_follow_up = Some("2026-01-15T00:00:00Z".parse().unwrap()); // before the owner
        assert_eq!(f.clock_start(), Some(since));
        f.last_follow_up = Some("2026-02-15T00:00:00Z".parse().unwrap());
        assert_eq!(f.clock_start(), f.last_follow_up);
    }
}
