//! What a CPS program is told happened: sales with the touches that led to them, refunds, and
//! payouts of commission.
//!
//! Amounts are decimal strings in the sale's currency with no more digits than the currency has
//! (a sale of `10.005 CNY` is refused: it would be rounded silently somewhere). Every record has
//! an id; the same record twice counts once, and the same id with different content is refused.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::billing::Currency;
use crate::billing::input::{currency_schema, decimal_schema};
use crate::error::Problem;
use crate::playbook::{path_field, path_index};

/// One touch of the journey that led to a sale (触点): through which channel, for which
/// campaign, brought by which promoter (推广员 / 分销员), when.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Touchpoint {
    /// When the touch happened (a click, a scan of a channel code, a share opened).
    pub at: DateTime<Utc>,
    /// The channel id (e.g. `douyin`, `wecom`): commission rates may be set per channel.
    pub channel: String,
    /// The campaign, if any: rates may be set per campaign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The promoter whose link or code this touch came through, if any. Only touches with a
    /// promoter earn commission; the others still take their share of the credit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub promoter: Option<String>,
}

/// A sale (订单) whose net amount is attributed to its touches.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sale {
    /// The order id; the same sale sent twice counts once.
    pub id: String,
    /// When the sale was made (the conversion time the lookback window ends at).
    pub at: DateTime<Utc>,
    /// The net amount: what the customer paid for the goods, after discounts, without tax or
    /// shipping. Refunds are sent separately and lower it.
    #[serde(with = "crate::billing::decimal_text")]
    #[schemars(schema_with = "decimal_schema")]
    pub amount: Decimal,
    /// The currency of the amount.
    #[schemars(schema_with = "currency_schema")]
    pub currency: Currency,
    /// The touches of the customer's journey, in any order.
    #[serde(default)]
    pub touches: Vec<Touchpoint>,
}

/// A refund of part or all of a sale (退款). Amounts are positive and in the sale's currency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Refund {
    /// The refund id; the same refund sent twice counts once.
    pub id: String,
    /// The sale refunded.
    pub sale_id: String,
    /// When the money went back.
    pub at: DateTime<Utc>,
    /// How much went back (positive).
    #[serde(with = "crate::billing::decimal_text")]
    #[schemars(schema_with = "decimal_schema")]
    pub amount: Decimal,
}

/// Money the host paid to (positive) or recovered from (negative) a promoter for one commission
/// line. Recording the `amount` of every due line of a statement as a payout settles it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Payout {
    /// The payout id; the same payout sent twice counts once.
    pub id: String,
    /// The sale of the line paid.
    pub sale_id: String,
    /// The line's touch: its index in the sale's `touches` as sent.
    pub touch_index: u32,
    /// The line's level: 1 for the promoter of the touch, 2 for their upline.
    pub level: u8,
    /// Who was paid; must be the line's promoter.
    pub promoter: String,
    /// When it was paid.
    pub at: DateTime<Utc>,
    /// The amount paid, or recovered when negative (a settled clawback).
    #[serde(with = "crate::billing::decimal_text")]
    #[schemars(schema_with = "decimal_schema")]
    pub amount: Decimal,
}

/// Problems of an amount: more digits than the currency has; zero or less when `positive` is
/// `Some(true)`, below zero when it is `Some(false)`.
pub(crate) fn check_amount(
    amount: Decimal,
    currency: Currency,
    positive: Option<bool>,
    at: &str,
    out: &mut Vec<Problem>,
) {
    if amount.normalize().scale() > currency.exponent() {
        out.push(Problem::new(
            at,
            format!(
                "{amount} has more decimals than {currency} has minor digits ({}); round it first",
                currency.exponent()
            ),
        ));
    }
    match positive {
        Some(true) if amount <= Decimal::ZERO => {
            out.push(Problem::new(at, format!("{amount} must be above zero")))
        }
        Some(false) if amount.is_sign_negative() && !amount.is_zero() => out.push(Problem::new(
            at,
            format!("{amount} is negative; send refunds as refunds"),
        )),
        _ => {}
    }
}

/// Problems of a required id-like text.
pub(crate) fn check_text(text: &str, at: &str, what: &str, out: &mut Vec<Problem>) {
    if text.trim().is_empty() {
        out.push(Problem::new(at, format!("{what} must not be blank")));
    }
}

impl Sale {
    /// Whether [`Sale::check`] would find nothing: a quick test that builds no paths, for the
    /// million-sale batch path.
    pub(crate) fn is_valid(&self) -> bool {
        let amount = self.amount;
        !self.id.trim().is_empty()
            && amount.normalize().scale() <= self.currency.exponent()
            && (amount.is_zero() || !amount.is_sign_negative())
            && u32::try_from(self.touches.len()).is_ok()
            && self.touches.iter().all(|t| {
                !t.channel.trim().is_empty()
                    && t.promoter.as_ref().is_none_or(|p| !p.trim().is_empty())
            })
    }

    /// Appends the problems of this sale, with paths under `at` (`sales[3]`).
    pub(crate) fn check(&self, at: &str, out: &mut Vec<Problem>) {
        check_text(&self.id, &path_field(at, "id"), "the sale id", out);
        check_amount(
            self.amount,
            self.currency,
            Some(false),
            &path_field(at, "amount"),
            out,
        );
        let touches = path_field(at, "touches");
        for (i, touch) in self.touches.iter().enumerate() {
            let here = path_index(&touches, i);
            check_text(
                &touch.channel,
                &path_field(&here, "channel"),
                "channel",
                out,
            );
            if let Some(p) = &touch.promoter {
                check_text(p, &path_field(&here, "promoter"), "promoter", out);
            }
        }
        if u32::try_from(self.touches.len()).is_err() {
            out.push(Problem::new(touches, "too many touches for one sale"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale() -> Sale {
        serde_json::from_str(
            r#"{"id":"s1","at":"2026-03-01T00:00:00Z","amount":"10.50","currency":"CNY",
                "touches":[{"at":"2026-02-28T00:00:00Z","channel":"wecom","promoter":"p"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn the_quick_test_agrees_with_the_full_check() {
        let breakers: [fn(&mut Sale); 6] = [
            |_| {},
            |s| s.id = " ".into(),
            |s| s.amount = "10.505".parse().unwrap(),
            |s| s.amount = "-1".parse().unwrap(),
            |s| s.touches[0].channel = String::new(),
            |s| s.touches[0].promoter = Some("".into()),
        ];
        for (i, breaks) in breakers.iter().enumerate() {
            let mut s = sale();
            breaks(&mut s);
            let mut out = Vec::new();
            s.check("sale", &mut out);
            assert_eq!(s.is_valid(), out.is_empty(), "case {i}: {out:?}");
            assert_eq!(out.is_empty(), i == 0, "case {i}");
        }
    }
}
