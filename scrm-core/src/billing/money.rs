//! Money: an exact decimal amount in one ISO 4217 currency.
//!
//! Amounts are [`rust_decimal::Decimal`] (96-bit mantissa, up to 28 decimal places): exact for
//! every price, rate and intermediate sum a CRM bills, with no binary floating point anywhere.
//! Unrounded ("precise") amounts flow through charge models; [`Money::round`] rounds half away
//! from zero at the currency's exponent, and is called only where DOMAIN.md 7 pins it: at fee
//! lines and totals. Any split of a whole ([`Money::allocate`]) rounds each part down and hands
//! the leftover minor units to the largest remainders, so the parts always sum to the whole.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, ErrorKind, Result};

/// An ISO 4217 currency with its number of minor-unit digits (its exponent): 2 for CNY
/// (分), 0 for JPY, 3 for KWD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: &'static str,
    exponent: u32,
}

/// The currencies scrm knows, with their ISO 4217 minor units.
const CURRENCIES: &[(&str, u32)] = &[
    ("AED", 2),
    ("AUD", 2),
    ("BHD", 3),
    ("BRL", 2),
    ("CAD", 2),
    ("CHF", 2),
    ("CLP", 0),
    ("CNY", 2),
    ("DKK", 2),
    ("EUR", 2),
    ("GBP", 2),
    ("HKD", 2),
    ("IDR", 2),
    ("INR", 2),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("MOP", 2),
    ("MXN", 2),
    ("MYR", 2),
    ("NOK", 2),
    ("NZD", 2),
    ("OMR", 3),
    ("PHP", 2),
    ("RUB", 2),
    ("SAR", 2),
    ("SEK", 2),
    ("SGD", 2),
    ("THB", 2),
    ("TND", 3),
    ("TWD", 2),
    ("USD", 2),
    ("VND", 0),
];

impl Currency {
    /// Chinese yuan renminbi (人民币), two minor digits.
    pub const CNY: Currency = Currency {
        code: "CNY",
        exponent: 2,
    };
    /// US dollar, two minor digits.
    pub const USD: Currency = Currency {
        code: "USD",
        exponent: 2,
    };
    /// Euro, two minor digits.
    pub const EUR: Currency = Currency {
        code: "EUR",
        exponent: 2,
    };
    /// Japanese yen, no minor digits.
    pub const JPY: Currency = Currency {
        code: "JPY",
        exponent: 0,
    };
    /// Hong Kong dollar, two minor digits.
    pub const HKD: Currency = Currency {
        code: "HKD",
        exponent: 2,
    };

    /// The currency with this ISO 4217 code (upper case, e.g. `"CNY"`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] at `path` naming the code when it is not one scrm knows; the
    /// message lists the known codes.
    pub fn from_code(code: &str, path: &str) -> Result<Currency> {
        CURRENCIES
            .iter()
            .find(|(c, _)| *c == code)
            .map(|&(code, exponent)| Currency { code, exponent })
            .ok_or_else(|| {
                let known: Vec<&str> = CURRENCIES.iter().map(|(c, _)| *c).collect();
                Error::at(
                    ErrorKind::Validation,
                    path,
                    format!(
                        "unknown currency {code:?}; use an ISO 4217 code, one of {}",
                        known.join(", ")
                    ),
                )
            })
    }

    /// The ISO 4217 code, e.g. `"CNY"`.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// The number of minor-unit digits: 2 for CNY, 0 for JPY.
    pub fn exponent(self) -> u32 {
        self.exponent
    }

    /// The smallest amount of this currency: 0.01 for CNY, 1 for JPY.
    pub fn minor_unit(self) -> Decimal {
        Decimal::new(1, self.exponent)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl schemars::JsonSchema for Currency {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Currency".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let codes: Vec<&str> = CURRENCIES.iter().map(|(c, _)| *c).collect();
        schemars::json_schema!({
            "description": "An ISO 4217 currency code.",
            "type": "string",
            "enum": codes,
        })
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.code)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Currency, D::Error> {
        let code = String::deserialize(d)?;
        Currency::from_code(&code, "").map_err(|e| serde::de::Error::custom(problem_text(&e)))
    }
}

/// An exact amount of one currency. Serialises as `{"amount": "12.50", "currency": "CNY"}`; the
/// amount is always a decimal string, never a JSON number, so no host rounds it through a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// `amount` of `currency`, kept exactly as given (not rounded).
    pub fn new(amount: Decimal, currency: Currency) -> Money {
        Money { amount, currency }
    }

    /// Zero of `currency`.
    pub fn zero(currency: Currency) -> Money {
        Money::new(Decimal::ZERO, currency)
    }

    /// Reads a decimal text such as `"1000.00"` or `"-3.5"` as an amount of `currency`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] at `path` naming the text when it is not a plain decimal number
    /// (no exponent, no thousands separators) or has more than 28 significant digits.
    pub fn parse(text: &str, currency: Currency, path: &str) -> Result<Money> {
        Ok(Money::new(parse_decimal(text, path)?, currency))
    }

    /// The amount, exactly.
    pub fn amount(self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(self) -> Currency {
        self.currency
    }

    /// Whether the amount is below zero (a credit, refund or clawback).
    pub fn is_negative(self) -> bool {
        self.amount.is_sign_negative() && !self.amount.is_zero()
    }

    /// Whether the amount is zero.
    pub fn is_zero(self) -> bool {
        self.amount.is_zero()
    }

    /// The amount rounded half away from zero to the currency's minor unit (DOMAIN.md 7 PIN):
    /// `1.005 CNY` → `1.01`, `-1.005 CNY` → `-1.01`, `0.5 JPY` → `1`. The text keeps exactly
    /// the currency's digits (`"5.00"`, not `"5"`).
    pub fn round(self) -> Money {
        let mut amount = self.amount.round_dp_with_strategy(
            self.currency.exponent,
            RoundingStrategy::MidpointAwayFromZero,
        );
        amount.rescale(self.currency.exponent);
        Money::new(amount, self.currency)
    }

    /// The amount in minor units (分, cents) after [`round`](Money::round).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the amount does not fit in an `i64` of minor units.
    pub fn minor_units(self) -> Result<i64> {
        let rounded = self.round().amount;
        let scaled = rounded
            .checked_mul(Decimal::from(10_i64.pow(self.currency.exponent)))
            .ok_or_else(|| overflow("amount", &self))?;
        i64::try_from(scaled.trunc()).map_err(|_| overflow("amount", &self))
    }

    /// `self + other`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the currencies differ or the sum overflows.
    pub fn checked_add(self, other: Money) -> Result<Money> {
        self.same_currency(other, "add")?;
        self.amount
            .checked_add(other.amount)
            .map(|a| Money::new(a, self.currency))
            .ok_or_else(|| overflow("sum", &self))
    }

    /// `self - other`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the currencies differ or the difference overflows.
    pub fn checked_sub(self, other: Money) -> Result<Money> {
        self.same_currency(other, "subtract")?;
        self.amount
            .checked_sub(other.amount)
            .map(|a| Money::new(a, self.currency))
            .ok_or_else(|| overflow("difference", &self))
    }

    /// `self × factor` (a quantity, a rate), exact and unrounded.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the product overflows.
    pub fn checked_mul(self, factor: Decimal) -> Result<Money> {
        self.amount
            .checked_mul(factor)
            .map(|a| Money::new(a, self.currency))
            .ok_or_else(|| overflow("product", &self))
    }

    /// `-self`.
    pub fn negate(self) -> Money {
        Money::new(-self.amount, self.currency)
    }

    /// The sum of `parts` in `currency` (zero for none).
    ///
    /// # Errors
    ///
    /// As [`checked_add`](Money::checked_add).
    pub fn sum(currency: Currency, parts: impl IntoIterator<Item = Money>) -> Result<Money> {
        parts
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    /// Splits this amount, rounded to the minor unit, into parts proportional to `weights`,
    /// exactly (DOMAIN.md 7 PIN): each part is rounded toward zero to the minor unit, then the
    /// leftover minor units go one each to the parts with the largest remainders, ties to the
    /// earliest. The parts always sum to the rounded whole; a negative whole (a refund) splits
    /// like its absolute value, negated.
    ///
    /// ```
    /// use scrm_core::{Currency, Money};
    /// use rust_decimal::Decimal;
    /// let whole = Money::parse("1000.00", Currency::CNY, "amount")?;
    /// let parts = whole.allocate(&[Decimal::ONE; 3])?;
    /// let texts: Vec<String> = parts.iter().map(|m| m.amount().to_string()).collect();
    /// assert_eq!(texts, ["333.34", "333.33", "333.33"]);
    /// # Ok::<(), scrm_core::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when there are no weights, a weight is negative, or all are zero.
    pub fn allocate(self, weights: &[Decimal]) -> Result<Vec<Money>> {
        check_weights(weights)?;
        let whole = self.round();
        let negative = whole.is_negative();
        let unit = self.currency.minor_unit();
        let total_units = (whole.amount.abs() / unit).trunc();
        let weight_sum = weights
            .iter()
            .try_fold(Decimal::ZERO, |s, w| s.checked_add(*w))
            .ok_or_else(|| weights_overflow(weights))?;

        let mut units = Vec::with_capacity(weights.len());
        let mut remainders = Vec::with_capacity(weights.len());
        for (i, w) in weights.iter().enumerate() {
            let exact = total_units
                .checked_mul(*w)
                .and_then(|p| p.checked_div(weight_sum))
                .ok_or_else(|| weights_overflow(weights))?;
            let floor = exact.trunc();
            units.push(floor);
            remainders.push((exact - floor, i));
        }
        let given = units.iter().copied().sum::<Decimal>();
        let mut leftover = total_units - given;
        // Largest remainder first; on equal remainders the earliest part wins.
        remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        for &(_, i) in &remainders {
            if leftover <= Decimal::ZERO {
                break;
            }
            if let Some(u) = units.get_mut(i) {
                *u += Decimal::ONE;
                leftover -= Decimal::ONE;
            }
        }
        Ok(units
            .into_iter()
            .map(|u| {
                let mut amount = u * unit;
                amount.rescale(self.currency.exponent);
                let part = Money::new(amount, self.currency);
                if negative { part.negate() } else { part }
            })
            .collect())
    }

    fn same_currency(self, other: Money, what: &str) -> Result<()> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Error::at(
                ErrorKind::Validation,
                "currency",
                format!(
                    "cannot {what} {other} to/from {self}: the currencies differ ({} and {}); \
                     convert first",
                    self.currency, other.currency
                ),
            ))
        }
    }
}

impl fmt::Display for Money {
    /// `12.50 CNY`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.amount, self.currency)
    }
}

impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let currency = generator.subschema_for::<Currency>();
        schemars::json_schema!({
            "description": "An exact amount of one currency, e.g. {\"amount\": \"12.50\", \"currency\": \"CNY\"}.",
            "type": "object",
            "properties": {
                "amount": decimal_schema(generator),
                "currency": currency,
            },
            "required": ["amount", "currency"],
            "additionalProperties": false,
        })
    }
}

/// The JSON Schema of a decimal field: a decimal string (`format: decimal`, which the playbook
/// validator checks) or an integer.
pub(crate) fn decimal_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "description": "An exact decimal number: a string such as \"12.50\", or an integer.",
        "anyOf": [
            { "type": "string", "format": "decimal", "pattern": "^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)$" },
            { "type": "integer" }
        ]
    })
}

/// The JSON Schema of an optional decimal field.
pub(crate) fn optional_decimal_schema(
    generator: &mut schemars::SchemaGenerator,
) -> schemars::Schema {
    let mut schema = decimal_schema(generator);
    if let Some(serde_json::Value::Array(alternatives)) = schema.get_mut("anyOf") {
        alternatives.push(serde_json::json!({ "type": "null" }));
    }
    schema
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MoneyShape {
    amount: String,
    currency: Currency,
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        MoneyShape {
            amount: self.amount.to_string(),
            currency: self.currency,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Money, D::Error> {
        let shape = MoneyShape::deserialize(d)?;
        Money::parse(&shape.amount, shape.currency, "amount")
            .map_err(|e| serde::de::Error::custom(problem_text(&e)))
    }
}

/// Reads a plain decimal text (`"12"`, `"-0.125"`, `"1000.00"`) exactly.
///
/// # Errors
///
/// [`ErrorKind::Validation`] at `path` naming the text when it is not a plain decimal number or
/// needs more than 28 significant digits.
pub fn parse_decimal(text: &str, path: &str) -> Result<Decimal> {
    if let Some(d) = super::plain_decimal::read(text) {
        return Ok(d);
    }
    let plain = !text.is_empty()
        && text
            .trim_start_matches(['-', '+'])
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
        && text.chars().filter(|&c| c == '.').count() <= 1
        && text.chars().any(|c| c.is_ascii_digit())
        && text.len() - text.trim_start_matches(['-', '+']).len() <= 1;
    let parsed = if plain {
        Decimal::from_str_exact(text).ok()
    } else {
        None
    };
    parsed.ok_or_else(|| {
        Error::at(
            ErrorKind::Validation,
            path,
            format!(
                "{text:?} is not a decimal amount; write digits with an optional sign and point, \
                 e.g. \"12.50\" (at most 28 significant digits, no exponent or separators)"
            ),
        )
    })
}

/// `serde` helpers for decimal fields: written as strings, read from strings only (a JSON
/// number would already have passed through a float in many hosts), or from integers.
pub mod decimal_text {
    use super::*;

    /// Serialises a decimal as its exact text.
    pub fn serialize<S: Serializer>(d: &Decimal, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&d.to_string())
    }

    /// Reads a decimal from a string or an integer, refusing JSON floats.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Decimal, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Text {
            Str(String),
            Int(i64),
        }
        match Text::deserialize(d).map_err(|_| {
            serde::de::Error::custom("expected a decimal string such as \"12.50\" or an integer")
        })? {
            Text::Str(s) => {
                parse_decimal(&s, "").map_err(|e| serde::de::Error::custom(problem_text(&e)))
            }
            Text::Int(i) => Ok(Decimal::from(i)),
        }
    }

    /// The same for `Option<Decimal>` fields (`null` or absent is `None`).
    pub mod option {
        use super::*;

        /// Serialises `Some` as the exact text, `None` as null.
        pub fn serialize<S: Serializer>(
            d: &Option<Decimal>,
            s: S,
        ) -> std::result::Result<S::Ok, S::Error> {
            match d {
                Some(d) => s.serialize_str(&d.to_string()),
                None => s.serialize_none(),
            }
        }

        /// Reads `null`, a decimal string or an integer.
        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> std::result::Result<Option<Decimal>, D::Error> {
            #[derive(Deserialize)]
            struct Wrap(#[serde(with = "super")] Decimal);
            Option::<Wrap>::deserialize(d).map(|w| w.map(|Wrap(d)| d))
        }
    }
}

fn problem_text(e: &Error) -> String {
    e.problems()
        .iter()
        .map(|p| p.message.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

fn overflow(what: &str, m: &Money) -> Error {
    Error::at(
        ErrorKind::Validation,
        "amount",
        format!("the {what} overflows the exact decimal range when computing with {m}"),
    )
}

fn weights_overflow(weights: &[Decimal]) -> Error {
    Error::at(
        ErrorKind::Validation,
        "weights",
        format!("the weights {weights:?} overflow the exact decimal range"),
    )
}

fn check_weights(weights: &[Decimal]) -> Result<()> {
    if weights.is_empty() {
        return Err(Error::at(
            ErrorKind::Validation,
            "weights",
            "cannot split an amount into no parts; give at least one weight",
        ));
    }
    if let Some((i, w)) = weights
        .iter()
        .enumerate()
        .find(|(_, w)| w.is_sign_negative() && !w.is_zero())
    {
        return Err(Error::at(
            ErrorKind::Validation,
            format!("weights[{i}]"),
            format!("weight {w} is negative; weights must be zero or more"),
        ));
    }
    if weights.iter().all(|w| w.is_zero()) {
        return Err(Error::at(
            ErrorKind::Validation,
            "weights",
            "every weight is zero; at least one must be positive",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cny(text: &str) -> Money {
        Money::parse(text, Currency::CNY, "amount").unwrap()
    }

    fn texts(parts: &[Money]) -> Vec<String> {
        parts.iter().map(|m| m.amount().to_string()).collect()
    }

    #[test]
    fn rounds_half_away_from_zero_at_the_exponent() {
        assert_eq!(cny("1.005").round().amount().to_string(), "1.01");
        assert_eq!(cny("-1.005").round().amount().to_string(), "-1.01");
        assert_eq!(cny("1.004999").round().amount().to_string(), "1.00");
        assert_eq!(cny("2.5").round().amount().to_string(), "2.50");
        let yen = Money::parse("0.5", Currency::JPY, "a").unwrap();
        assert_eq!(yen.round().amount().to_string(), "1");
        let yen = Money::parse("2.5", Currency::JPY, "a").unwrap();
        assert_eq!(
            yen.round().amount().to_string(),
            "3",
            "not banker's rounding"
        );
        let kwd = Money::parse("0.0005", Currency::from_code("KWD", "c").unwrap(), "a").unwrap();
        assert_eq!(kwd.round().amount().to_string(), "0.001");
    }

    #[test]
    fn minor_units_follow_the_currency() {
        assert_eq!(cny("12.345").minor_units().unwrap(), 1235);
        assert_eq!(
            Money::parse("1200", Currency::JPY, "a")
                .unwrap()
                .minor_units()
                .unwrap(),
            1200
        );
        assert!(cny("79228162514264337593543950335").minor_units().is_err());
    }

    #[test]
    fn mixed_currencies_are_refused() {
        let usd = Money::parse("1", Currency::USD, "a").unwrap();
        let e = cny("1").checked_add(usd).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert!(
            e.to_string().contains("CNY") && e.to_string().contains("USD"),
            "{e}"
        );
        assert!(cny("1").checked_sub(usd).is_err());
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let max = Money::new(Decimal::MAX, Currency::CNY);
        assert!(max.checked_add(cny("1")).is_err());
        assert!(max.checked_mul(Decimal::TWO).is_err());
        assert!(max.negate().checked_sub(cny("1")).is_err());
    }

    #[test]
    fn linear_split_of_1000_over_three() {
        let parts = cny("1000.00").allocate(&[Decimal::ONE; 3]).unwrap();
        assert_eq!(texts(&parts), ["333.34", "333.33", "333.33"]);
    }

    #[test]
    fn split_gives_leftover_to_largest_remainder_then_earliest() {
        // 0.05 by 1:1:1 → 1.666.. units each: remainders equal, earliest two get one more.
        assert_eq!(
            texts(&cny("0.05").allocate(&[Decimal::ONE; 3]).unwrap()),
            ["0.02", "0.02", "0.01"]
        );
        // 1.00 by 1:2 → 33.33.. / 66.66..: the second has the larger remainder.
        let parts = cny("1.00").allocate(&[Decimal::ONE, Decimal::TWO]).unwrap();
        assert_eq!(texts(&parts), ["0.33", "0.67"]);
        // Refunds split like their absolute value.
        assert_eq!(
            texts(&cny("-1.00").allocate(&[Decimal::ONE; 3]).unwrap()),
            ["-0.34", "-0.33", "-0.33"]
        );
        // Zero weights get nothing.
        let parts = cny("10").allocate(&[Decimal::ZERO, Decimal::ONE]).unwrap();
        assert_eq!(texts(&parts), ["0.00", "10.00"]);
    }

    #[test]
    fn bad_weights_are_errors() {
        assert!(cny("1").allocate(&[]).is_err());
        assert!(cny("1").allocate(&[Decimal::ZERO, Decimal::ZERO]).is_err());
        let e = cny("1")
            .allocate(&[Decimal::ONE, Decimal::NEGATIVE_ONE])
            .unwrap_err();
        assert_eq!(e.problems()[0].path, "weights[1]");
    }

    #[test]
    fn parse_refuses_floats_exponents_and_junk() {
        for bad in [
            "", "1e3", "1,000", "abc", "1.2.3", "--1", "+-1", ".", "-", " 1", "NaN",
        ] {
            let e = parse_decimal(bad, "price").unwrap_err();
            assert_eq!(e.problems()[0].path, "price", "{bad:?}");
        }
        assert_eq!(parse_decimal("-0.125", "p").unwrap().to_string(), "-0.125");
        assert_eq!(parse_decimal(".5", "p").unwrap().to_string(), "0.5");
    }

    #[test]
    fn json_shape_is_strings_only() {
        let m = cny("12.50");
        let text = serde_json::to_string(&m).unwrap();
        assert_eq!(text, r#"{"amount":"12.50","currency":"CNY"}"#);
        assert_eq!(serde_json::from_str::<Money>(&text).unwrap(), m);
        assert!(serde_json::from_str::<Money>(r#"{"amount":12.5,"currency":"CNY"}"#).is_err());
        let e = serde_json::from_str::<Money>(r#"{"amount":"1","currency":"XXX"}"#).unwrap_err();
        assert!(e.to_string().contains("XXX"), "{e}");
        assert!(serde_json::from_str::<Money>(r#"{"amount":"1","currency":"CNY","x":1}"#).is_err());
    }

    proptest! {
        #[test]
        fn every_split_sums_exactly_to_the_whole(
            cents in -10_000_000_000_i64..10_000_000_000,
            weights in prop::collection::vec(0u32..1_000_000, 1..12),
            scale in 0u32..4,
        ) {
            prop_assume!(weights.iter().any(|&w| w > 0));
            let whole = Money::new(Decimal::new(cents, 2), Currency::CNY);
            let ws: Vec<Decimal> = weights.iter().map(|&w| Decimal::new(i64::from(w), scale)).collect();
            let parts = whole.allocate(&ws).unwrap();
            prop_assert_eq!(parts.len(), ws.len());
            let total = Money::sum(Currency::CNY, parts.iter().copied()).unwrap();
            prop_assert_eq!(total.amount(), whole.round().amount());
            for (p, w) in parts.iter().zip(&ws) {
                if w.is_zero() { prop_assert!(p.is_zero()); }
                prop_assert_eq!(p.amount().scale(), 2);
            }
        }
    }
}
