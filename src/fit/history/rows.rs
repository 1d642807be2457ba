//! Reading the rows of a history file: the header, every row's fields checked, the rows
//! collected per part and month (see the parent module for the rules and limits).

use std::collections::HashMap;
use std::path::PathBuf;

use super::{
    COLUMNS, MAX_ORDER_UNITS, MAX_ORDERS_PER_MONTH, MAX_PARTS, MAX_PROBLEMS, PeriodForm,
    parse_period,
};
use crate::error::{InputError, Problem, Severity};
use crate::escape::spreadsheet_cell_unescaped;
use crate::part_id::part_id_problem;

/// One order line that passed its checks.
pub(super) struct Row {
    pub(super) month: i64,
    pub(super) quantity: u64,
    pub(super) line: usize,
}

/// The rows of one part, as read.
#[derive(Default)]
pub(super) struct PartRows {
    /// The line of the part's first row.
    pub(super) first_line: usize,
    pub(super) rows: Vec<Row>,
    pub(super) eop: Option<(i64, usize, String)>,
    /// Per month: the line of its first row, whether that row has quantity 0, and the number
    /// of orders (rows with quantity > 0) of the month.
    pub(super) months: HashMap<i64, MonthRows>,
}

/// The rows of one part in one month.
#[derive(Clone, Copy)]
pub(super) struct MonthRows {
    pub(super) first_line: usize,
    pub(super) zero: bool,
    pub(super) orders: u64,
}

/// Collects problems of one file.
pub(super) struct Problems {
    pub(super) file: PathBuf,
    pub(super) list: Vec<Problem>,
}

impl Problems {
    pub(super) fn error(
        &mut self,
        line: usize,
        column: usize,
        key: &str,
        value: Option<&str>,
        message: String,
    ) {
        if self.list.len() < MAX_PROBLEMS {
            self.list.push(Problem {
                severity: Severity::Error,
                file: self.file.clone(),
                line,
                column,
                key: key.to_string(),
                value: value.map(|v| format!("{v:?}")),
                message,
            });
        }
    }

    /// `Err` with every problem when there is one.
    pub(super) fn check(&mut self) -> Result<(), InputError> {
        if self.list.is_empty() {
            Ok(())
        } else {
            Err(InputError::Problems(std::mem::take(&mut self.list)))
        }
    }
}

/// The column a misspelt or ERP-style header probably means.
fn suggest_column(name: &str) -> Option<&'static str> {
    let lower = name.to_lowercase();
    let alias = match lower.as_str() {
        "qty" | "units" | "amount" | "quantity_ordered" => Some("quantity"),
        "date" | "month" | "order_date" => Some("period"),
        "sku" | "item" | "part_number" | "part_no" | "material" => Some("part"),
        "end_of_production" => Some("eop"),
        _ => None,
    };
    alias.or_else(|| {
        COLUMNS
            .iter()
            .map(|c| (strsim::jaro_winkler(&lower, c), *c))
            .filter(|(score, _)| *score > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| c)
    })
}

/// Checks that a period is written in the file's form (the form of its first period).
fn check_form(
    form: &mut Option<(PeriodForm, usize)>,
    problems: &mut Problems,
    line: usize,
    f: PeriodForm,
    column: usize,
    key: &str,
    value: &str,
) -> bool {
    match *form {
        None => {
            *form = Some((f, line));
            true
        }
        Some((g, _)) if g == f => true,
        Some((g, first)) => {
            problems.error(
                line,
                column + 1,
                key,
                Some(value),
                format!(
                    "the file writes periods as {} (line {first}); all periods and eop \
                     values must be month indices or all dates",
                    if g == PeriodForm::Index {
                        "month indices"
                    } else {
                        "dates"
                    }
                ),
            );
            false
        }
    }
}

/// The 0-based field numbers of the columns of a history file.
#[derive(Clone, Copy)]
pub(super) struct Columns {
    pub(super) part: usize,
    pub(super) period: usize,
    pub(super) quantity: usize,
    pub(super) eop: Option<usize>,
}

/// Checks the header row: known columns, each once, the required ones present.
pub(super) fn read_header(header: &csv::StringRecord, problems: &mut Problems) -> Option<Columns> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, cell) in header.iter().enumerate() {
        let name = spreadsheet_cell_unescaped(cell);
        if let Some(&known) = COLUMNS.iter().find(|c| **c == name) {
            if index.insert(known, i).is_some() {
                problems.error(
                    1,
                    i + 1,
                    "header",
                    Some(name),
                    format!("column `{name}` appears twice"),
                );
            }
        } else {
            let suggestion = suggest_column(name)
                .map(|c| format!(" (did you mean `{c}`?)"))
                .unwrap_or_default();
            problems.error(
                1,
                i + 1,
                "header",
                Some(name),
                format!(
                    "unknown column{suggestion}; allowed columns: part, period, quantity \
                     (required) and eop (optional)"
                ),
            );
        }
    }
    for required in ["part", "period", "quantity"] {
        if !index.contains_key(required) {
            problems.error(
                1,
                0,
                required,
                None,
                format!(
                    "missing column `{required}`; the header must name the columns part, \
                     period, quantity (and optionally eop)"
                ),
            );
        }
    }
    problems.list.is_empty().then(|| Columns {
        part: index["part"],
        period: index["period"],
        quantity: index["quantity"],
        eop: index.get("eop").copied(),
    })
}

/// The checked fields of one row.
pub(super) struct Fields<'a> {
    part: &'a str,
    period_text: &'a str,
    month: i64,
    eop: Option<(i64, &'a str)>,
    quantity: u64,
}

/// The quantity of an order line: a whole number in [0, [`MAX_ORDER_UNITS`]].
fn parse_quantity(text: &str) -> Result<u64, String> {
    const ALLOWED: &str = "expected the units of the order line, a whole number ≥ 0 (0 marks a \
                           month without orders)";
    let digits = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    match text.parse::<u64>() {
        Ok(q) if q <= MAX_ORDER_UNITS => Ok(q),
        Ok(_) => Err(too_many_units()),
        Err(_) if digits => Err(too_many_units()),
        Err(_) => {
            let what = if text.parse::<f64>().is_ok_and(|q| q < 0.0) {
                "negative quantity"
            } else {
                "not a whole number"
            };
            Err(format!("{what}; {ALLOWED}"))
        }
    }
}

fn too_many_units() -> String {
    format!(
        "too large; at most {MAX_ORDER_UNITS} units per order line (the largest mean order \
         size a scenario allows, demand.order_size.mean ≤ 10^6; a row is one order)"
    )
}

/// The period (and eop) of a row, checked against the file's form; `None` after a problem.
fn parse_row_period(
    text: &str,
    column: usize,
    key: &str,
    line: usize,
    form: &mut Option<(PeriodForm, usize)>,
    problems: &mut Problems,
) -> Option<i64> {
    match parse_period(text) {
        Ok((m, f)) => check_form(form, problems, line, f, column, key, text).then_some(m),
        Err(message) => {
            problems.error(line, column + 1, key, Some(text), message);
            None
        }
    }
}

/// Checks the fields of one row; `None` after a problem (which is reported).
fn parse_fields<'a>(
    field: impl Fn(usize) -> &'a str,
    c: Columns,
    line: usize,
    form: &mut Option<(PeriodForm, usize)>,
    problems: &mut Problems,
) -> Option<Fields<'a>> {
    let part = field(c.part);
    if part.is_empty() {
        problems.error(
            line,
            c.part + 1,
            "part",
            Some(part),
            "empty part id; every row needs the part's id".into(),
        );
        return None;
    }
    let period_text = field(c.period);
    let month = parse_row_period(period_text, c.period, "period", line, form, problems);
    let eop = match c.eop.map(|e| (e, field(e))) {
        Some((e, text)) if !text.is_empty() => {
            parse_row_period(text, e, "eop", line, form, problems).map(|m| Some((m, text)))
        }
        _ => Some(None),
    };
    let quantity_text = field(c.quantity);
    let quantity = parse_quantity(quantity_text)
        .map_err(|message| {
            problems.error(
                line,
                c.quantity + 1,
                "quantity",
                Some(quantity_text),
                message,
            )
        })
        .ok();
    Some(Fields {
        part,
        period_text,
        month: month?,
        eop: eop?,
        quantity: quantity?,
    })
}

/// Every part's rows, in order of first appearance, with the file's span of months.
pub(super) struct Collected {
    pub(super) parts: HashMap<String, PartRows>,
    pub(super) order: Vec<String>,
    pub(super) form: Option<(PeriodForm, usize)>,
    /// The first month of the file, the line of a row in it and its period as written.
    pub(super) first: (i64, usize, String),
    /// The last month of the file, the line of a row in it and its period as written.
    pub(super) last: (i64, usize, String),
}

impl Collected {
    /// Adds the checked row `f` of `line`: the part's first appearance (its id checked), its
    /// end of production, its month (duplicates and the month's volume checked).
    fn add(&mut self, f: Fields<'_>, line: usize, c: Columns, problems: &mut Problems) {
        if !self.parts.contains_key(f.part) {
            if let Some(message) = part_id_problem(f.part) {
                problems.error(line, c.part + 1, "part", Some(f.part), message);
            } else if self.order.len() == MAX_PARTS {
                problems.error(
                    line,
                    c.part + 1,
                    "part",
                    Some(f.part),
                    format!(
                        "more than {MAX_PARTS} parts; a history may hold at most {MAX_PARTS} \
                         (split the file by part)"
                    ),
                );
            }
            self.order.push(f.part.to_string());
            self.parts.insert(
                f.part.to_string(),
                PartRows {
                    first_line: line,
                    ..PartRows::default()
                },
            );
        }
        let rows = self.parts.get_mut(f.part).expect("inserted above");
        if let Some((eop_month, text)) = f.eop {
            match &rows.eop {
                None => rows.eop = Some((eop_month, line, text.to_string())),
                Some((m, first, _)) if *m != eop_month => problems.error(
                    line,
                    c.eop.unwrap_or(0) + 1,
                    "eop",
                    Some(text),
                    format!(
                        "part {:?} has another end of production on line {first}; \
                         the eop values of one part must agree",
                        f.part
                    ),
                ),
                Some(_) => {}
            }
        }
        if add_to_month(rows, &f, line, c, problems) {
            if f.month < self.first.0 {
                self.first = (f.month, line, f.period_text.to_string());
            }
            if f.month > self.last.0 {
                self.last = (f.month, line, f.period_text.to_string());
            }
            rows.rows.push(Row {
                month: f.month,
                quantity: f.quantity,
                line,
            });
        }
    }
}

/// Counts the row `f` in its part's month; false (and a problem) for a duplicate zero month
/// or a month with more than [`MAX_ORDERS_PER_MONTH`] orders.
fn add_to_month(
    rows: &mut PartRows,
    f: &Fields<'_>,
    line: usize,
    c: Columns,
    problems: &mut Problems,
) -> bool {
    // A quantity-0 row says "no orders this month": it cannot share its month with another
    // row of the same part.
    let month = rows.months.entry(f.month).or_insert(MonthRows {
        first_line: line,
        zero: f.quantity == 0,
        orders: 0,
    });
    if month.first_line != line && (month.zero || f.quantity == 0) {
        problems.error(
            line,
            c.period + 1,
            "period",
            Some(f.period_text),
            format!(
                "duplicate: part {:?} already has a row for this month on line {}; a \
                 quantity-0 row marks a month without orders and must be the only row of its \
                 part and month",
                f.part, month.first_line
            ),
        );
        return false;
    }
    if f.quantity > 0 {
        month.orders += 1;
        if month.orders > MAX_ORDERS_PER_MONTH {
            // Reported once, at the first row over the limit.
            if month.orders == MAX_ORDERS_PER_MONTH + 1 {
                problems.error(
                    line,
                    c.period + 1,
                    "period",
                    Some(f.period_text),
                    format!(
                        "part {:?} has more than {MAX_ORDERS_PER_MONTH} orders (rows) in this \
                         month (from line {}); at most {MAX_ORDERS_PER_MONTH} orders per part \
                         and month are fitted, as every order of the fitted demand is \
                         simulated one by one",
                        f.part, month.first_line
                    ),
                );
            }
            return false;
        }
    }
    true
}

/// Reads every data row of `reader` into per-part rows; problems are collected.
pub(super) fn read_rows(
    reader: &mut csv::Reader<&[u8]>,
    c: Columns,
    problems: &mut Problems,
) -> Collected {
    let mut collected = Collected {
        parts: HashMap::new(),
        order: Vec::new(),
        form: None,
        first: (i64::MAX, 0, String::new()),
        last: (i64::MIN, 0, String::new()),
    };
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(line, |p| p.line() as usize);
                problems.error(line, 0, "row", None, format!("not a valid CSV row: {e}"));
                break;
            }
        }
        let line = record.position().map_or(line, |p| p.line() as usize);
        let field = |i: usize| spreadsheet_cell_unescaped(record.get(i).unwrap_or(""));
        if let Some(fields) = parse_fields(field, c, line, &mut collected.form, problems) {
            collected.add(fields, line, c, problems);
        }
    }
    collected
}
