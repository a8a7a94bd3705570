//! The tag taxonomy section of a playbook: groups (标签组) holding tags (标签).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The tenant's tag taxonomy: groups of tags, each tag with a stable id.
///
/// Tags are usually written inside their group. A long taxonomy kept as a flat list (as exported
/// from a spreadsheet) may instead list tags in [`Taxonomy::tags`], each naming its group; loading
/// moves them into their group (after the group's own tags), so in a loaded playbook `tags` is
/// empty and every tag sits in its group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Taxonomy {
    /// The tag groups, in the order they are written.
    #[serde(default)]
    pub groups: Vec<TagGroup>,
    /// Tags listed apart from their group; each names an existing group in `group`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<GroupedTag>,
}

/// A tag group (标签组). Multi-select unless `exclusive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct TagGroup {
    /// Stable id, unique among groups: letters, digits, `_`, `-`, `.`; at most 64 characters.
    pub id: String,
    /// Display name, unique among groups (e.g. `意向`).
    pub name: String,
    /// Single-select: applying one tag of this group to a customer removes its siblings.
    #[serde(default)]
    pub exclusive: bool,
    /// Display order; WeCom's convention is bigger first.
    #[serde(default)]
    pub order: i64,
    /// The tags of this group.
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// A tag (标签).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Tag {
    /// Stable id, unique in the whole taxonomy: letters, digits, `_`, `-`, `.`; at most 64 characters.
    pub id: String,
    /// Display name, unique within its group (e.g. `高意向`).
    pub name: String,
    /// Optional hierarchical path, segments separated by `/` (e.g. `行业/汽车/新能源`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Display order; WeCom's convention is bigger first.
    #[serde(default)]
    pub order: i64,
}

/// A tag listed outside its group, naming the group by id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct GroupedTag {
    /// The id of the group this tag belongs to; the group must exist.
    pub group: String,
    /// Stable id, unique in the whole taxonomy.
    pub id: String,
    /// Display name, unique within its group.
    pub name: String,
    /// Optional hierarchical path, segments separated by `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Display order; bigger first.
    #[serde(default)]
    pub order: i64,
}

impl Taxonomy {
    /// Every tag with the group it belongs to, in document order.
    pub fn tags_with_groups(&self) -> impl Iterator<Item = (&TagGroup, &Tag)> {
        self.groups
            .iter()
            .flat_map(|g| g.tags.iter().map(move |t| (g, t)))
    }

    /// Moves separately listed tags into their groups; tags naming a missing group stay listed
    /// (validation has refused such a document before this runs).
    pub(crate) fn gather_tags(&mut self) {
        let mut left = Vec::new();
        for gt in std::mem::take(&mut self.tags) {
            match self.groups.iter_mut().find(|g| g.id == gt.group) {
                Some(group) => group.tags.push(Tag {
                    id: gt.id,
                    name: gt.name,
                    path: gt.path,
                    order: gt.order,
                }),
                None => left.push(gt),
            }
        }
        self.tags = left;
    }

    /// The group with this id.
    pub fn group(&self, id: &str) -> Option<&TagGroup> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// How many tags the taxonomy holds.
    pub fn tag_count(&self) -> usize {
        self.tags_with_groups().count()
    }
}
