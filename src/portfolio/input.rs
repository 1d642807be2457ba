//! The parts CSV files of a portfolio: reading, joining on `part`, and validating every part's
//! scenario (the template with the row's values written in).
//!
//! Rules (also in docs/portfolios.md):
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
//!   Cells are read as pimsim's CSV writers write them: an apostrophe before a formula
//!   character (`'=x`, `'-x`, written so that spreadsheets show the text) is dropped
//!   ([`crate::escape::spreadsheet_cell_unescaped`]), so the ids of `pimsim fit`'s
//!   `parts.csv` read back as they were.
//! - A row that sets `demand.model` replaces the template's demand parameters: the other keys
//!   of the template's `[demand]` table (not its sub-tables) are dropped, so that e.g. the
//!   template's `half_life_years` does not clash with a linear model. Likewise a row that sets
//!   `demand.order_size.distribution` drops the template's other `[demand.order_size]` keys.
//! - `scenario.name` and `part.name` are set to the part's id unless a column sets them.
//! - `simulation.*` and `sweep.*` columns are refused (paths and seed belong to the whole
//!   portfolio), and so is renaming a policy (policies are compared across parts by name).
//! - The ids of the portfolio's parts (the first file's) must be able to name the part's
//!   scenario file `<part>.toml` (`--scenarios`): see [`crate::part_id`].
//!
//! **Size.** A portfolio holds at most [`MAX_PORTFOLIO_PARTS`] parts, and its parts files
//! together at most [`MAX_PARTS_FILES_BYTES`] bytes: every part's validated scenario and plan
//! is kept in memory from the validation to the end of the run. Measured peak with the
//! bundled example's fitted `parts.csv` and part master (41 columns) replicated, 1 path:
//! 34 MB for 2,000 parts, 278 MB for 20,000, 685 MB for 50,000, i.e. about 13.5 kB per part,
//! so 100,000 parts take about 1.4 GB. A larger list is refused with its count, after reading
//! the first file only (about 2 kB per row while parsing); split it into several portfolios.
//!
//! Every problem of every file and row is reported at once, as `FILE:LINE:COLUMN: error:
//! `column` = "cell": what is allowed`, with a suggestion for a misspelt key.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use toml::{Table, Value};

mod join;
use join::{Joiner, RawRow};

use crate::error::{InputError, Problem, Severity};
use crate::escape::spreadsheet_cell_unescaped;
use crate::inventory::Plan;
use crate::scenario::Scenario;
use crate::scenario::overrides::{OverrideKey, apply_overrides_to_table};

/// Largest parts CSV read, in bytes (256 MiB).
pub const MAX_PARTS_FILE_BYTES: u64 = 256 << 20;

/// Largest total size of the parts CSV files of one portfolio, in bytes (256 MiB).
pub const MAX_PARTS_FILES_BYTES: u64 = 256 << 20;

/// Most parts in one portfolio (rows of the first parts file).
pub const MAX_PORTFOLIO_PARTS: usize = 100_000;

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
    /// The cells of the override columns, as written (trimmed, a spreadsheet-safe
    /// apostrophe removed), in column order.
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

/// An error at `(file, line, column)` of `key`, with the cell `value` when there is one.
fn error(
    (file, line, column): (&Path, usize, usize),
    key: &str,
    value: Option<&str>,
    message: impl Into<String>,
) -> Problem {
    Problem {
        severity: Severity::Error,
        file: file.to_path_buf(),
        line,
        column,
        key: key.to_string(),
        value: value.map(|v| format!("{v:?}")),
        message: message.into(),
    }
}

/// One file's header and rows: (names, rows of (line, cells)).
type Parsed = (Vec<String>, Vec<(usize, Vec<String>)>);

/// The records of a parts file (blank lines skipped), cells trimmed and unescaped; `None`
/// after a problem. More than `max_rows` rows after the header are an `Err` naming the first
/// row beyond them and the count (only the rows within the limit are kept meanwhile).
fn parse_csv(
    path: &Path,
    text: &str,
    max_rows: usize,
    problems: &mut Vec<Problem>,
) -> Result<Option<Parsed>, Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let (mut rows, mut first_beyond) = (0usize, None);
    for r in reader.records() {
        match r {
            Ok(rec) => {
                let line = rec.position().map_or(0, |p| p.line() as usize);
                if rec.iter().all(|c| c.trim().is_empty()) {
                    continue; // a blank line
                }
                if records.len() > max_rows {
                    // The header and `max_rows` rows are kept; the rest only counted.
                    first_beyond.get_or_insert(line);
                } else {
                    let cells = rec.iter().map(|c| spreadsheet_cell_unescaped(c.trim()));
                    records.push((line, cells.map(str::to_string).collect()));
                }
                rows += 1;
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(error(
                    (path, line, 0),
                    "(csv)",
                    None,
                    format!("not valid CSV: {e}"),
                ));
                return Ok(None);
            }
        }
    }
    if let Some(line) = first_beyond {
        return Err(error(
            (path, line, 1),
            "part",
            None,
            format!(
                "the file lists {} parts; a portfolio holds at most {max_rows} parts (each \
                 part's validated scenario stays in memory for the run); split it into \
                 several portfolios",
                rows - 1
            ),
        ));
    }
    Ok(header_and_rows(path, records, problems))
}

/// Splits the records into the header and the rows; `None` (and a problem) for an empty file.
fn header_and_rows(
    path: &Path,
    mut records: Vec<(usize, Vec<String>)>,
    problems: &mut Vec<Problem>,
) -> Option<Parsed> {
    if records.is_empty() {
        problems.push(error(
            (path, 1, 1),
            "(header)",
            None,
            "the file is empty; expected a header row (`part`, then dotted scenario keys such \
             as `part.unit_cost`) and one row per part",
        ));
        return None;
    }
    let (_, header) = records.remove(0);
    if records.is_empty() {
        problems.push(error(
            (path, 2, 1),
            "part",
            None,
            "no parts: the file has a header but no rows",
        ));
    }
    Some((header, records))
}

/// Reads and parses every parts file: their texts (at most [`MAX_PARTS_FILES_BYTES`] bytes
/// together) and records (the first at most [`MAX_PORTFOLIO_PARTS`] rows).
/// Problems of files that parse (a header without rows) are left in `problems`.
fn read_files(
    files: &[PathBuf],
    given: Option<Vec<String>>,
    problems: &mut Vec<Problem>,
) -> Result<(Vec<String>, Vec<Parsed>), InputError> {
    let mut texts = Vec::new();
    let mut parsed = Vec::new();
    let mut total = 0u64;
    let mut given = given.map(Vec::into_iter);
    for (fi, f) in files.iter().enumerate() {
        let text = match given.as_mut().and_then(Iterator::next) {
            Some(text) => text,
            None => read_text(f)?,
        };
        total += text.len() as u64;
        if total > MAX_PARTS_FILES_BYTES {
            return Err(InputError::Unreadable {
                path: f.clone(),
                reason: format!(
                    "the parts files are larger than {} MiB together ({} MiB up to this one); \
                     a portfolio reads at most {} MiB of parts lists",
                    MAX_PARTS_FILES_BYTES >> 20,
                    total >> 20,
                    MAX_PARTS_FILES_BYTES >> 20
                ),
            });
        }
        // A later file (a part master) may list more parts than the portfolio has.
        let max_rows = if fi == 0 {
            MAX_PORTFOLIO_PARTS
        } else {
            usize::MAX - 1
        };
        // Too many parts: the other files are not even read.
        let records =
            parse_csv(f, &text, max_rows, problems).map_err(|p| InputError::Problems(vec![p]))?;
        parsed.push(records);
        texts.push(text);
    }
    if parsed.iter().any(Option::is_none) {
        return Err(InputError::Problems(std::mem::take(problems)));
    }
    Ok((texts, parsed.into_iter().map(Option::unwrap).collect()))
}

/// The headers of the parts files: the override and `fit.` columns and each file's `part`
/// field (0-based).
#[derive(Default)]
struct Headers {
    columns: Vec<Column>,
    fit_columns: Vec<Column>,
    part_field: Vec<usize>,
}

/// Reads the header of every file: one `part` column each, every other column once in all.
fn read_headers(
    files: &[PathBuf],
    parsed: &[Parsed],
    mut problems: Vec<Problem>,
) -> Result<Headers, InputError> {
    let mut h = Headers::default();
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
                problems.push(error((path, 1, field), name, None, message));
                continue;
            }
            seen.insert(name.clone(), (fi, field));
            let column = Column {
                name: name.clone(),
                file: fi,
                field,
            };
            if name.is_empty() {
                problems.push(error(
                    (path, 1, field),
                    "(header)",
                    None,
                    "an empty column name",
                ));
            } else if name.starts_with("fit.") {
                h.fit_columns.push(column);
            } else {
                h.columns.push(column);
            }
        }
        if part.is_none() {
            problems.push(error(
                (path, 1, 1),
                "part",
                None,
                format!(
                    "missing column `part` (the part's id); the header is: {}",
                    header.join(",")
                ),
            ));
        }
        h.part_field.push(part.unwrap_or(0));
    }
    if problems.is_empty() {
        Ok(h)
    } else {
        Err(InputError::Problems(problems))
    }
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

/// A column's key and its canonical dotted name.
type Key = Option<(OverrideKey, String)>;

/// Scenario fields set by dotted key, with their values.
type Overrides = Vec<(OverrideKey, Value)>;

/// The columns whose cells were applied, with their canonical keys.
type Applied<'a> = Vec<(usize, &'a str)>;

/// A column's key: parsed, resolved against the template, known to the schema, settable per
/// part; `Err` says why not.
fn resolve_key(
    name: &str,
    template_path: &Path,
    template_doc: &Table,
) -> Result<(OverrideKey, String), String> {
    let key = OverrideKey::parse(name).map_err(|e| {
        format!(
            "{e}; a column is `part`, a dotted scenario key (e.g. `part.unit_cost`, \
             `demand.rate`) or a diagnostic starting with `fit.`"
        )
    })?;
    let mut probe = template_doc.clone();
    let canonical = apply_overrides_to_table(&mut probe, &[(key.clone(), Value::Integer(0))])
        .map_err(|e| e.to_string())?
        .swap_remove(0);
    if let Some(why) = refused(&key, &canonical) {
        return Err(format!("cannot be set per part: {why}"));
    }
    // An unknown key is an error whatever the cells hold (even when all are empty).
    if let Err(InputError::Problems(ps)) = Scenario::from_toml(template_path, &probe.to_string())
        && let Some(p) = ps
            .iter()
            .find(|p| covers(&p.key, &canonical) && p.message.starts_with("unknown key"))
    {
        return Err(if p.key == canonical {
            p.message.clone()
        } else {
            format!("`{}`: {}", p.key, p.message)
        });
    }
    Ok((key, canonical))
}

/// Every override column's key ([`resolve_key`]), `None` for a refused one (with a problem).
fn resolve_keys(
    files: &[PathBuf],
    columns: &[Column],
    template_path: &Path,
    template_doc: &Table,
    problems: &mut Vec<Problem>,
) -> Vec<Key> {
    columns
        .iter()
        .map(
            |c| match resolve_key(&c.name, template_path, template_doc) {
                Ok(key) => Some(key),
                Err(message) => {
                    problems.push(error((&files[c.file], 1, c.field), &c.name, None, message));
                    None
                }
            },
        )
        .collect()
}

/// What every part's validation shares: the files, columns, keys and the template.
struct PartContext<'a> {
    files: &'a [PathBuf],
    headers: &'a Headers,
    keys: &'a [Key],
    template_doc: &'a Table,
    /// Whether a column sets `scenario.name`, `part.name`.
    names_scenario: bool,
    names_part: bool,
    /// The `demand.model` and `demand.order_size.distribution` columns.
    model_column: Option<usize>,
    size_column: Option<usize>,
}

impl<'a> PartContext<'a> {
    fn new(
        files: &'a [PathBuf],
        headers: &'a Headers,
        keys: &'a [Key],
        template_doc: &'a Table,
    ) -> Self {
        let columns = &headers.columns;
        let named = |key: &str| columns.iter().any(|c| c.name == key);
        PartContext {
            files,
            headers,
            keys,
            template_doc,
            names_scenario: named("scenario.name"),
            names_part: named("part.name"),
            model_column: columns.iter().position(|c| c.name == "demand.model"),
            size_column: columns
                .iter()
                .position(|c| c.name == "demand.order_size.distribution"),
        }
    }

    /// The template for `row`: without `[sweep]`, and without the demand parameters (or
    /// order-size parameters) that a row setting the model (or the distribution) replaces.
    fn base_doc(&self, row: &RawRow) -> Table {
        let mut doc = self.template_doc.clone();
        doc.remove("sweep");
        let sets = |k: Option<usize>| k.is_some_and(|k| !row.cells[k].is_empty());
        if sets(self.model_column)
            && let Some(Value::Table(demand)) = doc.get_mut("demand")
        {
            demand.retain(|k, v| k == "model" || v.is_table());
        }
        if sets(self.size_column)
            && let Some(Value::Table(size)) =
                doc.get_mut("demand").and_then(|d| d.get_mut("order_size"))
        {
            size.retain(|k, _| k == "distribution");
        }
        doc
    }

    /// The overrides of `row` (the names first, unless a column sets them) and the columns
    /// applied, with their canonical keys.
    fn overrides<'r>(&'r self, row: &RawRow) -> (Overrides, Applied<'r>) {
        let mut overrides = Vec::new();
        for (set_by_column, key) in [
            (self.names_scenario, "scenario.name"),
            (self.names_part, "part.name"),
        ] {
            if !set_by_column {
                overrides.push((
                    OverrideKey::parse(key).expect("a valid key"),
                    Value::String(row.part.clone()),
                ));
            }
        }
        let mut applied = Vec::new();
        for (k, cell) in row.cells.iter().enumerate() {
            if let (false, Some((key, canonical))) = (cell.is_empty(), &self.keys[k]) {
                overrides.push((key.clone(), cell_value(cell)));
                applied.push((k, canonical.as_str()));
            }
        }
        (overrides, applied)
    }

    /// The column to blame for a problem at `problem_key`: the applied cell that set it, or
    /// the `demand.model` cell for the demand parameters a model switch asks for.
    fn blame(&self, row: &RawRow, applied: &[(usize, &str)], problem_key: &str) -> Option<usize> {
        applied
            .iter()
            .find(|(_, canonical)| covers(canonical, problem_key))
            .map(|(k, _)| *k)
            .or_else(|| {
                self.model_column
                    .filter(|&m| !row.cells[m].is_empty() && problem_key.starts_with("demand."))
            })
    }

    /// A problem of the part's scenario at the cell `k` that caused it (or at the part's id
    /// when no cell did); `value` is the value validation names, when it is at another key
    /// than the cell's.
    fn problem(
        &self,
        row: &RawRow,
        k: Option<usize>,
        key: &str,
        value: Option<&String>,
        message: String,
    ) -> Problem {
        let other = |message: String| {
            let value = value.map(|v| format!(" = {v}")).unwrap_or_default();
            format!("`{key}`{value}: {message}")
        };
        match k {
            Some(k) => {
                let c = &self.headers.columns[k];
                let same = self.keys[k].as_ref().is_some_and(|(_, canon)| canon == key);
                let message = if same { message } else { other(message) };
                error(
                    (&self.files[c.file], row.lines[c.file], c.field),
                    &c.name,
                    Some(&row.cells[k]),
                    message,
                )
            }
            None => error(
                (&self.files[0], row.lines[0], self.headers.part_field[0] + 1),
                "part",
                Some(&row.part),
                other(message),
            ),
        }
    }

    /// The part of `row`: its scenario written and validated, its plan computed.
    fn prepare(&self, row: RawRow) -> Result<PreparedPart, Vec<Problem>> {
        let mut doc = self.base_doc(&row);
        let (overrides, applied) = self.overrides(&row);
        if let Err(e) = apply_overrides_to_table(&mut doc, &overrides) {
            return Err(vec![self.problem(&row, None, "(row)", None, e.to_string())]);
        }
        let text = doc.to_string();
        let file_name = PathBuf::from(format!("{}.toml", row.part));
        let loaded = match Scenario::from_toml(&file_name, &text) {
            Ok(l) => l,
            Err(InputError::Problems(ps)) => {
                return Err(ps
                    .iter()
                    .filter(|p| p.severity == Severity::Error)
                    .map(|p| {
                        let k = self.blame(&row, &applied, &p.key);
                        self.problem(&row, k, &p.key, p.value.as_ref(), p.message.clone())
                    })
                    .collect());
            }
            Err(e) => {
                return Err(vec![self.problem(
                    &row,
                    None,
                    "(scenario)",
                    None,
                    e.to_string(),
                )]);
            }
        };
        let plan = Plan::new(&loaded.scenario).map_err(|(i, e)| {
            let key = format!("policy[{i}].retain");
            let k = self.blame(&row, &applied, &key);
            vec![self.problem(&row, k, &key, None, e.to_string())]
        })?;
        Ok(PreparedPart {
            part: row.part,
            values: row.cells,
            fit_values: row.fit_cells,
            scenario_text: text,
            scenario: loaded.scenario,
            plan,
            warnings: loaded.warnings,
        })
    }
}

/// Reads the parts files, joins them on `part`, and validates every part against the
/// template (`template_text`, read from `template_path`). Runs the per-part validation in
/// parallel on the current rayon pool. Every problem is reported at once.
pub fn read_parts(
    files: &[PathBuf],
    template_path: &Path,
    template_text: &str,
) -> Result<PartsInput, InputError> {
    read_parts_from(files, None, template_path, template_text)
}

/// [`read_parts`] of parts lists given as text (`texts[i]` is the content of the file named
/// `files[i]` in messages), e.g. data frames written as CSV by a caller.
pub fn read_parts_texts(
    files: &[PathBuf],
    texts: Vec<String>,
    template_path: &Path,
    template_text: &str,
) -> Result<PartsInput, InputError> {
    read_parts_from(files, Some(texts), template_path, template_text)
}

fn read_parts_from(
    files: &[PathBuf],
    texts: Option<Vec<String>>,
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
    let (texts, parsed) = read_files(files, texts, &mut problems)?;
    let headers = read_headers(files, &parsed, problems)?;
    let mut problems = Vec::new();
    let keys = resolve_keys(
        files,
        &headers.columns,
        template_path,
        &template_doc,
        &mut problems,
    );
    // Problems of the columns do not stop the rows' checks (their cells are not applied).
    let column_problems = problems.len();
    let mut joiner = Joiner {
        files,
        parsed: &parsed,
        headers: &headers,
        rows: Vec::new(),
        index: HashMap::new(),
    };
    joiner.first_file(&mut problems);
    let mut warnings = Vec::new();
    for fi in 1..files.len() {
        joiner.later_file(fi, &mut problems, &mut warnings);
    }
    if problems.len() > column_problems {
        return Err(InputError::Problems(problems));
    }
    joiner.fill_cells();
    let rows = joiner.rows;
    // The rows hold their cells now: the parsed files are not kept while the parts'
    // scenarios and plans are made.
    drop(parsed);
    let context = PartContext::new(files, &headers, &keys, &template_doc);
    let results: Vec<Result<PreparedPart, Vec<Problem>>> = rows
        .into_par_iter()
        .map(|row| context.prepare(row))
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
        columns: headers.columns,
        fit_columns: headers.fit_columns,
        parts,
        warnings,
    })
}
