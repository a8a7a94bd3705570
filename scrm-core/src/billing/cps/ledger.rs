//! The history of a CPS program, checked and indexed: sales once each, refunds by sale, payouts
//! by commission line.

use std::collections::{BTreeMap, HashMap};

use rust_decimal::Decimal;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::commission::CommissionPlan;
use super::referral;
use super::sale::{Payout, Refund, Sale, check_amount, check_text};
use crate::error::{Error, ErrorKind, Problem, Result};
use crate::playbook::{path_field, path_index};

/// Everything a CPS program has been told: sales with their journeys, refunds, payouts, and who
/// recruited whom. Pass the whole history each time; results depend only on it and the time
/// asked about, and records sent twice (same id, same content) count once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CpsHistory {
    /// Sales, each with the touches of its journey.
    #[serde(default)]
    pub sales: Vec<Sale>,
    /// Refunds of those sales.
    #[serde(default)]
    pub refunds: Vec<Refund>,
    /// Commission paid or recovered so far, per line.
    #[serde(default)]
    pub payouts: Vec<Payout>,
    /// Promoter → the promoter who recruited them (their upline, 上级), for two-level plans.
    #[serde(default)]
    pub referrers: BTreeMap<String, String>,
}

/// A commission line's identity: sale, touch index, level.
pub(crate) type LineKey<'a> = (&'a str, u32, u8);

/// A checked, indexed [`CpsHistory`].
pub(crate) struct Ledger<'a> {
    /// Each sale once, in the order first sent.
    pub(crate) sales: Vec<&'a Sale>,
    /// Refunds by sale id, each once, in time order (ties: the order sent).
    pub(crate) refunds: HashMap<&'a str, Vec<&'a Refund>>,
    /// Payouts by line, each once, in time order.
    pub(crate) payouts: HashMap<LineKey<'a>, Vec<&'a Payout>>,
    /// Who recruited whom: promoter → upline.
    pub(crate) uplines: HashMap<&'a str, &'a str>,
}

/// Keeps the first of each id; an id sent again with other content is a problem.
fn unique<'a, T: PartialEq>(
    items: &'a [T],
    id: impl Fn(&T) -> &str,
    what: &str,
    list: &str,
    out: &mut Vec<Problem>,
) -> Vec<(usize, &'a T)> {
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(items.len());
    let mut kept = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match first.get(id(item)) {
            None => {
                first.insert(id(item), i);
                kept.push((i, item));
            }
            Some(&j) => {
                if items.get(j) != Some(item) {
                    out.push(Problem::new(
                        path_field(&path_index(list, i), "id"),
                        format!(
                            "{what} {:?} was already sent as {list}[{j}] with other content; an \
                             id names one {what}",
                            id(item)
                        ),
                    ));
                }
            }
        }
    }
    kept
}

impl CpsHistory {
    /// Checks and indexes the history for `plan`.
    pub(crate) fn ledger(&self, plan: &CommissionPlan) -> Result<Ledger<'_>> {
        let mut out = Vec::new();
        let sales = unique(&self.sales, |s| &s.id, "sale", "sales", &mut out);
        for &(i, sale) in &sales {
            if sale.is_valid() && sale.currency == plan.currency() {
                continue;
            }
            let at = path_index("sales", i);
            sale.check(&at, &mut out);
            if sale.currency != plan.currency() {
                out.push(Problem::new(
                    path_field(&at, "currency"),
                    format!(
                        "sale in {} but the plan pays in {}; convert the sale first",
                        sale.currency,
                        plan.currency()
                    ),
                ));
            }
        }
        let by_id: HashMap<&str, &Sale> = sales.iter().map(|(_, s)| (s.id.as_str(), *s)).collect();
        let refunds = self.index_refunds(&by_id, &mut out);
        let payouts = self.index_payouts(plan, &by_id, &mut out);
        referral::check(&self.referrers, "referrers", &mut out);
        if !out.is_empty() {
            return Err(Error::with_problems(ErrorKind::Validation, out));
        }
        Ok(Ledger {
            sales: sales.into_iter().map(|(_, s)| s).collect(),
            refunds,
            payouts,
            uplines: self
                .referrers
                .iter()
                .map(|(p, u)| (p.as_str(), u.as_str()))
                .collect(),
        })
    }

    fn index_refunds<'a>(
        &'a self,
        sales: &HashMap<&str, &'a Sale>,
        out: &mut Vec<Problem>,
    ) -> HashMap<&'a str, Vec<&'a Refund>> {
        let mut by_sale: HashMap<&str, Vec<(usize, &Refund)>> = HashMap::new();
        for (i, refund) in unique(&self.refunds, |r| &r.id, "refund", "refunds", out) {
            let at = path_index("refunds", i);
            check_text(&refund.id, &path_field(&at, "id"), "the refund id", out);
            let Some(sale) = sales.get(refund.sale_id.as_str()) else {
                out.push(Problem::new(
                    path_field(&at, "sale_id"),
                    format!("no sale {:?} for this refund", refund.sale_id),
                ));
                continue;
            };
            check_amount(
                refund.amount,
                sale.currency,
                Some(true),
                &path_field(&at, "amount"),
                out,
            );
            if refund.at < sale.at {
                out.push(Problem::new(
                    path_field(&at, "at"),
                    format!(
                        "refund at {} is before its sale at {}",
                        refund.at.to_rfc3339(),
                        sale.at.to_rfc3339()
                    ),
                ));
                continue; // reported; kept out of the running total so it is not blamed twice
            }
            by_sale
                .entry(sale.id.as_str())
                .or_default()
                .push((i, refund));
        }
        let mut index = HashMap::with_capacity(by_sale.len());
        for (sale_id, mut list) in by_sale {
            list.sort_by_key(|(i, r)| (r.at, *i));
            let sale_amount = sales.get(sale_id).map_or(Decimal::ZERO, |s| s.amount);
            let mut total = Decimal::ZERO;
            for (i, r) in &list {
                total = total.checked_add(r.amount).unwrap_or(Decimal::MAX);
                if total > sale_amount {
                    out.push(Problem::new(
                        path_field(&path_index("refunds", *i), "amount"),
                        format!(
                            "refunds of sale {sale_id:?} reach {total}, more than the sale's \
                             {sale_amount}"
                        ),
                    ));
                    break;
                }
            }
            index.insert(sale_id, list.into_iter().map(|(_, r)| r).collect());
        }
        index
    }

    fn index_payouts<'a>(
        &'a self,
        plan: &CommissionPlan,
        sales: &HashMap<&str, &'a Sale>,
        out: &mut Vec<Problem>,
    ) -> HashMap<LineKey<'a>, Vec<&'a Payout>> {
        let mut index: HashMap<LineKey<'a>, Vec<(usize, &Payout)>> = HashMap::new();
        for (i, payout) in unique(&self.payouts, |p| &p.id, "payout", "payouts", out) {
            let at = path_index("payouts", i);
            check_text(&payout.id, &path_field(&at, "id"), "the payout id", out);
            let Some(sale) = sales.get(payout.sale_id.as_str()) else {
                out.push(Problem::new(
                    path_field(&at, "sale_id"),
                    format!("no sale {:?} for this payout", payout.sale_id),
                ));
                continue;
            };
            check_amount(
                payout.amount,
                sale.currency,
                None,
                &path_field(&at, "amount"),
                out,
            );
            if payout.at < sale.at {
                out.push(Problem::new(
                    path_field(&at, "at"),
                    "a payout cannot come before its sale",
                ));
            }
            match plan.earner(sale, payout.touch_index, payout.level, &self.referrers) {
                None => out.push(Problem::new(
                    &at,
                    format!(
                        "sale {:?} has no commission line for touch {} at level {}",
                        sale.id, payout.touch_index, payout.level
                    ),
                )),
                Some(earner) if earner != payout.promoter => out.push(Problem::new(
                    path_field(&at, "promoter"),
                    format!(
                        "the line of sale {:?}, touch {}, level {} pays {earner:?}, not {:?}",
                        sale.id, payout.touch_index, payout.level, payout.promoter
                    ),
                )),
                Some(_) => index
                    .entry((sale.id.as_str(), payout.touch_index, payout.level))
                    .or_default()
                    .push((i, payout)),
            }
        }
        index
            .into_iter()
            .map(|(key, mut list)| {
                list.sort_by_key(|(i, p)| (p.at, *i));
                (key, list.into_iter().map(|(_, p)| p).collect())
            })
            .collect()
    }
}
