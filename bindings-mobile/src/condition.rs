//! Conditions (条件): read from the text or JSON form, printed back, compiled against a playbook's
//! taxonomy and evaluated over a customer (typed or JSON).

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::SystemTime;

use scrm_core::{CustomerFacts, Number};

use crate::convert::{customer_in, customers_in, events_in, utc_at, validation};
use crate::model::{Customer, Event};
use crate::records::Problem;
use crate::{Playbook, ScrmError, guarded, run};

/// A condition over one customer, e.g. `score >= 60 and has_tag("高意向")`. Two conditions are
/// equal when they have the same tree, whichever form each was read from. The language is
/// documented in `docs/conditions.md`.
#[derive(PartialEq, Eq, uniffi::Object)]
#[uniffi::export(Eq, Hash, Display)]
pub struct Condition {
    inner: scrm_core::Condition,
}

/// The canonical text form.
impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

/// Hashes the canonical text, which equal conditions share.
impl Hash for Condition {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.inner.to_text().hash(state);
    }
}

#[uniffi::export]
impl Condition {
    /// Reads the text form.
    ///
    /// Throws `ScrmException.Parse` for syntax errors, unknown names and texts beyond the limits,
    /// `ScrmException.Validation` for comparisons that mean nothing (`stage > 3`) and bad windows;
    /// the one problem's path is "" and its message gives the line, the column and a caret.
    #[uniffi::constructor]
    pub fn parse(text: String) -> Result<Arc<Condition>, ScrmError> {
        run(|| scrm_core::Condition::parse(&text)).map(|inner| Arc::new(Condition { inner }))
    }

    /// Reads the JSON form from JSON text, e.g. `{"all": [{"has_tag": "高意向"}]}`.
    ///
    /// Throws `ScrmException.Parse` when the text is not JSON or exceeds the limits,
    /// `ScrmException.Validation` with every problem at its JSON path (`all[1].compare.op`).
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Condition>, ScrmError> {
        run(|| scrm_core::Condition::from_json(&json)).map(|inner| Arc::new(Condition { inner }))
    }

    /// The canonical text form, on one line; `parse` reads it back to an equal condition.
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }

    /// The JSON form as compact JSON text; `fromJson` reads it back to an equal condition.
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// Resolves tag and tag-group references (ids or display names) against the playbook's
    /// taxonomy, ready to evaluate. Throws `ScrmException.Validation` naming every unknown or
    /// ambiguous tag and unknown group.
    pub fn compile(&self, playbook: Arc<Playbook>) -> Result<Arc<CompiledCondition>, ScrmError> {
        run(|| self.inner.compile(playbook.inner.taxonomy()))
            .map(|inner| Arc::new(CompiledCondition { inner }))
    }
}

/// A condition resolved against a playbook's taxonomy, ready to evaluate over many customers.
/// Safe to share between threads.
#[derive(uniffi::Object)]
pub struct CompiledCondition {
    inner: scrm_core::CompiledCondition,
}

#[uniffi::export]
impl CompiledCondition {
    /// Whether the customer satisfies the condition at `now`.
    ///
    /// `customer_json` is the customer and `history_json` a JSON list of their events, in the
    /// shapes of `docs/data-model.md`. Windows (`within = "7d"`) end at `now`; the clock is never
    /// read. `score` is the score the engine computed, if any, as a decimal string ("72.5").
    ///
    /// Throws `ScrmException.Parse` when a text is not JSON and `ScrmException.Validation` at the
    /// field at fault, at `score` for a score that is not a decimal number and at `now` for a
    /// time out of range.
    #[uniffi::method(default(score = None))]
    pub fn evaluate_json(
        &self,
        customer_json: String,
        history_json: String,
        now: SystemTime,
        score: Option<String>,
    ) -> Result<bool, ScrmError> {
        let now = utc_at(now, "now")?;
        run(|| {
            scrm_core::evaluate_json(
                &self.inner,
                &customer_json,
                &history_json,
                score.as_deref(),
                now,
            )
        })
    }

    /// Whether the customer satisfies the condition at `now`: the typed form of `evaluateJson`.
    ///
    /// `history` is the customer's events (default empty); windows (`within = "7d"`) end at `now`
    /// and the clock is never read. `score` is the score the engine computed, if any, as a
    /// decimal string ("72.5").
    ///
    /// Throws `ScrmException.Validation` at the field at fault (`customer.touches[0].platform`,
    /// `history[1].at`), at `score` for a score that is not a decimal number and at `now` for a
    /// time out of range.
    #[uniffi::method(default(history = [], score = None))]
    pub fn evaluate(
        &self,
        customer: Customer,
        now: SystemTime,
        history: Vec<Event>,
        score: Option<String>,
    ) -> Result<bool, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            let c = customer_in(&customer, "customer")?;
            let history = events_in(&history, "history")?;
            let mut facts = CustomerFacts::checked(&c, &history, now, "history")?;
            if let Some(score) = score {
                facts = facts.with_score(parse_score(&score, "score")?);
            }
            Ok(self.inner.evaluate(&facts, now))
        })
    }

    /// The condition this was compiled from.
    pub fn condition(&self) -> Arc<Condition> {
        Arc::new(Condition {
            inner: self.inner.condition().clone(),
        })
    }
}

/// A segment of customers (客户分群): those matching a compiled condition, adjusted by hand with
/// customer ids that are always in (`include`) or never in (`exclude`). Exclude wins over include,
/// and include wins over the condition. Safe to share between threads.
#[derive(uniffi::Object)]
pub struct Segment {
    inner: scrm_core::Segment,
}

#[uniffi::export]
impl Segment {
    /// The customers matching `condition`, plus the ids in `include`, minus the ids in `exclude`.
    #[uniffi::constructor(default(include = [], exclude = []))]
    pub fn new(
        condition: Arc<CompiledCondition>,
        include: Vec<String>,
        exclude: Vec<String>,
    ) -> Arc<Segment> {
        let inner = scrm_core::Segment::new(condition.inner.clone())
            .include(include)
            .exclude(exclude);
        Arc::new(Segment { inner })
    }

    /// The ids of the customers of a JSON list (shape of `docs/data-model.md`) that are in the
    /// segment at `now`, in input order.
    ///
    /// `histories_json`, when given, is a JSON object from customer id to that customer's events;
    /// `scores_json` a JSON object from customer id to the score the engine computed, as a
    /// decimal string ("72.5"). Windows end at `now`; the clock is never read.
    ///
    /// Throws `ScrmException.Parse` when a text is not JSON and `ScrmException.Validation` at the
    /// field at fault (`customers[1].created_at`, `histories`, `scores.c2` for a score that is not
    /// a decimal number, `now` for a time out of range).
    #[uniffi::method(default(histories_json = None, scores_json = None))]
    pub fn members_json(
        &self,
        customers_json: String,
        now: SystemTime,
        histories_json: Option<String>,
        scores_json: Option<String>,
    ) -> Result<Vec<String>, ScrmError> {
        let now = utc_at(now, "now")?;
        run(|| {
            scrm_core::segment_members_json(
                &self.inner,
                &customers_json,
                histories_json.as_deref(),
                scores_json.as_deref(),
                now,
            )
        })
    }

    /// The ids of the customers that are in the segment at `now`, in input order: the typed form
    /// of `membersJson`.
    ///
    /// `histories`, when given, maps a customer id to that customer's events; `scores` a customer
    /// id to the score the engine computed, as a decimal string ("72.5"). Windows end at `now`;
    /// the clock is never read.
    ///
    /// Throws `ScrmException.Validation` at the field at fault (`customers[1].created_at`,
    /// `histories.c1[0].platform`, `scores.c2` for a score that is not a decimal number, `now`).
    #[uniffi::method(default(histories = None, scores = None))]
    pub fn members(
        &self,
        customers: Vec<Customer>,
        now: SystemTime,
        histories: Option<HashMap<String, Vec<Event>>>,
        scores: Option<HashMap<String, String>>,
    ) -> Result<Vec<String>, ScrmError> {
        guarded(|| {
            let now = utc_at(now, "now")?;
            let list = customers_in(&customers)?;
            let mut converted = HashMap::new();
            for (id, events) in histories.unwrap_or_default() {
                let events = events_in(&events, &format!("histories.{id}"))?;
                converted.insert(id, events);
            }
            let scores = scores.unwrap_or_default();
            let mut members = Vec::new();
            scrm_core::Customer::ensure_one_tenant(&list)?;
            for c in &list {
                let history = converted
                    .get(c.id.as_str())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let mut facts =
                    CustomerFacts::checked(c, history, now, &format!("histories.{}", c.id))?;
                if let Some(score) = scores.get(c.id.as_str()) {
                    facts = facts.with_score(parse_score(score, &format!("scores.{}", c.id))?);
                }
                if self.inner.contains(&c.id, &facts, now) {
                    members.push(c.id.to_string());
                }
            }
            Ok(members)
        })
    }

    /// The condition of the segment.
    pub fn condition(&self) -> Arc<Condition> {
        Arc::new(Condition {
            inner: self.inner.condition().condition().clone(),
        })
    }

    /// The manually included customer ids, sorted.
    pub fn included(&self) -> Vec<String> {
        sorted(self.inner.included())
    }

    /// The manually excluded customer ids, sorted.
    pub fn excluded(&self) -> Vec<String> {
        sorted(self.inner.excluded())
    }
}

fn sorted(ids: &HashSet<String>) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().cloned().collect();
    ids.sort();
    ids
}

/// A score as the core's exact number; a score that is not a decimal is a problem at `path`.
fn parse_score(score: &str, path: &str) -> Result<Number, ScrmError> {
    score.parse().map_err(|_| {
        validation(vec![Problem {
            path: path.to_owned(),
            message: format!("invalid score {score:?}, expected a decimal number"),
        }])
    })
}
