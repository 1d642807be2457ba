//! A schema reader over a parsed TOML document that keeps every value's position, so that each
//! problem names the file, line, column, key, bad value and what is allowed, and so that all
//! problems of a file are reported at once.

use std::cell::RefCell;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::keys::{Bound, Key, TableSpec, num};
use crate::error::{Problem, Severity};

/// Most characters of a name (`scenario.name`, `part.name`, a policy's or partner's `name`).
pub const MAX_NAME_CHARS: usize = 200;

/// The text of one scenario file and the problems found in it so far.
pub(crate) struct Source<'a> {
    file: &'a Path,
    text: &'a str,
    problems: RefCell<Vec<Problem>>,
}

impl<'a> Source<'a> {
    pub(crate) fn new(file: &'a Path, text: &'a str) -> Self {
        Source {
            file,
            text,
            problems: RefCell::new(Vec::new()),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        (line, column)
    }

    fn snippet(&self, span: &Range<usize>) -> String {
        let raw = self.text.get(span.clone()).unwrap_or("").trim();
        let first_line = raw.lines().next().unwrap_or("");
        if first_line.chars().count() > 60 || raw.lines().count() > 1 {
            format!("{}…", first_line.chars().take(60).collect::<String>())
        } else {
            first_line.to_string()
        }
    }

    /// Where `span` starts, and its text (shortened).
    pub(crate) fn locate(&self, span: Range<usize>) -> super::Located {
        let (line, column) = self.position(span.start);
        super::Located {
            line,
            column,
            value: self.snippet(&span),
        }
    }

    pub(crate) fn report(
        &self,
        severity: Severity,
        span: Range<usize>,
        key: &str,
        show_value: bool,
        message: impl Into<String>,
    ) {
        let (line, column) = self.position(span.start);
        let value = show_value.then(|| self.snippet(&span));
        self.problems.borrow_mut().push(Problem {
            severity,
            file: self.file.to_path_buf(),
            line,
            column,
            key: key.to_string(),
            value,
            message: message.into(),
        });
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.problems
            .borrow()
            .iter()
            .any(|p| p.severity == Severity::Error)
    }

    pub(crate) fn into_problems(self) -> Vec<Problem> {
        self.problems.into_inner()
    }
}

/// A TOML table being read: its dotted key, its position and its entries.
#[derive(Clone)]
pub(crate) struct Table<'s, 'a> {
    pub(crate) src: &'s Source<'a>,
    pub(crate) key: String,
    pub(crate) span: (usize, usize),
    map: &'s DeTable<'a>,
}

type Entry<'s, 'a> = (
    &'s Spanned<std::borrow::Cow<'a, str>>,
    &'s Spanned<DeValue<'a>>,
);

impl<'s, 'a> Table<'s, 'a> {
    pub(crate) fn root(src: &'s Source<'a>, doc: &'s Spanned<DeTable<'a>>) -> Self {
        let span = doc.span();
        Table {
            src,
            key: String::new(),
            span: (span.start, span.end),
            map: doc.get_ref(),
        }
    }

    /// The dotted name of `key` in this table.
    pub(crate) fn path(&self, key: &str) -> String {
        if self.key.is_empty() {
            key.to_string()
        } else {
            format!("{}.{}", self.key, key)
        }
    }

    fn entry(&self, key: &str) -> Option<Entry<'s, 'a>> {
        self.map.iter().find(|(k, _)| k.get_ref().as_ref() == key)
    }

    /// Whether `key` is present.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.entry(key).is_some()
    }

    /// Reports every key not in `allowed`, with a suggestion for near misses.
    pub(crate) fn check_keys(&self, allowed: &[&str]) {
        self.check_keys_except(&[], allowed);
    }

    /// [`Table::check_keys`], skipping the keys in `reported` (which have a message of their
    /// own).
    pub(crate) fn check_keys_except(&self, reported: &[&str], allowed: &[&str]) {
        for (k, _) in self.map.iter() {
            let name = k.get_ref().as_ref();
            if allowed.contains(&name) || reported.contains(&name) {
                continue;
            }
            let suggestion = allowed
                .iter()
                .map(|a| (strsim::jaro_winkler(name, a), *a))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, a)| format!("did you mean `{a}`? "))
                .unwrap_or_default();
            self.src.report(
                Severity::Error,
                k.span(),
                &self.path(name),
                false,
                format!(
                    "unknown key; {suggestion}allowed here: {}",
                    allowed.join(", ")
                ),
            );
        }
    }

    /// Reports a problem at `key` (its value), or at the table when the key is absent.
    pub(crate) fn problem(&self, severity: Severity, key: &str, message: impl Into<String>) {
        match self.entry(key) {
            Some((_, v)) => self
                .src
                .report(severity, v.span(), &self.path(key), true, message),
            None => self.src.report(
                severity,
                self.span.0..self.span.1,
                &self.path(key),
                false,
                message,
            ),
        }
    }

    /// Reports an error at `key`.
    pub(crate) fn error(&self, key: &str, message: impl Into<String>) {
        self.problem(Severity::Error, key, message);
    }

    /// Reports a warning at `key`.
    pub(crate) fn warn(&self, key: &str, message: impl Into<String>) {
        self.problem(Severity::Warning, key, message);
    }

    fn missing(&self, key: &str, what: &str) {
        self.src.report(
            Severity::Error,
            self.span.0..self.span.1,
            &self.path(key),
            false,
            format!("missing required key; expected {what}"),
        );
    }

    fn wrong_type(&self, key: &str, value: &Spanned<DeValue<'a>>, what: &str) {
        self.src.report(
            Severity::Error,
            value.span(),
            &self.path(key),
            true,
            format!("expected {what}, found {}", type_name(value.get_ref())),
        );
    }

    /// An optional number within `bound`; `unit` says what it measures (for messages).
    pub(crate) fn number(&self, key: &str, bound: Bound, unit: &str) -> Option<f64> {
        let (_, v) = self.entry(key)?;
        let Some(parsed) = parse_number(v.get_ref()) else {
            self.wrong_type(key, v, &format!("{} ({unit})", bound.describe()));
            return None;
        };
        match parsed {
            Ok(x) if bound.admits(x) => Some(x),
            _ => {
                self.src.report(
                    Severity::Error,
                    v.span(),
                    &self.path(key),
                    true,
                    out_of_bound(bound, unit, parsed),
                );
                None
            }
        }
    }

    /// [`Table::number`] of a key of the key table (its name, bound and unit).
    pub(crate) fn number_of(&self, key: &Key) -> Option<f64> {
        self.number(key.name, key.bound(), key.unit)
    }

    /// [`Table::required_number`] of a key of the key table.
    pub(crate) fn required_number_of(&self, key: &Key) -> Option<f64> {
        self.required_number(key.name, key.bound(), key.unit)
    }

    /// [`Table::integer_in`] of a key of the key table (its name, limits and unit).
    pub(crate) fn integer_of(&self, key: &Key) -> Option<i64> {
        let (min, max) = key.integer_limits();
        self.integer_in(key.name, min, max, key.unit)
    }

    /// [`Table::required_integer_in`] of a key of the key table.
    pub(crate) fn required_integer_of(&self, key: &Key) -> Option<i64> {
        let (min, max) = key.integer_limits();
        self.required_integer_in(key.name, min, max, key.unit)
    }

    /// [`Table::numbers`] of a key of the key table.
    pub(crate) fn numbers_of(&self, key: &Key) -> Option<Vec<f64>> {
        self.numbers(key.name, key.bound(), key.unit)
    }

    /// [`Table::check_keys`] with the keys of `spec`.
    pub(crate) fn check_spec(&self, spec: &TableSpec) {
        self.check_keys(&spec.names());
    }

    /// A required number; see [`Table::number`].
    pub(crate) fn required_number(&self, key: &str, bound: Bound, unit: &str) -> Option<f64> {
        if !self.has(key) {
            self.missing(key, &format!("{} ({unit})", bound.describe()));
            return None;
        }
        self.number(key, bound, unit)
    }

    /// An optional whole number in [`min`, `max`].
    pub(crate) fn integer_in(&self, key: &str, min: i64, max: i64, unit: &str) -> Option<i64> {
        let (_, v) = self.entry(key)?;
        let allowed = describe_integer(min, max, unit);
        match v.get_ref() {
            DeValue::Integer(i) => match parse_integer(i.as_str(), i.radix()) {
                Some(x) if x >= min && x <= max => Some(x),
                _ => {
                    self.src.report(
                        Severity::Error,
                        v.span(),
                        &self.path(key),
                        true,
                        format!("must be {allowed}"),
                    );
                    None
                }
            },
            _ => {
                self.wrong_type(key, v, &allowed);
                None
            }
        }
    }

    /// A required whole number in [`min`, `max`].
    pub(crate) fn required_integer_in(
        &self,
        key: &str,
        min: i64,
        max: i64,
        unit: &str,
    ) -> Option<i64> {
        if !self.has(key) {
            self.missing(key, &describe_integer(min, max, unit));
            return None;
        }
        self.integer_in(key, min, max, unit)
    }

    /// An optional string.
    pub(crate) fn string(&self, key: &str) -> Option<String> {
        let (_, v) = self.entry(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                self.wrong_type(key, v, "a string");
                None
            }
        }
    }

    /// An optional name (of the scenario, the part, a policy or a partner): a string of at
    /// most [`MAX_NAME_CHARS`] characters, since names are repeated on every row of the CSV
    /// files and time series.
    pub(crate) fn name(&self, key: &str) -> Option<String> {
        let s = self.string(key)?;
        let chars = s.chars().count();
        if chars > MAX_NAME_CHARS {
            self.error(
                key,
                format!(
                    "a name of at most {MAX_NAME_CHARS} characters (names are repeated on every \
                     row of the CSV files); this one has {chars}"
                ),
            );
            return None;
        }
        Some(s)
    }

    /// An optional string that must be one of `choices`.
    pub(crate) fn choice(&self, key: &str, choices: &[&str]) -> Option<String> {
        let s = self.string(key)?;
        if choices.contains(&s.as_str()) {
            return Some(s);
        }
        let suggestion = choices
            .iter()
            .map(|a| (strsim::jaro_winkler(&s, a), *a))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, a)| format!("did you mean \"{a}\"? "))
            .unwrap_or_default();
        self.error(
            key,
            format!(
                "unknown value; {suggestion}allowed: {}",
                choices
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        );
        None
    }

    /// An optional boolean.
    pub(crate) fn boolean(&self, key: &str) -> Option<bool> {
        let (_, v) = self.entry(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(key, v, "true or false");
                None
            }
        }
    }

    /// An optional array of numbers, each within `bound`.
    pub(crate) fn numbers(&self, key: &str, bound: Bound, unit: &str) -> Option<Vec<f64>> {
        let (_, v) = self.entry(key)?;
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(key, v, &format!("an array of numbers ({unit})"));
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let parsed = parse_number(item.get_ref()).unwrap_or(Err(Unparsed::NotANumber));
            match parsed {
                Ok(x) if bound.admits(x) => out.push(x),
                _ => {
                    ok = false;
                    self.src.report(
                        Severity::Error,
                        item.span(),
                        &format!("{}[{i}]", self.path(key)),
                        true,
                        out_of_bound(bound, unit, parsed),
                    );
                }
            }
        }
        ok.then_some(out)
    }

    /// A sub-table, if present (and reports an error if `key` holds something else).
    pub(crate) fn table(&self, key: &str) -> Option<Table<'s, 'a>> {
        let (_, v) = self.entry(key)?;
        match v.get_ref() {
            DeValue::Table(map) => {
                let span = v.span();
                Some(Table {
                    src: self.src,
                    key: self.path(key),
                    span: (span.start, span.end),
                    map,
                })
            }
            _ => {
                self.wrong_type(key, v, "a table");
                None
            }
        }
    }

    /// The raw value of `key`, for keys that take several shapes.
    pub(crate) fn raw(&self, key: &str) -> Option<&'s Spanned<DeValue<'a>>> {
        self.entry(key).map(|(_, v)| v)
    }

    /// A table made from a value (an element of an array of tables, an inline table).
    pub(crate) fn table_at(
        &self,
        value: &'s Spanned<DeValue<'a>>,
        path: String,
    ) -> Option<Table<'s, 'a>> {
        match value.get_ref() {
            DeValue::Table(map) => {
                let span = value.span();
                Some(Table {
                    src: self.src,
                    key: path,
                    span: (span.start, span.end),
                    map,
                })
            }
            _ => None,
        }
    }

    /// The elements of an array (of tables), with an error if `key` holds something else.
    pub(crate) fn array(&self, key: &str) -> Vec<&'s Spanned<DeValue<'a>>> {
        let Some((_, v)) = self.entry(key) else {
            return Vec::new();
        };
        match v.get_ref() {
            DeValue::Array(items) => items.iter().collect(),
            _ => {
                self.wrong_type(key, v, &format!("an array of tables ([[{key}]])"));
                Vec::new()
            }
        }
    }
}

fn describe_integer(min: i64, max: i64, unit: &str) -> String {
    if max == i64::MAX {
        format!("a whole number ≥ {min} ({unit})")
    } else {
        format!(
            "a whole number in [{}, {}] ({unit})",
            num(min as f64),
            num(max as f64)
        )
    }
}

fn parse_integer(text: &str, radix: u32) -> Option<i64> {
    i64::from_str_radix(&text.replace('_', ""), radix).ok()
}

/// Why a value is not a usable number.
#[derive(Debug, Clone, Copy)]
enum Unparsed {
    /// An integer beyond the 64-bit range TOML allows.
    IntegerOverflow,
    /// Not a number at all (an array element of another type).
    NotANumber,
}

/// The number a value holds: `None` when it is not a number (a string, a table, …),
/// `Some(Err(_))` when it is a number that cannot be read, `Some(Ok(x))` otherwise (x may be
/// infinite or NaN: `inf`, `nan`, `1e999`).
fn parse_number(v: &DeValue<'_>) -> Option<Result<f64, Unparsed>> {
    match v {
        DeValue::Integer(i) => Some(
            parse_integer(i.as_str(), i.radix())
                .map(|i| i as f64)
                .ok_or(Unparsed::IntegerOverflow),
        ),
        DeValue::Float(f) => Some(
            f.as_str()
                .replace('_', "")
                .parse::<f64>()
                .map_err(|_| Unparsed::NotANumber),
        ),
        _ => None,
    }
}

/// The message for a number outside `bound` (or not readable): what is allowed, and why the
/// value fails when that is not plain from the bound.
fn out_of_bound(bound: Bound, unit: &str, parsed: Result<f64, Unparsed>) -> String {
    let mut message = format!("must be {} ({unit})", bound.describe());
    match parsed {
        Err(Unparsed::IntegerOverflow) => message.push_str(
            "; an integer must lie in [-2^63, 2^63 - 1] (the TOML limit), write a larger value \
             as a float, e.g. 1e19",
        ),
        Ok(x) if x.is_infinite() => message
            .push_str("; the value is beyond the largest floating-point number (about 1.8e308)"),
        Ok(x) if matches!(bound, Bound::Positive) && x > 0.0 && x < f64::MIN_POSITIVE => message
            .push_str(&format!(
                "; {x:e} is below {:e}, the smallest normal floating-point number, too close to 0 \
                 to divide by",
                f64::MIN_POSITIVE
            )),
        _ => {}
    }
    message
}

/// The TOML type name of a value, for messages.
pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}
