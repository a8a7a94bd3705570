//! The engine's document interface: each operation takes and returns JSON text, for bindings
//! (Python dicts, JavaScript objects, Kotlin strings) to expose with a thin wrapper. Shapes are
//! documented in `docs/engine.md` and `docs/data-model.md`.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Effects, Engine, Profile};
use crate::customer::{Customer, Event};
use crate::error::{Error, ErrorKind, Result};
use crate::scoring::RfmMode;

fn write<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn parse(text: &str, what: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| crate::error::json_parse_error(what, "JSON", &e))
}

fn read_profile(value: serde_json::Value, what: &str) -> Result<Profile> {
    let profile: Profile = serde_json::from_value(value)
        .map_err(|e| Error::at(ErrorKind::Validation, what, e.to_string()))?;
    checked(profile, what)
}

/// A profile given alone as JSON text, read without a `serde_json::Value` in between (the
/// per-request path: `apply_json`, `tick_json`, `score_json`).
fn read_profile_text(text: &str, what: &str) -> Result<Profile> {
    checked(Profile::read(text, what)?, what)
}

/// `profile` once its customer keeps the customer invariants (errors at `what.live.customer`).
fn checked(profile: Profile, what: &str) -> Result<Profile> {
    profile
        .live
        .customer
        .check()
        .map_err(|e| crate::documents::prefixed(e, &format!("{what}.live.customer")))?;
    Ok(profile)
}

fn read_profiles(text: &str) -> Result<Vec<Profile>> {
    let values = match parse(text, "profiles")? {
        serde_json::Value::Array(values) => values,
        other => {
            return Err(Error::at(
                ErrorKind::Validation,
                "profiles",
                format!(
                    "expected a list of profiles, found {}",
                    crate::error::show(&other)
                ),
            ));
        }
    };
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| read_profile(v, &format!("profiles[{i}]")))
        .collect()
}

fn read_event(text: &str) -> Result<Event> {
    let event: Event = serde_json::from_value(parse(text, "event")?)
        .map_err(|e| Error::at(ErrorKind::Validation, "event", e.to_string()))?;
    event
        .check()
        .map_err(|e| crate::documents::prefixed(e, "event"))?;
    Ok(event)
}

fn read_events(text: &str, what: &str) -> Result<Vec<Event>> {
    let events: Vec<Event> = serde_json::from_value(parse(text, what)?)
        .map_err(|e| Error::at(ErrorKind::Validation, what, e.to_string()))?;
    for (i, e) in events.iter().enumerate() {
        e.check()
            .map_err(|err| crate::documents::prefixed(err, &format!("{what}[{i}]")))?;
    }
    Ok(events)
}

#[derive(Serialize)]
struct Changed<'a> {
    profile: &'a Profile,
    effects: &'a Effects,
}

impl Engine {
    /// A new profile around a customer: `customer_json` is a customer (the shape of
    /// `docs/data-model.md`); returns the profile JSON.
    pub fn new_profile_json(&self, customer_json: &str) -> Result<String> {
        let customer: Customer = serde_json::from_value(parse(customer_json, "customer")?)
            .map_err(|e| Error::at(ErrorKind::Validation, "customer", e.to_string()))?;
        customer
            .check()
            .map_err(|e| crate::documents::prefixed(e, "customer"))?;
        Ok(self.profile(customer)?.to_json())
    }

    /// [`Engine::apply`] over JSON: `profile_json` is a profile, or `None` (or `"null"`) for a
    /// customer seen for the first time (created at the event's time). Returns
    /// `{"profile": ..., "effects": ...}`.
    pub fn apply_json(
        &self,
        profile_json: Option<&str>,
        event_json: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let event = read_event(event_json)?;
        let mut profile = match profile_json.filter(|t| t.trim() != "null") {
            None => self.new_profile(&event.customer_id, event.at)?,
            Some(text) => read_profile_text(text, "profile")?,
        };
        let effects = self.apply(&mut profile, &event, now)?;
        Ok(write(&Changed {
            profile: &profile,
            effects: &effects,
        }))
    }

    /// [`Engine::fold`] over JSON: a list of profiles (possibly empty) and a list of events.
    /// Returns `{"profiles": [...], "report": {...}}`, the profiles in input order followed by
    /// the ones created.
    pub fn fold_json(&self, profiles_json: &str, events_json: &str) -> Result<String> {
        let mut profiles = read_profiles(profiles_json)?;
        let events = read_events(events_json, "events")?;
        let report = self.fold(&mut profiles, &events)?;
        Ok(format!(
            "{{\"profiles\":{},\"report\":{}}}",
            write(&profiles),
            write(&report)
        ))
    }

    /// [`Engine::tick`] over JSON: returns `{"profile": ..., "effects": ...}`.
    pub fn tick_json(&self, profile_json: &str, now: DateTime<Utc>) -> Result<String> {
        let mut profile = read_profile_text(profile_json, "profile")?;
        let effects = self.tick(&mut profile, now)?;
        Ok(write(&Changed {
            profile: &profile,
            effects: &effects,
        }))
    }

    /// [`Engine::pool_facts`] over JSON: the profile's `PoolFacts` (`{"customer_id", "owner"?:
    /// {"id", "since"}, "stage"?, "last_follow_up"?, "open_tasks"}`), ready for `due_json` and
    /// `claim_json` once the CRM has added its own protection and pooling records.
    pub fn pool_facts_json(&self, profile_json: &str) -> Result<String> {
        let profile = read_profile_text(profile_json, "profile")?;
        Ok(write(&self.pool_facts(&profile)?))
    }

    /// [`Engine::score`] over JSON: the [`Score`](crate::Score) with its explanation.
    pub fn score_json(&self, profile_json: &str, now: DateTime<Utc>) -> Result<String> {
        let profile = read_profile_text(profile_json, "profile")?;
        Ok(write(&self.score(&profile, now)?))
    }

    /// [`Engine::rescore`] over JSON: the profile, the customer's full history (a list of
    /// events); returns `{"profile": ..., "effects": ...}`.
    pub fn rescore_json(
        &self,
        profile_json: &str,
        history_json: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let profile = read_profile_text(profile_json, "profile")?;
        let history = read_events(history_json, "history")?;
        let (profile, effects) = self.rescore(&profile, &history, now)?;
        Ok(write(&Changed {
            profile: &profile,
            effects: &effects,
        }))
    }

    /// [`Engine::priority_list`] over JSON: a list of
    /// [`PriorityItem`](crate::PriorityItem)s, highest priority first.
    pub fn priority_list_json(
        &self,
        owner: &str,
        profiles_json: &str,
        now: DateTime<Utc>,
    ) -> Result<String> {
        let profiles = read_profiles(profiles_json)?;
        Ok(write(&self.priority_list(owner, &profiles, now)?))
    }

    /// [`Engine::rfm`] over JSON; `mode` is `binary` or `quintiles`. A list of
    /// [`RfmScore`](crate::RfmScore)s in input order.
    pub fn rfm_json(&self, profiles_json: &str, now: DateTime<Utc>, mode: &str) -> Result<String> {
        let mode = match mode {
            "binary" => RfmMode::Binary,
            "quintiles" => RfmMode::Quintiles,
            other => {
                return Err(Error::at(
                    ErrorKind::Validation,
                    "mode",
                    format!("unknown RFM mode {other:?}, expected \"binary\" or \"quintiles\""),
                ));
            }
        };
        let profiles = read_profiles(profiles_json)?;
        Ok(write(&self.rfm(&profiles, now, mode)?))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{engine, ev, t};

    #[test]
    fn documents_carry_profiles_and_effects() {
        let e = engine();
        let event = ev("m1", "message", t(1, 0)).to_json();
        let out = e.apply_json(None, &event, t(1, 0)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["effects"]["stages"][1]["to"], "lead");
        let profile = v["profile"].to_string();
        let again = e.apply_json(Some(&profile), &event, t(1, 0)).unwrap();
        let again: serde_json::Value = serde_json::from_str(&again).unwrap();
        assert_eq!(again["effects"]["replayed"], true);
        let score: serde_json::Value =
            serde_json::from_str(&e.score_json(&profile, t(1, 0)).unwrap()).unwrap();
        assert_eq!(score["score"], "4");
        let folded = e.fold_json("[]", &format!("[{event}]")).unwrap();
        let folded: serde_json::Value = serde_json::from_str(&folded).unwrap();
        assert_eq!(folded["report"]["applied"], 1);
        let err = e.rfm_json("[]", t(1, 0), "deciles").unwrap_err();
        assert_eq!(err.problems()[0].path, "mode");
        let err = e
            .apply_json(Some("{\"live\": 1}"), &event, t(1, 0))
            .unwrap_err();
        assert_eq!(err.problems()[0].path, "profile");
    }
}
