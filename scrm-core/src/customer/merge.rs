//! Merge (合并客户): one profile out of several profiles of the same person.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AppliedTag, Attribute, AttributeValue, Consents, Customer, Follower};
use crate::error::{Error, ErrorKind, Result};

/// How the values of one attribute on several profiles become one value.
///
/// "Empty" means blank text or an empty list ([`AttributeValue::is_empty`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MergeStrategy {
    /// The target's value, even an empty one; absent when the target has none.
    KeepTarget,
    /// The most recently set (by the attribute's `updated_at`) non-empty value; an empty value
    /// only when every value is empty. Equal times: the greater value (see [`MergeStrategy::Max`]).
    #[default]
    NewestNonEmpty,
    /// The first value ever set, ignoring empty ones (an empty value was never really known).
    /// Equal times: the smaller value.
    Oldest,
    /// The last write, even an empty one (a clear is a write). Equal times: the greater value.
    Newest,
    /// The sum of the numbers, timed at the latest of them. Other values are ignored; with no
    /// number at all, as `newest_non_empty`.
    Sum,
    /// The greatest non-empty value. Values of one type compare naturally; across types,
    /// bool < number < date < text < list.
    Max,
    /// The set union of the lists, sorted, timed at the latest of them. Other values are ignored;
    /// with no list at all, as `newest_non_empty`.
    Union,
}

/// How a merge combines profiles: a strategy per attribute and the order of lifecycle stages.
///
/// JSON: `{"default": "newest_non_empty", "attributes": {"orders": "sum"}, "stage_order":
/// ["visitor", "lead", "mql"]}`; every field may be left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MergePolicy {
    /// The strategy for attributes not named in `attributes`.
    #[serde(default)]
    pub default: MergeStrategy,
    /// The strategy per attribute name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, MergeStrategy>,
    /// Stage ids from first to furthest. A merge keeps the furthest stage of its inputs; a stage
    /// not listed ranks below every listed one (two unlisted: the greater id). List side states
    /// such as `dormant` or `churned` where they should rank, or leave them out to rank lowest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stage_order: Vec<String>,
}

impl MergePolicy {
    /// The strategy that applies to `attribute`.
    pub fn strategy(&self, attribute: &str) -> MergeStrategy {
        self.attributes
            .get(attribute)
            .copied()
            .unwrap_or(self.default)
    }

    fn stage_rank(&self, stage: &str) -> isize {
        self.stage_order
            .iter()
            .position(|s| s == stage)
            .map_or(-1, |at| at as isize)
    }
}

/// The result of a merge.
#[derive(Debug, Clone, PartialEq)]
pub struct Merged {
    /// The surviving profile, with every input's data.
    pub customer: Customer,
    /// The ids of the inputs that were absorbed (every input but the survivor), sorted: the rows a
    /// host deletes or points at `customer.id`.
    pub absorbed: Vec<String>,
}

/// Merges profiles of one person into one profile (PIN below).
///
/// # The semantics (PIN: ours, not Unomi's or Mautic's)
///
/// - **Survivor.** The oldest profile (`created_at`, ties by the smaller id) is the target: its id
///   stays. Every other id, and every id those profiles had absorbed before, goes to `merged_ids`,
///   sorted: the alias record that [`Aliases`] reads so old ids still resolve.
/// - **Attributes.** Per attribute, the [`MergeStrategy`] the [`MergePolicy`] names for it, else
///   its default (`newest_non_empty`).
/// - **Identities, tags, touches** are unioned and sorted; nothing is dropped. Tags keep their
///   provenance: the same tag applied twice by different rules or at different times stays twice.
/// - **Followers** are unioned; an employee following several profiles keeps the earliest `since`.
/// - **Consents**: every record of every profile survives, in time order, so the decision in force
///   per purpose is the most recent one (with the sticky self-unsubscribe rule of [`Consents`]).
///   Two decisions at the same instant are applied granted, denied, withdrawn: the refusal stands.
/// - **Stage**: the further one along [`MergePolicy::stage_order`].
/// - **Owner and account**: the one held longest: the earliest `owner_since` (`account_since`),
///   which defaults to the profile's `created_at`, ties by the smaller id. For profiles never merged
///   this is the PIN "the target's unless it has none" (the target is the oldest profile); the
///   merged profile records when its owner took it, so a later merge keeps choosing the same way.
/// - **created_at**: the earliest.
/// - **Engagement score** is not stored on a customer: it is recomputed from the merged history,
///   so a merge neither sums nor loses points.
///
/// # Order independence
///
/// A merge depends on the set of profiles, not on their order or grouping: `merge([A, B, C])`
/// equals `merge([C, A, B])`, `merge([A, merge([B, C])])` and `merge([merge([A, B]), C])`. Every
/// rule above is a choice by a total order, a union or a sum, and a merged profile is as old as its
/// oldest input, so it stays the target in any later merge. One exception: `sum` adds `f64`s, so
/// regrouping may change the last bits of a sum of fractions. Sums of integers up to 2^53 are
/// exact.
///
/// Inputs must be distinct profiles: an id may appear once, and not as another input's merged id
/// (that profile was merged already; a `sum` would count it twice).
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use scrm_core::{AttributeValue, Customer, MergePolicy, MergeStrategy, merge};
///
/// let day = |d| Utc.with_ymd_and_hms(2026, 1, d, 0, 0, 0).unwrap();
/// let mut old = Customer::new("acme", "c1", day(1));
/// old.set_attribute("city", AttributeValue::Text("上海".into()), day(1))?;
/// old.set_attribute("orders", AttributeValue::Number(2.0), day(1))?;
/// let mut new = Customer::new("acme", "c2", day(5));
/// new.set_attribute("city", AttributeValue::Text("杭州".into()), day(5))?;
/// new.set_attribute("orders", AttributeValue::Number(3.0), day(5))?;
///
/// let mut policy = MergePolicy::default();
/// policy.attributes.insert("orders".into(), MergeStrategy::Sum);
/// let merged = merge(&[new, old], &policy)?;
/// assert_eq!(merged.customer.id, "c1");
/// assert_eq!(merged.customer.merged_ids, ["c2"]);
/// assert_eq!(merged.customer.attributes["city"].value, AttributeValue::Text("杭州".into()));
/// assert_eq!(merged.customer.attributes["orders"].value, AttributeValue::Number(5.0));
/// # Ok::<(), scrm_core::Error>(())
/// ```
///
/// # Errors
///
/// [`ErrorKind::Validation`] when there is no input, when the inputs belong to different tenants
/// (merge per tenant), when an id appears twice or an input was already merged into another
/// (drop the stale copy: [`Aliases`] resolves its id), when `stage_order` lists a stage twice, or
/// when a `sum` overflows.
pub fn merge(customers: &[Customer], policy: &MergePolicy) -> Result<Merged> {
    merge_refs(customers.iter().collect(), policy)
}

/// Merges two profiles: `merge(&[a, b], policy)` without cloning them first.
///
/// # Errors
///
/// As [`merge`].
pub fn merge_pair(a: &Customer, b: &Customer, policy: &MergePolicy) -> Result<Merged> {
    merge_refs(vec![a, b], policy)
}

/// The value held the longest among the inputs that have one, with since when: the earliest
/// `since` (a profile's `created_at` when it has none), ties by the value. Choosing by a total order
/// over (since, value) keeps the choice the same however merges are grouped.
fn held_longest(
    inputs: &[&Customer],
    field: impl Fn(&Customer) -> (Option<&String>, Option<DateTime<Utc>>),
) -> (Option<String>, Option<DateTime<Utc>>) {
    inputs
        .iter()
        .filter_map(|c| match field(c) {
            (Some(value), since) => Some((since.unwrap_or(c.created_at), value)),
            (None, _) => None,
        })
        .min()
        .map_or((None, None), |(since, value)| {
            (Some(value.clone()), Some(since))
        })
}

fn merge_refs(mut inputs: Vec<&Customer>, policy: &MergePolicy) -> Result<Merged> {
    check(&inputs, policy)?;
    inputs.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
    let target = inputs[0];
    let mut out = Customer::new(&target.tenant_id, &target.id, target.created_at);
    out.identities = sorted_set(inputs.iter().flat_map(|c| c.identities.iter().cloned()));
    out.tags = sorted_set::<AppliedTag>(inputs.iter().flat_map(|c| c.tags.iter().cloned()));
    out.touches = sorted_set(inputs.iter().flat_map(|c| c.touches.iter().cloned()));
    out.followers = earliest_followers(&inputs);
    out.consents = all_consents(&inputs);
    (out.owner, out.owner_since) = held_longest(&inputs, |c| (c.owner.as_ref(), c.owner_since));
    (out.account_id, out.account_since) =
        held_longest(&inputs, |c| (c.account_id.as_ref(), c.account_since));
    out.stage = inputs
        .iter()
        .filter_map(|c| c.stage.as_deref())
        .max_by(|a, b| (policy.stage_rank(a), a).cmp(&(policy.stage_rank(b), b)))
        .map(str::to_owned);
    let merged_ids = inputs.iter().skip(1).map(|c| c.id.as_str()).chain(
        inputs
            .iter()
            .flat_map(|c| c.merged_ids.iter().map(String::as_str)),
    );
    out.merged_ids = sorted_set(merged_ids.filter(|id| *id != target.id).map(str::to_owned));
    out.attributes = merge_attributes(&inputs, policy)?;
    let absorbed = sorted_set(inputs[1..].iter().map(|c| c.id.to_string()));
    Ok(Merged {
        customer: out,
        absorbed,
    })
}

/// Refuses what a merge cannot do right: no input, mixed tenants, the same profile twice.
fn check(inputs: &[&Customer], policy: &MergePolicy) -> Result<()> {
    let Some(first) = inputs.first() else {
        return Err(Error::at(
            ErrorKind::Validation,
            "",
            "a merge needs at least one customer, found none",
        ));
    };
    if let Some(other) = inputs.iter().find(|c| c.tenant_id != first.tenant_id) {
        return Err(Error::at(
            ErrorKind::Validation,
            "tenant_id",
            format!(
                "cannot merge across tenants: customer {:?} belongs to tenant {:?}, customer {:?} to tenant {:?}",
                first.id, first.tenant_id, other.id, other.tenant_id
            ),
        ));
    }
    let mut ids: HashSet<&str> = HashSet::with_capacity(inputs.len());
    for c in inputs {
        if !ids.insert(&c.id) {
            let message = format!(
                "customer {:?} is given twice; merge distinct profiles",
                c.id
            );
            return Err(Error::at(ErrorKind::Validation, "id", message));
        }
    }
    for c in inputs {
        if let Some(old) = c
            .merged_ids
            .iter()
            .find(|old| **old != c.id && ids.contains(old.as_str()))
        {
            return Err(Error::at(
                ErrorKind::Validation,
                "merged_ids",
                format!(
                    "customer {old:?} was already merged into {:?}; drop the stale copy",
                    c.id
                ),
            ));
        }
    }
    for (i, stage) in policy.stage_order.iter().enumerate() {
        if policy.stage_order[..i].contains(stage) {
            return Err(Error::at(
                ErrorKind::Validation,
                format!("stage_order[{i}]"),
                format!("stage {stage:?} is listed twice"),
            ));
        }
    }
    Ok(())
}

fn sorted_set<T: Ord>(items: impl Iterator<Item = T>) -> Vec<T> {
    let mut items: Vec<T> = items.collect();
    items.sort_unstable();
    items.dedup();
    items
}

/// Every follower once, with the earliest `since` any profile has for them.
fn earliest_followers(inputs: &[&Customer]) -> Vec<Follower> {
    let mut followers = sorted_set(inputs.iter().flat_map(|c| c.followers.iter().cloned()));
    followers.dedup_by(|later, earlier| later.employee_id == earlier.employee_id);
    followers
}

/// Every consent record of every profile. [`Consents`] keeps records in one canonical order
/// whatever order they arrive in, so the state in force does not depend on the merge order.
fn all_consents(inputs: &[&Customer]) -> Consents {
    let mut out = Consents::default();
    for c in inputs {
        out.absorb(&c.consents);
    }
    out
}

fn merge_attributes(
    inputs: &[&Customer],
    policy: &MergePolicy,
) -> Result<BTreeMap<String, Attribute>> {
    let mut by_name: BTreeMap<&str, Vec<&Attribute>> = BTreeMap::new();
    for c in inputs {
        for (name, attribute) in &c.attributes {
            by_name.entry(name).or_default().push(attribute);
        }
    }
    let mut out = BTreeMap::new();
    for (name, values) in by_name {
        let merged = match policy.strategy(name) {
            MergeStrategy::KeepTarget => inputs[0].attributes.get(name).cloned(),
            MergeStrategy::NewestNonEmpty => Some(newest_non_empty(&values)),
            MergeStrategy::Newest => values.iter().copied().max_by(|a, b| by_time(a, b)).cloned(),
            MergeStrategy::Oldest => values
                .iter()
                .copied()
                .min_by(|a, b| {
                    a.value
                        .is_empty()
                        .cmp(&b.value.is_empty())
                        .then(by_time(a, b))
                })
                .cloned(),
            MergeStrategy::Max => values
                .iter()
                .copied()
                .max_by(|a, b| {
                    (!a.value.is_empty())
                        .cmp(&!b.value.is_empty())
                        .then(cmp_values(&a.value, &b.value))
                        .then(a.updated_at.cmp(&b.updated_at))
                })
                .cloned(),
            MergeStrategy::Sum => Some(sum(name, &values)?),
            MergeStrategy::Union => Some(union(&values)),
        };
        if let Some(attribute) = merged {
            out.insert(name.to_owned(), attribute);
        }
    }
    Ok(out)
}

/// `updated_at`, then the value: a total order, so the choice never depends on input order.
fn by_time(a: &Attribute, b: &Attribute) -> Ordering {
    a.updated_at
        .cmp(&b.updated_at)
        .then_with(|| cmp_values(&a.value, &b.value))
}

fn newest_non_empty(values: &[&Attribute]) -> Attribute {
    let best = values.iter().copied().max_by(|a, b| {
        (!a.value.is_empty())
            .cmp(&!b.value.is_empty())
            .then(by_time(a, b))
    });
    best.expect("an attribute seen on at least one profile")
        .clone()
}

fn sum(name: &str, values: &[&Attribute]) -> Result<Attribute> {
    let mut numbers: Vec<(f64, chrono::DateTime<chrono::Utc>)> = values
        .iter()
        .filter_map(|a| match a.value {
            AttributeValue::Number(n) => Some((n, a.updated_at)),
            _ => None,
        })
        .collect();
    let Some(latest) = numbers.iter().map(|(_, at)| *at).max() else {
        return Ok(newest_non_empty(values));
    };
    // Adding in value order makes a merge of the same profiles in any order give the same bits.
    numbers.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = numbers.iter().map(|(n, _)| n).sum();
    if !total.is_finite() {
        return Err(Error::at(
            ErrorKind::Validation,
            format!("attributes.{name}"),
            format!(
                "the sum of {:?} is not a finite number",
                numbers.iter().map(|(n, _)| n).collect::<Vec<_>>()
            ),
        ));
    }
    Ok(Attribute {
        value: AttributeValue::Number(total),
        updated_at: latest,
    })
}

fn union(values: &[&Attribute]) -> Attribute {
    let lists: Vec<&Attribute> = values
        .iter()
        .copied()
        .filter(|a| matches!(a.value, AttributeValue::List(_)))
        .collect();
    let Some(latest) = lists.iter().map(|a| a.updated_at).max() else {
        return newest_non_empty(values);
    };
    let items = lists.iter().flat_map(|a| match &a.value {
        AttributeValue::List(items) => items.iter().cloned(),
        _ => unreachable!("filtered to lists"),
    });
    Attribute {
        value: AttributeValue::List(sorted_set(items)),
        updated_at: latest,
    }
}

/// A total order on values: by type (bool < number < date < text < list), then naturally.
fn cmp_values(a: &AttributeValue, b: &AttributeValue) -> Ordering {
    fn rank(v: &AttributeValue) -> u8 {
        match v {
            AttributeValue::Bool(_) => 0,
            AttributeValue::Number(_) => 1,
            AttributeValue::Date(_) => 2,
            AttributeValue::Text(_) => 3,
            AttributeValue::List(_) => 4,
        }
    }
    match (a, b) {
        (AttributeValue::Bool(x), AttributeValue::Bool(y)) => x.cmp(y),
        (AttributeValue::Number(x), AttributeValue::Number(y)) => x.total_cmp(y),
        (AttributeValue::Date(x), AttributeValue::Date(y)) => x.cmp(y),
        (AttributeValue::Text(x), AttributeValue::Text(y)) => x.cmp(y),
        (AttributeValue::List(x), AttributeValue::List(y)) => x.cmp(y),
        _ => rank(a).cmp(&rank(b)),
    }
}

/// Where old profile ids now live: built from merged customers' `merged_ids`, so a host can look
/// up an id it stored before a merge.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use scrm_core::{Aliases, Customer, MergePolicy, merge_pair};
///
/// let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
/// let merged = merge_pair(&Customer::new("acme", "a", at), &Customer::new("acme", "b", at), &MergePolicy::default())?;
/// let aliases = Aliases::from_customers([&merged.customer])?;
/// assert_eq!(aliases.resolve_id("b"), "a");
/// assert_eq!(aliases.resolve_id("zzz"), "zzz");
/// # Ok::<(), scrm_core::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Aliases {
    tenant_id: Option<String>,
    to: HashMap<String, String>,
}

impl Aliases {
    /// The aliases recorded on `customers` (all of one tenant). When two customers claim the same
    /// old id, the smaller survivor id wins; a stale copy that was itself merged later still
    /// resolves through to the final survivor.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the customers belong to different tenants.
    pub fn from_customers<'a>(
        customers: impl IntoIterator<Item = &'a Customer>,
    ) -> Result<Aliases> {
        let mut aliases = Aliases::default();
        for c in customers {
            match &aliases.tenant_id {
                None => aliases.tenant_id = Some(c.tenant_id.to_string()),
                Some(tenant) => c.ensure_tenant(tenant)?,
            }
            for old in c.merged_ids.iter().filter(|old| **old != c.id) {
                aliases
                    .to
                    .entry(old.clone())
                    .and_modify(|survivor| {
                        if c.id.as_str() < survivor.as_str() {
                            *survivor = c.id.to_string();
                        }
                    })
                    .or_insert_with(|| c.id.to_string());
            }
        }
        Ok(aliases)
    }

    /// The tenant the aliases belong to, if any customer was given.
    pub fn tenant_id(&self) -> Option<&str> {
        self.tenant_id.as_deref()
    }

    /// [`Aliases::resolve_id`] of each of `ids`, in order.
    pub fn resolve_ids(&self, ids: &[String]) -> Vec<String> {
        ids.iter()
            .map(|id| self.resolve_id(id).to_owned())
            .collect()
    }

    /// The id that `id` lives under now: its survivor's (following chains of merges), or `id`
    /// itself when it was never merged.
    pub fn resolve_id<'a>(&'a self, id: &'a str) -> &'a str {
        let mut current = id;
        // Bounded: corrupt records could form a cycle.
        for _ in 0..=self.to.len() {
            match self.to.get(current) {
                Some(next) => current = next,
                None => break,
            }
        }
        current
    }

    /// The number of old ids recorded.
    pub fn len(&self) -> usize {
        self.to.len()
    }

    /// Whether no id was ever merged.
    pub fn is_empty(&self) -> bool {
        self.to.is_empty()
    }
}
