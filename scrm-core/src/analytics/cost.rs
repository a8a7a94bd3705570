//! Channel cost per lead (获客成本): what each channel's spend bought.
//!
//! **Leads** of a channel are its customers, created in the window, who reached the lead stage
//! (the options' `lead_stage`, default the first funnel stage; "reached" as in the funnel). The
//! **cost per lead** is the channel's spend over its leads, rounded half away from zero at the
//! currency's minor unit (CNY 0.01, JPY 1: ISO 4217), computed exactly with decimals: no float.
//! Spend lines of the same channel add up; they must share a currency. The **total** is the
//! spend of all channels over the leads *of the channels with spend* (paid leads), given when every
//! line has the same currency.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::journey::{AnalyticsOptions, StageJourney, check_journeys};
use crate::error::{Error, ErrorKind, Problem, Result};

/// Money spent on one channel in the report's window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Spend {
    /// The playbook channel id, as in the journeys' `channel`.
    pub channel: String,
    /// The amount as a decimal string (`"1200.50"`), at most as many decimals as the currency has.
    pub amount: String,
    /// The ISO 4217 currency code (`CNY`, `USD`, `JPY`, ...).
    pub currency: String,
}

/// What one channel (or all of them) paid per lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelCost {
    /// The channel id; `null` for the total.
    pub channel: Option<String>,
    /// The currency.
    pub currency: String,
    /// The spend, with the currency's decimals (`"1200.50"`).
    pub spend: String,
    /// Leads the channel brought in.
    pub leads: u64,
    /// Spend over leads, rounded half away from zero at the currency's minor unit; `null` with no
    /// lead.
    pub cost_per_lead: Option<String>,
}

/// Cost per lead of every channel with spend, by channel id, and the total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostPerLead {
    /// The stage that made a customer a lead.
    pub lead_stage: String,
    /// One line per channel with spend, by channel id.
    pub channels: Vec<ChannelCost>,
    /// All spend over all paid leads; `null` when the spend mixes currencies.
    pub total: Option<ChannelCost>,
}

impl CostPerLead {
    /// Computes cost per lead of `journeys` for `spend`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`] for invalid options or journeys, and for spend lines with an
    /// unknown currency, an amount that is not a non-negative decimal with at most the currency's
    /// decimals, or one channel spending in two currencies.
    ///
    /// ```
    /// use scrm_core::{AnalyticsOptions, CostPerLead, Spend, StageEntry, StageJourney};
    ///
    /// let at = |d: &str| d.parse().unwrap();
    /// let lead = |id: &str| {
    ///     let mut j = StageJourney::new(id, at("2026-03-01T00:00:00Z"));
    ///     j.channel = Some("douyin".into());
    ///     j.stages.push(StageEntry { stage: "lead".into(), at: at("2026-03-01T00:00:00Z") });
    ///     j
    /// };
    /// let spend = [Spend { channel: "douyin".into(), amount: "100".into(), currency: "CNY".into() }];
    /// let report = CostPerLead::compute(&[lead("a"), lead("b"), lead("c")], &spend,
    ///     &AnalyticsOptions::new(["lead", "customer"]))?;
    /// assert_eq!(report.channels[0].cost_per_lead.as_deref(), Some("33.33"));
    /// # Ok::<(), scrm_core::Error>(())
    /// ```
    pub fn compute(
        journeys: &[StageJourney],
        spend: &[Spend],
        options: &AnalyticsOptions,
    ) -> Result<CostPerLead> {
        let compiled = options.compile()?;
        check_journeys(journeys)?;
        let lines = read_spend(spend)?;
        let mut leads: HashMap<&str, u64> = HashMap::new();
        for j in journeys.iter().filter(|j| compiled.in_window(j.created_at)) {
            let is_lead = compiled.furthest(j).is_some_and(|f| f >= compiled.lead);
            if let (true, Some(channel)) = (is_lead, j.channel.as_deref()) {
                *leads.entry(channel).or_default() += 1;
            }
        }
        let mut channels = Vec::with_capacity(lines.len());
        let mut total: Option<(&'static str, u32, Decimal, u64)> = None;
        let mut mixed = false;
        for (channel, (currency, exponent, amount)) in &lines {
            let count = leads.get(channel.as_str()).copied().unwrap_or(0);
            channels.push(line(
                Some(channel.clone()),
                currency,
                *exponent,
                *amount,
                count,
            )?);
            total = match total {
                None if !mixed => Some((currency, *exponent, *amount, count)),
                Some((c, e, sum, n)) if c == *currency => {
                    let sum = sum.checked_add(*amount).ok_or_else(too_large)?;
                    Some((c, e, sum, n + count))
                }
                _ => {
                    mixed = true;
                    None
                }
            };
        }
        let total = match total {
            Some((currency, exponent, amount, count)) => {
                Some(line(None, currency, exponent, amount, count)?)
            }
            None => None,
        };
        let lead_stage = options
            .stages
            .get(compiled.lead)
            .cloned()
            .unwrap_or_default();
        Ok(CostPerLead {
            lead_stage,
            channels,
            total,
        })
    }
}

fn too_large() -> Error {
    Error::at(
        ErrorKind::Validation,
        "spend",
        "the total spend is too large to add up exactly (over 28 digits)",
    )
}

/// Spend summed per channel: (currency, its exponent, amount).
type Lines = BTreeMap<String, (&'static str, u32, Decimal)>;

fn read_spend(spend: &[Spend]) -> Result<Lines> {
    let mut lines: Lines = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, s) in spend.iter().enumerate() {
        let at = |field: &str| format!("spend[{i}].{field}");
        if s.channel.trim().is_empty() {
            problems.push(Problem::new(at("channel"), "channel must not be empty"));
            continue;
        }
        let (currency, exponent) = match currency(&s.currency, &at("currency")) {
            Ok(c) => c,
            Err(e) => {
                problems.extend(e.problems().iter().cloned());
                continue;
            }
        };
        let amount = match Decimal::from_str_exact(s.amount.trim()) {
            Ok(a) if a.is_sign_negative() && !a.is_zero() => Err("it is negative".to_owned()),
            Ok(a) if a.scale() > exponent => Err(format!(
                "{currency} has {exponent} decimal places, the amount has {}",
                a.scale()
            )),
            Ok(a) => Ok(a),
            Err(e) => Err(format!("it is not a decimal number ({e})")),
        };
        let amount = match amount {
            Ok(a) => a,
            Err(why) => {
                problems.push(Problem::new(
                    at("amount"),
                    format!("invalid amount {:?}: {why}", s.amount),
                ));
                continue;
            }
        };
        match lines.get_mut(&s.channel) {
            None => {
                lines.insert(s.channel.clone(), (currency, exponent, amount));
            }
            Some((c, _, sum)) if *c == currency => match sum.checked_add(amount) {
                Some(next) => *sum = next,
                None => problems.push(Problem::new(at("amount"), too_large().to_string())),
            },
            Some((c, _, _)) => problems.push(Problem::new(
                at("currency"),
                format!(
                    "channel {:?} already spends in {c}, found {currency}; give one currency per channel",
                    s.channel
                ),
            )),
        }
    }
    if problems.is_empty() {
        Ok(lines)
    } else {
        Err(Error::with_problems(ErrorKind::Validation, problems))
    }
}

fn line(
    channel: Option<String>,
    currency: &str,
    exponent: u32,
    amount: Decimal,
    leads: u64,
) -> Result<ChannelCost> {
    let mut spend = amount;
    spend.rescale(exponent);
    let cost_per_lead = if leads == 0 {
        None
    } else {
        // In minor units: amount · 10^exponent / leads, rounded half away from zero. The amount's
        // mantissa is below 2^96 and its scale at most the exponent, so this fits an i128.
        let mantissa = spend.mantissa();
        let leads = i128::from(leads);
        let (q, r) = (mantissa / leads, mantissa % leads);
        let units = if 2 * r.abs() >= leads {
            q + mantissa.signum()
        } else {
            q
        };
        let cost = Decimal::try_from_i128_with_scale(units, exponent).map_err(|_| too_large())?;
        Some(cost.to_string())
    };
    Ok(ChannelCost {
        channel,
        currency: currency.to_owned(),
        spend: spend.to_string(),
        leads,
        cost_per_lead,
    })
}

/// The code and minor-unit exponent of an ISO 4217 currency: billing's table, one for the library.
fn currency(code: &str, at: &str) -> Result<(&'static str, u32)> {
    crate::billing::Currency::from_code(code, at).map(|c| (c.code(), c.exponent()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StageEntry;
    use chrono::{DateTime, Utc};

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn journey(id: &str, channel: &str, stage: &str) -> StageJourney {
        let mut j = StageJourney::new(id, at("2026-03-01T00:00:00Z"));
        j.channel = Some(channel.into());
        j.stages.push(StageEntry {
            stage: stage.into(),
            at: at("2026-03-01T00:00:00Z"),
        });
        j
    }

    fn spend(channel: &str, amount: &str, currency: &str) -> Spend {
        Spend {
            channel: channel.into(),
            amount: amount.into(),
            currency: currency.into(),
        }
    }

    #[test]
    fn cost_per_lead_rounds_at_the_minor_unit() {
        let journeys = [
            journey("a", "douyin", "mql"),
            journey("b", "douyin", "visitor"),
            journey("c", "douyin", "lead"),
            journey("d", "baidu", "lead"),
            journey("e", "organic", "lead"),
        ];
        let mut options = AnalyticsOptions::new(["visitor", "lead", "mql"]);
        options.lead_stage = Some("lead".into());
        let report = CostPerLead::compute(
            &journeys,
            &[
                spend("douyin", "0.05", "CNY"),
                spend("baidu", "10", "CNY"),
                spend("douyin", "0", "CNY"),
                spend("tv", "99.99", "CNY"),
            ],
            &options,
        )
        .unwrap();
        let douyin = &report.channels[1];
        assert_eq!(douyin.channel.as_deref(), Some("douyin"));
        assert_eq!(douyin.leads, 2);
        // 0.05 / 2 = 0.025: half away from zero gives 0.03.
        assert_eq!(douyin.cost_per_lead.as_deref(), Some("0.03"));
        assert_eq!(douyin.spend, "0.05");
        assert_eq!(report.channels[0].spend, "10.00");
        assert_eq!(report.channels[2].cost_per_lead, None);
        let total = report.total.unwrap();
        assert_eq!((total.spend.as_str(), total.leads), ("110.04", 3));
        assert_eq!(total.cost_per_lead.as_deref(), Some("36.68"));
    }

    #[test]
    fn bad_spend_is_reported_in_full() {
        let err = CostPerLead::compute(
            &[],
            &[
                spend("a", "1.001", "CNY"),
                spend("b", "-1", "USD"),
                spend("c", "1", "XXX"),
                spend("d", "abc", "JPY"),
                spend("e", "1", "JPY"),
                spend("e", "1", "USD"),
            ],
            &AnalyticsOptions::new(["lead"]),
        )
        .unwrap_err();
        let paths: Vec<_> = err.problems().iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "spend[0].amount",
                "spend[1].amount",
                "spend[2].currency",
                "spend[3].amount",
                "spend[5].currency"
            ]
        );
    }

    #[test]
    fn mixed_currencies_have_no_total() {
        let report = CostPerLead::compute(
            &[journey("a", "x", "lead")],
            &[spend("x", "300", "JPY"), spend("y", "1", "USD")],
            &AnalyticsOptions::new(["lead"]),
        )
        .unwrap();
        assert_eq!(report.total, None);
        assert_eq!(report.channels[0].cost_per_lead.as_deref(), Some("300"));
    }
}
