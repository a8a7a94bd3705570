//! Time in stage (阶段停留时长): how long customers stay in each funnel stage.
//!
//! **A stay** starts when a customer enters a stage and ends at their next entry into a
//! *different* stage (a repeated entry into the same stage continues the stay). Entries are taken
//! in time order; entries at the same instant in funnel order, side states after funnel stages (by
//! id). A stay with no later entry is *open* (the customer is still there) and only counted in
//! `open`: the statistics use completed stays, so they do not depend on when the report is run.
//! A customer who comes back to a stage has one stay per visit.
//!
//! **Statistics** are exact, in seconds, as decimal strings: `median_s` and `p90_s` are
//! nearest-rank percentiles (the value at rank ⌈p·n⌉ of the sorted stays, so always a real stay;
//! for an even count the median is the lower middle), `mean_s` is the total over the count rounded
//! half away from zero to the millisecond.

use serde::{Deserialize, Serialize};

use super::journey::{Compiled, StageJourney};
use super::rate::seconds_text;

/// How long customers stayed in one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageTime {
    /// The stage id.
    pub stage: String,
    /// Completed stays (the customer moved on).
    pub stays: u64,
    /// Stays still open at the last entry of the journey.
    pub open: u64,
    /// The nearest-rank median of the completed stays, in seconds; `null` without stays.
    pub median_s: Option<String>,
    /// The nearest-rank 90th percentile, in seconds; `null` without stays.
    pub p90_s: Option<String>,
    /// The mean, in seconds rounded half away from zero to the millisecond; `null` without stays.
    pub mean_s: Option<String>,
}

/// Time in each stage of `stages` over `journeys`.
pub(crate) fn time_in_stage(
    journeys: &[&StageJourney],
    stages: &[String],
    compiled: &Compiled,
) -> Vec<StageTime> {
    let mut stays: Vec<Vec<i128>> = vec![Vec::new(); stages.len()];
    let mut open = vec![0u64; stages.len()];
    let mut entries: Vec<(chrono::DateTime<chrono::Utc>, usize, &str)> = Vec::new();
    for journey in journeys {
        entries.clear();
        entries.extend(journey.stages.iter().map(|e| {
            let rank = compiled.position(&e.stage).unwrap_or(usize::MAX);
            (e.at, rank, e.stage.as_str())
        }));
        entries.sort_unstable();
        let mut current: Option<(usize, chrono::DateTime<chrono::Utc>, &str)> = None;
        for &(at, rank, stage) in &entries {
            match current {
                Some((_, _, same)) if same == stage => {}
                Some((was, since, _)) => {
                    if let Some(list) = stays.get_mut(was) {
                        list.push(nanos_between(since, at));
                    }
                    current = Some((rank, at, stage));
                }
                None => current = Some((rank, at, stage)),
            }
        }
        if let Some(slot) = current.and_then(|(rank, _, _)| open.get_mut(rank)) {
            *slot += 1;
        }
    }
    stages
        .iter()
        .zip(stays.iter_mut().zip(open))
        .map(|(stage, (list, open))| summarize(stage, list, open))
        .collect()
}

/// `to - from` in nanoseconds, exact for any two representable times.
fn nanos_between(from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>) -> i128 {
    let delta = to - from;
    i128::from(delta.num_seconds()) * 1_000_000_000 + i128::from(delta.subsec_nanos())
}

/// The value at nearest rank ⌈p/100 · n⌉ (1-based) of `sorted`, for a non-empty list.
fn nearest_rank(list: &mut [i128], percent: usize) -> Option<i128> {
    let n = list.len();
    let rank = (percent * n).div_ceil(100).max(1);
    let index = rank.checked_sub(1)?;
    if index >= n {
        return None;
    }
    let (_, value, _) = list.select_nth_unstable(index);
    Some(*value)
}

fn summarize(stage: &str, list: &mut [i128], open: u64) -> StageTime {
    let n = list.len();
    let mean = if n == 0 {
        None
    } else {
        // Each stay is below 10^21 ns (chrono's range), so the sum overflows only past 10^17
        // stays; checked all the same, and left out rather than wrong.
        let total = list.iter().try_fold(0i128, |acc, &d| acc.checked_add(d));
        total.map(|t| {
            let per_ms = 1_000_000i128;
            let whole = i128::try_from(n).unwrap_or(i128::MAX);
            let ms = round_half_away(t, whole * per_ms);
            seconds_text(ms * per_ms)
        })
    };
    StageTime {
        stage: stage.to_owned(),
        stays: n as u64,
        open,
        median_s: nearest_rank(list, 50).map(seconds_text),
        p90_s: nearest_rank(list, 90).map(seconds_text),
        mean_s: mean,
    }
}

/// `a / b` rounded half away from zero, for `b > 0`.
fn round_half_away(a: i128, b: i128) -> i128 {
    let (q, r) = (a / b, a % b);
    if 2 * r.abs() >= b { q + a.signum() } else { q }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AnalyticsOptions, StageEntry};
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn journey(id: &str, stages: &[(&str, &str)]) -> StageJourney {
        let mut j = StageJourney::new(id, at("2026-03-01T00:00:00Z"));
        j.stages = stages
            .iter()
            .map(|(s, t)| StageEntry {
                stage: (*s).into(),
                at: at(t),
            })
            .collect();
        j
    }

    #[test]
    fn stays_end_at_the_next_different_stage() {
        let options = AnalyticsOptions::new(["lead", "mql", "sql"]);
        let compiled = options.compile().unwrap();
        let a = journey(
            "a",
            &[
                ("mql", "2026-03-02T00:00:00Z"),
                ("lead", "2026-03-01T00:00:00Z"),
                ("lead", "2026-03-01T12:00:00Z"), // same stage again: the stay goes on
                ("dormant", "2026-03-05T00:00:00Z"),
            ],
        );
        let b = journey(
            "b",
            &[
                ("lead", "2026-03-01T00:00:00Z"),
                ("mql", "2026-03-01T00:00:01.5Z"),
            ],
        );
        let c = journey("c", &[("lead", "2026-03-01T00:00:00Z")]);
        let times = time_in_stage(&[&a, &b, &c], &options.stages, &compiled);
        assert_eq!(times[0].stays, 2);
        assert_eq!(times[0].open, 1);
        // Stays of 1.5 s and 86400 s: lower median 1.5, p90 86400, mean 43200.75.
        assert_eq!(times[0].median_s.as_deref(), Some("1.5"));
        assert_eq!(times[0].p90_s.as_deref(), Some("86400"));
        assert_eq!(times[0].mean_s.as_deref(), Some("43200.75"));
        assert_eq!(times[1].stays, 1);
        assert_eq!(times[1].open, 1);
        assert_eq!(times[1].median_s.as_deref(), Some("259200"));
        assert_eq!(times[2].stays, 0);
        assert_eq!(times[2].median_s, None);
    }

    #[test]
    fn percentiles_are_nearest_rank() {
        let mut ten: Vec<i128> = (1..=10).rev().collect();
        assert_eq!(nearest_rank(&mut ten, 50), Some(5));
        assert_eq!(nearest_rank(&mut ten, 90), Some(9));
        let mut one = vec![7];
        assert_eq!(nearest_rank(&mut one, 90), Some(7));
        assert_eq!(nearest_rank(&mut [], 50), None);
        assert_eq!(round_half_away(5, 2), 3);
        assert_eq!(round_half_away(-5, 2), -3);
        assert_eq!(round_half_away(4, 3), 1);
    }
}
