//! [`Effects`]: what one call changed, each change with its reason; built by comparing the
//! profile before and after, so a late event that re-folds recent events reports exactly what
//! ended up different.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::Engine;
use super::profile::State;
use crate::condition::facts::consent_name;
use crate::lifecycle::StageChange;
use crate::lifecycle::model::RuleKind;
use crate::scoring::priority::{action_words, contact_words};
use crate::scoring::time::from_micros;
use crate::scoring::{FiredThreshold, Points, Score};
use crate::tagging::{TagAction, TagChange};

/// Everything an [`Engine`] call changed for one customer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Effects {
    /// The event applied, if the call applied one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_id: Option<String>,
    /// The event had been applied before: nothing changed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub replayed: bool,
    /// The event was late (before the customer's latest event) and the recent events were
    /// re-folded around it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub refolded: bool,
    /// Tags added, removed or refreshed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<TagChange>,
    /// The score before and after, when the playbook scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<ScoreChange>,
    /// Stage changes (new entries of the stage history).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<StageChange>,
    /// Thresholds that fired or re-armed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<ThresholdChange>,
    /// Tasks for the owner (the tasks of a stage just entered).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<Task>,
    /// Alerts for the owner: thresholds reached, moves back or into side states, high-intent
    /// actions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alerts: Vec<Alert>,
    /// The pool's reclaim clock, when the call moved it: a follow-up restarted it, a stage change
    /// gave it another limit or exempted the customer, an open task now keeps the customer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool: Option<PoolChange>,
    /// Tasks and alerts that would ask the owner to contact the customer, left out because the
    /// customer's consent (`engine.contact_consent`) is not granted, each with why:
    /// `task add_wecom: marketing on wecom is withdrawn`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suppressed: Vec<String>,
}

/// How a call moved the customer's reclaim clock (公海回收): the day they are due for reclaim
/// before and after (`None`: the pool rules never reclaim them: no owner, an exempt stage, or no
/// limit), the open tasks that keep them, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolChange {
    /// The local day (playbook timezone) the customer was due for reclaim before the call.
    pub reclaim_on_before: Option<NaiveDate>,
    /// The local day the customer is due for reclaim now.
    pub reclaim_on: Option<NaiveDate>,
    /// Open tasks of the current stage: an overdue customer with one is kept, not reclaimed.
    pub open_tasks: u32,
    /// Why, in words: `followed up: reclaim moves from 2026-03-31 to 2026-04-12`.
    pub reason: String,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Effects {
    /// Whether the call changed nothing a host would act on.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
            && self.stages.is_empty()
            && self.thresholds.is_empty()
            && self.tasks.is_empty()
            && self.alerts.is_empty()
            && self.pool.is_none()
            && self.score.as_ref().is_none_or(|s| s.delta == Points::ZERO)
    }
}

/// The score at the call's `now`, before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreChange {
    /// The lead score before (absent when it could not be computed, e.g. after a rule edit).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Points>,
    /// The lead score after.
    pub after: Points,
    /// `after − before`.
    pub delta: Points,
    /// The score after, with its explanation.
    pub explained: Score,
}

/// A threshold that fired or re-armed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ThresholdChange {
    /// The threshold id.
    pub id: String,
    /// `true`: fired; `false`: re-armed (the score dropped below `rearm_below`).
    pub fired: bool,
    /// When it fired (for a re-arm: when it had fired).
    #[serde(serialize_with = "crate::rfc3339::write")]
    pub at: DateTime<Utc>,
}

/// A task for the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// The task id (unique within its stage).
    pub id: String,
    /// What to do.
    pub name: String,
    /// The stage it belongs to.
    pub stage: String,
    /// The owner, if the customer has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When the customer entered the stage.
    #[serde(serialize_with = "crate::rfc3339::write")]
    pub created_at: DateTime<Utc>,
    /// When it is due, if the stage gives a due time.
    #[serde(
        serialize_with = "crate::rfc3339::write_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub due_at: Option<DateTime<Utc>>,
}

/// What an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AlertKind {
    /// A score threshold was reached.
    Threshold,
    /// The customer moved back or into a side state (流失, 沉睡, 输单).
    Stage,
    /// The customer did one of the priority list's high-intent actions (`scoring.priority.actions`):
    /// `查看了价目表 for 3 min; last contact 9 days ago`.
    Intent,
}

/// An alert for the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// What it is about.
    pub kind: AlertKind,
    /// The threshold or lifecycle rule id.
    pub id: String,
    /// The message for the owner.
    pub message: String,
    /// The owner, if the customer has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When.
    #[serde(serialize_with = "crate::rfc3339::write")]
    pub at: DateTime<Utc>,
}

impl Engine {
    /// The effects of going from `before` to `after`; `log` holds the tag changes the fold made
    /// (their reasons), `now` dates the score.
    pub(crate) fn diff(
        &self,
        before: &State,
        after: &State,
        log: &[TagChange],
        now: DateTime<Utc>,
        score_before: Option<Points>,
    ) -> crate::error::Result<Effects> {
        let mut effects = Effects {
            tags: tag_changes(before, after, log),
            ..Effects::default()
        };
        if !self.scoring.is_empty() {
            let explained = self.score_of(after, now)?;
            let after_points = explained.score;
            effects.score = Some(ScoreChange {
                before: score_before,
                after: after_points,
                delta: score_before
                    .and_then(|b| after_points.checked_sub(b))
                    .unwrap_or(Points::ZERO),
                explained,
            });
        }
        // A move is new when the history holds it more often than before (a move: the stage entered
        // and the rule that moved it). A late event refolds the history: it may re-date a move
        // already made (the first placement, now at the late event's time) or make it from another
        // stage (`lead → customer` where it was `visitor → customer`). Those moves were reported
        // when they were made; reporting them again would hand out their tasks and alerts twice.
        let mut made: HashMap<(&str, &str), usize> = HashMap::new();
        for c in before.lifecycle.history.iter() {
            *made.entry((c.to.as_str(), c.rule.as_str())).or_default() += 1;
        }
        effects.stages = after
            .lifecycle
            .history
            .iter()
            .filter(|c| match made.get_mut(&(c.to.as_str(), c.rule.as_str())) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    false
                }
                _ => true,
            })
            .cloned()
            .collect();
        let owner = after.customer.owner.clone();
        for change in &effects.stages {
            let backward = change.rule != crate::lifecycle::machine::INITIAL_RULE
                && self
                    .lifecycle
                    .rules
                    .iter()
                    .find(|r| r.id == change.rule)
                    .is_some_and(|r| matches!(r.kind, RuleKind::Move | RuleKind::Inactivity(_)));
            if backward {
                let name = self
                    .lifecycle
                    .stage(&change.to)
                    .map_or(change.to.as_str(), |s| {
                        self.lifecycle.stages[s].name.as_str()
                    });
                effects.alerts.push(Alert {
                    kind: AlertKind::Stage,
                    id: change.rule.clone(),
                    message: format!("{name}: {}", change.reason),
                    owner: owner.clone(),
                    at: change.at,
                });
            }
        }
        if let Some(last) = effects.stages.last() {
            if after.customer.stage.as_deref() == Some(last.to.as_str()) {
                if let Some(s) = self.lifecycle.stage(&last.to) {
                    for task in &self.lifecycle.stages[s].tasks {
                        effects.tasks.push(Task {
                            id: task.id.clone(),
                            name: task.name.clone(),
                            stage: last.to.clone(),
                            owner: owner.clone(),
                            created_at: last.at,
                            due_at: task
                                .due
                                .and_then(|d| last.at.checked_add_signed(TimeDelta::seconds(d))),
                        });
                    }
                }
            }
        }
        self.intent_alert(before, after, owner.clone(), &mut effects);
        effects.pool = self.pool_change(before, after);
        self.suppress_contact(after, &mut effects);
        self.threshold_effects(&before.fired, &after.fired, owner, &mut effects);
        Ok(effects)
    }

    /// Leaves out the tasks and intent alerts (they ask the owner to contact the customer) when
    /// the playbook names a contact consent and the customer has not granted it.
    fn suppress_contact(&self, after: &State, effects: &mut Effects) {
        let Some(need) = &self.contact_consent else {
            return;
        };
        let consents = &after.customer.consents;
        if consents.allows(&need.purpose, &need.channel) {
            return;
        }
        let why = match consents.status(&need.purpose, &need.channel) {
            Some(status) => format!(
                "{} on {} is {}",
                need.purpose,
                need.channel,
                consent_name(status)
            ),
            None => format!("no {} consent on {}", need.purpose, need.channel),
        };
        for task in effects.tasks.drain(..) {
            effects.suppressed.push(format!("task {}: {why}", task.id));
        }
        let (intent, kept): (Vec<Alert>, Vec<Alert>) = effects
            .alerts
            .drain(..)
            .partition(|a| a.kind == AlertKind::Intent);
        effects.alerts = kept;
        for alert in intent {
            effects
                .suppressed
                .push(format!("alert {}: {why}", alert.id));
        }
    }

    /// The reclaim clock before and after, when it moved or an open task started or stopped
    /// keeping the customer.
    fn pool_change(&self, before: &State, after: &State) -> Option<PoolChange> {
        // The pool reclaims owned customers only: without an owner there is no clock to move.
        if before.customer.owner.is_none() && after.customer.owner.is_none() {
            return None;
        }
        let (old, new) = (self.facts_of(before), self.facts_of(after));
        let (was, now) = (self.pool.reclaim_on(&old), self.pool.reclaim_on(&new));
        let tasks_moved = (old.open_tasks > 0) != (new.open_tasks > 0);
        if was == now && !tasks_moved {
            return None;
        }
        let day = |d: Option<NaiveDate>| d.map_or_else(|| "never".to_owned(), |d| d.to_string());
        let mut reasons = Vec::new();
        if was != now {
            let why = if new.stage != old.stage && self.pool.exempts(new.stage.as_deref()) {
                format!(
                    "stage {} is exempt from reclaim",
                    new.stage.as_deref().unwrap_or_default()
                )
            } else if new.owner != old.owner {
                match &new.owner {
                    Some(o) => format!("owner {}", o.id),
                    None => "no owner".to_owned(),
                }
            } else if new.stage != old.stage {
                format!("stage {}", new.stage.as_deref().unwrap_or("none"))
            } else if new.last_follow_up != old.last_follow_up {
                "followed up".to_owned()
            } else {
                "the reclaim rules".to_owned()
            };
            reasons.push(match (was, now) {
                (Some(_), Some(_)) => {
                    format!("{why}: reclaim moves from {} to {}", day(was), day(now))
                }
                (None, Some(_)) => format!("{why}: reclaim on {}", day(now)),
                (_, None) => format!("{why}: no longer reclaimed (was {})", day(was)),
            });
        }
        if tasks_moved {
            reasons.push(if new.open_tasks > 0 {
                format!(
                    "{} open task(s) keep the customer from reclaim",
                    new.open_tasks
                )
            } else {
                "no open task keeps the customer from reclaim any more".to_owned()
            });
        }
        Some(PoolChange {
            reclaim_on_before: was,
            reclaim_on: now,
            open_tasks: new.open_tasks,
            reason: reasons.join("; "),
        })
    }

    /// An alert when the event was one of the priority list's high-intent actions (the latest
    /// action changed): what the customer did, for how long, and how long since the last contact
    /// at that moment, so the owner knows to call now.
    fn intent_alert(
        &self,
        before: &State,
        after: &State,
        owner: Option<String>,
        effects: &mut Effects,
    ) {
        let (Some(priority), Some(last)) = (&self.scoring.priority, after.score.last_action) else {
            return;
        };
        if before.score.last_action == Some(last) {
            return;
        }
        let Some(action) = priority.actions.get(last.action as usize) else {
            return;
        };
        // The last contact as of the action, not a later one a refold placed after it.
        let contacted = after.score.last_contact.filter(|&c| c <= last.at);
        let (_, contact) = contact_words(&after.customer, contacted, last.at);
        effects.alerts.push(Alert {
            kind: AlertKind::Intent,
            id: action.id.clone(),
            message: format!("{}; {contact}", action_words(action, &last)),
            owner,
            at: from_micros(last.at),
        });
    }

    fn threshold_effects(
        &self,
        before: &[FiredThreshold],
        after: &[FiredThreshold],
        owner: Option<String>,
        effects: &mut Effects,
    ) {
        // Fired now and not before: a threshold that was already fired and is still fired has not
        // fired again, even when a late event or a rescore moved the time it fired at.
        for f in after
            .iter()
            .filter(|f| !before.iter().any(|b| b.id == f.id))
        {
            effects.thresholds.push(ThresholdChange {
                id: f.id.clone(),
                fired: true,
                at: f.at,
            });
            let threshold = self.scoring.thresholds.iter().find(|t| t.id == f.id);
            let message = threshold.and_then(|t| t.alert.clone()).unwrap_or_else(|| {
                let score = threshold.map_or(Points::ZERO, |t| Points::from_hundredths(t.score));
                format!("score reached {score} (threshold {})", f.id)
            });
            effects.alerts.push(Alert {
                kind: AlertKind::Threshold,
                id: f.id.clone(),
                message,
                owner: owner.clone(),
                at: f.at,
            });
        }
        for f in before
            .iter()
            .filter(|f| !after.iter().any(|a| a.id == f.id))
        {
            effects.thresholds.push(ThresholdChange {
                id: f.id.clone(),
                fired: false,
                at: f.at,
            });
        }
    }
}

/// The tag changes between two states: for each tag whose record differs, the last change the
/// fold logged for it, or one stated from the difference.
fn tag_changes(before: &State, after: &State, log: &[TagChange]) -> Vec<TagChange> {
    let mut ids: Vec<&str> = before
        .customer
        .tags
        .iter()
        .chain(&after.customer.tags)
        .map(|t| t.tag_id.as_str())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let old = before.customer.tags.iter().find(|t| t.is(id));
        let new = after.customer.tags.iter().find(|t| t.is(id));
        if old == new {
            continue;
        }
        if let Some(logged) = log.iter().rev().find(|c| c.tag_id == id) {
            out.push(logged.clone());
            continue;
        }
        let (action, tag) = match (old, new) {
            (_, Some(n)) if old.is_none() => (TagAction::Added, n),
            (Some(o), None) => (TagAction::Removed, o),
            (_, Some(n)) => (TagAction::Refreshed, n),
            (None, None) => continue,
        };
        out.push(TagChange {
            tag_id: id.into(),
            action,
            provenance: tag.provenance.clone(),
            reason: "re-folded with a late event".to_owned(),
        });
    }
    // Keep the order the fold made them in where it logged them.
    out.sort_by_key(|c| log.iter().position(|l| l == c).unwrap_or(usize::MAX));
    out
}
