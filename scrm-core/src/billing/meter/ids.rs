//! The recorded events of one customer, by id.
//!
//! The table is keyed by a 64-bit keyed hash of the id (SipHash with the state's random keys),
//! computed once per event, so growing the table never reads the id strings again. The table
//! holds only the position of an entry: the entries (id, record) are appended to one vector and
//! the ids' text to one string, so recording an event allocates nothing of its own (an id used to
//! be a separate allocation; with millions of ids, allocating, reaching and freeing them was a
//! fifth of metering's time). Ids with the same hash are chained through their entries and told
//! apart by the id itself, so a collision can never merge two events.

use std::collections::HashMap;
use std::collections::hash_map::Entry as Slot;
use std::hash::BuildHasherDefault;

use super::record::{Record, SmallKeyHasher};

/// The end of a chain.
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Default)]
pub(super) struct Ids {
    /// The hash of an id → the newest entry with that hash.
    table: HashMap<u64, u32, BuildHasherDefault<SmallKeyHasher>>,
    entries: Vec<Entry>,
    /// Every recorded id, one after the other.
    text: String,
}

#[derive(Debug, Clone)]
struct Entry {
    /// Where the id is in `text`.
    start: u32,
    len: u32,
    /// The previous entry with the same hash, or [`NONE`].
    next: u32,
    record: Record,
}

impl Ids {
    fn id(&self, e: &Entry) -> &str {
        let start = e.start as usize;
        self.text
            .get(start..start + e.len as usize)
            .unwrap_or_default()
    }

    /// The record of `id`, or the place to record it.
    pub fn lookup(&mut self, hash: u64, id: &str) -> Lookup<'_> {
        let head = self.table.get(&hash).copied().unwrap_or(NONE);
        let mut at = head;
        let mut found = None;
        while let Some(e) = self.entries.get(at as usize) {
            if self.id(e) == id {
                found = Some(at as usize);
                break;
            }
            at = e.next;
        }
        match found {
            None => Lookup::Free(Free {
                hash,
                head,
                ids: self,
            }),
            Some(i) => match self.entries.get(i) {
                Some(e) => Lookup::Recorded(&e.record),
                None => Lookup::Missing,
            },
        }
    }

    /// Room for `events` more events with ids of about `id_len` bytes.
    pub fn reserve(&mut self, events: usize, id_len: usize) {
        self.table.reserve(events);
        self.entries.reserve(events);
        self.text.reserve(events.saturating_mul(id_len));
    }

    /// The number of recorded events.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no event is recorded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every recorded id and record, in the order recorded.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Record)> {
        self.entries.iter().map(|e| (self.id(e), &e.record))
    }

    /// Every recorded id and record, taken.
    pub fn into_vec(self) -> Vec<(Box<str>, Record)> {
        let text = self.text;
        self.entries
            .into_iter()
            .map(|e| {
                let start = e.start as usize;
                let id = text.get(start..start + e.len as usize).unwrap_or_default();
                (id.into(), e.record)
            })
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
    hash: u64,
    head: u32,
    ids: &'a mut Ids,
}

impl Free<'_> {
    /// Whether `id` can be recorded: not when one customer's ids would pass 4 GB or 4 billion
    /// events.
    pub fn fits(&self, id: &str) -> Result<(u32, u32, u32), &'static str> {
        let ids = &*self.ids;
        let start = u32::try_from(ids.text.len()).map_err(|_| TOO_MANY)?;
        let len = u32::try_from(id.len()).map_err(|_| TOO_MANY)?;
        let index = u32::try_from(ids.entries.len())
            .ok()
            .filter(|&i| i != NONE && start.checked_add(len).is_some())
            .ok_or(TOO_MANY)?;
        Ok((start, len, index))
    }

    /// Records `id` (an error, nothing recorded, when it does not [fit](Free::fits)).
    pub fn insert(self, id: &str, record: Record) -> Result<(), &'static str> {
        let (start, len, index) = self.fits(id)?;
        let ids = self.ids;
        ids.text.push_str(id);
        ids.entries.push(Entry {
            start,
            len,
            next: self.head,
            record,
        });
        match ids.table.entry(self.hash) {
            Slot::Occupied(mut o) => *o.get_mut() = index,
            Slot::Vacant(v) => {
                v.insert(index);
            }
        }
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
