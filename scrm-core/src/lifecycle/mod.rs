//! The customer lifecycle (客户生命周期): ordered stages, side states, and the rules that move a
//! customer between them.
//!
//! **PIN (DOMAIN.md 5):** moves are forward-only by default (HubSpot). A customer goes back, or
//! into a side state (沉睡 dormant, 流失 churned, 输单 lost), only through a rule that says so:
//! a `move` rule, an `inactivity` rule (checked before every event and by the time-based check)
//! or a `reengage` rule (back to the last live stage). Every change is a [`StageChange`] in the
//! customer's history, with its time, rule and reason.

pub(crate) mod machine;
pub(crate) mod model;

pub(crate) use model::{LifecycleModel, RuleKind};

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One move of a customer between lifecycle stages, as the history records it.
///
/// A plain public record: analytics (funnels, time in stage, cohorts) read these directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageChange {
    /// The stage left; `None` for the first placement.
    pub from: Option<String>,
    /// The stage entered.
    pub to: String,
    /// When.
    #[serde(serialize_with = "crate::rfc3339::write")]
    pub at: DateTime<Utc>,
    /// The id of the lifecycle rule that moved the customer (`initial` for the first placement).
    pub rule: String,
    /// Why, in words.
    pub reason: String,
}
