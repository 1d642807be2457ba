//! The Poisson distribution as rand_distr 0.6's `Poisson` draws it: Knuth's multiplication
//! method for means below 12, Ahrens & Dieter's (1982) rejection from a modified normal
//! distribution above.

use std::f64::consts::PI;

use rand::Rng;

use super::{exp1, standard_normal, uniform};
use crate::elementary;

/// The largest mean rand_distr accepts (its `Poisson::MAX_LAMBDA`).
const MAX_MEAN: f64 = 1.844e19;

/// The Poisson distribution with a mean λ > 0 (units, orders, …: whatever is counted).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Poisson {
    method: Method,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Method {
    /// Multiply uniforms until the product falls below e^(−λ).
    Knuth { exp_minus_mean: f64 },
    /// Ahrens & Dieter.
    Rejection(Rejection),
}

/// The constants of Ahrens & Dieter's method (their names).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Rejection {
    lambda: f64,
    s: f64,
    d: f64,
    l: f64,
    c: f64,
    c0: f64,
    c1: f64,
    c2: f64,
    c3: f64,
    omega: f64,
}

impl Poisson {
    /// The distribution, or `None` unless 0 < `mean` ≤ 1.844·10^19 (NaN and ∞ are refused).
    pub fn new(mean: f64) -> Option<Poisson> {
        if !(mean.is_finite() && mean > 0.0) {
            return None;
        }
        let method = if mean < 12.0 {
            Method::Knuth {
                exp_minus_mean: elementary::exp(-mean),
            }
        } else if mean > MAX_MEAN {
            return None;
        } else {
            Method::Rejection(Rejection::new(mean))
        };
        Some(Poisson { method })
    }

    /// One draw, a whole number as a float.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.method {
            Method::Knuth { exp_minus_mean } => knuth(*exp_minus_mean, rng),
            Method::Rejection(r) => r.sample(rng),
        }
    }
}

/// Knuth's method for a small mean λ, given e^(−λ): the number of uniforms multiplied before
/// the product falls to e^(−λ) or below, less one (a whole number as a float).
#[inline]
pub(super) fn knuth<R: Rng + ?Sized>(exp_minus_mean: f64, rng: &mut R) -> f64 {
    let mut result = 1.0;
    let mut p = uniform(rng);
    while p > exp_minus_mean {
        p *= uniform(rng);
        result += 1.0;
    }
    result - 1.0
}

impl Rejection {
    fn new(lambda: f64) -> Self {
        let b1 = (1.0 / 24.0) / lambda;
        let b2 = 0.3 * b1 * b1;
        let c3 = (1.0 / 7.0) * b1 * b2;
        let c2 = b2 - 15.0 * c3;
        let c1 = b1 - 6.0 * b2 + 45.0 * c3;
        let c0 = 1.0 - b1 + 3.0 * b2 - 15.0 * c3;
        Rejection {
            lambda,
            s: lambda.sqrt(),
            d: 6.0 * (lambda * lambda),
            l: (lambda - 1.1484).floor(),
            c: 0.1069 / lambda,
            c0,
            c1,
            c2,
            c3,
            omega: 1.0 / (2.0 * PI).sqrt() / lambda.sqrt(),
        }
    }

    /// Step F of the method: (px, py, fx, fy) for a candidate k.
    fn step_f(&self, k: f64) -> (f64, f64, f64, f64) {
        const FACTORIAL: [f64; 10] = [
            1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0, 5040.0, 40320.0, 362880.0,
        ];
        // Ahrens & Dieter's Table 1.
        const A: [f64; 10] = [
            -0.5000000002,
            0.3333333343,
            -0.2499998565,
            0.1999997049,
            -0.1666848753,
            0.1428833286,
            -0.1241963125,
            0.1101687109,
            -0.1142650302,
            0.1055093006,
        ];
        let (px, py) = if k < 10.0 {
            (
                -self.lambda,
                elementary::pow(self.lambda, k) / FACTORIAL[k as usize],
            )
        } else {
            let delta = (12.0 * k).recip();
            let delta = delta - 4.8 * (delta * delta * delta);
            let v = (self.lambda - k) / k;
            let px = if v.abs() <= 0.25 {
                k * (v * v) * A.iter().rev().fold(0.0, |acc, &a| acc * v + a) - delta
            } else {
                k * elementary::ln(1.0 + v) - (self.lambda - k) - delta
            };
            (px, 1.0 / (2.0 * PI).sqrt() / k.sqrt())
        };
        let x = (k - self.lambda + 0.5) / self.s;
        let fx = -0.5 * x * x;
        let fy = self.omega * (((self.c3 * x * x + self.c2) * x * x + self.c1) * x * x + self.c0);
        (px, py, fx, fy)
    }

    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // Step N: a normal candidate.
        let g = self.lambda + self.s * standard_normal(rng);
        if g >= 0.0 {
            let k1 = g.floor();
            // Step I.
            if k1 >= self.l {
                return k1;
            }
            // Step S.
            let u = uniform(rng);
            let diff = self.lambda - k1;
            if self.d * u >= diff * diff * diff {
                return k1;
            }
            let (px, py, fx, fy) = self.step_f(k1);
            if fy * (1.0 - u) <= py * elementary::exp(px - fx) {
                return k1;
            }
        }
        loop {
            // Step E: a double-exponential candidate.
            let e = exp1(rng);
            let u = uniform(rng) * 2.0 - 1.0;
            let t = 1.8 + e * u.signum();
            if t > -0.6744 {
                let k2 = (self.lambda + self.s * t).floor();
                let (px, py, fx, fy) = self.step_f(k2);
                // Step H.
                if self.c * u.abs() <= py * elementary::exp(px + e) - fy * elementary::exp(fx + e) {
                    return k2;
                }
            }
        }
    }
}
