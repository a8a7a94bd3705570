//! The status of each transfer at `now`: [`TransferRules::statuses`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::ser::SerializeMap;

use super::{TransferRecord, TransferRules, refusal_window};
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::pool::Employee;

/// Where a transfer stands (WeCom's result codes 1 to 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransferStatus {
    /// Taken over (接替完毕).
    Done,
    /// Within the 24 hours the customer may refuse (等待接替).
    Waiting,
    /// The customer refused (客户拒绝).
    Refused,
    /// The takeover employee held as many customers as the platform allows (接替成员客户达到上限).
    TakerAtLimit,
    /// The customer and the handover were no longer connected (无接替记录).
    NoRelation,
}

impl TransferStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TransferStatus::Done => "done",
            TransferStatus::Waiting => "waiting",
            TransferStatus::Refused => "refused",
            TransferStatus::TakerAtLimit => "taker_at_limit",
            TransferStatus::NoRelation => "no_relation",
        }
    }

    /// Whether the customer moved or will move: the statuses that count toward the customer's
    /// transfers in the window.
    pub fn counts(self) -> bool {
        matches!(self, TransferStatus::Done | TransferStatus::Waiting)
    }
}

/// The status of one transfer at `now`, with when it got there.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TransferOutcome {
    /// The customer.
    pub customer_id: String,
    /// The employee handing over.
    pub handover: String,
    /// The employee taking over.
    pub takeover: String,
    /// When the transfer started.
    pub started_at: DateTime<Utc>,
    /// When the takeover is (or was) automatic: 24 h after the start.
    pub completes_at: DateTime<Utc>,
    /// The status.
    pub status: TransferStatus,
    /// When the status was reached (the refusal, the end of the relation, the takeover); `None`
    /// while waiting.
    pub at: Option<DateTime<Utc>>,
    /// For `taker_at_limit`: the customers the takeover held, and the limit.
    pub taker_held: Option<(u32, u32)>,
}

fn time(t: &DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

impl TransferOutcome {
    /// Why, in a sentence.
    pub fn reason(&self) -> String {
        let at = self.at.as_ref().map(time).unwrap_or_default();
        match self.status {
            TransferStatus::Done => format!(
                "{} took the customer over at {at}, 24 h after the transfer started",
                self.takeover
            ),
            TransferStatus::Waiting => format!(
                "waiting: the customer may refuse until {}; then {} takes over",
                time(&self.completes_at),
                self.takeover
            ),
            TransferStatus::Refused => {
                format!("the customer refused at {at}, within 24 h of the start")
            }
            TransferStatus::TakerAtLimit => {
                let (held, limit) = self.taker_held.unwrap_or_default();
                format!(
                    "{} held {held} customers at {at}, the limit of {limit}; the customer stays \
                     with {}",
                    self.takeover, self.handover
                )
            }
            TransferStatus::NoRelation => format!(
                "the customer and {} were no longer connected at {at}, before the takeover",
                self.handover
            ),
        }
    }
}

impl TransferRules {
    /// The status of each record at `now`, in input order.
    ///
    /// Rules: facts dated after `now` are not known yet. The relation ending before the takeover
    /// gives `no_relation`; a refusal within 24 h of the start gives `refused` (of the two, the
    /// earlier wins; a tie is `no_relation`). Otherwise the transfer waits until 24 h after its
    /// start, then completes. Completions are replayed in time order (ties: customer id) against
    /// the takeover's customers: with `transfer.taker_limit` set and the takeover in `takers`
    /// (its `held` not counting these transfers), a takeover at the limit gives `taker_at_limit`;
    /// otherwise `done`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for a refusal before its transfer started, or a start too late
    /// to add 24 h to; every such problem is listed with its path (`records[3].refused_at`).
    pub fn statuses(
        &self,
        records: &[TransferRecord],
        takers: &[Employee],
        now: DateTime<Utc>,
    ) -> Result<Vec<TransferOutcome>> {
        let mut problems = Vec::new();
        let mut outcomes = Vec::with_capacity(records.len());
        let mut completing = Vec::new();
        for (i, r) in records.iter().enumerate() {
            let Some(completes_at) = r.started_at.checked_add_signed(refusal_window()) else {
                problems.push(Problem::new(
                    format!("records[{i}].started_at"),
                    format!("{} is too late to add 24 h to", r.started_at),
                ));
                continue;
            };
            if r.refused_at.is_some_and(|t| t < r.started_at) {
                problems.push(Problem::new(
                    format!("records[{i}].refused_at"),
                    format!(
                        "the customer cannot refuse at {} before the transfer started at {}",
                        time(&r.refused_at.unwrap_or(r.started_at)),
                        time(&r.started_at)
                    ),
                ));
                continue;
            }
            let lost = r
                .relation_ended_at
                .filter(|t| *t <= now && *t <= completes_at);
            let refused = r.refused_at.filter(|t| *t <= now && *t < completes_at);
            let (status, at) = match (lost, refused) {
                (Some(l), Some(f)) if f < l => (TransferStatus::Refused, Some(f)),
                (Some(l), _) => (TransferStatus::NoRelation, Some(l)),
                (None, Some(f)) => (TransferStatus::Refused, Some(f)),
                (None, None) if now < completes_at => (TransferStatus::Waiting, None),
                (None, None) => {
                    completing.push(i);
                    (TransferStatus::Done, Some(completes_at))
                }
            };
            outcomes.push(TransferOutcome {
                customer_id: r.customer_id.clone(),
                handover: r.handover.clone(),
                takeover: r.takeover.clone(),
                started_at: r.started_at,
                completes_at,
                status,
                at,
                taker_held: None,
            });
        }
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        if let Some(limit) = self.taker_limit {
            replay_completions(&mut outcomes, &completing, takers, limit);
        }
        Ok(outcomes)
    }
}

/// Completes the due transfers in time order, each adding a customer to its takeover, refusing
/// those that would find the takeover at `limit`.
fn replay_completions(
    outcomes: &mut [TransferOutcome],
    completing: &[usize],
    takers: &[Employee],
    limit: u32,
) {
    let mut held: HashMap<&str, u32> = takers.iter().map(|e| (e.id.as_str(), e.held)).collect();
    let mut order = completing.to_vec();
    order.sort_by(|&a, &b| {
        let (x, y) = (&outcomes[a], &outcomes[b]);
        (x.completes_at, &x.customer_id, a).cmp(&(y.completes_at, &y.customer_id, b))
    });
    for i in order {
        let takeover = outcomes[i].takeover.clone();
        let Some(count) = held.get_mut(takeover.as_str()) else {
            continue; // not listed: no count to check
        };
        if *count >= limit {
            outcomes[i].status = TransferStatus::TakerAtLimit;
            outcomes[i].taker_held = Some((*count, limit));
        } else {
            *count = count.saturating_add(1);
        }
    }
}

/// `{customer_id, handover, takeover, started_at, completes_at, status, at?, taker_held?,
/// taker_limit?, reason}`.
impl Serialize for TransferOutcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("customer_id", &self.customer_id)?;
        map.serialize_entry("handover", &self.handover)?;
        map.serialize_entry("takeover", &self.takeover)?;
        map.serialize_entry("started_at", &self.started_at)?;
        map.serialize_entry("completes_at", &self.completes_at)?;
        map.serialize_entry("status", &self.status)?;
        if let Some(at) = &self.at {
            map.serialize_entry("at", at)?;
        }
        if let Some((held, limit)) = self.taker_held {
            map.serialize_entry("taker_held", &held)?;
            map.serialize_entry("taker_limit", &limit)?;
        }
        map.serialize_entry("reason", &self.reason())?;
        map.end()
    }
}
