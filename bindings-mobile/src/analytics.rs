//! Social propagation (传播裂变) and funnel analytics. Inputs and outputs are JSON text in the
//! shapes of `docs/social.md` and `docs/analytics.md`.

use std::time::SystemTime;

use crate::convert::utc_at;
use crate::{ScrmError, guarded, run};

/// The propagation trees of events (a JSON list: shares, invites, joins) under propagation rules
/// (JSON, or null for the defaults). Returns `{"trees": [...], "skipped": [...]}` with reach,
/// depth, k-factor, top spreaders and each node's parent.
#[uniffi::export]
pub fn propagation_json(
    events_json: String,
    rules_json: Option<String>,
) -> Result<String, ScrmError> {
    run(|| scrm_core::propagation_json(&events_json, rules_json.as_deref()))
}

/// The progress of a fission campaign (助力裂变, JSON) at `now` from events (a JSON list) and the
/// customer ids who were friends before it (a JSON list, or null). Returns `{"campaign_id",
/// "as_of", "inviters": [...], "unattributed": [...]}`.
#[uniffi::export]
pub fn fission_json(
    campaign_json: String,
    events_json: String,
    existing_friends_json: Option<String>,
    now: SystemTime,
) -> Result<String, ScrmError> {
    guarded(|| {
        let now = utc_at(now, "now")?;
        Ok(scrm_core::fission_json(
            &campaign_json,
            &events_json,
            existing_friends_json.as_deref(),
            now,
        )?)
    })
}

/// The funnel of stage journeys (a JSON list) under options (JSON `{"stages", ...}`): counts and
/// conversion rates overall, by channel and by owner, and time in stage.
#[uniffi::export]
pub fn funnel_json(options_json: String, journeys_json: String) -> Result<String, ScrmError> {
    run(|| scrm_core::funnel_json(&options_json, &journeys_json))
}

/// When each journey first reached each stage ("became a lead on"): `[{"customer_id",
/// "became": [{"stage", "at"}]}]`.
#[uniffi::export]
pub fn became_json(options_json: String, journeys_json: String) -> Result<String, ScrmError> {
    run(|| scrm_core::became_json(&options_json, &journeys_json))
}

/// Monthly cohorts of journeys as of `as_of`: `{"timezone", "as_of", "cohorts": [{"month",
/// "size", "retained", "rates"}]}`.
#[uniffi::export]
pub fn cohorts_json(
    options_json: String,
    journeys_json: String,
    as_of: SystemTime,
) -> Result<String, ScrmError> {
    guarded(|| {
        let as_of = utc_at(as_of, "as_of")?;
        Ok(scrm_core::cohorts_json(
            &options_json,
            &journeys_json,
            as_of,
        )?)
    })
}

/// Cost per lead by channel, from journeys (a JSON list) and spend lines (a JSON list of
/// `{"channel", "amount", "currency"}`, money as decimal strings).
#[uniffi::export]
pub fn cost_per_lead_json(
    options_json: String,
    journeys_json: String,
    spend_json: String,
) -> Result<String, ScrmError> {
    run(|| scrm_core::cost_per_lead_json(&options_json, &journeys_json, &spend_json))
}

/// A self-contained HTML report (funnel, cohorts, cost per lead) of a JSON report input; the
/// text of an `.html` file, no scripts.
#[uniffi::export]
pub fn report_html_json(input_json: String) -> Result<String, ScrmError> {
    run(|| scrm_core::report_html_json(&input_json))
}
