//! Property tests: attribution splits sum exactly to the sale for any touches and weights;
//! statement totals are exactly the sums of their lines; replaying records changes nothing;
//! recording a statement's due lines as payouts settles it.

use proptest::prelude::*;

use super::*;
use crate::billing::cps::{
    CommissionLine, CommissionPlan, CommissionTotals, CpsHistory, LineStatus, Payout, Refund,
};
use crate::playbook::Commission;

const SALE_AT: &str = "2026-03-31T12:00:00Z";
const PROMOTERS: [&str; 4] = ["p0", "p1", "p2", "p3"];

fn settings() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(r#"{"model":"first_touch"}"#.to_owned()),
        Just(r#"{"model":"last_touch","lookback":"7d"}"#.to_owned()),
        Just(r#"{"model":"linear"}"#.to_owned()),
        (1u32..400).prop_map(|h| format!(r#"{{"model":"time_decay","half_life":"{h}h"}}"#)),
        (0u32..=50, 1u32..=50).prop_map(|(f, l)| format!(
            r#"{{"model":"position_based","first_percent":"{f}","last_percent":"{l}"}}"#
        )),
    ]
}

/// Touches from 40 days before to 2 days after `at`, some at the same instant.
fn touches(at: DateTime<Utc>) -> impl Strategy<Value = Vec<Touchpoint>> {
    prop::collection::vec(
        (
            -3_456_000i64..172_800,
            0usize..3,
            prop::option::of(0usize..4),
            any::<bool>(),
        ),
        0..9,
    )
    .prop_map(move |raw| {
        raw.into_iter()
            .map(|(secs, ch, p, round)| {
                // Rounding to the hour makes ties common.
                let secs = if round { secs / 3600 * 3600 } else { secs };
                Touchpoint {
                    at: at + TimeDelta::seconds(secs),
                    channel: ["wecom", "douyin", "mini_program"][ch].to_owned(),
                    campaign: (ch == 1).then(|| "spring".to_owned()),
                    promoter: p.map(|i| PROMOTERS[i].to_owned()),
                }
            })
            .collect()
    })
}

fn plan_json(model: &str, hold_days: u32, levels: u8) -> String {
    let hold = if hold_days == 0 {
        String::new()
    } else {
        format!(r#""hold":"{hold_days}d","#)
    };
    let referral = if levels == 2 {
        r#","referral":{"levels":2,"upline_rate":"0.03"}"#
    } else {
        ""
    };
    format!(
        r#"{{"currency":"CNY","attribution":{model},{hold}"default_rate":"0.05",
            "channel_rates":{{"douyin":"0.08"}},"campaign_rates":{{"spring":"0.125"}},
            "promoter_rates":{{"p1":"0.15"}}{referral}}}"#
    )
}

/// A plan and a history of 1 to 5 sales a few days apart, each maybe partly refunded.
fn program() -> impl Strategy<Value = (CommissionPlan, CpsHistory)> {
    (
        settings(),
        0u32..20,
        1u8..=2,
        prop::collection::vec(
            (
                0i64..40,
                0i64..1_000_000,
                touches(t(SALE_AT)),
                prop::option::of((0i64..60, 1i64..100)),
            ),
            1..6,
        ),
    )
        .prop_map(|(model, hold, levels, raw)| {
            let section: Commission =
                serde_json::from_str(&plan_json(&model, hold, levels)).unwrap();
            let plan = CommissionPlan::new(&section).unwrap();
            let mut history = CpsHistory::default();
            history.referrers.insert("p0".into(), "p3".into());
            history.referrers.insert("p2".into(), "p0".into());
            for (i, (day, cents, touches, refund)) in raw.into_iter().enumerate() {
                let at = t(SALE_AT) + TimeDelta::days(day);
                let touches = touches
                    .into_iter()
                    .map(|mut tp| {
                        tp.at += TimeDelta::days(day);
                        tp
                    })
                    .collect();
                let s = Sale {
                    id: format!("s{i}"),
                    at,
                    amount: Decimal::new(cents, 2),
                    currency: Currency::CNY,
                    touches,
                };
                if let Some((after, percent)) = refund {
                    let amount = Decimal::new(cents * percent / 100, 2);
                    if !amount.is_zero() {
                        history.refunds.push(Refund {
                            id: format!("r{i}"),
                            sale_id: s.id.clone(),
                            at: at + TimeDelta::days(after),
                            amount,
                        });
                    }
                }
                history.sales.push(s);
            }
            (plan, history)
        })
}

fn check_totals(lines: &[CommissionLine], totals: &CommissionTotals) -> Result<(), TestCaseError> {
    let sum = |f: &dyn Fn(&CommissionLine) -> Option<Decimal>| -> Decimal {
        lines.iter().filter_map(f).sum()
    };
    let of = |s: LineStatus| move |l: &CommissionLine| (l.status == s).then_some(l.amount);
    prop_assert_eq!(totals.commission, sum(&|l| Some(l.commission)));
    prop_assert_eq!(totals.paid, sum(&|l| Some(l.paid)));
    prop_assert_eq!(totals.held, sum(&of(LineStatus::Held)));
    prop_assert_eq!(totals.payable, sum(&of(LineStatus::Payable)));
    prop_assert_eq!(totals.clawback, sum(&of(LineStatus::Clawback)));
    prop_assert_eq!(totals.due, totals.payable + totals.clawback);
    prop_assert_eq!(sum(&|l| Some(l.amount)), totals.commission - totals.paid);
    for l in lines {
        prop_assert_eq!(l.amount, l.commission - l.paid);
        prop_assert!(l.commission >= Decimal::ZERO);
        prop_assert!(l.status != LineStatus::Clawback || l.amount < Decimal::ZERO);
        prop_assert!(l.status != LineStatus::Paid || l.amount.is_zero());
    }
    Ok(())
}

/// Records every due line (payable or clawback, amount not zero) as a payout at `at`.
fn settle(history: &mut CpsHistory, lines: &[CommissionLine], at: DateTime<Utc>) {
    let n = history.payouts.len();
    for (k, l) in lines
        .iter()
        .filter(|l| matches!(l.status, LineStatus::Payable | LineStatus::Clawback))
        .filter(|l| !l.amount.is_zero())
        .enumerate()
    {
        history.payouts.push(Payout {
            id: format!("po{}", n + k),
            sale_id: l.sale_id.clone(),
            touch_index: l.touch_index,
            level: l.level,
            promoter: l.promoter.clone(),
            at,
            amount: l.amount,
        });
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn every_attribution_split_sums_exactly_to_the_sale(
        settings in settings(),
        cents in 0i64..100_000_000_000,
        touches in touches(t(SALE_AT)),
    ) {
        let m = model(&settings);
        let s = Sale { id: "s".into(), at: t(SALE_AT), amount: Decimal::new(cents, 2), currency: Currency::CNY, touches };
        let a = m.attribute(&s).unwrap();
        let credited: Decimal = a.credits.iter().map(|c| c.amount).sum();
        prop_assert_eq!(credited, a.attributed);
        prop_assert_eq!(a.attributed + a.unattributed, s.amount);
        prop_assert_eq!(a.credits.len() + a.excluded.len(), s.touches.len());
        if a.credits.is_empty() {
            prop_assert_eq!(a.unattributed, s.amount);
        } else {
            prop_assert!(a.unattributed.is_zero());
        }
        for c in &a.credits {
            prop_assert!(c.amount >= Decimal::ZERO && c.weight >= Decimal::ZERO);
            prop_assert_eq!(c.amount.scale(), 2);
        }
        // Sequence order: by time, ties in the order sent.
        for w in a.credits.windows(2) {
            prop_assert!((w[0].at, w[0].touch_index) < (w[1].at, w[1].touch_index));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn statement_totals_are_the_sums_of_their_lines_and_paying_them_settles(
        (plan, mut history) in program(),
        first_pay_day in 1i64..60,
    ) {
        // Pay what is due once, mid-way, so later refunds make clawbacks.
        let mid = t(SALE_AT) + TimeDelta::days(first_pay_day);
        let before = plan.commissions(&history, mid).unwrap();
        check_totals(&before.lines, &before.totals)?;
        settle(&mut history, &before.lines, mid - TimeDelta::seconds(1));
        let (from, to) = (t(SALE_AT), t(SALE_AT) + TimeDelta::days(120));
        for p in PROMOTERS {
            let s = plan.statement(&history, p, from, to).unwrap();
            check_totals(&s.lines, &s.totals)?;
            prop_assert!(s.lines.iter().all(|l| l.promoter == p));
            let mut settled = history.clone();
            settle(&mut settled, &s.lines, to - TimeDelta::seconds(1));
            let again = plan.statement(&settled, p, from, to).unwrap();
            prop_assert!(again.totals.due.is_zero(), "{:?}", again.totals);
            prop_assert_eq!(again.totals.held, s.totals.held);
        }
    }

    #[test]
    fn replaying_the_same_sale_refund_or_payout_changes_nothing(
        (plan, mut history) in program(),
        replays in prop::collection::vec(0usize..100, 1..6),
    ) {
        let mid = t(SALE_AT) + TimeDelta::days(30);
        let lines = plan.commissions(&history, mid).unwrap().lines;
        settle(&mut history, &lines, mid);
        let as_of = t(SALE_AT) + TimeDelta::days(90);
        let once = plan.commissions(&history, as_of).unwrap();
        let mut replayed = history.clone();
        for r in replays {
            match r % 3 {
                0 => replayed.sales.push(history.sales[r % history.sales.len()].clone()),
                1 if !history.refunds.is_empty() => {
                    replayed.refunds.push(history.refunds[r % history.refunds.len()].clone());
                }
                _ if !history.payouts.is_empty() => {
                    replayed.payouts.push(history.payouts[r % history.payouts.len()].clone());
                }
                _ => {}
            }
        }
        prop_assert_eq!(plan.commissions(&replayed, as_of).unwrap(), once);
    }
}
