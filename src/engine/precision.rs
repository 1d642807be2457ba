//! Runs that stop when the answer is known (`--precision P`): path blocks are simulated in
//! their fixed order, in stages, until every figure that matters has a 95 % interval whose
//! half-width is at most P times its size, or a maximum path count is reached.
//!
//! After each stage the estimates are computed from the exact totals of all paths so far
//! (stages merge exactly, as shards do), so the stopping point and the next stage's size depend
//! only on those totals: the same command stops at the same path count, with the same bits, on
//! any thread count. A run stopped at N paths gives exactly the outputs of a fixed run of N
//! paths with the same seed (the stop is always at a whole number of blocks, or at the maximum).

use schemars::JsonSchema;
use serde::Serialize;

use super::controls::{MAX_CONTROLS, MIN_PATHS_PER_CONTROL};
use super::relative::MAX_POLICY_CONTROLS;
use super::{BLOCK_PATHS, Totals, Z95, block_count};

/// Most controls of one estimate: a paired difference's demand controls and both policies'
/// relative controls.
const MOST_CONTROLS: u64 = (MAX_CONTROLS + 2 * MAX_POLICY_CONTROLS) as u64;

/// Paths of the first stage at least: enough that every control applies
/// ([`MIN_PATHS_PER_CONTROL`] per control and one more) and that variances are not judged on a
/// handful of paths (a multiple of [`BLOCK_PATHS`]).
pub const MIN_FIRST_STAGE_PATHS: u64 = {
    let controls = MIN_PATHS_PER_CONTROL * (MOST_CONTROLS + 1);
    let floor = 4096;
    let paths = if controls > floor { controls } else { floor };
    paths.div_ceil(BLOCK_PATHS) * BLOCK_PATHS
};

/// Paths a precision run may use at most when no maximum is given (capped by the scenario's
/// path limit, `Scenario::max_paths`).
pub const DEFAULT_MAX_PATHS: u64 = 1_000_000;

/// A stage grows the run by at most this factor (the prediction from a small first stage can be
/// far off).
pub const MAX_STAGE_GROWTH: u64 = 4;

/// Margin on the predicted path count (the estimate of the variance is itself noisy): the next
/// stage aims at this factor times the paths the current estimate says are needed.
pub const STAGE_MARGIN: f64 = 1.1;

/// When to stop: the relative half-width asked and the most paths to simulate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrecisionRule {
    /// Relative half-width of the 95 % intervals asked, in (0, 1) (0.001 = 0.1 %).
    pub target: f64,
    /// Most paths to simulate (≥ 1).
    pub max_paths: u64,
}

/// One figure a precision run judges: its 95 % half-width and the size it is relative to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Figure {
    /// Half-width of the 95 % interval (1.96 standard errors; currency).
    pub half_width: f64,
    /// What the half-width is compared with, times the target (currency; ≥ 0).
    pub reference: f64,
}

impl Figure {
    /// The figure of an estimate with standard error `std_err` relative to `reference`.
    pub fn of(std_err: f64, reference: f64) -> Figure {
        Figure {
            half_width: Z95 * std_err,
            reference: reference.abs(),
        }
    }

    /// Half-width ÷ reference (0 when both are 0, infinite when only the reference is 0 or a
    /// value is not a number).
    pub fn relative(&self) -> f64 {
        if self.half_width == 0.0 {
            0.0
        } else if self.reference > 0.0 && self.half_width.is_finite() {
            self.half_width / self.reference
        } else {
            f64::INFINITY
        }
    }
}

/// How a precision run went, as `summary.json` reports it (`precision`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize, JsonSchema)]
pub struct PrecisionOutcome {
    /// The relative half-width of the 95 % intervals asked (`--precision`; 0.001 = 0.1 %).
    pub target: f64,
    /// Whether every figure met it (false: the run stopped at `max_paths`).
    pub reached: bool,
    /// Paths simulated: the run's `paths` (paths).
    pub paths: u64,
    /// Most paths the run could use (`--max-paths`, capped by the scenario's path limit;
    /// paths).
    pub max_paths: u64,
    /// Stages simulated (the figures were judged after each).
    pub stages: u32,
    /// The largest relative half-width among the figures judged at the end (half-width ÷ the
    /// size it is relative to; ≤ `target` when `reached`; `null` when a figure's size is 0).
    pub achieved: Option<f64>,
}

/// The worst relative half-width of `figures` (0 without any).
fn worst(figures: &[Figure]) -> f64 {
    figures.iter().map(Figure::relative).fold(0.0, f64::max)
}

/// The path count after the stage that follows `paths` paths whose worst relative half-width
/// is `worst`, for `rule`: the count the estimate predicts (the half-width shrinks as 1/√n),
/// with a margin, at least one block more, at most [`MAX_STAGE_GROWTH`] times `paths`, in whole
/// blocks, and at most `rule.max_paths`.
pub fn next_stage_end(paths: u64, worst: f64, rule: PrecisionRule) -> u64 {
    let ratio = worst / rule.target;
    let most = paths.saturating_mul(MAX_STAGE_GROWTH);
    let predicted = if ratio.is_finite() {
        let p = paths as f64 * ratio * ratio * STAGE_MARGIN;
        if p >= most as f64 {
            most
        } else {
            p.ceil() as u64
        }
    } else {
        most
    };
    let blocks = block_count(predicted.max(paths + 1));
    blocks
        .saturating_mul(BLOCK_PATHS)
        .min(rule.max_paths)
        .max(paths.min(rule.max_paths))
}

/// The first stage's path count for `rule`.
pub fn first_stage_end(rule: PrecisionRule) -> u64 {
    MIN_FIRST_STAGE_PATHS.min(rule.max_paths)
}

/// Runs stages until `figures` of the totals so far all meet `rule` or `rule.max_paths` paths
/// are simulated. `simulate(from, to)` simulates paths `from..to` (`from` a whole number of
/// blocks) and returns their totals, or `None` when cancelled (then so does this); `figures`
/// computes what is judged from the totals of all paths so far.
pub fn run_stages<E>(
    rule: PrecisionRule,
    mut simulate: impl FnMut(u64, u64) -> Result<Totals, E>,
    figures: impl Fn(&Totals) -> Vec<Figure>,
) -> Result<(Totals, PrecisionOutcome), E> {
    let mut end = first_stage_end(rule);
    let mut totals = simulate(0, end)?;
    let mut stages = 1;
    loop {
        let judged = figures(&totals);
        let w = worst(&judged);
        let reached = judged
            .iter()
            .all(|f| f.half_width <= rule.target * f.reference);
        if reached || end >= rule.max_paths {
            let outcome = PrecisionOutcome {
                target: rule.target,
                reached,
                paths: end,
                max_paths: rule.max_paths,
                stages,
                achieved: w.is_finite().then_some(w),
            };
            return Ok((totals, outcome));
        }
        let next = next_stage_end(end, w, rule);
        let more = simulate(end, next)?;
        // Counts cannot overflow: the path count is capped by the scenario's path limit.
        totals = totals
            .merge(more)
            .expect("the counts of a validated run fit");
        end = next;
        stages += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(target: f64, max_paths: u64) -> PrecisionRule {
        PrecisionRule { target, max_paths }
    }

    #[test]
    fn the_first_stage_lets_every_control_apply() {
        const { assert!(MIN_FIRST_STAGE_PATHS >= MIN_PATHS_PER_CONTROL * (MOST_CONTROLS + 1)) };
        assert_eq!(MIN_FIRST_STAGE_PATHS % BLOCK_PATHS, 0);
        assert_eq!(first_stage_end(rule(0.01, 1000)), 1000);
    }

    #[test]
    fn stages_grow_by_the_prediction_within_bounds() {
        let r = rule(0.01, 1_000_000);
        // Twice the half-width asked: four times the paths, with the margin, capped at ×4.
        assert_eq!(next_stage_end(4096, 0.02, r), 4 * 4096);
        // Slightly above the target: the margin, in whole blocks (4096 × 1.1 → 18 blocks).
        assert_eq!(next_stage_end(4096, 0.010_000_1, r), 18 * BLOCK_PATHS);
        // A prediction below the current count (another figure was unsettled by a hair):
        // at least one more block.
        assert_eq!(next_stage_end(4096, 0.009, r), 4096 + BLOCK_PATHS);
        // 1.5 × the target: 2.25 × 1.1 = 2.475 × the paths, rounded up to whole blocks.
        let n = next_stage_end(4096, 0.015, r);
        assert_eq!(n % BLOCK_PATHS, 0);
        assert!(n >= (4096.0 * 2.475) as u64 && n < (4096.0 * 2.475) as u64 + BLOCK_PATHS);
        // Unknown: the largest growth; never beyond the maximum.
        assert_eq!(next_stage_end(4096, f64::INFINITY, r), 4 * 4096);
        assert_eq!(next_stage_end(4096, 0.02, rule(0.01, 5000)), 5000);
    }

    #[test]
    fn relative_half_widths_of_zero_sizes() {
        assert_eq!(Figure::of(0.0, 0.0).relative(), 0.0);
        assert_eq!(Figure::of(1.0, 0.0).relative(), f64::INFINITY);
        assert_eq!(Figure::of(f64::NAN, 1.0).relative(), f64::INFINITY);
        assert!((Figure::of(1.0, Z95 * 100.0).relative() - 0.01).abs() < 1e-15);
    }
}
