//! The plain inputs of the analytics: a customer's [`StageJourney`] and the [`AnalyticsOptions`]
//! (the ordered stage list and the window) every report is computed under.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Problem, Result};

/// One stage change of a customer: they entered `stage` at `at`.
///
/// The lifecycle engine's history (`StageChange { from, to, at, .. }`) maps to this as
/// `StageEntry { stage: to, at }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageEntry {
    /// The stage id entered (a funnel stage or a side state such as `dormant`).
    pub stage: String,
    /// When the customer entered it.
    pub at: DateTime<Utc>,
}

/// What the analytics know of one customer: where they came from, who owns them, when they were
/// created, the stages they went through and when they were active.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageJourney {
    /// The customer.
    pub customer_id: String,
    /// The playbook channel they came through (渠道), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The employee who owns them (跟进人), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// When the customer was created: the cohort they belong to.
    pub created_at: DateTime<Utc>,
    /// Every stage they entered, in any order (the analytics sort by time).
    #[serde(default)]
    pub stages: Vec<StageEntry>,
    /// When they did something (an event time), for cohort retention; in any order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub active_at: Vec<DateTime<Utc>>,
}

impl StageJourney {
    /// A journey with no stage and no activity yet.
    pub fn new(customer_id: &str, created_at: DateTime<Utc>) -> StageJourney {
        StageJourney {
            customer_id: customer_id.to_owned(),
            channel: None,
            owner: None,
            created_at,
            stages: Vec::new(),
            active_at: Vec::new(),
        }
    }

    /// HubSpot-style "became a X date" for each stage of `stages` (in that order): the first time
    /// the customer entered that stage *or any later one*, so a skipped stage gets the date of the
    /// jump over it; `None` for stages never reached. Entries whose stage is not in `stages` (side
    /// states) are not counted.
    ///
    /// ```
    /// use scrm_core::{StageEntry, StageJourney};
    ///
    /// let at = |d: &str| d.parse().unwrap();
    /// let mut journey = StageJourney::new("c1", at("2026-03-01T00:00:00Z"));
    /// journey.stages.push(StageEntry { stage: "lead".into(), at: at("2026-03-01T00:00:00Z") });
    /// journey.stages.push(StageEntry { stage: "sql".into(), at: at("2026-03-05T00:00:00Z") });
    /// let stages = ["lead", "mql", "sql", "customer"].map(String::from);
    /// let became = journey.became(&stages);
    /// assert_eq!(became[1], Some(at("2026-03-05T00:00:00Z"))); // mql skipped: the jump's date
    /// assert_eq!(became[3], None);
    /// ```
    pub fn became(&self, stages: &[String]) -> Vec<Option<DateTime<Utc>>> {
        let index: HashMap<&str, usize> = stages
            .iter()
            .enumerate()
            .map(|(i, s)| (s.as_str(), i))
            .collect();
        let mut first = vec![None::<DateTime<Utc>>; stages.len()];
        for entry in &self.stages {
            let slot = index
                .get(entry.stage.as_str())
                .and_then(|&i| first.get_mut(i));
            if let Some(slot) = slot {
                *slot = Some(slot.map_or(entry.at, |t| t.min(entry.at)));
            }
        }
        // Became X = the earliest entry into X or any stage after X: a running minimum from the end.
        let mut running: Option<DateTime<Utc>> = None;
        for slot in first.iter_mut().rev() {
            running = match (running, *slot) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            *slot = running;
        }
        first
    }
}

/// The settings every analytics report is computed under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsOptions {
    /// The funnel stages in order (visitor → lead → ... → advocate). Any other stage id in a
    /// journey (dormant, churned, lost) is a side state: not in the funnel and not live.
    pub stages: Vec<String>,
    /// The IANA timezone months are computed in (the playbook's); default `UTC`.
    #[serde(default = "utc_name")]
    pub timezone: String,
    /// Only customers created at or after this time, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_from: Option<DateTime<Utc>>,
    /// Only customers created strictly before this time, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_to: Option<DateTime<Utc>>,
    /// The stage that makes a customer a lead for cost per lead; default the first stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_stage: Option<String>,
}

fn utc_name() -> String {
    "UTC".to_owned()
}

impl AnalyticsOptions {
    /// Options for `stages` in UTC, with no window.
    pub fn new<S: Into<String>>(stages: impl IntoIterator<Item = S>) -> AnalyticsOptions {
        AnalyticsOptions {
            stages: stages.into_iter().map(Into::into).collect(),
            timezone: utc_name(),
            created_from: None,
            created_to: None,
            lead_stage: None,
        }
    }

    /// Checks the options and prepares them for the reports.
    pub(crate) fn compile(&self) -> Result<Compiled> {
        let mut problems = Vec::new();
        if self.stages.is_empty() {
            problems.push(Problem::new(
                "stages",
                "stages must list at least one stage id, found []",
            ));
        }
        let mut index = HashMap::new();
        for (i, stage) in self.stages.iter().enumerate() {
            if stage.trim().is_empty() {
                problems.push(Problem::new(
                    format!("stages[{i}]"),
                    format!("a stage id must not be empty, found {stage:?}"),
                ));
            } else if index.insert(stage.clone(), i).is_some() {
                problems.push(Problem::new(
                    format!("stages[{i}]"),
                    format!("stage {stage:?} is listed twice; each stage appears once"),
                ));
            }
        }
        let tz = self.timezone.parse::<Tz>().map_err(|_| {
            Problem::new(
                "timezone",
                format!(
                    "unknown timezone {:?}, expected an IANA name like \"Asia/Shanghai\"",
                    self.timezone
                ),
            )
        });
        let tz = tz.unwrap_or_else(|p| {
            problems.push(p);
            Tz::UTC
        });
        if let (Some(from), Some(to)) = (self.created_from, self.created_to) {
            if from >= to {
                problems.push(Problem::new(
                    "created_to",
                    format!("created_to {to} must be after created_from {from}"),
                ));
            }
        }
        let lead = match &self.lead_stage {
            None => 0,
            Some(stage) => index.get(stage).copied().unwrap_or_else(|| {
                problems.push(Problem::new(
                    "lead_stage",
                    format!(
                        "lead_stage {stage:?} is not one of the stages {:?}",
                        self.stages
                    ),
                ));
                0
            }),
        };
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        Ok(Compiled {
            index,
            tz,
            from: self.created_from,
            to: self.created_to,
            lead,
        })
    }
}

/// Options checked and indexed.
pub(crate) struct Compiled {
    index: HashMap<String, usize>,
    pub(crate) tz: Tz,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    pub(crate) lead: usize,
}

impl Compiled {
    /// The funnel position of a stage id; `None` for a side state.
    pub(crate) fn position(&self, stage: &str) -> Option<usize> {
        self.index.get(stage).copied()
    }

    /// Whether a journey created at `t` is inside the window.
    pub(crate) fn in_window(&self, t: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| t >= f) && self.to.is_none_or(|e| t < e)
    }

    /// The furthest funnel position a journey reached, if it entered any funnel stage.
    pub(crate) fn furthest(&self, journey: &StageJourney) -> Option<usize> {
        journey
            .stages
            .iter()
            .filter_map(|e| self.position(&e.stage))
            .max()
    }
}

/// Checks the journeys: non-empty customer ids, each customer once.
pub(crate) fn check_journeys(journeys: &[StageJourney]) -> Result<()> {
    let mut seen = HashSet::with_capacity(journeys.len());
    let mut problems = Vec::new();
    for (i, j) in journeys.iter().enumerate() {
        if j.customer_id.trim().is_empty() {
            problems.push(Problem::new(
                format!("journeys[{i}].customer_id"),
                format!("customer_id must not be empty, found {:?}", j.customer_id),
            ));
        } else if !seen.insert(j.customer_id.as_str()) {
            problems.push(Problem::new(
                format!("journeys[{i}].customer_id"),
                format!(
                    "customer {:?} has two journeys; give each customer one journey",
                    j.customer_id
                ),
            ));
        }
        for (k, e) in j.stages.iter().enumerate() {
            if e.stage.trim().is_empty() {
                problems.push(Problem::new(
                    format!("journeys[{i}].stages[{k}].stage"),
                    format!("a stage id must not be empty, found {:?}", e.stage),
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::with_problems(ErrorKind::Validation, problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn became_fills_skipped_stages_with_the_jump() {
        let stages = ["visitor", "lead", "mql", "sql"].map(String::from);
        let mut j = StageJourney::new("c", at("2026-01-01T00:00:00Z"));
        j.stages = vec![
            StageEntry {
                stage: "sql".into(),
                at: at("2026-01-09T00:00:00Z"),
            },
            StageEntry {
                stage: "visitor".into(),
                at: at("2026-01-01T00:00:00Z"),
            },
            StageEntry {
                stage: "dormant".into(),
                at: at("2026-01-02T00:00:00Z"),
            },
        ];
        let b = j.became(&stages);
        assert_eq!(b[0], Some(at("2026-01-01T00:00:00Z")));
        assert_eq!(b[1], Some(at("2026-01-09T00:00:00Z")));
        assert_eq!(b[2], Some(at("2026-01-09T00:00:00Z")));
        assert_eq!(b[3], Some(at("2026-01-09T00:00:00Z")));
    }

    #[test]
    fn options_report_every_problem() {
        let mut o = AnalyticsOptions::new(["lead", "lead", ""]);
        o.timezone = "Mars/Base".into();
        o.lead_stage = Some("won".into());
        o.created_from = Some(at("2026-02-01T00:00:00Z"));
        o.created_to = Some(at("2026-01-01T00:00:00Z"));
        let err = o.compile().err().unwrap();
        let paths: Vec<_> = err.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "stages[1]",
                "stages[2]",
                "timezone",
                "created_to",
                "lead_stage"
            ]
        );
    }

    #[test]
    fn journeys_are_one_per_customer() {
        let j = StageJourney::new("c1", at("2026-01-01T00:00:00Z"));
        let err = check_journeys(&[j.clone(), j]).unwrap_err();
        assert_eq!(err.problems()[0].path, "journeys[1].customer_id");
    }
}
