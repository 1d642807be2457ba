//! The binomial distribution as rand_distr 0.6's `Binomial` draws it: inversion (BINV) when
//! n·min(p, 1 − p) < 10, else Kachitvichyanukul & Schmeiser's BTPE (1988).

use std::cmp::Ordering;

use rand::Rng;
use rand::distr::{Distribution, Uniform};

use super::poisson::knuth;
use super::uniform;
use crate::elementary;

/// The binomial distribution: successes among `n` independent trials of probability `p`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Binomial {
    method: Method,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Method {
    Binv(Binv, bool),
    Btpe(Btpe, bool),
    /// p so small that 1 − p rounds to 1: Poisson with mean n·p (Knuth's method).
    Poisson {
        exp_minus_mean: f64,
    },
    Constant(u64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Binv {
    r: f64,
    s: f64,
    a: f64,
    n: u64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Btpe {
    n: u64,
    p: f64,
    m: u64,
    p1: f64,
}

impl Binomial {
    /// The distribution, or `None` unless 0 ≤ `p` ≤ 1.
    pub fn new(n: u64, p: f64) -> Option<Binomial> {
        if !(0.0..=1.0).contains(&p) {
            return None;
        }
        if p == 0.0 {
            return Some(Binomial {
                method: Method::Constant(0),
            });
        }
        if p == 1.0 {
            return Some(Binomial {
                method: Method::Constant(n),
            });
        }
        // Symmetric under p → 1 − p: draw the rarer outcome.
        let flipped = p > 0.5;
        let p = if flipped { 1.0 - p } else { p };
        let np = n as f64 * p;
        let q = 1.0 - p;
        let method = if np < 10.0 {
            if q == 1.0 {
                Method::Poisson {
                    exp_minus_mean: elementary::exp(-np),
                }
            } else {
                let s = p / q;
                Method::Binv(
                    Binv {
                        r: elementary::pow(q, n as f64),
                        s,
                        a: (n as f64 + 1.0) * s,
                        n,
                    },
                    flipped,
                )
            }
        } else {
            let npq = np * q;
            let p1 = (2.195 * npq.sqrt() - 4.6 * q).floor() + 0.5;
            let m = (np + p) as u64;
            Method::Btpe(Btpe { n, p, m, p1 }, flipped)
        };
        Some(Binomial { method })
    }

    /// One draw, in 0..=n.
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match self.method {
            Method::Binv(b, flipped) => binv(b, flipped, rng),
            Method::Btpe(b, flipped) => btpe(b, flipped, rng),
            Method::Poisson { exp_minus_mean } => knuth(exp_minus_mean, rng) as u64,
            Method::Constant(c) => c,
        }
    }
}

fn binv<R: Rng + ?Sized>(binv: Binv, flipped: bool, rng: &mut R) -> u64 {
    // As GSL: restart a search that wanders past 110 (31 standard deviations when n·p < 10).
    const MAX_X: u64 = 110;
    let sample = 'outer: loop {
        let mut r = binv.r;
        let mut u = uniform(rng);
        let mut x = 0;
        while u > r {
            u -= r;
            x += 1;
            if x > MAX_X {
                continue 'outer;
            }
            r *= binv.a / (x as f64) - binv.s;
        }
        break x;
    };
    if flipped { binv.n - sample } else { sample }
}

/// Stirling's series correction of ln Γ (BTPE's step 5.3).
fn stirling(a: f64) -> f64 {
    let a2 = a * a;
    (13860. - (462. - (132. - (99. - 140. / a2) / a2) / a2) / a2) / a / 166320.
}

// The names of the reference, and its `!(u > p)` (NaN-safe) comparisons.
#[allow(clippy::many_single_char_names, clippy::neg_cmp_op_on_partial_ord)]
fn btpe<R: Rng + ?Sized>(btpe: Btpe, flipped: bool, rng: &mut R) -> u64 {
    const SQUEEZE_THRESHOLD: u64 = 20;
    let n = btpe.n;
    let np = (n as f64) * btpe.p;
    let q = 1. - btpe.p;
    let npq = np * q;
    let f_m = np + btpe.p;
    let m = btpe.m;
    let p1 = btpe.p1;
    let x_m = (m as f64) + 0.5;
    let x_l = x_m - p1;
    let x_r = x_m + p1;
    let c = 0.134 + 20.5 / (15.3 + (m as f64));
    let p2 = p1 * (1. + 2. * c);
    let lambda = |a: f64| a * (1. + 0.5 * a);
    let lambda_l = lambda((f_m - x_l) / (f_m - x_l * btpe.p));
    let lambda_r = lambda((x_r - f_m) / (x_r * q));
    let p3 = p2 + c / lambda_l;
    let p4 = p3 + c / lambda_r;
    let gen_u = Uniform::new(0., p4).expect("p4 > 0 and finite");
    let gen_v = Uniform::new(0., 1.).expect("a unit interval");
    let mut y: u64;
    loop {
        // Step 1: the region; region 1 is a triangle.
        let u = gen_u.sample(rng);
        let mut v = gen_v.sample(rng);
        if !(u > p1) {
            y = (x_m - p1 * v + u) as u64;
            break;
        }
        if !(u > p2) {
            // Step 2: parallelograms.
            let x = x_l + (u - p1) / c;
            v = v * c + 1.0 - (x - x_m).abs() / p1;
            if v > 1. {
                continue;
            }
            y = x as u64;
        } else if !(u > p3) {
            // Step 3: left exponential tail.
            let y_tmp = x_l + elementary::ln(v) / lambda_l;
            if y_tmp < 0.0 {
                continue;
            }
            y = y_tmp as u64;
            v *= (u - p2) * lambda_l;
        } else {
            // Step 4: right exponential tail (`as` saturates).
            y = (x_r - elementary::ln(v) / lambda_r) as u64;
            if y > btpe.n {
                continue;
            }
            v *= (u - p3) * lambda_r;
        }
        // Step 5: acceptance; 5.1 evaluates f(y) by recursion from the mode.
        let k = y.abs_diff(m);
        if !(k > SQUEEZE_THRESHOLD && (k as f64) < 0.5 * npq - 1.) {
            let s = btpe.p / q;
            let a = s * (n as f64 + 1.);
            let mut f = 1.0;
            match m.cmp(&y) {
                Ordering::Less => {
                    let mut i = m;
                    loop {
                        i += 1;
                        f *= a / (i as f64) - s;
                        if i == y {
                            break;
                        }
                    }
                }
                Ordering::Greater => {
                    let mut i = y;
                    loop {
                        i += 1;
                        f /= a / (i as f64) - s;
                        if i == m {
                            break;
                        }
                    }
                }
                Ordering::Equal => {}
            }
            if v > f {
                continue;
            }
            break;
        }
        // Step 5.2: squeeze ln v between bounds of ln f(y).
        let k = k as f64;
        let rho = (k / npq) * ((k * (k / 3. + 0.625) + 1. / 6.) / npq + 0.5);
        let t = -0.5 * k * k / npq;
        let alpha = elementary::ln(v);
        if alpha < t - rho {
            break;
        }
        if alpha > t + rho {
            continue;
        }
        // Step 5.3: the final test, with GSL's signs.
        let x1 = (y + 1) as f64;
        let f1 = (m + 1) as f64;
        let z = ((n - m) + 1) as f64;
        let w = ((n - y) + 1) as f64;
        let y_sub_m = if y > m {
            (y - m) as f64
        } else {
            -((m - y) as f64)
        };
        if alpha
            > x_m * elementary::ln(f1 / x1)
                + (((n - m) as f64) + 0.5) * elementary::ln(z / w)
                + y_sub_m * elementary::ln(w * btpe.p / (x1 * q))
                + stirling(f1)
                + stirling(z)
                - stirling(x1)
                - stirling(w)
        {
            continue;
        }
        break;
    }
    if flipped { btpe.n - y } else { y }
}
