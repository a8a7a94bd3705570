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

/// A JSON field of the vector as text, when present.
fn optional_text(v: &Value, key: &str) -> Option<String> {
    (!v[key].is_null()).then(|| v[key].to_string())
}

fn parsed(text: &str) -> Value {
    serde_json::from_str(text).expect("the library writes JSON")
}

/// `billing.meter`: the values (customer, meter, period's first and last day and UTC start,
/// value, events) and the report's counts and the index and path of each conflict and rejection.
fn billing_meter(v: &Value) -> Value {
    let options = (!v["options"].is_null()).then(|| v["options"].to_string());
    outcome(
        scrm_core::meter_json(&v["meters"].to_string(), &text(v, "events"), options.as_deref()).map(
            |out| {
                let out = parsed(&out);
                let values: Vec<Value> = out["values"]
                    .as_array()
                    .expect("values")
                    .iter()
                    .map(|x| {
                        json!({
                            "customer_id": x["customer_id"], "meter_id": x["meter_id"],
                            "first_day": x["period"]["first_day"], "last_day": x["period"]["last_day"],
                            "start": x["period"]["start"], "value": x["value"], "events": x["events"],
                        })
                    })
                    .collect();
                let r = &out["report"];
                let listed = |key: &str, field: &str| -> Vec<Value> {
                    r[key]
                        .as_array()
                        .expect("a list")
                        .iter()
                        .map(|c| json!({ "index": c["index"], field: c[field] }))
                        .collect()
                };
                json!({
                    "values": values,
                    "report": {
                        "accepted": r["accepted"], "replayed": r["replayed"], "unmetered": r["unmetered"],
                        "conflicts": listed("conflicts", "id"), "rejected": listed("rejected", "path"),
                    },
                })
            },
        ),
    )
}

/// `billing.price`: the rounded amount, the exact amount and the explanation.
fn billing_price(v: &Value) -> Value {
    outcome(
        scrm_core::price_json(
            &v["charge"].to_string(),
            &v["quantity"].to_string(),
            v["currency"].as_str().unwrap_or_default(),
        )
        .map(|out| {
            let out = parsed(&out);
            json!({
                "amount": out["amount"]["amount"],
                "precise_amount": out["precise_amount"],
                "explanation": out["explanation"],
            })
        }),
    )
}

/// `billing.advance`: each event's fee and the total.
fn billing_advance(v: &Value) -> Value {
    outcome(
        scrm_core::advance_fees_json(
            &v["charge"].to_string(),
            &text(v, "prior"),
            &text(v, "events"),
            v["currency"].as_str().unwrap_or_default(),
        )
        .map(|out| {
            let out = parsed(&out);
            let fees: Vec<Value> = out["fees"]
                .as_array()
                .expect("fees")
                .iter()
                .map(|f| f["amount"]["amount"].clone())
                .collect();
            json!({ "fees": fees, "total": out["total"]["amount"] })
        }),
    )
}

/// An invoice reduced to what vectors pin: period days, status, each line's kind and amount,
/// the sums, and what each coupon did.
fn invoice_summary(inv: &Value) -> Value {
    let lines: Vec<Value> = inv["lines"]
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| json!({ "kind": l["kind"], "amount": l["amount"]["amount"] }))
        .collect();
    let coupons: Vec<Value> = inv["coupons"]
        .as_array()
        .expect("coupons")
        .iter()
        .map(|c| {
            let mut out = json!({ "coupon": c["coupon"], "discount": c["discount"]["amount"] });
            if let Some(r) = c.get("remaining") {
                out["remaining"] = r["amount"].clone();
            }
            out
        })
        .collect();
    json!({
        "first_day": inv["period"]["first_day"], "last_day": inv["period"]["last_day"],
        "status": inv["status"], "currency": inv["currency"], "lines": lines,
        "subtotal": inv["subtotal"]["amount"], "discount": inv["discount"]["amount"],
        "total": inv["total"]["amount"], "coupons": coupons,
    })
}

fn pricing(v: &Value) -> Result<scrm_core::Pricing, Error> {
    scrm_core::Pricing::from_json(&v["pricing"].to_string())
}

fn time(v: &Value, key: &str) -> chrono::DateTime<chrono::Utc> {
    scrm_core::parse_time(v[key].as_str().expect("a time"), key).expect("a time")
}

/// The playbook of a pool vector: a file path, or the document itself.
fn pool_playbook(v: &Value) -> Playbook {
    match &v["playbook"] {
        Value::String(_) => playbook(v),
        doc => Playbook::from_json(&doc.to_string()).expect("loads"),
    }
}

/// Propagation trees without the explanation texts: the numbers, the spreaders, each node's
/// parent and depth, and the skipped event ids.
fn propagation_summary(out: Value) -> Value {
    let trees: Vec<Value> = out["trees"]
        .as_array()
        .expect("trees")
        .iter()
        .map(|t| {
            let mut t = t.clone();
            let nodes: Vec<Value> = t["nodes"]
                .as_array()
                .expect("nodes")
                .iter()
                .map(|n| json!({"customer_id": n["customer_id"], "parent": n["parent"], "depth": n["depth"]}))
                .collect();
            t["nodes"] = Value::Array(nodes);
            t
        })
        .collect();
    let skipped: Vec<Value> = out["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .map(|s| s["event_id"].clone())
        .collect();
    json!({ "trees": trees, "skipped": skipped })
}

/// Fission progress without the explanation texts: per inviter the count, the reward, when the
/// goal was reached and each help's status.
fn fission_summary(out: Value) -> Value {
    let inviters: Vec<Value> = out["inviters"]
        .as_array()
        .expect("inviters")
        .iter()
        .map(|i| {
            json!({
                "inviter_id": i["inviter_id"],
                "count": i["count"],
                "reward_earned": i["reward_earned"],
                "reached_at": i["reached_at"],
                "helps": i["helps"].as_array().expect("helps").iter()
                    .map(|h| json!([h["event_id"], h["status"]])).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "inviters": inviters, "unattributed": out["unattributed"] })
}

/// Funnel counts as `{key, journeys, unstaged, counts, rates, overall}`.
fn counts_summary(c: &Value) -> Value {
    let field = |list: &str, key: &str| -> Vec<Value> {
        c[list]
            .as_array()
            .expect("a list")
            .iter()
            .map(|x| x[key].clone())
            .collect()
    };
    json!({
        "key": c["key"], "journeys": c["journeys"], "unstaged": c["unstaged"],
        "counts": field("stages", "count"), "rates": field("conversions", "rate"),
        "overall": c["overall"],
    })
}

fn funnel_summary(out: Value) -> Value {
    let groups = |key: &str| -> Vec<Value> {
        out[key]
            .as_array()
            .expect("groups")
            .iter()
            .map(counts_summary)
            .collect()
    };
    json!({
        "overall": counts_summary(&out["overall"]),
        "by_channel": groups("by_channel"),
        "by_owner": groups("by_owner"),
        "time_in_stage": out["time_in_stage"],
    })
}

/// The pool, claim, transfer and assignment ops: each calls its document function.
fn run_pool(v: &Value) -> Option<Value> {
    let p = || pool_playbook(v);
    let field = |key: &str| v[key].to_string();
    let result = match v["op"].as_str()? {
        "pool.due" => scrm_core::due_json(&p(), &field("customers"), time(v, "now")),
        "pool.claim" => {
            scrm_core::claim_json(&p(), &field("employee"), &field("customer"), time(v, "now"))
        }
        "transfer.plan" => scrm_core::transfer_plan_json(
            &p(),
            &field("request"),
            &text(v, "history"),
            optional_text(v, "employees").as_deref(),
            time(v, "now"),
        ),
        "transfer.status" => scrm_core::transfer_status_json(
            &p(),
            &field("records"),
            optional_text(v, "employees").as_deref(),
            time(v, "now"),
        ),
        "assignment.assign" => scrm_core::assign_json(
            &p(),
            &field("employees"),
            optional_text(v, "state").as_deref(),
            &field("leads"),
            time(v, "now"),
        ),
        _ => return None,
    };
    Some(outcome(result.map(|t| parsed(&t))))
}

/// `billing.invoice`.
fn billing_invoice(v: &Value) -> Value {
    outcome(pricing(v).and_then(|p| {
        scrm_core::invoice_json(
            &p,
            &v["subscription"].to_string(),
            &v["usage"].to_string(),
            time(v, "at"),
            time(v, "now"),
        )
        .map(|out| invoice_summary(&parsed(&out)))
    }))
}

/// `billing.statement`: each invoice summarised, and the total.
fn billing_statement(v: &Value) -> Value {
    outcome(pricing(v).and_then(|p| {
        scrm_core::statement_json(
            &p,
            &v["subscription"].to_string(),
            &v["usage"].to_string(),
            time(v, "now"),
        )
        .map(|out| {
            let out = parsed(&out);
            let invoices: Vec<Value> = out["invoices"]
                .as_array()
                .expect("invoices")
                .iter()
                .map(invoice_summary)
                .collect();
            json!({ "invoices": invoices, "total": out["total"]["amount"] })
        })
    }))
}

fn run(v: &Value) -> Value {
    if let Some(out) = run_pool(v) {
        return out;
    }
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
        Some("social.propagation") => outcome(
            scrm_core::propagation_json(&text(v, "events"), optional_text(v, "rules").as_deref())
                .map(|out| json!({ "summary": propagation_summary(parsed(&out)) })),
        ),
        Some("social.fission") => outcome(
            scrm_core::fission_json(
                &v["campaign"].to_string(),
                &text(v, "events"),
                optional_text(v, "existing_friends").as_deref(),
                time(v, "now"),
            )
            .map(|out| json!({ "summary": fission_summary(parsed(&out)) })),
        ),
        Some("analytics.funnel") => outcome(
            scrm_core::funnel_json(&v["options"].to_string(), &text(v, "journeys"))
                .map(|out| json!({ "summary": funnel_summary(parsed(&out)) })),
        ),
        Some("analytics.became") => outcome(
            scrm_core::became_json(&v["options"].to_string(), &text(v, "journeys"))
                .map(|out| json!({ "summary": parsed(&out) })),
        ),
        Some("analytics.cohorts") => outcome(
            scrm_core::cohorts_json(
                &v["options"].to_string(),
                &text(v, "journeys"),
                time(v, "as_of"),
            )
            .map(|out| json!({ "summary": parsed(&out) })),
        ),
        Some("analytics.cost_per_lead") => outcome(
            scrm_core::cost_per_lead_json(
                &v["options"].to_string(),
                &text(v, "journeys"),
                &text(v, "spend"),
            )
            .map(|out| json!({ "summary": parsed(&out) })),
        ),
        Some("billing.meter") => billing_meter(v),
        Some("billing.price") => billing_price(v),
        Some("billing.advance") => billing_advance(v),
        Some("billing.invoice") => billing_invoice(v),
        Some("billing.statement") => billing_statement(v),
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
