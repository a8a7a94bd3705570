//! Accounts (client companies) and their decision chain.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::{json_text, run};

/// Who decides, who influences, and what is missing in an account's buying decision.
#[napi(object)]
pub struct DecisionChain {
    /// Contacts (customer ids) with the decision-maker role, top of the reporting line first.
    pub decision_makers: Vec<String>,
    /// Contacts who influence a decision maker: by role, by reporting to one, or through the
    /// influence map.
    pub influencers: Vec<String>,
    /// Champions (内部支持者).
    pub champions: Vec<String>,
    /// Gatekeepers (把关人).
    pub gatekeepers: Vec<String>,
    /// What the sales team still needs to find, e.g. "no decision maker known".
    pub gaps: Vec<String>,
}

impl From<scrm_core::DecisionChain> for DecisionChain {
    fn from(c: scrm_core::DecisionChain) -> DecisionChain {
        DecisionChain {
            decision_makers: c.decision_makers,
            influencers: c.influencers,
            champions: c.champions,
            gatekeepers: c.gatekeepers,
            gaps: c.gaps,
        }
    }
}

/// The decision chain (决策链) of an account, e.g.
/// `{ tenant_id: 't', id: 'acc', name: '华东餐饮集团', contacts: [{ customer_id: 'ceo', roles: ['decision_maker'] }] }`:
/// its decision makers, influencers, champions and gatekeepers, and the gaps still to fill.
///
/// @throws {ScrmError} `code` "validation" naming each bad field (`contacts[0].reports_to` for a
/// manager who is not a contact, `contacts` for a reporting line that loops); "parse" for a value
/// that has no JSON form.
#[napi(ts_args_type = "account: AccountJson")]
pub fn decision_chain(env: Env, account: Unknown<'_>) -> Result<DecisionChain> {
    let account = json_text(&env, account, "account")?;
    run(&env, || scrm_core::decision_chain_json(&account)).map(DecisionChain::from)
}
