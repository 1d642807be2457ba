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
//! Problems name the file, the line, the column (its 1-based field number and its name), the bad
//! value and what is allowed; all problems of a file are reported at once (up to
//! [`MAX_PROBLEMS`]).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::error::{InputError, Problem, Severity};

/// Months per year: a month is exactly 1/12 year in the fit.
pub const MONTHS_PER_YEAR: f64 = 12.0;

/// At most this many problems are reported for one file.
pub const MAX_PROBLEMS: usize = 50;

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
    /// origin, units ≥ 1); orders at or after `months / 12` years are dropped. For tests and
    /// simulated histories.
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
                h.units[month as usize] += units;
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
        self.orders.iter().sum()
    }

    /// Total units.
    pub fn total_units(&self) -> u64 {
        self.units.iter().sum()
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

struct Row {
    month: i64,
    quantity: u64,
}

#[derive(Default)]
struct PartRows {
    rows: Vec<Row>,
    eop: Option<(i64, usize, String)>,
    /// Per month: the line of its first row and whether that row has quantity 0.
    months: HashMap<i64, (usize, bool)>,
}

/// Collects problems of one file.
struct Problems {
    file: PathBuf,
    list: Vec<Problem>,
}

impl Problems {
    fn error(
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

/// Reads and checks a history file (see the module documentation for the format).
pub fn read_history(path: &Path) -> Result<History, InputError> {
    let text = std::fs::read_to_string(path).map_err(|e| InputError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    parse_history(path, &text)
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
    let mut index: HashMap<&str, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
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
    if !problems.list.is_empty() {
        return Err(InputError::Problems(problems.list));
    }
    let (c_part, c_period, c_quantity) = (index["part"], index["period"], index["quantity"]);
    let c_eop = index.get("eop").copied();

    let mut form: Option<(PeriodForm, usize)> = None;
    let mut parts: BTreeMap<String, PartRows> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut first_month = i64::MAX;
    let mut last_month = i64::MIN;
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
        let field = |c: usize| record.get(c).unwrap_or("");
        let part = field(c_part);
        if part.is_empty() {
            problems.error(
                line,
                c_part + 1,
                "part",
                Some(part),
                "empty part id; every row needs the part's id".into(),
            );
            continue;
        }
        let period_text = field(c_period);
        let month = match parse_period(period_text) {
            Ok((m, f)) => check_form(
                &mut form,
                &mut problems,
                line,
                f,
                c_period,
                "period",
                period_text,
            )
            .then_some(m),
            Err(message) => {
                problems.error(line, c_period + 1, "period", Some(period_text), message);
                None
            }
        };
        let eop = match c_eop.map(|c| (c, field(c))) {
            Some((c, text)) if !text.is_empty() => match parse_period(text) {
                Ok((m, f)) => check_form(&mut form, &mut problems, line, f, c, "eop", text)
                    .then_some(Some((m, text))),
                Err(message) => {
                    problems.error(line, c + 1, "eop", Some(text), message);
                    None
                }
            },
            _ => Some(None),
        };
        let quantity_text = field(c_quantity);
        let quantity = match quantity_text.parse::<u64>() {
            Ok(q) => Some(q),
            Err(_) => {
                let what = if quantity_text.parse::<f64>().is_ok_and(|q| q < 0.0) {
                    "negative quantity"
                } else {
                    "not a whole number"
                };
                problems.error(
                    line,
                    c_quantity + 1,
                    "quantity",
                    Some(quantity_text),
                    format!(
                        "{what}; expected the units of the order line, a whole number ≥ 0 \
                         (0 marks a month without orders)"
                    ),
                );
                None
            }
        };
        let (Some(month), Some(eop), Some(quantity)) = (month, eop, quantity) else {
            continue;
        };
        if !parts.contains_key(part) {
            order.push(part.to_string());
        }
        let rows = parts.entry(part.to_string()).or_default();
        if let Some((eop_month, text)) = eop {
            match &rows.eop {
                None => rows.eop = Some((eop_month, line, text.to_string())),
                Some((m, first, _)) if *m != eop_month => problems.error(
                    line,
                    c_eop.unwrap_or(0) + 1,
                    "eop",
                    Some(text),
                    format!(
                        "part {part:?} has another end of production on line {first}; \
                         the eop values of one part must agree"
                    ),
                ),
                Some(_) => {}
            }
        }
        // A quantity-0 row says "no orders this month": it cannot share its month with
        // another row of the same part.
        let conflict = match rows.months.get(&month) {
            Some(&(first, zero)) if zero || quantity == 0 => Some(first),
            _ => None,
        };
        if let Some(other) = conflict {
            problems.error(
                line,
                c_period + 1,
                "period",
                Some(period_text),
                format!(
                    "duplicate: part {part:?} already has a row for this month on line \
                     {other}; a quantity-0 row marks a month without orders and must be the \
                     only row of its part and month"
                ),
            );
            continue;
        }
        rows.months.entry(month).or_insert((line, quantity == 0));
        first_month = first_month.min(month);
        last_month = last_month.max(month);
        rows.rows.push(Row { month, quantity });
    }
    if problems.list.is_empty() && parts.is_empty() {
        problems.error(
            2,
            0,
            "row",
            None,
            "no data rows; expected one row per order line after the header".into(),
        );
    }
    if !problems.list.is_empty() {
        return Err(InputError::Problems(problems.list));
    }
    let form = form.map_or(PeriodForm::Index, |(f, _)| f);

    let mut result = Vec::with_capacity(order.len());
    for name in order {
        let rows = &parts[&name];
        let (origin, eop_given) = match &rows.eop {
            Some((m, line, text)) => {
                if *m > last_month {
                    problems.error(
                        *line,
                        c_eop.unwrap_or(0) + 1,
                        "eop",
                        Some(text),
                        format!(
                            "the end of production of part {name:?} is after the last month \
                             of the history ({}): no months to fit",
                            month_label(last_month, form)
                        ),
                    );
                    continue;
                }
                (*m, true)
            }
            None => (first_month, false),
        };
        let months = (last_month - origin + 1) as usize;
        let mut history = PartHistory {
            part: name.clone(),
            origin: month_label(origin, form),
            eop_given,
            orders: vec![0; months],
            units: vec![0; months],
            sizes: Vec::new(),
            rows_before_origin: 0,
        };
        for r in &rows.rows {
            if r.month < origin {
                history.rows_before_origin += 1;
            } else if r.quantity > 0 {
                let i = (r.month - origin) as usize;
                history.orders[i] += 1;
                history.units[i] += r.quantity;
                history.sizes.push(r.quantity);
            }
        }
        result.push(history);
    }
    if !problems.list.is_empty() {
        return Err(InputError::Problems(problems.list));
    }
    Ok(History {
        file: path.to_path_buf(),
        parts: result,
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
