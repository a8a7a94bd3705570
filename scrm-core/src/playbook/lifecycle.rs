//! The lifecycle section of a playbook (客户生命周期): ordered stages, side states, and the rules
//! that move a customer between them.
//!
//! Without `stages`, the default set of DOMAIN.md applies (访客 visitor → 线索 lead → MQL → SQL →
//! 商机 opportunity → 成交 customer → 复购 repeat → 推荐者 advocate, and the side states 沉睡
//! dormant, 流失 churned, 输单 lost). Moves are forward-only (HubSpot) unless a rule says
//! otherwise: `move` rules, `inactivity` and `reengage` are the only ways back or sideways.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Lifecycle stages and the rules between them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Lifecycle {
    /// The stages: live stages in their order, and side states (`side = true`). Empty: the
    /// default set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stages: Vec<Stage>,
    /// The stage a new customer starts in (default: the first live stage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial: Option<String>,
    /// The rules, tried in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<StageRule>,
}

/// A lifecycle stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Stage {
    /// Stage id (`mql`), unique among stages.
    pub id: String,
    /// Display name (`市场认可线索`).
    pub name: String,
    /// A side state (沉睡 dormant, 流失 churned, 输单 lost): outside the forward order.
    #[serde(default, skip_serializing_if = "is_false")]
    pub side: bool,
    /// Tasks for the owner when a customer enters the stage; `require_tasks` rules wait for all
    /// of them to be done (an event `task_done` with property `task` = the task id).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<StageTask>,
}

/// A task the owner gets when a customer enters a stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct StageTask {
    /// Task id, unique within the stage.
    pub id: String,
    /// What to do (`电话回访`).
    pub name: String,
    /// Due this long after entering the stage (`2d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
}

/// A lifecycle rule. `kind` says how it moves a customer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum StageRule {
    /// Moves forward to `to` when an event of a type in `on` (any event when empty) happens and
    /// the customer satisfies `when`. Never moves backward: a customer already at or past `to`,
    /// or in a side state, is left where they are.
    Advance {
        /// Rule id, unique among lifecycle rules; stage history names it.
        id: String,
        /// The target stage.
        to: String,
        /// Event types that trigger the rule (empty: every event).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        on: Vec<String>,
        /// The guard: a condition over the customer.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        when: Option<String>,
        /// Only when every task of the current stage is done.
        #[serde(default, skip_serializing_if = "is_false")]
        require_tasks: bool,
        /// Why, in words, for the history (`看了三次价目表`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Moves to `to` from any stage in `from` (every stage when empty), backward or into a side
    /// state included: the explicit rule a backward move needs (客户删除员工 → churned).
    Move {
        /// Rule id.
        id: String,
        /// The target stage.
        to: String,
        /// The stages it moves from (empty: every stage but `to`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        from: Vec<String>,
        /// Event types that trigger the rule (empty: every event).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        on: Vec<String>,
        /// The guard.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        when: Option<String>,
        /// Only when every task of the current stage is done.
        #[serde(default, skip_serializing_if = "is_false")]
        require_tasks: bool,
        /// Why, in words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Moves to `to` (usually dormant, 沉睡) a customer of a stage in `from` with no activity for
    /// `after`; checked before each event and by the time-based check (`Engine::tick`). The move
    /// is dated when the silence reached `after`.
    Inactivity {
        /// Rule id.
        id: String,
        /// How long without activity (`30d`).
        after: String,
        /// The target stage.
        to: String,
        /// The stages it applies to (empty: every live stage).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        from: Vec<String>,
        /// Event types that count as activity (empty: every event).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        activity: Vec<String>,
        /// Why, in words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    /// Brings a customer in a side state of `from` (every side state when empty) back to the last
    /// live stage they were in (唤醒), on an event of a type in `on` (every event when empty).
    Reengage {
        /// Rule id.
        id: String,
        /// The side states it applies to (empty: every side state).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        from: Vec<String>,
        /// Event types that re-engage (empty: every event).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        on: Vec<String>,
        /// The guard.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        when: Option<String>,
        /// Why, in words.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
}

impl StageRule {
    /// The rule id.
    pub fn id(&self) -> &str {
        match self {
            StageRule::Advance { id, .. }
            | StageRule::Move { id, .. }
            | StageRule::Inactivity { id, .. }
            | StageRule::Reengage { id, .. } => id,
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}
