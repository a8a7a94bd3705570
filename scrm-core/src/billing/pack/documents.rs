//! The pack operations over JSON documents, for the bindings (shapes in `docs/packs.md`).

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ladder::PackLadder;
use super::wallet::{Consumption, PackUsage, Wallet, check_usage, check_wallets, take};
use crate::billing::input::{read, schema_of};
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::playbook::{Packs, path_field, path_index};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct LadderInput {
    packs: Packs,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PurchaseInput {
    packs: Packs,
    pack_id: String,
    wallet_id: String,
    at: DateTime<Utc>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ConsumeInput {
    wallets: Vec<Wallet>,
    usages: Vec<PackUsage>,
}

#[derive(Serialize)]
struct ConsumeOutput {
    wallets: Vec<Wallet>,
    consumptions: Vec<Consumption>,
}

fn write<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn prefixed(error: Error, at: &str) -> Error {
    let problems = error
        .problems()
        .iter()
        .map(|p| Problem::new(path_field(at, &p.path), p.message.clone()))
        .collect();
    Error::with_problems(error.kind(), problems)
}

/// The ladder with effective unit prices: `{"packs": <the packs section of a playbook: {"unit",
/// "currency", "ladder": [{"id", "name"?, "units", "bonus_units"?, "price", "valid_for"?}]}>}` →
/// `{"unit", "currency", "packs": [{id, name?, units, bonus_units, total_units, price, unit_price,
/// discount_percent, valid_for?, explanation}]}`.
///
/// # Errors
///
/// [`ErrorKind::Parse`] for malformed JSON, [`ErrorKind::Validation`] naming every problem
/// (`packs.ladder[1].price`).
pub fn pack_ladder_json(input: &str) -> Result<String> {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    let doc: LadderInput = read(
        input,
        "pack ladder input",
        schema_of::<LadderInput>(&SCHEMA),
    )?;
    let ladder = PackLadder::new(&doc.packs).map_err(|e| prefixed(e, "packs"))?;
    Ok(write(&ladder))
}

/// The wallet a purchase creates: `{"packs": <packs section>, "pack_id", "wallet_id", "at"}` →
/// `{"id", "pack_id", "purchased_at", "expires_at"?, "paid_units", "bonus_units"}`.
///
/// # Errors
///
/// As [`pack_ladder_json`], and for an unknown pack id.
pub fn purchase_json(input: &str) -> Result<String> {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    let doc: PurchaseInput = read(input, "purchase", schema_of::<PurchaseInput>(&SCHEMA))?;
    let ladder = PackLadder::new(&doc.packs).map_err(|e| prefixed(e, "packs"))?;
    Ok(write(&ladder.purchase(
        &doc.pack_id,
        &doc.wallet_id,
        doc.at,
    )?))
}

/// Consumes a batch of usages, in time order (equal times in the order given; the same usage id
/// twice counts once): `{"wallets": [wallet...], "usages": [{"id", "at", "quantity"}]}` →
/// `{"wallets": [the wallets after], "consumptions": [{usage_id, at, quantity, consumed,
/// shortfall, lines: [{wallet_id, kind, units, left, explanation}], expired: [{wallet_id,
/// expired_at, bonus_units, paid_units}], bonus_left, paid_left, explanation}]}`.
///
/// # Errors
///
/// As [`pack_ladder_json`]; a usage id sent twice with different content; negative quantities or
/// balances; blank or duplicate wallet ids.
pub fn consume_json(input: &str) -> Result<String> {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    let doc: ConsumeInput = read(
        input,
        "consumption input",
        schema_of::<ConsumeInput>(&SCHEMA),
    )?;
    let mut problems = Vec::new();
    check_wallets(&doc.wallets, "wallets", &mut problems);
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut usages: Vec<&PackUsage> = Vec::with_capacity(doc.usages.len());
    for (i, usage) in doc.usages.iter().enumerate() {
        let at = path_index("usages", i);
        check_usage(usage, &at, &mut problems);
        match first.get(usage.id.as_str()) {
            None => {
                first.insert(&usage.id, i);
                usages.push(usage);
            }
            Some(&j) if doc.usages.get(j) != Some(usage) => problems.push(Problem::new(
                path_field(&at, "id"),
                format!(
                    "usage {:?} was already sent as usages[{j}] with other content",
                    usage.id
                ),
            )),
            Some(_) => {}
        }
    }
    if !problems.is_empty() {
        return Err(Error::with_problems(ErrorKind::Validation, problems));
    }
    usages.sort_by_key(|u| u.at);
    let mut wallets = doc.wallets.clone();
    let consumptions = usages
        .into_iter()
        .map(|u| take(&mut wallets, u))
        .collect::<Result<Vec<_>>>()?;
    Ok(write(&ConsumeOutput {
        wallets,
        consumptions,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PACKS: &str = r#"{"unit":"message","currency":"CNY","ladder":[
        {"id":"sms_1k","units":1000,"price":"50.00","valid_for":"365d"}]}"#;

    #[test]
    fn ladder_purchase_and_consume_round_trip_through_json() {
        let ladder: Value =
            serde_json::from_str(&pack_ladder_json(&format!(r#"{{"packs":{PACKS}}}"#)).unwrap())
                .unwrap();
        assert_eq!(ladder["packs"][0]["unit_price"], "0.0500");
        let wallet = purchase_json(&format!(
            r#"{{"packs":{PACKS},"pack_id":"sms_1k","wallet_id":"w1","at":"2026-03-01T00:00:00Z"}}"#
        ))
        .unwrap();
        let out: Value = serde_json::from_str(
            &consume_json(&format!(
                r#"{{"wallets":[{wallet}],"usages":[{{"id":"u1","at":"2026-03-02T00:00:00Z","quantity":1200}}]}}"#
            ))
            .unwrap(),
        )
        .unwrap();
        assert_eq!(out["wallets"][0]["paid_units"], "0");
        assert_eq!(out["consumptions"][0]["shortfall"], "200");
        assert_eq!(out["consumptions"][0]["lines"][0]["kind"], "paid");
    }

    #[test]
    fn problems_are_located() {
        let e = pack_ladder_json(
            r#"{"packs":{"unit":"message","currency":"CNY","ladder":[{"id":"a","units":10,"price":"-1"}]}}"#,
        )
        .unwrap_err();
        assert_eq!(e.problems()[0].path, "packs.ladder[0].price");
        let e = consume_json(
            r#"{"wallets":[],"usages":[{"id":"u1","at":"2026-03-02T00:00:00Z","quantity":"1"},
                {"id":"u1","at":"2026-03-02T00:00:00Z","quantity":"2"}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.problems()[0].path, "usages[1].id");
        assert_eq!(
            consume_json("[]").unwrap_err().kind(),
            ErrorKind::Validation
        );
    }
}
