//! Node bindings of scrm: the npm package `scrm`, a thin layer over `scrm-core`.
//!
//! Every export goes through [`run`], which catches panics and throws one kind of error: a JS
//! `Error` whose `code` is the stable kind code (`"parse"`, `"validation"`,
//! `"unsupported_version"`, `"internal"`) and whose `problems` lists `{ path, message }`.
//! The async exports catch panics on the worker thread and reject with the same error
//! ([`rejection`]). Documents cross as JSON: [`json_text`] writes a JS value with
//! `JSON.stringify`, [`document`] runs the core's `*_json` function and reads its output back.

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod account;
mod analytics;
mod billing;
mod condition;
mod cps;
mod engine;
mod identity;
mod playbook;
mod pool;
mod segment;
mod tagging;

use napi::bindgen_prelude::*;
use napi_derive::napi;
use scrm_core::ErrorKind;

pub use account::{DecisionChain, decision_chain};
pub use analytics::{became, cohorts, cost_per_lead, fission, funnel, propagation, report_html};
pub use billing::{Pricing, advance_fees, meter, price};
pub use condition::{CompiledCondition, Condition};
pub use cps::{attribute, commission, commission_statement, consume, pack_ladder, purchase};
pub use engine::Engine;
pub use identity::{Identity, merge, normalize_identity, resolve, resolve_aliases};
pub use playbook::Playbook;
pub use pool::Pool;
pub use segment::Segment;
pub use tagging::{Provenance, TagChange, TagEventResult, Tagger};

/// One problem of an input: where it is and what is wrong.
#[napi(object)]
pub struct Problem {
    /// Dotted path of the field at fault, e.g. `taxonomy.groups[2].tags[0].id`; "" for the root.
    pub path: String,
    /// What is wrong, naming the offending value.
    pub message: String,
}

impl From<&scrm_core::Problem> for Problem {
    fn from(p: &scrm_core::Problem) -> Problem {
        Problem {
            path: p.path.clone(),
            message: p.message.clone(),
        }
    }
}

/// The version of the library, the same string as the Rust crate and the other bindings.
#[napi]
pub fn version() -> String {
    scrm_core::VERSION.to_owned()
}

/// Runs core work with panics caught; an error is thrown as a JS `Error` with `code` and `problems`.
pub(crate) fn run<T>(env: &Env, work: impl FnOnce() -> scrm_core::Result<T>) -> Result<T> {
    scrm_core::catch_panic(work).map_err(|e| throw(env, &e))
}

/// Throws `error` as a JS `Error` carrying `code`, `kind` and `problems`, and returns the marker
/// that tells napi the exception is already pending.
fn throw(env: &Env, error: &scrm_core::Error) -> Error {
    throw_parts(env, error.kind(), &error.to_string(), error.problems())
}

/// Throws an error found by the binding itself (a JS value that is not JSON, a `now` that is not a
/// time), in the same shape as the core's: one problem at `path`.
pub(crate) fn fail(env: &Env, kind: ErrorKind, path: &str, message: impl Into<String>) -> Error {
    let problem = scrm_core::Problem {
        path: path.to_owned(),
        message: message.into(),
    };
    // The core's wording: `kind: path: message`, `(root)` for the empty path.
    let text = format!("{kind}: {problem}");
    throw_parts(env, kind, &text, std::slice::from_ref(&problem))
}

fn throw_parts(
    env: &Env,
    kind: ErrorKind,
    message: &str,
    problems: &[scrm_core::Problem],
) -> Error {
    let thrown = error_object(env, kind, message, problems).and_then(|object| env.throw(object));
    match thrown {
        Ok(()) => Error::new(Status::PendingException, message.to_owned()),
        // Building the rich error failed (the environment is shutting down): a plain one will do.
        Err(_) => Error::new(Status::GenericFailure, message.to_owned()),
    }
}

/// The JS `Error` of a scrm error: `code`, `kind` and `problems` set.
fn error_object<'env>(
    env: &'env Env,
    kind: ErrorKind,
    message: &str,
    problems: &[scrm_core::Problem],
) -> Result<Object<'env>> {
    let mut object = env.create_error(Error::new(Status::GenericFailure, message.to_owned()))?;
    object.set_named_property("code", kind.code())?;
    object.set_named_property("kind", kind.code())?;
    let problems: Vec<Problem> = problems.iter().map(Problem::from).collect();
    object.set_named_property("problems", problems)?;
    Ok(object)
}

/// The rejection of a promise for a scrm error: the same JS `Error` as [`run`] throws, carried
/// by reference (an async task cannot throw; it returns the error its promise rejects with).
pub(crate) fn rejection(env: &Env, error: &scrm_core::Error) -> Error {
    let message = error.to_string();
    match error_object(env, error.kind(), &message, error.problems()) {
        Ok(object) => Error::from(object.to_unknown()),
        Err(_) => Error::new(Status::GenericFailure, message),
    }
}

/// Writes a JS value as JSON text with the engine's own `JSON.stringify`, so a customer, event or
/// policy means exactly what it would mean sent over HTTP: `Date`s become RFC 3339 strings,
/// `toJSON` is honoured, `undefined` properties are left out.
///
/// This is also what keeps hostile input from crashing the process: V8 refuses cycles and
/// nesting too deep for its stack with an exception, thrown here as a `parse` error at `what`,
/// where a recursive conversion in Rust would overflow the native stack. `undefined`, functions
/// and symbols (which have no JSON form) read as `null`, which the core then refuses with a
/// `validation` error naming `what`.
pub(crate) fn json_text(env: &Env, value: Unknown<'_>, what: &str) -> Result<String> {
    let written = env
        .get_global()
        .and_then(|global| global.get_named_property::<Object>("JSON"))
        .and_then(|json| json.get_named_property::<Function<Unknown, Unknown>>("stringify"))
        .and_then(|stringify| stringify.call(value));
    match written {
        Ok(text) if text.get_type()? == ValueType::String => String::from_unknown(text),
        Ok(_) => Ok("null".to_owned()),
        Err(e) => Err(fail(
            env,
            ErrorKind::Parse,
            what,
            format!("cannot be written as JSON: {}", e.reason),
        )),
    }
}

/// Runs a core document function (JSON text in, JSON text out) with panics caught and reads its
/// output back into a JS value: the one path every document call (engine, pool, social, analytics,
/// billing, CPS, packs) takes.
pub(crate) fn document<'env>(
    env: &'env Env,
    work: impl FnOnce() -> scrm_core::Result<String>,
) -> Result<Unknown<'env>> {
    // `JSON.parse` builds the objects far faster than one N-API call per property would.
    let text = run(env, work)?;
    parse_json(env, text)
}

/// [`json_text`] for an optional argument: `undefined` and `null` are absent.
pub(crate) fn optional_json(
    env: &Env,
    value: Option<Unknown<'_>>,
    what: &str,
) -> Result<Option<String>> {
    match value {
        None => Ok(None),
        Some(v) if matches!(v.get_type()?, ValueType::Undefined | ValueType::Null) => Ok(None),
        Some(v) => json_text(env, v, what).map(Some),
    }
}

/// Reads JSON text the core wrote with the engine's own `JSON.parse` (numbers, at most 53 bits in
/// scrm's documents, become JS numbers).
pub(crate) fn parse_json<'env>(env: &'env Env, text: String) -> Result<Unknown<'env>> {
    env.get_global()?
        .get_named_property::<Object>("JSON")?
        .get_named_property::<Function<String, Unknown>>("parse")?
        .call(text)
}

/// Reads JSON text the core wrote back into a JS value.
pub(crate) fn json_value(env: &Env, text: &str) -> Result<serde_json::Value> {
    serde_json::from_str(text).map_err(|e| {
        throw(
            env,
            &scrm_core::Error::internal(format!("scrm wrote JSON it cannot read back: {e}")),
        )
    })
}
