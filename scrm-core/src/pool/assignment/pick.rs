//! Picking one employee among a route's candidates: availability, backup chains and the three
//! turn strategies.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::super::employee::Member;
use super::super::{EmployeeStatus, Team};
use super::{AssignState, Router};
use crate::error::{Error, ErrorKind, Result};
use crate::playbook::RouteStrategy;

/// Why an employee could not take a new customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Unavailable {
    /// The route names an employee who is not in the team given.
    NotInTeam,
    /// On leave.
    OnLeave,
    /// Resigned.
    Resigned,
    /// Outside their working hours.
    OffHours {
        /// The working hours, e.g. `Mon–Fri 09:00–18:00`.
        hours: String,
    },
    /// Took their daily number of new customers.
    DailyLimit {
        /// Added today.
        added_today: u32,
        /// The daily add limit.
        limit: u32,
    },
    /// Holds as many customers as they may.
    Capacity {
        /// Held.
        held: u32,
        /// The capacity.
        capacity: u32,
    },
}

impl Unavailable {
    /// A few words for a reason: `off hours (Mon–Fri 09:00–18:00)`.
    pub fn describe(&self) -> String {
        match self {
            Unavailable::NotInTeam => "not in the team".to_owned(),
            Unavailable::OnLeave => "on leave".to_owned(),
            Unavailable::Resigned => "resigned".to_owned(),
            Unavailable::OffHours { hours } => format!("off hours ({hours})"),
            Unavailable::DailyLimit { added_today, limit } => {
                format!("at the daily add limit ({added_today} of {limit})")
            }
            Unavailable::Capacity { held, capacity } => {
                format!("at capacity ({held} of {capacity})")
            }
        }
    }
}

/// An employee passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Skip {
    /// The employee.
    pub employee_id: String,
    /// Why they could not take the customer.
    #[serde(flatten)]
    pub why: Unavailable,
}

/// How the employee whose turn it was got picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pick {
    RoundRobin,
    Weighted { weight: u32, total: u32 },
    LeastLoaded { held: u32 },
}

/// One candidate of a route: its team position and who takes the customer for them.
struct Candidate {
    /// Position in the team; `None`: not in the team.
    member: Option<usize>,
    /// The employee who takes a customer on this candidate's turn: the candidate, else the first
    /// available backup (depth first).
    taker: Option<usize>,
    /// Who was passed over on the way to the taker.
    skips: Vec<(String, Unavailable)>,
}

/// The outcome of a pick among candidates.
pub(crate) struct Picked {
    pub(crate) turn_of: Option<String>,
    pub(crate) taker: Option<usize>,
    pub(crate) pick: Option<Pick>,
    pub(crate) skips: Vec<Skip>,
}

impl Router {
    fn availability(&self, m: &Member, local: NaiveDateTime) -> Option<Unavailable> {
        let e = &m.employee;
        match e.status {
            EmployeeStatus::Resigned => return Some(Unavailable::Resigned),
            EmployeeStatus::OnLeave => return Some(Unavailable::OnLeave),
            _ => {}
        }
        if let Some(hours) = m.hours.as_ref().or(self.hours.as_ref()) {
            if !hours.contains(local) {
                return Some(Unavailable::OffHours {
                    hours: hours.describe(),
                });
            }
        }
        if let Some(limit) = e.daily_add_limit.or(self.daily_add_limit) {
            if e.added_today >= limit {
                return Some(Unavailable::DailyLimit {
                    added_today: e.added_today,
                    limit,
                });
            }
        }
        if let Some(capacity) = e.capacity.or(self.capacity) {
            if e.held >= capacity {
                return Some(Unavailable::Capacity {
                    held: e.held,
                    capacity,
                });
            }
        }
        None
    }

    /// The candidate and, when they cannot take it, their backups depth first (each employee
    /// once), until one can.
    fn resolve(&self, team: &Team, id: &str, local: NaiveDateTime) -> Candidate {
        let Some(start) = team.position(id) else {
            return Candidate {
                member: None,
                taker: None,
                skips: vec![(id.to_owned(), Unavailable::NotInTeam)],
            };
        };
        let mut skips = Vec::new();
        let mut visited = vec![start];
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            let member = team.member(i);
            match self.availability(member, local) {
                None => {
                    return Candidate {
                        member: Some(start),
                        taker: Some(i),
                        skips,
                    };
                }
                Some(why) => skips.push((member.employee.id.clone(), why)),
            }
            for &b in member.backups.iter().rev() {
                if !visited.contains(&b) {
                    visited.push(b);
                    stack.push(b);
                }
            }
        }
        Candidate {
            member: Some(start),
            taker: None,
            skips,
        }
    }

    /// Picks among `ids` with `strategy`, updating the turn under `key` in `state`.
    pub(crate) fn pick(
        &self,
        team: &Team,
        ids: &[String],
        strategy: RouteStrategy,
        key: &str,
        state: &mut AssignState,
        local: NaiveDateTime,
    ) -> Result<Picked> {
        let candidates: Vec<Candidate> =
            ids.iter().map(|id| self.resolve(team, id, local)).collect();
        let order = match strategy {
            RouteStrategy::LeastLoaded => least_loaded_order(team, &candidates),
            RouteStrategy::Weighted => return weighted(team, ids, &candidates, key, state),
            _ => round_robin_order(ids, state.last_turn.get(key)),
        };
        let mut skips = Vec::new();
        for &c in &order {
            let candidate = &candidates[c];
            skips.extend(candidate.skips.iter().map(to_skip));
            if let Some(taker) = candidate.taker {
                if strategy != RouteStrategy::LeastLoaded {
                    state.last_turn.insert(key.to_owned(), ids[c].clone());
                }
                let pick = match (strategy, candidate.member) {
                    (RouteStrategy::LeastLoaded, Some(m)) => Pick::LeastLoaded {
                        held: team.member(m).employee.held,
                    },
                    _ => Pick::RoundRobin,
                };
                return Ok(Picked {
                    turn_of: Some(ids[c].clone()),
                    taker: Some(taker),
                    pick: Some(pick),
                    skips,
                });
            }
        }
        Ok(nobody(skips))
    }
}

fn to_skip((employee_id, why): &(String, Unavailable)) -> Skip {
    Skip {
        employee_id: employee_id.clone(),
        why: why.clone(),
    }
}

fn nobody(skips: Vec<Skip>) -> Picked {
    Picked {
        turn_of: None,
        taker: None,
        pick: None,
        skips,
    }
}

/// The list rotated to start after the employee who had the last turn.
fn round_robin_order(ids: &[String], last: Option<&String>) -> Vec<usize> {
    let start = last
        .and_then(|l| ids.iter().position(|id| id == l))
        .map_or(0, |p| p + 1);
    (0..ids.len()).map(|k| (start + k) % ids.len()).collect()
}

/// Fewest customers held first; ties: fewer added today, then list order. Employees not in the
/// team sort last.
fn least_loaded_order(team: &Team, candidates: &[Candidate]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..candidates.len()).collect();
    order.sort_by_key(|&c| match candidates[c].member {
        Some(m) => {
            let e = &team.member(m).employee;
            (0, e.held, e.added_today, c)
        }
        None => (1, 0, 0, c),
    });
    order
}

/// Smooth weighted round-robin (as nginx): among the candidates someone can take a customer for,
/// each gains its weight; the highest (ties: list order) has the turn and loses the total.
fn weighted(
    team: &Team,
    ids: &[String],
    candidates: &[Candidate],
    key: &str,
    state: &mut AssignState,
) -> Result<Picked> {
    let weight = |c: &Candidate| c.member.map_or(0, |m| team.member(m).employee.weight);
    let current = state.weights.entry(key.to_owned()).or_default();
    current.retain(|id, _| ids.contains(id));
    let mut total = 0u32;
    let mut best: Option<(usize, i64)> = None;
    for (c, candidate) in candidates.iter().enumerate() {
        if candidate.taker.is_none() {
            continue;
        }
        let w = weight(candidate);
        total = total.saturating_add(w);
        let slot = current.entry(ids[c].clone()).or_insert(0);
        *slot = slot.checked_add(i64::from(w)).ok_or_else(overflow)?;
        if best.is_none_or(|(_, v)| *slot > v) {
            best = Some((c, *slot));
        }
    }
    let skips: Vec<Skip> = candidates
        .iter()
        .filter(|c| c.taker.is_none())
        .flat_map(|c| c.skips.iter().map(to_skip))
        .collect();
    let Some((chosen, _)) = best else {
        return Ok(nobody(skips));
    };
    if let Some(slot) = current.get_mut(&ids[chosen]) {
        *slot = slot.checked_sub(i64::from(total)).ok_or_else(overflow)?;
    }
    let candidate = &candidates[chosen];
    let mut skips = skips;
    skips.extend(candidate.skips.iter().map(to_skip));
    Ok(Picked {
        turn_of: Some(ids[chosen].clone()),
        taker: candidate.taker,
        pick: Some(Pick::Weighted {
            weight: weight(candidate),
            total,
        }),
        skips,
    })
}

fn overflow() -> Error {
    Error::at(
        ErrorKind::Validation,
        "state.weights",
        "a current weight is out of range; start from an empty state",
    )
}
