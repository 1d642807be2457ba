//! Retained levels: how many units a scrap or partner-release policy keeps.
//!
//! The `quantile` rule needs the distribution of units demanded in (t, T]: a compound Poisson
//! sum of order sizes, computed exactly by Panjer's recursion
//! `g(0) = e^(−μ)`, `g(n) = (μ/n) Σⱼ j·f(j)·g(n−j)` for severities on 1, 2, ….
//!
//! The recursion can run for seconds on a large remaining demand: the `_cancellable`
//! functions take a flag that stops it within a few milliseconds.

use crate::elementary;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::demand::DemandModel;

/// How the retained level R of a disposition is set (docs/model.md).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RetainRule {
    /// A fixed number of units (units).
    Units(u64),
    /// R = ceil(expected units demanded in (t, t + y]), y in years.
    CoverYears(f64),
    /// R = smallest k with P(units demanded in (t, T] ≤ k) ≥ q, q a probability in (0, 1).
    Quantile(f64),
    /// R of least mean total cost, found by the optimiser before the run
    /// (docs/optimizer.md).
    Optimal,
}

/// Why a retained level could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RetentionError {
    /// The remaining demand is too large for the exact recursion.
    #[error(
        "the remaining demand (about {expected_units:.3e} units) is too large for the exact \
         quantile; give the retained level as a number of units or with cover_years"
    )]
    TooLarge {
        /// Expected units of the remaining demand.
        expected_units: f64,
    },
    /// `retain = "optimal"` is resolved by the optimiser, not by a formula.
    #[error(
        "the optimal retained level is found by the optimiser (pimsim optimize), not computed from the demand"
    )]
    NeedsOptimiser,
    /// The recursions of all the reviews of a policy together would take too long.
    #[error(
        "computing the exact quantile at every review would take about {operations:.1e} \
         operations (the remaining demand is up to about {expected_units:.3e} units); at most \
         1e10 are allowed: review less often, or give the retained level as a number of units \
         or with cover_years"
    )]
    TooMuchWork {
        /// Multiply-adds of all recursions together.
        operations: f64,
        /// Expected units of the largest remaining demand.
        expected_units: f64,
    },
    /// The exact distribution, computed in double precision, never reaches the quantile (a
    /// quantile a few rounding errors below 1).
    #[error(
        "the quantile {quantile} is never reached: the exact distribution of the remaining \
         demand (about {expected_units:.3e} units), computed in double precision, reaches \
         P = {reached} at most; give a quantile of at most {reached}, or the retained level as \
         a number of units or with cover_years"
    )]
    NotReached {
        /// The quantile asked for.
        quantile: f64,
        /// The largest value the computed distribution function reaches.
        reached: f64,
        /// Expected units of the remaining demand.
        expected_units: f64,
    },
    /// The computation was cancelled (the flag of a `_cancellable` function was set).
    #[error("cancelled")]
    Cancelled,
}

/// Largest number of units the Panjer recursion is run to.
const MAX_UNITS: u64 = 20_000_000;

/// The retained level, in units, of `rule` for a disposition at `at` years with horizon
/// `horizon` years.
pub fn retained_level(
    rule: RetainRule,
    demand: &DemandModel,
    at: f64,
    horizon: f64,
) -> Result<u64, RetentionError> {
    retained_level_cancellable(rule, demand, at, horizon, &AtomicBool::new(false))
}

/// [`retained_level`], stopping with [`RetentionError::Cancelled`] within a few milliseconds
/// once `cancel` is set.
pub fn retained_level_cancellable(
    rule: RetainRule,
    demand: &DemandModel,
    at: f64,
    horizon: f64,
    cancel: &AtomicBool,
) -> Result<u64, RetentionError> {
    match rule {
        RetainRule::Units(r) => Ok(r),
        RetainRule::Optimal => Err(RetentionError::NeedsOptimiser),
        RetainRule::CoverYears(y) => {
            let expected = demand.expected_units(at, at + y);
            // A hair of tolerance so that an expectation of exactly 12 is not lifted to 13 by
            // rounding in the integral.
            Ok((expected * (1.0 - 1e-12)).ceil().max(0.0) as u64)
        }
        RetainRule::Quantile(q) => {
            let mu = demand.expected_orders(at, horizon);
            let severity = demand.order_size.truncated_pmf(1e-16, MAX_UNITS);
            let expected_units = mu * demand.order_size.mean();
            match quantile_search(mu, &severity, q, cancel) {
                Ok(k) => Ok(k),
                Err(Stop::Limit) => Err(RetentionError::TooLarge { expected_units }),
                Err(Stop::Saturated(reached)) => Err(RetentionError::NotReached {
                    quantile: q,
                    reached,
                    expected_units,
                }),
                Err(Stop::Cancelled) => Err(RetentionError::Cancelled),
            }
        }
    }
}

/// Checks, cheaply and before any recursion is run, that `rule` can be computed for a
/// disposition at `at` years with horizon `horizon` years; [`retained_level`] then succeeds.
pub fn check_computable(
    rule: RetainRule,
    demand: &DemandModel,
    at: f64,
    horizon: f64,
) -> Result<(), RetentionError> {
    match rule {
        RetainRule::Units(_) | RetainRule::CoverYears(_) | RetainRule::Optimal => Ok(()),
        RetainRule::Quantile(_) => {
            let mu = demand.expected_orders(at, horizon);
            let severity = demand.order_size.truncated_pmf(1e-16, MAX_UNITS);
            if within_limits(mu, &severity) {
                Ok(())
            } else {
                Err(RetentionError::TooLarge {
                    expected_units: mu * demand.order_size.mean(),
                })
            }
        }
    }
}

/// [`check_computable`] for every disposition time of one policy at once, with the order-size
/// distribution prepared once, and with a limit on the work of all recursions together (about
/// 10^10 multiply-adds, a few seconds), so that a quantile rule repeated at thousands of
/// reviews cannot make a run start only after hours.
pub fn check_computable_at(
    rule: RetainRule,
    demand: &DemandModel,
    times: impl IntoIterator<Item = f64>,
    horizon: f64,
) -> Result<(), RetentionError> {
    let RetainRule::Quantile(_) = rule else {
        return Ok(());
    };
    let severity = demand.order_size.truncated_pmf(1e-16, MAX_UNITS);
    let mut work = 0.0;
    let mut largest: f64 = 0.0;
    for at in times {
        let mu = demand.expected_orders(at, horizon);
        if !within_limits(mu, &severity) {
            return Err(RetentionError::TooLarge {
                expected_units: mu * demand.order_size.mean(),
            });
        }
        work += panjer_work(mu, &severity);
        largest = largest.max(mu * demand.order_size.mean());
    }
    if work > 1e10 {
        return Err(RetentionError::TooMuchWork {
            operations: work,
            expected_units: largest,
        });
    }
    Ok(())
}

/// The estimated multiply-adds of the quantile recursions of `rule` at every disposition time
/// in `times` (up to ten standard deviations above the mean of each); 0 for a rule that is not
/// a quantile. Cheap: no recursion is run.
pub fn quantile_work(
    rule: RetainRule,
    demand: &DemandModel,
    times: impl IntoIterator<Item = f64>,
    horizon: f64,
) -> f64 {
    let RetainRule::Quantile(_) = rule else {
        return 0.0;
    };
    let severity = demand.order_size.truncated_pmf(1e-16, MAX_UNITS);
    times
        .into_iter()
        .map(|at| panjer_work(demand.expected_orders(at, horizon), &severity))
        .sum()
}

/// Multiply-adds of Panjer's recursion up to ten standard deviations above the mean.
fn panjer_work(orders_mean: f64, severity: &[f64]) -> f64 {
    let (first, second) = moments(severity);
    let mu = orders_mean.max(0.0);
    let reach = mu * first + 10.0 * (mu * second).sqrt() + 1.0;
    let len = severity.len().max(1) as f64;
    // Step n costs min(n, len).
    if reach <= len {
        reach * reach / 2.0
    } else {
        reach * len
    }
}

/// First and second moments of sizes 1, 2, … with probabilities `severity`.
fn moments(severity: &[f64]) -> (f64, f64) {
    severity
        .iter()
        .enumerate()
        .fold((0.0, 0.0), |(m1, m2), (j, f)| {
            let x = (j + 1) as f64;
            (m1 + x * f, m2 + x * x * f)
        })
}

/// Whether Panjer's recursion for `orders_mean` expected orders of sizes `severity` stays
/// within its limits: the mean plus ten standard deviations of the sum is at most 20 million
/// units, and reaching it takes at most about 10^10 multiply-adds. Both keep a bad scenario
/// from running for minutes.
fn within_limits(orders_mean: f64, severity: &[f64]) -> bool {
    let mu = orders_mean.max(0.0);
    let (first, second) = moments(severity);
    let reach = mu * first + 10.0 * (mu * second).sqrt();
    reach <= MAX_UNITS as f64 && reach * severity.len() as f64 <= 1e10
}

/// The smallest k with P(S ≤ k) ≥ q, where S is a compound Poisson sum with `orders_mean`
/// expected orders and order sizes with `severity[j-1] = P(size = j)`. `None` when k would
/// exceed the recursion's limit of 20 million units, or when the distribution function,
/// computed in double precision, never reaches q (q a few rounding errors below 1).
pub fn compound_poisson_quantile(orders_mean: f64, severity: &[f64], q: f64) -> Option<u64> {
    quantile_search(orders_mean, severity, q, &AtomicBool::new(false)).ok()
}

/// Why [`quantile_search`] found no quantile.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Stop {
    /// Beyond the recursion's limits.
    Limit,
    /// The distribution function stopped growing at this value, below the quantile.
    Saturated(f64),
    /// `cancel` was set.
    Cancelled,
}

/// [`compound_poisson_quantile`] with the reason when there is none, cancellable.
fn quantile_search(
    orders_mean: f64,
    severity: &[f64],
    q: f64,
    cancel: &AtomicBool,
) -> Result<u64, Stop> {
    let mut found = None;
    let end = panjer(orders_mean, severity, true, cancel, |k, cdf| {
        if cdf >= q {
            found = Some(k);
            false
        } else {
            true
        }
    });
    match (found, end) {
        (Some(k), _) => Ok(k),
        (None, End::Saturated(cdf)) => Err(Stop::Saturated(cdf)),
        (None, End::Cancelled) => Err(Stop::Cancelled),
        (None, End::Visited | End::Limit) => Err(Stop::Limit),
    }
}

/// The probabilities P(S = 0), …, P(S = n_max) of a compound Poisson sum (see
/// [`compound_poisson_quantile`] for the arguments).
pub fn compound_poisson_pmf(orders_mean: f64, severity: &[f64], n_max: u64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut previous = 0.0;
    panjer(
        orders_mean,
        severity,
        false,
        &AtomicBool::new(false),
        |k, cdf| {
            out.push(cdf - previous);
            previous = cdf;
            k < n_max
        },
    );
    out
}

/// How [`panjer`] ended.
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    /// `visit` returned false.
    Visited,
    /// Past the limit of 20 million units, or [`within_limits`] said the sum is too large.
    Limit,
    /// The distribution function can no longer change (in double precision) and stays at
    /// this value.
    Saturated(f64),
    /// `cancel` was set.
    Cancelled,
}

/// Multiply-adds between two looks at the cancel flag (a few milliseconds).
const CANCEL_CHECK_WORK: usize = 1 << 22;

/// Runs Panjer's recursion, calling `visit(k, P(S ≤ k))` for k = 0, 1, … while it returns true,
/// and stops (without a call) past the limit of 20 million units or when [`within_limits`]
/// says the sum is too large; about every [`CANCEL_CHECK_WORK`] multiply-adds it looks at
/// `cancel`, and, with `stop_when_saturated`, whether P(S ≤ k) can still change at all.
///
/// Only the last `severity.len()` terms are needed by the recursion, so they are kept in a ring
/// buffer: memory is O(support of the order size) and each step costs O(support). Values are
/// kept with a running scale so that e^(−μ) never underflows.
///
/// Saturation: past n > 2·μ·m₁ (m₁ the mean order size) every new term is at most
/// r = μ·m₁/n < 1/2 times the largest of the last `len` terms, so all terms to come sum to at
/// most len·max·r/(1 − r). When that is below half a rounding unit of the running sum, no
/// term to come can change it, and neither can P(S ≤ k): a quantile above it is never reached.
fn panjer(
    orders_mean: f64,
    severity: &[f64],
    stop_when_saturated: bool,
    cancel: &AtomicBool,
    mut visit: impl FnMut(u64, f64) -> bool,
) -> End {
    if !within_limits(orders_mean, severity) {
        return End::Limit;
    }
    let mu = orders_mean.max(0.0);
    // window[m % len] = g̃(m) = g(m)·e^(−log_scale) for the last `len` values of m.
    let weights: Vec<f64> = severity
        .iter()
        .enumerate()
        .map(|(j, f)| mu * (j + 1) as f64 * f)
        .collect();
    let len = weights.len().max(1);
    let mean_units = mu * moments(severity).0;
    let mut window = vec![0.0_f64; len];
    window[0] = 1.0;
    let mut log_scale = -mu;
    let mut tilde_cdf: f64 = 1.0;
    let mut work_since_check = 0usize;
    let saturation_every = CANCEL_CHECK_WORK.max(8 * len);
    let mut work_since_saturation = 0usize;
    if !visit(
        0,
        elementary::exp(log_scale + elementary::ln(tilde_cdf)).min(1.0),
    ) {
        return End::Visited;
    }
    for n in 1..=MAX_UNITS as usize {
        let lo = n.saturating_sub(weights.len());
        let mut s = 0.0;
        for m in lo..n {
            // j = n − m
            s += weights[n - m - 1] * window[m % len];
        }
        let value = s / n as f64;
        window[n % len] = value;
        tilde_cdf += value;
        if tilde_cdf > 1e250 {
            let factor = 1e-250;
            for v in window.iter_mut() {
                *v *= factor;
            }
            tilde_cdf *= factor;
            log_scale += 250.0 * std::f64::consts::LN_10;
        }
        let cdf = elementary::exp(log_scale + elementary::ln(tilde_cdf)).min(1.0);
        if !visit(n as u64, cdf) {
            return End::Visited;
        }
        work_since_check += n - lo;
        if work_since_check >= CANCEL_CHECK_WORK {
            work_since_check = 0;
            if cancel.load(Ordering::Relaxed) {
                return End::Cancelled;
            }
        }
        work_since_saturation += n - lo;
        if stop_when_saturated
            && work_since_saturation >= saturation_every
            && n as f64 > 2.0 * mean_units
        {
            work_since_saturation = 0;
            let r = mean_units / n as f64;
            let largest = window.iter().fold(0.0_f64, |a, &b| a.max(b));
            let to_come = len as f64 * largest * r / (1.0 - r);
            if to_come < tilde_cdf * f64::EPSILON / 4.0 {
                return End::Saturated(cdf);
            }
        }
    }
    End::Limit
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // references may use the platform's functions
mod tests {
    use super::*;
    use statrs::function::gamma::ln_gamma;

    /// P(S = k) by brute force: Σₙ Pois(n; μ) · f^{*n}(k).
    fn brute_pmf(mu: f64, severity: &[f64], k_max: usize) -> Vec<f64> {
        let mut result = vec![0.0; k_max + 1];
        let mut conv = vec![0.0; k_max + 1];
        conv[0] = 1.0; // f^{*0}
        for n in 0..=k_max {
            let pois = (n as f64 * mu.ln() - mu - ln_gamma(n as f64 + 1.0)).exp();
            for k in 0..=k_max {
                result[k] += pois * conv[k];
            }
            let mut next = vec![0.0; k_max + 1];
            for (k, &c) in conv.iter().enumerate() {
                if c == 0.0 {
                    continue;
                }
                for (j, &f) in severity.iter().enumerate() {
                    if k + j < k_max {
                        next[k + j + 1] += c * f;
                    }
                }
            }
            conv = next;
        }
        result
    }

    #[test]
    fn panjer_matches_brute_force_convolution() {
        let severity = [0.5, 0.3, 0.0, 0.2];
        let mu = 7.3;
        let exact = compound_poisson_pmf(mu, &severity, 60);
        let brute = brute_pmf(mu, &severity, 60);
        for k in 0..=60 {
            assert!(
                (exact[k] - brute[k]).abs() < 1e-13,
                "k={k}: {} vs {}",
                exact[k],
                brute[k]
            );
        }
    }

    #[test]
    fn quantile_is_smallest_k_reaching_q() {
        let severity = [0.6, 0.25, 0.15];
        let mu = 12.0;
        let pmf = brute_pmf(mu, &severity, 200);
        for q in [0.5, 0.9, 0.95, 0.99] {
            let k = compound_poisson_quantile(mu, &severity, q).unwrap() as usize;
            let cdf: f64 = pmf[..=k].iter().sum();
            let below: f64 = pmf[..k].iter().sum();
            assert!(cdf >= q && below < q, "q={q} k={k} cdf={cdf} below={below}");
        }
    }

    #[test]
    fn large_means_do_not_underflow() {
        // μ = 2000 orders of one unit: Poisson(2000), median ≈ 2000.
        let k = compound_poisson_quantile(2000.0, &[1.0], 0.5).unwrap();
        assert!((1995..=2005).contains(&k), "{k}");
        let k95 = compound_poisson_quantile(2000.0, &[1.0], 0.95).unwrap();
        // Normal approximation: 2000 + 1.645·√2000 ≈ 2073.6.
        assert!((2070..=2078).contains(&k95), "{k95}");
    }

    #[test]
    fn a_million_expected_units_matches_the_poisson_quantile() {
        // Unit orders: S ~ Poisson(10^6); its 0.95 quantile is 10^6 + 1.6449·1000 plus the
        // Cornish–Fisher skew term (z² − 1)/6 ≈ 0.28, so 1_001_645.
        let k = compound_poisson_quantile(1e6, &[1.0], 0.95).unwrap();
        assert!((1_001_644..=1_001_646).contains(&k), "k = {k}");
    }

    #[test]
    fn beyond_the_limit_fails_at_once() {
        assert_eq!(compound_poisson_quantile(3e7, &[1.0], 0.5), None);
        assert_eq!(compound_poisson_quantile(1e300, &[0.5, 0.5], 0.5), None);
    }

    #[test]
    fn a_quantile_the_distribution_never_reaches_stops_where_it_saturates() {
        // P(S ≤ k) of Poisson(0.5), computed in double precision, stops at 1 − 2^-52.
        let q = 1.0 - f64::EPSILON / 2.0;
        let never = AtomicBool::new(false);
        assert_eq!(
            quantile_search(0.5, &[1.0], q, &never),
            Err(Stop::Saturated(1.0 - f64::EPSILON))
        );
        // A quantile it reaches is found as before, and the pmf is not cut short.
        assert_eq!(compound_poisson_quantile(0.5, &[1.0], 0.999), Some(4));
        assert_eq!(compound_poisson_pmf(0.5, &[1.0], 40).len(), 41);
    }

    #[test]
    fn a_set_flag_cancels_the_recursion() {
        let set = AtomicBool::new(true);
        // 10^7 unit orders: 10^7 steps, the flag is seen after the first few million.
        assert_eq!(
            quantile_search(1e7, &[1.0], 0.99, &set),
            Err(Stop::Cancelled)
        );
        assert!(quantile_search(1e5, &[1.0], 0.99, &AtomicBool::new(false)).is_ok());
    }

    #[test]
    fn zero_mean_gives_zero() {
        assert_eq!(compound_poisson_quantile(0.0, &[1.0], 0.99), Some(0));
    }
}
