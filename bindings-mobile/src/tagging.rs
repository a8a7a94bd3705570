//! Auto-tagging. Customers and events cross as typed records (`onEvent`, `tag`, ...) or, as the
//! escape hatch, as JSON strings in the shapes of `docs/data-model.md` (`onEventJson`, ...); the
//! changes come back as typed records either way.

use std::sync::Arc;
use std::time::SystemTime;

use crate::convert::{ToCore, customer_in, event_in, events_in, utc_at};
use crate::model::{Customer, Event, PreTag};
use crate::records::{TagEventResult, TagResult};
use crate::{Playbook, ScrmError, guarded, run};

/// The auto-tag rules of one playbook, compiled once (tags interned, keywords built into one
/// automaton). Safe to share between threads.
#[derive(uniffi::Object)]
pub struct Tagger {
    inner: scrm_core::Tagger,
}

#[uniffi::export]
impl Tagger {
    /// Compiles the taxonomy and tagging rules of `playbook`.
    ///
    /// Throws `ScrmException.Validation` listing every rule that names an unknown or ambiguous
    /// tag, has a bad duration, no keywords or codes, or a duplicate id.
    #[uniffi::constructor]
    pub fn new(playbook: Arc<Playbook>) -> Result<Arc<Tagger>, ScrmError> {
        run(|| scrm_core::Tagger::new(&playbook.inner)).map(|inner| Arc::new(Tagger { inner }))
    }

    /// Runs the auto-tag rules on one event of a customer.
    ///
    /// `customer_json` is the customer and `event_json` the event, `history_json` a JSON list of
    /// the customer's earlier events (default `[]`), all in the shapes of `docs/data-model.md`.
    /// Returns the customer as changed, as JSON, and the changes, each with its reason. Replaying
    /// an event changes nothing.
    ///
    /// Throws `ScrmException.Parse` when a text is not JSON and `ScrmException.Validation` at
    /// the field at fault (`customer.identities[0].value`, `event`, `history[3].at`).
    #[uniffi::method(default(history_json = "[]"))]
    pub fn on_event_json(
        &self,
        customer_json: String,
        event_json: String,
        history_json: String,
    ) -> Result<TagResult, ScrmError> {
        run(|| scrm_core::tag_event_json(&self.inner, &customer_json, &event_json, &history_json))
            .map(TagResult::from)
    }

    /// Applies a tag by hand (provenance `manual`) at `at`. `tag` is a tag id or display name
    /// (resolved as conditions resolve them); in an exclusive group it replaces the sibling.
    /// Tagging again what is already on changes nothing.
    ///
    /// Throws `ScrmException.Parse` when the customer is not JSON, `ScrmException.Validation` at
    /// `tag` for an unknown or ambiguous tag, at the customer's field at fault, and at `at` for a
    /// time out of range.
    pub fn tag_json(
        &self,
        customer_json: String,
        tag: String,
        at: SystemTime,
    ) -> Result<TagResult, ScrmError> {
        let at = utc_at(at, "at")?;
        run(|| scrm_core::tag_json(&self.inner, &customer_json, &tag, at)).map(TagResult::from)
    }

    /// Takes a tag (id or display name) off by hand; no change when the customer does not carry
    /// it. Throws as `tagJson` does.
    pub fn untag_json(&self, customer_json: String, tag: String) -> Result<TagResult, ScrmError> {
        run(|| scrm_core::untag_json(&self.inner, &customer_json, &tag)).map(TagResult::from)
    }

    /// Takes off the tags whose expiry is at or before `now`; the clock is never read.
    ///
    /// Throws `ScrmException.Parse` or `ScrmException.Validation` for a bad customer, and
    /// `ScrmException.Validation` at `now` for a time out of range.
    pub fn expire_json(
        &self,
        customer_json: String,
        now: SystemTime,
    ) -> Result<TagResult, ScrmError> {
        let now = utc_at(now, "now")?;
        run(|| scrm_core::expire_json(&self.inner, &customer_json, now)).map(TagResult::from)
    }

    /// Applies the pre-tags (预打标) waiting for the customer's identities: `pre_tags_json` is a
    /// JSON list of `{"identity": {...}, "tag": "...", "at": "..."}`; those whose identity the
    /// customer has are applied with provenance `pre_tag`, the others ignored.
    ///
    /// Throws `ScrmException.Parse` when a text is not JSON and `ScrmException.Validation` at the
    /// field at fault (`pre_tags[0].tag`, `customer.identities[0].value`).
    pub fn apply_pre_tags_json(
        &self,
        customer_json: String,
        pre_tags_json: String,
    ) -> Result<TagResult, ScrmError> {
        run(|| scrm_core::pre_tags_json(&self.inner, &customer_json, &pre_tags_json))
            .map(TagResult::from)
    }

    /// Runs the auto-tag rules on one event of a customer: the typed form of `onEventJson`.
    ///
    /// `history` is the customer's earlier events (default empty). Returns the customer as
    /// changed and the changes, each with its reason. Replaying an event changes nothing.
    ///
    /// Throws `ScrmException.Validation` at the field at fault (`customer.identities[0].value`,
    /// `event.platform`, `history[3].at`), and at `event` for an event of another customer or
    /// tenant.
    #[uniffi::method(default(history = []))]
    pub fn on_event(
        &self,
        customer: Customer,
        event: Event,
        history: Vec<Event>,
    ) -> Result<TagEventResult, ScrmError> {
        guarded(|| {
            let mut c = customer_in(&customer, "customer")?;
            let event = event_in(&event, "event")?;
            let history = events_in(&history, "history")?;
            let changes = self.inner.on_event(&mut c, &event, &history)?;
            Ok(TagEventResult::from((c, changes)))
        })
    }

    /// Applies a tag (id or display name) by hand at `at`, provenance `manual`: the typed form of
    /// `tagJson`. Throws `ScrmException.Validation` at `tag` for an unknown or ambiguous tag, and
    /// at the customer's field at fault.
    pub fn tag(
        &self,
        customer: Customer,
        tag: String,
        at: SystemTime,
    ) -> Result<TagEventResult, ScrmError> {
        guarded(|| {
            let at = utc_at(at, "at")?;
            let mut c = customer_in(&customer, "customer")?;
            let changes = self
                .inner
                .tag(&mut c, &tag, scrm_core::Provenance::Manual, at)?;
            Ok(TagEventResult::from((c, changes)))
        })
    }

    /// Takes a tag (id or display name) off by hand; no change when the customer does not carry
    /// it. Throws as `tag` does.
    pub fn untag(&self, customer: Customer, tag: String) -> Result<TagEventResult, ScrmError> {
        guarded(|| {
            let mut c = customer_in(&customer, "customer")?;
            let changes = self
                .inner
                .untag(&mut c, &tag, scrm_core::Provenance::Manual)?;
            Ok(TagEventResult::from((c, changes)))
        })
    }

    /// Takes off the tags whose expiry is at or before `now`; the clock is never read.
    pub fn expire(&self, customer: Customer, now: SystemTime) -> Result<TagEventResult, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            let mut c = customer_in(&customer, "customer")?;
            let changes = self.inner.expire(&mut c, now);
            Ok(TagEventResult::from((c, changes)))
        })
    }

    /// Applies the pre-tags (预打标) waiting for the customer's identities, provenance `pre_tag`;
    /// the others are ignored. Throws `ScrmException.Validation` at the field at fault
    /// (`pre_tags[0].tag`, `pre_tags[1].identity.kind`).
    pub fn apply_pre_tags(
        &self,
        customer: Customer,
        pre_tags: Vec<PreTag>,
    ) -> Result<TagEventResult, ScrmError> {
        guarded(|| {
            let mut c = customer_in(&customer, "customer")?;
            let mut problems = crate::convert::Problems::default();
            let pre_tags: Vec<scrm_core::PreTag> = pre_tags
                .iter()
                .enumerate()
                .map(|(i, t)| t.to_core(&format!("pre_tags[{i}]"), &mut problems))
                .collect();
            let pre_tags = problems.finish(pre_tags)?;
            let changes = self.inner.apply_pre_tags(&mut c, &pre_tags)?;
            Ok(TagEventResult::from((c, changes)))
        })
    }
}
