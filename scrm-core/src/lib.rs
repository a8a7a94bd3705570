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
//! Errors are one opaque [`Error`] with a [`kind`](Error::kind) and a list of
//! [`problems`](Error::problems), each naming the path and the value at fault.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod billing;
mod condition;
mod customer;
mod documents;
mod duration;
mod error;
mod playbook;
mod tagging;

pub use billing::{
    Attribution, AttributionModel, AttributionSettings, CommissionLine, CommissionPlan,
    CommissionTotals, Commissions, Consumption, ConsumptionLine, CpsHistory, Credit, CreditKind,
    Currency, DEFAULT_HALF_LIFE, DEFAULT_LOOKBACK, ExcludedTouch, Exclusion, Expiry, LineStatus,
    ModelKind, Money, Pack, PackLadder, Payout, RateSource, Refund, Sale, Statement, Touchpoint,
    UNIT_PRICE_DECIMALS, Usage, Wallet, attribute_json, commission_json, consume_json,
    decimal_text, pack_ladder_json, parse_decimal, purchase_json, statement_json,
};
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
pub use error::{Error, ErrorKind, Problem, Result, catch_panic};
pub use playbook::{
    Channel, Commission, Format, GroupedTag, Lifecycle, MAX_PLAYBOOK_BYTES, MAX_REFERRAL_LEVELS,
    MAX_TAGS_PER_TENANT, PackOffer, Packs, Platform, Playbook, Pool, Pricing, ReferralSettings,
    SUPPORTED_SCHEMA_VERSIONS, Scoring, Tag, TagGroup, TagRule, Tagging, Taxonomy,
};
pub use tagging::{MAX_TAGS_PER_CUSTOMER, PreTag, TagAction, TagChange, Tagger, fold, fold_name};

/// Exact decimal numbers, re-exported so callers use the same type scrm computes money with.
pub use rust_decimal::Decimal;

/// The version of this library, the same string every binding reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
