//! Subscriptions (订阅): a customer on a plan from a start date, with seats, a custom deal,
//! coupons, and the changes made since (upgrades, downgrades, seat changes).

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::coupon::AppliedCoupon;
use super::period::{BillingCycle, Interval};
use super::plan::{Plan, PlanOverrides};
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::playbook::Pricing;

/// A customer's subscription. JSON shape:
///
/// ```json
/// {"id": "sub_1", "customer_id": "c1", "plan": "pro", "started_at": "2026-03-16T02:00:00Z",
///  "timezone": "Asia/Shanghai", "anchor": "calendar", "seats": 8,
///  "overrides": {"fee": "899.00"},
///  "coupons": [{"coupon": "first_month_half"}],
///  "changes": [{"at": "2026-04-10T03:00:00Z", "seats": 10},
///              {"at": "2026-05-20T03:00:00Z", "plan": "enterprise"}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Subscription {
    /// The subscription's id.
    pub id: String,
    /// The customer billed.
    pub customer_id: String,
    /// The plan at the start.
    pub plan: String,
    /// When the subscription started.
    pub started_at: DateTime<Utc>,
    /// The customer's IANA timezone: periods, proration days and trial days are counted in it.
    pub timezone: String,
    /// Whether periods follow the calendar or the anniversary of the start (default calendar).
    #[serde(default)]
    pub anchor: Anchor,
    /// Seats at the start.
    #[serde(default)]
    pub seats: u32,
    /// The custom deal's terms at the start, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<PlanOverrides>,
    /// Coupons, applied in this order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<AppliedCoupon>,
    /// Changes in time order. A change takes effect for the whole local day it happens on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<Change>,
}

/// How periods are aligned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Anchor {
    /// Months, quarters and years of the calendar; the first period is prorated (default).
    #[default]
    Calendar,
    /// Periods from the start date (15 March – 14 April ...).
    Anniversary,
}

/// A change to a subscription: a new plan (upgrade, downgrade), a new seat count, new deal terms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Change {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The new plan; its deal terms are `overrides` (none when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    /// The new seat count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seats: Option<u32>,
    /// New deal terms (for the new plan, or the current one when `plan` is absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overrides: Option<PlanOverrides>,
}

/// The terms in force on a day: plan, deal and seats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Terms<'a> {
    pub plan_id: &'a str,
    pub overrides: Option<&'a PlanOverrides>,
    pub seats: u32,
}

/// From which local day terms are in force.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step<'a> {
    pub from: NaiveDate,
    pub terms: Terms<'a>,
}

impl Subscription {
    /// Reads a subscription from JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`] for malformed JSON, [`ErrorKind::Validation`] for a wrong field.
    pub fn from_json(text: &str) -> Result<Subscription> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| crate::error::json_parse_error("subscription", "JSON", &e))?;
        serde_json::from_value(value)
            .map_err(|e| Error::at(ErrorKind::Validation, "subscription", e.to_string()))
    }

    /// The customer's timezone.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] at `timezone` for an unknown IANA name.
    pub fn tz(&self) -> Result<Tz> {
        self.timezone.parse().map_err(|_| {
            Error::at(
                ErrorKind::Validation,
                "timezone",
                format!(
                    "unknown timezone {:?}, expected an IANA name such as \"Asia/Shanghai\"",
                    self.timezone
                ),
            )
        })
    }

    /// The local day the subscription started.
    pub(crate) fn start_date(&self, tz: Tz) -> NaiveDate {
        self.started_at.with_timezone(&tz).date_naive()
    }

    /// The grid of billing periods.
    pub(crate) fn cycle(&self, interval: Interval, tz: Tz) -> BillingCycle {
        match self.anchor {
            Anchor::Calendar => BillingCycle::calendar(interval),
            Anchor::Anniversary => BillingCycle::anniversary(interval, self.start_date(tz)),
        }
    }

    /// The terms from the start, then after each change that happened by `now`, in order.
    pub(crate) fn steps(&self, tz: Tz, now: DateTime<Utc>) -> Vec<Step<'_>> {
        let mut terms = Terms {
            plan_id: &self.plan,
            overrides: self.overrides.as_ref(),
            seats: self.seats,
        };
        let mut steps = vec![Step {
            from: self.start_date(tz),
            terms,
        }];
        for change in self.changes.iter().filter(|c| c.at <= now) {
            if let Some(plan) = &change.plan {
                terms.plan_id = plan;
                terms.overrides = change.overrides.as_ref();
            } else if let Some(o) = &change.overrides {
                terms.overrides = Some(o);
            }
            if let Some(seats) = change.seats {
                terms.seats = seats;
            }
            steps.push(Step {
                from: change.at.with_timezone(&tz).date_naive(),
                terms,
            });
        }
        steps
    }

    /// Every problem of the subscription against the catalog, under `at`.
    pub(crate) fn problems(&self, pricing: &Pricing, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        for (name, value) in [("id", &self.id), ("customer_id", &self.customer_id)] {
            if value.trim().is_empty() {
                out.push(Problem::new(
                    format!("{at}.{name}"),
                    format!("{name} must not be empty"),
                ));
            }
        }
        if let Err(e) = self.tz() {
            out.extend(prefix(&e, at));
        }
        let first = pricing.plan(&self.plan);
        if first.is_none() {
            out.push(unknown_plan(&format!("{at}.plan"), &self.plan));
        }
        let mut previous = self.started_at;
        for (i, change) in self.changes.iter().enumerate() {
            let here = format!("{at}.changes[{i}]");
            if change.at < previous {
                out.push(Problem::new(
                    format!("{here}.at"),
                    format!(
                        "change at {} comes before {}; list changes in time order, after the start",
                        change.at.to_rfc3339(),
                        previous.to_rfc3339()
                    ),
                ));
            }
            previous = previous.max(change.at);
            if let Some(id) = &change.plan {
                match (pricing.plan(id), first) {
                    (None, _) => out.push(unknown_plan(&format!("{here}.plan"), id)),
                    (Some(p), Some(f)) if p.currency != f.currency || p.interval != f.interval => {
                        out.push(Problem::new(
                            format!("{here}.plan"),
                            format!(
                                "plan {id:?} bills {} per {}, plan {:?} {} per {}: a change keeps \
                                 the currency and interval; start a new subscription instead",
                                p.currency, p.interval, f.id, f.currency, f.interval
                            ),
                        ));
                    }
                    _ => {}
                }
            }
        }
        for (i, c) in self.coupons.iter().enumerate() {
            if pricing.coupon(&c.coupon).is_none() {
                out.push(Problem::new(
                    format!("{at}.coupons[{i}].coupon"),
                    format!("no coupon {:?} in pricing.coupons", c.coupon),
                ));
            }
        }
        out
    }
}

/// The plan of `terms` with its deal applied.
pub(crate) fn effective_plan(pricing: &Pricing, terms: &Terms<'_>) -> Result<Plan> {
    let plan = pricing.plan(terms.plan_id).ok_or_else(|| {
        Error::with_problems(
            ErrorKind::Validation,
            vec![unknown_plan("plan", terms.plan_id)],
        )
    })?;
    match terms.overrides {
        Some(o) => plan.with_overrides(o, pricing.meters()),
        None => Ok(plan.clone()),
    }
}

fn unknown_plan(at: &str, id: &str) -> Problem {
    Problem::new(at.to_owned(), format!("no plan {id:?} in pricing.plans"))
}

fn prefix(e: &Error, at: &str) -> Vec<Problem> {
    e.problems()
        .iter()
        .map(|p| Problem::new(crate::playbook::path_field(at, &p.path), p.message.clone()))
        .collect()
}
