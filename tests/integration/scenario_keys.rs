//! The key table (`pimsim::scenario::keys`) and the validator cannot drift: every key of the
//! table is read by the validator, and the key lists of its messages are the table's.

use std::path::Path;

use pimsim::error::{InputError, Problem, Severity};
use pimsim::scenario::keys::{self, Key, Kind, Limits};
use pimsim::scenario::{LoadedScenario, Scenario};

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
        "partner[]" => partners = true,
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

/// Every numeric key of the table with its dotted path (sweep keys apart: the sweep reads
/// them).
fn numeric_keys() -> Vec<(String, &'static Key)> {
    keys::all_keys()
        .into_iter()
        .filter(|(path, k)| k.limits != Limits::None && !path.starts_with("sweep."))
        .collect()
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
