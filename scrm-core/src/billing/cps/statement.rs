//! A promoter's statement (佣金结算单) for a period.
//!
//! The statement for `[from, to)` is computed as of `to`: it sees the sales, refunds and payouts
//! before `to`. It lists every line of the promoter that had activity in the period (its sale, a
//! refund of its sale, or a payout of it fell in the period) and every line with an amount still
//! open (held, payable, or to claw back) whenever it was made. So a commission paid last month and
//! refunded this month shows up this month as a negative clawback line, and a payable line the
//! host has not paid yet stays on every statement until it is paid. Paying the `due` total and
//! recording each due line's `amount` as a payout settles the statement.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::commission::{CommissionPlan, CommissionTotals};
use super::ledger::{CpsHistory, Ledger};
use super::line::{CommissionLine, LineStatus};
use super::text::time;
use crate::billing::Currency;
use crate::error::{Error, ErrorKind, Result};

/// A promoter's commission statement for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommissionStatement {
    /// The promoter.
    pub promoter: String,
    /// The plan's currency.
    pub currency: Currency,
    /// The period's start (included).
    pub from: DateTime<Utc>,
    /// The period's end (excluded); the statement is as of this time.
    pub to: DateTime<Utc>,
    /// The lines, by sale (in the order sent), touch sequence, level.
    pub lines: Vec<CommissionLine>,
    /// Their totals, each exactly the sum of its lines.
    pub totals: CommissionTotals,
    /// A summary for the promoter.
    pub explanation: String,
}

impl CommissionPlan {
    /// The statement of `promoter` for the period `[from, to)`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] when `from` is not before `to`, or for any problem of the
    /// history (see [`CommissionPlan::commissions`]).
    pub fn statement(
        &self,
        history: &CpsHistory,
        promoter: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<CommissionStatement> {
        if from >= to {
            return Err(Error::at(
                ErrorKind::Validation,
                "from",
                format!(
                    "the period starts at {} but ends at {}: from must be before to",
                    time(from),
                    time(to)
                ),
            ));
        }
        let ledger = history.ledger(self)?;
        let lines: Vec<CommissionLine> = self
            .lines(&ledger, to, Some(promoter))?
            .into_iter()
            .filter(|line| open(line) || active(&ledger, line, from, to))
            .collect();
        let totals = self.totals(&lines)?;
        let explanation = summary(promoter, from, to, &lines, &totals);
        Ok(CommissionStatement {
            promoter: promoter.to_owned(),
            currency: self.currency(),
            from,
            to,
            lines,
            totals,
            explanation,
        })
    }
}

/// Whether a line still has an amount to settle.
fn open(line: &CommissionLine) -> bool {
    line.status != LineStatus::Paid && !line.amount.is_zero()
}

/// Whether the line's sale, a refund of it, or a payout of the line fell in `[from, to)`.
fn active(
    ledger: &Ledger<'_>,
    line: &CommissionLine,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> bool {
    let inside = |t: DateTime<Utc>| from <= t && t < to;
    inside(line.sale_at)
        || ledger
            .refunds
            .get(line.sale_id.as_str())
            .is_some_and(|list| list.iter().any(|r| inside(r.at)))
        || ledger
            .payouts
            .get(&(line.sale_id.as_str(), line.touch_index, line.level))
            .is_some_and(|list| list.iter().any(|p| inside(p.at)))
}

fn summary(
    promoter: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    lines: &[CommissionLine],
    totals: &CommissionTotals,
) -> String {
    let count = |s: LineStatus| lines.iter().filter(|l| l.status == s).count();
    format!(
        "statement of {promoter} for {} to {}: {} line{}; due {} (payable {} on {} line{}, \
         clawback {} on {} line{}); held {} on {} line{} not yet payable; paid so far {}",
        time(from),
        time(to),
        lines.len(),
        plural(lines.len()),
        totals.due,
        totals.payable,
        count(LineStatus::Payable),
        plural(count(LineStatus::Payable)),
        totals.clawback,
        count(LineStatus::Clawback),
        plural(count(LineStatus::Clawback)),
        totals.held,
        count(LineStatus::Held),
        plural(count(LineStatus::Held)),
        totals.paid,
    )
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
