//! The per-order loop specialised for the plain case (no losses in storage, lost sales; with
//! or without a sale price) and the general loop give the same outcome bit for bit wherever
//! the plain one applies: every cost line, count, partner figure, the first stock-out, the on-hand
//! unit-years and every time-series point. The general loop is forced with
//! `PolicySimulator::force_general_loop` on the same paths and streams (which also forces the
//! event loop's copy that looks at repair and records' events, so the copy without them is
//! compared too).

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use pimsim::demand::{DemandGenerator, DemandPath};
use pimsim::inventory::{CostLines, PathOutcome, Plan, PolicySimulator, UnitCounts};
use pimsim::rng::StreamFactory;
use pimsim::scenario::Scenario;

use crate::common::scenario;
use crate::random_scenario::{Loop, params, toml};

/// The first difference between two outcomes, if any (floats compared by their bits).
fn difference(a: &PathOutcome, b: &PathOutcome) -> Option<String> {
    let bits = |x: f64| x.to_bits();
    for ((name, x), (_, y)) in a.costs.named().zip(b.costs.named()) {
        if bits(*x) != bits(*y) {
            return Some(format!("cost line {name}: {x:e} vs {y:e}"));
        }
    }
    for ((name, x), (_, y)) in a.units.named().zip(b.units.named()) {
        if x != y {
            return Some(format!("units {name}: {x} vs {y}"));
        }
    }
    if bits(a.revenue) != bits(b.revenue) {
        return Some(format!("revenue: {:e} vs {:e}", a.revenue, b.revenue));
    }
    if a.first_stockout.map(bits) != b.first_stockout.map(bits) {
        return Some(format!(
            "first stock-out: {:?} vs {:?}",
            a.first_stockout, b.first_stockout
        ));
    }
    if bits(a.on_hand_unit_years) != bits(b.on_hand_unit_years) {
        return Some(format!(
            "on-hand unit-years: {:e} vs {:e}",
            a.on_hand_unit_years, b.on_hand_unit_years
        ));
    }
    if a.partners.len() != b.partners.len() {
        return Some("number of partners".into());
    }
    for (j, (p, q)) in a.partners.iter().zip(&b.partners).enumerate() {
        let same = p.requests == q.requests
            && p.honoured == q.honoured
            && p.units_requested == q.units_requested
            && p.units_shipped == q.units_shipped
            && bits(p.response_years) == bits(q.response_years);
        if !same {
            return Some(format!("partner {j}: {p:?} vs {q:?}"));
        }
    }
    if a.on_hand_at_step != b.on_hand_at_step {
        return Some(format!(
            "on hand at the time-series points: {:?} vs {:?}",
            a.on_hand_at_step, b.on_hand_at_step
        ));
    }
    let cost_bits = |o: &PathOutcome| {
        o.cost_at_step
            .iter()
            .map(|x| x.to_bits())
            .collect::<Vec<_>>()
    };
    if cost_bits(a) != cost_bits(b) {
        return Some(format!(
            "cost at the time-series points: {:?} vs {:?}",
            a.cost_at_step, b.cost_at_step
        ));
    }
    if a.supply_at_step != b.supply_at_step {
        return Some(format!(
            "supply at the time-series points: {:?} vs {:?}",
            a.supply_at_step, b.supply_at_step
        ));
    }
    None
}

/// Runs every policy of `plan` on paths `0..paths` with both loops; returns the first
/// difference (policy, path, what) and the number of outcomes compared.
fn compare_loops(
    scenario: &Scenario,
    plan: &Plan,
    paths: u64,
    seed: u64,
) -> (Option<String>, usize) {
    let generator = DemandGenerator::new(&scenario.demand, scenario.horizon_years, plan.discount);
    let streams = StreamFactory::new(seed);
    let mut path = DemandPath::default();
    let mut plain = PolicySimulator::new();
    let mut general = PolicySimulator::new();
    general.force_general_loop(true);
    let (mut a, mut b) = (PathOutcome::default(), PathOutcome::default());
    let mut compared = 0;
    for k in 0..paths {
        generator.generate(&streams, k, &mut path);
        for policy in &plan.policies {
            plain.simulate(plan, policy, &streams, k, &path, &mut a);
            general.simulate(plan, policy, &streams, k, &path, &mut b);
            compared += 1;
            if let Some(d) = difference(&a, &b) {
                return (
                    Some(format!("policy {}, path {k}: {d}", policy.name)),
                    compared,
                );
            }
        }
    }
    (None, compared)
}

proptest! {
    // Fixed seed: the same cases on every run.
    #![proptest_config(ProptestConfig {
        cases: 128,
        rng_seed: RngSeed::Fixed(20_261_203),
        ..ProptestConfig::default()
    })]

    /// Random plain-case scenarios; the first `recorded` of 16 paths record the time series.
    #[test]
    fn plain_and_general_loops_agree_bit_for_bit(
        p in params(Loop::Plain),
        recorded in prop_oneof![Just(0u64), Just(16), 0u64..16],
        seed in 0u64..1_000_000,
    ) {
        let s = scenario(&toml(&p));
        let mut plan = Plan::new(&s).unwrap();
        prop_assert!(PolicySimulator::plain_loop_applies(&plan));
        plan.timeseries_paths = recorded;
        let (difference, compared) = compare_loops(&s, &plan, 16, seed);
        prop_assert!(difference.is_none(), "{}", difference.unwrap_or_default());
        prop_assert_eq!(compared, 16 * plan.policies.len());
    }
}

/// The bundled scenarios that take the plain loop (the benchmark among them), 300 paths each.
#[test]
fn loops_agree_on_the_bundled_plain_scenarios() {
    let mut plain = Vec::new();
    for name in [
        "benchmark.toml",
        "heavy_machinery.toml",
        "electronics_obsolescence.toml",
        "multi_partner.toml",
    ] {
        let file = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(name);
        let text = std::fs::read_to_string(&file).unwrap();
        let s = scenario(&text);
        let plan = Plan::new(&s).unwrap();
        if !PolicySimulator::plain_loop_applies(&plan) {
            continue;
        }
        let (difference, compared) = compare_loops(&s, &plan, 300, 7);
        assert!(difference.is_none(), "{name}: {}", difference.unwrap());
        assert_eq!(compared, 300 * plan.policies.len());
        plain.push(name);
    }
    // multi_partner has a sale price: the plain loop's `SALE` copy.
    assert!(
        plain.contains(&"benchmark.toml") && plain.contains(&"multi_partner.toml"),
        "plain scenarios: {plain:?}"
    );
}

/// The comparison sees a difference of one ulp and the sign of a zero (it is not vacuous).
#[test]
fn the_comparison_sees_one_ulp_and_the_sign_of_zero() {
    let mut a = PathOutcome {
        costs: CostLines {
            holding: 1.0,
            ..CostLines::default()
        },
        units: UnitCounts {
            demanded: 3,
            ..UnitCounts::default()
        },
        ..PathOutcome::default()
    };
    let b = a.clone();
    assert_eq!(difference(&a, &b), None);
    a.costs.holding = f64::from_bits(1.0f64.to_bits() + 1);
    assert!(difference(&a, &b).unwrap().starts_with("cost line holding"));
    a.costs.holding = 1.0;
    a.cost_at_step.push(0.0);
    let mut c = b.clone();
    c.cost_at_step.push(-0.0);
    assert!(
        difference(&a, &c)
            .unwrap()
            .starts_with("cost at the time-series points")
    );
}

/// Where the general loop is taken anyway (losses in storage, backorders; here with a sale
/// price too), the switch changes nothing.
#[test]
fn forcing_the_general_loop_changes_nothing_off_the_plain_case() {
    let text = crate::random_scenario::toml(&crate::random_scenario::Params {
        model: 1,
        rate: 12.0,
        size: 2,
        rate_cv: 0.3,
        obsolescence: 0.05,
        shrinkage: 0.05,
        sale_price: Some(70.0),
        on_hand: 40,
        ltb: 0,
        discount: 0.05,
        backorder: true,
        reman: Some((0.5, 5, 0.02, None, 8.0)),
        partners: vec![(0.8, 20.0, 0.1, 2.0)],
        reorder: (2, 10),
        retain: 10,
        release_retain: None,
        at: 1.0,
        review: Some(2.0),
        step_years: 0.5,
    });
    let s = scenario(&text);
    let plan = Plan::new(&s).unwrap();
    assert!(!PolicySimulator::plain_loop_applies(&plan));
    let (difference, compared) = compare_loops(&s, &plan, 50, 3);
    assert_eq!(difference, None);
    assert_eq!(compared, 50 * plan.policies.len());
}
