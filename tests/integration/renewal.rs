//! A stationary (s, S) = (r, r + Q) re-manufacture case with unit Poisson demand, a fixed lead
//! time and backorders, against the exact long-run cost per year of renewal theory:
//!
//! the inventory position is uniform on {s+1, …, s+Q}; the inventory level is IP − D with
//! D ~ Poisson(λL), so E[on hand] = (1/Q)·Σ_y E[(y − D)⁺], E[backorders] = (1/Q)·Σ_y E[(D − y)⁺],
//! a demand is short with probability (1/Q)·Σ_y P(D ≥ y) (PASTA), and
//!
//! cost/year = K·λ/Q + c·λ + h·E[on hand] + b·E[backorders] + p·λ·P(short).

use crate::common::{mean_se, outcomes, poisson_pmf, scenario};

#[test]
fn r_q_remanufacture_with_lead_time_and_backorders_matches_renewal_cost() {
    let (lambda, lead, s, q) = (12.0, 0.5, 4usize, 10usize);
    let (setup, unit, hc, b, p) = (500.0, 40.0, 8.0, 30.0, 5.0);
    let horizon = 400.0;
    let text = format!(
        r#"
[scenario]
horizon_years = {horizon}
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
[[policy]]
name = "hold"
kind = "hold"
"#,
        start = s + q,
        rate = hc / unit,
        big_s = s + q,
    );
    let sc = scenario(&text);
    let outs = &outcomes(&sc, 60, 8)[0];

    let pmf = poisson_pmf(lambda * lead, 200);
    let (mut on_hand, mut backorders, mut short) = (0.0, 0.0, 0.0);
    for y in s + 1..=s + q {
        for (d, pd) in pmf.iter().enumerate() {
            if d < y {
                on_hand += (y - d) as f64 * pd;
            } else {
                backorders += (d - y) as f64 * pd;
                short += pd;
            }
        }
    }
    let qf = q as f64;
    let (on_hand, backorders, short) = (on_hand / qf, backorders / qf, short / qf);
    let exact =
        setup * lambda / qf + unit * lambda + hc * on_hand + b * backorders + p * lambda * short;

    let (mean, se) = mean_se(outs.iter().map(|o| o.costs.total() / horizon));
    let error = (mean - exact).abs() / exact;
    assert!(
        error < 0.01,
        "cost per year {mean} ± {se} vs exact {exact} (relative error {error:.4})"
    );
    // The components too, each within 1 % of its share.
    let avg = |f: &dyn Fn(&pimsim::inventory::PathOutcome) -> f64| {
        outs.iter().map(f).sum::<f64>() / outs.len() as f64 / horizon
    };
    let holding = avg(&|o| o.costs.holding);
    let backorder = avg(&|o| o.costs.backorder);
    let reman = avg(&|o| o.costs.remanufacture);
    assert!(
        (holding - hc * on_hand).abs() < 0.01 * hc * on_hand,
        "holding {holding} vs {}",
        hc * on_hand
    );
    assert!(
        (backorder - b * backorders).abs() < 0.02 * b * backorders,
        "backorder {backorder} vs {}",
        b * backorders
    );
    let reman_exact = setup * lambda / qf + unit * lambda;
    assert!(
        (reman - reman_exact).abs() < 0.01 * reman_exact,
        "re-manufacture {reman} vs {reman_exact}"
    );
}
