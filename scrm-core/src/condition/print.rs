//! The canonical text form: one line, single spaces, the fewest parentheses that keep the tree.
//!
//! Parsing the printed text gives back an equal tree; `tests.rs` checks it for random trees.

use std::fmt::{self, Write};

use super::ast::{Count, Field, Literal, Node, TagTest, Value, is_identifier};

pub(crate) fn to_text(node: &Node) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write_node(&mut out, node);
    out
}

fn write_node(out: &mut String, node: &Node) -> fmt::Result {
    match node {
        Node::All(children) if children.is_empty() => out.write_str("true"),
        Node::Any(children) if children.is_empty() => out.write_str("false"),
        Node::All(children) => write_joined(out, children, " and "),
        Node::Any(children) => write_joined(out, children, " or "),
        Node::Not(inner) => {
            out.write_str("not ")?;
            write_operand(out, inner, needs_parens_under_not(inner))
        }
        leaf => write_leaf(out, leaf),
    }
}

/// Every node but the groups, apart so the recursive [`write_node`] keeps a small frame.
fn write_leaf(out: &mut String, node: &Node) -> fmt::Result {
    match node {
        Node::All(_) | Node::Any(_) | Node::Not(_) => write_node(out, node),
        Node::Compare { field, op, value } => {
            write_field(out, field)?;
            write!(out, " {} ", op.as_str())?;
            match value {
                Value::One(literal) => write_literal(out, literal),
                Value::List(items) => write_list(out, items, write_literal),
            }
        }
        Node::Missing(field) => write_call(out, "missing", |out| write_field(out, field)),
        Node::Exists(field) => write_call(out, "exists", |out| write_field(out, field)),
        Node::Tags(TagTest::Any, tags) if tags.len() == 1 => {
            write_call(out, "has_tag", |out| write_string(out, &tags[0]))
        }
        Node::Tags(test, tags) => {
            let name = match test {
                TagTest::Any => "has_any_tag",
                TagTest::All => "has_all_tags",
                TagTest::None => "has_none_of",
            };
            write_call(out, name, |out| {
                write_list(out, tags, |o, t| write_string(o, t))
            })
        }
        Node::HasTagInGroup(group) => {
            write_call(out, "has_tag_in_group", |o| write_string(o, group))
        }
        Node::HasIdentity(kind) => write_call(out, "has_identity", |o| write_string(o, kind)),
        Node::Count(count) => write_count(out, count),
    }
}

/// `a and b`: an `or` inside an `and` keeps its parentheses. An `and` inside an `or` binds tighter
/// and needs none; an `and` inside an `and` cannot occur in a normalised tree.
fn write_joined(out: &mut String, children: &[Node], separator: &str) -> fmt::Result {
    let inside_and = separator == " and ";
    for (i, child) in children.iter().enumerate() {
        if i > 0 {
            out.write_str(separator)?;
        }
        let parens = inside_and && matches!(child, Node::Any(c) if !c.is_empty());
        write_operand(out, child, parens)?;
    }
    Ok(())
}

fn needs_parens_under_not(node: &Node) -> bool {
    matches!(node, Node::All(c) | Node::Any(c) if !c.is_empty())
}

fn write_operand(out: &mut String, node: &Node, parens: bool) -> fmt::Result {
    if parens {
        out.write_char('(')?;
        write_node(out, node)?;
        out.write_char(')')
    } else {
        write_node(out, node)
    }
}

fn write_call(
    out: &mut String,
    name: &str,
    args: impl FnOnce(&mut String) -> fmt::Result,
) -> fmt::Result {
    out.write_str(name)?;
    out.write_char('(')?;
    args(out)?;
    out.write_char(')')
}

fn write_list<T>(
    out: &mut String,
    items: &[T],
    mut item: impl FnMut(&mut String, &T) -> fmt::Result,
) -> fmt::Result {
    out.write_char('[')?;
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        item(out, x)?;
    }
    out.write_char(']')
}

fn write_field(out: &mut String, field: &Field) -> fmt::Result {
    match field {
        Field::Score => out.write_str("score"),
        Field::Stage => out.write_str("stage"),
        Field::Owner => out.write_str("owner"),
        Field::Grade => out.write_str("grade"),
        Field::Attr(name) if is_identifier(name) => write!(out, "attr.{name}"),
        Field::Attr(name) => write_call(out, "attr", |o| write_string(o, name)),
        Field::Consent { purpose, channel } => write_call(out, "consent", |o| {
            write_string(o, purpose)?;
            o.write_str(", ")?;
            write_string(o, channel)
        }),
    }
}

fn write_literal(out: &mut String, literal: &Literal) -> fmt::Result {
    match literal {
        Literal::Number(n) => write!(out, "{n}"),
        Literal::Text(s) => write_string(out, s),
        Literal::Bool(b) => write!(out, "{b}"),
        Literal::Date(d) => write!(out, "date(\"{}\")", d.format("%Y-%m-%d")),
    }
}

fn write_count(out: &mut String, count: &Count) -> fmt::Result {
    out.write_str("count(event = ")?;
    write_string(out, count.filter.event())?;
    for (name, value) in count.filter.properties.iter() {
        write!(out, ", {name} = ")?;
        write_literal(out, value)?;
    }
    if let Some(window) = count.within {
        write!(out, ", within = \"{window}\"")?;
    }
    write!(out, ") {} {}", count.op.as_str(), count.value)
}

/// A string literal, escaped so the lexer reads back the same characters.
pub(crate) fn write_string(out: &mut String, s: &str) -> fmt::Result {
    out.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            '\r' => out.write_str("\\r")?,
            '\t' => out.write_str("\\t")?,
            c if c.is_control() => write!(out, "\\u{:04x}", c as u32)?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('"')
}
