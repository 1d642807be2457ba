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
//!   own stream ([`Stream::UnrecordedLoss`](crate::rng::Stream::UnrecordedLoss)) beside the recorded losses.
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

use super::RecordTerms;
use crate::rng::{Stream, StreamFactory, StreamRng};

/// The drifting records' state of one policy on one path.
pub(super) struct Drift {
    /// The unrecorded losses' stream (`None` when their rate is 0).
    pub(super) rng: Option<StreamRng>,
    /// Exponential budget of the next unrecorded loss: it comes when `rate · ∫ on-hand dt`
    /// since `mark` has used it up (dimensionless).
    pub(super) budget: f64,
    /// `∫ on-hand dt` (the outcome's `on_hand_unit_years`) when the budget was drawn,
    /// unit-years: the losses ride on the integral the walk keeps anyway, so `integrate_to`
    /// has nothing more to do.
    pub(super) mark: f64,
    /// Index of the next cycle count.
    pub(super) next_count: usize,
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
