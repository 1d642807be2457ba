//! Helpers shared by the integration tests.

use std::path::Path;

/// The `pimsim` binary under test, as a command to add arguments to.
pub fn pimsim() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("pimsim").expect("the pimsim binary is built")
}

use pimsim::demand::{DemandGenerator, DemandPath};
use pimsim::inventory::{PathOutcome, Plan, PolicySimulator};
use pimsim::rng::StreamFactory;
use pimsim::scenario::Scenario;

/// A validated scenario from TOML text; panics with every problem if it is invalid.
pub fn scenario(text: &str) -> Scenario {
    match Scenario::from_toml(Path::new("test.toml"), text) {
        Ok(loaded) => loaded.scenario,
        Err(e) => panic!("invalid test scenario:\n{e}"),
    }
}

/// Runs every policy of `scenario` on paths `0..paths` and returns the outcomes per policy.
pub fn outcomes(scenario: &Scenario, paths: u64, seed: u64) -> Vec<Vec<PathOutcome>> {
    let plan = Plan::new(scenario).expect("plan");
    let generator = DemandGenerator::new(&scenario.demand, scenario.horizon_years, plan.discount);
    let streams = StreamFactory::new(seed);
    let mut path = DemandPath::default();
    let mut sim = PolicySimulator::new();
    let mut result = vec![Vec::with_capacity(paths as usize); plan.policies.len()];
    for k in 0..paths {
        generator.generate(&streams, k, &mut path);
        for (i, p) in plan.policies.iter().enumerate() {
            let mut out = PathOutcome::default();
            sim.simulate(&plan, p, &streams, k, &path, &mut out);
            result[i].push(out);
        }
    }
    result
}

/// Sample mean and standard error of the mean.
pub fn mean_se(values: impl IntoIterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = values.into_iter().collect();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Asserts that a simulated mean is within `k` standard errors of the exact value (and, when the
/// standard error is zero, equal up to rounding).
#[track_caller]
pub fn assert_within_se(what: &str, (mean, se): (f64, f64), exact: f64, k: f64) {
    let tolerance = (k * se).max(1e-9 * exact.abs().max(1.0));
    assert!(
        (mean - exact).abs() <= tolerance,
        "{what}: simulated {mean} ± {se} (s.e.), exact {exact}, off by {:.2} s.e.",
        (mean - exact).abs() / se
    );
}

/// Poisson probabilities P(N = 0..=k_max) for mean `mu`.
pub fn poisson_pmf(mu: f64, k_max: usize) -> Vec<f64> {
    let mut p = Vec::with_capacity(k_max + 1);
    let mut term = (-mu).exp();
    for k in 0..=k_max {
        if k > 0 {
            term *= mu / k as f64;
        }
        p.push(term);
    }
    p
}

/// `∫ₐᵇ f` by composite Simpson's rule with `n` (even) intervals.
pub fn simpson(f: impl Fn(f64) -> f64, a: f64, b: f64, n: usize) -> f64 {
    let h = (b - a) / n as f64;
    let mut s = f(a) + f(b);
    for i in 1..n {
        let w = if i % 2 == 1 { 4.0 } else { 2.0 };
        s += w * f(a + i as f64 * h);
    }
    s * h / 3.0
}

/// What an interrupted `pimsim` reported: its exit code, its standard error, and the seconds
/// from the signal to its exit.
#[cfg(unix)]
pub struct Interrupted {
    pub code: Option<i32>,
    pub stderr: String,
    pub seconds: f64,
}

/// Starts `pimsim ARGS... --quiet --out OUT` (a job that would take hours), waits until it is
/// simulating (0.3 s of CPU time, at most 5 s), checks it is still running, sends `signal`
/// (`INT`, `TERM`) and waits for it to end (panics after 60 s: a prompt stop takes
/// milliseconds, one that ignored the signal hours).
#[cfg(unix)]
pub fn interrupt(args: &[&str], out: &Path, signal: &str) -> Interrupted {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("pimsim"))
        .args(args)
        .args(["--quiet", "--out"])
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let stat = format!("/proc/{}/stat", child.id());
    while started.elapsed() < Duration::from_secs(5) {
        // utime is field 14 of the whole line, 12 after the command name.
        let ticks = std::fs::read_to_string(&stat)
            .ok()
            .and_then(|s| {
                let tail = s.rsplit(')').next()?.to_string();
                tail.split_whitespace().nth(11)?.parse::<u64>().ok()
            })
            .unwrap_or(0);
        if ticks >= 30 {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "pimsim {args:?} ended before it was interrupted"
    );
    let sent = Instant::now();
    let ok = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    assert!(ok, "kill -{signal}");
    while child.try_wait().unwrap().is_none() {
        if sent.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("pimsim {args:?} did not stop within 60 s of {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let seconds = sent.elapsed().as_secs_f64();
    let output = child.wait_with_output().unwrap();
    Interrupted {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        seconds,
    }
}

/// A report page or SVG read back as XML; panics with the reason when it is not well-formed.
pub fn parse_xml(text: &str) -> roxmltree::Document<'_> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("not well-formed: {e}"))
}

/// All text inside `node` as a reader sees it (runs of white space as one space).
pub fn text_of(node: roxmltree::Node<'_, '_>) -> String {
    let text: String = node
        .descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of every `<text>` element of an SVG.
pub fn svg_texts(svg: roxmltree::Node<'_, '_>) -> Vec<String> {
    svg.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or_default().trim().to_string())
        .collect()
}
