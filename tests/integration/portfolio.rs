//! `pimsim portfolio`: a portfolio of N parts equals N single runs, results do not depend on
//! the thread count or the shards, ABC/XYZ classes, bad parts files, totals, the CSV schema.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::pimsim;
use pimsim::engine::{self, RunSettings};
use pimsim::inventory::Plan;
use pimsim::portfolio::part_seed;
use pimsim::scenario::Scenario;
use pimsim::scenario::overrides::apply_dotted;

const TEMPLATE: &str = r#"
[scenario]
horizon_years = 5
discount_rate = 0.05

[simulation]
paths = 200
seed = 3

[part]
unit_cost = 100.0
on_hand = 30

[demand]
model = "exponential"
rate = 6.0
half_life_years = 3.0

[costs]
holding_rate = 0.2
salvage_value = 5.0
shortage_penalty = 400.0

[remanufacture]
setup_cost = 1000.0
unit_cost = 150.0
lead_time_years = 0.3

[[partner]]
name = "dealer"
release_price = 20.0
buyback_price = 120.0
reliability = 0.8

[[policy]]
name = "hold"
kind = "hold"

[[policy]]
name = "scrap-2y"
kind = "scrap"
retain = { cover_years = 2 }

[[policy]]
name = "release-opt"
kind = "partner_release"
retain = "optimal"
"#;

/// Parts: a plain override, a model switch (exponential → linear, the template's half-life
/// dropped), a constant model with an order-size switch, and a part that keeps the template.
const PARTS: &str = "\
part,demand.model,demand.rate,demand.end_years,demand.order_size.distribution,demand.order_size.mean,part.on_hand,part.unit_cost,fit.note
A-1,,4.5,,,,20,80,x
B-2,linear,8,4,,,45,,y
C-3,constant,2,,geometric,1.8,12,250.5,
D-4,,,,,,,,
";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
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

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"))
}

/// Runs `pimsim portfolio` and returns the output directory.
fn run_portfolio(dir: &Path, out: &str, extra: &[&str]) -> PathBuf {
    let template = write(dir, "template.toml", TEMPLATE);
    let parts = write(dir, "parts.csv", PARTS);
    let out = dir.join(out);
    pimsim()
        .arg("portfolio")
        .arg(&parts)
        .arg("--template")
        .arg(&template)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--format", "json"])
        .args(extra)
        .assert()
        .success();
    out
}

/// The scenario text of a part of [`PARTS`], as the portfolio builds it.
fn part_scenario(row: &[(&str, &str)], part: &str) -> String {
    use toml::Value;
    let mut doc: toml::Table = TEMPLATE.parse().unwrap();
    if row
        .iter()
        .any(|(k, v)| *k == "demand.model" && !v.is_empty())
    {
        let demand = doc["demand"].as_table_mut().unwrap();
        demand.retain(|k, v| k == "model" || v.is_table());
    }
    let mut overrides: Vec<(&str, Value)> = vec![
        ("scenario.name", Value::String(part.into())),
        ("part.name", Value::String(part.into())),
    ];
    for (k, v) in row {
        if v.is_empty() || k.starts_with("fit.") {
            continue;
        }
        overrides.push((k, pimsim::portfolio::input::cell_value(v)));
    }
    apply_dotted(&doc.to_string(), &overrides).unwrap()
}

#[test]
fn a_portfolio_of_n_parts_equals_n_single_runs() {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    let out = run_portfolio(
        dir.path(),
        "out",
        &[
            "--no-report",
            "--paths",
            "300",
            "--seed",
            "9",
            "--scenarios",
            scenarios.to_str().unwrap(),
        ],
    );
    let (header, rows) = read_csv(&out.join("portfolio.csv"));
    let (parts_header, parts_rows) = read_csv(&dir.path().join("parts.csv"));
    let first_policy = col(&header, "policy");
    let recommended = col(&header, "recommended");
    assert_eq!(rows.len(), 4 * 3);
    for (k, prow) in parts_rows.iter().enumerate() {
        let part = &prow[0];
        let cells: Vec<(&str, &str)> = parts_header
            .iter()
            .zip(prow)
            .skip(1)
            .map(|(h, v)| (h.as_str(), v.as_str()))
            .collect();
        let text = part_scenario(&cells, part);
        let scenario = Scenario::from_toml(Path::new("p.toml"), &text)
            .unwrap()
            .scenario;
        let mut plan = Plan::new(&scenario).unwrap();
        let settings = RunSettings {
            paths: 300,
            seed: part_seed(9, part),
            threads: 2,
        };
        let never = std::sync::atomic::AtomicBool::new(false);
        pimsim::optimize::resolve_optimal_retain(&scenario, &mut plan, settings, &never).unwrap();
        let summary = engine::run(&scenario, &plan, settings, &|_| {});
        for (i, p) in summary.policies.iter().enumerate() {
            let row = &rows[k * 3 + i];
            assert_eq!(&row[0], part);
            assert_eq!(
                row[first_policy..recommended].to_vec(),
                pimsim::output::policy_cells(&pimsim::engine::PolicyRow::of(&summary, p)),
                "part {part}, policy {}",
                p.name
            );
        }
        // Through the command line too, for the model switch: with --seed from portfolio.csv,
        // and the scenario file that --scenarios wrote (its [simulation] holds paths and seed).
        if part == "B-2" {
            let file = write(dir.path(), "B-2.toml", &text);
            let seed = rows[k * 3][col(&header, "seed")].clone();
            let single = dir.path().join("single");
            pimsim()
                .args([
                    "run",
                    "--paths",
                    "300",
                    "--seed",
                    &seed,
                    "--no-report",
                    "--quiet",
                ])
                .arg(&file)
                .arg("--out")
                .arg(&single)
                .assert()
                .success();
            let emitted = dir.path().join("emitted");
            pimsim()
                .args(["run", "--no-report", "--quiet"])
                .arg(scenarios.join("B-2.toml"))
                .arg("--out")
                .arg(&emitted)
                .assert()
                .success();
            for run in [&single, &emitted] {
                let (_, single_rows) = read_csv(&run.join("policies.csv"));
                assert_eq!(single_rows.len(), 3);
                for (i, srow) in single_rows.iter().enumerate() {
                    assert_eq!(&rows[k * 3 + i][first_policy..recommended], &srow[..]);
                }
            }
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let one = run_portfolio(dir.path(), "one", &["--threads", "1"]);
    let three = run_portfolio(dir.path(), "three", &["--threads", "3"]);
    for f in [
        "portfolio.csv",
        "portfolio_parts.csv",
        "portfolio.json",
        "report.html",
        "pareto.svg",
        "pareto.png",
    ] {
        assert_eq!(
            fs::read(one.join(f)).unwrap(),
            fs::read(three.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn the_csv_schema_is_pinned_and_totals_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_portfolio(dir.path(), "out", &["--no-report"]);
    let (header, rows) = read_csv(&out.join("portfolio.csv"));
    assert_eq!(
        header.join(","),
        "part,demand.model,demand.rate,demand.end_years,demand.order_size.distribution,\
         demand.order_size.mean,part.on_hand,part.unit_cost,policy,kind,paths,seed,fill_rate,\
         no_stockout_probability,total_cost_mean,total_cost_std_err,total_cost_ci95_low,\
         total_cost_ci95_high,total_cost_p05,total_cost_p50,total_cost_p95,total_cost_cvar95,\
         cost_last_time_buy,cost_holding,cost_disposal,cost_release,cost_buyback,\
         cost_remanufacture,cost_shortage,cost_backorder,cost_end_of_horizon,cost_total,\
         units_demanded,units_filled_from_stock,units_short,units_lost,units_backordered,\
         units_backorders_filled,units_scrapped,units_released,units_bought_back,\
         units_remanufactured,units_lost_in_storage,units_on_hand_at_horizon,\
         units_open_backorders_at_horizon,units_on_order_at_horizon,units_remanufacture_runs,\
         units_average_on_hand,first_stockout_share,first_stockout_p50_years,\
         difference_vs_baseline_mean,difference_vs_baseline_std_err,\
         difference_vs_baseline_ci95_low,difference_vs_baseline_ci95_high,\
         probability_cheaper_than_baseline,inventory_turnover,gmroi,carrying_share_of_total,\
         revenue,recommended,abc,xyz"
    );
    let (ph, prow) = read_csv(&out.join("portfolio_parts.csv"));
    assert_eq!(ph.last().unwrap(), "fit.note", "fit columns are carried");
    assert_eq!(prow[1].last().unwrap(), "y");
    // Exactly one recommended policy per part, the one portfolio_parts.csv names.
    let (pol, rec, mean) = (
        col(&header, "policy"),
        col(&header, "recommended"),
        col(&header, "total_cost_mean"),
    );
    for (k, part) in prow.iter().enumerate() {
        let recs: Vec<&Vec<String>> = rows[k * 3..k * 3 + 3]
            .iter()
            .filter(|r| r[rec] == "true")
            .collect();
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0][pol], part[col(&ph, "recommended_policy")]);
        let cheapest = rows[k * 3..k * 3 + 3]
            .iter()
            .map(|r| r[mean].parse::<f64>().unwrap())
            .fold(f64::INFINITY, f64::min);
        assert_eq!(recs[0][mean].parse::<f64>().unwrap(), cheapest);
    }
    // Totals: the exact sum of the parts' means, rounded once.
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("portfolio.json")).unwrap()).unwrap();
    for (i, t) in json["policies"].as_array().unwrap().iter().enumerate() {
        let mut exact = pimsim::engine::stats::ExactSum::new();
        let mut naive = 0.0;
        let mut var = 0.0;
        for k in 0..4 {
            let m: f64 = rows[k * 3 + i][mean].parse().unwrap();
            let se: f64 = rows[k * 3 + i][col(&header, "total_cost_std_err")]
                .parse()
                .unwrap();
            exact.add(m);
            naive += m;
            var += se * se;
        }
        let total = t["total_cost"]["mean"].as_f64().unwrap();
        assert_eq!(total, exact.value());
        assert!((total - naive).abs() <= 1e-12 * naive.abs());
        let se = t["total_cost"]["std_err"].as_f64().unwrap();
        assert!((se - var.sqrt()).abs() <= 1e-12 * se);
    }
    let mix: f64 = prow
        .iter()
        .map(|r| {
            r[col(&ph, "recommended_total_cost_mean")]
                .parse::<f64>()
                .unwrap()
        })
        .sum();
    let mix_json = json["best_mix"]["total_cost"]["mean"].as_f64().unwrap();
    assert!((mix - mix_json).abs() <= 1e-12 * mix.abs());
}

#[test]
fn abc_and_xyz_classes_follow_the_rules() {
    // Annual usage value = unit cost × rate (orders of one unit): 50, 30, 10, 6, 3, 1, 0 of a
    // total of 100: shares before each part 0, .5, .8, .9, .96, .99, 1 → A A B B C C C.
    // CV of first-year units = 1/√rate: 10 → 0.32 X, 2 → 0.71 Y, 0.5 → 1.41 Z, 0 → Z.
    let dir = tempfile::tempdir().unwrap();
    let template = write(dir.path(), "template.toml", TEMPLATE);
    let parts = write(
        dir.path(),
        "classes.csv",
        "part,demand.model,demand.rate,part.unit_cost\n\
         e,constant,10,0.3\nb,constant,2,15\na,constant,10,5\ng,constant,0,100\n\
         c,constant,0.5,20\nf,constant,0.5,2\nd,constant,2,3\n",
    );
    let out = dir.path().join("out");
    pimsim()
        .arg("portfolio")
        .arg(&parts)
        .arg("--template")
        .arg(&template)
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--no-report", "--paths", "50"])
        .assert()
        .success();
    let (h, rows) = read_csv(&out.join("portfolio_parts.csv"));
    let got: Vec<String> = rows
        .iter()
        .map(|r| format!("{}:{}{}", r[0], r[col(&h, "abc")], r[col(&h, "xyz")]))
        .collect();
    assert_eq!(
        got,
        ["e:CX", "b:AY", "a:AX", "g:CZ", "c:BZ", "f:CZ", "d:BY"]
    );
    let usage: Vec<f64> = rows
        .iter()
        .map(|r| r[col(&h, "annual_usage_value")].parse().unwrap())
        .collect();
    assert_eq!(usage, [3.0, 30.0, 50.0, 0.0, 10.0, 1.0, 6.0]);
}

#[test]
fn several_files_are_joined_on_part() {
    let dir = tempfile::tempdir().unwrap();
    let template = write(dir.path(), "template.toml", TEMPLATE);
    let demand = write(dir.path(), "demand.csv", "part,demand.rate\nx,3\ny,5\n");
    let master = write(dir.path(), "master.csv", "part,part.on_hand\ny,7\nx,9\n");
    let joined = write(
        dir.path(),
        "joined.csv",
        "part,demand.rate,part.on_hand\nx,3,9\ny,5,7\n",
    );
    let run = |files: &[&Path], out: &str| {
        let out = dir.path().join(out);
        pimsim()
            .arg("portfolio")
            .args(files)
            .arg("--template")
            .arg(&template)
            .arg("--out")
            .arg(&out)
            .args(["--quiet", "--no-report", "--paths", "64", "--format", "csv"])
            .assert()
            .success();
        fs::read(out.join("portfolio.csv")).unwrap()
    };
    assert_eq!(run(&[&demand, &master], "a"), run(&[&joined], "b"));
    // Parts of a later file that the first does not list are ignored, with a warning.
    let bigger = write(
        dir.path(),
        "bigger.csv",
        "part,part.on_hand\nz,1\ny,7\nx,9\n",
    );
    let a = pimsim()
        .arg("portfolio")
        .arg(&demand)
        .arg(&bigger)
        .arg("--template")
        .arg(&template)
        .arg("--out")
        .arg(dir.path().join("d"))
        .args(["--quiet", "--no-report", "--paths", "64", "--format", "csv"])
        .assert()
        .success();
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("bigger.csv: warning: `part`: 1 part(s) not in"),
        "{err}"
    );
    assert_eq!(
        fs::read(dir.path().join("d").join("portfolio.csv")).unwrap(),
        fs::read(dir.path().join("a").join("portfolio.csv")).unwrap()
    );
    // A part missing from the second file is refused.
    let short = write(dir.path(), "short.csv", "part,part.on_hand\ny,7\n");
    let a = pimsim()
        .arg("portfolio")
        .arg(&demand)
        .arg(&short)
        .arg("--template")
        .arg(&template)
        .arg("--out")
        .arg(dir.path().join("c"))
        .assert()
        .code(2);
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("short.csv:1:1: error: `part`: 1 part(s) of"),
        "{err}"
    );
    assert!(err.contains("missing from this file: x"), "{err}");
}

/// Runs `pimsim portfolio` on `csv` and returns its standard error, expecting exit code 2 and
/// nothing written.
fn refused(csv: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let template = write(dir.path(), "template.toml", TEMPLATE);
    let parts = write(dir.path(), "parts.csv", csv);
    let out = dir.path().join("out");
    let assert = pimsim()
        .arg("portfolio")
        .arg(&parts)
        .arg("--template")
        .arg(&template)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    assert!(!out.exists(), "nothing is written on bad input");
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

#[test]
fn bad_parts_files_are_refused_with_line_and_column() {
    let e = refused("part,demand.rte\nA,1\n");
    assert!(e.contains("parts.csv:1:2: error: `demand.rte`"), "{e}");
    assert!(e.contains("did you mean `rate`"), "{e}");

    let e = refused("part,part.on_hand,demand.rate\nA,5,1\nB,-5,1\nC,4,x\nD,2.5,1\n");
    assert!(
        e.contains("parts.csv:3:2: error: `part.on_hand` = \"-5\""),
        "{e}"
    );
    assert!(
        e.contains("parts.csv:4:3: error: `demand.rate` = \"x\""),
        "{e}"
    );
    assert!(
        e.contains("parts.csv:5:2: error: `part.on_hand` = \"2.5\""),
        "{e}"
    );
    assert!(e.contains("3 errors"), "{e}");

    let e = refused("part,demand.rate\nA,1\nB,2\nA,3\n");
    assert!(
        e.contains(
            "parts.csv:4:1: error: `part` = \"A\": the part is given twice (first at line 2)"
        ),
        "{e}"
    );

    let e = refused("");
    assert!(e.contains("parts.csv:1:1") && e.contains("empty"), "{e}");
    let e = refused("part,demand.rate\n");
    assert!(e.contains("no parts"), "{e}");
    let e = refused("name,demand.rate\nA,1\n");
    assert!(e.contains("missing column `part`"), "{e}");
    let e = refused("part,simulation.seed\nA,1\n");
    assert!(e.contains("cannot be set per part"), "{e}");
    let e = refused("part,policy.scrp-2y.retain\nA,1\n");
    assert!(e.contains("did you mean `policy.scrap-2y`"), "{e}");
    let e = refused("part,demand.rate\nA,1,2\n");
    assert!(
        e.contains("parts.csv:2:") && e.contains("3 fields where the header has 2"),
        "{e}"
    );
    // A model switch that forgets the new model's parameter names the model's cell.
    let e = refused("part,demand.model,demand.rate\nA,linear,3\n");
    assert!(
        e.contains("parts.csv:2:2: error: `demand.model` = \"linear\": `demand.end_years`"),
        "{e}"
    );
}

fn shard_dir(dir: &Path, name: &str, shard: &str, seed: &str) -> PathBuf {
    let template = dir.join("template.toml");
    let parts = dir.join("parts.csv");
    let out = dir.join(name);
    pimsim()
        .arg("portfolio")
        .arg(&parts)
        .arg("--template")
        .arg(&template)
        .arg("--out")
        .arg(&out)
        .args([
            "--quiet", "--paths", "100", "--seed", seed, "--shard", shard,
        ])
        .assert()
        .success();
    out
}

#[test]
fn shards_merge_to_the_single_run_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let single = run_portfolio(dir.path(), "single", &["--paths", "100", "--seed", "4"]);
    let files = [
        "portfolio.csv",
        "portfolio_parts.csv",
        "portfolio.json",
        "report.html",
        "pareto.svg",
        "pareto.png",
    ];
    for n in 1..=3 {
        let shards: Vec<PathBuf> = (0..n)
            .map(|k| shard_dir(dir.path(), &format!("s{n}-{k}"), &format!("{k}/{n}"), "4"))
            .collect();
        let merged = dir.path().join(format!("merged-{n}"));
        pimsim()
            .arg("merge")
            .args(&shards)
            .arg("--out")
            .arg(&merged)
            .arg("--quiet")
            .assert()
            .success();
        for f in files {
            assert_eq!(
                fs::read(single.join(f)).unwrap(),
                fs::read(merged.join(f)).unwrap(),
                "{f} with {n} shards"
            );
        }
    }
    let part = |k: u32| {
        dir.path()
            .join(format!("s3-{k}"))
            .join(format!("partial-{k:04}-of-0003.json"))
    };
    let merge_fails = |inputs: Vec<PathBuf>, message: &str| {
        let out = dir.path().join("refused");
        let a = pimsim()
            .arg("merge")
            .args(&inputs)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2);
        let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
        assert!(err.contains(message), "{err}");
        assert!(!out.exists());
    };
    merge_fails(vec![part(0), part(2)], "missing shards [1] of 3");
    merge_fails(vec![part(0), part(0), part(1), part(2)], "given twice");
    let foreign = shard_dir(dir.path(), "foreign", "1/3", "5");
    merge_fails(
        vec![part(0), foreign.join("partial-0001-of-0003.json"), part(2)],
        "belongs to another run",
    );
    // A run's partial and a portfolio's partial are not merged together.
    let scenario = write(dir.path(), "run.toml", TEMPLATE);
    let run_shard = dir.path().join("run-shard");
    pimsim()
        .args(["run", "--paths", "100", "--shard", "0/1", "--quiet"])
        .arg(&scenario)
        .arg("--out")
        .arg(&run_shard)
        .assert()
        .code(2); // retain = "optimal" cannot be sharded
    let plain = write(
        dir.path(),
        "plain.toml",
        &TEMPLATE.replace("retain = \"optimal\"", "retain = 3"),
    );
    pimsim()
        .args(["run", "--paths", "100", "--shard", "0/1", "--quiet"])
        .arg(&plain)
        .arg("--out")
        .arg(&run_shard)
        .assert()
        .success();
    merge_fails(
        vec![
            run_shard.join("partial-0000-of-0001.json"),
            dir.path().join("s1-0"),
        ],
        "merge the partials of one command at a time",
    );
}

#[cfg(unix)]
#[test]
fn sigint_stops_a_portfolio_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let template = write(dir.path(), "template.toml", TEMPLATE);
    let parts = write(dir.path(), "parts.csv", PARTS);
    let out = dir.path().join("out");
    let args = [
        "portfolio",
        parts.to_str().unwrap(),
        "--template",
        template.to_str().unwrap(),
        "--paths",
        "1000000000",
    ];
    let stopped = crate::common::interrupt(&args, &out, "INT");
    let stderr = &stopped.stderr;
    assert_eq!(stopped.code, Some(130), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(stopped.seconds < 10.0);
    assert!(!out.exists(), "the output directory it created is removed");
}

#[test]
fn the_synthetic_history_regenerates_byte_for_byte() {
    // The example that wrote scenarios/history/ (built by `cargo test`): its part master draws
    // from streams of its own, so history.csv and true_parameters.csv stay as they were.
    let exe = std::env::current_exe().unwrap();
    let examples = exe.parent().unwrap().parent().unwrap().join("examples");
    let example = examples.join("synthetic_history");
    if !example.exists() {
        eprintln!("skipped: {} is not built", example.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(&example)
        .args(["--seed", "1", "--parts", "300", "--out"])
        .arg(dir.path())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/history");
    for f in ["history.csv", "true_parameters.csv", "part_master.csv"] {
        assert!(
            fs::read(dir.path().join(f)).unwrap() == fs::read(here.join(f)).unwrap(),
            "{f} differs from scenarios/history/{f}"
        );
    }
}

#[test]
fn a_fill_rate_target_picks_the_cheapest_policy_that_meets_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_portfolio(dir.path(), "out", &["--fill-rate-target", "0.97"]);
    let (h, rows) = read_csv(&out.join("portfolio.csv"));
    let (fill, mean, rec) = (
        col(&h, "fill_rate"),
        col(&h, "total_cost_mean"),
        col(&h, "recommended"),
    );
    let mut met = 0;
    for part in rows.chunks(3) {
        let f = |r: &Vec<String>| r[fill].parse::<f64>().unwrap_or(1.0);
        let m = |r: &Vec<String>| r[mean].parse::<f64>().unwrap();
        let chosen = part.iter().find(|r| r[rec] == "true").unwrap();
        let feasible: Vec<&Vec<String>> = part.iter().filter(|r| f(r) >= 0.97).collect();
        if feasible.is_empty() {
            let best = part.iter().map(f).fold(0.0, f64::max);
            assert_eq!(f(chosen), best);
        } else {
            met += 1;
            assert!(f(chosen) >= 0.97);
            let cheapest = feasible.iter().map(|r| m(r)).fold(f64::INFINITY, f64::min);
            assert_eq!(m(chosen), cheapest);
        }
    }
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("portfolio.json")).unwrap()).unwrap();
    assert_eq!(json["fill_rate_target"], 0.97);
    assert_eq!(json["best_mix"]["parts_meeting_target"], met);
    // The report is well-formed XML (like the run report) and names the target.
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(&html, options).expect("report.html is well-formed");
    assert!(html.contains("fill rate of at least 97.0 %"));
}

#[test]
fn with_precision_each_part_stops_on_its_own_and_says_where() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--precision", "0.002", "--max-paths", "30000"];
    let one = run_portfolio(dir.path(), "p1", &[&args[..], &["--threads", "1"]].concat());
    let two = run_portfolio(dir.path(), "p2", &[&args[..], &["--threads", "2"]].concat());
    let (header, rows) = read_csv(&one.join("portfolio_parts.csv"));
    assert_eq!(
        fs::read(one.join("portfolio_parts.csv")).unwrap(),
        fs::read(two.join("portfolio_parts.csv")).unwrap(),
        "thread count changed the parts' stopping points"
    );
    let (paths, reached) = (col(&header, "paths"), col(&header, "precision_reached"));
    let used: Vec<u64> = rows.iter().map(|r| r[paths].parse().unwrap()).collect();
    for (r, &n) in rows.iter().zip(&used) {
        assert!(n <= 30_000, "{n}");
        // A part stops at whole blocks or at the maximum (the last stage ends there), and
        // at the maximum when the precision is not reached.
        match r[reached].as_str() {
            "true" => assert!(n % 256 == 0 || n == 30_000, "{n}"),
            "false" => assert_eq!(n, 30_000),
            other => panic!("precision_reached = {other}"),
        }
    }
    assert!(
        used.iter().any(|&n| n != used[0]),
        "every part used the same paths: {used:?}"
    );
    // Without --precision the columns are absent.
    let fixed = run_portfolio(dir.path(), "f", &["--paths", "300"]);
    let (header, _) = read_csv(&fixed.join("portfolio_parts.csv"));
    assert!(!header.iter().any(|h| h == "precision_reached"));
}
