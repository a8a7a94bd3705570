//! A customer and their event history as the [`Facts`] a condition asks about.

use chrono::{DateTime, Utc};

use super::{AttributeValue, ConsentStatus, Customer, Event, IdentityKind};
use crate::condition::{AttrValue, EventFilter, Facts, Number};

/// A [`Customer`] seen by a condition at one moment: their profile, their events, and the values
/// the engine computes (score, grade), which the customer record does not store.
///
/// ```
/// use scrm_core::{Condition, Customer, CustomerFacts, Taxonomy};
///
/// let now = "2026-03-15T00:00:00Z".parse()?;
/// let mut customer = Customer::new("t", "c1", now);
/// customer.stage = Some("mql".into());
/// let condition = Condition::parse(r#"stage in ["mql", "sql"] and score >= 60"#)?.compile(&Taxonomy::default())?;
/// let facts = CustomerFacts::new(&customer, &[], now).with_score(72.into());
/// assert!(condition.evaluate(&facts, now));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CustomerFacts<'a> {
    customer: &'a Customer,
    history: &'a [Event],
    current: Option<&'a Event>,
    score: Option<Number>,
    grade: Option<&'a str>,
    now: DateTime<Utc>,
}

impl<'a> CustomerFacts<'a> {
    /// The facts of `customer` with their events `history` at `now` (tags expired by then do not count).
    pub fn new(
        customer: &'a Customer,
        history: &'a [Event],
        now: DateTime<Utc>,
    ) -> CustomerFacts<'a> {
        CustomerFacts {
            customer,
            history,
            current: None,
            score: None,
            grade: None,
            now,
        }
    }

    /// Also counts `event` (the one being processed) when it is not in the history yet.
    pub fn with_current(mut self, event: &'a Event) -> CustomerFacts<'a> {
        self.current = Some(event);
        self
    }

    /// The customer's lead score.
    pub fn with_score(mut self, score: Number) -> CustomerFacts<'a> {
        self.score = Some(score);
        self
    }

    /// The customer's fit grade (`A+` .. `F`).
    pub fn with_grade(mut self, grade: &'a str) -> CustomerFacts<'a> {
        self.grade = Some(grade);
        self
    }
}

pub(crate) fn json_value(value: &serde_json::Value) -> Option<AttrValue<'_>> {
    match value {
        serde_json::Value::String(s) => Some(AttrValue::Text(s)),
        serde_json::Value::Bool(b) => Some(AttrValue::Bool(*b)),
        serde_json::Value::Number(n) => n
            .as_i64()
            .map(Number::from)
            .or_else(|| n.as_f64().and_then(Number::from_f64))
            .map(AttrValue::Number),
        _ => None,
    }
}

impl Facts for CustomerFacts<'_> {
    fn score(&self) -> Option<Number> {
        self.score
    }

    fn stage(&self) -> Option<&str> {
        self.customer.stage.as_deref()
    }

    fn owner(&self) -> Option<&str> {
        self.customer.owner.as_deref()
    }

    fn grade(&self) -> Option<&str> {
        self.grade
    }

    fn attribute(&self, name: &str) -> Option<AttrValue<'_>> {
        Some(match &self.customer.attributes.get(name)?.value {
            AttributeValue::Text(s) => AttrValue::Text(s),
            AttributeValue::Number(n) => AttrValue::Number(Number::from_f64(*n)?),
            AttributeValue::Bool(b) => AttrValue::Bool(*b),
            AttributeValue::Date(d) => AttrValue::Date(*d),
            AttributeValue::List(items) => AttrValue::List(items),
        })
    }

    fn has_tag(&self, tag_id: &str) -> bool {
        self.customer
            .tags
            .iter()
            .any(|t| t.is(tag_id) && t.is_live(self.now))
    }

    fn consent(&self, purpose: &str, channel: &str) -> Option<ConsentStatus> {
        self.customer.consents.status(purpose, channel)
    }

    fn has_identity(&self, kind: &str) -> bool {
        self.customer.identities.iter().any(|i| match i.kind {
            IdentityKind::Custom => i.namespace.as_deref() == Some(kind),
            other => other.as_str() == kind,
        })
    }

    fn count_events(
        &self,
        filter: &EventFilter,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> u64 {
        let counts = |e: &Event| {
            e.at <= until
                && since.is_none_or(|s| e.at >= s)
                && filter.matches(&e.kind, |name| e.properties.get(name).and_then(json_value))
        };
        let in_history = self.history.iter().filter(|e| counts(e)).count() as u64;
        let current = self
            .current
            .filter(|c| counts(c) && !self.history.iter().any(|e| e.id == c.id))
            .map_or(0, |_| 1);
        in_history + current
    }
}
