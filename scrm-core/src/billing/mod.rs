//! Billing (DOMAIN.md 7): money exact to the cent, metering, charge models, plans, usage packs,
//! CPS attribution and commission, invoices. Separate from the engine, same style: plain data in,
//! plain data out, time passed in, every line explained.
//!
//! The guide below is `docs/billing.md`; its examples run as doctests.
#![doc = include_str!("../../../docs/billing.md")]

mod charge;
mod coupon;
mod documents;
mod exact;
mod format;
mod invoice;
mod meter;
mod money;
mod period;
mod plain_decimal;
mod plan;
mod proration;
mod subscription;

pub use charge::{AdvanceFee, ChargeModel, PartKind, Price, PricePart, Quantity, RateTier, Tier};
pub use coupon::{AppliedCoupon, Coupon, CouponDuration, CouponUse, Discount};
pub use documents::{
    InvoiceRequest, advance_fees_json, invoice_json, meter_json, price_json, statement_json,
};
pub use invoice::{Days, Invoice, InvoiceLine, InvoiceStatus, LineKind, Statement, Usage};
pub use meter::{
    Aggregation, Conflict, IngestReport, Meter, MeterValue, Metering, Operation, Rejection,
    UsageEvent, UsageRecord,
};
pub use money::{Currency, Money, decimal_text, parse_decimal};
pub use period::{BillingCycle, Interval, Period};
pub use plan::{Billing, ChargeOverride, Plan, PlanCharge, PlanOverrides};
pub use subscription::{Anchor, Change, Subscription};
pub(crate) mod cps;
pub(crate) mod input;
pub(crate) mod pack;

pub use cps::{
    Attribution, AttributionModel, AttributionSettings, CommissionLine, CommissionPlan,
    CommissionStatement, CommissionTotals, Commissions, CpsHistory, Credit, DEFAULT_HALF_LIFE,
    DEFAULT_LOOKBACK, ExcludedTouch, Exclusion, LineStatus, ModelKind, Payout, RateSource, Refund,
    Sale, Touchpoint, attribute_json, commission_json, commission_statement_json,
};
pub use pack::{
    Consumption, ConsumptionLine, CreditKind, Expiry, Pack, PackLadder, PackUsage,
    UNIT_PRICE_DECIMALS, Wallet, consume_json, pack_ladder_json, purchase_json,
};
