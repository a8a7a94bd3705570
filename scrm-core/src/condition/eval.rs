//! Evaluating a compiled condition against a customer's [`Facts`].
//!
//! Nothing here allocates: values are borrowed from the facts, lists are pre-sorted sets, and the
//! time window is one subtraction from `now`.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

use super::ast::{Field, Literal, Op, TagTest};
use super::compile::CNode;
use super::facts::{AttrValue, Facts, consent_name};

impl CNode {
    pub(crate) fn eval<F: Facts + ?Sized>(&self, facts: &F, now: DateTime<Utc>) -> bool {
        match self {
            CNode::All(children) => children.iter().all(|c| c.eval(facts, now)),
            CNode::Any(children) => children.iter().any(|c| c.eval(facts, now)),
            CNode::Not(inner) => !inner.eval(facts, now),
            leaf => leaf.eval_leaf(facts, now),
        }
    }

    fn eval_leaf<F: Facts + ?Sized>(&self, facts: &F, now: DateTime<Utc>) -> bool {
        match self {
            CNode::All(_) | CNode::Any(_) | CNode::Not(_) => self.eval(facts, now),
            CNode::Compare { field, op, value } => compare(get(facts, field), *op, value),
            CNode::In {
                field,
                negated,
                set,
            } => get(facts, field).is_some_and(|v| set.contains(v)) != *negated,
            CNode::Missing(field) => get(facts, field).is_none(),
            CNode::Exists(field) => get(facts, field).is_some(),
            CNode::Tags(test, ids) => {
                let mut held = ids.iter().map(|id| facts.has_tag(id));
                match test {
                    TagTest::Any => held.any(|h| h),
                    TagTest::All => held.all(|h| h),
                    TagTest::None => !held.any(|h| h),
                }
            }
            CNode::Identity(kind) => facts.has_identity(kind),
            CNode::Count {
                filter,
                within,
                op,
                value,
            } => {
                // A window reaching before the calendar starts simply means all history.
                let since = within.and_then(|w| now.checked_sub_signed(w));
                let n = facts.count_events(filter, since, now);
                holds(*op, n.cmp(value))
            }
        }
    }
}

/// The field's value, `None` when absent (empty text and empty lists count as absent).
fn get<'f, F: Facts + ?Sized>(facts: &'f F, field: &Field) -> Option<AttrValue<'f>> {
    let value = match field {
        Field::Score => facts.score().map(AttrValue::Number),
        Field::Stage => facts.stage().map(AttrValue::Text),
        Field::Owner => facts.owner().map(AttrValue::Text),
        Field::Grade => facts.grade().map(AttrValue::Text),
        Field::Attr(name) => facts.attribute(name),
        Field::Consent { purpose, channel } => facts
            .consent(purpose, channel)
            .map(|status| AttrValue::Text(consent_name(status))),
    };
    value.and_then(AttrValue::present)
}

/// `value op literal` under the null and type rules: an absent value or a value of another kind
/// fails every test but `!=`, which is exactly `not =`.
fn compare(value: Option<AttrValue<'_>>, op: Op, literal: &Literal) -> bool {
    let Some(value) = value else {
        return op == Op::Ne;
    };
    match op {
        Op::Eq => equals(value, literal),
        Op::Ne => !equals(value, literal),
        Op::Contains => contains(value, literal),
        op => order(value, literal).is_some_and(|o| holds(op, o)),
    }
}

/// Whether an ordering satisfies `op` (`=`, `!=`, `<`, `<=`, `>`, `>=`).
fn holds(op: Op, ordering: Ordering) -> bool {
    match op {
        Op::Eq => ordering.is_eq(),
        Op::Ne => ordering.is_ne(),
        Op::Lt => ordering.is_lt(),
        Op::Le => ordering.is_le(),
        Op::Gt => ordering.is_gt(),
        Op::Ge => ordering.is_ge(),
        Op::In | Op::NotIn | Op::Contains => false,
    }
}

/// `=` between a present value and a literal: same kind and equal; never true across kinds.
pub(crate) fn equals(value: AttrValue<'_>, literal: &Literal) -> bool {
    match (value, literal) {
        (AttrValue::Text(a), Literal::Text(b)) => a == b,
        (AttrValue::Number(a), Literal::Number(b)) => a == *b,
        (AttrValue::Bool(a), Literal::Bool(b)) => a == *b,
        (AttrValue::Date(a), Literal::Date(b)) => a == *b,
        _ => false,
    }
}

fn order(value: AttrValue<'_>, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (AttrValue::Number(a), Literal::Number(b)) => Some(a.cmp(b)),
        (AttrValue::Date(a), Literal::Date(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

fn contains(value: AttrValue<'_>, literal: &Literal) -> bool {
    match (value, literal) {
        (AttrValue::Text(text), Literal::Text(part)) => text.contains(part.as_str()),
        (AttrValue::List(items), Literal::Text(item)) => items.iter().any(|i| i == item),
        _ => false,
    }
}
