//! `report.html`: one self-contained page a finance team can read — a plain-language verdict,
//! the key assumptions, the six charts inline as SVG, and the full numbers.
//!
//! The page loads nothing: styles are inline, charts are inline SVG, and the only links point
//! to the chart files beside it. It is also well-formed XML (every tag closed, no named
//! entities, every text through [`esc`], whatever characters the names hold), so tests and
//! scripts can read it with an XML parser. Every number taken from `summary.json` carries
//! `data-key` (its JSON pointer in `summary.json`) and `data-value` (the exact value), so a
//! script can check the page against the data.
//!
//! This module holds the page's frame (head, header, footer) and the helpers every section
//! uses; each section has a module of its own: [`verdict`], [`assumptions`], [`figures`] (the
//! charts) and [`numbers`]. [`style`] is the style sheet, which the sweep and portfolio
//! reports share through [`page_start`].

pub(crate) mod assumptions;
mod figures;
mod numbers;
mod optimize;
mod records;
mod style;
mod verdict;

use std::fmt::Write as _;

use super::charts::{hex, policy_color};
use super::{Exporter, percent, whole_number};
use crate::engine::RunSummary;
use crate::escape::xml_text;
use style::CSS;

pub use optimize::FRONTIER_CSV;
pub(crate) use optimize::render_optimize_html;

/// `report.html`.
pub struct HtmlReport;

impl Exporter for HtmlReport {
    fn file_name(&self) -> &'static str {
        "report.html"
    }
    fn render(&self, summary: &RunSummary) -> anyhow::Result<Vec<u8>> {
        Ok(render_html(summary)?.into_bytes())
    }
}

/// Text for HTML (and XML), the one escaping every text of a page gets: the characters XML
/// 1.0 forbids, the C1 and the bidirectional controls shown as `\u{..}` ([`xml_text`]), then
/// the markup characters as character references.
pub(crate) fn esc(text: &str) -> String {
    let text = xml_text(text);
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A number from `summary.json` at JSON pointer `key`, shown as `text`.
fn value(tag: &str, key: &str, v: f64, text: &str) -> String {
    format!(
        "<{tag} data-key=\"{}\" data-value=\"{v}\">{}</{tag}>",
        esc(key),
        esc(text),
        tag = tag
    )
}

/// A numeric table cell for the JSON pointer `key`; "n/a" when absent.
fn cell(key: &str, v: Option<f64>, format: impl Fn(f64) -> String) -> String {
    match v {
        Some(v) => format!(
            "<td class=\"num\" data-key=\"{}\" data-value=\"{v}\">{}</td>",
            esc(key),
            esc(&format(v))
        ),
        None => "<td class=\"num na\">n/a</td>".to_string(),
    }
}

/// A share as a percentage with one decimal ("91.6 %").
fn share(v: f64) -> String {
    percent(Some(v))
}

/// A plain number with up to `decimals` decimals and thousands separators for the integer part.
fn plain(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let text = format!("{:.*}", decimals, v.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let grouped = whole_number(int.parse::<u64>().unwrap_or(0));
    let sign = if v < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// A number for prose: at most `decimals` decimals, trailing zeros dropped.
fn short(v: f64, decimals: usize) -> String {
    let text = plain(v, decimals);
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A swatch in a policy's colour.
fn swatch(index: usize) -> String {
    format!(
        "<span class=\"swatch\" style=\"background:{}\"></span>",
        hex(policy_color(index))
    )
}

/// The policy's name with its colour swatch.
fn named(summary: &RunSummary, name: &str) -> String {
    let index = summary.policies.iter().position(|p| p.name == name);
    match index {
        Some(i) => format!("{}<strong>{}</strong>", swatch(i), esc(name)),
        None => format!("<strong>{}</strong>", esc(name)),
    }
}

/// The start of a self-contained report page titled `title`, up to the opening `<main>`
/// (every report shares the head and the style sheet).
pub(crate) fn page_start(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n\
         <title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n",
        esc(title),
        CSS
    )
}

/// The full report page: the header, the verdict, the key assumptions, the charts, the full
/// numbers and the footer.
pub fn render_html(summary: &RunSummary) -> anyhow::Result<String> {
    let mut h = page_start(&format!("{} — pimsim report", summary.scenario.name));
    header(&mut h, summary);
    verdict::verdict(&mut h, summary);
    assumptions::assumptions(&mut h, summary);
    figures::charts(&mut h, summary)?;
    numbers::numbers(&mut h, summary);
    footer(&mut h, summary);
    Ok(h)
}

/// The page's header: the scenario's name and description, the part, paths, horizon, money.
fn header(h: &mut String, summary: &RunSummary) {
    let s = &summary.scenario;
    let _ = write!(h, "<header>\n<h1>{}</h1>\n", esc(&s.name));
    if !s.description.is_empty() {
        let _ = writeln!(h, "<p class=\"description\">{}</p>", esc(&s.description));
    }
    let _ = writeln!(
        h,
        "<p class=\"meta\">{}{} simulated futures of demand · horizon {} years · money in {}, \
         in today's value (discounted to t = 0 at {} % a year) · costs positive, income negative</p>",
        if s.part.name.is_empty() {
            String::new()
        } else {
            format!("{} · ", esc(&s.part.name))
        },
        whole_number(summary.paths),
        short(s.horizon_years, 2),
        esc(s.report.currency_label()),
        short(100.0 * s.discount_rate, 2)
    );
    if let Some(p) = &summary.precision {
        // A run stopped by --precision: say how it stopped, next to the path count.
        let _ = writeln!(
            h,
            "<p class=\"meta precision\">Stopped by --precision: {}</p>",
            esc(crate::output::precision_line(p).trim_start_matches("precision "))
        );
    }
    h.push_str("</header>\n");
}

/// The footer: version, paths, seed and quantile method, and the promise of reproducibility.
fn footer(h: &mut String, summary: &RunSummary) {
    let _ = write!(
        h,
        "<footer>pimsim {} · {} paths · seed {} · quantiles: {}. The same scenario, seed and \
         path count give the same numbers on any machine and thread count.</footer>\n\
         </main>\n</body>\n</html>\n",
        esc(&summary.pimsim_version),
        whole_number(summary.paths),
        summary.seed,
        esc(&summary.quantile_method)
    );
}

/// One row of an assumptions table: `label` (escaped here) and `value` (HTML, escaped by the
/// caller).
pub(crate) fn row(h: &mut String, label: &str, value: &str) {
    let _ = writeln!(
        h,
        "<tr><th scope=\"row\">{}</th><td>{value}</td></tr>",
        esc(label)
    );
}

/// A table with one column per policy.
pub(super) fn policy_columns(h: &mut String, summary: &RunSummary, caption: &str, first: &str) {
    let _ = write!(
        h,
        "<table class=\"numbers\">\n<caption>{}</caption>\n<thead><tr><th scope=\"col\">{}</th>",
        esc(caption),
        esc(first)
    );
    for (i, p) in summary.policies.iter().enumerate() {
        let _ = write!(
            h,
            "<th scope=\"col\" class=\"num\">{}{}</th>",
            swatch(i),
            esc(&p.name)
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_shows_forbidden_characters() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(
            esc("a\u{0}b\u{1b}[1m<\u{202e}"),
            "a\\u{0}b\\u{1b}[1m&lt;\\u{202e}"
        );
    }

    #[test]
    fn plain_numbers_group_and_round() {
        assert_eq!(plain(12345.678, 2), "12,345.68");
        assert_eq!(plain(-0.001, 2), "0.00");
        assert_eq!(plain(-1234.5, 0), "-1,234");
        assert_eq!(short(2.50, 2), "2.5");
        assert_eq!(short(3.0, 2), "3");
    }
}
