use super::*;
use crate::ErrorKind;

const BRAND_JSON: &str = include_str!("../../../examples/playbooks/brand.json");
const BRAND_TOML: &str = include_str!("../../../examples/playbooks/brand.toml");

fn problem_lines(err: &Error) -> Vec<String> {
    err.problems().iter().map(ToString::to_string).collect()
}

#[test]
fn the_same_document_in_json_and_toml_loads_equal() {
    let a = Playbook::from_json(BRAND_JSON).unwrap();
    let b = Playbook::from_toml(BRAND_TOML).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.timezone(), chrono_tz::Asia::Shanghai);
    assert_eq!(a.taxonomy().tag_count(), 16);
}

#[test]
fn to_json_loads_back_to_an_equal_playbook() {
    let a = Playbook::from_json(BRAND_JSON).unwrap();
    assert_eq!(Playbook::from_json(&a.to_json()).unwrap(), a);
}

#[test]
fn duplicate_id_message_names_path_and_value() {
    let err = Playbook::from_json(
        r#"{"schema_version":1,"tenant_id":"t","timezone":"UTC","taxonomy":{"groups":[
            {"id":"a","name":"A","tags":[{"id":"vip","name":"VIP"}]},
            {"id":"b","name":"B"},
            {"id":"c","name":"C","tags":[{"id":"vip","name":"贵宾"}]}]}}"#,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert_eq!(
        problem_lines(&err),
        [
            r#"taxonomy.groups[2].tags[0].id: duplicate id "vip" (first at taxonomy.groups[0].tags[0].id)"#
        ]
    );
}

#[test]
fn every_problem_is_reported_with_its_value() {
    let err = Playbook::from_json(
        r#"{"schema_version":1,"tenant_id":"bad tenant","timezone":"Mars/Olympus",
            "channels":[{"id":"w","name":"企业微信","platfrom":"wecom"}]}"#,
    )
    .unwrap_err();
    assert_eq!(
        problem_lines(&err),
        [
            "channels[0].platform: required field is missing",
            r#"channels[0].platfrom: unknown field "platfrom", expected one of: id, name, platform"#,
            r#"tenant_id: invalid id "bad tenant": use 1 to 64 letters, digits, '_', '-' or '.'"#,
            r#"timezone: unknown timezone "Mars/Olympus", expected an IANA name such as "Asia/Shanghai""#,
        ]
    );
}

#[test]
fn wrong_types_and_enum_values_name_what_was_expected() {
    let err = Playbook::from_json(
        r#"{"schema_version":1,"tenant_id":"t","timezone":"UTC",
            "channels":[{"id":"x","name":"小红书","platform":"xiaohongshu"}],
            "taxonomy":{"groups":[{"id":"g","name":"G","exclusive":"yes","order":1.5}]}}"#,
    )
    .unwrap_err();
    let lines = problem_lines(&err);
    assert!(
        lines[0].starts_with(
            r#"channels[0].platform: unexpected value "xiaohongshu", expected one of: "wecom""#
        ),
        "{lines:?}"
    );
    assert_eq!(
        lines[1],
        r#"taxonomy.groups[0].exclusive: expected a boolean, found "yes""#
    );
    assert_eq!(
        lines[2],
        "taxonomy.groups[0].order: expected an integer, found 1.5"
    );
}

#[test]
fn unsupported_version_lists_the_supported_ones() {
    let err = Playbook::from_json(r#"{"schema_version":7,"tenant_id":"t","timezone":"UTC"}"#)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedVersion);
    assert_eq!(
        err.to_string(),
        "unsupported_version: schema_version: unsupported schema_version 7; this build reads: 1"
    );
}

#[test]
fn parse_errors_give_line_and_column() {
    let err = Playbook::from_toml("schema_version = 1\ntenant_id = acme\n").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.to_string().contains("line 2, column 13"), "{err}");
    let err = Playbook::from_json("{\n  \"a\": ,\n}").unwrap_err();
    assert!(err.to_string().contains("line 2, column 8"), "{err}");
}

#[test]
fn too_many_tags_is_refused() {
    let tags: Vec<String> = (0..=MAX_TAGS_PER_TENANT)
        .map(|i| format!(r#"{{"id":"t{i}","name":"标签{i}"}}"#))
        .collect();
    let text = format!(
        r#"{{"schema_version":1,"tenant_id":"t","timezone":"UTC","taxonomy":{{"groups":[{{"id":"g","name":"G","tags":[{}]}}]}}}}"#,
        tags.join(",")
    );
    let err = Playbook::from_json(&text).unwrap_err();
    assert_eq!(
        problem_lines(&err),
        ["taxonomy: 10001 tags; a tenant may have at most 10000"]
    );
}

#[test]
fn oversized_text_is_refused_before_parsing() {
    let text = " ".repeat(MAX_PLAYBOOK_BYTES + 1);
    let err = Playbook::from_json(&text).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    assert!(err.to_string().contains("limit"), "{err}");
}

#[test]
fn json_schema_describes_the_document_and_refuses_unknown_fields() {
    let schema: Value = serde_json::from_str(&Playbook::json_schema()).unwrap();
    assert_eq!(schema["additionalProperties"], Value::Bool(false));
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(required, ["schema_version", "tenant_id", "timezone"]);
    assert!(schema["properties"]["taxonomy"].is_object());
}

#[test]
fn format_names_are_checked() {
    assert_eq!(Format::from_name("TOML").unwrap(), Format::Toml);
    assert_eq!(
        Format::from_name("yaml").unwrap_err().problems()[0].path,
        "format"
    );
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for depth in [1_000usize, 100_000] {
        let cases = [
            (
                format!("a = {}1{}", "[".repeat(depth), "]".repeat(depth)),
                Format::Toml,
            ),
            (
                format!("a = {}1{}", "{b=".repeat(depth), "}".repeat(depth)),
                Format::Toml,
            ),
            (
                format!("{}1{}", "[".repeat(depth), "]".repeat(depth)),
                Format::Json,
            ),
        ];
        for (text, format) in cases {
            // A small stack, so unbounded recursion would show as a crash here.
            let r = std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || Playbook::from_text(&text, format).is_err())
                .unwrap()
                .join();
            assert!(matches!(r, Ok(true)), "depth {depth} {format:?}");
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn loading_arbitrary_text_never_panics(text in ".{0,400}") {
            let _ = Playbook::from_json(&text);
            let _ = Playbook::from_toml(&text);
        }

        #[test]
        fn loading_arbitrary_json_values_never_panics(value in arb_json()) {
            let text = value.to_string();
            let result = Playbook::from_json(&text);
            if let Err(e) = result {
                prop_assert!(!e.problems().is_empty());
            }
        }

        #[test]
        fn a_loaded_playbook_round_trips_through_json(groups in 0usize..5, tags in 0usize..5, exclusive in any::<bool>()) {
            let groups: Vec<Value> = (0..groups).map(|g| serde_json::json!({
                "id": format!("g{g}"), "name": format!("组{g}"), "exclusive": exclusive,
                "tags": (0..tags).map(|t| serde_json::json!({"id": format!("g{g}t{t}"), "name": format!("标签{t}"), "order": t})).collect::<Vec<_>>(),
            })).collect();
            let doc = serde_json::json!({"schema_version": 1, "tenant_id": "t", "timezone": "Asia/Shanghai", "taxonomy": {"groups": groups}});
            let p = Playbook::from_json(&doc.to_string()).unwrap();
            prop_assert_eq!(Playbook::from_json(&p.to_json()).unwrap(), p);
        }
    }

    /// JSON values shaped like playbooks: the known keys appear often, so the walk goes deep.
    fn arb_json() -> impl Strategy<Value = Value> {
        let key = prop_oneof![
            Just("schema_version".to_owned()),
            Just("tenant_id".to_owned()),
            Just("timezone".to_owned()),
            Just("channels".to_owned()),
            Just("taxonomy".to_owned()),
            Just("groups".to_owned()),
            Just("tags".to_owned()),
            Just("id".to_owned()),
            Just("name".to_owned()),
            Just("group".to_owned()),
            Just("platform".to_owned()),
            Just("exclusive".to_owned()),
            Just("path".to_owned()),
            "[a-z]{1,6}",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_map(Value::from),
            Just(Value::from(1)),
            "[a-z/ ]{0,8}".prop_map(Value::String),
            Just(Value::from("Asia/Shanghai")),
            Just(Value::from("wecom")),
        ];
        leaf.prop_recursive(5, 64, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::btree_map(key.clone(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
