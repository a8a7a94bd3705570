//! The CPS operations over JSON documents, for the bindings (shapes in `docs/cps.md`).
//!
//! Each function takes one JSON document and returns one. Amounts are decimal strings, times
//! RFC 3339. Errors name the path of every problem from the document's root
//! (`sales[2].touches[0].at`, `plan.referral.levels`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{
    AttributionModel, AttributionSettings, CommissionPlan, CpsHistory, Payout, Refund, Sale,
};
use crate::billing::input::{read, schema_of};
use crate::error::{Error, Problem, Result};
use crate::playbook::{Commission, path_field};

/// Input of [`attribute_json`].
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct AttributeInput {
    attribution: AttributionSettings,
    sale: Sale,
}

/// The history fields shared by the commission documents.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct CommissionInput {
    plan: Commission,
    #[serde(default)]
    sales: Vec<Sale>,
    #[serde(default)]
    refunds: Vec<Refund>,
    #[serde(default)]
    payouts: Vec<Payout>,
    #[serde(default)]
    referrers: BTreeMap<String, String>,
    as_of: DateTime<Utc>,
}

/// Input of [`commission_statement_json`].
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct StatementInput {
    plan: Commission,
    #[serde(default)]
    sales: Vec<Sale>,
    #[serde(default)]
    refunds: Vec<Refund>,
    #[serde(default)]
    payouts: Vec<Payout>,
    #[serde(default)]
    referrers: BTreeMap<String, String>,
    promoter: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
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

fn plan(section: &Commission) -> Result<CommissionPlan> {
    CommissionPlan::new(section).map_err(|e| prefixed(e, "plan"))
}

/// Attributes one sale: `{"attribution": {"model": "linear", "lookback": "30d"}, "sale": {"id",
/// "at", "amount", "currency", "touches": [{"at", "channel", "campaign"?, "promoter"?}]}}` →
/// [`Attribution`](super::Attribution) as JSON: `{sale_id, model, currency, amount, attributed,
/// unattributed, credits: [{touch_index, at, channel, campaign?, promoter?, weight, amount,
/// explanation}], excluded: [{touch_index, at, reason, explanation}], explanation}`.
///
/// # Errors
///
/// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for malformed JSON,
/// [`ErrorKind::Validation`](crate::ErrorKind::Validation) naming every bad field.
pub fn attribute_json(input: &str) -> Result<String> {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    let doc: AttributeInput = read(
        input,
        "attribution input",
        schema_of::<AttributeInput>(&SCHEMA),
    )?;
    let model = AttributionModel::new(&doc.attribution).map_err(|e| prefixed(e, "attribution"))?;
    Ok(write(&model.attribute(&doc.sale)?))
}

/// Every commission line as of a time: `{"plan": <commission section>, "sales": [...],
/// "refunds": [{id, sale_id, at, amount}], "payouts": [{id, sale_id, touch_index, level,
/// promoter, at, amount}], "referrers": {promoter: upline}, "as_of": time}` →
/// [`Commissions`](super::Commissions) as JSON: `{as_of, currency, lines: [...], totals:
/// {commission, paid, held, payable, clawback, due}}`.
///
/// # Errors
///
/// As [`attribute_json`], and every problem of the history (see
/// [`CommissionPlan::commissions`]).
pub fn commission_json(input: &str) -> Result<String> {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    let doc: CommissionInput = read(
        input,
        "commission input",
        schema_of::<CommissionInput>(&SCHEMA),
    )?;
    let plan = plan(&doc.plan)?;
    let history = CpsHistory {
        sales: doc.sales,
        refunds: doc.refunds,
        payouts: doc.payouts,
        referrers: doc.referrers,
    };
    Ok(write(&plan.commissions(&history, doc.as_of)?))
}

/// A promoter's statement for `[from, to)`: the input of [`commission_json`] with `"promoter"`,
/// `"from"` and `"to"` instead of `"as_of"` → [`CommissionStatement`](super::CommissionStatement) as JSON:
/// `{promoter, currency, from, to, lines, totals, explanation}`.
///
/// # Errors
///
/// As [`commission_json`], and when `from` is not before `to`.
pub fn commission_statement_json(input: &str) -> Result<String> {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    let doc: StatementInput = read(
        input,
        "statement input",
        schema_of::<StatementInput>(&SCHEMA),
    )?;
    let plan = plan(&doc.plan)?;
    let history = CpsHistory {
        sales: doc.sales,
        refunds: doc.refunds,
        payouts: doc.payouts,
        referrers: doc.referrers,
    };
    Ok(write(&plan.statement(
        &history,
        &doc.promoter,
        doc.from,
        doc.to,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn paths(e: &Error) -> Vec<&str> {
        e.problems().iter().map(|p| p.path.as_str()).collect()
    }

    #[test]
    fn attribute_json_writes_strings_for_every_amount() {
        let out = attribute_json(
            r#"{"attribution":{"model":"linear"},"sale":{"id":"s1","at":"2026-03-31T00:00:00Z",
                "amount":"10.00","currency":"CNY","touches":[{"at":"2026-03-30T00:00:00Z","channel":"wecom"}]}}"#,
        )
        .unwrap();
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["credits"][0]["amount"], "10.00");
        assert_eq!(v["credits"][0]["weight"], "1");
        assert_eq!(v["model"], "linear");
        assert_eq!(v["currency"], "CNY");
        assert!(
            v["credits"][0]["explanation"]
                .as_str()
                .unwrap()
                .contains("→ 10.00 CNY")
        );
    }

    #[test]
    fn bad_documents_name_every_path() {
        assert_eq!(attribute_json("{").unwrap_err().kind(), ErrorKind::Parse);
        let e = attribute_json(
            r#"{"attribution":{"model":"time_decay","half_life":"soon"},"sale":{"id":"s1",
                "at":"2026-03-31","amount":"1,00","currency":"RMB","touches":[{"at":"2026-03-30T00:00:00Z","chanel":"x"}]}}"#,
        )
        .unwrap_err();
        assert_eq!(
            paths(&e),
            ["sale.touches[0].channel", "sale.touches[0].chanel"],
            "shape problems first, alone"
        );
        let e = attribute_json(
            r#"{"attribution":{"model":"time_decay","half_life":"soon"},"sale":{"id":"s1",
                "at":"2026-03-31","amount":"1,00","currency":"RMB","touches":[]}}"#,
        )
        .unwrap_err();
        assert_eq!(
            paths(&e),
            [
                "attribution.half_life",
                "sale.amount",
                "sale.at",
                "sale.currency"
            ]
        );
    }

    #[test]
    fn statement_json_prefixes_plan_problems_and_keeps_history_paths() {
        let e = commission_statement_json(
            r#"{"plan":{"currency":"CNY","attribution":{"model":"linear"},"referral":{"levels":3,"upline_rate":"0.1"}},
                "promoter":"p","from":"2026-03-01T00:00:00Z","to":"2026-04-01T00:00:00Z"}"#,
        )
        .unwrap_err();
        assert_eq!(paths(&e), ["plan.referral.levels"]);
        let e = commission_json(
            r#"{"plan":{"currency":"CNY","attribution":{"model":"linear"}},"as_of":"2026-04-01T00:00:00Z",
                "sales":[{"id":"s1","at":"2026-03-01T00:00:00Z","amount":"5.00","currency":"USD"}],
                "refunds":[{"id":"r1","sale_id":"s9","at":"2026-03-02T00:00:00Z","amount":"1.00"}]}"#,
        )
        .unwrap_err();
        assert_eq!(paths(&e), ["sales[0].currency", "refunds[0].sale_id"]);
    }
}
