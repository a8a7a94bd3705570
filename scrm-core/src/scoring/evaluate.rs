//! Computing a [`Score`] from a customer's score memory at one moment.
//!
//! The clamp order is pinned (DOMAIN.md 4, PIN): each rule's cap (per window) → each group's cap
//! on the group's net points (plus and minus netted first) → the total cap. Decay applies to each
//! event's points after its rule cap, before the group cap (decision 0005).

use chrono::{DateTime, Utc};

use super::decay::DecayModel;
use super::model::{RuleModel, ScoringModel};
use super::points::{Points, sum_to_points};
use super::score::{Explanation, FitPart, GroupPart, RulePart, Score, SocialPart, grade_name};
use super::state::{Entry, RuleState, ScoreState, clamp};
use crate::condition::{AttrValue, Facts};
use crate::error::Result;
use crate::playbook::Unmatched;

/// One rule's parts, in hundredths.
#[derive(Debug, Clone, Copy, Default)]
struct Parts {
    raw: i128,
    earned: i128,
    points: i128,
}

/// The points each entry of a repeatable decaying rule earned, in time order: each event earns
/// its points until the period's cap (or, without a window, the lifetime cap, of which settled
/// events already took `used`) is used up.
pub(crate) struct Earned<'a> {
    entries: std::slice::Iter<'a, Entry>,
    points: i64,
    cap: Option<i64>,
    windowed: bool,
    taken: i64,
    bucket: Option<i64>,
}

impl<'a> Earned<'a> {
    pub(crate) fn new(rule: &RuleModel, entries: &'a [Entry], used: i64) -> Earned<'a> {
        let windowed = rule.cap_window.is_some();
        Earned {
            entries: entries.iter(),
            points: rule.points,
            cap: rule.cap,
            windowed,
            taken: if windowed { 0 } else { used.abs() },
            bucket: None,
        }
    }
}

impl Iterator for Earned<'_> {
    type Item = i64;

    fn next(&mut self) -> Option<i64> {
        let &(_, _, b) = self.entries.next()?;
        let p = self.points;
        let Some(cap) = self.cap else {
            return Some(p);
        };
        if self.windowed && self.bucket != Some(b) {
            self.bucket = Some(b);
            self.taken = 0;
        }
        let earned = p.abs().min((cap - self.taken).max(0));
        self.taken += earned;
        Some(if p < 0 { -earned } else { earned })
    }
}

/// Calls `f(i, earned)` for each entry of a repeatable decaying rule in time order (see
/// [`Earned`]).
pub(crate) fn for_each_earned(
    rule: &RuleModel,
    entries: &[Entry],
    used: i64,
    mut f: impl FnMut(usize, i64),
) {
    Earned::new(rule, entries, used)
        .enumerate()
        .for_each(|(i, e)| f(i, e));
}

fn rule_parts(rule: &RuleModel, state: &RuleState, now: i64) -> Parts {
    let p = i128::from(rule.points);
    let events = i128::from(state.events);
    let cap = rule.cap.map(i128::from);
    let clamp128 = |raw: i128| cap.map_or(raw, |c| raw.clamp(-c, c));
    match (rule.decay, rule.once) {
        (_, true) if state.events == 0 => Parts::default(),
        (DecayModel::None, true) => {
            let earned = clamp128(p);
            Parts {
                raw: p,
                earned,
                points: earned,
            }
        }
        (DecayModel::None, false) if rule.cap_window.is_some() => {
            let (mut raw, mut earned) = (
                i128::from(state.settled.raw),
                i128::from(state.settled.earned),
            );
            for &(_, n) in &state.buckets {
                let r = p * i128::from(n);
                raw += r;
                earned += clamp128(r);
            }
            Parts {
                raw,
                earned,
                points: earned,
            }
        }
        (DecayModel::None, false) => {
            let raw = p * events;
            let earned = clamp128(raw);
            Parts {
                raw,
                earned,
                points: earned,
            }
        }
        (decay, true) => {
            let earned = clamp(rule.points, rule.cap);
            let points = state
                .entries
                .first()
                .map_or(0, |&(at, _, _)| decay.apply(earned, at, now));
            Parts {
                raw: p,
                earned: i128::from(earned),
                points: i128::from(points),
            }
        }
        (decay, false) => {
            let mut earned = i128::from(state.settled.earned);
            let mut points = 0i128;
            for_each_earned(rule, &state.entries, state.settled.earned, |i, e| {
                earned += i128::from(e);
                if let Some(&(at, _, _)) = state.entries.get(i) {
                    points += i128::from(decay.apply(e, at, now));
                }
            });
            Parts {
                raw: p * events,
                earned,
                points,
            }
        }
    }
}

fn to_points(h: i128, what: &str) -> Result<Points> {
    sum_to_points(h, what)
}

/// The engagement points after every cap, and their parts when `explain`.
fn engagement(
    model: &ScoringModel,
    state: &ScoreState,
    now: i64,
    explain: Option<&mut Explanation>,
) -> Result<i128> {
    let parts_of = |no: usize| -> Parts {
        match (
            model.rules.get(no),
            state
                .rules
                .binary_search_by_key(&(no as u32), |r| r.rule)
                .ok()
                .and_then(|i| state.rules.get(i)),
        ) {
            (Some(rule), Some(s)) => rule_parts(rule, s, now),
            _ => Parts::default(),
        }
    };
    let mut explanation = explain;
    if let Some(e) = explanation.as_deref_mut() {
        for s in &state.rules {
            let Some(rule) = model.rules.get(s.rule as usize) else {
                continue;
            };
            let parts = parts_of(s.rule as usize);
            e.rules.push(RulePart {
                rule: rule.id.clone(),
                group: rule
                    .group
                    .and_then(|g| model.groups.get(g))
                    .map(|g| g.id.clone()),
                events: s.events,
                raw: to_points(parts.raw, "score")?,
                capped: to_points(parts.raw - parts.earned, "score")?,
                decayed: to_points(parts.earned - parts.points, "score")?,
                points: to_points(parts.points, "score")?,
            });
        }
    }
    let mut total = 0i128;
    for (g, group) in model.groups.iter().enumerate() {
        let net: i128 = state
            .rules
            .iter()
            .filter(|s| model.rules.get(s.rule as usize).and_then(|r| r.group) == Some(g))
            .map(|s| parts_of(s.rule as usize).points)
            .sum();
        let points = group
            .cap
            .map_or(net, |c| net.clamp(-i128::from(c), i128::from(c)));
        if let (Some(e), Some(_)) = (explanation.as_deref_mut(), group.cap) {
            e.groups.push(GroupPart {
                group: group.id.clone(),
                net: to_points(net, "score")?,
                capped: to_points(net - points, "score")?,
                points: to_points(points, "score")?,
            });
        }
        total += points;
    }
    total += state
        .rules
        .iter()
        .filter(|s| {
            model
                .rules
                .get(s.rule as usize)
                .is_some_and(|r| r.group.is_none())
        })
        .map(|s| parts_of(s.rule as usize).points)
        .sum::<i128>();
    let capped = model
        .total_cap
        .map_or(total, |c| total.clamp(-i128::from(c), i128::from(c)));
    if let Some(e) = explanation {
        e.total_capped = to_points(total - capped, "score")?;
    }
    Ok(capped)
}

/// Fit points after the fit cap, and the grade steps.
fn fit(
    model: &ScoringModel,
    facts: &dyn Facts,
    at: DateTime<Utc>,
    explain: Option<&mut Explanation>,
) -> Result<(i128, i32)> {
    let mut total = 0i128;
    let mut steps = 0i32;
    let mut explanation = explain;
    for rule in &model.fit.rules {
        let matched = rule.when.evaluate(facts, at);
        let points = if matched { rule.points } else { 0 };
        let grade_steps = match (matched, model.fit.unmatched) {
            (true, _) => rule.grade,
            (false, Unmatched::Lower) => -rule.grade,
            (false, _) => 0,
        };
        total += i128::from(points);
        steps = steps.saturating_add(grade_steps);
        if let Some(e) = explanation.as_deref_mut() {
            if matched || grade_steps != 0 {
                e.fit.push(FitPart {
                    rule: rule.id.clone(),
                    matched,
                    points: Points::from_hundredths(points),
                    grade_steps,
                });
            }
        }
    }
    let capped = model
        .fit
        .cap
        .map_or(total, |c| total.clamp(-i128::from(c), i128::from(c)));
    if let Some(e) = explanation {
        e.fit_capped = to_points(total - capped, "score")?;
    }
    Ok((capped, steps))
}

/// Whole units of `amount / per` (both in hundredths), never negative.
fn units(amount: i128, per: i64) -> i128 {
    if per <= 0 || amount <= 0 {
        0
    } else {
        amount / i128::from(per)
    }
}

/// A measured social amount, printed only for explanations.
#[derive(Default)]
enum Amount {
    #[default]
    None,
    Number(crate::condition::Number),
    Count(u64),
}

impl std::fmt::Display for Amount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Amount::None => Ok(()),
            Amount::Number(n) => write!(f, "{n}"),
            Amount::Count(n) => write!(f, "{n}"),
        }
    }
}

fn social(
    model: &ScoringModel,
    state: &ScoreState,
    facts: &dyn Facts,
    explain: Option<&mut Explanation>,
) -> Result<i128> {
    let s = &model.social;
    let mut parts: [(Option<&str>, Amount, i128, Option<i64>); 3] = Default::default();
    if let Some((attribute, per, points, cap)) = &s.followers {
        let followers = match facts.attribute(attribute) {
            Some(AttrValue::Number(n)) => n,
            _ => crate::condition::Number::ZERO,
        };
        let h = followers.to_scaled(2).map_or(0, i128::from);
        parts[0] = (
            Some("followers"),
            Amount::Number(followers),
            units(h, *per) * i128::from(*points),
            *cap,
        );
    }
    if let Some((_, points, cap)) = &s.referrals {
        parts[1] = (
            Some("referrals"),
            Amount::Count(state.referrals),
            i128::from(state.referrals) * i128::from(*points),
            *cap,
        );
    }
    if let Some(reach) = &s.reach {
        parts[2] = (
            Some("reach"),
            Amount::Count(state.reach),
            units(i128::from(state.reach) * 100, reach.per) * i128::from(reach.points),
            reach.cap,
        );
    }
    let mut total = 0i128;
    let mut explanation = explain;
    for (source, amount, raw, cap) in parts {
        let Some(source) = source else { continue };
        let points = cap.map_or(raw, |c| raw.clamp(-i128::from(c), i128::from(c)));
        total += points;
        if let Some(e) = explanation.as_deref_mut() {
            e.social.push(SocialPart {
                source: source.to_owned(),
                amount: amount.to_string(),
                raw: to_points(raw, "score.social")?,
                capped: to_points(raw - points, "score.social")?,
                points: to_points(points, "score.social")?,
            });
        }
    }
    Ok(total)
}

/// A score's values without its explanation: what thresholds and guards read on every event,
/// computed without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Totals {
    pub score: Points,
    pub engagement: Points,
    pub fit: Points,
    pub social: Points,
    pub grade: Option<&'static str>,
}

/// The [`Totals`] of a customer at `at` (see [`evaluate`]).
pub(crate) fn totals(
    model: &ScoringModel,
    state: &ScoreState,
    facts: &dyn Facts,
    at: DateTime<Utc>,
) -> Result<Totals> {
    let now = super::time::micros(at);
    let engagement = engagement(model, state, now, None)?;
    let (fit, steps) = fit(model, facts, at, None)?;
    let social = social(model, state, facts, None)?;
    let score = engagement + fit + if model.social.in_score { social } else { 0 };
    Ok(Totals {
        score: to_points(score, "score")?,
        engagement: to_points(engagement, "score.engagement")?,
        fit: to_points(fit, "score.fit")?,
        social: to_points(social, "score.social")?,
        grade: model.fit.grade.then(|| grade_name(steps)),
    })
}

/// The score of a customer whose score memory is `state` and whose profile `facts` describe
/// (fit conditions read it; it must not itself report a score), at `at`. Builds the explanation
/// with its explanation.
pub(crate) fn evaluate(
    model: &ScoringModel,
    state: &ScoreState,
    facts: &dyn Facts,
    at: DateTime<Utc>,
) -> Result<Score> {
    let now = super::time::micros(at);
    let mut explanation = Explanation::default();
    let engagement = engagement(model, state, now, Some(&mut explanation))?;
    let (fit, steps) = fit(model, facts, at, Some(&mut explanation))?;
    let social = social(model, state, facts, Some(&mut explanation))?;
    let in_score = model.social.in_score;
    let score = engagement + fit + if in_score { social } else { 0 };
    Ok(Score {
        score: to_points(score, "score")?,
        engagement: to_points(engagement, "score.engagement")?,
        fit: to_points(fit, "score.fit")?,
        social: to_points(social, "score.social")?,
        social_in_score: in_score,
        grade: model.fit.grade.then(|| grade_name(steps).to_owned()),
        explanation,
    })
}
