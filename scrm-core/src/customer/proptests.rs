//! Properties of resolution and merge over generated customers. Identity values come from small
//! pools so profiles collide often; times come from a few days so ties happen.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::{DecisionChain, Platform, PreTag, TagAction, TagChange};

fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap()
        + Duration::days(day.into())
        + Duration::hours(hour.into())
}

fn time() -> impl Strategy<Value = DateTime<Utc>> {
    (0u32..4, prop_oneof![Just(0u32), 0u32..24]).prop_map(|(d, h)| at(d, h))
}

fn identity() -> impl Strategy<Value = Identity> {
    prop_oneof![
        (0u32..4).prop_map(|n| Identity::phone(&format!("1380013800{n}")).unwrap()),
        (0u32..3).prop_map(|n| Identity::email(&format!("p{n}@example.com")).unwrap()),
        (0u32..3).prop_map(|n| Identity::unionid(&format!("u{n}")).unwrap()),
        (0u32..4, 0u32..2).prop_map(|(n, app)| {
            Identity::new(
                IdentityKind::WechatOpenid,
                &format!("o{n}"),
                Some(&format!("wx{app}")),
            )
            .unwrap()
        }),
        (0u32..2).prop_map(|n| Identity::new(
            IdentityKind::DouyinOpenid,
            &format!("d{n}"),
            Some("dy")
        )
        .unwrap()),
        (0u32..2, 0u32..2).prop_map(|(n, corp)| {
            Identity::new(
                IdentityKind::WecomExternalUserid,
                &format!("wm{n}"),
                Some(&format!("corp{corp}")),
            )
            .unwrap()
        }),
        (0u32..2, any::<bool>()).prop_map(|(n, strong)| Identity::custom(
            "erp",
            &format!("{n}"),
            strong
        )
        .unwrap()),
    ]
}

/// Values for merge tests: numbers are small integers so sums are exact (see the merge docs).
fn merge_value() -> impl Strategy<Value = AttributeValue> {
    let word = prop::sample::select(vec!["", " ", "a", "b", "上海"]);
    prop_oneof![
        word.clone()
            .prop_map(|w| AttributeValue::Text(w.to_owned())),
        (-5i32..20).prop_map(|n| AttributeValue::Number(n.into())),
        any::<bool>().prop_map(AttributeValue::Bool),
        (1u32..4).prop_map(|d| AttributeValue::Date(NaiveDate::from_ymd_opt(2026, 2, d).unwrap())),
        prop::collection::vec(word, 0..3)
            .prop_map(|ws| AttributeValue::List(ws.into_iter().map(str::to_owned).collect())),
    ]
}

/// Any finite value, for the JSON round trip.
fn any_value() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        "\\PC{0,8}".prop_map(AttributeValue::Text),
        any::<f64>()
            .prop_filter("finite", |n| n.is_finite())
            .prop_map(AttributeValue::Number),
        any::<bool>().prop_map(AttributeValue::Bool),
        (1u32..29).prop_map(|d| AttributeValue::Date(NaiveDate::from_ymd_opt(2026, 2, d).unwrap())),
        prop::collection::vec("\\PC{0,4}", 0..3).prop_map(AttributeValue::List),
    ]
}

fn provenance() -> impl Strategy<Value = Provenance> {
    prop_oneof![
        Just(Provenance::Manual),
        (0u32..2).prop_map(|n| Provenance::Rule(format!("r{n}").into())),
        Just(Provenance::Import),
        Just(Provenance::ChannelCode("qr1".into())),
    ]
}

fn tag() -> impl Strategy<Value = AppliedTag> {
    (0u32..3, time(), provenance(), prop::option::of(time())).prop_map(
        |(t, applied_at, provenance, expires_at)| AppliedTag {
            tag_id: format!("t{t}").into(),
            applied_at,
            provenance,
            expires_at,
        },
    )
}

fn touch() -> impl Strategy<Value = Touch> {
    let platform = prop::sample::select(vec![Platform::Wecom, Platform::Douyin, Platform::Web]);
    (time(), platform, prop::option::of(Just("c1".to_owned()))).prop_map(
        |(at, platform, channel_code)| Touch {
            at,
            platform,
            channel_id: None,
            campaign: None,
            channel_code,
        },
    )
}

fn consent() -> impl Strategy<Value = ConsentRecord> {
    let status = prop::sample::select(vec![
        ConsentStatus::Granted,
        ConsentStatus::Denied,
        ConsentStatus::Withdrawn,
    ]);
    let source = prop::sample::select(vec![
        ConsentSource::Customer,
        ConsentSource::System,
        ConsentSource::Import,
    ]);
    (
        prop::sample::select(vec!["marketing", "profiling"]),
        prop::sample::select(vec!["*", "wecom"]),
        status,
        time(),
        source,
    )
        .prop_map(|(purpose, channel, status, at, source)| ConsentRecord {
            purpose: purpose.into(),
            channel: channel.into(),
            status,
            at,
            source,
        })
}

/// A customer of `tenant` with `id`; `value` generates attribute values.
fn customer(
    tenant: &'static str,
    id: String,
    value: impl Strategy<Value = AttributeValue>,
) -> impl Strategy<Value = Customer> {
    let attributes = prop::collection::btree_map(
        prop::sample::select(vec!["city", "orders", "likes", "seen", "vip"])
            .prop_map(str::to_owned),
        (value, time()).prop_map(|(value, updated_at)| Attribute { value, updated_at }),
        0..4,
    );
    let pick = |pool: Vec<&'static str>| {
        prop::option::of(prop::sample::select(pool).prop_map(str::to_owned))
    };
    let followers = prop::collection::vec(
        (prop::sample::select(vec!["e1", "e2", "e3"]), time()).prop_map(|(e, since)| Follower {
            employee_id: e.into(),
            since,
        }),
        0..3,
    );
    let merged_ids = prop::collection::vec((0u32..4).prop_map(|n| format!("old{n}")), 0..2);
    (
        (
            time(),
            prop::collection::vec(identity(), 0..4),
            attributes,
            prop::collection::vec(tag(), 0..3),
        ),
        (
            prop::collection::vec(touch(), 0..3),
            prop::collection::vec(consent(), 0..3),
            pick(vec!["e1", "e2"]),
        ),
        (
            followers,
            pick(vec!["acct1", "acct2"]),
            pick(vec!["lead", "mql", "customer", "weird", "odd"]),
            merged_ids,
        ),
    )
        .prop_map(
            move |(
                (created, identities, attributes, tags),
                (touches, consents, owner),
                (followers, account, stage, merged),
            )| {
                let mut c = Customer::new(tenant, &id, created);
                for identity in identities {
                    c.add_identity(identity);
                }
                c.attributes = attributes;
                c.tags = tags;
                for t in touches {
                    c.add_touch(t);
                }
                for r in consents {
                    c.consents.record(r);
                }
                c.owner = owner;
                c.followers = followers;
                c.account_id = account;
                c.stage = stage;
                c.merged_ids = merged;
                c
            },
        )
}

/// `n` customers with distinct ids (the id order is shuffled against creation order).
fn customers(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Customer>> {
    n.prop_flat_map(|n| {
        let ids: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
        Just(ids).prop_shuffle()
    })
    .prop_flat_map(|ids| {
        ids.into_iter()
            .map(|id| {
                let tenant = if id == "c5" || id == "c7" {
                    "globex"
                } else {
                    "acme"
                };
                customer(tenant, id, merge_value()).boxed()
            })
            .collect::<Vec<_>>()
    })
}

fn one_tenant(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<Customer>> {
    customers(n).prop_map(|mut cs| {
        for c in &mut cs {
            c.tenant_id = "acme".into();
        }
        cs
    })
}

fn policy() -> impl Strategy<Value = MergePolicy> {
    let strategy = prop::sample::select(vec![
        MergeStrategy::KeepTarget,
        MergeStrategy::NewestNonEmpty,
        MergeStrategy::Oldest,
        MergeStrategy::Newest,
        MergeStrategy::Sum,
        MergeStrategy::Max,
        MergeStrategy::Union,
    ]);
    let names = prop::sample::select(vec!["city", "orders", "likes", "seen", "vip"])
        .prop_map(str::to_owned);
    (
        strategy.clone(),
        prop::collection::btree_map(names, strategy, 0..5),
    )
        .prop_map(|(default, attributes)| MergePolicy {
            default,
            attributes,
            stage_order: vec!["lead".into(), "mql".into(), "customer".into()],
        })
}

fn ids(customers: &[Customer]) -> Vec<Vec<String>> {
    resolve(customers)
        .clusters()
        .map(|c| c.iter().map(|&i| customers[i].id.to_string()).collect())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn merge_is_associative_and_order_independent(cs in one_tenant(3..4), policy in policy()) {
        let [a, b, c] = [&cs[0], &cs[1], &cs[2]];
        let m = |xs: &[&Customer]| merge(&xs.iter().map(|c| (*c).clone()).collect::<Vec<_>>(), &policy).unwrap().customer;
        let flat = m(&[a, b, c]);
        prop_assert_eq!(&flat, &m(&[c, a, b]));
        prop_assert_eq!(&flat, &m(&[b, c, a]));
        prop_assert_eq!(&flat, &m(&[a, &m(&[b, c])]));
        prop_assert_eq!(&flat, &m(&[&m(&[a, b]), c]));
        prop_assert_eq!(&flat, &m(&[&m(&[c, a]), b]));
    }

    #[test]
    fn merge_loses_nothing(cs in one_tenant(1..6), policy in policy()) {
        let merged = merge(&cs, &policy).unwrap();
        let out = &merged.customer;
        for c in &cs {
            for identity in &c.identities { prop_assert!(out.identities.contains(identity)); }
            for tag in &c.tags { prop_assert!(out.tags.contains(tag)); }
            for touch in &c.touches { prop_assert!(out.touches.contains(touch)); }
            for r in c.consents.records() { prop_assert!(out.consents.records().contains(r)); }
            for f in &c.followers {
                prop_assert!(out.followers.iter().any(|o| o.employee_id == f.employee_id && o.since <= f.since));
            }
            prop_assert!(c.id == out.id || out.merged_ids.iter().any(|m| *m == c.id));
            for old in &c.merged_ids { prop_assert!(out.merged_ids.contains(old)); }
            prop_assert!(out.created_at <= c.created_at);
        }
        prop_assert!(!out.merged_ids.iter().any(|m| *m == out.id));
        prop_assert_eq!(merged.absorbed.len(), cs.len() - 1);
    }

    #[test]
    fn resolution_does_not_depend_on_input_order(
        (cs, shuffled) in customers(0..12).prop_flat_map(|cs| (Just(cs.clone()), Just(cs).prop_shuffle())),
    ) {
        prop_assert_eq!(ids(&cs), ids(&shuffled));
    }

    #[test]
    fn customer_json_round_trips(c in customer("acme", "c1".into(), any_value())) {
        prop_assert_eq!(Customer::from_json(&c.to_json()).unwrap(), c);
    }

    #[test]
    fn merge_policy_json_round_trips(policy in policy()) {
        let text = serde_json::to_string(&policy).unwrap();
        prop_assert_eq!(serde_json::from_str::<MergePolicy>(&text).unwrap(), policy);
    }

    #[test]
    fn tag_change_json_round_trips(
        tag in "[a-z_0-9\u{4e00}-\u{4e20}]{1,30}",
        action in prop_oneof![Just(TagAction::Added), Just(TagAction::Removed), Just(TagAction::Refreshed)],
        provenance in provenance(),
        reason in "\\PC{0,40}",
    ) {
        let change = TagChange { tag_id: tag.into(), action, provenance, reason };
        let text = serde_json::to_string(&change).unwrap();
        prop_assert_eq!(serde_json::from_str::<TagChange>(&text).unwrap(), change);
    }

    #[test]
    fn pre_tag_json_round_trips(identity in identity(), tag in "\\PC{1,20}", at in time()) {
        let pre = PreTag { identity, tag, at };
        let text = serde_json::to_string(&pre).unwrap();
        prop_assert_eq!(serde_json::from_str::<PreTag>(&text).unwrap(), pre);
    }

    #[test]
    fn decision_chain_json_round_trips(
        lists in prop::collection::vec(prop::collection::vec("\\PC{0,12}", 0..4), 5),
    ) {
        let chain = DecisionChain {
            decision_makers: lists[0].clone(),
            influencers: lists[1].clone(),
            champions: lists[2].clone(),
            gatekeepers: lists[3].clone(),
            gaps: lists[4].clone(),
        };
        let text = serde_json::to_string(&chain).unwrap();
        prop_assert_eq!(serde_json::from_str::<DecisionChain>(&text).unwrap(), chain);
    }

    #[test]
    fn merged_clusters_resolve_to_one_profile_each(cs in customers(0..12), policy in policy()) {
        let resolution = resolve(&cs);
        let merged: Vec<Customer> = resolution
            .clusters()
            .map(|cluster| {
                let members: Vec<Customer> = cluster.iter().map(|&i| cs[i].clone()).collect();
                merge(&members, &policy).unwrap().customer
            })
            .collect();
        let again = resolve(&merged);
        prop_assert_eq!(again.len(), merged.len());
    }
}

proptest! {
    #[test]
    fn a_tag_is_an_id_exactly_when_the_texts_are_equal(a in "[a-c_0-9é]{0,5}", b in "[a-c_0-9é]{0,5}") {
        let tag = AppliedTag {
            tag_id: a.as_str().into(),
            applied_at: DateTime::<Utc>::UNIX_EPOCH,
            provenance: Provenance::Manual,
            expires_at: None,
        };
        prop_assert_eq!(tag.is(&b), a == b);
        prop_assert!(tag.is(&a));
    }
}
