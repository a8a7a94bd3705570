//! The recorded events of one customer, by id.
//!
//! The table is keyed by a 64-bit keyed hash of the id (SipHash with the state's random keys),
//! computed once per event, so growing the table never reads the id strings again: with millions
//! of ids that re-reading was most of the cost of metering. Ids with the same hash share a chain
//! and are told apart by the id itself, so a collision can never merge two events.

use std::collections::HashMap;
use std::collections::hash_map::{Entry, OccupiedEntry, VacantEntry};
use std::hash::BuildHasherDefault;

use super::record::{Record, SmallKeyHasher};

#[derive(Debug, Clone, Default)]
pub(super) struct Ids {
    table: HashMap<u64, Chain, BuildHasherDefault<SmallKeyHasher>>,
    len: usize,
}

#[derive(Debug, Clone)]
pub(super) enum Chain {
    One(Box<str>, Record),
    Many(Vec<(Box<str>, Record)>),
}

impl Ids {
    /// The record of `id`, or the place to record it: one probe of the table for both.
    pub fn lookup(&mut self, hash: u64, id: &str) -> Lookup<'_> {
        let len = &mut self.len;
        match self.table.entry(hash) {
            Entry::Vacant(v) => Lookup::Free(Free::Vacant(v, len)),
            Entry::Occupied(o) => {
                let found = match o.get() {
                    Chain::One(k, _) => (&**k == id).then_some(0),
                    Chain::Many(v) => v.iter().position(|(k, _)| &**k == id),
                };
                match found {
                    None => Lookup::Free(Free::Chained(o, len)),
                    Some(i) => match o.into_mut() {
                        Chain::One(_, r) => Lookup::Recorded(r),
                        Chain::Many(v) => match v.get(i) {
                            Some((_, r)) => Lookup::Recorded(r),
                            None => Lookup::Missing,
                        },
                    },
                }
            }
        }
    }

    /// The number of recorded events.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no event is recorded.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Every recorded id and record, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Record)> {
        self.table.values().flat_map(|chain| {
            let items: Box<dyn Iterator<Item = (&str, &Record)>> = match chain {
                Chain::One(k, r) => Box::new(std::iter::once((&**k, r))),
                Chain::Many(v) => Box::new(v.iter().map(|(k, r)| (&**k, r))),
            };
            items
        })
    }

    /// Every recorded id and record, taken.
    pub fn into_vec(self) -> Vec<(Box<str>, Record)> {
        let mut out = Vec::with_capacity(self.len);
        for chain in self.table.into_values() {
            match chain {
                Chain::One(k, r) => out.push((k, r)),
                Chain::Many(v) => out.extend(v),
            }
        }
        out
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
pub(super) enum Free<'a> {
    Vacant(VacantEntry<'a, u64, Chain>, &'a mut usize),
    Chained(OccupiedEntry<'a, u64, Chain>, &'a mut usize),
}

impl Free<'_> {
    /// Records `id`.
    pub fn insert(self, id: &str, record: Record) {
        match self {
            Free::Vacant(v, len) => {
                *len += 1;
                v.insert(Chain::One(id.into(), record));
            }
            Free::Chained(mut o, len) => {
                *len += 1;
                let chain = o.get_mut();
                let taken = std::mem::replace(chain, Chain::Many(Vec::new()));
                *chain = match taken {
                    Chain::One(k, r) => Chain::Many(vec![(k, r), (id.into(), record)]),
                    Chain::Many(mut v) => {
                        v.push((id.into(), record));
                        Chain::Many(v)
                    }
                };
            }
        }
    }
}

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
            Lookup::Free(free) => free.insert(id, record(n)),
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
