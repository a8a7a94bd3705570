//! `scrm.Playbook`.

use pyo3::prelude::*;
use scrm_core::Format;

use crate::run;
use crate::types::{Channel, Problem, TagGroup};

/// A validated tenant configuration. Build one with `Playbook.from_json` or `Playbook.from_toml`.
#[pyclass(module = "scrm", frozen)]
pub struct Playbook {
    pub(crate) inner: scrm_core::Playbook,
}

#[pymethods]
impl Playbook {
    /// Loads and validates a playbook written in JSON.
    ///
    /// Raises `ParseError` for malformed text, `UnsupportedVersionError` for an unknown
    /// `schema_version`, and `ValidationError` listing every problem otherwise.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Playbook> {
        run(py, || scrm_core::Playbook::from_json(text)).map(|inner| Playbook { inner })
    }

    /// Loads and validates a playbook written in TOML. Raises as `from_json` does.
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Playbook> {
        run(py, || scrm_core::Playbook::from_toml(text)).map(|inner| Playbook { inner })
    }

    /// Every problem of a playbook text (`format` is "json" or "toml"); an empty list when it loads.
    #[staticmethod]
    #[pyo3(signature = (text, format = "json"))]
    fn validate(py: Python<'_>, text: &str, format: &str) -> PyResult<Vec<Problem>> {
        let problems = run(py, || {
            Format::from_name(format).map(|f| scrm_core::Playbook::validate(text, f))
        })?;
        Ok(problems.iter().map(Problem::from).collect())
    }

    /// The JSON Schema of the playbook format, as a JSON string.
    #[staticmethod]
    fn json_schema() -> String {
        scrm_core::Playbook::json_schema()
    }

    /// The playbook as JSON; loading it again gives an equal playbook.
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The document format version (1).
    #[getter]
    fn schema_version(&self) -> u32 {
        self.inner.schema_version()
    }

    /// The tenant id.
    #[getter]
    fn tenant_id(&self) -> &str {
        self.inner.tenant_id()
    }

    /// The display name, or None.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.inner.name()
    }

    /// The tenant's IANA timezone name, e.g. "Asia/Shanghai".
    #[getter]
    fn timezone(&self) -> &str {
        self.inner.timezone_name()
    }

    /// The channels, in document order.
    #[getter]
    fn channels(&self) -> Vec<Channel> {
        self.inner.channels().iter().map(Channel::from).collect()
    }

    /// The tag groups with their tags, in document order.
    #[getter]
    fn tag_groups(&self) -> Vec<TagGroup> {
        self.inner
            .taxonomy()
            .groups
            .iter()
            .map(TagGroup::from)
            .collect()
    }

    fn __eq__(&self, other: &Playbook) -> bool {
        self.inner == other.inner
    }

    fn __repr__(&self) -> String {
        format!(
            "Playbook(tenant_id={:?}, timezone={:?}, channels={}, tag_groups={})",
            self.inner.tenant_id(),
            self.inner.timezone_name(),
            self.inner.channels().len(),
            self.inner.taxonomy().groups.len()
        )
    }
}
