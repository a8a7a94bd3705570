//! Identities, identity resolution, merge and decision chains. Customers, accounts and merge
//! policies cross as typed records (`resolve`, `merge`, `decisionChain`) or, as the escape hatch,
//! as JSON strings in the shapes of `docs/data-model.md` (`resolveJson`, ...).

use scrm_core::IdentityKind;

use crate::convert::{customer_in, customers_in, event_in};
use crate::model::{Account, Customer, Event, MergePolicy};
use crate::records::{DecisionChain, Identity, MergeResult};
use crate::{ScrmError, guarded, run};

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

/// The id each of `ids` lives under now, through the alias records (`merged_ids`) of a JSON list
/// of customers: the id of the customer it was merged into, following merges of merges; an id
/// never merged away comes back as it is.
///
/// Throws `ScrmException.Parse` when the text is not JSON and `ScrmException.Validation` for a bad
/// customer, or at `tenant_id` for customers of two tenants.
#[uniffi::export]
pub fn resolve_aliases_json(
    customers_json: String,
    ids: Vec<String>,
) -> Result<Vec<String>, ScrmError> {
    run(|| scrm_core::resolve_aliases_json(&customers_json, &ids))
}

/// The id each of `ids` lives under now, through the alias records (`mergedIds`) of `customers`.
/// The typed form of `resolveAliasesJson`.
///
/// Throws `ScrmException.Validation` for a bad customer, or at `tenant_id` for customers of two
/// tenants.
#[uniffi::export]
pub fn resolve_aliases(
    customers: Vec<Customer>,
    ids: Vec<String>,
) -> Result<Vec<String>, ScrmError> {
    guarded(|| {
        let list = customers_in(&customers)?;
        Ok(scrm_core::Aliases::from_customers(&list)?.resolve_ids(&ids))
    })
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

/// Resolves identities over customers: the clusters of customer ids that are one person, each
/// sorted. The typed form of `resolveJson`.
///
/// Throws `ScrmException.Validation` with a problem per bad field
/// (`customers[2].identities[0].value`).
#[uniffi::export]
pub fn resolve(customers: Vec<Customer>) -> Result<Vec<Vec<String>>, ScrmError> {
    guarded(|| {
        let list = customers_in(&customers)?;
        let resolution = scrm_core::resolve(&list);
        Ok(resolution
            .clusters()
            .map(|cluster| {
                let mut ids: Vec<String> = cluster
                    .iter()
                    .filter_map(|&i| list.get(i).map(|c| c.id.to_string()))
                    .collect();
                ids.sort();
                ids
            })
            .collect())
    })
}

/// Merges the profiles of one person under `policy` (null: the default policy, every attribute
/// `NEWEST_NON_EMPTY`). The typed form of `mergeJson`, which also says which ids were absorbed.
/// The oldest profile survives; the others' ids go to its `mergedIds`.
///
/// Throws `ScrmException.Validation` at the field at fault, and at `tenant_id` for customers of
/// two tenants.
#[uniffi::export(default(policy = None))]
pub fn merge(
    customers: Vec<Customer>,
    policy: Option<MergePolicy>,
) -> Result<MergeResult, ScrmError> {
    guarded(|| {
        let list = customers_in(&customers)?;
        let policy = policy
            .as_ref()
            .map(scrm_core::MergePolicy::from)
            .unwrap_or_default();
        Ok(MergeResult::from(scrm_core::merge(&list, &policy)?))
    })
}

/// The decision chain of a B2B account: the typed form of `decisionChainJson`.
///
/// Throws `ScrmException.Validation` at the field at fault (`contacts[0].reports_to` naming no
/// contact, `contacts` for a reporting line that loops).
#[uniffi::export]
pub fn decision_chain(account: Account) -> Result<DecisionChain, ScrmError> {
    guarded(|| {
        let account = scrm_core::Account::from(&account);
        account.check()?;
        Ok(DecisionChain::from(account.decision_chain()))
    })
}

/// Reads a customer from JSON (shape of `docs/data-model.md`), checked as every JSON call checks
/// it: for hosts that store customers as JSON and work with the typed API.
///
/// Throws `ScrmException.Parse` when the text is not a customer and `ScrmException.Validation`
/// at the field at fault (`identities[0].value`).
#[uniffi::export]
pub fn customer_from_json(json: String) -> Result<Customer, ScrmError> {
    run(|| scrm_core::Customer::from_json(&json)).map(Customer::from)
}

/// The customer as JSON in the shape of `docs/data-model.md`, the text every `...Json` call
/// reads. Throws `ScrmException.Validation` at the field at fault.
#[uniffi::export]
pub fn customer_to_json(customer: Customer) -> Result<String, ScrmError> {
    guarded(|| customer_in(&customer, "").map(|c| c.to_json()))
}

/// Reads an event from JSON (shape of `docs/data-model.md`). Throws `ScrmException.Parse` when
/// the text is not an event and `ScrmException.Validation` for an empty id, customer id or type.
#[uniffi::export]
pub fn event_from_json(json: String) -> Result<Event, ScrmError> {
    run(|| scrm_core::Event::from_json(&json)).map(Event::from)
}

/// The event as JSON in the shape of `docs/data-model.md`. Throws `ScrmException.Validation` at
/// the field at fault (`platform`, `properties_json`).
#[uniffi::export]
pub fn event_to_json(event: Event) -> Result<String, ScrmError> {
    guarded(|| event_in(&event, "").map(|e| e.to_json()))
}
