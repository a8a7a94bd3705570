//! The metering state: de-duplicated events, and per customer, meter and period a value.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::Serialize;

use super::aggregate::{Aggregate, Prepared};
use super::event::EventView;
use super::ids::{Ids, Lookup};
use super::keyed::{Found, KeyedHash, Names};
use super::record::{Record, SmallKeyHasher, TypeSpec, UNMETERED, Values};
use super::report::{Conflict, IngestReport, Rejection};
use super::{Aggregation, Meter};
use crate::billing::period::{BillingCycle, Interval, Period};
use crate::bytes::same;
use crate::error::{Error, ErrorKind, Problem, Result};

/// The most meters one metering state reads.
const MAX_METERS: usize = 1_000;

/// Up to this many metered event types, an event's type is found by comparing names.
const SCANNED_TYPES: usize = 8;

/// The field of an event that must not be empty and is, if any: the id, the customer or the
/// type. Checked before anything else, in that order.
pub(super) fn empty_field(e: &EventView<'_>) -> Option<&'static str> {
    [
        ("id", e.id),
        ("customer_id", e.customer_id),
        ("type", e.kind),
    ]
    .into_iter()
    .find(|(_, value)| blank(value))
    .map(|(path, _)| path)
}

/// Whether `text` is empty or only whitespace. Most texts start with an ASCII letter or digit,
/// which settles it without decoding a character.
pub(super) fn blank(text: &str) -> bool {
    match text.as_bytes().first() {
        None => true,
        Some(b) if b.is_ascii_alphanumeric() => false,
        Some(_) => text.chars().all(char::is_whitespace),
    }
}

/// Aggregates usage events into per-customer, per-period meter values.
///
/// ```
/// use scrm_core::{Aggregation, Interval, Meter, Metering, UsageEvent};
/// let meters = [Meter::new("messages", "message_sent", Aggregation::Count, None)];
/// let mut metering = Metering::new(&meters, chrono_tz::Asia::Shanghai, Interval::Month)?;
/// let at = "2026-03-31T17:30:00Z".parse().unwrap(); // 1 April in Shanghai
/// let event = UsageEvent::new("e1", "c1", "message_sent", at);
/// // The same event sent three times counts once.
/// let report = metering.ingest(&[event.clone(), event.clone(), event]);
/// assert_eq!((report.accepted, report.replayed), (1, 2));
/// let values = metering.values()?;
/// assert_eq!(values[0].value.to_string(), "1");
/// assert_eq!(values[0].period.first_day().to_string(), "2026-04-01");
/// # Ok::<(), scrm_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Metering {
    pub(super) meters: Vec<Meter>,
    pub(super) by_event: HashMap<String, u32>,
    /// The metered event types, in the order of `types` (the keys of `by_event`).
    pub(super) type_names: Vec<String>,
    pub(super) types: Vec<TypeSpec>,
    pub(super) default_clock: Clock,
    /// Customer ids → their slot in `customers`.
    pub(super) names: Names,
    pub(super) customers: Vec<CustomerState>,
    pub(super) keys: HashMap<Box<str>, u32>,
    pub(super) key_names: Vec<Box<str>>,
    /// Reused between events: the changes one event makes before they are committed.
    pub(super) scratch: Vec<(u16, Prepared)>,
    /// The keyed hash of event and customer ids (random keys per state, so ids cannot be
    /// chosen to collide).
    pub(super) hasher: KeyedHash,
}

/// A customer's timezone and billing cycle: which period an instant falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Clock {
    pub(super) timezone: Tz,
    pub(super) cycle: BillingCycle,
}

#[derive(Debug, Clone)]
pub(super) struct CustomerState {
    pub(super) id: String,
    pub(super) clock: Clock,
    /// Whether the clock was set for this customer (not the default).
    pub(super) explicit: bool,
    /// The periods of the last few events: most events fall in one of them.
    pub(super) recent: Recent,
    pub(super) records: Ids,
    pub(super) slots: HashMap<(u16, NaiveDate), Slot, BuildHasherDefault<SmallKeyHasher>>,
}

/// A small round-robin cache of periods.
#[derive(Debug, Clone, Default)]
pub(super) struct Recent {
    periods: [Option<Period>; 4],
    next: usize,
}

impl Recent {
    fn find(&self, at: DateTime<Utc>) -> Option<Period> {
        self.periods
            .iter()
            .flatten()
            .find(|p| p.contains(at))
            .copied()
    }

    fn remember(&mut self, p: Period) {
        if let Some(slot) = self.periods.get_mut(self.next % 4) {
            *slot = Some(p);
        }
        self.next = (self.next + 1) % 4;
    }

    fn period(&mut self, clock: Clock, at: DateTime<Utc>) -> std::result::Result<Period, Problem> {
        if let Some(p) = self.find(at) {
            return Ok(p);
        }
        let p = clock
            .cycle
            .period(at, clock.timezone)
            .map_err(|e| first_problem(&e))?;
        self.remember(p);
        Ok(p)
    }
}

#[derive(Debug, Clone)]
pub(super) struct Slot {
    pub(super) period: Period,
    pub(super) events: u64,
    pub(super) aggregate: Aggregate,
}

/// One meter's value for one customer and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeterValue {
    /// The customer.
    pub customer_id: String,
    /// The meter.
    pub meter_id: String,
    /// The billing period, in the customer's timezone.
    pub period: Period,
    /// The aggregated value (exact; a time-weighted sum is rounded at 28 significant digits).
    #[serde(with = "crate::billing::decimal_text")]
    pub value: Decimal,
    /// The number of distinct events that made it.
    pub events: u64,
}

impl Metering {
    /// A metering state for `meters`; customers not set with
    /// [`set_customer`](Metering::set_customer) use calendar periods of `interval` in `timezone`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] naming each problem of the meters (`meters[1].field`): a
    /// missing or superfluous field, a repeated id, more than 1,000 meters.
    pub fn new(meters: &[Meter], timezone: Tz, interval: Interval) -> Result<Metering> {
        let mut problems = Vec::new();
        if meters.len() > MAX_METERS {
            problems.push(Problem::new(
                "meters",
                format!("{} meters; at most {MAX_METERS}", meters.len()),
            ));
        }
        for (i, meter) in meters.iter().enumerate() {
            let at = format!("meters[{i}]");
            problems.extend(meter.problems(&at));
            if meters[..i].iter().any(|m| m.id == meter.id) {
                problems.push(Problem::new(
                    format!("{at}.id"),
                    format!("duplicate meter id {:?}", meter.id),
                ));
            }
        }
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        let (names, types): (Vec<String>, Vec<TypeSpec>) =
            TypeSpec::build(meters).into_iter().unzip();
        let by_event = names
            .iter()
            .enumerate()
            .filter_map(|(i, name)| Some((name.clone(), u32::try_from(i).ok()?)))
            .collect();
        Ok(Metering {
            meters: meters.to_vec(),
            by_event,
            type_names: names,
            types,
            default_clock: Clock {
                timezone,
                cycle: BillingCycle::calendar(interval),
            },
            names: Names::default(),
            customers: Vec::new(),
            keys: HashMap::new(),
            key_names: Vec::new(),
            scratch: Vec::new(),
            hasher: KeyedHash::random(),
        })
    }

    /// The meters, in the order given.
    pub fn meters(&self) -> &[Meter] {
        &self.meters
    }

    /// Sets the timezone and billing cycle of one customer (an anniversary cycle for a
    /// subscription that started mid-month, a customer abroad).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the customer already has events metered with another
    /// timezone or cycle: their periods would change under them. Set customers first.
    pub fn set_customer(
        &mut self,
        customer_id: &str,
        timezone: Tz,
        cycle: BillingCycle,
    ) -> Result<()> {
        let clock = Clock { timezone, cycle };
        let slot = self.customer_slot(customer_id);
        let Some(state) = self.customers.get_mut(slot) else {
            return Err(Error::at(
                ErrorKind::Validation,
                "customers",
                "one metering state holds at most 4 billion customers",
            ));
        };
        if state.clock != clock && !state.records.is_empty() {
            return Err(Error::at(
                ErrorKind::Validation,
                "customers",
                format!(
                    "customer {customer_id:?} already has metered events in other periods; set \
                     its timezone and cycle before ingesting its events"
                ),
            ));
        }
        state.clock = clock;
        state.explicit = true;
        state.recent = Recent::default();
        Ok(())
    }

    /// Reads what metering keeps of an event (its id, customer and type already checked by
    /// [`empty_field`]): its type, the properties its meters read, its fingerprint; or the
    /// rejection of a property a meter cannot read, as `(path, message)`.
    pub(super) fn read_event(
        &mut self,
        e: &EventView<'_>,
    ) -> std::result::Result<Record, (String, String)> {
        if let Some(name) = e.properties.repeated_name() {
            return Err((
                format!("properties.{name}"),
                format!("property {name:?} is given twice"),
            ));
        }
        let kind = self.kind_index(e.kind);
        let values = match self.types.get(kind as usize) {
            None => Values::None,
            Some(spec) => {
                let (keys, names) = (&mut self.keys, &mut self.key_names);
                spec.read(e, |text| intern(keys, names, text))?
            }
        };
        Ok(Record {
            fingerprint: e.fingerprint(),
            at: e.at,
            kind,
            operation: e.operation,
            values,
        })
    }

    /// The keyed hash of an event or customer id.
    pub(super) fn hash_id(&self, id: &str) -> u64 {
        self.hasher.hash(id.as_bytes())
    }

    /// Records the read event `index` (id `id`, hash `hash`) of the customer at `slot`, and
    /// says what became of it in `report`.
    pub(super) fn ingest_read(
        &mut self,
        index: usize,
        slot: usize,
        (hash, id): (u64, &str),
        record: Record,
        report: &mut IngestReport,
    ) {
        match self.record_hashed(slot, hash, id, record) {
            Outcome::Accepted { metered } => {
                report.accepted += 1;
                report.unmetered += u64::from(!metered);
            }
            Outcome::Replayed => report.replayed += 1,
            Outcome::Conflict(message) => report.conflicts.push(Conflict {
                index: Some(index),
                customer_id: self
                    .customers
                    .get(slot)
                    .map(|c| c.id.clone())
                    .unwrap_or_default(),
                id: id.to_owned(),
                message,
            }),
            Outcome::Failed(problem) => report.rejected.push(Rejection {
                index: Some(index),
                id: id.to_owned(),
                path: problem.path,
                message: problem.message,
            }),
        }
    }

    /// The index of the spec of event type `kind`, or [`UNMETERED`]. Few types have meters, so
    /// a scan of their names beats hashing the type of every event.
    fn kind_index(&self, kind: &str) -> u32 {
        if self.by_event.len() <= SCANNED_TYPES {
            self.type_names
                .iter()
                .position(|name| same(name, kind))
                .and_then(|i| u32::try_from(i).ok())
                .unwrap_or(UNMETERED)
        } else {
            self.by_event.get(kind).copied().unwrap_or(UNMETERED)
        }
    }

    /// The position of the customer's state, created with the default clock when new.
    pub(super) fn customer_slot(&mut self, customer_id: &str) -> usize {
        let hash = self.hasher.hash(customer_id.as_bytes());
        let place = match self.names.find(hash, customer_id) {
            Found::Slot(slot) => return slot as usize,
            Found::Vacant(place) => place,
        };
        match place.insert(customer_id) {
            None => usize::MAX,
            Some(slot) => {
                self.customers.push(CustomerState {
                    id: customer_id.to_owned(),
                    clock: self.default_clock,
                    explicit: false,
                    recent: Recent::default(),
                    records: Ids::default(),
                    slots: HashMap::default(),
                });
                slot as usize
            }
        }
    }

    /// Room in the tables of the customer at `slot` for `events` more events.
    pub(super) fn reserve(&mut self, slot: usize, events: usize, id_len: usize) {
        if let Some(state) = self.customers.get_mut(slot) {
            state.records.reserve(events, id_len);
        }
    }

    /// Records one event of the customer at `slot`, or recognises it as a replay or conflict.
    pub(super) fn record(&mut self, slot: usize, id: &str, record: Record) -> Outcome {
        let hash = self.hash_id(id);
        self.record_hashed(slot, hash, id, record)
    }

    /// [`record`](Metering::record) of an id whose keyed hash is `hash`.
    fn record_hashed(&mut self, slot: usize, hash: u64, id: &str, record: Record) -> Outcome {
        let (meters, types, scratch) = (&self.meters, &self.types, &mut self.scratch);
        let Some(state) = self.customers.get_mut(slot) else {
            return Outcome::Failed(Problem::new("customer_id", "unknown customer slot"));
        };
        let CustomerState {
            clock,
            recent,
            records,
            slots,
            ..
        } = state;
        let free = match records.lookup(hash, id) {
            Lookup::Recorded(recorded) => return compare(recorded, &record, meters, types),
            Lookup::Free(free) => free,
            Lookup::Missing => return Outcome::Failed(Problem::new("id", "lost record")),
        };
        if let Err(message) = free.fits(id) {
            return Outcome::Failed(Problem::new("id", message));
        }
        let metered = record.metered();
        if let Some(spec) = types.get(record.kind as usize) {
            let period = match recent.period(*clock, record.at) {
                Ok(p) => p,
                Err(problem) => return Outcome::Failed(problem),
            };
            if let Err(problem) = apply(slots, period, id, &record, spec, meters, scratch) {
                return Outcome::Failed(problem);
            }
        }
        match free.insert(id, record) {
            Ok(()) => Outcome::Accepted { metered },
            Err(message) => Outcome::Failed(Problem::new("id", message)),
        }
    }

    /// The number of distinct events recorded, over all customers.
    pub fn recorded(&self) -> usize {
        self.customers.iter().map(|c| c.records.len()).sum()
    }

    pub(super) fn state(&self, customer_id: &str) -> Option<&CustomerState> {
        let hash = self.hasher.hash(customer_id.as_bytes());
        self.names
            .get(hash, customer_id)
            .and_then(|s| self.customers.get(s as usize))
    }

    pub(super) fn meter_index(&self, meter_id: &str) -> Result<u16> {
        self.meters
            .iter()
            .position(|m| m.id == meter_id)
            .and_then(|i| u16::try_from(i).ok())
            .ok_or_else(|| {
                Error::at(
                    ErrorKind::Validation,
                    "meter",
                    format!("unknown meter {meter_id:?}"),
                )
            })
    }
}

pub(super) enum Outcome {
    Accepted { metered: bool },
    Replayed,
    Conflict(String),
    Failed(Problem),
}

/// Applies a new event to the slots of its period, all meters or none.
fn apply(
    slots: &mut HashMap<(u16, NaiveDate), Slot, BuildHasherDefault<SmallKeyHasher>>,
    period: Period,
    id: &str,
    record: &Record,
    spec: &TypeSpec,
    meters: &[Meter],
    changes: &mut Vec<(u16, Prepared)>,
) -> std::result::Result<(), Problem> {
    if let [m] = spec.meters[..] {
        // One meter reads this type (the usual case): one lookup of its slot, and a new slot
        // only when the event applies.
        let Some(meter) = meters.get(usize::from(m)) else {
            return Ok(());
        };
        let Some(input) = spec.input(0, meter.aggregation, record) else {
            return Ok(());
        };
        let field = meter.field.as_deref().unwrap_or_default();
        let key = (m, period.first_day());
        if let Some(slot) = slots.get_mut(&key) {
            let change = slot
                .aggregate
                .prepare(input, record.at, &period, field)
                .map_err(|e| first_problem(&e))?;
            slot.events += 1;
            slot.aggregate.commit(change, record.at, id);
        } else {
            let mut aggregate = Aggregate::new(meter.aggregation);
            let change = aggregate
                .prepare(input, record.at, &period, field)
                .map_err(|e| first_problem(&e))?;
            aggregate.commit(change, record.at, id);
            slots.insert(
                key,
                Slot {
                    period,
                    events: 1,
                    aggregate,
                },
            );
        }
        return Ok(());
    }
    changes.clear();
    for (j, &m) in spec.meters.iter().enumerate() {
        let Some(meter) = meters.get(usize::from(m)) else {
            continue;
        };
        let Some(input) = spec.input(j, meter.aggregation, record) else {
            continue;
        };
        let field = meter.field.as_deref().unwrap_or_default();
        let change = match slots.get(&(m, period.first_day())) {
            Some(slot) => slot.aggregate.prepare(input, record.at, &period, field),
            None => Aggregate::new(meter.aggregation).prepare(input, record.at, &period, field),
        }
        .map_err(|e| first_problem(&e))?;
        changes.push((m, change));
    }
    for &(m, change) in changes.iter() {
        let Some(meter) = meters.get(usize::from(m)) else {
            continue;
        };
        let slot = slots
            .entry((m, period.first_day()))
            .or_insert_with(|| Slot {
                period,
                events: 0,
                aggregate: Aggregate::new(meter.aggregation),
            });
        slot.events += 1;
        slot.aggregate.commit(change, record.at, id);
    }
    Ok(())
}

/// Whether a repeated id is the same event again, or a conflict (and what differs).
fn compare(recorded: &Record, later: &Record, meters: &[Meter], types: &[TypeSpec]) -> Outcome {
    if recorded == later {
        return Outcome::Replayed;
    }
    if recorded.at != later.at {
        return Outcome::Conflict(format!(
            "`at` differs: {} was recorded, {} came later",
            recorded.at.to_rfc3339(),
            later.at.to_rfc3339()
        ));
    }
    if recorded.kind == later.kind && recorded.values != later.values {
        let names: Vec<&str> = types
            .get(recorded.kind as usize)
            .map(|spec| {
                spec.meters
                    .iter()
                    .filter_map(|&m| meters.get(usize::from(m)))
                    .filter(|m| m.aggregation != Aggregation::Count)
                    .map(|m| m.id.as_str())
                    .collect()
            })
            .unwrap_or_default();
        return Outcome::Conflict(format!(
            "what it gives meter(s) {} differs from the event recorded with this id",
            names.join(", ")
        ));
    }
    Outcome::Conflict(
        "its type, operation or properties differ from the event recorded with this id".to_owned(),
    )
}

pub(super) fn intern(
    keys: &mut HashMap<Box<str>, u32>,
    names: &mut Vec<Box<str>>,
    text: &str,
) -> u32 {
    if let Some(&k) = keys.get(text) {
        return k;
    }
    let k = u32::try_from(names.len()).unwrap_or(u32::MAX);
    keys.insert(text.into(), k);
    names.push(text.into());
    k
}

fn first_problem(e: &Error) -> Problem {
    e.problems()
        .first()
        .cloned()
        .unwrap_or_else(|| Problem::new("", e.to_string()))
}
