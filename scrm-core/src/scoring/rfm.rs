//! RFM (recency, frequency, monetary): binary against thresholds, giving the eight segments
//! 重要价值客户 … 一般挽留客户 (KJ-SCRM's table), or quintiles over a population.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::RfmModel;
use super::state::Purchases;
use crate::condition::Number;
use crate::playbook::Monetary;

/// The eight segments by (recency high, frequency high, monetary high).
const SEGMENTS: [((bool, bool, bool), &str); 8] = [
    ((true, true, true), "重要价值客户"),
    ((true, false, true), "重要发展客户"),
    ((false, true, true), "重要保持客户"),
    ((false, false, true), "重要挽留客户"),
    ((true, true, false), "一般价值客户"),
    ((true, false, false), "一般发展客户"),
    ((false, true, false), "一般保持客户"),
    ((false, false, false), "一般挽留客户"),
];

/// The segment name of an (R, F, M) high/low triple.
pub fn rfm_segment(recent: bool, frequent: bool, valuable: bool) -> &'static str {
    SEGMENTS
        .iter()
        .find(|(key, _)| *key == (recent, frequent, valuable))
        .map_or("一般挽留客户", |(_, name)| name)
}

/// How RFM scores a population.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RfmMode {
    /// Each dimension high (1) or low (0) against the playbook's thresholds, with a segment.
    #[default]
    Binary,
    /// Each dimension scored 1 to 5 by its rank in the population (5 best).
    Quintiles,
}

/// One customer's RFM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RfmScore {
    /// The customer.
    pub customer_id: String,
    /// Whole days since the last purchase; absent without purchases.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recency_days: Option<i64>,
    /// Number of purchases.
    pub frequency: u32,
    /// Total spent, or the average purchase under `monetary = "average"` (a decimal string).
    pub monetary: String,
    /// Recency: 1 (high) or 0 in binary mode, 1 to 5 in quintile mode.
    pub r: u8,
    /// Frequency, as `r`.
    pub f: u8,
    /// Monetary value, as `r`.
    pub m: u8,
    /// The segment (binary mode only), e.g. `重要价值客户`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segment: Option<String>,
}

/// The measured values of one customer: recency seconds (None: never bought), frequency,
/// monetary (hundredths).
pub(crate) fn measure(
    model: &RfmModel,
    purchases: Option<&Purchases>,
    now: DateTime<Utc>,
) -> (Option<i64>, u32, i64) {
    let now = super::time::micros(now);
    match purchases {
        None => (None, 0, 0),
        Some(p) => {
            let recency = now.saturating_sub(p.last).max(0) / 1_000_000;
            let monetary = match model.monetary {
                Monetary::Average if p.count > 0 => average(p.spent, p.count),
                Monetary::Average => 0,
                _ => p.spent,
            };
            (Some(recency), p.count, monetary)
        }
    }
}

/// `spent / count` rounded half away from zero to a hundredth.
fn average(spent: i64, count: u32) -> i64 {
    let (s, c) = (i128::from(spent), i128::from(count));
    let q = (2 * s.abs() + c) / (2 * c);
    let q = if spent < 0 { -q } else { q };
    i64::try_from(q).unwrap_or(i64::MAX)
}

/// Binary RFM of one customer.
pub(crate) fn binary(
    model: &RfmModel,
    customer_id: &str,
    purchases: Option<&Purchases>,
    now: DateTime<Utc>,
) -> RfmScore {
    let (recency, frequency, monetary) = measure(model, purchases, now);
    let r = recency.is_some_and(|s| s <= model.recent_within);
    let f = frequency >= model.frequent_at;
    let m = monetary >= model.valuable_at;
    RfmScore {
        customer_id: customer_id.to_owned(),
        recency_days: recency.map(|s| s / 86_400),
        frequency,
        monetary: Number::from_scaled(monetary, 2).to_string(),
        r: u8::from(r),
        f: u8::from(f),
        m: u8::from(m),
        segment: Some(rfm_segment(r, f, m).to_owned()),
    }
}

/// Quintile scores over a population, each measured as `(customer_id, recency, frequency,
/// monetary)`. A value scores `1 + ⌊5 × (customers strictly worse) / n⌋`: ties share a score, the
/// best values score 5 in a population of five or more, and a customer who never bought has
/// the worst recency.
pub(crate) fn quintiles(measured: &[(String, Option<i64>, u32, i64)]) -> Vec<RfmScore> {
    let n = measured.len().max(1) as u64;
    // Lower is better for recency (None worst); higher is better for F and M.
    let recency_key = |r: Option<i64>| r.map_or(i128::MIN, |s| -i128::from(s));
    let mut r_keys: Vec<i128> = measured.iter().map(|m| recency_key(m.1)).collect();
    let mut f_keys: Vec<i128> = measured.iter().map(|m| i128::from(m.2)).collect();
    let mut m_keys: Vec<i128> = measured.iter().map(|m| i128::from(m.3)).collect();
    r_keys.sort_unstable();
    f_keys.sort_unstable();
    m_keys.sort_unstable();
    let score = |sorted: &[i128], key: i128| -> u8 {
        let worse = sorted.partition_point(|&k| k < key) as u64;
        (1 + 5 * worse / n).min(5) as u8
    };
    measured
        .iter()
        .map(|(id, recency, frequency, monetary)| RfmScore {
            customer_id: id.clone(),
            recency_days: recency.map(|s| s / 86_400),
            frequency: *frequency,
            monetary: Number::from_scaled(*monetary, 2).to_string(),
            r: score(&r_keys, recency_key(*recency)),
            f: score(&f_keys, i128::from(*frequency)),
            m: score(&m_keys, i128::from(*monetary)),
            segment: None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_eight_segments() {
        assert_eq!(rfm_segment(true, true, true), "重要价值客户");
        assert_eq!(rfm_segment(true, false, true), "重要发展客户");
        assert_eq!(rfm_segment(false, true, true), "重要保持客户");
        assert_eq!(rfm_segment(false, false, true), "重要挽留客户");
        assert_eq!(rfm_segment(true, true, false), "一般价值客户");
        assert_eq!(rfm_segment(true, false, false), "一般发展客户");
        assert_eq!(rfm_segment(false, true, false), "一般保持客户");
        assert_eq!(rfm_segment(false, false, false), "一般挽留客户");
    }

    #[test]
    fn quintiles_rank_and_share_ties() {
        let day = 86_400;
        let pop: Vec<(String, Option<i64>, u32, i64)> = (0..10)
            .map(|i| (format!("c{i}"), Some(i * day), i as u32, 100 * i))
            .chain([("never".to_owned(), None, 0, 0)])
            .collect();
        let scores = quintiles(&pop);
        // c0 bought today: 10 customers strictly worse of 11 → 1 + 50/11 = 5.
        assert_eq!(scores[0].r, 5);
        assert_eq!(scores[10].r, 1);
        // F: c0 and `never` tie at 0 purchases, nobody is worse: both 1.
        assert_eq!((scores[0].f, scores[10].f), (1, 1));
        assert_eq!(scores[9].f, 1 + (5 * 10 / 11) as u8);
        assert_eq!(average(1000, 3), 333);
        assert_eq!(average(1001, 2), 501);
    }
}
