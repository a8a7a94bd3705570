//! The pricing section of a playbook (DOMAIN.md 7): meters, plans with their charges, coupons,
//! the usage packs sold and the CPS commission plan. Every field is optional, so every playbook
//! valid before stays valid.

use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Commission, Packs};
use crate::billing::{Coupon, Meter, Plan};
use crate::error::{Error, ErrorKind, Problem, Result};

/// Meters, plans, coupons, usage packs and the CPS commission plan of a tenant.
///
/// ```
/// let pricing = scrm_core::Pricing::from_json(r#"{
///   "meters": [{"id": "sms", "event": "sms_sent", "aggregation": "count", "unit": "messages"}],
///   "plans": [{"id": "basic", "name": "Basic", "currency": "CNY", "interval": "month",
///              "fee": "299.00",
///              "charges": [{"id": "sms", "meter": "sms", "included": 1000,
///                           "price": {"model": "standard", "unit_price": "0.05"}}]}],
///   "coupons": [{"id": "half", "percent": "50", "duration": "once"}]
/// }"#)?;
/// assert_eq!(pricing.plan("basic").unwrap().charges.len(), 1);
/// # Ok::<(), scrm_core::Error>(())
/// ```
// Not `Eq`: sections added later may hold types that are only `PartialEq`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Pricing {
    /// Billable metrics: which usage events are counted and how.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meters: Vec<Meter>,
    /// Editions (套餐 / 版本) and their charges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plans: Vec<Plan>,
    /// Coupons subscriptions may carry.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<Coupon>,
    /// The usage packs the tenant sells (流量包 / 短信包), if any; compile them with
    /// [`PackLadder::new`](crate::PackLadder::new).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packs: Option<Packs>,
    /// The CPS commission plan, if the tenant pays promoters (按效果付费 / 分销); compile it with
    /// [`CommissionPlan::new`](crate::CommissionPlan::new).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commission: Option<Commission>,
}

const MAX_ID_LEN: usize = 64;

impl Pricing {
    /// Loads and validates a pricing section on its own (the `pricing` object of a playbook).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`] for malformed JSON; [`ErrorKind::Validation`] with every problem,
    /// each with its path (`plans[0].charges[1].price.tiers[2].from`).
    pub fn from_json(text: &str) -> Result<Pricing> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| crate::error::json_parse_error("", "pricing JSON", &e))?;
        Pricing::from_value(&value, "")
    }

    /// Validates `value` as a pricing section whose paths start at `at`.
    pub(crate) fn from_value(value: &Value, at: &str) -> Result<Pricing> {
        let mut problems = Vec::new();
        let schema = schema();
        super::shape::check(schema, schema, value, at, &mut problems);
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        sections(value, at, &[], &mut problems);
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        let pricing: Pricing = serde_json::from_value(value.clone())
            .map_err(|e| Error::at(ErrorKind::Validation, at, e.to_string()))?;
        let problems = pricing.problems(at);
        if problems.is_empty() {
            Ok(pricing)
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }

    /// The meters.
    pub fn meters(&self) -> &[Meter] {
        &self.meters
    }

    /// The plan with this id.
    pub fn plan(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|p| p.id == id)
    }

    /// The coupon with this id.
    pub fn coupon(&self, id: &str) -> Option<&Coupon> {
        self.coupons.iter().find(|c| c.id == id)
    }

    /// Every meaning problem (the shape is checked by the schema), under `at`.
    pub(crate) fn problems(&self, at: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        let field = |name: &str| super::path_field(at, name);
        for (i, m) in self.meters.iter().enumerate() {
            let here = format!("{}[{i}]", field("meters"));
            check_id(&m.id, &format!("{here}.id"), &mut out);
            if self.meters[..i].iter().any(|o| o.id == m.id) {
                out.push(duplicate(&format!("{here}.id"), "meter", &m.id));
            }
            out.extend(m.problems(&here));
        }
        for (i, p) in self.plans.iter().enumerate() {
            let here = format!("{}[{i}]", field("plans"));
            check_id(&p.id, &format!("{here}.id"), &mut out);
            if self.plans[..i].iter().any(|o| o.id == p.id) {
                out.push(duplicate(&format!("{here}.id"), "plan", &p.id));
            }
            out.extend(p.problems(&here, &self.meters));
        }
        for (i, c) in self.coupons.iter().enumerate() {
            let here = format!("{}[{i}]", field("coupons"));
            check_id(&c.id, &format!("{here}.id"), &mut out);
            if self.coupons[..i].iter().any(|o| o.id == c.id) {
                out.push(duplicate(&format!("{here}.id"), "coupon", &c.id));
            }
            out.extend(c.problems(&here));
        }
        out
    }
}

/// The meaning checks of a whole playbook's pricing section, for the playbook loader: its shape
/// problems are reported by the playbook's own schema walk, so this reads only a section that
/// has the right shape.
pub(crate) fn check(doc: &Value, out: &mut Vec<Problem>) {
    let Some(section) = doc.get("pricing") else {
        return;
    };
    let channels: Vec<&str> = match doc.get("channels") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|c| c.get("id").and_then(Value::as_str))
            .collect(),
        _ => Vec::new(),
    };
    let before = out.len();
    sections(section, "pricing", &channels, out);
    if out.len() > before {
        return;
    }
    if let Ok(pricing) = serde_json::from_value::<Pricing>(section.clone()) {
        out.extend(pricing.problems("pricing"));
    }
}

/// The texts and meaning of the `packs` and `commission` parts of a pricing section at `at`.
fn sections(section: &Value, at: &str, channels: &[&str], out: &mut Vec<Problem>) {
    if let Some(packs) = section.get("packs") {
        super::packs::check_section(packs, &super::path_field(at, "packs"), out);
    }
    if let Some(plan) = section.get("commission") {
        let here = super::path_field(at, "commission");
        super::commission::check_section(plan, &here, channels, out);
    }
}

fn schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| schemars::schema_for!(Pricing).to_value())
}

fn check_id(id: &str, at: &str, out: &mut Vec<Problem>) {
    let well_formed = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !well_formed {
        out.push(Problem::new(
            at.to_owned(),
            format!("invalid id {id:?}: use 1 to {MAX_ID_LEN} letters, digits, '_', '-' or '.'"),
        ));
    }
}

fn duplicate(at: &str, what: &str, id: &str) -> Problem {
    Problem::new(at.to_owned(), format!("duplicate {what} id {id:?}"))
}

#[cfg(test)]
mod tests {
    use crate::Playbook;

    #[test]
    fn a_toml_playbook_carries_pricing_and_its_schema_checks_decimals() {
        let playbook = Playbook::from_toml(
            r#"
schema_version = 1
tenant_id = "acme"
timezone = "Asia/Shanghai"

[[pricing.meters]]
id = "sms"
event = "sms_sent"
aggregation = "count"

[[pricing.plans]]
id = "basic"
name = "基础版"
currency = "CNY"
interval = "month"
fee = "299.00"

[[pricing.plans.charges]]
id = "sms"
meter = "sms"
included = 1000
price = { model = "graduated_percentage", tiers = [
  { from = 0, to = 100, rate = "1" }, { from = 101, rate = "0.5" } ] }

[[pricing.coupons]]
id = "half"
percent = "50"
duration = "once"
"#,
        )
        .unwrap();
        assert_eq!(playbook.pricing().plans[0].charges[0].meter, "sms");
        assert!(Playbook::json_schema().contains("\"format\": \"decimal\""));
        let e = Playbook::from_json(
            r#"{"schema_version": 1, "tenant_id": "acme", "timezone": "UTC",
                "pricing": {"coupons": [{"id": "x", "percent": 12.5, "duration": "once"}]}}"#,
        )
        .unwrap_err();
        assert_eq!(e.problems()[0].path, "pricing.coupons[0].percent");
    }
}
