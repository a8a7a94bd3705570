//! [`PropagationRules`]: which events and properties build a propagation tree.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Problem, Result};

/// The most top spreaders a tree lists.
pub const MAX_TOP_SPREADERS: usize = 1000;

/// Which events build propagation trees and how they are grouped. Every field has a default, so
/// `{}` is a valid rule set.
///
/// The properties read are fixed names (strings; any other JSON type counts as absent):
/// `parent_share_id` and `inviter_id` on shares, `share_id` and `inviter_id` on arrivals, and the
/// grouping property (`group_by`) on all three kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PropagationRules {
    /// Event types that are shares (分享): the customer sent the content on. Default `["share"]`.
    #[serde(default = "share_types")]
    pub share_types: Vec<String>,
    /// Event types that are direct invitations (邀请) sent by the customer. Default `["invite"]`.
    #[serde(default = "invite_types")]
    pub invite_types: Vec<String>,
    /// Event types that say the customer arrived through a share or an inviter (a new friend, a
    /// view of the shared content). Default `["friend_added", "content_view"]`.
    #[serde(default = "arrival_types")]
    pub arrival_types: Vec<String>,
    /// The property that names the tree: `content_id` (default) for one tree per content,
    /// `campaign` for one per campaign.
    #[serde(default = "group_by")]
    pub group_by: String,
    /// How many top spreaders each tree lists; default 10, at most 1000.
    #[serde(default = "top")]
    pub top: usize,
    /// Whether trees list every node with its explanation (default true); turn off for summaries
    /// of very large batches.
    #[serde(default = "yes")]
    pub include_nodes: bool,
}

fn share_types() -> Vec<String> {
    vec!["share".to_owned()]
}
fn invite_types() -> Vec<String> {
    vec!["invite".to_owned()]
}
fn arrival_types() -> Vec<String> {
    vec!["friend_added".to_owned(), "content_view".to_owned()]
}
fn group_by() -> String {
    "content_id".to_owned()
}
fn top() -> usize {
    10
}
fn yes() -> bool {
    true
}

impl Default for PropagationRules {
    fn default() -> PropagationRules {
        PropagationRules {
            share_types: share_types(),
            invite_types: invite_types(),
            arrival_types: arrival_types(),
            group_by: group_by(),
            top: top(),
            include_nodes: true,
        }
    }
}

/// What an event is to the propagation analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Share,
    Invite,
    Arrival,
}

impl PropagationRules {
    /// Checks the rules: non-empty type names, each type in one list only, a grouping property.
    pub fn check(&self) -> Result<()> {
        let mut problems = Vec::new();
        let mut seen: Vec<&str> = Vec::new();
        for (field, list) in [
            ("share_types", &self.share_types),
            ("invite_types", &self.invite_types),
            ("arrival_types", &self.arrival_types),
        ] {
            for (i, t) in list.iter().enumerate() {
                if t.trim().is_empty() {
                    problems.push(Problem::new(
                        format!("{field}[{i}]"),
                        format!("an event type must not be empty, found {t:?}"),
                    ));
                } else if seen.contains(&t.as_str()) {
                    problems.push(Problem::new(
                        format!("{field}[{i}]"),
                        format!("event type {t:?} is listed twice; give each type one role"),
                    ));
                } else {
                    seen.push(t);
                }
            }
        }
        if self.group_by.trim().is_empty() {
            problems.push(Problem::new(
                "group_by",
                "group_by must name a property such as \"content_id\" or \"campaign\"",
            ));
        }
        if self.top > MAX_TOP_SPREADERS {
            problems.push(Problem::new(
                "top",
                format!("top is {}, at most {MAX_TOP_SPREADERS}", self.top),
            ));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }

    pub(crate) fn role(&self, kind: &str) -> Option<Role> {
        let has = |list: &[String]| list.iter().any(|t| t == kind);
        if has(&self.share_types) {
            Some(Role::Share)
        } else if has(&self.invite_types) {
            Some(Role::Invite)
        } else if has(&self.arrival_types) {
            Some(Role::Arrival)
        } else {
            None
        }
    }
}
