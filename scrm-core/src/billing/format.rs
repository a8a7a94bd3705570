//! Numbers as invoice explanations print them: `1,500`, `0.10`, `-7.80`, exactly as computed.

use rust_decimal::Decimal;

/// The decimal with its integer digits grouped by thousands, keeping every fraction digit it
/// has (`1500` → `1,500`; `0.10` → `0.10`; `-12345.678` → `-12,345.678`).
pub(crate) fn grouped(d: Decimal) -> String {
    let text = d.to_string();
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut out = String::with_capacity(text.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A computed amount for an explanation: trailing zeros dropped, but no fewer than two decimals
/// when it had two or more (`7.800` → `7.80`, `16.575` stays, `615` stays), then grouped.
pub(crate) fn tidy(d: Decimal) -> String {
    let keep = d.scale().min(2);
    let mut n = d.normalize();
    if n.scale() < keep {
        n.rescale(keep);
    }
    grouped(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands_and_keeps_fraction_digits() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(grouped(d("1500")), "1,500");
        assert_eq!(grouped(d("100")), "100");
        assert_eq!(grouped(d("0.10")), "0.10");
        assert_eq!(grouped(d("-12345.678")), "-12,345.678");
        assert_eq!(grouped(d("1234567")), "1,234,567");
        assert_eq!(tidy(d("7.800")), "7.80");
        assert_eq!(tidy(d("16.575")), "16.575");
        assert_eq!(tidy(d("615")), "615");
        assert_eq!(tidy(d("1200.000")), "1,200.00");
    }
}
