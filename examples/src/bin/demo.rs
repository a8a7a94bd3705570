//! The main job of scrm on its embedded sample: load and validate a playbook, print what it says.
//!
//! `cargo run -p scrm-examples --bin demo` uses the sample playbook of a WeCom-based tea brand;
//! `cargo run -p scrm-examples --bin demo -- path/to/playbook.toml` loads your own (JSON or TOML,
//! told apart by the file extension) and prints every problem if it does not validate.

use std::process::ExitCode;

use scrm_core::{Format, Playbook};

const SAMPLE: &str = include_str!("../../playbooks/brand.json");

fn main() -> ExitCode {
    let (source, text, format) = match std::env::args().nth(1) {
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
            ExitCode::SUCCESS
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
    out.push_str("\nScoring, lifecycle, pool and pricing sections: none configured yet.\n");
    out
}
