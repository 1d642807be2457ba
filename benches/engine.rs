//! Criterion benchmarks: the whole engine on `scenarios/benchmark.toml` against the floor (the
//! same demand paths generated and summed, nothing else), and the components that guide work.
//!
//! Run with `cargo bench --bench engine`. Engine and floor run [`PATHS`] paths on one thread
//! (so that the run's fixed costs, a thread pool and the summary, are amortised as in a real
//! run); criterion reports their throughput in paths per second.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use pimsim::demand::{DemandGenerator, DemandPath};
use pimsim::engine::{self, BLOCK_PATHS, RunSettings};
use pimsim::inventory::{PathOutcome, Plan, PolicySimulator};
use pimsim::rng::StreamFactory;
use pimsim::scenario::Scenario;

fn load(name: &str) -> (Scenario, Plan) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    let scenario = Scenario::load(&path).expect("bundled scenario").scenario;
    let plan = Plan::new(&scenario).expect("plan");
    (scenario, plan)
}

/// Paths per measured iteration of the engine and the floor: 16 blocks.
const PATHS: u64 = 16 * BLOCK_PATHS;

/// Engine ÷ floor on the typical scenario: both on one thread.
fn engine_versus_floor(c: &mut Criterion) {
    let (scenario, plan) = load("benchmark.toml");
    let generator = DemandGenerator::new(&scenario.demand, scenario.horizon_years, plan.discount);
    let streams = StreamFactory::new(1);
    let mut group = c.benchmark_group("benchmark.toml");
    group.throughput(Throughput::Elements(PATHS));

    group.bench_function("floor: demand paths generated and summed", |b| {
        let mut path = DemandPath::default();
        b.iter(|| {
            let mut units = 0u64;
            for k in 0..PATHS {
                generator.generate(&streams, k, &mut path);
                units += path.units();
            }
            black_box(units)
        })
    });

    group.bench_function("engine: three policies with statistics", |b| {
        let settings = RunSettings {
            paths: PATHS,
            seed: 1,
            threads: 1,
        };
        b.iter(|| black_box(engine::run(&scenario, &plan, settings, &|_| {})))
    });

    group.throughput(Throughput::Elements(BLOCK_PATHS));
    for (i, policy) in plan.policies.iter().enumerate() {
        let name = format!("one policy's pass: {}", policy.name);
        let mut paths: Vec<DemandPath> = vec![DemandPath::default(); BLOCK_PATHS as usize];
        for (k, p) in paths.iter_mut().enumerate() {
            generator.generate(&streams, k as u64, p);
        }
        group.bench_function(name, |b| {
            let mut simulator = PolicySimulator::new();
            let mut outcome = PathOutcome::default();
            b.iter(|| {
                let mut total = 0.0;
                for (k, p) in paths.iter().enumerate() {
                    simulator.simulate(
                        &plan,
                        &plan.policies[i],
                        &streams,
                        k as u64,
                        p,
                        &mut outcome,
                    );
                    total += outcome.costs.total();
                }
                black_box(total)
            })
        });
    }
    group.finish();
}

/// Demand generation per model, on the bundled scenarios that use them.
fn demand_models(c: &mut Criterion) {
    let mut group = c.benchmark_group("demand generation");
    group.throughput(Throughput::Elements(BLOCK_PATHS));
    for name in [
        "benchmark.toml",
        "heavy_machinery.toml",
        "electronics_obsolescence.toml",
        "multi_partner.toml",
    ] {
        let (scenario, plan) = load(name);
        let generator =
            DemandGenerator::new(&scenario.demand, scenario.horizon_years, plan.discount);
        let streams = StreamFactory::new(1);
        group.bench_function(name, |b| {
            let mut path = DemandPath::default();
            let mut first = 0u64;
            b.iter(|| {
                let mut units = 0u64;
                for k in first..first + BLOCK_PATHS {
                    generator.generate(&streams, k, &mut path);
                    units += path.units();
                }
                first += BLOCK_PATHS;
                black_box(units)
            })
        });
    }
    group.finish();
}

criterion_group!(benches, engine_versus_floor, demand_models);
criterion_main!(benches);
