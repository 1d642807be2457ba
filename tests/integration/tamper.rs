//! Tampered, truncated or mixed partial results are refused by `merge` with exit code 2 and a
//! message naming the file; nothing is written, nothing panics. Every class of field of every
//! kind of partial is tried: the envelope (kind, format, version, fingerprint, digest), the body
//! edited in place (numbers, counts, arrays, names), the file cut short, and bodies edited by
//! someone who also recomputes the digest (caught by the checks against the scenario).

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::pimsim;

/// An edit of a body: what it is, the edit, what the refusal must say.
type Edit = (&'static str, Box<dyn Fn(&mut Value)>, &'static str);

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Writes `count` shards of `args` into `dir` and returns their files, in shard order.
fn shards(args: &[&str], count: u64, dir: &Path) -> Vec<PathBuf> {
    (0..count)
        .map(|k| {
            let out = pimsim()
                .args(args)
                .args(["--quiet", "--shard", &format!("{k}/{count}"), "--out"])
                .arg(dir)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            dir.join(format!("partial-{k:04}-of-{count:04}.json"))
        })
        .collect()
}

/// Merges `dir` and asserts the refusal: exit code 2, `expected` in the message, nothing
/// written.
#[track_caller]
fn refused(dir: &Path, what: &str, expected: &[&str]) {
    let out_dir = dir.with_extension("merged");
    let out = pimsim()
        .arg("merge")
        .arg(dir)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{what}: {err}");
    for e in expected {
        assert!(err.contains(e), "{what}: expected {e:?} in: {err}");
    }
    assert!(
        !out_dir.exists(),
        "{what}: merge wrote {}",
        out_dir.display()
    );
}

/// A copy of the shards directory with `file` replaced by `content`.
fn with_replaced(dir: &Path, file: &Path, content: &[u8], name: &str) -> PathBuf {
    let copy = dir.with_file_name(format!("tampered-{name}"));
    fs::create_dir_all(&copy).unwrap();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        fs::copy(&path, copy.join(path.file_name().unwrap())).unwrap();
    }
    fs::write(copy.join(file.file_name().unwrap()), content).unwrap();
    copy
}

/// The first number under `value`, depth first, changed (+1, or ×1.5 for a fraction).
fn bump_first_number(value: &mut Value) -> bool {
    match value {
        Value::Number(n) => {
            *value = match n.as_u64() {
                Some(u) => Value::from(u.wrapping_add(1)),
                None => Value::from(n.as_f64().unwrap_or(0.0) * 1.5 + 1.0),
            };
            true
        }
        Value::Array(items) => items.iter_mut().any(bump_first_number),
        Value::Object(map) => map.values_mut().any(bump_first_number),
        _ => false,
    }
}

/// The JSON pointer of the longest array under `value` (at `at`) and its length.
fn longest_array(value: &Value, at: String) -> Option<(usize, String)> {
    let own = value.as_array().map(|a| (a.len(), at.clone()));
    let children: Vec<(usize, String)> = match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .filter_map(|(i, v)| longest_array(v, format!("{at}/{i}")))
            .collect(),
        Value::Object(map) => map
            .iter()
            .filter_map(|(k, v)| longest_array(v, format!("{at}/{k}")))
            .collect(),
        _ => Vec::new(),
    };
    own.into_iter().chain(children).max_by_key(|(len, _)| *len)
}

/// The longest array under `value`, with its last element appended again.
fn duplicate_in_longest_array(value: &mut Value) {
    let (_, pointer) = longest_array(value, String::new()).expect("the body has an array");
    let items = value
        .pointer_mut(&pointer)
        .and_then(Value::as_array_mut)
        .expect("the array found");
    let last = items.last().cloned().expect("a non-empty array");
    items.push(last);
}

/// Every edit made without recomputing the digest, applied to the second partial.
fn edits_in_place(dir: &Path, files: &[PathBuf], kinds: (&str, &str)) {
    let file = &files[1];
    let name = file.file_name().unwrap().to_string_lossy().into_owned();
    let text = fs::read_to_string(file).unwrap();
    let original: Value = serde_json::from_str(&text).unwrap();
    let edit = |f: &dyn Fn(&mut Value)| {
        let mut v = original.clone();
        f(&mut v);
        serde_json::to_vec(&v).unwrap()
    };
    let (kind, other_kind) = kinds;
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        (
            "kind",
            edit(&|v| v["kind"] = Value::from(other_kind)),
            vec!["cannot merge"],
        ),
        (
            "unknown kind",
            edit(&|v| v["kind"] = Value::from("poll")),
            vec!["kind \"poll\""],
        ),
        (
            "format",
            edit(&|v| v["format"] = Value::from(1)),
            vec![&name, "partial-result format 1"],
        ),
        (
            "version",
            edit(&|v| v["pimsim_version"] = Value::from("0.0.9")),
            vec![&name, "does not match its contents"],
        ),
        (
            "fingerprint",
            edit(&|v| v["fingerprint"] = Value::from("0".repeat(64))),
            vec![&name, "does not match its contents"],
        ),
        (
            "digest",
            edit(&|v| v["digest"] = Value::from("f".repeat(64))),
            vec![&name, "does not match its contents"],
        ),
        (
            "a number",
            edit(&|v| assert!(bump_first_number(&mut v["body"]))),
            vec![&name, "does not match its contents"],
        ),
        (
            "an appended element",
            edit(&|v| duplicate_in_longest_array(&mut v["body"])),
            vec![&name, "does not match its contents"],
        ),
        (
            "a removed field",
            edit(&|v| {
                let body = v["body"].as_object_mut().unwrap();
                let key = body.keys().next_back().cloned().unwrap();
                body.remove(&key);
            }),
            vec![&name],
        ),
        (
            "truncated",
            text.as_bytes()[..text.len() / 2].to_vec(),
            vec![&name],
        ),
        ("empty", Vec::new(), vec![&name]),
    ];
    for (what, content, expected) in cases {
        let copy = with_replaced(
            dir,
            file,
            &content,
            &format!("{kind}-{}", what.replace(' ', "-")),
        );
        refused(&copy, &format!("{kind}: {what}"), &expected);
    }
}

/// Re-encodes the body `edit` made of partial `file` with a fresh fingerprint and digest, as
/// someone who knows the format would.
fn re_encoded<P: pimsim::shard::Partial>(file: &Path, edit: &dyn Fn(&mut Value)) -> Vec<u8> {
    let text = fs::read_to_string(file).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    edit(&mut v["body"]);
    let body: P = serde_json::from_value(v["body"].take()).expect("an edit that still parses");
    pimsim::shard::encode(&body).unwrap()
}

#[test]
fn tampered_run_partials_are_refused() {
    use pimsim::shard::run::RunPartial;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let scenario = repo("scenarios/heavy_machinery.toml");
    let files = shards(
        &["run", scenario.to_str().unwrap(), "--paths", "600"],
        2,
        &dir,
    );
    edits_in_place(&dir, &files, ("run", "sweep"));
    let cases: Vec<Edit> = vec![
        (
            "a policy removed",
            Box::new(|v| {
                v["totals"]["policies"].as_array_mut().unwrap().pop();
            }),
            "number of policies",
        ),
        (
            "a duplicated cost sample",
            Box::new(|v| {
                let s = v["totals"]["policies"][0]["total_sample"]["values"]
                    .as_array_mut()
                    .unwrap();
                let first = s[0].clone();
                s.push(first);
            }),
            "per-path sample",
        ),
        (
            "a year of demand cut",
            Box::new(|v| {
                v["totals"]["annual_units"].as_array_mut().unwrap().pop();
            }),
            "years of demand",
        ),
        (
            "the path count",
            Box::new(|v| v["totals"]["paths"] = Value::from(1000)),
            "path count",
        ),
        (
            "more cheaper paths than paths",
            Box::new(|v| v["totals"]["policies"][1]["cheaper"] = Value::from(100_000)),
            "exceed its paths",
        ),
        (
            "a time series cut",
            Box::new(|v| {
                v["totals"]["policies"][0]["cost_at_step"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            }),
            "time series",
        ),
    ];
    for (what, edit, expected) in &cases {
        let content = re_encoded::<RunPartial>(&files[1], edit.as_ref());
        let copy = with_replaced(&dir, &files[1], &content, &format!("run-redigested-{what}"));
        refused(&copy, what, &["partial-0001-of-0002.json", expected]);
    }
    // Counts that overflow when added: bad input, not an internal failure.
    let huge = |v: &mut Value| {
        v["totals"]["policies"][0]["units"]["demanded"] = Value::from(u64::MAX - 1);
    };
    let copy = with_replaced(
        &dir,
        &files[0],
        &re_encoded::<RunPartial>(&files[0], &huge),
        "run-overflow",
    );
    fs::write(
        copy.join(files[1].file_name().unwrap()),
        re_encoded::<RunPartial>(&files[1], &huge),
    )
    .unwrap();
    refused(&copy, "overflowing counts", &["cannot be added"]);
    // The untouched shards still merge.
    let out = pimsim()
        .arg("merge")
        .arg(&dir)
        .args(["--quiet", "--no-report", "--out"])
        .arg(tmp.path().join("ok"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn tampered_sweep_partials_are_refused() {
    use pimsim::shard::sweep::SweepPartial;
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("sweep");
    let scenario = repo("scenarios/sweep_release_vs_scrap.toml");
    let files = shards(
        &["sweep", scenario.to_str().unwrap(), "--paths", "60"],
        2,
        &dir,
    );
    edits_in_place(&dir, &files, ("sweep", "portfolio"));
    let cases: Vec<Edit> = vec![
        (
            "a unit's policy removed",
            Box::new(|v| {
                v["runs"][0]["totals"]["policies"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            }),
            "number of policies",
        ),
        (
            "a resolved level for a policy without retain = \"optimal\"",
            Box::new(|v| v["runs"][0]["retained"] = serde_json::json!([[0, 5]])),
            "which has no retain = \"optimal\"",
        ),
        (
            "a unit's path count",
            Box::new(|v| v["runs"][0]["totals"]["paths"] = Value::from(61)),
            "path count",
        ),
    ];
    for (what, edit, expected) in &cases {
        let content = re_encoded::<SweepPartial>(&files[1], edit.as_ref());
        let copy = with_replaced(
            &dir,
            &files[1],
            &content,
            &format!("sweep-redigested-{}", what.len()),
        );
        refused(&copy, what, &["partial-0001-of-0002.json", expected]);
    }
}

#[test]
fn tampered_portfolio_partials_are_refused() {
    use pimsim::shard::portfolio::PortfolioPartial;
    let tmp = tempfile::tempdir().unwrap();
    let parts = tmp.path().join("parts.csv");
    fs::write(
        &parts,
        "part,part.on_hand,demand.rate\nA,10,2\nB,40,5\nC,0,1\nD,25,3\n",
    )
    .unwrap();
    let dir = tmp.path().join("portfolio");
    let template = repo("scenarios/portfolio_template.toml");
    let files = shards(
        &[
            "portfolio",
            parts.to_str().unwrap(),
            "--template",
            template.to_str().unwrap(),
            "--paths",
            "40",
        ],
        2,
        &dir,
    );
    edits_in_place(&dir, &files, ("portfolio", "run"));
    let cases: Vec<Edit> = vec![
        (
            "a part's policy removed",
            Box::new(|v| {
                v["results"][0]["policies"].as_array_mut().unwrap().pop();
            }),
            "do not match the portfolio's policies",
        ),
        (
            "a part removed",
            Box::new(|v| {
                v["results"].as_array_mut().unwrap().pop();
            }),
            "does not match its contents",
        ),
        (
            "a policy renamed",
            Box::new(|v| v["results"][0]["policies"][0]["policy"] = Value::from("other")),
            "do not match the portfolio's policies",
        ),
    ];
    for (what, edit, expected) in &cases {
        let content = re_encoded::<PortfolioPartial>(&files[1], edit.as_ref());
        let copy = with_replaced(
            &dir,
            &files[1],
            &content,
            &format!("pf-redigested-{}", what.len()),
        );
        refused(&copy, what, &["partial-0001-of-0002.json", expected]);
    }
}
