//! Draws from the distributions the model needs (exponential, normal, gamma, Poisson,
//! binomial) with arithmetic whose bits do not depend on the platform.
//!
//! rand_distr's samplers call the C library's `exp`, `ln` and `pow` (through `f64`'s methods,
//! or through num-traits, which plotters switches to the standard library's math), and C
//! libraries differ in the last bit of those on some arguments: the same seed would give
//! different paths on glibc, musl or macOS. The samplers here are rand_distr 0.6's algorithms,
//! step for step and with its ziggurat tables, with every elementary function taken from
//! [`crate::elementary`] (pure Rust, the same bits everywhere). Where the platform's function
//! and pimsim's agree, which is on almost every argument, a draw is bit for bit rand_distr's.
//! The uniform variates come from rand (`random`, `Open01`, `Uniform`), which is integer and
//! basic floating-point arithmetic only.

mod binomial;
mod gamma;
mod poisson;
mod tables;

pub use binomial::Binomial;
pub use gamma::Gamma;
pub use poisson::Poisson;

use rand::Rng;

use crate::elementary;
use tables::ZigTable;

/// The float in [2^e, 2^(e+1)) whose significand is the low 52 bits of `bits` (rand's
/// `into_float_with_exponent`).
#[inline(always)]
fn float_with_exponent(bits: u64, exponent: i32) -> f64 {
    let biased = (1023 + exponent) as u64;
    f64::from_bits((biased << 52) | (bits & ((1 << 52) - 1)))
}

/// The ziggurat method (Marsaglia & Tsang 2000) as rand_distr 0.6 implements it: `x_tab` and
/// `f_tab` the abscissae and densities of 256 layers, `pdf` the unnormalised density, and
/// `zero_case` the draw from the tail beyond the base layer.
#[inline(always)]
fn ziggurat<R: Rng + ?Sized>(
    rng: &mut R,
    symmetric: bool,
    x_tab: ZigTable,
    f_tab: ZigTable,
    pdf: impl Fn(f64) -> f64,
    mut zero_case: impl FnMut(&mut R, f64) -> f64,
) -> f64 {
    loop {
        // The low 8 bits choose the layer, the top 52 the position in it.
        let bits = rng.next_u64();
        let i = bits as usize & 0xff;
        let u = if symmetric {
            float_with_exponent(bits >> 12, 1) - 3.0
        } else {
            float_with_exponent(bits >> 12, 0) - (1.0 - f64::EPSILON / 2.0)
        };
        let x = u * x_tab[i];
        let test_x = if symmetric { x.abs() } else { x };
        if test_x < x_tab[i + 1] {
            return x;
        }
        if i == 0 {
            return zero_case(rng, u);
        }
        if f_tab[i + 1] + (f_tab[i] - f_tab[i + 1]) * uniform(rng) < pdf(x) {
            return x;
        }
    }
}

/// A uniform draw in [0, 1) with 53 random bits (rand's `random::<f64>()`).
#[inline(always)]
pub fn uniform<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform draw in the open interval (0, 1) (rand's `Open01`).
#[inline(always)]
pub fn open01<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    float_with_exponent(rng.next_u64() >> 12, 0) - (1.0 - f64::EPSILON / 2.0)
}

/// A standard exponential draw (mean 1; multiply by the mean, e.g. years, for other means).
#[inline]
pub fn exp1<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ziggurat(
        rng,
        false,
        &tables::ZIG_EXP_X,
        &tables::ZIG_EXP_F,
        |x| elementary::exp(-x),
        |rng, _| tables::ZIG_EXP_R - elementary::ln(uniform(rng)),
    )
}

/// A standard normal draw (mean 0, standard deviation 1).
#[inline]
pub fn standard_normal<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    ziggurat(
        rng,
        true,
        &tables::ZIG_NORM_X,
        &tables::ZIG_NORM_F,
        |x| elementary::exp(-x * x / 2.0),
        |rng, u| {
            // The tail beyond R, by Marsaglia's method (rand_distr's `zero_case`).
            let mut x = 1.0f64;
            let mut y = 0.0f64;
            while -2.0 * y < x * x {
                x = elementary::ln(open01(rng)) / tables::ZIG_NORM_R;
                y = elementary::ln(open01(rng));
            }
            if u < 0.0 {
                x - tables::ZIG_NORM_R
            } else {
                tables::ZIG_NORM_R - x
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::StreamRng;
    use rand::SeedableRng;
    use rand_distr::Distribution as _;

    /// Draws `n` values of ours and of rand_distr's, each pair from a fresh generator with
    /// the same seed; returns the share of pairs that agree to a relative 1e-14 (the same
    /// algorithm, the elementary functions differing in the last bit at most: a rejection
    /// step may still decide differently, rarely), and our draws.
    fn compare<A, B>(n: u64, ours: A, reference: B) -> (f64, Vec<f64>)
    where
        A: Fn(&mut StreamRng) -> f64,
        B: Fn(&mut StreamRng) -> f64,
    {
        let mut same = 0;
        let mut draws = Vec::with_capacity(n as usize);
        for seed in 0..n {
            let a = ours(&mut StreamRng::seed_from_u64(seed));
            let b = reference(&mut StreamRng::seed_from_u64(seed));
            same += u64::from(a == b || (a - b).abs() <= 1e-14 * b.abs());
            draws.push(a);
        }
        (same as f64 / n as f64, draws)
    }

    /// Asserts the sample mean and variance of `draws` against exact values, within 5
    /// standard errors (the variance's from the fourth central moment `mu4`).
    fn assert_moments(what: &str, draws: &[f64], mean: f64, variance: f64, mu4: f64) {
        let n = draws.len() as f64;
        let m = draws.iter().sum::<f64>() / n;
        let v = draws.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0);
        let se_mean = (variance / n).sqrt();
        let se_var = ((mu4 - variance * variance) / n).sqrt();
        assert!(
            (m - mean).abs() < 5.0 * se_mean,
            "{what}: mean {m} vs {mean} (s.e. {se_mean})"
        );
        assert!(
            (v - variance).abs() < 5.0 * se_var,
            "{what}: variance {v} vs {variance} (s.e. {se_var})"
        );
    }

    const N: u64 = 200_000;

    #[test]
    fn exponential_is_rand_distr_s_and_has_its_moments() {
        let (same, draws) = compare(N, exp1, |r| rand_distr::Exp1.sample(r));
        assert!(same > 0.999, "agreeing share {same}");
        assert_moments("Exp(1)", &draws, 1.0, 1.0, 9.0);
    }

    #[test]
    fn normal_is_rand_distr_s_and_has_its_moments() {
        let (same, draws) = compare(N, standard_normal, |r| rand_distr::StandardNormal.sample(r));
        assert!(same > 0.999, "agreeing share {same}");
        assert_moments("N(0,1)", &draws, 0.0, 1.0, 3.0);
    }

    #[test]
    fn gamma_is_rand_distr_s_and_has_its_moments() {
        for (shape, scale) in [(0.3, 2.0), (1.0, 0.5), (2.5, 1.0), (40.0, 0.025)] {
            let ours = Gamma::new(shape, scale).unwrap();
            let reference = rand_distr::Gamma::new(shape, scale).unwrap();
            let (same, draws) = compare(N, |r| ours.sample(r), |r| reference.sample(r));
            assert!(
                same > 0.999,
                "Gamma({shape}, {scale}): agreeing share {same}"
            );
            let k: f64 = shape;
            let mu4 = 3.0 * k * (k + 2.0) * elementary::powi(scale, 4);
            assert_moments("Gamma", &draws, k * scale, k * scale * scale, mu4);
        }
        assert!(Gamma::new(0.0, 1.0).is_none());
        assert!(Gamma::new(1.0, f64::NAN).is_none());
    }

    #[test]
    fn poisson_is_rand_distr_s_and_has_its_moments() {
        for mean in [0.2, 3.0, 11.9, 12.0, 60.0, 5000.0] {
            let ours = Poisson::new(mean).unwrap();
            let reference = rand_distr::Poisson::new(mean).unwrap();
            let (same, draws) = compare(N, |r| ours.sample(r), |r| reference.sample(r));
            assert!(same > 0.999, "Poisson({mean}): agreeing share {same}");
            assert!(draws.iter().all(|&k| k >= 0.0 && k.fract() == 0.0));
            assert_moments("Poisson", &draws, mean, mean, mean * (1.0 + 3.0 * mean));
        }
        assert!(Poisson::new(0.0).is_none());
        assert!(Poisson::new(f64::INFINITY).is_none());
    }

    #[test]
    fn binomial_is_rand_distr_s_and_has_its_moments() {
        for (n, p) in [
            (5, 0.3),
            (40, 0.1),
            (1000, 0.02),
            (1000, 0.5),
            (100_000, 0.7),
            (3, 1e-17),
        ] {
            let ours = Binomial::new(n, p).unwrap();
            let reference = rand_distr::Binomial::new(n, p).unwrap();
            let (same, draws) =
                compare(N, |r| ours.sample(r) as f64, |r| reference.sample(r) as f64);
            assert!(same > 0.999, "Binomial({n}, {p}): agreeing share {same}");
            let nf = n as f64;
            let var = nf * p * (1.0 - p);
            let mu4 = var * (1.0 + (3.0 * nf - 6.0) * p * (1.0 - p));
            assert!(draws.iter().all(|&k| (0.0..=nf).contains(&k)));
            if var > 1e-12 {
                assert_moments("Binomial", &draws, nf * p, var, mu4);
            }
        }
        assert_eq!(
            Binomial::new(7, 0.0)
                .unwrap()
                .sample(&mut StreamRng::seed_from_u64(1)),
            0
        );
        assert_eq!(
            Binomial::new(7, 1.0)
                .unwrap()
                .sample(&mut StreamRng::seed_from_u64(1)),
            7
        );
        assert!(Binomial::new(7, 1.5).is_none());
    }
}
