//! The (s, S) rule: partner requests, re-manufacture runs and the scheduling of deliveries.

use super::walk::{Delivery, Source, Walk};
use super::{Instant, StepRecorder, count_f64, earlier};
use crate::elementary;
use crate::rng::{Stream, uniform_open};

impl<R: StepRecorder> Walk<'_, R> {
    /// The recorded inventory position: recorded on hand (physical + phantom) + on order −
    /// backorders, + the units in repair when `[repair]` counts them (units). Without drifting
    /// records `phantom` is 0, without repair `in_position` is 0: the physical position.
    #[inline(always)]
    fn position(&self) -> i64 {
        self.on_hand as i64 + self.phantom as i64 + self.on_order as i64 - self.backorders as i64
            + self.repair.in_position
    }

    /// The (s, S) rule: when the (recorded) inventory position is ≤ s, order up to S from the
    /// partners in turn and then from re-manufacture.
    #[inline]
    pub(super) fn review_position(&mut self, t: f64, discount: f64) {
        let position = self.position();
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
    pub(super) fn replenish(&mut self, t: f64, discount: f64, position: i64) {
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
            // A drawn response time is one well-predicted test away (out of line).
            let response = match &terms.response_delay {
                None => terms.response_years,
                Some(delay) => state.draw_response(delay, streams, path_index, j, t),
            };
            counts.response_years += response;
            state.redraw_departure(streams, path_index, j, terms.attrition_rate, t);
            self.order(t, discount, response, shipped, Source::Partner(j));
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
        let position = self.position();
        let mut target = self.policy.order_up_to;
        if let Some(years) = reman.batch_cover_years {
            let cover = plan.demand.expected_units(t, t + years);
            target = target.max((cover * (1.0 - 1e-12)).ceil() as i64);
        }
        let quantity = ((target - position).max(0) as u64).max(reman.min_batch);
        let mut run_cost = reman.setup_cost + reman.unit_cost * count_f64(quantity);
        // Without escalation the factor is e⁰ = 1 exactly: multiplying by it changes nothing.
        if reman.escalation_log != 0.0 {
            run_cost *= elementary::exp(reman.escalation_log * t);
        }
        self.out.costs.remanufacture += run_cost * discount;
        self.out.units.remanufacture_runs += 1;
        let lead = match reman.lead_time_delay {
            None => reman.lead_time_years,
            Some(_) => self.drawn_lead_time(t),
        };
        self.order(t, discount, lead, quantity, Source::Remanufacture);
    }

    /// A re-manufacture lead time drawn from its distribution for a run started at `t` (years):
    /// out of line, so that the fixed lead time's path keeps the registers it had before
    /// lead times could be drawn (about 30 instructions per run otherwise).
    #[cold]
    #[inline(never)]
    fn drawn_lead_time(&mut self, t: f64) -> f64 {
        let (streams, path_index) = (self.streams, self.path_index);
        let plan = self.plan;
        let Some(delay) = plan
            .remanufacture
            .as_ref()
            .and_then(|r| r.lead_time_delay.as_ref())
        else {
            unreachable!("called only for a drawn lead time");
        };
        let rng = self
            .lead_rng
            .get_or_insert_with(|| streams.open(path_index, Stream::RemanufactureLead));
        delay.delay_at(t, &mut self.last_lead_arrival, rng)
    }

    /// Places an order of `units` at `t` (discount factor `discount`) arriving `delay` years
    /// later.
    #[inline(always)]
    fn order(&mut self, t: f64, discount: f64, delay: f64, units: u64, source: Source) {
        self.on_order += units;
        if delay == 0.0 {
            // Arrives at once: `discount` is the factor at t (every caller passes the factor
            // of its own instant), so no `exp` is needed for the arrival.
            self.receive(units, source, t, discount);
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
}
