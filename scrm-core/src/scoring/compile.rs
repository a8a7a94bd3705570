//! Compiling the scoring section, collecting every problem with its path.

use std::collections::{BTreeMap, HashMap};

use super::decay::DecayModel;
use super::model::{
    ActionModel, FitModel, FitRuleModel, GroupModel, PriorityModel, PropValue, ReachModel,
    RfmModel, RuleModel, ScoringModel, SocialModel, ThresholdModel,
};
use super::points::Points;
use crate::condition::{CompiledCondition, Condition, Number};
use crate::error::Problem;
use crate::playbook::{Playbook, Scoring, ScoringRule, Taxonomy};
use crate::tagging::Tagger;

/// Collects problems under paths; every check reports and carries on.
pub(crate) struct Checker<'a> {
    pub taxonomy: &'a Taxonomy,
    pub problems: &'a mut Vec<Problem>,
}

impl Checker<'_> {
    pub(crate) fn problem(&mut self, at: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem::new(at, message));
    }

    /// Points (or a cap when `cap`) as hundredths.
    pub(crate) fn points(&mut self, value: f64, at: &str, cap: bool) -> Option<i64> {
        match Points::from_playbook(value) {
            Ok(p) if cap && p.is_negative() => {
                self.problem(
                    at,
                    format!("a cap must not be negative, found {p}; write its magnitude"),
                );
                None
            }
            Ok(p) => Some(p.hundredths()),
            Err(message) => {
                self.problem(at, message);
                None
            }
        }
    }

    pub(crate) fn optional_cap(&mut self, value: Option<f64>, at: &str) -> Option<i64> {
        value.and_then(|v| self.points(v, at, true))
    }

    /// A duration in whole seconds.
    pub(crate) fn duration(&mut self, text: &str, at: &str) -> Option<i64> {
        match crate::duration::parse(text, at) {
            Ok(d) => Some(d.num_seconds()),
            Err(e) => {
                self.problems.extend(e.problems().iter().cloned());
                None
            }
        }
    }

    /// A condition in text form, parsed and compiled, problems reported at `at`.
    pub(crate) fn condition(&mut self, text: &str, at: &str) -> Option<CompiledCondition> {
        match Condition::parse_at(text, at).and_then(|c| c.compile_at(self.taxonomy, at)) {
            Ok(c) => Some(c),
            Err(e) => {
                self.problems.extend(e.problems().iter().cloned());
                None
            }
        }
    }

    pub(crate) fn properties(
        &mut self,
        properties: &BTreeMap<String, serde_json::Value>,
        at: &str,
    ) -> Vec<(String, PropValue)> {
        let mut out = Vec::new();
        for (name, value) in properties {
            let here = format!("{at}.{name}");
            let v = match value {
                serde_json::Value::String(s) => PropValue::Text(s.clone()),
                serde_json::Value::Bool(b) => PropValue::Bool(*b),
                serde_json::Value::Number(n) => match super::model::json_number(n) {
                    Some(n) => PropValue::Number(n),
                    None => {
                        self.problem(here, format!("{n} is not a usable number"));
                        continue;
                    }
                },
                other => {
                    self.problem(
                        here,
                        format!(
                            "a property filter is a text, number or true/false, found {}",
                            crate::error::show(other)
                        ),
                    );
                    continue;
                }
            };
            out.push((name.clone(), v));
        }
        out
    }

    pub(crate) fn nonblank(&mut self, text: &str, at: &str, what: &str) {
        if text.trim().is_empty() {
            self.problem(at, format!("{what} must not be blank"));
        }
    }

    /// Checks an id's form and uniqueness among `seen`.
    pub(crate) fn id(&mut self, id: &str, at: &str, seen: &mut HashMap<String, String>) {
        let well_formed = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
        if !well_formed {
            self.problem(
                at,
                format!("invalid id {id:?}: use 1 to 64 letters, digits, '_', '-' or '.'"),
            );
        }
        if let Some(first) = seen.get(id) {
            let message = format!("duplicate id {id:?} (first at {first})");
            self.problem(at, message);
        } else {
            seen.insert(id.to_owned(), at.to_owned());
        }
    }
}

/// Compiles the scoring section of `playbook`, appending every problem to `problems`.
pub(crate) fn compile(
    playbook: &Playbook,
    tagger: Option<&Tagger>,
    problems: &mut Vec<Problem>,
) -> ScoringModel {
    let scoring: &Scoring = playbook.scoring();
    let mut c = Checker {
        taxonomy: playbook.taxonomy(),
        problems,
    };
    let mut model = ScoringModel {
        tz: Some(playbook.timezone()),
        ..ScoringModel::default()
    };

    let mut group_ids = HashMap::new();
    for (i, group) in scoring.groups.iter().enumerate() {
        let at = format!("scoring.groups[{i}]");
        c.id(&group.id, &format!("{at}.id"), &mut group_ids);
        model.groups.push(GroupModel {
            id: group.id.clone(),
            cap: c.optional_cap(group.cap, &format!("{at}.cap")),
        });
    }
    let mut rule_ids = HashMap::new();
    for (i, rule) in scoring.rules.iter().enumerate() {
        let at = format!("scoring.rules[{i}]");
        c.id(&rule.id, &format!("{at}.id"), &mut rule_ids);
        if let Some(compiled) = compile_rule(&mut c, rule, &at, &model.groups) {
            model
                .by_event
                .entry(compiled.event.clone())
                .or_default()
                .push(model.rules.len());
            model.rules.push(compiled);
        }
    }
    model.total_cap = c.optional_cap(scoring.cap, "scoring.cap");
    model.fit = compile_fit(&mut c, scoring);
    model.social = compile_social(&mut c, scoring);
    model.thresholds = compile_thresholds(&mut c, scoring);
    model.rfm = scoring.rfm.as_ref().and_then(|rfm| {
        let at = "scoring.rfm";
        c.nonblank(&rfm.event, &format!("{at}.event"), "the purchase event");
        let recent_within = c.duration(&rfm.recent_within, &format!("{at}.recent_within"));
        let valuable_at = c.points(rfm.valuable_at, &format!("{at}.valuable_at"), true);
        if rfm.frequent_at == 0 {
            c.problem(
                format!("{at}.frequent_at"),
                "frequent_at must be at least 1 purchase",
            );
        }
        Some(RfmModel {
            event: rfm.event.clone(),
            amount_property: rfm.amount_property.clone(),
            recent_within: recent_within?,
            frequent_at: rfm.frequent_at,
            valuable_at: valuable_at?,
            monetary: rfm.monetary,
        })
    });
    model.priority = compile_priority(&mut c, scoring, tagger);
    model
}

fn compile_rule(
    c: &mut Checker<'_>,
    rule: &ScoringRule,
    at: &str,
    groups: &[GroupModel],
) -> Option<RuleModel> {
    c.nonblank(&rule.event, &format!("{at}.event"), "the event type");
    let properties = c.properties(&rule.properties, &format!("{at}.properties"));
    let when = match rule.when.as_deref() {
        None => Some(None),
        Some(w) => c.condition(w, &format!("{at}.when")).map(Some),
    };
    let points = c.points(rule.points, &format!("{at}.points"), false);
    let group = match rule.group.as_deref() {
        None => Some(None),
        Some(g) => match groups.iter().position(|m| m.id == g) {
            Some(i) => Some(Some(i)),
            None => {
                c.problem(
                    format!("{at}.group"),
                    format!("unknown group {g:?}: declare it in scoring.groups"),
                );
                None
            }
        },
    };
    let cap = c.optional_cap(rule.cap, &format!("{at}.cap"));
    let cap_window = rule
        .cap_window
        .as_deref()
        .map(|w| c.duration(w, &format!("{at}.cap_window")));
    if rule.cap_window.is_some() && rule.cap.is_none() {
        c.problem(
            format!("{at}.cap_window"),
            "a cap_window needs a cap: write the most points per window in cap",
        );
    }
    let decay = match &rule.decay {
        None => Some(DecayModel::None),
        Some(d) => match (&d.half_life, &d.window) {
            (Some(h), None) => c
                .duration(h, &format!("{at}.decay.half_life"))
                .map(DecayModel::HalfLife),
            (None, Some(w)) => c
                .duration(w, &format!("{at}.decay.window"))
                .map(DecayModel::Window),
            _ => {
                c.problem(
                    format!("{at}.decay"),
                    "write exactly one of half_life (e.g. \"30d\") and window (e.g. \"90d\")",
                );
                None
            }
        },
    };
    Some(RuleModel {
        id: rule.id.clone(),
        event: rule.event.clone(),
        properties,
        when: when?,
        points: points?,
        once: rule.once,
        group: group?,
        cap,
        cap_window: cap_window.flatten(),
        decay: decay?,
    })
}

fn compile_fit(c: &mut Checker<'_>, scoring: &Scoring) -> FitModel {
    let Some(fit) = &scoring.fit else {
        return FitModel::default();
    };
    let mut ids = HashMap::new();
    let mut rules = Vec::new();
    for (i, rule) in fit.rules.iter().enumerate() {
        let at = format!("scoring.fit.rules[{i}]");
        c.id(&rule.id, &format!("{at}.id"), &mut ids);
        let when = c.condition(&rule.when, &format!("{at}.when"));
        let points = c.points(rule.points, &format!("{at}.points"), false);
        if !(-12..=12).contains(&rule.grade) {
            c.problem(
                format!("{at}.grade"),
                format!(
                    "grade weight {} is out of range: write thirds of a letter from -12 to 12",
                    rule.grade
                ),
            );
        } else if rule.grade != 0 && !fit.grade {
            c.problem(
                format!("{at}.grade"),
                "a grade weight needs grading on: set scoring.fit.grade = true",
            );
        }
        if let (Some(when), Some(points)) = (when, points) {
            rules.push(FitRuleModel {
                id: rule.id.clone(),
                when,
                points,
                grade: rule.grade,
            });
        }
    }
    FitModel {
        rules,
        cap: c.optional_cap(fit.cap, "scoring.fit.cap"),
        grade: fit.grade,
        unmatched: fit.unmatched,
    }
}

fn positive(c: &mut Checker<'_>, value: f64, at: &str) -> Option<i64> {
    let p = c.points(value, at, false)?;
    if p <= 0 {
        c.problem(
            at,
            format!("must be above zero, found {}", Number::from_scaled(p, 2)),
        );
        return None;
    }
    Some(p)
}

fn compile_social(c: &mut Checker<'_>, scoring: &Scoring) -> SocialModel {
    let Some(social) = &scoring.social else {
        return SocialModel::default();
    };
    let at = "scoring.social";
    let followers = social.followers.as_ref().and_then(|f| {
        let here = format!("{at}.followers");
        c.nonblank(&f.attribute, &format!("{here}.attribute"), "the attribute");
        let per = positive(c, f.per, &format!("{here}.per"));
        let points = c.points(f.points, &format!("{here}.points"), false);
        let cap = c.optional_cap(f.cap, &format!("{here}.cap"));
        Some((f.attribute.clone(), per?, points?, cap))
    });
    let referrals = social.referrals.as_ref().and_then(|r| {
        let here = format!("{at}.referrals");
        c.nonblank(&r.event, &format!("{here}.event"), "the referral event");
        let points = c.points(r.points, &format!("{here}.points"), false);
        let cap = c.optional_cap(r.cap, &format!("{here}.cap"));
        Some((r.event.clone(), points?, cap))
    });
    let reach = social.reach.as_ref().and_then(|r| {
        let here = format!("{at}.reach");
        if r.events.is_empty() {
            c.problem(format!("{here}.events"), "list at least one event type");
        }
        let per = positive(c, r.per, &format!("{here}.per"));
        let points = c.points(r.points, &format!("{here}.points"), false);
        let cap = c.optional_cap(r.cap, &format!("{here}.cap"));
        Some(ReachModel {
            events: r.events.clone(),
            property: r.property.clone(),
            per: per?,
            points: points?,
            cap,
        })
    });
    SocialModel {
        in_score: social.in_score,
        followers,
        referrals,
        reach,
    }
}

fn compile_thresholds(c: &mut Checker<'_>, scoring: &Scoring) -> Vec<ThresholdModel> {
    let mut ids = HashMap::new();
    let mut out = Vec::new();
    for (i, t) in scoring.thresholds.iter().enumerate() {
        let at = format!("scoring.thresholds[{i}]");
        c.id(&t.id, &format!("{at}.id"), &mut ids);
        let score = c.points(t.score, &format!("{at}.score"), false);
        let rearm = t
            .rearm_below
            .map(|r| c.points(r, &format!("{at}.rearm_below"), false));
        if let (Some(score), Some(Some(r))) = (score, rearm) {
            if r > score {
                c.problem(
                    format!("{at}.rearm_below"),
                    format!(
                        "rearm_below {} is above the threshold's score {}: re-arming must need a drop",
                        Number::from_scaled(r, 2),
                        Number::from_scaled(score, 2)
                    ),
                );
            }
        }
        if let Some(score) = score {
            out.push(ThresholdModel {
                id: t.id.clone(),
                score,
                component: t.component,
                rearm_below: rearm.flatten(),
                alert: t.alert.clone(),
            });
        }
    }
    out
}

fn compile_priority(
    c: &mut Checker<'_>,
    scoring: &Scoring,
    tagger: Option<&Tagger>,
) -> Option<PriorityModel> {
    let p = scoring.priority.as_ref()?;
    let at = "scoring.priority";
    let mut intent_tags = Vec::new();
    for (tag, points) in &p.intent_tags {
        let here = format!("{at}.intent_tags.{tag}");
        let points = c.points(*points, &here, false);
        let id = match tagger.map(|t| t.resolve_tag(tag)) {
            Some(Ok(id)) => Some(id.to_owned()),
            Some(Err(message)) => {
                c.problem(here.clone(), message);
                None
            }
            None => None, // the tagger failed to compile; its problems are reported
        };
        if let (Some(id), Some(points)) = (id, points) {
            intent_tags.push((id, points));
        }
    }
    let mut ids = HashMap::new();
    let mut actions = Vec::new();
    for (i, a) in p.actions.iter().enumerate() {
        let here = format!("{at}.actions[{i}]");
        c.id(&a.id, &format!("{here}.id"), &mut ids);
        c.nonblank(&a.event, &format!("{here}.event"), "the event type");
        c.nonblank(&a.label, &format!("{here}.label"), "the label");
        let properties = c.properties(&a.properties, &format!("{here}.properties"));
        if let Some(points) = c.points(a.points, &format!("{here}.points"), false) {
            actions.push(ActionModel {
                id: a.id.clone(),
                event: a.event.clone(),
                properties,
                label: a.label.clone(),
                points,
            });
        }
    }
    let fresh_for = c.duration(&p.fresh_for, &format!("{at}.fresh_for"));
    let follow_up_every = c.duration(&p.follow_up_every, &format!("{at}.follow_up_every"));
    let overdue = c.points(
        p.overdue_points_per_day,
        &format!("{at}.overdue_points_per_day"),
        false,
    );
    let spend = positive(c, p.spend_per_point, &format!("{at}.spend_per_point"));
    Some(PriorityModel {
        intent_tags,
        actions,
        fresh_for: fresh_for?,
        contact_events: p.contact_events.clone(),
        follow_up_every: follow_up_every?,
        overdue_points_per_day: overdue?,
        spend_per_point: spend?,
    })
}
