//! Folding new events into a profile: replays are recognised, late events within the bound are
//! folded in at their place in time by re-folding the retained events from the base state, and
//! later ones are refused.
//!
//! A profile is `base` (the state before the retained events) + `retained` (every event within
//! the lateness bound of the latest one) = `live`. Each call re-folds the retained and new events
//! from `base` in time order (time, then id), so the result depends only on the set of events,
//! never on the order they arrived in; events that fall out of the bound move into the new base.

use chrono::{DateTime, Utc};

use super::profile::{Mark, Profile, State};
use super::{Effects, Engine, id_hash};
use crate::customer::{Customer, Event};
use crate::error::{Error, ErrorKind, Result};
use crate::scoring::time::micros;
use crate::tagging::TagChange;

/// What happened to the events of one call.
#[derive(Debug, Default)]
pub(crate) struct Ingested {
    pub applied: usize,
    pub replayed: usize,
    pub refolded: bool,
    /// Refused events: their index in the input and why.
    pub refused: Vec<(usize, Error)>,
}

/// An event in the engine's order.
fn order(e: &Event) -> (DateTime<Utc>, &str) {
    (e.at, e.id.as_str())
}

impl Engine {
    /// Folds `events` (all of the profile's customer, in any order) into `profile`. With `log`,
    /// collects the tag changes of the events from the first new one on.
    pub(crate) fn ingest(
        &self,
        profile: &mut Profile,
        events: &[&Event],
        log: Option<&mut Vec<TagChange>>,
    ) -> Result<Ingested> {
        let mut out = Ingested::default();
        let customer_id = profile.live.customer.id.clone();
        let mut accepted: Vec<&Event> = Vec::with_capacity(events.len());
        let mut hashes: Vec<u64> = Vec::with_capacity(events.len());
        for (i, &event) in events.iter().enumerate() {
            if let Err(e) = self.check_event(event, &customer_id, "event") {
                out.refused.push((i, e));
                continue;
            }
            let h = id_hash(&event.id);
            if profile.seen.binary_search(&h).is_ok() || hashes.contains(&h) {
                out.replayed += 1;
                continue;
            }
            if let Some(mark) = &profile.watermark {
                let bound = micros(mark.at).saturating_sub(self.lateness);
                if micros(event.at) < bound {
                    out.refused.push((i, self.too_late(event, mark)));
                    continue;
                }
            }
            hashes.push(h);
            accepted.push(event);
        }
        if accepted.is_empty() {
            return Ok(out);
        }
        accepted.sort_by(|a, b| order(a).cmp(&order(b)));
        out.applied = accepted.len();
        let first_new = accepted.first().map(|e| (e.at, e.id.clone()));
        out.refolded = match (&profile.watermark, &first_new) {
            (Some(mark), Some(first)) => (first.0, first.1.as_str()) < (mark.at, mark.id.as_str()),
            _ => false,
        };
        let last = accepted.last().map(|e| Mark {
            at: e.at,
            id: e.id.clone(),
        });
        let mark = match (profile.watermark.take(), last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        let first_new = first_new.map(|(at, id)| Mark { at, id });
        self.refold(profile, &accepted, mark, first_new.as_ref(), log)?;
        for h in hashes {
            if let Err(i) = profile.seen.binary_search(&h) {
                profile.seen.insert(i, h);
            }
        }
        Ok(out)
    }

    fn too_late(&self, event: &Event, mark: &Mark) -> Error {
        Error::at(
            ErrorKind::Validation,
            "event.at",
            format!(
                "event {:?} at {} is too late: the customer's latest event is at {} and events may \
                 arrive at most {} behind it (engine.lateness)",
                event.id,
                event.at.to_rfc3339(),
                mark.at.to_rfc3339(),
                self.lateness_text
            ),
        )
    }

    /// Re-folds `base` + retained + `new` (sorted) into the profile, with `mark` the latest
    /// event; the time-based check at `checked_until` is interleaved at its place.
    pub(crate) fn refold(
        &self,
        profile: &mut Profile,
        new: &[&Event],
        mark: Option<Mark>,
        first_new: Option<&Mark>,
        mut log: Option<&mut Vec<TagChange>>,
    ) -> Result<()> {
        let boundary = mark
            .as_ref()
            .map_or(i64::MIN, |m| micros(m.at).saturating_sub(self.lateness));
        if profile.base.is_none() && !profile.retained.is_empty() {
            return Err(Error::at(
                ErrorKind::Validation,
                "profile.base",
                "the profile retains events but has no base state to re-fold them from;                  rebuild it with Engine::rescore",
            ));
        }
        let placeholder = || State::new(Customer::new("", "", DateTime::<Utc>::UNIX_EPOCH));
        let mut state = match profile.base.take() {
            Some(base) => *base,
            None => std::mem::replace(&mut profile.live, placeholder()),
        };
        let old = std::mem::take(&mut profile.retained);
        let tick = profile.checked_until;
        let mut retained: Vec<Event> = Vec::new();
        let mut base: Option<(State, i64)> = None;
        let mut base_watermark = i64::MIN;
        let mut changes = Vec::new();
        let mut old = old.into_iter().peekable();
        let mut new = new.iter().copied().peekable();
        loop {
            let take_old = match (old.peek(), new.peek()) {
                (Some(o), Some(n)) => order(o) < order(n),
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let (owned, borrowed): (Option<Event>, Option<&Event>) = if take_old {
                (old.next(), None)
            } else {
                (None, new.next())
            };
            let Some(event) = owned.as_ref().or(borrowed) else {
                break;
            };
            if let Some(t) = tick {
                if state.checked.is_none_or(|c| c < t) && t < event.at {
                    self.time_step(&mut state, t, &mut changes);
                }
            }
            let at = micros(event.at);
            if at >= boundary && base.is_none() {
                base = Some((state.clone(), base_watermark));
            }
            changes.clear();
            self.step(&mut state, event, &mut changes)?;
            if let (Some(log), Some(first)) = (log.as_deref_mut(), first_new) {
                if (event.at, event.id.as_str()) >= (first.at, first.id.as_str()) {
                    log.append(&mut changes);
                }
            }
            if at >= boundary {
                let keep = match owned {
                    Some(e) => e,
                    None => borrowed.cloned().unwrap_or_else(|| event.clone()),
                };
                retained.push(keep);
            } else {
                base_watermark = at;
            }
        }
        if let Some(t) = tick {
            if state.checked.is_none_or(|c| c < t) {
                changes.clear();
                self.time_step(&mut state, t, &mut changes);
                if let Some(log) = log {
                    log.append(&mut changes);
                }
            }
        }
        let watermark = mark.as_ref().map_or(i64::MIN, |m| micros(m.at));
        self.settle(&mut state, boundary, watermark);
        profile.base = base.map(|(mut b, w)| {
            self.settle(&mut b, boundary, w);
            Box::new(b)
        });
        profile.live = state;
        profile.retained = retained;
        profile.watermark = mark;
        Ok(())
    }

    /// Settles what no late event can change any more (see `ScoreState::settle`).
    fn settle(&self, state: &mut State, boundary: i64, watermark: i64) {
        if boundary == i64::MIN {
            return;
        }
        state.score.settle(&self.scoring, boundary, watermark);
        state.history.settle(
            boundary.saturating_sub(self.filters.longest),
            self.filters.unbounded,
        );
    }

    /// Applies one event to a customer's profile: the per-request path. `now` dates the score
    /// reported in the effects (its decay); the profile's state does not depend on it.
    ///
    /// Replaying an event already applied changes nothing (`effects.replayed`). An event up to
    /// the playbook's `engine.lateness` behind the customer's latest event is folded in at its
    /// place in time (`effects.refolded`), the same as if it had arrived in order.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for an event of another customer or tenant, a time outside
    /// 1700..2249, a purchase without an amount, an event later than the lateness bound (naming
    /// its id, its time and the bound), or a profile folded under other rules.
    pub fn apply(
        &self,
        profile: &mut Profile,
        event: &Event,
        now: DateTime<Utc>,
    ) -> Result<Effects> {
        self.check_fingerprint(profile, "profile")?;
        let before = profile.live.clone();
        let score_before = self.score_before(&before, now)?;
        let mut log = Vec::new();
        let ingested = self.ingest(profile, &[event], Some(&mut log))?;
        if let Some((_, e)) = ingested.refused.into_iter().next() {
            return Err(e);
        }
        if ingested.replayed > 0 {
            return Ok(Effects {
                event_id: Some(event.id.clone()),
                replayed: true,
                ..Effects::default()
            });
        }
        let mut effects = self.diff(&before, &profile.live, &log, now, score_before)?;
        effects.event_id = Some(event.id.clone());
        effects.refolded = ingested.refolded;
        Ok(effects)
    }

    fn score_before(&self, state: &State, now: DateTime<Utc>) -> Result<Option<crate::Points>> {
        if self.scoring.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.score_of(state, now, false)?.score))
    }

    /// The time-based check at `now` (run it daily, or before reading a profile): expired tags
    /// come off and inactivity rules move silent customers (沉睡 dormant), dated when the silence
    /// reached the rule's `after`. A late event folded in afterwards is placed before it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for a profile folded under other rules.
    pub fn tick(&self, profile: &mut Profile, now: DateTime<Utc>) -> Result<Effects> {
        self.check_fingerprint(profile, "profile")?;
        crate::scoring::time::checked_micros(now, "now")?;
        if profile.checked_until.is_some_and(|c| c >= now) {
            return Ok(Effects::default());
        }
        let before = profile.live.clone();
        let score_before = self.score_before(&before, now)?;
        profile.checked_until = Some(now);
        let mut log = Vec::new();
        let in_order = profile.watermark.as_ref().is_none_or(|m| m.at <= now);
        if in_order {
            self.time_step(&mut profile.live, now, &mut log);
        } else {
            let mark = profile.watermark.take();
            self.refold(profile, &[], mark, None, None)?;
        }
        self.diff(&before, &profile.live, &log, now, score_before)
    }

    /// The customer's score at `now`, with its explanation.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for a profile folded under other rules.
    pub fn score(&self, profile: &Profile, now: DateTime<Utc>) -> Result<crate::Score> {
        self.check_fingerprint(profile, "profile")?;
        self.score_of(&profile.live, now, true)
    }

    /// Rebuilds a profile from the customer's full event history under this engine's rules, as
    /// if they had always been in force (re-scoring after a rule edit). Tags applied by auto-tag
    /// rules and the stage are rebuilt from the events; tags put on by hand, by import or by
    /// pre-tagging, and attributes, owner and consents are kept.
    ///
    /// # Errors
    ///
    /// As [`Engine::fold`] for an event it cannot apply.
    pub fn rescore(
        &self,
        profile: &Profile,
        history: &[Event],
        now: DateTime<Utc>,
    ) -> Result<(Profile, Effects)> {
        use crate::customer::Provenance;
        let mut customer = profile.live.customer.clone();
        customer.tags.retain(|t| {
            matches!(
                t.provenance,
                Provenance::Manual | Provenance::Import | Provenance::PreTag | Provenance::Rule(_)
            )
        });
        customer.stage = None;
        let mut fresh = self.profile(customer)?;
        fresh.checked_until = profile.checked_until;
        let events: Vec<&Event> = history.iter().collect();
        let ingested = self.ingest(&mut fresh, &events, None)?;
        if let Some((i, e)) = ingested.refused.into_iter().next() {
            return Err(crate::documents::prefixed(e, &format!("history[{i}]")));
        }
        let before = if profile.fingerprint == self.fingerprint {
            self.score_before(&profile.live, now)?
        } else {
            None
        };
        let effects = self.diff(&profile.live, &fresh.live, &[], now, before)?;
        Ok((fresh, effects))
    }
}
