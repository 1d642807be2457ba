//! `pimsim fit` on hostile histories: numbers that overflow or that no scenario could
//! simulate are bad input (exit 2, file:line:column, nothing written); file names and part ids
//! cannot inject TOML into the generated scenarios; the CSV outputs are spreadsheet-safe and
//! read back; ids that cannot be file names are refused.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::pimsim;
use pimsim::fit::{self, PartHistory};
use pimsim::output::fit as out;
use toml::{Table, Value};

/// Runs `pimsim fit` on `text` (as `h.csv`) and asserts bad input: exit code 2, every
/// `expected` in the message, nothing written. Returns standard error.
#[track_caller]
fn refused(text: &str, expected: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("h.csv");
    fs::write(&file, text).unwrap();
    let outdir = dir.path().join("out");
    let run = pimsim()
        .arg("fit")
        .arg(&file)
        .arg("--out")
        .arg(&outdir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    for e in expected {
        assert!(stderr.contains(e), "expected {e:?} in:\n{stderr}");
    }
    assert!(!outdir.exists(), "nothing is written on bad input");
    stderr
}

/// Runs `pimsim fit` on `text` and asserts success; returns the output directory's tempdir.
#[track_caller]
fn fitted(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("h.csv");
    fs::write(&file, text).unwrap();
    let outdir = dir.path().join("out");
    let run = pimsim()
        .args(["fit", "--quiet"])
        .arg(&file)
        .arg("--out")
        .arg(&outdir)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    (dir, outdir)
}

#[test]
fn a_huge_quantity_is_bad_input_not_a_wrapped_sum() {
    // 2^64 − 1 parses as a whole number but would wrap the month's units.
    refused(
        "part,period,quantity\nA,0,1\nA,0,18446744073709551615\nA,1,3\n",
        &[
            "h.csv:3:3: error: `quantity` = \"18446744073709551615\": too large; at most 1000000 \
           units per order line",
        ],
    );
    // Beyond 64 bits it is still "too large", not "not a whole number".
    refused(
        "part,period,quantity\nA,0,123456789012345678901234567890\n",
        &["h.csv:2:3: error: `quantity` = \"123456789012345678901234567890\": too large"],
    );
}

#[test]
fn quantities_whose_sum_would_overflow_are_refused() {
    // 2^63 twice in one month: the sum is 2^64, one more than u64 holds. Both lines are named.
    refused(
        "part,period,quantity\nA,0,9223372036854775808\nA,0,9223372036854775808\n",
        &[
            "h.csv:2:3: error: `quantity` = \"9223372036854775808\": too large",
            "h.csv:3:3: error: `quantity` = \"9223372036854775808\": too large",
        ],
    );
}

#[test]
fn a_huge_single_order_is_bad_input() {
    // Its order-size mean (10^7) is beyond what a scenario allows (10^6): this used to be an
    // internal error (exit 1) after the fit.
    refused(
        "part,period,quantity\nA,0,10000000\nA,1,2\n",
        &["h.csv:2:3: error: `quantity` = \"10000000\": too large; at most 1000000 units"],
    );
    // At the limit the fitted demand is valid.
    let (_dir, outdir) = fitted("part,period,quantity\nA,0,1000000\nA,1,2\n");
    let parts = fs::read_to_string(outdir.join("parts.csv")).unwrap();
    assert!(parts.lines().nth(1).unwrap().starts_with("A,"), "{parts}");
}

#[test]
fn a_month_with_extreme_volume_is_bad_input() {
    let month = |orders: usize| {
        let mut text = String::from("part,period,quantity\n");
        for _ in 0..orders {
            text.push_str("A,0,1\n");
        }
        text
    };
    // 100,001 orders in month 0: the row over the limit is named.
    refused(
        &month(100_001),
        &[
            "h.csv:100002:2: error: `period` = \"0\": part \"A\" has more than 100000 orders \
             (rows) in this month (from line 2)",
            "1 error in the input",
        ],
    );
    // 100,000 orders in a one-month history: 1.2 million a year, which the fitted demand
    // (checked inside a scenario) can still simulate.
    let (_dir, outdir) = fitted(&month(100_000));
    let block: Table = fs::read_to_string(outdir.join("A.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(block["demand"]["rate"].as_integer(), Some(1_200_000));
}

#[test]
fn a_history_longer_than_a_century_is_refused() {
    refused(
        "part,period,quantity\nA,0,1\nA,1200,1\n",
        &[
            "h.csv:2:2: error: `period` = \"0\": the history spans 1201 months, from 0 to the last \
           month of the history (1200 on line 3); at most 1200 months",
        ],
    );
    refused(
        "part,period,quantity,eop\nA,1990-01,1,1900-01\nA,2001-01,1,\n",
        &["h.csv:2:4: error: `eop` = \"1900-01\": part \"A\" would be observed for 1213 months"],
    );
}

/// Ids no file name can hold are refused before anything is written.
#[test]
fn ids_that_cannot_be_file_names_are_refused() {
    let long = "x".repeat(201);
    refused(
        &format!("part,period,quantity\nA,0,1\n{long},0,1\n..,1,1\n"),
        &[
            &format!(
                "h.csv:3:1: error: `part` = \"{long}\": a part id of 201 characters; at most 200"
            ),
            "h.csv:4:1: error: `part` = \"..\": a part id of dots only",
        ],
    );
}

/// The ids of this test: quotes, a line break that opens a table, `]`, control and
/// bidirectional characters, a formula.
const IDS: [&str; 6] = [
    "q\"uote'",
    "new\n[stock]\nshrinkage_rate = 0.5",
    "a]b[c",
    "ctl\u{1b}[2J\u{7}\u{202e}",
    "=1+2",
    "P-1",
];

/// A history of the parts `IDS`, each with a few orders over 24 months.
fn hostile_history() -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["part", "period", "quantity"]).unwrap();
    for (k, id) in IDS.iter().enumerate() {
        for m in 0..24 {
            if (m + k) % 3 == 0 {
                w.write_record([*id, &m.to_string(), &(1 + m % 4).to_string()])
                    .unwrap();
            }
        }
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

/// The file name `pimsim fit` gives each part of `IDS`.
fn file_of(id: &str) -> String {
    let names = out::part_file_names(&IDS, &out::FIT_RESERVED_STEMS);
    names[IDS.iter().position(|i| *i == id).unwrap()].clone()
}

/// A history whose file name holds `\n[stock]\nshrinkage_rate = 0.5\n`, with parts whose ids
/// hold quotes, line breaks, `]` and control characters: every generated file parses to
/// exactly the tables meant, and never gets a `[stock]` table.
#[test]
fn file_names_and_ids_cannot_inject_toml() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("h\n[stock]\nshrinkage_rate = 0.5\n.csv");
    fs::write(&history, hostile_history()).unwrap();
    let template_text = fs::read_to_string("scenarios/benchmark.toml").unwrap();
    let template: Table = template_text.parse().unwrap();
    assert!(!template.contains_key("stock"));
    for with_template in [false, true] {
        let outdir = dir.path().join(format!("out-{with_template}"));
        let mut cmd = pimsim();
        cmd.args(["fit", "--quiet"])
            .arg(&history)
            .arg("--out")
            .arg(&outdir);
        if with_template {
            cmd.args(["--template", "scenarios/benchmark.toml"]);
        }
        let run = cmd.output().unwrap();
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        for id in IDS {
            let text = fs::read_to_string(outdir.join(file_of(id))).unwrap();
            let doc: Table = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
            let keys: BTreeSet<&str> = doc.keys().map(String::as_str).collect();
            if with_template {
                let expected: BTreeSet<&str> = template.keys().map(String::as_str).collect();
                assert_eq!(keys, expected, "{text}");
                assert_eq!(doc["scenario"]["name"].as_str(), Some(id));
                assert_eq!(doc["part"]["name"].as_str(), Some(id));
                for (k, v) in &template {
                    if k != "demand" && k != "scenario" && k != "part" {
                        assert_eq!(&doc[k], v, "{k} of {id:?}");
                    }
                }
            } else {
                assert_eq!(keys, BTreeSet::from(["demand"]), "{text}");
            }
            let demand: BTreeSet<&str> = doc["demand"]
                .as_table()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert!(
                demand.is_subset(&BTreeSet::from([
                    "model",
                    "rate",
                    "half_life_years",
                    "end_years",
                    "order_size",
                    "uncertainty",
                ])),
                "{text}"
            );
            // Every comment is one line that shows, not obeys, what it names: the history's
            // name and the id are escaped. (Values are written by the toml serializer, which
            // may write a name with line breaks as a multi-line string: that is data.)
            assert!(text.contains("from h\\u{a}[stock]\\u{a}shrinkage_rate = 0.5\\u{a}.csv:"));
            let comments: Vec<&str> = text.lines().filter(|l| l.starts_with('#')).collect();
            assert!(comments.len() >= 5, "{text}");
            let named = format!("part {}", pimsim::output::fit::scenario_file::quoted(id));
            assert!(comments.iter().any(|l| l.contains(&named)), "{text}");
            assert!(
                comments
                    .iter()
                    .all(|l| !l.contains(['\u{1b}', '\u{7}', '\u{202e}'])),
                "{text}"
            );
        }
    }
}

/// The library function the command line calls gives the same guarantee, with a typed error
/// when the fitted demand could not be simulated.
#[test]
fn part_files_are_checked_before_they_are_returned() {
    let template = fs::read_to_string("scenarios/benchmark.toml").unwrap();
    let source = "x\n[stock]\nshrinkage_rate = 0.5\n";
    for id in IDS {
        let history = PartHistory::from_orders(id, 36, (0..30).map(|i| (i as f64 / 10.0, 2)));
        let f = fit::fit_part(&history);
        let block: Table = out::render_part_file(&f, source, None)
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(block.keys().collect::<Vec<_>>(), ["demand"]);
        assert!(block["demand"]["rate"].is_integer() || block["demand"]["rate"].is_float());
        let scenario = out::render_part_file(&f, source, Some(&template)).unwrap();
        let doc: Table = scenario.parse().unwrap();
        assert!(!doc.contains_key("stock"));
        assert_eq!(doc["part"]["name"], Value::String(id.into()));
        pimsim::scenario::Scenario::from_toml(Path::new("p.toml"), &scenario)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    // A history read by pimsim cannot give this (its rows are refused), one built in code can.
    let huge = PartHistory::from_orders("big \"one\"", 12, [(0.1, 50_000_000)]);
    let err = out::render_part_file(&fit::fit_part(&huge), "h.csv", None).unwrap_err();
    assert!(matches!(err, out::PartFileError::InvalidDemand { .. }));
    let message = err.to_string();
    assert!(
        message.contains("part \"big \\\"one\\\"\" is not valid")
            && message.contains("`demand.order_size.mean`"),
        "{message}"
    );
}

/// Text cells of `parts.csv` and `fit_cumulative.csv` are spreadsheet-safe (numbers are not
/// escaped), and the ids read back as they were: through a portfolio run of the fitted parts
/// (`--scenarios` writes each part's name) and through the library's parts reader.
#[test]
fn fit_csv_outputs_are_spreadsheet_safe_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("h.csv");
    // `'-x` in a history reads as `-x`, as pimsim writes it.
    let text = hostile_history()
        .replace("P-1", "'-x")
        .replace("a]b[c", "@sum");
    fs::write(&history, text).unwrap();
    let outdir = dir.path().join("fits");
    pimsim()
        .args(["fit", "--quiet"])
        .arg(&history)
        .arg("--out")
        .arg(&outdir)
        .assert()
        .success();
    let ids: Vec<String> = IDS
        .iter()
        .map(|i| i.replace("P-1", "-x").replace("a]b[c", "@sum"))
        .collect();
    let rows = |name: &str| -> Vec<csv::StringRecord> {
        csv::Reader::from_path(outdir.join(name))
            .unwrap()
            .records()
            .map(Result::unwrap)
            .collect()
    };
    let parts = rows("parts.csv");
    let written: Vec<&str> = parts.iter().map(|r| &r[0]).collect();
    assert_eq!(
        written,
        [
            "q\"uote'",
            "new\n[stock]\nshrinkage_rate = 0.5",
            "'@sum",
            "ctl\u{1b}[2J\u{7}\u{202e}",
            "'=1+2",
            "'-x"
        ]
    );
    let header = csv::Reader::from_path(outdir.join("parts.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    let ll = header
        .iter()
        .position(|h| h == "fit.log_likelihood")
        .unwrap();
    assert!(
        parts.iter().all(|r| r[ll].starts_with('-')),
        "numbers are never escaped"
    );
    let cumulative: BTreeSet<String> = rows("fit_cumulative.csv")
        .iter()
        .map(|r| r[0].to_string())
        .collect();
    assert!(cumulative.contains("'=1+2") && cumulative.contains("'-x"));
    assert!(!cumulative.contains("=1+2"));

    // Read back by the portfolio's reader: the ids as they were.
    let template = Path::new("scenarios/benchmark.toml");
    let template_text = fs::read_to_string(template).unwrap();
    let input =
        pimsim::portfolio::input::read_parts(&[outdir.join("parts.csv")], template, &template_text)
            .unwrap_or_else(|e| panic!("{e}"));
    let read: Vec<&str> = input.parts.iter().map(|p| p.part.as_str()).collect();
    assert_eq!(read, ids.iter().map(String::as_str).collect::<Vec<_>>());
    for p in &input.parts {
        assert_eq!(p.scenario.name, p.part);
    }

    // And through the command line: each part's scenario is named by its id.
    let scenarios = dir.path().join("scenarios");
    pimsim()
        .arg("portfolio")
        .arg(outdir.join("parts.csv"))
        .args([
            "--template",
            "scenarios/benchmark.toml",
            "--paths",
            "20",
            "--quiet",
        ])
        .args(["--no-report", "--out"])
        .arg(dir.path().join("pf"))
        .arg("--scenarios")
        .arg(&scenarios)
        .assert()
        .success();
    let id_refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    for (id, name) in id_refs.iter().zip(out::part_file_names(&id_refs, &[])) {
        let doc: Table = fs::read_to_string(scenarios.join(&name))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(doc["part"]["name"].as_str(), Some(*id), "{name}");
    }
}
