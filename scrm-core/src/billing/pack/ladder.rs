//! The pack ladder: every pack with its effective unit price, explained.
//!
//! The effective unit price of a pack is its price over all the units it gives, paid and bonus:
//! `400.00 / (10,000 + 1,000) = 0.036363… → 0.0364`. It is a figure to show, not an amount to
//! charge, so it keeps [`UNIT_PRICE_DECIMALS`] places (a hundredth of a fen for CNY) and is
//! rounded half away from zero like every other rounded figure (DOMAIN.md 7). The discount is
//! measured against the first (smallest) pack from the exact, unrounded unit prices, in percent
//! to two places.

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::wallet::Wallet;
use crate::billing::{Currency, Money};
use crate::error::{Error, ErrorKind, Result};
use crate::playbook::Packs;

/// Decimal places of an effective unit price.
pub const UNIT_PRICE_DECIMALS: u32 = 4;

/// One pack of a compiled ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pack {
    /// The pack id.
    pub id: String,
    /// Its display name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Paid units.
    #[serde(with = "crate::decimal_text")]
    pub units: Decimal,
    /// Bonus units.
    #[serde(with = "crate::decimal_text")]
    pub bonus_units: Decimal,
    /// Paid plus bonus units.
    #[serde(with = "crate::decimal_text")]
    pub total_units: Decimal,
    /// The price.
    #[serde(with = "crate::decimal_text")]
    pub price: Decimal,
    /// The price per unit, paid and bonus alike, to [`UNIT_PRICE_DECIMALS`] places.
    #[serde(with = "crate::decimal_text")]
    pub unit_price: Decimal,
    /// How much cheaper per unit than the first pack, in percent to two places.
    #[serde(with = "crate::decimal_text")]
    pub discount_percent: Decimal,
    /// How long the units stay usable after purchase, as written; none: no expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_for: Option<String>,
    /// How the unit price was computed.
    pub explanation: String,
    #[serde(skip)]
    validity: Option<TimeDelta>,
}

/// A compiled pack ladder.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PackLadder {
    /// What one unit is.
    pub unit: String,
    /// The currency of the prices.
    pub currency: Currency,
    /// The packs, smallest first.
    pub packs: Vec<Pack>,
}

fn round(d: Decimal, places: u32) -> Decimal {
    let mut r = d.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    r.rescale(places);
    r
}

impl PackLadder {
    /// Compiles the packs section.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] with every problem of the ladder, paths from the section's
    /// root (`ladder[1].price`).
    pub fn new(section: &Packs) -> Result<PackLadder> {
        let mut problems = Vec::new();
        section.check("", &mut problems);
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        let first = section
            .ladder
            .first()
            .map(|p| {
                (
                    p.price,
                    Decimal::from(p.units) + Decimal::from(p.bonus_units),
                )
            })
            .unwrap_or((Decimal::ONE, Decimal::ONE));
        let packs = section
            .ladder
            .iter()
            .enumerate()
            .map(|(i, offer)| {
                let at = format!("ladder[{i}]");
                let units = Decimal::from(offer.units);
                let bonus = Decimal::from(offer.bonus_units);
                let total = units
                    .checked_add(bonus)
                    .ok_or_else(|| Error::at(ErrorKind::Validation, &at, "the units overflow"))?;
                let exact = offer.price.checked_div(total).ok_or_else(|| {
                    Error::at(ErrorKind::Validation, &at, "the unit price overflows")
                })?;
                let unit_price = round(exact, UNIT_PRICE_DECIMALS);
                // 1 − (p / t) / (p0 / t0) = 1 − p·t0 / (p0·t)
                let ratio = offer
                    .price
                    .checked_mul(first.1)
                    .and_then(|a| first.0.checked_mul(total).and_then(|b| a.checked_div(b)))
                    .ok_or_else(|| {
                        Error::at(ErrorKind::Validation, &at, "the discount overflows")
                    })?;
                let discount = round((Decimal::ONE - ratio) * Decimal::ONE_HUNDRED, 2);
                let validity = offer
                    .valid_for
                    .as_deref()
                    .map(|v| crate::duration::parse(v, &format!("{at}.valid_for")))
                    .transpose()?;
                let price = Money::new(offer.price, section.currency).round();
                let explanation = format!(
                    "{price} for {units} paid + {bonus} bonus = {total} units: {} / {total} = \
                     {exact_text} → {unit_price} {} per {unit} (rounded half away from zero to \
                     {UNIT_PRICE_DECIMALS} places); {discount}% below the first pack's unit price",
                    price.amount(),
                    section.currency,
                    unit = section.unit,
                    exact_text = round(exact, UNIT_PRICE_DECIMALS + 4).normalize(),
                );
                Ok(Pack {
                    id: offer.id.clone(),
                    name: offer.name.clone(),
                    units,
                    bonus_units: bonus,
                    total_units: total,
                    price: price.amount(),
                    unit_price,
                    discount_percent: discount,
                    valid_for: offer.valid_for.clone(),
                    explanation,
                    validity,
                })
            })
            .collect::<Result<Vec<Pack>>>()?;
        Ok(PackLadder {
            unit: section.unit.clone(),
            currency: section.currency,
            packs,
        })
    }

    /// The pack with this id.
    pub fn pack(&self, id: &str) -> Option<&Pack> {
        self.packs.iter().find(|p| p.id == id)
    }

    /// The wallet a purchase of pack `pack_id` at `at` creates: its paid and bonus units, usable
    /// from `at` until `at + valid_for`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] naming the pack id when the ladder has no such pack, or the
    /// wallet id when it is blank.
    pub fn purchase(&self, pack_id: &str, wallet_id: &str, at: DateTime<Utc>) -> Result<Wallet> {
        let pack = self.pack(pack_id).ok_or_else(|| {
            let known: Vec<&str> = self.packs.iter().map(|p| p.id.as_str()).collect();
            Error::at(
                ErrorKind::Validation,
                "pack_id",
                format!(
                    "no pack {pack_id:?} in the ladder; known: {}",
                    known.join(", ")
                ),
            )
        })?;
        if wallet_id.trim().is_empty() {
            return Err(Error::at(
                ErrorKind::Validation,
                "wallet_id",
                "the wallet id must not be blank",
            ));
        }
        Ok(Wallet {
            id: wallet_id.to_owned(),
            pack_id: Some(pack.id.clone()),
            purchased_at: at,
            expires_at: pack.validity.and_then(|v| at.checked_add_signed(v)),
            paid_units: pack.units,
            bonus_units: pack.bonus_units,
        })
    }
}
