//! The walk's events between orders: deliveries, losses in storage, dispositions and
//! time-series points, in time order, and the close of the books at the horizon.

use super::walk::{Source, Walk};
use super::{
    DispositionAction, Instant, StepRecorder, SupplyCounts, apportion, count_f64, earlier,
};

impl<R: StepRecorder> Walk<'_, R> {
    /// Processes every delivery, loss, disposition and time-series point at or before `limit`
    /// (in time order), except the horizon's own point, and updates `next_event`.
    pub(super) fn advance(&mut self, limit: f64) {
        // Scenarios without repair or drifting records (most) take a copy of the loop without
        // their events' times: those are ∞ there, so the choice of the first event is the same.
        if self.supply_events {
            self.advance_events::<true, false>(limit);
        } else {
            self.advance_events::<false, false>(limit);
        }
    }

    /// [`Walk::advance`] for the plain per-order loop ([`Walk::serve_orders_plain`]), where
    /// neither repair, drifting records nor losses in storage exist: the copy of the event loop
    /// that tests none of them (two tests fewer per call, about 25 calls per path).
    #[inline(never)]
    pub(super) fn advance_plain(&mut self, limit: f64) {
        debug_assert!(!self.supply_events && !self.always_advance);
        self.advance_events::<false, true>(limit);
    }

    /// [`Walk::advance`]; `SUPPLY`: whether repair events or drifting records may exist (if
    /// not, their times are ∞ and left out); `PLAIN`: the walk is known to have neither losses
    /// in storage nor drifting records (`always_advance` is false).
    #[inline(always)]
    fn advance_events<const SUPPLY: bool, const PLAIN: bool>(&mut self, limit: f64) {
        // The most common event is a time-series point before any delivery or disposition:
        // without losses in storage, it is recognised from those two times alone, instead of
        // by the full choice of the first event below (which would come to the same).
        if PLAIN || !self.always_advance {
            let other = earlier(
                earlier(
                    self.pending.first().map_or(f64::INFINITY, |d| d.at.time),
                    if SUPPLY {
                        self.repair.next
                    } else {
                        f64::INFINITY
                    },
                ),
                self.next_disposition_at,
            );
            let step = self.next_step_at;
            if step <= limit && step < other && self.record_steps_before(limit, other) {
                return;
            }
        }
        loop {
            // Repair events (core arrivals and repair ends; ∞ without repair) count as
            // deliveries for the choice of the next event, and come after them in a tie.
            let supply = self.pending.first().map_or(f64::INFINITY, |d| d.at.time);
            let delivery = if SUPPLY {
                earlier(supply, self.repair.next)
            } else {
                supply
            };
            let loss = if self.shrink_rng.is_some() && self.on_hand > 0 {
                self.now
                    + self.shrink_budget.max(0.0)
                        / (count_f64(self.on_hand) * self.plan.shrinkage_rate)
            } else {
                f64::INFINITY
            };
            let disposition = self.next_disposition_at;
            let step = self.next_step_at;
            let mut first = earlier(earlier(earlier(delivery, loss), disposition), step);
            // Drifting records' events (∞ without them).
            let (unrecorded, count) = if SUPPLY && self.drift.is_some() {
                (self.unrecorded_loss_at(), self.count_at())
            } else {
                (f64::INFINITY, f64::INFINITY)
            };
            if SUPPLY {
                first = earlier(first, earlier(unrecorded, count));
            }
            if first > limit || first == f64::INFINITY {
                self.next_event = earlier(earlier(delivery, disposition), step);
                return;
            }
            // Ties: deliveries, then repair events, then losses (recorded, then not), then
            // counts, then dispositions, then recording.
            if supply == first {
                let d = self.pending.remove(0);
                self.integrate_to(d.at.time, d.at.discounted_time);
                self.receive(d.units, d.source, d.at.time, d.at.discount);
            } else if SUPPLY && delivery == first {
                self.repair_event();
            } else if loss == first {
                let at = Instant::new(loss, &self.plan.discount);
                self.integrate_to(at.time, at.discounted_time);
                self.on_hand -= 1;
                self.out.units.lost_in_storage += 1;
                let rng = self.shrink_rng.as_mut().expect("loss needs the stream");
                self.shrink_budget = crate::sampling::exp1(rng);
                self.review_position(at.time, at.discount);
            } else if SUPPLY && unrecorded == first {
                self.lose_unrecorded(unrecorded);
            } else if SUPPLY && count == first {
                self.count();
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
                if !PLAIN && self.always_advance {
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

    /// A delivery of `units` from `source` arrives at `t` (with discount factor `discount`):
    /// stock up, pay a buy-back, serve waiting backorders.
    // Inlined into the event loop (as it was before it gained repair and records: the call
    // cost about 4 instructions per delivery).
    #[inline(always)]
    pub(super) fn receive(&mut self, units: u64, source: Source, t: f64, discount: f64) {
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
        self.fill_backorders(t, discount);
    }

    /// Serves waiting backorders from stock at `t` (discount factor `discount`).
    #[inline]
    pub(super) fn fill_backorders(&mut self, t: f64, discount: f64) {
        let filled = self.backorders.min(self.on_hand);
        if filled > 0 {
            self.backorders -= filled;
            self.on_hand -= filled;
            self.out.units.backorders_filled += filled;
            if let Some(price) = self.plan.sale_price {
                self.out.revenue += price * count_f64(filled) * discount;
            }
            if self.plan.repair.is_some() {
                self.send_out(t, filled);
            }
            // Backorders left waiting emptied the shelf: phantom units on record are found.
            if self.backorders > 0 && self.phantom > 0 {
                self.find_phantom_on_pick();
            }
        }
    }

    /// Disposes of the units above `retained` on record: those on the shelf (with drifting
    /// records, a pick that empties the shelf before the records' excess is shipped finds
    /// the phantom units).
    fn dispose(&mut self, at: Instant, retained: u64) {
        let on_record = self.on_hand + self.phantom;
        let wanted = on_record.saturating_sub(retained);
        let excess = wanted.min(self.on_hand);
        if wanted > excess {
            self.find_phantom_on_pick();
        }
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
                    // One partner taking everything (the common case): `apportion` would give
                    // it all the units (⌊1 · n⌋ = n), without its three vectors.
                    let plan = self.plan;
                    if let [partner] = plan.partners.as_slice()
                        && partner.share == 1.0
                    {
                        self.release_to_partner(0, at.time, excess);
                        self.out.costs.release -=
                            partner.release_price * excess as f64 * at.discount;
                    } else {
                        let split = apportion(excess, plan.partners.iter().map(|p| p.share));
                        for (j, n) in split.into_iter().enumerate() {
                            if n == 0 {
                                continue;
                            }
                            self.release_to_partner(j, at.time, n);
                            self.out.costs.release -=
                                plan.partners[j].release_price * n as f64 * at.discount;
                        }
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

    /// Runs to the horizon and closes the books.
    // Inlined into `simulate_recording`, as before repair and records: out of line, its call
    // and the state it reloads cost about 100 instructions per path.
    #[inline]
    pub(super) fn finish(&mut self) {
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
        if self.drift.is_some() {
            self.out.records.recorded_on_hand_at_horizon = on_hand_at_horizon + self.phantom;
        }
        let units = &mut self.out.units;
        units.on_hand_at_horizon = on_hand_at_horizon;
        units.open_backorders_at_horizon = self.backorders;
        units.on_order_at_horizon = self.on_order;
        units.in_repair_at_horizon = self.repair.in_repair;
        units.cores_waiting_at_horizon = self.repair.waiting;
    }
}
