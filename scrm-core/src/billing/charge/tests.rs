use proptest::prelude::*;
use rust_decimal::Decimal;

use super::*;
use crate::billing::money::{Currency, Money};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn model(json: &str) -> ChargeModel {
    serde_json::from_str(json).unwrap()
}

const TIERS: &str = r#"[{"from": 0, "to": 100, "unit_price": "0.10"},
    {"from": 101, "to": 1000, "unit_price": "0.08", "flat_fee": "5.00"},
    {"from": 1001, "unit_price": "0.05"}]"#;

fn graduated() -> ChargeModel {
    model(&format!(r#"{{"model": "graduated", "tiers": {TIERS}}}"#))
}

fn volume() -> ChargeModel {
    model(
        r#"{"model": "volume", "tiers": [{"from": 0, "to": 100, "unit_price": "0.10"},
        {"from": 101, "to": 1000, "unit_price": "0.08"}, {"from": 1001, "unit_price": "0.05"}]}"#,
    )
}

fn package() -> ChargeModel {
    model(r#"{"model": "package", "size": 1000, "price": "5.00", "free_units": 100}"#)
}

fn percentage() -> ChargeModel {
    model(
        r#"{"model": "percentage", "rate": "2.5", "fixed_fee": "0.30", "min_fee": "0.50",
            "max_fee": "5.00"}"#,
    )
}

/// The amount rounded to the cent, as an invoice line shows it.
fn cny(m: &ChargeModel, q: &str) -> String {
    let price = m.price(&Quantity::Units(d(q))).unwrap();
    Money::new(price.amount, Currency::CNY)
        .round()
        .amount()
        .to_string()
}

#[test]
fn graduated_charges_each_tier_and_the_flat_fee_of_each_tier_entered() {
    let g = graduated();
    assert_eq!(cny(&g, "1500"), "112.00");
    assert_eq!(cny(&g, "100"), "10.00");
    assert_eq!(cny(&g, "101"), "15.08");
    assert_eq!(cny(&g, "0"), "0.00");
    let p = g.price(&Quantity::Units(d("1500"))).unwrap();
    assert_eq!(
        p.detail,
        "100 × 0.10 + 900 × 0.08 + 5.00 tier fee + 500 × 0.05"
    );
    assert_eq!(p.parts.len(), 4);
    assert_eq!(g.price(&Quantity::Units(d("0"))).unwrap().detail, NOTHING);
}

#[test]
fn volume_prices_every_unit_at_the_tier_reached_by_the_rounded_up_quantity() {
    let v = volume();
    assert_eq!(cny(&v, "1000"), "80.00");
    assert_eq!(cny(&v, "1001"), "50.05");
    assert_eq!(cny(&v, "100.5"), "8.04");
    assert_eq!(cny(&v, "100"), "10.00");
    assert_eq!(
        v.price(&Quantity::Units(d("100.5"))).unwrap().detail,
        "all in tier 101–1,000: 100.5 × 0.08"
    );
}

#[test]
fn package_rounds_started_packages_up_after_the_free_units() {
    let p = package();
    assert_eq!(cny(&p, "80"), "0.00");
    assert_eq!(cny(&p, "1100"), "5.00");
    assert_eq!(cny(&p, "1101"), "10.00");
    assert_eq!(cny(&p, "2150"), "15.00");
    assert_eq!(
        p.price(&Quantity::Units(d("2150"))).unwrap().detail,
        "100 free, 2,050 in 3 packages of 1,000 × 5.00"
    );
    assert_eq!(
        p.price(&Quantity::Units(d("80"))).unwrap().detail,
        "all within the 100 free"
    );
    // A size that does not divide evenly in decimals still counts whole packages exactly.
    let thirds = model(r#"{"model": "package", "size": "0.3", "price": "1"}"#);
    assert_eq!(cny(&thirds, "0.9"), "3.00");
    assert_eq!(cny(&thirds, "0.91"), "4.00");
}

#[test]
fn percentage_clamps_each_fee_including_the_fixed_part() {
    let p = percentage();
    let t: Vec<Decimal> = ["5", "10", "100", "500"].iter().map(|s| d(s)).collect();
    let price = p.price(&Quantity::Transactions(t)).unwrap();
    assert_eq!(price.amount, d("8.85"));
    assert_eq!(price.quantity, d("4"));
    assert_eq!(
        price.detail,
        "615 × 2.5% + 4 × 0.30 = 16.575; 1 raised to the 0.50 minimum (+0.075); 1 capped at \
         the 5.00 maximum (−7.80)"
    );
    let free =
        model(r#"{"model": "percentage", "rate": "1", "fixed_fee": "1", "free_transactions": 2}"#);
    let t: Vec<Decimal> = ["100", "100", "100"].iter().map(|s| d(s)).collect();
    assert_eq!(
        free.price(&Quantity::Transactions(t)).unwrap().amount,
        d("2")
    );
    assert!(p.price(&Quantity::Units(d("5"))).is_err());
    assert!(p.price(&Quantity::Transactions(vec![d("-1")])).is_err());
}

#[test]
fn graduated_percentage_takes_each_tiers_rate() {
    let g = model(
        r#"{"model": "graduated_percentage", "tiers": [{"from": 0, "to": 10000, "rate": "1"},
            {"from": 10001, "rate": "0.5", "flat_fee": "10"}]}"#,
    );
    let price = g.price(&Quantity::Units(d("12000"))).unwrap();
    assert_eq!(price.amount, d("120"));
    assert_eq!(price.detail, "10,000 × 1% + 2,000 × 0.5% + 10 tier fee");
}

#[test]
fn invalid_models_name_every_problem() {
    let bad = model(
        r#"{"model": "graduated", "tiers": [{"from": 2, "to": 100, "unit_price": "-1"},
            {"from": 100, "unit_price": "0.08"}, {"from": 5000, "to": 10, "unit_price": "1"}]}"#,
    );
    let paths: Vec<String> = bad.problems("p").into_iter().map(|p| p.path).collect();
    assert_eq!(
        paths,
        [
            "p.tiers[0].from",
            "p.tiers[0].unit_price",
            "p.tiers[1].from",
            "p.tiers[1].to",
            "p.tiers[2].to",
        ]
    );
    assert!(bad.price(&Quantity::Units(d("1"))).is_err());
    let p = model(r#"{"model": "percentage", "rate": "1", "min_fee": "2", "max_fee": "1"}"#);
    assert_eq!(p.problems("p")[0].path, "p.max_fee");
    let e = model(r#"{"model": "package", "size": 0, "price": "1"}"#)
        .check()
        .unwrap_err();
    assert_eq!(e.problems()[0].path, "price.size");
    assert!(graduated().price(&Quantity::Units(d("-1"))).is_err());
    assert!(graduated().price(&Quantity::Transactions(vec![])).is_err());
}

#[test]
fn overflow_is_an_error() {
    let s = model(r#"{"model": "standard", "unit_price": "1000000000"}"#);
    let e = s
        .price(&Quantity::Units(d("79228162514264337593543950")))
        .unwrap_err();
    assert!(e.to_string().contains("overflows"), "{e}");
}

#[test]
fn in_advance_fees_pay_each_tier_fee_and_package_once() {
    let one = [Decimal::ONE];
    let fees = graduated()
        .fees_in_advance(&[d("100")], &one, Decimal::ZERO, Currency::CNY, "messages")
        .unwrap();
    assert_eq!(fees[0].amount.amount(), d("5.08"));
    let fees = package()
        .fees_in_advance(&[d("1100")], &one, Decimal::ZERO, Currency::CNY, "messages")
        .unwrap();
    assert_eq!(fees[0].amount.amount(), d("5.00"));
    // 0.004 per unit: no event alone reaches a cent, the third one tips the total over.
    let tiny = model(r#"{"model": "standard", "unit_price": "0.004"}"#);
    let fees = tiny
        .fees_in_advance(
            &[],
            &[d("1"), d("1"), d("1")],
            Decimal::ZERO,
            Currency::CNY,
            "x",
        )
        .unwrap();
    let amounts: Vec<String> = fees.iter().map(|f| f.amount.amount().to_string()).collect();
    assert_eq!(amounts, ["0.00", "0.01", "0.00"]);
    assert!(
        volume()
            .fees_in_advance(&[], &one, Decimal::ZERO, Currency::CNY, "x")
            .is_err()
    );
    assert!(
        graduated()
            .fees_in_advance(&[], &[d("-1")], Decimal::ZERO, Currency::CNY, "x")
            .is_err()
    );
}

/// The graduated price computed unit by unit, independently of the tier walk.
fn unit_by_unit(tiers: &[Tier], q: u32) -> Decimal {
    let mut total = Decimal::ZERO;
    let mut entered = vec![false; tiers.len()];
    for u in 1..=q {
        let u = Decimal::from(u);
        let (i, t) = tiers
            .iter()
            .enumerate()
            .find(|(_, t)| u >= t.from && t.to.is_none_or(|to| u <= to))
            .unwrap();
        total += t.unit_price;
        if !entered[i] {
            entered[i] = true;
            total += t.flat_fee;
        }
    }
    total
}

fn any_model() -> impl Strategy<Value = ChargeModel> {
    prop_oneof![
        (0i64..500).prop_map(|p| ChargeModel::Standard {
            unit_price: Decimal::new(p, 3)
        }),
        Just(graduated()),
        (1i64..50, 0i64..1000, 0i64..20).prop_map(|(size, price, free)| ChargeModel::Package {
            size: Decimal::from(size),
            price: Decimal::new(price, 2),
            free_units: Decimal::from(free),
        }),
        (0i64..500, 0i64..100, 0u32..3, any::<bool>()).prop_map(|(rate, fixed, free, clamp)| {
            ChargeModel::Percentage {
                rate: Decimal::new(rate, 2),
                fixed_fee: Decimal::new(fixed, 2),
                free_transactions: free,
                min_fee: clamp.then(|| d("0.50")),
                max_fee: clamp.then(|| d("5.00")),
            }
        }),
        Just(model(
            r#"{"model": "graduated_percentage", "tiers": [{"from": 0, "to": 100, "rate": "1.5"},
                {"from": 101, "rate": "0.7", "flat_fee": "0.333"}]}"#
        )),
    ]
}

proptest! {
    #[test]
    fn in_advance_fees_over_a_period_sum_to_the_in_arrears_amount(
        m in any_model(),
        events in prop::collection::vec(0i64..3000, 0..30),
        scale in 0u32..3,
        split in 0usize..30,
        included in 0i64..50,
        jpy in any::<bool>(),
    ) {
        let currency = if jpy { Currency::JPY } else { Currency::CNY };
        let events: Vec<Decimal> = events.iter().map(|&e| Decimal::new(e, scale)).collect();
        let included = if m.prices_transactions() { Decimal::ZERO } else { Decimal::from(included) };
        let split = split.min(events.len());
        let (prior, rest) = events.split_at(split);
        let fees = m.fees_in_advance(prior, rest, included, currency, "u").unwrap();
        prop_assert_eq!(fees.len(), rest.len());
        let paid = Money::sum(currency, fees.iter().map(|f| f.amount)).unwrap();
        let arrears = |events: &[Decimal]| {
            let q = if m.prices_transactions() {
                Quantity::Transactions(events.to_vec())
            } else {
                let total: Decimal = events.iter().sum();
                Quantity::Units((total - included).max(Decimal::ZERO))
            };
            Money::new(m.price(&q).unwrap().amount, currency).round()
        };
        let expected = arrears(&events).checked_sub(arrears(prior)).unwrap();
        prop_assert_eq!(paid, expected);
        for f in &fees {
            prop_assert!(!f.amount.is_negative(), "{:?}", f);
        }
    }

    #[test]
    fn graduated_equals_pricing_unit_by_unit(q in 0u32..2500) {
        let g = graduated();
        let ChargeModel::Graduated { tiers } = &g else { unreachable!() };
        let price = g.price(&Quantity::Units(Decimal::from(q))).unwrap();
        prop_assert_eq!(price.amount, unit_by_unit(tiers, q));
        let sum: Decimal = price.parts.iter().map(|p| p.amount).sum();
        prop_assert_eq!(sum, price.amount);
    }

    #[test]
    fn volume_uses_the_tier_of_the_rounded_up_quantity(units in 1i64..300_000, scale in 0u32..3) {
        let q = Decimal::new(units, scale);
        let v = volume();
        let price = v.price(&Quantity::Units(q)).unwrap();
        let c = q.ceil();
        let unit = if c <= d("100") { d("0.10") } else if c <= d("1000") { d("0.08") } else { d("0.05") };
        prop_assert_eq!(price.amount, q * unit);
    }

    #[test]
    fn percentage_equals_the_sum_of_clamped_fees(
        t in prop::collection::vec(0i64..100_000, 0..20),
        free in 0u32..3,
    ) {
        let m = ChargeModel::Percentage {
            rate: d("2.5"), fixed_fee: d("0.30"), free_transactions: free,
            min_fee: Some(d("0.50")), max_fee: Some(d("5.00")),
        };
        let t: Vec<Decimal> = t.iter().map(|&v| Decimal::new(v, 2)).collect();
        let expected: Decimal = t.iter().enumerate().map(|(i, &v)| {
            if (i as u32) < free { Decimal::ZERO }
            else { (v * d("0.025") + d("0.30")).max(d("0.50")).min(d("5.00")) }
        }).sum();
        let price = m.price(&Quantity::Transactions(t)).unwrap();
        prop_assert_eq!(price.amount, expected);
        let sum: Decimal = price.parts.iter().map(|p| p.amount).sum();
        prop_assert_eq!(sum, price.amount);
    }
}
