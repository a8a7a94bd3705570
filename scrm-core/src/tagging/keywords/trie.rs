//! The keyword trie with its failure and dictionary links, before flattening into
//! [`super::KeywordMatcher`]'s arrays.

use std::collections::{BTreeMap, VecDeque};

use super::{NONE, Node, ROOT, len_u32};

/// The trie with its links.
pub(super) struct Trie {
    pub children: Vec<BTreeMap<u32, Node>>,
    pub outputs: Vec<Vec<u32>>,
    /// Failure link: the longest proper suffix of the node's string that is also in the trie.
    pub fail: Vec<Node>,
    /// The nearest node down the failure chain that has outputs, or `NONE`.
    pub dict: Vec<Node>,
}

impl Trie {
    pub(super) fn build(patterns: &[Vec<u32>]) -> Trie {
        let mut children: Vec<BTreeMap<u32, Node>> = vec![BTreeMap::new()];
        let mut outputs: Vec<Vec<u32>> = vec![Vec::new()];
        for (p, pattern) in patterns.iter().enumerate() {
            if pattern.is_empty() {
                continue;
            }
            let mut node = ROOT as usize;
            for &class in pattern {
                let fresh = len_u32(&children);
                let next = *children[node].entry(class).or_insert(fresh);
                if next == fresh {
                    children.push(BTreeMap::new());
                    outputs.push(Vec::new());
                }
                node = next as usize;
            }
            outputs[node].push(len_u32(&patterns[..p]));
        }

        // Breadth first, so a node's failure target (shallower) is linked before the node.
        let mut fail = vec![ROOT; children.len()];
        let mut dict = vec![NONE; children.len()];
        let mut queue: VecDeque<Node> = children[0].values().copied().collect();
        while let Some(node) = queue.pop_front() {
            let edges: Vec<(u32, Node)> = children[node as usize]
                .iter()
                .map(|(&c, &n)| (c, n))
                .collect();
            for (class, child) in edges {
                let mut f = fail[node as usize];
                let target = loop {
                    if let Some(&t) = children[f as usize].get(&class) {
                        break t;
                    }
                    if f == ROOT {
                        break ROOT;
                    }
                    f = fail[f as usize];
                };
                fail[child as usize] = if target == child { ROOT } else { target };
                let ft = fail[child as usize] as usize;
                dict[child as usize] = if outputs[ft].is_empty() {
                    dict[ft]
                } else {
                    ft as Node
                };
                queue.push_back(child);
            }
        }
        Trie {
            children,
            outputs,
            fail,
            dict,
        }
    }

    /// The same trie with nodes numbered breadth first (the root 0, then its children, ...), so
    /// the shallow nodes form a prefix of the numbering.
    pub(super) fn breadth_first(self) -> Trie {
        let n = self.children.len();
        let mut order: Vec<Node> = Vec::with_capacity(n);
        let mut queue: VecDeque<Node> = VecDeque::from([ROOT]);
        while let Some(node) = queue.pop_front() {
            order.push(node);
            queue.extend(self.children[node as usize].values().copied());
        }
        let mut new_id = vec![NONE; n];
        for (i, &old) in order.iter().enumerate() {
            new_id[old as usize] = len_u32(&order[..i]);
        }
        let map = |node: Node| {
            if node == NONE {
                NONE
            } else {
                new_id[node as usize]
            }
        };
        let pick = |old: &Node| *old as usize;
        Trie {
            children: order
                .iter()
                .map(|old| {
                    self.children[pick(old)]
                        .iter()
                        .map(|(&c, &child)| (c, map(child)))
                        .collect()
                })
                .collect(),
            outputs: order
                .iter()
                .map(|old| self.outputs[pick(old)].clone())
                .collect(),
            fail: order.iter().map(|old| map(self.fail[pick(old)])).collect(),
            dict: order.iter().map(|old| map(self.dict[pick(old)])).collect(),
        }
    }
}
