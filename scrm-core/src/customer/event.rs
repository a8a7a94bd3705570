//! Events (行为 / 轨迹): what a customer did, when, through which channel.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::{Name, Platform};

/// One thing a customer did or that happened to them: a message, a content view, a share, a
/// purchase, a channel-code scan. Events are facts; the engine folds them into profiles.
///
/// `Clone::clone_from` reuses the target's string buffers (the engine recycles retained events).
#[derive(Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// The tenant.
    pub tenant_id: Name,
    /// A unique id: replaying an event with the same id changes nothing.
    pub id: Name,
    /// The customer it is about.
    pub customer_id: Name,
    /// What happened, e.g. `message`, `content_view`, `share`, `purchase`, `scan`.
    #[serde(rename = "type")]
    pub kind: Name,
    /// When it happened.
    #[serde(serialize_with = "crate::rfc3339::write")]
    pub at: DateTime<Utc>,
    /// The platform it happened on, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// The playbook channel id, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// The channel code scanned (渠道活码 / state), for `scan` events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_code: Option<String>,
    /// Free text (a chat message, a form answer) that keyword rules read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Other properties, e.g. `{"category": "pricing", "duration_s": 180}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
}

impl Event {
    /// A new event with no channel, text or properties.
    pub fn new(
        tenant_id: &str,
        id: &str,
        customer_id: &str,
        kind: &str,
        at: DateTime<Utc>,
    ) -> Event {
        Event {
            tenant_id: Name::from(tenant_id),
            id: Name::from(id),
            customer_id: Name::from(customer_id),
            kind: Name::from(kind),
            at,
            platform: None,
            channel_id: None,
            channel_code: None,
            text: None,
            properties: BTreeMap::new(),
        }
    }

    /// Reads an event from JSON, refusing unknown fields and empty ids.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`] for malformed JSON or a wrong field, [`ErrorKind::Validation`] for
    /// an empty id, customer id or type.
    pub fn from_json(text: &str) -> Result<Event> {
        let event: Event = serde_json::from_str(text)
            .map_err(|e| crate::error::json_parse_error("", "event JSON", &e))?;
        event.check()?;
        Ok(event)
    }

    /// The event as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks that the ids and the type are not empty.
    pub fn check(&self) -> Result<()> {
        let mut problems = Vec::new();
        for (field, value) in [
            ("tenant_id", &self.tenant_id),
            ("id", &self.id),
            ("customer_id", &self.customer_id),
            ("type", &self.kind),
        ] {
            if value.trim().is_empty() {
                problems.push(crate::Problem::new(
                    field,
                    format!("{field} must not be empty, found {value:?}"),
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }

    /// A property as text, if it is a JSON string.
    pub fn property_str(&self, name: &str) -> Option<&str> {
        self.properties
            .get(name)
            .and_then(serde_json::Value::as_str)
    }
}
