//! Times as the engine's state keeps them: whole microseconds since 1970 in an `i64`.
//!
//! Microseconds stay below 2^53 until the year 2255, so a profile's JSON survives any JSON parser
//! (JavaScript's numbers included) unchanged; events outside 1700..2250 are refused.

use chrono::{DateTime, Utc};

use crate::error::{Error, ErrorKind, Result};

/// Microseconds in a second.
pub(crate) const SECOND: i64 = 1_000_000;

/// `t` in microseconds (saturating; engine inputs are range-checked first by [`checked_micros`]).
pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// The time of `us` microseconds.
pub(crate) fn from_micros(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}

const FROM: i64 = -8_520_336_000 * SECOND; // 1700-01-01T00:00:00Z
const UNTIL: i64 = 8_835_955_200 * SECOND; // 2250-01-01T00:00:00Z

/// Whether the engine accepts time `t` (1700-01-01 .. 2250-01-01).
pub(crate) fn in_range(t: DateTime<Utc>) -> bool {
    (FROM..UNTIL).contains(&t.timestamp_micros())
}

/// `t` in microseconds, refusing times outside 1700-01-01 .. 2250-01-01.
pub(crate) fn checked_micros(t: DateTime<Utc>, path: &str) -> Result<i64> {
    let us = t.timestamp_micros();
    if (FROM..UNTIL).contains(&us) {
        Ok(us)
    } else {
        Err(Error::at(
            ErrorKind::Validation,
            path,
            format!(
                "time {} is outside the years 1700 to 2249 the engine accepts",
                t.to_rfc3339()
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let ok: DateTime<Utc> = "2026-03-01T00:00:00Z".parse().unwrap();
        assert_eq!(from_micros(checked_micros(ok, "at").unwrap()), ok);
        let early: DateTime<Utc> = "1699-12-31T23:59:59Z".parse().unwrap();
        assert!(checked_micros(early, "at").is_err());
        let start: DateTime<Utc> = "1700-01-01T00:00:00Z".parse().unwrap();
        assert!(checked_micros(start, "at").is_ok());
        let late: DateTime<Utc> = "2250-01-01T00:00:00Z".parse().unwrap();
        assert!(checked_micros(late, "at").is_err());
        assert!(micros(late) < (1 << 53));
    }
}
