//! A stationary (s, S) = (r, r + Q) re-manufacture case with unit Poisson demand, a fixed lead
//! time and backorders, against the exact long-run cost per year of renewal theory:
//!
//! the inventory position is uniform on {s+1, …, s+Q}; the inventory level is IP − D with
//! D ~ Poisson(λL), so E[on hand] = (1/Q)·Σ_y E[(y − D)⁺], E[backorders] = (1/Q)·Σ_y E[(D − y)⁺],
//! a demand is short with probability (1/Q)·Σ_y P(D ≥ y) (PASTA), and
//!
//! cost/year = K·λ/Q + c·λ + h·E[on hand] + b·E[backorders] + p·λ·P(short).
//!
//! The simulation starts with S on hand and nothing on order, not in the stationary state, and
//! pays at the horizon for runs whose units arrive after it: cost(T)/T is off the long-run
//! rate by a start-up term of order 1/T (here about −0.1 % at T = 420 years, half a standard
//! error of 60 paths, mostly the 14 units on hand at t = 0 that no run had to make; with more
//! paths it would dominate the error and a test in standard errors would fail).
//! So each path is simulated twice on the same demand: to T₂ and, with its orders before T₁
//! only, to T₁. Both runs are the same up to T₁ (no random decision depends on the horizon),
//! so their difference is the cost of (T₁, T₂] exactly, and by T₁ = 20 years (240 demands, 40
//! lead times) the state is stationary: the position is uniform to within e⁻⁴⁰ or so. Every
//! figure is then an unbiased per-path mean, checked within 4.5 of its standard errors.

use pimsim::demand::{DemandGenerator, DemandPath};
use pimsim::inventory::{PathOutcome, Plan, PolicySimulator};
use pimsim::rng::StreamFactory;

use crate::common::{assert_within_se, mean_se, poisson_pmf, scenario};

/// Standard errors allowed between a simulated mean and the exact value.
const SE: f64 = 4.5;

#[test]
fn r_q_remanufacture_with_lead_time_and_backorders_matches_renewal_cost() {
    let (lambda, lead, s, q) = (12.0, 0.5, 4usize, 10usize);
    let (setup, unit, hc, b, p) = (500.0, 40.0, 8.0, 30.0, 5.0);
    let (t1, t2, paths) = (20.0, 420.0, 60);
    let text = |horizon: f64| {
        format!(
            r#"
[scenario]
horizon_years = {horizon}
[report]
step_years = 1
[part]
unit_cost = {unit}
on_hand = {start}
[demand]
model = "constant"
rate = {lambda}
[costs]
holding_rate = {rate}
shortage_penalty = {p}
unmet_demand = "backorder"
backorder_cost_per_year = {b}
[replenishment]
reorder_point = {s}
order_up_to = {big_s}
[remanufacture]
setup_cost = {setup}
unit_cost = {unit}
lead_time_years = {lead}
available_until_years = 1000
[[policy]]
name = "hold"
kind = "hold"
"#,
            start = s + q,
            rate = hc / unit,
            big_s = s + q,
        )
    };
    let (long, short) = (scenario(&text(t2)), scenario(&text(t1)));
    let (plan_long, plan_short) = (Plan::new(&long).unwrap(), Plan::new(&short).unwrap());
    let generator = DemandGenerator::new(&long.demand, t2, plan_long.discount);
    let streams = StreamFactory::new(8);
    let mut sim = PolicySimulator::new();
    let (mut path, mut start) = (DemandPath::default(), DemandPath::default());
    // Per path, per year of (T₁, T₂]: the outcome to T₂ less the outcome to T₁.
    let mut window: Vec<(PathOutcome, PathOutcome)> = Vec::with_capacity(paths);
    for k in 0..paths as u64 {
        generator.generate(&streams, k, &mut path);
        start.orders.clear();
        start
            .orders
            .extend(path.orders.iter().filter(|o| o.time < t1).copied());
        let (mut a, mut z) = (PathOutcome::default(), PathOutcome::default());
        sim.simulate(
            &plan_long,
            &plan_long.policies[0],
            &streams,
            k,
            &path,
            &mut a,
        );
        sim.simulate(
            &plan_short,
            &plan_short.policies[0],
            &streams,
            k,
            &start,
            &mut z,
        );
        window.push((a, z));
    }
    let per_year = |f: &dyn Fn(&PathOutcome) -> f64| {
        mean_se(window.iter().map(|(a, z)| (f(a) - f(z)) / (t2 - t1)))
    };

    let pmf = poisson_pmf(lambda * lead, 200);
    let (mut on_hand, mut backorders, mut short_p) = (0.0, 0.0, 0.0);
    for y in s + 1..=s + q {
        for (d, pd) in pmf.iter().enumerate() {
            if d < y {
                on_hand += (y - d) as f64 * pd;
            } else {
                backorders += (d - y) as f64 * pd;
                short_p += pd;
            }
        }
    }
    let qf = q as f64;
    let (on_hand, backorders, short_p) = (on_hand / qf, backorders / qf, short_p / qf);
    let reman = setup * lambda / qf + unit * lambda;
    let exact = reman + hc * on_hand + b * backorders + p * lambda * short_p;

    assert_within_se("cost per year", per_year(&|o| o.costs.total()), exact, SE);
    assert_within_se(
        "holding per year",
        per_year(&|o| o.costs.holding),
        hc * on_hand,
        SE,
    );
    assert_within_se(
        "backorder cost per year",
        per_year(&|o| o.costs.backorder),
        b * backorders,
        SE,
    );
    assert_within_se(
        "re-manufacture cost per year",
        per_year(&|o| o.costs.remanufacture),
        reman,
        SE,
    );
    assert_within_se(
        "shortage cost per year",
        per_year(&|o| o.costs.shortage),
        p * lambda * short_p,
        SE,
    );
    assert_within_se(
        "units short per year",
        per_year(&|o| o.units.short as f64),
        lambda * short_p,
        SE,
    );
    // The two runs of a path are the same up to T₁: the same stock and cost (to the bit) at
    // every yearly point before it.
    for (a, z) in &window {
        let before = t1 as usize;
        assert_eq!(a.on_hand_at_step[..before], z.on_hand_at_step[..before]);
        let bits = |o: &PathOutcome| -> Vec<u64> {
            o.cost_at_step[..before]
                .iter()
                .map(|c| c.to_bits())
                .collect()
        };
        assert_eq!(bits(a), bits(z));
        assert_eq!(a.supply_at_step[..before], z.supply_at_step[..before]);
    }
}
