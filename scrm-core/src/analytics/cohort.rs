//! Cohort retention (留存): of the customers created in a month, how many are still with us
//! k months later.
//!
//! **Cohort.** The calendar month of `created_at` in the options' timezone (the playbook's):
//! 2026-03-31T17:30Z is an April customer in Asia/Shanghai.
//!
//! **Month k** is the k-th calendar month after the cohort month (k = 0 is the cohort month
//! itself), in the same timezone, cut at `as_of` (the current month is partial). Months after the
//! month of `as_of` are not reported; customers created after `as_of` are left out.
//!
//! **Retained in month k** when, at some instant of month k up to `as_of`, the customer
//! 1. was *in a live stage*: their stage at that instant (the last entry at or before it) is one of
//!    the funnel stages, not a side state like dormant, churned or lost; or
//! 2. was *active*: one of their `active_at` times falls in month k.
//!
//! A customer who reached a live stage and never left it is retained every month; one who went
//! dormant in March is retained in March (they were live part of it) and not after, unless they
//! are active again. The rate is retained over cohort size, four places.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::journey::{AnalyticsOptions, Compiled, StageJourney, check_journeys};
use super::rate::Rate;
use crate::error::{Error, ErrorKind, Result};

/// The most months between a cohort and `as_of`: a hundred years.
pub const MAX_COHORT_MONTHS: i64 = 1200;

/// One cohort: customers created in the same month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cohort {
    /// The month, `YYYY-MM`, in the report's timezone.
    pub month: String,
    /// Customers created in it.
    pub size: u64,
    /// `retained[k]`: customers retained in month k (k = 0 is the cohort month).
    pub retained: Vec<u64>,
    /// `rates[k]`: `retained[k] / size`, four places.
    pub rates: Vec<Rate>,
}

/// Cohort retention for every month with customers, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cohorts {
    /// The timezone months were computed in.
    pub timezone: String,
    /// The instant the report is as of: the last month is cut there.
    pub as_of: DateTime<Utc>,
    /// The cohorts, oldest first.
    pub cohorts: Vec<Cohort>,
}

impl Cohorts {
    /// Computes cohort retention of `journeys` as of `as_of`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for invalid options or journeys, or a customer created more than
    /// [`MAX_COHORT_MONTHS`] months before `as_of`.
    ///
    /// ```
    /// use scrm_core::{AnalyticsOptions, Cohorts, StageEntry, StageJourney};
    ///
    /// let at = |d: &str| d.parse().unwrap();
    /// let mut a = StageJourney::new("a", at("2026-01-10T00:00:00Z"));
    /// a.stages.push(StageEntry { stage: "lead".into(), at: at("2026-01-10T00:00:00Z") });
    /// a.stages.push(StageEntry { stage: "dormant".into(), at: at("2026-02-20T00:00:00Z") });
    /// let mut options = AnalyticsOptions::new(["lead", "customer"]);
    /// options.timezone = "Asia/Shanghai".into();
    /// let report = Cohorts::compute(&[a], &options, at("2026-03-15T00:00:00Z"))?;
    /// assert_eq!(report.cohorts[0].month, "2026-01");
    /// assert_eq!(report.cohorts[0].retained, [1, 1, 0]); // live in Jan and part of Feb
    /// # Ok::<(), scrm_core::Error>(())
    /// ```
    pub fn compute(
        journeys: &[StageJourney],
        options: &AnalyticsOptions,
        as_of: DateTime<Utc>,
    ) -> Result<Cohorts> {
        let compiled = options.compile()?;
        check_journeys(journeys)?;
        let tz = compiled.tz;
        let now_month = month_of(tz, as_of);
        let mut cohorts: BTreeMap<i64, (u64, Vec<u64>)> = BTreeMap::new();
        let mut scratch = Scratch::default();
        for (i, journey) in journeys.iter().enumerate() {
            if !compiled.in_window(journey.created_at) || journey.created_at > as_of {
                continue;
            }
            let cohort = month_of(tz, journey.created_at);
            let span = now_month - cohort;
            if span > MAX_COHORT_MONTHS {
                return Err(Error::at(
                    ErrorKind::Validation,
                    format!("journeys[{i}].created_at"),
                    format!(
                        "created_at {} is more than {MAX_COHORT_MONTHS} months before as_of {as_of}",
                        journey.created_at
                    ),
                ));
            }
            let months = usize::try_from(span).unwrap_or(0) + 1;
            let entry = cohorts
                .entry(cohort)
                .or_insert_with(|| (0, vec![0; months]));
            entry.0 += 1;
            scratch.retained_months(journey, &compiled, cohort, months, as_of);
            for (slot, &kept) in entry.1.iter_mut().zip(&scratch.kept) {
                *slot += u64::from(kept);
            }
        }
        Ok(Cohorts {
            timezone: options.timezone.clone(),
            as_of,
            cohorts: cohorts
                .into_iter()
                .map(|(month, (size, retained))| Cohort {
                    month: month_name(month),
                    size,
                    rates: retained
                        .iter()
                        .map(|&r| Rate::of(r, size).unwrap_or(Rate::ZERO))
                        .collect(),
                    retained,
                })
                .collect(),
        })
    }
}

/// Buffers reused across journeys.
#[derive(Default)]
struct Scratch {
    entries: Vec<(DateTime<Utc>, bool)>,
    active: Vec<DateTime<Utc>>,
    kept: Vec<bool>,
}

impl Scratch {
    /// Fills `kept[k]` for months `k` in `0..months` after `cohort`.
    fn retained_months(
        &mut self,
        journey: &StageJourney,
        compiled: &Compiled,
        cohort: i64,
        months: usize,
        as_of: DateTime<Utc>,
    ) {
        let tz = compiled.tz;
        self.entries.clear();
        // At one instant the later funnel stage is taken last, side states after funnel stages.
        let mut ranked: Vec<(DateTime<Utc>, usize, &str)> = journey
            .stages
            .iter()
            .filter(|e| e.at <= as_of)
            .map(|e| {
                let rank = compiled.position(&e.stage).unwrap_or(usize::MAX);
                (e.at, rank, e.stage.as_str())
            })
            .collect();
        ranked.sort_unstable();
        self.entries
            .extend(ranked.iter().map(|&(at, rank, _)| (at, rank != usize::MAX)));
        self.active.clear();
        self.active
            .extend(journey.active_at.iter().copied().filter(|&t| t <= as_of));
        self.active.sort_unstable();
        self.kept.clear();
        let (mut e, mut a) = (0usize, 0usize);
        let mut live = false;
        for k in 0..months {
            let start = month_start(tz, cohort + k as i64);
            let end = month_start(tz, cohort + k as i64 + 1);
            // The stage held at the month's first instant: every entry up to and including it.
            while let Some(&(at, is_live)) = self.entries.get(e) {
                if at > start {
                    break;
                }
                live = is_live;
                e += 1;
            }
            let mut kept = live;
            // Entries inside the month: live at any of them keeps the customer.
            while let Some(&(at, is_live)) = self.entries.get(e) {
                if at >= end {
                    break;
                }
                live = is_live;
                kept |= is_live;
                e += 1;
            }
            while let Some(&t) = self.active.get(a) {
                if t >= end {
                    break;
                }
                kept |= t >= start;
                a += 1;
            }
            self.kept.push(kept);
        }
    }
}

/// Months since year 0 of the local month of `t` in `tz`.
fn month_of(tz: Tz, t: DateTime<Utc>) -> i64 {
    let local = t.with_timezone(&tz);
    i64::from(local.year()) * 12 + i64::from(local.month0())
}

/// `YYYY-MM` of a month index.
fn month_name(month: i64) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
}

/// The first instant of a month (index as [`month_of`]) in `tz`. Where local midnight does not
/// exist (a DST jump at midnight), the first existing hour of the day; out of range, the end of
/// time.
fn month_start(tz: Tz, month: i64) -> DateTime<Utc> {
    let year = i32::try_from(month.div_euclid(12)).ok();
    let month0 = u32::try_from(month.rem_euclid(12)).ok();
    let (Some(year), Some(month0)) = (year, month0) else {
        return DateTime::<Utc>::MAX_UTC;
    };
    (0..24)
        .find_map(|hour| {
            tz.with_ymd_and_hms(year, month0 + 1, 1, hour, 0, 0)
                .earliest()
        })
        .map_or(DateTime::<Utc>::MAX_UTC, |t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StageEntry;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn options(tz: &str) -> AnalyticsOptions {
        let mut o = AnalyticsOptions::new(["lead", "customer"]);
        o.timezone = tz.into();
        o
    }

    #[test]
    fn cohorts_use_the_local_month() {
        let j = StageJourney::new("a", at("2026-03-31T17:30:00Z"));
        let shanghai = Cohorts::compute(
            std::slice::from_ref(&j),
            &options("Asia/Shanghai"),
            at("2026-04-10T00:00:00Z"),
        )
        .unwrap();
        assert_eq!(shanghai.cohorts[0].month, "2026-04");
        assert_eq!(shanghai.cohorts[0].retained, [0]);
        let utc = Cohorts::compute(&[j], &options("UTC"), at("2026-04-10T00:00:00Z")).unwrap();
        assert_eq!(utc.cohorts[0].month, "2026-03");
        assert_eq!(utc.cohorts[0].retained, [0, 0]);
    }

    #[test]
    fn activity_or_a_live_stage_retains() {
        let mut a = StageJourney::new("a", at("2026-01-05T00:00:00Z"));
        a.stages = vec![
            StageEntry {
                stage: "lead".into(),
                at: at("2026-01-05T00:00:00Z"),
            },
            StageEntry {
                stage: "dormant".into(),
                at: at("2026-01-20T00:00:00Z"),
            },
        ];
        a.active_at = vec![at("2026-03-03T00:00:00Z"), at("2026-06-01T00:00:00Z")];
        let mut b = StageJourney::new("b", at("2026-01-31T00:00:00Z"));
        b.stages = vec![StageEntry {
            stage: "customer".into(),
            at: at("2026-02-01T00:00:00Z"),
        }];
        let report =
            Cohorts::compute(&[a, b], &options("UTC"), at("2026-04-15T00:00:00Z")).unwrap();
        let c = &report.cohorts[0];
        assert_eq!(c.size, 2);
        // a: Jan live, Feb nothing, Mar active, Apr nothing (June is after as_of);
        // b: Jan nothing (no stage yet), Feb..Apr live.
        assert_eq!(c.retained, [1, 1, 2, 1]);
        assert_eq!(c.rates[1].to_string(), "0.5000");
    }

    #[test]
    fn far_past_is_refused() {
        let j = StageJourney::new("a", at("1800-01-01T00:00:00Z"));
        let err = Cohorts::compute(&[j], &options("UTC"), at("2026-01-01T00:00:00Z")).unwrap_err();
        assert_eq!(err.problems()[0].path, "journeys[0].created_at");
    }
}
