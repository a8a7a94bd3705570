//! Graduated percentage: graduated tiers over an amount (a month's sales, a payment volume),
//! each tier's part at its own rate, plus the flat fee of every tier entered.

use rust_decimal::Decimal;

use super::Price;
use super::graduated::walk;
use super::tiers::Tier;
use crate::error::Result;

pub(super) fn price(tiers: &[Tier], amount: Decimal) -> Result<Price> {
    walk(tiers, amount, true)
}
