//! The recorded events of one customer, by id.
//!
//! The ids are a [`Names`] table (keyed by the id's keyed hash, computed once per event, the
//! ids' text in one string), and the records a vector by the same slot, so recording an event
//! allocates nothing of its own (an id used to be a separate allocation; with millions of ids,
//! allocating, reaching and freeing them was a fifth of metering's time).

use super::keyed::{Found, Names, Vacant};
use super::record::Record;

#[derive(Debug, Clone, Default)]
pub(super) struct Ids {
    ids: Names,
    /// The record of each id, by its slot.
    records: Vec<Record>,
}

impl Ids {
    /// The record of `id`, or the place to record it.
    pub fn lookup(&mut self, hash: u64, id: &str) -> Lookup<'_> {
        match self.ids.find(hash, id) {
            Found::Vacant(place) => Lookup::Free(Free {
                place,
                records: &mut self.records,
            }),
            Found::Slot(slot) => match self.records.get(slot as usize) {
                Some(record) => Lookup::Recorded(record),
                None => Lookup::Missing,
            },
        }
    }

    /// Room for `events` more events with ids of about `id_len` bytes.
    pub fn reserve(&mut self, events: usize, id_len: usize) {
        self.ids.reserve(events, id_len);
        self.records.reserve(events);
    }

    /// The number of recorded events.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether no event is recorded.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Every recorded id and record, in the order recorded.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Record)> {
        self.records
            .iter()
            .enumerate()
            .map(|(slot, r)| (self.ids.text(slot), r))
    }

    /// Every recorded id and record, taken.
    pub fn into_vec(self) -> Vec<(Box<str>, Record)> {
        let ids = self.ids;
        self.records
            .into_iter()
            .enumerate()
            .map(|(slot, r)| (ids.text(slot).into(), r))
            .collect()
    }
}

/// What [`Ids::lookup`] found.
pub(super) enum Lookup<'a> {
    /// The id is recorded.
    Recorded(&'a Record),
    /// The id is not recorded; record it here.
    Free(Free<'a>),
    /// Cannot happen (a found position vanished); treated as a failure by the caller.
    Missing,
}

/// Where an unrecorded id goes.
pub(super) struct Free<'a> {
    place: Vacant<'a>,
    records: &'a mut Vec<Record>,
}

impl Free<'_> {
    /// Whether `id` can be recorded: not when one customer's ids would pass 4 GB or 4 billion
    /// events.
    pub fn fits(&self, id: &str) -> Result<(), &'static str> {
        if self.place.fits(id) {
            Ok(())
        } else {
            Err(TOO_MANY)
        }
    }

    /// Records `id` (an error, nothing recorded, when it does not [fit](Free::fits)).
    pub fn insert(self, id: &str, record: Record) -> Result<(), &'static str> {
        self.place.insert(id).ok_or(TOO_MANY)?;
        self.records.push(record);
        Ok(())
    }
}

const TOO_MANY: &str = "one customer has more than 4 billion events or 4 GB of event ids";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::billing::meter::event::Operation;
    use crate::billing::meter::record::{UNMETERED, Values};

    fn record(n: u64) -> Record {
        Record {
            fingerprint: n,
            at: "2026-03-01T00:00:00Z".parse().unwrap(),
            kind: UNMETERED,
            operation: Operation::Add,
            values: Values::None,
        }
    }

    fn put(ids: &mut Ids, hash: u64, id: &str, n: u64) {
        match ids.lookup(hash, id) {
            Lookup::Free(free) => free.insert(id, record(n)).unwrap(),
            _ => panic!("{id} is already recorded"),
        }
    }

    fn found(ids: &mut Ids, hash: u64, id: &str) -> Option<u64> {
        match ids.lookup(hash, id) {
            Lookup::Recorded(r) => Some(r.fingerprint),
            _ => None,
        }
    }

    #[test]
    fn ids_with_the_same_hash_stay_apart() {
        let mut ids = Ids::default();
        put(&mut ids, 7, "a", 1);
        put(&mut ids, 7, "b", 2);
        put(&mut ids, 7, "c", 3);
        put(&mut ids, 8, "a", 4);
        assert_eq!(ids.len(), 4);
        assert_eq!(found(&mut ids, 7, "b"), Some(2));
        assert_eq!(found(&mut ids, 7, "a"), Some(1));
        assert_eq!(found(&mut ids, 8, "a"), Some(4));
        assert_eq!(found(&mut ids, 7, "d"), None);
        assert_eq!(found(&mut ids, 9, "a"), None);
        assert_eq!(ids.len(), 4, "a failed lookup records nothing");
        assert_eq!(ids.iter().count(), 4);
        assert_eq!(ids.into_vec().len(), 4);
    }
}
