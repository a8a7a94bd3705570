//! The [`Engine`]: a playbook compiled once (tagger, scoring, lifecycle), applying events to
//! per-customer [`Profile`]s, one at a time ([`Engine::apply`]) or in batches ([`Engine::fold`]).

mod batch;
mod documents;
mod effects;
mod history;
mod ingest;
mod pool_facts;
mod profile;
mod profile_json;
#[cfg(test)]
mod proptests;
mod reports;
mod reuse;
mod step;
#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

pub use batch::{FoldReport, Refusal};
pub use effects::{Alert, AlertKind, Effects, PoolChange, ScoreChange, Task, ThresholdChange};
pub use profile::Profile;

use crate::customer::Customer;
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::lifecycle::model::LifecycleModel;
use crate::playbook::Playbook;
use crate::scoring::model::ScoringModel;
use crate::scoring::time::SECOND;
use crate::tagging::Tagger;
use history::Filters;

/// Which conditions read the score or grade, so the engine computes them only when needed.
#[derive(Debug, Default, Clone, Copy)]
struct Reads {
    /// Auto-tag conditions and scoring `when` guards (they see the score before the event).
    score_before: bool,
    grade_before: bool,
    /// Lifecycle guards (they see the score after the event).
    score_after: bool,
    grade_after: bool,
}

/// A playbook compiled for applying events: tags interned, keywords in one automaton, conditions
/// compiled, scoring and lifecycle rules resolved. Compile once, share freely (`Send + Sync`).
///
/// ```
/// use scrm_core::{Engine, Event, Playbook};
///
/// let playbook = Playbook::from_toml(r#"
/// schema_version = 1
/// tenant_id = "tea"
/// timezone = "Asia/Shanghai"
///
/// [[scoring.rules]]
/// id = "view_price"
/// event = "content_view"
/// properties = { category = "pricing" }
/// points = 10
///
/// [[lifecycle.rules]]
/// kind = "advance"
/// id = "hot"
/// to = "mql"
/// when = "score >= 20"
/// "#)?;
/// let engine = Engine::compile(&playbook)?;
/// let now = "2026-03-02T00:00:00Z".parse()?;
/// let mut profile = engine.new_profile("c1", "2026-03-01T00:00:00Z".parse()?)?;
/// for (id, hour) in [("e1", 1), ("e2", 2)] {
///     let mut view = Event::new("tea", id, "c1", "content_view", format!("2026-03-01T0{hour}:00:00Z").parse()?);
///     view.properties.insert("category".into(), "pricing".into());
///     let effects = engine.apply(&mut profile, &view, now)?;
///     println!("{:?}", effects.stages);
/// }
/// assert_eq!(profile.customer().stage.as_deref(), Some("mql"));
/// assert_eq!(engine.score(&profile, now)?.score.to_string(), "20");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Engine {
    tenant_id: String,
    tagger: Tagger,
    scoring: ScoringModel,
    lifecycle: LifecycleModel,
    filters: Filters,
    /// Filter number and window (microseconds) of each auto-tag behaviour rule.
    behaviour: Vec<(usize, i64)>,
    /// Lateness bound, microseconds.
    lateness: i64,
    lateness_text: String,
    fingerprint: String,
    reads: Reads,
    /// Display names of tags by id, for reasons.
    tag_names: std::collections::HashMap<String, String>,
    /// The pool's reclaim rules, for the reclaim clock in [`Effects::pool`].
    pool: crate::pool::PoolRules,
    /// The consent contacting a customer needs (`engine.contact_consent`), if any.
    contact_consent: Option<crate::playbook::ContactConsent>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("tenant_id", &self.tenant_id)
            .field("fingerprint", &self.fingerprint)
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Compiles `playbook`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] listing every problem of the tagging, scoring, lifecycle and
    /// engine sections, each at its path (`scoring.rules[3].when`). A playbook that loaded has
    /// passed these checks already.
    pub fn compile(playbook: &Playbook) -> Result<Engine> {
        let mut problems = Vec::new();
        let tagger = match Tagger::new(playbook) {
            Ok(t) => Some(t),
            Err(e) => {
                problems.extend(e.problems().iter().cloned());
                None
            }
        };
        let scoring = crate::scoring::compile::compile(playbook, tagger.as_ref(), &mut problems);
        let lifecycle = LifecycleModel::compile(playbook, &mut problems);
        let lateness_text = playbook.engine_settings().lateness.trim().to_owned();
        let lateness = match crate::duration::parse(&lateness_text, "engine.lateness") {
            Ok(d) => d.num_seconds().saturating_mul(SECOND),
            Err(e) => {
                problems.extend(e.problems().iter().cloned());
                0
            }
        };
        let (filters, behaviour, reads) = match &tagger {
            Some(t) => gather(t, &scoring, &lifecycle, &mut problems),
            None => (Filters::default(), Vec::new(), Reads::default()),
        };
        let pool = match crate::pool::PoolRules::new(playbook) {
            Ok(pool) => Some(pool),
            Err(e) => {
                problems.extend(e.problems().iter().cloned());
                None
            }
        };
        let (Some(tagger), Some(pool), true) = (tagger, pool, problems.is_empty()) else {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        };
        let tag_names = playbook
            .taxonomy()
            .tags_with_groups()
            .map(|(_, t)| (t.id.clone(), t.name.clone()))
            .collect();
        Ok(Engine {
            tenant_id: playbook.tenant_id().to_owned(),
            tagger,
            scoring,
            lifecycle,
            filters,
            behaviour,
            lateness,
            lateness_text,
            fingerprint: fingerprint(playbook),
            reads,
            tag_names,
            pool,
            contact_consent: playbook.engine_settings().contact_consent.clone(),
        })
    }

    /// The tenant whose playbook this is.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// A fingerprint of the rules that shape a profile (tagging, scoring, lifecycle, engine,
    /// taxonomy, timezone). A profile folded under another fingerprint is refused: re-score it.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The tagger compiled from the same playbook.
    pub fn tagger(&self) -> &Tagger {
        &self.tagger
    }

    /// A new profile for customer `customer_id`, created at `created_at`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for an empty id.
    pub fn new_profile(&self, customer_id: &str, created_at: DateTime<Utc>) -> Result<Profile> {
        if customer_id.trim().is_empty() {
            return Err(Error::at(
                ErrorKind::Validation,
                "customer_id",
                "customer_id must not be empty",
            ));
        }
        self.profile(Customer::new(&self.tenant_id, customer_id, created_at))
    }

    /// A new profile around an existing customer (its tags, stage, attributes and owner are kept;
    /// events fold over them).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for a customer of another tenant or one that breaks its
    /// invariants.
    pub fn profile(&self, customer: Customer) -> Result<Profile> {
        customer.ensure_tenant(&self.tenant_id)?;
        customer.check()?;
        Ok(Profile::new(customer, &self.fingerprint))
    }

    fn check_fingerprint(&self, profile: &Profile, path: &str) -> Result<()> {
        if profile.fingerprint == self.fingerprint {
            return Ok(());
        }
        Err(Error::at(
            ErrorKind::Validation,
            format!("{path}.fingerprint"),
            format!(
                "the profile of customer {:?} was folded under other rules (fingerprint {:?}, this \
                 engine's is {:?}); re-score it from the customer's history with Engine::rescore",
                profile.live.customer.id, profile.fingerprint, self.fingerprint
            ),
        ))
    }
}

/// Numbers every event filter the playbook counts and notes which conditions read the score.
fn gather(
    tagger: &Tagger,
    scoring: &ScoringModel,
    lifecycle: &LifecycleModel,
    problems: &mut Vec<Problem>,
) -> (Filters, Vec<(usize, i64)>, Reads) {
    let mut filters = Filters::default();
    let behaviour = tagger
        .behaviour_filters()
        .iter()
        .map(|(filter, within)| {
            (
                filters.add(filter, Some(*within)),
                within.num_seconds().saturating_mul(SECOND),
            )
        })
        .collect();
    let mut reads = Reads::default();
    let mut note = |c: &crate::condition::CompiledCondition, before: bool| {
        for (filter, window) in c.condition().counts() {
            filters.add(filter, window);
        }
        let (score, grade) = (
            c.condition().reads_score_or_grade(false),
            c.condition().reads_score_or_grade(true),
        );
        if before {
            reads.score_before |= score;
            reads.grade_before |= grade;
        } else {
            reads.score_after |= score;
            reads.grade_after |= grade;
        }
    };
    tagger.conditions().for_each(|c| note(c, true));
    scoring
        .rules
        .iter()
        .filter_map(|r| r.when.as_ref())
        .for_each(|c| note(c, true));
    lifecycle
        .rules
        .iter()
        .filter_map(|r| r.when.as_ref())
        .for_each(|c| note(c, false));
    // Fit rules are evaluated with the score itself: they must not read it.
    for (i, rule) in scoring.fit.rules.iter().enumerate() {
        for (filter, window) in rule.when.condition().counts() {
            filters.add(filter, window);
        }
        if rule.when.condition().reads_score_or_grade(false)
            || rule.when.condition().reads_score_or_grade(true)
        {
            problems.push(Problem::new(
                format!("scoring.fit.rules[{i}].when"),
                "a fit rule cannot read score or grade: they are computed from the fit rules",
            ));
        }
    }
    if filters.len() > history::MAX_FILTERS {
        problems.push(Problem::new(
            "",
            format!(
                "the playbook counts {} distinct event filters (count(...) and behaviour rules); \
                 the engine handles at most {}",
                filters.len(),
                history::MAX_FILTERS
            ),
        ));
    }
    (filters, behaviour, reads)
}

/// FNV-1a over `bytes`, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The 128-bit MurmurHash3 (x64, seed 0) of an event id: what a profile remembers to recognise a
/// replay (decision 0027). Two of a customer's ids collide with odds about n² / 2^129 — 10^-27 at
/// a million events — where the 53-bit hash before it gave about n² / 2^54. The value is
/// `h2 << 64 | h1`, as Python's `mmh3.hash128(id, 0, signed=False)` gives it.
pub(crate) fn id_hash128(id: &str) -> u128 {
    const C1: u64 = 0x87c3_7b91_1142_53d5;
    const C2: u64 = 0x4cf5_ad43_2745_937f;
    fn word(bytes: &[u8]) -> u64 {
        let mut w = [0u8; 8];
        for (slot, b) in w.iter_mut().zip(bytes) {
            *slot = *b;
        }
        u64::from_le_bytes(w)
    }
    fn fmix(mut k: u64) -> u64 {
        k ^= k >> 33;
        k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
        k ^= k >> 33;
        k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        k ^ (k >> 33)
    }
    let mix1 = |k: u64| k.wrapping_mul(C1).rotate_left(31).wrapping_mul(C2);
    let mix2 = |k: u64| k.wrapping_mul(C2).rotate_left(33).wrapping_mul(C1);
    let data = id.as_bytes();
    let (mut h1, mut h2) = (0u64, 0u64);
    let blocks = data.chunks_exact(16);
    let tail = blocks.remainder();
    for block in blocks {
        let (a, b) = block.split_at(8);
        h1 ^= mix1(word(a));
        h1 = h1
            .rotate_left(27)
            .wrapping_add(h2)
            .wrapping_mul(5)
            .wrapping_add(0x52dc_e729);
        h2 ^= mix2(word(b));
        h2 = h2
            .rotate_left(31)
            .wrapping_add(h1)
            .wrapping_mul(5)
            .wrapping_add(0x3849_5ab5);
    }
    if tail.len() > 8 {
        h2 ^= mix2(word(tail.get(8..).unwrap_or_default()));
    }
    if !tail.is_empty() {
        h1 ^= mix1(word(tail));
    }
    let len = data.len() as u64;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u128::from(h2) << 64) | u128::from(h1)
}

/// The 53-bit hash of an event id (53 bits survive any JSON parser): the key of the traces
/// kept for counting and decay, and the replay key of profiles written before decision 0027.
pub(crate) fn id_hash(id: &str) -> u64 {
    let mut h = fnv1a(id.as_bytes());
    // A murmur-style finaliser spreads FNV's weak high bits before the cut.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h & ((1 << 53) - 1)
}

fn fingerprint(playbook: &Playbook) -> String {
    let parts = serde_json::json!([
        playbook.timezone_name(),
        playbook.taxonomy(),
        playbook.tagging(),
        playbook.scoring(),
        playbook.lifecycle(),
        // Only what shapes a profile: the contact consent only filters what Effects hand out, so
        // turning it on keeps every profile valid. (The same JSON as the whole section before
        // the consent existed, so fingerprints did not change.)
        serde_json::json!({ "lateness": playbook.engine_settings().lateness }),
    ]);
    format!("{:016x}", fnv1a(parts.to_string().as_bytes()))
}
