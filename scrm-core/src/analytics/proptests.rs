//! Property tests of the analytics: funnel counts never grow along the stage order, nothing
//! depends on input order, and every count stays within the customers it counts.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;

use super::*;

const STAGES: [&str; 4] = ["visitor", "lead", "sql", "customer"];
const ALL: [&str; 6] = ["visitor", "lead", "sql", "customer", "dormant", "lost"];

fn base() -> DateTime<Utc> {
    "2026-01-01T00:00:00Z".parse().unwrap()
}

fn journeys() -> impl Strategy<Value = Vec<StageJourney>> {
    let entry = (0usize..6, 0i64..200);
    let one = (
        0u8..3,
        0u8..3,
        0i64..150,
        prop::collection::vec(entry, 0..6),
        prop::collection::vec(0i64..200, 0..3),
    );
    prop::collection::vec(one, 0..30).prop_map(|raw| {
        raw.into_iter()
            .enumerate()
            .map(|(i, (channel, owner, created, entries, active))| {
                let mut j = StageJourney::new(&format!("c{i}"), base() + Duration::days(created));
                j.channel = (channel > 0).then(|| format!("ch{channel}"));
                j.owner = (owner > 0).then(|| format!("o{owner}"));
                j.stages = entries
                    .into_iter()
                    .map(|(s, d)| StageEntry {
                        stage: ALL[s].to_owned(),
                        at: base() + Duration::days(d) + Duration::seconds(d * 37),
                    })
                    .collect();
                j.active_at = active
                    .into_iter()
                    .map(|d| base() + Duration::days(d))
                    .collect();
                j
            })
            .collect()
    })
}

fn reversed(journeys: &[StageJourney]) -> Vec<StageJourney> {
    journeys
        .iter()
        .rev()
        .map(|j| {
            let mut j = j.clone();
            j.stages.reverse();
            j.active_at.reverse();
            j
        })
        .collect()
}

fn options() -> AnalyticsOptions {
    let mut o = AnalyticsOptions::new(STAGES);
    o.timezone = "Asia/Shanghai".into();
    o
}

proptest! {
    #[test]
    fn funnel_counts_never_grow_along_the_stages(journeys in journeys()) {
        let f = Funnel::compute(&journeys, &options()).unwrap();
        for counts in std::iter::once(&f.overall).chain(&f.by_channel).chain(&f.by_owner) {
            prop_assert!(counts.stages.windows(2).all(|w| w[0].count >= w[1].count));
            prop_assert_eq!(counts.stages[0].count + counts.unstaged, counts.journeys);
            for c in &counts.conversions {
                prop_assert!(c.rate.is_none_or(|r| r <= Rate::of(1, 1).unwrap()));
            }
        }
        let per_channel: u64 = f.by_channel.iter().map(|g| g.journeys).sum();
        let per_owner: u64 = f.by_owner.iter().map(|g| g.journeys).sum();
        prop_assert_eq!(per_channel, f.overall.journeys);
        prop_assert_eq!(per_owner, f.overall.journeys);
        for (i, s) in f.overall.stages.iter().enumerate() {
            let summed: u64 = f.by_channel.iter().map(|g| g.stages[i].count).sum();
            prop_assert_eq!(summed, s.count);
        }
    }

    #[test]
    fn reports_ignore_input_order(journeys in journeys()) {
        let o = options();
        let back = reversed(&journeys);
        prop_assert_eq!(Funnel::compute(&journeys, &o).unwrap(), Funnel::compute(&back, &o).unwrap());
        let now = base() + Duration::days(180);
        prop_assert_eq!(
            Cohorts::compute(&journeys, &o, now).unwrap(),
            Cohorts::compute(&back, &o, now).unwrap()
        );
        let spend = [Spend { channel: "ch1".into(), amount: "99.99".into(), currency: "CNY".into() }];
        prop_assert_eq!(
            CostPerLead::compute(&journeys, &spend, &o).unwrap(),
            CostPerLead::compute(&back, &spend, &o).unwrap()
        );
    }

    #[test]
    fn retention_and_stays_stay_within_the_customers(journeys in journeys(), days in 0i64..400) {
        let o = options();
        let now = base() + Duration::days(days);
        let report = Cohorts::compute(&journeys, &o, now).unwrap();
        let size: u64 = report.cohorts.iter().map(|c| c.size).sum();
        prop_assert_eq!(size, journeys.iter().filter(|j| j.created_at <= now).count() as u64);
        for c in &report.cohorts {
            prop_assert!(c.retained.iter().all(|&r| r <= c.size));
            prop_assert_eq!(c.retained.len(), c.rates.len());
        }
        let f = Funnel::compute(&journeys, &o).unwrap();
        let open: u64 = f.time_in_stage.iter().map(|t| t.open).sum();
        prop_assert!(open <= journeys.len() as u64);
        for t in &f.time_in_stage {
            prop_assert_eq!(t.median_s.is_some(), t.stays > 0);
            if let (Some(m), Some(p)) = (&t.median_s, &t.p90_s) {
                let (m, p): (f64, f64) = (m.parse().unwrap(), p.parse().unwrap());
                prop_assert!(m <= p && m >= 0.0);
            }
        }
    }

    #[test]
    fn rates_match_exact_division(part in 0u64..1_000_000, whole in 1u64..1_000_000) {
        let rate = Rate::of(part, whole).unwrap();
        // |rate - part/whole| <= 0.00005, checked in integers: |rate·whole - part·10^4| <= whole/2.
        let diff = (rate.ten_thousandths() as i128 * whole as i128 - part as i128 * 10_000).abs();
        prop_assert!(2 * diff <= whole as i128);
        prop_assert_eq!(rate.to_string().parse::<Rate>().unwrap(), rate);
    }
}
