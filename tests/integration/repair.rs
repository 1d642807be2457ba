//! Repairable returns (`[repair]`): an exact M/G/∞ result, an independent event simulation
//! with a capacity limit, and conservation of units and cores over random scenarios.
//!
//! Exact case: one-unit Poisson demand at rate λ, stock that never runs out, each unit served
//! returning with probability p after a delay D, washed out with probability w, and repair
//! taking L years with no capacity limit. Repairs then start as a Poisson process of rate
//! λ·p·(1 − w)·P(D ≤ t) at t (thinned and displaced Poisson points stay Poisson), and the units
//! in repair at T are the starts in (T − L, T]: Poisson with mean
//! m = λp(1 − w)·∫_{T−L}^{T} P(D ≤ s) ds, which is λp(1 − w)·L in steady state (M/G/∞: the
//! mean number in service is the arrival rate times the mean service time, whatever the
//! service distribution).

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use pimsim::inventory::PathOutcome;

use crate::common::{assert_within_se, mean_se, outcomes, poisson_pmf, scenario};
use crate::random_scenario::{Loop, params, toml};

/// A scenario with one-unit Poisson demand at `rate` per year for `horizon` years, stock
/// that never runs out, no discounting, one hold policy, and the `[repair]` table `repair`.
fn ample_stock(rate: f64, horizon: f64, repair: &str) -> String {
    format!(
        r#"
[scenario]
horizon_years = {horizon}
[part]
unit_cost = 100
on_hand = 100000
[demand]
model = "constant"
rate = {rate}
[costs]
holding_rate = 0
shortage_penalty = 0
[replenishment]
reorder_point = -1
order_up_to = 0
[repair]
{repair}
[[policy]]
name = "hold"
kind = "hold"
"#
    )
}

/// Checks that the counts `x` of the paths are Poisson with mean `m`: their mean, their
/// variance (through E[(X − m)²] = m) and P(X = 0), P(X = 1), each within 4 standard errors.
fn assert_poisson(what: &str, x: &[f64], m: f64) {
    assert_within_se(&format!("{what}: mean"), mean_se(x.iter().copied()), m, 4.0);
    assert_within_se(
        &format!("{what}: variance"),
        mean_se(x.iter().map(|v| (v - m).powi(2))),
        m,
        4.0,
    );
    let pmf = poisson_pmf(m, 1);
    for (k, p) in pmf.iter().enumerate() {
        assert_within_se(
            &format!("{what}: P({k})"),
            mean_se(x.iter().map(|&v| f64::from(u8::from(v == k as f64)))),
            *p,
            4.0,
        );
    }
}

#[test]
fn units_in_repair_are_poisson_with_mean_rate_times_repair_time() {
    let (lambda, p, w, lead, horizon) = (6.0, 0.5, 0.2, 0.75, 8.0);
    // Exponential return delay with mean μ: P(D ≤ s) = 1 − e^(−s/μ).
    let mu = 0.5;
    let text = ample_stock(
        lambda,
        horizon,
        &format!(
            "return_rate = {p}\nreturn_delay_years = {mu}\nwash_rate = {w}\nunit_cost = 10\n\
             lead_time_years = {lead}"
        ),
    );
    let outs = &outcomes(&scenario(&text), 12_000, 11)[0];
    let cdf_integral = |a: f64, b: f64| (b - a) - mu * ((-a / mu).exp() - (-b / mu).exp());
    let rate = lambda * p * (1.0 - w);
    let m = rate * cdf_integral(horizon - lead, horizon);
    // Within a part in 10⁶ of steady state's λp(1 − w)L at T = 8.
    assert!((m / (rate * lead) - 1.0).abs() < 1e-6);
    let in_repair: Vec<f64> = outs
        .iter()
        .map(|o| o.units.in_repair_at_horizon as f64)
        .collect();
    assert_poisson("exponential delay: units in repair at T", &in_repair, m);
    // The other counts are Poisson too, with the means of their windows.
    let col = |f: &dyn Fn(&PathOutcome) -> f64| mean_se(outs.iter().map(f));
    let returned = lambda * p * cdf_integral(0.0, horizon);
    assert_within_se("returned", col(&|o| o.units.returned as f64), returned, 4.0);
    assert_within_se("washed", col(&|o| o.units.washed as f64), returned * w, 4.0);
    let repaired = rate * cdf_integral(0.0, horizon - lead);
    assert_within_se("repaired", col(&|o| o.units.repaired as f64), repaired, 4.0);
    // Without discounting, the repair line is 10 per repair started.
    assert_within_se(
        "repair cost",
        col(&|o| o.costs.repair),
        10.0 * (repaired + m),
        4.0,
    );
    for o in outs {
        assert_eq!(o.units.cores_waiting_at_horizon, 0, "no capacity limit");
        assert_eq!(o.units.short, 0, "the stock never runs out");
    }
}

#[test]
fn fixed_return_delays_give_the_same_poisson_law() {
    // Fixed delay d: every unit served before T − d − L has had its chance; steady state.
    let (lambda, p, lead, horizon) = (4.0, 0.7, 0.5, 5.0);
    let text = ample_stock(
        lambda,
        horizon,
        &format!(
            "return_rate = {p}\nreturn_delay_years = 1.5\nreturn_delay = \"fixed\"\n\
             unit_cost = 10\nlead_time_years = {lead}"
        ),
    );
    let outs = &outcomes(&scenario(&text), 12_000, 12)[0];
    let in_repair: Vec<f64> = outs
        .iter()
        .map(|o| o.units.in_repair_at_horizon as f64)
        .collect();
    assert_poisson(
        "fixed delay: units in repair at T",
        &in_repair,
        lambda * p * lead,
    );
    for o in outs {
        assert_eq!(o.units.washed, 0);
    }
}

/// A small event simulation of the same model, written independently of pimsim: returns,
/// wash-outs and a repair shop with `servers` slots serving cores first in first out, repairs
/// starting only before `until`. Its own random numbers (SplitMix64).
struct Shop {
    lambda: f64,
    p: f64,
    w: f64,
    mu: f64,
    lead: f64,
    servers: usize,
    until: f64,
    horizon: f64,
}

/// (returned, washed, repaired, in repair at T, waiting at T) of one path.
fn shop_path(s: &Shop, seed: u64) -> [f64; 5] {
    let mut state = seed;
    let mut uniform = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        ((z >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    };
    // Core arrivals: demand points, thinned by p, displaced by exponential delays.
    let mut arrivals = Vec::new();
    let mut t = 0.0;
    loop {
        t += -uniform().ln() / s.lambda;
        if t >= s.horizon {
            break;
        }
        if uniform() < s.p {
            let at = t - s.mu * uniform().ln();
            if at < s.horizon {
                arrivals.push(at);
            }
        }
    }
    arrivals.sort_by(f64::total_cmp);
    let (mut washed, mut repaired) = (0.0, 0.0);
    let mut queue = std::collections::VecDeque::new();
    // End times of the repairs under way.
    let mut busy: Vec<f64> = Vec::new();
    let mut next = 0;
    loop {
        let arrival = arrivals.get(next).copied().unwrap_or(f64::INFINITY);
        let end = busy.iter().copied().fold(f64::INFINITY, f64::min);
        let now = arrival.min(end);
        if now >= s.horizon {
            break;
        }
        if end <= arrival {
            busy.retain(|&e| e != end);
            repaired += 1.0;
        } else {
            next += 1;
            if uniform() < s.w {
                washed += 1.0;
            } else {
                queue.push_back(arrival);
            }
        }
        while now < s.until && busy.len() < s.servers && queue.pop_front().is_some() {
            busy.push(now + s.lead);
        }
    }
    [
        arrivals.len() as f64,
        washed,
        repaired,
        busy.len() as f64,
        queue.len() as f64,
    ]
}

#[test]
fn a_limited_repair_shop_matches_an_independent_event_simulation() {
    // About 4.3 repairable cores a year into 2 slots of 0.4 years: 86 % busy, a queue forms;
    // the shop closes at 4 years, a year before the horizon.
    let shop = Shop {
        lambda: 9.0,
        p: 0.6,
        w: 0.2,
        mu: 0.3,
        lead: 0.4,
        servers: 2,
        until: 4.0,
        horizon: 5.0,
    };
    let text = ample_stock(
        shop.lambda,
        shop.horizon,
        &format!(
            "return_rate = {}\nreturn_delay_years = {}\nwash_rate = {}\nunit_cost = 1\n\
             lead_time_years = {}\ncapacity = {}\navailable_until_years = {}",
            shop.p, shop.mu, shop.w, shop.lead, shop.servers, shop.until
        ),
    );
    let paths = 8000;
    let outs = &outcomes(&scenario(&text), paths, 13)[0];
    let reference: Vec<[f64; 5]> = (0..paths).map(|k| shop_path(&shop, 1000 + k)).collect();
    let names = [
        "returned",
        "washed",
        "repaired",
        "in repair at T",
        "waiting at T",
    ];
    for (i, name) in names.iter().enumerate() {
        let ours = mean_se(outs.iter().map(|o| {
            let u = &o.units;
            [
                u.returned,
                u.washed,
                u.repaired,
                u.in_repair_at_horizon,
                u.cores_waiting_at_horizon,
            ][i] as f64
        }));
        let theirs = mean_se(reference.iter().map(|r| r[i]));
        let se = (ours.1.powi(2) + theirs.1.powi(2)).sqrt();
        assert!(
            (ours.0 - theirs.0).abs() <= 4.0 * se,
            "{name}: pimsim {} ± {}, event simulation {} ± {}",
            ours.0,
            ours.1,
            theirs.0,
            theirs.1
        );
    }
    // The shop closed a year before T with lead 0.4: nothing is in repair at T, and the
    // queue is not empty on average (the test has the load it means to have).
    assert!(outs.iter().all(|o| o.units.in_repair_at_horizon == 0));
    assert!(mean_se(outs.iter().map(|o| o.units.cores_waiting_at_horizon as f64)).0 > 1.0);
}

/// The `[repair]` table of the property test.
fn repair_table() -> impl Strategy<Value = (String, Option<u64>)> {
    (
        0.0..=1.0f64,
        0.0..3.0f64,
        any::<bool>(),
        prop_oneof![Just(0.0), 0.0..=1.0f64],
        0.0..2.0f64,
        proptest::option::of(1u64..4),
        proptest::option::of(0.0..12.0f64),
        any::<bool>(),
    )
        .prop_map(
            |(rate, delay, fixed, wash, lead, capacity, until, in_position)| {
                let mut t = format!(
                    "\n[repair]\nreturn_rate = {rate}\nreturn_delay_years = {delay}\n\
                     return_delay = \"{}\"\nwash_rate = {wash}\nwash_cost = -2\nunit_cost = 7\n\
                     lead_time_years = {lead}\ncount_in_position = {in_position}\n",
                    if fixed { "fixed" } else { "exponential" }
                );
                if let Some(c) = capacity {
                    t += &format!("capacity = {c}\n");
                }
                if let Some(u) = until {
                    t += &format!("available_until_years = {u}\n");
                }
                (t, capacity)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        rng_seed: RngSeed::Fixed(20_261_218),
        ..ProptestConfig::default()
    })]

    /// Units and cores are conserved on every path: start + supply (partners, re-manufacture,
    /// repair) = served + disposed + lost + left at T; cores returned = washed + repaired + in
    /// repair + waiting; no more cores than units served; the shop within its capacity; the
    /// repair line from the counts without discounting.
    #[test]
    fn units_and_cores_are_conserved(
        p in prop_oneof![params(Loop::Plain), params(Loop::General)],
        (table, capacity) in repair_table(),
    ) {
        let s = scenario(&(toml(&p) + &table));
        let start = s.starting_stock();
        for outs in outcomes(&s, 16, 5) {
            for o in &outs {
                let u = &o.units;
                prop_assert_eq!(
                    start + u.bought_back + u.remanufactured + u.repaired,
                    u.filled_from_stock + u.backorders_filled + u.scrapped + u.released
                        + u.lost_in_storage + u.on_hand_at_horizon
                );
                prop_assert_eq!(
                    u.returned,
                    u.washed + u.repaired + u.in_repair_at_horizon + u.cores_waiting_at_horizon
                );
                prop_assert!(u.returned <= u.filled_from_stock + u.backorders_filled);
                prop_assert_eq!(u.demanded, u.filled_from_stock + u.short);
                prop_assert_eq!(u.backordered, u.backorders_filled + u.open_backorders_at_horizon);
                if let Some(c) = capacity {
                    prop_assert!(u.in_repair_at_horizon <= c);
                }
                let lines = o.costs.values();
                prop_assert!(lines.iter().all(|x| x.is_finite()));
                prop_assert_eq!(o.costs.total(), lines.iter().sum::<f64>());
                let expected = 7.0 * (u.repaired + u.in_repair_at_horizon) as f64
                    - 2.0 * u.washed as f64;
                if p.discount == 0.0 {
                    prop_assert!((o.costs.repair - expected).abs() <= 1e-9 * expected.abs().max(1.0));
                } else {
                    prop_assert!(o.costs.repair <= 7.0 * (u.repaired + u.in_repair_at_horizon) as f64 + 1e-9);
                }
            }
        }
    }
}

/// A small valid scenario with `[repair]` for the command-line tests; `{repair}` is the
/// body of the table (from line 21 on).
const CLI_BASE: &str = r#"[scenario]
horizon_years = 6
[simulation]
paths = 200
seed = 3
[part]
unit_cost = 100
on_hand = 12
[demand]
model = "constant"
rate = 5
[costs]
holding_rate = 0.2
shortage_penalty = 300
[replenishment]
reorder_point = 2
order_up_to = 6
[[policy]]
name = "hold"
kind = "hold"
[repair]
{repair}
"#;

/// The line of `CLI_BASE` where the `[repair]` body starts.
const REPAIR_BODY_LINE: usize = 22;

const GOOD_REPAIR: &str = "return_rate = 0.6\nreturn_delay_years = 0.5\nwash_rate = 0.1\n\
                           unit_cost = 40\nlead_time_years = 0.25\ncapacity = 2";

/// Runs `pimsim run` on `text` (written as `name` in `dir`) and returns (exit code, stdout,
/// stderr).
fn run_cli(dir: &std::path::Path, name: &str, text: &str, args: &[&str]) -> (i32, String, String) {
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    let out = crate::common::pimsim()
        .arg("run")
        .arg(&file)
        .args(args)
        .args(["--no-report", "--out"])
        .arg(dir.join(format!("{name}.out")))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_repair_tables_name_the_file_line_key_and_what_is_allowed() {
    let dir = tempfile::tempdir().unwrap();
    // (replace this line of GOOD_REPAIR, by this, key, line offset in the body, fragment)
    let cases: &[(&str, &str, &str, usize, &str)] = &[
        (
            "return_rate = 0.6",
            "return_rate = 1.5",
            "repair.return_rate",
            0,
            "must be a number in [0, 1] (share of units served)",
        ),
        (
            "capacity = 2",
            "capacity = 0",
            "repair.capacity",
            5,
            "units in repair at once",
        ),
        (
            "wash_rate = 0.1",
            "return_delay = \"gamma\"",
            "repair.return_delay",
            2,
            "allowed: \"exponential\", \"fixed\"",
        ),
        (
            "wash_rate = 0.1",
            "wash_rat = 0.1",
            "repair.wash_rat",
            2,
            "did you mean `wash_rate`",
        ),
        (
            "lead_time_years = 0.25",
            "lead_time_years = -1",
            "repair.lead_time_years",
            4,
            "must be a number in [0, 1000]",
        ),
        (
            "unit_cost = 40",
            "enabled = false\nunit_cost = \"forty\"",
            "repair.unit_cost",
            4,
            "",
        ),
    ];
    for (i, (find, replace, key, offset, fragment)) in cases.iter().enumerate() {
        assert!(GOOD_REPAIR.contains(find), "{find}");
        let body = GOOD_REPAIR.replace(find, replace);
        let text = CLI_BASE.replace("{repair}", &body);
        let name = format!("bad{i}.toml");
        let (code, _, err) = run_cli(dir.path(), &name, &text, &["--quiet"]);
        assert_eq!(code, 2, "case {i} ({replace}): {err}");
        let line = REPAIR_BODY_LINE + offset;
        assert!(
            err.contains(&format!("{name}:{line}:")) && err.contains(&format!("`{key}`")),
            "case {i}: expected {name}:{line} and `{key}` in:\n{err}"
        );
        assert!(
            err.contains(fragment),
            "case {i}: expected {fragment:?} in:\n{err}"
        );
    }
    // A missing required key is reported at the table's header.
    let body = GOOD_REPAIR.replace("unit_cost = 40\n", "");
    let (code, _, err) = run_cli(
        dir.path(),
        "missing.toml",
        &CLI_BASE.replace("{repair}", &body),
        &["--quiet"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("missing.toml:{}:", REPAIR_BODY_LINE - 1))
            && err.contains("`repair.unit_cost`: missing required key"),
        "{err}"
    );
}

#[test]
fn repair_reaches_policies_csv_and_summary_json_and_sweeps_by_dotted_name() {
    let dir = tempfile::tempdir().unwrap();
    let text = CLI_BASE.replace("{repair}", GOOD_REPAIR);
    let (code, _, err) = run_cli(dir.path(), "good.toml", &text, &["--quiet"]);
    assert_eq!(code, 0, "{err}");
    let out = dir.path().join("good.toml.out");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let policy = &summary["policies"][0];
    let repaired = policy["units"]["repaired"].as_f64().unwrap();
    assert!(repaired > 0.0 && policy["units"]["returned"].as_f64().unwrap() > repaired);
    assert!(policy["cost_breakdown"]["repair"].as_f64().unwrap() > 0.0);
    assert_eq!(summary["scenario"]["repair"]["capacity"], 2);
    let mut csv = csv::Reader::from_path(out.join("policies.csv")).unwrap();
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "cost_repair",
        "units_returned",
        "units_washed",
        "units_repaired",
        "units_in_repair_at_horizon",
        "units_cores_waiting_at_horizon",
    ] {
        assert!(header.iter().any(|h| h == column), "{column} in {header:?}");
    }
    // A sweep of the return rate by dotted name: no returns, no repairs.
    let sweep = text + "[sweep]\n\"repair.return_rate\" = [0.0, 0.9]\n";
    let file = dir.path().join("sweep.toml");
    std::fs::write(&file, sweep).unwrap();
    let sweep_out = dir.path().join("sweep.out");
    let status = crate::common::pimsim()
        .arg("sweep")
        .arg(&file)
        .args(["--quiet", "--no-report", "--out"])
        .arg(&sweep_out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let mut csv = csv::Reader::from_path(sweep_out.join("sweep.csv")).unwrap();
    let header = csv.headers().unwrap().clone();
    let col = header.iter().position(|h| h == "units_repaired").unwrap();
    let rows: Vec<f64> = csv
        .records()
        .map(|r| r.unwrap()[col].parse().unwrap())
        .collect();
    assert_eq!(rows.len(), 2);
    assert!(rows[0] == 0.0 && rows[1] > 0.0, "{rows:?}");
}
