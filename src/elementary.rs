//! The elementary functions of pimsim's results, with bits that do not depend on the
//! platform: `exp` and `ln` written here from IEEE basic operations only (for the demand
//! generator's loops), and the others (`pow`, `ln_1p`, `exp_m1`, `ln_gamma`, `erfc`) from the
//! `libm` crate, a pure-Rust port of musl's C library.
//!
//! Why: the standard library's `f64::exp`, `ln`, `powf`, … call the C library of the machine
//! (glibc, musl, macOS, Windows), and those differ in the last bit on some arguments, so a
//! result computed with them is not the same bytes everywhere. Every computation of a result
//! (demand, discounting, costs, distributions, fits) calls the functions here instead; the
//! lint configuration (`clippy.toml`, `disallowed-methods`) refuses the platform's functions
//! outside the code that only draws charts. IEEE's basic operations (`+ − × ÷`, `sqrt`,
//! `floor`, conversions) are correctly rounded and so the same everywhere; Rust never
//! contracts `a * b + c` into a fused multiply-add.
//!
//! `exp` and `ln`: each order of a demand path needs a logarithm (its arrival time, by
//! inversion of the cumulative intensity) and an exponential (its discount factor). The
//! platform's are calls into the C library, about 50 instructions each, one value at a time.
//! The ones here are written with `+`, `−`, `×`, `÷` and operations on the bits of the
//! exponent only: no table lookups, no branches (special inputs are handled by selects), no
//! fused multiply-add. So
//!
//! - inlined into a loop over a batch of orders they vectorise (two lanes with the baseline
//!   SSE2 of x86-64, four with AVX2), and
//! - their results are a pure function of the input bits: the same on every machine, in
//!   scalar and vector code and with any instruction set.
//!
//! The approximations are the classic ones of Sun's fdlibm (`e_exp.c`, `e_log.c`: a rational
//! approximation of `exp` on `[−ln2/2, ln2/2]`, and `ln(1 + f) = 2·atanh(f / (2 + f))` with a
//! degree-14 odd polynomial), whose error analysis bounds the error by 1 ulp; the argument
//! reductions are rewritten in branch-free form. Tested against the standard library over
//! dense grids (see the tests): the results differ from `f64::exp` and `f64::ln` by at most
//! 1 ulp.

/// 1.5 · 2⁵²: adding it to a float of magnitude below 2⁵¹ rounds the float to an integer
/// (ties to even) and leaves that integer in the low bits of the sum's significand.
const ROUNDING_SHIFT: f64 = 6_755_399_441_055_744.0;
/// ln 2, split: the high part has 21 trailing zero bits, so `k · LN2_HI` is exact for |k| < 2²¹.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
/// ln 2 − `LN2_HI`.
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
/// 1 / ln 2.
const INV_LN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe);

/// Coefficients of `exp`'s rational approximation (fdlibm `e_exp.c`).
const EXP_P1: f64 = f64::from_bits(0x3fc5_5555_5555_553e);
const EXP_P2: f64 = f64::from_bits(0xbf66_c16c_16be_bd93);
const EXP_P3: f64 = f64::from_bits(0x3f11_566a_af25_de2c);
const EXP_P4: f64 = f64::from_bits(0xbebb_bd41_c5d2_6bf1);
const EXP_P5: f64 = f64::from_bits(0x3e66_3769_72be_a4d0);

/// Coefficients of `ln`'s polynomial in s² (fdlibm `e_log.c`).
const LN_LG1: f64 = f64::from_bits(0x3fe5_5555_5555_5593);
const LN_LG2: f64 = f64::from_bits(0x3fd9_9999_9997_fa04);
const LN_LG3: f64 = f64::from_bits(0x3fd2_4924_9422_9359);
const LN_LG4: f64 = f64::from_bits(0x3fcc_71c5_1d8e_78af);
const LN_LG5: f64 = f64::from_bits(0x3fc7_4664_96cb_03de);
const LN_LG6: f64 = f64::from_bits(0x3fc3_9a09_d078_c69f);
const LN_LG7: f64 = f64::from_bits(0x3fc2_f112_df3e_5244);

/// The bits of 1.0 less those of √2/2: adding it to the bits of x carries into the exponent
/// exactly when the significand of x is at least √2/2.
const SQRT_HALF_OFFSET: u64 = 0x3ff0_0000_0000_0000 - 0x3fe6_a09e_667f_3bcd;
/// The exponent field.
const EXPONENT_MASK: u64 = 0xfff0_0000_0000_0000;
/// 2⁵⁴, to bring subnormal inputs of `ln` into the normal range.
const TWO_POW_54: f64 = 18_014_398_509_481_984.0;

/// 2^k for an integer `k` in [−1022, 1023], given as `k + ROUNDING_SHIFT` (the form the
/// rounding leaves it in): k sits in the low bits, so k + 1023 shifted into the exponent
/// field is the power of two (the shift drops the bits of the constant).
#[inline(always)]
fn power_of_two(shifted: f64) -> f64 {
    f64::from_bits(shifted.to_bits().wrapping_add(1023) << 52)
}

/// e^x, within 1 ulp of the exact value for results in the normal range (fdlibm's bound);
/// +∞ above ln(`f64::MAX`) ≈ 709.78, +0 below about −745.13, subnormal in between (with an
/// error of at most 1 ulp of the smallest normal), NaN for NaN. Units: whatever `x` is
/// dimensionless in (the generator passes −r·t, rate per year times years).
///
/// Branch-free and without table lookups, so that it vectorises when inlined into a loop; the
/// same bits on every machine (see the module documentation).
#[inline(always)]
pub fn exp(x: f64) -> f64 {
    // Beyond these e^x is 0 or ∞ in any case; clamping keeps k within the two scalings
    // below. Comparisons with NaN are false, so NaN passes through.
    let x = if x < -746.0 { -746.0 } else { x };
    let x = if x > 710.0 { 710.0 } else { x };
    // x = k·ln2 + r with k an integer and |r| ≤ ln2/2 (plus rounding).
    let k_shifted = x * INV_LN2 + ROUNDING_SHIFT;
    let k = k_shifted - ROUNDING_SHIFT;
    let hi = x - k * LN2_HI; // exact
    let lo = k * LN2_LO;
    let r = hi - lo;
    // e^r = 1 + r + r·c/(2 − c), with c = r − r²·P(r²).
    let rr = r * r;
    let c = r - rr * (EXP_P1 + rr * (EXP_P2 + rr * (EXP_P3 + rr * (EXP_P4 + rr * EXP_P5))));
    let y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
    // y · 2^k as y · 2^a · 2^b with a + b = k: each factor stays normal for every k of the
    // clamped range, the first product is exact, and only a subnormal result rounds twice.
    let a_shifted = k * 0.5 + ROUNDING_SHIFT;
    let a = a_shifted - ROUNDING_SHIFT;
    let b_shifted = (k - a) + ROUNDING_SHIFT;
    y * power_of_two(a_shifted) * power_of_two(b_shifted)
}

/// ln x, within 1 ulp of the exact value for every positive finite `x` including subnormals
/// (fdlibm's bound); −∞ for ±0, +∞ for +∞, NaN for negative `x` and NaN.
///
/// One value at a time; loops over many values use [`ln_of_normal`] (see there).
#[inline]
pub fn ln(x: f64) -> f64 {
    if is_positive_normal(x) {
        ln_of_normal(x)
    } else if x > 0.0 && x < f64::MIN_POSITIVE {
        // Subnormal: scaled into the normal range, and the scale taken off the exponent.
        let (k, f) = exponent_and_fraction(x * TWO_POW_54);
        ln_from_parts(k - 54.0, f)
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        f64::NAN
    }
}

/// Whether `x` is in [`f64::MIN_POSITIVE`, `f64::MAX`], the domain of [`ln_of_normal`].
#[inline(always)]
pub fn is_positive_normal(x: f64) -> bool {
    (f64::MIN_POSITIVE..=f64::MAX).contains(&x)
}

/// ln x for a positive normal `x` ([`is_positive_normal`]), within 1 ulp of the exact value
/// (fdlibm's bound); for other inputs the result is meaningless (callers check with
/// [`is_positive_normal`] and use [`ln`] for those).
///
/// Branch-free and without table lookups, so that it vectorises when inlined into a loop; the
/// same bits on every machine (see the module documentation).
#[inline(always)]
pub fn ln_of_normal(x: f64) -> f64 {
    let (k, f) = exponent_and_fraction(x);
    ln_from_parts(k, f)
}

/// For a positive normal `x`: `(k, f)` with x = 2^k · (1 + f), k an integer (as a float) and
/// 1 + f in [√2/2, √2).
#[inline(always)]
fn exponent_and_fraction(x: f64) -> (f64, f64) {
    let bits = x.to_bits();
    let carried = bits.wrapping_add(SQRT_HALF_OFFSET);
    let biased_k = carried >> 52; // k + 1023, in [0, 2047]
    let m = f64::from_bits(
        bits.wrapping_sub(carried & EXPONENT_MASK)
            .wrapping_add(0x3ff0_0000_0000_0000),
    );
    // k as a float without an integer conversion (which SSE2 cannot do on vectors): biased_k
    // in the low bits of 2⁵², less 2⁵² and the bias; exact.
    let k = f64::from_bits(0x4330_0000_0000_0000 | biased_k) - (4_503_599_627_370_496.0 + 1023.0);
    (k, m - 1.0)
}

/// ln(2^k · (1 + f)) = k·ln2 + ln(1 + f), with ln(1 + f) = 2·atanh(s), s = f/(2 + f), as
/// f − f²/2 + s·(f²/2 + R(s²)).
#[inline(always)]
fn ln_from_parts(k: f64, f: f64) -> f64 {
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LN_LG2 + w * (LN_LG4 + w * LN_LG6));
    let t2 = z * (LN_LG1 + w * (LN_LG3 + w * (LN_LG5 + w * LN_LG7)));
    let half_ff = 0.5 * f * f;
    s * (half_ff + (t2 + t1)) + k * LN2_LO - half_ff + f + k * LN2_HI
}

/// x^y (IEEE 754 `pow`: 1 for y = 0, NaN for a negative `x` and a non-integer `y`, …), from
/// `libm` (musl's algorithm, error below 1 ulp). Units: those of `x`, raised to `y`.
#[inline]
pub fn pow(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

/// x^n for an integer `n` by repeated squaring: exact for small integer results, and the
/// same sequence of roundings everywhere (the standard library's `powi` leaves the sequence
/// to the compiler, which may also fold constants with the build machine's `pow`).
#[inline]
pub fn powi(x: f64, n: i32) -> f64 {
    let mut result = 1.0;
    let mut base = x;
    let mut k = n.unsigned_abs();
    while k > 0 {
        if k & 1 == 1 {
            result *= base;
        }
        base *= base;
        k >>= 1;
    }
    if n < 0 { 1.0 / result } else { result }
}

/// ln(1 + x), accurate for `x` near 0 (from `libm`).
#[inline]
pub fn ln_1p(x: f64) -> f64 {
    libm::log1p(x)
}

/// e^x − 1, accurate for `x` near 0 (from `libm`).
#[inline]
pub fn exp_m1(x: f64) -> f64 {
    libm::expm1(x)
}

/// ln |Γ(x)| (from `libm`'s `lgamma_r`; +∞ at the poles 0, −1, −2, …).
#[inline]
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma_r(x).0
}

/// The complementary error function erfc(x) = 1 − erf(x), accurate in the tails (from
/// `libm`).
#[inline]
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

/// sinh x (from `libm`).
#[inline]
pub fn sinh(x: f64) -> f64 {
    libm::sinh(x)
}

/// arsinh x, the inverse of [`sinh`] (from `libm`).
#[inline]
pub fn asinh(x: f64) -> f64 {
    libm::asinh(x)
}

/// cos x, x in radians (from `libm`).
#[inline]
pub fn cos(x: f64) -> f64 {
    libm::cos(x)
}

/// log₁₀ x (from `libm`).
#[inline]
pub fn log10(x: f64) -> f64 {
    libm::log10(x)
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // references may use the platform's functions
mod tests {
    use super::*;

    /// Distance in ulps between two finite floats of the same sign (0 if equal).
    fn ulps(a: f64, b: f64) -> u64 {
        assert_eq!(a.is_sign_negative(), b.is_sign_negative(), "{a} vs {b}");
        a.to_bits().abs_diff(b.to_bits())
    }

    /// A reproducible sequence of uniform bits (SplitMix64).
    fn bits(seed: u64) -> impl Iterator<Item = u64> {
        let mut state = seed;
        std::iter::repeat_with(move || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        })
    }

    fn max_ulps(xs: impl Iterator<Item = f64>, ours: fn(f64) -> f64, std: fn(f64) -> f64) -> u64 {
        xs.map(|x| ulps(ours(x), std(x))).max().unwrap_or(0)
    }

    #[test]
    fn ln_is_within_one_ulp_of_std() {
        let uniform_unit = bits(1)
            .take(1_000_000)
            .map(|b| ((b >> 11) as f64 + 0.5) / 2f64.powi(53));
        let every_binade = bits(2).take(1_000_000).map(|b| {
            f64::from_bits(
                (b % (0x7fe0_0000_0000_0000 - 0x0010_0000_0000_0000)) + 0x0010_0000_0000_0000,
            )
        });
        let subnormal = bits(3)
            .take(100_000)
            .map(|b| f64::from_bits(1 + b % 0x000f_ffff_ffff_ffff));
        let near_one = (1..=20_000u64).flat_map(|i| {
            let d = i as f64 * 2f64.powi(-40);
            [
                1.0 + d,
                1.0 - d,
                f64::from_bits(1f64.to_bits() + i),
                f64::from_bits(1f64.to_bits() - i),
            ]
        });
        let near_sqrt_half = (0..20_000u64).flat_map(|i| {
            let b = std::f64::consts::FRAC_1_SQRT_2.to_bits();
            [f64::from_bits(b + i), f64::from_bits(b - i)]
        });
        for (name, worst) in [
            ("uniform on (0, 1)", max_ulps(uniform_unit, ln, f64::ln)),
            ("every binade", max_ulps(every_binade, ln, f64::ln)),
            ("subnormal", max_ulps(subnormal, ln, f64::ln)),
            ("near 1", max_ulps(near_one, ln, f64::ln)),
            ("near √2/2", max_ulps(near_sqrt_half, ln, f64::ln)),
        ] {
            assert!(worst <= 1, "ln, {name}: {worst} ulps");
        }
    }

    #[test]
    fn exp_is_within_one_ulp_of_std() {
        // Normal results: x in [−708, 709.7].
        let wide = bits(4)
            .take(1_000_000)
            .map(|b| -708.0 + 1417.7 * ((b >> 11) as f64 / 2f64.powi(53)));
        // The generator's range: −r·t for rates up to 1 and times up to 100 years.
        let generator = bits(5)
            .take(1_000_000)
            .map(|b| -100.0 * ((b >> 11) as f64 / 2f64.powi(53)));
        let tiny = bits(6).take(100_000).map(|b| {
            let magnitude = 2f64.powi(-((b % 1000) as i32) - 20);
            if b & 1 == 0 { magnitude } else { -magnitude }
        });
        // Around the points where the reduction's k changes (x = (j + ½)·ln 2).
        let reduction_edges = (-1000..1000).flat_map(|j| {
            let x = (j as f64 + 0.5) * std::f64::consts::LN_2;
            (0..20u64).flat_map(move |i| {
                [
                    f64::from_bits(x.to_bits() + i),
                    f64::from_bits(x.to_bits() - i),
                ]
            })
        });
        for (name, worst) in [
            ("normal range", max_ulps(wide, exp, f64::exp)),
            ("generator's range", max_ulps(generator, exp, f64::exp)),
            ("tiny", max_ulps(tiny, exp, f64::exp)),
            (
                "reduction edges",
                max_ulps(reduction_edges.filter(|x| x.abs() < 708.0), exp, f64::exp),
            ),
        ] {
            assert!(worst <= 1, "exp, {name}: {worst} ulps");
        }
    }

    #[test]
    fn ln_of_normal_is_ln_on_its_domain() {
        for b in bits(7).take(100_000) {
            let x = f64::from_bits(b >> 1);
            if is_positive_normal(x) {
                assert_eq!(ln_of_normal(x).to_bits(), ln(x).to_bits(), "{x}");
            }
        }
        assert!(!is_positive_normal(0.0) && !is_positive_normal(f64::INFINITY));
        assert!(!is_positive_normal(f64::NAN) && !is_positive_normal(-1.0));
        assert!(!is_positive_normal(f64::from_bits(1)));
        assert!(is_positive_normal(f64::MIN_POSITIVE) && is_positive_normal(f64::MAX));
    }

    #[test]
    fn special_values() {
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert_eq!(ln(-0.0), f64::NEG_INFINITY);
        assert_eq!(ln(f64::INFINITY), f64::INFINITY);
        assert!(ln(-1.0).is_nan() && ln(f64::NEG_INFINITY).is_nan() && ln(f64::NAN).is_nan());
        assert_eq!(ln(f64::MAX), f64::MAX.ln());
        assert_eq!(ln(f64::from_bits(1)), f64::from_bits(1).ln());
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
        assert_eq!(exp(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp(f64::NEG_INFINITY), 0.0);
        assert!(exp(f64::NAN).is_nan());
        assert_eq!(exp(709.79), f64::INFINITY);
        assert!(exp(709.78).is_finite());
        assert_eq!(exp(-745.2), 0.0);
        // Subnormal results, within 1 ulp of the smallest normal's grid.
        for x in [-709.0, -720.0, -740.0, -745.0] {
            assert!(ulps(exp(x), x.exp()) <= 1, "exp({x})");
        }
    }

    /// Pins a few results so that a change to the functions (which would change every
    /// simulation result in its last bits) is noticed.
    #[test]
    fn value_stability() {
        assert_eq!(exp(1.0).to_bits(), PINNED_EXP_1);
        assert_eq!(exp(-0.048_790_164_169_432).to_bits(), PINNED_EXP_DISCOUNT);
        assert_eq!(ln(0.3).to_bits(), PINNED_LN_03);
    }

    const PINNED_EXP_1: u64 = 4_613_303_445_314_885_482;
    const PINNED_EXP_DISCOUNT: u64 = 4_606_753_504_549_791_646;
    const PINNED_LN_03: u64 = 13_831_473_067_500_349_217;
}
