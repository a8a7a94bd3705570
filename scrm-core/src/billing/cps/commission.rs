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
use super::referral::earners;
use super::sale::{Sale, Touchpoint};
use super::text::{span, time};
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

/// Where a line's rate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RateSource {
    /// The promoter's own rate.
    Promoter,
    /// The touch's campaign's rate.
    Campaign,
    /// The touch's channel's rate.
    Channel,
    /// The plan's default rate.
    Default,
    /// The upline rate of a level-2 line.
    Upline,
}

/// Where a commission line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LineStatus {
    /// The hold is not over: not yet payable.
    Held,
    /// The hold is over and the amount is owed to the promoter.
    Payable,
    /// Paid in full; nothing owed either way.
    Paid,
    /// Paid more than the commission now is (a refund after payout): the negative amount is
    /// recovered from the promoter.
    Clawback,
}

/// One commission line: one promoter's commission on one credited touch of one sale.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommissionLine {
    /// The sale.
    pub sale_id: String,
    /// When the sale was made.
    pub sale_at: DateTime<Utc>,
    /// The credited touch: its index in the sale's `touches` as sent.
    pub touch_index: u32,
    /// 1 for the touch's promoter, 2 for their upline.
    pub level: u8,
    /// Who earns this line.
    pub promoter: String,
    /// For a level-2 line, the promoter whose touch it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub downline: Option<String>,
    /// The touch's channel.
    pub channel: String,
    /// The touch's campaign, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// The sale's net amount: the sale less the refunds so far.
    #[serde(with = "crate::decimal_text")]
    pub net: Decimal,
    /// The touch's credit of the net amount.
    #[serde(with = "crate::decimal_text")]
    pub attributed: Decimal,
    /// The rate applied.
    #[serde(with = "crate::decimal_text")]
    pub rate: Decimal,
    /// Where the rate came from.
    pub rate_source: RateSource,
    /// The commission earned: `attributed × rate`, rounded half away from zero.
    #[serde(with = "crate::decimal_text")]
    pub commission: Decimal,
    /// What was paid for this line so far (net of recoveries).
    #[serde(with = "crate::decimal_text")]
    pub paid: Decimal,
    /// What is open: `commission − paid` (held, payable, or negative to claw back).
    #[serde(with = "crate::decimal_text")]
    pub amount: Decimal,
    /// Where the line stands.
    pub status: LineStatus,
    /// When the hold ends and the commission becomes payable.
    pub payable_from: DateTime<Utc>,
    /// How the line was computed, for the promoter and for support.
    pub explanation: String,
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
        let lines = self.lines(&ledger, as_of, |_| true)?;
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
        earners(touch.promoter.as_deref()?, self.levels, referrers)
            .find(|&(l, _)| l == level)
            .map(|(_, who)| who)
    }

    /// The lines of the sales before `as_of` whose earner `wanted` accepts.
    pub(crate) fn lines(
        &self,
        ledger: &Ledger<'_>,
        as_of: DateTime<Utc>,
        wanted: impl Fn(&str) -> bool,
    ) -> Result<Vec<CommissionLine>> {
        let mut lines = Vec::new();
        for sale in ledger.sales.iter().filter(|s| s.at < as_of) {
            self.sale_lines(ledger, sale, as_of, &wanted, &mut lines)?;
        }
        Ok(lines)
    }

    fn sale_lines(
        &self,
        ledger: &Ledger<'_>,
        sale: &Sale,
        as_of: DateTime<Utc>,
        wanted: &impl Fn(&str) -> bool,
        lines: &mut Vec<CommissionLine>,
    ) -> Result<()> {
        let journey = self.attribution.journey(sale);
        if !journey
            .order
            .iter()
            .filter_map(|&i| sale.touches.get(usize::try_from(i).ok()?))
            .filter_map(|t| t.promoter.as_deref())
            .any(|p| earners(p, self.levels, ledger.referrers).any(|(_, who)| wanted(who)))
        {
            return Ok(());
        }
        let refunds: Vec<Money> = ledger
            .refunds
            .get(sale.id.as_str())
            .map(|list| {
                list.iter()
                    .filter(|r| r.at < as_of)
                    .map(|r| Money::new(r.amount, sale.currency))
                    .collect()
            })
            .unwrap_or_default();
        let refunded = Money::sum(sale.currency, refunds.iter().copied())?;
        let net = Money::new(sale.amount, sale.currency)
            .checked_sub(refunded)?
            .round();
        let parts = self.attribution.split(&journey, net)?;
        let payable_from = sale
            .at
            .checked_add_signed(self.hold)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let sale_text = sale_text(sale, net, refunded, refunds.len());
        let n = journey.order.len();
        for (pos, ((&i, weight), part)) in journey
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
            for (level, earner) in earners(promoter, self.levels, ledger.referrers) {
                if !wanted(earner) {
                    continue;
                }
                let (rate, source) = if level == 1 {
                    self.rate(touch)
                } else {
                    (self.upline_rate, RateSource::Upline)
                };
                let commission = part.checked_mul(rate)?.round();
                let paid = Money::sum(
                    sale.currency,
                    ledger
                        .payouts
                        .get(&(sale.id.as_str(), i, level))
                        .into_iter()
                        .flatten()
                        .filter(|p| p.at < as_of)
                        .map(|p| Money::new(p.amount, sale.currency)),
                )?
                .round();
                let has_payouts = ledger
                    .payouts
                    .get(&(sale.id.as_str(), i, level))
                    .is_some_and(|list| list.iter().any(|p| p.at < as_of));
                let amount = commission.checked_sub(paid)?;
                let held = payable_from >= as_of;
                let status = status(amount.amount(), has_payouts, held);
                let credit_text = format!(
                    "touch {} of {n} ({}) credited {} by {}",
                    pos + 1,
                    source_text(touch),
                    part.amount(),
                    self.attribution.kind().as_str()
                );
                let rate_text = match source {
                    RateSource::Upline => {
                        format!("{earner} recruited {promoter} (分销 level 2): upline rate {rate}")
                    }
                    other => rate_source_text(other, touch, rate),
                };
                let explanation = format!(
                    "{sale_text}; {credit_text}; {rate_text}: {} × {rate} = {} (rounded half \
                     away from zero); {}",
                    part.amount(),
                    commission.amount(),
                    status_text(status, commission, paid, amount, payable_from, self.hold)
                );
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
                    rate_source: source,
                    commission: commission.amount(),
                    paid: paid.amount(),
                    amount: amount.amount(),
                    status,
                    payable_from,
                    explanation,
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

fn sale_text(sale: &Sale, net: Money, refunded: Money, refunds: usize) -> String {
    let amount = Money::new(sale.amount, sale.currency).round();
    let head = format!("sale {} of {amount} at {}", sale.id, time(sale.at));
    match refunds {
        0 => head,
        1 => format!(
            "{head}, net {} after a refund of {}",
            net.amount(),
            refunded.round().amount()
        ),
        k => format!(
            "{head}, net {} after {k} refunds totalling {}",
            net.amount(),
            refunded.round().amount()
        ),
    }
}

fn source_text(touch: &Touchpoint) -> String {
    match &touch.campaign {
        Some(c) => format!("{} / {c}", touch.channel),
        None => touch.channel.clone(),
    }
}

fn rate_source_text(source: RateSource, touch: &Touchpoint, rate: Decimal) -> String {
    let promoter = touch.promoter.as_deref().unwrap_or_default();
    match source {
        RateSource::Promoter => format!("rate {rate} of promoter {promoter}"),
        RateSource::Campaign => format!(
            "rate {rate} of campaign {}",
            touch.campaign.as_deref().unwrap_or_default()
        ),
        RateSource::Channel => format!("rate {rate} of channel {}", touch.channel),
        RateSource::Default | RateSource::Upline => {
            format!("no promoter, campaign or channel rate for {promoter}: default rate {rate}")
        }
    }
}

fn status_text(
    status: LineStatus,
    commission: Money,
    paid: Money,
    amount: Money,
    payable_from: DateTime<Utc>,
    hold: TimeDelta,
) -> String {
    let (commission, paid, amount) = (commission.amount(), paid.amount(), amount.amount());
    match status {
        LineStatus::Held => format!(
            "held {} until {}: {amount} not yet payable",
            span(hold),
            time(payable_from)
        ),
        LineStatus::Payable if paid.is_zero() && hold.is_zero() => {
            format!("no hold: {amount} payable")
        }
        LineStatus::Payable if paid.is_zero() => {
            format!("hold over at {}: {amount} payable", time(payable_from))
        }
        LineStatus::Payable => format!("{paid} paid so far: {amount} more payable"),
        LineStatus::Paid => format!("{paid} paid: settled"),
        LineStatus::Clawback => format!(
            "{paid} was paid before refunds lowered the commission to {commission}: claw back \
             {amount}"
        ),
    }
}
