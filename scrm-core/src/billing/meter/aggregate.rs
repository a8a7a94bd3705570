//! The running value of one meter for one customer and period.
//!
//! Every aggregate is a function of the *set* of distinct events, not of their order: counts and
//! sums add, max takes the larger, latest and unique count pick by (time, event id), and the
//! time-weighted sum is linear in its events (see [`Aggregate::WeightedSum`]). That is what makes
//! any split of a stream into batches, and any merge of states, give the same values.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::Aggregation;
use crate::billing::exact;
use crate::billing::period::Period;
use crate::error::Result;

/// What one event gives one meter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Input {
    /// A count meter: the event itself.
    Count,
    /// A numeric property.
    Number(Decimal),
    /// A unique-count value (interned) and whether it is added.
    Unique { key: u32, add: bool },
}

/// A mark that orders events: later time wins, then the greater id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mark {
    at: DateTime<Utc>,
    id: Box<str>,
}

impl Mark {
    fn beats(&self, at: DateTime<Utc>, id: &str) -> bool {
        (self.at, &*self.id) > (at, id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Aggregate {
    Count(u64),
    Sum(Decimal),
    Max(Option<Decimal>),
    Latest(Option<(Mark, Decimal)>),
    Unique(HashMap<u32, (Mark, bool)>),
    /// Each event adds `delta` at time `t`; the running total's average over the period is
    /// `Σ delta × (end − t) / (end − start)` = `deltas − weighted / seconds`, where `deltas` is
    /// `Σ delta` and `weighted` is `Σ delta × (t − start)` in seconds. Both sums are exact; the
    /// one division happens when the value is read.
    WeightedSum {
        deltas: Decimal,
        weighted: Decimal,
    },
}

/// A change computed before any aggregate is touched, so an event that fails on one meter
/// changes none (an event is metered whole or not at all).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Prepared {
    Count,
    Sum(Decimal),
    Max(Decimal),
    Latest(Decimal),
    Unique { key: u32, add: bool },
    WeightedSum { deltas: Decimal, weighted: Decimal },
}

impl Aggregate {
    pub fn new(aggregation: Aggregation) -> Aggregate {
        match aggregation {
            Aggregation::Count => Aggregate::Count(0),
            Aggregation::Sum => Aggregate::Sum(Decimal::ZERO),
            Aggregation::Max => Aggregate::Max(None),
            Aggregation::Latest => Aggregate::Latest(None),
            Aggregation::UniqueCount => Aggregate::Unique(HashMap::new()),
            Aggregation::WeightedSum => Aggregate::WeightedSum {
                deltas: Decimal::ZERO,
                weighted: Decimal::ZERO,
            },
        }
    }

    /// The change `input` at `at` would make; an error at `properties.<field>` when a sum
    /// overflows.
    pub fn prepare(
        &self,
        input: Input,
        at: DateTime<Utc>,
        period: &Period,
        field: &str,
    ) -> Result<Prepared> {
        self.prepare_unlocated(input, at, period).map_err(|e| {
            let problems = e
                .problems()
                .iter()
                .map(|p| {
                    crate::error::Problem::new(format!("properties.{field}"), p.message.clone())
                })
                .collect();
            crate::error::Error::with_problems(e.kind(), problems)
        })
    }

    fn prepare_unlocated(
        &self,
        input: Input,
        at: DateTime<Utc>,
        period: &Period,
    ) -> Result<Prepared> {
        let path = "";
        Ok(match (self, input) {
            (Aggregate::Sum(total), Input::Number(v)) => {
                Prepared::Sum(exact::add(*total, v, path)?)
            }
            (Aggregate::Max(_), Input::Number(v)) => Prepared::Max(v),
            (Aggregate::Latest(_), Input::Number(v)) => Prepared::Latest(v),
            (Aggregate::Unique(_), Input::Unique { key, add }) => Prepared::Unique { key, add },
            (Aggregate::WeightedSum { deltas, weighted }, Input::Number(v)) => {
                let since = at - period.start();
                let nanos = i128::from(since.num_seconds()) * 1_000_000_000
                    + i128::from(since.subsec_nanos());
                let seconds = Decimal::try_from_i128_with_scale(nanos, 9)
                    .map(|s| s.normalize())
                    .unwrap_or(Decimal::MAX);
                Prepared::WeightedSum {
                    deltas: exact::add(*deltas, v, path)?,
                    weighted: exact::add(*weighted, exact::mul(v, seconds, path)?, path)?,
                }
            }
            // Count, and any input the meter's kind does not read (cannot happen: inputs are
            // built from the meter), count the event.
            _ => Prepared::Count,
        })
    }

    /// Applies a prepared change of the event `id` at `at`.
    pub fn commit(&mut self, change: Prepared, at: DateTime<Utc>, id: &str) {
        match (self, change) {
            (Aggregate::Count(n), Prepared::Count) => *n = n.saturating_add(1),
            (Aggregate::Sum(total), Prepared::Sum(new)) => *total = new,
            (Aggregate::Max(max), Prepared::Max(v)) if max.is_none_or(|m| v > m) => {
                *max = Some(v);
            }
            (Aggregate::Latest(latest), Prepared::Latest(v))
                if latest.as_ref().is_none_or(|(m, _)| !m.beats(at, id)) =>
            {
                *latest = Some((mark(at, id), v));
            }
            (Aggregate::Unique(values), Prepared::Unique { key, add }) => {
                let keep = values.get(&key).is_some_and(|(m, _)| m.beats(at, id));
                if !keep {
                    values.insert(key, (mark(at, id), add));
                }
            }
            (
                Aggregate::WeightedSum { deltas, weighted },
                Prepared::WeightedSum {
                    deltas: d,
                    weighted: w,
                },
            ) => {
                *deltas = d;
                *weighted = w;
            }
            _ => {}
        }
    }

    /// The value for the period.
    pub fn value(&self, period: &Period, path: &str) -> Result<Decimal> {
        Ok(match self {
            Aggregate::Count(n) => Decimal::from(*n),
            Aggregate::Sum(total) => *total,
            Aggregate::Max(max) => max.unwrap_or(Decimal::ZERO),
            Aggregate::Latest(latest) => latest.as_ref().map_or(Decimal::ZERO, |(_, v)| *v),
            Aggregate::Unique(values) => {
                Decimal::from(values.values().filter(|(_, add)| *add).count())
            }
            Aggregate::WeightedSum { deltas, weighted } => {
                // Σ delta × (end − t) = deltas × seconds − weighted, exact; one division.
                let seconds = Decimal::from(period.seconds());
                let area = exact::sub(exact::mul(*deltas, seconds, path)?, *weighted, path)?;
                exact::div(area, seconds, path)?
            }
        }
        .normalize())
    }
}

fn mark(at: DateTime<Utc>, id: &str) -> Mark {
    Mark { at, id: id.into() }
}
