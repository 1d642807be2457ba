//! `--precision P`: runs that stop when the answer is known — the same bits as `--paths N` at
//! the stop, whatever the thread count; a maximum; clear errors for bad values.

use std::fs;
use std::path::Path;

use crate::common::pimsim;

const SCENARIO: &str = "scenarios/heavy_machinery.toml";

/// Runs `pimsim run SCENARIO` into `out` with `extra` (no report: the data files only).
fn run(out: &Path, extra: &[&str]) {
    pimsim()
        .args([
            "run",
            SCENARIO,
            "--quiet",
            "--no-report",
            "--format",
            "json",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("summary.json")).unwrap()).unwrap()
}

/// Every file of `dir` but summary.json, by name.
fn other_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "summary.json")
        .filter(|p| p.is_file())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                fs::read(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_precision_run_is_the_fixed_run_of_the_paths_it_stopped_at_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (one, three, fixed) = (
        dir.path().join("1"),
        dir.path().join("3"),
        dir.path().join("f"),
    );
    run(&one, &["--precision", "0.002", "--threads", "1"]);
    run(&three, &["--precision", "0.002", "--threads", "3"]);
    let s = summary(&one);
    assert_eq!(s, summary(&three), "thread count changed the result");
    assert_eq!(other_files(&one), other_files(&three));
    let p = &s["precision"];
    assert_eq!(p["target"], 0.002);
    assert_eq!(p["reached"], true);
    let n = p["paths"].as_u64().unwrap();
    assert_eq!(s["paths"].as_u64(), Some(n));
    assert_eq!(n % 256, 0, "stops at whole blocks");
    // More than one stage was needed, so the staging is exercised.
    assert!(p["stages"].as_u64().unwrap() > 1, "{p}");
    assert!(p["achieved"].as_f64().unwrap() <= 0.002);
    // Every policy's interval and the verdict's saving meet the precision.
    for policy in s["policies"].as_array().unwrap() {
        let t = &policy["total_cost"];
        let half = (t["ci95"][1].as_f64().unwrap() - t["ci95"][0].as_f64().unwrap()) / 2.0;
        assert!(half <= 0.002 * t["mean"].as_f64().unwrap().abs() * (1.0 + 1e-12));
    }
    run(&fixed, &["--paths", &n.to_string(), "--threads", "2"]);
    let mut f = summary(&fixed);
    assert!(f.get("precision").is_none());
    let mut s = s;
    s.as_object_mut().unwrap().remove("precision");
    f.as_object_mut().unwrap().remove("precision");
    assert_eq!(s, f, "the precision run differs from --paths {n}");
    assert_eq!(other_files(&one), other_files(&fixed));
}

#[test]
fn a_precision_out_of_reach_stops_at_the_maximum_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let assert = pimsim()
        .args(["run", SCENARIO, "--precision", "1e-6"])
        .args(["--max-paths", "5000", "--out"])
        .arg(&out)
        .assert()
        .success();
    let err = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        err.contains("precision ± 0.0001 % not reached at 5,000 paths"),
        "{err}"
    );
    let s = summary(&out);
    assert_eq!(s["paths"], 5000);
    assert_eq!(s["precision"]["reached"], false);
    assert_eq!(s["precision"]["max_paths"], 5000);
    assert!(s["precision"]["achieved"].as_f64().unwrap() > 1e-6);
    // The report page says it under its header.
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("Stopped by --precision: ± 0.0001 % not reached at 5,000 paths"),
        "the report does not say how the run stopped"
    );
}

#[test]
fn bad_precision_flags_are_refused_with_exit_2_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let out = out.to_str().unwrap();
    let in_range = "relative half-width of the 95 % intervals in (0, 1)";
    for (args, fragment) in [
        (&["run", SCENARIO, "--precision", "0"][..], in_range),
        (&["run", SCENARIO, "--precision", "1"], in_range),
        (&["run", SCENARIO, "--precision=-0.01"], in_range),
        (&["run", SCENARIO, "--precision", "NaN"], in_range),
        (&["run", SCENARIO, "--precision", "inf"], in_range),
        (&["run", SCENARIO, "--precision", "1%"], in_range),
        (
            &["run", SCENARIO, "--precision", "0.01", "--paths", "100"],
            "cannot be used with",
        ),
        (&["run", SCENARIO, "--max-paths", "100"], "--precision"),
        (
            &["run", SCENARIO, "--precision", "0.01", "--max-paths", "0"],
            "whole number of paths",
        ),
        (
            &["run", SCENARIO, "--precision", "0.01", "--shard", "0/2"],
            "shards cannot stop together at a precision",
        ),
        (
            &[
                "sweep",
                "scenarios/sweep_release_vs_scrap.toml",
                "--precision",
                "0.01",
                "--shard",
                "1/2",
            ],
            "precision.paths in summary.json",
        ),
        (&["optimize", SCENARIO, "--precision", "2"], in_range),
    ] {
        let out_dir = Path::new(out);
        let result = pimsim()
            .args(args)
            .args(["--quiet", "--out", out])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&result.stderr);
        assert_eq!(result.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(fragment), "{args:?}: {err}");
        assert!(!out_dir.join("summary.json").exists(), "{args:?} ran");
    }
}

/// Runs `pimsim optimize scenarios/benchmark.toml` (three policies, quick to optimise) into
/// `out` with `extra` (no report: the data files only).
fn optimize(out: &Path, extra: &[&str]) {
    pimsim()
        .args([
            "optimize",
            "scenarios/benchmark.toml",
            "--quiet",
            "--no-report",
            "--out",
        ])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn optimize_json(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(dir.join("optimize.json")).unwrap()).unwrap()
}

#[test]
fn an_optimisation_to_precision_is_the_fixed_one_of_its_last_stage_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let (one, three, fixed) = (
        dir.path().join("1"),
        dir.path().join("3"),
        dir.path().join("f"),
    );
    let target = 0.001;
    let p = target.to_string();
    optimize(&one, &["--precision", &p, "--threads", "1"]);
    optimize(&three, &["--precision", &p, "--threads", "3"]);
    for name in ["optimize.json", "optimize_frontier.csv"] {
        assert_eq!(
            fs::read(one.join(name)).unwrap(),
            fs::read(three.join(name)).unwrap(),
            "{name} differs between 1 and 3 threads"
        );
    }
    let mut report = optimize_json(&one);
    let precision = report["precision"].clone();
    assert_eq!(precision["target"], target);
    assert_eq!(precision["reached"], true, "{precision}");
    let paths = precision["paths"].as_u64().unwrap();
    assert_eq!(report["paths"], paths);
    assert!(precision["stages"].as_u64().unwrap() >= 2, "{precision}");
    assert!(precision["achieved"].as_f64().unwrap() <= target);
    // What was judged: every policy's optimum within ± target of its cost.
    let policies = report["policies"].as_array().unwrap();
    assert!(policies.len() >= 2, "the comparison is judged too");
    for policy in policies {
        let best = &policy["best"];
        let half = 1.96 * best["std_err"].as_f64().unwrap();
        assert!(
            half <= target * best["total_cost"].as_f64().unwrap().abs(),
            "{}: {best}",
            policy["policy"]
        );
    }
    // The same search as a fixed optimisation on the last stage's paths.
    optimize(&fixed, &["--paths", &paths.to_string()]);
    report.as_object_mut().unwrap().remove("precision");
    assert_eq!(report, optimize_json(&fixed));
    assert_eq!(
        fs::read(one.join("optimize_frontier.csv")).unwrap(),
        fs::read(fixed.join("optimize_frontier.csv")).unwrap()
    );
}

#[test]
fn an_optimisation_whose_precision_is_out_of_reach_stops_at_the_maximum_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let result = pimsim()
        .args([
            "optimize",
            SCENARIO,
            "--precision",
            "0.000001",
            "--max-paths",
            "3000",
        ])
        .args(["--no-report", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(result.status.success());
    let report = optimize_json(&out);
    let precision = &report["precision"];
    assert_eq!(precision["reached"], false);
    assert_eq!(precision["paths"], 3000);
    assert_eq!(report["paths"], 3000);
    assert!(precision["achieved"].as_f64().unwrap() > 0.000001);
    let err = String::from_utf8_lossy(&result.stderr);
    assert!(err.contains("not reached at 3,000 paths"), "{err}");
}

/// `pimsim sweep --precision`: every point stops on its own. The scenario's `paths` in
/// sweep.json is the most any point used, each row of sweep.csv carries its own point's count,
/// the terminal and the report say the range, and the files are the same bytes on 1 and 3
/// threads.
#[test]
fn a_sweep_to_precision_states_each_points_paths_on_any_thread_count() {
    let sweep = |out: &Path, threads: &str| {
        pimsim()
            .args([
                "sweep",
                "scenarios/sweep_release_vs_scrap.toml",
                "--precision",
                "0.01",
                "--max-paths",
                "20000",
                "--threads",
                threads,
                "--out",
            ])
            .arg(out)
            .output()
            .unwrap()
    };
    let dir = tempfile::tempdir().unwrap();
    let (one, three) = (dir.path().join("one"), dir.path().join("three"));
    let printed = sweep(&one, "1");
    assert!(printed.status.success(), "{printed:?}");
    assert!(sweep(&three, "3").status.success());
    for file in ["sweep.json", "sweep.csv"] {
        assert_eq!(
            fs::read(one.join(file)).unwrap(),
            fs::read(three.join(file)).unwrap(),
            "{file} differs between 1 and 3 threads"
        );
    }

    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(one.join("sweep.json")).unwrap()).unwrap();
    let scenario = &json["scenarios"][0];
    let used: Vec<u64> = scenario["points"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["precision"]["paths"].as_u64().unwrap())
        .collect();
    let (lo, hi) = (*used.iter().min().unwrap(), *used.iter().max().unwrap());
    assert!(
        lo < hi,
        "the points should stop at different counts: {used:?}"
    );
    assert_eq!(scenario["paths"].as_u64(), Some(hi));

    let csv = fs::read_to_string(one.join("sweep.csv")).unwrap();
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (point, paths) = (column("point"), column("paths"));
    for row in rows {
        let cells: Vec<&str> = row.split(',').collect();
        let p: usize = cells[point].parse().unwrap();
        assert_eq!(cells[paths].parse::<u64>().unwrap(), used[p], "row {row}");
    }

    let terminal = String::from_utf8(printed.stdout).unwrap();
    assert!(
        terminal.contains(&format!("{lo} to {hi} paths, each point to its precision")),
        "{terminal}"
    );
    let report = fs::read_to_string(one.join("report.html")).unwrap();
    assert!(report.contains("paths, each point to its precision"));
    // docs/sweeps.md shows this command's first line.
    let first = terminal.lines().next().unwrap();
    let docs = fs::read_to_string("docs/sweeps.md").unwrap();
    assert!(
        docs.contains(&format!("```\n{first}\n```")),
        "docs/sweeps.md should show: {first}"
    );
}
