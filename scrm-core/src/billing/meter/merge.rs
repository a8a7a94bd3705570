//! Merging metering states built from different parts of one stream.

use super::metering::{Metering, Outcome, Recent, intern};
use super::record::Record;
use super::report::{Conflict, IngestReport, Rejection};
use crate::error::{Error, ErrorKind, Result};

impl Metering {
    /// Merges the state built from a later part of the stream into this one: the result has the
    /// same values as one state that ingested both parts in order. Events in both count once;
    /// an id recorded in both with different content keeps this state's content and is reported
    /// as a conflict (`index` is `None`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the two states have different meters, default clocks, or a
    /// customer with different timezones or cycles; nothing is merged then.
    pub fn merge(&mut self, other: Metering) -> Result<IngestReport> {
        if self.meters != other.meters || self.default_clock != other.default_clock {
            return Err(Error::at(
                ErrorKind::Validation,
                "meters",
                "cannot merge metering states with different meters or default timezone and \
                 interval",
            ));
        }
        for theirs in &other.customers {
            if let Some(ours) = self.state(&theirs.id) {
                if ours.clock != theirs.clock {
                    return Err(Error::at(
                        ErrorKind::Validation,
                        "customers",
                        format!(
                            "customer {:?} has a different timezone or billing cycle in the two \
                             states",
                            theirs.id
                        ),
                    ));
                }
            }
        }
        let mut report = IngestReport::default();
        for theirs in other.customers {
            let slot = self.customer_slot(&theirs.id);
            if theirs.explicit {
                if let Some(state) = self.customers.get_mut(slot) {
                    state.clock = theirs.clock;
                    state.explicit = true;
                    state.recent = Recent::default();
                }
            }
            let mut records: Vec<(Box<str>, Record)> = theirs.records.into_vec();
            records.sort_by(|a, b| a.0.cmp(&b.0));
            for (id, mut record) in records {
                let (keys, names) = (&mut self.keys, &mut self.key_names);
                record.values = record.values.map_keys(|k| {
                    let text = other.key_names.get(k as usize).map_or("", |n| &**n);
                    intern(keys, names, text)
                });
                let metered = record.metered();
                match self.record(slot, &id, record) {
                    Outcome::Accepted { .. } => {
                        report.accepted += 1;
                        report.unmetered += u64::from(!metered);
                    }
                    Outcome::Replayed => report.replayed += 1,
                    Outcome::Conflict(message) => report.conflicts.push(Conflict {
                        index: None,
                        customer_id: theirs.id.clone(),
                        id: id.to_string(),
                        message,
                    }),
                    Outcome::Failed(problem) => report.rejected.push(Rejection {
                        index: None,
                        id: id.to_string(),
                        path: problem.path,
                        message: problem.message,
                    }),
                }
            }
        }
        Ok(report)
    }
}
