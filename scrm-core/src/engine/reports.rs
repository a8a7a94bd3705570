//! Reports over many profiles: an owner's priority list and RFM.

use chrono::{DateTime, Utc};

use super::{Engine, Profile};
use crate::error::{Error, ErrorKind, Result};
use crate::scoring::model::PriorityModel;
use crate::scoring::priority::{Inputs, item, rank};
use crate::scoring::rfm::{binary, measure, quintiles};
use crate::scoring::{Points, PriorityItem, RfmMode, RfmScore};

/// The priority settings a playbook without `scoring.priority` gets.
fn default_priority() -> PriorityModel {
    PriorityModel {
        intent_tags: Vec::new(),
        actions: Vec::new(),
        fresh_for: 7 * 86_400,
        contact_events: Vec::new(),
        follow_up_every: 7 * 86_400,
        overdue_points_per_day: 500,
        spend_per_point: 10_000,
    }
}

impl Engine {
    /// The customers owned by `owner`, ranked by priority (intent + urgency + value) at `now`,
    /// highest first, each with its reason in words (客户任务智能排序).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for a profile folded under other rules.
    pub fn priority_list<'a>(
        &self,
        owner: &str,
        profiles: impl IntoIterator<Item = &'a Profile>,
        now: DateTime<Utc>,
    ) -> Result<Vec<PriorityItem>> {
        let fallback;
        let model = match &self.scoring.priority {
            Some(m) => m,
            None => {
                fallback = default_priority();
                &fallback
            }
        };
        let name = |id: &str| {
            self.tag_names
                .get(id)
                .cloned()
                .unwrap_or_else(|| id.to_owned())
        };
        let mut items = Vec::new();
        for (i, profile) in profiles.into_iter().enumerate() {
            if profile.live.customer.owner.as_deref() != Some(owner) {
                continue;
            }
            self.check_fingerprint(profile, &format!("profiles[{i}]"))?;
            let (score, social) = if self.scoring.is_empty() {
                (Points::ZERO, Points::ZERO)
            } else {
                let s = self.totals_of(&profile.live, now)?;
                let in_score = self.scoring.social.in_score;
                (s.score, if in_score { Points::ZERO } else { s.social })
            };
            let inputs = Inputs {
                customer: &profile.live.customer,
                state: &profile.live.score,
                score,
                social,
                tag_name: &name,
            };
            items.push(item(model, &inputs, now));
        }
        rank(&mut items);
        Ok(items)
    }

    /// RFM of every profile at `now`: binary against the playbook's thresholds with the eight
    /// segments, or quintiles over the profiles given.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the playbook has no `scoring.rfm`, or for a profile folded
    /// under other rules.
    pub fn rfm<'a>(
        &self,
        profiles: impl IntoIterator<Item = &'a Profile>,
        now: DateTime<Utc>,
        mode: RfmMode,
    ) -> Result<Vec<RfmScore>> {
        let Some(model) = &self.scoring.rfm else {
            return Err(Error::at(
                ErrorKind::Validation,
                "scoring.rfm",
                "the playbook has no scoring.rfm: set the purchase event and the thresholds",
            ));
        };
        let mut measured = Vec::new();
        let mut out = Vec::new();
        for (i, profile) in profiles.into_iter().enumerate() {
            self.check_fingerprint(profile, &format!("profiles[{i}]"))?;
            let id = &profile.live.customer.id;
            let purchases = profile.live.score.purchases.as_ref();
            match mode {
                RfmMode::Quintiles => {
                    let (r, f, m) = measure(model, purchases, now);
                    measured.push((id.to_string(), r, f, m));
                }
                _ => out.push(binary(model, id, purchases, now)),
            }
        }
        if mode == RfmMode::Quintiles {
            out = quintiles(&measured);
        }
        Ok(out)
    }
}
