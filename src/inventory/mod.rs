//! The mechanics of one policy on one demand path: stock, dispositions, partners, buy-backs,
//! re-manufacture, shortages and every cost line.
//!
//! [`Plan`] is the scenario in the numbers the mechanics need (retained levels computed, times
//! in years, discounting prepared). [`PolicySimulator::simulate`] walks the path's orders in
//! time order; between two orders it processes, in time order, deliveries, losses in storage,
//! dispositions and time-series points. Carrying and backorder costs are integrated exactly
//! between events with the discounted time `G(t)`, so the work per path grows with the number
//! of events, not with the number of calendar periods.

mod lines;
mod plan;

pub use lines::{CostLines, UnitCounts};

pub use plan::{
    DAYS_PER_YEAR, Disposition, DispositionAction, Instant, LastTimeBuy, PartnerTerms, Plan,
    PlanError, PolicyPlan, RemanufactureTerms, TIMESERIES_PATHS,
};

use rand_distr::{Binomial, Distribution, Exp1};

use crate::demand::{DemandPath, Order};
use crate::rng::{Stream, StreamFactory, StreamRng, uniform_open};
use crate::scenario::UnmetDemand;

/// Partner departures drawn one at a time in one update before the rest are drawn at once
/// (large enough that realistic scenarios never reach it, so their results do not depend on it).
const DEPARTURES_ONE_BY_ONE: u32 = 1024;

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

/// Where a delivery comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Partner(usize),
    Remanufacture,
}

#[derive(Debug, Clone, Copy)]
struct Delivery {
    at: Instant,
    units: u64,
    source: Source,
}

/// Per-partner state on a path. Attrition is a pure-death process: with `held` units each
/// leaving at rate a, the next departure comes after an exponential time with rate `held·a`;
/// departures are drawn lazily up to the time the count is needed. The cost is one draw per
/// departed unit, and no binomial draws (with their `pow`) per request.
#[derive(Debug)]
struct PartnerState {
    held: u64,
    /// Time of the next departure (∞ without attrition or units), years.
    next_departure: f64,
    rng: Option<StreamRng>,
}

impl PartnerState {
    /// Applies the attrition up to `t` of partner `j` (attrition rate `rate`): the departures
    /// of the pure-death process that fall at or before `t`. Departures are drawn one by one
    /// (cheap, and the common case: few between two events); past [`DEPARTURES_ONE_BY_ONE`] the
    /// rest are jumped over in one binomial draw, so that the work does not grow with the number
    /// of units released.
    #[inline(always)]
    fn update(&mut self, streams: &StreamFactory, path_index: u64, j: usize, rate: f64, t: f64) {
        if self.next_departure <= t {
            self.apply_departures(streams, path_index, j, rate, t);
        }
    }

    /// The work of [`PartnerState::update`] when at least one departure is due. The stream is
    /// copied into a local for the loop (so its state stays in registers) and written back.
    #[inline(never)]
    fn apply_departures(
        &mut self,
        streams: &StreamFactory,
        path_index: u64,
        j: usize,
        rate: f64,
        t: f64,
    ) {
        let state = self;
        // A departure is due, so one was drawn: the stream is open.
        let mut rng = state
            .rng
            .take()
            .unwrap_or_else(|| streams.open(path_index, Stream::Partner(j as u32)));
        let mut held = state.held;
        let mut next_departure = state.next_departure;
        let mut one_by_one = 0;
        while next_departure <= t {
            held -= 1;
            if held == 0 {
                next_departure = f64::INFINITY;
                break;
            }
            one_by_one += 1;
            if one_by_one == DEPARTURES_ONE_BY_ONE {
                // Exact: each of the units held at the last departure stays until t
                // independently with probability e^(-a(t - departure)); by memorylessness
                // the next departure is then a fresh exponential wait from t.
                let stay = (-(t - next_departure) * rate).exp();
                held = Binomial::new(held, stay)
                    .expect("a probability in [0, 1]")
                    .sample(&mut rng);
                next_departure = if held == 0 {
                    f64::INFINITY
                } else {
                    let wait: f64 = Exp1.sample(&mut rng);
                    t + wait / (count_f64(held) * rate)
                };
                break;
            }
            let wait: f64 = Exp1.sample(&mut rng);
            next_departure += wait / (count_f64(held) * rate);
        }
        state.held = held;
        state.next_departure = next_departure;
        state.rng = Some(rng);
    }

    /// Draws partner `j`'s next departure after its count changed at `t`: by memorylessness a
    /// fresh exponential time with rate `held·a` from `t` is exact.
    #[inline(always)]
    fn redraw_departure(
        &mut self,
        streams: &StreamFactory,
        path_index: u64,
        j: usize,
        rate: f64,
        t: f64,
    ) {
        let state = self;
        state.next_departure = if rate > 0.0 && state.held > 0 {
            let rng = state
                .rng
                .get_or_insert_with(|| streams.open(path_index, Stream::Partner(j as u32)));
            let wait: f64 = Exp1.sample(rng);
            t + wait / (count_f64(state.held) * rate)
        } else {
            f64::INFINITY
        };
    }
}

/// Simulates policies on paths; keeps its buffers between paths (one per thread).
#[derive(Debug)]
pub struct PolicySimulator {
    pending: Vec<Delivery>,
    partners: Vec<PartnerState>,
}

/// The state of one policy on one path while it is being simulated.
struct Walk<'a, R> {
    /// Where the time-series points go.
    steps: R,
    plan: &'a Plan,
    policy: &'a PolicyPlan,
    streams: &'a StreamFactory,
    path_index: u64,
    out: &'a mut PathOutcome,
    pending: &'a mut Vec<Delivery>,
    partners: &'a mut Vec<PartnerState>,
    now: f64,
    now_g: f64,
    on_hand: u64,
    on_order: u64,
    backorders: u64,
    held_unit_g: f64,
    backorder_unit_g: f64,
    shrink_rng: Option<StreamRng>,
    shrink_budget: f64,
    next_disposition: usize,
    /// Time of the next disposition (∞ if none), years.
    next_disposition_at: f64,
    next_step: usize,
    /// Time of the next time-series point before the horizon's own (∞ if none), years.
    next_step_at: f64,
    /// Whether this path records the time series.
    records_steps: bool,
    /// Index of the horizon's own time-series point, or 0 when this path records none.
    last_step: usize,
    /// The earliest pending delivery, disposition or time-series point (∞ if none), years:
    /// orders before it need no call to [`Walk::advance`] (unless there are losses in storage).
    next_event: f64,
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
        }
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
            .extend((0..plan.partners.len()).map(|_| PartnerState {
                held: 0,
                next_departure: f64::INFINITY,
                rng: None,
            }));
        let mut shrink_rng = None;
        let mut shrink_budget = f64::INFINITY;
        if plan.shrinkage_rate > 0.0 {
            let mut rng = streams.open(path_index, Stream::Shrinkage);
            shrink_budget = Exp1.sample(&mut rng);
            shrink_rng = Some(rng);
        }
        let mut walk = Walk {
            steps,
            plan,
            policy,
            streams,
            path_index,
            out,
            pending: &mut self.pending,
            partners: &mut self.partners,
            now: 0.0,
            now_g: 0.0,
            on_hand: starting_stock,
            on_order: 0,
            backorders: 0,
            held_unit_g: 0.0,
            backorder_unit_g: 0.0,
            shrink_rng,
            shrink_budget,
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
        };
        if walk.last_step > 0 {
            walk.next_step_at = plan.steps[0].time;
        }
        walk.advance(0.0);
        walk.review_position(0.0, 1.0);
        let plain = walk.shrink_rng.is_none()
            && plan.sale_price.is_none()
            && plan.unmet_demand == UnmetDemand::Lost;
        if plain {
            walk.serve_orders_plain(&path.orders);
        } else {
            walk.serve_orders(&path.orders);
        }
        walk.finish();
    }
}

impl<R: StepRecorder> Walk<'_, R> {
    /// Serves the orders of the path in time order, processing the events before each.
    fn serve_orders(&mut self, orders: &[Order]) {
        for order in orders {
            if self.shrink_rng.is_some() || order.time >= self.next_event {
                self.advance(order.time);
            }
            self.integrate_to(order.time, order.discounted_time);
            self.serve(order);
        }
    }

    /// [`Walk::serve_orders`] for the plain case: no losses in storage, no sale price and lost
    /// sales (the common case). The loop leaves out what is then always nothing (the loss
    /// events, the revenue, and the backorders: always 0, whose waiting cost `0 · dG` would add
    /// +0.0), and keeps the running state (time, stock and the two integrals) in locals: the
    /// per-order sums stay in registers instead of going through memory, and the rare calls
    /// into the event loop and the (s, S) rule get the state written back before and read
    /// again after. The arithmetic is that of `integrate_to` and `serve`, operation for
    /// operation.
    fn serve_orders_plain(&mut self, orders: &[Order]) {
        let mut now = self.now;
        let mut now_g = self.now_g;
        let mut on_hand = self.on_hand;
        let mut held_unit_g = self.held_unit_g;
        let mut on_hand_unit_years = self.out.on_hand_unit_years;
        // Only read, and only changed by the calls below (read again after them): the next
        // event's time, and the (s, S) test `on_hand + on_order <= s` as `on_hand <= s −
        // on_order`.
        let mut next_event = self.next_event;
        let mut threshold = self.policy.reorder_point - self.on_order as i64;
        // Units filled from stock are those demanded less those short (each order's served
        // plus short is its units): formed once at the end instead of summed per order.
        let (demanded_before, short_before) = (self.out.units.demanded, self.out.units.short);
        macro_rules! write_back {
            () => {
                self.now = now;
                self.now_g = now_g;
                self.on_hand = on_hand;
                self.held_unit_g = held_unit_g;
                self.out.on_hand_unit_years = on_hand_unit_years;
            };
        }
        macro_rules! read_again {
            () => {
                now = self.now;
                now_g = self.now_g;
                on_hand = self.on_hand;
                held_unit_g = self.held_unit_g;
                on_hand_unit_years = self.out.on_hand_unit_years;
                next_event = self.next_event;
                threshold = self.policy.reorder_point - self.on_order as i64;
            };
        }
        for order in orders {
            if order.time >= next_event {
                write_back!();
                self.advance(order.time);
                read_again!();
            }
            let dt = order.time - now;
            let dg = order.discounted_time - now_g;
            let stock = count_f64(on_hand);
            held_unit_g += stock * dg;
            on_hand_unit_years += stock * dt;
            now = order.time;
            now_g = order.discounted_time;
            self.out.units.demanded += order.units;
            let served = order.units.min(on_hand);
            on_hand -= served;
            let short = order.units - served;
            if short > 0 {
                let units = &mut self.out.units;
                units.short += short;
                units.lost += short;
                self.out.first_stockout.get_or_insert(order.time);
                self.out.costs.shortage +=
                    self.plan.shortage_penalty * count_f64(short) * order.discount;
            }
            // `review_position` with no backorders.
            if on_hand as i64 <= threshold {
                let position = on_hand as i64 + self.on_order as i64;
                write_back!();
                self.replenish(order.time, order.discount, position);
                read_again!();
            }
        }
        write_back!();
        let units = &mut self.out.units;
        units.filled_from_stock +=
            (units.demanded - demanded_before) - (units.short - short_before);
    }

    /// Integrates the continuous streams from `now` to `t` (with `g = G(t)`).
    #[inline]
    fn integrate_to(&mut self, t: f64, g: f64) {
        let dt = t - self.now;
        let dg = g - self.now_g;
        let on_hand = count_f64(self.on_hand);
        self.held_unit_g += on_hand * dg;
        self.backorder_unit_g += count_f64(self.backorders) * dg;
        self.out.on_hand_unit_years += on_hand * dt;
        if self.shrink_rng.is_some() {
            self.shrink_budget -= on_hand * self.plan.shrinkage_rate * dt;
        }
        self.now = t;
        self.now_g = g;
    }

    /// Processes every delivery, loss, disposition and time-series point at or before `limit`
    /// (in time order), except the horizon's own point, and updates `next_event`.
    fn advance(&mut self, limit: f64) {
        // The most common event is a time-series point before any delivery or disposition:
        // without losses in storage, it is recognised from those two times alone, instead of
        // by the full choice of the first event below (which would come to the same).
        if self.shrink_rng.is_none() {
            let other = earlier(
                self.pending.first().map_or(f64::INFINITY, |d| d.at.time),
                self.next_disposition_at,
            );
            let step = self.next_step_at;
            if step <= limit && step < other && self.record_steps_before(limit, other) {
                return;
            }
        }
        loop {
            let delivery = self.pending.first().map_or(f64::INFINITY, |d| d.at.time);
            let loss = if self.shrink_rng.is_some() && self.on_hand > 0 {
                self.now
                    + self.shrink_budget.max(0.0)
                        / (count_f64(self.on_hand) * self.plan.shrinkage_rate)
            } else {
                f64::INFINITY
            };
            let disposition = self.next_disposition_at;
            let step = self.next_step_at;
            let first = earlier(earlier(earlier(delivery, loss), disposition), step);
            if first > limit || first == f64::INFINITY {
                self.next_event = earlier(earlier(delivery, disposition), step);
                return;
            }
            // Ties: deliveries, then losses, then dispositions, then recording.
            if delivery == first {
                let d = self.pending.remove(0);
                self.integrate_to(d.at.time, d.at.discounted_time);
                self.receive(d.units, d.source, d.at.discount);
            } else if loss == first {
                let at = Instant::new(loss, &self.plan.discount);
                self.integrate_to(at.time, at.discounted_time);
                self.on_hand -= 1;
                self.out.units.lost_in_storage += 1;
                let rng = self.shrink_rng.as_mut().expect("loss needs the stream");
                self.shrink_budget = Exp1.sample(rng);
                self.review_position(at.time, at.discount);
            } else if disposition == first {
                let d = &self.policy.dispositions[self.next_disposition];
                self.next_disposition += 1;
                self.next_disposition_at = self
                    .policy
                    .dispositions
                    .get(self.next_disposition)
                    .map_or(f64::INFINITY, |d| d.at.time);
                self.integrate_to(d.at.time, d.at.discounted_time);
                self.dispose(d.at, d.retained);
            } else {
                // Recording changes no delivery or disposition, so without losses in storage
                // (whose time depends on the time integrated to) the points up to the next of
                // those are recorded here without looking at every event's time again.
                if self.shrink_rng.is_some() {
                    self.record_next_step();
                } else if self.record_steps_before(limit, earlier(delivery, disposition)) {
                    return;
                }
            }
        }
    }

    /// Records the next time-series point (integrating up to it); returns its successor's time.
    #[inline(always)]
    fn record_next_step(&mut self) -> f64 {
        let k = self.next_step;
        let at = self.plan.steps[k];
        self.next_step += 1;
        self.next_step_at = if self.next_step < self.last_step {
            self.plan.steps[self.next_step].time
        } else {
            f64::INFINITY
        };
        self.integrate_to(at.time, at.discounted_time);
        self.record_step(k);
        self.next_step_at
    }

    /// Without losses in storage, records the next time-series point and those after it up to
    /// `limit` that come before `other` (the next delivery or disposition): recording changes
    /// neither, so they need not be looked at again. Returns whether nothing else is due by
    /// `limit` (then `next_event` is set) or not (the caller carries on with the next event).
    #[inline(always)]
    fn record_steps_before(&mut self, limit: f64, other: f64) -> bool {
        loop {
            let step = self.record_next_step();
            if step <= limit && step < other {
                continue;
            }
            if step > limit && other > limit {
                self.next_event = earlier(other, step);
                return true;
            }
            return false;
        }
    }

    #[inline(always)]
    fn record_step(&mut self, k: usize) {
        let accrued = self.out.costs.total()
            + self.plan.holding_cost * self.held_unit_g
            + self.plan.backorder_cost_per_year * self.backorder_unit_g;
        self.record_point(k, self.on_hand, accrued);
    }

    #[inline(always)]
    fn record_point(&mut self, k: usize, on_hand: u64, cost: f64) {
        let units = &self.out.units;
        let supply = SupplyCounts {
            remanufacture_runs: units.remanufacture_runs,
            remanufactured: units.remanufactured,
            bought_back: units.bought_back,
        };
        self.steps.record(self.out, k, on_hand, cost, supply);
    }

    /// Serves one customer order at the current time.
    #[inline(always)]
    fn serve(&mut self, order: &Order) {
        let units = &mut self.out.units;
        units.demanded += order.units;
        let served = order.units.min(self.on_hand);
        self.on_hand -= served;
        units.filled_from_stock += served;
        if let Some(price) = self.plan.sale_price {
            self.out.revenue += price * count_f64(served) * order.discount;
        }
        let short = order.units - served;
        if short > 0 {
            units.short += short;
            self.out.first_stockout.get_or_insert(order.time);
            self.out.costs.shortage +=
                self.plan.shortage_penalty * count_f64(short) * order.discount;
            match self.plan.unmet_demand {
                UnmetDemand::Lost => units.lost += short,
                UnmetDemand::Backorder => {
                    units.backordered += short;
                    self.backorders += short;
                }
            }
        }
        self.review_position(order.time, order.discount);
    }

    /// A delivery of `units` from `source` arrives (with discount factor `discount`): stock
    /// up, pay a buy-back, serve waiting backorders.
    fn receive(&mut self, units: u64, source: Source, discount: f64) {
        self.on_hand += units;
        self.on_order -= units;
        match source {
            Source::Partner(j) => {
                self.out.units.bought_back += units;
                self.out.costs.buyback +=
                    self.plan.partners[j].buyback_price * count_f64(units) * discount;
            }
            Source::Remanufacture => self.out.units.remanufactured += units,
        }
        let filled = self.backorders.min(self.on_hand);
        if filled > 0 {
            self.backorders -= filled;
            self.on_hand -= filled;
            self.out.units.backorders_filled += filled;
            if let Some(price) = self.plan.sale_price {
                self.out.revenue += price * count_f64(filled) * discount;
            }
        }
    }

    /// Disposes of the units above `retained`.
    fn dispose(&mut self, at: Instant, retained: u64) {
        let excess = self.on_hand.saturating_sub(retained);
        if excess > 0 {
            self.on_hand -= excess;
            match self.policy.action {
                DispositionAction::Scrap => {
                    self.out.units.scrapped += excess;
                    self.out.costs.disposal -=
                        self.plan.salvage_value * excess as f64 * at.discount;
                }
                DispositionAction::Release => {
                    self.out.units.released += excess;
                    let split = apportion(excess, self.plan.partners.iter().map(|p| p.share));
                    for (j, n) in split.into_iter().enumerate() {
                        if n == 0 {
                            continue;
                        }
                        self.release_to_partner(j, at.time, n);
                        self.out.costs.release -=
                            self.plan.partners[j].release_price * n as f64 * at.discount;
                    }
                }
            }
        }
        self.review_position(at.time, at.discount);
    }

    /// Applies partner `j`'s attrition up to `t` ([`PartnerState::update`]).
    #[inline]
    fn update_partner(&mut self, j: usize, t: f64) {
        let rate = self.plan.partners[j].attrition_rate;
        self.partners[j].update(self.streams, self.path_index, j, rate, t);
    }

    /// Partner `j` receives `units` released at `t`.
    fn release_to_partner(&mut self, j: usize, t: f64, units: u64) {
        self.update_partner(j, t);
        self.partners[j].held += units;
        let rate = self.plan.partners[j].attrition_rate;
        self.partners[j].redraw_departure(self.streams, self.path_index, j, rate, t);
    }
    /// The (s, S) rule: when the inventory position is ≤ s, order up to S from the partners in
    /// turn and then from re-manufacture.
    #[inline]
    fn review_position(&mut self, t: f64, discount: f64) {
        let position = self.on_hand as i64 + self.on_order as i64 - self.backorders as i64;
        if position > self.policy.reorder_point {
            return;
        }
        self.replenish_call(t, discount, position);
    }

    /// [`Walk::replenish`] as a call, for the callers other than the plain per-order loop (the
    /// general loop, losses in storage and dispositions).
    #[inline(never)]
    fn replenish_call(&mut self, t: f64, discount: f64, position: i64) {
        self.replenish(t, discount, position);
    }

    /// Orders up to S; see [`Walk::review_position`]. The partners are asked in turn (the
    /// common case: most calls are one request, answered at once); what they do not ship is
    /// ordered from re-manufacture ([`Walk::remanufacture`], out of line with the rest of the
    /// rarer work). Inlined into the plain per-order loop, its most frequent caller (about 67
    /// times per path in the benchmark), where a call cost about as much as the common request
    /// itself: the loop's state saved and read again, the prologue, and the walk's fields
    /// loaded and spilled; the other callers go through [`Walk::replenish_call`].
    #[inline(always)]
    fn replenish(&mut self, t: f64, discount: f64, position: i64) {
        let (plan, streams, path_index) = (self.plan, self.streams, self.path_index);
        let mut need = (self.policy.order_up_to - position) as u64;
        for j in 0..plan.partners.len() {
            if need == 0 {
                break;
            }
            // Each partner's terms, state and counts are looked up once (one bounds check
            // each) and the state updated through that reference.
            let terms = &plan.partners[j];
            let state = &mut self.partners[j];
            state.update(streams, path_index, j, terms.attrition_rate, t);
            if state.held == 0 {
                continue;
            }
            let counts = &mut self.out.partners[j];
            counts.requests += 1;
            counts.units_requested += need;
            self.out.costs.buyback += terms.order_fee * discount;
            let rng = state
                .rng
                .get_or_insert_with(|| streams.open(path_index, Stream::Partner(j as u32)));
            if terms.reliability < 1.0 && uniform_open(rng) >= terms.reliability {
                continue;
            }
            let shipped = need.min(state.held);
            state.held -= shipped;
            need -= shipped;
            counts.honoured += 1;
            counts.units_shipped += shipped;
            counts.response_years += terms.response_years;
            state.redraw_departure(streams, path_index, j, terms.attrition_rate, t);
            self.order(
                t,
                discount,
                terms.response_years,
                shipped,
                Source::Partner(j),
            );
        }
        if need > 0 {
            self.remanufacture(t, discount);
        }
    }

    /// The re-manufacture run of [`Walk::replenish`] when the partners left units to order:
    /// up to S (or the batch's cover), at least the minimum batch, while it is available.
    #[inline(never)]
    fn remanufacture(&mut self, t: f64, discount: f64) {
        let plan = self.plan;
        let Some(reman) = &plan.remanufacture else {
            return;
        };
        if t >= reman.available_until_years {
            return;
        }
        let position = self.on_hand as i64 + self.on_order as i64 - self.backorders as i64;
        let mut target = self.policy.order_up_to;
        if let Some(years) = reman.batch_cover_years {
            let cover = plan.demand.expected_units(t, t + years);
            target = target.max((cover * (1.0 - 1e-12)).ceil() as i64);
        }
        let quantity = ((target - position).max(0) as u64).max(reman.min_batch);
        let mut run_cost = reman.setup_cost + reman.unit_cost * count_f64(quantity);
        // Without escalation the factor is e⁰ = 1 exactly: multiplying by it changes nothing.
        if reman.escalation_log != 0.0 {
            run_cost *= (reman.escalation_log * t).exp();
        }
        self.out.costs.remanufacture += run_cost * discount;
        self.out.units.remanufacture_runs += 1;
        let lead = reman.lead_time_years;
        self.order(t, discount, lead, quantity, Source::Remanufacture);
    }

    /// Places an order of `units` at `t` (discount factor `discount`) arriving `delay` years
    /// later.
    #[inline(always)]
    fn order(&mut self, t: f64, discount: f64, delay: f64, units: u64, source: Source) {
        self.on_order += units;
        if delay == 0.0 {
            // Arrives at once: `discount` is the factor at t (every caller passes the factor
            // of its own instant), so no `exp` is needed for the arrival.
            self.receive(units, source, discount);
            return;
        }
        self.schedule(t + delay, units, source);
    }

    /// A delivery of `units` from `source` arriving at `time`, kept in time order among the
    /// pending ones (out of line: its discounting needs an `exp`).
    #[inline(never)]
    fn schedule(&mut self, time: f64, units: u64, source: Source) {
        let at = Instant::new(time, &self.plan.discount);
        let d = Delivery { at, units, source };
        let i = self.pending.partition_point(|p| p.at.time <= at.time);
        self.pending.insert(i, d);
        self.next_event = earlier(self.next_event, at.time);
    }

    /// Runs to the horizon and closes the books.
    fn finish(&mut self) {
        let horizon = self.plan.horizon;
        // Events exactly at T are beyond the horizon.
        self.advance(f64::from_bits(horizon.time.to_bits() - 1));
        self.integrate_to(horizon.time, horizon.discounted_time);
        self.out.costs.holding = self.plan.holding_cost * self.held_unit_g;
        self.out.costs.backorder = self.plan.backorder_cost_per_year * self.backorder_unit_g;
        let on_hand_at_horizon = self.on_hand;
        self.out.costs.end_of_horizon =
            -self.plan.salvage_value * on_hand_at_horizon as f64 * horizon.discount;
        if self.records_steps {
            // Remaining points (the horizon's own point shows the stock before its disposal).
            while self.next_step < self.last_step {
                self.record_step(self.next_step);
                self.next_step += 1;
            }
            self.record_point(self.last_step, on_hand_at_horizon, self.out.costs.total());
        }
        let units = &mut self.out.units;
        units.on_hand_at_horizon = on_hand_at_horizon;
        units.open_backorders_at_horizon = self.backorders;
        units.on_order_at_horizon = self.on_order;
    }
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
