//! Plans and editions (套餐 / 版本): a fee per interval, seats, included quotas and overage
//! charges; and the per-subscription overrides of a custom deal (定制).

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::charge::ChargeModel;
use super::meter::{Aggregation, Meter};
use super::money::{Currency, decimal_schema, optional_decimal_schema};
use super::period::Interval;
use crate::error::{Error, ErrorKind, Problem, Result};

/// The longest free trial, in days (ten years): more is a typo.
pub const MAX_TRIAL_DAYS: u32 = 3_650;

/// An edition a customer subscribes to. Playbook shape (`pricing.plans[]`):
///
/// ```json
/// {"id": "pro", "name": "Pro", "currency": "CNY", "interval": "month", "fee": "999.00",
///  "seat_price": "99.00", "included_seats": 5, "trial_days": 14,
///  "minimum_commitment": "1500.00",
///  "charges": [{"id": "sms", "meter": "sms", "included": 1000,
///               "price": {"model": "standard", "unit_price": "0.05"}}]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Plan {
    /// The plan's id; subscriptions name it.
    pub id: String,
    /// The display name, used in invoice lines.
    pub name: String,
    /// The currency of every amount of the plan.
    pub currency: Currency,
    /// How long a billing period is.
    pub interval: Interval,
    /// The subscription fee per period (zero for a usage-only plan).
    #[serde(
        default,
        skip_serializing_if = "Decimal::is_zero",
        with = "super::decimal_text"
    )]
    #[schemars(schema_with = "decimal_schema")]
    pub fee: Decimal,
    /// The fee per seat beyond `included_seats`, per period; absent when seats are not billed.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::decimal_text::option"
    )]
    #[schemars(schema_with = "optional_decimal_schema")]
    pub seat_price: Option<Decimal>,
    /// Seats the fee covers.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub included_seats: u32,
    /// Days of free trial from the start of a subscription (the fee starts after it; usage is
    /// billed during it).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub trial_days: u32,
    /// The least a period bills before discounts; a true-up line makes up the difference.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::decimal_text::option"
    )]
    #[schemars(schema_with = "optional_decimal_schema")]
    pub minimum_commitment: Option<Decimal>,
    /// Usage charges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub charges: Vec<PlanCharge>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// A usage charge of a plan: a meter, the units included in the plan, and the price of the rest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PlanCharge {
    /// The charge's id, unique in the plan; overrides name it.
    pub id: String,
    /// The meter whose value is charged.
    pub meter: String,
    /// Units included in the plan each period (the quota, 套餐内用量); the price applies to the
    /// rest (overage).
    #[serde(
        default,
        skip_serializing_if = "Decimal::is_zero",
        with = "super::decimal_text"
    )]
    #[schemars(schema_with = "decimal_schema")]
    pub included: Decimal,
    /// When the charge is billed.
    #[serde(default, skip_serializing_if = "Billing::is_in_arrears")]
    pub billing: Billing,
    /// How the billable quantity is priced.
    pub price: ChargeModel,
}

/// When a usage charge is billed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Billing {
    /// On the period's invoice, on the period's total (default).
    #[default]
    InArrears,
    /// On each event, as it happens (see [`ChargeModel::fees_in_advance`]); not on the period's
    /// invoice.
    InAdvance,
}

impl Billing {
    fn is_in_arrears(&self) -> bool {
        *self == Billing::InArrears
    }
}

/// The terms of a custom deal (定制): any of the plan's terms replaced for one subscription.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PlanOverrides {
    /// A name for invoice lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The fee per period.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::decimal_text::option"
    )]
    #[schemars(schema_with = "optional_decimal_schema")]
    pub fee: Option<Decimal>,
    /// The fee per extra seat.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::decimal_text::option"
    )]
    #[schemars(schema_with = "optional_decimal_schema")]
    pub seat_price: Option<Decimal>,
    /// Seats the fee covers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub included_seats: Option<u32>,
    /// Days of free trial.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trial_days: Option<u32>,
    /// The minimum commitment per period.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::decimal_text::option"
    )]
    #[schemars(schema_with = "optional_decimal_schema")]
    pub minimum_commitment: Option<Decimal>,
    /// Charges changed, by charge id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub charges: BTreeMap<String, ChargeOverride>,
}

/// A custom deal's terms for one charge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ChargeOverride {
    /// Units included.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "super::decimal_text::option"
    )]
    #[schemars(schema_with = "optional_decimal_schema")]
    pub included: Option<Decimal>,
    /// The price.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<ChargeModel>,
}

impl Plan {
    /// The plan with a custom deal's terms applied.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the overrides name a charge the plan does not have, or
    /// the resulting plan is invalid (a negative fee...).
    pub fn with_overrides(&self, overrides: &PlanOverrides, meters: &[Meter]) -> Result<Plan> {
        let mut plan = self.clone();
        let o = overrides;
        if let Some(name) = &o.name {
            plan.name = name.clone();
        }
        plan.fee = o.fee.unwrap_or(plan.fee);
        plan.seat_price = o.seat_price.or(plan.seat_price);
        plan.included_seats = o.included_seats.unwrap_or(plan.included_seats);
        plan.trial_days = o.trial_days.unwrap_or(plan.trial_days);
        plan.minimum_commitment = o.minimum_commitment.or(plan.minimum_commitment);
        for (id, change) in &o.charges {
            let charge = plan
                .charges
                .iter_mut()
                .find(|c| &c.id == id)
                .ok_or_else(|| {
                    Error::at(
                        ErrorKind::Validation,
                        format!("overrides.charges.{id}"),
                        format!("plan {:?} has no charge {id:?}", self.id),
                    )
                })?;
            charge.included = change.included.unwrap_or(charge.included);
            if let Some(price) = &change.price {
                charge.price = price.clone();
            }
        }
        let problems = plan.problems("overrides", meters);
        if problems.is_empty() {
            Ok(plan)
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }

    /// Every problem of the plan under `at` (`plans[0]`), its charges checked against `meters`.
    pub(crate) fn problems(&self, at: &str, meters: &[Meter]) -> Vec<Problem> {
        let mut out = Vec::new();
        if self.name.trim().is_empty() {
            out.push(Problem::new(
                format!("{at}.name"),
                "the name must not be blank",
            ));
        }
        let mut non_negative = |name: &str, v: Option<Decimal>| {
            if let Some(v) = v.filter(|v| v.is_sign_negative() && !v.is_zero()) {
                out.push(Problem::new(
                    format!("{at}.{name}"),
                    format!("{name} is {v}; it must be zero or more"),
                ));
            }
        };
        non_negative("fee", Some(self.fee));
        non_negative("seat_price", self.seat_price);
        non_negative("minimum_commitment", self.minimum_commitment);
        if self.trial_days > MAX_TRIAL_DAYS {
            out.push(Problem::new(
                format!("{at}.trial_days"),
                format!("{} trial days; at most {MAX_TRIAL_DAYS}", self.trial_days),
            ));
        }
        for (i, charge) in self.charges.iter().enumerate() {
            let here = format!("{at}.charges[{i}]");
            if self.charges[..i].iter().any(|c| c.id == charge.id) {
                out.push(Problem::new(
                    format!("{here}.id"),
                    format!("duplicate charge id {:?}", charge.id),
                ));
            }
            out.extend(charge.problems(&here, meters));
        }
        out
    }

    /// The charge with this id.
    pub fn charge(&self, id: &str) -> Option<&PlanCharge> {
        self.charges.iter().find(|c| c.id == id)
    }
}

impl PlanCharge {
    fn problems(&self, at: &str, meters: &[Meter]) -> Vec<Problem> {
        let mut out = self.price.problems(&format!("{at}.price"));
        if self.included.is_sign_negative() && !self.included.is_zero() {
            out.push(Problem::new(
                format!("{at}.included"),
                format!("included is {}; it must be zero or more", self.included),
            ));
        }
        let Some(meter) = meters.iter().find(|m| m.id == self.meter) else {
            out.push(Problem::new(
                format!("{at}.meter"),
                format!("no meter {:?} in pricing.meters", self.meter),
            ));
            return out;
        };
        if self.price.prices_transactions() {
            if meter.aggregation != Aggregation::Sum {
                out.push(Problem::new(
                    format!("{at}.meter"),
                    format!(
                        "a percentage charge prices each event's amount; meter {:?} is a {} meter, \
                         use a sum meter",
                        meter.id,
                        meter.aggregation.name()
                    ),
                ));
            }
            if !self.included.is_zero() {
                out.push(Problem::new(
                    format!("{at}.included"),
                    "a percentage charge has no included units; use free_transactions",
                ));
            }
        }
        if self.billing == Billing::InAdvance {
            if !self.price.allows_in_advance() {
                out.push(Problem::new(
                    format!("{at}.billing"),
                    format!(
                        "a {} charge cannot be billed in advance: its price can fall as usage grows",
                        self.price.name()
                    ),
                ));
            }
            if !matches!(meter.aggregation, Aggregation::Count | Aggregation::Sum) {
                out.push(Problem::new(
                    format!("{at}.billing"),
                    format!(
                        "only count and sum meters can be billed per event; {:?} is a {} meter",
                        meter.id,
                        meter.aggregation.name()
                    ),
                ));
            }
        }
        out
    }
}
