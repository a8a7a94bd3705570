//! Unit tests of resolution, one per rule, and the helpers the merge tests share.

use chrono::{DateTime, TimeZone, Utc};

use super::*;

pub(super) fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, d, 0, 0, 0).unwrap()
}

pub(super) fn cust(id: &str, created: u32, identities: &[Identity]) -> Customer {
    let mut c = Customer::new("acme", id, day(created));
    for identity in identities {
        c.add_identity(identity.clone());
    }
    c
}

pub(super) fn phone(n: u32) -> Identity {
    Identity::phone(&format!("1380013{n:04}")).unwrap()
}

pub(super) fn unionid(v: &str) -> Identity {
    Identity::unionid(v).unwrap()
}

pub(super) fn openid(v: &str) -> Identity {
    Identity::new(IdentityKind::WechatOpenid, v, Some("wx_app")).unwrap()
}

/// Clusters as ids, for assertions that read like the rule.
fn persons(customers: &[Customer]) -> Vec<Vec<&str>> {
    resolve(customers)
        .clusters()
        .map(|c| c.iter().map(|&i| customers[i].id.as_str()).collect())
        .collect()
}
// ---- resolution -------------------------------------------------------------------------------

#[test]
fn a_shared_strong_identity_joins_profiles_transitively() {
    let email = Identity::email("li@example.com").unwrap();
    let cs = [
        cust("c", 1, std::slice::from_ref(&email)),
        cust("b", 1, &[phone(1), email]),
        cust("a", 1, &[phone(1)]),
        cust("d", 1, &[phone(2)]),
    ];
    assert_eq!(persons(&cs), [vec!["a", "b", "c"], vec!["d"]]);
}

#[test]
fn an_empty_batch_has_no_persons() {
    let r = resolve(&[]);
    assert!(r.is_empty());
    assert_eq!(r.clusters().count(), 0);
}

#[test]
fn sharing_only_an_openid_never_merges() {
    let cs = [cust("a", 1, &[openid("o1")]), cust("b", 1, &[openid("o1")])];
    assert_eq!(persons(&cs), [vec!["a"], vec!["b"]]);
}

#[test]
fn an_openid_joins_the_one_person_that_has_it_with_a_unionid() {
    let cs = [
        cust("anchor", 1, &[openid("o1"), unionid("u1")]),
        cust("visitor", 2, &[openid("o1")]),
    ];
    assert_eq!(persons(&cs), [vec!["anchor", "visitor"]]);
}

#[test]
fn the_anchor_may_hold_openid_and_unionid_on_two_profiles_of_one_person() {
    let cs = [
        cust("a", 1, &[openid("o1"), phone(1)]),
        cust("b", 1, &[unionid("u1"), phone(1)]),
        cust("c", 1, &[openid("o1")]),
    ];
    assert_eq!(persons(&cs), [vec!["a", "b", "c"]]);
}

#[test]
fn weak_links_chain_through_unanchored_profiles() {
    let y = Identity::new(IdentityKind::DouyinOpenid, "d1", Some("dy_app")).unwrap();
    let cs = [
        cust("p", 1, &[unionid("u1"), openid("x")]),
        cust("q1", 1, &[openid("x"), y.clone()]),
        cust("q2", 1, &[y]),
    ];
    assert_eq!(persons(&cs), [vec!["p", "q1", "q2"]]);
}

#[test]
fn an_openid_claimed_by_two_unionids_joins_nobody() {
    let cs = [
        cust("a", 1, &[openid("o1"), unionid("u1")]),
        cust("b", 1, &[openid("o1"), unionid("u2")]),
        cust("c", 1, &[openid("o1")]),
    ];
    assert_eq!(persons(&cs), [vec!["a"], vec!["b"], vec!["c"]]);
}

#[test]
fn two_anchored_persons_never_join_through_an_openid() {
    let cs = [
        cust("a", 1, &[openid("o1"), unionid("u1")]),
        cust("b", 1, &[openid("o1"), unionid("u2")]),
    ];
    assert_eq!(persons(&cs), [vec!["a"], vec!["b"]]);
}

#[test]
fn scopes_namespaces_and_tenants_keep_ids_apart() {
    let wecom = |corp| Identity::new(IdentityKind::WecomExternalUserid, "wm1", Some(corp)).unwrap();
    let app = |app| Identity::new(IdentityKind::WechatOpenid, "o1", Some(app)).unwrap();
    let mut other_tenant = cust("t", 1, &[phone(1)]);
    other_tenant.tenant_id = "globex".into();
    let cs = [
        cust("a", 1, &[wecom("corp1"), phone(1)]),
        cust("b", 1, &[wecom("corp2")]),
        cust(
            "c",
            1,
            &[Identity::custom("erp", "42", true).unwrap(), app("wx1")],
        ),
        cust(
            "d",
            1,
            &[
                Identity::custom("crm", "42", true).unwrap(),
                app("wx2"),
                unionid("u"),
            ],
        ),
        other_tenant,
    ];
    assert_eq!(
        persons(&cs),
        [vec!["a"], vec!["b"], vec!["c"], vec!["d"], vec!["t"]]
    );
}

#[test]
fn custom_ids_join_only_when_strong_on_both_profiles() {
    let strong = Identity::custom("erp", "42", true).unwrap();
    let weak = Identity::custom("erp", "42", false).unwrap();
    let cs = [
        cust("a", 1, std::slice::from_ref(&strong)),
        cust("b", 1, &[strong]),
        cust("c", 1, std::slice::from_ref(&weak)),
        cust("d", 1, &[weak]),
    ];
    assert_eq!(persons(&cs), [vec!["a", "b"], vec!["c"], vec!["d"]]);
}

#[test]
fn clusters_are_sorted_by_smallest_id_and_hold_indices() {
    let cs = [
        cust("z", 1, &[phone(1)]),
        cust("m", 1, &[]),
        cust("b", 1, &[phone(1)]),
    ];
    let r = resolve(&cs);
    assert_eq!(r.len(), 2);
    assert_eq!(r.cluster(0), [2, 0]);
    assert_eq!(r.cluster(1), [1]);
}
// ---- scale ------------------------------------------------------------------------------------

/// `cargo test -p scrm-core --release --lib -- --ignored resolves_a_million_profiles --nocapture`
#[test]
#[ignore = "a timing run: build with --release"]
fn resolves_a_million_profiles() {
    const N: u64 = 1_000_000;
    let raw = |kind, value: String, scope: Option<&str>| Identity {
        kind,
        namespace: None,
        scope: scope.map(str::to_owned),
        value,
        strong: false,
    };
    // A fixed pseudo-random spread: about one profile in ten shares a phone, one in twenty an
    // email; every profile has an openid, one in three with a unionid.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move |bound: u64| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % bound
    };
    let customers: Vec<Customer> = (0..N)
        .map(|i| {
            let mut c = Customer::new(
                if i % 100 == 0 { "globex" } else { "acme" },
                &format!("c{i:07}"),
                day(1),
            );
            c.identities = vec![
                raw(
                    IdentityKind::Phone,
                    format!("+86138{:08}", next(N * 9 / 10)),
                    None,
                ),
                raw(
                    IdentityKind::Email,
                    format!("p{}@example.com", next(N * 19 / 20)),
                    None,
                ),
                if i % 3 == 0 {
                    raw(IdentityKind::WechatUnionid, format!("u{}", next(N)), None)
                } else {
                    raw(
                        IdentityKind::WechatOpenid,
                        format!("o{}", next(N)),
                        Some("wx1"),
                    )
                },
            ];
            c
        })
        .collect();
    let started = std::time::Instant::now();
    let persons = resolve(&customers);
    let took = started.elapsed();
    println!(
        "resolve: {N} profiles x 3 identities -> {} persons in {took:?}",
        persons.len()
    );
    assert!(persons.len() < N as usize);
}
