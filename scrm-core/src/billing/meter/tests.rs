use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use super::*;
use crate::billing::period::{BillingCycle, Interval};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn meters() -> Vec<Meter> {
    vec![
        Meter::new("calls", "api_call", Aggregation::Count, None),
        Meter::new("tokens", "api_call", Aggregation::Sum, Some("tokens")),
        Meter::new("peak", "api_call", Aggregation::Max, Some("tokens")),
        Meter::new("last", "api_call", Aggregation::Latest, Some("tokens")),
        Meter::new("seats", "seat", Aggregation::UniqueCount, Some("user")),
        Meter::new("storage", "storage", Aggregation::WeightedSum, Some("gb")),
    ]
}

fn call(id: &str, t: &str, tokens: &str) -> UsageEvent {
    UsageEvent::new(id, "c1", "api_call", at(t)).with("tokens", tokens)
}

fn value(m: &Metering, meter: &str, t: &str) -> String {
    m.value("c1", meter, at(t)).unwrap().to_string()
}

#[test]
fn an_event_near_midnight_falls_in_the_customers_local_month() {
    let mut m = Metering::new(&meters(), chrono_tz::Asia::Shanghai, Interval::Month).unwrap();
    m.set_customer("c2", Tz::UTC, BillingCycle::calendar(Interval::Month))
        .unwrap();
    let t = "2026-03-31T17:30:00Z";
    let mut other = call("e1", t, "5");
    other.customer_id = "c2".into();
    let report = m.ingest(&[call("e1", t, "5"), other]);
    assert_eq!(report.accepted, 2);
    let values = m.values().unwrap();
    let first_day = |c: &str| {
        values
            .iter()
            .find(|v| v.customer_id == c && v.meter_id == "calls")
            .unwrap()
            .period
            .first_day()
    };
    assert_eq!(
        first_day("c1"),
        NaiveDate::from_ymd_opt(2026, 4, 1).unwrap()
    );
    assert_eq!(
        first_day("c2"),
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    );
}

#[test]
fn the_same_event_sent_three_times_counts_once() {
    let mut m = Metering::new(&meters(), Tz::UTC, Interval::Month).unwrap();
    let e = call("e1", "2026-03-02T00:00:00Z", "7");
    let report = m.ingest(&[e.clone(), e.clone(), e]);
    assert_eq!(
        (report.accepted, report.replayed, report.total()),
        (1, 2, 3)
    );
    assert_eq!(value(&m, "calls", "2026-03-02T00:00:00Z"), "1");
    assert_eq!(value(&m, "tokens", "2026-03-02T00:00:00Z"), "7");
    // And again in a later batch.
    let report = m.ingest(&[call("e1", "2026-03-02T00:00:00Z", "7")]);
    assert_eq!(report.replayed, 1);
    assert_eq!(value(&m, "tokens", "2026-03-02T00:00:00Z"), "7");
}

#[test]
fn a_conflicting_duplicate_is_reported_and_the_first_content_stays() {
    let mut m = Metering::new(&meters(), Tz::UTC, Interval::Month).unwrap();
    let report = m.ingest(&[
        call("e1", "2026-03-02T00:00:00Z", "7"),
        call("e1", "2026-03-02T00:00:00Z", "9"),
        call("e1", "2026-03-05T00:00:00Z", "7"),
        call("e1", "2026-03-02T00:00:00Z", "7").with("region", "sh"),
    ]);
    assert_eq!(report.accepted, 1);
    assert_eq!(report.conflicts.len(), 3);
    assert_eq!(report.conflicts[0].index, Some(1));
    assert!(
        report.conflicts[0].message.contains("tokens"),
        "{:?}",
        report.conflicts[0]
    );
    assert!(
        report.conflicts[1].message.contains("`at` differs"),
        "{:?}",
        report.conflicts[1]
    );
    assert!(
        report.conflicts[2].message.contains("properties"),
        "{:?}",
        report.conflicts[2]
    );
    assert_eq!(value(&m, "tokens", "2026-03-02T00:00:00Z"), "7");
}

#[test]
fn an_unreadable_event_is_rejected_and_a_corrected_copy_accepted_later() {
    let mut m = Metering::new(&meters(), Tz::UTC, Interval::Month).unwrap();
    let missing = UsageEvent::new("e1", "c1", "api_call", at("2026-03-02T00:00:00Z"));
    let report = m.ingest(&[missing, call("e2", "2026-03-02T00:00:00Z", "1e3")]);
    assert_eq!(report.rejected.len(), 2);
    assert_eq!(report.rejected[0].path, "properties.tokens");
    assert_eq!(report.rejected[1].index, Some(1));
    // Rejected events change no meter, not even the count.
    assert_eq!(value(&m, "calls", "2026-03-02T00:00:00Z"), "0");
    let report = m.ingest(&[call("e1", "2026-03-02T00:00:00Z", "3")]);
    assert_eq!(report.accepted, 1);
    assert_eq!(value(&m, "calls", "2026-03-02T00:00:00Z"), "1");
    let empty = UsageEvent::new(" ", "c1", "api_call", at("2026-03-02T00:00:00Z"));
    assert_eq!(m.ingest(&[empty]).rejected[0].path, "id");
}

#[test]
fn events_no_meter_reads_are_kept_for_deduplication() {
    let mut m = Metering::new(&meters(), Tz::UTC, Interval::Month).unwrap();
    let other = UsageEvent::new("e1", "c1", "login", at("2026-03-02T00:00:00Z"));
    let report = m.ingest(&[other]);
    assert_eq!((report.accepted, report.unmetered), (1, 1));
    let report = m.ingest(&[call("e1", "2026-03-02T00:00:00Z", "3")]);
    assert_eq!(report.conflicts.len(), 1);
    assert!(m.values().unwrap().is_empty());
}

#[test]
fn sum_max_and_latest() {
    let mut m = Metering::new(&meters(), Tz::UTC, Interval::Month).unwrap();
    m.ingest(&[
        call("e1", "2026-03-02T00:00:00Z", "7.5"),
        call("e3", "2026-03-09T00:00:00Z", "2"),
        call("e2", "2026-03-20T00:00:00Z", "12"),
        call("e0", "2026-03-09T00:00:00Z", "4"),
        call("e9", "2026-04-01T00:00:00Z", "100"),
    ]);
    let t = "2026-03-15T00:00:00Z";
    assert_eq!(value(&m, "tokens", t), "25.5");
    assert_eq!(value(&m, "peak", t), "12");
    assert_eq!(value(&m, "last", t), "12");
    assert_eq!(value(&m, "calls", t), "4");
    assert_eq!(value(&m, "tokens", "2026-04-01T00:00:00Z"), "100");
}

#[test]
fn latest_breaks_a_tie_in_time_by_the_greater_id() {
    let mut m = Metering::new(&meters(), Tz::UTC, Interval::Month).unwrap();
    m.ingest(&[
        call("b", "2026-03-09T00:00:00Z", "2"),
        call("a", "2026-03-09T00:00:00Z", "4"),
    ]);
    assert_eq!(value(&m, "last", "2026-03-09T00:00:00Z"), "2");
}

#[test]
fn unique_count_follows_each_values_latest_operation() {
    let mut m = Metering::new(&meters(), Tz::UTC, Interval::Month).unwrap();
    let seat = |id: &str, t: &str, user: &str, op: Operation| {
        let mut e = UsageEvent::new(id, "c1", "seat", at(t)).with("user", user);
        e.operation = op;
        e
    };
    m.ingest(&[
        seat("s1", "2026-03-01T00:00:00Z", "amy", Operation::Add),
        seat("s2", "2026-03-02T00:00:00Z", "bo", Operation::Add),
        seat("s3", "2026-03-03T00:00:00Z", "amy", Operation::Add),
        seat("s5", "2026-03-10T00:00:00Z", "bo", Operation::Remove),
        // Arrives late but happened earlier: bo's removal still wins.
        seat("s4", "2026-03-05T00:00:00Z", "bo", Operation::Add),
        seat("s6", "2026-03-11T00:00:00Z", "cy", Operation::Remove),
    ]);
    assert_eq!(value(&m, "seats", "2026-03-15T00:00:00Z"), "1");
}

#[test]
fn weighted_sum_averages_the_running_total_over_the_period() {
    let mut m = Metering::new(&meters(), Tz::UTC, Interval::Month).unwrap();
    let gb = |id: &str, t: &str, v: &str| UsageEvent::new(id, "c1", "storage", at(t)).with("gb", v);
    // April has 30 days: 30 GB for 10 days, then 0, then 6 GB for the last 10 days.
    m.ingest(&[
        gb("g1", "2026-04-01T00:00:00Z", "30"),
        gb("g2", "2026-04-11T00:00:00Z", "-30"),
        gb("g3", "2026-04-21T00:00:00Z", "6"),
    ]);
    assert_eq!(value(&m, "storage", "2026-04-15T00:00:00Z"), "12");
}

#[test]
fn merging_needs_the_same_meters_and_calendars() {
    let mut a = Metering::new(&meters(), Tz::UTC, Interval::Month).unwrap();
    let b = Metering::new(&meters()[..2], Tz::UTC, Interval::Month).unwrap();
    assert!(a.merge(b).is_err());
    let mut b = Metering::new(&meters(), Tz::UTC, Interval::Month).unwrap();
    a.ingest(&[call("e1", "2026-03-02T00:00:00Z", "1")]);
    b.set_customer(
        "c1",
        chrono_tz::Asia::Shanghai,
        BillingCycle::calendar(Interval::Month),
    )
    .unwrap();
    assert!(a.merge(b).is_err());
    let e = a
        .set_customer(
            "c1",
            chrono_tz::Asia::Shanghai,
            BillingCycle::calendar(Interval::Month),
        )
        .unwrap_err();
    assert!(e.to_string().contains("already has metered events"), "{e}");
}

#[test]
fn meters_are_checked_with_paths() {
    let bad = [
        Meter::new("a", "x", Aggregation::Sum, None),
        Meter::new("a", "x", Aggregation::Count, Some("f")),
    ];
    let e = Metering::new(&bad, Tz::UTC, Interval::Month).unwrap_err();
    let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        ["meters[0].field", "meters[1].field", "meters[1].id"]
    );
}

#[test]
fn columnar_records_meter_like_owned_events_and_refuse_repeated_names() {
    let mut m = Metering::new(&meters(), Tz::UTC, Interval::Month).unwrap();
    static PROPS: [(&str, &str); 1] = [("tokens", "5")];
    static TWICE: [(&str, &str); 2] = [("tokens", "5"), ("tokens", "6")];
    let record = |id: &'static str, p: &'static [(&'static str, &'static str)]| UsageRecord {
        id,
        customer_id: "c1",
        kind: "api_call",
        at: at("2026-03-02T00:00:00Z"),
        operation: Operation::Add,
        properties: p,
    };
    let report = m.ingest_records([record("e1", &PROPS), record("e2", &TWICE)]);
    assert_eq!(report.accepted, 1);
    assert_eq!(report.rejected[0].path, "properties.tokens");
    // The owned form of e1 is a replay of the record.
    let report = m.ingest(&[call("e1", "2026-03-02T00:00:00Z", "5")]);
    assert_eq!(report.replayed, 1);
    assert_eq!(
        m.transactions("c1", "tokens", at("2026-03-02T00:00:00Z"))
            .unwrap(),
        [Decimal::from(5)]
    );
    assert!(
        m.transactions("c1", "calls", at("2026-03-02T00:00:00Z"))
            .is_err()
    );
}
