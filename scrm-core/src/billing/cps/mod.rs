//! CPS (按效果付费, cost per sale): attributing sales to the touches that led to them, and paying
//! promoters a commission on their attributed net sales (DOMAIN.md 7).
//!
//! - [`AttributionModel`] splits a [`Sale`] over its [`Touchpoint`]s inside the lookback window:
//!   first touch, last touch, linear, time decay, position based. The credits always sum to the
//!   sale exactly.
//! - [`CommissionPlan`] turns credits into [`CommissionLine`]s per promoter (and their upline in a
//!   two-level plan), held for the hold period, recomputed by refunds before payout and clawed
//!   back after it; [`CommissionPlan::statement`] gives a promoter's [`CommissionStatement`] for a period.
//! - The `*_json` functions are the same operations over JSON documents, for the bindings.

mod attribution;
mod commission;
mod decay;
mod documents;
mod ledger;
mod line;
mod referral;
mod sale;
mod statement;
#[cfg(test)]
mod tests;
pub(crate) mod text;

pub use attribution::{
    Attribution, AttributionModel, AttributionSettings, Credit, DEFAULT_HALF_LIFE,
    DEFAULT_LOOKBACK, ExcludedTouch, Exclusion, ModelKind,
};
pub use commission::{CommissionPlan, CommissionTotals, Commissions};
pub use documents::{attribute_json, commission_json, commission_statement_json};
pub use ledger::CpsHistory;
pub use line::{CommissionLine, LineStatus, RateSource};
pub use sale::{Payout, Refund, Sale, Touchpoint};
pub use statement::CommissionStatement;

/// The examples of `docs/cps.md`, run as doctests so the guide cannot drift from the code.
#[cfg(doctest)]
#[doc = include_str!("../../../../docs/cps.md")]
struct CpsGuide;
