//! Properties of the engine over random event streams (the rich test playbook of `tests.rs`).

use chrono::TimeDelta;
use proptest::prelude::*;

use super::tests::{engine, ev, t};
use super::{Engine, Profile};
use crate::Event;

fn event() -> impl Strategy<Value = (u32, &'static str, u8, i64)> {
    let kinds = prop_oneof![
        4 => Just("content_view"),
        3 => Just("message"),
        1 => Just("form"),
        1 => Just("unsubscribe"),
        1 => Just("purchase"),
        1 => Just("employee_deleted"),
        1 => Just("task_done"),
        1 => Just("share"),
        1 => Just("referral"),
    ];
    // Minutes over 70 days, so caps per day, decay, dormancy and re-engagement all happen.
    (0u32..10_000, kinds, 0u8..4, 0i64..70 * 24 * 60)
}

fn build((id, kind, variant, minute): (u32, &'static str, u8, i64)) -> Event {
    let mut e = ev(
        &format!("e{id}"),
        kind,
        t(1, 0) + TimeDelta::minutes(minute),
    );
    match (kind, variant) {
        ("content_view", 0 | 1) => {
            e.properties.insert("category".into(), "pricing".into());
        }
        ("message", 0) => e.text = Some("多少钱".into()),
        ("message", 1) => e.text = Some("不需要".into()),
        ("purchase", v) => {
            e.properties.insert(
                "amount".into(),
                format!("{}.5", 100 * u32::from(v) + 3).into(),
            );
        }
        ("task_done", _) => {
            e.properties.insert("task".into(), "call".into());
        }
        ("share", v) => {
            e.properties
                .insert("reach".into(), (u64::from(v) * 7).into());
        }
        _ => {}
    }
    e
}

fn stream(max: usize) -> impl Strategy<Value = Vec<Event>> {
    proptest::collection::vec(event(), 1..max).prop_map(|raw| {
        let mut seen = std::collections::HashSet::new();
        let mut events: Vec<Event> = raw
            .into_iter()
            .filter(|r| seen.insert(r.0))
            .map(build)
            .collect();
        events.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        events
    })
}

fn apply_in(engine: &Engine, events: &[&Event]) -> Profile {
    let mut p = engine.new_profile("c1", t(1, 0)).unwrap();
    for e in events {
        engine.apply(&mut p, e, e.at).unwrap();
    }
    p
}

/// The events in the order they arrive, each `delays` minutes after it happened, with its arrival
/// time.
fn arrivals<'a>(
    events: &'a [Event],
    delays: &[i64],
) -> Vec<(chrono::DateTime<chrono::Utc>, &'a Event)> {
    let mut arrival: Vec<_> = events
        .iter()
        .zip(delays.iter().cycle())
        .map(|(x, d)| (x.at + TimeDelta::minutes(*d), x))
        .collect();
    arrival.sort_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
    arrival
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Replaying any event, or the whole stream, leaves the profile exactly as it was.
    #[test]
    fn replaying_changes_nothing(events in stream(40), pick in any::<prop::sample::Index>()) {
        let e = engine();
        let refs: Vec<&Event> = events.iter().collect();
        let mut p = apply_in(&e, &refs);
        let settled = p.clone();
        let one = &events[pick.index(events.len())];
        let effects = e.apply(&mut p, one, one.at).unwrap();
        prop_assert!(effects.replayed && effects.is_empty());
        prop_assert_eq!(&p, &settled);
        let mut batch = vec![p.clone()];
        let report = e.fold(&mut batch, &events).unwrap();
        prop_assert_eq!(report.replayed as usize, events.len());
        prop_assert_eq!(&batch[0], &settled);
    }

    /// Events arriving in any order within the lateness bound (each at most 2 h after it
    /// happened, so never more than 2 h behind the latest) give the same profile as time order,
    /// and a batch fold gives it too.
    #[test]
    fn arrival_order_within_lateness_does_not_matter(
        events in stream(40),
        delays in proptest::collection::vec(0i64..=120, 40),
    ) {
        let e = engine();
        let in_order: Vec<&Event> = events.iter().collect();
        let expected = apply_in(&e, &in_order);
        let shuffled: Vec<&Event> = arrivals(&events, &delays).into_iter().map(|(_, x)| x).collect();
        prop_assert_eq!(&apply_in(&e, &shuffled), &expected);
        let mut reversed_batch = Vec::new();
        let mut reversed = events.clone();
        reversed.reverse();
        e.fold(&mut reversed_batch, &reversed).unwrap();
        let mut batch_profile = reversed_batch.pop().unwrap();
        // The batch creates the profile at the first event; align the creation time.
        batch_profile.update_customer(|c| c.created_at = t(1, 0));
        let mut expected = expected;
        expected.update_customer(|c| c.created_at = t(1, 0));
        prop_assert_eq!(&batch_profile, &expected);
    }

    /// A host that runs the time-based check (`tick`) as each event arrives, with events arriving
    /// late within the bound, ends with the profile of the events in time order and one tick at
    /// the end: ticks between late arrivals never misapply inactivity.
    #[test]
    fn ticks_between_late_arrivals_do_not_matter(
        events in stream(40),
        delays in proptest::collection::vec(0i64..=120, 40),
    ) {
        let e = engine();
        let arrival = arrivals(&events, &delays);
        let end = arrival.last().map_or(t(1, 0), |a| a.0);
        let mut ticked = e.new_profile("c1", t(1, 0)).unwrap();
        for (at, x) in &arrival {
            e.apply(&mut ticked, x, *at).unwrap();
            e.tick(&mut ticked, *at).unwrap();
        }
        e.tick(&mut ticked, end).unwrap();
        let in_order: Vec<&Event> = events.iter().collect();
        let mut expected = apply_in(&e, &in_order);
        e.tick(&mut expected, end).unwrap();
        // The live state (customer, stages, score memory, fired thresholds, traces) is the same;
        // the base kept for late events may differ in when the time check last ran on it.
        prop_assert_eq!(&ticked.live, &expected.live);
        prop_assert_eq!(e.score(&ticked, end).unwrap(), e.score(&expected, end).unwrap());
    }

    /// Folding in several batches, where a batch copies the live state into the previous base's
    /// buffers (decision 0017), gives the profile applying the events one by one gives, and so
    /// does the same with every profile rebuilt from JSON (fresh buffers) between batches.
    #[test]
    fn batches_reusing_old_states_equal_one_by_one(
        events in stream(40),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..5),
    ) {
        let e = engine();
        let refs: Vec<&Event> = events.iter().collect();
        let mut expected = apply_in(&e, &refs);
        expected.update_customer(|c| c.created_at = t(1, 0));
        let mut bounds: Vec<usize> = cuts.iter().map(|i| i.index(events.len() + 1)).collect();
        bounds.extend([0, events.len()]);
        bounds.sort_unstable();
        bounds.dedup();
        for round_trip in [false, true] {
            let mut profiles = vec![e.new_profile("c1", t(1, 0)).unwrap()];
            for w in bounds.windows(2) {
                e.fold(&mut profiles, &events[w[0]..w[1]]).unwrap();
                if round_trip {
                    profiles[0] = Profile::from_json(&profiles[0].to_json()).unwrap();
                }
            }
            prop_assert_eq!(&profiles[0], &expected);
        }
    }

    /// The score always equals the sum of its explanation's parts after the caps.
    #[test]
    fn the_score_is_the_sum_of_its_parts(events in stream(60), day in 1u32..90, followers in 0u32..100_000) {
        let e = engine();
        let refs: Vec<&Event> = events.iter().collect();
        let mut p = apply_in(&e, &refs);
        p.update_customer(|c| {
            c.set_attribute("粉丝数", crate::AttributeValue::Number(f64::from(followers)), t(1, 0)).unwrap();
            if followers % 2 == 0 {
                c.set_attribute("城市", crate::AttributeValue::Text("上海".into()), t(1, 0)).unwrap();
            }
        });
        let s = e.score(&p, t(day, 12)).unwrap();
        prop_assert_eq!(e.score_and_grade(&p, t(day, 12)).unwrap(), (s.score, s.grade.as_deref()));
        let x = &s.explanation;
        let h = |p: crate::Points| i128::from(p.hundredths());
        for r in &x.rules {
            prop_assert_eq!(h(r.points), h(r.raw) - h(r.capped) - h(r.decayed), "{:?}", r);
        }
        for g in &x.groups {
            prop_assert_eq!(h(g.points), h(g.net) - h(g.capped));
        }
        let engagement = x.rules.iter().map(|r| h(r.points)).sum::<i128>()
            - x.groups.iter().map(|g| h(g.capped)).sum::<i128>()
            - h(x.total_capped);
        prop_assert_eq!(engagement, h(s.engagement));
        prop_assert!(h(s.engagement).abs() <= 10_000, "the total cap holds");
        let fit = x.fit.iter().map(|f| h(f.points)).sum::<i128>() - h(x.fit_capped);
        prop_assert_eq!(fit, h(s.fit));
        let social = x.social.iter().map(|p| h(p.points)).sum::<i128>();
        prop_assert_eq!(social, h(s.social));
        prop_assert_eq!(h(s.score), h(s.engagement) + h(s.fit));
    }

    /// A stage never moves backward (or sideways into a side state) except through a rule that
    /// says so, and every change is in the history, each leaving the stage the previous entered.
    #[test]
    fn stages_move_back_only_by_rule_and_every_change_is_recorded(events in stream(60), tick_day in 1u32..120) {
        let e = engine();
        let refs: Vec<&Event> = events.iter().collect();
        let mut p = apply_in(&e, &refs);
        if events.last().is_some_and(|l| l.at <= t(tick_day, 0)) {
            e.tick(&mut p, t(tick_day, 0)).unwrap();
        }
        let history = p.stage_history();
        let lifecycle = &e.lifecycle;
        let order = |id: &str| lifecycle.stage(id).map(|s| (lifecycle.stages[s].side, lifecycle.stages[s].order));
        let mut previous: Option<&str> = None;
        for change in history {
            prop_assert_eq!(change.from.as_deref(), previous, "{:?}", history);
            if let (Some(from), Some((to_side, to_order))) = (change.from.as_deref(), order(&change.to)) {
                let (from_side, from_order) = order(from).unwrap();
                let forward = !from_side && !to_side && to_order > from_order;
                prop_assert!(forward || lifecycle.may_go_back(&change.rule), "{:?}", change);
            }
            previous = Some(&change.to);
        }
        prop_assert_eq!(p.customer().stage.as_deref(), previous);
    }
}
