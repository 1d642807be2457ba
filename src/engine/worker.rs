//! The worker of a run: one block of paths at a time, each path's demand generated once and
//! every policy run on it, the block's values folded into sums in path order and added to the
//! run's exact totals at the end of the block; and the parallel loop that hands out the blocks.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;

use super::controls::{MAX_CONTROLS, Periods, triangle};
use super::relative::{self, MAX_POLICY_CONTROLS, RelativeSet};
use super::stats::{BlockMoments, CountSketch};
use super::totals::Shifts;
use super::{BLOCK_PATHS, RunSettings, Totals, block_count, horizon_years};
use crate::demand::{DemandGenerator, DemandPath};
use crate::inventory::{
    CostLines, PathOutcome, Plan, PolicySimulator, StepRecorder, SupplyCounts, count_f64,
};
use crate::rng::StreamFactory;

/// One block's floating-point sums of one policy, in path order.
#[derive(Debug, Clone, Default)]
struct BlockSums {
    total: BlockMoments,
    lines: CostLines<f64>,
    revenue: f64,
    on_hand_unit_years: f64,
    partner_response_years: Vec<f64>,
    /// Per time-series point.
    steps: Vec<StepBlockSums>,
    /// Per control a: Σ Cₐ·(total − shift) over the block's paths, in path order.
    control_cross: [f64; MAX_CONTROLS],
    /// The policy's relative controls' sums over the block's paths, in path order.
    relative: RelativeBlockSums,
}

/// One block's sums of one policy's relative controls x, in path order (the first r entries
/// of each, r = the policy's number of relative controls): see [`totals::RelativeSums`].
#[derive(Debug, Clone)]
struct RelativeBlockSums {
    sum: [f64; MAX_POLICY_CONTROLS],
    cross: [f64; triangle(MAX_POLICY_CONTROLS)],
    /// Row-major r × k.
    with_demand: [f64; MAX_POLICY_CONTROLS * MAX_CONTROLS],
    /// Row-major r × (policies, or 1).
    with_cost: Vec<f64>,
}

impl Default for RelativeBlockSums {
    fn default() -> Self {
        RelativeBlockSums {
            sum: [0.0; MAX_POLICY_CONTROLS],
            cross: [0.0; triangle(MAX_POLICY_CONTROLS)],
            with_demand: [0.0; MAX_POLICY_CONTROLS * MAX_CONTROLS],
            with_cost: Vec::new(),
        }
    }
}

/// One time-series point's sums over one block's paths, together so that recording a point
/// looks up one entry instead of one in each of three vectors. The cost is summed in path
/// order as before; the integer sums are added to the run's totals at the end of the block
/// (integer sums are the same in any order).
#[derive(Debug, Clone, Copy, Default)]
struct StepBlockSums {
    /// Units on hand.
    on_hand: u128,
    /// Cumulative re-manufacture runs, units re-manufactured and units bought back.
    supply: [u128; 3],
    /// Cumulative discounted cost.
    cost: f64,
}

/// The time-series sums of one policy, added to as each point is recorded (in path order, as
/// the per-path vectors were before): the same sums without buffering the points of each path.
struct StepSums<'a> {
    on_hand: &'a mut [CountSketch],
    sums: &'a mut [StepBlockSums],
}

impl StepRecorder for StepSums<'_> {
    #[inline(always)]
    fn record(
        &mut self,
        _out: &mut PathOutcome,
        step: usize,
        on_hand: u64,
        cost: f64,
        supply: SupplyCounts,
    ) {
        self.on_hand[step].push(on_hand);
        let acc = &mut self.sums[step];
        acc.on_hand += u128::from(on_hand);
        acc.cost += cost;
        acc.supply[0] += u128::from(supply.remanufacture_runs);
        acc.supply[1] += u128::from(supply.remanufactured);
        acc.supply[2] += u128::from(supply.bought_back);
    }
}

/// A worker's reusable buffers.
struct Worker<'a> {
    plan: &'a Plan,
    shifts: &'a Shifts,
    generator: &'a DemandGenerator,
    streams: &'a StreamFactory,
    simulator: PolicySimulator,
    path: DemandPath,
    outcomes: Vec<PathOutcome>,
    /// Each policy's total cost on the current path (`costs.total()` of `outcomes`).
    path_totals: Vec<f64>,
    sums: Vec<BlockSums>,
    pairs: Vec<BlockMoments>,
    /// The control period of each year of the horizon.
    periods: &'a Periods,
    /// The current path's units demanded per control period.
    path_controls: [u64; MAX_CONTROLS],
    /// The block's ΣCₐ and ΣCₐC_b (a ≤ b, upper triangle row by row); integers, so their
    /// order does not matter.
    control_sum: [u128; MAX_CONTROLS],
    control_cross: [u128; triangle(MAX_CONTROLS)],
    /// The run's relative controls.
    relative: &'a RelativeSet,
    /// Whether any policy has relative controls.
    has_relative: bool,
    /// Whether the run compares its policies (and so sums the relative controls' products
    /// across policies).
    paired: bool,
    /// The current path's H_a and L_a of every threshold of `relative`.
    path_holding: Vec<f64>,
    path_leftover: Vec<f64>,
    /// The current path's relative controls of each policy, less their path-0 values.
    path_relative: Vec<[f64; MAX_POLICY_CONTROLS]>,
    /// `pair_relative[i·P + j]`, i < j: the block's Σxₐ·x'_b (row-major r_i × r_j).
    pair_relative: Vec<[f64; MAX_POLICY_CONTROLS * MAX_POLICY_CONTROLS]>,
    cancel: &'a AtomicBool,
}

impl Worker<'_> {
    /// Simulates the paths `first..end` (one block) and adds them to `totals`.
    fn run_block(&mut self, first: u64, end: u64, totals: &mut Totals) {
        self.start_block();
        let mut demanded = BlockMoments::with_shift(self.shifts.units);
        for path_index in first..end {
            if self.cancel.load(Ordering::Relaxed) {
                // The run's totals are discarded; stop without finishing the block.
                return;
            }
            self.generator
                .generate(self.streams, path_index, &mut self.path);
            self.path_controls = [0; MAX_CONTROLS];
            let units = annual_units(
                &self.path,
                totals,
                &self.periods.of_year,
                &mut self.path_controls,
            );
            demanded.push(count_f64(units));
            self.simulate_policies(path_index, totals);
            self.accumulate(path_index, totals);
            self.accumulate_controls();
            if self.has_relative {
                self.accumulate_relative();
            }
        }
        self.finish_block(end - first, &demanded, totals);
    }

    /// Empty block sums, with the run's shifts.
    fn start_block(&mut self) {
        let plan = self.plan;
        let shifts = self.shifts;
        let costs = if self.paired { plan.policies.len() } else { 1 };
        for (i, (s, &shift)) in self.sums.iter_mut().zip(&shifts.totals).enumerate() {
            *s = BlockSums {
                total: BlockMoments::with_shift(shift),
                partner_response_years: vec![0.0; plan.partners.len()],
                steps: vec![StepBlockSums::default(); plan.steps.len()],
                relative: RelativeBlockSums {
                    with_cost: vec![0.0; self.relative.controls_of(i) * costs],
                    ..RelativeBlockSums::default()
                },
                ..BlockSums::default()
            };
        }
        self.pair_relative
            .iter_mut()
            .for_each(|p| *p = [0.0; MAX_POLICY_CONTROLS * MAX_POLICY_CONTROLS]);
        let policies = plan.policies.len();
        for (k, p) in self.pairs.iter_mut().enumerate() {
            *p = BlockMoments::with_shift(shifts.pair(k / policies, k % policies));
        }
        self.control_sum = [0; MAX_CONTROLS];
        self.control_cross = [0; triangle(MAX_CONTROLS)];
    }

    /// Adds the current path's controls and their products with each policy's total cost to
    /// the block's sums.
    #[inline(always)]
    fn accumulate_controls(&mut self) {
        let k = self.periods.count;
        let c = &self.path_controls;
        let mut idx = 0;
        for a in 0..k {
            let ca = u128::from(c[a]);
            self.control_sum[a] += ca;
            for &cb in &c[a..k] {
                self.control_cross[idx] += ca * u128::from(cb);
                idx += 1;
            }
        }
        for ((s, &total), &shift) in self
            .sums
            .iter_mut()
            .zip(&self.path_totals)
            .zip(&self.shifts.totals)
        {
            let y = total - shift;
            for (acc, &ca) in s.control_cross[..k].iter_mut().zip(&c[..k]) {
                *acc += count_f64(ca) * y;
            }
        }
    }

    /// Computes the current path's relative controls of every policy and adds them, their
    /// products with each other, with the demand controls and with the total costs to the
    /// block's sums.
    fn accumulate_relative(&mut self) {
        let rel = self.relative;
        relative::path_controls(
            &self.path,
            &rel.thresholds,
            rel.g_end,
            &mut self.path_holding,
            &mut self.path_leftover,
        );
        let k = self.periods.count;
        let demand = &self.path_controls;
        let policies = self.plan.policies.len();
        for i in 0..policies {
            let x = &mut self.path_relative[i];
            let r = rel.controls_of(i);
            rel.policy_controls(
                i,
                self.plan,
                &self.path_holding,
                &self.path_leftover,
                &self.outcomes[i].partners,
                x,
            );
            for (v, &shift) in x[..r].iter_mut().zip(&self.shifts.relative[i]) {
                *v -= shift;
            }
            let s = &mut self.sums[i].relative;
            let mut idx = 0;
            for a in 0..r {
                s.sum[a] += x[a];
                for b in a..r {
                    s.cross[idx] += x[a] * x[b];
                    idx += 1;
                }
                let row = &mut s.with_demand[a * k..(a + 1) * k];
                for (acc, &c) in row.iter_mut().zip(&demand[..k]) {
                    *acc += x[a] * count_f64(c);
                }
            }
            if self.paired {
                for (row, &xa) in s.with_cost.chunks_exact_mut(policies).zip(&x[..r]) {
                    for (acc, (&total, &shift)) in row
                        .iter_mut()
                        .zip(self.path_totals.iter().zip(&self.shifts.totals))
                    {
                        *acc += xa * (total - shift);
                    }
                }
            } else {
                let y = self.path_totals[i] - self.shifts.totals[i];
                for (acc, &xa) in s.with_cost.iter_mut().zip(&x[..r]) {
                    *acc += xa * y;
                }
            }
        }
        if self.paired {
            for i in 0..policies {
                let ri = rel.controls_of(i);
                for j in i + 1..policies {
                    let rj = rel.controls_of(j);
                    let acc = &mut self.pair_relative[i * policies + j];
                    let (xi, xj) = (&self.path_relative[i], &self.path_relative[j]);
                    for a in 0..ri {
                        for b in 0..rj {
                            acc[a * rj + b] += xi[a] * xj[b];
                        }
                    }
                }
            }
        }
    }

    /// Runs every policy on the current path (its time-series points go straight into the
    /// block's sums) and notes each one's total cost.
    #[inline(always)]
    fn simulate_policies(&mut self, path_index: u64, totals: &mut Totals) {
        let plan = self.plan;
        for (i, policy) in plan.policies.iter().enumerate() {
            let t = &mut totals.policies[i];
            let steps = StepSums {
                on_hand: &mut t.on_hand_at_step,
                sums: &mut self.sums[i].steps,
            };
            self.simulator.simulate_recording(
                plan,
                policy,
                self.streams,
                path_index,
                &self.path,
                &mut self.outcomes[i],
                steps,
            );
        }
        for (total, out) in self.path_totals.iter_mut().zip(&self.outcomes) {
            *total = out.costs.total();
        }
    }

    /// Adds the current path's outcomes to the block's sums and the run's counts.
    #[inline(always)]
    fn accumulate(&mut self, path_index: u64, totals: &mut Totals) {
        let policies = self.plan.policies.len();
        let plan_has_records = self.plan.records.is_some();
        let baseline = self.path_totals[0];
        for i in 0..policies {
            let ci = self.path_totals[i];
            for j in i + 1..policies {
                self.pairs[i * policies + j].push(self.path_totals[j] - ci);
            }
        }
        let totals_now = &self.path_totals;
        for (i, out) in self.outcomes.iter().enumerate() {
            let t = &mut totals.policies[i];
            let s = &mut self.sums[i];
            let total = totals_now[i];
            s.total.push(total);
            if total < baseline {
                t.cheaper += 1;
            } else if total == baseline {
                t.ties += 1;
            }
            s.lines.update_with(&out.costs, |acc, v| *acc += v);
            s.revenue += out.revenue;
            s.on_hand_unit_years += out.on_hand_unit_years;
            t.units.update_with(&out.units, |acc, v| *acc += v);
            if plan_has_records {
                t.records.update_with(&out.records, |acc, v| *acc += v);
            }
            if out.units.short == 0 {
                t.paths_without_short += 1;
            }
            for (j, p) in out.partners.iter().enumerate() {
                let c = &mut t.partner_counts[j];
                c[0] += p.requests;
                c[1] += p.honoured;
                c[2] += p.units_requested;
                c[3] += p.units_shipped;
                s.partner_response_years[j] += p.response_years;
            }
            t.total_sample.push(path_index, total);
            if let Some(at) = out.first_stockout {
                t.stockout_sample.push(path_index, at);
            }
        }
    }

    /// Adds the block's floating-point sums (in block order) and its `paths` to `totals`.
    fn finish_block(&self, paths: u64, demanded: &BlockMoments, totals: &mut Totals) {
        totals.paths += paths;
        totals.units_demanded.absorb(demanded);
        totals
            .controls
            .add_block(&self.control_sum, &self.control_cross);
        for (t, b) in totals.pairs.iter_mut().zip(&self.pairs) {
            t.absorb(b);
        }
        for (t, b) in totals.pair_relative.iter_mut().zip(&self.pair_relative) {
            for (acc, &v) in t.iter_mut().zip(b) {
                acc.add(v);
            }
        }
        for (t, s) in totals.policies.iter_mut().zip(&self.sums) {
            t.total.absorb(&s.total);
            t.lines.update_with(&s.lines, |acc, v| acc.add(*v));
            t.revenue.add(s.revenue);
            t.on_hand_unit_years.add(s.on_hand_unit_years);
            for (acc, &v) in t.control_cross.iter_mut().zip(&s.control_cross) {
                acc.add(v);
            }
            let r = t.relative.sum.len();
            let k = t.control_cross.len();
            let rs = &mut t.relative;
            for (acc, &v) in rs.sum.iter_mut().zip(&s.relative.sum[..r]) {
                acc.add(v);
            }
            for (acc, &v) in rs.cross.iter_mut().zip(&s.relative.cross[..triangle(r)]) {
                acc.add(v);
            }
            for (acc, &v) in rs
                .with_demand
                .iter_mut()
                .zip(&s.relative.with_demand[..r * k])
            {
                acc.add(v);
            }
            for (acc, &v) in rs.with_cost.iter_mut().zip(&s.relative.with_cost) {
                acc.add(v);
            }
            for (acc, v) in t
                .partner_response_years
                .iter_mut()
                .zip(&s.partner_response_years)
            {
                acc.add(*v);
            }
            for (((cost, on_hand), supply), step) in t
                .cost_at_step
                .iter_mut()
                .zip(&mut t.on_hand_sum_at_step)
                .zip(&mut t.supply_sum_at_step)
                .zip(&s.steps)
            {
                cost.add(step.cost);
                *on_hand += step.on_hand;
                for (acc, v) in supply.iter_mut().zip(step.supply) {
                    *acc += v;
                }
            }
        }
    }
}

/// Counts the units `path` demands in each year into `totals` and into `controls` (by the
/// control period `period_of_year` of each year), and returns its units in all.
///
/// In O(orders): only years with demand are counted here; the years without any are added as
/// zeros when the run is summarised. Orders come in time order, so year y = min(⌊t⌋, last)
/// changes only when t reaches the next whole year (below `last`): one comparison per order
/// instead of a float-to-integer conversion.
#[inline(always)]
fn annual_units(
    path: &DemandPath,
    totals: &mut Totals,
    period_of_year: &[usize],
    controls: &mut [u64; MAX_CONTROLS],
) -> u64 {
    let last = totals.annual_units.len() - 1;
    let mut year = 0;
    let mut year_end = 1.0;
    let mut units = 0;
    let mut path_units = 0;
    for o in &path.orders {
        if o.time >= year_end && year < last {
            if units > 0 {
                totals.annual_units[year].push(units);
                totals.annual_units_sum[year] += units;
                controls[period_of_year[year]] += units;
                path_units += units;
            }
            // Times are ≥ 0 and below the horizon, so truncation is the floor (and avoids a
            // libm call); through i64, as `count_f64` does for the year's end, the
            // conversions are one instruction each instead of the unsigned ones' half a
            // dozen, and exact (years are far below 2⁶³).
            year = (o.time as i64 as usize).min(last);
            year_end = count_f64((year + 1) as u64);
            units = 0;
        }
        units += o.units;
    }
    if units > 0 {
        totals.annual_units[year].push(units);
        totals.annual_units_sum[year] += units;
        controls[period_of_year[year]] += units;
        path_units += units;
    }
    path_units
}

/// Runs every policy of `plan` on the paths of blocks `blocks` (of a run of `settings.paths`
/// paths) and returns exact totals. `progress` is called with the number of paths finished
/// after each block.
///
/// `relative` are the run's relative controls; `paired`: the run compares its policies (a
/// run's summary), so the totals carry the sums its paired differences need.
#[allow(clippy::too_many_arguments)]
pub(super) fn simulate(
    plan: &Plan,
    generator: &DemandGenerator,
    relative: &RelativeSet,
    paired: bool,
    settings: RunSettings,
    blocks: std::ops::Range<u64>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Totals {
    let streams = StreamFactory::new(settings.seed);
    let first_block = blocks.start;
    let blocks = blocks.end.min(block_count(settings.paths));
    let next_block = AtomicU64::new(first_block);
    let years = horizon_years(plan);
    let shifts = Shifts::new(plan, generator, &streams, relative);
    let periods = Periods::new(years);
    let policies = plan.policies.len();
    let work = |_worker: usize| {
        let mut totals = Totals::new(plan, years, &shifts, relative, paired);
        let mut worker = Worker {
            plan,
            shifts: &shifts,
            generator,
            streams: &streams,
            simulator: PolicySimulator::new(),
            path: DemandPath::default(),
            outcomes: vec![PathOutcome::default(); plan.policies.len()],
            path_totals: vec![0.0; plan.policies.len()],
            sums: vec![BlockSums::default(); plan.policies.len()],
            pairs: vec![BlockMoments::default(); plan.policies.len() * plan.policies.len()],
            periods: &periods,
            path_controls: [0; MAX_CONTROLS],
            control_sum: [0; MAX_CONTROLS],
            control_cross: [0; triangle(MAX_CONTROLS)],
            relative,
            has_relative: relative.any(),
            paired,
            path_holding: vec![0.0; relative.thresholds.len()],
            path_leftover: vec![0.0; relative.thresholds.len()],
            path_relative: vec![[0.0; MAX_POLICY_CONTROLS]; policies],
            pair_relative: vec![
                [0.0; MAX_POLICY_CONTROLS * MAX_POLICY_CONTROLS];
                if paired { policies * policies } else { 0 }
            ],
            cancel,
        };
        loop {
            let b = next_block.fetch_add(1, Ordering::Relaxed);
            if b >= blocks || cancel.load(Ordering::Relaxed) {
                break;
            }
            let first = b * BLOCK_PATHS;
            let end = (first + BLOCK_PATHS).min(settings.paths);
            worker.run_block(first, end, &mut totals);
            progress(end - first);
        }
        totals
    };
    let reduce = |workers: usize| {
        (0..workers).into_par_iter().map(work).reduce(
            || Totals::new(plan, years, &shifts, relative, paired),
            // Counts cannot overflow: a scenario's path count is limited so that its unit
            // sums stay far below 2^64 (`Scenario::max_paths`).
            |a, b| a.merge(b).expect("the counts of a validated run fit"),
        )
    };
    let block_count = blocks.saturating_sub(first_block).max(1) as usize;
    if rayon::current_thread_index().is_some() {
        // Already on a worker of a pool (a portfolio runs its parts in parallel): share that
        // pool. Nested parallel iterators in one pool are balanced by work stealing, so the
        // cores are not oversubscribed; the results do not depend on it.
        return reduce(rayon::current_num_threads().min(block_count));
    }
    let threads = if settings.threads == 0 {
        rayon::current_num_threads()
    } else {
        settings.threads
    };
    let workers = threads.min(block_count);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .expect("a thread pool can be built");
    pool.install(|| reduce(workers))
}
