//! The source line of a problem with a caret under its column, as rustc and cargo show it:
//!
//! ```text
//!    |
//! 91 | [costs
//!    |       ^
//! ```
//!
//! The line is shown safely whatever the file holds: control characters and bidirectional
//! controls as `\u{..}` escapes (as [`crate::escape::terminal_line`] does), a tab as four
//! spaces (so that the caret stays under the column), and a line wider than [`SNIPPET_WIDTH`]
//! clipped around the column, with `…` where text is left out.

use crate::escape::terminal_line;

/// Most terminal columns of a source line shown; a wider line is clipped around the column.
pub const SNIPPET_WIDTH: usize = 100;

/// Columns of the line shown before the column, at least, when a line is clipped.
const LEFT_CONTEXT: usize = 30;

/// Spaces a tab is shown as.
const TAB: &str = "    ";

/// How one character of the source line is shown, and in how many terminal columns.
fn cell(c: char) -> (Option<String>, usize) {
    if c == '\t' {
        return (Some(TAB.to_string()), TAB.len());
    }
    let mut buf = [0; 4];
    let escaped = terminal_line(c.encode_utf8(&mut buf));
    if escaped.len() != c.len_utf8() {
        let n = escaped.chars().count();
        return (Some(escaped.into_owned()), n);
    }
    (None, width(c))
}

/// Terminal columns of a printable character: 2 for the wide East Asian scripts and most
/// emoji, 0 for combining marks, else 1 (an approximation of Unicode's East Asian Width, close
/// enough to keep a caret under its column).
fn width(c: char) -> usize {
    match c as u32 {
        0x0300..=0x036f | 0x200b..=0x200d | 0xfe00..=0xfe0f => 0,
        0x1100..=0x115f
        | 0x2e80..=0x303e
        | 0x3041..=0x33ff
        | 0x3400..=0x4dbf
        | 0x4e00..=0x9fff
        | 0xa000..=0xa4cf
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x1f300..=0x1f64f
        | 0x1f900..=0x1f9ff
        | 0x20000..=0x3fffd => 2,
        _ => 1,
    }
}

/// The snippet of line `line`, column `column` (1-based, in characters) of `text`, the caret
/// under as many characters as `value` has when the text at the column is `value` (a trailing
/// `…` of a shortened value aside), else under the one character. `None` when `text` has no
/// such line or column: then it is not the text the problem was found in.
pub(super) fn render(
    text: &str,
    line: usize,
    column: usize,
    value: Option<&str>,
) -> Option<String> {
    if line == 0 || column == 0 {
        return None;
    }
    let source = text.split('\n').nth(line - 1)?;
    let source = source.strip_suffix('\r').unwrap_or(source);
    let chars: Vec<char> = source.chars().collect();
    let at = column - 1;
    if at > chars.len() {
        return None;
    }
    let marked = value
        .map(|v| v.strip_suffix('…').unwrap_or(v))
        .filter(|v| {
            !v.is_empty()
                && chars[at..]
                    .iter()
                    .copied()
                    .take(v.chars().count())
                    .eq(v.chars())
        })
        .map_or(1, |v| v.chars().count());
    let cells: Vec<(Option<String>, usize)> = chars.iter().map(|&c| cell(c)).collect();
    let span = |range: std::ops::Range<usize>| -> usize { cells[range].iter().map(|c| c.1).sum() };

    // The window of characters shown: the whole line when it fits, else from a little before
    // the column to as far as the width allows.
    let (start, end) = if span(0..cells.len()) <= SNIPPET_WIDTH {
        (0, cells.len())
    } else {
        let mut start = at.min(cells.len());
        let mut before = 0;
        while start > 0 && before + cells[start - 1].1 <= LEFT_CONTEXT {
            start -= 1;
            before += cells[start].1;
        }
        // One column for each `…`.
        let budget = SNIPPET_WIDTH - 2;
        let mut end = start;
        let mut used = 0;
        while end < cells.len() && used + cells[end].1 <= budget {
            used += cells[end].1;
            end += 1;
        }
        (start, end.max(at.min(cells.len())))
    };
    let mut shown = String::new();
    if start > 0 {
        shown.push('…');
    }
    for (c, (escaped, _)) in chars[start..end].iter().zip(&cells[start..end]) {
        match escaped {
            Some(e) => shown.push_str(e),
            None => shown.push(*c),
        }
    }
    if end < cells.len() {
        shown.push('…');
    }
    let offset = usize::from(start > 0) + span(start..at.min(end));
    let under = span(at.min(end)..(at + marked).min(end)).max(1);

    let number = line.to_string();
    let pad = " ".repeat(number.len());
    let source_row = format!("{number} | {shown}");
    Some(format!(
        "{pad} |\n{}\n{pad} | {}{}",
        source_row.trim_end(),
        " ".repeat(offset),
        "^".repeat(under)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_caret_is_under_the_column() {
        let text = "[part]\nunit_cost = -5\n[costs\n";
        assert_eq!(
            render(text, 3, 7, None).unwrap(),
            "  |\n3 | [costs\n  |       ^"
        );
        assert_eq!(
            render(text, 2, 13, Some("-5")).unwrap(),
            "  |\n2 | unit_cost = -5\n  |             ^^"
        );
        // A value that is not what the text holds there: one caret.
        assert_eq!(
            render(text, 2, 13, Some("7")).unwrap(),
            "  |\n2 | unit_cost = -5\n  |             ^"
        );
        // No such line or column: not this text.
        assert_eq!(render(text, 9, 1, None), None);
        assert_eq!(render(text, 1, 9, None), None);
        assert_eq!(render(text, 0, 0, None), None);
    }

    #[test]
    fn line_numbers_widen_the_gutter_and_crlf_is_not_shown() {
        let text = format!("{}x = 1\r\n", "\n".repeat(99));
        assert_eq!(
            render(&text, 100, 5, Some("1")).unwrap(),
            "    |\n100 | x = 1\n    |     ^"
        );
    }

    #[test]
    fn control_characters_tabs_and_wide_characters_keep_the_caret_in_place() {
        let text = "name = \"\u{1b}[31m\u{202e}x\"\tq";
        let s = render(text, 1, 18, None).unwrap();
        let rows: Vec<&str> = s.lines().collect();
        assert_eq!(rows[1], "1 | name = \"\\u{1b}[31m\\u{202e}x\"    q");
        assert!(!s.contains('\u{1b}') && !s.contains('\u{202e}') && !s.contains('\t'));
        let caret = rows[2].find('^').unwrap();
        assert_eq!(&rows[1][caret..], "q");
        let wide = render("名前 = 1", 1, 6, Some("1")).unwrap();
        let rows: Vec<&str> = wide.lines().collect();
        // 名前 takes four columns: the caret has 1 + 4 + 3 spaces before it.
        assert_eq!(rows[2], format!("  |{}^", " ".repeat(8)));
    }

    #[test]
    fn long_lines_are_clipped_around_the_column() {
        let line = format!("{}BAD{}", "a".repeat(5000), "b".repeat(5000));
        let s = render(&line, 1, 5001, Some("BAD")).unwrap();
        let rows: Vec<&str> = s.lines().collect();
        let shown = rows[1].strip_prefix("1 | ").unwrap();
        assert!(shown.starts_with('…') && shown.ends_with('…'), "{shown}");
        assert!(
            shown.chars().count() <= SNIPPET_WIDTH,
            "{}",
            shown.chars().count()
        );
        let caret = rows[2].strip_prefix("  | ").unwrap();
        let offset = caret.find('^').unwrap();
        assert_eq!(caret.trim_start(), "^^^");
        let under: String = shown.chars().skip(offset).take(3).collect();
        assert_eq!(under, "BAD");
        // At the very end of a long line (a syntax error after the last character).
        let s = render(&line, 1, 10004, None).unwrap();
        let rows: Vec<&str> = s.lines().collect();
        let shown = rows[1].strip_prefix("1 | ").unwrap();
        assert!(shown.starts_with('…') && !shown.ends_with('…'), "{shown}");
        assert_eq!(rows[2].find('^').unwrap(), rows[1].chars().count());
    }
}
