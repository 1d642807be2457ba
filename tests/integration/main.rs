//! Integration tests: exact results, invariants, determinism and the command line.
//!
//! One test binary (faster to build than one per file); each module is one concern.

mod bad_input;
mod cli;
mod closed_form;
mod common;
mod demand_exact;
mod determinism;
mod extremes;
mod fit;
mod fuzz;
mod golden;
mod interrupt;
mod invariants;
mod mechanics;
mod optimize;
mod portfolio;
mod quadrature;
mod renewal;
mod report;
mod report_data;
mod retention;
mod shards;
mod sweep;
mod sweep_shards;
