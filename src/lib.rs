//! # pimsim
//!
//! A parallel Monte Carlo engine for the disposition of spare-parts stock after the end of
//! production: **hold** all stock, **scrap** down to a retained level, or **partner release**
//! (sell the excess to partners and buy units back when needed), with re-manufacture as the
//! fallback, compared by service level and total discounted cost on common random numbers.
//!
//! Callers start at the facade, [`api`]: one function per job (`run`, `sweep`, `optimize`,
//! `fit`, `portfolio`, `merge`, and the shards of each), each taking validated inputs and
//! options and a [`api::Control`] (cancellation, progress), returning data. The `pimsim`
//! command is a thin layer over it; [`output`] renders and writes the files.
//!
//! Below the facade, data flows one way:
//!
//! - [`input`] reads input files without trusting them (regular files only, no blocking on
//!   pipes or devices, a size limit enforced while reading).
//! - [`scenario`] reads and validates a scenario file into a [`scenario::Scenario`], reporting
//!   every problem with file, line, column, key and what is allowed ([`error`]); sweeps
//!   set fields by dotted name ([`scenario::overrides`]).
//! - [`demand`] generates demand paths exactly in continuous time ([`demand::DemandGenerator`]),
//!   by inversion in vectorised batches with the `exp` and `ln` of [`elementary`] (built from
//!   IEEE basic operations, so the same bits on every machine and instruction set).
//! - [`elementary`] and [`sampling`] are the results' arithmetic: elementary functions and
//!   random draws (exponential, normal, gamma, Poisson, binomial) with the same bits on every
//!   machine and C library (the platform's `exp`, `ln`, `pow`, … are refused by `clippy.toml`).
//! - [`retention`] computes retained levels (expected cover, exact compound-Poisson quantiles).
//! - [`inventory`] turns a scenario into a [`inventory::Plan`] and simulates one policy on one
//!   path ([`inventory::PolicySimulator`]), producing every cost line
//!   ([`inventory::CostLines`]) and unit count ([`inventory::UnitCounts`]).
//! - [`engine`] runs paths in parallel in fixed blocks with exactly mergeable statistics
//!   ([`engine::stats`], [`engine::Totals`]) and summarises them ([`engine::RunSummary`]);
//!   [`sweep`] validates a `[sweep]` table's points and runs them on the same paths.
//! - [`optimize`] finds the retained level or last-time buy of least mean cost (optionally
//!   under a fill-rate target) on common random numbers, many candidates per engine pass.
//! - [`fit`] fits demand models (decay of the order intensity, order sizes) to a demand
//!   history by maximum likelihood, with the Syntetos–Boylan class and goodness of fit.
//! - [`portfolio`] reads parts lists against a template ([`portfolio::input`]), simulates the
//!   parts in parallel and recommends a policy per part, with totals and ABC/XYZ classes.
//! - [`shard`] cuts runs, sweeps and portfolios into shards whose partial results merge into
//!   exactly the single job's results; it uses the engine and the portfolio, never the reverse.
//! - [`output`] renders `summary.json`, the CSV files, the terminal tables and the reports
//!   (`report.html` with charts drawn by plotters as SVG and PNG, [`output::charts`]), makes
//!   names from the input safe for each medium ([`escape`]), and writes every
//!   command's files all at once ([`output::OutputDir`]).
//!
//! Randomness comes from [`rng`]: one ChaCha8 stream per (seed, path, purpose), so results
//! are bit-identical for any thread count and any split into shards. The library never prints.

#![deny(missing_docs)]

pub mod api;
pub mod demand;
pub mod discount;
pub mod elementary;
pub mod engine;
pub mod error;
pub mod escape;
pub mod fit;
pub mod input;
pub mod inventory;
pub(crate) mod lanes;
pub mod optimize;
pub mod output;
pub mod part_id;
pub mod portfolio;
pub mod retention;
pub mod rng;
pub mod sampling;
pub mod scenario;
pub mod shard;
pub mod sweep;
