//! Every JSON example in docs/data-model.md parses, checks and round-trips.

use scrm_core::{Account, Customer, Event};

fn examples() -> Vec<(String, String)> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/data-model.md"
    ))
    .expect("doc exists");
    let mut heading = String::new();
    let mut out = Vec::new();
    let mut block: Option<String> = None;
    for line in doc.lines() {
        match (&mut block, line) {
            (None, l) if l.starts_with("## ") => heading = l[3..].trim().to_owned(),
            (None, "```json") => block = Some(String::new()),
            (Some(text), "```") => {
                out.push((heading.clone(), std::mem::take(text)));
                block = None;
            }
            (Some(text), l) => {
                text.push_str(l);
                text.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn every_example_in_the_data_model_doc_loads() {
    let examples = examples();
    assert_eq!(examples.len(), 3);
    for (heading, json) in examples {
        match heading.as_str() {
            "Customer" => {
                let c = Customer::from_json(&json).unwrap();
                assert_eq!(Customer::from_json(&c.to_json()).unwrap(), c);
            }
            "Event" => {
                let e = Event::from_json(&json).unwrap();
                assert_eq!(Event::from_json(&e.to_json()).unwrap(), e);
            }
            "Account" => {
                let a: Account = serde_json::from_str(&json).unwrap();
                a.check().unwrap();
                assert!(a.decision_chain().gaps.is_empty());
            }
            other => panic!("unexpected example under {other}"),
        }
    }
}

#[test]
fn a_customer_with_an_unnormalised_phone_is_refused_naming_it() {
    let json = r#"{"tenant_id":"t","id":"c","created_at":"2026-01-01T00:00:00Z","identities":[{"kind":"phone","value":"138 0013 8000"}]}"#;
    let err = Customer::from_json(json).unwrap_err();
    assert_eq!(err.problems()[0].path, "identities[0].value");
    assert!(err.to_string().contains("+8613800138000"), "{err}");
}
