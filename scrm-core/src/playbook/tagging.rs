//! The tagging section of a playbook: auto-tag rules (自动打标签).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Auto-tag rules.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Tagging {
    /// The rules, each applying its tags when it fires.
    #[serde(default)]
    pub rules: Vec<TagRule>,
}

/// An auto-tag rule. Every rule has an `id` (recorded as the provenance of the tags it applies),
/// `tags` (ids or display names from the taxonomy) and an optional `ttl` after which its tags
/// expire (`"30d"`); `kind` says when it fires.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum TagRule {
    /// Fires when a customer scans one of `codes` (渠道活码).
    ChannelCode {
        /// Rule id.
        id: String,
        /// Channel codes (the `state` of a WeCom contact-me link).
        codes: Vec<String>,
        /// Tags to apply.
        tags: Vec<String>,
        /// Expiry of the applied tags, e.g. "30d".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ttl: Option<String>,
    },
    /// Fires when an event's text contains any of `keywords` (full-width/half-width and case
    /// folded; Chinese needs no word segmentation).
    Keyword {
        /// Rule id.
        id: String,
        /// Keywords; a text containing any one fires the rule.
        keywords: Vec<String>,
        /// Only events of these types are read (empty: every event with text).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        event_types: Vec<String>,
        /// Tags to apply.
        tags: Vec<String>,
        /// Expiry of the applied tags.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ttl: Option<String>,
    },
    /// Fires when the customer has done `event` at least `min_count` times within `within`, e.g.
    /// viewed content of category `pricing` 3 times in 7 days.
    Behaviour {
        /// Rule id.
        id: String,
        /// The event type counted.
        event: String,
        /// Properties the counted events must have (text equality), e.g. `{category = "pricing"}`.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        properties: BTreeMap<String, String>,
        /// How many events.
        min_count: u32,
        /// Within how long, ending at the latest event, e.g. "7d".
        within: String,
        /// Tags to apply.
        tags: Vec<String>,
        /// Expiry of the applied tags.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ttl: Option<String>,
    },
    /// Fires when `condition` (the condition language) becomes true for the customer.
    Condition {
        /// Rule id.
        id: String,
        /// The condition, in text form.
        condition: String,
        /// Tags to apply.
        tags: Vec<String>,
        /// Expiry of the applied tags.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ttl: Option<String>,
    },
}

impl TagRule {
    /// The rule id.
    pub fn id(&self) -> &str {
        match self {
            TagRule::ChannelCode { id, .. }
            | TagRule::Keyword { id, .. }
            | TagRule::Behaviour { id, .. }
            | TagRule::Condition { id, .. } => id,
        }
    }

    /// The tags the rule applies, as written (ids or names).
    pub fn tags(&self) -> &[String] {
        match self {
            TagRule::ChannelCode { tags, .. }
            | TagRule::Keyword { tags, .. }
            | TagRule::Behaviour { tags, .. }
            | TagRule::Condition { tags, .. } => tags,
        }
    }

    /// The expiry of the rule's tags, as written.
    pub fn ttl(&self) -> Option<&str> {
        match self {
            TagRule::ChannelCode { ttl, .. }
            | TagRule::Keyword { ttl, .. }
            | TagRule::Behaviour { ttl, .. }
            | TagRule::Condition { ttl, .. } => ttl.as_deref(),
        }
    }
}
