//! Tests of attribution, commission and statements: worked examples computed by hand, and
//! property tests of the invariants DOMAIN.md 7 states.

mod attribution;
mod commission;
mod props;

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;

use super::{AttributionModel, AttributionSettings, Sale, Touchpoint};
use crate::billing::Currency;

pub(super) fn t(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

pub(super) fn d(text: &str) -> Decimal {
    text.parse().unwrap()
}

pub(super) fn touch(at: &str, channel: &str, promoter: Option<&str>) -> Touchpoint {
    Touchpoint {
        at: t(at),
        channel: channel.into(),
        campaign: None,
        promoter: promoter.map(Into::into),
    }
}

pub(super) fn sale(id: &str, at: &str, amount: &str, touches: Vec<Touchpoint>) -> Sale {
    Sale {
        id: id.into(),
        at: t(at),
        amount: d(amount),
        currency: Currency::CNY,
        touches,
    }
}

pub(super) fn model(json: &str) -> AttributionModel {
    AttributionModel::new(&serde_json::from_str::<AttributionSettings>(json).unwrap()).unwrap()
}

/// `n` touches one day apart ending at the sale.
pub(super) fn days_before(sale_at: &str, days: &[i64]) -> Vec<Touchpoint> {
    days.iter()
        .enumerate()
        .map(|(i, &n)| Touchpoint {
            at: t(sale_at) - TimeDelta::days(n),
            channel: format!("ch{i}"),
            campaign: None,
            promoter: Some(format!("p{i}")),
        })
        .collect()
}
