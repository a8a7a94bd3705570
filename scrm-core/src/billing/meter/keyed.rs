//! The hash of the ids a caller chooses (event ids, customer ids), and a table of customer ids.
//!
//! Metering hashes two ids per event. SipHash (the standard library's) took a tenth of the time,
//! so ids are hashed with a keyed multiply-fold hash instead (the construction of `foldhash` and
//! `ahash`: 16 bytes at a time, each half mixed with a secret key, multiplied to 128 bits and
//! folded). The keys are random per state, drawn from the standard library's random source, so a
//! caller cannot choose ids that collide without knowing them; and a collision only costs time:
//! every table confirms a match by comparing the id itself.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, BuildHasherDefault, RandomState};

use super::record::SmallKeyHasher;
use crate::bytes::same;

/// A keyed hash of byte strings.
#[derive(Debug, Clone, Copy)]
pub(super) struct KeyedHash {
    keys: [u64; 4],
}

impl KeyedHash {
    /// A hash with fresh random keys.
    pub fn random() -> KeyedHash {
        let source = RandomState::new();
        KeyedHash {
            keys: [0u64, 1, 2, 3].map(|i| source.hash_one(i)),
        }
    }

    /// A hash with fixed keys (digits of pi), the same in every state: for fingerprints, which
    /// are compared across states when they merge. Its collisions can be chosen, so it only
    /// tells apart what a caller sends for one id.
    pub const FIXED: KeyedHash = KeyedHash {
        keys: [
            0x243f_6a88_85a3_08d3,
            0x1319_8a2e_0370_7344,
            0xa409_3822_299f_31d0,
            0x082e_fa98_ec4e_6c89,
        ],
    };

    /// The 64-bit hash of a fixed number of words (two at a time, as a chunk of bytes is).
    pub fn words(&self, words: &[u64]) -> u64 {
        let [k0, k1, k2, k3] = self.keys;
        let mut h = k0 ^ (words.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        for pair in words.chunks(2) {
            let (a, b) = match *pair {
                [a, b] => (a, b),
                [a] => (a, 0),
                _ => (0, 0),
            };
            h = fold(h ^ a ^ k1, b ^ k2);
        }
        fold(h ^ k3, 0x2d35_8dcc_aa6c_78a5)
    }

    /// The 64-bit hash of `bytes`.
    pub fn hash(&self, bytes: &[u8]) -> u64 {
        let [k0, k1, k2, k3] = self.keys;
        let mut h = k0 ^ (bytes.len() as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut chunks = bytes.chunks_exact(16);
        for chunk in &mut chunks {
            let (a, b) = halves(chunk);
            h = fold(h ^ a ^ k1, b ^ k2);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 16];
            if let Some(head) = last.get_mut(..rest.len()) {
                head.copy_from_slice(rest);
            }
            let (a, b) = halves(&last);
            h = fold(h ^ a ^ k1, b ^ k2);
        }
        fold(h ^ k3, 0x2d35_8dcc_aa6c_78a5)
    }
}

/// The two little-endian words of a 16-byte chunk.
fn halves(chunk: &[u8]) -> (u64, u64) {
    let word = |range: std::ops::Range<usize>| {
        chunk
            .get(range)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, u64::from_le_bytes)
    };
    (word(0..8), word(8..16))
}

/// The 128-bit product of `a` and `b`, its halves xored.
fn fold(a: u64, b: u64) -> u64 {
    let full = u128::from(a) * u128::from(b);
    (full as u64) ^ ((full >> 64) as u64)
}

/// Texts (customer ids, a customer's event ids) → their slot, numbered in insertion order. The
/// texts are kept one after the other in one string, so finding one reads a small table and that
/// string rather than a separate allocation per text; texts with the same hash are chained
/// through their spans and told apart by the text itself, so a collision never merges two.
#[derive(Debug, Clone, Default)]
pub(super) struct Names {
    /// The hash of a text → the newest slot with that hash, and that slot's text if short.
    table: HashMap<u64, (u32, Head), BuildHasherDefault<SmallKeyHasher>>,
    /// Per slot: where its text is in `text`, its length, and the previous slot with the same
    /// hash.
    spans: Vec<(u32, u32, u32)>,
    text: String,
}

/// The most bytes of a text kept in its table entry.
const HEAD: usize = 11;

/// A text of at most [`HEAD`] bytes, whole (`len` is its length), or none (`len` is `u8::MAX`).
#[derive(Debug, Clone, Copy)]
struct Head {
    len: u8,
    bytes: [u8; HEAD],
}

impl Head {
    fn of(text: &str) -> Head {
        let mut bytes = [0u8; HEAD];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(text.as_bytes());
                Head { len, bytes }
            }
            _ => Head {
                len: u8::MAX,
                bytes,
            },
        }
    }

    /// Whether this is `text`, whole (never for a long text).
    fn is(&self, text: &str) -> bool {
        usize::from(self.len) == text.len()
            && self.bytes.get(..text.len()).is_some_and(|b| same(b, text))
    }
}

/// The end of a chain of slots.
const NONE: u32 = u32::MAX;

impl Names {
    /// The text of `slot` (empty for a slot it does not have).
    pub fn text(&self, slot: usize) -> &str {
        slot_text(&self.spans, &self.text, slot).unwrap_or_default()
    }

    /// The slot of `name` (whose hash is `hash`), if it has one.
    pub fn get(&self, hash: u64, name: &str) -> Option<u32> {
        let &(newest, head) = self.table.get(&hash)?;
        chained(&self.spans, &self.text, newest, head, name)
    }

    /// The slot of `name` (whose hash is `hash`), or the place to give it one: one probe of
    /// the table for both.
    pub fn find(&mut self, hash: u64, name: &str) -> Found<'_> {
        let Names { table, spans, text } = self;
        let entry = table.entry(hash);
        if let Entry::Occupied(e) = &entry {
            let &(newest, head) = e.get();
            if let Some(slot) = chained(spans, text, newest, head, name) {
                return Found::Slot(slot);
            }
        }
        Found::Vacant(Vacant { entry, spans, text })
    }

    /// Room for `names` more names of about `len` bytes.
    pub fn reserve(&mut self, names: usize, len: usize) {
        self.table.reserve(names);
        self.spans.reserve(names);
        self.text.reserve(names.saturating_mul(len));
    }
}

/// The text of `slot`, if the spans have it.
fn slot_text<'t>(spans: &[(u32, u32, u32)], text: &'t str, slot: usize) -> Option<&'t str> {
    let &(start, len, _) = spans.get(slot)?;
    let start = start as usize;
    text.get(start..start + len as usize)
}

/// The slot of `name` among those with one hash, the newest first (`head` is its copy).
fn chained(
    spans: &[(u32, u32, u32)],
    text: &str,
    newest: u32,
    head: Head,
    name: &str,
) -> Option<u32> {
    // Most names are short and most hashes have one name: the copy in the table confirms the
    // newest slot without reading the text far away.
    if head.is(name) {
        return Some(newest);
    }
    let mut at = newest;
    while let Some(&(_, _, next)) = spans.get(at as usize) {
        if slot_text(spans, text, at as usize) == Some(name) {
            return Some(at);
        }
        at = next;
    }
    None
}

/// What [`Names::find`] found.
pub(super) enum Found<'a> {
    /// The name's slot.
    Slot(u32),
    /// The name has none; give it one here.
    Vacant(Vacant<'a>),
}

/// Where a name without a slot goes: the table's entry for its hash (free, or holding the newest
/// name with the same hash, which the new one chains to), found by the probe that looked for it.
pub(super) struct Vacant<'a> {
    entry: Entry<'a, u64, (u32, Head)>,
    spans: &'a mut Vec<(u32, u32, u32)>,
    text: &'a mut String,
}

impl Vacant<'_> {
    /// Whether `name` can be added: not past 4 GB of text or 4 billion names.
    pub fn fits(&self, name: &str) -> bool {
        self.span(name).is_some()
    }

    fn span(&self, name: &str) -> Option<(u32, u32, u32)> {
        let start = u32::try_from(self.text.len()).ok()?;
        let len = u32::try_from(name.len()).ok()?;
        start.checked_add(len)?;
        let slot = u32::try_from(self.spans.len())
            .ok()
            .filter(|&s| s != NONE)?;
        Some((start, len, slot))
    }

    /// Gives `name` (the name [`find`](Names::find) looked for) the next slot, which it
    /// returns; `None`, nothing added, when it does not [fit](Vacant::fits).
    pub fn insert(self, name: &str) -> Option<u32> {
        let (start, len, slot) = self.span(name)?;
        let head = Head::of(name);
        let next = match self.entry {
            Entry::Occupied(mut e) => e.insert((slot, head)).0,
            Entry::Vacant(e) => {
                e.insert((slot, head));
                NONE
            }
        };
        self.spans.push((start, len, next));
        self.text.push_str(name);
        Some(slot)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// Adds `name` (not in `names`) through [`Names::find`].
    fn add(names: &mut Names, hash: u64, name: &str) -> Option<u32> {
        match names.find(hash, name) {
            Found::Vacant(place) => place.insert(name),
            Found::Slot(slot) => panic!("{name} has slot {slot} already"),
        }
    }

    #[test]
    fn names_with_the_same_hash_keep_their_own_slots() {
        let mut names = Names::default();
        assert_eq!(add(&mut names, 7, "a"), Some(0));
        assert_eq!(add(&mut names, 7, "b"), Some(1));
        assert_eq!(add(&mut names, 8, "c"), Some(2));
        assert_eq!(names.get(7, "a"), Some(0));
        assert_eq!(names.get(7, "b"), Some(1));
        assert_eq!(names.get(8, "c"), Some(2));
        assert_eq!(names.get(7, "c"), None);
        assert_eq!(names.get(9, "a"), None);
        let long = "a".repeat(HEAD + 1);
        let full = "b".repeat(HEAD);
        assert_eq!(add(&mut names, 8, &long), Some(3));
        assert_eq!(add(&mut names, 8, &full), Some(4));
        assert_eq!(names.get(8, &long), Some(3));
        assert_eq!(names.get(8, &full), Some(4));
        assert_eq!(names.get(8, "c"), Some(2));
        assert_eq!(names.get(8, &"a".repeat(HEAD)), None);
        assert_eq!(names.get(8, &"b".repeat(HEAD + 1)), None);
    }

    proptest! {
        /// Different texts (of any length, including a text and the same with zero bytes
        /// after it) hash apart, and the same text hashes the same.
        #[test]
        fn the_hash_tells_texts_apart(a in prop::collection::vec(any::<u8>(), 0..40),
                                      b in prop::collection::vec(any::<u8>(), 0..40)) {
            let h = KeyedHash::random();
            prop_assert_eq!(h.hash(&a), h.hash(&a.clone()));
            if a != b {
                prop_assert_ne!(h.hash(&a), h.hash(&b));
            }
            let mut padded = a.clone();
            padded.push(0);
            prop_assert_ne!(h.hash(&a), h.hash(&padded));
        }
    }
}
