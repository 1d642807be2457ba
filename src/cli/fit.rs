//! `pimsim fit HISTORY.csv`: demand models fitted to a demand history, written as scenario
//! TOML per part and a parts CSV.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::ValueEnum;
use pimsim::api::{self, ScenarioFile};
use pimsim::error::{Error, InputError};
use pimsim::fit::TimeOrigin;
use pimsim::output;

use super::paths;
use super::terminal::Session;

/// Fit demand models to a demand history CSV (part, period, quantity[, eop]) and write
/// scenario TOML per part and a parts CSV.
#[derive(Debug, clap::Args)]
pub struct FitArgs {
    /// The history CSV: columns part, period (month index, YYYY-MM or YYYY-MM-DD), quantity
    /// (one row per order line; 0 marks a month without orders) and optionally eop.
    pub history: PathBuf,
    /// Output directory [default: fits/<history file stem>/], or a file ending in .toml for a
    /// history of a single part.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// With --out FILE.toml: replace the file even if pimsim did not write it.
    #[arg(long)]
    pub force: bool,
    /// Write whole scenarios: this scenario with its [demand] replaced by the fitted one.
    /// Without it, each part's file holds only the demand block.
    #[arg(long)]
    pub template: Option<PathBuf>,
    /// Where t = 0 of the written demand lies: `eop`, the part's end of production (or the
    /// history's first month), or `end`, the end of the history — the demand from today on,
    /// for deciding about today's stock (the fitted model is shifted there).
    #[arg(long, value_enum, default_value_t = FitOrigin::Eop)]
    pub origin: FitOrigin,
    /// No closing message on standard error.
    #[arg(long)]
    pub quiet: bool,
}

/// `pimsim fit --origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FitOrigin {
    /// The end of production, or the history's first month.
    Eop,
    /// The end of the observed history.
    End,
}

/// Whether a file's content is one `pimsim fit` wrote (and may replace).
fn written_by_fit(content: &[u8]) -> bool {
    output::is_fit_output(content)
}

/// Runs `pimsim fit`.
pub fn execute(args: &FitArgs, session: &Session) -> Result<ExitCode, Error> {
    let history = api::fit::read_history(&args.history)?;
    let template = match &args.template {
        Some(path) => {
            let file = ScenarioFile::load(path)?;
            session.warnings(&file.loaded.warnings);
            Some(file)
        }
        None => None,
    };
    let options = api::fit::FitOptions {
        origin: match args.origin {
            FitOrigin::Eop => TimeOrigin::Eop,
            FitOrigin::End => TimeOrigin::End,
        },
        template,
    };
    let source = args
        .history
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let single = args.out.as_ref().filter(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    });
    let written = if let Some(file) = single {
        if history.parts.len() != 1 {
            return Err(InputError::Flag {
                flag: "--out".into(),
                value: file.display().to_string(),
                message: format!(
                    "a single .toml file needs a history of one part, and {} has {} parts; \
                     give a directory instead",
                    args.history.display(),
                    history.parts.len()
                ),
            }
            .into());
        }
        let result = api::fit::fit(&history, &source, &options)?;
        session.with_control(|c| c.check())?;
        output::replace_file(
            file,
            result.parts[0].text.as_bytes(),
            written_by_fit,
            args.force,
        )?;
        session.print(
            output::fit::render_fit_table(&result.fits()).as_bytes(),
            true,
        )?;
        (result, file.clone())
    } else {
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| paths::fit_dir(&args.history));
        let dir = session.output_dir(&out)?;
        let result = api::fit::fit(&history, &source, &options)?;
        let files = output::fit_files(&result)?;
        session.write(&dir, &files)?;
        session.print(
            output::fit::render_fit_table(&result.fits()).as_bytes(),
            true,
        )?;
        (result, out)
    };
    let (result, path) = written;
    let orders: u64 = result.parts.iter().map(|p| p.fit.orders).sum();
    let n = result.parts.len();
    session.note(&format!(
        "fitted {n} part{} ({orders} orders); wrote {}",
        if n == 1 { "" } else { "s" },
        path.display()
    ));
    Ok(session.finish(ExitCode::SUCCESS))
}
