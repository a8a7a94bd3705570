//! The typed results of the rep-app calls (Kotlin data classes, Swift structs): the effects of
//! applying an event, a score, the priority list, and what the pool has due. Converted from the
//! core's types here and nowhere else. Points cross as decimal strings ("12.5"), never floats.

use std::time::SystemTime;

use serde_json::Value;

use crate::records::TagChange;

/// The profile after a call, and what the call changed.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Applied {
    /// The profile after the call, as JSON: store it and pass it to the next call.
    pub profile_json: String,
    /// What changed.
    pub effects: Effects,
}

/// What one engine call changed, each with why: what a rep app shows or acts on.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Effects {
    /// The event applied, if the call applied one.
    pub event_id: Option<String>,
    /// The event had been applied before: nothing changed.
    pub replayed: bool,
    /// The event was late and the recent events were re-folded around it.
    pub refolded: bool,
    /// Tags added, removed or refreshed, each with its reason.
    pub tags: Vec<TagChange>,
    /// The score before and after, when the playbook scores.
    pub score: Option<ScoreChange>,
    /// Stage changes (阶段变化), in order.
    pub stages: Vec<StageChange>,
    /// Score thresholds that fired or re-armed.
    pub thresholds: Vec<ThresholdChange>,
    /// Tasks for the owner (the tasks of a stage just entered).
    pub tasks: Vec<OwnerTask>,
    /// Alerts for the owner: thresholds reached, moves back or into side states, high-intent
    /// actions.
    pub alerts: Vec<OwnerAlert>,
    /// The reclaim clock (公海回收), when the call moved it.
    pub pool: Option<PoolChange>,
    /// Tasks and alerts left out because the customer's contact consent is not granted
    /// (`engine.contact_consent`), each with why.
    pub suppressed: Vec<String>,
}

/// How a call moved the customer's reclaim clock.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PoolChange {
    /// The local day (`YYYY-MM-DD`, playbook timezone) the customer was due for reclaim before;
    /// null when the pool rules never reclaimed them.
    pub reclaim_on_before: Option<String>,
    /// The local day the customer is due for reclaim now; null: never.
    pub reclaim_on: Option<String>,
    /// Open tasks of the current stage, which keep an overdue customer from reclaim.
    pub open_tasks: u32,
    /// Why, in words.
    pub reason: String,
}

impl From<&scrm_core::PoolChange> for PoolChange {
    fn from(p: &scrm_core::PoolChange) -> PoolChange {
        PoolChange {
            reclaim_on_before: p.reclaim_on_before.map(|d| d.to_string()),
            reclaim_on: p.reclaim_on.map(|d| d.to_string()),
            open_tasks: p.open_tasks,
            reason: p.reason.clone(),
        }
    }
}

impl From<&scrm_core::Effects> for Effects {
    fn from(e: &scrm_core::Effects) -> Effects {
        Effects {
            event_id: e.event_id.clone(),
            replayed: e.replayed,
            refolded: e.refolded,
            tags: e.tags.iter().map(TagChange::from).collect(),
            score: e.score.as_ref().map(ScoreChange::from),
            stages: e.stages.iter().map(StageChange::from).collect(),
            thresholds: e.thresholds.iter().map(ThresholdChange::from).collect(),
            tasks: e.tasks.iter().map(OwnerTask::from).collect(),
            alerts: e.alerts.iter().map(OwnerAlert::from).collect(),
            pool: e.pool.as_ref().map(PoolChange::from),
            suppressed: e.suppressed.clone(),
        }
    }
}

/// The lead score before and after a call.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ScoreChange {
    /// The score before, a decimal string; null when it could not be computed (after a rule edit).
    pub before: Option<String>,
    /// The score after.
    pub after: String,
    /// `after − before` ("0" when unknown).
    pub delta: String,
    /// The score after, with where every point came from.
    pub explained: Score,
}

impl From<&scrm_core::ScoreChange> for ScoreChange {
    fn from(s: &scrm_core::ScoreChange) -> ScoreChange {
        ScoreChange {
            before: s.before.map(|p| p.to_string()),
            after: s.after.to_string(),
            delta: s.delta.to_string(),
            explained: Score::from(&s.explained),
        }
    }
}

/// A lead score with its explanation (`score = engagement + fit (+ social)`).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Score {
    /// The lead score, a decimal string.
    pub score: String,
    /// Engagement points after every cap and decay.
    pub engagement: String,
    /// Fit points.
    pub fit: String,
    /// Social value points.
    pub social: String,
    /// Whether `social` is part of `score`.
    pub social_in_score: bool,
    /// The fit grade (`A+` .. `F`) when grading is on.
    pub grade: Option<String>,
    /// Each engagement rule that matched, in playbook order: the lines of "why this score".
    pub rules: Vec<ScoreRule>,
    /// The whole explanation (groups, caps, fit and social parts) as JSON, as in
    /// `docs/scoring.md`.
    pub explanation_json: String,
}

impl From<&scrm_core::Score> for Score {
    fn from(s: &scrm_core::Score) -> Score {
        Score {
            score: s.score.to_string(),
            engagement: s.engagement.to_string(),
            fit: s.fit.to_string(),
            social: s.social.to_string(),
            social_in_score: s.social_in_score,
            grade: s.grade.clone(),
            rules: s.explanation.rules.iter().map(ScoreRule::from).collect(),
            explanation_json: serde_json::to_string(&s.explanation).unwrap_or_default(),
        }
    }
}

/// What one engagement rule gave: `points = raw − capped − decayed`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ScoreRule {
    /// The rule id.
    pub rule: String,
    /// Its group, if any.
    pub group: Option<String>,
    /// Matching events.
    pub events: u32,
    /// Points before the rule cap and decay.
    pub raw: String,
    /// Points the rule cap took off.
    pub capped: String,
    /// Points lost to decay.
    pub decayed: String,
    /// Points the rule gives now.
    pub points: String,
}

impl From<&scrm_core::RulePart> for ScoreRule {
    fn from(r: &scrm_core::RulePart) -> ScoreRule {
        ScoreRule {
            rule: r.rule.clone(),
            group: r.group.clone(),
            events: r.events,
            raw: r.raw.to_string(),
            capped: r.capped.to_string(),
            decayed: r.decayed.to_string(),
            points: r.points.to_string(),
        }
    }
}

/// A move from one lifecycle stage to another.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct StageChange {
    /// The stage left; null for the first placement.
    pub from: Option<String>,
    /// The stage entered.
    pub to: String,
    /// When.
    pub at: SystemTime,
    /// The lifecycle rule that moved the customer (`initial` for the first placement).
    pub rule: String,
    /// Why, in words.
    pub reason: String,
}

impl From<&scrm_core::StageChange> for StageChange {
    fn from(c: &scrm_core::StageChange) -> StageChange {
        StageChange {
            from: c.from.clone(),
            to: c.to.clone(),
            at: c.at.into(),
            rule: c.rule.clone(),
            reason: c.reason.clone(),
        }
    }
}

/// A score threshold that fired or re-armed.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ThresholdChange {
    /// The threshold id.
    pub id: String,
    /// true: fired; false: re-armed (the score dropped below `rearm_below`).
    pub fired: bool,
    /// When it fired.
    pub at: SystemTime,
}

impl From<&scrm_core::ThresholdChange> for ThresholdChange {
    fn from(t: &scrm_core::ThresholdChange) -> ThresholdChange {
        ThresholdChange {
            id: t.id.clone(),
            fired: t.fired,
            at: t.at.into(),
        }
    }
}

/// A task for the owner (跟进任务), from a stage just entered.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OwnerTask {
    /// The task id (unique within its stage).
    pub id: String,
    /// What to do.
    pub name: String,
    /// The stage it belongs to.
    pub stage: String,
    /// The owner, if the customer has one.
    pub owner: Option<String>,
    /// When the customer entered the stage.
    pub created_at: SystemTime,
    /// When it is due, if the stage gives a due time.
    pub due_at: Option<SystemTime>,
}

impl From<&scrm_core::Task> for OwnerTask {
    fn from(t: &scrm_core::Task) -> OwnerTask {
        OwnerTask {
            id: t.id.clone(),
            name: t.name.clone(),
            stage: t.stage.clone(),
            owner: t.owner.clone(),
            created_at: t.created_at.into(),
            due_at: t.due_at.map(Into::into),
        }
    }
}

/// An alert for the owner.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct OwnerAlert {
    /// "threshold" (a score threshold was reached), "stage" (moved back or into a side state) or
    /// "intent" (a high-intent action of the priority list; `id` is the action's).
    pub kind: String,
    /// The threshold, lifecycle rule or priority action id.
    pub id: String,
    /// The message for the owner.
    pub message: String,
    /// The owner, if the customer has one.
    pub owner: Option<String>,
    /// When.
    pub at: SystemTime,
}

impl From<&scrm_core::Alert> for OwnerAlert {
    fn from(a: &scrm_core::Alert) -> OwnerAlert {
        let kind = serde_json::to_value(a.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        OwnerAlert {
            kind,
            id: a.id.clone(),
            message: a.message.clone(),
            owner: a.owner.clone(),
            at: a.at.into(),
        }
    }
}

/// One customer of an owner's priority list (跟进优先级).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PriorityItem {
    /// Position in the list, 1 for the first to call.
    pub rank: u32,
    /// The customer.
    pub customer_id: String,
    /// `intent + urgency + value`, a decimal string; the list is sorted by it.
    pub priority: String,
    /// The lead score plus points for intent tags.
    pub intent: String,
    /// Points for a fresh high-intent action and an overdue follow-up.
    pub urgency: String,
    /// Points for money spent and social value.
    pub value: String,
    /// Why, in words: `viewed the price list for 3 min (2 h ago); last contact 9 days ago`.
    pub reason: String,
}

impl PriorityItem {
    /// The item at `index` (0-based) of the list.
    pub(crate) fn ranked(index: usize, p: &scrm_core::PriorityItem) -> PriorityItem {
        PriorityItem {
            rank: u32::try_from(index).map_or(u32::MAX, |i| i.saturating_add(1)),
            customer_id: p.customer_id.clone(),
            priority: p.priority.to_string(),
            intent: p.intent.to_string(),
            urgency: p.urgency.to_string(),
            value: p.value.to_string(),
            reason: p.reason.clone(),
        }
    }
}

/// What the pool has due for one owned customer (公海回收): reclaim it, warn the owner, or keep it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct DueItem {
    /// The customer.
    pub customer_id: String,
    /// The owner now (for a reclaim: the owner losing the customer).
    pub owner: Option<String>,
    /// The customer's stage, if known.
    pub stage: Option<String>,
    /// "reclaim", "warn" or "kept"; more may come, so match with an else branch.
    pub action: String,
    /// Why, in a sentence for the owner or a manager.
    pub reason: String,
    /// When the idle clock started (the last follow-up, or when the owner took the customer on).
    pub since: Option<SystemTime>,
    /// Days idle.
    pub idle_days: Option<u32>,
    /// The idle limit of the customer's stage, in days.
    pub limit_days: Option<u32>,
    /// For a warning: days until the reclaim day (1 = tomorrow).
    pub days_left: Option<u32>,
    /// For a warning: the reclaim day in the playbook timezone, ISO 8601 (`2026-03-17`).
    pub reclaim_on: Option<String>,
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn days(v: &Value, key: &str) -> Option<u32> {
    v.get(key)
        .and_then(Value::as_u64)
        .and_then(|d| u32::try_from(d).ok())
}

impl From<&Value> for DueItem {
    /// An item of the core's due document (`docs/pool.md`).
    fn from(v: &Value) -> DueItem {
        let since = text(v, "since")
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(&t).ok())
            .map(|t| SystemTime::from(t.with_timezone(&chrono::Utc)));
        DueItem {
            customer_id: text(v, "customer_id").unwrap_or_default(),
            owner: text(v, "owner"),
            stage: text(v, "stage"),
            action: text(v, "action").unwrap_or_default(),
            reason: text(v, "reason").unwrap_or_default(),
            since,
            idle_days: days(v, "idle_days"),
            limit_days: days(v, "limit_days"),
            days_left: days(v, "days_left"),
            reclaim_on: text(v, "reclaim_on"),
        }
    }
}
