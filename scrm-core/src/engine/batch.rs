//! The batch path: folding many events over many profiles, each customer's events in time order,
//! with the same result as applying them one by one.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ingest::{self, Ingested, Verdict};
use super::{Effects, Engine, Profile};
use crate::customer::Event;
use crate::error::Result;

/// What a batch fold did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FoldReport {
    /// Events in the batch.
    pub events: u64,
    /// Events applied.
    pub applied: u64,
    /// Events already applied before (or twice in the batch): nothing changed.
    pub replayed: u64,
    /// Profiles created for customers seen for the first time.
    pub created: u64,
    /// Events refused, each with why; the others were applied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refused: Vec<Refusal>,
}

/// An event a batch refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Refusal {
    /// Its position in the batch.
    pub index: u64,
    /// Its id.
    pub event_id: String,
    /// Its customer.
    pub customer_id: String,
    /// The error kind code (`validation`).
    pub kind: String,
    /// Why, naming the event, its time and the bound for a late one.
    pub message: String,
}

impl Engine {
    /// Folds a batch of events over `profiles`: each customer's events in time order (time, then
    /// id), whatever their order in the batch, exactly as [`Engine::apply`] would one by one.
    /// Customers without a profile get a new one (created at their first event), appended to
    /// `profiles`. Events the engine cannot apply (another tenant, too late, a purchase without an
    /// amount) are listed in the report; the rest are applied.
    ///
    /// Grouping is a counting sort over the batch and each customer's events are sorted in place,
    /// so the batch costs no allocation per event beyond what the profiles keep.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) when a profile was folded under
    /// other rules or belongs to another tenant (nothing is applied then).
    pub fn fold(&self, profiles: &mut Vec<Profile>, events: &[Event]) -> Result<FoldReport> {
        self.fold_grouped(profiles, events, |profile, batch, _| {
            self.ingest(profile, batch, None, true)
        })
    }

    /// [`Engine::fold`] with the effects of every event: each customer's events are screened as
    /// the fold screens them (a repeated id keeps its first copy in the batch; too-late events
    /// are refused), then applied one by one in the fold's order (time, then id), each as
    /// [`Engine::apply`] at its own time. `each(index, effects)` is called with the event's
    /// position in `events` and its effects, in that order; a replay gets effects with
    /// `replayed` set. The profiles and the report end as [`Engine::fold`] leaves them; refused
    /// events are in the report and get no call.
    ///
    /// # Errors
    ///
    /// As [`Engine::fold`], and any error of [`Engine::apply`] on an event the screen let
    /// through (a score out of range).
    pub fn fold_with_effects(
        &self,
        profiles: &mut Vec<Profile>,
        events: &[Event],
        mut each: impl FnMut(usize, &Effects),
    ) -> Result<FoldReport> {
        self.fold_grouped(profiles, events, |profile, batch, indices| {
            let (verdicts, _) = self.screen(profile, batch, true);
            // Each event's verdict by its place in `batch`, in the fold's order.
            let mut screened: Vec<(usize, Verdict)> = verdicts.into_iter().enumerate().collect();
            let key = |k: usize| batch.get(k).map(|e| ingest::order(e));
            screened.sort_by(|a, b| key(a.0).cmp(&key(b.0)));
            let mut out = Ingested::default();
            for (k, verdict) in screened {
                let (Some(&event), Some(&index)) = (batch.get(k), indices.get(k)) else {
                    continue;
                };
                match verdict {
                    Verdict::New => {
                        let effects = self.apply(profile, event, event.at)?;
                        out.applied += 1;
                        each(index as usize, &effects);
                    }
                    Verdict::Replay => {
                        out.replayed += 1;
                        each(index as usize, &ingest::replayed(event));
                    }
                    Verdict::Refused(error) => out.refused.push((k, error)),
                }
            }
            Ok(out)
        })
    }

    /// The body of both folds: checks the profiles, assigns every event a profile slot (creating
    /// profiles for new customers), groups the events by slot with a counting sort, and hands
    /// each customer's events to `ingest` with their positions in `events`.
    fn fold_grouped(
        &self,
        profiles: &mut Vec<Profile>,
        events: &[Event],
        mut ingest: impl FnMut(&mut Profile, &[&Event], &[u32]) -> Result<Ingested>,
    ) -> Result<FoldReport> {
        for (i, p) in profiles.iter().enumerate() {
            self.check_fingerprint(p, &format!("profiles[{i}]"))?;
            p.live.customer.ensure_tenant(&self.tenant_id)?;
        }
        let mut report = FoldReport {
            events: events.len() as u64,
            ..FoldReport::default()
        };
        let slots = self.assign(profiles, events, &mut report);

        // Counting sort of event indices by profile slot.
        let mut starts = vec![0u32; profiles.len() + 1];
        for &s in &slots {
            if let Some(c) = starts.get_mut(s as usize + 1) {
                *c += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut order = vec![0u32; events.len()];
        let mut fill = starts.clone();
        for (i, &s) in slots.iter().enumerate() {
            if let Some(f) = fill.get_mut(s as usize) {
                if let Some(o) = order.get_mut(*f as usize) {
                    *o = i as u32;
                }
                *f += 1;
            }
        }

        let mut batch: Vec<&Event> = Vec::new();
        for (slot, profile) in profiles.iter_mut().enumerate() {
            let (from, to) = (starts[slot] as usize, starts[slot + 1] as usize);
            if from == to {
                continue;
            }
            let indices = &order[from..to];
            batch.clear();
            batch.extend(indices.iter().filter_map(|&i| events.get(i as usize)));
            // The customer's events lie far apart in the batch: read each one's id length first,
            // in a loop whose loads do not wait on each other, so their cache misses overlap
            // rather than stall the fold one by one.
            let touched = batch.iter().fold(0usize, |t, e| {
                t ^ e.id.len() ^ e.kind.len() ^ e.properties.len() ^ usize::from(e.text.is_some())
            });
            std::hint::black_box(touched);
            let ingested = ingest(profile, &batch, indices)?;
            report.applied += ingested.applied as u64;
            report.replayed += ingested.replayed as u64;
            for (k, error) in ingested.refused {
                let index = indices.get(k).copied().unwrap_or_default() as usize;
                if let Some(event) = events.get(index) {
                    report.refused.push(refusal(index, event, &error));
                }
            }
        }
        report.refused.sort_by_key(|r| r.index);
        Ok(report)
    }

    /// The profile slot of each event (`u32::MAX` for one refused outright), creating profiles
    /// for new customers, created at their earliest event.
    fn assign(
        &self,
        profiles: &mut Vec<Profile>,
        events: &[Event],
        report: &mut FoldReport,
    ) -> Vec<u32> {
        let mut slots = vec![u32::MAX; events.len()];
        let mut new_customers: Vec<(&str, DateTime<Utc>)> = Vec::new();
        {
            let index: HashMap<&str, u32> = profiles
                .iter()
                .enumerate()
                .map(|(i, p)| (p.live.customer.id.as_str(), i as u32))
                .collect();
            let mut fresh: HashMap<&str, usize> = HashMap::new();
            let known = profiles.len();
            for (i, e) in events.iter().enumerate() {
                if let Err(error) = self.check_event(e, &e.customer_id, "event") {
                    report.refused.push(refusal(i, e, &error));
                    continue;
                }
                slots[i] = match index.get(e.customer_id.as_str()) {
                    Some(&s) => s,
                    None => {
                        let n = *fresh.entry(e.customer_id.as_str()).or_insert_with(|| {
                            new_customers.push((e.customer_id.as_str(), e.at));
                            new_customers.len() - 1
                        });
                        if let Some(first) = new_customers.get_mut(n) {
                            first.1 = first.1.min(e.at);
                        }
                        (known + n) as u32
                    }
                };
            }
        }
        for (id, created) in new_customers {
            let customer = crate::customer::Customer::new(&self.tenant_id, id, created);
            profiles.push(Profile::new(customer, &self.fingerprint));
            report.created += 1;
        }
        slots
    }
}

fn refusal(index: usize, event: &Event, error: &crate::error::Error) -> Refusal {
    Refusal {
        index: index as u64,
        event_id: event.id.to_string(),
        customer_id: event.customer_id.to_string(),
        kind: error.kind().code().to_owned(),
        message: error
            .problems()
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
    }
}
