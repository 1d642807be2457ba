//! What a reader sees on every report page (run, sweep, optimize, portfolio): numeric columns
//! under right-aligned headings, money columns in one format, and the sweep page's verdict,
//! description, assumptions and human axis titles.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use pimsim::engine::service::ServiceRule;

use crate::common::{parse_xml, pimsim, svg_texts, text_of};

/// The bundled sweep, whose verdict and charts are checked below.
const SWEEP: &str = "scenarios/sweep_release_vs_scrap.toml";

/// A few parts for a portfolio page, rows of the template's overrides.
const PARTS: &str = "part,demand.rate,part.on_hand,part.unit_cost\n\
                     P-1,2,30,80\nP-2,0.2,12,40\nP-3,6,4,300\nP-4,0.5,0,20\nP-5,0,0,20\nP-6,4,200,500\n";

/// The report folders of one run of each command, made once for the tests of this file.
struct Pages {
    _dir: tempfile::TempDir,
    /// Command → its output folder.
    folders: BTreeMap<&'static str, PathBuf>,
}

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn pages() -> &'static Pages {
    static PAGES: OnceLock<Pages> = OnceLock::new();
    PAGES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let parts = dir.path().join("parts.csv");
        fs::write(&parts, PARTS).unwrap();
        let benchmark = repo("scenarios/benchmark.toml");
        let template = repo("scenarios/portfolio_template.toml");
        let mut folders = BTreeMap::new();
        let sweep = repo(SWEEP);
        let runs: [(&str, Vec<&std::ffi::OsStr>); 4] = [
            (
                "run",
                vec![benchmark.as_ref(), "--paths".as_ref(), "400".as_ref()],
            ),
            (
                "sweep",
                vec![sweep.as_ref(), "--paths".as_ref(), "300".as_ref()],
            ),
            (
                "optimize",
                vec![benchmark.as_ref(), "--paths".as_ref(), "300".as_ref()],
            ),
            (
                "portfolio",
                vec![
                    parts.as_ref(),
                    "--template".as_ref(),
                    template.as_ref(),
                    "--paths".as_ref(),
                    "300".as_ref(),
                ],
            ),
        ];
        for (command, args) in runs {
            let out = dir.path().join(command);
            let status = pimsim()
                .arg(command)
                .args(&args)
                .args(["--quiet", "--out"])
                .arg(&out)
                .output()
                .unwrap();
            assert!(
                status.status.success(),
                "{command}: {}",
                String::from_utf8_lossy(&status.stderr)
            );
            folders.insert(command, out);
        }
        Pages { _dir: dir, folders }
    })
}

fn html_of(command: &str) -> String {
    fs::read_to_string(pages().folders[command].join("report.html")).unwrap()
}

fn has_class(node: roxmltree::Node<'_, '_>, class: &str) -> bool {
    node.attribute("class")
        .is_some_and(|c| c.split_whitespace().any(|c| c == class))
}

/// The heading cells of a table's head (one per column, colspans expanded) and the cells of
/// each body row.
fn table_cells<'a, 'i>(
    table: roxmltree::Node<'a, 'i>,
) -> (
    Vec<roxmltree::Node<'a, 'i>>,
    Vec<Vec<roxmltree::Node<'a, 'i>>>,
) {
    let cells = |row: roxmltree::Node<'a, 'i>| -> Vec<roxmltree::Node<'a, 'i>> {
        row.children()
            .filter(|c| c.is_element() && matches!(c.tag_name().name(), "th" | "td"))
            .flat_map(|c| {
                let span: usize = c
                    .attribute("colspan")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(1);
                std::iter::repeat_n(c, span)
            })
            .collect()
    };
    let section = |name: &'static str| {
        table
            .children()
            .filter(move |c| c.is_element() && c.tag_name().name() == name)
            .flat_map(|s| {
                s.children()
                    .filter(|r| r.is_element() && r.tag_name().name() == "tr")
            })
    };
    let head = section("thead").next().map(cells).unwrap_or_default();
    let body = section("tbody").map(cells).collect();
    (head, body)
}

/// Every column whose body cells are all right-aligned numbers has a right-aligned heading,
/// on every page: a heading left-aligned over right-aligned numbers sits over the wrong
/// figures in a wide column.
#[test]
fn numeric_columns_have_right_aligned_headings() {
    let mut columns = 0;
    for command in ["run", "sweep", "optimize", "portfolio"] {
        let html = html_of(command);
        let doc = parse_xml(&html);
        for table in doc.descendants().filter(|n| n.has_tag_name("table")) {
            let (head, body) = table_cells(table);
            if head.is_empty() || body.is_empty() {
                continue;
            }
            for (c, heading) in head.iter().enumerate() {
                let numeric = body
                    .iter()
                    .all(|row| row.get(c).is_some_and(|cell| has_class(*cell, "num")));
                if numeric {
                    columns += 1;
                    assert!(
                        has_class(*heading, "num"),
                        "{command}: the heading \"{}\" is not right-aligned over its numbers",
                        text_of(*heading)
                    );
                }
            }
        }
    }
    assert!(columns > 30, "only {columns} numeric columns seen");
}

/// In a column of money (its heading or its table's caption names the currency), every amount
/// has the same number of decimals: cents under whole amounts read as another unit.
#[test]
fn money_columns_have_one_format() {
    let mut checked = 0;
    for command in ["run", "sweep", "optimize", "portfolio"] {
        let html = html_of(command);
        let doc = parse_xml(&html);
        for table in doc.descendants().filter(|n| n.has_tag_name("table")) {
            let (head, body) = table_cells(table);
            // A caption naming the currency makes every numeric column of its table money
            // (or shares, whose one decimal is one format too).
            let money_table = table
                .children()
                .find(|c| c.has_tag_name("caption"))
                .is_some_and(|c| text_of(c).contains("(EUR"));
            for (c, heading) in head.iter().enumerate() {
                let numeric = body
                    .iter()
                    .all(|row| row.get(c).is_some_and(|cell| has_class(*cell, "num")));
                if !(text_of(*heading).contains("(EUR)") || money_table && numeric) {
                    continue;
                }
                let decimals: Vec<(String, usize)> = body
                    .iter()
                    .filter_map(|row| row.get(c))
                    .map(|cell| text_of(*cell))
                    .filter(|t| t.chars().any(|ch| ch.is_ascii_digit()))
                    .map(|t| {
                        let first = t.split(" to ").next().unwrap_or(&t).to_string();
                        let d = first.split_once('.').map_or(0, |(_, f)| {
                            f.chars().take_while(char::is_ascii_digit).count()
                        });
                        (t, d)
                    })
                    .collect();
                if let Some((_, d0)) = decimals.first() {
                    checked += 1;
                    for (t, d) in &decimals {
                        assert_eq!(
                            d,
                            d0,
                            "{command}: \"{t}\" in the column \"{}\"",
                            text_of(*heading)
                        );
                    }
                }
            }
        }
    }
    assert!(checked >= 8, "only {checked} money columns seen");
}

/// One row of sweep.csv: point, policy, mean cost, fill rate and no-stock-out share.
struct SweepRow {
    point: usize,
    policy: String,
    mean: f64,
    fill_rate: Option<f64>,
    no_stockout: f64,
}

fn sweep_rows() -> Vec<SweepRow> {
    let mut reader = csv::Reader::from_path(pages().folders["sweep"].join("sweep.csv")).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let (point, policy, mean, fill, no_stockout) = (
        col("point"),
        col("policy"),
        col("total_cost_mean"),
        col("fill_rate"),
        col("no_stockout_probability"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            SweepRow {
                point: r[point].parse().unwrap(),
                policy: r[policy].to_string(),
                mean: r[mean].parse().unwrap(),
                fill_rate: r[fill].parse().ok(),
                no_stockout: r[no_stockout].parse().unwrap(),
            }
        })
        .collect()
}

/// The sweep page's verdict agrees with sweep.csv: the cheapest policy's number of points in
/// the lead sentence and the table, and the points where it serves poorly by the service rule.
#[test]
fn the_sweep_verdict_says_which_policy_is_cheapest_where() {
    let rows = sweep_rows();
    let points = rows.iter().map(|r| r.point).max().unwrap() + 1;
    let mut wins: BTreeMap<String, usize> = BTreeMap::new();
    let mut poor = Vec::new();
    let rule = ServiceRule::new(None);
    for p in 0..points {
        let best = rows
            .iter()
            .filter(|r| r.point == p)
            .min_by(|a, b| a.mean.total_cmp(&b.mean))
            .unwrap();
        *wins.entry(best.policy.clone()).or_default() += 1;
        if rule.is_poor(best.fill_rate, best.no_stockout) {
            poor.push(p);
        }
    }
    assert!(
        wins.len() >= 2,
        "the bundled sweep has more than one winner: {wins:?}"
    );
    let html = html_of("sweep");
    let doc = parse_xml(&html);
    let verdict = doc
        .descendants()
        .find(|n| n.has_tag_name("div") && has_class(*n, "verdict"))
        .expect("a verdict");
    let lead = text_of(
        verdict
            .descendants()
            .find(|n| has_class(*n, "lead"))
            .unwrap(),
    );
    for (policy, n) in &wins {
        assert!(lead.contains(&format!("{policy} at {n}")), "{lead}");
    }
    assert!(lead.contains(&format!("of the {points} points")), "{lead}");
    let table = verdict
        .descendants()
        .find(|n| n.has_tag_name("table"))
        .unwrap();
    let (_, body) = table_cells(table);
    let listed: BTreeMap<String, usize> = body
        .iter()
        .map(|row| (text_of(row[0]), text_of(row[1]).parse().unwrap()))
        .collect();
    assert_eq!(listed, wins);
    let items: Vec<String> = verdict
        .descendants()
        .filter(|n| n.has_tag_name("li"))
        .map(text_of)
        .collect();
    let service = items
        .iter()
        .find(|i| i.contains("Service"))
        .expect("a service item");
    if poor.is_empty() {
        assert!(service.contains("serves well"), "{service}");
    } else {
        assert!(service.starts_with("Service is poor"), "{service}");
        let list: Vec<String> = poor.iter().map(|p| p.to_string()).collect();
        let expected = match list.as_slice() {
            [one] => one.clone(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
            [] => unreachable!(),
        };
        assert!(
            service.contains(&format!("({expected})")),
            "{service} / {expected}"
        );
    }
    assert!(items.iter().any(|i| i.starts_with("How sure")), "{items:?}");
    assert!(
        items.iter().any(|i| i.starts_with("As written")),
        "{items:?}"
    );
}

/// The sweep page names the part and describes the scenario, and its assumptions show the
/// scenario as written and each swept key with its values.
#[test]
fn the_sweep_page_has_the_description_and_the_assumptions() {
    let text = fs::read_to_string(repo(SWEEP)).unwrap();
    let scenario: toml::Table = text.parse().unwrap();
    let description = scenario["scenario"]["description"].as_str().unwrap();
    let part = scenario["part"]["name"].as_str().unwrap();
    let html = html_of("sweep");
    let doc = parse_xml(&html);
    let paragraphs: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("p"))
        .map(text_of)
        .collect();
    assert!(
        paragraphs.iter().any(|p| p == description),
        "no description"
    );
    assert!(
        paragraphs.iter().any(|p| p.starts_with(part)),
        "no part name"
    );
    let assumptions = doc
        .descendants()
        .find(|n| n.has_tag_name("table") && has_class(*n, "assumptions"))
        .expect("an assumptions table");
    let rows: Vec<(String, String)> = assumptions
        .descendants()
        .filter(|n| n.has_tag_name("tr"))
        .map(|tr| {
            let cells: Vec<_> = tr.children().filter(|c| c.is_element()).collect();
            (text_of(cells[0]), text_of(cells[1]))
        })
        .collect();
    for topic in [
        "Part",
        "Demand",
        "Carrying cost",
        "Re-manufacture",
        "Partner dealers",
    ] {
        assert!(
            rows.iter().any(|(t, _)| t == topic),
            "no {topic} row: {rows:?}"
        );
    }
    let swept: Vec<&String> = rows
        .iter()
        .filter(|(t, _)| t == "Swept")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(swept.len(), 2, "{rows:?}");
    assert!(
        swept[0].contains("(demand.half_life_years): 2, 4, 8 (4 in the scenario)"),
        "{}",
        swept[0]
    );
    assert!(
        swept[1].contains("(partner.dealers.reliability): 0.4, 0.6, 0.8, 1"),
        "{}",
        swept[1]
    );
}

/// The sweep's charts title their axes and rows with the key table's labels, not dotted keys.
#[test]
fn sweep_charts_have_human_axis_titles() {
    let folder = &pages().folders["sweep"];
    let map = fs::read_to_string(folder.join("decision_map.svg")).unwrap();
    let map_texts = svg_texts(parse_xml(&map).root_element());
    for title in [
        "Demand half-life (years)",
        "Partner dealers: buy-back reliability (share of requests honoured)",
    ] {
        assert!(
            map_texts.iter().any(|t| t == title),
            "{title} not in {map_texts:?}"
        );
    }
    let tornado = fs::read_to_string(folder.join("tornado.svg")).unwrap();
    let tornado_texts = svg_texts(parse_xml(&tornado).root_element());
    assert!(
        tornado_texts
            .iter()
            .any(|t| t.starts_with("Demand half-life (years), 2 → 8")),
        "{tornado_texts:?}"
    );
    for texts in [&map_texts, &tornado_texts] {
        assert!(
            !texts
                .iter()
                .any(|t| t.contains("half_life_years") || t.contains("dealers.reliability")),
            "a dotted key in {texts:?}"
        );
    }
}
