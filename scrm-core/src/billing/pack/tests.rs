//! Pack ladders and wallet consumption: worked examples computed by hand, and property tests of
//! the burn order and of balances never going negative.

use chrono::{DateTime, TimeDelta, Utc};
use proptest::prelude::*;
use rust_decimal::Decimal;

use super::{Consumption, CreditKind, PackLadder, PackUsage, Wallet};
use crate::playbook::Packs;

fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

const LADDER: &str = r#"{"unit":"message","currency":"CNY","ladder":[
    {"id":"sms_1k","units":1000,"price":"50.00","valid_for":"365d"},
    {"id":"sms_10k","units":10000,"bonus_units":1000,"price":"400.00","valid_for":"365d"},
    {"id":"sms_50k","units":50000,"bonus_units":10000,"price":"1500.00"}]}"#;

fn ladder(json: &str) -> crate::Result<PackLadder> {
    PackLadder::new(&serde_json::from_str::<Packs>(json).unwrap())
}

fn wallet(id: &str, bought: &str, paid: &str, bonus: &str) -> Wallet {
    Wallet {
        id: id.into(),
        pack_id: None,
        purchased_at: t(bought),
        expires_at: None,
        paid_units: d(paid),
        bonus_units: d(bonus),
    }
}

fn usage(at: &str, quantity: &str) -> PackUsage {
    PackUsage {
        id: "u1".into(),
        at: t(at),
        quantity: d(quantity),
    }
}

fn taken(c: &Consumption) -> Vec<(String, CreditKind, String)> {
    c.lines
        .iter()
        .map(|l| (l.wallet_id.clone(), l.kind, l.units.to_string()))
        .collect()
}

#[test]
fn effective_unit_prices_fall_down_the_ladder() {
    let l = ladder(LADDER).unwrap();
    let prices: Vec<(String, String)> = l
        .packs
        .iter()
        .map(|p| (p.unit_price.to_string(), p.discount_percent.to_string()))
        .collect();
    // 50/1000 = 0.05; 400/11000 = 0.036363… → 0.0364, 1 − (400·1000)/(50·11000) = 27.27%;
    // 1500/60000 = 0.025, 1 − (1500·1000)/(50·60000) = 50%.
    assert_eq!(
        prices,
        [
            ("0.0500".to_owned(), "0.00".to_owned()),
            ("0.0364".into(), "27.27".into()),
            ("0.0250".into(), "50.00".into())
        ]
    );
    assert!(
        l.packs[1]
            .explanation
            .contains("400.00 / 11000 = 0.03636364 → 0.0364"),
        "{}",
        l.packs[1].explanation
    );
}

#[test]
fn a_ladder_that_gets_dearer_or_shrinks_is_refused() {
    let dearer = r#"{"unit":"message","currency":"CNY","ladder":[
        {"id":"a","units":1000,"price":"50.00"},{"id":"b","units":2000,"price":"100.01"}]}"#;
    assert_eq!(
        ladder(dearer).unwrap_err().problems()[0].path,
        "ladder[1].price"
    );
    let shrinks = r#"{"unit":"message","currency":"CNY","ladder":[
        {"id":"a","units":1000,"price":"50.00"},{"id":"a","units":900,"bonus_units":100,"price":"40.00"}]}"#;
    let paths: Vec<String> = ladder(shrinks)
        .unwrap_err()
        .problems()
        .iter()
        .map(|p| p.path.clone())
        .collect();
    assert_eq!(paths, ["ladder[1].id", "ladder[1].units"]);
    let same = r#"{"unit":"message","currency":"CNY","ladder":[
        {"id":"a","units":1000,"price":"50.00"},{"id":"b","units":2000,"price":"100.00"}]}"#;
    assert!(ladder(same).is_ok(), "an equal unit price is allowed");
}

#[test]
fn a_purchase_makes_a_wallet_that_expires() {
    let l = ladder(LADDER).unwrap();
    let w = l
        .purchase("sms_10k", "w1", t("2026-03-01T00:00:00Z"))
        .unwrap();
    assert_eq!((w.paid_units, w.bonus_units), (d("10000"), d("1000")));
    assert_eq!(w.expires_at, Some(t("2027-03-01T00:00:00Z")));
    assert_eq!(
        l.purchase("sms_50k", "w2", t("2026-03-01T00:00:00Z"))
            .unwrap()
            .expires_at,
        None
    );
    assert_eq!(
        l.purchase("sms_2k", "w3", t("2026-03-01T00:00:00Z"))
            .unwrap_err()
            .problems()[0]
            .path,
        "pack_id"
    );
}

#[test]
fn bonus_burns_first_then_paid_oldest_first() {
    let mut ws = vec![
        wallet("w1", "2026-01-05T00:00:00Z", "1000", "0"),
        wallet("w2", "2026-02-01T00:00:00Z", "10000", "1000"),
        wallet("w3", "2026-01-20T00:00:00Z", "500", "200"),
    ];
    let c = Wallet::consume(&mut ws, &usage("2026-03-01T00:00:00Z", "1500")).unwrap();
    assert_eq!(
        taken(&c),
        [
            ("w3".to_owned(), CreditKind::Bonus, "200".to_owned()),
            ("w2".into(), CreditKind::Bonus, "1000".into()),
            ("w1".into(), CreditKind::Paid, "300".into()),
        ]
    );
    assert_eq!((c.consumed, c.shortfall), (d("1500"), d("0")));
    assert_eq!((c.bonus_left, c.paid_left), (d("0"), d("11200")));
    assert_eq!(ws[0].paid_units, d("700"));
}

#[test]
fn expired_units_are_reported_and_not_consumed() {
    let mut ws = vec![
        wallet("w1", "2026-01-05T00:00:00Z", "1000", "100"),
        wallet("w2", "2026-02-01T00:00:00Z", "300", "0"),
    ];
    ws[0].expires_at = Some(t("2026-02-15T00:00:00Z"));
    // At the expiry instant the units are already gone.
    let c = Wallet::consume(&mut ws, &usage("2026-02-15T00:00:00Z", "500")).unwrap();
    assert_eq!(c.expired.len(), 1);
    assert_eq!(
        (c.expired[0].bonus_units, c.expired[0].paid_units),
        (d("100"), d("1000"))
    );
    assert_eq!(
        taken(&c),
        [("w2".to_owned(), CreditKind::Paid, "300".to_owned())]
    );
    assert_eq!((c.consumed, c.shortfall), (d("300"), d("200")));
    assert!(c.explanation.contains("200 short"), "{}", c.explanation);
    // Reported once: the next usage finds nothing more to expire.
    let again = Wallet::consume(&mut ws, &usage("2026-02-16T00:00:00Z", "1")).unwrap();
    assert!(again.expired.is_empty());
    assert_eq!(again.shortfall, d("1"));
}

#[test]
fn a_wallet_bought_after_the_usage_cannot_pay_for_it() {
    let mut ws = vec![wallet("w1", "2026-03-02T00:00:00Z", "1000", "0")];
    let c = Wallet::consume(&mut ws, &usage("2026-03-01T00:00:00Z", "10")).unwrap();
    assert!(c.lines.is_empty());
    assert_eq!(c.shortfall, d("10"));
    assert_eq!(ws[0].paid_units, d("1000"));
}

#[test]
fn malformed_wallets_and_usages_are_refused() {
    let mut ws = vec![
        wallet("w1", "2026-01-05T00:00:00Z", "-1", "0"),
        wallet("w1", "2026-01-05T00:00:00Z", "1", "0"),
    ];
    let e = Wallet::consume(&mut ws, &usage("2026-03-01T00:00:00Z", "-5")).unwrap_err();
    let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        ["wallets[0].paid_units", "wallets[1].id", "usage.quantity"]
    );
}

fn wallets() -> impl Strategy<Value = Vec<Wallet>> {
    prop::collection::vec(
        (
            0i64..60,
            0i64..5_000,
            0i64..2_000,
            prop::option::of(1i64..90),
        ),
        0..6,
    )
    .prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(i, (day, paid, bonus, valid))| {
                let bought = t("2026-01-01T00:00:00Z") + TimeDelta::days(day);
                Wallet {
                    id: format!("w{i}"),
                    pack_id: None,
                    purchased_at: bought,
                    expires_at: valid.map(|v| bought + TimeDelta::days(v)),
                    paid_units: Decimal::new(paid, 1),
                    bonus_units: Decimal::from(bonus),
                }
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn balances_never_go_negative_and_bonus_burns_before_paid_oldest_first(
        mut ws in wallets(),
        usages in prop::collection::vec((0i64..120, 0i64..40_000), 1..6),
    ) {
        for (k, (day, tenths)) in usages.into_iter().enumerate() {
            let at = t("2026-01-01T00:00:00Z") + TimeDelta::days(day);
            let before = ws.clone();
            let u = PackUsage { id: format!("u{k}"), at, quantity: Decimal::new(tenths, 1) };
            let c = Wallet::consume(&mut ws, &u).unwrap();
            for w in &ws {
                prop_assert!(w.paid_units >= Decimal::ZERO && w.bonus_units >= Decimal::ZERO);
            }
            prop_assert_eq!(c.consumed + c.shortfall, u.quantity);
            let taken: Decimal = c.lines.iter().map(|l| l.units).sum();
            prop_assert_eq!(taken, c.consumed);
            let units = |list: &[Wallet]| -> Decimal {
                list.iter().map(|w| w.paid_units + w.bonus_units).sum()
            };
            let expired: Decimal = c.expired.iter().map(|e| e.paid_units + e.bonus_units).sum();
            prop_assert_eq!(units(&before), units(&ws) + c.consumed + expired);
            // Every bonus line comes before every paid line; each kind oldest wallet first.
            let kinds: Vec<CreditKind> = c.lines.iter().map(|l| l.kind).collect();
            let first_paid = kinds.iter().position(|k| *k == CreditKind::Paid).unwrap_or(kinds.len());
            prop_assert!(kinds[first_paid..].iter().all(|k| *k == CreditKind::Paid));
            let bought = |id: &str| before.iter().find(|w| w.id == id).map(|w| w.purchased_at);
            for pair in c.lines.windows(2).filter(|p| p[0].kind == p[1].kind) {
                prop_assert!(bought(&pair[0].wallet_id) <= bought(&pair[1].wallet_id));
            }
            // Paid units are touched only when no usable bonus is left; a shortfall leaves nothing.
            if first_paid < kinds.len() {
                prop_assert!(c.bonus_left.is_zero());
            }
            if !c.shortfall.is_zero() {
                prop_assert!(c.bonus_left.is_zero() && c.paid_left.is_zero());
            }
            for l in &c.lines {
                let w = before.iter().find(|w| w.id == l.wallet_id).unwrap();
                prop_assert!(w.purchased_at <= at && w.expires_at.is_none_or(|e| at < e));
            }
        }
    }
}
