//! The walk's side of drifting stock records ([`super::records`] holds their state):
//! unrecorded losses, cycle counts, and picks and orders that find phantom stock.

use super::walk::Walk;
use super::{Instant, RecordTerms, StepRecorder, count_f64};

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
