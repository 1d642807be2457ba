//! Streaming statistics whose merge is exact, so that results do not depend on how paths were
//! split between threads or shards.
//!
//! - [`ExactSum`]: the exact sum of floating-point numbers (Shewchuk's non-overlapping partials,
//!   as in Python's `math.fsum`), rounded once, correctly, at the end. Merging in any order gives
//!   the same bits.
//! - [`Moments`]: mean and variance from per-block Welford moments combined with exact sums.
//! - [`PathSample`]: the values of the first [`PathSample::CAPACITY`] paths, by path index, for
//!   quantiles and CVaR: exact order statistics for runs up to that many paths, and a fixed
//!   random subsample (paths are independent) with bounded memory beyond it.
//! - [`CountSketch`]: counts of whole numbers (units on hand, units demanded in a year): exact
//!   below 1024, log-spaced buckets with relative error ≤ 0.5 % above.

use crate::elementary;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A count that would not fit in its integer: the totals being merged cannot be those of one
/// run (pimsim's own runs are sized so that this cannot happen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a count does not fit in 64 bits")]
pub struct Overflow;

/// `a += b`, or [`Overflow`].
pub fn add_checked(a: &mut u64, b: u64) -> Result<(), Overflow> {
    *a = a.checked_add(b).ok_or(Overflow)?;
    Ok(())
}

/// The exact sum of the `f64`s added to it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExactSum {
    /// Non-overlapping partials in increasing magnitude; their exact sum is the sum.
    partials: Vec<f64>,
}

impl ExactSum {
    /// An empty sum.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `x` exactly.
    pub fn add(&mut self, mut x: f64) {
        let mut i = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[i] = lo;
                i += 1;
            }
            x = hi;
        }
        self.partials.truncate(i);
        self.partials.push(x);
    }

    /// Adds another exact sum.
    pub fn merge(&mut self, other: &ExactSum) {
        for &p in &other.partials {
            self.add(p);
        }
    }

    /// The sum, correctly rounded to the nearest `f64`.
    pub fn value(&self) -> f64 {
        let p = &self.partials;
        let mut n = p.len();
        if n == 0 {
            return 0.0;
        }
        n -= 1;
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            let yr = hi - x;
            lo = y - yr;
            if lo != 0.0 {
                break;
            }
        }
        // Round half to even across the remaining partials.
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            let yr = x - hi;
            if y == yr {
                hi = x;
            }
        }
        hi
    }
}

/// Welford moments of one block of paths, in path order, of values minus a shift.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct BlockMoments {
    shift: f64,
    n: u64,
    mean: f64,
    m2: f64,
}

impl BlockMoments {
    /// Empty moments of values minus `shift` (use the shift of the [`Moments`] it goes into).
    pub fn with_shift(shift: f64) -> Self {
        BlockMoments {
            shift,
            ..Self::default()
        }
    }

    /// Adds one value.
    #[inline]
    pub fn push(&mut self, x: f64) {
        let x = x - self.shift;
        self.n += 1;
        let delta = x - self.mean;
        // `n as i64 as f64`: one instruction, where the unsigned conversion takes about seven;
        // exact and the same for any count below 2⁶³.
        self.mean += delta / crate::inventory::count_f64(self.n);
        self.m2 += delta * (x - self.mean);
    }
}

/// Mean and variance over many blocks, merged exactly.
///
/// Values are accumulated minus a fixed shift (a typical value, the same for every worker and
/// shard) so that the between-block part of the variance does not cancel catastrophically when
/// the mean is large against the spread.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Moments {
    shift: f64,
    n: u64,
    /// Σ n_b·mean_b of the shifted values.
    sum: ExactSum,
    /// Σ M2_b, the within-block squared deviations.
    within: ExactSum,
    /// Σ n_b·mean_b², for the between-block part.
    between: ExactSum,
}

impl Moments {
    /// Empty moments of values minus `shift`.
    pub fn with_shift(shift: f64) -> Self {
        Moments {
            shift,
            ..Self::default()
        }
    }

    /// Adds a finished block (made with the same shift).
    pub fn absorb(&mut self, b: &BlockMoments) {
        debug_assert_eq!(b.shift.to_bits(), self.shift.to_bits());
        if b.n == 0 {
            return;
        }
        let n = b.n as f64;
        self.n += b.n;
        self.sum.add(n * b.mean);
        self.within.add(b.m2);
        self.between.add(n * b.mean * b.mean);
    }

    /// Adds another set of moments (with the same shift).
    pub fn merge(&mut self, other: &Moments) -> Result<(), Overflow> {
        debug_assert_eq!(other.shift.to_bits(), self.shift.to_bits());
        add_checked(&mut self.n, other.n)?;
        self.sum.merge(&other.sum);
        self.within.merge(&other.within);
        self.between.merge(&other.between);
        Ok(())
    }

    /// The shift subtracted from every value.
    pub fn shift(&self) -> f64 {
        self.shift
    }

    /// Number of values.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// The mean (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.shift + self.sum.value() / self.n as f64
        }
    }

    /// The sample variance (0 with fewer than two values).
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            return 0.0;
        }
        self.squared_deviations() / (self.n - 1) as f64
    }

    /// Σ (value − shift), the sum of the shifted values.
    pub fn shifted_sum(&self) -> f64 {
        self.sum.value()
    }

    /// Σ (value − mean)², the squared deviations about the mean (≥ 0; 0 when empty).
    pub fn squared_deviations(&self) -> f64 {
        if self.n == 0 {
            return 0.0;
        }
        let total = self.sum.value();
        let mut ss = self.within.clone();
        ss.merge(&self.between);
        ss.add(-total * total / self.n as f64);
        ss.value().max(0.0)
    }

    /// Standard error of the mean.
    pub fn std_err(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            (self.variance() / self.n as f64).sqrt()
        }
    }
}

/// Values of the paths with index below [`PathSample::CAPACITY`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PathSample {
    values: Vec<(u64, f64)>,
}

impl PathSample {
    /// Paths kept: quantiles are exact order statistics up to this many paths.
    pub const CAPACITY: u64 = 1 << 18;

    /// Records the value of path `path` (ignored beyond the capacity).
    #[inline]
    pub fn push(&mut self, path: u64, value: f64) {
        if path < Self::CAPACITY {
            self.values.push((path, value));
        }
    }

    /// Adds another sample (of other paths). An empty sample takes the other's storage
    /// instead of copying it (the identity of a reduction, the first shard of a merge).
    pub fn merge(&mut self, other: PathSample) {
        if self.values.is_empty() {
            self.values = other.values;
        } else {
            self.values.extend_from_slice(&other.values);
        }
    }

    /// The path indices kept, in the order they were recorded.
    pub fn paths(&self) -> impl Iterator<Item = u64> + '_ {
        self.values.iter().map(|&(path, _)| path)
    }

    /// Number of values kept.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no value is kept.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The values in path order (each path's value at the position of its rank among the
    /// paths kept): two samples of the same run line up path by path.
    pub fn by_path(&self) -> Vec<f64> {
        let n = self.values.len();
        // Each path is kept at most once, so when every index is below the count the paths
        // are exactly 0..n (a whole run's total cost): each value goes to its index, without
        // a sorted copy of the (path, value) pairs.
        if self.values.iter().all(|&(path, _)| path < n as u64) {
            let mut v = vec![0.0; n];
            for &(path, x) in &self.values {
                v[path as usize] = x;
            }
            return v;
        }
        let mut v = self.values.clone();
        v.sort_unstable_by_key(|&(path, _)| path);
        v.into_iter().map(|(_, x)| x).collect()
    }

    /// (value of this sample − value of `other`) for each path, in path order: the same as
    /// subtracting the two [`PathSample::by_path`] vectors, without making the second one when
    /// both samples hold exactly the paths 0..n.
    pub fn difference_by_path(&self, other: &PathSample) -> Vec<f64> {
        let n = self.values.len();
        let dense = |s: &PathSample| {
            s.values.len() == n && s.values.iter().all(|&(path, _)| path < n as u64)
        };
        if dense(self) && dense(other) {
            let mut d = vec![0.0; n];
            for &(path, x) in &self.values {
                d[path as usize] = x;
            }
            for &(path, y) in &other.values {
                d[path as usize] -= y;
            }
            return d;
        }
        self.by_path()
            .iter()
            .zip(&other.by_path())
            .map(|(a, b)| a - b)
            .collect()
    }

    /// The values sorted ascending. Values that compare equal under `total_cmp` have the same
    /// bits, so the order of the values is unique without a tie-break by path index.
    pub fn sorted(&self) -> Vec<f64> {
        let mut v: Vec<f64> = self.values.iter().map(|&(_, x)| x).collect();
        v.sort_unstable_by(f64::total_cmp);
        v
    }
}

/// The `p`-quantile of sorted values with linear interpolation between order statistics
/// (Hyndman–Fan type 7, NumPy's default). `None` when empty.
pub fn quantile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let h = (sorted.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// Mean of the largest `ceil((1 − level)·n)` of sorted values (conditional value at risk).
pub fn upper_tail_mean(sorted: &[f64], level: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    // The tolerance keeps 0.05·100 (= 5.000000000000004 in binary) at 5.
    let k = (((1.0 - level) * sorted.len() as f64 - 1e-9).ceil() as usize).clamp(1, sorted.len());
    let tail = &sorted[sorted.len() - k..];
    let mut s = ExactSum::new();
    for &x in tail {
        s.add(x);
    }
    Some(s.value() / k as f64)
}

/// Counts of non-negative whole numbers with bounded memory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CountSketch {
    dense: Vec<u64>,
    sparse: BTreeMap<i32, u64>,
    total: u64,
}

impl CountSketch {
    /// Values below this are counted exactly.
    pub const EXACT_BELOW: u64 = 1024;
    /// Relative half-width of the log-spaced buckets above.
    pub const RELATIVE_ERROR: f64 = 0.005;

    fn bucket(value: u64) -> i32 {
        let gamma = (1.0 + Self::RELATIVE_ERROR) / (1.0 - Self::RELATIVE_ERROR);
        (elementary::ln(value as f64 / Self::EXACT_BELOW as f64) / elementary::ln(gamma)).floor()
            as i32
    }

    fn bucket_value(bucket: i32) -> f64 {
        let gamma = (1.0 + Self::RELATIVE_ERROR) / (1.0 - Self::RELATIVE_ERROR);
        // The point whose relative distance to both bucket ends is RELATIVE_ERROR.
        Self::EXACT_BELOW as f64 * elementary::powi(gamma, bucket) * 2.0 * gamma / (gamma + 1.0)
    }

    /// Counts one value.
    #[inline]
    pub fn push(&mut self, value: u64) {
        self.push_many(value, 1);
    }

    /// Counts `times` occurrences of `value`.
    #[inline]
    pub fn push_many(&mut self, value: u64, times: u64) {
        self.total += times;
        if let Some(count) = self.dense.get_mut(value as usize) {
            // Below the dense length, so below EXACT_BELOW.
            *count += times;
        } else if value < Self::EXACT_BELOW {
            let v = value as usize;
            if self.dense.len() <= v {
                self.dense.resize(v + 1, 0);
            }
            self.dense[v] += times;
        } else {
            *self.sparse.entry(Self::bucket(value)).or_insert(0) += times;
        }
    }

    /// Adds another sketch.
    pub fn merge(&mut self, other: &CountSketch) -> Result<(), Overflow> {
        if self.dense.len() < other.dense.len() {
            self.dense.resize(other.dense.len(), 0);
        }
        for (a, b) in self.dense.iter_mut().zip(&other.dense) {
            add_checked(a, *b)?;
        }
        for (k, c) in &other.sparse {
            add_checked(self.sparse.entry(*k).or_insert(0), *c)?;
        }
        add_checked(&mut self.total, other.total)
    }

    /// Whether the sketch is one that [`CountSketch::push_many`] could have made: exact
    /// counts only below [`CountSketch::EXACT_BELOW`], and counts that add up to the total.
    pub fn is_consistent(&self) -> bool {
        let mut sum: u64 = 0;
        let counts_fit = self
            .dense
            .iter()
            .chain(self.sparse.values())
            .all(|&c| add_checked(&mut sum, c).is_ok());
        counts_fit && sum == self.total && self.dense.len() as u64 <= Self::EXACT_BELOW
    }

    /// Values counted.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// The lower `p`-quantile: the smallest value v with at least a share p of values ≤ v
    /// (exact below 1024, within 0.5 % above). `None` when empty.
    pub fn quantile(&self, p: f64) -> Option<f64> {
        if self.total == 0 {
            return None;
        }
        let rank = ((p.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (v, c) in self.dense.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(v as f64);
            }
        }
        for (b, c) in &self.sparse {
            seen += c;
            if seen >= rank {
                return Some(Self::bucket_value(*b).round());
            }
        }
        None
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // references may use the platform's functions
mod tests {
    use super::*;

    #[test]
    fn exact_sum_is_order_independent_and_exact() {
        let values = [1e16, 1.0, -1e16, 3.5, 1e-8, 2.0e300, -2.0e300, 0.1, 0.2];
        let mut forward = ExactSum::new();
        values.iter().for_each(|&v| forward.add(v));
        let mut backward = ExactSum::new();
        values.iter().rev().for_each(|&v| backward.add(v));
        assert_eq!(forward.value(), backward.value());
        assert_eq!(forward.value(), 1.0 + 3.5 + 1e-8 + 0.1 + 0.2);
        // Split into two partial sums and merged: the same bits.
        let mut a = ExactSum::new();
        let mut b = ExactSum::new();
        values[..4].iter().for_each(|&v| a.add(v));
        values[4..].iter().for_each(|&v| b.add(v));
        b.merge(&a);
        assert_eq!(b.value().to_bits(), forward.value().to_bits());
    }

    #[test]
    fn moments_match_two_pass_formulas() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| 1e6 + ((i * 37) % 101) as f64 * 0.25)
            .collect();
        let mut m = Moments::with_shift(xs[0]);
        for chunk in xs.chunks(64) {
            let mut b = BlockMoments::with_shift(xs[0]);
            chunk.iter().for_each(|&x| b.push(x));
            m.absorb(&b);
        }
        let mean = xs.iter().sum::<f64>() / xs.len() as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (xs.len() - 1) as f64;
        assert!((m.mean() - mean).abs() < 1e-9);
        assert!(
            (m.variance() - var).abs() < 1e-10 * var,
            "{} vs {var}",
            m.variance()
        );
    }

    #[test]
    fn quantiles_and_tail_mean() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), Some(50.5));
        assert_eq!(quantile(&v, 0.0), Some(1.0));
        assert_eq!(quantile(&v, 1.0), Some(100.0));
        assert_eq!(upper_tail_mean(&v, 0.95), Some(98.0));
    }

    #[test]
    fn count_sketch_is_exact_for_small_values_and_close_for_large() {
        let mut s = CountSketch::default();
        for v in 0..1000u64 {
            s.push(v);
        }
        assert_eq!(s.quantile(0.5), Some(499.0));
        let mut big = CountSketch::default();
        for v in 10_000..20_000u64 {
            big.push(v);
        }
        let median = big.quantile(0.5).unwrap();
        assert!((median - 15_000.0).abs() <= 0.0101 * 15_000.0, "{median}");
    }
}
