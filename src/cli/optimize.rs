//! `pimsim optimize SCENARIO`: the retained level or last-time buy of least mean total cost,
//! with the whole cost/fill-rate frontier.

use std::path::PathBuf;
use std::process::ExitCode;

use pimsim::api::{self, ScenarioFile, optimize::OptimizeOptions};
use pimsim::error::Error;
use pimsim::escape::terminal_line;
use pimsim::output;

use super::args::{Format, ReportArgs, SimulationArgs, parse_fraction};
use super::paths;
use super::terminal::Session;

/// Find the retained level (scrap, partner_release) or last-time buy (hold) of least mean
/// total cost, optionally under a fill-rate target, on common random numbers.
#[derive(Debug, clap::Args)]
#[command(mut_arg("seed", |a| a.help(super::args::SEED_HELP_OPTIMIZE)))]
pub struct OptimizeArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    /// The policy to optimise [default: every policy without review_every_years].
    #[arg(long)]
    pub policy: Option<String>,
    /// Least acceptable mean fill rate, in [0, 1]: the cheapest quantity reaching it is chosen.
    #[arg(long, value_parser = parse_fraction)]
    pub fill_rate_target: Option<f64>,
    /// Evaluate every quantity of the range instead of the zooming grid (exact whatever the
    /// cost curve's shape; about range/64 engine passes; at most 100,000 quantities).
    #[arg(long)]
    pub full_scan: bool,
    #[command(flatten)]
    pub simulation: SimulationArgs,
    /// Output directory [default: reports/<scenario file stem>-optimize/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// What to print on standard output, and whether to write the report.
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Runs `pimsim optimize`.
pub fn execute(args: &OptimizeArgs, session: &Session) -> Result<ExitCode, Error> {
    let file = ScenarioFile::load(&args.scenario)?;
    session.warnings(&file.loaded.warnings);
    let options = OptimizeOptions {
        run: args.simulation.options(),
        policy: args.policy.clone(),
        fill_rate_target: args.fill_rate_target,
        full_scan: args.full_scan,
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| paths::report_dir(&args.scenario, "-optimize"));
    let dir = session.output_dir(&out)?;
    let result = session.with_control(|c| api::optimize::optimize(&file, &options, c))?;
    if !result.skipped.is_empty() {
        session.note(&format!(
            "note: policies with review_every_years are not optimised: {}",
            terminal_line(&result.skipped.join(", "))
        ));
    }
    let elapsed = session.seconds();
    let files = output::optimize_files(&result.report, !args.report.no_report)?;
    session.write(&dir, &files)?;
    match args.report.format {
        Format::Table => session.print(
            output::render_optimize_table(&result.report).as_bytes(),
            true,
        )?,
        Format::Json => session.print(files.get("optimize.json").unwrap_or_default(), false)?,
        Format::Csv => session.print(files.get(output::FRONTIER_CSV).unwrap_or_default(), false)?,
    }
    let report = &result.report;
    if let Some(p) = &report.precision {
        session.note(&output::precision_line(p));
    }
    let passes: u32 = report.policies.iter().map(|p| p.search.passes).sum();
    let candidates: u64 = report.policies.iter().map(|p| p.search.candidates).sum();
    session.note(&format!(
        "{candidates} candidates in {passes} passes of {} paths in {elapsed:.2} s; wrote {}",
        result.settings.paths,
        dir.path().display()
    ));
    Ok(session.finish(ExitCode::SUCCESS))
}
