//! Control variates for the mean total cost: per path, the units demanded in each of a few
//! periods of the horizon, whose expectations are known exactly from the intensity integral
//! and the order-size mean.
//!
//! A policy's total cost Y on a path goes up and down with the demand C = (C₁, …, C_k) of that
//! path. With the exact expectations μ = E\[C\], the regression (control-variate) estimator
//!
//! ```text
//! Ŷ = Ȳ − β̂ᵀ(C̄ − μ),   β̂ = S_CC⁻¹ S_CY   (least squares on the same paths)
//! ```
//!
//! is consistent for E\[Y\] and its variance is the residual variance of Y after the linear fit
//! on C: var(Ŷ) ≈ s²·(1/n + (C̄ − μ)ᵀ S_CC⁻¹ (C̄ − μ)), s² = SSE / (n − k − 1) — the variance of
//! a regression's fitted value at C = μ. Everything is computed from sums that merge exactly:
//! ΣC and ΣCᵢCⱼ are integers ([`ControlSums`]), ΣCᵢ·(Y − shift) is an exact sum per policy, so
//! the estimate has the same bits for any thread count and shard split.
//!
//! Controls that never vary (a period without demand) or that are linear combinations of the
//! others are dropped; with fewer than [`MIN_PATHS_PER_CONTROL`]·(k + 1) paths, or when no
//! control varies, the plain estimates are reported and the summary says why
//! ([`Fallback`]).

use serde::{Deserialize, Serialize};

use super::stats::{ExactSum, Moments, Overflow};
use crate::scenario::Scenario;

/// Most controls: the years of the horizon are grouped into at most this many consecutive
/// periods, each one control (the per-path cost of the controls grows with k²).
pub const MAX_CONTROLS: usize = 8;

/// Paths needed per control (and one more for the intercept) before controls are used: below
/// k + 1 times this many, the fitted coefficients are too noisy for the interval to hold its
/// coverage, and the plain estimates are reported. (With 8 controls the coverage test's
/// intervals cover about 94 % at the 450 paths this asks, 92–93 % at 200.)
pub const MIN_PATHS_PER_CONTROL: u64 = 50;

/// Entries of the upper triangle (diagonal included) of a k × k matrix.
pub(super) const fn triangle(k: usize) -> usize {
    k * (k + 1) / 2
}

/// The grouping of the years of the horizon into control periods.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Periods {
    /// The period of each year of the horizon (non-decreasing, from 0 to `count − 1`).
    pub(super) of_year: Vec<usize>,
    /// Number of periods (controls).
    pub(super) count: usize,
}

impl Periods {
    /// `years` annual buckets grouped into min(years, [`MAX_CONTROLS`]) periods of
    /// consecutive years, as even as whole years allow.
    pub(super) fn new(years: usize) -> Self {
        let count = years.clamp(1, MAX_CONTROLS);
        let of_year = (0..years.max(1))
            .map(|y| y * count / years.max(1))
            .collect();
        Periods { of_year, count }
    }

    /// First year and end year (exclusive) of period `a`.
    pub(super) fn years(&self, a: usize) -> (usize, usize) {
        let first = self.of_year.partition_point(|&p| p < a);
        let end = self.of_year.partition_point(|&p| p <= a);
        (first, end)
    }
}

/// Exact integer sums of the controls over paths: ΣCₐ and ΣCₐC_b (a ≤ b, row by row).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ControlSums {
    /// ΣCₐ over paths, per control (units).
    pub(super) sum: Vec<u128>,
    /// ΣCₐC_b over paths, upper triangle row by row (units²).
    pub(super) cross: Vec<u128>,
}

impl ControlSums {
    /// Empty sums of `k` controls.
    pub(super) fn new(k: usize) -> Self {
        ControlSums {
            sum: vec![0; k],
            cross: vec![0; triangle(k)],
        }
    }

    /// Number of controls.
    pub(super) fn count(&self) -> usize {
        self.sum.len()
    }

    /// Adds the sums of a block (fixed-size arrays of the worker, of which the first
    /// [`ControlSums::count`] entries are used).
    pub(super) fn add_block(&mut self, sum: &[u128], cross: &[u128]) {
        for (a, b) in self.sum.iter_mut().zip(sum) {
            *a += b;
        }
        for (a, b) in self.cross.iter_mut().zip(cross) {
            *a += b;
        }
    }

    /// Adds another run of blocks' sums.
    pub(super) fn merge(&mut self, other: &ControlSums) -> Result<(), Overflow> {
        for (a, b) in self.sum.iter_mut().zip(&other.sum) {
            *a = a.checked_add(*b).ok_or(Overflow)?;
        }
        for (a, b) in self.cross.iter_mut().zip(&other.cross) {
            *a = a.checked_add(*b).ok_or(Overflow)?;
        }
        Ok(())
    }

    /// Whether the vectors have the lengths of `k` controls.
    pub(super) fn has_controls(&self, k: usize) -> bool {
        self.sum.len() == k && self.cross.len() == triangle(k)
    }
}

/// Why the plain estimates were reported instead of the adjusted ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fallback {
    /// Fewer paths than [`MIN_PATHS_PER_CONTROL`]·(k + 1) for the k controls that vary.
    TooFewPaths {
        /// Paths of the run.
        paths: u64,
        /// Paths the controls would need.
        needed: u64,
    },
    /// No period's demand varies between paths (or the controls are all dependent).
    NoControlVaries,
}

impl Fallback {
    /// The reason in words, for summary.json.
    pub fn describe(&self) -> String {
        match self {
            Fallback::TooFewPaths { paths, needed } => format!(
                "plain estimates: {paths} paths are too few for the demand controls (they need \
                 at least {needed})"
            ),
            Fallback::NoControlVaries => {
                "plain estimates: the units demanded per period do not vary between paths"
                    .to_string()
            }
        }
    }
}

/// A mean with its standard error, adjusted by the controls when they apply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The mean (adjusted, or plain on fallback).
    pub mean: f64,
    /// Its standard error.
    pub std_err: f64,
    /// Plain variance ÷ residual variance after the controls (`None` when the controls were
    /// not used, or when they explain all of the variance).
    pub variance_reduction: Option<f64>,
}

/// The controls' part of the regression, shared by every policy and paired difference of a
/// run: which controls are used, the Cholesky factor of their centred cross-products, and
/// the distance of their means from their exact expectations.
#[derive(Debug, Clone)]
pub struct ControlSystem {
    /// Paths.
    n: u64,
    /// Indices of the controls used.
    kept: Vec<usize>,
    /// ΣCₐ over paths, per control (all controls).
    sums: Vec<f64>,
    /// Lower-triangular L (kept × kept, row-major) with L·Lᵀ = S_CC of the kept controls.
    chol: Vec<f64>,
    /// L⁻¹(C̄ − μ) over the kept controls.
    q: Vec<f64>,
    /// Why the controls are not used, if they are not.
    fallback: Option<Fallback>,
}

/// Relative size below which a Cholesky pivot counts as zero (the control is a linear
/// combination of those before it, or never varies).
const PIVOT_TOLERANCE: f64 = 1e-9;

impl ControlSystem {
    /// The system of a run of `n` paths with control sums `sums` and exact expectations
    /// `expected` (units per path, one per control).
    pub(super) fn new(sums: &ControlSums, n: u64, expected: &[f64]) -> Self {
        let k = sums.count();
        let nf = n as f64;
        // Centred cross-products S_ab = ΣCₐC_b − ΣCₐΣC_b/n, exactly in integers when the
        // products fit (n·ΣCₐC_b − ΣCₐ·ΣC_b), else in floating point.
        let centred = |a: usize, b: usize| -> f64 {
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            let idx = lo * k - lo * (lo + 1) / 2 + hi;
            let (cross, sa, sb) = (sums.cross[idx], sums.sum[a], sums.sum[b]);
            if n == 0 {
                return 0.0;
            }
            match ((n as u128).checked_mul(cross), sa.checked_mul(sb)) {
                (Some(x), Some(y)) => {
                    let d = if x >= y {
                        (x - y) as f64
                    } else {
                        -((y - x) as f64)
                    };
                    d / nf
                }
                _ => cross as f64 - sa as f64 * sb as f64 / nf,
            }
        };
        let mut kept: Vec<usize> = Vec::new();
        let mut chol: Vec<f64> = Vec::new();
        // Cholesky row by row over the candidate controls, dropping those whose pivot
        // vanishes: L is grown one row at a time, so the rows stay those of the kept set.
        for a in 0..k {
            let diag = centred(a, a);
            if diag <= 0.0 {
                continue;
            }
            let m = kept.len();
            let mut row = vec![0.0; m + 1];
            for (r, &b) in kept.iter().enumerate() {
                let mut s = centred(a, b);
                for t in 0..r {
                    s -= row[t] * chol[r * MAX_CONTROLS + t];
                }
                row[r] = s / chol[r * MAX_CONTROLS + r];
            }
            let pivot = diag - row[..m].iter().map(|x| x * x).sum::<f64>();
            if pivot <= PIVOT_TOLERANCE * diag {
                continue;
            }
            row[m] = pivot.sqrt();
            chol.resize((m + 1) * MAX_CONTROLS, 0.0);
            chol[m * MAX_CONTROLS..m * MAX_CONTROLS + m + 1].copy_from_slice(&row);
            kept.push(a);
        }
        let sums_f: Vec<f64> = sums.sum.iter().map(|&s| s as f64).collect();
        let needed = MIN_PATHS_PER_CONTROL * (kept.len() as u64 + 1);
        let fallback = if kept.is_empty() {
            Some(Fallback::NoControlVaries)
        } else if n < needed {
            Some(Fallback::TooFewPaths { paths: n, needed })
        } else {
            None
        };
        let mut system = ControlSystem {
            n,
            kept,
            sums: sums_f,
            chol,
            q: Vec::new(),
            fallback,
        };
        let delta: Vec<f64> = system
            .kept
            .iter()
            .map(|&a| system.sums[a] / nf - expected[a])
            .collect();
        system.q = system.forward(&delta);
        system
    }

    /// Why the plain estimates are reported, or `None` when the controls are used.
    pub fn fallback(&self) -> Option<Fallback> {
        self.fallback
    }

    /// Number of controls used (0 on fallback).
    pub fn used(&self) -> usize {
        if self.fallback.is_some() {
            0
        } else {
            self.kept.len()
        }
    }

    /// Solves L·z = v (v over the kept controls).
    fn forward(&self, v: &[f64]) -> Vec<f64> {
        let mut z = vec![0.0; v.len()];
        for r in 0..v.len() {
            let row = &self.chol[r * MAX_CONTROLS..];
            let mut s = v[r];
            for t in 0..r {
                s -= row[t] * z[t];
            }
            z[r] = s / row[r];
        }
        z
    }

    /// The centred cross-products S_CₐY = ΣCₐ·(Y − shift) − ΣCₐ·Σ(Y − shift)/n of a value
    /// with moments `m` whose exact sums of Cₐ·(Y − shift) are `cy` (all controls).
    pub(super) fn centred_cross(&self, m: &Moments, cy: &[ExactSum]) -> Vec<f64> {
        let n = self.n.max(1) as f64;
        let total = m.shifted_sum();
        cy.iter()
            .zip(&self.sums)
            .map(|(s, &c)| {
                let mut s = s.clone();
                s.add(-c * total / n);
                s.value()
            })
            .collect()
    }

    /// The estimate of the mean of a value with moments `m` and centred cross-products `s_cy`
    /// with the controls (`ControlSystem::centred_cross`; differences of those for a paired
    /// difference).
    pub fn estimate(&self, m: &Moments, s_cy: &[f64]) -> Estimate {
        let plain = Estimate {
            mean: m.mean(),
            std_err: m.std_err(),
            variance_reduction: None,
        };
        let s_yy = m.squared_deviations();
        if self.fallback.is_some() || s_yy <= 0.0 {
            return plain;
        }
        let k = self.kept.len();
        let v: Vec<f64> = self.kept.iter().map(|&a| s_cy[a]).collect();
        let z = self.forward(&v);
        let explained: f64 = z.iter().map(|x| x * x).sum();
        let sse = (s_yy - explained).max(0.0);
        // β̂ᵀ(C̄ − μ) = zᵀq (β̂ = L⁻ᵀz, q = L⁻¹(C̄ − μ)).
        let shift: f64 = z.iter().zip(&self.q).map(|(a, b)| a * b).sum();
        let n = self.n as f64;
        let dof = (self.n - k as u64 - 1) as f64;
        let residual = sse / dof;
        let leverage = 1.0 / n + self.q.iter().map(|x| x * x).sum::<f64>();
        let plain_variance = s_yy / (n - 1.0);
        Estimate {
            mean: m.mean() - shift,
            std_err: (residual * leverage).sqrt(),
            variance_reduction: (residual > 0.0).then(|| plain_variance / residual),
        }
    }
}

/// The exact expected units demanded per path in each period of `periods` (sudden death and
/// the rate multiplier included: see [`crate::demand::DemandModel::expected_units_in_window`]).
pub(super) fn expected_units(scenario: &Scenario, periods: &Periods, horizon: f64) -> Vec<f64> {
    (0..periods.count)
        .map(|a| {
            let (first, end) = periods.years(a);
            // The last bucket of the demand counts also holds what falls after its year's
            // start up to the horizon (its year is the last one).
            (first..end)
                .map(|y| {
                    let from = y as f64;
                    let to = if y + 1 == periods.of_year.len() {
                        horizon
                    } else {
                        ((y + 1) as f64).min(horizon)
                    };
                    scenario.demand.expected_units_in_window(from, to)
                })
                .sum()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_group_consecutive_years_evenly() {
        let p = Periods::new(25);
        assert_eq!(p.count, MAX_CONTROLS);
        assert_eq!(p.of_year.len(), 25);
        assert!(
            p.of_year
                .windows(2)
                .all(|w| w[1] == w[0] || w[1] == w[0] + 1)
        );
        let lengths: Vec<usize> = (0..p.count)
            .map(|a| {
                let (f, e) = p.years(a);
                e - f
            })
            .collect();
        assert_eq!(lengths.iter().sum::<usize>(), 25);
        assert!(lengths.iter().all(|&l| l == 3 || l == 4), "{lengths:?}");
        let short = Periods::new(3);
        assert_eq!(short.count, 3);
        assert_eq!(short.years(2), (2, 3));
    }

    /// Sums of a small sample, as the worker makes them.
    fn sums_of(cs: &[Vec<u64>]) -> ControlSums {
        let k = cs[0].len();
        let mut s = ControlSums::new(k);
        for c in cs {
            let mut idx = 0;
            for a in 0..k {
                s.sum[a] += u128::from(c[a]);
                for b in a..k {
                    s.cross[idx] += u128::from(c[a] * c[b]);
                    idx += 1;
                }
            }
        }
        s
    }

    #[test]
    fn constant_and_dependent_controls_are_dropped() {
        // Control 1 never varies; control 2 = control 0 + control 3 − 1 (dependent).
        let cs: Vec<Vec<u64>> = (0..200u64)
            .map(|i| {
                let a = (i * 7) % 11;
                let d = (i * 5) % 13;
                vec![a, 4, a + d + 1, d + 2]
            })
            .collect();
        let system = ControlSystem::new(&sums_of(&cs), 200, &[5.0, 4.0, 12.0, 8.0]);
        assert_eq!(system.kept, vec![0, 2]);
        assert_eq!(system.fallback(), None);
        assert_eq!(system.used(), 2);
    }

    #[test]
    fn a_value_linear_in_the_controls_is_estimated_exactly() {
        // y = 3·c₀ − 2·c₁ + 10: the adjusted mean is the value at the exact expectations.
        let cs: Vec<Vec<u64>> = (0..400u64)
            .map(|i| vec![(i * 7) % 11, (i * 3) % 5])
            .collect();
        let ys: Vec<f64> = cs
            .iter()
            .map(|c| 3.0 * c[0] as f64 - 2.0 * c[1] as f64 + 10.0)
            .collect();
        // Expectations away from the sample means (≈ 5 and 2), so that the adjustment shows.
        let expected = [5.2, 1.9];
        let system = ControlSystem::new(&sums_of(&cs), 400, &expected);
        let mut m = Moments::with_shift(ys[0]);
        let mut b = crate::engine::stats::BlockMoments::with_shift(ys[0]);
        ys.iter().for_each(|&y| b.push(y));
        m.absorb(&b);
        let cy: Vec<ExactSum> = (0..2)
            .map(|a| {
                let mut s = ExactSum::new();
                for (c, y) in cs.iter().zip(&ys) {
                    s.add(c[a] as f64 * (y - ys[0]));
                }
                s
            })
            .collect();
        let e = system.estimate(&m, &system.centred_cross(&m, &cy));
        assert!(
            (e.mean - (3.0 * 5.2 - 2.0 * 1.9 + 10.0)).abs() < 1e-9,
            "{}",
            e.mean
        );
        assert!(
            e.std_err < 1e-6 * m.std_err(),
            "{} {}",
            e.std_err,
            m.std_err()
        );
        // The plain mean differs (the sample means are not the expectations).
        assert!((m.mean() - e.mean).abs() > 0.5);
    }

    #[test]
    fn too_few_paths_fall_back_to_plain_estimates() {
        let cs: Vec<Vec<u64>> = (0..30u64).map(|i| vec![i % 7, (i * 3) % 5]).collect();
        let system = ControlSystem::new(&sums_of(&cs), 30, &[3.0, 2.0]);
        assert_eq!(
            system.fallback(),
            Some(Fallback::TooFewPaths {
                paths: 30,
                needed: 150
            })
        );
        assert_eq!(system.used(), 0);
        let mut m = Moments::with_shift(0.0);
        let mut b = crate::engine::stats::BlockMoments::with_shift(0.0);
        (0..30).for_each(|i| b.push(f64::from(i)));
        m.absorb(&b);
        let e = system.estimate(&m, &[0.0, 0.0]);
        assert_eq!((e.mean, e.std_err), (m.mean(), m.std_err()));
        assert_eq!(e.variance_reduction, None);
        let none = ControlSystem::new(&sums_of(&vec![vec![2, 0]; 100]), 100, &[2.0, 0.0]);
        assert_eq!(none.fallback(), Some(Fallback::NoControlVaries));
    }
}
