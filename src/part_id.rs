//! Part ids as file names: `pimsim fit` writes `<part>.toml` per part, and `pimsim portfolio
//! --scenarios DIR` writes `DIR/<part>.toml`.
//!
//! **The rule for ids.** A part id may be any non-empty text (quotes, `]`, newlines and control
//! characters included: every output escapes it for its medium), but it must be able to name a
//! file once made safe by [`part_file_stem`]:
//!
//! - at most [`MAX_PART_ID_CHARS`] characters: the stem keeps one ASCII character per
//!   character of the id, and a file name holds 255 bytes on common file systems, which must
//!   leave room for a `-k` suffix (to tell apart ids that sanitise alike) and `.toml`;
//! - not made of dots only (`.`, `..`, …): the stem drops leading dots, so nothing would be
//!   left of such an id.
//!
//! [`part_id_problem`] says why an id breaks the rule; the history reader and the parts-file
//! reader refuse such ids up front (exit code 2, with file, line and column), before anything
//! is written. [`part_file_names`] then gives the file names of a list of ids, unique without
//! regard to case (file systems on macOS and Windows fold case).

use std::collections::HashSet;

/// Longest part id, in characters (see the module documentation).
pub const MAX_PART_ID_CHARS: usize = 200;

/// File stems `pimsim fit` writes itself into its output directory (`parts.csv`,
/// `fit_cumulative.csv`, `.svg`, `.png`), which no part's file may take.
pub const FIT_RESERVED_STEMS: [&str; 2] = ["parts", "fit_cumulative"];

/// Device names Windows reserves whatever the extension (`CON.toml` cannot be created there).
const WINDOWS_DEVICES: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8",
    "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Why `part` cannot be a part id that names a file, or `None` when it can (see the module
/// documentation). The message says what is allowed.
pub fn part_id_problem(part: &str) -> Option<String> {
    let chars = part.chars().count();
    if chars > MAX_PART_ID_CHARS {
        return Some(format!(
            "a part id of {chars} characters; at most {MAX_PART_ID_CHARS} are allowed (the \
             id names the part's file <part>.toml)"
        ));
    }
    if !part.is_empty() && part.chars().all(|c| c == '.') {
        return Some(
            "a part id of dots only cannot name the part's file <part>.toml; use letters or \
             digits"
                .into(),
        );
    }
    None
}

/// A file stem for a part's TOML: its id with characters other than ASCII letters, digits,
/// `.`, `_` and `-` replaced by `_`, leading dots dropped, and `_` appended to a Windows
/// device name (`CON`, `nul.x`, `COM1`, …); `part` when nothing is left.
pub fn part_file_stem(part: &str) -> String {
    let s: String = part
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut s = s.trim_start_matches('.').to_string();
    let base = s.split('.').next().unwrap_or("").to_ascii_lowercase();
    if WINDOWS_DEVICES.contains(&base.as_str()) {
        s.insert(base.len(), '_');
    }
    if s.is_empty() { "part".into() } else { s }
}

/// The file names (`<stem>.toml`) of the parts `ids`, in their order: each id's
/// [`part_file_stem`], with `-2`, `-3`, … appended where an earlier id (or one of the
/// `reserved` stems) already took the stem. Names are unique without regard to case, and none
/// equals a reserved stem without regard to case (pass [`FIT_RESERVED_STEMS`] for `pimsim
/// fit`'s directory, nothing for a directory of part scenarios).
pub fn part_file_names(ids: &[&str], reserved: &[&str]) -> Vec<String> {
    let mut taken: HashSet<String> = reserved.iter().map(|r| r.to_lowercase()).collect();
    ids.iter()
        .map(|id| {
            let stem = part_file_stem(id);
            let mut name = stem.clone();
            let mut k = 2u64;
            while !taken.insert(name.to_lowercase()) {
                name = format!("{stem}-{k}");
                k += 1;
            }
            format!("{name}.toml")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_names_become_safe_file_names() {
        assert_eq!(part_file_stem("A/B 7"), "A_B_7");
        assert_eq!(part_file_stem("../x"), "_x");
        assert_eq!(part_file_stem(""), "part");
        assert_eq!(part_file_stem("..."), "part");
        assert_eq!(part_file_stem("CON"), "CON_");
        assert_eq!(part_file_stem("nul.tar"), "nul_.tar");
        assert_eq!(part_file_stem("CONSOLE"), "CONSOLE");
    }

    #[test]
    fn file_names_are_unique_without_regard_to_case() {
        let names = part_file_names(&["a/b", "A_B", "a_b", "Parts", "x"], &FIT_RESERVED_STEMS);
        assert_eq!(
            names,
            [
                "a_b.toml",
                "A_B-2.toml",
                "a_b-3.toml",
                "Parts-2.toml",
                "x.toml"
            ]
        );
        // A stem that looks like a suffixed one still gets a name of its own.
        let names = part_file_names(&["p", "p", "p-2"], &[]);
        assert_eq!(names, ["p.toml", "p-2.toml", "p-2-2.toml"]);
    }

    #[test]
    fn ids_that_cannot_name_files_are_refused() {
        assert!(part_id_problem("P-100").is_none());
        assert!(part_id_problem("a \"quoted\"\n]id").is_none());
        assert!(part_id_problem(&"x".repeat(MAX_PART_ID_CHARS)).is_none());
        let long = part_id_problem(&"é".repeat(MAX_PART_ID_CHARS + 1)).unwrap();
        assert!(long.contains("201 characters; at most 200"), "{long}");
        assert!(part_id_problem("..").unwrap().contains("dots only"));
    }
}
