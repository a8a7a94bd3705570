//! The taxonomy compiled for lookups: tags interned to integers, names folded for matching.

use std::collections::HashMap;

use super::normalize::fold_name;
use crate::{Name, Taxonomy};

/// A tag's interned number, valid for the [`TagIndex`] that made it.
pub(crate) type TagNo = u32;

pub(crate) struct TagInfo {
    pub id: Name,
    pub group: usize,
}

pub(crate) struct GroupInfo {
    pub id: String,
    pub exclusive: bool,
    pub tags: Vec<TagNo>,
}

/// The taxonomy as lookup tables.
pub(crate) struct TagIndex {
    pub tags: Vec<TagInfo>,
    pub groups: Vec<GroupInfo>,
    by_id: HashMap<String, TagNo>,
    by_name: HashMap<String, Vec<TagNo>>,
}

impl TagIndex {
    pub fn new(taxonomy: &Taxonomy) -> TagIndex {
        let mut index = TagIndex {
            tags: Vec::new(),
            groups: Vec::new(),
            by_id: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (g, group) in taxonomy.groups.iter().enumerate() {
            let mut members = Vec::with_capacity(group.tags.len());
            for tag in &group.tags {
                let no = index.tags.len() as TagNo;
                index.tags.push(TagInfo {
                    id: Name::from(&tag.id),
                    group: g,
                });
                index.by_id.insert(tag.id.clone(), no);
                index
                    .by_name
                    .entry(fold_name(&tag.name))
                    .or_default()
                    .push(no);
                members.push(no);
            }
            index.groups.push(GroupInfo {
                id: group.id.clone(),
                exclusive: group.exclusive,
                tags: members,
            });
        }
        index
    }

    /// Resolves a reference written in a rule or passed by a host: a tag id, or a display name
    /// that only one tag carries (names fold full-width, case and spacing).
    pub fn resolve(&self, reference: &str) -> Result<TagNo, String> {
        if let Some(&no) = self.by_id.get(reference) {
            return Ok(no);
        }
        match self.by_name.get(&fold_name(reference)).map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some(many) => {
                let groups: Vec<&str> = many
                    .iter()
                    .map(|&n| self.groups[self.tags[n as usize].group].id.as_str())
                    .collect();
                Err(format!(
                    "tag name {reference:?} is in several groups ({}); use the tag id",
                    groups.join(", ")
                ))
            }
            None => Err(format!(
                "unknown tag {reference:?}: no tag has this id or name"
            )),
        }
    }

    pub fn info(&self, no: TagNo) -> &TagInfo {
        &self.tags[no as usize]
    }
}
