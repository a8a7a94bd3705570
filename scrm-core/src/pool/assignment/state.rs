//! [`AssignState`]: the turns of the round-robin and weighted routes, passed in and returned so
//! assignment is deterministic and needs no storage of its own.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Whose turn it is on each route: the state a caller keeps between assignments (as JSON, in a
/// row of its database). Start from the default (empty) state.
///
/// Turn keys are the route id, or `route/rule` for a rule of a `rule_based` route.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AssignState {
    /// Round robin: per turn key, the employee whose turn was last used. The next turn is the
    /// employee after them in the route's list (the first when they are no longer listed).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub last_turn: BTreeMap<String, String>,
    /// Weighted (smooth weighted round-robin): per turn key, each employee's current weight.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub weights: BTreeMap<String, BTreeMap<String, i64>>,
}

impl AssignState {
    /// Reads a state from JSON.
    pub fn from_json(text: &str) -> crate::Result<AssignState> {
        serde_json::from_str(text).map_err(|e| crate::error::json_parse_error("state", "JSON", &e))
    }

    /// The state as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
