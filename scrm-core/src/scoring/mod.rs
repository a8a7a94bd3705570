//! Lead scoring (线索评分): engagement from events, fit from who the customer is, social value,
//! thresholds, RFM and the owner's priority list.
//!
//! The engine ([`Engine`](crate::Engine)) feeds events in; this module keeps, per customer, a
//! small memory that does not depend on the order events arrive in ([`state`]), and computes a
//! [`Score`] from it at any moment with an [`Explanation`] of every point ([`evaluate`]). The
//! clamp order rule cap → group cap (after netting) → total cap is pinned by DOMAIN.md; decay and
//! its rounding are in [`decay`] and decision 0005.

pub(crate) mod compile;
pub(crate) mod decay;
pub(crate) mod evaluate;
pub(crate) mod model;
mod points;
pub(crate) mod priority;
pub(crate) mod rfm;
mod score;
pub(crate) mod state;
pub(crate) mod threshold;
pub(crate) mod time;

pub use points::Points;
pub use priority::PriorityItem;
pub use rfm::{RfmMode, RfmScore, rfm_segment};
pub use score::{Explanation, FitPart, GroupPart, RulePart, Score, SocialPart};
pub use threshold::FiredThreshold;
