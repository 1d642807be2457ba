//! Numerical robustness: extreme but valid scenarios (zero and enormous demand, half-lives of
//! days and centuries, horizons of a day and of centuries, zero and huge stock, rate
//! uncertainty near zero and very large, money at its limits) run a few hundred paths each;
//! every figure of every output is finite, only the documented "undefined" figures may be
//! null or empty, and the results make sense.

use std::path::Path;

use pimsim::discount::Discount;
use pimsim::engine::{self, RunSettings, RunSummary};
use pimsim::inventory::Plan;
use pimsim::output;
use pimsim::scenario::Scenario;

use crate::bad_input::BASE;

/// Whole-line replacements of [`BASE`].
type Edits = &'static [(&'static str, &'static str)];

/// [`BASE`] with whole lines replaced (each `find` must be one line of it).
fn edited(edits: &[(&str, &str)]) -> String {
    let mut text = BASE.to_string();
    for (find, replace) in edits {
        let line = format!("\n{find}\n");
        assert!(text.contains(&line), "`{find}` is not a line of BASE");
        text = text.replacen(&line, &format!("\n{replace}\n"), 1);
    }
    text
}

/// Validates and runs `text` on `paths` paths; checks every output file.
fn run(name: &str, text: &str, paths: u64) -> RunSummary {
    let loaded = match Scenario::from_toml(Path::new(name), text) {
        Ok(l) => l,
        Err(e) => panic!("{name}: expected a valid scenario:\n{e}"),
    };
    let scenario = &loaded.scenario;
    let plan = Plan::new(scenario).unwrap_or_else(|e| panic!("{name}: plan: {e:?}"));
    let settings = RunSettings {
        paths,
        seed: 11,
        threads: 1,
    };
    let summary = engine::run(scenario, &plan, settings, &|_| {});
    let files = output::render_all(&summary, true).unwrap_or_else(|e| panic!("{name}: {e}"));
    for (file, content) in files.iter().filter(|(file, _)| !file.ends_with(".png")) {
        let text = String::from_utf8(content.clone()).unwrap();
        for bad in ["NaN", "inf"] {
            assert!(!text.contains(bad), "{name}: {file} contains {bad}");
        }
    }
    // Only the documented "undefined" figures may be null.
    let json: serde_json::Value = serde_json::from_slice(&files[0].1).unwrap();
    for p in json["policies"].as_array().unwrap() {
        for section in ["total_cost", "cost_breakdown", "units"] {
            for (k, v) in p[section].as_object().unwrap() {
                // `total_cost.plain` is the plain estimates: numbers too.
                let numbers = |v: &serde_json::Value| v.is_number() || v.is_array();
                assert!(
                    numbers(v) || v.as_object().is_some_and(|o| o.values().all(numbers)),
                    "{name}: {}.{section}.{k} = {v}",
                    p["name"]
                );
            }
        }
        assert!(p["no_stockout_probability"].is_number(), "{name}");
        if p["fill_rate"].is_null() {
            assert_eq!(
                p["units"]["demanded"], 0.0,
                "{name}: null fill rate with demand"
            );
        }
    }
    let table = output::render_table(&summary);
    assert!(
        !table.contains("NaN") && !table.contains("inf"),
        "{name}:\n{table}"
    );
    summary
}

#[test]
fn zero_demand_costs_exactly_the_carrying_cost() {
    let text = edited(&[
        ("rate = 20", "rate = 0"),
        ("shrinkage_rate = 0.01", "shrinkage_rate = 0"),
    ]);
    let s = run("zero-demand", &text, 300);
    let hold = &s.policies[0];
    assert_eq!(hold.fill_rate, None, "undefined without demand");
    assert_eq!(hold.units.counts.demanded, 0.0);
    assert_eq!(hold.cost_breakdown.lines.shortage, 0.0);
    assert_eq!(hold.no_stockout_probability, 1.0);
    // 210 units × 10 % × 100 per year, discounted at 5 % over 20 years, exactly.
    let carrying = 210.0 * 0.1 * 100.0 * Discount::new(0.05).discounted_time(20.0);
    assert!(
        (hold.cost_breakdown.lines.holding - carrying).abs() <= 1e-9 * carrying,
        "{} vs {carrying}",
        hold.cost_breakdown.lines.holding
    );
    assert_eq!(hold.total_cost.std_err, 0.0);
}

#[test]
fn extreme_but_valid_scenarios_give_finite_results() {
    let cases: &[(&str, Edits, u64)] = &[
        (
            "enormous rate",
            &[
                ("rate = 20", "rate = 200000"),
                ("horizon_years = 20", "horizon_years = 0.5"),
                ("available_until_years = 15", "available_until_years = 0.4"),
                ("at_years = 1", "at_years = 0.1"),
            ],
            20,
        ),
        (
            "half-life of a day",
            &[("half_life_years = 5", "half_life_years = 0.0027")],
            300,
        ),
        (
            "half-life of centuries",
            &[("half_life_years = 5", "half_life_years = 500")],
            300,
        ),
        (
            "horizon of one day",
            &[
                ("horizon_years = 20", "horizon_years = 0.00274"),
                ("at_years = 1", "at_years = 0.001"),
                ("review_every_years = 5", "review_every_years = 0.0005"),
                (
                    "available_until_years = 15",
                    "available_until_years = 0.002",
                ),
            ],
            300,
        ),
        (
            "horizon of 200 years",
            &[("horizon_years = 20", "horizon_years = 200")],
            200,
        ),
        (
            "horizon of 999 years at a high discount rate",
            &[
                ("horizon_years = 20", "horizon_years = 999"),
                ("discount_rate = 0.05", "discount_rate = 9.99"),
                ("half_life_years = 5", "half_life_years = 100"),
            ],
            50,
        ),
        (
            "zero stock",
            &[
                ("on_hand = 200", "on_hand = 0"),
                ("last_time_buy = 10", "last_time_buy = 0"),
                ("retain = 50", "retain = 0"),
            ],
            300,
        ),
        (
            "huge stock",
            &[
                ("on_hand = 200", "on_hand = 1000000000000"),
                ("shrinkage_rate = 0.01", "shrinkage_rate = 0"),
            ],
            300,
        ),
        (
            "rate uncertainty near zero",
            &[("rate_cv = 0.3", "rate_cv = 0.000001")],
            300,
        ),
        (
            "very large rate uncertainty",
            &[("rate_cv = 0.3", "rate_cv = 10")],
            300,
        ),
        (
            "near-certain sudden death",
            &[("annual_probability = 0.02", "annual_probability = 0.999999")],
            300,
        ),
        (
            "money at its limits",
            &[
                ("unit_cost = 100", "unit_cost = 1e12"),
                ("shortage_penalty = 2000", "shortage_penalty = 1e12"),
                ("salvage_value = 5", "salvage_value = -1e12"),
                ("setup_cost = 10000", "setup_cost = 1e12"),
                ("buyback_price = 250", "buyback_price = 1e12"),
                ("release_price = 20", "release_price = -1e12"),
            ],
            300,
        ),
        (
            "escalation near its limit over centuries",
            &[
                ("horizon_years = 20", "horizon_years = 900"),
                ("available_until_years = 15", "available_until_years = 900"),
                ("cost_escalation = 0.02", "cost_escalation = 0.079"),
                ("setup_cost = 10000", "setup_cost = 1e12"),
                ("half_life_years = 5", "half_life_years = 300"),
            ],
            50,
        ),
        (
            "installed base, steep retirement",
            &[
                ("model = \"exponential\"", "model = \"installed_base\""),
                ("rate = 20", "units_in_field = 500\nfailure_rate = 0.04"),
                (
                    "half_life_years = 5",
                    "retirement_scale_years = 8\nretirement_shape = 20\nfailure_growth = -0.999",
                ),
            ],
            300,
        ),
        (
            "installed base, slow retirement and growth",
            &[
                ("model = \"exponential\"", "model = \"installed_base\""),
                ("rate = 20", "units_in_field = 500\nfailure_rate = 0.04"),
                (
                    "half_life_years = 5",
                    "retirement_scale_years = 30\nretirement_shape = 0.05\nfailure_growth = 0.2",
                ),
            ],
            100,
        ),
        (
            "heavy order sizes",
            &[
                (
                    "distribution = \"poisson\"",
                    "distribution = \"negative_binomial\"",
                ),
                ("mean = 1.5", "mean = 1000000\ndispersion = 999999"),
                (
                    "retain = { quantile = 0.9 }",
                    "retain = { cover_years = 3 }",
                ),
            ],
            100,
        ),
        (
            // Found by fuzzing: a loss rate of 1e308 made the time-average stock so small that
            // the inventory turnover overflowed; rates are now at most 1000 per unit-year.
            "fastest losses, slowest partners",
            &[
                ("shrinkage_rate = 0.01", "shrinkage_rate = 1000"),
                ("attrition_rate = 0.1", "attrition_rate = 1000"),
                ("response_days = 14", "response_days = 365250"),
            ],
            300,
        ),
        ("one path", &[], 1),
        (
            "no shortage penalty, free stock",
            &[
                ("shortage_penalty = 2000", "shortage_penalty = 0"),
                ("unit_cost = 100", "unit_cost = 0"),
                ("salvage_value = 5", "salvage_value = 0"),
            ],
            300,
        ),
        (
            "a one-year table over 999 years",
            &[
                ("horizon_years = 20", "horizon_years = 999"),
                ("model = \"exponential\"", "model = \"table\""),
                ("rate = 20", "rates = [0.5]"),
                ("half_life_years = 5", ""),
            ],
            50,
        ),
    ];
    for (name, edits, paths) in cases {
        let s = run(name, &edited(edits), *paths);
        for p in &s.policies {
            assert!(p.total_cost.std_err >= 0.0, "{name}");
            assert!(
                p.total_cost.p05 <= p.total_cost.p50 && p.total_cost.p50 <= p.total_cost.p95,
                "{name}: quantiles out of order"
            );
            let fr = p.fill_rate.unwrap_or(1.0);
            assert!((0.0..=1.0).contains(&fr), "{name}: fill rate {fr}");
            assert!(
                p.units.counts.filled_from_stock <= p.units.counts.demanded,
                "{name}"
            );
        }
    }
}
