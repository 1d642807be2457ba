//! Bad invocations: flags out of range, runs too large for the volumes, and output places that
//! cannot be used (each a clear message and exit code 2; an earlier report is kept).

use std::fs;
use std::path::Path;

use crate::bad_input::BASE;
use crate::common::pimsim;

/// Runs `pimsim` with `args`; returns (exit code, stderr).
fn pimsim_with(args: &[&str]) -> (Option<i32>, String) {
    let out = pimsim().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_flags_name_the_flag_and_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let out = out.to_str().unwrap();
    let base = ["run", "scenarios/benchmark.toml", "--quiet", "--out", out];
    for (extra, fragment) in [
        (
            &["--paths", "0"][..],
            "expected a whole number of paths in [1, 1000000000000]",
        ),
        (&["--paths", "1e4"], "expected a whole number of paths"),
        (&["--paths", "10000000000000"], "[1, 1000000000000]"),
        (&["--threads", "5000"], "worker threads in [0, 1024]"),
        (&["--threads=-1"], "--threads"),
        (&["--seed=-1"], "--seed"),
        (&["--seed", "18446744073709551616"], "--seed"),
        (&["--format", "xml"], "possible values: table, json, csv"),
        (&["--colour"], "unexpected argument '--colour'"),
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let (code, err) = pimsim_with(&args);
        assert_eq!(code, Some(2), "{extra:?}: {err}");
        assert!(err.contains(fragment), "{extra:?}: {err}");
        assert!(!Path::new(out).exists(), "{extra:?} wrote output");
    }
}

#[test]
fn too_many_paths_for_the_volumes_is_refused_before_running() {
    // 10^12 units in stock: the exact unit counters allow at most 10^6 paths.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("big.toml");
    fs::write(
        &file,
        BASE.replace("on_hand = 200", "on_hand = 1000000000000")
            .replace("shrinkage_rate = 0.01", "shrinkage_rate = 0"),
    )
    .unwrap();
    let out = dir.path().join("o");
    let (code, err) = pimsim_with(&[
        "run",
        file.to_str().unwrap(),
        "--paths",
        "2000000",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--paths = 2000000: too many paths for this scenario's volumes")
            && err.contains("at most"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn unusable_output_locations_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    // A path through a regular file (ENOTDIR): refused even for root.
    let file = dir.path().join("notes.txt");
    fs::write(&file, "precious").unwrap();
    let under = file.join("out");
    let (code, err) = pimsim_with(&[
        "run",
        "scenarios/benchmark.toml",
        "--paths",
        "300",
        "--quiet",
        "--out",
        under.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cannot create the directory") && err.contains("choose another --out"),
        "{err}"
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), "precious");
    // The output path is a file.
    let (code, err) = pimsim_with(&[
        "run",
        "scenarios/benchmark.toml",
        "--paths",
        "300",
        "--quiet",
        "--out",
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("exists and is not a directory"), "{err}");
    assert_eq!(fs::read_to_string(&file).unwrap(), "precious");
}

/// A directory listing: names and contents.
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

/// A small tmpfs mounted for a test, unmounted when dropped. `None` (with the reason printed)
/// where mounting is not possible (not root, no permission in a container).
struct Mount(std::path::PathBuf);

impl Mount {
    fn tmpfs(at: &Path, options: &str) -> Option<Mount> {
        fs::create_dir_all(at).unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", options, "tmpfs"])
            .arg(at)
            .stderr(std::process::Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => Some(Mount(at.to_path_buf())),
            _ => {
                eprintln!(
                    "skipped: cannot mount a tmpfs here (needs root outside a locked-down container)"
                );
                None
            }
        }
    }

    fn remount(&self, options: &str) {
        let ok = std::process::Command::new("mount")
            .args(["-o", &format!("remount,{options}")])
            .arg(&self.0)
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount {options}");
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

fn run_into(out: &Path, paths: &str) -> (Option<i32>, String) {
    pimsim_with(&[
        "run",
        "scenarios/benchmark.toml",
        "--paths",
        paths,
        "--quiet",
        "--no-report",
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn a_read_only_directory_gives_a_clear_error_and_keeps_the_earlier_report() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(&dir.path().join("ro"), "size=1m") else {
        return;
    };
    let out = mount.0.join("report");
    let (code, err) = run_into(&out, "300");
    assert_eq!(code, Some(0), "{err}");
    let before = snapshot(&out);
    mount.remount("ro");
    let (code, err) = run_into(&out, "400");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("Read-only file system")
            && err.contains("choose another --out")
            && err.contains("no earlier file was changed"),
        "{err}"
    );
    assert_eq!(snapshot(&out), before);
    // A fresh directory on a read-only file system.
    let (code, err) = run_into(&mount.0.join("new"), "300");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("cannot create a staging directory"), "{err}");
}

#[test]
fn a_full_disk_gives_a_clear_error_and_keeps_the_earlier_report() {
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(&dir.path().join("full"), "size=256k") else {
        return;
    };
    let out = mount.0.join("report");
    let (code, err) = run_into(&out, "300");
    assert_eq!(code, Some(0), "{err}");
    let before = snapshot(&out);
    // Fill the file system, leaving less room than one more report needs.
    let filler = mount.0.join("filler");
    let mut f = fs::File::create(&filler).unwrap();
    let block = vec![0u8; 4096];
    while std::io::Write::write_all(&mut f, &block).is_ok() {}
    drop(f);
    let (code, err) = run_into(&out, "400");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("No space left on device") && err.contains("no earlier file was changed"),
        "{err}"
    );
    assert_eq!(snapshot(&out), before, "the earlier report changed");
}

#[test]
fn a_mount_point_is_refused_as_an_output_directory() {
    // A mount point (a container's bind mount, a network share) cannot be swapped with a new
    // set: pimsim says so before it works, and writes into a directory inside it.
    let dir = tempfile::tempdir().unwrap();
    let Some(mount) = Mount::tmpfs(&dir.path().join("mnt"), "size=4m") else {
        return;
    };
    let (code, err) = run_into(&mount.0, "200");
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("is a mount point") && err.contains("inside it"),
        "{err}"
    );
    assert_eq!(fs::read_dir(&mount.0).unwrap().count(), 0);
    let (code, err) = run_into(&mount.0.join("results"), "200");
    assert_eq!(code, Some(0), "{err}");
}
