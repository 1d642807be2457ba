//! Where commands write when `--out` is not given: `reports/<name>/` (`fits/<name>/` for
//! `fit`), named after the input file's stem.

use std::path::{Path, PathBuf};

use pimsim::error::InputError;

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

/// Endings of file names that a folder given to `--out` is refused with: `--out x.html`
/// almost always means "write the report to x.html", and a folder named so would surprise.
const FILE_ENDINGS: [&str; 8] = ["html", "htm", "json", "csv", "toml", "png", "svg", "pdf"];

/// Refuses a folder given to `flag` whose name looks like a file name (`report.html`,
/// `summary.json`, …), unless it is a folder pimsim already wrote: every command that takes
/// such a flag writes a folder of files.
pub fn check_folder_name(flag: &str, path: &Path) -> Result<(), InputError> {
    let Some(ending) = path.extension().and_then(|e| e.to_str()) else {
        return Ok(());
    };
    let file_like = FILE_ENDINGS.iter().any(|f| f.eq_ignore_ascii_case(ending));
    if !file_like || pimsim::output::is_pimsim_dir(path) {
        return Ok(());
    }
    let folder = path.with_extension("");
    Err(InputError::Flag {
        flag: flag.into(),
        value: path.display().to_string(),
        message: format!(
            "looks like a file name, but pimsim writes a folder of files there (report.html, \
             the data files, the charts); give a folder name, e.g. {flag} {}",
            folder.display()
        ),
    })
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
