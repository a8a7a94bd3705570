//! From the engine's profile to the pool's facts: the glue a daily reclaim job needs, so it does
//! not re-derive owner, stage, follow-ups and open tasks from the events itself.

use chrono::{DateTime, Utc};

use super::profile::State;
use super::{Engine, Profile};
use crate::error::Result;
use crate::pool::PoolFacts;
use crate::scoring::time::from_micros;

impl Engine {
    /// What [`PoolRules::due`](crate::PoolRules::due) and [`PoolRules::claim`](crate::PoolRules::claim)
    /// need to know about a customer, as the events left the profile:
    ///
    /// - `owner` and `stage`: from the customer ([`PoolFacts::from_customer`]; the owner counts
    ///   from `owner_since`, else from when the profile was created);
    /// - `last_follow_up`: the latest contact event the playbook names in
    ///   `scoring.priority.contact_events` (`follow_up`, `call`); without that section the engine
    ///   does not track contacts and the customer counts as never followed up;
    /// - `open_tasks`: the tasks of the current stage not yet marked done by a `task_done` event;
    /// - `last_activity`: where the silence of the lifecycle's inactivity rules runs from, as
    ///   the engine counts it: the latest event a rule counts or the last stage change not made
    ///   by an inactivity rule, whichever is later (else the customer's creation); the latest of
    ///   the rules'. `last_activity_by_rule` lists the rules whose own instant is earlier (a rule
    ///   that counts only some events). Both are absent when the playbook has no inactivity rule
    ///   or the customer has no stage yet, so `due` reports dormancy when the engine's `tick`
    ///   would move the customer.
    ///
    /// Protection and pooling (`protected_at`, `pooled_at`, `previous_owner`) are the CRM's own
    /// records, not events: set them on the result.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) for a profile folded under other
    /// rules.
    pub fn pool_facts(&self, profile: &Profile) -> Result<PoolFacts> {
        self.check_fingerprint(profile, "profile")?;
        Ok(self.facts_of(&profile.live))
    }

    /// The pool's facts of one state (see [`Engine::pool_facts`]).
    pub(crate) fn facts_of(&self, live: &State) -> PoolFacts {
        let mut facts = PoolFacts::from_customer(&live.customer);
        facts.last_follow_up = live.score.last_contact.map(from_micros);
        // Where silence runs from for the lifecycle's inactivity rules, for dormancy in `due`.
        if !self.lifecycle.inactivity.is_empty() && live.customer.stage.is_some() {
            let woken = self.lifecycle.last_woken(&live.lifecycle.history);
            let created = live.customer.created_at;
            let per_rule: Vec<(&str, DateTime<Utc>)> = self
                .lifecycle
                .inactivity
                .iter()
                .filter_map(|&r| {
                    let rule = self.lifecycle.rules.get(r)?;
                    let since = self
                        .lifecycle
                        .silent_since(r, &live.lifecycle, woken, created);
                    Some((rule.id.as_str(), since))
                })
                .collect();
            facts.last_activity = per_rule.iter().map(|&(_, at)| at).max();
            // A rule is listed only where its silence runs from earlier than `last_activity`.
            for (id, at) in per_rule {
                if Some(at) != facts.last_activity {
                    facts.last_activity_by_rule.insert(id.to_owned(), at);
                }
            }
        }
        facts.open_tasks = self
            .lifecycle
            .current(&live.customer)
            .and_then(|i| self.lifecycle.stages.get(i))
            .map_or(0, |stage| {
                let open = stage
                    .tasks
                    .iter()
                    .filter(|t| !live.lifecycle.done_tasks.iter().any(|d| d == &t.id))
                    .count();
                u32::try_from(open).unwrap_or(u32::MAX)
            });
        facts
    }
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Event, Owner, Playbook, PoolRules};

    const BRAND: &str = include_str!("../../../examples/playbooks/brand.json");

    fn event(id: &str, kind: &str, at: &str) -> Event {
        Event::new("chayuan-tea", id, "c1", kind, at.parse().unwrap())
    }

    #[test]
    fn pool_facts_follow_the_events() {
        let playbook = Playbook::from_json(BRAND).unwrap();
        let engine = Engine::compile(&playbook).unwrap();
        let now = "2026-03-20T00:00:00Z".parse().unwrap();
        let created = "2026-03-01T02:00:00Z".parse().unwrap();
        let mut profile = engine.new_profile("c1", created).unwrap();

        // Nothing applied: no stage, no owner, nothing to do.
        let facts = engine.pool_facts(&profile).unwrap();
        assert_eq!((facts.owner.clone(), facts.stage.clone()), (None, None));
        assert_eq!((facts.last_follow_up, facts.open_tasks), (None, 0));

        let since = "2026-03-01T03:00:00Z".parse().unwrap();
        profile.update_customer(|c| {
            c.owner = Some("wang".into());
            c.owner_since = Some(since);
        });
        // A message makes a lead, whose one task (add_wecom) is open.
        let message = event("e1", "message", "2026-03-01T04:00:00Z");
        engine.apply(&mut profile, &message, now).unwrap();
        let facts = engine.pool_facts(&profile).unwrap();
        assert_eq!(facts.owner, Some(Owner::new("wang", since)));
        assert_eq!(facts.stage.as_deref(), Some("lead"));
        assert_eq!((facts.last_follow_up, facts.open_tasks), (None, 1));

        // A follow-up and a call are contacts (the latest counts); a message is not.
        for (id, kind, at) in [
            ("e2", "call", "2026-03-03T05:00:00Z"),
            ("e3", "follow_up", "2026-03-03T04:30:00Z"), // late, within the hour
            ("e4", "message", "2026-03-04T05:00:00Z"),
        ] {
            engine
                .apply(&mut profile, &event(id, kind, at), now)
                .unwrap();
        }
        let mut done = event("e5", "task_done", "2026-03-04T06:00:00Z");
        done.properties.insert("task".into(), "add_wecom".into());
        engine.apply(&mut profile, &done, now).unwrap();
        let facts = engine.pool_facts(&profile).unwrap();
        assert_eq!(
            facts.last_follow_up,
            Some("2026-03-03T05:00:00Z".parse().unwrap())
        );
        assert_eq!(facts.open_tasks, 0);

        // The facts feed the reclaim rules: a lead idle from 3 March, 14 + 2 days, is reclaimed
        // on 19 March (Shanghai), warned the day before.
        let rules = PoolRules::new(&playbook).unwrap();
        let facts = [facts];
        let due = rules.due(&facts, now).unwrap();
        assert_eq!(due.reclaims().count(), 1, "{:?}", due.items());
        let before = "2026-03-17T00:00:00Z".parse().unwrap();
        assert_eq!(rules.due(&facts, before).unwrap().warnings().count(), 1);
    }

    #[test]
    fn pool_facts_refuse_a_profile_of_other_rules() {
        let playbook = Playbook::from_json(BRAND).unwrap();
        let engine = Engine::compile(&playbook).unwrap();
        let other = Engine::compile(
            &Playbook::from_toml(
                "schema_version = 1\ntenant_id = \"chayuan-tea\"\ntimezone = \"Asia/Shanghai\"\n",
            )
            .unwrap(),
        )
        .unwrap();
        let profile = other
            .new_profile("c1", "2026-03-01T00:00:00Z".parse().unwrap())
            .unwrap();
        assert!(engine.pool_facts(&profile).is_err());
    }

    #[test]
    fn silence_runs_from_waking_when_the_wake_up_is_not_counted() {
        // The inactivity rule counts messages only; a content view wakes the customer.
        let playbook = Playbook::from_toml(
            r#"
            schema_version = 1
            tenant_id = "chayuan-tea"
            timezone = "Asia/Shanghai"

            [[lifecycle.rules]]
            kind = "inactivity"
            id = "quiet"
            after = "30d"
            to = "dormant"
            activity = ["message"]

            [[lifecycle.rules]]
            kind = "reengage"
            id = "woke_up"
            from = ["dormant"]
            on = ["content_view"]
            "#,
        )
        .unwrap();
        let engine = Engine::compile(&playbook).unwrap();
        let rules = PoolRules::new(&playbook).unwrap();
        let mut profile = engine
            .new_profile("c1", "2026-03-01T00:00:00Z".parse().unwrap())
            .unwrap();
        let message = event("m1", "message", "2026-03-01T00:00:00Z");
        engine.apply(&mut profile, &message, message.at).unwrap();
        let view = event("v1", "content_view", "2026-04-10T00:00:00Z");
        engine.apply(&mut profile, &view, view.at).unwrap();
        assert_eq!(profile.customer().stage.as_deref(), Some("visitor"));
        let facts = engine.pool_facts(&profile).unwrap();
        assert_eq!(facts.last_activity, Some(view.at));
        // Two days after waking nothing is due, and the engine agrees.
        let now = "2026-04-12T00:00:00Z".parse().unwrap();
        assert!(
            rules
                .due(std::slice::from_ref(&facts), now)
                .unwrap()
                .items()
                .is_empty()
        );
        engine.tick(&mut profile, now).unwrap();
        assert_eq!(profile.customer().stage.as_deref(), Some("visitor"));
    }

    #[test]
    fn effects_say_how_an_event_moved_the_reclaim_clock() {
        let playbook = Playbook::from_json(BRAND).unwrap();
        let engine = Engine::compile(&playbook).unwrap();
        let created = "2026-03-01T02:00:00Z".parse().unwrap();
        let mut profile = engine.new_profile("c1", created).unwrap();
        profile.update_customer(|c| c.owner = Some("emp1".into()));
        let day = |d: &str| Some(d.parse::<chrono::NaiveDate>().unwrap());

        // No stage yet: the default 30 days + 2 grace from the owner's start (1 March); the first
        // message makes a lead: 14 days + 2.
        let message = event("m1", "message", "2026-03-01T03:00:00Z");
        let pool = engine
            .apply(&mut profile, &message, message.at)
            .unwrap()
            .pool
            .unwrap();
        assert_eq!(
            (pool.reclaim_on_before, pool.reclaim_on),
            (day("2026-04-02"), day("2026-03-17"))
        );
        assert!(
            pool.reason
                .starts_with("stage lead: reclaim moves from 2026-04-02 to 2026-03-17"),
            "{}",
            pool.reason
        );

        // A follow-up on 10 March restarts the clock.
        let call = event("f1", "follow_up", "2026-03-10T09:00:00Z");
        let pool = engine
            .apply(&mut profile, &call, call.at)
            .unwrap()
            .pool
            .unwrap();
        assert_eq!(pool.reclaim_on, day("2026-03-26"));
        assert_eq!(
            pool.reason,
            "followed up: reclaim moves from 2026-03-17 to 2026-03-26"
        );
        // The same event again moves nothing.
        assert!(
            engine
                .apply(&mut profile, &call, call.at)
                .unwrap()
                .pool
                .is_none()
        );

        // A purchase makes a customer, whose stage is exempt.
        let mut order = event("o1", "purchase", "2026-03-11T09:00:00Z");
        order.properties.insert("amount".into(), "128.00".into());
        let effects = engine.apply(&mut profile, &order, order.at).unwrap();
        let pool = effects.pool.unwrap();
        assert_eq!(
            (pool.reclaim_on_before, pool.reclaim_on),
            (day("2026-03-26"), None)
        );
        assert!(
            pool.reason
                .starts_with("stage customer is exempt from reclaim: no longer reclaimed"),
            "{}",
            pool.reason
        );
        // The due list agrees: nothing to reclaim a year later.
        let facts = engine.pool_facts(&profile).unwrap();
        let rules = PoolRules::new(&playbook).unwrap();
        assert_eq!(rules.reclaim_on(&facts), None);
    }
}
