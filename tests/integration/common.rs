//! Helpers shared by the integration tests.

use std::path::Path;

use pimsim::demand::{DemandGenerator, DemandPath};
use pimsim::inventory::{PathOutcome, Plan, PolicySimulator};
use pimsim::rng::StreamFactory;
use pimsim::scenario::Scenario;

/// A validated scenario from TOML text; panics with every problem if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    match Scenario::from_toml(Path::new("test.toml"), text) {
        Ok(loaded) => loaded.scenario,
        Err(e) => panic!("invalid test scenario:\n{e}"),
    }
}

/// Runs every policy of `scenario` on paths `0..paths` and returns the outcomes per policy.
pub fn outcomes(scenario: &Scenario, paths: u64, seed: u64) -> Vec<Vec<PathOutcome>> {
    let plan = Plan::new(scenario).expect("plan");
    let generator = DemandGenerator::new(&scenario.demand, scenario.horizon_years, plan.discount);
    let streams = StreamFactory::new(seed);
    let mut path = DemandPath::default();
    let mut sim = PolicySimulator::new();
    let mut result = vec![Vec::with_capacity(paths as usize); plan.policies.len()];
    for k in 0..paths {
        generator.generate(&streams, k, &mut path);
        for (i, p) in plan.policies.iter().enumerate() {
            let mut out = PathOutcome::default();
            sim.simulate(&plan, p, &streams, k, &path, &mut out);
            result[i].push(out);
        }
    }
    result
}

/// Sample mean and standard error of the mean.
pub fn mean_se(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.into_iter().collect();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Asserts that a simulated mean is within `k` standard errors of the exact value (and, when the
/// standard error is zero, equal up to rounding).
#[track_caller]
pub fn assert_within_se(what: &str, (mean, se): (f64, f64), exact: f64, k: f64) {
    let tolerance = (k * se).max(1e-9 * exact.abs().max(1.0));
    assert!(
        (mean - exact).abs() <= tolerance,
        "{what}: simulated {mean} ± {se} (s.e.), exact {exact}, off by {:.2} s.e.",
        (mean - exact).abs() / se
    );
}

/// Poisson probabilities P(N = 0..=k_max) for mean `mu`.
pub fn poisson_pmf(mu: f64, k_max: usize) -> Vec<f64> {
    let mut p = Vec::with_capacity(k_max + 1);
    let mut term = (-mu).exp();
    for k in 0..=k_max {
        if k > 0 {
            term *= mu / k as f64;
        }
        p.push(term);
    }
    p
}

/// `∫ₐᵇ f` by composite Simpson's rule with `n` (even) intervals.
pub fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    let mut s = f(a) + f(b);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(a + i as f64 * h);
    }
    s * h / 3.0
}
