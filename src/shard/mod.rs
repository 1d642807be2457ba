//! Shards: a run, a sweep or a portfolio cut into slices that run anywhere (a Slurm job array,
//! a Kubernetes Indexed Job, several shells) and merge into exactly the results of one run.
//!
//! Shard `k` of `n` takes the units `⌊U·k/n⌋ .. ⌊U·(k+1)/n⌋` of the job's `U` units ([`Shard`]):
//! the path blocks of a run ([`run`]), the runs of a sweep ([`sweep`]), the parts of a
//! portfolio ([`portfolio`]). It writes a *partial result*, `partial-KKKK-of-NNNN.json`, that
//! holds its exact totals; `pimsim merge` checks that a set of partials is complete
//! ([`complete_set`]) and combines them with the very code of a single run, so the merged
//! outputs are the same bits for any `n` and any thread count.
//!
//! **The partial format** (format [`PARTIAL_FORMAT`]) is an envelope around the kind's body:
//!
//! ```json
//! {"kind":"run","format":3,"pimsim_version":"0.1.0","fingerprint":"…","digest":"…","body":{…}}
//! ```
//!
//! - `fingerprint` identifies the job (the kind, pimsim's version, the scenario files' text,
//!   seed, paths, block size, shard count, …; [`Partial::identity`]): partials of different
//!   jobs are never mixed.
//! - `digest` is the SHA-256 of everything merge uses — the kind, the format, the version,
//!   the fingerprint and the body exactly as written — so an edited or truncated file is
//!   refused. It detects accidents and casual edits; it is not a signature (whoever can write
//!   the files can write a matching digest), which is why every body is also checked against
//!   the scenario it claims to belong to before it is used ([`Partial::check`] and the kind's
//!   own merge): lengths, counts, path indices, finiteness. A partial that fails any check is
//!   refused as bad input; it is never merged and never makes pimsim panic.
//!
//! Dependencies point one way: this module uses the engine, the portfolio and the scenario;
//! none of them knows about shards.

pub mod portfolio;
pub mod run;
pub mod sweep;

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use crate::error::InputError;

/// Version of the partial-result format; merge refuses other versions (3: run totals carry
/// the control variates' sums; 4: and the relative controls' sums).
pub const PARTIAL_FORMAT: u32 = 4;

/// Largest partial result read, in bytes (4 GiB): a sweep partial keeps the exact totals of
/// each of its runs, up to about 50 MB per run at 262,144 paths or more.
pub const MAX_PARTIAL_BYTES: u64 = 4 << 30;

/// Shard `index` of `count` (0 ≤ index < count).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which slice, from 0.
    pub index: u64,
    /// Number of slices.
    pub count: u64,
}

impl Shard {
    /// Parses `K/N` (0 ≤ K < N).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad = || format!("expected K/N with 0 ≤ K < N, e.g. 0/8 (got {text:?})");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// This shard's units out of `total` units.
    pub fn blocks(&self, total: u64) -> Range<u64> {
        let at = |k: u64| (u128::from(total) * u128::from(k) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }

    /// The file name of this shard's partial result, e.g. `partial-0003-of-0008.json`.
    pub fn file_name(&self) -> String {
        format!("partial-{:04}-of-{:04}.json", self.index, self.count)
    }
}

/// The body of one kind of partial result.
pub trait Partial: Serialize + DeserializeOwned {
    /// The `kind` written in the envelope: which command wrote it.
    const KIND: &'static str;
    /// Which shard this is.
    fn shard(&self) -> Shard;
    /// Feeds what identifies the job this shard belongs to (the same for every shard of it)
    /// into the fingerprint.
    fn identity(&self, hash: &mut Fingerprint);
    /// Whether the body is consistent with itself (the slice it covers, its counts); the
    /// reason when not. The kind's merge checks it against the scenario too.
    fn check(&self) -> Result<(), String>;
}

/// The hash behind a job's fingerprint: SHA-256 over length-prefixed fields.
pub struct Fingerprint(Sha256);

impl Fingerprint {
    /// Adds one field.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.0.update((bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
    }

    /// Adds one number.
    pub fn number(&mut self, x: u64) {
        self.feed(&x.to_le_bytes());
    }
}

/// The fingerprint of `partial`'s job, in hexadecimal: the kind, pimsim's version, the block
/// size, the shard count and the kind's [`Partial::identity`].
pub fn fingerprint<P: Partial>(partial: &P) -> String {
    let mut hash = Fingerprint(Sha256::new());
    hash.feed(P::KIND.as_bytes());
    hash.feed(env!("CARGO_PKG_VERSION").as_bytes());
    hash.number(crate::engine::BLOCK_PATHS);
    hash.number(partial.shard().count);
    partial.identity(&mut hash);
    hex(&hash.0.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 over everything merge uses: the envelope's fields and the body as written.
fn digest(kind: &str, format: u32, version: &str, fingerprint: &str, body: &str) -> String {
    let mut hash = Fingerprint(Sha256::new());
    hash.feed(b"pimsim partial result");
    hash.feed(kind.as_bytes());
    hash.number(u64::from(format));
    hash.feed(version.as_bytes());
    hash.feed(fingerprint.as_bytes());
    hash.feed(body.as_bytes());
    hex(&hash.0.finalize())
}

/// A partial result as written: the envelope, and the body as raw JSON text.
#[derive(Serialize, Deserialize)]
struct Envelope<'a> {
    kind: String,
    format: u32,
    pimsim_version: String,
    fingerprint: String,
    digest: String,
    #[serde(borrow)]
    body: &'a RawValue,
}

/// The file content of `partial`: its envelope with fingerprint and digest.
pub fn encode<P: Partial>(partial: &P) -> Result<Vec<u8>, serde_json::Error> {
    let body = serde_json::to_string(partial)?;
    let fingerprint = fingerprint(partial);
    let version = env!("CARGO_PKG_VERSION");
    let raw = RawValue::from_string(body)?;
    let envelope = Envelope {
        kind: P::KIND.to_string(),
        format: PARTIAL_FORMAT,
        pimsim_version: version.to_string(),
        digest: digest(P::KIND, PARTIAL_FORMAT, version, &fingerprint, raw.get()),
        fingerprint,
        body: &raw,
    };
    serde_json::to_vec(&envelope)
}

/// Reads a partial of kind `P` from `text` (the content of the file `file`), checking its
/// format, version, digest, fingerprint and self-consistency.
pub fn decode<P: Partial>(file: &Path, text: &str) -> Result<Read<P>, MergeError> {
    let inconsistent = |reason: String| MergeError::Inconsistent {
        file: file.to_path_buf(),
        reason,
    };
    let envelope: Envelope = serde_json::from_str(text)
        .map_err(|e| inconsistent(format!("not a pimsim partial result: {e}")))?;
    if envelope.format != PARTIAL_FORMAT {
        return Err(MergeError::Format {
            file: file.to_path_buf(),
            kind: P::KIND,
            found: envelope.format,
        });
    }
    let expected = digest(
        &envelope.kind,
        envelope.format,
        &envelope.pimsim_version,
        &envelope.fingerprint,
        envelope.body.get(),
    );
    if envelope.digest != expected {
        return Err(inconsistent(
            "its digest does not match its contents: the file was edited or truncated".into(),
        ));
    }
    let version = env!("CARGO_PKG_VERSION");
    if envelope.pimsim_version != version {
        return Err(inconsistent(format!(
            "written by pimsim {}; this is pimsim {version}, which merges only its own \
             partial results (run the shards again with this version)",
            envelope.pimsim_version
        )));
    }
    let body: P = serde_json::from_str(envelope.body.get())
        .map_err(|e| inconsistent(format!("its contents do not match its header: {e}")))?;
    if fingerprint(&body) != envelope.fingerprint {
        return Err(inconsistent(
            "its header does not match its contents (edited or truncated?)".into(),
        ));
    }
    body.check().map_err(inconsistent)?;
    Ok(Read {
        file: file.to_path_buf(),
        fingerprint: envelope.fingerprint,
        body,
    })
}

/// Why partial results cannot be merged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// No partial results were given.
    #[error("no partial results found (files named partial-KKKK-of-NNNN.json)")]
    Empty,
    /// A partial of another format version.
    #[error(
        "{file}: partial-result format {found}, this pimsim reads format {PARTIAL_FORMAT} of \
         `pimsim {kind} --shard` partials"
    )]
    Format {
        /// The file.
        file: PathBuf,
        /// The kind of partial.
        kind: &'static str,
        /// Its format.
        found: u32,
    },
    /// A partial of another job (scenario, seed, paths, version or shard count differ).
    #[error(
        "{file}: belongs to another run, sweep or portfolio (fingerprint {found}, expected \
         {expected} as in {first}); scenario files, seed, paths, shard count and pimsim version \
         must all be the same (a directory holding the partials of an earlier job too? remove \
         those)"
    )]
    Foreign {
        /// The foreign file.
        file: PathBuf,
        /// Its fingerprint.
        found: String,
        /// The fingerprint of the first file.
        expected: String,
        /// The first file.
        first: PathBuf,
    },
    /// The same shard twice.
    #[error("shard {index} of {count} is given twice: {first} and {second}")]
    Duplicate {
        /// Shard index.
        index: u64,
        /// Shard count.
        count: u64,
        /// One file.
        first: PathBuf,
        /// The other.
        second: PathBuf,
    },
    /// Shards missing.
    #[error("missing shards {missing:?} of {count} (shards are numbered from 0)")]
    Missing {
        /// The missing indices.
        missing: Vec<u64>,
        /// Shard count.
        count: u64,
    },
    /// A partial whose contents are not what they claim to be.
    #[error("{file}: {reason}")]
    Inconsistent {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl From<MergeError> for InputError {
    fn from(e: MergeError) -> Self {
        InputError::Mismatch(format!("cannot merge: {e}"))
    }
}

/// One read partial: the file it came from, its fingerprint and its body.
#[derive(Debug, Clone)]
pub struct Read<P> {
    /// The file.
    pub file: PathBuf,
    /// Its job's fingerprint.
    pub fingerprint: String,
    /// Its body.
    pub body: P,
}

/// Checks that `partials` are exactly the shards of one job: the same fingerprint, every
/// shard present exactly once. Returns them in shard order.
pub fn complete_set<P: Partial>(partials: Vec<Read<P>>) -> Result<Vec<Read<P>>, MergeError> {
    let Some(first) = partials.first() else {
        return Err(MergeError::Empty);
    };
    let (first_file, first_fingerprint) = (first.file.clone(), first.fingerprint.clone());
    let count = first.body.shard().count;
    let mut by_index: BTreeMap<u64, Read<P>> = BTreeMap::new();
    for part in partials {
        if part.fingerprint != first_fingerprint {
            return Err(MergeError::Foreign {
                file: part.file,
                found: part.fingerprint,
                expected: first_fingerprint,
                first: first_file,
            });
        }
        let shard = part.body.shard();
        if let Some(other) = by_index.get(&shard.index) {
            return Err(MergeError::Duplicate {
                index: shard.index,
                count: shard.count,
                first: other.file.clone(),
                second: part.file,
            });
        }
        by_index.insert(shard.index, part);
    }
    let missing: Vec<u64> = (0..count).filter(|k| !by_index.contains_key(k)).collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, count });
    }
    Ok(by_index.into_values().collect())
}

/// The partial results given to `pimsim merge`, all of one kind.
#[derive(Debug)]
pub enum Partials {
    /// Of `pimsim run --shard`.
    Run(Vec<Read<run::RunPartial>>),
    /// Of `pimsim sweep --shard` (or `run --shard` of a file with `[sweep]`).
    Sweep(Vec<Read<sweep::SweepPartial>>),
    /// Of `pimsim portfolio --shard`.
    Portfolio(Vec<Read<portfolio::PortfolioPartial>>),
}

impl Partials {
    /// Every kind, as written in the envelopes' `kind` field.
    pub const KINDS: [&'static str; 3] = [
        run::RunPartial::KIND,
        sweep::SweepPartial::KIND,
        portfolio::PortfolioPartial::KIND,
    ];

    fn empty(kind: &str) -> Option<Partials> {
        match kind {
            run::RunPartial::KIND => Some(Partials::Run(Vec::new())),
            sweep::SweepPartial::KIND => Some(Partials::Sweep(Vec::new())),
            portfolio::PortfolioPartial::KIND => Some(Partials::Portfolio(Vec::new())),
            _ => None,
        }
    }

    /// The kind of these partials (one of [`Partials::KINDS`]).
    pub fn kind(&self) -> &'static str {
        match self {
            Partials::Run(_) => run::RunPartial::KIND,
            Partials::Sweep(_) => sweep::SweepPartial::KIND,
            Partials::Portfolio(_) => portfolio::PortfolioPartial::KIND,
        }
    }

    fn push(&mut self, file: &Path, text: &str) -> Result<(), MergeError> {
        fn read<P: Partial>(
            v: &mut Vec<Read<P>>,
            file: &Path,
            text: &str,
        ) -> Result<(), MergeError> {
            v.push(decode::<P>(file, text)?);
            Ok(())
        }
        match self {
            Partials::Run(v) => read(v, file, text),
            Partials::Sweep(v) => read(v, file, text),
            Partials::Portfolio(v) => read(v, file, text),
        }
    }
}

/// The top-level `kind` of a partial result: which command wrote it.
#[derive(Deserialize)]
struct KindOnly {
    kind: Option<String>,
    format: Option<u32>,
}

/// Reads the partial results in `inputs` (files, or directories whose `partial-*.json` files
/// are taken in name order), checks each (format, version, digest, fingerprint, body) and sorts
/// them by kind. Every file must be of the first file's kind.
pub fn read_partials(inputs: &[PathBuf]) -> Result<Partials, InputError> {
    let mut out: Option<(PathBuf, Partials)> = None;
    for file in partial_files(inputs)? {
        let text = crate::input::read_text(
            &file,
            MAX_PARTIAL_BYTES,
            "a partial result is a JSON file written by pimsim run, sweep or portfolio --shard",
        )?;
        let not_partial = |reason: String| InputError::Unreadable {
            path: file.clone(),
            reason: format!("not a pimsim partial result: {reason}"),
        };
        let header =
            serde_json::from_str::<KindOnly>(&text).map_err(|e| not_partial(e.to_string()))?;
        let kind = match (header.kind, header.format) {
            (Some(kind), Some(_)) => kind,
            (None, Some(1)) | (None, None) => "run".to_string(),
            (None, Some(_)) => return Err(not_partial("it has no `kind`".into())),
            (Some(kind), None) => kind,
        };
        let Some(empty) = Partials::empty(&kind) else {
            return Err(InputError::Unreadable {
                path: file.clone(),
                reason: format!(
                    "a partial result of kind {kind:?}, which this pimsim cannot merge (it \
                     merges the kinds {:?})",
                    Partials::KINDS
                ),
            });
        };
        let (first, partials) = out.get_or_insert_with(|| (file.clone(), empty));
        if partials.kind() != kind {
            return Err(InputError::Mismatch(format!(
                "cannot merge: {} is a partial result of `pimsim {kind} --shard` but {} is one \
                 of `pimsim {} --shard`; merge the partials of one command at a time",
                file.display(),
                first.display(),
                partials.kind(),
            )));
        }
        partials.push(&file, &text)?;
    }
    out.map(|(_, p)| p).ok_or(MergeError::Empty.into())
}

/// The files of `inputs`: files as given, directories expanded to their `partial-*.json` files
/// in name order.
fn partial_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut files = Vec::new();
    for input in inputs {
        if std::fs::metadata(input).is_ok_and(|m| m.is_dir()) {
            files.extend(crate::input::files_in(input, |n| {
                n.starts_with("partial-") && n.ends_with(".json")
            })?);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_block_once() {
        for total in [0u64, 1, 5, 40, 1001] {
            for count in 1..=9 {
                let mut next = 0;
                for index in 0..count {
                    let r = Shard { index, count }.blocks(total);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn shard_spec_is_parsed_strictly() {
        assert_eq!(Shard::parse("2/7"), Ok(Shard { index: 2, count: 7 }));
        for bad in ["7/7", "1/0", "x/3", "3", "-1/4", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
