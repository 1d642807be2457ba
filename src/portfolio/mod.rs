//! Portfolios: many parts, one template scenario, one row of overrides per part.
//!
//! [`input::read_parts`] reads the parts CSV files (joined on `part`) and validates every
//! part's scenario; [`run_parts`] simulates every part with the normal engine, parts in
//! parallel and each part's paths in parallel on the same rayon pool (nested parallel
//! iterators in one pool share its threads by work stealing, so the cores are never
//! oversubscribed); [`analyse`] picks the recommended policy per part and computes the
//! portfolio totals and the ABC and XYZ classes. [`crate::shard::portfolio`] cuts a portfolio into slices of
//! parts that merge into exactly the results of one run.
//!
//! **Seeds.** Part `id` of a portfolio with seed `S` is simulated with the seed
//! [`part_seed`]`(S, id)`, a hash of both: a part's results do not depend on the other parts,
//! on their order or on the shard it ran in, parts are statistically independent (so the
//! standard error of a portfolio total is the root of the sum of the parts' squared standard
//! errors), and `pimsim run` of the part's scenario with `--seed` = that seed and the same
//! `--paths` gives the same numbers bit for bit.
//!
//! **Recommended policy.** The policy of least mean total cost; ties go to the policy listed
//! first in the template. With a fill-rate target F, the cheapest policy whose fill rate is at
//! least F (a part without demand meets any target); when no policy meets it, the policy with
//! the highest fill rate (ties: the cheaper, then the first), flagged `target_met = false`.
//!
//! **Service.** Each recommendation is judged by the same [`ServiceRule`] as a run's verdict
//! (its floor is the fill-rate target when one is given, else 95 %; stock-outs in more than half
//! of the futures are poor too): a recommendation that serves poorly is flagged
//! (`service_poor`), with the cheapest policy of the part that serves well, if any.
//!
//! **ABC** by annual usage value = `part.unit_cost` × expected units demanded in the first
//! year (t in (0, 1], mean intensity, sudden death weighted in): parts sorted by value,
//! largest first (ties by part id); a part is A while the value of the parts before it is below
//! 80 % of the total, B below 95 %, else C (all C when the total is 0).
//!
//! **XYZ** by the coefficient of variation of the units demanded in the first year, exact
//! under the part's demand model: with Λ the expected orders of the year and S the order size,
//! CV² = E\[S²\] / (Λ·E\[S\]²) + rate_cv² (Poisson arrivals, compound sizes, the Gamma rate
//! multiplier). X: CV ≤ 0.5, Y: CV ≤ 1, Z: above, or no expected demand. The decay of the
//! rate is a forecastable trend and does not count as variability.

pub mod input;

use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::engine::precision::PrecisionRule;
use crate::engine::service::ServiceRule;
use crate::engine::stats::ExactSum;
use crate::engine::{Cancelled, PolicyRow, RunSettings, RunSummary, run_cancellable};
use crate::optimize::OptimizeError;
use crate::scenario::Scenario;
use input::PreparedPart;

/// Cumulative share of annual usage value up to which parts are class A.
pub const ABC_A: f64 = 0.80;
/// Cumulative share of annual usage value up to which parts are class B.
pub const ABC_B: f64 = 0.95;
/// Largest coefficient of variation of first-year demand of class X.
pub const XYZ_X: f64 = 0.5;
/// Largest coefficient of variation of first-year demand of class Y.
pub const XYZ_Y: f64 = 1.0;

/// The seed of part `part` in a portfolio with seed `seed`: FNV-1a (64 bits) over a domain
/// tag, the seed and the part id, mixed by SplitMix64's finaliser, cut to 53 bits (so that
/// it survives spreadsheets and JSON readers that hold numbers as doubles).
pub fn part_seed(seed: u64, part: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let seed_bytes = seed.to_le_bytes();
    let bytes = b"pimsim portfolio part\0"
        .iter()
        .chain(&seed_bytes)
        .chain(part.as_bytes());
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    let mut z = h.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    z & ((1 << 53) - 1)
}

/// One part's results: everything the outputs need, a few kilobytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartResult {
    /// The part's id.
    pub part: String,
    /// The override cells as written.
    pub values: Vec<String>,
    /// The carried `fit.` cells.
    pub fit_values: Vec<String>,
    /// The part's seed ([`part_seed`]).
    pub seed: u64,
    /// `part.unit_cost`.
    pub unit_cost: f64,
    /// Expected units demanded in the first year.
    pub expected_annual_units: f64,
    /// Coefficient of variation of the first year's units (`None`: no expected demand).
    pub demand_cv: Option<f64>,
    /// Per policy, in the template's order: the figures of its `policies.csv` row.
    pub policies: Vec<PolicyRow>,
    /// How the part's `--precision` run stopped (its paths among them; `None` without
    /// `--precision`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::engine::precision::PrecisionOutcome>,
}

/// What every output of a portfolio names besides the parts' results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioMeta {
    /// The template's file name.
    pub template: String,
    /// The parts files' names.
    pub parts_files: Vec<String>,
    /// The override columns.
    pub columns: Vec<String>,
    /// The carried `fit.` columns.
    pub fit_columns: Vec<String>,
    /// The policies (name, kind), in the template's order.
    pub policies: Vec<(String, String)>,
    /// The template's currency label.
    pub currency: String,
    /// Paths per part.
    pub paths: u64,
    /// The portfolio seed.
    pub seed: u64,
    /// The fill-rate target of the recommendation.
    pub fill_rate_target: Option<f64>,
}

/// A simulated portfolio.
#[derive(Debug, Clone, PartialEq)]
pub struct Portfolio {
    /// Settings and names.
    pub meta: PortfolioMeta,
    /// One result per part, in the parts file's order.
    pub parts: Vec<PartResult>,
}

/// Why a portfolio run stopped.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PortfolioError {
    /// The cancellation flag was set.
    #[error("the portfolio run was cancelled")]
    Cancelled,
    /// A part's result is not finite (a bug).
    #[error("part {part}: {message}")]
    NotFinite {
        /// The part.
        part: String,
        /// The message of the finiteness check.
        message: String,
    },
}

impl From<Cancelled> for PortfolioError {
    fn from(_: Cancelled) -> Self {
        PortfolioError::Cancelled
    }
}

/// Expected units demanded in the first year and their coefficient of variation (see the
/// module's XYZ rule).
pub fn first_year_demand(scenario: &Scenario) -> (f64, Option<f64>) {
    let d = &scenario.demand;
    let orders = d.expected_orders(0.0, 1.0);
    let (m, v) = (d.order_size.mean(), d.order_size.variance());
    let units = orders * m;
    let cv = (units > 0.0).then(|| ((v + m * m) / (orders * m * m) + d.rate_cv * d.rate_cv).sqrt());
    (units, cv)
}

/// A thread pool of `threads` workers (0 = one per core) for [`run_parts`].
pub fn thread_pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("a thread pool can be built")
}

/// Simulates one part with `paths` paths and the part's seed, exactly as `pimsim run` of its
/// scenario with that seed would (including `retain = "optimal"`, resolved on the part's own
/// paths). With `precision` the part stops on its own when its figures meet the rule (its
/// maximum capped by the part's path limit), as `pimsim run --precision` of it would.
pub fn run_part(
    p: &PreparedPart,
    paths: u64,
    seed: u64,
    precision: Option<PrecisionRule>,
    cancel: &AtomicBool,
) -> Result<PartResult, PortfolioError> {
    let precision = precision.map(|r| PrecisionRule {
        max_paths: r.max_paths.min(p.scenario.max_paths()),
        ..r
    });
    let settings = RunSettings {
        paths: precision.map_or(paths, |r| r.max_paths),
        seed: part_seed(seed, &p.part),
        threads: 0,
    };
    let mut plan = p.plan.clone();
    match crate::optimize::resolve_optimal_retain(&p.scenario, &mut plan, settings, cancel) {
        Ok(_) => {}
        Err(OptimizeError::Cancelled) => return Err(PortfolioError::Cancelled),
        Err(e @ OptimizeError::Reviews(_)) => unreachable!("validation refuses it: {e}"),
    }
    let summary = match precision {
        Some(rule) => crate::engine::run_to_precision(
            &p.scenario,
            &plan,
            settings,
            rule,
            &|_, _| {},
            &|_| {},
            cancel,
        )?,
        None => run_cancellable(&p.scenario, &plan, settings, &|_| {}, cancel)?,
    };
    summary
        .check_finite()
        .map_err(|e| PortfolioError::NotFinite {
            part: p.part.clone(),
            message: e.to_string(),
        })?;
    Ok(part_result(p, &summary))
}

fn part_result(p: &PreparedPart, summary: &RunSummary) -> PartResult {
    let (expected_annual_units, demand_cv) = first_year_demand(&p.scenario);
    PartResult {
        part: p.part.clone(),
        values: p.values.clone(),
        fit_values: p.fit_values.clone(),
        seed: summary.seed,
        unit_cost: p.scenario.part.unit_cost,
        expected_annual_units,
        demand_cv,
        policies: PolicyRow::all(summary),
        precision: summary.precision,
    }
}

/// Simulates `parts` in parallel on the current rayon pool (call it inside
/// [`rayon::ThreadPool::install`] of [`thread_pool`]), each part's paths in parallel too.
/// `progress` is called with 1 after each part. Results are in the order of `parts` and do
/// not depend on the number of threads.
pub fn run_parts(
    parts: &[PreparedPart],
    paths: u64,
    seed: u64,
    precision: Option<PrecisionRule>,
    progress: &(dyn Fn(u64) + Sync),
    cancel: &AtomicBool,
) -> Result<Vec<PartResult>, PortfolioError> {
    parts
        .par_iter()
        .with_max_len(1)
        .map(|p| {
            if cancel.load(Ordering::Relaxed) {
                return Err(PortfolioError::Cancelled);
            }
            let r = run_part(p, paths, seed, precision, cancel)?;
            progress(1);
            Ok(r)
        })
        .collect()
}

/// A portfolio total: a sum of means with the standard error of independent parts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Total {
    /// Sum of the parts' means (exact sum, rounded once).
    pub mean: f64,
    /// √(Σ standard error²).
    pub std_err: f64,
}

impl Total {
    fn of(items: impl Iterator<Item = (f64, f64)>) -> Total {
        let (mut sum, mut var) = (ExactSum::new(), ExactSum::new());
        for (m, se) in items {
            sum.add(m);
            var.add(se * se);
        }
        Total {
            mean: sum.value(),
            std_err: var.value().max(0.0).sqrt(),
        }
    }
}

/// The recommendation and classes of one part.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartAnalysis {
    /// Index of the recommended policy.
    pub recommended: usize,
    /// Whether it meets the fill-rate target (true without one).
    pub target_met: bool,
    /// A, B or C.
    pub abc: char,
    /// X, Y or Z.
    pub xyz: char,
    /// `unit_cost` × expected first-year units.
    pub annual_usage_value: f64,
    /// Value at stake: mean saving of the recommended policy against the baseline (the first
    /// policy), on the same paths (currency; 0 when the baseline is recommended).
    pub saving: f64,
    /// Its standard error (paired).
    pub saving_std_err: f64,
    /// Whether the recommended policy serves poorly by the portfolio's [`ServiceRule`].
    pub service_poor: bool,
    /// When it does: the cheapest policy of the part that serves well (index; `None` when
    /// the recommendation serves well or no policy of the part does).
    pub better_service: Option<usize>,
}

/// Per policy: the portfolio total if every part followed it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyTotal {
    /// Policy name.
    pub policy: String,
    /// Policy kind.
    pub kind: String,
    /// Sum over parts of the mean total cost.
    pub total_cost: Total,
    /// Parts for which it is recommended.
    pub recommended_parts: usize,
}

/// Recommendations, classes and totals of a portfolio.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    /// Per part, in the parts' order.
    pub parts: Vec<PartAnalysis>,
    /// Per policy.
    pub policies: Vec<PolicyTotal>,
    /// The recommended policy of every part: its total cost.
    pub best_mix: Total,
    /// The best mix against the baseline for every part: Σ savings (paired standard errors).
    pub best_mix_saving: Total,
    /// Parts that meet the fill-rate target with their recommendation.
    pub parts_meeting_target: usize,
    /// The rule the recommendations' service is judged by (its floor: the fill-rate target,
    /// else 95 %).
    pub service_rule: ServiceRule,
    /// Parts whose recommendation serves poorly by that rule.
    pub parts_with_poor_service: usize,
    /// Of those, the parts with a (dearer) policy that serves well.
    pub parts_with_better_service: usize,
    /// Part indices by value at stake, largest first (ties by part order).
    pub by_saving: Vec<usize>,
}

/// The recommended policy among `policies` (see the module's rule) and whether it meets
/// `target`.
pub fn recommend(policies: &[PolicyRow], target: Option<f64>) -> (usize, bool) {
    let cheapest = |ok: &dyn Fn(&PolicyRow) -> bool| {
        policies
            .iter()
            .enumerate()
            .filter(|(_, p)| ok(p))
            .min_by(|a, b| {
                a.1.total_cost
                    .mean
                    .total_cmp(&b.1.total_cost.mean)
                    .then(a.0.cmp(&b.0))
            })
            .map(|(i, _)| i)
    };
    match target {
        None => (cheapest(&|_| true).unwrap_or(0), true),
        Some(f) => match cheapest(&|p| p.fill_rate.is_none_or(|r| r >= f)) {
            Some(i) => (i, true),
            None => {
                let best = policies
                    .iter()
                    .enumerate()
                    .max_by(|a, b| {
                        let fa = a.1.fill_rate.unwrap_or(1.0);
                        let fb = b.1.fill_rate.unwrap_or(1.0);
                        fa.total_cmp(&fb)
                            .then(b.1.total_cost.mean.total_cmp(&a.1.total_cost.mean))
                            .then(b.0.cmp(&a.0))
                    })
                    .map_or(0, |(i, _)| i);
                (best, false)
            }
        },
    }
}

/// ABC classes of items with annual usage values `values` and ids `ids` (see the module's
/// rule).
pub fn abc_classes(values: &[f64], ids: &[&str]) -> Vec<char> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(ids[a].cmp(ids[b])));
    let mut total = ExactSum::new();
    for v in values {
        total.add(*v);
    }
    let total = total.value();
    let mut classes = vec!['C'; values.len()];
    if total <= 0.0 {
        return classes;
    }
    let mut before = 0.0;
    for i in order {
        classes[i] = if before < ABC_A * total {
            'A'
        } else if before < ABC_B * total {
            'B'
        } else {
            'C'
        };
        before += values[i];
    }
    classes
}

/// XYZ class of a coefficient of variation (`None`: no expected demand, Z).
pub fn xyz_class(cv: Option<f64>) -> char {
    match cv {
        Some(c) if c <= XYZ_X => 'X',
        Some(c) if c <= XYZ_Y => 'Y',
        _ => 'Z',
    }
}

/// Recommendations, classes and totals of `portfolio`.
pub fn analyse(portfolio: &Portfolio) -> Analysis {
    let target = portfolio.meta.fill_rate_target;
    let rule = ServiceRule::new(target);
    let values: Vec<f64> = portfolio
        .parts
        .iter()
        .map(|p| p.unit_cost * p.expected_annual_units)
        .collect();
    let ids: Vec<&str> = portfolio.parts.iter().map(|p| p.part.as_str()).collect();
    let abc = abc_classes(&values, &ids);
    let parts: Vec<PartAnalysis> = portfolio
        .parts
        .iter()
        .enumerate()
        .map(|(k, p)| {
            let (recommended, target_met) = recommend(&p.policies, target);
            let r = &p.policies[recommended];
            let service: Vec<(f64, Option<f64>, f64)> = p
                .policies
                .iter()
                .map(|q| (q.total_cost.mean, q.fill_rate, q.no_stockout_probability))
                .collect();
            PartAnalysis {
                recommended,
                target_met,
                abc: abc[k],
                xyz: xyz_class(p.demand_cv),
                annual_usage_value: values[k],
                saving: r.versus_baseline.map_or(0.0, |d| -d.mean_difference),
                saving_std_err: r.versus_baseline.map_or(0.0, |d| d.std_err),
                service_poor: rule.is_poor(r.fill_rate, r.no_stockout_probability),
                better_service: rule.better_service(&service, recommended),
            }
        })
        .collect();
    let policies = portfolio
        .meta
        .policies
        .iter()
        .enumerate()
        .map(|(i, (name, kind))| PolicyTotal {
            policy: name.clone(),
            kind: kind.clone(),
            total_cost: Total::of(portfolio.parts.iter().map(|p| {
                (
                    p.policies[i].total_cost.mean,
                    p.policies[i].total_cost.std_err,
                )
            })),
            recommended_parts: parts.iter().filter(|a| a.recommended == i).count(),
        })
        .collect();
    let best_mix = Total::of(portfolio.parts.iter().zip(&parts).map(|(p, a)| {
        let r = &p.policies[a.recommended];
        (r.total_cost.mean, r.total_cost.std_err)
    }));
    let best_mix_saving = Total::of(parts.iter().map(|a| (a.saving, a.saving_std_err)));
    let mut by_saving: Vec<usize> = (0..parts.len()).collect();
    by_saving.sort_by(|&a, &b| parts[b].saving.total_cmp(&parts[a].saving).then(a.cmp(&b)));
    Analysis {
        parts_meeting_target: parts.iter().filter(|a| a.target_met).count(),
        service_rule: rule,
        parts_with_poor_service: parts.iter().filter(|a| a.service_poor).count(),
        parts_with_better_service: parts.iter().filter(|a| a.better_service.is_some()).count(),
        parts,
        policies,
        best_mix,
        best_mix_saving,
        by_saving,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_seeds_are_stable_and_distinct() {
        assert_eq!(part_seed(1, "P0001"), part_seed(1, "P0001"));
        assert_ne!(part_seed(1, "P0001"), part_seed(1, "P0002"));
        assert_ne!(part_seed(1, "P0001"), part_seed(2, "P0001"));
        assert!(part_seed(u64::MAX, "x") < 1 << 53);
    }

    #[test]
    fn abc_follows_the_cumulative_value() {
        // Shares before each part: 0, .5, .8, .9, .96, .99 of 100.
        let values = [50.0, 30.0, 10.0, 6.0, 3.0, 1.0];
        let ids = ["a", "b", "c", "d", "e", "f"];
        assert_eq!(
            abc_classes(&values, &ids),
            vec!['A', 'A', 'B', 'B', 'C', 'C']
        );
        assert_eq!(abc_classes(&[0.0, 0.0], &["a", "b"]), vec!['C', 'C']);
    }

    #[test]
    fn xyz_cut_offs_are_inclusive() {
        assert_eq!(xyz_class(Some(0.5)), 'X');
        assert_eq!(xyz_class(Some(0.51)), 'Y');
        assert_eq!(xyz_class(Some(1.0)), 'Y');
        assert_eq!(xyz_class(Some(1.01)), 'Z');
        assert_eq!(xyz_class(None), 'Z');
    }

    fn policy(mean: f64, fill: Option<f64>) -> PolicyRow {
        PolicyRow {
            fill_rate: fill,
            total_cost: crate::engine::TotalCostFigures {
                mean,
                ..Default::default()
            },
            ..PolicyRow::default()
        }
    }

    #[test]
    fn recommendation_breaks_ties_by_order_and_respects_the_target() {
        let ps = [
            policy(10.0, Some(0.99)),
            policy(5.0, Some(0.8)),
            policy(5.0, Some(0.9)),
        ];
        assert_eq!(recommend(&ps, None), (1, true));
        assert_eq!(recommend(&ps, Some(0.85)), (2, true));
        assert_eq!(recommend(&ps, Some(0.95)), (0, true));
        assert_eq!(recommend(&ps, Some(0.999)), (0, false));
        assert_eq!(recommend(&[policy(1.0, None)], Some(1.0)), (0, true));
    }
}
