//! The shapes a propagation analysis returns: one [`PropagationTree`] per content or campaign,
//! with per-customer [`TreeNode`] explanations.

use serde::{Deserialize, Serialize};

use crate::analytics::Rate;

/// Every propagation tree found in a batch of events, and the events that could not be placed.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Propagation {
    /// One tree per content (or campaign), by key.
    pub trees: Vec<PropagationTree>,
    /// Share, invite and arrival events that belong to no tree, by event id, with the reason.
    pub skipped: Vec<Skipped>,
}

/// An event left out of every tree, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Skipped {
    /// The event id.
    pub event_id: String,
    /// Why it was left out.
    pub reason: String,
}

/// How one content or campaign spread (传播链): who brought whom, how far and how wide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropagationTree {
    /// The content id or campaign the tree is about (the value of the grouping property).
    pub key: String,
    /// The longest chain: edges from a seed to the deepest customer (0 when nobody was reached).
    pub depth: u32,
    /// Customers reached: brought in by another customer of the tree (every node but the seeds).
    pub reach: u64,
    /// Every customer in the tree: seeds and reached.
    pub participants: u64,
    /// Customers who sent at least one share or invite.
    pub sharers: u64,
    /// Invitations sent: share events plus invite events.
    pub invites: u64,
    /// `invites / sharers`; `null` without sharers.
    pub invites_per_sharer: Option<Rate>,
    /// Invite conversion, `reach / invites`; `null` without invites.
    pub conversion: Option<Rate>,
    /// The K-factor (viral coefficient), `invites per sharer × invite conversion` computed from
    /// the exact counts, which is `reach / sharers`; `null` without sharers.
    pub k_factor: Option<Rate>,
    /// `levels[d]`: customers at depth `d` (seeds are depth 0).
    pub levels: Vec<u64>,
    /// The customers who reached the most others, most first (ties by customer id).
    pub top_spreaders: Vec<Spreader>,
    /// Every customer of the tree with the explanation of their place, by customer id; empty
    /// when the rules ask for no nodes.
    pub nodes: Vec<TreeNode>,
}

/// A customer ranked by how many others they reached.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spreader {
    /// The customer.
    pub customer_id: String,
    /// Customers reached through them, directly or further down (their subtree less themselves).
    pub descendants: u64,
    /// Customers they reached directly.
    pub children: u64,
}

/// One customer's place in a tree, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeNode {
    /// The customer.
    pub customer_id: String,
    /// Who brought them in; `null` for a seed.
    pub parent: Option<String>,
    /// The event that placed them under their parent; `null` for a seed.
    pub via_event: Option<String>,
    /// Edges from their seed (0 for a seed).
    pub depth: u32,
    /// Customers they reached directly.
    pub children: u64,
    /// Customers reached through them, at any depth.
    pub descendants: u64,
    /// Share events they sent in this tree.
    pub shares: u64,
    /// Invite events they sent in this tree.
    pub invites: u64,
    /// Why they are where they are.
    pub reason: String,
    /// Claims on them that were ignored, and missing parents, in time order.
    pub notes: Vec<String>,
}
