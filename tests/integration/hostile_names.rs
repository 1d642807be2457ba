//! Names from the input that are hostile to the media pimsim writes to: markup (`<script>`,
//! `&`, quotes), control characters (NUL, ESC, BEL, U+000B, DEL, NEL), a bidirectional
//! override (U+202E), newlines, spreadsheet formulas (`=`, `+`, `-`, `@` first) and very long
//! names, in scenario, part, partner and policy names, descriptions, currencies, part ids,
//! swept keys and values. Every `report.html` and SVG parses as XML and holds no raw
//! character XML forbids (nor a C1 or bidirectional control), markup is escaped exactly once,
//! every PNG decodes, every CSV text cell is spreadsheet-safe while numbers stay numbers, the
//! JSON files keep the names raw, and the terminal tables show escape sequences instead of
//! obeying them, one row per name.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::pimsim;
use pimsim::engine::{self, RunSettings, RunSummary};
use pimsim::escape::{terminal_line, xml_text};
use pimsim::inventory::Plan;
use pimsim::output::{render_all, render_table};
use pimsim::scenario::Scenario;

/// Every kind of hostile character.
const HOSTILE: &str = "<script>alert(1)</script> & \"q\" 's \u{0}nul \u{1b}[31mesc \u{7}bel \u{b}vt \u{7f}del \u{85}nel \u{202e}rlo \n2nd";

/// Whether `c` may not appear raw in the XML pimsim writes: outside XML 1.0's `Char`
/// production, a C1 control, or a bidirectional control.
fn forbidden_in_xml(c: char) -> bool {
    let allowed = matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        || c >= '\u{10000}';
    !allowed
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Parses `text` (the file `name`) as XML and checks it holds no forbidden character and no
/// markup injected by a name (no `<script>` element).
fn check_xml(name: &str, text: &str) -> Vec<String> {
    if let Some(c) = text.chars().find(|&c| forbidden_in_xml(c)) {
        panic!("{name} holds the raw character U+{:04X}", c as u32);
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"));
    assert!(
        !doc.descendants().any(|n| n.has_tag_name("script")),
        "{name}: a name became markup"
    );
    doc.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .map(String::from)
        .collect()
}

/// Whether some text node (after XML parsing) shows `shown`: markup escaped exactly once
/// (not `&lt;` in the text), control characters as `\u{..}`.
fn assert_shows(name: &str, texts: &[String], shown: &str) {
    assert!(
        texts.iter().any(|t| t.contains(shown)),
        "{name} does not show {shown:?}"
    );
}

/// Decodes a PNG and checks it has pixels.
fn check_png(name: &str, bytes: &[u8]) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder
        .read_info()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader
        .next_frame(&mut pixels)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(info.width >= 1000 && info.height > 100, "{name}: {info:?}");
}

/// Checks every file of a report: HTML and SVG well-formed and free of forbidden
/// characters, showing `shown` (in `must_show`, the names that must appear), PNGs decodable.
fn check_report_files(files: &[(String, Vec<u8>)], must_show: &[(&str, &str)]) {
    for (name, bytes) in files {
        if name.ends_with(".png") {
            check_png(name, bytes);
        } else if name.ends_with(".svg") || name.ends_with(".html") {
            let text = std::str::from_utf8(bytes).unwrap();
            let texts = check_xml(name, text);
            for (file, shown) in must_show {
                if name == file {
                    assert_shows(name, &texts, shown);
                }
            }
        }
    }
}

/// Whether the scenario validator accepts a policy called `name`.
fn valid_policy_name(name: &str) -> bool {
    let toml = format!(
        "[scenario]\nhorizon_years = 1\n[part]\nunit_cost = 1.0\non_hand = 1\n[demand]\n\
         model = \"constant\"\nrate = 1.0\n[costs]\nholding_rate = 0.1\nshortage_penalty = 1.0\n\
         [[policy]]\nname = \"{}\"\nkind = \"hold\"\n",
        toml_escaped(name)
    );
    Scenario::from_toml(Path::new("probe.toml"), &toml).is_ok()
}

/// The characters of `text` that the scenario validator accepts in a policy name (it may
/// refuse some; the tests use the rest). Markup characters are always accepted.
fn accepted(text: &str) -> String {
    assert!(valid_policy_name("x <script> & \"q\" 's"));
    text.chars()
        .filter(|&c| valid_policy_name(&format!("x{c}")))
        .collect()
}

/// `text` as the inside of a TOML basic string.
fn toml_escaped(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '"' => "\\\"".to_string(),
            '\\' => "\\\\".to_string(),
            c if c.is_control() => format!("\\u{:04X}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// A scenario with hostile names everywhere (only characters the validator accepts).
fn hostile_scenario(long: &str) -> String {
    let h = toml_escaped(&accepted(HOSTILE));
    format!(
        r#"
[scenario]
name = "{h} scenario"
description = "{h} description"
horizon_years = 6

[simulation]
paths = 300
seed = 11

[report]
currency = "<&\"€\u202e"

[part]
name = "{h} part"
unit_cost = 100.0
on_hand = 40

[demand]
model = "exponential"
rate = 6.0
half_life_years = 3.0

[costs]
holding_rate = 0.2
salvage_value = 5.0
shortage_penalty = 400.0

[remanufacture]
setup_cost = 1000.0
unit_cost = 150.0
lead_time_years = 0.5

[[partner]]
name = "{h} partner"
release_price = 20.0
buyback_price = 120.0

[[policy]]
name = "={h} hold"
kind = "hold"

[[policy]]
name = "@{h} scrap"
kind = "scrap"
retain = 8

[[policy]]
name = "{long}"
kind = "partner_release"
retain = 5
"#
    )
}

fn run(scenario: &Scenario, paths: u64) -> RunSummary {
    let plan = Plan::new(scenario).unwrap();
    engine::run(
        scenario,
        &plan,
        RunSettings {
            paths,
            seed: 11,
            threads: 2,
        },
        &|_| {},
    )
}

fn owned(files: Vec<(&'static str, Vec<u8>)>) -> Vec<(String, Vec<u8>)> {
    files.into_iter().map(|(n, b)| (n.to_string(), b)).collect()
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect()
}

/// Whether a spreadsheet would run `cell` as a formula.
fn is_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// Checks that every cell of `rows` is either a number or no formula.
fn assert_spreadsheet_safe(name: &str, rows: &[Vec<String>]) {
    for row in rows {
        for cell in row {
            assert!(
                !is_formula(cell) || cell.parse::<f64>().is_ok(),
                "{name}: the cell {cell:?} would run as a formula"
            );
        }
    }
}

/// Checks that `out` (what pimsim printed) holds no control character but newlines, and
/// that it has `lines` lines.
fn assert_terminal_safe(out: &str, lines: usize) {
    if let Some(c) = out.chars().find(|&c| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }) {
        panic!("the terminal gets the raw character U+{:04X}", c as u32);
    }
    assert_eq!(out.lines().count(), lines, "{out}");
}

#[test]
fn a_run_with_hostile_names_writes_well_formed_pages_and_charts() {
    let long = "L".repeat(pimsim::scenario::MAX_NAME_CHARS);
    let loaded = Scenario::from_toml(Path::new("hostile.toml"), &hostile_scenario(&long))
        .unwrap_or_else(|e| panic!("{e}"));
    let summary = run(&loaded.scenario, 300);
    let files = owned(render_all(&summary, true).unwrap());
    let shown = xml_text(&accepted(HOSTILE)).into_owned();
    let hold = format!("={shown} hold");
    check_report_files(
        &files,
        &[
            ("report.html", &hold),
            ("report.html", &format!("{shown} description")),
            ("report.html", &format!("Partner {shown} partner")),
            ("report.html", &long),
            ("comparison.svg", &hold),
            ("stock.svg", &hold),
            ("cost_breakdown.svg", &hold),
            ("service.svg", &hold),
            ("cost_distribution.svg", &hold),
        ],
    );
    // policies.csv: the policy names are text cells that run as no formula.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("policies.csv");
    fs::write(
        &csv,
        &files.iter().find(|f| f.0 == "policies.csv").unwrap().1,
    )
    .unwrap();
    let rows = read_csv(&csv);
    assert_spreadsheet_safe("policies.csv", &rows);
    assert_eq!(rows[1][0], format!("'={} hold", accepted(HOSTILE)));
}

#[test]
fn pages_and_charts_stay_well_formed_for_names_the_validator_never_sees() {
    // The summary renamed after the run: every hostile character, whatever the validator
    // accepts, in every name the report shows.
    let loaded = Scenario::load(Path::new("scenarios/multi_partner.toml")).unwrap();
    let mut summary = run(&loaded.scenario, 300);
    let rename = |name: &str| format!("{HOSTILE} {name}");
    let s = &mut summary.scenario;
    s.name = rename(&s.name);
    s.description = rename(&s.description);
    s.part.name = rename(&s.part.name);
    s.report.currency = Some("\u{1b}<&>\u{0}".into());
    for p in &mut s.partners {
        p.name = rename(&p.name);
    }
    for p in &mut s.policies {
        p.name = rename(&p.name);
    }
    for p in &mut summary.policies {
        p.name = rename(&p.name);
        for partner in &mut p.partners {
            partner.name = rename(&partner.name);
        }
        if let Some(c) = &mut p.comparison {
            c.baseline = rename(&c.baseline);
        }
    }
    for t in &mut summary.timeseries {
        t.policy = rename(&t.policy);
    }
    let v = &mut summary.verdict;
    v.cheapest = rename(&v.cheapest);
    v.runner_up = v.runner_up.as_deref().map(rename);
    let files = owned(render_all(&summary, true).unwrap());
    let hold = xml_text(&rename("hold")).into_owned();
    check_report_files(
        &files,
        &[
            ("report.html", &hold),
            ("report.html", "\\u{1b}<&>\\u{0}"),
            ("comparison.svg", &hold),
            ("cost_distribution.svg", "\\u{1b}<&>\\u{0}"),
            ("stock.svg", &hold),
            ("cost_distribution.svg", &hold),
        ],
    );
}

#[test]
fn terminal_table_shows_escape_sequences_and_keeps_one_row_per_policy() {
    let hold = accepted("=hold\u{1b}[2J\u{1b}]0;title\u{7}\nsecond line\r\u{202e}");
    let scrap = accepted("scrap\u{0}\u{b}\u{85}");
    let plain = common_scenario("hold", "scrap");
    let hostile = common_scenario(&toml_escaped(&hold), &toml_escaped(&scrap));
    let plain = render_table(&run(&plain, 200));
    let table = render_table(&run(&hostile, 200));
    assert_terminal_safe(&table, plain.lines().count());
    assert!(table.contains(terminal_line(&hold).as_ref()), "{table}");
    assert!(table.contains(terminal_line(&scrap).as_ref()), "{table}");
}

/// A small scenario with two policies called `hold` and `scrap` (TOML-escaped).
fn common_scenario(hold: &str, scrap: &str) -> Scenario {
    let toml = format!(
        "[scenario]\nname = \"{hold} scenario\"\nhorizon_years = 5\n[part]\nunit_cost = 100.0\n\
         on_hand = 20\n[demand]\nmodel = \"constant\"\nrate = 4.0\n[costs]\nholding_rate = 0.2\n\
         shortage_penalty = 300.0\n[[policy]]\nname = \"{hold}\"\nkind = \"hold\"\n\
         [[policy]]\nname = \"{scrap}\"\nkind = \"scrap\"\nretain = 3\n"
    );
    Scenario::from_toml(Path::new("t.toml"), &toml)
        .unwrap_or_else(|e| panic!("{e}"))
        .scenario
}

/// Writes `text` to `dir/name` and returns the path.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

/// The files of `out` as (name, bytes), without pimsim's marker.
fn files_of(out: &Path) -> Vec<(String, Vec<u8>)> {
    fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_sweep_with_hostile_names_and_values_is_safe_in_every_medium() {
    let dir = tempfile::tempdir().unwrap();
    let hold = toml_escaped(&accepted("=hold\u{1b}[31m <b>&"));
    let scrap = toml_escaped(&accepted("@scrap\u{0}\n2nd"));
    let odd = toml_escaped(&accepted("<i>\u{b}\u{202e}"));
    let scenario = write(
        dir.path(),
        "=sweep.toml",
        &format!(
            r#"
[scenario]
name = "{hold} sweep"
horizon_years = 5
[simulation]
paths = 150
seed = 3
[report]
currency = "=<&>"
[part]
name = "bearing"
unit_cost = 100.0
on_hand = 30
[demand]
model = "exponential"
rate = 5.0
half_life_years = 3.0
[costs]
holding_rate = 0.2
salvage_value = 5.0
shortage_penalty = 300.0
[[policy]]
name = "{hold}"
kind = "hold"
[[policy]]
name = "{scrap}"
kind = "scrap"
retain = 5
[sweep]
"part.name" = ["=A1+1", "-2+3", "{odd}"]
"policy.{scrap}.retain" = [2, 8]
"#
        ),
    );
    let out = dir.path().join("out");
    let result = pimsim()
        .arg("sweep")
        .arg(&scenario)
        .args(["--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    // Title, header, six points.
    assert_terminal_safe(&String::from_utf8(result.stdout).unwrap(), 8);

    let files = files_of(&out);
    let hold_shown = xml_text(&accepted("=hold\u{1b}[31m <b>&")).into_owned();
    check_report_files(
        &files,
        &[
            ("report.html", &hold_shown),
            ("report.html", "=A1+1"),
            ("decision_map.svg", &hold_shown),
            ("decision_map.svg", "=A1+1"),
            ("tornado.svg", &hold_shown),
        ],
    );
    assert!(files.iter().any(|f| f.0 == "decision_map.png"));

    let rows = read_csv(&out.join("sweep.csv"));
    assert_spreadsheet_safe("sweep.csv", &rows);
    // Point 2 (the second name, retain 2), the first policy.
    let (header, row) = (&rows[0], &rows[5]);
    assert_eq!(header[2], "part.name");
    assert_eq!(row[0], "'=sweep", "the scenario's stem");
    assert_eq!(row[2], "'-2+3", "a swept text value");
    assert_eq!(row[3], "2", "a swept number");
    assert_eq!(row[4], format!("'{}", accepted("=hold\u{1b}[31m <b>&")));
    let oat = read_csv(&out.join("sweep_oat.csv"));
    assert_spreadsheet_safe("sweep_oat.csv", &oat);
    assert!(
        oat.iter()
            .any(|r| r[0] == "'=sweep" && r[2] == "low" && r[3] == "2")
    );

    // sweep.json keeps every name raw.
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("sweep.json")).unwrap()).unwrap();
    let point = &json["scenarios"][0]["points"][2];
    assert_eq!(point["values"]["part.name"], "-2+3");
    assert_eq!(
        point["policies"][0]["policy"],
        accepted("=hold\u{1b}[31m <b>&").as_str()
    );
}

#[test]
fn a_portfolio_with_hostile_part_ids_and_values_is_safe_in_every_medium() {
    let dir = tempfile::tempdir().unwrap();
    let hold = accepted("=hold\u{1b}]0;owned\u{7}");
    let scrap = accepted("+scrap <b>&\n\u{202e}");
    let template = write(
        dir.path(),
        "template.toml",
        &format!(
            r#"
[scenario]
horizon_years = 5
[simulation]
paths = 100
seed = 3
[report]
currency = "@<&>"
[part]
unit_cost = 100.0
on_hand = 30
[demand]
model = "exponential"
rate = 6.0
half_life_years = 3.0
[costs]
holding_rate = 0.2
salvage_value = 5.0
shortage_penalty = 400.0
[[policy]]
name = "{}"
kind = "hold"
[[policy]]
name = "{}"
kind = "scrap"
retain = 3
"#,
            toml_escaped(&hold),
            toml_escaped(&scrap)
        ),
    );
    let parts = write(
        dir.path(),
        "=parts.csv",
        "part,part.name,costs.salvage_value,part.on_hand,fit.note\n\
         \"=1+2\",\"=HYPERLINK(\"\"x\"\")\",-5,20,@note\n\
         +A1,<b>\u{7},3,10,-x\n\
         -3-3,plain,-2.5,5,7\n\
         @SUM(A1),\u{1b}[2Jname,,,\n\
         bell\u{7}esc\u{1b}[31m<&>,,,,\n",
    );
    let out = dir.path().join("out");
    let result = pimsim()
        .arg("portfolio")
        .arg(&parts)
        .arg("--template")
        .arg(&template)
        .args(["--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    let stdout = String::from_utf8(result.stdout).unwrap();
    // Title and blank line, header, rule, two policies, the best mix, blank line, the saving,
    // the service warning, blank line, the class matrix (four lines).
    assert_terminal_safe(&stdout, 15);

    let files = files_of(&out);
    let part = xml_text("bell\u{7}esc\u{1b}[31m<&>").into_owned();
    let hold_shown = xml_text(&hold).into_owned();
    check_report_files(
        &files,
        &[
            ("report.html", &part),
            ("report.html", &hold_shown),
            ("pareto.svg", &hold_shown),
        ],
    );
    assert!(files.iter().any(|f| f.0 == "pareto.png"));

    let rows = read_csv(&out.join("portfolio.csv"));
    assert_spreadsheet_safe("portfolio.csv", &rows);
    let first = &rows[1];
    assert_eq!(first[0], "'=1+2");
    assert_eq!(
        first[1], "'=HYPERLINK(\"x\")",
        "an override value as written"
    );
    assert_eq!(first[2], "-5", "a number stays a number");
    assert_eq!(first[4], format!("'{hold}"));
    assert!(
        rows.iter()
            .any(|r| r[0] == "'@SUM(A1)" && r[1] == "\u{1b}[2Jname")
    );
    assert!(rows.iter().any(|r| r[0] == "'-3-3" && r[2] == "-2.5"));

    let parts_rows = read_csv(&out.join("portfolio_parts.csv"));
    assert_spreadsheet_safe("portfolio_parts.csv", &parts_rows);
    let header = &parts_rows[0];
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let plus = parts_rows.iter().find(|r| r[0] == "'+A1").unwrap();
    assert_eq!(plus[at("baseline_policy")], format!("'{hold}"));
    assert_eq!(plus[at("fit.note")], "'-x");
    let minus = parts_rows.iter().find(|r| r[0] == "'-3-3").unwrap();
    assert_eq!(minus[at("fit.note")], "7");

    // portfolio.json keeps every name raw.
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("portfolio.json")).unwrap()).unwrap();
    assert_eq!(json["policies"][0]["policy"], hold.as_str());
}

#[test]
fn the_optimize_table_and_chart_are_safe_whatever_the_policy_names() {
    let dir = tempfile::tempdir().unwrap();
    let long = "L".repeat(pimsim::scenario::MAX_NAME_CHARS);
    let scenario = write(dir.path(), "hostile.toml", &hostile_scenario(&long));
    let out = dir.path().join("out");
    let result = pimsim()
        .arg("optimize")
        .arg(&scenario)
        .args(["--paths", "200", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(result.status.success(), "{result:?}");
    // Header, three policies, the cheapest.
    assert_terminal_safe(&String::from_utf8(result.stdout).unwrap(), 5);
    let files = files_of(&out);
    let shown = xml_text(&accepted(HOSTILE)).into_owned();
    let hold = format!("={shown} hold");
    check_report_files(&files, &[("optimize.svg", &hold), ("report.html", &hold)]);
    assert!(files.iter().any(|f| f.0 == "optimize.png"));
    assert!(files.iter().any(|f| f.0 == "report.html"));
    // The frontier's CSV: names spreadsheet-safe, numbers still numbers.
    let rows = read_csv(&out.join("optimize_frontier.csv"));
    assert_spreadsheet_safe("optimize_frontier.csv", &rows);
    assert!(
        rows.iter()
            .any(|r| r[0] == format!("'={} hold", accepted(HOSTILE)))
    );
    assert!(
        rows.iter()
            .any(|r| r[0] == format!("'@{} scrap", accepted(HOSTILE)))
    );
    assert!(rows[1][3].parse::<u64>().is_ok(), "{:?}", rows[1]);
}
