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
    /// Number of demand paths [default: the scenario's simulation.paths, else 10000].
    #[arg(long, value_parser = parse_paths)]
    paths: Option<u64>,
    /// Seed of all random streams [default: the scenario's simulation.seed, else 1].
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (0 = one per core, at most 1024). Results do not depend on it.
    #[arg(long, default_value_t = 0, value_parser = parse_threads)]
    threads: usize,
    /// Output directory [default: reports/<scenario file stem>/].
    #[arg(long)]
    out: Option<PathBuf>,
    /// What to print on standard output.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,
    /// No progress bar and no messages on standard error (warnings still show).
    #[arg(long)]
    quiet: bool,
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
        match Scenario::load(f) {
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
}

impl Interrupt {
    fn install() -> Interrupt {
        let interrupt = Interrupt {
            requested: Arc::new(AtomicBool::new(false)),
            signal: Arc::new(AtomicUsize::new(0)),
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

fn default_out(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    Path::new("reports").join(stem)
}

fn run(args: &RunArgs) -> anyhow::Result<ExitCode> {
    let interrupt = Interrupt::install();
    let loaded = Scenario::load(&args.scenario)?;
    print_warnings(&loaded.warnings);
    let scenario = &loaded.scenario;
    let plan = Plan::new(scenario).map_err(|(i, e)| {
        InputError::Problems(vec![crate::error::Problem {
            severity: Severity::Error,
            file: args.scenario.clone(),
            line: 0,
            column: 0,
            key: format!("policy[{i}].retain"),
            value: None,
            message: e.to_string(),
        }])
    })?;
    let settings = RunSettings {
        paths: args.paths.unwrap_or(scenario.simulation.paths),
        seed: args.seed.unwrap_or(scenario.simulation.seed),
        threads: args.threads,
    };
    let max_paths = scenario.max_paths();
    if settings.paths > max_paths {
        let (flag, value) = match args.paths {
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
    if interrupt.requested() {
        eprintln!(
            "interrupted by {} before simulating; nothing was written",
            interrupt.name()
        );
        return Ok(interrupt.exit_code());
    }
    let out_dir = OutputDir::prepare(
        &args
            .out
            .clone()
            .unwrap_or_else(|| default_out(&args.scenario)),
    )?;

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
            out_dir.discard();
            eprintln!(
                "interrupted by {} after {elapsed:.2} s; nothing was written (the files in {} are as they were)",
                interrupt.name(),
                out_dir.path().display()
            );
            return Ok(interrupt.exit_code());
        }
    };

    // Render and check everything first, then write all files together, so that a failure
    // leaves the earlier files untouched. From here on a signal is acted on only once the
    // (short) writing is done, so that the directory always holds one complete report.
    let rendered = match output::render_all(&summary) {
        Ok(rendered) => rendered,
        Err(e) => {
            out_dir.discard();
            return Err(e);
        }
    };
    let files: Vec<(&str, &[u8])> = rendered.iter().map(|(n, c)| (*n, c.as_slice())).collect();
    if let Err(e) = out_dir.write_all(&files) {
        out_dir.discard();
        return Err(e);
    }
    if interrupt.requested() {
        eprintln!(
            "interrupted by {} while writing; the new report in {} is complete",
            interrupt.name(),
            out_dir.path().display()
        );
        return Ok(interrupt.exit_code());
    }
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Table => stdout.write_all(output::render_table(&summary).as_bytes())?,
        Format::Json => stdout.write_all(&rendered[0].1)?,
        Format::Csv => stdout.write_all(&rendered[1].1)?,
    }
    stdout.flush()?;
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
