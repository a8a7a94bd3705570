//! Billing (DOMAIN.md 7): money exact to the cent, metering, charge models, plans, usage packs,
//! CPS attribution and commission, invoices. Separate from the engine, same style: plain data in,
//! plain data out, time passed in, every line explained.

mod money;

pub use money::{Currency, Money, decimal_text, parse_decimal};
