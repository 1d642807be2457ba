//! Stock records that drift (issue 18 part 3): unrecorded losses, cycle counts and picks
//! that find phantom stock.
//!
//! - Exact: no demand, n units, recorded losses at δr and unrecorded ones at δu per
//!   unit-year, a count every year. A unit on the shelf at a count is lost unrecorded before
//!   the next one with probability π = δu/(δr+δu)·(1 − e^(−(δr+δu))) (competing risks), and
//!   is still there with probability e^(−(δr+δu)), so the discrepancy found at count k is
//!   Binomial(n, e^(−(δr+δu)(k−1))·π): its mean, variance and P(0) (the record accuracy) are
//!   exact.
//! - Property: over random scenarios, recorded − physical stock at the horizon is the
//!   unrecorded losses less the phantom units found (by counts and by picks); physical units
//!   are conserved with the unrecorded losses; counts without unrecorded losses change
//!   nothing but the counting line; with no demand the discrepancy at the horizon is exactly
//!   the unrecorded losses since the last count.
//! - Independent check: a small event simulation of (s, S) re-manufacture with Poisson demand,
//!   unrecorded losses and counts, written here from the model's description, against
//!   pimsim's means.

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use pimsim::engine::{self, RunSettings};
use pimsim::inventory::{PathOutcome, Plan};

use crate::common::{assert_within_se, mean_se, outcomes, scenario};
use crate::random_scenario::{Loop, Params, params, toml};

/// A scenario without demand: `n` units, the given `[stock]` lines, a hold policy.
fn no_demand(n: u64, horizon: f64, stock: &str) -> String {
    format!(
        r#"[scenario]
horizon_years = {horizon}
discount_rate = 0.04
[part]
unit_cost = 30
on_hand = {n}
[demand]
model = "constant"
rate = 0.0
[stock]
{stock}
[costs]
holding_rate = 0.2
salvage_value = 2.0
shortage_penalty = 100
[[policy]]
name = "hold"
kind = "hold"
"#
    )
}

/// The exact binomial case with three counts (t = 1, 2, 3; horizon 3.5 years).
#[test]
fn count_discrepancies_are_binomial() {
    let (n, dr, du) = (40u64, 0.03f64, 0.02f64);
    let text = no_demand(
        n,
        3.5,
        &format!(
            "shrinkage_rate = {dr}\nunrecorded_shrinkage_rate = {du}\ncount_every_years = 1.0\ncount_cost = 25"
        ),
    );
    let s = scenario(&text);
    let paths = 20_000u64;
    let outs = &outcomes(&s, paths, 3)[0];
    let d = dr + du;
    let pi = du / d * (1.0 - (-d).exp());
    // Per count k = 1, 2, 3: Binomial(n, p_k).
    let p: Vec<f64> = (0..3).map(|k| (-d * k as f64).exp() * pi).collect();
    let nf = n as f64;
    let mean_found: f64 = p.iter().map(|pk| nf * pk).sum::<f64>() / 3.0;
    let accuracy: f64 = p.iter().map(|pk| (1.0 - pk).powf(nf)).sum::<f64>() / 3.0;
    for o in outs {
        assert_eq!(o.records.counts, 3);
        // No demand, no dispositions: only the counts find phantom units.
        assert_eq!(o.records.phantom_found_by_picks, 0);
        assert_eq!(
            o.units.lost_in_storage + o.records.unrecorded_lost + o.units.on_hand_at_horizon,
            n
        );
    }
    assert_within_se(
        "phantom units found per count",
        mean_se(
            outs.iter()
                .map(|o| o.records.phantom_found_at_counts as f64 / 3.0),
        ),
        mean_found,
        4.0,
    );
    assert_within_se(
        "record accuracy (share of counts with the records right)",
        mean_se(outs.iter().map(|o| o.records.accurate_counts as f64 / 3.0)),
        accuracy,
        4.0,
    );
    // The counting line: 25 at each count, discounted at 4 %.
    let counting: f64 = (1..=3).map(|k| 25.0 * 1.04f64.powi(-k)).sum();
    for o in outs {
        assert!(
            (o.costs.counting - counting).abs() < 1e-9,
            "{}",
            o.costs.counting
        );
    }
    // The summary's figures are those of the same paths.
    let plan = Plan::new(&s).unwrap();
    let settings = RunSettings {
        paths,
        seed: 3,
        threads: 2,
    };
    let summary = engine::run(&s, &plan, settings, &|_| {});
    let r = summary.policies[0].records.as_ref().expect("records");
    let sum = |f: &dyn Fn(&PathOutcome) -> u64| outs.iter().map(f).sum::<u64>() as f64;
    let counts = sum(&|o| o.records.counts);
    assert_eq!(
        r.record_accuracy,
        Some(sum(&|o| o.records.accurate_counts) / counts)
    );
    assert_eq!(
        r.phantom_found_per_count,
        Some(sum(&|o| o.records.phantom_found_at_counts) / counts)
    );
    assert_eq!(r.means.counts, 3.0);
    assert_eq!(r.phantom_share_of_short, None, "nothing was demanded");
}

/// One count (t = 1, horizon 1.5): the discrepancy's mean, variance and P(0).
#[test]
fn one_count_discrepancy_has_binomial_moments() {
    let (n, du) = (60u64, 0.015f64);
    let text = no_demand(
        n,
        1.5,
        &format!("unrecorded_shrinkage_rate = {du}\ncount_every_years = 1.0"),
    );
    let outs = &outcomes(&scenario(&text), 20_000, 11)[0];
    let p = 1.0 - (-du).exp();
    let nf = n as f64;
    let found: Vec<f64> = outs
        .iter()
        .map(|o| o.records.phantom_found_at_counts as f64)
        .collect();
    assert_within_se(
        "mean discrepancy",
        mean_se(found.iter().copied()),
        nf * p,
        4.0,
    );
    let mean = nf * p;
    assert_within_se(
        "variance of the discrepancy",
        mean_se(found.iter().map(|x| (x - mean).powi(2))),
        nf * p * (1.0 - p),
        4.0,
    );
    assert_within_se(
        "P(discrepancy = 0)",
        mean_se(found.iter().map(|&x| f64::from(u8::from(x == 0.0)))),
        (1.0 - p).powf(nf),
        4.0,
    );
    for o in outs {
        assert_eq!(
            o.records.accurate_counts,
            u64::from(o.records.phantom_found_at_counts == 0)
        );
        // No recorded losses: the physical stock is the start less the unrecorded losses.
        assert_eq!(o.units.on_hand_at_horizon + o.records.unrecorded_lost, n);
        assert_eq!(o.costs.counting, 0.0, "count_cost defaults to 0");
    }
}

/// No demand: the discrepancy at the horizon is the unrecorded losses after the last count,
/// path by path: those of a run without counts to the horizon less those of a run without
/// counts to the last count (the losses' stream does not depend on the horizon or the counts).
#[test]
fn discrepancy_at_the_horizon_is_the_losses_since_the_last_count() {
    let stock = "shrinkage_rate = 0.05\nunrecorded_shrinkage_rate = 0.1";
    let counted = outcomes(
        &scenario(&no_demand(
            30,
            4.5,
            &format!("{stock}\ncount_every_years = 1.0"),
        )),
        500,
        2,
    );
    let uncounted = outcomes(&scenario(&no_demand(30, 4.5, stock)), 500, 2);
    let to_last_count = outcomes(&scenario(&no_demand(30, 4.0, stock)), 500, 2);
    let mut drifted = 0;
    for ((c, u), l) in counted[0].iter().zip(&uncounted[0]).zip(&to_last_count[0]) {
        assert_eq!(c.records.counts, 4);
        assert_eq!(c.units.on_hand_at_horizon, u.units.on_hand_at_horizon);
        assert_eq!(c.records.unrecorded_lost, u.records.unrecorded_lost);
        let since = u.records.unrecorded_lost - l.records.unrecorded_lost;
        assert_eq!(
            c.records.recorded_on_hand_at_horizon - c.units.on_hand_at_horizon,
            since
        );
        // Without counts the records never learn of a loss.
        assert_eq!(
            u.records.recorded_on_hand_at_horizon,
            30 - u.units.lost_in_storage
        );
        drifted += usize::from(since > 0);
    }
    assert!(drifted > 0, "some path lost a unit after the last count");
}

/// Checks the drifting records' invariants on one path of a scenario with unrecorded loss
/// rate `rate`, counts at `counts` times and `count_cost` per count.
fn check_records(o: &PathOutcome, start: u64, counts: u64) -> Result<(), TestCaseError> {
    let (u, r) = (&o.units, &o.records);
    // Recorded − physical: the unrecorded losses less the phantom units found.
    prop_assert!(r.recorded_on_hand_at_horizon >= u.on_hand_at_horizon);
    prop_assert_eq!(
        r.recorded_on_hand_at_horizon - u.on_hand_at_horizon,
        r.unrecorded_lost - r.phantom_found_at_counts - r.phantom_found_by_picks
    );
    // Physical units conserved, the unrecorded losses among the ways out.
    prop_assert_eq!(
        start + u.bought_back + u.remanufactured,
        u.filled_from_stock
            + u.backorders_filled
            + u.scrapped
            + u.released
            + u.lost_in_storage
            + r.unrecorded_lost
            + u.on_hand_at_horizon
    );
    prop_assert_eq!(r.counts, counts);
    prop_assert!(r.accurate_counts <= r.counts);
    // Each unit short because of phantom stock found a phantom unit, and was short.
    prop_assert!(r.phantom_short <= r.phantom_found_by_picks && r.phantom_short <= u.short);
    prop_assert!(o.costs.counting >= 0.0);
    prop_assert_eq!(o.costs.total(), o.costs.values().iter().sum::<f64>());
    Ok(())
}

/// `[stock]` of the random scenario `p` with the records' keys added.
fn with_records(p: &Params, rate: f64, every: Option<f64>, cost: f64) -> String {
    let mut keys = format!("unrecorded_shrinkage_rate = {rate}\n");
    if let Some(e) = every {
        keys += &format!("count_every_years = {e}\ncount_cost = {cost}\n");
    }
    toml(p).replacen("[stock]\n", &format!("[stock]\n{keys}"), 1)
}

/// Every field of two outcomes but the counting line and the records' counts (and the
/// cumulative costs, which include counting): counts exactly, money and unit-years to 10⁻⁹
/// (a count is one more point at which the carrying integrals are cut, which may change
/// their last bits).
fn same_but_counting(a: &PathOutcome, b: &PathOutcome) -> Result<(), TestCaseError> {
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0);
    let mut lines = b.costs;
    lines.counting = 0.0;
    for ((name, x), y) in a.costs.named().zip(lines.values()) {
        prop_assert!(close(*x, y), "{}: {} against {}", name, x, y);
    }
    prop_assert!(close(a.revenue, b.revenue));
    prop_assert!(close(a.on_hand_unit_years, b.on_hand_unit_years));
    prop_assert_eq!(a.units, b.units);
    prop_assert_eq!(a.first_stockout, b.first_stockout);
    prop_assert_eq!(&a.partners, &b.partners);
    prop_assert_eq!(&a.on_hand_at_step, &b.on_hand_at_step);
    prop_assert_eq!(&a.supply_at_step, &b.supply_at_step);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 48,
        rng_seed: RngSeed::Fixed(20_261_218),
        ..ProptestConfig::default()
    })]

    /// Random scenarios (every demand model, re-manufacture, partners, dispositions,
    /// backorders or lost sales) with unrecorded losses and maybe counts.
    #[test]
    fn records_differ_only_by_unrecorded_losses(
        p in prop_oneof![params(Loop::Plain), params(Loop::General)],
        rate in 0.01f64..0.6,
        every in proptest::option::of(0.3f64..4.0),
        cost in 0.0f64..50.0,
    ) {
        let s = scenario(&with_records(&p, rate, every, cost));
        let plan = Plan::new(&s).unwrap();
        let counts = plan.records.as_ref().unwrap().counts.len() as u64;
        let start = s.starting_stock();
        for outs in outcomes(&s, 16, 9) {
            for o in &outs {
                check_records(o, start, counts)?;
            }
        }
    }

    /// Counts without unrecorded losses find the records right every time and change
    /// nothing but the counting line: the same paths as without records, figure for figure.
    #[test]
    fn counts_without_drift_change_nothing_else(
        p in prop_oneof![params(Loop::Plain), params(Loop::General)],
        every in 0.3f64..4.0,
        cost in 0.0f64..50.0,
    ) {
        let plain = outcomes(&scenario(&toml(&p)), 12, 4);
        let counted = outcomes(&scenario(&with_records(&p, 0.0, Some(every), cost)), 12, 4);
        for (a, b) in plain.iter().flatten().zip(counted.iter().flatten()) {
            same_but_counting(a, b)?;
            prop_assert_eq!(b.records.accurate_counts, b.records.counts);
            prop_assert_eq!(b.records.recorded_on_hand_at_horizon, b.units.on_hand_at_horizon);
            prop_assert_eq!(a.records, Default::default());
            if cost == 0.0 || b.records.counts == 0 {
                prop_assert_eq!(b.costs.counting, 0.0);
            } else {
                prop_assert!(b.costs.counting > 0.0);
            }
        }
    }
}

/// SplitMix64: the independent simulation's own generator.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        // Uniform on (0, 1].
        ((z >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    fn exp(&mut self, rate: f64) -> f64 {
        if rate > 0.0 {
            -self.next().ln() / rate
        } else {
            f64::INFINITY
        }
    }
}

/// The independent check's model: one-unit Poisson orders, lost sales, (s, S) on the
/// recorded position with re-manufacture after a fixed lead time, unrecorded losses,
/// yearly counts.
struct Model {
    lambda: f64,
    start: u64,
    s: i64,
    big_s: i64,
    lead: f64,
    rate: f64,
    every: f64,
    horizon: f64,
}

/// Per path: (short, phantom short, phantom found at counts, accurate counts, counts,
/// unrecorded losses, re-manufacture runs).
fn simulate_path(m: &Model, rng: &mut SplitMix) -> [f64; 7] {
    let (mut on_hand, mut phantom, mut on_order) = (m.start, 0u64, 0u64);
    let mut deliveries: Vec<(f64, u64)> = Vec::new();
    let mut out = [0.0; 7];
    let mut t = 0.0;
    let mut next_count = m.every;
    let review = |t: f64,
                  on_hand: u64,
                  phantom: u64,
                  on_order: &mut u64,
                  d: &mut Vec<(f64, u64)>,
                  runs: &mut f64| {
        let position = (on_hand + phantom + *on_order) as i64;
        if position <= m.s {
            let q = (m.big_s - position) as u64;
            *on_order += q;
            d.push((t + m.lead, q));
            *runs += 1.0;
        }
    };
    let mut runs = 0.0;
    review(
        0.0,
        on_hand,
        phantom,
        &mut on_order,
        &mut deliveries,
        &mut runs,
    );
    loop {
        // Competing exponential clocks (memoryless: redrawn after every event).
        let demand = t + rng.exp(m.lambda);
        let loss = t + rng.exp(m.rate * on_hand as f64);
        let delivery = deliveries.iter().map(|d| d.0).fold(f64::INFINITY, f64::min);
        let count = if next_count < m.horizon * (1.0 - 1e-12) {
            next_count
        } else {
            f64::INFINITY
        };
        let first = demand.min(loss).min(delivery).min(count);
        if first >= m.horizon {
            break;
        }
        t = first;
        if first == delivery {
            let k = deliveries.iter().position(|d| d.0 == delivery).unwrap();
            let (_, q) = deliveries.swap_remove(k);
            on_hand += q;
            on_order -= q;
        } else if first == loss {
            on_hand -= 1;
            phantom += 1;
            out[5] += 1.0;
        } else if first == count {
            next_count += m.every;
            out[4] += 1.0;
            out[2] += phantom as f64;
            if phantom == 0 {
                out[3] += 1.0;
            } else {
                phantom = 0;
                review(
                    t,
                    on_hand,
                    phantom,
                    &mut on_order,
                    &mut deliveries,
                    &mut runs,
                );
            }
        } else {
            if on_hand > 0 {
                on_hand -= 1;
            } else {
                out[0] += 1.0;
                if phantom > 0 {
                    out[1] += 1.0;
                    phantom = 0;
                }
            }
            review(
                t,
                on_hand,
                phantom,
                &mut on_order,
                &mut deliveries,
                &mut runs,
            );
        }
    }
    out[6] = runs;
    out
}

/// A figure of a path's outcome, named.
type Figure<'a> = (&'a str, &'a dyn Fn(&PathOutcome) -> f64);

/// pimsim against the event simulation above: the means of shortages, phantom shortages,
/// phantom units found, accurate counts, unrecorded losses and re-manufacture runs agree
/// within 4.5 standard errors of their difference.
#[test]
fn event_simulation_agrees_with_demand_and_replenishment() {
    let m = Model {
        lambda: 30.0,
        start: 40,
        s: 6,
        big_s: 30,
        lead: 0.25,
        rate: 0.3,
        every: 1.0,
        horizon: 8.0,
    };
    let text = format!(
        r#"[scenario]
horizon_years = {h}
discount_rate = 0.0
[part]
unit_cost = 30
on_hand = {start}
[demand]
model = "constant"
rate = {lambda}
[stock]
unrecorded_shrinkage_rate = {rate}
count_every_years = {every}
[costs]
holding_rate = 0.2
salvage_value = 2.0
shortage_penalty = 100
[replenishment]
reorder_point = {s}
order_up_to = {big_s}
[remanufacture]
setup_cost = 0
unit_cost = 10
lead_time_years = {lead}
min_batch = 1
[[policy]]
name = "hold"
kind = "hold"
"#,
        h = m.horizon,
        start = m.start,
        lambda = m.lambda,
        rate = m.rate,
        every = m.every,
        s = m.s,
        big_s = m.big_s,
        lead = m.lead,
    );
    let paths = 6000;
    let outs = &outcomes(&scenario(&text), paths, 21)[0];
    let mut rng = SplitMix(0x5EED);
    let reference: Vec<[f64; 7]> = (0..paths).map(|_| simulate_path(&m, &mut rng)).collect();
    let figures: [Figure; 7] = [
        ("units short", &|o| o.units.short as f64),
        ("units short because of phantom stock", &|o| {
            o.records.phantom_short as f64
        }),
        ("phantom units found at counts", &|o| {
            o.records.phantom_found_at_counts as f64
        }),
        ("accurate counts", &|o| o.records.accurate_counts as f64),
        ("counts", &|o| o.records.counts as f64),
        ("unrecorded losses", &|o| o.records.unrecorded_lost as f64),
        ("re-manufacture runs", &|o| {
            o.units.remanufacture_runs as f64
        }),
    ];
    for (k, (what, f)) in figures.iter().enumerate() {
        let (a, sa) = mean_se(outs.iter().map(f));
        let (b, sb) = mean_se(reference.iter().map(|r| r[k]));
        let se = (sa * sa + sb * sb).sqrt();
        assert!(
            (a - b).abs() <= 4.5 * se.max(1e-12),
            "{what}: pimsim {a} ± {sa}, event simulation {b} ± {sb}"
        );
    }
    // The case exercises what it checks.
    let phantom_short: u64 = outs.iter().map(|o| o.records.phantom_short).sum();
    assert!(phantom_short > 100, "phantom shortages: {phantom_short}");
}

/// `[sweep]` over the records' keys by dotted name: every point equals a separate run of its
/// file, column by column; a point without drifting records has empty records cells.
#[test]
fn records_keys_sweep_and_points_equal_separate_runs() {
    use crate::common::pimsim;
    let base = |rate: &str, every: &str| {
        format!(
            r#"[scenario]
horizon_years = 6
discount_rate = 0.05
[simulation]
paths = 300
seed = 5
[part]
unit_cost = 100.0
on_hand = 40
[demand]
model = "exponential"
rate = 8.0
half_life_years = 3.0
[stock]
unrecorded_shrinkage_rate = {rate}
{every}[costs]
holding_rate = 0.2
salvage_value = 5.0
shortage_penalty = 400.0
[replenishment]
reorder_point = 3
order_up_to = 10
[remanufacture]
setup_cost = 1000.0
unit_cost = 150.0
lead_time_years = 0.3
[[policy]]
name = "hold"
kind = "hold"
"#
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, text: &str| {
        let file = dir.path().join(format!("{name}.toml"));
        std::fs::write(&file, text).unwrap();
        let out = dir.path().join(name);
        let o = pimsim()
            .args(["run"])
            .arg(&file)
            .args(["--quiet", "--no-report", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out
    };
    let read = |path: &std::path::Path| {
        let mut r = csv::Reader::from_path(path).unwrap();
        let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let rows: Vec<Vec<String>> = r
            .records()
            .map(|rec| rec.unwrap().iter().map(String::from).collect())
            .collect();
        (header, rows)
    };
    let sweep = base("0.1", "")
        + "[sweep]\n\"stock.unrecorded_shrinkage_rate\" = [0.0, 0.3]\n\"stock.count_every_years\" = [0.5, 2.0]\n";
    // Without count_every_years in the file, the swept one is added (as if written there).
    let out = run("sweep", &sweep);
    let (header, rows) = read(&out.join("sweep.csv"));
    assert_eq!(rows.len(), 4);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (accuracy, counting) = (col("records_record_accuracy"), col("cost_counting"));
    for (n, (rate, every)) in [("0", "0.5"), ("0", "2"), ("0.3", "0.5"), ("0.3", "2")]
        .into_iter()
        .enumerate()
    {
        let row = &rows[n];
        assert_eq!(
            (row[2].as_str(), row[3].as_str()),
            (rate, every),
            "point {n}"
        );
        let single = run(
            &format!("point{n}"),
            &base(rate, &format!("count_every_years = {every}\n")),
        );
        let (h, r) = read(&single.join("policies.csv"));
        for (k, name) in h.iter().enumerate() {
            assert_eq!(&row[col(name)], &r[0][k], "point {n}, column {name}");
        }
        // Counts are records even without unrecorded losses: all of them right then.
        let a: f64 = row[accuracy].parse().unwrap();
        if rate == "0" {
            assert_eq!(a, 1.0);
        } else {
            assert!(a < 1.0, "point {n}: accuracy {a}");
        }
        assert_eq!(row[counting], "0", "no count_cost: counting is 0");
    }
    // A file without records has neither the records' columns nor the counting line.
    let plain = run("plain", &base("0.0", ""));
    let (h, _) = read(&plain.join("policies.csv"));
    assert!(
        !h.iter()
            .any(|c| c.starts_with("records_") || c == "cost_counting")
    );
    let json = std::fs::read_to_string(plain.join("summary.json")).unwrap();
    assert!(!json.contains("\"records\"") && !json.contains("counting"));
}
