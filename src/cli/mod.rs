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
    Run(run::RunArgs),
    /// Validate scenario files without running them (exit 0 if all are valid).
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
            Command::Run(a) => a.quiet,
            Command::Check(_) => false,
            Command::Sweep(a) => a.quiet,
            Command::Merge(a) => a.quiet,
            Command::Optimize(a) => a.quiet,
            Command::Fit(a) => a.quiet,
            Command::Portfolio(a) => a.quiet,
        }
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
    let result = match &cli.command {
        Command::Run(args) => run::execute(args, &session),
        Command::Check(args) => check::execute(args, &session),
        Command::Sweep(args) => sweep::execute(args, &session),
        Command::Merge(args) => merge::execute(args, &session),
        Command::Optimize(args) => optimize::execute(args, &session),
        Command::Fit(args) => fit::execute(args, &session),
        Command::Portfolio(args) => portfolio::execute(args, &session),
    };
    result.unwrap_or_else(|e| session.fail(&e))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
