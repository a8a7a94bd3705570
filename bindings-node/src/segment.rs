//! `Segment`: a compiled condition plus manual include and exclude lists (分群 / 人群包).

use napi::bindgen_prelude::*;
use napi_derive::napi;
use scrm_core::ErrorKind;

use crate::condition::{time, type_name};
use crate::{CompiledCondition, fail, json_text, run};

/// A segment of customers (客户分群): those matching a compiled condition, adjusted by hand.
/// Build one with `Segment.create`.
///
/// **Precedence:** an excluded customer is never a member, even when included; an included one is
/// a member whatever the condition says; everyone else is a member when the condition holds.
#[napi]
pub struct Segment {
    inner: scrm_core::Segment,
}

#[napi]
impl Segment {
    /// A segment of the customers matching `condition`, plus the customer ids of `include`, minus
    /// those of `exclude` (exclude wins over include).
    #[napi(factory)]
    pub fn create(
        condition: &CompiledCondition,
        include: Option<Vec<String>>,
        exclude: Option<Vec<String>>,
    ) -> Segment {
        Segment {
            inner: scrm_core::Segment::new(condition.inner.clone())
                .include(include.unwrap_or_default())
                .exclude(exclude.unwrap_or_default()),
        }
    }

    /// The ids of the `customers` (in the JSON shape of `docs/data-model.md`) in the segment at
    /// `now` (a `Date` or an RFC 3339 string), in input order. The clock is never read.
    ///
    /// `histories` maps a customer id to that customer's events (for `count(...)` conditions);
    /// `scores` maps a customer id to the score the engine computed, as a decimal string such as
    /// `"72.5"`, never a JS number (see `CompiledCondition.evaluate`). A customer missing from
    /// either has no events or no score.
    ///
    /// @throws {ScrmError} `code` "validation" at `now` for a time that is not a valid `Date` or
    /// RFC 3339 string, at `scores.<id>` for a score that is not a decimal string, and naming each
    /// bad field of `customers` and `histories`; "parse" for a value that has no JSON form.
    #[napi(
        ts_args_type = "customers: Array<CustomerJson>, now: Date | string, histories?: Record<string, Array<EventJson>> | undefined | null, scores?: Record<string, string> | undefined | null"
    )]
    pub fn members(
        &self,
        env: Env,
        customers: Unknown<'_>,
        now: Unknown<'_>,
        histories: Option<Unknown<'_>>,
        scores: Option<Unknown<'_>>,
    ) -> Result<Vec<String>> {
        let now = time(&env, now, "now")?;
        let customers = json_text(&env, customers, "customers")?;
        let histories = histories
            .map(|h| json_text(&env, h, "histories"))
            .transpose()?;
        let scores = match scores {
            Some(s) => Some(score_strings(&env, s)?),
            None => None,
        };
        run(&env, || {
            scrm_core::segment_members_json(
                &self.inner,
                &customers,
                histories.as_deref(),
                scores.as_deref(),
                now,
            )
        })
    }

    /// The manually included customer ids, sorted.
    #[napi(getter)]
    pub fn included(&self) -> Vec<String> {
        sorted(self.inner.included())
    }

    /// The manually excluded customer ids, sorted.
    #[napi(getter)]
    pub fn excluded(&self) -> Vec<String> {
        sorted(self.inner.excluded())
    }

    /// The condition of the segment.
    #[napi(getter)]
    pub fn condition(&self) -> CompiledCondition {
        CompiledCondition {
            inner: self.inner.condition().clone(),
        }
    }
}

fn sorted(ids: &std::collections::HashSet<String>) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().cloned().collect();
    ids.sort();
    ids
}

/// Writes the scores as JSON, refusing any that is not a string (a JS number would be a float).
fn score_strings(env: &Env, scores: Unknown<'_>) -> Result<String> {
    let text = json_text(env, scores, "scores")?;
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(&text) {
        for (id, score) in &map {
            let found = match score {
                serde_json::Value::String(_) => continue,
                serde_json::Value::Number(_) => type_name(ValueType::Number),
                serde_json::Value::Bool(_) => type_name(ValueType::Boolean),
                serde_json::Value::Null => type_name(ValueType::Null),
                _ => type_name(ValueType::Object),
            };
            return Err(fail(
                env,
                ErrorKind::Validation,
                &format!("scores.{id}"),
                format!("the score must be a decimal string such as \"72.5\", found a {found}"),
            ));
        }
    }
    // Anything else (not an object) the core refuses at `scores`.
    Ok(text)
}
