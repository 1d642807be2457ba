//! The walk's side of repairable returns ([`super::repair`] holds the cores and the shop):
//! units served sent back as cores, their arrival and wash-out, repairs started and ended.

use std::cmp::Reverse;

use super::repair::thin;
use super::walk::Walk;
use super::{Instant, StepRecorder, count_f64, earlier};
use crate::rng::Stream;
use crate::sampling;

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
