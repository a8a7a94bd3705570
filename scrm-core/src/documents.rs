//! The document interface: the same operations as the typed API, taking and returning JSON
//! text in the shapes of `docs/data-model.md`.
//!
//! Bindings call these so that Python dicts, JavaScript objects and Kotlin strings cross the
//! boundary in one well-tested way, and every binding reads bad input with the same error: the
//! kind plus the path of the field at fault (`customers[2].identities[0].value`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::error::{Error, ErrorKind, Problem, Result};
use std::collections::HashMap;

use crate::{
    Account, Aliases, CompiledCondition, Customer, CustomerFacts, DecisionChain, Event,
    MergePolicy, Number, PreTag, Provenance, Segment, TagChange, Tagger, merge, resolve,
};

/// Reads a JSON document of type `T`; `what` names it in errors (`customers`, `event`).
fn read<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| crate::error::json_parse_error(what, "JSON", &e))?;
    read_value(value, what)
}

fn read_value<T: DeserializeOwned>(value: serde_json::Value, what: &str) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::at(ErrorKind::Validation, what, e.to_string()))
}

fn write<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// Reads one customer and checks it (identities in normal form, finite numbers).
fn customer(text: &str, what: &str) -> Result<Customer> {
    let c: Customer = read(text, what)?;
    c.check().map_err(|e| prefixed(e, what))?;
    Ok(c)
}

/// Reads a list of customers, each checked, problems prefixed by `customers[i]`.
fn customers(text: &str) -> Result<Vec<Customer>> {
    let values: Vec<serde_json::Value> = read(text, "customers")?;
    let mut out = Vec::with_capacity(values.len());
    let mut problems = Vec::new();
    for (i, v) in values.into_iter().enumerate() {
        let at = format!("customers[{i}]");
        match read_value::<Customer>(v, &at)
            .and_then(|c| c.check().map(|()| c).map_err(|e| prefixed(e, &at)))
        {
            Ok(c) => out.push(c),
            Err(e) => problems.extend(e.problems().iter().cloned()),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(Error::with_problems(ErrorKind::Validation, problems))
    }
}

fn events(text: &str, what: &str) -> Result<Vec<Event>> {
    let events: Vec<Event> = read(text, what)?;
    for (i, e) in events.iter().enumerate() {
        e.check()
            .map_err(|err| prefixed(err, &format!("{what}[{i}]")))?;
    }
    Ok(events)
}

pub(crate) fn prefixed(error: Error, at: &str) -> Error {
    let problems = error
        .problems()
        .iter()
        .map(|p| Problem::new(crate::playbook::path_field(at, &p.path), p.message.clone()))
        .collect();
    Error::with_problems(error.kind(), problems)
}

/// Resolves identities over a JSON list of customers: the clusters of customer ids that are one
/// person (see [`resolve`]), each sorted, clusters in the order [`resolve`] gives.
pub fn resolve_json(customers_json: &str) -> Result<Vec<Vec<String>>> {
    let list = customers(customers_json)?;
    let resolution = resolve(&list);
    Ok(resolution
        .clusters()
        .map(|cluster| {
            let mut ids: Vec<String> = cluster.iter().map(|&i| list[i].id.to_string()).collect();
            ids.sort();
            ids
        })
        .collect())
}

/// Resolves customer ids through the alias records of a JSON list of customers (see
/// [`Aliases`]): each id of `ids` becomes the id of the customer it was merged into, following
/// merges of merges; an id never merged away comes back as it is. Refuses customers of more than
/// one tenant.
pub fn resolve_aliases_json(customers_json: &str, ids: &[String]) -> Result<Vec<String>> {
    let list = customers(customers_json)?;
    Ok(Aliases::from_customers(&list)?.resolve_ids(ids))
}

/// Merges a JSON list of customers (one person) under a JSON [`MergePolicy`] (`None`: the
/// default) and returns the merged customer as JSON (see [`merge`]).
pub fn merge_json(customers_json: &str, policy_json: Option<&str>) -> Result<String> {
    let list = customers(customers_json)?;
    let policy: MergePolicy = match policy_json {
        Some(text) => read(text, "policy")?,
        None => MergePolicy::default(),
    };
    Ok(merge(&list, &policy)?.customer.to_json())
}

/// Runs the auto-tag rules on one event: returns the customer as changed and the changes.
/// `history_json` is the customer's earlier events (a JSON list, possibly empty).
pub fn tag_event_json(
    tagger: &Tagger,
    customer_json: &str,
    event_json: &str,
    history_json: &str,
) -> Result<(String, Vec<TagChange>)> {
    let mut c = customer(customer_json, "customer")?;
    let event: Event = read(event_json, "event")?;
    event.check().map_err(|e| prefixed(e, "event"))?;
    let history = events(history_json, "history")?;
    let changes = tagger.on_event(&mut c, &event, &history)?;
    Ok((c.to_json(), changes))
}

/// The changes as a JSON list.
pub fn changes_json(changes: &[TagChange]) -> String {
    write(&changes)
}

/// Evaluates a compiled condition for a JSON customer with their JSON event history at `now`,
/// with the score the engine computed, if any (a decimal string such as `"72.5"`).
pub fn evaluate_json(
    condition: &CompiledCondition,
    customer_json: &str,
    history_json: &str,
    score: Option<&str>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let c = customer(customer_json, "customer")?;
    let history = events(history_json, "history")?;
    let mut facts = CustomerFacts::checked(&c, &history, now, "history")?;
    if let Some(score) = score {
        let n: Number = score.parse().map_err(|_| {
            Error::at(
                ErrorKind::Validation,
                "score",
                format!("invalid score {score:?}, expected a decimal number"),
            )
        })?;
        facts = facts.with_score(n);
    }
    Ok(condition.evaluate(&facts, now))
}

/// Reads an RFC 3339 time, naming `what` in the error.
pub fn parse_time(text: &str, what: &str) -> Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            Error::at(
                ErrorKind::Validation,
                what,
                format!(
                    "invalid time {text:?}: {e}; expected RFC 3339 like \"2026-03-15T02:00:00Z\""
                ),
            )
        })
}

/// The ids of the customers of a JSON list that are in `segment` at `now`, in input order.
/// `histories_json`, when given, is a JSON object from customer id to that customer's events;
/// `scores_json` an object from customer id to a decimal string score.
pub fn segment_members_json(
    segment: &Segment,
    customers_json: &str,
    histories_json: Option<&str>,
    scores_json: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let list = customers(customers_json)?;
    let histories: HashMap<String, Vec<Event>> = match histories_json {
        Some(text) => read(text, "histories")?,
        None => HashMap::new(),
    };
    let scores: HashMap<String, String> = match scores_json {
        Some(text) => read(text, "scores")?,
        None => HashMap::new(),
    };
    let mut members = Vec::new();
    Customer::ensure_one_tenant(&list)?;
    for c in &list {
        let history = histories
            .get(c.id.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut facts = CustomerFacts::checked(c, history, now, &format!("histories.{}", c.id))?;
        if let Some(score) = scores.get(c.id.as_str()) {
            let n: Number = score.parse().map_err(|_| {
                Error::at(
                    ErrorKind::Validation,
                    format!("scores.{}", c.id),
                    format!("invalid score {score:?}, expected a decimal number"),
                )
            })?;
            facts = facts.with_score(n);
        }
        if segment.contains(&c.id, &facts, now) {
            members.push(c.id.to_string());
        }
    }
    Ok(members)
}

/// The decision chain of a JSON account (see [`Account::decision_chain`]), after checking it.
pub fn decision_chain_json(account_json: &str) -> Result<DecisionChain> {
    let account: Account = read(account_json, "account")?;
    account.check()?;
    Ok(account.decision_chain())
}

/// Applies a tag by hand (`provenance` defaults to `manual`): the customer as changed, and the changes.
pub fn tag_json(
    tagger: &Tagger,
    customer_json: &str,
    tag: &str,
    at: DateTime<Utc>,
) -> Result<(String, Vec<TagChange>)> {
    let mut c = customer(customer_json, "customer")?;
    let changes = tagger.tag(&mut c, tag, Provenance::Manual, at)?;
    Ok((c.to_json(), changes))
}

/// Takes a tag off by hand: the customer as changed, and the changes.
pub fn untag_json(
    tagger: &Tagger,
    customer_json: &str,
    tag: &str,
) -> Result<(String, Vec<TagChange>)> {
    let mut c = customer(customer_json, "customer")?;
    let changes = tagger.untag(&mut c, tag, Provenance::Manual)?;
    Ok((c.to_json(), changes))
}

/// Takes off the tags expired at `now`: the customer as changed, and the changes.
pub fn expire_json(
    tagger: &Tagger,
    customer_json: &str,
    now: DateTime<Utc>,
) -> Result<(String, Vec<TagChange>)> {
    let mut c = customer(customer_json, "customer")?;
    let changes = tagger.expire(&mut c, now);
    Ok((c.to_json(), changes))
}

/// Applies the JSON list of [`PreTag`]s waiting for the customer's identities.
pub fn pre_tags_json(
    tagger: &Tagger,
    customer_json: &str,
    pre_tags_json: &str,
) -> Result<(String, Vec<TagChange>)> {
    let mut c = customer(customer_json, "customer")?;
    let pre_tags: Vec<PreTag> = read(pre_tags_json, "pre_tags")?;
    let changes = tagger.apply_pre_tags(&mut c, &pre_tags)?;
    Ok((c.to_json(), changes))
}
