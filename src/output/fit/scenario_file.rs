//! The scenario TOML of a fitted part: the demand block alone ([`render_demand_toml`]), or a
//! whole scenario composed with a template ([`compose_scenario`]); [`render_part_file`] gives
//! either, checked (what `pimsim fit` writes as `<part>.toml`).
//!
//! **Nothing from the input is written raw.** Part ids and file names come from files the user
//! may not have written, and the generated scenarios are shared, so:
//!
//! - values (`model`, `distribution`, `name`, …) are written by the `toml` serializer, numbers
//!   by [`number`] (digits, a sign, a point and an exponent only);
//! - in comments, a part id is written as a one-line TOML basic string (`"P0003"`, with quotes,
//!   backslashes, line breaks, control and bidirectional characters escaped) and the history's
//!   file name with its control and bidirectional characters shown as `\u{..}`
//!   ([`crate::escape::terminal_line`]), so no comment can end early;
//! - every file is checked to parse to exactly the tables meant: the demand block to the table
//!   built alongside its text, a composed scenario to the template's table with the demand and
//!   the names replaced. A file that does not is never returned.

use crate::elementary;
use std::path::Path;

use toml::{Table, Value};

use crate::demand::{Intensity, OrderSize};
use crate::error::InputError;
use crate::escape::terminal_line;
use crate::fit::{PartFit, TimeOrigin};
use crate::output::fit::{decay_intervals, model_and_rate, number, opt};
use crate::scenario::Scenario;

/// Why a part's file could not be rendered ([`render_part_file`]).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PartFileError {
    /// The fitted demand block is not a valid scenario demand. Histories that would give one
    /// are refused when read ([`crate::fit::history`]), so this is a bug.
    #[error(
        "internal error: the demand fitted for part {} is not valid:\n{problems}",
        quoted(.part)
    )]
    InvalidDemand {
        /// The part's id.
        part: String,
        /// What scenario validation said of the block (inside a minimal scenario).
        problems: InputError,
    },
    /// The template (scenario TOML text) cannot be parsed or serialised.
    #[error(
        "the template cannot be composed with the demand of part {}: {reason}",
        quoted(.part)
    )]
    Template {
        /// The part's id.
        part: String,
        /// What the TOML parser or serializer said.
        reason: String,
    },
    /// The generated text does not parse to exactly the tables meant (a bug).
    #[error(
        "internal error: the file generated for part {} does not read back as the tables \
         meant: {reason}",
        quoted(.part)
    )]
    NotAsWritten {
        /// The part's id.
        part: String,
        /// What differs, or the parser's message.
        reason: String,
    },
}

/// Whether `c` reorders or hides text (the Unicode bidirectional controls and marks).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` as a one-line TOML basic string: `"`, `\`, the control characters (line breaks and
/// tabs too), the bidirectional controls and the line and paragraph separators escaped. Safe
/// inside a comment; the same as Rust's `{:?}` for plain text (`"P0003"`).
pub fn quoted(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Scenario TOML written line by line together with the table it must parse to.
#[derive(Default)]
struct TomlText {
    text: String,
    table: Table,
    /// The dotted path of the table the next keys go into.
    current: Vec<&'static str>,
    /// The first value that could not be written as TOML (a non-finite number).
    invalid: Option<String>,
}

impl TomlText {
    /// A comment line: `line` is fixed text with the input's pieces already escaped
    /// ([`quoted`], [`terminal_line`]); a line break in it would be a bug.
    fn comment(&mut self, line: &str) {
        debug_assert!(!line.contains(['\n', '\r']), "one comment line: {line:?}");
        self.text.push_str("# ");
        self.text.push_str(&line.replace(['\n', '\r'], " "));
        self.text.push('\n');
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }

    /// A table header `[a.b]`; the following keys go into that table.
    fn header(&mut self, path: &[&'static str]) {
        self.text.push('[');
        self.text.push_str(&path.join("."));
        self.text.push_str("]\n");
        self.current = path.to_vec();
        self.table_mut();
    }

    /// The current table of [`Self::table`], created on the way.
    fn table_mut(&mut self) -> &mut Table {
        let mut t = &mut self.table;
        for key in &self.current {
            t = t
                .entry(key.to_string())
                .or_insert_with(|| Value::Table(Table::new()))
                .as_table_mut()
                .expect("the path holds tables only");
        }
        t
    }

    /// `key = value` with `value` written by the toml serializer.
    fn string(&mut self, key: &'static str, value: &str) {
        let v = Value::String(value.to_string());
        self.text.push_str(&format!("{key} = {v}\n"));
        self.table_mut().insert(key.into(), v);
    }

    /// `key = x` with `x` written by [`number`] (6 significant digits): an integer when it has
    /// no point or exponent, else a float.
    fn number(&mut self, key: &'static str, x: f64) {
        let text = number(x);
        let value = if text.contains(['.', 'e']) {
            text.parse::<f64>().ok().map(Value::Float)
        } else {
            text.parse::<i64>().ok().map(Value::Integer)
        };
        match value {
            Some(v) => {
                self.table_mut().insert(key.into(), v);
            }
            None => {
                self.invalid
                    .get_or_insert_with(|| format!("`{key}` = {x} is not a TOML number"));
            }
        }
        self.text.push_str(&format!("{key} = {text}\n"));
    }
}

/// The fitted demand block of one part: its text and the table it must parse to.
struct DemandBlock {
    text: String,
    table: Table,
    invalid: Option<String>,
}

/// The comment lines that open a part's demand block: where it comes from (`source` is the
/// history's file name), its time origin, the models' AIC, the decay tests, the class and the
/// goodness of fit.
fn write_summary_comments(w: &mut TomlText, fit: &PartFit, source: &str) {
    let origin = terminal_line(&fit.origin);
    let start = if fit.eop_given {
        format!("the end of production ({origin})")
    } else {
        format!("the first month of the history ({origin})")
    };
    w.comment(&format!(
        "Demand of part {} fitted by pimsim fit from {}: {} orders ({} units) in {} months;",
        quoted(&fit.part),
        terminal_line(source),
        fit.orders,
        fit.units,
        fit.months
    ));
    match fit.time_origin {
        TimeOrigin::Eop => w.comment(&format!("t = 0 is {start}.")),
        TimeOrigin::End => {
            w.comment(&format!(
                "t = 0 is the end of the history, {} months after {start};",
                fit.months
            ));
            w.comment("the model was fitted from there and shifted to start at the end.");
        }
    }
    let aic: Vec<String> = fit
        .intensity
        .candidates
        .iter()
        .map(|c| {
            if c.admissible {
                format!("{} {}", c.model.as_str(), number(c.aic))
            } else {
                format!("{} n/a", c.model.as_str())
            }
        })
        .collect();
    w.comment(&format!("AIC: {} (lowest chosen).", aic.join(", ")));
    let t = &fit.decay_tests;
    w.comment(&format!(
        "Likelihood-ratio tests of a decay against a constant rate: exponential p = {}, \
         linear p = {}.",
        number(t.exponential.p_value),
        number(t.linear.p_value)
    ));
    let c = &fit.classification;
    let g = &fit.goodness_of_fit;
    w.comment(&format!(
        "Syntetos–Boylan class: {} (ADI {}, CV² {}). Goodness of fit: chi-square {} on {} df, \
         p = {}.",
        c.class.as_str(),
        number(c.adi),
        number(c.cv2),
        number(g.chi_square),
        g.degrees_of_freedom,
        if g.p_value.is_finite() {
            number(g.p_value)
        } else {
            "n/a".into()
        }
    ));
}

/// `[demand]`: the model, its rate and its decay parameter, with their standard errors and
/// intervals in comments.
fn write_intensity(w: &mut TomlText, fit: &PartFit, intensity: &Intensity) {
    let best = fit.intensity.best();
    let (model, rate) = model_and_rate(intensity);
    w.header(&["demand"]);
    w.string("model", model);
    w.comment(&format!(
        "± {} (s.e.), orders per year at t = 0",
        number(rate * fit.log_rate_se())
    ));
    w.number("rate", rate);
    match *intensity {
        Intensity::Exponential { decay_rate, .. } => {
            let se = best.shape_se.unwrap_or(f64::NAN);
            let [(lo, hi), _] = decay_intervals(fit);
            w.comment(&format!(
                "95 % interval {} to {} years (from the decay rate {} ± {} per year, s.e.)",
                opt(lo),
                hi.map_or("unbounded".into(), number),
                number(decay_rate),
                number(se)
            ));
            w.number("half_life_years", elementary::ln(2f64) / decay_rate);
        }
        Intensity::Linear { end_years, .. } => {
            let [_, (lo, hi)] = decay_intervals(fit);
            w.comment(&format!(
                "± {} (s.e.); 95 % interval {} to {} years (from the decline 1/end_years)",
                number(best.shape_se.unwrap_or(f64::NAN)),
                opt(lo),
                hi.map_or("unbounded".into(), number)
            ));
            w.number("end_years", end_years);
        }
        _ => {}
    }
}

/// `[demand.order_size]`: the distribution and its parameters.
fn write_order_size(w: &mut TomlText, fit: &PartFit, size: &OrderSize) {
    w.blank();
    w.header(&["demand", "order_size"]);
    w.comment(&format!(
        "mean ± {} (s.e.) units per order",
        number(fit.order_size.mean_se)
    ));
    match size {
        OrderSize::One => w.string("distribution", "one"),
        OrderSize::Poisson { mean } => {
            w.string("distribution", "poisson");
            w.number("mean", *mean);
        }
        OrderSize::Geometric { mean } => {
            w.string("distribution", "geometric");
            w.number("mean", *mean);
        }
        OrderSize::NegativeBinomial { mean, dispersion } => {
            w.string("distribution", "negative_binomial");
            w.number("mean", *mean);
            w.number("dispersion", *dispersion);
        }
        OrderSize::Table { .. } => {}
    }
}

/// `[demand.uncertainty]`, when the rate is uncertain.
fn write_uncertainty(w: &mut TomlText, rate_cv: f64) {
    if rate_cv > 0.0 {
        w.blank();
        w.comment(
            "The relative standard error of the rate: each path's rate is multiplied by a \
             Gamma factor",
        );
        w.comment("with mean 1 and this coefficient of variation.");
        w.header(&["demand", "uncertainty"]);
        w.number("rate_cv", rate_cv);
    }
}

/// The demand block of `fit` with the table it must parse to.
fn demand_block(fit: &PartFit, source: &str) -> DemandBlock {
    let demand = fit.demand_model();
    let mut w = TomlText::default();
    write_summary_comments(&mut w, fit, source);
    write_intensity(&mut w, fit, &demand.intensity);
    write_order_size(&mut w, fit, &demand.order_size);
    write_uncertainty(&mut w, demand.rate_cv);
    DemandBlock {
        text: w.text,
        table: w.table,
        invalid: w.invalid,
    }
}

/// The fitted demand block of one part as scenario TOML (`[demand]`, `[demand.order_size]`
/// and, when the rate is uncertain, `[demand.uncertainty]`), with comments that give the
/// standard errors, the alternatives' AIC, the class and the goodness of fit. `source` names
/// the history file in the first comment (escaped, see the module documentation).
/// [`render_part_file`] also checks the block.
pub fn render_demand_toml(fit: &PartFit, source: &str) -> String {
    demand_block(fit, source).text
}

/// A whole scenario for one part: `template` (scenario TOML text) with its `[demand]`
/// replaced by the fitted block (keeping the template's `[demand.obsolescence]`, which a
/// history cannot show), `scenario.name` set to the part's id and `part.name` to the part's
/// id.
///
/// The template's text is edited in place when its demand is written as `[demand]` /
/// `[demand.…]` tables, so its comments and layout are kept (the comments inside the replaced
/// tables go with them); the edit is used only if it parses to exactly the same TOML as the
/// template's parsed table with the demand replaced. Otherwise that table is written (the same
/// content, without the template's comments). Whether the result is a valid scenario (e.g.
/// whether the template's retained-level rules can be computed for this demand) is for the
/// caller to check. The result is checked to parse to that table.
pub fn compose_scenario(template: &str, fit: &PartFit, source: &str) -> anyhow::Result<String> {
    let block = demand_block(fit, source);
    Ok(compose(template, fit, &block)?.0)
}

/// [`compose_scenario`]: the text and the table it parses to.
fn compose(
    template: &str,
    fit: &PartFit,
    block: &DemandBlock,
) -> Result<(String, Table), PartFileError> {
    let template_error = |reason: String| PartFileError::Template {
        part: fit.part.clone(),
        reason,
    };
    let doc: Table = template
        .parse()
        .map_err(|e: toml::de::Error| template_error(e.message().to_string()))?;
    let doc = with_fitted_demand(doc, fit, &block.table);
    let spliced = splice_demand(template, &block.text, &fit.part)
        .filter(|text| text.parse::<Table>().is_ok_and(|t| t == doc));
    let text = match spliced {
        Some(text) => format!(
            "# Scenario of part {}: a template with its demand block replaced by the one \
             fitted by pimsim fit.\n\n{text}",
            quoted(&fit.part)
        ),
        None => {
            let body = toml::to_string(&doc).map_err(|e| template_error(e.to_string()))?;
            let comments: String = block
                .text
                .lines()
                .take_while(|l| l.starts_with('#'))
                .map(|l| format!("{l}\n"))
                .collect();
            format!(
                "# Scenario of part {}: a template with the demand block fitted by pimsim \
                 fit.\n{comments}\n{body}",
                quoted(&fit.part)
            )
        }
    };
    check_as_written(&fit.part, &text, &doc)?;
    Ok((text, doc))
}

/// The template's table with its demand replaced by `fitted` (which holds `demand`; the
/// template's `[demand.obsolescence]` is kept) and `scenario.name` and `part.name` set to
/// the part's id (where the template has those tables).
fn with_fitted_demand(mut doc: Table, fit: &PartFit, fitted: &Table) -> Table {
    let mut demand = fitted
        .get("demand")
        .cloned()
        .unwrap_or(Value::Table(Table::new()));
    if let Some(o) = doc
        .get("demand")
        .and_then(|d| d.get("obsolescence"))
        .cloned()
        && let Some(t) = demand.as_table_mut()
    {
        t.insert("obsolescence".into(), o);
    }
    doc.insert("demand".into(), demand);
    for (table, key) in [("scenario", "name"), ("part", "name")] {
        if let Some(t) = doc.get_mut(table).and_then(|t| t.as_table_mut()) {
            t.insert(key.into(), Value::String(fit.part.clone()));
        }
    }
    doc
}

/// `Err` unless `text` parses to exactly `intended`.
fn check_as_written(part: &str, text: &str, intended: &Table) -> Result<(), PartFileError> {
    let not_as_written = |reason: String| PartFileError::NotAsWritten {
        part: part.to_string(),
        reason,
    };
    let parsed: Table = text
        .parse()
        .map_err(|e: toml::de::Error| not_as_written(e.message().to_string()))?;
    if &parsed == intended {
        Ok(())
    } else {
        let keys: Vec<&String> = parsed
            .keys()
            .chain(intended.keys())
            .filter(|k| parsed.get(*k) != intended.get(*k))
            .collect();
        Err(not_as_written(format!("the tables differ at {keys:?}")))
    }
}

/// The table a TOML header line opens (`[a.b]` or `[[a]]`), if the line is a header.
fn header_name(line: &str) -> Option<String> {
    let t = line.trim();
    if !t.starts_with('[') {
        return None;
    }
    let inner = t.trim_start_matches('[');
    let end = inner.find(']')?;
    Some(inner[..end].trim().replace([' ', '"'], ""))
}

/// Replaces the template's `[demand]` and `[demand.…]` tables (except
/// `[demand.obsolescence]`) by `block`, at the place of the first one, and sets `name` in
/// `[scenario]` and `[part]` to `part` (written by the toml serializer). `None` when the
/// template's demand is not written as such tables (e.g. as dotted keys or an inline table at
/// the top level). The caller checks that the result means what it should.
fn splice_demand(template: &str, block: &str, part: &str) -> Option<String> {
    let lines: Vec<&str> = template.lines().collect();
    let headers: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| header_name(l).map(|n| (i, n)))
        .collect();
    let first_header = headers.first().map_or(lines.len(), |h| h.0);
    if lines[..first_header]
        .iter()
        .any(|l| l.trim_start().starts_with("demand"))
    {
        return None;
    }
    let (keep, insert_at, renamed) = splice_plan(&lines, &headers);
    let insert_at = insert_at?;
    let quoted = Value::String(part.to_string()).to_string();
    let mut out = String::new();
    let mut gap = false;
    for (i, line) in lines.iter().enumerate() {
        if i == insert_at {
            out.push_str(block);
            gap = true;
        }
        if !keep[i] {
            continue;
        }
        if std::mem::take(&mut gap) && !line.trim().is_empty() {
            out.push('\n');
        }
        if renamed.contains(&i) {
            out.push_str(&format!("name = {quoted}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    Some(out)
}

/// Which lines of the template [`splice_demand`] keeps, where the block goes (the first
/// replaced header) and which lines are `name = …` of `[scenario]` or `[part]`.
fn splice_plan(
    lines: &[&str],
    headers: &[(usize, String)],
) -> (Vec<bool>, Option<usize>, Vec<usize>) {
    let is_comment_or_blank = |l: &str| l.trim().is_empty() || l.trim_start().starts_with('#');
    let replaced = |name: &str| {
        (name == "demand" || name.starts_with("demand.")) && name != "demand.obsolescence"
    };
    let mut keep = vec![true; lines.len()];
    let mut insert_at = None;
    let mut renamed = Vec::new();
    for (j, (start, name)) in headers.iter().enumerate() {
        let next = headers.get(j + 1).map_or(lines.len(), |h| h.0);
        if replaced(name) {
            // Comments and blank lines just before the next header belong to it, unless it
            // is replaced too.
            let mut end = next;
            let next_replaced = headers.get(j + 1).is_some_and(|h| replaced(&h.1));
            while !next_replaced && end > start + 1 && is_comment_or_blank(lines[end - 1]) {
                end -= 1;
            }
            keep[*start..end].iter_mut().for_each(|k| *k = false);
            insert_at.get_or_insert(*start);
        } else if name == "scenario" || name == "part" {
            for (i, line) in lines.iter().enumerate().take(next).skip(start + 1) {
                let t = line.trim_start();
                if t.starts_with("name") && t["name".len()..].trim_start().starts_with('=') {
                    renamed.push(i);
                }
            }
        }
    }
    (keep, insert_at, renamed)
}

/// Checks the fitted demand as scenario input: inside a minimal scenario (10 years, one hold
/// policy), written by the toml serializer. Whether a template's policies can be computed for
/// this demand (e.g. a quantile retain rule) is for `pimsim check` to say; it can take long.
fn validate_demand(fit: &PartFit, block: &DemandBlock) -> Result<(), PartFileError> {
    let invalid = |problems: InputError| PartFileError::InvalidDemand {
        part: fit.part.clone(),
        problems,
    };
    let not_as_written = |reason: String| PartFileError::NotAsWritten {
        part: fit.part.clone(),
        reason,
    };
    if let Some(reason) = &block.invalid {
        return Err(not_as_written(reason.clone()));
    }
    let minimal = "[scenario]\nhorizon_years = 10\n[part]\nunit_cost = 1.0\non_hand = 0\n\
                   [costs]\nholding_rate = 0.1\nshortage_penalty = 1.0\n\
                   [[policy]]\nname = \"hold\"\nkind = \"hold\"\n";
    let mut doc: Table = minimal.parse().expect("the minimal scenario is valid TOML");
    if let Some(demand) = block.table.get("demand") {
        doc.insert("demand".into(), demand.clone());
    }
    let text = toml::to_string(&doc).map_err(|e| not_as_written(e.to_string()))?;
    Scenario::from_toml(Path::new("fitted.toml"), &text)
        .map(|_| ())
        .map_err(invalid)
}

/// The file `pimsim fit` writes for one part: the fitted demand block (no `template`) or the
/// whole scenario composed with `template` (scenario TOML text, [`compose_scenario`]).
/// `source` is the history's file name, for the first comment.
///
/// Checked before it is returned: the demand block is valid scenario input (inside a minimal
/// scenario; [`PartFileError::InvalidDemand`] otherwise), and the text parses to exactly the
/// tables meant ([`PartFileError::NotAsWritten`]).
pub fn render_part_file(
    fit: &PartFit,
    source: &str,
    template: Option<&str>,
) -> Result<String, PartFileError> {
    let block = demand_block(fit, source);
    validate_demand(fit, &block)?;
    match template {
        None => {
            check_as_written(&fit.part, &block.text, &block.table)?;
            Ok(block.text)
        }
        Some(t) => Ok(compose(t, fit, &block)?.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splicing_keeps_comments_and_replaces_the_demand_tables() {
        let template = "# top\n[scenario]\nname = \"x\" # old\n\n# demand next\n[demand]\n\
                        model = \"constant\"\nrate = 1\n\n# the sizes\n[demand.order_size]\n\
                        distribution = \"one\"\n\n# stock next\n[demand.obsolescence]\n\
                        annual_probability = 0.1\n[part]\nname = \"old\"\n";
        let out = splice_demand(template, "[demand]\nrate = 2\n", "P 1").unwrap();
        assert_eq!(
            out,
            "# top\n[scenario]\nname = \"P 1\"\n\n# demand next\n[demand]\nrate = 2\n\n\
             # stock next\n[demand.obsolescence]\nannual_probability = 0.1\n[part]\n\
             name = \"P 1\"\n"
        );
        assert_eq!(splice_demand("demand.rate = 1\n[part]\n", "", "p"), None);
    }

    #[test]
    fn ids_are_quoted_on_one_line() {
        assert_eq!(quoted("P0003"), "\"P0003\"");
        assert_eq!(quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(
            quoted("x\n[stock]\r\t\u{1b}\u{202e}\u{85}"),
            "\"x\\n[stock]\\r\\t\\u001B\\u202E\\u0085\""
        );
        // It is a TOML string of the same text.
        let id = "q\"\n]\u{7}\u{202e}";
        let t: Table = format!("v = {}", quoted(id)).parse().unwrap();
        assert_eq!(t["v"].as_str(), Some(id));
    }
}
