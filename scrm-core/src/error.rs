//! The one error type of the crate.
//!
//! An [`Error`] is opaque: ask it for its [`ErrorKind`] to decide what to do, and for its
//! [`problems`](Error::problems) to show a person what is wrong. Every problem names the path of the
//! offending field and the value found there, so a playbook author can fix all of them in one pass.

use std::fmt;

/// What went wrong, in a form a program can branch on.
///
/// Bindings carry the same kinds: Python raises one `scrm.ScrmError` subclass per kind, Node sets
/// `error.code` to [`ErrorKind::code`], Kotlin and Swift get one case of the `ScrmException` enum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not well-formed JSON or TOML. Fix the syntax at the reported line and column.
    Parse,
    /// The document is well-formed but breaks one or more rules; see [`Error::problems`].
    Validation,
    /// The document declares a `schema_version` this build does not read. The message lists the
    /// versions it does read.
    UnsupportedVersion,
    /// A bug in scrm (for example a caught panic in a binding). Please report it with the input.
    Internal,
}

impl ErrorKind {
    /// The stable snake_case code of this kind, the same in every binding and in `conformance/`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Parse => "parse",
            ErrorKind::Validation => "validation",
            ErrorKind::UnsupportedVersion => "unsupported_version",
            ErrorKind::Internal => "internal",
        }
    }

    /// Every kind, in declaration order; bindings use it to build their exception tables.
    pub fn all() -> &'static [ErrorKind] {
        &[
            ErrorKind::Parse,
            ErrorKind::Validation,
            ErrorKind::UnsupportedVersion,
            ErrorKind::Internal,
        ]
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One thing wrong with an input, located by its path (`taxonomy.groups[2].tags[0].id`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
pub struct Problem {
    /// Where the problem is, as a dotted path with `[index]` for list items; empty for the root.
    pub path: String,
    /// What is wrong, naming the offending value.
    pub message: String,
}

impl Problem {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "(root): {}", self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// The error of every fallible operation in scrm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    problems: Vec<Problem>,
}

impl Error {
    /// An error of `kind` made of the given problems (at least one).
    pub(crate) fn with_problems(kind: ErrorKind, problems: Vec<Problem>) -> Error {
        debug_assert!(!problems.is_empty());
        Error { kind, problems }
    }

    /// An error of `kind` with a single problem at `path`.
    pub(crate) fn at(
        kind: ErrorKind,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> Error {
        Error::with_problems(kind, vec![Problem::new(path, message)])
    }

    /// An internal error: for bindings to report a caught panic or another bug as a typed error.
    pub fn internal(message: impl Into<String>) -> Error {
        Error::at(ErrorKind::Internal, "", message)
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Every problem found, in document order. Never empty.
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problems.as_slice() {
            [one] => write!(f, "{}: {}", self.kind, one),
            many => {
                write!(f, "{}: {} problems", self.kind, many.len())?;
                for p in many {
                    write!(f, "\n  {p}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Renders a value for an error message: JSON syntax, cut to a readable length.
pub(crate) fn show(value: &serde_json::Value) -> String {
    const MAX: usize = 60;
    let text = value.to_string();
    if text.chars().count() <= MAX {
        text
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// Runs `work`, turning a panic into an [`ErrorKind::Internal`] error.
///
/// A panic in scrm is a bug, but it must never unwind into a host runtime (Python, Node, the JVM),
/// where it would abort the process. Every binding runs core calls through this one function.
pub fn catch_panic<T>(work: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        Err(Error::internal(format!("scrm panicked: {what}")))
    })
}

/// A [`ErrorKind::Parse`] error at `path` for malformed JSON, naming the line and column; `what`
/// says what the text was meant to be (`"JSON"`, `"customer JSON"`).
pub(crate) fn json_parse_error(path: &str, what: &str, e: &serde_json::Error) -> Error {
    Error::at(
        ErrorKind::Parse,
        path,
        format!(
            "invalid {what} at line {}, column {}: {e}",
            e.line(),
            e.column()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_internal_error() {
        let err = catch_panic::<()>(|| panic!("boom {}", 7)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Internal);
        assert_eq!(err.to_string(), "internal: (root): scrm panicked: boom 7");
        assert_eq!(catch_panic(|| Ok(5)).unwrap(), 5);
    }
}
