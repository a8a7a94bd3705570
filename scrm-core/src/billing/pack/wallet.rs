//! Wallets of prepaid units and their consumption.
//!
//! Each purchased pack is a [`Wallet`] holding paid and bonus units. Consumption follows Lago's
//! order for prepaid credits (DOMAIN.md 7): **bonus units first, then paid units, each oldest
//! wallet first** (by purchase time; wallets bought at the same instant in the order given).
//! Bonus units are what the tenant gave away, so burning them first spends the customer's money
//! last. A wallet is usable from its purchase time until just before `expires_at`: at `expires_at`
//! its remaining units expire, are reported once and set to zero. A wallet bought after a usage
//! cannot pay for it. Consumption beyond the balance takes what there is and reports the rest as a
//! shortfall (overage, to be charged by a plan) — a balance never goes negative.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::billing::cps::text::time;
use crate::billing::input::decimal_schema;
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::playbook::{path_field, path_index};

/// A wallet of prepaid units (one purchased pack), with what is left of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Wallet {
    /// The wallet id.
    pub id: String,
    /// The pack it was bought as, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack_id: Option<String>,
    /// When it was bought: usable from then.
    pub purchased_at: DateTime<Utc>,
    /// When what is left expires; none: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// Paid units left.
    #[serde(with = "crate::decimal_text")]
    #[schemars(schema_with = "decimal_schema")]
    pub paid_units: Decimal,
    /// Bonus units left.
    #[serde(with = "crate::decimal_text")]
    #[schemars(schema_with = "decimal_schema")]
    pub bonus_units: Decimal,
}

/// A use of units: a message sent, megabytes used.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackUsage {
    /// The usage id; the same usage twice in one batch counts once.
    pub id: String,
    /// When the units were used.
    pub at: DateTime<Utc>,
    /// How many units (zero or more).
    #[serde(with = "crate::decimal_text")]
    #[schemars(schema_with = "decimal_schema")]
    pub quantity: Decimal,
}

/// Paid or bonus units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CreditKind {
    /// Bonus units (赠送), burned first.
    Bonus,
    /// Paid units.
    Paid,
}

/// Units taken from one wallet for one usage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConsumptionLine {
    /// The wallet.
    pub wallet_id: String,
    /// Bonus or paid units.
    pub kind: CreditKind,
    /// How many were taken.
    #[serde(with = "crate::decimal_text")]
    pub units: Decimal,
    /// How many of that kind the wallet has left.
    #[serde(with = "crate::decimal_text")]
    pub left: Decimal,
    /// Why these units.
    pub explanation: String,
}

/// Units that expired unused.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expiry {
    /// The wallet.
    pub wallet_id: String,
    /// When they expired.
    pub expired_at: DateTime<Utc>,
    /// Bonus units lost.
    #[serde(with = "crate::decimal_text")]
    pub bonus_units: Decimal,
    /// Paid units lost.
    #[serde(with = "crate::decimal_text")]
    pub paid_units: Decimal,
}

/// The outcome of one usage.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Consumption {
    /// The usage.
    pub usage_id: String,
    /// When.
    pub at: DateTime<Utc>,
    /// How many units were asked for.
    #[serde(with = "crate::decimal_text")]
    pub quantity: Decimal,
    /// How many the wallets gave.
    #[serde(with = "crate::decimal_text")]
    pub consumed: Decimal,
    /// How many they could not give (overage): `quantity − consumed`.
    #[serde(with = "crate::decimal_text")]
    pub shortfall: Decimal,
    /// Where the units came from, in burn order.
    pub lines: Vec<ConsumptionLine>,
    /// Units that expired since the last usage, found before consuming.
    pub expired: Vec<Expiry>,
    /// Bonus units left in usable wallets afterwards.
    #[serde(with = "crate::decimal_text")]
    pub bonus_left: Decimal,
    /// Paid units left in usable wallets afterwards.
    #[serde(with = "crate::decimal_text")]
    pub paid_left: Decimal,
    /// A summary.
    pub explanation: String,
}

/// Appends the problems of a wallet list under `at` (`wallets`).
pub(crate) fn check_wallets(wallets: &[Wallet], at: &str, out: &mut Vec<Problem>) {
    for (i, w) in wallets.iter().enumerate() {
        let here = path_index(at, i);
        if w.id.trim().is_empty() {
            out.push(Problem::new(
                path_field(&here, "id"),
                "the wallet id must not be blank",
            ));
        } else if let Some(j) = wallets.iter().take(i).position(|o| o.id == w.id) {
            out.push(Problem::new(
                path_field(&here, "id"),
                format!("duplicate wallet id {:?} (first at {at}[{j}])", w.id),
            ));
        }
        for (name, units) in [("paid_units", w.paid_units), ("bonus_units", w.bonus_units)] {
            if units.is_sign_negative() && !units.is_zero() {
                out.push(Problem::new(
                    path_field(&here, name),
                    format!("{units} units: a balance is never negative"),
                ));
            }
        }
        if w.expires_at.is_some_and(|e| e <= w.purchased_at) {
            out.push(Problem::new(
                path_field(&here, "expires_at"),
                "a wallet must expire after it is bought",
            ));
        }
    }
}

impl Wallet {
    /// Takes `usage` from `wallets`: bonus units first, then paid units, oldest wallet first;
    /// expired units are zeroed and reported; what the wallets cannot give is the shortfall.
    ///
    /// ```
    /// use scrm_core::{PackUsage, Wallet};
    /// let mut wallets: Vec<Wallet> = serde_json::from_str(r#"[
    ///   {"id": "w1", "purchased_at": "2026-01-05T00:00:00Z", "paid_units": "1000", "bonus_units": "0"},
    ///   {"id": "w2", "purchased_at": "2026-02-01T00:00:00Z", "paid_units": "10000", "bonus_units": "1000"}
    /// ]"#).unwrap();
    /// let usage: PackUsage = serde_json::from_str(
    ///     r#"{"id": "u1", "at": "2026-03-01T00:00:00Z", "quantity": "1500"}"#).unwrap();
    /// let c = Wallet::consume(&mut wallets, &usage)?;
    /// let taken: Vec<(String, String)> = c.lines.iter()
    ///     .map(|l| (l.wallet_id.clone(), l.units.to_string())).collect();
    /// assert_eq!(taken, [("w2".into(), "1000".into()), ("w1".into(), "500".into())]);
    /// assert_eq!(wallets[1].bonus_units.to_string(), "0");
    /// # Ok::<(), scrm_core::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the wallets are malformed (blank or duplicate ids, negative
    /// balances) or the quantity is negative, or when balances overflow.
    pub fn consume(wallets: &mut [Wallet], usage: &PackUsage) -> Result<Consumption> {
        let mut problems = Vec::new();
        check_wallets(wallets, "wallets", &mut problems);
        check_usage(usage, "usage", &mut problems);
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        take(wallets, usage)
    }
}

fn checked_sum(values: impl IntoIterator<Item = Decimal>) -> Result<Decimal> {
    values
        .into_iter()
        .try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
        .ok_or_else(|| {
            Error::at(
                ErrorKind::Validation,
                "wallets",
                "the units of the wallets overflow the exact decimal range",
            )
        })
}

pub(crate) fn check_usage(usage: &PackUsage, at: &str, out: &mut Vec<Problem>) {
    if usage.id.trim().is_empty() {
        out.push(Problem::new(
            path_field(at, "id"),
            "the usage id must not be blank",
        ));
    }
    if usage.quantity.is_sign_negative() && !usage.quantity.is_zero() {
        out.push(Problem::new(
            path_field(at, "quantity"),
            format!(
                "quantity {} is negative; a usage takes zero or more units",
                usage.quantity
            ),
        ));
    }
}

/// [`Wallet::consume`] on checked input.
pub(crate) fn take(wallets: &mut [Wallet], usage: &PackUsage) -> Result<Consumption> {
    let t = usage.at;
    // Units are quantities, not money: kept without trailing zeros ("0", not "0.0").
    for w in wallets.iter_mut() {
        w.paid_units = w.paid_units.normalize();
        w.bonus_units = w.bonus_units.normalize();
    }
    let expired = expire(wallets, t);
    // Oldest first; the sort is stable, so equal purchase times keep the order given.
    let mut order: Vec<usize> = (0..wallets.len())
        .filter(|&i| wallets.get(i).is_some_and(|w| w.purchased_at <= t))
        .collect();
    order.sort_by_key(|&i| wallets.get(i).map(|w| w.purchased_at));
    let quantity = usage.quantity.normalize();
    let mut wanted = quantity;
    let mut lines = Vec::new();
    for kind in [CreditKind::Bonus, CreditKind::Paid] {
        for &i in &order {
            if wanted.is_zero() {
                break;
            }
            let Some(w) = wallets.get_mut(i) else {
                continue;
            };
            let balance = match kind {
                CreditKind::Bonus => &mut w.bonus_units,
                CreditKind::Paid => &mut w.paid_units,
            };
            let units = wanted.min(*balance);
            if units.is_zero() {
                continue;
            }
            *balance = (*balance - units).normalize();
            wanted = (wanted - units).normalize();
            let left = *balance;
            let what = match kind {
                CreditKind::Bonus => "bonus",
                CreditKind::Paid => "paid",
            };
            let pack = w
                .pack_id
                .as_deref()
                .map(|p| format!(", pack {p}"))
                .unwrap_or_default();
            lines.push(ConsumptionLine {
                wallet_id: w.id.clone(),
                kind,
                units,
                left,
                explanation: format!(
                    "{units} {what} units from wallet {}{pack} bought {} ({left} {what} left); {}",
                    w.id,
                    time(w.purchased_at),
                    match kind {
                        CreditKind::Bonus => "bonus units burn first, oldest wallet first",
                        CreditKind::Paid =>
                            "paid units after every bonus unit, oldest wallet first",
                    }
                ),
            });
        }
    }
    let consumed = (quantity - wanted).normalize();
    let usable = |w: &&Wallet| w.purchased_at <= t && w.expires_at.is_none_or(|e| t < e);
    let bonus_left = checked_sum(wallets.iter().filter(usable).map(|w| w.bonus_units))?.normalize();
    let paid_left = checked_sum(wallets.iter().filter(usable).map(|w| w.paid_units))?.normalize();
    let mut explanation = format!(
        "usage {} of {} units at {}: {consumed} taken from {} wallet line{}",
        usage.id,
        quantity,
        time(t),
        lines.len(),
        if lines.len() == 1 { "" } else { "s" }
    );
    if !wanted.is_zero() {
        explanation.push_str(&format!(
            "; {wanted} short: the usable wallets hold no more (overage, never a negative balance)"
        ));
    }
    if !expired.is_empty() {
        let lost = checked_sum(expired.iter().flat_map(|e| [e.bonus_units, e.paid_units]))?;
        explanation.push_str(&format!(
            "; {lost} units in {} wallet{} expired unused first",
            expired.len(),
            if expired.len() == 1 { "" } else { "s" }
        ));
    }
    explanation.push_str(&format!("; left: {bonus_left} bonus, {paid_left} paid"));
    Ok(Consumption {
        usage_id: usage.id.clone(),
        at: t,
        quantity,
        consumed,
        shortfall: wanted,
        lines,
        expired,
        bonus_left,
        paid_left,
        explanation,
    })
}

/// Zeroes the wallets expired at `t`, reporting what they lost.
fn expire(wallets: &mut [Wallet], t: DateTime<Utc>) -> Vec<Expiry> {
    let mut expired = Vec::new();
    for w in wallets.iter_mut() {
        let Some(end) = w.expires_at.filter(|&e| e <= t) else {
            continue;
        };
        if w.bonus_units.is_zero() && w.paid_units.is_zero() {
            continue;
        }
        expired.push(Expiry {
            wallet_id: w.id.clone(),
            expired_at: end,
            bonus_units: w.bonus_units,
            paid_units: w.paid_units,
        });
        w.bonus_units = Decimal::ZERO;
        w.paid_units = Decimal::ZERO;
    }
    expired
}
