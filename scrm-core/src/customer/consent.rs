//! Consent (授权 / 同意), PIPL-aware: per purpose and channel, with the sticky self-unsubscribe rule.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The state of one consent. Ordered granted < denied < withdrawn: a merge that meets two
/// decisions made at the same instant applies the refusal last, so the refusal stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    /// The customer agreed.
    Granted,
    /// The customer was asked and said no (or never agreed where agreement is needed).
    Denied,
    /// The customer agreed once and took it back (unsubscribed).
    Withdrawn,
}

/// Who changed a consent. A customer's own withdrawal or denial is sticky: only the customer
/// can grant again, never the system, an import or an employee.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// The customer themself (a form, an unsubscribe link, a reply "TD").
    Customer,
    /// An employee on the customer's behalf.
    Employee,
    /// An import from another system.
    Import,
    /// A rule or default of the system.
    System,
}

/// One consent decision: for a purpose (e.g. `marketing`) on a channel (e.g. `wecom`, or `*` for
/// every channel), with when and by whom.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRecord {
    /// What the consent is for: `marketing`, `profiling`, `third_party_sharing`, ...
    pub purpose: String,
    /// The channel id it applies to, or `*` for all channels.
    pub channel: String,
    /// The decision.
    pub status: ConsentStatus,
    /// When it was made.
    #[serde(serialize_with = "crate::rfc3339::write")]
    pub at: DateTime<Utc>,
    /// Who made it.
    pub source: ConsentSource,
}

/// Every consent decision of a customer, oldest first. The current state of a (purpose, channel)
/// is the most recent decision that the sticky rule lets stand.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(transparent)]
pub struct Consents(Vec<ConsentRecord>);

impl Consents {
    /// All records, oldest first (by `at`; records of the same instant by purpose, channel, then
    /// status granted < denied < withdrawn, so of two decisions at once the refusal stands).
    pub fn records(&self) -> &[ConsentRecord] {
        &self.0
    }

    /// Records a decision and says whether it is now in force. A grant from anyone but the
    /// customer does not take effect over the customer's own withdrawal or denial (PIPL: a
    /// person's "no" is not undone behind their back); it is kept in the record all the same.
    /// Recording the same decision twice changes nothing, and the order decisions arrive in does
    /// not matter: the state is always computed over the records in time order (see
    /// [`Consents::records`] for decisions made at the same instant).
    pub fn record(&mut self, record: ConsentRecord) -> bool {
        let (purpose, channel, status) = (
            record.purpose.clone(),
            record.channel.clone(),
            record.status,
        );
        if let Err(at) = self.0.binary_search_by(|r| order(r).cmp(&order(&record))) {
            self.0.insert(at, record);
        }
        self.status(&purpose, &channel) == Some(status)
    }

    /// The decision in force for a purpose on a channel, or `None` when there is none (missing
    /// consent: marketing is suppressed). Records for the exact channel and for `*` both count,
    /// in time order, with the sticky rule applied.
    pub fn status(&self, purpose: &str, channel: &str) -> Option<ConsentStatus> {
        let mut state = None;
        // The customer's own last word, kept apart from the state in force: a refusal by someone
        // else after the customer's own must not lift the customer's when a grant follows.
        let mut customer_refused = false;
        for r in self
            .0
            .iter()
            .filter(|r| r.purpose == purpose && (r.channel == channel || r.channel == "*"))
        {
            if r.source == ConsentSource::Customer {
                customer_refused = r.status != ConsentStatus::Granted;
            }
            let blocked = r.status == ConsentStatus::Granted
                && r.source != ConsentSource::Customer
                && customer_refused;
            if !blocked {
                state = Some(r.status);
            }
        }
        state
    }

    /// Whether marketing-like contact for `purpose` on `channel` is allowed: only when granted.
    pub fn allows(&self, purpose: &str, channel: &str) -> bool {
        self.status(purpose, channel) == Some(ConsentStatus::Granted)
    }

    /// Merges another customer's decisions in: every record survives, sorted by time, so the
    /// state in force is the most recent per purpose (the merge PIN) whatever the merge order.
    pub(crate) fn absorb(&mut self, other: &Consents) {
        for r in &other.0 {
            self.record(r.clone());
        }
    }
}

/// The order records are kept in: by time, and at one instant by a fixed order of the rest, so
/// the state never depends on the order records arrive in (a merge replays them in any order).
fn order(r: &ConsentRecord) -> (DateTime<Utc>, &str, &str, ConsentStatus, ConsentSource) {
    (r.at, &r.purpose, &r.channel, r.status, r.source)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(status: ConsentStatus, minute: u32, source: ConsentSource) -> ConsentRecord {
        ConsentRecord {
            purpose: "marketing".into(),
            channel: "wecom".into(),
            status,
            at: format!("2026-01-01T00:{minute:02}:00Z").parse().unwrap(),
            source,
        }
    }

    #[test]
    fn missing_consent_suppresses() {
        let c = Consents::default();
        assert_eq!(c.status("marketing", "wecom"), None);
        assert!(!c.allows("marketing", "wecom"));
    }

    #[test]
    fn a_customers_unsubscribe_is_sticky_against_the_system() {
        let mut c = Consents::default();
        assert!(c.record(rec(ConsentStatus::Granted, 1, ConsentSource::Import)));
        assert!(c.record(rec(ConsentStatus::Withdrawn, 2, ConsentSource::Customer)));
        assert!(!c.record(rec(ConsentStatus::Granted, 3, ConsentSource::System)));
        assert!(!c.record(rec(ConsentStatus::Granted, 4, ConsentSource::Employee)));
        assert_eq!(
            c.status("marketing", "wecom"),
            Some(ConsentStatus::Withdrawn)
        );
        assert!(c.record(rec(ConsentStatus::Granted, 5, ConsentSource::Customer)));
        assert!(c.allows("marketing", "wecom"));
    }

    #[test]
    fn a_refusal_by_someone_else_does_not_lift_the_customers_own() {
        // The customer withdraws, an import then records a denial, and the system grants: the
        // customer's withdrawal still stands against the grant.
        let mut c = Consents::default();
        assert!(c.record(rec(ConsentStatus::Withdrawn, 1, ConsentSource::Customer)));
        assert!(c.record(rec(ConsentStatus::Denied, 2, ConsentSource::Import)));
        assert!(!c.record(rec(ConsentStatus::Granted, 3, ConsentSource::System)));
        assert_eq!(c.status("marketing", "wecom"), Some(ConsentStatus::Denied));
        assert!(!c.allows("marketing", "wecom"));
        // Only the customer lifts it.
        assert!(c.record(rec(ConsentStatus::Granted, 4, ConsentSource::Customer)));
        assert!(c.record(rec(ConsentStatus::Denied, 5, ConsentSource::Employee)));
        assert!(c.record(rec(ConsentStatus::Granted, 6, ConsentSource::System)));
        assert!(c.allows("marketing", "wecom"));
    }

    #[test]
    fn stickiness_does_not_depend_on_arrival_order() {
        let mut c = Consents::default();
        assert!(c.record(rec(ConsentStatus::Granted, 3, ConsentSource::System)));
        assert!(c.record(rec(ConsentStatus::Withdrawn, 2, ConsentSource::Customer)));
        assert_eq!(
            c.status("marketing", "wecom"),
            Some(ConsentStatus::Withdrawn)
        );
        assert_eq!(
            c.records().len(),
            2,
            "the blocked grant is kept in the record"
        );
    }

    #[test]
    fn wildcard_channel_applies_to_every_channel() {
        let mut c = Consents::default();
        let mut all = rec(ConsentStatus::Granted, 1, ConsentSource::Customer);
        all.channel = "*".into();
        c.record(all);
        assert!(c.allows("marketing", "douyin"));
        c.record(rec(ConsentStatus::Denied, 2, ConsentSource::Customer));
        assert!(!c.allows("marketing", "wecom"));
        assert!(c.allows("marketing", "douyin"));
    }
}
