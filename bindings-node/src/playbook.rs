//! `Playbook`.

use napi::bindgen_prelude::*;
use napi_derive::napi;
use scrm_core::Format;

use crate::{Problem, run};

/// A channel customers arrive through.
#[napi(object)]
pub struct Channel {
    /// Stable id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Platform name: "wecom", "wechat", "mini_program", "douyin", "offline", ...
    pub platform: String,
}

/// A tag of the taxonomy.
#[napi(object)]
pub struct Tag {
    /// Stable id, unique in the taxonomy.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Hierarchical path such as "行业/汽车/新能源".
    pub path: Option<String>,
    /// Display order (bigger first).
    pub order: i64,
}

/// A tag group; an exclusive group holds at most one tag per customer.
#[napi(object)]
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

/// A validated tenant configuration. Build one with `Playbook.fromJson` or `Playbook.fromToml`.
#[napi]
pub struct Playbook {
    pub(crate) inner: scrm_core::Playbook,
}

#[napi]
impl Playbook {
    /// Loads and validates a playbook written in JSON.
    ///
    /// @throws {Error} `code` "parse", "unsupported_version" or "validation", with `problems`.
    #[napi(factory)]
    pub fn from_json(env: Env, text: String) -> Result<Playbook> {
        run(&env, || scrm_core::Playbook::from_json(&text)).map(|inner| Playbook { inner })
    }

    /// Loads and validates a playbook written in TOML.
    ///
    /// @throws {Error} `code` "parse", "unsupported_version" or "validation", with `problems`.
    #[napi(factory)]
    pub fn from_toml(env: Env, text: String) -> Result<Playbook> {
        run(&env, || scrm_core::Playbook::from_toml(&text)).map(|inner| Playbook { inner })
    }

    /// Every problem of a playbook text (`format` "json", the default, or "toml"); empty when it loads.
    #[napi]
    pub fn validate(env: Env, text: String, format: Option<String>) -> Result<Vec<Problem>> {
        let format = format.unwrap_or_else(|| "json".to_owned());
        let problems = run(&env, || {
            Format::from_name(&format).map(|f| scrm_core::Playbook::validate(&text, f))
        })?;
        Ok(problems.iter().map(Problem::from).collect())
    }

    /// The JSON Schema of the playbook format, as a JSON string.
    #[napi]
    pub fn json_schema() -> String {
        scrm_core::Playbook::json_schema()
    }

    /// The playbook as JSON; loading it again gives an equal playbook.
    #[napi]
    pub fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// The document format version (1).
    #[napi(getter)]
    pub fn schema_version(&self) -> u32 {
        self.inner.schema_version()
    }

    /// The tenant id.
    #[napi(getter)]
    pub fn tenant_id(&self) -> String {
        self.inner.tenant_id().to_owned()
    }

    /// The display name, if any.
    #[napi(getter)]
    pub fn name(&self) -> Option<String> {
        self.inner.name().map(str::to_owned)
    }

    /// The tenant's IANA timezone name, e.g. "Asia/Shanghai".
    #[napi(getter)]
    pub fn timezone(&self) -> String {
        self.inner.timezone_name().to_owned()
    }

    /// The channels, in document order.
    #[napi(getter)]
    pub fn channels(&self) -> Vec<Channel> {
        self.inner
            .channels()
            .iter()
            .map(|c| Channel {
                id: c.id.clone(),
                name: c.name.clone(),
                platform: c.platform.as_str().to_owned(),
            })
            .collect()
    }

    /// The tag groups with their tags, in document order.
    #[napi(getter)]
    pub fn tag_groups(&self) -> Vec<TagGroup> {
        self.inner
            .taxonomy()
            .groups
            .iter()
            .map(|g| TagGroup {
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
            })
            .collect()
    }

    /// The CPS commission plan (`pricing.commission`), for `commission` and
    /// `commissionStatement`; `null` when the tenant pays no promoters.
    #[napi(getter, ts_return_type = "CommissionPlanJson | null")]
    pub fn commission(&self) -> Option<serde_json::Value> {
        self.inner
            .commission()
            .and_then(|c| serde_json::to_value(c).ok())
    }

    /// The usage packs sold (`pricing.packs`), for `packLadder` and `purchase`; `null` when the
    /// tenant sells none.
    #[napi(getter, ts_return_type = "PacksJson | null")]
    pub fn packs(&self) -> Option<serde_json::Value> {
        self.inner
            .packs()
            .and_then(|p| serde_json::to_value(p).ok())
    }

    /// Whether two playbooks are equal (same document after loading).
    #[napi]
    pub fn equals(&self, other: &Playbook) -> bool {
        self.inner == other.inner
    }
}
