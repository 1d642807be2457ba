//! The mechanics of one policy on one demand path: stock, dispositions, partners, buy-backs,
//! re-manufacture, shortages and every cost line.
//!
//! [`Plan`] is the scenario in the numbers the mechanics need (retained levels computed, times
//! in years, discounting prepared). [`PolicySimulator::simulate`] walks the path's orders in
//! time order; between two orders it processes, in time order, deliveries, losses in storage,
//! dispositions and time-series points. Carrying and backorder costs are integrated exactly
//! between events with the discounted time `G(t)`, so the work per path grows with the number
//! of events, not with the number of calendar periods.
//!
//! The files: `plan` (the plan), `lines` (cost lines and unit counts), this one (the outcome of
//! a path and the simulator), `walk` (the state of a policy on a path and its two per-order
//! loops), `events` (deliveries, losses, dispositions, time-series points and the horizon),
//! `replenish` (the (s, S) rule, partner requests, re-manufacture) and `partner` (a partner's
//! units and their attrition).

mod counts;
mod delay;
mod events;
mod lines;
mod partner;
mod plan;
mod records;
mod repair;
mod replenish;
mod returns;
mod walk;

pub use delay::DelaySampler;
pub use lines::{CostLines, REPAIR_ONLY, RecordCounts, UnitCounts};

pub use plan::{
    DAYS_PER_YEAR, Disposition, DispositionAction, Instant, LastTimeBuy, PartnerTerms, Plan,
    PlanError, PolicyPlan, RecordTerms, RemanufactureTerms, RepairTerms, TIMESERIES_PATHS,
};

use crate::demand::DemandPath;
use crate::rng::{Stream, StreamFactory};
use crate::scenario::UnmetDemand;
use partner::PartnerState;
use repair::RepairState;
use walk::{Delivery, Walk};

/// `n as f64` by the signed conversion, one instruction on x86-64 where the unsigned one
/// takes about seven. Exact and identical to `n as f64` for every count below 2⁶³; unit counts
/// of a path stay far below that (the scenario limits keep them under 10¹⁵ or so).
#[inline(always)]
pub(crate) fn count_f64(n: u64) -> f64 {
    debug_assert!(n <= i64::MAX as u64);
    n as i64 as f64
}

/// The smaller of two times that are never NaN: one instruction, where `f64::min` also
/// handles NaN (seven on x86-64).
#[inline(always)]
fn earlier(a: f64, b: f64) -> f64 {
    if b < a { b } else { a }
}

/// One partner's dealings on one path.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PartnerCounts {
    /// Buy-back requests made.
    pub requests: u64,
    /// Requests honoured.
    pub honoured: u64,
    /// Units asked for.
    pub units_requested: u64,
    /// Units shipped.
    pub units_shipped: u64,
    /// Sum of request-to-delivery times of honoured requests, years.
    pub response_years: f64,
}

/// Supply so far at one time-series point of one path: cumulative counts since t = 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SupplyCounts {
    /// Re-manufacture runs ordered.
    pub remanufacture_runs: u64,
    /// Units delivered by re-manufacture.
    pub remanufactured: u64,
    /// Units delivered by partners (bought back).
    pub bought_back: u64,
}

/// Where the time-series points of a path go: [`PolicySimulator::simulate`] keeps them in the
/// [`PathOutcome`]; the engine folds them into its running sums as they are recorded
/// ([`PolicySimulator::simulate_recording`]), instead of buffering them per path.
pub trait StepRecorder {
    /// Point number `step` of the path: units on hand, cumulative discounted cost and supply so
    /// far. Points come in order, each once, on the paths that record the time series.
    fn record(
        &mut self,
        out: &mut PathOutcome,
        step: usize,
        on_hand: u64,
        cost: f64,
        supply: SupplyCounts,
    );
}

/// The points kept in [`PathOutcome::on_hand_at_step`], [`PathOutcome::cost_at_step`] and
/// [`PathOutcome::supply_at_step`].
#[derive(Debug, Clone, Copy, Default)]
pub struct IntoOutcome;

impl StepRecorder for IntoOutcome {
    #[inline(always)]
    fn record(
        &mut self,
        out: &mut PathOutcome,
        _step: usize,
        on_hand: u64,
        cost: f64,
        supply: SupplyCounts,
    ) {
        out.on_hand_at_step.push(on_hand);
        out.cost_at_step.push(cost);
        out.supply_at_step.push(supply);
    }
}

/// What happened to one policy on one path.
#[derive(Debug, Clone, Default)]
pub struct PathOutcome {
    /// Discounted cost lines.
    pub costs: CostLines,
    /// Unit counts.
    pub units: UnitCounts,
    /// Counts of drifting stock records (all 0 without them).
    pub records: RecordCounts,
    /// Discounted revenue of units served (when a sale price is given; currency).
    pub revenue: f64,
    /// Time of the first short unit, years.
    pub first_stockout: Option<f64>,
    /// ∫ on-hand dt over the horizon, unit-years.
    pub on_hand_unit_years: f64,
    /// Per partner.
    pub partners: Vec<PartnerCounts>,
    /// On hand at each time-series point.
    pub on_hand_at_step: Vec<u64>,
    /// Cumulative discounted cost at each time-series point (currency).
    pub cost_at_step: Vec<f64>,
    /// Cumulative re-manufacture runs and units received at each time-series point.
    pub supply_at_step: Vec<SupplyCounts>,
}

/// Simulates policies on paths; keeps its buffers between paths (one per thread).
#[derive(Debug)]
pub struct PolicySimulator {
    pending: Vec<Delivery>,
    partners: Vec<PartnerState>,
    repair: RepairState,
    /// Whether every path takes the general per-order loop
    /// ([`PolicySimulator::force_general_loop`]).
    general_loop_only: bool,
}

impl Default for PolicySimulator {
    fn default() -> Self {
        Self::new()
    }
}

impl PolicySimulator {
    /// A simulator with empty buffers.
    pub fn new() -> Self {
        PolicySimulator {
            pending: Vec::new(),
            partners: Vec::new(),
            repair: RepairState::default(),
            general_loop_only: false,
        }
    }

    /// Whether paths of `plan` take the per-order loop specialised for the plain case: no
    /// losses in storage, no drifting stock records, lost sales and no repairable returns
    /// (with or without a sale price; unless
    /// [`PolicySimulator::force_general_loop`] is on). The loop gives the same bits as the
    /// general one; this tells tests which of the two a scenario exercises.
    #[doc(hidden)]
    pub fn plain_loop_applies(plan: &Plan) -> bool {
        !losses_in_storage(plan)
            && plan.records.is_none()
            && plan.unmet_demand == UnmetDemand::Lost
            && plan.repair.is_none()
    }

    /// For tests: with `on`, every path takes the general per-order loop, also where the plain
    /// one would be chosen ([`PolicySimulator::plain_loop_applies`]), and the event loop's copy
    /// that looks at repair and drifting records' events also where there are none, so that
    /// the loops can be compared bit for bit on the same paths. Off by default; it is read once
    /// per path and policy, outside the per-order loops.
    #[doc(hidden)]
    pub fn force_general_loop(&mut self, on: bool) {
        self.general_loop_only = on;
    }

    /// Runs `policy` on demand path `path` (number `path_index`) and writes what happened into
    /// `out` (all of it is overwritten).
    pub fn simulate(
        &mut self,
        plan: &Plan,
        policy: &PolicyPlan,
        streams: &StreamFactory,
        path_index: u64,
        path: &DemandPath,
        out: &mut PathOutcome,
    ) {
        self.simulate_recording(plan, policy, streams, path_index, path, out, IntoOutcome);
    }

    /// [`PolicySimulator::simulate`] with the time-series points given to `steps` (the
    /// outcome's per-point vectors are left empty unless `steps` fills them).
    #[allow(clippy::too_many_arguments)]
    pub fn simulate_recording<R: StepRecorder>(
        &mut self,
        plan: &Plan,
        policy: &PolicyPlan,
        streams: &StreamFactory,
        path_index: u64,
        path: &DemandPath,
        out: &mut PathOutcome,
        steps: R,
    ) {
        let (starting_stock, last_time_buy) = match policy.last_time_buy {
            Some(b) => (b.starting_stock, b.cost),
            None => (plan.starting_stock, plan.last_time_buy_cost),
        };
        out.costs = CostLines {
            last_time_buy,
            ..CostLines::default()
        };
        out.units = UnitCounts::default();
        out.records = RecordCounts::default();
        out.revenue = 0.0;
        out.first_stockout = None;
        out.on_hand_unit_years = 0.0;
        out.partners.clear();
        out.partners
            .resize(plan.partners.len(), PartnerCounts::default());
        out.on_hand_at_step.clear();
        out.cost_at_step.clear();
        out.supply_at_step.clear();
        self.pending.clear();
        self.partners.clear();
        self.partners
            .extend((0..plan.partners.len()).map(|_| PartnerState::new()));
        self.repair.reset();
        let mut shrink_rng = None;
        let mut shrink_budget = f64::INFINITY;
        if losses_in_storage(plan) {
            let mut rng = streams.open(path_index, Stream::Shrinkage);
            shrink_budget = crate::sampling::exp1(&mut rng);
            shrink_rng = Some(rng);
        }
        let drift = plan
            .records
            .as_ref()
            .map(|terms| records::Drift::new(terms, streams, path_index));
        let mut walk = Walk {
            steps,
            plan,
            policy,
            streams,
            path_index,
            out,
            pending: &mut self.pending,
            partners: &mut self.partners,
            repair: &mut self.repair,
            now: 0.0,
            now_g: 0.0,
            on_hand: starting_stock,
            on_order: 0,
            backorders: 0,
            held_unit_g: 0.0,
            backorder_unit_g: 0.0,
            always_advance: shrink_rng.is_some() || drift.is_some(),
            supply_events: self.general_loop_only || plan.repair.is_some() || drift.is_some(),
            shrink_rng,
            shrink_budget,
            phantom: 0,
            drift,
            next_disposition: 0,
            next_disposition_at: policy
                .dispositions
                .first()
                .map_or(f64::INFINITY, |d| d.at.time),
            next_step: 0,
            next_step_at: f64::INFINITY,
            records_steps: path_index < plan.timeseries_paths,
            last_step: if path_index < plan.timeseries_paths {
                plan.steps.len() - 1
            } else {
                0
            },
            next_event: 0.0,
            lead_rng: None,
            last_lead_arrival: f64::NEG_INFINITY,
        };
        if walk.last_step > 0 {
            walk.next_step_at = plan.steps[0].time;
        }
        walk.advance(0.0);
        walk.review_position(0.0, 1.0);
        if !self.general_loop_only && Self::plain_loop_applies(plan) {
            if plan.sale_price.is_some() {
                walk.serve_orders_plain::<true>(&path.orders);
            } else {
                walk.serve_orders_plain::<false>(&path.orders);
            }
        } else {
            walk.serve_orders(&path.orders);
        }
        walk.finish();
    }
}

/// Whether units in storage are lost on paths of `plan` (the losses' stream is opened, and the
/// plain per-order loop does not apply).
#[inline(always)]
fn losses_in_storage(plan: &Plan) -> bool {
    plan.shrinkage_rate > 0.0
}

/// Splits `units` in proportion to `shares` by largest remainders (ties to the earlier share);
/// the parts add up to `units` exactly.
pub fn apportion(units: u64, shares: impl Iterator<Item = f64>) -> Vec<u64> {
    let quotas: Vec<f64> = shares.map(|s| s * units as f64).collect();
    let mut parts: Vec<u64> = quotas.iter().map(|q| q.floor() as u64).collect();
    let assigned: u64 = parts.iter().sum();
    let mut order: Vec<usize> = (0..quotas.len()).collect();
    order.sort_by(|&a, &b| {
        let ra = quotas[a] - quotas[a].floor();
        let rb = quotas[b] - quotas[b].floor();
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    let mut left = units.saturating_sub(assigned);
    for &j in order.iter().cycle().take(order.len() * 2) {
        if left == 0 {
            break;
        }
        parts[j] += 1;
        left -= 1;
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_adds_up_and_follows_shares() {
        assert_eq!(apportion(10, [0.5, 0.3, 0.2].into_iter()), vec![5, 3, 2]);
        assert_eq!(apportion(7, [0.5, 0.5].into_iter()), vec![4, 3]);
        let parts = apportion(1001, [0.333, 0.333, 0.334].into_iter());
        assert_eq!(parts.iter().sum::<u64>(), 1001);
    }
}
