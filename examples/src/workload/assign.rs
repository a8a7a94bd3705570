//! Who takes each new customer: the team the playbook's routes name, and the assignment of every
//! customer on arrival through the playbook's routes (`Router`), day by day.

use chrono::{Duration, NaiveDate};
use scrm_core::{
    AssignState, AssignmentDecision, Customer, Employee, Lead, Playbook, Router, Team,
};

/// The team the playbook's routes name, each employee once (sorted), with room for the
/// workload: the sample's `pool.capacity` of 300 is a per-employee cap a three-month demo
/// outgrows, so each gets a capacity of 5,000; `sun` leads the live stream and weighs 2.
fn team(playbook: &Playbook) -> Result<Team, scrm_core::Error> {
    let mut ids: Vec<String> = playbook
        .assignment()
        .routes
        .iter()
        .flat_map(|r| {
            r.employees
                .iter()
                .chain(r.rules.iter().flat_map(|rule| rule.employees.iter()))
        })
        .cloned()
        .collect();
    ids.sort();
    ids.dedup();
    let backups = [
        ("zhou", "wu"),
        ("wu", "zhou"),
        ("zheng", "qian"),
        ("qian", "zheng"),
        ("li", "zhao"),
        ("zhao", "sun"),
        ("sun", "li"),
        ("chen", "lin"),
        ("lin", "chen"),
        ("he", "wang"),
    ];
    let employees = ids
        .iter()
        .map(|id| {
            let mut e = Employee::new(id);
            e.capacity = Some(5_000);
            if id == "sun" {
                e.weight = 2;
            }
            e.backups = backups
                .iter()
                .filter(|(who, backup)| who == id && ids.iter().any(|x| x == backup))
                .map(|(_, backup)| (*backup).to_owned())
                .collect();
            e
        })
        .collect();
    Team::new(employees)
}

/// Assigns each lead on arrival, day by day (the daily add counters reset at midnight in
/// Shanghai), and sets the owners on the customers.
pub(super) fn assign(
    playbook: &Playbook,
    leads: &[Lead],
    customers: &mut [Customer],
) -> Result<(Vec<AssignmentDecision>, Vec<Employee>), scrm_core::Error> {
    let router = Router::new(playbook)?;
    let mut team = team(playbook)?;
    let mut state = AssignState::default();
    let mut today: Option<NaiveDate> = None;
    let mut decisions = Vec::with_capacity(leads.len());
    for (lead, customer) in leads.iter().zip(customers.iter_mut()) {
        let at = customer.created_at;
        let day = (at + Duration::hours(8)).date_naive();
        if today != Some(day) {
            today = Some(day);
            let mut employees = team.into_employees();
            for e in &mut employees {
                e.added_today = 0;
            }
            team = Team::new(employees)?;
        }
        let decision = router.assign(lead, &mut team, &mut state, at)?;
        if let Some(owner) = &decision.employee_id {
            customer.owner = Some(owner.clone());
            customer.owner_since = Some(at);
        }
        decisions.push(decision);
    }
    Ok((decisions, team.into_employees()))
}
