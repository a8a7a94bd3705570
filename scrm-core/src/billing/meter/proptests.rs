//! Splitting a stream into batches, in any way, and merging states gives the same values.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use proptest::prelude::*;

use super::*;
use crate::billing::period::{BillingCycle, Interval};

fn meters() -> Vec<Meter> {
    vec![
        Meter::new("n", "use", Aggregation::Count, None),
        Meter::new("sum", "use", Aggregation::Sum, Some("v")),
        Meter::new("max", "use", Aggregation::Max, Some("v")),
        Meter::new("last", "use", Aggregation::Latest, Some("v")),
        Meter::new("weighted", "use", Aggregation::WeightedSum, Some("v")),
        Meter::new("users", "seat", Aggregation::UniqueCount, Some("u")),
    ]
}

fn event() -> impl Strategy<Value = UsageEvent> {
    (
        0u8..12,
        0u8..3,
        0i64..(100 * 24 * 60),
        -50i64..200,
        0u32..3,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(id, customer, minutes, v, scale, seat, remove)| {
            let base: DateTime<Utc> = "2026-02-20T00:00:00Z".parse().unwrap();
            let t = base + Duration::minutes(minutes);
            let customer = format!("c{customer}");
            let mut e = if seat {
                UsageEvent::new(&format!("s{id}"), &customer, "seat", t)
                    .with("u", &format!("u{}", v.rem_euclid(4)))
            } else {
                UsageEvent::new(&format!("e{id}"), &customer, "use", t)
                    .with("v", &rust_decimal::Decimal::new(v, scale).to_string())
            };
            if remove {
                e.operation = Operation::Remove;
            }
            e
        })
}

/// The report of ingesting `events` one at a time into `metering`, with each conflict and
/// rejection indexed by its position in `events`: what a batch of them must report.
pub(super) fn ingested_one_by_one(metering: &mut Metering, events: &[UsageEvent]) -> IngestReport {
    let mut expected = IngestReport::default();
    for (i, e) in events.iter().enumerate() {
        let mut r = metering.ingest(std::slice::from_ref(e));
        r.conflicts.iter_mut().for_each(|c| c.index = Some(i));
        r.rejected.iter_mut().for_each(|x| x.index = Some(i));
        expected.absorb(r);
    }
    expected
}

fn fresh() -> Metering {
    let mut m = Metering::new(&meters(), chrono_tz::Asia::Shanghai, Interval::Month).unwrap();
    let anchor = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
    m.set_customer(
        "c1",
        Tz::UTC,
        BillingCycle::anniversary(Interval::Month, anchor),
    )
    .unwrap();
    m
}

/// Cuts `events` at the given points (sorted, deduplicated, within bounds).
fn batches(events: &[UsageEvent], cuts: &[usize]) -> Vec<Vec<UsageEvent>> {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (events.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = Vec::new();
    let mut from = 0;
    for c in cuts.into_iter().chain([events.len()]) {
        out.push(events[from..c].to_vec());
        from = c;
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// The blank check's shortcut (an ASCII letter or digit first) agrees with decoding every
    /// character, on any text and on texts made of whitespace and such first characters.
    #[test]
    fn a_text_is_blank_exactly_when_all_its_characters_are_whitespace(
        any_text in any::<String>(),
        mixed in "[ \t\u{3000}\u{a0}a0é\n]{0,6}",
    ) {
        for text in [any_text.as_str(), mixed.as_str()] {
            prop_assert_eq!(
                metering::blank(text),
                text.chars().all(char::is_whitespace),
                "{:?}", text
            );
        }
    }

    #[test]
    fn any_split_into_batches_gives_the_same_values(
        events in prop::collection::vec(event(), 0..60),
        cuts in prop::collection::vec(0usize..100, 0..5),
    ) {
        let mut one = fresh();
        let whole = one.ingest(&events);
        prop_assert_eq!(whole.total(), events.len() as u64);
        let expected = one.values().unwrap();

        // The same state fed batch by batch.
        let mut sequential = fresh();
        let mut report = IngestReport::default();
        for batch in batches(&events, &cuts) {
            report.absorb(sequential.ingest(&batch));
        }
        prop_assert_eq!(sequential.values().unwrap(), expected.clone());
        prop_assert_eq!((report.accepted, report.replayed, report.unmetered), (whole.accepted, whole.replayed, whole.unmetered));
        prop_assert_eq!(report.conflicts.len(), whole.conflicts.len());

        // One state per batch, merged in stream order.
        let mut merged = fresh();
        for batch in batches(&events, &cuts) {
            let mut part = fresh();
            part.ingest(&batch);
            merged.merge(part).unwrap();
        }
        prop_assert_eq!(merged.values().unwrap(), expected.clone());
        prop_assert_eq!(merged.recorded(), one.recorded());

        // Replaying the whole stream changes nothing.
        let again = one.ingest(&events);
        prop_assert_eq!(again.accepted, 0);
        prop_assert_eq!(one.values().unwrap(), expected);
    }

    #[test]
    fn merging_conflict_free_states_is_order_independent(
        events in prop::collection::vec(event(), 0..40),
        cut in 0usize..40,
    ) {
        // Make ids unique per content so that no conflict exists.
        let events: Vec<UsageEvent> = events.into_iter().enumerate().map(|(i, mut e)| {
            e.id = format!("{}-{i}", e.id);
            e
        }).collect();
        let cut = cut.min(events.len());
        let (a, b) = events.split_at(cut);
        let mut ab = fresh();
        ab.ingest(a);
        let mut part = fresh();
        part.ingest(b);
        ab.merge(part).unwrap();
        let mut ba = fresh();
        ba.ingest(b);
        let mut part = fresh();
        part.ingest(a);
        ba.merge(part).unwrap();
        prop_assert_eq!(ab.values().unwrap(), ba.values().unwrap());
    }

    /// A batch is metered customer by customer; the values and the whole report (counts,
    /// conflicts with their messages, rejections with their paths, all in input order) are
    /// those of taking its events one at a time in input order, through either entry point.
    #[test]
    fn a_batch_meters_like_its_events_one_by_one(
        events in prop::collection::vec(mixed_event(), 0..80),
    ) {
        let mut one_by_one = fresh();
        let expected = ingested_one_by_one(&mut one_by_one, &events);
        let mut batch = fresh();
        prop_assert_eq!(&batch.ingest(&events), &expected);
        prop_assert_eq!(batch.values().unwrap(), one_by_one.values().unwrap());

        let pairs: Vec<Vec<(&str, &str)>> = events
            .iter()
            .map(|e| e.properties.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect())
            .collect();
        let records: Vec<UsageRecord<'_>> = events
            .iter()
            .zip(&pairs)
            .map(|(e, p)| UsageRecord {
                id: &e.id,
                customer_id: &e.customer_id,
                kind: &e.kind,
                at: e.at,
                operation: e.operation,
                properties: p,
            })
            .collect();
        let mut borrowed = fresh();
        prop_assert_eq!(&borrowed.ingest_slice(&records), &expected);
        prop_assert_eq!(borrowed.values().unwrap(), one_by_one.values().unwrap());

        // Rows read in place, some of them rejected by the caller (`None`): the same as a
        // batch of the other rows, with row numbers for indexes.
        let skipped = |row: usize| row % 3 == 1;
        let kept: Vec<usize> = (0..records.len()).filter(|&r| !skipped(r)).collect();
        let given: Vec<UsageRecord<'_>> = kept.iter().map(|&r| records[r]).collect();
        let mut expected_rows = fresh().ingest_slice(&given);
        expected_rows.conflicts.iter_mut().for_each(|c| c.index = c.index.map(|i| kept[i]));
        expected_rows.rejected.iter_mut().for_each(|x| x.index = x.index.map(|i| kept[i]));
        let mut in_place = fresh();
        let report = in_place.ingest_rows(records.len(), |row| {
            (!skipped(row)).then(|| records.get(row).copied()).flatten()
        });
        prop_assert_eq!(&report, &expected_rows);
        let mut of_given = fresh();
        of_given.ingest_slice(&given);
        prop_assert_eq!(in_place.values().unwrap(), of_given.values().unwrap());
    }
}

/// Events of several customers, with repeated ids (replays and conflicts), unreadable values,
/// empty ids and types no meter reads.
fn mixed_event() -> impl Strategy<Value = UsageEvent> {
    (event(), 0u8..6, 0u8..20).prop_map(|(mut e, customer, roll)| {
        e.customer_id = format!("c{customer}");
        match roll {
            0 => e.id = " ".to_owned(),
            1 => e.kind = "unmetered".to_owned(),
            2 if e.kind == "use" => {
                e.properties.insert("v".to_owned(), "1e3".to_owned());
            }
            _ => {}
        }
        e
    })
}
