//! `Tagger`: the auto-tag rules of a playbook.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::condition::time;
use crate::{Playbook, json_text, json_value, run};

/// Who or what applied a tag: `{ kind: 'keyword', id: 'kw_price' }`, `{ kind: 'manual' }`.
#[napi(object)]
pub struct Provenance {
    /// "manual", "rule", "channel_code", "keyword", "behaviour", "condition", "import" or
    /// "pre_tag".
    pub kind: String,
    /// The id of the rule, for the kinds that have one.
    pub id: Option<String>,
}

impl From<&scrm_core::Provenance> for Provenance {
    fn from(p: &scrm_core::Provenance) -> Provenance {
        // The JSON form is the stable one (`{"kind": ..., "id": ...}`): read it rather than
        // repeat the variants here.
        let json = serde_json::to_value(p).unwrap_or_default();
        Provenance {
            kind: json["kind"].as_str().unwrap_or_default().to_owned(),
            id: json["id"].as_str().map(str::to_owned),
        }
    }
}

/// What a tagging call did to one tag of a customer.
#[napi(object)]
pub struct TagChange {
    /// The tag id.
    pub tag_id: String,
    /// Added, removed, or refreshed (already on; its expiry moved later).
    #[napi(ts_type = "'added' | 'removed' | 'refreshed'")]
    pub action: String,
    /// Who or what made the change (for a removal by an exclusive group: the provenance of the tag
    /// that replaced it).
    pub provenance: Provenance,
    /// Why, in words: `said "多少钱" in message (rule kw_price)`,
    /// `replaced by intent_high (exclusive group intent)`.
    pub reason: String,
}

impl From<&scrm_core::TagChange> for TagChange {
    fn from(c: &scrm_core::TagChange) -> TagChange {
        TagChange {
            tag_id: c.tag_id.to_string(),
            action: serde_json::to_value(c.action)
                .ok()
                .and_then(|a| a.as_str().map(str::to_owned))
                .unwrap_or_default(),
            provenance: Provenance::from(&c.provenance),
            reason: c.reason.clone(),
        }
    }
}

/// The outcome of a `Tagger` call (`onEvent`, `tag`, `untag`, `expire`, `applyPreTags`).
#[napi(object)]
pub struct TagEventResult {
    /// The customer as changed (the input is left as it was).
    #[napi(ts_type = "CustomerJson")]
    pub customer: serde_json::Value,
    /// What changed, each with its reason; empty when the event fired no rule.
    pub changes: Vec<TagChange>,
}

/// The tagging rules of one playbook, compiled once (tags interned, keywords built into one
/// automaton); reuse it for every event. Build one with `Tagger.fromPlaybook`.
#[napi]
pub struct Tagger {
    inner: scrm_core::Tagger,
}

#[napi]
impl Tagger {
    /// Compiles the taxonomy and the tagging rules of `playbook`.
    ///
    /// @throws {ScrmError} `code` "validation" listing every rule that names an unknown or
    /// ambiguous tag, has a bad duration, no keywords or codes, or a duplicate id.
    #[napi(factory)]
    pub fn from_playbook(env: Env, playbook: &Playbook) -> Result<Tagger> {
        run(&env, || scrm_core::Tagger::new(&playbook.inner)).map(|inner| Tagger { inner })
    }

    /// Runs the auto-tag rules (channel codes, keywords, behaviour, conditions) on one event of
    /// the customer. `history` is the customer's earlier events, for behaviour rules (it may
    /// include `event`: events count once per id). Customers and events are in the JSON shape of
    /// `docs/data-model.md`; applying the same event twice changes nothing.
    ///
    /// @throws {ScrmError} `code` "validation" naming each bad field (`customer.tags[0].tag_id`,
    /// `event.at`, `history[2].id`), or at `event` for an event of another customer or tenant;
    /// "parse" for a value that has no JSON form.
    #[napi(
        ts_args_type = "customer: CustomerJson, event: EventJson, history?: Array<EventJson> | undefined | null"
    )]
    pub fn on_event(
        &self,
        env: Env,
        customer: Unknown<'_>,
        event: Unknown<'_>,
        history: Option<Unknown<'_>>,
    ) -> Result<TagEventResult> {
        let customer = json_text(&env, customer, "customer")?;
        let event = json_text(&env, event, "event")?;
        let history = match history {
            Some(h) => json_text(&env, h, "history")?,
            None => "[]".to_owned(),
        };
        let done = run(&env, || {
            scrm_core::tag_event_json(&self.inner, &customer, &event, &history)
        })?;
        result(&env, done)
    }

    /// Applies the tag `tag` (an id or a display name) to the customer by hand at `at` (a `Date`
    /// or an RFC 3339 string), with provenance `manual`. In an exclusive group it replaces the
    /// sibling the customer carries; applying a tag already on changes nothing.
    ///
    /// @throws {ScrmError} `code` "validation" at `tag` for an unknown or ambiguous tag, at `at`
    /// for a time that is not a valid `Date` or RFC 3339 string, and naming each bad field of
    /// `customer`; "parse" for a value that has no JSON form.
    #[napi(ts_args_type = "customer: CustomerJson, tag: string, at: Date | string")]
    pub fn tag(
        &self,
        env: Env,
        customer: Unknown<'_>,
        tag: String,
        at: Unknown<'_>,
    ) -> Result<TagEventResult> {
        let at = time(&env, at, "at")?;
        let customer = json_text(&env, customer, "customer")?;
        let done = run(&env, || {
            scrm_core::tag_json(&self.inner, &customer, &tag, at)
        })?;
        result(&env, done)
    }

    /// Takes the tag `tag` (an id or a display name) off the customer by hand; taking off a tag
    /// the customer does not carry changes nothing.
    ///
    /// @throws {ScrmError} `code` "validation" at `tag` for an unknown or ambiguous tag, and naming
    /// each bad field of `customer`; "parse" for a value that has no JSON form.
    #[napi(ts_args_type = "customer: CustomerJson, tag: string")]
    pub fn untag(&self, env: Env, customer: Unknown<'_>, tag: String) -> Result<TagEventResult> {
        let customer = json_text(&env, customer, "customer")?;
        let done = run(&env, || scrm_core::untag_json(&self.inner, &customer, &tag))?;
        result(&env, done)
    }

    /// Takes off the tags whose expiry is at or before `now` (a `Date` or an RFC 3339 string).
    /// The clock is never read.
    ///
    /// @throws {ScrmError} `code` "validation" at `now` for a time that is not a valid `Date` or
    /// RFC 3339 string, and naming each bad field of `customer`; "parse" for a value that has no
    /// JSON form.
    #[napi(ts_args_type = "customer: CustomerJson, now: Date | string")]
    pub fn expire(
        &self,
        env: Env,
        customer: Unknown<'_>,
        now: Unknown<'_>,
    ) -> Result<TagEventResult> {
        let now = time(&env, now, "now")?;
        let customer = json_text(&env, customer, "customer")?;
        let done = run(&env, || scrm_core::expire_json(&self.inner, &customer, now))?;
        result(&env, done)
    }

    /// Applies the pre-tags (预打标) waiting for one of the customer's identities, e.g.
    /// `[{ identity: { kind: 'phone', value: '+8613800138000' }, tag: '门店扫码', at: '2026-02-20T00:00:00Z' }]`;
    /// pre-tags for identities the customer does not hold are left out.
    ///
    /// @throws {ScrmError} `code` "validation" naming each bad field (`pre_tags[0].at`, an unknown
    /// tag) and each bad field of `customer`; "parse" for a value that has no JSON form.
    #[napi(ts_args_type = "customer: CustomerJson, preTags: Array<PreTagJson>")]
    pub fn apply_pre_tags(
        &self,
        env: Env,
        customer: Unknown<'_>,
        pre_tags: Unknown<'_>,
    ) -> Result<TagEventResult> {
        let customer = json_text(&env, customer, "customer")?;
        let pre_tags = json_text(&env, pre_tags, "pre_tags")?;
        let done = run(&env, || {
            scrm_core::pre_tags_json(&self.inner, &customer, &pre_tags)
        })?;
        result(&env, done)
    }
}

/// The customer (JSON text) as changed and the changes, as JS values.
fn result(
    env: &Env,
    (customer, changes): (String, Vec<scrm_core::TagChange>),
) -> Result<TagEventResult> {
    Ok(TagEventResult {
        customer: json_value(env, &customer)?,
        changes: changes.iter().map(TagChange::from).collect(),
    })
}
