//! Python views of core types: small frozen classes converted in one place.

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// One problem of an input: where it is (`path`) and what is wrong (`message`).
#[pyclass(module = "scrm", frozen, get_all, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Problem {
    /// Dotted path of the field at fault, e.g. `taxonomy.groups[2].tags[0].id`; "" for the root.
    pub path: String,
    /// What is wrong, naming the offending value.
    pub message: String,
}

#[pymethods]
impl Problem {
    fn __repr__(&self) -> String {
        format!("Problem(path={:?}, message={:?})", self.path, self.message)
    }

    fn __str__(&self) -> String {
        scrm_core::Problem::from(self).to_string()
    }
}

impl From<&scrm_core::Problem> for Problem {
    fn from(p: &scrm_core::Problem) -> Problem {
        Problem {
            path: p.path.clone(),
            message: p.message.clone(),
        }
    }
}

impl From<&Problem> for scrm_core::Problem {
    fn from(p: &Problem) -> scrm_core::Problem {
        scrm_core::Problem {
            path: p.path.clone(),
            message: p.message.clone(),
        }
    }
}

/// A channel customers arrive through.
#[pyclass(module = "scrm", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub struct Channel {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Platform name: "wecom", "douyin", "mini_program", "offline", ...
    pub platform: String,
}

#[pymethods]
impl Channel {
    fn __repr__(&self) -> String {
        format!(
            "Channel(id={:?}, name={:?}, platform={:?})",
            self.id, self.name, self.platform
        )
    }
}

/// A tag of the taxonomy.
#[pyclass(module = "scrm", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub struct Tag {
    /// Stable id, unique in the taxonomy.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Hierarchical path such as "行业/汽车/新能源", or None.
    pub path: Option<String>,
    /// Display order (bigger first).
    pub order: i64,
}

#[pymethods]
impl Tag {
    fn __repr__(&self) -> String {
        format!("Tag(id={:?}, name={:?})", self.id, self.name)
    }
}

/// A tag group; `exclusive` groups hold at most one tag per customer.
#[pyclass(module = "scrm", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub struct TagGroup {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Single-select group.
    pub exclusive: bool,
    /// Display order (bigger first).
    pub order: i64,
    /// The group's tags, in document order.
    pub tags: Vec<Tag>,
}

#[pymethods]
impl TagGroup {
    fn __repr__(&self) -> String {
        format!(
            "TagGroup(id={:?}, name={:?}, exclusive={}, tags={})",
            self.id,
            self.name,
            self.exclusive,
            self.tags.len()
        )
    }
}

impl From<&scrm_core::Channel> for Channel {
    fn from(c: &scrm_core::Channel) -> Channel {
        Channel {
            id: c.id.clone(),
            name: c.name.clone(),
            platform: c.platform.as_str().to_owned(),
        }
    }
}

impl From<&scrm_core::TagGroup> for TagGroup {
    fn from(g: &scrm_core::TagGroup) -> TagGroup {
        TagGroup {
            id: g.id.clone(),
            name: g.name.clone(),
            exclusive: g.exclusive,
            order: g.order,
            tags: g
                .tags
                .iter()
                .map(|t| Tag {
                    id: t.id.clone(),
                    name: t.name.clone(),
                    path: t.path.clone(),
                    order: t.order,
                })
                .collect(),
        }
    }
}

/// The decision chain of a B2B account: who decides, who influences, and what is missing.
#[pyclass(module = "scrm", frozen, get_all, eq)]
#[derive(Clone, PartialEq)]
pub struct DecisionChain {
    /// Customer ids of the decision makers, top of the reporting line first.
    pub decision_makers: Vec<String>,
    /// Customer ids of those who influence a decision maker: by role, by reporting to one, or
    /// through the influence map.
    pub influencers: Vec<String>,
    /// Customer ids of the champions.
    pub champions: Vec<String>,
    /// Customer ids of the gatekeepers.
    pub gatekeepers: Vec<String>,
    /// What the sales team still needs to find, e.g. "no decision maker known".
    pub gaps: Vec<String>,
}

#[pymethods]
impl DecisionChain {
    /// The chain as a dict of its five lists.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("decision_makers", &self.decision_makers)?;
        d.set_item("influencers", &self.influencers)?;
        d.set_item("champions", &self.champions)?;
        d.set_item("gatekeepers", &self.gatekeepers)?;
        d.set_item("gaps", &self.gaps)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "DecisionChain(decision_makers={:?}, influencers={:?}, champions={:?}, \
             gatekeepers={:?}, gaps={:?})",
            self.decision_makers, self.influencers, self.champions, self.gatekeepers, self.gaps
        )
    }
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
