//! Social graph (`propagation`, `fission`) and analytics (`funnel`, `became`, `cohorts`,
//! `cost_per_lead`, `report_html`): plain functions over lists of events and journeys.

use pyo3::prelude::*;

use crate::convert::utc_time;
use crate::documents::{call, encode, encode_list, encode_optional};
use crate::run;

/// The propagation trees (传播裂变) of share, invite and arrival events: who brought whom, how
/// deep and wide each tree grew, the K-factor and the top spreaders.
///
/// `events` is a list of event dicts; `rules` a dict of propagation rules (`share_types`,
/// `invite_types`, `arrival_types`, `group_by`, `top`, `include_nodes`), None for the defaults.
/// Returns `{"trees": [{key, depth, reach, participants, sharers, invites,
/// invites_per_sharer, conversion, k_factor, levels, top_spreaders, nodes}], "skipped":
/// [{event_id, reason}]}`; rates are `Decimal`s. The GIL is released meanwhile.
#[pyfunction]
#[pyo3(signature = (events, rules = None))]
pub fn propagation<'py>(
    events: &Bound<'py, PyAny>,
    rules: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = events.py();
    let events = encode(events, "events")?;
    let rules = encode_optional(rules, "rules")?;
    call(py, || {
        scrm_core::propagation_json(&events, rules.as_deref())
    })
}

/// The progress at `now` of a fission campaign (助力/邀请有礼): per inviter the helps counted,
/// the goal, the reward earned and when, each help's status and why.
///
/// `campaign` is a campaign dict, `events` a list of event dicts, `existing_friends` the
/// customer ids who were friends before the campaign (their helps do not count). Returns
/// `{"campaign_id", "as_of", "inviters": [...], "unattributed": [event ids]}`.
#[pyfunction]
#[pyo3(signature = (campaign, events, now, existing_friends = None))]
pub fn fission<'py>(
    campaign: &Bound<'py, PyAny>,
    events: &Bound<'py, PyAny>,
    now: &Bound<'py, PyAny>,
    existing_friends: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = events.py();
    let now = utc_time(now, "now")?;
    let campaign = encode(campaign, "campaign")?;
    let events = encode(events, "events")?;
    let friends = encode_optional(existing_friends, "existing_friends")?;
    call(py, || {
        scrm_core::fission_json(&campaign, &events, friends.as_deref(), now)
    })
}

/// The lifecycle funnel (漏斗) of `journeys` under `options`: counts per stage and conversion
/// rates (`Decimal`s), overall, by channel and by owner, and the time spent in each stage.
///
/// `options` is `{"stages": [...], "timezone"?, "created_from"?, "created_to"?,
/// "lead_stage"?}`; `journeys` a list of `{"customer_id", "created_at", "channel"?, "owner"?,
/// "stages": [{"stage", "at"}]}`. The GIL is released meanwhile.
#[pyfunction]
pub fn funnel<'py>(
    options: &Bound<'py, PyAny>,
    journeys: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = journeys.py();
    let options = encode(options, "options")?;
    let journeys = encode(journeys, "journeys")?;
    call(py, || scrm_core::funnel_json(&options, &journeys))
}

/// When each journey first became each stage ("became a lead date"):
/// `[{"customer_id", "became": [{"stage", "at"}]}]`, journeys in input order.
#[pyfunction]
pub fn became<'py>(
    options: &Bound<'py, PyAny>,
    journeys: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = journeys.py();
    let options = encode(options, "options")?;
    let journeys = encode(journeys, "journeys")?;
    call(py, || scrm_core::became_json(&options, &journeys))
}

/// Monthly cohorts (同期群) as of `as_of`: per month of creation its size, how many are retained
/// each month after, and the rates (`Decimal`s): `{"timezone", "as_of", "cohorts": [{month,
/// size, retained, rates}]}`.
#[pyfunction]
pub fn cohorts<'py>(
    options: &Bound<'py, PyAny>,
    journeys: &Bound<'py, PyAny>,
    as_of: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = journeys.py();
    let as_of = utc_time(as_of, "as_of")?;
    let options = encode(options, "options")?;
    let journeys = encode(journeys, "journeys")?;
    call(py, || scrm_core::cohorts_json(&options, &journeys, as_of))
}

/// The cost per lead (获客成本) of each channel: `spend` is a list of `{"channel", "amount",
/// "currency"}` (amounts as `Decimal` or str). Returns `{"lead_stage", "channels": [{channel,
/// currency, spend, leads, cost_per_lead}], "total"}` with `Decimal` amounts.
#[pyfunction]
pub fn cost_per_lead<'py>(
    options: &Bound<'py, PyAny>,
    journeys: &Bound<'py, PyAny>,
    spend: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = journeys.py();
    let options = encode(options, "options")?;
    let journeys = encode(journeys, "journeys")?;
    let spend = encode_list(Some(spend), "spend")?;
    call(py, || {
        scrm_core::cost_per_lead_json(&options, &journeys, &spend)
    })
}

/// A self-contained HTML report of `report`: `{"title", "generated_at"?, "funnel"?, "cohorts"?,
/// "cost_per_lead"?, "propagation"?, "scores"?, "score_bins"?}`, where `funnel`, `cohorts`,
/// `cost_per_lead` and `propagation` are what those functions return and `scores` a list of
/// numbers to draw as a histogram. Returns the HTML text; raises `ValidationError` at its path
/// (`report.title`).
#[pyfunction]
pub fn report_html(report: &Bound<'_, PyAny>) -> PyResult<String> {
    let py = report.py();
    let report = encode(report, "report")?;
    run(py, || scrm_core::report_html_json(&report))
}
