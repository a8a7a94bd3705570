//! [`PoolRules`]: the compiled pool section, and [`PoolRules::due`]: who goes back to the pool
//! (公海回收), who is warned, who is kept.

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;

use super::calendar::{cutoff, days_between, local_date, shift};
use super::dormancy::{self, DormancyRule};
use super::due::{Due, DueAction, DueContext, DueItem, DueRule, Idle, OverQuota};
use super::{PoolFacts, protection};
use crate::error::{Error, ErrorKind, Problem, Result, show};
use crate::lifecycle::LifecycleModel;
use crate::playbook::Playbook;

/// The pool rules of one playbook, compiled: reclaim limits per stage, warnings, protection
/// quota, capacity and claim rules.
#[derive(Debug, Clone)]
pub struct PoolRules {
    pub(crate) tz: Tz,
    stages: Vec<(String, Limit)>,
    default: Option<Limit>,
    exempt: Vec<String>,
    warn_days: u32,
    protect_limit: Option<u32>,
    pub(crate) capacity: Option<u32>,
    pub(crate) daily_claims: Option<u32>,
    pub(crate) previous_owner_wait: Option<(TimeDelta, String)>,
    pub(crate) cool_off: Option<(TimeDelta, String)>,
    /// The lifecycle's inactivity rules, reported by `due` as dormancy.
    dormancy: Vec<DormancyRule>,
}

#[derive(Debug, Clone, Copy)]
struct Limit {
    days: u32,
    grace: u32,
    default: bool,
}

impl Limit {
    fn total(self) -> i64 {
        i64::from(self.days) + i64::from(self.grace)
    }
}

/// Which limit applies to a customer.
enum Applies {
    Never,
    Limit(usize),
}

/// The instants against which a limit's clock is compared today.
struct Cutoffs {
    /// A clock started before this is overdue.
    reclaim: DateTime<Utc>,
    /// A clock started before this (and not overdue) is in the warning window.
    warn: Option<DateTime<Utc>>,
}

impl PoolRules {
    /// Compiles the pool section of `playbook`.
    pub fn new(playbook: &Playbook) -> Result<PoolRules> {
        let pool = playbook.pool();
        let mut problems = Vec::new();
        let duration = |text: &Option<String>, at: &str, problems: &mut Vec<Problem>| {
            let text = text.as_ref()?;
            crate::duration::parse(text, at)
                .map_err(|e| problems.extend(e.problems().iter().cloned()))
                .ok()
                .map(|d| (d, text.clone()))
        };
        let previous_owner_wait = duration(
            &pool.claim.previous_owner_wait,
            "pool.claim.previous_owner_wait",
            &mut problems,
        );
        let cool_off = duration(&pool.claim.cool_off, "pool.claim.cool_off", &mut problems);
        // The stages named here must be the lifecycle's (configured, or the default set).
        let mut lifecycle_problems = Vec::new();
        let lifecycle = LifecycleModel::compile(playbook, &mut lifecycle_problems);
        let known: Vec<&str> = lifecycle.stages.iter().map(|s| s.id.as_str()).collect();
        let mut unknown = |stage: &str, at: String| {
            if !known.contains(&stage) {
                problems.push(Problem::new(
                    at,
                    format!(
                        "no lifecycle stage {}; known: {}",
                        show(&serde_json::Value::String(stage.to_owned())),
                        known.join(", ")
                    ),
                ));
            }
        };
        for (i, r) in pool.reclaim.iter().enumerate() {
            unknown(&r.stage, format!("pool.reclaim[{i}].stage"));
        }
        for (i, s) in pool.exempt_stages.iter().enumerate() {
            unknown(s, format!("pool.exempt_stages[{i}]"));
        }
        let dormancy = dormancy::rules(&lifecycle);
        let stages: Vec<(String, Limit)> = pool
            .reclaim
            .iter()
            .map(|r| {
                let limit = Limit {
                    days: r.days,
                    grace: r.grace_days.unwrap_or(pool.grace_days),
                    default: false,
                };
                (r.stage.clone(), limit)
            })
            .collect();
        let default = pool.default_days.map(|days| Limit {
            days,
            grace: pool.grace_days,
            default: true,
        });
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        Ok(PoolRules {
            tz: playbook.timezone(),
            stages,
            default,
            exempt: pool.exempt_stages.clone(),
            warn_days: pool.warn_days,
            protect_limit: pool.protect_limit,
            capacity: pool.capacity,
            daily_claims: pool.claim.daily_limit,
            previous_owner_wait,
            cool_off,
            dormancy,
        })
    }

    fn applies(&self, stage: Option<&str>) -> Applies {
        if self.exempts(stage) {
            return Applies::Never;
        }
        if let Some(stage) = stage {
            if let Some(i) = self.stages.iter().position(|(s, _)| s == stage) {
                return Applies::Limit(i);
            }
        }
        match self.default {
            Some(_) => Applies::Limit(self.stages.len()),
            None => Applies::Never,
        }
    }

    fn limit(&self, i: usize) -> Option<Limit> {
        self.stages.get(i).map(|(_, l)| *l).or(self.default)
    }

    /// The local day (playbook timezone) from which an owned customer is overdue for reclaim:
    /// the reclaim clock's date plus its stage's days and grace days, as [`PoolRules::due`]
    /// counts them. `None` when these rules never reclaim the customer: no owner, an exempt
    /// stage, or no limit for its stage. (An overdue customer may still be kept by a protection
    /// or an open task; `due` says which.)
    pub fn reclaim_on(&self, facts: &PoolFacts) -> Option<chrono::NaiveDate> {
        let since = facts.clock_start()?;
        let Applies::Limit(rule) = self.applies(facts.stage.as_deref()) else {
            return None;
        };
        let limit = self.limit(rule)?;
        shift(local_date(self.tz, since), limit.total()).ok()
    }

    /// Whether `stage` is exempt from reclaim (`pool.exempt_stages`).
    pub(crate) fn exempts(&self, stage: Option<&str>) -> bool {
        stage.is_some_and(|s| self.exempt.iter().any(|e| e == s))
    }

    /// What must happen at `now` for these customers: reclaims, warnings (with the days left) and
    /// overdue customers kept by a protection or an open task. See [`PoolRules::due_with`].
    ///
    /// # Errors
    ///
    /// Only when `now` is too far from the calendar's range to count days.
    pub fn due<'a>(&self, facts: &'a [PoolFacts], now: DateTime<Utc>) -> Result<Due<'a>> {
        self.due_with(facts, now, &[])
    }

    /// As [`PoolRules::due`], also running `extra` rules on every customer.
    ///
    /// The rule, for an owned customer in a stage that is not exempt and has a limit (its own
    /// rule, else `default_days`): the clock starts at the later of the last follow-up and the
    /// day the owner took the customer on; the customer is *overdue* once `days + grace_days`
    /// calendar days (playbook timezone) have passed since the clock's date. An overdue customer
    /// is reclaimed unless it is protected within the owner's quota or has an open task (then it
    /// is kept). A customer that is not overdue but will be within `warn_days` days, and would not
    /// be kept, is warned.
    pub fn due_with<'a>(
        &self,
        facts: &'a [PoolFacts],
        now: DateTime<Utc>,
        extra: &[&dyn DueRule],
    ) -> Result<Due<'a>> {
        let today = local_date(self.tz, now);
        let cutoffs = (0..=self.stages.len())
            .map(|i| match self.limit(i) {
                Some(limit) => self.cutoffs(limit, today).map(Some),
                None => Ok(None),
            })
            .collect::<Result<Vec<_>>>()?;
        let over_quota = match self.protect_limit {
            Some(quota) => protection::over_quota(facts, quota),
            None => Vec::new(),
        };
        let context = DueContext {
            now,
            today,
            timezone: self.tz,
        };
        let mut items = Vec::new();
        for (i, f) in facts.iter().enumerate() {
            if let Some(action) = self.check(f, i, &cutoffs, &over_quota, &context)? {
                items.push(DueItem::new(f, action));
            }
            if let Some(action) = dormancy::check(&self.dormancy, f, now) {
                items.push(DueItem::new(f, action));
            }
            for rule in extra {
                rule.check(f, &context, &mut items);
            }
        }
        Ok(Due::from_items(items))
    }

    fn cutoffs(&self, limit: Limit, today: chrono::NaiveDate) -> Result<Cutoffs> {
        let total = limit.total();
        Ok(Cutoffs {
            reclaim: cutoff(self.tz, today, total)?,
            warn: match self.warn_days {
                0 => None,
                d => Some(cutoff(self.tz, today, (total - i64::from(d)).max(0))?),
            },
        })
    }

    fn check(
        &self,
        f: &PoolFacts,
        index: usize,
        cutoffs: &[Option<Cutoffs>],
        over_quota: &[(usize, u32)],
        context: &DueContext,
    ) -> Result<Option<DueAction>> {
        let (Some(owner), Some(since)) = (&f.owner, f.clock_start()) else {
            return Ok(None);
        };
        let Applies::Limit(rule) = self.applies(f.stage.as_deref()) else {
            return Ok(None);
        };
        let (Some(Some(cut)), Some(limit)) = (cutoffs.get(rule), self.limit(rule)) else {
            return Ok(None);
        };
        let overdue = since < cut.reclaim;
        let warned = !overdue && cut.warn.is_some_and(|w| since < w);
        if !overdue && !warned {
            return Ok(None);
        }
        let idle = Idle {
            since,
            followed_up: f.last_follow_up.is_some_and(|t| t > owner.since),
            days: u32::try_from(days_between(local_date(self.tz, since), context.today).max(0))
                .unwrap_or(u32::MAX),
            limit_days: limit.days,
            grace_days: limit.grace,
            default_limit: limit.default,
        };
        let quota_rank = over_quota
            .binary_search_by_key(&index, |(i, _)| *i)
            .ok()
            .and_then(|k| over_quota.get(k))
            .map(|(_, rank)| *rank);
        let protected_at = f.protected_at.filter(|_| quota_rank.is_none());
        let kept = protected_at.is_some() || f.open_tasks > 0;
        Ok(match (overdue, kept) {
            (true, true) => Some(DueAction::Kept {
                idle,
                protected_at,
                open_tasks: f.open_tasks,
            }),
            (true, false) => Some(DueAction::Reclaim {
                idle,
                over_quota: match (quota_rank, f.protected_at, self.protect_limit) {
                    (Some(rank), Some(protected_at), Some(quota)) => Some(OverQuota {
                        protected_at,
                        rank,
                        quota,
                    }),
                    _ => None,
                },
            }),
            (false, true) => None,
            (false, false) => {
                let days_left = limit.total() - i64::from(idle.days);
                Some(DueAction::Warn {
                    reclaim_on: shift(context.today, days_left)?,
                    days_left: u32::try_from(days_left).unwrap_or(0),
                    idle,
                })
            }
        })
    }
}
