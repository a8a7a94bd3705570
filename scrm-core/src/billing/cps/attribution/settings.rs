//! Attribution settings as playbooks and documents write them, compiled into a model.

use chrono::TimeDelta;
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AttributionModel, DEFAULT_HALF_LIFE, DEFAULT_LOOKBACK, ModelKind};
use crate::billing::cps::text::optional_decimal;
use crate::billing::input::{decimal_schema, duration_schema};
use crate::error::Problem;
use crate::playbook::path_field;

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

pub(super) fn compile(
    s: &AttributionSettings,
    at: &str,
    out: &mut Vec<Problem>,
) -> AttributionModel {
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
