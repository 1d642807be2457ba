//! The key table (`pimsim::scenario::keys`) and the validator cannot drift: every key of the
//! table is read by the validator; every numeric limit of the table is where the validator
//! draws it (a value just outside is refused at exactly that key, with line and column, a
//! value just inside is accepted); and every numeric key fed extreme values (5e-324, -0.0,
//! 1e308, 1 − 2^-53, 2^63, inf, nan, …) is either accepted, and then plans and runs, or refused
//! at the key that was written (or at a key the table says it also limits), never with a panic
//! and never without a position.

use std::path::Path;

use pimsim::engine::{self, RunSettings};
use pimsim::error::{InputError, Problem, Severity};
use pimsim::scenario::keys::{self, Key, Kind, Limits};
use pimsim::scenario::{LoadedScenario, Scenario};
use pimsim::sweep::SweepPlan;

/// A scenario file being built: sections in order, each a header and `key = value` lines.
struct Doc {
    sections: Vec<(String, Vec<(String, String)>)>,
}

impl Doc {
    fn new() -> Doc {
        Doc {
            sections: Vec::new(),
        }
    }

    fn section(&mut self, header: &str) -> &mut Vec<(String, String)> {
        let i = match self.sections.iter().position(|(h, _)| h == header) {
            Some(i) => i,
            None => {
                self.sections.push((header.to_string(), Vec::new()));
                self.sections.len() - 1
            }
        };
        &mut self.sections[i].1
    }

    /// Sets `key = value` in the first section `header` (created at the end if absent).
    fn set(&mut self, header: &str, key: &str, value: &str) -> &mut Doc {
        let lines = self.section(header);
        match lines.iter_mut().find(|(k, _)| k == key) {
            Some(line) => line.1 = value.to_string(),
            None => lines.push((key.to_string(), value.to_string())),
        }
        self
    }

    fn remove(&mut self, header: &str, key: &str) -> &mut Doc {
        self.section(header).retain(|(k, _)| k != key);
        self
    }

    /// Appends another element of an array of tables.
    fn push(&mut self, header: &str, lines: &[(&str, &str)]) -> &mut Doc {
        self.sections.push((
            header.to_string(),
            lines
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        ));
        self
    }

    fn render(&self) -> String {
        let mut out = String::new();
        for (header, lines) in &self.sections {
            out.push_str(header);
            out.push('\n');
            for (k, v) in lines {
                out.push_str(&format!("{k} = {v}\n"));
            }
        }
        out
    }
}

/// 1 − x for a literal in [0, 1] (so that two shares or probabilities sum to 1), else 0.5.
fn complement(literal: &str) -> String {
    match literal.parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => format!("{:?}", 1.0 - x),
        _ => "0.5".into(),
    }
}

/// A valid scenario in which the key at `path` (a dotted path of the key table) is written as
/// `literal`, and the key the validator names it by (`policy[0].retain`, `demand.rates[0]`).
/// `rich`: every table is used (shrinkage, rate uncertainty, sudden death, re-manufacture,
/// two partners, a quantile policy), so that limits across tables come into play.
fn fixture(path: &str, literal: &str, rich: bool) -> (String, String) {
    let mut d = Doc::new();
    d.set("[scenario]", "horizon_years", "20")
        .set("[part]", "unit_cost", "100")
        .set("[part]", "on_hand", "200")
        .set("[demand]", "model", "\"exponential\"")
        .set("[demand]", "rate", "20")
        .set("[demand]", "half_life_years", "5")
        .set("[costs]", "holding_rate", "0.1")
        .set("[costs]", "shortage_penalty", "2000");
    let mut policy = vec![("name", "\"first\""), ("kind", "\"hold\"")];
    if rich {
        d.set("[scenario]", "discount_rate", "0.05")
            .set("[demand.order_size]", "distribution", "\"poisson\"")
            .set("[demand.order_size]", "mean", "1.5")
            .set("[demand.uncertainty]", "rate_cv", "0.3")
            .set("[demand.obsolescence]", "annual_probability", "0.02")
            .set("[stock]", "shrinkage_rate", "0.01")
            .set("[replenishment]", "reorder_point", "0")
            .set("[replenishment]", "order_up_to", "2")
            .set("[remanufacture]", "setup_cost", "10000")
            .set("[remanufacture]", "unit_cost", "300")
            .set("[remanufacture]", "cost_escalation", "0.02")
            .set("[remanufacture]", "lead_time_years", "0.5")
            .set("[remanufacture]", "available_until_years", "15");
        policy = vec![
            ("name", "\"first\""),
            ("kind", "\"scrap\""),
            ("retain", "50"),
            ("at_years", "1"),
            ("review_every_years", "5"),
        ];
    }
    let (table, name) = path.rsplit_once('.').unwrap_or(("", path));
    let expected = path.replace("[]", "[0]");
    let key = keys::find(path).unwrap_or_else(|| panic!("{path} is not in the key table"));
    let mut partners = rich;
    let value = literal.to_string();
    match table {
        "demand" => {
            let model = key.applies_to.first().copied().unwrap_or("exponential");
            d.set("[demand]", "model", &format!("\"{model}\""));
            d.remove("[demand]", "half_life_years");
            match model {
                "exponential" if name != "half_life_years" && name != "decay_rate" => {
                    d.set("[demand]", "half_life_years", "5");
                }
                "linear" => {
                    d.set("[demand]", "end_years", "30");
                }
                "installed_base" => {
                    d.remove("[demand]", "rate")
                        .set("[demand]", "units_in_field", "1000")
                        .set("[demand]", "retirement_scale_years", "30")
                        .set("[demand]", "failure_rate", "0.01");
                }
                "table" => {
                    d.remove("[demand]", "rate");
                }
                _ => {}
            }
            let written = if key.kind == Kind::Numbers {
                format!("[{value}]")
            } else {
                value
            };
            d.set("[demand]", name, &written);
        }
        "demand.order_size" => {
            let distribution = key.applies_to.first().copied().unwrap_or("poisson");
            d.set(
                "[demand.order_size]",
                "distribution",
                &format!("\"{distribution}\""),
            );
            d.remove("[demand.order_size]", "mean");
            if distribution == "negative_binomial" && name != "mean" {
                d.set("[demand.order_size]", "mean", "1.5");
            }
            if distribution == "negative_binomial" && name != "dispersion" {
                d.set("[demand.order_size]", "dispersion", "0.5");
            }
            let written = if key.kind == Kind::Numbers {
                format!("[{value}, {}]", complement(literal))
            } else {
                value
            };
            d.set("[demand.order_size]", name, &written);
        }
        "costs.holding" => {
            d.remove("[costs]", "holding_rate");
            d.set("[costs.holding]", name, &value);
        }
        "costs" => {
            if name == "backorder_cost_per_year" {
                d.set("[costs]", "unmet_demand", "\"backorder\"");
            }
            d.set("[costs]", name, &value);
        }
        "remanufacture" => {
            d.set("[remanufacture]", "unit_cost", "300")
                .set("[remanufacture]", "lead_time_years", "0.5")
                .set("[remanufacture]", name, &value);
        }
        "repair" => {
            d.set("[repair]", "return_rate", "0.5")
                .set("[repair]", "return_delay_years", "0.2")
                .set("[repair]", "unit_cost", "40")
                .set("[repair]", "lead_time_years", "0.25")
                .set("[repair]", name, &value);
        }
        "partner[]" => partners = true,
        "remanufacture.lead_time_years" => {
            d.set("[remanufacture]", "unit_cost", "300").set(
                "[remanufacture]",
                "lead_time_years",
                &delay_table(table, key, name, literal),
            );
        }
        "partner[].response_days" => partners = true,
        "policy[]" | "policy[].retain" | "policy[].replenishment" => {
            policy = vec![("name", "\"first\""), ("kind", "\"scrap\"")];
        }
        t => {
            d.set(&format!("[{t}]"), name, &value);
        }
    }
    if partners {
        let share = complement(literal);
        let mut first = vec![
            ("name", "\"dealers\""),
            ("share", "0.6"),
            ("release_price", "20"),
            ("buyback_price", "250"),
            ("reliability", "0.9"),
        ];
        let mut second_share = "0.4".to_string();
        let response = delay_table(table, key, name, literal);
        if table == "partner[].response_days" {
            first.push(("response_days", &response));
        }
        if table == "partner[]" {
            match first.iter_mut().find(|(k, _)| *k == name) {
                Some(line) => line.1 = literal,
                None => first.push((name, literal)),
            }
            if name == "share" {
                second_share = share;
            }
        }
        d.push("[[partner]]", &first);
        d.push(
            "[[partner]]",
            &[
                ("name", "\"broker\""),
                ("share", &second_share),
                ("release_price", "15"),
                ("buyback_price", "280"),
            ],
        );
    }
    let retain_literal;
    match table {
        "policy[]" => match policy.iter_mut().find(|(k, _)| *k == name) {
            Some(line) => line.1 = literal,
            None => policy.push((name, literal)),
        },
        "policy[].retain" => {
            retain_literal = format!("{{ {name} = {literal} }}");
            policy.push(("retain", &retain_literal));
        }
        "policy[].replenishment" => {
            retain_literal = format!("{{ {name} = {literal} }}");
            policy.push(("replenishment", &retain_literal));
        }
        _ => {}
    }
    if policy.iter().any(|(_, v)| *v == "\"scrap\"") && !policy.iter().any(|(k, _)| *k == "retain")
    {
        policy.push(("retain", "10"));
    }
    d.push("[[policy]]", &policy);
    if rich {
        d.push("[[policy]]", &[("name", "\"hold\""), ("kind", "\"hold\"")]);
        d.push(
            "[[policy]]",
            &[
                ("name", "\"release\""),
                ("kind", "\"partner_release\""),
                ("retain", "{ quantile = 0.9 }"),
                ("replenishment", "{ reorder_point = 1, order_up_to = 3 }"),
            ],
        );
    }
    let expected = if key.kind == Kind::Numbers {
        format!("{expected}[0]")
    } else {
        expected
    };
    (d.render(), expected)
}

/// A delay written as a table of the distribution `key` belongs to (in delay table `table`),
/// its parameters valid, `name` written as `literal` (as the first of two values for arrays).
fn delay_table(table: &str, key: &Key, name: &str, literal: &str) -> String {
    let distribution = key.applies_to.first().copied().unwrap_or("gamma");
    let longest = keys::find(&format!("{table}.hi"))
        .and_then(|k| k.bound().upper())
        .map_or(1.0, |(hi, _)| hi);
    let mut fields: Vec<(&str, String)> = match distribution {
        "fixed" => vec![("value", "0.5".into())],
        "uniform" => vec![("lo", "0".into()), ("hi", float(longest))],
        "empirical" => vec![
            ("values", "[0.5, 1.0]".into()),
            ("weights", "[1, 3]".into()),
        ],
        _ => vec![("mean", "0.5".into()), ("cv", "0.5".into())],
    };
    let written = if key.kind == Kind::Numbers {
        format!("[{literal}, 1.0]")
    } else {
        literal.to_string()
    };
    match fields.iter_mut().find(|(k, _)| *k == name) {
        Some(field) => field.1 = written,
        None => fields.push((name, written)),
    }
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("{k} = {v}")).collect();
    format!(
        "{{ distribution = \"{distribution}\", {} }}",
        body.join(", ")
    )
}

/// Every numeric key of the table with its dotted path (sweep keys apart: see
/// [`sweep_settings_are_checked_against_the_table`]).
fn numeric_keys() -> Vec<(String, &'static Key)> {
    keys::all_keys()
        .into_iter()
        .filter(|(path, k)| k.limits != Limits::None && !path.starts_with("sweep."))
        .collect()
}

/// The table's name of a key the validator names `problem_key`: indices become `[]`, the
/// element of an array of numbers is dropped (`policy[2].retain` → `policy[].retain`,
/// `demand.rates[0]` → `demand.rates`).
fn table_path(problem_key: &str) -> String {
    let mut out = String::new();
    let mut chars = problem_key.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '[' {
            while chars.peek().is_some_and(|c| *c != ']') {
                chars.next();
            }
        }
    }
    match out.strip_suffix("[]") {
        Some(array) if keys::find(array).is_some_and(|k| k.kind == Kind::Numbers) => {
            array.to_string()
        }
        _ => out,
    }
}

/// Whether an error at `problem_key` is the written key's own, or one the table documents:
/// the key at `problem_key` lists `written` (or a `table.*` covering it) among the keys that
/// also limit it.
fn explained(written: &str, problem_key: &str) -> bool {
    let at = table_path(problem_key);
    if at == written {
        return true;
    }
    keys::find(&at).is_some_and(|k| {
        k.also_limited_by.iter().any(|d| {
            *d == written
                || d.strip_suffix('*')
                    .is_some_and(|prefix| written.starts_with(prefix))
        })
    })
}

/// The errors of `result` (empty when it is valid).
fn errors(result: &Result<LoadedScenario, InputError>) -> Vec<Problem> {
    match result {
        Ok(_) => Vec::new(),
        Err(InputError::Problems(problems)) => problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .cloned()
            .collect(),
        Err(other) => panic!("not a problem list: {other}"),
    }
}

fn load(text: &str) -> Result<LoadedScenario, InputError> {
    Scenario::from_toml(Path::new("keys.toml"), text)
}

#[test]
fn every_key_of_the_table_is_read_by_the_validator() {
    // A key the validator does not know is an "unknown key" error; one that it knows is not.
    for (path, key) in numeric_keys() {
        let inside = inside_values(key);
        let literal = inside.first().map_or("1".to_string(), |(v, _)| v.clone());
        let (text, _) = fixture(&path, &literal, false);
        for e in errors(&load(&text)) {
            assert!(
                !e.message.starts_with("unknown key"),
                "{path}: {e}\n--- scenario:\n{text}"
            );
        }
    }
    // And the key lists the validator reports are the table's.
    let (text, _) = fixture("costs.salvage_value", "5", false);
    let e = errors(&load(&text.replace("salvage_value", "salvage_valeu")));
    assert_eq!(e.len(), 1, "{e:?}");
    let costs = keys::table("costs").unwrap().names().join(", ");
    assert!(
        e[0].message.contains(&format!(
            "did you mean `salvage_value`? allowed here: {costs}"
        )),
        "{}",
        e[0]
    );
}

/// The literal of `x`, exactly (shortest round trip).
fn float(x: f64) -> String {
    format!("{x:?}")
}

/// Values just inside the key's limits, with which limit they probe.
fn inside_values(key: &Key) -> Vec<(String, String)> {
    match key.limits {
        Limits::Number(b) => {
            let (lo, lo_in) = b.lower();
            let mut out = vec![(
                float(if lo_in { lo } else { lo.next_up() }),
                format!("lower {lo}"),
            )];
            if let Some((hi, hi_in)) = b.upper() {
                out.push((
                    float(if hi_in { hi } else { hi.next_down() }),
                    format!("upper {hi}"),
                ));
            }
            if let keys::Bound::Money(..) = b {
                out.push((float(keys::MIN_MONEY), "smallest money".into()));
            }
            out
        }
        Limits::Integer(min, max) => vec![
            (min.to_string(), "lower".into()),
            (max.to_string(), "upper".into()),
        ],
        Limits::None => Vec::new(),
    }
}

/// Values just outside the key's limits.
fn outside_values(key: &Key) -> Vec<(String, String)> {
    match key.limits {
        Limits::Number(b) => {
            let (lo, lo_in) = b.lower();
            let mut out = vec![(
                float(if lo_in { lo.next_down() } else { lo }),
                format!("lower {lo}"),
            )];
            if let Some((hi, hi_in)) = b.upper() {
                out.push((
                    float(if hi_in { hi.next_up() } else { hi }),
                    format!("upper {hi}"),
                ));
            }
            if let keys::Bound::Money(..) = b {
                out.push((float(keys::MIN_MONEY.next_down()), "smallest money".into()));
            }
            out
        }
        Limits::Integer(min, max) => {
            let below = (min as i128 - 1).to_string();
            let above = (max as i128 + 1).to_string();
            vec![(below, "lower".into()), (above, "upper".into())]
        }
        Limits::None => Vec::new(),
    }
}

#[test]
fn every_numeric_limit_of_the_table_is_the_validators() {
    let mut failures = Vec::new();
    let keys = numeric_keys();
    assert!(keys.len() >= 50, "{} numeric keys", keys.len());
    for (path, key) in &keys {
        for (literal, which) in outside_values(key) {
            let (text, expected) = fixture(path, &literal, false);
            let e = errors(&load(&text));
            let exact = !e.is_empty()
                && e.iter()
                    .all(|p| p.key == expected && p.line > 0 && p.column > 0);
            if !exact {
                failures.push(format!(
                    "{path} = {literal} ({which}, outside): expected an error at exactly \
                     `{expected}` with line and column, got {e:#?}"
                ));
            }
        }
        for (literal, which) in inside_values(key) {
            let (text, _) = fixture(path, &literal, false);
            let e = errors(&load(&text));
            // A limit that involves other keys (listed in the table) may refuse a value
            // inside the key's own limits, at that key, with its own message.
            let documented = !key.also_limited_by.is_empty()
                && e.iter()
                    .all(|p| explained(path, &p.key) && !p.message.starts_with("must be a"));
            if !e.is_empty() && !documented {
                failures.push(format!(
                    "{path} = {literal} ({which}, inside): expected it accepted, got {e:#?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} limits differ between the key table and the validator:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Extreme literals: the smallest subnormal, signed zeros, the largest doubles, the numbers
/// around 1 and around 2^53 and 2^63, integers beyond 64 bits, infinities and NaN.
const EXTREMES: &[&str] = &[
    "5e-324",
    "-5e-324",
    "-0.0",
    "0.0",
    "0",
    "-1",
    "1",
    "2.2250738585072014e-308",
    "2.225073858507201e-308",
    "1e-9",
    "0.5",
    "0.9999999999999999",
    "0.99999999999999994",
    "1.0000000000000002",
    "1e308",
    "-1e308",
    "1.7976931348623157e308",
    "1e309",
    "4294967296",
    "1000000000000",
    "1000000000001",
    "9007199254740993",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "1e19",
    "inf",
    "-inf",
    "nan",
];

#[test]
fn every_numeric_key_survives_extreme_values() {
    let mut failures = Vec::new();
    let mut runs = 0;
    for (path, _) in numeric_keys() {
        for literal in EXTREMES {
            let (text, _) = fixture(&path, literal, true);
            let outcome = std::panic::catch_unwind(|| check_extreme(&path, &text));
            match outcome {
                Ok(Ok(ran)) => runs += usize::from(ran),
                Ok(Err(why)) => failures.push(format!("{path} = {literal}: {why}")),
                Err(_) => failures.push(format!("{path} = {literal}: panicked")),
            }
        }
    }
    assert!(runs > 100, "only {runs} cases ran");
    assert!(
        failures.is_empty(),
        "{} extreme values were not handled:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Validates `text` (with `path` written), plans it and runs 20 paths when valid. Ok(true) when
/// it ran, Ok(false) when it was refused properly, Err(why) otherwise.
fn check_extreme(path: &str, text: &str) -> Result<bool, String> {
    let proper = |e: &[Problem]| -> Result<bool, String> {
        match e
            .iter()
            .find(|p| !explained(path, &p.key) || p.line == 0 || p.column == 0)
        {
            Some(p) => Err(format!("refused at another key or without a position: {p}")),
            None => Ok(false),
        }
    };
    let loaded = match load(text) {
        Ok(loaded) => loaded,
        Err(e) => {
            let e = errors(&Err(e));
            return if e.is_empty() {
                Err("refused without an error".into())
            } else {
                proper(&e)
            };
        }
    };
    let plan = match pimsim::inventory::Plan::of(&loaded) {
        Ok(plan) => plan,
        Err(e) => return proper(&errors(&Err(e))),
    };
    // Every order is simulated: a demand near the limit of 10^8 orders per path (a failure
    // growth of 100 % a year, say) runs one path, or only plans beyond a million orders.
    let orders = loaded
        .scenario
        .demand
        .expected_orders(0.0, loaded.scenario.horizon_years);
    if orders > 1e6 {
        return Ok(false);
    }
    let settings = RunSettings {
        paths: if orders > 1e4 { 1 } else { 20 },
        seed: 3,
        threads: 1,
    };
    let summary = engine::run(&loaded.scenario, &plan, settings, &|_| {});
    summary
        .check_finite()
        .map_err(|e| format!("accepted, but the results are not finite: {e}"))?;
    Ok(true)
}

#[test]
fn a_half_life_too_short_to_divide_by_is_refused_at_the_half_life() {
    let (text, _) = fixture("demand.half_life_years", "5e-324", false);
    let e = errors(&load(&text));
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].key, "demand.half_life_years");
    assert_eq!(e[0].value.as_deref(), Some("5e-324"));
    assert!(e[0].line > 0 && e[0].column > 0);
    assert!(
        e[0].message
            .contains("must be a number > 0 (years); 5e-324 is below 2.2250738585072014e-308"),
        "{}",
        e[0]
    );
}

#[test]
fn an_unreachable_quantile_is_refused_at_its_line_and_column() {
    // With a small remaining demand the computed distribution function stops at 1 − 2^-52,
    // below 1 − 2^-53: the quantile is never reached.
    let text = "[scenario]\nhorizon_years = 20\n[part]\nunit_cost = 100\non_hand = 200\n\
                [demand]\nmodel = \"constant\"\nrate = 0.025\n[costs]\nholding_rate = 0.1\n\
                shortage_penalty = 2000\n[[policy]]\nname = \"q\"\nkind = \"scrap\"\n\
                retain = { quantile = 0.9999999999999999 }\n";
    let loaded = load(text).expect("valid: the quantile is in (0, 1)");
    let started = std::time::Instant::now();
    let e = errors(&pimsim::inventory::Plan::of(&loaded).map(|_| loaded.clone()));
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    assert_eq!(e.len(), 1, "{e:#?}");
    assert_eq!(e[0].key, "policy[0].retain.quantile");
    assert_eq!((e[0].line, e[0].column), (15, 23), "{}", e[0]);
    assert_eq!(e[0].value.as_deref(), Some("0.9999999999999999"));
    assert!(e[0].message.contains("is never reached"), "{}", e[0]);
    // A quantile the distribution reaches plans as before.
    let ok = load(&text.replace("0.9999999999999999", "0.999999")).unwrap();
    assert!(pimsim::inventory::Plan::of(&ok).is_ok());
}

#[test]
fn sweep_settings_are_checked_against_the_table() {
    let base = "[scenario]\nhorizon_years = 5\n[part]\nunit_cost = 100\non_hand = 20\n\
                [demand]\nmodel = \"constant\"\nrate = 2\n[costs]\nholding_rate = 0.1\n\
                shortage_penalty = 2000\n[[policy]]\nname = \"hold\"\nkind = \"hold\"\n";
    let sweep = |points: &str, seed: &str| {
        format!(
            "{base}[sweep]\ndesign = \"latin_hypercube\"\npoints = {points}\nseed = {seed}\n\
             \"part.on_hand\" = [10, 30]\n"
        )
    };
    let (min, max) = keys::find("sweep.points").unwrap().integer_limits();
    let (seed_min, _) = keys::find("sweep.seed").unwrap().integer_limits();
    let check = |text: String| SweepPlan::from_toml(Path::new("s.toml"), &text);
    for bad in [(min - 1).to_string(), (max + 1).to_string()] {
        let e = check(sweep(&bad, "1")).unwrap_err().to_string();
        assert!(e.contains(": error: `sweep.points` = "), "{e}");
        assert!(e.contains(&format!("in [{min}, {max}]")), "{e}");
    }
    let e = check(sweep("2", &(seed_min - 1).to_string()))
        .unwrap_err()
        .to_string();
    assert!(e.contains(": error: `sweep.seed` = -1"), "{e}");
    // (The upper limit of points is not run here: 100,000 points take seconds to validate.)
    let plan = check(sweep(&min.to_string(), &i64::MAX.to_string())).unwrap();
    assert_eq!(plan.points.len(), 1);
}
