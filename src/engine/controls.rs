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

/// Largest variance reduction an estimate claims: its standard error is never taken below
/// 1 % of the plain one. A relative can match a policy's cost on every simulated path and
/// still differ on rare paths that were not simulated (a stock left over on one path in ten
/// thousand): the fit cannot see those, its residual is zero, and an interval of width zero
/// would miss them. With the floor such an interval stays conservative.
pub const MAX_VARIANCE_REDUCTION: f64 = 1e4;

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
    /// Fewer paths than [`MIN_PATHS_PER_CONTROL`]·(k + 1) for the k controls that apply.
    TooFewPaths {
        /// Paths of the run.
        paths: u64,
        /// Paths the controls would need.
        needed: u64,
    },
    /// No control varies between paths (or the controls are all dependent).
    NoControlVaries,
}

impl Fallback {
    /// The reason in words, for summary.json.
    pub fn describe(&self) -> String {
        match self {
            Fallback::TooFewPaths { paths, needed } => format!(
                "plain estimates: {paths} paths are too few for the control variates (they \
                 need at least {needed})"
            ),
            Fallback::NoControlVaries => {
                "plain estimates: no control varies between paths".to_string()
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
    /// Plain variance ÷ residual variance after the controls, at most
    /// [`MAX_VARIANCE_REDUCTION`] (`None` when the controls were not used).
    pub variance_reduction: Option<f64>,
    /// Number of controls the estimate used (0 for the plain estimate).
    pub controls_used: usize,
    /// Why it is the plain estimate, when it is.
    pub fallback: Option<Fallback>,
}

/// The centred cross-products of a set of controls over a run's paths, and the distance of
/// their means from their exact expectations: what a [`ControlSystem`] is fitted from.
#[derive(Debug, Clone)]
pub(super) struct ControlMatrix {
    /// Paths.
    pub(super) n: u64,
    /// Number of controls.
    pub(super) dim: usize,
    /// S_ab = Σ(Cₐ − C̄ₐ)(C_b − C̄_b), row-major `dim` × `dim`.
    pub(super) centred: Vec<f64>,
    /// C̄ₐ − E\[Cₐ\] per control.
    pub(super) delta: Vec<f64>,
}

impl ControlMatrix {
    /// The matrix of the demand controls: integer sums `sums` over `n` paths with exact
    /// expectations `expected` (units per path, one per control). The centred products are
    /// exact in integers when they fit (n·ΣCₐC_b − ΣCₐ·ΣC_b), else in floating point.
    pub(super) fn of_demand(sums: &ControlSums, n: u64, expected: &[f64]) -> Self {
        let k = sums.count();
        let nf = n as f64;
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
        let mut matrix = Vec::with_capacity(k * k);
        for a in 0..k {
            for b in 0..k {
                matrix.push(centred(a, b));
            }
        }
        ControlMatrix {
            n,
            dim: k,
            centred: matrix,
            delta: (0..k)
                .map(|a| sums.sum[a] as f64 / nf.max(1.0) - expected[a])
                .collect(),
        }
    }

    /// S_ab.
    pub(super) fn at(&self, a: usize, b: usize) -> f64 {
        self.centred[a * self.dim + b]
    }
}

/// The controls' part of the regression of one estimate (a policy's mean cost, or a paired
/// difference): which controls are used, the Cholesky factor of their centred
/// cross-products, and the distance of their means from their exact expectations.
#[derive(Debug, Clone)]
pub struct ControlSystem {
    /// Paths.
    n: u64,
    /// Indices (into the matrix) of the controls used, in the order of the factor.
    kept: Vec<usize>,
    /// Lower-triangular L (kept × kept, row-major, row stride `stride`) with L·Lᵀ = S_CC of
    /// the kept controls.
    chol: Vec<f64>,
    /// Row stride of `chol`.
    stride: usize,
    /// L⁻¹(C̄ − μ) over the kept controls.
    q: Vec<f64>,
    /// Why the controls are not used, if they are not.
    fallback: Option<Fallback>,
}

/// Largest n·q² a control may add to the leverage, q its component of L⁻¹(C̄ − μ): under the
/// model n·q² is about χ²₁ (a squared z-score of the control's mean, given the ones before
/// it), so beyond 5² the paths do not represent the control's expectation — it is nearly
/// constant on them while its expectation owes much to rare paths (a stock of 51 and one of
/// 48 differ by 3 units on every path but those rare ones whose demand reaches 48), and a
/// fit on those paths would extrapolate far. Such a control is dropped.
const MAX_CONTROL_Z2: f64 = 25.0;

/// Relative size below which a Cholesky pivot counts as zero (the control is a linear
/// combination of those before it, or never varies).
const PIVOT_TOLERANCE: f64 = 1e-9;

impl ControlSystem {
    /// The system of the controls `order` of `matrix` (indices): those that vary, are not
    /// combinations of earlier ones and whose paths represent their expectations
    /// ([`MAX_CONTROL_Z2`]); the plain estimates when the paths are fewer than
    /// [`MIN_PATHS_PER_CONTROL`] per control used and one more.
    pub(super) fn new(matrix: &ControlMatrix, order: &[usize]) -> Self {
        let n = matrix.n;
        let stride = order.len().max(1);
        let mut kept: Vec<usize> = Vec::new();
        let mut chol: Vec<f64> = Vec::new();
        let mut q: Vec<f64> = Vec::new();
        let mut varying = false;
        // Cholesky row by row over the candidate controls, dropping those whose pivot
        // vanishes: L is grown one row at a time, so the rows stay those of the kept set.
        for &a in order {
            let diag = matrix.at(a, a);
            if diag <= 0.0 {
                continue;
            }
            varying = true;
            let m = kept.len();
            let mut row = vec![0.0; m + 1];
            for (r, &b) in kept.iter().enumerate() {
                let mut s = matrix.at(a, b);
                for t in 0..r {
                    s -= row[t] * chol[r * stride + t];
                }
                row[r] = s / chol[r * stride + r];
            }
            let pivot = diag - row[..m].iter().map(|x| x * x).sum::<f64>();
            if pivot <= PIVOT_TOLERANCE * diag {
                continue;
            }
            row[m] = pivot.sqrt();
            // This control's component of q = L⁻¹(C̄ − μ), by forward substitution.
            let qm = (matrix.delta[a] - row[..m].iter().zip(&q).map(|(l, x)| l * x).sum::<f64>())
                / row[m];
            if n as f64 * qm * qm > MAX_CONTROL_Z2 {
                continue;
            }
            q.push(qm);
            chol.resize((m + 1) * stride, 0.0);
            chol[m * stride..m * stride + m + 1].copy_from_slice(&row);
            kept.push(a);
        }
        let needed = MIN_PATHS_PER_CONTROL * (kept.len() as u64 + 1);
        let fallback = if !varying || kept.is_empty() {
            Some(Fallback::NoControlVaries)
        } else if n < needed {
            Some(Fallback::TooFewPaths { paths: n, needed })
        } else {
            None
        };
        ControlSystem {
            n,
            kept,
            chol,
            stride,
            q,
            fallback,
        }
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
            let row = &self.chol[r * self.stride..];
            let mut s = v[r];
            for t in 0..r {
                s -= row[t] * z[t];
            }
            z[r] = s / row[r];
        }
        z
    }

    /// The estimate of the mean of a value with moments `m` and centred cross-products `s_cy`
    /// with the matrix's controls (indexed as in the matrix: `centred_cross`; differences of
    /// those for a paired difference).
    pub fn estimate(&self, m: &Moments, s_cy: &[f64]) -> Estimate {
        let plain = Estimate {
            mean: m.mean(),
            std_err: m.std_err(),
            variance_reduction: None,
            controls_used: 0,
            fallback: self.fallback,
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
        let plain_variance = s_yy / (n - 1.0);
        let residual = (sse / dof).max(plain_variance / MAX_VARIANCE_REDUCTION);
        let leverage = 1.0 / n + self.q.iter().map(|x| x * x).sum::<f64>();
        Estimate {
            mean: m.mean() - shift,
            std_err: (residual * leverage).sqrt(),
            variance_reduction: Some(plain_variance / residual),
            controls_used: k,
            fallback: None,
        }
    }
}

/// The centred cross-products S_CₐY = ΣCₐ·(Y − shift) − ΣCₐ·Σ(Y − shift)/n over `n` paths of
/// a value with moments `m`, whose exact sums of Cₐ·(Y − shift) are `cy`, with controls whose
/// sums over the paths are `control_sums` (one per entry of `cy`).
pub(super) fn centred_cross(
    n: u64,
    control_sums: &[f64],
    m: &Moments,
    cy: &[ExactSum],
) -> Vec<f64> {
    let n = n.max(1) as f64;
    let total = m.shifted_sum();
    cy.iter()
        .zip(control_sums)
        .map(|(s, &c)| {
            let mut s = s.clone();
            s.add(-c * total / n);
            s.value()
        })
        .collect()
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
        let matrix = ControlMatrix::of_demand(&sums_of(&cs), 200, &[5.0, 4.0, 12.0, 8.0]);
        let system = ControlSystem::new(&matrix, &[0, 1, 2, 3]);
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
        let sums = sums_of(&cs);
        let system = ControlSystem::new(&ControlMatrix::of_demand(&sums, 400, &expected), &[0, 1]);
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
        let control_sums: Vec<f64> = sums.sum.iter().map(|&x| x as f64).collect();
        let e = system.estimate(&m, &centred_cross(400, &control_sums, &m, &cy));
        assert_eq!(e.controls_used, 2);
        assert!(
            (e.mean - (3.0 * 5.2 - 2.0 * 1.9 + 10.0)).abs() < 1e-9,
            "{}",
            e.mean
        );
        // The fit is exact, so the standard error is the floor: 1 % of the plain one (the
        // leverage term adds a little).
        assert_eq!(e.variance_reduction, Some(MAX_VARIANCE_REDUCTION));
        let floor = m.std_err() / MAX_VARIANCE_REDUCTION.sqrt();
        assert!(
            e.std_err >= floor && e.std_err < 1.1 * floor,
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
        let system = ControlSystem::new(
            &ControlMatrix::of_demand(&sums_of(&cs), 30, &[3.0, 2.0]),
            &[0, 1],
        );
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
        let none = ControlSystem::new(
            &ControlMatrix::of_demand(&sums_of(&vec![vec![2, 0]; 100]), 100, &[2.0, 0.0]),
            &[0, 1],
        );
        assert_eq!(none.fallback(), Some(Fallback::NoControlVaries));
    }

    #[test]
    fn a_control_whose_paths_miss_its_expectation_is_dropped() {
        // Control 1 is control 0 plus 3 on every path but one, and its expectation is 3.5
        // above control 0's (as if rare paths that were not simulated differed): given
        // control 0 its mean is about 10 standard errors from its expectation (n·q² ≈ 99),
        // so it is dropped; control 2 is kept.
        let cs: Vec<Vec<u64>> = (0..400u64)
            .map(|i| {
                let a = (i * 7) % 11;
                vec![a, a + 3 + u64::from(i == 17), (i * 3) % 5]
            })
            .collect();
        let sums = sums_of(&cs);
        let mean = |a: usize| sums.sum[a] as f64 / 400.0;
        let matrix = ControlMatrix::of_demand(&sums, 400, &[mean(0), mean(0) + 3.5, mean(2)]);
        let system = ControlSystem::new(&matrix, &[0, 1, 2]);
        assert_eq!(system.kept, vec![0, 2]);
        // With its expectation where its paths are, it stays.
        let matrix = ControlMatrix::of_demand(&sums, 400, &[mean(0), mean(1), mean(2)]);
        assert_eq!(ControlSystem::new(&matrix, &[0, 1, 2]).kept, vec![0, 1, 2]);
    }
}
