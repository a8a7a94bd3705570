//! A commission line and its explanation.
//!
//! The explanation is written when it is asked for ([`CommissionLine::explanation`], or when the
//! line is serialised), not when the line is computed: a batch over a million sales then
//! allocates no text, while every line a person or a binding sees is still explained.

use chrono::{DateTime, TimeDelta, Utc};
use rust_decimal::Decimal;
use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::attribution::ModelKind;
use super::text::{span, time};
use crate::billing::Currency;

/// Where a line's rate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
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
///
/// Serialised with every public field, in this order, and `explanation`.
#[derive(Debug, Clone, PartialEq)]
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
    pub downline: Option<String>,
    /// The touch's channel.
    pub channel: String,
    /// The touch's campaign, if any.
    pub campaign: Option<String>,
    /// The sale's net amount: the sale less the refunds so far.
    pub net: Decimal,
    /// The touch's credit of the net amount.
    pub attributed: Decimal,
    /// The rate applied.
    pub rate: Decimal,
    /// Where the rate came from.
    pub rate_source: RateSource,
    /// The commission earned: `attributed × rate`, rounded half away from zero.
    pub commission: Decimal,
    /// What was paid for this line so far (net of recoveries).
    pub paid: Decimal,
    /// What is open: `commission − paid` (held, payable, or negative to claw back).
    pub amount: Decimal,
    /// Where the line stands.
    pub status: LineStatus,
    /// When the hold ends and the commission becomes payable.
    pub payable_from: DateTime<Utc>,
    pub(crate) context: Context,
}

/// What the explanation needs beyond the line's own fields.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Context {
    pub(crate) currency: Currency,
    pub(crate) sale_amount: Decimal,
    pub(crate) refunds: usize,
    pub(crate) refunded: Decimal,
    /// The touch's place in the sequence of eligible touches, from 1, and how many there are.
    pub(crate) position: usize,
    pub(crate) eligible: usize,
    pub(crate) model: ModelKind,
    pub(crate) hold: TimeDelta,
}

impl CommissionLine {
    /// How the line was computed, for the promoter and for support: the sale and its refunds,
    /// the touch's credit, the rate and where it came from, the rounding, and the status.
    pub fn explanation(&self) -> String {
        let c = &self.context;
        let mut sale = format!(
            "sale {} of {} {} at {}",
            self.sale_id,
            self.context_amount(c.sale_amount),
            c.currency,
            time(self.sale_at)
        );
        match c.refunds {
            0 => {}
            1 => sale.push_str(&format!(
                ", net {} after a refund of {}",
                self.net,
                self.context_amount(c.refunded)
            )),
            k => sale.push_str(&format!(
                ", net {} after {k} refunds totalling {}",
                self.net,
                self.context_amount(c.refunded)
            )),
        }
        let source = match &self.campaign {
            Some(campaign) => format!("{} / {campaign}", self.channel),
            None => self.channel.clone(),
        };
        let credit = format!(
            "touch {} of {} ({source}) credited {} by {}",
            c.position,
            c.eligible,
            self.attributed,
            c.model.as_str()
        );
        format!(
            "{sale}; {credit}; {}: {} × {} = {} (rounded half away from zero); {}",
            self.rate_text(),
            self.attributed,
            self.rate,
            self.commission,
            self.status_text()
        )
    }

    fn context_amount(&self, d: Decimal) -> Decimal {
        let mut d = d;
        d.rescale(self.context.currency.exponent());
        d
    }

    fn rate_text(&self) -> String {
        let rate = self.rate;
        let promoter = self.downline.as_deref().unwrap_or(&self.promoter);
        match self.rate_source {
            RateSource::Promoter => format!("rate {rate} of promoter {promoter}"),
            RateSource::Campaign => format!(
                "rate {rate} of campaign {}",
                self.campaign.as_deref().unwrap_or_default()
            ),
            RateSource::Channel => format!("rate {rate} of channel {}", self.channel),
            RateSource::Default => {
                format!("no promoter, campaign or channel rate for {promoter}: default rate {rate}")
            }
            RateSource::Upline => format!(
                "{} recruited {promoter} (分销 level 2): upline rate {rate}",
                self.promoter
            ),
        }
    }

    fn status_text(&self) -> String {
        let (commission, paid, amount) = (self.commission, self.paid, self.amount);
        match self.status {
            LineStatus::Held => format!(
                "held {} until {}: {amount} not yet payable",
                span(self.context.hold),
                time(self.payable_from)
            ),
            LineStatus::Payable if paid.is_zero() && self.context.hold.is_zero() => {
                format!("no hold: {amount} payable")
            }
            LineStatus::Payable if paid.is_zero() => {
                format!("hold over at {}: {amount} payable", time(self.payable_from))
            }
            LineStatus::Payable => format!("{paid} paid so far: {amount} more payable"),
            LineStatus::Paid => format!("{paid} paid: settled"),
            LineStatus::Clawback => format!(
                "{paid} was paid before refunds lowered the commission to {commission}: claw \
                 back {amount}"
            ),
        }
    }
}

impl Serialize for CommissionLine {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let fields =
            17 + usize::from(self.downline.is_some()) + usize::from(self.campaign.is_some());
        let mut st = s.serialize_struct("CommissionLine", fields)?;
        st.serialize_field("sale_id", &self.sale_id)?;
        st.serialize_field("sale_at", &self.sale_at)?;
        st.serialize_field("touch_index", &self.touch_index)?;
        st.serialize_field("level", &self.level)?;
        st.serialize_field("promoter", &self.promoter)?;
        if let Some(downline) = &self.downline {
            st.serialize_field("downline", downline)?;
        }
        st.serialize_field("channel", &self.channel)?;
        if let Some(campaign) = &self.campaign {
            st.serialize_field("campaign", campaign)?;
        }
        for (name, value) in [
            ("net", self.net),
            ("attributed", self.attributed),
            ("rate", self.rate),
        ] {
            st.serialize_field(name, &value.to_string())?;
        }
        st.serialize_field("rate_source", &self.rate_source)?;
        for (name, value) in [
            ("commission", self.commission),
            ("paid", self.paid),
            ("amount", self.amount),
        ] {
            st.serialize_field(name, &value.to_string())?;
        }
        st.serialize_field("status", &self.status)?;
        st.serialize_field("payable_from", &self.payable_from)?;
        st.serialize_field("explanation", &self.explanation())?;
        st.end()
    }
}
