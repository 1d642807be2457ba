//! Each demand model's simulated units match the exact integral of its intensity, window by
//! window, and arrival times follow the normalised cumulative intensity (Kolmogorov–Smirnov).
//! The expected values are computed here, independently of the library's own integrals.

use pimsim::demand::{DemandGenerator, DemandPath};
use pimsim::discount::Discount;
use pimsim::rng::StreamFactory;

use crate::common::{assert_within_se, mean_se, scenario, simpson};

struct Case {
    name: &'static str,
    horizon: f64,
    demand: &'static str,
    /// λ(t) written out independently of the library.
    lambda: fn(f64) -> f64,
    /// Sudden-death rate θ (per year): the expected intensity is λ(t)·e^(−θt).
    theta: f64,
    mean_size: f64,
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "constant",
            horizon: 10.0,
            demand: r#"model = "constant"
rate = 3.0"#,
            lambda: |_| 3.0,
            theta: 0.0,
            mean_size: 1.0,
        },
        Case {
            name: "exponential, geometric sizes",
            horizon: 25.0,
            demand: r#"model = "exponential"
rate = 24.0
half_life_years = 6.0
[demand.order_size]
distribution = "geometric"
mean = 1.5"#,
            lambda: |t| 24.0 * (-(2f64.ln() / 6.0) * t).exp(),
            theta: 0.0,
            mean_size: 1.5,
        },
        Case {
            name: "linear past its end",
            horizon: 15.0,
            demand: r#"model = "linear"
rate = 10.0
end_years = 12.0"#,
            lambda: |t| 10.0 * (1.0 - t / 12.0).max(0.0),
            theta: 0.0,
            mean_size: 1.0,
        },
        Case {
            name: "installed base, wear-out fleet (thinning)",
            horizon: 30.0,
            demand: r#"model = "installed_base"
units_in_field = 2000
retirement_scale_years = 15.0
retirement_shape = 2.5
failure_rate = 0.01
failure_growth = 0.03"#,
            lambda: |t| 2000.0 * (-(t / 15.0f64).powf(2.5)).exp() * 0.01 * 1.03f64.powf(t),
            theta: 0.0,
            mean_size: 1.0,
        },
        Case {
            name: "installed base, shape 1 (inversion)",
            horizon: 20.0,
            demand: r#"model = "installed_base"
units_in_field = 800
retirement_scale_years = 10.0
failure_rate = 0.02
failure_growth = 0.05
[demand.order_size]
distribution = "negative_binomial"
mean = 2.5
dispersion = 0.7"#,
            lambda: |t| 800.0 * (-t / 10.0).exp() * 0.02 * 1.05f64.powf(t),
            theta: 0.0,
            mean_size: 2.5,
        },
        Case {
            name: "table with a zero year, last rate held",
            horizon: 6.0,
            demand: r#"model = "table"
rates = [5.0, 4.0, 0.0, 2.5]"#,
            lambda: |t| [5.0, 4.0, 0.0, 2.5][(t.floor() as usize).min(3)],
            theta: 0.0,
            mean_size: 1.0,
        },
        Case {
            name: "exponential with rate uncertainty and sudden death",
            horizon: 20.0,
            demand: r#"model = "exponential"
rate = 12.0
decay_rate = 0.1
[demand.uncertainty]
rate_cv = 0.5
[demand.obsolescence]
annual_probability = 0.1"#,
            lambda: |t| 12.0 * (-0.1 * t).exp(),
            theta: -(0.9f64.ln()),
            mean_size: 1.0,
        },
    ]
}

/// The midpoint rule split at whole years, where the table model jumps (never evaluated on a
/// jump).
fn piecewise(f: impl Fn(f64) -> f64, a: f64, b: f64) -> f64 {
    let mut total = 0.0;
    let mut lo = a;
    while lo < b {
        let hi = (lo.floor() + 1.0).min(b);
        let n = 20_000;
        let h = (hi - lo) / n as f64;
        total += (0..n).map(|i| f(lo + (i as f64 + 0.5) * h)).sum::<f64>() * h;
        lo = hi;
    }
    total
}

fn toml_for(case: &Case) -> String {
    format!(
        r#"[scenario]
horizon_years = {}
[part]
unit_cost = 1
on_hand = 0
[demand]
{}
[costs]
holding_rate = 0.1
shortage_penalty = 1
[[policy]]
name = "hold"
kind = "hold"
"#,
        case.horizon, case.demand
    )
}

#[test]
fn simulated_units_match_exact_cumulative_intensity_in_every_window() {
    let paths = 6000;
    for case in cases() {
        let s = scenario(&toml_for(&case));
        let generator = DemandGenerator::new(&s.demand, s.horizon_years, Discount::new(0.0));
        let streams = StreamFactory::new(2024);
        let windows = 5;
        let width = case.horizon / windows as f64;
        let mut per_window: Vec<Vec<f64>> = vec![Vec::with_capacity(paths); windows + 1];
        let mut path = DemandPath::default();
        for k in 0..paths as u64 {
            generator.generate(&streams, k, &mut path);
            let mut counts = vec![0.0; windows + 1];
            for o in &path.orders {
                assert!(o.time >= 0.0 && o.time < case.horizon && o.units >= 1);
                counts[((o.time / width) as usize).min(windows - 1)] += o.units as f64;
                counts[windows] += o.units as f64;
            }
            assert!(path.orders.windows(2).all(|w| w[0].time <= w[1].time));
            for (w, c) in per_window.iter_mut().zip(counts) {
                w.push(c);
            }
        }
        for (w, values) in per_window.iter().enumerate() {
            let (a, b) = if w == windows {
                (0.0, case.horizon)
            } else {
                (w as f64 * width, (w + 1) as f64 * width)
            };
            let exact =
                case.mean_size * piecewise(|t| (case.lambda)(t) * (-case.theta * t).exp(), a, b);
            assert_within_se(
                &format!("{}: units in ({a}, {b}]", case.name),
                mean_se(values.iter().copied()),
                exact,
                4.0,
            );
            // The library's own expectation agrees with the independent one.
            let library = s.demand.expected_units_in_window(a, b);
            assert!(
                (library - exact).abs() <= 1e-6 * exact.max(1.0),
                "{}: library expectation {library} vs {exact}",
                case.name
            );
        }
    }
}

/// Given the number of orders, arrival times are independent with CDF Λ(t)/Λ(T): pooled over
/// paths, the transformed times must look uniform (KS test at the 1 % level).
#[test]
fn arrival_times_follow_the_cumulative_intensity() {
    for case in cases().into_iter().filter(|c| c.theta == 0.0) {
        let s = scenario(&toml_for(&case));
        let generator = DemandGenerator::new(&s.demand, s.horizon_years, Discount::new(0.0));
        let streams = StreamFactory::new(99);
        let total = simpson(case.lambda, 0.0, case.horizon, 20_000);
        // Λ(t)/Λ(T) by cumulative Simpson on a fine grid.
        let grid = 4000;
        let h = case.horizon / grid as f64;
        let mut cum = vec![0.0; grid + 1];
        for i in 0..grid {
            let (a, b) = (i as f64 * h, (i + 1) as f64 * h);
            cum[i + 1] = cum[i] + simpson(case.lambda, a, b, 8);
        }
        let cdf = |t: f64| {
            let i = ((t / h) as usize).min(grid - 1);
            let a = i as f64 * h;
            (cum[i] + simpson(case.lambda, a, t, 8)) / total
        };
        let mut u = Vec::new();
        let mut path = DemandPath::default();
        let mut k = 0;
        while u.len() < 20_000 {
            generator.generate(&streams, k, &mut path);
            u.extend(path.orders.iter().map(|o| cdf(o.time)));
            k += 1;
        }
        u.sort_by(f64::total_cmp);
        let n = u.len() as f64;
        let d = u
            .iter()
            .enumerate()
            .map(|(i, &x)| ((i + 1) as f64 / n - x).max(x - i as f64 / n))
            .fold(0.0, f64::max);
        let critical = 1.628 / n.sqrt();
        assert!(d < critical, "{}: KS distance {d} ≥ {critical}", case.name);
    }
}

/// Demand is drawn once per path and does not depend on anything but (seed, path).
#[test]
fn demand_paths_are_pure_functions_of_seed_and_path() {
    let case = &cases()[1];
    let s = scenario(&toml_for(case));
    let generator = DemandGenerator::new(&s.demand, s.horizon_years, Discount::new(0.03));
    let streams = StreamFactory::new(5);
    let mut a = DemandPath::default();
    let mut b = DemandPath::default();
    generator.generate(&streams, 17, &mut a);
    generator.generate(&streams, 3, &mut b);
    generator.generate(&streams, 17, &mut b);
    assert_eq!(a.orders, b.orders);
    assert!(!a.orders.is_empty());
}
