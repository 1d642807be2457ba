//! The command line: outputs, formats, exit codes and error messages.

use std::fs;

use crate::common::pimsim;
use assert_cmd::Command;

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn run_writes_summary_policies_and_timeseries() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bm");
    let table = stdout_of(
        pimsim()
            .args([
                "run",
                "scenarios/benchmark.toml",
                "--paths",
                "3000",
                "--out",
            ])
            .arg(&out),
    );
    assert!(
        table.contains("hold (hold)") && table.contains("Cheapest:"),
        "{table}"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["paths"], 3000);
    let policy = &summary["policies"][1];
    for key in [
        "fill_rate",
        "no_stockout_probability",
        "total_cost",
        "cost_breakdown",
        "units",
    ] {
        assert!(!policy[key].is_null(), "missing {key}");
    }
    for key in ["mean", "std_err", "ci95", "p05", "p50", "p95", "cvar95"] {
        assert!(
            policy["total_cost"][key].is_number() || policy["total_cost"][key].is_array(),
            "{key}"
        );
    }
    for key in [
        "last_time_buy",
        "holding",
        "disposal",
        "release",
        "buyback",
        "remanufacture",
        "shortage",
        "backorder",
        "end_of_horizon",
        "total",
    ] {
        assert!(policy["cost_breakdown"][key].is_number(), "{key}");
    }
    for key in [
        "demanded",
        "filled_from_stock",
        "short",
        "lost",
        "backordered",
        "scrapped",
        "released",
        "bought_back",
        "remanufactured",
        "lost_in_storage",
        "on_hand_at_horizon",
        "remanufacture_runs",
        "average_on_hand",
    ] {
        assert!(policy["units"][key].is_number(), "{key}");
    }
    assert!(policy["comparison"]["probability_cheaper"].is_number());
    let csv = fs::read_to_string(out.join("policies.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4);
    assert!(csv.starts_with("policy,kind,paths,seed,fill_rate"));
    let ts = fs::read_to_string(out.join("timeseries.csv")).unwrap();
    assert!(ts.starts_with("policy,time_years,on_hand_mean"));
    // 3 policies × (25 yearly points + the horizon).
    assert_eq!(ts.lines().count(), 1 + 3 * 26);
}

#[test]
fn summary_json_is_identical_for_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        pimsim()
            .args([
                "run",
                "scenarios/benchmark.toml",
                "--paths",
                "4100",
                "--seed",
                "5",
                "--quiet",
                "--threads",
                threads,
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        outputs.push(fs::read(out.join("summary.json")).unwrap());
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn json_and_csv_formats_print_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let json = stdout_of(
        pimsim()
            .args([
                "run",
                "scenarios/benchmark.toml",
                "--paths",
                "500",
                "--quiet",
                "--format",
                "json",
                "--out",
            ])
            .arg(&out),
    );
    assert_eq!(json, fs::read_to_string(out.join("summary.json")).unwrap());
    let csv = stdout_of(
        pimsim()
            .args([
                "run",
                "scenarios/benchmark.toml",
                "--paths",
                "500",
                "--quiet",
                "--format",
                "csv",
                "--out",
            ])
            .arg(&out),
    );
    assert_eq!(csv, fs::read_to_string(out.join("policies.csv")).unwrap());
}

#[test]
fn check_accepts_every_bundled_scenario() {
    let mut files: Vec<_> = fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    pimsim().arg("check").args(&files).assert().success();
}

/// Writes `text` to a scenario file and returns (exit code, stderr) of `pimsim check`.
fn check_text(text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    fs::write(&file, text).unwrap();
    let out = pimsim().arg("check").arg(&file).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

const VALID: &str = r#"[scenario]
horizon_years = 10
[part]
unit_cost = 10
on_hand = 50
[demand]
model = "constant"
rate = 4.0
[costs]
holding_rate = 0.2
shortage_penalty = 100
[[policy]]
name = "hold"
kind = "hold"
"#;

#[test]
fn bad_input_names_file_line_column_key_value_and_what_is_allowed() {
    let (code, err) = check_text(&VALID.replace("rate = 4.0", "rate = -4.0"));
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "bad.toml:8:8: error: `demand.rate` = -4.0: must be a number ≥ 0 (orders per year)"
        ),
        "{err}"
    );

    let (code, err) = check_text(&VALID.replace("rate = 4.0", "rtae = 4.0"));
    assert_eq!(code, 2);
    assert!(
        err.contains(":8:1: error: `demand.rtae`: unknown key; did you mean `rate`?"),
        "{err}"
    );

    let (code, err) = check_text(&VALID.replace("kind = \"hold\"", "kind = \"hodl\""));
    assert_eq!(code, 2);
    assert!(
        err.contains("`policy[0].kind` = \"hodl\": unknown value; did you mean \"hold\"?"),
        "{err}"
    );

    let (code, err) = check_text(&VALID.replace("on_hand = 50", "on_hand = 50.5"));
    assert_eq!(code, 2);
    assert!(
        err.contains(
            "`part.on_hand` = 50.5: expected a whole number in [0, 10^12] (units), found a float"
        ),
        "{err}"
    );

    let (code, err) = check_text(&VALID.replace("shortage_penalty = 100\n", ""));
    assert_eq!(code, 2);
    assert!(
        err.contains("`costs.shortage_penalty`: missing required key"),
        "{err}"
    );

    let (code, err) = check_text("[scenario\nhorizon_years = 3");
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.toml:1:") && err.contains("not valid TOML"),
        "{err}"
    );
}

#[test]
fn all_problems_of_a_file_are_reported_at_once() {
    let text = VALID
        .replace("rate = 4.0", "rate = -1")
        .replace("holding_rate = 0.2", "holding_rate = \"high\"")
        .replace("unit_cost = 10", "unit_cost = 10\ncolour = \"red\"");
    let (code, err) = check_text(&text);
    assert_eq!(code, 2);
    assert!(
        err.contains("`demand.rate`")
            && err.contains("`costs.holding_rate`")
            && err.contains("`part.colour`"),
        "{err}"
    );
    assert!(err.contains("3 errors"), "{err}");
}

#[test]
fn a_foreign_non_empty_directory_is_never_written_into() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("thesis.tex"), "precious").unwrap();
    let out = pimsim()
        .args(["run", "scenarios/benchmark.toml", "--paths", "100", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pimsim did not create"));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn bad_flags_exit_with_code_two() {
    let out = pimsim()
        .args(["run", "scenarios/benchmark.toml", "--paths", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = pimsim()
        .args(["run", "no/such/file.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/file.toml: cannot read"));
}

#[test]
fn disabled_remanufacture_is_still_validated() {
    let text =
        format!("{VALID}[remanufacture]\nenabled = false\nunit_cost = -3\nlead_time_years = 0.5\n");
    let (code, err) = check_text(&text);
    assert_eq!(code, 2);
    assert!(
        err.contains("`remanufacture.unit_cost` = -3: must be a number in [0, 10^12], 0 or at least 1e-6 in size"),
        "{err}"
    );
}

#[test]
fn empty_uncertainty_and_obsolescence_tables_mean_none() {
    let text = VALID.replace(
        "rate = 4.0\n",
        "rate = 4.0\n[demand.uncertainty]\n[demand.obsolescence]\n",
    );
    let (code, err) = check_text(&text);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn an_uncomputable_quantile_is_an_error_at_its_line() {
    // 10^6 orders a year of 100 units each for 10 years: the exact quantile would need
    // 10^9 units.
    let text = format!(
        "{}[[policy]]\nname = \"scrap\"\nkind = \"scrap\"\nretain = {{ quantile = 0.9 }}\n",
        VALID.replace(
            "rate = 4.0",
            "rate = 1e6\n[demand.order_size]\ndistribution = \"poisson\"\nmean = 100"
        )
    );
    let (code, err) = check_text(&text);
    assert_eq!(code, 2);
    assert!(
        err.contains("bad.toml:21:10: error: `policy[1].retain`")
            && err.contains("too large for the exact quantile"),
        "{err}"
    );
}

#[test]
fn a_review_period_giving_too_many_dispositions_is_refused() {
    let text = format!(
        "{VALID}[[policy]]\nname = \"scrap\"\nkind = \"scrap\"\nretain = 5\nreview_every_years = 1e-9\n"
    );
    let (code, err) = check_text(&text);
    assert_eq!(code, 2);
    assert!(
        err.contains("`policy[1].review_every_years` = 1e-9: gives")
            && err.contains("at most 10000"),
        "{err}"
    );
}

/// (exit code, stdout, stderr) of `pimsim ARGS`.
fn outcome(args: &[&str]) -> (i32, String, String) {
    let out = pimsim().args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The help text of `--seed` in `pimsim COMMAND --help`.
fn seed_help(command: &str) -> String {
    let (code, help, _) = outcome(&[command, "--help"]);
    assert_eq!(code, 0);
    let at = help.find("--seed <SEED>").unwrap();
    let rest = &help[at..];
    rest[..rest.find("--threads").unwrap()].to_string()
}

#[test]
fn seed_help_says_what_the_seed_means_for_each_command() {
    for command in ["run", "sweep", "optimize"] {
        let help = seed_help(command);
        assert!(!help.contains("portfolio"), "{command}: {help}");
        assert!(help.contains("common random numbers"), "{command}: {help}");
    }
    assert!(seed_help("run").contains("keyed by (seed, k)"));
    assert!(seed_help("sweep").contains("latin_hypercube"));
    assert!(seed_help("optimize").contains("every candidate quantity"));
    let portfolio = seed_help("portfolio");
    assert!(
        portfolio.contains("a hash of S and the part id")
            && portfolio.contains("seed column of portfolio.csv"),
        "{portfolio}"
    );
}

#[test]
fn top_level_and_merge_help_name_every_kind_of_shard() {
    let (code, top, _) = outcome(&["--help"]);
    assert_eq!(code, 0);
    assert!(
        top.contains("`run`, `sweep` and `portfolio` take --shard K/N")
            && top.contains("`pimsim merge` combines"),
        "{top}"
    );
    let (code, merge, _) = outcome(&["merge", "--help"]);
    assert_eq!(code, 0);
    for word in [
        "`run`, `sweep` or `portfolio --shard K/N`",
        "-shards/",
        "reports/shards/",
        "-portfolio-shards/",
    ] {
        assert!(merge.contains(word), "{word}: {merge}");
    }
}

#[test]
fn check_of_a_directory_checks_every_scenario_in_it() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("good.toml"), VALID).unwrap();
    fs::write(
        dir.path().join("bad.toml"),
        VALID.replace("rate = 4.0", "rate = -4.0"),
    )
    .unwrap();
    fs::write(dir.path().join("notes.txt"), "not a scenario").unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = outcome(&["check", d]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.contains("ok: ") && out.contains("good.toml"), "{out}");
    assert!(err.contains("bad.toml:8:8: error: `demand.rate`"), "{err}");
    assert!(err.contains("1 of 2 scenario files are not valid"), "{err}");
    assert!(!out.contains("notes.txt") && !err.contains("notes.txt"));

    fs::remove_file(dir.path().join("bad.toml")).unwrap();
    let (code, out, err) = outcome(&["check", d]);
    assert_eq!(code, 0, "{out}{err}");

    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = outcome(&["check", empty.path().to_str().unwrap(), d]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: ") && err.contains("a directory without scenario files (*.toml)"),
        "{err}"
    );
}

#[test]
fn a_broken_table_header_shows_the_line_and_a_caret() {
    let text = VALID.replace("[costs]", "[costs");
    let (code, err) = check_text(&text);
    assert_eq!(code, 2);
    let lines: Vec<&str> = err.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("bad.toml:9:7: error: `(syntax)`: not valid TOML"))
        .unwrap_or_else(|| panic!("{err}"));
    assert_eq!(lines[at + 1], "  |", "{err}");
    assert_eq!(lines[at + 2], "9 | [costs", "{err}");
    assert_eq!(lines[at + 3], format!("  | {}^", " ".repeat(6)), "{err}");
    // A validation error underlines its value.
    let (_, err) = check_text(&VALID.replace("rate = 4.0", "rate = -4.0"));
    assert!(
        err.contains("bad.toml:8:8: error: `demand.rate` = -4.0: must be a number ≥ 0 (orders per year)\n  |\n8 | rate = -4.0\n  |        ^^^^\n"),
        "{err}"
    );
}

#[test]
fn hostile_bytes_in_the_source_line_are_escaped_and_long_lines_clipped() {
    let name = format!("x\u{1b}]0;owned\u{7}\u{202e}{}", "y".repeat(3000));
    let text = VALID.replace("rate = 4.0", &format!("rate = 4.0\nnote = \"{name}\" junk"));
    let (code, err) = check_text(&text);
    assert_eq!(code, 2);
    assert!(!err.contains('\u{1b}') && !err.contains('\u{7}') && !err.contains('\u{202e}'));
    let source = err
        .lines()
        .find(|l| l.starts_with("9 | "))
        .unwrap_or_else(|| panic!("{err}"));
    assert!(source.chars().count() <= 110, "{source}");
    assert!(source.contains('…'), "{source}");
}

#[test]
fn an_out_that_looks_like_a_file_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.html");
    let o = out.to_str().unwrap();
    let (code, _, err) = outcome(&[
        "run",
        "scenarios/benchmark.toml",
        "--paths",
        "100",
        "--out",
        o,
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.starts_with("error: --out = ") && err.contains("looks like a file name"),
        "{err}"
    );
    assert!(!err.contains("error: error:"), "{err}");
    assert!(!out.exists());
    // A folder of that name that pimsim wrote (e.g. before this check) is still replaced.
    let plain = dir.path().join("plain");
    let p = plain.to_str().unwrap();
    let args = [
        "run",
        "scenarios/benchmark.toml",
        "--paths",
        "100",
        "--quiet",
        "--out",
    ];
    let (code, _, err) = outcome(&[&args[..], &[p]].concat());
    assert_eq!(code, 0, "{err}");
    fs::rename(&plain, &out).unwrap();
    let (code, _, err) = outcome(&[&args[..], &[o]].concat());
    assert_eq!(code, 0, "{err}");
    assert!(out.join("summary.json").is_file());
    // fit --out FILE.toml still writes one file.
    let history = dir.path().join("h.csv");
    fs::write(&history, "part,period,quantity\nP1,1,3\nP1,2,0\nP1,3,2\n").unwrap();
    let toml = dir.path().join("p1.toml");
    let (code, _, err) = outcome(&[
        "fit",
        history.to_str().unwrap(),
        "--out",
        toml.to_str().unwrap(),
        "--quiet",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(toml.is_file());
}

#[test]
fn error_is_said_once() {
    let (code, _, err) = outcome(&["run", "no/such/file.toml"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("error: no/such/file.toml: cannot read"),
        "{err}"
    );
    assert!(!err.contains("error: error"), "{err}");
}
