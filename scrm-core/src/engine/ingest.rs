//! Folding new events into a profile: replays are recognised, late events within the bound are
//! folded in at their place in time by re-folding the retained events from the base state, and
//! later ones are refused.
//!
//! A profile is `base` (the state before the retained events) + `retained` (every event within
//! the lateness bound of the latest one) = `live`. Each call re-folds the retained and new events
//! from `base` in time order (time, then id), so the result depends only on the set of events,
//! never on the order they arrived in; events that fall out of the bound move into the new base.

use chrono::{DateTime, Utc};

use super::profile::{Profile, State};
use super::{Effects, Engine, id_hash128};
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

/// What [`Engine::screen`] makes of one event.
pub(super) enum Verdict {
    /// New to the profile: to be folded in.
    New,
    /// Applied before, or earlier in the same call: nothing changes.
    Replay,
    /// Refused, with why.
    Refused(Error),
}

/// The effects of a replayed event: none, marked `replayed`.
pub(super) fn replayed(event: &Event) -> Effects {
    Effects {
        event_id: Some(event.id.to_string()),
        replayed: true,
        ..Effects::default()
    }
}

/// Adds new replay keys to the sorted `seen`: one insertion each for a few, one merge for many.
fn merge_keys(seen: &mut Vec<u128>, mut new: Vec<u128>) {
    if new.len() <= 32 {
        for h in new {
            if let Err(i) = seen.binary_search(&h) {
                seen.insert(i, h);
            }
        }
        return;
    }
    new.sort_unstable();
    let mut merged = Vec::with_capacity(seen.len() + new.len());
    let (mut a, mut b) = (seen.iter().peekable(), new.iter().peekable());
    while let (Some(&&x), Some(&&y)) = (a.peek(), b.peek()) {
        if x <= y {
            merged.push(x);
            a.next();
        } else {
            merged.push(y);
            b.next();
        }
    }
    merged.extend(a);
    merged.extend(b);
    merged.dedup();
    *seen = merged;
}

/// An event in the engine's order.
pub(super) fn order(e: &Event) -> (DateTime<Utc>, &str) {
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
        checked: bool,
    ) -> Result<Ingested> {
        let mut out = Ingested::default();
        let (verdicts, hashes) = self.screen(profile, events, checked);
        let mut accepted: Vec<&Event> = Vec::with_capacity(hashes.len());
        for (i, (verdict, &event)) in verdicts.into_iter().zip(events).enumerate() {
            match verdict {
                Verdict::New => accepted.push(event),
                Verdict::Replay => out.replayed += 1,
                Verdict::Refused(e) => out.refused.push((i, e)),
            }
        }
        if accepted.is_empty() {
            return Ok(out);
        }
        accepted.sort_by(|a, b| order(a).cmp(&order(b)));
        out.applied = accepted.len();
        let first_new = accepted.first().map(|e| (e.at, e.id.as_str()));
        out.refolded = match (profile.latest(), first_new) {
            (Some(latest), Some(first)) => first < (latest.at, latest.id.as_str()),
            _ => false,
        };
        let latest_at = match (profile.latest(), accepted.last()) {
            (Some(a), Some(b)) => Some(a.at.max(b.at)),
            (a, b) => a.map(|e| e.at).or(b.map(|e| e.at)),
        };
        // A new event at or before the last time-based check belongs before it: re-fold too.
        let before_check = match (first_new, profile.checked_until) {
            (Some(first), Some(t)) => first.0 <= t,
            _ => false,
        };
        if out.refolded || before_check {
            self.refold(profile, &accepted, latest_at, first_new, log)?;
        } else {
            self.fold_in_order(profile, &accepted, latest_at, log)?;
        }
        merge_keys(&mut profile.seen, hashes);
        Ok(out)
    }

    /// What `ingest` makes of each of `events` (all of the profile's customer, in arrival
    /// order): new, a replay (applied before, or earlier in the same call), or refused (another
    /// customer or tenant unless `checked`, or too late for the lateness bound). Also the replay
    /// keys of the new ones, in order. [`Engine::fold_with_effects`] screens a batch the same
    /// way, so both folds keep the same copy of a repeated id.
    pub(super) fn screen(
        &self,
        profile: &Profile,
        events: &[&Event],
        checked: bool,
    ) -> (Vec<Verdict>, Vec<u128>) {
        let mut verdicts = Vec::with_capacity(events.len());
        let mut hashes: Vec<u128> = Vec::with_capacity(events.len());
        // A batch of one customer may hold many events: look its own ids up in a set then.
        let mut batch_ids: Option<std::collections::HashSet<u128>> =
            (events.len() > 32).then(|| std::collections::HashSet::with_capacity(events.len()));
        for &event in events {
            // A batch has checked its events already (against their own customer).
            if !checked && let Err(e) = self.check_event(event, &profile.live.customer.id, "event")
            {
                verdicts.push(Verdict::Refused(e));
                continue;
            }
            let h = id_hash128(&event.id);
            let again = match &batch_ids {
                Some(set) => set.contains(&h),
                None => hashes.contains(&h),
            };
            if profile.has_seen(&event.id, h) || again {
                verdicts.push(Verdict::Replay);
                continue;
            }
            if let Some(latest) = profile.latest() {
                let bound = micros(latest.at).saturating_sub(self.lateness);
                if micros(event.at) < bound {
                    verdicts.push(Verdict::Refused(self.too_late(event, latest)));
                    continue;
                }
            }
            hashes.push(h);
            if let Some(set) = &mut batch_ids {
                set.insert(h);
            }
            verdicts.push(Verdict::New);
        }
        (verdicts, hashes)
    }

    fn too_late(&self, event: &Event, latest: &Event) -> Error {
        Error::at(
            ErrorKind::Validation,
            "event.at",
            format!(
                "event {:?} at {} is too late: the customer's latest event is at {} and events may \
                 arrive at most {} behind it (engine.lateness)",
                event.id,
                event.at.to_rfc3339(),
                latest.at.to_rfc3339(),
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
        latest_at: Option<DateTime<Utc>>,
        first_new: Option<(DateTime<Utc>, &str)>,
        mut log: Option<&mut Vec<TagChange>>,
    ) -> Result<()> {
        let boundary = latest_at.map_or(i64::MIN, |at| micros(at).saturating_sub(self.lateness));
        if profile.base.is_none() && !profile.retained.is_empty() {
            return Err(Error::at(
                ErrorKind::Validation,
                "profile.base",
                "the profile retains events but has no base state to re-fold them from; rebuild it \
                 with Engine::rescore",
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
                if (event.at, event.id.as_str()) >= first {
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
        let watermark = latest_at.map_or(i64::MIN, micros);
        self.settle(&mut state, boundary, watermark);
        profile.base = base.map(|(mut b, _)| {
            // Every later evaluation of a state re-folded from the base is at or after the
            // boundary, so that is when its decayed points must be nothing.
            self.settle(&mut b, boundary, boundary);
            Box::new(b)
        });
        profile.live = state;
        profile.retained = retained;
        Ok(())
    }

    /// Folds events that all come after every event of the profile (the common case) without
    /// re-folding: the retained events that fall out of the bound move into the base, or, when
    /// all of them do, the live state becomes the new base's start.
    fn fold_in_order(
        &self,
        profile: &mut Profile,
        new: &[&Event],
        latest_at: Option<DateTime<Utc>>,
        mut log: Option<&mut Vec<TagChange>>,
    ) -> Result<()> {
        let boundary = latest_at.map_or(i64::MIN, |at| micros(at).saturating_sub(self.lateness));
        let mut changes = Vec::new();
        let leaving = profile
            .retained
            .partition_point(|e| micros(e.at) < boundary);
        if leaving < profile.retained.len() {
            // Some retained events stay, so every new event (after them) stays too.
            if leaving > 0 {
                let Some(base) = profile.base.as_mut() else {
                    return Err(Error::at(
                        ErrorKind::Validation,
                        "profile.base",
                        "the profile retains events but has no base state; rebuild it with \
                         Engine::rescore",
                    ));
                };
                for e in profile.retained.drain(..leaving) {
                    changes.clear();
                    self.step(base, &e, &mut changes)?;
                }
            }
            for &e in new {
                changes.clear();
                self.step(&mut profile.live, e, &mut changes)?;
                if let Some(log) = log.as_deref_mut() {
                    log.append(&mut changes);
                }
                profile.retained.push(e.clone());
            }
        } else {
            // Every retained event leaves: live = base + them is where the new base starts. The
            // old base and retained events are copied over (`clone_from`), reusing their buffers.
            let mut spare = profile.base.take();
            let mut kept = 0;
            let mut folded = Ok(());
            for &e in new {
                let retained = micros(e.at) >= boundary;
                if retained && profile.base.is_none() {
                    profile.base = Some(match spare.take() {
                        Some(mut base) => {
                            State::clone_from(&mut base, &profile.live);
                            base
                        }
                        None => Box::new(profile.live.clone()),
                    });
                }
                changes.clear();
                folded = self.step(&mut profile.live, e, &mut changes);
                if folded.is_err() {
                    break;
                }
                if let Some(log) = log.as_deref_mut() {
                    log.append(&mut changes);
                }
                if retained {
                    match profile.retained.get_mut(kept) {
                        Some(slot) => slot.clone_from(e),
                        None => profile.retained.push(e.clone()),
                    }
                    kept += 1;
                }
            }
            profile.retained.truncate(kept);
            folded?;
        }
        let watermark = latest_at.map_or(i64::MIN, micros);
        self.settle(&mut profile.live, boundary, watermark);
        if let Some(base) = profile.base.as_mut() {
            self.settle(base, boundary, boundary);
        }
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
        let ingested = self.ingest(profile, &[event], Some(&mut log), false)?;
        if let Some((_, e)) = ingested.refused.into_iter().next() {
            return Err(e);
        }
        if ingested.replayed > 0 {
            return Ok(replayed(event));
        }
        let mut effects = self.diff(&before, &profile.live, &log, now, score_before)?;
        effects.event_id = Some(event.id.to_string());
        effects.refolded = ingested.refolded;
        Ok(effects)
    }

    fn score_before(&self, state: &State, now: DateTime<Utc>) -> Result<Option<crate::Points>> {
        if self.scoring.is_empty() {
            return Ok(None);
        }
        Ok(Some(self.totals_of(state, now)?.score))
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
        let latest_at = profile.latest_event_at();
        let in_order = latest_at.is_none_or(|at| at <= now);
        if in_order {
            self.time_step(&mut profile.live, now, &mut log);
        } else {
            self.refold(profile, &[], latest_at, None, None)?;
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
        self.score_of(&profile.live, now)
    }

    /// The customer's score and fit grade at `now`, as [`Engine::score`] gives them, without
    /// building the explanation (for tables of many profiles).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for a profile folded under other rules.
    pub fn score_and_grade(
        &self,
        profile: &Profile,
        now: DateTime<Utc>,
    ) -> Result<(crate::Points, Option<&'static str>)> {
        self.check_fingerprint(profile, "profile")?;
        let totals = self.totals_of(&profile.live, now)?;
        Ok((totals.score, totals.grade))
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
        let ingested = self.ingest(&mut fresh, &events, None, false)?;
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
