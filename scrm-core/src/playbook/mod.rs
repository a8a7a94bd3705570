//! The playbook: one versioned document that configures a tenant.
//!
//! A playbook is written in JSON or TOML (the same document in either format loads to an equal
//! [`Playbook`]), and is validated in full when loaded: every problem is reported at once, each
//! with its path and the value at fault. [`Playbook::json_schema`] gives the JSON Schema for editors.
//!
//! ```
//! use scrm_core::Playbook;
//!
//! let playbook = Playbook::from_json(r#"{
//!     "schema_version": 1,
//!     "tenant_id": "acme",
//!     "timezone": "Asia/Shanghai",
//!     "taxonomy": { "groups": [
//!         { "id": "intent", "name": "意向", "exclusive": true,
//!           "tags": [{ "id": "hot", "name": "高意向" }, { "id": "cold", "name": "低意向" }] }
//!     ] }
//! }"#)?;
//! assert_eq!(playbook.tenant_id(), "acme");
//! assert_eq!(playbook.taxonomy().tag_count(), 2);
//!
//! let err = Playbook::from_json(r#"{ "schema_version": 1, "tenant_id": "acme", "timezone": "Mars/Olympus" }"#)
//!     .unwrap_err();
//! assert_eq!(err.kind(), scrm_core::ErrorKind::Validation);
//! assert_eq!(err.problems()[0].path, "timezone");
//! # Ok::<(), scrm_core::Error>(())
//! ```

mod assignment;
mod channel;
mod commission;
mod engine;
mod lifecycle;
mod packs;
mod path;
mod pool;
mod pricing;
mod rules;
mod scoring;
mod shape;
mod tagging;
mod taxonomy;
mod transfer;

use std::sync::OnceLock;

use chrono_tz::Tz;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use assignment::{Assignment, DayOfWeek, HoursWindow, Route, RouteRule, RouteStrategy};
pub use channel::{Channel, Platform};
pub use commission::{Commission, MAX_REFERRAL_LEVELS, ReferralSettings};
pub use engine::{ContactConsent, EngineSettings};
pub use lifecycle::{Lifecycle, Stage, StageRule, StageTask};
pub use packs::{PackOffer, Packs};
pub use pool::{ClaimRules, Pool, ReclaimRule};
pub use pricing::Pricing;
pub use scoring::{
    Component, Decay, Fit, FitRule, IntentAction, Monetary, Priority, Rfm, ScoreGroup, Scoring,
    ScoringRule, Social, SocialFollowers, SocialReach, SocialReferrals, Threshold, Unmatched,
};
pub use tagging::{TagRule, Tagging};
pub use taxonomy::{GroupedTag, Tag, TagGroup, Taxonomy};

use crate::error::{Error, ErrorKind, Problem, Result};

pub use transfer::{
    MAX_TRANSFER_CUSTOMERS, MAX_TRANSFER_MESSAGE_CHARS, MAX_TRANSFERS_PER_CUSTOMER,
    TRANSFER_REFUSAL_HOURS, TRANSFER_WINDOW_DAYS, TransferLimits,
};

pub(crate) use assignment::employee_id_problem;
pub(crate) use path::{field as path_field, index as path_index};
pub(crate) use shape::check as check_shape;

/// The `schema_version` values this build reads.
pub const SUPPORTED_SCHEMA_VERSIONS: &[u32] = &[1];

/// The largest playbook text accepted, in bytes. A real playbook is a few hundred kilobytes at most.
pub const MAX_PLAYBOOK_BYTES: usize = 16 * 1024 * 1024;

/// The most tags a tenant's taxonomy may hold (WeCom's limit).
pub const MAX_TAGS_PER_TENANT: usize = 10_000;

/// The text format of a playbook document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// JSON.
    Json,
    /// TOML.
    Toml,
}

impl Format {
    /// Reads a format name: `json` or `toml` (any case).
    pub fn from_name(name: &str) -> Result<Format> {
        match name.to_ascii_lowercase().as_str() {
            "json" => Ok(Format::Json),
            "toml" => Ok(Format::Toml),
            _ => Err(Error::at(
                ErrorKind::Validation,
                "format",
                format!("unknown format {:?}, expected \"json\" or \"toml\"", name),
            )),
        }
    }
}

/// A validated tenant configuration (schema version 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "scrm playbook",
    description = "The configuration of one scrm tenant."
)]
pub struct Playbook {
    /// The version of this document's format. Supported: 1.
    schema_version: u32,
    /// The tenant every customer, tag and event of this playbook belongs to.
    tenant_id: String,
    /// A display name for the playbook.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    /// The tenant's IANA timezone (e.g. `Asia/Shanghai`): days, periods and working hours use it.
    timezone: String,
    /// The channels customers arrive through.
    #[serde(default)]
    channels: Vec<Channel>,
    /// The tag taxonomy.
    #[serde(default)]
    taxonomy: Taxonomy,
    /// Auto-tag rules.
    #[serde(default)]
    tagging: Tagging,
    /// Lead scoring: engagement, fit, social value, thresholds, RFM, priority.
    #[serde(default)]
    scoring: Scoring,
    /// Lifecycle stages and the rules between them.
    #[serde(default)]
    lifecycle: Lifecycle,
    /// Pool (公海): reclaim, protection and claim rules. Empty: nobody is reclaimed.
    #[serde(default)]
    pool: Pool,
    /// Limits on transferring customers between employees (defaults: WeCom's).
    #[serde(default)]
    transfer: TransferLimits,
    /// How new customers are assigned to employees. Empty: nobody is assigned.
    #[serde(default)]
    assignment: Assignment,
    /// Pricing: meters, plans and their charges, coupons.
    #[serde(default)]
    pricing: Pricing,
    /// How the engine treats late events.
    #[serde(default, skip_serializing_if = "is_default_engine")]
    engine: EngineSettings,
    #[serde(skip, default = "utc")]
    #[schemars(skip)]
    tz: Tz,
}

fn utc() -> Tz {
    Tz::UTC
}

fn is_default_engine(settings: &EngineSettings) -> bool {
    *settings == EngineSettings::default()
}

impl Playbook {
    /// Loads and validates a playbook written in JSON.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`] when the text is not JSON, [`ErrorKind::UnsupportedVersion`] for a
    /// `schema_version` this build does not read, [`ErrorKind::Validation`] with every problem
    /// otherwise.
    pub fn from_json(text: &str) -> Result<Playbook> {
        Playbook::from_text(text, Format::Json)
    }

    /// Loads and validates a playbook written in TOML. Errors as for [`Playbook::from_json`].
    pub fn from_toml(text: &str) -> Result<Playbook> {
        Playbook::from_text(text, Format::Toml)
    }

    /// Loads and validates a playbook in the given format. Errors as for [`Playbook::from_json`].
    pub fn from_text(text: &str, format: Format) -> Result<Playbook> {
        let document = parse(text, format)?;
        Playbook::from_document(document)
    }

    /// Every problem of a playbook text, empty when it loads. Never fails: a syntax error or an
    /// unsupported version is reported as a problem too.
    pub fn validate(text: &str, format: Format) -> Vec<Problem> {
        match Playbook::from_text(text, format) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems().to_vec(),
        }
    }

    fn from_document(document: Value) -> Result<Playbook> {
        check_version(&document)?;
        let mut problems = Vec::new();
        shape::check(schema_value(), schema_value(), &document, "", &mut problems);
        rules::check(&document, &mut problems);
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        // The checks above cover everything serde refuses; this error would be a bug in them.
        let mut playbook: Playbook = serde_json::from_value(document)
            .map_err(|e| Error::at(ErrorKind::Validation, "", e.to_string()))?;
        playbook.tz = playbook
            .timezone
            .parse()
            .map_err(|_| Error::at(ErrorKind::Validation, "timezone", "unknown timezone"))?;
        playbook.taxonomy.gather_tags();
        // Compiling the rules resolves their tag references, durations, stages and conditions:
        // a playbook that loads is one every engine can compile.
        crate::Engine::compile(&playbook)?;
        crate::pool::PoolRules::new(&playbook)?;
        crate::pool::TransferRules::new(&playbook)?;
        crate::pool::Router::new(&playbook)?;
        Ok(playbook)
    }

    /// The JSON Schema of the playbook format, as pretty-printed JSON, for editors and CI checks.
    pub fn json_schema() -> String {
        serde_json::to_string_pretty(schema_value()).unwrap_or_default()
    }

    /// The playbook as pretty-printed JSON; loading it again gives an equal playbook.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The version of the document's format.
    pub fn schema_version(&self) -> u32 {
        self.schema_version
    }

    /// The tenant id.
    pub fn tenant_id(&self) -> &str {
        &self.tenant_id
    }

    /// The display name, if any.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The tenant's timezone.
    pub fn timezone(&self) -> Tz {
        self.tz
    }

    /// The tenant's timezone as its IANA name.
    pub fn timezone_name(&self) -> &str {
        &self.timezone
    }

    /// The channels, in document order.
    pub fn channels(&self) -> &[Channel] {
        &self.channels
    }

    /// The tag taxonomy.
    pub fn taxonomy(&self) -> &Taxonomy {
        &self.taxonomy
    }

    /// The auto-tag rules.
    pub fn tagging(&self) -> &Tagging {
        &self.tagging
    }

    /// The pool (公海) rules.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The transfer limits.
    pub fn transfer(&self) -> &TransferLimits {
        &self.transfer
    }

    /// The assignment routes and limits.
    pub fn assignment(&self) -> &Assignment {
        &self.assignment
    }

    /// The pricing section: meters, plans, coupons.
    pub fn pricing(&self) -> &Pricing {
        &self.pricing
    }

    /// The scoring section.
    pub fn scoring(&self) -> &Scoring {
        &self.scoring
    }

    /// The lifecycle section.
    pub fn lifecycle(&self) -> &Lifecycle {
        &self.lifecycle
    }

    /// The engine settings (lateness).
    pub fn engine_settings(&self) -> &EngineSettings {
        &self.engine
    }

    /// The CPS commission plan (`pricing.commission`), if any; compile it with
    /// [`CommissionPlan::new`](crate::CommissionPlan::new).
    pub fn commission(&self) -> Option<&Commission> {
        self.pricing.commission.as_ref()
    }

    /// The usage packs sold (`pricing.packs`), if any; compile them with
    /// [`PackLadder::new`](crate::PackLadder::new).
    pub fn packs(&self) -> Option<&Packs> {
        self.pricing.packs.as_ref()
    }
}

fn schema_value() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| schemars::schema_for!(Playbook).to_value())
}

fn parse(text: &str, format: Format) -> Result<Value> {
    if text.len() > MAX_PLAYBOOK_BYTES {
        return Err(Error::at(
            ErrorKind::Parse,
            "",
            format!(
                "the document is {} bytes; the limit is {MAX_PLAYBOOK_BYTES}",
                text.len()
            ),
        ));
    }
    match format {
        Format::Json => {
            serde_json::from_str(text).map_err(|e| crate::error::json_parse_error("", "JSON", &e))
        }
        Format::Toml => toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| line_column(text, s.start))
                .unwrap_or((1, 1));
            Error::at(
                ErrorKind::Parse,
                "",
                format!(
                    "invalid TOML at line {line}, column {column}: {}",
                    e.message()
                ),
            )
        }),
    }
}

fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn check_version(document: &Value) -> Result<()> {
    let Some(version) = document.get("schema_version").and_then(Value::as_u64) else {
        return Ok(()); // missing or mistyped: reported with the other problems
    };
    if SUPPORTED_SCHEMA_VERSIONS
        .iter()
        .any(|&v| u64::from(v) == version)
    {
        return Ok(());
    }
    let supported: Vec<String> = SUPPORTED_SCHEMA_VERSIONS
        .iter()
        .map(u32::to_string)
        .collect();
    Err(Error::at(
        ErrorKind::UnsupportedVersion,
        "schema_version",
        format!(
            "unsupported schema_version {version}; this build reads: {}",
            supported.join(", ")
        ),
    ))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod section_tests;
