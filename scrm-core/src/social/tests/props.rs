//! Property tests: propagation and fission results do not depend on event order or replays, and
//! their counts stay within what the events allow.

use std::collections::HashSet;

use proptest::prelude::*;

use super::*;

/// Random social events over 8 customers, 2 contents and ids that parents may or may not name.
fn social_events() -> impl Strategy<Value = Vec<Event>> {
    let one = (0u8..8, 0u8..5, 0i64..40, 0u8..2, 0u8..14, 0u8..3, 0u8..8);
    prop::collection::vec(one, 0..40).prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(i, (who, kind, minute, content, parent, how, inviter))| {
                let kind =
                    ["share", "share", "invite", "friend_added", "content_view"][kind as usize];
                let mut e = event(&format!("e{i}"), &format!("c{who}"), kind, minute, &[]);
                e.properties
                    .insert("content_id".into(), format!("k{content}").into());
                match how {
                    0 => {
                        let name = if kind == "share" {
                            "parent_share_id"
                        } else {
                            "share_id"
                        };
                        e.properties
                            .insert(name.into(), format!("e{parent}").into());
                    }
                    1 => {
                        e.properties
                            .insert("inviter_id".into(), format!("c{inviter}").into());
                    }
                    _ => {}
                }
                e
            })
            .collect()
    })
}

fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut out = items.to_vec();
    let mut state = seed | 1;
    for i in (1..out.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.swap(i, (state % (i as u64 + 1)) as usize);
    }
    out
}

proptest! {
    #[test]
    fn propagation_ignores_order_and_replays(events in social_events(), seed: u64, dup in 0usize..8) {
        let rules = PropagationRules::default();
        let base = Propagation::build(&events, &rules).unwrap();
        let mixed = shuffled(&events, seed);
        prop_assert_eq!(&Propagation::build(&mixed, &rules).unwrap(), &base);
        let mut replayed = events.clone();
        replayed.extend(events.iter().take(dup).cloned());
        let replayed = shuffled(&replayed, seed.wrapping_add(1));
        prop_assert_eq!(&Propagation::build(&replayed, &rules).unwrap(), &base);
    }

    #[test]
    fn trees_are_consistent(events in social_events()) {
        let p = Propagation::build(&events, &PropagationRules::default()).unwrap();
        let customers: HashSet<&str> = events
            .iter()
            .map(|e| e.customer_id.as_str())
            .chain(events.iter().filter_map(|e| e.property_str("inviter_id")))
            .collect();
        for t in &p.trees {
            prop_assert!(t.reach <= customers.len() as u64);
            prop_assert!(t.reach < t.participants.max(1));
            prop_assert_eq!(t.levels.iter().sum::<u64>(), t.participants);
            prop_assert_eq!(t.levels.len() as u32, t.depth + 1);
            prop_assert_eq!(t.nodes.iter().filter(|n| n.parent.is_none()).count() as u64, t.participants - t.reach);
            let ranked = t.top_spreaders.windows(2).all(|w| {
                (w[1].descendants, &w[0].customer_id) <= (w[0].descendants, &w[1].customer_id)
            });
            prop_assert!(ranked);
            for n in &t.nodes {
                // A node's subtree is its children and their subtrees.
                let below: u64 = t
                    .nodes
                    .iter()
                    .filter(|c| c.parent.as_deref() == Some(n.customer_id.as_str()))
                    .map(|c| c.descendants + 1)
                    .sum();
                prop_assert_eq!(below, n.descendants);
                if let Some(parent) = &n.parent {
                    let p = t.nodes.iter().find(|x| &x.customer_id == parent).unwrap();
                    prop_assert_eq!(p.depth + 1, n.depth);
                }
            }
        }
    }

    #[test]
    fn fission_ignores_order_and_replays(
        raw in prop::collection::vec((0u8..6, 0u8..6, -5i64..30, 0u8..4), 0..30),
        limit in 1u32..3,
        goal in 1u32..4,
        seed: u64,
    ) {
        let events: Vec<Event> = raw
            .iter()
            .enumerate()
            .map(|(i, &(who, inviter, minute, kind))| {
                if kind == 0 {
                    event(&format!("d{i}"), &format!("c{who}"), "friend_deleted", minute, &[])
                } else {
                    added(&format!("a{i}"), &format!("c{who}"), &format!("c{inviter}"), minute)
                }
            })
            .collect();
        let mut c = campaign(goal);
        c.helper_limit = limit;
        let now = at(25);
        let base = c.progress(&events, &[], now).unwrap();
        let mut replayed = shuffled(&events, seed);
        replayed.extend(events.iter().take(5).cloned());
        prop_assert_eq!(&c.progress(&shuffled(&replayed, seed ^ 7), &[], now).unwrap(), &base);
        let mut used: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
        for inviter in &base.inviters {
            let helpers: HashSet<&str> = inviter.helps.iter().map(|h| h.helper_id.as_str()).collect();
            prop_assert!(inviter.count as usize <= helpers.len());
            prop_assert_eq!(inviter.reward_earned, inviter.count >= goal);
            prop_assert_eq!(inviter.reached_at.is_some(), inviter.reward_earned);
            let counted = inviter.helps.iter().filter(|h| h.status == HelpStatus::Counted).count();
            prop_assert_eq!(counted as u32, inviter.count);
            for h in inviter.helps.iter().filter(|h| matches!(h.status, HelpStatus::Counted | HelpStatus::Deleted)) {
                *used.entry(h.helper_id.as_str()).or_default() += 1;
            }
        }
        prop_assert!(used.values().all(|&n| n <= limit));
    }
}
