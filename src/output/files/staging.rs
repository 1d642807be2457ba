//! The staging directory a set of files is written into beside its destination, the swap
//! that puts it in place, and the cleaning of what a killed pimsim left behind.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::*;

/// A staging directory: a new set of files being written beside its destination.
pub(super) struct Staging {
    /// The staging directory itself.
    pub(super) path: PathBuf,
    /// The destination as the user named it, for messages.
    shown: PathBuf,
    /// Removed on drop unless swapped into place.
    keep: bool,
}

impl Staging {
    pub(super) fn create(
        parent: &Path,
        name: &str,
        role: &str,
        shown: &Path,
    ) -> Result<Staging, Error> {
        let path = parent.join(owned_name(name, role));
        fs::create_dir(&path)
            .map_err(|e| io_failure(shown, "create a staging directory beside it", &e))?;
        Ok(Staging {
            path,
            shown: shown.to_path_buf(),
            keep: false,
        })
    }

    pub(super) fn write(&self, name: &str, content: &[u8]) -> Result<(), Error> {
        let plain = Path::new(name).file_name().is_some_and(|n| n == name);
        if !plain {
            return Err(Error::Internal(format!(
                "an output file name is not a plain file name: {name:?}"
            )));
        }
        write_new(&self.path.join(name), content, &self.shown.join(name))
    }

    /// Puts the staged set at `target`, which must not exist (or be an empty directory).
    pub(super) fn move_to(mut self, target: &Path, shown: &Path) -> Result<(), Error> {
        fs::rename(&self.path, target)
            .map_err(|e| io_failure(shown, "create the directory", &e))?;
        self.keep = true;
        Ok(())
    }

    /// Puts the staged set at `target`, replacing what is there (see the module's
    /// documentation).
    pub(super) fn swap_into(mut self, target: &Path, shown: &Path) -> Result<(), Error> {
        match fs::rename(&self.path, target) {
            Ok(()) => {
                self.keep = true;
                return Ok(());
            }
            // The usual case when the destination exists: it is not empty.
            Err(e) if fs::symlink_metadata(target).is_err() => {
                return Err(io_failure(shown, "put the new files in place", &e));
            }
            Err(_) => {}
        }
        if exchange(&self.path, target).is_ok() {
            // `self.path` now holds the earlier set, removed on drop.
            return Ok(());
        }
        // No exchange on this file system: the earlier set aside, the new one in, the earlier
        // one removed.
        let parent = target.parent().unwrap_or(Path::new("/"));
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let aside = parent.join(owned_name(&name, "old"));
        fs::rename(target, &aside)
            .map_err(|e| io_failure(shown, "move the earlier files aside", &e))?;
        if let Err(e) = fs::rename(&self.path, target) {
            let _ = fs::rename(&aside, target);
            return Err(io_failure(shown, "put the new files in place", &e));
        }
        self.keep = true;
        let _ = fs::remove_dir_all(&aside);
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Exchanges two directories in one step.
#[cfg(target_os = "linux")]
pub(super) fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
pub(super) fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// This host's name as it appears in the names of staging directories (letters, digits and
/// `-` only, so that the name can be taken apart again).
pub(super) fn host() -> String {
    #[cfg(unix)]
    let name = rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned();
    #[cfg(not(unix))]
    let name = std::env::var("COMPUTERNAME").unwrap_or_default();
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    if safe.is_empty() { "host".into() } else { safe }
}

/// A name that says who owns a staging directory or temporary file:
/// `.NAME.pimsim-ROLE.HOST.PID.RANDOM`.
pub(super) fn owned_name(name: &str, role: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    format!(
        ".{name}.pimsim-{role}.{}.{}.{random:016x}",
        host(),
        std::process::id()
    )
}

/// The role, host and process of a name made by [`owned_name`] for `name`.
pub(super) fn owner_of<'a>(entry: &'a str, name: &str) -> Option<(&'a str, &'a str, u32)> {
    let rest = entry
        .strip_prefix('.')?
        .strip_prefix(name)?
        .strip_prefix(".pimsim-")?;
    let mut fields = rest.split('.');
    let role = fields.next()?;
    let host = fields.next()?;
    let pid = fields.next()?.parse().ok()?;
    let random = fields.next()?;
    let ok = fields.next().is_none()
        && matches!(role, "new" | "old" | "tmp")
        && random.len() == 16
        && random.chars().all(|c| c.is_ascii_hexdigit());
    ok.then_some((role, host, pid))
}

/// Whether process `pid` of this host still runs.
pub(super) fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        use rustix::process::{Pid, test_kill_process};
        match i32::try_from(pid).ok().and_then(Pid::from_raw) {
            Some(p) => !matches!(test_kill_process(p), Err(rustix::io::Errno::SRCH)),
            None => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Removes the staging directories and temporary files for `name` in `dir` that a killed
/// pimsim left behind (see the module's documentation); an earlier set left aside by an
/// interrupted swap is put back first when the destination is missing. Best effort.
pub(super) fn clean_stale(dir: &Path, name: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let this_host = host();
    let target = dir.join(name);
    for entry in entries.filter_map(Result::ok) {
        let file_name = entry.file_name();
        let Some((role, host, pid)) = file_name.to_str().and_then(|n| owner_of(n, name)) else {
            continue;
        };
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| SystemTime::now().duration_since(t).ok())
            .is_some_and(|age| age > STALE_AFTER);
        let stale = if host == this_host {
            !alive(pid) || old
        } else {
            old
        };
        if !stale {
            continue;
        }
        let path = entry.path();
        if role == "tmp" {
            if entry.file_type().is_ok_and(|t| t.is_file()) {
                let _ = fs::remove_file(&path);
            }
            continue;
        }
        // Only directories that hold pimsim's marker are removed or put back.
        if !is_pimsim_dir(&path) && role == "old" {
            continue;
        }
        if role == "old" && fs::symlink_metadata(&target).is_err() {
            let _ = fs::rename(&path, &target);
        } else if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = fs::remove_dir_all(&path);
        }
    }
}
