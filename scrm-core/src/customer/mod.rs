//! The customer model (客户画像): one person and everything known about them.
//!
//! A [`Customer`] carries its identities on every platform, its touches (where it came from), its
//! typed custom attributes, the tags applied to it with their provenance, its consents, its owner
//! and followers. Every id belongs to one tenant; operations across tenants are refused.
//!
//! [`resolve`] finds which profiles of a batch are one person; [`merge`] makes one profile of
//! them, leaving `merged_ids` behind so [`Aliases`] still resolves the old ids.

mod account;
mod consent;
mod event;
mod facts;
mod identity;
mod merge;
#[cfg(test)]
mod merge_tests;
#[cfg(test)]
mod proptests;
mod resolve;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use account::{Account, Contact, ContactRole, DecisionChain};
pub use consent::{ConsentRecord, ConsentSource, ConsentStatus, Consents};
pub use event::Event;
pub use facts::CustomerFacts;
pub(crate) use facts::json_value;
pub use identity::{Identity, IdentityKind};
pub use merge::{Aliases, MergePolicy, MergeStrategy, Merged, merge, merge_pair};
pub use resolve::{Resolution, resolve};

use crate::error::{Error, ErrorKind, Result};
use crate::{Name, Platform};

/// One customer of one tenant.
///
/// `Clone::clone_from` reuses the target's allocations (the engine copies live states into old
/// base states).
#[derive(Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    /// The tenant this customer belongs to.
    pub tenant_id: Name,
    /// The customer's id (a string; never a number, so no runtime loses precision).
    pub id: Name,
    /// When the profile was first created.
    #[serde(serialize_with = "crate::rfc3339::write")]
    pub created_at: DateTime<Utc>,
    /// Every identity, normalised.
    #[serde(default)]
    pub identities: Vec<Identity>,
    /// Custom attributes by name, each with the time it was last set.
    #[serde(default)]
    pub attributes: BTreeMap<String, Attribute>,
    /// Tags applied to the customer, with provenance.
    #[serde(default)]
    pub tags: Vec<AppliedTag>,
    /// Every touch with a channel, oldest first.
    #[serde(default)]
    pub touches: Vec<Touch>,
    /// Consent decisions.
    #[serde(default)]
    pub consents: Consents,
    /// The employee responsible (跟进人 / 归属), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When the current owner took the customer; absent means since the profile was created.
    /// Merges keep the longest-held owner, so they need to know how long each one has held it.
    #[serde(
        serialize_with = "crate::rfc3339::write_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub owner_since: Option<DateTime<Utc>>,
    /// Every employee who has added the customer (WeCom followers), with when.
    #[serde(default)]
    pub followers: Vec<Follower>,
    /// The B2B account (client company) this customer is a contact of, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// When the customer was linked to `account_id`; absent means since the profile was created.
    #[serde(
        serialize_with = "crate::rfc3339::write_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub account_since: Option<DateTime<Utc>>,
    /// The lifecycle stage id, if the engine has placed the customer in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Ids of the profiles merged into this one; each still resolves here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub merged_ids: Vec<String>,
}

/// A custom attribute's value and when it was set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    /// The value.
    pub value: AttributeValue,
    /// When it was last set: the merge strategy `newest_non_empty` compares these.
    #[serde(serialize_with = "crate::rfc3339::write")]
    pub updated_at: DateTime<Utc>,
}

/// A typed attribute value. JSON: `{"text": "上海"}`, `{"number": 12.5}`, `{"bool": true}`,
/// `{"date": "2026-03-01"}`, `{"list": ["a", "b"]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AttributeValue {
    /// Text.
    Text(String),
    /// A number (finite).
    Number(f64),
    /// Yes or no.
    Bool(bool),
    /// A calendar date.
    Date(NaiveDate),
    /// A list of text values.
    List(Vec<String>),
}

impl AttributeValue {
    /// Whether the value counts as absent for merging (PIN: an empty string is absent).
    pub fn is_empty(&self) -> bool {
        match self {
            AttributeValue::Text(s) => s.trim().is_empty(),
            AttributeValue::List(items) => items.is_empty(),
            AttributeValue::Number(_) | AttributeValue::Bool(_) | AttributeValue::Date(_) => false,
        }
    }
}

/// Why a tag is on a customer. Rule-made provenances carry the id of the playbook rule that
/// applied the tag. JSON: `{"kind": "keyword", "id": "kw_price"}`, `{"kind": "manual"}`.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Provenance {
    /// Put on by an employee.
    Manual,
    /// Applied by another rule of the host or the engine, with this id.
    Rule(Name),
    /// Applied by the channel-code rule with this id: the customer scanned one of its codes (渠道活码).
    ChannelCode(Name),
    /// Applied by the keyword rule with this id.
    Keyword(Name),
    /// Applied by the behaviour rule with this id.
    Behaviour(Name),
    /// Applied by the condition rule with this id.
    Condition(Name),
    /// Brought over by an import.
    Import,
    /// Attached to a phone or unionid before the person became a customer (预打标).
    PreTag,
}

/// A tag applied to a customer. Ordered by tag, then time, provenance and expiry, which is the
/// order a merge keeps them in.
///
/// `Clone::clone_from` reuses the target's tag id buffer.
#[derive(Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppliedTag {
    /// The tag id from the playbook's taxonomy.
    pub tag_id: Name,
    /// When it was applied.
    #[serde(serialize_with = "crate::rfc3339::write")]
    pub applied_at: DateTime<Utc>,
    /// Who or what applied it.
    pub provenance: Provenance,
    /// When a behaviour tag stops counting, if it expires.
    #[serde(
        serialize_with = "crate::rfc3339::write_opt",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_at: Option<DateTime<Utc>>,
}

impl AppliedTag {
    /// Whether the tag still counts at `now`.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|end| now < end)
    }

    /// Whether this is tag `id`. Tagging compares a customer's every tag per rule hit, and ids
    /// are short, so without a call to `memcmp` ([`same`](crate::bytes::same)).
    pub(crate) fn is(&self, id: &str) -> bool {
        crate::bytes::same(self.tag_id.as_str(), id)
    }
}

/// One touch: the customer reached us through a channel.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Touch {
    /// When.
    #[serde(serialize_with = "crate::rfc3339::write")]
    pub at: DateTime<Utc>,
    /// The platform.
    pub platform: Platform,
    /// The playbook channel id, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// The campaign, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The channel code (渠道活码 / state) scanned, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_code: Option<String>,
}

/// An employee who has added the customer.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct Follower {
    /// The employee id.
    pub employee_id: String,
    /// Since when.
    #[serde(serialize_with = "crate::rfc3339::write")]
    pub since: DateTime<Utc>,
}

impl Customer {
    /// A new, empty customer of `tenant_id`.
    pub fn new(tenant_id: &str, id: &str, created_at: DateTime<Utc>) -> Customer {
        Customer {
            tenant_id: Name::from(tenant_id),
            id: Name::from(id),
            created_at,
            identities: Vec::new(),
            attributes: BTreeMap::new(),
            tags: Vec::new(),
            touches: Vec::new(),
            consents: Consents::default(),
            owner: None,
            owner_since: None,
            followers: Vec::new(),
            account_id: None,
            account_since: None,
            stage: None,
            merged_ids: Vec::new(),
        }
    }

    /// Reads a customer from JSON and checks it: known fields only, identities in normal form,
    /// finite numbers.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`] for malformed JSON, [`ErrorKind::Validation`] with every problem.
    pub fn from_json(text: &str) -> Result<Customer> {
        let customer: Customer = serde_json::from_str(text)
            .map_err(|e| crate::error::json_parse_error("", "customer JSON", &e))?;
        customer.check()?;
        Ok(customer)
    }

    /// The customer as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Checks the invariants a deserialised customer may break.
    pub fn check(&self) -> Result<()> {
        let mut problems = Vec::new();
        for (i, identity) in self.identities.iter().enumerate() {
            identity.check(&format!("identities[{i}]"), &mut problems);
        }
        for (name, attribute) in &self.attributes {
            if let AttributeValue::Number(n) = attribute.value {
                if !n.is_finite() {
                    problems.push(crate::Problem::new(
                        format!("attributes.{name}.value"),
                        format!("{n} is not a finite number"),
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }

    /// Adds an identity unless the customer already has it. Returns whether it was added.
    pub fn add_identity(&mut self, identity: Identity) -> bool {
        if self.identities.contains(&identity) {
            return false;
        }
        self.identities.push(identity);
        true
    }

    /// Records a touch, keeping touches in time order; the same touch twice is kept once.
    pub fn add_touch(&mut self, touch: Touch) {
        if let Err(at) = self.touches.binary_search(&touch) {
            self.touches.insert(at, touch);
        }
    }

    /// The first touch (first-touch attribution), if any.
    pub fn first_touch(&self) -> Option<&Touch> {
        self.touches.first()
    }

    /// The last touch (last-touch attribution), if any.
    pub fn last_touch(&self) -> Option<&Touch> {
        self.touches.last()
    }

    /// Sets an attribute, refusing a non-finite number.
    pub fn set_attribute(
        &mut self,
        name: &str,
        value: AttributeValue,
        at: DateTime<Utc>,
    ) -> Result<()> {
        if let AttributeValue::Number(n) = value {
            if !n.is_finite() {
                return Err(Error::at(
                    ErrorKind::Validation,
                    format!("attributes.{name}"),
                    format!("{n} is not a finite number"),
                ));
            }
        }
        self.attributes.insert(
            name.to_owned(),
            Attribute {
                value,
                updated_at: at,
            },
        );
        Ok(())
    }

    /// Refuses a list of customers of more than one tenant (a segment, a batch are one
    /// tenant's), naming the first customer whose tenant is not the first customer's.
    ///
    /// ```
    /// use scrm_core::Customer;
    ///
    /// let at = "2026-03-01T00:00:00Z".parse()?;
    /// let list = [Customer::new("tea", "c1", at), Customer::new("coffee", "c2", at)];
    /// let error = Customer::ensure_one_tenant(&list).unwrap_err();
    /// assert_eq!(error.problems()[0].path, "customers[1].tenant_id");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn ensure_one_tenant(customers: &[Customer]) -> Result<()> {
        let Some(first) = customers.first() else {
            return Ok(());
        };
        match customers
            .iter()
            .position(|c| c.tenant_id != first.tenant_id)
        {
            None => Ok(()),
            Some(i) => Err(Error::at(
                ErrorKind::Validation,
                format!("customers[{i}].tenant_id"),
                format!(
                    "customer {:?} is of tenant {:?}, not {:?} like customers[0]: one call works on one tenant's customers",
                    customers[i].id, customers[i].tenant_id, first.tenant_id
                ),
            )),
        }
    }

    /// Refuses to work on a customer of another tenant.
    pub fn ensure_tenant(&self, tenant_id: &str) -> Result<()> {
        if crate::bytes::same(&self.tenant_id, tenant_id) {
            Ok(())
        } else {
            Err(Error::at(
                ErrorKind::Validation,
                "tenant_id",
                format!(
                    "customer {:?} belongs to tenant {:?}, not {:?}",
                    self.id, self.tenant_id, tenant_id
                ),
            ))
        }
    }
}
