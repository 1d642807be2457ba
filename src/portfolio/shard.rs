//! Portfolio shards: shard `k` of `n` simulates the parts `⌊P·k/n⌋ .. ⌊P·(k+1)/n⌋` of the `P`
//! parts (in the parts file's order) and writes their results as a [`PortfolioPartial`]
//! (`"kind": "portfolio"`); [`merge`] checks that the partials are the `n` shards of one
//! portfolio and concatenates them. A part's results depend only on the template, its row,
//! the portfolio seed and the paths (never on the shard), so the merged outputs are those of
//! a single run, byte for byte.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{PartResult, Portfolio, PortfolioMeta};
use crate::engine::shard::{MergeError, Shard};

/// The `kind` of a portfolio partial.
pub const KIND: &str = "portfolio";

/// Version of the portfolio partial format; merge refuses other versions.
pub const FORMAT: u32 = 1;

/// One shard of a portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioPartial {
    /// Always [`KIND`].
    pub kind: String,
    /// [`FORMAT`].
    pub format: u32,
    /// The pimsim version that wrote it.
    pub pimsim_version: String,
    /// Fingerprint of (version, template text, parts files' text, seed, paths, fill-rate
    /// target, shard count).
    pub fingerprint: String,
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

/// Fingerprint of a sharded portfolio: FNV-1a (64 bits) over the version, the template text,
/// the parts files' text, seed, paths, fill-rate target and shard count. It detects mixing
/// shards of different portfolios; it is not a cryptographic signature.
pub fn fingerprint(
    template_text: &str,
    parts_texts: &[String],
    meta: &PortfolioMeta,
    shards: u64,
) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for &b in bytes {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    feed(KIND.as_bytes());
    feed(&[0]);
    feed(env!("CARGO_PKG_VERSION").as_bytes());
    feed(&[0]);
    feed(template_text.as_bytes());
    for t in parts_texts {
        feed(&[0]);
        feed(t.as_bytes());
    }
    feed(&[0]);
    let target = meta.fill_rate_target.map_or(u64::MAX, f64::to_bits);
    for x in [
        meta.seed,
        meta.paths,
        target,
        shards,
        parts_texts.len() as u64,
    ] {
        feed(&x.to_le_bytes());
    }
    format!("{hash:016x}")
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
        kind: KIND.to_string(),
        format: FORMAT,
        pimsim_version: env!("CARGO_PKG_VERSION").to_string(),
        fingerprint: fingerprint(template_text, parts_texts, &meta, shard.count),
        template_text: template_text.to_string(),
        parts_texts: parts_texts.to_vec(),
        shard,
        parts: r.start as u64..r.end as u64,
        part_count: part_count as u64,
        meta,
        results,
    }
}

/// Checks that `partials` (each with its file) are exactly the shards of one portfolio and
/// merges them into the portfolio a single run would give.
pub fn merge(partials: Vec<(PathBuf, PortfolioPartial)>) -> Result<Portfolio, MergeError> {
    let Some((first_file, first)) = partials.first().cloned() else {
        return Err(MergeError::Empty);
    };
    let mut by_index: BTreeMap<u64, (PathBuf, PortfolioPartial)> = BTreeMap::new();
    for (file, part) in partials {
        if part.format != FORMAT {
            return Err(MergeError::Format {
                file,
                found: part.format,
            });
        }
        let expected = fingerprint(
            &part.template_text,
            &part.parts_texts,
            &part.meta,
            part.shard.count,
        );
        if part.fingerprint != expected
            || part.shard.index >= part.shard.count
            || part.parts != part.shard.blocks(part.part_count)
            || part.results.len() as u64 != part.parts.end - part.parts.start
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
    let parts = by_index
        .into_values()
        .flat_map(|(_, p)| p.results)
        .collect();
    Ok(Portfolio {
        meta: first.meta,
        parts,
    })
}
