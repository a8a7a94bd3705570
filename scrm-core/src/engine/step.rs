//! Folding one event into a state, and the time-based step.
//!
//! The order inside one event is fixed (and documented in `docs/engine.md`): the first
//! placement and the inactivity rules up to the event's time; the event's trace; auto-tag rules
//! (conditions see the score before the event); engagement rules (their `when` sees the new
//! tags); social value, RFM and priority trackers; thresholds (score at the event's time);
//! lifecycle rules (guards see the new tags and score).

use chrono::{DateTime, Utc};

use super::Engine;
use super::history::{EngineFacts, History};
use super::profile::State;
use crate::bytes::{among, same};
use crate::condition::{CompiledCondition, Number};
use crate::customer::{Customer, Event};
use crate::error::{Error, ErrorKind, Result};
use crate::lifecycle::machine::GuardContext;
use crate::scoring::Score;
use crate::scoring::evaluate::{Totals, evaluate, totals};
use crate::scoring::model::{json_number, properties_match};
use crate::scoring::state::{LastAction, Purchases};
use crate::scoring::threshold;
use crate::scoring::time::{checked_micros, in_range, micros};
use crate::tagging::{TagChange, TagContext};

/// What conditions see besides the customer: the counted past and the score.
struct Context<'a> {
    engine: &'a Engine,
    history: &'a History,
    score: Option<Number>,
    grade: Option<&'a str>,
}

impl Context<'_> {
    fn facts<'f>(&'f self, customer: &'f Customer, at: DateTime<Utc>) -> EngineFacts<'f> {
        let mut facts = EngineFacts::new(customer, self.history, &self.engine.filters, at);
        facts.score = self.score;
        facts.grade = self.grade;
        facts
    }
}

impl TagContext for Context<'_> {
    fn behaviour_count(&self, rule: usize, event: &Event) -> u64 {
        self.engine.behaviour.get(rule).map_or(0, |&(no, within)| {
            self.history.count_behaviour(no, micros(event.at), within)
        })
    }

    fn holds(&self, condition: &CompiledCondition, customer: &Customer, event: &Event) -> bool {
        condition.evaluate(&self.facts(customer, event.at), event.at)
    }
}

impl GuardContext for Context<'_> {
    fn holds(&self, condition: &CompiledCondition, customer: &Customer, at: DateTime<Utc>) -> bool {
        condition.evaluate(&self.facts(customer, at), at)
    }
}

/// A purchase amount in hundredths: a decimal string or a number.
fn amount(event: &Event, property: &str) -> Option<i64> {
    let n = match event.properties.get(property)? {
        serde_json::Value::String(s) => s.trim().parse::<Number>().ok()?,
        serde_json::Value::Number(n) => json_number(n)?,
        _ => return None,
    };
    n.to_scaled(2)
}

/// A whole, non-negative reach from a property; one person when absent or unusable.
fn reach(event: &Event, property: &str) -> u64 {
    match event.properties.get(property) {
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .unwrap_or(1),
        _ => 1,
    }
}

impl Engine {
    /// Refuses an event the engine cannot apply, before anything changes.
    pub(crate) fn check_event(&self, event: &Event, customer_id: &str, path: &str) -> Result<()> {
        event.check()?;
        if event.tenant_id != self.tenant_id || event.customer_id != customer_id {
            return Err(Error::at(
                ErrorKind::Validation,
                path,
                format!(
                    "event {:?} is for customer {:?} of tenant {:?}, not customer {:?} of tenant {:?}",
                    event.id, event.customer_id, event.tenant_id, customer_id, self.tenant_id
                ),
            ));
        }
        if !in_range(event.at) {
            checked_micros(event.at, &format!("{path}.at"))?;
        }
        if let Some(rfm) = &self.scoring.rfm {
            if event.kind == rfm.event && amount(event, &rfm.amount_property).is_none() {
                return Err(Error::at(
                    ErrorKind::Validation,
                    format!("{path}.properties.{}", rfm.amount_property),
                    format!(
                        "purchase event {:?} needs property {:?} holding the amount, a decimal \
                         string or number such as \"128.00\"",
                        event.id, rfm.amount_property
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The score of a state at `at`, with its explanation.
    pub(crate) fn score_of(&self, state: &State, at: DateTime<Utc>) -> Result<Score> {
        let facts = EngineFacts::new(&state.customer, &state.history, &self.filters, at);
        evaluate(&self.scoring, &state.score, &facts, at)
    }

    /// The score's values at `at`, without allocating.
    pub(crate) fn totals_of(&self, state: &State, at: DateTime<Utc>) -> Result<Totals> {
        let facts = EngineFacts::new(&state.customer, &state.history, &self.filters, at);
        totals(&self.scoring, &state.score, &facts, at)
    }

    /// The score conditions see, computed only when some condition reads score or grade.
    fn seen_score(&self, state: &State, at: DateTime<Utc>, needed: bool) -> Result<Option<Totals>> {
        if !needed || self.scoring.is_empty() {
            return Ok(None);
        }
        self.totals_of(state, at).map(Some)
    }

    /// Folds one event (checked, new to this state) into `state`; the tag changes it makes are
    /// appended to `changes`.
    pub(crate) fn step(
        &self,
        state: &mut State,
        event: &Event,
        changes: &mut Vec<TagChange>,
    ) -> Result<()> {
        let at = micros(event.at);
        let id = super::id_hash(&event.id);
        self.lifecycle
            .enter_initial(&mut state.customer, &mut state.lifecycle, event.at);
        self.lifecycle
            .run_until(&mut state.customer, &mut state.lifecycle, event.at);
        state.history.add((at, id, self.filters.bits(event)));

        let seen = self.seen_score(
            state,
            event.at,
            self.reads.score_before || self.reads.grade_before,
        )?;
        let State {
            customer,
            history,
            score: ledger,
            ..
        } = state;
        let context = Context {
            engine: self,
            history,
            score: seen.map(|t| t.score.to_number()),
            grade: seen.and_then(|t| t.grade),
        };
        self.tagger
            .on_event_in(customer, event, &context, changes)?;
        if let Some(rules) = self.scoring.by_event.get(event.kind.as_str()) {
            for &r in rules {
                let Some(rule) = self.scoring.rules.get(r) else {
                    continue;
                };
                let passes = properties_match(event, &rule.properties)
                    && rule
                        .when
                        .as_ref()
                        .is_none_or(|w| w.evaluate(&context.facts(customer, event.at), event.at));
                if passes {
                    ledger.add(&self.scoring, r, at, id);
                }
            }
        }
        self.track(ledger, event, at, id);

        // One score after the event serves the thresholds and the lifecycle guards.
        let after = self.seen_score(
            state,
            event.at,
            !self.scoring.thresholds.is_empty() || self.reads.score_after || self.reads.grade_after,
        )?;
        if let Some(totals) = &after {
            threshold::check(&self.scoring.thresholds, &mut state.fired, totals, event.at);
        }
        let State {
            customer,
            history,
            lifecycle,
            ..
        } = state;
        let context = Context {
            engine: self,
            history,
            score: after.map(|t| t.score.to_number()),
            grade: after.and_then(|t| t.grade),
        };
        self.lifecycle
            .on_event(customer, lifecycle, event, &context);
        Ok(())
    }

    /// Social value, purchases, contacts and high-intent actions.
    fn track(
        &self,
        ledger: &mut crate::scoring::state::ScoreState,
        event: &Event,
        at: i64,
        id: u64,
    ) {
        let social = &self.scoring.social;
        if social
            .referrals
            .as_ref()
            .is_some_and(|(e, _, _)| same(e, &event.kind))
        {
            ledger.referrals = ledger.referrals.saturating_add(1);
        }
        if let Some(r) = social
            .reach
            .as_ref()
            .filter(|r| among(&r.events, &event.kind))
        {
            ledger.reach = ledger.reach.saturating_add(reach(event, &r.property));
        }
        let rfm = self.scoring.rfm.as_ref();
        if let Some(rfm) = rfm.filter(|r| same(&r.event, &event.kind)) {
            let spent = amount(event, &rfm.amount_property).unwrap_or(0);
            let p = ledger.purchases.get_or_insert(Purchases {
                count: 0,
                spent: 0,
                first: at,
                last: at,
            });
            p.count = p.count.saturating_add(1);
            p.spent = p.spent.saturating_add(spent);
            p.first = p.first.min(at);
            p.last = p.last.max(at);
        }
        let Some(priority) = &self.scoring.priority else {
            return;
        };
        if among(&priority.contact_events, &event.kind) {
            ledger.last_contact = Some(ledger.last_contact.map_or(at, |c| c.max(at)));
        }
        let action = priority
            .actions
            .iter()
            .position(|a| same(&a.event, &event.kind) && properties_match(event, &a.properties));
        if let Some(action) = action {
            let newer = ledger.last_action.is_none_or(|l| (l.at, l.id) < (at, id));
            if newer {
                ledger.last_action = Some(LastAction {
                    action: action as u32,
                    at,
                    id,
                    seconds: event
                        .properties
                        .get("duration_s")
                        .and_then(serde_json::Value::as_u64),
                });
            }
        }
    }

    /// The time-based step at `t`: expired tags come off, inactivity rules move silent customers.
    pub(crate) fn time_step(
        &self,
        state: &mut State,
        t: DateTime<Utc>,
        changes: &mut Vec<TagChange>,
    ) {
        changes.extend(self.tagger.expire(&mut state.customer, t));
        self.lifecycle
            .run_until(&mut state.customer, &mut state.lifecycle, t);
        state.checked = Some(state.checked.map_or(t, |c| c.max(t)));
    }
}
