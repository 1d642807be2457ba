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

/// A stage grows a run by at most this factor (the prediction from a small first stage can be
/// far off).
pub const MAX_STAGE_GROWTH: u64 = 4;

/// A stage grows the optimiser's search by at most this factor. Each stage searches again from
/// path 0, so a stage that falls short costs a whole search, while in a run it costs only one
/// more look: the search aims at the prediction almost whatever it is.
pub const MAX_SEARCH_STAGE_GROWTH: u64 = 16;

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
/// with a margin, at least one block more, at most `max_growth` times `paths`, in whole blocks,
/// and at most `rule.max_paths`.
pub fn next_stage_end(paths: u64, worst: f64, rule: PrecisionRule, max_growth: u64) -> u64 {
    let ratio = worst / rule.target;
    let most = paths.saturating_mul(max_growth);
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

/// Runs stages of growing path counts until the figures judged after a stage all meet `rule`
/// or `rule.max_paths` paths are reached: the loop every precision run shares. Each stage is
/// at most `max_growth` times the one before ([`next_stage_end`]).
/// `stage(from, to)` brings the answer from `from` paths (0 at first) to `to` paths, whether by
/// simulating paths `from..to` and merging them (a run) or by evaluating everything again on
/// paths `0..to` (the optimiser's search), and returns the figures judged on those `to` paths;
/// an error (a cancellation) ends the loop.
pub fn stage_until<E>(
    rule: PrecisionRule,
    max_growth: u64,
    mut stage: impl FnMut(u64, u64) -> Result<Vec<Figure>, E>,
) -> Result<PrecisionOutcome, E> {
    let mut end = first_stage_end(rule);
    let mut judged = stage(0, end)?;
    let mut stages = 1;
    loop {
        let w = worst(&judged);
        let reached = judged
            .iter()
            .all(|f| f.half_width <= rule.target * f.reference);
        if reached || end >= rule.max_paths {
            return Ok(PrecisionOutcome {
                target: rule.target,
                reached,
                paths: end,
                max_paths: rule.max_paths,
                stages,
                achieved: w.is_finite().then_some(w),
            });
        }
        let next = next_stage_end(end, w, rule, max_growth);
        judged = stage(end, next)?;
        end = next;
        stages += 1;
    }
}

/// Runs stages until `figures` of the totals so far all meet `rule` or `rule.max_paths` paths
/// are simulated. `simulate(from, to)` simulates paths `from..to` (`from` a whole number of
/// blocks) and returns their totals, or an error when cancelled (then so does this); `figures`
/// computes what is judged from the totals of all paths so far.
pub fn run_stages<E>(
    rule: PrecisionRule,
    mut simulate: impl FnMut(u64, u64) -> Result<Totals, E>,
    figures: impl Fn(&Totals) -> Vec<Figure>,
) -> Result<(Totals, PrecisionOutcome), E> {
    let mut so_far: Option<Totals> = None;
    let outcome = stage_until(rule, MAX_STAGE_GROWTH, |from, to| {
        let more = simulate(from, to)?;
        let totals = match so_far.take() {
            // Counts cannot overflow: the path count is capped by the scenario's path limit.
            Some(t) => t.merge(more).expect("the counts of a validated run fit"),
            None => more,
        };
        let judged = figures(&totals);
        so_far = Some(totals);
        Ok(judged)
    })?;
    Ok((so_far.expect("at least one stage ran"), outcome))
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
        assert_eq!(next_stage_end(4096, 0.02, r, MAX_STAGE_GROWTH), 4 * 4096);
        // Slightly above the target: the margin, in whole blocks (4096 × 1.1 → 18 blocks).
        assert_eq!(
            next_stage_end(4096, 0.010_000_1, r, MAX_STAGE_GROWTH),
            18 * BLOCK_PATHS
        );
        // A prediction below the current count (another figure was unsettled by a hair):
        // at least one more block.
        assert_eq!(
            next_stage_end(4096, 0.009, r, MAX_STAGE_GROWTH),
            4096 + BLOCK_PATHS
        );
        // 1.5 × the target: 2.25 × 1.1 = 2.475 × the paths, rounded up to whole blocks.
        let n = next_stage_end(4096, 0.015, r, MAX_STAGE_GROWTH);
        assert_eq!(n % BLOCK_PATHS, 0);
        assert!(n >= (4096.0 * 2.475) as u64 && n < (4096.0 * 2.475) as u64 + BLOCK_PATHS);
        // Unknown: the largest growth; never beyond the maximum.
        assert_eq!(
            next_stage_end(4096, f64::INFINITY, r, MAX_STAGE_GROWTH),
            4 * 4096
        );
        // The search's larger growth: eight times the target, 64 × 1.1 the paths, capped at 16.
        assert_eq!(
            next_stage_end(4096, 0.08, r, MAX_SEARCH_STAGE_GROWTH),
            16 * 4096
        );
        assert_eq!(
            next_stage_end(4096, 0.02, r, MAX_SEARCH_STAGE_GROWTH),
            (4096.0f64 * 4.0 * 1.1 / BLOCK_PATHS as f64).ceil() as u64 * BLOCK_PATHS
        );
        assert_eq!(
            next_stage_end(4096, 0.02, rule(0.01, 5000), MAX_STAGE_GROWTH),
            5000
        );
    }

    /// A figure whose relative half-width is `c / √paths`, as an estimate's is.
    fn shrinking(c: f64, paths: u64) -> Vec<Figure> {
        vec![Figure {
            half_width: c / (paths as f64).sqrt(),
            reference: 1.0,
        }]
    }

    #[test]
    fn stages_run_until_the_figures_meet_the_target_each_from_where_the_last_ended() {
        let r = rule(0.01, 1_000_000);
        let mut seen = Vec::new();
        // Relative half-width 2 / √n: 0.01 needs 40,000 paths.
        let outcome = stage_until(r, MAX_STAGE_GROWTH, |from, to| {
            seen.push((from, to));
            Ok::<_, ()>(shrinking(2.0, to))
        })
        .unwrap();
        assert!(outcome.reached);
        assert!(outcome.paths >= 40_000, "{outcome:?}");
        assert_eq!(outcome.stages as usize, seen.len());
        assert_eq!(seen[0], (0, first_stage_end(r)));
        for w in seen.windows(2) {
            assert_eq!(w[1].0, w[0].1, "each stage starts where the last ended");
            assert!(w[1].1 > w[1].0);
        }
        assert_eq!(seen.last().unwrap().1, outcome.paths);
        let achieved = outcome.achieved.unwrap();
        assert!(achieved <= 0.01 && (achieved - 2.0 / (outcome.paths as f64).sqrt()).abs() < 1e-15);
        // The stage before the last did not reach the target.
        let before = seen[seen.len() - 2].1;
        assert!(2.0 / (before as f64).sqrt() > 0.01);
    }

    #[test]
    fn stages_stop_at_the_maximum_unreached_and_pass_errors_on() {
        let outcome = stage_until(rule(0.0001, 20_000), MAX_STAGE_GROWTH, |_, to| {
            Ok::<_, ()>(shrinking(2.0, to))
        })
        .unwrap();
        assert!(!outcome.reached);
        assert_eq!(outcome.paths, 20_000);
        assert!(outcome.achieved.unwrap() > 0.0001);
        let mut calls = 0;
        let stopped = stage_until(rule(0.0001, 20_000), MAX_STAGE_GROWTH, |_, _| {
            calls += 1;
            if calls == 2 {
                Err("cancelled")
            } else {
                Ok(shrinking(2.0, 1))
            }
        });
        assert_eq!(stopped, Err("cancelled"));
        assert_eq!(calls, 2);
    }

    #[test]
    fn relative_half_widths_of_zero_sizes() {
        assert_eq!(Figure::of(0.0, 0.0).relative(), 0.0);
        assert_eq!(Figure::of(1.0, 0.0).relative(), f64::INFINITY);
        assert_eq!(Figure::of(f64::NAN, 1.0).relative(), f64::INFINITY);
        assert!((Figure::of(1.0, Z95 * 100.0).relative() - 0.01).abs() < 1e-15);
    }
}
