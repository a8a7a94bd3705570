//! The transfer section of a playbook: in-service transfer (在职继承) and resignation inheritance
//! (离职继承) of customers between employees.
//!
//! The defaults are WeCom's limits. A tenant may make them stricter, never looser: WeCom refuses
//! what exceeds them whatever the playbook says.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::path;
use crate::error::Problem;

/// WeCom's most customers in one transfer request.
pub const MAX_TRANSFER_CUSTOMERS: u32 = 100;
/// WeCom's most transfers of one customer within [`TRANSFER_WINDOW_DAYS`].
pub const MAX_TRANSFERS_PER_CUSTOMER: u32 = 2;
/// WeCom's window, in calendar days, over which transfers of a customer are counted.
pub const TRANSFER_WINDOW_DAYS: u32 = 90;
/// How long the customer may refuse a transfer before the takeover is automatic (WeCom: 24 h).
pub const TRANSFER_REFUSAL_HOURS: i64 = 24;
/// The longest message WeCom shows the customer with a transfer, in characters.
pub const MAX_TRANSFER_MESSAGE_CHARS: usize = 200;

/// Limits on moving customers between employees.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TransferLimits {
    /// Most customers in one request (WeCom: 100).
    #[serde(default = "max_customers")]
    #[schemars(range(min = 1, max = 100))]
    pub max_customers_per_request: u32,
    /// Most transfers of one customer within `window_days` (WeCom: 2).
    #[serde(default = "max_transfers")]
    #[schemars(range(min = 1, max = 2))]
    pub max_transfers_per_customer: u32,
    /// The window, in calendar days of the playbook timezone, over which transfers of a customer
    /// are counted (WeCom: 90).
    #[serde(default = "window_days")]
    #[schemars(range(min = 90, max = 3650))]
    pub window_days: u32,
    /// The most customers a takeover employee may hold on the platform; a transfer that would
    /// pass it ends `taker_at_limit`. Absent: no limit is checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub taker_limit: Option<u32>,
    /// The message the customer sees with the transfer (at most 200 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

fn max_customers() -> u32 {
    MAX_TRANSFER_CUSTOMERS
}

fn max_transfers() -> u32 {
    MAX_TRANSFERS_PER_CUSTOMER
}

fn window_days() -> u32 {
    TRANSFER_WINDOW_DAYS
}

impl Default for TransferLimits {
    fn default() -> TransferLimits {
        TransferLimits {
            max_customers_per_request: max_customers(),
            max_transfers_per_customer: max_transfers(),
            window_days: window_days(),
            taker_limit: None,
            message: None,
        }
    }
}

/// The meaning check of the `transfer` section: a message WeCom accepts.
pub(crate) fn check(doc: &Value, out: &mut Vec<Problem>) {
    let Some(transfer) = doc.get("transfer") else {
        return;
    };
    if let Some(Value::String(message)) = transfer.get("message") {
        let chars = message.chars().count();
        if chars > MAX_TRANSFER_MESSAGE_CHARS {
            out.push(Problem::new(
                path::field("transfer", "message"),
                format!(
                    "the message has {chars} characters; WeCom shows at most {MAX_TRANSFER_MESSAGE_CHARS}"
                ),
            ));
        }
    }
}
