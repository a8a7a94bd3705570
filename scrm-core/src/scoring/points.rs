//! [`Points`]: scores as exact decimals with two places, never binary floats.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::condition::Number;
use crate::error::{Error, ErrorKind, Result};

/// A number of points with two decimals (`12.5`, `-3`, `0.25`), held as whole hundredths.
///
/// Every score, cap and explanation part is a `Points`, so sums are exact and the same in every
/// language: JSON carries them as decimal strings (`"12.5"`), never as floats. Decay is computed
/// on hundredths and rounded half away from zero per event (see `docs/scoring.md`).
///
/// ```
/// use scrm_core::Points;
///
/// let p: Points = "12.50".parse()?;
/// assert_eq!(p.to_string(), "12.5");
/// assert_eq!(p.hundredths(), 1250);
/// assert_eq!(Points::from_hundredths(-5).to_string(), "-0.05");
/// # Ok::<(), scrm_core::Error>(())
/// ```
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Points(i64);

/// The largest magnitude a playbook may write for points, caps and thresholds.
pub(crate) const MAX_PLAYBOOK_POINTS: i64 = 1_000_000_000; // in hundredths: 10 million points

impl Points {
    /// No points.
    pub const ZERO: Points = Points(0);

    /// `n` hundredths of a point.
    pub const fn from_hundredths(n: i64) -> Points {
        Points(n)
    }

    /// The points in hundredths.
    pub const fn hundredths(self) -> i64 {
        self.0
    }

    /// The points as a condition [`Number`] (what `score >= 60` compares).
    pub fn to_number(self) -> Number {
        Number::from_scaled(self.0, 2)
    }

    /// Reads points written in a playbook: at most two decimals, at most 10 million in magnitude.
    pub(crate) fn from_playbook(value: f64) -> std::result::Result<Points, String> {
        let number = Number::from_f64(value).ok_or_else(|| format!("{value} is not a number"))?;
        if number.scale() > 2 {
            return Err(format!(
                "{number} has more than two decimals; points are kept to 0.01"
            ));
        }
        match number.to_scaled(2) {
            Some(h) if h.abs() <= MAX_PLAYBOOK_POINTS => Ok(Points(h)),
            _ => Err(format!("{number} is beyond the limit of ±10000000 points")),
        }
    }

    pub(crate) fn checked_sub(self, other: Points) -> Option<Points> {
        self.0.checked_sub(other.0).map(Points)
    }

    /// Whether this is below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }
}

/// A sum of hundredths in `i128`, which cannot overflow for any playbook, converted once.
pub(crate) fn sum_to_points(total: i128, what: &str) -> Result<Points> {
    i64::try_from(total).map(Points).map_err(|_| {
        Error::at(
            ErrorKind::Validation,
            what,
            format!("the points add up to {total} hundredths, beyond what a score can hold"),
        )
    })
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.to_number(), f)
    }
}

impl fmt::Debug for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::str::FromStr for Points {
    type Err = Error;

    /// Reads a decimal with at most two places (`"12.5"`, `"-3"`).
    fn from_str(text: &str) -> Result<Points> {
        let bad = || {
            Error::at(
                ErrorKind::Validation,
                "",
                format!("invalid points {text:?}: write a decimal with at most two places"),
            )
        };
        let n: Number = text.parse().map_err(|_| bad())?;
        if n.scale() > 2 {
            return Err(bad());
        }
        n.to_scaled(2).map(Points).ok_or_else(bad)
    }
}

impl Serialize for Points {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Points {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Points, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Points {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Points".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "Points as a decimal string with at most two places, e.g. \"12.5\"."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn playbook_points_keep_two_decimals_exactly() {
        assert_eq!(Points::from_playbook(5.0), Ok(Points(500)));
        assert_eq!(Points::from_playbook(-2.5), Ok(Points(-250)));
        assert_eq!(Points::from_playbook(0.1), Ok(Points(10)));
        assert!(Points::from_playbook(0.125).is_err());
        assert!(Points::from_playbook(1e12).is_err());
        assert!(Points::from_playbook(f64::NAN).is_err());
    }

    #[test]
    fn text_round_trips() {
        for (text, h) in [("0", 0), ("12.5", 1250), ("-0.05", -5), ("100", 10000)] {
            let p: Points = text.parse().unwrap();
            assert_eq!(p.hundredths(), h);
            assert_eq!(p.to_string(), text);
        }
        assert!("1.234".parse::<Points>().is_err());
        let json = serde_json::to_string(&Points(1250)).unwrap();
        assert_eq!(json, "\"12.5\"");
        assert_eq!(serde_json::from_str::<Points>(&json).unwrap(), Points(1250));
    }
}
