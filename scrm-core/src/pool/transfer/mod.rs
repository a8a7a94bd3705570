//! Transfer (在职继承) and resignation inheritance (离职继承): moving customers between employees
//! within WeCom's limits, and the status of each transfer over time.
//!
//! WeCom's rules: at most 100 customers per request; each customer at most twice in 90 days; the
//! customer may refuse within 24 hours, after which the takeover is automatic. Statuses mirror
//! WeCom's transfer result codes: 1 done, 2 waiting, 3 refused, 4 taker at limit, 5 no relation.

mod plan;
mod status;

use chrono::{DateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::playbook::{Playbook, TRANSFER_REFUSAL_HOURS};

pub use plan::{TransferBlock, TransferPlan, TransferRefusal};
pub use status::{TransferOutcome, TransferStatus};

/// Which WeCom transfer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TransferKind {
    /// In-service transfer (在职继承): the handover still works here.
    InService,
    /// Resignation inheritance (离职继承): the handover has left.
    Resigned,
}

/// A request to move customers from one employee to another.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TransferRequest {
    /// In service or resigned.
    pub kind: TransferKind,
    /// The employee handing the customers over.
    pub handover: String,
    /// The employee taking them over.
    pub takeover: String,
    /// The customers, at most `transfer.max_customers_per_request` (WeCom: 100).
    pub customers: Vec<String>,
    /// Those of `customers` the takeover already follows (WeCom refuses them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub takeover_follows: Vec<String>,
}

impl TransferRequest {
    /// A request to move `customers` from `handover` to `takeover`.
    pub fn new(
        kind: TransferKind,
        handover: &str,
        takeover: &str,
        customers: Vec<String>,
    ) -> TransferRequest {
        TransferRequest {
            kind,
            handover: handover.to_owned(),
            takeover: takeover.to_owned(),
            customers,
            takeover_follows: Vec::new(),
        }
    }
}

/// One transfer of one customer, as started, with what the platform reported since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TransferRecord {
    /// The customer.
    pub customer_id: String,
    /// The employee handing over.
    pub handover: String,
    /// The employee taking over.
    pub takeover: String,
    /// In service or resigned.
    pub kind: TransferKind,
    /// When the transfer started.
    pub started_at: DateTime<Utc>,
    /// When the customer refused, if they did (counts only within 24 h of the start).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused_at: Option<DateTime<Utc>>,
    /// When the customer and the handover stopped being connected (the customer deleted them), if
    /// they did; before the takeover it ends the transfer as `no_relation`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation_ended_at: Option<DateTime<Utc>>,
}

/// The transfer limits of one playbook, compiled.
#[derive(Debug, Clone)]
pub struct TransferRules {
    tz: Tz,
    max_customers: u32,
    max_transfers: u32,
    window_days: u32,
    taker_limit: Option<u32>,
}

impl TransferRules {
    /// Compiles the transfer section of `playbook`.
    pub fn new(playbook: &Playbook) -> Result<TransferRules> {
        let limits = playbook.transfer();
        Ok(TransferRules {
            tz: playbook.timezone(),
            max_customers: limits.max_customers_per_request,
            max_transfers: limits.max_transfers_per_customer,
            window_days: limits.window_days,
            taker_limit: limits.taker_limit,
        })
    }

    /// Splits moving many customers (a resigned employee's whole book) into requests WeCom
    /// accepts, each with at most `max_customers_per_request`, in the order given.
    pub fn requests(
        &self,
        kind: TransferKind,
        handover: &str,
        takeover: &str,
        customers: &[String],
    ) -> Vec<TransferRequest> {
        let size = usize::try_from(self.max_customers).unwrap_or(1).max(1);
        customers
            .chunks(size)
            .map(|chunk| TransferRequest::new(kind, handover, takeover, chunk.to_vec()))
            .collect()
    }
}

/// The customer's window to refuse.
pub(crate) fn refusal_window() -> TimeDelta {
    TimeDelta::hours(TRANSFER_REFUSAL_HOURS)
}
