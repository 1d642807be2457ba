//! The command line: parse flags, call the library, print, map errors to exit codes
//! (0 ok, 2 bad input, 1 internal failure).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use clap::{Parser, Subcommand, ValueEnum};

use crate::engine::{self, RunSettings};
use crate::error::{InputError, Severity};
use crate::inventory::Plan;
use crate::output::{self, OutputDir};
use crate::scenario::Scenario;

/// pimsim — what to do with spare-parts stock after end of production.
#[derive(Debug, Parser)]
#[command(name = "pimsim", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and compare its policies.
    Run(RunArgs),
    /// Validate scenario files without running them (exit 0 if all are valid).
    Check {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Evaluate every point of each scenario's [sweep] table on the same demand paths and
    /// write sweep.csv (one row per scenario, point and policy) and a report.
    Sweep(SweepArgs),
    /// Merge the partial results of `run --shard K/N` or `sweep --shard K/N` into the outputs
    /// of a single run or sweep (bit-identical to running everything on one machine).
    Merge(MergeArgs),
    /// Find the retained level (scrap, partner_release) or last-time buy (hold) of least mean
    /// total cost, optionally under a fill-rate target, on common random numbers.
    Optimize(OptimizeArgs),
    /// Fit demand models to a demand history CSV (part, period, quantity[, eop]) and write
    /// scenario TOML per part and a parts CSV.
    Fit(FitArgs),
    /// Simulate every part of a parts CSV (one row per part, columns override the template
    /// scenario's fields by dotted name): per part and policy results, the recommended policy
    /// per part, portfolio totals, ABC and XYZ classes.
    Portfolio(PortfolioArgs),
}

#[derive(Debug, clap::Args)]
struct PortfolioArgs {
    /// Parts CSV files: a `part` column and dotted scenario keys (`part.unit_cost`,
    /// `demand.rate`, …); several files are joined on `part`; `fit.*` columns are carried,
    /// not applied.
    #[arg(required = true)]
    parts: Vec<PathBuf>,
    /// The template scenario every part starts from.
    #[arg(long)]
    template: PathBuf,
    #[command(flatten)]
    simulation: SimulationArgs,
    /// Recommend the cheapest policy whose fill rate is at least F (in [0, 1]).
    #[arg(long, value_parser = parse_fraction)]
    fill_rate_target: Option<f64>,
    /// Output directory [default: reports/<parts file stem>-portfolio/].
    #[arg(long)]
    out: Option<PathBuf>,
    /// What to print on standard output: totals, portfolio.json or portfolio.csv.
    #[arg(long, value_enum, default_value_t = PortfolioFormat::Table)]
    format: PortfolioFormat,
    /// No progress bar and no messages on standard error (warnings still show).
    #[arg(long)]
    quiet: bool,
    /// Skip the report: no report.html and no chart files, only the data files.
    #[arg(long)]
    no_report: bool,
    // Shards of a portfolio slice its parts.
    #[command(flatten)]
    shard: ShardArgs,
    /// Also write each part's scenario as DIR/<part>.toml: the template with the part's row,
    /// and [simulation] set to the paths and the part's seed, so that `pimsim run` of it
    /// reproduces the part.
    #[arg(long, value_name = "DIR")]
    scenarios: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct FitArgs {
    /// The history CSV: columns part, period (month index, YYYY-MM or YYYY-MM-DD), quantity
    /// (one row per order line; 0 marks a month without orders) and optionally eop.
    history: PathBuf,
    /// Output directory [default: fits/<history file stem>/], or a file ending in .toml for a
    /// history of a single part.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write whole scenarios: this scenario with its [demand] replaced by the fitted one.
    /// Without it, each part's file holds only the demand block.
    #[arg(long)]
    template: Option<PathBuf>,
    /// Where t = 0 of the written demand lies: `eop`, the part's end of production (or the
    /// history's first month), or `end`, the end of the history — the demand from today on,
    /// for deciding about today's stock (the fitted model is shifted there).
    #[arg(long, value_enum, default_value_t = FitOrigin::Eop)]
    origin: FitOrigin,
    /// No closing message on standard error.
    #[arg(long)]
    quiet: bool,
}

/// `pimsim fit --origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum FitOrigin {
    /// The end of production, or the history's first month.
    Eop,
    /// The end of the observed history.
    End,
}

/// The simulation options shared by `run`, `sweep` and `optimize`.
#[derive(Debug, Clone, Copy, clap::Args)]
struct SimulationArgs {
    /// Number of demand paths [default: the scenario's simulation.paths, else 10000].
    #[arg(long, value_parser = parse_paths)]
    paths: Option<u64>,
    /// Seed of all random streams [default: the scenario's simulation.seed, else 1]; for a
    /// portfolio, the seed each part's own seed is derived from.
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (0 = one per core, at most 1024). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = parse_threads)]
    threads: usize,
}

impl SimulationArgs {
    /// The run settings: the flags where given, else the scenario's `[simulation]`.
    fn settings(&self, simulation: &crate::scenario::Simulation) -> RunSettings {
        RunSettings {
            paths: self.paths.unwrap_or(simulation.paths),
            seed: self.seed.unwrap_or(simulation.seed),
            threads: self.threads,
        }
    }
}

#[derive(Debug, clap::Args)]
struct OptimizeArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// The policy to optimise [default: every policy without review_every_years].
    #[arg(long)]
    policy: Option<String>,
    /// Least acceptable mean fill rate, in [0, 1]: the cheapest quantity reaching it is chosen.
    #[arg(long, value_parser = parse_fraction)]
    fill_rate_target: Option<f64>,
    /// Evaluate every quantity of the range instead of the zooming grid (exact whatever the
    /// cost curve's shape; about range/64 engine passes).
    #[arg(long)]
    full_scan: bool,
    #[command(flatten)]
    simulation: SimulationArgs,
    /// Output directory [default: reports/<scenario file stem>-optimize/].
    #[arg(long)]
    out: Option<PathBuf>,
    /// What to print on standard output: a short table, or optimize.json's content.
    #[arg(long, value_enum, default_value_t = OptimizeFormat::Table)]
    format: OptimizeFormat,
    /// No messages on standard error (warnings still show).
    #[arg(long)]
    quiet: bool,
}

/// What `portfolio` prints on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum PortfolioFormat {
    /// Totals per policy and the best mix, and the ABC × XYZ counts.
    Table,
    /// The content of portfolio.json.
    Json,
    /// The content of portfolio.csv.
    Csv,
}

impl From<Format> for PortfolioFormat {
    fn from(f: Format) -> Self {
        match f {
            Format::Table => PortfolioFormat::Table,
            Format::Json => PortfolioFormat::Json,
            Format::Csv => PortfolioFormat::Csv,
        }
    }
}

/// What `optimize` prints on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum OptimizeFormat {
    /// A short table of the optima.
    Table,
    /// The content of optimize.json.
    Json,
}

#[derive(Debug, clap::Args)]
struct MergeArgs {
    /// Directories holding partial-KKKK-of-NNNN.json files, or the files themselves.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Output directory [default: that of a single run: reports/<scenario file stem>/, for
    /// a sweep reports/<scenario file stem>-sweep/ or reports/sweep/].
    #[arg(long)]
    out: Option<PathBuf>,
    /// What to print on standard output (for a sweep: its table, sweep.json or sweep.csv).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// No messages on standard error (warnings still show).
    #[arg(long)]
    quiet: bool,
    /// Skip the report: no report.html and no chart files (SVG, PNG), only the data files.
    #[arg(long)]
    no_report: bool,
}

#[derive(Debug, clap::Args)]
struct SweepArgs {
    /// Scenario files, or directories (every *.toml in them, sorted by name).
    #[arg(required = true)]
    scenarios: Vec<PathBuf>,
    #[command(flatten)]
    simulation: SimulationArgs,
    /// Output directory [default: reports/<scenario file stem>-sweep/ for one file,
    /// reports/sweep/ for several].
    #[arg(long)]
    out: Option<PathBuf>,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = SweepFormat::Table)]
    format: SweepFormat,
    /// No progress bar and no messages on standard error (warnings still show).
    #[arg(long)]
    quiet: bool,
    /// Skip the report: no report.html and no chart files (SVG, PNG), only the data files.
    #[arg(long)]
    no_report: bool,
    // Shards of a sweep slice its runs: the points, then the base and one-at-a-time runs, of
    // every file in order.
    #[command(flatten)]
    shard: ShardArgs,
}

/// What `sweep` prints on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SweepFormat {
    /// A table of the points.
    Table,
    /// The content of sweep.json.
    Json,
    /// The content of sweep.csv.
    Csv,
}

impl From<Format> for SweepFormat {
    /// `run` of a scenario with [sweep], and `merge` of a sweep's partials, print the sweep's
    /// table, sweep.json or sweep.csv.
    fn from(f: Format) -> SweepFormat {
        match f {
            Format::Table => SweepFormat::Table,
            Format::Json => SweepFormat::Json,
            Format::Csv => SweepFormat::Csv,
        }
    }
}

/// What `run` prints on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A table of the policies.
    Table,
    /// The content of summary.json.
    Json,
    /// The content of policies.csv.
    Csv,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The scenario file (TOML).
    scenario: PathBuf,
    #[command(flatten)]
    simulation: SimulationArgs,
    /// Output directory [default: reports/<scenario file stem>/].
    #[arg(long)]
    out: Option<PathBuf>,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// No progress bar and no messages on standard error (warnings still show).
    #[arg(long)]
    quiet: bool,
    /// Skip the report: no report.html and no chart files (SVG, PNG), only the data files.
    #[arg(long)]
    no_report: bool,
    // Shards of a run slice its paths (in blocks); of a scenario with [sweep], its runs.
    #[command(flatten)]
    shard: ShardArgs,
}

/// `--shard K/N`, or K and N from a scheduler's environment (`run`, `sweep`, `portfolio`).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
struct ShardArgs {
    /// Run only shard K of N (0 ≤ K < N) — a slice of a run's path blocks, of a sweep's
    /// runs or of a portfolio's parts — and write its partial result,
    /// partial-KKKK-of-NNNN.json, into the output directory [default: reports/<scenario file
    /// stem>-shards/, reports/sweep-shards/ for a sweep of several files,
    /// reports/<parts file stem>-portfolio-shards/]; `pimsim merge` combines the N partials
    /// into the outputs of the whole run, sweep or portfolio.
    #[arg(long, value_parser = engine::shard::Shard::parse, conflicts_with = "shard_from_env")]
    shard: Option<engine::shard::Shard>,
    /// Take K from the scheduler's environment: SLURM_ARRAY_TASK_ID (Slurm job arrays) or
    /// JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs); N from --shards, else
    /// SLURM_ARRAY_TASK_COUNT.
    #[arg(long)]
    shard_from_env: bool,
    /// Number of shards N, with --shard-from-env.
    #[arg(long, requires = "shard_from_env")]
    shards: Option<u64>,
}

/// Runs the command line and returns the process exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
        }
    };
    let result = match cli.command {
        Command::Run(args) => run(&args),
        Command::Check { scenarios } => check(&scenarios),
        Command::Merge(args) => merge(&args),
        Command::Sweep(args) => sweep(&args),
        Command::Fit(args) => fit(&args),
        Command::Optimize(args) => optimize(&args),
        Command::Portfolio(args) => portfolio(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            let input = e.downcast_ref::<InputError>().is_some();
            eprintln!("error: {e:#}");
            ExitCode::from(if input { 2 } else { 1 })
        }
    }
}

fn print_warnings(problems: &[crate::error::Problem]) {
    for p in problems {
        eprintln!("{p}");
    }
}

fn check(files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut bad = 0;
    for f in files {
        // Validates the [sweep] table and every point too, when there is one.
        match crate::scenario::sweep::SweepPlan::load(f).map(|plan| plan.base) {
            Ok(loaded) => {
                print_warnings(&loaded.warnings);
                match Plan::new(&loaded.scenario) {
                    Ok(_) => writeln!(
                        std::io::stdout(),
                        "ok: {} ({} policies, {} warnings)",
                        f.display(),
                        loaded.scenario.policies.len(),
                        loaded.warnings.len()
                    )?,
                    Err((i, e)) => {
                        bad += 1;
                        eprintln!("{}: error: `policy[{i}].retain`: {e}", f.display());
                    }
                }
            }
            Err(e) => {
                bad += 1;
                eprintln!("{e}");
            }
        }
    }
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// `--paths`: a whole number in [1, 10^12] (underscores allowed, as in the scenario file).
fn parse_paths(text: &str) -> Result<u64, String> {
    match text.replace('_', "").parse::<u64>() {
        Ok(n) if (1..=crate::scenario::MAX_PATHS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number of paths in [1, {}], e.g. 20000",
            crate::scenario::MAX_PATHS
        )),
    }
}

/// `--fill-rate-target`: a number in [0, 1].
fn parse_fraction(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err("expected a fill rate in [0, 1], e.g. 0.95".into()),
    }
}

/// Most worker threads `--threads` accepts.
const MAX_THREADS: usize = 1024;

/// `--threads`: 0 (one per core) to 1024.
fn parse_threads(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n <= MAX_THREADS => Ok(n),
        _ => Err(format!(
            "expected a whole number of worker threads in [0, {MAX_THREADS}] (0 = one per core)"
        )),
    }
}

/// SIGINT and SIGTERM stop a run: the first one sets a flag that the workers check before
/// every path; nothing is written and the process exits with 128 + the signal's number.
struct Interrupt {
    requested: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
    installed: Instant,
}

impl Interrupt {
    fn install() -> Interrupt {
        let interrupt = Interrupt {
            requested: Arc::new(AtomicBool::new(false)),
            signal: Arc::new(AtomicUsize::new(0)),
            installed: Instant::now(),
        };
        #[cfg(unix)]
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // The number first, so that it is known once the flag is seen. Registering fails
            // only for signals that may not be caught; these two may.
            let _ =
                signal_hook::flag::register_usize(sig, Arc::clone(&interrupt.signal), sig as usize);
            let _ = signal_hook::flag::register(sig, Arc::clone(&interrupt.requested));
        }
        interrupt
    }

    fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// Time since the command started (when the handlers were installed).
    fn since_start(&self) -> std::time::Duration {
        self.installed.elapsed()
    }

    /// 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as shells report it.
    fn exit_code(&self) -> ExitCode {
        let sig = self.signal.load(Ordering::SeqCst);
        ExitCode::from(u8::try_from(128 + sig).unwrap_or(130))
    }

    fn name(&self) -> &'static str {
        match self.signal.load(Ordering::SeqCst) {
            2 => "SIGINT",
            15 => "SIGTERM",
            _ => "a signal",
        }
    }
}

/// Renders every file first (a failure leaves the earlier files untouched), writes them all
/// together, then prints the result on standard output in `format`. On failure the output
/// directory is discarded if this run made it.
fn write_outputs(
    summary: &engine::RunSummary,
    out_dir: &OutputDir,
    format: Format,
    report: bool,
) -> anyhow::Result<()> {
    let rendered = write_rendered(out_dir, output::render_all(summary, report))?;
    let mut stdout = std::io::stdout().lock();
    match format {
        Format::Table => stdout.write_all(output::render_table(summary).as_bytes())?,
        Format::Json => stdout.write_all(&rendered[0].1)?,
        Format::Csv => stdout.write_all(&rendered[1].1)?,
    }
    stdout.flush()?;
    Ok(())
}

/// `pimsim merge`: dispatches on the kind of the partial results.
fn merge(args: &MergeArgs) -> anyhow::Result<ExitCode> {
    use engine::shard::Partials;
    match engine::shard::read_partials(&args.inputs)? {
        Partials::Run(partials) => merge_run(args, partials),
        Partials::Sweep(partials) => merge_sweep(args, partials),
        Partials::Portfolio(partials) => merge_portfolio(args, partials),
    }
}

fn cannot_merge(e: engine::shard::MergeError) -> InputError {
    InputError::Mismatch(format!("cannot merge: {e}"))
}

fn merge_run(
    args: &MergeArgs,
    partials: Vec<(PathBuf, engine::shard::PartialRun)>,
) -> anyhow::Result<ExitCode> {
    let merged = engine::shard::merge(partials).map_err(cannot_merge)?;
    print_warnings(&merged.scenario.warnings);
    let out_dir = OutputDir::prepare(
        &args
            .out
            .clone()
            .unwrap_or_else(|| default_out(&merged.scenario.path)),
    )?;
    write_outputs(&merged.summary, &out_dir, args.format, !args.no_report)?;
    if !args.quiet {
        eprintln!(
            "merged {} paths; wrote {}",
            merged.summary.paths,
            out_dir.path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn merge_sweep(
    args: &MergeArgs,
    partials: Vec<(PathBuf, engine::sweep_shard::PartialSweep)>,
) -> anyhow::Result<ExitCode> {
    let shards = partials.len();
    let runs = engine::sweep_shard::merge_sweep(partials).map_err(cannot_merge)?;
    for r in &runs {
        print_warnings(&r.plan.base.warnings);
    }
    let stems: Vec<&str> = runs.iter().map(|r| r.scenario.as_str()).collect();
    let out_dir = OutputDir::prepare(
        &args
            .out
            .clone()
            .unwrap_or_else(|| sweep_default_out(&stems, "sweep")),
    )?;
    write_sweep_outputs(&runs, &out_dir, args.format.into(), !args.no_report)?;
    if !args.quiet {
        let points: usize = runs.iter().map(|r| r.points.len()).sum();
        eprintln!(
            "merged {shards} shard(s): {} scenario(s), {points} point(s); wrote {}",
            runs.len(),
            out_dir.path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The scenario's plan; a retained level that cannot be computed is an input error of the
/// policy's `retain` in `file`.
fn plan_of(file: &Path, scenario: &Scenario) -> Result<Plan, InputError> {
    Plan::new(scenario).map_err(|(i, e)| {
        InputError::Problems(vec![crate::error::Problem {
            severity: Severity::Error,
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            key: format!("policy[{i}].retain"),
            value: None,
            message: e.to_string(),
        }])
    })
}

/// Writes every rendered file into `out_dir` together (all or nothing: on failure, or when
/// rendering failed, the directory is left as it was) and returns them.
fn write_rendered<N: AsRef<str>>(
    out_dir: &OutputDir,
    rendered: anyhow::Result<Vec<(N, Vec<u8>)>>,
) -> anyhow::Result<Vec<(N, Vec<u8>)>> {
    rendered
        .and_then(|rendered| {
            let files: Vec<(&str, &[u8])> = rendered
                .iter()
                .map(|(n, c)| (n.as_ref(), c.as_slice()))
                .collect();
            out_dir.write_all(&files)?;
            Ok(rendered)
        })
        .inspect_err(|_| out_dir.discard())
}

/// Writes a shard's partial result into `out_dir` (all or nothing; on failure the directory
/// is left as it was) and returns the file written.
fn write_partial(
    out_dir: &OutputDir,
    shard: engine::shard::Shard,
    partial: &impl serde::Serialize,
) -> anyhow::Result<PathBuf> {
    let json = serde_json::to_vec(partial)?;
    out_dir
        .write(&shard.file_name(), &json)
        .inspect_err(|_| out_dir.discard())
}

/// After an interruption: leaves `out_dir` as it was, says so, and gives the exit code of the
/// signal (130 for SIGINT, 143 for SIGTERM).
fn interrupted(out_dir: &OutputDir, interrupt: &Interrupt) -> ExitCode {
    out_dir.discard();
    eprintln!(
        "interrupted by {} after {:.2} s; nothing was written (the files in {} are as they were)",
        interrupt.name(),
        interrupt.since_start().as_secs_f64(),
        out_dir.path().display()
    );
    interrupt.exit_code()
}

fn default_out(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    Path::new("reports").join(stem)
}

/// The shard of a `run`, `sweep` or `portfolio`, from --shard or the scheduler's environment.
fn shard_of(args: &ShardArgs) -> anyhow::Result<Option<engine::shard::Shard>> {
    if !args.shard_from_env {
        return Ok(args.shard);
    }
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let flag_error = |value: String, message: String| InputError::Flag {
        flag: "--shard-from-env".into(),
        value,
        message,
    };
    let (name, index) = ["SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"]
        .iter()
        .find_map(|&n| var(n).map(|v| (n, v)))
        .ok_or_else(|| {
            flag_error(
                "(unset)".into(),
                "needs SLURM_ARRAY_TASK_ID (Slurm job array) or JOB_COMPLETION_INDEX \
                 (Kubernetes Indexed Job) in the environment"
                    .into(),
            )
        })?;
    let count = match args.shards {
        Some(n) => n.to_string(),
        None => var("SLURM_ARRAY_TASK_COUNT").ok_or_else(|| {
            flag_error(
                format!("{name}={index}"),
                "give the number of shards with --shards N (SLURM_ARRAY_TASK_COUNT is not set)"
                    .into(),
            )
        })?,
    };
    let spec = format!("{}/{}", index.trim(), count.trim());
    engine::shard::Shard::parse(&spec)
        .map(Some)
        .map_err(|e| flag_error(format!("{name}={index}"), e).into())
}

fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let interrupt = Interrupt::install();
    let scenario_text = Scenario::read_text(&args.scenario)?;
    if crate::scenario::sweep::has_sweep(&scenario_text) {
        return sweep(&SweepArgs {
            scenarios: vec![args.scenario.clone()],
            simulation: args.simulation,
            out: args.out.clone(),
            format: args.format.into(),
            quiet: args.quiet,
            no_report: args.no_report,
            shard: args.shard,
        });
    }
    let shard = shard_of(&args.shard)?;
    let loaded = Scenario::from_toml(&args.scenario, &scenario_text)?;
    print_warnings(&loaded.warnings);
    let scenario = &loaded.scenario;
    let plan = plan_of(&args.scenario, scenario)?;
    let settings = args.simulation.settings(&scenario.simulation);
    let max_paths = scenario.max_paths();
    if settings.paths > max_paths {
        let (flag, value) = match args.simulation.paths {
            Some(p) => ("--paths".to_string(), p.to_string()),
            None => (
                format!("simulation.paths of {}", args.scenario.display()),
                settings.paths.to_string(),
            ),
        };
        return Err(InputError::Flag {
            flag,
            value,
            message: format!(
                "too many paths for this scenario's volumes: the exact unit counters would \
                 overflow; at most {max_paths} paths (about {:.3e} units per path)",
                scenario.units_per_path_bound()
            ),
        }
        .into());
    }
    let mut plan = plan;
    if scenario
        .policies
        .iter()
        .any(|p| p.retain == Some(crate::retention::RetainRule::Optimal))
    {
        if shard.is_some() {
            return Err(InputError::Flag {
                flag: "--shard".into(),
                value: args.scenario.display().to_string(),
                message: "a policy has retain = \"optimal\", which is resolved before a whole \
                          run; run it without shards, or give R as the number `pimsim optimize` \
                          finds"
                    .into(),
            }
            .into());
        }
        let started = Instant::now();
        match crate::optimize::resolve_optimal_retain(
            scenario,
            &mut plan,
            settings,
            &interrupt.requested,
        ) {
            Ok(resolved) => {
                if !args.quiet {
                    for (_, o) in &resolved {
                        eprintln!(
                            "{}: retain = \"optimal\" is R = {} (mean cost {:.2} on {} paths; {} \
                             candidates in {} passes, {:.2} s)",
                            o.policy,
                            o.best.quantity,
                            o.best.total_cost,
                            settings.paths.min(crate::optimize::OPTIMAL_RETAIN_PATHS),
                            o.search.candidates,
                            o.search.passes,
                            started.elapsed().as_secs_f64()
                        );
                    }
                }
            }
            Err(_) => {
                eprintln!(
                    "interrupted by {} while choosing the optimal retained level; nothing was written",
                    interrupt.name()
                );
                return Ok(interrupt.exit_code());
            }
        }
    }
    let plan = plan;
    if interrupt.requested() {
        eprintln!(
            "interrupted by {} before simulating; nothing was written",
            interrupt.name()
        );
        return Ok(interrupt.exit_code());
    }
    let out_dir = OutputDir::prepare(&args.out.clone().unwrap_or_else(|| {
        let dir = default_out(&args.scenario);
        match shard {
            Some(_) => dir.with_file_name(format!(
                "{}-shards",
                dir.file_name().unwrap_or_default().to_string_lossy()
            )),
            None => dir,
        }
    }))?;

    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let bar = if show_progress {
        let bar = indicatif::ProgressBar::new(settings.paths);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos}/{len} paths [{bar:40}] {percent}% eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = Instant::now();
    if let Some(shard) = shard {
        let outcome = engine::shard::run_shard(
            &loaded,
            &scenario_text,
            &plan,
            settings,
            shard,
            &|n| bar.inc(n),
            &interrupt.requested,
        );
        bar.finish_and_clear();
        let partial = match outcome {
            Ok(partial) if !interrupt.requested() => partial,
            _ => {
                return Ok(interrupted(&out_dir, &interrupt));
            }
        };
        let file = write_partial(&out_dir, shard, &partial)?;
        if !args.quiet {
            eprintln!(
                "shard {} of {}: blocks {}..{} in {:.2} s; wrote {}",
                shard.index,
                shard.count,
                partial.blocks.start,
                partial.blocks.end,
                started.elapsed().as_secs_f64(),
                file.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = engine::run_cancellable(
        scenario,
        &plan,
        settings,
        &|n| bar.inc(n),
        &interrupt.requested,
    );
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let summary = match outcome {
        Ok(summary) if !interrupt.requested() => summary,
        _ => {
            return Ok(interrupted(&out_dir, &interrupt));
        }
    };

    // From here on a signal is acted on only once the (short) writing is done, so that the
    // directory always holds one complete report.
    write_outputs(&summary, &out_dir, args.format, !args.no_report)?;
    if interrupt.requested() {
        eprintln!(
            "interrupted by {} while writing; the new report in {} is complete",
            interrupt.name(),
            out_dir.path().display()
        );
        return Ok(interrupt.exit_code());
    }
    if !args.quiet {
        eprintln!(
            "{} paths in {:.2} s ({:.0} paths/s); wrote {}",
            settings.paths,
            elapsed,
            settings.paths as f64 / elapsed.max(1e-9),
            out_dir.path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The scenario files of `pimsim sweep`: files as given, directories expanded to their
/// `*.toml` files sorted by name.
fn sweep_files(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let unreadable = |reason: String| InputError::Unreadable {
                path: input.clone(),
                reason,
            };
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .map_err(|e| unreadable(e.to_string()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
                .collect();
            if found.is_empty() {
                return Err(
                    unreadable("a directory without scenario files (*.toml)".into()).into(),
                );
            }
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn stem_of(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into())
}

fn sweep(args: &SweepArgs) -> anyhow::Result<ExitCode> {
    use crate::engine::sweep::{SweepRun, run_sweep};
    use crate::engine::sweep_shard::SweepInput;
    use crate::scenario::sweep::SweepPlan;
    let interrupt = Interrupt::install();
    let shard = shard_of(&args.shard)?;
    let files = sweep_files(&args.scenarios)?;
    // Validate every file first and report the problems of all of them at once.
    let mut plans = Vec::new();
    let mut problems = Vec::new();
    for f in &files {
        let text = Scenario::read_text(f)?;
        match SweepPlan::from_toml(f, &text) {
            Ok(plan) => plans.push((plan, text)),
            Err(InputError::Problems(p)) => problems.extend(p),
            Err(e) => return Err(e.into()),
        }
    }
    if !problems.is_empty() {
        return Err(InputError::Problems(problems).into());
    }
    let mut stems: Vec<String> = Vec::new();
    for f in &files {
        let stem = stem_of(f);
        if stems.contains(&stem) {
            return Err(InputError::Mismatch(format!(
                "two scenario files are named {stem}.toml; the `scenario` column of sweep.csv \
                 could not tell them apart (rename one)"
            ))
            .into());
        }
        stems.push(stem);
    }
    let mut jobs = Vec::new();
    for ((file, (plan, text)), stem) in files.iter().zip(plans).zip(stems) {
        print_warnings(&plan.base.warnings);
        let base = &plan.base.scenario;
        let settings = args.simulation.settings(&base.simulation);
        let max_paths = plan
            .points
            .iter()
            .map(|p| p.scenario.max_paths())
            .chain(plan.oat.iter().map(|p| p.scenario.max_paths()))
            .chain([base.max_paths()])
            .min()
            .unwrap_or(base.max_paths());
        if settings.paths > max_paths {
            return Err(InputError::Flag {
                flag: "--paths".into(),
                value: settings.paths.to_string(),
                message: format!(
                    "too many paths for the volumes of {}.toml at some sweep point: the exact \
                     unit counters would overflow; at most {max_paths} paths",
                    stem
                ),
            }
            .into());
        }
        jobs.push(SweepInput {
            file: file.clone(),
            stem,
            text,
            plan,
            settings,
        });
    }
    if interrupt.requested() {
        eprintln!(
            "interrupted by {} before simulating; nothing was written",
            interrupt.name()
        );
        return Ok(interrupt.exit_code());
    }
    let stems: Vec<&str> = jobs.iter().map(|j| j.stem.as_str()).collect();
    let default = match shard {
        Some(_) => sweep_default_out(&stems, "shards"),
        None => sweep_default_out(&stems, "sweep"),
    };
    let out_dir = OutputDir::prepare(&args.out.clone().unwrap_or(default))?;
    if let Some(shard) = shard {
        return sweep_shard(args, &jobs, shard, &out_dir, &interrupt);
    }

    let total: u64 = jobs
        .iter()
        .map(|j| SweepRun::run_count(&j.plan) * j.settings.paths)
        .sum();
    let bar = sweep_bar(total, args.quiet);
    let started = Instant::now();
    let mut runs = Vec::new();
    let mut point_count = 0;
    for j in jobs {
        point_count += j.plan.points.len();
        match run_sweep(
            j.stem,
            j.plan,
            j.settings,
            &|n| bar.inc(n),
            &interrupt.requested,
        ) {
            Ok(run) if !interrupt.requested() => runs.push(run),
            _ => {
                bar.finish_and_clear();
                return Ok(interrupted(&out_dir, &interrupt));
            }
        }
    }
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();

    write_sweep_outputs(&runs, &out_dir, args.format, !args.no_report)?;
    if interrupt.requested() {
        eprintln!(
            "interrupted by {} while writing; the new report in {} is complete",
            interrupt.name(),
            out_dir.path().display()
        );
        return Ok(interrupt.exit_code());
    }
    if !args.quiet {
        eprintln!(
            "{} scenario(s), {point_count} point(s) in {elapsed:.2} s; wrote {}",
            runs.len(),
            out_dir.path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The default output directory of a sweep of files with `stems`:
/// `reports/<stem>-<suffix>/` for one file, `reports/<suffix>/` for several.
fn sweep_default_out(stems: &[&str], suffix: &str) -> PathBuf {
    match stems {
        [one] => Path::new("reports").join(format!("{one}-{suffix}")),
        _ => Path::new("reports").join(suffix),
    }
}

/// A sweep's progress bar over `total` point-paths (hidden when quiet or not on a terminal).
fn sweep_bar(total: u64, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {pos}/{len} point-paths [{bar:40}] {percent}% eta {eta}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}

/// `sweep --shard K/N`: runs the shard's units and writes its partial result.
fn sweep_shard(
    args: &SweepArgs,
    inputs: &[crate::engine::sweep_shard::SweepInput],
    shard: engine::shard::Shard,
    out_dir: &OutputDir,
    interrupt: &Interrupt,
) -> anyhow::Result<ExitCode> {
    use crate::engine::sweep_shard::{run_sweep_shard, shard_units};
    let (units, paths) = shard_units(inputs, shard);
    let bar = sweep_bar(paths, args.quiet);
    let started = Instant::now();
    let outcome = run_sweep_shard(inputs, shard, &|n| bar.inc(n), &interrupt.requested);
    bar.finish_and_clear();
    let partial = match outcome {
        Ok(partial) if !interrupt.requested() => partial,
        _ => {
            return Ok(interrupted(out_dir, interrupt));
        }
    };
    let file = write_partial(out_dir, shard, &partial)?;
    if !args.quiet {
        let total: u64 = partial.files.iter().map(|f| f.runs).sum();
        eprintln!(
            "shard {} of {}: runs {}..{} of the sweep's {total} in {:.2} s; wrote {}",
            shard.index,
            shard.count,
            units.start,
            units.end,
            started.elapsed().as_secs_f64(),
            file.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders every file of a sweep first (a failure leaves the earlier files untouched), writes
/// them all together, then prints the result on standard output in `format`. On failure the
/// output directory is discarded if this run made it.
fn write_sweep_outputs(
    runs: &[crate::engine::sweep::SweepRun],
    out_dir: &OutputDir,
    format: SweepFormat,
    report: bool,
) -> anyhow::Result<()> {
    let rendered = write_rendered(out_dir, output::sweep::render_sweep_all(runs, report))?;
    let mut stdout = std::io::stdout().lock();
    match format {
        SweepFormat::Table => {
            stdout.write_all(output::sweep::render_sweep_table(runs).as_bytes())?
        }
        SweepFormat::Json => stdout.write_all(&rendered[2].1)?,
        SweepFormat::Csv => stdout.write_all(&rendered[0].1)?,
    }
    stdout.flush()?;
    Ok(())
}

fn fit(args: &FitArgs) -> anyhow::Result<ExitCode> {
    use crate::output::fit as out;
    let history = crate::fit::read_history(&args.history)?;
    let template = match &args.template {
        Some(path) => {
            let loaded = Scenario::load(path)?;
            print_warnings(&loaded.warnings);
            Some(
                std::fs::read_to_string(path).map_err(|e| InputError::Unreadable {
                    path: path.clone(),
                    reason: e.to_string(),
                })?,
            )
        }
        None => None,
    };
    let fits = crate::fit::fit_history(
        &history,
        match args.origin {
            FitOrigin::Eop => crate::fit::TimeOrigin::Eop,
            FitOrigin::End => crate::fit::TimeOrigin::End,
        },
    );
    let source = args
        .history
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let render = |f: &crate::fit::PartFit| -> anyhow::Result<String> {
        let block = out::render_demand_toml(f, &source);
        // The fitted block must be valid scenario input: check it inside a minimal scenario
        // (whether a template's policies can be computed for this demand, e.g. a quantile
        // retain rule, is for `pimsim check` to say; it can take long).
        let minimal = format!(
            "[scenario]\nhorizon_years = 10\n[part]\nunit_cost = 1.0\non_hand = 0\n\
             [costs]\nholding_rate = 0.1\nshortage_penalty = 1.0\n\
             [[policy]]\nname = \"hold\"\nkind = \"hold\"\n{block}"
        );
        Scenario::from_toml(Path::new("fitted.toml"), &minimal).map_err(|e| {
            anyhow::anyhow!(
                "internal error: the demand fitted for part {:?} is not valid:\n{e}",
                f.part
            )
        })?;
        match &template {
            None => Ok(block),
            Some(t) => out::compose_scenario(t, f, &source),
        }
    };
    let single = args.out.as_ref().filter(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    });
    let written = if let Some(file) = single {
        if fits.len() != 1 {
            return Err(InputError::Flag {
                flag: "--out".into(),
                value: file.display().to_string(),
                message: format!(
                    "a single .toml file needs a history of one part, and {} has {} parts; \
                     give a directory instead",
                    args.history.display(),
                    fits.len()
                ),
            }
            .into());
        }
        let text = render(&fits[0])?;
        out::write_file_atomically(file, text.as_bytes())?;
        file.clone()
    } else {
        let dir = args.out.clone().unwrap_or_else(|| {
            let stem = args
                .history
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "history".into());
            Path::new("fits").join(stem)
        });
        // Render everything before writing anything.
        use crate::output::charts::fit as chart;
        let mut files = vec![
            ("parts.csv".to_string(), out::render_parts_csv(&fits)?),
            (
                "fit_cumulative.csv".to_string(),
                out::render_cumulative_csv(&fits)?,
            ),
            (
                "fit_cumulative.svg".to_string(),
                chart::fit_cumulative_svg(&fits)?.into_bytes(),
            ),
            (
                "fit_cumulative.png".to_string(),
                chart::fit_cumulative_png(&fits)?,
            ),
        ];
        let mut taken = std::collections::HashSet::new();
        // Part files must not overwrite these (compared in lower case).
        for name in ["parts", "fit_cumulative"] {
            taken.insert(name.to_string());
        }
        for f in &fits {
            let stem = out::part_file_stem(&f.part);
            let mut name = stem.clone();
            let mut k = 2;
            while !taken.insert(name.to_lowercase()) {
                name = format!("{stem}-{k}");
                k += 1;
            }
            let name = format!("{name}.toml");
            let text = render(f)?;
            files.push((name, text.into_bytes()));
        }
        let out_dir = OutputDir::prepare(&dir)?;
        for (name, content) in &files {
            out_dir.write(name, content)?;
        }
        dir
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(out::render_fit_table(&fits).as_bytes())?;
    stdout.flush()?;
    if !args.quiet {
        let orders: u64 = fits.iter().map(|f| f.orders).sum();
        eprintln!(
            "fitted {} part{} ({orders} orders); wrote {}",
            fits.len(),
            if fits.len() == 1 { "" } else { "s" },
            written.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The candidate closest to `name` among `names`, for a "did you mean" hint.
fn closest<'a>(name: &str, names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    names
        .map(|n| (strsim::jaro_winkler(name, n), n))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n)
}

fn optimize(args: &OptimizeArgs) -> anyhow::Result<ExitCode> {
    let interrupt = Interrupt::install();
    let loaded = Scenario::load(&args.scenario)?;
    print_warnings(&loaded.warnings);
    let scenario = &loaded.scenario;
    let plan = plan_of(&args.scenario, scenario)?;
    let flag_error = |value: &str, message: String| InputError::Flag {
        flag: "--policy".into(),
        value: value.to_string(),
        message,
    };
    let names = || scenario.policies.iter().map(|p| p.name.as_str());
    let indices = match &args.policy {
        Some(name) => {
            let Some(i) = scenario.policies.iter().position(|p| &p.name == name) else {
                let hint = closest(name, names())
                    .map(|n| format!("did you mean \"{n}\"? "))
                    .unwrap_or_default();
                return Err(flag_error(
                    name,
                    format!(
                        "no policy of that name in {}; {hint}the policies are: {}",
                        args.scenario.display(),
                        names().collect::<Vec<_>>().join(", ")
                    ),
                )
                .into());
            };
            if scenario.policies[i].review_every_years.is_some() {
                return Err(flag_error(
                    name,
                    "this policy repeats its disposition (review_every_years): there is no \
                     single retained level to optimise; remove review_every_years"
                        .into(),
                )
                .into());
            }
            vec![i]
        }
        None => {
            let all = crate::optimize::optimisable_policies(scenario);
            if all.is_empty() {
                return Err(flag_error(
                    "(every policy)",
                    "every policy repeats its disposition (review_every_years): nothing to \
                     optimise; remove review_every_years from one"
                        .into(),
                )
                .into());
            }
            if !args.quiet && all.len() < scenario.policies.len() {
                eprintln!(
                    "note: policies with review_every_years are not optimised: {}",
                    scenario
                        .policies
                        .iter()
                        .filter(|p| p.review_every_years.is_some())
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            all
        }
    };
    let settings = args.simulation.settings(&scenario.simulation);
    let out_dir = OutputDir::prepare(&args.out.clone().unwrap_or_else(|| {
        let dir = default_out(&args.scenario);
        dir.with_file_name(format!(
            "{}-optimize",
            dir.file_name().unwrap_or_default().to_string_lossy()
        ))
    }))?;
    // One bar per engine pass: how many passes a search takes is not known in advance.
    let bar = if !args.quiet && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(settings.paths);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {msg} {pos}/{len} paths [{bar:30}] {percent}% [{elapsed}]",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let progress = |event: crate::optimize::OptimizeProgress| match event {
        crate::optimize::OptimizeProgress::Pass {
            policy,
            pass,
            candidates,
        } => {
            bar.reset();
            bar.set_message(format!("{policy}: pass {pass}, {candidates} quantities"));
        }
        crate::optimize::OptimizeProgress::Paths(n) => bar.inc(n),
    };
    let started = Instant::now();
    let outcome = crate::optimize::optimise(
        scenario,
        &plan,
        &indices,
        settings,
        args.fill_rate_target,
        if args.full_scan {
            crate::optimize::Method::FullScan
        } else {
            crate::optimize::Method::ZoomingGrid
        },
        &progress,
        &interrupt.requested,
    );
    bar.finish_and_clear();
    let report = match outcome {
        Ok(report) if !interrupt.requested() => report,
        Ok(_) | Err(crate::optimize::OptimizeError::Cancelled) => {
            return Ok(interrupted(&out_dir, &interrupt));
        }
        Err(e) => {
            out_dir.discard();
            return Err(flag_error(args.policy.as_deref().unwrap_or(""), e.to_string()).into());
        }
    };
    let elapsed = started.elapsed().as_secs_f64();
    let rendered = match output::render_optimize(&report, true).and_then(|files| {
        let refs: Vec<(&str, &[u8])> = files.iter().map(|(n, c)| (*n, c.as_slice())).collect();
        out_dir.write_all(&refs)?;
        Ok(files)
    }) {
        Ok(files) => files,
        Err(e) => {
            out_dir.discard();
            return Err(e);
        }
    };
    let mut stdout = std::io::stdout().lock();
    match args.format {
        OptimizeFormat::Table => {
            stdout.write_all(output::render_optimize_table(&report).as_bytes())?
        }
        OptimizeFormat::Json => stdout.write_all(&rendered[0].1)?,
    }
    stdout.flush()?;
    if !args.quiet {
        let passes: u32 = report.policies.iter().map(|p| p.search.passes).sum();
        let candidates: u64 = report.policies.iter().map(|p| p.search.candidates).sum();
        eprintln!(
            "{candidates} candidates in {passes} passes of {} paths in {elapsed:.2} s; wrote {}",
            settings.paths,
            out_dir.path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn merge_portfolio(
    args: &MergeArgs,
    partials: Vec<(PathBuf, crate::portfolio::shard::PortfolioPartial)>,
) -> anyhow::Result<ExitCode> {
    let portfolio = crate::portfolio::shard::merge(partials).map_err(cannot_merge)?;
    let stem = Path::new(
        portfolio
            .meta
            .parts_files
            .first()
            .map_or("parts", |s| s.as_str()),
    )
    .file_stem()
    .map(|s| s.to_string_lossy().into_owned())
    .unwrap_or_else(|| "parts".into());
    let out_dir = OutputDir::prepare(
        &args
            .out
            .clone()
            .unwrap_or_else(|| Path::new("reports").join(format!("{stem}-portfolio"))),
    )?;
    write_portfolio(&portfolio, &out_dir, args.format.into(), !args.no_report)?;
    if !args.quiet {
        eprintln!(
            "merged {} parts; wrote {}",
            portfolio.parts.len(),
            out_dir.path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Renders every file of a portfolio, writes them all together, then prints in `format`. On
/// failure the output directory is discarded if this run made it.
fn write_portfolio(
    portfolio: &crate::portfolio::Portfolio,
    out_dir: &OutputDir,
    format: PortfolioFormat,
    report: bool,
) -> anyhow::Result<()> {
    use crate::output::portfolio as out;
    let analysis = crate::portfolio::analyse(portfolio);
    let rendered = write_rendered(
        out_dir,
        out::render_portfolio_all(portfolio, &analysis, report),
    )?;
    let mut stdout = std::io::stdout().lock();
    match format {
        PortfolioFormat::Table => {
            stdout.write_all(out::render_portfolio_table(portfolio, &analysis).as_bytes())?
        }
        PortfolioFormat::Json => stdout.write_all(&rendered[2].1)?,
        PortfolioFormat::Csv => stdout.write_all(&rendered[0].1)?,
    }
    stdout.flush()?;
    Ok(())
}

/// Most warnings of the parts' scenarios printed one by one.
const MAX_PART_WARNINGS: usize = 10;

fn portfolio(args: &PortfolioArgs) -> anyhow::Result<ExitCode> {
    use crate::portfolio::{self as pf, PortfolioMeta};
    let interrupt = Interrupt::install();
    let shard = shard_of(&args.shard)?;
    let template_text = Scenario::read_text(&args.template)?;
    if crate::scenario::sweep::has_sweep(&template_text) {
        return Err(InputError::Flag {
            flag: "--template".into(),
            value: args.template.display().to_string(),
            message: "the template has a [sweep] table; a portfolio template is one scenario \
                      (remove [sweep])"
                .into(),
        }
        .into());
    }
    let template = Scenario::from_toml(&args.template, &template_text)?;
    print_warnings(&template.warnings);
    let settings = args.simulation.settings(&template.scenario.simulation);
    let pool = pf::thread_pool(settings.threads);
    let input =
        pool.install(|| pf::input::read_parts(&args.parts, &args.template, &template_text))?;
    print_warnings(&input.warnings);
    let warnings: Vec<&crate::error::Problem> =
        input.parts.iter().flat_map(|p| &p.warnings).collect();
    for w in warnings.iter().take(MAX_PART_WARNINGS) {
        eprintln!("{w}");
    }
    if warnings.len() > MAX_PART_WARNINGS {
        eprintln!(
            "… and {} more warnings of the parts' scenarios (pimsim check on a part's scenario \
             lists them)",
            warnings.len() - MAX_PART_WARNINGS
        );
    }
    if let Some(p) = input
        .parts
        .iter()
        .find(|p| settings.paths > p.scenario.max_paths())
    {
        return Err(InputError::Flag {
            flag: "--paths".into(),
            value: settings.paths.to_string(),
            message: format!(
                "too many paths for the volumes of part {}: the exact unit counters would \
                 overflow; at most {} paths",
                p.part,
                p.scenario.max_paths()
            ),
        }
        .into());
    }
    let file_name = |p: &Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    let meta = PortfolioMeta {
        template: file_name(&args.template),
        parts_files: args.parts.iter().map(|p| file_name(p)).collect(),
        columns: input.columns.iter().map(|c| c.name.clone()).collect(),
        fit_columns: input.fit_columns.iter().map(|c| c.name.clone()).collect(),
        policies: template
            .scenario
            .policies
            .iter()
            .map(|p| (p.name.clone(), p.kind.as_str().to_string()))
            .collect(),
        currency: template.scenario.report.currency_label().to_string(),
        paths: settings.paths,
        seed: settings.seed,
        fill_rate_target: args.fill_rate_target,
    };
    let count = input.parts.len();
    let range = shard.map_or(0..count, |s| pf::shard::shard_parts(s, count));
    if interrupt.requested() {
        eprintln!(
            "interrupted by {} before simulating; nothing was written",
            interrupt.name()
        );
        return Ok(interrupt.exit_code());
    }
    let stem = stem_of(&args.parts[0]);
    let out_dir = OutputDir::prepare(&args.out.clone().unwrap_or_else(|| {
        let suffix = if shard.is_some() {
            "-portfolio-shards"
        } else {
            "-portfolio"
        };
        Path::new("reports").join(format!("{stem}{suffix}"))
    }))?;
    let bar = if !args.quiet && std::io::stderr().is_terminal() {
        let bar = indicatif::ProgressBar::new(range.len() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {pos}/{len} parts [{bar:40}] {percent}% eta {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = Instant::now();
    let outcome = pool.install(|| {
        pf::run_parts(
            &input.parts[range.clone()],
            settings.paths,
            settings.seed,
            &|n| bar.inc(n),
            &interrupt.requested,
        )
    });
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let results = match outcome {
        Ok(results) if !interrupt.requested() => results,
        Err(pf::PortfolioError::NotFinite { part, message }) => {
            out_dir.discard();
            return Err(anyhow::anyhow!("part {part}: {message}"));
        }
        _ => {
            return Ok(interrupted(&out_dir, &interrupt));
        }
    };
    let scenarios = || match &args.scenarios {
        Some(dir) => write_part_scenarios(dir, &input.parts[range.clone()], settings),
        None => Ok(()),
    };
    if let Some(shard) = shard {
        let partial = pf::shard::partial(&template_text, &input.texts, meta, shard, count, results);
        let file = write_partial(&out_dir, shard, &partial)?;
        scenarios()?;
        if !args.quiet {
            eprintln!(
                "shard {} of {}: parts {}..{} of {count} in {elapsed:.2} s; wrote {}",
                shard.index,
                shard.count,
                range.start,
                range.end,
                file.display()
            );
        }
        return Ok(ExitCode::SUCCESS);
    }
    let portfolio = pf::Portfolio {
        meta,
        parts: results,
    };
    write_portfolio(&portfolio, &out_dir, args.format, !args.no_report)?;
    scenarios()?;
    if interrupt.requested() {
        eprintln!(
            "interrupted by {} while writing; the new report in {} is complete",
            interrupt.name(),
            out_dir.path().display()
        );
        return Ok(interrupt.exit_code());
    }
    if !args.quiet {
        eprintln!(
            "{count} parts × {} paths in {elapsed:.2} s; wrote {}",
            settings.paths,
            out_dir.path().display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes each part's scenario file into `dir` (`<part>.toml`, file names made safe and
/// unique), all together and atomically.
fn write_part_scenarios(
    dir: &Path,
    parts: &[crate::portfolio::input::PreparedPart],
    settings: RunSettings,
) -> anyhow::Result<()> {
    let mut taken = std::collections::HashSet::new();
    let mut files = Vec::with_capacity(parts.len());
    for p in parts {
        let stem = output::fit::part_file_stem(&p.part);
        let mut name = stem.clone();
        let mut k = 2;
        while !taken.insert(name.to_lowercase()) {
            name = format!("{stem}-{k}");
            k += 1;
        }
        files.push((
            format!("{name}.toml"),
            crate::portfolio::part_scenario_file(p, settings.paths, settings.seed),
        ));
    }
    let out_dir = OutputDir::prepare(dir)?;
    let refs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_bytes()))
        .collect();
    if let Err(e) = out_dir.write_all(&refs) {
        out_dir.discard();
        return Err(e);
    }
    Ok(())
}
