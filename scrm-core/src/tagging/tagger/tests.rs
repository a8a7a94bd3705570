use super::*;
use crate::customer::Customer;

const PLAYBOOK: &str = r#"
schema_version = 1
tenant_id = "t"
timezone = "Asia/Shanghai"

[[taxonomy.groups]]
id = "intent"
name = "意向"
exclusive = true
tags = [{ id = "intent_high", name = "高意向" }, { id = "intent_low", name = "低意向" }]

[[taxonomy.groups]]
id = "source"
name = "来源"
tags = [{ id = "src_store", name = "门店扫码" }, { id = "src_live", name = "直播" }, { id = "vip", name = "ＶＩＰ" }]

[[tagging.rules]]
kind = "channel_code"
id = "store_qr"
codes = ["store-sh-01", "store-sh-02"]
tags = ["门店扫码"]

[[tagging.rules]]
kind = "keyword"
id = "kw_price"
keywords = ["多少钱", "价格", "Price"]
tags = ["intent_high"]

[[tagging.rules]]
kind = "keyword"
id = "kw_no"
keywords = ["不需要"]
tags = ["低意向"]

[[tagging.rules]]
kind = "behaviour"
id = "pricing_views"
event = "content_view"
properties = { category = "pricing" }
min_count = 3
within = "7d"
tags = ["vip"]
ttl = "30d"

[[tagging.rules]]
kind = "condition"
id = "hot_live_lead"
condition = 'has_tag("直播") and has_tag("高意向") and count(event = "message", within = "1d") >= 2'
tags = ["vip"]
"#;

fn tagger() -> Tagger {
    Tagger::new(&Playbook::from_toml(PLAYBOOK).unwrap()).unwrap()
}

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    format!("2026-03-{day:02}T{hour:02}:00:00Z")
        .parse()
        .unwrap()
}

fn customer() -> Customer {
    Customer::new("t", "c1", at(1, 0))
}

fn message(id: &str, text: &str, when: DateTime<Utc>) -> Event {
    let mut e = Event::new("t", id, "c1", "message", when);
    e.text = Some(text.to_owned());
    e
}

fn live_tags(c: &Customer) -> Vec<&str> {
    let mut tags: Vec<&str> = c.tags.iter().map(|t| t.tag_id.as_str()).collect();
    tags.sort_unstable();
    tags
}

#[test]
fn channel_code_applies_its_tags_with_the_rule_as_provenance() {
    let (t, mut c) = (tagger(), customer());
    let mut scan = Event::new("t", "e1", "c1", "scan", at(2, 10));
    scan.channel_code = Some("store-sh-02".into());
    let changes = t.on_event(&mut c, &scan, &[]).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(
        changes[0].reason,
        r#"scanned channel code "store-sh-02" (rule store_qr)"#
    );
    assert_eq!(
        c.tags[0].provenance,
        Provenance::ChannelCode("store_qr".into())
    );
}

#[test]
fn keywords_match_chinese_and_folded_latin_text() {
    let (t, mut c) = (tagger(), customer());
    let changes = t
        .on_event(
            &mut c,
            &message("e1", "请问这个套餐ＰＲＩＣＥ是多少钱？", at(2, 10)),
            &[],
        )
        .unwrap();
    assert_eq!(
        changes.len(),
        1,
        "one rule fires once even when two of its keywords match"
    );
    assert_eq!(changes[0].tag_id, "intent_high");
    assert!(
        changes[0].reason.starts_with("said "),
        "{}",
        changes[0].reason
    );
    assert_eq!(c.tags[0].provenance, Provenance::Keyword("kw_price".into()));
}

#[test]
fn exclusive_group_replaces_the_sibling_with_a_reason() {
    let (t, mut c) = (tagger(), customer());
    t.on_event(&mut c, &message("e1", "价格多少", at(2, 10)), &[])
        .unwrap();
    let changes = t
        .on_event(&mut c, &message("e2", "不需要了谢谢", at(3, 10)), &[])
        .unwrap();
    assert_eq!(live_tags(&c), ["intent_low"]);
    assert_eq!(changes[0].action, TagAction::Removed);
    assert_eq!(
        changes[0].reason,
        "replaced by intent_low (exclusive group intent)"
    );
    assert_eq!(changes[1].action, TagAction::Added);
}

#[test]
fn reapplying_the_same_event_changes_nothing() {
    let (t, mut c) = (tagger(), customer());
    let e = message("e1", "多少钱", at(2, 10));
    t.on_event(&mut c, &e, &[]).unwrap();
    let before = c.clone();
    assert!(t.on_event(&mut c, &e, &[]).unwrap().is_empty());
    assert_eq!(c, before);
}

#[test]
fn behaviour_counts_distinct_events_in_the_window_and_sets_expiry() {
    let (t, mut c) = (tagger(), customer());
    let view = |id: &str, day: u32, category: &str| {
        let mut e = Event::new("t", id, "c1", "content_view", at(day, 9));
        e.properties
            .insert("category".into(), serde_json::json!(category));
        e
    };
    let history = vec![
        view("v1", 1, "pricing"),
        view("v2", 5, "pricing"),
        view("v3", 6, "cases"),
    ];
    // v1 is outside the 7 days ending on the 9th; v3 has another category: 2 of 3.
    assert!(
        t.on_event(&mut c, &view("v4", 9, "pricing"), &history[..])
            .unwrap()
            .is_empty()
    );
    let mut history = history;
    history.push(view("v4", 9, "pricing"));
    let changes = t
        .on_event(&mut c, &view("v5", 10, "pricing"), &history)
        .unwrap();
    assert_eq!(
        changes[0].reason,
        "content_view ×3 within 7d (rule pricing_views)"
    );
    assert_eq!(c.tags[0].expires_at, Some(at(10, 9) + TimeDelta::days(30)));
    assert_eq!(t.expire(&mut c, at(10, 9) + TimeDelta::days(30)).len(), 1);
    assert!(c.tags.is_empty());
}

#[test]
fn pre_tags_apply_when_the_identity_arrives() {
    let (t, mut c) = (tagger(), customer());
    let pre = vec![PreTag {
        identity: Identity::phone("13800138000").unwrap(),
        tag: "直播".into(),
        at: at(1, 8),
    }];
    assert!(t.apply_pre_tags(&mut c, &pre).unwrap().is_empty());
    c.add_identity(Identity::phone("+86 138 0013 8000").unwrap());
    let changes = t.apply_pre_tags(&mut c, &pre).unwrap();
    assert_eq!(changes[0].tag_id, "src_live");
    assert_eq!(c.tags[0].provenance, Provenance::PreTag);
}

#[test]
fn pre_tags_wait_for_a_unionid_too() {
    let (t, mut c) = (tagger(), customer());
    let pre = vec![PreTag {
        identity: Identity::unionid(" oUnion42 ").unwrap(),
        tag: "直播".into(),
        at: at(1, 8),
    }];
    c.add_identity(Identity::unionid("oUnion41").unwrap());
    assert!(t.apply_pre_tags(&mut c, &pre).unwrap().is_empty());
    c.add_identity(Identity::unionid("oUnion42").unwrap());
    let changes = t.apply_pre_tags(&mut c, &pre).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].tag_id, "src_live");
    // Applying them again changes nothing.
    assert!(t.apply_pre_tags(&mut c, &pre).unwrap().is_empty());
}

#[test]
fn hand_tagging_resolves_folded_names_and_refuses_unknown_tags() {
    let (t, mut c) = (tagger(), customer());
    t.tag(&mut c, "vip", Provenance::Manual, at(2, 0)).unwrap();
    t.tag(&mut c, "ＶＩＰ", Provenance::Manual, at(2, 1))
        .unwrap();
    assert_eq!(live_tags(&c), ["vip"]);
    let err = t
        .tag(&mut c, "黑名单", Provenance::Manual, at(2, 0))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"validation: tag: unknown tag "黑名单": no tag has this id or name"#
    );
    assert_eq!(t.untag(&mut c, "vip", Provenance::Manual).unwrap().len(), 1);
    assert!(
        t.untag(&mut c, "vip", Provenance::Manual)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn other_tenants_are_refused() {
    let t = tagger();
    let mut c = Customer::new("other", "c1", at(1, 0));
    assert!(t.tag(&mut c, "vip", Provenance::Manual, at(2, 0)).is_err());
    let mut c = customer();
    let mut e = message("e1", "价格", at(2, 0));
    e.tenant_id = "other".into();
    assert!(t.on_event(&mut c, &e, &[]).is_err());
}

#[test]
fn the_tag_limit_per_customer_holds() {
    let t = tagger();
    let mut c = customer();
    for i in 0..MAX_TAGS_PER_CUSTOMER {
        c.tags.push(AppliedTag {
            tag_id: format!("x{i}").into(),
            applied_at: at(1, 0),
            provenance: Provenance::Import,
            expires_at: None,
        });
    }
    let err = t
        .tag(&mut c, "vip", Provenance::Manual, at(2, 0))
        .unwrap_err();
    assert!(err.to_string().contains("3000 tags"), "{err}");
}

#[test]
fn rule_problems_are_all_reported_with_paths() {
    let text = PLAYBOOK.to_owned()
        + r#"
[[tagging.rules]]
kind = "keyword"
id = "kw_price"
keywords = []
tags = ["没有这个标签"]
ttl = "soon"
"#;
    let err = Playbook::from_toml(&text).unwrap_err();
    let paths: Vec<&str> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "tagging.rules[5].id",
            "tagging.rules[5].tags[0]",
            "tagging.rules[5].ttl",
            "tagging.rules[5].keywords"
        ]
    );
}

#[test]
fn condition_rules_fire_on_the_tags_and_events_so_far() {
    let (t, mut c) = (tagger(), customer());
    t.tag(&mut c, "直播", Provenance::Manual, at(2, 9)).unwrap();
    let first = message("e1", "价格？", at(2, 10));
    let changes = t.on_event(&mut c, &first, &[]).unwrap();
    assert_eq!(
        changes.len(),
        1,
        "one message in the day is not enough: {changes:?}"
    );
    let changes = t
        .on_event(&mut c, &message("e2", "在吗", at(2, 11)), &[first])
        .unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].tag_id, "vip");
    assert_eq!(
        changes[0].reason,
        "condition became true (rule hot_live_lead)"
    );
    assert_eq!(
        changes[0].provenance,
        Provenance::Condition("hot_live_lead".into())
    );
}

#[test]
fn a_condition_rule_that_does_not_parse_is_reported_at_its_path() {
    let text = PLAYBOOK.to_owned()
        + "\n[[tagging.rules]]\nkind = \"condition\"\nid = \"bad\"\ncondition = \"score >= \"\ntags = [\"vip\"]\n";
    let err = Playbook::from_toml(&text).unwrap_err();
    assert_eq!(err.problems()[0].path, "tagging.rules[5].condition");
}
