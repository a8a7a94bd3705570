//! The main job of scrm on its embedded sample: load and validate a playbook, print what it says,
//! then run it over a synthetic workload (10,000 customers, 200,000 events) through the engine's
//! batch fold and print the funnel by channel, an owner's priority list and the pool's reclaims,
//! writing `report.html`.
//!
//! `cargo run -p scrm-examples --bin demo` uses the sample playbook of a WeCom-based tea brand;
//! `cargo run -p scrm-examples --bin demo -- path/to/playbook.toml` loads your own (JSON or TOML,
//! told apart by the file extension) and prints every problem if it does not validate.
//! `--seed N` changes the workload (default 20260401); `--report PATH` where the HTML goes.

use std::process::ExitCode;

use scrm_core::{Customer, Event, Format, Identity, Playbook, TagRule, Tagger};
use scrm_examples::{run, workload};

const SAMPLE: &str = include_str!("../../playbooks/brand.json");

struct Args {
    playbook: Option<String>,
    seed: u64,
    report: String,
}

fn args() -> Result<Args, String> {
    let mut out = Args {
        playbook: None,
        seed: workload::DEFAULT_SEED,
        report: "report.html".to_owned(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--seed" => {
                let value = it.next().ok_or("--seed needs a number")?;
                out.seed = value.parse().map_err(|_| {
                    format!("--seed {value:?}: write a whole number, e.g. --seed 7")
                })?;
            }
            "--report" => out.report = it.next().ok_or("--report needs a file path")?,
            path if !path.starts_with("--") && out.playbook.is_none() => {
                out.playbook = Some(path.to_owned())
            }
            other => {
                return Err(format!(
                    "unexpected argument {other:?}; usage: demo [playbook.json|.toml] [--seed N] [--report report.html]"
                ));
            }
        }
    }
    Ok(out)
}

fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let (source, text, format) = match args.playbook.clone() {
        None => (
            "embedded sample examples/playbooks/brand.json".to_owned(),
            SAMPLE.to_owned(),
            Format::Json,
        ),
        Some(path) => {
            let format = if path.ends_with(".toml") {
                Format::Toml
            } else {
                Format::Json
            };
            match std::fs::read_to_string(&path) {
                Ok(text) => (path, text, format),
                Err(e) => {
                    eprintln!("cannot read {path}: {e}");
                    return ExitCode::FAILURE;
                }
            }
        }
    };
    match Playbook::from_text(&text, format) {
        Ok(playbook) => {
            print!("{}", summary(&playbook, &source));
            match tagging_walkthrough(&playbook) {
                Ok(text) => print!("{text}"),
                Err(e) => eprintln!("the tagging walkthrough did not run: {e}"),
            }
            workload_run(&playbook, &args)
        }
        Err(e) => {
            eprintln!("{source} does not load ({}):", e.kind());
            for problem in e.problems() {
                eprintln!("  - {problem}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Generates the workload, runs the playbook over it, prints the reports, writes the HTML.
fn workload_run(playbook: &Playbook, args: &Args) -> ExitCode {
    let config = workload::Config::readme(args.seed);
    let started = std::time::Instant::now();
    let work = match workload::generate(playbook, &config) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("the workload could not be generated: {e}");
            return ExitCode::FAILURE;
        }
    };
    let generated = started.elapsed();
    let outcome = match run::run(playbook, &work) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("the playbook did not run over the workload: {e}");
            return ExitCode::FAILURE;
        }
    };
    print!("{}", outcome.render(&work));
    let events = work.events.len() as f64;
    println!(
        "\nTimings: generated in {:.2} s; batch fold {:.2} s ({:.0} events/s{}); time check of every profile {:.2} s",
        generated.as_secs_f64(),
        outcome.fold_elapsed.as_secs_f64(),
        events / outcome.fold_elapsed.as_secs_f64().max(1e-9),
        if cfg!(debug_assertions) {
            ", debug build"
        } else {
            ""
        },
        outcome.tick_elapsed.as_secs_f64(),
    );
    match std::fs::write(&args.report, &outcome.report_html) {
        Ok(()) => {
            println!(
                "Wrote {} ({} KB: funnel, score distribution, propagation; no network needed)",
                args.report,
                outcome.report_html.len() / 1024
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot write {}: {e}", args.report);
            ExitCode::FAILURE
        }
    }
}

fn summary(p: &Playbook, source: &str) -> String {
    let mut out = String::new();
    let title = p.name().unwrap_or(p.tenant_id());
    out.push_str(&format!(
        "scrm {} · playbook \"{title}\"\n",
        scrm_core::VERSION
    ));
    out.push_str(&format!("  source     {source}\n"));
    out.push_str(&format!("  tenant     {}\n", p.tenant_id()));
    out.push_str(&format!("  timezone   {}\n", p.timezone_name()));
    out.push_str(&format!("  schema     v{}\n\n", p.schema_version()));
    out.push_str(&format!("Channels ({})\n", p.channels().len()));
    for c in p.channels() {
        out.push_str(&format!(
            "  {:<14} {:<14} {}\n",
            c.id,
            c.platform.as_str(),
            c.name
        ));
    }
    let taxonomy = p.taxonomy();
    out.push_str(&format!(
        "\nTag taxonomy ({} groups, {} tags)\n",
        taxonomy.groups.len(),
        taxonomy.tag_count()
    ));
    let mut groups: Vec<_> = taxonomy.groups.iter().collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.order)); // WeCom shows bigger order first
    for g in groups {
        let mode = if g.exclusive { "exclusive" } else { "multi" };
        out.push_str(&format!("  {} [{}] ({mode})\n", g.name, g.id));
        let mut tags: Vec<_> = g.tags.iter().collect();
        tags.sort_by_key(|t| std::cmp::Reverse(t.order));
        for t in tags {
            match &t.path {
                Some(path) => out.push_str(&format!("    - {} [{}]  {path}\n", t.name, t.id)),
                None => out.push_str(&format!("    - {} [{}]\n", t.name, t.id)),
            }
        }
    }
    out.push_str(&format!("\nAuto-tag rules ({})\n", p.tagging().rules.len()));
    for rule in &p.tagging().rules {
        let trigger = match rule {
            TagRule::ChannelCode { codes, .. } => format!("scan of {}", codes.join(" / ")),
            TagRule::Keyword { keywords, .. } => {
                format!("text containing {}", keywords.join(" / "))
            }
            TagRule::Behaviour {
                event,
                min_count,
                within,
                properties,
                ..
            } => {
                let filter: Vec<String> =
                    properties.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{event}[{}] ×{min_count} within {within}", filter.join(","))
            }
            TagRule::Condition { condition, .. } => format!("when {condition}"),
            _ => "another trigger".to_owned(),
        };
        let ttl = rule.ttl().map(|t| format!(" for {t}")).unwrap_or_default();
        out.push_str(&format!(
            "  {:<14} {trigger} → {}{ttl}\n",
            rule.id(),
            rule.tags().join(", ")
        ));
    }
    let scoring = p.scoring();
    out.push_str(&format!(
        "\nScoring: {} engagement rules in {} groups, {} fit rules, {} thresholds.\n",
        scoring.rules.len(),
        scoring.groups.len(),
        scoring.fit.as_ref().map_or(0, |f| f.rules.len()),
        scoring.thresholds.len()
    ));
    out.push_str(&format!(
        "Lifecycle: {} stages (default list when 0), {} rules.\n",
        p.lifecycle().stages.len(),
        p.lifecycle().rules.len()
    ));
    out.push_str("Pool, transfer and assignment rules: see docs/pool.md.\n");
    out
}

/// Runs the auto-tag rules over a short, fixed conversation and prints each change with its reason.
fn tagging_walkthrough(p: &Playbook) -> Result<String, scrm_core::Error> {
    let tagger = Tagger::new(p)?;
    let at = |text: &str| {
        text.parse::<chrono::DateTime<chrono::Utc>>()
            .unwrap_or_default()
    };
    let mut customer = Customer::new(p.tenant_id(), "demo-customer", at("2026-03-15T02:00:00Z"));
    customer.add_identity(Identity::phone("138 0013 8000")?);
    let mut events = Vec::new();
    let mut scan = Event::new(
        p.tenant_id(),
        "e1",
        &customer.id,
        "scan",
        at("2026-03-15T02:00:00Z"),
    );
    scan.channel_code = Some("douyin-live-0315".into());
    events.push(scan);
    for (id, when, text) in [
        ("e2", "2026-03-15T02:05:00Z", "你好，礼盒装的大红袍多少钱？"),
        ("e3", "2026-03-16T11:00:00Z", "太贵了，我再看看"),
    ] {
        let mut message = Event::new(p.tenant_id(), id, &customer.id, "message", at(when));
        message.text = Some(text.into());
        events.push(message);
    }
    let mut out = format!("\nTagging a sample customer ({})\n", customer.identities[0]);
    for (i, event) in events.iter().enumerate() {
        let said = event
            .text
            .as_deref()
            .map(|t| format!(" \"{t}\""))
            .unwrap_or_default();
        out.push_str(&format!(
            "  {} {}{said}\n",
            event.at.format("%m-%d %H:%M"),
            event.kind
        ));
        for change in tagger.on_event(&mut customer, event, &events[..i])? {
            out.push_str(&format!(
                "      {:?} {} — {}\n",
                change.action, change.tag_id, change.reason
            ));
        }
    }
    let tags: Vec<&str> = customer.tags.iter().map(|t| t.tag_id.as_str()).collect();
    out.push_str(&format!("  now tagged: {}\n", tags.join(", ")));
    Ok(out)
}
