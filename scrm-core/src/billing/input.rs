//! Reading billing documents (JSON inputs and playbook sections) with every problem located.
//!
//! serde stops at the first error and does not say where it was, so documents are read in three
//! passes: the playbook's schema walker reports every structural problem (unknown field, wrong
//! type, missing field) with its path; a second walk over the same JSON Schema checks the texts
//! whose meaning the schema cannot express (decimals, durations, RFC 3339 times, currency codes),
//! located by the `format` this module puts on them; only then does serde build the value, which
//! can no longer fail on anything a person wrote.

use std::sync::OnceLock;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::billing::{Currency, parse_decimal};
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::playbook::{check_shape, path_field, path_index};

/// `format` of decimal texts (strings, or integers where a whole number is natural).
const DECIMAL: &str = "scrm-decimal";
/// `format` of playbook durations such as `"7d"`.
const DURATION: &str = "scrm-duration";
/// `format` of ISO 4217 currency codes.
const CURRENCY: &str = "scrm-currency";
/// `format` schemars gives `DateTime<Utc>`.
const DATE_TIME: &str = "date-time";

/// JSON Schema of a decimal field: a string such as `"12.50"`, or an integer.
pub(crate) fn decimal_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": ["string", "integer"], "format": DECIMAL })
}

/// JSON Schema of a map from ids to decimals (rates by channel, campaign or promoter).
pub(crate) fn decimal_map_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({
        "type": "object",
        "additionalProperties": { "type": ["string", "integer"], "format": DECIMAL }
    })
}

/// JSON Schema of a duration field: `"30m"`, `"12h"`, `"7d"`, `"4w"`.
pub(crate) fn duration_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "format": DURATION })
}

/// JSON Schema of a currency field: an ISO 4217 code such as `"CNY"`.
pub(crate) fn currency_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema!({ "type": "string", "format": CURRENCY })
}

/// The JSON Schema of `T`, generated once per cell.
pub(crate) fn schema_of<T: JsonSchema>(cell: &'static OnceLock<Value>) -> &'static Value {
    cell.get_or_init(|| schemars::schema_for!(T).to_value())
}

/// Reads a JSON document of type `T` whose schema is `schema` (see [`schema_of`]), reporting
/// every problem with its path from the document's root.
pub(crate) fn read<T: DeserializeOwned>(text: &str, what: &str, schema: &Value) -> Result<T> {
    let value: Value =
        serde_json::from_str(text).map_err(|e| crate::error::json_parse_error("", what, &e))?;
    let mut problems = Vec::new();
    check(schema, &value, "", &mut problems);
    if !problems.is_empty() {
        return Err(Error::with_problems(ErrorKind::Validation, problems));
    }
    serde_json::from_value(value).map_err(|e| Error::at(ErrorKind::Validation, "", e.to_string()))
}

/// Appends to `out` every structural and text problem of `value` against `schema`, with paths
/// under `at`.
pub(crate) fn check(schema: &Value, value: &Value, at: &str, out: &mut Vec<Problem>) {
    let before = out.len();
    check_shape(schema, schema, value, at, out);
    if out.len() == before {
        check_texts(schema, value, at, out);
    }
}

/// Appends the problems of the texts of `value` (decimals, durations, times, currencies) only:
/// for a part of a document whose shape was already checked (a playbook section).
pub(crate) fn check_texts(schema: &Value, value: &Value, at: &str, out: &mut Vec<Problem>) {
    let mut found = Vec::new();
    Texts { root: schema }.walk(schema, value, at, &mut found);
    // Two alternatives of a union may both reach the same field.
    for p in found {
        if !out.contains(&p) {
            out.push(p);
        }
    }
}

struct Texts<'a> {
    root: &'a Value,
}

impl Texts<'_> {
    fn resolve<'s>(&'s self, mut schema: &'s Value) -> &'s Value {
        for _ in 0..16 {
            let Some(target) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            match self
                .root
                .pointer(target.strip_prefix('#').unwrap_or(target))
            {
                Some(s) => schema = s,
                None => break,
            }
        }
        schema
    }

    fn walk(&self, schema: &Value, value: &Value, at: &str, out: &mut Vec<Problem>) {
        let schema = self.resolve(schema);
        if let Some(format) = schema.get("format").and_then(Value::as_str) {
            check_text(format, value, at, out);
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let Some(Value::Array(alternatives)) = schema.get(key) {
                for alternative in alternatives {
                    if key == "allOf" || self.fits(alternative, value) {
                        self.walk(alternative, value, at, out);
                    }
                }
            }
        }
        match value {
            Value::Object(map) => {
                let properties = schema.get("properties").and_then(Value::as_object);
                for (name, item) in map {
                    let here = path_field(at, name);
                    match properties.and_then(|p| p.get(name)) {
                        Some(property) => self.walk(property, item, &here, out),
                        None => {
                            if let Some(extra @ Value::Object(_)) =
                                schema.get("additionalProperties")
                            {
                                self.walk(extra, item, &here, out);
                            }
                        }
                    }
                }
            }
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.walk(item_schema, item, &path_index(at, i), out);
                    }
                }
            }
            _ => {}
        }
    }

    /// Whether `value` is of the alternative `schema`: its constant properties (the tag of a
    /// tagged union) match, and its type does.
    fn fits(&self, schema: &Value, value: &Value) -> bool {
        let schema = self.resolve(schema);
        if let (Some(properties), Value::Object(map)) =
            (schema.get("properties").and_then(Value::as_object), value)
        {
            for (name, property) in properties {
                if let Some(constant) = self.resolve(property).get("const") {
                    if map.get(name) != Some(constant) {
                        return false;
                    }
                }
            }
        }
        if let Some(constant) = schema.get("const") {
            return constant == value;
        }
        match schema.get("type") {
            Some(Value::String(t)) => type_is(t, value),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .any(|t| type_is(t, value)),
            _ => true,
        }
    }
}

fn type_is(t: &str, value: &Value) -> bool {
    match t {
        "null" => value.is_null(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        _ => true,
    }
}

fn check_text(format: &str, value: &Value, at: &str, out: &mut Vec<Problem>) {
    let Value::String(text) = value else { return };
    let result = match format {
        DECIMAL => parse_decimal(text, at).map(|_| ()),
        DURATION => crate::duration::parse(text, at).map(|_| ()),
        CURRENCY => Currency::from_code(text, at).map(|_| ()),
        DATE_TIME => crate::documents::parse_time(text, at).map(|_| ()),
        _ => Ok(()),
    };
    if let Err(e) = result {
        out.extend(e.problems().iter().cloned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use rust_decimal::Decimal;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)] // read for their problems only
    struct Doc {
        #[serde(with = "crate::billing::decimal_text")]
        #[schemars(schema_with = "decimal_schema")]
        price: Decimal,
        #[schemars(schema_with = "duration_schema")]
        hold: String,
        at: DateTime<Utc>,
        items: Vec<Item>,
        #[serde(default)]
        pick: Option<Pick>,
    }

    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Item {
        #[schemars(schema_with = "currency_schema")]
        currency: String,
    }

    #[derive(Debug, Deserialize, JsonSchema)]
    #[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
    #[allow(dead_code)]
    enum Pick {
        A {
            #[schemars(schema_with = "duration_schema")]
            within: String,
        },
        B {
            #[serde(with = "crate::billing::decimal_text")]
            #[schemars(schema_with = "decimal_schema")]
            within: Decimal,
        },
    }

    fn paths(text: &str) -> Vec<String> {
        static SCHEMA: OnceLock<Value> = OnceLock::new();
        match read::<Doc>(text, "doc", schema_of::<Doc>(&SCHEMA)) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().iter().map(|p| p.path.clone()).collect(),
        }
    }

    #[test]
    fn every_bad_text_is_reported_at_its_path() {
        assert_eq!(
            paths(
                r#"{"price":"1,5","hold":"7 days","at":"yesterday",
                    "items":[{"currency":"CNY"},{"currency":"RMB"}],"pick":{"kind":"b","within":"x"}}"#
            ),
            ["at", "hold", "items[1].currency", "pick.within", "price"]
        );
        assert!(paths(r#"{"price":12,"hold":"7d","at":"2026-03-01T00:00:00Z","items":[],"pick":{"kind":"a","within":"3d"}}"#).is_empty());
    }

    #[test]
    fn shape_problems_come_first_and_alone() {
        assert_eq!(
            paths(r#"{"price":1.5,"hold":"x","at":"2026-03-01T00:00:00Z","items":[],"extra":1}"#),
            ["extra", "price"]
        );
        let e = read::<Doc>("{", "doc", &Value::Bool(true)).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Parse);
    }
}
