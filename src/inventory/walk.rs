//! The state of one policy on one path while it is simulated, and its per-order loops: the
//! general one ([`Walk::serve_orders`]) and the one specialised for the plain case
//! ([`Walk::serve_orders_plain`]).

use super::partner::PartnerState;
use super::repair::RepairState;
use super::{Instant, PathOutcome, Plan, PolicyPlan, StepRecorder, count_f64};
use crate::demand::Order;
use crate::lanes::Pair;
use crate::rng::{StreamFactory, StreamRng};
use crate::scenario::UnmetDemand;

/// Where a delivery comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// Partner number j (bought back).
    Partner(usize),
    /// A re-manufacture run.
    Remanufacture,
}

/// A delivery on its way.
#[derive(Debug, Clone, Copy)]
pub(super) struct Delivery {
    /// When it arrives.
    pub(super) at: Instant,
    /// Units.
    pub(super) units: u64,
    /// From where.
    pub(super) source: Source,
}

/// The state of one policy on one path while it is being simulated.
pub(super) struct Walk<'a, R> {
    /// The stream of re-manufacture lead times drawn from a distribution (opened at the first
    /// run that needs one).
    pub(super) lead_rng: Option<StreamRng>,
    /// Arrival of the latest run with a drawn lead time (years; −∞ before the first).
    pub(super) last_lead_arrival: f64,
    /// Where the time-series points go.
    pub(super) steps: R,
    /// The scenario's numbers.
    pub(super) plan: &'a Plan,
    /// The policy simulated.
    pub(super) policy: &'a PolicyPlan,
    /// The random streams of the run (partners, losses in storage).
    pub(super) streams: &'a StreamFactory,
    /// The path's number (keys its streams).
    pub(super) path_index: u64,
    /// What happened so far.
    pub(super) out: &'a mut PathOutcome,
    /// Deliveries on their way, in time order.
    pub(super) pending: &'a mut Vec<Delivery>,
    /// Per partner, in the plan's order.
    pub(super) partners: &'a mut Vec<PartnerState>,
    /// Cores and the repair shop (empty without repair).
    pub(super) repair: &'a mut RepairState,
    /// Time integrated to, years.
    pub(super) now: f64,
    /// `G(now)`, the discounted time integrated to, years.
    pub(super) now_g: f64,
    /// Units on hand.
    pub(super) on_hand: u64,
    /// Units ordered and not yet delivered.
    pub(super) on_order: u64,
    /// Units backordered and not yet filled.
    pub(super) backorders: u64,
    /// ∫ on-hand dG so far, discounted unit-years.
    pub(super) held_unit_g: f64,
    /// ∫ backorders dG so far, discounted unit-years.
    pub(super) backorder_unit_g: f64,
    /// The stream of losses in storage (`None` without them).
    pub(super) shrink_rng: Option<StreamRng>,
    /// Exponential budget left until the next loss in storage: the loss comes when
    /// `∫ on-hand · δ dt` has used it up (unit-years × rate, dimensionless).
    pub(super) shrink_budget: f64,
    /// Whether events whose times depend on the stock (losses in storage, recorded or not)
    /// or that [`Walk::next_event`] does not cover (cycle counts) exist: then every order
    /// goes through [`Walk::advance`].
    pub(super) always_advance: bool,
    /// Whether repair events or drifting records' events can occur on this path (otherwise
    /// [`Walk::advance`] leaves their times out; on for every path when tests force the
    /// general loops, `PolicySimulator::force_general_loop`).
    pub(super) supply_events: bool,
    /// Recorded on hand − physical on hand (units; ≥ 0, only unrecorded losses make them
    /// differ): always 0 without drifting records (src/inventory/records.rs).
    pub(super) phantom: u64,
    /// The drifting records' state (`None` without them).
    pub(super) drift: Option<super::records::Drift>,
    /// Index of the next disposition of the policy.
    pub(super) next_disposition: usize,
    /// Time of the next disposition (∞ if none), years.
    pub(super) next_disposition_at: f64,
    /// Index of the next time-series point.
    pub(super) next_step: usize,
    /// Time of the next time-series point before the horizon's own (∞ if none), years.
    pub(super) next_step_at: f64,
    /// Whether this path records the time series.
    pub(super) records_steps: bool,
    /// Index of the horizon's own time-series point, or 0 when this path records none.
    pub(super) last_step: usize,
    /// The earliest pending delivery, repair event, disposition or time-series point (∞ if
    /// none), years:
    /// orders before it need no call to [`Walk::advance`] (unless there are losses in storage).
    pub(super) next_event: f64,
}

impl<R: StepRecorder> Walk<'_, R> {
    /// Serves the orders of the path in time order, processing the events before each.
    pub(super) fn serve_orders(&mut self, orders: &[Order]) {
        for order in orders {
            if self.always_advance || order.time >= self.next_event {
                self.advance(order.time);
            }
            self.integrate_to(order.time, order.discounted_time);
            self.serve(order);
        }
    }

    /// [`Walk::serve_orders`] for the plain case: no losses in storage, no drifting records, no
    /// repair and lost sales (the common case); `SALE`: the part has a sale price (its revenue
    /// is then summed in a local too). The loop leaves out what is then always nothing (the
    /// loss events, and the backorders: always 0, whose waiting cost `0 · dG` would add +0.0),
    /// and keeps the running state (time, stock, the two integrals, the units demanded and the
    /// revenue) in locals: the per-order sums stay in registers instead of going through
    /// memory, and the rare calls into the event loop and the (s, S) rule get the state written
    /// back before and read again after. The arithmetic is that of `integrate_to` and `serve`, operation for
    /// operation: tests/integration/loops.rs runs both loops on random plain-case scenarios
    /// (the general one forced with `PolicySimulator::force_general_loop`) and compares every
    /// figure of the outcomes bit for bit.
    pub(super) fn serve_orders_plain<const SALE: bool>(&mut self, orders: &[Order]) {
        // The clock (time, discounted time) and the stock's integrals (unit-years,
        // discounted unit-years) as two lanes each: see [`Pair`].
        let mut clock = Pair::new(self.now, self.now_g);
        let mut held = Pair::new(self.out.on_hand_unit_years, self.held_unit_g);
        let mut on_hand = self.on_hand;
        // Only read, and only changed by the calls below (read again after them): the next
        // event's time, and the (s, S) test `on_hand + on_order <= s` as `on_hand <= s −
        // on_order`.
        let mut next_event = self.next_event;
        let mut threshold = self.policy.reorder_point - self.on_order as i64;
        // Units filled from stock are those demanded less those short (each order's served
        // plus short is its units): formed once at the end instead of summed per order.
        let (demanded_before, short_before) = (self.out.units.demanded, self.out.units.short);
        // The units demanded, summed in a local (integers: the order of the sum is free) and
        // written once at the end: nothing the loop calls reads them.
        let mut demanded = demanded_before;
        let price = self.plan.sale_price.unwrap_or(0.0);
        let mut revenue = self.out.revenue;
        macro_rules! write_back {
            () => {
                self.now = clock.lo();
                self.now_g = clock.hi();
                self.on_hand = on_hand;
                self.out.on_hand_unit_years = held.lo();
                self.held_unit_g = held.hi();
                if SALE {
                    self.out.revenue = revenue;
                }
            };
        }
        macro_rules! read_again {
            () => {
                clock = Pair::new(self.now, self.now_g);
                held = Pair::new(self.out.on_hand_unit_years, self.held_unit_g);
                on_hand = self.on_hand;
                next_event = self.next_event;
                threshold = self.policy.reorder_point - self.on_order as i64;
                if SALE {
                    revenue = self.out.revenue;
                }
            };
        }
        for order in orders {
            if order.time >= next_event {
                write_back!();
                self.advance_plain(order.time);
                read_again!();
            }
            let at = Pair::clock_of(order);
            held = held.add(Pair::splat(count_f64(on_hand)).mul(at.sub(clock)));
            clock = at;
            demanded += order.units;
            let served = order.units.min(on_hand);
            on_hand -= served;
            if SALE {
                // As in `serve`.
                revenue += price * count_f64(served) * order.discount;
            }
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
        self.out.units.demanded = demanded;
        let units = &mut self.out.units;
        units.filled_from_stock +=
            (units.demanded - demanded_before) - (units.short - short_before);
    }

    /// Integrates the continuous streams from `now` to `t` (with `g = G(t)`).
    #[inline]
    pub(super) fn integrate_to(&mut self, t: f64, g: f64) {
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
            if self.phantom > 0 {
                self.find_phantom_on_order(short);
            }
            let units = &mut self.out.units;
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
        if self.plan.repair.is_some() && served > 0 {
            self.send_out(order.time, served);
        }
        self.review_position(order.time, order.discount);
    }
}
