//! Pool throughput: `PoolRules::due` over 1,000,000 customers of 200 owners (the daily reclaim
//! job of a large tenant), and `Router::assign_all` over 100,000 new customers.
//!
//! `cargo bench -p scrm-core --bench pool`; peak memory: run under `/usr/bin/time -v`.

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scrm_core::{AssignState, Employee, Lead, Owner, Playbook, PoolFacts, PoolRules, Router, Team};

#[path = "support/workload.rs"]
mod workload;

const CUSTOMERS: usize = 1_000_000;
const OWNERS: usize = 200;
const LEADS: usize = 100_000;

fn playbook() -> Playbook {
    Playbook::from_json(include_str!("../../examples/playbooks/brand.json"))
        .expect("the sample playbook loads")
}

/// A realistic book: 92% owned (taken on within the last year), stages skewed to early ones;
/// of the owned, 95% followed up (85% of those within 14 days, the rest within 45), 3%
/// protected, 5% with an open task.
fn facts(now: DateTime<Utc>) -> Vec<PoolFacts> {
    let mut rng = workload::Rng::new(42);
    let stages = [
        "lead",
        "lead",
        "lead",
        "lead",
        "mql",
        "mql",
        "sql",
        "opportunity",
        "customer",
        "customer",
        "repeat",
        "visitor",
    ];
    let owners: Vec<String> = (0..OWNERS).map(|i| format!("emp{i:03}")).collect();
    (0..CUSTOMERS)
        .map(|i| {
            let mut f = PoolFacts::new(&format!("c{i:07}"));
            let minutes = |rng: &mut workload::Rng, days: u64| {
                TimeDelta::minutes(i64::try_from(rng.below(days * 24 * 60)).unwrap_or(0))
            };
            if rng.below(100) < 92 {
                let since = now - minutes(&mut rng, 365);
                let owner: &String = rng.pick(&owners);
                f.owner = Some(Owner::new(owner, since));
                if rng.below(100) < 95 {
                    let within = if rng.below(100) < 85 { 14 } else { 45 };
                    f.last_follow_up = Some(now - minutes(&mut rng, within));
                }
                if rng.below(100) < 3 {
                    f.protected_at = Some(since);
                }
                if rng.below(100) < 5 {
                    f.open_tasks = 1;
                }
            } else {
                f.pooled_at = Some(now - minutes(&mut rng, 30));
            }
            f.stage = Some((*rng.pick(&stages)).to_owned());
            f
        })
        .collect()
}

fn due(c: &mut Criterion) {
    let now: DateTime<Utc> = "2026-03-17T02:00:00Z".parse().expect("a time");
    let rules = PoolRules::new(&playbook()).expect("compiles");
    let facts = facts(now);
    let due = rules.due(&facts, now).expect("due");
    println!(
        "due over {CUSTOMERS} customers: {} reclaims, {} warnings, {} kept",
        due.reclaims().count(),
        due.warnings().count(),
        due.kept().count()
    );
    let mut group = c.benchmark_group("pool");
    group.sample_size(10);
    group.throughput(Throughput::Elements(CUSTOMERS as u64));
    group.bench_function("due_1m_customers", |b| {
        b.iter(|| rules.due(&facts, now).expect("due").len())
    });
    group.finish();
}

fn assign(c: &mut Criterion) {
    // Monday 10:00 in Shanghai: everyone works.
    let now: DateTime<Utc> = "2026-03-16T02:00:00Z".parse().expect("a time");
    let router = Router::new(&playbook()).expect("compiles");
    let names = [
        "zhou", "wu", "zheng", "qian", "sun", "li", "zhao", "chen", "lin", "he", "wang",
    ];
    let employees: Vec<Employee> = names
        .iter()
        .map(|id| {
            let mut e = Employee::new(id);
            e.daily_add_limit = Some(u32::MAX);
            e.capacity = Some(u32::MAX);
            e
        })
        .collect();
    let codes = [
        "store-sh-xintiandi",
        "store-hz-xihu",
        "douyin-live-0315",
        "gift-landing",
        "poster",
    ];
    let mut rng = workload::Rng::new(7);
    let leads: Vec<Lead> = (0..LEADS)
        .map(|i| {
            let mut l = Lead::new(&format!("l{i}"));
            l.channel_code = Some((*rng.pick(&codes)).to_owned());
            l.region = Some((*rng.pick(&["上海", "浙江", "北京"])).to_owned());
            l.tags =
                vec![(*rng.pick(&["ind_corporate_gift", "ind_hotel", "ind_personal"])).to_owned()];
            l
        })
        .collect();
    let mut group = c.benchmark_group("pool");
    group.sample_size(10);
    group.throughput(Throughput::Elements(LEADS as u64));
    group.bench_function("assign_100k_leads", |b| {
        b.iter(|| {
            let mut team = Team::new(employees.clone()).expect("a team");
            let mut state = AssignState::default();
            router
                .assign_all(&leads, &mut team, &mut state, now)
                .expect("assigned")
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, due, assign);
criterion_main!(benches);
