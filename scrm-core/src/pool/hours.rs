//! Working hours: weekly windows in the playbook timezone.

use chrono::{Datelike, NaiveDateTime, Timelike};

use crate::error::{Error, ErrorKind, Problem, Result};
use crate::playbook::{DayOfWeek, HoursWindow, path_field, path_index};

const DAY_MINUTES: u16 = 24 * 60;

/// Compiled working hours: when an employee can take a new customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hours {
    windows: Vec<Window>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    /// Bit `d` set: the window starts on day `d` (0 = Monday).
    days: u8,
    /// Minutes after midnight.
    from: u16,
    /// Minutes after midnight, exclusive; not after `from` means the next day.
    to: u16,
}

fn day_index(day: DayOfWeek) -> u8 {
    match day {
        DayOfWeek::Mon => 0,
        DayOfWeek::Tue => 1,
        DayOfWeek::Wed => 2,
        DayOfWeek::Thu => 3,
        DayOfWeek::Fri => 4,
        DayOfWeek::Sat => 5,
        DayOfWeek::Sun => 6,
    }
}

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Reads `"HH:MM"`; `"24:00"` only where `end_of_day` allows it.
fn parse_clock(text: &str, end_of_day: bool) -> Option<u16> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u16, u16) = (h.parse().ok()?, m.parse().ok()?);
    match (h, m) {
        (24, 0) if end_of_day => Some(DAY_MINUTES),
        (0..=23, 0..=59) => Some(h * 60 + m),
        _ => None,
    }
}

/// Appends what is wrong with one window at `at` to `out`.
pub(crate) fn check_window(window: &HoursWindow, at: &str, out: &mut Vec<Problem>) {
    let _ = compile_window(window, at, out);
}

fn compile_window(window: &HoursWindow, at: &str, out: &mut Vec<Problem>) -> Option<Window> {
    let mut days = 0u8;
    if window.days.is_empty() {
        out.push(Problem::new(
            path_field(at, "days"),
            "a window needs at least one day",
        ));
    }
    for (i, day) in window.days.iter().enumerate() {
        let bit = 1 << day_index(*day);
        if days & bit != 0 {
            out.push(Problem::new(
                path_index(&path_field(at, "days"), i),
                format!(
                    "{} is listed twice",
                    DAY_NAMES[usize::from(day_index(*day))]
                ),
            ));
        }
        days |= bit;
    }
    let clock = |text: &str, name: &str, end: bool, out: &mut Vec<Problem>| {
        let parsed = parse_clock(text, end);
        if parsed.is_none() {
            out.push(Problem::new(
                path_field(at, name),
                format!(
                    "invalid time {text:?}: write \"HH:MM\" on a 24-hour clock{}",
                    if end { ", or \"24:00\"" } else { "" }
                ),
            ));
        }
        parsed
    };
    let from = clock(&window.from, "from", false, out);
    let to = clock(&window.to, "to", true, out);
    let (from, to) = (from?, to?);
    if from == to {
        out.push(Problem::new(
            path_field(at, "to"),
            format!(
                "the window starts and ends at {:?}; write a later end, or \"24:00\"",
                window.to
            ),
        ));
        return None;
    }
    (days != 0).then_some(Window { days, from, to })
}

impl Hours {
    /// Compiles windows, reporting every problem with its path under `at` (`at[2].from`).
    pub(crate) fn compile(windows: &[HoursWindow], at: &str) -> Result<Hours> {
        let mut problems = Vec::new();
        let compiled: Vec<Window> = windows
            .iter()
            .enumerate()
            .filter_map(|(i, w)| compile_window(w, &path_index(at, i), &mut problems))
            .collect();
        if problems.is_empty() {
            Ok(Hours { windows: compiled })
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }

    /// Whether the local time `at` (in the playbook timezone) is inside a window; with no windows
    /// at all, always (an employee's empty list lifts the playbook's hours for them).
    pub(crate) fn contains(&self, at: NaiveDateTime) -> bool {
        if self.windows.is_empty() {
            return true;
        }
        let day = u8::try_from(at.weekday().num_days_from_monday()).unwrap_or(0);
        let yesterday = (day + 6) % 7;
        let minute = u16::try_from(at.hour() * 60 + at.minute()).unwrap_or(0);
        self.windows.iter().any(|w| {
            let starts = |d: u8| w.days & (1 << d) != 0;
            if w.from < w.to {
                starts(day) && (w.from..w.to).contains(&minute)
            } else {
                (starts(day) && minute >= w.from) || (starts(yesterday) && minute < w.to)
            }
        })
    }

    /// The windows as a person reads them: `Mon–Fri 09:00–18:00, Sat 10:00–16:00`.
    pub(crate) fn describe(&self) -> String {
        let clock = |m: u16| format!("{:02}:{:02}", m / 60, m % 60);
        self.windows
            .iter()
            .map(|w| {
                format!(
                    "{} {}–{}",
                    describe_days(w.days),
                    clock(w.from),
                    clock(w.to)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Runs of consecutive days: `Mon–Fri`, `Mon, Wed, Sat–Sun`.
fn describe_days(days: u8) -> String {
    let mut parts = Vec::new();
    let mut d = 0usize;
    while d < 7 {
        if days & (1 << d) == 0 {
            d += 1;
            continue;
        }
        let start = d;
        while d + 1 < 7 && days & (1 << (d + 1)) != 0 {
            d += 1;
        }
        parts.push(match d - start {
            0 => DAY_NAMES[start].to_owned(),
            1 => format!("{}, {}", DAY_NAMES[start], DAY_NAMES[d]),
            _ => format!("{}–{}", DAY_NAMES[start], DAY_NAMES[d]),
        });
        d += 1;
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use DayOfWeek::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn weekday_window_with_exclusive_end() {
        let h = Hours::compile(
            &[HoursWindow::new(
                vec![Mon, Tue, Wed, Thu, Fri],
                "09:00",
                "18:00",
            )],
            "w",
        )
        .unwrap();
        // 2026-03-16 is a Monday.
        assert!(h.contains(at("2026-03-16 09:00")));
        assert!(h.contains(at("2026-03-16 17:59")));
        assert!(!h.contains(at("2026-03-16 18:00")));
        assert!(!h.contains(at("2026-03-16 08:59")));
        assert!(!h.contains(at("2026-03-21 10:00"))); // Saturday
        assert_eq!(h.describe(), "Mon–Fri 09:00–18:00");
    }

    #[test]
    fn a_window_past_midnight_belongs_to_the_day_it_starts() {
        let h = Hours::compile(&[HoursWindow::new(vec![Fri], "22:00", "02:00")], "w").unwrap();
        assert!(h.contains(at("2026-03-20 23:00"))); // Friday night
        assert!(h.contains(at("2026-03-21 01:59"))); // early Saturday
        assert!(!h.contains(at("2026-03-21 02:00")));
        assert!(!h.contains(at("2026-03-20 01:00"))); // early Friday: Thursday has no window
        assert_eq!(h.describe(), "Fri 22:00–02:00");
    }

    #[test]
    fn end_of_day_and_day_runs() {
        let h = Hours::compile(
            &[HoursWindow::new(vec![Sat, Sun, Mon], "00:00", "24:00")],
            "w",
        )
        .unwrap();
        assert!(h.contains(at("2026-03-22 23:59")));
        assert_eq!(h.describe(), "Mon, Sat, Sun 00:00–24:00");
    }

    #[test]
    fn every_problem_is_reported_with_its_path() {
        let err = Hours::compile(
            &[
                HoursWindow::new(vec![Mon, Mon], "9:00", "25:00"),
                HoursWindow::new(vec![], "10:00", "10:00"),
            ],
            "assignment.working_hours",
        )
        .unwrap_err();
        let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "assignment.working_hours[0].days[1]",
                "assignment.working_hours[0].from",
                "assignment.working_hours[0].to",
                "assignment.working_hours[1].days",
                "assignment.working_hours[1].to",
            ]
        );
    }
}
