//! Structure-aware fuzzing of the scenario reader and validator (proptest over mutated TOML).
//!
//! Each case takes a valid scenario (the bundled ones and the bad-input base) and applies a few
//! mutations: a value replaced by an extreme, ill-typed or nonsense one, a key renamed, a line
//! deleted, duplicated, moved or inserted (table headers, whole tables), random characters
//! spliced in, the text truncated. Properties:
//!
//! - reading never panics;
//! - a rejected file yields at least one error, and every problem names a key and a line and
//!   column ≥ 1 (also for syntax errors);
//! - an accepted file builds its plan, and when it is small enough to simulate quickly, a run
//!   of a few paths gives outputs whose every number is finite.
//!
//! CI runs a fixed, short campaign. A long one is run by hand, e.g.
//! `PIMSIM_FUZZ_CASES=200000 PIMSIM_FUZZ_SEED=$RANDOM cargo test --release --test integration
//! fuzz::`; docs/reliability.md records the campaigns and their findings.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

use pimsim::engine::{self, RunSettings};
use pimsim::error::{InputError, Severity};
use pimsim::inventory::Plan;
use pimsim::output;
use pimsim::retention::RetainRule;
use pimsim::scenario::Scenario;

const SEEDS: &[&str] = &[
    include_str!("../../scenarios/benchmark.toml"),
    include_str!("../../scenarios/heavy_machinery.toml"),
    include_str!("../../scenarios/electronics_obsolescence.toml"),
    include_str!("../../scenarios/multi_partner.toml"),
    crate::bad_input::BASE,
];

/// Values that probe types, ranges and parsing.
const VALUES: &[&str] = &[
    "-1",
    "0",
    "1",
    "2",
    "0.5",
    "1.0",
    "10",
    "20",
    "1000",
    "1e6",
    "1e-9",
    "0.999999",
    "-0.999",
    "1e308",
    "-1e308",
    "1e-308",
    "5e-324",
    "1e-320",
    "nan",
    "inf",
    "-inf",
    "+inf",
    "999999999999",
    "1000000000001",
    "9223372036854775807",
    "-9223372036854775808",
    "0x7fffffffffffffff",
    "0o777",
    "0b101",
    "1_000",
    "\"x\"",
    "\"\"",
    "\"hold\"",
    "\"scrap\"",
    "\"partner_release\"",
    "\"optimal\"",
    "\"table\"",
    "\"installed_base\"",
    "\"linear\"",
    "\"constant\"",
    "\"exponential\"",
    "\"backorder\"",
    "\"lost\"",
    "\"negative_binomial\"",
    "\"geometric\"",
    "\"poisson\"",
    "\"one\"",
    "true",
    "false",
    "[]",
    "[1, 2]",
    "[0.5, 0.5]",
    "[1e308, 0]",
    "[\"a\"]",
    "[[1]]",
    "{}",
    "{ cover_years = 1 }",
    "{ cover_years = 1e308 }",
    "{ quantile = 0.5 }",
    "{ quantile = 0.999999999 }",
    "{ reorder_point = 5 }",
    "{ order_up_to = 1000000000000 }",
    "1979-05-27",
    "1979-05-27T07:32:00Z",
    "07:32:00",
];

/// Keys of the scenario format, and a few near misses.
const KEYS: &[&str] = &[
    "name",
    "description",
    "horizon_years",
    "discount_rate",
    "paths",
    "seed",
    "step_years",
    "unit_cost",
    "on_hand",
    "last_time_buy",
    "last_time_buy_cost",
    "sale_price",
    "model",
    "rate",
    "half_life_years",
    "decay_rate",
    "end_years",
    "units_in_field",
    "retirement_scale_years",
    "retirement_shape",
    "failure_rate",
    "failure_growth",
    "rates",
    "distribution",
    "mean",
    "dispersion",
    "pmf",
    "rate_cv",
    "annual_probability",
    "shrinkage_rate",
    "holding_rate",
    "salvage_value",
    "shortage_penalty",
    "unmet_demand",
    "backorder_cost_per_year",
    "capital",
    "storage",
    "reorder_point",
    "order_up_to",
    "enabled",
    "setup_cost",
    "cost_escalation",
    "lead_time_years",
    "available_until_years",
    "min_batch",
    "batch_cover_years",
    "share",
    "release_price",
    "buyback_price",
    "reliability",
    "response_days",
    "attrition_rate",
    "order_fee",
    "kind",
    "at_years",
    "retain",
    "review_every_years",
    "replenishment",
    "horizon",
    "rtae",
    "\"quoted key\"",
    "a.b",
];

/// Lines and blocks to insert.
const LINES: &[&str] = &[
    "[sweep]",
    "[scenario]",
    "[demand]",
    "[demand.uncertainty]",
    "[demand.obsolescence]",
    "[demand.order_size]",
    "[costs.holding]",
    "[stock]",
    "[remanufacture]",
    "[replenishment]",
    "[report]",
    "[simulation]",
    "[[policy]]",
    "[[partner]]",
    "[[policy]]\nname = \"fz\"\nkind = \"scrap\"\nretain = { quantile = 0.99 }\nreview_every_years = 0.5",
    "[[policy]]\nname = \"fz\"\nkind = \"partner_release\"\nretain = 0",
    "[[partner]]\nname = \"fz\"\nrelease_price = 1\nbuyback_price = 2\nshare = 0.5",
    "[remanufacture]\nunit_cost = 1\nlead_time_years = 0\nbatch_cover_years = 999",
    "[demand.order_size]\ndistribution = \"table\"\npmf = [0, 0, 1]",
    "[demand.uncertainty]\nrate_cv = 10",
    "[costs.holding]\ncapital = 0.1",
    "rate_cv = 3",
    "x = 1",
    "",
    "#",
    "=",
    "[",
    "\"",
    "'''",
];

#[derive(Debug, Clone)]
enum Mutation {
    Value(usize, String),
    Key(usize, &'static str),
    Delete(usize),
    Duplicate(usize),
    Move(usize, usize),
    Insert(usize, &'static str),
    Splice(usize, String),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let index = any::<usize>();
    let value = prop_oneof![
        4 => proptest::sample::select(VALUES).prop_map(str::to_string),
        1 => any::<f64>().prop_map(|x| format!("{x:e}")),
        1 => (-1e4f64..1e4).prop_map(|x| x.to_string()),
        1 => any::<i64>().prop_map(|x| x.to_string()),
        1 => "[a-z_\"{}\\[\\]=.,0-9 -]{0,12}",
    ];
    prop_oneof![
        6 => (index, value).prop_map(|(i, v)| Mutation::Value(i, v)),
        2 => (index, proptest::sample::select(KEYS)).prop_map(|(i, k)| Mutation::Key(i, k)),
        2 => index.prop_map(Mutation::Delete),
        1 => index.prop_map(Mutation::Duplicate),
        1 => (index, any::<usize>()).prop_map(|(i, j)| Mutation::Move(i, j)),
        2 => (index, proptest::sample::select(LINES)).prop_map(|(i, l)| Mutation::Insert(i, l)),
        1 => (index, "\\PC{0,6}").prop_map(|(i, s)| Mutation::Splice(i, s)),
        1 => index.prop_map(Mutation::Truncate),
    ]
}

/// Applies `mutations` to `text`, line by line.
fn mutate(text: &str, mutations: &[Mutation]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for m in mutations {
        let n = lines.len().max(1);
        match m {
            Mutation::Value(i, v) => {
                // The i-th key = value line (comments included in the value are dropped).
                let assignments: Vec<usize> = (0..lines.len())
                    .filter(|&k| lines[k].contains('=') && !lines[k].trim_start().starts_with('#'))
                    .collect();
                if !assignments.is_empty() {
                    let k = assignments[i % assignments.len()];
                    let key = lines[k].split('=').next().unwrap_or("").to_string();
                    lines[k] = format!("{key}= {v}");
                }
            }
            Mutation::Key(i, key) => {
                let k = i % n;
                if let Some(line) = lines.get_mut(k)
                    && let Some((_, rest)) = line.split_once('=')
                {
                    *line = format!("{key} ={rest}");
                }
            }
            Mutation::Delete(i) => {
                if !lines.is_empty() {
                    lines.remove(i % n);
                }
            }
            Mutation::Duplicate(i) => {
                if !lines.is_empty() {
                    let l = lines[i % n].clone();
                    lines.insert(i % n, l);
                }
            }
            Mutation::Move(i, j) => {
                if !lines.is_empty() {
                    let l = lines.remove(i % n);
                    let at = j % lines.len().max(1);
                    lines.insert(at.min(lines.len()), l);
                }
            }
            Mutation::Insert(i, l) => lines.insert(i % (n + 1).min(lines.len() + 1), l.to_string()),
            Mutation::Splice(i, s) => {
                if !lines.is_empty() {
                    let line = &mut lines[i % n];
                    let cut = line
                        .char_indices()
                        .map(|(b, _)| b)
                        .nth(i / n % (line.chars().count() + 1))
                        .unwrap_or(line.len());
                    line.insert_str(cut, s);
                }
            }
            Mutation::Truncate(i) => {
                let joined = lines.join("\n");
                let cut = joined
                    .char_indices()
                    .map(|(b, _)| b)
                    .nth(i % (joined.chars().count() + 1))
                    .unwrap_or(joined.len());
                lines = joined[..cut].lines().map(str::to_string).collect();
            }
        }
    }
    lines.join("\n") + "\n"
}

/// Whether a valid scenario is small enough to simulate in a fuzz case (a few milliseconds).
fn cheap(s: &Scenario) -> bool {
    let orders = s
        .demand
        .intensity
        .expected_orders(0.0, s.horizon_years, 0.0, 0.0);
    let reviews: usize = s
        .policies
        .iter()
        .map(|p| p.disposition_times(s.horizon_years).take(2000).count())
        .sum();
    let quantile = s
        .policies
        .iter()
        .any(|p| matches!(p.retain, Some(RetainRule::Quantile(_))));
    let quantile_units = if quantile {
        orders * s.demand.order_size.mean()
    } else {
        0.0
    };
    orders * (1.0 + s.demand.rate_cv).powi(2) < 2e4
        && (s.stock.shrinkage_rate == 0.0 || s.starting_stock() < 100_000)
        && reviews < 2000
        && quantile_units < 1e5
        && s.demand.order_size.mean() < 1e4
}

/// Cases accepted as valid, and those of them simulated.
static ACCEPTED: AtomicU64 = AtomicU64::new(0);
static SIMULATED: AtomicU64 = AtomicU64::new(0);

/// The property of one case.
fn check_one(text: &str) -> Result<(), TestCaseError> {
    let file = Path::new("fuzz.toml");
    match Scenario::from_toml(file, text) {
        Err(InputError::Problems(problems)) => {
            prop_assert!(
                problems.iter().any(|p| p.severity == Severity::Error),
                "rejected without an error: {problems:?}"
            );
            for p in &problems {
                prop_assert!(
                    p.line >= 1 && p.column >= 1 && !p.key.is_empty(),
                    "a problem without a position or key: {p:?}"
                );
                prop_assert!(p.to_string().starts_with("fuzz.toml:"));
            }
        }
        Err(other) => prop_assert!(false, "unexpected error kind: {other:?}"),
        Ok(loaded) => {
            ACCEPTED.fetch_add(1, Ordering::Relaxed);
            let s = &loaded.scenario;
            prop_assert!(s.max_paths() >= 1);
            if cheap(s) {
                let plan = Plan::new(s);
                prop_assert!(plan.is_ok(), "validated but no plan: {:?}", plan.err());
                let plan = plan.unwrap();
                let settings = RunSettings {
                    paths: 16,
                    seed: 3,
                    threads: 1,
                };
                let summary = engine::run(s, &plan, settings, &|_| {});
                SIMULATED.fetch_add(1, Ordering::Relaxed);
                if let Err(e) = output::render_all(&summary, false) {
                    prop_assert!(false, "{e}");
                }
                // Invariants of every policy's summary.
                for p in &summary.policies {
                    let b = &p.cost_breakdown;
                    let lines = b.lines.values();
                    let sum: f64 = lines.iter().sum();
                    let scale = lines.iter().map(|x| x.abs()).sum::<f64>().max(1.0);
                    prop_assert!(
                        (sum - b.total).abs() <= 1e-9 * scale,
                        "{}: lines sum to {sum}, total {}",
                        p.name,
                        b.total
                    );
                    let u = &p.units.counts;
                    prop_assert!(u.filled_from_stock <= u.demanded + 1e-9);
                    prop_assert!((u.short - (u.demanded - u.filled_from_stock)).abs() <= 1e-6);
                    prop_assert!(p.fill_rate.is_none_or(|f| (0.0..=1.0).contains(&f)));
                    prop_assert!((0.0..=1.0).contains(&p.no_stockout_probability));
                    prop_assert!(p.total_cost.p05 <= p.total_cost.p95);
                    prop_assert!(u.on_hand_at_horizon >= 0.0 && p.units.average_on_hand >= 0.0);
                }
            }
        }
    }
    Ok(())
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

#[test]
fn mutated_scenarios_never_panic_and_every_problem_has_a_place() {
    let cases = env_u64("PIMSIM_FUZZ_CASES").unwrap_or(300) as u32;
    let seed = env_u64("PIMSIM_FUZZ_SEED").unwrap_or(20_261_123);
    let config = Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        max_shrink_iters: 2000,
        ..Config::default()
    };
    let started = std::time::Instant::now();
    let strategy = (
        proptest::sample::select(SEEDS),
        proptest::collection::vec(mutation(), 1..4),
    );
    TestRunner::new(config)
        .run(&strategy, |(seed_text, mutations)| {
            check_one(&mutate(seed_text, &mutations))
        })
        .unwrap();
    eprintln!(
        "fuzz: {cases} mutated scenarios (seed {seed}) in {:.1} s; {} accepted (in both fuzz \
         tests), {} of them simulated",
        started.elapsed().as_secs_f64(),
        ACCEPTED.load(Ordering::Relaxed),
        SIMULATED.load(Ordering::Relaxed)
    );
}

#[test]
fn random_bytes_never_panic() {
    let cases = env_u64("PIMSIM_FUZZ_CASES").unwrap_or(300) as u32;
    let seed = env_u64("PIMSIM_FUZZ_SEED").unwrap_or(20_261_123);
    let config = Config {
        cases,
        rng_seed: RngSeed::Fixed(seed ^ 0x5eed),
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new(config)
        .run(
            &proptest::collection::vec(any::<u8>(), 0..400),
            |bytes| match std::str::from_utf8(&bytes) {
                Ok(text) => check_one(text),
                Err(_) => Ok(()),
            },
        )
        .unwrap();
}

/// Cases the campaigns found, kept so that they stay fixed (see docs/reliability.md's
/// section): (seed scenario, key, the value the campaign put there). The value is set on the
/// key's first line directly, so that the case does not move when a bundled scenario is edited.
#[test]
fn findings_of_earlier_campaigns_stay_fixed() {
    let findings = [
        // The inventory turnover overflowed to infinity.
        (2, "shrinkage_rate", "1e308"),
        // A subnormal unit cost: GMROI (a ratio to the stock at cost) overflowed.
        (4, "unit_cost", "6.127598814832307e-309"),
    ];
    for (seed, key, value) in findings {
        let mut found = false;
        let text: String = SEEDS[seed]
            .lines()
            .map(|line| {
                if !found && line.trim_start().starts_with(&format!("{key} =")) {
                    found = true;
                    format!("{key} = {value}\n")
                } else {
                    format!("{line}\n")
                }
            })
            .collect();
        assert!(found, "seed scenario {seed} has no `{key}` line");
        check_one(&text).unwrap();
    }
}
