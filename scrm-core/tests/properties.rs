//! Properties across modules: re-applying tagging events changes nothing, and the public data
//! types round-trip through JSON without loss.

use proptest::prelude::*;
use scrm_core::{Account, Contact, ContactRole, Customer, Event, Playbook, Tagger};

const PLAYBOOK: &str = include_str!("../../examples/playbooks/brand.json");

fn texts() -> impl Strategy<Value = String> {
    // Fragments of the sample's keywords, noise and full-width forms, so rules do fire.
    let fragment = prop_oneof![
        Just("多少钱"),
        Just("价格"),
        Just("礼盒"),
        Just("太贵了"),
        Just("再看看"),
        Just("团购"),
        Just("你好"),
        Just("ＶＩＰ"),
        Just("，"),
        Just(" "),
        Just("大红袍"),
        Just("不需要"),
    ];
    proptest::collection::vec(fragment, 0..6).prop_map(|parts| parts.concat())
}

fn event() -> impl Strategy<Value = Event> {
    let kinds = prop_oneof![
        Just("message"),
        Just("scan"),
        Just("content_view"),
        Just("form")
    ];
    let codes = prop_oneof![
        Just(None),
        Just(Some("store-sh-xintiandi")),
        Just(Some("douyin-live-0315")),
        Just(Some("nope"))
    ];
    let categories = prop_oneof![Just(None), Just(Some("pricing")), Just(Some("cases"))];
    (0u32..1000, kinds, 0i64..30 * 24, texts(), codes, categories).prop_map(
        |(id, kind, hour, text, code, category)| {
            let at = "2026-03-01T00:00:00Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap()
                + chrono::TimeDelta::hours(hour);
            let mut e = Event::new("chayuan-tea", &format!("e{id}"), "c1", kind, at);
            e.text = (!text.is_empty()).then_some(text);
            e.channel_code = code.map(str::to_owned);
            if let Some(category) = category {
                e.properties
                    .insert("category".into(), serde_json::json!(category));
            }
            e
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// Feeding a stream, then feeding every event of it again (with the same history), changes
    /// nothing: no tag change is reported and the customer is equal.
    #[test]
    fn reapplying_tagging_events_changes_nothing(mut events in proptest::collection::vec(event(), 1..20)) {
        events.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        events.dedup_by(|a, b| a.id == b.id);
        let tagger = Tagger::new(&Playbook::from_json(PLAYBOOK).unwrap()).unwrap();
        let mut customer = Customer::new("chayuan-tea", "c1", "2026-03-01T00:00:00Z".parse().unwrap());
        for (i, e) in events.iter().enumerate() {
            tagger.on_event(&mut customer, e, &events[..i]).unwrap();
        }
        let settled = customer.clone();
        let last = events.len() - 1;
        let changes = tagger.on_event(&mut customer, &events[last], &events[..last]).unwrap();
        prop_assert!(changes.is_empty(), "replaying the last event changed {changes:?}");
        prop_assert_eq!(&customer, &settled);
    }

    #[test]
    fn events_round_trip_through_json(e in event()) {
        prop_assert_eq!(Event::from_json(&e.to_json()).unwrap(), e);
    }

    #[test]
    fn accounts_round_trip_through_json(
        n in 1usize..6,
        roles in proptest::collection::vec(proptest::collection::btree_set(0usize..5, 0..3), 6),
        bosses in proptest::collection::vec(proptest::option::of(0usize..6), 6),
    ) {
        let all = [ContactRole::DecisionMaker, ContactRole::Influencer, ContactRole::Champion, ContactRole::User, ContactRole::Gatekeeper];
        let contacts = (0..n).map(|i| Contact {
            customer_id: format!("c{i}"),
            title: (i % 2 == 0).then(|| format!("职位{i}")),
            roles: roles[i].iter().map(|&r| all[r]).collect(),
            // Only earlier contacts as managers: no cycles, every edge inside the account.
            reports_to: bosses[i].filter(|&b| b < i).map(|b| format!("c{b}")),
            influences: Default::default(),
        }).collect();
        let account = Account { tenant_id: "t".into(), id: "a".into(), name: "客户公司".into(), contacts };
        account.check().unwrap();
        let again: Account = serde_json::from_str(&serde_json::to_string(&account).unwrap()).unwrap();
        prop_assert_eq!(&again, &account);
        prop_assert_eq!(again.decision_chain(), account.decision_chain());
    }
}
