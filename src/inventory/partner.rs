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
