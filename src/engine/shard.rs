//! Shards: a run cut into slices of path blocks that run anywhere (a Slurm job array, a
//! Kubernetes Indexed Job, several shells) and merge into exactly the results of one run.
//!
//! Shard `k` of `n` simulates the blocks `⌊B·k/n⌋ .. ⌊B·(k+1)/n⌋` of the run's `B` blocks of
//! [`BLOCK_PATHS`] paths and keeps its exact totals in a [`PartialRun`]. Every accumulator of
//! the engine merges exactly (integer counts, exact floating-point sums of per-block values,
//! path-indexed samples), so [`merge`] gives the same bits as a single run for any `n`. A
//! partial carries the scenario's text, the seed, the path count, `n` and `k`, the pimsim
//! version and a fingerprint of all of them, so that parts of different runs are never mixed.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::{
    BLOCK_PATHS, Cancelled, RunSettings, RunSummary, Totals, block_count, demand_sample_paths,
    horizon_years, simulate, summary,
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

/// Fingerprint of a sharded run: FNV-1a (64 bits) over the version, scenario text, seed, paths,
/// block size and shard count. It detects mixing parts of different runs; it is not a
/// cryptographic signature.
pub fn fingerprint(scenario_text: &str, seed: u64, paths: u64, shards: u64) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    feed(env!("CARGO_PKG_VERSION").as_bytes());
    feed(&[0]);
    feed(scenario_text.as_bytes());
    feed(&[0]);
    for x in [seed, paths, BLOCK_PATHS, shards] {
        feed(&x.to_le_bytes());
    }
    format!("{hash:016x}")
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
    /// A partial of another run (scenario, seed, paths, version or shard count differ).
    #[error(
        "{file}: belongs to another run (fingerprint {found}, expected {expected} as in {first}); \
         scenario, seed, paths, shard count and pimsim version must all be the same"
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

/// Checks that `partials` (each with the file it came from) are exactly the shards of one run
/// and merges them.
pub fn merge(partials: Vec<(PathBuf, PartialRun)>) -> Result<MergedRun, MergeError> {
    let Some((first_file, first)) = partials.first().cloned() else {
        return Err(MergeError::Empty);
    };
    let mut by_index: BTreeMap<u64, (PathBuf, PartialRun)> = BTreeMap::new();
    for (file, part) in partials {
        if part.format != PARTIAL_FORMAT {
            return Err(MergeError::Format {
                file,
                found: part.format,
            });
        }
        let expected = fingerprint(&part.scenario_text, part.seed, part.paths, part.shard.count);
        if part.fingerprint != expected
            || part.shard.index >= part.shard.count
            || part.blocks != part.shard.blocks(block_count(part.paths))
        {
            return Err(MergeError::Inconsistent {
                file,
                reason: "its header does not match its contents (edited or truncated?)".into(),
            });
        }
        if part.fingerprint != first.fingerprint {
            return Err(MergeError::Foreign {
                file,
                found: part.fingerprint,
                expected: first.fingerprint.clone(),
                first: first_file,
            });
        }
        if let Some((other, _)) = by_index.get(&part.shard.index) {
            return Err(MergeError::Duplicate {
                index: part.shard.index,
                count: part.shard.count,
                first: other.clone(),
                second: file,
            });
        }
        by_index.insert(part.shard.index, (file, part));
    }
    let count = first.shard.count;
    let missing: Vec<u64> = (0..count).filter(|k| !by_index.contains_key(k)).collect();
    if !missing.is_empty() {
        return Err(MergeError::Missing { missing, count });
    }
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
        paths: first.paths,
        seed: first.seed,
        threads: 1,
    };
    let mut parts = by_index.into_values().map(|(_, p)| p.totals);
    let totals = parts
        .next()
        .map(|head| parts.fold(head, Totals::merge))
        .unwrap_or_default();
    let generator = DemandGenerator::new(
        &loaded.scenario.demand,
        loaded.scenario.horizon_years,
        plan.discount,
    );
    let samples = demand_sample_paths(&generator, settings, horizon_years(&plan));
    let summary = summary::summarize(&loaded.scenario, &plan, settings, &totals, samples);
    Ok(MergedRun {
        scenario: loaded,
        summary,
    })
}

/// Reads the partial results in `inputs`: files, or directories whose `partial-*.json` files
/// are taken (in name order).
pub fn read_partials(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, PartialRun)>, InputError> {
    read_partials_as(inputs)
}

/// Reads the partial results in `inputs` (see [`read_partials`]) as `T` (a run's
/// [`PartialRun`], or the partial of a portfolio).
pub fn read_partials_as<T: serde::de::DeserializeOwned>(
    inputs: &[PathBuf],
) -> Result<Vec<(PathBuf, T)>, InputError> {
    partial_files(inputs)?
        .into_iter()
        .map(|file| {
            let text = std::fs::read_to_string(&file).map_err(|e| unreadable(&file, e))?;
            let part: T = serde_json::from_str(&text).map_err(|e| InputError::Unreadable {
                path: file.clone(),
                reason: format!("not a pimsim partial result: {e}"),
            })?;
            Ok((file, part))
        })
        .collect()
}

/// The `kind` of each partial result in `inputs` (files, or directories of
/// `partial-*.json`): `"run"` for a run's partial (which has no `kind`), else the file's
/// `kind` field (`"portfolio"`, `"sweep"`). Commands that merge look at it to dispatch.
pub fn partial_kinds(inputs: &[PathBuf]) -> Result<Vec<(PathBuf, String)>, InputError> {
    #[derive(Deserialize)]
    struct Peek {
        #[serde(default)]
        kind: Option<String>,
    }
    let peeked: Vec<(PathBuf, Peek)> = read_partials_as(inputs)?;
    Ok(peeked
        .into_iter()
        .map(|(f, p)| (f, p.kind.unwrap_or_else(|| "run".into())))
        .collect())
}

/// The partial-result files of `inputs`: files as given, directories expanded to their
/// `partial-*.json` files (in name order).
pub fn partial_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, InputError> {
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
