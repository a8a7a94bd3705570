//! Validation of the pool, transfer and assignment sections.

use super::*;

fn lines(doc: serde_json::Value) -> Vec<String> {
    match Playbook::from_json(&doc.to_string()) {
        Ok(_) => Vec::new(),
        Err(e) => e.problems().iter().map(ToString::to_string).collect(),
    }
}

fn with(section: &str, value: serde_json::Value) -> serde_json::Value {
    let mut doc = serde_json::json!({
        "schema_version": 1, "tenant_id": "t", "timezone": "Asia/Shanghai",
        "channels": [{"id": "wecom", "name": "企业微信", "platform": "wecom"}],
        "taxonomy": {"groups": [{"id": "ind", "name": "行业", "tags": [{"id": "ind_hotel", "name": "酒店"}]}]}
    });
    doc[section] = value;
    doc
}

#[test]
fn every_pool_problem_is_reported_with_its_path() {
    let got = lines(with(
        "pool",
        serde_json::json!({
            "reclaim": [
                {"stage": "Lead Stage", "days": 14},
                {"stage": "mql", "days": -3},
                {"stage": "mql", "days": 0},
                {"stage": "sql", "days": 7, "grace_days": 1}
            ],
            "exempt_stages": ["customer", "sql", "customer"],
            "warn_days": 8,
            "claim": {"cool_off": "1y", "previous_owner_wait": "30d", "daily_limit": 0}
        }),
    ));
    assert_eq!(
        got,
        [
            "pool.claim.daily_limit: 0 is below the minimum 1",
            "pool.reclaim[1].days: -3 is below the minimum 1",
            "pool.reclaim[2].days: 0 is below the minimum 1",
            "pool.reclaim[0].stage: invalid id \"Lead Stage\": use 1 to 64 letters, digits, '_', '-' or '.'",
            "pool.reclaim[2].stage: duplicate stage \"mql\" (first at pool.reclaim[1].stage)",
            "pool.exempt_stages[1]: stage \"sql\" is exempt from reclaim but has a reclaim rule at pool.reclaim[3].stage; keep one",
            "pool.exempt_stages[2]: duplicate stage \"customer\" (first at pool.exempt_stages[0])",
            "pool.warn_days: warn_days 8 is not less than the sql-stage limit (pool.reclaim[3]) of 7 days + 1 grace days; owners would be warned from the day they take a customer on",
            "pool.claim.cool_off: invalid duration \"1y\": write a whole number and a unit, e.g. \"30m\", \"12h\", \"7d\", \"4w\"",
        ]
    );
}

#[test]
fn transfer_limits_may_be_stricter_than_wecom_never_looser() {
    let got = lines(with(
        "transfer",
        serde_json::json!({
            "max_customers_per_request": 150,
            "max_transfers_per_customer": 3,
            "window_days": 30,
            "message": "茶".repeat(201)
        }),
    ));
    assert_eq!(
        got,
        [
            "transfer.max_customers_per_request: 150 is above the maximum 100",
            "transfer.max_transfers_per_customer: 3 is above the maximum 2",
            "transfer.window_days: 30 is below the minimum 90",
            "transfer.message: the message has 201 characters; WeCom shows at most 200",
        ]
    );
    assert!(
        lines(with(
            "transfer",
            serde_json::json!({"max_customers_per_request": 50, "max_transfers_per_customer": 1})
        ))
        .is_empty()
    );
}

#[test]
fn every_assignment_problem_is_reported_with_its_path() {
    let got = lines(with(
        "assignment",
        serde_json::json!({
            "routes": [
                {"id": "a", "channel_codes": ["qr-1"], "strategy": "random", "employees": ["wang"]},
                {"id": "b", "channel_codes": ["qr-1", " "], "strategy": "round_robin",
                 "employees": ["li", "li", "bad id"], "then": "weighted",
                 "rules": [{"id": "r", "employees": ["li"]}]},
                {"id": "c", "strategy": "rule_based"},
                {"id": "c", "strategy": "rule_based", "then": "rule_based", "rules": [
                    {"id": "r1", "channels": ["tiktok", "wecom"], "tags": ["ind_hotel", "vip"], "employees": []},
                    {"id": "r1", "regions": ["上海"], "employees": ["zhou"]}
                ]}
            ],
            "default_route": "nowhere",
            "working_hours": [{"days": ["mon", "funday"], "from": "9am", "to": "18:00"},
                              {"days": ["sat"], "from": "10:00", "to": "10:00"}]
        }),
    ));
    assert_eq!(
        got,
        [
            "assignment.routes[0].strategy: unexpected value \"random\", expected one of: \"round_robin\", \"weighted\", \"least_loaded\", \"rule_based\"",
            "assignment.working_hours[0].days[1]: unexpected value \"funday\", expected one of: \"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"",
            "assignment.working_hours[1].to: the window starts and ends at \"10:00\"; write a later end, or \"24:00\"",
            "assignment.routes[1].channel_codes[0]: duplicate channel code \"qr-1\" (first at assignment.routes[0].channel_codes[0])",
            "assignment.routes[1].channel_codes[1]: a channel code must not be blank",
            "assignment.routes[1].employees[1]: duplicate employee \"li\" (first at assignment.routes[1].employees[0])",
            "assignment.routes[1].employees[2]: invalid employee id \"bad id\": use 1 to 64 letters, digits, '_', '-', '@' or '.'",
            "assignment.routes[1].rules: only strategy rule_based reads rules; this route's strategy is round_robin",
            "assignment.routes[1].then: only strategy rule_based reads then; this route's strategy is round_robin",
            "assignment.routes[2].rules: strategy rule_based needs at least one rule",
            "assignment.routes[3].id: duplicate id \"c\" (first at assignment.routes[2].id)",
            "assignment.routes[3].then: then picks among a rule's employees: write round_robin, weighted or least_loaded",
            "assignment.routes[3].rules[0].channels[0]: no channel has the id \"tiktok\"",
            "assignment.routes[3].rules[0].tags[1]: no tag of the taxonomy has the id \"vip\"",
            "assignment.routes[3].rules[0].employees: a rule needs at least one employee",
            "assignment.routes[3].rules[1].id: duplicate id \"r1\" (first at assignment.routes[3].rules[0].id)",
            "assignment.default_route: no route has the id \"nowhere\"",
        ]
    );
}

#[test]
fn sections_are_optional_and_the_sample_fills_them() {
    let bare =
        Playbook::from_json(r#"{"schema_version":1,"tenant_id":"t","timezone":"UTC"}"#).unwrap();
    assert_eq!(bare.pool(), &Pool::default());
    assert_eq!(bare.transfer().max_customers_per_request, 100);
    assert_eq!(bare.transfer().max_transfers_per_customer, 2);
    assert_eq!(bare.transfer().window_days, 90);
    assert!(bare.assignment().routes.is_empty());

    let brand =
        Playbook::from_json(include_str!("../../../examples/playbooks/brand.json")).unwrap();
    assert_eq!(brand.pool().reclaim.len(), 4);
    assert_eq!(brand.pool().claim.cool_off.as_deref(), Some("24h"));
    assert_eq!(brand.assignment().routes.len(), 5);
    assert_eq!(brand.assignment().default_route.as_deref(), Some("general"));
}
