//! Exact results for shrinkage, partner attrition and reliability, and re-manufacture with cost
//! escalation, an availability window, a minimum batch and the batch-cover rule.

use crate::common::{assert_within_se, mean_se, outcomes, scenario, simpson};

fn base(extra: &str, demand: &str, on_hand: u64, horizon: f64, discount: f64) -> String {
    format!(
        r#"[scenario]
horizon_years = {horizon}
discount_rate = {discount}
[part]
unit_cost = 30
on_hand = {on_hand}
[demand]
{demand}
[costs]
holding_rate = 0.2
salvage_value = 2.0
shortage_penalty = 100
{extra}
"#
    )
}

/// No demand: each of n units survives to t with probability e^(−δt).
#[test]
fn shrinkage_matches_exponential_survival() {
    let (n, delta, horizon, i) = (100.0, 0.1, 10.0, 0.05);
    let text = base(
        "[stock]\nshrinkage_rate = 0.1\n[[policy]]\nname = \"hold\"\nkind = \"hold\"",
        "model = \"constant\"\nrate = 0.0",
        100,
        horizon,
        i,
    );
    let outs = &outcomes(&scenario(&text), 4000, 1)[0];
    let r = 1.05f64.ln();
    let survive = (-delta * horizon).exp();
    assert_within_se(
        "units lost in storage",
        mean_se(outs.iter().map(|o| o.units.lost_in_storage as f64)),
        n * (1.0 - survive),
        4.0,
    );
    // Carrying cost 6 per unit-year on n·e^(−δt) units, discounted.
    let holding = 6.0 * n * (1.0 - (-(delta + r) * horizon).exp()) / (delta + r);
    assert_within_se(
        "holding",
        mean_se(outs.iter().map(|o| o.costs.holding)),
        holding,
        4.0,
    );
    assert_within_se(
        "end of horizon",
        mean_se(outs.iter().map(|o| o.costs.end_of_horizon)),
        -2.0 * n * survive * (-r * horizon).exp(),
        4.0,
    );
}

/// All n units released at t = 0; the first demand (at t₁ ~ Exp(λ)) asks for everything the
/// partner still has, Binomial(n, e^(−a·t₁)); nothing is left for later requests. So
/// E[bought back] = n·λ·(1 − e^(−(λ+a)T))/(λ + a). With n = 40 the departures before the
/// first request are drawn one by one; with n = 5000 most are jumped over in a binomial draw.
#[test]
fn partner_attrition_thins_released_units_exactly() {
    for (n, paths) in [(40u64, 20_000), (5000, 4000)] {
        partner_attrition_case(n, paths);
    }
}

fn partner_attrition_case(n: u64, paths: u64) {
    let (lambda, a, horizon) = (0.5, 0.3, 10.0);
    let extra = r#"unmet_demand = "backorder"
backorder_cost_per_year = 10
[replenishment]
reorder_point = -1
order_up_to = 1000000
[[partner]]
name = "broker"
release_price = 8
buyback_price = 50
attrition_rate = 0.3
[[policy]]
name = "release-all"
kind = "partner_release"
retain = 0"#;
    let text = base(extra, "model = \"constant\"\nrate = 0.5", n, horizon, 0.0);
    let outs = &outcomes(&scenario(&text), paths, 4)[0];
    let n_units = n as f64;
    let expected = n_units * lambda * (1.0 - (-(lambda + a) * horizon).exp()) / (lambda + a);
    assert_within_se(
        "units bought back",
        mean_se(outs.iter().map(|o| o.units.bought_back as f64)),
        expected,
        4.0,
    );
    assert_within_se(
        "requests",
        mean_se(outs.iter().map(|o| o.partners[0].requests as f64)),
        1.0 - (-lambda * horizon).exp(),
        4.0,
    );
    for o in outs {
        assert_eq!(o.units.released, n);
        assert_eq!(o.costs.release, -8.0 * n_units);
        assert_eq!(o.costs.buyback, 50.0 * o.units.bought_back as f64);
    }
}

/// Each request is honoured with probability `reliability`, independently.
#[test]
fn partner_reliability_is_the_share_of_honoured_requests() {
    let extra = r#"[[partner]]
name = "dealer"
release_price = 8
buyback_price = 50
reliability = 0.35
response_days = 73
order_fee = 4
[[policy]]
name = "release"
kind = "partner_release"
retain = 0"#;
    let text = base(extra, "model = \"constant\"\nrate = 6.0", 60, 5.0, 0.0);
    let outs = &outcomes(&scenario(&text), 3000, 6)[0];
    let requests: u64 = outs.iter().map(|o| o.partners[0].requests).sum();
    let honoured: u64 = outs.iter().map(|o| o.partners[0].honoured).sum();
    let share = honoured as f64 / requests as f64;
    let se = (0.35 * 0.65 / requests as f64).sqrt();
    assert!(
        (share - 0.35).abs() < 4.0 * se,
        "honoured share {share} (se {se}, {requests} requests)"
    );
    for o in outs {
        let p = &o.partners[0];
        // Fees on every request, buy-back price on every delivered unit.
        assert!(
            (o.costs.buyback - (4.0 * p.requests as f64 + 50.0 * o.units.bought_back as f64)).abs()
                < 1e-9
        );
        assert!((p.response_years - p.honoured as f64 * 73.0 / 365.25).abs() < 1e-9);
    }
}

/// No stock at t = 0: a run of `min_batch` = 5 at once; the next run when those 5 are used up,
/// at 1 + G with G ~ Gamma(5, λ), only if before the window closes at 1.8 years. Costs escalate
/// by 4 %/year and are discounted at 6 %.
#[test]
fn remanufacture_escalation_window_and_min_batch() {
    let (lambda, setup, unit): (f64, f64, f64) = (10.0, 400.0, 25.0);
    let extra = r#"[remanufacture]
setup_cost = 400
unit_cost = 25
cost_escalation = 0.04
lead_time_years = 1.0
available_until_years = 1.8
min_batch = 5
[[policy]]
name = "hold"
kind = "hold""#;
    let text = base(extra, "model = \"constant\"\nrate = 10.0", 0, 4.0, 0.06);
    let outs = &outcomes(&scenario(&text), 20_000, 2)[0];
    let kappa = 1.04f64.ln() - 1.06f64.ln();
    let gamma5 = |g: f64| lambda.powi(5) * g.powi(4) * (-lambda * g).exp() / 24.0;
    let p_second = simpson(gamma5, 0.0, 0.8, 4000);
    let second_cost = simpson(|g| (kappa * (1.0 + g)).exp() * gamma5(g), 0.0, 0.8, 4000);
    let run = setup + 5.0 * unit;
    assert_within_se(
        "runs",
        mean_se(outs.iter().map(|o| o.units.remanufacture_runs as f64)),
        1.0 + p_second,
        4.0,
    );
    assert_within_se(
        "re-manufacture cost",
        mean_se(outs.iter().map(|o| o.costs.remanufacture)),
        run * (1.0 + second_cost),
        4.0,
    );
}

/// With `batch_cover_years`, a run brings the position up to the expected demand of that many
/// years (here from t = 0: 10/year · 1.5 years · 2 units/order = 30 units).
#[test]
fn batch_cover_rule_sizes_the_run() {
    let extra = r#"[remanufacture]
unit_cost = 25
lead_time_years = 0.5
available_until_years = 0.01
batch_cover_years = 1.5
[[policy]]
name = "hold"
kind = "hold""#;
    let demand = "model = \"constant\"\nrate = 10.0\n[demand.order_size]\ndistribution = \"poisson\"\nmean = 2.0";
    let text = base(extra, demand, 0, 3.0, 0.0);
    for o in &outcomes(&scenario(&text), 50, 3)[0] {
        assert_eq!(o.units.remanufacture_runs, 1);
        assert_eq!(o.units.remanufactured + o.units.on_order_at_horizon, 30);
        assert_eq!(o.costs.remanufacture, 30.0 * 25.0);
    }
}
