//! `Clone` for the engine's state types, with a `clone_from` that reuses the target's
//! allocations (decision 0017).
//!
//! The batch path keeps, per customer, a base state (before the retained events) and the live
//! one; when a batch moves every retained event out of the lateness bound, the live state is
//! copied into the base. Copying it into the previous base's strings and vectors instead of
//! fresh ones saves a dozen allocations and frees per customer and batch. The copies are equal
//! to `clone()`'s: every field is copied (the destructuring patterns make the compiler check
//! that none is forgotten), only where the bytes live differs.

use super::history::History;
use super::profile::State;
use crate::customer::{AppliedTag, Customer, Event, Provenance};
use crate::lifecycle::machine::StageState;
use crate::scoring::FiredThreshold;
use crate::scoring::state::{RuleState, ScoreState};

/// `to.clone_from(from)`, growing `to` to exactly `from`'s length when it must grow (a copy
/// never holds more than a fresh `clone()` would, beyond what the target already had).
fn copy_vec<T: Clone>(to: &mut Vec<T>, from: &[T]) {
    to.truncate(from.len());
    to.reserve_exact(from.len() - to.len());
    let (head, tail) = from.split_at(to.len());
    to.clone_from_slice(head);
    to.extend_from_slice(tail);
}

impl Clone for State {
    fn clone(&self) -> State {
        let State {
            customer,
            lifecycle,
            score,
            fired,
            history,
            checked,
        } = self;
        State {
            customer: customer.clone(),
            lifecycle: lifecycle.clone(),
            score: score.clone(),
            fired: fired.clone(),
            history: history.clone(),
            checked: *checked,
        }
    }

    fn clone_from(&mut self, source: &State) {
        let State {
            customer,
            lifecycle,
            score,
            fired,
            history,
            checked,
        } = source;
        self.customer.clone_from(customer);
        self.lifecycle.clone_from(lifecycle);
        self.score.clone_from(score);
        copy_vec(&mut self.fired, fired);
        self.history.clone_from(history);
        self.checked = *checked;
    }
}

impl Clone for Customer {
    fn clone(&self) -> Customer {
        let mut copy = Customer::new("", "", self.created_at);
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, source: &Customer) {
        let Customer {
            tenant_id,
            id,
            created_at,
            identities,
            attributes,
            tags,
            touches,
            consents,
            owner,
            owner_since,
            followers,
            account_id,
            account_since,
            stage,
            merged_ids,
        } = source;
        self.tenant_id.clone_from(tenant_id);
        self.id.clone_from(id);
        self.created_at = *created_at;
        copy_vec(&mut self.identities, identities);
        if self.attributes != *attributes {
            self.attributes.clone_from(attributes);
        }
        copy_vec(&mut self.tags, tags);
        copy_vec(&mut self.touches, touches);
        self.consents.clone_from(consents);
        self.owner.clone_from(owner);
        self.owner_since = *owner_since;
        copy_vec(&mut self.followers, followers);
        self.account_id.clone_from(account_id);
        self.account_since = *account_since;
        self.stage.clone_from(stage);
        copy_vec(&mut self.merged_ids, merged_ids);
    }
}

impl Clone for AppliedTag {
    fn clone(&self) -> AppliedTag {
        AppliedTag {
            tag_id: self.tag_id.clone(),
            applied_at: self.applied_at,
            provenance: self.provenance.clone(),
            expires_at: self.expires_at,
        }
    }

    fn clone_from(&mut self, source: &AppliedTag) {
        let AppliedTag {
            tag_id,
            applied_at,
            provenance,
            expires_at,
        } = source;
        self.tag_id.clone_from(tag_id);
        self.applied_at = *applied_at;
        provenance_from(&mut self.provenance, provenance);
        self.expires_at = *expires_at;
    }
}

/// Copies a provenance, into the target's id buffer when both carry one.
fn provenance_from(to: &mut Provenance, from: &Provenance) {
    use Provenance::{Behaviour, ChannelCode, Condition, Keyword, Rule};
    match (to, from) {
        (Rule(a), Rule(b))
        | (ChannelCode(a), ChannelCode(b))
        | (Keyword(a), Keyword(b))
        | (Behaviour(a), Behaviour(b))
        | (Condition(a), Condition(b)) => a.clone_from(b),
        (to, from) => *to = from.clone(),
    }
}

impl Clone for Event {
    fn clone(&self) -> Event {
        let mut copy = Event::new("", "", "", "", self.at);
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, source: &Event) {
        let Event {
            tenant_id,
            id,
            customer_id,
            kind,
            at,
            platform,
            channel_id,
            channel_code,
            text,
            properties,
        } = source;
        self.tenant_id.clone_from(tenant_id);
        self.id.clone_from(id);
        self.customer_id.clone_from(customer_id);
        self.kind.clone_from(kind);
        self.at = *at;
        self.platform.clone_from(platform);
        self.channel_id.clone_from(channel_id);
        self.channel_code.clone_from(channel_code);
        self.text.clone_from(text);
        if self.properties != *properties {
            self.properties.clone_from(properties);
        }
    }
}

impl Clone for FiredThreshold {
    fn clone(&self) -> FiredThreshold {
        FiredThreshold {
            id: self.id.clone(),
            at: self.at,
        }
    }

    fn clone_from(&mut self, source: &FiredThreshold) {
        self.id.clone_from(&source.id);
        self.at = source.at;
    }
}

impl Clone for StageState {
    fn clone(&self) -> StageState {
        let mut copy = StageState::default();
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, source: &StageState) {
        let StageState {
            history,
            done_tasks,
            activity,
        } = source;
        self.history.clone_from(history);
        copy_vec(&mut self.done_tasks, done_tasks);
        copy_vec(&mut self.activity, activity);
    }
}

impl Clone for ScoreState {
    fn clone(&self) -> ScoreState {
        let mut copy = ScoreState::default();
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, source: &ScoreState) {
        let ScoreState {
            rules,
            referrals,
            reach,
            purchases,
            last_contact,
            last_action,
        } = source;
        copy_vec(&mut self.rules, rules);
        self.referrals = *referrals;
        self.reach = *reach;
        self.purchases = *purchases;
        self.last_contact = *last_contact;
        self.last_action = *last_action;
    }
}

impl Clone for RuleState {
    fn clone(&self) -> RuleState {
        let mut copy = RuleState::default();
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, source: &RuleState) {
        let RuleState {
            rule,
            events,
            buckets,
            entries,
            settled,
        } = source;
        self.rule = *rule;
        self.events = *events;
        copy_vec(&mut self.buckets, buckets);
        copy_vec(&mut self.entries, entries);
        self.settled = *settled;
    }
}

impl Clone for History {
    fn clone(&self) -> History {
        let mut copy = History::default();
        copy.clone_from(self);
        copy
    }

    fn clone_from(&mut self, source: &History) {
        let History { traces, evicted } = source;
        copy_vec(&mut self.traces, traces);
        copy_vec(&mut self.evicted, evicted);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, text: Option<&str>) -> Event {
        let mut e = Event::new(
            "t",
            id,
            "c",
            "message",
            "2026-03-01T00:00:00Z".parse().unwrap(),
        );
        e.text = text.map(str::to_owned);
        e.properties
            .insert(format!("p{id}"), serde_json::Value::from(id.len()));
        e
    }

    #[test]
    fn clone_from_equals_clone_whatever_the_target_held() {
        let a = event("first-event", Some("a long message text"));
        let b = event("b", None);
        for (to, from) in [(&a, &b), (&b, &a), (&a, &a)] {
            let mut target = to.clone();
            target.clone_from(from);
            assert_eq!(&target, from);
            assert_eq!(from.clone(), *from);
        }
    }

    #[test]
    fn customers_and_tags_copy_every_field() {
        let at = "2026-03-01T00:00:00Z".parse().unwrap();
        let mut rich = Customer::new("t", "c1", at);
        rich.tags.push(AppliedTag {
            tag_id: "vip".into(),
            applied_at: at,
            provenance: Provenance::Keyword("kw".into()),
            expires_at: Some(at),
        });
        rich.stage = Some("lead".into());
        rich.owner = Some("emp".into());
        let mut plain = Customer::new("t2", "c2", at);
        plain.tags.push(AppliedTag {
            tag_id: "x".into(),
            applied_at: at,
            provenance: Provenance::Manual,
            expires_at: None,
        });
        for (to, from) in [(&rich, &plain), (&plain, &rich)] {
            let mut target = to.clone();
            target.clone_from(from);
            assert_eq!(&target, from);
        }
    }
}
