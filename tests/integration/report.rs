//! The report: `report.html` and the chart files, read back with an XML parser and checked
//! against `summary.json` and the scenario's own numbers.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{parse_xml, pimsim, svg_texts, text_of};
use pimsim::output::charts::{Chart, PNG_SCALE, TITLE_HEIGHT};
use pimsim::output::{money, signed_money};
use serde_json::Value;

/// Runs `scenario` with `args` into a fresh directory and returns it (kept alive by `dir`).
fn run(dir: &tempfile::TempDir, scenario: &str, args: &[&str]) -> PathBuf {
    let out = dir.path().join("out");
    let result = pimsim()
        .args(["run", scenario, "--quiet", "--out"])
        .arg(&out)
        .args(args)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    out
}

fn summary_json(out: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The figure of `chart` in the report and the texts of its inline SVG.
fn chart_texts(doc: &roxmltree::Document<'_>, chart: Chart) -> Vec<String> {
    let id = format!("chart-{}", chart.file_stem());
    let figure = doc
        .descendants()
        .find(|n| n.attribute("id") == Some(id.as_str()))
        .unwrap_or_else(|| panic!("no figure {id}"));
    let svg = figure
        .descendants()
        .find(|n| n.has_tag_name("svg"))
        .unwrap_or_else(|| panic!("{id} has no inline SVG"));
    svg_texts(svg)
}

#[track_caller]
fn assert_has(texts: &[String], wanted: &str, what: &str) {
    assert!(
        texts.iter().any(|t| t.contains(wanted)),
        "{what}: no text contains {wanted:?}; texts: {texts:?}"
    );
}

#[test]
fn every_number_in_the_report_equals_summary_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&dir, "scenarios/heavy_machinery.toml", &["--paths", "3000"]);
    let json = summary_json(&out);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let doc = parse_xml(&html);
    let mut checked = BTreeSet::new();
    for node in doc.descendants().filter(|n| n.has_attribute("data-key")) {
        let key = node.attribute("data-key").unwrap();
        let shown: f64 = node.attribute("data-value").unwrap().parse().unwrap();
        let expected = json
            .pointer(key)
            .unwrap_or_else(|| panic!("{key} is not in summary.json"));
        // serde_json's default float parser may be one unit in the last place off; the page
        // prints Rust's shortest round-trip form of the very value written to the JSON.
        let expected = f(expected);
        assert!(
            shown == expected || (shown - expected).abs() <= 4.0 * f64::EPSILON * expected.abs(),
            "{key}: page {shown}, summary.json {expected}"
        );
        checked.insert(key.to_string());
    }
    // Cost, service, cost lines, units and demand of every policy are there.
    for key in [
        "/verdict/mean_total_cost",
        "/verdict/saving_vs_runner_up",
        "/policies/0/total_cost/mean",
        "/policies/4/total_cost/p95",
        "/policies/2/fill_rate",
        "/policies/1/cost_breakdown/remanufacture",
        "/policies/3/comparison/probability_cheaper",
        "/policies/2/units/bought_back",
        "/demand/annual/24/p95",
    ] {
        assert!(checked.contains(key), "{key} not shown");
    }
    assert!(
        checked.len() > 300,
        "only {} numbers checked",
        checked.len()
    );
}

#[test]
fn verdict_names_the_cheapest_policy_and_its_cost_as_in_the_tables() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let terminal = pimsim()
        .args([
            "run",
            "scenarios/heavy_machinery.toml",
            "--paths",
            "3000",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(terminal.status.success());
    let terminal = String::from_utf8(terminal.stdout).unwrap();
    let json = summary_json(&out);
    let cheapest = json["verdict"]["cheapest"].as_str().unwrap();
    let cost = money(f(&json["verdict"]["mean_total_cost"]));
    let runner_up = json["verdict"]["runner_up"].as_str().unwrap();
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let doc = parse_xml(&html);
    let verdict = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("verdict"))
        .expect("a verdict section");
    let text = text_of(verdict);
    assert!(
        text.contains(&format!("{cheapest} is the cheapest policy: {cost}")),
        "{text}"
    );
    assert!(text.contains(runner_up), "{text}");
    assert!(text.contains("EUR"), "{text}");
    let saving = money(f(&json["verdict"]["saving_vs_runner_up"]));
    assert!(text.contains(&saving), "{text}");
    // The verdict comes first, before the assumptions and the charts.
    let verdict_at = html.find("id=\"verdict\"").unwrap();
    assert!(verdict_at < html.find("id=\"assumptions\"").unwrap());
    assert!(verdict_at < html.find("id=\"chart-demand\"").unwrap());
    // The same figure in the report's table and in the terminal table.
    let index = json["policies"]
        .as_array()
        .unwrap()
        .iter()
        .position(|p| p["name"] == cheapest)
        .unwrap();
    let key = format!("/policies/{index}/total_cost/mean");
    let cell = doc
        .descendants()
        .find(|n| n.has_tag_name("td") && n.attribute("data-key") == Some(key.as_str()))
        .unwrap();
    assert_eq!(cell.text(), Some(cost.as_str()));
    assert!(
        terminal.contains(&format!("Cheapest: {cheapest} at {cost}")),
        "{terminal}"
    );
}

#[test]
fn each_chart_is_inline_and_carries_the_scenarios_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&dir, "scenarios/heavy_machinery.toml", &["--paths", "2000"]);
    let json = summary_json(&out);
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let doc = parse_xml(&html);
    let policies = json["policies"].as_array().unwrap();
    // Self-contained: no external scripts, styles or images.
    for node in doc.descendants() {
        for attr in ["src", "href"] {
            if let Some(link) = node.attribute(attr) {
                assert!(
                    !link.contains("://") && (attr == "href" || node.has_tag_name("img")),
                    "external or loaded asset: <{} {attr}={link}>",
                    node.tag_name().name()
                );
            }
        }
        assert!(!node.has_tag_name("script") && !node.has_tag_name("link"));
    }

    let demand = chart_texts(&doc, Chart::Demand);
    assert_has(&demand, "units demanded per year", "demand axis");
    let expected = (f(&json["demand"]["expected_units"]) * 10.0).round() / 10.0;
    assert_has(
        &demand,
        &format!("{expected} units expected"),
        "demand total",
    );
    assert_has(&demand, "3 single futures", "demand sample paths");

    let stock = chart_texts(&doc, Chart::Stock);
    assert_has(&stock, "units on hand", "stock axis");
    let distribution = chart_texts(&doc, Chart::CostDistribution);
    assert_has(&distribution, "(EUR, present value at t = 0)", "cost axis");
    let breakdown = chart_texts(&doc, Chart::CostBreakdown);
    assert_has(
        &breakdown,
        "(EUR, present value at t = 0)",
        "breakdown axis",
    );
    let comparison = chart_texts(&doc, Chart::Comparison);
    assert_has(&comparison, "(EUR)", "comparison axis");
    let service = chart_texts(&doc, Chart::Service);
    assert_has(&service, "futures run short by then", "service axis");

    for p in policies {
        let name = p["name"].as_str().unwrap();
        assert_has(&stock, name, "stock panel");
        assert_has(&distribution, name, "distribution row");
        assert_has(&breakdown, name, "breakdown bar");
        assert_has(&service, name, "service bars");
        let cost = &p["total_cost"];
        assert_has(
            &distribution,
            &format!("mean {}", money(f(&cost["mean"]))),
            name,
        );
        assert_has(
            &distribution,
            &format!("P95 {}", money(f(&cost["p95"]))),
            name,
        );
        assert_has(
            &breakdown,
            &format!("total {}", money(f(&cost["mean"]))),
            name,
        );
        if let Some(fill) = p["fill_rate"].as_f64() {
            assert_has(&service, &format!("{:.1} %", 100.0 * fill), name);
        }
        let c = &p["comparison"];
        if c.is_null() {
            continue;
        }
        let half = (f(&c["ci95"][1]) - f(&c["ci95"][0])) / 2.0;
        assert_has(
            &comparison,
            &format!(
                "mean {} ± {} (95 % CI) · cheaper on {:.1} % of futures",
                signed_money(f(&c["mean_difference"])),
                money(half),
                100.0 * f(&c["probability_cheaper"])
            ),
            name,
        );
        assert_has(&comparison, name, "comparison row");
    }
}

#[test]
fn chart_files_are_svg_and_png_of_the_right_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(&dir, "scenarios/multi_partner.toml", &["--paths", "1000"]);
    let json = summary_json(&out);
    let first = json["policies"][0]["name"].as_str().unwrap();
    for chart in Chart::ALL {
        let svg = fs::read_to_string(out.join(chart.svg_name())).unwrap();
        let doc = parse_xml(&svg);
        let root = doc.root_element();
        assert!(root.has_tag_name("svg"), "{}", chart.svg_name());
        let texts = svg_texts(root);
        // The file carries its own title, the report's inline copy does not.
        assert_has(&texts, chart.title(), chart.svg_name());
        if chart != Chart::Demand {
            assert_has(&texts, first, chart.svg_name());
        }
        if matches!(
            chart,
            Chart::CostDistribution | Chart::CostBreakdown | Chart::Comparison
        ) {
            assert_has(&texts, "USD", chart.svg_name());
        }
        let width: f64 = root.attribute("width").unwrap().parse().unwrap();
        let height: f64 = root.attribute("height").unwrap().parse().unwrap();

        let png = fs::read(out.join(chart.png_name())).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{}", chart.png_name());
        let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as f64;
        assert_eq!(&png[12..16], b"IHDR");
        assert_eq!(be(16), (width * PNG_SCALE).round(), "{}", chart.png_name());
        assert_eq!(be(20), (height * PNG_SCALE).round(), "{}", chart.png_name());
    }
    // The inline copy is the chart without its title.
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let doc = parse_xml(&html);
    let inline = chart_texts(&doc, Chart::Stock);
    assert!(!inline.iter().any(|t| t == Chart::Stock.title()));
    let file = fs::read_to_string(out.join(Chart::Stock.svg_name())).unwrap();
    let file_height: u32 = parse_xml(&file)
        .root_element()
        .attribute("height")
        .unwrap()
        .parse()
        .unwrap();
    let svg = doc
        .descendants()
        .find(|n| n.attribute("id") == Some("chart-stock"))
        .and_then(|f| f.descendants().find(|n| n.has_tag_name("svg")))
        .unwrap();
    let inline_height: u32 = svg.attribute("height").unwrap().parse().unwrap();
    assert_eq!(inline_height + TITLE_HEIGHT, file_height);
}

#[test]
fn money_is_in_currency_units_when_the_scenario_names_none() {
    let dir = tempfile::tempdir().unwrap();
    // The benchmark without its currency.
    let text = fs::read_to_string("scenarios/benchmark.toml").unwrap();
    let text = text.replace("[report]\ncurrency = \"EUR\"\n", "");
    assert!(
        !text.contains("currency"),
        "the benchmark names no other currency"
    );
    let path = dir.path().join("no-currency.toml");
    fs::write(&path, text).unwrap();
    let out = run(&dir, path.to_str().unwrap(), &["--paths", "500"]);
    let svg = fs::read_to_string(out.join(Chart::CostBreakdown.svg_name())).unwrap();
    assert_has(
        &svg_texts(parse_xml(&svg).root_element()),
        "(currency units, present value at t = 0)",
        "default currency",
    );
}

#[test]
fn no_report_writes_only_the_data_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &dir,
        "scenarios/benchmark.toml",
        &["--paths", "500", "--no-report"],
    );
    let mut names: Vec<String> = fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            ".pimsim-output",
            "policies.csv",
            "summary.json",
            "timeseries.csv"
        ]
    );
}

#[test]
fn the_report_is_byte_identical_for_one_and_two_threads() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.path().join(format!("t{threads}"));
        pimsim()
            .args([
                "run",
                "scenarios/electronics_obsolescence.toml",
                "--paths",
                "1500",
                "--quiet",
                "--threads",
                threads,
                "--out",
            ])
            .arg(&out)
            .assert()
            .success();
        outputs.push(out);
    }
    let mut files = vec!["report.html".to_string()];
    for chart in Chart::ALL {
        files.push(chart.svg_name().into());
        files.push(chart.png_name().into());
    }
    for name in files {
        let a = fs::read(outputs[0].join(&name)).unwrap();
        let b = fs::read(outputs[1].join(&name)).unwrap();
        assert!(a == b, "{name} differs between 1 and 2 threads");
    }
}

#[test]
fn a_bad_currency_is_an_input_error_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string("scenarios/benchmark.toml")
        .unwrap()
        .replace("currency = \"EUR\"", "currency = \"\"");
    let path = dir.path().join("bad.toml");
    fs::write(&path, text).unwrap();
    let result = pimsim().arg("check").arg(&path).output().unwrap();
    assert_eq!(result.status.code(), Some(2));
    let stderr = String::from_utf8(result.stderr).unwrap();
    assert!(
        stderr.contains("currency") && stderr.contains("1 to 12 characters"),
        "{stderr}"
    );
}
