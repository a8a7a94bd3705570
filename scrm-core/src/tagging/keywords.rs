//! The keyword matcher: a character-level Aho-Corasick automaton over folded text, entered only
//! where a keyword can continue.
//!
//! Keyword rules run on every chat message, so this is the hottest loop of tagging. A byte-level
//! automaton (the `aho-corasick` crate's DFA) walks three steps per Chinese character through a
//! table of several megabytes. This automaton steps once per *character*, over a small
//! alphabet: each character that occurs in some keyword gets a class number, every other
//! character is class 0, which no keyword contains. The trie lives in flat arrays (children
//! sorted per node), numbered breadth first.
//!
//! Most of a scan does not walk the automaton at all. While the automaton is at the root or a
//! depth-1 node, its node is a function of the last character alone (the depth-1 node of that
//! character, or the root), so there is nothing to carry from step to step: the scan only asks,
//! per character, whether the pair (previous character, this character) begins some keyword (a
//! bit table of pairs, 3.8 KB for 2,000 keywords over 174 characters) and whether this
//! character is a one-character keyword. Only when a pair begins a keyword does the scan enter
//! the automaton, at the depth-2 node, and it leaves as soon as the automaton falls back to
//! depth 1. So the common step is a few independent loads from small tables that the processor
//! overlaps, not a chain of dependent loads through a large transition table, and the matches
//! are exactly the automaton's, in its order. (An earlier version had dense transition rows for
//! the shallow nodes: 512 KB for these keywords, and its loads were the scan's hot spot.)
//!
//! Folding (NFC, width, case) is fused into the scan: each character's folded class comes from
//! one table lookup (see [`simple`]), so a message is read once and nothing is allocated. A
//! message with a character that does not fold on its own (a combining mark, ...) is scanned
//! again through the full normalisation; the caller is told to forget what the first attempt
//! reported ([`Hit::Restart`]).
//!
//! Matches are *overlapping*: every occurrence of every keyword is reported, so `价格` and
//! `格优` both match in `价格优`. The search is linear in the text plus the matches reported
//! (Aho-Corasick: the failure links walked never outnumber the characters read).
//!
//! Memory is bounded whatever the keywords: the character table is 128 KiB (and one shared
//! table of simple folds, 128 KiB per process), the pair bits at most [`PAIR_CAP`] bits
//! (512 KiB; pairs beyond it are looked up in the trie), and the trie is linear in the total
//! length of the keywords.

mod simple;
mod trie;

use std::collections::HashMap;

use super::normalize::fold_each;
use trie::Trie;

/// A node number in the trie; the root is 0.
type Node = u32;
/// The most bits of the pair table (512 KiB).
const PAIR_CAP: usize = 1 << 22;
/// In the character table: "take the normalising scan": the character does not fold on its
/// own, or its class does not fit 16 bits (more than 65,534 distinct keyword characters).
const FAR: u16 = u16::MAX;
const ROOT: Node = 0;
/// "No node", for dictionary links.
const NONE: Node = u32::MAX;

/// What a scan reports, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Hit {
    /// The keyword with this index (in the list given to [`KeywordMatcher::new`]) ends here.
    Pattern(usize),
    /// Forget every hit reported so far: the text is scanned again from its start.
    Restart,
}

/// Keywords compiled into one automaton.
pub(crate) struct KeywordMatcher {
    /// Class of the folded form of each character of the Basic Multilingual Plane, by code
    /// point; [`FAR`] where the character does not fold on its own or its class does not fit.
    class_bmp: Vec<u16>,
    /// Class of every keyword character (the folded forms): for astral characters and the
    /// normalising scan.
    classes: HashMap<char, u32>,
    /// Classes `1..=singles` are one-character keywords; `1..=firsts` begin some keyword
    /// (depth-1 nodes); the rest occur only later in keywords.
    singles: u32,
    firsts: u32,
    class_count: u32,
    /// Bit `(a - 1) * class_count + b`: the depth-1 node of class `a` has a child on class `b`.
    pairs: Vec<u64>,
    /// Bit `n`: node `n` ends some keyword, itself or down its dictionary links.
    emits: Vec<u64>,
    /// Children of node `n`: `(class, node)` pairs in `edges[first_child[n]..first_child[n + 1]]`,
    /// sorted by class.
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
        KeywordMatcher::with_limits(patterns, FAR, PAIR_CAP)
    }

    /// [`KeywordMatcher::new`] with classes from `far` up kept out of the character table and
    /// at most `pair_cap` pair bits: tests pass small ones to run the slow paths.
    fn with_limits<S: AsRef<str>>(patterns: &[S], far: u16, pair_cap: usize) -> KeywordMatcher {
        // Classes: one-character keywords first, then the other first characters, then the
        // rest, each in order of appearance; so "is a single" and "is a first" are compares.
        let mut order: Vec<char> = Vec::new();
        let mut rank: HashMap<char, u8> = HashMap::new();
        for p in patterns {
            let p = p.as_ref();
            let mut chars = p.chars();
            let first = chars.next();
            let single = first.is_some() && chars.next().is_none();
            for (i, c) in p.chars().enumerate() {
                let r = match (i, single) {
                    (0, true) => 0,
                    (0, false) => 1,
                    _ => 2,
                };
                let slot = rank.entry(c).or_insert_with(|| {
                    order.push(c);
                    r
                });
                *slot = (*slot).min(r);
            }
        }
        order.sort_by_key(|c| rank.get(c).copied().unwrap_or(2)); // stable
        let count_rank = |most: u8| {
            let n = order
                .iter()
                .filter(|c| rank.get(c).is_some_and(|&r| r <= most))
                .count();
            u32::try_from(n).unwrap_or(u32::MAX)
        };
        let (singles, firsts) = (count_rank(0), count_rank(1));
        let classes: HashMap<char, u32> = order
            .iter()
            .enumerate()
            .map(|(i, &c)| (c, u32::try_from(i + 1).unwrap_or(u32::MAX)))
            .collect();
        let class_count = order.len() + 1;

        // The character table: the class of each character's folded form, by code point.
        let mut by_folded = vec![0u16; 0x1_0000];
        for (&c, &class) in &classes {
            if let Some(slot) = by_folded.get_mut(c as usize) {
                *slot = match u16::try_from(class) {
                    Ok(small) if small < far => small,
                    _ => FAR,
                };
            }
        }
        let class_bmp: Vec<u16> = simple::bmp()
            .iter()
            .map(|&f| {
                if f == simple::NOT_SIMPLE {
                    FAR
                } else {
                    by_folded.get(usize::from(f)).copied().unwrap_or(0)
                }
            })
            .collect();

        let encoded: Vec<Vec<u32>> = patterns
            .iter()
            .map(|p| {
                p.as_ref()
                    .chars()
                    .map(|c| classes.get(&c).copied().unwrap_or(0))
                    .collect()
            })
            .collect();
        let trie = Trie::build(&encoded).breadth_first();
        let nodes = trie.children.len();
        // The root's children are the first classes, 1..=firsts, numbered in order right
        // after the root: the depth-1 node of class `c` is node `c`.
        let pair_bits = (firsts as usize).saturating_mul(class_count).min(pair_cap);
        let mut pairs = vec![0u64; pair_bits.div_ceil(64)];
        for node in 1..=firsts as usize {
            for &child_class in trie.children.get(node).into_iter().flat_map(|c| c.keys()) {
                let bit = (node - 1)
                    .saturating_mul(class_count)
                    .saturating_add(child_class as usize);
                if let Some(word) = pairs.get_mut(bit / 64) {
                    *word |= 1 << (bit % 64);
                }
            }
        }
        let mut emits = vec![0u64; nodes.div_ceil(64)];
        for (node, (outs, &dict)) in trie.outputs.iter().zip(&trie.dict).enumerate() {
            if !outs.is_empty() || dict != NONE {
                if let Some(word) = emits.get_mut(node / 64) {
                    *word |= 1 << (node % 64);
                }
            }
        }

        let mut first_child = Vec::with_capacity(nodes + 1);
        let mut edges = Vec::new();
        let mut first_output = Vec::with_capacity(nodes + 1);
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
            classes,
            singles,
            firsts,
            class_count: u32::try_from(class_count).unwrap_or(u32::MAX),
            pairs,
            emits,
            first_child,
            edges,
            fail: trie.fail,
            first_output,
            outputs,
            dict: trie.dict,
        }
    }

    /// Reports every keyword occurrence in the folded form of `text` to `hit`, in the order
    /// their ends appear (several ending at one character: longest first). When the text needs
    /// the full normalisation, the hits found so far are followed by [`Hit::Restart`] and then
    /// all hits of the text.
    pub(crate) fn scan(&self, text: &str, mut hit: impl FnMut(Hit)) {
        let simple = text.chars().map(|c| self.simple_class(c));
        if self.run(simple, &mut hit) {
            return;
        }
        hit(Hit::Restart);
        let mut classes = Vec::with_capacity(text.len());
        fold_each(text, |c| {
            classes.push(Some(self.classes.get(&c).copied().unwrap_or(0)));
        });
        self.run(classes.into_iter(), &mut hit);
    }

    /// The class of `c`'s folded form, or `None` when `c` does not fold on its own.
    fn simple_class(&self, c: char) -> Option<u32> {
        match self.class_bmp.get(c as usize) {
            Some(&FAR) => None,
            Some(&class) => Some(u32::from(class)),
            None => simple::simple_fold(c).map(|f| self.classes.get(&f).copied().unwrap_or(0)),
        }
    }

    /// Runs the automaton over a text given as classes; returns `false`, having stopped, at the
    /// first `None`.
    fn run(&self, classes: impl Iterator<Item = Option<u32>>, hit: &mut impl FnMut(Hit)) -> bool {
        // `deep` is the automaton's node while it is below depth 1; at the root or depth 1 the
        // node is the previous class (or the root when that class begins no keyword), so it is
        // not tracked (`deep == ROOT`).
        let mut prev = 0;
        let mut deep = ROOT;
        for class in classes {
            let Some(class) = class else {
                return false;
            };
            if deep != ROOT || self.pair(prev, class) {
                let from = if deep == ROOT { prev } else { deep };
                deep = self.step(from, class);
                if self.emits(deep) {
                    self.emit(deep, hit);
                }
                if deep <= self.firsts {
                    deep = ROOT;
                }
            } else if class != 0 && class <= self.singles {
                self.emit(class, hit);
            }
            prev = class;
        }
        true
    }

    /// Whether the depth-1 node `prev` (node numbers and classes agree there) may have a child
    /// on `class` (`true` also beyond the pair table: the trie then decides).
    fn pair(&self, prev: u32, class: u32) -> bool {
        if prev == 0 || prev > self.firsts {
            return false;
        }
        let bit = (prev as usize - 1)
            .checked_mul(self.class_count as usize)
            .and_then(|b| b.checked_add(class as usize));
        match bit.and_then(|b| self.pairs.get(b / 64).map(|w| (w, b % 64))) {
            Some((word, at)) => word >> at & 1 == 1,
            None => true,
        }
    }

    /// The automaton's move from `state` on `class`: the child, else the move of the failure
    /// target; from the root or depth 1, the pair table and the class decide.
    fn step(&self, mut state: Node, class: u32) -> Node {
        loop {
            if state <= self.firsts {
                if self.pair(state, class) {
                    if let Some(next) = self.child(state, class) {
                        return next;
                    }
                }
                return if class <= self.firsts { class } else { ROOT };
            }
            if let Some(next) = self.child(state, class) {
                return next;
            }
            state = self.at(&self.fail, state);
        }
    }

    fn emits(&self, node: Node) -> bool {
        let node = node as usize;
        self.emits
            .get(node / 64)
            .is_some_and(|w| w >> (node % 64) & 1 == 1)
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

    /// Reports the patterns ending at `state`: its own, then those down its dictionary links.
    #[inline(never)] // rare: keeps the scan loop small
    fn emit(&self, state: Node, hit: &mut impl FnMut(Hit)) {
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
                hit(Hit::Pattern(p as usize));
            }
            node = self.at(&self.dict, node);
        }
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

#[cfg(test)]
mod tests;
