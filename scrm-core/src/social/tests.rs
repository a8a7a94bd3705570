//! Examples of the propagation and fission rules, and property tests of their invariants.

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::Event;

mod props;

fn at(minute: i64) -> DateTime<Utc> {
    "2026-03-01T00:00:00Z".parse::<DateTime<Utc>>().unwrap() + Duration::minutes(minute)
}

fn event(id: &str, who: &str, kind: &str, minute: i64, props: &[(&str, &str)]) -> Event {
    let mut e = Event::new("acme", id, who, kind, at(minute));
    for (k, v) in props {
        e.properties.insert((*k).into(), (*v).into());
    }
    e
}

fn share(id: &str, who: &str, minute: i64, parent: Option<&str>) -> Event {
    let mut e = event(id, who, "share", minute, &[("content_id", "guide")]);
    if let Some(p) = parent {
        e.properties.insert("parent_share_id".into(), p.into());
    }
    e
}

fn build(events: &[Event]) -> Propagation {
    Propagation::build(events, &PropagationRules::default()).unwrap()
}

fn node<'a>(tree: &'a PropagationTree, id: &str) -> &'a TreeNode {
    tree.nodes.iter().find(|n| n.customer_id == id).unwrap()
}

#[test]
fn a_share_chain_has_depth_reach_and_k_factor() {
    let events = [
        share("s1", "ann", 0, None),
        share("s2", "bo", 5, Some("s1")),
        share("s3", "cy", 9, Some("s2")),
        event("v1", "dee", "content_view", 12, &[("share_id", "s2")]),
        event("v2", "eve", "friend_added", 13, &[("share_id", "s1")]),
    ];
    let p = build(&events);
    assert_eq!(p.trees.len(), 1);
    let t = &p.trees[0];
    assert_eq!(t.key, "guide");
    // ann → bo → cy, bo → dee, ann → eve.
    assert_eq!((t.depth, t.reach, t.participants), (2, 4, 5));
    assert_eq!((t.sharers, t.invites), (3, 3));
    assert_eq!(t.levels, [1, 2, 2]);
    assert_eq!(t.invites_per_sharer.unwrap().to_string(), "1.0000");
    assert_eq!(t.conversion.unwrap().to_string(), "1.3333");
    assert_eq!(t.k_factor.unwrap().to_string(), "1.3333");
    let top: Vec<_> = t
        .top_spreaders
        .iter()
        .map(|s| (s.customer_id.as_str(), s.descendants, s.children))
        .collect();
    assert_eq!(top, [("ann", 4, 2), ("bo", 2, 2)]);
    let cy = node(t, "cy");
    assert_eq!(cy.parent.as_deref(), Some("bo"));
    assert_eq!(cy.via_event.as_deref(), Some("s3"));
    assert!(
        cy.reason.contains("re-shared share s2 of bo"),
        "{}",
        cy.reason
    );
    assert!(node(t, "ann").reason.starts_with("seed"));
    assert!(p.skipped.is_empty());
}

#[test]
fn the_first_claim_wins_and_later_ones_are_noted() {
    let events = [
        share("s1", "ann", 0, None),
        share("s9", "zed", 1, None),
        event("a1", "bo", "friend_added", 3, &[("share_id", "s1")]),
        event("a2", "bo", "friend_added", 2, &[("share_id", "s9")]),
    ];
    let t = &build(&events).trees[0];
    let bo = node(t, "bo");
    assert_eq!(bo.parent.as_deref(), Some("zed"));
    assert_eq!(bo.notes.len(), 1);
    assert!(
        bo.notes[0].contains("already reached through zed"),
        "{:?}",
        bo.notes
    );
}

#[test]
fn cycles_are_broken_at_the_later_claim() {
    let events = [
        share("s1", "ann", 1, Some("s2")),
        share("s2", "bo", 2, Some("s1")),
    ];
    let t = &build(&events).trees[0];
    assert_eq!((t.reach, t.depth), (1, 1));
    assert_eq!(node(t, "ann").parent.as_deref(), Some("bo"));
    let bo = node(t, "bo");
    assert_eq!(bo.parent, None);
    assert!(
        bo.notes[0].contains("would close a cycle"),
        "{:?}",
        bo.notes
    );
    assert!(bo.reason.contains("every claim"), "{}", bo.reason);
}

#[test]
fn a_missing_parent_makes_a_seed_and_a_seed_is_not_claimed_later() {
    let events = [
        share("s1", "ann", 0, Some("gone")),
        share("s2", "bo", 1, None),
        event(
            "a1",
            "bo",
            "friend_added",
            5,
            &[("inviter_id", "ann"), ("content_id", "guide")],
        ),
        event(
            "a2",
            "bo",
            "friend_added",
            6,
            &[("inviter_id", "bo"), ("content_id", "guide")],
        ),
    ];
    let t = &build(&events).trees[0];
    assert_eq!(t.reach, 0);
    let ann = node(t, "ann");
    assert!(ann.reason.starts_with("seed"));
    assert!(
        ann.notes[0].contains("parent share \"gone\""),
        "{:?}",
        ann.notes
    );
    let bo = node(t, "bo");
    assert!(bo.notes[0].contains("already a seed"), "{:?}", bo.notes);
    assert!(bo.notes[1].contains("themself"), "{:?}", bo.notes);
}

#[test]
fn events_outside_any_tree_are_skipped_with_a_reason() {
    let events = [
        event("x1", "ann", "share", 0, &[]),
        event(
            "x2",
            "bo",
            "content_view",
            1,
            &[("share_id", "nope"), ("content_id", "guide")],
        ),
        event("x3", "cy", "friend_added", 2, &[("content_id", "guide")]),
        event("x4", "cy", "message", 2, &[]),
    ];
    let p = build(&events);
    let skipped: Vec<_> = p.skipped.iter().map(|s| s.event_id.as_str()).collect();
    assert_eq!(skipped, ["x1", "x2", "x3"]);
    assert!(p.skipped[0].reason.contains("content_id"));
    assert!(p.trees.is_empty(), "{:?}", p.trees);
}

#[test]
fn trees_group_by_the_configured_property() {
    let mut rules = PropagationRules {
        group_by: "campaign".into(),
        ..PropagationRules::default()
    };
    let events = [
        event("i1", "ann", "invite", 0, &[("campaign", "spring")]),
        event("i2", "ann", "invite", 1, &[("campaign", "spring")]),
        event(
            "f1",
            "bo",
            "friend_added",
            2,
            &[("campaign", "spring"), ("inviter_id", "ann")],
        ),
        event("i3", "cy", "invite", 0, &[("campaign", "autumn")]),
    ];
    let p = Propagation::build(&events, &rules).unwrap();
    let keys: Vec<_> = p.trees.iter().map(|t| t.key.as_str()).collect();
    assert_eq!(keys, ["autumn", "spring"]);
    let spring = &p.trees[1];
    assert_eq!((spring.invites, spring.sharers, spring.reach), (2, 1, 1));
    assert_eq!(spring.invites_per_sharer.unwrap().to_string(), "2.0000");
    assert_eq!(spring.conversion.unwrap().to_string(), "0.5000");
    assert_eq!(spring.k_factor.unwrap().to_string(), "1.0000");
    assert_eq!(p.trees[0].k_factor.unwrap().to_string(), "0.0000");
    rules.include_nodes = false;
    rules.top = 0;
    let p = Propagation::build(&events, &rules).unwrap();
    assert!(p.trees[1].nodes.is_empty() && p.trees[1].top_spreaders.is_empty());
}

#[test]
fn invalid_rules_are_reported_in_full() {
    let rules = PropagationRules {
        share_types: vec!["share".into(), "".into()],
        invite_types: vec!["share".into()],
        group_by: " ".into(),
        top: MAX_TOP_SPREADERS + 1,
        ..PropagationRules::default()
    };
    let err = Propagation::build(&[], &rules).unwrap_err();
    let paths: Vec<_> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        ["share_types[1]", "invite_types[0]", "group_by", "top"]
    );
}

fn campaign(goal: u32) -> FissionCampaign {
    serde_json::from_value(serde_json::json!({
        "id": "spring", "goal": goal, "starts_at": at(0), "ends_at": at(1000), "reward": "tea set"
    }))
    .unwrap()
}

fn added(id: &str, who: &str, inviter: &str, minute: i64) -> Event {
    event(
        id,
        who,
        "friend_added",
        minute,
        &[("campaign", "spring"), ("inviter_id", inviter)],
    )
}

#[test]
fn only_new_friends_count_and_deletions_subtract() {
    let events = [
        event("old", "bo", "friend_added", -10, &[]),
        added("h1", "bo", "ann", 1),  // not new: added before the start
        added("h2", "cy", "ann", 2),  // counts
        added("h3", "dee", "ann", 3), // counts, then deleted
        added("h4", "eve", "ann", 4), // listed as an existing friend
        added("h5", "cy", "ann", 5),  // the same pair again
        added("h6", "fay", "fay", 6), // self invite
        added("h7", "cy", "gus", 7),  // cy already used her one help
        event("d1", "dee", "friend_deleted", 8, &[]),
        added("h8", "hal", "ann", 2000), // after the end
        event("u1", "ivy", "friend_added", 9, &[("campaign", "spring")]),
    ];
    let progress = campaign(2)
        .progress(&events, &["eve".to_owned()], at(1500))
        .unwrap();
    assert_eq!(progress.unattributed, ["u1"]);
    let inviters: Vec<_> = progress
        .inviters
        .iter()
        .map(|i| i.inviter_id.as_str())
        .collect();
    assert_eq!(inviters, ["ann", "fay", "gus"]);
    let ann = &progress.inviters[0];
    let statuses: Vec<_> = ann
        .helps
        .iter()
        .map(|h| (h.event_id.as_str(), h.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("h1", HelpStatus::NotNew),
            ("h2", HelpStatus::Counted),
            ("h3", HelpStatus::Deleted),
            ("h4", HelpStatus::NotNew),
            ("h5", HelpStatus::Duplicate),
        ]
    );
    assert_eq!(ann.helps[2].deleted_at, Some(at(8)));
    assert!(ann.helps[0].reason.contains("before the campaign"));
    assert!(ann.helps[3].reason.contains("existing friends"));
    // Reached 2 at minute 3, lost it at minute 8.
    assert_eq!((ann.count, ann.remaining, ann.reward_earned), (1, 1, false));
    assert_eq!(ann.reached_at, None);
    assert_eq!(progress.inviters[1].helps[0].status, HelpStatus::SelfInvite);
    assert_eq!(
        progress.inviters[2].helps[0].status,
        HelpStatus::HelperLimit
    );
    assert!(
        progress.inviters[2].helps[0]
            .reason
            .contains("already helped ann (limit 1)")
    );
}

#[test]
fn the_goal_is_reached_when_the_count_last_rose_to_it() {
    let events = [
        added("h1", "bo", "ann", 1),
        added("h2", "cy", "ann", 2),
        event("d1", "bo", "friend_deleted", 3, &[]),
        added("h3", "dee", "ann", 4),
        added("h4", "eve", "ann", 5),
    ];
    let progress = campaign(2).progress(&events, &[], at(100)).unwrap();
    let ann = &progress.inviters[0];
    assert_eq!((ann.count, ann.reward_earned), (3, true));
    assert_eq!(ann.reached_at, Some(at(4)));
    assert_eq!(ann.reward.as_deref(), Some("tea set"));
    // Seen at minute 3, before the later helps: the deletion already took the goal away.
    let early = campaign(2).progress(&events, &[], at(3)).unwrap();
    assert_eq!(
        (early.inviters[0].count, early.inviters[0].reached_at),
        (1, None)
    );
    // A wider helper limit lets one invitee help two inviters.
    let mut two = campaign(1);
    two.helper_limit = 2;
    let both = [added("h1", "bo", "ann", 1), added("h2", "bo", "cy", 2)];
    let progress = two.progress(&both, &[], at(100)).unwrap();
    assert!(progress.inviters.iter().all(|i| i.reward_earned));
}

#[test]
fn invalid_campaigns_are_reported_in_full() {
    let mut c = campaign(0);
    c.helper_limit = 0;
    c.ends_at = Some(at(-1));
    c.added_types = vec!["x".into()];
    c.deleted_types = vec!["x".into()];
    let err = c.progress(&[], &[], at(0)).unwrap_err();
    let paths: Vec<_> = err.problems().iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        ["goal", "helper_limit", "ends_at", "deleted_types[0]"]
    );
}

#[test]
fn documents_round_trip() {
    let events = serde_json::to_string(&[
        share("s1", "ann", 0, None),
        share("s2", "bo", 1, Some("s1")),
    ])
    .unwrap();
    let out: serde_json::Value =
        serde_json::from_str(&propagation_json(&events, Some(r#"{"top": 1}"#)).unwrap()).unwrap();
    assert_eq!(out["trees"][0]["reach"], 1);
    assert_eq!(out["trees"][0]["k_factor"], "0.5000");
    let err = propagation_json("[", None).unwrap_err();
    assert_eq!(err.kind(), crate::ErrorKind::Parse);
    let err = propagation_json(&events, Some(r#"{"tpo": 1}"#)).unwrap_err();
    assert_eq!(err.problems()[0].path, "rules");
    let camp = serde_json::to_string(&campaign(1)).unwrap();
    let events = serde_json::to_string(&[added("h1", "bo", "ann", 1)]).unwrap();
    let out: serde_json::Value =
        serde_json::from_str(&fission_json(&camp, &events, Some(r#"["bo"]"#), at(5)).unwrap())
            .unwrap();
    assert_eq!(out["inviters"][0]["helps"][0]["status"], "not_new");
}
