//! Unit tests of merge and aliases, one per rule.

use chrono::NaiveDate;

use super::tests::{cust, day, openid, phone, unionid};
use super::*;
use crate::ErrorKind;

fn text(s: &str) -> AttributeValue {
    AttributeValue::Text(s.into())
}

fn with_attr(mut c: Customer, name: &str, value: AttributeValue, at: u32) -> Customer {
    c.set_attribute(name, value, day(at)).unwrap();
    c
}

fn merged_attr(customers: &[Customer], name: &str, strategy: MergeStrategy) -> Option<Attribute> {
    let mut policy = MergePolicy::default();
    policy.attributes.insert(name.into(), strategy);
    merge(customers, &policy)
        .unwrap()
        .customer
        .attributes
        .get(name)
        .cloned()
}
// ---- merge: survivor, ids, errors -------------------------------------------------------------

#[test]
fn the_oldest_profile_survives_and_other_ids_become_aliases() {
    let mut b = cust("b", 2, &[]);
    b.merged_ids = vec!["old2".into(), "old1".into()];
    let tie_loser = cust("c", 1, &[]);
    let m = merge(&[b, tie_loser, cust("a", 1, &[])], &MergePolicy::default()).unwrap();
    assert_eq!(m.customer.id, "a");
    assert_eq!(m.customer.created_at, day(1));
    assert_eq!(m.customer.merged_ids, ["b", "c", "old1", "old2"]);
    assert_eq!(m.absorbed, ["b", "c"]);
}

#[test]
fn merging_across_tenants_is_refused_naming_both() {
    let mut b = cust("b", 1, &[]);
    b.tenant_id = "globex".into();
    let err = merge_pair(&cust("a", 1, &[]), &b, &MergePolicy::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Validation);
    assert!(
        err.to_string().contains("\"acme\"") && err.to_string().contains("\"globex\""),
        "{err}"
    );
}

#[test]
fn bad_inputs_are_refused() {
    let policy = MergePolicy::default();
    assert_eq!(
        merge(&[], &policy).unwrap_err().kind(),
        ErrorKind::Validation
    );
    let err = merge_pair(&cust("a", 1, &[]), &cust("a", 2, &[]), &policy).unwrap_err();
    assert!(err.to_string().contains("\"a\" is given twice"), "{err}");
    let mut m = cust("m", 1, &[]);
    m.merged_ids = vec!["a".into()];
    let err = merge_pair(&cust("a", 1, &[]), &m, &policy).unwrap_err();
    assert!(
        err.to_string()
            .contains("\"a\" was already merged into \"m\""),
        "{err}"
    );
    let policy = MergePolicy {
        stage_order: vec!["lead".into(), "mql".into(), "lead".into()],
        ..MergePolicy::default()
    };
    let err = merge(&[cust("a", 1, &[])], &policy).unwrap_err();
    assert_eq!(err.problems()[0].path, "stage_order[2]");
}

// ---- merge: attribute strategies --------------------------------------------------------------

#[test]
fn newest_non_empty_skips_blank_values_and_breaks_ties_by_value() {
    let a = with_attr(cust("a", 1, &[]), "city", text("上海"), 1);
    let b = with_attr(cust("b", 2, &[]), "city", text("  "), 9);
    let got = merged_attr(
        &[a.clone(), b.clone()],
        "city",
        MergeStrategy::NewestNonEmpty,
    )
    .unwrap();
    assert_eq!((got.value, got.updated_at), (text("上海"), day(1)));
    let c = with_attr(cust("c", 3, &[]), "city", text("北京"), 1);
    let got = merged_attr(&[a, c], "city", MergeStrategy::NewestNonEmpty).unwrap();
    assert_eq!(
        got.value,
        text("北京"),
        "same time: the greater value (U+5317 > U+4E0A)"
    );
    let only_blank = merged_attr(&[b], "city", MergeStrategy::NewestNonEmpty).unwrap();
    assert_eq!(only_blank.value, text("  "));
}

#[test]
fn newest_takes_the_last_write_even_a_clear_and_oldest_the_first_known_value() {
    let cs = [
        with_attr(cust("a", 1, &[]), "src", text(""), 1),
        with_attr(cust("b", 2, &[]), "src", text("wecom"), 2),
        with_attr(cust("c", 3, &[]), "src", text("douyin"), 3),
        with_attr(cust("d", 4, &[]), "src", text(""), 4),
    ];
    assert_eq!(
        merged_attr(&cs, "src", MergeStrategy::Newest)
            .unwrap()
            .value,
        text("")
    );
    assert_eq!(
        merged_attr(&cs, "src", MergeStrategy::Oldest)
            .unwrap()
            .value,
        text("wecom")
    );
}

#[test]
fn keep_target_keeps_the_oldest_profiles_value_or_nothing() {
    let target = with_attr(cust("a", 1, &[]), "level", text(""), 1);
    let other = with_attr(cust("b", 2, &[]), "level", text("vip"), 5);
    assert_eq!(
        merged_attr(&[other.clone(), target], "level", MergeStrategy::KeepTarget)
            .unwrap()
            .value,
        text("")
    );
    assert_eq!(
        merged_attr(
            &[other, cust("a", 1, &[])],
            "level",
            MergeStrategy::KeepTarget
        ),
        None
    );
}

#[test]
fn sum_adds_numbers_and_falls_back_without_any() {
    let cs = [
        with_attr(cust("a", 1, &[]), "orders", AttributeValue::Number(2.0), 3),
        with_attr(cust("b", 2, &[]), "orders", AttributeValue::Number(5.0), 1),
        with_attr(cust("c", 3, &[]), "orders", text("n/a"), 9),
    ];
    let got = merged_attr(&cs, "orders", MergeStrategy::Sum).unwrap();
    assert_eq!(
        (got.value, got.updated_at),
        (AttributeValue::Number(7.0), day(3))
    );
    assert_eq!(
        merged_attr(&cs[2..], "orders", MergeStrategy::Sum)
            .unwrap()
            .value,
        text("n/a")
    );
    let huge = [
        with_attr(cust("a", 1, &[]), "x", AttributeValue::Number(f64::MAX), 1),
        with_attr(cust("b", 2, &[]), "x", AttributeValue::Number(f64::MAX), 1),
    ];
    let mut policy = MergePolicy::default();
    policy.attributes.insert("x".into(), MergeStrategy::Sum);
    let err = merge(&huge, &policy).unwrap_err();
    assert_eq!(err.problems()[0].path, "attributes.x");
}

#[test]
fn max_takes_the_greatest_non_empty_value() {
    let date = |d| AttributeValue::Date(NaiveDate::from_ymd_opt(2026, 1, d).unwrap());
    let cs = [
        with_attr(cust("a", 1, &[]), "spend", AttributeValue::Number(-3.5), 9),
        with_attr(cust("b", 2, &[]), "spend", AttributeValue::Number(12.0), 1),
    ];
    assert_eq!(
        merged_attr(&cs, "spend", MergeStrategy::Max).unwrap().value,
        AttributeValue::Number(12.0)
    );
    let cs = [
        with_attr(cust("a", 1, &[]), "seen", date(3), 1),
        with_attr(cust("b", 2, &[]), "seen", date(20), 1),
    ];
    assert_eq!(
        merged_attr(&cs, "seen", MergeStrategy::Max).unwrap().value,
        date(20)
    );
    let cs = [
        with_attr(cust("a", 1, &[]), "t", text("b"), 1),
        with_attr(cust("b", 2, &[]), "t", text(""), 1),
    ];
    assert_eq!(
        merged_attr(&cs, "t", MergeStrategy::Max).unwrap().value,
        text("b")
    );
}

#[test]
fn union_merges_lists_into_a_sorted_set() {
    let list =
        |items: &[&str]| AttributeValue::List(items.iter().map(|s| (*s).to_owned()).collect());
    let cs = [
        with_attr(cust("a", 1, &[]), "likes", list(&["tea", "golf"]), 1),
        with_attr(cust("b", 2, &[]), "likes", list(&["golf", "art"]), 4),
        with_attr(cust("c", 3, &[]), "likes", text("ignored"), 9),
    ];
    let got = merged_attr(&cs, "likes", MergeStrategy::Union).unwrap();
    assert_eq!(
        (got.value, got.updated_at),
        (list(&["art", "golf", "tea"]), day(4))
    );
    assert_eq!(
        merged_attr(&cs[2..], "likes", MergeStrategy::Union)
            .unwrap()
            .value,
        text("ignored")
    );
}

#[test]
fn the_default_strategy_applies_to_unnamed_attributes() {
    let cs = [
        with_attr(cust("a", 1, &[]), "n", AttributeValue::Number(1.0), 1),
        with_attr(cust("b", 2, &[]), "n", AttributeValue::Number(2.0), 2),
    ];
    let policy = MergePolicy {
        default: MergeStrategy::Sum,
        ..MergePolicy::default()
    };
    assert_eq!(
        merge(&cs, &policy).unwrap().customer.attributes["n"].value,
        AttributeValue::Number(3.0)
    );
    assert_eq!(
        merge(&cs, &MergePolicy::default())
            .unwrap()
            .customer
            .attributes["n"]
            .value,
        AttributeValue::Number(2.0)
    );
}

// ---- merge: other fields ----------------------------------------------------------------------

#[test]
fn identities_tags_touches_and_followers_are_unioned() {
    let tag = |rule: Provenance, d| AppliedTag {
        tag_id: "hot".into(),
        applied_at: day(d),
        provenance: rule,
        expires_at: None,
    };
    let touch = |d| Touch {
        at: day(d),
        platform: crate::Platform::Wecom,
        channel_id: None,
        campaign: None,
        channel_code: None,
    };
    let follower = |e: &str, d| Follower {
        employee_id: e.into(),
        since: day(d),
    };
    let mut a = cust("a", 1, &[phone(1), openid("o1")]);
    a.tags = vec![
        tag(Provenance::Manual, 2),
        tag(Provenance::Rule("r1".into()), 1),
    ];
    a.touches = vec![touch(3)];
    a.followers = vec![follower("e1", 5), follower("e2", 1)];
    let mut b = cust("b", 2, &[phone(1), unionid("u1")]);
    b.tags = vec![
        tag(Provenance::Manual, 2),
        tag(Provenance::Rule("r2".into()), 1),
    ];
    b.touches = vec![touch(1), touch(3)];
    b.followers = vec![follower("e1", 2)];
    let m = merge_pair(&b, &a, &MergePolicy::default())
        .unwrap()
        .customer;
    assert_eq!(m.identities.len(), 3);
    assert!(m.identities.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        m.tags.len(),
        3,
        "every distinct provenance kept, duplicates once"
    );
    assert_eq!(m.touches, [touch(1), touch(3)]);
    assert_eq!(m.followers, [follower("e1", 2), follower("e2", 1)]);
}

#[test]
fn the_most_recent_consent_per_purpose_wins_and_a_tie_keeps_the_refusal() {
    let rec = |status, d, source| ConsentRecord {
        purpose: "marketing".into(),
        channel: "*".into(),
        status,
        at: day(d),
        source,
    };
    let mut a = cust("a", 1, &[]);
    a.consents
        .record(rec(ConsentStatus::Granted, 1, ConsentSource::Customer));
    let mut b = cust("b", 2, &[]);
    b.consents
        .record(rec(ConsentStatus::Withdrawn, 3, ConsentSource::Customer));
    let m = merge_pair(&a, &b, &MergePolicy::default())
        .unwrap()
        .customer;
    assert_eq!(m.consents.records().len(), 2);
    assert_eq!(
        m.consents.status("marketing", "sms"),
        Some(ConsentStatus::Withdrawn)
    );

    let mut c = cust("c", 3, &[]);
    c.consents
        .record(rec(ConsentStatus::Granted, 3, ConsentSource::Customer));
    for pair in [[&b, &c], [&c, &b]] {
        let m = merge_pair(pair[0], pair[1], &MergePolicy::default())
            .unwrap()
            .customer;
        assert_eq!(
            m.consents.status("marketing", "sms"),
            Some(ConsentStatus::Withdrawn)
        );
    }
}

#[test]
fn the_further_stage_wins_and_unknown_stages_rank_lowest() {
    let policy = MergePolicy {
        stage_order: vec!["lead".into(), "mql".into(), "customer".into()],
        ..MergePolicy::default()
    };
    let staged = |id: &str, stage: Option<&str>| {
        let mut c = cust(id, 1, &[]);
        c.stage = stage.map(str::to_owned);
        c
    };
    let stage = |cs: &[Customer]| merge(cs, &policy).unwrap().customer.stage;
    assert_eq!(
        stage(&[staged("a", Some("customer")), staged("b", Some("mql"))]).as_deref(),
        Some("customer")
    );
    assert_eq!(
        stage(&[staged("a", Some("weird")), staged("b", Some("lead"))]).as_deref(),
        Some("lead")
    );
    assert_eq!(
        stage(&[
            staged("a", Some("x")),
            staged("b", Some("y")),
            staged("c", None)
        ])
        .as_deref(),
        Some("y")
    );
    assert_eq!(stage(&[staged("a", None)]), None);
}

#[test]
fn owner_and_account_are_the_targets_else_the_next_in_survivor_order() {
    let owned = |id: &str, created, owner: Option<&str>| {
        let mut c = cust(id, created, &[]);
        c.owner = owner.map(str::to_owned);
        c.account_id = owner.map(|o| format!("acct-{o}"));
        c
    };
    let m = merge(
        &[
            owned("c", 3, Some("e3")),
            owned("a", 1, Some("e1")),
            owned("b", 2, Some("e2")),
        ],
        &MergePolicy::default(),
    );
    assert_eq!(m.unwrap().customer.owner.as_deref(), Some("e1"));
    let m = merge(
        &[
            owned("c", 3, Some("e3")),
            owned("a", 1, None),
            owned("b", 2, Some("e2")),
        ],
        &MergePolicy::default(),
    )
    .unwrap();
    assert_eq!(m.customer.owner.as_deref(), Some("e2"));
    assert_eq!(m.customer.account_id.as_deref(), Some("acct-e2"));
}

#[test]
fn owner_is_the_longest_held_however_merges_are_grouped() {
    let owned = |id: &str, created, owner: Option<&str>| {
        let mut c = cust(id, created, &[]);
        c.owner = owner.map(str::to_owned);
        c
    };
    let (b, a, c) = (
        owned("b", 1, None),
        owned("a", 2, Some("ea")),
        owned("c", 3, Some("ec")),
    );
    let policy = MergePolicy::default();
    let flat = merge(&[a.clone(), b.clone(), c.clone()], &policy)
        .unwrap()
        .customer;
    let nested = merge_pair(&a, &merge_pair(&b, &c, &policy).unwrap().customer, &policy)
        .unwrap()
        .customer;
    assert_eq!(flat.owner.as_deref(), Some("ea"));
    assert_eq!(flat, nested);
    assert_eq!(flat.owner_since, Some(a.created_at));
}

// ---- aliases and policy -----------------------------------------------------------------------

#[test]
fn aliases_follow_chains_and_refuse_mixed_tenants() {
    let mut stale = cust("b", 2, &[]);
    stale.merged_ids = vec!["x".into()];
    let mut live = cust("a", 1, &[]);
    live.merged_ids = vec!["b".into(), "x".into()];
    let aliases = Aliases::from_customers([&stale, &live]).unwrap();
    assert_eq!(aliases.tenant_id(), Some("acme"));
    assert_eq!(aliases.len(), 2);
    assert_eq!(aliases.resolve_id("x"), "a");
    assert_eq!(aliases.resolve_id("b"), "a");
    assert_eq!(aliases.resolve_id("a"), "a");

    let mut cycle = cust("x", 1, &[]);
    cycle.merged_ids = vec!["a".into()];
    let cyclic = Aliases::from_customers([&live, &cycle]).unwrap();
    assert!(
        ["a", "x"].contains(&cyclic.resolve_id("a")),
        "a cycle ends, it does not hang"
    );

    let mut other = cust("z", 1, &[]);
    other.tenant_id = "globex".into();
    assert_eq!(
        Aliases::from_customers([&live, &other]).unwrap_err().kind(),
        ErrorKind::Validation
    );
}

#[test]
fn merge_policy_reads_json_and_refuses_unknown_fields() {
    let policy: MergePolicy = serde_json::from_str(
        r#"{"attributes": {"orders": "sum", "likes": "union"}, "stage_order": ["lead"]}"#,
    )
    .unwrap();
    assert_eq!(policy.strategy("orders"), MergeStrategy::Sum);
    assert_eq!(policy.strategy("city"), MergeStrategy::NewestNonEmpty);
    let back: MergePolicy = serde_json::from_str(&serde_json::to_string(&policy).unwrap()).unwrap();
    assert_eq!(back, policy);
    assert!(serde_json::from_str::<MergePolicy>(r#"{"strategies": {}}"#).is_err());
    assert!(serde_json::from_str::<MergePolicy>(r#"{"default": "average"}"#).is_err());
    let schema = serde_json::to_string(&schemars::schema_for!(MergePolicy)).unwrap();
    assert!(schema.contains("newest_non_empty") && schema.contains("keep_target"));
}

#[test]
fn merging_one_profile_normalises_it() {
    let mut a = cust("a", 1, &[phone(2), phone(1), phone(1)]);
    a.touches = vec![];
    let m = merge(std::slice::from_ref(&a), &MergePolicy::default()).unwrap();
    assert_eq!(m.customer.identities, [phone(1), phone(2)]);
    assert!(m.absorbed.is_empty() && m.customer.merged_ids.is_empty());
}
