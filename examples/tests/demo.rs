//! The demo's workload and run: the same seed gives the same output, and the printed numbers
//! agree with each other.

use scrm_core::Playbook;
use scrm_examples::run::{funnel_stages, run};
use scrm_examples::workload::{Config, DEFAULT_SEED, generate};

const SAMPLE: &str = include_str!("../playbooks/brand.json");

fn playbook() -> Playbook {
    Playbook::from_json(SAMPLE).expect("the sample loads")
}

/// A fifth of the README's workload, to keep the debug-build tests quick.
fn small(seed: u64) -> Config {
    Config {
        customers: 2_000,
        events: 40_000,
        ..Config::readme(seed)
    }
}

#[test]
fn the_same_seed_gives_the_same_workload_and_output() {
    let playbook = playbook();
    let a = generate(&playbook, &small(7)).unwrap();
    let b = generate(&playbook, &small(7)).unwrap();
    assert_eq!(a.events, b.events);
    assert_eq!(a.customers, b.customers);
    let (ra, rb) = (run(&playbook, &a).unwrap(), run(&playbook, &b).unwrap());
    assert_eq!(ra.render(&a), rb.render(&b));
    assert_eq!(ra.report_html, rb.report_html);

    let c = generate(&playbook, &small(8)).unwrap();
    assert_ne!(a.events, c.events, "another seed gives another workload");
}

#[test]
fn the_readme_workload_adds_up() {
    let playbook = playbook();
    let config = Config::readme(DEFAULT_SEED);
    let work = generate(&playbook, &config).unwrap();
    assert_eq!(work.customers.len(), 10_000);
    assert_eq!(work.events.len(), 200_000);
    assert!(
        work.events
            .iter()
            .all(|e| e.at < config.now && e.at >= config.start)
    );
    assert!(
        work.events
            .windows(2)
            .all(|w| (w[0].at, &w[0].id) <= (w[1].at, &w[1].id))
    );
    let mut ids: Vec<&str> = work.events.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 200_000, "event ids are unique");
    // A realistic mix: every kind the playbook reacts to occurs.
    for kind in [
        "content_view",
        "message",
        "share",
        "invite",
        "friend_added",
        "referral",
        "form",
        "scan",
        "follow_up",
        "call",
        "task_done",
        "deal_opened",
        "deal_lost",
        "purchase",
        "employee_deleted",
        "unsubscribe",
    ] {
        assert!(
            work.events.iter().any(|e| e.kind == kind),
            "no {kind} event"
        );
    }
    // Owners come from the routes; a customer without one was refused by every employee.
    for (c, d) in work.customers.iter().zip(&work.assignments) {
        assert_eq!(c.owner, d.employee_id);
    }

    let out = run(&playbook, &work).unwrap();
    assert_eq!(out.fold.events, 200_000);
    assert_eq!(out.fold.applied, 200_000);
    assert!(
        out.fold.refused.is_empty(),
        "{:?}",
        out.fold.refused.first()
    );
    assert_eq!(
        out.fold.created, 0,
        "the referral events go to known customers"
    );

    // The funnel: every customer once; counts never grow along the stages; the channels add up
    // to the whole, stage by stage.
    let stages = funnel_stages(&playbook);
    let overall = &out.funnel.overall;
    assert_eq!(overall.journeys, 10_000);
    assert_eq!(
        overall
            .stages
            .iter()
            .map(|s| s.stage.clone())
            .collect::<Vec<_>>(),
        stages
    );
    assert!(overall.stages.windows(2).all(|w| w[0].count >= w[1].count));
    assert!(
        overall.stages.last().unwrap().count > 0,
        "someone became an advocate"
    );
    let channels = &out.funnel.by_channel;
    assert_eq!(channels.len(), 5);
    assert_eq!(channels.iter().map(|c| c.journeys).sum::<u64>(), 10_000);
    for (i, s) in overall.stages.iter().enumerate() {
        assert_eq!(
            channels.iter().map(|c| c.stages[i].count).sum::<u64>(),
            s.count
        );
    }
    let by_source = |name: &str| work.sources.iter().filter(|s| **s == name).count() as u64;
    for c in channels {
        assert_eq!(c.journeys, by_source(c.key.as_deref().unwrap()));
    }

    // The priority list: the owner's customers only, sorted, each with a reason.
    assert_eq!(out.priority.len(), 10);
    assert!(
        out.priority
            .windows(2)
            .all(|w| (w[0].priority, w[0].urgency) >= (w[1].priority, w[1].urgency))
    );
    for item in &out.priority {
        let c = work
            .customers
            .iter()
            .find(|c| c.id == item.customer_id)
            .unwrap();
        assert_eq!(c.owner.as_deref(), Some(out.owner.as_str()));
        assert_eq!(item.priority, sum(&[item.intent, item.urgency, item.value]));
        assert!(!item.reason.is_empty());
    }
    let held = work
        .customers
        .iter()
        .filter(|c| c.owner.as_deref() == Some(out.owner.as_str()))
        .count();
    assert_eq!(out.owner_customers, held);

    // The pool: something to do, each kind at most once per customer, owned customers only.
    assert!(out.reclaims > 0 && out.warnings > 0 && out.kept > 0);
    assert!(out.reclaims + out.warnings + out.kept <= out.owned);
    assert_eq!(
        out.owned,
        work.customers.iter().filter(|c| c.owner.is_some()).count()
    );

    // Propagation: every friend who came through a share is reached in some tree.
    let arrivals = work
        .events
        .iter()
        .filter(|e| e.kind == "friend_added")
        .count() as u64;
    let reach: u64 = out.propagation.trees.iter().map(|t| t.reach).sum();
    assert_eq!(reach, arrivals);

    // The report has the three charts and needs no network.
    let html = &out.report_html;
    assert!(html.starts_with("<!DOCTYPE html>"));
    for section in [
        "<h2>Funnel",
        "<h2>Score distribution",
        "<h2>Propagation",
        "<svg",
    ] {
        assert!(html.contains(section), "no {section}");
    }
    // Nothing fetched: no script, no link or source; the one URL is the SVG namespace name.
    assert!(!html.contains("<script") && !html.contains("src=") && !html.contains("href="));
    let urls = html.matches("http").count();
    assert_eq!(urls, html.matches("http://www.w3.org/2000/svg").count());
    assert_eq!(out.scores.len(), 10_000);

    let text = out.render(&work);
    assert!(text.contains("10,000 customers, 200,000 events"));
    assert!(text.contains(&format!("Priority list of {}", out.owner)));
}

fn sum(parts: &[scrm_core::Points]) -> scrm_core::Points {
    scrm_core::Points::from_hundredths(parts.iter().map(|p| p.hundredths()).sum())
}
