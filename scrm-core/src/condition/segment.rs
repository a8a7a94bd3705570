//! [`Segment`]: a compiled condition plus manual include and exclude lists (分群 / 人群包).

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::{CompiledCondition, Facts};

/// A segment of customers (客户分群): those matching a condition, adjusted by hand.
///
/// Marketers pin customers into a segment (include) or keep them out (exclude) whatever the
/// condition says. **Precedence:** exclude wins over include, and include wins over the condition:
///
/// | excluded | included | condition | in the segment |
/// |---|---|---|---|
/// | yes | any | any | no |
/// | no | yes | any | yes |
/// | no | no | true / false | true / false |
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use scrm_core::{Condition, Segment, Taxonomy};
/// # use scrm_core::{AttrValue, ConsentStatus, EventFilter, Facts, Number};
/// # struct Lead(i64);
/// # impl Facts for Lead {
/// #     fn score(&self) -> Option<Number> { Some(Number::from(self.0)) }
/// #     fn stage(&self) -> Option<&str> { None }
/// #     fn owner(&self) -> Option<&str> { None }
/// #     fn grade(&self) -> Option<&str> { None }
/// #     fn attribute(&self, _: &str) -> Option<AttrValue<'_>> { None }
/// #     fn has_tag(&self, _: &str) -> bool { false }
/// #     fn consent(&self, _: &str, _: &str) -> Option<ConsentStatus> { None }
/// #     fn has_identity(&self, _: &str) -> bool { false }
/// #     fn count_events(&self, _: &EventFilter, _: Option<chrono::DateTime<Utc>>, _: chrono::DateTime<Utc>) -> u64 { 0 }
/// # }
///
/// let hot = Condition::parse("score >= 60")?.compile(&Taxonomy::default())?;
/// let segment = Segment::new(hot).include(["c-vip"]).exclude(["c-blocked"]);
/// let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
///
/// assert!(segment.contains("c-1", &Lead(80), now));
/// assert!(!segment.contains("c-2", &Lead(10), now));
/// assert!(segment.contains("c-vip", &Lead(10), now));
/// assert!(!segment.contains("c-blocked", &Lead(80), now));
/// # Ok::<(), scrm_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Segment {
    condition: CompiledCondition,
    include: HashSet<String>,
    exclude: HashSet<String>,
}

impl Segment {
    /// A segment of the customers matching `condition`, with no manual overrides yet.
    pub fn new(condition: CompiledCondition) -> Segment {
        Segment {
            condition,
            include: HashSet::new(),
            exclude: HashSet::new(),
        }
    }

    /// Adds customers (by id) who belong to the segment whatever the condition says.
    pub fn include<I>(mut self, customer_ids: I) -> Segment
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.include
            .extend(customer_ids.into_iter().map(Into::into));
        self
    }

    /// Adds customers (by id) who never belong to the segment, even when included.
    pub fn exclude<I>(mut self, customer_ids: I) -> Segment
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.exclude
            .extend(customer_ids.into_iter().map(Into::into));
        self
    }

    /// The condition.
    pub fn condition(&self) -> &CompiledCondition {
        &self.condition
    }

    /// The manually included customer ids.
    pub fn included(&self) -> &HashSet<String> {
        &self.include
    }

    /// The manually excluded customer ids.
    pub fn excluded(&self) -> &HashSet<String> {
        &self.exclude
    }

    /// Whether the customer `customer_id`, whose facts are `facts`, is in the segment at `now`.
    pub fn contains<F: Facts + ?Sized>(
        &self,
        customer_id: &str,
        facts: &F,
        now: DateTime<Utc>,
    ) -> bool {
        if self.exclude.contains(customer_id) {
            return false;
        }
        self.include.contains(customer_id) || self.condition.evaluate(facts, now)
    }
}
