//! Portfolio shards: shard `k` of `n` simulates the parts `⌊P·k/n⌋ .. ⌊P·(k+1)/n⌋` of the `P`
//! parts (in the parts file's order) and writes their results as a [`PortfolioPartial`];
//! [`merge`] checks that the partials are the `n` shards of one portfolio and concatenates
//! them. A part's results depend only on the template, its row, the portfolio seed and the
//! paths (never on the shard), so the merged outputs are those of a single run, byte for byte.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::{Fingerprint, MergeError, Partial, Read, Shard, complete_set};
use crate::portfolio::{PartResult, Portfolio, PortfolioMeta};

/// One shard of a portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioPartial {
    /// The template's text.
    pub template_text: String,
    /// The parts files' text, in order.
    pub parts_texts: Vec<String>,
    /// Which shard this is.
    pub shard: Shard,
    /// The parts it covers (indices in the parts file's order).
    pub parts: Range<u64>,
    /// Number of parts of the whole portfolio.
    pub part_count: u64,
    /// Settings and names of the portfolio.
    pub meta: PortfolioMeta,
    /// The results of its parts, in order.
    pub results: Vec<PartResult>,
}

impl Partial for PortfolioPartial {
    const KIND: &'static str = "portfolio";

    fn shard(&self) -> Shard {
        self.shard
    }

    fn identity(&self, hash: &mut Fingerprint) {
        hash.feed(self.template_text.as_bytes());
        hash.number(self.parts_texts.len() as u64);
        for t in &self.parts_texts {
            hash.feed(t.as_bytes());
        }
        hash.number(self.part_count);
        // Every name and setting of the portfolio (paths, seed, fill-rate target, …).
        hash.feed(&serde_json::to_vec(&self.meta).unwrap_or_default());
    }

    fn check(&self) -> Result<(), String> {
        let meta = &self.meta;
        let header_ok = self.shard.index < self.shard.count
            && self.parts == self.shard.blocks(self.part_count)
            && self.results.len() as u64 == self.parts.end - self.parts.start;
        if !header_ok {
            return Err("its header does not match its contents (edited or truncated?)".into());
        }
        for r in &self.results {
            let shaped = r.policies.len() == meta.policies.len()
                && r.values.len() == meta.columns.len()
                && r.fit_values.len() == meta.fit_columns.len()
                && r.policies
                    .iter()
                    .zip(&meta.policies)
                    .all(|(p, (name, kind))| &p.policy == name && &p.kind == kind);
            if !shaped {
                return Err(format!(
                    "part {:?}: its results do not match the portfolio's policies and columns",
                    r.part
                ));
            }
            if let Some(path) = crate::engine::finite::first_non_finite(r) {
                return Err(format!(
                    "part {:?}: the number at `{path}` is not finite",
                    r.part
                ));
            }
        }
        Ok(())
    }
}

/// The parts of shard `shard` out of `count` parts.
pub fn shard_parts(shard: Shard, count: usize) -> Range<usize> {
    let r = shard.blocks(count as u64);
    r.start as usize..r.end as usize
}

/// The partial result of `shard`, whose parts' results are `results`.
pub fn partial(
    template_text: &str,
    parts_texts: &[String],
    meta: PortfolioMeta,
    shard: Shard,
    part_count: usize,
    results: Vec<PartResult>,
) -> PortfolioPartial {
    let r = shard_parts(shard, part_count);
    PortfolioPartial {
        template_text: template_text.to_string(),
        parts_texts: parts_texts.to_vec(),
        shard,
        parts: r.start as u64..r.end as u64,
        part_count: part_count as u64,
        meta,
        results,
    }
}

/// Checks that `partials` are exactly the shards of one portfolio and merges them into the
/// portfolio a single run would give.
pub fn merge(partials: Vec<Read<PortfolioPartial>>) -> Result<Portfolio, MergeError> {
    let mut partials = complete_set(partials)?.into_iter();
    let first = partials.next().ok_or(MergeError::Empty)?;
    let meta = first.body.meta;
    let mut parts = first.body.results;
    for p in partials {
        parts.extend(p.body.results);
    }
    Ok(Portfolio { meta, parts })
}
