//! Usage events (用量事件): what a meter counts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

use super::keyed::KeyedHash;

/// One billable thing a customer did: a message sent, an API call, a seat added, a payment taken.
///
/// The `id` identifies the event within its customer: the same id sent again (a retry, a replayed
/// log) counts once; the same id with different content is a conflict, reported and never counted
/// twice (decision 0010). JSON shape:
///
/// ```json
/// {"id": "e1", "customer_id": "c1", "type": "message_sent", "at": "2026-03-31T17:30:00Z",
///  "properties": {"tokens": "12", "user": "u7"}, "operation": "add"}
/// ```
///
/// Property values are strings or integers; decimals are written as strings (`"0.5"`) because a
/// JSON number with a fraction has already passed through a float in many hosts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UsageEvent {
    /// The event's id, unique per customer.
    pub id: String,
    /// The customer billed for it.
    pub customer_id: String,
    /// What happened; meters read events of their `event` type.
    #[serde(rename = "type")]
    pub kind: String,
    /// When it happened. The customer's timezone decides which period it falls in.
    pub at: DateTime<Utc>,
    /// For unique-count meters: whether the event adds or removes its value (default add).
    #[serde(default, skip_serializing_if = "Operation::is_add")]
    pub operation: Operation,
    /// Properties, e.g. `{"tokens": "12"}`: meters read one by name.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "property_texts"
    )]
    #[schemars(with = "BTreeMap<String, PropertyText>")]
    pub properties: BTreeMap<String, String>,
}

impl UsageEvent {
    /// An event with no properties.
    pub fn new(id: &str, customer_id: &str, kind: &str, at: DateTime<Utc>) -> UsageEvent {
        UsageEvent {
            id: id.to_owned(),
            customer_id: customer_id.to_owned(),
            kind: kind.to_owned(),
            at,
            operation: Operation::Add,
            properties: BTreeMap::new(),
        }
    }

    /// The same event with one more property.
    pub fn with(mut self, name: &str, value: &str) -> UsageEvent {
        self.properties.insert(name.to_owned(), value.to_owned());
        self
    }

    /// A borrowed view of the event, as the batch API takes it.
    pub(crate) fn view(&self) -> EventView<'_> {
        EventView {
            id: &self.id,
            customer_id: &self.customer_id,
            kind: &self.kind,
            at: self.at,
            operation: self.operation,
            properties: Properties::Map(&self.properties),
        }
    }
}

/// A usage event borrowed from columns (an Arrow batch, a Parquet page): the batch path of
/// [`Metering::ingest_records`](crate::Metering::ingest_records), with no allocation per row
/// beyond what de-duplication keeps.
#[derive(Debug, Clone, Copy)]
pub struct UsageRecord<'a> {
    /// The event's id, unique per customer.
    pub id: &'a str,
    /// The customer billed for it.
    pub customer_id: &'a str,
    /// The event type.
    pub kind: &'a str,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Add or remove (unique-count meters only).
    pub operation: Operation,
    /// Properties as `(name, value)` pairs, in any order, each name at most once.
    pub properties: &'a [(&'a str, &'a str)],
}

impl<'a> UsageRecord<'a> {
    pub(crate) fn view(&self) -> EventView<'a> {
        EventView {
            id: self.id,
            customer_id: self.customer_id,
            kind: self.kind,
            at: self.at,
            operation: self.operation,
            properties: Properties::Pairs(self.properties),
        }
    }
}

/// Whether a unique-count event adds its value to the set or removes it.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// The value joins the set (default).
    #[default]
    Add,
    /// The value leaves the set.
    Remove,
}

impl Operation {
    fn is_add(&self) -> bool {
        *self == Operation::Add
    }
}

/// The schema of a property value: a string or an integer.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)] // only its schema is used
enum PropertyText {
    Text(String),
    Integer(i64),
}

fn property_texts<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<BTreeMap<String, String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        Str(String),
        Int(i64),
        UInt(u64),
    }
    let raw: BTreeMap<String, serde_json::Value> = BTreeMap::deserialize(d)?;
    raw.into_iter()
        .map(|(name, value)| {
            let text = match serde_json::from_value::<Text>(value.clone()) {
                Ok(Text::Str(s)) => s,
                Ok(Text::Int(i)) => i.to_string(),
                Ok(Text::UInt(u)) => u.to_string(),
                Err(_) => {
                    return Err(serde::de::Error::custom(format!(
                        "property {name:?} is {value}; write a string (\"0.5\") or an integer, \
                         never a JSON number with a fraction"
                    )));
                }
            };
            Ok((name, text))
        })
        .collect()
}

/// What ingestion reads of an event, however it is stored.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EventView<'a> {
    pub id: &'a str,
    pub customer_id: &'a str,
    pub kind: &'a str,
    pub at: DateTime<Utc>,
    pub operation: Operation,
    pub properties: Properties<'a>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Properties<'a> {
    Map(&'a BTreeMap<String, String>),
    Pairs(&'a [(&'a str, &'a str)]),
}

impl<'a> Properties<'a> {
    pub fn get(&self, name: &str) -> Option<&'a str> {
        match *self {
            Properties::Map(m) => m.get(name).map(String::as_str),
            Properties::Pairs(p) => p.iter().find(|(n, _)| *n == name).map(|(_, v)| *v),
        }
    }

    /// The first name given twice, if any (a map cannot have one).
    pub fn repeated_name(&self) -> Option<&'a str> {
        match *self {
            Properties::Map(_) => None,
            Properties::Pairs(p) => p
                .iter()
                .enumerate()
                .find(|(i, (n, _))| p.iter().skip(i + 1).any(|(m, _)| m == n))
                .map(|(_, (n, _))| *n),
        }
    }

    fn for_each(&self, mut f: impl FnMut(&str, &str)) {
        match *self {
            Properties::Map(m) => m.iter().for_each(|(n, v)| f(n, v)),
            Properties::Pairs(p) => p.iter().for_each(|(n, v)| f(n, v)),
        }
    }
}

impl EventView<'_> {
    /// A 64-bit fingerprint of everything but the ids: type, time, operation and properties
    /// (in any order). Two events with the same id and fingerprint are the same event sent
    /// twice. The hash has fixed keys, so that states built apart compare the same when they
    /// merge (no state is saved, so it is free to change between versions).
    pub fn fingerprint(&self) -> u64 {
        let h = KeyedHash::FIXED;
        // Properties are summed so that their order does not matter.
        let mut props = 0u64;
        self.properties.for_each(|name, value| {
            let pair = [h.hash(name.as_bytes()), h.hash(value.as_bytes())];
            props = props.wrapping_add(h.words(&pair));
        });
        let time = u64::from(self.at.timestamp_subsec_nanos()) | (self.operation as u64) << 32;
        h.words(&[
            h.hash(self.kind.as_bytes()),
            self.at.timestamp() as u64,
            time,
            props,
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape_takes_strings_and_integers_not_floats() {
        let e: UsageEvent = serde_json::from_str(
            r#"{"id":"e1","customer_id":"c1","type":"sms","at":"2026-03-01T00:00:00Z",
                "properties":{"n":3,"price":"0.5"}}"#,
        )
        .unwrap();
        assert_eq!(e.properties["n"], "3");
        assert_eq!(e.operation, Operation::Add);
        let err = serde_json::from_str::<UsageEvent>(
            r#"{"id":"e1","customer_id":"c1","type":"sms","at":"2026-03-01T00:00:00Z",
                "properties":{"n":0.5}}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("never a JSON number"), "{err}");
    }

    #[test]
    fn the_fingerprint_ignores_ids_and_property_order_but_not_content() {
        let at = "2026-03-01T00:00:00Z".parse().unwrap();
        let a = UsageEvent::new("e1", "c1", "sms", at)
            .with("n", "1")
            .with("m", "2");
        let pairs = [("m", "2"), ("n", "1")];
        let b = UsageRecord {
            id: "other",
            customer_id: "c9",
            kind: "sms",
            at,
            operation: Operation::Add,
            properties: &pairs,
        };
        assert_eq!(a.view().fingerprint(), b.view().fingerprint());
        let c = UsageEvent::new("e1", "c1", "sms", at)
            .with("n", "2")
            .with("m", "1");
        assert_ne!(a.view().fingerprint(), c.view().fingerprint());
        let later = UsageEvent::new("e1", "c1", "sms", at + chrono::Duration::nanoseconds(1))
            .with("n", "1")
            .with("m", "2");
        assert_ne!(a.view().fingerprint(), later.view().fingerprint());
        let mut removed = a.clone();
        removed.operation = Operation::Remove;
        assert_ne!(a.view().fingerprint(), removed.view().fingerprint());
        // Where a property's name ends and its value begins counts.
        let split = |name: &str, value: &str| {
            UsageEvent::new("e1", "c1", "sms", at)
                .with(name, value)
                .view()
                .fingerprint()
        };
        assert_ne!(split("ab", "c"), split("a", "bc"));
        assert_ne!(
            split("n", "1"),
            UsageEvent::new("e1", "c1", "sms", at).view().fingerprint()
        );
        let other_type = UsageEvent::new("e1", "c1", "smt", at)
            .with("n", "1")
            .with("m", "2");
        assert_ne!(a.view().fingerprint(), other_type.view().fingerprint());
    }
}
