//! The data model as FFI records (Kotlin data classes and sealed classes, Swift structs and
//! enums): customers, events, accounts, merge policies and pre-tags, field for field the JSON
//! shapes of `docs/data-model.md`. Their conversions to and from the core's types are all in
//! `convert`.
//!
//! Times are `SystemTime` (Kotlin `Instant`, Swift `Date`); attribute numbers are decimal
//! strings; platforms, identity kinds and provenance kinds are their snake_case names, as in
//! JSON, so a platform the core adds later needs no new binding type.

use std::collections::HashMap;
use std::time::SystemTime;

use crate::records::{Identity, Provenance};

/// One customer of one tenant (客户画像): the typed form of the JSON customer of
/// `docs/data-model.md`, field for field.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Customer {
    /// The tenant this customer belongs to.
    pub tenant_id: String,
    /// The customer's id.
    pub id: String,
    /// When the profile was first created.
    pub created_at: SystemTime,
    /// Every identity, in normal form (build them with `normalizeIdentity` or `customIdentity`).
    #[uniffi(default)]
    pub identities: Vec<Identity>,
    /// Custom attributes by name, each with the time it was last set.
    #[uniffi(default)]
    pub attributes: HashMap<String, Attribute>,
    /// Tags applied to the customer, with provenance.
    #[uniffi(default)]
    pub tags: Vec<AppliedTag>,
    /// Every touch with a channel, oldest first.
    #[uniffi(default)]
    pub touches: Vec<Touch>,
    /// Every consent decision, oldest first.
    #[uniffi(default)]
    pub consents: Vec<ConsentRecord>,
    /// The employee responsible (跟进人), if any.
    #[uniffi(default)]
    pub owner: Option<String>,
    /// When the current owner took the customer; null means since the profile was created.
    #[uniffi(default)]
    pub owner_since: Option<SystemTime>,
    /// Every employee who has added the customer (WeCom followers), with when.
    #[uniffi(default)]
    pub followers: Vec<Follower>,
    /// The B2B account this customer is a contact of, if any.
    #[uniffi(default)]
    pub account_id: Option<String>,
    /// When the customer was linked to `account_id`; null means since the profile was created.
    #[uniffi(default)]
    pub account_since: Option<SystemTime>,
    /// The lifecycle stage id, if any.
    #[uniffi(default)]
    pub stage: Option<String>,
    /// Ids of the profiles merged into this one.
    #[uniffi(default)]
    pub merged_ids: Vec<String>,
}

/// A custom attribute's value and when it was last set (merges compare the times).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Attribute {
    /// The value.
    pub value: AttributeValue,
    /// When it was last set.
    pub updated_at: SystemTime,
}

/// A typed attribute value (Kotlin sealed class, Swift enum).
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum AttributeValue {
    /// Text.
    Text {
        /// The text.
        value: String,
    },
    /// A finite number as a decimal string, e.g. "12.5" (never a float across the boundary).
    /// The core keeps a 64-bit float; the string it returns is the shortest decimal that reads
    /// back to the same float.
    Number {
        /// The decimal.
        value: String,
    },
    /// Yes or no.
    Bool {
        /// The flag.
        value: bool,
    },
    /// A calendar date, ISO 8601 "2026-03-01".
    Date {
        /// The date.
        value: String,
    },
    /// A list of text values (JSON `list`; named so it does not shadow Kotlin's `List`).
    TextList {
        /// The items.
        values: Vec<String>,
    },
}

/// A tag applied to a customer, with who or what applied it.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AppliedTag {
    /// The tag id from the playbook's taxonomy.
    pub tag_id: String,
    /// When it was applied.
    pub applied_at: SystemTime,
    /// Who or what applied it.
    pub provenance: Provenance,
    /// When a behaviour tag stops counting, if it expires.
    #[uniffi(default)]
    pub expires_at: Option<SystemTime>,
}

/// One touch: the customer reached the tenant through a channel.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Touch {
    /// When.
    pub at: SystemTime,
    /// The platform: "wecom", "wechat", "mini_program", "douyin", "kuaishou", "baidu", "qq",
    /// "weibo", "web", "phone", "email", "offline" or "other".
    pub platform: String,
    /// The playbook channel id, if known.
    #[uniffi(default)]
    pub channel_id: Option<String>,
    /// The campaign, if any.
    #[uniffi(default)]
    pub campaign: Option<String>,
    /// The channel code (渠道活码) scanned, if any.
    #[uniffi(default)]
    pub channel_code: Option<String>,
}

/// One consent decision (授权): for a purpose on a channel (`*`: every channel).
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct ConsentRecord {
    /// What the consent is for: "marketing", "profiling", ...
    pub purpose: String,
    /// The channel id it applies to, or "*".
    pub channel: String,
    /// The decision.
    pub status: ConsentStatus,
    /// When it was made.
    pub at: SystemTime,
    /// Who made it.
    pub source: ConsentSource,
}

/// The state of one consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ConsentStatus {
    /// The customer agreed.
    Granted,
    /// The customer was asked and said no.
    Denied,
    /// The customer agreed once and took it back.
    Withdrawn,
}

/// Who changed a consent; a customer's own refusal is only undone by the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ConsentSource {
    /// The customer themself.
    Customer,
    /// An employee on the customer's behalf.
    Employee,
    /// An import from another system.
    Import,
    /// A rule or default of the system.
    System,
}

/// An employee who has added the customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Follower {
    /// The employee id.
    pub employee_id: String,
    /// Since when.
    pub since: SystemTime,
}

/// One thing a customer did (行为): a message, a view, a share, a purchase, a scan.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Event {
    /// The tenant.
    pub tenant_id: String,
    /// A unique id: replaying an event with the same id changes nothing.
    pub id: String,
    /// The customer it is about.
    pub customer_id: String,
    /// What happened (JSON `type`): "message", "content_view", "share", "purchase", "scan", ...
    pub kind: String,
    /// When it happened.
    pub at: SystemTime,
    /// The platform it happened on, if known (the names of `Touch.platform`).
    #[uniffi(default)]
    pub platform: Option<String>,
    /// The playbook channel id, if known.
    #[uniffi(default)]
    pub channel_id: Option<String>,
    /// The channel code scanned, for "scan" events.
    #[uniffi(default)]
    pub channel_code: Option<String>,
    /// Free text that keyword rules read.
    #[uniffi(default)]
    pub text: Option<String>,
    /// The free-form properties as a JSON object text, e.g. `{"category": "pricing"}`. They stay
    /// JSON because their values are any JSON; the core returns them in compact form.
    #[uniffi(default = "{}")]
    pub properties_json: String,
}

/// A B2B client company (客户公司) with its contacts.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Account {
    /// The tenant.
    pub tenant_id: String,
    /// The account id.
    pub id: String,
    /// The company name.
    pub name: String,
    /// The contacts.
    #[uniffi(default)]
    pub contacts: Vec<Contact>,
}

/// A contact of an account: a customer id with roles and the contact they report to.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Contact {
    /// The customer id of the contact.
    pub customer_id: String,
    /// Job title, free text.
    #[uniffi(default)]
    pub title: Option<String>,
    /// Roles in the buying decision; the core keeps them as a sorted set.
    #[uniffi(default)]
    pub roles: Vec<ContactRole>,
    /// The customer id of the contact's manager, if known (the power map).
    #[uniffi(default)]
    pub reports_to: Option<String>,
    /// Customer ids this contact sways beyond the reporting line; kept as a sorted set.
    #[uniffi(default)]
    pub influences: Vec<String>,
}

/// The role a contact plays in the account's buying decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ContactRole {
    /// Signs off the purchase (拍板人).
    DecisionMaker,
    /// Sways the decision (影响者).
    Influencer,
    /// Argues for us inside the account.
    Champion,
    /// Uses the product.
    User,
    /// Controls access to the decision makers (把关人).
    Gatekeeper,
}

/// How a merge combines profiles: a strategy per attribute and the order of lifecycle stages.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct MergePolicy {
    /// The strategy for attributes not named in `attributes` (JSON `default`).
    pub default_strategy: MergeStrategy,
    /// The strategy per attribute name.
    #[uniffi(default)]
    pub attributes: HashMap<String, MergeStrategy>,
    /// Stage ids from first to furthest; a merge keeps the furthest.
    #[uniffi(default)]
    pub stage_order: Vec<String>,
}

/// How the values of one attribute on several profiles become one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum MergeStrategy {
    /// The survivor's value, even an empty one.
    KeepTarget,
    /// The most recently set non-empty value (the default).
    NewestNonEmpty,
    /// The first value ever set, ignoring empty ones.
    Oldest,
    /// The last write, even an empty one.
    Newest,
    /// The sum of the numbers.
    Sum,
    /// The greatest non-empty value.
    Max,
    /// The set union of the lists.
    Union,
}

/// A tag waiting for an identity (预打标), applied when a customer with that identity arrives.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct PreTag {
    /// The phone, unionid or other identity the tag waits for.
    pub identity: Identity,
    /// The tag id or display name.
    pub tag: String,
    /// When it was attached.
    pub at: SystemTime,
}
