//! Fitting demand models to a demand history (`pimsim fit`).
//!
//! A history CSV ([`history`]: `part, period, quantity[, eop]`, one row per ERP order line) is
//! binned per part into monthly order counts and units from the part's time origin t = 0 (its
//! end of production, or the first month of the file). For each part [`fit_part`] returns a
//! [`PartFit`]:
//!
//! - the order intensity λ(t) (orders per year) by maximum likelihood on the monthly counts of
//!   an inhomogeneous Poisson process, for the constant, exponential and linear models, chosen
//!   by AIC, with standard errors from the observed information ([`intensity`]);
//! - the order-size distribution by maximum likelihood, chosen by AIC ([`order_size`]);
//! - the Syntetos–Boylan class of the monthly demand ([`classify()`]);
//! - goodness of fit of the chosen intensity ([`GoodnessOfFit`]: a chi-square test of monthly
//!   counts grouped to expected ≥ 5, and the largest gap between observed and expected
//!   cumulative orders);
//! - likelihood-ratio tests of a decay against a constant rate ([`DecayTests`]);
//! - the relative standard error of the rate level, `SE(λ0)/λ0`, as the `rate_cv` of
//!   `[demand.uncertainty]`.
//!
//! [`PartFit::demand_model`] turns a fit into the scenario's [`DemandModel`]; the output files
//! are written by [`crate::output::fit`], named by [`crate::part_id`]. Nothing here prints.

pub mod classify;
pub mod history;
pub mod intensity;
pub mod order_size;
pub mod tail;

pub use classify::{Classification, DemandClass, classify};
pub use history::{History, PartHistory, parse_history, read_history};
pub use intensity::{CandidateFit, DecayModel, IntensityFit, fit_intensity};
pub use order_size::{OrderSizeFit, fit_order_size};

use crate::elementary;
use serde::Serialize;

use crate::demand::{DemandModel, Intensity};

/// Goodness of fit of the chosen intensity to the monthly order counts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct GoodnessOfFit {
    /// Pearson's chi-square statistic Σ (O − E)²/E over groups of consecutive months, each
    /// with at least 5 expected orders (a short remainder joins the last group).
    pub chi_square: f64,
    /// Degrees of freedom: groups − fitted parameters (the rate is fitted so that the totals
    /// agree); 0 when there are too few groups for a test.
    pub degrees_of_freedom: usize,
    /// P(χ² ≥ statistic); NaN when `degrees_of_freedom` is 0.
    pub p_value: f64,
    /// Largest |observed − expected| cumulative orders at a month end, divided by the total
    /// orders (a Kolmogorov-type distance; no p-value, the parameters are estimated).
    pub max_cumulative_gap: f64,
}

/// Chi-square and cumulative-gap goodness of fit of `expected` to `observed` monthly counts,
/// for a fit with `parameters` fitted parameters.
pub fn goodness_of_fit(observed: &[u64], expected: &[f64], parameters: usize) -> GoodnessOfFit {
    let total: f64 = observed.iter().map(|&n| n as f64).sum();
    let mut groups: Vec<(f64, f64)> = Vec::new();
    let (mut o, mut e) = (0.0, 0.0);
    let (mut co, mut ce, mut gap) = (0.0f64, 0.0f64, 0.0f64);
    for (&n, &mu) in observed.iter().zip(expected) {
        o += n as f64;
        e += mu;
        co += n as f64;
        ce += mu;
        gap = gap.max((co - ce).abs());
        if e >= 5.0 {
            groups.push((o, e));
            (o, e) = (0.0, 0.0);
        }
    }
    if e > 0.0 || o > 0.0 {
        match groups.last_mut() {
            Some(last) => {
                last.0 += o;
                last.1 += e;
            }
            None => groups.push((o, e)),
        }
    }
    let chi_square: f64 = groups
        .iter()
        .filter(|g| g.1 > 0.0)
        .map(|(o, e)| elementary::powi(o - e, 2) / e)
        .sum();
    let degrees_of_freedom = groups.len().saturating_sub(parameters);
    let p_value = if degrees_of_freedom > 0 {
        tail::chi_square_sf(degrees_of_freedom as f64, chi_square)
    } else {
        f64::NAN
    };
    GoodnessOfFit {
        chi_square,
        degrees_of_freedom,
        p_value,
        max_cumulative_gap: if total > 0.0 { gap / total } else { 0.0 },
    }
}

/// A one-sided likelihood-ratio test of "the order rate decays" against "it is constant".
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct LikelihoodRatio {
    /// 2·(ℓ(decay model) − ℓ(constant)), clamped at 0 (the search ranges are finite, so the
    /// nested model can come out a hair below the constant).
    pub statistic: f64,
    /// P-value under a constant rate (asymptotic); NaN when a likelihood is not finite.
    pub p_value: f64,
}

/// Likelihood-ratio tests of each decay model against the constant rate.
///
/// Both are one-sided, because only a decline is a decay:
///
/// - exponential, β unconstrained (the constant is β = 0, inside the range): the signed root
///   `r = sign(β̂)·√LR` is asymptotically standard normal under a constant rate, so
///   `p = P(Z ≥ r)` — a growing rate (β̂ < 0) gives p > 0.5;
/// - linear, decline κ = 1/τ ≥ 0 (the constant is κ = 0, on the boundary): LR is
///   asymptotically ½χ²₀ + ½χ²₁ (Self and Liang 1987), so `p = ½·P(χ²₁ ≥ LR)` for LR > 0 and
///   1 for LR = 0.
///
/// For LR > 0 with β̂ > 0 the two formulas agree (½·P(χ²₁ ≥ r²) = P(Z ≥ r)). Their size was
/// checked by simulation of constant-rate histories (tests/integration/fit.rs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DecayTests {
    /// Exponential decay against a constant rate.
    pub exponential: LikelihoodRatio,
    /// Linear decay against a constant rate.
    pub linear: LikelihoodRatio,
}

impl DecayTests {
    /// The tests of the candidates of `fit` against its constant candidate.
    pub fn of(fit: &IntensityFit) -> DecayTests {
        let constant = fit.candidate(DecayModel::Constant).log_likelihood;
        let statistic = |model| {
            let l = fit.candidate(model).log_likelihood;
            if l.is_finite() && constant.is_finite() {
                (2.0 * (l - constant)).max(0.0)
            } else {
                f64::NAN
            }
        };
        let lr_exponential = statistic(DecayModel::Exponential);
        let beta = fit.candidate(DecayModel::Exponential).shape.unwrap_or(0.0);
        let signed_root = if beta < 0.0 {
            -lr_exponential.sqrt()
        } else {
            lr_exponential.sqrt()
        };
        let lr_linear = statistic(DecayModel::Linear);
        DecayTests {
            exponential: LikelihoodRatio {
                statistic: lr_exponential,
                p_value: if lr_exponential.is_nan() {
                    f64::NAN
                } else {
                    tail::normal_sf(signed_root)
                },
            },
            linear: LikelihoodRatio {
                statistic: lr_linear,
                p_value: if lr_linear.is_nan() {
                    f64::NAN
                } else if lr_linear > 0.0 {
                    0.5 * tail::chi_square_sf(1.0, lr_linear)
                } else {
                    1.0
                },
            },
        }
    }
}

/// Everything fitted for one part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartFit {
    /// The part's id.
    pub part: String,
    /// The month t = 0 starts in, as written in the history (`2021-03` or a month index).
    pub origin: String,
    /// Whether t = 0 is the part's end of production (else the first month of the history).
    pub eop_given: bool,
    /// Months observed from t = 0.
    pub months: usize,
    /// Orders observed from t = 0.
    pub orders: u64,
    /// Units observed from t = 0.
    pub units: u64,
    /// History rows before t = 0, not fitted.
    pub rows_before_origin: usize,
    /// The order intensity: every candidate model and the chosen one.
    pub intensity: IntensityFit,
    /// The order-size distribution.
    pub order_size: OrderSizeFit,
    /// The Syntetos–Boylan class of the monthly units.
    pub classification: Classification,
    /// Goodness of fit of the chosen intensity.
    pub goodness_of_fit: GoodnessOfFit,
    /// Likelihood-ratio tests of each decay against a constant rate.
    pub decay_tests: DecayTests,
    /// Orders observed per month from t = 0 (for the observed-versus-fitted chart).
    pub monthly_orders: Vec<u64>,
    /// Where t = 0 of the demand block lies ([`PartFit::demand_model`]); the fit itself is
    /// always made with t = 0 at the history's origin.
    pub time_origin: TimeOrigin,
}

/// Where t = 0 of a fitted demand block lies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeOrigin {
    /// The part's end of production (or, without one, the first month of the history): the
    /// demand as the part left production, for studying the decision at EOP.
    #[default]
    Eop,
    /// The end of the observed history: the demand from now on, for deciding today about the
    /// stock on hand today. The fitted model is shifted: an exponential keeps its half-life
    /// from λ(T), a linear decline ends T years earlier, a constant stays.
    End,
}

impl PartFit {
    /// Years from the fit's t = 0 (the history's origin) to the output's t = 0: 0 for
    /// [`TimeOrigin::Eop`], the observed years for [`TimeOrigin::End`].
    pub fn shift_years(&self) -> f64 {
        match self.time_origin {
            TimeOrigin::Eop => 0.0,
            TimeOrigin::End => self.months as f64 / history::MONTHS_PER_YEAR,
        }
    }

    /// The intensity as fitted, t = 0 at the history's origin.
    fn fitted_intensity(&self) -> Intensity {
        let best = self.intensity.best();
        match best.model {
            DecayModel::Constant => Intensity::Constant { rate: best.rate },
            DecayModel::Exponential => Intensity::Exponential {
                rate: best.rate,
                decay_rate: best.shape.unwrap_or(0.0),
            },
            DecayModel::Linear => Intensity::Linear {
                rate: best.rate,
                end_years: best.shape.unwrap_or(f64::INFINITY),
            },
        }
    }

    /// Standard error of the logarithm of the output's rate level λ(s), s = [`Self::shift_years`]
    /// (delta method on (ln λ0, θ) with their covariance): the relative standard error of the
    /// rate level. NaN when the information matrix was singular, 0 without orders.
    pub fn log_rate_se(&self) -> f64 {
        let best = self.intensity.best();
        if best.rate <= 0.0 {
            return 0.0;
        }
        let var_phi = elementary::powi(best.rate_se / best.rate, 2);
        let s = self.shift_years();
        // d ln λ(s) / dθ: −s for the exponential (θ = β), s/(τ(τ − s)) for the linear (θ = τ).
        let slope = match (best.model, best.shape) {
            (DecayModel::Exponential, Some(_)) => -s,
            (DecayModel::Linear, Some(tau)) if tau > s => s / (tau * (tau - s)),
            (DecayModel::Linear, Some(_)) => return 0.0,
            _ => 0.0,
        };
        if slope == 0.0 {
            return var_phi.sqrt();
        }
        let var_theta = elementary::powi(best.shape_se.unwrap_or(f64::NAN), 2);
        let cov = best.log_rate_shape_cov.unwrap_or(f64::NAN);
        (var_phi + slope * slope * var_theta + 2.0 * slope * cov)
            .max(0.0)
            .sqrt()
    }

    /// Relative standard error of the output's rate level (see [`Self::log_rate_se`]) for
    /// `[demand.uncertainty] rate_cv`, capped at the scenario's limit, 10; 0 when unknown.
    pub fn rate_cv(&self) -> f64 {
        let cv = self.log_rate_se();
        if cv.is_finite() { cv.min(10.0) } else { 0.0 }
    }

    /// λ(t) of the chosen model at the end of the observed history, orders per year.
    pub fn rate_at_end(&self) -> f64 {
        self.fitted_intensity()
            .rate(self.months as f64 / history::MONTHS_PER_YEAR)
    }

    /// The chosen intensity as a scenario [`Intensity`], t = 0 at the [`TimeOrigin`]. A linear
    /// decline that ended inside the history becomes a constant rate 0.
    pub fn intensity_model(&self) -> Intensity {
        let s = self.shift_years();
        match self.fitted_intensity() {
            Intensity::Exponential { rate, decay_rate } if s > 0.0 => Intensity::Exponential {
                rate: rate * elementary::exp(-decay_rate * s),
                decay_rate,
            },
            Intensity::Linear { rate, end_years } if s > 0.0 => {
                if end_years > s {
                    Intensity::Linear {
                        rate: rate * (1.0 - s / end_years),
                        end_years: end_years - s,
                    }
                } else {
                    Intensity::Constant { rate: 0.0 }
                }
            }
            other => other,
        }
    }

    /// The fitted demand block: chosen intensity (t = 0 at the [`TimeOrigin`]), order sizes
    /// and `rate_cv`; no sudden-death risk (a history cannot show it).
    pub fn demand_model(&self) -> DemandModel {
        DemandModel {
            intensity: self.intensity_model(),
            order_size: self.order_size.distribution.clone(),
            rate_cv: self.rate_cv(),
            obsolescence_annual_probability: 0.0,
        }
    }
}

/// One part's fit and the text of its file.
#[derive(Debug, Clone)]
pub struct FittedPart {
    /// The fit.
    pub fit: PartFit,
    /// The part's file: the template with the fitted demand, or the demand block alone.
    pub text: String,
}

/// What `fit` found.
#[derive(Debug, Clone)]
pub struct FitResult {
    /// Per part, in the history's order.
    pub parts: Vec<FittedPart>,
    /// The history file's name, as the generated files cite it.
    pub source: String,
}

impl FitResult {
    /// The fits, in the history's order.
    pub fn fits(&self) -> Vec<PartFit> {
        self.parts.iter().map(|p| p.fit.clone()).collect()
    }
}

/// Fits one part's history.
pub fn fit_part(history: &PartHistory) -> PartFit {
    let intensity = fit_intensity(&history.orders);
    let best = intensity.best();
    let goodness_of_fit = goodness_of_fit(&history.orders, &best.expected, best.parameters());
    PartFit {
        part: history.part.clone(),
        origin: history.origin.clone(),
        eop_given: history.eop_given,
        months: history.months(),
        orders: history.total_orders(),
        units: history.total_units(),
        rows_before_origin: history.rows_before_origin,
        order_size: fit_order_size(&history.sizes),
        classification: classify(&history.units),
        goodness_of_fit,
        decay_tests: DecayTests::of(&intensity),
        monthly_orders: history.orders.clone(),
        time_origin: TimeOrigin::Eop,
        intensity,
    }
}

/// Fits every part of a history, demand blocks with t = 0 at `origin` (in parallel; the result
/// is in the history's part order and does not depend on the thread count).
pub fn fit_history(history: &History, origin: TimeOrigin) -> Vec<PartFit> {
    use rayon::prelude::*;
    history
        .parts
        .par_iter()
        .map(|h| PartFit {
            time_origin: origin,
            ..fit_part(h)
        })
        .collect()
}
