//! Text from the input (scenario and policy names, part ids, file names) made safe for the
//! medium it is written to. Names are data a user may not have written (an ERP export, a
//! colleague's file), so every medium gets its own rule:
//!
//! - **Spreadsheets** ([`spreadsheet_cell`]): a CSV text cell that starts with `=`, `+`, `-`,
//!   `@`, a tab or a carriage return would be run as a formula by Excel, LibreOffice or Google
//!   Sheets ("CSV injection"). Such a cell is written with a leading apostrophe (`'=1+2`), the
//!   OWASP recommendation, which spreadsheets show as the text itself. Numbers are never
//!   escaped (a negative cost stays `-12.5`), and the JSON files keep every name raw. pimsim's
//!   own CSV readers undo it ([`spreadsheet_cell_unescaped`]), so a parts file written by `fit`
//!   reads back with its ids as they were.
//! - **Terminals** ([`terminal_text`], [`terminal_line`]): control characters (escape sequences
//!   could move the cursor, rewrite earlier lines, set the window title or hide text) and the
//!   Unicode bidirectional controls (which reorder what is shown) are shown as `\u{..}` escapes.
//! - **XML** (HTML and SVG, [`xml_text`]): characters XML 1.0 forbids (most C0 controls) and
//!   the C1 controls are shown as `\u{..}` escapes too, so that every page and chart stays
//!   well-formed; markup characters are escaped by the writers as before.

use std::borrow::Cow;
use std::fmt::Write as _;

/// The characters that make a spreadsheet read a cell as a formula when they come first.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A CSV text cell that no spreadsheet runs as a formula: `text` with a leading apostrophe
/// when it starts with `=`, `+`, `-`, `@`, a tab or a carriage return, else `text` itself.
pub fn spreadsheet_cell(text: &str) -> Cow<'_, str> {
    if text.starts_with(FORMULA_STARTS) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// The inverse of [`spreadsheet_cell`] for pimsim's CSV readers: a cell of an apostrophe
/// followed by one of the formula characters loses the apostrophe.
pub fn spreadsheet_cell_unescaped(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(FORMULA_STARTS) => rest,
        _ => cell,
    }
}

/// Whether `c` reorders or hides text on a terminal or a page: the Unicode bidirectional
/// embedding, override and isolate controls, and the left-to-right/right-to-left marks.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every character for which `escape` holds written as `\u{..}`.
fn escaped(text: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for a terminal that may span lines (a message, a table): control characters other
/// than newline and tab, and bidirectional controls, shown as `\u{..}`.
pub fn terminal_text(text: &str) -> Cow<'_, str> {
    escaped(text, |c| {
        (c.is_control() && c != '\n' && c != '\t') || is_bidi_control(c)
    })
}

/// A name for one cell or line of terminal output: every control character (newlines and tabs
/// too) and bidirectional control shown as `\u{..}`.
pub fn terminal_line(text: &str) -> Cow<'_, str> {
    escaped(text, |c| c.is_control() || is_bidi_control(c))
}

/// Text for HTML or SVG: the characters XML 1.0 does not allow (C0 controls other than tab,
/// newline and carriage return, U+FFFE and U+FFFF), the C1 controls and the bidirectional
/// controls, shown as `\u{..}`. Markup characters (`<`, `&`, quotes) are left to the writer's
/// own escaping.
pub fn xml_text(text: &str) -> Cow<'_, str> {
    escaped(text, |c| {
        let forbidden = matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}')
            || c == '\u{fffe}'
            || c == '\u{ffff}';
        forbidden || ('\u{7f}'..='\u{9f}').contains(&c) || is_bidi_control(c)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_get_an_apostrophe_and_read_back() {
        for bad in ["=1+2", "+A1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            let cell = spreadsheet_cell(bad);
            assert_eq!(cell, format!("'{bad}"));
            assert_eq!(spreadsheet_cell_unescaped(&cell), bad);
        }
        for good in ["pump", "P-001", "", "'quoted", "a=b"] {
            assert_eq!(spreadsheet_cell(good), good);
            assert_eq!(spreadsheet_cell_unescaped(good), good);
        }
    }

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(terminal_line("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(terminal_line("two\nlines"), "two\\u{a}lines");
        assert_eq!(terminal_text("two\nlines\u{7}"), "two\nlines\\u{7}");
        assert_eq!(terminal_text("abc\u{202e}cba"), "abc\\u{202e}cba");
        assert!(matches!(terminal_text("plain – ünïcode"), Cow::Borrowed(_)));
        assert_eq!(
            xml_text("a\u{0}b\u{b}c\td\u{85}"),
            "a\\u{0}b\\u{b}c\td\\u{85}"
        );
        assert_eq!(xml_text("<b>&"), "<b>&");
    }
}
