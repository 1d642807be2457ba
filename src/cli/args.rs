//! Flags shared by several commands, and their value parsers.

use clap::ValueEnum;
use pimsim::api::RunOptions;
use pimsim::error::{Error, InputError};
use pimsim::scenario::MAX_PATHS;
use pimsim::shard::Shard;

/// The simulation options of `run`, `sweep`, `optimize` and `portfolio`.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct SimulationArgs {
    /// Number of demand paths [default: the scenario's simulation.paths, else 10000].
    #[arg(long, value_parser = parse_paths)]
    pub paths: Option<u64>,
    /// Seed of the random streams [default: the scenario's simulation.seed, else 1]. Each
    /// command says what it means for it (see `SEED_HELP_*`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (0 = one per core, at most 1024). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = parse_threads)]
    pub threads: usize,
    /// Stop when the answer is known instead of after a number of paths: simulate path blocks
    /// in stages until every policy's 95 % interval of the mean total cost has a half-width of
    /// at most P × |mean| and the verdict's saving one of at most P × the larger of |saving|
    /// and the baseline's mean cost (0.001 = ± 0.1 %), or --max-paths is reached; the result
    /// is that of --paths N with the N it stopped at. Not with --paths, nor with --shard.
    #[arg(long, value_name = "P", value_parser = parse_precision, conflicts_with = "paths")]
    pub precision: Option<f64>,
    /// With --precision: the most paths to simulate [default: 1000000, at most the scenario's
    /// path limit].
    #[arg(long, value_name = "N", value_parser = parse_paths, requires = "precision")]
    pub max_paths: Option<u64>,
}

/// `run --seed`: what the seed means for a run.
pub const SEED_HELP_RUN: &str = "Seed of the random streams [default: the scenario's \
    simulation.seed, else 1]: path k draws all its randomness (demand, partners, shrinkage) from \
    streams keyed by (seed, k), the same for every policy (common random numbers); the same \
    seed and --paths give the same results bit for bit, whatever --threads or --shard";

/// `sweep --seed`: what the seed means for a sweep.
pub const SEED_HELP_SWEEP: &str = "Seed of the demand paths [default: each file's \
    simulation.seed, else 1]: every point of a file runs on the same paths (common random \
    numbers), so points differ only by their swept values; it does not move the points of a \
    latin_hypercube design (those follow [sweep] seed, else the file's simulation.seed)";

/// `optimize --seed`: what the seed means for an optimisation.
pub const SEED_HELP_OPTIMIZE: &str = "Seed of the demand paths [default: the scenario's \
    simulation.seed, else 1]: every candidate quantity is evaluated on the same paths \
    (common random numbers), so candidates differ only by the quantity";

/// `portfolio --seed`: what the seed means for a portfolio.
pub const SEED_HELP_PORTFOLIO: &str = "Portfolio seed S [default: the template's \
    simulation.seed, else 1]: each part runs with its own seed, a hash of S and the part id \
    (the seed column of portfolio.csv), so a part's results do not depend on the other parts, \
    their order or the shard; `pimsim run` of the part's scenario with that --seed and the same \
    --paths gives the same numbers";

impl SimulationArgs {
    /// The library's run options.
    pub fn options(&self) -> RunOptions {
        RunOptions {
            paths: self.paths,
            seed: self.seed,
            threads: self.threads,
            precision: self.precision,
            max_paths: self.max_paths,
        }
    }
}

/// What `run`, `merge`, `sweep`, `optimize` and `portfolio` print on standard output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table (of the policies; of a sweep's points; of a portfolio's totals).
    Table,
    /// The content of the JSON file (summary.json, sweep.json, optimize.json,
    /// portfolio.json).
    Json,
    /// The content of the CSV file (policies.csv, sweep.csv, optimize_frontier.csv,
    /// portfolio.csv).
    Csv,
}

/// What a command that writes a report shows and writes: `--format`, `--quiet`, `--no-report`
/// (`run`, `sweep`, `merge`, `optimize`, `portfolio`).
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct ReportArgs {
    /// What to print on standard output: the table, or the content of the command's JSON or
    /// CSV file.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// No progress bar and no messages on standard error (warnings still show).
    #[arg(long)]
    pub quiet: bool,
    /// Skip the report: no report.html and no chart files (SVG, PNG), only the data files.
    #[arg(long)]
    pub no_report: bool,
}

/// `--shard K/N`, or K and N from a scheduler's environment (`run`, `sweep`, `portfolio`).
#[derive(Debug, Clone, Copy, Default, clap::Args)]
pub struct ShardArgs {
    /// Run only shard K of N (0 ≤ K < N) — a slice of a run's path blocks, of a sweep's
    /// runs or of a portfolio's parts — and write its partial result,
    /// partial-KKKK-of-NNNN.json, into the output directory [default: reports/<scenario file
    /// stem>-shards/, reports/shards/ for a sweep of several files,
    /// reports/<parts file stem>-portfolio-shards/]; `pimsim merge` combines the N partials
    /// into the outputs of the whole run, sweep or portfolio.
    #[arg(long, value_parser = Shard::parse, conflicts_with = "shard_from_env")]
    pub shard: Option<Shard>,
    /// Take K from the scheduler's environment: SLURM_ARRAY_TASK_ID (Slurm job arrays) or
    /// JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs); N from --shards, else
    /// SLURM_ARRAY_TASK_COUNT.
    #[arg(long)]
    pub shard_from_env: bool,
    /// Number of shards N, with --shard-from-env.
    #[arg(long, requires = "shard_from_env")]
    pub shards: Option<u64>,
}

impl ShardArgs {
    /// The shard, from --shard or the scheduler's environment.
    pub fn shard(&self) -> Result<Option<Shard>, Error> {
        if !self.shard_from_env {
            return Ok(self.shard);
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
        let count = match self.shards {
            Some(n) => n.to_string(),
            None => var("SLURM_ARRAY_TASK_COUNT").ok_or_else(|| {
                flag_error(
                    format!("{name}={index}"),
                    "give the number of shards with --shards N (SLURM_ARRAY_TASK_COUNT is not \
                     set)"
                        .into(),
                )
            })?,
        };
        let spec = format!("{}/{}", index.trim(), count.trim());
        Shard::parse(&spec)
            .map(Some)
            .map_err(|e| flag_error(format!("{name}={index}"), e).into())
    }
}

/// `--paths`: a whole number in [1, 10^12] (underscores allowed, as in the scenario file).
pub fn parse_paths(text: &str) -> Result<u64, String> {
    match text.replace('_', "").parse::<u64>() {
        Ok(n) if (1..=MAX_PATHS).contains(&n) => Ok(n),
        _ => Err(format!(
            "expected a whole number of paths in [1, {MAX_PATHS}], e.g. 20000"
        )),
    }
}

/// `--precision`: a relative half-width in (0, 1).
pub fn parse_precision(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if p.is_finite() && p > 0.0 && p < 1.0 => Ok(p),
        _ => Err(
            "expected a relative half-width of the 95 % intervals in (0, 1), e.g. 0.001 for \
             0.1 %"
                .into(),
        ),
    }
}

/// `--fill-rate-target`: a number in [0, 1].
pub fn parse_fraction(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err("expected a fill rate in [0, 1], e.g. 0.95".into()),
    }
}

/// Most worker threads `--threads` accepts.
const MAX_THREADS: usize = 1024;

/// `--threads`: 0 (one per core) to 1024.
pub fn parse_threads(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n <= MAX_THREADS => Ok(n),
        _ => Err(format!(
            "expected a whole number of worker threads in [0, {MAX_THREADS}] (0 = one per core)"
        )),
    }
}
