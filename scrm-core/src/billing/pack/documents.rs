//! The pack operations over JSON documents, for the bindings (shapes in `docs/packs.md`).

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::ladder::PackLadder;
use super::wallet::{Consumption, Usage, Wallet, check_usage, check_wallets, take};
use crate::billing::input::{read, schema_of};
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::playbook::{Packs, path_field, path_index};

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PurchaseInput {
    ladder: Packs,
    pack_id: String,
    wallet_id: String,
    at: DateTime<Utc>,
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ConsumeInput {
    wallets: Vec<Wallet>,
    usages: Vec<Usage>,
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

/// The ladder with effective unit prices: input the `packs` section of a playbook (`{"unit",
/// "currency", "ladder": [{"id", "name"?, "units", "bonus_units"?, "price", "valid_for"?}]}`) →
/// `{"unit", "currency", "packs": [{id, name?, units, bonus_units, total_units, price, unit_price,
/// discount_percent, valid_for?, explanation}]}`.
///
/// # Errors
///
/// [`ErrorKind::Parse`] for malformed JSON, [`ErrorKind::Validation`] naming every problem
/// (`ladder[1].price`).
pub fn pack_ladder_json(input: &str) -> Result<String> {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    let section: Packs = read(input, "packs", schema_of::<Packs>(&SCHEMA))?;
    Ok(write(&PackLadder::new(&section)?))
}

/// The wallet a purchase creates: `{"ladder": <packs section>, "pack_id", "wallet_id", "at"}` →
/// `{"id", "pack_id", "purchased_at", "expires_at"?, "paid_units", "bonus_units"}`.
///
/// # Errors
///
/// As [`pack_ladder_json`] (paths under `ladder`), and for an unknown pack id.
pub fn purchase_json(input: &str) -> Result<String> {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    let doc: PurchaseInput = read(input, "purchase", schema_of::<PurchaseInput>(&SCHEMA))?;
    let ladder = PackLadder::new(&doc.ladder).map_err(|e| prefixed(e, "ladder"))?;
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
    let mut usages: Vec<&Usage> = Vec::with_capacity(doc.usages.len());
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
