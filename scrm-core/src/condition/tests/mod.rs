//! Unit tests of the condition language, on a fixture taxonomy and customer; property tests are
//! in `props.rs`.

mod errors;
mod forms;
mod limits;
mod props;
mod semantics;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::*;
use crate::customer::ConsentStatus;
use crate::{ErrorKind, Playbook};

// ---- fixtures ---------------------------------------------------------------------------------

/// An owned attribute value, viewed as [`AttrValue`].
#[derive(Debug, Clone)]
pub(super) enum Attr {
    Text(String),
    Number(Number),
    Bool(bool),
    Date(NaiveDate),
    List(Vec<String>),
}

impl Attr {
    pub(super) fn view(&self) -> AttrValue<'_> {
        match self {
            Attr::Text(s) => AttrValue::Text(s),
            Attr::Number(n) => AttrValue::Number(*n),
            Attr::Bool(b) => AttrValue::Bool(*b),
            Attr::Date(d) => AttrValue::Date(*d),
            Attr::List(items) => AttrValue::List(items),
        }
    }
}

/// A customer for tests: every fact set by hand.
#[derive(Debug, Clone, Default)]
pub(super) struct TestFacts {
    pub(super) score: Option<Number>,
    pub(super) stage: Option<String>,
    pub(super) owner: Option<String>,
    pub(super) grade: Option<String>,
    pub(super) attrs: HashMap<String, Attr>,
    pub(super) tags: HashSet<String>,
    pub(super) consents: HashMap<(String, String), ConsentStatus>,
    pub(super) identities: HashSet<String>,
    pub(super) events: Vec<(String, DateTime<Utc>, HashMap<String, Attr>)>,
}

impl Facts for TestFacts {
    fn score(&self) -> Option<Number> {
        self.score
    }
    fn stage(&self) -> Option<&str> {
        self.stage.as_deref()
    }
    fn owner(&self) -> Option<&str> {
        self.owner.as_deref()
    }
    fn grade(&self) -> Option<&str> {
        self.grade.as_deref()
    }
    fn attribute(&self, name: &str) -> Option<AttrValue<'_>> {
        self.attrs.get(name).map(Attr::view)
    }
    fn has_tag(&self, tag_id: &str) -> bool {
        self.tags.contains(tag_id)
    }
    fn consent(&self, purpose: &str, channel: &str) -> Option<ConsentStatus> {
        self.consents
            .get(&(purpose.to_owned(), channel.to_owned()))
            .copied()
    }
    fn has_identity(&self, kind: &str) -> bool {
        self.identities.contains(kind)
    }
    fn count_events(
        &self,
        filter: &EventFilter,
        since: Option<DateTime<Utc>>,
        until: DateTime<Utc>,
    ) -> u64 {
        let n = self
            .events
            .iter()
            .filter(|(name, at, props)| {
                filter.matches(name, |k| props.get(k).map(Attr::view))
                    && since.is_none_or(|s| *at >= s)
                    && *at <= until
            })
            .count();
        n as u64
    }
}

pub(super) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// 意向 (intent): hot 高意向, cold 低意向; 行业 (industry): auto 汽车, edu 教育, b2b "B2B 大客户";
/// two tags named VIP in different groups; an empty group.
pub(super) fn taxonomy() -> Taxonomy {
    Playbook::from_json(
        r#"{"schema_version": 1, "tenant_id": "t", "timezone": "UTC", "taxonomy": {"groups": [
            {"id": "intent", "name": "意向", "exclusive": true, "tags": [
                {"id": "hot", "name": "高意向"}, {"id": "cold", "name": "低意向"},
                {"id": "vip_a", "name": "VIP"}]},
            {"id": "industry", "name": "行业", "tags": [
                {"id": "auto", "name": "汽车"}, {"id": "edu", "name": "教育"},
                {"id": "vip_b", "name": "VIP"},
                {"id": "b2b", "name": "B2B 大客户"}]},
            {"id": "empty", "name": "空"}
        ]}}"#,
    )
    .unwrap()
    .taxonomy()
    .clone()
}

pub(super) fn c(text: &str) -> Condition {
    Condition::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

pub(super) fn eval(text: &str, facts: &TestFacts) -> bool {
    c(text).compile(&taxonomy()).unwrap().evaluate(facts, now())
}

pub(super) fn parse_error(text: &str) -> (ErrorKind, String) {
    let err = Condition::parse(text).unwrap_err();
    assert_eq!(err.problems().len(), 1);
    (err.kind(), err.problems()[0].message.clone())
}

pub(super) fn first_line(text: &str) -> String {
    parse_error(text).1.lines().next().unwrap().to_owned()
}

pub(super) fn n(text: &str) -> Number {
    text.parse().unwrap()
}

pub(super) fn lead() -> TestFacts {
    let mut f = TestFacts {
        score: Some(n("72.5")),
        stage: Some("mql".into()),
        owner: Some("emp-1".into()),
        grade: Some("B".into()),
        ..TestFacts::default()
    };
    f.attrs.insert("城市".into(), Attr::Text("上海市".into()));
    f.attrs
        .insert("ltv".into(), Attr::Number(Number::from_f64(0.1).unwrap()));
    f.attrs.insert("vip".into(), Attr::Bool(true));
    f.attrs.insert(
        "signed".into(),
        Attr::Date(NaiveDate::from_ymd_opt(2026, 2, 1).unwrap()),
    );
    f.attrs.insert(
        "interests".into(),
        Attr::List(vec!["golf".into(), "wine".into()]),
    );
    f.attrs.insert("nickname".into(), Attr::Text(String::new()));
    f.tags.extend(["hot", "auto", "b2b"].map(str::to_owned));
    f.identities.insert("phone".into());
    f.consents
        .insert(("marketing".into(), "wecom".into()), ConsentStatus::Granted);
    let view = |category: &str, days_ago: i64| {
        let props = HashMap::from([("category".to_owned(), Attr::Text(category.to_owned()))]);
        (
            "content_view".to_owned(),
            now() - chrono::TimeDelta::days(days_ago),
            props,
        )
    };
    f.events = vec![
        view("pricing", 1),
        view("pricing", 2),
        view("pricing", 6),
        view("case", 3),
        view("pricing", 10),
    ];
    f
}
