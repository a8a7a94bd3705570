//! Sections of playbook v1 that later features fill in (scoring and lifecycle have their own
//! files: `scoring.rs`, `lifecycle.rs`).
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
    /// Pool (公海) reclaim and claim rules, transfer and assignment.
    Pool
);
placeholder_section!(
    /// Plans, charges, usage packs and CPS commission plans.
    Pricing
);
