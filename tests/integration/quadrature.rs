//! The installed base's expected orders, `∫ₐᵇ N0·ρ0·e^(−(t/η)^k)·(1+g)^t·e^(−θ(t−anchor)) dt`,
//! against integrals computed here independently of the library: the incomplete gamma function
//! (statrs) where g = θ = 0, and a double-exponential (tanh-sinh) quadrature on pieces
//! otherwise; for shapes k < 1, whose S′(t) ~ t^(k−1) is singular at t = 0, too. And the
//! `cover_years` retained level of such a fleet is the ceiling of the exact expectation.

use pimsim::demand::Intensity;
use pimsim::inventory::Plan;
use statrs::function::gamma::{gamma_lr, gamma_ur, ln_gamma};

use crate::common::scenario;

const SHAPES: [f64; 7] = [0.2, 0.35, 0.5, 0.8, 1.0, 1.5, 3.0];
const SCALES: [f64; 4] = [0.5, 3.0, 14.0, 60.0];
/// Windows (a, b] in years, several from t = 0.
const WINDOWS: [(f64, f64); 9] = [
    (0.0, 0.01),
    (0.0, 1.0),
    (0.0, 10.0),
    (0.0, 40.0),
    (1e-4, 0.3),
    (0.25, 3.0),
    (2.0, 12.0),
    (10.0, 13.0),
    (5.0, 5.01),
];

fn installed_base(units: f64, scale: f64, shape: f64, rate: f64, growth: f64) -> Intensity {
    Intensity::InstalledBase {
        units_in_field: units,
        retirement_scale_years: scale,
        retirement_shape: shape,
        failure_rate: rate,
        failure_growth: growth,
    }
}

/// `∫ₐᵇ e^(−(t/η)^k) dt` = (η/k)·Γ(1/k)·(P(1/k, (b/η)^k) − P(1/k, (a/η)^k)), with the upper
/// regularised function Q where both arguments are in the upper tail (less cancellation).
fn incomplete_gamma_integral(scale: f64, shape: f64, a: f64, b: f64) -> f64 {
    let s = 1.0 / shape;
    let x = |t: f64| (t / scale).powf(shape);
    let lower = |t: f64| if t == 0.0 { 0.0 } else { gamma_lr(s, x(t)) };
    let upper = |t: f64| if t == 0.0 { 1.0 } else { gamma_ur(s, x(t)) };
    let difference = if x(a) > s {
        upper(a) - upper(b)
    } else {
        lower(b) - lower(a)
    };
    scale / shape * ln_gamma(s).exp() * difference
}

/// Sum with Neumaier's compensation.
#[derive(Default)]
struct Sum {
    sum: f64,
    compensation: f64,
}

impl Sum {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// `∫ₐᵇ f` by tanh-sinh quadrature, the step halved until two levels agree to 1e-16 (7
/// halvings at most): t = c ± d·(1 − tanh(π/2·sinh τ)) with the distance to the end points
/// computed directly, so that end-point singularities are resolved.
fn tanh_sinh(f: &dyn Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    use std::f64::consts::FRAC_PI_2;
    let half = 0.5 * (b - a);
    // The nodes τ = j·h, j ≥ 1, both sides, with their weights; τ up to 3.5 (weights below
    // 1e-40 beyond).
    let pair = |tau: f64| {
        let u = FRAC_PI_2 * tau.sinh();
        let from_end = half * 2.0 / (1.0 + (2.0 * u).exp()); // half·(1 − tanh u)
        let weight = half * FRAC_PI_2 * tau.cosh() / (u.cosh() * u.cosh());
        weight * (f(a + from_end) + f(b - from_end))
    };
    let mut h = 0.5;
    let mut nodes = Sum::default();
    nodes.add(half * FRAC_PI_2 * f(a + half));
    let mut j = 1;
    while j as f64 * h <= 3.5 {
        nodes.add(pair(j as f64 * h));
        j += 1;
    }
    let mut estimate = h * nodes.value();
    for _ in 0..7 {
        h *= 0.5;
        let mut j = 1;
        while j as f64 * h <= 3.5 {
            nodes.add(pair(j as f64 * h));
            j += 2;
        }
        let next = h * nodes.value();
        let converged = (next - estimate).abs() <= 1e-16 * next.abs();
        estimate = next;
        if converged {
            break;
        }
    }
    estimate
}

/// The expected orders of the installed base in (a, b] with sudden death at rate θ after
/// `anchor`, by tanh-sinh on pieces: geometric near t = 0 (each at most half its distance from
/// 0, from 10⁻⁶ of the window on), and none across which the exponent changes by more than
/// one (its derivative checked at both ends).
fn reference(
    units: f64,
    (scale, shape, rate, growth): (f64, f64, f64, f64),
    theta: f64,
    anchor: f64,
    a: f64,
    b: f64,
) -> f64 {
    let growth_log = (1.0 + growth).ln();
    let f = |t: f64| {
        units * rate * (-(t / scale).powf(shape) + growth_log * t - theta * (t - anchor)).exp()
    };
    let exponent_slope = |t: f64| growth_log - theta - shape * (t / scale).powf(shape) / t;
    let slope = |t: f64| exponent_slope(t).abs();
    let mut total = Sum::default();
    let mut lo = a;
    if a == 0.0 {
        lo = 1e-6 * b;
        total.add(tanh_sinh(&f, 0.0, lo));
    }
    while lo < b {
        // The rest is negligible once the integrand is below 1e-25 of the sum (or 0) and
        // falling for good (shape above 1, or no growth to outweigh the retirements).
        let falling = (shape > 1.0 || growth_log <= theta) && exponent_slope(lo) < 0.0;
        if falling && (f(lo) == 0.0 || f(lo) < 1e-25 * total.value()) {
            break;
        }
        let mut w = (0.5 * lo).min(b - lo).min(1.0 / slope(lo));
        if lo + w < b {
            w = w.min(1.0 / slope(lo + w));
        }
        let hi = if lo + w < b { lo + w } else { b };
        total.add(tanh_sinh(&f, lo, hi));
        lo = hi;
    }
    total.value()
}

/// Relative errors of the library's values against the references, with the cases beyond
/// a tolerance listed.
struct Errors {
    tolerance: f64,
    /// The largest error within the tolerance, and its case.
    worst: (f64, String),
    cases: usize,
    failures: Vec<String>,
}

impl Errors {
    fn new(tolerance: f64) -> Self {
        Errors {
            tolerance,
            worst: (0.0, String::new()),
            cases: 0,
            failures: Vec::new(),
        }
    }

    /// Compares `value` with `exact` (equal when both underflow to 0).
    fn check(&mut self, value: f64, exact: f64, case: impl FnOnce() -> String) {
        let e = if value == exact {
            0.0
        } else {
            ((value - exact) / exact).abs()
        };
        self.cases += 1;
        if e > self.tolerance || e.is_nan() {
            self.failures
                .push(format!("{}: {value} vs {exact} ({e:.1e})", case()));
        } else if e > self.worst.0 {
            self.worst = (e, case());
        }
    }

    fn finish(self, against: &str) {
        eprintln!(
            "{} cases, worst relative error against {against}: {:.1e} ({})",
            self.cases, self.worst.0, self.worst.1
        );
        assert!(
            self.failures.is_empty(),
            "{} of {} beyond {:.0e}:\n{}",
            self.failures.len(),
            self.cases,
            self.tolerance,
            self.failures.join("\n")
        );
    }
}

/// Without failure growth or sudden death the integral is an incomplete gamma function.
#[test]
fn installed_base_matches_the_incomplete_gamma_function() {
    let mut errors = Errors::new(1e-13);
    for shape in SHAPES {
        for scale in SCALES {
            let model = installed_base(1500.0, scale, shape, 0.012, 0.0);
            // Narrow windows away from 0 are left to the next test: the difference of two
            // nearly equal incomplete gamma functions has too few correct digits.
            for (a, b) in WINDOWS.into_iter().filter(|&(a, b)| b - a > 0.2 * a) {
                let exact = 1500.0 * 0.012 * incomplete_gamma_integral(scale, shape, a, b);
                let value = model.expected_orders(a, b, 0.0, 0.0);
                errors.check(value, exact, || {
                    format!("k = {shape}, η = {scale}, ({a}, {b}]")
                });
            }
        }
    }
    errors.finish("the incomplete gamma function");
}

/// With failure growth and sudden death, against tanh-sinh quadrature.
#[test]
fn installed_base_matches_tanh_sinh_quadrature() {
    let mut errors = Errors::new(1e-13);
    for shape in SHAPES {
        for scale in SCALES {
            for (growth, theta) in [
                (0.0, 0.0),
                (0.04, 0.02),
                (0.3, 0.0),
                (0.0, 0.4),
                (-0.1, 0.1),
            ] {
                let model = installed_base(1500.0, scale, shape, 0.012, growth);
                for (a, b) in WINDOWS {
                    for anchor in [0.0, a] {
                        let params = (scale, shape, 0.012, growth);
                        let exact = reference(1500.0, params, theta, anchor, a, b);
                        let value = model.expected_orders(a, b, theta, anchor);
                        errors.check(value, exact, || {
                            format!(
                                "k = {shape}, η = {scale}, g = {growth}, θ = {theta} after \
                                 {anchor}, ({a}, {b}]"
                            )
                        });
                    }
                }
            }
        }
    }
    errors.finish("tanh-sinh quadrature");
}

/// The ends of the validated ranges: shapes 0.05 and 20, failure growth near −1 and 10, sudden
/// death of 99 % a year, scales of days and of centuries, a horizon of 1000 years.
#[test]
fn installed_base_is_exact_at_the_ends_of_the_validated_ranges() {
    let mut errors = Errors::new(1e-12);
    for shape in [0.05, 0.1, 7.0, 20.0] {
        for scale in [0.01, 2.0, 300.0] {
            for (growth, theta) in [(0.0, 0.0), (9.5, 0.0), (-0.9, 0.0), (0.5, 4.6)] {
                let model = installed_base(100.0, scale, shape, 0.5, growth);
                for (a, b) in [(0.0, 1.0), (0.0, 25.0), (3.0, 4.0), (0.0, 1000.0)] {
                    let params = (scale, shape, 0.5, growth);
                    let exact = reference(100.0, params, theta, 0.0, a, b);
                    // Deep in the tails the integrand is below 1e-250 of its scale: both
                    // sides then only agree in a few digits, and no scenario notices.
                    if !(1e-250..=f64::MAX).contains(&exact) {
                        continue;
                    }
                    let value = model.expected_orders(a, b, theta, 0.0);
                    errors.check(value, exact, || {
                        format!("k = {shape}, η = {scale}, g = {growth}, θ = {theta}, ({a}, {b}]")
                    });
                }
            }
        }
    }
    errors.finish("tanh-sinh quadrature at the ends of the ranges");
}

/// A `cover_years` disposition keeps ceil(expected units in (t, t + y]): with the fleet
/// sized so that the exact expectation is 2·10⁻⁸ (relative) above or below a whole number,
/// the retained level is the exact ceiling; an error of 10⁻⁶ (the fixed panels' for
/// k = 0.35 from t = 0) would move it by one unit in one of the two cases.
#[test]
fn cover_years_retains_the_ceiling_of_the_exact_expectation() {
    let (scale, shape, rate, years) = (14.0, 0.35, 0.012, 10.0);
    let per_unit = rate * incomplete_gamma_integral(scale, shape, 0.0, years);
    for (whole, offset) in [(400.0, 2e-8), (400.0, -2e-8), (37.0, 2e-8), (37.0, -2e-8)] {
        let target = whole * (1.0 + offset);
        let units = target / per_unit;
        let text = format!(
            r#"
[scenario]
horizon_years = 25
[part]
unit_cost = 10
on_hand = 5000
[demand]
model = "installed_base"
units_in_field = {units}
retirement_scale_years = {scale}
retirement_shape = {shape}
failure_rate = {rate}
[costs]
holding_rate = 0.1
shortage_penalty = 50
[[policy]]
name = "scrap"
kind = "scrap"
retain = {{ cover_years = {years} }}
"#
        );
        let plan = Plan::new(&scenario(&text)).expect("plan");
        let exact = units * per_unit;
        let expected = exact.ceil() as u64;
        assert_eq!(
            plan.policies[0].dispositions[0].retained, expected,
            "expected units {exact} (N0 = {units})"
        );
    }
}
