//! `merge`: the partial results of `run`, `sweep` or `portfolio --shard K/N` combined into the
//! results of the whole job, bit-identical to running it on one machine.

use std::path::PathBuf;

use crate::error::Error;
use crate::portfolio::Portfolio;
use crate::shard::run::MergedRun;
use crate::shard::{self, Partials};
use crate::sweep::run::SweepRun;

/// A merged job, of the kind its partials were.
#[derive(Debug, Clone)]
pub enum Merged {
    /// The shards of `pimsim run`.
    Run(Box<MergedRun>),
    /// The shards of `pimsim sweep` (or of `run` of a file with `[sweep]`): one run per file.
    Sweep(Vec<SweepRun>),
    /// The shards of `pimsim portfolio`.
    Portfolio(Portfolio),
}

impl Merged {
    /// The kind of job: `run`, `sweep` or `portfolio`.
    pub fn kind(&self) -> &'static str {
        match self {
            Merged::Run(_) => "run",
            Merged::Sweep(_) => "sweep",
            Merged::Portfolio(_) => "portfolio",
        }
    }
}

/// Reads the partial results in `inputs` (files, or directories whose `partial-*.json` files
/// are taken), checks that they are every shard of one job, each intact and consistent with
/// its scenario, and merges them. Returns the merged job and the number of shards.
pub fn merge(inputs: &[PathBuf]) -> Result<(Merged, usize), Error> {
    let partials = shard::read_partials(inputs)?;
    let merged = match partials {
        Partials::Run(p) => {
            let n = p.len();
            (
                Merged::Run(Box::new(
                    shard::run::merge(p).map_err(crate::error::InputError::from)?,
                )),
                n,
            )
        }
        Partials::Sweep(p) => {
            let n = p.len();
            (
                Merged::Sweep(shard::sweep::merge(p).map_err(crate::error::InputError::from)?),
                n,
            )
        }
        Partials::Portfolio(p) => {
            let n = p.len();
            let portfolio = shard::portfolio::merge(p).map_err(crate::error::InputError::from)?;
            (Merged::Portfolio(portfolio), n)
        }
    };
    Ok(merged)
}
