//! Every conversion between the data-model records of `model` and the core's types, both ways.
//!
//! Record-to-core conversions check what the host could get wrong (an unknown identity kind, a
//! number that is not a decimal, a time out of range) and report every problem at once as
//! `ScrmError::Validation`, each at its field path (`customer.attributes.size.value`), the paths
//! the JSON interface reports for the same mistakes. Core-to-record conversions cannot fail.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use scrm_core::{IdentityKind, Platform, Provenance as CoreProvenance};

use crate::ScrmError;
use crate::model::{
    Account, AppliedTag, Attribute, AttributeValue, ConsentRecord, ConsentSource, ConsentStatus,
    Contact, ContactRole, Customer, Event, Follower, MergePolicy, MergeStrategy, PreTag, Touch,
};
use crate::records::{Identity, Problem, Provenance};

// ---- errors ---------------------------------------------------------------------------------

/// Collects the problems of one conversion, each at its full path.
#[derive(Default)]
pub(crate) struct Problems(Vec<Problem>);

impl Problems {
    fn push(&mut self, path: &str, message: String) {
        self.0.push(Problem {
            path: path.to_owned(),
            message,
        });
    }

    /// `value` when every conversion succeeded, else one `Validation` error with every problem.
    pub(crate) fn finish<T>(self, value: T) -> Result<T, ScrmError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(validation(self.0))
        }
    }
}

/// A `Validation` error made of `problems`, worded as the core words its errors.
pub(crate) fn validation(problems: Vec<Problem>) -> ScrmError {
    let line = |p: &Problem| {
        let path = if p.path.is_empty() {
            "(root)"
        } else {
            p.path.as_str()
        };
        format!("{path}: {}", p.message)
    };
    let detail = match problems.as_slice() {
        [one] => format!("validation: {}", line(one)),
        many => {
            let lines: Vec<String> = many.iter().map(|p| format!("\n  {}", line(p))).collect();
            format!("validation: {} problems{}", many.len(), lines.concat())
        }
    };
    ScrmError::Validation { detail, problems }
}

/// `field` under `at`: `customer` + `identities[0]` is `customer.identities[0]`.
fn join(at: &str, field: &str) -> String {
    match (at.is_empty(), field.is_empty()) {
        (true, _) => field.to_owned(),
        (_, true) => at.to_owned(),
        _ if field.starts_with('[') => format!("{at}{field}"),
        _ => format!("{at}.{field}"),
    }
}

/// A core error whose problem paths are relative to `at`, with the paths made whole.
pub(crate) fn prefixed(error: scrm_core::Error, at: &str) -> ScrmError {
    let problems: Vec<Problem> = error
        .problems()
        .iter()
        .map(|p| Problem {
            path: join(at, &p.path),
            message: p.message.clone(),
        })
        .collect();
    match ScrmError::from(error) {
        ScrmError::Validation { .. } => validation(problems),
        other => other,
    }
}

// ---- times ----------------------------------------------------------------------------------

/// A host time as UTC; a time beyond chrono's range is a validation error at `path`.
pub(crate) fn utc_at(time: SystemTime, path: &str) -> Result<DateTime<Utc>, ScrmError> {
    let mut problems = Problems::default();
    let converted = time_at(time, path, &mut problems);
    problems
        .finish(converted)
        .map(|t| t.unwrap_or(DateTime::UNIX_EPOCH))
}

fn time_at(time: SystemTime, path: &str, problems: &mut Problems) -> Option<DateTime<Utc>> {
    let converted = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => TimeDelta::from_std(after)
            .ok()
            .and_then(|d| DateTime::UNIX_EPOCH.checked_add_signed(d)),
        Err(before) => TimeDelta::from_std(before.duration())
            .ok()
            .and_then(|d| DateTime::UNIX_EPOCH.checked_sub_signed(d)),
    };
    if converted.is_none() {
        let seconds = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => format!("{} seconds after", after.as_secs()),
            Err(before) => format!("{} seconds before", before.duration().as_secs()),
        };
        problems.push(
            path,
            format!("time {seconds} 1970-01-01T00:00:00Z is out of range (about ±262,000 years)"),
        );
    }
    converted
}

fn time_opt(time: Option<SystemTime>, path: &str, p: &mut Problems) -> Option<DateTime<Utc>> {
    time.and_then(|t| time_at(t, path, p))
}

/// A core time as a host time. Every chrono time fits a `SystemTime` (±2^63 seconds).
fn host(time: DateTime<Utc>) -> SystemTime {
    SystemTime::from(time)
}

// ---- records to core ------------------------------------------------------------------------

/// Converts a record to its core type, collecting problems under `at`; the placeholder values of
/// a failed field are never seen, since `Problems::finish` then returns the error.
pub(crate) trait ToCore {
    /// The core type.
    type Core;
    /// The core value, with every problem recorded in `problems` at a path under `at`.
    fn to_core(&self, at: &str, problems: &mut Problems) -> Self::Core;
}

/// Converts one record, checks it as the JSON interface does, and names `at` in every problem.
pub(crate) fn customer_in(c: &Customer, at: &str) -> Result<scrm_core::Customer, ScrmError> {
    let mut problems = Problems::default();
    let core = c.to_core(at, &mut problems);
    let core = problems.finish(core)?;
    core.check().map_err(|e| prefixed(e, at))?;
    Ok(core)
}

/// Converts a list of customers, every problem at `customers[i]`.
pub(crate) fn customers_in(list: &[Customer]) -> Result<Vec<scrm_core::Customer>, ScrmError> {
    let mut out = Vec::with_capacity(list.len());
    let mut problems = Vec::new();
    for (i, c) in list.iter().enumerate() {
        match customer_in(c, &format!("customers[{i}]")) {
            Ok(core) => out.push(core),
            Err(ScrmError::Validation { problems: p, .. }) => problems.extend(p),
            Err(other) => return Err(other),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(validation(problems))
    }
}

/// Converts one event and checks its ids, every problem under `at`.
pub(crate) fn event_in(e: &Event, at: &str) -> Result<scrm_core::Event, ScrmError> {
    let mut problems = Problems::default();
    let core = e.to_core(at, &mut problems);
    let core = problems.finish(core)?;
    core.check().map_err(|err| prefixed(err, at))?;
    Ok(core)
}

/// Converts a list of events, problems at `what[i]`.
pub(crate) fn events_in(list: &[Event], what: &str) -> Result<Vec<scrm_core::Event>, ScrmError> {
    list.iter()
        .enumerate()
        .map(|(i, e)| event_in(e, &format!("{what}[{i}]")))
        .collect()
}

impl ToCore for Customer {
    type Core = scrm_core::Customer;

    fn to_core(&self, at: &str, p: &mut Problems) -> scrm_core::Customer {
        let created_at = time_at(self.created_at, &join(at, "created_at"), p);
        let mut c = scrm_core::Customer::new(
            &self.tenant_id,
            &self.id,
            created_at.unwrap_or(DateTime::UNIX_EPOCH),
        );
        c.identities = indexed(&self.identities, &join(at, "identities"), p);
        c.attributes = self
            .attributes
            .iter()
            .map(|(name, a)| {
                (
                    name.clone(),
                    a.to_core(&join(at, &format!("attributes.{name}")), p),
                )
            })
            .collect::<BTreeMap<_, _>>();
        c.tags = indexed(&self.tags, &join(at, "tags"), p);
        c.touches = indexed(&self.touches, &join(at, "touches"), p);
        c.consents = consents(indexed(&self.consents, &join(at, "consents"), p));
        c.owner.clone_from(&self.owner);
        c.owner_since = time_opt(self.owner_since, &join(at, "owner_since"), p);
        c.followers = indexed(&self.followers, &join(at, "followers"), p);
        c.account_id.clone_from(&self.account_id);
        c.account_since = time_opt(self.account_since, &join(at, "account_since"), p);
        c.stage.clone_from(&self.stage);
        c.merged_ids.clone_from(&self.merged_ids);
        c
    }
}

/// Converts each item of a list at `at[i]`.
fn indexed<T: ToCore>(items: &[T], at: &str, p: &mut Problems) -> Vec<T::Core> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| item.to_core(&format!("{at}[{i}]"), p))
        .collect()
}

/// The consent records as the core's `Consents`, in the given order (as the JSON interface reads
/// them). `Consents` has no public constructor from a list, so this goes through its serde form,
/// which is the list itself.
fn consents(records: Vec<scrm_core::ConsentRecord>) -> scrm_core::Consents {
    serde_json::to_value(records)
        .and_then(serde_json::from_value)
        // ok: a list of records always reads back as Consents (a transparent list of them).
        .unwrap_or_default()
}

impl ToCore for Identity {
    type Core = scrm_core::Identity;

    fn to_core(&self, at: &str, p: &mut Problems) -> scrm_core::Identity {
        let kind = IdentityKind::from_name(&self.kind).unwrap_or_else(|e| {
            for problem in e.problems() {
                p.push(&join(at, "kind"), problem.message.clone());
            }
            IdentityKind::Custom
        });
        scrm_core::Identity {
            kind,
            namespace: self.namespace.clone(),
            scope: self.scope.clone(),
            value: self.value.clone(),
            strong: self.strong,
        }
    }
}

impl ToCore for Attribute {
    type Core = scrm_core::Attribute;

    fn to_core(&self, at: &str, p: &mut Problems) -> scrm_core::Attribute {
        let value = attribute_value(&self.value, &join(at, "value"), p);
        let updated_at = time_at(self.updated_at, &join(at, "updated_at"), p);
        scrm_core::Attribute {
            value,
            updated_at: updated_at.unwrap_or(DateTime::UNIX_EPOCH),
        }
    }
}

fn attribute_value(v: &AttributeValue, at: &str, p: &mut Problems) -> scrm_core::AttributeValue {
    use scrm_core::AttributeValue as Core;
    match v {
        AttributeValue::Text { value } => Core::Text(value.clone()),
        AttributeValue::Number { value } => match value.parse::<f64>() {
            Ok(n) if n.is_finite() => Core::Number(n),
            _ => {
                p.push(
                    at,
                    format!("invalid number {value:?}, expected a finite decimal like \"12.5\""),
                );
                Core::Number(0.0)
            }
        },
        AttributeValue::Bool { value } => Core::Bool(*value),
        AttributeValue::Date { value } => match value.parse::<NaiveDate>() {
            Ok(d) => Core::Date(d),
            Err(e) => {
                p.push(
                    at,
                    format!("invalid date {value:?}: {e}; expected ISO 8601 like \"2026-03-01\""),
                );
                Core::Date(NaiveDate::default())
            }
        },
        AttributeValue::TextList { values } => Core::List(values.clone()),
    }
}

impl ToCore for Provenance {
    type Core = CoreProvenance;

    fn to_core(&self, at: &str, p: &mut Problems) -> CoreProvenance {
        let with_id = |make: fn(scrm_core::Name) -> CoreProvenance, p: &mut Problems| match &self.id
        {
            Some(id) => make(id.into()),
            None => {
                let kind = &self.kind;
                p.push(
                    &join(at, "id"),
                    format!("a {kind} provenance needs the rule id"),
                );
                make(scrm_core::Name::default())
            }
        };
        let without_id = |unit: CoreProvenance, p: &mut Problems| {
            if let Some(id) = &self.id {
                let kind = &self.kind;
                p.push(
                    &join(at, "id"),
                    format!("a {kind} provenance has no id, found {id:?}"),
                );
            }
            unit
        };
        match self.kind.as_str() {
            "manual" => without_id(CoreProvenance::Manual, p),
            "import" => without_id(CoreProvenance::Import, p),
            "pre_tag" => without_id(CoreProvenance::PreTag, p),
            "rule" => with_id(CoreProvenance::Rule, p),
            "channel_code" => with_id(CoreProvenance::ChannelCode, p),
            "keyword" => with_id(CoreProvenance::Keyword, p),
            "behaviour" => with_id(CoreProvenance::Behaviour, p),
            "condition" => with_id(CoreProvenance::Condition, p),
            other => {
                p.push(
                    &join(at, "kind"),
                    format!(
                        "unknown provenance kind {other:?}, expected one of: manual, rule, \
                         channel_code, keyword, behaviour, condition, import, pre_tag"
                    ),
                );
                CoreProvenance::Manual
            }
        }
    }
}

impl ToCore for AppliedTag {
    type Core = scrm_core::AppliedTag;

    fn to_core(&self, at: &str, p: &mut Problems) -> scrm_core::AppliedTag {
        scrm_core::AppliedTag {
            tag_id: self.tag_id.as_str().into(),
            applied_at: time_at(self.applied_at, &join(at, "applied_at"), p)
                .unwrap_or(DateTime::UNIX_EPOCH),
            provenance: self.provenance.to_core(&join(at, "provenance"), p),
            expires_at: time_opt(self.expires_at, &join(at, "expires_at"), p),
        }
    }
}

/// A platform by its snake_case name; the core's serde names are the source of truth.
fn platform(name: &str, at: &str, p: &mut Problems) -> Platform {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).unwrap_or_else(|e| {
        p.push(at, format!("unknown platform {name:?}: {e}"));
        Platform::Other
    })
}

impl ToCore for Touch {
    type Core = scrm_core::Touch;

    fn to_core(&self, at: &str, p: &mut Problems) -> scrm_core::Touch {
        scrm_core::Touch {
            at: time_at(self.at, &join(at, "at"), p).unwrap_or(DateTime::UNIX_EPOCH),
            platform: platform(&self.platform, &join(at, "platform"), p),
            channel_id: self.channel_id.clone(),
            campaign: self.campaign.clone(),
            channel_code: self.channel_code.clone(),
        }
    }
}

impl ToCore for ConsentRecord {
    type Core = scrm_core::ConsentRecord;

    fn to_core(&self, at: &str, p: &mut Problems) -> scrm_core::ConsentRecord {
        use scrm_core::{ConsentSource as Source, ConsentStatus as Status};
        scrm_core::ConsentRecord {
            purpose: self.purpose.clone(),
            channel: self.channel.clone(),
            status: match self.status {
                ConsentStatus::Granted => Status::Granted,
                ConsentStatus::Denied => Status::Denied,
                ConsentStatus::Withdrawn => Status::Withdrawn,
            },
            at: time_at(self.at, &join(at, "at"), p).unwrap_or(DateTime::UNIX_EPOCH),
            source: match self.source {
                ConsentSource::Customer => Source::Customer,
                ConsentSource::Employee => Source::Employee,
                ConsentSource::Import => Source::Import,
                ConsentSource::System => Source::System,
            },
        }
    }
}

impl ToCore for Follower {
    type Core = scrm_core::Follower;

    fn to_core(&self, at: &str, p: &mut Problems) -> scrm_core::Follower {
        scrm_core::Follower {
            employee_id: self.employee_id.clone(),
            since: time_at(self.since, &join(at, "since"), p).unwrap_or(DateTime::UNIX_EPOCH),
        }
    }
}

impl ToCore for Event {
    type Core = scrm_core::Event;

    fn to_core(&self, at: &str, p: &mut Problems) -> scrm_core::Event {
        let when = time_at(self.at, &join(at, "at"), p).unwrap_or(DateTime::UNIX_EPOCH);
        let mut e = scrm_core::Event::new(
            &self.tenant_id,
            &self.id,
            &self.customer_id,
            &self.kind,
            when,
        );
        e.platform = self
            .platform
            .as_deref()
            .map(|name| platform(name, &join(at, "platform"), p));
        e.channel_id.clone_from(&self.channel_id);
        e.channel_code.clone_from(&self.channel_code);
        e.text.clone_from(&self.text);
        match serde_json::from_str(&self.properties_json) {
            Ok(properties) => e.properties = properties,
            Err(err) => p.push(
                &join(at, "properties_json"),
                format!("expected a JSON object of properties: {err}"),
            ),
        }
        e
    }
}

impl ToCore for PreTag {
    type Core = scrm_core::PreTag;

    fn to_core(&self, at: &str, p: &mut Problems) -> scrm_core::PreTag {
        scrm_core::PreTag {
            identity: self.identity.to_core(&join(at, "identity"), p),
            tag: self.tag.clone(),
            at: time_at(self.at, &join(at, "at"), p).unwrap_or(DateTime::UNIX_EPOCH),
        }
    }
}

impl From<&Account> for scrm_core::Account {
    fn from(a: &Account) -> scrm_core::Account {
        scrm_core::Account {
            tenant_id: a.tenant_id.clone(),
            id: a.id.clone(),
            name: a.name.clone(),
            contacts: a.contacts.iter().map(scrm_core::Contact::from).collect(),
        }
    }
}

impl From<&Contact> for scrm_core::Contact {
    fn from(c: &Contact) -> scrm_core::Contact {
        use scrm_core::ContactRole as Core;
        scrm_core::Contact {
            customer_id: c.customer_id.clone(),
            title: c.title.clone(),
            roles: c
                .roles
                .iter()
                .map(|r| match r {
                    ContactRole::DecisionMaker => Core::DecisionMaker,
                    ContactRole::Influencer => Core::Influencer,
                    ContactRole::Champion => Core::Champion,
                    ContactRole::User => Core::User,
                    ContactRole::Gatekeeper => Core::Gatekeeper,
                })
                .collect(),
            reports_to: c.reports_to.clone(),
            influences: c.influences.iter().cloned().collect(),
        }
    }
}

impl From<&MergePolicy> for scrm_core::MergePolicy {
    fn from(m: &MergePolicy) -> scrm_core::MergePolicy {
        scrm_core::MergePolicy {
            default: strategy(m.default_strategy),
            attributes: m
                .attributes
                .iter()
                .map(|(name, s)| (name.clone(), strategy(*s)))
                .collect(),
            stage_order: m.stage_order.clone(),
        }
    }
}

fn strategy(s: MergeStrategy) -> scrm_core::MergeStrategy {
    use scrm_core::MergeStrategy as Core;
    match s {
        MergeStrategy::KeepTarget => Core::KeepTarget,
        MergeStrategy::NewestNonEmpty => Core::NewestNonEmpty,
        MergeStrategy::Oldest => Core::Oldest,
        MergeStrategy::Newest => Core::Newest,
        MergeStrategy::Sum => Core::Sum,
        MergeStrategy::Max => Core::Max,
        MergeStrategy::Union => Core::Union,
    }
}

// ---- core to records ------------------------------------------------------------------------

impl From<scrm_core::Customer> for Customer {
    fn from(c: scrm_core::Customer) -> Customer {
        Customer {
            tenant_id: c.tenant_id.into(),
            id: c.id.into(),
            created_at: host(c.created_at),
            identities: c.identities.into_iter().map(Identity::from).collect(),
            attributes: c
                .attributes
                .into_iter()
                .map(|(name, a)| (name, Attribute::from(a)))
                .collect(),
            tags: c.tags.into_iter().map(AppliedTag::from).collect(),
            touches: c.touches.into_iter().map(Touch::from).collect(),
            consents: c
                .consents
                .records()
                .iter()
                .map(ConsentRecord::from)
                .collect(),
            owner: c.owner,
            owner_since: c.owner_since.map(host),
            followers: c
                .followers
                .into_iter()
                .map(|f| Follower {
                    employee_id: f.employee_id,
                    since: host(f.since),
                })
                .collect(),
            account_id: c.account_id,
            account_since: c.account_since.map(host),
            stage: c.stage,
            merged_ids: c.merged_ids,
        }
    }
}

impl From<scrm_core::Attribute> for Attribute {
    fn from(a: scrm_core::Attribute) -> Attribute {
        use scrm_core::AttributeValue as Core;
        let value = match a.value {
            Core::Text(value) => AttributeValue::Text { value },
            // Display prints the shortest decimal that reads back to the same float, never an
            // exponent.
            Core::Number(n) => AttributeValue::Number {
                value: n.to_string(),
            },
            Core::Bool(value) => AttributeValue::Bool { value },
            Core::Date(d) => AttributeValue::Date {
                value: d.to_string(),
            },
            Core::List(values) => AttributeValue::TextList { values },
        };
        Attribute {
            value,
            updated_at: host(a.updated_at),
        }
    }
}

impl From<scrm_core::AppliedTag> for AppliedTag {
    fn from(t: scrm_core::AppliedTag) -> AppliedTag {
        AppliedTag {
            provenance: Provenance::from(&t.provenance),
            tag_id: t.tag_id.into(),
            applied_at: host(t.applied_at),
            expires_at: t.expires_at.map(host),
        }
    }
}

impl From<scrm_core::Touch> for Touch {
    fn from(t: scrm_core::Touch) -> Touch {
        Touch {
            at: host(t.at),
            platform: t.platform.as_str().to_owned(),
            channel_id: t.channel_id,
            campaign: t.campaign,
            channel_code: t.channel_code,
        }
    }
}

impl From<&scrm_core::ConsentRecord> for ConsentRecord {
    fn from(r: &scrm_core::ConsentRecord) -> ConsentRecord {
        use scrm_core::{ConsentSource as Source, ConsentStatus as Status};
        ConsentRecord {
            purpose: r.purpose.clone(),
            channel: r.channel.clone(),
            status: match r.status {
                Status::Granted => ConsentStatus::Granted,
                Status::Denied => ConsentStatus::Denied,
                Status::Withdrawn => ConsentStatus::Withdrawn,
            },
            at: host(r.at),
            source: match r.source {
                Source::Customer => ConsentSource::Customer,
                Source::Employee => ConsentSource::Employee,
                Source::Import => ConsentSource::Import,
                Source::System => ConsentSource::System,
            },
        }
    }
}

impl From<scrm_core::Event> for Event {
    fn from(e: scrm_core::Event) -> Event {
        Event {
            // ok: a map of JSON values always serialises; "{}" is never reached.
            properties_json: serde_json::to_string(&e.properties)
                .unwrap_or_else(|_| "{}".to_owned()),
            tenant_id: e.tenant_id.into(),
            id: e.id.into(),
            customer_id: e.customer_id.into(),
            kind: e.kind.into(),
            at: host(e.at),
            platform: e.platform.map(|p| p.as_str().to_owned()),
            channel_id: e.channel_id,
            channel_code: e.channel_code,
            text: e.text,
        }
    }
}

impl From<scrm_core::Account> for Account {
    fn from(a: scrm_core::Account) -> Account {
        use scrm_core::ContactRole as Core;
        Account {
            tenant_id: a.tenant_id,
            id: a.id,
            name: a.name,
            contacts: a
                .contacts
                .into_iter()
                .map(|c| Contact {
                    customer_id: c.customer_id,
                    title: c.title,
                    roles: c
                        .roles
                        .into_iter()
                        .map(|r| match r {
                            Core::DecisionMaker => ContactRole::DecisionMaker,
                            Core::Influencer => ContactRole::Influencer,
                            Core::Champion => ContactRole::Champion,
                            Core::User => ContactRole::User,
                            Core::Gatekeeper => ContactRole::Gatekeeper,
                        })
                        .collect(),
                    reports_to: c.reports_to,
                    influences: c.influences.into_iter().collect(),
                })
                .collect(),
        }
    }
}
