//! Reading a demand history CSV into monthly series per part.
//!
//! The file has a header row and one row per ERP order line:
//!
//! | column | required | content |
//! |---|---|---|
//! | `part` | yes | the part's id (any non-empty text) |
//! | `period` | yes | the month of the order: a month index `0, 1, 2, …`, or a date `YYYY-MM` or `YYYY-MM-DD` (the day only places the order inside its month) |
//! | `quantity` | yes | units ordered, a whole number ≥ 0; a row with quantity > 0 is **one order**; a row with 0 marks a month without orders |
//! | `eop` | no | the part's end of production, in the same form as `period`; may be empty, but the non-empty values of one part must agree |
//!
//! All periods of a file (and all `eop` values) use the same form: month indices or dates.
//! Several rows of one part in one month are several orders. A quantity-0 row must be the only
//! row of its part and month (anything else is reported as a duplicate), and months without any
//! row count as months without orders: the history of every part is observed from its time
//! origin to the last month of the whole file.
//!
//! The time origin t = 0 of a part is the start of its EOP month, or, without an EOP, the start
//! of the first month of the whole file. Rows before a part's EOP (the production phase) are not
//! fitted; they are counted in [`PartHistory::rows_before_origin`].
//!
//! Cells are read as pimsim's CSV writers write them: a cell of an apostrophe and a formula
//! character (`'=x`, written so that spreadsheets show it as text) reads as `=x`, so that ids
//! round-trip through `fit`'s outputs ([`crate::escape`]).
//!
//! **Limits.** A history is refused up front, naming the row, when what would be fitted from
//! it could not be simulated (the scenario's limits, `src/scenario/parse.rs`) or would not fit
//! in memory:
//!
//! - a quantity above [`MAX_ORDER_UNITS`] (10⁶ units per order line, the largest order-size
//!   mean a scenario allows: the fitted mean is at most the largest order);
//! - more than [`MAX_ORDERS_PER_MONTH`] orders of one part in one month (10⁵, i.e. 1.2·10⁶
//!   orders a year: over the 10 years the fitted demand is checked on, a constant rate of
//!   that much is 1.2·10⁷ orders per path, a factor 8 below the scenario's limit of 10⁸
//!   simulated orders per path, which leaves room for a decay model's higher rate at t = 0
//!   and for the rate's uncertainty);
//! - a part observed for more than [`MAX_MONTHS`] months (100 years, from its origin to the
//!   end of the history);
//! - more than [`MAX_PARTS`] parts, more than [`MAX_PART_MONTHS`] part-months in all (each
//!   part-month costs about 50 bytes of fitted series and its share of the fit's time), a
//!   file larger than [`MAX_HISTORY_FILE_BYTES`];
//! - a part id that cannot name the part's file ([`crate::part_id`]).
//!
//! Every sum of units is checked (with these limits none can overflow 64 bits).
//!
//! Problems name the file, the line, the column (its 1-based field number and its name), the bad
//! value and what is allowed; all problems of a file are reported at once (up to
//! [`MAX_PROBLEMS`]).

mod rows;

use std::path::{Path, PathBuf};

use crate::error::InputError;
use rows::{Collected, Columns, PartRows, Problems, read_header, read_rows};

/// Months per year: a month is exactly 1/12 year in the fit.
pub const MONTHS_PER_YEAR: f64 = 12.0;

/// At most this many problems are reported for one file.
pub const MAX_PROBLEMS: usize = 50;

/// Largest history file read, bytes (512 MiB).
pub const MAX_HISTORY_FILE_BYTES: u64 = 512 << 20;

/// Largest quantity of one order line, units (see the module documentation).
pub const MAX_ORDER_UNITS: u64 = 1_000_000;

/// Most orders (rows with quantity > 0) of one part in one month.
pub const MAX_ORDERS_PER_MONTH: u64 = 100_000;

/// Most months a part is observed for, from its origin to the last month of the history.
pub const MAX_MONTHS: usize = 1200;

/// Most parts in one history.
pub const MAX_PARTS: usize = 100_000;

/// Most part-months (the sum over parts of their observed months) in one history.
pub const MAX_PART_MONTHS: u64 = 20_000_000;

/// The columns a history file may have.
const COLUMNS: [&str; 4] = ["part", "period", "quantity", "eop"];

/// The demand history of one part, binned by month from its time origin.
#[derive(Debug, Clone, PartialEq)]
pub struct PartHistory {
    /// The part's id.
    pub part: String,
    /// The month t = 0 starts in, as written in the file's form (`2021-03` or `17`).
    pub origin: String,
    /// Whether the origin is the part's end of production (else the first month of the file).
    pub eop_given: bool,
    /// Orders per month; month `i` covers `[i/12, (i+1)/12)` years.
    pub orders: Vec<u64>,
    /// Units per month (the sum of the month's order sizes).
    pub units: Vec<u64>,
    /// The size (units ≥ 1) of every order from the origin on, in file order.
    pub sizes: Vec<u64>,
    /// Rows dated before the origin (not fitted).
    pub rows_before_origin: usize,
}

impl PartHistory {
    /// A history of `months` months built from orders given as (time in years from the
    /// origin, units ≥ 1); orders at or after `months / 12` years are dropped (monthly units
    /// saturate at `u64::MAX`). For tests and simulated histories.
    pub fn from_orders(
        part: &str,
        months: usize,
        orders: impl IntoIterator<Item = (f64, u64)>,
    ) -> PartHistory {
        let mut h = PartHistory {
            part: part.to_string(),
            origin: "0".into(),
            eop_given: false,
            orders: vec![0; months],
            units: vec![0; months],
            sizes: Vec::new(),
            rows_before_origin: 0,
        };
        for (t, units) in orders {
            let month = (t * MONTHS_PER_YEAR).floor();
            if month >= 0.0 && (month as usize) < months {
                h.orders[month as usize] += 1;
                h.units[month as usize] = h.units[month as usize].saturating_add(units);
                h.sizes.push(units);
            }
        }
        h
    }

    /// Observed months.
    pub fn months(&self) -> usize {
        self.orders.len()
    }

    /// Total orders.
    pub fn total_orders(&self) -> u64 {
        self.orders.iter().fold(0, |a, &n| a.saturating_add(n))
    }

    /// Total units (saturating at `u64::MAX`; a history read by [`read_history`] stays far
    /// below it).
    pub fn total_units(&self) -> u64 {
        self.units.iter().fold(0, |a, &n| a.saturating_add(n))
    }
}

/// A demand history file, read and checked.
#[derive(Debug, Clone)]
pub struct History {
    /// The file.
    pub file: PathBuf,
    /// Parts in order of first appearance in the file.
    pub parts: Vec<PartHistory>,
}

/// How periods are written in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PeriodForm {
    Index,
    Date,
}

/// A parsed period: the month number (index, or year·12 + month − 1) and its form.
fn parse_period(text: &str) -> Result<(i64, PeriodForm), String> {
    const ALLOWED: &str = "expected a month index 0, 1, 2, … or a date YYYY-MM or YYYY-MM-DD";
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text
            .parse::<i64>()
            .ok()
            .filter(|&m| m <= 1_000_000)
            .map(|m| (m, PeriodForm::Index))
            .ok_or_else(|| format!("month index too large; {ALLOWED}"));
    }
    let fields: Vec<&str> = text.split('-').collect();
    let number = |s: &str, digits: usize| {
        (s.len() == digits && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    let (year, month, day) = match fields.as_slice() {
        [y, m] => (number(y, 4), number(m, 2), Some(1)),
        [y, m, d] => (number(y, 4), number(m, 2), number(d, 2)),
        _ => (None, None, None),
    };
    match (year, month, day) {
        (Some(y), Some(m), Some(d)) if (1..=12).contains(&m) => {
            if d < 1 || d > days_in_month(y, m) {
                Err(format!(
                    "day {d} does not exist in {y}-{m:02}; {ALLOWED} with a real date"
                ))
            } else {
                Ok((y * 12 + m - 1, PeriodForm::Date))
            }
        }
        (Some(_), Some(m), Some(_)) => Err(format!("month {m} is not 01..12; {ALLOWED}")),
        _ => Err(ALLOWED.to_string()),
    }
}

/// Days in month `m` (1..=12) of year `y` (Gregorian).
pub(crate) fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// The label of month number `m` in `form`.
fn month_label(m: i64, form: PeriodForm) -> String {
    match form {
        PeriodForm::Index => m.to_string(),
        PeriodForm::Date => format!("{:04}-{:02}", m.div_euclid(12), m.rem_euclid(12) + 1),
    }
}

/// Reads and checks a history file (see the module documentation for the format): at most
/// [`MAX_HISTORY_FILE_BYTES`] bytes of UTF-8 text.
pub fn read_history(path: &Path) -> Result<History, InputError> {
    let text = crate::scenario::read_text_file(
        path,
        MAX_HISTORY_FILE_BYTES,
        "a demand history is a CSV text file",
    )?;
    parse_history(path, &text)
}

/// The month t = 0 of a part and whether it is its end of production; `None` (and a
/// problem) when the part would have no months or more than [`MAX_MONTHS`]. A file whose
/// own span is too long is reported once (`span_reported`).
fn part_origin(
    name: &str,
    rows: &PartRows,
    all: &Collected,
    form: PeriodForm,
    c: Columns,
    span_reported: &mut bool,
    problems: &mut Problems,
) -> Option<(i64, bool)> {
    let (last, last_line, _) = &all.last;
    let (origin, eop_given) = match &rows.eop {
        Some((m, line, text)) => {
            if m > last {
                problems.error(
                    *line,
                    c.eop.unwrap_or(0) + 1,
                    "eop",
                    Some(text),
                    format!(
                        "the end of production of part {name:?} is after the last month \
                         of the history ({}): no months to fit",
                        month_label(*last, form)
                    ),
                );
                return None;
            }
            (*m, true)
        }
        None => (all.first.0, false),
    };
    let months = last - origin + 1;
    if months <= MAX_MONTHS as i64 {
        return Some((origin, eop_given));
    }
    let span = format!(
        "{months} months, from {} to the last month of the history ({} on line {last_line}); \
         at most {MAX_MONTHS} months (100 years) are fitted",
        month_label(origin, form),
        month_label(*last, form)
    );
    match &rows.eop {
        Some((_, line, text)) => problems.error(
            *line,
            c.eop.unwrap_or(0) + 1,
            "eop",
            Some(text),
            format!("part {name:?} would be observed for {span}"),
        ),
        None if !std::mem::replace(span_reported, true) => {
            let (_, first_line, text) = &all.first;
            problems.error(
                *first_line,
                c.period + 1,
                "period",
                Some(text),
                format!("the history spans {span}"),
            );
        }
        None => {}
    }
    None
}

/// The monthly series of one part from its origin; `None` (and a problem) when a sum of
/// units would overflow.
fn bin_part(
    name: &str,
    rows: &PartRows,
    origin: (i64, bool),
    months: usize,
    form: PeriodForm,
    c: Columns,
    problems: &mut Problems,
) -> Option<PartHistory> {
    let mut history = PartHistory {
        part: name.to_string(),
        origin: month_label(origin.0, form),
        eop_given: origin.1,
        orders: vec![0; months],
        units: vec![0; months],
        sizes: Vec::new(),
        rows_before_origin: 0,
    };
    let mut total: u64 = 0;
    for r in &rows.rows {
        if r.month < origin.0 {
            history.rows_before_origin += 1;
        } else if r.quantity > 0 {
            let i = (r.month - origin.0) as usize;
            let units = history.units[i].checked_add(r.quantity);
            let sum = total.checked_add(r.quantity);
            let (Some(units), Some(sum)) = (units, sum) else {
                problems.error(
                    r.line,
                    c.quantity + 1,
                    "quantity",
                    Some(&r.quantity.to_string()),
                    format!(
                        "the units of part {name:?} add up to more than {}; split the part",
                        u64::MAX
                    ),
                );
                return None;
            };
            history.orders[i] += 1;
            history.units[i] = units;
            total = sum;
            history.sizes.push(r.quantity);
        }
    }
    Some(history)
}

/// The monthly series of every part (see the module documentation for origins and spans).
fn build_histories(collected: &Collected, c: Columns, problems: &mut Problems) -> Vec<PartHistory> {
    let form = collected.form.map_or(PeriodForm::Index, |(f, _)| f);
    let (mut part_months, mut span_reported) = (0u64, false);
    let mut result = Vec::with_capacity(collected.order.len());
    for name in &collected.order {
        let rows = &collected.parts[name];
        let origin = part_origin(name, rows, collected, form, c, &mut span_reported, problems);
        let Some(origin) = origin else {
            continue;
        };
        let months = (collected.last.0 - origin.0 + 1) as usize;
        part_months += months as u64;
        if part_months > MAX_PART_MONTHS {
            problems.error(
                rows.first_line,
                c.part + 1,
                "part",
                Some(name),
                format!(
                    "the parts up to this one are observed for {part_months} months in all; at \
                     most {MAX_PART_MONTHS} part-months are fitted in one run (split the file \
                     by part)"
                ),
            );
            break;
        }
        if let Some(h) = bin_part(name, rows, origin, months, form, c, problems) {
            result.push(h);
        }
    }
    result
}

/// Parses and checks the text of a history file; `path` is only used in messages.
pub fn parse_history(path: &Path, text: &str) -> Result<History, InputError> {
    let mut problems = Problems {
        file: path.to_path_buf(),
        list: Vec::new(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.error(
                1,
                1,
                "header",
                None,
                format!("cannot read the header row: {e}"),
            );
            return Err(InputError::Problems(problems.list));
        }
    };
    let Some(columns) = read_header(&header, &mut problems) else {
        return Err(InputError::Problems(problems.list));
    };
    let collected = read_rows(&mut reader, columns, &mut problems);
    if problems.list.is_empty() && collected.parts.is_empty() {
        problems.error(
            2,
            0,
            "row",
            None,
            "no data rows; expected one row per order line after the header".into(),
        );
    }
    problems.check()?;
    let parts = build_histories(&collected, columns, &mut problems);
    problems.check()?;
    Ok(History {
        file: path.to_path_buf(),
        parts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<History, String> {
        parse_history(Path::new("h.csv"), text).map_err(|e| e.to_string())
    }

    #[test]
    fn periods_parse_as_indices_or_months() {
        assert_eq!(parse_period("17"), Ok((17, PeriodForm::Index)));
        assert_eq!(
            parse_period("2021-03"),
            Ok((2021 * 12 + 2, PeriodForm::Date))
        );
        assert_eq!(
            parse_period("2024-02-29"),
            Ok((2024 * 12 + 1, PeriodForm::Date))
        );
        assert!(parse_period("2023-02-29").is_err());
        assert!(parse_period("2023-13").is_err());
        assert!(parse_period("-1").is_err());
        assert!(parse_period("2023/01").is_err());
    }

    #[test]
    fn months_are_binned_from_the_eop_and_zero_months_filled() {
        let h = parse(
            "part,period,quantity,eop\n\
             A,2020-01-15,3,2020-02\n\
             A,2020-02-03,1,\n\
             A,2020-02-28,2,2020-02\n\
             A,2020-04-01,1,\n\
             B,2020-03,0,\n\
             B,2020-05,4,\n",
        )
        .unwrap();
        let a = &h.parts[0];
        assert_eq!(a.origin, "2020-02");
        assert!(a.eop_given);
        assert_eq!(a.orders, vec![2, 0, 1, 0]);
        assert_eq!(a.units, vec![3, 0, 1, 0]);
        assert_eq!(a.sizes, vec![1, 2, 1]);
        assert_eq!(a.rows_before_origin, 1);
        let b = &h.parts[1];
        assert_eq!(b.origin, "2020-01");
        assert_eq!(b.orders, vec![0, 0, 0, 0, 1]);
    }

    #[test]
    fn problems_name_line_column_and_value() {
        let e = parse("part,period,quantity\nA,0,1\nA,1,-2\nA,x,1\n").unwrap_err();
        assert!(
            e.contains("h.csv:3:3: error: `quantity` = \"-2\": negative quantity"),
            "{e}"
        );
        assert!(e.contains("h.csv:4:2: error: `period` = \"x\""), "{e}");
        let e = parse("part,period,qty\nA,0,1\n").unwrap_err();
        assert!(e.contains("did you mean `quantity`"), "{e}");
        assert!(e.contains("missing column `quantity`"), "{e}");
        let e = parse("part,period,quantity\nA,3,0\nA,3,1\n").unwrap_err();
        assert!(
            e.contains("h.csv:3:2: error: `period` = \"3\": duplicate"),
            "{e}"
        );
        let e = parse("part,period,quantity\nA,3,1\nA,2021-01,1\n").unwrap_err();
        assert!(e.contains("all periods"), "{e}");
    }
}
