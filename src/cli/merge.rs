//! `pimsim merge DIR...`: the partial results of `run`, `sweep` or `portfolio --shard K/N`
//! combined into the outputs of the whole job.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use pimsim::api::{self, merge::Merged};
use pimsim::error::Error;
use pimsim::output;

use super::args::{Format, ReportArgs};
use super::terminal::Session;
use super::{paths, portfolio, sweep};

/// Merge the partial results of `run`, `sweep` or `portfolio --shard K/N` into the outputs of
/// a single run, sweep or portfolio (bit-identical to running everything on one machine).
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Directories holding partial-KKKK-of-NNNN.json files, or the files themselves: the N
    /// partials of one job of `run`, `sweep` or `portfolio --shard K/N` [by default in
    /// reports/<scenario file stem>-shards/ (run, sweep of one file), reports/shards/ (sweep of
    /// several files), reports/<parts file stem>-portfolio-shards/ (portfolio)].
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output directory [default: that of a single run: reports/<scenario file stem>/; for a
    /// sweep reports/<scenario file stem>-sweep/ or reports/sweep/; for a portfolio
    /// reports/<parts file stem>-portfolio/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
}

/// Runs `pimsim merge`.
pub fn execute(args: &MergeArgs, session: &Session) -> Result<ExitCode, Error> {
    let (merged, shards) = api::merge::merge(&args.inputs)?;
    let out = args.out.clone().unwrap_or_else(|| default_dir(&merged));
    let dir = session.output_dir(&out)?;
    let report = !args.report.no_report;
    let what = match &merged {
        Merged::Run(run) => {
            session.warnings(&run.scenario.warnings);
            let files = output::run_files(&run.summary, report)?;
            session.write(&dir, &files)?;
            match args.report.format {
                Format::Table => {
                    session.print(output::render_table(&run.summary).as_bytes(), true)?
                }
                Format::Json => {
                    session.print(files.get("summary.json").unwrap_or_default(), false)?
                }
                Format::Csv => {
                    session.print(files.get("policies.csv").unwrap_or_default(), false)?
                }
            }
            format!("{} paths", run.summary.paths)
        }
        Merged::Sweep(runs) => {
            for r in runs {
                session.warnings(&r.plan.base.warnings);
            }
            sweep::write_and_print(runs, &dir, args.report.format, report, session)?;
            let points: usize = runs.iter().map(|r| r.points.len()).sum();
            format!("{} scenario(s), {points} point(s)", runs.len())
        }
        Merged::Portfolio(p) => {
            portfolio::write_and_print(p, &dir, args.report.format, report, session)?;
            format!("{} parts", p.parts.len())
        }
    };
    session.note(&format!(
        "merged {shards} shard(s) of a {}: {what}; wrote {}",
        merged.kind(),
        dir.path().display()
    ));
    Ok(session.finish(ExitCode::SUCCESS))
}

/// Where a merged job goes by default: where the single job would have written.
fn default_dir(merged: &Merged) -> PathBuf {
    match merged {
        Merged::Run(run) => paths::report_dir(&run.scenario.path, ""),
        Merged::Sweep(runs) => {
            let files: Vec<PathBuf> = runs
                .iter()
                .map(|r| PathBuf::from(format!("{}.toml", r.scenario)))
                .collect();
            paths::sweep_dir(&files, "sweep")
        }
        Merged::Portfolio(p) => {
            let first = p.meta.parts_files.first().map_or("parts", |s| s.as_str());
            paths::report_dir(Path::new(first), "-portfolio")
        }
    }
}
