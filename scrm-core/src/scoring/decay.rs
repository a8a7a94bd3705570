//! Decay of an event's points with its age, computed the same on every machine.
//!
//! **Rule (decision 0005).** An event's points `p` (hundredths, after the rule cap) at age `a`
//! count `round(p × 2^(−a/h))` hundredths under a half-life `h`, rounded half away from zero, and
//! `p` or nothing under a window `w` (nothing once `a ≥ w`). Ages are whole seconds; an event in
//! the future of the evaluation time has age 0. `2^(−a/h)` is `2^(−k) · e^(−f·ln 2)` with
//! `k = ⌊a/h⌋` and `f` the remainder over `h`; the exponential is a fixed 24-term series of IEEE
//! double additions and multiplications (no `libm` call, whose last bit differs between
//! platforms), so the rounded result is bit-for-bit the same in every binding and on every OS.

/// How an engagement rule's points fade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecayModel {
    /// Points count in full forever.
    None,
    /// Points halve every this many seconds.
    HalfLife(i64),
    /// Points count in full for this many seconds, then not at all.
    Window(i64),
}

impl DecayModel {
    /// The hundredths `points` (earned at `at`) still count at `now`; times in microseconds.
    pub(crate) fn apply(self, points: i64, at: i64, now: i64) -> i64 {
        let age = now.saturating_sub(at).max(0) / 1_000_000;
        match self {
            DecayModel::None => points,
            DecayModel::Window(w) => {
                if age >= w {
                    0
                } else {
                    points
                }
            }
            // At age 0 the factor is exactly 1 (the series of 0 is 1), and a whole number up
            // to 2^53 is exact as a double: the points count in full, without the series.
            DecayModel::HalfLife(h) if age == 0 && h > 0 && points.unsigned_abs() <= EXACT => {
                points
            }
            DecayModel::HalfLife(h) => quick_half_life(points, age, h)
                .unwrap_or_else(|| round_half_away(points as f64 * half_life_factor(age, h))),
        }
    }

    /// Whether `points` earned at `at` count nothing at `now` and at every later time, so the
    /// event can be forgotten (its points settle as fully decayed).
    pub(crate) fn gone(self, points: i64, at: i64, now: i64) -> bool {
        match self {
            DecayModel::None => false,
            // Within k whole half-lives the factor is above 2^-(k+1) (the series of a fraction
            // below ln 2 is above 1/2), so points of 2^(k+1) or more still count at least 1:
            // not gone, without the series.
            DecayModel::HalfLife(h) if h > 0 => {
                let whole = now.saturating_sub(at).max(0) / 1_000_000 / h;
                let surely_counts = whole < 62 && points.unsigned_abs() >= 1u64 << (whole + 1);
                !surely_counts && self.apply(points, at, now) == 0
            }
            // Decay only grows with age, so zero now is zero forever.
            _ => self.apply(points, at, now) == 0,
        }
    }
}

/// The largest magnitude every whole number up to which a double holds exactly (2^53).
const EXACT: u64 = 1 << 53;

/// `2^(−age/half_life)` for whole seconds, deterministic across platforms.
pub(crate) fn half_life_factor(age: i64, half_life: i64) -> f64 {
    if half_life <= 0 {
        return 0.0;
    }
    let whole = age / half_life;
    if whole >= 1100 {
        return 0.0; // below the smallest double
    }
    let fraction = (age % half_life) as f64 / half_life as f64;
    let mut factor = exp_neg(fraction * std::f64::consts::LN_2);
    for _ in 0..whole {
        factor *= 0.5; // exact: a power of two
    }
    factor
}

/// `2^(−i/64)` for `i` in `0..64`, each by the series itself (compile time, the same IEEE
/// arithmetic as at run time).
const STEPS: [f64; 64] = {
    let mut table = [0.0; 64];
    let mut i = 0;
    while i < 64 {
        table[i] = exp_neg(i as f64 / 64.0 * std::f64::consts::LN_2);
        i += 1;
    }
    table
};

/// The decayed hundredths without the 18-term series, when an approximation of the factor
/// decides the rounding for sure; `None` sends the caller to the series.
///
/// The approximation is `2^(−i/64)` from [`STEPS`] times four terms of `e^(−y)` for the rest
/// (`y < ln 2 / 64`, so the first term left out is below 1.3·10^-12 of the value), times
/// `2^(−whole)` made exactly. Its relative distance from the series' factor is below 2·10^-12,
/// so the product with `points` is within `|v| · 10^-10` (a wide margin) of the series' product.
/// When `v` is farther than that from every half-way point `k + ½`, both round to the same whole
/// number; otherwise (or for huge points, or ages of a thousand half-lives) the series decides.
/// The property test `shortcuts_equal_the_series` holds both to the same result.
fn quick_half_life(points: i64, age: i64, half_life: i64) -> Option<i64> {
    if half_life <= 0 || points.unsigned_abs() > EXACT {
        return None;
    }
    let whole = age / half_life;
    if whole > 1000 {
        return None;
    }
    let fraction = (age % half_life) as f64 / half_life as f64;
    let scaled = fraction * 64.0;
    let step = (scaled as usize).min(63);
    let y = (scaled - step as f64) * (std::f64::consts::LN_2 / 64.0);
    let rest = 1.0 - y * (1.0 - y * (0.5 - y * (1.0 / 6.0 - y * (1.0 / 24.0))));
    // 2^-whole exactly: the exponent field of a normal double (whole <= 1000 < 1023).
    let halvings = f64::from_bits((1023 - whole as u64) << 52);
    let v = points as f64 * (STEPS.get(step)? * rest * halvings);
    let margin = v.abs() * 1e-10;
    let distance = ((v - v.trunc()).abs() - 0.5).abs();
    (distance > margin).then(|| round_half_away(v))
}

/// `1/n` for the series' terms, computed once by the compiler (IEEE division, the same
/// everywhere).
const INVERSE: [f64; 19] = {
    let mut table = [0.0; 19];
    let mut n = 1;
    while n < 19 {
        table[n] = 1.0 / n as f64;
        n += 1;
    }
    table
};

/// `e^(−x)` for `x` in `[0, ln 2)`, by its Taylor series to the 18th term in Horner form: the
/// next term is below 10^-17, under the last bit of a double in this range.
const fn exp_neg(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut n = 18;
    while n > 0 {
        sum = 1.0 - x * INVERSE[n] * sum;
        n -= 1;
    }
    sum
}

/// Rounds half away from zero to a whole number (`f64::round` is exact, not a `libm`
/// approximation), saturating at the `i64` range.
fn round_half_away(x: f64) -> i64 {
    let r = x.round();
    if r >= i64::MAX as f64 {
        i64::MAX
    } else if r <= i64::MIN as f64 {
        i64::MIN
    } else {
        r as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The rule without shortcuts: the series, rounded.
    fn by_the_series(h: i64, points: i64, at: i64, now: i64) -> i64 {
        let age = now.saturating_sub(at).max(0) / 1_000_000;
        round_half_away(points as f64 * half_life_factor(age, h))
    }

    proptest! {
        #[test]
        fn shortcuts_equal_the_series(
            h in prop_oneof![Just(0i64), 1i64..4, 1i64..10_000_000],
            points in prop_oneof![-10_000i64..10_000, any::<i64>(), Just(i64::MAX), Just(i64::MIN)],
            at in -1_000_000_000_000_000i64..1_000_000_000_000_000,
            age in prop_oneof![Just(0i64), 0i64..1_000_000, 0i64..1_000_000_000_000_000],
        ) {
            let now = at.saturating_add(age);
            let d = DecayModel::HalfLife(h);
            let slow = by_the_series(h, points, at, now);
            prop_assert_eq!(d.apply(points, at, now), slow);
            prop_assert_eq!(d.gone(points, at, now), slow == 0);
        }
    }

    const S: i64 = 1_000_000;
    const DAY: i64 = 86_400;

    #[test]
    fn half_way_values_go_to_the_series() {
        // 1 hundredth at one half-life is exactly 0.5: the shortcut cannot decide it, the series
        // rounds it away from zero.
        let d = DecayModel::HalfLife(DAY);
        assert_eq!(quick_half_life(1, DAY, DAY), None);
        assert_eq!(d.apply(1, 0, DAY * S), 1);
        assert_eq!(d.apply(-3, 0, DAY * S), -2);
        // Far from a half-way point the shortcut decides, as the series does.
        assert_eq!(quick_half_life(1000, DAY / 2, DAY), Some(707));
        assert_eq!(by_the_series(DAY, 1000, 0, DAY / 2 * S), 707);
    }

    proptest! {
        /// Small points over a dense range of ages: the shortcut, when it decides, is the series.
        #[test]
        fn the_shortcut_is_the_series_for_everyday_points(
            points in -5_000i64..5_000,
            age in 0i64..200 * DAY,
            h in prop_oneof![Just(DAY), Just(7 * DAY), Just(30 * DAY), 1i64..100 * DAY],
        ) {
            let slow = by_the_series(h, points, 0, age * S);
            if let Some(quick) = quick_half_life(points, age, h) {
                prop_assert_eq!(quick, slow);
            }
            prop_assert_eq!(DecayModel::HalfLife(h).apply(points, 0, age * S), slow);
        }
    }

    #[test]
    fn whole_half_lives_halve_exactly() {
        let d = DecayModel::HalfLife(30 * DAY);
        assert_eq!(d.apply(1000, 0, 0), 1000);
        assert_eq!(d.apply(1000, 0, 30 * DAY * S), 500);
        assert_eq!(d.apply(1000, 0, 60 * DAY * S), 250);
        assert_eq!(d.apply(-1000, 0, 90 * DAY * S), -125);
        // 1000 × 2^-0.5 = 707.106...; 1000 × 2^-1.5 = 353.55...
        assert_eq!(d.apply(1000, 0, 15 * DAY * S), 707);
        assert_eq!(d.apply(1000, 0, 45 * DAY * S), 354);
        assert_eq!(d.apply(-1000, 0, 45 * DAY * S), -354);
    }

    #[test]
    fn the_series_matches_the_platform_exponential_closely() {
        for i in 0..1000 {
            let age = i * 7919;
            let ours = half_life_factor(age, 1_000_000);
            let libm = 2f64.powf(-(age as f64) / 1_000_000.0);
            assert!((ours - libm).abs() < 1e-15, "{age}: {ours} vs {libm}");
        }
    }

    #[test]
    fn windows_drop_points_out_and_future_events_count_in_full() {
        let d = DecayModel::Window(90 * DAY);
        assert_eq!(d.apply(500, 0, (90 * DAY - 1) * S), 500);
        assert_eq!(d.apply(500, 0, 90 * DAY * S), 0);
        assert!(d.gone(500, 0, 90 * DAY * S));
        assert_eq!(DecayModel::HalfLife(DAY).apply(500, 10 * S, 0), 500);
        assert!(DecayModel::HalfLife(DAY).gone(500, 0, 20 * DAY * S));
        assert!(!DecayModel::None.gone(500, 0, i64::MAX));
    }
}
