//! Tests of pool, claim, transfer and assignment against hand-worked examples.

mod assignment;
mod claim;
mod dormancy;
mod props;
mod reclaim;
mod transfer;

use chrono::{DateTime, Utc};

use crate::Playbook;

/// A time, from RFC 3339.
pub(super) fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A playbook in Asia/Shanghai with `sections` (a JSON object of pool/transfer/assignment).
pub(super) fn playbook(sections: serde_json::Value) -> Playbook {
    let mut doc = serde_json::json!({
        "schema_version": 1, "tenant_id": "t", "timezone": "Asia/Shanghai",
        "channels": [{"id": "wecom", "name": "企业微信", "platform": "wecom"},
                     {"id": "douyin", "name": "抖音", "platform": "douyin"}],
        "taxonomy": {"groups": [{"id": "ind", "name": "行业", "tags": [
            {"id": "gift", "name": "礼品"}, {"id": "hotel", "name": "酒店"}]}]}
    });
    if let (Some(doc), Some(sections)) = (doc.as_object_mut(), sections.as_object()) {
        doc.extend(sections.clone());
    }
    Playbook::from_json(&doc.to_string()).unwrap()
}
