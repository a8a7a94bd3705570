//! Graduated (阶梯累进): each tier's units at that tier's price, plus the flat fee of every tier
//! entered. `0-100 @0.10, 101-1000 @0.08 + 5.00, 1001+ @0.05` prices 1,500 units as
//! `100 × 0.10 + 900 × 0.08 + 5.00 tier fee + 500 × 0.05` = 112.00.

use rust_decimal::Decimal;

use super::tiers::{Tier, bounds};
use super::{NOTHING, PartKind, Price, PricePart};
use crate::billing::exact;
use crate::billing::format::grouped;
use crate::error::Result;

pub(super) fn price(tiers: &[Tier], q: Decimal) -> Result<Price> {
    walk(tiers, q, false)
}

/// The graduated walk; with `percent` each tier's `unit_price` is a rate in percent.
pub(super) fn walk(tiers: &[Tier], q: Decimal, percent: bool) -> Result<Price> {
    let mut amount = Decimal::ZERO;
    let mut parts = Vec::new();
    let mut texts = Vec::new();
    for (lower, upper, tier) in bounds(tiers) {
        if q <= lower {
            break;
        }
        let top = match upper {
            Some(u) if q > u => u,
            _ => q,
        };
        let units = exact::sub(top, lower, "usage")?;
        let (part, kind, text) = if percent {
            let share = exact::mul(units, exact::percent(tier.unit_price, "rate")?, "usage")?;
            let text = format!("{} × {}%", grouped(units), grouped(tier.unit_price));
            (share, PartKind::Percent, text)
        } else {
            let cost = exact::mul(units, tier.unit_price, "usage")?;
            let text = format!("{} × {}", grouped(units), grouped(tier.unit_price));
            (cost, PartKind::Units, text)
        };
        amount = exact::add(amount, part, "usage")?;
        parts.push(PricePart::new(kind, units, tier.unit_price, part));
        texts.push(text);
        if !tier.flat_fee.is_zero() {
            amount = exact::add(amount, tier.flat_fee, "usage")?;
            parts.push(PricePart::new(
                PartKind::TierFee,
                Decimal::ONE,
                tier.flat_fee,
                tier.flat_fee,
            ));
            texts.push(format!("{} tier fee", grouped(tier.flat_fee)));
        }
        if upper.is_none_or(|u| q <= u) {
            break;
        }
    }
    let detail = if texts.is_empty() {
        NOTHING.to_owned()
    } else {
        texts.join(" + ")
    };
    Ok(Price {
        quantity: q,
        amount,
        detail,
        parts,
    })
}
