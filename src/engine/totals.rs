//! The exact totals of a run (or of one shard's blocks): what the workers accumulate, what
//! shards carry to `merge`, and what the summary is computed from.
//!
//! Every accumulator merges exactly (integer counts, exact floating-point sums, path-indexed
//! samples), so totals merged in any grouping give the same bits. Totals read back from a
//! partial result are checked against the run they claim to belong to ([`Totals::check`])
//! before anything is computed from them.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use super::controls::{ControlSums, Periods, triangle};
use super::relative::RelativeSet;
use super::stats::{CountSketch, ExactSum, Moments, Overflow, PathSample, add_checked};
use super::{BLOCK_PATHS, RunSettings};
use crate::demand::{DemandGenerator, DemandPath};
use crate::inventory::{CostLines, PathOutcome, Plan, PolicySimulator, RecordCounts, UnitCounts};
use crate::rng::StreamFactory;

/// Exact running totals of one policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct PolicyTotals {
    pub(super) total: Moments,
    pub(super) cheaper: u64,
    pub(super) ties: u64,
    pub(super) lines: CostLines<ExactSum>,
    pub(super) revenue: ExactSum,
    pub(super) on_hand_unit_years: ExactSum,
    pub(super) units: UnitCounts<u64>,
    /// Sums of the drifting records' counts (all 0 without them).
    #[serde(default)]
    pub(super) records: RecordCounts<u64>,
    pub(super) paths_without_short: u64,
    pub(super) partner_counts: Vec<[u64; 4]>,
    pub(super) partner_response_years: Vec<ExactSum>,
    pub(super) on_hand_at_step: Vec<CountSketch>,
    pub(super) on_hand_sum_at_step: Vec<u128>,
    pub(super) cost_at_step: Vec<ExactSum>,
    /// Per step: sums over paths of cumulative re-manufacture runs, units re-manufactured and
    /// units bought back.
    pub(super) supply_sum_at_step: Vec<[u128; 3]>,
    pub(super) total_sample: PathSample,
    pub(super) stockout_sample: PathSample,
    /// Per control a: Σ Cₐ·(total cost − shift) over paths (the control variates' cross
    /// products with the cost; see [`super::controls`]).
    pub(super) control_cross: Vec<ExactSum>,
    /// The sums of the policy's relative controls (empty without them).
    #[serde(default)]
    pub(super) relative: RelativeSums,
}

/// Exact sums over paths of one policy's r relative controls x (H_a and L_a of its thresholds,
/// less their values on path 0, so that the sums keep their digits; see [`super::relative`]).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct RelativeSums {
    /// Σxₐ (r).
    pub(super) sum: Vec<ExactSum>,
    /// Σxₐx_b, a ≤ b, upper triangle row by row (r(r + 1)/2).
    pub(super) cross: Vec<ExactSum>,
    /// Σxₐ·C_d with the demand controls, row-major (r × k).
    pub(super) with_demand: Vec<ExactSum>,
    /// Σxₐ·(Y − shift) with the total cost Y of every policy (r × P, row-major) in a run that
    /// compares policies; with the policy's own only (r × 1) when evaluating candidates.
    pub(super) with_cost: Vec<ExactSum>,
    /// The controls' values on path 0, subtracted from every path's (r).
    pub(super) shift: Vec<f64>,
}

impl RelativeSums {
    /// Empty sums of controls whose path-0 values are `shift`, with `k` demand controls and
    /// `costs` policies' costs.
    pub(super) fn new(shift: Vec<f64>, k: usize, costs: usize) -> Self {
        let r = shift.len();
        RelativeSums {
            shift,
            sum: vec![ExactSum::new(); r],
            cross: vec![ExactSum::new(); triangle(r)],
            with_demand: vec![ExactSum::new(); r * k],
            with_cost: vec![ExactSum::new(); r * costs],
        }
    }

    fn merge(&mut self, other: &RelativeSums) {
        for (a, b) in [
            (&mut self.sum, &other.sum),
            (&mut self.cross, &other.cross),
            (&mut self.with_demand, &other.with_demand),
            (&mut self.with_cost, &other.with_cost),
        ] {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
    }

    /// Whether the vectors have the lengths of `k` and `costs` and the path-0 values `shift`.
    fn has_shape(&self, shift: &[f64], k: usize, costs: usize) -> bool {
        let r = shift.len();
        self.shift.len() == r
            && self
                .shift
                .iter()
                .zip(shift)
                .all(|(a, b)| a.to_bits() == b.to_bits())
            && self.sum.len() == r
            && self.cross.len() == triangle(r)
            && self.with_demand.len() == r * k
            && self.with_cost.len() == r * costs
    }
}

/// Exact running totals of a whole run, or of the blocks of one shard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub(super) paths: u64,
    pub(super) policies: Vec<PolicyTotals>,
    /// `pairs[i·P + j]`, i < j: moments of (cost of j − cost of i) on the same path.
    pub(super) pairs: Vec<Moments>,
    pub(super) units_demanded: Moments,
    pub(super) annual_units: Vec<CountSketch>,
    pub(super) annual_units_sum: Vec<u64>,
    /// The control variates' own sums (units demanded per period).
    pub(super) controls: ControlSums,
    /// `pair_relative[i·P + j]`, i < j, in a run that compares policies: Σxₐ·x'_b of the
    /// relative controls x of policy i and x' of policy j (r_i × r_j, row-major); empty
    /// otherwise.
    #[serde(default)]
    pub(super) pair_relative: Vec<Vec<ExactSum>>,
}

/// Typical values (those of path 0) subtracted before accumulating moments, so that variances
/// keep their digits; the same for every worker and shard.
#[derive(Debug, Clone)]
pub(super) struct Shifts {
    /// Total cost of path 0 per policy.
    pub(super) totals: Vec<f64>,
    /// Units demanded on path 0.
    pub(super) units: f64,
    /// Each policy's relative controls on path 0.
    pub(super) relative: Vec<Vec<f64>>,
}

impl Shifts {
    pub(super) fn new(
        plan: &Plan,
        generator: &DemandGenerator,
        streams: &StreamFactory,
        relative: &RelativeSet,
    ) -> Self {
        let mut path = DemandPath::default();
        generator.generate(streams, 0, &mut path);
        let m = relative.thresholds.len();
        let (mut holding, mut leftover) = (vec![0.0; m], vec![0.0; m]);
        super::relative::path_controls(
            &path,
            &relative.thresholds,
            relative.g_end,
            &mut holding,
            &mut leftover,
        );
        let mut simulator = PolicySimulator::new();
        let mut outcome = PathOutcome::default();
        let mut relative_of_policy = Vec::new();
        let totals = plan
            .policies
            .iter()
            .enumerate()
            .map(|(i, p)| {
                simulator.simulate(plan, p, streams, 0, &path, &mut outcome);
                let mut x = vec![0.0; relative.controls_of(i)];
                relative.policy_controls(i, plan, &holding, &leftover, &outcome.partners, &mut x);
                relative_of_policy.push(x);
                outcome.costs.total()
            })
            .collect();
        Shifts {
            totals,
            units: path.units() as f64,
            relative: relative_of_policy,
        }
    }

    pub(super) fn pair(&self, i: usize, j: usize) -> f64 {
        self.totals[j] - self.totals[i]
    }
}

/// Adds `b` to `a` element by element, checking every sum.
fn add_all<const N: usize, T: Copy>(
    a: &mut [[T; N]],
    b: &[[T; N]],
    add: impl Fn(T, T) -> Option<T>,
) -> Result<(), Overflow> {
    for (x, y) in a.iter_mut().zip(b) {
        for (u, v) in x.iter_mut().zip(y) {
            *u = add(*u, *v).ok_or(Overflow)?;
        }
    }
    Ok(())
}

impl Totals {
    /// Empty totals of the run of `plan` over `years` annual buckets, with the relative
    /// controls `relative`; `paired`: a run that compares its policies (not a pass of
    /// candidates), whose totals carry the relative controls' paired sums.
    pub(super) fn new(
        plan: &Plan,
        years: usize,
        shifts: &Shifts,
        relative: &RelativeSet,
        paired: bool,
    ) -> Self {
        let steps = plan.steps.len();
        let partners = plan.partners.len();
        let p = plan.policies.len();
        let k = Periods::new(years).count;
        let costs = if paired { p } else { 1 };
        Totals {
            paths: 0,
            policies: shifts
                .totals
                .iter()
                .enumerate()
                .map(|(i, &shift)| PolicyTotals {
                    total: Moments::with_shift(shift),
                    partner_counts: vec![[0; 4]; partners],
                    partner_response_years: vec![ExactSum::new(); partners],
                    on_hand_at_step: vec![CountSketch::default(); steps],
                    on_hand_sum_at_step: vec![0; steps],
                    cost_at_step: vec![ExactSum::new(); steps],
                    supply_sum_at_step: vec![[0; 3]; steps],
                    control_cross: vec![ExactSum::new(); k],
                    relative: RelativeSums::new(shifts.relative[i].clone(), k, costs),
                    ..PolicyTotals::default()
                })
                .collect(),
            pairs: (0..p * p)
                .map(|k| Moments::with_shift(shifts.pair(k / p, k % p)))
                .collect(),
            units_demanded: Moments::with_shift(shifts.units),
            annual_units: vec![CountSketch::default(); years],
            annual_units_sum: vec![0; years],
            controls: ControlSums::new(k),
            pair_relative: if paired {
                (0..p * p)
                    .map(|ij| {
                        let (i, j) = (ij / p, ij % p);
                        let n = if i < j {
                            relative.controls_of(i) * relative.controls_of(j)
                        } else {
                            0
                        };
                        vec![ExactSum::new(); n]
                    })
                    .collect()
            } else {
                Vec::new()
            },
        }
    }

    /// The totals of both runs of blocks. Fails only when a count overflows, which pimsim's
    /// own runs cannot reach (their path counts are limited so that it cannot happen), so a
    /// failure means the totals were not both pimsim's.
    pub fn merge(mut self, other: Totals) -> Result<Totals, Overflow> {
        add_checked(&mut self.paths, other.paths)?;
        self.units_demanded.merge(&other.units_demanded)?;
        self.controls.merge(&other.controls)?;
        for (a, b) in self.pairs.iter_mut().zip(&other.pairs) {
            a.merge(b)?;
        }
        for (a, b) in self.annual_units.iter_mut().zip(&other.annual_units) {
            a.merge(b)?;
        }
        for (a, b) in self
            .annual_units_sum
            .iter_mut()
            .zip(&other.annual_units_sum)
        {
            add_checked(a, *b)?;
        }
        for (a, b) in self.policies.iter_mut().zip(other.policies) {
            a.merge(b)?;
        }
        for (a, b) in self.pair_relative.iter_mut().zip(&other.pair_relative) {
            for (x, y) in a.iter_mut().zip(b) {
                x.merge(y);
            }
        }
        Ok(self)
    }

    /// Checks that these totals can be those of the paths of `blocks` of the run of `plan`
    /// with `settings` (whose `years` annual buckets and `shifts` are those of the run): every
    /// vector has the run's length, every count matches the paths covered, every path index
    /// lies in the blocks, every number is finite. What is wrong, when something is.
    pub(super) fn check(
        &self,
        plan: &Plan,
        years: usize,
        shifts: &Shifts,
        relative: &RelativeSet,
        settings: RunSettings,
        blocks: Range<u64>,
    ) -> Result<(), String> {
        let paths_below = |limit: u64| {
            let start = (blocks.start.saturating_mul(BLOCK_PATHS)).min(settings.paths);
            let end = (blocks.end.saturating_mul(BLOCK_PATHS)).min(settings.paths);
            end.min(limit).saturating_sub(start.min(limit))
        };
        let in_blocks = |path: u64| {
            path >= blocks.start.saturating_mul(BLOCK_PATHS)
                && path < blocks.end.saturating_mul(BLOCK_PATHS).min(settings.paths)
        };
        let paths = paths_below(u64::MAX);
        let p = plan.policies.len();
        let expect = |ok: bool, what: &str| if ok { Ok(()) } else { Err(what.to_string()) };
        expect(
            self.paths == paths,
            "its path count is not that of its blocks",
        )?;
        expect(
            self.policies.len() == p && shifts.totals.len() == p,
            "its number of policies is not the scenario's",
        )?;
        expect(
            self.pairs.len() == p * p,
            "its paired comparisons do not match the policies",
        )?;
        expect(
            self.annual_units.len() == years && self.annual_units_sum.len() == years,
            "its years of demand do not match the horizon",
        )?;
        let k = Periods::new(years).count;
        expect(
            self.controls.has_controls(k)
                && self.policies.iter().all(|t| t.control_cross.len() == k),
            "its control-variate sums do not match the horizon",
        )?;
        expect(
            self.policies
                .iter()
                .enumerate()
                .all(|(i, t)| t.relative.has_shape(&shifts.relative[i], k, p))
                && self.pair_relative.len() == p * p
                && self.pair_relative.iter().enumerate().all(|(ij, v)| {
                    let (i, j) = (ij / p, ij % p);
                    let n = if i < j {
                        relative.controls_of(i) * relative.controls_of(j)
                    } else {
                        0
                    };
                    v.len() == n
                }),
            "its relative-control sums do not match the policies",
        )?;
        expect(
            self.units_demanded.count() == paths
                && self.units_demanded.shift().to_bits() == shifts.units.to_bits(),
            "its demand moments do not match its paths",
        )?;
        for (k, m) in self.pairs.iter().enumerate() {
            let (i, j) = (k / p, k % p);
            let n = if i < j { paths } else { 0 };
            expect(
                m.count() == n && m.shift().to_bits() == shifts.pair(i, j).to_bits(),
                "its paired comparisons do not match its paths",
            )?;
        }
        for s in &self.annual_units {
            expect(
                s.is_consistent() && s.count() <= paths,
                "its annual demand counts are not consistent",
            )?;
        }
        let recorded = paths_below(plan.timeseries_paths);
        let sampled = paths_below(PathSample::CAPACITY);
        for (t, &shift) in self.policies.iter().zip(&shifts.totals) {
            t.check(plan, paths, recorded, sampled, shift, &in_blocks)?;
        }
        match crate::engine::finite::first_non_finite(self) {
            None => Ok(()),
            Some(path) => Err(format!("the number at `{path}` is not finite")),
        }
    }
}

impl PolicyTotals {
    fn merge(&mut self, b: PolicyTotals) -> Result<(), Overflow> {
        let mut overflow = false;
        let mut add = |x: &mut u64, y: &u64| match x.checked_add(*y) {
            Some(v) => *x = v,
            None => overflow = true,
        };
        self.total.merge(&b.total)?;
        add(&mut self.cheaper, &b.cheaper);
        add(&mut self.ties, &b.ties);
        add(&mut self.paths_without_short, &b.paths_without_short);
        self.units.update_with(&b.units, &mut add);
        self.records.update_with(&b.records, &mut add);
        if overflow {
            return Err(Overflow);
        }
        self.lines.update_with(&b.lines, ExactSum::merge);
        self.revenue.merge(&b.revenue);
        self.on_hand_unit_years.merge(&b.on_hand_unit_years);
        add_all(
            &mut self.partner_counts,
            &b.partner_counts,
            u64::checked_add,
        )?;
        for (x, y) in self
            .partner_response_years
            .iter_mut()
            .zip(&b.partner_response_years)
        {
            x.merge(y);
        }
        for (x, y) in self.on_hand_at_step.iter_mut().zip(&b.on_hand_at_step) {
            x.merge(y)?;
        }
        for (x, y) in self
            .on_hand_sum_at_step
            .iter_mut()
            .zip(&b.on_hand_sum_at_step)
        {
            *x = x.checked_add(*y).ok_or(Overflow)?;
        }
        for (x, y) in self.cost_at_step.iter_mut().zip(&b.cost_at_step) {
            x.merge(y);
        }
        add_all(
            &mut self.supply_sum_at_step,
            &b.supply_sum_at_step,
            u128::checked_add,
        )?;
        self.total_sample.merge(b.total_sample);
        self.stockout_sample.merge(b.stockout_sample);
        for (x, y) in self.control_cross.iter_mut().zip(&b.control_cross) {
            x.merge(y);
        }
        self.relative.merge(&b.relative);
        Ok(())
    }

    /// [`Totals::check`] for one policy: `paths` paths, `recorded` of them recording the time
    /// series, `sampled` of them kept for quantiles, whose indices satisfy `in_blocks`.
    fn check(
        &self,
        plan: &Plan,
        paths: u64,
        recorded: u64,
        sampled: u64,
        shift: f64,
        in_blocks: &dyn Fn(u64) -> bool,
    ) -> Result<(), String> {
        let expect = |ok: bool, what: &str| if ok { Ok(()) } else { Err(what.to_string()) };
        expect(
            self.total.count() == paths && self.total.shift().to_bits() == shift.to_bits(),
            "a policy's cost moments do not match its paths",
        )?;
        expect(
            self.cheaper
                .checked_add(self.ties)
                .is_some_and(|n| n <= paths)
                && self.paths_without_short <= paths,
            "a policy's path counts exceed its paths",
        )?;
        let partners = plan.partners.len();
        expect(
            self.partner_counts.len() == partners && self.partner_response_years.len() == partners,
            "a policy's partner figures do not match the partners",
        )?;
        let steps = plan.steps.len();
        expect(
            self.on_hand_at_step.len() == steps
                && self.on_hand_sum_at_step.len() == steps
                && self.cost_at_step.len() == steps
                && self.supply_sum_at_step.len() == steps,
            "a policy's time series does not match the report steps",
        )?;
        expect(
            self.on_hand_at_step
                .iter()
                .all(|s| s.is_consistent() && s.count() == recorded),
            "a policy's stock counts do not match its recorded paths",
        )?;
        for (sample, exact) in [(&self.total_sample, true), (&self.stockout_sample, false)] {
            let mut seen: Vec<u64> = sample.paths().collect();
            seen.sort_unstable();
            let unique = seen.windows(2).all(|w| w[0] < w[1]);
            let count_ok = if exact {
                seen.len() as u64 == sampled
            } else {
                seen.len() as u64 <= sampled
            };
            expect(
                unique && count_ok && seen.iter().all(|&k| in_blocks(k)),
                "a policy's per-path sample does not match its paths",
            )?;
        }
        Ok(())
    }
}
