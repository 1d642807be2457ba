//! Exact discounting of cash flows and continuous cost streams.
//!
//! A cash flow `x` at time `t` (years) is worth `x · (1 + i)^(−t)` today, with `i` the annual
//! effective discount rate. A cost stream of `c` currency per year over `[a, b]` is worth
//! `c · ∫ₐᵇ (1 + i)^(−s) ds`, integrated in closed form, never per period.

use crate::elementary;

/// `∫ₐᵇ e^(−c·s) ds` for any real `c`, accurate also when `c·(b − a)` is tiny.
pub fn exp_integral(c: f64, a: f64, b: f64) -> f64 {
    if c == 0.0 {
        return b - a;
    }
    // e^(−ca) · (1 − e^(−c(b−a))) / c, with expm1 so that small c·(b−a) keeps its digits.
    elementary::exp(-c * a) * (-elementary::exp_m1(-c * (b - a))) / c
}

/// The discounting of one scenario: the continuously compounded rate `r = ln(1 + i)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Discount {
    /// Continuously compounded rate per year, `ln(1 + i)`.
    rate: f64,
}

impl Discount {
    /// Discounting at the annual effective rate `annual_rate` (a fraction; 0.05 = 5 % per year).
    pub fn new(annual_rate: f64) -> Self {
        Discount {
            rate: elementary::ln_1p(annual_rate),
        }
    }

    /// The continuously compounded rate `ln(1 + i)` per year.
    pub fn continuous_rate(&self) -> f64 {
        self.rate
    }

    /// Present value of one currency unit paid at `t` years: `(1 + i)^(−t)`.
    pub fn factor(&self, t: f64) -> f64 {
        if self.rate == 0.0 {
            1.0
        } else {
            elementary::exp(-self.rate * t)
        }
    }

    /// Discounted time `G(t) = ∫₀ᵗ (1 + i)^(−s) ds` in years: a stream of `c` per year over
    /// `[a, b]` is worth `c · (G(b) − G(a))` today.
    pub fn discounted_time(&self, t: f64) -> f64 {
        exp_integral(self.rate, 0.0, t)
    }

    /// Both [`Discount::factor`] and [`Discount::discounted_time`] at `t` years, from one
    /// `exp`.
    ///
    /// This is the per-order hot path, so it uses `exp` rather than the several times slower
    /// `expm1`: `1 − e^(−rt)` then has an absolute (not relative) error of about 10⁻¹⁶, i.e.
    /// `G(t)` is off by at most ~10⁻¹⁶/r years (a few nanoseconds' worth of carrying cost),
    /// far below anything a Monte Carlo estimate can resolve. The `exp` is
    /// [`elementary::exp`] (within 1 ulp, the same bits on every machine), so that the
    /// generator's batches ([`Discount::factors_and_discounted_times`]) give the same values.
    #[inline]
    pub fn factor_and_discounted_time(&self, t: f64) -> (f64, f64) {
        if self.rate == 0.0 {
            return (1.0, t);
        }
        let factor = elementary::exp(-self.rate * t);
        (factor, (1.0 - factor) / self.rate)
    }

    /// [`Discount::factor_and_discounted_time`] for each of `times` (years), into `factors`
    /// and `discounted_times` (years), in one loop the compiler vectorises; the same values
    /// as one at a time.
    #[inline(always)]
    pub fn factors_and_discounted_times(
        &self,
        times: &[f64],
        factors: &mut [f64],
        discounted_times: &mut [f64],
    ) {
        let rate = self.rate;
        let outputs = factors.iter_mut().zip(discounted_times.iter_mut());
        if rate == 0.0 {
            for ((factor, discounted), &t) in outputs.zip(times) {
                *factor = 1.0;
                *discounted = t;
            }
        } else {
            for ((factor, discounted), &t) in outputs.zip(times) {
                let f = elementary::exp(-rate * t);
                *factor = f;
                *discounted = (1.0 - f) / rate;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // references may use the platform's functions
mod tests {
    use super::*;

    #[test]
    fn zero_rate_is_plain_time() {
        let d = Discount::new(0.0);
        assert_eq!(d.factor(7.0), 1.0);
        assert_eq!(d.discounted_time(7.5), 7.5);
    }

    #[test]
    fn factor_matches_annual_compounding() {
        let d = Discount::new(0.05);
        assert!((d.factor(10.0) - 1.05f64.powi(-10)).abs() < 1e-14);
    }

    #[test]
    fn discounted_time_matches_closed_form_and_is_additive() {
        let d = Discount::new(0.08);
        let r = 1.08f64.ln();
        let g = d.discounted_time(12.0);
        assert!((g - (1.0 - (-r * 12.0).exp()) / r).abs() < 1e-12);
        let split = d.discounted_time(5.0) + exp_integral(r, 5.0, 12.0);
        assert!((g - split).abs() < 1e-12);
    }

    #[test]
    fn joint_evaluation_matches_separate_ones() {
        let d = Discount::new(0.07);
        for t in [0.0, 1e-6, 0.5, 3.0, 40.0] {
            let (f, g) = d.factor_and_discounted_time(t);
            assert!((f - d.factor(t)).abs() <= 1e-15);
            assert!((g - d.discounted_time(t)).abs() <= 1e-13 * t.max(1.0));
        }
    }

    #[test]
    fn exp_integral_small_rate_tends_to_length() {
        assert!((exp_integral(1e-12, 2.0, 5.0) - 3.0).abs() < 1e-9);
        // Negative c is growth, still exact.
        let v = exp_integral(-0.1, 0.0, 1.0);
        assert!((v - (0.1f64.exp() - 1.0) / 0.1).abs() < 1e-12);
    }
}
