//! `Engine`: a playbook's tagging, scoring and lifecycle rules compiled once, applied to
//! per-customer profiles.

use std::sync::Arc;

use napi::ScopedTask;
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::condition::time;
use crate::{Playbook, document, json_text, optional_json, parse_json, rejection, run};

/// The rules of one playbook compiled once (tags interned, keywords in one automaton, every
/// condition parsed): apply events to a customer's `ProfileJson` on the request path, or fold
/// batches of events over many profiles. Build one with `Engine.fromPlaybook` and reuse it for
/// every request. See `docs/engine.md`.
///
/// Profiles are plain JSON-safe objects (times in microseconds, trace hashes in 53 bits): store them
/// as they are (a document database, Redis) and pass them back on the next event.
#[napi]
pub struct Engine {
    // Shared with the worker threads of `foldAsync`.
    inner: Arc<scrm_core::Engine>,
}

#[napi]
impl Engine {
    /// Compiles the taxonomy, tagging, scoring and lifecycle rules of `playbook`.
    ///
    /// @throws {ScrmError} `code` "validation" listing every rule that does not compile, each at
    /// its path (`scoring.rules[3].when`).
    #[napi(factory)]
    pub fn from_playbook(env: Env, playbook: &Playbook) -> Result<Engine> {
        run(&env, || scrm_core::Engine::compile(&playbook.inner)).map(|inner| Engine {
            inner: Arc::new(inner),
        })
    }

    /// The tenant whose rules these are; events of other tenants are refused.
    #[napi(getter)]
    pub fn tenant_id(&self) -> String {
        self.inner.tenant_id().to_owned()
    }

    /// A new profile around `customer` (the Customer shape of `docs/data-model.md`: its tags,
    /// stage, owner and attributes are kept).
    ///
    /// @throws {ScrmError} `code` "validation" at `customer` (a missing or mistyped field) or at
    /// the bad field within it; "parse" for a value that has no JSON form.
    #[napi(
        ts_args_type = "customer: CustomerJson",
        ts_return_type = "ProfileJson"
    )]
    pub fn new_profile<'env>(
        &self,
        env: &'env Env,
        customer: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let customer = json_text(env, customer, "customer")?;
        document(env, || self.inner.new_profile_json(&customer))
    }

    /// Applies one event to a customer's profile: auto-tags, scores, checks thresholds and moves
    /// the stage, in that order. `profile` is `null` for a customer seen for the first time
    /// (created at the event's time). `now` (a `Date` or an RFC 3339 string) only dates the
    /// reported score; the clock is never read. Applying the same event id again changes nothing
    /// (`effects.replayed`); a late event within `engine.lateness` is folded in at its place in
    /// time (`effects.refolded`).
    ///
    /// @throws {ScrmError} `code` "validation" at `now`, naming each bad field of `profile` and
    /// `event` (`event.at` for an event later than the lateness bound allows, `profile` for one
    /// folded under other rules: see `rescore`); "parse" for a value that has no JSON form.
    #[napi(
        ts_args_type = "profile: ProfileJson | null | undefined, event: EventJson, now: Date | string",
        ts_return_type = "ProfileChange"
    )]
    pub fn apply<'env>(
        &self,
        env: &'env Env,
        profile: Option<Unknown<'_>>,
        event: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let now = time(env, now, "now")?;
        let profile = optional_json(env, profile, "profile")?;
        let event = json_text(env, event, "event")?;
        document(env, || {
            self.inner.apply_json(profile.as_deref(), &event, now)
        })
    }

    /// Folds a batch of events over many profiles (a pipeline, an import): each customer's events
    /// are sorted by time first, so the result is the same as applying them one by one in order.
    /// New customers get a profile. Events that cannot apply are listed in `report.refused`; the
    /// others apply.
    ///
    /// @throws {ScrmError} `code` "validation" naming each bad profile (`profiles[2]`) and
    /// event; "parse" for a value that has no JSON form.
    #[napi(
        ts_args_type = "profiles: Array<ProfileJson>, events: Array<EventJson>",
        ts_return_type = "FoldResult"
    )]
    pub fn fold<'env>(
        &self,
        env: &'env Env,
        profiles: Unknown<'_>,
        events: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let profiles = json_text(env, profiles, "profiles")?;
        let events = json_text(env, events, "events")?;
        document(env, || self.inner.fold_json(&profiles, &events))
    }

    /// `fold` on a worker thread of libuv's pool, so a big batch (an import, a nightly job)
    /// does not block the event loop: the inputs are written as JSON here, read and folded there.
    /// The promise resolves to what `fold` returns and rejects with the same errors.
    #[napi(
        ts_args_type = "profiles: Array<ProfileJson>, events: Array<EventJson>",
        ts_return_type = "Promise<FoldResult>"
    )]
    pub fn fold_async(
        &self,
        env: Env,
        profiles: Unknown<'_>,
        events: Unknown<'_>,
    ) -> Result<AsyncTask<Fold>> {
        Ok(AsyncTask::new(Fold {
            engine: Arc::clone(&self.inner),
            profiles: json_text(&env, profiles, "profiles")?,
            events: json_text(&env, events, "events")?,
        }))
    }

    /// The time-based check at `now` (a `Date` or an RFC 3339 string): tag expiry and dormancy.
    /// Run it daily; the clock is never read.
    ///
    /// @throws {ScrmError} `code` "validation" at `now` and naming each bad field of `profile`.
    #[napi(
        ts_args_type = "profile: ProfileJson, now: Date | string",
        ts_return_type = "ProfileChange"
    )]
    pub fn tick<'env>(
        &self,
        env: &'env Env,
        profile: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let now = time(env, now, "now")?;
        let profile = json_text(env, profile, "profile")?;
        document(env, || self.inner.tick_json(&profile, now))
    }

    /// The lead score at `now` (a `Date` or an RFC 3339 string) with its explanation: every
    /// rule's points, caps and decay, the fit grade, the social value. Points are decimal strings.
    ///
    /// @throws {ScrmError} `code` "validation" at `now` and naming each bad field of `profile`.
    #[napi(
        ts_args_type = "profile: ProfileJson, now: Date | string",
        ts_return_type = "Score"
    )]
    pub fn score<'env>(
        &self,
        env: &'env Env,
        profile: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let now = time(env, now, "now")?;
        let profile = json_text(env, profile, "profile")?;
        document(env, || self.inner.score_json(&profile, now))
    }

    /// What `Pool.due` and `Pool.claim` need to know about a profile: owner and since when,
    /// stage, last follow-up, open tasks and last activity (for dormancy), each when known.
    ///
    /// @throws {ScrmError} `code` "validation" naming each bad field of `profile`.
    #[napi(
        ts_args_type = "profile: ProfileJson",
        ts_return_type = "PoolFactsJson"
    )]
    pub fn pool_facts<'env>(&self, env: &'env Env, profile: Unknown<'_>) -> Result<Unknown<'env>> {
        let profile = json_text(env, profile, "profile")?;
        document(env, || self.inner.pool_facts_json(&profile))
    }

    /// Rebuilds a profile under these rules from the customer's full `history` (after a playbook
    /// edit, when `apply` refuses a profile folded under other rules). The customer's own fields
    /// (attributes, owner, consents) are kept.
    ///
    /// @throws {ScrmError} `code` "validation" at `now` and naming each bad field of `profile`
    /// and `history` (`history[3].tenant_id`).
    #[napi(
        ts_args_type = "profile: ProfileJson, history: Array<EventJson>, now: Date | string",
        ts_return_type = "ProfileChange"
    )]
    pub fn rescore<'env>(
        &self,
        env: &'env Env,
        profile: Unknown<'_>,
        history: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let now = time(env, now, "now")?;
        let profile = json_text(env, profile, "profile")?;
        let history = json_text(env, history, "history")?;
        document(env, || self.inner.rescore_json(&profile, &history, now))
    }

    /// The follow-up list (跟进优先级) of the employee `owner` at `now`: their customers among
    /// `profiles`, highest priority first, each with the reason.
    ///
    /// @throws {ScrmError} `code` "validation" at `now` and naming each bad field of `profiles`.
    #[napi(
        ts_args_type = "owner: string, profiles: Array<ProfileJson>, now: Date | string",
        ts_return_type = "Array<PriorityItem>"
    )]
    pub fn priority_list<'env>(
        &self,
        env: &'env Env,
        owner: String,
        profiles: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<Unknown<'env>> {
        let now = time(env, now, "now")?;
        let profiles = json_text(env, profiles, "profiles")?;
        document(env, || {
            self.inner.priority_list_json(&owner, &profiles, now)
        })
    }

    /// The RFM scores (recency, frequency, monetary) of `profiles` at `now`, in input order:
    /// `mode` "binary" (the default: high or low against the playbook's thresholds, with a
    /// segment such as "重要价值客户") or "quintiles" (1 to 5 within these profiles).
    ///
    /// @throws {ScrmError} `code` "validation" at `now`, at `mode` for another mode, and naming
    /// each bad field of `profiles`.
    #[napi(
        ts_args_type = "profiles: Array<ProfileJson>, now: Date | string, mode?: RfmMode | undefined | null",
        ts_return_type = "Array<RfmScore>"
    )]
    pub fn rfm<'env>(
        &self,
        env: &'env Env,
        profiles: Unknown<'_>,
        now: Unknown<'_>,
        mode: Option<String>,
    ) -> Result<Unknown<'env>> {
        let now = time(env, now, "now")?;
        let profiles = json_text(env, profiles, "profiles")?;
        let mode = mode.unwrap_or_else(|| "binary".to_owned());
        document(env, || self.inner.rfm_json(&profiles, now, &mode))
    }
}

/// The work of `Engine.foldAsync`: everything but writing the inputs as JSON and reading the
/// output back runs off the main thread.
pub struct Fold {
    engine: Arc<scrm_core::Engine>,
    profiles: String,
    events: String,
}

impl<'task> ScopedTask<'task> for Fold {
    type Output = scrm_core::Result<String>;
    type JsValue = Unknown<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(scrm_core::catch_panic(|| {
            self.engine.fold_json(&self.profiles, &self.events)
        }))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        output
            .map_err(|e| rejection(env, &e))
            .and_then(|text| parse_json(env, text))
    }
}
