//! [`Rate`]: a ratio of two counts as an exact decimal with four places, and the exact duration
//! texts the reports print.
//!
//! Rates are computed with integers only: `part / whole` is rounded half away from zero at the
//! fourth decimal place, so `1/3` is `"0.3333"`, `2/3` is `"0.6667"` and `1/8` (0.125) is
//! `"0.1250"`. The same counts give the same text in every binding; no float is ever involved.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Ten thousand: a rate is kept in ten-thousandths.
const SCALE: u128 = 10_000;

/// A ratio of two counts (a conversion rate, a K-factor, a retention rate) rounded half away from
/// zero to four decimal places, written as a decimal string such as `"0.3333"` or `"1.2500"`.
///
/// ```
/// use scrm_core::Rate;
///
/// assert_eq!(Rate::of(1, 3).unwrap().to_string(), "0.3333");
/// assert_eq!(Rate::of(2, 3).unwrap().to_string(), "0.6667");
/// assert_eq!(Rate::of(5, 4).unwrap().to_string(), "1.2500");
/// assert_eq!(Rate::of(1, 0), None); // no denominator, no rate
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate {
    ten_thousandths: u128,
}

impl Rate {
    /// Zero: `"0.0000"`.
    pub const ZERO: Rate = Rate { ten_thousandths: 0 };

    /// `part / whole` rounded half away from zero to four places; `None` when `whole` is zero.
    pub fn of(part: u64, whole: u64) -> Option<Rate> {
        if whole == 0 {
            return None;
        }
        // u64 * 10^4 fits u128 with room to spare, so nothing here can overflow.
        let scaled = u128::from(part) * SCALE;
        let whole = u128::from(whole);
        let (q, r) = (scaled / whole, scaled % whole);
        let rounded = if 2 * r >= whole { q + 1 } else { q };
        Some(Rate {
            ten_thousandths: rounded,
        })
    }

    /// The rate in ten-thousandths (`"0.3333"` is 3333).
    pub fn ten_thousandths(self) -> u128 {
        self.ten_thousandths
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{:04}",
            self.ten_thousandths / SCALE,
            self.ten_thousandths % SCALE
        )
    }
}

impl FromStr for Rate {
    type Err = String;

    /// Reads the text [`Display`](fmt::Display) writes: digits, a point and exactly four digits.
    fn from_str(text: &str) -> Result<Rate, String> {
        let bad =
            || format!("invalid rate {text:?}, expected digits with four decimals like \"0.3333\"");
        let (int, frac) = text.split_once('.').ok_or_else(bad)?;
        let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !all_digits(int) || !all_digits(frac) || frac.len() != 4 || int.len() > 30 {
            return Err(bad());
        }
        let int: u128 = int.parse().map_err(|_| bad())?;
        let frac: u128 = frac.parse().map_err(|_| bad())?;
        Ok(Rate {
            ten_thousandths: int * SCALE + frac,
        })
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Rate, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A duration of `nanos` nanoseconds as a decimal number of seconds, exact, without trailing
/// zeros: `86400`, `1.5`, `0.000000001`, `-3`.
pub(crate) fn seconds_text(nanos: i128) -> String {
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    let (whole, frac) = (n / 1_000_000_000, n % 1_000_000_000);
    if frac == 0 {
        format!("{sign}{whole}")
    } else {
        let digits = format!("{frac:09}");
        format!("{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_half_away_from_zero_at_four_places() {
        let r = |a, b| Rate::of(a, b).unwrap().to_string();
        assert_eq!(r(1, 3), "0.3333");
        assert_eq!(r(2, 3), "0.6667");
        assert_eq!(r(1, 8), "0.1250");
        // 1/20000 = 0.00005 exactly: the midpoint goes up.
        assert_eq!(r(1, 20_000), "0.0001");
        assert_eq!(r(1, 20_001), "0.0000");
        assert_eq!(r(0, 7), "0.0000");
        assert_eq!(r(7, 7), "1.0000");
        assert_eq!(r(u64::MAX, 1), format!("{}.0000", u64::MAX));
    }

    #[test]
    fn reads_back_what_it_writes() {
        for (a, b) in [(1, 3), (22, 7), (0, 1), (123_456, 1)] {
            let rate = Rate::of(a, b).unwrap();
            assert_eq!(rate.to_string().parse::<Rate>().unwrap(), rate);
        }
        assert!("0.5".parse::<Rate>().is_err());
        assert!("-0.5000".parse::<Rate>().is_err());
        assert!("x.0000".parse::<Rate>().is_err());
    }

    #[test]
    fn seconds_are_exact() {
        assert_eq!(seconds_text(86_400_000_000_000), "86400");
        assert_eq!(seconds_text(1_500_000_000), "1.5");
        assert_eq!(seconds_text(1), "0.000000001");
        assert_eq!(seconds_text(-3_000_000_000), "-3");
        assert_eq!(seconds_text(0), "0");
    }
}
