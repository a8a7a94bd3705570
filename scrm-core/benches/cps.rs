//! CPS throughput: attribution and commission of 1,000,000 sales with ~5 touches each (1 to 9),
//! 10,000 promoters of whom a third have an upline, 5% of sales partly refunded.
//!
//! `cargo bench -p scrm-core --bench cps`; peak memory: run under `/usr/bin/time -v`.

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rust_decimal::Decimal;
use scrm_core::{
    AttributionModel, Commission, CommissionPlan, CpsHistory, Currency, Refund, Sale, Touchpoint,
};

#[path = "support/workload.rs"]
mod workload;

const SALES: usize = 1_000_000;
const PROMOTERS: u64 = 10_000;

fn plan(model: &str) -> CommissionPlan {
    let section: Commission = serde_json::from_str(&format!(
        r#"{{"currency":"CNY","attribution":{model},"hold":"15d","default_rate":"0.05",
            "channel_rates":{{"douyin":"0.08","mini_program":"0.06"}},
            "campaign_rates":{{"spring_tea_2026":"0.10"}},"promoter_rates":{{"p7":"0.15"}},
            "referral":{{"levels":2,"upline_rate":"0.03"}}}}"#
    ))
    .expect("the bench plan reads");
    CommissionPlan::new(&section).expect("the bench plan compiles")
}

fn history(seed: u64) -> CpsHistory {
    let mut rng = workload::Rng::new(seed);
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("a time");
    let channels = ["wecom", "douyin", "mini_program", "offline"];
    let mut history = CpsHistory::default();
    for p in 0..PROMOTERS / 3 {
        history
            .referrers
            .insert(format!("p{}", p * 3 + 1), format!("p{}", p * 3));
    }
    history.sales.reserve(SALES);
    for i in 0..SALES {
        let at = start + TimeDelta::seconds(rng.below(90 * 86_400) as i64);
        let touches = (0..1 + rng.below(9))
            .map(|_| Touchpoint {
                at: at - TimeDelta::seconds(rng.below(35 * 86_400) as i64),
                channel: (*rng.pick(&channels)).to_owned(),
                campaign: (rng.below(4) == 0).then(|| "spring_tea_2026".to_owned()),
                promoter: (rng.below(5) != 0).then(|| format!("p{}", rng.below(PROMOTERS))),
            })
            .collect();
        let cents = 1_000 + rng.below(200_000) as i64;
        let sale = Sale {
            id: format!("s{i}"),
            at,
            amount: Decimal::new(cents, 2),
            currency: Currency::CNY,
            touches,
        };
        if rng.below(20) == 0 {
            history.refunds.push(Refund {
                id: format!("r{i}"),
                sale_id: sale.id.clone(),
                at: at + TimeDelta::days(3),
                amount: Decimal::new(cents / 2, 2),
            });
        }
        history.sales.push(sale);
    }
    history
}

fn cps(c: &mut Criterion) {
    let history = history(13);
    let touches: usize = history.sales.iter().map(|s| s.touches.len()).sum();
    println!(
        "{} sales, {touches} touches ({:.2} per sale), {} refunds",
        history.sales.len(),
        touches as f64 / history.sales.len() as f64,
        history.refunds.len()
    );
    let as_of = "2026-04-15T00:00:00Z".parse().expect("a time");
    let mut group = c.benchmark_group("cps");
    group.sample_size(10);
    group.sampling_mode(criterion::SamplingMode::Flat);
    group.warm_up_time(std::time::Duration::from_secs(1));
    group.measurement_time(std::time::Duration::from_secs(10));
    group.throughput(Throughput::Elements(SALES as u64));
    for (name, model) in [
        ("position_based", r#"{"model":"position_based"}"#),
        ("time_decay", r#"{"model":"time_decay","half_life":"7d"}"#),
    ] {
        let plan = plan(model);
        let lines = plan
            .commissions(&history, as_of)
            .expect("commissions")
            .lines
            .len();
        println!("{name}: {lines} commission lines");
        group.bench_function(format!("attribute_1m_sales/{name}"), |b| {
            let model: &AttributionModel = plan.attribution();
            b.iter(|| {
                let mut credits = 0usize;
                for sale in &history.sales {
                    credits += model.attribute(sale).expect("attributes").credits.len();
                }
                credits
            })
        });
        group.bench_function(format!("commission_1m_sales/{name}"), |b| {
            b.iter(|| {
                plan.commissions(&history, as_of)
                    .expect("commissions")
                    .lines
                    .len()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, cps);
criterion_main!(benches);
