//! Building one period's invoice: fees and proration, usage, the commitment true-up, coupons.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::{Invoice, InvoiceLine, InvoiceStatus, LineKind, Usage};
use crate::billing::charge::{ChargeModel, Quantity};
use crate::billing::coupon::{self, CouponDuration, CouponUse};
use crate::billing::exact;
use crate::billing::format::{grouped, tidy};
use crate::billing::money::{Currency, Money};
use crate::billing::period::{BillingCycle, Period};
use crate::billing::plan::{Billing, Plan};
use crate::billing::proration::fee_lines;
use crate::billing::subscription::{Subscription, effective_plan};
use crate::error::{Error, ErrorKind, Result};
use crate::playbook::Pricing;

impl Pricing {
    /// The invoice of `subscription` for the billing period that contains `at`, with the
    /// period's `usage`, as known at `now` (changes after `now` are not billed yet; the invoice
    /// is a draft until the period ends).
    ///
    /// Coupons: a fixed `once` coupon starts from its `remaining` amount (default: all of it);
    /// [`CouponUse::remaining`] says what is left for the next invoice. [`Pricing::statement`]
    /// carries it from period to period itself.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the subscription does not fit the catalog (unknown plan,
    /// coupon or meter; mixed currencies), the period is before the start or after `now`, the
    /// usage is of the wrong kind, or an amount overflows.
    pub fn invoice(
        &self,
        subscription: &Subscription,
        usage: &Usage,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Invoice> {
        let problems = subscription.problems(self, "subscription");
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        let tz = subscription.tz()?;
        let first = self
            .plan(&subscription.plan)
            .ok_or_else(|| Error::at(ErrorKind::Validation, "subscription.plan", "unknown plan"))?;
        let cycle = subscription.cycle(first.interval, tz);
        let period = cycle.period(at, tz)?;
        let remaining: Vec<Option<Money>> =
            subscription.coupons.iter().map(|c| c.remaining).collect();
        self.invoice_in(subscription, usage, &period, cycle, tz, now, &remaining)
    }

    /// The invoice of one period, given what is left of each coupon.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn invoice_in(
        &self,
        sub: &Subscription,
        usage: &Usage,
        period: &Period,
        cycle: BillingCycle,
        tz: Tz,
        now: DateTime<Utc>,
        remaining: &[Option<Money>],
    ) -> Result<Invoice> {
        if now < period.start() {
            return Err(Error::at(
                ErrorKind::Validation,
                "now",
                format!(
                    "the period {period} starts after now ({}); bill it once it has begun",
                    now.to_rfc3339()
                ),
            ));
        }
        let currency = self
            .plan(&sub.plan)
            .map(|p| p.currency)
            .ok_or_else(|| Error::at(ErrorKind::Validation, "subscription.plan", "unknown plan"))?;
        let steps = sub.steps(tz, now);
        let fees = fee_lines(self, sub, tz, period, &steps, currency)?;
        let mut lines = fees.lines;

        // Usage is priced on the plan in force on the period's last day (decision 0012).
        let last_day = period.last_day();
        let end_terms = steps
            .iter()
            .take_while(|s| s.from <= last_day)
            .last()
            .map(|s| s.terms)
            .ok_or_else(|| Error::internal("a subscription without terms"))?;
        let plan = effective_plan(self, &end_terms)?;
        self.check_usage(usage)?;
        for charge in plan
            .charges
            .iter()
            .filter(|c| c.billing == Billing::InArrears)
        {
            lines.push(self.usage_line(charge, usage, currency)?);
        }

        if let Some(line) = true_up(&fees.segments, &lines, period, currency)? {
            lines.push(line);
        }
        let subtotal = Money::sum(currency, lines.iter().map(|l| l.amount))?;

        let mut uses = Vec::with_capacity(sub.coupons.len());
        let mut due = subtotal;
        for (i, applied) in sub.coupons.iter().enumerate() {
            let c = self.coupon(&applied.coupon).ok_or_else(|| {
                Error::at(
                    ErrorKind::Validation,
                    format!("subscription.coupons[{i}]"),
                    "unknown coupon",
                )
            })?;
            let from = cycle.period(applied.applied_at.unwrap_or(sub.started_at), tz)?;
            let active = applies(
                c.duration,
                c.periods,
                c.amount.is_some(),
                &from,
                period,
                cycle,
                tz,
            )?;
            let left = remaining.get(i).copied().flatten();
            if !active {
                uses.push(CouponUse {
                    coupon: c.id.clone(),
                    active,
                    discount: Money::zero(currency).round(),
                    remaining: left.or_else(|| {
                        (c.duration == CouponDuration::Once)
                            .then_some(c.amount)
                            .flatten()
                    }),
                });
                continue;
            }
            let (off, left, text) = coupon::apply(c, left, due, currency)?;
            if !off.is_zero() {
                lines.push(InvoiceLine::new(
                    LineKind::Discount,
                    format!("Coupon {}", c.display_name()),
                    text,
                    Decimal::ONE,
                    Some(-off.amount()),
                    -off.amount(),
                    currency,
                ));
            }
            due = due.checked_sub(off)?;
            uses.push(CouponUse {
                coupon: c.id.clone(),
                active,
                discount: off,
                remaining: left,
            });
        }
        let total = Money::sum(currency, lines.iter().map(|l| l.amount))?;
        Ok(Invoice {
            subscription_id: sub.id.clone(),
            customer_id: sub.customer_id.clone(),
            plan_id: plan.id.clone(),
            period: *period,
            status: if now >= period.end() {
                InvoiceStatus::Final
            } else {
                InvoiceStatus::Draft
            },
            currency,
            discount: total.checked_sub(subtotal)?,
            subtotal,
            total,
            lines,
            coupons: uses,
        })
    }

    fn check_usage(&self, usage: &Usage) -> Result<()> {
        match usage
            .keys()
            .find(|id| !self.meters.iter().any(|m| &m.id == *id))
        {
            Some(id) => Err(Error::at(
                ErrorKind::Validation,
                format!("usage.{id}"),
                format!("no meter {id:?} in pricing.meters"),
            )),
            None => Ok(()),
        }
    }

    /// The line of one in-arrears usage charge.
    fn usage_line(
        &self,
        charge: &crate::billing::plan::PlanCharge,
        usage: &Usage,
        currency: Currency,
    ) -> Result<InvoiceLine> {
        let unit = self
            .meters
            .iter()
            .find(|m| m.id == charge.meter)
            .map_or(charge.meter.as_str(), |m| m.unit_name());
        let at = format!("usage.{}", charge.meter);
        let transactions = charge.price.prices_transactions();
        let used = match usage.get(&charge.meter) {
            Some(q) => q.clone(),
            None if transactions => Quantity::Transactions(Vec::new()),
            None => Quantity::Units(Decimal::ZERO),
        };
        let (quantity, billable) = match (&used, transactions) {
            (Quantity::Transactions(t), true) => (Decimal::from(t.len()), used.clone()),
            (Quantity::Units(q), false) => {
                let billable = exact::sub(*q, charge.included, &at)?.max(Decimal::ZERO);
                (*q, Quantity::Units(billable))
            }
            (_, true) => {
                return Err(Error::at(
                    ErrorKind::Validation,
                    at,
                    format!(
                        "charge {:?} is a percentage of each transaction: give the list of \
                         transaction amounts",
                        charge.id
                    ),
                ));
            }
            (_, false) => {
                return Err(Error::at(
                    ErrorKind::Validation,
                    at,
                    format!("charge {:?} prices a quantity: give one number", charge.id),
                ));
            }
        };
        let price = charge
            .price
            .price(&billable)
            .map_err(|e| prefixed(e, &at))?;
        let head = format!("{} {unit}", grouped(quantity));
        let nothing_billable = matches!(billable, Quantity::Units(b) if b.is_zero());
        let explanation = if charge.included.is_zero() {
            format!("{head}: {}", price.detail)
        } else if nothing_billable {
            format!("{head}, within the {} included", grouped(charge.included))
        } else {
            format!(
                "{head}, {} included: {}",
                grouped(charge.included),
                price.detail
            )
        };
        let unit_price = match &charge.price {
            ChargeModel::Standard { unit_price } if charge.included.is_zero() => Some(*unit_price),
            _ => None,
        };
        let mut line = InvoiceLine::new(
            LineKind::Usage,
            charge.id.clone(),
            explanation,
            quantity,
            unit_price,
            price.amount,
            currency,
        );
        line.charge_id = Some(charge.id.clone());
        Ok(line)
    }
}

/// The minimum-commitment true-up: each plan's commitment prorated by the days it was in force
/// (after the start and any trial), minus what the lines so far come to, when that is positive.
fn true_up(
    segments: &[(Plan, i64)],
    lines: &[InvoiceLine],
    period: &Period,
    currency: Currency,
) -> Result<Option<InvoiceLine>> {
    let days = period.days();
    let path = "minimum_commitment";
    let mut weighted = Decimal::ZERO;
    let mut parts = Vec::new();
    for (plan, d) in segments {
        let Some(c) = plan.minimum_commitment.filter(|c| !c.is_zero()) else {
            continue;
        };
        weighted = exact::add(weighted, exact::mul(c, Decimal::from(*d), path)?, path)?;
        parts.push(if *d == days {
            grouped(c)
        } else {
            format!("{} × {d}/{days} days", grouped(c))
        });
    }
    if parts.is_empty() {
        return Ok(None);
    }
    let owed = Money::new(exact::div(weighted, Decimal::from(days), path)?, currency).round();
    let charged = Money::sum(currency, lines.iter().map(|l| l.amount))?;
    let gap = owed.checked_sub(charged)?;
    if gap.amount() <= Decimal::ZERO {
        return Ok(None);
    }
    let explanation = format!(
        "Minimum commitment {} = {}; charges {}; true-up {}",
        parts.join(" + "),
        tidy(owed.amount()),
        tidy(charged.amount()),
        tidy(gap.amount())
    );
    Ok(Some(InvoiceLine::new(
        LineKind::CommitmentTrueUp,
        "Minimum commitment".to_owned(),
        explanation,
        Decimal::ONE,
        Some(gap.amount()),
        gap.amount(),
        currency,
    )))
}

/// Whether a coupon first applied in period `from` applies in `period`.
fn applies(
    duration: CouponDuration,
    periods: Option<u32>,
    fixed: bool,
    from: &Period,
    period: &Period,
    cycle: BillingCycle,
    tz: Tz,
) -> Result<bool> {
    if period.first_day() < from.first_day() {
        return Ok(false);
    }
    Ok(match duration {
        // A fixed once coupon lives on while an amount remains; a percent one only in its period.
        CouponDuration::Once => fixed || period.first_day() == from.first_day(),
        CouponDuration::Forever => true,
        CouponDuration::Periods => {
            let mut p = *from;
            let n = periods.unwrap_or(1);
            let mut inside = false;
            for _ in 0..n {
                if p.first_day() == period.first_day() {
                    inside = true;
                    break;
                }
                p = cycle.next(&p, tz)?;
            }
            inside
        }
    })
}

fn prefixed(error: Error, at: &str) -> Error {
    let problems = error
        .problems()
        .iter()
        .map(|p| {
            crate::error::Problem::new(
                if p.path == "usage" {
                    at.to_owned()
                } else {
                    format!("{at}.{}", p.path)
                },
                p.message.clone(),
            )
        })
        .collect();
    Error::with_problems(error.kind(), problems)
}
