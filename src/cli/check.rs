//! `pimsim check SCENARIO...`: validate scenario files (and their sweeps) without running them.

use std::path::PathBuf;
use std::process::ExitCode;

use pimsim::error::Error;
use pimsim::escape::terminal_line;
use pimsim::scenario::{LoadError, Scenario};
use pimsim::sweep::SweepPlan;

use super::terminal::Session;

/// Validate scenario files without running them (exit 0 if all are valid).
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files.
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
}

/// Runs `pimsim check`: every file is checked and reported; the exit code is 2 if any is
/// invalid.
pub fn execute(args: &CheckArgs, session: &Session) -> Result<ExitCode, Error> {
    let mut bad = 0;
    for f in &args.scenarios {
        // Validates the [sweep] table and every point too, when there is one.
        let flag = session.flag();
        let outcome = Scenario::read_text(f)
            .map_err(LoadError::Input)
            .and_then(|text| SweepPlan::from_toml_cancellable(f, &text, flag, &|_| {}))
            .map(|plan| plan.base)
            .and_then(|loaded| {
                session.warnings(&loaded.warnings);
                pimsim::inventory::Plan::of_cancellable(&loaded, flag).map(|_| loaded)
            });
        match outcome {
            Err(LoadError::Cancelled) => return Err(Error::Cancelled),
            Ok(loaded) => {
                let line = format!(
                    "ok: {} ({} policies, {} warnings)\n",
                    terminal_line(&f.display().to_string()),
                    loaded.scenario.policies.len(),
                    loaded.warnings.len()
                );
                session.print(line.as_bytes(), true)?;
            }
            Err(e) => {
                bad += 1;
                session.complain(&e.to_string());
            }
        }
    }
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
