//! `scrm.Identity`, `scrm.normalize_identity`, `scrm.resolve` and `scrm.merge`.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use scrm_core::IdentityKind;

use crate::convert::to_json;
use crate::run;

/// One identity of a customer in normal form: phones in E.164, emails lower-cased, ids trimmed.
///
/// Build one with `normalize_identity` or `Identity.custom`; two identities are equal when they
/// name the same id.
#[pyclass(module = "scrm", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    inner: scrm_core::Identity,
}

#[pymethods]
impl Identity {
    /// An id in a namespace of your own (e.g. an ERP member number). `strong` ids merge the
    /// profiles that share them. Raises `ValidationError` when the namespace or value is empty.
    #[staticmethod]
    #[pyo3(signature = (namespace, value, strong = false))]
    fn custom(py: Python<'_>, namespace: &str, value: &str, strong: bool) -> PyResult<Identity> {
        run(py, || scrm_core::Identity::custom(namespace, value, strong))
            .map(|inner| Identity { inner })
    }

    /// The kind: "phone", "email", "wechat_unionid", "wechat_openid", "wecom_external_userid",
    /// "douyin_openid" or "custom".
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind.as_str()
    }

    /// The normalised value, e.g. "+8613800138000".
    #[getter]
    fn value(&self) -> &str {
        &self.inner.value
    }

    /// Where the id is unique (the corp id of an external_userid, the app id of an openid), or None.
    #[getter]
    fn scope(&self) -> Option<&str> {
        self.inner.scope.as_deref()
    }

    /// The namespace of a custom identity, or None.
    #[getter]
    fn namespace(&self) -> Option<&str> {
        self.inner.namespace.as_deref()
    }

    /// The `strong` flag of a custom identity (always False for the other kinds; see `is_strong`).
    #[getter]
    fn strong(&self) -> bool {
        self.inner.strong
    }

    /// Whether sharing this identity proves two profiles are one person: unionid, phone, email,
    /// external_userid within its corp, and custom ids marked strong.
    #[getter]
    fn is_strong(&self) -> bool {
        self.inner.is_strong()
    }

    /// The identity as a dict in the JSON shape of a customer's `identities` entries.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kind", self.inner.kind.as_str())?;
        if let Some(namespace) = &self.inner.namespace {
            d.set_item("namespace", namespace)?;
        }
        if let Some(scope) = &self.inner.scope {
            d.set_item("scope", scope)?;
        }
        d.set_item("value", &self.inner.value)?;
        if self.inner.strong {
            d.set_item("strong", true)?;
        }
        Ok(d)
    }

    fn __str__(&self) -> String {
        self.inner.to_string()
    }

    fn __repr__(&self) -> String {
        let mut fields = format!(
            "kind={:?}, value={:?}",
            self.inner.kind.as_str(),
            self.inner.value
        );
        if let Some(scope) = &self.inner.scope {
            fields.push_str(&format!(", scope={scope:?}"));
        }
        if let Some(namespace) = &self.inner.namespace {
            fields.push_str(&format!(", namespace={namespace:?}"));
        }
        if self.inner.strong {
            fields.push_str(", strong=True");
        }
        format!("Identity({fields})")
    }
}

/// Normalises an identity: `normalize_identity("phone", "138 0013 8000")` is the phone
/// "+8613800138000" (default region CN); emails are trimmed and lower-cased, other ids trimmed.
///
/// `scope` is required for "wecom_external_userid" (the corp id) and the openids (the app id).
/// Raises `ValidationError` at "kind", "value" or "scope" naming what is wrong.
#[pyfunction]
#[pyo3(signature = (kind, value, scope = None))]
pub fn normalize_identity(
    py: Python<'_>,
    kind: &str,
    value: &str,
    scope: Option<&str>,
) -> PyResult<Identity> {
    run(py, || {
        IdentityKind::from_name(kind).and_then(|k| scrm_core::Identity::new(k, value, scope))
    })
    .map(|inner| Identity { inner })
}

/// Groups customers into people: the lists of customer ids that are one person, each sorted.
///
/// `customers` is a list of customer dicts (see docs/data-model.md); identities must already be
/// in normal form. Raises `ValidationError` with every problem at its path, e.g.
/// `customers[2].identities[0].value`.
#[pyfunction]
pub fn resolve(customers: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<String>>> {
    let py = customers.py();
    let text = to_json(customers, "customers")?;
    run(py, || scrm_core::resolve_json(&text))
}

/// The id each of `ids` lives under now, through the alias records (`merged_ids`) of
/// `customers`: the id of the customer it was merged into, following merges of merges; an id
/// never merged away comes back as it is.
///
/// Raises `ValidationError` for bad customers, or customers of different tenants.
#[pyfunction]
pub fn resolve_aliases(customers: &Bound<'_, PyAny>, ids: Vec<String>) -> PyResult<Vec<String>> {
    let py = customers.py();
    let text = to_json(customers, "customers")?;
    run(py, || scrm_core::resolve_aliases_json(&text, &ids))
}

/// Merges the profiles of one person into one customer dict: the oldest survives, the others'
/// ids become aliases, and each field follows `policy` (a merge-policy dict; None: the default).
///
/// Raises `ValidationError` for bad customers or policy, or profiles of different tenants.
#[pyfunction]
#[pyo3(signature = (customers, policy = None))]
pub fn merge<'py>(
    customers: &Bound<'py, PyAny>,
    policy: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let py = customers.py();
    let customers = to_json(customers, "customers")?;
    let policy = match policy {
        Some(p) if !p.is_none() => Some(to_json(p, "policy")?),
        _ => None,
    };
    crate::documents::call(py, || scrm_core::merge_json(&customers, policy.as_deref()))
}
