//! `pimsim portfolio` on hostile parts files: a list beyond the part limit is refused with its
//! count, ids that cannot name a part's scenario file are refused, spreadsheet-escaped cells
//! read back; all before anything is written.

use std::fs;
use std::path::Path;

use crate::common::pimsim;
use pimsim::portfolio::input::{MAX_PORTFOLIO_PARTS, cell_value, read_parts};
use toml::Value;

/// Runs a portfolio of `parts` (as `parts.csv`) on the benchmark template with `--scenarios`
/// and asserts bad input: exit code 2, every `expected` in the message, nothing written.
#[track_caller]
fn refused(parts: &str, expected: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("parts.csv");
    fs::write(&file, parts).unwrap();
    let (out, scenarios) = (dir.path().join("pf"), dir.path().join("scenarios"));
    let run = pimsim()
        .arg("portfolio")
        .arg(&file)
        .args(["--template", "scenarios/benchmark.toml", "--paths", "10"])
        .arg("--out")
        .arg(&out)
        .arg("--scenarios")
        .arg(&scenarios)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    for e in expected {
        assert!(stderr.contains(e), "expected {e:?} in:\n{stderr}");
    }
    assert!(!out.exists() && !scenarios.exists(), "nothing is written");
}

#[test]
fn a_portfolio_beyond_the_part_limit_is_refused_with_its_count() {
    let mut text = String::from("part,part.on_hand\n");
    for i in 0..=MAX_PORTFOLIO_PARTS {
        text.push_str(&format!("P{i},1\n"));
    }
    refused(
        &text,
        &[
            "parts.csv:100002:1: error: `part`: the file lists 100001 parts; a portfolio holds \
             at most 100000 parts",
            "1 error in the input",
        ],
    );
}

#[test]
fn ids_that_cannot_name_scenario_files_are_refused() {
    let long = "é".repeat(201);
    refused(
        &format!("part,part.on_hand\nA,1\n{long},2\n...,3\n"),
        &[
            &format!(
                "parts.csv:3:1: error: `part` = \"{long}\": a part id of 201 characters; at \
                 most 200 are allowed"
            ),
            "parts.csv:4:1: error: `part` = \"...\": a part id of dots only",
        ],
    );
}

/// A cell written spreadsheet-safe (`'=…`, `'-…`) reads as the text without the apostrophe,
/// in the id column and in the others; a plain apostrophe stays.
#[test]
fn spreadsheet_escaped_cells_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("parts.csv");
    fs::write(
        &file,
        "part,part.on_hand,part.name,fit.note\n'=A1,'-3,'@x,'+1\n'plain,4,\"'=y\",'ok\n",
    )
    .unwrap();
    let template = Path::new("scenarios/benchmark.toml");
    let text = fs::read_to_string(template).unwrap();
    let input = read_parts(std::slice::from_ref(&file), template, &text).unwrap_err();
    // `'-3` reads as -3: a negative stock, refused at its cell like any other.
    let message = input.to_string();
    assert!(
        message.contains("parts.csv:2:2: error: `part.on_hand` = \"-3\""),
        "{message}"
    );
    fs::write(
        &file,
        "part,part.on_hand,part.name,fit.note\n'=A1,3,'@x,'+1\n'plain,4,\"'=y\",'ok\n",
    )
    .unwrap();
    let input = read_parts(&[file], template, &text).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = input.parts.iter().map(|p| p.part.as_str()).collect();
    assert_eq!(ids, ["=A1", "'plain"]);
    assert_eq!(input.parts[0].scenario.part.name, "@x");
    assert_eq!(input.parts[1].scenario.part.name, "=y");
    assert_eq!(input.parts[0].fit_values, ["+1"]);
    assert_eq!(input.parts[1].fit_values, ["'ok"]);
}

#[test]
fn cells_are_toml_values_or_text() {
    assert_eq!(cell_value("600"), Value::Integer(600));
    assert_eq!(cell_value("0.25"), Value::Float(0.25));
    assert_eq!(cell_value("true"), Value::Boolean(true));
    assert_eq!(
        cell_value("exponential"),
        Value::String("exponential".into())
    );
    assert_eq!(cell_value("\"x y\""), Value::String("x y".into()));
    assert!(cell_value("{ cover_years = 5 }").is_table());
    assert_eq!(cell_value("a = 1"), Value::String("a = 1".into()));
}
