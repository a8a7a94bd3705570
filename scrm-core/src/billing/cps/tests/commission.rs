//! Commission plans, holds, refunds, payouts, clawbacks, referral levels and statements on
//! worked examples.

use super::*;
use crate::billing::cps::{CommissionPlan, CpsHistory, LineStatus, Payout, RateSource, Refund};
use crate::playbook::Commission;

fn plan(json: &str) -> CommissionPlan {
    CommissionPlan::new(&serde_json::from_str::<Commission>(json).unwrap()).unwrap()
}

const PLAN: &str = r#"{"currency":"CNY","attribution":{"model":"last_touch"},"hold":"15d",
    "default_rate":"0.05","channel_rates":{"wecom":"0.10","douyin":"0.08"},
    "campaign_rates":{"spring":"0.12"},"promoter_rates":{"kol":"0.15"}}"#;

const TWO_LEVELS: &str = r#"{"currency":"CNY","attribution":{"model":"last_touch"},"hold":"15d",
    "channel_rates":{"wecom":"0.10"},"referral":{"levels":2,"upline_rate":"0.03"}}"#;

fn one_sale() -> CpsHistory {
    CpsHistory {
        sales: vec![sale(
            "s1",
            "2026-03-01T00:00:00Z",
            "1000.00",
            vec![touch("2026-02-25T00:00:00Z", "wecom", Some("p_li"))],
        )],
        ..CpsHistory::default()
    }
}

fn refund(id: &str, at: &str, amount: &str) -> Refund {
    Refund {
        id: id.into(),
        sale_id: "s1".into(),
        at: t(at),
        amount: d(amount),
    }
}

fn payout(id: &str, at: &str, amount: &str) -> Payout {
    Payout {
        id: id.into(),
        sale_id: "s1".into(),
        touch_index: 0,
        level: 1,
        promoter: "p_li".into(),
        at: t(at),
        amount: d(amount),
    }
}

/// (status, commission, paid, amount) of the only line.
fn only_line(
    p: &CommissionPlan,
    h: &CpsHistory,
    as_of: &str,
) -> (LineStatus, String, String, String) {
    let c = p.commissions(h, t(as_of)).unwrap();
    assert_eq!(c.lines.len(), 1, "{:?}", c.lines);
    let l = &c.lines[0];
    (
        l.status,
        l.commission.to_string(),
        l.paid.to_string(),
        l.amount.to_string(),
    )
}

fn line(
    status: LineStatus,
    commission: &str,
    paid: &str,
    amount: &str,
) -> (LineStatus, String, String, String) {
    (status, commission.into(), paid.into(), amount.into())
}

#[test]
fn the_most_specific_rate_wins() {
    let p = plan(PLAN);
    let mut t1 = touch("2026-03-01T00:00:00Z", "douyin", Some("kol"));
    t1.campaign = Some("spring".into());
    assert_eq!(p.rate(&t1), (d("0.15"), RateSource::Promoter));
    t1.promoter = Some("someone".into());
    assert_eq!(p.rate(&t1), (d("0.12"), RateSource::Campaign));
    t1.campaign = None;
    assert_eq!(p.rate(&t1), (d("0.08"), RateSource::Channel));
    t1.channel = "weibo".into();
    assert_eq!(p.rate(&t1), (d("0.05"), RateSource::Default));
}

#[test]
fn commission_is_held_until_the_hold_ended_before_as_of() {
    let p = plan(PLAN);
    let h = one_sale();
    assert_eq!(
        only_line(&p, &h, "2026-03-10T00:00:00Z"),
        line(LineStatus::Held, "100.00", "0.00", "100.00")
    );
    // The hold ends at 2026-03-16T00:00:00Z: a statement as of that instant does not see it end.
    assert_eq!(
        only_line(&p, &h, "2026-03-16T00:00:00Z").0,
        LineStatus::Held
    );
    assert_eq!(
        only_line(&p, &h, "2026-03-16T00:00:01Z"),
        line(LineStatus::Payable, "100.00", "0.00", "100.00")
    );
    // A sale at or after as_of is not seen at all.
    assert!(
        p.commissions(&h, t("2026-03-01T00:00:00Z"))
            .unwrap()
            .lines
            .is_empty()
    );
}

#[test]
fn a_refund_before_payout_recomputes_and_after_payout_claws_back() {
    let p = plan(PLAN);
    let mut h = one_sale();
    h.refunds
        .push(refund("r1", "2026-03-05T00:00:00Z", "200.00"));
    assert_eq!(
        only_line(&p, &h, "2026-03-20T00:00:00Z"),
        line(LineStatus::Payable, "80.00", "0.00", "80.00")
    );
    h.payouts
        .push(payout("po1", "2026-03-31T00:00:00Z", "80.00"));
    assert_eq!(
        only_line(&p, &h, "2026-04-01T00:00:00Z"),
        line(LineStatus::Paid, "80.00", "80.00", "0.00")
    );
    h.refunds
        .push(refund("r2", "2026-04-10T00:00:00Z", "300.00"));
    assert_eq!(
        only_line(&p, &h, "2026-05-01T00:00:00Z"),
        line(LineStatus::Clawback, "50.00", "80.00", "-30.00")
    );
    h.payouts
        .push(payout("po2", "2026-05-02T00:00:00Z", "-30.00"));
    assert_eq!(
        only_line(&p, &h, "2026-05-10T00:00:00Z"),
        line(LineStatus::Paid, "50.00", "50.00", "0.00")
    );
    let c = p.commissions(&h, t("2026-05-01T00:00:00Z")).unwrap();
    assert!(
        c.lines[0].explanation().contains("claw back -30.00"),
        "{}",
        c.lines[0].explanation()
    );
    assert_eq!(c.totals.due, d("-30.00"));
}

#[test]
fn two_levels_pay_the_upline_but_never_the_upline_of_the_upline() {
    let p = plan(TWO_LEVELS);
    let mut h = one_sale();
    h.referrers.insert("p_li".into(), "p_wang".into());
    h.referrers.insert("p_wang".into(), "p_zhao".into());
    let c = p.commissions(&h, t("2026-04-01T00:00:00Z")).unwrap();
    let lines: Vec<(u8, &str, String, Option<&str>)> = c
        .lines
        .iter()
        .map(|l| {
            (
                l.level,
                l.promoter.as_str(),
                l.commission.to_string(),
                l.downline.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            (1, "p_li", "100.00".into(), None),
            (2, "p_wang", "30.00".into(), Some("p_li"))
        ]
    );
    assert_eq!(c.totals.payable, d("130.00"));
}

#[test]
fn three_levels_are_refused_naming_the_path_and_value() {
    let section: Commission = serde_json::from_str(
        r#"{"currency":"CNY","attribution":{"model":"linear"},"referral":{"levels":3,"upline_rate":"0.02"}}"#,
    )
    .unwrap();
    let e = CommissionPlan::new(&section).unwrap_err();
    assert_eq!(e.problems()[0].path, "referral.levels");
    assert!(e.problems()[0].message.contains("levels 3"), "{e}");
    assert!(e.problems()[0].message.contains("分销"), "{e}");
    let missing: Commission = serde_json::from_str(
        r#"{"currency":"CNY","attribution":{"model":"linear"},"referral":{"levels":2}}"#,
    )
    .unwrap();
    assert_eq!(
        CommissionPlan::new(&missing).unwrap_err().problems()[0].path,
        "referral.upline_rate"
    );
}

#[test]
fn rates_must_be_fractions() {
    let section: Commission = serde_json::from_str(
        r#"{"currency":"CNY","attribution":{"model":"linear"},"default_rate":"10","channel_rates":{"douyin":"-0.1"}}"#,
    )
    .unwrap();
    let e = CommissionPlan::new(&section).unwrap_err();
    let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["default_rate", "channel_rates.douyin"]);
}

#[test]
fn replaying_sales_and_refunds_changes_nothing_and_conflicts_are_refused() {
    let p = plan(PLAN);
    let mut h = one_sale();
    h.refunds
        .push(refund("r1", "2026-03-05T00:00:00Z", "200.00"));
    let once = p.commissions(&h, t("2026-04-01T00:00:00Z")).unwrap();
    let mut twice = h.clone();
    twice.sales.push(h.sales[0].clone());
    twice.refunds.push(h.refunds[0].clone());
    assert_eq!(
        p.commissions(&twice, t("2026-04-01T00:00:00Z")).unwrap(),
        once
    );
    twice.refunds[1].amount = d("250.00");
    let e = p
        .commissions(&twice, t("2026-04-01T00:00:00Z"))
        .unwrap_err();
    assert_eq!(e.problems()[0].path, "refunds[1].id");
}

#[test]
fn history_problems_name_their_paths() {
    let p = plan(PLAN);
    let mut h = one_sale();
    h.sales
        .push(sale("s2", "2026-03-02T00:00:00Z", "10.00", vec![]));
    h.sales[1].currency = Currency::USD;
    h.refunds.push(refund("r0", "2026-02-01T00:00:00Z", "1.00"));
    h.refunds
        .push(refund("r1", "2026-03-05T00:00:00Z", "999.99"));
    h.refunds.push(refund("r2", "2026-03-06T00:00:00Z", "0.02"));
    let mut wrong = payout("po1", "2026-03-31T00:00:00Z", "80.00");
    wrong.promoter = "p_wang".into();
    let mut missing = payout("po2", "2026-03-31T00:00:00Z", "1.00");
    missing.level = 2;
    h.payouts = vec![wrong, missing];
    let e = p.commissions(&h, t("2026-04-01T00:00:00Z")).unwrap_err();
    let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "sales[1].currency",
            "refunds[0].at",
            "refunds[2].amount",
            "payouts[0].promoter",
            "payouts[1]"
        ]
    );
}

#[test]
fn a_statement_lists_activity_and_open_amounts() {
    let p = plan(PLAN);
    let mut h = one_sale();
    h.sales.push(sale(
        "s2",
        "2026-04-20T00:00:00Z",
        "300.00",
        vec![touch("2026-04-19T00:00:00Z", "douyin", Some("p_li"))],
    ));
    h.sales.push(sale(
        "s3",
        "2026-04-21T00:00:00Z",
        "500.00",
        vec![touch("2026-04-19T00:00:00Z", "douyin", Some("p_other"))],
    ));
    h.refunds
        .push(refund("r1", "2026-03-05T00:00:00Z", "200.00"));
    h.payouts
        .push(payout("po1", "2026-03-31T00:00:00Z", "80.00"));
    h.refunds
        .push(refund("r2", "2026-04-10T00:00:00Z", "300.00"));

    let march = p
        .statement(
            &h,
            "p_li",
            t("2026-03-01T00:00:00Z"),
            t("2026-04-01T00:00:00Z"),
        )
        .unwrap();
    assert_eq!(march.lines.len(), 1);
    assert_eq!(march.lines[0].status, LineStatus::Paid);
    assert_eq!(march.totals.paid, d("80.00"));
    assert_eq!(march.totals.due, d("0.00"));

    let april = p
        .statement(
            &h,
            "p_li",
            t("2026-04-01T00:00:00Z"),
            t("2026-05-01T00:00:00Z"),
        )
        .unwrap();
    let got: Vec<(&str, LineStatus, String)> = april
        .lines
        .iter()
        .map(|l| (l.sale_id.as_str(), l.status, l.amount.to_string()))
        .collect();
    // s2: 300.00 × 0.08 = 24.00, held until 2026-05-05.
    assert_eq!(
        got,
        [
            ("s1", LineStatus::Clawback, "-30.00".into()),
            ("s2", LineStatus::Held, "24.00".into())
        ]
    );
    assert_eq!(april.totals.due, d("-30.00"));
    assert_eq!(april.totals.held, d("24.00"));
    assert!(
        april.explanation.contains("due -30.00"),
        "{}",
        april.explanation
    );

    // May: nothing happened to s1 and the clawback is still open; s2 became payable.
    let may = p
        .statement(
            &h,
            "p_li",
            t("2026-05-01T00:00:00Z"),
            t("2026-06-01T00:00:00Z"),
        )
        .unwrap();
    let got: Vec<(&str, LineStatus)> = may
        .lines
        .iter()
        .map(|l| (l.sale_id.as_str(), l.status))
        .collect();
    assert_eq!(
        got,
        [("s1", LineStatus::Clawback), ("s2", LineStatus::Payable)]
    );
    assert_eq!(may.totals.due, d("-6.00"));

    let e = p
        .statement(
            &h,
            "p_li",
            t("2026-05-01T00:00:00Z"),
            t("2026-05-01T00:00:00Z"),
        )
        .unwrap_err();
    assert_eq!(e.problems()[0].path, "from");
}

#[test]
fn touches_without_a_promoter_take_credit_but_earn_nothing() {
    let p = plan(r#"{"currency":"CNY","attribution":{"model":"linear"},"default_rate":"0.10"}"#);
    let h = CpsHistory {
        sales: vec![sale(
            "s1",
            "2026-03-01T00:00:00Z",
            "1000.00",
            vec![
                touch("2026-02-20T00:00:00Z", "ads", None),
                touch("2026-02-25T00:00:00Z", "wecom", Some("p_li")),
            ],
        )],
        ..CpsHistory::default()
    };
    let c = p.commissions(&h, t("2026-03-02T00:00:00Z")).unwrap();
    assert_eq!(c.lines.len(), 1);
    assert_eq!(c.lines[0].attributed, d("500.00"));
    assert_eq!(c.lines[0].commission, d("50.00"));
    assert_eq!(
        c.lines[0].status,
        LineStatus::Payable,
        "no hold: payable at once"
    );
}
