//! Coupons (优惠券): a percent or a fixed amount off, once, for N periods, or forever. Seed 002
//! sells a discounted first month instead of a free trial: a `percent` coupon with `once`.
//!
//! A fixed coupon used once carries what it could not use forward to the next invoices until it
//! is spent; a recurring fixed coupon gives up to its amount each period and loses the rest
//! (DOMAIN.md 7). Coupons apply after the minimum-commitment true-up, in the order the
//! subscription lists them, each to what the earlier ones left, and never below zero.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::exact;
use super::format::{grouped, tidy};
use super::money::{Currency, Money, optional_decimal_schema};
use crate::error::{Error, ErrorKind, Problem, Result};

/// A coupon of the catalog (`pricing.coupons[]`). Exactly one of `percent` and `amount`:
///
/// ```json
/// {"id": "first_month_half", "percent": "50", "duration": "once"}
/// {"id": "welcome100", "amount": {"amount": "100.00", "currency": "CNY"}, "duration": "once"}
/// {"id": "loyal", "amount": {"amount": "20.00", "currency": "CNY"}, "duration": "periods",
///  "periods": 3}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Coupon {
    /// The coupon's id; subscriptions name it.
    pub id: String,
    /// A display name for invoice lines (default: the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Percent off (`"20"` is 20 %), above 0 and at most 100.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::decimal_text::option"
    )]
    #[schemars(schema_with = "optional_decimal_schema")]
    pub percent: Option<Decimal>,
    /// A fixed amount off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// How long it applies.
    pub duration: CouponDuration,
    /// For `duration = "periods"`: how many billing periods, starting with the one it is
    /// applied in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periods: Option<u32>,
}

/// How long a coupon applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CouponDuration {
    /// The period it is applied in; a fixed amount left over carries to later periods.
    Once,
    /// `periods` billing periods, starting with the one it is applied in.
    Periods,
    /// Every period from the one it is applied in.
    Forever,
}

/// The most periods a recurring coupon may last (a hundred years of months).
pub const MAX_COUPON_PERIODS: u32 = 1_200;

/// What a coupon takes off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Discount {
    /// A percent of what is due.
    Percent(Decimal),
    /// A fixed amount.
    Fixed(Money),
}

impl Coupon {
    /// What the coupon takes off.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the coupon is invalid (see its problems).
    pub fn discount(&self) -> Result<Discount> {
        let problems = self.problems("coupon");
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        match (self.percent, self.amount) {
            (Some(p), None) => Ok(Discount::Percent(p)),
            (None, Some(a)) => Ok(Discount::Fixed(a)),
            _ => Err(Error::at(ErrorKind::Validation, "coupon", "no discount")),
        }
    }

    /// The name shown on invoices.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// Every problem of the coupon, under `at`.
    pub(crate) fn problems(&self, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        match (self.percent, self.amount) {
            (Some(_), Some(_)) | (None, None) => out.push(Problem::new(
                at.to_owned(),
                "give exactly one of `percent` and `amount`",
            )),
            (Some(p), None) if p <= Decimal::ZERO || p > Decimal::ONE_HUNDRED => {
                out.push(Problem::new(
                    format!("{at}.percent"),
                    format!("percent is {p}; it must be above 0 and at most 100"),
                ));
            }
            (None, Some(a)) if a.amount() <= Decimal::ZERO => out.push(Problem::new(
                format!("{at}.amount"),
                format!("amount is {a}; it must be above zero"),
            )),
            _ => {}
        }
        match (self.duration, self.periods) {
            (CouponDuration::Periods, None) => out.push(Problem::new(
                format!("{at}.periods"),
                "a coupon for a number of periods needs `periods`",
            )),
            (CouponDuration::Periods, Some(n)) if n == 0 || n > MAX_COUPON_PERIODS => {
                out.push(Problem::new(
                    format!("{at}.periods"),
                    format!("periods is {n}; give 1 to {MAX_COUPON_PERIODS}"),
                ))
            }
            (CouponDuration::Once | CouponDuration::Forever, Some(_)) => out.push(Problem::new(
                format!("{at}.periods"),
                "`periods` goes only with duration \"periods\"",
            )),
            _ => {}
        }
        out
    }
}

/// A coupon applied to a subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AppliedCoupon {
    /// The coupon's id in the catalog.
    pub coupon: String,
    /// When it was applied (default: the subscription's start); it applies from the period
    /// containing this instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_at: Option<DateTime<Utc>>,
    /// For a fixed `once` coupon: what is left of it, as the previous invoice reported (default:
    /// the whole amount). Statements track it themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remaining: Option<Money>,
}

impl AppliedCoupon {
    /// The coupon `id` applied at `at`.
    pub fn new(id: &str, at: Option<DateTime<Utc>>) -> AppliedCoupon {
        AppliedCoupon {
            coupon: id.to_owned(),
            applied_at: at,
            remaining: None,
        }
    }
}

/// What one coupon did on one invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CouponUse {
    /// The coupon's id.
    pub coupon: String,
    /// Whether the coupon applies to this period at all.
    pub active: bool,
    /// What it took off (zero or more).
    pub discount: Money,
    /// For a fixed `once` coupon: what is left for later invoices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<Money>,
}

/// Applies one coupon to `due` (what earlier lines and coupons left): the discount (zero or
/// more, at most `due`), what is left of a fixed once coupon, and the explanation.
pub(crate) fn apply(
    coupon: &Coupon,
    remaining: Option<Money>,
    due: Money,
    currency: Currency,
) -> Result<(Money, Option<Money>, String)> {
    let name = coupon.display_name();
    let due_amount = due.amount().max(Decimal::ZERO);
    match coupon.discount()? {
        Discount::Percent(p) => {
            let off = Money::new(
                exact::mul(due_amount, exact::percent(p, "percent")?, "discount")?,
                currency,
            )
            .round();
            let text = format!("Coupon {name}: {}% of {}", grouped(p), tidy(due_amount));
            Ok((off, None, text))
        }
        Discount::Fixed(amount) => {
            if amount.currency() != currency {
                return Err(Error::at(
                    ErrorKind::Validation,
                    format!("coupons.{}", coupon.id),
                    format!(
                        "coupon {:?} is in {}, the invoice in {currency}; a fixed coupon must be \
                         in the invoice's currency",
                        coupon.id,
                        amount.currency()
                    ),
                ));
            }
            let once = coupon.duration == CouponDuration::Once;
            let available = match (once, remaining) {
                (true, Some(r)) => {
                    if r.currency() != currency {
                        return Err(Error::at(
                            ErrorKind::Validation,
                            format!("coupons.{}.remaining", coupon.id),
                            format!("the remaining {r} is not in {currency}"),
                        ));
                    }
                    r.round()
                }
                _ => amount.round(),
            };
            let off = Money::new(available.amount().min(due_amount), currency).round();
            let left = available.checked_sub(off)?;
            let text = if once {
                format!(
                    "Coupon {name}: {} of {} left used, {} carried forward",
                    tidy(off.amount()),
                    tidy(available.amount()),
                    tidy(left.amount())
                )
            } else {
                format!("Coupon {name}: {} off this period", tidy(off.amount()))
            };
            Ok((off, once.then_some(left), text))
        }
    }
}
