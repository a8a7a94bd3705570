//! Segment evaluation of a 5-clause condition (tags, score, stage, attribute) over 1,000,000
//! customers.
//!
//! `cargo bench -p scrm-core --bench segment`; peak memory: run under `/usr/bin/time -v`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scrm_core::{
    AppliedTag, AttributeValue, Condition, Customer, CustomerFacts, Number, Playbook, Provenance,
};

#[path = "support/workload.rs"]
mod workload;

const CUSTOMERS: usize = 1_000_000;
const PLAYBOOK: &str = include_str!("../../examples/playbooks/brand.json");

fn segment(c: &mut Criterion) {
    let playbook = Playbook::from_json(PLAYBOOK).expect("the sample loads");
    let condition = Condition::parse(
        r#"has_tag("高意向") and not has_tag("流失") and score >= 60 and stage in ["mql", "sql", "opportunity"] and attr.city = "上海""#,
    )
    .and_then(|c| c.compile(playbook.taxonomy()))
    .expect("compiles");
    let now = "2026-03-15T00:00:00Z".parse().expect("a time");
    let mut rng = workload::Rng::new(5);
    let tags = [
        "intent_high",
        "intent_mid",
        "intent_low",
        "lc_churned",
        "lc_active",
        "src_store",
        "ind_hotel",
    ];
    let stages = ["visitor", "lead", "mql", "sql", "opportunity", "customer"];
    let cities = ["上海", "杭州", "北京", "深圳"];
    let population: Vec<(Customer, Number)> = (0..CUSTOMERS)
        .map(|i| {
            let mut customer = Customer::new("chayuan-tea", &format!("c{i}"), now);
            for _ in 0..3 {
                let tag = *rng.pick(&tags);
                customer.tags.push(AppliedTag {
                    tag_id: tag.into(),
                    applied_at: now,
                    provenance: Provenance::Import,
                    expires_at: None,
                });
            }
            customer.stage = Some((*rng.pick(&stages)).to_owned());
            customer
                .set_attribute(
                    "city",
                    AttributeValue::Text((*rng.pick(&cities)).to_owned()),
                    now,
                )
                .expect("finite");
            (customer, Number::from(rng.below(100) as i64))
        })
        .collect();
    let mut group = c.benchmark_group("segment");
    group.sample_size(10);
    group.throughput(Throughput::Elements(CUSTOMERS as u64));
    group.bench_function("five_clauses_1m_customers", |b| {
        b.iter(|| {
            population
                .iter()
                .filter(|(customer, score)| {
                    condition.evaluate(
                        &CustomerFacts::new(customer, &[], now).with_score(*score),
                        now,
                    )
                })
                .count()
        })
    });
    group.finish();
}

criterion_group!(benches, segment);
criterion_main!(benches);
