//! Keyword tagging throughput: 1,000,000 chat messages of ~60 Chinese characters against 2,000
//! keyword rules, each message through `Tagger::on_event` on a customer.
//!
//! `cargo bench -p scrm-core --bench tagging`; peak memory: run under `/usr/bin/time -v`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scrm_core::{Customer, Event, Playbook, Tagger};

#[path = "support/workload.rs"]
mod workload;

const MESSAGES: usize = 1_000_000;
const KEYWORDS: usize = 2_000;

fn playbook(keywords: &[String]) -> Playbook {
    // One tag per 20 keywords, in 100 rules, like a real keyword library grouped by intent.
    let groups: Vec<serde_json::Value> = (0..10)
        .map(|g| {
            serde_json::json!({"id": format!("g{g}"), "name": format!("组{g}"),
                "tags": (0..10).map(|t| serde_json::json!({"id": format!("t{g}_{t}"), "name": format!("标签{g}_{t}")})).collect::<Vec<_>>()})
        })
        .collect();
    let rules: Vec<serde_json::Value> = keywords
        .chunks(KEYWORDS / 100)
        .enumerate()
        .map(|(r, words)| serde_json::json!({"kind": "keyword", "id": format!("kw{r}"), "keywords": words, "tags": [format!("t{}_{}", r / 10, r % 10)]}))
        .collect();
    let doc = serde_json::json!({"schema_version": 1, "tenant_id": "bench", "timezone": "Asia/Shanghai",
        "taxonomy": {"groups": groups}, "tagging": {"rules": rules}});
    Playbook::from_json(&doc.to_string()).expect("the bench playbook loads")
}

fn keyword_tagging(c: &mut Criterion) {
    let keywords = workload::keywords(KEYWORDS, 7);
    let tagger = Tagger::new(&playbook(&keywords)).expect("compiles");
    let at = "2026-03-15T02:00:00Z".parse().expect("a time");
    let events: Vec<Event> = workload::messages(MESSAGES, 60, &keywords, 11)
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let mut e = Event::new("bench", &format!("e{i}"), "c1", "message", at);
            e.text = Some(text);
            e
        })
        .collect();
    let mut group = c.benchmark_group("tagging");
    group.sample_size(10);
    group.throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function("keyword_1m_messages_2k_keywords", |b| {
        b.iter(|| {
            let mut changes = 0usize;
            let mut customer = Customer::new("bench", "c1", at);
            for e in &events {
                changes += tagger.on_event(&mut customer, e, &[]).expect("tags").len();
            }
            changes
        })
    });
    group.finish();
}

criterion_group!(benches, keyword_tagging);
criterion_main!(benches);
