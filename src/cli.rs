//! The command line: parse flags, call the library, print, map errors to exit codes
//! (0 ok, 2 bad input, 1 internal failure).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
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
    /// Worker threads (0 = one per core). Results do not depend on it.
    #[arg(long, default_value_t = 0)]
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
    /// Skip the report: no report.html and no chart files (SVG, PNG), only the data files.
    #[arg(long)]
    no_report: bool,
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
                    Ok(_) => println!(
                        "ok: {} ({} policies, {} warnings)",
                        f.display(),
                        loaded.scenario.policies.len(),
                        loaded.warnings.len()
                    ),
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

/// `--paths`: a whole number ≥ 1 (underscores allowed, as in the scenario file).
fn parse_paths(text: &str) -> Result<u64, String> {
    match text.replace('_', "").parse::<u64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err("expected a whole number of paths ≥ 1, e.g. 20000".into()),
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
    let summary = engine::run(scenario, &plan, settings, &|n| bar.inc(n));
    bar.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();

    // Render everything first so that a failure leaves the earlier files untouched.
    let mut exporters = output::standard_exporters();
    if !args.no_report {
        exporters.extend(output::report_exporters());
    }
    // The charts take most of the time: render the files in parallel (each is deterministic).
    let rendered = {
        use rayon::prelude::*;
        exporters
            .par_iter()
            .map(|e| Ok((e.file_name(), e.render(&summary)?)))
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    for (name, content) in &rendered {
        out_dir.write(name, content)?;
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
