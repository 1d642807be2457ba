//! One-unit orders, no replenishment: hold and scrap against closed-form Poisson results.
//!
//! With stock n and demand N(t) ~ Poisson(Λ(t)):
//! - units filled E[min(N(T), n)], units short E[(N(T) − n)⁺], P(no stock-out) = P(N(T) ≤ n);
//! - discounted carrying cost h·∫₀ᵀ E[(n − N(t))⁺]·e^(−rt) dt;
//! - discounted shortage cost p·∫₀ᵀ λ(t)·P(N(t) ≥ n)·e^(−rt) dt (an order at t is short when n
//!   units were already taken);
//! - end-of-horizon income −v·E[(n − N(T))⁺]·e^(−rT).
//!
//! Simulated means must lie within 4 standard errors of these.

use pimsim::inventory::PathOutcome;

use crate::common::{assert_within_se, mean_se, outcomes, poisson_pmf, scenario, simpson};

/// An order intensity with its integral (also used by the coverage test).
pub(crate) struct Demand {
    /// λ(t), orders per year.
    pub(crate) lambda: Box<dyn Fn(f64) -> f64>,
    /// Λ(t).
    pub(crate) cumulative: Box<dyn Fn(f64) -> f64>,
}

pub(crate) struct Exact {
    filled: f64,
    short: f64,
    no_stockout: f64,
    pub(crate) holding: f64,
    pub(crate) shortage: f64,
    pub(crate) end_of_horizon: f64,
}

/// Closed-form expectations for stock `n` held from t = 0 to `horizon`.
pub(crate) fn exact_hold(
    d: &Demand,
    n: usize,
    horizon: f64,
    r: f64,
    hc: f64,
    penalty: f64,
    salvage: f64,
) -> Exact {
    let leftover = |t: f64| {
        let p = poisson_pmf((d.cumulative)(t), n);
        (0..n).map(|k| (n - k) as f64 * p[k]).sum::<f64>()
    };
    let below = |t: f64| poisson_pmf((d.cumulative)(t), n)[..n].iter().sum::<f64>();
    let mu = (d.cumulative)(horizon);
    let left = leftover(horizon);
    let filled = n as f64 - left;
    Exact {
        filled,
        short: mu - filled,
        no_stockout: poisson_pmf(mu, n).iter().sum(),
        holding: hc * simpson(|t| leftover(t) * (-r * t).exp(), 0.0, horizon, 4000),
        shortage: penalty
            * simpson(
                |t| (d.lambda)(t) * (1.0 - below(t)) * (-r * t).exp(),
                0.0,
                horizon,
                4000,
            ),
        end_of_horizon: -salvage * left * (-r * horizon).exp(),
    }
}

fn check(label: &str, outs: &[PathOutcome], e: &Exact, extra_disposal: f64) {
    let col = |f: &dyn Fn(&PathOutcome) -> f64| mean_se(outs.iter().map(f));
    assert_within_se(
        &format!("{label}: units filled"),
        col(&|o| o.units.filled_from_stock as f64),
        e.filled,
        4.0,
    );
    assert_within_se(
        &format!("{label}: units short"),
        col(&|o| o.units.short as f64),
        e.short,
        4.0,
    );
    assert_within_se(
        &format!("{label}: P(no stock-out)"),
        col(&|o| f64::from(u8::from(o.units.short == 0))),
        e.no_stockout,
        4.0,
    );
    assert_within_se(
        &format!("{label}: holding"),
        col(&|o| o.costs.holding),
        e.holding,
        4.0,
    );
    assert_within_se(
        &format!("{label}: shortage"),
        col(&|o| o.costs.shortage),
        e.shortage,
        4.0,
    );
    assert_within_se(
        &format!("{label}: end of horizon"),
        col(&|o| o.costs.end_of_horizon),
        e.end_of_horizon,
        4.0,
    );
    assert_within_se(
        &format!("{label}: disposal"),
        col(&|o| o.costs.disposal),
        extra_disposal,
        4.0,
    );
    // Fill rate = Σ filled / Σ demanded: the residual filled − f·demanded has mean 0.
    let demanded = e.filled + e.short;
    let fill = e.filled / demanded;
    assert_within_se(
        &format!("{label}: fill rate residual"),
        col(&|o| o.units.filled_from_stock as f64 - fill * o.units.demanded as f64),
        0.0,
        4.0,
    );
    for o in outs {
        let t = o.costs.total();
        let sum: f64 = o.costs.values().iter().sum();
        assert_eq!(t, sum);
    }
}

/// The Poisson case (also the coverage test's): exponential decay from 6 orders a year with a
/// 4-year half-life, one unit per order, 10 years at 6 % a year, no replenishment; hold 25
/// units, or scrap to 12 at t = 0.
pub(crate) const POISSON_CASE: &str = r#"
[scenario]
horizon_years = 10
discount_rate = 0.06
[part]
unit_cost = 50
on_hand = 25
[demand]
model = "exponential"
rate = 6.0
half_life_years = 4.0
[costs]
holding_rate = 0.2
salvage_value = 4.0
shortage_penalty = 300.0
[[policy]]
name = "hold"
kind = "hold"
[[policy]]
name = "scrap-12"
kind = "scrap"
retain = 12
"#;

/// The demand of [`POISSON_CASE`].
pub(crate) fn poisson_case_demand() -> Demand {
    let beta = 2f64.ln() / 4.0;
    Demand {
        lambda: Box::new(move |t| 6.0 * (-beta * t).exp()),
        cumulative: Box::new(move |t| 6.0 * (1.0 - (-beta * t).exp()) / beta),
    }
}

/// [`POISSON_CASE`]'s continuous discount rate, carrying cost (currency per unit-year),
/// shortage penalty and salvage value (currency per unit), and horizon (years).
pub(crate) fn poisson_case_terms() -> (f64, f64, f64, f64, f64) {
    (1.06f64.ln(), 10.0, 300.0, 4.0, 10.0)
}

#[test]
fn hold_and_scrap_match_closed_form_poisson_results_with_discounting() {
    let text = format!(
        "{POISSON_CASE}[[policy]]\nname = \"scrap-10-at-3\"\nkind = \"scrap\"\nat_years = 3.0\nretain = 10\n"
    );
    let s = scenario(&text);
    let outs = outcomes(&s, 20_000, 11);
    let d = poisson_case_demand();
    let (r, hc, p, v, horizon) = poisson_case_terms();
    check(
        "hold 25",
        &outs[0],
        &exact_hold(&d, 25, horizon, r, hc, p, v),
        0.0,
    );
    check(
        "scrap to 12 at t = 0",
        &outs[1],
        &exact_hold(&d, 12, horizon, r, hc, p, v),
        -v * 13.0,
    );
    // Scrap at t = 3: E[(25 − N(3) − 10)⁺] units go, each for v discounted from year 3.
    let pmf = poisson_pmf((d.cumulative)(3.0), 25);
    let scrapped: f64 = (0..15).map(|k| (15 - k) as f64 * pmf[k]).sum();
    let outs_late = &outs[2];
    assert_within_se(
        "scrap at 3: units scrapped",
        mean_se(outs_late.iter().map(|o| o.units.scrapped as f64)),
        scrapped,
        4.0,
    );
    assert_within_se(
        "scrap at 3: disposal",
        mean_se(outs_late.iter().map(|o| o.costs.disposal)),
        -v * scrapped * (-r * 3.0).exp(),
        4.0,
    );
}

#[test]
fn hold_matches_closed_form_without_discounting() {
    let text = r#"
[scenario]
horizon_years = 8
[part]
unit_cost = 20
on_hand = 30
[demand]
model = "constant"
rate = 4.0
[costs]
holding_rate = 0.25
salvage_value = -2.0
shortage_penalty = 90.0
[[policy]]
name = "hold"
kind = "hold"
"#;
    let s = scenario(text);
    let outs = outcomes(&s, 20_000, 3);
    let d = Demand {
        lambda: Box::new(|_| 4.0),
        cumulative: Box::new(|t| 4.0 * t),
    };
    check(
        "hold 30, constant",
        &outs[0],
        &exact_hold(&d, 30, 8.0, 0.0, 5.0, 90.0, -2.0),
        0.0,
    );
}
