//! Node bindings of scrm: the npm package `scrm`, a thin layer over `scrm-core`.
//!
//! Every export goes through [`run`], which catches panics and throws one kind of error: a JS
//! `Error` whose `code` is the stable kind code (`"parse"`, `"validation"`,
//! `"unsupported_version"`, `"internal"`) and whose `problems` lists `{ path, message }`.

#![deny(clippy::unwrap_used, clippy::expect_used)]

mod playbook;

use napi::bindgen_prelude::*;
use napi_derive::napi;

pub use playbook::Playbook;

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
    let message = error.to_string();
    let thrown = env
        .create_error(Error::new(Status::GenericFailure, message.clone()))
        .and_then(|mut object| {
            object.set_named_property("code", error.kind().code())?;
            object.set_named_property("kind", error.kind().code())?;
            let problems: Vec<Problem> = error.problems().iter().map(Problem::from).collect();
            object.set_named_property("problems", problems)?;
            env.throw(object)
        });
    match thrown {
        Ok(()) => Error::new(Status::PendingException, message),
        // Building the rich error failed (the environment is shutting down): a plain one will do.
        Err(_) => Error::new(Status::GenericFailure, message),
    }
}
