//! Maximum-likelihood fit of the order-size distribution (units per order, ≥ 1).
//!
//! Candidates are the scenario's distributions (docs/model.md, "Demand"): `one`, `poisson`
//! (1 + Poisson(mean − 1)), `geometric` (on 1, 2, …) and `negative_binomial` (1 + NB2 with
//! `mean` and `dispersion` α). For each, the MLE of the mean is the sample mean (exactly, also
//! for the negative binomial, whose score in the mean vanishes there for every α); α is found
//! by a grid over ln α ∈ [ln 10⁻⁶, ln 10³] refined by golden section on the log-likelihood. The
//! distribution is chosen by AIC (k = 0 for `one`, 1 for `poisson` and `geometric`, 2 for
//! `negative_binomial`); ties go to the simpler one. A history whose orders are all single
//! units gives `one`.

use crate::elementary;
use serde::Serialize;

use crate::demand::OrderSize;

/// The fitted order-size distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderSizeFit {
    /// The chosen distribution, ready for `[demand.order_size]`.
    pub distribution: OrderSize,
    /// Standard error of the mean units per order under the chosen distribution
    /// (`sqrt(variance / orders)`), units.
    pub mean_se: f64,
    /// Orders the fit is based on.
    pub orders: usize,
    /// Every distribution that was fitted with its log-likelihood and AIC (−∞ and +∞ for one
    /// that cannot produce the data), in the order one, poisson, geometric, negative_binomial.
    pub candidates: Vec<(OrderSize, f64, f64)>,
}

fn log_likelihood(dist: &OrderSize, sizes: &[u64]) -> f64 {
    // Sizes repeat a lot: evaluate each distinct size once.
    let mut sorted = sizes.to_vec();
    sorted.sort_unstable();
    let mut total = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let k = sorted[i];
        let j = sorted[i..]
            .iter()
            .position(|&s| s != k)
            .map_or(sorted.len(), |p| i + p);
        total += (j - i) as f64 * elementary::ln(dist.probability(k));
        i = j;
    }
    total
}

/// Fits the order-size distribution to the sizes of the orders (units, each ≥ 1). With no
/// orders the result is `one` with a standard error of 0.
pub fn fit_order_size(sizes: &[u64]) -> OrderSizeFit {
    let n = sizes.len();
    if n == 0 || sizes.iter().all(|&s| s == 1) {
        return OrderSizeFit {
            distribution: OrderSize::One,
            mean_se: 0.0,
            orders: n,
            candidates: vec![(OrderSize::One, 0.0, 0.0)],
        };
    }
    // Summed in 128 bits: no history can overflow it.
    let mean = sizes.iter().map(|&s| u128::from(s)).sum::<u128>() as f64 / n as f64;
    let nb = |ln_alpha: f64| OrderSize::NegativeBinomial {
        mean,
        dispersion: elementary::exp(ln_alpha),
    };
    let grid: Vec<f64> = (0..=90)
        .map(|j| elementary::ln(1e-6f64) + elementary::ln(1e9f64) * j as f64 / 90.0)
        .collect();
    let (ln_alpha, _, at_end) =
        super::intensity::maximise(&grid, |u| log_likelihood(&nb(u), sizes));
    let mut candidates = Vec::new();
    for (dist, k, usable) in [
        (OrderSize::One, 0.0, false),
        (OrderSize::Poisson { mean }, 1.0, true),
        (OrderSize::Geometric { mean }, 1.0, true),
        (nb(ln_alpha), 2.0, !at_end),
    ] {
        let ll = if usable {
            log_likelihood(&dist, sizes)
        } else {
            f64::NEG_INFINITY
        };
        let aic = if ll.is_finite() {
            2.0 * k - 2.0 * ll
        } else {
            f64::INFINITY
        };
        candidates.push((dist, ll, aic));
    }
    let best = (1..candidates.len()).fold(1, |b, i| {
        if candidates[i].2 < candidates[b].2 {
            i
        } else {
            b
        }
    });
    let distribution = candidates[best].0.clone();
    OrderSizeFit {
        mean_se: (distribution.variance() / n as f64).sqrt(),
        distribution,
        orders: n,
        candidates,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_units_give_one() {
        let fit = fit_order_size(&[1, 1, 1, 1]);
        assert_eq!(fit.distribution, OrderSize::One);
        assert_eq!(fit.mean_se, 0.0);
    }

    #[test]
    fn overdispersed_sizes_give_a_negative_binomial() {
        // Many ones and a few large orders: variance far above the geometric's.
        let mut sizes = vec![1u64; 80];
        sizes.extend([2, 2, 3, 5, 8, 12, 20, 30, 45, 60].iter());
        let fit = fit_order_size(&sizes);
        assert!(
            matches!(fit.distribution, OrderSize::NegativeBinomial { .. }),
            "{:?}",
            fit.distribution
        );
        assert!((fit.distribution.mean() - sizes.iter().sum::<u64>() as f64 / 90.0).abs() < 1e-12);
    }
}
