//! `pimsim fit`: statistical properties of the estimators on simulated histories with known
//! parameters, the Syntetos–Boylan classes, and the command line.

use std::fs;

use crate::common::pimsim;
use pimsim::demand::{DemandGenerator, DemandModel, DemandPath, Intensity, OrderSize};
use pimsim::discount::Discount;
use pimsim::fit::{self, DecayModel, DemandClass, PartHistory, classify};
use pimsim::rng::{Stream, StreamFactory};

/// Monthly history of `months` months simulated exactly from `intensity` (single-unit orders).
fn simulate(intensity: Intensity, months: usize, seed: u64, k: u64) -> PartHistory {
    let model = DemandModel {
        intensity,
        order_size: OrderSize::One,
        rate_cv: 0.0,
        obsolescence_annual_probability: 0.0,
    };
    let generator = DemandGenerator::new(&model, months as f64 / 12.0, Discount::new(0.0));
    let mut path = DemandPath::default();
    generator.generate(&StreamFactory::new(seed), k, &mut path);
    PartHistory::from_orders("P", months, path.orders.iter().map(|o| (o.time, o.units)))
}

/// The binomial tolerance of an observed proportion out of `n` around `p`: 3 standard errors.
fn tolerance(p: f64, n: usize) -> f64 {
    3.0 * (p * (1.0 - p) / n as f64).sqrt()
}

/// Over 400 parts with a known exponential decay (λ0 = 30 orders/year, half-life 3 years, 8
/// years of monthly counts, about 150 orders each), the 95 % Wald intervals (estimate ± 1.96
/// s.e. from the observed information) of β and of λ0 cover the true values at a rate within
/// the binomial tolerance of 0.95 (0.95 ± 0.033). Measured with seed 11: β 0.9425, λ0 0.9550.
#[test]
fn exponential_intervals_cover_the_true_values_at_95_percent() {
    let (rate, beta) = (30.0, 2f64.ln() / 3.0);
    let n = 400;
    let (mut cover_beta, mut cover_rate) = (0, 0);
    for k in 0..n {
        let h = simulate(
            Intensity::Exponential {
                rate,
                decay_rate: beta,
            },
            96,
            11,
            k,
        );
        let fit = fit::fit_intensity(&h.orders);
        let e = fit.candidate(DecayModel::Exponential);
        let (b, b_se) = (e.shape.unwrap(), e.shape_se.unwrap());
        cover_beta += usize::from((b - beta).abs() <= 1.96 * b_se);
        cover_rate += usize::from((e.rate - rate).abs() <= 1.96 * e.rate_se);
    }
    let (pb, pr) = (cover_beta as f64 / n as f64, cover_rate as f64 / n as f64);
    eprintln!("coverage over {n} parts: decay rate {pb:.4}, rate level {pr:.4}");
    let tol = tolerance(0.95, n as usize);
    assert!(
        (pb - 0.95).abs() <= tol,
        "β coverage {pb} not within 0.95 ± {tol:.4}"
    );
    assert!(
        (pr - 0.95).abs() <= tol,
        "λ0 coverage {pr} not within 0.95 ± {tol:.4}"
    );
}

/// Coverage of the 95 % intervals of a linear decay from λ0 = 30 orders/year ending at `end`
/// years, over 400 parts with 8 years observed: (t_end ± 1.96 s.e., the same interval on the
/// decline κ = 1/t_end (s.e. of κ = s.e. of t_end / t_end²), λ0 ± 1.96 s.e.).
fn linear_coverage(end: f64, seed: u64) -> (f64, f64, f64) {
    let (rate, n) = (30.0, 400);
    let (mut tau, mut kappa, mut level) = (0, 0, 0);
    for k in 0..n {
        let h = simulate(
            Intensity::Linear {
                rate,
                end_years: end,
            },
            96,
            seed,
            k,
        );
        let fit = fit::fit_intensity(&h.orders);
        let l = fit.candidate(DecayModel::Linear);
        let (t, t_se) = (l.shape.unwrap(), l.shape_se.unwrap());
        tau += usize::from((t - end).abs() <= 1.96 * t_se);
        kappa += usize::from((1.0 / t - 1.0 / end).abs() <= 1.96 * t_se / (t * t));
        level += usize::from((l.rate - rate).abs() <= 1.96 * l.rate_se);
    }
    let p = |c: usize| c as f64 / n as f64;
    (p(tau), p(kappa), p(level))
}

/// A linear decay still running at the end of the history (t_end = 12 years, 8 observed,
/// about 160 orders per part): the interval on the decline κ = 1/t_end and that of λ0 cover
/// the truth within the binomial tolerance of 0.95 (measured with seed 12: κ 0.935, λ0 0.9275;
/// the symmetric interval on t_end itself covers only 0.9125: t_end's estimate is skewed,
/// which is why `fit` reports its interval from κ's). When demand ends inside the history
/// (t_end = 6 years) the end is an endpoint of the support, a non-regular problem whose
/// observed information is optimistic: measured t_end 0.8925, κ 0.91 — reported, not
/// asserted; λ0's interval (0.94) is still asserted.
#[test]
fn linear_intervals_cover_the_true_values() {
    let tol = tolerance(0.95, 400);
    let (tau, kappa, level) = linear_coverage(12.0, 12);
    eprintln!("linear, end 12 y: coverage t_end {tau:.4}, κ {kappa:.4}, λ0 {level:.4}");
    assert!((kappa - 0.95).abs() <= tol, "κ coverage {kappa}");
    assert!((level - 0.95).abs() <= tol, "λ0 coverage {level}");
    let (tau, kappa, level) = linear_coverage(6.0, 12);
    eprintln!("linear, end 6 y: coverage t_end {tau:.4}, κ {kappa:.4}, λ0 {level:.4}");
    assert!((level - 0.95).abs() <= tol, "λ0 coverage {level}");
}

/// Share of `n` simulated parts for which AIC chooses `expected`.
fn choice_rate(intensity: Intensity, expected: DecayModel, n: u64, seed: u64) -> f64 {
    let hits = (0..n)
        .filter(|&k| {
            let h = simulate(intensity.clone(), 96, seed, k);
            fit::fit_intensity(&h.orders).best().model == expected
        })
        .count();
    hits as f64 / n as f64
}

/// Model choice by AIC on 8 years of monthly counts, 200 parts per model: linear decay to zero
/// at 6 years from 40 orders/year (claimed rate 0.95; measured 1.000 with seed 5),
/// exponential decay from 40 orders/year with a half-life of 2 years (claimed 0.88; measured
/// 0.900) and a flat 20 orders/year (claimed 0.90; measured 0.930). Each must be recognised
/// in at least the claimed share minus 3 binomial standard errors; the shares are printed.
#[test]
fn aic_chooses_the_true_model_in_most_cases() {
    let n = 200;
    let cases = [
        (
            Intensity::Linear {
                rate: 40.0,
                end_years: 6.0,
            },
            DecayModel::Linear,
            0.95,
        ),
        (
            Intensity::Exponential {
                rate: 40.0,
                decay_rate: 2f64.ln() / 2.0,
            },
            DecayModel::Exponential,
            0.88,
        ),
        (
            Intensity::Constant { rate: 20.0 },
            DecayModel::Constant,
            0.80,
        ),
    ];
    for (intensity, model, claimed) in cases {
        let rate = choice_rate(intensity, model, n, 5);
        eprintln!("{}: chosen in {rate:.3} of {n} parts", model.as_str());
        assert!(
            rate >= claimed - tolerance(claimed, n as usize),
            "{} chosen in only {rate} of parts (claimed {claimed})",
            model.as_str()
        );
    }
}

/// The likelihood-ratio tests of a decay hold their size: over 400 constant-rate histories
/// (15 orders/year, 6 years of monthly counts, about 90 orders each) the exponential and the
/// linear test each reject at the 5 % level in a share within 3 binomial standard errors of
/// 0.05 (0.05 ± 0.033), and their p-values are spread over (0, 1] like uniform ones (a
/// quarter of them below 0.25, within tolerance). They also have power: 200 histories decaying
/// exponentially from 30 orders/year with a half-life of 3 years are rejected (exponential test
/// p < 0.05) in at least 90 % of the parts. Measured with seed 23: size 0.0725 (exponential),
/// 0.0750 (linear) — two binomial standard errors high by chance: over 4,000 such parts (seed
/// 99, a scratch run) the sizes were 0.054 and 0.055, and 0.047–0.053 at 5 and 60 orders/year;
/// below 0.25: 0.2625 and 0.2650; power 0.990.
#[test]
fn likelihood_ratio_tests_hold_their_size_and_detect_a_decay() {
    let n = 400;
    let (mut reject_e, mut reject_l, mut quarter_e, mut quarter_l) = (0, 0, 0, 0);
    for k in 0..n {
        let h = simulate(Intensity::Constant { rate: 15.0 }, 72, 23, k);
        let fit = fit::fit_part(&h);
        let (pe, pl) = (
            fit.decay_tests.exponential.p_value,
            fit.decay_tests.linear.p_value,
        );
        assert!(pe > 0.0 && pe <= 1.0 && pl > 0.0 && pl <= 1.0, "{pe} {pl}");
        reject_e += usize::from(pe < 0.05);
        reject_l += usize::from(pl < 0.05);
        quarter_e += usize::from(pe < 0.25);
        quarter_l += usize::from(pl < 0.25);
    }
    let share = |c: usize| c as f64 / n as f64;
    eprintln!(
        "size over {n} constant parts: exponential {:.4}, linear {:.4}; below 0.25: {:.4}, {:.4}",
        share(reject_e),
        share(reject_l),
        share(quarter_e),
        share(quarter_l)
    );
    for (name, c, p) in [
        ("exponential size", reject_e, 0.05),
        ("linear size", reject_l, 0.05),
        ("exponential p < 0.25", quarter_e, 0.25),
        ("linear p < 0.25", quarter_l, 0.25),
    ] {
        let tol = tolerance(p, n as usize);
        assert!(
            (share(c) - p).abs() <= tol,
            "{name}: {} not within {p} ± {tol:.4}",
            share(c)
        );
    }

    let m = 200;
    let detected = (0..m)
        .filter(|&k| {
            let h = simulate(
                Intensity::Exponential {
                    rate: 30.0,
                    decay_rate: 2f64.ln() / 3.0,
                },
                72,
                23,
                k,
            );
            fit::fit_part(&h).decay_tests.exponential.p_value < 0.05
        })
        .count();
    eprintln!(
        "power over {m} decaying parts: {:.4}",
        detected as f64 / m as f64
    );
    assert!(
        detected as f64 / m as f64 >= 0.90,
        "a halving every 3 years detected in only {detected} of {m} parts"
    );
}

/// The exact form of the tests on a constructed history: flat counts give LR = 0 (p = 1 for
/// the boundary test of the linear decline, p = 1/2 for the signed root of the exponential),
/// and a growing rate is no evidence of a decay (p > 1/2).
#[test]
fn likelihood_ratio_tests_on_constructed_counts() {
    let flat = PartHistory::from_orders("F", 24, (0..48).map(|i| ((i as f64 + 0.5) / 24.0, 1)));
    assert_eq!(flat.orders, vec![2; 24]);
    let t = fit::fit_part(&flat).decay_tests;
    assert!(t.exponential.statistic < 1e-9, "{t:?}");
    assert!((t.exponential.p_value - 0.5).abs() < 1e-4, "{t:?}");
    assert!(t.linear.statistic < 1e-6, "{t:?}");
    assert!(t.linear.p_value > 0.49, "{t:?}");
    // Counts growing 1, 2, …, 24 per month.
    let growing = PartHistory::from_orders(
        "G",
        24,
        (0..24).flat_map(|m| {
            (0..=m).map(move |j| ((m as f64 + (j as f64 + 0.5) / (m as f64 + 1.0)) / 12.0, 1))
        }),
    );
    let t = fit::fit_part(&growing).decay_tests;
    assert!(t.exponential.statistic > 10.0, "{t:?}");
    assert!(t.exponential.p_value > 0.99, "{t:?}");
}

/// Demand blocks "as of the end of the history" (`--origin end`): over 400 parts with a known
/// exponential decay (λ0 = 30 orders/year, half-life 3 years, 8 years observed) and 400 with a
/// linear decline ending beyond the history (λ0 = 30, end at 14 years), the 95 % interval of
/// the rate at the end, ln λ̂(T) ± 1.96·(delta-method s.e. with the covariance of ln λ0 and the
/// decay parameter), covers the true λ(T) at a rate within 3 binomial standard errors of 0.95.
/// The shifted model is the fitted one moved: the same half-life from λ̂(T); the same decline,
/// ending T years earlier. The true model's fit is used, as in the coverage tests above.
/// Measured with seed 31: exponential 0.9575, linear 0.9775 (on the safe side: the end of a
/// linear decline is estimated with a skew, see the linear coverage test).
#[test]
fn rate_at_the_end_of_the_history_has_honest_intervals() {
    let n = 400;
    let months = 96;
    let t_end = months as f64 / 12.0;
    let cases = [
        Intensity::Exponential {
            rate: 30.0,
            decay_rate: 2f64.ln() / 3.0,
        },
        Intensity::Linear {
            rate: 30.0,
            end_years: 14.0,
        },
    ];
    for truth in cases {
        let true_rate = truth.rate(t_end);
        let mut covered = 0;
        for k in 0..n {
            let h = simulate(truth.clone(), months, 31, k);
            let mut fit = fit::fit_part(&h);
            // The interval of the true model's fit (as the coverage tests above; AIC's choice
            // is tested apart).
            fit.intensity.chosen = match truth {
                Intensity::Exponential { .. } => 1,
                _ => 2,
            };
            let at_origin = fit.intensity_model();
            fit.time_origin = fit::TimeOrigin::End;
            let shifted = fit.intensity_model();
            assert_eq!(fit.shift_years(), t_end);
            // The shifted model is the fitted one, moved by T.
            for t in [0.0, 1.0, 5.5] {
                let (a, b) = (shifted.rate(t), at_origin.rate(t + t_end));
                assert!((a - b).abs() <= 1e-9 * b.max(1.0), "{t}: {a} vs {b}");
            }
            let fitted = shifted.rate(0.0);
            let se = fit.log_rate_se();
            assert!(se.is_finite() && se > 0.0, "{se}");
            assert_eq!(fit.rate_cv(), se.min(10.0));
            covered += usize::from((fitted.ln() - true_rate.ln()).abs() <= 1.96 * se);
        }
        let share = covered as f64 / n as f64;
        eprintln!("rate at the end, {truth:?}: coverage {share:.4} over {n} parts");
        let tol = tolerance(0.95, n as usize);
        assert!(
            (share - 0.95).abs() <= tol,
            "{truth:?}: coverage {share} not within 0.95 ± {tol:.4}"
        );
    }
}

#[test]
fn syntetos_boylan_classes_by_hand() {
    let repeat = |pattern: &[u64], months: usize| -> Vec<u64> {
        pattern.iter().copied().cycle().take(months).collect()
    };
    let smooth = repeat(&[5, 6], 24);
    let intermittent = repeat(&[5, 0], 24);
    let erratic = repeat(&[1, 10], 24);
    let lumpy = repeat(&[1, 0, 10, 0], 24);
    for (series, class) in [
        (smooth, DemandClass::Smooth),
        (intermittent, DemandClass::Intermittent),
        (erratic, DemandClass::Erratic),
        (lumpy, DemandClass::Lumpy),
    ] {
        assert_eq!(classify(&series).class, class, "{series:?}");
    }
    // Boundaries belong to the upper side. ADI = 33/25 = 1.32 exactly, equal sizes (CV² = 0).
    let mut at_adi: Vec<u64> = vec![4; 25];
    at_adi.extend([0; 8]);
    let c = classify(&at_adi);
    assert_eq!(c.adi, 1.32);
    assert_eq!(c.class, DemandClass::Intermittent);
    // One more non-zero month: ADI 33/26 < 1.32.
    at_adi[25] = 4;
    assert_eq!(classify(&at_adi).class, DemandClass::Smooth);
    // CV² = 49/100 = 0.49 exactly (sizes 3 and 17: mean 10, variance 49), demand every month.
    let at_cv2 = repeat(&[3, 17], 24);
    let c = classify(&at_cv2);
    assert_eq!(c.cv2, 0.49);
    assert_eq!(c.class, DemandClass::Erratic);
    // Sizes 4 and 16 (CV² = 0.36) stay smooth.
    assert_eq!(classify(&repeat(&[4, 16], 24)).class, DemandClass::Smooth);
    // Both on their cut-offs: 66 months, 50 with demand, sizes 3 and 17.
    let mut both = repeat(&[3, 17], 50);
    both.extend([0; 16]);
    let c = classify(&both);
    assert_eq!((c.adi, c.cv2), (1.32, 0.49));
    assert_eq!(c.class, DemandClass::Lumpy);
}

fn sizes(dist: &OrderSize, n: usize, seed: u64) -> Vec<u64> {
    let sampler = dist.sampler();
    let mut rng = StreamFactory::new(seed).open(0, Stream::OrderSizes);
    (0..n).map(|_| sampler.sample(&mut rng)).collect()
}

/// 3,000 orders from each distribution: the fit chooses the true distribution and its mean is
/// within 3 standard errors of the true mean. Single-unit orders give `one`.
#[test]
fn order_size_fit_recovers_distribution_and_mean() {
    for (seed, dist) in [
        OrderSize::Poisson { mean: 2.5 },
        OrderSize::Geometric { mean: 3.0 },
        OrderSize::NegativeBinomial {
            mean: 4.0,
            dispersion: 1.5,
        },
    ]
    .into_iter()
    .enumerate()
    {
        let fit = fit::fit_order_size(&sizes(&dist, 3000, seed as u64));
        assert_eq!(
            std::mem::discriminant(&fit.distribution),
            std::mem::discriminant(&dist),
            "{dist:?} fitted as {:?}",
            fit.distribution
        );
        let (m, se) = (fit.distribution.mean(), fit.mean_se);
        assert!(
            (m - dist.mean()).abs() <= 3.0 * se,
            "{dist:?}: mean {m} ± {se}"
        );
        let true_se = (dist.variance() / 3000.0).sqrt();
        assert!(
            (se / true_se - 1.0).abs() < 0.2,
            "{dist:?}: s.e. {se} vs {true_se}"
        );
    }
    assert_eq!(
        fit::fit_order_size(&sizes(&OrderSize::One, 500, 1)).distribution,
        OrderSize::One
    );
}

/// The committed history, composed with a template, gives scenarios `pimsim check` accepts, and
/// a parts CSV whose first columns are the dotted scenario keys.
#[test]
fn fit_on_the_committed_history_writes_valid_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fits");
    let run = pimsim()
        .args([
            "fit",
            "scenarios/history/history.csv",
            "--template",
            "scenarios/benchmark.toml",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let table = String::from_utf8(run.stdout).unwrap();
    assert!(
        table.starts_with("part ") && table.contains("P0300"),
        "{table}"
    );
    let parts = fs::read_to_string(out.join("parts.csv")).unwrap();
    let header = parts.lines().next().unwrap();
    assert!(header.starts_with(
        "part,demand.model,demand.rate,demand.half_life_years,demand.end_years,\
         demand.order_size.distribution,demand.order_size.mean,demand.order_size.dispersion,\
         demand.uncertainty.rate_cv,fit."
    ));
    assert_eq!(parts.lines().count(), 301);
    // Observed and fitted cumulative orders: one row per part and month; at a part's last
    // month both equal its orders (the rate's MLE makes the fitted total the observed one).
    let mut orders = std::collections::HashMap::new();
    let mut reader = csv::Reader::from_path(out.join("parts.csv")).unwrap();
    let at = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == "fit.orders")
        .unwrap();
    for row in reader.records() {
        let row = row.unwrap();
        orders.insert(row[0].to_string(), row[at].parse::<f64>().unwrap());
    }
    let mut last: std::collections::BTreeMap<String, (u64, f64, f64)> = Default::default();
    for row in csv::Reader::from_path(out.join("fit_cumulative.csv"))
        .unwrap()
        .records()
    {
        let row = row.unwrap();
        let entry = last.entry(row[0].to_string()).or_insert((0, 0.0, 0.0));
        let month: u64 = row[1].parse().unwrap();
        assert_eq!(month, entry.0 + 1, "months run 1, 2, … per part");
        *entry = (month, row[2].parse().unwrap(), row[3].parse().unwrap());
    }
    assert_eq!(last.len(), 300);
    for (part, (_, observed, fitted)) in &last {
        assert_eq!(*observed, orders[part], "{part}");
        assert!(
            (fitted - observed).abs() <= 1e-5 * observed.max(1.0),
            "{part}: {fitted} vs {observed}"
        );
    }
    assert!(
        fs::read_to_string(out.join("fit_cumulative.svg"))
            .unwrap()
            .contains("<svg")
    );
    assert!(
        fs::read(out.join("fit_cumulative.png"))
            .unwrap()
            .starts_with(b"\x89PNG")
    );
    // The template's comments are kept; its demand is replaced.
    let composed = fs::read_to_string(out.join("P0003.toml")).unwrap();
    assert!(composed.contains("# The typical scenario of the performance issue"));
    assert!(composed.contains("name = \"P0003\"") && !composed.contains("rate = 24.0"));
    let mut check = pimsim();
    check.arg("check");
    for k in [1, 2, 3, 50, 300] {
        check.arg(out.join(format!("P{k:04}.toml")));
    }
    let checked = check.output().unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stderr)
    );

    // Without a template the files hold the demand block only, which pastes into a scenario.
    let blocks = dir.path().join("blocks");
    pimsim()
        .args(["fit", "scenarios/history/history.csv", "--quiet", "--out"])
        .arg(&blocks)
        .assert()
        .success();
    let block = fs::read_to_string(blocks.join("P0003.toml")).unwrap();
    let template = fs::read_to_string("scenarios/benchmark.toml").unwrap();
    let start = template.find("[demand]").unwrap();
    let end = template.find("[costs]").unwrap();
    let pasted = format!("{}{block}\n{}", &template[..start], &template[end..]);
    pimsim::scenario::Scenario::from_toml(std::path::Path::new("pasted.toml"), &pasted)
        .unwrap_or_else(|e| panic!("{e}\n{pasted}"));
}

/// `--origin end`: every part's demand starts at the end of its history: `demand.rate` is the
/// fitted rate there (`fit.rate_at_end`), `fit.shift_years` its observed years, and an
/// exponential keeps its half-life.
#[test]
fn origin_end_starts_the_demand_at_the_end_of_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let (eop, end) = (dir.path().join("eop"), dir.path().join("end"));
    for (out, origin) in [(&eop, "eop"), (&end, "end")] {
        pimsim()
            .args([
                "fit",
                "scenarios/history/history.csv",
                "--quiet",
                "--origin",
                origin,
                "--out",
            ])
            .arg(out)
            .assert()
            .success();
    }
    let rows = |d: &std::path::Path| -> Vec<csv::StringRecord> {
        csv::Reader::from_path(d.join("parts.csv"))
            .unwrap()
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let header = csv::Reader::from_path(end.join("parts.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let num = |r: &csv::StringRecord, name: &str| r[col(name)].parse::<f64>().ok();
    let (a, b) = (rows(&eop), rows(&end));
    assert_eq!(a.len(), 300);
    let mut decaying = 0;
    for (a, b) in a.iter().zip(&b) {
        let months = num(b, "fit.months").unwrap();
        assert_eq!(num(a, "fit.shift_years"), Some(0.0));
        assert!((num(b, "fit.shift_years").unwrap() - months / 12.0).abs() < 1e-5);
        let at_end = num(b, "fit.rate_at_end").unwrap();
        let rate = num(b, "demand.rate").unwrap();
        assert!(
            (rate - at_end).abs() <= 1e-5 * at_end.max(1.0),
            "{}: {rate} vs {at_end}",
            &b[0]
        );
        assert_eq!(
            a[col("demand.half_life_years")],
            b[col("demand.half_life_years")]
        );
        if b[col("demand.model")] == *"exponential" {
            decaying += 1;
            assert!(rate < num(a, "demand.rate").unwrap());
        }
    }
    assert!(decaying > 0);
    let toml = fs::read_to_string(end.join("P0003.toml")).unwrap();
    assert!(toml.contains("t = 0 is the end of the history"), "{toml}");
}

/// A single-part history can be written to one scenario file.
#[test]
fn single_part_history_writes_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("one.csv");
    let mut text = String::from("part,period,quantity\n");
    for m in 0..48 {
        for _ in 0..(3 * (48 - m) / 48) {
            text.push_str(&format!("X-1,{m},2\n"));
        }
    }
    fs::write(&history, text).unwrap();
    let file = dir.path().join("x.toml");
    pimsim()
        .arg("fit")
        .arg(&history)
        .args(["--template", "scenarios/benchmark.toml", "--out"])
        .arg(&file)
        .assert()
        .success();
    pimsim().arg("check").arg(&file).assert().success();
}

/// Bad history files: exit code 2 and a message naming the file, line, column and value.
#[test]
fn bad_history_rows_are_reported_with_file_line_column_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "part,period\nA,0\n",
            "h.csv:1:0: error: `quantity`: missing column `quantity`",
        ),
        (
            "part,period,quantity\nA,0,1\nA,1,two\n",
            "h.csv:3:3: error: `quantity` = \"two\": not a whole number",
        ),
        (
            "part,period,quantity\nA,0,-4\n",
            "h.csv:2:3: error: `quantity` = \"-4\": negative quantity",
        ),
        (
            "part,period,quantity\nA,2021-02-30,1\n",
            "h.csv:2:2: error: `period` = \"2021-02-30\": day 30 does not exist in 2021-02",
        ),
        (
            "part,period,quantity\nA,2021-13,1\n",
            "h.csv:2:2: error: `period` = \"2021-13\": month 13 is not 01..12",
        ),
        (
            "part,period,quantity\nA,2021-03,0\nB,2021-03,1\nA,2021-03,2\n",
            "h.csv:4:2: error: `period` = \"2021-03\": duplicate: part \"A\" already has a row \
             for this month on line 2",
        ),
    ];
    for (text, expected) in cases {
        let file = dir.path().join("h.csv");
        fs::write(&file, text).unwrap();
        let out = pimsim()
            .arg("fit")
            .arg(&file)
            .arg("--out")
            .arg(dir.path().join("out"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {stderr}");
        assert!(
            stderr.contains(expected),
            "expected {expected:?} in:\n{stderr}"
        );
        assert!(
            !dir.path().join("out").exists(),
            "nothing is written on bad input"
        );
    }
}
