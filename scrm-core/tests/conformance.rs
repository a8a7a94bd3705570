//! Runs every vector in `conformance/vectors/` through the public Rust API.
//!
//! The Python, Node and Kotlin suites run the same files through their bindings; see
//! `conformance/README.md` for the format.

use std::path::{Path, PathBuf};

use scrm_core::{Error, Format, Playbook};
use serde_json::{Value, json};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("crate lives in the workspace")
        .to_path_buf()
}

fn vectors() -> Vec<Value> {
    let dir = repo_root().join("conformance/vectors");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("conformance/vectors exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            let doc: Value =
                serde_json::from_str(&std::fs::read_to_string(f).expect("readable file"))
                    .expect("valid JSON");
            doc["vectors"].as_array().expect("a vectors list").clone()
        })
        .collect()
}

/// The text a vector feeds in: `text`, a `file` relative to the repo root, or a `document`.
fn source_text(v: &Value) -> String {
    if let Some(t) = v["text"].as_str() {
        t.to_owned()
    } else if let Some(f) = v["file"].as_str() {
        std::fs::read_to_string(repo_root().join(f)).expect("vector file exists")
    } else {
        v["document"].to_string()
    }
}

fn summary(p: &Playbook) -> Value {
    json!({
        "schema_version": p.schema_version(),
        "tenant_id": p.tenant_id(),
        "timezone": p.timezone_name(),
        "channels": p.channels().iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
        "groups": p.taxonomy().groups.iter().map(|g| json!({
            "id": g.id,
            "exclusive": g.exclusive,
            "tags": g.tags.iter().map(|t| t.id.clone()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn outcome(result: Result<Value, Error>) -> Value {
    match result {
        Ok(summary) => json!({ "summary": summary }),
        Err(e) => json!({ "error": {
            "kind": e.kind().code(),
            "paths": e.problems().iter().map(|p| p.path.clone()).collect::<Vec<_>>(),
        }}),
    }
}

fn run(v: &Value) -> Value {
    match v["op"].as_str() {
        Some("playbook.load") => {
            let format =
                Format::from_name(v["format"].as_str().unwrap_or("json")).expect("known format");
            outcome(Playbook::from_text(&source_text(v), format).map(|p| summary(&p)))
        }
        other => panic!("vector {} has unknown op {other:?}", v["id"]),
    }
}

#[test]
fn every_vector_gives_its_expected_outcome() {
    let vectors = vectors();
    assert!(
        vectors.len() >= 15,
        "expected at least 15 vectors, found {}",
        vectors.len()
    );
    let mut failures = Vec::new();
    for v in &vectors {
        let got = run(v);
        if got != v["expect"] {
            failures.push(format!(
                "{}\n  expected {}\n  got      {}",
                v["id"], v["expect"], got
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors failed:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}

#[test]
fn validate_reports_the_same_problems_as_load() {
    for v in vectors().iter().filter(|v| v["op"] == "playbook.load") {
        let format =
            Format::from_name(v["format"].as_str().unwrap_or("json")).expect("known format");
        let text = source_text(v);
        let problems = Playbook::validate(&text, format);
        match Playbook::from_text(&text, format) {
            Ok(_) => assert!(problems.is_empty(), "{}", v["id"]),
            Err(e) => assert_eq!(problems, e.problems(), "{}", v["id"]),
        }
    }
}
