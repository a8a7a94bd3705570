//! Structural checks of a document against the playbook's own JSON Schema.
//!
//! The schema is generated from the Rust types (schemars), so the types stay the single source of
//! truth: this walker reports *every* unknown field, wrong type, missing field and bad enum value in
//! one pass, where serde would stop at the first. It understands the subset of JSON Schema that
//! schemars emits for our types: `type`, `properties`, `required`, `additionalProperties`, `items`,
//! `enum`, `const`, `$ref`, `anyOf`, `oneOf`, `allOf`, `minimum`, `maximum`, and
//! `format: decimal` for exact decimal texts.

use serde_json::{Map, Value};

use super::path;
use crate::error::{Problem, show};

/// Walks `value` against `schema`, appending what is wrong to `out`.
pub(crate) fn check(root: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<Problem>) {
    Walker { root }.check(schema, value, at, out);
}

struct Walker<'a> {
    root: &'a Value,
}

impl Walker<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> &'s Value {
        let mut schema = schema;
        // A chain of references is short in practice; the bound only guards a cyclic schema.
        for _ in 0..16 {
            let Some(target) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let pointer = target.strip_prefix('#').unwrap_or(target);
            match self.root.pointer(pointer) {
                Some(s) => schema = s,
                None => break,
            }
        }
        schema
    }

    fn check(&self, schema: &Value, value: &Value, at: &str, out: &mut Vec<Problem>) {
        let schema = self.resolve(schema);
        if schema == &Value::Bool(false) {
            out.push(Problem::new(
                at,
                format!("no value is allowed here, found {}", show(value)),
            ));
            return;
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(Value::Array(alternatives)) = schema.get(key) {
                self.check_alternatives(alternatives, value, at, out);
                return;
            }
        }
        if let Some(Value::Array(all)) = schema.get("allOf") {
            for s in all {
                self.check(s, value, at, out);
            }
        }
        if let Some(expected) = schema.get("const") {
            if expected != value {
                out.push(Problem::new(
                    at,
                    format!("expected {}, found {}", show(expected), show(value)),
                ));
            }
            return;
        }
        if let Some(Value::Array(allowed)) = schema.get("enum") {
            if !allowed.contains(value) {
                let names: Vec<String> = allowed.iter().map(show).collect();
                out.push(Problem::new(
                    at,
                    format!(
                        "unknown value {}, expected one of: {}",
                        show(value),
                        names.join(", ")
                    ),
                ));
            }
            return;
        }
        if !type_matches(schema.get("type"), value) {
            out.push(Problem::new(
                at,
                format!(
                    "expected {}, found {}",
                    describe_type(schema.get("type")),
                    show(value)
                ),
            ));
            return;
        }
        match value {
            Value::Object(map) => self.check_object(schema, map, at, out),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.check(item_schema, item, &path::index(at, i), out);
                    }
                }
            }
            Value::Number(n) => check_range(schema, n, at, out),
            Value::String(text) => check_format(schema, text, at, out),
            _ => {}
        }
    }

    /// For a tagged union (every alternative an object whose property `tag` is a constant, as
    /// serde's `#[serde(tag = "...")]` enums are): the tag's name and, per alternative, its value.
    fn discriminator<'s>(&'s self, alternatives: &'s [Value]) -> Option<(&'s str, Vec<&'s Value>)> {
        let first = self.resolve(alternatives.first()?);
        let properties = first.get("properties")?.as_object()?;
        let tag = properties
            .iter()
            .find(|(_, p)| self.resolve(p).get("const").is_some())?
            .0
            .as_str();
        let consts = alternatives
            .iter()
            .map(|a| {
                self.resolve(self.resolve(a).get("properties")?.get(tag)?)
                    .get("const")
            })
            .collect::<Option<Vec<_>>>()?;
        Some((tag, consts))
    }

    fn check_alternatives(
        &self,
        alternatives: &[Value],
        value: &Value,
        at: &str,
        out: &mut Vec<Problem>,
    ) {
        if let (Some((tag, consts)), Value::Object(map)) = (self.discriminator(alternatives), value)
        {
            let here = path::field(at, tag);
            match map.get(tag) {
                Some(given) => match consts.iter().position(|c| *c == given) {
                    Some(i) => self.check(&alternatives[i], value, at, out),
                    None => {
                        let names: Vec<String> = consts.iter().map(|c| show(c)).collect();
                        out.push(Problem::new(
                            here,
                            format!(
                                "unknown {tag} {}, expected one of: {}",
                                show(given),
                                names.join(", ")
                            ),
                        ));
                    }
                },
                None => out.push(Problem::new(here, "required field is missing")),
            }
            return;
        }
        let mut best: Option<Vec<Problem>> = None;
        for alternative in alternatives {
            let mut found = Vec::new();
            self.check(alternative, value, at, &mut found);
            if found.is_empty() {
                return;
            }
            // Prefer the alternative whose type fits: its problems say more than "wrong type".
            // A failed constant says nothing beyond "not this one", so it never counts as a fit.
            let resolved = self.resolve(alternative);
            let is_constant = resolved.get("const").is_some() || resolved.get("enum").is_some();
            let fits = !is_constant && type_matches(resolved.get("type"), value);
            if fits && best.as_ref().is_none_or(|b| found.len() < b.len()) {
                best = Some(found);
            }
        }
        match best {
            Some(problems) => out.extend(problems),
            None => {
                let names: Vec<String> = alternatives
                    .iter()
                    .map(|a| {
                        let a = self.resolve(a);
                        a.get("const")
                            .map(show)
                            .unwrap_or_else(|| describe_type(a.get("type")))
                    })
                    .collect();
                out.push(Problem::new(
                    at,
                    format!(
                        "unexpected value {}, expected one of: {}",
                        show(value),
                        names.join(", ")
                    ),
                ));
            }
        }
    }

    fn check_object(
        &self,
        schema: &Value,
        map: &Map<String, Value>,
        at: &str,
        out: &mut Vec<Problem>,
    ) {
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        if let Some(Value::Array(required)) = schema.get("required") {
            for name in required.iter().filter_map(Value::as_str) {
                if !map.contains_key(name) {
                    out.push(Problem::new(
                        path::field(at, name),
                        "required field is missing",
                    ));
                }
            }
        }
        for (name, value) in map {
            let here = path::field(at, name);
            match properties.get(name) {
                Some(property) => self.check(property, value, &here, out),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        let known: Vec<&str> = properties.keys().map(String::as_str).collect();
                        out.push(Problem::new(
                            here,
                            format!(
                                "unknown field {}, expected one of: {}",
                                show(&Value::String(name.clone())),
                                known.join(", ")
                            ),
                        ));
                    }
                    Some(extra @ Value::Object(_)) => self.check(extra, value, &here, out),
                    _ => {}
                },
            }
        }
    }
}

/// `format: decimal` (money, quantities, rates): an exact decimal text. Other formats are
/// hints for editors and not checked here.
fn check_format(schema: &Value, text: &str, at: &str, out: &mut Vec<Problem>) {
    if schema.get("format").and_then(Value::as_str) == Some("decimal") {
        if let Err(e) = crate::billing::parse_decimal(text, at) {
            out.extend(e.problems().iter().cloned());
        }
    }
}

fn check_range(schema: &Value, n: &serde_json::Number, at: &str, out: &mut Vec<Problem>) {
    let Some(x) = n.as_f64() else { return };
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
        if x < min {
            out.push(Problem::new(at, format!("{n} is below the minimum {min}")));
        }
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
        if x > max {
            out.push(Problem::new(at, format!("{n} is above the maximum {max}")));
        }
    }
}

fn type_matches(expected: Option<&Value>, value: &Value) -> bool {
    match expected {
        None => true,
        Some(Value::String(t)) => one_type_matches(t, value),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .any(|t| one_type_matches(t, value)),
        Some(_) => true,
    }
}

fn one_type_matches(t: &str, value: &Value) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.as_i64().is_some() || value.as_u64().is_some(),
        _ => true,
    }
}

fn describe_type(expected: Option<&Value>) -> String {
    let article = |t: &str| match t {
        "null" => "null".to_owned(),
        "object" => "an object".to_owned(),
        "array" => "a list".to_owned(),
        "integer" => "an integer".to_owned(),
        other => format!("a {other}"),
    };
    match expected {
        Some(Value::String(t)) => article(t),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .map(article)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "a value".to_owned(),
    }
}
