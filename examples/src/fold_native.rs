//! The native Rust fold of an events file, timed: the baseline `bindings-python/bench/batch_bench.py`
//! compares the Python Arrow fold with, on the same events in the same run. Two programs run it:
//! `fold_native` with Rust's default allocator (the C library's malloc), and
//! `fold_native_mimalloc` with mimalloc, the allocator the Python module uses, so the bench can
//! tell the binding's own cost from the allocator's.
//!
//! `cargo run --release -p scrm-examples --bin fold_native -- playbook.(toml|json) events.jsonl [repeat]`
//!
//! Reads one event JSON per line (docs/data-model.md), compiles the playbook, and folds all the
//! events over no profiles with `Engine::fold`, `repeat` times (default 3). Prints one line of
//! `key=value` pairs: the event and profile counts, the best fold time in seconds (parsing the file
//! is not timed), and a digest of the result (events applied, customers per stage) that the bench
//! checks against the Python fold's.

use std::collections::BTreeMap;
use std::process::ExitCode;
use std::time::Instant;

use scrm_core::{Engine, Event, Format, Playbook};

/// The program: [`run`], its error on standard error and a failing exit code.
pub fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("fold_native: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Reads the arguments, folds, prints the `key=value` line; the error says what went wrong.
///
/// # Errors
///
/// A message for bad arguments, an unreadable file, a playbook or event that does not load, or a
/// refused event.
pub fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(playbook_path), Some(events_path)) = (args.first(), args.get(1)) else {
        return Err("usage: fold_native playbook.(toml|json) events.jsonl [repeat]".to_owned());
    };
    let repeat: usize = match args.get(2) {
        Some(n) => n
            .parse()
            .map_err(|_| format!("repeat must be a number, not {n:?}"))?,
        None => 3,
    };
    let text = std::fs::read_to_string(playbook_path)
        .map_err(|e| format!("cannot read {playbook_path}: {e}"))?;
    let format = if playbook_path.ends_with(".toml") {
        Format::Toml
    } else {
        Format::Json
    };
    let playbook = Playbook::from_text(&text, format).map_err(|e| e.to_string())?;
    let engine = Engine::compile(&playbook).map_err(|e| e.to_string())?;
    let lines = std::fs::read_to_string(events_path)
        .map_err(|e| format!("cannot read {events_path}: {e}"))?;
    let events = lines
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| Event::from_json(line).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect::<Result<Vec<Event>, String>>()?;

    let mut best = f64::INFINITY;
    let mut profiles = Vec::new();
    for _ in 0..repeat.max(1) {
        profiles = Vec::new();
        let start = Instant::now();
        let report = engine
            .fold(&mut profiles, &events)
            .map_err(|e| e.to_string())?;
        best = best.min(start.elapsed().as_secs_f64());
        if let Some(refused) = report.refused.first() {
            return Err(format!(
                "event {} refused: {}",
                refused.event_id, refused.message
            ));
        }
    }
    let mut stages: BTreeMap<String, usize> = BTreeMap::new();
    for p in &profiles {
        let stage = p.customer().stage.clone().unwrap_or_default();
        *stages.entry(stage).or_default() += 1;
    }
    let applied: usize = profiles.iter().map(|p| p.events_seen()).sum();
    let stages: Vec<String> = stages.iter().map(|(s, n)| format!("{s}:{n}")).collect();
    println!(
        "events={} profiles={} seconds={best:.6} applied={applied} stages={}",
        events.len(),
        profiles.len(),
        stages.join(",")
    );
    Ok(())
}
