//! Maximum-likelihood fit of the order intensity λ(t) to monthly order counts.
//!
//! Orders are an inhomogeneous Poisson process observed in monthly bins: the count `nᵢ` of
//! month `i` (covering `[aᵢ, aᵢ + h)`, `aᵢ = i/12`, `h = 1/12` year) is Poisson with mean
//! `μᵢ = λ0 · wᵢ(θ)`, where `wᵢ(θ) = ∫ shape(t; θ) dt` over the month, computed exactly (no
//! midpoint rule). The models are
//!
//! - constant: shape 1, no θ;
//! - exponential: shape `e^(−βt)`, θ = β (per year), `wᵢ = e^(−βaᵢ)·(1 − e^(−βh))/β`;
//! - linear: shape `max(0, 1 − t/τ)`, θ = τ = `end_years`.
//!
//! **Profiling.** For fixed θ the rate has the closed form `λ0(θ) = N / W(θ)` (N orders in
//! all, `W = Σ wᵢ`), so the log-likelihood is maximised over θ alone, on the profile
//! `ℓp(θ) = Σ nᵢ ln wᵢ(θ) − N ln W(θ)` (+ terms free of θ). The 1-D search is a grid (to
//! bracket the maximum) followed by golden-section refinement: golden section needs no
//! derivatives and is safe on a bounded bracket. For the exponential the profile is concave in
//! β (it is `−β Σ nᵢaᵢ − N ln Σ e^(−βaᵢ)` plus a constant: a log-sum-exp), so the bracket holds
//! the one maximum; for the linear model it need not be concave in τ (W has kinks at month
//! ends), which is why a fine grid in `ln(τ − a_last)` comes first. β is searched on
//! `[−60, 60]` per year (unconstrained, so that its standard error is honest; a β̂ ≤ 0 is not a
//! decay and the model is then not admissible) and τ on `(a_last, 1000·T]` where `a_last` is
//! the start of the last month with an order (τ must exceed it) and T the observed years.
//!
//! **Standard errors** come from the observed information of the full likelihood in
//! (φ = ln λ0, θ) at the MLE, with analytic first and second derivatives of `wᵢ`:
//! `J = N·[[1, W′/W], [W′/W, W″/W − Σ nᵢ(wᵢ″/wᵢ − (wᵢ′/wᵢ)²)/N]]`; `SE(λ0) = λ0·SE(φ)`
//! (delta method), so `SE(λ0)/λ0` is the relative uncertainty of the rate level used as
//! `[demand.uncertainty] rate_cv`.
//!
//! How good these are was measured by simulation (tests/integration/fit.rs, 400 parts each):
//! the 95 % Wald intervals of β and λ0 of an exponential decay cover the truth at the nominal
//! rate. The end τ of a linear decay is estimated with a skew, so its interval is better taken
//! on the decline κ = 1/τ (SE(κ) = SE(τ)/τ²) and mapped back, as the outputs do; and when the
//! demand ends inside the history, τ is an endpoint of the support of the order times — a
//! non-regular problem in which the observed information overstates the precision (95 %
//! intervals were seen to cover about 91 %).
//!
//! **Model choice** by AIC (`2k − 2ℓ`, k = 1 for constant, 2 otherwise) among the admissible
//! fits; ties go to the simpler model (constant, then exponential, then linear).

use crate::elementary;
use crate::elementary::ln_gamma;
use serde::Serialize;

use super::history::MONTHS_PER_YEAR;

/// A decay model of the order intensity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecayModel {
    /// λ(t) = λ0.
    Constant,
    /// λ(t) = λ0·e^(−βt).
    Exponential,
    /// λ(t) = λ0·max(0, 1 − t/τ).
    Linear,
}

impl DecayModel {
    /// The scenario's `demand.model` name.
    pub fn as_str(self) -> &'static str {
        match self {
            DecayModel::Constant => "constant",
            DecayModel::Exponential => "exponential",
            DecayModel::Linear => "linear",
        }
    }
}

/// The maximum-likelihood fit of one decay model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateFit {
    /// The model.
    pub model: DecayModel,
    /// λ0, orders per year at t = 0.
    pub rate: f64,
    /// Standard error of λ0 (orders per year), from the observed information.
    pub rate_se: f64,
    /// θ: β (per year) for the exponential, τ (years) for the linear; `None` for the constant.
    pub shape: Option<f64>,
    /// Standard error of θ (same unit); `None` for the constant.
    pub shape_se: Option<f64>,
    /// Covariance of (ln λ0, θ) from the observed information (θ's unit); `None` for the
    /// constant. Needed for the uncertainty of the rate at a later time.
    pub log_rate_shape_cov: Option<f64>,
    /// Maximised log-likelihood of the monthly counts (with the `−ln nᵢ!` terms).
    pub log_likelihood: f64,
    /// Akaike information criterion, 2k − 2ℓ.
    pub aic: f64,
    /// Whether the fit is a usable scenario model: finite, inside the search range, a decay
    /// (β > 0) for the exponential, and a finite end for the linear.
    pub admissible: bool,
    /// Expected orders per month under the fit (same length as the counts).
    pub expected: Vec<f64>,
}

impl CandidateFit {
    /// Number of fitted parameters.
    pub fn parameters(&self) -> usize {
        if self.shape.is_some() { 2 } else { 1 }
    }
}

/// The fit of the order intensity: every candidate model and the chosen one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IntensityFit {
    /// The candidates, in the order constant, exponential, linear.
    pub candidates: Vec<CandidateFit>,
    /// Index of the chosen candidate (lowest AIC among the admissible ones).
    pub chosen: usize,
}

impl IntensityFit {
    /// The chosen fit.
    pub fn best(&self) -> &CandidateFit {
        &self.candidates[self.chosen]
    }

    /// The fit of `model`.
    pub fn candidate(&self, model: DecayModel) -> &CandidateFit {
        self.candidates
            .iter()
            .find(|c| c.model == model)
            .expect("every model is fitted")
    }
}

/// Month width, years.
const H: f64 = 1.0 / MONTHS_PER_YEAR;
/// Search range of β, per year.
const BETA_MAX: f64 = 60.0;
/// Grid points of the bracketing search.
const GRID: usize = 240;

/// `wᵢ(θ)` and its first two derivatives in θ for one month.
type Terms = (f64, f64, f64);

/// Exponential: `ln g(β)` derivatives for `g = (1 − e^(−βh))/β`, returning (g, (ln g)′, (ln g)″).
fn exp_g(beta: f64) -> (f64, f64, f64) {
    let x = beta * H;
    if x.abs() < 1e-4 {
        let g = H * (1.0 - x / 2.0 + x * x / 6.0 - x * x * x / 24.0);
        let d1 = H * (-0.5 + x / 12.0 - x * x * x / 720.0);
        let d2 = H * H * (1.0 / 12.0 - x * x / 240.0);
        (g, d1, d2)
    } else {
        let g = -elementary::exp_m1(-x) / beta;
        let em1 = elementary::exp_m1(x); // e^x − 1
        let d1 = H / em1 - 1.0 / beta;
        // d/dβ [h/(e^x − 1)] = −h²e^x/(e^x − 1)²
        let ex = em1 + 1.0;
        let d2 = if em1.is_finite() {
            -H * H * ex / (em1 * em1) + 1.0 / (beta * beta)
        } else {
            1.0 / (beta * beta)
        };
        (g, d1, d2)
    }
}

fn exponential_terms(beta: f64, months: usize) -> Vec<Terms> {
    let (g, d1, d2) = exp_g(beta);
    (0..months)
        .map(|i| {
            let a = i as f64 * H;
            let w = elementary::exp(-beta * a) * g;
            let l1 = d1 - a;
            (w, w * l1, w * (l1 * l1 + d2))
        })
        .collect()
}

fn linear_terms(tau: f64, months: usize) -> Vec<Terms> {
    (0..months)
        .map(|i| {
            let a = i as f64 * H;
            let b = a + H;
            if tau >= b {
                let s = b * b - a * a;
                (
                    H - s / (2.0 * tau),
                    s / (2.0 * tau * tau),
                    -s / (tau * tau * tau),
                )
            } else if tau > a {
                let d = tau - a;
                (
                    d * d / (2.0 * tau),
                    0.5 - a * a / (2.0 * tau * tau),
                    a * a / (tau * tau * tau),
                )
            } else {
                (0.0, 0.0, 0.0)
            }
        })
        .collect()
}

/// N, the total of the monthly counts, summed as floating point (no count can overflow it).
fn total_orders(counts: &[u64]) -> f64 {
    counts.iter().map(|&c| c as f64).sum()
}

/// The profile log-likelihood `Σ nᵢ ln wᵢ − N ln W` (−∞ if an order falls where w = 0).
fn profile(counts: &[u64], terms: &[Terms]) -> f64 {
    let n = total_orders(counts);
    let total: f64 = terms.iter().map(|t| t.0).sum();
    let mut s = 0.0;
    for (&c, t) in counts.iter().zip(terms) {
        if c > 0 {
            if t.0 <= 0.0 {
                return f64::NEG_INFINITY;
            }
            s += c as f64 * elementary::ln(t.0);
        }
    }
    s - n * elementary::ln(total)
}

/// Maximises `f` over `grid` (increasing) then refines by golden section between the best
/// point's neighbours. Returns (argmax, max, whether the maximum is at an end of the grid).
pub(super) fn maximise(grid: &[f64], f: impl Fn(f64) -> f64) -> (f64, f64, bool) {
    let values: Vec<f64> = grid.iter().map(|&x| f(x)).collect();
    let best = (0..grid.len())
        .max_by(|&i, &j| values[i].total_cmp(&values[j]))
        .expect("non-empty grid");
    let at_end = best == 0 || best + 1 == grid.len();
    let mut lo = grid[best.saturating_sub(1)];
    let mut hi = grid[(best + 1).min(grid.len() - 1)];
    let r = (5f64.sqrt() - 1.0) / 2.0;
    let mut x1 = hi - r * (hi - lo);
    let mut x2 = lo + r * (hi - lo);
    let (mut f1, mut f2) = (f(x1), f(x2));
    for _ in 0..200 {
        if (hi - lo).abs() <= 1e-12 * (1.0 + lo.abs().max(hi.abs())) {
            break;
        }
        if f1 >= f2 {
            hi = x2;
            x2 = x1;
            f2 = f1;
            x1 = hi - r * (hi - lo);
            f1 = f(x1);
        } else {
            lo = x1;
            x1 = x2;
            f1 = f2;
            x2 = lo + r * (hi - lo);
            f2 = f(x2);
        }
    }
    let (x, v) = if f1 >= f2 { (x1, f1) } else { (x2, f2) };
    if v >= values[best] {
        (x, v, at_end)
    } else {
        (grid[best], values[best], at_end)
    }
}

/// `−Σ ln nᵢ!`, the part of the Poisson log-likelihood free of parameters.
fn log_factorials(counts: &[u64]) -> f64 {
    counts
        .iter()
        .filter(|&&c| c > 1)
        .map(|&c| ln_gamma(c as f64 + 1.0))
        .sum()
}

/// Builds the candidate at shape parameter θ with month terms `terms`.
fn candidate(
    model: DecayModel,
    counts: &[u64],
    shape: Option<f64>,
    terms: &[Terms],
    in_range: bool,
) -> CandidateFit {
    let n = total_orders(counts);
    let (w, w1, w2) = terms
        .iter()
        .fold((0.0, 0.0, 0.0), |s, t| (s.0 + t.0, s.1 + t.1, s.2 + t.2));
    let rate = n / w;
    let mut log_likelihood = -log_factorials(counts) - n;
    for (&c, t) in counts.iter().zip(terms) {
        if c > 0 {
            log_likelihood += c as f64 * elementary::ln(rate * t.0);
        }
    }
    let expected: Vec<f64> = terms.iter().map(|t| rate * t.0).collect();
    let (rate_se, shape_se, log_rate_shape_cov) = match shape {
        None => (rate / n.sqrt(), None, None),
        Some(_) => {
            // Observed information in (φ = ln λ0, θ), divided by N.
            let j_pp = 1.0;
            let j_pt = w1 / w;
            let curvature: f64 = counts
                .iter()
                .zip(terms)
                .filter(|(c, t)| **c > 0 && t.0 > 0.0)
                .map(|(&c, t)| c as f64 * (t.2 / t.0 - elementary::powi(t.1 / t.0, 2)))
                .sum::<f64>()
                / n;
            let j_tt = w2 / w - curvature;
            let det = j_pp * j_tt - j_pt * j_pt;
            if det > 0.0 && det.is_finite() {
                let var_phi = j_tt / det / n;
                let var_theta = j_pp / det / n;
                let cov = -j_pt / det / n;
                (rate * var_phi.sqrt(), Some(var_theta.sqrt()), Some(cov))
            } else {
                (f64::NAN, Some(f64::NAN), Some(f64::NAN))
            }
        }
    };
    let k = if shape.is_some() { 2.0 } else { 1.0 };
    let admissible = in_range
        && rate.is_finite()
        && rate_se.is_finite()
        && shape_se.is_none_or(f64::is_finite)
        && match model {
            DecayModel::Exponential => shape.is_some_and(|b| b > 0.0),
            _ => true,
        };
    CandidateFit {
        model,
        rate,
        rate_se,
        shape,
        shape_se,
        log_rate_shape_cov,
        log_likelihood,
        aic: 2.0 * k - 2.0 * log_likelihood,
        admissible,
        expected,
    }
}

/// Fits the constant, exponential and linear models to monthly order counts (month `i`
/// covering `[i/12, (i+1)/12)` years) and chooses one by AIC. With no orders at all, every
/// model has rate 0 and the constant is chosen.
pub fn fit_intensity(counts: &[u64]) -> IntensityFit {
    let months = counts.len();
    let n = total_orders(counts);
    let constant_terms = vec![(H, 0.0, 0.0); months];
    if n == 0.0 || months == 0 {
        let zero = |model, shape: Option<f64>| CandidateFit {
            model,
            rate: 0.0,
            rate_se: 0.0,
            shape,
            shape_se: shape.map(|_| f64::NAN),
            log_rate_shape_cov: shape.map(|_| f64::NAN),
            log_likelihood: 0.0,
            aic: if shape.is_some() { 4.0 } else { 2.0 },
            admissible: shape.is_none(),
            expected: vec![0.0; months],
        };
        return IntensityFit {
            candidates: vec![
                zero(DecayModel::Constant, None),
                zero(DecayModel::Exponential, Some(0.0)),
                zero(DecayModel::Linear, Some(f64::INFINITY)),
            ],
            chosen: 0,
        };
    }
    let constant = candidate(DecayModel::Constant, counts, None, &constant_terms, true);

    // Exponential: β on a sinh-spaced grid (fine near 0, reaching ±BETA_MAX).
    let u_max = elementary::asinh(BETA_MAX);
    let grid: Vec<f64> = (0..=GRID)
        .map(|j| elementary::sinh(-u_max + 2.0 * u_max * j as f64 / GRID as f64))
        .collect();
    let (beta, _, at_end) = maximise(&grid, |b| profile(counts, &exponential_terms(b, months)));
    let exponential = candidate(
        DecayModel::Exponential,
        counts,
        Some(beta),
        &exponential_terms(beta, months),
        !at_end,
    );

    // Linear: τ > a_last, searched in u = ln(τ − a_last).
    let last = counts.iter().rposition(|&c| c > 0).expect("n > 0");
    let a_last = last as f64 * H;
    let span = months as f64 * H;
    let (u_lo, u_hi) = (elementary::ln(1e-6 * H), elementary::ln(1000.0 * span));
    let grid: Vec<f64> = (0..=GRID)
        .map(|j| u_lo + (u_hi - u_lo) * j as f64 / GRID as f64)
        .collect();
    let (u, _, at_end) = maximise(&grid, |u| {
        profile(counts, &linear_terms(a_last + elementary::exp(u), months))
    });
    let tau = a_last + elementary::exp(u);
    let linear = candidate(
        DecayModel::Linear,
        counts,
        Some(tau),
        &linear_terms(tau, months),
        !at_end,
    );

    let candidates = vec![constant, exponential, linear];
    let mut chosen = 0;
    for (i, c) in candidates.iter().enumerate().skip(1) {
        if c.admissible && c.aic < candidates[chosen].aic {
            chosen = i;
        }
    }
    IntensityFit { candidates, chosen }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // references may use the platform's functions
mod tests {
    use super::*;

    /// Numerical derivative check of the analytic month terms.
    #[test]
    fn month_terms_match_numerical_derivatives() {
        let eps = 1e-5;
        for beta in [-3.0, -1e-6, 0.0, 1e-5, 0.3, 7.0] {
            for i in [0usize, 5, 40] {
                let t = |b: f64| exponential_terms(b, i + 1)[i];
                let (w, w1, w2) = t(beta);
                let a = i as f64 * H;
                let exact = if beta == 0.0 {
                    H
                } else {
                    (-beta * a).exp() * -(-beta * H).exp_m1() / beta
                };
                assert!((w - exact).abs() <= 1e-12 * exact.max(1e-300), "{beta} {i}");
                let d1 = (t(beta + eps).0 - t(beta - eps).0) / (2.0 * eps);
                let d2 = (t(beta + eps).1 - t(beta - eps).1) / (2.0 * eps);
                assert!(
                    (w1 - d1).abs() <= 1e-6 * (1.0 + d1.abs()),
                    "{beta} {i}: {w1} {d1}"
                );
                assert!(
                    (w2 - d2).abs() <= 1e-6 * (1.0 + d2.abs()),
                    "{beta} {i}: {w2} {d2}"
                );
            }
        }
        for tau in [0.5, 1.04, 3.0] {
            for i in [0usize, 12, 30] {
                let t = |x: f64| linear_terms(x, i + 1)[i];
                let (w, w1, _) = t(tau);
                let (a, b) = (i as f64 * H, (i + 1) as f64 * H);
                let (a2, b2) = (a.min(tau), b.min(tau));
                let exact = (b2 - a2) - (b2 * b2 - a2 * a2) / (2.0 * tau);
                assert!((w - exact).abs() < 1e-14, "{tau} {i}");
                let d1 = (t(tau + eps).0 - t(tau - eps).0) / (2.0 * eps);
                assert!((w1 - d1).abs() <= 1e-6, "{tau} {i}: {w1} {d1}");
            }
        }
    }

    #[test]
    fn constant_counts_give_the_closed_form_rate() {
        let counts = vec![2u64; 24];
        let fit = fit_intensity(&counts);
        let c = fit.candidate(DecayModel::Constant);
        assert!((c.rate - 24.0).abs() < 1e-12);
        assert!((c.rate_se - 24.0 / 48f64.sqrt()).abs() < 1e-12);
        assert_eq!(fit.best().model, DecayModel::Constant);
        // The exponential's β̂ is 0 for flat counts: not a decay.
        assert!(fit.candidate(DecayModel::Exponential).shape.unwrap().abs() < 1e-6);
    }

    #[test]
    fn exponential_score_is_zero_at_the_mle() {
        let counts: Vec<u64> = (0..60)
            .map(|i| (20.0 * (-0.05 * i as f64).exp()).round() as u64)
            .collect();
        let fit = fit_intensity(&counts);
        let e = fit.candidate(DecayModel::Exponential);
        let beta = e.shape.unwrap();
        let f = |b: f64| profile(&counts, &exponential_terms(b, counts.len()));
        let slope = (f(beta + 1e-5) - f(beta - 1e-5)) / 2e-5;
        assert!(slope.abs() < 1e-3, "{slope}");
        assert!((beta - 0.6).abs() < 0.05, "{beta}");
        assert_eq!(fit.best().model, DecayModel::Exponential);
        // Σ expected = Σ observed at the MLE of λ0.
        let total: f64 = e.expected.iter().sum();
        assert!((total - counts.iter().sum::<u64>() as f64).abs() < 1e-9);
    }
}
