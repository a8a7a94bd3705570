//! Assignment: [`Router::assign`].

use super::{playbook, t};
use crate::pool::{AssignState, Employee, EmployeeStatus, Lead, Router, Team};
use crate::{DayOfWeek, HoursWindow};

fn router(default_route: bool) -> Router {
    let mut assignment = serde_json::json!({
        "daily_add_limit": 2,
        "working_hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "18:00"}],
        "routes": [
            {"id": "rr", "channel_codes": ["qr-rr"], "strategy": "round_robin", "employees": ["a", "b", "c"]},
            {"id": "w", "channel_codes": ["qr-w"], "strategy": "weighted", "employees": ["a", "b"]},
            {"id": "ll", "channel_codes": ["qr-ll"], "strategy": "least_loaded", "employees": ["a", "b", "c"]},
            {"id": "rules", "channel_codes": ["qr-rule"], "strategy": "rule_based", "employees": ["c"],
             "rules": [
                {"id": "east", "regions": ["上海"], "tags": ["gift"], "employees": ["a", "b"]},
                {"id": "hotel", "tags": ["hotel"], "channels": ["wecom"], "employees": ["b"]}
             ]},
            {"id": "general", "strategy": "round_robin", "employees": ["c"]}
        ]
    });
    if default_route {
        assignment["default_route"] = "general".into();
    }
    Router::new(&playbook(serde_json::json!({ "assignment": assignment }))).unwrap()
}

fn team(ids: &[&str]) -> Team {
    Team::new(ids.iter().map(|id| Employee::new(id)).collect()).unwrap()
}

fn lead(id: &str, code: &str) -> Lead {
    let mut l = Lead::new(id);
    l.channel_code = Some(code.to_owned());
    l
}

/// Monday 16 March 2026, 10:00 in Shanghai.
const MONDAY_10: &str = "2026-03-16T02:00:00Z";

fn assign_many(router: &Router, team: &mut Team, code: &str, n: usize) -> Vec<Option<String>> {
    let mut state = AssignState::default();
    (0..n)
        .map(|i| {
            router
                .assign(
                    &lead(&format!("l{i}"), code),
                    team,
                    &mut state,
                    t(MONDAY_10),
                )
                .unwrap()
                .employee_id
        })
        .collect()
}

fn some(ids: &[&str]) -> Vec<Option<String>> {
    ids.iter().map(|s| Some((*s).to_owned())).collect()
}

#[test]
fn round_robin_takes_turns_until_everyone_is_at_the_daily_limit() {
    let mut team = team(&["a", "b", "c"]);
    let got = assign_many(&router(true), &mut team, "qr-rr", 7);
    let mut expected = some(&["a", "b", "c", "a", "b", "c"]);
    expected.push(None);
    assert_eq!(got, expected);
    assert!(team.employees().all(|e| e.added_today == 2 && e.held == 2));
}

#[test]
fn the_full_reason_of_nobody() {
    let mut team = team(&["a", "b", "c"]);
    for e in ["a", "b", "c"] {
        let i = team.position(e).unwrap();
        team.member_mut(i).employee.added_today = 2;
    }
    let d = router(true)
        .assign(
            &lead("x", "qr-rr"),
            &mut team,
            &mut AssignState::default(),
            t(MONDAY_10),
        )
        .unwrap();
    assert_eq!(d.employee_id, None);
    assert_eq!(
        d.reason(),
        "route rr (channel code qr-rr): nobody can take the customer (a at the daily add limit (2 of 2); b at the daily add limit (2 of 2); c at the daily add limit (2 of 2)); it stays in the pool"
    );
}

#[test]
fn an_employee_off_hours_hands_over_to_their_backup_and_the_turn_moves_on() {
    let mut a = Employee::new("a");
    a.working_hours = Some(vec![HoursWindow::new(
        vec![DayOfWeek::Sat],
        "09:00",
        "18:00",
    )]);
    a.backups = vec!["d".to_owned()];
    let mut team = Team::new(vec![
        a,
        Employee::new("b"),
        Employee::new("c"),
        Employee::new("d"),
    ])
    .unwrap();
    let router = router(true);
    let mut state = AssignState::default();
    let first = router
        .assign(&lead("l1", "qr-rr"), &mut team, &mut state, t(MONDAY_10))
        .unwrap();
    assert_eq!(first.employee_id.as_deref(), Some("d"));
    assert_eq!(first.turn_of.as_deref(), Some("a"));
    assert_eq!(
        first.reason(),
        "route rr (channel code qr-rr): round robin, a's turn; passed over: a off hours (Sat 09:00–18:00); d takes it as a's backup"
    );
    assert_eq!(state.last_turn.get("rr").map(String::as_str), Some("a"));
    let second = router
        .assign(&lead("l2", "qr-rr"), &mut team, &mut state, t(MONDAY_10))
        .unwrap();
    assert_eq!(second.employee_id.as_deref(), Some("b"));
}

#[test]
fn backup_chains_are_walked_depth_first_once_each() {
    let mut a = Employee::new("a");
    a.status = EmployeeStatus::OnLeave;
    a.backups = vec!["x".into(), "y".into()];
    let mut x = Employee::new("x");
    x.status = EmployeeStatus::Resigned;
    x.backups = vec!["a".into(), "z".into()]; // a again: not revisited
    let mut z = Employee::new("z");
    z.added_today = 2;
    let team_list = vec![
        a,
        x,
        Employee::new("y"),
        z,
        Employee::new("b"),
        Employee::new("c"),
    ];
    let mut team = Team::new(team_list).unwrap();
    let d = router(true)
        .assign(
            &lead("l1", "qr-rr"),
            &mut team,
            &mut AssignState::default(),
            t(MONDAY_10),
        )
        .unwrap();
    assert_eq!(d.employee_id.as_deref(), Some("y"));
    let skipped: Vec<String> = d
        .skipped
        .iter()
        .map(|s| format!("{} {}", s.employee_id, s.why.describe()))
        .collect();
    assert_eq!(
        skipped,
        [
            "a on leave",
            "x resigned",
            "z at the daily add limit (2 of 2)"
        ]
    );
}

#[test]
fn weighted_gives_turns_in_proportion_to_weight() {
    let mut a = Employee::new("a");
    a.weight = 3;
    a.daily_add_limit = Some(100);
    let mut b = Employee::new("b");
    b.daily_add_limit = Some(100);
    let mut team = Team::new(vec![a, b]).unwrap();
    let got = assign_many(&router(true), &mut team, "qr-w", 8);
    assert_eq!(got, some(&["a", "a", "b", "a", "a", "a", "b", "a"]));
}

#[test]
fn least_loaded_picks_the_fewest_held_then_the_fewest_added_today() {
    let mut team = team(&["a", "b", "c"]);
    for (id, held, added) in [("a", 10, 0), ("b", 5, 1), ("c", 5, 0)] {
        let i = team.position(id).unwrap();
        let e = &mut team.member_mut(i).employee;
        e.held = held;
        e.added_today = added;
    }
    let router = router(true);
    let mut state = AssignState::default();
    let first = router
        .assign(&lead("l1", "qr-ll"), &mut team, &mut state, t(MONDAY_10))
        .unwrap();
    assert_eq!(
        first.reason(),
        "route ll (channel code qr-ll): least loaded, c holds 5"
    );
    let second = router
        .assign(&lead("l2", "qr-ll"), &mut team, &mut state, t(MONDAY_10))
        .unwrap();
    assert_eq!(second.employee_id.as_deref(), Some("b")); // b 5 held, c now 6
}

#[test]
fn rules_match_region_tags_and_channel_in_order() {
    let router = router(true);
    let mut team = team(&["a", "b", "c"]);
    let mut state = AssignState::default();
    let mut east = lead("l1", "qr-rule");
    east.region = Some("上海".into());
    east.tags = vec!["hotel".into(), "gift".into()];
    let d = router
        .assign(&east, &mut team, &mut state, t(MONDAY_10))
        .unwrap();
    assert_eq!(
        d.reason(),
        "route rules (channel code qr-rule), rule east (region 上海, tag gift): round robin, a's turn"
    );
    assert_eq!(
        state.last_turn.get("rules/east").map(String::as_str),
        Some("a")
    );

    let mut hotel = lead("l2", "qr-rule");
    hotel.tags = vec!["hotel".into()];
    hotel.channel = Some("wecom".into());
    let d = router
        .assign(&hotel, &mut team, &mut state, t(MONDAY_10))
        .unwrap();
    assert_eq!(
        (d.rule.as_deref(), d.employee_id.as_deref()),
        (Some("hotel"), Some("b"))
    );

    hotel.channel = Some("douyin".into()); // the hotel rule wants wecom
    let d = router
        .assign(&hotel, &mut team, &mut state, t(MONDAY_10))
        .unwrap();
    assert_eq!(
        d.reason(),
        "route rules (channel code qr-rule), no rule matched: round robin, c's turn"
    );
}

#[test]
fn channel_codes_choose_the_route_else_the_default_route() {
    let mut team = team(&["a", "b", "c"]);
    let mut state = AssignState::default();
    let d = router(true)
        .assign(
            &lead("l1", "qr-unknown"),
            &mut team,
            &mut state,
            t(MONDAY_10),
        )
        .unwrap();
    assert_eq!(
        d.reason(),
        "route general (default route; no route serves channel code qr-unknown): round robin, c's turn"
    );
    let d = router(false)
        .assign(
            &lead("l1", "qr-unknown"),
            &mut team,
            &mut state,
            t(MONDAY_10),
        )
        .unwrap();
    assert_eq!(
        d.reason(),
        "no route serves channel code \"qr-unknown\" and there is no default route; the customer stays in the pool"
    );
    let d = router(false)
        .assign(&Lead::new("l2"), &mut team, &mut state, t(MONDAY_10))
        .unwrap();
    assert_eq!(d.route, None);
}

#[test]
fn nobody_works_on_saturday_and_a_missing_employee_is_named() {
    let mut team = team(&["a", "b"]);
    let d = router(true)
        .assign(
            &lead("l1", "qr-rr"),
            &mut team,
            &mut AssignState::default(),
            t("2026-03-21T02:00:00Z"),
        )
        .unwrap();
    assert_eq!(
        d.reason(),
        "route rr (channel code qr-rr): nobody can take the customer (a off hours (Mon–Fri 09:00–18:00); b off hours (Mon–Fri 09:00–18:00); c not in the team); it stays in the pool"
    );
    assert!(team.employees().all(|e| e.added_today == 0));
}

#[test]
fn the_state_round_trips_through_json() {
    let mut team = team(&["a", "b", "c"]);
    let router = router(true);
    let mut state = AssignState::default();
    // a takes the first two (rr, then w on a tie) and reaches the daily limit of 2; b the third.
    for (i, code) in ["qr-rr", "qr-w", "qr-w"].iter().enumerate() {
        router
            .assign(
                &lead(&format!("l{i}"), code),
                &mut team,
                &mut state,
                t(MONDAY_10),
            )
            .unwrap();
    }
    let json = state.to_json();
    assert_eq!(
        json,
        r#"{"last_turn":{"rr":"a"},"weights":{"w":{"a":-1,"b":1}}}"#
    );
    assert_eq!(AssignState::from_json(&json).unwrap(), state);
}
