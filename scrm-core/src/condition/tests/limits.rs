//! Depth, length and list limits: errors, never stack overflows.

use super::*;

// ---- limits ------------------------------------------------------------------------------------

/// Runs `work` on a thread with a 64 KiB stack (a 32nd of Rust's default), as hostile input might
/// meet in a host runtime. Tests run as debug builds, whose frames are the largest.
fn on_small_stack<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    on_stack(64, work)
}

fn on_stack<T: Send + 'static>(kib: usize, work: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(kib * 1024)
        .spawn(work)
        .unwrap()
        .join()
        .unwrap()
}

#[test]
fn hostile_nesting_is_an_error_not_a_stack_overflow() {
    on_small_stack(|| {
        let deep = format!("{}true{}", "(".repeat(100_000), ")".repeat(100_000));
        let err = Condition::parse(&deep[..MAX_CONDITION_BYTES]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Parse);
        assert!(
            err.problems()[0]
                .message
                .starts_with("line 1, column 33: too deeply nested")
        );
        let err = Condition::parse(&deep).unwrap_err();
        assert!(err.problems()[0].message.contains("the limit is 65536"));
        let nots = format!("{}true", "not ".repeat(16_000));
        assert_eq!(
            Condition::parse(&nots).unwrap_err().kind(),
            ErrorKind::Parse
        );
        let json = format!(
            "{}{{\"all\": []}}{}",
            "{\"not\": ".repeat(100_000),
            "}".repeat(100_000)
        );
        assert_eq!(
            Condition::from_json(&json).unwrap_err().kind(),
            ErrorKind::Parse
        );
    });
    on_stack(256, || {
        let json = format!(
            "{}{{\"all\": []}}{}",
            "{\"not\": ".repeat(40),
            "}".repeat(40)
        );
        let err = Condition::from_json(&json).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Validation);
        assert!(err.problems()[0].message.contains("at most 32 levels"));
    });
}

/// `levels` of parentheses alternating `or` and `and`: a tree exactly `levels` deep.
fn nested(levels: usize) -> String {
    let mut text = "has_tag(\"hot\")".to_owned();
    for i in 0..levels {
        text = if i % 2 == 0 {
            format!("(score > {i} or {text})")
        } else {
            format!("(score > {i} and {text})")
        };
    }
    text
}

#[test]
fn the_deepest_condition_allowed_works_on_a_small_stack() {
    // Reading text never recurses; the tree walks (printing, JSON, compiling, evaluating) and
    // serde_json recurse once per level, bounded by the depth limit.
    on_stack(256, || {
        let deepest = c(&nested(MAX_CONDITION_DEPTH));
        assert_eq!(c(&deepest.to_text()), deepest);
        assert_eq!(Condition::from_json(&deepest.to_json()).unwrap(), deepest);
        let compiled = deepest.compile(&taxonomy()).unwrap();
        assert!(compiled.evaluate(&lead(), now()));
        assert!(!compiled.evaluate(&TestFacts::default(), now()));
    });
}

#[test]
fn nesting_up_to_the_limit_is_fine() {
    let nots = format!("{}true", "not ".repeat(MAX_CONDITION_DEPTH));
    assert_eq!(c(&c(&nots).to_text()), c(&nots));
    let (kind, message) = parse_error(&nested(MAX_CONDITION_DEPTH + 1));
    assert_eq!(kind, ErrorKind::Parse);
    assert!(message.contains("too deeply nested"), "{message}");
    // Without parentheses the tree can still be too deep: or / and alternate inside 17 parens.
    let mut text = "true".to_owned();
    for _ in 0..17 {
        text = format!("(has_tag(\"a\") or has_tag(\"b\") and {text})");
    }
    let (_, message) = parse_error(&text);
    assert!(message.contains("levels deep"), "{message}");
}

#[test]
fn long_texts_and_lists_are_refused() {
    let items = vec!["1"; MAX_CONDITION_LIST_ITEMS];
    let ok = format!("score in [{}]", items.join(","));
    assert!(Condition::parse(&ok).is_ok());
    let too_many = format!("score in [{},1]", items.join(","));
    let (kind, message) = parse_error(&too_many);
    assert_eq!(kind, ErrorKind::Validation);
    assert!(message.contains("at most 10000 items"));
    let long = format!("stage = \"{}\"", "x".repeat(MAX_CONDITION_BYTES));
    assert_eq!(
        parse_error(&long).1,
        format!(
            "the condition is {} bytes long; the limit is 65536",
            long.len()
        )
    );
    let json = serde_json::json!({"has_tag": "x".repeat(MAX_CONDITION_BYTES)});
    let err = Condition::from_json_value(&json).unwrap_err();
    assert!(
        err.problems()[0]
            .message
            .starts_with("the condition's text form would be")
    );
}
