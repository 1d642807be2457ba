//! The same scenario, seed and path count give bit-identical results whatever the thread count.

use std::path::Path;

use pimsim::engine::{self, RunSettings};
use pimsim::inventory::Plan;
use pimsim::scenario::Scenario;

#[test]
fn results_are_identical_for_one_two_and_three_threads() {
    let loaded = Scenario::load(Path::new("scenarios/benchmark.toml")).unwrap();
    let s = &loaded.scenario;
    let plan = Plan::new(s).unwrap();
    // Not a multiple of the block size, so that the last block is partial.
    let run = |threads| {
        engine::run(
            s,
            &plan,
            RunSettings {
                paths: 5000,
                seed: 77,
                threads,
            },
            &|_| {},
        )
    };
    let one = run(1);
    let two = run(2);
    let three = run(3);
    assert_eq!(one, two);
    assert_eq!(one, three);
    let json = |x| serde_json::to_string(&x).unwrap();
    assert_eq!(json(one.clone()), json(two));
    // A different seed gives different paths.
    let other = engine::run(
        s,
        &plan,
        RunSettings {
            paths: 5000,
            seed: 78,
            threads: 2,
        },
        &|_| {},
    );
    assert_ne!(
        one.policies[0].total_cost.mean,
        other.policies[0].total_cost.mean
    );
}
