//! `scrm.Engine`: tags, lead score and lifecycle stage of customers, event by event or in batches.

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::convert::utc_time;
use crate::documents::{call, encode, encode_list, encode_optional};
use crate::playbook::Playbook;
use crate::run;

/// A playbook's engine (规则引擎): its tagging, scoring and lifecycle rules compiled once.
///
/// State lives in profiles: plain dicts (the customer, its score state and lifecycle history, in
/// the shapes of docs/engine.md) that you keep and pass back. Times in them are aware
/// `datetime`s, scores `Decimal`s. An engine is immutable and may be shared between threads;
/// every call releases the GIL while the core works.
///
/// ```python
/// engine = scrm.Engine(playbook)
/// profile, effects = engine.apply(None, event, now)    # None: a customer seen for the first time
/// engine.score(profile, now)["score"]                  # Decimal('4')
/// ```
#[pyclass(module = "scrm", frozen)]
pub struct Engine {
    inner: scrm_core::Engine,
}

#[pymethods]
impl Engine {
    /// Compiles the engine of `playbook`. Raises `ValidationError` if its rules do not compile.
    #[new]
    fn new(py: Python<'_>, playbook: &Bound<'_, Playbook>) -> PyResult<Engine> {
        let playbook = playbook.get();
        run(py, || scrm_core::Engine::compile(&playbook.inner)).map(|inner| Engine { inner })
    }

    /// The tenant id of the playbook this engine was compiled from.
    #[getter]
    fn tenant_id(&self) -> &str {
        self.inner.tenant_id()
    }

    /// A new profile (a dict) around `customer`, a customer dict of docs/data-model.md.
    ///
    /// Raises `ValidationError` at its path (`customer.tags[0].tag_id`) for a bad customer.
    fn new_profile<'py>(&self, customer: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = customer.py();
        let customer = encode(customer, "customer")?;
        call(py, || self.inner.new_profile_json(&customer))
    }

    /// Applies one event to a profile at `now` (an aware `datetime`; a naive one raises
    /// `ValueError`): auto-tags, score, thresholds, stage rules.
    ///
    /// `profile` is a profile dict, or None for a customer seen for the first time (created at
    /// the event's time). Returns `(profile, effects)`: the profile as changed (a new dict) and
    /// what changed and why (`tags`, `score`, `stages`, `thresholds`, `tasks`, `alerts`, `pool`
    /// (the reclaim clock, when it moved), `suppressed` (for want of the contact consent),
    /// `replayed`, `refolded`). Replaying an event changes nothing; a late event refolds.
    ///
    /// Raises `ValidationError` at its path (`event.at`, `profile.live.customer.id`).
    fn apply<'py>(
        &self,
        profile: Option<&Bound<'py, PyAny>>,
        event: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let py = event.py();
        let now = utc_time(now, "now")?;
        let profile = encode_optional(profile, "profile")?;
        let event = encode(event, "event")?;
        changed(
            py,
            call(py, || {
                self.inner.apply_json(profile.as_deref(), &event, now)
            })?,
        )
    }

    /// Folds a batch of events into many profiles in one call (the GIL released meanwhile).
    ///
    /// `profiles` is a list of profile dicts (possibly empty), `events` a list of event dicts
    /// for any of them, in any order. Returns `(profiles, report)`: the profiles in input order
    /// followed by the ones created, and `{"events", "applied", "replayed", "created",
    /// "refused"?}` (`refused` lists the events not applied, with why, when there are any).
    /// The result is the same as applying the events one by one in time order.
    ///
    /// Raises `ValidationError` at its path (`profiles[2]`, `events[5].at`).
    fn fold<'py>(
        &self,
        profiles: &Bound<'py, PyAny>,
        events: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let py = events.py();
        let profiles = encode(profiles, "profiles")?;
        let events = encode(events, "events")?;
        let out = call(py, || self.inner.fold_json(&profiles, &events))?;
        PyTuple::new(py, [out.get_item("profiles")?, out.get_item("report")?])
    }

    /// The time-based check of a profile at `now`: decay, idle stage rules, expiring tags.
    ///
    /// Returns `(profile, effects)` as `apply` does.
    fn tick<'py>(
        &self,
        profile: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let py = profile.py();
        let now = utc_time(now, "now")?;
        let profile = encode(profile, "profile")?;
        changed(py, call(py, || self.inner.tick_json(&profile, now))?)
    }

    /// The lead score of a profile at `now`, with its explanation: a dict with `score`,
    /// `engagement`, `fit`, `social` (Decimals), `grade` and `explanation` (each rule, group,
    /// fit rule and social source with its points).
    fn score<'py>(
        &self,
        profile: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = profile.py();
        let now = utc_time(now, "now")?;
        let profile = encode(profile, "profile")?;
        call(py, || self.inner.score_json(&profile, now))
    }

    /// What the pool rules need to know about a profile, as a dict for `Pool.due` and
    /// `Pool.claim`: `customer_id`, `owner` (`id`, `since`), `stage`, `last_follow_up`,
    /// `open_tasks`, `last_activity` and `last_activity_by_rule` (for dormancy), each present
    /// when known.
    fn pool_facts<'py>(&self, profile: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let py = profile.py();
        let profile = encode(profile, "profile")?;
        call(py, || self.inner.pool_facts_json(&profile))
    }

    /// Re-scores a profile from the customer's full `history` (a list of events), e.g. after the
    /// playbook's scoring rules changed. Returns `(profile, effects)` as `apply` does.
    fn rescore<'py>(
        &self,
        profile: &Bound<'py, PyAny>,
        history: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let py = profile.py();
        let now = utc_time(now, "now")?;
        let profile = encode(profile, "profile")?;
        let history = encode(history, "history")?;
        changed(
            py,
            call(py, || self.inner.rescore_json(&profile, &history, now))?,
        )
    }

    /// The follow-up list of `owner` (an employee id) at `now`: one dict per customer they own,
    /// highest priority first, with `priority`, `intent`, `urgency`, `value` (Decimals) and the
    /// `reason` in words.
    fn priority_list<'py>(
        &self,
        owner: &str,
        profiles: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = profiles.py();
        let now = utc_time(now, "now")?;
        let profiles = encode(profiles, "profiles")?;
        call(py, || self.inner.priority_list_json(owner, &profiles, now))
    }

    /// The RFM scores of `profiles` at `now`, in input order: dicts `{"customer_id", "r", "f",
    /// "m", "segment"?}`. `mode` is "binary" (with a segment name) or "quintiles"; another
    /// raises `ValidationError` at `mode`.
    #[pyo3(signature = (profiles, now, mode = "binary"))]
    fn rfm<'py>(
        &self,
        profiles: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
        mode: &str,
    ) -> PyResult<Bound<'py, PyAny>> {
        let py = profiles.py();
        let now = utc_time(now, "now")?;
        let profiles = encode_list(Some(profiles), "profiles")?;
        call(py, || self.inner.rfm_json(&profiles, now, mode))
    }

    fn __repr__(&self) -> String {
        format!("Engine(tenant_id={:?})", self.inner.tenant_id())
    }
}

/// The `(profile, effects)` tuple of `{"profile", "effects"}`.
fn changed<'py>(py: Python<'py>, out: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, [out.get_item("profile")?, out.get_item("effects")?])
}
