//! Golden results: the exact bits of a small run of the benchmark scenario. Users reproduce
//! published figures from (scenario, seed, paths); any change to these numbers is a change of
//! results and must be deliberate (update the values and say why in the commit).

use std::path::Path;

use pimsim::engine::{self, RunSettings};
use pimsim::inventory::Plan;
use pimsim::scenario::Scenario;

#[test]
fn benchmark_scenario_results_are_pinned() {
    let loaded = Scenario::load(Path::new("scenarios/benchmark.toml")).unwrap();
    let plan = Plan::new(&loaded.scenario).unwrap();
    let summary = engine::run(
        &loaded.scenario,
        &plan,
        RunSettings {
            paths: 2000,
            seed: 1,
            threads: 2,
        },
        &|_| {},
    );
    let means: Vec<(String, f64, f64)> = summary
        .policies
        .iter()
        .map(|p| (p.name.clone(), p.total_cost.mean, p.units.counts.demanded))
        .collect();
    let pinned: Vec<(&str, f64, f64)> = PINNED.to_vec();
    assert_eq!(
        means
            .iter()
            .map(|(n, c, d)| (n.as_str(), *c, *d))
            .collect::<Vec<_>>(),
        pinned,
        "results changed: {means:?}"
    );
    // The plain means are the averages over paths they always were: the control variates
    // change only the adjusted figures.
    let plain: Vec<(&str, f64)> = summary
        .policies
        .iter()
        .map(|p| (p.name.as_str(), p.total_cost.plain.mean))
        .collect();
    assert_eq!(plain, PINNED_PLAIN.to_vec(), "plain results changed");
}

/// Control-variate means (`total_cost.mean`) and mean units demanded.
const PINNED: [(&str, f64, f64); 3] = [
    ("hold", 27942.598687421807, 294.31),
    ("scrap-60", 93348.91639595761, 294.31),
    ("release-60", 75472.20891342968, 294.31),
];

/// Plain means (`total_cost.plain.mean`): the figures pinned before control variates.
const PINNED_PLAIN: [(&str, f64); 3] = [
    ("hold", 28020.97811278965),
    ("scrap-60", 93421.73848268331),
    ("release-60", 75524.86735859272),
];

/// The files whose bytes `tests/golden/digests.txt` pins: the data files of `run` on the
/// bundled scenarios and the two golden scenarios of `tests/golden/` (which between them draw
/// from every sampler: exponential, normal, gamma with shape below and above 1, Poisson by
/// both methods, negative binomial, binomial thinning; and use every elementary function:
/// discounting, escalation, Panjer, quantiles, the installed-base integral), and of `fit` on
/// the bundled history.
///
/// Their numbers are computed with fixed-bit arithmetic only (src/elementary.rs,
/// src/sampling/), so the digests must not depend on the C library: `.ci/libm-independence`
/// runs this test with every libm function the process could call perturbed by one ulp
/// (LD_PRELOAD), and it must still pass. A deliberate change of results updates the file:
/// `PIMSIM_UPDATE_DOCS=1 cargo test --release --test integration golden` (say why in the
/// commit). pimsim's version is inside summary.json, so a version bump updates it too.
const DIGESTS: &str = "tests/golden/digests.txt";

fn golden_outputs() -> Vec<(String, Vec<u8>)> {
    use crate::common::pimsim;
    let dir = tempfile_dir();
    let mut files = Vec::new();
    let runs = [
        "scenarios/benchmark.toml",
        "scenarios/heavy_machinery.toml",
        "scenarios/multi_partner.toml",
        "scenarios/electronics_obsolescence.toml",
        "tests/golden/every_sampler_a.toml",
        "tests/golden/every_sampler_b.toml",
    ];
    for scenario in runs {
        let stem = Path::new(scenario).file_stem().unwrap().to_str().unwrap();
        let out = dir.join(stem);
        pimsim()
            .args([
                "run",
                scenario,
                "--paths",
                "1500",
                "--seed",
                "3",
                "--threads",
                "2",
            ])
            .args(["--no-report", "--quiet", "--out"])
            .arg(&out)
            .assert()
            .success();
        for name in ["summary.json", "policies.csv", "timeseries.csv"] {
            files.push((
                format!("run {stem}/{name}"),
                std::fs::read(out.join(name)).unwrap(),
            ));
        }
    }
    let out = dir.join("fit");
    pimsim()
        .args([
            "fit",
            "scenarios/history/history.csv",
            "--origin",
            "end",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        // Data files only: the charts' pixels may go through the platform's math (plotters).
        .filter(|n| {
            [".csv", ".toml", ".json"]
                .iter()
                .any(|ext| n.ends_with(ext))
        })
        .collect();
    names.sort();
    // The per-part scenario files as one entry (name and bytes of each, in name order).
    let mut scenarios = Vec::new();
    let mut count = 0;
    for name in names {
        let bytes = std::fs::read(out.join(&name)).unwrap();
        if name.ends_with(".toml") {
            scenarios.extend_from_slice(name.as_bytes());
            scenarios.push(0);
            scenarios.extend_from_slice(&bytes);
            count += 1;
        } else {
            files.push((format!("fit {name}"), bytes));
        }
    }
    files.push((format!("fit <part>.toml ({count} files)"), scenarios));
    std::fs::remove_dir_all(&dir).unwrap();
    files
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("pimsim-golden-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn output_bytes_are_pinned_independently_of_the_c_library() {
    use sha2::{Digest, Sha256};
    let mut text = String::from(
        "# SHA-256 of pimsim's data files on fixed inputs (tests/integration/golden.rs).\n",
    );
    for (name, bytes) in golden_outputs() {
        let digest: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        text += &format!("{digest}  {name}\n");
    }
    if std::env::var_os("PIMSIM_UPDATE_DOCS").is_some() {
        std::fs::write(DIGESTS, &text).unwrap();
        return;
    }
    let pinned = std::fs::read_to_string(DIGESTS).unwrap_or_default();
    if pinned != text {
        let changed: Vec<&str> = text
            .lines()
            .filter(|l| !pinned.lines().any(|p| p == *l))
            .collect();
        panic!(
            "results changed in {changed:#?}; if deliberate: PIMSIM_UPDATE_DOCS=1 cargo test \
             --release --test integration golden"
        );
    }
}

/// Under `.ci/libm-independence` (PIMSIM_PERTURBED_LIBM=1) the C library's functions must
/// really be perturbed, or the golden test above would prove nothing.
#[test]
fn the_perturbation_of_the_c_library_is_in_effect_when_announced() {
    if std::env::var_os("PIMSIM_PERTURBED_LIBM").is_none() {
        return;
    }
    let x = std::hint::black_box(0.7_f64);
    assert_ne!(x.exp(), pimsim::elementary::exp(x), "exp not perturbed");
    assert_ne!(x.ln(), pimsim::elementary::ln(x), "ln not perturbed");
    assert_ne!(
        x.powf(1.3),
        pimsim::elementary::pow(x, 1.3),
        "pow not perturbed"
    );
}
