//! The documentation's examples are produced by commands and checked here, so they cannot go
//! stale; and every relative link of the documentation points to a file of the repository.
//!
//! # Marking an example
//!
//! An HTML comment directly before a fenced code block (GitHub does not render it):
//!
//! ````text
//! <!-- example -->
//! ```text
//! $ pimsim check scenarios/benchmark.toml
//! ok: scenarios/benchmark.toml (3 policies, 0 warnings)
//! ```
//! ````
//!
//! The block is a transcript: each line starting with `$ ` is a command (a trailing `\`
//! continues it on the next line), and the lines after it are what it printed. The comment may
//! hold options, one `key: value` per line:
//!
//! ````text
//! <!-- example
//! run: pimsim fit scenarios/history/history.csv --out fits/eop --quiet
//! show: file fits/eop/P0003.toml
//! lines: 1-12
//! exit: 0
//! -->
//! ````
//!
//! - `run: COMMAND` (repeatable): a command run first and not shown (it must succeed), e.g. to
//!   make the input of the shown command.
//! - `show: stdout` (default) or `show: stderr`: which stream of each `$` command the block shows.
//!   `show: file PATH`: the block is the content of the file PATH that the commands wrote (the
//!   block then holds no `$` line; the commands are the `run:` lines).
//! - `lines: RANGES`: only these lines (1-based, e.g. `1-19,455-460` or `3-`) of the last
//!   command's output (or of the file); each stretch left out is shown as one line
//!   `… (N lines)`.
//! - `exit: N` (default 0): the exit code expected of the last command; every other must exit 0.
//!
//! `<!-- example-input: NAME -->` before a fenced block writes the block, byte for byte, to the
//! file NAME in the scratch directory of the next example of the same page.
//!
//! # How an example runs
//!
//! In a fresh scratch directory holding the repository's `scenarios/` (a symbolic link) and the
//! example's inputs, with `pimsim` replaced by the binary built with the tests. Commands are split
//! into words like a shell does (quotes, backslash-newline) but nothing else of a shell applies: no
//! pipes, redirections, variables or globs. Each example has its own directory, so no example sees
//! another's output; several run at once.
//!
//! What a command printed is compared with the block byte for byte. The one normalisation: a final
//! newline is added to an output that lacks one (a code block's last line always ends with one).
//! Prefer commands whose output has no timing: a figure that varies from run to run cannot be
//! checked.
//!
//! On a mismatch the test fails with a diff and the command that rewrites the blocks in place,
//! `PIMSIM_UPDATE_DOCS=1 cargo test --release docs_examples`; review its changes with `git diff`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The environment variable that makes the test rewrite the blocks instead of failing.
const UPDATE_ENV: &str = "PIMSIM_UPDATE_DOCS";
/// What to run after a change of the outputs.
const UPDATE_HINT: &str = "PIMSIM_UPDATE_DOCS=1 cargo test --release docs_examples";
/// Longest a single command may take before the test gives up on it.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(300);
/// Files the documentation links to that another branch adds; they may be missing until it is
/// merged, and are checked like every other link once they exist.
const PENDING_FILES: &[&str] = &["docs/scenario-reference.md"];

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The pages whose examples and links are checked, relative to the repository: README.md,
/// docs/*.md and the READMEs of the folders the docs own.
fn pages() -> Vec<String> {
    let mut pages = vec!["README.md".to_string()];
    let mut docs: Vec<String> = std::fs::read_dir(repo().join("docs"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.ends_with(".md"))
                .map(|name| format!("docs/{name}"))
                .collect()
        })
        .unwrap_or_default();
    docs.sort();
    pages.extend(docs);
    for extra in [
        "deploy/README.md",
        "benches/numpy_baseline/README.md",
        "scenarios/history/README.md",
    ] {
        if repo().join(extra).is_file() {
            pages.push(extra.to_string());
        }
    }
    pages
}

fn read_page(page: &str) -> String {
    std::fs::read_to_string(repo().join(page)).unwrap_or_else(|e| panic!("{page}: {e}"))
}

// ------------------------------------------------------------------------------------------
// Parsing the pages
// ------------------------------------------------------------------------------------------

/// A fenced code block: the line index of its opening and closing fence, and its content.
struct Block {
    open: usize,
    close: usize,
    body: String,
}

/// The opening fence of a code block (``` or ~~~, any indentation): its character and length.
fn fence_open(line: &str) -> Option<(char, usize)> {
    let t = line.trim_start();
    let c = t.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = t.chars().take_while(|&x| x == c).count();
    (n >= 3).then_some((c, n))
}

fn is_fence_close(line: &str, (c, n): (char, usize)) -> bool {
    let t = line.trim();
    t.chars().count() >= n && t.chars().all(|x| x == c)
}

/// The block whose opening fence is at `open`.
fn block_at(lines: &[&str], open: usize) -> Result<Block, String> {
    let fence = fence_open(lines[open]).ok_or("not a code fence")?;
    let close = (open + 1..lines.len())
        .find(|&i| is_fence_close(lines[i], fence))
        .ok_or("code block without a closing fence")?;
    Ok(Block {
        open,
        close,
        body: lines[open + 1..close].concat(),
    })
}

/// The index of the first non-blank line from `from` on.
fn next_non_blank(lines: &[&str], from: usize) -> Option<usize> {
    (from..lines.len()).find(|&i| !lines[i].trim().is_empty())
}

enum Show {
    Stdout,
    Stderr,
    File(String),
}

type Ranges = Vec<(usize, Option<usize>)>;

struct Options {
    run: Vec<String>,
    show: Show,
    lines: Option<Ranges>,
    exit: i32,
}

/// One marked example.
struct Example {
    page: String,
    /// 1-based line of the marker, for messages.
    line: usize,
    options: Options,
    inputs: Vec<(String, String)>,
    block: Block,
}

fn parse_ranges(text: &str) -> Result<Ranges, String> {
    let mut ranges = Vec::new();
    let mut last_end = 0;
    for part in text.split(',').map(str::trim) {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let bad = || format!("`lines: {text}`: expected ranges like 1-19,455-460 or 3-");
        let a: usize = a.trim().parse().map_err(|_| bad())?;
        let b: Option<usize> = match b.trim() {
            "" => None,
            b => Some(b.parse().map_err(|_| bad())?),
        };
        if a == 0 || a <= last_end || b.is_some_and(|b| b < a) {
            return Err(format!(
                "`lines: {text}`: ranges must be ascending, from line 1 on"
            ));
        }
        last_end = b.unwrap_or(usize::MAX);
        ranges.push((a, b));
    }
    Ok(ranges)
}

fn parse_options(page: &str, line: usize, body: &str) -> Result<Options, String> {
    let mut options = Options {
        run: Vec::new(),
        show: Show::Stdout,
        lines: None,
        exit: 0,
    };
    for raw in body.lines() {
        let l = raw.trim();
        if l.is_empty() {
            continue;
        }
        let (key, value) = l
            .split_once(':')
            .ok_or_else(|| format!("{page}:{line}: `{l}`: expected `key: value`"))?;
        let value = value.trim();
        match key.trim() {
            "run" => options.run.push(value.to_string()),
            "show" => {
                options.show = match value.split_once(char::is_whitespace) {
                    None if value == "stdout" => Show::Stdout,
                    None if value == "stderr" => Show::Stderr,
                    Some(("file", path)) => Show::File(path.trim().to_string()),
                    _ => {
                        return Err(format!(
                            "{page}:{line}: `show: {value}`: expected stdout, stderr or file PATH"
                        ));
                    }
                }
            }
            "lines" => {
                options.lines =
                    Some(parse_ranges(value).map_err(|e| format!("{page}:{line}: {e}"))?)
            }
            "exit" => {
                options.exit = value
                    .parse()
                    .map_err(|_| format!("{page}:{line}: `exit: {value}`: expected a number"))?
            }
            other => {
                return Err(format!(
                    "{page}:{line}: unknown option `{other}` (run, show, lines, exit)"
                ));
            }
        }
    }
    Ok(options)
}

/// Every marked example of a page, with the inputs declared before it.
fn examples_of(page: &str, text: &str) -> Result<Vec<Example>, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut examples = Vec::new();
    let mut inputs: Vec<(String, String)> = Vec::new();
    let mut input_line = 0;
    let mut i = 0;
    while i < lines.len() {
        let t = lines[i].trim();
        if fence_open(lines[i]).is_some() {
            i = block_at(&lines, i)
                .map_err(|e| format!("{page}:{}: {e}", i + 1))?
                .close
                + 1;
            continue;
        }
        let marker = if let Some(rest) = t.strip_prefix("<!-- example-input:") {
            let name = rest
                .strip_suffix("-->")
                .ok_or_else(|| format!("{page}:{}: example-input ends on its line", i + 1))?
                .trim();
            Some((Some(name.to_string()), String::new(), i))
        } else if let Some(rest) = t.strip_prefix("<!-- example")
            && (rest.is_empty() || rest.starts_with(char::is_whitespace))
        {
            // The comment runs to the first line holding `-->`.
            let start = i;
            let mut body = String::new();
            let mut rest = rest.to_string();
            loop {
                if let Some(before) = rest.split_once("-->").map(|(b, _)| b) {
                    body.push_str(before);
                    break;
                }
                body.push_str(&rest);
                body.push('\n');
                i += 1;
                if i == lines.len() {
                    return Err(format!("{page}:{}: unterminated example marker", start + 1));
                }
                rest = lines[i].trim_end_matches(['\n', '\r']).to_string();
            }
            Some((None, body, start))
        } else {
            None
        };
        let Some((input, body, start)) = marker else {
            i += 1;
            continue;
        };
        let open = next_non_blank(&lines, i + 1)
            .filter(|&j| fence_open(lines[j]).is_some())
            .ok_or_else(|| {
                format!(
                    "{page}:{}: an example marker must be followed by a code block",
                    start + 1
                )
            })?;
        if lines[open].starts_with(char::is_whitespace) {
            return Err(format!(
                "{page}:{}: an example's code block must not be indented",
                open + 1
            ));
        }
        let block = block_at(&lines, open).map_err(|e| format!("{page}:{}: {e}", open + 1))?;
        i = block.close + 1;
        match input {
            Some(name) => {
                if inputs.is_empty() {
                    input_line = start + 1;
                }
                inputs.push((name, block.body));
            }
            None => examples.push(Example {
                page: page.to_string(),
                line: start + 1,
                options: parse_options(page, start + 1, &body)?,
                inputs: std::mem::take(&mut inputs),
                block,
            }),
        }
    }
    if !inputs.is_empty() {
        return Err(format!(
            "{page}:{input_line}: example-input without an example after it"
        ));
    }
    Ok(examples)
}

/// A command of a transcript: as written (with its `$ ` and continuation lines) and as run.
struct Shown {
    written: String,
    command: String,
}

/// The commands of a transcript block, in order (empty if the block holds none).
fn transcript_commands(body: &str) -> Vec<Shown> {
    let mut commands = Vec::new();
    let mut lines = body.split_inclusive('\n');
    while let Some(line) = lines.next() {
        let Some(first) = line.strip_prefix("$ ") else {
            continue;
        };
        let mut written = line.to_string();
        let mut command = String::new();
        let mut current = first.trim_end_matches(['\n', '\r']);
        loop {
            match current.strip_suffix('\\') {
                Some(head) => {
                    command.push_str(head);
                    command.push(' ');
                    match lines.next() {
                        Some(next) => {
                            written.push_str(next);
                            current = next.trim_end_matches(['\n', '\r']);
                        }
                        None => break,
                    }
                }
                None => {
                    command.push_str(current);
                    break;
                }
            }
        }
        commands.push(Shown { written, command });
    }
    commands
}

/// Splits a command into words: whitespace separates, '...' and "..." quote; shell syntax
/// beyond that is refused.
fn words(command: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = command.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some(x) => word.push(x),
                        None => return Err(format!("`{command}`: unclosed quote")),
                    }
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '|' | '>' | '<' | ';' | '&' | '*' | '?' | '$' | '`' => {
                return Err(format!(
                    "`{command}`: `{c}`: shell syntax is not supported in examples"
                ));
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

// ------------------------------------------------------------------------------------------
// Running the examples
// ------------------------------------------------------------------------------------------

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_command(dir: &Path, command: &str) -> Result<Output, String> {
    let words = words(command)?;
    match words.first().map(String::as_str) {
        Some("pimsim") => {}
        _ => return Err(format!("`{command}`: examples run `pimsim` commands only")),
    }
    for pair in words.windows(2) {
        if matches!(pair[0].as_str(), "--out" | "--scenarios")
            && Path::new(&pair[1]).starts_with("scenarios")
        {
            return Err(format!(
                "`{command}`: an example must not write into scenarios/ (the repository's own)"
            ));
        }
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_pimsim"))
        .args(&words[1..])
        .current_dir(dir)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .env_remove("JOB_COMPLETION_INDEX")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("`{command}`: cannot start pimsim: {e}"))?;
    let mut out_pipe = child.stdout.take().expect("piped stdout");
    let mut err_pipe = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        out_pipe.read_to_end(&mut bytes).map(|_| bytes)
    });
    let err_reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        err_pipe.read_to_end(&mut bytes).map(|_| bytes)
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > COMMAND_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "`{command}`: still running after {} s; stopped",
                    COMMAND_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("`{command}`: {e}")),
        }
    };
    let text = |r: std::thread::Result<std::io::Result<Vec<u8>>>, what: &str| {
        let bytes = r
            .map_err(|_| format!("`{command}`: reading its {what} failed"))?
            .map_err(|e| format!("`{command}`: reading its {what}: {e}"))?;
        String::from_utf8(bytes).map_err(|_| format!("`{command}`: its {what} is not UTF-8"))
    };
    Ok(Output {
        code: status.code(),
        stdout: text(out_reader.join(), "standard output")?,
        stderr: text(err_reader.join(), "standard error")?,
    })
}

/// Runs `command` and checks its exit code.
fn run_expecting(dir: &Path, command: &str, exit: i32) -> Result<Output, String> {
    let out = run_command(dir, command)?;
    if out.code != Some(exit) {
        let code = out.code.map_or("a signal".to_string(), |c| c.to_string());
        return Err(format!(
            "`{command}` exited with {code}, expected {exit}\n--- its standard error:\n{}--- its standard output:\n{}",
            out.stderr, out.stdout
        ));
    }
    Ok(out)
}

/// The lines of `text` that `ranges` select, each stretch left out shown as `… (N lines)`.
fn excerpt(text: &str, ranges: &Ranges) -> Result<String, String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let n = lines.len();
    let mut shown = String::new();
    let mut next = 1; // the first line not yet shown or skipped
    for &(a, b) in ranges {
        if a > n {
            return Err(format!(
                "`lines`: line {a} asked for, but the output has {n} lines"
            ));
        }
        let b = b.unwrap_or(n).min(n);
        if a > next {
            shown.push_str(&left_out(a - next));
        }
        for line in &lines[a - 1..b] {
            shown.push_str(line);
        }
        if !shown.ends_with('\n') {
            shown.push('\n');
        }
        next = b + 1;
    }
    if next <= n {
        shown.push_str(&left_out(n + 1 - next));
    }
    Ok(shown)
}

/// The line that stands for `n` lines left out of an excerpt.
fn left_out(n: usize) -> String {
    format!("… ({n} {})\n", if n == 1 { "line" } else { "lines" })
}

fn with_final_newline(mut text: String) -> String {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Lays out the scratch directory of an example: `scenarios/` and the example's inputs.
fn scratch(example: &Example) -> Result<tempfile::TempDir, String> {
    let dir = tempfile::Builder::new()
        .prefix("docs-example-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .map_err(|e| format!("scratch directory: {e}"))?;
    link_scenarios(dir.path()).map_err(|e| format!("scenarios/ in the scratch directory: {e}"))?;
    for (name, content) in &example.inputs {
        let path = Path::new(name);
        if path.is_absolute()
            || path
                .components()
                .any(|c| !matches!(c, std::path::Component::Normal(_)))
            || path.starts_with("scenarios")
        {
            return Err(format!(
                "example-input `{name}`: a relative path inside the scratch directory, not in scenarios/"
            ));
        }
        let target = dir.path().join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{name}: {e}"))?;
        }
        std::fs::write(&target, content).map_err(|e| format!("{name}: {e}"))?;
    }
    Ok(dir)
}

#[cfg(unix)]
fn link_scenarios(dir: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(repo().join("scenarios"), dir.join("scenarios"))
}

#[cfg(not(unix))]
fn link_scenarios(dir: &Path) -> std::io::Result<()> {
    fn copy(from: &Path, to: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(to)?;
        for entry in std::fs::read_dir(from)? {
            let entry = entry?;
            let target = to.join(entry.file_name());
            if entry.file_type()?.is_dir() {
                copy(&entry.path(), &target)?;
            } else {
                std::fs::copy(entry.path(), target)?;
            }
        }
        Ok(())
    }
    copy(&repo().join("scenarios"), &dir.join("scenarios"))
}

/// What the example's block should hold now, by running its commands.
fn render(example: &Example) -> Result<String, String> {
    let dir = scratch(example)?;
    let dir = dir.path();
    let options = &example.options;
    let shown = transcript_commands(&example.block.body);
    if shown.is_empty() && options.run.is_empty() {
        return Err("the example has no command: no `$ ` line in its block, no `run:`".into());
    }
    if !shown.is_empty() && matches!(options.show, Show::File(_)) {
        return Err("`show: file` takes its commands from `run:`, not from `$ ` lines".into());
    }
    let last_run = options.run.len().checked_sub(1);
    for (k, command) in options.run.iter().enumerate() {
        let exit = if shown.is_empty() && Some(k) == last_run {
            options.exit
        } else {
            0
        };
        let out = run_expecting(dir, command, exit)?;
        if shown.is_empty() && Some(k) == last_run {
            let text = match &options.show {
                Show::Stdout => out.stdout,
                Show::Stderr => out.stderr,
                Show::File(path) => std::fs::read_to_string(dir.join(path))
                    .map_err(|e| format!("show: file {path}: {e}"))?,
            };
            let text = with_final_newline(text);
            return match &options.lines {
                Some(ranges) => excerpt(&text, ranges),
                None => Ok(text),
            };
        }
    }
    let mut transcript = String::new();
    for (k, command) in shown.iter().enumerate() {
        let last = k + 1 == shown.len();
        let out = run_expecting(dir, &command.command, if last { options.exit } else { 0 })?;
        let text = with_final_newline(match options.show {
            Show::Stderr => out.stderr,
            _ => out.stdout,
        });
        transcript.push_str(&command.written);
        match (&options.lines, last) {
            (Some(ranges), true) => transcript.push_str(&excerpt(&text, ranges)?),
            _ => transcript.push_str(&text),
        }
    }
    Ok(transcript)
}

// ------------------------------------------------------------------------------------------
// Reporting
// ------------------------------------------------------------------------------------------

/// A line diff of `old` against `new` (longest common subsequence), with two lines of context.
fn diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() * b.len() > 16_000_000 {
        let first = a
            .iter()
            .zip(&b)
            .position(|(x, y)| x != y)
            .unwrap_or(a.len().min(b.len()));
        return format!(
            "(too long for a diff) first difference at line {}:\n- {}\n+ {}\n",
            first + 1,
            a.get(first).unwrap_or(&"<end>"),
            b.get(first).unwrap_or(&"<end>")
        );
    }
    // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut ops: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            ops.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            ops.push(('-', a[i]));
            i += 1;
        } else {
            ops.push(('+', b[j]));
            j += 1;
        }
    }
    let near_change = |k: usize| {
        let lo = k.saturating_sub(2);
        let hi = (k + 2).min(ops.len() - 1);
        (lo..=hi).any(|m| ops[m].0 != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (op, line)) in ops.iter().enumerate() {
        if near_change(k) {
            if skipped {
                out.push_str("  …\n");
                skipped = false;
            }
            let mark = if line.ends_with([' ', '\t']) {
                "⏎"
            } else {
                ""
            };
            writeln!(out, "{op} {line}{mark}").unwrap();
        } else {
            skipped = true;
        }
    }
    if old.ends_with('\n') != new.ends_with('\n') {
        out.push_str("(the two differ in the final newline)\n");
    }
    out
}

fn all_examples() -> Vec<Example> {
    let mut examples = Vec::new();
    let mut problems = Vec::new();
    for page in pages() {
        match examples_of(&page, &read_page(&page)) {
            Ok(found) => examples.extend(found),
            Err(e) => problems.push(e),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    examples
}

/// Runs `render` for every example, a few at a time (commands mostly wait for the disk or
/// for each other's threads; the order of results is that of `examples`).
fn render_all(examples: &[Example]) -> Vec<(Result<String, String>, Duration)> {
    let workers = std::env::var("PIMSIM_DOCS_JOBS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3usize)
        .clamp(1, examples.len().max(1));
    let next = AtomicUsize::new(0);
    let results = Mutex::new(BTreeMap::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(example) = examples.get(k) else {
                        break;
                    };
                    let started = Instant::now();
                    let result = render(example);
                    results
                        .lock()
                        .unwrap()
                        .insert(k, (result, started.elapsed()));
                }
            });
        }
    });
    results.into_inner().unwrap().into_values().collect()
}

/// Rewrites the blocks of `updates` (page, block, new content) in place.
fn rewrite(updates: &[(&Example, String)]) {
    let mut by_page: BTreeMap<&str, Vec<(&Example, &String)>> = BTreeMap::new();
    for (example, body) in updates {
        by_page
            .entry(example.page.as_str())
            .or_default()
            .push((example, body));
    }
    for (page, mut edits) in by_page {
        let text = read_page(page);
        let mut lines: Vec<String> = text.split_inclusive('\n').map(String::from).collect();
        edits.sort_by_key(|(e, _)| std::cmp::Reverse(e.block.open));
        for (example, body) in edits {
            let new_lines: Vec<String> = body.split_inclusive('\n').map(String::from).collect();
            lines.splice(example.block.open + 1..example.block.close, new_lines);
        }
        std::fs::write(repo().join(page), lines.concat())
            .unwrap_or_else(|e| panic!("rewriting {page}: {e}"));
    }
}

#[test]
fn examples_are_what_their_commands_print() {
    let examples = all_examples();
    assert!(
        !examples.is_empty(),
        "no marked example found in {:?}",
        pages()
    );
    let started = Instant::now();
    let results = render_all(&examples);
    let update = std::env::var_os(UPDATE_ENV).is_some_and(|v| v == "1");
    let mut failures = String::new();
    let mut stale = Vec::new();
    for (example, (result, took)) in examples.iter().zip(results) {
        let at = format!("{}:{}", example.page, example.line);
        eprintln!("docs example {at}: {:.2} s", took.as_secs_f64());
        match result {
            Err(e) => writeln!(failures, "{at}: the example's commands failed: {e}\n").unwrap(),
            Ok(actual) if actual == example.block.body => {}
            Ok(actual) => {
                if actual.lines().any(|l| fence_open(l).is_some()) {
                    writeln!(
                        failures,
                        "{at}: the output holds a line that would end the code block\n"
                    )
                    .unwrap();
                } else if update {
                    stale.push((example, actual));
                } else {
                    writeln!(
                        failures,
                        "{at}: the example's block differs from what its commands print now\n\
                         (- as written in the page, + as printed now):\n{}",
                        diff(&example.block.body, &actual)
                    )
                    .unwrap();
                    stale.push((example, actual));
                }
            }
        }
    }
    eprintln!(
        "{} docs examples in {:.2} s",
        examples.len(),
        started.elapsed().as_secs_f64()
    );
    if update && !stale.is_empty() {
        rewrite(&stale);
        for (example, _) in &stale {
            eprintln!("updated {}:{}", example.page, example.line);
        }
    }
    if !failures.is_empty() {
        let hint = if stale.is_empty() || update {
            String::new()
        } else {
            format!(
                "If the new output is right, rewrite the blocks in place with\n    {UPDATE_HINT}\nand review the change with `git diff`.\n"
            )
        };
        panic!("{failures}{hint}");
    }
}

// ------------------------------------------------------------------------------------------
// Links
// ------------------------------------------------------------------------------------------

/// The repository's files (tracked, or new and not ignored), relative, with `/` separators.
fn repository_files() -> BTreeSet<String> {
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(repo())
        .output();
    if let Ok(out) = listed
        && out.status.success()
    {
        return out
            .stdout
            .split(|&b| b == 0)
            .filter(|name| !name.is_empty())
            .map(|name| String::from_utf8_lossy(name).into_owned())
            .filter(|name| repo().join(name).exists())
            .collect();
    }
    // Not a git checkout: every file outside target/ and .git/.
    fn walk(dir: &Path, prefix: &str, files: &mut BTreeSet<String>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{prefix}{name}");
            if rel == "target" || rel == ".git" {
                continue;
            }
            if entry.path().is_dir() {
                walk(&entry.path(), &format!("{rel}/"), files);
            } else {
                files.insert(rel);
            }
        }
    }
    let mut files = BTreeSet::new();
    walk(repo(), "", &mut files);
    files
}

/// `line` without its inline code spans.
fn without_code_spans(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].chars().take_while(|&c| c == '`').count();
        let after = &rest[start + ticks..];
        let fence = "`".repeat(ticks);
        match after.find(&fence) {
            Some(end) => rest = &after[end + ticks..],
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The link targets of a page, with their 1-based line: inline links and images, reference
/// definitions and HTML `href`/`src`, outside code.
fn links_of(text: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut links = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if fence_open(lines[i]).is_some() {
            i = block_at(&lines, i).map_or(lines.len(), |b| b.close + 1);
            continue;
        }
        let line = without_code_spans(lines[i]);
        let mut rest = line.as_str();
        while let Some(k) = rest.find("](") {
            let after = &rest[k + 2..];
            let mut depth = 0;
            let end = after
                .char_indices()
                .find(|&(_, c)| match c {
                    '(' => {
                        depth += 1;
                        false
                    }
                    ')' if depth == 0 => true,
                    ')' => {
                        depth -= 1;
                        false
                    }
                    _ => false,
                })
                .map_or(after.len(), |(e, _)| e);
            let target = after[..end].split_whitespace().next().unwrap_or("");
            let target = target.trim_start_matches('<').trim_end_matches('>');
            links.push((i + 1, target.to_string()));
            rest = &after[end..];
        }
        let t = line.trim_start();
        if let Some(label) = t.strip_prefix('[')
            && let Some(close) = label.find(']')
            && let Some(target) = label[close + 1..].strip_prefix(':')
        {
            let target = target.split_whitespace().next().unwrap_or("");
            links.push((i + 1, target.to_string()));
        }
        for attr in ["href=\"", "src=\""] {
            let mut rest = line.as_str();
            while let Some(k) = rest.find(attr) {
                let after = &rest[k + attr.len()..];
                let end = after.find('"').unwrap_or(after.len());
                links.push((i + 1, after[..end].to_string()));
                rest = &after[end..];
            }
        }
        i += 1;
    }
    links
}

/// GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces to hyphens,
/// `-1`, `-2`, … for repeats.
fn anchors_of(text: &str) -> BTreeSet<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut anchors = BTreeSet::new();
    let mut i = 0;
    while i < lines.len() {
        if fence_open(lines[i]).is_some() {
            i = block_at(&lines, i).map_or(lines.len(), |b| b.close + 1);
            continue;
        }
        let t = lines[i].trim_end();
        if let Some(title) = t.strip_prefix('#') {
            let title = title.trim_start_matches('#');
            if title.starts_with(' ') {
                let slug: String = title
                    .trim()
                    .to_lowercase()
                    .chars()
                    .filter_map(|c| match c {
                        ' ' => Some('-'),
                        c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
                        _ => None,
                    })
                    .collect();
                let n = seen.entry(slug.clone()).or_insert(0);
                anchors.insert(if *n == 0 {
                    slug.clone()
                } else {
                    format!("{slug}-{n}")
                });
                *n += 1;
            }
        }
        i += 1;
    }
    anchors
}

/// `base/target` with `.` and `..` resolved; None if it leaves the repository.
fn resolve(base: &Path, target: &str) -> Option<String> {
    let mut parts: Vec<String> = base
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p.to_string()),
        }
    }
    Some(parts.join("/"))
}

#[test]
fn relative_links_point_to_files_of_the_repository() {
    let files = repository_files();
    let dirs: BTreeSet<String> = files
        .iter()
        .flat_map(|f| {
            let mut prefixes = Vec::new();
            let mut p = f.as_str();
            while let Some(k) = p.rfind('/') {
                p = &p[..k];
                prefixes.push(p.to_string());
            }
            prefixes
        })
        .collect();
    let mut problems = Vec::new();
    let mut checked = 0;
    for page in pages() {
        let text = read_page(&page);
        for (n, line) in text.lines().enumerate() {
            if line.contains("SPEC") {
                problems.push(format!(
                    "{page}:{}: cites the product specification, which is not in the repository; \
                     say \"the model\" or link the page that describes it",
                    n + 1
                ));
            }
        }
        let base = Path::new(&page).parent().unwrap_or(Path::new(""));
        for (line, target) in links_of(&text) {
            if target.is_empty() {
                problems.push(format!("{page}:{line}: empty link"));
                continue;
            }
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            checked += 1;
            let (path, anchor) = match target.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (target.as_str(), None),
            };
            let resolved = if path.is_empty() {
                Some(page.clone())
            } else if path.starts_with('/') {
                None
            } else {
                resolve(base, path.split('?').next().unwrap_or(path))
            };
            let Some(resolved) = resolved else {
                problems.push(format!(
                    "{page}:{line}: `{target}` is not a relative path inside the repository"
                ));
                continue;
            };
            let resolved = resolved.trim_end_matches('/').to_string();
            let exists = files.contains(&resolved) || dirs.contains(&resolved);
            if !exists {
                if !PENDING_FILES.contains(&resolved.as_str()) {
                    problems.push(format!(
                        "{page}:{line}: `{target}`: no such file in the repository ({resolved})"
                    ));
                }
                continue;
            }
            if let Some(anchor) = anchor
                && resolved.ends_with(".md")
                && files.contains(&resolved)
            {
                let anchors = anchors_of(&read_page(&resolved));
                if !anchors.contains(anchor) {
                    problems.push(format!(
                        "{page}:{line}: `{target}`: {resolved} has no heading with the anchor #{anchor}"
                    ));
                }
            }
        }
    }
    assert!(checked > 0, "no relative link found in {:?}", pages());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_checker_parses_its_own_syntax() {
    let page = "<!-- example-input: a.toml -->\n```toml\nx = 1\n```\n\n<!-- example\nshow: stderr\nexit: 2\n-->\n```text\n$ pimsim check a.toml \\\n    --x\nerr\n```\n";
    let examples = examples_of("t.md", page).unwrap();
    assert_eq!(examples.len(), 1);
    let e = &examples[0];
    assert_eq!(
        e.inputs,
        vec![("a.toml".to_string(), "x = 1\n".to_string())]
    );
    assert!(matches!(e.options.show, Show::Stderr));
    assert_eq!(e.options.exit, 2);
    let commands = transcript_commands(&e.block.body);
    assert_eq!(commands.len(), 1);
    assert_eq!(commands[0].command, "pimsim check a.toml      --x");
    assert_eq!(
        words(&commands[0].command).unwrap(),
        ["pimsim", "check", "a.toml", "--x"]
    );
    assert_eq!(
        words("pimsim a 'b c' \"d\"").unwrap(),
        ["pimsim", "a", "b c", "d"]
    );
    assert!(words("pimsim run x > y").is_err());
    let ranges = parse_ranges("2-3,5-").unwrap();
    assert_eq!(
        excerpt("1\n2\n3\n4\n5\n6\n", &ranges).unwrap(),
        "… (1 line)\n2\n3\n… (1 line)\n5\n6\n"
    );
    assert_eq!(
        excerpt("1\n2\n3\n", &parse_ranges("1-1").unwrap()).unwrap(),
        "1\n… (2 lines)\n"
    );
    assert!(parse_ranges("3-2").is_err());
    let anchors = anchors_of("# A b\n## `run --shard` K/N\n# A b\n```\n# not\n```\n");
    assert!(anchors.contains("a-b") && anchors.contains("a-b-1"));
    assert!(anchors.contains("run---shard-kn"));
    assert!(!anchors.contains("not"));
    let links = links_of("[x](docs/a.md#b) `[y](no)` [z]: c.md\n<a href=\"d.html\">\n");
    let targets: Vec<&str> = links.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(targets, ["docs/a.md#b", "d.html"]);
    assert_eq!(
        resolve(Path::new("docs"), "../README.md").unwrap(),
        "README.md"
    );
    assert!(diff("a\nb\nc\n", "a\nx\nc\n").contains("- b\n+ x\n"));
}
