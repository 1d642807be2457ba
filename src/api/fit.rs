//! `fit`: demand models fitted to a demand history, one scenario (or demand block) per part.

use std::path::Path;

use super::ScenarioFile;
use crate::error::{Error, InputError};
pub use crate::fit::{FitResult, FittedPart};
use crate::fit::{History, TimeOrigin};

/// How to fit and what to write: the command line's flags of `pimsim fit`.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Where t = 0 of the written demand lies.
    pub origin: TimeOrigin,
    /// Write whole scenarios: this template with its `[demand]` replaced by the fitted one.
    pub template: Option<ScenarioFile>,
}

/// Reads and checks a demand history CSV (`part, period, quantity[, eop]`).
pub fn read_history(path: &Path) -> Result<History, InputError> {
    crate::fit::read_history(path)
}

/// Checks the text of a demand history CSV (`part, period, quantity[, eop]`), e.g. a data
/// frame written as CSV by a caller; `name` names it in messages.
pub fn parse_history(name: &Path, text: &str) -> Result<History, InputError> {
    crate::fit::history::parse_history(name, text)
}

/// Fits every part of `history` (the file named `source` in the generated files' comments).
pub fn fit(history: &History, source: &str, options: &FitOptions) -> Result<FitResult, Error> {
    let fits = crate::fit::fit_history(history, options.origin);
    let template = options.template.as_ref().map(|t| t.text.as_str());
    let mut parts = Vec::with_capacity(fits.len());
    for fit in fits {
        // Checked inside: the fitted demand is valid input, and the text parses to exactly
        // the tables and values meant (nothing injected by ids or file names).
        let text = crate::output::fit::render_part_file(&fit, source, template)
            .map_err(|e| Error::Internal(e.to_string()))?;
        parts.push(FittedPart { fit, text });
    }
    Ok(FitResult {
        parts,
        source: source.to_string(),
    })
}
