//! Fission campaigns (裂变 / 任务宝): a customer invites N new friends and earns a reward.
//!
//! **A help** is an added-friend event (type `friend_added`) of the invitee, carrying the
//! campaign id (property `campaign`) and the inviter (`inviter_id`), inside the campaign window
//! (`starts_at` inclusive, `ends_at` exclusive) and at or before `now`. Helps are taken in time
//! order (ties by event id); a help counts unless
//! - it names no inviter, or the invitee themself;
//! - the invitee is not a **new friend** (when `new_friends_only`, the default): they had a
//!   relation before the campaign started, i.e. they are in `existing_friends` or have an
//!   added-friend event (of any campaign or none) before `starts_at`;
//! - the invitee already helped this inviter (one help per pair);
//! - the invitee already helped `helper_limit` inviters (default 1; a deleted help still uses its
//!   slot, so deleting and re-adding cannot farm rewards).
//!
//! **Subtraction.** When an invitee deletes the employee (type `friend_deleted`) at or after a
//! help and at or before `now`, that help stops counting from then on.
//!
//! **Progress** of an inviter: `count` is their helps counting at `now`; the reward is earned
//! when `count >= goal`; `reached_at` is when the count last rose to the goal (null while below).
//! The campaign's deletions are netted at their own times, so a reward lost to deletions comes
//! back with the next help that makes up the goal, at that help's time.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::events::distinct;
use crate::Event;
use crate::error::{Error, ErrorKind, Problem, Result};

/// A fission campaign's rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FissionCampaign {
    /// The campaign id, as carried by the `campaign` property of the events.
    pub id: String,
    /// New friends an inviter must bring to earn the reward (N).
    pub goal: u32,
    /// When the campaign starts: relations older than this are not new.
    pub starts_at: DateTime<Utc>,
    /// When it ends (exclusive), if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ends_at: Option<DateTime<Utc>>,
    /// What the inviter earns, shown in the progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<String>,
    /// How many inviters one invitee may help (助力次数); default 1.
    #[serde(default = "one")]
    pub helper_limit: u32,
    /// Whether only new friends count (default true).
    #[serde(default = "yes")]
    pub new_friends_only: bool,
    /// Event types that add a friend; default `["friend_added"]`.
    #[serde(default = "added_types")]
    pub added_types: Vec<String>,
    /// Event types that delete the relation; default `["friend_deleted"]`.
    #[serde(default = "deleted_types")]
    pub deleted_types: Vec<String>,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}
fn added_types() -> Vec<String> {
    vec!["friend_added".to_owned()]
}
fn deleted_types() -> Vec<String> {
    vec!["friend_deleted".to_owned()]
}

/// The status of one help.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelpStatus {
    /// It counts.
    Counted,
    /// It counted until the invitee deleted the employee.
    Deleted,
    /// The invitee had a relation before the campaign.
    NotNew,
    /// The invitee already helped this inviter.
    Duplicate,
    /// The invitee already helped as many inviters as the campaign allows.
    HelperLimit,
    /// The invitee named themself as inviter.
    SelfInvite,
}

/// One help an inviter received, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Help {
    /// The invitee (助力者).
    pub helper_id: String,
    /// The added-friend event.
    pub event_id: String,
    /// When they were added.
    pub at: DateTime<Utc>,
    /// Whether it counts, and if not why.
    pub status: HelpStatus,
    /// When the invitee deleted the employee, for a `deleted` help.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// The explanation.
    pub reason: String,
}

/// One inviter's progress towards the goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviterProgress {
    /// The inviter.
    pub inviter_id: String,
    /// Helps that count at `now`.
    pub count: u32,
    /// The campaign's goal.
    pub goal: u32,
    /// Helps still missing (0 once reached).
    pub remaining: u32,
    /// Whether the reward is earned at `now`.
    pub reward_earned: bool,
    /// The reward, when earned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reward: Option<String>,
    /// When the count last rose to the goal; `null` while below it.
    pub reached_at: Option<DateTime<Utc>>,
    /// Every help, in time order.
    pub helps: Vec<Help>,
}

/// A campaign's progress: one line per inviter, and the events that named no inviter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FissionProgress {
    /// The campaign id.
    pub campaign_id: String,
    /// The time the progress is computed at.
    pub as_of: DateTime<Utc>,
    /// Inviters by id.
    pub inviters: Vec<InviterProgress>,
    /// Added-friend events of the campaign that name no inviter, by event id.
    pub unattributed: Vec<String>,
}

impl FissionCampaign {
    /// Checks the campaign: an id, a goal of at least 1, a helper limit of at least 1, an end
    /// after the start, event types named.
    pub fn check(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.id.trim().is_empty() {
            problems.push(Problem::new("id", "id must not be empty"));
        }
        if self.goal == 0 {
            problems.push(Problem::new("goal", "goal is 0, expected at least 1"));
        }
        if self.helper_limit == 0 {
            problems.push(Problem::new(
                "helper_limit",
                "helper_limit is 0, expected at least 1",
            ));
        }
        if let Some(end) = self.ends_at {
            if end <= self.starts_at {
                problems.push(Problem::new(
                    "ends_at",
                    format!("ends_at {end} must be after starts_at {}", self.starts_at),
                ));
            }
        }
        for (field, list) in [
            ("added_types", &self.added_types),
            ("deleted_types", &self.deleted_types),
        ] {
            if list.is_empty() {
                problems.push(Problem::new(
                    field,
                    format!("{field} must name an event type"),
                ));
            }
            for (i, t) in list.iter().enumerate() {
                if t.trim().is_empty() || (field == "deleted_types" && self.added_types.contains(t))
                {
                    problems.push(Problem::new(
                        format!("{field}[{i}]"),
                        format!("event type {t:?} is empty or both adds and deletes"),
                    ));
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }

    /// The progress of every inviter at `now`, from the events (any order, replays harmless) and
    /// the customers known to be friends before the campaign.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for an invalid campaign, an added or deleted event with an empty
    /// id, customer or type, or events of two tenants.
    ///
    /// ```
    /// use scrm_core::{Event, FissionCampaign};
    ///
    /// let at = |d: &str| d.parse().unwrap();
    /// let campaign: FissionCampaign = serde_json::from_str(
    ///     r#"{"id": "spring", "goal": 2, "starts_at": "2026-03-01T00:00:00Z", "reward": "tea"}"#,
    /// ).unwrap();
    /// let added = |id: &str, who: &str, when: &str| {
    ///     let mut e = Event::new("acme", id, who, "friend_added", at(when));
    ///     e.properties.insert("campaign".into(), "spring".into());
    ///     e.properties.insert("inviter_id".into(), "ann".into());
    ///     e
    /// };
    /// let events = [
    ///     added("e1", "bo", "2026-03-02T00:00:00Z"),
    ///     added("e2", "cy", "2026-03-03T00:00:00Z"),
    ///     Event::new("acme", "e3", "cy", "friend_deleted", at("2026-03-04T00:00:00Z")),
    /// ];
    /// let progress = campaign.progress(&events, &[], at("2026-03-05T00:00:00Z"))?;
    /// let ann = &progress.inviters[0];
    /// assert_eq!((ann.count, ann.reward_earned), (1, false)); // cy deleted the employee
    /// # Ok::<(), scrm_core::Error>(())
    /// ```
    pub fn progress(
        &self,
        events: &[Event],
        existing_friends: &[String],
        now: DateTime<Utc>,
    ) -> Result<FissionProgress> {
        self.check()?;
        let added = |e: &Event| self.added_types.iter().any(|t| *t == e.kind);
        let deleted = |e: &Event| self.deleted_types.iter().any(|t| *t == e.kind);
        let events = distinct(events, "events", |e| added(e) || deleted(e))?;
        // Why each invitee is not new: listed (None), or their earliest add before the start.
        let mut prior: HashMap<&str, Option<(DateTime<Utc>, &str)>> = existing_friends
            .iter()
            .map(|c| (c.as_str(), None))
            .collect();
        let mut deletions: HashMap<&str, Vec<DateTime<Utc>>> = HashMap::new();
        let mut candidates: Vec<&Event> = Vec::new();
        for e in &events {
            if deleted(e) {
                if e.at <= now {
                    deletions.entry(&e.customer_id).or_default().push(e.at);
                }
            } else if e.at < self.starts_at {
                let add = (e.at, e.id.as_str());
                prior
                    .entry(&e.customer_id)
                    .and_modify(|p| *p = p.map(|q| q.min(add)))
                    .or_insert(Some(add));
            } else if e.property_str("campaign") == Some(self.id.as_str())
                && e.at <= now
                && self.ends_at.is_none_or(|end| e.at < end)
            {
                candidates.push(e);
            }
        }
        candidates.sort_unstable_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));
        for list in deletions.values_mut() {
            list.sort_unstable();
        }
        let mut helped: HashMap<&str, HashSet<&str>> = HashMap::new();
        let mut by_inviter: BTreeMap<&str, Vec<Help>> = BTreeMap::new();
        let mut unattributed = Vec::new();
        for e in candidates {
            let helper = e.customer_id.as_str();
            let Some(inviter) = e.property_str("inviter_id") else {
                unattributed.push(e.id.to_string());
                continue;
            };
            let slots = helped.entry(helper).or_default();
            let (status, reason) = if inviter == helper {
                (
                    HelpStatus::SelfInvite,
                    "the invitee named themself as inviter".to_owned(),
                )
            } else if let (true, Some(why)) = (self.new_friends_only, prior.get(helper)) {
                let why = match why {
                    None => "listed among the existing friends".to_owned(),
                    Some((t, id)) => format!(
                        "added at {} before the campaign (event {id})",
                        t.to_rfc3339()
                    ),
                };
                (HelpStatus::NotNew, format!("not a new friend: {why}"))
            } else if slots.contains(inviter) {
                (
                    HelpStatus::Duplicate,
                    format!("{helper} already helped {inviter}"),
                )
            } else if slots.len() >= self.helper_limit as usize {
                let mut before: Vec<&str> = slots.iter().copied().collect();
                before.sort_unstable();
                (
                    HelpStatus::HelperLimit,
                    format!(
                        "{helper} already helped {} (limit {})",
                        before.join(", "),
                        self.helper_limit
                    ),
                )
            } else {
                slots.insert(inviter);
                let gone = deletions
                    .get(helper)
                    .and_then(|list| list.iter().find(|&&t| t >= e.at).copied());
                match gone {
                    Some(t) => (
                        HelpStatus::Deleted,
                        format!(
                            "new friend, subtracted: deleted the employee at {}",
                            t.to_rfc3339()
                        ),
                    ),
                    None => (HelpStatus::Counted, "new friend".to_owned()),
                }
            };
            let deleted_at = (status == HelpStatus::Deleted)
                .then(|| {
                    deletions
                        .get(helper)
                        .and_then(|l| l.iter().find(|&&t| t >= e.at).copied())
                })
                .flatten();
            by_inviter.entry(inviter).or_default().push(Help {
                helper_id: helper.to_owned(),
                event_id: e.id.to_string(),
                at: e.at,
                status,
                deleted_at,
                reason,
            });
        }
        unattributed.sort();
        Ok(FissionProgress {
            campaign_id: self.id.clone(),
            as_of: now,
            inviters: by_inviter
                .into_iter()
                .map(|(inviter, helps)| self.tally(inviter, helps))
                .collect(),
            unattributed,
        })
    }

    /// Nets an inviter's helps and deletions over time.
    fn tally(&self, inviter: &str, helps: Vec<Help>) -> InviterProgress {
        // (time, +1 or -1); at one instant additions before subtractions.
        let mut steps: Vec<(DateTime<Utc>, i8)> = Vec::new();
        for h in &helps {
            match h.status {
                HelpStatus::Counted => steps.push((h.at, 1)),
                HelpStatus::Deleted => {
                    steps.push((h.at, 1));
                    if let Some(t) = h.deleted_at {
                        steps.push((t, -1));
                    }
                }
                _ => {}
            }
        }
        steps.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut count: u32 = 0;
        let mut reached_at = None;
        for (t, step) in steps {
            if step > 0 {
                count = count.saturating_add(1);
                if count == self.goal {
                    reached_at = Some(t);
                }
            } else {
                count = count.saturating_sub(1);
                if count < self.goal {
                    reached_at = None;
                }
            }
        }
        let earned = count >= self.goal;
        InviterProgress {
            inviter_id: inviter.to_owned(),
            count,
            goal: self.goal,
            remaining: self.goal.saturating_sub(count),
            reward_earned: earned,
            reward: self.reward.clone().filter(|_| earned),
            reached_at,
            helps,
        }
    }
}
