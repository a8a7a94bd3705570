//! Invoices and statements (账单): every line with its quantity, unit price, amount and a plain
//! explanation; rounded half away from zero at each line, so the total is exactly the sum of the
//! lines.

mod build;
mod statement;

#[cfg(test)]
mod proptests;
#[cfg(test)]
pub(crate) mod tests;

use std::collections::BTreeMap;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

pub use statement::Statement;

use super::charge::Quantity;
use super::coupon::CouponUse;
use super::money::{Currency, Money};
use super::period::Period;

/// Usage of one period: meter id → quantity (or transactions, for percentage charges). JSON:
/// `{"sms": "1500", "payments": ["5", "10", "100", "500"]}`.
pub type Usage = BTreeMap<String, Quantity>;

/// The bill of one subscription for one billing period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invoice {
    /// The subscription.
    pub subscription_id: String,
    /// The customer.
    pub customer_id: String,
    /// The plan in force at the end of the period.
    pub plan_id: String,
    /// The period, in the customer's timezone.
    pub period: Period,
    /// `draft` while the period runs (usage so far), `final` once it has ended.
    pub status: InvoiceStatus,
    /// The currency of every amount.
    pub currency: Currency,
    /// The lines, in order: fees, proration, usage, true-up, discounts.
    pub lines: Vec<InvoiceLine>,
    /// The sum of the lines before discounts.
    pub subtotal: Money,
    /// The sum of the discount lines (zero or negative).
    pub discount: Money,
    /// The sum of all lines: what is due (negative: a credit to the customer).
    pub total: Money,
    /// What each of the subscription's coupons did.
    pub coupons: Vec<CouponUse>,
}

/// Whether an invoice's period has ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// The period is still running: usage so far, changes so far.
    Draft,
    /// The period has ended.
    Final,
}

/// One line of an invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceLine {
    /// What the line is.
    pub kind: LineKind,
    /// A short label: the plan or charge name.
    pub description: String,
    /// How the amount was computed, in words and numbers.
    pub explanation: String,
    /// How many: units used, seats, 1 for a fee, transactions for a percentage charge.
    #[serde(with = "crate::billing::decimal_text")]
    pub quantity: Decimal,
    /// The price of one. Where one price does not apply to every unit (tiers, packages,
    /// percentages, proration) it is the average: the exact amount ÷ quantity, rounded half away
    /// from zero to 6 decimal places; the explanation gives the exact calculation.
    #[serde(with = "crate::billing::decimal_text")]
    pub unit_price: Decimal,
    /// The amount, rounded half away from zero to the currency's minor unit.
    pub amount: Money,
    /// The amount before rounding.
    #[serde(with = "crate::billing::decimal_text")]
    pub precise_amount: Decimal,
    /// The plan charge the line prices, for usage lines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub charge_id: Option<String>,
    /// For prorated lines: the days billed out of the days of the period.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<Days>,
}

/// Days billed out of a period's days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Days {
    /// Days billed.
    pub billed: i64,
    /// Days in the period.
    pub of: i64,
}

/// The kind of an invoice line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LineKind {
    /// The plan's fee for the period (prorated from a mid-period start or a trial's end).
    SubscriptionFee,
    /// Seats beyond those the fee covers.
    Seats,
    /// Free-trial days (amount zero).
    Trial,
    /// A charge for the rest of the period after a change (new plan, more seats).
    ProrationCharge,
    /// A credit for the unused rest of the period before a change (old plan, fewer seats).
    ProrationCredit,
    /// A usage charge.
    Usage,
    /// What makes the period's charges reach the minimum commitment.
    CommitmentTrueUp,
    /// A coupon's discount.
    Discount,
}

impl LineKind {
    /// Whether lines of this kind give money back (their amounts are zero or negative).
    pub fn is_credit(self) -> bool {
        matches!(self, LineKind::ProrationCredit | LineKind::Discount)
    }
}

impl InvoiceLine {
    /// Whether the line gives money back.
    pub fn is_credit(&self) -> bool {
        self.kind.is_credit()
    }

    /// A line whose amount is `precise` rounded; the unit price is `unit_price` when given, else
    /// the average.
    pub(crate) fn new(
        kind: LineKind,
        description: String,
        explanation: String,
        quantity: Decimal,
        unit_price: Option<Decimal>,
        precise: Decimal,
        currency: Currency,
    ) -> InvoiceLine {
        let amount = Money::new(precise, currency).round();
        let unit_price = unit_price.unwrap_or_else(|| average(precise, quantity));
        InvoiceLine {
            kind,
            description,
            explanation,
            quantity,
            unit_price,
            amount,
            precise_amount: precise,
            charge_id: None,
            days: None,
        }
    }
}

/// `amount ÷ quantity` to 6 decimal places, half away from zero; zero for no quantity.
fn average(amount: Decimal, quantity: Decimal) -> Decimal {
    if quantity.is_zero() {
        return Decimal::ZERO;
    }
    amount
        .checked_div(quantity)
        .map(|q| {
            q.round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
                .normalize()
        })
        .unwrap_or(Decimal::ZERO)
}
