//! The social graph (propagation, fission) and the funnel analytics (funnel, became, cohorts,
//! cost per lead, the HTML report).

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::condition::time;
use crate::{document, json_text, optional_json, run};

/// The propagation trees (传播裂变树) of share, invite and arrival events: per campaign (or per
/// `rules.group_by` key) the depth, reach, sharers, conversion, K-factor, levels and top
/// spreaders, and with `rules.include_nodes` every node with its parent and reason. `rules`
/// absent: the defaults of `docs/social.md`. Events that join no tree are listed in `skipped`
/// with the reason.
///
/// @throws {ScrmError} `code` "validation" naming each bad field (`events[1].tenant_id`,
/// `invite_types[0]`); "parse" for a value that has no JSON form.
#[napi(
    ts_args_type = "events: Array<EventJson>, rules?: PropagationRulesJson | undefined | null",
    ts_return_type = "Propagation"
)]
pub fn propagation<'env>(
    env: &'env Env,
    events: Unknown<'_>,
    rules: Option<Unknown<'_>>,
) -> Result<Unknown<'env>> {
    let events = json_text(env, events, "events")?;
    let rules = optional_json(env, rules, "rules")?;
    document(env, || {
        scrm_core::propagation_json(&events, rules.as_deref())
    })
}

/// The progress of a fission campaign (助力裂变) at `now` (a `Date` or an RFC 3339 string): per
/// inviter the helps counted, the goal, whether the reward is earned and when; each help with its
/// status and reason (a friend from before the campaign, in `existingFriends`, does not count).
///
/// @throws {ScrmError} `code` "validation" at `now` and naming each bad field of `campaign`
/// (`goal`) and `events`; "parse" for a value that has no JSON form.
#[napi(
    ts_args_type = "campaign: FissionCampaignJson, events: Array<EventJson>, now: Date | string, existingFriends?: Array<string> | undefined | null",
    ts_return_type = "FissionProgress"
)]
pub fn fission<'env>(
    env: &'env Env,
    campaign: Unknown<'_>,
    events: Unknown<'_>,
    now: Unknown<'_>,
    existing_friends: Option<Unknown<'_>>,
) -> Result<Unknown<'env>> {
    let now = time(env, now, "now")?;
    let campaign = json_text(env, campaign, "campaign")?;
    let events = json_text(env, events, "events")?;
    let existing = optional_json(env, existing_friends, "existing_friends")?;
    document(env, || {
        scrm_core::fission_json(&campaign, &events, existing.as_deref(), now)
    })
}

/// The stage funnel (漏斗) of customer journeys: how many reached each stage, the conversion
/// between consecutive stages (exact decimal strings), overall, by channel and by owner, and the
/// time spent in each stage.
///
/// @throws {ScrmError} `code` "validation" naming each bad field of `options` (`stages[1]`,
/// `timezone`) and `journeys` (`journeys[1].customer_id`).
#[napi(
    ts_args_type = "options: AnalyticsOptionsJson, journeys: Array<StageJourneyJson>",
    ts_return_type = "Funnel"
)]
pub fn funnel<'env>(
    env: &'env Env,
    options: Unknown<'_>,
    journeys: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let options = json_text(env, options, "options")?;
    let journeys = json_text(env, journeys, "journeys")?;
    document(env, || scrm_core::funnel_json(&options, &journeys))
}

/// When each customer first reached each stage ("became a lead on ..."), journeys in input
/// order, stages in stage order.
///
/// @throws {ScrmError} `code` "validation" naming each bad field of `options` and `journeys`.
#[napi(
    ts_args_type = "options: AnalyticsOptionsJson, journeys: Array<StageJourneyJson>",
    ts_return_type = "Array<Became>"
)]
pub fn became<'env>(
    env: &'env Env,
    options: Unknown<'_>,
    journeys: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let options = json_text(env, options, "options")?;
    let journeys = json_text(env, journeys, "journeys")?;
    document(env, || scrm_core::became_json(&options, &journeys))
}

/// Monthly cohorts (同期群) as of `asOf` (a `Date` or an RFC 3339 string): customers by the
/// local month they were created in, and how many of each cohort reached the retained stage in
/// each following month.
///
/// @throws {ScrmError} `code` "validation" at `as_of` and naming each bad field of `options` and
/// `journeys`.
#[napi(
    ts_args_type = "options: AnalyticsOptionsJson, journeys: Array<StageJourneyJson>, asOf: Date | string",
    ts_return_type = "Cohorts"
)]
pub fn cohorts<'env>(
    env: &'env Env,
    options: Unknown<'_>,
    journeys: Unknown<'_>,
    as_of: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let as_of = time(env, as_of, "as_of")?;
    let options = json_text(env, options, "options")?;
    let journeys = json_text(env, journeys, "journeys")?;
    document(env, || scrm_core::cohorts_json(&options, &journeys, as_of))
}

/// The cost per lead (获客成本) of each channel: its spend (decimal strings, per currency)
/// divided by the journeys that reached the lead stage.
///
/// @throws {ScrmError} `code` "validation" naming each bad field of `options`, `journeys` and
/// `spend` (`spend[0].amount` for an amount that is not a decimal string).
#[napi(
    ts_args_type = "options: AnalyticsOptionsJson, journeys: Array<StageJourneyJson>, spend: Array<SpendJson>",
    ts_return_type = "CostPerLead"
)]
pub fn cost_per_lead<'env>(
    env: &'env Env,
    options: Unknown<'_>,
    journeys: Unknown<'_>,
    spend: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let options = json_text(env, options, "options")?;
    let journeys = json_text(env, journeys, "journeys")?;
    let spend = json_text(env, spend, "spend")?;
    document(env, || {
        scrm_core::cost_per_lead_json(&options, &journeys, &spend)
    })
}

/// A self-contained HTML page of the reports in `report` (a title and, each optional, a funnel,
/// scores for a histogram, propagation trees, cohorts and cost per lead, as the other functions
/// return them); every part absent is left out.
///
/// @throws {ScrmError} `code` "validation" naming each bad field of `report`.
#[napi(ts_args_type = "report: ReportInputJson")]
pub fn report_html(env: Env, report: Unknown<'_>) -> Result<String> {
    let report = json_text(&env, report, "report")?;
    run(&env, || scrm_core::report_html_json(&report))
}
