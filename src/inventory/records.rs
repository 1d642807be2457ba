//! Stock records that drift (issue 18 part 3): losses the records do not see, the cycle
//! counts that find them, and the picks that find recorded stock missing.
//!
//! The walk keeps the physical stock in `on_hand` and the records' excess over it in
//! `phantom` (recorded on hand − physical on hand, units): only unrecorded losses make the
//! records differ, and they only ever make the records too high, so `phantom ≥ 0`. Without
//! [`Plan::records`](super::Plan::records) `phantom` stays 0 and none of this runs.
//!
//! - An unrecorded loss takes a physical unit and leaves the records as they were
//!   (`phantom` + 1); each unit in storage is lost so at `unrecorded_shrinkage_rate`, on its
//!   own stream ([`Stream::UnrecordedLoss`]) beside the recorded losses.
//! - A cycle count sets the records to the physical stock: the phantom units are found
//!   (`phantom` → 0), the count costs `count_cost`, and when the records were wrong the (s, S)
//!   rule looks at the corrected position at once.
//! - A pick that finds the bin empty while the records say there is more (a customer order,
//!   a backorder filled from a delivery, a disposition) corrects the records too: the phantom
//!   units are found. The units of a customer order that the records promised and the shelf
//!   did not have are the shortage caused by phantom stock.
//!
//! Replenishment decides on the recorded position (recorded on hand + on order −
//! backorders); holding, the time series and the horizon's salvage count physical units.

use super::walk::Walk;
use super::{Instant, RecordTerms, StepRecorder, count_f64};
use crate::rng::{Stream, StreamFactory, StreamRng};

/// The drifting records' state of one policy on one path.
pub(super) struct Drift {
    /// The unrecorded losses' stream (`None` when their rate is 0).
    rng: Option<StreamRng>,
    /// Exponential budget of the next unrecorded loss: it comes when `rate · ∫ on-hand dt`
    /// since `mark` has used it up (dimensionless).
    budget: f64,
    /// `∫ on-hand dt` (the outcome's `on_hand_unit_years`) when the budget was drawn,
    /// unit-years: the losses ride on the integral the walk keeps anyway, so `integrate_to`
    /// has nothing more to do.
    mark: f64,
    /// Index of the next cycle count.
    next_count: usize,
    /// Time of the next cycle count (∞ if none), years.
    pub(super) next_count_at: f64,
}

impl Drift {
    /// The state at t = 0 of a path numbered `path_index` under `terms`.
    pub(super) fn new(terms: &RecordTerms, streams: &StreamFactory, path_index: u64) -> Self {
        let mut rng = None;
        let mut budget = f64::INFINITY;
        if terms.unrecorded_shrinkage_rate > 0.0 {
            let mut r = streams.open(path_index, Stream::UnrecordedLoss);
            budget = crate::sampling::exp1(&mut r);
            rng = Some(r);
        }
        Drift {
            rng,
            budget,
            mark: 0.0,
            next_count: 0,
            next_count_at: terms.counts.first().map_or(f64::INFINITY, |c| c.time),
        }
    }
}

impl<R: StepRecorder> Walk<'_, R> {
    /// The records' terms (only called with records).
    #[inline]
    fn record_terms(&self) -> &RecordTerms {
        self.plan
            .records
            .as_ref()
            .expect("drift needs the records' terms")
    }

    /// The time of the next unrecorded loss if nothing else happens first (∞ without one):
    /// the budget left after `rate · ∫ on-hand dt` since the mark, spent at `rate · on_hand`.
    #[inline]
    pub(super) fn unrecorded_loss_at(&self) -> f64 {
        let Some(d) = &self.drift else {
            return f64::INFINITY;
        };
        if d.rng.is_none() || self.on_hand == 0 {
            return f64::INFINITY;
        }
        let rate = self.record_terms().unrecorded_shrinkage_rate;
        let left = d.budget - rate * (self.out.on_hand_unit_years - d.mark);
        self.now + left.max(0.0) / (count_f64(self.on_hand) * rate)
    }

    /// The time of the next cycle count (∞ without one).
    #[inline]
    pub(super) fn count_at(&self) -> f64 {
        self.drift
            .as_ref()
            .map_or(f64::INFINITY, |d| d.next_count_at)
    }

    /// A unit is lost without the records seeing it, at `at` (integrated to): physical stock
    /// down, the records as they were; the position the (s, S) rule sees is unchanged.
    pub(super) fn lose_unrecorded(&mut self, at: f64) {
        let at = Instant::new(at, &self.plan.discount);
        self.integrate_to(at.time, at.discounted_time);
        self.on_hand -= 1;
        self.phantom += 1;
        self.out.records.unrecorded_lost += 1;
        let mark = self.out.on_hand_unit_years;
        let d = self.drift.as_mut().expect("a loss needs the records");
        let rng = d.rng.as_mut().expect("a loss needs its stream");
        d.budget = crate::sampling::exp1(rng);
        d.mark = mark;
    }

    /// The next cycle count (integrated to): the records are set to the physical stock and
    /// the count is paid; then, when the records were wrong, the (s, S) rule looks at the
    /// corrected position.
    pub(super) fn count(&mut self) {
        let terms = self
            .plan
            .records
            .as_ref()
            .expect("a count needs the records");
        let d = self.drift.as_mut().expect("a count needs the records");
        let at = terms.counts[d.next_count];
        d.next_count += 1;
        d.next_count_at = terms
            .counts
            .get(d.next_count)
            .map_or(f64::INFINITY, |c| c.time);
        self.integrate_to(at.time, at.discounted_time);
        let records = &mut self.out.records;
        records.counts += 1;
        if self.phantom == 0 {
            records.accurate_counts += 1;
        }
        let found = self.phantom;
        records.phantom_found_at_counts += found;
        self.phantom = 0;
        self.out.costs.counting += terms.count_cost * at.discount;
        // A count that finds the records right changes no position: no new decision (so that
        // counts without unrecorded losses change nothing but the counting line).
        if found > 0 {
            self.review_position(at.time, at.discount);
        }
    }

    /// A customer order of `units` found the shelf empty (it was served `units − short`)
    /// while the records said there was more: the phantom units are found and the records
    /// corrected; the short units the records had promised were short because of them.
    #[inline(never)]
    pub(super) fn find_phantom_on_order(&mut self, short: u64) {
        let records = &mut self.out.records;
        records.phantom_short += short.min(self.phantom);
        records.phantom_found_by_picks += self.phantom;
        self.phantom = 0;
    }

    /// A pick other than a customer order (backorders filled from a delivery, a disposition)
    /// emptied the shelf while the records said there was more: the phantom units are found.
    #[inline(never)]
    pub(super) fn find_phantom_on_pick(&mut self) {
        self.out.records.phantom_found_by_picks += self.phantom;
        self.phantom = 0;
    }
}
