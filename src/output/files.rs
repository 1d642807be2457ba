//! Safe writing of output files.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::InputError;

/// Marker file that says pimsim created (and may overwrite) a directory.
pub const MARKER: &str = ".pimsim-output";

/// An output directory pimsim may write into.
#[derive(Debug, Clone)]
pub struct OutputDir {
    path: PathBuf,
}

impl OutputDir {
    /// Creates `path` (and its parents) or accepts it if it is empty or was made by pimsim.
    /// A non-empty directory without pimsim's marker is refused.
    pub fn prepare(path: &Path) -> Result<OutputDir, anyhow::Error> {
        if path.exists() {
            if !path.is_dir() {
                return Err(InputError::Output {
                    path: path.to_path_buf(),
                    message: "exists and is not a directory; choose another --out".into(),
                }
                .into());
            }
            let marked = path.join(MARKER).exists();
            // The marker's own temporary file counts as empty: another pimsim process (a
            // shard starting at the same moment) is creating the directory.
            let empty = fs::read_dir(path)
                .map_err(|e| anyhow::anyhow!("{}: cannot list: {e}", path.display()))?
                .filter_map(|e| e.ok())
                .all(|e| e.file_name().to_string_lossy().starts_with(MARKER));
            if !marked && !empty {
                return Err(InputError::Output {
                    path: path.to_path_buf(),
                    message: "is a non-empty directory that pimsim did not create; \
                              pimsim will not write into it (choose another --out or empty it)"
                        .into(),
                }
                .into());
            }
        } else {
            fs::create_dir_all(path)
                .map_err(|e| anyhow::anyhow!("{}: cannot create directory: {e}", path.display()))?;
        }
        let dir = OutputDir {
            path: path.to_path_buf(),
        };
        if !path.join(MARKER).exists() {
            dir.write(
                MARKER,
                b"This directory was created by pimsim; pimsim may replace its files.\n",
            )?;
        }
        Ok(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `name` atomically: a temporary file in the same directory, flushed to disk, then
    /// renamed over the old file.
    pub fn write(&self, name: &str, content: &[u8]) -> anyhow::Result<PathBuf> {
        let target = self.path.join(name);
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            .tempfile_in(&self.path)
            .map_err(|e| anyhow::anyhow!("{}: cannot create a file: {e}", self.path.display()))?;
        tmp.write_all(content)
            .and_then(|()| readable_by_all(tmp.as_file()))
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", target.display()))?;
        tmp.persist(&target)
            .map_err(|e| anyhow::anyhow!("{}: cannot replace: {}", target.display(), e.error))?;
        Ok(target)
    }
}

/// Temporary files are created private (0600); results are ordinary files (0644).
#[cfg(unix)]
fn readable_by_all(file: &fs::File) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn readable_by_all(_file: &fs::File) -> std::io::Result<()> {
    Ok(())
}
