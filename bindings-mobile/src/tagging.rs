//! Auto-tagging. Customers and events cross as JSON strings in the shapes of `docs/data-model.md`
//! for now; the changes come back as typed records.

use std::sync::Arc;

use crate::records::TagResult;
use crate::{Playbook, ScrmError, run};

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
}
