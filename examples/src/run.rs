//! The demo's run: the sample playbook over the synthetic workload through the engine's batch
//! fold, then the reports a manager and an employee read — the funnel by channel, an owner's
//! priority list, what the pool must do today — and the HTML report.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use scrm_core::{
    AnalyticsOptions, Engine, FoldReport, Funnel, FunnelCounts, Playbook, PoolFacts, PoolRules,
    PriorityItem, Profile, Propagation, PropagationRules, ReportInput, StageEntry, StageJourney,
    report_html,
};

use crate::workload::Workload;

/// One reclaim or warning, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueLine {
    /// `reclaim`, `warn` or `kept`.
    pub action: &'static str,
    /// The customer.
    pub customer_id: String,
    /// Why, in words.
    pub reason: String,
}

/// Everything the demo computes (all but the timings depend only on the workload).
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The batch fold's report.
    pub fold: FoldReport,
    /// The profiles after the fold and the time-based check at `now`.
    pub profiles: Vec<Profile>,
    /// The funnel over every customer, by acquisition channel and by owner.
    pub funnel: Funnel,
    /// The owner whose priority list is shown: the one holding the most customers.
    pub owner: String,
    /// How many customers that owner holds.
    pub owner_customers: usize,
    /// Their priority list, top 10.
    pub priority: Vec<PriorityItem>,
    /// Customers owned (given to the pool rules).
    pub owned: usize,
    /// Reclaims, warnings and kept customers due at `now`.
    pub reclaims: usize,
    /// Warnings due at `now`.
    pub warnings: usize,
    /// Overdue customers kept (protected or with open tasks).
    pub kept: usize,
    /// The first reclaims and warnings with their reasons.
    pub due_sample: Vec<DueLine>,
    /// Propagation trees of the shares and invites.
    pub propagation: Propagation,
    /// Scores at `now`, one per customer.
    pub scores: Vec<f64>,
    /// The HTML report.
    pub report_html: String,
    /// Wall time of the batch fold (printed apart from [`Outcome::render`], which is compared).
    pub fold_elapsed: Duration,
    /// Wall time of the time-based check of every profile at `now`.
    pub tick_elapsed: Duration,
}

/// Runs `playbook` over `workload`.
///
/// # Errors
///
/// An error of the core: a playbook the engine, the pool rules or the analytics refuse.
pub fn run(playbook: &Playbook, workload: &Workload) -> Result<Outcome, scrm_core::Error> {
    let now = workload.config.now;
    let engine = Engine::compile(playbook)?;
    let mut profiles = workload
        .customers
        .iter()
        .map(|c| engine.profile(c.clone()))
        .collect::<Result<Vec<_>, _>>()?;

    let started = Instant::now();
    let fold = engine.fold(&mut profiles, &workload.events)?;
    let fold_elapsed = started.elapsed();
    let started = Instant::now();
    for p in &mut profiles {
        engine.tick(p, now)?; // tag expiry and dormancy up to now, as a daily job would
    }
    let tick_elapsed = started.elapsed();

    // The funnel: one journey per customer from its stage history.
    let source: BTreeMap<&str, &str> = workload
        .customers
        .iter()
        .zip(&workload.sources)
        .map(|(c, s)| (c.id.as_str(), *s))
        .collect();
    let journeys: Vec<StageJourney> = profiles
        .iter()
        .map(|p| journey(p, source.get(p.customer().id.as_str()).copied()))
        .collect();
    let mut options = AnalyticsOptions::new(funnel_stages(playbook));
    options.timezone = playbook.timezone_name().to_owned();
    let funnel = Funnel::compute(&journeys, &options)?;

    // The priority list of the owner with the most customers (ties: the first id).
    let mut held: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &profiles {
        if let Some(o) = p.customer().owner.as_deref() {
            *held.entry(o).or_default() += 1;
        }
    }
    let (owner, owner_customers) =
        held.iter().fold(
            ("", 0),
            |best, (&o, &n)| if n > best.1 { (o, n) } else { best },
        );
    let owner = owner.to_owned();
    let mut priority = engine.priority_list(&owner, &profiles, now)?;
    priority.truncate(10);

    // What the pool must do today.
    let facts: Vec<PoolFacts> = profiles
        .iter()
        .zip(&workload.protected)
        .map(|(p, protected)| {
            let mut f = engine.pool_facts(p)?;
            f.protected_at = *protected;
            Ok(f)
        })
        .collect::<Result<_, scrm_core::Error>>()?;
    let owned = facts.iter().filter(|f| f.owner.is_some()).count();
    let due = PoolRules::new(playbook)?.due(&facts, now)?;
    let (reclaims, warnings, kept) = (
        due.reclaims().count(),
        due.warnings().count(),
        due.kept().count(),
    );
    let mut due_sample: Vec<DueLine> = Vec::new();
    for (action, items) in [
        ("reclaim", due.reclaims().take(3).collect::<Vec<_>>()),
        ("warn", due.warnings().take(3).collect()),
        ("kept", due.kept().take(2).collect()),
    ] {
        due_sample.extend(items.into_iter().map(|i| DueLine {
            action,
            customer_id: i.customer_id.to_owned(),
            reason: i.reason(),
        }));
    }

    // Propagation trees of the shares, invites and the friends who came through them.
    let social: Vec<_> = workload
        .events
        .iter()
        .filter(|e| matches!(e.kind.as_str(), "share" | "invite" | "friend_added"))
        .cloned()
        .collect();
    let rules = PropagationRules {
        arrival_types: vec!["friend_added".into()],
        include_nodes: false,
        ..PropagationRules::default()
    };
    let propagation = Propagation::build(&social, &rules)?;

    let scores = profiles
        .iter()
        .map(|p| Ok(engine.score(p, now)?.score.hundredths() as f64 / 100.0))
        .collect::<Result<Vec<f64>, scrm_core::Error>>()?;
    let report_html = report_html(&ReportInput {
        title: format!(
            "{} · synthetic workload, seed {}",
            playbook.name().unwrap_or(playbook.tenant_id()),
            workload.config.seed
        ),
        generated_at: Some(now),
        funnel: Some(funnel.clone()),
        scores: scores.clone(),
        score_bins: Some(20),
        propagation: Some(propagation.clone()),
        ..ReportInput::default()
    });

    Ok(Outcome {
        fold,
        profiles,
        funnel,
        owner,
        owner_customers,
        priority,
        owned,
        reclaims,
        warnings,
        kept,
        due_sample,
        propagation,
        scores,
        report_html,
        fold_elapsed,
        tick_elapsed,
    })
}

/// The playbook's live stages in order (the funnel); side states are left out.
pub fn funnel_stages(playbook: &Playbook) -> Vec<String> {
    let stages = &playbook.lifecycle().stages;
    if stages.is_empty() {
        return [
            "visitor",
            "lead",
            "mql",
            "sql",
            "opportunity",
            "customer",
            "repeat",
            "advocate",
        ]
        .map(str::to_owned)
        .to_vec();
    }
    stages
        .iter()
        .filter(|s| !s.side)
        .map(|s| s.id.clone())
        .collect()
}

/// A profile's stage history as an analytics journey.
fn journey(profile: &Profile, channel: Option<&str>) -> StageJourney {
    let c = profile.customer();
    let mut j = StageJourney::new(&c.id, c.created_at);
    j.channel = channel.map(str::to_owned);
    j.owner.clone_from(&c.owner);
    j.stages = profile
        .stage_history()
        .iter()
        .map(|h| StageEntry {
            stage: h.to.clone(),
            at: h.at,
        })
        .collect();
    j
}

/// `12345` as `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut groups: Vec<&str> = Vec::new();
    let mut end = digits.len();
    while end > 3 {
        groups.push(&digits[end - 3..end]);
        end -= 3;
    }
    groups.push(&digits[..end]);
    groups.reverse();
    groups.join(",")
}

/// A rate `"0.4567"` as `45.7%`; absent as `–`.
fn percent(rate: Option<&scrm_core::Rate>) -> String {
    match rate
        .map(ToString::to_string)
        .and_then(|r| r.parse::<f64>().ok())
    {
        Some(r) => format!("{:.1}%", r * 100.0),
        None => "–".to_owned(),
    }
}

fn funnel_row(out: &mut String, label: &str, counts: &FunnelCounts) {
    out.push_str(&format!("  {label:<13}{:>7}", thousands(counts.journeys)));
    for (i, s) in counts.stages.iter().enumerate() {
        let conversion = match i.checked_sub(1).and_then(|p| counts.conversions.get(p)) {
            Some(c) => percent(c.rate.as_ref()),
            None => String::new(),
        };
        out.push_str(&format!(" {:>6} {conversion:>6}", thousands(s.count)));
    }
    out.push('\n');
}

impl Outcome {
    /// What the demo prints, without the timings (so two runs of one seed print the same).
    pub fn render(&self, workload: &Workload) -> String {
        let config = &workload.config;
        let mut out = String::new();
        out.push_str(&format!(
            "\nSynthetic workload, seed {}: {} customers, {} events, {} to {}\n",
            config.seed,
            thousands(workload.customers.len() as u64),
            thousands(workload.events.len() as u64),
            config.start.format("%Y-%m-%d"),
            config.now.format("%Y-%m-%d %H:%M UTC"),
        ));
        let mut kinds: BTreeMap<&str, u64> = BTreeMap::new();
        for e in &workload.events {
            *kinds.entry(e.kind.as_str()).or_default() += 1;
        }
        let mut kinds: Vec<(&str, u64)> = kinds.into_iter().collect();
        kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let line: Vec<String> = kinds
            .iter()
            .map(|(k, n)| format!("{k} {}", thousands(*n)))
            .collect();
        out.push_str(&wrap("  events: ", &line));
        let mut sources: BTreeMap<&str, u64> = BTreeMap::new();
        for s in &workload.sources {
            *sources.entry(s).or_default() += 1;
        }
        let line: Vec<String> = sources
            .iter()
            .map(|(k, n)| format!("{k} {}", thousands(*n)))
            .collect();
        out.push_str(&wrap("  arrived via: ", &line));
        let mut routes: BTreeMap<&str, u64> = BTreeMap::new();
        let mut pooled = 0u64;
        for d in &workload.assignments {
            match (&d.employee_id, &d.route) {
                (Some(_), Some(r)) => *routes.entry(r.as_str()).or_default() += 1,
                _ => pooled += 1,
            }
        }
        let mut line: Vec<String> = routes
            .iter()
            .map(|(k, n)| format!("{k} {}", thousands(*n)))
            .collect();
        line.push(format!(
            "left in the pool (off hours) {}",
            thousands(pooled)
        ));
        out.push_str(&wrap("  assigned by route: ", &line));

        let f = &self.fold;
        out.push_str(&format!(
            "\nBatch fold: {} events applied, {} replayed, {} refused; {} profiles\n",
            thousands(f.applied),
            thousands(f.replayed),
            thousands(f.refused.len() as u64),
            thousands(self.profiles.len() as u64)
        ));

        out.push_str(
            "\nFunnel by channel: customers who reached each stage, and the conversion from the previous one\n",
        );
        out.push_str(&format!("  {:<13}{:>7}", "channel", "all"));
        for s in &self.funnel.overall.stages {
            out.push_str(&format!(" {:<13}", s.stage));
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
        funnel_row(&mut out, "(all)", &self.funnel.overall);
        for counts in &self.funnel.by_channel {
            funnel_row(&mut out, counts.key.as_deref().unwrap_or("(none)"), counts);
        }

        out.push_str(&format!(
            "\nPriority list of {} ({} customers), top {}: intent + urgency + value\n",
            self.owner,
            thousands(self.owner_customers as u64),
            self.priority.len()
        ));
        for (rank, item) in self.priority.iter().enumerate() {
            out.push_str(&format!(
                "  {:>2}. {} {:>7}  (intent {}, urgency {}, value {})\n      {}\n",
                rank + 1,
                item.customer_id,
                item.priority.to_string(),
                item.intent,
                item.urgency,
                item.value,
                item.reason
            ));
        }

        out.push_str(&format!(
            "\nPool at {} ({} owned customers): {} to reclaim, {} warnings, {} overdue but kept\n",
            config.now.format("%Y-%m-%d %H:%M UTC"),
            thousands(self.owned as u64),
            thousands(self.reclaims as u64),
            thousands(self.warnings as u64),
            thousands(self.kept as u64)
        ));
        for line in &self.due_sample {
            out.push_str(&format!(
                "  {:<7} {}: {}\n",
                line.action, line.customer_id, line.reason
            ));
        }

        let trees = &self.propagation.trees;
        let reach: u64 = trees.iter().map(|t| t.reach).sum();
        out.push_str(&format!(
            "\nPropagation: {} trees, {} customers reached through shares",
            trees.len(),
            thousands(reach)
        ));
        if let Some(top) = trees
            .iter()
            .max_by(|a, b| a.reach.cmp(&b.reach).then(b.key.cmp(&a.key)))
        {
            out.push_str(&format!(
                "; largest {} (reach {}, depth {}, K-factor {})",
                top.key,
                top.reach,
                top.depth,
                top.k_factor.map_or("–".to_owned(), |k| k.to_string())
            ));
        }
        out.push('\n');
        out
    }
}

/// `label` then the items, comma-separated, wrapped at about 100 columns.
fn wrap(label: &str, items: &[String]) -> String {
    let mut out = label.to_owned();
    let mut width = label.chars().count();
    for (i, item) in items.iter().enumerate() {
        let len = item.chars().count();
        if i > 0 {
            if width + len + 2 > 100 {
                out.push_str(",\n    ");
                width = 4;
            } else {
                out.push_str(", ");
                width += 2;
            }
        }
        out.push_str(item);
        width += len;
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_separated() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (200_000, "200,000"),
        ];
        for (n, text) in cases {
            assert_eq!(super::thousands(n), text);
        }
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
