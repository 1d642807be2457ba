//! Shards: any split of a run into `--shard K/N` parts merges into exactly the single run's
//! results, and merge refuses parts that do not belong together.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use pimsim::engine::{self, RunSettings};
use pimsim::inventory::Plan;
use pimsim::scenario::Scenario;
use pimsim::shard::run::{self, RunPartial};
use pimsim::shard::{MergeError, Read, Shard, decode, encode};

const SCENARIO: &str = "scenarios/heavy_machinery.toml";

fn settings(seed: u64) -> RunSettings {
    RunSettings {
        paths: 2_500,
        seed,
        threads: 2,
    }
}

/// The partials of a split into `count` shards, each written and read back as merge reads it.
fn partials(seed: u64, count: u64) -> Vec<Read<RunPartial>> {
    let text = fs::read_to_string(SCENARIO).unwrap();
    let loaded = Scenario::from_toml(Path::new(SCENARIO), &text).unwrap();
    let plan = Plan::new(&loaded.scenario).unwrap();
    (0..count)
        .map(|index| {
            let shard = Shard { index, count };
            let never = AtomicBool::new(false);
            let part = run::run_shard(
                &loaded,
                &text,
                &plan,
                settings(seed),
                shard,
                &|_| {},
                &never,
            )
            .expect("an uncancelled shard completes");
            let bytes = encode(&part).unwrap();
            let file = PathBuf::from(shard.file_name());
            let read = decode::<RunPartial>(&file, std::str::from_utf8(&bytes).unwrap()).unwrap();
            assert_eq!(read.body, part, "a partial survives its file");
            read
        })
        .collect()
}

fn single_run_json(seed: u64) -> String {
    let loaded = Scenario::load(Path::new(SCENARIO)).unwrap();
    let plan = Plan::new(&loaded.scenario).unwrap();
    let summary = engine::run(&loaded.scenario, &plan, settings(seed), &|_| {});
    serde_json::to_string(&summary).unwrap()
}

#[test]
fn merged_shards_are_bit_identical_to_one_run_for_any_split() {
    let single = single_run_json(11);
    for count in [1, 2, 3, 7] {
        let mut parts = partials(11, count);
        // Order of the files must not matter either.
        parts.reverse();
        let merged = run::merge(parts).unwrap();
        assert_eq!(
            serde_json::to_string(&merged.summary).unwrap(),
            single,
            "N = {count}"
        );
    }
}

#[test]
fn merge_refuses_missing_duplicate_and_foreign_shards() {
    let mut parts = partials(11, 3);
    let removed = parts.remove(1);
    assert_eq!(
        run::merge(parts.clone()).unwrap_err(),
        MergeError::Missing {
            missing: vec![1],
            count: 3
        }
    );

    let mut doubled = parts.clone();
    doubled.push(removed.clone());
    doubled.push(removed.clone());
    assert!(matches!(
        run::merge(doubled).unwrap_err(),
        MergeError::Duplicate {
            index: 1,
            count: 3,
            ..
        }
    ));

    // Shard 1 of a run with another seed.
    let foreign = partials(12, 3).remove(1);
    let mut mixed = parts.clone();
    mixed.push(foreign);
    assert!(matches!(
        run::merge(mixed).unwrap_err(),
        MergeError::Foreign { .. }
    ));

    // Shard 1 of a split into 4 instead of 3.
    let other_split = partials(11, 4).remove(1);
    let mut mixed = parts.clone();
    mixed.push(other_split);
    assert!(matches!(
        run::merge(mixed).unwrap_err(),
        MergeError::Foreign { .. }
    ));

    assert_eq!(run::merge(Vec::new()).unwrap_err(), MergeError::Empty);
}

#[test]
fn cli_shards_from_the_scheduler_environment_merge_to_the_single_run_files() {
    let dir = tempfile::tempdir().unwrap();
    let shards = dir.path().join("shards");
    for (var, index) in [
        ("SLURM_ARRAY_TASK_ID", "0"),
        ("JOB_COMPLETION_INDEX", "1"),
        ("SLURM_ARRAY_TASK_ID", "2"),
    ] {
        crate::common::pimsim()
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("JOB_COMPLETION_INDEX")
            .env(var, index)
            .args([
                "run",
                SCENARIO,
                "--paths",
                "3000",
                "--shard-from-env",
                "--shards",
                "3",
                "--quiet",
                "--out",
            ])
            .arg(&shards)
            .assert()
            .success();
    }
    let merged = dir.path().join("merged");
    crate::common::pimsim()
        .arg("merge")
        .arg(&shards)
        .args(["--quiet", "--out"])
        .arg(&merged)
        .assert()
        .success();
    let single = dir.path().join("single");
    crate::common::pimsim()
        .args(["run", SCENARIO, "--paths", "3000", "--quiet", "--out"])
        .arg(&single)
        .assert()
        .success();
    for file in ["summary.json", "policies.csv", "timeseries.csv"] {
        assert_eq!(
            fs::read(merged.join(file)).unwrap(),
            fs::read(single.join(file)).unwrap(),
            "{file}"
        );
    }

    fs::remove_file(shards.join("partial-0001-of-0003.json")).unwrap();
    let out = crate::common::pimsim()
        .arg("merge")
        .arg(&shards)
        .args(["--out"])
        .arg(dir.path().join("incomplete"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot merge: missing shards [1] of 3"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.path().join("incomplete").join("summary.json").exists());
}

#[test]
fn a_bad_shard_is_a_flag_error() {
    for spec in ["3/3", "1/0", "a/2"] {
        let out = crate::common::pimsim()
            .args(["run", SCENARIO, "--shard", spec])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{spec}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("expected K/N with 0 ≤ K < N"));
    }
    let out = crate::common::pimsim()
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .args(["run", SCENARIO, "--shard-from-env", "--shards", "4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("SLURM_ARRAY_TASK_ID"));
}
