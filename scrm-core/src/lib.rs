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

// The guide pages of docs/ whose Rust examples run as doc tests, so they stay true.
#[cfg(doctest)]
#[doc = include_str!("../../docs/identity.md")]
mod guide_identity {}
#[cfg(doctest)]
#[doc = include_str!("../../docs/consent.md")]
mod guide_consent {}
#[cfg(doctest)]
#[doc = include_str!("../../docs/accounts.md")]
mod guide_accounts {}
#[cfg(doctest)]
#[doc = include_str!("../../docs/tagging.md")]
mod guide_tagging {}
#[cfg(doctest)]
#[doc = include_str!("../../docs/conditions.md")]
mod guide_conditions {}

mod analytics;
mod billing;
mod bytes;
mod condition;
mod customer;
mod documents;
mod duration;
mod engine;
mod error;
mod lifecycle;
mod name;
mod playbook;
mod pool;
mod rfc3339;
mod scoring;
mod social;
mod tagging;

pub use analytics::{
    AnalyticsOptions, ChannelCost, Cohort, Cohorts, Conversion, CostPerLead, Funnel, FunnelCounts,
    MAX_COHORT_MONTHS, Rate, ReportInput, Spend, StageCount, StageEntry, StageJourney, StageTime,
    became_json, cohorts_json, cost_per_lead_json, funnel_json, report_html, report_html_json,
};
pub use billing::{
    AdvanceFee, Aggregation, Anchor, AppliedCoupon, Attribution, AttributionModel,
    AttributionSettings, Billing, BillingCycle, Change, ChargeModel, ChargeOverride,
    CommissionLine, CommissionPlan, CommissionStatement, CommissionTotals, Commissions, Conflict,
    Consumption, ConsumptionLine, Coupon, CouponDuration, CouponUse, CpsHistory, Credit,
    CreditKind, Currency, DEFAULT_HALF_LIFE, DEFAULT_LOOKBACK, Days, Discount, ExcludedTouch,
    Exclusion, Expiry, IngestReport, Interval, Invoice, InvoiceLine, InvoiceRequest, InvoiceStatus,
    LineKind, LineStatus, Meter, MeterValue, Metering, ModelKind, Money, Operation, Pack,
    PackLadder, PackUsage, PartKind, Payout, Period, Plan, PlanCharge, PlanOverrides, Price,
    PricePart, Quantity, RateSource, RateTier, Refund, Rejection, Sale, Statement, Subscription,
    Tier, Touchpoint, UNIT_PRICE_DECIMALS, Usage, UsageEvent, UsageRecord, Wallet,
    advance_fees_json, attribute_json, commission_json, commission_statement_json, consume_json,
    decimal_text, invoice_json, meter_json, pack_ladder_json, parse_decimal, price_json,
    purchase_json, statement_json,
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
    pre_tags_json, resolve_aliases_json, resolve_json, segment_members_json, tag_event_json,
    tag_json, untag_json,
};
pub use engine::{
    Alert, AlertKind, Effects, Engine, FoldReport, PoolChange, Profile, Refusal, ScoreChange, Task,
    ThresholdChange,
};
pub use error::{Error, ErrorKind, Problem, Result, catch_panic};
pub use lifecycle::StageChange;
pub use name::Name;
pub use playbook::{
    Assignment, Channel, ClaimRules, Commission, Component, ContactConsent, DayOfWeek, Decay,
    EngineSettings, Fit, FitRule, Format, GroupedTag, HoursWindow, IntentAction, Lifecycle,
    MAX_PLAYBOOK_BYTES, MAX_REFERRAL_LEVELS, MAX_TAGS_PER_TENANT, MAX_TRANSFER_CUSTOMERS,
    MAX_TRANSFER_MESSAGE_CHARS, MAX_TRANSFERS_PER_CUSTOMER, Monetary, PackOffer, Packs, Platform,
    Playbook, Pool, Pricing, Priority, ReclaimRule, ReferralSettings, Rfm, Route, RouteRule,
    RouteStrategy, SUPPORTED_SCHEMA_VERSIONS, ScoreGroup, Scoring, ScoringRule, Social,
    SocialFollowers, SocialReach, SocialReferrals, Stage, StageRule, StageTask,
    TRANSFER_REFUSAL_HOURS, TRANSFER_WINDOW_DAYS, Tag, TagGroup, TagRule, Tagging, Taxonomy,
    Threshold, TransferLimits, Unmatched,
};
pub use pool::{
    AssignState, AssignmentDecision, ClaimDecision, ClaimRefusal, Due, DueAction, DueContext,
    DueItem, DueRule, Employee, EmployeeStatus, Idle, Lead, OverQuota, Owner, PoolFacts, PoolRules,
    Router, Skip, Team, TransferBlock, TransferKind, TransferOutcome, TransferPlan, TransferRecord,
    TransferRefusal, TransferRequest, TransferRules, TransferStatus, Unavailable, assign_json,
    claim_json, due_json, transfer_plan_json, transfer_status_json,
};
pub use scoring::{
    Explanation, FiredThreshold, FitPart, GroupPart, Points, PriorityItem, RfmMode, RfmScore,
    RulePart, Score, SocialPart, rfm_segment,
};
pub use social::{
    FissionCampaign, FissionProgress, Help, HelpStatus, InviterProgress, MAX_TOP_SPREADERS,
    Propagation, PropagationRules, PropagationTree, Skipped, Spreader, TreeNode, fission_json,
    propagation_json,
};
pub use tagging::{MAX_TAGS_PER_CUSTOMER, PreTag, TagAction, TagChange, Tagger, fold, fold_name};

/// Exact decimal numbers, re-exported so callers use the same type scrm computes money with.
pub use rust_decimal::Decimal;

/// The version of this library, the same string every binding reports.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
