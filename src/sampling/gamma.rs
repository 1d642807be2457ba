//! The gamma distribution: Marsaglia & Tsang's method (2000), with their boost for shapes
//! below 1, as rand_distr 0.6's `Gamma` implements it.

use rand::Rng;

use super::{exp1, open01, standard_normal};
use crate::elementary;

/// The gamma distribution with a shape k > 0 and a scale θ > 0 (mean kθ, in the unit of θ).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Gamma {
    method: Method,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Method {
    /// Shape 1: exponential, `mean` = 1 / (1 / scale) as rand_distr computes it.
    Exponential { mean: f64 },
    /// Shape < 1: a draw of shape + 1 times U^(1/shape).
    Small { inv_shape: f64, large: LargeShape },
    /// Shape > 1 (and the base of `Small`).
    Large(LargeShape),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct LargeShape {
    scale: f64,
    /// 1 / √(9d).
    c: f64,
    /// shape − 1/3.
    d: f64,
}

impl LargeShape {
    fn new(shape: f64, scale: f64) -> Self {
        let d = shape - 1. / 3.;
        LargeShape {
            scale,
            c: 1.0 / (9. * d).sqrt(),
            d,
        }
    }

    fn unscaled<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        loop {
            let x = standard_normal(rng);
            let v_cbrt = 1.0 + self.c * x;
            if v_cbrt <= 0.0 {
                continue;
            }
            let v = v_cbrt * v_cbrt * v_cbrt;
            let u = open01(rng);
            let x_sqr = x * x;
            if u < 1.0 - 0.0331 * x_sqr * x_sqr
                || elementary::ln(u) < 0.5 * x_sqr + self.d * (1.0 - v + elementary::ln(v))
            {
                return v;
            }
        }
    }
}

impl Gamma {
    /// The distribution, or `None` unless `shape` and `scale` are > 0 (NaN is refused).
    pub fn new(shape: f64, scale: f64) -> Option<Gamma> {
        if !(shape > 0.0 && scale > 0.0) {
            return None;
        }
        let method = if shape == f64::INFINITY || scale == f64::INFINITY {
            Method::Exponential {
                mean: f64::INFINITY,
            }
        } else if shape == 1.0 {
            Method::Exponential {
                mean: 1.0 / (1.0 / scale),
            }
        } else if shape < 1.0 {
            Method::Small {
                inv_shape: 1.0 / shape,
                large: LargeShape::new(shape + 1.0, scale),
            }
        } else {
            Method::Large(LargeShape::new(shape, scale))
        };
        Some(Gamma { method })
    }

    /// One draw (in the unit of the scale).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self.method {
            Method::Exponential { mean } => exp1(rng) * mean,
            Method::Small { inv_shape, large } => {
                let u = open01(rng);
                let a = large.unscaled(rng);
                let b = elementary::pow(u, inv_shape);
                // The scale last, so that a huge scale cannot make ∞ · 0.
                (a * b * large.d) * large.scale
            }
            Method::Large(large) => large.unscaled(rng) * (large.d * large.scale),
        }
    }
}
