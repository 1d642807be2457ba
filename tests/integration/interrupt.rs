//! Interrupting `pimsim run` with SIGINT or SIGTERM: it stops promptly, exits with 128 + the
//! signal's number, writes nothing, leaves no temporary file, and the earlier report in the
//! output directory stays byte for byte as it was.

#![cfg(unix)]

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};

fn pimsim() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin("pimsim"))
}

/// Names and contents of the files in `dir`.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Starts a run that would take hours, waits until it is simulating, sends `signal` and
/// returns (exit code, stderr, seconds from the signal to the exit).
fn interrupt_run(out: &Path, signal: &str) -> (Option<i32>, String, f64) {
    let args = [
        "run",
        "scenarios/heavy_machinery.toml",
        "--paths",
        "1000000000",
    ];
    let stopped = crate::common::interrupt(&args, out, signal);
    (stopped.code, stopped.stderr, stopped.seconds)
}

#[test]
fn sigterm_and_sigint_stop_a_run_and_keep_the_earlier_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report");
    let status = pimsim()
        .args([
            "run",
            "scenarios/heavy_machinery.toml",
            "--paths",
            "600",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let before = snapshot(&out);
    assert!(before.iter().any(|(n, _)| n == "summary.json"));

    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let (exit, err, seconds) = interrupt_run(&out, signal);
        assert_eq!(exit, Some(code), "SIG{signal}: {err}");
        assert!(
            err.contains(&format!("interrupted by SIG{signal}"))
                && err.contains("nothing was written"),
            "{err}"
        );
        // Byte-identical earlier report, and no temporary file.
        assert_eq!(snapshot(&out), before, "SIG{signal} changed the report");
        eprintln!("SIG{signal}: stopped {seconds:.3} s after the signal");
    }
}

#[test]
fn an_interrupted_first_run_leaves_no_directory_behind() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new-report");
    let (exit, err, _) = interrupt_run(&out, "TERM");
    assert_eq!(exit, Some(143), "{err}");
    // A folder that did not exist is said not to be created, not to be "as it was".
    assert!(
        err.contains("nothing was written") && err.contains("new-report was not created"),
        "{err}"
    );
    assert!(!err.contains("as it was"), "{err}");
    assert!(!out.exists(), "an empty output directory was left behind");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    // An empty directory given by the user stays empty (no marker left in it).
    let (exit, err, _) = interrupt_run(dir.path(), "INT");
    assert_eq!(exit, Some(130), "{err}");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
}
