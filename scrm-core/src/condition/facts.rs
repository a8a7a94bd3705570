//! What a condition asks about a customer: the [`Facts`] trait and the values it answers with.

use chrono::{DateTime, NaiveDate, Utc};

use super::Number;
use super::ast::Literal;
use crate::customer::ConsentStatus;

/// What the evaluator of a [`CompiledCondition`](super::CompiledCondition) asks about one customer.
///
/// The condition module knows nothing of how customers are stored: a customer type, a row of an
/// Arrow batch or a test fixture implements this trait. Every method is a cheap lookup; none should
/// allocate, since a segment is evaluated over millions of customers.
///
/// **Absent values.** Return `None` for a value the customer does not have. The evaluator also
/// treats an empty text and an empty list as absent (an empty string is "no value" everywhere in
/// scrm), so implementations need not filter them.
pub trait Facts {
    /// The lead score (线索评分), if scored.
    fn score(&self) -> Option<Number>;
    /// The lifecycle stage id (`mql`, `sql`, ...), if any.
    fn stage(&self) -> Option<&str>;
    /// The id of the owning employee (跟进人), if any.
    fn owner(&self) -> Option<&str>;
    /// The fit grade (`A+` .. `F`), if graded.
    fn grade(&self) -> Option<&str>;
    /// The custom attribute called `name`, if set.
    fn attribute(&self, name: &str) -> Option<AttrValue<'_>>;
    /// Whether the customer carries the tag with this id. Conditions are compiled against the
    /// taxonomy, so this is only ever asked about tag ids, never display names.
    fn has_tag(&self, tag_id: &str) -> bool;
    /// The customer's consent for a purpose (`marketing`) on a channel (`wecom`), if ever recorded.
    fn consent(&self, purpose: &str, channel: &str) -> Option<ConsentStatus>;
    /// Whether the customer has an identity of this kind: `wecom_external_userid`,
    /// `wechat_unionid`, `wechat_openid`, `phone`, `email`, `douyin_openid` or a custom namespace.
    fn has_identity(&self, kind: &str) -> bool;
    /// How many of the customer's events match `filter` (see [`EventFilter::matches`]) and
    /// happened at or after `since` (all history when `None`) and at or before `until`.
    fn count_events(
        &self,
        filter: &EventFilter,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> u64;
}

/// The value of a custom attribute (自定义字段), borrowed from the customer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AttrValue<'a> {
    /// Text, compared exactly (case and width matter).
    Text(&'a str),
    /// A number, compared exactly.
    Number(Number),
    /// A yes / no value.
    Bool(bool),
    /// A calendar date, compared with `date("2026-03-01")` literals.
    Date(NaiveDate),
    /// A list of texts (multi-select): `contains` tests membership, `in` tests overlap.
    List(&'a [String]),
}

impl AttrValue<'_> {
    /// `None` for the values that count as absent: empty text and empty lists.
    pub(crate) fn present(self) -> Option<Self> {
        match self {
            AttrValue::Text("") => None,
            AttrValue::List([]) => None,
            v => Some(v),
        }
    }
}

/// The names conditions use for consent states: `granted`, `denied`, `withdrawn`.
const CONSENT_NAMES: [(ConsentStatus, &str); 3] = [
    (ConsentStatus::Granted, "granted"),
    (ConsentStatus::Denied, "denied"),
    (ConsentStatus::Withdrawn, "withdrawn"),
];

/// The name a condition compares a consent state with.
pub(crate) fn consent_name(status: ConsentStatus) -> &'static str {
    CONSENT_NAMES
        .iter()
        .find(|(s, _)| *s == status)
        .map_or("", |(_, name)| name)
}

/// Whether conditions know `name` as a consent state.
pub(crate) fn is_consent_name(name: &str) -> bool {
    CONSENT_NAMES.iter().any(|(_, n)| *n == name)
}

/// Which events a `count(...)` condition counts: an event name and property filters.
///
/// `count(event = "content_view", category = "pricing", within = "7d") >= 3` counts the
/// `content_view` events whose `category` property equals `"pricing"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventFilter {
    pub(crate) event: Box<str>,
    /// Sorted by name, names unique.
    pub(crate) properties: Box<[(Box<str>, Literal)]>,
}

impl EventFilter {
    /// A filter on the event name and text properties compared with `=`, as auto-tag behaviour
    /// rules write them.
    pub(crate) fn with_text_properties<'a>(
        event: &str,
        properties: impl IntoIterator<Item = (&'a String, &'a String)>,
    ) -> EventFilter {
        let mut properties: Vec<(Box<str>, Literal)> = properties
            .into_iter()
            .map(|(k, v)| (k.as_str().into(), Literal::Text(v.clone())))
            .collect();
        properties.sort_by(|a, b| a.0.cmp(&b.0));
        properties.dedup_by(|a, b| a.0 == b.0);
        EventFilter {
            event: event.into(),
            properties: properties.into_boxed_slice(),
        }
    }

    /// The event name to count (`content_view`).
    pub fn event(&self) -> &str {
        &self.event
    }

    /// The names of the properties the filter tests, sorted; handy to pick an index.
    pub fn property_names(&self) -> impl Iterator<Item = &str> {
        self.properties.iter().map(|(name, _)| &**name)
    }

    /// Whether an event called `name`, whose properties `property` looks up, passes the filter.
    ///
    /// Each filtered property must be present and equal (as `=` compares) to the filter's value;
    /// implementations of [`Facts::count_events`] call this rather than re-implementing it.
    ///
    /// ```
    /// use scrm_core::{AttrValue, Condition, Taxonomy};
    ///
    /// // Facts implementations receive the filter; here we build one through a condition.
    /// let c = Condition::parse(r#"count(event = "view", category = "pricing") >= 1"#)?;
    /// let filter = c.event_filters().next().unwrap();
    /// let pricing = |key: &str| (key == "category").then_some(AttrValue::Text("pricing"));
    /// assert!(filter.matches("view", pricing));
    /// assert!(!filter.matches("view", |_| None));
    /// assert!(!filter.matches("share", pricing));
    /// # Ok::<(), scrm_core::Error>(())
    /// ```
    pub fn matches<'a>(
        &self,
        name: &str,
        property: impl Fn(&str) -> Option<AttrValue<'a>>,
    ) -> bool {
        crate::bytes::same(name, &*self.event)
            && self.properties.iter().all(|(key, expected)| {
                property(key)
                    .and_then(AttrValue::present)
                    .is_some_and(|v| super::eval::equals(v, expected))
            })
    }
}
