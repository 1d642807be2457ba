//! Hostile and unlucky input and output: special files, writes outside the place named,
//! interrupted and killed writes, resources. Each test asserts what a user needs: exit code 2
//! with a clear message, nothing written or the earlier set intact, no hang, no panic.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::common::pimsim;

/// The `pimsim` binary, for commands that need a timeout or a kill.
fn binary() -> PathBuf {
    assert_cmd::cargo::cargo_bin("pimsim")
}

/// Runs `cmd`, killing it and failing the test if it takes longer than `limit`.
#[track_caller]
fn output_within(mut cmd: Command, limit: Duration) -> Output {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("pimsim {cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.wait_with_output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Names and contents of the files in `dir` (sorted), or `None` when it does not exist.
fn snapshot(dir: &Path) -> Option<Vec<(String, Vec<u8>)>> {
    let entries = fs::read_dir(dir).ok()?;
    let mut files: Vec<_> = entries
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            (name, fs::read(e.path()).unwrap_or_default())
        })
        .collect();
    files.sort();
    Some(files)
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn mkfifo(path: &Path) -> bool {
    Command::new("mkfifo")
        .arg(path)
        .status()
        .is_ok_and(|s| s.success())
}

/// The repository's scenario `name`.
fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

const HISTORY_ONE_PART: &str = "part,period,quantity\nP1,2020-01,2\nP1,2020-02,0\nP1,2020-03,1\n\
P1,2020-05,3\nP1,2020-08,1\nP1,2020-09,2\nP1,2021-01,1\nP1,2021-04,2\n";

#[cfg(unix)]
#[test]
fn pipes_and_devices_as_input_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fifo = |name: &str| {
        let p = d.join(name);
        mkfifo(&p).then_some(p)
    };
    let (Some(scenario_pipe), Some(history_pipe), Some(parts_pipe), Some(partial_pipe)) = (
        fifo("s.toml"),
        fifo("h.csv"),
        fifo("p.csv"),
        fifo("partial-0000-of-0001.json"),
    ) else {
        eprintln!("mkfifo is not available; skipped");
        return;
    };
    let zero = d.join("zero.toml");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let template = scenario("portfolio_template.toml");
    let master = scenario("history/part_master.csv");
    let out = d.join("out");
    let cases: Vec<(Vec<&std::ffi::OsStr>, &str)> = vec![
        (
            vec!["run".as_ref(), scenario_pipe.as_os_str()],
            "named pipe",
        ),
        (
            vec!["check".as_ref(), scenario_pipe.as_os_str()],
            "named pipe",
        ),
        (
            vec!["sweep".as_ref(), scenario_pipe.as_os_str()],
            "named pipe",
        ),
        (
            vec!["optimize".as_ref(), scenario_pipe.as_os_str()],
            "named pipe",
        ),
        (vec!["run".as_ref(), zero.as_os_str()], "a device"),
        (vec!["fit".as_ref(), history_pipe.as_os_str()], "named pipe"),
        (
            vec![
                "portfolio".as_ref(),
                parts_pipe.as_os_str(),
                "--template".as_ref(),
                template.as_os_str(),
            ],
            "named pipe",
        ),
        (
            vec![
                "portfolio".as_ref(),
                master.as_os_str(),
                "--template".as_ref(),
                zero.as_os_str(),
            ],
            "a device",
        ),
        (
            vec!["merge".as_ref(), partial_pipe.as_os_str()],
            "named pipe",
        ),
        // A directory holding only a pipe named like a partial: the pipe is not opened.
        (
            vec!["merge".as_ref(), d.as_os_str()],
            "no partial results found",
        ),
    ];
    for (args, expected) in cases {
        let mut cmd = Command::new(binary());
        cmd.args(&args);
        if args[0] != "check" {
            cmd.arg("--out").arg(&out);
        }
        let result = output_within(cmd, Duration::from_secs(20));
        let err = stderr(&result);
        assert_eq!(result.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}

#[test]
fn outputs_never_land_outside_the_place_named() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::write(d.join("precious.txt"), "mine").unwrap();
    // A scenario file named `...toml`: its stem `..` must not make reports/.. the output.
    fs::copy(scenario("benchmark.toml"), d.join("...toml")).unwrap();
    let run = |cwd: &Path, args: &[&str]| {
        pimsim()
            .current_dir(cwd)
            .args(args)
            .args(["--paths", "200", "--no-report", "--quiet"])
            .output()
            .unwrap()
    };
    let out = run(d, &["run", "...toml"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(names(d), ["...toml", "precious.txt", "reports"]);
    assert_eq!(names(&d.join("reports")), ["scenario"]);

    let victim = d.join("victim");
    fs::create_dir(&victim).unwrap();
    fs::write(victim.join("thesis.tex"), "precious").unwrap();
    let before = snapshot(&victim);
    let bench = scenario("benchmark.toml");
    let bench = bench.to_str().unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&victim, d.join("link")).unwrap();
    // A marker-named file with other content, and a name that merely contains the marker's.
    let fake = d.join("fake");
    fs::create_dir(&fake).unwrap();
    fs::write(fake.join(".pimsim-output"), "I say so").unwrap();
    fs::write(fake.join("data.csv"), "1,2").unwrap();
    let sly = d.join("sly");
    fs::create_dir(&sly).unwrap();
    fs::write(sly.join("x.pimsim-output.y"), "").unwrap();
    fs::write(sly.join("data.csv"), "1,2").unwrap();
    for (out, expected) in [
        (
            "victim/new/..",
            "non-empty directory that pimsim did not create",
        ),
        ("link", "non-empty directory that pimsim did not create"),
        ("fake", "non-empty directory that pimsim did not create"),
        ("sly", "non-empty directory that pimsim did not create"),
        (".", "current directory"),
        ("precious.txt", "not a directory"),
    ] {
        if out == "link" && cfg!(not(unix)) {
            continue;
        }
        let result = run(d, &["run", bench, "--out", out]);
        let err = stderr(&result);
        assert_eq!(result.status.code(), Some(2), "--out {out}: {err}");
        assert!(err.contains(expected), "--out {out}: {err}");
    }
    assert_eq!(snapshot(&victim), before);
    assert!(!victim.join("new").exists());
    assert_eq!(fs::read(fake.join("data.csv")).unwrap(), b"1,2");
    assert_eq!(fs::read(d.join("precious.txt")).unwrap(), b"mine");
}

#[test]
fn fit_replaces_a_single_file_only_if_pimsim_wrote_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let history = d.join("h.csv");
    fs::write(&history, HISTORY_ONE_PART).unwrap();
    let target = d.join("part.toml");
    fs::write(&target, "# my own notes\n[demand]\nrate = 1\n").unwrap();
    let fit = |extra: &[&str]| {
        pimsim()
            .arg("fit")
            .arg(&history)
            .arg("--out")
            .arg(&target)
            .args(extra)
            .args(["--quiet"])
            .output()
            .unwrap()
    };
    let out = fit(&[]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(&target).unwrap(),
        "# my own notes\n[demand]\nrate = 1\n"
    );
    let out = fit(&["--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let written = fs::read_to_string(&target).unwrap();
    assert!(written.contains("fitted by pimsim fit"), "{written}");
    // pimsim's own file is replaced without --force.
    let out = fit(&["--origin", "end"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_ne!(fs::read_to_string(&target).unwrap(), written);
    assert_eq!(names(d), ["h.csv", "part.toml"]);
}

#[test]
fn a_new_set_replaces_the_old_one_whole() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let run = |args: &[&str]| {
        let r = pimsim()
            .args(args)
            .args(["--quiet", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(r.status.success(), "{args:?}: {}", stderr(&r));
    };
    let bench = scenario("benchmark.toml");
    let bench = bench.to_str().unwrap();
    run(&["run", bench, "--paths", "300"]);
    assert!(out.join("report.html").exists());
    // Without the report: the earlier report and charts go too.
    run(&["run", bench, "--paths", "300", "--no-report"]);
    assert_eq!(
        names(&out),
        [
            ".pimsim-output",
            "policies.csv",
            "summary.json",
            "timeseries.csv"
        ]
    );
    // A sweep into a run's folder: only the sweep's files remain.
    let sweep = scenario("sweep_release_vs_scrap.toml");
    run(&[
        "sweep",
        sweep.to_str().unwrap(),
        "--paths",
        "100",
        "--no-report",
    ]);
    assert_eq!(
        names(&out),
        [".pimsim-output", "sweep.csv", "sweep.json", "sweep_oat.csv"]
    );
    // Nothing is left beside it.
    assert_eq!(names(dir.path()), ["out"]);
}

/// A small deterministic generator for the kill schedule.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Runs `args` (writing into `out`) to completion and returns what it wrote.
fn complete_set(args: &[&std::ffi::OsStr], out: &Path) -> Vec<(String, Vec<u8>)> {
    let r = Command::new(binary())
        .args(args)
        .arg("--out")
        .arg(out)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", stderr(&r));
    snapshot(out).unwrap()
}

/// Kills two commands that write the same directory (`a` and `b`, giving different sets) at
/// random moments, alternately, `rounds` times: every time, the directory holds exactly one
/// complete set, nothing else is beside it once a later pimsim has written there, and no
/// temporary file is ever inside it.
#[cfg(unix)]
fn kill_while_writing(a: &[&std::ffi::OsStr], b: &[&std::ffi::OsStr], rounds: u32, seed: u64) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let reference_a = complete_set(a, &dir.path().join("ref-a"));
    let started = Instant::now();
    let reference_b = complete_set(b, &dir.path().join("ref-b"));
    let duration = started.elapsed().as_secs_f64();
    assert_ne!(reference_a, reference_b);
    fs::remove_dir_all(dir.path().join("ref-a")).unwrap();
    fs::remove_dir_all(dir.path().join("ref-b")).unwrap();
    assert_eq!(complete_set(a, &out), reference_a);
    let mut rng = Lcg(seed);
    let mut kills_seen = [0u32; 2];
    // Rounds killed while a new set was being staged beside the directory.
    let mut while_staging = 0;
    for round in 0..rounds {
        let next = if round % 2 == 0 { b } else { a };
        // Mostly near the end, where the files are rendered and put in place.
        let delay = duration * (0.3 + 0.9 * rng.next());
        let mut child = Command::new(binary())
            .args(next)
            .arg("--out")
            .arg(&out)
            .arg("--quiet")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_secs_f64(delay));
        let _ = child.kill();
        let status = child.wait().unwrap();
        kills_seen[usize::from(status.success())] += 1;
        while_staging += u32::from(names(dir.path()).len() > 1);
        let now = snapshot(&out).expect("the directory is never missing");
        assert!(
            now == reference_a || now == reference_b,
            "round {round}: a mixed or incomplete set: {:?}",
            now.iter().map(|(n, _)| n).collect::<Vec<_>>()
        );
    }
    // The next pimsim to write there removes what the killed ones left beside it.
    complete_set(a, &out);
    assert_eq!(names(dir.path()), ["out"]);
    eprintln!(
        "{rounds} rounds: {} killed before finishing ({while_staging} while staging the new \
         set), {} finished first",
        kills_seen[0], kills_seen[1]
    );
}

#[cfg(unix)]
#[test]
fn killing_run_at_random_moments_leaves_one_whole_set() {
    let bench = scenario("benchmark.toml");
    let a = [
        "run".as_ref(),
        bench.as_os_str(),
        "--paths".as_ref(),
        "300".as_ref(),
    ];
    let b = [
        "run".as_ref(),
        bench.as_os_str(),
        "--paths".as_ref(),
        "400".as_ref(),
    ];
    kill_while_writing(&a, &b, 24, 7);
}

#[cfg(unix)]
#[test]
fn killing_fit_at_random_moments_leaves_one_whole_set() {
    let history = scenario("history/history.csv");
    let a = ["fit".as_ref(), history.as_os_str()];
    let b = [
        "fit".as_ref(),
        history.as_os_str(),
        "--origin".as_ref(),
        "end".as_ref(),
    ];
    kill_while_writing(&a, &b, 16, 11);
}

#[test]
fn a_full_scan_too_large_is_refused_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(scenario("benchmark.toml")).unwrap();
    let big = text.replacen("on_hand = ", "on_hand = 1000000000 # was ", 1);
    assert_ne!(big, text, "the benchmark scenario sets part.on_hand");
    let file = dir.path().join("big.toml");
    fs::write(&file, big).unwrap();
    let mut cmd = Command::new(binary());
    cmd.arg("optimize")
        .arg(&file)
        .args(["--full-scan", "--paths", "100", "--out"])
        .arg(dir.path().join("out"));
    let out = output_within(cmd, Duration::from_secs(20));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--full-scan") && err.contains("100000"),
        "{err}"
    );
    assert!(!dir.path().join("out").exists());
}

#[cfg(unix)]
#[test]
fn part_scenarios_are_written_one_file_at_a_time() {
    // 300 parts under a limit of 64 open files: each part's scenario is written and closed.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fitted = d.join("fits");
    let r = pimsim()
        .arg("fit")
        .arg(scenario("history/history.csv"))
        .args(["--origin", "end", "--quiet", "--out"])
        .arg(&fitted)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", stderr(&r));
    let script = format!(
        "ulimit -n 64 && exec '{}' portfolio '{}' '{}' --template '{}' --paths 20 --quiet \
         --no-report --out '{}' --scenarios '{}' --threads 2",
        binary().display(),
        fitted.join("parts.csv").display(),
        scenario("history/part_master.csv").display(),
        scenario("portfolio_template.toml").display(),
        d.join("out").display(),
        d.join("parts").display(),
    );
    let mut cmd = Command::new("sh");
    cmd.args(["-c", &script]);
    let out = output_within(cmd, Duration::from_secs(120));
    assert!(out.status.success(), "{}", stderr(&out));
    let written = names(&d.join("parts"));
    assert_eq!(written.len(), 301, "300 parts and the marker");
}

#[test]
fn names_from_the_input_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(scenario("benchmark.toml")).unwrap();
    let hostile = text
        .replace(
            "name = \"benchmark\"",
            "name = \"\\u001b]0;owned\\u0007\\u001b[2J\"",
        )
        .replace("name = \"hold\"", "name = \"\\u001b[31mhold\"");
    assert_ne!(hostile, text);
    let file = dir.path().join("esc.toml");
    fs::write(&file, hostile).unwrap();
    let out = pimsim()
        .arg("run")
        .arg(&file)
        .args(["--paths", "200", "--no-report", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let table = String::from_utf8(out.stdout.clone()).unwrap();
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table}"
    );
    assert!(table.contains("\\u{1b}]0;owned\\u{7}"), "{table}");
    assert!(!stderr(&out).contains('\u{1b}'));
    // Data formats keep the raw bytes when they go to a file or pipe.
    let csv = pimsim()
        .arg("run")
        .arg(&file)
        .args([
            "--paths",
            "200",
            "--no-report",
            "--format",
            "csv",
            "--quiet",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(String::from_utf8(csv.stdout).unwrap().contains('\u{1b}'));
}

#[test]
fn a_name_too_long_to_repeat_on_every_row_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(scenario("benchmark.toml")).unwrap();
    let long = "x".repeat(pimsim::scenario::MAX_NAME_CHARS + 1);
    let file = dir.path().join("long.toml");
    fs::write(
        &file,
        text.replacen("name = \"", &format!("name = \"{long}"), 1),
    )
    .unwrap();
    let out = pimsim().arg("check").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("long.toml:") && err.contains("at most 200 characters"),
        "{err}"
    );
}
