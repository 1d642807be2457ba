//! Sweep shards: `pimsim sweep --shard K/N` (and `run` of a file with [sweep]) cut a sweep into
//! slices of whole runs; `pimsim merge` of the N partials writes the files of a single
//! `pimsim sweep` byte for byte, for any N (also N larger than the number of runs) and any
//! thread count, and refuses partials that do not belong together.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn pimsim() -> Command {
    let mut c = crate::common::pimsim();
    c.env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("JOB_COMPLETION_INDEX");
    c
}

/// A small scenario; `{retain}` and `{seed}` are filled in, `{sweep}` is appended.
const TEMPLATE: &str = r#"
[scenario]
horizon_years = 6
discount_rate = 0.05

[simulation]
paths = 300
seed = {seed}

[part]
unit_cost = 100.0
on_hand = 40

[demand]
model = "exponential"
rate = 5.0
half_life_years = 3.0

[costs]
holding_rate = 0.2
salvage_value = 5.0
shortage_penalty = 400.0

[replenishment]
reorder_point = 1
order_up_to = 4

[[partner]]
name = "dealer one"
release_price = 20.0
buyback_price = 120.0
reliability = 0.8

[[policy]]
name = "hold"
kind = "hold"

[[policy]]
name = "scrap"
kind = "scrap"
retain = {retain}

[[policy]]
name = "release"
kind = "partner_release"
retain = 6
"#;

/// 2 × 2 grid points, then the base and 4 one-at-a-time runs: 9 runs.
const OAT_GRID: &str = r#"
[sweep]
"demand.rate" = [3.0, 9.0]
policy.scrap.retain = [4, 20]
"#;

/// 2 points, then the base and 2 one-at-a-time runs: 5 runs, each resolving "optimal".
const OPTIMAL: &str = r#"
[sweep]
"demand.rate" = [2.0, 12.0]
"#;

fn write(dir: &Path, name: &str, retain: &str, seed: u64, sweep: &str) -> PathBuf {
    let path = dir.join(name);
    let text = TEMPLATE
        .replace("{retain}", retain)
        .replace("{seed}", &seed.to_string())
        + sweep;
    fs::write(&path, text).unwrap();
    path
}

/// Runs pimsim with `args`; panics with its standard error unless it succeeds.
#[track_caller]
fn ok(args: &[&std::ffi::OsStr]) {
    let output = pimsim().args(args).output().unwrap();
    assert!(
        output.status.success(),
        "pimsim {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Runs pimsim with `args`; asserts exit code 2 and returns its standard error.
#[track_caller]
fn refused(args: &[&std::ffi::OsStr]) -> String {
    let output = pimsim().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(2), "pimsim {args:?}: {err}");
    err
}

fn os(s: &str) -> &std::ffi::OsStr {
    s.as_ref()
}

/// `pimsim sweep FILES --out OUT` on one machine, `extra` flags added.
fn single_sweep(files: &[&Path], out: &Path, extra: &[&str]) {
    let mut args: Vec<&std::ffi::OsStr> = vec![os("sweep")];
    args.extend(files.iter().map(|f| f.as_os_str()));
    args.extend([
        os("--quiet"),
        os("--threads"),
        os("2"),
        os("--out"),
        out.as_os_str(),
    ]);
    args.extend(extra.iter().map(|s| os(s)));
    ok(&args);
}

/// Shards `0..count` of `command FILES` into `shards`, alternating 1 and 2 threads.
fn shard_all(command: &str, files: &[&Path], count: u64, shards: &Path) {
    for k in 0..count {
        let spec = format!("{k}/{count}");
        let threads = if k % 2 == 0 { "1" } else { "2" };
        let mut args: Vec<&std::ffi::OsStr> = vec![os(command)];
        args.extend(files.iter().map(|f| f.as_os_str()));
        args.extend([os("--shard"), os(&spec), os("--threads"), os(threads)]);
        args.extend([os("--quiet"), os("--out"), shards.as_os_str()]);
        ok(&args);
    }
}

fn merge(inputs: &[&Path], out: &Path, extra: &[&str]) {
    let mut args: Vec<&std::ffi::OsStr> = vec![os("merge")];
    args.extend(inputs.iter().map(|f| f.as_os_str()));
    args.extend([os("--quiet"), os("--out"), out.as_os_str()]);
    args.extend(extra.iter().map(|s| os(s)));
    ok(&args);
}

/// Asserts that `a` and `b` hold the same files with the same bytes.
#[track_caller]
fn same_files(a: &Path, b: &Path) {
    let names = |d: &Path| {
        let mut v: Vec<String> = fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let files = names(a);
    assert_eq!(files, names(b), "{} vs {}", a.display(), b.display());
    assert!(files.contains(&"sweep.csv".to_string()), "{files:?}");
    for f in files {
        assert!(
            fs::read(a.join(&f)).unwrap() == fs::read(b.join(&f)).unwrap(),
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn sharded_sweeps_merge_to_the_bytes_of_one_sweep_for_any_split() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let oat = write(d, "oat.toml", "60", 11, OAT_GRID);
    let optimal = write(d, "optimal.toml", "\"optimal\"", 11, OPTIMAL);
    for (file, runs) in [(&oat, 9), (&optimal, 5)] {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let single = d.join(format!("{stem}-single"));
        single_sweep(&[file], &single, &[]);
        let oat_rows = fs::read_to_string(single.join("sweep_oat.csv")).unwrap();
        assert!(oat_rows.lines().count() > 1, "{stem}: one-at-a-time runs");
        for count in [1u64, 2, 3, 7] {
            let shards = d.join(format!("{stem}-shards-{count}"));
            shard_all("sweep", &[file], count, &shards);
            let partials = fs::read_dir(&shards)
                .unwrap()
                .filter(|e| {
                    let name = e.as_ref().unwrap().file_name();
                    name.to_string_lossy().starts_with("partial-")
                })
                .count();
            assert_eq!(partials as u64, count);
            let merged = d.join(format!("{stem}-merged-{count}"));
            merge(&[&shards], &merged, &[]);
            // Every file: sweep.csv, sweep_oat.csv, sweep.json, report.html and the charts.
            same_files(&single, &merged);
            if count > runs {
                // Shards without a run (0 and 3 of 7 for 5 runs) exist, and merge fine.
                let empty = fs::read_to_string(shards.join("partial-0000-of-0007.json")).unwrap();
                assert!(
                    empty.contains("\"runs\":[]"),
                    "{stem}: shard 0 of 7 is empty"
                );
            }
        }
    }
}

#[test]
fn several_files_shard_as_one_list_of_runs_and_run_shards_a_sweep_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = write(d, "a.toml", "60", 11, OAT_GRID);
    let b = write(d, "b.toml", "\"optimal\"", 5, OPTIMAL);
    let single = d.join("single");
    single_sweep(&[&a, &b], &single, &["--no-report"]);
    // 14 runs over 4 shards: shard 1 holds the end of a.toml's runs and the start of b.toml's.
    let shards = d.join("shards");
    shard_all("sweep", &[&a, &b], 4, &shards);
    let merged = d.join("merged");
    merge(&[&shards], &merged, &["--no-report"]);
    same_files(&single, &merged);

    // `run` of a file with [sweep] shards its sweep, and the merge prints sweep.csv.
    let single = d.join("single-a");
    single_sweep(&[&a], &single, &["--no-report"]);
    let run_shards = d.join("run-shards");
    shard_all("run", &[&a], 3, &run_shards);
    let merged = d.join("merged-a");
    let output = pimsim()
        .arg("merge")
        .arg(&run_shards)
        .args(["--no-report", "--format", "csv", "--out"])
        .arg(&merged)
        .output()
        .unwrap();
    assert!(output.status.success());
    same_files(&single, &merged);
    assert_eq!(
        output.stdout,
        fs::read(single.join("sweep.csv")).unwrap(),
        "--format csv prints sweep.csv"
    );
}

#[test]
fn sweep_shards_from_the_scheduler_environment() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = write(d, "env.toml", "60", 11, OAT_GRID);
    let shards = d.join("shards");
    for (var, k) in [("SLURM_ARRAY_TASK_ID", "0"), ("JOB_COMPLETION_INDEX", "1")] {
        pimsim()
            .env(var, k)
            .env("SLURM_ARRAY_TASK_COUNT", "2")
            .arg("sweep")
            .arg(&file)
            .args(["--shard-from-env", "--quiet", "--no-report", "--out"])
            .arg(&shards)
            .assert()
            .success();
    }
    let merged = d.join("merged");
    merge(&[&shards], &merged, &["--no-report"]);
    let single = d.join("single");
    single_sweep(&[&file], &single, &["--no-report"]);
    same_files(&single, &merged);
}

#[test]
fn merge_refuses_missing_duplicate_foreign_and_mixed_partials() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = write(d, "s.toml", "60", 11, OAT_GRID);
    let shards = d.join("shards");
    shard_all("sweep", &[&file], 3, &shards);
    let out = d.join("out");
    let merge_args = |inputs: &[&Path]| -> String {
        let mut args: Vec<&std::ffi::OsStr> = vec![os("merge")];
        args.extend(inputs.iter().map(|f| f.as_os_str()));
        args.extend([os("--out"), out.as_os_str()]);
        refused(&args)
    };
    let part = |k: u64| shards.join(format!("partial-{k:04}-of-0003.json"));

    // Missing.
    let (p0, p1, p2) = (part(0), part(1), part(2));
    let err = merge_args(&[&p0, &p2]);
    assert!(
        err.contains("cannot merge: missing shards [1] of 3"),
        "{err}"
    );
    // Duplicate.
    let err = merge_args(&[&shards, &p1]);
    assert!(err.contains("shard 1 of 3 is given twice"), "{err}");
    // Foreign: shard 1 of the same sweep with another seed.
    let other = d.join("other");
    let spec = "1/3";
    ok(&[
        os("sweep"),
        file.as_os_str(),
        os("--seed"),
        os("12"),
        os("--shard"),
        os(spec),
        os("--quiet"),
        os("--out"),
        other.as_os_str(),
    ]);
    let foreign = other.join("partial-0001-of-0003.json");
    let err = merge_args(&[&p0, &foreign, &p2]);
    assert!(err.contains("belongs to another"), "{err}");
    // Edited: shard 2 pretending to be shard 1.
    let forged = d.join("forged.json");
    let text = fs::read_to_string(&p2).unwrap();
    fs::write(
        &forged,
        text.replace("\"index\":2", "\"index\":1")
            .replace("partial-0002", "partial-0001"),
    )
    .unwrap();
    let err = merge_args(&[&p0, &forged, &p2]);
    assert!(err.contains("does not match its contents"), "{err}");
    // Mixed kinds: a run's partial among a sweep's.
    let run_shards = d.join("run-shards");
    ok(&[
        os("run"),
        os("scenarios/heavy_machinery.toml"),
        os("--paths"),
        os("300"),
        os("--shard"),
        os("1/3"),
        os("--quiet"),
        os("--out"),
        run_shards.as_os_str(),
    ]);
    let run_part = run_shards.join("partial-0001-of-0003.json");
    let err = merge_args(&[&p0, &run_part, &p2]);
    assert!(
        err.contains("is a partial result of `pimsim run --shard` but")
            && err.contains("is one of `pimsim sweep --shard`"),
        "{err}"
    );
    let err = merge_args(&[&run_part, &p0]);
    assert!(err.contains("`pimsim sweep --shard` but"), "{err}");
    // An unknown kind.
    let unknown = d.join("unknown.json");
    fs::write(
        &unknown,
        text.replace("\"kind\":\"sweep\"", "\"kind\":\"poll\""),
    )
    .unwrap();
    let err = merge_args(&[&unknown]);
    assert!(err.contains("kind \"poll\""), "{err}");
    assert!(!out.exists(), "a refused merge wrote {}", out.display());
}

#[test]
fn an_interrupted_sweep_shard_writes_nothing_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("never");
    let args = [
        "sweep",
        "scenarios/sweep_release_vs_scrap.toml",
        "--paths",
        "1000000000",
        "--shard",
        "1/2",
    ];
    let stopped = crate::common::interrupt(&args, &out, "INT");
    assert_eq!(stopped.code, Some(130));
    let err = &stopped.stderr;
    assert!(err.contains("nothing was written"), "{err}");
    assert!(!out.exists(), "the output directory was made");
}
