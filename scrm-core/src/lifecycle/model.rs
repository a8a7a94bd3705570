//! The lifecycle section compiled: stages by number, rules with their targets resolved.

use std::collections::HashMap;

use crate::condition::CompiledCondition;
use crate::error::Problem;
use crate::playbook::{Playbook, StageRule};
use crate::scoring::compile::Checker;

/// A stage.
#[derive(Debug)]
pub(crate) struct StageModel {
    pub id: String,
    pub name: String,
    pub side: bool,
    /// Position among live stages (side states: `usize::MAX`).
    pub order: usize,
    pub tasks: Vec<TaskModel>,
}

/// A task of a stage.
#[derive(Debug)]
pub(crate) struct TaskModel {
    pub id: String,
    pub name: String,
    /// Seconds after entering the stage.
    pub due: Option<i64>,
}

/// What a rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RuleKind {
    Advance,
    Move,
    /// No activity for this many seconds.
    Inactivity(i64),
    Reengage,
}

/// A lifecycle rule.
#[derive(Debug)]
pub(crate) struct RuleModel {
    pub id: String,
    pub kind: RuleKind,
    /// The target (none for reengage: the last live stage).
    pub to: Option<usize>,
    /// Stages it applies from (empty: the kind's default).
    pub from: Vec<usize>,
    pub on: Vec<String>,
    pub activity: Vec<String>,
    pub when: Option<CompiledCondition>,
    pub require_tasks: bool,
    pub reason: Option<String>,
    /// The guard as written, for reasons.
    pub when_text: Option<String>,
    /// The silence as written (`30d`), for reasons.
    pub after_text: String,
}

/// The whole lifecycle section, compiled.
#[derive(Debug)]
pub(crate) struct LifecycleModel {
    pub stages: Vec<StageModel>,
    pub initial: usize,
    pub rules: Vec<RuleModel>,
    /// Numbers of the inactivity rules, in order.
    pub inactivity: Vec<usize>,
}

/// The default stages of DOMAIN.md 5: id, name, side state.
const DEFAULT_STAGES: [(&str, &str, bool); 11] = [
    ("visitor", "访客", false),
    ("lead", "线索", false),
    ("mql", "市场认可线索 (MQL)", false),
    ("sql", "销售认可线索 (SQL)", false),
    ("opportunity", "商机", false),
    ("customer", "成交客户", false),
    ("repeat", "复购客户", false),
    ("advocate", "推荐者", false),
    ("dormant", "沉睡", true),
    ("churned", "流失", true),
    ("lost", "输单", true),
];

/// The most rules a lifecycle may have (each fires at most once per event; the set is a bit mask).
pub(crate) const MAX_LIFECYCLE_RULES: usize = 128;

impl LifecycleModel {
    /// Whether an inactivity `rule` moves a customer in stage `current`: it applies to its
    /// `from` stages (every live stage when it names none) and never to the stage it targets.
    /// The engine's time-based check and the pool's `due` both ask this.
    pub(crate) fn inactivity_applies(&self, rule: &RuleModel, current: usize) -> bool {
        let from = if rule.from.is_empty() {
            self.stages.get(current).is_some_and(|s| !s.side)
        } else {
            rule.from.contains(&current)
        };
        from && rule.to != Some(current)
    }

    /// When the customer last entered a stage by something they did: the latest change in
    /// `history` not made by an inactivity rule (silence does not restart when silence itself
    /// moved the customer). Silence runs from this or the last counted activity, whichever is later.
    pub(crate) fn last_woken(
        &self,
        history: &[super::StageChange],
    ) -> Option<chrono::DateTime<chrono::Utc>> {
        history
            .iter()
            .rev()
            .find(|h| {
                !self
                    .rules
                    .iter()
                    .any(|r| r.id == h.rule && matches!(r.kind, RuleKind::Inactivity(_)))
            })
            .map(|h| h.at)
    }

    /// A stage's number by id.
    pub(crate) fn stage(&self, id: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.id == id)
    }

    /// Compiles the lifecycle section, appending every problem.
    pub(crate) fn compile(playbook: &Playbook, problems: &mut Vec<Problem>) -> LifecycleModel {
        let lifecycle = playbook.lifecycle();
        let mut c = Checker {
            taxonomy: playbook.taxonomy(),
            problems,
        };
        let mut stages = Vec::new();
        if lifecycle.stages.is_empty() {
            for (id, name, side) in DEFAULT_STAGES {
                stages.push(StageModel {
                    id: id.to_owned(),
                    name: name.to_owned(),
                    side,
                    order: 0,
                    tasks: Vec::new(),
                });
            }
        }
        let mut stage_ids = HashMap::new();
        for (i, stage) in lifecycle.stages.iter().enumerate() {
            let at = format!("lifecycle.stages[{i}]");
            c.id(&stage.id, &format!("{at}.id"), &mut stage_ids);
            c.nonblank(&stage.name, &format!("{at}.name"), "the name");
            let mut task_ids = HashMap::new();
            let mut tasks = Vec::new();
            for (t, task) in stage.tasks.iter().enumerate() {
                let here = format!("{at}.tasks[{t}]");
                c.id(&task.id, &format!("{here}.id"), &mut task_ids);
                c.nonblank(&task.name, &format!("{here}.name"), "the name");
                let due = task
                    .due
                    .as_deref()
                    .and_then(|d| c.duration(d, &format!("{here}.due")));
                tasks.push(TaskModel {
                    id: task.id.clone(),
                    name: task.name.clone(),
                    due,
                });
            }
            stages.push(StageModel {
                id: stage.id.clone(),
                name: stage.name.clone(),
                side: stage.side,
                order: 0,
                tasks,
            });
        }
        let mut order = 0;
        for stage in &mut stages {
            stage.order = if stage.side {
                usize::MAX
            } else {
                order += 1;
                order - 1
            };
        }
        if order == 0 {
            c.problem(
                "lifecycle.stages",
                "at least one stage must be a live stage (side = false)",
            );
        }
        let mut model = LifecycleModel {
            stages,
            initial: 0,
            rules: Vec::new(),
            inactivity: Vec::new(),
        };
        model.initial = match lifecycle.initial.as_deref() {
            None => model.stages.iter().position(|s| !s.side).unwrap_or(0),
            Some(id) => match model.stage(id) {
                Some(i) if !model.stages[i].side => i,
                Some(_) => {
                    c.problem(
                        "lifecycle.initial",
                        format!("{id:?} is a side state; a customer starts in a live stage"),
                    );
                    0
                }
                None => {
                    c.problem("lifecycle.initial", unknown_stage(id, &model));
                    0
                }
            },
        };
        if lifecycle.rules.len() > MAX_LIFECYCLE_RULES {
            c.problem(
                "lifecycle.rules",
                format!(
                    "{} rules; a lifecycle may have at most {MAX_LIFECYCLE_RULES}",
                    lifecycle.rules.len()
                ),
            );
        }
        let mut rule_ids = HashMap::new();
        for (i, rule) in lifecycle.rules.iter().enumerate() {
            let at = format!("lifecycle.rules[{i}]");
            c.id(rule.id(), &format!("{at}.id"), &mut rule_ids);
            if let Some(compiled) = compile_rule(&mut c, &model, rule, &at) {
                if matches!(compiled.kind, RuleKind::Inactivity(_)) {
                    model.inactivity.push(model.rules.len());
                }
                model.rules.push(compiled);
            }
        }
        model
    }
}

fn unknown_stage(id: &str, model: &LifecycleModel) -> String {
    let known: Vec<&str> = model.stages.iter().map(|s| s.id.as_str()).collect();
    format!(
        "unknown stage {id:?}, expected one of: {}",
        known.join(", ")
    )
}

fn resolve(c: &mut Checker<'_>, model: &LifecycleModel, id: &str, at: &str) -> Option<usize> {
    let found = model.stage(id);
    if found.is_none() {
        c.problem(at, unknown_stage(id, model));
    }
    found
}

fn resolve_all(
    c: &mut Checker<'_>,
    model: &LifecycleModel,
    ids: &[String],
    at: &str,
) -> Vec<usize> {
    ids.iter()
        .enumerate()
        .filter_map(|(i, id)| resolve(c, model, id, &format!("{at}[{i}]")))
        .collect()
}

fn event_types(c: &mut Checker<'_>, types: &[String], at: &str) {
    for (i, t) in types.iter().enumerate() {
        c.nonblank(t, &format!("{at}[{i}]"), "an event type");
    }
}

fn compile_rule(
    c: &mut Checker<'_>,
    model: &LifecycleModel,
    rule: &StageRule,
    at: &str,
) -> Option<RuleModel> {
    let guard = |c: &mut Checker<'_>, when: &Option<String>| match when.as_deref() {
        None => Some(None),
        Some(w) => c.condition(w, &format!("{at}.when")).map(Some),
    };
    let compiled = match rule {
        StageRule::Advance {
            id,
            to,
            on,
            when,
            require_tasks,
            reason,
        } => {
            let target = resolve(c, model, to, &format!("{at}.to"));
            if let Some(t) = target {
                if model.stages[t].side {
                    c.problem(
                        format!("{at}.to"),
                        format!(
                            "{to:?} is a side state; an advance rule moves forward only, use a \
                             move rule to go to a side state"
                        ),
                    );
                }
            }
            event_types(c, on, &format!("{at}.on"));
            let when_c = guard(c, when);
            RuleModel {
                id: id.clone(),
                kind: RuleKind::Advance,
                to: Some(target?),
                from: Vec::new(),
                on: on.clone(),
                activity: Vec::new(),
                when: when_c?,
                require_tasks: *require_tasks,
                reason: reason.clone(),
                when_text: when.clone(),
                after_text: String::new(),
            }
        }
        StageRule::Move {
            id,
            to,
            from,
            on,
            when,
            require_tasks,
            reason,
        } => {
            let target = resolve(c, model, to, &format!("{at}.to"));
            let from_ids = resolve_all(c, model, from, &format!("{at}.from"));
            event_types(c, on, &format!("{at}.on"));
            let when_c = guard(c, when);
            RuleModel {
                id: id.clone(),
                kind: RuleKind::Move,
                to: Some(target?),
                from: from_ids,
                on: on.clone(),
                activity: Vec::new(),
                when: when_c?,
                require_tasks: *require_tasks,
                reason: reason.clone(),
                when_text: when.clone(),
                after_text: String::new(),
            }
        }
        StageRule::Inactivity {
            id,
            after,
            to,
            from,
            activity,
            reason,
        } => {
            let seconds = c.duration(after, &format!("{at}.after"));
            let target = resolve(c, model, to, &format!("{at}.to"));
            let from_ids = resolve_all(c, model, from, &format!("{at}.from"));
            event_types(c, activity, &format!("{at}.activity"));
            RuleModel {
                id: id.clone(),
                kind: RuleKind::Inactivity(seconds?),
                to: Some(target?),
                from: from_ids,
                on: Vec::new(),
                activity: activity.clone(),
                when: None,
                require_tasks: false,
                reason: reason.clone(),
                when_text: None,
                after_text: after.trim().to_owned(),
            }
        }
        StageRule::Reengage {
            id,
            from,
            on,
            when,
            reason,
        } => {
            let from_ids = resolve_all(c, model, from, &format!("{at}.from"));
            for (i, &s) in from_ids.iter().enumerate() {
                if !model.stages[s].side {
                    c.problem(
                        format!("{at}.from[{i}]"),
                        format!(
                            "{:?} is a live stage; re-engaging brings customers back from side \
                             states",
                            model.stages[s].id
                        ),
                    );
                }
            }
            event_types(c, on, &format!("{at}.on"));
            let when_c = guard(c, when);
            RuleModel {
                id: id.clone(),
                kind: RuleKind::Reengage,
                to: None,
                from: from_ids,
                on: on.clone(),
                activity: Vec::new(),
                when: when_c?,
                require_tasks: false,
                reason: reason.clone(),
                when_text: when.clone(),
                after_text: String::new(),
            }
        }
    };
    Some(compiled)
}
