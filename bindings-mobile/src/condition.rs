//! Conditions (条件): read from the text or JSON form, printed back, compiled against a playbook's
//! taxonomy and evaluated over a JSON customer.

use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, TimeDelta, Utc};

use crate::records::Problem;
use crate::{Playbook, ScrmError, run};

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
        let now = utc(now)?;
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
        let now = utc(now)?;
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

/// A host time as UTC; a time beyond chrono's range is a validation error at `now`.
pub(crate) fn utc(time: SystemTime) -> Result<DateTime<Utc>, ScrmError> {
    utc_at(time, "now")
}

/// A host time as UTC; a time beyond chrono's range is a validation error at `path`.
pub(crate) fn utc_at(time: SystemTime, path: &str) -> Result<DateTime<Utc>, ScrmError> {
    let converted = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => TimeDelta::from_std(after)
            .ok()
            .and_then(|d| DateTime::UNIX_EPOCH.checked_add_signed(d)),
        Err(before) => TimeDelta::from_std(before.duration())
            .ok()
            .and_then(|d| DateTime::UNIX_EPOCH.checked_sub_signed(d)),
    };
    converted.ok_or_else(|| {
        let seconds = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => format!("{} seconds after", after.as_secs()),
            Err(before) => format!("{} seconds before", before.duration().as_secs()),
        };
        let message =
            format!("time {seconds} 1970-01-01T00:00:00Z is out of range (about ±262,000 years)");
        ScrmError::Validation {
            detail: format!("validation: {path}: {message}"),
            problems: vec![Problem {
                path: path.to_owned(),
                message,
            }],
        }
    })
}
