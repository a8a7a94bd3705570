//! Writing a UTC time as RFC 3339 text, exactly as chrono's `Serialize` does, without its
//! formatting machinery.
//!
//! chrono writes a serialized time through `Display`, two digits at a time, and serde_json escapes
//! every piece on its way out: a profile holds dozens of times, and that was a quarter of the time
//! of `Profile::to_json`. Fields use `#[serde(serialize_with = "crate::rfc3339::write")]`;
//! reading is unchanged (chrono's parser). Times outside years 0000-9999 and leap seconds, which
//! chrono writes in other shapes, are handed to chrono.

use chrono::{DateTime, Datelike, Timelike, Utc};
use serde::{Serialize, Serializer};

/// Serializes `at` as chrono does (`2026-03-01T08:00:00Z`, `...08:00:00.250Z`; the fraction has 3, 6
/// or 9 digits, the fewest that keep it exact, and none when it is zero).
///
/// # Errors
///
/// Whatever the serializer returns.
pub(crate) fn write<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 30];
    match format(at, &mut buf) {
        Some(text) => serializer.serialize_str(text),
        None => at.serialize(serializer),
    }
}

/// [`write`] for an optional time (`None` is `null`, as serde writes it).
///
/// # Errors
///
/// Whatever the serializer returns.
pub(crate) fn write_opt<S: Serializer>(
    at: &Option<DateTime<Utc>>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match at {
        Some(at) => serializer.serialize_some(&Written(at)),
        None => serializer.serialize_none(),
    }
}

/// A time that serializes through [`write`].
struct Written<'a>(&'a DateTime<Utc>);

impl Serialize for Written<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        write(self.0, serializer)
    }
}

/// `at` in `buf`, or `None` where chrono's shape differs from the plain one (a year outside
/// 0000-9999, a leap second).
fn format<'a>(at: &DateTime<Utc>, buf: &'a mut [u8; 30]) -> Option<&'a str> {
    let year = u32::try_from(at.year()).ok().filter(|y| *y <= 9999)?;
    let nanos = at.nanosecond();
    if nanos >= 1_000_000_000 {
        return None;
    }
    let two = |out: &mut [u8], v: u32| {
        out[0] = b'0' + (v / 10) as u8;
        out[1] = b'0' + (v % 10) as u8;
    };
    two(&mut buf[0..2], year / 100);
    two(&mut buf[2..4], year % 100);
    buf[4] = b'-';
    two(&mut buf[5..7], at.month());
    buf[7] = b'-';
    two(&mut buf[8..10], at.day());
    buf[10] = b'T';
    two(&mut buf[11..13], at.hour());
    buf[13] = b':';
    two(&mut buf[14..16], at.minute());
    buf[16] = b':';
    two(&mut buf[17..19], at.second());
    let mut len = 19;
    if nanos != 0 {
        let (digits, value) = if nanos % 1_000_000 == 0 {
            (3, nanos / 1_000_000)
        } else if nanos % 1_000 == 0 {
            (6, nanos / 1_000)
        } else {
            (9, nanos)
        };
        buf[len] = b'.';
        let mut v = value;
        for i in (0..digits).rev() {
            buf[len + 1 + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
        len += 1 + digits;
    }
    buf[len] = b'Z';
    std::str::from_utf8(&buf[..=len]).ok()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    #[derive(Serialize)]
    struct Fast {
        #[serde(serialize_with = "write")]
        at: DateTime<Utc>,
        #[serde(serialize_with = "write_opt")]
        maybe: Option<DateTime<Utc>>,
    }

    #[derive(Serialize)]
    struct Chrono {
        at: DateTime<Utc>,
        maybe: Option<DateTime<Utc>>,
    }

    fn both(at: DateTime<Utc>, maybe: Option<DateTime<Utc>>) -> (String, String) {
        (
            serde_json::to_string(&Fast { at, maybe }).unwrap(),
            serde_json::to_string(&Chrono { at, maybe }).unwrap(),
        )
    }

    #[test]
    fn fractions_take_the_fewest_exact_digits() {
        let base = Utc.with_ymd_and_hms(2026, 3, 1, 8, 5, 9).unwrap();
        for (nanos, text) in [
            (0, "2026-03-01T08:05:09Z"),
            (250_000_000, "2026-03-01T08:05:09.250Z"),
            (1_000, "2026-03-01T08:05:09.000001Z"),
            (7, "2026-03-01T08:05:09.000000007Z"),
        ] {
            let at = base + chrono::TimeDelta::nanoseconds(nanos);
            let (fast, chrono) = both(at, None);
            assert_eq!(fast, chrono);
            assert!(fast.contains(text), "{fast}");
        }
    }

    #[test]
    fn far_years_and_leap_seconds_are_chronos_shape() {
        let far = Utc.with_ymd_and_hms(12026, 1, 1, 0, 0, 0).unwrap();
        let before = Utc.with_ymd_and_hms(-5, 1, 1, 0, 0, 0).unwrap();
        let leap = chrono::NaiveDate::from_ymd_opt(2016, 12, 31)
            .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 1_500_000_000))
            .unwrap()
            .and_utc();
        for at in [far, before, leap] {
            let (fast, chrono) = both(at, Some(at));
            assert_eq!(fast, chrono);
        }
    }

    proptest! {
        #[test]
        fn the_text_is_chronos(
            secs in -62_135_596_800i64..253_402_300_799,
            nanos in prop_oneof![Just(0u32), 0u32..1_000_000_000, (0u32..1000).prop_map(|m| m * 1_000_000), (0u32..1_000_000).prop_map(|u| u * 1_000)],
            some in any::<bool>(),
        ) {
            let at = DateTime::from_timestamp(secs, nanos).unwrap();
            let (fast, chrono) = both(at, some.then_some(at));
            prop_assert_eq!(fast, chrono);
        }
    }
}
