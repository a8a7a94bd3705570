//! The condition tree both forms parse to, and the rules of meaning both forms share.
//!
//! Trees are built only through [`Node::all`] and [`Node::any`], which keep them normalised
//! (nested `and`s flattened, one-child groups collapsed), so the text and JSON forms of the same
//! condition give equal trees and printing a tree and parsing it back gives it again.

use chrono::{NaiveDate, TimeDelta};

use super::facts::EventFilter;
use super::facts::is_consent_name;
use super::{MAX_LIST_ITEMS, Number};

/// One node of a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// True when every child is (true when empty).
    All(Vec<Node>),
    /// True when some child is (false when empty).
    Any(Vec<Node>),
    Not(Box<Node>),
    Compare {
        field: Field,
        op: Op,
        value: Value,
    },
    Missing(Field),
    Exists(Field),
    Tags(TagTest, Vec<String>),
    HasTagInGroup(String),
    HasIdentity(String),
    Count(Count),
}

/// What a customer value is compared against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Field {
    Score,
    Stage,
    Owner,
    Grade,
    Attr(String),
    Consent { purpose: String, channel: String },
}

/// The kind of value a field holds, when it is known without looking at a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldType {
    Number,
    Text,
    Consent,
    /// Custom attributes: any kind; a mismatch is found (and is false) at evaluation.
    Any,
}

impl Field {
    pub(crate) fn field_type(&self) -> FieldType {
        match self {
            Field::Score => FieldType::Number,
            Field::Stage | Field::Owner | Field::Grade => FieldType::Text,
            Field::Attr(_) => FieldType::Any,
            Field::Consent { .. } => FieldType::Consent,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Contains,
}

impl Op {
    pub(crate) const ALL: [Op; 9] = [
        Op::Eq,
        Op::Ne,
        Op::Lt,
        Op::Le,
        Op::Gt,
        Op::Ge,
        Op::In,
        Op::NotIn,
        Op::Contains,
    ];

    /// The operator as both forms write it.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::In => "in",
            Op::NotIn => "not in",
            Op::Contains => "contains",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|op| op.as_str() == name)
    }

    fn is_ordering(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }

    /// Whether `count(...)` may use this operator.
    pub(crate) fn is_count_op(self) -> bool {
        matches!(self, Op::Eq | Op::Ne) || self.is_ordering()
    }
}

/// A single value written in a condition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Literal {
    Number(Number),
    Text(String),
    Bool(bool),
    Date(NaiveDate),
}

/// The right-hand side of a comparison: a list for `in` / `not in`, one literal otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    One(Literal),
    List(Vec<Literal>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TagTest {
    /// `has_tag("x")` (one tag) and `has_any_tag([...])`.
    Any,
    All,
    None,
}

/// `count(event = "...", <property> = <value>, within = "7d") <op> <n>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Count {
    pub(crate) filter: EventFilter,
    pub(crate) within: Option<Window>,
    pub(crate) op: Op,
    pub(crate) value: u64,
}

/// A time window such as `7d`, kept as written so it prints back the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Window {
    pub(crate) amount: u32,
    pub(crate) unit: char,
}

/// The largest count of a window, as for every duration of a playbook.
const MAX_WINDOW_AMOUNT: u32 = 100_000;

impl Window {
    pub(crate) fn parse(text: &str) -> Result<Window, String> {
        let bad = || {
            format!(
                "invalid window {text:?}: write a whole number from 1 to 100000 and a unit \
                 (m, h, d or w), such as \"30m\", \"12h\", \"7d\" or \"4w\""
            )
        };
        let unit = text.chars().last().ok_or_else(bad)?;
        let digits = &text[..text.len() - unit.len_utf8()];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let amount: u32 = digits.parse().map_err(|_| bad())?;
        let window = Window { amount, unit };
        if amount == 0 || amount > MAX_WINDOW_AMOUNT || window.seconds().is_none() {
            return Err(bad());
        }
        Ok(window)
    }

    fn seconds(self) -> Option<i64> {
        let unit = match self.unit {
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 7 * 86_400,
            _ => return None,
        };
        i64::from(self.amount).checked_mul(unit)
    }

    pub(crate) fn duration(self) -> TimeDelta {
        // `parse` refused every window whose seconds do not fit.
        TimeDelta::seconds(self.seconds().unwrap_or(0))
    }
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}{}", self.amount, self.unit)
    }
}

impl Node {
    /// `a and b and ...`: nested `and`s are flattened and one child stands alone.
    pub(crate) fn all(children: Vec<Node>) -> Node {
        Node::group(children, true)
    }

    /// `a or b or ...`, normalised like [`Node::all`].
    pub(crate) fn any(children: Vec<Node>) -> Node {
        Node::group(children, false)
    }

    fn group(children: Vec<Node>, all: bool) -> Node {
        let mut flat = Vec::with_capacity(children.len());
        for child in children {
            match child {
                Node::All(inner) if all => flat.extend(inner),
                Node::Any(inner) if !all => flat.extend(inner),
                other => flat.push(other),
            }
        }
        if flat.len() == 1 {
            return flat.pop().unwrap_or(Node::All(Vec::new()));
        }
        if all {
            Node::All(flat)
        } else {
            Node::Any(flat)
        }
    }

    /// How many `and` / `or` / `not` levels the tree has. A single test, `true` and `false`
    /// have depth 0.
    pub(crate) fn depth(&self) -> usize {
        match self {
            Node::All(children) | Node::Any(children) if children.is_empty() => 0,
            Node::All(children) | Node::Any(children) => {
                1 + children.iter().map(Node::depth).max().unwrap_or(0)
            }
            Node::Not(inner) => 1 + inner.depth(),
            _ => 0,
        }
    }

    pub(crate) fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        f(self);
        match self {
            Node::All(children) | Node::Any(children) => {
                children.iter().for_each(|c| c.visit(f));
            }
            Node::Not(inner) => inner.visit(f),
            _ => {}
        }
    }
}

impl Literal {
    fn kind(&self) -> &'static str {
        match self {
            Literal::Number(_) => "a number",
            Literal::Text(_) => "text",
            Literal::Bool(_) => "true or false",
            Literal::Date(_) => "a date",
        }
    }
}

/// Checks that `field op value` means something; the message explains why not.
///
/// Both forms call this, so a comparison the text form refuses, the JSON form refuses too.
pub(crate) fn check_compare(field: &Field, op: Op, value: &Value) -> Result<(), String> {
    let literals = match (op, value) {
        (Op::In | Op::NotIn, Value::List(items)) => {
            if items.len() > MAX_LIST_ITEMS {
                return Err(format!(
                    "the list has {} items; the limit is {MAX_LIST_ITEMS}",
                    items.len()
                ));
            }
            items.as_slice()
        }
        (Op::In | Op::NotIn, Value::One(_)) => {
            return Err(format!(
                "`{}` takes a list such as [\"a\", \"b\"]",
                op.as_str()
            ));
        }
        (_, Value::List(_)) => {
            return Err(format!(
                "`{}` takes one value; to test several use `in`",
                op.as_str()
            ));
        }
        (_, Value::One(one)) => std::slice::from_ref(one),
    };
    for literal in literals {
        check_literal(field, op, literal)?;
    }
    Ok(())
}

fn check_literal(field: &Field, op: Op, literal: &Literal) -> Result<(), String> {
    let name = field_name(field);
    let op_name = op.as_str();
    match (field.field_type(), literal) {
        (FieldType::Number, Literal::Number(_)) if op != Op::Contains => Ok(()),
        (FieldType::Number, Literal::Number(_)) => Err(format!(
            "{name} is a number; `contains` looks for text in text or in a list"
        )),
        (FieldType::Number, other) => Err(format!(
            "{name} is a number; it cannot be compared with {}",
            other.kind()
        )),
        (FieldType::Text, Literal::Text(_)) if !op.is_ordering() => Ok(()),
        (FieldType::Text, Literal::Text(_)) => Err(format!(
            "{name} is text; `{op_name}` compares numbers or dates"
        )),
        (FieldType::Text, other) => Err(format!(
            "{name} is text; it cannot be compared with {}",
            other.kind()
        )),
        (FieldType::Consent, Literal::Text(t))
            if is_consent_name(t) && matches!(op, Op::Eq | Op::Ne | Op::In | Op::NotIn) =>
        {
            Ok(())
        }
        (FieldType::Consent, _) => Err(format!(
            "{name} is one of \"granted\", \"denied\", \"withdrawn\"; compare it with `=`, `!=`, \
             `in` or `not in` and one of those names"
        )),
        (FieldType::Any, literal) if op.is_ordering() => match literal {
            Literal::Number(_) | Literal::Date(_) => Ok(()),
            other => Err(format!(
                "`{op_name}` compares numbers or dates, found {}",
                other.kind()
            )),
        },
        (FieldType::Any, literal) if op == Op::Contains => match literal {
            Literal::Text(_) => Ok(()),
            other => Err(format!(
                "`contains` looks for text in text or in a list, found {}",
                other.kind()
            )),
        },
        (FieldType::Any, _) => Ok(()),
    }
}

/// How messages name a field: `score`, `attr "城市"`, `consent("marketing", "wecom")`.
pub(crate) fn field_name(field: &Field) -> String {
    match field {
        Field::Score => "`score`".into(),
        Field::Stage => "`stage`".into(),
        Field::Owner => "`owner`".into(),
        Field::Grade => "`grade`".into(),
        Field::Attr(name) => format!("attribute {name:?}"),
        Field::Consent { purpose, channel } => format!("consent({purpose:?}, {channel:?})"),
    }
}

/// Checks the operands of `count(...) op n`.
pub(crate) fn check_count(op: Op, value: &Literal) -> Result<u64, String> {
    if !op.is_count_op() {
        return Err(format!(
            "`count(...)` is compared with =, !=, <, <=, > or >=, found `{}`",
            op.as_str()
        ));
    }
    match value {
        Literal::Number(n) if n.is_integer() => n.to_u64().ok_or_else(|| {
            format!("`count(...)` is compared with a whole number of 0 or more, found {n}")
        }),
        other => Err(format!(
            "`count(...)` is compared with a whole number of 0 or more, found {}",
            match other {
                Literal::Number(n) => n.to_string(),
                other => other.kind().to_owned(),
            }
        )),
    }
}

/// Checks a name that must not be empty (tags, groups, identity kinds, event names).
pub(crate) fn check_name(what: &str, name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        Err(format!("{what} must not be blank"))
    } else {
        Ok(())
    }
}

/// Whether `name` can be written bare in the text form (`attr.城市`, `category = ...`).
pub(crate) fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// The named arguments of `count(...)` that are not event properties.
pub(crate) const COUNT_KEYWORDS: [&str; 2] = ["event", "within"];

impl EventFilter {
    /// A filter on `event` whose properties must equal the given values; names must be unique.
    pub(crate) fn new(
        event: String,
        mut properties: Vec<(String, Literal)>,
    ) -> Result<EventFilter, String> {
        check_name("the event name", &event)?;
        for (name, _) in &properties {
            if !is_identifier(name) || COUNT_KEYWORDS.contains(&name.as_str()) {
                return Err(format!(
                    "invalid event property name {name:?}: use letters, digits and `_`, not \
                     starting with a digit, and neither `event` nor `within`"
                ));
            }
        }
        properties.sort_by(|a, b| a.0.cmp(&b.0));
        if let Some(pair) = properties.windows(2).find(|p| p[0].0 == p[1].0) {
            return Err(format!("the event property {:?} is given twice", pair[0].0));
        }
        Ok(EventFilter {
            event: event.into(),
            properties: properties
                .into_iter()
                .map(|(k, v)| (k.into_boxed_str(), v))
                .collect(),
        })
    }
}
