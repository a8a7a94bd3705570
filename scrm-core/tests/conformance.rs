//! Runs every vector in `conformance/vectors/` through the public Rust API.
//!
//! The Python, Node and Kotlin suites run the same files through their bindings; see
//! `conformance/README.md` for the format.

use std::path::{Path, PathBuf};

use scrm_core::{Condition, Error, Format, Identity, IdentityKind, Playbook, Segment, Tagger};
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
        Ok(value) => value,
        Err(e) => json!({ "error": {
            "kind": e.kind().code(),
            "paths": e.problems().iter().map(|p| p.path.clone()).collect::<Vec<_>>(),
        }}),
    }
}

fn playbook(v: &Value) -> Playbook {
    let file = v["playbook"].as_str().expect("a playbook file");
    Playbook::from_json(&std::fs::read_to_string(repo_root().join(file)).expect("readable"))
        .expect("loads")
}

/// A field as JSON text; an absent list is an empty one.
fn text(v: &Value, key: &str) -> String {
    if v[key].is_null() {
        "[]".to_owned()
    } else {
        v[key].to_string()
    }
}

fn changes_value(changes: &[scrm_core::TagChange]) -> Value {
    changes
        .iter()
        .map(|c| json!({"tag_id": c.tag_id, "action": c.action, "reason": c.reason}))
        .collect()
}

/// The tags a customer (JSON) carries, with their expiry where they have one, sorted by id.
fn carried_tags(customer: &str) -> Value {
    let c: Value = serde_json::from_str(customer).expect("json");
    let mut tags: Vec<Value> = c["tags"]
        .as_array()
        .expect("tags")
        .iter()
        .map(|t| match t.get("expires_at") {
            Some(end) => json!({ "tag_id": t["tag_id"], "expires_at": end }),
            None => json!({ "tag_id": t["tag_id"] }),
        })
        .collect();
    tags.sort_by(|a, b| a["tag_id"].as_str().cmp(&b["tag_id"].as_str()));
    Value::Array(tags)
}

fn tag_events(v: &Value) -> Value {
    let tagger = Tagger::new(&playbook(v)).expect("compiles");
    let mut customer = v["customer"].to_string();
    let events = v["events"].as_array().expect("events");
    let mut all_changes = Vec::new();
    for (i, event) in events.iter().enumerate() {
        let history = Value::Array(events[..i].to_vec()).to_string();
        match scrm_core::tag_event_json(&tagger, &customer, &event.to_string(), &history) {
            Ok((next, changes)) => {
                customer = next;
                let changes: Vec<Value> = changes
                    .iter()
                    .map(|c| json!({"tag_id": c.tag_id, "action": c.action, "reason": c.reason}))
                    .collect();
                all_changes.push(changes);
            }
            Err(e) => return outcome(Err(e)),
        }
    }
    json!({ "changes": all_changes, "tags": carried_tags(&customer) })
}

fn segment_members(v: &Value) -> Value {
    let p = playbook(v);
    let now = scrm_core::parse_time(v["now"].as_str().expect("now"), "now").expect("a time");
    let ids = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let optional = |key: &str| (!v[key].is_null()).then(|| v[key].to_string());
    let (histories, scores) = (optional("histories"), optional("scores"));
    outcome(
        Condition::parse(v["condition"].as_str().expect("condition"))
            .and_then(|c| c.compile(p.taxonomy()))
            .map(|c| {
                Segment::new(c)
                    .include(ids("include"))
                    .exclude(ids("exclude"))
            })
            .and_then(|segment| {
                scrm_core::segment_members_json(
                    &segment,
                    &text(v, "customers"),
                    histories.as_deref(),
                    scores.as_deref(),
                    now,
                )
            })
            .map(|members| json!({ "members": members })),
    )
}

/// Runs hand-tagging steps in order (`tag` + `at`, `untag`, `expire`, `pre_tags`), outputting the
/// changes of each step and the tags carried at the end, as `tagging.events` does.
fn tag_by_hand(v: &Value) -> Value {
    let tagger = Tagger::new(&playbook(v)).expect("compiles");
    let mut customer = v["customer"].to_string();
    let mut all_changes = Vec::new();
    for step in v["steps"].as_array().expect("steps") {
        let time = |key: &str| {
            scrm_core::parse_time(step[key].as_str().expect("a time"), key).expect("a time")
        };
        let result = if let Some(tag) = step["tag"].as_str() {
            scrm_core::tag_json(&tagger, &customer, tag, time("at"))
        } else if let Some(tag) = step["untag"].as_str() {
            scrm_core::untag_json(&tagger, &customer, tag)
        } else if step.get("expire").is_some() {
            scrm_core::expire_json(&tagger, &customer, time("expire"))
        } else {
            scrm_core::pre_tags_json(&tagger, &customer, &step["pre_tags"].to_string())
        };
        match result {
            Ok((next, changes)) => {
                customer = next;
                all_changes.push(changes_value(&changes));
            }
            Err(e) => return outcome(Err(e)),
        }
    }
    json!({ "changes": all_changes, "tags": carried_tags(&customer) })
}

/// The input document of a billing vector: the vector without its `id`, `description`, `op`
/// and `expect`.
fn document(v: &Value) -> String {
    let mut doc = v.clone();
    if let Some(map) = doc.as_object_mut() {
        for key in ["id", "description", "op", "expect"] {
            map.remove(key);
        }
    }
    doc.to_string()
}

/// Keeps the named fields of each object of a list.
fn pick(list: &Value, keys: &[&str]) -> Value {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|item| -> Value {
                    keys.iter()
                        .filter_map(|k| item.get(*k).map(|x| ((*k).to_owned(), x.clone())))
                        .collect::<serde_json::Map<String, Value>>()
                        .into()
                })
                .collect::<Vec<Value>>()
                .into()
        })
        .unwrap_or_default()
}

const LINE_KEYS: &[&str] = &[
    "sale_id",
    "touch_index",
    "level",
    "promoter",
    "attributed",
    "rate",
    "rate_source",
    "commission",
    "paid",
    "amount",
    "status",
];

/// Runs a billing document function and projects its JSON output with `project`.
fn billing(v: &Value, op: fn(&str) -> Result<String, Error>, project: fn(Value) -> Value) -> Value {
    outcome(op(&document(v)).map(|text| project(serde_json::from_str(&text).expect("json"))))
}

fn attribution_view(a: Value) -> Value {
    json!({
        "credits": pick(&a["credits"], &["touch_index", "weight", "amount"]),
        "excluded": pick(&a["excluded"], &["touch_index", "reason"]),
        "unattributed": a["unattributed"],
    })
}

fn lines_view(c: Value) -> Value {
    json!({ "lines": pick(&c["lines"], LINE_KEYS), "totals": c["totals"] })
}

fn ladder_view(l: Value) -> Value {
    json!({ "packs": pick(&l["packs"], &["id", "total_units", "unit_price", "discount_percent"]) })
}

fn consume_view(c: Value) -> Value {
    let consumptions: Vec<Value> = c["consumptions"]
        .as_array()
        .expect("consumptions")
        .iter()
        .map(|x| {
            json!({
                "usage_id": x["usage_id"],
                "consumed": x["consumed"],
                "shortfall": x["shortfall"],
                "lines": pick(&x["lines"], &["wallet_id", "kind", "units"]),
                "expired": pick(&x["expired"], &["wallet_id", "bonus_units", "paid_units"]),
            })
        })
        .collect();
    json!({
        "wallets": pick(&c["wallets"], &["id", "paid_units", "bonus_units"]),
        "consumptions": consumptions,
    })
}

fn run(v: &Value) -> Value {
    match v["op"].as_str() {
        Some("playbook.load") => {
            let format =
                Format::from_name(v["format"].as_str().unwrap_or("json")).expect("known format");
            outcome(
                Playbook::from_text(&source_text(v), format)
                    .map(|p| json!({ "summary": summary(&p) })),
            )
        }
        Some("identity.normalize") => outcome(
            IdentityKind::from_name(v["kind"].as_str().unwrap_or_default())
                .and_then(|k| {
                    Identity::new(
                        k,
                        v["value"].as_str().unwrap_or_default(),
                        v["scope"].as_str(),
                    )
                })
                .map(|i| json!({ "identity": i })),
        ),
        Some("identity.resolve") => outcome(
            scrm_core::resolve_json(&text(v, "customers")).map(|c| json!({ "clusters": c })),
        ),
        Some("customer.merge") => {
            let policy = (!v["policy"].is_null()).then(|| v["policy"].to_string());
            outcome(
                scrm_core::merge_json(&text(v, "customers"), policy.as_deref()).map(
                    |c| json!({ "customer": serde_json::from_str::<Value>(&c).expect("json") }),
                ),
            )
        }
        Some("tagging.events") => tag_events(v),
        Some("condition.parse") => {
            let parsed = match v.get("text") {
                Some(Value::String(t)) => Condition::parse(t),
                _ => Condition::from_json(&v["json"].to_string()),
            };
            outcome(parsed.map(|c| {
                json!({ "text": c.to_text(), "json": serde_json::from_str::<Value>(&c.to_json()).expect("json") })
            }))
        }
        Some("condition.evaluate") => {
            let p = playbook(v);
            let now =
                scrm_core::parse_time(v["now"].as_str().expect("now"), "now").expect("a time");
            outcome(
                Condition::parse(v["condition"].as_str().expect("condition"))
                    .and_then(|c| c.compile(p.taxonomy()))
                    .and_then(|c| {
                        scrm_core::evaluate_json(
                            &c,
                            &v["customer"].to_string(),
                            &text(v, "history"),
                            v["score"].as_str(),
                            now,
                        )
                    })
                    .map(|r| json!({ "result": r })),
            )
        }
        Some("segment.members") => segment_members(v),
        Some("account.decision_chain") => outcome(
            scrm_core::decision_chain_json(&v["account"].to_string())
                .map(|chain| serde_json::to_value(chain).expect("json")),
        ),
        Some("tagging.manual") => tag_by_hand(v),
        Some("cps.attribute") => billing(v, scrm_core::attribute_json, attribution_view),
        Some("cps.commission") => billing(v, scrm_core::commission_json, lines_view),
        Some("cps.statement") => billing(v, scrm_core::statement_json, lines_view),
        Some("packs.ladder") => billing(v, scrm_core::pack_ladder_json, ladder_view),
        Some("packs.purchase") => billing(v, scrm_core::purchase_json, |w| json!({ "wallet": w })),
        Some("packs.consume") => billing(v, scrm_core::consume_json, consume_view),
        other => panic!("vector {} has unknown op {other:?}", v["id"]),
    }
}

/// `cargo test -p scrm-core --test conformance -- bless --ignored --nocapture` prints the outcome
/// of every vector whose `expect` is null, for a person to check and then write in.
#[test]
#[ignore]
fn bless() {
    for v in vectors().iter().filter(|v| v["expect"].is_null()) {
        println!("{}\t{}", v["id"].as_str().unwrap_or_default(), run(v));
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
    assert!(
        vectors.iter().all(|v| !v["expect"].is_null()),
        "a vector has no expected outcome: run the bless test and check what it prints"
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
