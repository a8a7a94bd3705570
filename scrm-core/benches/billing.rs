//! Billing: metering 10,000,000 usage events with id de-duplication into per-customer,
//! per-period values, and pricing 100,000 invoices of mixed plans.
//!
//! `cargo bench -p scrm-core --bench billing`; peak memory: run under `/usr/bin/time -v`.
//! The events are generated once into columns (as an Arrow batch would hold them) and fed
//! through the borrowed batch path, `Metering::ingest_records`, 65,536 rows at a time.

use std::hint::black_box;
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use rust_decimal::Decimal;
use scrm_core::{
    Interval, InvoiceRequest, Meter, Metering, Operation, Pricing, Quantity, Subscription, Usage,
    UsageRecord,
};

#[path = "support/workload.rs"]
mod workload;

const EVENTS: usize = 10_000_000;
const CUSTOMERS: usize = 10_000;
/// One event in twenty is a retry of an earlier one (same id, same content).
const REPLAY_EVERY: u64 = 20;
const INVOICES: usize = 100_000;
const BATCH: usize = 65_536;

/// Usage events as columns: ids concatenated, with their ends; the customer, time and token
/// count of each row.
struct Columns {
    ids: String,
    id_ends: Vec<u32>,
    customers: Vec<u32>,
    at: Vec<DateTime<Utc>>,
    tokens: Vec<u16>,
}

fn columns() -> Columns {
    let mut rng = workload::Rng::new(42);
    let start: DateTime<Utc> = "2026-01-01T00:00:00Z".parse().expect("a time");
    let seconds = 90 * 24 * 3600;
    let mut c = Columns {
        ids: String::with_capacity(EVENTS * 9),
        id_ends: Vec::with_capacity(EVENTS),
        customers: Vec::with_capacity(EVENTS),
        at: Vec::with_capacity(EVENTS),
        tokens: Vec::with_capacity(EVENTS),
    };
    for i in 0..EVENTS {
        if i > 0 && rng.below(REPLAY_EVERY) == 0 {
            // A retry: copy an earlier row.
            let j = rng.below(i as u64) as usize;
            let from = if j == 0 { 0 } else { c.id_ends[j - 1] as usize };
            let id = c.ids[from..c.id_ends[j] as usize].to_owned();
            c.ids.push_str(&id);
            c.customers.push(c.customers[j]);
            c.at.push(c.at[j]);
            c.tokens.push(c.tokens[j]);
        } else {
            c.ids.push_str(&format!("e{i:x}"));
            c.customers.push(rng.below(CUSTOMERS as u64) as u32);
            c.at.push(start + chrono::Duration::seconds(rng.below(seconds) as i64));
            c.tokens.push(1 + rng.below(2000) as u16);
        }
        c.id_ends.push(c.ids.len() as u32);
    }
    c
}

fn meter_all(c: &Columns, customers: &[String], tokens: &[String]) -> Metering {
    let meters = [
        Meter::new("calls", "api_call", scrm_core::Aggregation::Count, None),
        Meter::new(
            "tokens",
            "api_call",
            scrm_core::Aggregation::Sum,
            Some("tokens"),
        ),
    ];
    let mut metering =
        Metering::new(&meters, chrono_tz::Asia::Shanghai, Interval::Month).expect("valid meters");
    let mut from = 0;
    while from < EVENTS {
        let to = (from + BATCH).min(EVENTS);
        let props: Vec<[(&str, &str); 1]> = (from..to)
            .map(|i| [("tokens", tokens[c.tokens[i] as usize].as_str())])
            .collect();
        let records = (from..to).map(|i| {
            let start = if i == 0 { 0 } else { c.id_ends[i - 1] as usize };
            UsageRecord {
                id: &c.ids[start..c.id_ends[i] as usize],
                customer_id: &customers[c.customers[i] as usize],
                kind: "api_call",
                at: c.at[i],
                operation: Operation::Add,
                properties: &props[i - from],
            }
        });
        let report = metering.ingest_records(records);
        assert!(report.rejected.is_empty() && report.conflicts.is_empty());
        from = to;
    }
    metering
}

/// This thread's CPU time (user + system) in seconds, from `/proc` (Linux): the machine the
/// benchmarks run on is shared, so wall time alone understates one core's throughput.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}

/// Runs `work` once, printing its wall and CPU time and the rate per CPU second.
fn once<T>(what: &str, items: usize, work: impl FnOnce() -> T) -> T {
    let (wall, cpu) = (std::time::Instant::now(), cpu_seconds());
    let out = work();
    let wall = wall.elapsed().as_secs_f64();
    if let (Some(before), Some(after)) = (cpu, cpu_seconds()) {
        let cpu = after - before;
        println!(
            "{what}: {wall:.1} s wall, {cpu:.1} s CPU, {:.0} per CPU second",
            items as f64 / cpu.max(0.01)
        );
    }
    out
}

fn metering(crit: &mut Criterion) {
    let c = columns();
    let customers: Vec<String> = (0..CUSTOMERS).map(|i| format!("cust{i:05}")).collect();
    let tokens: Vec<String> = (0..=2000).map(|t| t.to_string()).collect();
    let state = once("metering once", EVENTS, || {
        meter_all(&c, &customers, &tokens)
    });
    let values = state.values().expect("values");
    println!(
        "metering: {} events → {} distinct, {} values",
        EVENTS,
        state.recorded(),
        values.len()
    );
    drop(state);
    let mut group = crit.benchmark_group("billing");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.throughput(Throughput::Elements(EVENTS as u64));
    group.bench_function("meter 10M events, dedup, per customer and month", |b| {
        // The state is dropped outside the timing: a pipeline keeps it.
        b.iter_with_large_drop(|| black_box(meter_all(&c, &customers, &tokens)))
    });
    group.finish();
}

const CATALOG: &str = r#"{
  "meters": [
    {"id": "sms", "event": "sms_sent", "aggregation": "count", "unit": "messages"},
    {"id": "payments", "event": "payment", "aggregation": "sum", "field": "amount", "unit": "payments"}
  ],
  "plans": [
    {"id": "basic", "name": "Basic", "currency": "CNY", "interval": "month", "fee": "299.00",
     "seat_price": "50.00", "included_seats": 3,
     "charges": [{"id": "sms", "meter": "sms", "included": 1000,
                  "price": {"model": "package", "size": 1000, "price": "30.00"}}]},
    {"id": "pro", "name": "Pro", "currency": "CNY", "interval": "month", "fee": "999.00",
     "seat_price": "99.00", "included_seats": 5, "trial_days": 14, "minimum_commitment": "1500.00",
     "charges": [
       {"id": "sms", "meter": "sms", "price": {"model": "graduated", "tiers": [
          {"from": 0, "to": 100, "unit_price": "0.10"},
          {"from": 101, "to": 1000, "unit_price": "0.08", "flat_fee": "5.00"},
          {"from": 1001, "unit_price": "0.05"}]}},
       {"id": "payments", "meter": "payments", "price": {"model": "percentage", "rate": "2.5",
          "fixed_fee": "0.30", "min_fee": "0.50", "max_fee": "5.00"}}]},
    {"id": "scale", "name": "Scale", "currency": "CNY", "interval": "month", "fee": "2999.00",
     "charges": [{"id": "sms", "meter": "sms", "price": {"model": "volume", "tiers": [
          {"from": 0, "to": 10000, "unit_price": "0.04"}, {"from": 10001, "unit_price": "0.03"}]}}]}
  ],
  "coupons": [
    {"id": "half", "percent": "50", "duration": "once"},
    {"id": "welcome", "amount": {"amount": "100.00", "currency": "CNY"}, "duration": "once"}
  ]
}"#;

fn subscriptions() -> Vec<(Subscription, Usage)> {
    let mut rng = workload::Rng::new(7);
    let plans = ["basic", "basic", "basic", "pro", "pro", "scale"];
    (0..INVOICES)
        .map(|i| {
            let plan = *rng.pick(&plans);
            let day = 1 + rng.below(28);
            let mut changes = Vec::new();
            match rng.below(10) {
                0 => changes.push(serde_json::json!({"at": "2026-03-16T03:00:00Z", "plan": "pro"})),
                1 | 2 => changes.push(
                    serde_json::json!({"at": "2026-03-10T03:00:00Z", "seats": rng.below(12)}),
                ),
                _ => {}
            }
            let coupons = match rng.below(10) {
                0 => serde_json::json!([{"coupon": "half"}]),
                1 => serde_json::json!([{"coupon": "welcome"}]),
                _ => serde_json::json!([]),
            };
            let sub: Subscription = serde_json::from_value(serde_json::json!({
                "id": format!("s{i}"), "customer_id": format!("c{i}"), "plan": plan,
                "started_at": format!("2026-02-{day:02}T02:00:00Z"), "timezone": "Asia/Shanghai",
                "seats": rng.below(10), "changes": changes, "coupons": coupons,
            }))
            .expect("a subscription");
            let mut usage = Usage::new();
            usage.insert(
                "sms".into(),
                Quantity::Units(Decimal::from(rng.below(20_000))),
            );
            let payments = (0..rng.below(12))
                .map(|_| Decimal::new(rng.below(100_000) as i64, 2))
                .collect();
            usage.insert("payments".into(), Quantity::Transactions(payments));
            (sub, usage)
        })
        .collect()
}

fn pricing(crit: &mut Criterion) {
    let catalog = Pricing::from_json(CATALOG).expect("the catalog loads");
    let subs = subscriptions();
    let at: DateTime<Utc> = "2026-03-15T00:00:00Z".parse().expect("a time");
    let now: DateTime<Utc> = "2026-04-01T00:00:00Z".parse().expect("a time");
    let requests: Vec<InvoiceRequest<'_>> = subs
        .iter()
        .map(|(subscription, usage)| InvoiceRequest {
            subscription,
            usage,
            at,
            now,
        })
        .collect();
    let results = once("pricing once", INVOICES, || {
        catalog.invoices(requests.iter().copied())
    });
    assert!(results.iter().all(Result::is_ok), "every invoice prices");
    let mut group = crit.benchmark_group("billing");
    group.sample_size(10);
    group.throughput(Throughput::Elements(INVOICES as u64));
    group.bench_function("price 100k invoices of mixed plans", |b| {
        b.iter(|| black_box(catalog.invoices(requests.iter().copied())).len())
    });
    group.finish();
}

criterion_group!(benches, pricing, metering);
criterion_main!(benches);
