//! Billing (DOMAIN.md 7): money exact to the cent, metering, charge models, plans, usage packs,
//! CPS attribution and commission, invoices. Separate from the engine, same style: plain data in,
//! plain data out, time passed in, every line explained.

pub(crate) mod cps;
pub(crate) mod input;
mod money;
pub(crate) mod pack;

pub use cps::{
    Attribution, AttributionModel, AttributionSettings, CommissionLine, CommissionPlan,
    CommissionTotals, Commissions, CpsHistory, Credit, DEFAULT_HALF_LIFE, DEFAULT_LOOKBACK,
    ExcludedTouch, Exclusion, LineStatus, ModelKind, Payout, RateSource, Refund, Sale, Statement,
    Touchpoint, attribute_json, commission_json, statement_json,
};
pub use money::{Currency, Money, decimal_text, parse_decimal};
pub use pack::{
    Consumption, ConsumptionLine, CreditKind, Expiry, Pack, PackLadder, UNIT_PRICE_DECIMALS, Usage,
    Wallet, consume_json, pack_ladder_json, purchase_json,
};
