//! The JSON Schemas of the JSON outputs, `schema/*.schema.json`, are generated from the Rust
//! types that are serialized into the files (with `schemars`; their doc comments are the
//! descriptions): the committed files must be exactly what the types give.
//! `PIMSIM_UPDATE_DOCS=1 cargo test --release --test integration schemas` rewrites them.
//!
//! Also: the schemas are strict (every field required, every field described, no `$id`), and
//! `sweep.json` and `portfolio.json`, written from typed structs, keep the keys of every object
//! in alphabetical order, as they were when they were built from `serde_json::json!`.

use std::fs;
use std::path::Path;

use pimsim::engine::RunSummary;
use pimsim::optimize::OptimizeReport;
use pimsim::output::portfolio::PortfolioReport;
use pimsim::output::sweep::SweepReport;
use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

use crate::common::pimsim;

const UPDATE_ENV: &str = "PIMSIM_UPDATE_DOCS";
const UPDATE_HINT: &str = "PIMSIM_UPDATE_DOCS=1 cargo test --release --test integration schemas";

/// One output file and its schema.
struct Output {
    /// The schema's path in the repository.
    path: &'static str,
    /// The schema's `title`.
    title: &'static str,
    /// The schema of the file's type, as generated.
    generate: fn() -> Value,
}

const OUTPUTS: [Output; 4] = [
    Output {
        path: "schema/summary.schema.json",
        title: "pimsim summary.json",
        generate: schema_of::<RunSummary>,
    },
    Output {
        path: "schema/optimize.schema.json",
        title: "pimsim optimize.json",
        generate: schema_of::<OptimizeReport>,
    },
    Output {
        path: "schema/sweep.schema.json",
        title: "pimsim sweep.json",
        generate: schema_of::<SweepReport>,
    },
    Output {
        path: "schema/portfolio.schema.json",
        title: "pimsim portfolio.json",
        generate: schema_of::<PortfolioReport>,
    },
];

/// The JSON Schema (draft 2020-12) of how `T` is serialized: an `Option` field is required
/// and may be `null`.
fn schema_of<T: JsonSchema>() -> Value {
    SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
        .to_value()
}

/// Joins the lines of each paragraph of every `description` (doc comments are wrapped at 100
/// columns; a schema's reader wraps text itself), keeping blank lines between paragraphs.
fn unwrap_descriptions(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                match value {
                    Value::String(text) if key == "description" => {
                        *text = text
                            .split("\n\n")
                            .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
                            .collect::<Vec<_>>()
                            .join("\n\n");
                    }
                    _ => unwrap_descriptions(value),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(unwrap_descriptions),
        _ => {}
    }
}

/// The schema of `output` as it is committed: generated, descriptions unwrapped, with its
/// title, pretty-printed with a final newline.
fn rendered(output: &Output) -> (Value, String) {
    let mut schema = (output.generate)();
    unwrap_descriptions(&mut schema);
    schema
        .as_object_mut()
        .expect("a root schema is an object")
        .insert("title".into(), output.title.into());
    let mut text = serde_json::to_string_pretty(&schema).unwrap();
    text.push('\n');
    (schema, text)
}

#[test]
fn committed_schemas_are_generated_from_the_types() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let update = std::env::var_os(UPDATE_ENV).is_some_and(|v| v == "1");
    let mut stale = Vec::new();
    for output in &OUTPUTS {
        let (_, text) = rendered(output);
        let path = root.join(output.path);
        if update {
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, &text).unwrap();
            continue;
        }
        let Ok(committed) = fs::read_to_string(&path) else {
            stale.push(format!("{} is missing", output.path));
            continue;
        };
        if committed != text {
            let line = committed
                .lines()
                .zip(text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(committed.lines().count().min(text.lines().count()));
            stale.push(format!(
                "{} differs from what the types give, first at line {}:\n    committed: {}\n    \
                 generated: {}",
                output.path,
                line + 1,
                committed
                    .lines()
                    .nth(line)
                    .unwrap_or("(end of file)")
                    .trim(),
                text.lines().nth(line).unwrap_or("(end of file)").trim(),
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "the committed JSON Schemas are out of date with the Rust types:\n  {}\nRun `{UPDATE_HINT}` \
         and commit schema/.",
        stale.join("\n  ")
    );
}

/// Calls `f` with the JSON pointer and value of every subschema of `schema`.
fn walk<'a>(pointer: &str, schema: &'a Value, f: &mut dyn FnMut(&str, &'a Value)) {
    f(pointer, schema);
    match schema {
        Value::Object(map) => {
            for (k, v) in map {
                walk(&format!("{pointer}/{k}"), v, f);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(&format!("{pointer}/{i}"), v, f);
            }
        }
        _ => {}
    }
}

#[test]
fn schemas_require_every_field_and_describe_it() {
    for output in &OUTPUTS {
        let (schema, _) = rendered(output);
        let file = output.path;
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
        assert!(schema.get("$id").is_none(), "{file} has an $id");
        assert!(
            schema["description"].as_str().is_some_and(|d| d.len() > 20),
            "{file} has no description"
        );
        let mut problems = Vec::new();
        walk("", &schema, &mut |at, s| {
            if let Some(d) = s.get("description").and_then(Value::as_str)
                && (d.contains("[`") || d.contains("crate::"))
            {
                problems.push(format!("{at}: a rustdoc link in {d:?}"));
            }
            let Some(props) = s.get("properties").and_then(Value::as_object) else {
                return;
            };
            let required: Vec<&str> = s["required"]
                .as_array()
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            // The one value of an enum variant written as `{"name": value}` is described by the
            // variant.
            let newtype_variant = props.len() == 1 && s.get("description").is_some();
            for (name, prop) in props {
                // The tag of an internally tagged enum is described by its variant.
                let is_tag = prop.get("const").is_some();
                // A field may be left out only where its description says when: the fields
                // of features a scenario does not use (uncertain delays, `[repair]`, drifting
                // records) are absent, so that files of scenarios without them stay byte for
                // byte as they were.
                let says_when_absent = prop
                    .get("description")
                    .and_then(Value::as_str)
                    .is_some_and(|d| d.contains("absent when") || d.contains("absent from"));
                if !required.contains(&name.as_str()) && !says_when_absent {
                    problems.push(format!("{at}/properties/{name} is not required"));
                }
                if !is_tag && !newtype_variant && prop.get("description").is_none() {
                    problems.push(format!("{at}/properties/{name} has no description"));
                }
            }
        });
        assert!(problems.is_empty(), "{file}:\n  {}", problems.join("\n  "));
    }
}

#[test]
fn optional_values_are_required_and_nullable() {
    let (summary, _) = rendered(&OUTPUTS[0]);
    let policy = &summary["$defs"]["PolicySummary"];
    let fill_rate = &policy["properties"]["fill_rate"];
    assert_eq!(fill_rate["type"], serde_json::json!(["number", "null"]));
    assert_eq!(
        (&fill_rate["minimum"], &fill_rate["maximum"]),
        (&0.into(), &1.into())
    );
    let comparison = &policy["properties"]["comparison"];
    assert_eq!(comparison["anyOf"][1]["type"], "null", "{comparison}");
    assert_eq!(policy["properties"]["kind"]["$ref"], "#/$defs/PolicyKind");
    // The stable names of optimize.json are at its top level.
    let (optimize, _) = rendered(&OUTPUTS[1]);
    let required = optimize["required"].as_array().unwrap();
    for name in ["policy", "best", "frontier", "policies"] {
        assert!(required.contains(&name.into()), "optimize.json: {name}");
    }
    let mut best: Vec<&str> = optimize["$defs"]["FrontierPoint"]["required"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    best.sort_unstable();
    assert_eq!(
        best,
        [
            "ci95",
            "fill_rate",
            "no_stockout_probability",
            "quantity",
            "std_err",
            "total_cost"
        ]
    );
}

/// `text` is a pretty-printed JSON document whose objects all have their keys in alphabetical
/// order (what `serde_json::json!` wrote, without serde_json's `preserve_order`).
#[track_caller]
fn assert_keys_sorted(what: &str, text: &str) {
    let value: Value = serde_json::from_str(text).unwrap();
    let mut sorted = serde_json::to_string_pretty(&value).unwrap();
    sorted.push('\n');
    let line = text.lines().zip(sorted.lines()).position(|(a, b)| a != b);
    assert!(
        line.is_none() && text == sorted,
        "{what}: keys out of alphabetical order, first at line {}: {:?}",
        line.map_or(0, |l| l + 1),
        line.and_then(|l| text.lines().nth(l))
    );
}

/// A small scenario: one partner, three policies, a text to append (a `[sweep]` table).
fn sweep_scenario(name: &str, sweep: &str) -> String {
    format!(
        r#"
[scenario]
name = "{name}"
horizon_years = 6

[simulation]
paths = 60
seed = 11

[part]
unit_cost = 50.0
on_hand = 40

[demand]
model = "exponential"
rate = 5.0
half_life_years = 3.0

[costs]
holding_rate = 0.2
salvage_value = 2.0
shortage_penalty = 300.0

[[partner]]
name = "dealer"
release_price = 10.0
buyback_price = 60.0

[[policy]]
name = "hold"
kind = "hold"

[[policy]]
name = "scrap"
kind = "scrap"
retain = 10

[[policy]]
name = "release"
kind = "partner_release"
retain = {{ cover_years = 2 }}
{sweep}"#
    )
}

#[test]
fn sweep_json_keeps_its_keys_in_alphabetical_order() {
    let dir = tempfile::tempdir().unwrap();
    // A Latin hypercube (numbers, one-at-a-time runs), and a grid of texts and tables.
    let lhs = dir.path().join("lhs.toml");
    fs::write(
        &lhs,
        sweep_scenario(
            "lhs",
            "\n[sweep]\ndesign = \"latin_hypercube\"\npoints = 3\nseed = 5\n\
             \"demand.rate\" = [2.0, 8.0]\n\"policy.scrap.retain\" = [0, 30]\n",
        ),
    )
    .unwrap();
    let grid = dir.path().join("grid.toml");
    fs::write(
        &grid,
        sweep_scenario(
            "grid",
            "\n[sweep]\n\"costs.unmet_demand\" = [\"lost\", \"backorder\"]\n\
             \"policy.release.retain\" = [5, { cover_years = 1 }]\n",
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = pimsim()
        .arg("sweep")
        .args([&lhs, &grid])
        .args(["--quiet", "--no-report", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = fs::read_to_string(out.join("sweep.json")).unwrap();
    assert_keys_sorted("sweep.json", &text);
    let value: Value = serde_json::from_str(&text).unwrap();
    let scenarios = value["scenarios"].as_array().unwrap();
    assert_eq!(scenarios[0]["design"]["kind"], "latin_hypercube");
    assert_eq!(scenarios[1]["design"], serde_json::json!({"kind": "grid"}));
    assert_eq!(
        scenarios[1]["points"][3]["values"],
        serde_json::json!({"costs.unmet_demand": "backorder", "policy.release.retain": {"cover_years": 1}})
    );
    assert!(!scenarios[0]["one_at_a_time"].as_array().unwrap().is_empty());
    assert_eq!(scenarios[1]["base"], Value::Null);
}

#[test]
fn portfolio_json_keeps_its_keys_in_alphabetical_order() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.toml");
    fs::write(&template, sweep_scenario("template", "")).unwrap();
    let parts = dir.path().join("parts.csv");
    fs::write(
        &parts,
        "part,demand.rate,part.unit_cost\nP-1,1.0,500\nP-2,6.0,20\nP-3,0.2,80\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let output = pimsim()
        .arg("portfolio")
        .arg(&parts)
        .arg("--template")
        .arg(&template)
        .args(["--paths", "50", "--fill-rate-target", "0.9"])
        .args(["--quiet", "--no-report", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = fs::read_to_string(out.join("portfolio.json")).unwrap();
    assert_keys_sorted("portfolio.json", &text);
    let value: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["parts"], 3);
    assert_eq!(value["fill_rate_target"], 0.9);
    let cells = value["classes"]["abc_xyz"].as_object().unwrap();
    assert_eq!(cells.values().filter_map(Value::as_u64).sum::<u64>(), 3);
}
