//! Reading input files without trusting them: scenarios, histories, parts lists, partial
//! results.
//!
//! A path given as input may name anything: a named pipe that nobody writes to (reading it
//! would block forever), a device such as `/dev/zero` (endless) or `/dev/tty`, a directory, or
//! a multi-gigabyte export given by mistake. [`read_bytes`] looks at what the path is before
//! opening it, opens it without blocking (`O_NONBLOCK`, and `O_NOCTTY` so a terminal never
//! becomes the process's controlling terminal), checks again on the open file that it is a
//! regular file, and enforces the size limit while reading (so a file that grows while it is
//! read cannot exceed it either). Every refusal is bad input ([`InputError::Unreadable`], exit
//! code 2) that says what the path is and what was expected.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::error::InputError;

/// What kind of file `meta` describes, in words, when it is not a regular file.
fn not_regular(meta: &fs::Metadata) -> Option<&'static str> {
    let t = meta.file_type();
    if t.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
        if t.is_socket() {
            return Some("a socket");
        }
    }
    if t.is_dir() {
        Some("a directory")
    } else {
        Some("not a regular file")
    }
}

/// Opens `path` for reading without blocking on pipes or devices.
fn open(path: &Path) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NONBLOCK | rustix::fs::OFlags::NOCTTY;
        options.custom_flags(flags.bits() as i32);
    }
    options.open(path)
}

/// The bytes of the regular file `path`, at most `limit` bytes; `what` says what the file
/// should be, for the messages (e.g. "a scenario is a small TOML text file").
pub fn read_bytes(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, InputError> {
    let unreadable = |reason: String| InputError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    let meta = fs::metadata(path).map_err(|e| unreadable(e.to_string()))?;
    if let Some(kind) = not_regular(&meta) {
        return Err(unreadable(format!("{kind}, not a regular file ({what})")));
    }
    let file = open(path).map_err(|e| unreadable(e.to_string()))?;
    // Checked again on the open file: the path may have been replaced in between.
    let meta = file.metadata().map_err(|e| unreadable(e.to_string()))?;
    if let Some(kind) = not_regular(&meta) {
        return Err(unreadable(format!("{kind}, not a regular file ({what})")));
    }
    if meta.len() > limit {
        return Err(too_large(path, limit, what));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| unreadable(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit, what));
    }
    Ok(bytes)
}

fn too_large(path: &Path, limit: u64, what: &str) -> InputError {
    let size = if limit >= 1 << 20 {
        format!("{} MiB", limit >> 20)
    } else {
        format!("{limit} bytes")
    };
    InputError::Unreadable {
        path: path.to_path_buf(),
        reason: format!("larger than {size}; {what}"),
    }
}

/// The text of the regular file `path` (UTF-8, at most `limit` bytes); see [`read_bytes`].
pub fn read_text(path: &Path, limit: u64, what: &str) -> Result<String, InputError> {
    let bytes = read_bytes(path, limit, what)?;
    String::from_utf8(bytes).map_err(|e| InputError::Unreadable {
        path: path.to_path_buf(),
        reason: format!(
            "not UTF-8 text (invalid bytes after byte {}); save the file as UTF-8",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Most entries of a directory given as input that are looked at.
pub const MAX_DIR_ENTRIES: usize = 100_000;

/// The regular files of directory `dir` whose names satisfy `wanted`, sorted by name (the
/// order results are reported in). Other entries (directories, pipes, devices) are skipped
/// without being opened; a directory with more than [`MAX_DIR_ENTRIES`] entries is refused.
pub fn files_in(dir: &Path, wanted: impl Fn(&str) -> bool) -> Result<Vec<PathBuf>, InputError> {
    let unreadable = |reason: String| InputError::Unreadable {
        path: dir.to_path_buf(),
        reason,
    };
    let mut found = Vec::new();
    for (seen, entry) in fs::read_dir(dir)
        .map_err(|e| unreadable(e.to_string()))?
        .enumerate()
    {
        if seen >= MAX_DIR_ENTRIES {
            return Err(unreadable(format!(
                "a directory of more than {MAX_DIR_ENTRIES} entries; give the files themselves"
            )));
        }
        let Ok(entry) = entry else { continue };
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !wanted(name) {
            continue;
        }
        let path = entry.path();
        if fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_within_their_limit() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.toml");
        fs::write(&f, "x = 1\n").unwrap();
        assert_eq!(read_text(&f, 100, "a test").unwrap(), "x = 1\n");
        let e = read_text(&f, 3, "a test file").unwrap_err().to_string();
        assert!(e.contains("larger than 3 bytes; a test file"), "{e}");
        let e = read_text(dir.path(), 100, "a test file")
            .unwrap_err()
            .to_string();
        assert!(e.contains("a directory, not a regular file"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn pipes_and_devices_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.toml");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if made {
            let e = read_text(&fifo, 100, "a test").unwrap_err().to_string();
            assert!(e.contains("named pipe"), "{e}");
        }
        let link = dir.path().join("zero.toml");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let e = read_text(&link, 1 << 30, "a test").unwrap_err().to_string();
        assert!(e.contains("a device"), "{e}");
    }

    #[test]
    fn directories_list_their_regular_files_in_order() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["b.toml", "a.toml", "c.txt"] {
            fs::write(dir.path().join(n), "").unwrap();
        }
        fs::create_dir(dir.path().join("d.toml")).unwrap();
        let found = files_in(dir.path(), |n| n.ends_with(".toml")).unwrap();
        let names: Vec<_> = found
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ["a.toml", "b.toml"]);
    }
}
