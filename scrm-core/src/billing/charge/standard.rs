//! Standard: every unit at one price.

use rust_decimal::Decimal;

use super::{PartKind, Price, PricePart};
use crate::billing::exact;
use crate::billing::format::grouped;
use crate::error::Result;

pub(super) fn price(unit_price: Decimal, q: Decimal) -> Result<Price> {
    let amount = exact::mul(q, unit_price, "usage")?;
    Ok(Price {
        quantity: q,
        amount,
        detail: format!("{} × {}", grouped(q), grouped(unit_price)),
        parts: vec![PricePart::new(PartKind::Units, q, unit_price, amount)],
    })
}
