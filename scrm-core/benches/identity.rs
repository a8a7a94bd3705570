//! Identity resolution of 1,000,000 profiles with 3 identities each and 10% duplicates.
//!
//! `cargo bench -p scrm-core --bench identity`; peak memory: run under `/usr/bin/time -v`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

#[path = "support/workload.rs"]
mod workload;

const PROFILES: usize = 1_000_000;

fn resolution(c: &mut Criterion) {
    let profiles = workload::profiles(PROFILES, 10, 3);
    let mut group = c.benchmark_group("identity");
    group.sample_size(10);
    group.throughput(Throughput::Elements(PROFILES as u64));
    group.bench_function("resolve_1m_profiles_3_ids_10pct_dup", |b| {
        b.iter(|| scrm_core::resolve(&profiles).len())
    });
    group.finish();
}

criterion_group!(benches, resolution);
criterion_main!(benches);
