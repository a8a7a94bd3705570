//! What ingestion did with each event: nothing is dropped without a word.

use serde::Serialize;

/// The outcome of ingesting a batch (or merging a state). Every input event is in exactly one
/// of `accepted`, `replayed`, `conflicts` or `rejected`, so
/// `accepted + replayed + conflicts.len() + rejected.len()` is the batch size.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    /// New events recorded (including those no meter reads; see `unmetered`).
    pub accepted: u64,
    /// Events whose id was already recorded with the same content: counted once, as the rule
    /// says, and not again.
    pub replayed: u64,
    /// Of the accepted events, those no meter reads (their type has no meter). They are kept
    /// for de-duplication, so a later conflicting copy is still caught.
    pub unmetered: u64,
    /// Events whose id was already recorded with different content. The first content stays;
    /// the later one is not counted and is listed here.
    pub conflicts: Vec<Conflict>,
    /// Events that could not be metered (a property a meter needs is missing or not a number,
    /// an empty id...). They are not recorded, so a corrected event with the same id is
    /// accepted later.
    pub rejected: Vec<Rejection>,
}

impl IngestReport {
    /// The number of events the report accounts for.
    pub fn total(&self) -> u64 {
        self.accepted + self.replayed + self.conflicts.len() as u64 + self.rejected.len() as u64
    }

    /// Adds `other`'s counts and lists to this report.
    pub fn absorb(&mut self, other: IngestReport) {
        self.accepted += other.accepted;
        self.replayed += other.replayed;
        self.unmetered += other.unmetered;
        self.conflicts.extend(other.conflicts);
        self.rejected.extend(other.rejected);
    }
}

/// An event whose id was seen before with different content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// The event's position in its batch (`None` when found while merging states).
    pub index: Option<usize>,
    /// The customer.
    pub customer_id: String,
    /// The repeated id.
    pub id: String,
    /// What differs, e.g. `"at differs: 2026-03-01T00:00:00Z was recorded, 2026-03-02T00:00:00Z
    /// came later"`.
    pub message: String,
}

/// An event that could not be metered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// The event's position in its batch (`None` when found while merging states).
    pub index: Option<usize>,
    /// The event's id as given.
    pub id: String,
    /// The field at fault, e.g. `properties.tokens`.
    pub path: String,
    /// What is wrong and what would be accepted.
    pub message: String,
}
