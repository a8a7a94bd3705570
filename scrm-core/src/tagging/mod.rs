//! Tagging (打标签): applying tags to customers by hand, by auto-tag rules and by pre-tags, with
//! exclusive groups, expiry, provenance and WeCom's limits.
//!
//! A [`Tagger`] is compiled once from a [`Playbook`](crate::Playbook): tags are interned, rule
//! tags resolved, keywords built into one multi-pattern automaton. Each call returns the
//! [`TagChange`]s it made, each with its reason; applying the same thing twice changes nothing.

mod index;
mod keywords;
mod normalize;
mod tagger;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use normalize::{fold, fold_name};
pub(crate) use tagger::TagContext;
pub use tagger::{PreTag, Tagger};

use crate::Name;
use crate::customer::Provenance;

/// The most tags one customer may carry (WeCom's limit).
pub const MAX_TAGS_PER_CUSTOMER: usize = 3_000;

/// What a tagging call did to one tag of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TagChange {
    /// The tag id.
    pub tag_id: Name,
    /// Added, removed or given a later expiry.
    pub action: TagAction,
    /// Who or what made the change (for a removal by an exclusive group: the provenance of the tag
    /// that replaced it).
    pub provenance: Provenance,
    /// Why, in words: `said "多少钱" (rule kw_price)`, `replaced by intent_high (exclusive group intent)`.
    pub reason: String,
}

/// The kind of a [`TagChange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TagAction {
    /// The tag was put on.
    Added,
    /// The tag was taken off.
    Removed,
    /// The tag was already on; its expiry moved later.
    Refreshed,
}
