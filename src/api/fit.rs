//! `fit`: demand models fitted to a demand history, one scenario (or demand block) per part.

use std::path::Path;

use super::ScenarioFile;
use crate::error::{Error, InputError};
use crate::fit::{History, PartFit, TimeOrigin};
use crate::scenario::Scenario;

/// How to fit and what to write: the command line's flags of `pimsim fit`.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// Where t = 0 of the written demand lies.
    pub origin: TimeOrigin,
    /// Write whole scenarios: this template with its `[demand]` replaced by the fitted one.
    pub template: Option<ScenarioFile>,
}

/// One part's fit and the text of its file.
#[derive(Debug, Clone)]
pub struct FittedPart {
    /// The fit.
    pub fit: PartFit,
    /// The part's file: the template with the fitted demand, or the demand block alone.
    pub text: String,
}

/// What `fit` found.
#[derive(Debug, Clone)]
pub struct FitResult {
    /// Per part, in the history's order.
    pub parts: Vec<FittedPart>,
    /// The history file's name, as the generated files cite it.
    pub source: String,
}

impl FitResult {
    /// The fits, in the history's order.
    pub fn fits(&self) -> Vec<PartFit> {
        self.parts.iter().map(|p| p.fit.clone()).collect()
    }
}

/// Reads and checks a demand history CSV (`part, period, quantity[, eop]`).
pub fn read_history(path: &Path) -> Result<History, InputError> {
    crate::fit::read_history(path)
}

/// Checks that a fitted demand block is valid scenario input, inside a minimal scenario.
/// Whether a template's policies can be computed for this demand (e.g. an exact-quantile
/// retain rule) is for `pimsim check` to say: it can take long.
fn validate_block(fit: &PartFit, block: &str) -> Result<(), Error> {
    let minimal = format!(
        "[scenario]\nhorizon_years = 10\n[part]\nunit_cost = 1.0\non_hand = 0\n\
         [costs]\nholding_rate = 0.1\nshortage_penalty = 1.0\n\
         [[policy]]\nname = \"hold\"\nkind = \"hold\"\n{block}"
    );
    Scenario::from_toml(Path::new("fitted.toml"), &minimal).map_err(|e| {
        Error::Internal(format!(
            "the demand fitted for part {:?} is not valid:\n{e}",
            fit.part
        ))
    })?;
    Ok(())
}

/// Fits every part of `history` (the file named `source` in the generated files' comments).
pub fn fit(history: &History, source: &str, options: &FitOptions) -> Result<FitResult, Error> {
    use crate::output::fit as out;
    let fits = crate::fit::fit_history(history, options.origin);
    let mut parts = Vec::with_capacity(fits.len());
    for fit in fits {
        let block = out::render_demand_toml(&fit, source);
        validate_block(&fit, &block)?;
        let text = match &options.template {
            None => block,
            Some(t) => out::compose_scenario(&t.text, &fit, source)?,
        };
        parts.push(FittedPart { fit, text });
    }
    Ok(FitResult {
        parts,
        source: source.to_string(),
    })
}
