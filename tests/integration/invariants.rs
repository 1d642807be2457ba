//! Invariants over random valid scenarios (property tests), for both per-order loops (the plain
//! one: no losses in storage, lost sales, with or without a sale price; and the general one): stock never
//! negative, units conserved, cost lines add up to the total and follow from the unit counts,
//! counts consistent with each other.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use pimsim::engine::{self, RunSettings};
use pimsim::inventory::{PathOutcome, Plan, PolicySimulator};

use crate::common::{outcomes, scenario};
use crate::random_scenario::{HORIZON, Loop, Params, params, toml};

/// Checks one path's outcome of scenario `p` (plan `plan`, `start` units at t = 0); also used
/// by the random-delay property test (lead_times.rs).
pub fn check_path(
    o: &PathOutcome,
    start: u64,
    p: &Params,
    plan: &Plan,
) -> Result<(), TestCaseError> {
    let u = &o.units;
    // Units conserved: start + arrivals = served + disposed + lost in storage + left at T.
    let had = start + u.bought_back + u.remanufactured;
    prop_assert_eq!(
        had,
        u.filled_from_stock
            + u.backorders_filled
            + u.scrapped
            + u.released
            + u.lost_in_storage
            + u.on_hand_at_horizon
    );
    prop_assert_eq!(u.demanded, u.filled_from_stock + u.short);
    prop_assert_eq!(u.short, u.lost + u.backordered);
    prop_assert_eq!(
        u.backordered,
        u.backorders_filled + u.open_backorders_at_horizon
    );
    // Stock never negative: a count taken below zero would wrap to near 2⁶⁴ (the release build
    // has no overflow checks), so no point of the time series, nor the time integral, may
    // exceed all the units the path ever had.
    prop_assert!(
        o.on_hand_at_step.iter().all(|&n| n <= had),
        "on hand {:?} above the {} units ever had",
        o.on_hand_at_step,
        had
    );
    prop_assert!(o.on_hand_unit_years >= 0.0);
    prop_assert!(o.on_hand_unit_years <= had as f64 * HORIZON * (1.0 + 1e-12));
    let shipped: u64 = o.partners.iter().map(|p| p.units_shipped).sum();
    prop_assert!(shipped <= u.released);
    prop_assert!(u.bought_back <= shipped);
    for p in &o.partners {
        prop_assert!(p.honoured <= p.requests && p.units_shipped <= p.units_requested);
    }
    // What a scenario without the feature never has.
    if p.shrinkage == 0.0 {
        prop_assert_eq!(u.lost_in_storage, 0);
    }
    if !p.backorder {
        prop_assert_eq!(u.backordered, 0);
        prop_assert_eq!(o.costs.backorder, 0.0);
    } else {
        prop_assert_eq!(u.lost, 0);
    }
    // Cost lines add up to the total, and every figure is finite.
    let lines = o.costs.values();
    prop_assert!(lines.iter().all(|x| x.is_finite()) && o.revenue.is_finite());
    prop_assert_eq!(o.costs.total(), lines.iter().sum::<f64>());
    prop_assert!(o.costs.holding >= 0.0 && o.costs.shortage >= 0.0 && o.costs.backorder >= 0.0);
    check_lines(o, p, plan)?;
    // The time series ends at the horizon with the stock left there.
    prop_assert_eq!(*o.on_hand_at_step.last().unwrap(), u.on_hand_at_horizon);
    prop_assert_eq!(*o.cost_at_step.last().unwrap(), o.costs.total());
    if let Some(t) = o.first_stockout {
        prop_assert!(u.short > 0 && (0.0..HORIZON).contains(&t));
    } else {
        prop_assert_eq!(u.short, 0);
    }
    Ok(())
}

/// The cost lines (and revenue) from the unit counts and the scenario's prices (holding 20 %
/// of 40 per unit-year, shortage 120, salvage 3, release 12, buy-back 60 plus the request
/// fees): exactly without discounting (every factor 1, and `G(t) = t`), at most those
/// amounts with it (every factor ≤ 1).
fn check_lines(o: &PathOutcome, p: &Params, plan: &Plan) -> Result<(), TestCaseError> {
    let (u, c) = (&o.units, &o.costs);
    let n = |x: u64| x as f64;
    let fees: f64 = o
        .partners
        .iter()
        .zip(&p.partners)
        .map(|(counts, terms)| terms.3 * n(counts.requests))
        .sum();
    let buyback = fees + 60.0 * n(u.bought_back);
    let served = n(u.filled_from_stock + u.backorders_filled);
    let revenue = p.sale_price.map_or(0.0, |price| price * served);
    if p.sale_price.is_none() {
        prop_assert_eq!(o.revenue, 0.0);
    }
    if p.discount == 0.0 {
        prop_assert_eq!(c.holding, plan.holding_cost * o.on_hand_unit_years);
        prop_assert_eq!(c.shortage, 120.0 * n(u.short));
        prop_assert_eq!(c.disposal, -3.0 * n(u.scrapped));
        prop_assert_eq!(c.release, -12.0 * n(u.released));
        prop_assert_eq!(c.end_of_horizon, -3.0 * n(u.on_hand_at_horizon));
        // Fees and sale prices are not integers: sums of products in another order.
        prop_assert!((c.buyback - buyback).abs() <= 1e-9 * buyback.max(1.0));
        prop_assert!((o.revenue - revenue).abs() <= 1e-9 * revenue.max(1.0));
    } else {
        let at_most = |x: f64, bound: f64| x <= bound + 1e-9 * bound.abs().max(1.0);
        prop_assert!(at_most(c.holding, plan.holding_cost * o.on_hand_unit_years));
        prop_assert!(at_most(c.shortage, 120.0 * n(u.short)));
        prop_assert!(at_most(-c.disposal, 3.0 * n(u.scrapped)) && c.disposal <= 0.0);
        prop_assert!(at_most(-c.release, 12.0 * n(u.released)) && c.release <= 0.0);
        prop_assert!(at_most(-c.end_of_horizon, 3.0 * n(u.on_hand_at_horizon)));
        prop_assert!(at_most(c.buyback, buyback) && c.buyback >= 0.0);
        prop_assert!(at_most(o.revenue, revenue) && o.revenue >= 0.0);
    }
    Ok(())
}

/// Runs 24 paths of scenario `p`, which must take loop `which`, and checks every outcome.
fn check_scenario(p: &Params, which: Loop) -> Result<(), TestCaseError> {
    let s = scenario(&toml(p));
    let plan = Plan::new(&s).unwrap();
    prop_assert_eq!(
        PolicySimulator::plain_loop_applies(&plan),
        which == Loop::Plain
    );
    let start = s.starting_stock();
    for outs in outcomes(&s, 24, 5) {
        for o in &outs {
            check_path(o, start, p, &plan)?;
        }
    }
    Ok(())
}

proptest! {
    // Fixed seed: the same cases on every run.
    #![proptest_config(ProptestConfig {
        cases: 64,
        rng_seed: RngSeed::Fixed(20_261_202),
        ..ProptestConfig::default()
    })]

    /// The plain per-order loop: no losses in storage, lost sales, with or without a sale
    /// price.
    #[test]
    fn plain_loop_paths_conserve_units_and_costs_add_up(p in params(Loop::Plain)) {
        check_scenario(&p, Loop::Plain)?;
    }

    /// The general per-order loop: losses in storage or backorders, with or without a sale
    /// price (six combinations).
    #[test]
    fn general_loop_paths_conserve_units_and_costs_add_up(p in params(Loop::General)) {
        check_scenario(&p, Loop::General)?;
    }

    #[test]
    fn summaries_add_up(p in prop_oneof![params(Loop::Plain), params(Loop::General)]) {
        let s = scenario(&toml(&p));
        let plan = Plan::new(&s).unwrap();
        let summary = engine::run(&s, &plan, RunSettings { paths: 300, seed: 9, threads: 1 }, &|_| {});
        for policy in &summary.policies {
            let b = &policy.cost_breakdown;
            let l = &b.lines;
            let sum = l.last_time_buy + l.holding + l.disposal + l.release + l.buyback
                + l.remanufacture + l.shortage + l.backorder + l.end_of_horizon;
            prop_assert!((sum - b.total).abs() <= 1e-9 * b.total.abs().max(1.0), "{} vs {}", sum, b.total);
            // The lines are plain means; so is their total.
            prop_assert!((b.total - policy.total_cost.plain.mean).abs() <= 1e-9 * b.total.abs().max(1.0));
            let c = &policy.total_cost;
            // The control-variate mean is another estimate of the same expectation: within a
            // few of the plain standard errors of the plain mean (the controls only remove
            // noise), and never less precise than the plain one by more than the regression's
            // degrees of freedom allow.
            prop_assert!((c.mean - c.plain.mean).abs() <= 6.0 * c.plain.std_err + 1e-9 * c.mean.abs().max(1.0),
                "{} vs plain {} ± {}", c.mean, c.plain.mean, c.plain.std_err);
            prop_assert!(c.plain.ci95[0] <= c.plain.mean && c.plain.mean <= c.plain.ci95[1]);
            if let Some(r) = policy.variance_reduction {
                prop_assert!(r > 0.0 && r.is_finite());
            }
            prop_assert!(c.p05 <= c.p50 && c.p50 <= c.p95 && c.p95 <= c.cvar95 + 1e-9);
            prop_assert!(c.ci95[0] <= c.mean && c.mean <= c.ci95[1]);
            if let Some(f) = policy.fill_rate {
                prop_assert!((0.0..=1.0).contains(&f));
            }
            prop_assert!((0.0..=1.0).contains(&policy.no_stockout_probability));
            for point in summary.timeseries.iter().filter(|t| t.policy == policy.name) {
                prop_assert!(point.on_hand_p05 <= point.on_hand_p95);
                prop_assert!(point.on_hand_mean >= 0.0);
            }
        }
    }
}
