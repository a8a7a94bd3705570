//! Time-decay weights `2^(-x)` in exact decimals, with a stated precision.
//!
//! No floating point is allowed near money, and the weights decide how money is split, so they
//! are computed with `rust_decimal` (28 significant digits) and then rounded half away from zero
//! to [`WEIGHT_DECIMALS`] places. The computation is accurate to better than `1e-26`, so the
//! rounded weight is the correctly rounded value of `2^(-x)` unless the true value lies within
//! `1e-26` of a rounding midpoint. Any implementation (Python's `decimal`, a spreadsheet with
//! enough digits) reproduces the weights, and from them the split, exactly.
//!
//! Method: `x = n + j/32 + r` with `n` whole, `j` in `0..32` and `0 <= r < 1/32`, so
//! `2^(-x) = 2^(-n) · 2^(-j/32) · e^(-r·ln 2)`. The 32 table values come from the same series
//! once; the last factor's series converges in 12 terms because `r·ln 2 < 0.0217`.

use std::sync::OnceLock;

use rust_decimal::{Decimal, RoundingStrategy};

/// Decimal places of every time-decay weight.
pub(crate) const WEIGHT_DECIMALS: u32 = 18;

/// ln 2 to 28 decimal places.
const LN2: Decimal = Decimal::from_parts(0xAA7A_65BF, 0x81F5_2F01, 0x1665_943F, false, 28);

/// Beyond this, `2^(-x) < 5e-19` rounds to zero at 18 places.
const ZERO_FROM: i64 = 61;

/// `2^(-x)` for `x >= 0`, rounded half away from zero to [`WEIGHT_DECIMALS`] places; `1` for
/// `x <= 0`.
pub(crate) fn half_power(x: Decimal) -> Decimal {
    if x <= Decimal::ZERO {
        return Decimal::ONE;
    }
    if x >= Decimal::from(ZERO_FROM) {
        return Decimal::ZERO;
    }
    // All values below stay in [0, 61) and (0, 1]: no operation can overflow.
    let whole = x.trunc();
    let fraction = x - whole;
    let scaled = fraction * Decimal::from(32);
    let j = scaled.trunc();
    let rest = (scaled - j) / Decimal::from(32);
    let table = table();
    let index = usize::try_from(i64::try_from(j).unwrap_or(0)).unwrap_or(0);
    let step = table.get(index).copied().unwrap_or(Decimal::ONE);
    let shift = u32::try_from(i64::try_from(whole).unwrap_or(0)).unwrap_or(0);
    let power_of_two = Decimal::from(1_u64 << shift.min(63));
    let value = step * exp_neg(rest * LN2, 12) / power_of_two;
    value.round_dp_with_strategy(WEIGHT_DECIMALS, RoundingStrategy::MidpointAwayFromZero)
}

/// `e^(-y)` for `0 <= y < 1` by Horner's form of its Taylor series with `terms` terms:
/// `1 - y(1 - y/2(1 - y/3(...)))`.
fn exp_neg(y: Decimal, terms: u32) -> Decimal {
    let mut acc = Decimal::ONE;
    for k in (1..=terms).rev() {
        acc = Decimal::ONE - y * acc / Decimal::from(k);
    }
    acc
}

/// `2^(-j/32)` for `j` in `0..32`, unrounded (28 significant digits).
fn table() -> &'static [Decimal; 32] {
    static TABLE: OnceLock<[Decimal; 32]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut values = [Decimal::ONE; 32];
        for (j, v) in (0_u32..).zip(values.iter_mut()) {
            // y < ln 2: the 34th term is below 1e-40.
            *v = exp_neg(LN2 * Decimal::from(j) / Decimal::from(32), 34);
        }
        values
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn ln2_is_the_28_place_constant() {
        assert_eq!(LN2.to_string(), "0.6931471805599453094172321215");
    }

    /// Expected values from Python: `(Decimal(2) ** -x).quantize(Decimal("1e-18"), ROUND_HALF_UP)`
    /// with 60 digits of precision.
    #[test]
    fn matches_a_high_precision_reference() {
        let cases = [
            ("0", "1"),
            ("0.5", "0.707106781186547524"),
            ("1", "0.500000000000000000"),
            ("0.1428571428571428571428571429", "0.905723664263906672"),
            ("0.4285714285714285714285714286", "0.742997144568474212"),
            ("2.5", "0.176776695296636881"),
            ("4.2857142857142857142857142857", "0.051270959750477371"),
            ("0.03125", "0.978572062087700135"),
            ("0.96875", "0.510948574327058339"),
            ("0.999999", "0.500000346573710393"),
            ("10.123", "0.000896754064746996"),
            ("31.999999999", "0.000000000232830644"),
            ("60.5", "0.000000000000000001"),
            ("61", "0"),
        ];
        for (x, expected) in cases {
            assert_eq!(half_power(d(x)), d(expected), "2^-{x}");
        }
    }

    #[test]
    fn never_increases_and_stays_in_range() {
        let mut last = Decimal::ONE;
        for i in 0..=2000 {
            let x = Decimal::new(i, 2) * Decimal::from(3);
            let w = half_power(x);
            assert!(w <= last && w >= Decimal::ZERO, "x = {x}");
            last = w;
        }
        assert_eq!(half_power(d("-3")), Decimal::ONE);
    }
}
