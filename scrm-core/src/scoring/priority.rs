//! The owner's priority list (客户任务智能排序): intent, urgency and value, with the reason in
//! words.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::model::{ActionModel, PriorityModel};
use super::points::Points;
use super::state::{LastAction, ScoreState};
use crate::customer::Customer;

/// One customer of an owner's priority list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriorityItem {
    /// The customer.
    pub customer_id: String,
    /// `intent + urgency + value`; the list is sorted by it, highest first.
    pub priority: Points,
    /// The lead score plus points for intent tags.
    pub intent: Points,
    /// Points for a fresh high-intent action and for an overdue follow-up.
    pub urgency: Points,
    /// Points for money spent and social value.
    pub value: Points,
    /// Why, in words: `viewed the price list for 3 min (2 h ago); last contact 9 days ago`.
    pub reason: String,
}

const SECOND: i64 = 1_000_000;
const DAY: i64 = 86_400;

/// A duration in words: `45 s`, `3 min`, `2 h`, `9 days`.
fn words(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3_600 => format!("{} min", s / 60),
        s if s < DAY => format!("{} h", s / 3_600),
        s if s < 2 * DAY => "1 day".to_owned(),
        s => format!("{} days", s / DAY),
    }
}

/// A high-intent action in words: its label and how long it lasted (`查看了价目表 for 3 min`).
pub(crate) fn action_words(action: &ActionModel, last: &LastAction) -> String {
    let lasted = last
        .seconds
        .map(|s| format!(" for {}", words(i64::try_from(s).unwrap_or(i64::MAX))))
        .unwrap_or_default();
    format!("{}{lasted}", action.label)
}

/// The seconds since the customer was last contacted, as of `at` (microseconds), and the same in
/// words: `last contact 9 days ago`, or `not contacted in 9 days` counting from when the owner
/// took the customer on (else from its creation) when `last_contact` is `None`.
pub(crate) fn contact_words(
    customer: &Customer,
    last_contact: Option<i64>,
    at: i64,
) -> (i64, String) {
    let since = last_contact.unwrap_or_else(|| {
        customer
            .owner_since
            .unwrap_or(customer.created_at)
            .timestamp_micros()
    });
    let quiet = at.saturating_sub(since).max(0) / SECOND;
    let text = match last_contact {
        Some(_) => format!("last contact {} ago", words(quiet)),
        None => format!("not contacted in {}", words(quiet)),
    };
    (quiet, text)
}

/// `a × b / c` rounded half away from zero (c > 0).
fn mul_div(a: i64, b: i64, c: i64) -> i64 {
    let (n, c) = (i128::from(a) * i128::from(b), i128::from(c.max(1)));
    let q = (2 * n.abs() + c) / (2 * c);
    i64::try_from(if n < 0 { -q } else { q }).unwrap_or(i64::MAX)
}

/// What goes into one item besides the model: the customer, their score memory and their lead
/// score and social points at `now`.
pub(crate) struct Inputs<'a> {
    pub customer: &'a Customer,
    pub state: &'a ScoreState,
    pub score: Points,
    pub social: Points,
    /// Display names of the intent tags, by tag id.
    pub tag_name: &'a dyn Fn(&str) -> String,
}

/// The priority item of one customer at `now`.
pub(crate) fn item(model: &PriorityModel, inputs: &Inputs<'_>, now: DateTime<Utc>) -> PriorityItem {
    let now_ns = super::time::micros(now);
    let mut reasons: Vec<String> = Vec::new();

    let mut intent = inputs.score.hundredths();
    if inputs.score != Points::ZERO {
        reasons.push(format!("score {}", inputs.score));
    }
    for (tag, points) in &model.intent_tags {
        if inputs
            .customer
            .tags
            .iter()
            .any(|t| t.is(tag) && t.is_live(now))
        {
            intent = intent.saturating_add(*points);
            reasons.push(format!("tagged {}", (inputs.tag_name)(tag)));
        }
    }

    let mut urgency = 0i64;
    if let Some(last) = inputs.state.last_action {
        let age = now_ns.saturating_sub(last.at).max(0) / SECOND;
        if let Some(action) = model.actions.get(last.action as usize) {
            if age < model.fresh_for {
                urgency += mul_div(action.points, model.fresh_for - age, model.fresh_for);
                reasons.insert(
                    0,
                    format!("{} ({} ago)", action_words(action, &last), words(age)),
                );
            }
        }
    }
    let (quiet, contact) = contact_words(inputs.customer, inputs.state.last_contact, now_ns);
    let overdue_days = (quiet - model.follow_up_every).max(0) / DAY;
    urgency = urgency.saturating_add(overdue_days.saturating_mul(model.overdue_points_per_day));
    if overdue_days > 0 {
        reasons.push(format!("{contact} ({overdue_days} days overdue)"));
    } else {
        reasons.push(contact);
    }

    let spent = inputs.state.purchases.map_or(0, |p| p.spent);
    let mut value = mul_div(spent, 100, model.spend_per_point);
    if spent > 0 {
        reasons.push(format!("spent {}", Points::from_hundredths(spent)));
    }
    value = value.saturating_add(inputs.social.hundredths());
    if inputs.social != Points::ZERO {
        reasons.push(format!("social value {}", inputs.social));
    }

    PriorityItem {
        customer_id: inputs.customer.id.to_string(),
        priority: Points::from_hundredths(intent.saturating_add(urgency).saturating_add(value)),
        intent: Points::from_hundredths(intent),
        urgency: Points::from_hundredths(urgency),
        value: Points::from_hundredths(value),
        reason: reasons.join("; "),
    }
}

/// Sorts a list: priority, then urgency, highest first; ties by customer id.
pub(crate) fn rank(items: &mut [PriorityItem]) {
    items.sort_by(|a, b| {
        b.priority
            .cmp(&a.priority)
            .then(b.urgency.cmp(&a.urgency))
            .then(a.customer_id.cmp(&b.customer_id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_rounding() {
        assert_eq!(words(45), "45 s");
        assert_eq!(words(180), "3 min");
        assert_eq!(words(7_200), "2 h");
        assert_eq!(words(9 * DAY + 5), "9 days");
        assert_eq!(mul_div(4000, 1, 2), 2000);
        assert_eq!(mul_div(4000, 5, 7), 2857);
        assert_eq!(mul_div(-1, 1, 2), -1);
    }
}
