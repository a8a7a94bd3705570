//! `scrm.Tagger` and `scrm.TagChange`.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyTuple};

use crate::convert::{from_json, list_to_json, to_json, utc_text};
use crate::playbook::Playbook;
use crate::run;

/// The auto-tag rules of a playbook, compiled once (tags interned, keywords in one automaton).
///
/// A tagger is immutable and may be shared between threads; each call releases the GIL.
#[pyclass(module = "scrm", frozen)]
pub struct Tagger {
    inner: scrm_core::Tagger,
    tenant_id: String,
}

#[pymethods]
impl Tagger {
    /// Compiles the tagging rules of `playbook`. Raises `ValidationError` if they do not compile.
    #[new]
    fn new(py: Python<'_>, playbook: &Bound<'_, Playbook>) -> PyResult<Tagger> {
        let playbook = playbook.get();
        let inner = run(py, || scrm_core::Tagger::new(&playbook.inner))?;
        Ok(Tagger {
            inner,
            tenant_id: playbook.inner.tenant_id().to_owned(),
        })
    }

    /// Runs the auto-tag rules on one event of one customer.
    ///
    /// `customer` and `event` are dicts in the JSON shapes of docs/data-model.md; `history` is the
    /// customer's earlier events (behaviour rules count them), None for none. Returns the customer
    /// as changed (a new dict; the argument is not modified) and the changes made, each with its
    /// reason. Replaying an event changes nothing.
    ///
    /// Raises `ValidationError` at its path for a bad customer or event, or an event of another
    /// customer or tenant.
    #[pyo3(signature = (customer, event, history = None))]
    fn on_event<'py>(
        &self,
        customer: &Bound<'py, PyAny>,
        event: &Bound<'py, PyAny>,
        history: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let py = customer.py();
        let customer = to_json(customer, "customer")?;
        let event = to_json(event, "event")?;
        let history = list_to_json(history, "history")?;
        changed(
            py,
            run(py, || {
                scrm_core::tag_event_json(&self.inner, &customer, &event, &history).map(as_json)
            })?,
        )
    }

    /// Applies `tag` (an id or display name) by hand at `at`, an aware `datetime` (a naive one
    /// raises `ValueError`); the change's provenance is `{"kind": "manual"}`.
    ///
    /// Returns the customer as changed (a new dict) and the changes, as `on_event` does; tagging
    /// into an exclusive group replaces the sibling tag. Raises `ValidationError` at `tag` for an
    /// unknown tag; at its path for a bad customer, one of another tenant, or one at the tag limit.
    fn tag<'py>(
        &self,
        customer: &Bound<'py, PyAny>,
        tag: &str,
        at: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let py = customer.py();
        let at = utc_text(at, "at")?;
        let customer = to_json(customer, "customer")?;
        changed(
            py,
            run(py, || {
                let at = scrm_core::parse_time(&at, "at")?;
                scrm_core::tag_json(&self.inner, &customer, tag, at).map(as_json)
            })?,
        )
    }

    /// Takes `tag` (an id or display name) off by hand; taking off a tag the customer does not
    /// carry changes nothing.
    ///
    /// Returns the customer as changed and the changes. Raises `ValidationError` at `tag` for an
    /// unknown tag, at its path for a bad customer.
    fn untag<'py>(&self, customer: &Bound<'py, PyAny>, tag: &str) -> PyResult<Bound<'py, PyTuple>> {
        let py = customer.py();
        let customer = to_json(customer, "customer")?;
        changed(
            py,
            run(py, || {
                scrm_core::untag_json(&self.inner, &customer, tag).map(as_json)
            })?,
        )
    }

    /// Takes off the tags whose expiry has passed at `now`, an aware `datetime`.
    ///
    /// Returns the customer as changed and the changes. Raises `ValidationError` at its path for
    /// a bad customer; a naive `now` raises `ValueError`.
    fn expire<'py>(
        &self,
        customer: &Bound<'py, PyAny>,
        now: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let py = customer.py();
        let now = utc_text(now, "now")?;
        let customer = to_json(customer, "customer")?;
        changed(
            py,
            run(py, || {
                let now = scrm_core::parse_time(&now, "now")?;
                scrm_core::expire_json(&self.inner, &customer, now).map(as_json)
            })?,
        )
    }

    /// Applies the pre-tags waiting for the customer's identities.
    ///
    /// `pre_tags` is a list of dicts `{"identity": {...}, "tag": "...", "at": "<RFC 3339>"}`: a
    /// tag attached to a phone, unionid or other identity before the customer existed. Those
    /// whose identity the customer carries are applied. Returns the customer as changed and the
    /// changes. Raises `ValidationError` at its path (`pre_tags[0].tag`) for bad input.
    fn apply_pre_tags<'py>(
        &self,
        customer: &Bound<'py, PyAny>,
        pre_tags: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyTuple>> {
        let py = customer.py();
        let customer = to_json(customer, "customer")?;
        let pre_tags = to_json(pre_tags, "pre_tags")?;
        changed(
            py,
            run(py, || {
                scrm_core::pre_tags_json(&self.inner, &customer, &pre_tags).map(as_json)
            })?,
        )
    }

    fn __repr__(&self) -> String {
        format!("Tagger(tenant_id={:?})", self.tenant_id)
    }
}

/// The changes of a tagging call as the core's JSON, so they cross with the core's names.
fn as_json((customer, changes): (String, Vec<scrm_core::TagChange>)) -> (String, String) {
    (customer, scrm_core::changes_json(&changes))
}

/// The `(customer, changes)` tuple every tagging method returns.
fn changed<'py>(
    py: Python<'py>,
    (customer, changes): (String, String),
) -> PyResult<Bound<'py, PyTuple>> {
    let changes = TagChange::list_from_json(py, &changes)?;
    PyTuple::new(
        py,
        [
            crate::documents::document(py, &customer)?,
            changes.into_any(),
        ],
    )
}

/// What one tagging call did to one tag of a customer, and why.
#[pyclass(module = "scrm", frozen)]
pub struct TagChange {
    tag_id: String,
    action: String,
    provenance: Py<PyDict>,
    reason: String,
}

impl TagChange {
    /// Builds the changes from the core's JSON list of changes, so names stay the core's.
    fn list_from_json<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyList>> {
        let list = from_json(py, text)?;
        let mut out = Vec::new();
        for item in list.try_iter()? {
            let item = item?;
            let field = |name: &str| item.get_item(name);
            out.push(TagChange {
                tag_id: field("tag_id")?.extract()?,
                action: field("action")?.extract()?,
                provenance: field("provenance")?.cast_into::<PyDict>()?.unbind(),
                reason: field("reason")?.extract()?,
            });
        }
        PyList::new(py, out)
    }
}

#[pymethods]
impl TagChange {
    /// The tag id.
    #[getter]
    fn tag_id(&self) -> &str {
        &self.tag_id
    }

    /// "added", "removed" or "refreshed" (already on; its expiry moved later).
    #[getter]
    fn action(&self) -> &str {
        &self.action
    }

    /// Who or what made the change, e.g. {"kind": "keyword", "id": "kw_price"} or
    /// {"kind": "manual"}. A fresh dict on every access.
    #[getter]
    fn provenance<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        self.provenance.bind(py).copy()
    }

    /// Why, in words: `said "多少钱" (rule kw_price)`.
    #[getter]
    fn reason(&self) -> &str {
        &self.reason
    }

    /// The change as a dict: tag_id, action, provenance, reason.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("tag_id", &self.tag_id)?;
        d.set_item("action", &self.action)?;
        d.set_item("provenance", self.provenance(py)?)?;
        d.set_item("reason", &self.reason)?;
        Ok(d)
    }

    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, TagChange>) -> PyResult<bool> {
        let other = other.get();
        Ok(self.tag_id == other.tag_id
            && self.action == other.action
            && self.reason == other.reason
            && self.provenance.bind(py).eq(other.provenance.bind(py))?)
    }

    fn __hash__(&self, py: Python<'_>) -> PyResult<isize> {
        (&self.tag_id, &self.action, &self.reason)
            .into_pyobject(py)?
            .hash()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!(
            "TagChange(tag_id={:?}, action={:?}, provenance={}, reason={:?})",
            self.tag_id,
            self.action,
            self.provenance.bind(py).repr()?,
            self.reason
        ))
    }
}
