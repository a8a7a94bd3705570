//! Moving one customer through the lifecycle: the first placement, event rules with guards and
//! task gates, and the time-based inactivity rules.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::StageChange;
use super::model::{LifecycleModel, RuleKind, RuleModel};
use crate::bytes::among;
use crate::condition::CompiledCondition;
use crate::customer::{Customer, Event};

/// The event type that marks a stage task done; its property `task` names the task id.
pub(crate) const TASK_DONE: &str = "task_done";

/// The rule id of the first placement in the initial stage.
pub(crate) const INITIAL_RULE: &str = "initial";

/// What the machine asks the engine: whether a guard holds for the customer at a moment.
pub(crate) trait GuardContext {
    fn holds(&self, condition: &CompiledCondition, customer: &Customer, at: DateTime<Utc>) -> bool;
}

fn is_empty(history: &Arc<Vec<StageChange>>) -> bool {
    history.is_empty()
}

/// The lifecycle memory of one customer (the current stage is `Customer::stage`).
/// `Clone` reuses allocations in `clone_from` (engine/reuse.rs).
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StageState {
    /// Every stage change, oldest first. Shared between a profile's base and live states until
    /// one of them changes stage, so keeping both costs no copy of it.
    #[serde(default, skip_serializing_if = "is_empty")]
    pub history: Arc<Vec<StageChange>>,
    /// Tasks of the current stage that are done.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub done_tasks: Vec<String>,
    /// Per inactivity rule (its number): the last activity it counts (microseconds).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub activity: Vec<(u32, i64)>,
}

impl LifecycleModel {
    /// The number of the customer's current stage, if it is one of the playbook's.
    pub(crate) fn current(&self, customer: &Customer) -> Option<usize> {
        customer.stage.as_deref().and_then(|s| self.stage(s))
    }

    /// Places a customer without a stage in the initial stage.
    pub(crate) fn enter_initial(
        &self,
        customer: &mut Customer,
        state: &mut StageState,
        at: DateTime<Utc>,
    ) {
        if customer.stage.is_some() {
            return;
        }
        let Some(stage) = self.stages.get(self.initial) else {
            return;
        };
        customer.stage = Some(stage.id.clone());
        Arc::make_mut(&mut state.history).push(StageChange {
            from: None,
            to: stage.id.clone(),
            at,
            rule: INITIAL_RULE.to_owned(),
            reason: "first event".to_owned(),
        });
    }

    fn move_to(
        &self,
        customer: &mut Customer,
        state: &mut StageState,
        to: usize,
        at: DateTime<Utc>,
        rule: &RuleModel,
        reason: String,
    ) {
        let Some(stage) = self.stages.get(to) else {
            return;
        };
        Arc::make_mut(&mut state.history).push(StageChange {
            from: customer.stage.take(),
            to: stage.id.clone(),
            at,
            rule: rule.id.clone(),
            reason,
        });
        customer.stage = Some(stage.id.clone());
        state.done_tasks.clear();
    }

    /// The last live stage the customer was in before their current side state (唤醒 target).
    pub(crate) fn last_live(&self, state: &StageState) -> Option<usize> {
        state
            .history
            .iter()
            .rev()
            .filter_map(|c| self.stage(&c.to))
            .find(|&s| !self.stages[s].side)
    }

    fn tasks_done(&self, current: Option<usize>, state: &StageState) -> bool {
        current.and_then(|c| self.stages.get(c)).is_none_or(|s| {
            s.tasks
                .iter()
                .all(|t| state.done_tasks.iter().any(|d| d == &t.id))
        })
    }

    /// Runs the inactivity rules up to `until`: a customer silent for a rule's `after` moves,
    /// dated when the silence reached it (never before their last stage change).
    pub(crate) fn run_until(
        &self,
        customer: &mut Customer,
        state: &mut StageState,
        until: DateTime<Utc>,
    ) {
        let created = customer.created_at;
        for _ in 0..=self.inactivity.len() {
            let mut moved = false;
            let current = self.current(customer);
            // Silence runs from the later of the last activity a rule counts and the last stage
            // change not made by silence (or from creation without either): a customer woken by
            // an event the rule does not count (a re-engagement on a content view, where the rule
            // counts messages) is silent from waking, not put straight back; a customer moved to
            // dormant stays silent from their last activity.
            let woken = self.last_woken(&state.history);
            for &r in &self.inactivity {
                let Some(rule) = self.rules.get(r) else {
                    continue;
                };
                let (RuleKind::Inactivity(after), Some(to)) = (rule.kind, rule.to) else {
                    continue;
                };
                let Some(current) = current else {
                    continue;
                };
                if !self.inactivity_applies(rule, current) {
                    continue;
                }
                let last = self.silent_since(r, state, woken, created);
                let Some(due) = last.checked_add_signed(TimeDelta::seconds(after)) else {
                    continue;
                };
                if due > until {
                    continue;
                }
                let at = state.history.last().map_or(due, |h| h.at.max(due));
                let reason = rule
                    .reason
                    .clone()
                    .unwrap_or_else(|| format!("no activity for {}", rule.after_text));
                self.move_to(customer, state, to, at, rule, reason);
                moved = true;
                break;
            }
            if !moved {
                break;
            }
        }
    }

    /// Where the silence of inactivity rule number `r` runs from: the later of the last activity
    /// it counts and `woken` ([`LifecycleModel::last_woken`]), else `created`. `run_until` moves
    /// by it and `Engine::pool_facts` reports it.
    pub(crate) fn silent_since(
        &self,
        r: usize,
        state: &StageState,
        woken: Option<DateTime<Utc>>,
        created: DateTime<Utc>,
    ) -> DateTime<Utc> {
        let counted = state
            .activity
            .iter()
            .find(|(n, _)| *n as usize == r)
            .map(|&(_, us)| crate::scoring::time::from_micros(us));
        counted.max(woken).unwrap_or(created)
    }

    /// Runs the event rules on one event: task completion, activity, then the advance, move and
    /// reengage rules in playbook order, each at most once, until none applies.
    pub(crate) fn on_event(
        &self,
        customer: &mut Customer,
        state: &mut StageState,
        event: &Event,
        guards: &dyn GuardContext,
    ) {
        let current = self.current(customer);
        if event.kind == TASK_DONE {
            if let (Some(task), Some(stage)) = (
                event.property_str("task"),
                current.and_then(|c| self.stages.get(c)),
            ) {
                if stage.tasks.iter().any(|t| t.id == task)
                    && !state.done_tasks.iter().any(|d| d == task)
                {
                    state.done_tasks.push(task.to_owned());
                }
            }
        }
        let at = crate::scoring::time::micros(event.at);
        for &r in &self.inactivity {
            let counts = self
                .rules
                .get(r)
                .is_some_and(|rule| rule.activity.is_empty() || among(&rule.activity, &event.kind));
            if !counts {
                continue;
            }
            match state.activity.iter_mut().find(|(n, _)| *n as usize == r) {
                Some(slot) => slot.1 = slot.1.max(at),
                None => state.activity.push((r as u32, at)),
            }
        }
        let mut fired: u128 = 0;
        for _ in 0..self.rules.len() {
            let mut moved = false;
            let current = self.current(customer);
            for (i, rule) in self.rules.iter().enumerate() {
                if fired & (1u128 << (i % 128)) != 0 {
                    continue;
                }
                let Some((to, reason)) =
                    self.applies(rule, current, customer, state, event, guards)
                else {
                    continue;
                };
                self.move_to(customer, state, to, event.at, rule, reason);
                fired |= 1u128 << (i % 128);
                moved = true;
                break;
            }
            if !moved {
                break;
            }
        }
    }

    /// Where `rule` moves the customer on `event`, with the reason, if it applies.
    fn applies(
        &self,
        rule: &RuleModel,
        current: Option<usize>,
        customer: &Customer,
        state: &StageState,
        event: &Event,
        guards: &dyn GuardContext,
    ) -> Option<(usize, String)> {
        if !rule.on.is_empty() && !among(&rule.on, &event.kind) {
            return None;
        }
        let side = |s: usize| self.stages.get(s).is_none_or(|s| s.side);
        let target = match rule.kind {
            RuleKind::Inactivity(_) => return None,
            RuleKind::Advance => {
                let to = rule.to?;
                match current {
                    None => to,
                    Some(c) if !side(c) && self.stages[to].order > self.stages[c].order => to,
                    _ => return None,
                }
            }
            RuleKind::Move => {
                let to = rule.to?;
                let from_ok = match current {
                    Some(c) => rule.from.is_empty() || rule.from.contains(&c),
                    None => rule.from.is_empty(),
                };
                if current == Some(to) || !from_ok {
                    return None;
                }
                to
            }
            RuleKind::Reengage => {
                let c = current?;
                if !side(c) || !(rule.from.is_empty() || rule.from.contains(&c)) {
                    return None;
                }
                self.last_live(state).unwrap_or(self.initial)
            }
        };
        if rule.require_tasks && !self.tasks_done(current, state) {
            return None;
        }
        if let Some(when) = &rule.when {
            if !guards.holds(when, customer, event.at) {
                return None;
            }
        }
        let reason = match (&rule.reason, rule.kind, &rule.when_text) {
            (Some(r), _, _) => r.clone(),
            (None, RuleKind::Reengage, _) => format!("active again ({})", event.kind),
            (None, _, Some(w)) => format!("{}: {w}", event.kind),
            (None, _, None) => event.kind.to_string(),
        };
        Some((target, reason))
    }

    #[cfg(test)]
    /// Whether a change recorded under `rule` may go backward or sideways: the rules that say
    /// so (move, inactivity, reengage), never an advance rule or the first placement.
    pub(crate) fn may_go_back(&self, rule: &str) -> bool {
        self.rules
            .iter()
            .find(|r| r.id == rule)
            .is_some_and(|r| r.kind != RuleKind::Advance)
    }
}
