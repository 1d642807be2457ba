//! `[sweep]` and `pimsim sweep`: points equal separate runs, grid and Latin hypercube designs,
//! bad sweep tables, the sweep.csv schema, determinism and several files at once.

use std::fs;
use std::path::Path;

use crate::common::pimsim;

/// A small scenario; `{rate}`, `{retain}` and `{reliability}` are filled in, `{sweep}` is
/// appended.
const TEMPLATE: &str = r#"
[scenario]
horizon_years = 6
discount_rate = 0.05

[simulation]
paths = 300
seed = 11

[part]
unit_cost = 100.0
on_hand = 40

[demand]
model = "exponential"
rate = {rate}
half_life_years = 3.0

[costs]
holding_rate = 0.2
salvage_value = 5.0
shortage_penalty = 400.0

[replenishment]
reorder_point = 1
order_up_to = 4

[remanufacture]
setup_cost = 1000.0
unit_cost = 150.0
lead_time_years = 0.3

[[partner]]
name = "dealer one"
release_price = 20.0
buyback_price = 120.0
reliability = {reliability}

[[policy]]
name = "hold"
kind = "hold"

[[policy]]
name = "scrap-60"
kind = "scrap"
retain = {retain}

[[policy]]
name = "release"
kind = "partner_release"
retain = 6
"#;

fn scenario(rate: &str, retain: &str, reliability: &str, sweep: &str) -> String {
    TEMPLATE
        .replace("{rate}", rate)
        .replace("{retain}", retain)
        .replace("{reliability}", reliability)
        + sweep
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// Runs `pimsim sweep` (or `run`) with `args`; panics unless it succeeds.
fn ok(args: &[&str], files: &[&Path], out: &Path) {
    let output = pimsim()
        .args(args)
        .args(files)
        .args(["--quiet", "--no-report", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

const GRID: &str = r#"
[sweep]
"demand.rate" = [4.0, 9.0]
policy.scrap-60.retain = [2, 8, 20]
"partner[0].reliability" = [0.5]
"#;

#[test]
fn each_point_equals_a_separate_run_of_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "grid.toml", &scenario("5.0", "10", "1.0", GRID));
    let out = dir.path().join("sweep");
    ok(&["sweep"], &[&file], &out);
    let (header, rows) = read_csv(&out.join("sweep.csv"));
    // Grid size: 2 × 3 × 1 points, three policies each.
    assert_eq!(rows.len(), 6 * 3);
    assert_eq!(
        &header[..6],
        &[
            "scenario",
            "point",
            "demand.rate",
            "policy.scrap-60.retain",
            "partner[0].reliability",
            "policy"
        ]
    );
    let mut n = 0;
    for rate in ["4", "9"] {
        for retain in ["2", "8", "20"] {
            let point_rows: Vec<&Vec<String>> =
                rows.iter().filter(|r| r[1] == n.to_string()).collect();
            assert_eq!(point_rows.len(), 3);
            assert_eq!(point_rows[0][0], "grid");
            assert_eq!(point_rows[0][2], rate);
            assert_eq!(point_rows[0][3], retain);
            assert_eq!(point_rows[0][4], "0.5");
            // The same point as a scenario file of its own, run normally.
            let single = write(
                dir.path(),
                &format!("point{n}.toml"),
                &scenario(&format!("{rate}.0"), retain, "0.5", ""),
            );
            let single_out = dir.path().join(format!("point{n}"));
            ok(&["run"], &[&single], &single_out);
            let (policies_header, policies) = read_csv(&single_out.join("policies.csv"));
            assert_eq!(&header[5..], &policies_header[..], "metric columns");
            for (swept, single) in point_rows.iter().zip(&policies) {
                assert_eq!(&swept[5..], &single[..], "point {n}: bit-identical metrics");
            }
            n += 1;
        }
    }
}

#[test]
fn run_on_a_sweep_scenario_sweeps_and_results_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "grid.toml", &scenario("5.0", "10", "1.0", GRID));
    let (one, two, via_run) = (
        dir.path().join("one"),
        dir.path().join("two"),
        dir.path().join("run"),
    );
    ok(&["sweep", "--threads", "1"], &[&file], &one);
    ok(&["sweep", "--threads", "2"], &[&file], &two);
    ok(&["run"], &[&file], &via_run);
    let a = fs::read(one.join("sweep.csv")).unwrap();
    assert_eq!(a, fs::read(two.join("sweep.csv")).unwrap());
    assert_eq!(a, fs::read(via_run.join("sweep.csv")).unwrap());
    assert_eq!(
        fs::read(one.join("sweep_oat.csv")).unwrap(),
        fs::read(two.join("sweep_oat.csv")).unwrap()
    );
}

#[test]
fn the_csv_schema_is_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "grid.toml", &scenario("5.0", "10", "1.0", GRID));
    let out = dir.path().join("sweep");
    ok(&["sweep"], &[&file], &out);
    let text = fs::read_to_string(out.join("sweep.csv")).unwrap();
    let header = text.lines().next().unwrap();
    assert_eq!(
        header,
        "scenario,point,demand.rate,policy.scrap-60.retain,partner[0].reliability,policy,kind,\
         paths,seed,fill_rate,no_stockout_probability,total_cost_mean,total_cost_std_err,\
         total_cost_ci95_low,total_cost_ci95_high,total_cost_p05,total_cost_p50,total_cost_p95,\
         total_cost_cvar95,cost_last_time_buy,cost_holding,cost_disposal,cost_release,\
         cost_buyback,cost_remanufacture,cost_shortage,cost_backorder,cost_end_of_horizon,\
         cost_total,units_demanded,units_filled_from_stock,units_short,units_lost,\
         units_backordered,units_backorders_filled,units_scrapped,units_released,\
         units_bought_back,units_remanufactured,units_lost_in_storage,units_on_hand_at_horizon,\
         units_open_backorders_at_horizon,units_on_order_at_horizon,units_remanufacture_runs,\
         units_average_on_hand,first_stockout_share,first_stockout_p50_years,\
         difference_vs_baseline_mean,difference_vs_baseline_std_err,\
         difference_vs_baseline_ci95_low,difference_vs_baseline_ci95_high,\
         probability_cheaper_than_baseline,inventory_turnover,gmroi,carrying_share_of_total,\
         revenue"
    );
    // Every cell is empty or a plain number, apart from the names.
    let (header, rows) = read_csv(&out.join("sweep.csv"));
    for row in &rows {
        assert_eq!(row.len(), header.len());
        for (h, cell) in header.iter().zip(row) {
            if ["scenario", "policy", "kind"].contains(&h.as_str()) {
                continue;
            }
            assert!(
                cell.is_empty() || cell.parse::<f64>().is_ok(),
                "{h} = {cell:?} is not a number"
            );
        }
    }
    // Rows in order: points ascending, then the scenario's policies.
    let order: Vec<(String, String)> = rows.iter().map(|r| (r[1].clone(), r[5].clone())).collect();
    assert_eq!(order[0], ("0".into(), "hold".into()));
    assert_eq!(order[1], ("0".into(), "scrap-60".into()));
    assert_eq!(order[17], ("5".into(), "release".into()));
    // The one-at-a-time runs: the base, then low and high of each numeric parameter.
    let (oat_header, oat) = read_csv(&out.join("sweep_oat.csv"));
    assert_eq!(
        &oat_header[..5],
        &["scenario", "parameter", "level", "value", "policy"]
    );
    let levels: Vec<(&str, &str, &str)> = oat
        .iter()
        .step_by(3)
        .map(|r| (r[1].as_str(), r[2].as_str(), r[3].as_str()))
        .collect();
    assert_eq!(
        levels,
        [
            ("", "base", ""),
            ("demand.rate", "low", "4"),
            ("demand.rate", "high", "9"),
            ("policy.scrap-60.retain", "low", "2"),
            ("policy.scrap-60.retain", "high", "20"),
            ("partner[0].reliability", "low", "0.5"),
            ("partner[0].reliability", "high", "0.5"),
        ]
    );
}

#[test]
fn latin_hypercube_uses_every_stratum_once() {
    let n = 9;
    let sweep = format!(
        "\n[sweep]\ndesign = \"latin_hypercube\"\npoints = {n}\nseed = 3\n\
         \"demand.rate\" = [2.0, 11.0]\n\"policy.scrap-60.retain\" = [0, 17]\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "lhs.toml",
        &scenario("5.0", "10", "1.0", &sweep),
    );
    let out = dir.path().join("lhs");
    ok(&["sweep", "--paths", "100"], &[&file], &out);
    let (_, rows) = read_csv(&out.join("sweep.csv"));
    assert_eq!(rows.len(), n * 3);
    let points: Vec<&Vec<String>> = rows.iter().step_by(3).collect();
    for (col, lo, hi, integer) in [(2, 2.0, 11.0, false), (3, 0.0, 17.0, true)] {
        let mut used = vec![0; n];
        for p in &points {
            let x: f64 = p[col].parse().unwrap();
            if integer {
                assert_eq!(x.fract(), 0.0, "whole numbers for an integer range");
            }
            let width = if integer { hi - lo + 1.0 } else { hi - lo };
            assert!(x >= lo && x <= hi, "{x} outside [{lo}, {hi}]");
            let stratum = ((x - lo) / width * n as f64).floor() as usize;
            used[stratum.min(n - 1)] += 1;
        }
        assert!(used.iter().all(|&c| c == 1), "column {col}: {used:?}");
    }
    // Seeded: the same points again.
    let again = dir.path().join("again");
    ok(&["sweep", "--paths", "100"], &[&file], &again);
    assert_eq!(
        fs::read(out.join("sweep.csv")).unwrap(),
        fs::read(again.join("sweep.csv")).unwrap()
    );
}

#[test]
fn several_files_and_directories_make_one_table() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("inputs");
    fs::create_dir(&inputs).unwrap();
    write(&inputs, "b_plain.toml", &scenario("5.0", "10", "1.0", ""));
    write(
        &inputs,
        "a_swept.toml",
        &scenario(
            "5.0",
            "10",
            "1.0",
            "\n[sweep]\n\"costs.holding_rate\" = [0.1, 0.3]\n",
        ),
    );
    let out = dir.path().join("all");
    ok(&["sweep"], &[&inputs], &out);
    let (header, rows) = read_csv(&out.join("sweep.csv"));
    assert_eq!(
        &header[..4],
        &["scenario", "point", "costs.holding_rate", "policy"]
    );
    let keys: Vec<(&str, &str, &str)> = rows
        .iter()
        .step_by(3)
        .map(|r| (r[0].as_str(), r[1].as_str(), r[2].as_str()))
        .collect();
    // Sorted by file name; a scenario without [sweep] is one point with empty parameters.
    assert_eq!(
        keys,
        [
            ("a_swept", "0", "0.1"),
            ("a_swept", "1", "0.3"),
            ("b_plain", "0", "")
        ]
    );
    // The same files listed one by one give the same table.
    let listed = dir.path().join("listed");
    ok(
        &["sweep"],
        &[&inputs.join("a_swept.toml"), &inputs.join("b_plain.toml")],
        &listed,
    );
    assert_eq!(
        fs::read(out.join("sweep.csv")).unwrap(),
        fs::read(listed.join("sweep.csv")).unwrap()
    );
}

#[test]
fn the_report_has_the_decision_map_and_the_tornado() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "grid.toml", &scenario("5.0", "10", "1.0", GRID));
    let out = dir.path().join("report");
    let output = pimsim()
        .args(["sweep", "--quiet", "--paths", "100", "--out"])
        .arg(&out)
        .arg(&file)
        .output()
        .unwrap();
    assert!(output.status.success());
    for f in [
        "report.html",
        "decision_map.svg",
        "decision_map.png",
        "tornado.svg",
        "tornado.png",
        "sweep.json",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    roxmltree::Document::parse(html.trim_start_matches("<!DOCTYPE html>")).expect("well-formed");
    assert!(html.contains("Decision map") && html.contains("one parameter at a time"));
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("sweep.json")).unwrap()).unwrap();
    assert_eq!(json["scenarios"][0]["points"].as_array().unwrap().len(), 6);
}

/// `pimsim check` on a scenario with `sweep` appended: exit 2 and an error at `line` naming
/// `key` with `fragment`.
#[track_caller]
fn bad(sweep: &str, line_in_sweep: usize, key: &str, fragment: &str) {
    let dir = tempfile::tempdir().unwrap();
    let text = scenario("5.0", "10", "1.0", sweep);
    let sweep_line = text.lines().position(|l| l == "[sweep]").unwrap() + 1;
    let file = write(dir.path(), "bad.toml", &text);
    let out = pimsim().arg("check").arg(&file).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let at = format!("bad.toml:{}:", sweep_line + line_in_sweep);
    let key = format!("`{key}`");
    assert!(
        err.lines()
            .any(|l| l.contains(&at) && l.contains(&key) && l.contains(fragment)),
        "expected {at} … {key} … {fragment}; got:\n{err}"
    );
    assert!(!err.contains("panicked"));
    // `sweep` refuses it the same way, and writes nothing.
    let out_dir = dir.path().join("out");
    let out = pimsim()
        .args(["sweep", "--quiet", "--out"])
        .arg(&out_dir)
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!out_dir.exists());
}

#[test]
fn bad_sweep_tables_name_the_line_key_and_what_is_allowed() {
    bad(
        "\n[sweep]\n\"demand.rat\" = [1.0, 2.0]\n",
        1,
        "sweep.demand.rat",
        "did you mean `rate`?",
    );
    bad(
        "\n[sweep]\n\"demand.rate\" = [\"high\"]\n",
        1,
        "sweep.demand.rate",
        "expected a number",
    );
    bad(
        "\n[sweep]\n\"part.on_hand\" = [5, 10]\n\"demand.rate\" = [1.0, -1.0]\n",
        2,
        "sweep.demand.rate",
        "sweep point 1",
    );
    bad(
        "\n[sweep]\n\"demand.rate\" = []\n",
        1,
        "sweep.demand.rate",
        "an empty list",
    );
    bad(
        "\n[sweep]\ndesign = \"latin_hypercube\"\npoints = 5\n\"demand.rate\" = [9.0, 2.0]\n",
        3,
        "sweep.demand.rate",
        "lo ≤ hi",
    );
    bad(
        "\n[sweep]\ndesign = \"latin_hypercube\"\n\"demand.rate\" = [2.0, 9.0]\n",
        0,
        "sweep.points",
        "needs `points`",
    );
    bad(
        "\n[sweep]\n\"policy.scrap-6.retain\" = [1, 2]\n",
        1,
        "sweep.policy.scrap-6.retain",
        "did you mean `policy.scrap-60`?",
    );
    bad(
        "\n[sweep]\ndesign = \"grid-ish\"\n\"demand.rate\" = [1.0]\n",
        1,
        "sweep.design",
        "latin_hypercube",
    );
    bad(
        "\n[sweep]\n\"simulation.seed\" = [1, 2]\n",
        1,
        "sweep.simulation.seed",
        "--seed",
    );
}

#[test]
fn check_reports_every_sweep_problem_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let text = scenario(
        "5.0",
        "10",
        "1.0",
        "\n[sweep]\n\"demand.rat\" = [1.0]\n\"costs.holding_rate\" = [-0.5]\n\"part.on_hand\" = []\n",
    );
    let file = write(dir.path(), "many.toml", &text);
    let out = pimsim().arg("check").arg(&file).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    for key in [
        "sweep.demand.rat",
        "sweep.costs.holding_rate",
        "sweep.part.on_hand",
    ] {
        assert!(err.contains(&format!("`{key}`")), "{key} missing:\n{err}");
    }
}

#[cfg(unix)]
#[test]
fn an_interrupted_sweep_writes_nothing_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    let args = [
        "sweep",
        "scenarios/sweep_release_vs_scrap.toml",
        "--paths",
        "1000000000",
    ];
    let stopped = crate::common::interrupt(&args, &out, "INT");
    assert_eq!(stopped.code, Some(130));
    assert!(stopped.seconds < 10.0);
    let err = &stopped.stderr;
    assert!(err.contains("nothing was written"), "{err}");
    assert!(!out.exists(), "the output directory was made");
}

/// `retain = "optimal"` is chosen anew at every point, on that point's paths: each point's rows
/// equal a separate `pimsim run` of the point (which resolves "optimal" the same way), and the
/// chosen levels differ from the stock (a silent fallback to "retain everything" would not).
#[test]
fn optimal_retain_is_resolved_at_every_point() {
    let dir = tempfile::tempdir().unwrap();
    let sweep = "\n[sweep]\n\"demand.rate\" = [2.0, 12.0]\n";
    let file = write(
        dir.path(),
        "opt.toml",
        &scenario("5.0", "\"optimal\"", "1.0", sweep),
    );
    let out = dir.path().join("sweep");
    ok(&["sweep"], &[&file], &out);
    let (header, rows) = read_csv(&out.join("sweep.csv"));
    let scrapped = header
        .iter()
        .position(|h| h == "units_scrapped")
        .expect("a units_scrapped column");
    for (n, rate) in ["2.0", "12.0"].iter().enumerate() {
        let single = write(
            dir.path(),
            &format!("opt{n}.toml"),
            &scenario(rate, "\"optimal\"", "1.0", ""),
        );
        let single_out = dir.path().join(format!("opt{n}"));
        ok(&["run"], &[&single], &single_out);
        let (_, policies) = read_csv(&single_out.join("policies.csv"));
        let point_rows: Vec<&Vec<String>> = rows.iter().filter(|r| r[1] == n.to_string()).collect();
        for (swept, single) in point_rows.iter().zip(&policies) {
            assert_eq!(&swept[3..], &single[..], "point {n}: bit-identical metrics");
        }
        let scrap = point_rows.iter().find(|r| r[3] == "scrap-60").unwrap();
        // Stock 40, lifetime demand about 9 or 52 units: the optimal R scraps some units
        // at the low rate; "retain everything" would scrap none.
        if n == 0 {
            assert_ne!(
                scrap[scrapped], "0",
                "point {n}: R was optimised, not the stock"
            );
        }
    }
}
