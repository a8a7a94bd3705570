//! Durations as playbooks write them: `30m`, `12h`, `7d`, `4w`.

use chrono::TimeDelta;

use crate::error::{Error, ErrorKind, Result};

/// Parses `<count><unit>` with unit `m` (minutes), `h` (hours), `d` (days) or `w` (weeks); the
/// count is a whole number from 1 to 100,000.
pub(crate) fn parse(text: &str, path: &str) -> Result<TimeDelta> {
    let bad = || {
        Error::at(
            ErrorKind::Validation,
            path,
            format!(
                "invalid duration {text:?}: write a whole number and a unit, e.g. \"30m\", \"12h\", \"7d\", \"4w\""
            ),
        )
    };
    let text = text.trim();
    let split = text.len().checked_sub(1).ok_or_else(bad)?;
    let (count, unit) = (
        text.get(..split).ok_or_else(bad)?,
        text.get(split..).ok_or_else(bad)?,
    );
    let count: i64 = count.parse().map_err(|_| bad())?;
    if !(1..=100_000).contains(&count) {
        return Err(bad());
    }
    match unit {
        "m" => Ok(TimeDelta::minutes(count)),
        "h" => Ok(TimeDelta::hours(count)),
        "d" => Ok(TimeDelta::days(count)),
        "w" => Ok(TimeDelta::weeks(count)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_errors() {
        assert_eq!(parse("7d", "x").unwrap(), TimeDelta::days(7));
        assert_eq!(parse("30m", "x").unwrap(), TimeDelta::minutes(30));
        assert_eq!(parse("4w", "x").unwrap(), TimeDelta::weeks(4));
        for bad in ["", "d", "7", "7y", "-1d", "0d", "1.5h", "七天"] {
            let err = parse(bad, "rules[0].within").unwrap_err();
            assert_eq!(err.problems()[0].path, "rules[0].within", "{bad}");
        }
    }
}
