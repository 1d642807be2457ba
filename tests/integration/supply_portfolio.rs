//! Issue 18's supply keys in a portfolio: repairable returns, drifting records and uncertain
//! lead times set per part by dotted name, and their costs and counts in `portfolio.csv`.

use std::collections::BTreeMap;
use std::fs;

use crate::common::pimsim;

/// A template with all three features; the parts file overrides one key of each.
const TEMPLATE: &str = r#"
[scenario]
name = "supply-template"
horizon_years = 8
discount_rate = 0.05

[simulation]
paths = 400
seed = 18

[part]
unit_cost = 200.0
on_hand = 30

[demand]
model = "constant"
rate = 6.0

[stock]
unrecorded_shrinkage_rate = 0.05
count_every_years = 1.0
count_cost = 50.0

[costs]
holding_rate = 0.2
salvage_value = 5.0
shortage_penalty = 800.0

[replenishment]
reorder_point = 2
order_up_to = 8

[remanufacture]
setup_cost = 500.0
unit_cost = 250.0
lead_time_years = { distribution = "gamma", mean = 0.4, cv = 0.5 }

[repair]
return_rate = 0.5
return_delay_years = 0.2
wash_rate = 0.2
unit_cost = 60.0
lead_time_years = 0.1

[[policy]]
name = "hold"
kind = "hold"

[[policy]]
name = "scrap-10"
kind = "scrap"
retain = 10
"#;

/// Part A returns no cores and counts twice a year; part B returns most and counts every four
/// years; part C keeps the template and draws its lead times with a wider spread.
const PARTS: &str = "\
part,repair.return_rate,stock.count_every_years,remanufacture.lead_time_years.cv
A,0,0.5,
B,0.9,4,
C,,,1.5
";

#[test]
fn supply_keys_set_per_part_reach_portfolio_csv() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.toml");
    let parts = dir.path().join("parts.csv");
    fs::write(&template, TEMPLATE).unwrap();
    fs::write(&parts, PARTS).unwrap();
    let out = dir.path().join("portfolio");
    let output = pimsim()
        .arg("portfolio")
        .arg(&parts)
        .arg("--template")
        .arg(&template)
        .args(["--quiet", "--no-report", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut reader = csv::Reader::from_path(out.join("portfolio.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    for column in [
        "cost_repair",
        "units_returned",
        "units_repaired",
        "cost_counting",
        "records_record_accuracy",
        "records_phantom_found_per_count",
    ] {
        assert!(
            header.iter().any(|h| h == column),
            "no {column} in {header:?}"
        );
    }
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    // Per part: its rows' (units returned, counting cost, counts made), the hold policy's.
    let mut hold: BTreeMap<String, (f64, f64, f64)> = BTreeMap::new();
    for record in reader.records() {
        let r = record.unwrap();
        if &r[col("policy")] != "hold" {
            continue;
        }
        let number = |name: &str| r[col(name)].parse::<f64>().unwrap();
        hold.insert(
            r[col("part")].to_string(),
            (
                number("units_returned"),
                number("cost_counting"),
                number("records_counts"),
            ),
        );
    }
    let (a, b, c) = (&hold["A"], &hold["B"], &hold["C"]);
    // Return rates 0, 0.9 and the template's 0.5.
    assert_eq!(a.0, 0.0, "part A returns no cores");
    assert!(
        b.0 > c.0 && c.0 > 0.0,
        "returned: B {} > C {} > 0",
        b.0,
        c.0
    );
    // Counts every half year (15 before year 8), every four years (1), every year (7).
    assert_eq!((a.2, b.2, c.2), (15.0, 1.0, 7.0));
    assert!(a.1 > c.1 && c.1 > b.1, "counting cost: {a:?} {b:?} {c:?}");
}
