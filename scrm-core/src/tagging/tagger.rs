//! [`Tagger`]: the compiled tagging rules of one playbook.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::index::{TagIndex, TagNo};
use super::keywords::{Hit, KeywordMatcher};
use super::normalize::fold;
use super::{MAX_TAGS_PER_CUSTOMER, TagAction, TagChange};
use crate::Name;
use crate::bytes::{among, same};
use crate::condition::{CompiledCondition, Condition, EventFilter};
use crate::customer::{AppliedTag, Customer, CustomerFacts, Event, Identity, Provenance};
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::playbook::{Playbook, TagRule};

/// A tag attached to an identity before its owner is a customer (预打标), e.g. from an offline
/// event's sign-up sheet; applied when a customer with that identity arrives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PreTag {
    /// The phone, unionid or other identity the tag waits for.
    pub identity: Identity,
    /// The tag id or name.
    pub tag: String,
    /// When it was attached.
    pub at: DateTime<Utc>,
}

struct CompiledRule {
    id: String,
    /// `" (rule {id})"`, the end of its reasons, written once.
    cite: String,
    /// What the tags this rule applies record as their provenance.
    provenance: Provenance,
    tags: Vec<TagNo>,
    ttl: Option<TimeDelta>,
}

struct BehaviourRule {
    rule: usize,
    event: String,
    properties: BTreeMap<String, String>,
    min_count: u32,
    within: TimeDelta,
    /// The window as the playbook writes it, for reasons.
    within_text: String,
}

/// The tagging rules of one playbook, compiled.
pub struct Tagger {
    tenant_id: String,
    index: TagIndex,
    rules: Vec<CompiledRule>,
    by_channel_code: HashMap<String, Vec<usize>>,
    keywords: Option<KeywordMatcher>,
    /// For each keyword pattern: the rule it belongs to and the start of its reason,
    /// `said "多少钱" in `, written once here (quoting Chinese text checks every character's
    /// printability).
    keyword_rules: Vec<(usize, String)>,
    keyword_event_types: Vec<Vec<String>>,
    behaviour: Vec<BehaviourRule>,
    conditions: Vec<(usize, CompiledCondition)>,
}

impl Tagger {
    /// Compiles the taxonomy and tagging rules of `playbook`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] listing every rule that names an unknown or ambiguous tag, has a
    /// bad duration, no keywords or codes, or a duplicate id.
    pub fn new(playbook: &Playbook) -> Result<Tagger> {
        let index = TagIndex::new(playbook.taxonomy());
        let mut problems = Vec::new();
        let mut tagger = Tagger {
            tenant_id: playbook.tenant_id().to_owned(),
            index,
            rules: Vec::new(),
            by_channel_code: HashMap::new(),
            keywords: None,
            keyword_rules: Vec::new(),
            keyword_event_types: Vec::new(),
            behaviour: Vec::new(),
            conditions: Vec::new(),
        };
        let mut patterns = Vec::new();
        let mut seen_ids: HashMap<&str, usize> = HashMap::new();
        for (i, rule) in playbook.tagging().rules.iter().enumerate() {
            let at = format!("tagging.rules[{i}]");
            if let Some(first) = seen_ids.insert(rule.id(), i) {
                problems.push(Problem::new(
                    format!("{at}.id"),
                    format!(
                        "duplicate rule id {:?} (first at tagging.rules[{first}].id)",
                        rule.id()
                    ),
                ));
            }
            let compiled = tagger.compile_rule(rule, &at, &mut problems);
            let no = tagger.rules.len();
            tagger.rules.push(compiled);
            match rule {
                TagRule::ChannelCode { codes, .. } => {
                    if codes.is_empty() {
                        problems.push(Problem::new(
                            format!("{at}.codes"),
                            "a channel-code rule needs at least one code",
                        ));
                    }
                    for code in codes {
                        tagger
                            .by_channel_code
                            .entry(code.trim().to_owned())
                            .or_default()
                            .push(no);
                    }
                }
                TagRule::Keyword {
                    keywords,
                    event_types,
                    ..
                } => {
                    if keywords.is_empty() {
                        problems.push(Problem::new(
                            format!("{at}.keywords"),
                            "a keyword rule needs at least one keyword",
                        ));
                    }
                    for (k, keyword) in keywords.iter().enumerate() {
                        let folded = fold(keyword.trim());
                        if folded.is_empty() {
                            problems.push(Problem::new(
                                format!("{at}.keywords[{k}]"),
                                format!("blank keyword {keyword:?}"),
                            ));
                            continue;
                        }
                        patterns.push(folded);
                        tagger
                            .keyword_rules
                            .push((no, format!("said {:?} in ", keyword.trim())));
                    }
                    tagger.keyword_event_types.resize(no + 1, Vec::new());
                    tagger.keyword_event_types[no] = event_types.clone();
                }
                TagRule::Behaviour {
                    event,
                    properties,
                    min_count,
                    within,
                    ..
                } => {
                    if *min_count == 0 {
                        problems.push(Problem::new(
                            format!("{at}.min_count"),
                            "min_count must be at least 1",
                        ));
                    }
                    let within_text = within;
                    match crate::duration::parse(within, &format!("{at}.within")) {
                        Ok(within) => tagger.behaviour.push(BehaviourRule {
                            rule: no,
                            event: event.clone(),
                            properties: properties.clone(),
                            min_count: *min_count,
                            within,
                            within_text: within_text.trim().to_owned(),
                        }),
                        Err(e) => problems.extend(e.problems().iter().cloned()),
                    }
                }
                TagRule::Condition { condition, .. } => {
                    let path = format!("{at}.condition");
                    match Condition::parse_at(condition, &path)
                        .and_then(|c| c.compile_at(playbook.taxonomy(), &path))
                    {
                        Ok(compiled) => tagger.conditions.push((no, compiled)),
                        Err(e) => problems.extend(e.problems().iter().cloned()),
                    }
                }
            }
        }
        if !patterns.is_empty() {
            tagger.keywords = Some(KeywordMatcher::new(&patterns));
        }
        if problems.is_empty() {
            Ok(tagger)
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }

    fn compile_rule(&self, rule: &TagRule, at: &str, problems: &mut Vec<Problem>) -> CompiledRule {
        let mut tags = Vec::new();
        if rule.tags().is_empty() {
            problems.push(Problem::new(
                format!("{at}.tags"),
                "a rule needs at least one tag",
            ));
        }
        for (t, reference) in rule.tags().iter().enumerate() {
            match self.index.resolve(reference) {
                Ok(no) => tags.push(no),
                Err(message) => problems.push(Problem::new(format!("{at}.tags[{t}]"), message)),
            }
        }
        let ttl =
            rule.ttl().and_then(
                |ttl| match crate::duration::parse(ttl, &format!("{at}.ttl")) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        problems.extend(e.problems().iter().cloned());
                        None
                    }
                },
            );
        let id = rule.id().to_owned();
        let name = Name::from(&id);
        let provenance = match rule {
            TagRule::ChannelCode { .. } => Provenance::ChannelCode(name),
            TagRule::Keyword { .. } => Provenance::Keyword(name),
            TagRule::Behaviour { .. } => Provenance::Behaviour(name),
            _ => Provenance::Condition(name),
        };
        CompiledRule {
            cite: format!(" (rule {id})"),
            id,
            provenance,
            tags,
            ttl,
        }
    }

    /// Applies a tag by hand (or from an import), by id or display name.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for an unknown tag, a customer of another tenant, or a customer
    /// already at [`MAX_TAGS_PER_CUSTOMER`].
    pub fn tag(
        &self,
        customer: &mut Customer,
        tag: &str,
        provenance: Provenance,
        at: DateTime<Utc>,
    ) -> Result<Vec<TagChange>> {
        customer.ensure_tenant(&self.tenant_id)?;
        let no = self
            .index
            .resolve(tag)
            .map_err(|m| Error::at(ErrorKind::Validation, "tag", m))?;
        let mut changes = Vec::new();
        self.apply(
            customer,
            no,
            &provenance,
            at,
            None,
            &|| "applied by hand".to_owned(),
            &mut changes,
        )?;
        Ok(changes)
    }

    /// Takes a tag off, by id or display name. Taking off a tag the customer does not carry
    /// changes nothing.
    pub fn untag(
        &self,
        customer: &mut Customer,
        tag: &str,
        provenance: Provenance,
    ) -> Result<Vec<TagChange>> {
        customer.ensure_tenant(&self.tenant_id)?;
        let no = self
            .index
            .resolve(tag)
            .map_err(|m| Error::at(ErrorKind::Validation, "tag", m))?;
        let id = &self.index.info(no).id;
        let before = customer.tags.len();
        customer.tags.retain(|t| !t.is(id));
        if customer.tags.len() == before {
            return Ok(Vec::new());
        }
        Ok(vec![TagChange {
            tag_id: id.clone(),
            action: TagAction::Removed,
            provenance,
            reason: "removed by hand".to_owned(),
        }])
    }

    /// Runs the auto-tag rules on one event of the customer. `history` holds the customer's
    /// earlier events (it may include `event`; events are counted once per id) for behaviour rules.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the event or customer belongs to another tenant, the event
    /// is for another customer, or the customer would pass [`MAX_TAGS_PER_CUSTOMER`].
    pub fn on_event(
        &self,
        customer: &mut Customer,
        event: &Event,
        history: &[Event],
    ) -> Result<Vec<TagChange>> {
        let mut changes = Vec::new();
        self.on_event_in(
            customer,
            event,
            &SliceHistory {
                tagger: self,
                history,
            },
            &mut changes,
        )?;
        Ok(changes)
    }

    /// [`Tagger::on_event`] with the history behind a [`TagContext`], appending to `changes`:
    /// the engine keeps compact traces of past events instead of the events themselves.
    pub(crate) fn on_event_in(
        &self,
        customer: &mut Customer,
        event: &Event,
        context: &dyn TagContext,
        changes: &mut Vec<TagChange>,
    ) -> Result<()> {
        customer.ensure_tenant(&self.tenant_id)?;
        if !same(&event.tenant_id, &self.tenant_id) || !same(&event.customer_id, &customer.id) {
            return Err(Error::at(
                ErrorKind::Validation,
                "event",
                format!(
                    "event {:?} is for customer {:?} of tenant {:?}, not customer {:?} of tenant {:?}",
                    event.id, event.customer_id, event.tenant_id, customer.id, self.tenant_id
                ),
            ));
        }
        let mut claimed = Vec::new();
        if let Some(code) = event.channel_code.as_deref() {
            for &r in self
                .by_channel_code
                .get(code.trim())
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                let reason =
                    || format!("scanned channel code {code:?} (rule {})", self.rules[r].id);
                self.apply_rule(customer, r, event.at, &reason, &mut claimed, changes)?;
            }
        }
        if let (Some(text), Some(automaton)) = (event.text.as_deref(), &self.keywords) {
            // Each rule fires once, with the first of its keywords in the text as the reason.
            let mut fired = Fired::default();
            automaton.scan(text, |hit| match hit {
                Hit::Restart => fired.clear(),
                Hit::Pattern(pattern) => {
                    let Some(&(rule, _)) = self.keyword_rules.get(pattern) else {
                        return;
                    };
                    let types = &self.keyword_event_types[rule];
                    if types.is_empty() || among(types, &event.kind) {
                        fired.insert(rule, pattern);
                    }
                }
            });
            for &(r, pattern) in fired.sorted() {
                let said = self.keyword_rules.get(pattern).map_or("", |k| k.1.as_str());
                let reason = || concat(&[said, &event.kind, &self.rules[r].cite]);
                self.apply_rule(customer, r, event.at, &reason, &mut claimed, changes)?;
            }
        }
        for (i, b) in self.behaviour.iter().enumerate() {
            let count = context.behaviour_count(i, event);
            if count >= u64::from(b.min_count) {
                let reason = || {
                    format!(
                        "{} ×{count} within {} (rule {})",
                        b.event, b.within_text, self.rules[b.rule].id
                    )
                };
                self.apply_rule(customer, b.rule, event.at, &reason, &mut claimed, changes)?;
            }
        }
        // Condition rules see the customer as the rules above left them, so a condition may build
        // on tags applied by the same event; they run to a fixed point (a rule fires at most once
        // per event), so replaying the event finds every condition's tags already on.
        if self.conditions.is_empty() {
            return Ok(());
        }
        let mut done = vec![false; self.conditions.len()];
        loop {
            let fired: Vec<usize> = (0..self.conditions.len())
                .filter(|&i| !done[i] && context.holds(&self.conditions[i].1, customer, event))
                .collect();
            if fired.is_empty() {
                break;
            }
            for i in fired {
                done[i] = true;
                let r = self.conditions[i].0;
                let reason = || format!("condition became true (rule {})", self.rules[r].id);
                self.apply_rule(customer, r, event.at, &reason, &mut claimed, changes)?;
            }
        }
        Ok(())
    }

    /// Resolves a tag id or display name to its id.
    pub(crate) fn resolve_tag(&self, reference: &str) -> std::result::Result<&str, String> {
        self.index
            .resolve(reference)
            .map(|no| self.index.info(no).id.as_str())
    }

    /// What each behaviour rule counts, in the order [`TagContext::behaviour_count`] numbers them:
    /// its event filter and its window (counted in `(at - within, at]`).
    pub(crate) fn behaviour_filters(&self) -> Vec<(EventFilter, TimeDelta)> {
        self.behaviour
            .iter()
            .map(|b| {
                (
                    EventFilter::with_text_properties(&b.event, &b.properties),
                    b.within,
                )
            })
            .collect()
    }

    /// The conditions of the condition rules.
    pub(crate) fn conditions(&self) -> impl Iterator<Item = &CompiledCondition> {
        self.conditions.iter().map(|(_, c)| c)
    }

    /// Applies the pre-tags waiting for any identity of the customer.
    pub fn apply_pre_tags(
        &self,
        customer: &mut Customer,
        pre_tags: &[PreTag],
    ) -> Result<Vec<TagChange>> {
        customer.ensure_tenant(&self.tenant_id)?;
        let mut changes = Vec::new();
        for (i, pre) in pre_tags.iter().enumerate() {
            if !customer.identities.contains(&pre.identity) {
                continue;
            }
            let no = self
                .index
                .resolve(&pre.tag)
                .map_err(|m| Error::at(ErrorKind::Validation, format!("pre_tags[{i}].tag"), m))?;
            let reason = || format!("pre-tagged on {}", pre.identity);
            self.apply(
                customer,
                no,
                &Provenance::PreTag,
                pre.at,
                None,
                &reason,
                &mut changes,
            )?;
        }
        Ok(changes)
    }

    /// Takes off the tags whose expiry has passed at `now`.
    pub fn expire(&self, customer: &mut Customer, now: DateTime<Utc>) -> Vec<TagChange> {
        let mut changes = Vec::new();
        customer.tags.retain(|t| {
            let live = t.is_live(now);
            if !live {
                changes.push(TagChange {
                    tag_id: t.tag_id.clone(),
                    action: TagAction::Removed,
                    provenance: t.provenance.clone(),
                    reason: "expired".to_owned(),
                });
            }
            live
        });
        changes
    }

    fn apply_rule(
        &self,
        customer: &mut Customer,
        rule: usize,
        at: DateTime<Utc>,
        reason: &dyn Fn() -> String,
        claimed: &mut Vec<(usize, TagNo)>,
        changes: &mut Vec<TagChange>,
    ) -> Result<()> {
        let r = &self.rules[rule];
        for &tag in &r.tags {
            // Within one event the first rule to pick a tag of an exclusive group keeps it: a
            // later rule of the same event does not replace it, so replaying the event finds the
            // same tag already on and changes nothing.
            let group = self.index.info(tag).group;
            if self.index.groups[group].exclusive {
                match claimed.iter().find(|(g, _)| *g == group) {
                    Some(&(_, winner)) if winner != tag => continue,
                    Some(_) => {}
                    None => claimed.push((group, tag)),
                }
            }
            self.apply(
                customer,
                tag,
                &r.provenance,
                at,
                r.ttl.map(|ttl| at + ttl),
                reason,
                changes,
            )?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)] // one private step with every input spelled out
    fn apply(
        &self,
        customer: &mut Customer,
        tag: TagNo,
        provenance: &Provenance,
        at: DateTime<Utc>,
        expires_at: Option<DateTime<Utc>>,
        reason: &dyn Fn() -> String,
        changes: &mut Vec<TagChange>,
    ) -> Result<()> {
        // The reason and provenance are built only when something changes: a replayed event,
        // the common case on a busy customer, allocates nothing.
        let info = self.index.info(tag);
        // One pass over the customer's tags: the live record of this tag, if any, and whether
        // an expired one is left to clear.
        let mut stale = false;
        let mut live = None;
        for (i, t) in customer.tags.iter().enumerate() {
            if t.is(&info.id) {
                if t.is_live(at) {
                    live = Some(i);
                    break;
                }
                stale = true;
            }
        }
        if let Some(existing) = live.and_then(|i| customer.tags.get_mut(i)) {
            // Already on: only a later expiry (or none) changes anything, so a replay is a no-op.
            let later = match (existing.expires_at, expires_at) {
                (Some(old), Some(new)) => new > old,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if later {
                existing.expires_at = expires_at;
                changes.push(TagChange {
                    tag_id: info.id.clone(),
                    action: TagAction::Refreshed,
                    provenance: provenance.clone(),
                    reason: reason(),
                });
            }
            return Ok(());
        }
        let group = &self.index.groups[info.group];
        if group.exclusive {
            let siblings: Vec<&str> = group
                .tags
                .iter()
                .filter(|&&t| t != tag)
                .map(|&t| self.index.info(t).id.as_str())
                .collect();
            customer.tags.retain(|t| {
                let sibling = siblings.contains(&t.tag_id.as_str());
                if sibling && t.is_live(at) {
                    changes.push(TagChange {
                        tag_id: t.tag_id.clone(),
                        action: TagAction::Removed,
                        provenance: provenance.clone(),
                        reason: format!("replaced by {} (exclusive group {})", info.id, group.id),
                    });
                }
                !sibling
            });
        }
        if stale {
            customer.tags.retain(|t| !t.is(&info.id)); // an expired record of the same tag
        }
        if customer.tags.len() >= MAX_TAGS_PER_CUSTOMER {
            return Err(Error::at(
                ErrorKind::Validation,
                "tags",
                format!(
                    "customer {:?} already has {MAX_TAGS_PER_CUSTOMER} tags, the most allowed; cannot add {:?}",
                    customer.id, info.id
                ),
            ));
        }
        customer.tags.push(AppliedTag {
            tag_id: info.id.clone(),
            applied_at: at,
            provenance: provenance.clone(),
            expires_at,
        });
        changes.push(TagChange {
            tag_id: info.id.clone(),
            action: TagAction::Added,
            provenance: provenance.clone(),
            reason: reason(),
        });
        Ok(())
    }
}

/// `parts` joined, allocated once at its final size.
fn concat(parts: &[&str]) -> String {
    let mut out = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.push_str(part);
    }
    out
}

/// The keyword rules one message fired, each with its first keyword (by pattern index): the
/// first few inline, so a message allocates nothing here.
#[derive(Default)]
struct Fired {
    inline: [(usize, usize); 8],
    len: usize,
    more: Vec<(usize, usize)>,
}

impl Fired {
    /// Records `rule`, fired by `pattern`, unless it already fired.
    fn insert(&mut self, rule: usize, pattern: usize) {
        let mut seen = self.inline.iter().take(self.len).chain(&self.more);
        if seen.any(|&(r, _)| r == rule) {
            return;
        }
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = (rule, pattern);
                self.len += 1;
            }
            None => self.more.push((rule, pattern)),
        }
    }

    fn clear(&mut self) {
        self.len = 0;
        self.more.clear();
    }

    /// The rules in playbook order, each with its first pattern.
    fn sorted(&mut self) -> &[(usize, usize)] {
        if self.more.is_empty() {
            let fired = self.inline.get_mut(..self.len).unwrap_or_default();
            fired.sort_unstable_by_key(|&(r, _)| r);
            fired
        } else {
            self.more.extend(self.inline.iter().take(self.len));
            self.len = 0;
            self.more.sort_unstable_by_key(|&(r, _)| r);
            &self.more
        }
    }
}

/// What the tagger asks about a customer's past while it runs the rules on one event.
pub(crate) trait TagContext {
    /// How many distinct events (the current one included) match behaviour rule number `rule` in
    /// the window `(event.at - within, event.at]`.
    fn behaviour_count(&self, rule: usize, event: &Event) -> u64;
    /// Whether `condition` holds for `customer` when `event` happens (the event counted).
    fn holds(&self, condition: &CompiledCondition, customer: &Customer, event: &Event) -> bool;
}

/// The history as a slice of events, as [`Tagger::on_event`] receives it.
struct SliceHistory<'a> {
    tagger: &'a Tagger,
    history: &'a [Event],
}

impl TagContext for SliceHistory<'_> {
    fn behaviour_count(&self, rule: usize, event: &Event) -> u64 {
        self.tagger
            .behaviour
            .get(rule)
            .map_or(0, |b| behaviour_count(b, event, self.history))
    }

    fn holds(&self, condition: &CompiledCondition, customer: &Customer, event: &Event) -> bool {
        let facts = CustomerFacts::new(customer, self.history, event.at).with_current(event);
        condition.evaluate(&facts, event.at)
    }
}

/// How many distinct events (by id) match a behaviour rule in the window ending at `event`.
fn behaviour_count(rule: &BehaviourRule, event: &Event, history: &[Event]) -> u64 {
    let from = event.at - rule.within;
    let matches = |e: &Event| {
        same(&e.kind, &rule.event)
            && e.at > from
            && e.at <= event.at
            && rule
                .properties
                .iter()
                .all(|(k, v)| e.property_str(k) == Some(v.as_str()))
    };
    let mut ids: Vec<&str> = history
        .iter()
        .filter(|e| matches(e))
        .map(|e| e.id.as_str())
        .collect();
    if matches(event) {
        ids.push(event.id.as_str());
    }
    ids.sort_unstable();
    ids.dedup();
    ids.len() as u64
}

#[cfg(test)]
mod tests;
