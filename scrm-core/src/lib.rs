//! # scrm-core
//!
//! The domain core of scrm: the logic every social CRM (SCRM) re-implements — who a customer is
//! across WeCom, WeChat, Douyin and mini-programs, which tags they carry, how hot they are, which
//! lifecycle stage they are in, who follows them up, what a plan costs and who earns a commission —
//! as a pure library: no I/O, no database, no network, no clock. Time is always passed in.
//!
//! Everything is configured by one [`Playbook`], loaded from JSON or TOML and validated in full.
//! The same playbook gives the same answers in Rust, Python, Node, Kotlin and Swift; the shared
//! vectors in `conformance/` prove it.
//!
//! ```
//! let playbook = scrm_core::Playbook::from_toml(r#"
//! schema_version = 1
//! tenant_id = "acme"
//! timezone = "Asia/Shanghai"
//!
//! [[channels]]
//! id = "wecom"
//! name = "企业微信"
//! platform = "wecom"
//! "#)?;
//! assert_eq!(playbook.channels()[0].platform, scrm_core::Platform::Wecom);
//! # Ok::<(), scrm_core::Error>(())
//! ```
//!
//! An [`Engine`] compiled from the playbook applies events to per-customer [`Profile`]s — tags,
//! lead score with its explanation, lifecycle stage — one at a time ([`Engine::apply`]) or in
//! batches ([`Engine::fold`]), with the same result: replays change nothing and late events fold in
//! at their place in time.
//!
//! Errors are one opaque [`Error`] with a [`kind`](Error::kind) and a list of
//! [`problems`](Error::problems), each naming the path and the value at fault.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod condition;
mod customer;
mod documents;
mod duration;
mod engine;
mod error;
mod lifecycle;
mod playbook;
mod scoring;
mod tagging;

pub use condition::{
    AttrValue, CompiledCondition, Condition, EventFilter, Facts, MAX_CONDITION_BYTES,
    MAX_CONDITION_DEPTH, MAX_CONDITION_LIST_ITEMS, Number, Segment,
};
pub use customer::{
    Account, Aliases, AppliedTag, Attribute, AttributeValue, ConsentRecord, ConsentSource,
    ConsentStatus, Consents, Contact, ContactRole, Customer, CustomerFacts, DecisionChain, Event,
    Follower, Identity, IdentityKind, MergePolicy, MergeStrategy, Merged, Provenance, Resolution,
    Touch, merge, merge_pair, resolve,
};
pub use documents::{
    changes_json, decision_chain_json, evaluate_json, expire_json, merge_json, parse_time,
    pre_tags_json, resolve_json, segment_members_json, tag_event_json, tag_json, untag_json,
};
pub use engine::{
    Alert, AlertKind, Effects, Engine, FoldReport, Profile, Refusal, ScoreChange, Task,
    ThresholdChange,
};
pub use error::{Error, ErrorKind, Problem, Result, catch_panic};
pub use lifecycle::StageChange;
pub use playbook::{
    Channel, Component, Decay, EngineSettings, Fit, FitRule, Format, GroupedTag, IntentAction,
    Lifecycle, MAX_PLAYBOOK_BYTES, MAX_TAGS_PER_TENANT, Monetary, Platform, Playbook, Pool,
    Pricing, Priority, Rfm, SUPPORTED_SCHEMA_VERSIONS, ScoreGroup, Scoring, ScoringRule, Social,
    SocialFollowers, SocialReach, SocialReferrals, Stage, StageRule, StageTask, Tag, TagGroup,
    TagRule, Tagging, Taxonomy, Threshold, Unmatched,
};
pub use scoring::{
    Explanation, FiredThreshold, FitPart, GroupPart, Points, PriorityItem, RfmMode, RfmScore,
    RulePart, Score, SocialPart, rfm_segment,
};
pub use tagging::{MAX_TAGS_PER_CUSTOMER, PreTag, TagAction, TagChange, Tagger, fold, fold_name};

/// The version of this library, the same string every binding reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
