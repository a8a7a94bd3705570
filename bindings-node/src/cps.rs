//! CPS (按效果付费 / 分销): attribution and commissions; usage packs (流量包 / 短信包).
//!
//! The core takes one input document per call (`docs/cps.md`, `docs/packs.md`); here its parts
//! are arguments, and [`input`] puts them back together under the document's keys, so every
//! problem keeps the core's path (`sales[0].amount`, `packs.ladder[1].price`).

use chrono::SecondsFormat;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use scrm_core::ErrorKind;

use crate::condition::time;
use crate::{document, fail, json_text};

/// A part of an input document: JSON text, or the fields of an object spread into the document.
enum Part {
    Field(&'static str, String),
    Spread(&'static str, String),
}

/// The input document of a core function from its parts, absent ones left out.
fn input(env: &Env, parts: Vec<Part>) -> Result<String> {
    let mut doc = serde_json::Map::new();
    for part in parts {
        match part {
            Part::Field(key, text) => {
                doc.insert(key.to_owned(), parse(env, &text, key)?);
            }
            Part::Spread(what, text) => match parse(env, &text, what)? {
                serde_json::Value::Object(fields) => doc.extend(fields),
                _ => {
                    return Err(fail(
                        env,
                        ErrorKind::Validation,
                        what,
                        "expected an object such as { sales: [...], refunds: [...] }",
                    ));
                }
            },
        }
    }
    Ok(serde_json::Value::Object(doc).to_string())
}

/// Reads JSON text written by `JSON.stringify` (so it always reads).
fn parse(env: &Env, text: &str, what: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| {
        fail(
            env,
            ErrorKind::Parse,
            what,
            format!("cannot be read as JSON: {e}"),
        )
    })
}

/// A time argument (a `Date` or an RFC 3339 string) as the RFC 3339 text the document holds.
fn instant(env: &Env, value: Unknown<'_>, what: &'static str) -> Result<Part> {
    let t = time(env, value, what)?;
    let text = serde_json::Value::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    Ok(Part::Field(what, text.to_string()))
}

fn field(env: &Env, value: Unknown<'_>, what: &'static str) -> Result<Part> {
    json_text(env, value, what).map(|text| Part::Field(what, text))
}

/// Attributes one sale to the touches before it (`attribution.model`: `first_touch`,
/// `last_touch`, `linear`, `time_decay`, `position_based`, within `lookback`): each credited
/// touch's weight and amount (exact decimal strings that sum to the sale), the touches excluded
/// and why, and what is left unattributed.
///
/// @throws {ScrmError} `code` "validation" naming each bad field (`attribution.model`,
/// `sale.amount` for an amount that is not a decimal string); "parse" for a value that has no
/// JSON form.
#[napi(
    ts_args_type = "attribution: AttributionSettingsJson, sale: SaleJson",
    ts_return_type = "Attribution"
)]
pub fn attribute<'env>(
    env: &'env Env,
    attribution: Unknown<'_>,
    sale: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let doc = input(
        env,
        vec![
            field(env, attribution, "attribution")?,
            field(env, sale, "sale")?,
        ],
    )?;
    document(env, || scrm_core::attribute_json(&doc))
}

/// Every commission line as of `asOf` (a `Date` or an RFC 3339 string) under a commission plan
/// (a playbook's `pricing.commission`, see `Playbook.commission`): per sale, touch and referral
/// level the promoter, rate, commission, what is already paid and the amount still due (or
/// clawed back after a refund) with its status; and the totals. Amounts are decimal strings.
/// `history` holds the `sales` with their touches, and optionally `refunds`, `payouts` and
/// `referrers` (promoter → upline).
///
/// @throws {ScrmError} `code` "validation" at `as_of`, naming each bad field of `plan`
/// (`plan.referral.levels`) and `history` (`refunds[1].amount`, `payouts[0].promoter`).
#[napi(
    ts_args_type = "plan: CommissionPlanJson, history: CpsHistoryJson, asOf: Date | string",
    ts_return_type = "Commissions"
)]
pub fn commission<'env>(
    env: &'env Env,
    plan: Unknown<'_>,
    history: Unknown<'_>,
    as_of: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let doc = input(
        env,
        vec![
            field(env, plan, "plan")?,
            Part::Spread("history", json_text(env, history, "history")?),
            instant(env, as_of, "as_of")?,
        ],
    )?;
    document(env, || scrm_core::commission_json(&doc))
}

/// The statement (对账单) of one promoter for `[from, to)` (each a `Date` or an RFC 3339
/// string): their commission lines in the window, the totals and an explanation.
///
/// @throws {ScrmError} As `commission`, and at `from` when it is not before `to`.
#[napi(
    ts_args_type = "plan: CommissionPlanJson, history: CpsHistoryJson, promoter: string, from: Date | string, to: Date | string",
    ts_return_type = "CommissionStatement"
)]
pub fn commission_statement<'env>(
    env: &'env Env,
    plan: Unknown<'_>,
    history: Unknown<'_>,
    promoter: String,
    from: Unknown<'_>,
    to: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let promoter = serde_json::Value::String(promoter).to_string();
    let doc = input(
        env,
        vec![
            field(env, plan, "plan")?,
            Part::Spread("history", json_text(env, history, "history")?),
            Part::Field("promoter", promoter),
            instant(env, from, "from")?,
            instant(env, to, "to")?,
        ],
    )?;
    document(env, || scrm_core::commission_statement_json(&doc))
}

/// The pack ladder (a playbook's `pricing.packs`, see `Playbook.packs`) with each pack's total
/// units, effective unit price and discount against the smallest pack (decimal strings).
///
/// @throws {ScrmError} `code` "validation" naming each bad field (`packs.ladder[1].price`).
#[napi(ts_args_type = "packs: PacksJson", ts_return_type = "PackLadder")]
pub fn pack_ladder<'env>(env: &'env Env, packs: Unknown<'_>) -> Result<Unknown<'env>> {
    let doc = input(env, vec![field(env, packs, "packs")?])?;
    document(env, || scrm_core::pack_ladder_json(&doc))
}

/// The wallet a purchase of pack `packId` at `at` (a `Date` or an RFC 3339 string) creates, with
/// id `walletId`: its paid and bonus units and, for a pack with `valid_for`, when it expires.
///
/// @throws {ScrmError} `code` "validation" at `pack_id` for an unknown pack, at `at`, and naming
/// each bad field of `packs`.
#[napi(
    ts_args_type = "packs: PacksJson, packId: string, walletId: string, at: Date | string",
    ts_return_type = "WalletJson"
)]
pub fn purchase<'env>(
    env: &'env Env,
    packs: Unknown<'_>,
    pack_id: String,
    wallet_id: String,
    at: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let doc = input(
        env,
        vec![
            field(env, packs, "packs")?,
            Part::Field("pack_id", serde_json::Value::String(pack_id).to_string()),
            Part::Field(
                "wallet_id",
                serde_json::Value::String(wallet_id).to_string(),
            ),
            instant(env, at, "at")?,
        ],
    )?;
    document(env, || scrm_core::purchase_json(&doc))
}

/// Consumes usages from wallets, in time order (expired wallets first drop out; then bonus units
/// before paid units, each oldest wallet first; the same usage id twice counts once): the wallets
/// after, and per usage what was consumed from which wallet, the shortfall, and what expired on
/// the way. Units are decimal strings. Wallets are plain data: store them and pass them back.
///
/// @throws {ScrmError} `code` "validation" naming each bad field (`usages[0].quantity`,
/// `wallets[1].id` for a blank or duplicate id), and a usage id sent twice with other content.
#[napi(
    ts_args_type = "wallets: Array<WalletJson>, usages: Array<PackUsageJson>",
    ts_return_type = "Consumed"
)]
pub fn consume<'env>(
    env: &'env Env,
    wallets: Unknown<'_>,
    usages: Unknown<'_>,
) -> Result<Unknown<'env>> {
    let doc = input(
        env,
        vec![
            field(env, wallets, "wallets")?,
            field(env, usages, "usages")?,
        ],
    )?;
    document(env, || scrm_core::consume_json(&doc))
}
