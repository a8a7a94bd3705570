//! Billing periods, computed in the customer's timezone (DOMAIN.md 7).
//!
//! A period is a run of whole local days: from local midnight of its first day to local midnight
//! of the day after its last. `2026-03-31T17:30:00Z` is 1 April 01:30 in Asia/Shanghai, so it falls
//! in April's period there and in March's in UTC. Periods follow the calendar (months, quarters
//! starting January, April, July, October, years starting 1 January) or the anniversary of a
//! subscription's start: monthly from 15 March runs 15 March – 14 April; from 31 January the
//! next start is 28 (or 29) February, then 31 March, always counted from the anchor day so a
//! short month does not shift later periods.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize, Serializer};

use crate::error::{Error, ErrorKind, Result};

/// How long a billing period is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Interval {
    /// One month (月付).
    Month,
    /// Three months (季付); calendar quarters start in January, April, July and October.
    Quarter,
    /// Twelve months (年付).
    Year,
}

impl Interval {
    /// The number of months in the interval.
    pub fn months(self) -> u32 {
        match self {
            Interval::Month => 1,
            Interval::Quarter => 3,
            Interval::Year => 12,
        }
    }

    /// The snake_case name (`month`, `quarter`, `year`).
    pub fn name(self) -> &'static str {
        match self {
            Interval::Month => "month",
            Interval::Quarter => "quarter",
            Interval::Year => "year",
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The grid of billing periods of one customer: an interval, aligned to the calendar or to the
/// anniversary of a start date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct BillingCycle {
    interval: Interval,
    anniversary: Option<NaiveDate>,
}

impl BillingCycle {
    /// Calendar periods: months, quarters from January, years from 1 January.
    pub fn calendar(interval: Interval) -> BillingCycle {
        BillingCycle {
            interval,
            anniversary: None,
        }
    }

    /// Periods that start on the anniversary of `anchor` (a local date, usually the day a
    /// subscription started); days past the end of a short month fall on its last day.
    pub fn anniversary(interval: Interval, anchor: NaiveDate) -> BillingCycle {
        BillingCycle {
            interval,
            anniversary: Some(anchor),
        }
    }

    /// The interval.
    pub fn interval(self) -> Interval {
        self.interval
    }

    /// The anniversary anchor, or `None` for calendar periods.
    pub fn anchor(self) -> Option<NaiveDate> {
        self.anniversary
    }

    /// The first day and the day after the last day of the period that contains `date`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the period would fall outside the dates scrm can represent
    /// (years beyond ±262,000).
    pub fn dates_of(self, date: NaiveDate) -> Result<(NaiveDate, NaiveDate)> {
        let step = i64::from(self.interval.months());
        let (anchor_month, anchor_day) = match self.anniversary {
            Some(a) => (month_index(a), a.day()),
            None => (0, 1),
        };
        let mut k = (month_index(date) - anchor_month).div_euclid(step);
        let start_of = |k: i64| shift(anchor_month + k * step, anchor_day, date);
        // With days clamped to short months the first guess can be one period late.
        let mut start = start_of(k)?;
        if start > date {
            k -= 1;
            start = start_of(k)?;
        }
        Ok((start, start_of(k + 1)?))
    }

    /// The period that contains the instant `at` for a customer in `timezone`.
    ///
    /// # Errors
    ///
    /// As [`dates_of`](BillingCycle::dates_of).
    pub fn period(self, at: DateTime<Utc>, timezone: Tz) -> Result<Period> {
        let local = at.with_timezone(&timezone).date_naive();
        let (start, end) = self.dates_of(local)?;
        Period::from_dates(start, end, timezone)
    }

    /// The period after `period` in this cycle.
    ///
    /// # Errors
    ///
    /// As [`dates_of`](BillingCycle::dates_of).
    pub fn next(self, period: &Period, timezone: Tz) -> Result<Period> {
        let (start, end) = self.dates_of(period.end_date)?;
        Period::from_dates(start, end, timezone)
    }
}

/// One billing period: whole local days from `start_date` up to (not including) `end_date`, and
/// the UTC instants of their local midnights.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    start_date: NaiveDate,
    end_date: NaiveDate,
}

impl Period {
    /// The period of local days `start_date ..< end_date` in `timezone`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when `end_date` is not after `start_date` or a date cannot be
    /// placed in time.
    pub fn from_dates(start_date: NaiveDate, end_date: NaiveDate, timezone: Tz) -> Result<Period> {
        if end_date <= start_date {
            return Err(Error::at(
                ErrorKind::Validation,
                "period",
                format!("a period must end after it starts: {start_date} .. {end_date}"),
            ));
        }
        Ok(Period {
            start: local_midnight(start_date, timezone)?,
            end: local_midnight(end_date, timezone)?,
            start_date,
            end_date,
        })
    }

    /// The first instant of the period (local midnight of its first day), in UTC.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first instant after the period, in UTC.
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// The first local day.
    pub fn first_day(&self) -> NaiveDate {
        self.start_date
    }

    /// The last local day (inclusive).
    pub fn last_day(&self) -> NaiveDate {
        self.end_date.pred_opt().unwrap_or(self.start_date)
    }

    /// The local day after the last one (exclusive end).
    pub fn end_date(&self) -> NaiveDate {
        self.end_date
    }

    /// The number of local days (28 to 366).
    pub fn days(&self) -> i64 {
        (self.end_date - self.start_date).num_days()
    }

    /// The number of local days from `date` (included) to the end of the period, clamped to the
    /// period: the whole period for a date before it, zero for one after it.
    pub fn days_from(&self, date: NaiveDate) -> i64 {
        let from = date.clamp(self.start_date, self.end_date);
        (self.end_date - from).num_days()
    }

    /// Whether the instant is inside the period.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        self.start <= at && at < self.end
    }

    /// The length in seconds of real time (a day with a daylight-saving change is 23 or 25 h).
    pub fn seconds(&self) -> i64 {
        (self.end - self.start).num_seconds()
    }
}

impl fmt::Display for Period {
    /// `2026-03-01 – 2026-03-31` (first and last local day).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} – {}", self.start_date, self.last_day())
    }
}

impl Serialize for Period {
    /// `{"start": "2026-02-28T16:00:00Z", "end": ..., "first_day": "2026-03-01", "last_day":
    /// "2026-03-31", "days": 31}`.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Shape {
            start: DateTime<Utc>,
            end: DateTime<Utc>,
            first_day: NaiveDate,
            last_day: NaiveDate,
            days: i64,
        }
        Shape {
            start: self.start,
            end: self.end,
            first_day: self.start_date,
            last_day: self.last_day(),
            days: self.days(),
        }
        .serialize(s)
    }
}

/// The first instant of local day `date` in `timezone`, in UTC. Where midnight does not exist
/// (a daylight-saving jump at midnight) the day starts at the first local time that does; where
/// it exists twice, at the earlier.
pub(crate) fn local_midnight(date: NaiveDate, timezone: Tz) -> Result<DateTime<Utc>> {
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| out_of_range(date))?;
    // A gap is at most a few hours; look for its end minute by minute within the day.
    for minute in 0..(24 * 60) {
        let local = midnight + Duration::minutes(minute);
        match timezone.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                return Ok(t.with_timezone(&Utc));
            }
            LocalResult::None => {}
        }
    }
    Err(out_of_range(date))
}

/// Months since the start of year 0: `year × 12 + month − 1`.
fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

/// The date in month `index` on `day`, or the month's last day when it is shorter. `near` only
/// names the input in errors.
fn shift(index: i64, day: u32, near: NaiveDate) -> Result<NaiveDate> {
    let year = i32::try_from(index.div_euclid(12)).map_err(|_| out_of_range(near))?;
    let month = u32::try_from(index.rem_euclid(12)).map_err(|_| out_of_range(near))? + 1;
    (1..=day)
        .rev()
        .find_map(|d| NaiveDate::from_ymd_opt(year, month, d))
        .ok_or_else(|| out_of_range(near))
}

fn out_of_range(date: NaiveDate) -> Error {
    Error::at(
        ErrorKind::Validation,
        "timestamp",
        format!("the billing period around {date} is outside the dates scrm can represent"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn an_instant_falls_in_the_customers_local_month() {
        let cycle = BillingCycle::calendar(Interval::Month);
        let t = at("2026-03-31T17:30:00Z");
        let shanghai = cycle.period(t, chrono_tz::Asia::Shanghai).unwrap();
        assert_eq!(shanghai.first_day(), date("2026-04-01"));
        assert_eq!(shanghai.start(), at("2026-03-31T16:00:00Z"));
        let utc = cycle.period(t, Tz::UTC).unwrap();
        assert_eq!(utc.first_day(), date("2026-03-01"));
        assert_eq!(utc.last_day(), date("2026-03-31"));
        assert_eq!(utc.days(), 31);
    }

    #[test]
    fn quarters_and_years_follow_the_calendar() {
        let q = BillingCycle::calendar(Interval::Quarter);
        assert_eq!(
            q.dates_of(date("2026-05-17")).unwrap(),
            (date("2026-04-01"), date("2026-07-01"))
        );
        let y = BillingCycle::calendar(Interval::Year);
        assert_eq!(
            y.dates_of(date("2024-02-29")).unwrap(),
            (date("2024-01-01"), date("2025-01-01"))
        );
    }

    #[test]
    fn anniversaries_clamp_to_short_months_without_drifting() {
        let m = BillingCycle::anniversary(Interval::Month, date("2026-01-31"));
        assert_eq!(
            m.dates_of(date("2026-02-15")).unwrap(),
            (date("2026-01-31"), date("2026-02-28"))
        );
        assert_eq!(
            m.dates_of(date("2026-03-01")).unwrap(),
            (date("2026-02-28"), date("2026-03-31"))
        );
        assert_eq!(
            m.dates_of(date("2025-12-31")).unwrap(),
            (date("2025-12-31"), date("2026-01-31"))
        );
        let q = BillingCycle::anniversary(Interval::Quarter, date("2026-03-15"));
        assert_eq!(
            q.dates_of(date("2026-06-14")).unwrap(),
            (date("2026-03-15"), date("2026-06-15"))
        );
    }

    #[test]
    fn a_midnight_lost_to_daylight_saving_starts_the_day_at_the_first_real_time() {
        // Chile moved clocks from 00:00 to 01:00 on 2022-09-11 (America/Santiago).
        let t = local_midnight(date("2022-09-11"), chrono_tz::America::Santiago).unwrap();
        assert_eq!(t, at("2022-09-11T04:00:00Z"));
    }

    #[test]
    fn days_from_is_clamped_to_the_period() {
        let p = Period::from_dates(date("2026-03-01"), date("2026-04-01"), Tz::UTC).unwrap();
        assert_eq!(p.days_from(date("2026-03-16")), 16);
        assert_eq!(p.days_from(date("2026-01-01")), 31);
        assert_eq!(p.days_from(date("2026-05-01")), 0);
        assert!(Period::from_dates(date("2026-03-01"), date("2026-03-01"), Tz::UTC).is_err());
    }

    proptest! {
        #[test]
        fn periods_tile_time(
            days in -40_000i64..40_000,
            anchor_days in -40_000i64..40_000,
            interval in prop::sample::select(vec![Interval::Month, Interval::Quarter, Interval::Year]),
            anniversary in any::<bool>(),
        ) {
            let base = date("2026-01-01");
            let d = base + Duration::days(days);
            let cycle = if anniversary {
                BillingCycle::anniversary(interval, base + Duration::days(anchor_days))
            } else {
                BillingCycle::calendar(interval)
            };
            let (start, end) = cycle.dates_of(d).unwrap();
            prop_assert!(start <= d && d < end);
            // The next period starts where this one ends, and the one before ends where it starts.
            prop_assert_eq!(cycle.dates_of(end).unwrap().0, end);
            prop_assert_eq!(cycle.dates_of(start.pred_opt().unwrap()).unwrap().1, start);
            let months = i64::from(interval.months());
            prop_assert!((end - start).num_days() >= 28 * months - 3 && (end - start).num_days() <= 31 * months + 1);
        }
    }
}
