//! The verdicts' words: the terminal verdict of `run` (money in the scenario's currency, the
//! cost for the whole part number, the service warning by the one service rule), the same
//! rule in `report.html`, the portfolio's flags of recommendations that serve poorly, and the
//! terminal table's alignment.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::pimsim;
use pimsim::output::percent;
use serde_json::Value;

/// Runs `pimsim run SCENARIO --quiet --out DIR/out` with `args`; returns the terminal output
/// and the output directory.
fn run(dir: &Path, scenario: &Path, args: &[&str]) -> (String, PathBuf) {
    let out = dir.join("out");
    let result = pimsim()
        .arg("run")
        .arg(scenario)
        .args(args)
        .args(["--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    (String::from_utf8(result.stdout).unwrap(), out)
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// The policy called `name` of summary.json.
fn policy<'a>(summary: &'a Value, name: &str) -> &'a Value {
    summary["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no policy {name}"))
}

/// The verdict section of report.html, as text.
fn html_verdict(out: &Path) -> String {
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    let start = html
        .find("<section id=\"verdict\">")
        .expect("a verdict section");
    let end = start + html[start..].find("</section>").unwrap();
    html[start..end].to_string()
}

/// A small scenario: one part, `on_hand` units, a constant `rate` orders a year for 5 years,
/// a `hold` policy and a `scrap-all` policy that keeps nothing; `penalty` per unit short.
fn small_scenario(dir: &Path, on_hand: u64, rate: f64, penalty: f64) -> PathBuf {
    let path = dir.join("small.toml");
    fs::write(
        &path,
        format!(
            "[scenario]\nname = \"small\"\nhorizon_years = 5\n[simulation]\npaths = 2000\nseed = 5\n\
             [report]\ncurrency = \"CHF\"\n[part]\nname = \"SP-9\"\nunit_cost = 100.0\n\
             on_hand = {on_hand}\n[demand]\nmodel = \"constant\"\nrate = {rate:?}\n[costs]\n\
             holding_rate = 0.5\nsalvage_value = 50.0\nshortage_penalty = {penalty:?}\n\
             [[policy]]\nname = \"hold\"\nkind = \"hold\"\n[[policy]]\nname = \"scrap-all\"\n\
             kind = \"scrap\"\nretain = 0\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_cheapest_policy_that_serves_poorly_gets_a_service_warning_in_its_currency() {
    let dir = tempfile::tempdir().unwrap();
    let (terminal, out) = run(
        dir.path(),
        Path::new("scenarios/heavy_machinery.toml"),
        &["--paths", "2000"],
    );
    let summary = json(&out.join("summary.json"));
    let v = &summary["verdict"];
    let cheapest = v["cheapest"].as_str().unwrap();
    let best = policy(&summary, cheapest);
    let fill = best["fill_rate"].as_f64().unwrap();
    let short = 1.0 - best["no_stockout_probability"].as_f64().unwrap();
    // The case of the issue: the cheapest fills about 92 % and runs short in most futures.
    assert!(fill < 0.95 && short > 0.5, "fill {fill}, short {short}");
    assert_eq!(v["service"]["poor"], true);
    assert_eq!(v["service"]["rule"]["fill_rate_floor"], 0.95);
    let cost = pimsim::output::money(v["mean_total_cost"].as_f64().unwrap());
    assert!(
        terminal.contains(&format!(
            "Cheapest: {cheapest} at {cost} EUR expected total cost"
        )),
        "{terminal}"
    );
    assert!(terminal.contains("for the whole part number"), "{terminal}");
    assert!(!terminal.contains("per part"), "{terminal}");
    let warning = terminal
        .lines()
        .find(|l| l.starts_with("Service warning:"))
        .unwrap_or_else(|| panic!("no service warning:\n{terminal}"));
    assert!(warning.contains(cheapest), "{warning}");
    assert!(warning.contains(&percent(Some(fill))), "{warning}");
    assert!(warning.contains(&percent(Some(short))), "{warning}");
    assert!(warning.contains("at least 95 %"), "{warning}");
    // The cheapest policy that serves well, named with what its service costs.
    let better = v["service"]["better_service"].as_str().unwrap();
    let alternative = policy(&summary, better);
    assert!(alternative["fill_rate"].as_f64().unwrap() >= 0.95);
    assert!(alternative["no_stockout_probability"].as_f64().unwrap() >= 0.5);
    let extra = v["service"]["better_service_extra_cost"].as_f64().unwrap();
    assert!(extra > 0.0);
    assert!(
        terminal.contains(&format!(
            "Cheapest with good service: {better} at {} EUR ({} EUR more)",
            pimsim::output::money(alternative["total_cost"]["mean"].as_f64().unwrap()),
            pimsim::output::money(extra)
        )),
        "{terminal}"
    );
    // The page says the same, by the same rule.
    let html = html_verdict(&out);
    assert!(html.contains("Service warning:"), "{html}");
    assert!(html.contains("at least 95 %"), "{html}");
    assert!(html.contains("for the whole part number"), "{html}");
    assert!(!html.contains("per part"), "{html}");
    assert!(html.contains(better), "{html}");
}

#[test]
fn good_service_gets_no_warning() {
    let dir = tempfile::tempdir().unwrap();
    // 100 units for about 10 demanded and a heavy penalty: holding is cheapest and never short.
    let scenario = small_scenario(dir.path(), 100, 2.0, 5000.0);
    let (terminal, out) = run(dir.path(), &scenario, &[]);
    let summary = json(&out.join("summary.json"));
    assert_eq!(summary["verdict"]["cheapest"], "hold");
    assert_eq!(summary["verdict"]["service"]["poor"], false);
    assert_eq!(summary["verdict"]["service"]["better_service"], Value::Null);
    assert!(terminal.contains("Cheapest: hold at "), "{terminal}");
    assert!(terminal.contains(" CHF "), "{terminal}");
    assert!(terminal.contains("whole part number SP-9"), "{terminal}");
    assert!(!terminal.contains("Service warning"), "{terminal}");
    assert!(!terminal.contains("good service"), "{terminal}");
    let html = html_verdict(&out);
    assert!(!html.contains("Service warning"), "{html}");
    assert!(html.contains("That is good service"), "{html}");
}

#[test]
fn when_no_policy_serves_well_the_verdict_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing on hand and no re-manufacture: every policy serves nothing.
    let scenario = small_scenario(dir.path(), 0, 4.0, 10.0);
    let (terminal, out) = run(dir.path(), &scenario, &[]);
    let summary = json(&out.join("summary.json"));
    assert_eq!(summary["verdict"]["service"]["poor"], true);
    assert_eq!(summary["verdict"]["service"]["better_service"], Value::Null);
    assert!(
        terminal.contains("fills only 0.0 % of the units demanded"),
        "{terminal}"
    );
    assert!(
        terminal.contains("No policy of the scenario serves well by that rule."),
        "{terminal}"
    );
    assert!(html_verdict(&out).contains("No policy serves well"));
}

#[test]
fn the_means_and_their_intervals_line_up_in_the_terminal_table() {
    let dir = tempfile::tempdir().unwrap();
    // heavy_machinery's half-widths range from hundreds to thousands.
    let (terminal, _) = run(
        dir.path(),
        Path::new("scenarios/heavy_machinery.toml"),
        &["--paths", "3000"],
    );
    let lines: Vec<&str> = terminal.lines().collect();
    let header = lines.iter().position(|l| l.starts_with("policy")).unwrap();
    let rows: Vec<&str> = lines[header + 2..]
        .iter()
        .copied()
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), 5, "{terminal}");
    // Column offsets in characters (the names and the ± are not ASCII-only).
    let offsets = |row: &str| -> Vec<usize> {
        let chars: Vec<char> = row.chars().collect();
        (0..chars.len())
            .filter(|&i| chars[i] == '±')
            .collect::<Vec<_>>()
    };
    let first = offsets(rows[1]);
    assert_eq!(first.len(), 2, "mean ± CI and difference ± CI: {}", rows[1]);
    for row in &rows {
        let o = offsets(row);
        // The baseline's row has no difference, only "(baseline)".
        assert_eq!(o[0], first[0], "the means' ± differ:\n{terminal}");
        if o.len() > 1 {
            assert_eq!(o[1], first[1], "the differences' ± differ:\n{terminal}");
        }
    }
    // The half-widths differ in length, so the alignment is not a coincidence.
    let halves: Vec<usize> = rows
        .iter()
        .map(|r| {
            let after: String = r.chars().skip(first[0] + 2).collect();
            after.split("  ").next().unwrap().trim().chars().count()
        })
        .collect();
    assert!(
        halves.iter().min() != halves.iter().max(),
        "{halves:?}:\n{terminal}"
    );
    // Every row's mean ends at the same column, right before the ±.
    for row in &rows {
        let before: Vec<char> = row.chars().take(first[0]).collect();
        assert_eq!(before[first[0] - 1], ' ');
        assert!(before[first[0] - 2].is_ascii_digit(), "{row}");
    }
}

/// A template in which scrapping everything is cheapest (a low penalty and dear carrying),
/// though it serves nothing, while holding serves every unit.
const TEMPLATE: &str = r#"
[scenario]
horizon_years = 5
[simulation]
paths = 1000
seed = 9
[report]
currency = "EUR"
[part]
unit_cost = 100.0
on_hand = 60
[demand]
model = "constant"
rate = 5.0
[costs]
holding_rate = 0.5
salvage_value = 50.0
shortage_penalty = 1.0
[[policy]]
name = "hold"
kind = "hold"
[[policy]]
name = "scrap-all"
kind = "scrap"
retain = 0
"#;

/// Runs a portfolio of three parts: P-RICH (stock for everything; scrapping is cheapest but
/// serves nothing), P-EMPTY (no stock: every policy serves nothing) and P-DEAD (no demand).
fn run_portfolio(dir: &Path, extra: &[&str]) -> (String, PathBuf) {
    let template = dir.join("template.toml");
    fs::write(&template, TEMPLATE).unwrap();
    let parts = dir.join("parts.csv");
    fs::write(
        &parts,
        "part,part.on_hand,demand.rate\nP-RICH,60,5.0\nP-EMPTY,0,5.0\nP-DEAD,10,0.0\n",
    )
    .unwrap();
    let out = dir.join("pf");
    let result = pimsim()
        .arg("portfolio")
        .arg(&parts)
        .arg("--template")
        .arg(&template)
        .args(extra)
        .args(["--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    (String::from_utf8(result.stdout).unwrap(), out)
}

/// portfolio_parts.csv as (header, rows).
fn parts_csv(out: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(out.join("portfolio_parts.csv")).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn a_portfolio_flags_recommendations_that_serve_poorly() {
    let dir = tempfile::tempdir().unwrap();
    let (terminal, out) = run_portfolio(dir.path(), &[]);
    let (header, rows) = parts_csv(&out);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let row = |part: &str| rows.iter().find(|r| r[0] == part).unwrap();
    let (rich, empty, dead) = (row("P-RICH"), row("P-EMPTY"), row("P-DEAD"));
    // Scrapping is recommended for P-RICH, serves poorly, and holding serves well for more.
    assert_eq!(rich[col("recommended_policy")], "scrap-all");
    assert!(rich[col("recommended_fill_rate")].parse::<f64>().unwrap() < 0.95);
    assert_eq!(rich[col("service_poor")], "true");
    assert_eq!(rich[col("better_service_policy")], "hold");
    assert!(
        rich[col("better_service_extra_cost")]
            .parse::<f64>()
            .unwrap()
            > 0.0
    );
    // Nothing on hand: poor whatever the policy, and no better one.
    assert_eq!(empty[col("service_poor")], "true");
    assert_eq!(empty[col("better_service_policy")], "");
    assert_eq!(empty[col("better_service_extra_cost")], "");
    // No demand: nothing to serve, never poor.
    assert_eq!(dead[col("service_poor")], "false");
    assert_eq!(dead[col("better_service_policy")], "");
    // The same counts in portfolio.json, with the rule.
    let report = json(&out.join("portfolio.json"));
    assert_eq!(report["best_mix"]["parts_with_poor_service"], 2);
    assert_eq!(report["best_mix"]["parts_with_better_service"], 1);
    assert_eq!(report["service_rule"]["fill_rate_floor"], 0.95);
    assert_eq!(report["service_rule"]["max_stockout_share"], 0.5);
    // The terminal: the warning with the counts, and the part with a remedy by name.
    assert!(
        terminal.contains("Service warning: the recommendation of 2 of the 3 parts serves poorly"),
        "{terminal}"
    );
    assert!(
        terminal.contains("for 1 of them a dearer policy serves well, for 1 no policy"),
        "{terminal}"
    );
    let flagged = terminal
        .lines()
        .find(|l| l.trim_start().starts_with("P-RICH:"))
        .unwrap_or_else(|| panic!("P-RICH not listed:\n{terminal}"));
    assert!(
        flagged.contains("scrap-all fills") && flagged.contains("hold serves well for"),
        "{flagged}"
    );
    assert!(!terminal.contains("P-EMPTY:"), "{terminal}");
    // The saving reads as a total over the portfolio, in its currency.
    assert!(
        terminal.contains("in total over the portfolio")
            && terminal.contains("per part on average"),
        "{terminal}"
    );
    assert!(!terminal.contains("for every part"), "{terminal}");
    assert!(terminal.contains(" EUR"), "{terminal}");
    // The report flags them in its table of recommendations.
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(html.matches("poor service: short in").count(), 2, "{html}");
    assert!(html.contains("hold serves well: +"), "{html}");
    assert!(html.contains("no policy serves well"), "{html}");
}

#[test]
fn a_fill_rate_target_is_the_service_rules_floor() {
    let dir = tempfile::tempdir().unwrap();
    let (terminal, out) = run_portfolio(dir.path(), &["--fill-rate-target", "0.5"]);
    let report = json(&out.join("portfolio.json"));
    assert_eq!(report["service_rule"]["fill_rate_floor"], 0.5);
    let (header, rows) = parts_csv(&out);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rich = rows.iter().find(|r| r[0] == "P-RICH").unwrap();
    // The target makes holding the recommendation, which serves well.
    assert_eq!(rich[col("recommended_policy")], "hold");
    assert_eq!(rich[col("service_poor")], "false");
    assert_eq!(report["best_mix"]["parts_with_poor_service"], 1);
    assert!(terminal.contains("at least 50 %"), "{terminal}");
}
