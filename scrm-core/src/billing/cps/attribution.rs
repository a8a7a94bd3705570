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

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::{Decimal, RoundingStrategy};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::decay::{WEIGHT_DECIMALS, half_power};
use super::sale::{Sale, Touchpoint};
use super::text::{optional_decimal, seconds, span, time};
use crate::billing::input::{decimal_schema, duration_schema};
use crate::billing::{Currency, Money};
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::playbook::path_field;

/// The default lookback window: 30 days.
pub const DEFAULT_LOOKBACK: &str = "30d";
/// The default half-life of time decay: 7 days (Google Ads' rule).
pub const DEFAULT_HALF_LIFE: &str = "7d";

/// How a sale is attributed, as a playbook or a document writes it:
/// `{ "model": "time_decay", "lookback": "30d", "half_life": "7d" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "model", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum AttributionSettings {
    /// All credit to the first touch in the window (首次触点).
    FirstTouch {
        /// The lookback window (default `"30d"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(schema_with = "duration_schema")]
        lookback: Option<String>,
    },
    /// All credit to the last touch in the window (末次触点).
    LastTouch {
        /// The lookback window (default `"30d"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(schema_with = "duration_schema")]
        lookback: Option<String>,
    },
    /// Equal credit to every touch in the window (线性).
    Linear {
        /// The lookback window (default `"30d"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(schema_with = "duration_schema")]
        lookback: Option<String>,
    },
    /// More credit to more recent touches: a touch `half_life` older weighs half (时间衰减).
    TimeDecay {
        /// The lookback window (default `"30d"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(schema_with = "duration_schema")]
        lookback: Option<String>,
        /// The half-life (default `"7d"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(schema_with = "duration_schema")]
        half_life: Option<String>,
    },
    /// A fixed share to the first and last touches, the rest spread over the middle (位置).
    PositionBased {
        /// The lookback window (default `"30d"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(schema_with = "duration_schema")]
        lookback: Option<String>,
        /// Percent of the credit to the first touch (default `"40"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde(with = "optional_decimal")]
        #[schemars(schema_with = "decimal_schema")]
        first_percent: Option<Decimal>,
        /// Percent of the credit to the last touch (default `"40"`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[serde(with = "optional_decimal")]
        #[schemars(schema_with = "decimal_schema")]
        last_percent: Option<Decimal>,
    },
}

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

impl AttributionSettings {
    /// Appends the problems of these settings, with paths under `at`.
    pub(crate) fn check(&self, at: &str, out: &mut Vec<Problem>) {
        let _ = compile(self, at, out);
    }
}

fn duration(text: Option<&str>, default: &str, at: &str, out: &mut Vec<Problem>) -> TimeDelta {
    crate::duration::parse(text.unwrap_or(default), at).unwrap_or_else(|e| {
        out.extend(e.problems().iter().cloned());
        TimeDelta::zero()
    })
}

fn compile(s: &AttributionSettings, at: &str, out: &mut Vec<Problem>) -> AttributionModel {
    let lookback_at = path_field(at, "lookback");
    let forty = Decimal::from(40);
    let mut model = AttributionModel {
        kind: ModelKind::LastTouch,
        lookback: TimeDelta::zero(),
        half_life: TimeDelta::zero(),
        first_percent: forty,
        last_percent: forty,
    };
    let lookback = match s {
        AttributionSettings::FirstTouch { lookback } => {
            model.kind = ModelKind::FirstTouch;
            lookback
        }
        AttributionSettings::LastTouch { lookback } => lookback,
        AttributionSettings::Linear { lookback } => {
            model.kind = ModelKind::Linear;
            lookback
        }
        AttributionSettings::TimeDecay {
            lookback,
            half_life,
        } => {
            model.kind = ModelKind::TimeDecay;
            model.half_life = duration(
                half_life.as_deref(),
                DEFAULT_HALF_LIFE,
                &path_field(at, "half_life"),
                out,
            );
            lookback
        }
        AttributionSettings::PositionBased {
            lookback,
            first_percent,
            last_percent,
        } => {
            model.kind = ModelKind::PositionBased;
            model.first_percent = first_percent.unwrap_or(forty);
            model.last_percent = last_percent.unwrap_or(forty);
            check_percents(&model, at, out);
            lookback
        }
    };
    model.lookback = duration(lookback.as_deref(), DEFAULT_LOOKBACK, &lookback_at, out);
    model
}

fn check_percents(model: &AttributionModel, at: &str, out: &mut Vec<Problem>) {
    let hundred = Decimal::ONE_HUNDRED;
    for (name, p) in [
        ("first_percent", model.first_percent),
        ("last_percent", model.last_percent),
    ] {
        if p < Decimal::ZERO || p > hundred {
            out.push(Problem::new(
                path_field(at, name),
                format!("{p} is not a percentage; write a number from 0 to 100, e.g. \"40\""),
            ));
        }
    }
    let ends = model.first_percent + model.last_percent;
    if ends > hundred {
        out.push(Problem::new(
            path_field(at, "last_percent"),
            format!(
                "first_percent {} and last_percent {} add up to {ends}, above 100",
                model.first_percent, model.last_percent
            ),
        ));
    } else if ends <= Decimal::ZERO {
        out.push(Problem::new(
            path_field(at, "first_percent"),
            "first_percent and last_percent are both 0: a journey of two touches would have no \
             weight; give the first or last touch a share",
        ));
    }
}

impl AttributionModel {
    /// Compiles settings, filling in the defaults (lookback 30 days, half-life 7 days, 40/40).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] naming each bad duration or percentage.
    pub fn new(settings: &AttributionSettings) -> Result<AttributionModel> {
        let mut problems = Vec::new();
        let model = compile(settings, "", &mut problems);
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
        let mut problems = Vec::new();
        sale.check("sale", &mut problems);
        if !problems.is_empty() {
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
                let half_life = seconds(self.half_life);
                order
                    .iter()
                    .map(|&i| {
                        let t = seconds(latest.signed_duration_since(touch_at(sale, i)));
                        let x = t.checked_div(half_life).unwrap_or(Decimal::MAX);
                        let mut w = half_power(x);
                        w.rescale(WEIGHT_DECIMALS);
                        w
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
            2 => vec![self.first_percent, self.last_percent],
            _ => {
                // Integer multiples keep every share exact: first F(n-2) : middle M : last L(n-2)
                // gives the first F%, the last L% and each middle touch M/(n-2)%.
                let middles = Decimal::from(n - 2);
                let middle = Decimal::ONE_HUNDRED - self.first_percent - self.last_percent;
                let mut w = vec![middle; n];
                if let Some(first) = w.first_mut() {
                    *first = self.first_percent * middles;
                }
                if let Some(last) = w.last_mut() {
                    *last = self.last_percent * middles;
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

    fn describe(
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
                let explanation = match reason {
                    Exclusion::AfterSale => format!(
                        "touch {i} at {} is {} after the sale: no credit",
                        time(at),
                        span(at.signed_duration_since(sale.at))
                    ),
                    Exclusion::OutsideLookback => format!(
                        "touch {i} at {} is {} before the sale, outside the {} lookback window: \
                         no credit",
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
        let mut source = touch.channel.clone();
        if let Some(c) = &touch.campaign {
            source = format!("{source} / {c}");
        }
        if let Some(p) = &touch.promoter {
            source = format!("{source}, promoter {p}");
        }
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

fn touch_at(sale: &Sale, i: u32) -> DateTime<Utc> {
    usize::try_from(i)
        .ok()
        .and_then(|i| sale.touches.get(i))
        .map_or(sale.at, |t| t.at)
}
