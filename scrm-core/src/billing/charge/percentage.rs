//! Percentage (按比例抽成): each transaction pays `rate` percent plus `fixed_fee`, clamped to
//! `min_fee ..= max_fee` (the clamp includes the fixed part); the first `free_transactions` of
//! the period pay nothing at all (decision 0011). 2.5 % + 0.30, min 0.50, max 5.00 on 5, 10,
//! 100 and 500: 0.50 + 0.55 + 2.80 + 5.00 = 8.85.

use rust_decimal::Decimal;

use super::{ChargeModel, NOTHING, PartKind, Price, PricePart};
use crate::billing::exact;
use crate::billing::format::{grouped, tidy};
use crate::error::{Error, ErrorKind, Result};

/// The percentage terms, read from the model.
pub(super) struct Terms {
    rate: Decimal,
    fraction: Decimal,
    fixed: Decimal,
    free: usize,
    min: Option<Decimal>,
    max: Option<Decimal>,
}

impl Terms {
    pub fn of(model: &ChargeModel) -> Result<Terms> {
        match model {
            ChargeModel::Percentage {
                rate,
                fixed_fee,
                free_transactions,
                min_fee,
                max_fee,
            } => Ok(Terms {
                rate: *rate,
                fraction: exact::percent(*rate, "rate")?,
                fixed: *fixed_fee,
                free: usize::try_from(*free_transactions).unwrap_or(usize::MAX),
                min: *min_fee,
                max: *max_fee,
            }),
            other => Err(Error::at(
                ErrorKind::Validation,
                "price",
                format!("a {} charge has no percentage terms", other.name()),
            )),
        }
    }

    /// Whether the transaction at `position` (0-based, in time order) is free.
    pub fn is_free(&self, position: usize) -> bool {
        position < self.free
    }

    /// The fee of one charged transaction, and how much the minimum raised it (positive) or the
    /// maximum lowered it (negative).
    pub fn fee(&self, amount: Decimal) -> Result<(Decimal, Decimal)> {
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(Error::at(
                ErrorKind::Validation,
                "usage",
                format!(
                    "a transaction of {} is negative; refunds are credited separately",
                    grouped(amount)
                ),
            ));
        }
        let raw = exact::add(
            exact::mul(amount, self.fraction, "usage")?,
            self.fixed,
            "usage",
        )?;
        let mut fee = raw;
        if let Some(min) = self.min {
            fee = fee.max(min);
        }
        if let Some(max) = self.max {
            fee = fee.min(max);
        }
        Ok((fee, exact::sub(fee, raw, "usage")?))
    }
}

pub(super) fn price(model: &ChargeModel, transactions: &[Decimal]) -> Result<Price> {
    let terms = Terms::of(model)?;
    let n = transactions.len();
    let free = n.min(terms.free);
    let mut base = Decimal::ZERO;
    let (mut raised, mut raised_n, mut capped, mut capped_n) =
        (Decimal::ZERO, 0usize, Decimal::ZERO, 0usize);
    for (i, &t) in transactions.iter().enumerate() {
        if terms.is_free(i) {
            terms.fee(t)?; // still refuses a negative amount
            continue;
        }
        base = exact::add(base, t, "usage")?;
        let (_, adjustment) = terms.fee(t)?;
        if adjustment > Decimal::ZERO {
            raised = exact::add(raised, adjustment, "usage")?;
            raised_n += 1;
        } else if adjustment < Decimal::ZERO {
            capped = exact::add(capped, adjustment, "usage")?;
            capped_n += 1;
        }
    }
    let charged = Decimal::from(n - free);
    let share = exact::mul(base, terms.fraction, "usage")?;
    let fixed = exact::mul(charged, terms.fixed, "usage")?;
    let before_clamp = exact::add(share, fixed, "usage")?;
    let amount = exact::add(exact::add(before_clamp, raised, "usage")?, capped, "usage")?;

    let mut parts = Vec::new();
    let mut texts = Vec::new();
    if free > 0 {
        parts.push(PricePart::new(
            PartKind::Free,
            Decimal::from(free),
            Decimal::ZERO,
            Decimal::ZERO,
        ));
        texts.push(format!("the first {} free", grouped(Decimal::from(free))));
    }
    if charged > Decimal::ZERO {
        parts.push(PricePart::new(PartKind::Percent, base, terms.rate, share));
        let mut text = format!("{} × {}%", tidy(base), grouped(terms.rate));
        if !terms.fixed.is_zero() {
            parts.push(PricePart::new(
                PartKind::FixedFee,
                charged,
                terms.fixed,
                fixed,
            ));
            text.push_str(&format!(
                " + {} × {}",
                grouped(charged),
                grouped(terms.fixed)
            ));
        }
        if raised_n + capped_n > 0 {
            text.push_str(&format!(" = {}", tidy(before_clamp)));
        }
        texts.push(text);
    }
    if let (true, Some(min)) = (raised_n > 0, terms.min) {
        parts.push(PricePart::new(
            PartKind::Minimum,
            Decimal::from(raised_n),
            min,
            raised,
        ));
        texts.push(format!(
            "{} raised to the {} minimum (+{})",
            grouped(Decimal::from(raised_n)),
            grouped(min),
            tidy(raised)
        ));
    }
    if let (true, Some(max)) = (capped_n > 0, terms.max) {
        parts.push(PricePart::new(
            PartKind::Maximum,
            Decimal::from(capped_n),
            max,
            capped,
        ));
        texts.push(format!(
            "{} capped at the {} maximum (−{})",
            grouped(Decimal::from(capped_n)),
            grouped(max),
            tidy(-capped)
        ));
    }
    let detail = if texts.is_empty() {
        NOTHING.to_owned()
    } else {
        texts.join("; ")
    };
    Ok(Price {
        quantity: Decimal::from(n),
        amount,
        detail,
        parts,
    })
}
