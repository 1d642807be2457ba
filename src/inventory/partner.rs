//! A partner's stock of released units on one path: attrition as a pure-death process, drawn
//! lazily up to the time the count is needed.

use crate::elementary;
use crate::sampling::{Binomial, exp1};

use super::{DelaySampler, count_f64};
use crate::rng::{Stream, StreamFactory, StreamRng};

/// Partner departures drawn one at a time in one update before the rest are drawn at once
/// (large enough that realistic scenarios never reach it, so their results do not depend on it).
const DEPARTURES_ONE_BY_ONE: u32 = 1024;

/// Per-partner state on a path. Attrition is a pure-death process: with `held` units each
/// leaving at rate a, the next departure comes after an exponential time with rate `held·a`;
/// departures are drawn lazily up to the time the count is needed. The cost is one draw per
/// departed unit, and no binomial draws (with their `pow`) per request.
#[derive(Debug)]
pub(super) struct PartnerState {
    /// Units the partner still holds.
    pub(super) held: u64,
    /// Time of the next departure (∞ without attrition or units), years.
    pub(super) next_departure: f64,
    /// The partner's stream (its reliability draws and departures), opened when first needed.
    pub(super) rng: Option<StreamRng>,
    /// The stream of its response times when they are drawn from a distribution, opened when
    /// first needed.
    pub(super) response_rng: Option<StreamRng>,
    /// Arrival of its latest delivery with a drawn response time (years; −∞ before the
    /// first): without crossing the next one comes no earlier.
    pub(super) last_arrival: f64,
}

impl PartnerState {
    /// The state of a partner holding nothing, with no stream opened.
    pub(super) fn new() -> PartnerState {
        PartnerState {
            held: 0,
            next_departure: f64::INFINITY,
            rng: None,
            response_rng: None,
            last_arrival: f64::NEG_INFINITY,
        }
    }

    /// Partner `j`'s response time for a delivery requested at `t`, drawn from `delay` on its
    /// own stream (out of line: only scenarios with random response times come here).
    #[inline(never)]
    pub(super) fn draw_response(
        &mut self,
        delay: &DelaySampler,
        streams: &StreamFactory,
        path_index: u64,
        j: usize,
        t: f64,
    ) -> f64 {
        let rng = self
            .response_rng
            .get_or_insert_with(|| streams.open(path_index, Stream::PartnerResponse(j as u32)));
        delay.delay_at(t, &mut self.last_arrival, rng)
    }

    /// Applies the attrition up to `t` of partner `j` (attrition rate `rate`): the departures
    /// of the pure-death process that fall at or before `t`. Departures are drawn one by one
    /// (cheap, and the common case: few between two events); past [`DEPARTURES_ONE_BY_ONE`] the
    /// rest are jumped over in one binomial draw, so that the work does not grow with the number
    /// of units released.
    #[inline(always)]
    pub(super) fn update(
        &mut self,
        streams: &StreamFactory,
        path_index: u64,
        j: usize,
        rate: f64,
        t: f64,
    ) {
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
        // One test per departure instead of a count and two tests: the count held reaches
        // after DEPARTURES_ONE_BY_ONE departures, or 0 (all gone first) if it is not above it.
        let floor = held.saturating_sub(u64::from(DEPARTURES_ONE_BY_ONE));
        while next_departure <= t {
            held -= 1;
            if held <= floor {
                if held == 0 {
                    next_departure = f64::INFINITY;
                    break;
                }
                // Exact: each of the units held at the last departure stays until t
                // independently with probability e^(-a(t - departure)); by memorylessness
                // the next departure is then a fresh exponential wait from t.
                let stay = elementary::exp(-(t - next_departure) * rate);
                held = Binomial::new(held, stay)
                    .expect("a probability in [0, 1]")
                    .sample(&mut rng);
                next_departure = if held == 0 {
                    f64::INFINITY
                } else {
                    let wait = exp1(&mut rng);
                    t + wait / (count_f64(held) * rate)
                };
                break;
            }
            let wait = exp1(&mut rng);
            next_departure += wait / (count_f64(held) * rate);
        }
        state.held = held;
        state.next_departure = next_departure;
        state.rng = Some(rng);
    }

    /// Draws partner `j`'s next departure after its count changed at `t`: by memorylessness a
    /// fresh exponential time with rate `held·a` from `t` is exact.
    #[inline(always)]
    pub(super) fn redraw_departure(
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
            let wait = exp1(rng);
            t + wait / (count_f64(state.held) * rate)
        } else {
            f64::INFINITY
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The departures loop as it was before its count of departures became one test against
    /// a floor (commit e76fa17): the reference the loop must match bit for bit.
    fn apply_departures_counting(
        state: &mut PartnerState,
        streams: &StreamFactory,
        rate: f64,
        t: f64,
    ) {
        let mut rng = state
            .rng
            .take()
            .unwrap_or_else(|| streams.open(0, Stream::Partner(0)));
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
                let stay = elementary::exp(-(t - next_departure) * rate);
                held = Binomial::new(held, stay)
                    .expect("a probability in [0, 1]")
                    .sample(&mut rng);
                next_departure = if held == 0 {
                    f64::INFINITY
                } else {
                    t + exp1(&mut rng) / (count_f64(held) * rate)
                };
                break;
            }
            next_departure += exp1(&mut rng) / (count_f64(held) * rate);
        }
        state.held = held;
        state.next_departure = next_departure;
        state.rng = Some(rng);
    }

    #[test]
    fn departures_match_the_counting_loop_bit_for_bit() {
        let streams = StreamFactory::new(11);
        let mut jumps = 0;
        let mut emptied = 0;
        // Holdings below, at and above the one-by-one limit, updates short and long (a long
        // one at a high rate empties small holdings and jumps over large ones).
        for (case, &held) in [1u64, 2, 7, 1023, 1024, 1025, 1500, 5000]
            .iter()
            .enumerate()
        {
            for &(rate, step) in &[(0.1, 0.5), (0.1, 30.0), (3.0, 4.0), (50.0, 1.0)] {
                let mut fast = PartnerState::new();
                let mut slow = PartnerState::new();
                for state in [&mut fast, &mut slow] {
                    state.held = held;
                    state.redraw_departure(&streams, 0, 0, rate, 0.0);
                }
                let mut t = 0.0;
                for _ in 0..6 {
                    t += step;
                    let before = fast.held;
                    if fast.next_departure <= t {
                        fast.apply_departures(&streams, 0, 0, rate, t);
                    }
                    if slow.next_departure <= t {
                        apply_departures_counting(&mut slow, &streams, rate, t);
                    }
                    assert_eq!(fast.held, slow.held, "case {case}, rate {rate}, t {t}");
                    assert_eq!(
                        fast.next_departure.to_bits(),
                        slow.next_departure.to_bits(),
                        "case {case}, rate {rate}, t {t}"
                    );
                    if before > 0 && fast.held == 0 {
                        emptied += 1;
                    }
                    if before - fast.held > u64::from(DEPARTURES_ONE_BY_ONE) {
                        jumps += 1;
                    }
                }
            }
        }
        // Both ends of the loop were reached: holdings emptied and binomial jumps.
        assert!(emptied > 0 && jumps > 0, "emptied {emptied}, jumps {jumps}");
    }
}
