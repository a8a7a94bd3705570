//! Reading the JSON form, collecting every problem with its path.

use serde_json::{Map, Value as Json};

use super::{KINDS, key_path};
use crate::condition::ast::{
    Count, Field, Literal, Node, Op, TagTest, Value, Window, check_compare, check_count, check_name,
};
use crate::condition::facts::EventFilter;
use crate::condition::parser::parse_date;
use crate::condition::{MAX_DEPTH, MAX_LIST_ITEMS, Number};
use crate::error::{Problem, show};

#[derive(Default)]
pub(super) struct Reader {
    pub(super) problems: Vec<Problem>,
}

impl Reader {
    fn problem<T>(&mut self, at: &str, message: impl Into<String>) -> Option<T> {
        self.problems.push(Problem::new(at, message));
        None
    }

    /// Reads one node. Only groups recurse, and everything else lives in other functions, so
    /// the frame repeated on the stack per level stays small.
    pub(super) fn node(&mut self, value: &Json, at: &str, depth: usize) -> Option<Node> {
        let (key, body) = self.entry(value, at, depth)?;
        let here = key_path(at, key);
        match key {
            "all" | "any" => {
                let items = self.array(body, &here, usize::MAX)?;
                let mut children = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    children.push(self.node(item, &format!("{here}[{i}]"), depth + 1));
                }
                let children: Vec<Node> = children.into_iter().collect::<Option<_>>()?;
                Some(if key == "all" {
                    Node::all(children)
                } else {
                    Node::any(children)
                })
            }
            "not" => Some(Node::Not(Box::new(self.node(body, &here, depth + 1)?))),
            _ => self.leaf(key, body, at, &here),
        }
    }

    /// The one key of a condition object and its value, once the depth and shape are right.
    fn entry<'v>(
        &mut self,
        value: &'v Json,
        at: &str,
        depth: usize,
    ) -> Option<(&'v str, &'v Json)> {
        if depth > MAX_DEPTH {
            return self.problem(
                at,
                format!("conditions nest at most {MAX_DEPTH} levels deep"),
            );
        }
        let Json::Object(map) = value else {
            return self.problem(
                at,
                format!(
                    "expected a condition object such as {{\"has_tag\": \"x\"}}, found {}",
                    show(value)
                ),
            );
        };
        let mut entries = map.iter();
        if let (Some((key, body)), None) = (entries.next(), entries.next()) {
            return Some((key, body));
        }
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        self.problem(
            at,
            format!(
                "a condition object has exactly one key, one of: {KINDS}; found {}",
                if keys.is_empty() {
                    "none".to_owned()
                } else {
                    keys.join(", ")
                }
            ),
        )
    }

    /// Every node but the groups; kept apart so the recursive [`Reader::node`] has a small frame.
    fn leaf(&mut self, key: &str, body: &Json, at: &str, here: &str) -> Option<Node> {
        match key {
            "compare" => self.compare(body, here),
            "missing" => self.field(body, here).map(Node::Missing),
            "exists" => self.field(body, here).map(Node::Exists),
            "has_tag" => Some(Node::Tags(
                TagTest::Any,
                vec![self.name(body, here, "the tag")?],
            )),
            "has_any_tag" => Some(Node::Tags(TagTest::Any, self.tags(body, here)?)),
            "has_all_tags" => Some(Node::Tags(TagTest::All, self.tags(body, here)?)),
            "has_none_of" => Some(Node::Tags(TagTest::None, self.tags(body, here)?)),
            "has_tag_in_group" => Some(Node::HasTagInGroup(self.name(
                body,
                here,
                "the tag group",
            )?)),
            "has_identity" => Some(Node::HasIdentity(self.name(
                body,
                here,
                "the identity kind",
            )?)),
            "count" => self.count(body, here),
            other => self.problem(
                at,
                format!(
                    "unknown condition {}, expected one of: {KINDS}",
                    show(&Json::from(other))
                ),
            ),
        }
    }

    /// An object with exactly the given keys (required first, then optional); every unknown or
    /// missing key is reported.
    fn object<'v>(
        &mut self,
        value: &'v Json,
        at: &str,
        required: &[&str],
        optional: &[&str],
    ) -> Option<&'v Map<String, Json>> {
        let Json::Object(map) = value else {
            let keys = required.join("\", \"");
            return self.problem(
                at,
                format!("expected an object with \"{keys}\", found {}", show(value)),
            );
        };
        let before = self.problems.len();
        for key in required {
            if !map.contains_key(*key) {
                self.problems
                    .push(Problem::new(key_path(at, key), "required key is missing"));
            }
        }
        for key in map.keys() {
            if !required.contains(&key.as_str()) && !optional.contains(&key.as_str()) {
                let known: Vec<&str> = required.iter().chain(optional).copied().collect();
                self.problems.push(Problem::new(
                    key_path(at, key),
                    format!(
                        "unknown key {}, expected one of: {}",
                        show(&Json::from(key.as_str())),
                        known.join(", ")
                    ),
                ));
            }
        }
        (self.problems.len() == before).then_some(map)
    }

    fn array<'v>(&mut self, value: &'v Json, at: &str, max: usize) -> Option<&'v Vec<Json>> {
        match value {
            Json::Array(items) if items.len() <= max => Some(items),
            Json::Array(items) => self.problem(
                at,
                format!("the list has {} items; the limit is {max}", items.len()),
            ),
            other => self.problem(at, format!("expected a list, found {}", show(other))),
        }
    }

    fn name(&mut self, value: &Json, at: &str, what: &str) -> Option<String> {
        match value {
            Json::String(s) => match check_name(what, s) {
                Ok(()) => Some(s.clone()),
                Err(m) => self.problem(at, m),
            },
            other => self.problem(
                at,
                format!("expected {what} as a string, found {}", show(other)),
            ),
        }
    }

    fn tags(&mut self, value: &Json, at: &str) -> Option<Vec<String>> {
        let items = self.array(value, at, MAX_LIST_ITEMS)?;
        let tags: Vec<Option<String>> = items
            .iter()
            .enumerate()
            .map(|(i, item)| self.name(item, &format!("{at}[{i}]"), "a tag"))
            .collect();
        tags.into_iter().collect()
    }

    fn field(&mut self, value: &Json, at: &str) -> Option<Field> {
        match value {
            Json::String(s) => match s.as_str() {
                "score" => Some(Field::Score),
                "stage" => Some(Field::Stage),
                "owner" => Some(Field::Owner),
                "grade" => Some(Field::Grade),
                _ => self.problem(at, format!(
                    "unknown field {}, expected \"score\", \"stage\", \"owner\", \"grade\", \
                     {{\"attr\": \"<name>\"}} or {{\"consent\": {{\"purpose\": ..., \"channel\": ...}}}}",
                    show(value)
                )),
            },
            Json::Object(map) if map.contains_key("attr") => {
                let map = self.object(value, at, &["attr"], &[])?;
                Some(Field::Attr(self.name(&map["attr"], &key_path(at, "attr"), "the attribute name")?))
            }
            Json::Object(map) if map.contains_key("consent") => {
                self.object(value, at, &["consent"], &[])?;
                let here = key_path(at, "consent");
                let consent = self.object(&map["consent"], &here, &["purpose", "channel"], &[])?;
                let purpose = self.name(&consent["purpose"], &key_path(&here, "purpose"), "the purpose");
                let channel = self.name(&consent["channel"], &key_path(&here, "channel"), "the channel");
                Some(Field::Consent { purpose: purpose?, channel: channel? })
            }
            other => self.problem(
                at,
                format!("expected a field such as \"score\" or {{\"attr\": \"城市\"}}, found {}", show(other)),
            ),
        }
    }

    fn op(&mut self, value: &Json, at: &str) -> Option<Op> {
        if let Some(op) = value.as_str().and_then(Op::from_name) {
            return Some(op);
        }
        let names: Vec<&str> = Op::ALL.iter().map(|op| op.as_str()).collect();
        self.problem(
            at,
            format!(
                "unknown operator {}, expected one of: {}",
                show(value),
                names.join(", ")
            ),
        )
    }

    fn literal(&mut self, value: &Json, at: &str) -> Option<Literal> {
        match value {
            Json::Number(n) => match Number::parse_literal(&n.to_string()) {
                Ok(n) => Some(Literal::Number(n)),
                Err(m) => self.problem(at, m),
            },
            Json::String(s) => Some(Literal::Text(s.clone())),
            Json::Bool(b) => Some(Literal::Bool(*b)),
            Json::Object(map) if map.contains_key("date") => {
                let map = self.object(value, at, &["date"], &[])?;
                let here = key_path(at, "date");
                match map["date"].as_str().map(parse_date) {
                    Some(Ok(date)) => Some(Literal::Date(date)),
                    Some(Err(m)) => self.problem(&here, m),
                    None => self.problem(&here, format!("expected \"YYYY-MM-DD\", found {}", show(&map["date"]))),
                }
            }
            Json::Null => self.problem(at, "null is not a value; test absence with {\"missing\": field}"),
            other => self.problem(
                at,
                format!(
                    "expected a value (number, string, true, false or {{\"date\": \"YYYY-MM-DD\"}}), found {}",
                    show(other)
                ),
            ),
        }
    }

    fn compare(&mut self, body: &Json, at: &str) -> Option<Node> {
        let map = self.object(body, at, &["field", "op", "value"], &[])?;
        let field = self.field(&map["field"], &key_path(at, "field"));
        let op = self.op(&map["op"], &key_path(at, "op"))?;
        let value_at = key_path(at, "value");
        let value = if matches!(op, Op::In | Op::NotIn) {
            let items = self.array(&map["value"], &value_at, MAX_LIST_ITEMS)?;
            let literals: Vec<Option<Literal>> = items
                .iter()
                .enumerate()
                .map(|(i, v)| self.literal(v, &format!("{value_at}[{i}]")))
                .collect();
            Value::List(literals.into_iter().collect::<Option<_>>()?)
        } else {
            Value::One(self.literal(&map["value"], &value_at)?)
        };
        let field = field?;
        if let Err(m) = check_compare(&field, op, &value) {
            return self.problem(&value_at, m);
        }
        Some(Node::Compare { field, op, value })
    }

    fn count(&mut self, body: &Json, at: &str) -> Option<Node> {
        let map = self.object(body, at, &["event", "op", "value"], &["where", "within"])?;
        let event = self.name(&map["event"], &key_path(at, "event"), "the event name");
        let mut properties = Vec::new();
        if let Some(filter) = map.get("where") {
            let here = key_path(at, "where");
            match filter {
                Json::Object(props) => {
                    for (key, value) in props {
                        let literal = self.literal(value, &key_path(&here, key));
                        properties.push((key.clone(), literal));
                    }
                }
                other => {
                    self.problem::<()>(
                        &here,
                        format!(
                            "expected an object of property values, found {}",
                            show(other)
                        ),
                    );
                }
            }
        }
        let within = match map.get("within") {
            None => Some(None),
            Some(Json::String(s)) => match Window::parse(s) {
                Ok(w) => Some(Some(w)),
                Err(m) => self.problem(&key_path(at, "within"), m),
            },
            Some(other) => self.problem(
                &key_path(at, "within"),
                format!("expected a window such as \"7d\", found {}", show(other)),
            ),
        };
        let op = self.op(&map["op"], &key_path(at, "op"));
        let value = self.literal(&map["value"], &key_path(at, "value"));
        let (event, within, op, value) = (event?, within?, op?, value?);
        let properties: Vec<(String, Literal)> = properties
            .into_iter()
            .map(|(k, v)| v.map(|v| (k, v)))
            .collect::<Option<_>>()?;
        let filter = match EventFilter::new(event, properties) {
            Ok(filter) => filter,
            Err(m) => return self.problem(&key_path(at, "where"), m),
        };
        let value = match check_count(op, &value) {
            Ok(v) => v,
            Err(m) => return self.problem(&key_path(at, "value"), m),
        };
        Some(Node::Count(Count {
            filter,
            within,
            op,
            value,
        }))
    }
}
