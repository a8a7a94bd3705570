//! Attribution models on worked examples. Expected splits computed by hand and checked with
//! Python's `decimal` and `fractions` (largest remainder, ties to the earliest).

use super::*;
use crate::billing::cps::{Exclusion, ModelKind};

fn amounts(model_json: &str, s: &Sale) -> Vec<String> {
    model(model_json)
        .attribute(s)
        .unwrap()
        .credits
        .iter()
        .map(|c| c.amount.to_string())
        .collect()
}

fn three_days() -> Sale {
    sale(
        "s1",
        "2026-03-31T12:00:00Z",
        "1000.00",
        days_before("2026-03-31T12:00:00Z", &[20, 10, 1]),
    )
}

#[test]
fn linear_gives_the_extra_cent_to_the_earliest_touch() {
    assert_eq!(
        amounts(r#"{"model":"linear"}"#, &three_days()),
        ["333.34", "333.33", "333.33"]
    );
}

#[test]
fn first_and_last_touch_take_everything() {
    assert_eq!(
        amounts(r#"{"model":"first_touch"}"#, &three_days()),
        ["1000.00", "0.00", "0.00"]
    );
    assert_eq!(
        amounts(r#"{"model":"last_touch"}"#, &three_days()),
        ["0.00", "0.00", "1000.00"]
    );
}

#[test]
fn touches_at_the_same_instant_keep_the_order_sent() {
    let at = "2026-03-20T00:00:00Z";
    let s = sale(
        "s1",
        "2026-03-31T00:00:00Z",
        "100.00",
        vec![touch(at, "a", None), touch(at, "b", None)],
    );
    let first = model(r#"{"model":"first_touch"}"#).attribute(&s).unwrap();
    assert_eq!(first.credits[0].channel, "a");
    assert_eq!(first.credits[0].amount, d("100.00"));
    let last = model(r#"{"model":"last_touch"}"#).attribute(&s).unwrap();
    assert_eq!(last.credits[1].channel, "b");
    assert_eq!(last.credits[1].amount, d("100.00"));
}

#[test]
fn the_window_includes_both_ends_and_nothing_after_the_sale() {
    let s = sale(
        "s1",
        "2026-03-31T00:00:00Z",
        "90.00",
        vec![
            touch("2026-03-01T00:00:00Z", "edge", None), // exactly 30 days before
            touch("2026-02-28T23:59:59Z", "old", None),  // one second outside
            touch("2026-03-31T00:00:00Z", "same", None), // at the sale
            touch("2026-03-31T00:00:01Z", "late", None), // after the sale
        ],
    );
    let a = model(r#"{"model":"linear"}"#).attribute(&s).unwrap();
    let credited: Vec<&str> = a.credits.iter().map(|c| c.channel.as_str()).collect();
    assert_eq!(credited, ["edge", "same"]);
    let excluded: Vec<(u32, Exclusion)> = a
        .excluded
        .iter()
        .map(|e| (e.touch_index, e.reason))
        .collect();
    assert_eq!(
        excluded,
        [(1, Exclusion::OutsideLookback), (3, Exclusion::AfterSale)]
    );
    assert_eq!(a.credits[0].amount, d("45.00"));
}

#[test]
fn no_eligible_touch_leaves_the_sale_unattributed() {
    let s = sale(
        "s1",
        "2026-03-31T00:00:00Z",
        "88.80",
        vec![touch("2026-01-01T00:00:00Z", "old", Some("p"))],
    );
    let a = model(r#"{"model":"linear","lookback":"7d"}"#)
        .attribute(&s)
        .unwrap();
    assert!(a.credits.is_empty());
    assert_eq!(a.unattributed, d("88.80"));
    assert_eq!(a.attributed.to_string(), "0.00");
    assert!(a.explanation.contains("7d lookback"), "{}", a.explanation);
}

#[test]
fn position_based_edges_one_and_two_touches() {
    let one = sale(
        "s",
        "2026-03-31T00:00:00Z",
        "100.00",
        days_before("2026-03-31T00:00:00Z", &[3]),
    );
    assert_eq!(amounts(r#"{"model":"position_based"}"#, &one), ["100.00"]);
    let two = sale(
        "s",
        "2026-03-31T00:00:00Z",
        "100.00",
        days_before("2026-03-31T00:00:00Z", &[3, 2]),
    );
    assert_eq!(
        amounts(r#"{"model":"position_based"}"#, &two),
        ["50.00", "50.00"]
    );
    let skewed = r#"{"model":"position_based","first_percent":"30","last_percent":"50"}"#;
    assert_eq!(amounts(skewed, &two), ["37.50", "62.50"]);
}

#[test]
fn position_based_40_20_40() {
    let three = sale(
        "s",
        "2026-03-31T00:00:00Z",
        "999.99",
        days_before("2026-03-31T00:00:00Z", &[3, 2, 1]),
    );
    // 99,999 fen by 40:20:40 → 39,999.6 / 19,999.8 / 39,999.6: the middle's .8 and then the
    // first's .6 get the two leftover fen.
    assert_eq!(
        amounts(r#"{"model":"position_based"}"#, &three),
        ["400.00", "200.00", "399.99"]
    );
    let five = sale(
        "s",
        "2026-03-31T00:00:00Z",
        "1000.00",
        days_before("2026-03-31T00:00:00Z", &[5, 4, 3, 2, 1]),
    );
    assert_eq!(
        amounts(r#"{"model":"position_based"}"#, &five),
        ["400.00", "66.67", "66.67", "66.66", "400.00"]
    );
}

#[test]
fn time_decay_halves_per_half_life() {
    let s = sale(
        "s",
        "2026-03-31T00:00:00Z",
        "1000.00",
        days_before("2026-03-31T00:00:00Z", &[14, 7, 0]),
    );
    let a = model(r#"{"model":"time_decay"}"#).attribute(&s).unwrap();
    let weights: Vec<String> = a.credits.iter().map(|c| c.weight.to_string()).collect();
    assert_eq!(
        weights,
        [
            "0.250000000000000000",
            "0.500000000000000000",
            "1.000000000000000000"
        ]
    );
    let parts: Vec<String> = a.credits.iter().map(|c| c.amount.to_string()).collect();
    assert_eq!(parts, ["142.86", "285.71", "571.43"]);
}

#[test]
fn time_decay_measures_from_the_latest_touch() {
    // Touches 10, 3 and 1 days before the sale: t = 9d, 2d, 0 before the latest touch.
    // Python: 2^(-9/7) = 0.410167678003818966, 2^(-2/7) = 0.820335356007637931.
    let s = sale(
        "s",
        "2026-03-31T00:00:00Z",
        "1000.00",
        days_before("2026-03-31T00:00:00Z", &[10, 3, 1]),
    );
    let a = model(r#"{"model":"time_decay","half_life":"7d"}"#)
        .attribute(&s)
        .unwrap();
    assert_eq!(a.model, ModelKind::TimeDecay);
    assert_eq!(a.credits[0].weight, d("0.410167678003818966"));
    assert_eq!(a.credits[1].weight, d("0.820335356007637931"));
    let parts: Vec<String> = a.credits.iter().map(|c| c.amount.to_string()).collect();
    assert_eq!(parts, ["183.89", "367.78", "448.33"]);
    assert!(
        a.credits[0]
            .explanation
            .contains("9d before the latest touch"),
        "{}",
        a.credits[0].explanation
    );
}

#[test]
fn settings_problems_name_their_paths() {
    let bad = |json: &str| {
        AttributionModel::new(&serde_json::from_str::<AttributionSettings>(json).unwrap())
            .unwrap_err()
            .problems()
            .iter()
            .map(|p| p.path.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        bad(r#"{"model":"time_decay","half_life":"0d"}"#),
        ["half_life"]
    );
    assert_eq!(
        bad(r#"{"model":"linear","lookback":"1 month"}"#),
        ["lookback"]
    );
    assert_eq!(
        bad(r#"{"model":"position_based","first_percent":"70","last_percent":"40"}"#),
        ["last_percent"]
    );
    assert_eq!(
        bad(r#"{"model":"position_based","first_percent":"0","last_percent":"0"}"#),
        ["first_percent"]
    );
    assert!(
        serde_json::from_str::<AttributionSettings>(r#"{"model":"linear","half_life":"7d"}"#)
            .is_err()
    );
}

#[test]
fn malformed_sales_are_refused_with_paths() {
    let mut s = three_days();
    s.amount = d("10.005");
    s.touches[1].channel = " ".into();
    let e = model(r#"{"model":"linear"}"#).attribute(&s).unwrap_err();
    let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["sale.amount", "sale.touches[1].channel"]);
}

#[test]
fn zero_sales_split_into_zeros() {
    let mut s = three_days();
    s.amount = d("0");
    assert_eq!(
        amounts(r#"{"model":"linear"}"#, &s),
        ["0.00", "0.00", "0.00"]
    );
}
