//! The common case of reading a decimal: a short plain number (`12`, `-3`, `0.50`), read in one
//! pass straight to its mantissa and scale, with the same result as `rust_decimal`'s exact parser.
//!
//! Metering reads a number per usage event; going through the general parser (several checks
//! over the text, then `Decimal::from_str_exact`) was a visible share of its time. Anything this
//! reader does not take (more than 18 digits, an exponent, a sign on zero, `5.`, `.5`, ...) goes
//! to the general parser, so the rules of what is accepted and the errors stay in one place.

use rust_decimal::Decimal;

/// The most digits read here: 18 digits always fit an `i64`, far inside a decimal's 28.
const MAX_DIGITS: usize = 18;

/// `text` as a decimal when it is `[+-]?digits(.digits)?` with at most 18 digits in all and is
/// not a signed zero; `None` otherwise (the caller then uses the general parser). The result is
/// the same value, with the same scale, as `Decimal::from_str_exact(text)`.
pub(crate) fn read(text: &str) -> Option<Decimal> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, bytes),
    };
    if digits.is_empty() || digits.len() > MAX_DIGITS + 1 {
        return None;
    }
    let mut mantissa: i64 = 0;
    let mut scale: Option<u32> = None;
    let mut count = 0usize;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + i64::from(b - b'0');
                count += 1;
                if let Some(s) = scale.as_mut() {
                    *s += 1;
                }
            }
            // One point, with digits on both sides.
            b'.' if scale.is_none() && i > 0 && i + 1 < digits.len() => scale = Some(0),
            _ => return None,
        }
        if count > MAX_DIGITS {
            return None;
        }
    }
    if negative && mantissa == 0 {
        return None;
    }
    let value = if negative { -mantissa } else { mantissa };
    Some(Decimal::new(value, scale.unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The general parser's reading (`rust_decimal`'s, which `parse_decimal` used before this
    /// reader), as the exact bits: sign, scale, mantissa.
    fn general(text: &str) -> Option<[u8; 16]> {
        Decimal::from_str_exact(text).ok().map(|d| d.serialize())
    }

    #[test]
    fn plain_numbers_read_with_their_scale() {
        for (text, value, scale) in [
            ("0", "0", 0),
            ("12", "12", 0),
            ("+12", "12", 0),
            ("-3", "-3", 0),
            ("007", "7", 0),
            ("0.50", "0.50", 2),
            ("-12.05", "-12.05", 2),
            ("999999999999999999", "999999999999999999", 0),
            ("0.00000000000000001", "0.00000000000000001", 17),
        ] {
            let d = read(text).unwrap_or_else(|| panic!("{text} not read"));
            assert_eq!(
                (d.to_string().as_str(), d.scale()),
                (value, scale),
                "{text}"
            );
            assert_eq!(Some(d.serialize()), general(text), "{text}");
        }
    }

    #[test]
    fn everything_else_is_left_to_the_general_parser() {
        for text in [
            "",
            "-",
            "+",
            ".",
            "5.",
            ".5",
            "1.2.3",
            "1e3",
            " 1",
            "1 ",
            "1,000",
            "--1",
            "-0",
            "-0.00",
            "+-1",
            "0x10",
            "١",
            "1234567890123456789",
            "12345678901234567.89",
        ] {
            assert_eq!(read(text), None, "{text:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// On any text of digits, signs and points, the fast reader either declines or gives
        /// exactly what the general parser gives (value, scale and sign bits).
        #[test]
        fn the_fast_reader_agrees_with_the_general_parser(text in "[-+]?[0-9.]{0,22}") {
            if let Some(d) = read(&text) {
                prop_assert_eq!(Some(d.serialize()), general(&text), "{}", text);
            }
        }

        /// Every plain number of up to 18 digits is taken by the fast reader.
        #[test]
        fn short_plain_numbers_are_always_read_fast(
            negative in any::<bool>(),
            whole in "[0-9]{1,9}",
            fraction in prop::option::of("[0-9]{1,9}"),
        ) {
            let text = format!(
                "{}{whole}{}",
                if negative { "-" } else { "" },
                fraction.map(|f| format!(".{f}")).unwrap_or_default()
            );
            let signed_zero = negative && text.bytes().all(|b| matches!(b, b'-' | b'0' | b'.'));
            prop_assert_eq!(read(&text).is_some(), !signed_zero, "{}", text);
            if let Some(d) = read(&text) {
                prop_assert_eq!(Some(d.serialize()), general(&text), "{}", text);
            }
        }

        /// Integers in the fast reader's range read as the integer.
        #[test]
        fn integers_read_as_themselves(n in -999_999_999_999_999_999i64..=999_999_999_999_999_999) {
            let text = n.to_string();
            let expected = (n != 0 || !text.starts_with('-')).then(|| Decimal::from(n));
            prop_assert_eq!(read(&text), expected);
        }
    }
}
