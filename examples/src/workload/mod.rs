//! The synthetic workload of the demo: customers of a tea brand arriving through WeCom, Douyin
//! live streams, the mini-program, store QR codes and friends' shares, assigned to employees by
//! the playbook's routes, and the events they and their owners produce over three months.
//!
//! Deterministic: everything comes from one seed through [`Rng`]; no clock, no thread, no hash
//! map iteration order. The same seed and [`Config`] give the same workload, byte for byte.

mod assign;
mod rng;
mod texts;

use chrono::{DateTime, Duration, Utc};
use scrm_core::{
    AssignmentDecision, AttributeValue, Customer, Employee, Event, Identity, Lead, Playbook,
};

use assign::assign;

pub use rng::Rng;

/// The seed the demo uses when none is given.
pub const DEFAULT_SEED: u64 = 20_260_401;

/// How big the workload is, and when it happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The seed every random choice comes from.
    pub seed: u64,
    /// Customers.
    pub customers: usize,
    /// Events, exactly (at least one per customer).
    pub events: usize,
    /// The first customer arrives on or after this.
    pub start: DateTime<Utc>,
    /// The end of the workload: every event is before it; reports are computed at it.
    pub now: DateTime<Utc>,
}

impl Config {
    /// The README's workload: 10,000 customers, 200,000 events, from 5 January to 1 April 2026
    /// (10:00 in Shanghai).
    pub fn readme(seed: u64) -> Config {
        Config {
            seed,
            customers: 10_000,
            events: 200_000,
            start: time("2026-01-05T00:00:00Z"),
            now: time("2026-04-01T02:00:00Z"),
        }
    }
}

fn time(text: &str) -> DateTime<Utc> {
    text.parse().unwrap_or_default()
}

/// What [`generate`] makes.
#[derive(Debug, Clone)]
pub struct Workload {
    /// The configuration it was made from.
    pub config: Config,
    /// The customers, in order of arrival (ids `c00000`, `c00001`, ...), with their attributes,
    /// phone (some), and owner as assigned on arrival (none when nobody could take them).
    pub customers: Vec<Customer>,
    /// Each customer's acquisition channel (`wecom`, `douyin`, `mini_program`, `offline`,
    /// `referral`), in the order of `customers`.
    pub sources: Vec<&'static str>,
    /// When the owner protected the customer from reclaim (保护客户), if they did.
    pub protected: Vec<Option<DateTime<Utc>>>,
    /// The assignment decision of each customer on arrival, in the order of `customers`.
    pub assignments: Vec<AssignmentDecision>,
    /// The employees with their counters after the assignments.
    pub team: Vec<Employee>,
    /// Every event, sorted by time then id.
    pub events: Vec<Event>,
}

/// Where a customer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A WeCom contact-me code; `true`: the gift landing page's code.
    Wecom(bool),
    Douyin,
    MiniProgram,
    /// A store's QR code; `true`: Shanghai.
    Store(bool),
    /// Through a friend's share.
    Referral,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::Wecom(_) => "wecom",
            Source::Douyin => "douyin",
            Source::MiniProgram => "mini_program",
            Source::Store(_) => "offline",
            Source::Referral => "referral",
        }
    }

    /// The playbook channel id the customer's events come through.
    fn channel(self) -> &'static str {
        match self {
            Source::Wecom(_) | Source::Referral => "wecom",
            Source::Douyin => "douyin",
            Source::MiniProgram => "mini_program",
            Source::Store(_) => "offline",
        }
    }

    fn code(self) -> Option<&'static str> {
        match self {
            Source::Wecom(true) => Some("gift-landing"),
            Source::Douyin => Some("douyin-live-0315"),
            Source::Store(true) => Some("store-sh-xintiandi"),
            Source::Store(false) => Some("store-hz-xihu"),
            _ => None,
        }
    }
}

/// Cities with their province (the region assignment rules read) and weight.
const CITIES: &[(&str, &str, u32)] = &[
    ("上海", "上海", 18),
    ("北京", "北京", 12),
    ("杭州", "浙江", 12),
    ("广州", "广东", 8),
    ("深圳", "广东", 8),
    ("南京", "江苏", 8),
    ("苏州", "江苏", 10),
    ("成都", "四川", 10),
    ("武汉", "湖北", 8),
    ("西安", "陕西", 6),
];

/// Content a customer views and shares (one propagation tree each).
const CONTENTS: &[&str] = &[
    "longjing-brewing-guide",
    "spring-tea-2026",
    "dahongpao-gift-box",
    "puer-storage-tips",
    "tea-ceremony-video",
    "mid-autumn-gifts",
    "baihao-yinzhen-story",
    "store-opening-xihu",
];

/// Stage tasks in the order owners usually do them; a `task_done` names the next one.
const TASKS: &[&str] = &["add_wecom", "send_samples", "call", "quote", "brew_guide"];

/// Event kinds of the engagement mix, after the first touch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    View,
    PricingView,
    Message,
    Share,
    Invite,
    Form,
    FollowUp,
    Call,
    TaskDone,
    DealOpened,
    DealLost,
    Purchase,
    StoreScan,
    Unsubscribe,
    EmployeeDeleted,
}

const KINDS: [Kind; 15] = [
    Kind::View,
    Kind::PricingView,
    Kind::Message,
    Kind::Share,
    Kind::Invite,
    Kind::Form,
    Kind::FollowUp,
    Kind::Call,
    Kind::TaskDone,
    Kind::DealOpened,
    Kind::DealLost,
    Kind::Purchase,
    Kind::StoreScan,
    Kind::Unsubscribe,
    Kind::EmployeeDeleted,
];

/// Weights (per mille) of [`KINDS`] by intent: low, mid, high.
const MIX: [[u32; 15]; 3] = [
    [500, 50, 140, 40, 10, 10, 110, 20, 30, 1, 1, 1, 5, 3, 6],
    [360, 120, 170, 55, 10, 30, 110, 30, 45, 4, 2, 8, 10, 2, 5],
    [270, 160, 170, 60, 20, 40, 110, 40, 55, 12, 4, 25, 10, 1, 3],
];

/// A share seen so far, for referrals to arrive through.
struct Share {
    id: String,
    content: &'static str,
    customer: usize,
    at: DateTime<Utc>,
}

/// Generates the workload of `config` for `playbook` (its assignment routes decide the owners;
/// its tenant id goes on every record).
///
/// # Errors
///
/// An error of the core when the playbook's assignment section cannot be compiled or an
/// assignment counter overflows.
pub fn generate(playbook: &Playbook, config: &Config) -> Result<Workload, scrm_core::Error> {
    let tenant = playbook.tenant_id();
    let mut rng = Rng::new(config.seed);
    let n = config.customers;

    // Arrival times, sorted: mostly in shop hours (09:00-21:00 Shanghai), some at night.
    let days = (config.now - config.start).num_days().max(2) - 1;
    let mut arrivals: Vec<DateTime<Utc>> = (0..n)
        .map(|_| {
            let day = rng.below(days as u64) as i64;
            let local_hour = if rng.percent(90) {
                9 + rng.below(12) as i64
            } else {
                (21 + rng.below(12) as i64) % 24
            };
            let seconds = local_hour * 3_600 + rng.below(3_600) as i64 - 8 * 3_600; // UTC+8
            config.start + Duration::days(day) + Duration::seconds(seconds.max(0))
        })
        .collect();
    arrivals.sort();

    // Who they are and where they came from.
    let mut customers = Vec::with_capacity(n);
    let mut sources = Vec::with_capacity(n);
    let mut leads = Vec::with_capacity(n);
    let city_weights: Vec<u32> = CITIES.iter().map(|c| c.2).collect();
    for (i, &at) in arrivals.iter().enumerate() {
        let source = match rng.below(100) {
            0..=27 => Source::Wecom(rng.percent(40)),
            28..=52 => Source::Douyin,
            53..=70 => Source::MiniProgram,
            71..=87 => Source::Store(rng.percent(55)),
            _ => Source::Referral,
        };
        let mut c = Customer::new(tenant, &format!("c{i:05}"), at);
        let (city, region, _) = CITIES[rng.weighted(&city_weights)];
        c.set_attribute("城市", AttributeValue::Text(city.to_owned()), at)?;
        if rng.percent(5) {
            let followers = rng.between(1_000, 60_000) as f64;
            c.set_attribute("粉丝数", AttributeValue::Number(followers), at)?;
        }
        if rng.percent(60) {
            c.add_identity(Identity::phone(&format!("139{:08}", 10_000_000 + i))?);
        }
        let mut lead = Lead::new(&c.id);
        lead.channel_code = source.code().map(str::to_owned);
        lead.channel = Some(source.channel().to_owned());
        lead.region = Some(region.to_owned());
        if source == Source::Wecom(true) {
            // The gift landing page's form asks for the industry.
            let industry = match rng.below(100) {
                0..=49 => Some("ind_corporate_gift"),
                50..=69 => Some("ind_hotel"),
                70..=84 => Some("ind_catering"),
                _ => None,
            };
            lead.tags.extend(industry.map(str::to_owned));
        }
        customers.push(c);
        sources.push(source);
        leads.push(lead);
    }

    let (assignments, team) = assign(playbook, &leads, &mut customers)?;

    // Event budgets: a skewed engagement per customer, scaled to exactly `config.events`.
    let intents: Vec<usize> = (0..n)
        .map(|_| match rng.below(100) {
            0..=54 => 0,
            55..=84 => 1,
            _ => 2,
        })
        .collect();
    let weights: Vec<u64> = intents
        .iter()
        .map(|&q| match q {
            0 => rng.between(1, 8),
            1 => rng.between(8, 25),
            _ => rng.between(25, 80),
        })
        .collect();
    let budgets = budgets(&weights, config.events);

    // Events, customer by customer in order of arrival (so a referral finds earlier shares).
    let mut events = Vec::with_capacity(config.events);
    let mut shares: Vec<Share> = Vec::new();
    let mut protected = vec![None; n];
    for i in 0..n {
        let mut budget = budgets.get(i).copied().unwrap_or(1);
        let created = arrivals[i];
        let id = customers[i].id.to_string();
        let owner = customers[i].owner.clone();
        let mut source = sources[i];
        let mut parent_share: Option<(String, &'static str)> = None;

        // The first touch.
        let mut first = Event::new(tenant, &format!("{id}-000"), &id, "content_view", created);
        first.channel_id = Some(source.channel().to_owned());
        match source {
            Source::Referral => {
                let found = (0..16).find_map(|_| {
                    let s = rng.pick(&shares)?;
                    (s.at < created && s.customer != i).then_some(s)
                });
                match found {
                    Some(s) => {
                        first.kind = "friend_added".into();
                        first
                            .properties
                            .insert("share_id".into(), s.id.clone().into());
                        first
                            .properties
                            .insert("content_id".into(), s.content.into());
                        let inviter = customers[s.customer].id.to_string();
                        first
                            .properties
                            .insert("inviter_id".into(), inviter.clone().into());
                        parent_share = Some((s.id.clone(), s.content));
                        if budget >= 2 {
                            // The friend who brought them gets the referral.
                            let mut r = Event::new(
                                tenant,
                                &format!("{id}-ref"),
                                &inviter,
                                "referral",
                                created,
                            );
                            r.properties.insert("referred".into(), id.clone().into());
                            events.push(r);
                            budget -= 1;
                        }
                    }
                    None => {
                        // No share to come through yet: they found the brand on WeCom.
                        source = Source::Wecom(false);
                        sources[i] = source;
                        first.kind = "message".into();
                        first.text = rng.pick(texts::NEUTRAL).map(|t| (*t).to_owned());
                    }
                }
            }
            Source::Wecom(false) => {
                first.kind = "message".into();
                first.text = rng.pick(texts::NEUTRAL).map(|t| (*t).to_owned());
            }
            Source::Wecom(true) | Source::Douyin | Source::Store(_) => {
                first.kind = "scan".into();
                first.channel_code = source.code().map(str::to_owned);
                if matches!(source, Source::Store(_)) {
                    first.properties.insert("channel".into(), "store".into());
                }
            }
            Source::MiniProgram => {
                let content = rng.pick(CONTENTS).copied().unwrap_or("spring-tea-2026");
                first.properties.insert("content_id".into(), content.into());
                first.properties.insert("category".into(), "article".into());
            }
        }
        events.push(first);
        if owner.is_some() && rng.percent(2) {
            protected[i] = Some(created + Duration::days(1));
        }

        // The rest of the customer's events: engagement fades, faster for the less interested.
        let intent = intents[i];
        let span = (config.now - created).num_seconds().max(2) - 1;
        let fade = [2.5, 1.6, 1.1][intent];
        let mut offsets: Vec<i64> = (1..budget)
            .map(|_| 1 + (rng.unit().powf(fade) * (span - 1) as f64) as i64)
            .collect();
        offsets.sort_unstable();
        let mut deleted = false;
        let mut tasks_done = 0usize;
        let mut react = false;
        for (j, offset) in offsets.into_iter().enumerate() {
            let mut at = created + Duration::seconds(offset);
            let mut kind = KINDS[rng.weighted(&MIX[intent])];
            if react && owner.is_some() && rng.percent(60) {
                kind = Kind::FollowUp; // the owner reacts to a sign of intent
            } else if kind == Kind::FollowUp && rng.percent(50) {
                // Owners keep in touch with their book: a check-in within the last four weeks.
                let back = Duration::seconds(rng.below(28 * 86_400) as i64 + 1);
                at = (config.now - back).max(created + Duration::seconds(1));
            }
            react = matches!(kind, Kind::PricingView | Kind::Form | Kind::Message);
            if owner.is_none() && matches!(kind, Kind::FollowUp | Kind::Call | Kind::TaskDone) {
                kind = Kind::View; // nobody follows up a customer in the pool
            }
            if deleted && !matches!(kind, Kind::View | Kind::PricingView | Kind::Purchase) {
                // After deleting the employee they only browse, or come back (30%).
                kind = if rng.percent(30) {
                    Kind::Message
                } else {
                    Kind::View
                };
                if kind == Kind::Message {
                    deleted = false;
                    let mut back = Event::new(
                        tenant,
                        &format!("{id}-{:03}", j + 1),
                        &id,
                        "employee_added",
                        at,
                    );
                    back.channel_id = Some("wecom".into());
                    events.push(back);
                    continue;
                }
            }
            let mut e = Event::new(
                tenant,
                &format!("{id}-{:03}", j + 1),
                &id,
                "content_view",
                at,
            );
            e.channel_id = Some(source.channel().to_owned());
            match kind {
                Kind::View => {
                    let content = rng.pick(CONTENTS).copied().unwrap_or("spring-tea-2026");
                    e.properties.insert("content_id".into(), content.into());
                    let category = *rng
                        .pick(&["article", "video", "guide"])
                        .unwrap_or(&"article");
                    e.properties.insert("category".into(), category.into());
                }
                Kind::PricingView => {
                    e.properties.insert("category".into(), "pricing".into());
                    e.properties
                        .insert("duration_s".into(), rng.between(15, 420).into());
                }
                Kind::Message => {
                    e.kind = "message".into();
                    let pool = match (intent, rng.below(100)) {
                        (2, 0..=39) | (1, 0..=24) | (0, 0..=7) => texts::PRICE,
                        (2, 40..=59) | (1, 25..=39) | (0, 8..=12) => texts::GIFT,
                        (2, 60..=64) | (1, 40..=54) | (0, 13..=42) => texts::NOT_NOW,
                        _ => texts::NEUTRAL,
                    };
                    e.text = rng.pick(pool).map(|t| (*t).to_owned());
                }
                Kind::Share | Kind::Invite => {
                    e.kind = if kind == Kind::Share {
                        "share"
                    } else {
                        "invite"
                    }
                    .into();
                    let content = match &parent_share {
                        Some((parent, content)) if rng.percent(60) => {
                            e.properties
                                .insert("parent_share_id".into(), parent.clone().into());
                            *content
                        }
                        _ => rng.pick(CONTENTS).copied().unwrap_or("spring-tea-2026"),
                    };
                    e.properties.insert("content_id".into(), content.into());
                    e.properties.insert("reach".into(), rng.below(60).into());
                    if kind == Kind::Share {
                        shares.push(Share {
                            id: e.id.to_string(),
                            content,
                            customer: i,
                            at,
                        });
                    }
                }
                Kind::Form => e.kind = "form".into(),
                Kind::FollowUp | Kind::Call => {
                    e.kind = if kind == Kind::Call {
                        "call"
                    } else {
                        "follow_up"
                    }
                    .into();
                    e.properties
                        .insert("employee".into(), owner.clone().unwrap_or_default().into());
                }
                Kind::TaskDone => {
                    e.kind = "task_done".into();
                    let task = TASKS[tasks_done.min(TASKS.len() - 1)];
                    tasks_done += 1;
                    e.properties.insert("task".into(), task.into());
                }
                Kind::DealOpened => e.kind = "deal_opened".into(),
                Kind::DealLost => e.kind = "deal_lost".into(),
                Kind::Purchase => {
                    e.kind = "purchase".into();
                    let yuan = [68, 128, 198, 268, 388, 588, 888, 1_288, 1_988];
                    let amount = rng.pick(&yuan).copied().unwrap_or(128);
                    e.properties
                        .insert("amount".into(), format!("{amount}.00").into());
                }
                Kind::StoreScan => {
                    e.kind = "scan".into();
                    e.channel_id = Some("offline".into());
                    e.properties.insert("channel".into(), "store".into());
                }
                Kind::Unsubscribe => e.kind = "unsubscribe".into(),
                Kind::EmployeeDeleted => {
                    e.kind = "employee_deleted".into();
                    deleted = true;
                }
            }
            events.push(e);
        }
    }
    events.sort_by(|a, b| (a.at, &a.id).cmp(&(b.at, &b.id)));

    Ok(Workload {
        config: config.clone(),
        customers,
        sources: sources.iter().map(|s| s.name()).collect(),
        protected,
        assignments,
        team,
        events,
    })
}

/// Splits `total` events among customers in proportion to `weights`, at least one each, adding
/// up to exactly `total` (when `total` is at least the number of customers).
fn budgets(weights: &[u64], total: usize) -> Vec<usize> {
    let sum: u64 = weights.iter().sum::<u64>().max(1);
    let mut out: Vec<usize> = weights
        .iter()
        .map(|&w| ((total as u128 * u128::from(w) / u128::from(sum)) as usize).max(1))
        .collect();
    let mut assigned: usize = out.iter().sum();
    let mut i = 0;
    while assigned != total && !out.is_empty() {
        let slot = i % out.len();
        if assigned < total {
            out[slot] += 1;
            assigned += 1;
        } else if out[slot] > 1 {
            out[slot] -= 1;
            assigned -= 1;
        } else if out.iter().all(|&b| b <= 1) {
            break; // fewer events than customers: one each
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budgets_add_up_exactly_with_one_event_each_at_least() {
        for (weights, total) in [
            (vec![1, 1, 1], 10),
            (vec![5, 1, 80, 3], 1_000),
            (vec![1; 7], 7),
            (vec![100, 1, 1], 3),
        ] {
            let b = budgets(&weights, total);
            assert_eq!(b.iter().sum::<usize>(), total, "{weights:?}");
            assert!(b.iter().all(|&x| x >= 1));
        }
        assert_eq!(budgets(&[9, 1], 100), [90, 10]);
    }
}
