//! Order-size distributions on 1, 2, … units.

use crate::elementary::{self, ln_gamma};
use crate::sampling::{Gamma, Poisson};
use rand::Rng;
use schemars::JsonSchema;
use serde::Serialize;

use crate::rng::{StreamRng, uniform_open};

/// The distribution of units asked for by one order (docs/model.md), always ≥ 1.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "distribution", rename_all = "snake_case")]
pub enum OrderSize {
    /// Every order asks for one unit.
    One,
    /// 1 + Poisson(mean − 1).
    Poisson {
        /// Mean units per order (≥ 1).
        mean: f64,
    },
    /// Geometric on 1, 2, …: P(k) = p(1 − p)^(k−1), p = 1 / mean.
    Geometric {
        /// Mean units per order (≥ 1).
        mean: f64,
    },
    /// 1 + negative binomial with mean `mean − 1` and variance `m + dispersion·m²`
    /// (m = mean − 1; the NB2 "alpha" parametrisation: larger is more dispersed).
    NegativeBinomial {
        /// Mean units per order (≥ 1).
        mean: f64,
        /// α > 0: variance of (size − 1) is m + α·m² (dimensionless).
        dispersion: f64,
    },
    /// Explicit probabilities for sizes 1, 2, ….
    Table {
        /// `pmf[k]` is the probability of size k + 1; sums to 1.
        pmf: Vec<f64>,
    },
}

impl OrderSize {
    /// Mean units per order.
    pub fn mean(&self) -> f64 {
        match self {
            OrderSize::One => 1.0,
            OrderSize::Poisson { mean }
            | OrderSize::Geometric { mean }
            | OrderSize::NegativeBinomial { mean, .. } => *mean,
            OrderSize::Table { pmf } => pmf
                .iter()
                .enumerate()
                .map(|(k, p)| (k + 1) as f64 * p)
                .sum(),
        }
    }

    /// Variance of units per order.
    pub fn variance(&self) -> f64 {
        match self {
            OrderSize::One => 0.0,
            OrderSize::Poisson { mean } => mean - 1.0,
            OrderSize::Geometric { mean } => mean * (mean - 1.0),
            OrderSize::NegativeBinomial { mean, dispersion } => {
                let m = mean - 1.0;
                m + dispersion * m * m
            }
            OrderSize::Table { pmf } => {
                let mean = self.mean();
                pmf.iter()
                    .enumerate()
                    .map(|(k, p)| elementary::powi((k + 1) as f64 - mean, 2) * p)
                    .sum()
            }
        }
    }

    /// P(size = k), k ≥ 1.
    pub fn probability(&self, k: u64) -> f64 {
        if k == 0 {
            return 0.0;
        }
        let j = (k - 1) as f64; // the part above the guaranteed first unit
        match self {
            OrderSize::One => f64::from(u8::from(k == 1)),
            OrderSize::Poisson { mean } => {
                let m = mean - 1.0;
                if m == 0.0 {
                    return f64::from(u8::from(k == 1));
                }
                elementary::exp(j * elementary::ln(m) - m - ln_gamma(j + 1.0))
            }
            OrderSize::Geometric { mean } => {
                let p = 1.0 / mean;
                if p >= 1.0 {
                    return f64::from(u8::from(k == 1));
                }
                p * elementary::exp(j * elementary::ln_1p(-p))
            }
            OrderSize::NegativeBinomial { mean, dispersion } => {
                let m = mean - 1.0;
                if m == 0.0 {
                    return f64::from(u8::from(k == 1));
                }
                let r = 1.0 / dispersion; // shape
                let p = r / (r + m); // success probability
                elementary::exp(
                    ln_gamma(j + r) - ln_gamma(r) - ln_gamma(j + 1.0)
                        + r * elementary::ln(p)
                        + j * elementary::ln_1p(-p),
                )
            }
            OrderSize::Table { pmf } => pmf.get((k - 1) as usize).copied().unwrap_or(0.0),
        }
    }

    /// The probabilities of sizes 1..=K, with K the smallest size beyond which less than
    /// `tail` probability remains (K ≤ `max_size`). Index 0 is size 1.
    ///
    /// The remaining probability `1 − Σ p` cannot be resolved below the accuracy of the
    /// computed probabilities (a few ulps of 1 from rounding, and about 10⁻¹⁴ relative from
    /// `ln_gamma` in the negative binomial): the running sum is compensated (Kahan) and `tail`
    /// is taken as at least 10⁻¹³, so that the sum cannot stay short of the threshold forever
    /// (it did, e.g. for 1 + Poisson(0.77) and some negative binomials, running to `max_size`
    /// terms and then failing the retained-level limits).
    pub fn truncated_pmf(&self, tail: f64, max_size: u64) -> Vec<f64> {
        let tail = tail.max(1e-13);
        let mut pmf = Vec::new();
        let (mut mass, mut carry) = (0.0f64, 0.0f64);
        for k in 1..=max_size {
            let p = self.probability(k);
            pmf.push(p);
            let y = p - carry;
            let t = mass + y;
            carry = (t - mass) - y;
            mass = t;
            if 1.0 - mass < tail {
                break;
            }
            if let OrderSize::Table { pmf: table } = self
                && k as usize >= table.len()
            {
                break;
            }
        }
        pmf
    }

    /// A sampler prepared for fast repeated draws.
    pub fn sampler(&self) -> OrderSizeSampler {
        match self {
            OrderSize::One => OrderSizeSampler::One,
            OrderSize::Poisson { mean } if *mean > 1.0 => {
                OrderSizeSampler::Poisson(Poisson::new(mean - 1.0).expect("validated mean > 1"))
            }
            OrderSize::Geometric { mean } if *mean > 1.0 => {
                let q = 1.0 - 1.0 / mean;
                // P(X ≤ k) = 1 − q^k as a fraction of 2^64, for k = 1, 2, … up to the table's
                // length or until the tail is negligible.
                let mut below = Vec::with_capacity(GEOMETRIC_TABLE);
                let mut tail = 1.0_f64;
                while below.len() < GEOMETRIC_TABLE {
                    tail *= q;
                    let cdf = 1.0 - tail;
                    if cdf >= 1.0 {
                        break;
                    }
                    below.push((cdf * TWO_POW_64) as u64);
                }
                OrderSizeSampler::Geometric {
                    ln_q: elementary::ln(q),
                    below,
                }
            }
            OrderSize::NegativeBinomial { mean, dispersion } if *mean > 1.0 => {
                let r = 1.0 / dispersion;
                let m = mean - 1.0;
                OrderSizeSampler::NegativeBinomial {
                    rate_mixing: Gamma::new(r, m / r).expect("validated shape and scale > 0"),
                }
            }
            OrderSize::Table { pmf } => {
                let mut cumulative = Vec::with_capacity(pmf.len());
                let mut c = 0.0;
                for p in pmf {
                    c += p;
                    cumulative.push(c);
                }
                OrderSizeSampler::Table { cumulative }
            }
            // mean == 1: every order is one unit.
            _ => OrderSizeSampler::One,
        }
    }
}

/// Entries of the geometric sampler's lookup table.
const GEOMETRIC_TABLE: usize = 16;
/// 2^64 as a float.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

/// Draws order sizes; see [`OrderSize::sampler`].
#[derive(Debug, Clone)]
pub enum OrderSizeSampler {
    /// Always 1.
    One,
    /// 1 + Poisson.
    Poisson(Poisson),
    /// Geometric: a table lookup on one 64-bit draw for the common sizes, and inversion (by
    /// the memoryless property, sizes beyond the table are the table's length plus a fresh
    /// geometric) for the rest.
    Geometric {
        /// ln(1 − 1/mean).
        ln_q: f64,
        /// `below[k−1]` = P(size ≤ k) · 2^64, for k = 1, 2, … (at most 16 entries).
        below: Vec<u64>,
    },
    /// 1 + Poisson(Gamma) mixture.
    NegativeBinomial {
        /// The Gamma distribution of the Poisson mean.
        rate_mixing: Gamma,
    },
    /// Inversion of the cumulative table.
    Table {
        /// Cumulative probabilities of sizes 1, 2, ….
        cumulative: Vec<f64>,
    },
}

impl OrderSizeSampler {
    /// One order size, ≥ 1 units.
    #[inline]
    pub fn sample(&self, rng: &mut StreamRng) -> u64 {
        match self {
            OrderSizeSampler::One => 1,
            OrderSizeSampler::Poisson(p) => 1 + p.sample(rng) as u64,
            OrderSizeSampler::Geometric { ln_q, below } => geometric(*ln_q, below, rng),
            OrderSizeSampler::NegativeBinomial { rate_mixing } => {
                let lambda = rate_mixing.sample(rng);
                if lambda <= 0.0 {
                    return 1;
                }
                match Poisson::new(lambda) {
                    Some(p) => 1 + p.sample(rng) as u64,
                    None => 1,
                }
            }
            OrderSizeSampler::Table { cumulative } => {
                let u = (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
                let total = cumulative.last().copied().unwrap_or(1.0);
                let u = u * total;
                cumulative
                    .iter()
                    .position(|&c| u < c)
                    .unwrap_or(cumulative.len() - 1) as u64
                    + 1
            }
        }
    }

    /// Fills `units` with order sizes, drawn one after another exactly as repeated
    /// [`OrderSizeSampler::sample`] calls would draw them. For the common distributions the
    /// choice of distribution is made once and the stream's state stays in registers.
    pub fn fill(&self, rng: &mut StreamRng, units: &mut [u64]) {
        match self {
            OrderSizeSampler::One => units.fill(1),
            OrderSizeSampler::Geometric { ln_q, below } => {
                let mut local = rng.clone();
                // The usual full table as an array: its length known, the search unrolls.
                if let Ok(full) = <&[u64; GEOMETRIC_TABLE]>::try_from(below.as_slice()) {
                    for u in units.iter_mut() {
                        *u = geometric(*ln_q, full, &mut local);
                    }
                } else {
                    for u in units.iter_mut() {
                        *u = geometric(*ln_q, below, &mut local);
                    }
                }
                *rng = local;
            }
            _ => {
                for u in units.iter_mut() {
                    *u = self.sample(rng);
                }
            }
        }
    }
}

/// One geometric order size: see [`OrderSizeSampler::Geometric`].
#[inline(always)]
fn geometric(ln_q: f64, below: &[u64], rng: &mut StreamRng) -> u64 {
    let x = rng.next_u64();
    match below.iter().position(|&b| x < b) {
        Some(k) => k as u64 + 1,
        None => {
            let u = uniform_open(rng);
            // ln u / ln q ≥ 0: truncation is the floor.
            below.len() as u64 + 1 + (elementary::ln(u) / ln_q).min(1e15) as u64
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // references may use the platform's functions
mod tests {
    use super::*;
    use crate::rng::{Stream, StreamFactory};

    fn all() -> Vec<OrderSize> {
        vec![
            OrderSize::One,
            OrderSize::Poisson { mean: 2.3 },
            OrderSize::Geometric { mean: 1.5 },
            OrderSize::NegativeBinomial {
                mean: 3.0,
                dispersion: 0.8,
            },
            OrderSize::Table {
                pmf: vec![0.5, 0.2, 0.0, 0.3],
            },
        ]
    }

    /// Distributions (fitted by `pimsim fit`) whose plain running sum stalled a few ulps
    /// short of 1, so that the truncation ran to `max_size` terms.
    #[test]
    fn truncation_stops_although_the_sum_cannot_reach_one_exactly() {
        for d in [
            OrderSize::Poisson { mean: 1.76991 },
            OrderSize::NegativeBinomial {
                mean: 4.72727,
                dispersion: 2.70999,
            },
            OrderSize::NegativeBinomial {
                mean: 3.68519,
                dispersion: 0.613972,
            },
            OrderSize::NegativeBinomial {
                mean: 1.78598,
                dispersion: 0.244703,
            },
            OrderSize::NegativeBinomial {
                mean: 5.66667,
                dispersion: 3.03531,
            },
        ] {
            let pmf = d.truncated_pmf(1e-16, 20_000_000);
            assert!(pmf.len() < 2_000, "{d:?}: {} terms", pmf.len());
            assert!((pmf.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{d:?}");
        }
    }

    #[test]
    fn pmf_sums_to_one_and_matches_mean_and_variance() {
        for d in all() {
            let pmf = d.truncated_pmf(1e-15, 10_000);
            let total: f64 = pmf.iter().sum();
            let mean: f64 = pmf
                .iter()
                .enumerate()
                .map(|(k, p)| (k + 1) as f64 * p)
                .sum();
            let var: f64 = pmf
                .iter()
                .enumerate()
                .map(|(k, p)| ((k + 1) as f64 - mean).powi(2) * p)
                .sum();
            assert!((total - 1.0).abs() < 1e-12, "{d:?}: {total}");
            assert!((mean - d.mean()).abs() < 1e-9, "{d:?}: {mean}");
            assert!((var - d.variance()).abs() < 1e-8, "{d:?}: {var}");
        }
    }

    /// `fill` draws exactly what repeated `sample` calls draw, for every distribution and for
    /// geometric tables of full and of short length.
    #[test]
    fn fill_is_repeated_sample() {
        let f = StreamFactory::new(12);
        let mut cases = all();
        cases.push(OrderSize::Geometric { mean: 1.000_001 });
        cases.push(OrderSize::Geometric { mean: 40.0 });
        for (i, d) in cases.into_iter().enumerate() {
            let s = d.sampler();
            let (mut a, mut b) = (
                f.open(i as u64, Stream::OrderSizes),
                f.open(i as u64, Stream::OrderSizes),
            );
            let mut filled = [0u64; 300];
            s.fill(&mut a, &mut filled[..100]);
            s.fill(&mut a, &mut filled[100..]);
            let sampled: Vec<u64> = (0..300).map(|_| s.sample(&mut b)).collect();
            assert_eq!(filled.to_vec(), sampled, "{d:?}");
            assert_eq!(
                a.next_u64(),
                b.next_u64(),
                "{d:?}: the stream moved on alike"
            );
        }
    }

    #[test]
    fn sample_mean_within_four_standard_errors() {
        let f = StreamFactory::new(11);
        for (i, d) in all().into_iter().enumerate() {
            let s = d.sampler();
            let mut rng = f.open(i as u64, Stream::OrderSizes);
            let n = 200_000;
            let mut sum = 0.0;
            for _ in 0..n {
                let k = s.sample(&mut rng);
                assert!(k >= 1);
                sum += k as f64;
            }
            let mean = sum / n as f64;
            let se = (d.variance() / n as f64).sqrt();
            assert!(
                (mean - d.mean()).abs() <= 4.0 * se + 1e-12,
                "{d:?}: {mean} vs {} (se {se})",
                d.mean()
            );
        }
    }
}
