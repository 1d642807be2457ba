//! Random delays of the plan: re-manufacture lead times and partner response times drawn per
//! order (issue 18, uncertain lead times), in years, with the crate's fixed-bit samplers so
//! that a seed gives the same bytes on every machine.
//!
//! **Orders that cross.** With `crossing = true` (the default) every order draws its own delay
//! independently of the others and of demand, so a later order may arrive first; deliveries
//! are kept in time order whatever their source. That is the assumption of Palm's theorem:
//! under a base-stock (S − 1, S) rule with Poisson demand the units on order are Poisson with
//! mean λ·E[L] whatever the distribution of L. With `crossing = false` a delivery arrives no
//! earlier than the previous one from the same source (at max(t + L, previous arrival)): the
//! supplier works through its orders in turn, the realised delays are longer than the drawn
//! ones, and Palm's theorem no longer applies.

use crate::elementary;
use crate::rng::StreamRng;
use crate::sampling::{Gamma, standard_normal, uniform};
use crate::scenario::delay::{DelayDistribution, RandomDelay};

/// A delay distribution ready to draw from (years).
#[derive(Debug, Clone, PartialEq)]
pub struct DelaySampler {
    method: Method,
    /// Whether deliveries from the source may overtake each other.
    pub crossing: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Method {
    /// Always this (a mean of 0, or a gamma whose scale underflows).
    Fixed(f64),
    Gamma(Gamma),
    /// e^(μ + σZ).
    Lognormal {
        mu: f64,
        sigma: f64,
    },
    /// lo + width·U.
    Uniform {
        lo: f64,
        width: f64,
    },
    /// `values[i]` with probability w_i / Σw: the first i whose running sum of weights exceeds
    /// U·Σw (`cumulative` empty: equal weights).
    Empirical {
        values: Vec<f64>,
        cumulative: Vec<f64>,
    },
}

impl DelaySampler {
    /// The sampler of `delay`, whose parameters are in a unit of which there are
    /// `units_per_year` in a year (1 for years, 365.25 for days).
    pub fn new(delay: &RandomDelay, units_per_year: f64) -> DelaySampler {
        let method = match delay.distribution.divided(units_per_year) {
            // A mean of 0 (or one that underflows) is no delay at all.
            DelayDistribution::Gamma { mean, .. } | DelayDistribution::Lognormal { mean, .. }
                if mean == 0.0 =>
            {
                Method::Fixed(0.0)
            }
            DelayDistribution::Gamma { mean, cv } => {
                let shape = 1.0 / (cv * cv);
                match Gamma::new(shape, mean / shape) {
                    Some(g) => Method::Gamma(g),
                    None => Method::Fixed(mean),
                }
            }
            DelayDistribution::Lognormal { mean, cv } => {
                let variance = elementary::ln_1p(cv * cv);
                Method::Lognormal {
                    mu: elementary::ln(mean) - variance / 2.0,
                    sigma: variance.sqrt(),
                }
            }
            DelayDistribution::Uniform { lo, hi } => Method::Uniform { lo, width: hi - lo },
            DelayDistribution::Empirical { values, weights } => {
                let cumulative = match weights {
                    None => Vec::new(),
                    Some(w) => w
                        .iter()
                        .scan(0.0, |sum, w| {
                            *sum += w;
                            Some(*sum)
                        })
                        .collect(),
                };
                Method::Empirical { values, cumulative }
            }
        };
        DelaySampler {
            method,
            crossing: delay.crossing,
        }
    }

    /// One delay (years, ≥ 0 and finite).
    pub fn sample(&self, rng: &mut StreamRng) -> f64 {
        match &self.method {
            Method::Fixed(x) => *x,
            Method::Gamma(g) => g.sample(rng),
            Method::Lognormal { mu, sigma } => elementary::exp(mu + sigma * standard_normal(rng)),
            Method::Uniform { lo, width } => lo + width * uniform(rng),
            Method::Empirical { values, cumulative } => {
                let last = values.len() - 1;
                let i = if cumulative.is_empty() {
                    (uniform(rng) * values.len() as f64) as usize
                } else {
                    let u = uniform(rng) * cumulative[last];
                    cumulative.partition_point(|&c| c <= u)
                };
                values[i.min(last)]
            }
        }
    }

    /// The delay of an order placed at `t`: a fresh draw, and without crossing no less than
    /// needed to arrive at or after `previous` (the source's previous arrival, years), which is
    /// moved to this order's arrival.
    pub fn delay_at(&self, t: f64, previous: &mut f64, rng: &mut StreamRng) -> f64 {
        let mut delay = self.sample(rng);
        if !self.crossing {
            if t + delay < *previous {
                delay = *previous - t;
                // Rounding may leave t + delay an ulp before `previous`.
                while t + delay < *previous {
                    delay = delay.next_up();
                }
            }
            *previous = t + delay;
        }
        delay
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, StreamFactory};

    fn sampler(distribution: DelayDistribution, crossing: bool) -> DelaySampler {
        DelaySampler::new(
            &RandomDelay {
                distribution,
                crossing,
            },
            1.0,
        )
    }

    fn moments(s: &DelaySampler, n: usize) -> (f64, f64) {
        let mut rng = StreamFactory::new(3).open(0, Stream::RemanufactureLead);
        let draws: Vec<f64> = (0..n).map(|_| s.sample(&mut rng)).collect();
        assert!(draws.iter().all(|x| x.is_finite() && *x >= 0.0));
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        (mean, var.sqrt() / mean)
    }

    #[test]
    fn gamma_and_lognormal_have_their_mean_and_cv() {
        for d in [
            DelayDistribution::Gamma { mean: 0.5, cv: 0.4 },
            DelayDistribution::Lognormal { mean: 0.5, cv: 0.4 },
        ] {
            let (mean, cv) = moments(&sampler(d.clone(), true), 200_000);
            // SE of the mean: 0.5·0.4/√200000 ≈ 4.5e-4.
            assert!((mean - 0.5).abs() < 2.5e-3, "{d:?}: mean {mean}");
            assert!((cv - 0.4).abs() < 0.01, "{d:?}: cv {cv}");
        }
    }

    #[test]
    fn uniform_and_empirical_draw_their_values() {
        let (mean, _) = moments(
            &sampler(DelayDistribution::Uniform { lo: 1.0, hi: 3.0 }, true),
            100_000,
        );
        assert!((mean - 2.0).abs() < 0.01);
        let e = sampler(
            DelayDistribution::Empirical {
                values: vec![1.0, 2.0, 5.0],
                weights: Some(vec![0.0, 3.0, 1.0]),
            },
            true,
        );
        let mut rng = StreamFactory::new(4).open(1, Stream::PartnerResponse(0));
        let mut counts = [0usize; 3];
        for _ in 0..40_000 {
            let x = e.sample(&mut rng);
            counts[[1.0, 2.0, 5.0].iter().position(|v| *v == x).unwrap()] += 1;
        }
        // A zero weight is never drawn; the others in proportion 3 : 1 (SE ≈ 0.0022).
        assert_eq!(counts[0], 0);
        let share = counts[1] as f64 / 40_000.0;
        assert!((share - 0.75).abs() < 0.01, "{share}");
    }

    #[test]
    fn without_crossing_arrivals_keep_their_order() {
        let s = sampler(DelayDistribution::Uniform { lo: 0.0, hi: 2.0 }, false);
        let mut rng = StreamFactory::new(5).open(0, Stream::RemanufactureLead);
        let (mut previous, mut last) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        let mut pushed = 0;
        for k in 0..10_000 {
            let t = k as f64 * 0.1;
            let drawn = s.sample(&mut rng.clone());
            let d = s.delay_at(t, &mut previous, &mut rng);
            assert!(d >= drawn && t + d >= last && previous == t + d);
            pushed += usize::from(d > drawn);
            last = t + d;
        }
        // Orders every 0.1 years with delays up to 2: many are held back behind earlier ones.
        assert!(pushed > 1000, "{pushed}");
    }
}
