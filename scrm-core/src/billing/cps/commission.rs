//! Commission (佣金) on attributed net sales, line by line, with holds, payouts and clawbacks.
//!
//! For each sale, each credited touch that has a promoter makes a level-1 line for that promoter
//! and, in a two-level plan, a level-2 line for their upline. A line's commission is always
//! computed from the sale's net amount as known at the time asked about (`as_of`): the net is
//! re-split by the same weights and the rate applied again, so a refund lowers the commission
//! exactly as if the sale had been smaller (the commission is rounded half away from zero at the
//! line, DOMAIN.md 7). Against that stands what was paid for the line (payouts before `as_of`):
//!
//! | state | status | amount |
//! |---|---|---|
//! | nothing paid, hold not over | `held` | the commission, not yet payable |
//! | nothing paid, hold over | `payable` | the commission |
//! | paid, then a refund lowered the commission | `clawback` | commission − paid (negative) |
//! | paid in full | `paid` | 0 |
//!
//! So a refund inside the hold (or any time before payout) simply recomputes the commission, and
//! a refund after payout shows as a negative clawback line until the host records the recovery
//! as a negative payout. A hold is over when it ended strictly before `as_of`: a statement as of
//! `to` sees everything that happened before `to` and nothing at or after it.
//!
//! Rates: the most specific wins — the touch's promoter's own rate, else its campaign's, else its
//! channel's, else the plan's default (decision record 0013).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::Serialize;

use super::attribution::AttributionModel;
use super::ledger::{CpsHistory, Ledger};
use super::line::{CommissionLine, Context, LineStatus, RateSource};
use super::referral::earners;
use super::sale::{Sale, Touchpoint};
use crate::billing::{Currency, Money};
use crate::error::{Error, ErrorKind, Result};
use crate::playbook::Commission;

/// A compiled commission plan (see [`Commission`] for the playbook section).
#[derive(Debug, Clone, PartialEq)]
pub struct CommissionPlan {
    currency: Currency,
    attribution: AttributionModel,
    hold: TimeDelta,
    default_rate: Decimal,
    channel_rates: HashMap<String, Decimal>,
    campaign_rates: HashMap<String, Decimal>,
    promoter_rates: HashMap<String, Decimal>,
    levels: u8,
    upline_rate: Decimal,
}

/// Sums of lines, each exactly the sum of the lines it covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommissionTotals {
    /// Sum of `commission` over every line.
    #[serde(with = "crate::decimal_text")]
    pub commission: Decimal,
    /// Sum of `paid` over every line.
    #[serde(with = "crate::decimal_text")]
    pub paid: Decimal,
    /// Sum of `amount` over held lines.
    #[serde(with = "crate::decimal_text")]
    pub held: Decimal,
    /// Sum of `amount` over payable lines.
    #[serde(with = "crate::decimal_text")]
    pub payable: Decimal,
    /// Sum of `amount` over clawback lines (zero or negative).
    #[serde(with = "crate::decimal_text")]
    pub clawback: Decimal,
    /// What to pay now: `payable + clawback` (negative: the promoter owes it back).
    #[serde(with = "crate::decimal_text")]
    pub due: Decimal,
}

/// Every commission line of a history as of a time, with totals.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Commissions {
    /// The time the lines are computed at.
    pub as_of: DateTime<Utc>,
    /// The plan's currency.
    pub currency: Currency,
    /// Lines by sale (in the order sent), then touch sequence, then level.
    pub lines: Vec<CommissionLine>,
    /// Their totals.
    pub totals: CommissionTotals,
}

impl CommissionPlan {
    /// Compiles a commission plan.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] with every problem of the section (paths from the section's
    /// root, e.g. `referral.levels`), as loading it in a playbook reports under `commission`.
    pub fn new(section: &Commission) -> Result<CommissionPlan> {
        let mut problems = Vec::new();
        section.check("", &mut problems);
        if !problems.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, problems));
        }
        let hold = match &section.hold {
            Some(text) => crate::duration::parse(text, "hold")?,
            None => TimeDelta::zero(),
        };
        let map = |m: &BTreeMap<String, Decimal>| -> HashMap<String, Decimal> {
            m.iter().map(|(k, v)| (k.clone(), *v)).collect()
        };
        Ok(CommissionPlan {
            currency: section.currency,
            attribution: AttributionModel::new(&section.attribution)?,
            hold,
            default_rate: section.default_rate.unwrap_or(Decimal::ZERO),
            channel_rates: map(&section.channel_rates),
            campaign_rates: map(&section.campaign_rates),
            promoter_rates: map(&section.promoter_rates),
            levels: section.referral.levels,
            upline_rate: section.referral.upline_rate.unwrap_or(Decimal::ZERO),
        })
    }

    /// The currency commission is paid in.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The attribution model.
    pub fn attribution(&self) -> &AttributionModel {
        &self.attribution
    }

    /// The hold period.
    pub fn hold(&self) -> TimeDelta {
        self.hold
    }

    /// How many levels are paid (1 or 2).
    pub fn levels(&self) -> u8 {
        self.levels
    }

    /// The rate of a touch's promoter, and where it came from: promoter, campaign, channel,
    /// default, most specific first.
    pub fn rate(&self, touch: &Touchpoint) -> (Decimal, RateSource) {
        let by_promoter = touch
            .promoter
            .as_ref()
            .and_then(|p| self.promoter_rates.get(p));
        let by_campaign = touch
            .campaign
            .as_ref()
            .and_then(|c| self.campaign_rates.get(c));
        if let Some(&r) = by_promoter {
            (r, RateSource::Promoter)
        } else if let Some(&r) = by_campaign {
            (r, RateSource::Campaign)
        } else if let Some(&r) = self.channel_rates.get(&touch.channel) {
            (r, RateSource::Channel)
        } else {
            (self.default_rate, RateSource::Default)
        }
    }

    /// Every commission line of `history` as of `as_of`: sales, refunds and payouts before it.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] with every problem of the history: a sale in another currency,
    /// an id sent twice with different content, refunds beyond the sale or before it, a payout of
    /// a line that does not exist or to the wrong promoter; and on arithmetic overflow.
    pub fn commissions(&self, history: &CpsHistory, as_of: DateTime<Utc>) -> Result<Commissions> {
        let ledger = history.ledger(self)?;
        let lines = self.lines(&ledger, as_of, None)?;
        Ok(Commissions {
            as_of,
            currency: self.currency,
            totals: self.totals(&lines)?,
            lines,
        })
    }

    /// Who earns the line of `sale`'s touch `touch_index` at `level`, if the line exists: the
    /// touch is credited (a positive weight) and has a promoter, and for level 2 the plan pays
    /// two levels and the promoter has an upline.
    pub(crate) fn earner<'a>(
        &self,
        sale: &'a Sale,
        touch_index: u32,
        level: u8,
        referrers: &'a BTreeMap<String, String>,
    ) -> Option<&'a str> {
        let journey = self.attribution.journey(sale);
        let credited = journey
            .order
            .iter()
            .zip(&journey.weights)
            .any(|(&i, w)| i == touch_index && !w.is_zero());
        if !credited {
            return None;
        }
        let touch = sale.touches.get(usize::try_from(touch_index).ok()?)?;
        let promoter = touch.promoter.as_deref()?;
        let upline = referrers.get(promoter).map(String::as_str);
        earners(promoter, self.levels, upline)
            .find(|&(l, _)| l == level)
            .map(|(_, who)| who)
    }

    /// The lines of the sales before `as_of`, of one promoter or of all.
    pub(crate) fn lines(
        &self,
        ledger: &Ledger<'_>,
        as_of: DateTime<Utc>,
        only: Option<&str>,
    ) -> Result<Vec<CommissionLine>> {
        let mut lines = Vec::new();
        for sale in ledger.sales.iter().filter(|s| s.at < as_of) {
            self.sale_lines(ledger, sale, as_of, only, &mut lines)?;
        }
        Ok(lines)
    }

    fn sale_lines(
        &self,
        ledger: &Ledger<'_>,
        sale: &Sale,
        as_of: DateTime<Utc>,
        only: Option<&str>,
        lines: &mut Vec<CommissionLine>,
    ) -> Result<()> {
        let upline = |p: &str| ledger.uplines.get(p).copied();
        let earns = |p: &str| {
            earners(p, self.levels, upline(p)).any(|(_, who)| only.is_none_or(|o| o == who))
        };
        if !sale
            .touches
            .iter()
            .filter_map(|t| t.promoter.as_deref())
            .any(earns)
        {
            return Ok(());
        }
        let journey = self.attribution.journey(sale);
        let zero = Money::zero(sale.currency).round();
        let mut refunds = 0;
        let mut refunded = zero;
        for r in ledger.refunds.get(sale.id.as_str()).into_iter().flatten() {
            if r.at < as_of {
                refunds += 1;
                refunded = refunded.checked_add(Money::new(r.amount, sale.currency))?;
            }
        }
        let net = Money::new(sale.amount, sale.currency)
            .checked_sub(refunded)?
            .round();
        let parts = self.attribution.split(&journey, net)?;
        let payable_from = sale
            .at
            .checked_add_signed(self.hold)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let held = payable_from >= as_of;
        let eligible = journey.order.len();
        for (position, ((&i, weight), part)) in journey
            .order
            .iter()
            .zip(&journey.weights)
            .zip(&parts)
            .enumerate()
        {
            let Some(touch) = usize::try_from(i).ok().and_then(|i| sale.touches.get(i)) else {
                continue;
            };
            let Some(promoter) = touch.promoter.as_deref().filter(|_| !weight.is_zero()) else {
                continue;
            };
            for (level, earner) in earners(promoter, self.levels, upline(promoter)) {
                if only.is_some_and(|o| o != earner) {
                    continue;
                }
                let (rate, rate_source) = if level == 1 {
                    self.rate(touch)
                } else {
                    (self.upline_rate, RateSource::Upline)
                };
                let commission = part.checked_mul(rate)?.round();
                let payouts = ledger.payouts.get(&(sale.id.as_str(), i, level));
                let mut paid = zero;
                let mut has_payouts = false;
                for p in payouts.into_iter().flatten().filter(|p| p.at < as_of) {
                    has_payouts = true;
                    paid = paid.checked_add(Money::new(p.amount, sale.currency))?;
                }
                let paid = paid.round();
                let amount = commission.checked_sub(paid)?;
                lines.push(CommissionLine {
                    sale_id: sale.id.clone(),
                    sale_at: sale.at,
                    touch_index: i,
                    level,
                    promoter: earner.to_owned(),
                    downline: (level == 2).then(|| promoter.to_owned()),
                    channel: touch.channel.clone(),
                    campaign: touch.campaign.clone(),
                    net: net.amount(),
                    attributed: part.amount(),
                    rate,
                    rate_source,
                    commission: commission.amount(),
                    paid: paid.amount(),
                    amount: amount.amount(),
                    status: status(amount.amount(), has_payouts, held),
                    payable_from,
                    context: Context {
                        currency: sale.currency,
                        sale_amount: sale.amount,
                        refunds,
                        refunded: refunded.amount(),
                        position: position + 1,
                        eligible,
                        model: self.attribution.kind(),
                        hold: self.hold,
                    },
                });
            }
        }
        Ok(())
    }

    /// The totals of `lines`.
    pub(crate) fn totals(&self, lines: &[CommissionLine]) -> Result<CommissionTotals> {
        let sum = |pick: &dyn Fn(&CommissionLine) -> Option<Decimal>| -> Result<Decimal> {
            let parts = lines
                .iter()
                .filter_map(pick)
                .map(|d| Money::new(d, self.currency));
            Ok(Money::sum(self.currency, parts)?.round().amount())
        };
        let of =
            |status: LineStatus| move |l: &CommissionLine| (l.status == status).then_some(l.amount);
        let payable = sum(&of(LineStatus::Payable))?;
        let clawback = sum(&of(LineStatus::Clawback))?;
        Ok(CommissionTotals {
            commission: sum(&|l| Some(l.commission))?,
            paid: sum(&|l| Some(l.paid))?,
            held: sum(&of(LineStatus::Held))?,
            payable,
            clawback,
            due: Money::new(payable, self.currency)
                .checked_add(Money::new(clawback, self.currency))?
                .round()
                .amount(),
        })
    }
}

fn status(amount: Decimal, has_payouts: bool, held: bool) -> LineStatus {
    if amount < Decimal::ZERO {
        LineStatus::Clawback
    } else if amount.is_zero() && has_payouts {
        LineStatus::Paid
    } else if held {
        LineStatus::Held
    } else {
        LineStatus::Payable
    }
}
