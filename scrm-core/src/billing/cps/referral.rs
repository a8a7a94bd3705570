//! Multi-level distribution (分销): who recruited whom, and who is paid on a sale.
//!
//! DOMAIN.md 7 PIN: a plan pays one level by default (the promoter whose touch is credited) and at
//! most two (the promoter and the upline who recruited them). WeChat's rule is "two levels
//! including the promoter himself"; three levels including the organiser is the threshold of the
//! criminal offence of organising pyramid selling. So an upline's upline is never paid, and a plan
//! asking for three levels is refused when it is loaded, not capped silently. Commission is only
//! ever paid on real sales, never on recruiting.

use std::collections::BTreeMap;

use crate::error::Problem;
use crate::playbook::path_field;

/// Who is paid on a credited touch of `promoter` whose upline is `upline`: the promoter at
/// level 1 and, when the plan pays two levels and there is an upline, the upline at level 2.
pub(crate) fn earners<'a>(
    promoter: &'a str,
    levels: u8,
    upline: Option<&'a str>,
) -> impl Iterator<Item = (u8, &'a str)> {
    let upline = upline.filter(|_| levels >= 2);
    std::iter::once((1, promoter)).chain(upline.map(|u| (2, u)))
}

/// Appends the problems of a referrer map (promoter → their upline) under `at`.
pub(crate) fn check(referrers: &BTreeMap<String, String>, at: &str, out: &mut Vec<Problem>) {
    for (promoter, upline) in referrers {
        let here = path_field(at, promoter);
        if promoter.trim().is_empty() || upline.trim().is_empty() {
            out.push(Problem::new(
                &here,
                "promoter and upline ids must not be blank",
            ));
        } else if promoter == upline {
            out.push(Problem::new(
                &here,
                format!("promoter {promoter:?} cannot be their own upline"),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain() -> BTreeMap<String, String> {
        [("c", "b"), ("b", "a")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    #[test]
    fn pays_the_upline_only_with_two_levels_and_never_the_upline_of_the_upline() {
        let r = chain();
        let up = |p: &str| r.get(p).map(String::as_str);
        assert_eq!(earners("c", 1, up("c")).collect::<Vec<_>>(), [(1, "c")]);
        assert_eq!(
            earners("c", 2, up("c")).collect::<Vec<_>>(),
            [(1, "c"), (2, "b")]
        );
        // "a" has no upline; "b"'s upline "a" is never reached from a touch of "c".
        assert_eq!(earners("a", 2, up("a")).collect::<Vec<_>>(), [(1, "a")]);
    }

    #[test]
    fn refuses_self_referral() {
        let mut r = chain();
        r.insert("d".into(), "d".into());
        let mut out = Vec::new();
        check(&r, "referrers", &mut out);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].path, "referrers.d");
    }
}
