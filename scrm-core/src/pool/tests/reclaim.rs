//! Reclaim, warnings and exemptions: [`PoolRules::due`].

use super::{playbook, t};
use crate::pool::{DueAction, DueContext, DueItem, DueRule, Owner, PoolFacts, PoolRules};

fn rules() -> PoolRules {
    PoolRules::new(&playbook(serde_json::json!({"pool": {
        "reclaim": [{"stage": "lead", "days": 14}, {"stage": "sql", "days": 7, "grace_days": 0}],
        "default_days": 30,
        "grace_days": 2,
        "warn_days": 3,
        "exempt_stages": ["customer"],
        "protect_limit": 1
    }})))
    .unwrap()
}

/// Owned by wang since 2026-03-01 10:00 Shanghai (02:00 UTC), in `stage`.
fn owned(id: &str, stage: &str) -> PoolFacts {
    let mut f = PoolFacts::new(id);
    f.owner = Some(Owner::new("wang", t("2026-03-01T02:00:00Z")));
    f.stage = Some(stage.to_owned());
    f
}

fn reasons(rules: &PoolRules, facts: &[PoolFacts], now: &str) -> Vec<String> {
    rules
        .due(facts, t(now))
        .unwrap()
        .items()
        .iter()
        .map(|i| format!("{} {}", i.customer_id, i.reason()))
        .collect()
}

#[test]
fn a_never_followed_customer_counts_from_the_day_the_owner_took_it_on() {
    let facts = [owned("c1", "lead")];
    // 1 March + 16 days = 17 March (Shanghai): 14 days + 2 grace days.
    assert_eq!(
        reasons(&rules(), &facts, "2026-03-17T02:00:00Z"),
        [
            "c1 not followed up in the 16 days since wang took it on; the lead-stage limit is 14 days + 2 grace days"
        ]
    );
    let due = rules().due(&facts, t("2026-03-17T02:00:00Z")).unwrap();
    let DueAction::Reclaim { idle, over_quota } = &due.items()[0].action else {
        panic!("a reclaim")
    };
    assert_eq!(
        (idle.days, idle.followed_up, over_quota),
        (16, false, &None)
    );
}

#[test]
fn the_reclaim_day_starts_at_local_midnight() {
    let facts = [owned("c1", "lead")];
    // 23:59:59 on 16 March in Shanghai: one day left.
    assert_eq!(
        reasons(&rules(), &facts, "2026-03-16T15:59:59Z"),
        [
            "c1 goes to the pool in 1 day (on 2026-03-17) unless followed up: not followed up in the 15 days since wang took it on; the lead-stage limit is 14 days + 2 grace days"
        ]
    );
    // 00:00 on 17 March in Shanghai.
    let due = rules().due(&facts, t("2026-03-16T16:00:00Z")).unwrap();
    assert_eq!(due.reclaims().count(), 1);
}

#[test]
fn warnings_cover_the_last_warn_days_days() {
    let facts = [owned("c1", "lead")];
    assert!(reasons(&rules(), &facts, "2026-03-13T02:00:00Z").is_empty()); // 12 idle days
    let due = rules().due(&facts, t("2026-03-14T02:00:00Z")).unwrap(); // 13 idle days
    let DueAction::Warn {
        days_left,
        reclaim_on,
        ..
    } = &due.items()[0].action
    else {
        panic!("a warning")
    };
    assert_eq!(*days_left, 3);
    assert_eq!(reclaim_on.to_string(), "2026-03-17");
}

#[test]
fn a_follow_up_restarts_the_clock_but_an_earlier_owner_s_does_not() {
    let mut later = owned("c1", "lead");
    later.last_follow_up = Some(t("2026-03-05T01:00:00Z"));
    let mut earlier = owned("c2", "lead");
    earlier.last_follow_up = Some(t("2026-02-20T01:00:00Z"));
    assert_eq!(
        reasons(&rules(), &[later, earlier], "2026-03-17T02:00:00Z"),
        [
            "c2 not followed up in the 16 days since wang took it on; the lead-stage limit is 14 days + 2 grace days",
        ]
    );
    let mut later = owned("c1", "lead");
    later.last_follow_up = Some(t("2026-03-05T01:00:00Z"));
    assert_eq!(
        reasons(&rules(), &[later], "2026-03-21T02:00:00Z"),
        ["c1 no follow-up for 16 days; the lead-stage limit is 14 days + 2 grace days"]
    );
}

#[test]
fn stage_rules_default_and_exempt_stages() {
    let facts = [
        owned("sql", "sql"),           // 7 days, grace 0
        owned("other", "opportunity"), // no rule: default 30 + 2
        owned("paid", "customer"),     // exempt
        {
            let mut f = owned("nostage", "x");
            f.stage = None;
            f
        },
        PoolFacts::new("pooled"), // no owner
    ];
    assert_eq!(
        reasons(&rules(), &facts, "2026-03-08T02:00:00Z"),
        ["sql not followed up in the 7 days since wang took it on; the sql-stage limit is 7 days"]
    );
    assert_eq!(
        reasons(&rules(), &facts, "2026-04-02T02:00:00Z"),
        [
            "nostage not followed up in the 32 days since wang took it on; the default limit is 30 days + 2 grace days",
            "other not followed up in the 32 days since wang took it on; the default limit is 30 days + 2 grace days",
            "sql not followed up in the 32 days since wang took it on; the sql-stage limit is 7 days",
        ]
    );
    let without_default = PoolRules::new(&playbook(serde_json::json!({"pool": {
        "reclaim": [{"stage": "lead", "days": 14}]
    }})))
    .unwrap();
    assert!(reasons(&without_default, &facts, "2027-01-01T00:00:00Z").is_empty());
}

#[test]
fn protection_within_the_quota_and_open_tasks_keep_a_customer() {
    let mut first = owned("c1", "lead");
    first.protected_at = Some(t("2026-03-02T00:00:00Z"));
    let mut second = owned("c2", "lead");
    second.protected_at = Some(t("2026-03-03T00:00:00Z")); // beyond wang's quota of 1
    let mut busy = owned("c3", "lead");
    busy.open_tasks = 2;
    let facts = [second, busy, first];
    assert_eq!(
        reasons(&rules(), &facts, "2026-03-20T02:00:00Z"),
        [
            "c1 overdue (not followed up in the 19 days since wang took it on; the lead-stage limit is 14 days + 2 grace days) but kept: protected since 2026-03-02 00:00 UTC",
            "c2 not followed up in the 19 days since wang took it on; the lead-stage limit is 14 days + 2 grace days; its protection (since 2026-03-03 00:00 UTC) is wang's 2nd-oldest, beyond the quota of 1",
            "c3 overdue (not followed up in the 19 days since wang took it on; the lead-stage limit is 14 days + 2 grace days) but kept: 2 open tasks",
        ]
    );
    // Kept customers are not warned either.
    assert_eq!(
        reasons(&rules(), &facts, "2026-03-15T02:00:00Z"),
        [
            "c2 goes to the pool in 2 days (on 2026-03-17) unless followed up: not followed up in the 14 days since wang took it on; the lead-stage limit is 14 days + 2 grace days"
        ]
    );
}

#[test]
fn the_output_does_not_depend_on_input_order() {
    let facts: Vec<PoolFacts> = (0..20)
        .map(|i| {
            let mut f = owned(&format!("c{i:02}"), if i % 2 == 0 { "lead" } else { "sql" });
            f.last_follow_up = Some(t("2026-03-01T02:00:00Z") + chrono::TimeDelta::days(i % 7));
            f
        })
        .collect();
    let mut reversed = facts.clone();
    reversed.reverse();
    let now = t("2026-03-17T02:00:00Z");
    let a = rules().due(&facts, now).unwrap();
    let b = rules().due(&reversed, now).unwrap();
    assert_eq!(a, b);
    assert!(a.reclaims().count() > 0 && a.warnings().count() > 0);
}

struct Dormant;

impl DueRule for Dormant {
    fn check<'a>(&self, facts: &'a PoolFacts, context: &DueContext, out: &mut Vec<DueItem<'a>>) {
        if facts.owner.is_none() && context.today.to_string() == "2026-03-17" {
            out.push(DueItem::new(
                facts,
                DueAction::Kept {
                    idle: crate::pool::Idle {
                        since: context.now,
                        followed_up: false,
                        days: 0,
                        limit_days: 1,
                        grace_days: 0,
                        default_limit: true,
                    },
                    protected_at: None,
                    open_tasks: 0,
                },
            ));
        }
    }
}

#[test]
fn extra_rules_add_their_items_in_order() {
    let facts = [PoolFacts::new("a-pooled"), owned("b-owned", "lead")];
    let due = rules()
        .due_with(&facts, t("2026-03-17T02:00:00Z"), &[&Dormant])
        .unwrap();
    let ids: Vec<&str> = due.items().iter().map(|i| i.customer_id).collect();
    assert_eq!(ids, ["a-pooled", "b-owned"]);
    let json: serde_json::Value = serde_json::from_str(&due.to_json()).unwrap();
    assert_eq!(json["items"][1]["action"], "reclaim");
    assert_eq!(json["items"][1]["idle_days"], 16);
    assert_eq!(json["items"][0].get("owner"), None);
}
