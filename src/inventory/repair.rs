//! Repairable returns: units served come back as cores after a return delay; cores that are
//! not washed out wait (first in first out) for a free slot of the repair shop, are repaired
//! within the shop's window and join the stock when their repair ends.
//!
//! Repair is not ordered: it is a flow into stock, ahead of every partner or re-manufacture
//! order. The (s, S) rule counts units in repair in the inventory position when the scenario
//! says so (`count_in_position`, the default: a started repair is as sure as an order placed);
//! cores still in the field or waiting for a slot never count (when they will be repaired is
//! not known). The draws come from two streams of their own, opened on a path's first return
//! ([`Stream::Returns`](crate::rng::Stream::Returns): whether a served unit comes back, and its delay) and first core
//! ([`Stream::Repair`](crate::rng::Stream::Repair): whether it is washed out), so scenarios without `[repair]` draw
//! exactly what they drew before.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use super::earlier;
use crate::rng::{StreamRng, uniform_open};
use crate::sampling::Binomial;

/// The cores and the repair shop of one policy on one path (buffers kept between paths).
#[derive(Debug, Default)]
pub(super) struct RepairState {
    /// Cores on their way back: (arrival time's bits, cores), earliest first. Times are
    /// non-negative, so their bits order as the times do.
    pub(super) returning: BinaryHeap<Reverse<(u64, u64)>>,
    /// Repairs under way: (end time, units), in start order, which is end order (the lead
    /// time is one number).
    pub(super) shop: VecDeque<(f64, u64)>,
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
    pub(super) returns_rng: Option<StreamRng>,
    /// The wash-out stream, once a path needs it.
    pub(super) repair_rng: Option<StreamRng>,
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

    pub(super) fn update_next(&mut self) {
        let core = self
            .returning
            .peek()
            .map_or(f64::INFINITY, |Reverse((bits, _))| f64::from_bits(*bits));
        let end = self.shop.front().map_or(f64::INFINITY, |&(t, _)| t);
        self.next = earlier(core, end);
    }
}

/// How many of `n` trials succeed with probability `p` (one uniform for a single trial).
pub(super) fn thin(n: u64, p: f64, rng: &mut StreamRng) -> u64 {
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
