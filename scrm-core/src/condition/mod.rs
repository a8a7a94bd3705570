//! Conditions (条件) and segments (分群). The language is documented on [`Condition`], the public
//! noun users meet; this module only wires the parts together: `lexer` → `parser` (text form) and
//! `json` (JSON form) build the `ast` tree, `print` writes it back, `compile` resolves it against a
//! taxonomy and `eval` runs it over [`Facts`].

mod ast;
mod compile;
mod eval;
mod excerpt;
pub(crate) mod facts;
mod json;
mod lexer;
mod number;
mod parser;
mod print;
mod segment;

#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};

pub use facts::{AttrValue, EventFilter, Facts};
pub use number::Number;
pub use segment::Segment;

use crate::error::{Error, Result};
use crate::playbook::Taxonomy;
use ast::Node;
use compile::CNode;

/// The deepest nesting of `and`, `or` and `not` in a condition (and of `(` and `not` in its text).
pub const MAX_CONDITION_DEPTH: usize = 32;

/// The longest condition text accepted, in bytes (64 KiB). A JSON form may be up to 16 times
/// longer, but must describe a condition whose text form fits.
pub const MAX_CONDITION_BYTES: usize = 64 * 1024;

/// The most values in one list of a condition (`in [...]`, `has_any_tag([...])`, ...).
pub const MAX_CONDITION_LIST_ITEMS: usize = 10_000;

const MAX_DEPTH: usize = MAX_CONDITION_DEPTH;
const MAX_TEXT_BYTES: usize = MAX_CONDITION_BYTES;
const MAX_LIST_ITEMS: usize = MAX_CONDITION_LIST_ITEMS;

/// A condition (条件) over one customer, read from its text or JSON form.
///
/// One language serves segments, tag rules, scoring fit rules, lifecycle guards and pool rules. It
/// has a text form people write and a JSON form UIs build; both parse to the same tree, and each
/// prints back to the other. Two conditions are equal when they have the same tree, whichever form
/// each was read from: nested `and`s are flattened (`a and (b and c)` equals `a and b and c`) and a
/// one-element group is its element. To evaluate one, [compile](Condition::compile) it
/// against the playbook's taxonomy (tag names become tag ids) and ask the [`CompiledCondition`]
/// about any customer that implements [`Facts`].
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use scrm_core::{Condition, Playbook};
///
/// let text = r#"score >= 60 and has_tag("高意向") and stage in ["mql", "sql"]
///               and count(event = "content_view", within = "7d") >= 3"#;
/// let condition = Condition::parse(text)?;
/// let json = condition.to_json();
/// assert_eq!(Condition::from_json(&json)?, condition);
/// assert_eq!(Condition::parse(&condition.to_text())?, condition);
///
/// let playbook = Playbook::from_json(r#"{ "schema_version": 1, "tenant_id": "acme",
///     "timezone": "Asia/Shanghai", "taxonomy": { "groups": [{ "id": "intent", "name": "意向",
///     "tags": [{ "id": "hot", "name": "高意向" }] }] } }"#)?;
/// let compiled = condition.compile(playbook.taxonomy())?;
/// # let _ = (compiled, Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0));
/// // compiled.evaluate(&customer, now) -> bool, for any customer implementing `Facts`.
/// # Ok::<(), scrm_core::Error>(())
/// ```
///
/// # The text form
///
/// ```text
/// condition  = or
/// or         = and { "or" and }                       precedence: not > and > or
/// and        = unary { "and" unary }
/// unary      = "not" unary | primary
/// primary    = "(" condition ")" | "true" | "false" | comparison | function
/// comparison = field ("=" | "!=" | "<" | "<=" | ">" | ">=") value
///            | field ("in" | "not" "in") "[" [ value { "," value } [","] ] "]"
///            | field "contains" string
///            | "count" "(" "event" "=" string { "," name "=" value } [ "," "within" "=" string ] ")"
///                  ("=" | "!=" | "<" | "<=" | ">" | ">=") whole-number
/// field      = "score" | "stage" | "owner" | "grade"
///            | "attr" "." name | "attr" "(" string ")"          custom attributes
///            | "consent" "(" string "," string ")"              purpose, channel
/// function   = "has_tag" "(" string ")"                         tag id or display name
///            | ("has_any_tag" | "has_all_tags" | "has_none_of") "(" "[" strings "]" ")"
///            | "has_tag_in_group" "(" string ")"                group id or display name
///            | "has_identity" "(" string ")"                    phone, email, wechat_unionid, ...
///            | ("missing" | "exists") "(" field ")"
/// value      = number | string | "true" | "false" | "date" "(" "\"YYYY-MM-DD\"" ")"
/// ```
///
/// - **Names** (`attr.城市`, event properties) are Unicode letters, digits and `_`, not starting
///   with a digit; other attribute names use `attr("first-name")`. Keywords are lower case.
/// - **Strings** are double-quoted with JSON escapes (`\"`, `\\`, `\n`, `\t`, `\uXXXX`, ...).
/// - **Numbers** are `-?digits[.digits]`, exact decimals ([`Number`]) with at most 15 significant
///   digits, so they survive JSON in every host language unchanged.
/// - **Windows** (`within`) are a whole number from 1 to 100,000 and a unit, as every duration of
///   a playbook: `30m`, `12h`, `7d`, `4w`. They end at the `now` passed to
///   [`CompiledCondition::evaluate`]; without `within`, `count` counts all history. Event
///   properties in `count` are tested with `=`.
/// - `true` is the empty `and` and `false` the empty `or`.
/// - `consent(...)` is ([`ConsentStatus`](crate::ConsentStatus)) one of `"granted"`, `"denied"`, `"withdrawn"` (or missing: never recorded).
///
/// # The JSON form
///
/// Every node is an object with exactly one key; unknown keys are refused.
///
/// | JSON | text |
/// |---|---|
/// | `{"all": [c, ...]}` / `{"any": [c, ...]}` | `c and ...` / `c or ...` (`true` / `false` when empty) |
/// | `{"not": c}` | `not c` |
/// | `{"compare": {"field": f, "op": ">=", "value": 60}}` | `f >= 60`; `op` is any operator as written in text, including `"in"`, `"not in"` and `"contains"` (list `value` for `in` / `not in`) |
/// | `{"missing": f}` / `{"exists": f}` | `missing(f)` / `exists(f)` |
/// | `{"has_tag": "x"}`, `{"has_any_tag": ["x"]}`, `{"has_all_tags": [...]}`, `{"has_none_of": [...]}` | the same functions |
/// | `{"has_tag_in_group": "意向"}`, `{"has_identity": "phone"}` | the same functions |
/// | `{"count": {"event": "v", "where": {"category": "pricing"}, "within": "7d", "op": ">=", "value": 3}}` | `count(event = "v", category = "pricing", within = "7d") >= 3` (`where` and `within` optional) |
///
/// A field `f` is `"score"`, `"stage"`, `"owner"`, `"grade"`, `{"attr": "城市"}` or
/// `{"consent": {"purpose": "marketing", "channel": "wecom"}}`. A value is a JSON number, string or
/// boolean, or `{"date": "2026-03-01"}`.
///
/// ```
/// use scrm_core::Condition;
///
/// let json = r#"{"all": [
///     {"compare": {"field": "score", "op": ">=", "value": 60}},
///     {"has_tag": "高意向"},
///     {"compare": {"field": "stage", "op": "in", "value": ["mql", "sql"]}},
///     {"count": {"event": "content_view", "within": "7d", "op": ">=", "value": 3}}
/// ]}"#;
/// assert_eq!(
///     Condition::from_json(json)?.to_text(),
///     r#"score >= 60 and has_tag("高意向") and stage in ["mql", "sql"] and count(event = "content_view", within = "7d") >= 3"#
/// );
/// # Ok::<(), scrm_core::Error>(())
/// ```
///
/// # Meaning
///
/// **Absent values (PIN).** A customer without the value (including empty text and empty lists)
/// fails `=`, `<`, `<=`, `>`, `>=`, `contains` and `in`, and satisfies `!=`, `not in` and
/// `missing`. `has_none_of` holds for a customer without tags. `f != v` is exactly
/// `not (f = v)` and `f not in [...]` exactly `not (f in [...])`, whatever the customer holds.
///
/// | test | value absent | value of another kind |
/// |---|---|---|
/// | `=`, `<`, `<=`, `>`, `>=`, `contains`, `in` | false | false |
/// | `!=`, `not in` | true | true |
/// | `missing(f)` / `exists(f)` | true / false | false / true |
///
/// **Kinds.** Values are compared only with values of the same kind, never converted: the text
/// `"60"` is not equal to the number `60`. `score` is a number; `stage`, `owner` and `grade` are
/// text; so comparing them with the wrong kind is refused when the condition is read. Custom
/// attributes may hold any kind ([`AttrValue`]); a mismatch is found at evaluation and is false (for
/// `!=` and `not in`, true). `<`, `<=`, `>`, `>=` compare numbers or dates. `contains` finds a
/// substring in text or an element in a list; `in` on a list attribute holds when the lists
/// overlap. Text comparisons are exact (case-sensitive).
///
/// **`not`** is plain negation: `not score >= 60` holds for a customer with no score, while
/// `score < 60` does not.
///
/// **Tags** are referenced by id or display name; [`Condition::compile`] resolves both to ids (an
/// id wins over a name; a name shared by tags of two groups is refused as ambiguous).
///
/// # Limits and errors
///
/// A condition's text is at most [`MAX_CONDITION_BYTES`], it nests at most
/// [`MAX_CONDITION_DEPTH`] levels of `and` / `or` / `not` (and of `(` and `not` in text), and a
/// list holds at most [`MAX_CONDITION_LIST_ITEMS`] values. Beyond, reading fails with an error: a
/// hostile rule never overflows the stack.
///
/// Syntax errors in text, unknown names and limits are [`ErrorKind::Parse`](crate::ErrorKind::Parse)
/// errors; comparisons that mean nothing (`stage > 3`), invalid dates or windows and unknown tags are
/// [`ErrorKind::Validation`](crate::ErrorKind::Validation). Errors in text give the line, the column,
/// what was expected and what was found, with the line and a caret:
///
/// ```
/// let err = scrm_core::Condition::parse("score >= 60 and (stage = \"sql\"]").unwrap_err();
/// assert_eq!(err.problems()[0].message, "\
/// line 1, column 31: expected one of `)`, `and`, `or`, found `]`
///   score >= 60 and (stage = \"sql\"]
///                                 ^");
/// ```
///
/// JSON errors are all reported at once, each at its JSON path. Callers embedding a condition in a
/// larger document pass their own path to [`Condition::parse_at`],
/// [`Condition::from_json_value_at`] and [`Condition::compile_at`].
#[derive(Clone, PartialEq, Eq)]
pub struct Condition {
    root: Node,
}

impl Condition {
    /// Reads the text form, e.g. `score >= 60 and has_tag("高意向")`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`](crate::ErrorKind::Parse) for syntax errors, unknown names and texts
    /// beyond the limits; [`ErrorKind::Validation`](crate::ErrorKind::Validation) for comparisons
    /// that mean nothing. The one problem's path is empty; its message locates the error.
    pub fn parse(text: &str) -> Result<Condition> {
        Condition::parse_at(text, "")
    }

    /// Like [`Condition::parse`], reporting the problem at `path` (e.g. `lifecycle.stages[2].guard`).
    pub fn parse_at(text: &str, path: &str) -> Result<Condition> {
        parser::parse(text, path).map(|root| Condition { root })
    }

    /// Reads the JSON form from JSON text.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Parse`](crate::ErrorKind::Parse) when the text is not JSON or exceeds the limits,
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) with every problem otherwise, each at
    /// its JSON path (`all[1].compare.op`).
    pub fn from_json(text: &str) -> Result<Condition> {
        json::from_str(text, "").map(|root| Condition { root })
    }

    /// Reads the JSON form from a parsed JSON value. Errors as for [`Condition::from_json`].
    pub fn from_json_value(value: &serde_json::Value) -> Result<Condition> {
        Condition::from_json_value_at(value, "")
    }

    /// Like [`Condition::from_json_value`], with problem paths under `path`.
    pub fn from_json_value_at(value: &serde_json::Value, path: &str) -> Result<Condition> {
        json::from_value(value, path).map(|root| Condition { root })
    }

    /// The canonical text form: one line, which [`Condition::parse`] reads back to an equal
    /// condition.
    pub fn to_text(&self) -> String {
        print::to_text(&self.root)
    }

    /// The JSON form as compact JSON text, which [`Condition::from_json`] reads back to an equal
    /// condition.
    pub fn to_json(&self) -> String {
        self.to_json_value().to_string()
    }

    /// The JSON form as a JSON value.
    pub fn to_json_value(&self) -> serde_json::Value {
        json::to_value(&self.root)
    }

    /// The event filters of every `count(...)` in the condition, in order; an event store can use
    /// them to know which events a condition reads.
    pub fn event_filters(&self) -> impl Iterator<Item = &EventFilter> {
        let mut filters = Vec::new();
        self.root.visit(&mut |node| {
            if let Node::Count(count) = node {
                filters.push(&count.filter);
            }
        });
        filters.into_iter()
    }

    /// Whether the condition reads `score` (or `grade` with `grade = true`); the engine computes
    /// the score for a condition only when it does.
    pub(crate) fn reads_score_or_grade(&self, grade: bool) -> bool {
        let mut found = false;
        self.root.visit(&mut |node| {
            let field = match node {
                Node::Compare { field, .. } | Node::Missing(field) | Node::Exists(field) => field,
                _ => return,
            };
            let wanted = if grade {
                ast::Field::Grade
            } else {
                ast::Field::Score
            };
            found |= *field == wanted;
        });
        found
    }

    /// Every `count(...)` of the condition: its filter and its window (`None`: all history).
    pub(crate) fn counts(&self) -> Vec<(&EventFilter, Option<chrono::TimeDelta>)> {
        let mut counts = Vec::new();
        self.root.visit(&mut |node| {
            if let Node::Count(count) = node {
                counts.push((&count.filter, count.within.map(ast::Window::duration)));
            }
        });
        counts
    }

    /// Resolves tag and tag-group references (ids or display names) against `taxonomy`, ready to
    /// evaluate.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Validation`](crate::ErrorKind::Validation) naming every unknown or ambiguous
    /// tag and unknown group.
    pub fn compile(&self, taxonomy: &Taxonomy) -> Result<CompiledCondition> {
        self.compile_at(taxonomy, "")
    }

    /// Like [`Condition::compile`], reporting problems at `path`.
    pub fn compile_at(&self, taxonomy: &Taxonomy, path: &str) -> Result<CompiledCondition> {
        let root = compile::compile(&self.root, taxonomy, path)?;
        Ok(CompiledCondition {
            root,
            source: self.clone(),
        })
    }
}

impl fmt::Display for Condition {
    /// The canonical text form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_text())
    }
}

impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Condition").field(&self.to_text()).finish()
    }
}

impl FromStr for Condition {
    type Err = Error;

    /// Same as [`Condition::parse`].
    fn from_str(text: &str) -> Result<Condition> {
        Condition::parse(text)
    }
}

/// Serialises as the JSON form.
impl serde::Serialize for Condition {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        self.to_json_value().serialize(serializer)
    }
}

/// Reads either form: a string is the text form, an object the JSON form. Playbooks may so write
/// `guard = "score >= 60"` in TOML, while a UI stores the JSON form.
impl<'de> serde::Deserialize<'de> for Condition {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Condition, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        let read = match &value {
            serde_json::Value::String(text) => Condition::parse(text),
            other => Condition::from_json_value(other),
        };
        read.map_err(serde::de::Error::custom)
    }
}

/// A condition resolved against a taxonomy, ready to evaluate over many customers.
#[derive(Debug, Clone)]
pub struct CompiledCondition {
    root: CNode,
    source: Condition,
}

impl CompiledCondition {
    /// Whether the customer described by `facts` satisfies the condition at `now`.
    ///
    /// Windows (`within = "7d"`) end at `now`; the clock is never read. Evaluation does not
    /// allocate, so it suits batch runs over millions of customers.
    pub fn evaluate<F: Facts + ?Sized>(&self, facts: &F, now: DateTime<Utc>) -> bool {
        self.root.eval(facts, now)
    }

    /// The condition this was compiled from.
    pub fn condition(&self) -> &Condition {
        &self.source
    }
}
