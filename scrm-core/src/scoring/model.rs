//! The scoring section compiled: points in hundredths, durations in seconds, conditions
//! compiled, tags resolved, rules indexed by event type.

use std::collections::HashMap;

use chrono_tz::Tz;

use super::decay::DecayModel;
use crate::condition::{CompiledCondition, Number};
use crate::customer::Event;
use crate::playbook::{Component, Monetary, Unmatched};

/// An event property value a rule compares with `=`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PropValue {
    Text(String),
    Number(Number),
    Bool(bool),
}

/// Whether `event` has every property of `filter` with an equal value (numbers compare exactly,
/// never across kinds).
pub(crate) fn properties_match(event: &Event, filter: &[(String, PropValue)]) -> bool {
    filter.iter().all(|(name, expected)| {
        let Some(value) = event.properties.get(name) else {
            return false;
        };
        match (value, expected) {
            (serde_json::Value::String(a), PropValue::Text(b)) => a == b,
            (serde_json::Value::Bool(a), PropValue::Bool(b)) => a == b,
            (serde_json::Value::Number(a), PropValue::Number(b)) => json_number(a) == Some(*b),
            _ => false,
        }
    })
}

/// A JSON number as an exact decimal.
pub(crate) fn json_number(n: &serde_json::Number) -> Option<Number> {
    n.as_i64()
        .map(Number::from)
        .or_else(|| n.as_u64().map(Number::from))
        .or_else(|| n.as_f64().and_then(Number::from_f64))
}

/// One engagement rule.
#[derive(Debug)]
pub(crate) struct RuleModel {
    pub id: String,
    pub event: String,
    pub properties: Vec<(String, PropValue)>,
    pub when: Option<CompiledCondition>,
    /// Points per event, hundredths.
    pub points: i64,
    pub once: bool,
    pub group: Option<usize>,
    /// Magnitude cap, hundredths.
    pub cap: Option<i64>,
    /// Cap period in seconds.
    pub cap_window: Option<i64>,
    pub decay: DecayModel,
}

impl RuleModel {
    /// The cap period an event at `at` (microseconds) falls in: periods of the tenant's local time
    /// counted from Monday 1970-01-05 00:00, so a `1w` period runs Monday to Sunday.
    pub(crate) fn bucket(&self, at: i64, tz: Tz) -> i64 {
        let Some(window) = self.cap_window else {
            return 0;
        };
        local_seconds(at, tz)
            .saturating_sub(4 * 86_400)
            .div_euclid(window.max(1))
    }

    /// A time (microseconds) no later than the UTC end of a period, computed without the
    /// timezone (offsets are at most 14 hours ahead of UTC).
    pub(crate) fn bucket_end_at_least(&self, bucket: i64) -> i64 {
        let Some(window) = self.cap_window else {
            return i64::MAX;
        };
        bucket
            .saturating_add(1)
            .saturating_mul(window)
            .saturating_add(4 * 86_400 - 14 * 3_600)
            .saturating_mul(1_000_000)
    }

    /// The UTC time (microseconds) a period ends: its local end read with the zone's offset at
    /// that moment (under daylight saving a period may so be an hour longer or shorter).
    pub(crate) fn bucket_end(&self, bucket: i64, tz: Tz) -> i64 {
        let Some(window) = self.cap_window else {
            return i64::MAX;
        };
        let local_end = bucket
            .saturating_add(1)
            .saturating_mul(window)
            .saturating_add(4 * 86_400);
        let offset = local_seconds(local_end.saturating_mul(1_000_000), tz) - local_end;
        local_end.saturating_sub(offset).saturating_mul(1_000_000)
    }
}

/// Seconds since 1970-01-01 00:00 of the tenant's wall clock at `at` (microseconds, UTC).
fn local_seconds(at: i64, tz: Tz) -> i64 {
    use chrono::{Offset, TimeZone};
    let secs = at.div_euclid(1_000_000);
    let offset = chrono::DateTime::from_timestamp(secs, 0)
        .map(|utc| {
            tz.offset_from_utc_datetime(&utc.naive_utc())
                .fix()
                .local_minus_utc()
        })
        .unwrap_or(0);
    secs.saturating_add(i64::from(offset))
}

/// A group of engagement rules.
#[derive(Debug)]
pub(crate) struct GroupModel {
    pub id: String,
    pub cap: Option<i64>,
}

/// A fit rule.
#[derive(Debug)]
pub(crate) struct FitRuleModel {
    pub id: String,
    pub when: CompiledCondition,
    pub points: i64,
    /// Thirds of a letter.
    pub grade: i32,
}

/// The fit rules and grading.
#[derive(Debug, Default)]
pub(crate) struct FitModel {
    pub rules: Vec<FitRuleModel>,
    pub cap: Option<i64>,
    pub grade: bool,
    pub unmatched: Unmatched,
}

/// Social value settings, each part optional.
#[derive(Debug, Default)]
pub(crate) struct SocialModel {
    pub in_score: bool,
    /// Attribute, per (hundredths), points, cap.
    pub followers: Option<(String, i64, i64, Option<i64>)>,
    /// Event, points, cap.
    pub referrals: Option<(String, i64, Option<i64>)>,
    pub reach: Option<ReachModel>,
}

/// Share reach settings.
#[derive(Debug)]
pub(crate) struct ReachModel {
    pub events: Vec<String>,
    pub property: String,
    /// People per unit, hundredths.
    pub per: i64,
    pub points: i64,
    pub cap: Option<i64>,
}

/// A score threshold.
#[derive(Debug)]
pub(crate) struct ThresholdModel {
    pub id: String,
    pub score: i64,
    pub component: Component,
    pub rearm_below: Option<i64>,
    pub alert: Option<String>,
}

/// RFM settings.
#[derive(Debug)]
pub(crate) struct RfmModel {
    pub event: String,
    pub amount_property: String,
    /// Seconds.
    pub recent_within: i64,
    pub frequent_at: u32,
    /// Hundredths of the currency.
    pub valuable_at: i64,
    pub monetary: Monetary,
}

/// A high-intent action of the priority list.
#[derive(Debug)]
pub(crate) struct ActionModel {
    pub id: String,
    pub event: String,
    pub properties: Vec<(String, PropValue)>,
    pub label: String,
    pub points: i64,
}

/// Priority list settings.
#[derive(Debug)]
pub(crate) struct PriorityModel {
    /// Tag id and points (hundredths).
    pub intent_tags: Vec<(String, i64)>,
    pub actions: Vec<ActionModel>,
    /// Seconds.
    pub fresh_for: i64,
    pub contact_events: Vec<String>,
    /// Seconds.
    pub follow_up_every: i64,
    pub overdue_points_per_day: i64,
    /// Hundredths of the currency per point.
    pub spend_per_point: i64,
}

/// The whole scoring section, compiled.
#[derive(Debug, Default)]
pub(crate) struct ScoringModel {
    pub rules: Vec<RuleModel>,
    /// Event type → the rules scoring it, in playbook order.
    pub by_event: HashMap<String, Vec<usize>>,
    pub groups: Vec<GroupModel>,
    pub total_cap: Option<i64>,
    pub fit: FitModel,
    pub social: SocialModel,
    pub thresholds: Vec<ThresholdModel>,
    pub rfm: Option<RfmModel>,
    pub priority: Option<PriorityModel>,
    pub tz: Option<Tz>,
}

impl ScoringModel {
    /// The tenant's timezone (UTC when unset).
    pub(crate) fn tz(&self) -> Tz {
        self.tz.unwrap_or(Tz::UTC)
    }

    /// Whether any score component is configured at all; a playbook without scoring gives every
    /// customer no score (conditions on `score` then see it as missing).
    pub(crate) fn is_empty(&self) -> bool {
        self.rules.is_empty()
            && self.fit.rules.is_empty()
            && self.social.followers.is_none()
            && self.social.referrals.is_none()
            && self.social.reach.is_none()
    }
}
