//! The engine (scoring, lifecycle, tasks and alerts) of a playbook, compiled once. Profiles (the
//! per-customer state) cross as JSON text in the shape of `docs/engine.md`: the host stores them
//! as they are. Effects, scores and the priority list come back as typed records; every call also
//! has a JSON twin (`applyJson`, ...) returning the core's whole document.

use std::sync::Arc;
use std::time::SystemTime;

use serde_json::Value;

use crate::convert::{event_in, events_in, utc_at};
use crate::effects::{Applied, PriorityItem, Score};
use crate::model::{Customer, Event};
use crate::{Playbook, ScrmError, guarded, run};

/// The engine of one playbook, compiled once (conditions parsed, keywords built into one
/// automaton, tags interned). Safe to share between threads.
#[derive(uniffi::Object)]
pub struct Engine {
    inner: scrm_core::Engine,
}

/// Reads a document the core just wrote.
pub(crate) fn document(text: &str) -> Result<Value, ScrmError> {
    serde_json::from_str(text).map_err(|e| ScrmError::Internal {
        detail: format!("the core wrote JSON the binding cannot read: {e}"),
        problems: Vec::new(),
    })
}

/// The profile and the effects of an `{"profile", "effects"}` document.
fn applied(text: &str) -> Result<Applied, ScrmError> {
    let mut doc = document(text)?;
    let effects: scrm_core::Effects =
        serde_json::from_value(doc["effects"].take()).map_err(|e| ScrmError::Internal {
            detail: format!("the core wrote effects the binding cannot read: {e}"),
            problems: Vec::new(),
        })?;
    Ok(Applied {
        profile_json: doc["profile"].to_string(),
        effects: (&effects).into(),
    })
}

#[uniffi::export]
impl Engine {
    /// Compiles the scoring, lifecycle and tagging sections of `playbook`.
    ///
    /// Throws `ScrmException.Validation` listing every problem (a rule naming an unknown tag or
    /// stage, a condition that does not compile), each at its playbook path.
    #[uniffi::constructor]
    pub fn new(playbook: Arc<Playbook>) -> Result<Arc<Engine>, ScrmError> {
        run(|| scrm_core::Engine::compile(&playbook.inner)).map(|inner| Arc::new(Engine { inner }))
    }

    /// The tenant id of the playbook.
    pub fn tenant_id(&self) -> String {
        self.inner.tenant_id().to_owned()
    }

    /// A new profile (JSON) around a typed customer: placed in its first stage, scored.
    ///
    /// Throws `ScrmException.Validation` at the customer's field at fault
    /// (`customer.identities[0].value`).
    pub fn new_profile(&self, customer: Customer) -> Result<String, ScrmError> {
        guarded(|| {
            let c = crate::convert::customer_in(&customer, "customer")?;
            Ok(self.inner.new_profile_json(&c.to_json())?)
        })
    }

    /// A new profile (JSON) around a customer given as JSON (`docs/data-model.md`).
    pub fn new_profile_json(&self, customer_json: String) -> Result<String, ScrmError> {
        run(|| self.inner.new_profile_json(&customer_json))
    }

    /// Applies one event to a profile at `now`: the per-request path of a rep app. `profile_json`
    /// is the stored profile, or null for a customer seen for the first time. Returns the new
    /// profile (store it) and what changed: tags, the score and why, stage moves, tasks and
    /// alerts for the owner. Replaying an event changes nothing (`effects.replayed`).
    ///
    /// Throws `ScrmException.Validation` at `event.<field>` or `profile.<field>`, and
    /// `ScrmException.Parse` when `profile_json` is not JSON.
    pub fn apply(
        &self,
        profile_json: Option<String>,
        event: Event,
        now: SystemTime,
    ) -> Result<Applied, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            let event = event_in(&event, "event")?.to_json();
            applied(
                &self
                    .inner
                    .apply_json(profile_json.as_deref(), &event, now)?,
            )
        })
    }

    /// The JSON twin of `apply`: the event as JSON; returns `{"profile": ..., "effects": ...}`.
    pub fn apply_json(
        &self,
        profile_json: Option<String>,
        event_json: String,
        now: SystemTime,
    ) -> Result<String, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            Ok(self
                .inner
                .apply_json(profile_json.as_deref(), &event_json, now)?)
        })
    }

    /// Folds a batch of events (a JSON list) over a JSON list of profiles (possibly `[]`), in
    /// time order per customer. Returns `{"profiles": [...], "report": {"applied", "replayed",
    /// "created", "refused": [...]}}`, the profiles given first, then the ones created.
    pub fn fold_json(
        &self,
        profiles_json: String,
        events_json: String,
    ) -> Result<String, ScrmError> {
        run(|| self.inner.fold_json(&profiles_json, &events_json))
    }

    /// The time-based checks at `now` (inactivity moves, decayed score, overdue tasks) of one
    /// profile; the clock is never read. Returns the new profile and what changed.
    pub fn tick(&self, profile_json: String, now: SystemTime) -> Result<Applied, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            applied(&self.inner.tick_json(&profile_json, now)?)
        })
    }

    /// The JSON twin of `tick`: returns `{"profile": ..., "effects": ...}`.
    pub fn tick_json(&self, profile_json: String, now: SystemTime) -> Result<String, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            Ok(self.inner.tick_json(&profile_json, now)?)
        })
    }

    /// The lead score of a profile at `now`, with where every point came from.
    pub fn score(&self, profile_json: String, now: SystemTime) -> Result<Score, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            let text = self.inner.score_json(&profile_json, now)?;
            let score: scrm_core::Score =
                serde_json::from_str(&text).map_err(|e| ScrmError::Internal {
                    detail: format!("the core wrote a score the binding cannot read: {e}"),
                    problems: Vec::new(),
                })?;
            Ok(Score::from(&score))
        })
    }

    /// What the pool rules need to know about a profile (`PoolFacts` of `docs/pool.md`, as
    /// JSON for `PoolRules.due` / `claimJson`): owner and since when, stage, last follow-up,
    /// open tasks and last activity, overall and per inactivity rule (for dormancy), each when
    /// known.
    pub fn pool_facts_json(&self, profile_json: String) -> Result<String, ScrmError> {
        guarded(|| Ok(self.inner.pool_facts_json(&profile_json)?))
    }

    /// The JSON twin of `score`: the score document of `docs/scoring.md`.
    pub fn score_json(&self, profile_json: String, now: SystemTime) -> Result<String, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            Ok(self.inner.score_json(&profile_json, now)?)
        })
    }

    /// Recomputes a profile from the customer's full history (after a playbook change). Returns
    /// the new profile and what changed.
    ///
    /// Throws `ScrmException.Validation` at `history[i].<field>` for a bad event.
    pub fn rescore(
        &self,
        profile_json: String,
        history: Vec<Event>,
        now: SystemTime,
    ) -> Result<Applied, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            let history: Vec<scrm_core::Event> = events_in(&history, "history")?;
            let history = serde_json::to_string(&history).map_err(|e| ScrmError::Internal {
                detail: format!("cannot write the history: {e}"),
                problems: Vec::new(),
            })?;
            applied(&self.inner.rescore_json(&profile_json, &history, now)?)
        })
    }

    /// The JSON twin of `rescore`: the history as a JSON list of events; returns
    /// `{"profile": ..., "effects": ...}`.
    pub fn rescore_json(
        &self,
        profile_json: String,
        history_json: String,
        now: SystemTime,
    ) -> Result<String, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            Ok(self.inner.rescore_json(&profile_json, &history_json, now)?)
        })
    }

    /// Today's call list of one owner (跟进优先级): the owner's customers among `profiles_json`
    /// (a JSON list of profiles), highest priority first, each with the reason in words.
    pub fn priority_list(
        &self,
        owner: String,
        profiles_json: String,
        now: SystemTime,
    ) -> Result<Vec<PriorityItem>, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            let text = self.inner.priority_list_json(&owner, &profiles_json, now)?;
            let items: Vec<scrm_core::PriorityItem> =
                serde_json::from_str(&text).map_err(|e| ScrmError::Internal {
                    detail: format!("the core wrote a priority list the binding cannot read: {e}"),
                    problems: Vec::new(),
                })?;
            Ok(items
                .iter()
                .enumerate()
                .map(|(i, item)| PriorityItem::ranked(i, item))
                .collect())
        })
    }

    /// The JSON twin of `priorityList`: a JSON list of `{customer_id, priority, intent, urgency,
    /// value, reason}`.
    pub fn priority_list_json(
        &self,
        owner: String,
        profiles_json: String,
        now: SystemTime,
    ) -> Result<String, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            Ok(self.inner.priority_list_json(&owner, &profiles_json, now)?)
        })
    }

    /// RFM scores of a JSON list of profiles at `now`; `mode` is "binary" or "quintiles". A JSON
    /// list of `{customer_id, r, f, m, segment?, ...}` in input order.
    ///
    /// Throws `ScrmException.Validation` at `mode` for another mode.
    pub fn rfm_json(
        &self,
        profiles_json: String,
        now: SystemTime,
        mode: String,
    ) -> Result<String, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            Ok(self.inner.rfm_json(&profiles_json, now, &mode)?)
        })
    }
}
