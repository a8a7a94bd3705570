//! [`Due`]: what must happen now — reclaims, warnings, and customers kept despite being overdue —
//! each with its reason.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use serde::ser::SerializeMap;

use super::PoolFacts;
use super::calendar::days_text;

/// What must happen now, one [`DueItem`] per customer and action, sorted by customer id (so the
/// result does not depend on the order of the input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due<'a> {
    items: Vec<DueItem<'a>>,
}

/// One thing due for one customer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct DueItem<'a> {
    /// The customer.
    pub customer_id: &'a str,
    /// The owner now (for a reclaim: the owner losing the customer).
    pub owner: Option<&'a str>,
    /// The customer's stage, if known.
    pub stage: Option<&'a str>,
    /// What is due.
    pub action: DueAction,
}

/// What is due. More kinds may be added: match with a wildcard arm.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum DueAction {
    /// Move the customer to the pool now (公海回收).
    Reclaim {
        /// The idle time against the limit.
        idle: Idle,
        /// Set when the customer is protected but the protection is beyond the owner's quota.
        over_quota: Option<OverQuota>,
    },
    /// Warn the owner: the customer will be reclaimed unless followed up.
    Warn {
        /// The idle time against the limit.
        idle: Idle,
        /// Days until the reclaim day (1 = tomorrow).
        days_left: u32,
        /// The reclaim day, in the playbook timezone.
        reclaim_on: NaiveDate,
    },
    /// Overdue, but kept from the pool: protected within the quota, or with open tasks.
    Kept {
        /// The idle time against the limit.
        idle: Idle,
        /// When protected, if the protection is what keeps the customer.
        protected_at: Option<DateTime<Utc>>,
        /// Open tasks (any keeps the customer).
        open_tasks: u32,
    },
    /// The lifecycle's inactivity rule moves the customer (e.g. to `dormant`, 沉睡): no activity
    /// for the rule's silence. Reported, not applied: the engine's `tick` applies it.
    Dormant {
        /// The lifecycle rule's id.
        rule: String,
        /// The stage it moves the customer to.
        to: String,
        /// The last activity.
        last_activity: DateTime<Utc>,
        /// Whole days (24 h) since then.
        silent_days: u32,
        /// The rule's silence as written (`60d`).
        after: String,
        /// The rule's own reason, if it gives one.
        rule_reason: Option<String>,
    },
}

/// How long an owned customer has gone without follow-up, against the limit of their stage.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct Idle {
    /// When the clock started: the last follow-up, or when the owner took the customer on if
    /// that is later (or there was no follow-up).
    pub since: DateTime<Utc>,
    /// Whether the clock started at a follow-up (false: not followed up since the owner took the
    /// customer on).
    pub followed_up: bool,
    /// Calendar days from `since` to now, in the playbook timezone.
    pub days: u32,
    /// The stage's days without follow-up.
    pub limit_days: u32,
    /// The grace days added to them.
    pub grace_days: u32,
    /// Whether the limit is the pool's `default_days` (the stage has no rule of its own).
    pub default_limit: bool,
}

/// A protection beyond the owner's quota: it does not keep the customer.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub struct OverQuota {
    /// When the customer was protected.
    pub protected_at: DateTime<Utc>,
    /// This protection's place among the owner's, oldest first (1 = oldest).
    pub rank: u32,
    /// The owner's quota.
    pub quota: u32,
}

/// What a [`DueRule`] is told about the run.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct DueContext {
    /// The time of the run.
    pub now: DateTime<Utc>,
    /// Today in the playbook timezone.
    pub today: NaiveDate,
    /// The playbook timezone.
    pub timezone: Tz,
}

/// A check run on every customer with the pool's own, adding its items to [`Due`]: the hook for
/// other rules that fire on a schedule (dormancy: no activity for N days).
pub trait DueRule {
    /// Appends what is due for `facts` to `out`.
    fn check<'a>(&self, facts: &'a PoolFacts, context: &DueContext, out: &mut Vec<DueItem<'a>>);
}

impl<'a> Due<'a> {
    pub(crate) fn from_items(mut items: Vec<DueItem<'a>>) -> Due<'a> {
        items.sort_unstable();
        Due { items }
    }

    /// Every item, sorted by customer id, then owner, stage and action.
    pub fn items(&self) -> &[DueItem<'a>] {
        &self.items
    }

    /// The reclaims.
    pub fn reclaims(&self) -> impl Iterator<Item = &DueItem<'a>> {
        self.items
            .iter()
            .filter(|i| matches!(i.action, DueAction::Reclaim { .. }))
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &DueItem<'a>> {
        self.items
            .iter()
            .filter(|i| matches!(i.action, DueAction::Warn { .. }))
    }

    /// The customers kept despite being overdue.
    pub fn kept(&self) -> impl Iterator<Item = &DueItem<'a>> {
        self.items
            .iter()
            .filter(|i| matches!(i.action, DueAction::Kept { .. }))
    }

    /// Adds an item in its sorted place.
    pub fn push(&mut self, item: DueItem<'a>) {
        let at = self.items.partition_point(|i| *i <= item);
        self.items.insert(at, item);
    }

    /// How many items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing is due.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items as JSON: `{"items": [...]}` (see `docs/pool.md` for the shape).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl<'a> DueItem<'a> {
    /// An item for `facts` (its id, owner and stage).
    pub fn new(facts: &'a PoolFacts, action: DueAction) -> DueItem<'a> {
        DueItem {
            customer_id: &facts.customer_id,
            owner: facts.owner.as_ref().map(|o| o.id.as_str()),
            stage: facts.stage.as_deref(),
            action,
        }
    }

    /// Why, in a sentence for the owner or a manager.
    pub fn reason(&self) -> String {
        match &self.action {
            DueAction::Reclaim { idle, over_quota } => {
                let mut text = self.idle_text(idle);
                if let Some(q) = over_quota {
                    text.push_str(&format!(
                        "; its protection (since {}) is {}'s {}-oldest, beyond the quota of {}",
                        q.protected_at.format("%Y-%m-%d %H:%M UTC"),
                        self.owner.unwrap_or("the owner"),
                        ordinal(q.rank),
                        q.quota
                    ));
                }
                text
            }
            DueAction::Warn {
                idle,
                days_left,
                reclaim_on,
            } => format!(
                "goes to the pool in {} (on {reclaim_on}) unless followed up: {}",
                days_text(*days_left),
                self.idle_text(idle)
            ),
            DueAction::Kept {
                idle,
                protected_at,
                open_tasks,
            } => {
                let mut why = Vec::new();
                if let Some(at) = protected_at {
                    why.push(format!(
                        "protected since {}",
                        at.format("%Y-%m-%d %H:%M UTC")
                    ));
                }
                if *open_tasks > 0 {
                    why.push(if *open_tasks == 1 {
                        "1 open task".to_owned()
                    } else {
                        format!("{open_tasks} open tasks")
                    });
                }
                format!(
                    "overdue ({}) but kept: {}",
                    self.idle_text(idle),
                    why.join(" and ")
                )
            }
            DueAction::Dormant {
                rule,
                to,
                last_activity,
                silent_days,
                after,
                rule_reason,
            } => {
                let why = rule_reason
                    .as_deref()
                    .map_or(String::new(), |r| format!(" ({r})"));
                format!(
                    "moves to {to}: no activity since {} ({}), rule {rule} after {after}{why}",
                    last_activity.format("%Y-%m-%d %H:%M UTC"),
                    days_text(*silent_days)
                )
            }
        }
    }

    fn idle_text(&self, idle: &Idle) -> String {
        let idle_part = if idle.followed_up {
            format!("no follow-up for {}", days_text(idle.days))
        } else {
            format!(
                "not followed up in the {} since {} took it on",
                days_text(idle.days),
                self.owner.unwrap_or("the owner")
            )
        };
        let whose = match (idle.default_limit, self.stage) {
            (false, Some(stage)) => format!("the {stage}-stage limit"),
            _ => "the default limit".to_owned(),
        };
        let grace = match idle.grace_days {
            0 => String::new(),
            1 => " + 1 grace day".to_owned(),
            n => format!(" + {n} grace days"),
        };
        format!(
            "{idle_part}; {whose} is {}{grace}",
            days_text(idle.limit_days)
        )
    }
}

fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

impl Serialize for Due<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(1))?;
        map.serialize_entry("items", &self.items)?;
        map.end()
    }
}

/// `{customer_id, owner, stage, action, <the action's fields>, reason}`; idle fields are flat:
/// `since, followed_up, idle_days, limit_days, grace_days, default_limit`.
impl Serialize for DueItem<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("customer_id", self.customer_id)?;
        if let Some(owner) = self.owner {
            map.serialize_entry("owner", owner)?;
        }
        if let Some(stage) = self.stage {
            map.serialize_entry("stage", stage)?;
        }
        let idle = match &self.action {
            DueAction::Reclaim { idle, over_quota } => {
                map.serialize_entry("action", "reclaim")?;
                if let Some(q) = over_quota {
                    map.serialize_entry("protected_at", &q.protected_at)?;
                    map.serialize_entry("protection_rank", &q.rank)?;
                    map.serialize_entry("protect_limit", &q.quota)?;
                }
                idle
            }
            DueAction::Warn {
                idle,
                days_left,
                reclaim_on,
            } => {
                map.serialize_entry("action", "warn")?;
                map.serialize_entry("days_left", days_left)?;
                map.serialize_entry("reclaim_on", reclaim_on)?;
                idle
            }
            DueAction::Kept {
                idle,
                protected_at,
                open_tasks,
            } => {
                map.serialize_entry("action", "kept")?;
                if let Some(at) = protected_at {
                    map.serialize_entry("protected_at", at)?;
                }
                map.serialize_entry("open_tasks", open_tasks)?;
                idle
            }
            DueAction::Dormant {
                rule,
                to,
                last_activity,
                silent_days,
                after,
                rule_reason: _,
            } => {
                map.serialize_entry("action", "dormant")?;
                map.serialize_entry("rule", rule)?;
                map.serialize_entry("to", to)?;
                map.serialize_entry("last_activity", last_activity)?;
                map.serialize_entry("silent_days", silent_days)?;
                map.serialize_entry("after", after)?;
                map.serialize_entry("reason", &self.reason())?;
                return map.end();
            }
        };
        map.serialize_entry("since", &idle.since)?;
        map.serialize_entry("followed_up", &idle.followed_up)?;
        map.serialize_entry("idle_days", &idle.days)?;
        map.serialize_entry("limit_days", &idle.limit_days)?;
        map.serialize_entry("grace_days", &idle.grace_days)?;
        map.serialize_entry("default_limit", &idle.default_limit)?;
        map.serialize_entry("reason", &self.reason())?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals() {
        let got: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            got,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st",
                "111th"
            ]
        );
    }
}
