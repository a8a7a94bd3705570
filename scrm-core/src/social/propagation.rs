//! Propagation trees (传播树) from share, invite and arrival events.
//!
//! **Events.** A *share* (type `share`) says its customer sent the content on; it may name the
//! share it came from (`parent_share_id`, an event id) or the customer who brought them
//! (`inviter_id`). An *invite* (type `invite`) is a direct invitation sent. An *arrival* (types
//! `friend_added`, `content_view`) says its customer came in through a share (`share_id`) or an
//! inviter (`inviter_id`). Types and the grouping property are set by [`PropagationRules`].
//!
//! **Trees.** Events are grouped by the grouping property (`content_id` by default); an arrival
//! through a known share belongs to that share's tree. Each event that names a parent is a
//! *claim*: "this customer was brought in by that one". Claims are taken in time order (ties by
//! event id), and a claim is accepted unless
//! - the customer was already placed by an earlier claim (the first claim wins),
//! - the customer was already a *seed*: they shared without a known parent before the claim,
//! - it names the customer themself, or
//! - it would close a cycle (the parent was brought in, directly or not, by the customer).
//!
//! A parent share that is not among the events (or in another tree) makes its sharer a seed, with
//! a note. Because the events are taken in one canonical order, one event per id, the trees do not
//! depend on the order events arrive in, and a replayed event changes nothing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::events::distinct;
use super::rules::{PropagationRules, Role};
use super::tree::{Propagation, PropagationTree, Skipped, Spreader, TreeNode};
use crate::Event;
use crate::analytics::Rate;
use crate::error::Result;

/// How a claim names the parent.
#[derive(Debug, Clone, Copy)]
enum Via<'a> {
    /// A share event re-sharing the parent's share.
    ParentShare(&'a str),
    /// An arrival through the parent's share.
    Share(&'a str),
    /// An `inviter_id` property.
    Inviter,
}

#[derive(Debug, Clone, Copy)]
struct Claim<'a> {
    at: DateTime<Utc>,
    event: &'a str,
    child: u32,
    parent: u32,
    via: Via<'a>,
}

#[derive(Default)]
struct NodeBuild<'a> {
    customer: &'a str,
    /// The first share or invite of this customer with no known parent: (time, event id).
    seed: Option<(DateTime<Utc>, &'a str)>,
    shares: u64,
    invites: u64,
    notes: Vec<(DateTime<Utc>, &'a str, String)>,
    parent: Option<(u32, Claim<'a>)>,
}

struct TreeBuild<'a> {
    key: &'a str,
    node_of: HashMap<&'a str, u32>,
    nodes: Vec<NodeBuild<'a>>,
    claims: Vec<Claim<'a>>,
}

impl<'a> TreeBuild<'a> {
    fn node(&mut self, customer: &'a str) -> u32 {
        let next = self.nodes.len() as u32;
        *self.node_of.entry(customer).or_insert_with(|| {
            self.nodes.push(NodeBuild {
                customer,
                ..NodeBuild::default()
            });
            next
        })
    }

    fn at(&mut self, node: u32) -> Option<&mut NodeBuild<'a>> {
        self.nodes.get_mut(node as usize)
    }
}

impl Propagation {
    /// Builds the propagation trees of `events` under `rules`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) for invalid rules, a share, invite
    /// or arrival event with an empty id, customer or type, or events of two tenants.
    ///
    /// ```
    /// use scrm_core::{Event, Propagation, PropagationRules};
    ///
    /// let at = "2026-03-01T00:00:00Z".parse().unwrap();
    /// let share = |id: &str, who: &str, parent: Option<&str>| {
    ///     let mut e = Event::new("acme", id, who, "share", at);
    ///     e.properties.insert("content_id".into(), "tea-guide".into());
    ///     if let Some(p) = parent {
    ///         e.properties.insert("parent_share_id".into(), p.into());
    ///     }
    ///     e
    /// };
    /// let events = [share("s1", "ann", None), share("s2", "bo", Some("s1")), share("s3", "cy", Some("s2"))];
    /// let result = Propagation::build(&events, &PropagationRules::default())?;
    /// let tree = &result.trees[0];
    /// assert_eq!((tree.depth, tree.reach, tree.sharers), (2, 2, 3));
    /// assert_eq!(tree.top_spreaders[0].customer_id, "ann");
    /// # Ok::<(), scrm_core::Error>(())
    /// ```
    pub fn build(events: &[Event], rules: &PropagationRules) -> Result<Propagation> {
        rules.check()?;
        // Each event is read once into a small record: the passes below then walk a compact,
        // cache-friendly list instead of the events' maps and strings.
        let facts: Vec<Fact<'_>> = distinct(events, "events", |e| rules.role(&e.kind).is_some())?
            .into_iter()
            .filter_map(|e| Fact::read(e, rules))
            .collect();
        let mut skipped = Vec::new();
        let mut trees: Vec<TreeBuild<'_>> = Vec::new();
        let mut tree_of: HashMap<&str, usize> = HashMap::new();
        // Shares first, so arrivals and re-shares can find the share they name.
        let mut shares: HashMap<&str, (usize, &str)> = HashMap::with_capacity(facts.len());
        for f in facts.iter().filter(|f| f.role == Role::Share) {
            if let Some(key) = f.key {
                shares.insert(f.id, (tree(&mut trees, &mut tree_of, key), f.customer));
            }
        }
        for f in &facts {
            let known_share = f
                .share
                .and_then(|s| shares.get(s).map(|&(t, who)| (s, t, who)));
            let t = match (known_share, f.key) {
                (Some((_, t, _)), _) => t,
                (None, Some(key)) => tree(&mut trees, &mut tree_of, key),
                (None, None) => {
                    skipped.push(Skipped {
                        event_id: f.id.to_owned(),
                        reason: format!(
                            "{} event has no {:?} property naming its tree",
                            f.kind, rules.group_by
                        ),
                    });
                    continue;
                }
            };
            let Some(b) = trees.get_mut(t) else { continue };
            match f.role {
                Role::Share | Role::Invite => {
                    let child = b.node(f.customer);
                    let parent = match f.parent_share {
                        Some(p) => match shares.get(p) {
                            Some(&(pt, who)) if pt == t => Some((who, Via::ParentShare(p))),
                            _ => {
                                let note = format!(
                                    "parent share {p:?} of share {:?} is not in this tree: treated as a seed",
                                    f.id
                                );
                                if let Some(n) = b.at(child) {
                                    n.notes.push((f.at, f.id, note));
                                }
                                None
                            }
                        },
                        None => f.inviter.map(|i| (i, Via::Inviter)),
                    };
                    if let Some((who, via)) = parent {
                        let parent = b.node(who);
                        b.claims.push(Claim {
                            at: f.at,
                            event: f.id,
                            child,
                            parent,
                            via,
                        });
                    }
                    if let Some(n) = b.at(child) {
                        if f.role == Role::Share {
                            n.shares += 1;
                        } else {
                            n.invites += 1;
                        }
                        if parent.is_none() && n.seed.is_none_or(|s| (f.at, f.id) < s) {
                            n.seed = Some((f.at, f.id));
                        }
                    }
                }
                Role::Arrival => {
                    let parent = match (known_share, f.share, f.inviter) {
                        (Some((s, _, who)), _, _) => Some((who, Via::Share(s))),
                        (None, _, Some(inviter)) => Some((inviter, Via::Inviter)),
                        (None, Some(s), None) => {
                            skipped.push(Skipped {
                                event_id: f.id.to_owned(),
                                reason: format!(
                                    "share {s:?} is not among the events and no inviter_id is given"
                                ),
                            });
                            None
                        }
                        (None, None, None) => {
                            skipped.push(Skipped {
                                event_id: f.id.to_owned(),
                                reason: "arrival names neither a share_id nor an inviter_id"
                                    .to_owned(),
                            });
                            None
                        }
                    };
                    if let Some((who, via)) = parent {
                        let child = b.node(f.customer);
                        let parent = b.node(who);
                        b.claims.push(Claim {
                            at: f.at,
                            event: f.id,
                            child,
                            parent,
                            via,
                        });
                    }
                }
            }
        }
        // A tree whose every event was skipped has no node and is no tree.
        let mut out: Vec<PropagationTree> = trees
            .into_iter()
            .filter(|b| !b.nodes.is_empty())
            .map(|b| finish(b, rules))
            .collect();
        out.sort_by(|a, b| a.key.cmp(&b.key));
        skipped.sort_by(|a, b| a.event_id.cmp(&b.event_id));
        Ok(Propagation {
            trees: out,
            skipped,
        })
    }
}

/// What the analysis needs of one event, read once.
struct Fact<'a> {
    role: Role,
    id: &'a str,
    kind: &'a str,
    customer: &'a str,
    at: DateTime<Utc>,
    /// The grouping property.
    key: Option<&'a str>,
    /// `parent_share_id`, on shares only.
    parent_share: Option<&'a str>,
    /// `share_id`, on arrivals only.
    share: Option<&'a str>,
    /// `inviter_id`, on shares and arrivals.
    inviter: Option<&'a str>,
}

impl<'a> Fact<'a> {
    fn read(e: &'a Event, rules: &PropagationRules) -> Option<Fact<'a>> {
        let role = rules.role(&e.kind)?;
        let only = |wanted: Role, name: &str| {
            if role == wanted {
                e.property_str(name)
            } else {
                None
            }
        };
        Some(Fact {
            role,
            id: &e.id,
            kind: &e.kind,
            customer: &e.customer_id,
            at: e.at,
            key: e.property_str(&rules.group_by),
            parent_share: only(Role::Share, "parent_share_id"),
            share: only(Role::Arrival, "share_id"),
            inviter: if role == Role::Invite {
                None
            } else {
                e.property_str("inviter_id")
            },
        })
    }
}

/// The index of the tree of `key`, made on first use.
fn tree<'a>(
    trees: &mut Vec<TreeBuild<'a>>,
    tree_of: &mut HashMap<&'a str, usize>,
    key: &'a str,
) -> usize {
    *tree_of.entry(key).or_insert_with(|| {
        trees.push(TreeBuild {
            key,
            node_of: HashMap::new(),
            nodes: Vec::new(),
            claims: Vec::new(),
        });
        trees.len() - 1
    })
}

/// Union-find over the nodes of one tree: two nodes are in one set when they are in one
/// connected piece of the forest built so far.
struct Sets {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl Sets {
    fn new(n: usize) -> Sets {
        Sets {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        let mut root = x;
        while let Some(&p) = self.parent.get(root as usize) {
            if p == root {
                break;
            }
            root = p;
        }
        while let Some(slot) = self.parent.get_mut(x as usize) {
            if *slot == root {
                break;
            }
            let next = *slot;
            *slot = root;
            x = next;
        }
        root
    }

    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        let size = |s: &Sets, x: u32| s.size.get(x as usize).copied().unwrap_or(1);
        let (big, small) = if size(self, a) >= size(self, b) {
            (a, b)
        } else {
            (b, a)
        };
        let total = size(self, a) + size(self, b);
        if let Some(p) = self.parent.get_mut(small as usize) {
            *p = big;
        }
        if let Some(s) = self.size.get_mut(big as usize) {
            *s = total;
        }
    }
}

/// Accepts or refuses the claims of a tree, in canonical order.
fn place(b: &mut TreeBuild<'_>) {
    b.claims
        .sort_unstable_by(|x, y| (x.at, x.event).cmp(&(y.at, y.event)));
    let mut sets = Sets::new(b.nodes.len());
    let claims = std::mem::take(&mut b.claims);
    for claim in &claims {
        let parent_name = b
            .nodes
            .get(claim.parent as usize)
            .map_or("", |n| n.customer);
        let refusal = {
            let Some(child) = b.nodes.get(claim.child as usize) else {
                continue;
            };
            if claim.child == claim.parent {
                Some("names the customer themself".to_owned())
            } else if let Some((p, _)) = child.parent {
                let by = b.nodes.get(p as usize).map_or("", |n| n.customer);
                Some(format!("already reached through {by}"))
            } else if let Some((t, e)) = child.seed.filter(|&(t, _)| t < claim.at) {
                Some(format!(
                    "already a seed: shared at {} (event {e})",
                    t.to_rfc3339()
                ))
            } else if sets.find(claim.parent) == sets.find(claim.child) {
                Some(format!(
                    "would close a cycle: {parent_name} was reached through this customer"
                ))
            } else {
                None
            }
        };
        match refusal {
            Some(why) => {
                let note = format!(
                    "ignored claim by {parent_name} (event {}) at {}: {why}",
                    claim.event,
                    claim.at.to_rfc3339()
                );
                if let Some(n) = b.at(claim.child) {
                    n.notes.push((claim.at, claim.event, note));
                }
            }
            None => {
                sets.union(claim.parent, claim.child);
                if let Some(n) = b.at(claim.child) {
                    n.parent = Some((claim.parent, *claim));
                }
            }
        }
    }
}

/// Places the claims, then measures the tree: depths, subtree sizes, K-factor, spreaders.
fn finish(mut b: TreeBuild<'_>, rules: &PropagationRules) -> PropagationTree {
    place(&mut b);
    let n = b.nodes.len();
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for (i, node) in b.nodes.iter().enumerate() {
        match node.parent {
            Some((p, _)) => {
                if let Some(list) = children.get_mut(p as usize) {
                    list.push(i as u32);
                }
            }
            None => roots.push(i as u32),
        }
    }
    // Breadth first from the seeds: the forest has no cycle, so every node is visited once.
    let mut depth = vec![0u32; n];
    let mut order: Vec<u32> = roots.clone();
    let mut next = 0;
    while let Some(&x) = order.get(next) {
        next += 1;
        let d = depth.get(x as usize).copied().unwrap_or(0);
        for &c in children
            .get(x as usize)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            if let Some(slot) = depth.get_mut(c as usize) {
                *slot = d + 1;
            }
            order.push(c);
        }
    }
    let mut descendants = vec![0u64; n];
    for &x in order.iter().rev() {
        if let Some((p, _)) = b.nodes.get(x as usize).and_then(|node| node.parent) {
            let add = descendants.get(x as usize).copied().unwrap_or(0) + 1;
            if let Some(slot) = descendants.get_mut(p as usize) {
                *slot += add;
            }
        }
    }
    let max_depth = depth.iter().copied().max().unwrap_or(0);
    let mut levels = vec![0u64; max_depth as usize + 1];
    for &d in &depth {
        if let Some(slot) = levels.get_mut(d as usize) {
            *slot += 1;
        }
    }
    let reach = (n - roots.len()) as u64;
    let sharers = b.nodes.iter().filter(|x| x.shares + x.invites > 0).count() as u64;
    let invites: u64 = b.nodes.iter().map(|x| x.shares + x.invites).sum();
    let child_count = |i: usize| children.get(i).map_or(0, Vec::len) as u64;
    let mut ranked: Vec<usize> = (0..n)
        .filter(|&i| descendants.get(i).copied().unwrap_or(0) > 0)
        .collect();
    ranked.sort_unstable_by(|&x, &y| {
        let (dx, dy) = (descendants.get(x), descendants.get(y));
        dy.cmp(&dx).then_with(|| {
            let name = |i: usize| b.nodes.get(i).map_or("", |node| node.customer);
            name(x).cmp(name(y))
        })
    });
    let top_spreaders = ranked
        .iter()
        .take(rules.top)
        .filter_map(|&i| {
            Some(Spreader {
                customer_id: b.nodes.get(i)?.customer.to_owned(),
                descendants: descendants.get(i).copied().unwrap_or(0),
                children: child_count(i),
            })
        })
        .collect();
    let nodes = if rules.include_nodes {
        let names: Vec<&str> = b.nodes.iter().map(|node| node.customer).collect();
        let mut nodes: Vec<TreeNode> = b
            .nodes
            .iter_mut()
            .enumerate()
            .map(|(i, node)| {
                let measures = Measures {
                    depth: depth.get(i).copied().unwrap_or(0),
                    descendants: descendants.get(i).copied().unwrap_or(0),
                    children: child_count(i),
                };
                explain(node, &names, measures)
            })
            .collect();
        nodes.sort_by(|x, y| x.customer_id.cmp(&y.customer_id));
        nodes
    } else {
        Vec::new()
    };
    PropagationTree {
        key: b.key.to_owned(),
        depth: max_depth,
        reach,
        participants: n as u64,
        sharers,
        invites,
        invites_per_sharer: Rate::of(invites, sharers),
        conversion: Rate::of(reach, invites),
        k_factor: Rate::of(reach, sharers),
        levels,
        top_spreaders,
        nodes,
    }
}

/// Where a node sits, measured after placing.
struct Measures {
    depth: u32,
    descendants: u64,
    children: u64,
}

fn explain(node: &mut NodeBuild<'_>, names: &[&str], m: Measures) -> TreeNode {
    let parent = node
        .parent
        .map(|(p, claim)| (names.get(p as usize).copied().unwrap_or(""), claim));
    let reason = match (parent, node.seed) {
        (Some((by, claim)), _) => {
            let how = match claim.via {
                Via::ParentShare(s) => format!("re-shared share {s} of {by}"),
                Via::Share(s) => format!("arrived through share {s} of {by}"),
                Via::Inviter => format!("invited by {by} (inviter_id)"),
            };
            format!(
                "reached: {how}, event {} at {}",
                claim.event,
                claim.at.to_rfc3339()
            )
        }
        (None, Some((at, e))) => format!(
            "seed: shared with no known parent, event {e} at {}",
            at.to_rfc3339()
        ),
        (None, None) if node.notes.is_empty() => {
            "seed: named as the inviter of others, with no share or invite of their own".to_owned()
        }
        (None, None) => "seed: every claim on this customer was ignored (see notes)".to_owned(),
    };
    node.notes.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    TreeNode {
        customer_id: node.customer.to_owned(),
        parent: parent.map(|(by, _)| by.to_owned()),
        via_event: parent.map(|(_, claim)| claim.event.to_owned()),
        depth: m.depth,
        children: m.children,
        descendants: m.descendants,
        shares: node.shares,
        invites: node.invites,
        reason,
        notes: node.notes.iter().map(|(_, _, n)| n.clone()).collect(),
    }
}
