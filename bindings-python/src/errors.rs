//! The one place core errors become Python exceptions.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyList;
use scrm_core::ErrorKind;

use crate::types::Problem;

create_exception!(
    scrm,
    ScrmError,
    PyException,
    "Base class of every scrm error. `kind` is the stable code; `problems` lists each problem with its path."
);
create_exception!(
    scrm,
    ParseError,
    ScrmError,
    "The text is not well-formed JSON or TOML."
);
create_exception!(
    scrm,
    ValidationError,
    ScrmError,
    "The input breaks one or more rules; see `problems`."
);
create_exception!(
    scrm,
    UnsupportedVersionError,
    ScrmError,
    "The document's schema_version is not one this build reads."
);
create_exception!(
    scrm,
    InternalError,
    ScrmError,
    "A bug in scrm; please report it with the input."
);

/// Converts a core error into the exception of its kind, with `kind` and `problems` attributes.
pub(crate) fn to_py(py: Python<'_>, error: scrm_core::Error) -> PyErr {
    let problems: Vec<Problem> = error.problems().iter().map(Problem::from).collect();
    raise(py, error.kind(), error.to_string(), problems)
}

/// The error for an argument Python's `json` cannot write (circular, or nested too deeply): a
/// `ParseError` at the argument's name, as the core reports JSON it cannot read.
pub(crate) fn unwritable(py: Python<'_>, what: &str, cause: PyErr) -> PyErr {
    let problem = scrm_core::Problem {
        path: what.to_owned(),
        message: format!("cannot be written as JSON: {cause}"),
    };
    let message = format!("{}: {problem}", ErrorKind::Parse);
    let err = raise(py, ErrorKind::Parse, message, vec![Problem::from(&problem)]);
    err.set_cause(py, Some(cause));
    err
}

/// A `ValidationError` with one problem at `path`, for input the binding itself checks (a row of
/// an Arrow table, a column of the wrong type).
pub(crate) fn validation(py: Python<'_>, path: &str, message: String) -> PyErr {
    let problem = Problem {
        path: path.to_owned(),
        message: message.clone(),
    };
    raise(
        py,
        ErrorKind::Validation,
        format!("{}: {path}: {message}", ErrorKind::Validation),
        vec![problem],
    )
}

/// An `InternalError`: a bug in scrm, never the caller's input.
pub(crate) fn internal(message: String) -> PyErr {
    InternalError::new_err(message)
}

fn raise(py: Python<'_>, kind: ErrorKind, message: String, problems: Vec<Problem>) -> PyErr {
    let err = match kind {
        ErrorKind::Parse => ParseError::new_err(message),
        ErrorKind::Validation => ValidationError::new_err(message),
        ErrorKind::UnsupportedVersion => UnsupportedVersionError::new_err(message),
        _ => InternalError::new_err(message),
    };
    let value = err.value(py);
    // Setting attributes on a fresh exception instance cannot fail short of memory exhaustion;
    // if it does, the exception still carries its message.
    let _ = value.setattr("kind", kind.code());
    if let Ok(list) = PyList::new(py, problems) {
        let _ = value.setattr("problems", list);
    }
    err
}
