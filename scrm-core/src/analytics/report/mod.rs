//! The HTML report: one self-contained page (inline CSS and SVG, no script, no font, no network)
//! that a manager opens in any browser, built by a pure function from reports already computed.
//!
//! It lives in the core, not in `examples/`, so that Python pipelines, Node backends and mobile
//! apps print the same page through the bindings without re-implementing it (docs/decisions/0009).
//! Every text that comes from data (stage ids, channel ids, customer ids, the title) is escaped.

mod svg;

use std::fmt::Write;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::cohort::Cohorts;
use super::cost::CostPerLead;
use super::funnel::Funnel;
use crate::social::Propagation;
use svg::{Bar, escape, horizontal, vertical};

/// The default number of bins of the score histogram.
const DEFAULT_SCORE_BINS: u32 = 10;
/// The most bins a histogram may have.
const MAX_SCORE_BINS: u32 = 100;
/// The most propagation trees charted (the largest by reach).
const MAX_TREES: usize = 20;

/// What the report shows; every part is optional and left out when absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// The page title.
    pub title: String,
    /// When the figures were computed, shown under the title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated_at: Option<DateTime<Utc>>,
    /// A funnel (bars per stage with conversions, and time in stage).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub funnel: Option<Funnel>,
    /// Scores to draw as a histogram (any scale; non-finite values are left out).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scores: Vec<f64>,
    /// The histogram's number of bins, 1 to 100; default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_bins: Option<u32>,
    /// Propagation trees (reach and depth per content or campaign, customers per level).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagation: Option<Propagation>,
    /// Cohort retention (a table shaded by rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cohorts: Option<Cohorts>,
    /// Cost per lead (a table).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_per_lead: Option<CostPerLead>,
}

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI','PingFang SC','Microsoft YaHei',sans-serif;margin:2rem;color:#1f2933;max-width:60rem}h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d9e2ec;padding-bottom:.3rem}.meta{color:#627d98}table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d9e2ec;padding:.25rem .6rem;text-align:right}th:first-child,td:first-child{text-align:left}svg text{font-size:12px;fill:#1f2933}svg .tick{fill:#627d98;font-size:11px}.empty{color:#627d98;font-style:italic}";

/// Renders the report as one HTML page. Pure: the same input gives the same bytes.
///
/// ```
/// use scrm_core::{ReportInput, report_html};
///
/// let page = report_html(&ReportInput {
///     title: "Q1 <review>".into(),
///     scores: vec![12.0, 48.5, 50.0, 91.0],
///     ..ReportInput::default()
/// });
/// assert!(page.starts_with("<!DOCTYPE html>"));
/// assert!(page.contains("Q1 &lt;review&gt;"));
/// assert!(page.contains("<svg") && !page.contains("<script"));
/// ```
pub fn report_html(input: &ReportInput) -> String {
    let mut page = String::new();
    let title = escape(&input.title);
    let _ = write!(
        page,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title}</title><style>{STYLE}</style></head><body><h1>{title}</h1>"
    );
    if let Some(at) = input.generated_at {
        let _ = write!(
            page,
            "<p class=\"meta\">Generated at {}</p>",
            escape(&at.to_rfc3339())
        );
    }
    if let Some(funnel) = &input.funnel {
        funnel_section(&mut page, funnel);
    }
    if !input.scores.is_empty() {
        scores_section(&mut page, &input.scores, input.score_bins);
    }
    if let Some(propagation) = &input.propagation {
        propagation_section(&mut page, propagation);
    }
    if let Some(cohorts) = &input.cohorts {
        cohorts_section(&mut page, cohorts);
    }
    if let Some(cost) = &input.cost_per_lead {
        cost_section(&mut page, cost);
    }
    page.push_str("</body></html>\n");
    page
}

fn text_or<T: std::fmt::Display>(value: Option<T>, absent: &str) -> String {
    value.map_or_else(|| absent.to_owned(), |v| v.to_string())
}

fn funnel_section(page: &mut String, funnel: &Funnel) {
    page.push_str("<h2>Funnel</h2>");
    let counts = &funnel.overall;
    let bars: Vec<Bar> = counts
        .stages
        .iter()
        .enumerate()
        .map(|(i, s)| Bar {
            label: s.stage.clone(),
            value: s.count,
            note: match i.checked_sub(1).and_then(|p| counts.conversions.get(p)) {
                Some(c) => format!("({} from {})", text_or(c.rate, "n/a"), c.from),
                None => String::new(),
            },
        })
        .collect();
    let _ = write!(
        page,
        "<p class=\"meta\">{} customers, {} never staged, overall conversion {}</p>",
        counts.journeys,
        counts.unstaged,
        escape(&text_or(counts.overall, "n/a"))
    );
    page.push_str(&horizontal(
        "Customers who reached each stage",
        &bars,
        "#3e7cb1",
    ));
    if !funnel.time_in_stage.is_empty() {
        page.push_str("<h2>Time in stage</h2><table><tr><th>stage</th><th>stays</th><th>open</th><th>median (s)</th><th>p90 (s)</th><th>mean (s)</th></tr>");
        for t in &funnel.time_in_stage {
            let cell = |v: &Option<String>| escape(v.as_deref().unwrap_or("–"));
            let _ = write!(
                page,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&t.stage),
                t.stays,
                t.open,
                cell(&t.median_s),
                cell(&t.p90_s),
                cell(&t.mean_s)
            );
        }
        page.push_str("</table>");
    }
}

/// Edges of a histogram bin printed compactly: whole numbers without decimals.
fn edge(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// Counts of `scores` in `bins` equal-width bins from the lowest to the highest score; the last
/// bin includes the highest. Non-finite scores are left out.
pub(crate) fn histogram(scores: &[f64], bins: u32) -> Vec<Bar> {
    let finite: Vec<f64> = scores.iter().copied().filter(|s| s.is_finite()).collect();
    let (Some(low), Some(high)) = (
        finite.iter().copied().reduce(f64::min),
        finite.iter().copied().reduce(f64::max),
    ) else {
        return Vec::new();
    };
    let bins = if high > low { bins.max(1) } else { 1 };
    let width = (high - low) / f64::from(bins);
    let mut counts = vec![0u64; bins as usize];
    for s in finite {
        let raw = if width > 0.0 { (s - low) / width } else { 0.0 };
        // `as` saturates: a score at the top lands past the end and is clamped into the last bin.
        let i = (raw.floor() as usize).min(counts.len().saturating_sub(1));
        if let Some(slot) = counts.get_mut(i) {
            *slot += 1;
        }
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, value)| {
            let from = low + width * i as f64;
            Bar {
                label: edge(from),
                value,
                note: String::new(),
            }
        })
        .collect()
}

fn scores_section(page: &mut String, scores: &[f64], bins: Option<u32>) {
    let bins = bins.unwrap_or(DEFAULT_SCORE_BINS).clamp(1, MAX_SCORE_BINS);
    let bars = histogram(scores, bins);
    let counted: u64 = bars.iter().map(|b| b.value).sum();
    let _ = write!(
        page,
        "<h2>Score distribution</h2><p class=\"meta\">{counted} scores; each column starts at the score under it</p>"
    );
    page.push_str(&vertical("Score histogram", &bars, "#f29e4c"));
}

fn propagation_section(page: &mut String, propagation: &Propagation) {
    page.push_str("<h2>Propagation</h2>");
    if propagation.trees.is_empty() {
        page.push_str("<p class=\"empty\">No share or invite formed a tree.</p>");
        return;
    }
    let mut trees: Vec<_> = propagation.trees.iter().collect();
    trees.sort_by(|a, b| b.reach.cmp(&a.reach).then_with(|| a.key.cmp(&b.key)));
    trees.truncate(MAX_TREES);
    let bars: Vec<Bar> = trees
        .iter()
        .map(|t| Bar {
            label: t.key.clone(),
            value: t.reach,
            note: format!(
                "reached, depth {}, K {}",
                t.depth,
                text_or(t.k_factor, "n/a")
            ),
        })
        .collect();
    page.push_str(&horizontal("Customers reached per tree", &bars, "#57a773"));
    if let Some(top) = trees.first() {
        let _ = write!(
            page,
            "<p class=\"meta\">Customers per level of {}</p>",
            escape(&top.key)
        );
        let levels: Vec<Bar> = top
            .levels
            .iter()
            .enumerate()
            .map(|(depth, &n)| Bar {
                label: format!("L{depth}"),
                value: n,
                note: String::new(),
            })
            .collect();
        page.push_str(&vertical("Customers per depth", &levels, "#57a773"));
        if !top.top_spreaders.is_empty() {
            page.push_str("<table><tr><th>top spreader</th><th>reached</th><th>direct</th></tr>");
            for s in &top.top_spreaders {
                let _ = write!(
                    page,
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(&s.customer_id),
                    s.descendants,
                    s.children
                );
            }
            page.push_str("</table>");
        }
    }
}

/// A background shade for a rate: darker green for higher retention.
fn shade(rate: super::Rate) -> String {
    let lightness = 95 - (rate.ten_thousandths().min(10_000) * 45 / 10_000);
    format!("hsl(140,45%,{lightness}%)")
}

fn cohorts_section(page: &mut String, cohorts: &Cohorts) {
    let _ = write!(
        page,
        "<h2>Cohort retention</h2><p class=\"meta\">Months in {}, as of {}</p>",
        escape(&cohorts.timezone),
        escape(&cohorts.as_of.to_rfc3339())
    );
    let months = cohorts
        .cohorts
        .iter()
        .map(|c| c.rates.len())
        .max()
        .unwrap_or(0);
    page.push_str("<table><tr><th>cohort</th><th>size</th>");
    for k in 0..months {
        let _ = write!(page, "<th>M{k}</th>");
    }
    page.push_str("</tr>");
    for c in &cohorts.cohorts {
        let _ = write!(page, "<tr><td>{}</td><td>{}</td>", escape(&c.month), c.size);
        for (rate, kept) in c.rates.iter().zip(&c.retained) {
            let _ = write!(
                page,
                "<td style=\"background:{}\" title=\"{kept} retained\">{rate}</td>",
                shade(*rate)
            );
        }
        page.push_str("</tr>");
    }
    page.push_str("</table>");
}

fn cost_section(page: &mut String, cost: &CostPerLead) {
    let _ = write!(
        page,
        "<h2>Cost per lead</h2><p class=\"meta\">A lead reached stage {}</p><table><tr><th>channel</th><th>spend</th><th>leads</th><th>cost per lead</th></tr>",
        escape(&cost.lead_stage)
    );
    for line in cost.channels.iter().chain(&cost.total) {
        let name = line.channel.as_deref().unwrap_or("total");
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
            escape(name),
            escape(&line.spend),
            escape(&line.currency),
            line.leads,
            escape(line.cost_per_lead.as_deref().unwrap_or("–"))
        );
    }
    page.push_str("</table>");
}

#[cfg(test)]
mod tests;
