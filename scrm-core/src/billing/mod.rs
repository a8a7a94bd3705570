//! Billing (DOMAIN.md 7): money exact to the cent, metering, charge models, plans, usage packs,
//! CPS attribution and commission, invoices. Separate from the engine, same style: plain data in,
//! plain data out, time passed in, every line explained.

mod charge;
mod exact;
mod format;
mod meter;
mod money;
mod period;

pub use charge::{AdvanceFee, ChargeModel, PartKind, Price, PricePart, Quantity, Tier};
pub use meter::{
    Aggregation, Conflict, IngestReport, Meter, MeterValue, Metering, Operation, Rejection,
    UsageEvent, UsageRecord,
};
pub use money::{Currency, Money, decimal_text, parse_decimal};
pub use period::{BillingCycle, Interval, Period};
