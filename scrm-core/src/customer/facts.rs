//! A customer and their event history as the [`Facts`] a condition asks about.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::{AttributeValue, ConsentStatus, Customer, Event, IdentityKind};
use crate::condition::{AttrValue, EventFilter, Facts, Number};
use crate::error::{Error, ErrorKind, Result};

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

    /// [`CustomerFacts::new`], refusing a history that is not the customer's: every event must
    /// be of the customer's tenant and for the customer (its id, or an id merged into it), so a
    /// condition never counts another tenant's or another customer's events. `path` names the
    /// history in the error (`history`, `histories.c1`): the problem is at `{path}[i]`.
    ///
    /// ```
    /// use scrm_core::{Customer, CustomerFacts, Event};
    ///
    /// let now = "2026-03-15T00:00:00Z".parse()?;
    /// let customer = Customer::new("tea", "c1", now);
    /// let theirs = [Event::new("coffee", "e1", "c1", "message", now)];
    /// let error = CustomerFacts::checked(&customer, &theirs, now, "history").unwrap_err();
    /// assert_eq!(error.problems()[0].path, "history[0]");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn checked(
        customer: &'a Customer,
        history: &'a [Event],
        now: DateTime<Utc>,
        path: &str,
    ) -> Result<CustomerFacts<'a>> {
        for (i, e) in history.iter().enumerate() {
            let ours = e.customer_id == customer.id
                || customer.merged_ids.iter().any(|m| *m == e.customer_id);
            if e.tenant_id != customer.tenant_id || !ours {
                return Err(Error::at(
                    ErrorKind::Validation,
                    format!("{path}[{i}]"),
                    format!(
                        "event {:?} is for customer {:?} of tenant {:?}, not customer {:?} of tenant {:?}",
                        e.id, e.customer_id, e.tenant_id, customer.id, customer.tenant_id
                    ),
                ));
            }
        }
        Ok(CustomerFacts::new(customer, history, now))
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
        // An event id counts once, as the engine folds it once: a replay in the history is no
        // second event.
        let mut ids = HashSet::new();
        let in_history = self
            .history
            .iter()
            .filter(|e| counts(e) && ids.insert(e.id.as_str()))
            .count() as u64;
        let current = self
            .current
            .filter(|c| counts(c) && !self.history.iter().any(|e| e.id == c.id))
            .map_or(0, |_| 1);
        in_history + current
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Condition, Segment, Taxonomy};

    fn at(hour: u32) -> DateTime<Utc> {
        format!("2026-03-15T{hour:02}:00:00Z").parse().unwrap()
    }

    fn view(id: &str, tenant: &str, customer: &str) -> Event {
        Event::new(tenant, id, customer, "content_view", at(1))
    }

    #[test]
    fn a_history_of_another_tenant_or_customer_is_refused_at_its_index() {
        let mut c = Customer::new("tea", "c1", at(0));
        c.merged_ids.push("old".into());
        let ours = [view("e1", "tea", "c1"), view("e2", "tea", "old")];
        assert!(CustomerFacts::checked(&c, &ours, at(2), "history").is_ok());
        for (bad, path) in [
            (view("e3", "coffee", "c1"), "history[2]"),
            (view("e3", "tea", "c2"), "history[2]"),
        ] {
            let history = [ours[0].clone(), ours[1].clone(), bad];
            let error = CustomerFacts::checked(&c, &history, at(2), "history").unwrap_err();
            assert_eq!(error.kind(), ErrorKind::Validation);
            assert_eq!(error.problems()[0].path, path);
            assert!(error.problems()[0].message.contains("e3"), "{error}");
        }
    }

    #[test]
    fn an_event_id_counts_once_in_a_history() {
        let c = Customer::new("tea", "c1", at(0));
        let replayed = [
            view("e1", "tea", "c1"),
            view("e1", "tea", "c1"),
            view("e2", "tea", "c1"),
        ];
        let condition = Condition::parse(r#"count(event = "content_view", within = "1d") = 2"#)
            .unwrap()
            .compile(&Taxonomy::default())
            .unwrap();
        assert!(condition.evaluate(&CustomerFacts::new(&c, &replayed, at(2)), at(2)));
    }

    #[test]
    fn segment_members_of_two_tenants_are_refused() {
        let segment = Segment::new(
            Condition::parse("score >= 0")
                .unwrap()
                .compile(&Taxonomy::default())
                .unwrap(),
        );
        let list = [
            Customer::new("tea", "c1", at(0)),
            Customer::new("coffee", "c2", at(0)),
        ];
        let json = serde_json::to_string(&list).unwrap();
        let error = crate::segment_members_json(&segment, &json, None, None, at(1)).unwrap_err();
        assert_eq!(error.problems()[0].path, "customers[1].tenant_id");
        let history = r#"{"c1": [{"tenant_id": "coffee", "id": "e1", "customer_id": "c1", "type": "x", "at": "2026-03-15T01:00:00Z"}]}"#;
        let one = serde_json::to_string(&list[..1]).unwrap();
        let error =
            crate::segment_members_json(&segment, &one, Some(history), None, at(1)).unwrap_err();
        assert_eq!(error.problems()[0].path, "histories.c1[0]");
    }
}
