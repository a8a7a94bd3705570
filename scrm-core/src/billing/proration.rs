//! Proration by days in the customer's timezone (decision 0012): the fee and seat lines of a
//! period, for a mid-period start, a free trial ending mid-period, seat changes, upgrades and
//! downgrades.
//!
//! A day is a local calendar day; a period of N days bills `fee × days / N`. A start or a change
//! takes effect for the whole local day it happens on (the day is billed once, on the new terms).
//! A change mid-period credits the unused rest of the old terms and charges the rest on the new
//! ones, as two lines, each rounded; a seat change alone charges or credits the difference.

use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::exact;
use super::format::grouped;
use super::invoice::{Days, InvoiceLine, LineKind};
use super::money::Currency;
use super::period::Period;
use super::plan::Plan;
use super::subscription::{Step, Subscription, Terms, effective_plan};
use crate::error::{Error, ErrorKind, Result};
use crate::playbook::Pricing;

/// The fee lines of a period, and the plans in force over its billed days.
pub(crate) struct Fees {
    /// Trial, fee, seat and proration lines.
    pub lines: Vec<InvoiceLine>,
    /// Each plan in force after the start and any trial, with its number of days, in order.
    pub segments: Vec<(Plan, i64)>,
}

/// The fee lines of `period` and the plans billed on its days.
pub(crate) fn fee_lines(
    pricing: &Pricing,
    sub: &Subscription,
    tz: Tz,
    period: &Period,
    steps: &[Step<'_>],
    currency: Currency,
) -> Result<Fees> {
    let (d0, d1) = (period.first_day(), period.end_date());
    let start = sub.start_date(tz);
    if start >= d1 {
        return Err(Error::at(
            ErrorKind::Validation,
            "period",
            format!(
                "the period {period} ends before the subscription starts on {start}; nothing to bill"
            ),
        ));
    }
    let first = steps
        .first()
        .ok_or_else(|| Error::internal("a subscription without terms"))?;
    let trial_days = effective_plan(pricing, &first.terms)?.trial_days;
    let trial_end = start
        .checked_add_days(chrono::Days::new(u64::from(trial_days)))
        .ok_or_else(|| {
            Error::at(
                ErrorKind::Validation,
                "trial_days",
                "the trial ends too far in the future",
            )
        })?;
    let service_from = start.max(d0);
    let billed_from = trial_end.max(service_from);
    let mut lines = Vec::new();

    if trial_end > service_from {
        let to = trial_end.min(d1);
        let days = (to - service_from).num_days();
        let mut line = InvoiceLine::new(
            LineKind::Trial,
            "Free trial".to_owned(),
            format!(
                "Free trial, {service_from} – {} ({days} of {trial_days} days, no fee)",
                last_day(to)
            ),
            Decimal::from(days),
            Some(Decimal::ZERO),
            Decimal::ZERO,
            currency,
        );
        line.days = Some(Days {
            billed: days,
            of: period.days(),
        });
        lines.push(line);
    }
    if billed_from >= d1 {
        return Ok(Fees {
            lines,
            segments: Vec::new(),
        });
    }

    let days = |from: NaiveDate| period.days_from(from);
    let terms_on = |date: NaiveDate| -> Terms<'_> {
        steps
            .iter()
            .take_while(|s| s.from <= date)
            .last()
            .map_or(first.terms, |s| s.terms)
    };
    let mut terms = terms_on(billed_from);
    let mut plan = effective_plan(pricing, &terms)?;
    check_currency(&plan, currency)?;
    let ctx = Ctx { period, currency };
    lines.extend(ctx.plan_lines(
        &plan,
        terms.seats,
        billed_from,
        days(billed_from),
        Role::Start,
    )?);
    let mut segments = Vec::new();
    let mut segment_from = billed_from;

    for step in steps.iter().filter(|s| billed_from < s.from && s.from < d1) {
        let next = effective_plan(pricing, &step.terms)?;
        check_currency(&next, currency)?;
        let rest = days(step.from);
        if same_fees(&plan, &next) && step.terms.plan_id == terms.plan_id {
            lines.extend(ctx.seat_change(&plan, terms.seats, step.terms.seats, step.from, rest)?);
        } else {
            lines.extend(ctx.plan_lines(&plan, terms.seats, step.from, rest, Role::Unused)?);
            lines.extend(ctx.plan_lines(
                &next,
                step.terms.seats,
                step.from,
                rest,
                Role::Changed,
            )?);
        }
        segments.push((plan, (step.from - segment_from).num_days()));
        segment_from = step.from;
        terms = step.terms;
        plan = next;
    }
    segments.push((plan, (d1 - segment_from).num_days()));
    Ok(Fees { lines, segments })
}

/// Whether two plans bill the same fee and seats (a change between them moves no money).
fn same_fees(a: &Plan, b: &Plan) -> bool {
    a.fee == b.fee
        && a.seat_price == b.seat_price
        && a.included_seats == b.included_seats
        && a.name == b.name
}

fn check_currency(plan: &Plan, currency: Currency) -> Result<()> {
    if plan.currency == currency {
        Ok(())
    } else {
        Err(Error::at(
            ErrorKind::Validation,
            "plan",
            format!(
                "plan {:?} bills in {}, the subscription in {currency}: cannot mix currencies on \
                 one invoice",
                plan.id, plan.currency
            ),
        ))
    }
}

/// Why plan lines are written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The terms in force from the start of the billed part of the period.
    Start,
    /// The old terms' unused rest, credited.
    Unused,
    /// The new terms' rest, charged.
    Changed,
}

struct Ctx<'a> {
    period: &'a Period,
    currency: Currency,
}

impl Ctx<'_> {
    /// The fee and seat lines of `plan` with `seats`, for `days` from `from`.
    fn plan_lines(
        &self,
        plan: &Plan,
        seats: u32,
        from: NaiveDate,
        days: i64,
        role: Role,
    ) -> Result<Vec<InvoiceLine>> {
        let mut out = Vec::new();
        let (fee_kind, seat_kind, sign, lead) = match role {
            Role::Start => (LineKind::SubscriptionFee, LineKind::Seats, Decimal::ONE, ""),
            Role::Unused => (
                LineKind::ProrationCredit,
                LineKind::ProrationCredit,
                Decimal::NEGATIVE_ONE,
                "Unused ",
            ),
            Role::Changed => (
                LineKind::ProrationCharge,
                LineKind::ProrationCharge,
                Decimal::ONE,
                "",
            ),
        };
        if !plan.fee.is_zero() {
            let what = format!("{lead}{} plan fee {}", plan.name, grouped(plan.fee));
            out.push(self.line(
                fee_kind,
                &plan.name,
                what,
                Decimal::ONE,
                plan.fee,
                sign,
                from,
                days,
            )?);
        }
        if let Some(price) = plan.seat_price {
            let extra = seats.saturating_sub(plan.included_seats);
            if extra > 0 {
                let what = format!(
                    "{lead}{} beyond the {} included on {} × {}",
                    seats_text(extra),
                    plan.included_seats,
                    plan.name,
                    grouped(price)
                );
                let label = format!("{} seats", plan.name);
                out.push(self.line(
                    seat_kind,
                    &label,
                    what,
                    Decimal::from(extra),
                    price,
                    sign,
                    from,
                    days,
                )?);
            }
        }
        Ok(out)
    }

    /// The lines of a seat change alone: the extra seats' difference, for `days` from `from`.
    fn seat_change(
        &self,
        plan: &Plan,
        before: u32,
        after: u32,
        from: NaiveDate,
        days: i64,
    ) -> Result<Vec<InvoiceLine>> {
        let Some(price) = plan.seat_price else {
            return Ok(Vec::new());
        };
        let old = before.saturating_sub(plan.included_seats);
        let new = after.saturating_sub(plan.included_seats);
        let label = format!("{} seats", plan.name);
        let line = if new > old {
            let what = format!("{} more × {}", seats_text(new - old), grouped(price));
            self.line(
                LineKind::ProrationCharge,
                &label,
                what,
                Decimal::from(new - old),
                price,
                Decimal::ONE,
                from,
                days,
            )?
        } else if new < old {
            let what = format!("{} fewer × {}", seats_text(old - new), grouped(price));
            self.line(
                LineKind::ProrationCredit,
                &label,
                what,
                Decimal::from(old - new),
                price,
                Decimal::NEGATIVE_ONE,
                from,
                days,
            )?
        } else {
            return Ok(Vec::new());
        };
        Ok(vec![line])
    }

    /// `sign × quantity × price × days / period days`, rounded at the line.
    #[allow(clippy::too_many_arguments)]
    fn line(
        &self,
        kind: LineKind,
        description: &str,
        what: String,
        quantity: Decimal,
        price: Decimal,
        sign: Decimal,
        from: NaiveDate,
        days: i64,
    ) -> Result<InvoiceLine> {
        let of = self.period.days();
        let full = exact::mul(exact::mul(quantity, price, "fee")?, sign, "fee")?;
        let (precise, explanation) = if days == of {
            (full, format!("{what}, {}", self.period))
        } else {
            let part = exact::div(
                exact::mul(full, Decimal::from(days), "fee")?,
                Decimal::from(of),
                "fee",
            )?;
            let span = format!("{from} – {}", self.period.last_day());
            (part, format!("{what} × {days}/{of} days ({span})"))
        };
        let unit = if days == of { Some(sign * price) } else { None };
        let mut line = InvoiceLine::new(
            kind,
            description.to_owned(),
            explanation,
            quantity,
            unit,
            precise,
            self.currency,
        );
        if days != of {
            line.days = Some(Days { billed: days, of });
        }
        Ok(line)
    }
}

fn seats_text(n: u32) -> String {
    if n == 1 {
        "1 seat".to_owned()
    } else {
        format!("{} seats", grouped(Decimal::from(n)))
    }
}

/// The day before `end` (the last day of a span ending before `end`).
fn last_day(end: NaiveDate) -> NaiveDate {
    end.pred_opt().unwrap_or(end)
}
