use chrono::{DateTime, TimeDelta, Utc};

use super::*;
use crate::{ErrorKind, Event, Playbook, RfmMode};

pub(crate) const PLAYBOOK: &str = r#"
schema_version = 1
tenant_id = "t"
timezone = "Asia/Shanghai"

[[taxonomy.groups]]
id = "intent"
name = "意向"
exclusive = true
tags = [{ id = "intent_high", name = "高意向" }, { id = "intent_low", name = "低意向" }]

[[tagging.rules]]
kind = "keyword"
id = "kw_price"
keywords = ["多少钱"]
tags = ["intent_high"]

[[tagging.rules]]
kind = "keyword"
id = "kw_no"
keywords = ["不需要"]
tags = ["intent_low"]

[[scoring.groups]]
id = "content"
cap = 30

[[scoring.rules]]
id = "view"
event = "content_view"
points = 5
group = "content"
cap = 20
cap_window = "1d"

[[scoring.rules]]
id = "view_price"
event = "content_view"
properties = { category = "pricing" }
points = 10
group = "content"

[[scoring.rules]]
id = "unsubscribe"
event = "unsubscribe"
points = -15
group = "content"

[[scoring.rules]]
id = "message"
event = "message"
points = 4
decay = { half_life = "10d" }

[[scoring.rules]]
id = "form"
event = "form"
points = 50
once = true
decay = { window = "30d" }

[scoring]
cap = 100

[scoring.fit]
grade = true
[[scoring.fit.rules]]
id = "city"
when = 'attr.城市 in ["上海", "北京"]'
points = 10
grade = 3
[[scoring.fit.rules]]
id = "big"
when = "attr.employees >= 100"
points = 5
grade = 2

[scoring.social]
followers = { attribute = "粉丝数", per = 1000, points = 1, cap = 20 }
referrals = { points = 5 }
reach = { points = 1, per = 10 }

[[scoring.thresholds]]
id = "hot"
score = 40
rearm_below = 20
alert = "线索升温"

[[scoring.thresholds]]
id = "once"
score = 60

[scoring.rfm]
recent_within = "30d"
frequent_at = 2
valuable_at = 500

[scoring.priority]
intent_tags = { intent_high = 30 }
actions = [{ id = "price", event = "content_view", properties = { category = "pricing" }, label = "viewed the price list", points = 40 }]
contact_events = ["follow_up"]

[[lifecycle.stages]]
id = "visitor"
name = "访客"
[[lifecycle.stages]]
id = "lead"
name = "线索"
tasks = [{ id = "call", name = "电话回访", due = "2d" }]
[[lifecycle.stages]]
id = "mql"
name = "MQL"
[[lifecycle.stages]]
id = "customer"
name = "成交"
[[lifecycle.stages]]
id = "dormant"
name = "沉睡"
side = true
[[lifecycle.stages]]
id = "churned"
name = "流失"
side = true

[[lifecycle.rules]]
kind = "advance"
id = "engaged"
to = "lead"
on = ["message", "form"]

[[lifecycle.rules]]
kind = "advance"
id = "qualified"
to = "mql"
when = "score >= 40"
require_tasks = true

[[lifecycle.rules]]
kind = "advance"
id = "bought"
to = "customer"
on = ["purchase"]

[[lifecycle.rules]]
kind = "move"
id = "deleted"
to = "churned"
on = ["employee_deleted"]
reason = "客户删除了员工"

[[lifecycle.rules]]
kind = "inactivity"
id = "quiet"
after = "30d"
to = "dormant"

[[lifecycle.rules]]
kind = "reengage"
id = "back"
from = ["dormant"]

[engine]
lateness = "2h"
"#;

pub(crate) fn engine() -> Engine {
    Engine::compile(&Playbook::from_toml(PLAYBOOK).unwrap()).unwrap()
}

pub(crate) fn t(day: u32, hour: u32) -> DateTime<Utc> {
    "2026-03-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap()
        + TimeDelta::days(i64::from(day) - 1)
        + TimeDelta::hours(i64::from(hour))
}

pub(crate) fn ev(id: &str, kind: &str, at: DateTime<Utc>) -> Event {
    Event::new("t", id, "c1", kind, at)
}

fn with(mut e: Event, key: &str, value: serde_json::Value) -> Event {
    e.properties.insert(key.into(), value);
    e
}

fn fresh(engine: &Engine) -> Profile {
    engine.new_profile("c1", t(1, 0)).unwrap()
}

fn apply_all(engine: &Engine, events: &[Event]) -> Profile {
    let mut p = fresh(engine);
    for e in events {
        engine.apply(&mut p, e, e.at).unwrap();
    }
    p
}

/// The score as text; every test reading a score this way also checks that the explanation-free
/// `score_and_grade` agrees with `score`.
fn score(engine: &Engine, p: &Profile, now: DateTime<Utc>) -> String {
    let full = engine.score(p, now).unwrap();
    let (quick, grade) = engine.score_and_grade(p, now).unwrap();
    assert_eq!((quick, grade), (full.score, full.grade.as_deref()));
    full.score.to_string()
}

#[test]
fn rule_cap_per_day_then_group_cap_after_netting_then_total_cap() {
    let e = engine();
    // Six plain views on day 1: 30 raw, the rule's 1d cap keeps 20.
    let mut events: Vec<Event> = (0..6)
        .map(|i| ev(&format!("v{i}"), "content_view", t(1, i)))
        .collect();
    let p = apply_all(&e, &events);
    let s = e.score(&p, t(1, 10)).unwrap();
    let view = &s.explanation.rules[0];
    assert_eq!(
        (
            view.raw.to_string(),
            view.capped.to_string(),
            view.points.to_string()
        ),
        ("30".into(), "10".into(), "20".into())
    );
    assert_eq!(s.score.to_string(), "20");
    // Three pricing views add 30 raw to the group (3 × view 5 too, capped: day 1 is full):
    // group net = 20 + 30 = 50, clamped to 30.
    for i in 0..3 {
        events.push(with(
            ev(&format!("p{i}"), "content_view", t(1, 7 + i)),
            "category",
            "pricing".into(),
        ));
    }
    let p = apply_all(&e, &events);
    let s = e.score(&p, t(1, 12)).unwrap();
    let group = &s.explanation.groups[0];
    assert_eq!(
        (
            group.net.to_string(),
            group.capped.to_string(),
            group.points.to_string()
        ),
        ("50".into(), "20".into(), "30".into())
    );
    // An unsubscribe nets inside the group before its cap: 50 - 15 = 35, clamped to 30.
    events.push(ev("u1", "unsubscribe", t(1, 13)));
    let p = apply_all(&e, &events);
    let s = e.score(&p, t(1, 14)).unwrap();
    assert_eq!(s.explanation.groups[0].net.to_string(), "35");
    assert_eq!(s.engagement.to_string(), "30");
    // Fit: Shanghai (+10, +1 letter) and 300 employees (+5, +2/3): D → B-.
    let mut p = p;
    p.update_customer(|c| {
        c.set_attribute("城市", crate::AttributeValue::Text("上海".into()), t(1, 0))
            .unwrap();
        c.set_attribute("employees", crate::AttributeValue::Number(300.0), t(1, 0))
            .unwrap();
    });
    let s = e.score(&p, t(1, 14)).unwrap();
    assert_eq!(s.fit.to_string(), "15");
    assert_eq!(s.grade.as_deref(), Some("B-"));
    assert_eq!(s.score.to_string(), "45");
}

#[test]
fn the_total_cap_clamps_last() {
    let e = engine();
    let mut events = Vec::new();
    for d in 1..=3 {
        for i in 0..4 {
            events.push(ev(&format!("m{d}_{i}"), "message", t(d, i)));
        }
    }
    events.push(ev("f1", "form", t(3, 5)));
    for d in 1..=3 {
        events.push(with(
            ev(&format!("p{d}"), "content_view", t(d, 6)),
            "category",
            "pricing".into(),
        ));
    }
    events.sort_by_key(|x| x.at);
    let p = apply_all(&e, &events);
    let s = e.score(&p, t(3, 6)).unwrap();
    // messages 12 × 4 decaying, form 50, pricing 3 × (10 + 5) = 45 capped to 30 by the group:
    // the total is over 100 before the total cap.
    assert!(s.explanation.total_capped.hundredths() > 0, "{s:?}");
    let sum: i64 = s
        .explanation
        .rules
        .iter()
        .map(|r| r.points.hundredths())
        .sum::<i64>()
        - s.explanation
            .groups
            .iter()
            .map(|g| g.capped.hundredths())
            .sum::<i64>()
        - s.explanation.total_capped.hundredths();
    assert_eq!(sum, s.engagement.hundredths());
    assert!(s.engagement.hundredths() <= 10_000);
}

#[test]
fn half_life_and_window_decay() {
    let e = engine();
    let p = apply_all(&e, &[ev("m1", "message", t(1, 0))]);
    assert_eq!(score(&e, &p, t(1, 0)), "4");
    assert_eq!(score(&e, &p, t(11, 0)), "2");
    assert_eq!(score(&e, &p, t(21, 0)), "1");
    // 4 × 2^-0.5 = 2.828… → 2.83
    assert_eq!(score(&e, &p, t(6, 0)), "2.83");
    let p = apply_all(&e, &[ev("f1", "form", t(1, 0)), ev("f2", "form", t(2, 0))]);
    // once: only the first form scores; its window is 30 days.
    let s = e.score(&p, t(30, 23)).unwrap();
    assert_eq!(
        (s.score.to_string(), s.explanation.rules[0].events),
        ("50".into(), 2)
    );
    assert_eq!(score(&e, &p, t(31, 0)), "0");
}

#[test]
fn thresholds_fire_once_and_rearm_below() {
    let e = engine();
    let mut p = fresh(&e);
    let f = e
        .apply(&mut p, &ev("f1", "form", t(1, 0)), t(1, 0))
        .unwrap();
    assert_eq!(f.thresholds.len(), 1);
    assert_eq!(f.alerts[0].message, "线索升温");
    let f2 = e
        .apply(&mut p, &ev("m1", "message", t(1, 1)), t(1, 1))
        .unwrap();
    assert!(f2.thresholds.is_empty(), "hot fires once");
    // 31 days later the form has dropped out: 0 + message decayed. The next event re-arms.
    let r = e
        .apply(&mut p, &ev("m2", "message", t(32, 0)), t(32, 0))
        .unwrap();
    assert_eq!(
        r.thresholds,
        vec![ThresholdChange {
            id: "hot".into(),
            fired: false,
            at: t(1, 0)
        }]
    );
    let again = e
        .apply(&mut p, &ev("f2", "form", t(33, 0)), t(33, 0))
        .unwrap();
    // once: the second form gives nothing, so no re-fire.
    assert!(again.thresholds.is_empty());
}

#[test]
fn stages_move_forward_only_with_guards_and_task_gates() {
    let e = engine();
    let mut p = fresh(&e);
    e.apply(&mut p, &ev("m1", "message", t(1, 0)), t(1, 0))
        .unwrap();
    assert_eq!(p.customer().stage.as_deref(), Some("lead"));
    let f = e
        .apply(&mut p, &ev("f1", "form", t(1, 1)), t(1, 1))
        .unwrap();
    // Score 54 >= 40 but the lead's call task is not done.
    assert_eq!(p.customer().stage.as_deref(), Some("lead"));
    assert!(f.stages.is_empty());
    let done = with(ev("d1", "task_done", t(1, 2)), "task", "call".into());
    let f = e.apply(&mut p, &done, t(1, 2)).unwrap();
    assert_eq!(p.customer().stage.as_deref(), Some("mql"));
    assert_eq!(f.stages[0].rule, "qualified");
    // A later message would advance to lead, which is behind: nothing happens.
    e.apply(&mut p, &ev("m2", "message", t(1, 3)), t(1, 3))
        .unwrap();
    assert_eq!(p.customer().stage.as_deref(), Some("mql"));
    let stages: Vec<&str> = p.stage_history().iter().map(|c| c.to.as_str()).collect();
    assert_eq!(stages, ["visitor", "lead", "mql"]);
}

#[test]
fn entering_a_stage_gives_its_tasks() {
    let e = engine();
    let mut p = fresh(&e);
    p.update_customer(|c| c.owner = Some("emp1".into()));
    let f = e
        .apply(&mut p, &ev("m1", "message", t(1, 0)), t(1, 0))
        .unwrap();
    assert_eq!(f.tasks.len(), 1);
    assert_eq!(f.tasks[0].due_at, Some(t(3, 0)));
    assert_eq!(f.tasks[0].owner.as_deref(), Some("emp1"));
}

#[test]
fn contact_tasks_and_intent_alerts_wait_for_the_contact_consent() {
    let playbook = PLAYBOOK.replace(
        "[engine]\nlateness = \"2h\"",
        "[engine]\nlateness = \"2h\"\ncontact_consent = { purpose = \"marketing\", channel = \"wecom\" }",
    );
    assert_ne!(playbook, PLAYBOOK);
    let e = Engine::compile(&Playbook::from_toml(&playbook).unwrap()).unwrap();
    // The setting only filters what Effects hand out: profiles folded without it stay valid.
    assert_eq!(e.fingerprint(), engine().fingerprint());
    let run = |consents: &[(crate::ConsentStatus, crate::ConsentSource)]| {
        let mut p = fresh(&e);
        p.update_customer(|c| {
            c.owner = Some("emp1".into());
            for (i, &(status, source)) in consents.iter().enumerate() {
                c.consents.record(crate::ConsentRecord {
                    purpose: "marketing".into(),
                    channel: "*".into(),
                    status,
                    at: t(1, 0) - TimeDelta::hours(2 - i as i64),
                    source,
                });
            }
        });
        let m = e
            .apply(&mut p, &ev("m1", "message", t(1, 0)), t(1, 0))
            .unwrap();
        let view = with(
            ev("p1", "content_view", t(1, 1)),
            "category",
            "pricing".into(),
        );
        let v = e.apply(&mut p, &view, view.at).unwrap();
        (m, v)
    };
    use crate::{ConsentSource::*, ConsentStatus::*};
    // No consent recorded: the stage's task and the intent alert are left out, and said so.
    let (m, v) = run(&[]);
    assert!(m.tasks.is_empty());
    assert_eq!(m.suppressed, ["task call: no marketing consent on wecom"]);
    assert!(v.alerts.iter().all(|a| a.kind != AlertKind::Intent));
    assert_eq!(v.suppressed, ["alert price: no marketing consent on wecom"]);
    // The customer's own withdrawal, over a system grant: still left out.
    let (m, _) = run(&[(Withdrawn, Customer), (Granted, System)]);
    assert_eq!(m.suppressed, ["task call: marketing on wecom is withdrawn"]);
    // Granted: handed out as without the setting.
    let (m, v) = run(&[(Granted, Customer)]);
    assert_eq!((m.tasks.len(), m.suppressed.len()), (1, 0));
    assert!(v.alerts.iter().any(|a| a.kind == AlertKind::Intent));
}

#[test]
fn dormancy_churn_and_reengagement() {
    let e = engine();
    let mut p = fresh(&e);
    e.apply(&mut p, &ev("m1", "message", t(1, 0)), t(1, 0))
        .unwrap();
    let f = e.tick(&mut p, t(40, 0)).unwrap();
    assert_eq!(p.customer().stage.as_deref(), Some("dormant"));
    assert_eq!(
        f.stages[0].at,
        t(31, 0),
        "dated when the silence reached 30 days"
    );
    assert_eq!(f.alerts[0].kind, AlertKind::Stage);
    let f = e
        .apply(&mut p, &ev("v1", "content_view", t(41, 0)), t(41, 0))
        .unwrap();
    assert_eq!(p.customer().stage.as_deref(), Some("lead"));
    assert_eq!(f.stages[0].rule, "back");
    let f = e
        .apply(&mut p, &ev("x1", "employee_deleted", t(42, 0)), t(42, 0))
        .unwrap();
    assert_eq!(p.customer().stage.as_deref(), Some("churned"));
    assert_eq!(f.alerts[0].message, "流失: 客户删除了员工");
}

#[test]
fn inactivity_between_events_is_found_without_a_tick() {
    let e = engine();
    let p = apply_all(
        &e,
        &[
            ev("m1", "message", t(1, 0)),
            ev("v1", "content_view", t(40, 0)),
        ],
    );
    let rules: Vec<&str> = p.stage_history().iter().map(|c| c.rule.as_str()).collect();
    assert_eq!(rules, ["initial", "engaged", "quiet", "back"]);
}

#[test]
fn replaying_an_event_changes_nothing() {
    let e = engine();
    let mut p = fresh(&e);
    let m = ev("m1", "message", t(1, 0));
    e.apply(&mut p, &m, t(1, 0)).unwrap();
    let settled = p.clone();
    let f = e.apply(&mut p, &m, t(2, 0)).unwrap();
    assert!(f.replayed && f.is_empty());
    assert_eq!(p, settled);
}

#[test]
fn a_late_event_within_the_bound_is_folded_in_at_its_place() {
    let e = engine();
    let a = with(ev("a", "message", t(1, 1)), "x", 1.into());
    let mut b = ev("b", "message", t(1, 2));
    b.text = Some("不需要".into());
    let mut c = ev("c", "message", t(1, 3));
    c.text = Some("多少钱".into());
    let in_order = apply_all(&e, &[a.clone(), b.clone(), c.clone()]);
    let mut late = fresh(&e);
    for x in [&a, &c] {
        e.apply(&mut late, x, x.at).unwrap();
    }
    let f = e.apply(&mut late, &b, t(1, 3)).unwrap();
    assert!(f.refolded);
    // b's intent_low came before c's intent_high, so nothing visible changes.
    assert!(f.tags.is_empty(), "{:?}", f.tags);
    assert_eq!(late, in_order);
    assert_eq!(late.customer().tags[0].tag_id, "intent_high");
}

#[test]
fn a_late_event_beyond_the_bound_is_refused_with_its_id_time_and_bound() {
    let e = engine();
    let mut p = fresh(&e);
    e.apply(&mut p, &ev("a", "message", t(1, 5)), t(1, 5))
        .unwrap();
    let before = p.clone();
    let err = e
        .apply(&mut p, &ev("old", "message", t(1, 2)), t(1, 5))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    let message = &err.problems()[0].message;
    assert!(
        message.contains("\"old\"")
            && message.contains("2026-03-01T02:00:00")
            && message.contains("2h"),
        "{message}"
    );
    assert_eq!(p, before);
}

/// `n` events of customers c0, c1 and c2 in turn, over 20 days: messages, views, forms and
/// purchases (of 99.90, except event `without_amount`, which then cannot be applied).
fn three_customers(n: usize, without_amount: Option<usize>) -> Vec<Event> {
    (0..n)
        .map(|i| {
            let kind = ["message", "content_view", "form", "purchase"][i % 4];
            let mut x = Event::new(
                "t",
                &format!("e{i}"),
                &format!("c{}", i % 3),
                kind,
                t(1 + (i as u32 * 7) % 20, (i % 24) as u32),
            );
            if kind == "purchase" && without_amount != Some(i) {
                x.properties.insert("amount".into(), "99.90".into());
            }
            x
        })
        .collect()
}

#[test]
fn a_batch_fold_equals_applying_one_by_one() {
    let e = engine();
    let events = three_customers(40, None);
    let mut folded = Vec::new();
    let report = e.fold(&mut folded, &events).unwrap();
    assert_eq!(
        (report.applied, report.created, report.refused.len()),
        (40, 3, 0)
    );
    for c in 0..3 {
        let id = format!("c{c}");
        let mut mine: Vec<&Event> = events.iter().filter(|x| x.customer_id == id).collect();
        mine.sort_by_key(|x| (x.at, x.id.clone()));
        let first = mine[0].at;
        let mut p = e.new_profile(&id, first).unwrap();
        for x in mine {
            e.apply(&mut p, x, x.at).unwrap();
        }
        let f = folded.iter().find(|p| p.customer().id == id).unwrap();
        assert_eq!(f, &p);
    }
    // Folding the same batch again replays every event.
    let again = e.fold(&mut folded, &events).unwrap();
    assert_eq!((again.applied, again.replayed), (0, 40));
}

#[test]
fn a_fold_with_effects_ends_as_the_fold_and_reports_each_event_in_order() {
    let e = engine();
    let mut events = three_customers(30, Some(7));
    // A replay within the batch, and a purchase without an amount (e7) that is refused.
    events.push(events[4].clone());
    let mut folded = Vec::new();
    let plain = e.fold(&mut folded, &events).unwrap();
    let mut each = Vec::new();
    let mut with_effects = Vec::new();
    let report = e
        .fold_with_effects(&mut with_effects, &events, |i, fx| {
            each.push((i, fx.clone()));
        })
        .unwrap();
    assert_eq!(report, plain);
    assert_eq!((report.applied, report.replayed), (29, 1));
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].event_id, "e7");
    assert_eq!(with_effects, folded);
    // One call per event not refused, each customer's in time order, with apply's effects.
    assert_eq!(each.len(), 30);
    for c in 0..3 {
        let id = format!("c{c}");
        let mine: Vec<&(usize, Effects)> = each
            .iter()
            .filter(|(i, _)| events[*i].customer_id == id)
            .collect();
        let mut expected: Vec<usize> = (0..events.len())
            .filter(|&i| events[i].customer_id == id && events[i].id != "e7")
            .collect();
        expected.sort_by_key(|&i| (events[i].at, events[i].id.clone()));
        assert_eq!(mine.iter().map(|(i, _)| *i).collect::<Vec<_>>(), expected);
        let mut p = e.new_profile(&id, events[expected[0]].at).unwrap();
        for (i, fx) in mine {
            let x = &events[*i];
            assert_eq!(&e.apply(&mut p, x, x.at).unwrap(), fx, "event {}", x.id);
        }
    }
    assert!(each.iter().any(|(_, fx)| fx.replayed));
}

#[test]
fn both_folds_keep_the_first_copy_of_a_repeated_id_and_refuse_the_same_late_events() {
    let e = engine();
    // An existing profile whose latest event is on day 5, at noon (lateness 2 h).
    let mut start = vec![fresh(&e)];
    e.fold(&mut start, &[ev("e0", "message", t(5, 12))])
        .unwrap();
    // `x` comes first at 14:00, then again at 13:00; `late` is 3 h behind the latest event;
    // and 40 more events with a repeat among them take the screen's set path (over 32).
    let mut batch = vec![
        ev("x", "form", t(5, 14)),
        ev("x", "message", t(5, 13)),
        ev("late", "message", t(5, 9)),
    ];
    for i in 0..40 {
        batch.push(ev(
            &format!("n{i}"),
            "content_view",
            t(6, 0) + TimeDelta::minutes(i),
        ));
    }
    batch.push(ev("n7", "content_view", t(7, 0)));
    let mut folded = start.clone();
    let plain = e.fold(&mut folded, &batch).unwrap();
    let mut calls = Vec::new();
    let mut with_effects = start.clone();
    let report = e
        .fold_with_effects(&mut with_effects, &batch, |i, fx| {
            calls.push((i, fx.replayed))
        })
        .unwrap();
    assert_eq!(report, plain);
    assert_eq!((plain.applied, plain.replayed), (41, 2));
    assert_eq!(
        plain.refused.iter().map(|r| r.index).collect::<Vec<_>>(),
        [2]
    );
    assert_eq!(with_effects, folded);
    // The copy of `x` kept is the first in the batch (a form at 14:00), not the earlier one.
    let without = |skip: usize| -> Vec<Profile> {
        let mut p = start.clone();
        let kept: Vec<Event> = (0..batch.len())
            .filter(|&k| k != skip && k != 2 && k != batch.len() - 1)
            .map(|k| batch[k].clone())
            .collect();
        e.fold(&mut p, &kept).unwrap();
        p
    };
    assert_eq!(folded, without(1));
    assert_ne!(folded, without(0));
    // Every event but the refused one gets a call, the later copies as replays.
    assert_eq!(calls.len(), batch.len() - 1);
    let replays: Vec<usize> = calls.iter().filter(|c| c.1).map(|c| c.0).collect();
    assert_eq!(replays, [1, batch.len() - 1]);
}

#[test]
fn the_replay_key_is_murmur3_x64_128() {
    // From Python's mmh3 5.x: hex(mmh3.hash128(s.encode(), 0, signed=False)).
    for (id, hash) in [
        ("", 0),
        ("hello", 0x5b1e906a48ae1d19cbd8a7b341bd9b02),
        ("e49101378", 0x9051d7bc22b67d5a45857385b66ec720),
        ("e226542706", 0x50a093c1f4c5dbe121609ef3e64e41ec),
        (
            "a-much-longer-event-id-0123456789abcdef",
            0xa232bdf8e304794c13a238cd2a586507,
        ),
        ("事件-1", 0x7a347cb0f5c90750672df9e50b2d0cb5),
    ] {
        assert_eq!(id_hash128(id), hash, "{id:?}");
    }
}

#[test]
fn two_ids_with_the_same_53_bit_hash_are_both_applied() {
    // Found by a birthday search over e0..e2^28: the 53-bit replay key of decision 0004 took
    // the second for a replay of the first and dropped it.
    let (a, b) = ("e49101378", "e226542706");
    assert_eq!(id_hash(a), id_hash(b));
    assert_ne!(id_hash128(a), id_hash128(b));
    let e = engine();
    let mut p = fresh(&e);
    let first = e
        .apply(&mut p, &ev(a, "message", t(1, 1)), t(1, 1))
        .unwrap();
    let second = e
        .apply(&mut p, &ev(b, "message", t(1, 2)), t(1, 2))
        .unwrap();
    assert!(!first.replayed && !second.replayed);
    assert_eq!(p.events_seen(), 2);
    // Through JSON too, and a true replay is still one.
    let mut back = Profile::from_json(&p.to_json()).unwrap();
    assert_eq!(back, p);
    assert!(
        e.apply(&mut back, &ev(b, "message", t(1, 2)), t(1, 2))
            .unwrap()
            .replayed
    );
}

#[test]
fn a_profile_written_with_53_bit_replay_keys_still_recognises_its_events() {
    let e = engine();
    let mut p = fresh(&e);
    for i in 0..3 {
        e.apply(&mut p, &ev(&format!("e{i}"), "message", t(1, i)), t(1, i))
            .unwrap();
    }
    // The same profile as written before decision 0027: `seen` an array of 53-bit hashes.
    let mut json: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
    let legacy: Vec<u64> = {
        let mut v: Vec<u64> = (0..3).map(|i| id_hash(&format!("e{i}"))).collect();
        v.sort_unstable();
        v
    };
    json["seen"] = serde_json::json!(legacy);
    let mut old = Profile::from_json(&json.to_string()).unwrap();
    assert_eq!(old.events_seen(), 3);
    assert!(
        e.apply(&mut old, &ev("e1", "message", t(1, 1)), t(1, 1))
            .unwrap()
            .replayed
    );
    let fx = e
        .apply(&mut old, &ev("e9", "message", t(1, 5)), t(1, 5))
        .unwrap();
    assert!(!fx.replayed);
    // Written back, it keeps both kinds of key, and reads back the same.
    let again = old.to_json();
    assert!(again.contains("\"seen_53\":["), "{again}");
    assert_eq!(Profile::from_json(&again).unwrap(), old);
    assert_eq!(old.events_seen(), 4);
    // A `seen` that is neither is refused, naming the field.
    json["seen"] = serde_json::json!("not base64!");
    let err = Profile::from_json(&json.to_string()).unwrap_err();
    assert!(err.to_string().contains("seen"), "{err}");
}

#[test]
fn purchases_need_an_amount_and_feed_rfm() {
    let e = engine();
    let mut p = fresh(&e);
    let err = e
        .apply(&mut p, &ev("p0", "purchase", t(1, 0)), t(1, 0))
        .unwrap_err();
    assert_eq!(err.problems()[0].path, "event.properties.amount");
    for (i, amount) in ["300", "250.5"].iter().enumerate() {
        let x = with(
            ev(&format!("p{i}"), "purchase", t(1 + i as u32, 0)),
            "amount",
            (*amount).into(),
        );
        e.apply(&mut p, &x, x.at).unwrap();
    }
    assert_eq!(p.customer().stage.as_deref(), Some("customer"));
    let rfm = e.rfm([&p], t(10, 0), RfmMode::Binary).unwrap();
    assert_eq!((rfm[0].r, rfm[0].f, rfm[0].m), (1, 1, 1));
    assert_eq!(rfm[0].segment.as_deref(), Some("重要价值客户"));
    assert_eq!(rfm[0].monetary, "550.5");
    let rfm = e.rfm([&p], t(60, 0), RfmMode::Binary).unwrap();
    assert_eq!(rfm[0].segment.as_deref(), Some("重要保持客户"));
}

#[test]
fn priority_list_ranks_with_reasons() {
    let e = engine();
    let mut hot = fresh(&e);
    hot.update_customer(|c| c.owner = Some("emp1".into()));
    let view = with(
        with(
            ev("p1", "content_view", t(9, 22)),
            "category",
            "pricing".into(),
        ),
        "duration_s",
        180.into(),
    );
    e.apply(&mut hot, &view, view.at).unwrap();
    let mut cold = e.new_profile("c2", t(1, 0)).unwrap();
    cold.update_customer(|c| c.owner = Some("emp1".into()));
    let other = e.new_profile("c3", t(1, 0)).unwrap();
    let list = e
        .priority_list("emp1", [&cold, &hot, &other], t(10, 0))
        .unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].customer_id, "c1");
    assert!(
        list[0]
            .reason
            .starts_with("viewed the price list for 3 min (2 h ago)"),
        "{}",
        list[0].reason
    );
    assert!(
        list[1]
            .reason
            .contains("not contacted in 9 days (2 days overdue)"),
        "{}",
        list[1].reason
    );
}

#[test]
fn a_high_intent_action_alerts_the_owner_with_the_time_since_the_last_contact() {
    let e = engine();
    let mut p = fresh(&e);
    p.update_customer(|c| c.owner = Some("emp1".into()));
    let call = ev("f1", "follow_up", t(1, 10));
    e.apply(&mut p, &call, call.at).unwrap();
    let view = with(
        with(
            ev("p1", "content_view", t(10, 12)),
            "category",
            "pricing".into(),
        ),
        "duration_s",
        180.into(),
    );
    let effects = e.apply(&mut p, &view, view.at).unwrap();
    let intent: Vec<&Alert> = effects
        .alerts
        .iter()
        .filter(|a| a.kind == AlertKind::Intent)
        .collect();
    assert_eq!(intent.len(), 1, "{:?}", effects.alerts);
    assert_eq!(intent[0].id, "price");
    assert_eq!(
        intent[0].message,
        "viewed the price list for 3 min; last contact 9 days ago"
    );
    assert_eq!(
        (intent[0].owner.as_deref(), intent[0].at),
        (Some("emp1"), view.at)
    );
    // The same event again, or another kind of event, alerts nothing new.
    assert!(e.apply(&mut p, &view, view.at).unwrap().alerts.is_empty());
    let other = ev("m1", "message", t(10, 13));
    let effects = e.apply(&mut p, &other, other.at).unwrap();
    assert!(effects.alerts.iter().all(|a| a.kind != AlertKind::Intent));
}

#[test]
fn rescoring_after_a_rule_edit_is_as_if_the_rule_had_always_been_there() {
    let e = engine();
    let events = [ev("m1", "message", t(1, 0)), ev("f1", "form", t(2, 0))];
    let p = apply_all(&e, &events);
    let edited = PLAYBOOK.replace("points = 50\nonce = true", "points = 20\nonce = true");
    let e2 = Engine::compile(&Playbook::from_toml(&edited).unwrap()).unwrap();
    assert_eq!(
        e2.apply(&mut p.clone(), &ev("x", "message", t(3, 0)), t(3, 0))
            .unwrap_err()
            .problems()[0]
            .path,
        "profile.fingerprint"
    );
    let (rescored, effects) = e2.rescore(&p, &events, t(3, 0)).unwrap();
    let mut from_scratch = e2.new_profile("c1", t(1, 0)).unwrap();
    for x in &events {
        e2.apply(&mut from_scratch, x, x.at).unwrap();
    }
    assert_eq!(
        e2.score(&rescored, t(3, 0)).unwrap(),
        e2.score(&from_scratch, t(3, 0)).unwrap()
    );
    assert!(effects.score.is_some_and(|s| s.before.is_none()));
}

#[test]
fn an_engine_is_shared_across_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Engine>();
    shared::<Profile>();
}

#[test]
fn profiles_round_trip_through_json() {
    let e = engine();
    let p = apply_all(
        &e,
        &[ev("m1", "message", t(1, 0)), ev("f1", "form", t(1, 1))],
    );
    let back = Profile::from_json(&p.to_json()).unwrap();
    assert_eq!(back, p);
    assert!(p.memory_bytes() > 0);
}

#[test]
fn the_base_is_written_as_its_difference_from_the_live_state() {
    let e = engine();
    let p = apply_all(
        &e,
        &[
            ev("m1", "message", t(1, 0)),
            ev("v1", "content_view", t(2, 0)),
        ],
    );
    let base = p.base.as_deref().expect("the retained events have a base");
    let json: serde_json::Value = serde_json::from_str(&p.to_json()).unwrap();
    let written = &json["base"];
    // Every part of the base is either written or named in `as_live`, never both, and a named
    // part is the live state's.
    let named: Vec<&str> = written["as_live"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let full = serde_json::to_value(base).unwrap();
    let live = serde_json::to_value(&p.live).unwrap();
    for part in ["customer", "lifecycle", "score", "fired", "history"] {
        let is_named = named.contains(&part);
        assert_ne!(is_named, written.get(part).is_some(), "{part}: {written}");
        if is_named {
            assert_eq!(full.get(part), live.get(part), "{part}");
        }
    }
    if named.contains(&"stage_history") {
        assert!(written["lifecycle"].get("history").is_none(), "{written}");
        assert_eq!(
            full["lifecycle"].get("history"),
            live["lifecycle"].get("history")
        );
    }
    assert!(named.contains(&"customer"), "{written}");
    assert!(named.contains(&"stage_history"), "{written}");
    // The message rule's memory is the same in both: named, not written twice.
    let rules_named = written["score"]["rules_as_live"].as_array().unwrap();
    assert_eq!(rules_named.len(), 1, "{written}");
    assert_eq!(
        full["score"]["rules"][0],
        live["score"]["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["rule"] == rules_named[0])
            .cloned()
            .unwrap()
    );
    assert!(
        !named.contains(&"history"),
        "a retained event is in the live history: {written}"
    );
    assert_eq!(Profile::from_json(&p.to_json()).unwrap(), p);

    // A profile written with its base in full (before decision 0022) reads the same.
    let mut old = json.clone();
    old["base"] = full;
    assert_eq!(Profile::from_json(&old.to_string()).unwrap(), p);

    // A part both written and named, or a customer neither, is refused with the path.
    let mut both = json.clone();
    both["base"]["customer"] = live["customer"].clone();
    let err = Profile::from_json(&both.to_string()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(
        err.to_string()
            .contains("base.customer is written and also named in base.as_live"),
        "{err}"
    );
    let mut unknown_rule = json.clone();
    unknown_rule["base"]["score"]["rules_as_live"] = serde_json::json!([99]);
    let err = Profile::from_json(&unknown_rule.to_string()).unwrap_err();
    assert!(err.to_string().contains("names rule 99"), "{err}");
    let mut neither = json;
    neither["base"]["as_live"] = serde_json::json!([]);
    let err = Profile::from_json(&neither.to_string()).unwrap_err();
    assert!(
        err.to_string().contains("base.customer is missing"),
        "{err}"
    );
}

#[test]
fn validation_reports_every_problem_with_its_path() {
    let bad = r#"
schema_version = 1
tenant_id = "t"
timezone = "UTC"
[[scoring.rules]]
id = "a"
event = "view"
points = 1.234
group = "nope"
cap = -5
decay = { half_life = "soon" }
when = "score >="
[[scoring.rules]]
id = "a"
event = "view"
points = 1
cap_window = "1d"
[[scoring.thresholds]]
id = "x"
score = 10
rearm_below = 20
[[lifecycle.rules]]
kind = "advance"
id = "r"
to = "nowhere"
[[lifecycle.rules]]
kind = "advance"
id = "s"
to = "dormant"
[[lifecycle.rules]]
kind = "inactivity"
id = "q"
after = "0d"
to = "dormant"
[engine]
lateness = "forever"
"#;
    let err = Playbook::from_toml(bad).unwrap_err();
    let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "scoring.rules[0].when",
            "scoring.rules[0].points",
            "scoring.rules[0].group",
            "scoring.rules[0].cap",
            "scoring.rules[0].decay.half_life",
            "scoring.rules[1].id",
            "scoring.rules[1].cap_window",
            "scoring.thresholds[0].rearm_below",
            "lifecycle.rules[0].to",
            "lifecycle.rules[1].to",
            "lifecycle.rules[2].after",
            "engine.lateness",
        ]
    );
}
