//! Meters (计量): usage events aggregated per customer and billing period.
//!
//! A [`Meter`] reads the usage events of one type and aggregates them: count, unique count (with
//! add / remove), sum, max, latest, or time-weighted sum. [`Metering`] holds the state for many
//! customers: it de-duplicates events by id (the same event sent three times counts once), puts
//! each into the period of its customer's timezone and billing cycle, and can merge with another
//! state built from a different slice of the stream, giving the same values as one pass.

mod aggregate;
mod batch;
mod event;
mod ids;
mod keyed;
mod merge;
mod metering;
mod record;
mod report;
mod values;

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use event::{Operation, UsageEvent, UsageRecord};
pub use metering::{MeterValue, Metering};
pub use report::{Conflict, IngestReport, Rejection};

use crate::error::Problem;

/// How a meter aggregates the events of a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// The number of distinct events.
    Count,
    /// The number of distinct values of `field` present at the end of the period: each value's
    /// latest operation (by time, then event id) decides whether it is in (`add`) or out
    /// (`remove`). Seats, active users, connected accounts.
    UniqueCount,
    /// The sum of `field`.
    Sum,
    /// The largest value of `field`.
    Max,
    /// The value of `field` on the latest event (by time, then event id).
    Latest,
    /// The time-weighted sum: each event adds `field` to a running total (negative values take
    /// away), and the value is the total's average over the whole period, weighted by how long
    /// it held (storage per GB-month, concurrent seats).
    WeightedSum,
}

impl Aggregation {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Aggregation::Count => "count",
            Aggregation::UniqueCount => "unique_count",
            Aggregation::Sum => "sum",
            Aggregation::Max => "max",
            Aggregation::Latest => "latest",
            Aggregation::WeightedSum => "weighted_sum",
        }
    }

    /// Whether the aggregation reads a property (all but `count`).
    pub fn reads_field(self) -> bool {
        self != Aggregation::Count
    }

    /// Whether the value reads the property as a decimal number (sum, max, latest, weighted).
    pub(crate) fn numeric(self) -> bool {
        matches!(
            self,
            Aggregation::Sum | Aggregation::Max | Aggregation::Latest | Aggregation::WeightedSum
        )
    }
}

/// A billable metric: which events it reads and how it aggregates them. Playbook shape
/// (`pricing.meters[]`):
///
/// ```json
/// {"id": "tokens", "event": "llm_call", "aggregation": "sum", "field": "tokens", "unit": "tokens"}
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Meter {
    /// The meter's id; plan charges name it.
    pub id: String,
    /// The usage event type it reads.
    pub event: String,
    /// How it aggregates.
    pub aggregation: Aggregation,
    /// The property it reads (every aggregation but `count` needs one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is counted, plural, for invoice explanations ("messages", "GB"); default the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

impl Meter {
    /// A meter of `aggregation` over events of type `event`, reading `field`.
    pub fn new(id: &str, event: &str, aggregation: Aggregation, field: Option<&str>) -> Meter {
        Meter {
            id: id.to_owned(),
            event: event.to_owned(),
            aggregation,
            field: field.map(str::to_owned),
            unit: None,
        }
    }

    /// The same meter with a display unit.
    pub fn with_unit(mut self, unit: &str) -> Meter {
        self.unit = Some(unit.to_owned());
        self
    }

    /// The display unit: `unit`, or the id.
    pub fn unit_name(&self) -> &str {
        self.unit.as_deref().unwrap_or(&self.id)
    }

    /// What is wrong with the meter, each problem under `at`.
    pub(crate) fn problems(&self, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        if self.event.trim().is_empty() {
            out.push(Problem::new(
                format!("{at}.event"),
                "the event type must not be empty",
            ));
        }
        match (&self.field, self.aggregation.reads_field()) {
            (None, true) => out.push(Problem::new(
                format!("{at}.field"),
                format!(
                    "a {} meter reads a property: name it in `field`",
                    self.aggregation.name()
                ),
            )),
            (Some(f), false) => out.push(Problem::new(
                format!("{at}.field"),
                format!("a count meter reads no property; remove `field` ({f:?})"),
            )),
            (Some(f), true) if f.trim().is_empty() => out.push(Problem::new(
                format!("{at}.field"),
                "the field name must not be empty",
            )),
            _ => {}
        }
        out
    }
}
