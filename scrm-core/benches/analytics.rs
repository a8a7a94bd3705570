//! The manager's analytics over a large tenant: the funnel (with per-channel and per-owner
//! funnels and time in stage) over 1,000,000 journeys, and propagation trees over 1,000,000 share
//! events spread over 1,000 contents (with and without the per-customer explanations).
//!
//! `cargo bench -p scrm-core --bench analytics`; peak memory: run under `/usr/bin/time -v`.

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scrm_core::{
    AnalyticsOptions, Cohorts, Event, Funnel, Propagation, PropagationRules, StageEntry,
    StageJourney,
};

#[path = "support/workload.rs"]
mod workload;

const JOURNEYS: usize = 1_000_000;
const SHARES: usize = 1_000_000;
const CONTENTS: u64 = 1_000;
const STAGES: [&str; 6] = ["visitor", "lead", "mql", "sql", "opportunity", "customer"];
const SIDE: [&str; 3] = ["dormant", "churned", "lost"];

fn start() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().expect("a time")
}

/// Customers created over 180 days; each moves up the funnel with a 60% chance per stage, a few
/// fall into a side state, and each has a couple of activity times.
fn journeys() -> Vec<StageJourney> {
    let mut rng = workload::Rng::new(11);
    let channels = ["wecom", "douyin", "kuaishou", "baidu", "miniapp", "store"];
    (0..JOURNEYS)
        .map(|i| {
            let created = start() + Duration::minutes(rng.below(180 * 24 * 60) as i64);
            let mut j = StageJourney::new(&format!("c{i}"), created);
            j.channel = Some((*rng.pick(&channels)).to_owned());
            j.owner = Some(format!("emp{}", rng.below(50)));
            let mut at = created;
            for stage in STAGES {
                j.stages.push(StageEntry {
                    stage: stage.to_owned(),
                    at,
                });
                at += Duration::hours(1 + rng.below(24 * 20) as i64);
                if rng.below(10) >= 6 {
                    break;
                }
            }
            if rng.below(5) == 0 {
                j.stages.push(StageEntry {
                    stage: (*rng.pick(&SIDE)).to_owned(),
                    at,
                });
            }
            for _ in 0..rng.below(3) {
                j.active_at
                    .push(created + Duration::hours(rng.below(24 * 200) as i64));
            }
            j
        })
        .collect()
}

/// Shares of 1,000 contents by 200,000 customers: one in ten starts a chain, the rest re-share an
/// earlier share of the same content.
fn shares() -> Vec<Event> {
    let mut rng = workload::Rng::new(12);
    let mut by_content: Vec<Vec<usize>> = vec![Vec::new(); CONTENTS as usize];
    (0..SHARES)
        .map(|i| {
            let content = rng.below(CONTENTS) as usize;
            let at = start() + Duration::seconds(i as i64);
            let mut e = Event::new(
                "chayuan-tea",
                &format!("s{i}"),
                &format!("c{}", rng.below(200_000)),
                "share",
                at,
            );
            e.properties
                .insert("content_id".into(), format!("content-{content}").into());
            let earlier = &mut by_content[content];
            if !earlier.is_empty() && rng.below(10) != 0 {
                let parent = earlier[rng.below(earlier.len() as u64) as usize];
                e.properties
                    .insert("parent_share_id".into(), format!("s{parent}").into());
            }
            earlier.push(i);
            e
        })
        .collect()
}

fn analytics(c: &mut Criterion) {
    let journeys = journeys();
    let options = AnalyticsOptions::new(STAGES);
    let mut group = c.benchmark_group("analytics");
    group.sample_size(10);
    group.throughput(Throughput::Elements(JOURNEYS as u64));
    group.bench_function("funnel_1m_journeys", |b| {
        b.iter(|| Funnel::compute(&journeys, &options).expect("computes"))
    });
    let as_of = start() + Duration::days(240);
    group.bench_function("cohorts_1m_journeys", |b| {
        b.iter(|| Cohorts::compute(&journeys, &options, as_of).expect("computes"))
    });
    drop(journeys);
    let events = shares();
    let rules = PropagationRules::default();
    group.throughput(Throughput::Elements(SHARES as u64));
    group.bench_function("propagation_1m_shares", |b| {
        b.iter(|| Propagation::build(&events, &rules).expect("builds"))
    });
    // The same without the per-customer explanations: the trees' figures only.
    let summary = PropagationRules {
        include_nodes: false,
        ..PropagationRules::default()
    };
    group.bench_function("propagation_1m_shares_summary", |b| {
        b.iter(|| Propagation::build(&events, &summary).expect("builds"))
    });
    group.finish();
}

criterion_group!(benches, analytics);
criterion_main!(benches);
