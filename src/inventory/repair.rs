//! Repairable returns: units served come back as cores after a return delay; cores that are
//! not washed out wait (first in first out) for a free slot of the repair shop, are repaired
//! within the shop's window and join the stock when their repair ends.
//!
//! Repair is not ordered: it is a flow into stock, ahead of every partner or re-manufacture
//! order. The (s, S) rule counts units in repair in the inventory position when the scenario
//! says so (`count_in_position`, the default: a started repair is as sure as an order placed);
//! cores still in the field or waiting for a slot never count (when they will be repaired is
//! not known). The draws come from two streams of their own, opened on a path's first return
//! ([`Stream::Returns`]: whether a served unit comes back, and its delay) and first core
//! ([`Stream::Repair`]: whether it is washed out), so scenarios without `[repair]` draw
//! exactly what they drew before.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::walk::Walk;
use super::{Instant, StepRecorder, count_f64, earlier};
use crate::rng::{Stream, StreamRng, uniform_open};
use crate::sampling::{self, Binomial};

/// The cores and the repair shop of one policy on one path (buffers kept between paths).
#[derive(Debug, Default)]
pub(super) struct RepairState {
    /// Cores on their way back: (arrival time's bits, cores), earliest first. Times are
    /// non-negative, so their bits order as the times do.
    returning: BinaryHeap<Reverse<(u64, u64)>>,
    /// Repairs under way: (end time, units), in start order, which is end order (the lead
    /// time is one number).
    shop: VecDeque<(f64, u64)>,
    /// Units in repair.
    pub(super) in_repair: u64,
    /// Repairable cores waiting for a slot (or arrived after the window closed).
    pub(super) waiting: u64,
    /// Units counted in the inventory position: `in_repair` when the scenario counts them,
    /// else 0 (always 0 without repair).
    pub(super) in_position: i64,
    /// The earliest core arrival or repair end (∞ if none, and always without repair), years.
    pub(super) next: f64,
    /// The returns stream, once a path needs it.
    returns_rng: Option<StreamRng>,
    /// The wash-out stream, once a path needs it.
    repair_rng: Option<StreamRng>,
}

impl RepairState {
    /// Empties the state for a new path.
    pub(super) fn reset(&mut self) {
        self.returning.clear();
        self.shop.clear();
        self.in_repair = 0;
        self.waiting = 0;
        self.in_position = 0;
        self.next = f64::INFINITY;
        self.returns_rng = None;
        self.repair_rng = None;
    }

    fn update_next(&mut self) {
        let core = self
            .returning
            .peek()
            .map_or(f64::INFINITY, |Reverse((bits, _))| f64::from_bits(*bits));
        let end = self.shop.front().map_or(f64::INFINITY, |&(t, _)| t);
        self.next = earlier(core, end);
    }
}

/// How many of `n` trials succeed with probability `p` (one uniform for a single trial).
fn thin(n: u64, p: f64, rng: &mut StreamRng) -> u64 {
    if p <= 0.0 || n == 0 {
        0
    } else if p >= 1.0 {
        n
    } else if n == 1 {
        u64::from(uniform_open(rng) < p)
    } else {
        Binomial::new(n, p).expect("p in (0, 1)").sample(rng)
    }
}

impl<R: StepRecorder> Walk<'_, R> {
    /// `served` units were served at `t`: draws which come back as cores, and when (out of
    /// line: only paths with repair get here).
    #[inline(never)]
    pub(super) fn send_out(&mut self, t: f64, served: u64) {
        let Some(terms) = &self.plan.repair else {
            return;
        };
        let (streams, path) = (self.streams, self.path_index);
        let state = &mut *self.repair;
        let rng = state
            .returns_rng
            .get_or_insert_with(|| streams.open(path, Stream::Returns));
        let cores = thin(served, terms.return_rate, rng);
        if cores == 0 {
            return;
        }
        if terms.exponential_delay {
            for _ in 0..cores {
                let at = t + terms.return_delay_years * sampling::exp1(rng);
                state.returning.push(Reverse((at.to_bits(), 1)));
            }
        } else {
            let at = t + terms.return_delay_years;
            state.returning.push(Reverse((at.to_bits(), cores)));
        }
        state.update_next();
        self.next_event = earlier(self.next_event, state.next);
    }

    /// The next core arrival or repair end (the earliest, `self.repair.next`): integrates up
    /// to it and processes it.
    #[inline(never)]
    pub(super) fn repair_event(&mut self) {
        let terms = self
            .plan
            .repair
            .as_ref()
            .expect("repair events need repair");
        let core = self
            .repair
            .returning
            .peek()
            .map_or(f64::INFINITY, |Reverse((bits, _))| f64::from_bits(*bits));
        let end = self.repair.shop.front().map_or(f64::INFINITY, |&(t, _)| t);
        // Ties: a repair that ends frees its slot before a core arriving at the same time.
        if end <= core {
            let (_, units) = self.repair.shop.pop_front().expect("a repair ends");
            let at = Instant::new(end, &self.plan.discount);
            self.integrate_to(at.time, at.discounted_time);
            let state = &mut *self.repair;
            state.in_repair -= units;
            if terms.count_in_position {
                state.in_position -= units as i64;
            }
            self.out.units.repaired += units;
            self.on_hand += units;
            self.fill_backorders(at.time, at.discount);
            self.start_repairs(at);
        } else {
            let Reverse((_, cores)) = self.repair.returning.pop().expect("a core arrives");
            let at = Instant::new(core, &self.plan.discount);
            self.integrate_to(at.time, at.discounted_time);
            self.out.units.returned += cores;
            let (streams, path) = (self.streams, self.path_index);
            let washed = if terms.wash_rate > 0.0 {
                let rng = self
                    .repair
                    .repair_rng
                    .get_or_insert_with(|| streams.open(path, Stream::Repair));
                thin(cores, terms.wash_rate, rng)
            } else {
                0
            };
            if washed > 0 {
                self.out.units.washed += washed;
                self.out.costs.repair += terms.wash_cost * count_f64(washed) * at.discount;
            }
            self.repair.waiting += cores - washed;
            self.start_repairs(at);
        }
        self.repair.update_next();
        self.next_event = earlier(self.next_event, self.repair.next);
    }

    /// Starts the repairs of waiting cores that free slots allow at `at`, while the shop's
    /// window is open; each is paid as it starts.
    fn start_repairs(&mut self, at: Instant) {
        let terms = self
            .plan
            .repair
            .as_ref()
            .expect("repairs need repair terms");
        let state = &mut *self.repair;
        if at.time >= terms.available_until_years || state.waiting == 0 {
            return;
        }
        let units = state
            .waiting
            .min(terms.capacity.saturating_sub(state.in_repair));
        if units == 0 {
            return;
        }
        state.waiting -= units;
        state.in_repair += units;
        if terms.count_in_position {
            state.in_position += units as i64;
        }
        state
            .shop
            .push_back((at.time + terms.lead_time_years, units));
        self.out.costs.repair += terms.unit_cost * count_f64(units) * at.discount;
    }
}
