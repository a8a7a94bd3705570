//! The engine section of a playbook: how events that arrive out of order are treated.

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
}

impl Default for EngineSettings {
    fn default() -> EngineSettings {
        EngineSettings {
            lateness: default_lateness(),
        }
    }
}

fn default_lateness() -> String {
    "1h".to_owned()
}
