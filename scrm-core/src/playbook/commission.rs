//! The commission section of a playbook: a CPS commission plan (按效果付费 / 分销佣金).
//!
//! ```toml
//! [commission]
//! currency = "CNY"
//! hold = "15d"                 # payable 15 days after the sale (refund window)
//! default_rate = "0.05"        # rates are fractions of the attributed net sale
//! attribution = { model = "position_based", lookback = "30d" }
//! channel_rates = { douyin = "0.08" }
//! campaign_rates = { spring_tea_2026 = "0.12" }
//! promoter_rates = { kol_xiaoya = "0.15" }
//! referral = { levels = 2, upline_rate = "0.03" }   # at most 2 levels (分销 PIN)
//! ```

use std::collections::BTreeMap;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::path;
use crate::billing::cps::text::{decimal_map, optional_decimal};
use crate::billing::input::{
    check_texts, currency_schema, decimal_map_schema, decimal_schema, duration_schema, schema_of,
};
use crate::billing::{AttributionSettings, Currency};
use crate::error::{Problem, show};

/// The most levels of multi-level distribution (分销) a plan may pay: the promoter and one
/// upline (DOMAIN.md 7 PIN; WeChat allows "two levels including the promoter", and three levels
/// is the threshold of the pyramid-selling offence).
pub const MAX_REFERRAL_LEVELS: u8 = 2;

/// A CPS commission plan: how sales are attributed to touches, what rate each touch's promoter
/// earns on its credit, how long commission is held, and how many referral levels are paid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Commission {
    /// The currency commission is paid in; every sale must be in it.
    #[schemars(schema_with = "currency_schema")]
    pub currency: Currency,
    /// How a sale's net amount is split over its touches.
    pub attribution: AttributionSettings,
    /// How long commission is held after the sale before it is payable (e.g. `"15d"`, to cover
    /// 七天无理由退货 and delivery). None: payable at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "duration_schema")]
    pub hold: Option<String>,
    /// The rate when no promoter, campaign or channel rate applies (default 0: no commission).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(with = "optional_decimal")]
    #[schemars(schema_with = "decimal_schema")]
    pub default_rate: Option<Decimal>,
    /// Rates by channel id; beaten by a campaign or promoter rate.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[serde(with = "decimal_map")]
    #[schemars(schema_with = "decimal_map_schema")]
    pub channel_rates: BTreeMap<String, Decimal>,
    /// Rates by campaign; beaten by a promoter rate.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[serde(with = "decimal_map")]
    #[schemars(schema_with = "decimal_map_schema")]
    pub campaign_rates: BTreeMap<String, Decimal>,
    /// Rates by promoter: the most specific, a promoter's own deal.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    #[serde(with = "decimal_map")]
    #[schemars(schema_with = "decimal_map_schema")]
    pub promoter_rates: BTreeMap<String, Decimal>,
    /// Multi-level distribution (分销): one level by default.
    #[serde(default)]
    pub referral: ReferralSettings,
}

/// How many people a sale pays: the promoter of the touch (level 1) and, with `levels = 2`, the
/// promoter who recruited them (their upline, level 2). Never more (分销 PIN).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ReferralSettings {
    /// 1 (default) or 2, counting the promoter.
    #[serde(default = "one")]
    pub levels: u8,
    /// The upline's rate on the same attributed amount; required when `levels` is 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(with = "optional_decimal")]
    #[schemars(schema_with = "decimal_schema")]
    pub upline_rate: Option<Decimal>,
}

fn one() -> u8 {
    1
}

impl Default for ReferralSettings {
    fn default() -> ReferralSettings {
        ReferralSettings {
            levels: 1,
            upline_rate: None,
        }
    }
}

fn check_rate(rate: Decimal, at: &str, out: &mut Vec<Problem>) {
    if rate < Decimal::ZERO || rate > Decimal::ONE {
        out.push(Problem::new(
            at,
            format!(
                "rate {rate} is not between 0 and 1: a rate is a fraction of the attributed net \
                 sale, e.g. \"0.10\" for 10%"
            ),
        ));
    }
}

impl Commission {
    /// Appends the problems of this plan, with paths under `at` (`commission`).
    pub(crate) fn check(&self, at: &str, out: &mut Vec<Problem>) {
        self.attribution.check(&path::field(at, "attribution"), out);
        if let Some(hold) = &self.hold {
            if let Err(e) = crate::duration::parse(hold, &path::field(at, "hold")) {
                out.extend(e.problems().iter().cloned());
            }
        }
        if let Some(rate) = self.default_rate {
            check_rate(rate, &path::field(at, "default_rate"), out);
        }
        for (name, map) in [
            ("channel_rates", &self.channel_rates),
            ("campaign_rates", &self.campaign_rates),
            ("promoter_rates", &self.promoter_rates),
        ] {
            let here = path::field(at, name);
            for (key, rate) in map {
                let key_at = path::field(&here, key);
                if key.trim().is_empty() {
                    out.push(Problem::new(&key_at, "the id must not be blank"));
                }
                check_rate(*rate, &key_at, out);
            }
        }
        self.check_referral(&path::field(at, "referral"), out);
    }

    fn check_referral(&self, at: &str, out: &mut Vec<Problem>) {
        let levels = self.referral.levels;
        let levels_at = path::field(at, "levels");
        let rate_at = path::field(at, "upline_rate");
        match levels {
            0 => out.push(Problem::new(
                levels_at,
                "levels 0: a plan pays at least the promoter of the touch (1)",
            )),
            1 | 2 => {}
            n => out.push(Problem::new(
                levels_at,
                format!(
                    "levels {n}: multi-level distribution (分销) pays at most \
                     {MAX_REFERRAL_LEVELS} levels, the promoter and their upline (WeChat allows \
                     two levels including the promoter; three or more is pyramid selling); \
                     use 1 or 2"
                ),
            )),
        }
        match (levels, self.referral.upline_rate) {
            (2, None) => out.push(Problem::new(
                rate_at,
                "levels 2 pays the upline: give upline_rate, e.g. \"0.03\"",
            )),
            (1, Some(rate)) => out.push(Problem::new(
                rate_at,
                format!("upline_rate {rate} would never be paid with levels 1; set levels = 2 or remove it"),
            )),
            (_, Some(rate)) => {
                check_rate(rate, &rate_at, out);
                let highest = self
                    .channel_rates
                    .values()
                    .chain(self.campaign_rates.values())
                    .chain(self.promoter_rates.values())
                    .chain(self.default_rate.iter())
                    .copied()
                    .max()
                    .unwrap_or(Decimal::ZERO);
                if highest + rate > Decimal::ONE {
                    out.push(Problem::new(
                        rate_at,
                        format!(
                            "upline_rate {rate} plus the highest promoter rate {highest} pays \
                             more than the sale"
                        ),
                    ));
                }
            }
            _ => {}
        }
    }
}

/// Checks a `commission` section at `at` (its shape was checked already): the texts, the
/// plan's meaning, and channel ids against `channels` (the playbook's; empty: not checked).
pub(crate) fn check_section(section: &Value, at: &str, channels: &[&str], out: &mut Vec<Problem>) {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    if section.is_null() {
        return;
    }
    check_texts(schema_of::<Commission>(&SCHEMA), section, at, out);
    let Ok(plan) = serde_json::from_value::<Commission>(section.clone()) else {
        return; // the shape or text problems are reported already
    };
    let mut found = Vec::new();
    plan.check(at, &mut found);
    if !channels.is_empty() {
        let rates_at = path::field(at, "channel_rates");
        for key in plan.channel_rates.keys() {
            if !channels.contains(&key.as_str()) {
                found.push(Problem::new(
                    path::field(&rates_at, key),
                    format!(
                        "no channel {} in this playbook; known: {}",
                        show(&Value::String(key.clone())),
                        channels.join(", ")
                    ),
                ));
            }
        }
    }
    for p in found {
        if !out.contains(&p) {
            out.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{CommissionPlan, ErrorKind, Playbook};

    const BRAND_JSON: &str = include_str!("../../../examples/playbooks/brand.json");
    const BRAND_TOML: &str = include_str!("../../../examples/playbooks/brand.toml");

    fn with_commission(section: &str) -> crate::Error {
        let text = format!(
            r#"{{"schema_version":1,"tenant_id":"t","timezone":"UTC",
                "channels":[{{"id":"wecom","name":"企业微信","platform":"wecom"}}],
                "pricing":{{"commission":{section}}}}}"#
        );
        Playbook::from_json(&text).unwrap_err()
    }

    fn lines(e: &crate::Error) -> Vec<String> {
        e.problems().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn the_sample_plan_loads_the_same_from_json_and_toml_and_compiles() {
        let a = Playbook::from_json(BRAND_JSON).unwrap();
        let b = Playbook::from_toml(BRAND_TOML).unwrap();
        assert_eq!(a.commission(), b.commission());
        let plan = CommissionPlan::new(a.commission().unwrap()).unwrap();
        assert_eq!(plan.levels(), 2);
        assert_eq!(plan.hold(), chrono::TimeDelta::days(15));
    }

    #[test]
    fn three_levels_are_refused_naming_the_path_and_the_value() {
        let e = with_commission(
            r#"{"currency":"CNY","attribution":{"model":"linear"},"referral":{"levels":3,"upline_rate":"0.02"}}"#,
        );
        assert_eq!(e.kind(), ErrorKind::Validation);
        assert_eq!(e.problems().len(), 1, "{e}");
        assert!(
            lines(&e)[0].starts_with("pricing.commission.referral.levels: levels 3: multi-level distribution (分销) pays at most 2 levels"),
            "{e}"
        );
    }

    #[test]
    fn every_problem_of_the_section_is_reported_with_its_path() {
        let e = with_commission(
            r#"{"currency":"RMB","attribution":{"model":"time_decay","half_life":"a week"},
                "hold":"15 days","default_rate":"5%","channel_rates":{"weibo":"0.1"},
                "referral":{"levels":2}}"#,
        );
        let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "pricing.commission.attribution.half_life",
                "pricing.commission.currency",
                "pricing.commission.default_rate",
                "pricing.commission.hold",
            ],
            "{e}"
        );
        // Once the texts are fixed, the meaning is checked.
        let e = with_commission(
            r#"{"currency":"CNY","attribution":{"model":"time_decay"},"channel_rates":{"weibo":"0.1"},
                "referral":{"levels":2}}"#,
        );
        let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "pricing.commission.referral.upline_rate",
                "pricing.commission.channel_rates.weibo"
            ],
            "{e}"
        );
    }

    #[test]
    fn shape_problems_are_reported_like_any_other_section() {
        let e = with_commission(
            r#"{"currency":"CNY","attribution":{"model":"last_click"},"rate":"0.1"}"#,
        );
        let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "pricing.commission.attribution.model",
                "pricing.commission.rate"
            ],
            "{e}"
        );
    }
}
