//! What the command line shows and how it stops: signals, the progress bar, messages on
//! standard error, results on standard output, and exit codes. Written once for every command.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use std::collections::HashMap;

use pimsim::api::{Control, Progress};
use pimsim::error::{Error, InputError, Problem};
use pimsim::escape::{terminal_line, terminal_text};
use pimsim::output::{FileSet, OutputDir, SharedDir};
use pimsim::shard::{Partial, Shard, encode};

/// One command's session with the terminal: the interruption flag (set by SIGINT and SIGTERM),
/// whether to be quiet, the progress bar, and the output directory being written (for the
/// messages).
pub struct Session {
    requested: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
    started: Instant,
    quiet: bool,
    bar: indicatif::ProgressBar,
    output: Mutex<Option<(PathBuf, bool)>>,
    /// The texts of the scenario files problems point into, read once each (`None`: not a
    /// scenario file, or unreadable now).
    sources: Mutex<HashMap<PathBuf, Option<String>>>,
}

impl Session {
    /// Installs the signal handlers: the first SIGINT or SIGTERM sets a flag that every long
    /// phase checks; nothing is written after it, and the process exits with 128 + the
    /// signal's number.
    pub fn start(quiet: bool) -> Session {
        let requested = Arc::new(AtomicBool::new(false));
        let signal = Arc::new(AtomicUsize::new(0));
        #[cfg(unix)]
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            // The number first, so that it is known once the flag is seen. Registering fails
            // only for signals that may not be caught; these two may.
            let _ = signal_hook::flag::register_usize(sig, Arc::clone(&signal), sig as usize);
            let _ = signal_hook::flag::register(sig, Arc::clone(&requested));
        }
        let bar = if !quiet && std::io::stderr().is_terminal() {
            indicatif::ProgressBar::new(0)
        } else {
            indicatif::ProgressBar::hidden()
        };
        Session {
            requested,
            signal,
            started: Instant::now(),
            quiet,
            bar,
            output: Mutex::new(None),
            sources: Mutex::new(HashMap::new()),
        }
    }

    /// The progress bar's reaction to a job's progress.
    fn progress(&self, event: Progress) {
        match event {
            Progress::Start { total, unit, label } => {
                let template = match label {
                    Some(_) => format!(
                        "{{spinner}} {{msg}} {{pos}}/{{len}} {unit} [{{bar:30}}] {{percent}}% [{{elapsed}}]"
                    ),
                    None => format!(
                        "{{spinner}} {{pos}}/{{len}} {unit} [{{bar:40}}] {{percent}}% eta {{eta}}"
                    ),
                };
                if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
                    self.bar.set_style(style.progress_chars("=> "));
                }
                self.bar.reset();
                self.bar.set_length(total);
                self.bar.set_message(
                    label
                        .map(|l| terminal_line(l).into_owned())
                        .unwrap_or_default(),
                );
            }
            Progress::Done(n) => self.bar.inc(n),
        }
    }

    /// Runs `job` with this session's interruption flag and progress bar.
    pub fn with_control<T>(&self, job: impl FnOnce(&Control) -> T) -> T {
        let progress = |event: Progress| self.progress(event);
        let control = Control::new(&self.requested, &progress);
        let out = job(&control);
        self.bar.finish_and_clear();
        out
    }

    /// The interruption flag.
    pub fn flag(&self) -> &AtomicBool {
        &self.requested
    }

    /// Whether SIGINT or SIGTERM arrived.
    pub fn interrupted(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    /// Seconds since the command started.
    pub fn seconds(&self) -> f64 {
        self.started.elapsed().as_secs_f64()
    }

    /// Checks the output directory `path` before any work (see [`OutputDir::prepare`]) and
    /// remembers it for the messages.
    pub fn output_dir(&self, path: &Path) -> Result<OutputDir, Error> {
        let dir = OutputDir::prepare(path)?;
        self.remember(path);
        Ok(dir)
    }

    /// Checks the directory `path` that the shards of a job share before any work (see
    /// [`SharedDir::prepare`]) and remembers it for the messages.
    pub fn shard_dir(&self, path: &Path) -> Result<SharedDir, Error> {
        let dir = SharedDir::prepare(path)?;
        self.remember(path);
        Ok(dir)
    }

    /// Writes shard `shard`'s partial result into `dir` (beside the other shards'), atomically.
    pub fn write_partial<P: Partial>(
        &self,
        dir: &SharedDir,
        shard: Shard,
        partial: &P,
    ) -> Result<PathBuf, Error> {
        let bytes = encode(partial).map_err(|e| Error::Internal(e.to_string()))?;
        dir.put(&shard.file_name(), &bytes, &self.requested)
    }

    /// Remembers `path` as the place this command writes, for the messages.
    pub fn remember(&self, path: &Path) {
        let existed = std::fs::symlink_metadata(path).is_ok();
        *self.output.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((path.to_path_buf(), existed));
    }

    /// Writes `files` into `dir` all at once; when interrupted before, writes nothing.
    pub fn write(&self, dir: &OutputDir, files: &FileSet) -> Result<(), Error> {
        dir.replace(files.iter(), &self.requested)
    }

    /// Warnings (and other problems), each with its source line (see [`Session::shown`]).
    pub fn warnings<'a>(&self, problems: impl IntoIterator<Item = &'a Problem>) {
        for p in problems {
            eprintln!("{}", terminal_text(&self.shown(p)));
        }
    }

    /// A problem as the terminal shows it: its line `file:line:col: error: …` (what users and
    /// scripts grep), then, when it points into a scenario file, the line of the file with a
    /// caret under the column ([`Problem::snippet`]). Only `*.toml` files are shown: the
    /// columns of CSV problems count fields, not characters. The file is read again (once,
    /// with the limits of any scenario file); a file that no longer has that line and column
    /// shows none.
    fn shown(&self, p: &Problem) -> String {
        let line = p.to_string();
        let scenario = p
            .file
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
        if p.line == 0 || !scenario {
            return line;
        }
        let mut sources = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        let text = sources
            .entry(p.file.clone())
            .or_insert_with(|| pimsim::scenario::Scenario::read_text(&p.file).ok());
        match text.as_deref().and_then(|t| p.snippet(t)) {
            Some(snippet) => format!("{line}\n{snippet}"),
            None => line,
        }
    }

    /// Says what is wrong with the input, on standard error: every problem of a file with its
    /// source line and the count, or one `error: …` line.
    pub fn report(&self, e: &InputError) {
        let text = match e {
            // Problems already say "error:" on each line.
            InputError::Problems(problems) => {
                let mut lines: Vec<String> = problems.iter().map(|p| self.shown(p)).collect();
                lines.push(pimsim::error::count_line(problems));
                lines.join("\n")
            }
            _ => {
                let message = e.to_string();
                if message.starts_with("error:") {
                    message
                } else {
                    format!("error: {message}")
                }
            }
        };
        eprintln!("{}", terminal_text(&text));
    }

    /// A message on standard error, even when quiet (a problem the user must see).
    pub fn complain(&self, message: &str) {
        eprintln!("{}", terminal_text(message));
    }

    /// A message on standard error, unless quiet.
    pub fn note(&self, message: &str) {
        if !self.quiet {
            eprintln!("{}", terminal_text(message));
        }
    }

    /// Writes `bytes` to standard output: as they are into a pipe or file, with control
    /// characters shown as escapes on a terminal (or always, for a `table` meant for people).
    pub fn print(&self, bytes: &[u8], table: bool) -> Result<(), Error> {
        let mut stdout = std::io::stdout().lock();
        let result = if table || stdout.is_terminal() {
            stdout.write_all(terminal_text(&String::from_utf8_lossy(bytes)).as_bytes())
        } else {
            stdout.write_all(bytes)
        };
        result
            .and_then(|()| stdout.flush())
            .or_else(|e| {
                // A closed pipe (`| head`) is not a failure of pimsim.
                if e.kind() == std::io::ErrorKind::BrokenPipe {
                    Ok(())
                } else {
                    Err(e)
                }
            })
            .map_err(|e| Error::Machine(format!("cannot write to standard output: {e}")))
    }

    /// 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), as shells report it.
    fn signal_code(&self) -> ExitCode {
        let sig = self.signal.load(Ordering::SeqCst);
        ExitCode::from(u8::try_from(128 + sig).unwrap_or(130))
    }

    fn signal_name(&self) -> &'static str {
        match self.signal.load(Ordering::SeqCst) {
            2 => "SIGINT",
            15 => "SIGTERM",
            _ => "a signal",
        }
    }

    /// The exit code of a finished command: its own, unless a signal arrived while the
    /// (complete) output was being put in place — then the signal's, with a word that the
    /// new files are complete.
    pub fn finish(&self, code: ExitCode) -> ExitCode {
        if !self.interrupted() {
            return code;
        }
        let place = self.place();
        eprintln!(
            "interrupted by {} while writing; the new files{place} are complete",
            self.signal_name()
        );
        self.signal_code()
    }

    /// " in DIR" for the output directory, when known.
    fn place(&self) -> String {
        match &*self.output.lock().unwrap_or_else(|e| e.into_inner()) {
            Some((dir, _)) => format!(" in {}", terminal_line(&dir.display().to_string())),
            None => String::new(),
        }
    }

    /// Says why the command failed and gives its exit code: 2 for bad input, 128 + the
    /// signal after an interruption, 1 for a failure of the machine or a bug.
    pub fn fail(&self, e: &Error) -> ExitCode {
        self.bar.finish_and_clear();
        match e {
            Error::Cancelled => {
                let what = match &*self.output.lock().unwrap_or_else(|e| e.into_inner()) {
                    Some((dir, true)) => format!(
                        "; {} is as it was",
                        terminal_line(&dir.display().to_string())
                    ),
                    Some((dir, false)) => format!(
                        "; {} was not created",
                        terminal_line(&dir.display().to_string())
                    ),
                    None => String::new(),
                };
                eprintln!(
                    "interrupted by {} after {:.2} s; nothing was written{what}",
                    self.signal_name(),
                    self.seconds()
                );
                self.signal_code()
            }
            Error::Input(e) => {
                self.report(e);
                ExitCode::from(2)
            }
            Error::Machine(_) | Error::Internal(_) => {
                eprintln!("error: {}", terminal_text(&e.to_string()));
                ExitCode::from(1)
            }
        }
    }
}
