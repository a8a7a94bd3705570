//! Statements: the invoices of consecutive periods of one subscription, with what is left of
//! each fixed once coupon carried from one to the next.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{Invoice, Usage};
use crate::billing::money::Money;
use crate::error::{Error, ErrorKind, Result};
use crate::playbook::Pricing;

/// The most periods one statement covers (a hundred years of months).
const MAX_PERIODS: usize = 1_200;

/// The invoices of a subscription from its first period through the one containing `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// The subscription.
    pub subscription_id: String,
    /// One invoice per period, in order.
    pub invoices: Vec<Invoice>,
    /// The sum of the invoices' totals.
    pub total: Money,
}

impl Pricing {
    /// The statement of `subscription` from its first period through the one containing `now`,
    /// with the usage of each period keyed by the period's first local day (`"2026-03-01"`;
    /// a period without an entry used nothing). A fixed once coupon's remainder carries from
    /// each invoice to the next.
    ///
    /// # Errors
    ///
    /// As [`Pricing::invoice`]; also when usage is given for a day that starts no period, or
    /// the statement would cover more than 1,200 periods.
    pub fn statement(
        &self,
        subscription: &crate::billing::subscription::Subscription,
        usage: &BTreeMap<NaiveDate, Usage>,
        now: DateTime<Utc>,
    ) -> Result<Statement> {
        let problems = subscription.problems(self, "subscription");
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        let tz = subscription.tz()?;
        let plan = self
            .plan(&subscription.plan)
            .ok_or_else(|| Error::at(ErrorKind::Validation, "subscription.plan", "unknown plan"))?;
        let cycle = subscription.cycle(plan.interval, tz);
        let mut period = cycle.period(subscription.started_at, tz)?;
        let mut remaining: Vec<Option<Money>> =
            subscription.coupons.iter().map(|c| c.remaining).collect();
        let empty = Usage::new();
        let mut invoices = Vec::new();
        let mut used_days = Vec::new();
        while period.start() <= now {
            if invoices.len() >= MAX_PERIODS {
                return Err(Error::at(
                    ErrorKind::Validation,
                    "now",
                    format!("a statement covers at most {MAX_PERIODS} periods"),
                ));
            }
            let day = period.first_day();
            let this = usage.get(&day).unwrap_or(&empty);
            used_days.push(day);
            let invoice =
                self.invoice_in(subscription, this, &period, cycle, tz, now, &remaining)?;
            for (slot, used) in remaining.iter_mut().zip(&invoice.coupons) {
                if used.remaining.is_some() {
                    *slot = used.remaining;
                }
            }
            invoices.push(invoice);
            period = cycle.next(&period, tz)?;
        }
        if let Some(day) = usage.keys().find(|d| !used_days.contains(d)) {
            return Err(Error::at(
                ErrorKind::Validation,
                format!("usage.{day}"),
                format!(
                    "usage for {day}, which is not the first day of a billed period of this \
                     subscription; key usage by each period's first local day"
                ),
            ));
        }
        let currency = plan.currency;
        let total = Money::sum(currency, invoices.iter().map(|i| i.total))?;
        Ok(Statement {
            subscription_id: subscription.id.clone(),
            invoices,
            total,
        })
    }
}
