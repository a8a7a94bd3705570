//! Identities, identity resolution and merge. Customers and merge policies cross as JSON strings in
//! the shapes of `docs/data-model.md` for now.

use scrm_core::IdentityKind;

use crate::records::{DecisionChain, Identity};
use crate::{ScrmError, run};

/// Normalises one identity: phones to E.164 (default region CN), emails trimmed and lower-cased,
/// other ids trimmed. `kind` is a snake_case kind name ("phone", "email", "wechat_unionid",
/// "wechat_openid", "douyin_openid", "wecom_external_userid"); `scope` is the corp or app id the
/// scoped kinds need. For "custom" identities use `customIdentity`.
///
/// Throws `ScrmException.Validation` at `kind` (unknown kind), `value` (empty or invalid phone
/// or email) or `scope` (a scoped kind without one).
#[uniffi::export(default(scope = None))]
pub fn normalize_identity(
    kind: String,
    value: String,
    scope: Option<String>,
) -> Result<Identity, ScrmError> {
    run(|| {
        IdentityKind::from_name(&kind)
            .and_then(|k| scrm_core::Identity::new(k, &value, scope.as_deref()))
    })
    .map(Identity::from)
}

/// An identity in the host's own `namespace` (kind "custom"); `strong` ids merge the profiles that
/// share them. Throws `ScrmException.Validation` at `namespace` or `value` when either is empty.
#[uniffi::export]
pub fn custom_identity(
    namespace: String,
    value: String,
    strong: bool,
) -> Result<Identity, ScrmError> {
    run(|| scrm_core::Identity::custom(&namespace, &value, strong)).map(Identity::from)
}

/// Resolves identities over a JSON list of customers (shape of `docs/data-model.md`): the clusters
/// of customer ids that are one person, each sorted.
///
/// Throws `ScrmException.Parse` when the text is not JSON and `ScrmException.Validation` with a
/// problem per bad field (`customers[2].identities[0].value`).
#[uniffi::export]
pub fn resolve_json(customers_json: String) -> Result<Vec<Vec<String>>, ScrmError> {
    run(|| scrm_core::resolve_json(&customers_json))
}

/// Merges a JSON list of customers (one person; shape of `docs/data-model.md`) under a JSON merge
/// policy (null: the default policy) and returns the merged customer as JSON. The oldest profile
/// survives; the others' ids go to its `merged_ids`.
///
/// Throws `ScrmException.Parse` or `ScrmException.Validation` for bad input, and
/// `ScrmException.Validation` at `tenant_id` for customers of two tenants.
#[uniffi::export(default(policy_json = None))]
pub fn merge_json(
    customers_json: String,
    policy_json: Option<String>,
) -> Result<String, ScrmError> {
    run(|| scrm_core::merge_json(&customers_json, policy_json.as_deref()))
}

/// The decision chain of a JSON B2B account (shape of `docs/data-model.md`): its decision makers,
/// influencers, champions, gatekeepers, and the gaps the sales team still needs to fill.
///
/// Throws `ScrmException.Parse` when the text is not JSON and `ScrmException.Validation` at the
/// field at fault (`contacts[0].reports_to` naming no contact, `contacts` for a reporting line
/// that loops).
#[uniffi::export]
pub fn decision_chain_json(account_json: String) -> Result<DecisionChain, ScrmError> {
    run(|| scrm_core::decision_chain_json(&account_json)).map(DecisionChain::from)
}
