//! Pool (公海), transfer (在职继承 / 离职继承) and assignment (分配): who owns a customer, when a
//! neglected customer goes back to the pool, who may claim one, how customers move between
//! employees within WeCom's limits, and which employee a new customer goes to.
//!
//! Everything here reads plain input records — [`PoolFacts`] per customer, [`Employee`] per
//! employee, [`TransferRecord`] per transfer — so any engine (or a CRM's own database) can feed
//! it. Time is always passed in. Days are calendar days in the playbook timezone.
//!
//! ```
//! use scrm_core::{Owner, Playbook, PoolFacts, PoolRules};
//!
//! let playbook = Playbook::from_toml(r#"
//! schema_version = 1
//! tenant_id = "acme"
//! timezone = "Asia/Shanghai"
//!
//! [pool]
//! grace_days = 2
//! warn_days = 3
//! [[pool.reclaim]]
//! stage = "lead"
//! days = 14
//! "#)?;
//! let rules = PoolRules::new(&playbook)?;
//!
//! let mut lead = PoolFacts::new("c-1");
//! lead.owner = Some(Owner::new("wang", "2026-03-01T02:00:00Z".parse().unwrap()));
//! lead.stage = Some("lead".into());
//! let facts = [lead];
//!
//! let due = rules.due(&facts, "2026-03-17T02:00:00Z".parse().unwrap())?;
//! let item = &due.items()[0];
//! assert_eq!(
//!     item.reason(),
//!     "not followed up in the 16 days since wang took it on; \
//!      the lead-stage limit is 14 days + 2 grace days"
//! );
//! # Ok::<(), scrm_core::Error>(())
//! ```

mod assignment;
mod calendar;
mod claim;
mod documents;
mod dormancy;
mod due;
mod employee;
mod facts;
mod hours;
mod protection;
mod reclaim;
mod transfer;

pub use assignment::{AssignState, AssignmentDecision, Lead, Router, Skip, Unavailable};
pub use claim::{ClaimDecision, ClaimRefusal};
pub use documents::{assign_json, claim_json, due_json, transfer_plan_json, transfer_status_json};
pub use due::{Due, DueAction, DueContext, DueItem, DueRule, Idle, OverQuota};
pub use employee::{Employee, EmployeeStatus, Team};
pub use facts::{Owner, PoolFacts};
pub use reclaim::PoolRules;
pub use transfer::{
    TransferBlock, TransferKind, TransferOutcome, TransferPlan, TransferRecord, TransferRefusal,
    TransferRequest, TransferRules, TransferStatus,
};

pub(crate) use hours::check_window;

#[cfg(test)]
mod tests;

/// The guide's Rust examples run as doctests, so `docs/pool.md` stays true.
#[cfg(doctest)]
#[doc = include_str!("../../../docs/pool.md")]
struct Guide;
