//! Analytics a manager reads (seed 002): the stage funnel with conversions per channel and per
//! owner, time in stage, cohort retention and channel cost per lead, plus a self-contained HTML
//! report.
//!
//! The inputs are plain data, not the engine: a [`StageJourney`] per customer (their channel,
//! owner, creation time, stage entries and activity times) and [`AnalyticsOptions`] (the ordered
//! stage list, the timezone, the creation window). The lifecycle engine's history maps to it
//! one `StageChange` to one [`StageEntry`]. Every number is exact: counts are integers, rates
//! are decimal strings with four places ([`Rate`]), durations are decimal seconds, money is
//! decimal. The rules are in each report's documentation and in `docs/analytics.md`.

mod cohort;
mod cost;
pub(crate) mod documents;
mod funnel;
mod journey;
#[cfg(test)]
mod proptests;
mod rate;
mod report;
mod time_in_stage;

pub use cohort::{Cohort, Cohorts, MAX_COHORT_MONTHS};
pub use cost::{ChannelCost, CostPerLead, Spend};
pub use documents::{became_json, cohorts_json, cost_per_lead_json, funnel_json, report_html_json};
pub use funnel::{Conversion, Funnel, FunnelCounts, StageCount};
pub use journey::{AnalyticsOptions, StageEntry, StageJourney};
pub use rate::Rate;
pub use report::{ReportInput, report_html};
pub use time_in_stage::StageTime;
