//! The small result records (Kotlin data classes, Swift structs) and their conversion from core
//! types. The data-model records a host passes in (customers, events, accounts) and their
//! conversions both ways live in `convert`.

use scrm_core::{Provenance as CoreProvenance, TagAction};

use crate::model::Customer;

/// One problem of an input: where it is and what is wrong.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Problem {
    /// Dotted path of the field at fault, e.g. `taxonomy.groups[2].tags[0].id`; "" for the root.
    pub path: String,
    /// What is wrong, naming the offending value.
    pub message: String,
}

impl From<&scrm_core::Problem> for Problem {
    fn from(p: &scrm_core::Problem) -> Problem {
        Problem {
            path: p.path.clone(),
            message: p.message.clone(),
        }
    }
}

/// A channel customers arrive through.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Channel {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Platform name: "wecom", "wechat", "mini_program", "douyin", "offline", ...
    pub platform: String,
}

impl From<&scrm_core::Channel> for Channel {
    fn from(c: &scrm_core::Channel) -> Channel {
        Channel {
            id: c.id.clone(),
            name: c.name.clone(),
            platform: c.platform.as_str().to_owned(),
        }
    }
}

/// A tag of the taxonomy.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Tag {
    /// Stable id, unique in the taxonomy.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Hierarchical path such as "行业/汽车/新能源".
    pub path: Option<String>,
    /// Display order (bigger first).
    pub order: i64,
}

impl From<&scrm_core::Tag> for Tag {
    fn from(t: &scrm_core::Tag) -> Tag {
        Tag {
            id: t.id.clone(),
            name: t.name.clone(),
            path: t.path.clone(),
            order: t.order,
        }
    }
}

/// A tag group; an exclusive group holds at most one tag per customer.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TagGroup {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Single-select group.
    pub exclusive: bool,
    /// Display order (bigger first).
    pub order: i64,
    /// The group's tags, in document order.
    pub tags: Vec<Tag>,
}

impl From<&scrm_core::TagGroup> for TagGroup {
    fn from(g: &scrm_core::TagGroup) -> TagGroup {
        TagGroup {
            id: g.id.clone(),
            name: g.name.clone(),
            exclusive: g.exclusive,
            order: g.order,
            tags: g.tags.iter().map(Tag::from).collect(),
        }
    }
}

/// One normalised identity of a customer, the same fields as an entry of a customer's
/// `identities` in the JSON data model.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Identity {
    /// The kind: "wecom_external_userid", "wechat_unionid", "wechat_openid", "phone", "email",
    /// "douyin_openid" or "custom".
    pub kind: String,
    /// The normalised value: phones in E.164 (`+8613800138000`), emails trimmed and lower-cased,
    /// other ids trimmed.
    pub value: String,
    /// Where the id is unique: the corp id of a `wecom_external_userid`, the app id of an openid.
    #[uniffi(default)]
    pub scope: Option<String>,
    /// For `custom`: the host's namespace (e.g. "erp_member_no").
    #[uniffi(default)]
    pub namespace: Option<String>,
    /// For `custom`: whether sharing this id proves two profiles are one person. Always false for
    /// the other kinds, whose strength their kind fixes (the JSON field of the same name).
    #[uniffi(default)]
    pub strong: bool,
}

impl From<scrm_core::Identity> for Identity {
    fn from(i: scrm_core::Identity) -> Identity {
        Identity {
            kind: i.kind.as_str().to_owned(),
            value: i.value,
            scope: i.scope,
            namespace: i.namespace,
            strong: i.strong,
        }
    }
}

/// Who or what applied a tag: JSON `{"kind": "keyword", "id": "kw_price"}`, `{"kind": "manual"}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct Provenance {
    /// "manual", "rule", "channel_code", "keyword", "behaviour", "condition", "import" or
    /// "pre_tag".
    pub kind: String,
    /// The id of the playbook rule, for the rule-made kinds; null otherwise.
    pub id: Option<String>,
}

impl From<&CoreProvenance> for Provenance {
    fn from(p: &CoreProvenance) -> Provenance {
        let (kind, id) = match p {
            CoreProvenance::Manual => ("manual", None),
            CoreProvenance::Rule(id) => ("rule", Some(id)),
            CoreProvenance::ChannelCode(id) => ("channel_code", Some(id)),
            CoreProvenance::Keyword(id) => ("keyword", Some(id)),
            CoreProvenance::Behaviour(id) => ("behaviour", Some(id)),
            CoreProvenance::Condition(id) => ("condition", Some(id)),
            CoreProvenance::Import => ("import", None),
            CoreProvenance::PreTag => ("pre_tag", None),
        };
        Provenance {
            kind: kind.to_owned(),
            id: id.map(ToString::to_string),
        }
    }
}

/// What a tagging call did to one tag of a customer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct TagChange {
    /// The tag id.
    pub tag_id: String,
    /// "added", "removed" or "refreshed" (already on; its expiry moved later).
    pub action: String,
    /// Who or what made the change (for a removal by an exclusive group: the provenance of the tag
    /// that replaced it).
    pub provenance: Provenance,
    /// Why, in words: `said "多少钱" in message (rule kw_price)`.
    pub reason: String,
}

impl From<&scrm_core::TagChange> for TagChange {
    fn from(c: &scrm_core::TagChange) -> TagChange {
        let action = match c.action {
            TagAction::Added => "added",
            TagAction::Removed => "removed",
            TagAction::Refreshed => "refreshed",
        };
        TagChange {
            tag_id: c.tag_id.to_string(),
            action: action.to_owned(),
            provenance: Provenance::from(&c.provenance),
            reason: c.reason.clone(),
        }
    }
}

/// The outcome of tagging one event: the customer as changed, and what changed.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TagResult {
    /// The customer after the event, as JSON in the shape of `docs/data-model.md` (unchanged when
    /// `changes` is empty).
    pub customer_json: String,
    /// The changes, in the order they were made; empty when no rule fired.
    pub changes: Vec<TagChange>,
}

impl From<(String, Vec<scrm_core::TagChange>)> for TagResult {
    fn from((customer_json, changes): (String, Vec<scrm_core::TagChange>)) -> TagResult {
        TagResult {
            customer_json,
            changes: changes.iter().map(TagChange::from).collect(),
        }
    }
}

/// Who decides, who influences, and what is missing in an account's buying decision (B2B 决策链).
#[derive(Debug, Clone, PartialEq, Eq, Hash, uniffi::Record)]
pub struct DecisionChain {
    /// Contacts (customer ids) with the decision-maker role, top of the reporting line first.
    pub decision_makers: Vec<String>,
    /// Contacts who influence a decision maker: by role, by reporting to one, or through the
    /// influence map.
    pub influencers: Vec<String>,
    /// Champions.
    pub champions: Vec<String>,
    /// Gatekeepers.
    pub gatekeepers: Vec<String>,
    /// What the sales team still needs to find, e.g. "no decision maker known".
    pub gaps: Vec<String>,
}

impl From<scrm_core::DecisionChain> for DecisionChain {
    fn from(c: scrm_core::DecisionChain) -> DecisionChain {
        DecisionChain {
            decision_makers: c.decision_makers,
            influencers: c.influencers,
            champions: c.champions,
            gatekeepers: c.gatekeepers,
            gaps: c.gaps,
        }
    }
}

/// The outcome of a typed tagging call: the customer as changed, and what changed.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct TagEventResult {
    /// The customer after the call (equal to the input when `changes` is empty).
    pub customer: Customer,
    /// The changes, in the order they were made; empty when nothing changed.
    pub changes: Vec<TagChange>,
}

impl From<(scrm_core::Customer, Vec<scrm_core::TagChange>)> for TagEventResult {
    fn from((customer, changes): (scrm_core::Customer, Vec<scrm_core::TagChange>)) -> Self {
        TagEventResult {
            customer: Customer::from(customer),
            changes: changes.iter().map(TagChange::from).collect(),
        }
    }
}

/// The outcome of a typed merge: one profile, and the ids it absorbed.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct MergeResult {
    /// The surviving profile (the oldest input), with every input's data; the others' ids are in
    /// its `mergedIds`.
    pub customer: Customer,
    /// The ids of the inputs absorbed (every input but the survivor), sorted: the rows a host
    /// deletes or points at `customer.id`.
    pub absorbed: Vec<String>,
}

impl From<scrm_core::Merged> for MergeResult {
    fn from(m: scrm_core::Merged) -> MergeResult {
        MergeResult {
            customer: Customer::from(m.customer),
            absorbed: m.absorbed,
        }
    }
}
