//! `pimsim run SCENARIO`: simulate a scenario and compare its policies (a file with a
//! `[sweep]` table runs its sweep, as `pimsim sweep` would).

use std::path::PathBuf;
use std::process::ExitCode;

use pimsim::api::{self, ScenarioFile};
use pimsim::error::Error;
use pimsim::escape::terminal_line;
use pimsim::output;

use super::args::{Format, ReportArgs, ShardArgs, SimulationArgs};
use super::terminal::Session;
use super::{paths, sweep};

/// Simulate a scenario and compare its policies.
#[derive(Debug, clap::Args)]
#[command(mut_arg("seed", |a| a.help(super::args::SEED_HELP_RUN)))]
pub struct RunArgs {
    /// The scenario file (TOML).
    pub scenario: PathBuf,
    #[command(flatten)]
    pub simulation: SimulationArgs,
    /// Output directory [default: reports/<scenario file stem>/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    // Shards of a run slice its paths (in blocks); of a scenario with [sweep], its runs.
    #[command(flatten)]
    pub shard: ShardArgs,
}

/// Runs `pimsim run`.
pub fn execute(args: &RunArgs, session: &Session) -> Result<ExitCode, Error> {
    let text = pimsim::scenario::Scenario::read_text(&args.scenario)?;
    if api::has_sweep(&text) {
        // A file with [sweep] is a sweep: `pimsim run` of it does what `pimsim sweep` does.
        let request = sweep::Request {
            scenarios: std::slice::from_ref(&args.scenario),
            simulation: args.simulation,
            out: args.out.as_deref(),
            format: args.report.format,
            no_report: args.report.no_report,
            shard: args.shard,
        };
        return sweep::execute_request(&request, session);
    }
    let shard = args.shard.shard()?;
    let file = ScenarioFile::from_text(&args.scenario, text)?;
    session.warnings(&file.loaded.warnings);
    let options = args.simulation.options();
    if let Some(shard) = shard {
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| paths::report_dir(&args.scenario, "-shards"));
        let dir = session.shard_dir(&out)?;
        let partial = session.with_control(|c| api::run::run_shard(&file, &options, shard, c))?;
        let written = session.write_partial(&dir, shard, &partial)?;
        session.note(&format!(
            "shard {} of {}: blocks {}..{} in {:.2} s; wrote {}",
            shard.index,
            shard.count,
            partial.blocks.start,
            partial.blocks.end,
            session.seconds(),
            written.display()
        ));
        return Ok(session.finish(ExitCode::SUCCESS));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| paths::report_dir(&args.scenario, ""));
    let dir = session.output_dir(&out)?;
    let result = session.with_control(|c| api::run::run(&file, &options, c))?;
    for r in &result.resolved {
        session.note(&format!(
            "{}: retain = \"optimal\" is R = {} (mean cost {:.2} on {} paths; {} candidates in {} \
             passes)",
            terminal_line(&r.policy),
            r.units,
            r.mean_cost,
            r.paths,
            r.candidates,
            r.passes
        ));
    }
    let elapsed = session.seconds();
    let files = output::run_files(&result.summary, !args.report.no_report)?;
    session.write(&dir, &files)?;
    match args.report.format {
        Format::Table => session.print(output::render_table(&result.summary).as_bytes(), true)?,
        Format::Json => session.print(files.get("summary.json").unwrap_or_default(), false)?,
        Format::Csv => session.print(files.get("policies.csv").unwrap_or_default(), false)?,
    }
    let paths = result.settings.paths;
    if let Some(p) = &result.summary.precision {
        session.note(&output::precision_line(p));
    }
    session.note(&format!(
        "{paths} paths in {elapsed:.2} s ({:.0} paths/s); wrote {}",
        paths as f64 / elapsed.max(1e-9),
        dir.path().display()
    ));
    Ok(session.finish(ExitCode::SUCCESS))
}
