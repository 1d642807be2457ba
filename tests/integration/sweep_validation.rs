//! The long phases before a run stop when asked and stay bounded: validating a sweep's points
//! (with progress) and the exact-quantile recursion of a plan can be cancelled; a sweep whose
//! validation would take far too long is refused up front; dotted keys of thousands of
//! segments are refused with a clear message instead of overflowing the stack.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use pimsim::inventory::{Plan, PlanError};
use pimsim::scenario::Scenario;
use pimsim::sweep::{MAX_SWEEP_VALIDATION_WORK, SweepLoadError, SweepPlan};

const BUNDLED_SWEEP: &str = include_str!("../../scenarios/sweep_release_vs_scrap.toml");

/// A scenario whose quantile policy needs ~2.5·10^8 multiply-adds of recursion (about half a
/// second): 2·10^5 orders a year for 10 years of 1 + Poisson(4) units each.
const HEAVY_QUANTILE: &str = "[scenario]\nhorizon_years = 10\n[part]\nunit_cost = 10\n\
    on_hand = 50\n[demand]\nmodel = \"constant\"\nrate = 200000\n[demand.order_size]\n\
    distribution = \"poisson\"\nmean = 5\n[costs]\nholding_rate = 0.1\nshortage_penalty = 100\n\
    [[policy]]\nname = \"q\"\nkind = \"scrap\"\nretain = { quantile = 0.95 }\n";

fn cheap_lhs(points: usize) -> String {
    format!(
        "{}\n[sweep]\ndesign = \"latin_hypercube\"\npoints = {points}\n\"part.on_hand\" = [10, 900]\n",
        BUNDLED_SWEEP
            .split("\n[sweep]")
            .next()
            .expect("the bundled sweep has a [sweep] table")
    )
}

#[test]
fn progress_counts_every_point_validated() {
    let path = Path::new("sweep_release_vs_scrap.toml");
    let calls = std::sync::Mutex::new(Vec::new());
    let progress = |n: u64| calls.lock().unwrap().push(n);
    let never = AtomicBool::new(false);
    let plan = SweepPlan::from_toml_cancellable(path, BUNDLED_SWEEP, &never, &progress).unwrap();
    // 3 × 4 grid points, then low and high of the 2 numeric keys.
    assert_eq!(plan.points.len(), 12);
    assert_eq!(plan.oat.len(), 4);
    assert_eq!(*calls.lock().unwrap(), (1..=16).collect::<Vec<u64>>());
    let plain = SweepPlan::from_toml(path, BUNDLED_SWEEP).unwrap();
    assert_eq!(plain.points.len(), plan.points.len());
    for (a, b) in plain.points.iter().zip(&plan.points) {
        assert_eq!(a.scenario, b.scenario);
    }
}

#[test]
fn a_sweep_validation_is_cancelled_before_and_during_its_points() {
    let path = Path::new("lhs.toml");
    let set = AtomicBool::new(true);
    let count = AtomicU64::new(0);
    let progress = |n: u64| count.store(n, Ordering::Relaxed);
    let text = cheap_lhs(100_000);
    let e = SweepPlan::from_toml_cancellable(path, &text, &set, &progress).unwrap_err();
    assert_eq!(e, SweepLoadError::Cancelled);
    assert_eq!(count.load(Ordering::Relaxed), 0);

    // Set while the 100,000 points are being validated (seconds of work).
    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    let result = std::thread::scope(|s| {
        s.spawn(|| {
            while count.load(Ordering::Relaxed) < 10 {
                std::thread::sleep(Duration::from_millis(1));
            }
            cancel.store(true, Ordering::Relaxed);
        });
        SweepPlan::from_toml_cancellable(path, &text, &cancel, &progress)
    });
    assert_eq!(result.unwrap_err(), SweepLoadError::Cancelled);
    let validated = count.load(Ordering::Relaxed);
    assert!((10..100_000).contains(&validated), "{validated}");
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn the_quantile_recursion_of_a_plan_is_cancelled_within_milliseconds() {
    let loaded = Scenario::from_toml(Path::new("heavy.toml"), HEAVY_QUANTILE).unwrap();
    let set = AtomicBool::new(true);
    let started = Instant::now();
    let e = Plan::new_cancellable(&loaded.scenario, &set).unwrap_err();
    assert_eq!(e, PlanError::Cancelled);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let cancel = AtomicBool::new(false);
    let started = Instant::now();
    let result = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(50));
            cancel.store(true, Ordering::Relaxed);
        });
        pimsim::inventory::Plan::of_cancellable(&loaded, &cancel)
    });
    // Uncancelled, the recursion takes seconds; cancelled, it stops a few ms after the flag.
    assert!(
        matches!(result, Err(pimsim::scenario::LoadError::Cancelled)),
        "{result:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_sweep_whose_quantile_validation_would_take_days_is_refused_up_front() {
    // 100,000 points, each validated with its plan: the recursion of the quantile policy,
    // about 2.5·10^8 multiply-adds per point, most of a day in all.
    let text = format!(
        "{HEAVY_QUANTILE}[sweep]\ndesign = \"latin_hypercube\"\npoints = 100000\n\
         \"part.on_hand\" = [10, 900]\n"
    );
    let started = Instant::now();
    let e = SweepPlan::from_toml(Path::new("days.toml"), &text)
        .unwrap_err()
        .to_string();
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        e.starts_with(
            "days.toml:19:1: error: `sweep`: validating its 100000 points and 2 one-at-a-time points would take about"
        ),
        "{e}"
    );
    assert!(e.contains("retained level of policy \"q\""), "{e}");
    assert!(
        e.contains(&format!(
            "at most {MAX_SWEEP_VALIDATION_WORK:.0e} are allowed (about a minute): use fewer points, or give that policy's retained level as a number of units or with cover_years"
        )),
        "{e}"
    );
    assert!(e.ends_with("1 error in the input"), "{e}");
    // The same scenario with one point (and its two one-at-a-time points) is validated.
    let few = text.replace("points = 100000", "points = 1");
    assert_eq!(
        SweepPlan::from_toml(Path::new("few.toml"), &few)
            .unwrap()
            .points
            .len(),
        1
    );
}

#[test]
fn a_dotted_key_of_thousands_of_segments_is_refused_not_a_stack_overflow() {
    let deep = vec!["a"; 50_000].join(".");
    let text = format!(
        "{}\n[sweep]\n\"demand.{deep}\" = [1, 2]\n",
        BUNDLED_SWEEP.split("\n[sweep]").next().unwrap()
    );
    let e = SweepPlan::from_toml(Path::new("deep.toml"), &text)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("error: `sweep.demand.a.a.a.a.a.a.a…`: `demand.a.a.a.a.a.a.a…` is not a dotted scenario key: 50001 segments; a dotted key has at most 8"),
        "{}",
        &e[..e.len().min(600)]
    );
    assert!(e.len() < 1000, "{} characters", e.len());

    // A parts-CSV column goes through the same parser.
    let dir = tempfile::tempdir().unwrap();
    let parts = dir.path().join("parts.csv");
    std::fs::write(&parts, format!("part,part.{deep}\nP1,3\n")).unwrap();
    let template = BUNDLED_SWEEP.split("\n[sweep]").next().unwrap();
    let e = match pimsim::portfolio::input::read_parts(&[parts], Path::new("t.toml"), template) {
        Ok(_) => panic!("the column is accepted"),
        Err(e) => e.to_string(),
    };
    assert!(e.contains("50001 segments; a dotted key has at most 8"));
}
