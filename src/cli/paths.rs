//! Where commands write when `--out` is not given: `reports/<name>/` (`fits/<name>/` for
//! `fit`), named after the input file's stem.

use std::path::{Path, PathBuf};

/// A folder name made from a file's stem: the stem when it is a plain, visible name, else
/// `fallback` (a stem such as `..`, `.` or one starting with a dot must not turn
/// `reports/<stem>` into the current directory or a hidden one).
pub fn safe_stem(path: &Path, fallback: &str) -> String {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let plain = !stem.is_empty()
        && !stem.starts_with('.')
        && !stem.contains(['/', '\\'])
        && !stem.chars().any(char::is_control)
        && stem.chars().count() <= 200;
    if plain { stem } else { fallback.to_string() }
}

/// `reports/<stem><suffix>/`.
pub fn report_dir(input: &Path, suffix: &str) -> PathBuf {
    Path::new("reports").join(format!("{}{suffix}", safe_stem(input, "scenario")))
}

/// The directory of a sweep of `files`: `reports/<stem>-<suffix>/` for one file,
/// `reports/<suffix>/` for several.
pub fn sweep_dir<P: AsRef<Path>>(files: &[P], suffix: &str) -> PathBuf {
    match files {
        [one] => report_dir(one.as_ref(), &format!("-{suffix}")),
        _ => Path::new("reports").join(suffix),
    }
}

/// `fits/<history stem>/`.
pub fn fit_dir(history: &Path) -> PathBuf {
    Path::new("fits").join(safe_stem(history, "history"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_that_would_escape_are_replaced() {
        assert_eq!(
            report_dir(Path::new("a/heavy.toml"), ""),
            Path::new("reports/heavy")
        );
        for bad in ["...toml", "..toml", ".hidden.toml", ""] {
            assert_eq!(safe_stem(Path::new(bad), "scenario"), "scenario", "{bad}");
        }
        assert_eq!(
            sweep_dir(&["a.toml", "b.toml"], "sweep"),
            Path::new("reports/sweep")
        );
        assert_eq!(
            sweep_dir(&["a.toml"], "sweep"),
            Path::new("reports/a-sweep")
        );
    }
}
