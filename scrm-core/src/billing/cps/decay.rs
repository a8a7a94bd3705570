//! Time-decay weights `2^(-t/h)` in exact integer arithmetic, with a stated precision.
//!
//! No floating point is allowed near money, and the weights decide how money is split. The weight
//! is computed in 128-bit fixed point (124 fraction bits, a resolution of 4.7e-38) with integer
//! operations only, then rounded half away from zero to [`WEIGHT_DECIMALS`] decimal places. The
//! error before rounding is below 1e-30 (a few dozen truncations of 2^-124), so the rounded weight
//! is the correctly rounded value of `2^(-t/h)` unless the true value lies within 1e-30 of a
//! rounding midpoint. Python's `decimal`, or anything with 20+ digits, reproduces the weights and
//! from them the split (decision record 0013).
//!
//! Method: with `x = t/h = n + f`, `n` whole and `f = (j·64 + k)/4096 + r` (`j, k` in `0..64`,
//! `0 <= r < 1/4096`): `2^(-x) = 2^(-n) · 2^(-j/64) · 2^(-k/4096) · e^(-r·ln 2)`. The two tables
//! come from a long Taylor series once; the last factor's series needs 8 terms because
//! `r·ln 2 < 1.7e-4`. Everything is a handful of 64×64-bit multiplications per weight.

use std::sync::OnceLock;

use chrono::TimeDelta;
use rust_decimal::Decimal;

/// Decimal places of every time-decay weight.
pub(crate) const WEIGHT_DECIMALS: u32 = 18;

/// Fraction bits of the fixed-point numbers.
const BITS: u32 = 124;
/// 1 in fixed point.
const ONE: u128 = 1 << BITS;
/// ln 2 in fixed point, floor(ln 2 · 2^124).
const LN2: u128 = 14_741_610_201_594_580_883_621_508_922_759_655_274;
/// From here on `2^(-x) < 5e-19` rounds to zero at 18 places.
const ZERO_FROM: u128 = 61;

/// `2^(-t/h)` for spans `t >= 0` and `h > 0`, rounded half away from zero to
/// [`WEIGHT_DECIMALS`] places; 1 for `t <= 0`, 0 for `h <= 0`.
pub(crate) fn half_power(t: TimeDelta, h: TimeDelta) -> Decimal {
    let (t, h) = (nanos(t), nanos(h));
    if t <= 0 {
        return decimal(ONE);
    }
    let (Ok(mut t), Ok(mut h)) = (u128::try_from(t), u128::try_from(h)) else {
        return Decimal::ZERO;
    };
    if h == 0 {
        return Decimal::ZERO;
    }
    // Keep h below 2^96 so the long division below cannot overflow (only spans of millions of
    // years reach it; dropping their low bits changes nothing at 18 places).
    while h >= 1 << 96 {
        t >>= 1;
        h >>= 1;
    }
    let whole = t / h;
    if whole >= ZERO_FROM {
        return decimal(0);
    }
    let fraction = fraction(t % h, h);
    decimal(half_power_fixed(fraction) >> whole)
}

/// The weight of a fixed-point fraction `f` in `[0, 1)`: `2^(-f)` in fixed point.
fn half_power_fixed(f: u128) -> u128 {
    let top = f >> (BITS - 12); // 12 leading fraction bits: (j·64 + k)/4096
    let (j, k) = (top >> 6, top & 63);
    let rest = f & ((1 << (BITS - 12)) - 1);
    let tables = tables();
    let coarse = tables.0.get(index(j)).copied().unwrap_or(ONE);
    let fine = tables.1.get(index(k)).copied().unwrap_or(ONE);
    mul(mul(coarse, fine), exp_neg(mul(rest, LN2), 8))
}

fn index(i: u128) -> usize {
    usize::try_from(i).unwrap_or(0)
}

/// `e^(-y)` for fixed-point `0 <= y < 1` by Horner's form of its Taylor series:
/// `1 - y(1 - y/2(1 - y/3(...)))`.
fn exp_neg(y: u128, terms: u128) -> u128 {
    let mut acc = ONE;
    for k in (1..=terms).rev() {
        acc = ONE - mul(y, acc) / k;
    }
    acc
}

/// `a·b` in fixed point, truncated, for `a, b <= 1`: the 248-bit product from four 64-bit
/// partial products, shifted right by 124.
fn mul(a: u128, b: u128) -> u128 {
    const LOW: u128 = (1 << 64) - 1;
    let (a1, a0) = (a >> 64, a & LOW);
    let (b1, b0) = (b >> 64, b & LOW);
    // a1, b1 <= 2^60, so no partial sum overflows.
    let high = a1 * b1;
    let middle = a1 * b0 + a0 * b1;
    let low = a0 * b0;
    (high << (128 - BITS)) + ((middle + (low >> 64)) >> (BITS - 64))
}

/// `remainder / h` in fixed point, for `remainder < h < 2^97`, by long division 31 bits at a
/// time.
fn fraction(remainder: u128, h: u128) -> u128 {
    let mut r = remainder;
    let mut f = 0u128;
    for _ in 0..4 {
        r <<= 31;
        f = (f << 31) | (r / h);
        r %= h;
    }
    f // 124 bits
}

/// A fixed-point value in `[0, 1]` as a decimal rounded half away from zero to 18 places.
fn decimal(v: u128) -> Decimal {
    const LOW: u128 = (1 << 64) - 1;
    const SCALE: u128 = 1_000_000_000_000_000_000; // 10^18 < 2^60
    // v·10^18 = hi·2^64 + lo with hi = (v >> 64)·10^18 + carry: at most 2^184, kept in two parts.
    let a = (v >> 64) * SCALE;
    let b = (v & LOW) * SCALE;
    let c = a + (b >> 64);
    // floor(v·10^18 / 2^124) = floor(c / 2^60); the rest decides the rounding.
    let mut q = c >> (BITS - 64);
    if c & ((1 << (BITS - 64)) - 1) >= 1 << (BITS - 65) {
        q += 1;
    }
    let q = i128::try_from(q).unwrap_or(0);
    Decimal::try_from_i128_with_scale(q, WEIGHT_DECIMALS).unwrap_or(Decimal::ZERO)
}

fn nanos(d: TimeDelta) -> i128 {
    i128::from(d.num_seconds()) * 1_000_000_000 + i128::from(d.subsec_nanos())
}

/// `2^(-j/64)` and `2^(-k/4096)` for `j, k` in `0..64`.
fn tables() -> &'static ([u128; 64], [u128; 64]) {
    static TABLES: OnceLock<([u128; 64], [u128; 64])> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut coarse = [ONE; 64];
        let mut fine = [ONE; 64];
        for (j, (c, f)) in (0u128..).zip(coarse.iter_mut().zip(fine.iter_mut())) {
            // y < ln 2: 40 terms leave less than 1e-40.
            *c = exp_neg(mul(LN2, ONE / 64 * j), 40);
            *f = exp_neg(mul(LN2, ONE / 4096 * j), 40);
        }
        (coarse, fine)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    fn w(t_secs: i64, h_secs: i64) -> Decimal {
        half_power(TimeDelta::seconds(t_secs), TimeDelta::seconds(h_secs))
    }

    #[test]
    fn ln2_is_the_fixed_point_constant() {
        // 0.6931471805599453094172321214581765680755 · 2^124, floored.
        assert_eq!(decimal(LN2), d("0.693147180559945309"));
    }

    /// Expected values from Python:
    /// `(Decimal(2) ** -(Decimal(t) / Decimal(h))).quantize(Decimal("1e-18"), ROUND_HALF_UP)`
    /// with 60 digits of precision.
    #[test]
    fn matches_a_high_precision_reference() {
        let day = 86_400;
        let cases = [
            (0, 7 * day, "1.000000000000000000"),
            (1, 2, "0.707106781186547524"),
            (7 * day, 7 * day, "0.500000000000000000"),
            (day, 7 * day, "0.905723664263906672"),
            (3 * day, 7 * day, "0.742997144568474212"),
            (5, 2, "0.176776695296636881"),
            (30 * day, 7 * day, "0.051270959750477371"),
            (1, 32, "0.978572062087700135"),
            (31, 32, "0.510948574327058339"),
            (999_999, 1_000_000, "0.500000346573710393"),
            (10_123, 1_000, "0.000896754064746996"),
            (121, 2, "0.000000000000000001"),
            (61, 1, "0.000000000000000000"),
            (9 * day, 7 * day, "0.410167678003818966"),
            (2 * day, 7 * day, "0.820335356007637931"),
            (18 * 3600, 12 * 3600, "0.353553390593273762"),
        ];
        for (t, h, expected) in cases {
            assert_eq!(w(t, h).to_string(), expected, "2^-({t}/{h})");
        }
    }

    #[test]
    fn never_increases_and_stays_in_range() {
        let mut last = Decimal::ONE;
        for i in 0..=20_000 {
            let v = w(i * 97, 7 * 86_400);
            assert!(v <= last && v >= Decimal::ZERO, "t = {}", i * 97);
            last = v;
        }
        assert_eq!(w(-3, 10), Decimal::ONE);
        assert_eq!(w(3, 0), Decimal::ZERO);
        // Extreme spans do not overflow.
        assert_eq!(
            half_power(TimeDelta::MAX, TimeDelta::MAX).to_string(),
            "0.500000000000000000"
        );
    }

    #[test]
    fn fixed_point_multiplication_is_exact_on_powers_of_two() {
        assert_eq!(mul(ONE, ONE), ONE);
        assert_eq!(mul(ONE / 2, ONE / 4), ONE / 8);
        assert_eq!(mul(ONE, 12345), 12345);
        assert_eq!(decimal(ONE / 2), d("0.5"));
    }

    proptest::proptest! {
        /// One more half-life halves the weight: `w(t + h) = w(t) / 2` up to the two roundings.
        #[test]
        fn one_more_half_life_halves_the_weight(t in 0i64..10_000_000, h in 1i64..2_000_000) {
            let once = w(t, h);
            let twice = w(t + h, h);
            let gap = (once / Decimal::TWO - twice).abs();
            proptest::prop_assert!(gap <= d("0.000000000000000001"), "{once} {twice}");
        }
    }
}
