//! Thresholds: fire once per (customer, threshold), unless re-armed by a drop.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::evaluate::Totals;
use super::model::ThresholdModel;
use crate::playbook::Component;

/// A threshold the customer reached and that has not re-armed since.
///
/// `Clone::clone_from` reuses the target's id buffer.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FiredThreshold {
    /// The threshold id.
    pub id: String,
    /// When it fired (the time of the event that lifted the score).
    #[serde(serialize_with = "crate::rfc3339::write")]
    pub at: DateTime<Utc>,
}

/// The value of `component` in `score`, in hundredths.
pub(crate) fn component(score: &Totals, component: Component) -> i64 {
    match component {
        Component::Engagement => score.engagement,
        Component::Fit => score.fit,
        Component::Social => score.social,
        _ => score.score,
    }
    .hundredths()
}

/// Fires the thresholds `score` reaches and re-arms those it has dropped below, at `at`.
/// A fired threshold without `rearm_below` stays fired for good (Mautic's point triggers).
pub(crate) fn check(
    thresholds: &[ThresholdModel],
    fired: &mut Vec<FiredThreshold>,
    score: &Totals,
    at: DateTime<Utc>,
) {
    for t in thresholds {
        let value = component(score, t.component);
        match fired.iter().position(|f| f.id == t.id) {
            Some(i) => {
                if t.rearm_below.is_some_and(|r| value < r) {
                    fired.remove(i);
                }
            }
            None => {
                if value >= t.score {
                    fired.push(FiredThreshold {
                        id: t.id.clone(),
                        at,
                    });
                }
            }
        }
    }
}
