//! Tiers (阶梯): inclusive ranges of whole units, `0-100`, `101-1000`, `1001+`.
//!
//! Tier `i` covers the quantities above the previous tier's `to` up to its own `to`
//! (`(to[i-1], to[i]]`, the first from 0), so a fractional quantity like 100.5 puts 100 units in
//! `0-100` and 0.5 in `101-1000`. A tier is *entered* by its first unit: its flat fee is charged
//! when the quantity exceeds the tier's lower bound, never at zero usage (decision 0011).

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::billing::format::grouped;
use crate::billing::money::{decimal_schema, optional_decimal_schema};
use crate::error::Problem;

/// One tier of a graduated or volume price. JSON:
/// `{"from": 101, "to": 1000, "unit_price": "0.08", "flat_fee": "5.00"}`; the last tier has no
/// `to`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// The first unit of the tier (whole number; the first tier starts at 0 or 1, each next
    /// one right after the previous `to`).
    #[serde(with = "crate::billing::decimal_text")]
    #[schemars(schema_with = "decimal_schema")]
    pub from: Decimal,
    /// The last unit of the tier, inclusive; absent for the last, open-ended tier.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::billing::decimal_text::option"
    )]
    #[schemars(schema_with = "optional_decimal_schema")]
    pub to: Option<Decimal>,
    /// The price of each unit in the tier.
    #[serde(with = "crate::billing::decimal_text")]
    #[schemars(schema_with = "decimal_schema")]
    pub unit_price: Decimal,
    /// A fee charged once when the quantity enters the tier.
    #[serde(
        default,
        skip_serializing_if = "Decimal::is_zero",
        with = "crate::billing::decimal_text"
    )]
    #[schemars(schema_with = "decimal_schema")]
    pub flat_fee: Decimal,
}

impl Tier {
    /// A tier from `from` to `to` (inclusive; `None`: no end) at `unit_price` per unit.
    pub fn new(from: Decimal, to: Option<Decimal>, unit_price: Decimal) -> Tier {
        Tier {
            from,
            to,
            unit_price,
            flat_fee: Decimal::ZERO,
        }
    }

    /// The same tier with a flat fee charged on entering it.
    pub fn with_flat_fee(mut self, fee: Decimal) -> Tier {
        self.flat_fee = fee;
        self
    }

    /// `101–1,000` or `1,001+`.
    pub(crate) fn label(&self) -> String {
        match self.to {
            Some(to) => format!("{}–{}", grouped(self.from), grouped(to)),
            None => format!("{}+", grouped(self.from)),
        }
    }
}

/// One tier of a graduated percentage price: the tier's part of the amount pays `rate` percent.
/// JSON: `{"from": 10001, "rate": "0.5", "flat_fee": "10.00"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateTier {
    /// The first unit of the amount in the tier (whole number, as [`Tier::from`]).
    #[serde(with = "crate::billing::decimal_text")]
    #[schemars(schema_with = "decimal_schema")]
    pub from: Decimal,
    /// The last unit, inclusive; absent for the last tier.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "crate::billing::decimal_text::option"
    )]
    #[schemars(schema_with = "optional_decimal_schema")]
    pub to: Option<Decimal>,
    /// The rate in percent (`"0.5"` is 0.5 %).
    #[serde(with = "crate::billing::decimal_text")]
    #[schemars(schema_with = "decimal_schema")]
    pub rate: Decimal,
    /// A fee charged once when the amount enters the tier.
    #[serde(
        default,
        skip_serializing_if = "Decimal::is_zero",
        with = "crate::billing::decimal_text"
    )]
    #[schemars(schema_with = "decimal_schema")]
    pub flat_fee: Decimal,
}

impl RateTier {
    /// The same bounds as a [`Tier`] whose unit price is the rate (for the shared walk).
    pub(crate) fn as_tier(&self) -> Tier {
        Tier {
            from: self.from,
            to: self.to,
            unit_price: self.rate,
            flat_fee: self.flat_fee,
        }
    }
}

/// The bounds `(lower, upper]` of each tier: lower is the previous tier's `to` (0 first).
pub(crate) fn bounds(tiers: &[Tier]) -> impl Iterator<Item = (Decimal, Option<Decimal>, &Tier)> {
    let mut lower = Decimal::ZERO;
    tiers.iter().map(move |t| {
        let this = lower;
        lower = t.to.unwrap_or(Decimal::MAX);
        (this, t.to, t)
    })
}

/// Every problem of a tier list, under `at` (`…tiers[2].from`). `price_name` is what the tier's
/// `unit_price` means (`unit_price` or `rate`), for messages.
pub(crate) fn problems(tiers: &[Tier], at: &str, price_name: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    if tiers.is_empty() {
        out.push(Problem::new(at, "a tiered price needs at least one tier"));
        return out;
    }
    // `None` before the first tier; `Some(None)` after an open-ended one (already reported).
    let mut previous_to: Option<Option<Decimal>> = None;
    for (i, t) in tiers.iter().enumerate() {
        let here = format!("{at}[{i}]");
        let last = i + 1 == tiers.len();
        if !t.from.is_integer() || t.from.is_sign_negative() {
            out.push(Problem::new(
                format!("{here}.from"),
                format!("from is {}; tiers start at a whole number of units", t.from),
            ));
        }
        match previous_to {
            None if t.from > Decimal::ONE => out.push(Problem::new(
                format!("{here}.from"),
                format!("the first tier starts at {}; start it at 0 or 1", t.from),
            )),
            Some(Some(p)) if Some(t.from) != p.checked_add(Decimal::ONE) => out.push(Problem::new(
                format!("{here}.from"),
                format!(
                    "from is {}, but the previous tier ends at {p}; tiers are inclusive \
                         ranges without gaps, so this one starts right after it",
                    t.from
                ),
            )),
            _ => {}
        }
        match t.to {
            Some(to) if !to.is_integer() || to < t.from.max(Decimal::ONE) => {
                out.push(Problem::new(
                    format!("{here}.to"),
                    format!(
                        "to is {to}; a tier ends at a whole number of units, at or after its \
                         from (and above 0)"
                    ),
                ))
            }
            Some(_) if last => out.push(Problem::new(
                format!("{here}.to"),
                "the last tier is open-ended: remove its `to` so every quantity has a tier",
            )),
            None if !last => out.push(Problem::new(
                format!("{here}.to"),
                "only the last tier may be open-ended; give this one a `to`",
            )),
            _ => {}
        }
        if t.unit_price.is_sign_negative() && !t.unit_price.is_zero() {
            out.push(Problem::new(
                format!("{here}.{price_name}"),
                format!("{price_name} is {}; it must be zero or more", t.unit_price),
            ));
        }
        if t.flat_fee.is_sign_negative() && !t.flat_fee.is_zero() {
            out.push(Problem::new(
                format!("{here}.flat_fee"),
                format!("flat_fee is {}; it must be zero or more", t.flat_fee),
            ));
        }
        previous_to = Some(t.to);
    }
    out
}
