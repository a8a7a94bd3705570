//! The JSON form: every node is an object with exactly one key naming what it tests.
//!
//! Reading reports every problem at once, each at its JSON path (`all[1].compare.value`), like the
//! playbook loader. The shape is documented on [`Condition`](super::Condition).

mod read;

use serde_json::{Map, Value as Json, json};

use super::ast::{Field, Literal, Node, TagTest, Value};
use super::print::to_text;
use super::{MAX_DEPTH, MAX_TEXT_BYTES};
use crate::error::{Error, ErrorKind, Result};
use read::Reader;

/// The largest JSON text read: JSON is wordier than the text form, so it gets 16 times the room.
pub(crate) const MAX_JSON_BYTES: usize = 16 * MAX_TEXT_BYTES;

/// How deep `{` and `[` may nest in the JSON text: two per condition level (`{"all": [`) plus the
/// few levels of one comparison. Checked before serde_json builds anything.
const MAX_JSON_NESTING: usize = 2 * MAX_DEPTH + 8;

const KINDS: &str = "all, any, not, compare, missing, exists, has_tag, has_any_tag, has_all_tags, \
                     has_none_of, has_tag_in_group, has_identity, count";

pub(crate) fn from_str(text: &str, path: &str) -> Result<Node> {
    let refuse = |message: String| Err(Error::at(ErrorKind::Parse, path, message));
    if text.len() > MAX_JSON_BYTES {
        return refuse(format!(
            "the condition is {} bytes of JSON; the limit is {MAX_JSON_BYTES}",
            text.len()
        ));
    }
    if nesting(text) > MAX_JSON_NESTING {
        return refuse(format!(
            "the JSON nests more than {MAX_JSON_NESTING} levels; conditions nest at most {MAX_DEPTH}"
        ));
    }
    match serde_json::from_str::<Json>(text) {
        Ok(value) => from_value(&value, path),
        Err(e) => refuse(format!(
            "invalid JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        )),
    }
}

pub(crate) fn from_value(value: &Json, path: &str) -> Result<Node> {
    let mut reader = Reader::default();
    let node = reader.node(value, path, 0);
    match node {
        Some(node) if reader.problems.is_empty() => {
            let length = to_text(&node).len();
            if length > MAX_TEXT_BYTES {
                return Err(Error::at(
                    ErrorKind::Validation,
                    path,
                    format!(
                        "the condition's text form would be {length} bytes; the limit is {MAX_TEXT_BYTES}"
                    ),
                ));
            }
            Ok(node)
        }
        _ => Err(Error::with_problems(ErrorKind::Validation, reader.problems)),
    }
}

/// The deepest nesting of `{` / `[` outside strings.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest, mut in_string, mut escaped) = (0usize, 0, false, false);
    for b in text.bytes() {
        match (in_string, b) {
            (true, _) if escaped => escaped = false,
            (true, b'\\') => escaped = true,
            (true, b'"') | (false, b'"') => in_string = !in_string,
            (false, b'{' | b'[') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, b'}' | b']') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

fn key_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// The JSON form of a node. Only groups recurse, and their frame is kept small (no `json!`
/// temporaries), so the deepest tree allowed fits a small stack even in debug builds.
pub(crate) fn to_value(node: &Node) -> Json {
    let group = |children: &[Node]| Json::Array(children.iter().map(to_value).collect());
    match node {
        Node::All(children) => keyed("all", group(children)),
        Node::Any(children) => keyed("any", group(children)),
        Node::Not(inner) => keyed("not", to_value(inner)),
        leaf => leaf_value(leaf),
    }
}

fn keyed(key: &str, value: Json) -> Json {
    let mut map = Map::new();
    map.insert(key.to_owned(), value);
    Json::Object(map)
}

fn leaf_value(node: &Node) -> Json {
    match node {
        Node::All(_) | Node::Any(_) | Node::Not(_) => to_value(node),
        Node::Compare { field, op, value } => {
            let value = match value {
                Value::One(literal) => literal_value(literal),
                Value::List(items) => Json::Array(items.iter().map(literal_value).collect()),
            };
            json!({ "compare": { "field": field_value(field), "op": op.as_str(), "value": value } })
        }
        Node::Missing(field) => json!({ "missing": field_value(field) }),
        Node::Exists(field) => json!({ "exists": field_value(field) }),
        Node::Tags(TagTest::Any, tags) if tags.len() == 1 => json!({ "has_tag": tags[0] }),
        Node::Tags(test, tags) => {
            let key = match test {
                TagTest::Any => "has_any_tag",
                TagTest::All => "has_all_tags",
                TagTest::None => "has_none_of",
            };
            json!({ key: tags })
        }
        Node::HasTagInGroup(group) => json!({ "has_tag_in_group": group }),
        Node::HasIdentity(kind) => json!({ "has_identity": kind }),
        Node::Count(count) => {
            let mut body = Map::new();
            body.insert("event".into(), json!(count.filter.event()));
            if !count.filter.properties.is_empty() {
                let props: Map<String, Json> = count
                    .filter
                    .properties
                    .iter()
                    .map(|(k, v)| (k.to_string(), literal_value(v)))
                    .collect();
                body.insert("where".into(), Json::Object(props));
            }
            if let Some(window) = count.within {
                body.insert("within".into(), json!(window.to_string()));
            }
            body.insert("op".into(), json!(count.op.as_str()));
            body.insert("value".into(), json!(count.value));
            json!({ "count": body })
        }
    }
}

fn field_value(field: &Field) -> Json {
    match field {
        Field::Score => json!("score"),
        Field::Stage => json!("stage"),
        Field::Owner => json!("owner"),
        Field::Grade => json!("grade"),
        Field::Attr(name) => json!({ "attr": name }),
        Field::Consent { purpose, channel } => {
            json!({ "consent": { "purpose": purpose, "channel": channel } })
        }
    }
}

fn literal_value(literal: &Literal) -> Json {
    match literal {
        // Literals have at most 15 significant digits, which a double holds exactly.
        Literal::Number(n) => match n.to_string().parse::<i64>() {
            Ok(i) => json!(i),
            Err(_) => serde_json::Number::from_f64(n.to_f64()).map_or(Json::Null, Json::Number),
        },
        Literal::Text(s) => json!(s),
        Literal::Bool(b) => json!(b),
        Literal::Date(d) => json!({ "date": d.format("%Y-%m-%d").to_string() }),
    }
}
