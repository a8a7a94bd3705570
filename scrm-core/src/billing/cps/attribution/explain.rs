//! What an attribution says: the credits, the excluded touches, and why.

use chrono::{DateTime, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::{AttributionModel, Journey, ModelKind, touch_at};
use crate::billing::cps::sale::{Sale, Touchpoint};
use crate::billing::cps::text::{seconds, span, time};
use crate::billing::{Currency, Money};

/// The credit one eligible touch gets for a sale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Credit {
    /// The touch's index in the sale's `touches` as sent.
    pub touch_index: u32,
    /// When the touch happened.
    pub at: DateTime<Utc>,
    /// Its channel.
    pub channel: String,
    /// Its campaign, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// Its promoter, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub promoter: Option<String>,
    /// The weight the model gives it (relative to the others).
    #[serde(with = "crate::decimal_text")]
    pub weight: Decimal,
    /// Its part of the sale, in the sale's currency.
    #[serde(with = "crate::decimal_text")]
    pub amount: Decimal,
    /// Why it got this much.
    pub explanation: String,
}

/// Why a touch got no credit at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Exclusion {
    /// It happened after the sale.
    AfterSale,
    /// It happened before the lookback window opened.
    OutsideLookback,
}

/// A touch of the journey that is not eligible for credit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExcludedTouch {
    /// The touch's index in the sale's `touches` as sent.
    pub touch_index: u32,
    /// When the touch happened.
    pub at: DateTime<Utc>,
    /// Why it is excluded.
    pub reason: Exclusion,
    /// The same, for a person.
    pub explanation: String,
}

/// The attribution of one sale: credits that sum exactly to the sale, or nothing attributed
/// when no touch is eligible.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Attribution {
    /// The sale.
    pub sale_id: String,
    /// The model used.
    pub model: ModelKind,
    /// The sale's currency.
    pub currency: Currency,
    /// The sale amount.
    #[serde(with = "crate::decimal_text")]
    pub amount: Decimal,
    /// The sum of the credits: the amount, or zero when no touch is eligible.
    #[serde(with = "crate::decimal_text")]
    pub attributed: Decimal,
    /// What no touch is credited with: zero, or the amount when no touch is eligible.
    #[serde(with = "crate::decimal_text")]
    pub unattributed: Decimal,
    /// One credit per eligible touch, in sequence (time) order.
    pub credits: Vec<Credit>,
    /// The touches outside the window, in the order sent.
    pub excluded: Vec<ExcludedTouch>,
    /// How the split was made.
    pub explanation: String,
}

impl AttributionModel {
    pub(super) fn describe(
        &self,
        sale: &Sale,
        journey: &Journey,
        amount: Money,
        parts: &[Money],
    ) -> Attribution {
        let total: Decimal = journey.weights.iter().copied().sum();
        let latest = journey.order.last().map_or(sale.at, |&i| touch_at(sale, i));
        let credits: Vec<Credit> = journey
            .order
            .iter()
            .zip(&journey.weights)
            .zip(parts)
            .enumerate()
            .filter_map(|(pos, ((&i, &weight), part))| {
                let touch = sale.touches.get(usize::try_from(i).ok()?)?;
                let explanation = self.credit_text(
                    pos,
                    journey.order.len(),
                    touch,
                    latest,
                    weight,
                    total,
                    *part,
                );
                Some(Credit {
                    touch_index: i,
                    at: touch.at,
                    channel: touch.channel.clone(),
                    campaign: touch.campaign.clone(),
                    promoter: touch.promoter.clone(),
                    weight,
                    amount: part.amount(),
                    explanation,
                })
            })
            .collect();
        let excluded = journey
            .excluded
            .iter()
            .map(|&(i, reason)| {
                let at = touch_at(sale, i);
                let source = usize::try_from(i)
                    .ok()
                    .and_then(|i| sale.touches.get(i))
                    .map(source_text)
                    .unwrap_or_default();
                let explanation = match reason {
                    Exclusion::AfterSale => format!(
                        "the touch ({source}) at {} is {} after the sale: no credit",
                        time(at),
                        span(at.signed_duration_since(sale.at))
                    ),
                    Exclusion::OutsideLookback => format!(
                        "the touch ({source}) at {} is {} before the sale, outside the {} \
                         lookback window: no credit",
                        time(at),
                        span(sale.at.signed_duration_since(at)),
                        span(self.lookback)
                    ),
                };
                ExcludedTouch {
                    touch_index: i,
                    at,
                    reason,
                    explanation,
                }
            })
            .collect();
        let attributed = if credits.is_empty() {
            Money::zero(sale.currency).round()
        } else {
            amount
        };
        let unattributed = if credits.is_empty() {
            amount
        } else {
            Money::zero(sale.currency).round()
        };
        Attribution {
            sale_id: sale.id.clone(),
            model: self.kind,
            currency: sale.currency,
            amount: amount.amount(),
            attributed: attributed.amount(),
            unattributed: unattributed.amount(),
            explanation: self.summary(journey, amount),
            credits,
            excluded,
        }
    }

    /// One line on how the model splits, for explanations.
    pub(crate) fn rule_text(&self) -> String {
        match self.kind {
            ModelKind::FirstTouch => "first touch: all credit to the earliest touch".to_owned(),
            ModelKind::LastTouch => "last touch: all credit to the latest touch".to_owned(),
            ModelKind::Linear => "linear: equal credit to every touch".to_owned(),
            ModelKind::TimeDecay => format!(
                "time decay: a touch t before the latest touch weighs 2^(-t/{})",
                span(self.half_life)
            ),
            ModelKind::PositionBased => format!(
                "position based {}/{}/{}: first and last touch {}% and {}%, the middle touches \
                 share {}% (two touches {}:{}, one touch all)",
                self.first_percent.normalize(),
                Decimal::ONE_HUNDRED - self.first_percent - self.last_percent,
                self.last_percent.normalize(),
                self.first_percent.normalize(),
                self.last_percent.normalize(),
                (Decimal::ONE_HUNDRED - self.first_percent - self.last_percent).normalize(),
                self.first_percent.normalize(),
                self.last_percent.normalize(),
            ),
        }
    }

    fn summary(&self, journey: &Journey, amount: Money) -> String {
        let lookback = span(self.lookback);
        let skipped = match journey.excluded.len() {
            0 => String::new(),
            1 => "; 1 touch outside the window gets nothing".to_owned(),
            k => format!("; {k} touches outside the window get nothing"),
        };
        match journey.order.len() {
            0 => format!(
                "no touch in the {lookback} lookback window before the sale: {amount} stays \
                 unattributed{skipped}"
            ),
            n => format!(
                "{}; {amount} split over {n} touch{} in the {lookback} lookback window by weight, \
                 each part rounded down to the minor unit and the leftover units given to the \
                 largest remainders (ties: the earliest touch){skipped}",
                self.rule_text(),
                if n == 1 { "" } else { "es" }
            ),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn credit_text(
        &self,
        pos: usize,
        n: usize,
        touch: &Touchpoint,
        latest: DateTime<Utc>,
        weight: Decimal,
        total: Decimal,
        part: Money,
    ) -> String {
        let source = source_text(touch);
        let place = format!("touch {} of {n} ({source}) at {}", pos + 1, time(touch.at));
        let weight_text = match self.kind {
            ModelKind::TimeDecay => {
                let t = latest.signed_duration_since(touch.at);
                let x = seconds(t)
                    .checked_div(seconds(self.half_life))
                    .unwrap_or_default()
                    .round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
                    .normalize();
                format!(
                    "{} before the latest touch, weight 2^(-{x}) = {weight}",
                    span(t)
                )
            }
            _ => format!("weight {}", weight.normalize()),
        };
        format!("{place}: {weight_text} of {} → {part}", total.normalize())
    }
}

/// `douyin / spring, promoter p_li`.
fn source_text(touch: &Touchpoint) -> String {
    let mut source = touch.channel.clone();
    if let Some(c) = &touch.campaign {
        source = format!("{source} / {c}");
    }
    if let Some(p) = &touch.promoter {
        source = format!("{source}, promoter {p}");
    }
    source
}
