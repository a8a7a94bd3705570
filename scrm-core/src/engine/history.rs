//! What the engine keeps of a customer's past events for the conditions and behaviour rules that
//! count them: a compact trace per event (time, id hash, and one bit per distinct event filter of
//! the playbook) for as long as the longest counting window needs, and lifetime totals for the
//! filters counted without a window.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::condition::{AttrValue, EventFilter, Facts, Number};
use crate::customer::{ConsentStatus, Customer, CustomerFacts, Event, json_value};
use crate::scoring::time::{SECOND, micros};

/// The most distinct event filters a playbook may count (one bit each in a trace).
pub(crate) const MAX_FILTERS: usize = 64;

/// Every event filter the playbook counts, numbered.
#[derive(Debug, Default)]
pub(crate) struct Filters {
    filters: Vec<EventFilter>,
    /// Bits of the filters some `count` reads without a window.
    pub unbounded: u64,
    /// The longest window of any count, microseconds.
    pub longest: i64,
}

impl Filters {
    /// Numbers `filter` (the same filter twice gets one number), noting its window.
    pub(crate) fn add(&mut self, filter: &EventFilter, window: Option<chrono::TimeDelta>) -> usize {
        let no = match self.filters.iter().position(|f| f == filter) {
            Some(no) => no,
            None => {
                self.filters.push(filter.clone());
                self.filters.len() - 1
            }
        };
        match window {
            None if no < MAX_FILTERS => self.unbounded |= 1 << no,
            None => {}
            Some(w) => {
                self.longest = self.longest.max(w.num_seconds().saturating_mul(SECOND));
            }
        }
        no
    }

    pub(crate) fn len(&self) -> usize {
        self.filters.len()
    }

    /// The number of `filter`, if the playbook counts it.
    fn number(&self, filter: &EventFilter) -> Option<usize> {
        self.filters.iter().position(|f| f == filter)
    }

    /// The bits of the filters `event` passes.
    pub(crate) fn bits(&self, event: &Event) -> u64 {
        let mut bits = 0u64;
        for (no, filter) in self.filters.iter().enumerate().take(MAX_FILTERS) {
            if filter.matches(&event.kind, |name| {
                event.properties.get(name).and_then(json_value)
            }) {
                bits |= 1 << no;
            }
        }
        bits
    }
}

/// One past event: time (microseconds), id hash, filter bits.
pub(crate) type Trace = (i64, u64, u64);

/// A customer's counted past.
/// `Clone` reuses allocations in `clone_from` (engine/reuse.rs).
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct History {
    /// Traces in time order, those within the longest window (plus lateness) of the latest event.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub traces: Vec<Trace>,
    /// Per filter counted without a window: events that left `traces` (filter number, count).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evicted: Vec<(u32, u64)>,
}

impl History {
    /// Adds an event's trace in its place.
    pub(crate) fn add(&mut self, trace: Trace) {
        if self.traces.last().is_none_or(|last| *last < trace) {
            self.traces.push(trace); // the common case: in time order
        } else if let Err(i) = self.traces.binary_search(&trace) {
            self.traces.insert(i, trace);
        }
    }

    /// Drops traces before `horizon`, counting them into the lifetime totals that need them.
    pub(crate) fn settle(&mut self, horizon: i64, unbounded: u64) {
        let cut = self.traces.partition_point(|t| t.0 < horizon);
        for &(_, _, bits) in &self.traces[..cut] {
            let mut counted = bits & unbounded;
            while counted != 0 {
                let no = counted.trailing_zeros();
                counted &= counted - 1;
                match self.evicted.iter_mut().find(|(n, _)| *n == no) {
                    Some(slot) => slot.1 = slot.1.saturating_add(1),
                    None => {
                        self.evicted.push((no, 1));
                        self.evicted.sort_unstable();
                    }
                }
            }
        }
        self.traces.drain(..cut);
    }

    /// Events with filter `no` in `(from, until]` (`from` exclusive) or `[from, until]`.
    fn count(&self, no: usize, from: Option<i64>, from_inclusive: bool, until: i64) -> u64 {
        let bit = 1u64 << (no % MAX_FILTERS);
        let end = self.traces.partition_point(|t| t.0 <= until);
        let start = match from {
            None => 0,
            Some(f) if from_inclusive => self.traces.partition_point(|t| t.0 < f),
            Some(f) => self.traces.partition_point(|t| t.0 <= f),
        };
        let in_traces = self
            .traces
            .get(start..end)
            .unwrap_or_default()
            .iter()
            .filter(|t| t.2 & bit != 0)
            .count() as u64;
        let evicted = if from.is_none() {
            self.evicted
                .iter()
                .find(|(n, _)| *n as usize == no)
                .map_or(0, |e| e.1)
        } else {
            0
        };
        in_traces + evicted
    }

    /// Events with filter `no` in the window `(at - within, at]` (auto-tag behaviour rules).
    pub(crate) fn count_behaviour(&self, no: usize, at: i64, within: i64) -> u64 {
        self.count(no, Some(at.saturating_sub(within)), false, at)
    }
}

/// A customer as conditions see them inside the engine: the profile, the counted past, and the
/// score and grade the engine computed (when a condition reads them).
pub(crate) struct EngineFacts<'a> {
    pub customer: CustomerFacts<'a>,
    pub stage: Option<&'a str>,
    pub history: &'a History,
    pub filters: &'a Filters,
    pub score: Option<Number>,
    pub grade: Option<&'a str>,
}

impl<'a> EngineFacts<'a> {
    pub(crate) fn new(
        customer: &'a Customer,
        history: &'a History,
        filters: &'a Filters,
        at: DateTime<Utc>,
    ) -> EngineFacts<'a> {
        EngineFacts {
            customer: CustomerFacts::new(customer, &[], at),
            stage: customer.stage.as_deref(),
            history,
            filters,
            score: None,
            grade: None,
        }
    }
}

impl Facts for EngineFacts<'_> {
    fn score(&self) -> Option<Number> {
        self.score
    }

    fn stage(&self) -> Option<&str> {
        self.stage
    }

    fn owner(&self) -> Option<&str> {
        self.customer.owner()
    }

    fn grade(&self) -> Option<&str> {
        self.grade
    }

    fn attribute(&self, name: &str) -> Option<AttrValue<'_>> {
        self.customer.attribute(name)
    }

    fn has_tag(&self, tag_id: &str) -> bool {
        self.customer.has_tag(tag_id)
    }

    fn consent(&self, purpose: &str, channel: &str) -> Option<ConsentStatus> {
        self.customer.consent(purpose, channel)
    }

    fn has_identity(&self, kind: &str) -> bool {
        self.customer.has_identity(kind)
    }

    fn count_events(
        &self,
        filter: &EventFilter,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> u64 {
        match self.filters.number(filter) {
            Some(no) => self
                .history
                .count(no, since.map(micros), true, micros(until)),
            None => 0,
        }
    }
}
