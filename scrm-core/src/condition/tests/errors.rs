//! Error messages: located, explained, every problem at once.

use super::*;

// ---- errors ------------------------------------------------------------------------------------

#[test]
fn parse_errors_locate_and_explain() {
    assert_eq!(
        parse_error("score >= 60 and (]"),
        (
            ErrorKind::Parse,
            "line 1, column 18: expected a condition, found `]`\n  score >= 60 and (]\n                   ^"
                .to_owned()
        )
    );
    assert_eq!(
        parse_error("score >= 60\n  and stage = \"sql\" )"),
        (
            ErrorKind::Parse,
            "line 2, column 21: expected one of `and`, `or`, end of input, found `)`\n    and stage = \"sql\" )\n                      ^"
                .to_owned()
        )
    );
    assert_eq!(
        first_line("has_tag(\"高意向\" ) and score 60"),
        "line 1, column 27: expected one of `!=`, `<`, `<=`, `=`, `>`, `>=`, `contains`, `in`, `not in`, found `60`"
    );
    assert_eq!(
        first_line("has_tag(1)"),
        "line 1, column 9: expected a string, found `1` (usage: has_tag(\"tag\"))"
    );
    assert_eq!(
        first_line("has_tag(\"a\", \"b\")"),
        "line 1, column 12: expected `)`, found `,` (usage: has_tag(\"tag\"))"
    );
    assert_eq!(
        first_line("has_tags(\"a\")"),
        "line 1, column 1: unknown function `has_tags`; functions are `has_tag`, `has_any_tag`, `has_all_tags`, `has_none_of`, `has_tag_in_group`, `has_identity`, `missing`, `exists`, `count`"
    );
    assert!(first_line("scor >= 1").starts_with(
        "line 1, column 1: unknown name `scor`: a condition starts with a field (`score`"
    ));
    assert!(
        first_line("missing(scor)")
            .starts_with("line 1, column 9: unknown field `scor`; fields are `score`")
    );
    assert_eq!(
        first_line("stage = \"sql"),
        "line 1, column 9: unterminated string: add the closing `\"`"
    );
    assert_eq!(
        first_line("a && b"),
        "line 1, column 1: unknown name `a`: a condition starts with a field (`score`, `stage`, `owner`, `grade`, `attr.<name>`, `attr(\"<name>\")` and `consent(\"<purpose>\", \"<channel>\")`), a function (`has_tag`, `has_any_tag`, `has_all_tags`, `has_none_of`, `has_tag_in_group`, `has_identity`, `missing`, `exists`, `count`), `not`, `(`, `true` or `false`"
    );
    assert_eq!(
        first_line("score > 1 && true"),
        "line 1, column 11: unexpected character `&`; write `and`"
    );
    assert_eq!(
        first_line(""),
        "line 1, column 1: expected a condition, found end of input"
    );
    assert_eq!(
        first_line("count(event = \"v\", within = \"7x\") > 1"),
        "line 1, column 29: invalid window \"7x\": write a whole number from 1 to 100000 and a unit (m, h, d or w), such as \"30m\", \"12h\", \"7d\" or \"4w\""
    );
    assert_eq!(
        first_line("count(within = \"7d\") > 1"),
        "line 1, column 1: `count(...)` needs `event = \"name\"`; its other arguments are `within` and event properties (named arguments: event, within)"
    );
    assert_eq!(
        first_line("count(event = \"v\") > 1.5"),
        "line 1, column 22: `count(...)` is compared with a whole number of 0 or more, found 1.5"
    );
    assert_eq!(
        first_line("count(event = \"v\", a = 1, a = 2) > 1"),
        "line 1, column 27: `a` is given twice in `count(...)`"
    );
    assert_eq!(
        first_line("attr.d = date(\"2026-02-30\")"),
        "line 1, column 10: invalid date \"2026-02-30\": write a calendar date as \"YYYY-MM-DD\""
    );
    assert_eq!(
        first_line("score = 1234567890.123456"),
        "line 1, column 9: the number 1234567890.123456 has more than 15 significant digits"
    );
    assert_eq!(
        first_line("has_tag(\"  \")"),
        "line 1, column 9: the tag must not be blank"
    );
    let err = Condition::parse_at("score >", "lifecycle.stages[2].guard").unwrap_err();
    assert_eq!(err.problems()[0].path, "lifecycle.stages[2].guard");
}

#[test]
fn json_errors_are_all_reported_at_their_paths() {
    let err = Condition::from_json(
        r#"{"all": [{"has_tags": "x"}, {"compare": {"field": "scor", "op": "~", "value": 1}},
                    {"compare": {"field": "score", "op": ">=", "value": "60"}}, {"not": 5},
                    {"count": {"event": "v", "op": ">", "value": 1, "extra": 1}}, {}]}"#,
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    let lines: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "all[0]: unknown condition \"has_tags\", expected one of: all, any, not, compare, missing, exists, has_tag, has_any_tag, has_all_tags, has_none_of, has_tag_in_group, has_identity, count",
            "all[1].compare.field: unknown field \"scor\", expected \"score\", \"stage\", \"owner\", \"grade\", {\"attr\": \"<name>\"} or {\"consent\": {\"purpose\": ..., \"channel\": ...}}",
            "all[1].compare.op: unknown operator \"~\", expected one of: =, !=, <, <=, >, >=, in, not in, contains",
            "all[2].compare.value: `score` is a number; it cannot be compared with text",
            "all[3].not: expected a condition object such as {\"has_tag\": \"x\"}, found 5",
            "all[4].count.extra: unknown key \"extra\", expected one of: event, op, value, where, within",
            "all[5]: a condition object has exactly one key, one of: all, any, not, compare, missing, exists, has_tag, has_any_tag, has_all_tags, has_none_of, has_tag_in_group, has_identity, count; found none",
        ]
    );
    let err = Condition::from_json("{\"all\": [").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Parse);
    let value = serde_json::json!({"has_tag": 1});
    let err = Condition::from_json_value_at(&value, "segments[0].rule").unwrap_err();
    assert_eq!(
        err.to_string(),
        "validation: segments[0].rule.has_tag: expected the tag as a string, found 1"
    );
}

#[test]
fn compile_names_every_unknown_or_ambiguous_reference() {
    let err =
        c("has_tag(\"hto\") or has_any_tag([\"VIP\", \"hto\"]) or has_tag_in_group(\"兴趣\")")
            .compile_at(&taxonomy(), "segments[3].condition")
            .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    let lines: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "segments[3].condition: unknown tag \"hto\": no tag has this id or name",
            "segments[3].condition: the tag name \"VIP\" is ambiguous: it names \"vip_a\" (group \"意向\"), \"vip_b\" (group \"行业\"); use the tag id",
            "segments[3].condition: unknown tag group \"兴趣\" in has_tag_in_group: no group has this id or name",
        ]
    );
    let compiled = c("has_tag(\"vip_b\")").compile(&taxonomy()).unwrap();
    assert_eq!(compiled.condition(), &c("has_tag(\"vip_b\")"));
}
