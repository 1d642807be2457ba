//! The scenario: one part, its demand, its stock and costs, and the policies to compare.
//!
//! [`Scenario::load`] reads a TOML file (format in docs/scenarios.md and docs/scenario-reference.md), checks
//! every key for type and range, and returns a validated [`Scenario`] plus warnings, or every
//! problem of the file at once as an [`InputError`]. Nothing downstream re-checks input.
//! Every key, its limits and its meaning are in one table, [`keys`], which the validator
//! reads and `docs/scenario-reference.md` is rendered from.
//!
//! The retained levels of quantile rules are computed when the plan is built
//! ([`crate::inventory::Plan::of`]): its errors are input errors at the policy's `retain` too.

pub mod delay;
pub mod keys;
pub mod overrides;
mod parse;
mod reader;

pub use keys::general::{DEFAULT_PATHS, DEFAULT_SEED, MAX_PATHS};
pub use reader::MAX_NAME_CHARS;

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Serialize;

use crate::demand::DemandModel;
use crate::error::{InputError, Problem, Severity};
use crate::retention::{RetainRule, RetentionError};

/// Largest scenario file read, in bytes (16 MiB).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// A validated scenario (in `summary.json`: the scenario as run, every default filled in).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Scenario {
    /// Short name (defaults to the file stem).
    pub name: String,
    /// Free text describing the case (empty when not given).
    pub description: String,
    /// T, the horizon after the decision time (years).
    pub horizon_years: f64,
    /// Annual effective discount rate (fraction per year, e.g. 0.05; 0 = no discounting).
    pub discount_rate: f64,
    /// The scenario's default path count and seed (the run's own are `paths` and `seed` at
    /// the top of `summary.json`).
    pub simulation: Simulation,
    /// Report settings.
    pub report: ReportSettings,
    /// The part and its stock at t = 0.
    pub part: Part,
    /// Demand over the lifecycle.
    pub demand: DemandModel,
    /// Losses in storage.
    pub stock: StockSettings,
    /// Cost parameters.
    pub costs: Costs,
    /// Default (s, S) replenishment rule.
    pub replenishment: Replenishment,
    /// Re-manufacture, when possible (`null`: no re-manufacture).
    pub remanufacture: Option<Remanufacture>,
    /// Repairable returns and the repair shop, when units come back (absent from
    /// `summary.json` without them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repair: Option<Repair>,
    /// Partners that can take released stock, in the order they are asked for buy-backs.
    pub partners: Vec<Partner>,
    /// The policies to compare; the first is the baseline.
    pub policies: Vec<Policy>,
}

/// Default run size.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Simulation {
    /// Number of demand paths (possible futures).
    pub paths: u64,
    /// Seed of all random streams.
    pub seed: u64,
}

/// Report settings.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct ReportSettings {
    /// Spacing of the time-series grid (years).
    pub step_years: f64,
    /// Label of the scenario's currency (e.g. "EUR") on the report's axes and tables; `null`:
    /// money is labelled "currency units".
    pub currency: Option<String>,
}

impl ReportSettings {
    /// The label for money amounts: the scenario's currency or "currency units".
    pub fn currency_label(&self) -> &str {
        self.currency.as_deref().unwrap_or("currency units")
    }
}

/// The part and its stock.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Part {
    /// Part number or name.
    pub name: String,
    /// Book value of one unit (currency); carrying cost rates apply to it.
    pub unit_cost: f64,
    /// Units on hand at t = 0 (units).
    pub on_hand: u64,
    /// Units bought at t = 0 as a last-time buy (units).
    pub last_time_buy: u64,
    /// Price of one last-time-buy unit (currency).
    pub last_time_buy_cost: f64,
    /// Price a customer pays for a unit (currency), for revenue figures only (`null`: not
    /// given).
    pub sale_price: Option<f64>,
}

/// Losses in storage, and the stock records.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StockSettings {
    /// Rate at which a stored unit is lost (per unit-year; 0 = no losses).
    pub shrinkage_rate: f64,
    /// Stock records that can drift from the physical stock (absent: the records are always
    /// right, as without these keys).
    #[serde(flatten)]
    pub records: Option<StockRecords>,
}

/// Stock records that drift: losses the books do not see, and the cycle counts that find
/// them (docs/model.md, "Stock records").
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct StockRecords {
    /// Rate at which a stored unit is lost without the records seeing it (per unit-year;
    /// absent when the records cannot drift, as are the other keys of the records).
    pub unrecorded_shrinkage_rate: f64,
    /// Years between cycle counts, the first one this long after t = 0 (`null`: no counts;
    /// absent when the records cannot drift).
    pub count_every_years: Option<f64>,
    /// Cost of one cycle count (currency per count; absent when the records cannot drift).
    pub count_cost: f64,
}

/// What happens to demand that finds no stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnmetDemand {
    /// The unit is lost.
    Lost,
    /// The unit waits, first in first out, for the next arriving units.
    Backorder,
}

/// Cost parameters.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Costs {
    /// Carrying cost as a fraction of `part.unit_cost` per unit-year (fraction per year;
    /// the components summed when given).
    pub holding_rate: f64,
    /// The components, when given as `[costs.holding]` (`null`: a single `holding_rate`).
    pub holding_components: Option<HoldingComponents>,
    /// Income per unit scrapped or left at the horizon (currency; negative = disposal fee).
    pub salvage_value: f64,
    /// Cost per unit short (currency).
    pub shortage_penalty: f64,
    /// Lost sales or backorders.
    pub unmet_demand: UnmetDemand,
    /// Cost per backordered unit per year of waiting (currency per unit-year).
    pub backorder_cost_per_year: f64,
}

/// Carrying-cost components, fractions of unit cost per year.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct HoldingComponents {
    /// Cost of capital (fraction of unit cost per year).
    pub capital: f64,
    /// Warehouse space and handling (fraction of unit cost per year).
    pub storage: f64,
    /// Insurance (fraction of unit cost per year).
    pub insurance: f64,
    /// Loss of value, not the sudden death of the demand model (fraction of unit cost per
    /// year).
    pub obsolescence: f64,
}

/// (s, S) continuous review on the inventory position.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct Replenishment {
    /// s: order when the position is ≤ s (units).
    pub reorder_point: i64,
    /// S: order up to this position (units), > s.
    pub order_up_to: i64,
}

/// Re-manufacture as the fallback source.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Remanufacture {
    /// Cost of one production run at t = 0 (currency).
    pub setup_cost: f64,
    /// Cost per unit at t = 0 (currency).
    pub unit_cost: f64,
    /// Annual growth of both costs (fraction per year).
    pub cost_escalation: f64,
    /// Time from order to arrival (years); the mean when drawn from a distribution.
    pub lead_time_years: f64,
    /// Each run's lead time drawn from this distribution (parameters in years; absent when
    /// every run takes `lead_time_years`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lead_time_distribution: Option<delay::RandomDelay>,
    /// Runs can be ordered while t < this (years).
    pub available_until_years: f64,
    /// Smallest run (units).
    pub min_batch: u64,
    /// When set, a run covers the expected demand of this many years (years; `null`: runs
    /// order up to S, at least `min_batch`).
    pub batch_cover_years: Option<f64>,
}

/// How a served unit's return delay is distributed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReturnDelay {
    /// Exponential with mean `return_delay_years`: units fail and are swapped at random times.
    Exponential,
    /// Exactly `return_delay_years` (an exchange contract with a fixed core-return term).
    Fixed,
}

/// Repairable returns: served units that come back as cores, and the shop that repairs them
/// into stock.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Repair {
    /// Share of the units served that come back as a core (share in [0, 1]).
    pub return_rate: f64,
    /// Mean time from serving a unit to its core's return (years).
    pub return_delay_years: f64,
    /// Distribution of the return delay.
    pub return_delay: ReturnDelay,
    /// Share of returned cores that cannot be repaired and are scrapped (share in [0, 1]).
    pub wash_rate: f64,
    /// Cost per washed-out core when it is scrapped (currency; negative: a scrap credit).
    pub wash_cost: f64,
    /// Cost of repairing one unit, paid when its repair starts (currency).
    pub unit_cost: f64,
    /// Time from the start of a repair to the unit's arrival in stock (years).
    pub lead_time_years: f64,
    /// Most units in repair at once (units; `null`: no limit); the other cores wait, first in
    /// first out.
    pub capacity: Option<u64>,
    /// Repairs can start while t < this (years).
    pub available_until_years: f64,
    /// Whether the (s, S) rule counts units in repair in the inventory position.
    pub count_in_position: bool,
}

/// A partner that takes released units and sells some back on request.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Partner {
    /// Unique name.
    pub name: String,
    /// Fraction of released units that go to this partner (share in [0, 1]).
    pub share: f64,
    /// Income per unit released to this partner (currency).
    pub release_price: f64,
    /// Price per unit bought back (currency), paid on delivery.
    pub buyback_price: f64,
    /// Probability that a request is honoured (probability in [0, 1]).
    pub reliability: f64,
    /// Time from request to delivery (days); the mean when drawn from a distribution.
    pub response_days: f64,
    /// Each honoured request's response time drawn from this distribution (parameters in
    /// days; absent when every delivery takes `response_days`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_distribution: Option<delay::RandomDelay>,
    /// Rate at which released units leave the partner's hands (per unit-year).
    pub attrition_rate: f64,
    /// Fee per request (currency).
    pub order_fee: f64,
}

/// What a policy does with the stock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PolicyKind {
    /// Keep everything.
    Hold,
    /// Dispose of units above the retained level for the salvage value.
    Scrap,
    /// Release units above the retained level to the partners.
    PartnerRelease,
}

impl PolicyKind {
    /// The name used in scenario files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Hold => "hold",
            PolicyKind::Scrap => "scrap",
            PolicyKind::PartnerRelease => "partner_release",
        }
    }
}

/// One disposition policy.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Policy {
    /// Unique name.
    pub name: String,
    /// Hold, scrap or partner release.
    pub kind: PolicyKind,
    /// Time of the (first) disposition (years).
    pub at_years: f64,
    /// The retained level rule (scrap and partner release; `null` for hold).
    pub retain: Option<RetainRule>,
    /// Repeat the disposition every this many years, recomputing R (years; `null`: one
    /// disposition).
    pub review_every_years: Option<f64>,
    /// The replenishment rule of this policy.
    pub replenishment: Replenishment,
}

impl Policy {
    /// The disposition times before `horizon` (years): `at_years`, then every
    /// `review_every_years` after it. Empty for a policy without a retained level.
    pub fn disposition_times(&self, horizon: f64) -> impl Iterator<Item = f64> + '_ {
        let count = match (self.retain, self.review_every_years) {
            (None, _) => 0,
            (Some(_), None) => 1,
            (Some(_), Some(_)) => usize::MAX,
        };
        // Multiples of the period rather than a running sum, so that times do not drift.
        (0u64..)
            .map(move |k| self.at_years + k as f64 * self.review_every_years.unwrap_or(0.0))
            .take(count)
            .take_while(move |&at| at < horizon)
    }
}

/// A scenario with the warnings found while reading it.
#[derive(Debug, Clone)]
pub struct LoadedScenario {
    /// The validated scenario.
    pub scenario: Scenario,
    /// Legal but suspicious values.
    pub warnings: Vec<Problem>,
    /// The file it came from.
    pub path: PathBuf,
    /// Where each policy's `retain` is in the file (`None`: the policy has none).
    retain_at: Vec<Option<RetainAt>>,
}

/// Where a value is in a file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Located {
    /// 1-based line.
    pub(crate) line: usize,
    /// 1-based column, in characters.
    pub(crate) column: usize,
    /// The value as written.
    pub(crate) value: String,
}

/// Where a policy's `retain` is, and its `quantile` when it is `{ quantile = q }`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RetainAt {
    pub(crate) retain: Located,
    pub(crate) quantile: Option<Located>,
}

/// Why a cancellable load or plan did not finish.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The input cannot be used (exit code 2).
    #[error("{0}")]
    Input(InputError),
    /// The cancel flag was set.
    #[error("cancelled")]
    Cancelled,
}

/// The dotted key a retention error of policy `policy` belongs to: the quantile itself when
/// the distribution never reaches it, else the policy's `retain`.
pub(crate) fn retain_key(policy: usize, error: &RetentionError) -> String {
    match error {
        RetentionError::NotReached { .. } => format!("policy[{policy}].retain.quantile"),
        _ => format!("policy[{policy}].retain"),
    }
}

impl LoadedScenario {
    /// The input error for a retained level of policy `policy` (0-based) that cannot be
    /// computed: at the policy's `retain` in the file (at its `quantile` when the
    /// distribution never reaches it), with line, column and value.
    pub fn retain_problem(&self, policy: usize, error: &RetentionError) -> InputError {
        let at = self.retain_at.get(policy).and_then(Option::as_ref);
        let located = at.and_then(|a| match error {
            RetentionError::NotReached { .. } => a.quantile.as_ref(),
            _ => Some(&a.retain),
        });
        let key = match (error, at.and_then(|a| a.quantile.as_ref())) {
            (RetentionError::NotReached { .. }, Some(_)) => retain_key(policy, error),
            _ => format!("policy[{policy}].retain"),
        };
        InputError::Problems(vec![Problem {
            severity: Severity::Error,
            file: self.path.clone(),
            line: located.map_or(0, |l| l.line),
            column: located.map_or(0, |l| l.column),
            key,
            value: located.map(|l| l.value.clone()),
            message: error.to_string(),
        }])
    }
}

impl Scenario {
    /// Reads and validates a scenario file ([`Scenario::read_text`], then
    /// [`Scenario::from_toml`]).
    pub fn load(path: &Path) -> Result<LoadedScenario, InputError> {
        let text = Self::read_text(path)?;
        Self::from_toml(path, &text)
    }

    /// Reads a scenario file's text: a regular file of at most [`MAX_FILE_BYTES`] bytes of
    /// UTF-8 text (so that a device, a pipe or a mistaken multi-gigabyte export gets a clear
    /// answer instead of exhausting memory).
    pub fn read_text(path: &Path) -> Result<String, InputError> {
        read_text_file(path, MAX_FILE_BYTES, "a scenario is a small TOML text file")
    }

    /// Validates scenario text; `path` is used in messages and for the default name.
    pub fn from_toml(path: &Path, text: &str) -> Result<LoadedScenario, InputError> {
        parse::parse(path, text).map(|(scenario, warnings, retain_at)| LoadedScenario {
            scenario,
            warnings,
            path: path.to_path_buf(),
            retain_at,
        })
    }

    /// Carrying cost in currency per unit-year.
    pub fn holding_cost_per_unit_year(&self) -> f64 {
        self.costs.holding_rate * self.part.unit_cost
    }

    /// Units on hand right after the last-time buy at t = 0.
    pub fn starting_stock(&self) -> u64 {
        self.part.on_hand + self.part.last_time_buy
    }

    /// A generous bound on the units one path moves through any counter (starting stock,
    /// twice the expected demand, the order-up-to level and one re-manufacture batch), used to
    /// keep the exact 64-bit unit counters of a run from overflowing.
    pub fn units_per_path_bound(&self) -> f64 {
        let demand = self
            .demand
            .expected_units_in_window(0.0, self.horizon_years);
        let replenishment = self
            .policies
            .iter()
            .map(|p| p.replenishment.order_up_to.max(0) as f64)
            .fold(0.0, f64::max);
        let batch = self
            .remanufacture
            .as_ref()
            .map_or(0.0, |r| r.min_batch as f64);
        // Repaired units are at most the units served; their cores are counted up to four
        // times (returned, washed or repaired, in repair or waiting).
        let repaired = if self.repair.is_some() {
            4.0 * demand
        } else {
            0.0
        };
        (self.starting_stock() as f64 + 2.0 * demand + replenishment + batch + repaired).max(1.0)
    }

    /// The most paths a run of this scenario may have: [`MAX_PATHS`], or fewer when the unit
    /// counters summed over all paths (at most 10^18 units in all, a margin of 18 below the
    /// 64-bit limit) could otherwise overflow.
    pub fn max_paths(&self) -> u64 {
        let by_volume = 1e18 / self.units_per_path_bound();
        if by_volume >= MAX_PATHS as f64 {
            MAX_PATHS
        } else {
            (by_volume as u64).max(1)
        }
    }
}

/// Reads a text input file (a scenario, a parts list, …): a regular file of at most `limit`
/// bytes of UTF-8 text, so that a device, a pipe or a mistaken multi-gigabyte export gets a
/// clear answer instead of exhausting memory. `what` says what the file should be, for the
/// messages (e.g. "a scenario is a small TOML text file").
pub fn read_text_file(path: &Path, limit: u64, what: &str) -> Result<String, InputError> {
    crate::input::read_text(path, limit, what)
}
