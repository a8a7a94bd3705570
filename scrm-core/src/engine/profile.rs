//! [`Profile`]: the small, serialisable state the engine keeps per customer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::history::History;
use crate::customer::{Customer, Event};
use crate::error::{Error, ErrorKind, Result};
use crate::lifecycle::StageChange;
use crate::lifecycle::machine::StageState;
use crate::scoring::FiredThreshold;
use crate::scoring::state::ScoreState;

/// Everything the engine derives for a customer from their events at one point of the timeline.
/// `Clone` reuses allocations in `clone_from` (reuse.rs): the batch path copies the live state
/// into the previous base's allocations.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct State {
    pub customer: Customer,
    #[serde(default)]
    pub lifecycle: StageState,
    #[serde(default)]
    pub score: ScoreState,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fired: Vec<FiredThreshold>,
    #[serde(default)]
    pub history: History,
    /// The latest time-based check applied to this state (see [`Profile::checked_until`]).
    #[serde(
        serialize_with = "crate::rfc3339::write_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub checked: Option<DateTime<Utc>>,
}

impl State {
    pub(crate) fn new(customer: Customer) -> State {
        State {
            customer,
            lifecycle: StageState::default(),
            score: ScoreState::default(),
            fired: Vec::new(),
            history: History::default(),
            checked: None,
        }
    }
}

/// The engine's state for one customer (客户画像 plus what scoring and the lifecycle remember):
/// the customer as the events left them, their score memory, stage history and fired
/// thresholds, the hashes of the event ids seen, and the recent events a late arrival is folded
/// in among.
///
/// Build one with [`Engine::profile`](crate::Engine::profile) and keep it between calls (its JSON
/// form is [`Profile::to_json`]; times and hashes in it stay below 2^53, so any JSON parser keeps
/// them exact). What it holds, and how much, is in `docs/engine.md`.
///
/// Its JSON names the parts of the base state equal to the live state's instead of writing them
/// twice (`engine/profile_json.rs`).
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// The fingerprint of the playbook rules this profile was folded under.
    pub(crate) fingerprint: String,
    /// The state after every event.
    pub(crate) live: State,
    /// The state before the first retained event (absent when nothing is retained).
    pub(crate) base: Option<Box<State>>,
    /// Events within the lateness bound of the latest one, in order: a late event is folded in
    /// among them from `base`.
    pub(crate) retained: Vec<Event>,
    /// Hashes (128 bits, `id_hash128`) of every event id applied, sorted: replaying one changes
    /// nothing.
    pub(crate) seen: Vec<u128>,
    /// The 53-bit hashes (`id_hash`) of the events applied before decision 0027, sorted, from a
    /// profile written then; checked too, never added to.
    pub(crate) seen_53: Vec<u64>,
    /// The latest time given to the time-based check ([`Engine::tick`](crate::Engine::tick)).
    pub(crate) checked_until: Option<DateTime<Utc>>,
}

impl Profile {
    pub(crate) fn new(customer: Customer, fingerprint: &str) -> Profile {
        Profile {
            fingerprint: fingerprint.to_owned(),
            live: State::new(customer),
            base: None,
            retained: Vec::new(),
            seen: Vec::new(),
            seen_53: Vec::new(),
            checked_until: None,
        }
    }

    /// The customer as the events left them: tags, stage, attributes.
    pub fn customer(&self) -> &Customer {
        &self.live.customer
    }

    /// Changes what events do not (attributes, owner, consents, identities). The change is
    /// made to the retained base state too, so a late event re-folded afterwards sees it as if
    /// it had always been so.
    /// The customer's id and tenant cannot change this way (they are put back).
    pub fn update_customer(&mut self, change: impl Fn(&mut Customer)) {
        let (tenant, id) = (
            self.live.customer.tenant_id.clone(),
            self.live.customer.id.clone(),
        );
        for customer in std::iter::once(&mut self.live.customer)
            .chain(self.base.as_mut().map(|b| &mut b.customer))
        {
            change(customer);
            customer.tenant_id.clone_from(&tenant);
            customer.id.clone_from(&id);
        }
    }

    /// Every lifecycle stage change, oldest first.
    pub fn stage_history(&self) -> &[StageChange] {
        &self.live.lifecycle.history
    }

    /// The thresholds reached and not re-armed since.
    pub fn fired_thresholds(&self) -> &[FiredThreshold] {
        &self.live.fired
    }

    /// The time of the latest event applied, if any.
    pub fn latest_event_at(&self) -> Option<DateTime<Utc>> {
        self.latest().map(|e| e.at)
    }

    /// The latest event folded, in the engine's order (time, then id): always the last retained
    /// one, since the latest event is within the lateness bound of itself.
    pub(crate) fn latest(&self) -> Option<&Event> {
        self.retained.last()
    }

    /// How many event ids the profile remembers (every event applied).
    pub fn events_seen(&self) -> usize {
        self.seen.len() + self.seen_53.len()
    }

    /// Whether the event id was applied before.
    pub(crate) fn has_seen(&self, id: &str, hash: u128) -> bool {
        self.seen.binary_search(&hash).is_ok()
            || (!self.seen_53.is_empty() && self.seen_53.binary_search(&super::id_hash(id)).is_ok())
    }

    /// The profile as JSON (the shape `Engine::apply_json` and friends read).
    pub fn to_json(&self) -> String {
        let mut out = Vec::with_capacity(4096);
        self.write_json(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }

    /// Appends the profile's JSON ([`Profile::to_json`]) to `out`, so a caller writing many
    /// profiles (a table's `state` column) reuses one buffer.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let mark = out.len();
        if serde_json::to_writer(&mut *out, self).is_err() {
            // Writing to memory fails only on a map key that is not text, which a profile has not.
            out.truncate(mark);
        }
    }

    /// Reads a profile from JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`] for malformed JSON, [`ErrorKind::Validation`] for a wrong shape or a
    /// customer that breaks its invariants.
    pub fn from_json(text: &str) -> Result<Profile> {
        let profile = Profile::read(text, "profile")?;
        profile.live.customer.check()?;
        Ok(profile)
    }

    /// The profile in `text`, read straight into its types (no `serde_json::Value` in between):
    /// malformed JSON is a [`ErrorKind::Parse`] error at `path`, a wrong shape a
    /// [`ErrorKind::Validation`] one. The customer's invariants are the caller's to check.
    pub(crate) fn read(text: &str, path: &str) -> Result<Profile> {
        serde_json::from_str(text).map_err(|e| {
            if e.is_data() {
                Error::at(ErrorKind::Validation, path, e.to_string())
            } else {
                crate::error::json_parse_error(path, "profile JSON", &e)
            }
        })
    }

    /// Approximate bytes the profile holds in memory, heap included (for capacity planning).
    pub fn memory_bytes(&self) -> usize {
        std::mem::size_of::<Profile>()
            + self.live.heap_bytes()
            + self
                .base
                .as_ref()
                .map_or(0, |b| std::mem::size_of::<State>() + b.heap_bytes())
            + self
                .retained
                .iter()
                .map(|e| std::mem::size_of::<Event>() + event_heap(e))
                .sum::<usize>()
            + self.seen.capacity() * 16
            + self.seen_53.capacity() * 8
            + self.fingerprint.capacity()
    }
}

fn event_heap(e: &Event) -> usize {
    e.tenant_id.heap_bytes()
        + e.id.heap_bytes()
        + e.customer_id.heap_bytes()
        + e.kind.heap_bytes()
        + e.channel_id.as_ref().map_or(0, String::capacity)
        + e.channel_code.as_ref().map_or(0, String::capacity)
        + e.text.as_ref().map_or(0, String::capacity)
        + e.properties
            .iter()
            .map(|(k, v)| k.capacity() + 64 + v.to_string().len())
            .sum::<usize>()
}

impl State {
    /// Approximate heap bytes (strings, lists) of the state.
    fn heap_bytes(&self) -> usize {
        let c = &self.customer;
        let customer = c.tenant_id.heap_bytes()
            + c.id.heap_bytes()
            + c.stage.as_ref().map_or(0, String::capacity)
            + c.owner.as_ref().map_or(0, String::capacity)
            + c.tags.capacity() * std::mem::size_of::<crate::customer::AppliedTag>()
            + c.tags.iter().map(|t| t.tag_id.heap_bytes()).sum::<usize>()
            + c.identities.capacity() * std::mem::size_of::<crate::customer::Identity>()
            + c.attributes.len() * 96
            + c.touches.capacity() * std::mem::size_of::<crate::customer::Touch>()
            + c.followers.capacity() * std::mem::size_of::<crate::customer::Follower>();
        let lifecycle = self.lifecycle.history.capacity() * std::mem::size_of::<StageChange>()
            + self
                .lifecycle
                .history
                .iter()
                .map(|h| {
                    h.to.capacity()
                        + h.rule.capacity()
                        + h.reason.capacity()
                        + h.from.as_ref().map_or(0, String::capacity)
                })
                .sum::<usize>()
            + self.lifecycle.activity.capacity() * 16;
        let score = self.score.rules.capacity()
            * std::mem::size_of::<crate::scoring::state::RuleState>()
            + self
                .score
                .rules
                .iter()
                .map(|r| r.buckets.capacity() * 16 + r.entries.capacity() * 24)
                .sum::<usize>();
        let history = self.history.traces.capacity() * 24 + self.history.evicted.capacity() * 16;
        customer + lifecycle + score + history + self.fired.capacity() * 48
    }
}
