//! Validity of the control-variate estimates: many independent replications (seeds) at a
//! modest path count of cases whose expected total costs are known exactly.
//!
//! If the adjusted 95 % intervals are right, the number C of the R replications whose
//! interval covers the exact value is Binomial(R, 0.95): mean 0.95·R, standard deviation
//! σ = √(R·0.95·0.05) (≈ 4.4 for R = 400). The test asks |C − 0.95·R| ≤ 4σ, which a correct
//! interval fails with probability about 6·10⁻⁵ (normal approximation of the binomial), and
//! which an interval 15 % too narrow (coverage ≈ 91 %) or too wide (≈ 97.5 %) fails almost
//! surely. The mean error over the replications has standard deviation ≈ se/√R when the
//! estimator is unbiased (se: the root mean square of the replications' standard errors), so
//! |mean error| ≤ 4·se/√R bounds the bias at a fifth of a standard error for R = 400.

use pimsim::engine::{self, RunSettings, RunSummary};
use pimsim::inventory::Plan;

use crate::closed_form::{POISSON_CASE, exact_hold, poisson_case_demand, poisson_case_terms};
use crate::common::{scenario, simpson};

/// Replications (seeds 1..=R).
const REPLICATIONS: u64 = 400;
/// Paths per replication: modest, and about the least the controls accept (50 per control
/// and one more, `engine::controls::MIN_PATHS_PER_CONTROL`: 12 controls for a paired
/// difference of two policies with a stock each, 8 demand periods).
const PATHS: [u64; 2] = [1000, 650];

/// (estimate, std_err, ci95, plain std_err, variance reduction) of one figure of a run.
type Figure = (f64, f64, [f64; 2], f64, Option<f64>);

/// One estimated figure of a run, with its exact expectation.
struct Target {
    what: &'static str,
    exact: f64,
    figure: fn(&RunSummary) -> Figure,
}

fn policy_cost<const I: usize>(s: &RunSummary) -> Figure {
    let c = &s.policies[I].total_cost;
    (
        c.mean,
        c.std_err,
        c.ci95,
        c.plain.std_err,
        s.policies[I].variance_reduction,
    )
}

fn versus_baseline<const I: usize>(s: &RunSummary) -> Figure {
    let c = s.policies[I].comparison.as_ref().expect("not the baseline");
    (
        c.mean_difference,
        c.std_err,
        c.ci95,
        c.plain.std_err,
        c.variance_reduction,
    )
}

/// Runs `text` on seeds 1..=R and checks coverage and bias of every target.
fn check_coverage(label: &str, text: &str, targets: &[Target], check: impl Fn(&RunSummary)) {
    let s = scenario(text);
    let plan = Plan::new(&s).unwrap();
    for paths in PATHS {
        replicate(
            &format!("{label}, {paths} paths"),
            &s,
            &plan,
            paths,
            targets,
            &check,
        );
    }
}

/// [`check_coverage`] at `paths` paths per replication.
fn replicate(
    label: &str,
    s: &pimsim::scenario::Scenario,
    plan: &Plan,
    paths: u64,
    targets: &[Target],
    check: &impl Fn(&RunSummary),
) {
    let r = REPLICATIONS as f64;
    let mut covered = vec![0u64; targets.len()];
    let mut error = vec![0.0; targets.len()];
    let mut se2 = vec![0.0; targets.len()];
    let mut plain_se2 = vec![0.0; targets.len()];
    // Whether a replication's standard error was the floor (the fit was exact on its paths).
    let mut floored = vec![false; targets.len()];
    for seed in 1..=REPLICATIONS {
        let settings = RunSettings {
            paths,
            seed,
            threads: 1,
        };
        let summary = engine::run(s, plan, settings, &|_| {});
        assert!(
            summary.control_variates.used > 0,
            "{label}: {}",
            summary.control_variates.note
        );
        check(&summary);
        for (k, t) in targets.iter().enumerate() {
            let (mean, se, ci, plain_se, reduction) = (t.figure)(&summary);
            floored[k] |= reduction == Some(engine::controls::MAX_VARIANCE_REDUCTION);
            covered[k] += u64::from(ci[0] <= t.exact && t.exact <= ci[1]);
            error[k] += mean - t.exact;
            se2[k] += se * se;
            plain_se2[k] += plain_se * plain_se;
        }
    }
    let sigma = (r * 0.95 * 0.05).sqrt();
    for (k, t) in targets.iter().enumerate() {
        let rms_se = (se2[k] / r).sqrt();
        let bias = error[k] / r;
        let share = covered[k] as f64 / r;
        eprintln!(
            "{label}, {}: coverage {share:.4}, bias {:.3} se, se {rms_se:.4} (plain {:.4})",
            t.what,
            bias / rms_se,
            (plain_se2[k] / r).sqrt()
        );
        if floored[k] {
            // The relatives explain the figure exactly on the simulated paths: the interval is
            // the conservative floor (1 % of the plain standard error), so it must cover at
            // least as often as a 95 % interval, and the estimate is within it.
            assert!(
                covered[k] as f64 >= 0.95 * r - 4.0 * sigma,
                "{label}, {}: {} of {REPLICATIONS} floored intervals cover {}",
                t.what,
                covered[k],
                t.exact
            );
            assert!(
                bias.abs() <= 1.96 * rms_se,
                "{label}, {}: mean error {bias} beyond the floored intervals ({rms_se})",
                t.what
            );
            continue;
        }
        assert!(
            (covered[k] as f64 - 0.95 * r).abs() <= 4.0 * sigma,
            "{label}, {}: {} of {REPLICATIONS} intervals cover {} (expected 380 ± {:.1})",
            t.what,
            covered[k],
            t.exact,
            4.0 * sigma
        );
        assert!(
            bias.abs() <= 4.0 * rms_se / r.sqrt(),
            "{label}, {}: mean error {bias} against standard errors of {rms_se}",
            t.what
        );
        // The controls earn their place: the adjusted standard errors are smaller.
        assert!(
            se2[k] < plain_se2[k],
            "{label}, {}: adjusted se {rms_se} not below the plain one",
            t.what
        );
    }
}

/// The closed-form test's Poisson case (closed_form.rs): exponential decay, discounting, one
/// unit per order, no replenishment; hold 25 units, or scrap to 12 at t = 0.
#[test]
fn adjusted_intervals_cover_closed_form_hold_and_scrap_costs() {
    let text = POISSON_CASE;
    let d = poisson_case_demand();
    let (r, hc, p, v, horizon) = poisson_case_terms();
    let cost = |n| {
        let e = exact_hold(&d, n, horizon, r, hc, p, v);
        e.holding + e.shortage + e.end_of_horizon
    };
    let hold = cost(25);
    let scrap = cost(12) - v * 13.0;
    let targets = [
        Target {
            what: "hold",
            exact: hold,
            figure: policy_cost::<0>,
        },
        Target {
            what: "scrap-12",
            exact: scrap,
            figure: policy_cost::<1>,
        },
        Target {
            what: "scrap-12 − hold",
            exact: scrap - hold,
            figure: versus_baseline::<1>,
        },
    ];
    check_coverage("Poisson, no replenishment", text, &targets, |_| {});
}

/// Rate uncertainty and sudden death: the controls' expectations must include both. Stock
/// far above any path's demand, so that the cost is carrying, disposal and end-of-horizon
/// income only, whose expectations follow from E[N(t)] = λ·(1 − e^(−θt))/θ (the rate
/// multiplier has mean 1; θ = −ln(1 − p)). Scrapping to 400 at 2.5 years disposes of the
/// 100 − N(2.5) units above it, so that the paired difference varies too (inside a control
/// period: at a period's end the difference would be linear in the controls, estimated
/// exactly with a zero standard error).
#[test]
fn adjusted_intervals_cover_exact_costs_with_rate_uncertainty_and_sudden_death() {
    let text = r#"
[scenario]
horizon_years = 10
discount_rate = 0.05
[part]
unit_cost = 40
on_hand = 500
[demand]
model = "constant"
rate = 3.0
[demand.uncertainty]
rate_cv = 0.5
[demand.obsolescence]
annual_probability = 0.1
[costs]
holding_rate = 0.25
salvage_value = 2.0
shortage_penalty = 100.0
[[policy]]
name = "hold"
kind = "hold"
[[policy]]
name = "scrap-400-at-2.5"
kind = "scrap"
at_years = 2.5
retain = 400
"#;
    let (lambda, theta, r, hc, v, horizon) = (3.0, -(0.9f64.ln()), 1.05f64.ln(), 10.0, 2.0, 10.0);
    let demanded = |t: f64| lambda * (1.0 - (-theta * t).exp()) / theta;
    let discounted =
        |f: &dyn Fn(f64) -> f64, a: f64, b: f64| simpson(|t| f(t) * (-r * t).exp(), a, b, 4000);
    let hold = hc * discounted(&|t| 500.0 - demanded(t), 0.0, horizon)
        - v * (500.0 - demanded(horizon)) * (-r * horizon).exp();
    // On hand: 500 − N(t) before 2.5 years, 400 − (N(t) − N(2.5)) after.
    let (at, n_at) = (2.5, demanded(2.5));
    let scrap = hc * discounted(&|t| 500.0 - demanded(t), 0.0, at)
        + hc * discounted(&|t| 400.0 - demanded(t) + n_at, at, horizon)
        - v * (100.0 - n_at) * (-r * at).exp()
        - v * (400.0 - demanded(horizon) + n_at) * (-r * horizon).exp();
    let targets = [
        Target {
            what: "hold",
            exact: hold,
            figure: policy_cost::<0>,
        },
        Target {
            what: "scrap-400-at-2.5",
            exact: scrap,
            figure: policy_cost::<1>,
        },
        Target {
            what: "scrap-400-at-2.5 − hold",
            exact: scrap - hold,
            figure: versus_baseline::<1>,
        },
    ];
    check_coverage("rate_cv and sudden death", text, &targets, |s| {
        // The exact costs assume that no path runs short.
        for p in &s.policies {
            assert_eq!(p.units.counts.short, 0.0);
        }
    });
}

/// Below the controls' minimum the plain estimates are the primary ones, and the summary says
/// why; at the minimum the controls are used.
#[test]
fn too_few_paths_report_plain_estimates_and_say_so() {
    let loaded =
        pimsim::scenario::Scenario::load(std::path::Path::new("scenarios/benchmark.toml")).unwrap();
    let plan = Plan::new(&loaded.scenario).unwrap();
    let run = |paths| {
        let settings = RunSettings {
            paths,
            seed: 3,
            threads: 1,
        };
        engine::run(&loaded.scenario, &plan, settings, &|_| {})
    };
    // Hold's 10 controls (the unit-years and units left of its stock of 300, and 25 years
    // in 8 periods) need 50 · 11 = 550 paths; scrap-60's 9 (its stock of 60 never has units
    // left: that control never varies) 500; release-60's 12 (both stocks, but units left of
    // 60, and the partner's reliability draws) 650.
    let few = run(499);
    assert_eq!(few.control_variates.used, 0);
    assert!(
        few.control_variates.note.contains("499 paths are too few")
            && few.control_variates.note.contains("550"),
        "{}",
        few.control_variates.note
    );
    for p in &few.policies {
        let c = &p.total_cost;
        assert_eq!(
            (c.mean, c.std_err, c.ci95),
            (c.plain.mean, c.plain.std_err, c.plain.ci95)
        );
        assert_eq!(p.variance_reduction, None);
        assert_eq!(p.controls_used, 0);
    }
    let some = run(500);
    let used: Vec<usize> = some.policies.iter().map(|p| p.controls_used).collect();
    assert_eq!(used, vec![0, 9, 0]);
    let enough = run(650);
    assert_eq!(enough.control_variates.controls.len(), 8);
    assert_eq!(enough.control_variates.relative.len(), 2);
    let used: Vec<usize> = enough.policies.iter().map(|p| p.controls_used).collect();
    assert_eq!(used, vec![10, 9, 12]);
    assert_eq!(enough.control_variates.used, 12);
    for p in &enough.policies {
        assert_ne!(p.total_cost.mean, p.total_cost.plain.mean);
        assert!(p.variance_reduction.is_some_and(|r| r > 1.0), "{}", p.name);
    }
}
