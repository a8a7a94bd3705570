//! Exact decimal arithmetic: a result is either exact or an error, never silently rounded.
//!
//! `rust_decimal`'s `checked_add` and `checked_mul` return `None` only when the integer part
//! overflows; when an exact result needs more than 28 significant digits they quietly round it
//! (`1e28 + 0.1` gives `1e28`). In money that is a wrong answer, so every sum and product in
//! billing goes through these helpers, which detect the lost digits by the result's scale and
//! report an overflow instead. Division is the one inexact operation (`100 / 3`); it happens in
//! named places only (proration, time weighting, average unit prices) and is rounded at the line.

use rust_decimal::Decimal;

use crate::error::{Error, ErrorKind, Result};

/// `a + b`, exactly, or an overflow error at `path`.
pub(crate) fn add(a: Decimal, b: Decimal, path: &str) -> Result<Decimal> {
    a.checked_add(b)
        .filter(|r| exact_sum(a, b, *r))
        .ok_or_else(|| overflow(path, format!("{a} + {b}")))
}

/// `a - b`, exactly, or an overflow error at `path`.
pub(crate) fn sub(a: Decimal, b: Decimal, path: &str) -> Result<Decimal> {
    a.checked_sub(b)
        .filter(|r| exact_sum(a, b, *r))
        .ok_or_else(|| overflow(path, format!("{a} - {b}")))
}

/// `a × b`, exactly, or an overflow error at `path`.
pub(crate) fn mul(a: Decimal, b: Decimal, path: &str) -> Result<Decimal> {
    let needed = a.scale() + b.scale();
    a.checked_mul(b)
        // A zero operand short-cuts to zero; a zero from non-zero operands was rounded away.
        .filter(|r| a.is_zero() || b.is_zero() || (needed <= 28 && r.scale() >= needed))
        .map(normalize_if_wide)
        .ok_or_else(|| overflow(path, format!("{a} × {b}")))
}

/// Whether `r` is the exact sum or difference of `a` and `b`. `rust_decimal` keeps the larger
/// scale of the two unless it had to drop digits, except that a zero operand returns the other
/// unchanged (exact, whatever its scale) and an exact zero result may lose its scale.
fn exact_sum(a: Decimal, b: Decimal, r: Decimal) -> bool {
    a.is_zero() || b.is_zero() || r.is_zero() || r.scale() >= a.scale().max(b.scale())
}

/// `a ÷ b` (rounded by `rust_decimal` at 28 significant digits), or an error at `path` when `b`
/// is zero or the quotient overflows.
pub(crate) fn div(a: Decimal, b: Decimal, path: &str) -> Result<Decimal> {
    a.checked_div(b)
        .ok_or_else(|| overflow(path, format!("{a} ÷ {b}")))
}

/// The sum of `values`, exactly.
pub(crate) fn sum(values: impl IntoIterator<Item = Decimal>, path: &str) -> Result<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |acc, v| add(acc, v, path))
}

/// `n / 100`: a percent as a fraction, exactly.
pub(crate) fn percent(rate: Decimal, path: &str) -> Result<Decimal> {
    let mut r = rate;
    r.set_scale(rate.scale() + 2)
        .map_err(|_| overflow(path, format!("{rate}%")))?;
    Ok(r)
}

fn overflow(path: &str, what: String) -> Error {
    Error::at(
        ErrorKind::Validation,
        path,
        format!(
            "{what} overflows: the exact result needs more than the 28 significant digits scrm \
             computes money with; use smaller quantities or prices"
        ),
    )
}

/// Keeps products readable: a product's scale is the sum of its factors' scales (`0.10 × 100`
/// is `10.00`), which repeated multiplication would grow without limit. Beyond 12 decimal
/// places trailing zeros are dropped; the value is unchanged.
fn normalize_if_wide(d: Decimal) -> Decimal {
    if d.scale() > 12 { d.normalize() } else { d }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn exact_results_pass_and_lost_digits_are_errors() {
        assert_eq!(add(d("1.5"), d("2.50"), "x").unwrap().to_string(), "4.00");
        assert_eq!(mul(d("0.10"), d("100"), "x").unwrap().to_string(), "10.00");
        // rust_decimal would round this to 1e28 without a word.
        let e = add(d("10000000000000000000000000000"), d("0.1"), "q").unwrap_err();
        assert_eq!(e.problems()[0].path, "q");
        assert!(mul(Decimal::MAX, d("2"), "x").is_err());
        assert!(
            mul(
                d("0.3333333333333333333333333333"),
                d("0.3333333333333333333333333333"),
                "x"
            )
            .is_err()
        );
        assert!(sub(Decimal::MIN, d("1"), "x").is_err());
        assert!(div(d("1"), Decimal::ZERO, "x").is_err());
        assert_eq!(percent(d("2.5"), "r").unwrap(), d("0.025"));
        assert!(mul(Decimal::ZERO, d("0.004"), "x").unwrap().is_zero());
        assert!(sub(d("1.5"), d("1.5"), "x").unwrap().is_zero());
        assert_eq!(add(d("0.0"), d("1"), "x").unwrap(), d("1"));
        let tiny = d("0.0000000000000000000000000001");
        assert!(
            mul(tiny, tiny, "x").is_err(),
            "rounded to zero is not exact"
        );
    }
}
