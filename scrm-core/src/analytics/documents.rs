//! The document interface of the analytics: JSON in, JSON out, for the bindings.
//!
//! Inputs: `options` is an [`AnalyticsOptions`] object, `journeys` a list of [`StageJourney`]
//! objects, `spend` a list of [`Spend`] objects. Outputs are the JSON of the typed reports
//! ([`Funnel`], [`Cohorts`], [`CostPerLead`]); `docs/analytics.md` shows each shape.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::cohort::Cohorts;
use super::cost::{CostPerLead, Spend};
use super::funnel::Funnel;
use super::journey::{AnalyticsOptions, StageJourney};
use super::report::{ReportInput, report_html};
use crate::error::{Error, ErrorKind, Result};

/// Reads a JSON document of type `T`; `what` names it in errors.
pub(crate) fn read<T: DeserializeOwned>(text: &str, what: &str) -> Result<T> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| crate::error::json_parse_error(what, "JSON", &e))?;
    serde_json::from_value(value).map_err(|e| Error::at(ErrorKind::Validation, what, e.to_string()))
}

/// Writes a report as JSON text.
pub(crate) fn write<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn inputs(
    options_json: &str,
    journeys_json: &str,
) -> Result<(AnalyticsOptions, Vec<StageJourney>)> {
    Ok((
        read(options_json, "options")?,
        read(journeys_json, "journeys")?,
    ))
}

/// The [`Funnel`] of a JSON list of journeys under JSON options, as JSON:
/// `{"overall": counts, "by_channel": [counts], "by_owner": [counts], "time_in_stage": [..]}`
/// where counts is `{"key", "journeys", "unstaged", "stages": [{"stage", "count"}],
/// "conversions": [{"from", "to", "rate"}], "overall"}`.
pub fn funnel_json(options_json: &str, journeys_json: &str) -> Result<String> {
    let (options, journeys) = inputs(options_json, journeys_json)?;
    Ok(write(&Funnel::compute(&journeys, &options)?))
}

/// The [`Cohorts`] of a JSON list of journeys under JSON options as of `as_of`, as JSON:
/// `{"timezone", "as_of", "cohorts": [{"month", "size", "retained", "rates"}]}`.
pub fn cohorts_json(
    options_json: &str,
    journeys_json: &str,
    as_of: DateTime<Utc>,
) -> Result<String> {
    let (options, journeys) = inputs(options_json, journeys_json)?;
    Ok(write(&Cohorts::compute(&journeys, &options, as_of)?))
}

/// The [`CostPerLead`] of a JSON list of journeys for a JSON list of spend lines, as JSON:
/// `{"lead_stage", "channels": [{"channel", "currency", "spend", "leads", "cost_per_lead"}],
/// "total"}`.
pub fn cost_per_lead_json(
    options_json: &str,
    journeys_json: &str,
    spend_json: &str,
) -> Result<String> {
    let (options, journeys) = inputs(options_json, journeys_json)?;
    let spend: Vec<Spend> = read(spend_json, "spend")?;
    Ok(write(&CostPerLead::compute(&journeys, &spend, &options)?))
}

#[derive(Serialize)]
struct Became<'a> {
    customer_id: &'a str,
    became: Vec<BecameStage<'a>>,
}

#[derive(Serialize, Deserialize)]
struct BecameStage<'a> {
    stage: &'a str,
    at: DateTime<Utc>,
}

/// HubSpot-style "became a X date" of every journey (see [`StageJourney::became`]), as JSON:
/// `[{"customer_id", "became": [{"stage", "at"}]}]`, journeys in input order, reached stages in
/// stage order.
pub fn became_json(options_json: &str, journeys_json: &str) -> Result<String> {
    let (options, journeys) = inputs(options_json, journeys_json)?;
    options.compile()?;
    super::journey::check_journeys(&journeys)?;
    let out: Vec<Became<'_>> = journeys
        .iter()
        .map(|j| Became {
            customer_id: &j.customer_id,
            became: options
                .stages
                .iter()
                .zip(j.became(&options.stages))
                .filter_map(|(stage, at)| at.map(|at| BecameStage { stage, at }))
                .collect(),
        })
        .collect();
    Ok(write(&out))
}

/// The HTML report (see [`report_html`]) of a JSON [`ReportInput`].
pub fn report_html_json(input_json: &str) -> Result<String> {
    let input: ReportInput = read(input_json, "report")?;
    Ok(report_html(&input))
}
