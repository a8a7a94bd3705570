//! Dormancy in `due`: the lifecycle's inactivity rules, reported with the reclaims, and the same
//! answer as the engine's time-based check.

use chrono::TimeDelta;

use super::{playbook, t};
use crate::pool::{DueAction, PoolFacts, PoolRules};
use crate::{Engine, ErrorKind, Event, Playbook};

/// The sample brand playbook: `silent_60d` moves any live stage to `dormant` after 60 days.
fn brand() -> Playbook {
    Playbook::from_json(include_str!("../../../../examples/playbooks/brand.json")).unwrap()
}

fn facts(id: &str, stage: &str, last_activity: &str) -> PoolFacts {
    let mut f = PoolFacts::new(id);
    f.stage = Some(stage.to_owned());
    f.last_activity = Some(t(last_activity));
    f
}

#[test]
fn silence_past_the_rule_is_due_with_its_reason_and_json_shape() {
    let rules = PoolRules::new(&brand()).unwrap();
    let list = [
        facts("c1", "mql", "2026-01-01T00:00:00Z"), // 60 days before 2 March 00:00
        facts("c2", "mql", "2026-01-01T00:00:01Z"), // one second short
        facts("c3", "dormant", "2025-01-01T00:00:00Z"), // already there
        facts("c4", "churned", "2025-01-01T00:00:00Z"), // a side stage: the rule is for live ones
        PoolFacts::new("c5"),                       // nothing known
    ];
    let due = rules.due(&list, t("2026-03-02T00:00:00Z")).unwrap();
    let items = due.items();
    assert_eq!(items.len(), 1, "{}", due.to_json());
    assert_eq!(items[0].customer_id, "c1");
    let DueAction::Dormant {
        rule,
        to,
        silent_days,
        ..
    } = &items[0].action
    else {
        panic!("{:?}", items[0].action)
    };
    assert_eq!(
        (rule.as_str(), to.as_str(), *silent_days),
        ("silent_60d", "dormant", 60)
    );
    assert_eq!(
        items[0].reason(),
        "moves to dormant: no activity since 2026-01-01 00:00 UTC (60 days), rule silent_60d \
         after 60d (60 天无互动)"
    );
    let json: serde_json::Value = serde_json::from_str(&due.to_json()).unwrap();
    let item = &json["items"][0];
    assert_eq!(item["action"], "dormant");
    assert_eq!(item["to"], "dormant");
    assert_eq!(item["last_activity"], "2026-01-01T00:00:00Z");
    assert_eq!(item["silent_days"], 60);
    assert!(item.get("idle_days").is_none());
}

#[test]
fn an_owned_customer_can_be_reclaimed_and_dormant_at_once() {
    let rules = PoolRules::new(&brand()).unwrap();
    let mut f = facts("c1", "lead", "2026-01-01T00:00:00Z");
    f.owner = Some(crate::pool::Owner::new("zhou", t("2026-01-01T00:00:00Z")));
    let due = rules
        .due(std::slice::from_ref(&f), t("2026-03-10T00:00:00Z"))
        .unwrap();
    let actions: Vec<&str> = due
        .items()
        .iter()
        .map(|i| match i.action {
            DueAction::Reclaim { .. } => "reclaim",
            DueAction::Dormant { .. } => "dormant",
            _ => "other",
        })
        .collect();
    assert_eq!(actions, ["reclaim", "dormant"]);
}

#[test]
fn pool_stages_must_be_lifecycle_stages() {
    let doc = serde_json::json!({
        "schema_version": 1, "tenant_id": "t", "timezone": "UTC",
        "pool": {"reclaim": [{"stage": "leads", "days": 14}], "exempt_stages": ["vip"]}
    });
    let e = Playbook::from_json(&doc.to_string()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    let lines: Vec<String> = e.problems().iter().map(ToString::to_string).collect();
    assert_eq!(lines.len(), 2, "{e}");
    assert!(
        lines[0].starts_with(
            "pool.reclaim[0].stage: no lifecycle stage \"leads\"; known: visitor, lead,"
        ),
        "{e}"
    );
    assert!(
        lines[1].starts_with("pool.exempt_stages[0]: no lifecycle stage \"vip\""),
        "{e}"
    );
    // The same stage ids are fine once the lifecycle defines them.
    playbook(serde_json::json!({
        "lifecycle": {"stages": [{"id": "leads", "name": "线索"}, {"id": "vip", "name": "VIP"}]},
        "pool": {"reclaim": [{"stage": "leads", "days": 14}], "exempt_stages": ["vip"]}
    }));
}

/// `due` reports dormancy exactly when the engine's `tick` at the same time moves the customer.
#[test]
fn due_agrees_with_the_engine_tick() {
    due_and_tick_agree(&brand(), 9);
}

/// With two inactivity rules, the engine moves by the first one in playbook order that is due,
/// so a later rule with a shorter silence moves the customer first; `due` reports the same.
#[test]
fn due_agrees_with_the_engine_tick_over_two_inactivity_rules() {
    let toml = include_str!("../../../../examples/playbooks/brand.toml").replace(
        "[[lifecycle.rules]]\nkind = \"inactivity\"\nid = \"silent_60d\"",
        "[[lifecycle.rules]]\nkind = \"inactivity\"\nid = \"silent_120d\"\nafter = \"120d\"\nto = \"churned\"\n\n\
         [[lifecycle.rules]]\nkind = \"inactivity\"\nid = \"silent_60d\"",
    );
    assert!(
        toml.contains("silent_120d"),
        "the sample playbook's inactivity rule moved"
    );
    let playbook = Playbook::from_toml(&toml).unwrap();
    // 60 days + 0, 1, 23 h, 61 days: dormant by the second rule; 200 days: churned by the first.
    due_and_tick_agree(&playbook, 9);
}

/// A rule that counts only some events keeps its own silence: `Engine::pool_facts` passes it per
/// rule, and `due` over those facts answers as `tick` does where one last activity for all rules
/// would not.
#[test]
fn due_over_pool_facts_agrees_with_tick_when_a_rule_counts_only_some_events() {
    let toml = include_str!("../../../../examples/playbooks/brand.toml").replace(
        "[[lifecycle.rules]]\nkind = \"inactivity\"\nid = \"silent_60d\"",
        "[[lifecycle.rules]]\nkind = \"inactivity\"\nid = \"no_order_90d\"\nafter = \"90d\"\n\
         to = \"churned\"\nactivity = [\"purchase\"]\n\n\
         [[lifecycle.rules]]\nkind = \"inactivity\"\nid = \"silent_60d\"",
    );
    assert!(
        toml.contains("no_order_90d"),
        "the sample playbook's inactivity rule moved"
    );
    let playbook = Playbook::from_toml(&toml).unwrap();
    let engine = Engine::compile(&playbook).unwrap();
    let rules = PoolRules::new(&playbook).unwrap();
    let start = t("2026-01-05T02:00:00Z");
    let (mut moves, mut per_rule_mattered) = (0, 0);
    // A purchase, then messages every 20 days: silent_60d never fires, no_order_90d does.
    for checked_after in [40i64, 80, 89, 90, 91, 120] {
        let mut profile = engine.new_profile("c1", start).unwrap();
        let mut purchase = Event::new("chayuan-tea", "p0", "c1", "purchase", start);
        purchase.properties.insert("amount".into(), "88".into());
        engine.apply(&mut profile, &purchase, start).unwrap();
        let now = start + TimeDelta::days(checked_after);
        let mut at = start + TimeDelta::days(20);
        let mut i = 0;
        while at < now {
            let e = Event::new("chayuan-tea", &format!("m{i}"), "c1", "message", at);
            engine.apply(&mut profile, &e, at).unwrap();
            at += TimeDelta::days(20);
            i += 1;
        }
        let stage = profile.customer().stage.clone().unwrap();
        let facts = engine.pool_facts(&profile).unwrap();
        // Only the purchase rule runs from an earlier instant than `last_activity`.
        let listed: Vec<&str> = facts
            .last_activity_by_rule
            .keys()
            .map(String::as_str)
            .collect();
        assert!(listed.is_empty() || listed == ["no_order_90d"], "{facts:?}");
        let dormant = |f: &PoolFacts| {
            let due = rules.due(std::slice::from_ref(f), now).unwrap();
            due.items().iter().find_map(|i| match &i.action {
                DueAction::Dormant { to, .. } => Some(to.clone()),
                _ => None,
            })
        };
        let reported = dormant(&facts);
        let mut one_for_all = facts.clone();
        one_for_all.last_activity_by_rule.clear();
        per_rule_mattered += usize::from(dormant(&one_for_all) != reported);
        engine.tick(&mut profile, now).unwrap();
        let after = profile.customer().stage.clone().unwrap();
        let moved = (after != stage).then_some(after);
        assert_eq!(
            reported, moved,
            "checked {checked_after} days after the purchase"
        );
        moves += usize::from(moved.is_some());
    }
    // 90 and 91 days: churned. By 120 days the engine churned the customer at 90 and the
    // message at 100 woke them, so silence runs from then and nothing is due.
    assert_eq!(moves, 2);
    assert!(
        per_rule_mattered > 0,
        "the case does not tell the two apart"
    );
}

fn due_and_tick_agree(playbook: &Playbook, expected_moves: usize) {
    let playbook = playbook.clone();
    let engine = Engine::compile(&playbook).unwrap();
    let rules = PoolRules::new(&playbook).unwrap();
    let start = t("2026-01-05T02:00:00Z");
    let mut moves = 0;
    for (i, days) in [0i64, 30, 59, 60, 61, 200].into_iter().enumerate() {
        for hours in [0i64, 1, 23] {
            let mut profile = engine.new_profile("c1", start).unwrap();
            let last = start + TimeDelta::days(i as i64);
            let event = Event::new("chayuan-tea", &format!("e{i}"), "c1", "message", last);
            engine.apply(&mut profile, &event, last).unwrap();
            let stage = profile.customer().stage.clone().unwrap();
            let now = last + TimeDelta::days(days) + TimeDelta::hours(hours);
            let mut f = PoolFacts::from_customer(profile.customer());
            f.last_activity = Some(last);
            let due = rules.due(std::slice::from_ref(&f), now).unwrap();
            let reported = due.items().iter().find_map(|i| match &i.action {
                DueAction::Dormant { to, .. } => Some(to.clone()),
                _ => None,
            });
            engine.tick(&mut profile, now).unwrap();
            let after = profile.customer().stage.clone().unwrap();
            let moved = (after != stage).then_some(after);
            assert_eq!(
                reported, moved,
                "{days} days {hours} h after the last activity"
            );
            moves += usize::from(moved.is_some());
        }
    }
    // 60 days + 0, 1, 23 h; 61 days; 200 days: both say the customer moves.
    assert_eq!(moves, expected_moves);
}
