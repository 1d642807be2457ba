//! `pimsim check SCENARIO...`: validate scenario files (and their sweeps) without running them;
//! a directory stands for its `*.toml` files, as `pimsim sweep` takes it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pimsim::error::Error;
use pimsim::escape::terminal_line;
use pimsim::scenario::{LoadError, LoadedScenario, Scenario};
use pimsim::sweep::SweepPlan;

use super::terminal::Session;

/// Validate scenario files, or every *.toml of directories, without running them (exit 0 if
/// all are valid, 2 if any is not).
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario files, or directories (every *.toml in them, sorted by name, as `pimsim
    /// sweep` takes them).
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
}

/// Runs `pimsim check`: every file (every `*.toml` of a directory) is checked and reported;
/// the exit code is 2 if any is invalid, or a directory holds no scenario file.
pub fn execute(args: &CheckArgs, session: &Session) -> Result<ExitCode, Error> {
    // Inputs that list no file (a missing path, an empty directory), and files checked.
    let (mut bad_inputs, mut bad, mut checked) = (0, 0, 0);
    for input in &args.scenarios {
        // The listing of `pimsim sweep`: a directory's regular *.toml files in name order, a
        // directory without any refused. Each input on its own, so one empty or unreadable
        // directory does not hide the verdicts on the others.
        let files = match pimsim::api::scenario_files(std::slice::from_ref(input)) {
            Ok(files) => files,
            Err(e) => {
                bad_inputs += 1;
                session.report(&e);
                continue;
            }
        };
        for f in &files {
            checked += 1;
            match check_file(f, session) {
                Ok(loaded) => {
                    let line = format!(
                        "ok: {} ({} policies, {} warnings)\n",
                        terminal_line(&f.display().to_string()),
                        loaded.scenario.policies.len(),
                        loaded.warnings.len()
                    );
                    session.print(line.as_bytes(), true)?;
                }
                Err(LoadError::Cancelled) => return Err(Error::Cancelled),
                Err(LoadError::Input(e)) => {
                    bad += 1;
                    session.report(&e);
                }
            }
        }
    }
    if bad > 0 && checked > 1 {
        session.complain(&format!("{bad} of {checked} scenario files are not valid"));
    }
    Ok(if bad + bad_inputs == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// Reads and validates one scenario file: its `[sweep]` table and every point too, when there
/// is one, and the plan of its policies. Its warnings are shown on the way.
fn check_file(f: &Path, session: &Session) -> Result<LoadedScenario, LoadError> {
    let flag = session.flag();
    let text = Scenario::read_text(f).map_err(LoadError::Input)?;
    let loaded = SweepPlan::from_toml_cancellable(f, &text, flag, &|_| {})?.base;
    session.warnings(&loaded.warnings);
    pimsim::inventory::Plan::of_cancellable(&loaded, flag)?;
    Ok(loaded)
}
