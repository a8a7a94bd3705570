//! Charge models (计费模型): how a quantity of usage becomes an amount (DOMAIN.md 7).
//!
//! Every model returns the exact, unrounded amount with its parts and a plain explanation
//! (`100 × 0.10 + 900 × 0.08 + 5.00 tier fee + 500 × 0.05`); rounding happens once, on the
//! invoice line. Charged in arrears the amount is priced on the period's quantity; charged in
//! advance, each event pays the difference of the rounded cumulative prices before and after it
//! ([`ChargeModel::fees_in_advance`]), so the fees of a period always add up to the in-arrears
//! amount.

mod advance;
mod graduated;
mod graduated_percentage;
mod package;
mod percentage;
mod standard;
mod tiers;
mod volume;

#[cfg(test)]
mod tests;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use advance::AdvanceFee;
pub use tiers::{RateTier, Tier};

use crate::billing::format::grouped;
use crate::billing::money::{decimal_schema, optional_decimal_schema};
use crate::error::{Error, ErrorKind, Problem, Result};

/// A charge model and its prices. JSON, tagged by `model`:
///
/// ```json
/// {"model": "standard", "unit_price": "0.10"}
/// {"model": "graduated", "tiers": [{"from": 0, "to": 100, "unit_price": "0.10"},
///     {"from": 101, "to": 1000, "unit_price": "0.08", "flat_fee": "5.00"},
///     {"from": 1001, "unit_price": "0.05"}]}
/// {"model": "volume", "tiers": [...]}
/// {"model": "package", "size": 1000, "price": "5.00", "free_units": 100}
/// {"model": "percentage", "rate": "2.5", "fixed_fee": "0.30", "free_transactions": 0,
///     "min_fee": "0.50", "max_fee": "5.00"}
/// {"model": "graduated_percentage", "tiers": [{"from": 0, "to": 10000, "rate": "1"}, ...]}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum ChargeModel {
    /// Every unit at one price.
    Standard {
        /// The price per unit.
        #[serde(with = "crate::billing::decimal_text")]
        #[schemars(schema_with = "decimal_schema")]
        unit_price: Decimal,
    },
    /// Each tier's units at that tier's price (阶梯累进), plus each entered tier's flat fee.
    Graduated {
        /// The tiers, in order.
        tiers: Vec<Tier>,
    },
    /// All units at the price of the one tier the quantity reaches (阶梯到达), chosen by the
    /// quantity rounded up (100.5 is in `101-1000`), plus that tier's flat fee.
    Volume {
        /// The tiers, in order.
        tiers: Vec<Tier>,
    },
    /// Units sold in packages of `size` for `price`; a started package is a whole one; the
    /// first `free_units` are free.
    Package {
        /// Units per package.
        #[serde(with = "crate::billing::decimal_text")]
        #[schemars(schema_with = "decimal_schema")]
        size: Decimal,
        /// The price of one package.
        #[serde(with = "crate::billing::decimal_text")]
        #[schemars(schema_with = "decimal_schema")]
        price: Decimal,
        /// Units given free before the first package.
        #[serde(
            default,
            skip_serializing_if = "Decimal::is_zero",
            with = "crate::billing::decimal_text"
        )]
        #[schemars(schema_with = "decimal_schema")]
        free_units: Decimal,
    },
    /// A share of each transaction (支付手续费, CPS-style take rates): `rate` percent plus
    /// `fixed_fee`, clamped to `min_fee ..= max_fee` per transaction (the clamp includes the
    /// fixed part); the first `free_transactions` of the period cost nothing.
    Percentage {
        /// The rate in percent (`"2.5"` is 2.5 %).
        #[serde(with = "crate::billing::decimal_text")]
        #[schemars(schema_with = "decimal_schema")]
        rate: Decimal,
        /// A fixed fee per transaction.
        #[serde(
            default,
            skip_serializing_if = "Decimal::is_zero",
            with = "crate::billing::decimal_text"
        )]
        #[schemars(schema_with = "decimal_schema")]
        fixed_fee: Decimal,
        /// How many transactions of each period are free (in time order).
        #[serde(default, skip_serializing_if = "is_zero_u32")]
        free_transactions: u32,
        /// The least fee per (non-free) transaction.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::billing::decimal_text::option"
        )]
        #[schemars(schema_with = "optional_decimal_schema")]
        min_fee: Option<Decimal>,
        /// The most fee per transaction.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            with = "crate::billing::decimal_text::option"
        )]
        #[schemars(schema_with = "optional_decimal_schema")]
        max_fee: Option<Decimal>,
    },
    /// Graduated tiers over an amount, each at its own rate in percent, plus each entered
    /// tier's flat fee.
    GraduatedPercentage {
        /// The tiers, in order.
        tiers: Vec<RateTier>,
    },
}

fn is_zero_u32(n: &u32) -> bool {
    *n == 0
}

/// What a charge prices: a quantity of units, or the list of transaction amounts a percentage
/// charge prices one by one. JSON: a decimal string or integer (`"1500"`), or a list of them
/// (`["5", "10", "100", "500"]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Quantity {
    /// A number of units (messages, GB, seats...), zero or more.
    Units(Decimal),
    /// Transaction amounts in time order, each zero or more.
    Transactions(Vec<Decimal>),
}

impl Quantity {
    /// The units, or the transactions' total.
    pub fn total(&self) -> Result<Decimal> {
        match self {
            Quantity::Units(q) => Ok(*q),
            Quantity::Transactions(t) => crate::billing::exact::sum(t.iter().copied(), "usage"),
        }
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Quantity::Units(q) => s.serialize_str(&q.to_string()),
            Quantity::Transactions(t) => {
                let texts: Vec<String> = t.iter().map(Decimal::to_string).collect();
                texts.serialize(s)
            }
        }
    }
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Quantity, D::Error> {
        #[derive(Deserialize)]
        struct One(#[serde(with = "crate::billing::decimal_text")] Decimal);
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Shape {
            Many(Vec<serde_json::Value>),
            One(serde_json::Value),
        }
        let one = |v: serde_json::Value| {
            serde_json::from_value::<One>(v)
                .map(|One(d)| d)
                .map_err(serde::de::Error::custom)
        };
        match Shape::deserialize(d)? {
            Shape::Many(items) => items
                .into_iter()
                .map(one)
                .collect::<std::result::Result<Vec<_>, _>>()
                .map(Quantity::Transactions),
            Shape::One(v) => one(v).map(Quantity::Units),
        }
    }
}

/// A priced quantity: the exact amount, its parts, and what they are in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Price {
    /// What was priced: the units, or for a percentage charge the number of transactions.
    #[serde(with = "crate::billing::decimal_text")]
    pub quantity: Decimal,
    /// The exact, unrounded amount.
    #[serde(with = "crate::billing::decimal_text")]
    pub amount: Decimal,
    /// The calculation in words, without the quantity in front:
    /// `100 × 0.10 + 900 × 0.08 + 5.00 tier fee + 500 × 0.05`.
    pub detail: String,
    /// The parts that add up to the amount.
    pub parts: Vec<PricePart>,
}

/// One addend of a price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PricePart {
    /// What the part is.
    pub kind: PartKind,
    /// How many (units, packages, transactions; for a percent part the base amount).
    #[serde(with = "crate::billing::decimal_text")]
    pub quantity: Decimal,
    /// The price of one (for a percent part the rate in percent; for an adjustment the bound).
    #[serde(with = "crate::billing::decimal_text")]
    pub unit_price: Decimal,
    /// The part's exact amount.
    #[serde(with = "crate::billing::decimal_text")]
    pub amount: Decimal,
}

/// The kind of a [`PricePart`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PartKind {
    /// Units at a unit price.
    Units,
    /// A tier's flat fee.
    TierFee,
    /// Free units or transactions (amount zero).
    Free,
    /// Whole packages at the package price.
    Packages,
    /// A percentage of an amount.
    Percent,
    /// Fixed fees per transaction.
    FixedFee,
    /// What raising fees to the per-transaction minimum added.
    Minimum,
    /// What capping fees at the per-transaction maximum took away (negative).
    Maximum,
}

impl PricePart {
    pub(crate) fn new(
        kind: PartKind,
        quantity: Decimal,
        unit_price: Decimal,
        amount: Decimal,
    ) -> Self {
        PricePart {
            kind,
            quantity,
            unit_price,
            amount,
        }
    }
}

impl ChargeModel {
    /// The model's name (`graduated`).
    pub fn name(&self) -> &'static str {
        match self {
            ChargeModel::Standard { .. } => "standard",
            ChargeModel::Graduated { .. } => "graduated",
            ChargeModel::Volume { .. } => "volume",
            ChargeModel::Package { .. } => "package",
            ChargeModel::Percentage { .. } => "percentage",
            ChargeModel::GraduatedPercentage { .. } => "graduated_percentage",
        }
    }

    /// Whether the model prices transactions one by one (percentage) rather than a quantity.
    pub fn prices_transactions(&self) -> bool {
        matches!(self, ChargeModel::Percentage { .. })
    }

    /// Whether the model can be charged in advance per event: every model whose price never
    /// falls as usage grows. Volume cannot (1,000 units may cost more than 1,001).
    pub fn allows_in_advance(&self) -> bool {
        !matches!(self, ChargeModel::Volume { .. })
    }

    /// Every problem of the model, under `at` (`plans[0].charges[1].price`).
    pub fn problems(&self, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        let non_negative = |out: &mut Vec<Problem>, name: &str, v: Decimal| {
            if v.is_sign_negative() && !v.is_zero() {
                out.push(Problem::new(
                    format!("{at}.{name}"),
                    format!("{name} is {v}; it must be zero or more"),
                ));
            }
        };
        match self {
            ChargeModel::Standard { unit_price } => {
                non_negative(&mut out, "unit_price", *unit_price)
            }
            ChargeModel::Graduated { tiers } | ChargeModel::Volume { tiers } => {
                out.extend(tiers::problems(tiers, &format!("{at}.tiers"), "unit_price"));
            }
            ChargeModel::GraduatedPercentage { tiers } => {
                let tiers: Vec<Tier> = tiers.iter().map(RateTier::as_tier).collect();
                out.extend(tiers::problems(&tiers, &format!("{at}.tiers"), "rate"));
            }
            ChargeModel::Package {
                size,
                price,
                free_units,
            } => {
                if *size <= Decimal::ZERO {
                    out.push(Problem::new(
                        format!("{at}.size"),
                        format!("size is {size}; a package holds more than zero units"),
                    ));
                }
                non_negative(&mut out, "price", *price);
                non_negative(&mut out, "free_units", *free_units);
            }
            ChargeModel::Percentage {
                rate,
                fixed_fee,
                min_fee,
                max_fee,
                ..
            } => {
                non_negative(&mut out, "rate", *rate);
                non_negative(&mut out, "fixed_fee", *fixed_fee);
                if let Some(min) = min_fee {
                    non_negative(&mut out, "min_fee", *min);
                }
                if let Some(max) = max_fee {
                    non_negative(&mut out, "max_fee", *max);
                }
                if let (Some(min), Some(max)) = (min_fee, max_fee) {
                    if min > max {
                        out.push(Problem::new(
                            format!("{at}.max_fee"),
                            format!("max_fee {max} is below min_fee {min}"),
                        ));
                    }
                }
            }
        }
        out
    }

    /// Checks the model, naming each problem's path under `price`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] with every problem.
    pub fn check(&self) -> Result<()> {
        let problems = self.problems("price");
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }

    /// Prices a quantity (or, for percentage, the transactions), exactly.
    ///
    /// ```
    /// use scrm_core::{ChargeModel, Quantity};
    /// let graduated: ChargeModel = serde_json::from_str(r#"{"model": "graduated", "tiers": [
    ///     {"from": 0, "to": 100, "unit_price": "0.10"},
    ///     {"from": 101, "to": 1000, "unit_price": "0.08", "flat_fee": "5.00"},
    ///     {"from": 1001, "unit_price": "0.05"}]}"#).unwrap();
    /// let price = graduated.price(&Quantity::Units(1500.into()))?;
    /// assert_eq!(price.amount.to_string(), "112.00");
    /// assert_eq!(price.detail, "100 × 0.10 + 900 × 0.08 + 5.00 tier fee + 500 × 0.05");
    /// # Ok::<(), scrm_core::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the model is invalid, the quantity is negative or of the
    /// wrong kind (a percentage charge needs transactions, the others a quantity), or the amount
    /// overflows.
    pub fn price(&self, quantity: &Quantity) -> Result<Price> {
        self.check()?;
        match (self, quantity) {
            (ChargeModel::Percentage { .. }, Quantity::Transactions(t)) => {
                percentage::price(self, t)
            }
            (ChargeModel::Percentage { .. }, Quantity::Units(_)) => Err(Error::at(
                ErrorKind::Validation,
                "usage",
                "a percentage charge prices each transaction: give the list of transaction \
                 amounts, not a quantity",
            )),
            (_, Quantity::Transactions(_)) => Err(Error::at(
                ErrorKind::Validation,
                "usage",
                format!(
                    "a {} charge prices a quantity: give one number, not a list of transactions",
                    self.name()
                ),
            )),
            (_, Quantity::Units(q)) => {
                non_negative_quantity(*q)?;
                self.price_units(*q)
            }
        }
    }

    /// Prices a quantity of units (not percentage).
    pub(crate) fn price_units(&self, q: Decimal) -> Result<Price> {
        match self {
            ChargeModel::Standard { unit_price } => standard::price(*unit_price, q),
            ChargeModel::Graduated { tiers } => graduated::price(tiers, q),
            ChargeModel::Volume { tiers } => volume::price(tiers, q),
            ChargeModel::Package {
                size,
                price,
                free_units,
            } => package::price(*size, *price, *free_units, q),
            ChargeModel::GraduatedPercentage { tiers } => {
                let tiers: Vec<Tier> = tiers.iter().map(RateTier::as_tier).collect();
                graduated_percentage::price(&tiers, q)
            }
            ChargeModel::Percentage { .. } => percentage::price(self, &[q]),
        }
    }
}

fn non_negative_quantity(q: Decimal) -> Result<()> {
    if q.is_sign_negative() && !q.is_zero() {
        return Err(Error::at(
            ErrorKind::Validation,
            "usage",
            format!(
                "the quantity is {}; charges price zero or more units (credits are separate lines)",
                grouped(q)
            ),
        ));
    }
    Ok(())
}

/// The text of a price with nothing to charge.
pub(crate) const NOTHING: &str = "nothing to charge";
