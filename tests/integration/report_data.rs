//! The statistics behind the charts: consistent with the run's other figures, bounded in size.

use std::path::Path;

use pimsim::engine::{self, DEMAND_SAMPLE_PATHS, RunSettings, RunSummary};
use pimsim::inventory::Plan;
use pimsim::scenario::Scenario;

fn run(file: &str, paths: u64) -> RunSummary {
    let loaded = Scenario::load(Path::new(file)).unwrap();
    let plan = Plan::new(&loaded.scenario).unwrap();
    engine::run(
        &loaded.scenario,
        &plan,
        RunSettings {
            paths,
            seed: 5,
            threads: 2,
        },
        &|_| {},
    )
}

#[test]
fn supply_over_time_ends_at_the_units_received() {
    let s = run("scenarios/heavy_machinery.toml", 3000);
    for p in &s.policies {
        let points: Vec<_> = s.timeseries.iter().filter(|t| t.policy == p.name).collect();
        for pair in points.windows(2) {
            assert!(pair[1].remanufacture_runs_mean >= pair[0].remanufacture_runs_mean);
            assert!(pair[1].remanufactured_mean >= pair[0].remanufactured_mean);
            assert!(pair[1].bought_back_mean >= pair[0].bought_back_mean);
        }
        let last = points.last().unwrap();
        assert_eq!(
            last.remanufacture_runs_mean, p.units.counts.remanufacture_runs,
            "{}",
            p.name
        );
        assert_eq!(
            last.remanufactured_mean, p.units.counts.remanufactured,
            "{}",
            p.name
        );
        assert_eq!(
            last.bought_back_mean, p.units.counts.bought_back,
            "{}",
            p.name
        );
    }
    // The scenario re-manufactures under scrap and buys back under release.
    assert!(s.policies[1].units.counts.remanufacture_runs > 0.0);
    assert!(s.policies[2].units.counts.bought_back > 0.0);
}

#[test]
fn stockout_curve_rises_to_the_share_of_paths_that_stock_out() {
    let s = run("scenarios/electronics_obsolescence.toml", 3000);
    for p in &s.policies {
        let curve = &p.stockout_by_time;
        assert_eq!(curve[0].time_years, 0.0);
        assert_eq!(curve.last().unwrap().time_years, s.scenario.horizon_years);
        assert!(
            curve
                .windows(2)
                .all(|w| w[1].share_of_paths >= w[0].share_of_paths)
        );
        let end = curve.last().unwrap().share_of_paths;
        assert!(
            (end - (1.0 - p.no_stockout_probability)).abs() < 1e-12,
            "{}: {end} vs {}",
            p.name,
            p.no_stockout_probability
        );
        if let Some(first) = &p.first_stockout_years {
            // Half of the paths that stock out have done so by the median.
            let at = curve
                .iter()
                .find(|c| c.time_years >= first.p50)
                .unwrap()
                .share_of_paths;
            assert!(at >= 0.5 * end - 1e-12, "{}", p.name);
        }
    }
}

#[test]
fn cost_histograms_share_bins_and_count_every_path() {
    let s = run("scenarios/electronics_obsolescence.toml", 4000);
    let edges = &s.policies[0].cost_distribution.histogram.bin_edges;
    assert!(
        edges.len() > 20 && edges.len() < 200,
        "{} edges",
        edges.len()
    );
    assert!(edges.windows(2).all(|w| w[1] > w[0]));
    for p in &s.policies {
        let d = &p.cost_distribution;
        assert_eq!(&d.histogram.bin_edges, edges, "{}", p.name);
        assert_eq!(d.paths, 4000);
        let counted: u64 = d.histogram.counts.iter().sum::<u64>() + d.histogram.above;
        assert_eq!(counted, d.paths, "{}", p.name);
        assert!(edges[0] <= d.min && d.min <= d.p25 && d.p25 <= d.p75 && d.p75 <= d.max);
        assert!(d.p25 <= p.total_cost.p50 && p.total_cost.p50 <= d.p75);
        if d.histogram.above > 0 {
            assert!(d.max > *edges.last().unwrap());
        }
    }
}

#[test]
fn paired_differences_and_the_verdicts_odds_come_from_the_same_paths() {
    let s = run("scenarios/heavy_machinery.toml", 3000);
    for p in &s.policies[1..] {
        let c = p.comparison.as_ref().unwrap();
        let q = &c.per_path_difference;
        assert!(q.p05 <= q.p25 && q.p25 <= q.p50 && q.p50 <= q.p75 && q.p75 <= q.p95);
        // All paths cheaper than the baseline: the whole spread is below zero, and back.
        if c.probability_cheaper == 1.0 {
            assert!(q.p95 < 0.0, "{}", p.name);
        }
        if q.p95 < 0.0 {
            assert!(c.probability_cheaper >= 0.95, "{}", p.name);
        }
    }
    let odds = s.verdict.probability_cheaper_than_runner_up.unwrap();
    assert!((0.5..=1.0).contains(&odds), "{odds}");
}

#[test]
fn demand_figures_are_bounded_and_match_the_model() {
    let s = run("scenarios/heavy_machinery.toml", 1000);
    let d = &s.demand;
    assert_eq!(d.sample_paths.len() as u64, DEMAND_SAMPLE_PATHS);
    let years = s.scenario.horizon_years.ceil() as usize;
    for (k, path) in d.sample_paths.iter().enumerate() {
        assert_eq!(path.path, k as u64);
        assert_eq!(path.annual_units.len(), years);
    }
    // The sample paths are paths of the run: path 0's units are within the annual range.
    let total: u64 = d.sample_paths[0].annual_units.iter().sum();
    assert!(total > 0);
    assert!(d.expected_rate.len() <= 1001);
    // The rate curve integrates to the expected units (trapezoid rule, fine grid).
    let area: f64 = d
        .expected_rate
        .windows(2)
        .map(|w| {
            (w[1].time_years - w[0].time_years)
                * (w[0].expected_units_per_year + w[1].expected_units_per_year)
                / 2.0
        })
        .sum();
    assert!(
        (area - d.expected_units).abs() < 1e-3 * d.expected_units,
        "{area} vs {}",
        d.expected_units
    );
    // A tiny run keeps fewer sample paths.
    assert_eq!(
        run("scenarios/benchmark.toml", 2).demand.sample_paths.len(),
        2
    );
}
