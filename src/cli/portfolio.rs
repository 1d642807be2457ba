//! `pimsim portfolio PARTS.csv... --template T`: every part simulated with the template,
//! a recommended policy per part, totals, ABC and XYZ classes.

use std::path::PathBuf;
use std::process::ExitCode;

use pimsim::api::{self, portfolio::PortfolioOptions};
use pimsim::error::Error;
use pimsim::output::{self, OutputDir};
use pimsim::portfolio::Portfolio;

use super::args::{Format, ReportArgs, ShardArgs, SimulationArgs, parse_fraction};
use super::paths;
use super::terminal::Session;

/// Simulate every part of a parts CSV (one row per part, columns override the template
/// scenario's fields by dotted name): per part and policy results, the recommended policy
/// per part, portfolio totals, ABC and XYZ classes.
#[derive(Debug, clap::Args)]
#[command(mut_arg("seed", |a| a.help(super::args::SEED_HELP_PORTFOLIO)))]
pub struct PortfolioArgs {
    /// Parts CSV files: a `part` column and dotted scenario keys (`part.unit_cost`,
    /// `demand.rate`, …); several files are joined on `part`; `fit.*` columns are carried,
    /// not applied.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// The template scenario every part starts from.
    #[arg(long)]
    pub template: PathBuf,
    #[command(flatten)]
    pub simulation: SimulationArgs,
    /// Recommend the cheapest policy whose fill rate is at least F (in [0, 1]).
    #[arg(long, value_parser = parse_fraction)]
    pub fill_rate_target: Option<f64>,
    /// Output directory [default: reports/<parts file stem>-portfolio/].
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    // Shards of a portfolio slice its parts.
    #[command(flatten)]
    pub shard: ShardArgs,
    /// Also write each part's scenario as DIR/<part>.toml: the template with the part's row,
    /// and [simulation] set to the paths and the part's seed, so that `pimsim run` of it
    /// reproduces the part.
    #[arg(long, value_name = "DIR")]
    pub scenarios: Option<PathBuf>,
}

/// Most warnings of the parts' scenarios printed one by one.
const MAX_PART_WARNINGS: usize = 10;

/// Runs `pimsim portfolio`.
pub fn execute(args: &PortfolioArgs, session: &Session) -> Result<ExitCode, Error> {
    let shard = args.shard.shard()?;
    let input = api::portfolio::load(&args.parts, &args.template, args.simulation.threads)?;
    session.warnings(&input.template.loaded.warnings);
    session.warnings(&input.parts.warnings);
    let part_warnings: Vec<_> = input.part_warnings().collect();
    session.warnings(part_warnings.iter().take(MAX_PART_WARNINGS).copied());
    if part_warnings.len() > MAX_PART_WARNINGS {
        session.complain(&format!(
            "… and {} more warnings of the parts' scenarios (pimsim check on a part's scenario \
             lists them)",
            part_warnings.len() - MAX_PART_WARNINGS
        ));
    }
    let options = PortfolioOptions {
        run: args.simulation.options(),
        fill_rate_target: args.fill_rate_target,
    };
    let scenarios_dir = match &args.scenarios {
        Some(dir) => Some(OutputDir::prepare(dir)?),
        None => None,
    };
    let count = input.parts.parts.len();
    if let Some(shard) = shard {
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| paths::report_dir(&args.parts[0], "-portfolio-shards"));
        let dir = session.shard_dir(&out)?;
        let partial = session
            .with_control(|c| api::portfolio::portfolio_shard(&input, &options, shard, c))?;
        let written = session.write_partial(&dir, shard, &partial)?;
        let range = api::portfolio::shard_range(&input, shard);
        write_scenarios(
            scenarios_dir.as_ref(),
            &input,
            &options,
            range.clone(),
            session,
        )?;
        session.note(&format!(
            "shard {} of {}: parts {}..{} of {count} in {:.2} s; wrote {}",
            shard.index,
            shard.count,
            range.start,
            range.end,
            session.seconds(),
            written.display()
        ));
        return Ok(session.finish(ExitCode::SUCCESS));
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| paths::report_dir(&args.parts[0], "-portfolio"));
    let dir = session.output_dir(&out)?;
    let portfolio = session.with_control(|c| api::portfolio::portfolio(&input, &options, c))?;
    let elapsed = session.seconds();
    write_and_print(
        &portfolio,
        &dir,
        args.report.format,
        !args.report.no_report,
        session,
    )?;
    write_scenarios(scenarios_dir.as_ref(), &input, &options, 0..count, session)?;
    session.note(&format!(
        "{count} parts × {} paths in {elapsed:.2} s; wrote {}",
        portfolio.meta.paths,
        dir.path().display()
    ));
    Ok(session.finish(ExitCode::SUCCESS))
}

/// Writes the parts' scenario files (`--scenarios DIR`), all at once.
fn write_scenarios(
    dir: Option<&OutputDir>,
    input: &api::portfolio::PortfolioInput,
    options: &PortfolioOptions,
    range: std::ops::Range<usize>,
    session: &Session,
) -> Result<(), Error> {
    let Some(dir) = dir else { return Ok(()) };
    let files: output::FileSet = api::portfolio::part_scenarios(input, options, range)
        .into_iter()
        .map(|(name, text)| (name, text.into_bytes()))
        .collect();
    session.write(dir, &files)
}

/// Renders and writes a portfolio's files, then prints its totals, portfolio.json or
/// portfolio.csv.
pub fn write_and_print(
    portfolio: &Portfolio,
    dir: &OutputDir,
    format: Format,
    report: bool,
    session: &Session,
) -> Result<(), Error> {
    let analysis = pimsim::portfolio::analyse(portfolio);
    let files = output::portfolio_files(portfolio, &analysis, report)?;
    session.write(dir, &files)?;
    match format {
        Format::Table => session.print(
            output::portfolio::render_portfolio_table(portfolio, &analysis).as_bytes(),
            true,
        ),
        Format::Json => session.print(files.get("portfolio.json").unwrap_or_default(), false),
        Format::Csv => session.print(files.get("portfolio.csv").unwrap_or_default(), false),
    }
}
