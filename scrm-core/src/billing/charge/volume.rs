//! Volume (阶梯到达): every unit at the price of the one tier the quantity reaches, plus that
//! tier's flat fee. The tier is chosen by the quantity rounded up, so 100.5 units with tiers
//! `0-100` / `101-1000` are priced in `101-1000` (Lago's rule; a fraction never falls between
//! two tiers).

use rust_decimal::Decimal;

use super::tiers::{Tier, bounds};
use super::{NOTHING, PartKind, Price, PricePart};
use crate::billing::exact;
use crate::billing::format::grouped;
use crate::error::{Error, ErrorKind, Result};

pub(super) fn price(tiers: &[Tier], q: Decimal) -> Result<Price> {
    if q.is_zero() {
        return Ok(Price {
            quantity: q,
            amount: Decimal::ZERO,
            detail: NOTHING.to_owned(),
            parts: Vec::new(),
        });
    }
    let reached = q.ceil();
    let tier = bounds(tiers)
        .find(|(lower, upper, _)| reached > *lower && upper.is_none_or(|u| reached <= u))
        .map(|(_, _, t)| t)
        .ok_or_else(|| {
            Error::at(
                ErrorKind::Validation,
                "usage",
                format!("no tier holds {}", grouped(q)),
            )
        })?;
    let units = exact::mul(q, tier.unit_price, "usage")?;
    let mut parts = vec![PricePart::new(PartKind::Units, q, tier.unit_price, units)];
    let mut detail = format!(
        "all in tier {}: {} × {}",
        tier.label(),
        grouped(q),
        grouped(tier.unit_price)
    );
    let mut amount = units;
    if !tier.flat_fee.is_zero() {
        amount = exact::add(amount, tier.flat_fee, "usage")?;
        parts.push(PricePart::new(
            PartKind::TierFee,
            Decimal::ONE,
            tier.flat_fee,
            tier.flat_fee,
        ));
        detail.push_str(&format!(" + {} tier fee", grouped(tier.flat_fee)));
    }
    Ok(Price {
        quantity: q,
        amount,
        detail,
        parts,
    })
}
