//! Compiling a condition against a taxonomy: tag and group references become tag ids, lists
//! become sorted sets and windows become durations, so evaluation only looks things up.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{NaiveDate, TimeDelta};

use super::Number;
use super::ast::{Field, Literal, Node, Op, TagTest, Value};
use super::facts::{AttrValue, EventFilter};
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::playbook::Taxonomy;
use crate::tagging::fold_name;

/// One node of a compiled condition.
#[derive(Debug, Clone)]
pub(crate) enum CNode {
    All(Box<[CNode]>),
    Any(Box<[CNode]>),
    Not(Box<CNode>),
    /// `=`, `!=`, `<`, `<=`, `>`, `>=` and `contains`.
    Compare {
        field: Field,
        op: Op,
        value: Literal,
    },
    In {
        field: Field,
        negated: bool,
        set: LiteralSet,
    },
    Missing(Field),
    Exists(Field),
    /// Tag ids; `has_tag_in_group` becomes `Any` over the group's tags.
    Tags(TagTest, Box<[Box<str>]>),
    Identity(Box<str>),
    Count {
        filter: EventFilter,
        within: Option<TimeDelta>,
        op: Op,
        value: u64,
    },
}

/// The values of an `in` list, sorted by kind for binary search.
#[derive(Debug, Clone, Default)]
pub(crate) struct LiteralSet {
    texts: Box<[Box<str>]>,
    numbers: Box<[Number]>,
    dates: Box<[NaiveDate]>,
    /// Whether `false` and `true` are in the list.
    bools: [bool; 2],
}

impl LiteralSet {
    fn new(items: &[Literal]) -> LiteralSet {
        let mut texts = BTreeSet::new();
        let mut numbers = BTreeSet::new();
        let mut dates = BTreeSet::new();
        let mut bools = [false; 2];
        for item in items {
            match item {
                Literal::Text(s) => {
                    texts.insert(s.as_str());
                }
                Literal::Number(n) => {
                    numbers.insert(*n);
                }
                Literal::Date(d) => {
                    dates.insert(*d);
                }
                Literal::Bool(b) => bools[usize::from(*b)] = true,
            }
        }
        LiteralSet {
            texts: texts.into_iter().map(Box::from).collect(),
            numbers: numbers.into_iter().collect(),
            dates: dates.into_iter().collect(),
            bools,
        }
    }

    /// Whether the value is in the list; for a list value, whether the two lists overlap.
    pub(crate) fn contains(&self, value: AttrValue<'_>) -> bool {
        let text = |s: &str| self.texts.binary_search_by(|t| (**t).cmp(s)).is_ok();
        match value {
            AttrValue::Text(s) => text(s),
            AttrValue::Number(n) => self.numbers.binary_search(&n).is_ok(),
            AttrValue::Date(d) => self.dates.binary_search(&d).is_ok(),
            AttrValue::Bool(b) => self.bools[usize::from(b)],
            AttrValue::List(items) => items.iter().any(|s| text(s)),
        }
    }
}

pub(crate) fn compile(node: &Node, taxonomy: &Taxonomy, path: &str) -> Result<CNode> {
    let mut resolver = Resolver::new(taxonomy);
    let compiled = resolver.node(node);
    if resolver.problems.is_empty() {
        Ok(compiled)
    } else {
        let problems = resolver
            .problems
            .into_iter()
            .map(|message| Problem::new(path, message))
            .collect();
        Err(Error::with_problems(ErrorKind::Validation, problems))
    }
}

/// Resolves references as the tagger does: an exact id first, then a display name compared in
/// its matching form ([`fold_name`]: trimmed, NFC, full-width and case folded), so `ＶＩＰ` finds
/// the tag named `VIP`.
struct Resolver<'t> {
    tag_ids: HashSet<&'t str>,
    /// Folded display name → (tag id, group name) of every tag with that name.
    tag_names: HashMap<String, Vec<(&'t str, &'t str)>>,
    /// Group id → the ids of the group's tags.
    group_ids: HashMap<&'t str, Vec<&'t str>>,
    /// Folded group name → the ids of the group's tags.
    group_names: HashMap<String, Vec<&'t str>>,
    /// Messages, each once, in the order found.
    problems: Vec<String>,
}

impl<'t> Resolver<'t> {
    fn new(taxonomy: &'t Taxonomy) -> Resolver<'t> {
        let mut resolver = Resolver {
            tag_ids: HashSet::new(),
            tag_names: HashMap::new(),
            group_ids: HashMap::new(),
            group_names: HashMap::new(),
            problems: Vec::new(),
        };
        for group in &taxonomy.groups {
            let ids: Vec<&str> = group.tags.iter().map(|t| t.id.as_str()).collect();
            resolver
                .group_names
                .insert(fold_name(&group.name), ids.clone());
            resolver.group_ids.insert(group.id.as_str(), ids);
        }
        for (group, tag) in taxonomy.tags_with_groups() {
            resolver.tag_ids.insert(&tag.id);
            resolver
                .tag_names
                .entry(fold_name(&tag.name))
                .or_default()
                .push((&tag.id, &group.name));
        }
        resolver
    }

    fn problem(&mut self, message: String) {
        if !self.problems.contains(&message) {
            self.problems.push(message);
        }
    }

    fn node(&mut self, node: &Node) -> CNode {
        match node {
            Node::All(children) => CNode::All(children.iter().map(|c| self.node(c)).collect()),
            Node::Any(children) => CNode::Any(children.iter().map(|c| self.node(c)).collect()),
            Node::Not(inner) => CNode::Not(Box::new(self.node(inner))),
            leaf => self.leaf(leaf),
        }
    }

    /// Every node but the groups, apart so the recursive [`Resolver::node`] keeps a small frame.
    fn leaf(&mut self, node: &Node) -> CNode {
        match node {
            Node::All(_) | Node::Any(_) | Node::Not(_) => self.node(node),
            Node::Compare { field, op, value } => match value {
                Value::List(items) => CNode::In {
                    field: field.clone(),
                    negated: *op == Op::NotIn,
                    set: LiteralSet::new(items),
                },
                Value::One(literal) => CNode::Compare {
                    field: field.clone(),
                    op: *op,
                    value: literal.clone(),
                },
            },
            Node::Missing(field) => CNode::Missing(field.clone()),
            Node::Exists(field) => CNode::Exists(field.clone()),
            Node::Tags(test, tags) => {
                let ids = tags.iter().filter_map(|t| self.tag(t)).collect();
                CNode::Tags(*test, ids)
            }
            Node::HasTagInGroup(group) => {
                let ids = match self
                    .group_ids
                    .get(group.as_str())
                    .or_else(|| self.group_names.get(&fold_name(group)))
                {
                    Some(ids) => ids.iter().map(|&id| Box::from(id)).collect(),
                    None => {
                        self.problem(format!(
                            "unknown tag group {group:?} in has_tag_in_group: no group has this id or name"
                        ));
                        Box::default()
                    }
                };
                CNode::Tags(TagTest::Any, ids)
            }
            Node::HasIdentity(kind) => CNode::Identity(kind.as_str().into()),
            Node::Count(count) => CNode::Count {
                filter: count.filter.clone(),
                within: count.within.map(|w| w.duration()),
                op: count.op,
                value: count.value,
            },
        }
    }

    /// A tag id, or the id of the one tag with this display name.
    fn tag(&mut self, reference: &str) -> Option<Box<str>> {
        if self.tag_ids.contains(reference) {
            return Some(reference.into());
        }
        match self.tag_names.get(&fold_name(reference)).map(Vec::as_slice) {
            Some([(id, _)]) => Some((*id).into()),
            Some(many @ [_, _, ..]) => {
                let named: Vec<String> = many
                    .iter()
                    .map(|(id, group)| format!("{id:?} (group {group:?})"))
                    .collect();
                self.problem(format!(
                    "the tag name {reference:?} is ambiguous: it names {}; use the tag id",
                    named.join(", ")
                ));
                None
            }
            _ => {
                self.problem(format!(
                    "unknown tag {reference:?}: no tag has this id or name"
                ));
                None
            }
        }
    }
}
