//! Transfers: [`TransferRules::plan`] and [`TransferRules::statuses`].

use super::{playbook, t};
use crate::ErrorKind;
use crate::pool::{
    Employee, EmployeeStatus, TransferBlock, TransferKind, TransferRecord, TransferRequest,
    TransferRules, TransferStatus,
};

fn rules() -> TransferRules {
    TransferRules::new(&playbook(
        serde_json::json!({"transfer": {"taker_limit": 50}}),
    ))
    .unwrap()
}

fn record(customer: &str, started: &str) -> TransferRecord {
    TransferRecord {
        customer_id: customer.to_owned(),
        handover: "wang".to_owned(),
        takeover: "li".to_owned(),
        kind: TransferKind::InService,
        started_at: t(started),
        refused_at: None,
        relation_ended_at: None,
    }
}

fn request(customers: &[&str]) -> TransferRequest {
    TransferRequest::new(
        TransferKind::InService,
        "wang",
        "zhao",
        customers.iter().map(|c| (*c).to_owned()).collect(),
    )
}

#[test]
fn more_than_100_customers_is_an_error_naming_the_count() {
    let ids: Vec<String> = (0..101).map(|i| format!("c{i}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let err = rules()
        .plan(&request(&refs), &[], &[], t("2026-03-01T00:00:00Z"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(
        err.to_string(),
        "validation: customers: 101 customers in one request; at most 100 are allowed: split it into 2 requests"
    );
    assert!(
        rules()
            .plan(&request(&refs[..100]), &[], &[], t("2026-03-01T00:00:00Z"))
            .is_ok()
    );
}

#[test]
fn requests_split_a_whole_book_into_chunks_wecom_accepts() {
    let ids: Vec<String> = (0..250).map(|i| format!("c{i}")).collect();
    let sizes: Vec<usize> = rules()
        .requests(TransferKind::Resigned, "wang", "li", &ids)
        .iter()
        .map(|r| r.customers.len())
        .collect();
    assert_eq!(sizes, [100, 100, 50]);
}

#[test]
fn a_customer_transferred_twice_in_90_days_waits_until_the_older_one_leaves_the_window() {
    // 10 January and 1 February, Shanghai time.
    let history = [
        record("c1", "2026-01-10T02:00:00Z"),
        record("c1", "2026-02-01T02:00:00Z"),
    ];
    let plan = rules()
        .plan(
            &request(&["c1", "c2"]),
            &history,
            &[],
            t("2026-03-01T00:00:00Z"),
        )
        .unwrap();
    assert_eq!(plan.accepted, ["c2"]);
    assert_eq!(plan.refused.len(), 1);
    assert_eq!(
        plan.refused[0].reason(),
        "transferred 2 times in the last 90 days; at most 2 are allowed; next possible on 2026-04-10"
    );
    // 23:59:59 on 9 April in Shanghai: still refused; midnight: allowed.
    let before = rules()
        .plan(&request(&["c1"]), &history, &[], t("2026-04-09T15:59:59Z"))
        .unwrap();
    assert!(before.accepted.is_empty());
    let after = rules()
        .plan(&request(&["c1"]), &history, &[], t("2026-04-09T16:00:00Z"))
        .unwrap();
    assert_eq!(after.accepted, ["c1"]);
    assert_eq!(after.records[0].started_at, t("2026-04-09T16:00:00Z"));
    assert_eq!(after.completes_at, t("2026-04-10T16:00:00Z"));
}

#[test]
fn refused_transfers_do_not_count_and_waiting_ones_block() {
    let mut refused = record("c1", "2026-02-01T02:00:00Z");
    refused.refused_at = Some(t("2026-02-01T10:00:00Z"));
    let history = [
        record("c1", "2026-01-10T02:00:00Z"),
        refused,
        record("c2", "2026-02-28T12:00:00Z"), // waiting until 1 March 12:00
    ];
    let mut req = request(&["c1", "c2", "c3"]);
    req.takeover_follows = vec!["c3".to_owned()];
    let plan = rules()
        .plan(&req, &history, &[], t("2026-03-01T00:00:00Z"))
        .unwrap();
    assert_eq!(plan.accepted, ["c1"]);
    assert_eq!(
        plan.refused
            .iter()
            .map(|r| r.why.clone())
            .collect::<Vec<_>>(),
        [
            TransferBlock::InProgress {
                started_at: t("2026-02-28T12:00:00Z"),
                completes_at: t("2026-03-01T12:00:00Z")
            },
            TransferBlock::TakeoverFollows
        ]
    );
}

#[test]
fn request_problems_are_all_reported() {
    let mut req = request(&["c1", "c1", " "]);
    req.kind = TransferKind::Resigned;
    req.takeover = "wang".to_owned();
    let mut wang = Employee::new("wang");
    wang.status = EmployeeStatus::Active;
    let err = rules()
        .plan(&req, &[], &[wang], t("2026-03-01T00:00:00Z"))
        .unwrap_err();
    let lines: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "takeover: \"wang\" cannot take over their own customers",
            "kind: \"wang\" has not resigned: use kind \"in_service\" (在职继承)",
            "customers[1]: customer \"c1\" is listed twice (first at customers[0])",
            "customers[2]: a customer id must not be blank",
        ]
    );
}

#[test]
fn statuses_follow_the_24_hour_window() {
    let started = "2026-03-01T02:00:00Z";
    let mut refused = record("refused", started);
    refused.refused_at = Some(t("2026-03-02T01:59:59Z"));
    let mut late_refusal = record("late", started);
    late_refusal.refused_at = Some(t("2026-03-02T02:00:00Z"));
    let mut gone = record("gone", started);
    gone.relation_ended_at = Some(t("2026-03-01T12:00:00Z"));
    let mut future = record("future", started);
    future.refused_at = Some(t("2026-03-02T01:00:00Z"));
    let records = [
        record("waiting", started),
        refused,
        late_refusal,
        gone,
        future,
    ];
    let at = |now: &str| -> Vec<TransferStatus> {
        rules()
            .statuses(&records, &[], t(now))
            .unwrap()
            .iter()
            .map(|o| o.status)
            .collect()
    };
    use TransferStatus::*;
    assert_eq!(
        at("2026-03-01T20:00:00Z"),
        [Waiting, Waiting, Waiting, NoRelation, Waiting]
    );
    assert_eq!(
        at("2026-03-02T02:00:00Z"),
        [Done, Refused, Done, NoRelation, Refused]
    );
}

#[test]
fn a_takeover_at_the_platform_limit_gets_no_more() {
    let mut li = Employee::new("li");
    li.held = 49;
    let records = [
        record("b", "2026-03-01T02:00:00Z"),
        record("a", "2026-03-01T02:00:00Z"),
        record("c", "2026-03-01T01:00:00Z"),
    ];
    let outcomes = rules()
        .statuses(&records, &[li], t("2026-03-03T00:00:00Z"))
        .unwrap();
    let statuses: Vec<TransferStatus> = outcomes.iter().map(|o| o.status).collect();
    // c completes first (01:00 + 24 h) and fills li to 50; a and b find li at the limit.
    assert_eq!(
        statuses,
        [
            TransferStatus::TakerAtLimit,
            TransferStatus::TakerAtLimit,
            TransferStatus::Done
        ]
    );
    assert_eq!(
        outcomes[0].reason(),
        "li held 50 customers at 2026-03-02T02:00:00Z, the limit of 50; the customer stays with wang"
    );
    // Without li's count the limit cannot be checked.
    let unknown = rules()
        .statuses(&records, &[], t("2026-03-03T00:00:00Z"))
        .unwrap();
    assert!(unknown.iter().all(|o| o.status == TransferStatus::Done));
}

#[test]
fn a_refusal_before_the_start_is_an_error() {
    let mut r = record("c1", "2026-03-01T02:00:00Z");
    r.refused_at = Some(t("2026-03-01T01:00:00Z"));
    let err = rules()
        .statuses(
            &[record("c0", "2026-03-01T02:00:00Z"), r],
            &[],
            t("2026-03-05T00:00:00Z"),
        )
        .unwrap_err();
    assert_eq!(err.problems()[0].path, "records[1].refused_at");
}
