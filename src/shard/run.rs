//! Run shards: shard `k` of `n` simulates the path blocks `⌊B·k/n⌋ .. ⌊B·(k+1)/n⌋` of the run's
//! `B` blocks of [`crate::engine::BLOCK_PATHS`] paths and keeps their exact totals; [`merge`] adds the totals
//! of all shards and summarises them with the code of a single run.

use std::ops::Range;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::{Fingerprint, MergeError, Partial, Read, Shard, complete_set};
use crate::engine::{
    self, Cancelled, RunSettings, RunSummary, Totals, block_count, simulate_blocks,
};
use crate::inventory::Plan;
use crate::scenario::{LoadedScenario, Scenario};

/// One shard of a run: its exact totals and what merge needs to check and summarise them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunPartial {
    /// The scenario file's name (without directories): for messages and the merged output's
    /// default directory.
    pub scenario_file: String,
    /// The scenario file's text, validated again by merge.
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
    pub totals: Totals,
}

impl Partial for RunPartial {
    const KIND: &'static str = "run";

    fn shard(&self) -> Shard {
        self.shard
    }

    fn identity(&self, hash: &mut Fingerprint) {
        hash.feed(self.scenario_file.as_bytes());
        hash.feed(self.scenario_text.as_bytes());
        hash.number(self.seed);
        hash.number(self.paths);
    }

    fn check(&self) -> Result<(), String> {
        if self.shard.index >= self.shard.count
            || self.blocks != self.shard.blocks(block_count(self.paths))
        {
            return Err("its header does not match its contents (edited or truncated?)".into());
        }
        Ok(())
    }
}

/// The file name recorded in a partial: the name of `path` without its directories.
pub fn file_name(path: &std::path::Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario.toml".into())
}

/// Simulates shard `shard` of the run of `settings.paths` paths of `loaded` (whose file text
/// is `scenario_text`, and whose `plan` has every retained level resolved).
pub fn run_shard(
    loaded: &LoadedScenario,
    scenario_text: &str,
    plan: &Plan,
    settings: RunSettings,
    shard: Shard,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<RunPartial, Cancelled> {
    let blocks = shard.blocks(block_count(settings.paths));
    let totals = simulate_blocks(
        &loaded.scenario,
        plan,
        settings,
        blocks.clone(),
        progress,
        cancel,
    )?;
    Ok(RunPartial {
        scenario_file: file_name(&loaded.path),
        scenario_text: scenario_text.to_string(),
        seed: settings.seed,
        paths: settings.paths,
        shard,
        blocks,
        totals,
    })
}

/// A merged run: the scenario it was run on and its summary, as from a single run.
#[derive(Debug, Clone)]
pub struct MergedRun {
    /// The scenario, validated again from the partials' text.
    pub scenario: LoadedScenario,
    /// The summary, bit-identical to a single run's.
    pub summary: RunSummary,
}

/// Checks that `partials` are exactly the shards of one run, checks each one's totals against
/// the scenario, and merges them.
pub fn merge(partials: Vec<Read<RunPartial>>) -> Result<MergedRun, MergeError> {
    let partials = complete_set(partials)?;
    let first = &partials[0];
    let inconsistent = |file: &PathBuf, reason: String| MergeError::Inconsistent {
        file: file.clone(),
        reason,
    };
    let head = &first.body;
    let loaded = Scenario::from_toml(head.scenario_file.as_ref(), &head.scenario_text)
        .map_err(|e| inconsistent(&first.file, format!("its scenario does not validate: {e}")))?;
    let plan = Plan::new(&loaded.scenario)
        .map_err(|(i, e)| inconsistent(&first.file, format!("policy[{i}]: {e}")))?;
    if head.paths > loaded.scenario.max_paths() || head.paths == 0 {
        return Err(inconsistent(
            &first.file,
            "its path count is not one pimsim runs for this scenario".into(),
        ));
    }
    let settings = RunSettings {
        paths: head.paths,
        seed: head.seed,
        threads: 1,
    };
    for part in &partials {
        engine::check_totals(
            &loaded.scenario,
            &plan,
            settings,
            part.body.blocks.clone(),
            &part.body.totals,
        )
        .map_err(|reason| inconsistent(&part.file, reason))?;
    }
    let mut merged: Option<Totals> = None;
    for part in partials {
        merged = Some(match merged {
            None => part.body.totals,
            Some(sum) => sum.merge(part.body.totals).map_err(|e| {
                inconsistent(&part.file, format!("its totals cannot be added: {e}"))
            })?,
        });
    }
    let totals = merged.unwrap_or_default();
    let summary = engine::summarize_run(&loaded.scenario, &plan, settings, &totals);
    Ok(MergedRun {
        scenario: loaded,
        summary,
    })
}
