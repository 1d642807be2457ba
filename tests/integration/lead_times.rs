//! Uncertain lead times (issue 18): re-manufacture lead times and partner response times drawn
//! from a distribution, each order its own draw.
//!
//! - Exact: a base-stock (S − 1, S) rule with Poisson unit demand, backorders and i.i.d. lead
//!   times (gamma, an empirical table, lognormal, uniform). By Palm's theorem the units on order
//!   are Poisson with mean λ·E[L] whatever the distribution of L, and the net stock is S − O,
//!   so a demand is filled at once with probability P(O ≤ S − 1) (PASTA), the mean stock is
//!   E[(S − O)⁺] and the mean backorders E[(O − S)⁺]. As in renewal.rs, each path is simulated
//!   to T₂ and, with its orders before T₁ only, to T₁; the difference is (T₁, T₂] exactly, and
//!   by T₁ = 20 years (40 mean lead times; the longest recorded one is 1.2 years) the state is
//!   stationary. Every figure is a per-path mean, checked within 4.5 standard errors.
//! - Independent checks where no closed form exists: without crossing (a delivery no earlier
//!   than the previous one), and a partner with reliability, attrition and an empirical
//!   response time, each against a small event simulation written here.
//! - Property: units are conserved with random lead and response times in random scenarios.
//! - Unchanged when unused: a distribution that always gives the same delay is the fixed delay
//!   to the bit.
//! - Bad input: lead_times_input.rs.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use pimsim::demand::{DemandGenerator, DemandPath};
use pimsim::inventory::{PathOutcome, Plan, PolicySimulator};
use pimsim::rng::{Stream, StreamFactory, StreamRng};
use pimsim::sampling::{exp1, uniform};

use crate::common::{assert_within_se, mean_se, outcomes, poisson_pmf, scenario};
use crate::random_scenario::{Loop, Params, params, toml};

/// Standard errors allowed between a simulated mean and the exact value.
const SE: f64 = 4.5;

/// Base stock S with unit Poisson demand λ and backorders; re-manufacture with lead time
/// `lead` (a TOML value); no discounting.
fn base_stock(lambda: f64, big_s: u64, lead: &str, horizon: f64) -> String {
    format!(
        r#"
[scenario]
horizon_years = {horizon}
[report]
step_years = 1
[part]
unit_cost = 10
on_hand = {big_s}
[demand]
model = "constant"
rate = {lambda}
[costs]
holding_rate = 0.1
shortage_penalty = 1
unmet_demand = "backorder"
backorder_cost_per_year = 1
[replenishment]
reorder_point = {s}
order_up_to = {big_s}
[remanufacture]
unit_cost = 10
lead_time_years = {lead}
available_until_years = 1000
[[policy]]
name = "hold"
kind = "hold"
"#,
        s = big_s - 1,
    )
}

/// Per path, per year of (T₁, T₂]: (units filled at once, mean on hand, mean backorders).
fn window(lambda: f64, big_s: u64, lead: &str, paths: u64) -> Vec<[f64; 3]> {
    let (t1, t2) = (20.0, 220.0);
    let (long, short) = (
        scenario(&base_stock(lambda, big_s, lead, t2)),
        scenario(&base_stock(lambda, big_s, lead, t1)),
    );
    let (plan_long, plan_short) = (Plan::new(&long).unwrap(), Plan::new(&short).unwrap());
    assert!(
        plan_long
            .remanufacture
            .as_ref()
            .unwrap()
            .lead_time_delay
            .is_some()
    );
    let generator = DemandGenerator::new(&long.demand, t2, plan_long.discount);
    let streams = StreamFactory::new(18);
    let mut sim = PolicySimulator::new();
    let (mut path, mut start) = (DemandPath::default(), DemandPath::default());
    let (mut a, mut z) = (PathOutcome::default(), PathOutcome::default());
    (0..paths)
        .map(|k| {
            generator.generate(&streams, k, &mut path);
            start.orders.clear();
            start
                .orders
                .extend(path.orders.iter().filter(|o| o.time < t1).copied());
            let policy = &plan_long.policies[0];
            sim.simulate(&plan_long, policy, &streams, k, &path, &mut a);
            let policy = &plan_short.policies[0];
            sim.simulate(&plan_short, policy, &streams, k, &start, &mut z);
            let w = t2 - t1;
            [
                (a.units.filled_from_stock - z.units.filled_from_stock) as f64 / w,
                (a.on_hand_unit_years - z.on_hand_unit_years) / w,
                // Backorder cost 1 per unit-year, undiscounted: ∫ backorders dt.
                (a.costs.backorder - z.costs.backorder) / w,
            ]
        })
        .collect()
}

/// Palm: (filled at once per year, E[(S − O)⁺], E[(O − S)⁺]) for O ~ Poisson(λ·E[L]).
fn palm(lambda: f64, big_s: u64, mean_lead: f64) -> [f64; 3] {
    let pmf = poisson_pmf(lambda * mean_lead, 400);
    let s = big_s as usize;
    let (mut fill, mut on_hand, mut backorders) = (0.0, 0.0, 0.0);
    for (o, p) in pmf.iter().enumerate() {
        if o < s {
            fill += p;
            on_hand += (s - o) as f64 * p;
        } else {
            backorders += (o - s) as f64 * p;
        }
    }
    [lambda * fill, on_hand, backorders]
}

fn check_palm(what: &str, lead: &str, mean_lead: f64) {
    let (lambda, big_s) = (12.0, 6);
    let w = window(lambda, big_s, lead, 40);
    let exact = palm(lambda, big_s, mean_lead);
    let names = ["filled at once per year", "mean on hand", "mean backorders"];
    for (i, name) in names.iter().enumerate() {
        let got = mean_se(w.iter().map(|x| x[i]));
        assert_within_se(&format!("{what}: {name}"), got, exact[i], SE);
    }
}

#[test]
fn palm_base_stock_with_gamma_lead_times_is_exact() {
    check_palm(
        "gamma",
        r#"{ distribution = "gamma", mean = 0.5, cv = 0.8 }"#,
        0.5,
    );
}

#[test]
fn palm_base_stock_with_an_empirical_lead_time_table_is_exact() {
    // Mean (0.1 + 3·0.3 + 4·0.5 + 2·1.2) / 10 = 0.54 years.
    check_palm(
        "empirical",
        r#"{ distribution = "empirical", values = [0.1, 0.3, 0.5, 1.2], weights = [1, 3, 4, 2] }"#,
        0.54,
    );
}

#[test]
fn palm_base_stock_with_lognormal_and_uniform_lead_times_is_exact() {
    check_palm(
        "lognormal",
        r#"{ distribution = "lognormal", mean = 0.5, cv = 1.0 }"#,
        0.5,
    );
    check_palm(
        "uniform",
        r#"{ distribution = "uniform", lo = 0.1, hi = 0.9 }"#,
        0.5,
    );
}

/// The empirical lead time of the crossing tests: values (years) and weights.
const VALUES: [f64; 4] = [0.1, 0.3, 0.5, 1.2];
const WEIGHTS: [f64; 4] = [1.0, 3.0, 4.0, 2.0];

/// A draw from [`VALUES`] with [`WEIGHTS`], by inversion of the distribution function.
fn empirical(rng: &mut StreamRng) -> f64 {
    let u = uniform(rng) * WEIGHTS.iter().sum::<f64>();
    let mut sum = 0.0;
    for (v, w) in VALUES.iter().zip(WEIGHTS) {
        sum += w;
        if u < sum {
            return *v;
        }
    }
    VALUES[3]
}

/// An event simulation of the base stock S with backorders where each delivery comes no
/// earlier than the previous one: per year of (20, 220], (filled at once, mean on hand, mean
/// backorders), on its own streams.
fn queued_event_simulation(lambda: f64, big_s: u64, k: u64) -> [f64; 3] {
    let (t1, t2) = (20.0, 220.0);
    let f = StreamFactory::new(1_000_003);
    let (mut arrivals, mut leads) = (f.open(k, Stream::OrderSizes), f.open(k, Stream::PathRisk));
    let (mut on_hand, mut backorders) = (big_s as f64, 0.0);
    let (mut filled, mut held, mut waited) = (0.0, 0.0, 0.0);
    let mut queue = std::collections::VecDeque::new();
    let (mut now, mut last) = (0.0f64, 0.0f64);
    let mut integrate = |from: f64, to: f64, on_hand: f64, backorders: f64| {
        let (a, b) = (from.max(t1), to.min(t2));
        if b > a {
            held += on_hand * (b - a);
            waited += backorders * (b - a);
        }
    };
    loop {
        let t = now + exp1(&mut arrivals) / lambda;
        while let Some(&at) = queue.front() {
            if at > t.min(t2) {
                break;
            }
            queue.pop_front();
            integrate(now, at, on_hand, backorders);
            now = at;
            if backorders > 0.0 {
                backorders -= 1.0;
            } else {
                on_hand += 1.0;
            }
        }
        if t >= t2 {
            integrate(now, t2, on_hand, backorders);
            break;
        }
        integrate(now, t, on_hand, backorders);
        now = t;
        if on_hand > 0.0 {
            on_hand -= 1.0;
            if t > t1 {
                filled += 1.0;
            }
        } else {
            backorders += 1.0;
        }
        last = (t + empirical(&mut leads)).max(last);
        queue.push_back(last);
    }
    let w = t2 - t1;
    [filled / w, held / w, waited / w]
}

#[test]
fn without_crossing_deliveries_queue_as_an_event_simulation_says() {
    let (lambda, big_s, paths) = (12.0, 6, 40);
    let lead = r#"{ distribution = "empirical", values = [0.1, 0.3, 0.5, 1.2], weights = [1, 3, 4, 2], crossing = false }"#;
    let sim = window(lambda, big_s, lead, paths);
    let reference: Vec<[f64; 3]> = (0..paths)
        .map(|k| queued_event_simulation(lambda, big_s, k))
        .collect();
    let crossing = palm(lambda, big_s, 0.54);
    for (i, name) in ["filled at once per year", "mean on hand", "mean backorders"]
        .iter()
        .enumerate()
    {
        let (a, sa) = mean_se(sim.iter().map(|x| x[i]));
        let (b, sb) = mean_se(reference.iter().map(|x| x[i]));
        let tolerance = SE * (sa * sa + sb * sb).sqrt();
        assert!(
            (a - b).abs() <= tolerance,
            "{name}: pimsim {a} ± {sa}, event simulation {b} ± {sb}"
        );
        // Queued deliveries wait longer than independent ones: fewer fills, more backorders,
        // by more than the noise.
        let worse = if i == 2 {
            a - crossing[i]
        } else {
            crossing[i] - a
        };
        assert!(
            worse > SE * sa,
            "{name}: {a} against Palm's {}",
            crossing[i]
        );
    }
}

/// The partner scenario of the independent check: 40 units released at t = 0, attrition 0.5
/// per unit-year, reliability 0.8, response times 10, 30 or 90 days (weights 5, 3, 2); (s, S)
/// = (1, 3), unit Poisson demand 6 a year, lost sales, 3 years.
const PARTNER: &str = r#"
[scenario]
horizon_years = 3
[part]
unit_cost = 10
on_hand = 42
[demand]
model = "constant"
rate = 6
[costs]
holding_rate = 0.1
shortage_penalty = 1
[replenishment]
reorder_point = 1
order_up_to = 3
[[partner]]
name = "dealer"
release_price = 1
buyback_price = 5
reliability = 0.8
attrition_rate = 0.5
response_days = { distribution = "empirical", values = [10, 30, 90], weights = [5, 3, 2] }
[[policy]]
name = "release"
kind = "partner_release"
retain = 2
at_years = 0
"#;

/// The partner case simulated here, on its own streams: each released unit leaves the
/// partner at an exponential time (memoryless, so the same law as pimsim's pure-death
/// process). Per path: (units bought back, units short, requests, honoured, response years).
fn partner_event_simulation(k: u64) -> [f64; 5] {
    let horizon = 3.0;
    let f = StreamFactory::new(2_000_003);
    let mut rng = f.open(k, Stream::PathRisk);
    let mut lifetimes: Vec<Option<f64>> = (0..40).map(|_| Some(exp1(&mut rng) / 0.5)).collect();
    let (mut on_hand, mut on_order) = (2u64, 0u64);
    let mut pending: Vec<(f64, u64)> = Vec::new();
    let (mut bought, mut short, mut requests, mut honoured, mut response) = (0, 0, 0, 0, 0.0);
    let mut t = 0.0;
    loop {
        t += exp1(&mut rng) / 6.0;
        pending.retain(|&(at, units)| {
            let arrived = at <= t.min(horizon) && at < horizon;
            if arrived {
                on_hand += units;
                on_order -= units;
                bought += units;
            }
            !arrived
        });
        if t >= horizon {
            break;
        }
        if on_hand > 0 {
            on_hand -= 1;
        } else {
            short += 1;
        }
        let position = on_hand + on_order;
        if position > 1 {
            continue;
        }
        let alive: Vec<usize> = (0..lifetimes.len())
            .filter(|&i| lifetimes[i].is_some_and(|life| life > t))
            .collect();
        if alive.is_empty() {
            continue;
        }
        requests += 1;
        if uniform(&mut rng) >= 0.8 {
            continue;
        }
        honoured += 1;
        let shipped = (3 - position).min(alive.len() as u64);
        for &i in alive.iter().take(shipped as usize) {
            lifetimes[i] = None;
        }
        let u = uniform(&mut rng) * 10.0;
        let days = if u < 5.0 {
            10.0
        } else if u < 8.0 {
            30.0
        } else {
            90.0
        };
        response += days / 365.25;
        pending.push((t + days / 365.25, shipped));
        on_order += shipped;
    }
    [
        bought as f64,
        short as f64,
        requests as f64,
        honoured as f64,
        response,
    ]
}

#[test]
fn partner_response_distribution_with_attrition_matches_an_event_simulation() {
    let paths = 4000;
    let s = scenario(PARTNER);
    let sim: Vec<[f64; 5]> = outcomes(&s, paths, 31)[0]
        .iter()
        .map(|o| {
            let p = &o.partners[0];
            [
                o.units.bought_back as f64,
                o.units.short as f64,
                p.requests as f64,
                p.honoured as f64,
                p.response_years,
            ]
        })
        .collect();
    let reference: Vec<[f64; 5]> = (0..paths).map(partner_event_simulation).collect();
    let names = [
        "bought back",
        "short",
        "requests",
        "honoured",
        "response years",
    ];
    for (i, name) in names.iter().enumerate() {
        let (a, sa) = mean_se(sim.iter().map(|x| x[i]));
        let (b, sb) = mean_se(reference.iter().map(|x| x[i]));
        assert!(
            (a - b).abs() <= SE * (sa * sa + sb * sb).sqrt(),
            "{name}: pimsim {a} ± {sa}, event simulation {b} ± {sb}"
        );
        assert!(a > 0.0, "{name}: nothing happened");
    }
    // The mean response is the table's mean, (5·10 + 3·30 + 2·90) / 10 = 32 days.
    let (honoured, years) = sim
        .iter()
        .fold((0.0, 0.0), |(h, y), x| (h + x[3], y + x[4]));
    let mean_days = years / honoured * 365.25;
    assert!((mean_days - 32.0).abs() < 1.5, "{mean_days}");
}

/// `text` with its fixed lead and response times replaced by tables of distribution `kind`
/// (0 gamma, 1 lognormal, 2 uniform, 3 empirical) of the same mean, crossing or not.
fn with_random_delays(text: &str, kind: usize, cv: f64, crossing: bool) -> String {
    let table = |mean: f64| match kind {
        0 => format!(
            "{{ distribution = \"gamma\", mean = {mean}, cv = {cv}, crossing = {crossing} }}"
        ),
        1 => format!(
            "{{ distribution = \"lognormal\", mean = {mean}, cv = {cv}, crossing = {crossing} }}"
        ),
        2 => format!(
            "{{ distribution = \"uniform\", lo = 0, hi = {}, crossing = {crossing} }}",
            2.0 * mean
        ),
        _ => format!(
            "{{ distribution = \"empirical\", values = [0, {mean}, {}], weights = [1, 0, 1], crossing = {crossing} }}",
            2.0 * mean
        ),
    };
    text.lines()
        .map(|line| {
            for key in ["lead_time_years", "response_days"] {
                if let Some(v) = line.strip_prefix(&format!("{key} = ")) {
                    let mean: f64 = v.parse().unwrap();
                    if mean > 0.0 {
                        return format!("{key} = {}", table(mean));
                    }
                }
            }
            line.to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        rng_seed: RngSeed::Fixed(20_261_218),
        ..ProptestConfig::default()
    })]

    /// Units are conserved, stock never negative and the costs add up with random lead and
    /// response times, in both per-order loops and with or without crossing.
    #[test]
    fn paths_with_random_delays_conserve_units(
        p in prop_oneof![params(Loop::Plain), params(Loop::General)],
        kind in 0usize..4,
        cv in 0.05f64..3.0,
        crossing in any::<bool>(),
    ) {
        check_random_delays(&p, kind, cv, crossing)?;
    }
}

fn check_random_delays(
    p: &Params,
    kind: usize,
    cv: f64,
    crossing: bool,
) -> Result<(), TestCaseError> {
    let s = scenario(&with_random_delays(&toml(p), kind, cv, crossing));
    let plan = Plan::new(&s).unwrap();
    let start = s.starting_stock();
    for outs in outcomes(&s, 24, 5) {
        for o in &outs {
            crate::invariants::check_path(o, start, p, &plan)?;
            // Units a partner shipped and that did not arrive are still on order.
            let shipped: u64 = o.partners.iter().map(|q| q.units_shipped).sum();
            prop_assert!(shipped - o.units.bought_back <= o.units.on_order_at_horizon);
        }
    }
    Ok(())
}

/// Runs `text` on 300 paths and returns every figure of every path's outcome as bits.
fn bits(text: &str) -> Vec<u64> {
    let s = scenario(text);
    let mut out = Vec::new();
    for policy in outcomes(&s, 300, 9) {
        for o in policy {
            out.extend(o.costs.values().map(f64::to_bits));
            out.extend(o.units.values());
            out.push(o.on_hand_unit_years.to_bits());
            for p in &o.partners {
                out.extend([
                    p.requests,
                    p.honoured,
                    p.units_shipped,
                    p.response_years.to_bits(),
                ]);
            }
        }
    }
    out
}

#[test]
fn a_distribution_that_always_gives_the_same_delay_is_the_fixed_delay_to_the_bit() {
    let base = std::fs::read_to_string("scenarios/multi_partner.toml").unwrap();
    let fixed = bits(&base);
    let lead = base
        .lines()
        .find_map(|l| l.strip_prefix("lead_time_years = "))
        .expect("the scenario has re-manufacture")
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let same = base
        .replace(
            &format!("lead_time_years = {lead}"),
            &format!(
                "lead_time_years = {{ distribution = \"uniform\", lo = {lead}, hi = {lead} }}"
            ),
        )
        .lines()
        .map(|l| match l.strip_prefix("response_days = ") {
            Some(v) => {
                let days = v.split_whitespace().next().unwrap();
                format!("response_days = {{ distribution = \"empirical\", values = [{days}] }}")
            }
            None => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_ne!(same, base);
    assert!(same.contains("distribution = \"empirical\""));
    assert_eq!(bits(&same), fixed);
    // The table form of a fixed delay is the number itself.
    let table = base.replace(
        &format!("lead_time_years = {lead}"),
        &format!("lead_time_years = {{ distribution = \"fixed\", value = {lead} }}"),
    );
    assert_eq!(scenario(&table), scenario(&base));
    // And a delay that varies does change the results.
    let varied = base.replace(
        &format!("lead_time_years = {lead}"),
        &format!("lead_time_years = {{ distribution = \"gamma\", mean = {lead}, cv = 0.5 }}"),
    );
    assert_ne!(bits(&varied), fixed);
}

#[test]
fn delay_parameters_are_sweepable_by_dotted_name() {
    use pimsim::scenario::overrides::apply_dotted;
    let text = PARTNER.replace(
        "[[partner]]",
        "[remanufacture]\nunit_cost = 10\nlead_time_years = { distribution = \"gamma\", mean = 0.5, cv = 0.4 }\n[[partner]]",
    );
    let changed = apply_dotted(
        &text,
        &[
            ("remanufacture.lead_time_years.cv", toml::Value::Float(0.9)),
            (
                "partner.dealer.response_days.weights",
                toml::Value::Array(vec![
                    toml::Value::Integer(1),
                    toml::Value::Integer(1),
                    toml::Value::Integer(1),
                ]),
            ),
        ],
    )
    .unwrap();
    let s = scenario(&changed);
    let reman = s.remanufacture.unwrap();
    let d = reman.lead_time_distribution.unwrap();
    assert_eq!(
        d.distribution,
        pimsim::scenario::delay::DelayDistribution::Gamma { mean: 0.5, cv: 0.9 }
    );
    assert!(d.crossing);
    // Equal weights: the mean response is (10 + 30 + 90) / 3 days.
    assert!((s.partners[0].response_days - 130.0 / 3.0).abs() < 1e-12);
    // And in a [sweep] table: one point per value.
    let swept = format!(
        "{text}[sweep]\n\"remanufacture.lead_time_years.cv\" = [0.2, 0.8]\n\
         \"partner.dealer.response_days.values\" = [[5, 10, 20]]\n"
    );
    let plan = pimsim::sweep::SweepPlan::from_toml(std::path::Path::new("s.toml"), &swept).unwrap();
    let cvs: Vec<f64> = plan
        .points
        .iter()
        .map(|p| {
            let d = p.scenario.remanufacture.as_ref().unwrap();
            match d.lead_time_distribution.as_ref().unwrap().distribution {
                pimsim::scenario::delay::DelayDistribution::Gamma { cv, .. } => cv,
                ref other => panic!("{other:?}"),
            }
        })
        .collect();
    assert_eq!(cvs, [0.2, 0.8]);
    // Weights 5, 3, 2 of the scenario on the swept values 5, 10, 20 days.
    assert!((plan.points[0].scenario.partners[0].response_days - 9.5).abs() < 1e-12);
    // Fixed against uncertain, side by side: a number and a table as the swept values.
    let swept = format!(
        "{PARTNER}[remanufacture]\nunit_cost = 10\nlead_time_years = 0.5\n[sweep]\n\
         \"remanufacture.lead_time_years\" = [0.5, {{ distribution = \"gamma\", mean = 0.5, cv = 0.4 }}]\n"
    );
    let plan = pimsim::sweep::SweepPlan::from_toml(std::path::Path::new("s.toml"), &swept).unwrap();
    let drawn: Vec<bool> = plan
        .points
        .iter()
        .map(|p| {
            let r = p.scenario.remanufacture.as_ref().unwrap();
            assert_eq!(r.lead_time_years, 0.5);
            r.lead_time_distribution.is_some()
        })
        .collect();
    assert_eq!(drawn, [false, true]);
    // A delay given as a number becomes a table by overriding it whole.
    let whole = apply_dotted(
        PARTNER,
        &[("partner[0].response_days", toml::Value::Integer(20))],
    )
    .unwrap();
    let s = scenario(&whole);
    assert_eq!(s.partners[0].response_days, 20.0);
    assert!(s.partners[0].response_distribution.is_none());
}
