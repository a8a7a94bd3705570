//! Ingesting a batch: events taken customer by customer, reported in input order.
//!
//! A usage stream mixes customers, and each event touches its customer's state: the id table,
//! the period slots, the recent periods. Taken in input order, with thousands of customers, every
//! event reaches a cold part of memory. So a batch is first ordered by customer (a stable
//! counting sort on the customer's slot: within a customer the input order is kept) and metered
//! customer by customer, where those parts stay in cache. Customers are independent (an event
//! reads and changes its own customer's state only), so the result is the same as taking the
//! events in input order; the report's lists are put back in input order at the end.

use chrono::{DateTime, Utc};

use super::event::{EventView, Operation, UsageEvent, UsageRecord};
use super::metering::{Metering, empty_field};
use super::record::{FieldValue, Record, Values};
use super::report::{IngestReport, Rejection};
use crate::bytes::same;

/// No customer: the slot a full state cannot give, and the customer before the first.
const NO_SLOT: u32 = u32::MAX;

impl Metering {
    /// Ingests owned events (the JSON path). See [`ingest_records`](Metering::ingest_records).
    pub fn ingest(&mut self, events: &[UsageEvent]) -> IngestReport {
        self.ingest_batch(events.len(), |i| events.get(i).map(UsageEvent::view))
    }

    /// Ingests a batch of borrowed records (the columnar path). Each event is accepted,
    /// recognised as a replay, reported as a conflict, or rejected with its reason: the report
    /// accounts for every one, in input order.
    pub fn ingest_records<'a>(
        &mut self,
        records: impl IntoIterator<Item = UsageRecord<'a>>,
    ) -> IngestReport {
        let records: Vec<UsageRecord<'a>> = records.into_iter().collect();
        self.ingest_slice(&records)
    }

    /// [`ingest_records`](Metering::ingest_records) of records already in a slice (no copy).
    pub fn ingest_slice(&mut self, records: &[UsageRecord<'_>]) -> IngestReport {
        self.ingest_batch(records.len(), |i| records.get(i).map(UsageRecord::view))
    }

    /// Ingests rows `0..rows` of a columnar source read in place, with no record collected per
    /// row: `row(i)` gives the `i`-th row's event, or `None` for a row the caller has rejected
    /// itself, which is skipped (it is not in the report, whose indexes are row numbers). `row` is
    /// called once for each row, in order.
    pub fn ingest_rows<'a>(
        &mut self,
        rows: usize,
        row: impl Fn(usize) -> Option<UsageRecord<'a>>,
    ) -> IngestReport {
        self.ingest_batch(rows, |i| row(i).map(|r| r.view()))
    }

    fn ingest_batch<'a>(
        &mut self,
        n: usize,
        view: impl Fn(usize) -> Option<EventView<'a>>,
    ) -> IngestReport {
        let mut report = IngestReport::default();
        // Each good event read in input order, where its columns are read one after the other
        // (its customer, type, properties, fingerprint, id hash and short id), and its
        // customer's slot.
        let mut reads: Vec<Read<'a>> = Vec::with_capacity(n);
        let mut slots: Vec<u32> = Vec::with_capacity(n);
        // The values of events reading several properties, which `Read` cannot hold.
        let mut several: Vec<Option<Box<[FieldValue]>>> = Vec::new();
        // The previous event's customer: streams often repeat one (compared on the input, which
        // is at hand, rather than on the customer's state, which may be far in memory).
        let mut previous: Option<(&str, u32)> = None;
        for i in 0..n {
            let Some(e) = view(i) else { continue };
            if let Some(path) = empty_field(&e) {
                report.rejected.push(Rejection {
                    index: Some(i),
                    id: e.id.to_owned(),
                    path: path.to_owned(),
                    message: format!("{path} must not be empty"),
                });
                continue;
            }
            let slot = match previous {
                Some((customer, slot)) if same(customer, e.customer_id) => slot,
                _ => match u32::try_from(self.customer_slot(e.customer_id)) {
                    Ok(slot) if slot != NO_SLOT => slot,
                    _ => {
                        report.rejected.push(Rejection {
                            index: Some(i),
                            id: e.id.to_owned(),
                            path: "customer_id".to_owned(),
                            message: "one metering state holds at most 4 billion customers"
                                .to_owned(),
                        });
                        continue;
                    }
                },
            };
            previous = Some((e.customer_id, slot));
            match self.read_event(&e) {
                Ok(record) => {
                    let Record {
                        fingerprint,
                        at,
                        kind,
                        operation,
                        values,
                    } = record;
                    let values = match values {
                        Values::None => Kept::None,
                        Values::One(v) => Kept::One(v),
                        Values::Many(vs) => {
                            several.push(Some(vs));
                            Kept::Several(several.len() - 1)
                        }
                    };
                    reads.push(Read {
                        index: i,
                        hash: self.hash_id(e.id),
                        id: IdText::new(e.id),
                        fingerprint,
                        at,
                        kind,
                        operation,
                        values,
                    });
                    slots.push(slot);
                }
                Err((path, message)) => report.rejected.push(Rejection {
                    index: Some(i),
                    id: e.id.to_owned(),
                    path,
                    message,
                }),
            }
        }
        // The entries in customer order (a stable sort: input order within a customer), and
        // the customer of each.
        let (order, sorted_slots) = by_customer(&slots, self.customers.len());
        drop(slots);
        // Metered customer by customer, which keeps each customer's state in cache. The entries
        // are far apart in that order, so each block's entries are touched first (one read per
        // cache line, independent of each other), and their misses are waited for together
        // rather than one by one.
        let mut previous = NO_SLOT;
        let blocks = order.chunks(GATHER).zip(sorted_slots.chunks(GATHER));
        for (b, (block, block_slots)) in blocks.enumerate() {
            let touched = block
                .iter()
                .filter_map(|&place| reads.get(place))
                .fold(0, |t, r| t ^ r.touch());
            std::hint::black_box(touched);
            for (k, (&place, &slot)) in block.iter().zip(block_slots).enumerate() {
                let Some(&Read {
                    index,
                    hash,
                    id,
                    fingerprint,
                    at,
                    kind,
                    operation,
                    values,
                }) = reads.get(place)
                else {
                    continue;
                };
                let id = id.as_str();
                if slot != previous {
                    // The first event of its customer here: room for all of them at once,
                    // rather than growing the customer's tables (and copying them) as they
                    // come.
                    let from = b * GATHER + k;
                    let run = sorted_slots
                        .get(from..)
                        .unwrap_or_default()
                        .iter()
                        .take_while(|&&s| s == slot)
                        .count();
                    self.reserve(slot as usize, run, id.len());
                    previous = slot;
                }
                let values = match values {
                    Kept::None => Values::None,
                    Kept::One(v) => Values::One(v),
                    Kept::Several(aside) => Values::Many(
                        several
                            .get_mut(aside)
                            .and_then(Option::take)
                            .unwrap_or_default(),
                    ),
                };
                let record = Record {
                    fingerprint,
                    at,
                    kind,
                    operation,
                    values,
                };
                self.ingest_read(index, slot as usize, (hash, id), record, &mut report);
            }
        }
        // Back in input order (each event is in the lists at most once).
        report.rejected.sort_by_key(|r| r.index);
        report.conflicts.sort_by_key(|c| c.index);
        report
    }
}

/// How many entries are touched together, then metered, when metering customer by customer.
const GATHER: usize = 8;

/// An event read, waiting for its customer's turn: its [`Record`] in parts, and its id. Laid
/// out in this order (`repr(C)`), so that its first field, `values` and `operation` are in every
/// cache line it fills (see [`Read::touch`]).
#[derive(Debug, Clone, Copy)]
#[repr(C)]
struct Read<'a> {
    /// Its position in the batch.
    index: usize,
    /// The keyed hash of its id.
    hash: u64,
    fingerprint: u64,
    at: DateTime<Utc>,
    kind: u32,
    id: IdText<'a>,
    values: Kept,
    operation: Operation,
}

impl Read<'_> {
    /// A value read from each cache line of the entry (offsets 0, 64 and 96 of 104), so that
    /// touching the entries of a block brings them in with overlapping misses.
    fn touch(&self) -> u64 {
        // Comparisons, not a `match` with a branch on the loaded value, which would make the
        // next entry's loads wait for this one.
        let values = matches!(self.values, Kept::None);
        self.index as u64 ^ u64::from(values) ^ u64::from(self.operation == Operation::Remove)
    }
}

/// [`Values`] without the allocation of several values (kept aside, by position).
#[derive(Debug, Clone, Copy)]
enum Kept {
    None,
    One(FieldValue),
    Several(usize),
}

/// The most bytes of an id copied into its [`Read`].
const SHORT_ID: usize = 22;

/// An event's id, copied when short (most are): recording it, customer by customer, then reads
/// the event's entry only, not its column at a far place. A longer id stays borrowed.
#[derive(Debug, Clone, Copy)]
enum IdText<'a> {
    Short { len: u8, bytes: [u8; SHORT_ID] },
    Long(&'a str),
}

impl<'a> IdText<'a> {
    fn new(id: &'a str) -> IdText<'a> {
        let mut bytes = [0u8; SHORT_ID];
        match (bytes.get_mut(..id.len()), u8::try_from(id.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(id.as_bytes());
                IdText::Short { len, bytes }
            }
            _ => IdText::Long(id),
        }
    }

    /// The id (a short copy is whole, so it is always valid UTF-8).
    fn as_str(&self) -> &str {
        match self {
            IdText::Short { len, bytes } => bytes
                .get(..usize::from(*len))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or_default(),
            IdText::Long(id) => id,
        }
    }
}

/// The positions of `slots`, ordered by slot and, within a slot, by position (a stable
/// counting sort; a comparison sort when the batch is small against the number of customers, so
/// that a small batch does not pay for counting every customer), and the slot at each place.
fn by_customer(slots: &[u32], customers: usize) -> (Vec<usize>, Vec<u32>) {
    if customers > slots.len().saturating_mul(4) {
        let mut keyed: Vec<(u32, usize)> = slots.iter().copied().zip(0..).collect();
        keyed.sort_unstable();
        return keyed.into_iter().map(|(s, i)| (i, s)).unzip();
    }
    // starts[s] = where slot s's events begin in `order`.
    let mut starts: Vec<usize> = vec![0; customers + 1];
    for &s in slots {
        if let Some(c) = starts.get_mut(s as usize + 1) {
            *c += 1;
        }
    }
    for s in 1..starts.len() {
        let before = starts.get(s - 1).copied().unwrap_or(0);
        if let Some(c) = starts.get_mut(s) {
            *c += before;
        }
    }
    // The slot at each place, written in order: slot s fills starts[s]..starts[s + 1].
    let mut sorted: Vec<u32> = Vec::with_capacity(slots.len());
    for (s, ends) in (0u32..).zip(starts.windows(2)) {
        if let [from, to] = *ends {
            sorted.extend(std::iter::repeat_n(s, to - from));
        }
    }
    let mut order: Vec<usize> = vec![0; starts.last().copied().unwrap_or(0)];
    for (i, &s) in slots.iter().enumerate() {
        if let Some(next) = starts.get_mut(s as usize) {
            if let Some(place) = order.get_mut(*next) {
                *place = i;
            }
            *next += 1;
        }
    }
    (order, sorted)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn ids_read_back_whole_short_or_long() {
        let long = "y".repeat(SHORT_ID + 1);
        let full = "x".repeat(SHORT_ID);
        for id in ["", "e1", "é€", &full, &long] {
            assert_eq!(IdText::new(id).as_str(), id);
        }
        assert!(matches!(IdText::new(&full), IdText::Short { .. }));
        assert!(matches!(IdText::new(&long), IdText::Long(_)));
    }

    #[test]
    fn events_reading_several_properties_meter_like_one_by_one() {
        use crate::billing::meter::{Aggregation, Meter};
        use crate::billing::period::Interval;
        let meters = [
            Meter::new("a", "x", Aggregation::Sum, Some("p")),
            Meter::new("b", "x", Aggregation::Max, Some("q")),
        ];
        let at = "2026-03-01T00:00:00Z".parse().unwrap();
        let event = |id: &str, customer: &str, p: &str, q: &str| {
            UsageEvent::new(id, customer, "x", at)
                .with("p", p)
                .with("q", q)
        };
        let events = [
            event("e1", "c1", "1", "5"),
            event("e2", "c2", "2", "1"),
            event("e1", "c1", "1", "5"),
            event("e2", "c2", "3", "1"),
            event("e3", "c1", "4", "9"),
            event("e4", "c2", "x", "1"),
        ];
        let new = || Metering::new(&meters, chrono_tz::UTC, Interval::Month).unwrap();
        let mut one_by_one = new();
        let expected = super::super::proptests::ingested_one_by_one(&mut one_by_one, &events);
        let mut batch = new();
        let report = batch.ingest(&events);
        assert_eq!(report, expected);
        assert_eq!((report.accepted, report.replayed), (3, 1));
        assert_eq!((report.conflicts.len(), report.rejected.len()), (1, 1));
        let values = batch.values().unwrap();
        assert_eq!(values, one_by_one.values().unwrap());
        let text: Vec<String> = values.iter().map(|v| v.value.to_string()).collect();
        assert_eq!(text, ["5", "9", "2", "1"]);
    }

    proptest! {
        /// The order is every position, grouped by slot, in input order within each, with the
        /// slot at each place, whichever sort makes it.
        #[test]
        fn events_are_grouped_by_customer_in_input_order(
            slots in prop::collection::vec(0u32..20, 0..80),
            extra in 0usize..400,
        ) {
            let mut expected: Vec<usize> = (0..slots.len()).collect();
            expected.sort_by_key(|&i| slots[i]);
            let expected_slots: Vec<u32> = expected.iter().map(|&i| slots[i]).collect();
            prop_assert_eq!(by_customer(&slots, 20 + extra), (expected, expected_slots));
        }
    }
}
