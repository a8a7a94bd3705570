//! The packs section of a playbook: the usage packs (流量包 / 短信包) a tenant sells, as a ladder
//! where the more is bought, the cheaper each unit.
//!
//! ```toml
//! [packs]
//! unit = "message"
//! currency = "CNY"
//!
//! [[packs.ladder]]
//! id = "sms_1k"
//! units = 1000
//! price = "50.00"
//! valid_for = "365d"
//!
//! [[packs.ladder]]
//! id = "sms_10k"
//! units = 10000
//! bonus_units = 1000
//! price = "400.00"
//! valid_for = "365d"
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::path;
use crate::billing::Currency;
use crate::billing::input::{
    check_texts, currency_schema, decimal_schema, duration_schema, schema_of,
};
use crate::error::Problem;

/// The usage packs a tenant sells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Packs {
    /// What one unit is, for explanations (e.g. `"message"`, `"MB"`).
    pub unit: String,
    /// The currency packs are priced in.
    #[schemars(schema_with = "currency_schema")]
    pub currency: Currency,
    /// The packs, smallest first; each bigger pack must not cost more per unit.
    pub ladder: Vec<PackOffer>,
}

/// One pack of the ladder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PackOffer {
    /// Stable id, unique in the ladder.
    pub id: String,
    /// Display name (e.g. `"短信包 1万条"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Paid units.
    pub units: u64,
    /// Bonus units given on top (赠送), burned before paid units.
    #[serde(default)]
    pub bonus_units: u64,
    /// The price, in the ladder's currency.
    #[serde(with = "crate::decimal_text")]
    #[schemars(schema_with = "decimal_schema")]
    pub price: Decimal,
    /// How long the units stay usable after purchase (e.g. `"365d"`); none: no expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "duration_schema")]
    pub valid_for: Option<String>,
}

impl PackOffer {
    /// Paid plus bonus units.
    pub fn total_units(&self) -> u128 {
        u128::from(self.units) + u128::from(self.bonus_units)
    }
}

impl Packs {
    /// Appends the problems of the ladder, with paths under `at` (`packs`).
    pub(crate) fn check(&self, at: &str, out: &mut Vec<Problem>) {
        if self.unit.trim().is_empty() {
            out.push(Problem::new(
                path::field(at, "unit"),
                "the unit must not be blank, e.g. \"message\"",
            ));
        }
        let ladder_at = path::field(at, "ladder");
        if self.ladder.is_empty() {
            out.push(Problem::new(
                &ladder_at,
                "the ladder has no pack; give at least one",
            ));
        }
        let mut ids: HashMap<&str, usize> = HashMap::new();
        let mut previous: Option<&PackOffer> = None;
        for (i, pack) in self.ladder.iter().enumerate() {
            let here = path::index(&ladder_at, i);
            if pack.id.trim().is_empty() {
                out.push(Problem::new(
                    path::field(&here, "id"),
                    "the pack id must not be blank",
                ));
            } else if let Some(first) = ids.insert(&pack.id, i) {
                out.push(Problem::new(
                    path::field(&here, "id"),
                    format!(
                        "duplicate pack id {:?} (first at {ladder_at}[{first}])",
                        pack.id
                    ),
                ));
            }
            if pack.units == 0 {
                out.push(Problem::new(
                    path::field(&here, "units"),
                    "a pack sells at least 1 paid unit",
                ));
            }
            let price_at = path::field(&here, "price");
            if pack.price <= Decimal::ZERO {
                out.push(Problem::new(
                    &price_at,
                    format!("price {} must be above zero", pack.price),
                ));
            } else if pack.price.normalize().scale() > self.currency.exponent() {
                out.push(Problem::new(
                    &price_at,
                    format!(
                        "price {} has more decimals than {}",
                        pack.price, self.currency
                    ),
                ));
            }
            if let Some(valid) = &pack.valid_for {
                if let Err(e) = crate::duration::parse(valid, &path::field(&here, "valid_for")) {
                    out.extend(e.problems().iter().cloned());
                }
            }
            if let Some(prev) = previous {
                check_step(prev, pack, &here, out);
            }
            previous = Some(pack);
        }
    }
}

/// A bigger pack comes later and costs no more per unit (compared exactly, by cross-multiplying).
fn check_step(prev: &PackOffer, pack: &PackOffer, at: &str, out: &mut Vec<Problem>) {
    if pack.total_units() <= prev.total_units() {
        out.push(Problem::new(
            path::field(at, "units"),
            format!(
                "{} units in all is not more than the previous pack's {}: list packs smallest first",
                pack.total_units(),
                prev.total_units()
            ),
        ));
        return;
    }
    let (Ok(t0), Ok(t1)) = (
        i64::try_from(prev.total_units()),
        i64::try_from(pack.total_units()),
    ) else {
        return;
    };
    let lhs = pack.price.checked_mul(Decimal::from(t0));
    let rhs = prev.price.checked_mul(Decimal::from(t1));
    if let (Some(lhs), Some(rhs)) = (lhs, rhs) {
        if lhs > rhs {
            out.push(Problem::new(
                path::field(at, "price"),
                format!(
                    "{} for {} units costs more per unit than the previous pack's {} for {}: a \
                     bigger pack must not cost more per unit",
                    pack.price,
                    pack.total_units(),
                    prev.price,
                    prev.total_units()
                ),
            ));
        }
    }
}

/// Checks a `packs` section at `at` (its shape was checked already).
pub(crate) fn check_section(section: &Value, at: &str, out: &mut Vec<Problem>) {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    if section.is_null() {
        return;
    }
    check_texts(schema_of::<Packs>(&SCHEMA), section, at, out);
    let Ok(packs) = serde_json::from_value::<Packs>(section.clone()) else {
        return;
    };
    let mut found = Vec::new();
    packs.check(at, &mut found);
    for p in found {
        if !out.contains(&p) {
            out.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{PackLadder, Playbook};

    const BRAND_JSON: &str = include_str!("../../../examples/playbooks/brand.json");
    const BRAND_TOML: &str = include_str!("../../../examples/playbooks/brand.toml");

    #[test]
    fn the_sample_ladder_loads_the_same_from_json_and_toml_and_compiles() {
        let a = Playbook::from_json(BRAND_JSON).unwrap();
        let b = Playbook::from_toml(BRAND_TOML).unwrap();
        assert_eq!(a.packs(), b.packs());
        let ladder = PackLadder::new(a.packs().unwrap()).unwrap();
        let prices: Vec<String> = ladder
            .packs
            .iter()
            .map(|p| p.unit_price.to_string())
            .collect();
        // 50/1000, 400/11000, 1500/60000, 2600/130000
        assert_eq!(prices, ["0.0500", "0.0364", "0.0250", "0.0200"]);
    }

    #[test]
    fn ladder_problems_are_reported_under_packs() {
        let e = Playbook::from_json(
            r#"{"schema_version":1,"tenant_id":"t","timezone":"UTC","pricing":{"packs":{"unit":"message",
                "currency":"CNY","ladder":[{"id":"a","units":1000,"price":"50.00","valid_for":"1y"},
                {"id":"b","units":2000,"price":"120.00"},{"id":"c","units":0,"price":"0.001"}]}}}"#,
        )
        .unwrap_err();
        let paths: Vec<&str> = e.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "pricing.packs.ladder[0].valid_for",
                "pricing.packs.ladder[1].price",
                "pricing.packs.ladder[2].units",
                "pricing.packs.ladder[2].price",
                "pricing.packs.ladder[2].units",
            ],
            "{e}"
        );
    }
}
