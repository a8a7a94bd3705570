//! [`Employee`] records and the [`Team`] they form: who can claim, take new customers, back
//! someone up or take over a transfer.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::hours::Hours;
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::playbook::{HoursWindow, employee_id_problem, path_field, path_index};

/// One employee (成员) as assignment, claiming and transfer see them at `now`.
///
/// Counters (`held`, `added_today`, `claimed_today`) are the caller's numbers at `now`; "today"
/// is the playbook-timezone date of `now`.
///
/// ```
/// let e: scrm_core::Employee = serde_json::from_str(r#"{
///     "id": "wang", "daily_add_limit": 50, "backups": ["li"], "held": 120,
///     "working_hours": [{ "days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00", "to": "18:00" }]
/// }"#).unwrap();
/// assert_eq!(e.weight, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Employee {
    /// The employee id (WeCom userid).
    pub id: String,
    /// Active (default), on leave or resigned.
    #[serde(default)]
    pub status: EmployeeStatus,
    /// New customers this employee may take per day; overrides the playbook's
    /// `assignment.daily_add_limit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_add_limit: Option<u32>,
    /// The most customers this employee may hold; overrides the playbook's `pool.capacity`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<u32>,
    /// Share of a `weighted` route, 1 to 1,000 (default 1).
    #[serde(default = "one")]
    pub weight: u32,
    /// This employee's working hours, instead of the playbook's `assignment.working_hours`; an
    /// empty list: any time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub working_hours: Option<Vec<HoursWindow>>,
    /// Who takes this employee's new customers when they cannot, in order (their own backups
    /// follow, depth first).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub backups: Vec<String>,
    /// Customers held now.
    #[serde(default)]
    pub held: u32,
    /// New customers added today.
    #[serde(default)]
    pub added_today: u32,
    /// Customers claimed from the pool today.
    #[serde(default)]
    pub claimed_today: u32,
}

fn one() -> u32 {
    1
}

/// Whether an employee is working.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum EmployeeStatus {
    /// Working: can claim and take new customers.
    #[default]
    Active,
    /// Away for now (休假): keeps their customers, takes no new ones.
    OnLeave,
    /// Left the company (离职): claims nothing, takes nothing; their customers await inheritance.
    Resigned,
}

impl EmployeeStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            EmployeeStatus::Active => "active",
            EmployeeStatus::OnLeave => "on_leave",
            EmployeeStatus::Resigned => "resigned",
        }
    }
}

impl Employee {
    /// An active employee with no limits, no hours of their own and no backups.
    pub fn new(id: &str) -> Employee {
        Employee {
            id: id.to_owned(),
            status: EmployeeStatus::Active,
            daily_add_limit: None,
            capacity: None,
            weight: 1,
            working_hours: None,
            backups: Vec::new(),
            held: 0,
            added_today: 0,
            claimed_today: 0,
        }
    }
}

/// The most a `weight` may be.
const MAX_WEIGHT: u32 = 1_000;

/// A checked list of employees: unique ids, backups that exist, readable working hours.
#[derive(Debug, Clone)]
pub struct Team {
    members: Vec<Member>,
    index: HashMap<String, usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub(crate) employee: Employee,
    pub(crate) hours: Option<Hours>,
    pub(crate) backups: Vec<usize>,
}

impl Team {
    /// Checks the employees, reporting every problem with its path (`employees[2].backups[0]`).
    pub fn new(employees: Vec<Employee>) -> Result<Team> {
        let mut problems = Vec::new();
        let mut index = HashMap::with_capacity(employees.len());
        for (i, e) in employees.iter().enumerate() {
            let at = path_index("employees", i);
            if let Some(message) = employee_id_problem(&e.id) {
                problems.push(Problem::new(path_field(&at, "id"), message));
            }
            if let Some(first) = index.insert(e.id.clone(), i) {
                index.insert(e.id.clone(), first);
                problems.push(Problem::new(
                    path_field(&at, "id"),
                    format!(
                        "duplicate employee id {:?} (first at employees[{first}])",
                        e.id
                    ),
                ));
            }
            if !(1..=MAX_WEIGHT).contains(&e.weight) {
                problems.push(Problem::new(
                    path_field(&at, "weight"),
                    format!(
                        "weight {} is out of range: write 1 to {MAX_WEIGHT}",
                        e.weight
                    ),
                ));
            }
        }
        let mut members = Vec::with_capacity(employees.len());
        for (i, employee) in employees.into_iter().enumerate() {
            let at = path_index("employees", i);
            let hours = match &employee.working_hours {
                Some(windows) => Hours::compile(windows, &path_field(&at, "working_hours"))
                    .map_err(|e| problems.extend(e.problems().iter().cloned()))
                    .ok(),
                None => None,
            };
            let mut backups = Vec::with_capacity(employee.backups.len());
            for (j, id) in employee.backups.iter().enumerate() {
                let here = path_index(&path_field(&at, "backups"), j);
                match index.get(id) {
                    None => problems.push(Problem::new(
                        here,
                        format!("no employee in the list has the id {id:?}"),
                    )),
                    Some(&b) if b == i => problems.push(Problem::new(
                        here,
                        format!("{id:?} cannot back themselves up"),
                    )),
                    Some(&b) if backups.contains(&b) => {
                        problems.push(Problem::new(here, format!("{id:?} is listed twice")))
                    }
                    Some(&b) => backups.push(b),
                }
            }
            members.push(Member {
                employee,
                hours,
                backups,
            });
        }
        if problems.is_empty() {
            Ok(Team { members, index })
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }

    /// The employees, in the order given, with their counters as updated by assignments.
    pub fn employees(&self) -> impl Iterator<Item = &Employee> {
        self.members.iter().map(|m| &m.employee)
    }

    /// The employee with this id.
    pub fn get(&self, id: &str) -> Option<&Employee> {
        self.position(id).map(|i| &self.members[i].employee)
    }

    /// The employees, giving up the team.
    pub fn into_employees(self) -> Vec<Employee> {
        self.members.into_iter().map(|m| m.employee).collect()
    }

    pub(crate) fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub(crate) fn member(&self, i: usize) -> &Member {
        &self.members[i]
    }

    pub(crate) fn member_mut(&mut self, i: usize) -> &mut Member {
        &mut self.members[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_problem_of_a_team_is_reported() {
        let mut a = Employee::new("wang");
        a.backups = vec!["wang".into(), "ghost".into(), "li".into(), "li".into()];
        a.weight = 0;
        let b = Employee::new("li");
        let mut c = Employee::new("li");
        c.working_hours = Some(vec![HoursWindow::new(vec![], "9", "18:00")]);
        let err = Team::new(vec![a, b, c]).unwrap_err();
        let lines: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
        assert_eq!(
            lines,
            [
                "employees[0].weight: weight 0 is out of range: write 1 to 1000",
                "employees[2].id: duplicate employee id \"li\" (first at employees[1])",
                "employees[0].backups[0]: \"wang\" cannot back themselves up",
                "employees[0].backups[1]: no employee in the list has the id \"ghost\"",
                "employees[0].backups[3]: \"li\" is listed twice",
                "employees[2].working_hours[0].days: a window needs at least one day",
                "employees[2].working_hours[0].from: invalid time \"9\": write \"HH:MM\" on a 24-hour clock",
            ]
        );
    }

    #[test]
    fn a_team_finds_its_members() {
        let team = Team::new(vec![Employee::new("wang"), Employee::new("li@shop")]).unwrap();
        assert_eq!(team.get("li@shop").unwrap().id, "li@shop");
        assert!(team.get("zhao").is_none());
        assert_eq!(team.into_employees().len(), 2);
    }
}
