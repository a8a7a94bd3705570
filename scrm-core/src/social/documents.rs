//! The document interface of the social graph: JSON in, JSON out, for the bindings.

use chrono::{DateTime, Utc};

use super::fission::FissionCampaign;
use super::rules::PropagationRules;
use super::tree::Propagation;
use crate::Event;
use crate::analytics::documents::{read, write};
use crate::error::Result;

/// The [`Propagation`] of a JSON list of events under JSON [`PropagationRules`] (`None`: the
/// defaults), as JSON: `{"trees": [{"key", "depth", "reach", "participants", "sharers",
/// "invites", "invites_per_sharer", "conversion", "k_factor", "levels", "top_spreaders":
/// [{"customer_id", "descendants", "children"}], "nodes": [{"customer_id", "parent",
/// "via_event", "depth", "children", "descendants", "shares", "invites", "reason", "notes"}]}],
/// "skipped": [{"event_id", "reason"}]}`.
pub fn propagation_json(events_json: &str, rules_json: Option<&str>) -> Result<String> {
    let events: Vec<Event> = read(events_json, "events")?;
    let rules: PropagationRules = match rules_json {
        Some(text) => read(text, "rules")?,
        None => PropagationRules::default(),
    };
    Ok(write(&Propagation::build(&events, &rules)?))
}

/// The progress of a JSON [`FissionCampaign`] at `now` from a JSON list of events and an optional
/// JSON list of customer ids who were friends before the campaign, as JSON: `{"campaign_id",
/// "as_of", "inviters": [{"inviter_id", "count", "goal", "remaining", "reward_earned", "reward",
/// "reached_at", "helps": [{"helper_id", "event_id", "at", "status", "deleted_at", "reason"}]}],
/// "unattributed": [event ids]}`.
pub fn fission_json(
    campaign_json: &str,
    events_json: &str,
    existing_friends_json: Option<&str>,
    now: DateTime<Utc>,
) -> Result<String> {
    let campaign: FissionCampaign = read(campaign_json, "campaign")?;
    let events: Vec<Event> = read(events_json, "events")?;
    let existing: Vec<String> = match existing_friends_json {
        Some(text) => read(text, "existing_friends")?,
        None => Vec::new(),
    };
    Ok(write(&campaign.progress(&events, &existing, now)?))
}
