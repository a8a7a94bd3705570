//! The engine section of a playbook: how events that arrive out of order are treated, and the
//! consent that contacting a customer needs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How the engine treats events that arrive out of order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EngineSettings {
    /// How late an event may arrive, behind the latest event of its customer, and still be folded
    /// in at its place in time (default `1h`); a later one is refused.
    #[serde(default = "default_lateness")]
    pub lateness: String,
    /// The consent that contacting a customer needs (DOMAIN.md 1: marketing effects are
    /// suppressed where consent is missing). When set, the tasks of a stage entered and the
    /// high-intent alerts, which ask the owner to contact the customer, are suppressed for a
    /// customer whose consent for this purpose and channel is not granted, and `Effects` say so.
    /// Absent: nothing is suppressed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_consent: Option<ContactConsent>,
}

/// A purpose on a channel, as [`crate::Consents`] records them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactConsent {
    /// The purpose, e.g. `marketing`.
    pub purpose: String,
    /// The channel id, e.g. `wecom`; `*` for a consent on every channel.
    pub channel: String,
}

impl Default for EngineSettings {
    fn default() -> EngineSettings {
        EngineSettings {
            lateness: default_lateness(),
            contact_consent: None,
        }
    }
}

fn default_lateness() -> String {
    "1h".to_owned()
}
