//! Package (套餐包): units sold in packages of `size` for `price`; a started package is a whole
//! one; `free_units` come first. 1,000 for 5.00 with 100 free: 1,100 → 5.00, 1,101 → 10.00.

use rust_decimal::Decimal;

use super::{PartKind, Price, PricePart};
use crate::billing::exact;
use crate::billing::format::grouped;
use crate::error::{Error, ErrorKind, Result};

pub(super) fn price(size: Decimal, price: Decimal, free: Decimal, q: Decimal) -> Result<Price> {
    let paid = exact::sub(q, free, "usage")?;
    let free_used = q.min(free);
    let mut parts = Vec::new();
    if !free.is_zero() {
        parts.push(PricePart::new(
            PartKind::Free,
            free_used,
            Decimal::ZERO,
            Decimal::ZERO,
        ));
    }
    if paid <= Decimal::ZERO {
        return Ok(Price {
            quantity: q,
            amount: Decimal::ZERO,
            detail: format!("all within the {} free", grouped(free)),
            parts,
        });
    }
    // Whole packages, exactly: divide what is divisible, and start one more for a remainder.
    let remainder = paid.checked_rem(size).ok_or_else(|| bad_size(size))?;
    let whole = exact::div(exact::sub(paid, remainder, "usage")?, size, "usage")?.trunc();
    let packages = if remainder.is_zero() {
        whole
    } else {
        exact::add(whole, Decimal::ONE, "usage")?
    };
    let amount = exact::mul(packages, price, "usage")?;
    parts.push(PricePart::new(PartKind::Packages, packages, price, amount));
    let n = if packages == Decimal::ONE {
        "1 package".to_owned()
    } else {
        format!("{} packages", grouped(packages))
    };
    let bought = format!("{n} of {} × {}", grouped(size), grouped(price));
    let detail = if free.is_zero() {
        bought
    } else {
        format!("{} free, {} in {bought}", grouped(free), grouped(paid))
    };
    Ok(Price {
        quantity: q,
        amount,
        detail,
        parts,
    })
}

fn bad_size(size: Decimal) -> Error {
    Error::at(
        ErrorKind::Validation,
        "size",
        format!("package size {size} cannot divide a quantity"),
    )
}
