//! The simulation plan: a scenario turned into the numbers the path mechanics need.

use crate::elementary;
use std::sync::atomic::AtomicBool;

use super::DelaySampler;
use crate::demand::DemandModel;
use crate::discount::Discount;
use crate::error::InputError;
use crate::retention::{RetainRule, RetentionError, retained_level_cancellable};
use crate::scenario::{LoadError, LoadedScenario, PolicyKind, Scenario, UnmetDemand};

/// Days per year, for partner response times given in days.
pub const DAYS_PER_YEAR: f64 = 365.25;

/// Paths that record the time series (the first ones; all of them in smaller runs). Means and
/// quantiles over 65,536 paths are exact to well within a chart's line width, and recording
/// every path would cost as much as a policy's own pass.
pub const TIMESERIES_PATHS: u64 = 1 << 16;

/// A point in time with its discounting precomputed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Instant {
    /// Years.
    pub time: f64,
    /// Discount factor at `time`.
    pub discount: f64,
    /// Discounted time `G(time)`, years.
    pub discounted_time: f64,
}

impl Instant {
    /// The instant `time` under `discount`.
    pub fn new(time: f64, discount: &Discount) -> Self {
        let (factor, discounted_time) = discount.factor_and_discounted_time(time);
        Instant {
            time,
            discount: factor,
            discounted_time,
        }
    }
}

/// One disposition of a policy: at `at`, keep `retained` units and dispose of the rest.
#[derive(Debug, Clone, PartialEq)]
pub struct Disposition {
    /// When.
    pub at: Instant,
    /// R, units kept.
    pub retained: u64,
}

/// What a disposition does with the excess.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DispositionAction {
    /// Sell for the salvage value.
    Scrap,
    /// Release to the partners.
    Release,
}

/// One policy, ready to simulate.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyPlan {
    /// The policy's name.
    pub name: String,
    /// Its kind.
    pub kind: PolicyKind,
    /// Dispositions in time order (empty for hold).
    pub dispositions: Vec<Disposition>,
    /// What dispositions do.
    pub action: DispositionAction,
    /// s, units of inventory position.
    pub reorder_point: i64,
    /// S, units of inventory position.
    pub order_up_to: i64,
    /// This policy's own last-time buy, replacing the scenario's `part.last_time_buy` (set by
    /// the optimiser for its hold candidates; `None` in a plan built from a scenario).
    pub last_time_buy: Option<LastTimeBuy>,
}

/// A last-time buy at t = 0 that belongs to one policy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LastTimeBuy {
    /// Units on hand at t = 0 after the buy (`part.on_hand` + the units bought).
    pub starting_stock: u64,
    /// Cost of the buy at t = 0 (currency).
    pub cost: f64,
}

/// A partner's terms, in the plan's units (years).
#[derive(Debug, Clone, PartialEq)]
pub struct PartnerTerms {
    /// Fraction of released units.
    pub share: f64,
    /// Income per unit released (currency).
    pub release_price: f64,
    /// Price per unit bought back (currency).
    pub buyback_price: f64,
    /// Probability a request is honoured.
    pub reliability: f64,
    /// Years from request to delivery (the mean when drawn from a distribution).
    pub response_years: f64,
    /// Each delivery's response time drawn from this (years); `None`: `response_years`.
    pub response_delay: Option<DelaySampler>,
    /// Losses per unit-year at the partner.
    pub attrition_rate: f64,
    /// Fee per request (currency).
    pub order_fee: f64,
}

/// Re-manufacture terms.
#[derive(Debug, Clone, PartialEq)]
pub struct RemanufactureTerms {
    /// Cost per run at t = 0 (currency).
    pub setup_cost: f64,
    /// Cost per unit at t = 0 (currency).
    pub unit_cost: f64,
    /// ln(1 + escalation), per year.
    pub escalation_log: f64,
    /// Years from order to arrival (the mean when drawn from a distribution).
    pub lead_time_years: f64,
    /// Each run's lead time drawn from this (years); `None`: `lead_time_years`.
    pub lead_time_delay: Option<DelaySampler>,
    /// Orders possible while t < this (years).
    pub available_until_years: f64,
    /// Smallest run (units).
    pub min_batch: u64,
    /// Cover this many years of expected demand per run.
    pub batch_cover_years: Option<f64>,
}

/// Repairable returns and the repair shop, in the plan's units (years).
#[derive(Debug, Clone, PartialEq)]
pub struct RepairTerms {
    /// Probability that a served unit comes back as a core.
    pub return_rate: f64,
    /// Mean return delay, years.
    pub return_delay_years: f64,
    /// Whether the return delay is exponential (else fixed).
    pub exponential_delay: bool,
    /// Probability that a returned core is washed out.
    pub wash_rate: f64,
    /// Cost per washed-out core (currency; negative: a credit).
    pub wash_cost: f64,
    /// Cost per repair, paid at its start (currency).
    pub unit_cost: f64,
    /// Years from repair start to stock.
    pub lead_time_years: f64,
    /// Most units in repair at once (`u64::MAX`: no limit).
    pub capacity: u64,
    /// Repairs start while t < this (years).
    pub available_until_years: f64,
    /// Whether the inventory position counts units in repair.
    pub count_in_position: bool,
}

/// Stock records that drift (issue 18 part 3): unrecorded losses and cycle counts.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordTerms {
    /// Losses per unit-year in storage that the records do not see.
    pub unrecorded_shrinkage_rate: f64,
    /// The cycle counts, in time order: every `count_every_years` strictly before the horizon.
    pub counts: Vec<Instant>,
    /// Cost of one count (currency).
    pub count_cost: f64,
}

impl RecordTerms {
    /// The terms of `records` over a horizon of `horizon` years.
    fn new(records: &crate::scenario::StockRecords, horizon: f64, discount: &Discount) -> Self {
        // k · every rather than a running sum, so that late counts do not drift; a count
        // within a relative 10⁻¹² of the horizon is the horizon's and is not made.
        let counts = match records.count_every_years {
            Some(every) => (1..)
                .map(|k| k as f64 * every)
                .take_while(|&t| t < horizon * (1.0 - 1e-12))
                .map(|t| Instant::new(t, discount))
                .collect(),
            None => Vec::new(),
        };
        RecordTerms {
            unrecorded_shrinkage_rate: records.unrecorded_shrinkage_rate,
            counts,
            count_cost: records.count_cost,
        }
    }
}

/// Everything the mechanics of one path need, shared by all policies.
#[derive(Debug, Clone)]
pub struct Plan {
    /// T, years.
    pub horizon: Instant,
    /// Discounting.
    pub discount: Discount,
    /// Demand model (for batch-cover runs).
    pub demand: DemandModel,
    /// Units on hand at t = 0 after the last-time buy.
    pub starting_stock: u64,
    /// Cost of the last-time buy at t = 0 (currency).
    pub last_time_buy_cost: f64,
    /// Carrying cost, currency per unit-year.
    pub holding_cost: f64,
    /// Income per unit scrapped or left at the horizon (currency).
    pub salvage_value: f64,
    /// Cost per unit short (currency).
    pub shortage_penalty: f64,
    /// Lost sales or backorders.
    pub unmet_demand: UnmetDemand,
    /// Currency per backordered unit per year.
    pub backorder_cost_per_year: f64,
    /// Losses per unit-year in storage.
    pub shrinkage_rate: f64,
    /// Revenue per unit served (currency), when known.
    pub sale_price: Option<f64>,
    /// Partners in the order they are asked.
    pub partners: Vec<PartnerTerms>,
    /// Re-manufacture, when possible.
    pub remanufacture: Option<RemanufactureTerms>,
    /// Repairable returns, when units come back.
    pub repair: Option<RepairTerms>,
    /// Stock records that drift, when the scenario has them (`None`: the records are the
    /// physical stock).
    pub records: Option<RecordTerms>,
    /// Time-series points (the last one is the horizon).
    pub steps: Vec<Instant>,
    /// Paths `0..timeseries_paths` record the time series; the others skip it, so that its
    /// cost stays bounded however many paths are run.
    pub timeseries_paths: u64,
    /// The policies.
    pub policies: Vec<PolicyPlan>,
}

/// Why [`Plan::new_cancellable`] built no plan.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PlanError {
    /// The retained level of policy `policy` (0-based) cannot be computed.
    #[error("`policy[{policy}].retain`: {error}")]
    Retention {
        /// Index of the policy in the scenario.
        policy: usize,
        /// Why.
        error: RetentionError,
    },
    /// The cancel flag was set.
    #[error("cancelled")]
    Cancelled,
}

impl Plan {
    /// The plan of a loaded scenario, every retained level computed ([`Plan::new`]); a
    /// retained level that cannot be computed is an input error at the policy's `retain`
    /// (file, line, column, value), see [`LoadedScenario::retain_problem`].
    pub fn of(loaded: &LoadedScenario) -> Result<Plan, InputError> {
        Plan::new(&loaded.scenario).map_err(|(policy, error)| loaded.retain_problem(policy, &error))
    }

    /// [`Plan::of`] that stops with [`LoadError::Cancelled`] within a few milliseconds once
    /// `cancel` is set.
    pub fn of_cancellable(loaded: &LoadedScenario, cancel: &AtomicBool) -> Result<Plan, LoadError> {
        Plan::new_cancellable(&loaded.scenario, cancel).map_err(|e| match e {
            PlanError::Cancelled => LoadError::Cancelled,
            PlanError::Retention { policy, error } => {
                LoadError::Input(loaded.retain_problem(policy, &error))
            }
        })
    }

    /// Builds the plan of `scenario`, computing every retained level ([`Plan::new_cancellable`]
    /// that is never cancelled); the error names the policy by index.
    pub fn new(scenario: &Scenario) -> Result<Plan, (usize, RetentionError)> {
        Plan::new_cancellable(scenario, &AtomicBool::new(false)).map_err(|e| match e {
            PlanError::Retention { policy, error } => (policy, error),
            // Not set, so never cancelled; kept total rather than a panic.
            PlanError::Cancelled => (0, RetentionError::Cancelled),
        })
    }

    /// [`Plan::new`] that stops with [`PlanError::Cancelled`] within a few milliseconds once
    /// `cancel` is set (the exact-quantile recursions of large demands can take seconds).
    pub fn new_cancellable(scenario: &Scenario, cancel: &AtomicBool) -> Result<Plan, PlanError> {
        let discount = Discount::new(scenario.discount_rate);
        let horizon = scenario.horizon_years;
        let mut policies = Vec::with_capacity(scenario.policies.len());
        for (i, p) in scenario.policies.iter().enumerate() {
            let mut dispositions = Vec::new();
            if let Some(rule) = p.retain {
                for at in p.disposition_times(horizon) {
                    // `"optimal"` keeps everything until the optimiser sets R
                    // (`optimize::resolve_optimal_retain`).
                    let retained = match rule {
                        RetainRule::Optimal => scenario.starting_stock(),
                        _ => {
                            retained_level_cancellable(rule, &scenario.demand, at, horizon, cancel)
                                .map_err(|error| match error {
                                    RetentionError::Cancelled => PlanError::Cancelled,
                                    error => PlanError::Retention { policy: i, error },
                                })?
                        }
                    };
                    dispositions.push(Disposition {
                        at: Instant::new(at, &discount),
                        retained,
                    });
                }
            }
            policies.push(PolicyPlan {
                name: p.name.clone(),
                kind: p.kind,
                dispositions,
                action: if p.kind == PolicyKind::PartnerRelease {
                    DispositionAction::Release
                } else {
                    DispositionAction::Scrap
                },
                reorder_point: p.replenishment.reorder_point,
                order_up_to: p.replenishment.order_up_to,
                last_time_buy: None,
            });
        }
        let step = scenario.report.step_years;
        let mut steps: Vec<Instant> = (0..)
            .map(|j| j as f64 * step)
            .take_while(|&t| t < horizon * (1.0 - 1e-12))
            .map(|t| Instant::new(t, &discount))
            .collect();
        steps.push(Instant::new(horizon, &discount));
        Ok(Plan {
            horizon: Instant::new(horizon, &discount),
            discount,
            demand: scenario.demand.clone(),
            starting_stock: scenario.starting_stock(),
            last_time_buy_cost: scenario.part.last_time_buy as f64
                * scenario.part.last_time_buy_cost,
            holding_cost: scenario.holding_cost_per_unit_year(),
            salvage_value: scenario.costs.salvage_value,
            shortage_penalty: scenario.costs.shortage_penalty,
            unmet_demand: scenario.costs.unmet_demand,
            backorder_cost_per_year: scenario.costs.backorder_cost_per_year,
            shrinkage_rate: scenario.stock.shrinkage_rate,
            sale_price: scenario.part.sale_price,
            partners: scenario
                .partners
                .iter()
                .map(|p| PartnerTerms {
                    share: p.share,
                    release_price: p.release_price,
                    buyback_price: p.buyback_price,
                    reliability: p.reliability,
                    response_years: p.response_days / DAYS_PER_YEAR,
                    response_delay: p
                        .response_distribution
                        .as_ref()
                        .map(|d| DelaySampler::new(d, DAYS_PER_YEAR)),
                    attrition_rate: p.attrition_rate,
                    order_fee: p.order_fee,
                })
                .collect(),
            remanufacture: scenario.remanufacture.as_ref().map(|r| RemanufactureTerms {
                setup_cost: r.setup_cost,
                unit_cost: r.unit_cost,
                escalation_log: elementary::ln_1p(r.cost_escalation),
                lead_time_years: r.lead_time_years,
                lead_time_delay: r
                    .lead_time_distribution
                    .as_ref()
                    .map(|d| DelaySampler::new(d, 1.0)),
                available_until_years: r.available_until_years,
                min_batch: r.min_batch,
                batch_cover_years: r.batch_cover_years,
            }),
            repair: scenario.repair.as_ref().map(|r| RepairTerms {
                return_rate: r.return_rate,
                return_delay_years: r.return_delay_years,
                exponential_delay: r.return_delay == crate::scenario::ReturnDelay::Exponential,
                wash_rate: r.wash_rate,
                wash_cost: r.wash_cost,
                unit_cost: r.unit_cost,
                lead_time_years: r.lead_time_years,
                capacity: r.capacity.unwrap_or(u64::MAX),
                available_until_years: r.available_until_years,
                count_in_position: r.count_in_position,
            }),
            records: scenario
                .stock
                .records
                .as_ref()
                .map(|r| RecordTerms::new(r, horizon, &discount)),
            steps,
            timeseries_paths: TIMESERIES_PATHS,
            policies,
        })
    }
}
