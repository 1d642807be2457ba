//! The parts CSV files of a portfolio: reading, joining on `part`, and validating every part's
//! scenario (the template with the row's values written in).
//!
//! Rules (also in the README, "Portfolios"):
//!
//! - Each file has a header row; one column is `part` (the part's id, unique per file); the
//!   others are dotted scenario keys (`part.unit_cost`, `demand.rate`,
//!   `policy.scrap-60.retain`, …) or diagnostics starting with `fit.` (as written by
//!   `pimsim fit`), which are carried into `portfolio_parts.csv` but never applied.
//! - Several files are joined on `part`: the first file gives the parts and their order, every
//!   other file must have a row for each of them (its other parts are ignored, with a
//!   warning), and a key may appear in one file only.
//! - A cell is a TOML value (`600`, `0.25`, `true`, `{ cover_years = 5 }`, `"text"`); a bare
//!   word that is not one (`exponential`) is text. An empty cell keeps the template's value.
//! - A row that sets `demand.model` replaces the template's demand parameters: the other keys
//!   of the template's `[demand]` table (not its sub-tables) are dropped, so that e.g. the
//!   template's `half_life_years` does not clash with a linear model. Likewise a row that sets
//!   `demand.order_size.distribution` drops the template's other `[demand.order_size]` keys.
//! - `scenario.name` and `part.name` are set to the part's id unless a column sets them.
//! - `simulation.*` and `sweep.*` columns are refused (paths and seed belong to the whole
//!   portfolio), and so is renaming a policy (policies are compared across parts by name).
//!
//! Every problem of every file and row is reported at once, as `FILE:LINE:COLUMN: error:
//! `column` = "cell": what is allowed`, with a suggestion for a misspelt key.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use toml::{Table, Value};

use crate::error::{InputError, Problem, Severity};
use crate::inventory::Plan;
use crate::scenario::Scenario;
use crate::scenario::overrides::{OverrideKey, apply_overrides_to_table};

/// Largest parts CSV read, in bytes (256 MiB).
pub const MAX_PARTS_FILE_BYTES: u64 = 256 << 20;

/// A column of the parts files that overrides a scenario field (or a carried `fit.` column).
#[derive(Debug, Clone)]
pub struct Column {
    /// The header as written (the dotted key).
    pub name: String,
    /// Index of the file it is in.
    file: usize,
    /// 1-based field number in that file.
    field: usize,
}

/// One validated part: its id, its cells, its scenario and plan.
#[derive(Debug, Clone)]
pub struct PreparedPart {
    /// The part's id (the `part` column).
    pub part: String,
    /// The cells of the override columns, as written (trimmed), in column order.
    pub values: Vec<String>,
    /// The cells of the `fit.` columns, in column order.
    pub fit_values: Vec<String>,
    /// The part's scenario TOML (the template with the row's values written in).
    pub scenario_text: String,
    /// The validated scenario.
    pub scenario: Scenario,
    /// Its plan (retained levels computed; `retain = "optimal"` not yet resolved).
    pub plan: Plan,
    /// Warnings of the part's scenario.
    pub warnings: Vec<Problem>,
}

/// The parts files, read, joined and validated against the template.
#[derive(Debug, Clone)]
pub struct PartsInput {
    /// The files, in the order given.
    pub files: Vec<PathBuf>,
    /// Their text (for the shard fingerprint).
    pub texts: Vec<String>,
    /// The override columns, in order of appearance (first file first).
    pub columns: Vec<Column>,
    /// The carried `fit.` columns.
    pub fit_columns: Vec<Column>,
    /// The parts, in the first file's row order.
    pub parts: Vec<PreparedPart>,
    /// Warnings about the files (parts of a later file that the first does not list).
    pub warnings: Vec<Problem>,
}

/// One row of the joined table before validation.
struct RawRow {
    part: String,
    /// 1-based line of the row in each file.
    lines: Vec<usize>,
    cells: Vec<String>,
    fit_cells: Vec<String>,
}

/// Reads a parts file: at most [`MAX_PARTS_FILE_BYTES`] bytes of UTF-8 text.
fn read_text(path: &Path) -> Result<String, InputError> {
    crate::scenario::read_text_file(
        path,
        MAX_PARTS_FILE_BYTES,
        "a parts list is a CSV text file",
    )
}

/// The value of a cell: a TOML value if the cell is one (`600`, `0.25`, `true`, `"x"`,
/// `{ cover_years = 5 }`), else the cell as text.
pub fn cell_value(cell: &str) -> Value {
    if let Ok(mut t) = format!("v = {cell}").parse::<Table>()
        && t.len() == 1
        && let Some(v) = t.remove("v")
    {
        return v;
    }
    Value::String(cell.to_string())
}

fn error(
    file: &Path,
    line: usize,
    column: usize,
    key: &str,
    value: Option<&str>,
    message: String,
) -> Problem {
    Problem {
        severity: Severity::Error,
        file: file.to_path_buf(),
        line,
        column,
        key: key.to_string(),
        value: value.map(|v| format!("{v:?}")),
        message,
    }
}

/// One file's header and rows: (names, rows of (line, cells)).
type Parsed = (Vec<String>, Vec<(usize, Vec<String>)>);

fn parse_csv(path: &Path, text: &str, problems: &mut Vec<Problem>) -> Option<Parsed> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    for r in reader.records() {
        match r {
            Ok(rec) => {
                let line = rec.position().map_or(0, |p| p.line() as usize);
                let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
                if cells.iter().all(|c| c.is_empty()) {
                    continue; // a blank line
                }
                records.push((line, cells));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(error(
                    path,
                    line,
                    0,
                    "(csv)",
                    None,
                    format!("not valid CSV: {e}"),
                ));
                return None;
            }
        }
    }
    if records.is_empty() {
        problems.push(error(
            path,
            1,
            1,
            "(header)",
            None,
            "the file is empty; expected a header row (`part`, then dotted scenario keys such \
             as `part.unit_cost`) and one row per part"
                .into(),
        ));
        return None;
    }
    let (_, header) = records.remove(0);
    if records.is_empty() {
        problems.push(error(
            path,
            2,
            1,
            "part",
            None,
            "no parts: the file has a header but no rows".into(),
        ));
    }
    Some((header, records))
}

/// Keys a column may not set, with why.
fn refused(key: &OverrideKey, canonical: &str) -> Option<&'static str> {
    let first = key.text.split(['.', '[']).next().unwrap_or("");
    if first == "simulation" {
        return Some(
            "paths and seed belong to the whole portfolio (--paths, --seed or the template's \
             [simulation]); each part's seed is derived from the portfolio seed and the part id",
        );
    }
    if first == "sweep" {
        return Some("a portfolio cannot sweep; run `pimsim sweep` on a part's scenario");
    }
    if canonical.starts_with("policy[") && canonical.ends_with(".name") {
        return Some("policies are compared across parts by name; a part cannot rename them");
    }
    None
}

/// Whether `problem_key` (as validation names it) is the field of `canonical` or inside it.
fn covers(canonical: &str, problem_key: &str) -> bool {
    problem_key == canonical
        || problem_key.starts_with(&format!("{canonical}."))
        || problem_key.starts_with(&format!("{canonical}["))
}

/// Reads the parts files, joins them on `part`, and validates every part against the
/// template (`template_text`, read from `template_path`). Runs the per-part validation in
/// parallel on the current rayon pool. Every problem is reported at once.
pub fn read_parts(
    files: &[PathBuf],
    template_path: &Path,
    template_text: &str,
) -> Result<PartsInput, InputError> {
    let template_doc: Table =
        template_text
            .parse()
            .map_err(|e: toml::de::Error| InputError::Unreadable {
                path: template_path.to_path_buf(),
                reason: format!("not valid TOML: {}", e.message()),
            })?;
    let mut problems = Vec::new();
    let mut texts = Vec::new();
    let mut parsed = Vec::new();
    for f in files {
        let text = read_text(f)?;
        parsed.push(parse_csv(f, &text, &mut problems));
        texts.push(text);
    }
    if parsed.iter().any(Option::is_none) {
        return Err(InputError::Problems(problems));
    }
    let parsed: Vec<Parsed> = parsed.into_iter().map(Option::unwrap).collect();

    // Headers: the `part` column of each file, the override and fit columns.
    let mut columns: Vec<Column> = Vec::new();
    let mut fit_columns: Vec<Column> = Vec::new();
    let mut part_field = Vec::new();
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    for (fi, (header, _)) in parsed.iter().enumerate() {
        let path = &files[fi];
        let mut part = None;
        for (j, name) in header.iter().enumerate() {
            let field = j + 1;
            if name == "part" && part.is_none() {
                part = Some(j);
                seen.entry(name.clone()).or_insert((fi, field));
                continue;
            }
            if let Some(&(pf, pj)) = seen.get(name) {
                let message = if pf == fi {
                    format!("the column appears twice (also field {pj})")
                } else {
                    format!(
                        "the column is also in {} (field {pj}); a key may be given in one file only",
                        files[pf].display()
                    )
                };
                problems.push(error(path, 1, field, name, None, message));
                continue;
            }
            seen.insert(name.clone(), (fi, field));
            if name.is_empty() {
                problems.push(error(
                    path,
                    1,
                    field,
                    "(header)",
                    None,
                    "an empty column name".into(),
                ));
            } else if name.starts_with("fit.") {
                fit_columns.push(Column {
                    name: name.clone(),
                    file: fi,
                    field,
                });
            } else {
                columns.push(Column {
                    name: name.clone(),
                    file: fi,
                    field,
                });
            }
        }
        if part.is_none() {
            problems.push(error(
                path,
                1,
                1,
                "part",
                None,
                format!(
                    "missing column `part` (the part's id); the header is: {}",
                    header.join(",")
                ),
            ));
        }
        part_field.push(part.unwrap_or(0));
    }
    if !problems.is_empty() {
        return Err(InputError::Problems(problems));
    }

    // Each column's key: parsed, resolved against the template, known to the schema.
    let mut keys: Vec<Option<(OverrideKey, String)>> = Vec::new();
    for c in &columns {
        let path = &files[c.file];
        let bad = |message: String| error(path, 1, c.field, &c.name, None, message);
        let key = match OverrideKey::parse(&c.name) {
            Ok(k) => k,
            Err(e) => {
                problems.push(bad(format!(
                    "{e}; a column is `part`, a dotted scenario key (e.g. `part.unit_cost`, \
                     `demand.rate`) or a diagnostic starting with `fit.`"
                )));
                keys.push(None);
                continue;
            }
        };
        let mut probe = template_doc.clone();
        let canonical =
            match apply_overrides_to_table(&mut probe, &[(key.clone(), Value::Integer(0))]) {
                Ok(names) => names[0].clone(),
                Err(e) => {
                    problems.push(bad(e.to_string()));
                    keys.push(None);
                    continue;
                }
            };
        if let Some(why) = refused(&key, &canonical) {
            problems.push(bad(format!("cannot be set per part: {why}")));
            keys.push(None);
            continue;
        }
        // An unknown key is an error whatever the cells hold (even when all are empty).
        if let Err(InputError::Problems(ps)) =
            Scenario::from_toml(template_path, &probe.to_string())
            && let Some(p) = ps
                .iter()
                .find(|p| covers(&p.key, &canonical) && p.message.starts_with("unknown key"))
        {
            problems.push(bad(if p.key == canonical {
                p.message.clone()
            } else {
                format!("`{}`: {}", p.key, p.message)
            }));
            keys.push(None);
            continue;
        }
        keys.push(Some((key, canonical)));
    }

    // Problems of the columns do not stop the rows' checks (their cells are not applied).
    let column_problems = problems.len();

    // Rows, joined on `part`.
    let (first_header, first_rows) = &parsed[0];
    let mut rows: Vec<RawRow> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let width = |fi: usize| parsed[fi].0.len();
    let take_row =
        |fi: usize, line: usize, cells: &[String], problems: &mut Vec<Problem>| -> Option<String> {
            if cells.len() != width(fi) {
                problems.push(error(
                    &files[fi],
                    line,
                    cells.len().min(width(fi)) + 1,
                    "(row)",
                    None,
                    format!("{} fields where the header has {}", cells.len(), width(fi)),
                ));
                return None;
            }
            let part = cells[part_field[fi]].clone();
            if part.is_empty() {
                problems.push(error(
                    &files[fi],
                    line,
                    part_field[fi] + 1,
                    "part",
                    Some(""),
                    "empty part id; every row needs one".into(),
                ));
                return None;
            }
            Some(part)
        };
    for (line, cells) in first_rows {
        let Some(part) = take_row(0, *line, cells, &mut problems) else {
            continue;
        };
        if let Some(&r) = index.get(&part) {
            problems.push(error(
                &files[0],
                *line,
                part_field[0] + 1,
                "part",
                Some(&part),
                format!(
                    "the part is given twice (first at line {})",
                    rows[r].lines[0]
                ),
            ));
            continue;
        }
        index.insert(part.clone(), rows.len());
        rows.push(RawRow {
            part,
            lines: vec![*line],
            cells: vec![String::new(); columns.len()],
            fit_cells: vec![String::new(); fit_columns.len()],
        });
    }
    let _ = first_header;
    let mut warnings = Vec::new();
    for fi in 1..files.len() {
        let mut found = vec![false; rows.len()];
        // Parts of this file that the first does not list (a part master usually holds more
        // parts than a demand fit): not part of the portfolio.
        let mut extra: Vec<String> = Vec::new();
        for (line, cells) in &parsed[fi].1 {
            let Some(part) = take_row(fi, *line, cells, &mut problems) else {
                continue;
            };
            let Some(&r) = index.get(&part) else {
                extra.push(part);
                continue;
            };
            if found[r] {
                problems.push(error(
                    &files[fi],
                    *line,
                    part_field[fi] + 1,
                    "part",
                    Some(&part),
                    "the part is given twice in this file".into(),
                ));
                continue;
            }
            found[r] = true;
            rows[r].lines.push(*line);
        }
        if !extra.is_empty() {
            let shown: Vec<&str> = extra.iter().take(10).map(String::as_str).collect();
            warnings.push(Problem {
                severity: Severity::Warning,
                file: files[fi].clone(),
                line: 0,
                column: 0,
                key: "part".into(),
                value: None,
                message: format!(
                    "{} part(s) not in {} are ignored (the first file lists the portfolio's \
                     parts): {}{}",
                    extra.len(),
                    files[0].display(),
                    shown.join(", "),
                    if extra.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    }
                ),
            });
        }
        let missing: Vec<&str> = rows
            .iter()
            .zip(&found)
            .filter(|(_, f)| !**f)
            .map(|(r, _)| r.part.as_str())
            .collect();
        if !missing.is_empty() {
            let shown: Vec<&str> = missing.iter().take(10).copied().collect();
            problems.push(error(
                &files[fi],
                1,
                part_field[fi] + 1,
                "part",
                None,
                format!(
                    "{} part(s) of {} are missing from this file: {}{}",
                    missing.len(),
                    files[0].display(),
                    shown.join(", "),
                    if missing.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    }
                ),
            ));
        }
    }
    if problems.len() > column_problems {
        return Err(InputError::Problems(problems));
    }
    // Cells, now that every row has a line in every file.
    let mut cells_by_file: Vec<HashMap<String, &Vec<String>>> = Vec::new();
    for (fi, (_, recs)) in parsed.iter().enumerate() {
        cells_by_file.push(
            recs.iter()
                .map(|(_, cells)| (cells[part_field[fi]].clone(), cells))
                .collect(),
        );
    }
    for row in &mut rows {
        for (k, c) in columns.iter().enumerate() {
            row.cells[k] = cells_by_file[c.file][&row.part][c.field - 1].clone();
        }
        for (k, c) in fit_columns.iter().enumerate() {
            row.fit_cells[k] = cells_by_file[c.file][&row.part][c.field - 1].clone();
        }
    }

    // Every part's scenario, validated in parallel.
    let named = |key: &str| columns.iter().any(|c| c.name == key);
    let (names_scenario, names_part) = (named("scenario.name"), named("part.name"));
    let model_column = columns.iter().position(|c| c.name == "demand.model");
    let size_column = columns
        .iter()
        .position(|c| c.name == "demand.order_size.distribution");
    let results: Vec<Result<PreparedPart, Vec<Problem>>> = rows
        .into_par_iter()
        .map(|row| {
            let mut doc = template_doc.clone();
            doc.remove("sweep");
            let sets = |k: Option<usize>| k.is_some_and(|k| !row.cells[k].is_empty());
            if sets(model_column)
                && let Some(Value::Table(demand)) = doc.get_mut("demand")
            {
                demand.retain(|k, v| k == "model" || v.is_table());
            }
            if sets(size_column)
                && let Some(Value::Table(size)) =
                    doc.get_mut("demand").and_then(|d| d.get_mut("order_size"))
            {
                size.retain(|k, _| k == "distribution");
            }
            let mut overrides = Vec::new();
            if !names_scenario {
                overrides.push((
                    OverrideKey::parse("scenario.name").expect("a valid key"),
                    Value::String(row.part.clone()),
                ));
            }
            if !names_part {
                overrides.push((
                    OverrideKey::parse("part.name").expect("a valid key"),
                    Value::String(row.part.clone()),
                ));
            }
            let mut applied = Vec::new();
            for (k, cell) in row.cells.iter().enumerate() {
                if let (false, Some((key, canonical))) = (cell.is_empty(), &keys[k]) {
                    overrides.push((key.clone(), cell_value(cell)));
                    applied.push((k, canonical.as_str()));
                }
            }
            let at = |k: usize| {
                let c = &columns[k];
                (&files[c.file], row.lines[c.file], c.field)
            };
            let blame = |problem_key: &str| -> Option<usize> {
                applied
                    .iter()
                    .find(|(_, canonical)| covers(canonical, problem_key))
                    .map(|(k, _)| *k)
                    .or_else(|| {
                        // The demand parameters a model switch asks for.
                        model_column.filter(|&m| {
                            !row.cells[m].is_empty() && problem_key.starts_with("demand.")
                        })
                    })
            };
            // A problem of the part's scenario at the cell that caused it (or at the part's
            // id when no cell did); `value` is the value validation names, when it is at
            // another key than the cell's.
            let problem = |k: Option<usize>, key: &str, value: Option<&String>, message: String| {
                let other = |message: String| {
                    let value = value.map(|v| format!(" = {v}")).unwrap_or_default();
                    format!("`{key}`{value}: {message}")
                };
                match k {
                    Some(k) => {
                        let (file, line, field) = at(k);
                        let same = keys[k].as_ref().is_some_and(|(_, canon)| canon == key);
                        let message = if same { message } else { other(message) };
                        error(
                            file,
                            line,
                            field,
                            &columns[k].name,
                            Some(&row.cells[k]),
                            message,
                        )
                    }
                    None => error(
                        &files[0],
                        row.lines[0],
                        part_field[0] + 1,
                        "part",
                        Some(&row.part),
                        other(message),
                    ),
                }
            };
            let mut applied_doc = doc;
            if let Err(e) = apply_overrides_to_table(&mut applied_doc, &overrides) {
                return Err(vec![problem(None, "(row)", None, e.to_string())]);
            }
            let text = applied_doc.to_string();
            let file_name = PathBuf::from(format!("{}.toml", row.part));
            let loaded = match Scenario::from_toml(&file_name, &text) {
                Ok(l) => l,
                Err(InputError::Problems(ps)) => {
                    return Err(ps
                        .iter()
                        .filter(|p| p.severity == Severity::Error)
                        .map(|p| {
                            problem(blame(&p.key), &p.key, p.value.as_ref(), p.message.clone())
                        })
                        .collect());
                }
                Err(e) => return Err(vec![problem(None, "(scenario)", None, e.to_string())]),
            };
            let plan = match Plan::new(&loaded.scenario) {
                Ok(plan) => plan,
                Err((i, e)) => {
                    let key = format!("policy[{i}].retain");
                    return Err(vec![problem(blame(&key), &key, None, e.to_string())]);
                }
            };
            Ok(PreparedPart {
                part: row.part,
                values: row.cells,
                fit_values: row.fit_cells,
                scenario_text: text,
                scenario: loaded.scenario,
                plan,
                warnings: loaded.warnings,
            })
        })
        .collect();
    let mut parts = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(p) => parts.push(p),
            Err(ps) => problems.extend(ps),
        }
    }
    if !problems.is_empty() {
        return Err(InputError::Problems(problems));
    }
    Ok(PartsInput {
        files: files.to_vec(),
        texts,
        columns,
        fit_columns,
        parts,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_toml_values_or_text() {
        assert_eq!(cell_value("600"), Value::Integer(600));
        assert_eq!(cell_value("0.25"), Value::Float(0.25));
        assert_eq!(cell_value("true"), Value::Boolean(true));
        assert_eq!(
            cell_value("exponential"),
            Value::String("exponential".into())
        );
        assert_eq!(cell_value("\"x y\""), Value::String("x y".into()));
        assert!(cell_value("{ cover_years = 5 }").is_table());
        assert_eq!(cell_value("a = 1"), Value::String("a = 1".into()));
    }
}
