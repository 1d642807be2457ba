//! Safe writing of output files.
//!
//! - Every file of a report is first written in full to a temporary file in the output
//!   directory itself (flushed to disk), and only when all of them are written are they renamed
//!   over the old ones: a failure (a full disk, a read-only directory) or an interruption while
//!   writing leaves the earlier report as it was, and never a half-written file.
//! - pimsim marks directories it creates with [`MARKER`] and never writes into a non-empty
//!   directory without it.
//! - A directory that pimsim cannot write into (permissions, read-only file system, a path
//!   through a regular file) is bad input ([`InputError::Output`], exit code 2); other I/O
//!   failures, a full disk among them, are failures of the machine (exit code 1).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;

use crate::error::InputError;

/// Marker file that says pimsim created (and may overwrite) a directory.
pub const MARKER: &str = ".pimsim-output";

const MARKER_TEXT: &[u8] = b"This directory was created by pimsim; pimsim may replace its files.\n";

/// An output directory pimsim may write into.
#[derive(Debug, Clone)]
pub struct OutputDir {
    path: PathBuf,
    /// Whether [`OutputDir::prepare`] created the directory (then [`OutputDir::discard`] may
    /// remove it again).
    created: bool,
    /// Whether [`OutputDir::prepare`] wrote the marker (then [`OutputDir::discard`] removes
    /// it again from a directory holding nothing else).
    marked: bool,
}

/// An I/O failure on `path` while trying to `action`, as an error with a clear message: bad
/// input (exit code 2) when the location cannot be written into at all, a machine failure
/// (exit code 1) otherwise.
fn io_failure(path: &Path, action: &str, e: &io::Error) -> anyhow::Error {
    use io::ErrorKind::*;
    match e.kind() {
        PermissionDenied | ReadOnlyFilesystem | NotADirectory | IsADirectory | AlreadyExists => {
            InputError::Output {
                path: path.to_path_buf(),
                message: format!(
                    "cannot {action}: {e}; pimsim cannot write here (choose another --out); \
                     no earlier file was changed"
                ),
            }
            .into()
        }
        StorageFull | QuotaExceeded | FileTooLarge => anyhow::anyhow!(
            "{}: cannot {action}: {e}; free some space or choose another --out; no earlier file \
             was changed",
            path.display()
        ),
        _ => anyhow::anyhow!(
            "{}: cannot {action}: {e}; no earlier file was changed",
            path.display()
        ),
    }
}

impl OutputDir {
    /// Creates `path` (and its parents) or accepts it if it is empty or was made by pimsim.
    /// A non-empty directory without pimsim's marker is refused.
    pub fn prepare(path: &Path) -> Result<OutputDir, anyhow::Error> {
        let mut created = false;
        match fs::symlink_metadata(path) {
            Ok(_) if !path.is_dir() => {
                return Err(InputError::Output {
                    path: path.to_path_buf(),
                    message: "exists and is not a directory; choose another --out".into(),
                }
                .into());
            }
            Ok(_) => {
                let marked = path.join(MARKER).is_file();
                // The marker's own temporary file counts as empty: another pimsim process (a
                // shard starting at the same moment) is creating the directory.
                let empty = fs::read_dir(path)
                    .map_err(|e| io_failure(path, "list the directory", &e))?
                    .filter_map(|e| e.ok())
                    .all(|e| e.file_name().to_string_lossy().contains(MARKER));
                if !marked && !empty {
                    return Err(InputError::Output {
                        path: path.to_path_buf(),
                        message: "is a non-empty directory that pimsim did not create; \
                                  pimsim will not write into it (choose another --out or empty it)"
                            .into(),
                    }
                    .into());
                }
            }
            Err(_) => {
                fs::create_dir_all(path)
                    .map_err(|e| io_failure(path, "create the directory", &e))?;
                created = true;
            }
        }
        let mut dir = OutputDir {
            path: path.to_path_buf(),
            created,
            marked: false,
        };
        if !path.join(MARKER).is_file() {
            dir.marked = true;
            if let Err(e) = dir.write_all(&[(MARKER, MARKER_TEXT)]) {
                dir.discard();
                return Err(e);
            }
        }
        Ok(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Undoes [`OutputDir::prepare`] after a cancelled or failed run, when nothing but the
    /// marker is in the directory: removes the marker if `prepare` wrote it, and the directory
    /// if `prepare` created it. Best effort.
    pub fn discard(&self) {
        if !self.marked && !self.created {
            return;
        }
        let only_marker = fs::read_dir(&self.path).is_ok_and(|entries| {
            entries
                .filter_map(Result::ok)
                .all(|e| e.file_name() == MARKER)
        });
        if only_marker {
            if self.marked {
                let _ = fs::remove_file(self.path.join(MARKER));
            }
            if self.created {
                let _ = fs::remove_dir(&self.path);
            }
        }
    }

    /// Writes `name` atomically; see [`OutputDir::write_all`].
    pub fn write(&self, name: &str, content: &[u8]) -> anyhow::Result<PathBuf> {
        let mut paths = self.write_all(&[(name, content)])?;
        Ok(paths.remove(0))
    }

    /// Writes every `(name, content)` atomically and all together: each file goes to a
    /// temporary file in the same directory, flushed to disk; only when all are written are
    /// they renamed over the old files. On failure no earlier file is changed and no
    /// temporary file is left behind.
    pub fn write_all(&self, files: &[(&str, &[u8])]) -> anyhow::Result<Vec<PathBuf>> {
        let mut staged: Vec<(NamedTempFile, PathBuf)> = Vec::with_capacity(files.len());
        for (name, content) in files {
            let target = self.path.join(name);
            let mut tmp = tempfile::Builder::new()
                .prefix(&format!(".{name}."))
                .suffix(".tmp")
                .tempfile_in(&self.path)
                .map_err(|e| io_failure(&self.path, "create a file", &e))?;
            tmp.write_all(content)
                .and_then(|()| tmp.flush())
                .and_then(|()| readable_by_all(tmp.as_file()))
                .and_then(|()| tmp.as_file().sync_all())
                .map_err(|e| io_failure(&target, "write", &e))?;
            staged.push((tmp, target));
        }
        // Every file is complete on disk: now replace the old ones.
        let mut written = Vec::with_capacity(staged.len());
        for (tmp, target) in staged {
            tmp.persist(&target).map_err(|e| {
                anyhow::anyhow!(
                    "{}: cannot replace the file: {}; the report may now mix new and earlier \
                     files (already replaced: {})",
                    target.display(),
                    e.error,
                    if written.is_empty() {
                        "none".to_string()
                    } else {
                        written
                            .iter()
                            .map(|p: &PathBuf| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    }
                )
            })?;
            written.push(target);
        }
        if let Ok(dir) = fs::File::open(&self.path) {
            let _ = dir.sync_all();
        }
        Ok(written)
    }
}

/// Temporary files are created private (0600); results are ordinary files (0644).
#[cfg(unix)]
fn readable_by_all(file: &fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn readable_by_all(_file: &fs::File) -> io::Result<()> {
    Ok(())
}
