//! Assignment (分配): which employee a new customer goes to. A channel code (渠道活码) chooses a
//! route; the route's strategy picks an employee; an employee who is away, off hours or at a
//! limit hands over to their backups.

mod pick;
mod state;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};

use super::Team;
use super::hours::Hours;
use crate::error::{Error, ErrorKind, Result};
use crate::playbook::{Playbook, RouteStrategy};

use pick::Pick;
pub use pick::{Skip, Unavailable};
pub use state::AssignState;

/// A new customer to assign, with what routes and rules read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Lead {
    /// The customer id.
    pub customer_id: String,
    /// The channel code scanned (the `state` of a contact-me link), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_code: Option<String>,
    /// The channel id (from the playbook's `channels`) the customer came through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    /// The customer's region (e.g. `上海`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Tag ids the customer carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl Lead {
    /// A lead with nothing but its id; set the fields that apply.
    pub fn new(customer_id: &str) -> Lead {
        Lead {
            customer_id: customer_id.to_owned(),
            channel_code: None,
            channel: None,
            region: None,
            tags: Vec::new(),
        }
    }
}

/// Who a new customer goes to, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AssignmentDecision {
    /// The customer.
    pub customer_id: String,
    /// The employee the customer goes to; `None`: nobody could take it (it stays in the pool).
    pub employee_id: Option<String>,
    /// The route used; `None`: no route serves the customer's channel code.
    pub route: Option<String>,
    /// The channel code that chose the route; `None` when the default route was used.
    pub channel_code: Option<String>,
    /// `rule_based` routes: the rule that matched (`None`: no rule matched).
    pub rule: Option<String>,
    /// The strategy that picked the employee.
    pub strategy: Option<RouteStrategy>,
    /// Whose turn it was; differs from `employee_id` when a backup took the customer.
    pub turn_of: Option<String>,
    /// Employees passed over, with why, in the order they were considered.
    pub skipped: Vec<Skip>,
    /// Set when the lead has a channel code no route lists.
    unknown_code: Option<String>,
    pick: Option<Pick>,
    matched: Vec<String>,
    rule_based: bool,
}

struct CompiledRoute {
    id: String,
    strategy: RouteStrategy,
    employees: Vec<String>,
    rules: Vec<CompiledRule>,
    then: RouteStrategy,
}

struct CompiledRule {
    id: String,
    regions: Vec<String>,
    channels: Vec<String>,
    tags: Vec<String>,
    employees: Vec<String>,
}

impl CompiledRule {
    /// What of the lead matched, for the reason; `None` when the rule does not match. A lead
    /// without a region (or channel) fails a rule that names regions (channels).
    fn matches(&self, lead: &Lead) -> Option<Vec<String>> {
        let mut matched = Vec::new();
        if !self.regions.is_empty() {
            let region = lead.region.as_ref().filter(|r| self.regions.contains(r))?;
            matched.push(format!("region {region}"));
        }
        if !self.channels.is_empty() {
            let channel = lead
                .channel
                .as_ref()
                .filter(|c| self.channels.contains(c))?;
            matched.push(format!("channel {channel}"));
        }
        if !self.tags.is_empty() {
            let tag = lead.tags.iter().find(|t| self.tags.contains(t))?;
            matched.push(format!("tag {tag}"));
        }
        Some(matched)
    }
}

/// The assignment section of a playbook, compiled: routes by channel code, limits, hours.
pub struct Router {
    tz: Tz,
    routes: Vec<CompiledRoute>,
    by_code: HashMap<String, usize>,
    default_route: Option<usize>,
    daily_add_limit: Option<u32>,
    capacity: Option<u32>,
    hours: Option<Hours>,
}

impl Router {
    /// Compiles the assignment section of `playbook` (and `pool.capacity`, which limits
    /// assignment too).
    pub fn new(playbook: &Playbook) -> Result<Router> {
        let section = playbook.assignment();
        let hours = match section.working_hours.as_slice() {
            [] => None,
            windows => Some(Hours::compile(windows, "assignment.working_hours")?),
        };
        let routes: Vec<CompiledRoute> = section
            .routes
            .iter()
            .map(|r| CompiledRoute {
                id: r.id.clone(),
                strategy: r.strategy,
                employees: r.employees.clone(),
                rules: r
                    .rules
                    .iter()
                    .map(|rule| CompiledRule {
                        id: rule.id.clone(),
                        regions: rule.regions.clone(),
                        channels: rule.channels.clone(),
                        tags: rule.tags.clone(),
                        employees: rule.employees.clone(),
                    })
                    .collect(),
                then: r.then.unwrap_or(RouteStrategy::RoundRobin),
            })
            .collect();
        let by_code = section
            .routes
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.channel_codes.iter().map(move |c| (c.clone(), i)))
            .collect();
        let default_route = match &section.default_route {
            Some(id) => Some(routes.iter().position(|r| &r.id == id).ok_or_else(|| {
                Error::at(
                    ErrorKind::Validation,
                    "assignment.default_route",
                    format!("no route has the id {id:?}"),
                )
            })?),
            None => None,
        };
        Ok(Router {
            tz: playbook.timezone(),
            routes,
            by_code,
            default_route,
            daily_add_limit: section.daily_add_limit,
            capacity: playbook.pool().capacity,
            hours,
        })
    }

    /// Assigns one new customer at `now`: chooses the route by channel code (else the default
    /// route), lets the route's strategy pick whose turn it is, and, when that employee is away,
    /// off hours, at their daily add limit or at capacity, walks their backups. The taker's
    /// `added_today` and `held` go up by one in `team`; the turn is recorded in `state`.
    ///
    /// Deterministic: the same playbook, team, state, lead and `now` give the same decision.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when a counter would overflow or `state` holds an out-of-range
    /// weight.
    pub fn assign(
        &self,
        lead: &Lead,
        team: &mut Team,
        state: &mut AssignState,
        now: DateTime<Utc>,
    ) -> Result<AssignmentDecision> {
        let mut decision = AssignmentDecision {
            customer_id: lead.customer_id.clone(),
            employee_id: None,
            route: None,
            channel_code: None,
            rule: None,
            strategy: None,
            turn_of: None,
            skipped: Vec::new(),
            unknown_code: None,
            pick: None,
            matched: Vec::new(),
            rule_based: false,
        };
        let by_code = lead
            .channel_code
            .as_ref()
            .and_then(|c| self.by_code.get(c).map(|&r| (r, c)));
        let route = match by_code {
            Some((r, code)) => {
                decision.channel_code = Some(code.clone());
                r
            }
            None => {
                decision.unknown_code = lead.channel_code.clone();
                match self.default_route {
                    Some(r) => r,
                    None => return Ok(decision),
                }
            }
        };
        let Some(route) = self.routes.get(route) else {
            return Ok(decision);
        };
        decision.route = Some(route.id.clone());
        decision.rule_based = route.strategy == RouteStrategy::RuleBased;
        let (employees, strategy, key) = if route.strategy == RouteStrategy::RuleBased {
            match route
                .rules
                .iter()
                .find_map(|rule| rule.matches(lead).map(|m| (rule, m)))
            {
                Some((rule, matched)) => {
                    decision.rule = Some(rule.id.clone());
                    decision.matched = matched;
                    (
                        &rule.employees,
                        route.then,
                        format!("{}/{}", route.id, rule.id),
                    )
                }
                None => (&route.employees, route.then, route.id.clone()),
            }
        } else {
            (&route.employees, route.strategy, route.id.clone())
        };
        decision.strategy = Some(strategy);
        let local = now.with_timezone(&self.tz).naive_local();
        let picked = self.pick(team, employees, strategy, &key, state, local)?;
        decision.turn_of = picked.turn_of;
        decision.pick = picked.pick;
        decision.skipped = picked.skips;
        if let Some(taker) = picked.taker {
            let e = &mut team.member_mut(taker).employee;
            let overflow = || {
                Error::at(
                    ErrorKind::Validation,
                    format!("employees.{}", e.id),
                    "a counter is at its largest value",
                )
            };
            let added = e.added_today.checked_add(1).ok_or_else(overflow)?;
            let held = e.held.checked_add(1).ok_or_else(overflow)?;
            e.added_today = added;
            e.held = held;
            decision.employee_id = Some(e.id.clone());
        }
        Ok(decision)
    }

    /// Assigns `leads` in order, each seeing the counters and turns the ones before it left.
    pub fn assign_all(
        &self,
        leads: &[Lead],
        team: &mut Team,
        state: &mut AssignState,
        now: DateTime<Utc>,
    ) -> Result<Vec<AssignmentDecision>> {
        leads
            .iter()
            .map(|lead| self.assign(lead, team, state, now))
            .collect()
    }
}

impl AssignmentDecision {
    /// Why, in a sentence.
    pub fn reason(&self) -> String {
        let Some(route) = &self.route else {
            return match &self.unknown_code {
                Some(code) => format!(
                    "no route serves channel code {code:?} and there is no default route; the \
                     customer stays in the pool"
                ),
                None => "the customer has no channel code and there is no default route; the \
                         customer stays in the pool"
                    .to_owned(),
            };
        };
        let mut text = format!("route {route}");
        match (&self.channel_code, &self.unknown_code) {
            (Some(code), _) => text.push_str(&format!(" (channel code {code})")),
            (None, Some(code)) => text.push_str(&format!(
                " (default route; no route serves channel code {code})"
            )),
            (None, None) => text.push_str(" (default route)"),
        }
        if let Some(rule) = &self.rule {
            text.push_str(&format!(", rule {rule}"));
            if !self.matched.is_empty() {
                text.push_str(&format!(" ({})", self.matched.join(", ")));
            }
        } else if self.rule_based {
            text.push_str(", no rule matched");
        }
        let skipped = || {
            self.skipped
                .iter()
                .map(|s| format!("{} {}", s.employee_id, s.why.describe()))
                .collect::<Vec<_>>()
                .join("; ")
        };
        let (Some(employee), Some(turn_of)) = (&self.employee_id, &self.turn_of) else {
            if self.skipped.is_empty() {
                text.push_str(": no employees to pick from; the customer stays in the pool");
            } else {
                text.push_str(&format!(
                    ": nobody can take the customer ({}); it stays in the pool",
                    skipped()
                ));
            }
            return text;
        };
        text.push_str(&match &self.pick {
            Some(Pick::Weighted { weight, total }) => {
                format!(": weighted, {turn_of}'s turn (weight {weight} of {total})")
            }
            Some(Pick::LeastLoaded { held }) => {
                format!(": least loaded, {turn_of} holds {held}")
            }
            _ => format!(": round robin, {turn_of}'s turn"),
        });
        if !self.skipped.is_empty() {
            text.push_str(&format!("; passed over: {}", skipped()));
        }
        if employee != turn_of {
            text.push_str(&format!("; {employee} takes it as {turn_of}'s backup"));
        }
        text
    }
}

/// `{customer_id, employee_id (null when nobody), route?, channel_code?, rule?, strategy?,
/// turn_of?, skipped: [{employee_id, why, ...}], reason}`.
impl Serialize for AssignmentDecision {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("customer_id", &self.customer_id)?;
        map.serialize_entry("employee_id", &self.employee_id)?;
        let optional = [
            ("route", self.route.as_deref()),
            ("channel_code", self.channel_code.as_deref()),
            ("rule", self.rule.as_deref()),
            ("strategy", self.strategy.map(RouteStrategy::as_str)),
            ("turn_of", self.turn_of.as_deref()),
        ];
        for (name, value) in optional {
            if let Some(v) = value {
                map.serialize_entry(name, v)?;
            }
        }
        map.serialize_entry("skipped", &self.skipped)?;
        map.serialize_entry("reason", &self.reason())?;
        map.end()
    }
}
