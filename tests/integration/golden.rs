//! Golden results: the exact bits of a small run of the benchmark scenario. Users reproduce
//! published figures from (scenario, seed, paths); any change to these numbers is a change of
//! results and must be deliberate (update the values and say why in the commit).

use std::path::Path;

use pimsim::engine::{self, RunSettings};
use pimsim::inventory::Plan;
use pimsim::scenario::Scenario;

#[test]
fn benchmark_scenario_results_are_pinned() {
    let loaded = Scenario::load(Path::new("scenarios/benchmark.toml")).unwrap();
    let plan = Plan::new(&loaded.scenario).unwrap();
    let summary = engine::run(
        &loaded.scenario,
        &plan,
        RunSettings {
            paths: 2000,
            seed: 1,
            threads: 2,
        },
        &|_| {},
    );
    let means: Vec<(String, f64, f64)> = summary
        .policies
        .iter()
        .map(|p| (p.name.clone(), p.total_cost.mean, p.units.counts.demanded))
        .collect();
    let pinned: Vec<(&str, f64, f64)> = PINNED.to_vec();
    assert_eq!(
        means
            .iter()
            .map(|(n, c, d)| (n.as_str(), *c, *d))
            .collect::<Vec<_>>(),
        pinned,
        "results changed: {means:?}"
    );
}

const PINNED: [(&str, f64, f64); 3] = [
    ("hold", 28020.97811278965, 294.31),
    ("scrap-60", 93421.73848268331, 294.31),
    ("release-60", 75524.86735859272, 294.31),
];
