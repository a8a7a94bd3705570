//! [`Number`]: the exact decimal numbers conditions compare.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::error::{Error, ErrorKind, Result};

/// The most digits after the decimal point a [`Number`] keeps; finer values are rounded.
const MAX_SCALE: u32 = 28;

/// The largest magnitude of a mantissa: 38 digits, so every product below fits an `i128`.
const MAX_MANTISSA: u128 = 10u128.pow(38) - 1;

/// The most significant digits a number written in a condition may have.
///
/// Fifteen digits survive a trip through an IEEE double (`DBL_DIG`), which is what JSON numbers
/// become in JavaScript, Python's `json` and most UIs; a longer literal could silently change on the
/// way from a UI to the library, so it is refused instead.
pub(crate) const MAX_LITERAL_DIGITS: u32 = 15;

/// An exact decimal number, as conditions compare them (`score >= 59.5`, `attr.ltv > 0.1`).
///
/// Conditions never compare binary floats: `0.1` in a condition equals `0.1` in a customer's data,
/// whichever way each was written. A number keeps up to 38 significant digits and 28 digits after
/// the point (finer digits are rounded half away from zero). Numbers written *in a condition* are
/// limited to 15 significant digits, so they survive JSON in every host language.
///
/// ```
/// use scrm_core::Number;
///
/// let a: Number = "0.10".parse()?;
/// assert_eq!(a, Number::from_f64(0.1).unwrap());
/// assert_eq!(a.to_string(), "0.1");
/// assert!(Number::from(3) > a);
/// # Ok::<(), scrm_core::Error>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number {
    // Invariant: |mantissa| <= MAX_MANTISSA, scale <= MAX_SCALE, and no trailing zero digit when
    // scale > 0. The representation is then unique, so derived equality is numeric equality.
    mantissa: i128,
    scale: u32,
}

impl Number {
    /// Zero.
    pub const ZERO: Number = Number {
        mantissa: 0,
        scale: 0,
    };

    /// The number a binary float stands for, read through its shortest decimal form (so `0.1_f64`
    /// gives exactly `0.1`). `None` for NaN, infinities and magnitudes of 10^38 or more.
    pub fn from_f64(value: f64) -> Option<Number> {
        if !value.is_finite() {
            return None;
        }
        // Rust's `{:e}` prints the shortest digits that read back to the same float, at most 24
        // bytes; formatting into a stack buffer keeps this free of allocation for the hot path.
        let mut buf = StackBuf::default();
        fmt::Write::write_fmt(&mut buf, format_args!("{value:e}")).ok()?;
        parse(buf.as_str(), Rounding::Round).ok()
    }

    /// The number `mantissa × 10^-scale` (scale at most 28).
    pub(crate) fn from_scaled(mantissa: i64, scale: u32) -> Number {
        let (mut mantissa, mut scale) = (i128::from(mantissa), scale.min(MAX_SCALE));
        while scale > 0 && mantissa % 10 == 0 {
            mantissa /= 10;
            scale -= 1;
        }
        Number {
            mantissa,
            scale: if mantissa == 0 { 0 } else { scale },
        }
    }

    /// The number times 10^`scale`, rounded half away from zero to a whole number; `None` when
    /// it does not fit an `i64`.
    pub(crate) fn to_scaled(self, scale: u32) -> Option<i64> {
        let m = if scale >= self.scale {
            10i128
                .checked_pow(scale - self.scale)
                .and_then(|p| self.mantissa.checked_mul(p))?
        } else {
            let unit = 10i128.checked_pow(self.scale - scale)?;
            let (q, r) = (self.mantissa / unit, self.mantissa % unit);
            if r.unsigned_abs() * 2 >= unit.unsigned_abs() {
                q + self.mantissa.signum()
            } else {
                q
            }
        };
        i64::try_from(m).ok()
    }

    /// How many digits follow the point.
    pub(crate) fn scale(self) -> u32 {
        self.scale
    }

    /// This number as the nearest binary float.
    pub fn to_f64(self) -> f64 {
        let mut buf = StackBuf::default();
        // A number prints in at most 41 bytes (sign, 38 digits, point, one zero).
        if fmt::Write::write_fmt(&mut buf, format_args!("{self}")).is_ok() {
            buf.as_str().parse().unwrap_or(f64::NAN)
        } else {
            f64::NAN
        }
    }

    /// Reads a number written in a condition: refuses, rather than rounds, anything that would not
    /// survive JSON (more than [`MAX_LITERAL_DIGITS`] significant digits).
    pub(crate) fn parse_literal(text: &str) -> std::result::Result<Number, String> {
        let n = parse(text, Rounding::Refuse).map_err(|e| format!("invalid number {text}: {e}"))?;
        if n.significant_digits() > MAX_LITERAL_DIGITS {
            return Err(format!(
                "the number {text} has more than {MAX_LITERAL_DIGITS} significant digits"
            ));
        }
        Ok(n)
    }

    /// Whether this is a whole number.
    pub(crate) fn is_integer(self) -> bool {
        self.scale == 0
    }

    /// The number as an `u64`, when it is a whole number in range.
    pub(crate) fn to_u64(self) -> Option<u64> {
        if self.scale == 0 {
            u64::try_from(self.mantissa).ok()
        } else {
            None
        }
    }

    fn significant_digits(self) -> u32 {
        let m = self.mantissa.unsigned_abs();
        if m == 0 { 1 } else { m.ilog10() + 1 }
    }

    fn magnitude_parts(self) -> (u128, u128) {
        let m = self.mantissa.unsigned_abs();
        let unit = 10u128.pow(self.scale);
        (m / unit, m % unit)
    }
}

impl Ord for Number {
    fn cmp(&self, other: &Number) -> Ordering {
        let by_sign = self.mantissa.signum().cmp(&other.mantissa.signum());
        if by_sign != Ordering::Equal || self.mantissa == 0 {
            return by_sign;
        }
        // Same sign: compare magnitudes as (integer part, fraction), aligning the fractions to the
        // larger scale; a fraction is below 10^28 after alignment, so nothing overflows.
        let (ai, af) = self.magnitude_parts();
        let (bi, bf) = other.magnitude_parts();
        let scale = self.scale.max(other.scale);
        let af = af * 10u128.pow(scale - self.scale);
        let bf = bf * 10u128.pow(scale - other.scale);
        let by_magnitude = (ai, af).cmp(&(bi, bf));
        if self.mantissa > 0 {
            by_magnitude
        } else {
            by_magnitude.reverse()
        }
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Number {
        Number {
            mantissa: i128::from(value),
            scale: 0,
        }
    }
}

impl From<i32> for Number {
    fn from(value: i32) -> Number {
        Number::from(i64::from(value))
    }
}

impl From<u32> for Number {
    fn from(value: u32) -> Number {
        Number::from(i64::from(value))
    }
}

impl From<u64> for Number {
    fn from(value: u64) -> Number {
        Number {
            mantissa: i128::from(value),
            scale: 0,
        }
    }
}

impl FromStr for Number {
    type Err = Error;

    /// Reads a decimal such as `-12.50`, `0.1` or `1.5e3` (the form `Decimal` types print).
    fn from_str(text: &str) -> Result<Number> {
        parse(text, Rounding::Round).map_err(|e| {
            Error::at(
                ErrorKind::Validation,
                "",
                format!("invalid number {text:?}: {e}"),
            )
        })
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (int, frac) = self.magnitude_parts();
        let sign = if self.mantissa < 0 { "-" } else { "" };
        if self.scale == 0 {
            write!(f, "{sign}{int}")
        } else {
            let width = self.scale as usize;
            write!(f, "{sign}{int}.{frac:0width$}")
        }
    }
}

impl fmt::Debug for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Rounding {
    Round,
    Refuse,
}

/// Reads `-?digits[.digits][e[+-]digits]` into a normalised number.
fn parse(text: &str, rounding: Rounding) -> std::result::Result<Number, &'static str> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    // value = digits * 10^(exponent - fraction_len); zeros are held back in `pending` so that
    // trailing zeros never overflow the mantissa.
    let mut digits: u128 = 0;
    let mut pending: u32 = 0;
    let mut seen_digit = false;
    let mut fraction_len: i64 = 0;
    let mut in_fraction = false;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'0'..=b'9' => {
                seen_digit = true;
                if in_fraction {
                    fraction_len += 1;
                }
                if b == b'0' {
                    pending += 1;
                } else {
                    let shifted = 10u128
                        .checked_pow(pending + 1)
                        .and_then(|p| digits.checked_mul(p))
                        .and_then(|d| d.checked_add(u128::from(b - b'0')))
                        .filter(|&d| d <= MAX_MANTISSA)
                        .ok_or("too many digits")?;
                    digits = shifted;
                    pending = 0;
                }
            }
            b'.' if !in_fraction => in_fraction = true,
            b'e' | b'E' => break,
            _ => return Err("expected digits, an optional fraction and exponent"),
        }
        i += 1;
    }
    if !seen_digit || bytes.last() == Some(&b'.') {
        return Err("expected digits, an optional fraction and exponent");
    }
    let mut exponent: i64 = 0;
    if i < bytes.len() {
        let rest = text.get(i + 1..).unwrap_or("");
        exponent = rest
            .parse::<i64>()
            .ok()
            .filter(|e| e.abs() <= 1000)
            .ok_or("invalid exponent")?;
    }
    let exponent = exponent - fraction_len + i64::from(pending);
    let magnitude = scale_to(digits, exponent, rounding)?;
    let (mut mantissa, mut scale) = magnitude;
    while scale > 0 && mantissa % 10 == 0 {
        mantissa /= 10;
        scale -= 1;
    }
    let mantissa = i128::try_from(mantissa).map_err(|_| "out of range")?;
    Ok(Number {
        mantissa: if negative { -mantissa } else { mantissa },
        scale: if mantissa == 0 { 0 } else { scale },
    })
}

/// `digits * 10^exponent` as (mantissa, scale) within the limits.
fn scale_to(
    digits: u128,
    exponent: i64,
    rounding: Rounding,
) -> std::result::Result<(u128, u32), &'static str> {
    if digits == 0 {
        return Ok((0, 0));
    }
    if exponent >= 0 {
        let m = u32::try_from(exponent)
            .ok()
            .and_then(|e| 10u128.checked_pow(e))
            .and_then(|p| digits.checked_mul(p))
            .filter(|&m| m <= MAX_MANTISSA)
            .ok_or("out of range: at most 38 digits")?;
        return Ok((m, 0));
    }
    let scale = exponent.unsigned_abs();
    if scale <= u64::from(MAX_SCALE) {
        return Ok((digits, scale as u32));
    }
    if rounding == Rounding::Refuse {
        return Err("more than 28 digits after the point");
    }
    let drop = scale - u64::from(MAX_SCALE);
    let rounded = match u32::try_from(drop).ok().and_then(|d| 10u128.checked_pow(d)) {
        Some(unit) => {
            let (q, r) = (digits / unit, digits % unit);
            if r >= unit.div_ceil(2) && unit > 1 {
                q + 1
            } else {
                q
            }
        }
        None => 0,
    };
    Ok((rounded, MAX_SCALE))
}

/// A fixed buffer to format a number into without allocating.
struct StackBuf {
    bytes: [u8; 48],
    len: usize,
}

impl Default for StackBuf {
    fn default() -> StackBuf {
        StackBuf {
            bytes: [0; 48],
            len: 0,
        }
    }
}

impl StackBuf {
    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for StackBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let slot = self.bytes.get_mut(self.len..end).ok_or(fmt::Error)?;
        slot.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Number {
        text.parse().unwrap()
    }

    #[test]
    fn equal_values_are_equal_however_written() {
        assert_eq!(n("0.1"), n("0.10"));
        assert_eq!(n("0.1"), Number::from_f64(0.1).unwrap());
        assert_eq!(n("100"), n("1e2"));
        assert_eq!(n("-0"), Number::ZERO);
        assert_eq!(n("007.50").to_string(), "7.5");
        assert_eq!(Number::from_f64(1e-7).unwrap().to_string(), "0.0000001");
    }

    #[test]
    fn ordering_is_exact() {
        assert!(n("0.1") < n("0.11"));
        assert!(n("-0.1") > n("-0.11"));
        assert!(n("-5") < n("0.000001"));
        assert!(n("99999999999999999999.9") > n("99999999999999999999.89"));
        assert!(n("1.0000000000000000000000000001") > n("1"));
    }

    #[test]
    fn limits_round_or_refuse() {
        assert!("1e39".parse::<Number>().is_err());
        assert!("abc".parse::<Number>().is_err());
        assert!("1.".parse::<Number>().is_err());
        assert_eq!(n("1e-40"), Number::ZERO);
        assert_eq!(Number::from_f64(f64::NAN), None);
        assert!(Number::parse_literal("1234567890123456").is_err());
        assert!(Number::parse_literal("123456789012345").is_ok());
        assert_eq!(n("2.5").to_f64(), 2.5);
    }

    #[test]
    fn scaled_forms_round_half_away_from_zero() {
        assert_eq!(Number::from_scaled(1250, 2), n("12.5"));
        assert_eq!(Number::from_scaled(-7, 0), n("-7"));
        assert_eq!(n("12.345").to_scaled(2), Some(1235));
        assert_eq!(n("-12.345").to_scaled(2), Some(-1235));
        assert_eq!(n("12.344").to_scaled(2), Some(1234));
        assert_eq!(n("3").to_scaled(2), Some(300));
        assert_eq!(n("1e30").to_scaled(2), None);
        assert_eq!(n("0.5").scale(), 1);
    }
}
