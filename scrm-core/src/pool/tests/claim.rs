//! Claiming from the pool: [`PoolRules::claim`].

use super::{playbook, t};
use crate::ErrorKind;
use crate::pool::{ClaimRefusal, Employee, EmployeeStatus, Owner, PoolFacts, PoolRules};

fn rules() -> PoolRules {
    PoolRules::new(&playbook(serde_json::json!({"pool": {
        "capacity": 300,
        "claim": {"daily_limit": 10, "previous_owner_wait": "30d", "cool_off": "24h"}
    }})))
    .unwrap()
}

/// Pooled on 2026-03-01 02:00 UTC, previously owned by wang.
fn pooled() -> PoolFacts {
    let mut f = PoolFacts::new("c1");
    f.pooled_at = Some(t("2026-03-01T02:00:00Z"));
    f.previous_owner = Some("wang".to_owned());
    f
}

#[test]
fn a_claim_within_every_rule_is_allowed() {
    let d = rules()
        .claim(&Employee::new("li"), &pooled(), t("2026-03-02T02:00:00Z"))
        .unwrap();
    assert!(d.allowed());
    assert_eq!(d.reason(), "li may claim c1");
}

#[test]
fn cooling_off_ends_exactly_24_hours_after_pooling() {
    let li = Employee::new("li");
    let early = rules()
        .claim(&li, &pooled(), t("2026-03-02T01:59:59Z"))
        .unwrap();
    assert_eq!(
        early.refusals,
        [ClaimRefusal::CoolingOff {
            pooled_at: t("2026-03-01T02:00:00Z"),
            until: t("2026-03-02T02:00:00Z"),
            cool_off: "24h".into()
        }]
    );
    assert_eq!(
        early.reason(),
        "li may not claim c1: went to the pool at 2026-03-01T02:00:00Z; it cools off for 24h, until 2026-03-02T02:00:00Z"
    );
}

#[test]
fn the_previous_owner_waits_30_days() {
    let wang = Employee::new("wang");
    let d = rules()
        .claim(&wang, &pooled(), t("2026-03-31T01:59:59Z"))
        .unwrap();
    assert!(matches!(
        d.refusals.as_slice(),
        [ClaimRefusal::PreviousOwner { until, .. }] if *until == t("2026-03-31T02:00:00Z")
    ));
    assert!(
        rules()
            .claim(&wang, &pooled(), t("2026-03-31T02:00:00Z"))
            .unwrap()
            .allowed()
    );
}

#[test]
fn every_refusing_rule_is_listed_in_order() {
    let mut wang = Employee::new("wang");
    wang.status = EmployeeStatus::Resigned;
    wang.claimed_today = 10;
    wang.held = 120;
    wang.capacity = Some(100); // overrides the pool's 300
    let mut customer = pooled();
    customer.owner = Some(Owner::new("li", t("2026-03-01T03:00:00Z")));
    let d = rules()
        .claim(&wang, &customer, t("2026-03-01T04:00:00Z"))
        .unwrap();
    let rules: Vec<String> = d
        .refusals
        .iter()
        .map(|r| {
            serde_json::to_value(r).unwrap()["rule"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        rules,
        [
            "owned",
            "resigned",
            "daily_limit",
            "capacity",
            "previous_owner",
            "cooling_off"
        ]
    );
    assert_eq!(
        d.refusals[3].reason(),
        "holds 120 customers; the capacity is 100"
    );
}

#[test]
fn limits_are_reached_at_the_limit_not_after() {
    let mut li = Employee::new("li");
    li.claimed_today = 9;
    li.held = 299;
    let now = t("2026-03-05T00:00:00Z");
    assert!(rules().claim(&li, &pooled(), now).unwrap().allowed());
    li.claimed_today = 10;
    li.held = 300;
    let d = rules().claim(&li, &pooled(), now).unwrap();
    assert_eq!(
        d.refusals,
        [
            ClaimRefusal::DailyLimit {
                claimed_today: 10,
                limit: 10
            },
            ClaimRefusal::Capacity {
                held: 300,
                capacity: 300
            }
        ]
    );
}

#[test]
fn a_previous_owner_without_a_pooling_time_is_an_error() {
    let mut customer = pooled();
    customer.pooled_at = None;
    let err = rules()
        .claim(&Employee::new("wang"), &customer, t("2026-03-05T00:00:00Z"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(err.problems()[0].path, "customer.pooled_at");
    // Anyone else may claim it: no rule needs the missing time.
    assert!(
        rules()
            .claim(&Employee::new("li"), &customer, t("2026-03-05T00:00:00Z"))
            .unwrap()
            .allowed()
    );
}

#[test]
fn without_claim_rules_anyone_active_may_claim() {
    let open = PoolRules::new(&playbook(serde_json::json!({}))).unwrap();
    let mut li = Employee::new("li");
    li.claimed_today = 1_000;
    li.held = 1_000_000;
    li.status = EmployeeStatus::OnLeave;
    assert!(
        open.claim(&li, &pooled(), t("2026-03-01T02:00:00Z"))
            .unwrap()
            .allowed()
    );
}
