//! Attribution (归因): which touches of a customer's journey get credit for a sale, and how much.
//!
//! Only touches inside the lookback window count: from `lookback` before the sale up to the sale
//! itself, both ends included. Eligible touches are put in sequence by time; touches at the same
//! instant keep the order they were sent in, so "first" is the earliest (first sent among equals)
//! and "last" the latest (last sent among equals). Each model gives every eligible touch a weight
//! and [`Money::allocate`](crate::Money::allocate) splits the sale by those weights: parts
//! rounded down to the minor unit, the leftover units to the largest remainders, ties to the
//! earliest touch, so the credits always sum to the sale exactly.
//!
//! | model | weights |
//! |---|---|
//! | `first_touch` | 1 for the first touch, 0 for the others |
//! | `last_touch` | 1 for the last touch, 0 for the others |
//! | `linear` | 1 each |
//! | `time_decay` | `2^(-t / half_life)`, `t` = time from the touch to the latest eligible touch |
//! | `position_based` | first `F·(n-2)`, last `L·(n-2)`, each middle touch `100-F-L` (default F = L = 40); 2 touches `F : L` (50/50); 1 touch all |
//!
//! Time decay measures `t` from the latest eligible touch rather than from the sale: the common
//! factor `2^(-gap / half_life)` cancels in the shares, and the latest touch weighing exactly 1
//! keeps the weights from underflowing however short the half-life (decision record 0013).

mod explain;
mod settings;

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::decay::half_power;
use super::sale::Sale;
use crate::billing::Money;
use crate::error::{Error, ErrorKind, Result};

pub use explain::{Attribution, Credit, ExcludedTouch, Exclusion};
pub use settings::AttributionSettings;

/// The default lookback window: 30 days.
pub const DEFAULT_LOOKBACK: &str = "30d";
/// The default half-life of time decay: 7 days (Google Ads' rule).
pub const DEFAULT_HALF_LIFE: &str = "7d";

/// The attribution models.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ModelKind {
    /// All credit to the first touch.
    FirstTouch,
    /// All credit to the last touch.
    LastTouch,
    /// Equal credit.
    Linear,
    /// Exponentially more credit to recent touches.
    TimeDecay,
    /// 40/20/40 by default.
    PositionBased,
}

impl ModelKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::FirstTouch => "first_touch",
            ModelKind::LastTouch => "last_touch",
            ModelKind::Linear => "linear",
            ModelKind::TimeDecay => "time_decay",
            ModelKind::PositionBased => "position_based",
        }
    }
}

/// A compiled attribution model: [`AttributionSettings`] with defaults filled in and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct AttributionModel {
    kind: ModelKind,
    lookback: TimeDelta,
    half_life: TimeDelta,
    first_percent: Decimal,
    last_percent: Decimal,
}

/// The eligible touches of a sale in sequence order, with their weights.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Journey {
    /// Indexes into the sale's touches.
    pub(crate) order: Vec<u32>,
    /// One weight per eligible touch; at least one is positive when there are any.
    pub(crate) weights: Vec<Decimal>,
    /// Touches that get nothing, with why.
    pub(crate) excluded: Vec<(u32, Exclusion)>,
}

impl AttributionModel {
    /// Compiles settings, filling in the defaults (lookback 30 days, half-life 7 days, 40/40).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] naming each bad duration or percentage.
    pub fn new(settings: &AttributionSettings) -> Result<AttributionModel> {
        let mut problems = Vec::new();
        let model = settings::compile(settings, "", &mut problems);
        if problems.is_empty() {
            Ok(model)
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }

    /// The model.
    pub fn kind(&self) -> ModelKind {
        self.kind
    }

    /// The lookback window.
    pub fn lookback(&self) -> TimeDelta {
        self.lookback
    }

    /// Attributes `sale` to its touches.
    ///
    /// ```
    /// use scrm_core::{AttributionModel, AttributionSettings, Sale};
    /// let model = AttributionModel::new(&serde_json::from_str::<AttributionSettings>(
    ///     r#"{"model": "linear"}"#).unwrap())?;
    /// let sale: Sale = serde_json::from_str(r#"{"id": "s1", "at": "2026-03-31T12:00:00Z",
    ///     "amount": "1000.00", "currency": "CNY", "touches": [
    ///     {"at": "2026-03-10T00:00:00Z", "channel": "douyin"},
    ///     {"at": "2026-03-20T00:00:00Z", "channel": "wecom", "promoter": "p_li"},
    ///     {"at": "2026-03-30T00:00:00Z", "channel": "mini_program"}]}"#).unwrap();
    /// let credits: Vec<String> = model.attribute(&sale)?.credits.iter()
    ///     .map(|c| c.amount.to_string()).collect();
    /// assert_eq!(credits, ["333.34", "333.33", "333.33"]);
    /// # Ok::<(), scrm_core::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when the sale is malformed (blank id or channel, a negative
    /// amount or one with more decimals than its currency).
    pub fn attribute(&self, sale: &Sale) -> Result<Attribution> {
        if !sale.is_valid() {
            let mut problems = Vec::new();
            sale.check("sale", &mut problems);
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        let journey = self.journey(sale);
        let amount = Money::new(sale.amount, sale.currency).round();
        let parts = self.split(&journey, amount)?;
        Ok(self.describe(sale, &journey, amount, &parts))
    }

    /// The eligible touches of `sale` and their weights.
    pub(crate) fn journey(&self, sale: &Sale) -> Journey {
        let mut order = Vec::with_capacity(sale.touches.len());
        let mut excluded = Vec::new();
        for (i, touch) in (0_u32..).zip(&sale.touches) {
            let before = sale.at.signed_duration_since(touch.at);
            if before < TimeDelta::zero() {
                excluded.push((i, Exclusion::AfterSale));
            } else if before > self.lookback {
                excluded.push((i, Exclusion::OutsideLookback));
            } else {
                order.push(i);
            }
        }
        // Stable: touches at the same instant keep the order they were sent in.
        order.sort_by_key(|&i| touch_at(sale, i));
        let weights = self.weights(sale, &order);
        Journey {
            order,
            weights,
            excluded,
        }
    }

    fn weights(&self, sale: &Sale, order: &[u32]) -> Vec<Decimal> {
        let n = order.len();
        let one_hot = |hot: usize| -> Vec<Decimal> {
            (0..n)
                .map(|i| {
                    if i == hot {
                        Decimal::ONE
                    } else {
                        Decimal::ZERO
                    }
                })
                .collect()
        };
        match self.kind {
            ModelKind::FirstTouch => one_hot(0),
            ModelKind::LastTouch => one_hot(n.saturating_sub(1)),
            ModelKind::Linear => vec![Decimal::ONE; n],
            ModelKind::TimeDecay => {
                let latest = order.last().map_or(sale.at, |&i| touch_at(sale, i));
                order
                    .iter()
                    .map(|&i| {
                        half_power(
                            latest.signed_duration_since(touch_at(sale, i)),
                            self.half_life,
                        )
                    })
                    .collect()
            }
            ModelKind::PositionBased => self.position_weights(n),
        }
    }

    fn position_weights(&self, n: usize) -> Vec<Decimal> {
        match n {
            0 => Vec::new(),
            1 => vec![Decimal::ONE],
            2 => vec![
                self.first_percent.normalize(),
                self.last_percent.normalize(),
            ],
            _ => {
                // Integer multiples keep every share exact: first F(n-2) : middle M : last L(n-2)
                // gives the first F%, the last L% and each middle touch M/(n-2)%.
                let middles = Decimal::from(n - 2);
                let middle = Decimal::ONE_HUNDRED - self.first_percent - self.last_percent;
                let mut w = vec![middle.normalize(); n];
                if let Some(first) = w.first_mut() {
                    *first = (self.first_percent * middles).normalize();
                }
                if let Some(last) = w.last_mut() {
                    *last = (self.last_percent * middles).normalize();
                }
                w
            }
        }
    }

    /// Splits `amount` by the journey's weights (nothing when no touch is eligible).
    pub(crate) fn split(&self, journey: &Journey, amount: Money) -> Result<Vec<Money>> {
        if journey.order.is_empty() {
            return Ok(Vec::new());
        }
        if journey.weights.iter().all(Decimal::is_zero) {
            // Only reachable when every time-decay weight underflows, which the latest touch
            // weighing 1 rules out; kept as a guard, not a panic.
            return Err(Error::internal("every attribution weight is zero"));
        }
        amount.allocate(&journey.weights)
    }
}

fn touch_at(sale: &Sale, i: u32) -> DateTime<Utc> {
    usize::try_from(i)
        .ok()
        .and_then(|i| sale.touches.get(i))
        .map_or(sale.at, |t| t.at)
}
