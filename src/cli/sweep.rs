//! `pimsim sweep SCENARIO...`: every point of each file's `[sweep]` table on the same demand
//! paths (also what `pimsim run` does with a file that has one).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pimsim::api;
use pimsim::error::Error;
use pimsim::output;

use super::args::{Format, ReportArgs, ShardArgs, SimulationArgs};
use super::paths;
use super::terminal::Session;

/// Evaluate every point of each scenario's [sweep] table on the same demand paths and write
/// sweep.csv (one row per scenario, point and policy) and a report.
#[derive(Debug, clap::Args)]
#[command(mut_arg("seed", |a| a.help(super::args::SEED_HELP_SWEEP)))]
pub struct SweepArgs {
    /// Scenario files, or directories (every *.toml in them, sorted by name).
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    #[command(flatten)]
    pub simulation: SimulationArgs,
    /// Output directory [default: reports/<scenario file stem>-sweep/ for one file,
    /// reports/sweep/ for several].
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    // Shards of a sweep slice its runs: the points, then the base and one-at-a-time runs, of
    // every file in order.
    #[command(flatten)]
    pub shard: ShardArgs,
}

/// What a sweep is asked to do, from `pimsim sweep` or from `pimsim run` of a file with
/// `[sweep]`.
pub struct Request<'a> {
    /// The scenario files or directories.
    pub scenarios: &'a [PathBuf],
    /// Paths, seed, threads.
    pub simulation: SimulationArgs,
    /// `--out`.
    pub out: Option<&'a Path>,
    /// `--format`.
    pub format: Format,
    /// `--no-report`.
    pub no_report: bool,
    /// `--shard`, `--shard-from-env`.
    pub shard: ShardArgs,
}

/// Runs `pimsim sweep`.
pub fn execute(args: &SweepArgs, session: &Session) -> Result<ExitCode, Error> {
    execute_request(
        &Request {
            scenarios: &args.scenarios,
            simulation: args.simulation,
            out: args.out.as_deref(),
            format: args.report.format,
            no_report: args.report.no_report,
            shard: args.shard,
        },
        session,
    )
}

/// Runs the sweep of `request`.
pub fn execute_request(request: &Request, session: &Session) -> Result<ExitCode, Error> {
    let shard = request.shard.shard()?;
    let options = request.simulation.options();
    let jobs = session.with_control(|c| api::sweep::load(request.scenarios, &options, c))?;
    for j in &jobs {
        session.warnings(&j.plan.base.warnings);
    }
    let files: Vec<&Path> = jobs.iter().map(|j| j.file.as_path()).collect();
    if let Some(shard) = shard {
        let out = request
            .out
            .map(Path::to_path_buf)
            .unwrap_or_else(|| paths::sweep_dir(&files, "shards"));
        let dir = session.shard_dir(&out)?;
        let partial = session.with_control(|c| api::sweep::sweep_shard(&jobs, shard, c))?;
        let written = session.write_partial(&dir, shard, &partial)?;
        let total: u64 = partial.files.iter().map(|f| f.runs).sum();
        session.note(&format!(
            "shard {} of {}: runs {}..{} of the sweep's {total} in {:.2} s; wrote {}",
            shard.index,
            shard.count,
            partial.units.start,
            partial.units.end,
            session.seconds(),
            written.display()
        ));
        return Ok(session.finish(ExitCode::SUCCESS));
    }
    let out = request
        .out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| paths::sweep_dir(&files, "sweep"));
    let dir = session.output_dir(&out)?;
    let runs = session.with_control(|c| api::sweep::sweep(jobs, c))?;
    let elapsed = session.seconds();
    write_and_print(&runs, &dir, request.format, !request.no_report, session)?;
    let points: usize = runs.iter().map(|r| r.points.len()).sum();
    session.note(&format!(
        "{} scenario(s), {points} point(s) in {elapsed:.2} s; wrote {}",
        runs.len(),
        dir.path().display()
    ));
    Ok(session.finish(ExitCode::SUCCESS))
}

/// Renders and writes a sweep's files, then prints the table, sweep.json or sweep.csv.
pub fn write_and_print(
    runs: &[pimsim::sweep::run::SweepRun],
    dir: &output::OutputDir,
    format: Format,
    report: bool,
    session: &Session,
) -> Result<(), Error> {
    let files = output::sweep_files(runs, report)?;
    session.write(dir, &files)?;
    match format {
        Format::Table => session.print(output::sweep::render_sweep_table(runs).as_bytes(), true),
        Format::Json => session.print(files.get("sweep.json").unwrap_or_default(), false),
        Format::Csv => session.print(files.get("sweep.csv").unwrap_or_default(), false),
    }
}
