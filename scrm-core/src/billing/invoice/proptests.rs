//! Invoice invariants over random subscriptions: the total is exactly the sum of the lines, only
//! credits are negative, and proration lines add up to the plan in force on each day.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::tests::{at, catalog};
use super::*;
use crate::billing::subscription::Subscription;

fn subscription() -> impl Strategy<Value = (Subscription, i64)> {
    let plan = prop::sample::select(vec!["basic", "pro", "mini"]);
    let change = (
        0i64..(90 * 24),
        prop::option::of(prop::sample::select(vec!["basic", "pro", "mini"])),
        prop::option::of(0u32..12),
    );
    (
        plan,
        0i64..(60 * 24),
        prop::sample::select(vec!["UTC", "Asia/Shanghai", "America/New_York"]),
        0u32..12,
        prop::collection::vec(change, 0..4),
        prop::sample::subsequence(vec!["half", "welcome", "loyal", "ten"], 0..3),
        any::<bool>(),
        0i64..4,
    )
        .prop_map(
            |(plan, start_h, tz, seats, mut changes, coupons, anniversary, k)| {
                let start = at("2026-02-01T00:00:00Z") + Duration::hours(start_h);
                changes.sort_by_key(|c| c.0);
                let changes: Vec<serde_json::Value> = changes
                    .into_iter()
                    .map(|(h, plan, seats)| {
                        let mut c =
                            serde_json::json!({"at": (start + Duration::hours(h)).to_rfc3339()});
                        if let Some(p) = plan {
                            c["plan"] = p.into();
                        }
                        if let Some(s) = seats {
                            c["seats"] = s.into();
                        }
                        c
                    })
                    .collect();
                let coupons: Vec<serde_json::Value> = coupons
                    .into_iter()
                    .map(|c| serde_json::json!({"coupon": c}))
                    .collect();
                let s = serde_json::json!({
                    "id": "s", "customer_id": "c", "plan": plan, "started_at": start.to_rfc3339(),
                    "timezone": tz, "seats": seats, "changes": changes, "coupons": coupons,
                    "anchor": if anniversary { "anniversary" } else { "calendar" },
                });
                (serde_json::from_value(s).unwrap(), k)
            },
        )
}

fn usage() -> impl Strategy<Value = Usage> {
    (0i64..5000, prop::collection::vec(0i64..100_000, 0..5)).prop_map(|(sms, payments)| {
        let mut u = Usage::new();
        u.insert(
            "sms".into(),
            crate::billing::Quantity::Units(Decimal::from(sms)),
        );
        u.insert(
            "payments".into(),
            crate::billing::Quantity::Transactions(
                payments.iter().map(|&p| Decimal::new(p, 2)).collect(),
            ),
        );
        u
    })
}

/// What the fees of the period come to when each day is billed on the terms in force that day.
fn by_day(s: &Subscription, inv: &Invoice) -> Decimal {
    let p = catalog();
    let tz = s.tz().unwrap();
    let steps = s.steps(tz, at("2100-01-01T00:00:00Z"));
    let trial = p.plan(&s.plan).unwrap().trial_days;
    let start = s.start_date(tz) + Duration::days(i64::from(trial));
    let n = Decimal::from(inv.period.days());
    let mut days: BTreeMap<(String, u32), i64> = BTreeMap::new();
    let mut d: NaiveDate = inv.period.first_day();
    while d < inv.period.end_date() {
        if d >= start {
            let t = steps
                .iter()
                .take_while(|st| st.from <= d)
                .last()
                .unwrap()
                .terms;
            *days.entry((t.plan_id.to_owned(), t.seats)).or_default() += 1;
        }
        d = d.succ_opt().unwrap();
    }
    days.into_iter()
        .map(|((plan, seats), count)| {
            let plan = p.plan(&plan).unwrap();
            let extra = Decimal::from(seats.saturating_sub(plan.included_seats));
            let per_period = plan.fee + extra * plan.seat_price.unwrap_or_default();
            per_period * Decimal::from(count) / n
        })
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn totals_are_exact_sums_and_only_credits_are_negative(
        (s, k) in subscription(),
        u in usage(),
    ) {
        let p = catalog();
        let when = s.started_at + Duration::days(31 * k);
        let inv = p.invoice(&s, &u, when, at("2100-01-01T00:00:00Z")).unwrap();
        let sum = Money::sum(inv.currency, inv.lines.iter().map(|l| l.amount)).unwrap();
        prop_assert_eq!(sum, inv.total);
        prop_assert_eq!(inv.subtotal.checked_add(inv.discount).unwrap(), inv.total);
        for line in &inv.lines {
            prop_assert_eq!(line.amount.amount().scale(), 2);
            if line.is_credit() {
                prop_assert!(!line.amount.amount().is_sign_positive() || line.amount.is_zero(), "{:?}", line);
            } else {
                prop_assert!(!line.amount.is_negative(), "{:?}", line);
            }
        }
        prop_assert!(!inv.total.is_negative() || inv.lines.iter().any(|l| l.kind == LineKind::ProrationCredit));

        // Fee, seat and proration lines equal billing each day on its terms, up to each line's
        // rounding (at most half a cent per line).
        let fees: Decimal = inv.lines.iter()
            .filter(|l| matches!(l.kind, LineKind::SubscriptionFee | LineKind::Seats
                | LineKind::ProrationCharge | LineKind::ProrationCredit))
            .map(|l| l.amount.amount())
            .sum();
        let count = inv.lines.len() as i64;
        let expected = by_day(&s, &inv);
        prop_assert!((fees - expected).abs() <= Decimal::new(5 * count, 3) + Decimal::new(1, 20),
            "fees {} vs by day {} in {:#?}", fees, expected, inv.lines);
    }

    #[test]
    fn a_statement_is_its_invoices_and_coupons_never_take_more_than_was_due(
        (s, _) in subscription(),
    ) {
        let p = catalog();
        let now = s.started_at + Duration::days(120);
        let st = p.statement(&s, &BTreeMap::new(), now).unwrap();
        let sum = Money::sum(crate::billing::Currency::CNY, st.invoices.iter().map(|i| i.total)).unwrap();
        prop_assert_eq!(sum, st.total);
        for inv in &st.invoices {
            let off: Money = Money::sum(inv.currency, inv.coupons.iter().map(|c| c.discount)).unwrap();
            prop_assert_eq!(off.negate(), inv.discount);
            prop_assert!(off.amount() <= inv.subtotal.amount().max(Decimal::ZERO));
        }
    }
}
