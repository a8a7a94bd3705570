//! The events a social analysis reads: one per id, all of one tenant.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::Event;
use crate::error::{Error, ErrorKind, Problem, Result};

/// The events `wanted` keeps, each id once, after checking them.
///
/// When two events share an id they are one event delivered twice; if their contents differ (a
/// corrupted replay), the one that sorts first by time, customer, type, channel and properties is
/// kept, so the choice does not depend on arrival order.
///
/// # Errors
///
/// [`ErrorKind::Validation`] for a kept event with an empty id, customer or type, or for events of
/// two tenants (an analysis never mixes tenants).
pub(crate) fn distinct<'a>(
    events: &'a [Event],
    what: &str,
    mut wanted: impl FnMut(&Event) -> bool,
) -> Result<Vec<&'a Event>> {
    let mut tenant: Option<&str> = None;
    let mut slot_of: HashMap<&str, usize> = HashMap::with_capacity(events.len());
    let mut out: Vec<&Event> = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        if !wanted(e) {
            continue;
        }
        e.check().map_err(|err| {
            let problems = err
                .problems()
                .iter()
                .map(|p| {
                    Problem::new(
                        crate::playbook::path_field(&format!("{what}[{i}]"), &p.path),
                        p.message.clone(),
                    )
                })
                .collect();
            Error::with_problems(err.kind(), problems)
        })?;
        match tenant {
            None => tenant = Some(&e.tenant_id),
            Some(t) if t != e.tenant_id => {
                return Err(Error::at(
                    ErrorKind::Validation,
                    format!("{what}[{i}].tenant_id"),
                    format!(
                        "event of tenant {:?} among events of tenant {t:?}; analyse one tenant at a time",
                        e.tenant_id
                    ),
                ));
            }
            Some(_) => {}
        }
        match slot_of.entry(&e.id) {
            Entry::Vacant(v) => {
                v.insert(out.len());
                out.push(e);
            }
            Entry::Occupied(o) => {
                if let Some(kept) = out.get_mut(*o.get()) {
                    if canonical(e, kept) == Ordering::Less {
                        *kept = e;
                    }
                }
            }
        }
    }
    Ok(out)
}

/// A total order on the contents of two events with the same id.
fn canonical(a: &Event, b: &Event) -> Ordering {
    (
        a.at,
        &a.customer_id,
        &a.kind,
        &a.channel_id,
        &a.channel_code,
        &a.text,
    )
        .cmp(&(
            b.at,
            &b.customer_id,
            &b.kind,
            &b.channel_id,
            &b.channel_code,
            &b.text,
        ))
        .then_with(|| {
            let props = |e: &Event| serde_json::to_string(&e.properties).unwrap_or_default();
            props(a).cmp(&props(b))
        })
        .then_with(|| {
            let platform = |e: &Event| e.platform.map(|p| format!("{p:?}"));
            platform(a).cmp(&platform(b))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str, customer: &str, at: &str) -> Event {
        Event::new("t", id, customer, "share", at.parse().unwrap())
    }

    #[test]
    fn one_event_per_id_whatever_the_order() {
        let a = event("e1", "c1", "2026-01-02T00:00:00Z");
        let b = event("e1", "c2", "2026-01-01T00:00:00Z");
        let one = [a.clone(), b.clone()];
        let two = [b, a];
        let x = distinct(&one, "events", |_| true).unwrap();
        let y = distinct(&two, "events", |_| true).unwrap();
        assert_eq!(x.len(), 1);
        assert_eq!(x[0].customer_id, "c2");
        assert_eq!(x, y);
    }

    #[test]
    fn tenants_are_not_mixed() {
        let mut other = event("e2", "c1", "2026-01-01T00:00:00Z");
        other.tenant_id = "u".into();
        let err = distinct(
            &[event("e1", "c1", "2026-01-01T00:00:00Z"), other],
            "events",
            |_| true,
        )
        .unwrap_err();
        assert_eq!(err.problems()[0].path, "events[1].tenant_id");
        let mut empty = event("", "c1", "2026-01-01T00:00:00Z");
        empty.kind = "x".into();
        let err = distinct(&[empty], "events", |_| true).unwrap_err();
        assert_eq!(err.problems()[0].path, "events[0].id");
    }
}
