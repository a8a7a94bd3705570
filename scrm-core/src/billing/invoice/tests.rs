//! Invoices computed by hand (see the comments), checked line by line.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use super::*;
use crate::billing::subscription::Subscription;
use crate::error::ErrorKind;
use crate::playbook::Pricing;

pub(crate) const CATALOG: &str = r#"{
  "meters": [
    {"id": "sms", "event": "sms_sent", "aggregation": "count", "unit": "messages"},
    {"id": "payments", "event": "payment", "aggregation": "sum", "field": "amount", "unit": "payments"}
  ],
  "plans": [
    {"id": "basic", "name": "Basic", "currency": "CNY", "interval": "month", "fee": "299.00",
     "seat_price": "50.00", "included_seats": 3,
     "charges": [{"id": "sms", "meter": "sms", "included": 1000,
                  "price": {"model": "standard", "unit_price": "0.05"}}]},
    {"id": "pro", "name": "Pro", "currency": "CNY", "interval": "month", "fee": "999.00",
     "seat_price": "99.00", "included_seats": 5, "trial_days": 14,
     "minimum_commitment": "1500.00",
     "charges": [
       {"id": "sms", "meter": "sms", "price": {"model": "graduated", "tiers": [
          {"from": 0, "to": 100, "unit_price": "0.10"},
          {"from": 101, "to": 1000, "unit_price": "0.08", "flat_fee": "5.00"},
          {"from": 1001, "unit_price": "0.05"}]}},
       {"id": "payments", "meter": "payments", "price": {"model": "percentage", "rate": "2.5",
          "fixed_fee": "0.30", "min_fee": "0.50", "max_fee": "5.00"}}]},
    {"id": "mini", "name": "Mini", "currency": "CNY", "interval": "month", "fee": "60.00"},
    {"id": "dollar", "name": "Dollar", "currency": "USD", "interval": "month", "fee": "10.00"},
    {"id": "yen", "name": "Yen", "currency": "JPY", "interval": "month", "fee": "1000",
     "charges": [{"id": "sms", "meter": "sms", "price": {"model": "standard", "unit_price": "0.5"}}]}
  ],
  "coupons": [
    {"id": "half", "percent": "50", "duration": "once"},
    {"id": "welcome", "amount": {"amount": "100.00", "currency": "CNY"}, "duration": "once"},
    {"id": "loyal", "amount": {"amount": "20.00", "currency": "CNY"}, "duration": "periods", "periods": 3},
    {"id": "ten", "percent": "10", "duration": "forever"}
  ]
}"#;

pub(super) fn catalog() -> Pricing {
    Pricing::from_json(CATALOG).unwrap()
}

pub(super) fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn sub(json: serde_json::Value) -> Subscription {
    let mut base = serde_json::json!({
        "id": "s1", "customer_id": "c1", "plan": "basic",
        "started_at": "2026-03-01T00:00:00Z", "timezone": "UTC"
    });
    if let (Some(b), serde_json::Value::Object(extra)) = (base.as_object_mut(), json) {
        b.extend(extra);
    }
    serde_json::from_value(base).unwrap()
}

fn usage(json: serde_json::Value) -> Usage {
    serde_json::from_value(json).unwrap()
}

/// `(kind, amount)` of each line, and the total.
fn summary(inv: &Invoice) -> (Vec<(LineKind, String)>, String) {
    let lines = inv
        .lines
        .iter()
        .map(|l| (l.kind, l.amount.amount().to_string()))
        .collect();
    (lines, inv.total.amount().to_string())
}

fn kinds(v: &[(LineKind, &str)]) -> Vec<(LineKind, String)> {
    v.iter().map(|(k, a)| (*k, (*a).to_owned())).collect()
}

const END: &str = "2026-04-01T00:00:00Z";

#[test]
fn a_full_month_bills_fee_extra_seats_and_overage_beyond_the_quota() {
    // 299.00 + 1 seat beyond 3 × 50.00 + (1,500 − 1,000) × 0.05 = 374.00
    let inv = catalog()
        .invoice(
            &sub(serde_json::json!({"seats": 4})),
            &usage(serde_json::json!({"sms": "1500"})),
            at("2026-03-10T00:00:00Z"),
            at(END),
        )
        .unwrap();
    use LineKind::*;
    assert_eq!(
        summary(&inv),
        (
            kinds(&[
                (SubscriptionFee, "299.00"),
                (Seats, "50.00"),
                (Usage, "25.00")
            ]),
            "374.00".into()
        )
    );
    assert_eq!(inv.status, InvoiceStatus::Final);
    assert_eq!(
        inv.lines[2].explanation,
        "1,500 messages, 1,000 included: 500 × 0.05"
    );
    assert_eq!(
        inv.lines[0].explanation,
        "Basic plan fee 299.00, 2026-03-01 – 2026-03-31"
    );
    assert_eq!(
        inv.lines[1].explanation,
        "1 seat beyond the 3 included on Basic × 50.00, 2026-03-01 – 2026-03-31"
    );
}

#[test]
fn a_mid_month_start_is_prorated_by_local_days() {
    // 2026-03-15T18:00Z is 16 March 02:00 in Shanghai: 16 of 31 days, 299 × 16/31 = 154.3225… → 154.32.
    let s =
        sub(serde_json::json!({"started_at": "2026-03-15T18:00:00Z", "timezone": "Asia/Shanghai"}));
    let inv = catalog()
        .invoice(
            &s,
            &super::Usage::new(),
            at("2026-03-20T00:00:00Z"),
            at(END),
        )
        .unwrap();
    assert_eq!(inv.lines[0].amount.amount().to_string(), "154.32");
    assert_eq!(inv.lines[0].days, Some(Days { billed: 16, of: 31 }));
    assert_eq!(
        inv.lines[0].explanation,
        "Basic plan fee 299.00 × 16/31 days (2026-03-16 – 2026-03-31)"
    );
    assert_eq!(
        inv.period.first_day(),
        NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
    );
    // In UTC the same instant is the 15th: 17 days.
    let s = sub(serde_json::json!({"started_at": "2026-03-15T18:00:00Z"}));
    let inv = catalog()
        .invoice(
            &s,
            &super::Usage::new(),
            at("2026-03-20T00:00:00Z"),
            at(END),
        )
        .unwrap();
    assert_eq!(inv.lines[0].days, Some(Days { billed: 17, of: 31 }));
}

#[test]
fn an_upgrade_credits_the_unused_old_plan_and_charges_the_new_one() {
    // Basic → Pro on 16 March (16 of 31 days left), 4 seats:
    // 299.00 + 50.00 − 154.32 − 25.81 + 515.61 + sms 1,500 on Pro's tiers 112.00 + payments 0.00
    // = 796.48; Pro's commitment 1,500 × 16/31 = 774.19 is met, so no true-up.
    let s = sub(
        serde_json::json!({"seats": 4, "changes": [{"at": "2026-03-16T09:00:00Z", "plan": "pro"}]}),
    );
    let inv = catalog()
        .invoice(
            &s,
            &usage(serde_json::json!({"sms": "1500"})),
            at("2026-03-01T00:00:00Z"),
            at(END),
        )
        .unwrap();
    use LineKind::*;
    assert_eq!(
        summary(&inv),
        (
            kinds(&[
                (SubscriptionFee, "299.00"),
                (Seats, "50.00"),
                (ProrationCredit, "-154.32"),
                (ProrationCredit, "-25.81"),
                (ProrationCharge, "515.61"),
                (Usage, "112.00"),
                (Usage, "0.00"),
            ]),
            "796.48".into()
        )
    );
    assert_eq!(
        inv.lines[2].explanation,
        "Unused Basic plan fee 299.00 × 16/31 days (2026-03-16 – 2026-03-31)"
    );
    assert_eq!(
        inv.lines[5].explanation,
        "1,500 messages: 100 × 0.10 + 900 × 0.08 + 5.00 tier fee + 500 × 0.05"
    );
    assert_eq!(inv.plan_id, "pro");
}

#[test]
fn a_seat_change_alone_charges_or_credits_the_difference() {
    // 6 seats (3 extra) → 8 on the 16th: +2 × 50 × 16/31 = 51.61; → 4 on the 21st: −4 × 50 × 11/31 = −70.97.
    let s = sub(serde_json::json!({"seats": 6, "changes": [
        {"at": "2026-03-16T00:00:00Z", "seats": 8}, {"at": "2026-03-21T00:00:00Z", "seats": 4}]}));
    let inv = catalog()
        .invoice(
            &s,
            &super::Usage::new(),
            at("2026-03-01T00:00:00Z"),
            at(END),
        )
        .unwrap();
    use LineKind::*;
    assert_eq!(
        summary(&inv),
        (
            kinds(&[
                (SubscriptionFee, "299.00"),
                (Seats, "150.00"),
                (ProrationCharge, "51.61"),
                (ProrationCredit, "-70.97"),
                (Usage, "0.00"),
            ]),
            "429.64".into()
        )
    );
    assert_eq!(
        inv.lines[3].explanation,
        "4 seats fewer × 50.00 × 11/31 days (2026-03-21 – 2026-03-31)"
    );
}

#[test]
fn a_trial_waives_the_fee_until_it_ends_and_the_commitment_covers_the_billed_days() {
    // Pro from 10 March with 14 trial days: free 10–23 March, billed 24–31 (8/31):
    // fee 999 × 8/31 = 257.81; commitment 1,500 × 8/31 = 387.10 → true-up 129.29.
    let s =
        sub(serde_json::json!({"plan": "pro", "seats": 5, "started_at": "2026-03-10T00:00:00Z"}));
    let inv = catalog()
        .invoice(
            &s,
            &super::Usage::new(),
            at("2026-03-10T00:00:00Z"),
            at(END),
        )
        .unwrap();
    use LineKind::*;
    assert_eq!(
        summary(&inv),
        (
            kinds(&[
                (Trial, "0.00"),
                (SubscriptionFee, "257.81"),
                (Usage, "0.00"),
                (Usage, "0.00"),
                (CommitmentTrueUp, "129.29"),
            ]),
            "387.10".into()
        )
    );
    assert_eq!(
        inv.lines[0].explanation,
        "Free trial, 2026-03-10 – 2026-03-23 (14 of 14 days, no fee)"
    );
    assert_eq!(
        inv.lines[4].explanation,
        "Minimum commitment 1,500.00 × 8/31 days = 387.10; charges 257.81; true-up 129.29"
    );
}

#[test]
fn a_percent_once_coupon_discounts_the_first_period_only() {
    let s = sub(serde_json::json!({"coupons": [{"coupon": "half"}]}));
    let p = catalog();
    let march = p
        .invoice(
            &s,
            &super::Usage::new(),
            at("2026-03-01T00:00:00Z"),
            at(END),
        )
        .unwrap();
    assert_eq!(march.total.amount().to_string(), "149.50");
    assert_eq!(march.discount.amount().to_string(), "-149.50");
    assert_eq!(
        march.lines.last().unwrap().explanation,
        "Coupon half: 50% of 299.00"
    );
    let april = p
        .invoice(
            &s,
            &super::Usage::new(),
            at("2026-04-01T00:00:00Z"),
            at("2026-05-01T00:00:00Z"),
        )
        .unwrap();
    assert_eq!(april.total.amount().to_string(), "299.00");
    assert!(!april.coupons[0].active);
}

#[test]
fn a_fixed_once_coupon_carries_its_remainder_and_a_recurring_one_does_not() {
    let p = catalog();
    let now = at("2026-06-15T00:00:00Z");
    // Mini, 60.00 a month, 100.00 once: 0.00 (40.00 left), 20.00, 60.00, 60.00.
    let s = sub(serde_json::json!({"plan": "mini", "coupons": [{"coupon": "welcome"}]}));
    let st = p.statement(&s, &BTreeMap::new(), now).unwrap();
    let totals: Vec<String> = st
        .invoices
        .iter()
        .map(|i| i.total.amount().to_string())
        .collect();
    assert_eq!(totals, ["0.00", "20.00", "60.00", "60.00"]);
    assert_eq!(
        st.invoices[0].coupons[0]
            .remaining
            .unwrap()
            .amount()
            .to_string(),
        "40.00"
    );
    assert_eq!(st.total.amount().to_string(), "140.00");
    // 20.00 for 3 periods from a start on 24 March (8/31 × 60 = 15.48): the 4.52 not used is lost.
    let s = sub(
        serde_json::json!({"plan": "mini", "started_at": "2026-03-24T00:00:00Z", "coupons": [{"coupon": "loyal"}]}),
    );
    let st = p.statement(&s, &BTreeMap::new(), now).unwrap();
    let totals: Vec<String> = st
        .invoices
        .iter()
        .map(|i| i.total.amount().to_string())
        .collect();
    assert_eq!(totals, ["0.00", "40.00", "40.00", "60.00"]);
}

#[test]
fn coupons_apply_in_order_to_what_is_left_and_never_below_zero() {
    // 299.00: 10% forever → 29.90 off; then 100.00 once → 100.00 off: 169.10.
    let s = sub(serde_json::json!({"coupons": [{"coupon": "ten"}, {"coupon": "welcome"}]}));
    let inv = catalog()
        .invoice(
            &s,
            &super::Usage::new(),
            at("2026-03-01T00:00:00Z"),
            at(END),
        )
        .unwrap();
    assert_eq!(inv.total.amount().to_string(), "169.10");
    let s = sub(
        serde_json::json!({"plan": "mini", "coupons": [{"coupon": "welcome", "remaining": {"amount": "80.00", "currency": "CNY"}}]}),
    );
    let inv = catalog()
        .invoice(
            &s,
            &super::Usage::new(),
            at("2026-03-01T00:00:00Z"),
            at(END),
        )
        .unwrap();
    assert_eq!(inv.total.amount().to_string(), "0.00");
    assert_eq!(
        inv.coupons[0].remaining.unwrap().amount().to_string(),
        "20.00"
    );
}

#[test]
fn yen_rounds_to_whole_yen_half_away_from_zero() {
    // 1000 × 16/31 = 516.13 → 516; 3 × 0.5 = 1.5 → 2.
    let s = sub(serde_json::json!({"plan": "yen", "started_at": "2026-03-16T00:00:00Z"}));
    let inv = catalog()
        .invoice(
            &s,
            &usage(serde_json::json!({"sms": "3"})),
            at("2026-03-16T00:00:00Z"),
            at(END),
        )
        .unwrap();
    assert_eq!(summary(&inv).1, "518");
    assert_eq!(inv.lines[1].amount.amount().to_string(), "2");
}

#[test]
fn mixing_currencies_and_overflowing_are_errors() {
    let s = sub(serde_json::json!({"changes": [{"at": "2026-03-16T00:00:00Z", "plan": "dollar"}]}));
    let e = catalog()
        .invoice(
            &s,
            &super::Usage::new(),
            at("2026-03-01T00:00:00Z"),
            at(END),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(e.problems()[0].path, "subscription.changes[0].plan");
    let huge = usage(serde_json::json!({"sms": "79228162514264337593543950335"}));
    let e = catalog()
        .invoice(
            &sub(serde_json::json!({})),
            &huge,
            at("2026-03-01T00:00:00Z"),
            at(END),
        )
        .unwrap_err();
    assert!(e.to_string().contains("overflows"), "{e}");
    let s = sub(
        serde_json::json!({"plan": "mini", "coupons": [{"coupon": "welcome", "remaining": {"amount": "1.00", "currency": "USD"}}]}),
    );
    assert!(
        catalog()
            .invoice(
                &s,
                &super::Usage::new(),
                at("2026-03-01T00:00:00Z"),
                at(END)
            )
            .is_err()
    );
}

#[test]
fn wrong_usage_and_periods_are_errors_with_paths() {
    let p = catalog();
    let s = sub(serde_json::json!({}));
    let e = p
        .invoice(
            &s,
            &usage(serde_json::json!({"nope": "1"})),
            at("2026-03-01T00:00:00Z"),
            at(END),
        )
        .unwrap_err();
    assert_eq!(e.problems()[0].path, "usage.nope");
    let e = p
        .invoice(
            &s,
            &usage(serde_json::json!({"sms": ["1"]})),
            at("2026-03-01T00:00:00Z"),
            at(END),
        )
        .unwrap_err();
    assert_eq!(e.problems()[0].path, "usage.sms");
    let e = p
        .invoice(
            &s,
            &super::Usage::new(),
            at("2026-02-01T00:00:00Z"),
            at(END),
        )
        .unwrap_err();
    assert_eq!(e.problems()[0].path, "period");
    let e = p
        .invoice(
            &s,
            &super::Usage::new(),
            at("2026-05-01T00:00:00Z"),
            at(END),
        )
        .unwrap_err();
    assert_eq!(e.problems()[0].path, "now");
    let draft = p
        .invoice(
            &s,
            &super::Usage::new(),
            at("2026-03-01T00:00:00Z"),
            at("2026-03-10T00:00:00Z"),
        )
        .unwrap();
    assert_eq!(draft.status, InvoiceStatus::Draft);
}

#[test]
fn percentage_usage_lines_count_transactions() {
    let s =
        sub(serde_json::json!({"plan": "pro", "started_at": "2026-02-01T00:00:00Z", "seats": 5}));
    let u = usage(serde_json::json!({"sms": "100", "payments": ["5", "10", "100", "500"]}));
    let inv = catalog()
        .invoice(&s, &u, at("2026-03-01T00:00:00Z"), at(END))
        .unwrap();
    let line = inv
        .lines
        .iter()
        .find(|l| l.charge_id.as_deref() == Some("payments"))
        .unwrap();
    assert_eq!(line.amount.amount().to_string(), "8.85");
    assert_eq!(line.quantity, Decimal::from(4));
    assert_eq!(line.unit_price.to_string(), "2.2125");
    assert!(
        line.explanation
            .starts_with("4 payments: 615 × 2.5% + 4 × 0.30 = 16.575"),
        "{}",
        line.explanation
    );
    // 999.00 + 10.00 + 8.85 = 1,017.85 < 1,500.00: true-up 482.15.
    assert_eq!(inv.total.amount().to_string(), "1500.00");
}
