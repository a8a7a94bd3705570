//! Charging in advance (预付, per event): each event pays the difference between the rounded
//! cumulative price of the period after it and before it.
//!
//! Rounding the cumulative prices, not the differences, makes the fees of a period add up to
//! exactly the in-arrears amount (the sum telescopes), where rounding each difference would drift
//! by a cent per event (decision 0011). Tiers and packages work event by event: the event that
//! enters a tier pays its flat fee, the event that starts a package pays the whole package.

use rust_decimal::Decimal;
use serde::Serialize;

use super::ChargeModel;
use super::percentage::Terms;
use crate::billing::exact;
use crate::billing::format::grouped;
use crate::billing::money::{Currency, Money};
use crate::error::{Error, ErrorKind, Result};

/// The fee one event pays in advance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdvanceFee {
    /// What the event added (units, or the transaction amount).
    #[serde(with = "crate::billing::decimal_text")]
    pub quantity: Decimal,
    /// The period's cumulative quantity after the event (units, or transactions so far).
    #[serde(with = "crate::billing::decimal_text")]
    pub cumulative: Decimal,
    /// The rounded cumulative price before the event (already billed).
    pub before: Money,
    /// The rounded cumulative price after the event.
    pub after: Money,
    /// `after − before`: what this event pays.
    pub amount: Money,
    /// The calculation in words.
    pub explanation: String,
}

impl ChargeModel {
    /// The fees of `events` charged in advance, after `prior` events of the same period (both in
    /// time order: units per event, or transaction amounts for a percentage charge), with the
    /// first `included` units of the period free. The fees sum to the rounded in-arrears price of
    /// all the events minus that of the prior ones.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for a volume charge (its price can fall as usage grows), a
    /// negative event, included units on a percentage charge, or an overflow.
    pub fn fees_in_advance(
        &self,
        prior: &[Decimal],
        events: &[Decimal],
        included: Decimal,
        currency: Currency,
        unit: &str,
    ) -> Result<Vec<AdvanceFee>> {
        self.check()?;
        if !self.allows_in_advance() {
            return Err(Error::at(
                ErrorKind::Validation,
                "billing",
                format!(
                    "a {} charge cannot be billed in advance: its price can fall as usage grows",
                    self.name()
                ),
            ));
        }
        if let Some((i, e)) = events
            .iter()
            .chain(prior)
            .enumerate()
            .find(|(_, e)| e.is_sign_negative() && !e.is_zero())
        {
            return Err(Error::at(
                ErrorKind::Validation,
                format!("events[{i}]"),
                format!("an event adds {e}; events billed in advance add zero or more"),
            ));
        }
        if self.prices_transactions() {
            if !included.is_zero() {
                return Err(Error::at(
                    ErrorKind::Validation,
                    "included",
                    "a percentage charge has no included units",
                ));
            }
            transactions(self, prior, events, currency, unit)
        } else {
            units(self, prior, events, included, currency, unit)
        }
    }
}

fn units(
    model: &ChargeModel,
    prior: &[Decimal],
    events: &[Decimal],
    included: Decimal,
    currency: Currency,
    unit: &str,
) -> Result<Vec<AdvanceFee>> {
    let cumulative_price = |q: Decimal| -> Result<Money> {
        let billable = exact::sub(q, included, "usage")?.max(Decimal::ZERO);
        Ok(Money::new(model.price_units(billable)?.amount, currency).round())
    };
    let mut q = exact::sum(prior.iter().copied(), "prior")?;
    let mut before = cumulative_price(q)?;
    let mut out = Vec::with_capacity(events.len());
    for &e in events {
        let next = exact::add(q, e, "events")?;
        let after = cumulative_price(next)?;
        let amount = after.checked_sub(before)?;
        out.push(AdvanceFee {
            quantity: e,
            cumulative: next,
            before,
            after,
            amount,
            explanation: format!(
                "+{} → {} {unit}: cumulative price {} − {} billed before",
                grouped(e),
                grouped(next),
                grouped(after.amount()),
                grouped(before.amount())
            ),
        });
        q = next;
        before = after;
    }
    Ok(out)
}

fn transactions(
    model: &ChargeModel,
    prior: &[Decimal],
    events: &[Decimal],
    currency: Currency,
    unit: &str,
) -> Result<Vec<AdvanceFee>> {
    let terms = Terms::of(model)?;
    let fee = |position: usize, amount: Decimal| -> Result<Decimal> {
        if terms.is_free(position) {
            Ok(Decimal::ZERO)
        } else {
            terms.fee(amount).map(|(f, _)| f)
        }
    };
    let mut exact_total = Decimal::ZERO;
    for (i, &t) in prior.iter().enumerate() {
        exact_total = exact::add(exact_total, fee(i, t)?, "prior")?;
    }
    let mut before = Money::new(exact_total, currency).round();
    let mut out = Vec::with_capacity(events.len());
    for (k, &t) in events.iter().enumerate() {
        let position = prior.len() + k;
        let this = fee(position, t)?;
        exact_total = exact::add(exact_total, this, "events")?;
        let after = Money::new(exact_total, currency).round();
        let amount = after.checked_sub(before)?;
        let free = if terms.is_free(position) {
            ", free"
        } else {
            ""
        };
        out.push(AdvanceFee {
            quantity: t,
            cumulative: Decimal::from(position + 1),
            before,
            after,
            amount,
            explanation: format!(
                "{unit} #{} of {}{free}: fee {}; cumulative price {} − {} billed before",
                position + 1,
                grouped(t),
                grouped(this),
                grouped(after.amount()),
                grouped(before.amount())
            ),
        });
        before = after;
    }
    Ok(out)
}
