//! The social graph (the S in SCRM): how shares and invites spread content and campaigns
//! ([`Propagation`]), and fission campaigns that reward customers for bringing new friends
//! ([`FissionCampaign`]).
//!
//! Both read plain [`Event`](crate::Event)s, any order, replays harmless (one event per id), and
//! explain every result: each customer's place in a tree, each help's status. The event types and
//! properties read are listed on [`PropagationRules`] and [`FissionCampaign`], and in
//! `docs/social.md`.

mod documents;
mod events;
mod fission;
mod propagation;
mod rules;
#[cfg(test)]
mod tests;
mod tree;

pub use documents::{fission_json, propagation_json};
pub use fission::{FissionCampaign, FissionProgress, Help, HelpStatus, InviterProgress};
pub use rules::{MAX_TOP_SPREADERS, PropagationRules};
pub use tree::{Propagation, PropagationTree, Skipped, Spreader, TreeNode};
