//! Integration tests: exact results, invariants, determinism and the command line.
//!
//! One test binary (faster to build than one per file); each module is one concern.

// The tests' references may use the platform's elementary functions (clippy.toml refuses them
// in the library): they are independent of pimsim's and compared within tolerances.
#![allow(clippy::disallowed_methods)]

mod bad_input;
mod bad_invocation;
mod cli;
mod closed_form;
mod common;
mod coverage;
mod demand_exact;
mod determinism;
mod docs_examples;
mod extremes;
mod fit;
mod fit_hostile;
mod fuzz;
mod golden;
mod hostile_io;
mod hostile_names;
mod interrupt;
mod invariants;
mod lead_times;
mod lead_times_input;
mod loops;
mod mechanics;
mod optimize;
mod portfolio;
mod portfolio_hostile;
mod precision;
mod quadrature;
mod random_scenario;
mod records;
mod renewal;
mod repair;
mod report;
mod report_data;
mod report_pages;
mod retention;
mod scenario_keys;
mod scenario_reference;
mod schemas;
mod shards;
mod supply_portfolio;
mod sweep;
mod sweep_shards;
mod sweep_validation;
mod tamper;
mod verdict;
