//! Upper-tail probabilities of the fit's test statistics (standard normal and χ²), computed
//! with [`crate::elementary`]'s fixed-bit functions so that a fit's p-values are the same
//! bytes on every machine.

use std::f64::consts::SQRT_2;

use crate::elementary;

/// P(Z ≥ z) for a standard normal Z.
pub fn normal_sf(z: f64) -> f64 {
    0.5 * elementary::erfc(z / SQRT_2)
}

/// P(X ≥ x) for X χ²-distributed with `degrees_of_freedom` > 0; NaN for a non-positive or
/// NaN number of degrees of freedom or a NaN `x`, 1 for x ≤ 0.
pub fn chi_square_sf(degrees_of_freedom: f64, x: f64) -> f64 {
    if degrees_of_freedom.is_nan() || degrees_of_freedom <= 0.0 || x.is_nan() {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x == f64::INFINITY {
        return 0.0;
    }
    if degrees_of_freedom == 1.0 {
        // P(Z² ≥ x) = P(|Z| ≥ √x), exact through erfc in the far tail.
        return elementary::erfc((0.5 * x).sqrt());
    }
    upper_regularized_gamma(0.5 * degrees_of_freedom, 0.5 * x)
}

/// Q(a, x) = Γ(a, x) / Γ(a) for a > 0, x > 0: the series of P(a, x) below x < a + 1, the
/// continued fraction of Q (modified Lentz) above, each summed to a relative 1e-16.
fn upper_regularized_gamma(a: f64, x: f64) -> f64 {
    const EPS: f64 = 1e-16;
    const MAX_TERMS: usize = 10_000;
    // e^(−x) x^a / Γ(a), in logs.
    let log_prefactor = a * elementary::ln(x) - x - elementary::ln_gamma(a);
    if x < a + 1.0 {
        let mut term = 1.0 / a;
        let mut sum = term;
        let mut n = a;
        for _ in 0..MAX_TERMS {
            n += 1.0;
            term *= x / n;
            sum += term;
            if term.abs() < sum.abs() * EPS {
                break;
            }
        }
        let lower = sum * elementary::exp(log_prefactor);
        (1.0 - lower).max(0.0)
    } else {
        let tiny = f64::MIN_POSITIVE / EPS;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..=MAX_TERMS {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < EPS {
                break;
            }
        }
        elementary::exp(log_prefactor) * h
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // references may use the platform's functions
mod tests {
    use super::*;
    // statrs as a second, coarser reference (its normal tail is off by up to 1e-10, so only its
    // χ² is used).
    use statrs::distribution::{ChiSquared, ContinuousCDF};

    fn relative(a: f64, b: f64) -> f64 {
        if a == b {
            0.0
        } else {
            (a - b).abs() / b.abs().max(1e-300)
        }
    }

    #[test]
    fn chi_square_tail_is_statrs_s() {
        for dof in [1.0, 2.0, 3.0, 5.0, 10.0, 37.0, 120.0, 1000.0] {
            let reference = ChiSquared::new(dof).unwrap();
            for i in 1..=400 {
                // From far below the mean to far above it.
                let x = dof * i as f64 / 100.0;
                let (ours, exact) = (chi_square_sf(dof, x), reference.sf(x));
                // Absolute near 1 (where 1 − P loses digits in any method), relative in the tail.
                let err = if exact > 1e-3 {
                    (ours - exact).abs()
                } else {
                    relative(ours, exact)
                };
                assert!(err < 1e-11, "dof {dof}, x {x}: {ours} vs {exact}");
            }
        }
    }

    /// P(Z ≥ z) and P(χ²_k ≥ x), computed with mpmath at 40 digits (`ncdf`, `gammainc`),
    /// written with 20 (rounded to the nearest double when compiled).
    #[allow(clippy::excessive_precision)]
    const NORMAL: [(f64, f64); 12] = [
        (-8.0, 0.9999999999999993779),
        (-2.82, 0.99759881752581074727),
        (-2.01, 0.97778440557056851396),
        (-0.5, 0.69146246127401310364),
        (0.0, 0.5),
        (0.3, 0.38208857781104736693),
        (1.0, 0.15865525393145705141),
        (1.96, 0.024997895148220436213),
        (3.5, 0.00023262907903552503635),
        (5.0, 2.8665157187919391167e-7),
        (8.0, 6.2209605742717841235e-16),
        (20.0, 2.7536241186062336951e-89),
    ];
    #[allow(clippy::excessive_precision)]
    const CHI_SQUARE: [(f64, f64, f64); 12] = [
        (1.0, 0.01, 0.92034432544594203624),
        (1.0, 3.84, 0.050043521248705103189),
        (1.0, 40.0, 2.5396285894708649707e-10),
        (2.0, 5.0, 0.08208499862389879517),
        (3.0, 0.5, 0.91889141165467585936),
        (3.0, 7.81, 0.050106056350005941339),
        (5.0, 2.0, 0.84914503608460963623),
        (10.0, 18.3, 0.050109061411462451593),
        (10.0, 60.0, 3.6243009520614880262e-9),
        (37.0, 20.0, 0.98981092677469636858),
        (120.0, 150.0, 0.033073480911304668119),
        (1000.0, 900.0, 0.98928276190871025844),
    ];

    #[test]
    fn tails_match_40_digit_references() {
        for (z, exact) in NORMAL {
            let ours = normal_sf(z);
            // erfc deep in the tail (z = 20) keeps 13 digits.
            assert!(relative(ours, exact) < 1e-13, "z = {z}: {ours} vs {exact}");
        }
        for (dof, x, exact) in CHI_SQUARE {
            let ours = chi_square_sf(dof, x);
            // ln Γ and the prefactor's cancellation cost a few digits for large k.
            assert!(
                relative(ours, exact) < 1e-13,
                "dof {dof}, x {x}: {ours} vs {exact}"
            );
        }
    }

    #[test]
    fn chi_square_edges() {
        assert_eq!(chi_square_sf(3.0, 0.0), 1.0);
        assert_eq!(chi_square_sf(3.0, -1.0), 1.0);
        assert!(chi_square_sf(0.0, 1.0).is_nan());
        assert!(chi_square_sf(2.0, f64::NAN).is_nan());
        // χ²₂ is exponential with mean 2: P(X ≥ x) = e^(−x/2).
        for x in [0.5, 1.0, 4.0, 30.0, 300.0] {
            assert!(relative(chi_square_sf(2.0, x), (-x / 2.0f64).exp()) < 1e-13);
        }
        assert_eq!(chi_square_sf(4.0, f64::INFINITY), 0.0);
    }
}
