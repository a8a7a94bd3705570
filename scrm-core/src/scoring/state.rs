//! What one customer's score remembers: per-rule tallies that do not depend on the order events
//! arrive in, so a score is a function of the set of events, never of their arrival.
//!
//! Kept small (see `docs/engine.md`): a rule without decay or cap window keeps one counter; a
//! windowed cap keeps one counter per period still open to late events; a decaying rule keeps
//! `(time, id hash)` per event until its points have decayed to nothing, when it settles into a
//! tally.

use serde::{Deserialize, Serialize};

use super::decay::DecayModel;
use super::model::{RuleModel, ScoringModel};

/// The score memory of one customer.
/// `Clone` reuses allocations in `clone_from` (engine/reuse.rs).
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScoreState {
    /// Rules that matched at least one event, sorted by rule number.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleState>,
    /// Referral events.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub referrals: u64,
    /// People reached by shares and invites.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reach: u64,
    /// Purchases, for RFM and value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purchases: Option<Purchases>,
    /// When the owner last contacted the customer (microseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_contact: Option<i64>,
    /// The latest high-intent action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_action: Option<LastAction>,
}

pub(crate) fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Purchase totals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Purchases {
    pub count: u32,
    /// Hundredths of the currency.
    pub spent: i64,
    pub first: i64,
    pub last: i64,
}

/// The latest high-intent action: which, when, and how long it lasted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LastAction {
    pub action: u32,
    pub at: i64,
    pub id: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seconds: Option<u64>,
}

/// One rule's memory.
/// `Clone` reuses allocations in `clone_from` (engine/reuse.rs).
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleState {
    pub rule: u32,
    /// Every matching event ever.
    pub events: u32,
    /// Open cap periods of a rule without decay: (period, events).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buckets: Vec<(i64, u32)>,
    /// Events of a decaying rule whose points still count, sorted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entries: Vec<Entry>,
    /// Events settled out of `buckets` or `entries`.
    #[serde(default, skip_serializing_if = "Tally::is_empty")]
    pub settled: Tally,
}

/// An event of a decaying rule: time (microseconds), id hash, and its cap period (computed once
/// when added: the tenant's local calendar costs a timezone lookup).
pub(crate) type Entry = (i64, u64, i64);

/// Points of settled events: raw, and earned after the rule cap (hundredths). A decaying rule's
/// settled points have decayed to nothing; a windowed rule's count in full.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Tally {
    pub events: u32,
    pub raw: i64,
    pub earned: i64,
}

impl Tally {
    fn is_empty(&self) -> bool {
        *self == Tally::default()
    }

    fn add(&mut self, events: u32, raw: i64, earned: i64) {
        self.events = self.events.saturating_add(events);
        self.raw = self.raw.saturating_add(raw);
        self.earned = self.earned.saturating_add(earned);
    }
}

impl ScoreState {
    /// The state of rule `rule`, created empty if needed.
    fn rule_mut(&mut self, rule: u32) -> &mut RuleState {
        let i = match self.rules.binary_search_by_key(&rule, |r| r.rule) {
            Ok(i) => i,
            Err(i) => {
                self.rules.insert(
                    i,
                    RuleState {
                        rule,
                        ..RuleState::default()
                    },
                );
                i
            }
        };
        &mut self.rules[i]
    }

    /// Records that event `(at, id)` matched rule `no`.
    pub(crate) fn add(&mut self, model: &ScoringModel, no: usize, at: i64, id: u64) {
        let Some(rule) = model.rules.get(no) else {
            return;
        };
        let bucket = rule.bucket(at, model.tz());
        let state = self.rule_mut(no as u32);
        state.events = state.events.saturating_add(1);
        match (rule.decay, rule.once) {
            (DecayModel::None, true) => {}
            (DecayModel::None, false) => {
                if rule.cap_window.is_some() {
                    match state.buckets.binary_search_by_key(&bucket, |b| b.0) {
                        Ok(i) => state.buckets[i].1 = state.buckets[i].1.saturating_add(1),
                        Err(i) => state.buckets.insert(i, (bucket, 1)),
                    }
                }
            }
            (_, true) => {
                // Only the first event of a once rule earns; keep just that one.
                let earlier = state
                    .entries
                    .first()
                    .is_none_or(|&(t, i, _)| (at, id) < (t, i));
                if state.settled.events == 0 && earlier {
                    state.entries.clear();
                    state.entries.push((at, id, bucket));
                }
            }
            (_, false) => {
                if let Err(i) = state.entries.binary_search(&(at, id, bucket)) {
                    state.entries.insert(i, (at, id, bucket));
                }
            }
        }
    }

    /// Settles what can no longer change or count: cap periods closed before `horizon` (the
    /// earliest time a late event may still have), and decayed events before it whose points are
    /// nothing at `watermark` and after. Both are monotone in time, so settling early or late
    /// gives the same state.
    pub(crate) fn settle(&mut self, model: &ScoringModel, horizon: i64, watermark: i64) {
        for state in &mut self.rules {
            let Some(rule) = model.rules.get(state.rule as usize) else {
                continue;
            };
            settle_rule(rule, model, state, horizon, watermark);
        }
    }
}

fn settle_rule(
    rule: &RuleModel,
    model: &ScoringModel,
    state: &mut RuleState,
    horizon: i64,
    watermark: i64,
) {
    let tz = model.tz();
    let p = rule.points;
    match (rule.decay, rule.once) {
        (DecayModel::None, true) => {}
        (DecayModel::None, false) => {
            // Periods are sorted: settle the leading ones that ended before the horizon (they
            // receive no more events), stopping at the first still open.
            let closed = state
                .buckets
                .iter()
                .take_while(|&&(bucket, _)| {
                    rule.bucket_end_at_least(bucket) <= horizon
                        && rule.bucket_end(bucket, tz) <= horizon
                })
                .count();
            for &(_, n) in &state.buckets[..closed] {
                let raw = p.saturating_mul(i64::from(n));
                state.settled.add(n, raw, clamp(raw, rule.cap));
            }
            state.buckets.drain(..closed);
        }
        (decay, true) => {
            if let Some(&(at, _, _)) = state.entries.first() {
                let earned = clamp(p, rule.cap);
                if at < horizon && decay.gone(earned, at, watermark) {
                    state.entries.clear();
                    state.settled.add(1, p, earned);
                }
            }
        }
        (decay, false) => settle_decaying(rule, tz, decay, state, horizon, watermark),
    }
}

/// Settles the leading decayed events of a repeatable decaying rule; with a cap window, only
/// whole periods, so the allocation inside an open period never changes.
fn settle_decaying(
    rule: &RuleModel,
    tz: chrono_tz::Tz,
    decay: DecayModel,
    state: &mut RuleState,
    horizon: i64,
    watermark: i64,
) {
    // Nothing before the horizon: nothing to settle (and no allocation on the hot path).
    if state.entries.first().is_none_or(|e| e.0 >= horizon) {
        return;
    }
    // The points each entry earned, computed in step with the scan (no allocation).
    let mut earned = super::evaluate::Earned::new(rule, &state.entries, state.settled.earned);
    let (mut cut, mut settled) = (0, 0i64);
    if rule.cap_window.is_some() {
        let mut i = 0;
        while i < state.entries.len() {
            let bucket = state.entries[i].2;
            let mut j = i;
            let (mut all_gone, mut sum) = (true, 0i64);
            while j < state.entries.len() && state.entries[j].2 == bucket {
                let e = earned.next().unwrap_or(0);
                all_gone &= decay.gone(e, state.entries[j].0, watermark);
                sum += e;
                j += 1;
            }
            let closed = rule.bucket_end(bucket, tz) <= horizon;
            if !(closed && all_gone) {
                break;
            }
            settled += sum;
            cut = j;
            i = j;
        }
    } else {
        while cut < state.entries.len() {
            let (at, _, _) = state.entries[cut];
            let e = earned.next().unwrap_or(0);
            if at >= horizon || !decay.gone(e, at, watermark) {
                break;
            }
            settled += e;
            cut += 1;
        }
    }
    if cut > 0 {
        let raw = rule.points.saturating_mul(cut as i64);
        state.settled.add(cut as u32, raw, settled);
        state.entries.drain(..cut);
    }
}

/// Clamps `raw` to the magnitude `cap`.
pub(crate) fn clamp(raw: i64, cap: Option<i64>) -> i64 {
    match cap {
        Some(cap) => raw.clamp(-cap, cap),
        None => raw,
    }
}
