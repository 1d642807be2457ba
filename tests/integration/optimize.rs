//! The optimiser: exact newsvendor optima, agreement with a brute-force scan on the same
//! paths, fill-rate targets, optimize.json and the command line.

use std::fs;
use std::sync::atomic::AtomicBool;

use pimsim::engine::{self, RunSettings};
use pimsim::inventory::Plan;
use pimsim::optimize::{self, candidate_plan};
use statrs::distribution::{DiscreteCDF, Poisson};

use crate::common::scenario;
use crate::common::{parse_xml, pimsim, svg_texts, text_of};

fn settings(paths: u64, seed: u64) -> RunSettings {
    RunSettings {
        paths,
        seed,
        threads: 0,
    }
}

/// Hold with a last-time buy, no carrying cost, no discounting, lost sales, nothing on hand,
/// no re-manufacture nor partners, unit orders at a constant Poisson rate: the newsvendor.
fn newsvendor(mean: f64, cost: f64, penalty: f64, salvage: f64) -> String {
    let horizon = 5.0;
    format!(
        r#"
[scenario]
horizon_years = {horizon}
discount_rate = 0
[part]
unit_cost = {cost}
on_hand = 0
last_time_buy_cost = {cost}
[demand]
model = "constant"
rate = {rate}
[costs]
holding_rate = 0
salvage_value = {salvage}
shortage_penalty = {penalty}
unmet_demand = "lost"
[[policy]]
name = "hold"
kind = "hold"
"#,
        rate = mean / horizon
    )
}

#[test]
fn the_last_time_buy_is_the_poisson_newsvendor_optimum() {
    let never = AtomicBool::new(false);
    // (mean lifetime demand, unit cost c, penalty p, salvage s): critical ratios
    // (p − c)/(p − s) of 0.5, 0.8, 0.95, 0.3 and 0.79 (the last one zooms: its range exceeds
    // one grid).
    for (mean, c, p, s) in [
        (12.0, 10.0, 20.0, 0.0),
        (30.0, 10.0, 50.0, 0.0),
        (6.0, 10.0, 200.0, 0.0),
        (20.0, 10.0, 13.0, 3.0),
        (60.0, 10.0, 40.0, 2.0),
    ] {
        let sc = scenario(&newsvendor(mean, c, p, s));
        let plan = Plan::new(&sc).unwrap();
        let ratio = (p - c) / (p - s);
        let poisson = Poisson::new(mean).unwrap();
        let exact = (0u64..).find(|&q| poisson.cdf(q) >= ratio).unwrap();
        let o =
            optimize::optimise_policy(&sc, &plan, 0, settings(20_000, 5), None, &never).unwrap();
        assert!(
            o.best.quantity.abs_diff(exact) <= 1,
            "mean {mean}, ratio {ratio}: optimiser {} vs exact {exact}",
            o.best.quantity
        );
        assert!(o.search.candidates <= o.search.full_grid, "{:?}", o.search);
    }
}

fn scrap_scenario(kind: &str, at: f64) -> String {
    let partner = if kind == "partner_release" {
        "[[partner]]\nname = \"dealer\"\nrelease_price = 3\nbuyback_price = 25\nreliability = 0.8\nattrition_rate = 0.1\n"
    } else {
        ""
    };
    format!(
        r#"
[scenario]
horizon_years = 10
discount_rate = 0.05
[part]
unit_cost = 20
on_hand = 70
[demand]
model = "exponential"
rate = 9.0
half_life_years = 3.0
[costs]
holding_rate = 0.15
salvage_value = 2.0
shortage_penalty = 60.0
{partner}
[[policy]]
name = "dispose"
kind = "{kind}"
at_years = {at}
retain = 10
"#
    )
}

#[test]
fn the_optimal_retained_level_is_the_argmin_of_a_full_scan_on_the_same_paths() {
    let never = AtomicBool::new(false);
    for (kind, at, target) in [
        ("scrap", 0.0, None),
        ("scrap", 1.5, None),
        ("partner_release", 0.0, None),
        ("scrap", 0.0, Some(0.97)),
    ] {
        let sc = scenario(&scrap_scenario(kind, at));
        let plan = Plan::new(&sc).unwrap();
        let run = settings(3_000, 17);
        let o = optimize::optimise_policy(&sc, &plan, 0, run, target, &never).unwrap();
        let all: Vec<u64> = (0..=sc.starting_stock()).collect();
        let scan = engine::evaluate_cancellable(
            &sc,
            &candidate_plan(&sc, &plan, 0, &all),
            run,
            &|_| {},
            &never,
        )
        .unwrap();
        // Every evaluated point has exactly the scan's value.
        for f in &o.frontier {
            let e = &scan[f.quantity as usize];
            assert_eq!(f.total_cost.to_bits(), e.mean_cost.to_bits());
            assert_eq!(f.fill_rate.to_bits(), e.fill_rate().to_bits());
        }
        let feasible = |q: usize| target.is_none_or(|t| scan[q].fill_rate() >= t);
        let argmin = (0..scan.len())
            .filter(|&q| feasible(q))
            .fold(None::<usize>, |b, q| match b {
                Some(b) if scan[b].mean_cost <= scan[q].mean_cost => Some(b),
                _ => Some(q),
            })
            .unwrap();
        assert_eq!(
            o.best.quantity, argmin as u64,
            "{kind} at {at} target {target:?}"
        );
        assert!(
            o.search.candidates * 2 < all.len() as u64,
            "{kind}: {:?}",
            o.search
        );
    }
}

#[test]
fn a_fill_rate_target_picks_the_cheapest_frontier_point_meeting_it() {
    let never = AtomicBool::new(false);
    let sc = scenario(&scrap_scenario("scrap", 0.0));
    let plan = Plan::new(&sc).unwrap();
    let target = 0.98;
    let o =
        optimize::optimise_policy(&sc, &plan, 0, settings(3_000, 3), Some(target), &never).unwrap();
    assert!(o.target_met);
    let cheapest = o
        .frontier
        .iter()
        .filter(|f| f.fill_rate >= target)
        .min_by(|a, b| a.total_cost.total_cmp(&b.total_cost))
        .unwrap();
    assert_eq!(o.best, *cheapest);
    // Without the target the optimum is cheaper and serves less.
    let free = optimize::optimise_policy(&sc, &plan, 0, settings(3_000, 3), None, &never).unwrap();
    assert!(free.best.total_cost <= o.best.total_cost);
    assert!(free.best.fill_rate < target, "{:?}", free.best);
    // Scrapping at t = 0 with lost sales and no supply: a path fills min(demand, R) units, so
    // on common random numbers the fill rate cannot fall as R rises.
    for w in o.frontier.windows(2) {
        assert!(w[0].fill_rate <= w[1].fill_rate, "{:?}", w);
    }
}

#[test]
fn optimize_json_has_the_stable_names_and_json_format_prints_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    fs::write(&file, scrap_scenario("scrap", 0.0)).unwrap();
    let out = dir.path().join("o");
    let output = pimsim()
        .args([
            "optimize", "--paths", "1000", "--seed", "4", "--format", "json",
        ])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = fs::read_to_string(out.join("optimize.json")).unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap(), written);
    assert!(out.join("optimize.svg").is_file() && out.join("optimize.png").is_file());
    let v: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert_eq!(v["policy"], "dispose");
    for key in ["quantity", "total_cost", "fill_rate"] {
        assert!(v["best"][key].is_number(), "best.{key}");
    }
    let frontier = v["frontier"].as_array().unwrap();
    assert!(frontier.len() > 3);
    for p in frontier {
        for key in ["quantity", "total_cost", "fill_rate", "std_err"] {
            assert!(p[key].is_number(), "frontier {key}");
        }
    }
    assert_eq!(v["policies"][0]["best"], v["best"]);
    assert!(
        frontier
            .iter()
            .any(|p| p["quantity"] == v["best"]["quantity"])
    );
}

#[test]
fn retain_optimal_runs_and_reports_the_chosen_level() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    fs::write(
        &file,
        scrap_scenario("scrap", 0.0).replace("retain = 10", "retain = \"optimal\""),
    )
    .unwrap();
    pimsim().arg("check").arg(&file).assert().success();
    let out = dir.path().join("run");
    pimsim()
        .args([
            "run",
            "--paths",
            "1500",
            "--seed",
            "8",
            "--no-report",
            "--quiet",
        ])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let chosen = &summary["policies"][0]["retained_levels"][0]["units"];
    // The same search on the same (first 1,500) paths.
    let opt = dir.path().join("opt");
    let output = pimsim()
        .args([
            "optimize", "--paths", "1500", "--seed", "8", "--format", "json", "--quiet",
        ])
        .arg(&file)
        .arg("--out")
        .arg(&opt)
        .output()
        .unwrap();
    assert!(output.status.success());
    let v: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(*chosen, v["best"]["quantity"]);
    assert!(chosen.as_u64().unwrap() < 70);
    assert_eq!(summary["scenario"]["policies"][0]["retain"], "optimal");
}

#[test]
fn bad_optimize_flags_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    fs::write(&file, scrap_scenario("scrap", 0.0)).unwrap();
    let out = dir.path().join("o");
    let stderr = |args: &[&str]| {
        let o = pimsim()
            .arg("optimize")
            .arg(&file)
            .args(["--out"])
            .arg(&out)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        String::from_utf8(o.stderr).unwrap()
    };
    let e = stderr(&["--policy", "dispos"]);
    assert!(e.contains("did you mean \"dispose\""), "{e}");
    for bad in ["1.5", "-0.1", "x"] {
        let e = stderr(&[&format!("--fill-rate-target={bad}")]);
        assert!(e.contains("[0, 1]"), "{e}");
    }
    // A policy that repeats its disposition has no single level to optimise.
    let reviewed = dir.path().join("r.toml");
    fs::write(
        &reviewed,
        scrap_scenario("scrap", 0.0).replace("retain = 10", "retain = 10\nreview_every_years = 2"),
    )
    .unwrap();
    let o = pimsim()
        .arg("optimize")
        .arg(&reviewed)
        .args(["--policy", "dispose", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("review_every_years"));
    assert!(!out.exists(), "nothing is written on bad input");
    // retain = "optimal" with reviews is refused by check.
    fs::write(
        &reviewed,
        scrap_scenario("scrap", 0.0).replace(
            "retain = 10",
            "retain = \"optimal\"\nreview_every_years = 2",
        ),
    )
    .unwrap();
    let o = pimsim().arg("check").arg(&reviewed).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("retain") && e.contains("review_every_years"),
        "{e}"
    );
}

#[cfg(unix)]
#[test]
fn sigint_stops_an_optimisation_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let args = [
        "optimize",
        "scenarios/heavy_machinery.toml",
        "--paths",
        "1000000000",
    ];
    let stopped = crate::common::interrupt(&args, &out, "INT");
    assert_eq!(stopped.code, Some(130));
    assert!(stopped.stderr.contains("nothing was written"));
    assert!(!out.exists(), "the directory it created is removed again");
}

/// On the bundled benchmark: scrapping (each path's cost convex in R) gives exactly the full
/// scan's argmin; releasing to an unreliable partner with attrition makes the mean cost bumpy
/// at the scale of a unit (which units are released changes the partner's random draws), so
/// the zooming grid may stop in a dip within the noise, and `--full-scan` finds the argmin.
#[test]
fn on_the_bundled_benchmark_the_search_matches_a_full_scan() {
    let never = AtomicBool::new(false);
    let loaded =
        pimsim::scenario::Scenario::load(std::path::Path::new("scenarios/benchmark.toml")).unwrap();
    let sc = &loaded.scenario;
    let plan = Plan::new(sc).unwrap();
    let run = settings(1_000, 7);
    for index in [1, 2] {
        let o = optimize::optimise_policy(sc, &plan, index, run, None, &never).unwrap();
        let all: Vec<u64> = (0..=sc.starting_stock()).collect();
        // A policy's estimate does not depend on its companions: scan in chunks.
        let scan: Vec<f64> = all
            .chunks(43)
            .flat_map(|qs| {
                engine::evaluate_cancellable(
                    sc,
                    &candidate_plan(sc, &plan, index, qs),
                    run,
                    &|_| {},
                    &never,
                )
                .unwrap()
                .into_iter()
                .map(|e| e.mean_cost)
            })
            .collect();
        let argmin = (0..scan.len()).fold(0, |b, q| if scan[q] < scan[b] { q } else { b });
        let full = optimize::optimise_policy_with(
            sc,
            &plan,
            index,
            run,
            None,
            optimize::Method::FullScan,
            &|_| {},
            &never,
        )
        .unwrap();
        assert_eq!(full.best.quantity, argmin as u64, "policy {index}");
        assert_eq!(full.search.candidates, all.len() as u64);
        let b = o.best.quantity as usize;
        if index == 1 {
            assert_eq!(b, argmin, "scrap");
        } else {
            assert!(
                scan[b] - scan[argmin] <= o.best.std_err,
                "release: {b} at {} vs {argmin} at {}",
                scan[b],
                scan[argmin]
            );
        }
    }
}

/// Runs `pimsim optimize` on the scrap scenario with `args` into `dir/o`; returns the output
/// directory and what it printed.
fn optimize_cli(dir: &tempfile::TempDir, args: &[&str]) -> (std::path::PathBuf, String) {
    let file = dir.path().join("s.toml");
    fs::write(&file, scrap_scenario("scrap", 0.0)).unwrap();
    let out = dir.path().join("o");
    let output = pimsim()
        .args(["optimize", "--paths", "800", "--seed", "4", "--quiet"])
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    (out, String::from_utf8(output.stdout).unwrap())
}

fn optimize_json(out: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(out.join("optimize.json")).unwrap()).unwrap()
}

#[test]
fn optimize_writes_a_well_formed_report_whose_numbers_are_optimize_json() {
    let dir = tempfile::tempdir().unwrap();
    let (out, table) = optimize_cli(&dir, &[]);
    let json = optimize_json(&out);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let doc = parse_xml(&html);
    // Every number marked on the page is the value at its pointer in optimize.json.
    let mut checked = 0;
    for node in doc.descendants().filter(|n| n.has_attribute("data-key")) {
        let key = node.attribute("data-key").unwrap();
        let shown: f64 = node.attribute("data-value").unwrap().parse().unwrap();
        let expected = json
            .pointer(key)
            .and_then(|v| v.as_f64())
            .unwrap_or_else(|| panic!("{key} is not a number in optimize.json"));
        assert!(
            shown == expected || (shown - expected).abs() <= 4.0 * f64::EPSILON * expected.abs(),
            "{key}: page {shown}, optimize.json {expected}"
        );
        checked += 1;
    }
    // The frontier table has one row per quantity evaluated (fewer than its cap here).
    let frontier = json["frontier"].as_array().unwrap();
    assert!(checked > 4 * frontier.len(), "only {checked} numbers");
    let table_rows = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("frontier-0"))
        .expect("a frontier table")
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .count();
    assert_eq!(table_rows, frontier.len() + 1, "header + one row per point");
    // The verdict: the best level, its cost with the currency and its 95 % interval.
    let verdict = text_of(
        doc.descendants()
            .find(|n| n.attribute("id") == Some("verdict"))
            .expect("a verdict"),
    );
    let best = &json["best"];
    let cost = pimsim::output::money(best["total_cost"].as_f64().unwrap());
    let low = pimsim::output::money(best["ci95"][0].as_f64().unwrap());
    let high = pimsim::output::money(best["ci95"][1].as_f64().unwrap());
    assert!(
        verdict.contains(&format!(
            "retained level R of {} units it costs {cost} currency units",
            best["quantity"]
        )),
        "{verdict}"
    );
    assert!(
        verdict.contains(&format!("95 % confidence interval {low} to {high}")),
        "{verdict}"
    );
    assert!(!verdict.contains("std err"), "{verdict}");
    // The interval is run's: mean ∓ 1.96 standard errors.
    for p in frontier {
        let (m, se) = (
            p["total_cost"].as_f64().unwrap(),
            p["std_err"].as_f64().unwrap(),
        );
        let ci = [
            p["ci95"][0].as_f64().unwrap(),
            p["ci95"][1].as_f64().unwrap(),
        ];
        assert!(ci[0] <= m && m <= ci[1]);
        assert!(
            (ci[1] - ci[0] - 2.0 * 1.959_963_984_540_054 * se).abs() <= 1e-9 * m.abs().max(1.0)
        );
        let q = p["no_stockout_probability"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&q));
    }
    // The chart inline, with the same numbers in its caption; the sections in order.
    let figure = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("chart-optimize"))
        .expect("the chart");
    let texts = svg_texts(figure);
    assert!(
        texts
            .iter()
            .any(|t| t.contains(&format!("mean cost {cost} ± "))
                && t.contains("currency units (95 % CI)")),
        "{texts:?}"
    );
    let at = |id: &str| html.find(&format!("id=\"{id}\"")).unwrap();
    assert!(at("verdict") < at("assumptions") && at("assumptions") < at("chart-optimize"));
    assert!(at("chart-optimize") < at("frontier") && at("frontier") < at("search"));
    // The terminal table: ± the 95 % half-width, as run shows it.
    assert!(table.contains("mean cost ± 95% CI"), "{table}");
    assert!(!table.contains("std err"), "{table}");
    let half = (best["ci95"][1].as_f64().unwrap() - best["ci95"][0].as_f64().unwrap()) / 2.0;
    assert!(
        table.contains(&format!("{cost} ± {}", pimsim::output::money(half))),
        "{table}"
    );
}

#[test]
fn the_fill_rate_target_is_drawn_and_named_only_when_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = optimize_cli(&dir, &[]);
    let svg = fs::read_to_string(out.join("optimize.svg")).unwrap();
    let texts = svg_texts(parse_xml(&svg).root_element());
    assert!(
        !texts.iter().any(|t| t.to_lowercase().contains("target")),
        "{texts:?}"
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        !html.contains("Fill-rate target"),
        "no target in the verdict"
    );

    let dir = tempfile::tempdir().unwrap();
    let (out, _) = optimize_cli(&dir, &["--fill-rate-target", "0.98"]);
    let svg = fs::read_to_string(out.join("optimize.svg")).unwrap();
    let texts = svg_texts(parse_xml(&svg).root_element());
    assert!(
        texts.iter().any(|t| t == "fill-rate target, 98.0 %"),
        "a legend entry: {texts:?}"
    );
    assert!(
        texts.iter().any(|t| t == "target 98.0 %"),
        "a label on the line: {texts:?}"
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let doc = parse_xml(&html);
    let verdict = text_of(
        doc.descendants()
            .find(|n| n.attribute("id") == Some("verdict"))
            .unwrap(),
    );
    assert!(verdict.contains("Fill-rate target: 98.0 %"), "{verdict}");
}

#[test]
fn format_csv_prints_the_frontier_one_row_per_quantity_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let (out, stdout) = optimize_cli(&dir, &["--format", "csv"]);
    let written = fs::read_to_string(out.join("optimize_frontier.csv")).unwrap();
    assert_eq!(stdout, written);
    let json = optimize_json(&out);
    let mut reader = csv::Reader::from_reader(written.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, pimsim::output::FRONTIER_COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let points: Vec<&serde_json::Value> = json["policies"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["frontier"].as_array().unwrap())
        .collect();
    assert_eq!(rows.len(), points.len());
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (row, p) in rows.iter().zip(&points) {
        assert_eq!(row[col("policy")], *"dispose");
        assert_eq!(row[col("quantity")].parse::<u64>().unwrap(), p["quantity"]);
        let cost: f64 = row[col("total_cost_mean")].parse().unwrap();
        assert_eq!(cost, p["total_cost"].as_f64().unwrap());
        let low: f64 = row[col("total_cost_ci95_low")].parse().unwrap();
        assert_eq!(low, p["ci95"][0].as_f64().unwrap());
        assert_eq!(row[col("fill_rate_target")], *"", "no target asked for");
    }
    let best: Vec<_> = rows.iter().filter(|r| &r[col("best")] == "true").collect();
    assert_eq!(best.len(), 1);
    assert_eq!(
        best[0][col("quantity")].parse::<u64>().unwrap(),
        json["best"]["quantity"]
    );
}

#[test]
fn no_report_writes_only_the_data_files_of_optimize() {
    let dir = tempfile::tempdir().unwrap();
    let (out, _) = optimize_cli(&dir, &["--no-report"]);
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [".pimsim-output", "optimize.json", "optimize_frontier.csv"]
    );
}

/// What `optimise_to_precision` reported, in order: passes (policy, pass, paths) and
/// comparisons (first, second, paths).
#[derive(Debug, Clone, PartialEq)]
enum Event {
    Pass(String, u32, u64),
    Comparison(String, String, u64),
}

#[test]
fn a_precision_search_repeats_a_pass_on_the_new_paths_only_and_compares_the_two_best() {
    let never = AtomicBool::new(false);
    let loaded =
        pimsim::scenario::Scenario::load(std::path::Path::new("scenarios/benchmark.toml")).unwrap();
    let sc = &loaded.scenario;
    let plan = Plan::new(sc).unwrap();
    let events = std::sync::Mutex::new(Vec::new());
    let simulated = std::sync::atomic::AtomicU64::new(0);
    let progress = |e: optimize::OptimizeProgress| match e {
        optimize::OptimizeProgress::Pass {
            policy,
            pass,
            paths,
            ..
        } => events
            .lock()
            .unwrap()
            .push(Event::Pass(policy.into(), pass, paths)),
        optimize::OptimizeProgress::Comparison {
            first,
            second,
            paths,
        } => events
            .lock()
            .unwrap()
            .push(Event::Comparison(first.into(), second.into(), paths)),
        optimize::OptimizeProgress::Paths(n) => {
            simulated.fetch_add(n, std::sync::atomic::Ordering::Relaxed);
        }
    };
    let rule = engine::precision::PrecisionRule {
        target: 0.001,
        max_paths: 1_000_000,
    };
    let report = optimize::optimise_to_precision(
        sc,
        &plan,
        &[0, 1, 2],
        settings(1, 3),
        None,
        optimize::Method::ZoomingGrid,
        rule,
        &progress,
        &never,
    )
    .unwrap();
    let outcome = report.precision.unwrap();
    assert!(outcome.reached && outcome.stages == 2, "{outcome:?}");
    let first = engine::precision::first_stage_end(rule);
    let last = outcome.paths;
    let events = events.into_inner().unwrap();
    // Every stage ends with the comparison of the two best optima, on that stage's new paths.
    let comparisons: Vec<&Event> = events
        .iter()
        .filter(|e| matches!(e, Event::Comparison(..)))
        .collect();
    assert_eq!(comparisons.len(), 2, "{events:?}");
    let names = |k: usize| report.policies[k].policy.clone();
    let ranked = [names(2), names(1)]; // release-60 is cheapest, then scrap-60
    assert_eq!(report.recommended.policy, ranked[0]);
    assert!(
        matches!(comparisons[1], Event::Comparison(a, b, _) if *a == ranked[0] && *b == ranked[1]),
        "{comparisons:?}"
    );
    // The first pass of each policy's search (the same grid in both stages) simulates only the
    // second stage's new paths; every pass of the first stage simulates all of its paths.
    let passes_of_one = |stage_paths: &dyn Fn(u64) -> bool| {
        events
            .iter()
            .filter(|e| matches!(e, Event::Pass(_, 1, p) if stage_paths(*p)))
            .count()
    };
    assert_eq!(passes_of_one(&|p| p == first), 3, "{events:?}");
    assert_eq!(passes_of_one(&|p| p == last - first), 3, "{events:?}");
    // Everything reported as simulated is what the passes announced.
    let announced: u64 = events
        .iter()
        .map(|e| match e {
            Event::Pass(_, _, p) | Event::Comparison(_, _, p) => *p,
        })
        .sum();
    assert_eq!(simulated.into_inner(), announced);
    // The last stage is the fixed search of its paths.
    let fixed = optimize::optimise(
        sc,
        &plan,
        &[0, 1, 2],
        settings(last, 3),
        None,
        optimize::Method::ZoomingGrid,
        &|_| {},
        &never,
    )
    .unwrap();
    assert_eq!(report.policies, fixed.policies);
}
