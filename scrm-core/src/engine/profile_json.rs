//! The JSON form of a [`Profile`], with its base state written as a difference from the live one.
//!
//! The base state (before the retained events) is mostly the live state: the retained events of
//! the last hour rarely touch the customer, the stage history or the fired thresholds. Each part
//! of the base equal to the live state's is named in `as_live` instead of written out, which
//! takes a quarter off a typical profile's JSON and off the time to write and read it (decision
//! 0022). Profiles written before, with the base in full, read as before.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::history::History;
use super::profile::{Profile, State};
use crate::customer::{Customer, Event};
use crate::lifecycle::StageChange;
use crate::lifecycle::machine::StageState;
use crate::scoring::FiredThreshold;
use crate::scoring::state::{LastAction, Purchases, RuleState, ScoreState, is_zero};

/// A part of a state that a base may take from the live state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Part {
    Customer,
    Lifecycle,
    /// The stage history alone (`lifecycle.history`): the rest of the lifecycle memory (the
    /// last activity) changes with every event, the history only with the stage.
    StageHistory,
    Score,
    Fired,
    History,
}

impl Part {
    fn key(self) -> &'static str {
        match self {
            Part::Customer => "customer",
            Part::Lifecycle => "lifecycle",
            Part::StageHistory => "stage_history",
            Part::Score => "score",
            Part::Fired => "fired",
            Part::History => "history",
        }
    }
}

impl Serialize for Profile {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        ProfileOut {
            fingerprint: &self.fingerprint,
            live: &self.live,
            base: self
                .base
                .as_deref()
                .map(|base| BaseOut::of(base, &self.live)),
            retained: &self.retained,
            seen: &self.seen,
            seen_53: &self.seen_53,
            checked_until: self.checked_until,
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Profile {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Profile, D::Error> {
        let p = ProfileIn::deserialize(deserializer)?;
        let base = match p.base {
            Some(base) => Some(Box::new(
                base.resolve(&p.live).map_err(serde::de::Error::custom)?,
            )),
            None => None,
        };
        Ok(Profile {
            fingerprint: p.fingerprint,
            live: p.live,
            base,
            retained: p.retained,
            seen: p.seen.hashes,
            seen_53: merged_53(p.seen.legacy, p.seen_53),
            checked_until: p.checked_until,
        })
    }
}

#[derive(Serialize)]
struct ProfileOut<'a> {
    fingerprint: &'a str,
    live: &'a State,
    #[serde(skip_serializing_if = "Option::is_none")]
    base: Option<BaseOut<'a>>,
    #[serde(skip_serializing_if = "<[Event]>::is_empty")]
    retained: &'a [Event],
    #[serde(
        serialize_with = "write_seen",
        skip_serializing_if = "<[u128]>::is_empty"
    )]
    seen: &'a [u128],
    #[serde(skip_serializing_if = "<[u64]>::is_empty")]
    seen_53: &'a [u64],
    #[serde(
        serialize_with = "crate::rfc3339::write_opt",
        skip_serializing_if = "Option::is_none"
    )]
    checked_until: Option<DateTime<Utc>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileIn {
    fingerprint: String,
    live: State,
    #[serde(default)]
    base: Option<BaseIn>,
    #[serde(default)]
    retained: Vec<Event>,
    #[serde(default)]
    seen: Seen,
    #[serde(default)]
    seen_53: Vec<u64>,
    #[serde(default)]
    checked_until: Option<DateTime<Utc>>,
}

/// The ids a profile has applied, as written: one base64 string of their 128-bit hashes (16 bytes
/// each, little-endian, sorted), or, in a profile written before decision 0027, an array of
/// 53-bit hashes.
#[derive(Default)]
struct Seen {
    hashes: Vec<u128>,
    legacy: Vec<u64>,
}

impl<'de> Deserialize<'de> for Seen {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Seen, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Written {
            Packed(String),
            Legacy(Vec<u64>),
        }
        match Written::deserialize(deserializer) {
            Ok(Written::Packed(text)) => {
                let mut hashes = base64_decode(&text)
                    .filter(|bytes| bytes.len() % 16 == 0)
                    .ok_or_else(|| {
                        serde::de::Error::custom(
                            "seen: not base64 of 16-byte hashes (a profile's `seen` is written by \
                             scrm; pass it back unchanged)",
                        )
                    })?
                    .chunks_exact(16)
                    .map(|c| {
                        let mut b = [0u8; 16];
                        b.copy_from_slice(c);
                        u128::from_le_bytes(b)
                    })
                    .collect::<Vec<_>>();
                hashes.sort_unstable();
                hashes.dedup();
                Ok(Seen {
                    hashes,
                    legacy: Vec::new(),
                })
            }
            Ok(Written::Legacy(legacy)) => Ok(Seen {
                hashes: Vec::new(),
                legacy,
            }),
            Err(_) => Err(serde::de::Error::custom(
                "seen: expected a base64 string (or, from before decision 0027, an array of \
                 integers)",
            )),
        }
    }
}

fn write_seen<S: serde::Serializer>(seen: &&[u128], serializer: S) -> Result<S::Ok, S::Error> {
    let mut bytes = Vec::with_capacity(seen.len() * 16);
    for h in seen.iter() {
        bytes.extend_from_slice(&h.to_le_bytes());
    }
    serializer.serialize_str(&base64_encode(&bytes))
}

/// The 53-bit replay keys of a profile written before decision 0027, sorted.
fn merged_53(mut legacy: Vec<u64>, more: Vec<u64>) -> Vec<u64> {
    legacy.extend(more);
    legacy.sort_unstable();
    legacy.dedup();
    legacy
}

/// A base state as written: the parts that differ from the live state, and the names of the
/// others.
#[derive(Serialize)]
struct BaseOut<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    as_live: Vec<Part>,
    #[serde(skip_serializing_if = "Option::is_none")]
    customer: Option<&'a Customer>,
    #[serde(skip_serializing_if = "Option::is_none")]
    lifecycle: Option<LifecycleOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<ScoreOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fired: Option<&'a [FiredThreshold]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<&'a History>,
    #[serde(
        serialize_with = "crate::rfc3339::write_opt",
        skip_serializing_if = "Option::is_none"
    )]
    checked: Option<DateTime<Utc>>,
}

impl<'a> BaseOut<'a> {
    fn of(base: &'a State, live: &State) -> BaseOut<'a> {
        let mut as_live = Vec::new();
        let mut differs = |part: Part, same: bool| {
            if same {
                as_live.push(part);
            }
            !same
        };
        BaseOut {
            customer: differs(Part::Customer, base.customer == live.customer)
                .then_some(&base.customer),
            lifecycle: differs(Part::Lifecycle, base.lifecycle == live.lifecycle).then(|| {
                // `Arc`'s `==` sees a shared history at once, without comparing it.
                let history = &base.lifecycle.history;
                LifecycleOut {
                    history: differs(Part::StageHistory, *history == live.lifecycle.history)
                        .then_some(&history[..]),
                    done_tasks: &base.lifecycle.done_tasks,
                    activity: &base.lifecycle.activity,
                }
            }),
            score: differs(Part::Score, base.score == live.score)
                .then(|| ScoreOut::of(&base.score, &live.score)),
            fired: differs(Part::Fired, base.fired == live.fired).then_some(&base.fired[..]),
            history: differs(Part::History, base.history == live.history).then_some(&base.history),
            checked: base.checked,
            as_live,
        }
    }
}

/// A base's lifecycle memory as written: its stage history left out when it is the live one's.
#[derive(Serialize)]
struct LifecycleOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    history: Option<&'a [StageChange]>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    done_tasks: &'a [String],
    #[serde(skip_serializing_if = "<[(u32, i64)]>::is_empty")]
    activity: &'a [(u32, i64)],
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BaseIn {
    #[serde(default)]
    as_live: Vec<Part>,
    #[serde(default)]
    customer: Option<Customer>,
    #[serde(default)]
    lifecycle: Option<StageState>,
    #[serde(default)]
    score: Option<ScoreIn>,
    #[serde(default)]
    fired: Option<Vec<FiredThreshold>>,
    #[serde(default)]
    history: Option<History>,
    #[serde(default)]
    checked: Option<DateTime<Utc>>,
}

impl BaseIn {
    /// The base state, its parts named in `as_live` copied from `live`; a part neither written
    /// nor named is empty, as in a base written in full (only the customer is required).
    fn resolve(self, live: &State) -> Result<State, String> {
        let as_live = self.as_live;
        fn part<T: Clone>(
            name: Part,
            written: Option<T>,
            as_live: &[Part],
            live: &T,
        ) -> Result<Option<T>, String> {
            match (written, as_live.contains(&name)) {
                (Some(_), true) => Err(format!(
                    "base.{} is written and also named in base.as_live; give one of them",
                    name.key()
                )),
                (Some(value), false) => Ok(Some(value)),
                (None, true) => Ok(Some(live.clone())),
                (None, false) => Ok(None),
            }
        }
        let customer =
            part(Part::Customer, self.customer, &as_live, &live.customer)?.ok_or_else(|| {
                "base.customer is missing: write it, or name it in base.as_live".to_owned()
            })?;
        let mut lifecycle =
            part(Part::Lifecycle, self.lifecycle, &as_live, &live.lifecycle)?.unwrap_or_default();
        if as_live.contains(&Part::StageHistory) {
            if !lifecycle.history.is_empty() && lifecycle.history != live.lifecycle.history {
                return Err(
                    "base.lifecycle.history is written and also named in base.as_live \
                            (stage_history); give one of them"
                        .to_owned(),
                );
            }
            // Shared, as the engine keeps it, until one of the states changes stage.
            lifecycle.history = Arc::clone(&live.lifecycle.history);
        }
        Ok(State {
            customer,
            lifecycle,
            score: {
                let written = self.score.map(|s| s.resolve(&live.score)).transpose()?;
                part(Part::Score, written, &as_live, &live.score)?.unwrap_or_default()
            },
            fired: part(Part::Fired, self.fired, &as_live, &live.fired)?.unwrap_or_default(),
            history: part(Part::History, self.history, &as_live, &live.history)?
                .unwrap_or_default(),
            checked: self.checked,
        })
    }
}

/// A base's score memory as written: the rules whose memory is the live state's are named in
/// `rules_as_live` (most are: the retained events touch a few rules).
#[derive(Serialize)]
struct ScoreOut<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules_as_live: Vec<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    rules: Vec<&'a RuleState>,
    #[serde(skip_serializing_if = "is_zero")]
    referrals: u64,
    #[serde(skip_serializing_if = "is_zero")]
    reach: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    purchases: Option<Purchases>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_contact: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_action: Option<LastAction>,
}

impl<'a> ScoreOut<'a> {
    fn of(base: &'a ScoreState, live: &ScoreState) -> ScoreOut<'a> {
        let mut rules_as_live = Vec::new();
        let mut rules = Vec::new();
        for r in &base.rules {
            let same = live
                .rules
                .binary_search_by_key(&r.rule, |l| l.rule)
                .ok()
                .and_then(|i| live.rules.get(i))
                .is_some_and(|l| l == r);
            if same {
                rules_as_live.push(r.rule);
            } else {
                rules.push(r);
            }
        }
        ScoreOut {
            rules_as_live,
            rules,
            referrals: base.referrals,
            reach: base.reach,
            purchases: base.purchases,
            last_contact: base.last_contact,
            last_action: base.last_action,
        }
    }
}

/// A base's score memory as read: a full one (rules all written) or one with `rules_as_live`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoreIn {
    #[serde(default)]
    rules_as_live: Vec<u32>,
    #[serde(default)]
    rules: Vec<RuleState>,
    #[serde(default)]
    referrals: u64,
    #[serde(default)]
    reach: u64,
    #[serde(default)]
    purchases: Option<Purchases>,
    #[serde(default)]
    last_contact: Option<i64>,
    #[serde(default)]
    last_action: Option<LastAction>,
}

impl ScoreIn {
    fn resolve(self, live: &ScoreState) -> Result<ScoreState, String> {
        let mut rules = self.rules;
        for n in self.rules_as_live {
            let Some(l) = live.rules.iter().find(|l| l.rule == n) else {
                return Err(format!(
                    "base.score.rules_as_live names rule {n}, of which the live state keeps no \
                     memory"
                ));
            };
            if rules.iter().any(|r| r.rule == n) {
                return Err(format!(
                    "base.score.rules holds rule {n}, which base.score.rules_as_live names too; \
                     give one of them"
                ));
            }
            rules.push(l.clone());
        }
        rules.sort_by_key(|r| r.rule);
        Ok(ScoreState {
            rules,
            referrals: self.referrals,
            reach: self.reach,
            purchases: self.purchases,
            last_contact: self.last_contact,
            last_action: self.last_action,
        })
    }
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (RFC 4648).
fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                let index = ((n >> (18 - 6 * k)) & 63) as usize;
                out.push(char::from(BASE64.get(index).copied().unwrap_or(b'A')));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The value of each base64 letter, 255 for a byte that is not one.
const BASE64_VALUE: [u8; 256] = {
    let mut table = [255u8; 256];
    let mut i = 0;
    while i < 64 {
        table[BASE64[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// Standard base64 with padding; `None` for anything else.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if text.len() % 4 != 0 {
        return None;
    }
    let pad = text.iter().rev().take_while(|&&c| c == b'=').count();
    if pad > 2 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let value = |c: u8| match BASE64_VALUE.get(usize::from(c)) {
        Some(&v) if v < 64 => Some(u32::from(v)),
        _ => None,
    };
    let body = text.len().saturating_sub(if pad > 0 { 4 } else { 0 });
    for quad in text.get(..body)?.chunks_exact(4) {
        let mut n = 0u32;
        let mut bad = false;
        for &c in quad {
            let v = value(c);
            bad |= v.is_none();
            n = (n << 6) | v.unwrap_or(0);
        }
        if bad {
            return None;
        }
        out.extend_from_slice(&[(n >> 16) as u8, (n >> 8) as u8, n as u8]);
    }
    if pad > 0 {
        let last = text.get(body..)?;
        let mut n = 0u32;
        for &c in last.get(..4 - pad)? {
            n = (n << 6) | value(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(bytes.get(..3 - pad)?);
    }
    Some(out)
}

#[cfg(test)]
mod base64_tests {
    use super::{base64_decode, base64_encode};

    #[test]
    fn round_trips_and_matches_rfc_4648() {
        for (plain, coded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64_encode(plain.as_bytes()), coded);
            assert_eq!(base64_decode(coded).unwrap(), plain.as_bytes());
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base64_decode(&base64_encode(&all)).unwrap(), all);
        for bad in ["Zg=", "Z===", "Zg==Zg==", "Zm9v!A==", "===="] {
            assert_eq!(base64_decode(bad), None, "{bad}");
        }
    }
}
