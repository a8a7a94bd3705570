//! The keyword matcher: a character-level Aho-Corasick automaton over folded text.
//!
//! Keyword rules run on every chat message, so this is the hottest loop of tagging. A byte-level
//! automaton (the `aho-corasick` crate's DFA) walks three steps per Chinese character through a
//! table of several megabytes, and measured 10 ns per byte here: cache misses, not work. This
//! automaton steps once per *character*, over a small alphabet: each character that occurs in
//! some keyword gets a class number, every other character is class 0, which no keyword
//! contains. The trie lives in flat arrays (children sorted per node), numbered breadth first;
//! the root and the depth-1 nodes also get dense rows of 16-bit transitions with the failure
//! links resolved. A random character rarely continues a keyword, so nearly every step leaves
//! from one of those nodes and costs one load from a table that stays in cache (61 KB for 2,000
//! keywords over 174 characters); deeper nodes walk their children and failure links.
//!
//! Folding (NFC, width, case) is fused into the scan: characters go from the message straight
//! into the automaton, so a message is read once and nothing is allocated.
//!
//! Matches are *overlapping*: every occurrence of every keyword is reported, so `价格` and
//! `格优` both match in `价格优`. The search is linear in the text plus the matches reported.

use std::collections::{BTreeMap, HashMap, VecDeque};

use super::normalize::fold_each;

/// A node number in the trie; the root is 0.
type Node = u32;
/// The most entries of the dense table (2 bytes each: 512 KiB).
const DENSE_CAP: usize = 1 << 18;
/// In the 16-bit tables, "does not fit: take the slow path" (a class or node number this large
/// needs more than 65,534 distinct keyword characters or trie nodes).
const FAR: u16 = u16::MAX;
const ROOT: Node = 0;
/// "No node", for dictionary links.
const NONE: Node = u32::MAX;

/// Keywords compiled into one automaton. Patterns are reported by their index in the list
/// given to [`KeywordMatcher::new`].
pub(crate) struct KeywordMatcher {
    /// Class of each character below `class_bmp.len()`; 0 for characters in no keyword.
    /// 16 bits keep the table and the dense rows small enough to stay in cache; [`FAR`] sends
    /// the lookup to `class_other`.
    class_bmp: Vec<u16>,
    /// Classes of the few keyword characters beyond the table (astral plane ideographs, emoji).
    class_other: HashMap<char, u32>,
    /// Full transitions (failure links resolved) of the shallow nodes, row per node, column per
    /// class: nodes are numbered breadth first, so the root and the depth-1 nodes come first and
    /// `dense_rows` of them have a row. Most steps of a scan leave from one of these (a random
    /// character rarely continues a keyword), and then a step is one load from a table that
    /// stays in cache; the table is capped at [`DENSE_CAP`] entries.
    dense: Vec<u16>,
    dense_rows: u32,
    class_count: u32,
    /// Children of node `n`: `(class, node)` pairs in `edges[first_child[n]..first_child[n + 1]]`,
    /// sorted by class; a pair shares its cache line with its neighbours, so the short scan
    /// below touches one or two lines.
    first_child: Vec<u32>,
    edges: Vec<(u32, Node)>,
    /// Failure link: the longest proper suffix of the node's string that is also in the trie.
    fail: Vec<Node>,
    /// Patterns ending exactly at node `n`: `outputs[first_output[n]..first_output[n + 1]]`.
    first_output: Vec<u32>,
    outputs: Vec<u32>,
    /// The nearest node down the failure chain that has outputs, or `NONE`.
    dict: Vec<Node>,
}

impl KeywordMatcher {
    /// Compiles `patterns`, which must already be folded (see [`super::fold`]). Empty patterns
    /// never match.
    pub(crate) fn new<S: AsRef<str>>(patterns: &[S]) -> KeywordMatcher {
        KeywordMatcher::with_far(patterns, FAR)
    }

    /// [`KeywordMatcher::new`] with numbers from `far` up kept out of the 16-bit tables: tests
    /// pass a small `far` to run the slow paths.
    fn with_far<S: AsRef<str>>(patterns: &[S], far: u16) -> KeywordMatcher {
        let mut classes: HashMap<char, u32> = HashMap::new();
        let encoded: Vec<Vec<u32>> = patterns
            .iter()
            .map(|p| {
                p.as_ref()
                    .chars()
                    .map(|c| {
                        let next = u32::try_from(classes.len() + 1).unwrap_or(u32::MAX);
                        *classes.entry(c).or_insert(next)
                    })
                    .collect()
            })
            .collect();
        let class_count = classes.len() + 1;

        // The direct table covers the Basic Multilingual Plane up to the highest keyword
        // character in it: 80 KB for CJK keywords, a few bytes for Latin ones.
        let bmp_end = classes
            .keys()
            .map(|&c| c as usize)
            .filter(|&c| c < 0x1_0000)
            .max()
            .map_or(0, |c| c + 1);
        let mut class_bmp = vec![0; bmp_end];
        let mut class_other = HashMap::new();
        for (&c, &class) in &classes {
            match (class_bmp.get_mut(c as usize), u16::try_from(class)) {
                (Some(slot), Ok(small)) if small < far => *slot = small,
                (slot, _) => {
                    if let Some(slot) = slot {
                        *slot = FAR;
                    }
                    class_other.insert(c, class);
                }
            }
        }

        let trie = Trie::build(&encoded).breadth_first();
        let shallow = 1 + trie.children[0].len();
        let dense_rows = shallow.min(DENSE_CAP / class_count).max(1);
        let narrow = |node: Node| match u16::try_from(node) {
            Ok(small) if small < far => small,
            _ => FAR,
        };
        let mut root_row = vec![ROOT; class_count];
        for (&class, &node) in &trie.children[0] {
            if let Some(slot) = root_row.get_mut(class as usize) {
                *slot = node;
            }
        }
        let mut dense = vec![0u16; dense_rows * class_count];
        for (slot, &node) in dense.iter_mut().zip(&root_row) {
            *slot = narrow(node);
        }
        // Rows of depth-1 nodes: a child where there is one, else where the root goes (their
        // failure link is the root).
        for row in 1..dense_rows {
            for class in 0..class_count {
                let next = match trie.children[row].get(&(class as u32)) {
                    Some(&child) => child,
                    None => root_row[class],
                };
                dense[row * class_count + class] = narrow(next);
            }
        }
        let mut first_child = Vec::with_capacity(trie.children.len() + 1);
        let mut edges = Vec::new();
        let mut first_output = Vec::with_capacity(trie.children.len() + 1);
        let mut outputs = Vec::new();
        for (children, outs) in trie.children.iter().zip(&trie.outputs) {
            first_child.push(len_u32(&edges));
            edges.extend(children.iter().map(|(&class, &node)| (class, node)));
            first_output.push(len_u32(&outputs));
            outputs.extend_from_slice(outs);
        }
        first_child.push(len_u32(&edges));
        first_output.push(len_u32(&outputs));

        KeywordMatcher {
            class_bmp,
            class_other,
            dense,
            dense_rows: u32::try_from(dense_rows).unwrap_or(u32::MAX),
            class_count: u32::try_from(class_count).unwrap_or(u32::MAX),
            first_child,
            edges,
            fail: trie.fail,
            first_output,
            outputs,
            dict: trie.dict,
        }
    }

    /// Calls `found` with the pattern index of every keyword occurrence in the folded form of
    /// `text`, in the order their ends appear (several ending at one character: longest first).
    pub(crate) fn for_each_match(&self, text: &str, mut found: impl FnMut(usize)) {
        let mut state = ROOT;
        fold_each(text, |c| {
            state = self.step(state, self.class_of(c));
            let mut node = if self.has_outputs(state) {
                state
            } else {
                self.at(&self.dict, state)
            };
            while node != NONE {
                let (from, to) = (
                    self.at(&self.first_output, node),
                    self.at(&self.first_output, node + 1),
                );
                for &p in self
                    .outputs
                    .get(from as usize..to as usize)
                    .unwrap_or_default()
                {
                    found(p as usize);
                }
                node = self.at(&self.dict, node);
            }
        });
    }

    fn class_of(&self, c: char) -> u32 {
        match self.class_bmp.get(c as usize) {
            Some(&class) if class != FAR => u32::from(class),
            None if (c as u32) < 0x1_0000 => 0,
            _ => self.class_other.get(&c).copied().unwrap_or(0),
        }
    }

    fn step(&self, mut state: Node, class: u32) -> Node {
        loop {
            if state < self.dense_rows {
                let at = state as usize * self.class_count as usize + class as usize;
                match self.dense.get(at) {
                    Some(&next) if next != FAR => return u32::from(next),
                    _ => {} // does not fit 16 bits: the trie itself below
                }
            }
            if let Some(next) = self.child(state, class) {
                return next;
            }
            if state == ROOT {
                return ROOT;
            }
            state = self.at(&self.fail, state);
        }
    }

    fn child(&self, node: Node, class: u32) -> Option<Node> {
        let (from, to) = (
            self.at(&self.first_child, node),
            self.at(&self.first_child, node + 1),
        );
        let edges = self.edges.get(from as usize..to as usize)?;
        // Nodes below the root have few children: a scan of adjacent pairs (independent loads)
        // beats a binary search (a chain of dependent ones) up to a few dozen.
        let found = if edges.len() <= 32 {
            edges.iter().find(|e| e.0 == class)
        } else {
            edges
                .binary_search_by_key(&class, |e| e.0)
                .ok()
                .and_then(|i| edges.get(i))
        };
        found.map(|e| e.1)
    }

    fn has_outputs(&self, node: Node) -> bool {
        self.at(&self.first_output, node) != self.at(&self.first_output, node + 1)
    }

    /// `table[node]`; the tables are built together, so a node is always in range, and a miss
    /// (a bug) ends the walk at the root rather than panicking.
    fn at(&self, table: &[u32], node: Node) -> u32 {
        table.get(node as usize).copied().unwrap_or(ROOT)
    }
}

fn len_u32<T>(v: &[T]) -> u32 {
    u32::try_from(v.len()).unwrap_or(u32::MAX)
}

/// The trie with its links, before flattening.
struct Trie {
    children: Vec<BTreeMap<u32, Node>>,
    outputs: Vec<Vec<u32>>,
    fail: Vec<Node>,
    dict: Vec<Node>,
}

impl Trie {
    fn build(patterns: &[Vec<u32>]) -> Trie {
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
    fn breadth_first(self) -> Trie {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tagging::fold;
    use proptest::prelude::*;

    /// Every (pattern, end) pair found by brute force over the folded text, sorted.
    fn naive(patterns: &[String], text: &str) -> Vec<usize> {
        let folded: Vec<char> = fold(text).chars().collect();
        let mut found = Vec::new();
        for end in 1..=folded.len() {
            for (i, p) in patterns.iter().enumerate() {
                let p: Vec<char> = p.chars().collect();
                if !p.is_empty() && p.len() <= end && folded[end - p.len()..end] == p[..] {
                    found.push(i);
                }
            }
        }
        found.sort_unstable();
        found
    }

    fn matched(patterns: &[String], text: &str) -> Vec<usize> {
        let mut found = Vec::new();
        KeywordMatcher::new(patterns).for_each_match(text, |p| found.push(p));
        found.sort_unstable();
        // Numbers beyond the 16-bit tables take the slow paths, with the same matches.
        for far in [1, 3, 6] {
            let mut slow = Vec::new();
            KeywordMatcher::with_far(patterns, far).for_each_match(text, |p| slow.push(p));
            slow.sort_unstable();
            assert_eq!(slow, found, "far = {far}");
        }
        found
    }

    fn strings(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn finds_overlapping_and_nested_keywords() {
        let patterns = strings(&["价格", "格优", "价格优惠", "优惠", "惠"]);
        assert_eq!(matched(&patterns, "这个价格优惠吗"), vec![0, 1, 2, 3, 4]);
        assert_eq!(matched(&patterns, "价价格格"), vec![0]);
        assert_eq!(matched(&patterns, "没有"), Vec::<usize>::new());
    }

    #[test]
    fn folds_width_and_case_while_scanning() {
        let patterns = strings(&["vip", "café"]);
        assert_eq!(matched(&patterns, "我是ＶＩＰ客户"), vec![0]);
        assert_eq!(matched(&patterns, "Vip"), vec![0]);
        assert_eq!(matched(&patterns, "CAFE\u{301} au lait"), vec![1]);
    }

    #[test]
    fn repeated_and_duplicate_patterns_are_each_reported() {
        let patterns = strings(&["茶", "茶", ""]);
        assert_eq!(matched(&patterns, "茶茶"), vec![0, 0, 1, 1]);
    }

    #[test]
    fn astral_characters_match() {
        let patterns = strings(&["𠮷野家", "🍵"]);
        assert_eq!(matched(&patterns, "去𠮷野家喝🍵"), vec![0, 1]);
        assert_eq!(matched(&patterns, "去吉野家"), Vec::<usize>::new());
    }

    /// Enough distinct characters that only some depth-1 nodes get a dense row: the rest step
    /// through their children and failure links, with the same matches.
    #[test]
    fn a_large_alphabet_beyond_the_dense_cap_matches_the_same() {
        let ideograph = |i: u32| char::from_u32(0x4E00 + i).unwrap_or('?');
        let patterns: Vec<String> = (0..800u32)
            .map(|i| {
                [ideograph(i), ideograph((i * 7 + 3) % 900), ideograph(i % 5)]
                    .iter()
                    .collect()
            })
            .collect();
        let matcher = KeywordMatcher::new(&patterns);
        assert!((matcher.dense_rows as usize) < 1 + 800, "the cap applies");
        let text: String = (0..3000u32)
            .map(|i| ideograph((i * 13) % 901))
            .collect::<String>()
            + &patterns[799]
            + &patterns[0];
        let mut found = Vec::new();
        matcher.for_each_match(&text, |p| found.push(p));
        found.sort_unstable();
        assert_eq!(found, naive(&patterns, &text));
        assert!(found.contains(&799) && found.contains(&0));
    }

    proptest! {
        #[test]
        fn agrees_with_brute_force(
            patterns in prop::collection::vec("[价格优惠aAｂb茶 ]{0,4}", 0..12),
            text in "[价格优惠aAｂbB茶 \u{301}x]{0,40}",
        ) {
            let patterns: Vec<String> = patterns.iter().map(|p| fold(p)).collect();
            prop_assert_eq!(matched(&patterns, &text), naive(&patterns, &text));
        }
    }
}
