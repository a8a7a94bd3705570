//! The assignment section of a playbook: which employee a new customer goes to (分配), by channel
//! code (渠道活码), strategy, rules, working hours and limits.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::path;
use super::rules::{Unique, check_id, items};
use crate::error::{Problem, show};

/// How new customers are assigned to employees.
///
/// A customer's channel code chooses a [`Route`]; a customer without a code, or with a code no
/// route lists, takes `default_route`. The route's [`RouteStrategy`] picks one of its employees; one
/// who is off hours, at a limit or away hands over to their backups.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Assignment {
    /// The routes, each listing the channel codes it serves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub routes: Vec<Route>,
    /// The id of the route for customers whose channel code no route lists. Absent: such
    /// customers stay unassigned (in the pool).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_route: Option<String>,
    /// New customers per employee per calendar day (playbook timezone) unless an employee has their
    /// own `daily_add_limit`. Absent: no limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100000))]
    pub daily_add_limit: Option<u32>,
    /// When employees work, in the playbook timezone, unless an employee has their own hours.
    /// Empty: always.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub working_hours: Vec<HoursWindow>,
}

/// Where the customers of some channel codes go, and how one employee is picked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Route {
    /// Stable id, unique among routes; the key of this route's turn in the assignment state.
    pub id: String,
    /// The channel codes (the `state` of a WeCom contact-me link) this route serves; a code
    /// belongs to at most one route.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channel_codes: Vec<String>,
    /// How one employee is picked.
    pub strategy: RouteStrategy,
    /// The employees (WeCom userids) picked from, in order. With `rule_based`, the ones picked
    /// from when no rule matches (may be empty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub employees: Vec<String>,
    /// `rule_based` only: rules tried in order; the first that matches gives the employees.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RouteRule>,
    /// `rule_based` only: how to pick among the matched rule's employees (default `round_robin`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<RouteStrategy>,
}

/// How a route picks one of its employees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RouteStrategy {
    /// Each employee in turn (轮流分配).
    RoundRobin,
    /// In turn, as often as each employee's weight (smooth weighted round-robin: weights 3 and 1
    /// give a a b a, a a b a, ...).
    Weighted,
    /// The employee holding the fewest customers (ties: fewer added today, then list order).
    LeastLoaded,
    /// The first rule matching the customer's region, channel or tags gives the employees.
    RuleBased,
}

impl RouteStrategy {
    /// The snake_case name used in playbooks.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteStrategy::RoundRobin => "round_robin",
            RouteStrategy::Weighted => "weighted",
            RouteStrategy::LeastLoaded => "least_loaded",
            RouteStrategy::RuleBased => "rule_based",
        }
    }
}

/// A rule of a `rule_based` route: every condition given must hold (an absent or empty one holds).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RouteRule {
    /// Stable id, unique within the route.
    pub id: String,
    /// The customer's region is one of these (as the caller writes regions, e.g. `上海`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<String>,
    /// The customer arrived through one of these channels (ids from `channels`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// The customer carries at least one of these tags (ids from the taxonomy).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The employees picked from when the rule matches.
    pub employees: Vec<String>,
}

/// A weekly window of working time in the playbook timezone, e.g. Monday to Friday 09:00–18:00.
/// A window whose `to` is not after `from` runs past midnight into the next day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct HoursWindow {
    /// The days the window starts on.
    pub days: Vec<DayOfWeek>,
    /// Start time, `"HH:MM"` (24-hour clock).
    pub from: String,
    /// End time, `"HH:MM"`, exclusive; `"24:00"` is the end of the day.
    pub to: String,
}

impl HoursWindow {
    /// A window on `days` from `from` to `to` (`"HH:MM"`); checked when compiled.
    pub fn new(days: Vec<DayOfWeek>, from: &str, to: &str) -> HoursWindow {
        HoursWindow {
            days,
            from: from.to_owned(),
            to: to.to_owned(),
        }
    }
}

/// A day of the week.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DayOfWeek {
    /// Monday (`mon`).
    Mon,
    /// Tuesday (`tue`).
    Tue,
    /// Wednesday (`wed`).
    Wed,
    /// Thursday (`thu`).
    Thu,
    /// Friday (`fri`).
    Fri,
    /// Saturday (`sat`).
    Sat,
    /// Sunday (`sun`).
    Sun,
}

/// Employee ids are WeCom userids: 1 to 64 letters, digits, `_`, `-`, `@` or `.`.
pub(crate) fn employee_id_problem(id: &str) -> Option<String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'));
    (!ok).then(|| {
        format!(
            "invalid employee id {}: use 1 to 64 letters, digits, '_', '-', '@' or '.'",
            show(&Value::String(id.to_owned()))
        )
    })
}

fn check_employees(route: &Value, at: &str, out: &mut Vec<Problem>) {
    let mut seen = Unique::new("employee");
    for (here, employee) in items(route, "employees", at) {
        if let Value::String(id) = employee {
            if let Some(message) = employee_id_problem(id) {
                out.push(Problem::new(here.clone(), message));
            }
        }
        seen.check(Some(employee), here, out);
    }
}

/// The meaning checks of the `assignment` section.
pub(crate) fn check(doc: &Value, out: &mut Vec<Problem>) {
    let Some(assignment) = doc.get("assignment") else {
        return;
    };
    check_hours(
        assignment.get("working_hours"),
        "assignment.working_hours",
        out,
    );
    let mut ids = Unique::new("id");
    let mut codes = Unique::new("channel code");
    for (at, route) in items(assignment, "routes", "assignment") {
        if let Some(id) = route.get("id") {
            check_id(id, &path::field(&at, "id"), out);
        }
        ids.check(route.get("id"), path::field(&at, "id"), out);
        for (here, code) in items(route, "channel_codes", &at) {
            if code.as_str().is_some_and(|c| c.trim().is_empty()) {
                out.push(Problem::new(
                    here.clone(),
                    "a channel code must not be blank",
                ));
            }
            codes.check(Some(code), here, out);
        }
        check_employees(route, &at, out);
        check_strategy(doc, route, &at, out);
    }
    if let Some(default) = assignment.get("default_route") {
        if ids.first_seen(default).is_none() && default.is_string() {
            out.push(Problem::new(
                "assignment.default_route",
                format!("no route has the id {}", show(default)),
            ));
        }
    }
}

fn check_strategy(doc: &Value, route: &Value, at: &str, out: &mut Vec<Problem>) {
    let strategy = route.get("strategy").and_then(Value::as_str);
    let rule_based = strategy == Some("rule_based");
    let rules = items(route, "rules", at);
    if rule_based && rules.is_empty() && route.get("rules").is_none_or(Value::is_array) {
        out.push(Problem::new(
            path::field(at, "rules"),
            "strategy rule_based needs at least one rule",
        ));
    }
    if !rule_based && strategy.is_some() {
        for name in ["rules", "then"] {
            if route.get(name).is_some() {
                out.push(Problem::new(
                    path::field(at, name),
                    format!(
                        "only strategy rule_based reads {name}; this route's strategy is {}",
                        strategy.unwrap_or_default()
                    ),
                ));
            }
        }
    }
    if route.get("then").and_then(Value::as_str) == Some("rule_based") {
        out.push(Problem::new(
            path::field(at, "then"),
            "then picks among a rule's employees: write round_robin, weighted or least_loaded",
        ));
    }
    let mut ids = Unique::new("id");
    for (rule_at, rule) in rules {
        if let Some(id) = rule.get("id") {
            check_id(id, &path::field(&rule_at, "id"), out);
        }
        ids.check(rule.get("id"), path::field(&rule_at, "id"), out);
        check_references(doc, rule, &rule_at, out);
        if rule
            .get("employees")
            .and_then(Value::as_array)
            .is_some_and(Vec::is_empty)
        {
            out.push(Problem::new(
                path::field(&rule_at, "employees"),
                "a rule needs at least one employee",
            ));
        }
        check_employees(rule, &rule_at, out);
    }
}

/// A rule's channels must be channels of the playbook, its tags tag ids of the taxonomy.
fn check_references(doc: &Value, rule: &Value, at: &str, out: &mut Vec<Problem>) {
    let channel_ids: Vec<&str> = items(doc, "channels", "")
        .into_iter()
        .filter_map(|(_, c)| c.get("id").and_then(Value::as_str))
        .collect();
    for (here, channel) in items(rule, "channels", at) {
        if let Value::String(id) = channel {
            if !channel_ids.contains(&id.as_str()) {
                out.push(Problem::new(
                    here,
                    format!("no channel has the id {}", show(channel)),
                ));
            }
        }
    }
    let taxonomy = doc.get("taxonomy");
    let tag_exists = |id: &str| {
        let Some(taxonomy) = taxonomy else {
            return false;
        };
        let in_groups = items(taxonomy, "groups", "").into_iter().any(|(_, g)| {
            items(g, "tags", "")
                .into_iter()
                .any(|(_, t)| t.get("id").and_then(Value::as_str) == Some(id))
        });
        in_groups
            || items(taxonomy, "tags", "")
                .into_iter()
                .any(|(_, t)| t.get("id").and_then(Value::as_str) == Some(id))
    };
    for (here, tag) in items(rule, "tags", at) {
        if let Value::String(id) = tag {
            if !tag_exists(id) {
                out.push(Problem::new(
                    here,
                    format!("no tag of the taxonomy has the id {}", show(tag)),
                ));
            }
        }
    }
}

/// Checks working-hours windows: readable times, at least one day, no day twice, `from` ≠ `to`.
fn check_hours(value: Option<&Value>, at: &str, out: &mut Vec<Problem>) {
    let Some(Value::Array(windows)) = value else {
        return;
    };
    for (i, window) in windows.iter().enumerate() {
        let here = path::index(at, i);
        let Ok(window) = serde_json::from_value::<HoursWindow>(window.clone()) else {
            continue; // the shape check reports it
        };
        crate::pool::check_window(&window, &here, out);
    }
}
