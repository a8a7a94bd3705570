//! Engine throughput and latency with the sample tea-brand playbook.
//!
//! - `fold_10m`: a batch fold of 10,000,000 events over 1,000,000 customers (a realistic mix: many
//!   content views, fewer messages and shares, rare purchases), fed as ten day-ordered batches of
//!   1,000,000 events as a pipeline would; reports events/s on one core and bytes held per
//!   customer. Too slow for criterion's ten samples, it runs once, timed by hand.
//! - `fold_1m`: the same workload at 100,000 customers, with criterion statistics.
//! - `apply_latency`: `Engine::apply` of single events on warm profiles; prints p50/p99/p99.9.
//!
//! `cargo bench -p scrm-core --bench engine`; peak memory: run under `/usr/bin/time -v`.
//! Set `SCRM_BENCH_CUSTOMERS` to scale the big run down on a small machine (`0` skips it).

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scrm_core::{Engine, Event, Playbook, Profile};

#[path = "support/workload.rs"]
mod workload;

const PLAYBOOK: &str = include_str!("../../examples/playbooks/brand.json");
const EVENTS_PER_CUSTOMER: usize = 10;
const BATCHES: usize = 10;

fn engine() -> Engine {
    Engine::compile(&Playbook::from_json(PLAYBOOK).expect("the sample loads")).expect("compiles")
}

/// Customer ids, made once so the batches borrow nothing from each other.
fn customer_ids(customers: usize) -> Vec<String> {
    (0..customers).map(|i| format!("c{i}")).collect()
}

/// Batch `b` of the workload: `customers` events (one per customer on average, drawn at random),
/// all within day `3b .. 3b+3` of March, so later batches come later in time.
fn batch(b: usize, ids: &[String], texts: &[String], rng: &mut workload::Rng) -> Vec<Event> {
    let start: chrono::DateTime<chrono::Utc> = "2026-03-01T00:00:00Z".parse().expect("a time");
    let span = 3 * 86_400;
    (0..ids.len())
        .map(|i| {
            let customer = &ids[rng.below(ids.len() as u64) as usize];
            let at = start
                + chrono::TimeDelta::seconds((b * span) as i64 + rng.below(span as u64) as i64);
            let id = format!("e{b}_{i}");
            let roll = rng.below(1000);
            let mut e = Event::new("chayuan-tea", &id, customer, "content_view", at);
            match roll {
                0..=699 => {
                    if roll < 200 {
                        e.properties.insert("category".into(), "pricing".into());
                        e.properties.insert("duration_s".into(), (30 + roll).into());
                    }
                }
                700..=849 => {
                    e.kind = "message".into();
                    e.text = Some(rng.pick(texts).clone());
                }
                850..=909 => {
                    e.kind = "share".into();
                    e.properties.insert("reach".into(), rng.below(50).into());
                }
                910..=939 => e.kind = "form".into(),
                940..=959 => {
                    e.kind = "scan".into();
                    e.channel_code = Some("store-sh-xintiandi".into());
                }
                960..=979 => e.kind = "follow_up".into(),
                _ => {
                    e.kind = "purchase".into();
                    e.properties.insert(
                        "amount".into(),
                        format!("{}.00", 68 + rng.below(900)).into(),
                    );
                }
            }
            e
        })
        .collect()
}

/// Chat texts with the sample's keywords mixed in (多少钱, 礼盒, 太贵了 ...).
fn texts() -> Vec<String> {
    let keywords: Vec<String> = ["多少钱", "礼盒", "太贵了", "团购", "送礼", "再看看"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    workload::messages(1_000, 20, &keywords, 17)
}

/// CPU time of this thread so far (Linux `/proc/thread-self/schedstat`), so a run on a shared
/// machine measures its own work; `None` elsewhere.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = stat.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

/// Folds the whole workload over `customers` customers; returns the wall and CPU time spent
/// folding (not generating), and the profiles.
fn fold_workload(engine: &Engine, customers: usize) -> (Duration, Vec<Profile>) {
    let (wall, cpu, profiles) = fold_workload_timed(engine, customers);
    (cpu.unwrap_or(wall), profiles)
}

fn fold_workload_timed(
    engine: &Engine,
    customers: usize,
) -> (Duration, Option<Duration>, Vec<Profile>) {
    let ids = customer_ids(customers);
    let texts = texts();
    let mut rng = workload::Rng::new(42);
    let mut profiles = Vec::with_capacity(customers);
    let mut wall = Duration::ZERO;
    let mut cpu = Some(Duration::ZERO);
    for b in 0..BATCHES {
        let events = batch(b, &ids, &texts, &mut rng);
        let (start, cpu_start) = (Instant::now(), cpu_time());
        let report = engine.fold(&mut profiles, &events).expect("folds");
        wall += start.elapsed();
        cpu = match (cpu, cpu_start, cpu_time()) {
            (Some(total), Some(a), Some(b)) => Some(total + (b - a)),
            _ => None,
        };
        assert!(report.refused.is_empty(), "{:?}", report.refused.first());
    }
    (wall, cpu, profiles)
}

fn report_memory(profiles: &[Profile]) {
    let bytes: usize = profiles.iter().map(Profile::memory_bytes).sum();
    let retained: usize = profiles
        .iter()
        .map(|p| p.to_json().len())
        .take(10_000)
        .sum();
    println!(
        "engine: {} profiles, {:.0} bytes held per customer (approx., heap included); \
         profile JSON {:.0} bytes on average (first 10,000)",
        profiles.len(),
        bytes as f64 / profiles.len().max(1) as f64,
        retained as f64 / profiles.len().clamp(1, 10_000) as f64
    );
}

/// The big run, once: ten full folds for criterion's minimum of ten samples would take many
/// minutes, so it is timed by hand and printed.
fn fold_10m(_: &mut Criterion) {
    let customers: usize = std::env::var("SCRM_BENCH_CUSTOMERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    if customers == 0 {
        return;
    }
    let engine = engine();
    let (wall, cpu, profiles) = fold_workload_timed(&engine, customers);
    let events = customers * EVENTS_PER_CUSTOMER;
    let cpu = cpu.unwrap_or(wall);
    println!(
        "engine/fold_10m: folded {events} events over {customers} customers on one core in \
         {:.2} s CPU ({:.2} s wall): {:.3} M events/s of CPU",
        cpu.as_secs_f64(),
        wall.as_secs_f64(),
        events as f64 / cpu.as_secs_f64() / 1e6
    );
    report_memory(&profiles);
}

fn fold_1m(c: &mut Criterion) {
    let engine = engine();
    let customers = 100_000;
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.throughput(Throughput::Elements(
        (customers * EVENTS_PER_CUSTOMER) as u64,
    ));
    group.bench_function("fold_1m_events_100k_customers", |b| {
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| fold_workload(&engine, customers).0)
                .sum()
        })
    });
    group.finish();
}

fn apply_latency(c: &mut Criterion) {
    let engine = engine();
    let (_, mut profiles) = fold_workload(&engine, 10_000);
    let ids: Vec<String> = profiles
        .iter()
        .map(|p| p.customer().id.to_string())
        .collect();
    let texts = texts();
    let mut rng = workload::Rng::new(7);
    // Events of the next three days, applied one by one as a request path would.
    let events = batch(BATCHES, &ids, &texts, &mut rng);
    let mut sorted = events.clone();
    sorted.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
    let index: std::collections::HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let now: chrono::DateTime<chrono::Utc> = "2026-04-05T00:00:00Z".parse().expect("a time");
    let mut samples = Vec::with_capacity(sorted.len());
    for e in &sorted {
        let p = &mut profiles[index[e.customer_id.as_str()]];
        let start = Instant::now();
        let effects = engine.apply(p, e, now).expect("applies");
        samples.push(start.elapsed());
        std::hint::black_box(effects);
    }
    samples.sort();
    let pct = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    println!(
        "engine: apply latency over {} events on warm profiles: p50 {:?}, p99 {:?}, p99.9 {:?}, max {:?}",
        samples.len(),
        pct(0.50),
        pct(0.99),
        pct(0.999),
        samples[samples.len() - 1]
    );
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    let probe = sorted[sorted.len() / 2].clone();
    let warm = profiles[index[probe.customer_id.as_str()]].clone();
    group.bench_function("apply_one_event_warm_profile", |b| {
        b.iter_batched(
            || {
                let mut e = probe.clone();
                e.id = format!("{}_probe", e.id).into();
                (warm.clone(), e)
            },
            |(mut p, e)| engine.apply(&mut p, &e, now).expect("applies"),
            criterion::BatchSize::SmallInput,
        )
    });
    group.finish();
}

/// Writing and reading the profile JSON (the `state` column of the Python batch fold), on the
/// profiles the workload leaves at 10,000 customers.
fn profile_json(c: &mut Criterion) {
    let engine = engine();
    let (_, profiles) = fold_workload(&engine, 10_000);
    let texts: Vec<String> = profiles.iter().map(Profile::to_json).collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    println!(
        "engine: profile JSON {:.0} bytes on average over {} profiles",
        bytes as f64 / texts.len().max(1) as f64,
        texts.len()
    );
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    group.throughput(Throughput::Elements(profiles.len() as u64));
    group.bench_function("profile_to_json_10k", |b| {
        b.iter(|| profiles.iter().map(|p| p.to_json().len()).sum::<usize>())
    });
    group.bench_function("profile_from_json_10k", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| Profile::from_json(t).expect("reads").events_seen())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, profile_json, apply_latency, fold_1m, fold_10m);
criterion_main!(benches);
