//! The stage funnel (漏斗): how many customers reached each stage, the conversion between
//! consecutive stages, overall and per channel and per owner.
//!
//! **Reaching a stage.** A customer *reached* stage `i` when they ever entered stage `i` or any
//! later funnel stage: someone who jumped from lead straight to SQL passed MQL on the way (as
//! HubSpot's "became a MQL date" is set for skipped stages). So a customer counts once, at their
//! furthest stage and every stage before it, and the counts never grow along the stage order.
//! Moving back (a re-opened deal) or into a side state (dormant, churned, lost) takes nothing
//! away: the funnel counts what was reached, not where customers are now. A customer who never
//! entered a funnel stage is `unstaged` and in no count.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::journey::{AnalyticsOptions, StageJourney, check_journeys};
use super::rate::Rate;
use super::time_in_stage::{StageTime, time_in_stage};
use crate::error::Result;

/// How many customers reached one stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageCount {
    /// The stage id.
    pub stage: String,
    /// Customers who reached it (entered it or any later stage).
    pub count: u64,
}

/// The conversion from one stage to the next: `count(to) / count(from)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conversion {
    /// The earlier stage.
    pub from: String,
    /// The next stage.
    pub to: String,
    /// The share of `from` that reached `to`, four places; `null` when nobody reached `from`.
    pub rate: Option<Rate>,
}

/// Stage counts and conversions for one set of customers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunnelCounts {
    /// The group's key (a channel or owner id); `null` for customers without one, and for the
    /// overall funnel.
    pub key: Option<String>,
    /// Customers in the window.
    pub journeys: u64,
    /// Customers in the window who never entered a funnel stage.
    pub unstaged: u64,
    /// One count per stage, in stage order.
    pub stages: Vec<StageCount>,
    /// One conversion per pair of consecutive stages.
    pub conversions: Vec<Conversion>,
    /// Last stage over first stage; `null` when nobody reached the first.
    pub overall: Option<Rate>,
}

/// The funnel report a manager reads (seed 002): overall, per channel, per owner, and the time
/// customers spend in each stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Funnel {
    /// Every customer in the window.
    pub overall: FunnelCounts,
    /// One funnel per channel, customers without a channel first (key `null`), then by id.
    pub by_channel: Vec<FunnelCounts>,
    /// One funnel per owner, unowned customers first (key `null`), then by id.
    pub by_owner: Vec<FunnelCounts>,
    /// Time in each stage, in stage order.
    pub time_in_stage: Vec<StageTime>,
}

impl Funnel {
    /// Computes the funnel of `journeys` under `options`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) for invalid options (no stages, a
    /// stage twice, an unknown timezone) or journeys (an empty customer id, a customer twice).
    ///
    /// ```
    /// use scrm_core::{AnalyticsOptions, Funnel, StageEntry, StageJourney};
    ///
    /// let at = |d: &str| d.parse().unwrap();
    /// let journey = |id: &str, stages: &[&str]| {
    ///     let mut j = StageJourney::new(id, at("2026-03-01T00:00:00Z"));
    ///     for s in stages {
    ///         j.stages.push(StageEntry { stage: s.to_string(), at: at("2026-03-02T00:00:00Z") });
    ///     }
    ///     j
    /// };
    /// let journeys = [journey("a", &["lead"]), journey("b", &["lead", "sql"]), journey("c", &["sql"])];
    /// let funnel = Funnel::compute(&journeys, &AnalyticsOptions::new(["lead", "mql", "sql"]))?;
    /// let counts: Vec<u64> = funnel.overall.stages.iter().map(|s| s.count).collect();
    /// assert_eq!(counts, [3, 2, 2]); // c jumped to sql: it passed lead and mql
    /// assert_eq!(funnel.overall.conversions[0].rate.unwrap().to_string(), "0.6667");
    /// # Ok::<(), scrm_core::Error>(())
    /// ```
    pub fn compute(journeys: &[StageJourney], options: &AnalyticsOptions) -> Result<Funnel> {
        let compiled = options.compile()?;
        check_journeys(journeys)?;
        let stage_count = options.stages.len();
        let mut overall = Tally::new(stage_count);
        let mut by_channel: BTreeMap<Option<&str>, Tally> = BTreeMap::new();
        let mut by_owner: BTreeMap<Option<&str>, Tally> = BTreeMap::new();
        let mut in_window = Vec::with_capacity(journeys.len());
        for j in journeys.iter().filter(|j| compiled.in_window(j.created_at)) {
            in_window.push(j);
            let furthest = compiled.furthest(j);
            overall.add(furthest);
            by_channel
                .entry(j.channel.as_deref())
                .or_insert_with(|| Tally::new(stage_count))
                .add(furthest);
            by_owner
                .entry(j.owner.as_deref())
                .or_insert_with(|| Tally::new(stage_count))
                .add(furthest);
        }
        let groups = |map: BTreeMap<Option<&str>, Tally>| {
            map.into_iter()
                .map(|(key, tally)| tally.counts(key.map(str::to_owned), &options.stages))
                .collect()
        };
        Ok(Funnel {
            overall: overall.counts(None, &options.stages),
            by_channel: groups(by_channel),
            by_owner: groups(by_owner),
            time_in_stage: time_in_stage(&in_window, &options.stages, &compiled),
        })
    }
}

/// Customers per furthest stage, turned into cumulative counts at the end.
struct Tally {
    journeys: u64,
    unstaged: u64,
    /// `furthest[i]`: customers whose furthest stage is `i`.
    furthest: Vec<u64>,
}

impl Tally {
    fn new(stages: usize) -> Tally {
        Tally {
            journeys: 0,
            unstaged: 0,
            furthest: vec![0; stages],
        }
    }

    fn add(&mut self, furthest: Option<usize>) {
        self.journeys += 1;
        match furthest.and_then(|i| self.furthest.get_mut(i)) {
            Some(slot) => *slot += 1,
            None => self.unstaged += 1,
        }
    }

    fn counts(&self, key: Option<String>, stages: &[String]) -> FunnelCounts {
        // Reached i = furthest stage >= i: a suffix sum. Counts are at most `journeys`, a u64.
        let mut reached = vec![0u64; self.furthest.len()];
        let mut running = 0u64;
        for (slot, n) in reached.iter_mut().zip(&self.furthest).rev() {
            running += n;
            *slot = running;
        }
        let counts: Vec<StageCount> = stages
            .iter()
            .zip(&reached)
            .map(|(stage, &count)| StageCount {
                stage: stage.clone(),
                count,
            })
            .collect();
        let conversions = counts
            .windows(2)
            .filter_map(|pair| match pair {
                [a, b] => Some(Conversion {
                    from: a.stage.clone(),
                    to: b.stage.clone(),
                    rate: Rate::of(b.count, a.count),
                }),
                _ => None,
            })
            .collect();
        let overall = match (reached.first(), reached.last()) {
            (Some(&first), Some(&last)) => Rate::of(last, first),
            _ => None,
        };
        FunnelCounts {
            key,
            journeys: self.journeys,
            unstaged: self.unstaged,
            stages: counts,
            conversions,
            overall,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{StageEntry, StageJourney};
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn journey(id: &str, channel: Option<&str>, stages: &[(&str, &str)]) -> StageJourney {
        let mut j = StageJourney::new(id, at("2026-03-01T00:00:00Z"));
        j.channel = channel.map(str::to_owned);
        j.stages = stages
            .iter()
            .map(|(s, t)| StageEntry {
                stage: (*s).into(),
                at: at(t),
            })
            .collect();
        j
    }

    #[test]
    fn later_stages_count_as_passing_earlier_ones() {
        let journeys = [
            journey("a", Some("douyin"), &[("lead", "2026-03-01T00:00:00Z")]),
            journey(
                "b",
                Some("douyin"),
                &[
                    ("lead", "2026-03-01T00:00:00Z"),
                    ("customer", "2026-03-03T00:00:00Z"),
                    ("churned", "2026-03-09T00:00:00Z"),
                ],
            ),
            journey("c", None, &[("mql", "2026-03-02T00:00:00Z")]),
            journey("d", Some("wecom"), &[("dormant", "2026-03-02T00:00:00Z")]),
        ];
        let options = AnalyticsOptions::new(["lead", "mql", "customer"]);
        let f = Funnel::compute(&journeys, &options).unwrap();
        let counts: Vec<u64> = f.overall.stages.iter().map(|s| s.count).collect();
        assert_eq!(counts, [3, 2, 1]);
        assert_eq!(f.overall.unstaged, 1);
        assert_eq!(f.overall.journeys, 4);
        assert_eq!(f.overall.overall.unwrap().to_string(), "0.3333");
        let keys: Vec<_> = f.by_channel.iter().map(|g| g.key.clone()).collect();
        assert_eq!(keys, [None, Some("douyin".into()), Some("wecom".into())]);
        let douyin: Vec<u64> = f.by_channel[1].stages.iter().map(|s| s.count).collect();
        assert_eq!(douyin, [2, 1, 1]);
        assert_eq!(f.by_channel[2].overall, None);
        assert_eq!(f.by_owner.len(), 1);
    }

    #[test]
    fn the_window_selects_by_creation_time() {
        let mut early = journey("a", None, &[("lead", "2026-03-01T00:00:00Z")]);
        early.created_at = at("2026-02-28T23:59:59Z");
        let late = journey("b", None, &[("lead", "2026-03-01T00:00:00Z")]);
        let mut options = AnalyticsOptions::new(["lead"]);
        options.created_from = Some(at("2026-03-01T00:00:00Z"));
        let f = Funnel::compute(&[early, late], &options).unwrap();
        assert_eq!(f.overall.journeys, 1);
    }
}
