//! Shards: a run cut into slices of path blocks that run anywhere (a Slurm job array, a
//! Kubernetes Indexed Job, several shells) and merge into exactly the results of one run.
//!
//! Shard `k` of `n` simulates the blocks `⌊B·k/n⌋ .. ⌊B·(k+1)/n⌋` of the run's `B` blocks of
//! [`BLOCK_PATHS`] paths and keeps its exact totals in a [`PartialRun`]. Every accumulator of
//! the engine merges exactly (integer counts, exact floating-point sums of per-block values,
//! path-indexed samples), so [`merge`] gives the same bits as a single run for any `n`. A
//! partial carries the scenario's text, the seed, the path count, `n` and `k`, the pimsim
//! version and a fingerprint of all of them, so that parts of different runs are never mixed.
//!
//! The checks that a set of partials is complete ([`complete_set`], via the [`Partial`] trait)
//! and the reading of partial files ([`read_partials`], which sorts them by their top-level
//! `kind`) serve every kind of partial: those of runs here, those of sweeps in
//! [`super::sweep_shard`].

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::sweep_shard::PartialSweep;
use super::{
    BLOCK_PATHS, Cancelled, RunSettings, RunSummary, Totals, block_count, simulate, summarize_run,
};
use crate::demand::DemandGenerator;
use crate::error::InputError;
use crate::inventory::Plan;
use crate::scenario::{LoadedScenario, Scenario};

/// Version of the partial-result format; merge refuses other versions.
pub const PARTIAL_FORMAT: u32 = 1;

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

    /// The blocks of this shard, out of `total` blocks.
    pub fn blocks(&self, total: u64) -> Range<u64> {
        let at = |k: u64| (u128::from(total) * u128::from(k) / u128::from(self.count)) as u64;
        at(self.index)..at(self.index + 1)
    }

    /// The file name of this shard's partial result, e.g. `partial-0003-of-0008.json`.
    pub fn file_name(&self) -> String {
        format!("partial-{:04}-of-{:04}.json", self.index, self.count)
    }
}

/// One shard's exact totals and everything needed to check and merge it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialRun {
    /// [`PARTIAL_FORMAT`].
    pub format: u32,
    /// The pimsim version that wrote it.
    pub pimsim_version: String,
    /// Fingerprint of (version, scenario text, seed, paths, shard count) in hexadecimal.
    pub fingerprint: String,
    /// The scenario file's name, for messages.
    pub scenario_file: PathBuf,
    /// The scenario file's text, re-read by merge.
    pub scenario_text: String,
    /// Seed of the run.
    pub seed: u64,
    /// Paths of the whole run.
    pub paths: u64,
    /// Which shard this is.
    pub shard: Shard,
    /// The path blocks it covers.
    pub blocks: Range<u64>,
    /// The exact totals of those blocks.
    totals: Totals,
}

/// FNV-1a (64 bits): the hash behind the fingerprints of partial results. It detects mixing
/// parts of different runs; it is not a cryptographic signature.
#[derive(Debug, Clone, Copy)]
pub(super) struct Fnv(u64);

impl Fnv {
    pub(super) fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    pub(super) fn feed(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub(super) fn hex(&self) -> String {
        format!("{:016x}", self.0)
    }
}

/// Fingerprint of a sharded run: FNV-1a (64 bits) over the version, scenario text, seed, paths,
/// block size and shard count.
pub fn fingerprint(scenario_text: &str, seed: u64, paths: u64, shards: u64) -> String {
    let mut hash = Fnv::new();
    hash.feed(env!("CARGO_PKG_VERSION").as_bytes());
    hash.feed(&[0]);
    hash.feed(scenario_text.as_bytes());
    hash.feed(&[0]);
    for x in [seed, paths, BLOCK_PATHS, shards] {
        hash.feed(&x.to_le_bytes());
    }
    hash.hex()
}

/// Runs shard `shard` of the run of `settings.paths` paths of `loaded` (whose file text is
/// `scenario_text`), stopping early with [`Cancelled`] when `cancel` becomes true (see
/// [`super::run_cancellable`]).
pub fn run_shard(
    loaded: &LoadedScenario,
    scenario_text: &str,
    plan: &Plan,
    settings: RunSettings,
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<PartialRun, Cancelled> {
    let scenario = &loaded.scenario;
    let generator = DemandGenerator::new(&scenario.demand, scenario.horizon_years, plan.discount);
    let blocks = shard.blocks(block_count(settings.paths));
    let totals = simulate(plan, &generator, settings, blocks.clone(), progress, cancel);
    if cancel.load(Ordering::Relaxed) {
        return Err(Cancelled);
    }
    Ok(PartialRun {
        format: PARTIAL_FORMAT,
        pimsim_version: env!("CARGO_PKG_VERSION").to_string(),
        fingerprint: fingerprint(scenario_text, settings.seed, settings.paths, shard.count),
        scenario_file: loaded.path.clone(),
        scenario_text: scenario_text.to_string(),
        seed: settings.seed,
        paths: settings.paths,
        shard,
        blocks,
        totals,
    })
}

/// Why partial results cannot be merged.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MergeError {
    /// No partial results were given.
    #[error("no partial results found (files named partial-KKKK-of-NNNN.json)")]
    Empty,
    /// A partial of another format version.
    #[error("{file}: partial-result format {found}, this pimsim reads format {PARTIAL_FORMAT}")]
    Format {
        /// The file.
        file: PathBuf,
        /// Its format.
        found: u32,
    },
    /// A partial of another run or sweep (scenario, seed, paths, version or shard count differ).
    #[error(
        "{file}: belongs to another run or sweep (fingerprint {found}, expected {expected} as in \
         {first}); scenario files, seed, paths, shard count and pimsim version must all be the same"
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
    /// A partial whose contents contradict its header.
    #[error("{file}: {reason}")]
    Inconsistent {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

/// A merged run: the scenario it was run on and its summary, as from a single run.
#[derive(Debug, Clone)]
pub struct MergedRun {
    /// The scenario, re-read from the partials' text.
    pub scenario: LoadedScenario,
    /// The summary, bit-identical to a single run's.
    pub summary: RunSummary,
}

/// What [`complete_set`] needs to know of a partial result of any kind.
pub trait Partial {
    /// Its format version.
    fn format(&self) -> u32;
    /// Its fingerprint as written.
    fn fingerprint(&self) -> &str;
    /// Which shard it is.
    fn shard(&self) -> Shard;
    /// Whether its contents match its header (fingerprint recomputed, the slice it covers);
    /// the reason when not.
    fn check(&self) -> Result<(), String>;
}

/// Checks that `partials` (each with the file it came from) are exactly the shards of one run:
/// the same format and fingerprint, each consistent, every shard present exactly once. Returns
/// them in shard order.
pub fn complete_set<P: Partial>(
    partials: Vec<(PathBuf, P)>,
) -> Result<Vec<(PathBuf, P)>, MergeError> {
    let Some((first_file, first_fingerprint, count)) = partials
        .first()
        .map(|(f, p)| (f.clone(), p.fingerprint().to_string(), p.shard().count))
    else {
        return Err(MergeError::Empty);
    };
    let mut by_index: BTreeMap<u64, (PathBuf, P)> = BTreeMap::new();
    for (file, part) in partials {
        if part.format() != PARTIAL_FORMAT {
            return Err(MergeError::Format {
                file,
                found: part.format(),
            });
        }
        let shard = part.shard();
        if shard.index >= shard.count {
            return Err(MergeError::Inconsistent {
                file,
                reason: "its header does not match its contents (edited or truncated?)".into(),
            });
        }
        if let Err(reason) = part.check() {
            return Err(MergeError::Inconsistent { file, reason });
        }
        if part.fingerprint() != first_fingerprint {
            return Err(MergeError::Foreign {
                file,
                found: part.fingerprint().to_string(),
                expected: first_fingerprint,
                first: first_file,
            });
        }
        if let Some((other, _)) = by_index.get(&shard.index) {
            return Err(MergeError::Duplicate {
                index: shard.index,
                count: shard.count,
                first: other.clone(),
                second: file,
            });
        }
        by_index.insert(shard.index, (file, part));
    }
    let missing: Vec<u64> = (0..count).filter(|k| !by_index.contains_key(k)).collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, count });
    }
    Ok(by_index.into_values().collect())
}

impl Partial for PartialRun {
    fn format(&self) -> u32 {
        self.format
    }

    fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    fn shard(&self) -> Shard {
        self.shard
    }

    fn check(&self) -> Result<(), String> {
        let expected = fingerprint(&self.scenario_text, self.seed, self.paths, self.shard.count);
        if self.fingerprint != expected || self.blocks != self.shard.blocks(block_count(self.paths))
        {
            return Err("its header does not match its contents (edited or truncated?)".into());
        }
        Ok(())
    }
}

/// Checks that `partials` (each with the file it came from) are exactly the shards of one run
/// and merges them.
pub fn merge(partials: Vec<(PathBuf, PartialRun)>) -> Result<MergedRun, MergeError> {
    let partials = complete_set(partials)?;
    let first_file = partials[0].0.clone();
    let first = &partials[0].1;
    let (seed, paths) = (first.seed, first.paths);
    let loaded = Scenario::from_toml(&first.scenario_file, &first.scenario_text).map_err(|e| {
        MergeError::Inconsistent {
            file: first_file.clone(),
            reason: format!("its scenario no longer validates: {e}"),
        }
    })?;
    let plan = Plan::new(&loaded.scenario).map_err(|(i, e)| MergeError::Inconsistent {
        file: first_file.clone(),
        reason: format!("policy[{i}]: {e}"),
    })?;
    let settings = RunSettings {
        paths,
        seed,
        threads: 1,
    };
    let mut parts = partials.into_iter().map(|(_, p)| p.totals);
    let totals = parts
        .next()
        .map(|head| parts.fold(head, Totals::merge))
        .unwrap_or_default();
    let summary = summarize_run(&loaded.scenario, &plan, settings, &totals);
    Ok(MergedRun {
        scenario: loaded,
        summary,
    })
}

/// The partial results given to `pimsim merge`, all of one kind.
#[derive(Debug)]
pub enum Partials {
    /// Of `pimsim run --shard` (no `kind` field, or `"kind": "run"`).
    Run(Vec<(PathBuf, PartialRun)>),
    /// Of `pimsim sweep --shard` (`"kind": "sweep"`).
    Sweep(Vec<(PathBuf, PartialSweep)>),
    /// Of `pimsim portfolio --shard` (`"kind": "portfolio"`).
    Portfolio(Vec<(PathBuf, crate::portfolio::shard::PortfolioPartial)>),
}

impl Partials {
    /// Every kind, as written in the partials' top-level `kind` field.
    pub const KINDS: &[&str] = &["run", "sweep", crate::portfolio::shard::KIND];

    /// No partials yet of `kind` (`None`: a kind this pimsim does not know).
    fn empty(kind: &str) -> Option<Partials> {
        match kind {
            "run" => Some(Partials::Run(Vec::new())),
            "sweep" => Some(Partials::Sweep(Vec::new())),
            crate::portfolio::shard::KIND => Some(Partials::Portfolio(Vec::new())),
            _ => None,
        }
    }

    /// The `kind` of these partials (one of [`Partials::KINDS`]).
    pub fn kind(&self) -> &'static str {
        match self {
            Partials::Run(_) => "run",
            Partials::Sweep(_) => "sweep",
            Partials::Portfolio(_) => crate::portfolio::shard::KIND,
        }
    }

    /// Parses `text` as a partial of this kind and adds it.
    fn push(&mut self, file: PathBuf, text: &str) -> Result<(), serde_json::Error> {
        match self {
            Partials::Run(v) => v.push((file, serde_json::from_str(text)?)),
            Partials::Sweep(v) => v.push((file, serde_json::from_str(text)?)),
            Partials::Portfolio(v) => v.push((file, serde_json::from_str(text)?)),
        }
        Ok(())
    }
}

/// The top-level `kind` of a partial result: which command wrote it.
#[derive(Deserialize)]
struct KindOnly {
    #[serde(default)]
    kind: Option<String>,
}

/// Reads the partial results in `inputs` (files, or directories whose `partial-*.json` files
/// are taken in name order) and sorts them by their top-level `kind`: absent or `"run"` for
/// `run --shard`, `"sweep"` for `sweep --shard`. Every file must be of the first file's kind.
pub fn read_partials(inputs: &[PathBuf]) -> Result<Partials, InputError> {
    let mut out: Option<(PathBuf, Partials)> = None;
    for file in partial_files(inputs)? {
        let text = std::fs::read_to_string(&file).map_err(|e| unreadable(&file, e))?;
        let not_partial = |e: serde_json::Error| InputError::Unreadable {
            path: file.clone(),
            reason: format!("not a pimsim partial result: {e}"),
        };
        let kind = serde_json::from_str::<KindOnly>(&text)
            .map_err(not_partial)?
            .kind
            .unwrap_or_else(|| "run".into());
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
        partials.push(file.clone(), &text).map_err(not_partial)?;
    }
    Ok(out.map_or(Partials::Run(Vec::new()), |(_, p)| p))
}

/// The files of `inputs`: files as given, directories expanded to their `partial-*.json` files
/// in name order.
fn partial_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let entries = std::fs::read_dir(input).map_err(|e| unreadable(input, e))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| is_partial_name(p))
                .collect();
            found.sort();
            files.extend(found);
        } else {
            files.push(input.clone());
        }
    }
    Ok(files)
}

fn is_partial_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("partial-") && n.ends_with(".json"))
}

fn unreadable(path: &Path, e: std::io::Error) -> InputError {
    InputError::Unreadable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
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
