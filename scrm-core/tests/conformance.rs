//! Runs every vector in `conformance/vectors/` through the public Rust API.
//!
//! The Python, Node and Kotlin suites run the same files through their bindings; see
//! `conformance/README.md` for the format.

use std::path::{Path, PathBuf};

use scrm_core::{
    Condition, Engine, Error, Format, Identity, IdentityKind, Playbook, Segment, Tagger,
};
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
    instant(&v[key])
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

/// The engine of a vector: `playbook` is a file path, or an object completed with
/// `schema_version` 1, `tenant_id` "t" and `timezone` "UTC" where it leaves them out.
fn engine_of(v: &Value) -> Engine {
    let playbook = match &v["playbook"] {
        Value::String(_) => playbook(v),
        Value::Object(fields) => {
            let mut doc = json!({"schema_version": 1, "tenant_id": "t", "timezone": "UTC"});
            for (k, x) in fields {
                doc[k] = x.clone();
            }
            Playbook::from_json(&doc.to_string()).expect("the vector's playbook loads")
        }
        other => panic!("vector {} has playbook {other}", v["id"]),
    };
    Engine::compile(&playbook).expect("compiles")
}

/// An event of a vector: `tenant_id` defaults to the playbook's tenant and `customer_id` to "c1".
fn event_text(engine: &Engine, e: &Value) -> String {
    let mut e = e.clone();
    if e.get("tenant_id").is_none() {
        e["tenant_id"] = json!(engine.tenant_id());
    }
    if e.get("customer_id").is_none() {
        e["customer_id"] = json!("c1");
    }
    e.to_string()
}

fn instant(text: &Value) -> chrono::DateTime<chrono::Utc> {
    scrm_core::parse_time(text.as_str().expect("a time"), "time").expect("a time")
}

/// The effects of one step, with only what is there: `tags` as `+id` / `-id` / `~id`, `stages`
/// as `[from, to, rule]`, `thresholds` as `+id` / `-id`, `tasks` and `alerts` as ids, `delta`
/// when the score moved.
fn step_summary(effects: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for flag in ["replayed", "refolded"] {
        if effects[flag] == true {
            out.insert(flag.into(), json!(true));
        }
    }
    let list = |key: &str| effects[key].as_array().cloned().unwrap_or_default();
    let tags: Vec<String> = list("tags")
        .iter()
        .map(|t| {
            let sign = match t["action"].as_str() {
                Some("added") => "+",
                Some("removed") => "-",
                _ => "~",
            };
            format!("{sign}{}", t["tag_id"].as_str().unwrap_or_default())
        })
        .collect();
    let stages: Vec<Value> = list("stages")
        .iter()
        .map(|c| json!([c["from"], c["to"], c["rule"]]))
        .collect();
    let thresholds: Vec<String> = list("thresholds")
        .iter()
        .map(|t| {
            let sign = if t["fired"] == true { "+" } else { "-" };
            format!("{sign}{}", t["id"].as_str().unwrap_or_default())
        })
        .collect();
    let ids = |key: &str| -> Vec<Value> { list(key).iter().map(|x| x["id"].clone()).collect() };
    for (key, value) in [
        ("tags", json!(tags)),
        ("stages", json!(stages)),
        ("thresholds", json!(thresholds)),
        ("tasks", json!(ids("tasks"))),
        ("alerts", json!(ids("alerts"))),
    ] {
        if value.as_array().is_some_and(|a| !a.is_empty()) {
            out.insert(key.into(), value);
        }
    }
    if let Some(delta) = effects["score"]["delta"].as_str().filter(|d| *d != "0") {
        out.insert("delta".into(), json!(delta));
    }
    Value::Object(out)
}

/// What a vector asks about a profile (`report`): `score`, `components`, `grade`, `rules`,
/// `groups`, `total_capped`, `fit`, `social` (from the score at `now`), `stage`, `history`,
/// `fired`, `tags`.
fn profile_report(
    engine: &Engine,
    v: &Value,
    profile: &str,
    out: &mut serde_json::Map<String, Value>,
) {
    let p: Value = serde_json::from_str(profile).expect("json");
    let wants = |key: &str| {
        v["report"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == key))
    };
    if [
        "score",
        "components",
        "grade",
        "rules",
        "groups",
        "total_capped",
        "fit",
        "social",
    ]
    .iter()
    .any(|k| wants(k))
    {
        let score: Value = serde_json::from_str(
            &engine
                .score_json(profile, instant(&v["now"]))
                .expect("scores"),
        )
        .expect("json");
        let x = &score["explanation"];
        let keyed = |key: &str, id: &str, fields: &[&str]| -> Value {
            let mut m = serde_json::Map::new();
            for part in x[key].as_array().cloned().unwrap_or_default() {
                let mut o = serde_json::Map::new();
                for f in fields {
                    o.insert((*f).into(), part[*f].clone());
                }
                m.insert(
                    part[id].as_str().unwrap_or_default().into(),
                    Value::Object(o),
                );
            }
            Value::Object(m)
        };
        let all = [
            ("score", score["score"].clone()),
            (
                "components",
                json!({"engagement": score["engagement"], "fit": score["fit"], "social": score["social"]}),
            ),
            ("grade", score["grade"].clone()),
            (
                "rules",
                keyed(
                    "rules",
                    "rule",
                    &["events", "raw", "capped", "decayed", "points"],
                ),
            ),
            (
                "groups",
                keyed("groups", "group", &["net", "capped", "points"]),
            ),
            ("total_capped", x["total_capped"].clone()),
            (
                "fit",
                keyed("fit", "rule", &["matched", "points", "grade_steps"]),
            ),
            (
                "social",
                keyed("social", "source", &["amount", "raw", "capped", "points"]),
            ),
        ];
        for (key, value) in all {
            if wants(key) {
                out.insert(key.into(), value);
            }
        }
    }
    if wants("pool_facts") {
        let facts = engine.pool_facts_json(profile).expect("pool facts");
        out.insert(
            "pool_facts".into(),
            serde_json::from_str(&facts).expect("json"),
        );
    }
    let live = &p["live"];
    if wants("stage") {
        out.insert("stage".into(), live["customer"]["stage"].clone());
    }
    if wants("history") {
        let history: Vec<Value> = live["lifecycle"]["history"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|c| json!([c["from"], c["to"], c["rule"], c["at"]]))
            .collect();
        out.insert("history".into(), json!(history));
    }
    if wants("fired") {
        let fired: Vec<Value> = live["fired"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|f| f["id"].clone())
            .collect();
        out.insert("fired".into(), json!(fired));
    }
    if wants("tags") {
        let mut tags: Vec<String> = live["customer"]["tags"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .filter_map(|t| t["tag_id"].as_str().map(str::to_owned))
            .collect();
        tags.sort();
        out.insert("tags".into(), json!(tags));
    }
}

/// One customer through `steps`: `{"event": e, "now"?: t}` applies (now defaults to the event's
/// time), `{"tick": t}` runs the time-based check, `{"events": [...]}` folds a batch, and
/// `{"rescore": {"playbook": edited, "events": [...], "now": t}}` re-scores the profile from
/// those events under the edited playbook, whose engine then runs the steps after it.
fn engine_run(v: &Value) -> Value {
    let mut engine = engine_of(v);
    let mut profile: Option<String> = (!v["customer"].is_null()).then(|| {
        engine
            .new_profile_json(&v["customer"].to_string())
            .expect("the vector's customer is valid")
    });
    let mut steps = Vec::new();
    for step in v["steps"].as_array().cloned().unwrap_or_default() {
        let result = if let Some(e) = step.get("event") {
            let now = step.get("now").unwrap_or(&e["at"]);
            engine.apply_json(profile.as_deref(), &event_text(&engine, e), instant(now))
        } else if let Some(t) = step.get("tick") {
            engine.tick_json(
                profile.as_deref().expect("a profile before a tick"),
                instant(t),
            )
        } else if let Some(r) = step.get("rescore") {
            engine = engine_of(r);
            let events: Vec<Value> = r["events"]
                .as_array()
                .expect("events")
                .iter()
                .map(|e| serde_json::from_str(&event_text(&engine, e)).expect("json"))
                .collect();
            engine.rescore_json(
                profile.as_deref().expect("a profile before a rescore"),
                &Value::Array(events).to_string(),
                instant(&r["now"]),
            )
        } else {
            let events: Vec<Value> = step["events"]
                .as_array()
                .expect("events")
                .iter()
                .map(|e| serde_json::from_str(&event_text(&engine, e)).expect("json"))
                .collect();
            let profiles = profile
                .as_ref()
                .map_or("[]".to_owned(), |p| format!("[{p}]"));
            engine
                .fold_json(&profiles, &Value::Array(events).to_string())
                .map(|out| {
                    let out: Value = serde_json::from_str(&out).expect("json");
                    let refused: Vec<Value> = out["report"]["refused"]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .iter()
                        .map(|r| r["event_id"].clone())
                        .collect();
                    json!({"profile": out["profiles"][0], "effects": {"refused": refused}})
                        .to_string()
                })
        };
        match result {
            Ok(out) => {
                let out: Value = serde_json::from_str(&out).expect("json");
                profile = Some(out["profile"].to_string());
                let mut summary = step_summary(&out["effects"]);
                if let Some(refused) = out["effects"]["refused"]
                    .as_array()
                    .filter(|r| !r.is_empty())
                {
                    summary["refused"] = json!(refused);
                }
                steps.push(summary);
            }
            Err(e) => steps.push(outcome(Err(e))),
        }
    }
    let mut out = serde_json::Map::new();
    if v["report"]
        .as_array()
        .is_some_and(|r| r.iter().any(|x| x == "steps"))
    {
        out.insert("steps".into(), json!(steps));
    }
    if let Some(p) = &profile {
        profile_report(&engine, v, p, &mut out);
    }
    Value::Object(out)
}

/// Many customers: optional `customers` (with owners, attributes), `events` folded as one batch
/// (or `batches`, folded in turn); `report` asks for `fold` (counts and refused ids per batch),
/// `stages`, `scores` (at `now`), `rfm` (with `rfm_mode`), `priority` (for `owner`).
fn engine_batch(v: &Value) -> Value {
    let engine = engine_of(v);
    let mut profiles: Vec<Value> = v["customers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|c| {
            serde_json::from_str(&engine.new_profile_json(&c.to_string()).expect("valid"))
                .expect("json")
        })
        .collect();
    let batches: Vec<Value> = match v.get("batches") {
        Some(Value::Array(b)) => b.clone(),
        _ => vec![v["events"].clone()],
    };
    let mut folds = Vec::new();
    for batch in batches {
        let events: Vec<Value> = batch
            .as_array()
            .expect("events")
            .iter()
            .map(|e| serde_json::from_str(&event_text(&engine, e)).expect("json"))
            .collect();
        let out = engine
            .fold_json(
                &Value::Array(profiles.clone()).to_string(),
                &Value::Array(events).to_string(),
            )
            .expect("folds");
        let out: Value = serde_json::from_str(&out).expect("json");
        profiles = out["profiles"].as_array().cloned().unwrap_or_default();
        let r = &out["report"];
        let refused: Vec<Value> = r["refused"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|x| x["event_id"].clone())
            .collect();
        folds.push(json!({"applied": r["applied"], "replayed": r["replayed"], "created": r["created"], "refused": refused}));
    }
    let wants = |key: &str| {
        v["report"]
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x == key))
    };
    let all = Value::Array(profiles.clone()).to_string();
    let mut out = serde_json::Map::new();
    if wants("fold") {
        out.insert("fold".into(), json!(folds));
    }
    let id = |p: &Value| {
        p["live"]["customer"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    if wants("stages") {
        let stages: serde_json::Map<String, Value> = profiles
            .iter()
            .map(|p| (id(p), p["live"]["customer"]["stage"].clone()))
            .collect();
        out.insert("stages".into(), Value::Object(stages));
    }
    if wants("scores") {
        let scores: serde_json::Map<String, Value> = profiles
            .iter()
            .map(|p| {
                let s: Value = serde_json::from_str(
                    &engine
                        .score_json(&p.to_string(), instant(&v["now"]))
                        .expect("scores"),
                )
                .expect("json");
                (id(p), s["score"].clone())
            })
            .collect();
        out.insert("scores".into(), Value::Object(scores));
    }
    if wants("rfm") {
        let mode = v["rfm_mode"].as_str().unwrap_or("binary");
        let list: Value = serde_json::from_str(
            &engine
                .rfm_json(&all, instant(&v["now"]), mode)
                .expect("rfm"),
        )
        .expect("json");
        let rows: Vec<Value> = list
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|r| {
                let mut row =
                    json!({"customer_id": r["customer_id"], "r": r["r"], "f": r["f"], "m": r["m"]});
                if let Some(segment) = r.get("segment") {
                    row["segment"] = segment.clone();
                }
                row
            })
            .collect();
        out.insert("rfm".into(), json!(rows));
    }
    if wants("priority") {
        let owner = v["owner"].as_str().expect("an owner");
        let list: Value = serde_json::from_str(
            &engine
                .priority_list_json(owner, &all, instant(&v["now"]))
                .expect("ranks"),
        )
        .expect("json");
        out.insert("priority".into(), list);
    }
    Value::Object(out)
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
        Some("engine.run") => engine_run(v),
        Some("engine.batch") => engine_batch(v),
        Some("cps.attribute") => billing(v, scrm_core::attribute_json, attribution_view),
        Some("cps.commission") => billing(v, scrm_core::commission_json, lines_view),
        Some("cps.statement") => billing(v, scrm_core::commission_statement_json, lines_view),
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
