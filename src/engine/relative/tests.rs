//! Tests of the relatives' expectations (by hand, against a Gamma mixture, a brute-force
//! Monte Carlo and a reference quadrature) and of their per-path values.

use super::*;
use crate::demand::{DemandGenerator, OrderSize};
use crate::rng::StreamFactory;

fn model(intensity: Intensity, size: OrderSize, cv: f64, death: f64) -> DemandModel {
    DemandModel {
        intensity,
        order_size: size,
        rate_cv: cv,
        obsolescence_annual_probability: death,
    }
}

/// Poisson P(N = k) with mean m.
fn poisson(m: f64, k: u64) -> f64 {
    if m == 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    (k as f64 * m.ln() - m - statrs::function::gamma::ln_gamma(k as f64 + 1.0)).exp()
}

#[test]
fn constant_rate_unit_orders_match_the_poisson_by_hand() {
    // λ = 3 a year of single units, no discount, 4 years: D(t) ~ Poisson(3t).
    let m = model(Intensity::Constant { rate: 3.0 }, OrderSize::One, 0.0, 0.0);
    let e = expectations(&m, 4.0, &Discount::new(0.0), &[5, 12]).unwrap();
    for (j, &a) in [5u64, 12].iter().enumerate() {
        let psi = |t: f64| -> f64 { (0..a).map(|k| (a - k) as f64 * poisson(3.0 * t, k)).sum() };
        // Simpson on a fine grid for ∫₀⁴ ψ(t) dt.
        let steps = 20_000;
        let h = 4.0 / steps as f64;
        let mut hand = psi(0.0) + psi(4.0);
        for i in 1..steps {
            hand += psi(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 };
        }
        hand *= h / 3.0;
        assert!(
            (e.holding[j] - hand).abs() <= 1e-10 * hand,
            "a={a}: {} vs {hand}",
            e.holding[j]
        );
        let left = psi(4.0);
        assert!(
            (e.leftover[j] - left).abs() <= 1e-12 * left,
            "a={a}: {} vs {left}",
            e.leftover[j]
        );
    }
}

#[test]
fn negative_binomial_pmf_matches_a_gamma_mixture() {
    // Orders N ~ NB(shape r, mean μ); unit sizes so S = N.
    let m = model(Intensity::Constant { rate: 1.0 }, OrderSize::One, 0.5, 0.0);
    let dist = Distribution::new(&m, &[1.0], 40, Some(4.0));
    let mu = 7.5;
    let pmf = dist.pmf(mu);
    let (r, p) = (4.0f64, 4.0 / (4.0 + mu));
    for (k, &v) in pmf.iter().enumerate() {
        let lg = statrs::function::gamma::ln_gamma;
        let exact = (lg(k as f64 + r) - lg(r) - lg(k as f64 + 1.0)
            + r * p.ln()
            + k as f64 * (1.0 - p).ln())
        .exp();
        assert!((v - exact).abs() <= 1e-13, "k={k}: {v} vs {exact}");
    }
}

/// The geometric sizes' short recursion gives the probabilities of Panjer's full one (with
/// every size up to the largest threshold, untruncated), for Poisson and negative binomial
/// counts, small and large means (the latter rescales its working values many times).
#[test]
fn geometric_recursion_matches_the_full_panjer_recursion() {
    for &(mean, shape, mu, top) in &[
        (1.5, None, 7.0, 120usize),
        (1.5, Some(4.0), 7.0, 120),
        (3.0, Some(0.4), 25.0, 300),
        (1.0, None, 3.0, 40),
        (1.5, None, 2000.0, 4500),
    ] {
        let size = OrderSize::Geometric { mean };
        let m = model(Intensity::Constant { rate: 1.0 }, size.clone(), 0.0, 0.0);
        let severity: Vec<f64> = (1..=top as u64).map(|k| size.probability(k)).collect();
        let short = Distribution::new(&m, &severity, top, shape);
        assert!(short.geometric.is_some());
        let mut full = Distribution::new(&m, &severity, top, shape);
        full.geometric = None;
        let (a, b) = (short.pmf(mu), full.pmf(mu));
        let mut compared = 0;
        for (k, (x, y)) in a.iter().zip(&b).enumerate() {
            if *y > 1e-290 {
                compared += 1;
                assert!(
                    (x - y).abs() <= 1e-12 * y,
                    "mean {mean}, shape {shape:?}, mu {mu}, k {k}: {x} vs {y}"
                );
            } else {
                assert!(*x <= 1e-280, "k {k}: {x} vs {y}");
            }
        }
        assert!(compared > top / 4, "{compared} of {top} compared");
    }
}

#[test]
fn large_means_do_not_underflow() {
    // 2000 expected unit orders, thresholds around the mean: ψ(2000) at a = 2000 is about
    // σ·φ(0) = √2000 / √(2π) ≈ 17.8.
    let m = model(Intensity::Constant { rate: 1.0 }, OrderSize::One, 0.0, 0.0);
    let dist = Distribution::new(&m, &[1.0], 2000, None);
    let mut out = [0.0];
    dist.psi(2000.0, &[2000], &mut out);
    assert!((out[0] - 17.84).abs() < 0.2, "{}", out[0]);
}

/// The mean of the per-path controls over many paths agrees with the exact expectation
/// within a few standard errors, for every kind of demand risk.
#[test]
fn expectations_match_a_brute_force_monte_carlo() {
    let cases = [
        model(
            Intensity::Exponential {
                rate: 24.0,
                decay_rate: 2f64.ln() / 6.0,
            },
            OrderSize::Geometric { mean: 1.5 },
            0.0,
            0.0,
        ),
        model(
            Intensity::Table {
                rates: vec![5.0, 0.0, 12.5, 30.0, 2.0],
            },
            OrderSize::Geometric { mean: 2.0 },
            0.4,
            0.05,
        ),
        model(
            Intensity::Linear {
                rate: 30.0,
                end_years: 6.0,
            },
            OrderSize::Poisson { mean: 1.8 },
            0.3,
            0.0,
        ),
    ];
    let discount = Discount::new(0.05);
    let horizon = 8.0;
    let thresholds = [10u64, 40, 90];
    let streams = StreamFactory::new(11);
    for m in cases {
        let exact = expectations(&m, horizon, &discount, &thresholds).unwrap();
        let generator = DemandGenerator::new(&m, horizon, discount);
        let g_end = discount.discounted_time(horizon);
        let n = 40_000;
        let (mut sh, mut sh2, mut sl, mut sl2) = ([0.0; 3], [0.0; 3], [0.0; 3], [0.0; 3]);
        let mut path = DemandPath::default();
        let (mut h, mut l) = ([0.0; 3], [0.0; 3]);
        for k in 0..n {
            generator.generate(&streams, k, &mut path);
            path_controls(&path, &thresholds, g_end, &mut h, &mut l);
            for j in 0..3 {
                sh[j] += h[j];
                sh2[j] += h[j] * h[j];
                sl[j] += l[j];
                sl2[j] += l[j] * l[j];
            }
        }
        let nf = n as f64;
        for j in 0..3 {
            for (s, s2, e, what) in [
                (sh[j], sh2[j], exact.holding[j], "H"),
                (sl[j], sl2[j], exact.leftover[j], "L"),
            ] {
                let mean = s / nf;
                let se = ((s2 / nf - mean * mean) / (nf - 1.0)).sqrt();
                assert!(
                    (mean - e).abs() <= 4.0 * se + 1e-9 * e.abs() + 1e-6,
                    "{m:?} {what}_{}: {mean} ± {se} vs {e}",
                    thresholds[j]
                );
            }
        }
    }
}

#[test]
fn quadrature_is_converged() {
    // Doubling the panels' accuracy leaves the result within 1e-11 relative.
    let m = model(
        Intensity::Exponential {
            rate: 24.0,
            decay_rate: 2f64.ln() / 6.0,
        },
        OrderSize::Geometric { mean: 1.5 },
        0.6,
        0.03,
    );
    let discount = Discount::new(0.05);
    let e = expectations(&m, 25.0, &discount, &[60, 300]).unwrap();
    // A plain composite rule with 400 panels of 8 nodes per year as the reference.
    let dist = Distribution::new(
        &m,
        &m.order_size.truncated_pmf(1e-17, 300),
        300,
        Some(1.0 / 0.36),
    );
    let theta = m.obsolescence_rate();
    let g_end = discount.discounted_time(25.0);
    let mut reference = [0.0; 2];
    let panels = 25 * 400;
    let width = 25.0 / panels as f64;
    let mut psi = [0.0; 2];
    for p in 0..panels {
        let mid = (p as f64 + 0.5) * width;
        for (x, w) in GL8 {
            let s = mid + 0.5 * width * x;
            dist.psi(m.intensity.cumulative(s), &[60, 300], &mut psi);
            let surv = (-theta * s).exp();
            let wh =
                discount.factor(s) * surv + theta * surv * (g_end - discount.discounted_time(s));
            for (r, p) in reference.iter_mut().zip(psi) {
                *r += 0.5 * width * w * wh * p;
            }
        }
    }
    for (h, r) in e.holding.iter().zip(reference) {
        assert!((h - r).abs() <= 1e-11 * r, "{h} vs {r}");
    }
}

#[test]
fn path_controls_follow_the_stock_of_the_relative() {
    let order = |time: f64, units: u64| crate::demand::Order {
        time,
        units,
        discount: 1.0,
        discounted_time: time,
    };
    let path = DemandPath {
        orders: vec![order(1.0, 3), order(2.0, 4), order(5.0, 2)],
        rate_multiplier: 1.0,
        obsolete_at: None,
    };
    let (mut h, mut l) = ([0.0; 3], [0.0; 3]);
    path_controls(&path, &[2, 5, 20], 10.0, &mut h, &mut l);
    // a = 2: 2 units for 1 year. a = 5: 5 for 1 year, 2 for 1 more. a = 20: 20·1 + 17·1
    // + 13·3 + 11·5.
    assert_eq!(h, [2.0, 7.0, 20.0 + 17.0 + 13.0 * 3.0 + 11.0 * 5.0]);
    assert_eq!(l, [0.0, 0.0, 11.0]);
    let m = model(Intensity::Constant { rate: 1.0 }, OrderSize::One, 0.0, 0.0);
    let too_large = expectations(&m, 5.0, &Discount::new(0.0), &[MAX_THRESHOLD + 1]);
    assert!(matches!(too_large, Err(NotUsed::TooLarge { .. })));
}

/// Variance of the residual of `y` after least squares on the columns `x` (centred).
fn residual_variance(y: &[f64], x: &[Vec<f64>]) -> f64 {
    let n = y.len() as f64;
    let centre = |v: &[f64]| {
        let m = v.iter().sum::<f64>() / n;
        v.iter().map(|a| a - m).collect::<Vec<f64>>()
    };
    let mut r = centre(y);
    // Gram–Schmidt: project out each column in turn (dropping the dependent ones).
    let mut basis: Vec<Vec<f64>> = Vec::new();
    for col in x {
        let mut c = centre(col);
        for b in &basis {
            let d: f64 = c.iter().zip(b).map(|(u, v)| u * v).sum();
            c.iter_mut().zip(b).for_each(|(u, v)| *u -= d * v);
        }
        let norm = c.iter().map(|u| u * u).sum::<f64>().sqrt();
        let raw = centre(col).iter().map(|u| u * u).sum::<f64>().sqrt();
        if norm <= 1e-9 * raw.max(1e-300) {
            continue;
        }
        c.iter_mut().for_each(|u| *u /= norm);
        let d: f64 = r.iter().zip(&c).map(|(u, v)| u * v).sum();
        r.iter_mut().zip(&c).for_each(|(u, v)| *u -= d * v);
        basis.push(c);
    }
    r.iter().map(|u| u * u).sum::<f64>() / (n - basis.len() as f64 - 1.0)
}

/// A measurement more than a test (so not run by default): prints the variance reduction
/// of the demand controls alone and with the relative controls, per policy of every
/// bundled scenario, and checks that the controls' sample means agree with their exact
/// expectations (`cargo test --release --lib measure_relative -- --ignored --nocapture`;
/// `PATHS=N` for another path count).
#[test]
#[ignore]
fn measure_relative_controls() {
    use crate::engine::controls::Periods;
    use crate::inventory::{PathOutcome, PolicySimulator};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let n: u64 = std::env::var("PATHS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    for file in files {
        let Ok(loaded) = crate::scenario::Scenario::load(&file) else {
            continue;
        };
        let sc = &loaded.scenario;
        let Ok(plan) = Plan::new(sc) else { continue };
        let generator = DemandGenerator::new(&sc.demand, sc.horizon_years, plan.discount);
        let streams = StreamFactory::new(sc.simulation.seed);
        let years = (plan.horizon.time.ceil() as usize).max(1);
        let mut sim = PolicySimulator::new();
        let mut out = PathOutcome::default();
        let mut path = DemandPath::default();
        let g_end = plan.horizon.discounted_time;
        let thresholds: Vec<Vec<u64>> = plan
            .policies
            .iter()
            .map(|p| policy_thresholds(&plan, p))
            .collect();
        let mut all: Vec<u64> = thresholds.iter().flatten().copied().collect();
        all.sort_unstable();
        all.dedup();
        let exact = expectations(&sc.demand, plan.horizon.time, &plan.discount, &all);
        println!(
            "{}: thresholds {all:?} {:?}",
            file.display(),
            exact.as_ref().err()
        );
        let m = all.len();
        let mut ys = vec![Vec::new(); plan.policies.len()];
        let mut yearly = vec![Vec::new(); years];
        let mut disc_units = Vec::new();
        let (mut hs, mut ls) = (vec![Vec::new(); m], vec![Vec::new(); m]);
        let (mut h, mut l) = (vec![0.0; m], vec![0.0; m]);
        for k in 0..n {
            generator.generate(&streams, k, &mut path);
            let mut per_year = vec![0.0; years];
            let mut w = 0.0;
            for o in &path.orders {
                per_year[(o.time as usize).min(years - 1)] += o.units as f64;
                w += o.discount * o.units as f64;
            }
            for (y, v) in yearly.iter_mut().zip(per_year) {
                y.push(v);
            }
            disc_units.push(w);
            path_controls(&path, &all, g_end, &mut h, &mut l);
            for j in 0..m {
                hs[j].push(h[j]);
                ls[j].push(l[j]);
            }
            for (i, p) in plan.policies.iter().enumerate() {
                sim.simulate(&plan, p, &streams, k, &path, &mut out);
                ys[i].push(out.costs.total());
            }
        }
        if let Ok(e) = &exact {
            // The sample means of the controls against their exact expectations, in
            // standard errors.
            let z = |v: &[f64], mu: f64| {
                let nf = v.len() as f64;
                let mean = v.iter().sum::<f64>() / nf;
                let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (nf - 1.0);
                if var == 0.0 {
                    // Never varies (the stock always runs out): nothing to compare.
                    return f64::NAN;
                }
                (mean - mu) / (var / nf).sqrt()
            };
            let zs: Vec<String> = (0..m)
                .map(|j| {
                    format!(
                        "{:+.2}/{:+.2}",
                        z(&hs[j], e.holding[j]),
                        z(&ls[j], e.leftover[j])
                    )
                })
                .collect();
            println!("  z of H/L means vs exact: {}", zs.join(" "));
            // The exact expectations must agree with the paths (NaN: never varies).
            for j in 0..m {
                for zj in [z(&hs[j], e.holding[j]), z(&ls[j], e.leftover[j])] {
                    assert!(
                        zj.is_nan() || zj.abs() <= 5.0,
                        "{}: z = {zj}",
                        file.display()
                    );
                }
            }
        }
        for (i, p) in plan.policies.iter().enumerate() {
            let y = &ys[i];
            let plain = residual_variance(y, &[]);
            let periods = |count: usize| -> Vec<Vec<f64>> {
                let pr = Periods::new(years);
                let count = count.min(pr.count);
                (0..count)
                    .map(|a| {
                        (0..n as usize)
                            .map(|k| {
                                (0..years)
                                    .filter(|&yr| yr * count / years == a)
                                    .map(|yr| yearly[yr][k])
                                    .sum()
                            })
                            .collect()
                    })
                    .collect()
            };
            let own: Vec<Vec<f64>> = thresholds[i]
                .iter()
                .flat_map(|a| {
                    let j = all.iter().position(|b| b == a).unwrap();
                    [hs[j].clone(), ls[j].clone()]
                })
                .collect();
            let mut line = format!(
                "  {:<22} demand8 {:>7.2}",
                p.name,
                plain / residual_variance(y, &periods(8))
            );
            for count in [8, 4, 2, 1] {
                let mut x = periods(count);
                x.extend(own.iter().cloned());
                line += &format!(" | d{count}+rel {:>7.2}", plain / residual_variance(y, &x));
            }
            let mut x = periods(4);
            x.extend(own.iter().cloned());
            x.push(disc_units.clone());
            line += &format!(" | d4+rel+W {:>7.2}", plain / residual_variance(y, &x));
            println!("{line}");
        }
    }
}

/// The partners' reliability controls R_j = honoured − reliability·requests have mean exactly
/// 0, on a scenario where requests are frequent (heavy_machinery: two partners, reliabilities
/// 0.92 and 0.70): the simulated mean is within 4 standard errors of 0 for every partner
/// control, while the same counts against a reliability 0.1 lower are many standard errors away
/// (the check can fail).
#[test]
fn reliability_controls_have_mean_zero() {
    use crate::inventory::{PathOutcome, PolicySimulator};
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/heavy_machinery.toml");
    let sc = crate::scenario::Scenario::load(&file).unwrap().scenario;
    let plan = Plan::new(&sc).unwrap();
    let set = RelativeSet::new(&sc.demand, &plan);
    let generator = DemandGenerator::new(&sc.demand, sc.horizon_years, plan.discount);
    let streams = StreamFactory::new(11);
    let (mut sim, mut out, mut path) = (
        PolicySimulator::new(),
        PathOutcome::default(),
        DemandPath::default(),
    );
    let release: Vec<usize> = (0..plan.policies.len())
        .filter(|&p| !set.partners_of_policy[p].is_empty())
        .collect();
    assert!(!release.is_empty());
    let n = 4000;
    // Per (policy, partner): Σx, Σx² of R_j, and of R_j with the reliability 0.1 lower.
    let mut sums = std::collections::BTreeMap::<(usize, usize), [f64; 4]>::new();
    for k in 0..n {
        generator.generate(&streams, k, &mut path);
        for &p in &release {
            sim.simulate(&plan, &plan.policies[p], &streams, k, &path, &mut out);
            let mut x = vec![0.0; set.controls_of(p)];
            let zeros = vec![0.0; set.thresholds.len()];
            set.policy_controls(p, &plan, &zeros, &zeros, &out.partners, &mut x);
            let base = 2 * set.of_policy[p].len();
            for (q, &j) in set.partners_of_policy[p].iter().enumerate() {
                let c = &out.partners[j];
                let off =
                    c.honoured as f64 - (plan.partners[j].reliability - 0.1) * c.requests as f64;
                let s = sums.entry((p, j)).or_default();
                s[0] += x[base + q];
                s[1] += x[base + q] * x[base + q];
                s[2] += off;
                s[3] += off * off;
            }
        }
    }
    let z = |sum: f64, squares: f64| {
        let mean = sum / n as f64;
        let var = (squares / n as f64 - mean * mean) * n as f64 / (n - 1) as f64;
        mean / (var / n as f64).sqrt()
    };
    assert!(sums.len() >= 2, "{sums:?}");
    let mut detectable = 0;
    for ((p, j), s) in &sums {
        assert!(s[1] > 0.0, "policy {p} partner {j}: no requests");
        let (right, wrong) = (z(s[0], s[1]), z(s[2], s[3]));
        println!("policy {p} partner {j}: z = {right:.2}, with the wrong reliability {wrong:.1}");
        assert!(right.abs() < 4.0, "policy {p} partner {j}: z = {right}");
        // A partner asked rarely (the second, after the first could serve) shows a small bias
        // only weakly; the ones asked often must show it plainly.
        detectable += usize::from(wrong > 8.0);
    }
    assert!(
        detectable >= 2,
        "the wrong reliability went unnoticed: {sums:?}"
    );
}

/// The work budget counts the geometric sizes' short recursion as it runs: a stock that the
/// full recursion could not afford (one operation per unit and size) is a control with
/// geometric sizes, and stays out with sizes of the same mean from another family.
#[test]
fn geometric_sizes_afford_larger_stocks() {
    let geometric = model(
        Intensity::Constant { rate: 50.0 },
        OrderSize::Geometric { mean: 1.5 },
        0.0,
        0.0,
    );
    let poisson = model(
        Intensity::Constant { rate: 50.0 },
        OrderSize::Poisson { mean: 1.5 },
        0.0,
        0.0,
    );
    // 5 years: 340 evaluations guessed; 100,000 units count 2.0e8 operations by the short
    // recursion, about 4.4e8 by the full one (13 sizes above the tail of 1e-13).
    assert!(severity_within_budget(&geometric, 5.0, &[100_000]).is_ok());
    match severity_within_budget(&poisson, 5.0, &[100_000]) {
        Err(NotUsed::TooMuchWork { operations }) => assert!(operations > MAX_WORK),
        other => panic!("{other:?}"),
    }
    // Past the short recursion's own budget, geometric sizes are refused too.
    assert!(matches!(
        severity_within_budget(&geometric, 5.0, &[400_000]),
        Err(NotUsed::TooMuchWork { .. })
    ));
}
