//! Identities, identity resolution and merging customers.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use scrm_core::IdentityKind;

use crate::{json_text, json_value, run};

/// One identity of a customer, normalised, in the JSON shape of `docs/data-model.md`: it can go
/// straight into a customer's `identities`.
#[napi(object)]
pub struct Identity {
    /// The kind: "phone", "email", "wechat_unionid", "wechat_openid", "wecom_external_userid",
    /// "douyin_openid" or "custom".
    #[napi(ts_type = "IdentityKind")]
    pub kind: String,
    /// The normalised value: phones in E.164 (`+8613800138000`), emails trimmed and lower-cased,
    /// other ids trimmed.
    pub value: String,
    /// Where the id is unique: the corp id of a `wecom_external_userid`, the app id of an openid.
    pub scope: Option<String>,
    /// For `custom` identities: the host's namespace (e.g. `erp_member_no`).
    pub namespace: Option<String>,
    /// For `custom` identities: whether sharing the id proves two profiles are one person. The
    /// built-in kinds have a fixed strength (phone, email, unionid and external_userid are strong,
    /// openids weak) and always carry `false` here.
    pub strong: bool,
}

impl From<scrm_core::Identity> for Identity {
    fn from(i: scrm_core::Identity) -> Identity {
        Identity {
            kind: i.kind.as_str().to_owned(),
            value: i.value,
            scope: i.scope,
            namespace: i.namespace,
            strong: i.strong,
        }
    }
}

/// Normalises an identity: `normalizeIdentity('phone', '138 0013 8000')` gives
/// `{ kind: 'phone', value: '+8613800138000', strong: false }`. Phones default to region CN.
/// `wechat_openid`, `douyin_openid` and `wecom_external_userid` need the `scope` (app or corp id).
///
/// @throws {ScrmError} `code` "validation" with the problem at `kind` (an unknown kind, or
/// "custom", whose identities are written as JSON with their namespace), `value` (empty, not a
/// phone number or not an email address) or `scope` (missing where needed).
#[napi]
pub fn normalize_identity(
    env: Env,
    #[napi(ts_arg_type = "IdentityKind")] kind: String,
    value: String,
    scope: Option<String>,
) -> Result<Identity> {
    run(&env, || {
        IdentityKind::from_name(&kind)
            .and_then(|k| scrm_core::Identity::new(k, &value, scope.as_deref()))
    })
    .map(Identity::from)
}

/// Resolves identities over customers (in the JSON shape of `docs/data-model.md`): the clusters
/// of customer ids that are one person, each sorted. Strong identities (phone, email, unionid,
/// external_userid within its corp, custom ids marked strong) join profiles; weak ones (openids)
/// only join a profile already anchored by a strong one. Customers of different tenants never
/// join.
///
/// @throws {ScrmError} `code` "validation" naming each bad field, e.g.
/// `customers[0].identities[0].value` for a phone not in E.164; "parse" for a value that has no
/// JSON form (a cycle).
#[napi(ts_args_type = "customers: Array<CustomerJson>")]
pub fn resolve(env: Env, customers: Unknown<'_>) -> Result<Vec<Vec<String>>> {
    let text = json_text(&env, customers, "customers")?;
    run(&env, || scrm_core::resolve_json(&text))
}

/// The id each of `ids` lives under now, through the alias records (`merged_ids`) of
/// `customers`: the id of the customer it was merged into, following merges of merges; an id
/// never merged away comes back as it is.
///
/// @throws {ScrmError} `code` "validation" naming each bad field (`customers[0].created_at`, and
/// `tenant_id` for customers of different tenants); "parse" for a value that has no JSON form.
#[napi(ts_args_type = "customers: Array<CustomerJson>, ids: Array<string>")]
pub fn resolve_aliases(env: Env, customers: Unknown<'_>, ids: Vec<String>) -> Result<Vec<String>> {
    let text = json_text(&env, customers, "customers")?;
    run(&env, || scrm_core::resolve_aliases_json(&text, &ids))
}

/// Merges the profiles of one person into one customer (the oldest profile survives; the others'
/// ids go to `merged_ids`) under a merge policy such as
/// `{ default: 'newest_non_empty', attributes: { orders: 'sum' }, stage_order: ['lead', 'mql'] }`
/// (every field optional; none: the defaults).
///
/// @throws {ScrmError} `code` "validation" naming each bad field (`customers[1].created_at`,
/// `policy`, `tenant_id` for profiles of different tenants); "parse" for a value that has no JSON
/// form.
#[napi(
    ts_args_type = "customers: Array<CustomerJson>, policy?: MergePolicyJson | undefined | null",
    ts_return_type = "CustomerJson"
)]
pub fn merge(
    env: Env,
    customers: Unknown<'_>,
    policy: Option<Unknown<'_>>,
) -> Result<serde_json::Value> {
    let customers = json_text(&env, customers, "customers")?;
    let policy = policy.map(|p| json_text(&env, p, "policy")).transpose()?;
    let merged = run(&env, || {
        scrm_core::merge_json(&customers, policy.as_deref())
    })?;
    json_value(&env, &merged)
}
