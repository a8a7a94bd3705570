//! [`Score`] and its [`Explanation`]: every point accounted for.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::points::Points;

/// A customer's score at one moment, with the explanation of every point.
///
/// `score` is the lead score conditions compare (`score >= 60`): `engagement + fit`, plus
/// `social` only when the playbook says `social.in_score = true`. The parts always add up:
/// `engagement = Σ rules[].points − Σ groups[].capped − total_capped`,
/// `fit = Σ fit[].points − fit_capped`, `social = Σ social[].points`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Score {
    /// The lead score.
    pub score: Points,
    /// Engagement points after every cap and decay.
    pub engagement: Points,
    /// Fit points.
    pub fit: Points,
    /// Social value points (a separate component unless `in_score`).
    pub social: Points,
    /// Whether `social` is part of `score`.
    pub social_in_score: bool,
    /// The fit grade (`A+` .. `F`) when grading is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Where every point came from.
    pub explanation: Explanation,
}

/// The parts of a [`Score`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Explanation {
    /// Each engagement rule that matched an event, in playbook order.
    #[serde(default)]
    pub rules: Vec<RulePart>,
    /// Each group with a cap, netted and clamped.
    #[serde(default)]
    pub groups: Vec<GroupPart>,
    /// Points the total cap took off (signed: taken off a positive total is positive).
    pub total_capped: Points,
    /// Each fit rule that holds (or moves the grade).
    #[serde(default)]
    pub fit: Vec<FitPart>,
    /// Points the fit cap took off.
    pub fit_capped: Points,
    /// Each social value source with points.
    #[serde(default)]
    pub social: Vec<SocialPart>,
}

/// What one engagement rule gave: `points = raw − capped − decayed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RulePart {
    /// The rule id.
    pub rule: String,
    /// Its group, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Matching events (for a `once` rule, only the first scored).
    pub events: u32,
    /// Points before the rule cap and decay.
    pub raw: Points,
    /// Points the rule cap took off.
    pub capped: Points,
    /// Points lost to decay.
    pub decayed: Points,
    /// Points the rule gives now.
    pub points: Points,
}

/// A group's net points and what its cap took off: `points = net − capped`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupPart {
    /// The group id.
    pub group: String,
    /// The sum of its rules' points, plus and minus netted.
    pub net: Points,
    /// Points the group cap took off.
    pub capped: Points,
    /// Points the group gives.
    pub points: Points,
}

/// A fit rule that holds, or a grading criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FitPart {
    /// The rule id.
    pub rule: String,
    /// Whether the customer satisfies it.
    pub matched: bool,
    /// Points given (zero when not matched).
    pub points: Points,
    /// Thirds of a letter it moved the grade (signed).
    pub grade_steps: i32,
}

/// One source of social value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SocialPart {
    /// `followers`, `referrals` or `reach`.
    pub source: String,
    /// The measured amount: followers, referral events or people reached.
    pub amount: String,
    /// Points before the source's cap.
    pub raw: Points,
    /// Points the cap took off.
    pub capped: Points,
    /// Points given.
    pub points: Points,
}

/// The grades from lowest to highest, each a third of a letter apart (Pardot).
pub(crate) const GRADES: [&str; 13] = [
    "F", "D-", "D", "D+", "C-", "C", "C+", "B-", "B", "B+", "A-", "A", "A+",
];

/// Where grading starts: D.
pub(crate) const GRADE_START: i32 = 2;

/// The grade `steps` thirds above D, clamped to F .. A+.
pub(crate) fn grade_name(steps: i32) -> &'static str {
    let i = (GRADE_START + steps).clamp(0, GRADES.len() as i32 - 1);
    GRADES.get(i as usize).copied().unwrap_or("F")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grades_follow_pardots_thirds() {
        assert_eq!(grade_name(0), "D");
        assert_eq!(grade_name(1), "D+");
        assert_eq!(grade_name(2), "C-");
        assert_eq!(grade_name(3), "C");
        assert_eq!(grade_name(10), "A+");
        assert_eq!(grade_name(40), "A+");
        assert_eq!(grade_name(-2), "F");
        assert_eq!(grade_name(-30), "F");
    }
}
