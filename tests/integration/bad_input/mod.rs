//! Bad input, case by case (docs/reliability.md): each invalid scenario gets exit code 2 and a
//! message naming the file, the line, the key, the bad value and what is allowed; legal but
//! suspicious values get warnings. The cases are edits of one valid scenario that uses every
//! table, so each case changes one thing.

use std::fs;
use std::path::Path;

/// A valid scenario using every table. Every line a case edits is unique in it.
pub const BASE: &str = r#"[scenario]
name = "base"
horizon_years = 20
discount_rate = 0.05
[simulation]
paths = 2000
seed = 7
[report]
step_years = 1
[part]
unit_cost = 100
on_hand = 200
last_time_buy = 10
sale_price = 150
[demand]
model = "exponential"
rate = 20
half_life_years = 5
[demand.order_size]
distribution = "poisson"
mean = 1.5
[demand.uncertainty]
rate_cv = 0.3
[demand.obsolescence]
annual_probability = 0.02
[stock]
shrinkage_rate = 0.01
[costs]
holding_rate = 0.1
salvage_value = 5
shortage_penalty = 2000
unmet_demand = "backorder"
backorder_cost_per_year = 50
[replenishment]
reorder_point = 0
order_up_to = 2
[remanufacture]
setup_cost = 10000
unit_cost = 300
cost_escalation = 0.02
lead_time_years = 0.5
available_until_years = 15
min_batch = 5
[[partner]]
name = "dealers"
share = 0.6
release_price = 20
buyback_price = 250
reliability = 0.9
response_days = 14
attrition_rate = 0.1
order_fee = 10
[[partner]]
name = "broker"
share = 0.4
release_price = 15
buyback_price = 280
[[policy]]
name = "hold"
kind = "hold"
[[policy]]
name = "scrap"
kind = "scrap"
retain = 50
at_years = 1
review_every_years = 5
[[policy]]
name = "release"
kind = "partner_release"
retain = { quantile = 0.9 }
replenishment = { reorder_point = 1, order_up_to = 3 }
"#;

/// Where the problem is expected.
#[derive(Debug, Clone, Copy)]
enum At {
    /// The line of the (first) edited line, plus an offset (for inserted lines).
    Edit(usize),
    /// The line of this exact line of the base (a table header for a missing key).
    Line(&'static str),
    /// This line number.
    Number(usize),
}

/// One bad input: edits of [`BASE`] (each replaces a whole, unique line), and the problem
/// expected: its key, where, and a fragment of its message.
struct Case {
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    key: &'static str,
    at: At,
    fragment: &'static str,
}

const fn case(
    name: &'static str,
    edits: &'static [(&'static str, &'static str)],
    key: &'static str,
    at: At,
    fragment: &'static str,
) -> Case {
    Case {
        name,
        edits,
        key,
        at,
        fragment,
    }
}

use crate::common::pimsim;
use At::{Edit, Line, Number};
use cases::CASES;

mod cases;

/// The 1-based line of `line` in `text`.
fn line_of(text: &str, line: &str) -> usize {
    let found: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == line)
        .map(|(i, _)| i + 1)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "`{line}` must be exactly one line of the text"
    );
    found[0]
}

/// Applies the edits of `case` to [`BASE`]; returns the text and the expected line.
fn apply(case: &Case) -> (String, usize) {
    let mut text = BASE.to_string();
    let mut expected = None;
    for (i, (find, replace)) in case.edits.iter().enumerate() {
        let at = line_of(&text, find);
        if i == 0 {
            expected = Some(at);
        }
        let mut lines: Vec<&str> = text.lines().collect();
        lines.splice(at - 1..at, replace.lines());
        text = lines.join("\n") + "\n";
    }
    let line = match case.at {
        Edit(offset) => expected.expect("a case edits something") + offset,
        Line(l) => line_of(&text, l),
        Number(n) => n,
    };
    (text, line)
}

/// Runs `pimsim check` on `text` written to `dir/name`; returns (exit code, stdout, stderr).
fn check(dir: &Path, name: &str, text: &[u8]) -> (Option<i32>, String, String) {
    let file = dir.join(name);
    fs::write(&file, text).unwrap();
    let out = pimsim().arg("check").arg(&file).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_base_scenario_is_valid_without_warnings() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = check(dir.path(), "base.toml", BASE.as_bytes());
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("(3 policies, 0 warnings)"), "{out}{err}");
}

#[test]
fn every_bad_input_names_its_key_line_and_what_is_allowed() {
    assert!(CASES.len() >= 40, "{} cases", CASES.len());
    let mut names = std::collections::HashSet::new();
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (n, case) in CASES.iter().enumerate() {
        assert!(names.insert(case.name), "duplicate case {}", case.name);
        let (text, line) = apply(case);
        let (code, _, err) = check(dir.path(), &format!("bad{n}.toml"), text.as_bytes());
        let file = format!("bad{n}.toml:{line}:");
        let key = format!("error: `{}`", case.key);
        let hit = err
            .lines()
            .any(|l| l.contains(&file) && l.contains(&key) && l.contains(case.fragment));
        let well_formed = err
            .lines()
            .filter(|l| l.contains("error:"))
            .all(|l| l.contains(&format!("bad{n}.toml:")) && l.contains(": error: `"));
        if code != Some(2) || !hit || !well_formed || err.contains("panicked") {
            failures.push(format!(
                "case `{}`: expected exit 2 and `{file}…{key}…{}`; got {code:?}:\n{err}",
                case.name, case.fragment
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

/// Warnings: legal but suspicious values (exit 0, the scenario runs).
#[test]
fn suspicious_values_are_warned_about_at_their_line() {
    let cases: &[Case] = &[
        case(
            "capital cost and discounting",
            &[
                ("holding_rate = 0.1", ""),
                (
                    "backorder_cost_per_year = 50",
                    "backorder_cost_per_year = 50\n[costs.holding]\ncapital = 0.06\nstorage = 0.04",
                ),
            ],
            "costs.holding.capital",
            Line("capital = 0.06"),
            "counted twice",
        ),
        case(
            "salvage above unit cost",
            &[("salvage_value = 5", "salvage_value = 150")],
            "costs.salvage_value",
            Edit(0),
            "salvage value (150) is above the unit cost (100)",
        ),
        case(
            "penalty below buy-back price",
            &[("shortage_penalty = 2000", "shortage_penalty = 260")],
            "costs.shortage_penalty",
            Edit(0),
            "below partner broker's buy-back price (280)",
        ),
        case(
            "horizon beyond a rate table",
            &[
                ("model = \"exponential\"", "model = \"table\""),
                ("rate = 20", "rates = [9, 7, 5, 3]"),
                ("half_life_years = 5", ""),
            ],
            "demand.rates",
            Edit(1),
            "the table covers 4 years but the horizon is 20 years",
        ),
        case(
            "retained level above the stock",
            &[("retain = 50", "retain = 500")],
            "policy[1].retain",
            Edit(0),
            "retains 500 units but only 210 are in stock",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for (n, case) in cases.iter().enumerate() {
        let (text, line) = apply(case);
        let (code, out, err) = check(dir.path(), &format!("warn{n}.toml"), text.as_bytes());
        let file = format!("warn{n}.toml:{line}:");
        let key = format!("warning: `{}`", case.key);
        let hit = err
            .lines()
            .any(|l| l.contains(&file) && l.contains(&key) && l.contains(case.fragment));
        if code != Some(0) || !hit || !out.contains("ok: ") {
            failures.push(format!(
                "case `{}`: expected exit 0 and `{file}…{key}…{}`; got {code:?}:\n{out}{err}",
                case.name, case.fragment
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn all_problems_of_a_file_are_reported_together() {
    let mut text = BASE.to_string();
    for (find, replace) in [
        ("horizon_years = 20", "horizon_years = -1"),
        ("on_hand = 200", "on_hand = 1.5"),
        ("rate_cv = 0.3", "rate_cv = \"high\""),
        ("reliability = 0.9", "reliabilty = 0.9"),
        ("kind = \"hold\"", "kind = \"keep\""),
    ] {
        text = text.replace(&format!("{find}\n"), &format!("{replace}\n"));
    }
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = check(dir.path(), "many.toml", text.as_bytes());
    assert_eq!(code, Some(2));
    for (key, line) in [
        ("scenario.horizon_years", 3),
        ("part.on_hand", 12),
        ("demand.uncertainty.rate_cv", 23),
        ("partner[0].reliabilty", 49),
        ("policy[0].kind", 60),
    ] {
        assert!(
            err.contains(&format!("many.toml:{line}:")) && err.contains(&format!("`{key}`")),
            "{key} at line {line}:\n{err}"
        );
    }
    assert!(err.contains("5 errors in the input"), "{err}");
}

#[test]
fn whole_file_problems_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // Not UTF-8 (an ERP export in Latin-1).
    let (code, _, err) = check(
        dir.path(),
        "latin1.toml",
        b"[part]\nname = \"Pumpe \xfcber\"\n",
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("latin1.toml: cannot read") && err.contains("UTF-8"),
        "{err}"
    );
    // Empty: every required table is missing, each named.
    let (code, _, err) = check(dir.path(), "empty.toml", b"");
    assert_eq!(code, Some(2));
    for key in ["`scenario`", "`part`", "`demand`", "`costs`", "`policy`"] {
        assert!(err.contains(key), "{key}:\n{err}");
    }
    // A directory.
    let out = pimsim().arg("check").arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
    // A device that never ends.
    let out = pimsim().args(["check", "/dev/zero"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("/dev/zero: cannot read: a device, not a regular file"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Too large.
    let big = dir.path().join("big.toml");
    let mut text = String::from("# ");
    text.push_str(&"x".repeat(17 << 20));
    fs::write(&big, text).unwrap();
    let out = pimsim().arg("check").arg(&big).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("larger than 16 MiB"));
    // Not TOML at all (a CSV given by mistake).
    let (code, _, err) = check(
        dir.path(),
        "parts.toml",
        b"part,period,quantity\nP-100,2024-01,3\n",
    );
    assert_eq!(code, Some(2));
    assert!(
        err.contains("parts.toml:1:") && err.contains("not valid TOML"),
        "{err}"
    );
}

/// More partners than the limit: refused at the first one too many, with the count and the
/// limit; the limit itself is accepted.
#[test]
fn too_many_partners_are_refused_at_the_first_one_too_many() {
    let dir = tempfile::tempdir().unwrap();
    let with_partners = |extra: usize| {
        // Without shares, released units are split equally however many partners there are.
        let mut text = BASE
            .replace("share = 0.6\n", "")
            .replace("share = 0.4\n", "");
        for j in 0..extra {
            text.push_str(&format!(
                "\n[[partner]]\nname = \"extra-{j}\"\nrelease_price = 1.0\nbuyback_price = 2.0\n"
            ));
        }
        text
    };
    let partners_in_base = BASE.matches("[[partner]]").count();
    let limit = 1_000;
    let (code, _, err) = check(
        dir.path(),
        "limit.toml",
        with_partners(limit - partners_in_base).as_bytes(),
    );
    assert_eq!(code, Some(0), "{err}");
    let text = with_partners(limit + 1 - partners_in_base);
    let (code, _, err) = check(dir.path(), "over.toml", text.as_bytes());
    assert_eq!(code, Some(2), "{err}");
    let first_too_many = text
        .lines()
        .position(|l| l == format!("name = \"extra-{}\"", limit - partners_in_base))
        .expect("the 1,001st partner")
        + 1;
    assert!(
        err.contains(&format!("over.toml:{}:", first_too_many - 1))
            || err.contains(&format!("over.toml:{first_too_many}:")),
        "{err}"
    );
    assert!(
        err.contains("partner[1000]") && err.contains("1001 [[partner]] tables; at most 1000"),
        "{err}"
    );
}
