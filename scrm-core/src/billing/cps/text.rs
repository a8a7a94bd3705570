//! Small helpers for explanations and decimal fields shared by the CPS files.

use chrono::{DateTime, SecondsFormat, TimeDelta, Utc};
use rust_decimal::Decimal;

/// A time as explanations print it: `2026-03-01T12:00:00Z`.
pub(crate) fn time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A span as explanations print it: `3d 12h`, `45m`, `10s`, `0s`.
pub(crate) fn span(d: TimeDelta) -> String {
    let negative = d < TimeDelta::zero();
    let secs = d.num_seconds().unsigned_abs();
    let parts = [
        (secs / 86_400, "d"),
        (secs % 86_400 / 3_600, "h"),
        (secs % 3_600 / 60, "m"),
        (secs % 60, "s"),
    ];
    let text: Vec<String> = parts
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    match (text.is_empty(), negative) {
        (true, _) => "0s".to_owned(),
        (false, true) => format!("-{}", text.join(" ")),
        (false, false) => text.join(" "),
    }
}

/// An exact span in seconds, for ratios of spans.
pub(crate) fn seconds(d: TimeDelta) -> Decimal {
    Decimal::from(d.num_seconds()) + Decimal::new(i64::from(d.subsec_nanos()), 9)
}

/// `serde` helpers for optional decimal fields (see [`crate::decimal_text`]).
pub(crate) mod optional_decimal {
    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(crate) fn serialize<S: Serializer>(
        d: &Option<Decimal>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match d {
            Some(d) => crate::decimal_text::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<Option<Decimal>, D::Error> {
        #[derive(Deserialize)]
        struct Wrap(#[serde(with = "crate::decimal_text")] Decimal);
        Option::<Wrap>::deserialize(d).map(|w| w.map(|Wrap(d)| d))
    }
}

/// `serde` helpers for maps of decimals (rates by channel, campaign, promoter).
pub(crate) mod decimal_map {
    use std::collections::BTreeMap;

    use rust_decimal::Decimal;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Wrap(#[serde(with = "crate::decimal_text")] Decimal);

    pub(crate) fn serialize<S: Serializer>(
        map: &BTreeMap<String, Decimal>,
        s: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        let wrapped: BTreeMap<&String, Wrap> = map.iter().map(|(k, v)| (k, Wrap(*v))).collect();
        wrapped.serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> std::result::Result<BTreeMap<String, Decimal>, D::Error> {
        let wrapped = BTreeMap::<String, Wrap>::deserialize(d)?;
        Ok(wrapped.into_iter().map(|(k, Wrap(v))| (k, v)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_like_people_write_them() {
        assert_eq!(span(TimeDelta::seconds(3 * 86_400 + 12 * 3_600)), "3d 12h");
        assert_eq!(span(TimeDelta::minutes(45)), "45m");
        assert_eq!(span(TimeDelta::zero()), "0s");
        assert_eq!(span(TimeDelta::seconds(-61)), "-1m 1s");
        assert_eq!(
            seconds(TimeDelta::milliseconds(1500)).to_string(),
            "1.500000000"
        );
    }
}
