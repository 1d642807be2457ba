//! The command line: each subcommand in its own file reads its arguments, builds the request,
//! makes one call into the library ([`pimsim::api`]), and shows the result ([`terminal`]).
//! Exit codes: 0 ok, 2 bad input, 1 internal failure, 128 + the signal after SIGINT or
//! SIGTERM.

mod args;
mod check;
mod fit;
mod merge;
mod optimize;
mod paths;
mod portfolio;
mod run;
mod sweep;
mod terminal;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// What `pimsim --help` says after the commands: how a large job is split across machines.
const AFTER_HELP: &str = "Large jobs in shards: `run`, `sweep` and `portfolio` take --shard K/N \
    (or --shard-from-env under Slurm or Kubernetes) and each write one partial result (a slice \
    of a run's paths, of a sweep's runs, of a portfolio's parts); `pimsim merge` combines the N \
    partials of a run, a sweep or a portfolio into the outputs of the whole job, bit-identical \
    to running it on one machine.";

/// pimsim — what to do with spare-parts stock after end of production.
#[derive(Debug, Parser)]
#[command(name = "pimsim", version, about, long_about = None, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and compare its policies.
    Run(run::RunArgs),
    /// Validate scenario files, or every *.toml of directories, without running them (exit 0
    /// if all are valid, 2 if any is not).
    Check(check::CheckArgs),
    /// Evaluate every point of each scenario's [sweep] table on the same demand paths and
    /// write sweep.csv (one row per scenario, point and policy) and a report.
    Sweep(sweep::SweepArgs),
    /// Merge the partial results of `run`, `sweep` or `portfolio --shard K/N` into the outputs
    /// of a single run, sweep or portfolio (bit-identical to running everything on one
    /// machine).
    Merge(merge::MergeArgs),
    /// Find the retained level (scrap, partner_release) or last-time buy (hold) of least mean
    /// total cost, optionally under a fill-rate target, on common random numbers.
    Optimize(optimize::OptimizeArgs),
    /// Fit demand models to a demand history CSV (part, period, quantity[, eop]) and write
    /// scenario TOML per part and a parts CSV.
    Fit(fit::FitArgs),
    /// Simulate every part of a parts CSV (one row per part, columns override the template
    /// scenario's fields by dotted name): per part and policy results, the recommended policy
    /// per part, portfolio totals, ABC and XYZ classes.
    Portfolio(portfolio::PortfolioArgs),
}

impl Command {
    /// Whether the command was asked to be quiet.
    fn quiet(&self) -> bool {
        match self {
            Command::Run(a) => a.report.quiet,
            Command::Check(_) => false,
            Command::Sweep(a) => a.report.quiet,
            Command::Merge(a) => a.report.quiet,
            Command::Optimize(a) => a.report.quiet,
            Command::Fit(a) => a.quiet,
            Command::Portfolio(a) => a.report.quiet,
        }
    }
}

impl Command {
    /// The folders given on the command line that the command writes (`--out`, `portfolio
    /// --scenarios`), with their flags; `fit --out FILE.toml` writes a file and is not one.
    fn folders(&self) -> Vec<(&'static str, &std::path::Path)> {
        let out = match self {
            Command::Run(a) => a.out.as_deref(),
            Command::Check(_) => None,
            Command::Sweep(a) => a.out.as_deref(),
            Command::Merge(a) => a.out.as_deref(),
            Command::Optimize(a) => a.out.as_deref(),
            Command::Fit(a) => a.out.as_deref().filter(|p| {
                !p.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
            }),
            Command::Portfolio(a) => a.out.as_deref(),
        };
        let mut folders: Vec<_> = out.map(|p| ("--out", p)).into_iter().collect();
        if let Command::Portfolio(a) = self
            && let Some(dir) = &a.scenarios
        {
            folders.push(("--scenarios", dir.as_path()));
        }
        folders
    }

    /// Refuses, before any work, a folder whose name looks like a file name.
    fn check_folders(&self) -> Result<(), pimsim::error::Error> {
        for (flag, path) in self.folders() {
            paths::check_folder_name(flag, path)?;
        }
        Ok(())
    }
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
    let session = terminal::Session::start(cli.command.quiet());
    let result = cli
        .command
        .check_folders()
        .and_then(|()| match &cli.command {
            Command::Run(args) => run::execute(args, &session),
            Command::Check(args) => check::execute(args, &session),
            Command::Sweep(args) => sweep::execute(args, &session),
            Command::Merge(args) => merge::execute(args, &session),
            Command::Optimize(args) => optimize::execute(args, &session),
            Command::Fit(args) => fit::execute(args, &session),
            Command::Portfolio(args) => portfolio::execute(args, &session),
        });
    result.unwrap_or_else(|e| session.fail(&e))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use clap::Parser;

    use super::Cli;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Command lines that parse, and those that must not (with the reason clap gives).
    #[test]
    fn valid_and_invalid_command_lines() {
        let valid = [
            "pimsim run s.toml",
            "pimsim run s.toml --paths 1_000 --seed 3 --threads 2 --out o --format json --quiet",
            "pimsim run s.toml --no-report --format csv --shard 0/4",
            "pimsim run s.toml --shard-from-env --shards 8",
            "pimsim check a.toml b.toml",
            "pimsim sweep a.toml dir --paths 100 --format csv --shard 2/3",
            "pimsim merge d1 d2 --out o --format json --no-report",
            "pimsim optimize s.toml --policy scrap --fill-rate-target 0.95 --full-scan",
            "pimsim optimize s.toml --format json --paths 500",
            "pimsim optimize s.toml --format csv --no-report --quiet",
            "pimsim fit h.csv --out x.toml --force --origin end",
            "pimsim fit h.csv --template t.toml --quiet",
            "pimsim portfolio p.csv m.csv --template t.toml --scenarios d --format csv",
            "pimsim portfolio p.csv --template t.toml --shard-from-env",
        ];
        for line in valid {
            let argv: Vec<&str> = line.split_whitespace().collect();
            if let Err(e) = Cli::try_parse_from(&argv) {
                panic!("{line}: {e}");
            }
        }
        let invalid = [
            ("pimsim", "Usage: pimsim <COMMAND>"),
            ("pimsim run", "required"),
            ("pimsim run s.toml --paths 0", "--paths"),
            ("pimsim run s.toml --paths 1e3", "--paths"),
            ("pimsim run s.toml --threads 5000", "--threads"),
            ("pimsim run s.toml --shard 3/3", "--shard"),
            (
                "pimsim run s.toml --shard 1/2 --shard-from-env",
                "cannot be used with",
            ),
            ("pimsim run s.toml --shards 4", "--shard-from-env"),
            ("pimsim run s.toml --format xml", "--format"),
            ("pimsim check", "required"),
            (
                "pimsim optimize s.toml --fill-rate-target 1.5",
                "--fill-rate-target",
            ),
            ("pimsim optimize s.toml --format xml", "--format"),
            ("pimsim portfolio p.csv", "--template"),
            ("pimsim fit h.csv --origin start", "--origin"),
            ("pimsim merge", "required"),
            ("pimsim run s.toml --colour", "unexpected argument"),
        ];
        for (line, expected) in invalid {
            let argv: Vec<&str> = line.split_whitespace().collect();
            match Cli::try_parse_from(&argv) {
                Ok(_) => panic!("{line}: parsed"),
                Err(e) => {
                    let text = e.to_string();
                    assert!(text.contains(expected), "{line}: {text}");
                }
            }
        }
    }
}
