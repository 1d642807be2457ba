//! Errors and problems reported to users.
//!
//! Bad input is described by [`Problem`]s that name the file, line, column, key, bad value and
//! what is allowed; [`InputError`] gathers them. The command line maps input errors to exit
//! code 2 and everything else to exit code 1.

mod snippet;

use std::fmt;
use std::path::PathBuf;

pub use snippet::SNIPPET_WIDTH;

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The input cannot be used.
    Error,
    /// The input is legal but probably not what was meant.
    Warning,
}

/// One problem with one value of an input file.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    /// Error or warning.
    pub severity: Severity,
    /// The file the value is in.
    pub file: PathBuf,
    /// 1-based line of the value (or of its table when the key is missing); 0 when unknown.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The dotted key, e.g. `demand.rate` or `policy[1].retain`.
    pub key: String,
    /// The bad value as written in the file, when there is one.
    pub value: Option<String>,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.line == 0 {
            // Found after parsing, when positions are no longer known.
            write!(f, "{}: {label}: `{}`", self.file.display(), self.key)?;
        } else {
            write!(
                f,
                "{}:{}:{}: {label}: `{}`",
                self.file.display(),
                self.line,
                self.column,
                self.key
            )?;
        }
        if let Some(v) = &self.value {
            write!(f, " = {v}")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl Problem {
    /// The line of `text` (the text of [`Problem::file`]) this problem is at, with a caret
    /// under its column, as rustc and cargo show it: a `  |` gutter, the line number and the
    /// line, then the caret (under the whole value, when the text there is
    /// [`Problem::value`]). Control characters of the line are shown as `\u{..}` escapes, a
    /// tab as four spaces, and a line wider than [`SNIPPET_WIDTH`] columns is clipped around
    /// the column. Three lines without a final newline; `None` when the problem has no
    /// position, or `text` has no such line and column (then it is not the text the problem
    /// was found in).
    pub fn snippet(&self, text: &str) -> Option<String> {
        snippet::render(text, self.line, self.column, self.value.as_deref())
    }
}

/// The closing line of a list of problems: "N error(s) in the input".
pub fn count_line(problems: &[Problem]) -> String {
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    format!(
        "{errors} error{} in the input",
        if errors == 1 { "" } else { "s" }
    )
}

/// Input that cannot be used: a scenario, a CSV or a flag. Exit code 2.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    /// One or more problems in a file (all of them, not only the first).
    #[error("{}", render(.0))]
    Problems(Vec<Problem>),
    /// A file that could not be read.
    #[error("{path}: cannot read: {reason}")]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// Why (from the operating system).
        reason: String,
    },
    /// A command-line value that is out of range or inconsistent.
    #[error("{flag} = {value}: {message}")]
    Flag {
        /// The flag, e.g. `--paths`.
        flag: String,
        /// The value given.
        value: String,
        /// What is allowed.
        message: String,
    },
    /// Input files that do not belong together (e.g. partial results of different runs).
    #[error("{0}")]
    Mismatch(String),
    /// An output location that pimsim will not write into.
    #[error("{path}: {message}")]
    Output {
        /// The directory or file.
        path: PathBuf,
        /// Why.
        message: String,
    },
}

fn render(problems: &[Problem]) -> String {
    let mut out: Vec<String> = problems.iter().map(ToString::to_string).collect();
    out.push(count_line(problems));
    out.join("\n")
}

/// Why a call of the library failed: what a caller needs to decide how to go on (the command
/// line maps it to an exit code: 2 for [`Error::Input`], 128 + the signal for
/// [`Error::Cancelled`], 1 otherwise).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input that cannot be used: a scenario, a CSV, a flag, an output location.
    #[error(transparent)]
    Input(#[from] InputError),
    /// The caller's cancellation flag was set; nothing was written.
    #[error("cancelled; nothing was written")]
    Cancelled,
    /// The machine failed: a full disk, an I/O error (the message says which and where).
    #[error("{0}")]
    Machine(String),
    /// A bug: a result that cannot be, or a file that could not be rendered.
    #[error("internal failure: {0}")]
    Internal(String),
}

impl From<anyhow::Error> for Error {
    /// Rendering errors: bad input where the chain holds an [`InputError`], else internal.
    fn from(e: anyhow::Error) -> Self {
        match e.downcast::<InputError>() {
            Ok(input) => Error::Input(input),
            Err(e) => Error::Internal(format!("{e:#}")),
        }
    }
}
