//! All-or-nothing output: every command's files appear together, or not at all.
//!
//! - **A set replaces a set.** [`OutputDir::replace`] writes every file of a command into a
//!   fresh staging directory *beside* the destination (`.NAME.pimsim-new.HOST.PID.RANDOM`),
//!   each file flushed to disk, then swaps the staging directory and the destination in one
//!   step (Linux `renameat2(RENAME_EXCHANGE)`) and removes what was swapped out. A kill at any
//!   instant leaves either the earlier set or the new one, never a mixture, and files of an
//!   earlier run that the new one does not write (a report skipped with `--no-report`, a run's
//!   files under a sweep) do not survive beside it. Where the file system cannot exchange two
//!   directories, the old set is first renamed aside (`.NAME.pimsim-old.…`), the new one put in
//!   place, the old one removed; a kill between the two renames leaves the old set intact
//!   under that name, and the next pimsim that writes there puts it back first.
//! - **Leftovers are cleaned.** Staging directories and temporary files left by a killed
//!   pimsim are removed by the next one that writes beside them: those of a process of this
//!   host that no longer runs, or older than a day.
//! - **Only pimsim's own directories are replaced.** The destination is resolved first (`..`
//!   and symbolic links, see [`resolve`]); an existing destination must be an empty directory
//!   or one holding pimsim's marker file, [`MARKER`], with exactly pimsim's content. Anything
//!   else — a non-empty directory pimsim did not write, a regular file, the current directory
//!   or one of its parents, the root — is refused as bad input before anything is computed.
//! - **Shards share a directory.** The shards of one run write their partial results into one
//!   directory at the same time: [`SharedDir::put`] replaces one file atomically (temporary
//!   file, then rename) and leaves the others.
//! - A location pimsim cannot write into (permissions, a read-only file system) is bad input
//!   ([`InputError::Output`], exit code 2); other I/O failures, a full disk among them, are
//!   failures of the machine ([`Error::Machine`], exit code 1). Either way the earlier set is
//!   untouched.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::error::{Error, InputError};

/// The marker file that says pimsim wrote (and may replace) a directory.
pub const MARKER: &str = ".pimsim-output";

/// The marker's content.
const MARKER_TEXT: &[u8] =
    b"pimsim output (format 2): this directory was written by pimsim as a whole; pimsim may \
replace it as a whole.\n";

/// The marker's content as pimsim wrote it before format 2: still recognised.
const MARKER_TEXT_V1: &[u8] =
    b"This directory was created by pimsim; pimsim may replace its files.\n";

/// Staging directories and temporary files of another host, or of a process that cannot be
/// checked, are removed only when older than this.
const STALE_AFTER: Duration = Duration::from_secs(24 * 3600);

/// Whether `dir` holds pimsim's marker with pimsim's content (a marker-named file with other
/// content, or any other file name, does not count).
pub fn is_pimsim_dir(dir: &Path) -> bool {
    let Ok(file) = fs::File::open(dir.join(MARKER)) else {
        return false;
    };
    if !file.metadata().is_ok_and(|m| m.is_file()) {
        return false;
    }
    let mut content = Vec::new();
    let limit = MARKER_TEXT.len().max(MARKER_TEXT_V1.len()) as u64 + 1;
    if file.take(limit).read_to_end(&mut content).is_err() {
        return false;
    }
    content == MARKER_TEXT || content == MARKER_TEXT_V1
}

/// `path` made absolute with `..` and symbolic links resolved: every existing leading part is
/// canonicalised (so a link is followed to where it points), and `..` in the part that does
/// not exist yet removes the component before it, as creating the directories would. The
/// checks of [`OutputDir::prepare`] look at this path, so `victim/new/..` is `victim`.
pub fn resolve(path: &Path) -> Result<PathBuf, InputError> {
    let unusable = |message: String| InputError::Output {
        path: path.to_path_buf(),
        message,
    };
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| unusable(format!("the current directory cannot be read: {e}")))?
            .join(path)
    };
    let mut resolved = PathBuf::new();
    let mut exists = true;
    for component in absolute.components() {
        match component {
            Component::Prefix(_) | Component::RootDir => resolved.push(component),
            Component::CurDir => {}
            Component::ParentDir => {
                resolved.pop();
            }
            Component::Normal(name) => {
                resolved.push(name);
                if exists {
                    match fs::symlink_metadata(&resolved) {
                        Ok(_) => {
                            resolved = fs::canonicalize(&resolved).map_err(|e| {
                                unusable(format!("{} cannot be resolved: {e}", resolved.display()))
                            })?;
                        }
                        Err(_) => exists = false,
                    }
                }
            }
        }
    }
    Ok(resolved)
}

/// A directory that a command's output set goes to, checked before anything is computed
/// ([`OutputDir::prepare`]) and written all at once ([`OutputDir::replace`]).
#[derive(Debug, Clone)]
pub struct OutputDir {
    /// As the user gave it (for messages).
    path: PathBuf,
    /// Where it resolves to.
    target: PathBuf,
}

/// Why the directory `target` may not receive pimsim's output, if it may not.
fn refusal(target: &Path) -> Option<String> {
    if target.parent().is_none() || target.file_name().is_none() {
        return Some("is the root of the file system; choose another --out".into());
    }
    if let Ok(cwd) = std::env::current_dir().and_then(fs::canonicalize)
        && cwd.starts_with(target)
    {
        return Some(
            "is the current directory or one of its parents; pimsim replaces its output \
             directory as a whole, so choose a directory of its own (e.g. --out results)"
                .into(),
        );
    }
    match fs::symlink_metadata(target) {
        Err(_) => None,
        Ok(meta) if !meta.is_dir() => {
            Some("exists and is not a directory; choose another --out".into())
        }
        Ok(_) if is_mount_point(target) => Some(
            "is a mount point; pimsim replaces its output directory as a whole, which a mount \
             point cannot be: give a directory inside it (e.g. --out <mount>/results)"
                .into(),
        ),
        Ok(_) => {
            let empty = fs::read_dir(target).is_ok_and(|mut entries| entries.next().is_none());
            (!empty && !is_pimsim_dir(target)).then(|| {
                "is a non-empty directory that pimsim did not create; pimsim will not write \
                 into it (choose another --out or empty it)"
                    .into()
            })
        }
    }
}

/// Whether directory `dir` is the root of a mounted file system (a bind mount of a container,
/// a network share): on another device than its parent.
fn is_mount_point(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let parent = dir.parent().unwrap_or(Path::new("/"));
        match (fs::metadata(dir), fs::metadata(parent)) {
            (Ok(d), Ok(p)) => d.dev() != p.dev(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        false
    }
}

impl OutputDir {
    /// Checks that `path` may receive a command's output: it resolves (see [`resolve`]) to a
    /// directory that does not exist yet, is empty, or was written by pimsim, and a new set
    /// can be staged beside it (its parent directory is created if needed and tried with an
    /// empty staging directory, so that a read-only or forbidden place is refused before any
    /// work is done). Nothing else is created or changed.
    pub fn prepare(path: &Path) -> Result<OutputDir, Error> {
        let target = resolve(path)?;
        if let Some(message) = refusal(&target) {
            return Err(InputError::Output {
                path: path.to_path_buf(),
                message,
            }
            .into());
        }
        let dir = OutputDir {
            path: path.to_path_buf(),
            target,
        };
        let parent = dir.parent()?;
        drop(Staging::create(&parent, &dir.name(), "new", path)?);
        Ok(dir)
    }

    /// The directory as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Where the directory resolves to.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Replaces the directory with exactly `files` (name, content) and pimsim's marker, all at
    /// once (see the module's documentation). When `cancel` is set before the swap, nothing is
    /// changed and [`Error::Cancelled`] is returned. A name must be a plain file name.
    pub fn replace<'a>(
        &self,
        files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
        cancel: &AtomicBool,
    ) -> Result<(), Error> {
        let parent = self.parent()?;
        clean_stale(&parent, &self.name());
        let staging = Staging::create(&parent, &self.name(), "new", &self.path)?;
        for (name, content) in files {
            staging.write(name, content)?;
            if cancel.load(Ordering::Relaxed) {
                return Err(Error::Cancelled);
            }
        }
        staging.write(MARKER, MARKER_TEXT)?;
        sync_dir(&staging.path);
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        // Checked again just before the swap: another program may have written meanwhile.
        if let Some(message) = refusal(&self.target) {
            return Err(InputError::Output {
                path: self.path.clone(),
                message,
            }
            .into());
        }
        staging.swap_into(&self.target, &self.path)?;
        sync_dir(&parent);
        Ok(())
    }

    /// Creates the directory holding only pimsim's marker, unless it exists (then nothing is
    /// changed): in one step, so that shards starting at the same moment agree on it.
    fn create_marked(&self) -> Result<(), Error> {
        let parent = self.parent()?;
        let staging = Staging::create(&parent, &self.name(), "new", &self.path)?;
        staging.write(MARKER, MARKER_TEXT)?;
        sync_dir(&staging.path);
        staging.move_to(&self.target, &self.path)
    }

    /// The final component of the target.
    fn name(&self) -> String {
        self.target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The target's parent directory, created when it does not exist.
    fn parent(&self) -> Result<PathBuf, Error> {
        let parent = self
            .target
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"));
        fs::create_dir_all(&parent).map_err(|e| io_failure(&parent, "create the directory", &e))?;
        Ok(parent)
    }
}

/// A directory shared by the shards of one run: each writes its own partial result into it
/// ([`SharedDir::put`]), keeping the others'.
#[derive(Debug, Clone)]
pub struct SharedDir {
    dir: OutputDir,
}

impl SharedDir {
    /// Checks `path` as [`OutputDir::prepare`] does.
    pub fn prepare(path: &Path) -> Result<SharedDir, Error> {
        OutputDir::prepare(path).map(|dir| SharedDir { dir })
    }

    /// The directory as given.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes `name` into the directory atomically (a temporary file beside it, flushed,
    /// then renamed over it), creating the directory with pimsim's marker first when needed.
    /// Other files are left as they are. Returns the file's path as the user would name it.
    pub fn put(&self, name: &str, content: &[u8], cancel: &AtomicBool) -> Result<PathBuf, Error> {
        let target = &self.dir.target;
        if fs::symlink_metadata(target).is_err() {
            // A new directory: put one holding only the marker in place; when another shard
            // got there first, its directory is used.
            if let Err(e) = self.dir.create_marked()
                && !is_pimsim_dir(target)
            {
                return Err(e);
            }
        } else if !is_pimsim_dir(target) {
            if let Some(message) = refusal(target) {
                return Err(InputError::Output {
                    path: self.dir.path.clone(),
                    message,
                }
                .into());
            }
            // An empty directory: marked in place (another shard may have marked it already).
            if let Err(e) = write_new(&target.join(MARKER), MARKER_TEXT, &self.dir.path)
                && !is_pimsim_dir(target)
            {
                return Err(e);
            }
        }
        clean_stale(target, name);
        if cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        let temporary = target.join(owned_name(name, "tmp"));
        write_new(&temporary, content, &self.dir.path.join(name)).inspect_err(|_| {
            let _ = fs::remove_file(&temporary);
        })?;
        fs::rename(&temporary, target.join(name)).map_err(|e| {
            let _ = fs::remove_file(&temporary);
            io_failure(&self.dir.path.join(name), "replace the file", &e)
        })?;
        sync_dir(target);
        Ok(self.dir.path.join(name))
    }
}

/// Replaces the single file `path` with `content` atomically (a temporary file beside it,
/// then a rename). An existing file is replaced only when `may_replace` says so for its
/// current content (e.g. "written by pimsim"), or when `force`.
pub fn replace_file(
    path: &Path,
    content: &[u8],
    may_replace: impl Fn(&[u8]) -> bool,
    force: bool,
) -> Result<(), Error> {
    let target = resolve(path)?;
    let parent = target
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| InputError::Output {
            path: path.to_path_buf(),
            message: "is not a file name; choose another --out".into(),
        })?;
    match fs::symlink_metadata(&target) {
        Ok(meta) if !meta.is_file() => {
            return Err(InputError::Output {
                path: path.to_path_buf(),
                message: "exists and is not a regular file; choose another --out".into(),
            }
            .into());
        }
        Ok(_) if !force => {
            let existing = crate::input::read_bytes(&target, 1 << 20, "a file pimsim wrote")
                .unwrap_or_default();
            if !may_replace(&existing) {
                return Err(InputError::Output {
                    path: path.to_path_buf(),
                    message: "exists and was not written by pimsim; pimsim will not replace \
                              it (give --force to replace it anyway, or choose another --out)"
                        .into(),
                }
                .into());
            }
        }
        _ => {}
    }
    fs::create_dir_all(&parent).map_err(|e| io_failure(&parent, "create the directory", &e))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    clean_stale(&parent, &name);
    let temporary = parent.join(owned_name(&name, "tmp"));
    write_new(&temporary, content, path).inspect_err(|_| {
        let _ = fs::remove_file(&temporary);
    })?;
    fs::rename(&temporary, &target).map_err(|e| {
        let _ = fs::remove_file(&temporary);
        io_failure(path, "replace the file", &e)
    })?;
    sync_dir(&parent);
    Ok(())
}

mod staging;

use staging::*;

/// Creates `path` (which must not exist) with `content`, readable by all, flushed to disk.
fn write_new(path: &Path, content: &[u8], shown: &Path) -> Result<(), Error> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| io_failure(shown, "create the file", &e))?;
    file.write_all(content)
        .and_then(|()| readable_by_all(&file))
        .and_then(|()| file.sync_all())
        .map_err(|e| io_failure(shown, "write", &e))
}

/// Flushes a directory's entries to disk (best effort).
fn sync_dir(dir: &Path) {
    if let Ok(d) = fs::File::open(dir) {
        let _ = d.sync_all();
    }
}

/// An I/O failure on `path` while trying to `action`: bad input (exit code 2) when the
/// location cannot be written into at all, a machine failure (exit code 1) otherwise.
fn io_failure(path: &Path, action: &str, e: &io::Error) -> Error {
    use io::ErrorKind::*;
    match e.kind() {
        PermissionDenied | ReadOnlyFilesystem | NotADirectory | IsADirectory | AlreadyExists
        | InvalidFilename => InputError::Output {
            path: path.to_path_buf(),
            message: format!(
                "cannot {action}: {e}; pimsim cannot write here (choose another --out); no \
                 earlier file was changed"
            ),
        }
        .into(),
        StorageFull | QuotaExceeded | FileTooLarge => Error::Machine(format!(
            "{}: cannot {action}: {e}; free some space or choose another --out; no earlier file \
             was changed",
            path.display()
        )),
        _ => Error::Machine(format!(
            "{}: cannot {action}: {e}; no earlier file was changed",
            path.display()
        )),
    }
}

/// Results are ordinary files (0644), whatever the umask made of them.
#[cfg(unix)]
fn readable_by_all(file: &fs::File) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    file.set_permissions(fs::Permissions::from_mode(0o644))
}

#[cfg(not(unix))]
fn readable_by_all(_file: &fs::File) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn never() -> AtomicBool {
        AtomicBool::new(false)
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_set_replaces_a_set() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let dir = OutputDir::prepare(&out).unwrap();
        dir.replace([("a.txt", &b"1"[..]), ("b.txt", &b"2"[..])], &never())
            .unwrap();
        assert_eq!(names(&out), [MARKER, "a.txt", "b.txt"]);
        let dir = OutputDir::prepare(&out).unwrap();
        dir.replace([("a.txt", &b"3"[..])], &never()).unwrap();
        assert_eq!(names(&out), [MARKER, "a.txt"]);
        assert_eq!(fs::read(out.join("a.txt")).unwrap(), b"3");
        // Nothing but the destination is left beside it.
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn a_cancelled_replacement_changes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        OutputDir::prepare(&out)
            .unwrap()
            .replace([("a.txt", &b"1"[..])], &never())
            .unwrap();
        let cancel = AtomicBool::new(true);
        let e = OutputDir::prepare(&out)
            .unwrap()
            .replace([("a.txt", &b"2"[..])], &cancel)
            .unwrap_err();
        assert!(matches!(e, Error::Cancelled));
        assert_eq!(fs::read(out.join("a.txt")).unwrap(), b"1");
        assert_eq!(names(tmp.path()), ["out"]);
    }

    #[test]
    fn foreign_and_unsafe_destinations_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim");
        fs::create_dir(&victim).unwrap();
        fs::write(victim.join("thesis.tex"), "precious").unwrap();
        assert!(OutputDir::prepare(&victim).is_err());
        // Through a directory that does not exist yet and back up.
        assert!(OutputDir::prepare(&victim.join("new/..")).is_err());
        // Through a symbolic link.
        #[cfg(unix)]
        {
            let link = tmp.path().join("link");
            std::os::unix::fs::symlink(&victim, &link).unwrap();
            assert!(OutputDir::prepare(&link).is_err());
        }
        // A file named like the marker but with other content does not make it pimsim's.
        fs::write(victim.join(MARKER), "not really").unwrap();
        assert!(OutputDir::prepare(&victim).is_err());
        assert!(OutputDir::prepare(Path::new("/")).is_err());
        let file = tmp.path().join("file");
        fs::write(&file, "x").unwrap();
        assert!(OutputDir::prepare(&file).is_err());
        assert_eq!(fs::read(victim.join("thesis.tex")).unwrap(), b"precious");
    }

    #[test]
    fn leftovers_of_a_dead_process_are_removed_and_an_old_set_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        // A pid that cannot run: above the kernel's limit.
        let dead = 4_194_305;
        let new = tmp.path().join(format!(
            ".out.pimsim-new.{}.{dead}.0123456789abcdef",
            host()
        ));
        fs::create_dir(&new).unwrap();
        fs::write(new.join("half.csv"), "1,2").unwrap();
        let old = tmp.path().join(format!(
            ".out.pimsim-old.{}.{dead}.fedcba9876543210",
            host()
        ));
        fs::create_dir(&old).unwrap();
        fs::write(old.join(MARKER), MARKER_TEXT).unwrap();
        fs::write(old.join("a.txt"), "earlier").unwrap();
        let foreign = tmp.path().join(".out.pimsim-new.notes");
        fs::write(&foreign, "mine").unwrap();
        clean_stale(tmp.path(), "out");
        assert_eq!(fs::read(out.join("a.txt")).unwrap(), b"earlier");
        assert!(!new.exists());
        assert!(foreign.exists());
    }

    #[test]
    fn shards_share_a_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("shards");
        for k in 0..3 {
            let dir = SharedDir::prepare(&out).unwrap();
            dir.put(&format!("partial-{k}.json"), b"{}", &never())
                .unwrap();
        }
        assert_eq!(
            names(&out),
            [MARKER, "partial-0.json", "partial-1.json", "partial-2.json"]
        );
    }

    #[test]
    fn a_single_file_is_replaced_only_when_allowed() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("part.toml");
        fs::write(&file, "# my own\n").unwrap();
        let pimsims = |c: &[u8]| c.starts_with(b"# pimsim");
        assert!(replace_file(&file, b"# pimsim new\n", pimsims, false).is_err());
        assert_eq!(fs::read(&file).unwrap(), b"# my own\n");
        replace_file(&file, b"# pimsim new\n", pimsims, true).unwrap();
        replace_file(&file, b"# pimsim newer\n", pimsims, false).unwrap();
        assert_eq!(fs::read(&file).unwrap(), b"# pimsim newer\n");
        assert_eq!(names(tmp.path()), ["part.toml"]);
    }
}
