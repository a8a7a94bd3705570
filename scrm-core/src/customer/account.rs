//! B2B accounts (客户公司): contacts with roles and reports-to edges, the power map and influence
//! map of a client company (权力版图 / 影响力版图), and its decision chain (决策链).

use std::collections::{BTreeMap, BTreeSet};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Problem, Result};

/// The role a contact plays in the account's buying decision.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    /// Signs off the purchase (拍板人).
    DecisionMaker,
    /// Sways the decision without making it (影响者).
    Influencer,
    /// Argues for us inside the account (内部支持者).
    Champion,
    /// Uses the product day to day.
    User,
    /// Controls access to the decision makers (把关人).
    Gatekeeper,
}

/// A contact of an account: a customer id with roles and the contact they report to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// The customer id of the contact.
    pub customer_id: String,
    /// Job title, free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Roles in the buying decision (a person may hold several).
    #[serde(default)]
    pub roles: BTreeSet<ContactRole>,
    /// The customer id of the contact's manager, if known (the power map).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reports_to: Option<String>,
    /// Customer ids of contacts this one sways, beyond the reporting line (the influence map).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub influences: BTreeSet<String>,
}

/// A client company with its contacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The tenant.
    pub tenant_id: String,
    /// The account id.
    pub id: String,
    /// The company name.
    pub name: String,
    /// The contacts.
    #[serde(default)]
    pub contacts: Vec<Contact>,
}

/// Who decides, who influences, and what is missing in an account's buying decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionChain {
    /// Contacts with the decision-maker role, top of the reporting line first.
    pub decision_makers: Vec<String>,
    /// Contacts who influence a decision maker: by role, by reporting to one, or through the
    /// influence map.
    pub influencers: Vec<String>,
    /// Champions.
    pub champions: Vec<String>,
    /// Gatekeepers.
    pub gatekeepers: Vec<String>,
    /// What the sales team still needs to find, e.g. "no decision maker known".
    pub gaps: Vec<String>,
}

impl Account {
    /// Checks the account: contacts unique, reports-to and influence edges pointing at contacts
    /// of this account, and no reporting cycle.
    pub fn check(&self) -> Result<()> {
        let mut problems = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, c) in self.contacts.iter().enumerate() {
            if !seen.insert(c.customer_id.as_str()) {
                problems.push(Problem::new(
                    format!("contacts[{i}].customer_id"),
                    format!("duplicate contact {:?}", c.customer_id),
                ));
            }
        }
        for (i, c) in self.contacts.iter().enumerate() {
            if let Some(boss) = &c.reports_to {
                if !seen.contains(boss.as_str()) {
                    problems.push(Problem::new(
                        format!("contacts[{i}].reports_to"),
                        format!("{boss:?} is not a contact of this account"),
                    ));
                } else if boss == &c.customer_id {
                    problems.push(Problem::new(
                        format!("contacts[{i}].reports_to"),
                        format!("{boss:?} cannot report to themself"),
                    ));
                }
            }
            for target in &c.influences {
                if !seen.contains(target.as_str()) {
                    problems.push(Problem::new(
                        format!("contacts[{i}].influences"),
                        format!("{target:?} is not a contact of this account"),
                    ));
                }
            }
        }
        if problems.is_empty() {
            if let Some(id) = self.reporting_cycle() {
                problems.push(Problem::new(
                    "contacts",
                    format!("the reporting line of {id:?} loops back on itself"),
                ));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::with_problems(ErrorKind::Validation, problems))
        }
    }

    fn manager_of(&self) -> BTreeMap<&str, &str> {
        self.contacts
            .iter()
            .filter_map(|c| c.reports_to.as_deref().map(|b| (c.customer_id.as_str(), b)))
            .collect()
    }

    fn reporting_cycle(&self) -> Option<&str> {
        let managers = self.manager_of();
        for c in &self.contacts {
            let mut at = c.customer_id.as_str();
            for _ in 0..=self.contacts.len() {
                match managers.get(at) {
                    Some(&next) => at = next,
                    None => break,
                }
            }
            if managers.contains_key(at) {
                return Some(c.customer_id.as_str());
            }
        }
        None
    }

    /// How many levels below the top of the reporting line a contact sits (0 = reports to nobody).
    fn depth(&self, id: &str) -> usize {
        let managers = self.manager_of();
        let mut depth = 0;
        let mut at = id;
        while let Some(&next) = managers.get(at) {
            depth += 1;
            at = next;
            if depth > self.contacts.len() {
                break; // a cycle; `check` reports it
            }
        }
        depth
    }

    /// The decision chain: who decides, who influences them, champions, gatekeepers, and the gaps
    /// a sales team should close (no decision maker known, no champion, a decision maker nobody
    /// influences).
    pub fn decision_chain(&self) -> DecisionChain {
        let with_role = |role| -> Vec<String> {
            let mut ids: Vec<&Contact> = self
                .contacts
                .iter()
                .filter(|c| c.roles.contains(&role))
                .collect();
            ids.sort_by(|a, b| {
                self.depth(&a.customer_id)
                    .cmp(&self.depth(&b.customer_id))
                    .then(a.customer_id.cmp(&b.customer_id))
            });
            ids.into_iter().map(|c| c.customer_id.clone()).collect()
        };
        let decision_makers = with_role(ContactRole::DecisionMaker);
        let deciders: BTreeSet<&str> = decision_makers.iter().map(String::as_str).collect();
        let mut influencers: BTreeSet<String> =
            with_role(ContactRole::Influencer).into_iter().collect();
        for c in &self.contacts {
            if deciders.contains(c.customer_id.as_str()) {
                continue;
            }
            let reports_to_decider = c
                .reports_to
                .as_deref()
                .is_some_and(|b| deciders.contains(b));
            let sways_decider = c.influences.iter().any(|t| deciders.contains(t.as_str()));
            if reports_to_decider || sways_decider {
                influencers.insert(c.customer_id.clone());
            }
        }
        let champions = with_role(ContactRole::Champion);
        let gatekeepers = with_role(ContactRole::Gatekeeper);
        let mut gaps = Vec::new();
        if decision_makers.is_empty() {
            gaps.push("no decision maker known".to_owned());
        }
        if champions.is_empty() {
            gaps.push("no champion known".to_owned());
        }
        for d in &decision_makers {
            let influenced = self.contacts.iter().any(|c| {
                &c.customer_id != d
                    && (c.reports_to.as_deref() == Some(d) || c.influences.contains(d))
            });
            if !influenced {
                gaps.push(format!("nobody known who influences decision maker {d:?}"));
            }
        }
        DecisionChain {
            decision_makers,
            influencers: influencers.into_iter().collect(),
            champions,
            gatekeepers,
            gaps,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(id: &str, roles: &[ContactRole], reports_to: Option<&str>) -> Contact {
        Contact {
            customer_id: id.into(),
            title: None,
            roles: roles.iter().copied().collect(),
            reports_to: reports_to.map(Into::into),
            influences: BTreeSet::new(),
        }
    }

    fn account(contacts: Vec<Contact>) -> Account {
        Account {
            tenant_id: "t".into(),
            id: "acc".into(),
            name: "华东餐饮集团".into(),
            contacts,
        }
    }

    #[test]
    fn an_account_without_a_decision_maker_says_so() {
        let a = account(vec![contact("u1", &[ContactRole::User], None)]);
        let chain = a.decision_chain();
        assert!(chain.decision_makers.is_empty());
        assert_eq!(chain.gaps, ["no decision maker known", "no champion known"]);
    }

    #[test]
    fn reports_and_influence_edges_make_influencers() {
        let mut cfo = contact("cfo", &[ContactRole::DecisionMaker], Some("ceo"));
        cfo.title = Some("财务总监".into());
        let mut assistant = contact("assistant", &[ContactRole::Gatekeeper], None);
        assistant.influences.insert("ceo".into());
        let a = account(vec![
            contact("ceo", &[ContactRole::DecisionMaker], None),
            cfo,
            contact("buyer", &[ContactRole::Champion], Some("cfo")),
            assistant,
        ]);
        a.check().unwrap();
        let chain = a.decision_chain();
        assert_eq!(
            chain.decision_makers,
            ["ceo", "cfo"],
            "top of the reporting line first"
        );
        assert_eq!(chain.influencers, ["assistant", "buyer"]);
        assert_eq!(chain.champions, ["buyer"]);
        assert!(chain.gaps.is_empty(), "{:?}", chain.gaps);
    }

    #[test]
    fn broken_edges_and_cycles_are_refused() {
        let a = account(vec![
            contact("a", &[], Some("b")),
            contact("b", &[], Some("a")),
        ]);
        assert!(a.check().unwrap_err().to_string().contains("loops back"));
        let a = account(vec![contact("a", &[], Some("zz")), contact("a", &[], None)]);
        let paths: Vec<String> = a
            .check()
            .unwrap_err()
            .problems()
            .iter()
            .map(|p| p.path.clone())
            .collect();
        assert_eq!(paths, ["contacts[1].customer_id", "contacts[0].reports_to"]);
    }
}
