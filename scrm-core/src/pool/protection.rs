//! The per-owner protection quota (保护客户上限): which protections count.
//!
//! An owner may keep at most `quota` protected customers out of reclaim. When they hold more
//! protections than that, the oldest count (ties: the smaller customer id): protecting one more
//! customer never silently unprotects an older one's, and the rule gives the same answer whatever
//! order the customers arrive in.

use super::PoolFacts;

/// The protections beyond their owner's quota: `(index into facts, rank among the owner's
/// protections, oldest = 1)`, sorted by index.
pub(crate) fn over_quota(facts: &[PoolFacts], quota: u32) -> Vec<(usize, u32)> {
    let mut protected: Vec<usize> = facts
        .iter()
        .enumerate()
        .filter(|(_, f)| f.owner.is_some() && f.protected_at.is_some())
        .map(|(i, _)| i)
        .collect();
    let key = |i: &usize| {
        let f = &facts[*i];
        (
            f.owner.as_ref().map(|o| o.id.as_str()),
            f.protected_at,
            f.customer_id.as_str(),
        )
    };
    protected.sort_unstable_by(|a, b| key(a).cmp(&key(b)).then(a.cmp(b)));
    let mut out = Vec::new();
    let mut rank = 0u32;
    let mut previous_owner = None;
    for &i in &protected {
        let owner = facts[i].owner.as_ref().map(|o| o.id.as_str());
        if owner != previous_owner {
            previous_owner = owner;
            rank = 0;
        }
        rank = rank.saturating_add(1);
        if rank > quota {
            out.push((i, rank));
        }
    }
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::Owner;

    fn protected(id: &str, owner: &str, at: &str) -> PoolFacts {
        let mut f = PoolFacts::new(id);
        let t = at.parse().unwrap();
        f.owner = Some(Owner::new(owner, t));
        f.protected_at = Some(t);
        f
    }

    #[test]
    fn the_oldest_protections_count_per_owner() {
        let facts = vec![
            protected("c3", "wang", "2026-03-03T00:00:00Z"),
            protected("c1", "wang", "2026-03-01T00:00:00Z"),
            protected("c9", "li", "2026-01-01T00:00:00Z"),
            protected("c2", "wang", "2026-03-01T00:00:00Z"), // same time as c1: c1 is older by id
            PoolFacts::new("c0"),
        ];
        assert_eq!(over_quota(&facts, 1), [(0, 3), (3, 2)]);
        assert_eq!(over_quota(&facts, 2), [(0, 3)]);
        assert!(over_quota(&facts, 3).is_empty());
        assert_eq!(over_quota(&facts, 0), [(0, 3), (1, 1), (2, 1), (3, 2)]);
    }
}
