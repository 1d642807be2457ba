//! Joining the rows of the parts files on `part` (see the parent module for the rules).

use std::collections::HashMap;
use std::path::PathBuf;

use super::{Column, Headers, Parsed, error};
use crate::error::{Problem, Severity};
use crate::part_id::part_id_problem;

/// One row of the joined table before validation.
pub(super) struct RawRow {
    pub(super) part: String,
    /// 1-based line of the row in each file.
    pub(super) lines: Vec<usize>,
    pub(super) cells: Vec<String>,
    pub(super) fit_cells: Vec<String>,
}

/// Up to ten of `names`, comma-separated, with `…` when there are more.
fn shown(names: &[&str]) -> String {
    let more = if names.len() > 10 { ", …" } else { "" };
    format!("{}{more}", names[..names.len().min(10)].join(", "))
}

/// The rows of the parts files, joined on `part`, with the warnings about parts only later
/// files list.
pub(super) struct Joiner<'a> {
    pub(super) files: &'a [PathBuf],
    pub(super) parsed: &'a [Parsed],
    pub(super) headers: &'a Headers,
    pub(super) rows: Vec<RawRow>,
    pub(super) index: HashMap<String, usize>,
}

impl Joiner<'_> {
    /// The part id of a row of file `fi`; `None` (and a problem) for a row of the wrong width
    /// or without an id.
    fn take_row(
        &self,
        fi: usize,
        line: usize,
        cells: &[String],
        problems: &mut Vec<Problem>,
    ) -> Option<String> {
        let width = self.parsed[fi].0.len();
        let part_field = self.headers.part_field[fi];
        if cells.len() != width {
            problems.push(error(
                (&self.files[fi], line, cells.len().min(width) + 1),
                "(row)",
                None,
                format!("{} fields where the header has {}", cells.len(), width),
            ));
            return None;
        }
        let part = cells[part_field].clone();
        if part.is_empty() {
            problems.push(error(
                (&self.files[fi], line, part_field + 1),
                "part",
                Some(""),
                "empty part id; every row needs one",
            ));
            return None;
        }
        Some(part)
    }

    /// The first file's rows: the portfolio's parts, each once, with ids that name files.
    pub(super) fn first_file(&mut self, problems: &mut Vec<Problem>) {
        let (columns, fit_columns) = (self.headers.columns.len(), self.headers.fit_columns.len());
        let part_field = self.headers.part_field[0];
        for (line, cells) in &self.parsed[0].1 {
            let Some(part) = self.take_row(0, *line, cells, problems) else {
                continue;
            };
            let at = |message: String| {
                error(
                    (&self.files[0], *line, part_field + 1),
                    "part",
                    Some(&part),
                    message,
                )
            };
            if let Some(message) = part_id_problem(&part) {
                problems.push(at(message));
                continue;
            }
            if let Some(&r) = self.index.get(&part) {
                let first = self.rows[r].lines[0];
                problems.push(at(format!(
                    "the part is given twice (first at line {first})"
                )));
                continue;
            }
            self.index.insert(part.clone(), self.rows.len());
            self.rows.push(RawRow {
                part,
                lines: vec![*line],
                cells: vec![String::new(); columns],
                fit_cells: vec![String::new(); fit_columns],
            });
        }
    }

    /// The rows of a later file `fi`: one for each part of the portfolio; the parts the first
    /// file does not list are ignored (a part master usually holds more parts than a demand
    /// fit), with a warning.
    pub(super) fn later_file(
        &mut self,
        fi: usize,
        problems: &mut Vec<Problem>,
        warnings: &mut Vec<Problem>,
    ) {
        let part_field = self.headers.part_field[fi];
        let mut found = vec![false; self.rows.len()];
        let mut extra: Vec<String> = Vec::new();
        for (line, cells) in &self.parsed[fi].1 {
            let Some(part) = self.take_row(fi, *line, cells, problems) else {
                continue;
            };
            let Some(&r) = self.index.get(&part) else {
                extra.push(part);
                continue;
            };
            if found[r] {
                problems.push(error(
                    (&self.files[fi], *line, part_field + 1),
                    "part",
                    Some(&part),
                    "the part is given twice in this file",
                ));
                continue;
            }
            found[r] = true;
            self.rows[r].lines.push(*line);
        }
        if !extra.is_empty() {
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            warnings.push(Problem {
                severity: Severity::Warning,
                file: self.files[fi].clone(),
                line: 0,
                column: 0,
                key: "part".into(),
                value: None,
                message: format!(
                    "{} part(s) not in {} are ignored (the first file lists the portfolio's \
                     parts): {}",
                    extra.len(),
                    self.files[0].display(),
                    shown(&extra)
                ),
            });
        }
        let missing: Vec<&str> = self
            .rows
            .iter()
            .zip(&found)
            .filter(|(_, f)| !**f)
            .map(|(r, _)| r.part.as_str())
            .collect();
        if !missing.is_empty() {
            problems.push(error(
                (&self.files[fi], 1, part_field + 1),
                "part",
                None,
                format!(
                    "{} part(s) of {} are missing from this file: {}",
                    missing.len(),
                    self.files[0].display(),
                    shown(&missing)
                ),
            ));
        }
    }

    /// Fills every row's cells from the files, now that every row has a line in every file.
    pub(super) fn fill_cells(&mut self) {
        let by_file: Vec<HashMap<&str, &Vec<String>>> = self
            .parsed
            .iter()
            .enumerate()
            .map(|(fi, (_, recs))| {
                let part_field = self.headers.part_field[fi];
                recs.iter()
                    .map(|(_, cells)| (cells[part_field].as_str(), cells))
                    .collect()
            })
            .collect();
        let cell = |c: &Column, part: &str| by_file[c.file][part][c.field - 1].clone();
        for row in &mut self.rows {
            for (k, c) in self.headers.columns.iter().enumerate() {
                row.cells[k] = cell(c, &row.part);
            }
            for (k, c) in self.headers.fit_columns.iter().enumerate() {
                row.fit_cells[k] = cell(c, &row.part);
            }
        }
    }
}
