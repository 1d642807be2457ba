//! # pimsim
//!
//! A parallel Monte Carlo engine for the disposition of spare-parts stock after the end of
//! production: **hold** all stock, **scrap** down to a retained level, or **partner release**
//! (sell the excess to partners and buy units back when needed), with re-manufacture as the
//! fallback, compared by service level and total discounted cost on common random numbers.
//!
//! Data flows one way:
//!
//! - [`scenario`] reads and validates a scenario file into a [`scenario::Scenario`], reporting
//!   every problem with file, line, column, key and what is allowed ([`error`]).
//! - [`demand`] generates demand paths exactly in continuous time ([`demand::DemandGenerator`]),
//!   by inversion in vectorised batches with the `exp` and `ln` of [`elementary`] (built from
//!   IEEE basic operations, so the same bits on every machine and instruction set).
//! - [`retention`] computes retained levels (expected cover, exact compound-Poisson quantiles).
//! - [`inventory`] turns a scenario into a [`inventory::Plan`] and simulates one policy on one
//!   path ([`inventory::PolicySimulator`]), producing every cost line of SPEC section 6.
//! - [`engine`] runs paths in parallel in fixed blocks with exactly mergeable statistics
//!   ([`engine::stats`]) and summarises them ([`engine::RunSummary`]).
//! - [`optimize`] finds the retained level or last-time buy of least mean cost (optionally
//!   under a fill-rate target) on common random numbers, many candidates per engine pass.
//! - [`output`] writes `summary.json`, `policies.csv`, `timeseries.csv`, the terminal table,
//!   and the report for people: `report.html` with its charts ([`output::charts`], drawn with
//!   plotters as SVG and PNG).
//! - [`fit`] fits demand models (decay of the order intensity, order sizes) to a demand
//!   history by maximum likelihood, with the Syntetos–Boylan class and goodness of fit.
//! - Sweeps: [`scenario::overrides`] sets scenario fields by dotted name in the TOML document
//!   before validation; [`scenario::sweep::SweepPlan`] validates a `[sweep]` table and its
//!   points; [`engine::sweep::run_sweep`] runs them on the same paths; [`output::sweep`] writes
//!   `sweep.csv`, `sweep_oat.csv`, `sweep.json` and the sweep report.
//! - Portfolios: [`portfolio::input`] reads parts CSV files (one row of dotted-key overrides
//!   per part) against a template scenario; [`portfolio::run_parts`] simulates the parts in
//!   parallel with the normal engine; [`portfolio::analyse`] recommends a policy per part and
//!   computes totals and ABC/XYZ classes; [`output::portfolio`] writes `portfolio.csv`,
//!   `portfolio_parts.csv`, `portfolio.json` and the portfolio report.
//! - [`cli`] is the thin command line on top.
//!
//! Randomness comes from [`rng`]: one ChaCha8 stream per (seed, path, purpose), so results
//! are bit-identical for any thread count. The library never prints.

pub mod api;
pub mod demand;
pub mod discount;
pub mod elementary;
pub mod engine;
pub mod error;
pub mod fit;
pub mod input;
pub mod inventory;
pub mod optimize;
pub mod output;
pub mod portfolio;
pub mod retention;
pub mod rng;
pub mod scenario;
pub mod shard;
