//! The text and JSON forms: same trees, same answers, printed back unchanged.

use super::*;

const SAME_CONDITIONS: [(&str, &str); 6] = [
    (
        r#"score >= 60 and has_tag("高意向") and stage in ["mql", "sql"] and count(event = "content_view", within = "7d") >= 3"#,
        r#"{"all": [{"compare": {"field": "score", "op": ">=", "value": 60}}, {"has_tag": "高意向"},
            {"compare": {"field": "stage", "op": "in", "value": ["mql", "sql"]}},
            {"count": {"event": "content_view", "within": "7d", "op": ">=", "value": 3}}]}"#,
    ),
    (
        r#"not (attr.城市 contains "上海" or attr("first name") = "王") and attr.ltv != 0.1"#,
        r#"{"all": [{"not": {"any": [
            {"compare": {"field": {"attr": "城市"}, "op": "contains", "value": "上海"}},
            {"compare": {"field": {"attr": "first name"}, "op": "=", "value": "王"}}]}},
            {"compare": {"field": {"attr": "ltv"}, "op": "!=", "value": 0.1}}]}"#,
    ),
    (
        r#"consent("marketing", "wecom") = "granted" or missing(owner) or exists(grade)"#,
        r#"{"any": [{"compare": {"field": {"consent": {"purpose": "marketing", "channel": "wecom"}}, "op": "=", "value": "granted"}},
            {"missing": "owner"}, {"exists": "grade"}]}"#,
    ),
    (
        r#"has_any_tag(["hot", "汽车"]) and has_all_tags(["hot"]) and has_none_of([]) and has_tag_in_group("意向") and has_identity("phone")"#,
        r#"{"all": [{"has_any_tag": ["hot", "汽车"]}, {"has_all_tags": ["hot"]}, {"has_none_of": []},
            {"has_tag_in_group": "意向"}, {"has_identity": "phone"}]}"#,
    ),
    (
        r#"count(event = "content_view", category = "pricing", within = "7d") >= 3 and attr.signed < date("2026-03-01")"#,
        r#"{"all": [{"count": {"event": "content_view", "where": {"category": "pricing"}, "within": "7d", "op": ">=", "value": 3}},
            {"compare": {"field": {"attr": "signed"}, "op": "<", "value": {"date": "2026-03-01"}}}]}"#,
    ),
    (
        r#"attr.vip = true and score not in [-1.5, 0, 100] and attr.interests in []"#,
        r#"{"all": [{"compare": {"field": {"attr": "vip"}, "op": "=", "value": true}},
            {"compare": {"field": "score", "op": "not in", "value": [-1.5, 0, 100]}},
            {"compare": {"field": {"attr": "interests"}, "op": "in", "value": []}}]}"#,
    ),
];

#[test]
fn text_and_json_forms_give_equal_trees_and_answers() {
    let t = taxonomy();
    let facts = [lead(), TestFacts::default()];
    for (text, json) in SAME_CONDITIONS {
        let a = c(text);
        let b = Condition::from_json(json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(a, b, "{text}");
        let (ca, cb) = (a.compile(&t).unwrap(), b.compile(&t).unwrap());
        for f in &facts {
            assert_eq!(ca.evaluate(f, now()), cb.evaluate(f, now()), "{text}");
        }
    }
}

#[test]
fn both_forms_print_back_to_equal_conditions() {
    for (text, _) in SAME_CONDITIONS {
        let a = c(text);
        assert_eq!(c(&a.to_text()), a, "{text}");
        assert_eq!(Condition::from_json(&a.to_json()).unwrap(), a, "{text}");
        let via_serde: Condition =
            serde_json::from_value(serde_json::to_value(&a).unwrap()).unwrap();
        assert_eq!(via_serde, a);
    }
    assert_eq!(c(SAME_CONDITIONS[0].0).to_text(), SAME_CONDITIONS[0].0);
    assert_eq!(
        c("attr(\"城市\")  =  \"a\\\"b\\u00e9\\n\"").to_text(),
        "attr.城市 = \"a\\\"bé\\n\""
    );
    let from_toml: Condition =
        serde_json::from_value(serde_json::json!("score >= 007.50")).unwrap();
    assert_eq!(from_toml.to_text(), "score >= 7.5");
}
