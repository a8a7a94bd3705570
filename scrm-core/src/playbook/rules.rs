//! Checks of a playbook's meaning that its JSON Schema cannot express: ids that are unique and
//! well-formed, references that resolve, a timezone that exists, limits that hold.
//!
//! They read the raw document, skipping whatever has the wrong shape (the shape check reports
//! that), so one pass reports shape and meaning problems together.

use std::collections::HashMap;

use chrono_tz::Tz;
use serde_json::Value;

use super::{MAX_TAGS_PER_TENANT, path};
use crate::error::{Problem, show};
use crate::tagging::fold_name;

const MAX_ID_LEN: usize = 64;

pub(crate) fn check(doc: &Value, out: &mut Vec<Problem>) {
    if let Some(tenant) = doc.get("tenant_id") {
        check_id(tenant, "tenant_id", out);
    }
    if let Some(Value::String(tz)) = doc.get("timezone") {
        if tz.parse::<Tz>().is_err() {
            out.push(Problem::new(
                "timezone",
                format!(
                    "unknown timezone {}, expected an IANA name such as \"Asia/Shanghai\"",
                    show(&Value::String(tz.clone()))
                ),
            ));
        }
    }
    check_channels(doc, out);
    check_taxonomy(doc, out);
    super::commission::check_section(doc, out);
    super::packs::check_section(doc, out);
}

/// Items of a list field, with their paths; nothing when the field is absent or not a list.
fn items<'a>(parent: &'a Value, name: &str, at: &str) -> Vec<(String, &'a Value)> {
    let here = path::field(at, name);
    match parent.get(name) {
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (path::index(&here, i), v))
            .collect(),
        _ => Vec::new(),
    }
}

fn check_id(value: &Value, at: &str, out: &mut Vec<Problem>) {
    let Value::String(id) = value else { return };
    let well_formed = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !well_formed {
        out.push(Problem::new(
            at,
            format!(
                "invalid id {}: use 1 to {MAX_ID_LEN} letters, digits, '_', '-' or '.'",
                show(value)
            ),
        ));
    }
}

fn check_name(value: &Value, at: &str, out: &mut Vec<Problem>) {
    if let Value::String(name) = value {
        if name.trim().is_empty() {
            out.push(Problem::new(
                at,
                format!("name must not be blank, found {}", show(value)),
            ));
        }
    }
}

/// Remembers where each key was first seen and reports later duplicates.
struct Unique {
    what: &'static str,
    seen: HashMap<String, String>,
}

impl Unique {
    fn new(what: &'static str) -> Unique {
        Unique {
            what,
            seen: HashMap::new(),
        }
    }

    fn check(&mut self, value: Option<&Value>, at: String, out: &mut Vec<Problem>) {
        let Some(Value::String(key)) = value else {
            return;
        };
        // Ids compare exactly; names in their matching form (NFC, width and case folded).
        let normalised = if self.what == "name" {
            fold_name(key)
        } else {
            key.clone()
        };
        if let Some(first) = self.seen.get(&normalised) {
            out.push(Problem::new(
                at,
                format!(
                    "duplicate {} {} (first at {first})",
                    self.what,
                    show(&Value::String(key.clone()))
                ),
            ));
        } else {
            self.seen.insert(normalised, at);
        }
    }
}

fn check_channels(doc: &Value, out: &mut Vec<Problem>) {
    let mut ids = Unique::new("id");
    for (at, channel) in items(doc, "channels", "") {
        if let Some(id) = channel.get("id") {
            check_id(id, &path::field(&at, "id"), out);
        }
        ids.check(channel.get("id"), path::field(&at, "id"), out);
        if let Some(name) = channel.get("name") {
            check_name(name, &path::field(&at, "name"), out);
        }
    }
}

fn check_taxonomy(doc: &Value, out: &mut Vec<Problem>) {
    let Some(taxonomy) = doc.get("taxonomy") else {
        return;
    };
    let mut group_ids = Unique::new("id");
    let mut group_names = Unique::new("name");
    let mut tag_ids = Unique::new("id");
    // Tag names are unique within a group; the key is (group id, name).
    let mut tag_names: HashMap<String, Unique> = HashMap::new();
    let mut tag_count = 0usize;

    let groups = items(taxonomy, "groups", "taxonomy");
    for (at, group) in &groups {
        let group_id = group
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if let Some(id) = group.get("id") {
            check_id(id, &path::field(at, "id"), out);
        }
        group_ids.check(group.get("id"), path::field(at, "id"), out);
        if let Some(name) = group.get("name") {
            check_name(name, &path::field(at, "name"), out);
        }
        group_names.check(group.get("name"), path::field(at, "name"), out);
        for (tag_at, tag) in items(group, "tags", at) {
            tag_count += 1;
            check_tag(
                tag,
                &tag_at,
                &mut tag_ids,
                tag_names
                    .entry(group_id.clone())
                    .or_insert_with(|| Unique::new("name")),
                out,
            );
        }
    }

    for (at, tag) in items(taxonomy, "tags", "taxonomy") {
        tag_count += 1;
        let Some(Value::String(group_id)) = tag.get("group") else {
            check_tag(tag, &at, &mut tag_ids, &mut Unique::new("name"), out);
            continue;
        };
        if !groups
            .iter()
            .any(|(_, g)| g.get("id").and_then(Value::as_str) == Some(group_id))
        {
            out.push(Problem::new(
                path::field(&at, "group"),
                format!(
                    "tag names group {} which does not exist",
                    show(&Value::String(group_id.clone()))
                ),
            ));
        }
        let names = tag_names
            .entry(group_id.clone())
            .or_insert_with(|| Unique::new("name"));
        check_tag(tag, &at, &mut tag_ids, names, out);
    }

    if tag_count > MAX_TAGS_PER_TENANT {
        out.push(Problem::new(
            "taxonomy",
            format!("{tag_count} tags; a tenant may have at most {MAX_TAGS_PER_TENANT}"),
        ));
    }
}

fn check_tag(tag: &Value, at: &str, ids: &mut Unique, names: &mut Unique, out: &mut Vec<Problem>) {
    if let Some(id) = tag.get("id") {
        check_id(id, &path::field(at, "id"), out);
    }
    ids.check(tag.get("id"), path::field(at, "id"), out);
    if let Some(name) = tag.get("name") {
        check_name(name, &path::field(at, "name"), out);
    }
    names.check(tag.get("name"), path::field(at, "name"), out);
    if let Some(Value::String(p)) = tag.get("path") {
        if p.split('/').any(|segment| segment.trim().is_empty()) {
            out.push(Problem::new(
                path::field(at, "path"),
                format!(
                    "path {} has an empty segment; write segments separated by '/'",
                    show(&Value::String(p.clone()))
                ),
            ));
        }
    }
}
