//! The pool section of a playbook: reclaim to the pool (公海回收), protection and claiming (领取).
//!
//! Stage ids here are checked for shape; that each names a stage of the lifecycle section is
//! checked when the rules are compiled (`PoolRules::new`, run by every playbook load).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::path;
use super::rules::{Unique, check_id, items};
use crate::error::{Problem, show};

/// Pool (公海) rules: when an owned customer goes back to the pool, and who may claim one.
///
/// Empty (the default) reclaims nobody and lets anyone claim: existing playbooks keep working.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Pool {
    /// Days without follow-up per lifecycle stage, one rule per stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reclaim: Vec<ReclaimRule>,
    /// Days without follow-up for a customer whose stage has no rule (or who has no stage).
    /// Absent: such customers are never reclaimed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 3650))]
    pub default_days: Option<u32>,
    /// Grace days (宽限期) added to every rule's days before a customer is reclaimed.
    #[serde(default)]
    #[schemars(range(max = 3650))]
    pub grace_days: u32,
    /// Warn the owner this many days before the reclaim day; 0: no warnings.
    #[serde(default)]
    #[schemars(range(max = 3650))]
    pub warn_days: u32,
    /// Stages never reclaimed, e.g. paying customers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exempt_stages: Vec<String>,
    /// How many protected customers (保护客户) each owner may keep out of reclaim; the oldest
    /// protections count first. Absent: every protection counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 100000))]
    pub protect_limit: Option<u32>,
    /// The most customers one employee may hold (库容); claims and assignments beyond it are
    /// refused. An employee's own `capacity` overrides it. Absent: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 10000000))]
    pub capacity: Option<u32>,
    /// Claim rules.
    #[serde(default)]
    pub claim: ClaimRules,
}

/// How long a customer of one stage may go without follow-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReclaimRule {
    /// The lifecycle stage id (e.g. `lead`).
    pub stage: String,
    /// Calendar days (in the playbook timezone) without follow-up before the reclaim day.
    #[schemars(range(min = 1, max = 3650))]
    pub days: u32,
    /// Grace days for this stage instead of the pool's `grace_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 3650))]
    pub grace_days: Option<u32>,
}

/// Rules for claiming a customer from the pool (领取).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ClaimRules {
    /// Claims per employee per calendar day (playbook timezone). Absent: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100000))]
    pub daily_limit: Option<u32>,
    /// How long the previous owner must wait after the customer went to the pool before claiming
    /// it back, e.g. `"30d"`. Absent: no wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_owner_wait: Option<String>,
    /// How long a freshly pooled customer cools off before anyone may claim it, e.g. `"24h"`.
    /// Absent: no cooling-off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cool_off: Option<String>,
}

/// The meaning checks of the `pool` section: stage ids well-formed and unique, a stage not both
/// reclaimed and exempt, durations readable.
pub(crate) fn check(doc: &Value, out: &mut Vec<Problem>) {
    let Some(pool) = doc.get("pool") else { return };
    let mut stages = Unique::new("stage");
    for (at, rule) in items(pool, "reclaim", "pool") {
        let here = path::field(&at, "stage");
        if let Some(stage) = rule.get("stage") {
            check_id(stage, &here, out);
        }
        stages.check(rule.get("stage"), here, out);
    }
    let mut exempt = Unique::new("stage");
    for (at, stage) in items(pool, "exempt_stages", "pool") {
        check_id(stage, &at, out);
        if let Some(first) = stages.first_seen(stage) {
            out.push(Problem::new(
                at.clone(),
                format!(
                    "stage {} is exempt from reclaim but has a reclaim rule at {first}; keep one",
                    show(stage)
                ),
            ));
        }
        exempt.check(Some(stage), at, out);
    }
    check_warn_days(pool, out);
    if let Some(claim) = pool.get("claim") {
        for name in ["previous_owner_wait", "cool_off"] {
            if let Some(Value::String(text)) = claim.get(name) {
                let at = path::field("pool.claim", name);
                if let Err(e) = crate::duration::parse(text, &at) {
                    out.extend(e.problems().iter().cloned());
                }
            }
        }
    }
}

/// Warnings must start after the clock does: `warn_days` at or past a limit would warn an owner
/// on the day they take a customer on.
fn check_warn_days(pool: &Value, out: &mut Vec<Problem>) {
    let number = |v: Option<&Value>| v.and_then(Value::as_u64);
    let Some(warn) = number(pool.get("warn_days")).filter(|w| *w > 0) else {
        return;
    };
    let grace = number(pool.get("grace_days")).unwrap_or(0);
    let mut limits: Vec<(String, u64, u64)> = items(pool, "reclaim", "pool")
        .into_iter()
        .filter_map(|(at, rule)| {
            let days = number(rule.get("days")).filter(|d| *d >= 1)?;
            let stage = rule
                .get("stage")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let grace = number(rule.get("grace_days")).unwrap_or(grace);
            Some((format!("the {stage}-stage limit ({at})"), days, grace))
        })
        .collect();
    if let Some(days) = number(pool.get("default_days")).filter(|d| *d >= 1) {
        limits.push(("the default limit".to_owned(), days, grace));
    }
    for (whose, days, grace) in limits {
        if warn >= days.saturating_add(grace) {
            out.push(Problem::new(
                "pool.warn_days",
                format!(
                    "warn_days {warn} is not less than {whose} of {days} days + {grace} grace \
                     days; owners would be warned from the day they take a customer on"
                ),
            ));
        }
    }
}
