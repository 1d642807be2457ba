//! The control-variate estimates of a run's mean total costs and paired differences, from
//! its exact totals: per policy, its relative controls ([`super::relative`]) and the demand
//! controls ([`super::controls`]); per paired difference, both policies' relative controls and
//! the demand controls.
//!
//! A policy's estimate uses only its own sums (its relative controls' thresholds, its cost),
//! so it has the same bits whichever other policies or candidates share the run.

use super::controls::{self, ControlMatrix, ControlSystem, Estimate, Periods};
use super::horizon_years;
use super::relative::{Expectations, RelativeSet};
use super::stats::{ExactSum, Moments};
use super::totals::{RelativeSums, Totals};
use crate::inventory::Plan;
use crate::scenario::Scenario;

/// Index of (a, b) in an upper triangle (diagonal included) of `r` × `r`, row by row.
fn upper(r: usize, a: usize, b: usize) -> usize {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    lo * r - lo * (lo + 1) / 2 + hi
}

/// One block of controls of an estimate: a policy's relative controls.
struct Block<'a> {
    sums: &'a RelativeSums,
    /// Σxₐ per control.
    total: Vec<f64>,
    /// E\[xₐ\] (the exact expectation less the path-0 value) per control.
    expected: Vec<f64>,
}

/// What the estimates of a run need besides its totals: its relative controls and every
/// control's exact expectation. Computing the relatives' expectations takes a quadrature
/// (milliseconds), so a run that is summarised after each of its stages computes them once.
pub(super) struct Expected {
    /// The run's relative controls (none used when `expectations` is `None`).
    relative: RelativeSet,
    expectations: Option<Expectations>,
    /// The demand controls' exact expectations (units per path).
    demand: Vec<f64>,
}

impl Expected {
    /// The expectations of the controls of the run of `plan` (of `scenario`).
    pub(super) fn new(scenario: &Scenario, plan: &Plan) -> Self {
        let periods = Periods::new(horizon_years(plan));
        let relative = RelativeSet::new(&scenario.demand, plan);
        Expected {
            expectations: relative.expectations(&scenario.demand, plan),
            relative,
            demand: controls::expected_units(scenario, &periods, plan.horizon.time),
        }
    }
}

/// The control-variate estimates of a run.
pub(super) struct Adjusted<'a> {
    pub(super) totals: &'a Totals,
    /// The run's relative controls (none used when `expectations` is `None`).
    relative: &'a RelativeSet,
    expectations: Option<&'a Expectations>,
    /// The demand controls' matrix.
    demand: ControlMatrix,
    /// ΣC_d per demand control.
    demand_sums: Vec<f64>,
    /// Per policy, S_C_dY over the demand controls.
    demand_cross: Vec<Vec<f64>>,
    /// Per policy, the expectations of its relative controls less their path-0 values.
    relative_expected: Vec<Vec<f64>>,
}

impl<'a> Adjusted<'a> {
    /// The estimates of `totals`, the totals of a run whose controls' expectations are
    /// `expected`.
    pub(super) fn new(expected: &'a Expected, totals: &'a Totals) -> Self {
        let demand = ControlMatrix::of_demand(&totals.controls, totals.paths, &expected.demand);
        let demand_sums: Vec<f64> = totals.controls.sum.iter().map(|&s| s as f64).collect();
        let demand_cross = totals
            .policies
            .iter()
            .map(|t| {
                controls::centred_cross(totals.paths, &demand_sums, &t.total, &t.control_cross)
            })
            .collect();
        let (relative, expectations) = (&expected.relative, expected.expectations.as_ref());
        // The sums are of the controls less their path-0 values (the totals' shifts).
        // Per policy: the relatives' exact expectations (when computed) and the partners'
        // reliability controls' (0), less the path-0 values the sums are taken from.
        let relative_expected = (0..totals.policies.len())
            .map(|i| {
                let own = &relative.of_policy[i];
                let shift = &totals.policies[i].relative.shift;
                if shift.len() != relative.controls_of(i) {
                    return Vec::new();
                }
                let mut expected: Vec<f64> = match (expectations, own.is_empty()) {
                    (_, true) => Vec::new(),
                    (Some(e), false) => own
                        .iter()
                        .flat_map(|&th| [e.holding[th], e.leftover[th]])
                        .collect(),
                    (None, false) => return Vec::new(),
                };
                expected.resize(shift.len(), 0.0);
                expected.iter().zip(shift).map(|(e, s)| e - s).collect()
            })
            .collect();
        Adjusted {
            totals,
            relative,
            expectations,
            demand,
            demand_sums,
            demand_cross,
            relative_expected,
        }
    }

    /// Policy `i`'s block of relative controls (`None` when they are not used).
    fn block(&self, i: usize) -> Option<Block<'_>> {
        let sums = &self.totals.policies[i].relative;
        if sums.sum.is_empty() || self.relative_expected[i].len() != sums.sum.len() {
            return None;
        }
        Some(Block {
            sums,
            total: sums.sum.iter().map(ExactSum::value).collect(),
            expected: self.relative_expected[i].clone(),
        })
    }

    /// The matrix of the blocks' controls followed by the demand controls, with the
    /// cross-products between blocks `cross(b, c, a, e)` (control a of block b with control e
    /// of block c, b < c).
    fn matrix(
        &self,
        blocks: &[&Block],
        cross: &dyn Fn(usize, usize, usize, usize) -> f64,
    ) -> ControlMatrix {
        let n = self.totals.paths;
        let nf = n.max(1) as f64;
        let k = self.demand.dim;
        let offsets: Vec<usize> = blocks
            .iter()
            .scan(0, |o, b| {
                let start = *o;
                *o += b.total.len();
                Some(start)
            })
            .collect();
        let r: usize = blocks.iter().map(|b| b.total.len()).sum();
        let dim = r + k;
        // (block, control within it) of a control index below r.
        let locate = |idx: usize| {
            let b = offsets.iter().rposition(|&o| o <= idx).expect("an offset");
            (b, idx - offsets[b])
        };
        let mut centred = vec![0.0; dim * dim];
        for a in 0..dim {
            for c in a..dim {
                let v = match (a < r, c < r) {
                    (true, true) => {
                        let ((ba, ia), (bc, ic)) = (locate(a), locate(c));
                        let raw = if ba == bc {
                            let blk = blocks[ba];
                            blk.sums.cross[upper(blk.total.len(), ia, ic)].value()
                        } else {
                            cross(ba, bc, ia, ic)
                        };
                        raw - blocks[ba].total[ia] * blocks[bc].total[ic] / nf
                    }
                    (true, false) => {
                        let (ba, ia) = locate(a);
                        let d = c - r;
                        let blk = blocks[ba];
                        blk.sums.with_demand[ia * k + d].value()
                            - blk.total[ia] * self.demand_sums[d] / nf
                    }
                    _ => self.demand.at(a - r, c - r),
                };
                centred[a * dim + c] = v;
                centred[c * dim + a] = v;
            }
        }
        let mut delta: Vec<f64> = blocks
            .iter()
            .flat_map(|b| b.total.iter().zip(&b.expected).map(|(s, e)| s / nf - e))
            .collect();
        delta.extend(&self.demand.delta);
        ControlMatrix {
            n,
            dim,
            centred,
            delta,
        }
    }

    /// S_xY of a block's controls with the cost of policy `j` (whose moments are `m`).
    fn block_cross(&self, block: &Block, j: usize, m: &Moments) -> Vec<f64> {
        let costs = block.sums.with_cost.len() / block.total.len();
        let column = if costs == 1 { 0 } else { j };
        let cy: Vec<ExactSum> = (0..block.total.len())
            .map(|a| block.sums.with_cost[a * costs + column].clone())
            .collect();
        controls::centred_cross(self.totals.paths, &block.total, m, &cy)
    }

    /// The mean total cost of policy `i`.
    pub(super) fn policy(&self, i: usize) -> Estimate {
        let t = &self.totals.policies[i];
        let block = self.block(i);
        let blocks: Vec<&Block> = block.iter().collect();
        let matrix = self.matrix(&blocks, &|_, _, _, _| 0.0);
        let mut s_cy: Vec<f64> = blocks
            .iter()
            .flat_map(|b| self.block_cross(b, i, &t.total))
            .collect();
        s_cy.extend(&self.demand_cross[i]);
        let order: Vec<usize> = (0..matrix.dim).collect();
        ControlSystem::new(&matrix, &order).estimate(&t.total, &s_cy)
    }

    /// The mean of (cost of `j` − cost of `i`), i < j, on the same paths.
    pub(super) fn pair(&self, i: usize, j: usize) -> Estimate {
        let p = self.totals.policies.len();
        let moments = &self.totals.pairs[i * p + j];
        let paired = &self.totals.pair_relative;
        let (bi, bj) = if paired.is_empty() {
            (None, None)
        } else {
            (self.block(i), self.block(j))
        };
        let blocks: Vec<&Block> = bi.iter().chain(bj.iter()).collect();
        let both = bi.is_some() && bj.is_some();
        let rj = bj.as_ref().map_or(0, |b| b.total.len());
        let products = paired.get(i * p + j);
        let matrix = self.matrix(&blocks, &|_, _, a, e| {
            debug_assert!(both);
            products.map_or(0.0, |v| v[a * rj + e].value())
        });
        let (yi, yj) = (
            &self.totals.policies[i].total,
            &self.totals.policies[j].total,
        );
        let mut s_cd: Vec<f64> = Vec::new();
        for b in &blocks {
            let cj = self.block_cross(b, j, yj);
            let ci = self.block_cross(b, i, yi);
            s_cd.extend(cj.iter().zip(&ci).map(|(a, b)| a - b));
        }
        s_cd.extend(
            self.demand_cross[j]
                .iter()
                .zip(&self.demand_cross[i])
                .map(|(a, b)| a - b),
        );
        let order: Vec<usize> = (0..matrix.dim).collect();
        ControlSystem::new(&matrix, &order).estimate(moments, &s_cd)
    }

    /// The run's relative controls and their exact expectations (`None` when not used).
    pub(super) fn relative(&self) -> (&RelativeSet, Option<&Expectations>) {
        (self.relative, self.expectations)
    }

    /// The mean over paths of H_a and L_a of threshold `t` of the run's relative controls,
    /// from the sums of a policy that has it (`None` when no policy's sums carry it).
    pub(super) fn relative_means(&self, t: usize) -> Option<[f64; 2]> {
        let n = self.totals.paths.max(1) as f64;
        let (p, q) = self
            .relative
            .of_policy
            .iter()
            .enumerate()
            .find_map(|(p, own)| own.iter().position(|&x| x == t).map(|q| (p, q)))?;
        let sums = &self.totals.policies[p].relative;
        let shift = [*sums.shift.get(2 * q)?, *sums.shift.get(2 * q + 1)?];
        Some([
            sums.sum.get(2 * q)?.value() / n + shift[0],
            sums.sum.get(2 * q + 1)?.value() / n + shift[1],
        ])
    }
}
