//! Calendar days in the playbook timezone: the unit of reclaim limits, daily limits and the
//! transfer window.

use chrono::{DateTime, Days, NaiveDate, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{Error, ErrorKind, Result};

/// The date `t` falls on in `tz`.
pub(crate) fn local_date(tz: Tz, t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

/// The first instant whose local date is `date`.
///
/// A few zones skip midnight on the day their clocks go forward; the day then starts at the first
/// local time that exists.
pub(crate) fn start_of_day(tz: Tz, date: NaiveDate) -> Result<DateTime<Utc>> {
    let midnight = date
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| out_of_range(date))?;
    (0..24 * 4)
        .filter_map(|quarter| midnight.checked_add_signed(TimeDelta::minutes(quarter * 15)))
        .find_map(|local| tz.from_local_datetime(&local).earliest())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| out_of_range(date))
}

/// `date` moved by `days` (either way), or an error past the calendar's range.
pub(crate) fn shift(date: NaiveDate, days: i64) -> Result<NaiveDate> {
    let moved = if days >= 0 {
        date.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        date.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    moved.ok_or_else(|| out_of_range(date))
}

/// Whole calendar days from `from` to `to` (negative when `to` is earlier).
pub(crate) fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    (to - from).num_days()
}

/// The first instant at which a clock started at a time on date `d` has run `days` calendar
/// days, given today's date: the start of `today - days + 1`. `t < cutoff(today, days)` holds
/// exactly when `days_between(local_date(t), today) >= days`.
pub(crate) fn cutoff(tz: Tz, today: NaiveDate, days: i64) -> Result<DateTime<Utc>> {
    let day = shift(today, 1_i64.saturating_sub(days))?;
    start_of_day(tz, day)
}

fn out_of_range(date: NaiveDate) -> Error {
    Error::at(
        ErrorKind::Validation,
        "now",
        format!("the date {date} is too far from the calendar's range to count days from"),
    )
}

/// "1 day", "3 days".
pub(crate) fn days_text(n: impl Into<i64>) -> String {
    let n = n.into();
    if n == 1 {
        "1 day".to_owned()
    } else {
        format!("{n} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn days_are_counted_in_the_playbook_timezone() {
        let tz = chrono_tz::Asia::Shanghai;
        // 23:30 in Shanghai on 1 March is 15:30 UTC.
        assert_eq!(
            local_date(tz, t("2026-03-01T15:30:00Z")),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert_eq!(
            local_date(tz, t("2026-03-01T16:00:00Z")),
            NaiveDate::from_ymd_opt(2026, 3, 2).unwrap()
        );
        let day = NaiveDate::from_ymd_opt(2026, 3, 17).unwrap();
        assert_eq!(start_of_day(tz, day).unwrap(), t("2026-03-16T16:00:00Z"));
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_at_the_first_real_time() {
        // São Paulo moved its clocks from 00:00 to 01:00 on 2018-11-04.
        let tz = chrono_tz::America::Sao_Paulo;
        let day = NaiveDate::from_ymd_opt(2018, 11, 4).unwrap();
        let start = start_of_day(tz, day).unwrap();
        assert_eq!(start, t("2018-11-04T03:00:00Z"));
        assert_eq!(local_date(tz, start), day);
        assert_eq!(
            local_date(tz, start - TimeDelta::seconds(1)),
            NaiveDate::from_ymd_opt(2018, 11, 3).unwrap()
        );
    }

    #[test]
    fn cutoff_matches_counting_local_dates() {
        let tz = chrono_tz::Europe::Berlin;
        let today = NaiveDate::from_ymd_opt(2026, 3, 30).unwrap(); // the day after DST starts
        for days in 0..40 {
            let cut = cutoff(tz, today, days).unwrap();
            for probe in [cut - TimeDelta::seconds(1), cut] {
                let idle = days_between(local_date(tz, probe), today);
                assert_eq!(probe < cut, idle >= days, "days {days} probe {probe}");
            }
        }
    }

    #[test]
    fn shifting_past_the_calendar_is_an_error() {
        assert!(shift(NaiveDate::MAX, 1).is_err());
        assert!(shift(NaiveDate::MIN, -1).is_err());
        assert_eq!(days_text(1), "1 day");
        assert_eq!(days_text(0), "0 days");
    }
}
