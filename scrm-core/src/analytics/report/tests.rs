use super::*;
use crate::{
    AnalyticsOptions, CostPerLead, Event, Propagation, PropagationRules, Spend, StageEntry,
    StageJourney,
};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn full_input() -> ReportInput {
    let mut j = StageJourney::new("<c1>", at("2026-01-05T00:00:00Z"));
    j.channel = Some("抖音 & <ads>".into());
    j.stages = vec![
        StageEntry {
            stage: "lead".into(),
            at: at("2026-01-05T00:00:00Z"),
        },
        StageEntry {
            stage: "cust\"omer".into(),
            at: at("2026-01-09T00:00:00Z"),
        },
    ];
    let options = AnalyticsOptions::new(["lead", "cust\"omer"]);
    let journeys = [j];
    let mut share = Event::new("t", "s1", "<ann>", "share", at("2026-01-01T00:00:00Z"));
    share
        .properties
        .insert("content_id".into(), "<script>x</script>".into());
    let mut view = Event::new("t", "v1", "bo", "content_view", at("2026-01-02T00:00:00Z"));
    view.properties.insert("share_id".into(), "s1".into());
    ReportInput {
        title: "Report <1>".into(),
        generated_at: Some(at("2026-02-01T00:00:00Z")),
        funnel: Some(Funnel::compute(&journeys, &options).unwrap()),
        scores: vec![0.0, 10.0, 55.5, 100.0, f64::NAN],
        score_bins: Some(4),
        propagation: Some(
            Propagation::build(&[share, view], &PropagationRules::default()).unwrap(),
        ),
        cohorts: Some(Cohorts::compute(&journeys, &options, at("2026-02-15T00:00:00Z")).unwrap()),
        cost_per_lead: Some(
            CostPerLead::compute(
                &journeys,
                &[Spend {
                    channel: "抖音 & <ads>".into(),
                    amount: "10".into(),
                    currency: "CNY".into(),
                }],
                &options,
            )
            .unwrap(),
        ),
    }
}

#[test]
fn the_page_is_self_contained_and_escaped() {
    let page = report_html(&full_input());
    for section in [
        "Funnel",
        "Time in stage",
        "Score distribution",
        "Propagation",
        "Cohort retention",
        "Cost per lead",
    ] {
        assert!(page.contains(&format!("<h2>{section}</h2>")), "{section}");
    }
    // Nothing from outside: no script, no link, no URL but the SVG namespace.
    assert!(!page.contains("<script") && !page.contains("<link") && !page.contains("src="));
    assert_eq!(
        page.matches("http").count(),
        page.matches("http://www.w3.org/2000/svg").count()
    );
    // Data is escaped wherever it appears.
    assert!(page.contains("&lt;script&gt;x&lt;/script&gt;"));
    assert!(page.contains("&lt;ann&gt;"));
    assert!(page.contains("抖音 &amp; &lt;ads&gt;"));
    assert!(page.contains("cust&quot;omer"));
    assert!(!page.contains("<ann>") && !page.contains("<ads>") && !page.contains("cust\"omer"));
    assert!(page.contains("Report &lt;1&gt;"));
    // Pure: the same input gives the same bytes.
    assert_eq!(page, report_html(&full_input()));
}

#[test]
fn the_histogram_bins_scores_between_the_extremes() {
    let bars = histogram(&[0.0, 10.0, 55.5, 100.0, f64::INFINITY], 4);
    let counts: Vec<u64> = bars.iter().map(|b| b.value).collect();
    assert_eq!(counts, [2, 0, 1, 1]);
    let labels: Vec<&str> = bars.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["0", "25", "50", "75"]);
    let same = histogram(&[7.0, 7.0], 10);
    assert_eq!(same.len(), 1);
    assert_eq!(same[0].value, 2);
    assert!(histogram(&[], 10).is_empty());
}

#[test]
fn an_empty_report_is_a_page() {
    let page = report_html(&ReportInput::default());
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    assert!(!page.contains("<h2>"));
    // JSON has no NaN: the document path takes finite scores.
    let mut input = full_input();
    input.scores.retain(|s| s.is_finite());
    let json = serde_json::to_string(&input).unwrap();
    assert_eq!(crate::report_html_json(&json).unwrap(), report_html(&input));
    assert!(crate::report_html_json(r#"{"title": "x", "colour": 1}"#).is_err());
}
