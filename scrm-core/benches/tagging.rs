//! Keyword tagging throughput: 1,000,000 chat messages of ~60 Chinese characters against 2,000
//! keywords (in 100 rules), each message through `Tagger::on_event` on its customer. The
//! messages come from 100,000 customers, ten each, like a day of a tenant's chats; every
//! iteration starts from untagged customers (cloned outside the timing). Time is the thread's CPU
//! time (support/cpu.rs).
//!
//! `cargo bench -p scrm-core --bench tagging`; peak memory: run under `/usr/bin/time -v`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use scrm_core::{Customer, Event, Playbook, Tagger};

#[path = "support/cpu.rs"]
mod cpu;
#[path = "support/workload.rs"]
mod workload;

const MESSAGES: usize = 1_000_000;
const KEYWORDS: usize = 2_000;
const CUSTOMERS: usize = 100_000;

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
            let customer = format!("c{}", i % CUSTOMERS);
            let mut e = Event::new("bench", &format!("e{i}"), &customer, "message", at);
            e.text = Some(text);
            e
        })
        .collect();
    let customers: Vec<Customer> = (0..CUSTOMERS)
        .map(|i| Customer::new("bench", &format!("c{i}"), at))
        .collect();
    let mut group = c.benchmark_group("tagging");
    group.sample_size(10);
    group.throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function("keyword_1m_messages_2k_keywords", |b| {
        b.iter_custom(|iters| {
            cpu::time_with_setup(
                iters,
                || customers.clone(),
                |customers: &mut Vec<Customer>| {
                    let mut changes = 0usize;
                    for (i, e) in events.iter().enumerate() {
                        let customer = &mut customers[i % CUSTOMERS];
                        changes += tagger.on_event(customer, e, &[]).expect("tags").len();
                    }
                    changes
                },
            )
        })
    });
    // The baseline a user would reach for: fold each message, then one overlapping scan with the
    // `aho-corasick` crate's DFA over the same keywords (scan only: no rules, no tags, no reasons).
    let folded_keywords: Vec<String> = keywords.iter().map(|k| scrm_core::fold(k)).collect();
    let dfa = aho_corasick::AhoCorasick::builder()
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&folded_keywords)
        .expect("the baseline automaton builds");
    group.bench_function("baseline_fold_and_aho_corasick_scan_only", |b| {
        b.iter_custom(|iters| {
            cpu::time_with_setup(
                iters,
                || (),
                |()| {
                    let mut found = 0usize;
                    for e in &events {
                        let folded = scrm_core::fold(e.text.as_deref().unwrap_or_default());
                        found += dfa.find_overlapping_iter(folded.as_str()).count();
                    }
                    found
                },
            )
        })
    });
    group.finish();
}

criterion_group!(benches, keyword_tagging);
criterion_main!(benches);
