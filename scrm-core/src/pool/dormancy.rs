//! Dormancy in [`PoolRules::due`](super::PoolRules::due): the lifecycle's `inactivity` rules
//! (e.g. 60 days without activity → `dormant`) reported as due, so a host running `due` from its
//! own scheduler learns of them with the reclaims.
//!
//! The rule is the lifecycle's (DOMAIN.md 5; the engine applies it in `tick` and before every
//! event): of the `inactivity` rules that apply to the customer's stage (their `from` stages, or
//! every live stage when `from` is empty) and do not target that stage, the first in playbook
//! order whose silence has passed since the customer's last activity is due, as the engine picks
//! it (a later rule with a shorter silence can be due before an earlier one). `due` only reports
//! it; moving the stage is the engine's (or the host's) job.
//!
//! A rule may count only some events, so the engine keeps a last activity per rule. [`PoolFacts`]
//! carries `last_activity` and, per rule, `last_activity_by_rule`; `Engine::pool_facts` fills both
//! as the engine counts silence (from the later of the rule's last counted event and the last
//! stage change not made by silence, else from the customer's creation).

use chrono::{DateTime, TimeDelta, Utc};

use super::PoolFacts;
use super::due::DueAction;
use crate::lifecycle::{LifecycleModel, RuleKind};

/// One compiled inactivity rule, with stage ids resolved to text for matching [`PoolFacts`].
#[derive(Debug, Clone)]
pub(crate) struct DormancyRule {
    id: String,
    to: String,
    /// The stages it moves a customer from (the lifecycle's own rule: its `from`, or every live
    /// stage, never its target).
    from: Vec<String>,
    after: TimeDelta,
    after_text: String,
    reason: Option<String>,
}

/// The inactivity rules of a compiled lifecycle, in playbook order.
pub(crate) fn rules(model: &LifecycleModel) -> Vec<DormancyRule> {
    model
        .inactivity
        .iter()
        .filter_map(|&r| model.rules.get(r))
        .filter_map(|rule| {
            let (RuleKind::Inactivity(seconds), Some(to)) = (rule.kind, rule.to) else {
                return None;
            };
            let from = (0..model.stages.len())
                .filter(|&s| model.inactivity_applies(rule, s))
                .map(|s| model.stages[s].id.clone())
                .collect();
            Some(DormancyRule {
                id: rule.id.clone(),
                to: model.stages.get(to)?.id.clone(),
                from,
                after: TimeDelta::try_seconds(seconds)?,
                after_text: rule.after_text.clone(),
                reason: rule.reason.clone(),
            })
        })
        .collect()
}

/// The dormancy due for `facts` at `now`, if any: needs the stage and the last activity each
/// rule counts (`last_activity_by_rule`, else `last_activity`).
pub(crate) fn check(
    rules: &[DormancyRule],
    facts: &PoolFacts,
    now: DateTime<Utc>,
) -> Option<DueAction> {
    let stage = facts.stage.as_deref()?;
    let (rule, last) = rules.iter().find_map(|r| {
        if !r.from.iter().any(|s| s == stage) {
            return None;
        }
        let last = facts
            .last_activity_by_rule
            .get(&r.id)
            .copied()
            .or(facts.last_activity)?;
        let due_at = last.checked_add_signed(r.after)?;
        (due_at <= now).then_some((r, last))
    })?;
    Some(DueAction::Dormant {
        rule: rule.id.clone(),
        to: rule.to.clone(),
        last_activity: last,
        silent_days: u32::try_from((now - last).num_days()).unwrap_or(u32::MAX),
        after: rule.after_text.clone(),
        rule_reason: rule.reason.clone(),
    })
}
