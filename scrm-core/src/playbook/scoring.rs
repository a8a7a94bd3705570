//! The scoring section of a playbook (线索评分): engagement rules, fit rules and grade, social
//! value, thresholds, RFM and the owner's priority list.
//!
//! Every field is optional, so a v1 playbook written before scoring existed still loads. The
//! meaning of each field is in `docs/scoring.md`; what can only be checked against the rest of the
//! playbook (unknown groups, bad durations, conditions) is checked when the engine compiles it,
//! which loading does, so every problem is reported at once with its path.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Lead scoring: engagement (events), fit (attributes), social value, and what reads the score.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Scoring {
    /// Engagement rules: points for events.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ScoringRule>,
    /// Groups of engagement rules, each with an optional cap on its net points.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<ScoreGroup>,
    /// The total cap: the engagement score is clamped to `[-cap, cap]` after the group caps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    /// Fit rules over the customer's attributes, tags and stage, and the optional grade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fit: Option<Fit>,
    /// The social value component (the S in SCRM), kept apart from the lead score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub social: Option<Social>,
    /// Score thresholds that alert the owner once per customer (unless re-armed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<Threshold>,
    /// Recency, frequency and monetary value from purchase events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rfm: Option<Rfm>,
    /// How an owner's customers are ranked (客户任务智能排序).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
}

/// An engagement rule: `points` for each event of type `event` that passes the filters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ScoringRule {
    /// Rule id, unique among scoring rules; explanations name it.
    pub id: String,
    /// A display name (`看价目表`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The event type scored (`content_view`).
    pub event: String,
    /// Properties the event must have, compared with `=` (`{ category = "pricing" }`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    /// A condition the customer must satisfy when the event happens (the condition language).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// Points per event, signed, at most two decimals (`5`, `-2.5`).
    pub points: f64,
    /// Score only the first matching event of a customer (default: every event scores).
    #[serde(default, skip_serializing_if = "is_false")]
    pub once: bool,
    /// The group the rule belongs to (an id from `groups`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The most points (in magnitude) the rule gives per `cap_window`, or ever without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    /// The period the cap applies to (`1d`, `1w`): consecutive periods of the tenant's local
    /// time, starting on Monday 1970-01-05.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap_window: Option<String>,
    /// How the points of an event fade with its age.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay: Option<Decay>,
}

/// Decay of an event's points: halve every `half_life`, or drop out after `window`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Decay {
    /// The points halve every this long (`30d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub half_life: Option<String>,
    /// The points count in full until the event is this old, then not at all (`90d`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
}

/// A group of engagement rules (HubSpot's score groups).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ScoreGroup {
    /// Group id, unique among groups.
    pub id: String,
    /// A display name (`内容互动`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The group's net points (plus and minus netted) are clamped to `[-cap, cap]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
}

/// Fit: points and grade from who the customer is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Fit {
    /// The fit rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<FitRule>,
    /// The fit points are clamped to `[-cap, cap]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
    /// Compute a Pardot-style grade (A+ .. F, starting at D).
    #[serde(default, skip_serializing_if = "is_false")]
    pub grade: bool,
    /// What a criterion that does not match does to the grade: `lower` it by its weight
    /// (Pardot, the default) or `ignore` it.
    #[serde(default, skip_serializing_if = "Unmatched::is_default")]
    pub unmatched: Unmatched,
}

/// What an unmatched grading criterion does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Unmatched {
    /// Lowers the grade by the criterion's weight (Pardot).
    #[default]
    Lower,
    /// Leaves the grade alone.
    Ignore,
}

impl Unmatched {
    fn is_default(&self) -> bool {
        *self == Unmatched::Lower
    }
}

/// A fit rule: `points` and `grade` thirds when the customer satisfies `when`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct FitRule {
    /// Rule id, unique among fit rules.
    pub id: String,
    /// A display name (`一线城市`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The condition over the customer (attributes, tags, stage, ...).
    pub when: String,
    /// Points when it holds, signed, at most two decimals.
    #[serde(default)]
    pub points: f64,
    /// Grade weight in thirds of a letter (1 = ⅓, 3 = one letter), from -12 to 12.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub grade: i32,
}

/// The social value component: followers, referrals and share reach.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Social {
    /// Add the social points to the lead score (`score`); otherwise they stay a separate
    /// component, which is the default: social value is never mixed in silently.
    #[serde(default, skip_serializing_if = "is_false")]
    pub in_score: bool,
    /// Points for followers or fans, read from a number attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub followers: Option<SocialFollowers>,
    /// Points per customer brought in (one event per referral).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referrals: Option<SocialReferrals>,
    /// Points for the reach of shares and invites.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reach: Option<SocialReach>,
}

/// Followers: `points` per whole `per` followers, up to `cap`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SocialFollowers {
    /// The number attribute holding the count (`粉丝数`).
    pub attribute: String,
    /// How many followers earn `points` (e.g. 1000).
    pub per: f64,
    /// Points per `per` followers.
    pub points: f64,
    /// The most points from followers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
}

/// Referrals: `points` per referral event, up to `cap`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SocialReferrals {
    /// The event type recording one customer brought in (default `referral`).
    #[serde(default = "default_referral")]
    pub event: String,
    /// Points per referral.
    pub points: f64,
    /// The most points from referrals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
}

/// Reach: `points` per whole `per` people reached by shares and invites, up to `cap`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct SocialReach {
    /// The event types that spread content (default `share` and `invite`).
    #[serde(default = "default_reach_events")]
    pub events: Vec<String>,
    /// The whole-number event property with the people reached (default `reach`); an event
    /// without it reaches one person.
    #[serde(default = "default_reach_property")]
    pub property: String,
    /// How many people reached earn `points` (default 1).
    #[serde(default = "one")]
    pub per: f64,
    /// Points per `per` people reached.
    pub points: f64,
    /// The most points from reach.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cap: Option<f64>,
}

/// A score threshold: alerts the owner when the score reaches `score`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Threshold {
    /// Threshold id, unique among thresholds.
    pub id: String,
    /// The score to reach (at least this).
    pub score: f64,
    /// Which score: `score` (the lead score, default), `engagement`, `fit` or `social`.
    #[serde(default, skip_serializing_if = "Component::is_default")]
    pub component: Component,
    /// Re-arm when the score drops below this, so the threshold can fire again; without it the
    /// threshold fires once per customer, ever (Mautic's point triggers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rearm_below: Option<f64>,
    /// The alert shown to the owner (`线索已升温，请尽快跟进`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert: Option<String>,
}

/// A score component a threshold watches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Component {
    /// The lead score: engagement plus fit (plus social when `social.in_score`).
    #[default]
    Score,
    /// The engagement points after every cap.
    Engagement,
    /// The fit points.
    Fit,
    /// The social value points.
    Social,
}

impl Component {
    fn is_default(&self) -> bool {
        *self == Component::Score
    }
}

/// RFM: recency, frequency and monetary value from purchase events, binary against thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Rfm {
    /// The purchase event type (default `purchase`).
    #[serde(default = "default_purchase")]
    pub event: String,
    /// The event property holding the amount, a decimal string or number (default `amount`).
    #[serde(default = "default_amount")]
    pub amount_property: String,
    /// Recency is high when the last purchase is at most this long ago (`30d`).
    pub recent_within: String,
    /// Frequency is high with at least this many purchases.
    pub frequent_at: u32,
    /// Monetary value is high from this amount (total or average, see `monetary`).
    pub valuable_at: f64,
    /// `total` spent (default) or `average` order value (KJ-SCRM's M).
    #[serde(default, skip_serializing_if = "Monetary::is_default")]
    pub monetary: Monetary,
}

/// How RFM measures monetary value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Monetary {
    /// The total of all purchases.
    #[default]
    Total,
    /// The average purchase.
    Average,
}

impl Monetary {
    fn is_default(&self) -> bool {
        *self == Monetary::Total
    }
}

/// How the owner's priority list weighs intent, urgency and value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Priority {
    /// Intent points per tag carried (`{ intent_high = 30 }`), by tag id or name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub intent_tags: BTreeMap<String, f64>,
    /// The high-intent actions whose recency makes a customer urgent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<IntentAction>,
    /// An action's urgency fades linearly to zero over this long (default `7d`).
    #[serde(default = "default_fresh_for")]
    pub fresh_for: String,
    /// Event types that count as the owner contacting the customer (跟进).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contact_events: Vec<String>,
    /// A customer is overdue when not contacted for this long (default `7d`).
    #[serde(default = "default_fresh_for")]
    pub follow_up_every: String,
    /// Urgency points per whole day overdue (default 5).
    #[serde(default = "five")]
    pub overdue_points_per_day: f64,
    /// Spending this much earns one value point (default 100).
    #[serde(default = "hundred")]
    pub spend_per_point: f64,
}

/// A high-intent action: an event that makes a customer urgent while it is fresh.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct IntentAction {
    /// Action id, unique among actions.
    pub id: String,
    /// The event type (`content_view`).
    pub event: String,
    /// Properties the event must have, compared with `=`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, serde_json::Value>,
    /// How the reason names it (`viewed the price list`, `看了价目表`).
    pub label: String,
    /// Urgency points when it just happened.
    pub points: f64,
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

fn default_referral() -> String {
    "referral".to_owned()
}

fn default_reach_events() -> Vec<String> {
    vec!["share".to_owned(), "invite".to_owned()]
}

fn default_reach_property() -> String {
    "reach".to_owned()
}

fn default_purchase() -> String {
    "purchase".to_owned()
}

fn default_amount() -> String {
    "amount".to_owned()
}

fn default_fresh_for() -> String {
    "7d".to_owned()
}

fn one() -> f64 {
    1.0
}

fn five() -> f64 {
    5.0
}

fn hundred() -> f64 {
    100.0
}
