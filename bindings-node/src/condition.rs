//! `Condition` and `CompiledCondition`: the condition language of segments and rules.

use chrono::{DateTime, Utc};
use napi::bindgen_prelude::*;
use napi::{JsDate, JsValue};
use napi_derive::napi;
use scrm_core::ErrorKind;

use crate::{Playbook, fail, json_text, run};

/// A condition (条件) over one customer, e.g. `score >= 60 and has_tag("高意向")`, read from its
/// text form (`Condition.parse`) or its JSON form (`Condition.fromJson`); each prints back to the
/// other. Two conditions are equal when they have the same tree, whichever form each was read
/// from. To evaluate one, `compile` it against a playbook.
#[napi]
pub struct Condition {
    inner: scrm_core::Condition,
}

#[napi]
impl Condition {
    /// Reads the text form, e.g. `score >= 60 and stage in ["mql", "sql"]`.
    ///
    /// @throws {ScrmError} `code` "parse" for syntax errors, unknown names and texts beyond the
    /// limits (64 KiB, 32 levels of nesting); "validation" for comparisons that mean nothing
    /// (`stage > 3`) or bad windows. The one problem's path is ""; its message gives the line and
    /// column with a caret.
    #[napi(factory)]
    pub fn parse(env: Env, text: String) -> Result<Condition> {
        run(&env, || scrm_core::Condition::parse(&text)).map(|inner| Condition { inner })
    }

    /// Reads the JSON form: an object such as
    /// `{ all: [{ compare: { field: 'score', op: '>=', value: 60 } }, { has_tag: '高意向' }] }`,
    /// or the same as JSON text (a string).
    ///
    /// @throws {ScrmError} `code` "validation" with every problem at its JSON path
    /// (`all[1].compare.op`); "parse" for text that is not JSON or a form beyond the limits.
    #[napi(factory, ts_args_type = "json: ConditionJson | string")]
    pub fn from_json(env: Env, json: Unknown<'_>) -> Result<Condition> {
        let text = match json.get_type()? {
            ValueType::String => String::from_unknown(json)?,
            _ => json_text(&env, json, "")?,
        };
        run(&env, || scrm_core::Condition::from_json(&text)).map(|inner| Condition { inner })
    }

    /// The canonical text form, on one line; `Condition.parse` reads it back to an equal condition.
    #[napi]
    pub fn to_text(&self) -> String {
        self.inner.to_text()
    }

    /// The canonical text form (so `${condition}` and `String(condition)` read well).
    #[napi(js_name = "toString")]
    pub fn to_js_string(&self) -> String {
        self.inner.to_text()
    }

    /// The JSON form as a plain object; `Condition.fromJson` reads it back to an equal condition.
    #[napi(ts_return_type = "ConditionJson")]
    pub fn to_json(&self) -> serde_json::Value {
        self.inner.to_json_value()
    }

    /// Whether two conditions have the same tree (`a and (b and c)` equals `a and b and c`).
    #[napi]
    pub fn equals(&self, other: &Condition) -> bool {
        self.inner == other.inner
    }

    /// Resolves tag and tag-group references (ids or display names) against the playbook's
    /// taxonomy, ready to evaluate over many customers.
    ///
    /// @throws {ScrmError} `code` "validation" naming every unknown or ambiguous tag and unknown
    /// group.
    #[napi]
    pub fn compile(&self, env: Env, playbook: &Playbook) -> Result<CompiledCondition> {
        run(&env, || self.inner.compile(playbook.inner.taxonomy()))
            .map(|inner| CompiledCondition { inner })
    }
}

/// A condition compiled against a playbook's taxonomy. Build one with `Condition.compile`.
#[napi]
pub struct CompiledCondition {
    pub(crate) inner: scrm_core::CompiledCondition,
}

#[napi]
impl CompiledCondition {
    /// Whether `customer` (in the JSON shape of `docs/data-model.md`), with their earlier events
    /// `history`, satisfies the condition at `now`. The clock is never read: windows such as
    /// `within = "7d"` end at `now`, a `Date` or an RFC 3339 string (`"2026-03-15T02:00:00Z"`).
    ///
    /// `score` is the customer's score as a decimal string such as `"72.5"`, never a JS number:
    /// scores are exact decimals in scrm, and a JS number is a binary float whose value and
    /// printing drift (`0.1 + 0.2` is `0.30000000000000004`), which would flip `score >= 0.3`
    /// at exactly the thresholds rules are written at. Without it, `score` is absent.
    ///
    /// @throws {ScrmError} `code` "validation" at `now` for a time that is not a valid `Date` or
    /// RFC 3339 string, at `score` for a score that is not a decimal string, and naming each bad
    /// field of `customer` and `history`; "parse" for a value that has no JSON form.
    #[napi(
        ts_args_type = "customer: CustomerJson, now: Date | string, history?: Array<EventJson> | undefined | null, score?: string | undefined | null"
    )]
    pub fn evaluate(
        &self,
        env: Env,
        customer: Unknown<'_>,
        now: Unknown<'_>,
        history: Option<Unknown<'_>>,
        score: Option<Unknown<'_>>,
    ) -> Result<bool> {
        let now = time(&env, now, "now")?;
        let score = match score {
            None => None,
            Some(s) if s.get_type()? == ValueType::String => Some(String::from_unknown(s)?),
            Some(s) => {
                return Err(fail(
                    &env,
                    ErrorKind::Validation,
                    "score",
                    format!(
                        "the score must be a decimal string such as \"72.5\", found a {}",
                        type_name(s.get_type()?)
                    ),
                ));
            }
        };
        let customer = json_text(&env, customer, "customer")?;
        let history = match history {
            Some(h) => json_text(&env, h, "history")?,
            None => "[]".to_owned(),
        };
        run(&env, || {
            scrm_core::evaluate_json(&self.inner, &customer, &history, score.as_deref(), now)
        })
    }

    /// The condition this was compiled from.
    #[napi(getter)]
    pub fn condition(&self) -> Condition {
        Condition {
            inner: self.inner.condition().clone(),
        }
    }
}

/// Reads a time: a `Date` (a valid one) or an RFC 3339 string.
pub(crate) fn time(env: &Env, value: Unknown<'_>, what: &str) -> Result<DateTime<Utc>> {
    let ty = value.get_type()?;
    if ty == ValueType::String {
        let text = String::from_unknown(value)?;
        return run(env, || scrm_core::parse_time(&text, what));
    }
    if ty == ValueType::Object && value.is_date()? {
        let millis = JsDate::from_unknown(value)?.value_of()?;
        // An invalid `Date` holds NaN; a valid one is a whole number of milliseconds within
        // ±8.64e15, which chrono represents.
        if millis.is_finite()
            && let Some(t) = DateTime::from_timestamp_millis(millis as i64)
        {
            return Ok(t);
        }
        return Err(fail(
            env,
            ErrorKind::Validation,
            what,
            "invalid Date (its time is NaN)",
        ));
    }
    Err(fail(
        env,
        ErrorKind::Validation,
        what,
        format!(
            "expected a Date or an RFC 3339 string like \"2026-03-15T02:00:00Z\", found a {}",
            type_name(ty)
        ),
    ))
}

pub(crate) fn type_name(ty: ValueType) -> &'static str {
    match ty {
        ValueType::Undefined => "undefined",
        ValueType::Null => "null",
        ValueType::Boolean => "boolean",
        ValueType::Number => "number",
        ValueType::String => "string",
        ValueType::Symbol => "symbol",
        ValueType::Object => "object",
        ValueType::Function => "function",
        _ => "value of another type",
    }
}
