//! What each operator, function and structure means.

use super::*;

// ---- operators and the null table --------------------------------------------------------------

#[test]
fn comparisons_on_every_kind() {
    let f = lead();
    for (text, expected) in [
        ("score >= 60", true),
        ("score > 72.5", false),
        ("score <= 72.50", true),
        ("score < 72.6", true),
        ("score = 72.5", true),
        ("score != 72.5", false),
        ("score in [1, 72.5]", true),
        ("score not in [1, 72.5]", false),
        ("stage = \"mql\"", true),
        ("stage in [\"mql\", \"sql\"]", true),
        ("stage not in [\"sql\"]", true),
        ("owner contains \"emp\"", true),
        ("grade = \"B\"", true),
        ("attr.城市 contains \"上海\"", true),
        ("attr(\"城市\") = \"上海市\"", true),
        ("attr.ltv = 0.1", true),
        ("attr.ltv > 0.09999999999999", true),
        ("attr.vip = true", true),
        ("attr.vip != false", true),
        ("attr.signed >= date(\"2026-02-01\")", true),
        ("attr.signed < date(\"2026-02-01\")", false),
        ("attr.signed in [date(\"2026-02-01\")]", true),
        ("attr.interests contains \"golf\"", true),
        ("attr.interests contains \"gol\"", false),
        ("attr.interests in [\"wine\", \"tea\"]", true),
        ("attr.interests not in [\"tea\"]", true),
    ] {
        assert_eq!(eval(text, &f), expected, "{text}");
    }
}

#[test]
fn absent_values_follow_the_null_table() {
    let f = TestFacts::default();
    for (text, expected) in [
        ("score = 1", false),
        ("score < 1", false),
        ("score <= 1", false),
        ("score > 1", false),
        ("score >= 1", false),
        ("score in [1]", false),
        ("score != 1", true),
        ("score not in [1]", true),
        ("stage contains \"m\"", false),
        ("attr.x = \"a\"", false),
        ("attr.x != \"a\"", true),
        ("missing(score)", true),
        ("exists(score)", false),
        ("missing(attr.x)", true),
        ("has_none_of([\"hot\", \"cold\"])", true),
        ("has_any_tag([\"hot\"])", false),
        ("consent(\"marketing\", \"wecom\") = \"granted\"", false),
        ("consent(\"marketing\", \"wecom\") != \"granted\"", true),
        ("missing(consent(\"marketing\", \"wecom\"))", true),
        ("not score >= 60", true),
    ] {
        assert_eq!(eval(text, &f), expected, "{text}");
    }
}

#[test]
fn empty_text_and_lists_count_as_absent() {
    let mut f = lead();
    f.attrs.insert("tags".into(), Attr::List(Vec::new()));
    assert!(eval("missing(attr.nickname)", &f));
    assert!(!eval("attr.nickname = \"\"", &f));
    assert!(eval("missing(attr.tags)", &f));
    assert!(eval("exists(attr.城市)", &f));
}

#[test]
fn a_kind_mismatch_is_false_for_positive_tests_and_true_for_negative_ones() {
    let f = lead();
    for (text, expected) in [
        ("attr.城市 = 1", false),
        ("attr.城市 > 1", false),
        ("attr.城市 in [1, true]", false),
        ("attr.城市 != 1", true),
        ("attr.城市 not in [1]", true),
        ("attr.ltv = \"0.1\"", false),
        ("attr.ltv contains \"0\"", false),
        ("attr.vip < date(\"2026-01-01\")", false),
        ("attr.signed > 3", false),
    ] {
        assert_eq!(eval(text, &f), expected, "{text}");
    }
}

#[test]
fn known_fields_refuse_values_of_the_wrong_kind() {
    for (text, message) in [
        (
            "score = \"60\"",
            "`score` is a number; it cannot be compared with text",
        ),
        (
            "stage > 3",
            "`stage` is text; it cannot be compared with a number",
        ),
        (
            "stage > \"mql\"",
            "`stage` is text; `>` compares numbers or dates",
        ),
        (
            "score contains 6",
            "`score` is a number; `contains` looks for text in text or in a list",
        ),
        (
            "attr.x > \"a\"",
            "`>` compares numbers or dates, found text",
        ),
        (
            "attr.x contains 1",
            "`contains` looks for text in text or in a list, found a number",
        ),
        (
            "consent(\"m\", \"w\") = \"yes\"",
            "consent(\"m\", \"w\") is one of \"granted\", \"denied\", \"withdrawn\"; compare it with `=`, `!=`, `in` or `not in` and one of those names",
        ),
    ] {
        let (kind, full) = parse_error(text);
        assert_eq!(kind, ErrorKind::Validation, "{text}");
        let line = full.lines().next().unwrap();
        assert!(line.ends_with(message), "{text}: {line}");
    }
}

#[test]
fn tags_groups_identities_and_consent() {
    let f = lead();
    for (text, expected) in [
        ("has_tag(\"hot\")", true),
        ("has_tag(\"高意向\")", true),
        ("has_tag(\" 高意向 \")", true),
        ("has_tag(\"ｂ２ｂ　 大客户\")", true),
        ("has_tag_in_group(\" 行业 \")", true),
        ("has_tag(\"低意向\")", false),
        ("has_any_tag([\"cold\", \"汽车\"])", true),
        ("has_all_tags([\"hot\", \"汽车\"])", true),
        ("has_all_tags([\"hot\", \"edu\"])", false),
        ("has_none_of([\"cold\", \"edu\"])", true),
        ("has_none_of([\"cold\", \"auto\"])", false),
        ("has_tag_in_group(\"意向\")", true),
        ("has_tag_in_group(\"industry\")", true),
        ("has_tag_in_group(\"empty\")", false),
        ("has_identity(\"phone\")", true),
        ("has_identity(\"email\")", false),
        ("consent(\"marketing\", \"wecom\") = \"granted\"", true),
        (
            "consent(\"marketing\", \"wecom\") in [\"denied\", \"withdrawn\"]",
            false,
        ),
        ("consent(\"marketing\", \"sms\") = \"granted\"", false),
    ] {
        assert_eq!(eval(text, &f), expected, "{text}");
    }
}

#[test]
fn event_counts_use_the_window_and_property_filters() {
    let f = lead();
    for (text, expected) in [
        ("count(event = \"content_view\") = 5", true),
        ("count(event = \"content_view\", within = \"7d\") = 4", true),
        ("count(event = \"content_view\", within = \"1w\") = 4", true),
        (
            "count(event = \"content_view\", within = \"36h\") = 1",
            true,
        ),
        (
            "count(event = \"content_view\", category = \"pricing\", within = \"7d\") >= 3",
            true,
        ),
        (
            "count(within = \"7d\", category = \"pricing\", event = \"content_view\") > 3",
            false,
        ),
        (
            "count(event = \"content_view\", category = \"other\") = 0",
            true,
        ),
        ("count(event = \"share\") != 0", false),
    ] {
        assert_eq!(eval(text, &f), expected, "{text}");
    }
    let two = c("count(event = \"a\") > 1 or count(event = \"b\") > 1");
    let filters: Vec<&str> = two.event_filters().map(EventFilter::event).collect();
    assert_eq!(filters, ["a", "b"]);
}

// ---- structure ---------------------------------------------------------------------------------

#[test]
fn precedence_is_not_then_and_then_or() {
    let a = "has_tag(\"a\")";
    let b = "has_tag(\"b\")";
    let d = "has_tag(\"d\")";
    assert_eq!(
        c(&format!("{a} or {b} and {d}")),
        c(&format!("{a} or ({b} and {d})"))
    );
    assert_ne!(
        c(&format!("{a} or {b} and {d}")),
        c(&format!("({a} or {b}) and {d}"))
    );
    assert_eq!(
        c(&format!("not {a} and {b}")),
        c(&format!("(not {a}) and {b}"))
    );
    assert_eq!(
        c(&format!("{a} and ({b} and {d})")),
        c(&format!("{a} and {b} and {d}"))
    );
    assert_eq!(c(&format!("(({a}))")), c(a));
    assert_eq!(
        c(&format!("({a} or {b}) and not ({b} or {d})")).to_text(),
        format!("({a} or {b}) and not ({b} or {d})")
    );
    let f = TestFacts::default();
    assert!(eval("true or false and false", &f));
    assert!(!eval("(true or false) and false", &f));
    assert!(!eval("not true and false", &f));
}

#[test]
fn empty_and_is_true_and_empty_or_is_false() {
    let f = TestFacts::default();
    let all = Condition::from_json(r#"{"all": []}"#).unwrap();
    let any = Condition::from_json(r#"{"any": []}"#).unwrap();
    let t = taxonomy();
    assert!(all.compile(&t).unwrap().evaluate(&f, now()));
    assert!(!any.compile(&t).unwrap().evaluate(&f, now()));
    assert_eq!(all, c("true"));
    assert_eq!(any, c("false"));
    assert_eq!(all.to_text(), "true");
    assert_eq!(c("false").to_json(), r#"{"any":[]}"#);
    // A one-element group is its element, so both forms agree on it.
    assert_eq!(
        Condition::from_json(r#"{"all": [{"has_tag": "x"}]}"#).unwrap(),
        c("has_tag(\"x\")")
    );
}

// ---- segments ----------------------------------------------------------------------------------

#[test]
fn segment_exclude_beats_include_beats_condition() {
    let hot = c("has_tag(\"高意向\")").compile(&taxonomy()).unwrap();
    let segment = Segment::new(hot)
        .include(["in", "both"])
        .exclude(["out", "both"]);
    let (yes, no) = (lead(), TestFacts::default());
    assert!(segment.contains("any", &yes, now()));
    assert!(!segment.contains("any", &no, now()));
    assert!(segment.contains("in", &no, now()));
    assert!(!segment.contains("out", &yes, now()));
    assert!(!segment.contains("both", &yes, now()));
    assert_eq!(segment.included().len(), 2);
}
