//! Property tests of the invariants DOMAIN.md states for pool, transfer and assignment.

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;

use super::{playbook, t};
use crate::pool::calendar::{local_date, shift, start_of_day};
use crate::pool::{
    AssignState, DueAction, Employee, EmployeeStatus, Lead, Owner, PoolFacts, PoolRules, Router,
    Team, TransferKind, TransferRecord, TransferRequest, TransferRules,
};

const LIMIT: i64 = 14;
const GRACE: i64 = 2;
const WARN: i64 = 3;

fn rules(protect_limit: Option<u32>) -> PoolRules {
    let mut pool = serde_json::json!({
        "reclaim": [{"stage": "lead", "days": LIMIT}],
        "default_days": 30, "grace_days": GRACE, "warn_days": WARN
    });
    if let Some(q) = protect_limit {
        pool["protect_limit"] = q.into();
    }
    PoolRules::new(&playbook(serde_json::json!({ "pool": pool }))).unwrap()
}

fn base() -> DateTime<Utc> {
    t("2026-01-01T00:00:00Z")
}

/// Facts for customers c0..cN: owners among three, times within 60 days of `base()`.
fn arb_facts() -> impl Strategy<Value = Vec<PoolFacts>> {
    let one = (
        prop::option::of(0usize..3),
        0i64..60 * 24,
        prop::option::of(0i64..60 * 24),
        prop::option::of(0i64..60 * 24),
        0u32..3,
        prop::sample::select(vec![None, Some("lead"), Some("sql")]),
    );
    prop::collection::vec(one, 0..40).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (owner, since, follow, protect, tasks, stage))| {
                let mut f = PoolFacts::new(&format!("c{i}"));
                let hour = |h: i64| base() + TimeDelta::hours(h);
                f.owner = owner.map(|o| Owner::new(["wang", "li", "zhao"][o], hour(since)));
                f.last_follow_up = follow.map(hour);
                f.protected_at = protect.map(hour);
                f.open_tasks = tasks;
                f.stage = stage.map(str::to_owned);
                f
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn never_reclaims_a_kept_customer(facts in arb_facts(), quota in prop::option::of(0u32..3), hours in 0i64..120 * 24) {
        let now = base() + TimeDelta::hours(hours);
        let due = rules(quota).due(&facts, now).unwrap();
        for item in due.reclaims() {
            let f = facts.iter().find(|f| f.customer_id == item.customer_id).unwrap();
            prop_assert_eq!(f.open_tasks, 0);
            if f.protected_at.is_some() {
                // Only a protection beyond the quota lets a protected customer go.
                prop_assert!(quota.is_some());
                let DueAction::Reclaim { over_quota, .. } = &item.action else { unreachable!() };
                prop_assert!(over_quota.is_some());
            }
        }
        for item in due.warnings() {
            let f = facts.iter().find(|f| f.customer_id == item.customer_id).unwrap();
            prop_assert_eq!(f.open_tasks, 0);
        }
    }

    #[test]
    fn a_warning_precedes_every_reclaim_by_warn_days(facts in arb_facts(), hours in 0i64..120 * 24) {
        let rules = rules(None);
        let tz = chrono_tz::Asia::Shanghai;
        let now = base() + TimeDelta::hours(hours);
        for item in rules.due(&facts, now).unwrap().reclaims() {
            let DueAction::Reclaim { idle, .. } = &item.action else { unreachable!() };
            let limit = i64::from(idle.limit_days) + i64::from(idle.grace_days);
            let reclaim_on = shift(local_date(tz, idle.since), limit).unwrap();
            let f = facts.iter().find(|f| f.customer_id == item.customer_id).unwrap();
            let single = std::slice::from_ref(f);
            let noon = |day| start_of_day(tz, day).unwrap() + TimeDelta::hours(12);
            for days_left in 1..=WARN {
                let at = noon(shift(reclaim_on, -days_left).unwrap());
                let due = rules.due(single, at).unwrap();
                let warned = due.warnings().any(|w| matches!(w.action,
                    DueAction::Warn { days_left: d, reclaim_on: r, .. } if i64::from(d) == days_left && r == reclaim_on));
                prop_assert!(warned, "{} not warned {} days before {}", f.customer_id, days_left, reclaim_on);
            }
            let quiet = noon(shift(reclaim_on, -WARN - 1).unwrap());
            if quiet >= idle.since {
                prop_assert!(rules.due(single, quiet).unwrap().is_empty());
            }
            prop_assert_eq!(rules.due(single, noon(reclaim_on)).unwrap().reclaims().count(), 1);
        }
    }

    #[test]
    fn due_does_not_depend_on_input_order(facts in arb_facts(), quota in prop::option::of(0u32..3), hours in 0i64..120 * 24, seed in any::<u64>()) {
        let mut shuffled = facts.clone();
        // A deterministic shuffle from the seed.
        let n = shuffled.len();
        let mut state = seed | 1;
        for i in (1..n).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            shuffled.swap(i, usize::try_from(state % (i as u64 + 1)).unwrap());
        }
        let now = base() + TimeDelta::hours(hours);
        let rules = rules(quota);
        prop_assert_eq!(rules.due(&facts, now).unwrap(), rules.due(&shuffled, now).unwrap());
    }
}

fn assignment_router(strategy: &'static str) -> Router {
    Router::new(&playbook(serde_json::json!({
        "pool": {"capacity": 6},
        "assignment": {
            "daily_add_limit": 3,
            "default_route": "r",
            "working_hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "18:00"}],
            "routes": [{"id": "r", "strategy": strategy, "employees": ["e0", "e1", "e2", "e3"]}]
        }
    })))
    .unwrap()
}

fn arb_team() -> impl Strategy<Value = Vec<Employee>> {
    let one = (
        prop::option::of(1u32..5),
        0u32..4,
        0u32..7,
        1u32..4,
        prop::sample::select(vec![
            EmployeeStatus::Active,
            EmployeeStatus::Active,
            EmployeeStatus::OnLeave,
            EmployeeStatus::Resigned,
        ]),
        prop::collection::vec(0usize..5, 0..3),
        any::<bool>(),
    );
    prop::collection::vec(one, 5).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(
                |(i, (limit, added, held, weight, status, backups, own_hours))| {
                    let mut e = Employee::new(&format!("e{i}"));
                    e.daily_add_limit = limit;
                    e.added_today = added.min(limit.unwrap_or(3));
                    e.held = held.min(6);
                    e.weight = weight;
                    e.status = status;
                    let mut b: Vec<String> = backups
                        .into_iter()
                        .filter(|&b| b != i)
                        .map(|b| format!("e{b}"))
                        .collect();
                    b.dedup();
                    b.sort();
                    b.dedup();
                    e.backups = b;
                    if own_hours {
                        e.working_hours = Some(vec![crate::HoursWindow::new(
                            vec![crate::DayOfWeek::Sat],
                            "00:00",
                            "24:00",
                        )]);
                    }
                    e
                },
            )
            .collect()
    })
}

proptest! {
    #[test]
    fn assignment_never_exceeds_a_limit_and_is_deterministic(
        team in arb_team(),
        strategy in prop::sample::select(vec!["round_robin", "weighted", "least_loaded"]),
        leads in 0usize..30,
        hour in 0i64..24 * 7,
    ) {
        let router = assignment_router(strategy);
        // A week starting Monday 16 March 2026, 00:00 Shanghai.
        let now = t("2026-03-15T16:00:00Z") + TimeDelta::hours(hour);
        let leads: Vec<Lead> = (0..leads).map(|i| Lead::new(&format!("l{i}"))).collect();
        let run = |team: Vec<Employee>| {
            let mut team = Team::new(team).unwrap();
            let mut state = AssignState::default();
            let decisions = router.assign_all(&leads, &mut team, &mut state, now).unwrap();
            (decisions, state, team.into_employees())
        };
        let (decisions, state, after) = run(team.clone());
        for (before, e) in team.iter().zip(&after) {
            let limit = e.daily_add_limit.unwrap_or(3);
            let taken = e.added_today - before.added_today;
            prop_assert!(e.added_today <= limit.max(before.added_today), "{} over its daily limit", e.id);
            prop_assert!(e.held <= 6u32.max(before.held), "{} over capacity", e.id);
            prop_assert_eq!(e.held - before.held, taken);
            if taken > 0 {
                prop_assert_eq!(e.status, EmployeeStatus::Active);
            }
        }
        let assigned = decisions.iter().filter(|d| d.employee_id.is_some()).count();
        let taken: u32 = team.iter().zip(&after).map(|(b, a)| a.added_today - b.added_today).sum();
        prop_assert_eq!(u32::try_from(assigned).unwrap(), taken);
        let again = run(team);
        prop_assert_eq!(decisions, again.0);
        prop_assert_eq!(state, again.1);
    }

    #[test]
    fn transfers_never_exceed_two_in_ninety_days(
        steps in prop::collection::vec((0i64..24 * 5, prop::collection::vec(0usize..4, 1..4), prop::option::of(0i64..30)), 1..40),
    ) {
        let rules = TransferRules::new(&playbook(serde_json::json!({}))).unwrap();
        let tz = chrono_tz::Asia::Shanghai;
        let mut now = t("2026-01-01T00:00:00Z");
        let mut history: Vec<TransferRecord> = Vec::new();
        for (advance, customers, refuse_after) in steps {
            now += TimeDelta::hours(advance);
            let mut ids: Vec<String> = customers.iter().map(|c| format!("c{c}")).collect();
            ids.sort();
            ids.dedup();
            let request = TransferRequest::new(TransferKind::InService, "wang", "li", ids);
            let plan = rules.plan(&request, &history, &[], now).unwrap();
            for mut record in plan.records {
                record.refused_at = refuse_after.map(|h| record.started_at + TimeDelta::hours(h));
                history.push(record);
            }
        }
        let outcomes = rules.statuses(&history, &[], now).unwrap();
        for customer in (0..4).map(|c| format!("c{c}")) {
            let mut days: Vec<_> = outcomes.iter()
                .filter(|o| o.customer_id == customer && o.status.counts())
                .map(|o| local_date(tz, o.started_at))
                .collect();
            days.sort();
            for w in days.windows(3) {
                prop_assert!((w[2] - w[0]).num_days() >= 90, "{customer}: {w:?}");
            }
        }
    }

    #[test]
    fn transfer_statuses_do_not_depend_on_record_order(
        rows in prop::collection::vec((0usize..3, 0i64..72, prop::option::of(0i64..30), prop::option::of(0i64..30)), 0..12),
        held in 0u32..4,
        hours in 0i64..96,
    ) {
        let rules = TransferRules::new(&playbook(serde_json::json!({"transfer": {"taker_limit": 4}}))).unwrap();
        let start = t("2026-03-01T00:00:00Z");
        let records: Vec<TransferRecord> = rows.iter().enumerate().map(|(i, (taker, at, refused, lost))| {
            let started_at = start + TimeDelta::hours(*at);
            TransferRecord {
                customer_id: format!("c{i}"),
                handover: "wang".into(),
                takeover: ["li", "zhao", "sun"][*taker].into(),
                kind: TransferKind::InService,
                started_at,
                refused_at: refused.map(|h| started_at + TimeDelta::hours(h)),
                relation_ended_at: lost.map(|h| started_at + TimeDelta::hours(h)),
            }
        }).collect();
        let mut li = Employee::new("li");
        li.held = held;
        let takers = [li, Employee::new("zhao")];
        let now = start + TimeDelta::hours(hours);
        let mut forward: Vec<_> = rules.statuses(&records, &takers, now).unwrap()
            .into_iter().map(|o| (o.customer_id, o.status)).collect();
        let mut reversed_records = records.clone();
        reversed_records.reverse();
        let mut backward: Vec<_> = rules.statuses(&reversed_records, &takers, now).unwrap()
            .into_iter().map(|o| (o.customer_id, o.status)).collect();
        forward.sort();
        backward.sort();
        prop_assert_eq!(forward, backward);
    }

    #[test]
    fn document_functions_never_panic(text in ".{0,200}", json in prop::sample::select(vec![
        "[]", "{}", "[{}]", r#"[{"customer_id":"c"}]"#, r#"[{"customer_id":"c","owner":{"id":"w","since":"2026-01-01T00:00:00Z"},"open_tasks":-1}]"#,
        r#"{"id":"w","held":4294967295}"#, r#"[{"id":"w","weight":0}]"#, r#"{"kind":"in_service","handover":"a","takeover":"b","customers":[]}"#,
    ])) {
        let p = playbook(serde_json::json!({"pool": {"default_days": 1}}));
        let now = t("2026-01-01T00:00:00Z");
        for input in [text.as_str(), json] {
            let _ = crate::due_json(&p, input, now);
            let _ = crate::claim_json(&p, input, input, now);
            let _ = crate::transfer_plan_json(&p, input, input, Some(input), now);
            let _ = crate::transfer_status_json(&p, input, Some(input), now);
            let _ = crate::assign_json(&p, input, Some(input), input, now);
        }
    }
}
