//! Property tests: the parsers never panic, both forms round-trip any tree, and `!=` / `not in` /
//! `not` are exact negations on any customer.

use chrono::{NaiveDate, TimeDelta};
use proptest::collection::{btree_map, hash_map, hash_set, vec};
use proptest::option;
use proptest::prelude::*;
use proptest::sample::select;

use super::ast::{Count, Field, Literal, Node, Op, TagTest, Value, Window};
use super::facts::EventFilter;
use super::*;
use crate::customer::ConsentStatus;

const TAGS: [&str; 8] = [
    "hot",
    "cold",
    "高意向",
    "低意向",
    "汽车",
    "auto",
    "edu",
    "教育",
];
const TAG_IDS: [&str; 6] = ["hot", "cold", "vip_a", "auto", "edu", "vip_b"];
const GROUPS: [&str; 5] = ["intent", "意向", "industry", "行业", "empty"];
const ATTRS: [&str; 7] = [
    "城市",
    "ltv",
    "vip",
    "signed",
    "interests",
    "first name",
    "and",
];
const TEXTS: [&str; 8] = [
    "a",
    "上海",
    "mql",
    "sql",
    "quote\"\\\n\t",
    "é",
    "a b",
    "\u{1}",
];
const CONSENT: [&str; 3] = ["granted", "denied", "withdrawn"];
const PURPOSES: [&str; 2] = ["marketing", "profiling"];
const CHANNELS: [&str; 2] = ["wecom", "sms"];
const EVENTS: [&str; 2] = ["content_view", "share"];
const IDENTITIES: [&str; 3] = ["phone", "email", "my_crm"];

fn text() -> impl Strategy<Value = String> {
    select(&TEXTS[..]).prop_map(str::to_owned)
}

fn number() -> impl Strategy<Value = Number> {
    (-1_000_000i64..1_000_000, 0u32..5)
        .prop_map(|(m, scale)| format!("{m}e-{scale}").parse().unwrap())
}

fn date() -> impl Strategy<Value = NaiveDate> {
    (0i64..800).prop_map(|d| NaiveDate::from_ymd_opt(2025, 1, 1).unwrap() + TimeDelta::days(d))
}

fn literal() -> BoxedStrategy<Literal> {
    prop_oneof![
        number().prop_map(Literal::Number),
        text().prop_map(Literal::Text),
        any::<bool>().prop_map(Literal::Bool),
        date().prop_map(Literal::Date),
    ]
    .boxed()
}

fn ordered_literal() -> BoxedStrategy<Literal> {
    prop_oneof![
        number().prop_map(Literal::Number),
        date().prop_map(Literal::Date)
    ]
    .boxed()
}

fn value(op: Op, literal: BoxedStrategy<Literal>) -> BoxedStrategy<Value> {
    if matches!(op, Op::In | Op::NotIn) {
        vec(literal, 0..4).prop_map(Value::List).boxed()
    } else {
        literal.prop_map(Value::One).boxed()
    }
}

fn attr_field() -> impl Strategy<Value = Field> {
    select(&ATTRS[..]).prop_map(|a| Field::Attr(a.to_owned()))
}

fn consent_field() -> impl Strategy<Value = Field> {
    (select(&PURPOSES[..]), select(&CHANNELS[..])).prop_map(|(p, c)| Field::Consent {
        purpose: p.to_owned(),
        channel: c.to_owned(),
    })
}

fn any_field() -> BoxedStrategy<Field> {
    prop_oneof![
        Just(Field::Score),
        Just(Field::Stage),
        Just(Field::Owner),
        Just(Field::Grade),
        attr_field(),
        consent_field(),
    ]
    .boxed()
}

/// A comparison the language accepts: the operator and value fit the field.
fn compare() -> BoxedStrategy<Node> {
    use Op::*;
    let score = select(vec![Eq, Ne, Lt, Le, Gt, Ge, In, NotIn])
        .prop_flat_map(|op| {
            (
                Just(op),
                value(op, number().prop_map(Literal::Number).boxed()),
            )
        })
        .prop_map(|(op, value)| (Field::Score, op, value));
    let texts = (
        select(vec![Field::Stage, Field::Owner, Field::Grade]),
        select(vec![Eq, Ne, In, NotIn, Contains]),
    )
        .prop_flat_map(|(f, op)| {
            (
                Just(f),
                Just(op),
                value(op, text().prop_map(Literal::Text).boxed()),
            )
        });
    let consent = (consent_field(), select(vec![Eq, Ne, In, NotIn])).prop_flat_map(|(f, op)| {
        let names = select(&CONSENT[..])
            .prop_map(|c| Literal::Text(c.to_owned()))
            .boxed();
        (Just(f), Just(op), value(op, names))
    });
    let attr = (attr_field(), select(Op::ALL.to_vec())).prop_flat_map(|(f, op)| {
        let literals = match op {
            Lt | Le | Gt | Ge => ordered_literal(),
            Contains => text().prop_map(Literal::Text).boxed(),
            _ => literal(),
        };
        (Just(f), Just(op), value(op, literals))
    });
    prop_oneof![score, texts, consent, attr]
        .prop_map(|(field, op, value)| Node::Compare { field, op, value })
        .boxed()
}

fn count() -> impl Strategy<Value = Node> {
    let properties = btree_map(
        select(vec!["category", "amount", "渠道"]),
        prop_oneof![
            text().prop_map(Literal::Text),
            number().prop_map(Literal::Number)
        ],
        0..3,
    );
    let window = option::of(select(vec!["30m", "12h", "7d", "4w", "100000d"]));
    let op = select(vec![Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge]);
    (select(&EVENTS[..]), properties, window, op, 0u64..6).prop_map(
        |(event, properties, window, op, value)| {
            let properties: Vec<(String, Literal)> = properties
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect();
            Node::Count(Count {
                filter: EventFilter::new(event.to_owned(), properties).unwrap(),
                within: window.map(|w| Window::parse(w).unwrap()),
                op,
                value,
            })
        },
    )
}

fn leaf() -> BoxedStrategy<Node> {
    let tags = vec(select(&TAGS[..]).prop_map(str::to_owned), 0..4);
    prop_oneof![
        4 => compare(),
        1 => any_field().prop_map(Node::Missing),
        1 => any_field().prop_map(Node::Exists),
        2 => (select(vec![TagTest::Any, TagTest::All, TagTest::None]), tags)
            .prop_map(|(test, tags)| Node::Tags(test, tags)),
        1 => select(&GROUPS[..]).prop_map(|g| Node::HasTagInGroup(g.to_owned())),
        1 => select(&IDENTITIES[..]).prop_map(|k| Node::HasIdentity(k.to_owned())),
        2 => count(),
        1 => Just(Node::All(Vec::new())),
        1 => Just(Node::Any(Vec::new())),
    ]
    .boxed()
}

fn tree() -> impl Strategy<Value = Node> {
    leaf().prop_recursive(5, 48, 5, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..5).prop_map(Node::all),
            vec(inner.clone(), 0..5).prop_map(Node::any),
            inner.prop_map(|n| Node::Not(Box::new(n))),
        ]
    })
}

fn attr_value() -> impl Strategy<Value = Attr> {
    prop_oneof![
        text().prop_map(Attr::Text),
        Just(Attr::Text(String::new())),
        number().prop_map(Attr::Number),
        any::<bool>().prop_map(Attr::Bool),
        date().prop_map(Attr::Date),
        vec(text(), 0..3).prop_map(Attr::List),
    ]
}

fn facts() -> impl Strategy<Value = TestFacts> {
    let basics = (
        option::of(number()),
        option::of(text()),
        option::of(text()),
        option::of(text()),
    );
    let attrs = hash_map(
        select(&ATTRS[..]).prop_map(str::to_owned),
        attr_value(),
        0..5,
    );
    let tags = hash_set(select(&TAG_IDS[..]).prop_map(str::to_owned), 0..4);
    let consents = hash_map(
        (select(&PURPOSES[..]), select(&CHANNELS[..]))
            .prop_map(|(p, c)| (p.to_owned(), c.to_owned())),
        select(vec![
            ConsentStatus::Granted,
            ConsentStatus::Denied,
            ConsentStatus::Withdrawn,
        ]),
        0..3,
    );
    let identities = hash_set(select(&IDENTITIES[..]).prop_map(str::to_owned), 0..3);
    let event = (
        select(&EVENTS[..]),
        0i64..60 * 24 * 40,
        hash_map(
            select(vec!["category", "amount"]).prop_map(str::to_owned),
            attr_value(),
            0..2,
        ),
    )
        .prop_map(|(e, minutes, props)| (e.to_owned(), now() - TimeDelta::minutes(minutes), props));
    (basics, attrs, tags, consents, identities, vec(event, 0..8)).prop_map(
        |((score, stage, owner, grade), attrs, tags, consents, identities, events)| TestFacts {
            score,
            stage,
            owner,
            grade,
            attrs,
            tags,
            consents,
            identities,
            events,
        },
    )
}

/// Words and symbols of the language, to build text that is nearly a condition.
const TOKENS: [&str; 52] = [
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    "=",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "and",
    "or",
    "not",
    "in",
    "contains",
    "true",
    "false",
    "score",
    "stage",
    "owner",
    "grade",
    "attr",
    "consent",
    "has_tag",
    "has_any_tag",
    "has_all_tags",
    "has_none_of",
    "has_tag_in_group",
    "has_identity",
    "missing",
    "exists",
    "count",
    "event",
    "within",
    "date",
    "\"7d\"",
    "\"高意向\"",
    "\"2026-03-01\"",
    "\"granted\"",
    "1",
    "-2.5",
    "0.1",
    "城市",
    "\"",
    "\\",
    "&&",
    "\n",
    "{",
    "}",
    ":",
];

fn token_soup() -> impl Strategy<Value = String> {
    (vec(select(&TOKENS[..]), 0..40), any::<bool>())
        .prop_map(|(tokens, spaced)| tokens.join(if spaced { " " } else { "" }))
}

fn cut(text: &str, a: usize, b: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    let (a, b) = (a % (chars.len() + 1), b % (chars.len() + 1));
    let (a, b) = (a.min(b), a.max(b));
    chars[..a].iter().chain(&chars[b..]).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn the_readers_never_panic_on_arbitrary_text(text in any::<String>()) {
        let _ = Condition::parse(&text);
        let _ = Condition::from_json(&text);
    }

    #[test]
    fn the_readers_never_panic_on_near_conditions(text in token_soup(), t in tree(), a: usize, b: usize) {
        let _ = Condition::parse(&text);
        let _ = Condition::from_json(&text);
        let c = Condition { root: t };
        let _ = Condition::parse(&cut(&c.to_text(), a, b));
        let _ = Condition::from_json(&cut(&c.to_json(), a, b));
    }

    #[test]
    fn both_forms_round_trip_any_tree(t in tree(), f in facts()) {
        let c = Condition { root: t };
        let from_text = Condition::parse(&c.to_text()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&from_text, &c);
        let from_json = Condition::from_json(&c.to_json()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&from_json, &c);
        let taxonomy = taxonomy();
        let (a, b) = (from_text.compile(&taxonomy).unwrap(), from_json.compile(&taxonomy).unwrap());
        prop_assert_eq!(a.evaluate(&f, now()), b.evaluate(&f, now()));
    }

    #[test]
    fn negations_are_exact_on_any_customer(node in compare(), t in tree(), f in facts()) {
        let taxonomy = taxonomy();
        let eval = |root: Node| Condition { root }.compile(&taxonomy).unwrap().evaluate(&f, now());
        let Node::Compare { field, op, value } = node else { unreachable!() };
        let flipped = match op {
            Op::Eq => Some(Op::Ne),
            Op::In => Some(Op::NotIn),
            _ => None,
        };
        if let Some(flipped) = flipped {
            let positive = eval(Node::Compare { field: field.clone(), op, value: value.clone() });
            let negative = eval(Node::Compare { field, op: flipped, value });
            prop_assert_eq!(positive, !negative);
        }
        prop_assert_eq!(eval(Node::Not(Box::new(t.clone()))), !eval(t));
    }
}

#[test]
fn the_strategies_cover_the_fixtures() {
    // Keeps the fixtures honest: every pool value the strategies draw resolves in the taxonomy.
    let taxonomy = taxonomy();
    for tag in TAGS {
        let c = Condition {
            root: Node::Tags(TagTest::Any, vec![tag.to_owned()]),
        };
        assert!(c.compile(&taxonomy).is_ok(), "{tag}");
    }
    for group in GROUPS {
        let c = Condition {
            root: Node::HasTagInGroup(group.to_owned()),
        };
        assert!(c.compile(&taxonomy).is_ok(), "{group}");
    }
}
