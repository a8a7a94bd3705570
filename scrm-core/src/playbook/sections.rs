//! Sections of playbook v1 that later features fill in.
//!
//! Each is an empty, closed object today: a v1 file may write `[scoring]` with nothing in it, and
//! fields added later are optional, so every file valid now stays valid.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

macro_rules! placeholder_section {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
        #[serde(deny_unknown_fields)]
        #[non_exhaustive]
        pub struct $name {}
    };
}

placeholder_section!(
    /// Lead scoring rules (engagement, fit, social value, caps, thresholds).
    Scoring
);
placeholder_section!(
    /// Lifecycle stages, transitions and their guards.
    Lifecycle
);
