//! The optimiser: the retained level R of a scrap or partner-release policy, or the last-time
//! buy of a hold policy, that minimises mean total cost, optionally among the quantities whose
//! mean fill rate reaches a target (docs/optimizer.md).
//!
//! # Method: a zooming grid on common random numbers
//!
//! Every candidate quantity is one copy of the policy ([`candidate_plan`]); the engine runs
//! every copy on the same demand paths in one pass ([`engine::evaluate_cancellable`]), so one
//! pass costs one demand generation per path plus one simulation per candidate, and the
//! differences between candidates carry no demand noise (common random numbers: the same seed
//! gives the same paths whatever the candidate).
//!
//! [`search`] evaluates a coarse grid of [`GRID_POINTS`] quantities over `[lower, upper]`,
//! keeps the bracket between the best point's evaluated neighbours, and lays a new grid of
//! the same size over that bracket, until the bracket holds no unevaluated integer. With 17
//! points a pass the bracket shrinks by a factor of about 8 per pass: a range of 1,000 units
//! needs 3–4 passes and about 45 candidates instead of 1,001. The result is exact — the argmin
//! of a full scan on the same paths — when the mean cost is unimodal in the quantity, which it
//! is for the usual mechanics: on one path the cost of keeping one more unit is the lost
//! salvage now plus its carrying cost, minus the discounted shortage penalty it saves, and
//! this marginal cost rises with the quantity (the unit is needed later or never), so each
//! path's cost is convex and so is their mean. Golden-section search would need one pass per
//! candidate (about log₁.₆₁₈ 1000 ≈ 15 passes, each generating all demand again); the grid
//! shares a pass among many candidates and tolerates flat stretches.
//!
//! With a fill-rate target F, quantities whose mean fill rate is below F are infeasible; the
//! best point is the cheapest feasible one (ties: the smaller quantity). Fill rate rises with
//! the quantity on common random numbers, so the feasible set is an upper interval and the
//! constrained cost is still unimodal. When no candidate reaches F, the best point is the one
//! with the highest fill rate and [`PolicyOptimum::target_met`] is false.
//!
//! Where the mechanics are not convex (a partner who honours requests with some probability
//! and loses units to attrition: each unit released changes the partner's random draws), the
//! mean cost can be bumpy at the scale of one unit, and the grid may stop in a dip within the
//! noise; [`Method::FullScan`] evaluates every quantity ([`SCAN_CHUNK`] per pass) and is exact
//! whatever the curve's shape.
//!
//! For a last-time buy the upper end starts at the 0.999 quantile of lifetime demand (exact
//! compound Poisson, [`crate::retention`]); if the best point lies on it, the range doubles
//! (at most [`MAX_DOUBLINGS`] times).

use std::collections::HashMap;
use std::sync::atomic::AtomicBool;

use schemars::JsonSchema;
use serde::Serialize;

use crate::engine::precision::{self, Figure, PrecisionOutcome, PrecisionRule};
use crate::engine::{self, BLOCK_PATHS, Cancelled, RunSettings, Totals};
use crate::inventory::{LastTimeBuy, Plan};
use crate::retention::{RetainRule, retained_level};
use crate::scenario::{PolicyKind, Scenario};

mod search;
pub use search::{SearchResult, search, search_with};

/// Quantities evaluated per pass of the engine.
pub const GRID_POINTS: usize = 17;

/// Candidates per engine pass in a full scan ([`Method::FullScan`]).
pub const SCAN_CHUNK: usize = 64;

/// How the quantities are searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// The zooming grid (docs/optimizer.md): exact for a unimodal mean cost.
    ZoomingGrid,
    /// Every quantity of the range, `SCAN_CHUNK` (64) per pass: exact whatever the curve's
    /// shape.
    FullScan,
}

/// Times the range of a last-time buy may double when the best point is at its upper end.
pub const MAX_DOUBLINGS: u32 = 20;

/// Paths on which `retain = "optimal"` is resolved before a run: the first
/// min(run paths, this) paths of the run's seed.
pub const OPTIMAL_RETAIN_PATHS: u64 = 10_000;

/// What is optimised for a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuantityKind {
    /// R of a scrap or partner-release policy: units kept at the disposition.
    RetainedLevel,
    /// Units bought at t = 0 by a hold policy (replacing `part.last_time_buy`).
    LastTimeBuy,
}

/// One evaluated quantity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, JsonSchema)]
pub struct FrontierPoint {
    /// R or the last-time buy (units). Stable.
    pub quantity: u64,
    /// Mean total discounted cost per path (currency). Stable.
    pub total_cost: f64,
    /// Fill rate: units filled from stock at once ÷ units demanded, over all paths (share in
    /// [0, 1]; 1 when nothing was demanded). Stable.
    #[schemars(range(min = 0, max = 1))]
    pub fill_rate: f64,
    /// Standard error of `total_cost` (currency).
    pub std_err: f64,
    /// 95 % confidence interval of `total_cost`, `total_cost` ∓ 1.96 · `std_err` as `run`
    /// reports it (currency).
    pub ci95: [f64; 2],
    /// Share of paths on which no demand went short (in [0, 1]).
    #[schemars(range(min = 0, max = 1))]
    pub no_stockout_probability: f64,
}

/// How much work the search took.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct SearchCost {
    /// How the quantities were searched.
    pub method: Method,
    /// Engine passes over all paths.
    pub passes: u32,
    /// Quantities evaluated (the frontier's length).
    pub candidates: u64,
    /// Lowest quantity of the searched range (units).
    pub lower: u64,
    /// Highest quantity of the searched range, after any doubling (units).
    pub upper: u64,
    /// Quantities a full scan of the range would evaluate.
    pub full_grid: u64,
}

/// The optimum of one policy, with everything evaluated on the way.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct PolicyOptimum {
    /// The policy's name. Stable.
    pub policy: String,
    /// What the policy does with the stock: hold, scrap or partner_release.
    #[schemars(with = "PolicyKind")]
    pub kind: String,
    /// What `quantity` means.
    pub quantity_kind: QuantityKind,
    /// The fill-rate target (share in [0, 1]; `null`: none, the cheapest quantity wins).
    #[schemars(range(min = 0, max = 1))]
    pub fill_rate_target: Option<f64>,
    /// Whether `best` reaches the target (true without one).
    pub target_met: bool,
    /// The chosen quantity (stable: `quantity`, `total_cost`, `fill_rate`).
    pub best: FrontierPoint,
    /// Every quantity evaluated, by ascending quantity (stable: `quantity`, `total_cost`,
    /// `fill_rate`).
    pub frontier: Vec<FrontierPoint>,
    /// The search's work.
    pub search: SearchCost,
}

/// Why a policy cannot be optimised.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptimizeError {
    /// The policy repeats its disposition.
    #[error(
        "policy \"{0}\" repeats its disposition (review_every_years); the optimiser chooses one \
         retained level for one disposition: remove review_every_years"
    )]
    Reviews(String),
    /// The run was cancelled.
    #[error("the optimisation was cancelled")]
    Cancelled,
}

impl From<Cancelled> for OptimizeError {
    fn from(_: Cancelled) -> Self {
        OptimizeError::Cancelled
    }
}

/// Which policies `optimize` without `--policy` takes: every policy whose quantity can be
/// chosen (each hold policy's last-time buy, each scrap or partner-release policy's R), except
/// those that repeat their disposition. Indices into `scenario.policies`.
pub fn optimisable_policies(scenario: &Scenario) -> Vec<usize> {
    scenario
        .policies
        .iter()
        .enumerate()
        .filter(|(_, p)| p.review_every_years.is_none())
        .map(|(i, _)| i)
        .collect()
}

/// What is optimised for a policy of this kind.
pub fn quantity_kind(kind: PolicyKind) -> QuantityKind {
    match kind {
        PolicyKind::Hold => QuantityKind::LastTimeBuy,
        PolicyKind::Scrap | PolicyKind::PartnerRelease => QuantityKind::RetainedLevel,
    }
}

/// The plan whose policies are copies of policy `index` of `plan`, one per quantity.
pub fn candidate_plan(scenario: &Scenario, plan: &Plan, index: usize, quantities: &[u64]) -> Plan {
    let base = &plan.policies[index];
    let mut out = plan.clone();
    out.timeseries_paths = 0;
    out.policies = quantities
        .iter()
        .map(|&q| {
            let mut p = base.clone();
            p.name = format!("{}@{q}", base.name);
            match quantity_kind(base.kind) {
                QuantityKind::RetainedLevel => {
                    for d in &mut p.dispositions {
                        d.retained = q;
                    }
                }
                QuantityKind::LastTimeBuy => {
                    p.last_time_buy = Some(LastTimeBuy {
                        starting_stock: scenario.part.on_hand + q,
                        cost: q as f64 * scenario.part.last_time_buy_cost,
                    });
                }
            }
            p
        })
        .collect();
    out
}

/// The first upper end of the searched range: the stock at t = 0 for R (keeping more than
/// everything changes nothing); for a last-time buy the 0.999 quantile of lifetime demand
/// (or, when it is too large to compute exactly, twice the expected lifetime demand), at
/// least 1.
pub fn initial_upper(scenario: &Scenario, kind: QuantityKind) -> u64 {
    match kind {
        QuantityKind::RetainedLevel => scenario.starting_stock(),
        QuantityKind::LastTimeBuy => retained_level(
            RetainRule::Quantile(0.999),
            &scenario.demand,
            0.0,
            scenario.horizon_years,
        )
        .unwrap_or_else(|_| {
            (2.0 * scenario.demand.expected_units(0.0, scenario.horizon_years)).ceil() as u64
        })
        .max(1),
    }
}

/// What the optimiser reports while it works, for a progress display.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptimizeProgress<'a> {
    /// An engine pass over every path starts, evaluating `candidates` quantities of `policy`
    /// (pass numbers count from 1 per policy; how many passes a search needs is not known
    /// in advance).
    Pass {
        /// The policy being optimised.
        policy: &'a str,
        /// Which pass of this policy's search.
        pass: u32,
        /// Quantities evaluated in this pass.
        candidates: usize,
        /// Paths this pass simulates: every path of the search, or with `--precision` only
        /// those beyond the paths an earlier stage already evaluated the same candidates on.
        paths: u64,
    },
    /// With `--precision`, after a stage's searches: an engine pass over every path evaluates
    /// the paired difference between the optima of the two best policies.
    Comparison {
        /// The recommended policy.
        first: &'a str,
        /// The runner-up.
        second: &'a str,
        /// Paths this pass simulates (as for `Pass`).
        paths: u64,
    },
    /// This many more paths of the current pass are done.
    Paths(u64),
}

/// Optimises policy `index` of `scenario` (with its `plan`) on the paths of `settings`.
pub fn optimise_policy(
    scenario: &Scenario,
    plan: &Plan,
    index: usize,
    settings: RunSettings,
    fill_rate_target: Option<f64>,
    cancel: &AtomicBool,
) -> Result<PolicyOptimum, OptimizeError> {
    optimise_policy_with(
        scenario,
        plan,
        index,
        settings,
        fill_rate_target,
        Method::ZoomingGrid,
        &|_| {},
        cancel,
    )
}

/// [`optimise_policy`] with a choice of [`Method`], reporting to `progress`.
#[allow(clippy::too_many_arguments)]
pub fn optimise_policy_with(
    scenario: &Scenario,
    plan: &Plan,
    index: usize,
    settings: RunSettings,
    fill_rate_target: Option<f64>,
    method: Method,
    progress: &(dyn Fn(OptimizeProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<PolicyOptimum, OptimizeError> {
    let mut cache = PassCache::default();
    let context = Context {
        scenario,
        plan,
        settings,
        progress,
        cancel,
    };
    optimise_policy_cached(&context, index, fill_rate_target, method, &mut cache)
}

/// What every engine pass of an optimisation shares: the scenario, its plan, the paths (of
/// the current stage), and where to report and look for a cancellation.
struct Context<'a> {
    scenario: &'a Scenario,
    plan: &'a Plan,
    settings: RunSettings,
    progress: &'a (dyn for<'p> Fn(OptimizeProgress<'p>) + Sync),
    cancel: &'a AtomicBool,
}

/// The exact totals of the engine passes of an optimisation, kept between the stages of
/// `--precision`: per pass (its candidates, each a policy index and a quantity, and whether the
/// totals are paired), the totals of the paths evaluated so far. A stage that repeats a pass
/// on more paths simulates only the new ones and merges them (exactly, as shards merge), so a
/// search whose passes do not change costs little more than its last stage alone.
#[derive(Default)]
struct PassCache {
    passes: HashMap<PassKey, (u64, Totals)>,
}

/// One engine pass of an optimisation: its candidates (policy index, quantity), in order, and
/// whether its totals are paired (the comparison of two optima).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct PassKey {
    candidates: Vec<(usize, u64)>,
    paired: bool,
}

impl PassCache {
    /// The totals of `candidates` (whose plan is `plan`) on the paths of `context`, from
    /// those kept when there are any.
    fn totals(
        &mut self,
        context: &Context,
        key: PassKey,
        plan: &Plan,
        announce: impl FnOnce(u64),
    ) -> Result<&Totals, Cancelled> {
        let paths = context.settings.paths;
        // Kept totals extend when they end at a whole block before these paths (an earlier
        // stage's end); otherwise (never, in a precision search) the pass runs again.
        let (from, kept) = match self.passes.remove(&key) {
            Some((end, t)) if end == paths || (end < paths && end % BLOCK_PATHS == 0) => {
                (end, Some(t))
            }
            _ => (0, None),
        };
        announce(paths - from);
        let totals = match kept {
            Some(t) if from == paths => t,
            kept => {
                let more = engine::simulate_candidates(
                    context.scenario,
                    plan,
                    context.settings,
                    from / BLOCK_PATHS..engine::block_count(paths),
                    key.paired,
                    &|n| (context.progress)(OptimizeProgress::Paths(n)),
                    context.cancel,
                )?;
                match kept {
                    // Counts cannot overflow: the path count is capped by the scenario's
                    // path limit.
                    Some(t) => t.merge(more).expect("the counts of a validated run fit"),
                    None => more,
                }
            }
        };
        let entry = self.passes.entry(key).insert_entry((paths, totals));
        Ok(&entry.into_mut().1)
    }
}

/// [`optimise_policy_with`] with its passes' totals in `cache`.
fn optimise_policy_cached(
    context: &Context,
    index: usize,
    fill_rate_target: Option<f64>,
    method: Method,
    cache: &mut PassCache,
) -> Result<PolicyOptimum, OptimizeError> {
    let (scenario, plan) = (context.scenario, context.plan);
    let policy = &scenario.policies[index];
    if policy.review_every_years.is_some() {
        return Err(OptimizeError::Reviews(policy.name.clone()));
    }
    let kind = quantity_kind(policy.kind);
    let upper = initial_upper(scenario, kind);
    let extendable = kind == QuantityKind::LastTimeBuy;
    let points = match method {
        Method::ZoomingGrid => GRID_POINTS,
        Method::FullScan => usize::MAX,
    };
    let mut passes = 0;
    let mut result = search_with(
        points,
        0,
        upper,
        extendable,
        fill_rate_target,
        |qs: &[u64]| {
            let mut out = Vec::with_capacity(qs.len());
            for chunk in qs.chunks(SCAN_CHUNK) {
                let candidates = candidate_plan(scenario, plan, index, chunk);
                passes += 1;
                let key = PassKey {
                    candidates: chunk.iter().map(|&q| (index, q)).collect(),
                    paired: false,
                };
                let totals = cache.totals(context, key, &candidates, |paths| {
                    (context.progress)(OptimizeProgress::Pass {
                        policy: &policy.name,
                        pass: passes,
                        candidates: chunk.len(),
                        paths,
                    })
                })?;
                out.extend(engine::estimates(scenario, &candidates, totals));
            }
            Ok::<_, Cancelled>(out)
        },
    )?;
    result.cost.passes = passes;
    result.cost.method = method;
    Ok(PolicyOptimum {
        policy: policy.name.clone(),
        kind: policy.kind.as_str().to_string(),
        quantity_kind: kind,
        fill_rate_target,
        target_met: result.target_met,
        best: result.best,
        frontier: result.frontier,
        search: result.cost,
    })
}

/// The result of `pimsim optimize`, written as `optimize.json` (and printed by `pimsim optimize
/// --format json`; docs/optimizer.md).
///
/// The top level carries the stable names `policy`, `best` and `frontier` of one policy: the
/// only one optimised, or among several the one whose optimum is cheapest (among those that
/// meet the fill-rate target, if any does); `policies` lists every optimised policy in
/// scenario order with the same names.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct OptimizeReport {
    /// The recommended policy's optimum (`policy`, `best`, `frontier`, …).
    #[serde(flatten)]
    pub recommended: PolicyOptimum,
    /// Every optimised policy, in scenario order.
    pub policies: Vec<PolicyOptimum>,
    /// The scenario's name.
    pub scenario: String,
    /// Demand paths per candidate (the same paths for every candidate; with `--precision`, the
    /// paths of the last stage).
    pub paths: u64,
    /// Seed of every random stream.
    pub seed: u64,
    /// Version of pimsim that wrote the file (e.g. "0.1.0").
    pub pimsim_version: String,
    /// How an optimisation with `--precision` stopped: the precision asked, whether it was
    /// reached, the paths of the last stage and the most it could use (absent when the
    /// optimisation had no `--precision`). The figures judged are each policy's optimal mean
    /// total cost and, with several policies, the paired difference between the two best
    /// optima.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<PrecisionOutcome>,
    /// Positions of `policies` in the scenario (for colours).
    #[serde(skip)]
    pub policy_indices: Vec<usize>,
    /// The scenario as optimised, for the report's currency and assumptions (not in
    /// `optimize.json`).
    #[serde(skip)]
    pub scenario_as_run: Scenario,
}

/// Optimises policies `indices` of `scenario` in turn and gathers the report, reporting to
/// `progress`.
#[allow(clippy::too_many_arguments)]
pub fn optimise(
    scenario: &Scenario,
    plan: &Plan,
    indices: &[usize],
    settings: RunSettings,
    fill_rate_target: Option<f64>,
    method: Method,
    progress: &(dyn Fn(OptimizeProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<OptimizeReport, OptimizeError> {
    let context = Context {
        scenario,
        plan,
        settings,
        progress,
        cancel,
    };
    optimise_cached(
        &context,
        indices,
        fill_rate_target,
        method,
        &mut PassCache::default(),
    )
}

/// [`optimise`] with its passes' totals in `cache`.
fn optimise_cached(
    context: &Context,
    indices: &[usize],
    fill_rate_target: Option<f64>,
    method: Method,
    cache: &mut PassCache,
) -> Result<OptimizeReport, OptimizeError> {
    let (scenario, settings) = (context.scenario, context.settings);
    let mut policies = Vec::with_capacity(indices.len());
    for &i in indices {
        policies.push(optimise_policy_cached(
            context,
            i,
            fill_rate_target,
            method,
            cache,
        )?);
    }
    let recommended = policies[ranking(&policies)[0]].clone();
    Ok(OptimizeReport {
        recommended,
        policies,
        scenario: scenario.name.clone(),
        paths: settings.paths,
        seed: settings.seed,
        pimsim_version: env!("CARGO_PKG_VERSION").to_string(),
        precision: None,
        policy_indices: indices.to_vec(),
        scenario_as_run: scenario.clone(),
    })
}

/// The optimised policies from the one to recommend down: those whose optimum meets the
/// fill-rate target first, each group by ascending optimal mean cost (ties: scenario order).
/// Positions in `policies`.
fn ranking(policies: &[PolicyOptimum]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..policies.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&policies[a], &policies[b]);
        b.target_met
            .cmp(&a.target_met)
            .then(a.best.total_cost.total_cmp(&b.best.total_cost))
    });
    order
}

/// [`optimise`] until the answer is known (`--precision`): the whole search again, from path 0,
/// on stages of growing path counts ([`precision::stage_until`]), until every optimised
/// policy's optimal mean total cost and, with several policies, the paired difference between
/// the recommended optimum and the runner-up's have 95 % intervals within `rule.target` of
/// their size, or `rule.max_paths` paths are reached. `settings.paths` is not used.
///
/// Each stage's search runs every candidate on the same paths, so the report is exactly that of
/// [`optimise`] with the last stage's paths (and `precision` set): the zooming grid's comparisons
/// across passes stay on common random numbers. A stage aims at the paths the last one predicts
/// (growing up to [`precision::MAX_SEARCH_STAGE_GROWTH`] times), so typically a search of
/// 4,096 paths comes before the last; an engine pass repeated by a later stage simulates only
/// the new paths.
#[allow(clippy::too_many_arguments)]
pub fn optimise_to_precision(
    scenario: &Scenario,
    plan: &Plan,
    indices: &[usize],
    settings: RunSettings,
    fill_rate_target: Option<f64>,
    method: Method,
    rule: PrecisionRule,
    progress: &(dyn Fn(OptimizeProgress) + Sync),
    cancel: &AtomicBool,
) -> Result<OptimizeReport, OptimizeError> {
    let mut cache = PassCache::default();
    let mut last = None;
    let outcome = precision::stage_until(rule, precision::MAX_SEARCH_STAGE_GROWTH, |_, to| {
        let context = Context {
            scenario,
            plan,
            settings: RunSettings {
                paths: to,
                ..settings
            },
            progress,
            cancel,
        };
        let report = optimise_cached(&context, indices, fill_rate_target, method, &mut cache)?;
        let figures = optimum_figures(&context, &report, &mut cache)?;
        last = Some(report);
        Ok::<_, OptimizeError>(figures)
    })?;
    let mut report = last.expect("at least one stage ran");
    report.precision = Some(outcome);
    Ok(report)
}

/// What a precision stage of the optimiser judges: every policy's optimal mean total cost, and
/// with several policies the paired difference between the recommended optimum and the
/// runner-up's (on the paths of `context`), relative to the larger of their costs.
fn optimum_figures(
    context: &Context,
    report: &OptimizeReport,
    cache: &mut PassCache,
) -> Result<Vec<Figure>, Cancelled> {
    let policies = &report.policies;
    let mut figures: Vec<Figure> = policies
        .iter()
        .map(|p| Figure::of(p.best.std_err, p.best.total_cost))
        .collect();
    if let [first, second, ..] = ranking(policies)[..] {
        let optimum = |k: usize| (report.policy_indices[k], policies[k].best.quantity);
        let pair = [optimum(first), optimum(second)];
        let mut plan = context.plan.clone();
        plan.policies = pair
            .iter()
            .map(|&(index, q)| {
                candidate_plan(context.scenario, context.plan, index, &[q])
                    .policies
                    .remove(0)
            })
            .collect();
        let key = PassKey {
            candidates: pair.to_vec(),
            paired: true,
        };
        let totals = cache.totals(context, key, &plan, |paths| {
            (context.progress)(OptimizeProgress::Comparison {
                first: &policies[first].policy,
                second: &policies[second].policy,
                paths,
            })
        })?;
        let d = engine::difference(context.scenario, &plan, totals, 0, 1);
        let stake = policies[first]
            .best
            .total_cost
            .abs()
            .max(policies[second].best.total_cost.abs())
            .max(d.mean.abs());
        figures.push(Figure::of(d.std_err, stake));
    }
    Ok(figures)
}

/// Resolves every `retain = "optimal"` of `scenario` in `plan`: each such policy's retained
/// level becomes the optimum (least mean total cost, no fill-rate target) on the first
/// min(`settings.paths`, [`OPTIMAL_RETAIN_PATHS`]) paths of `settings.seed`. Returns the
/// optimum of each resolved policy with its index.
pub fn resolve_optimal_retain(
    scenario: &Scenario,
    plan: &mut Plan,
    settings: RunSettings,
    cancel: &AtomicBool,
) -> Result<Vec<(usize, PolicyOptimum)>, OptimizeError> {
    let settings = RunSettings {
        paths: settings.paths.min(OPTIMAL_RETAIN_PATHS),
        ..settings
    };
    let mut resolved = Vec::new();
    for (i, p) in scenario.policies.iter().enumerate() {
        if p.retain != Some(RetainRule::Optimal) {
            continue;
        }
        let optimum = optimise_policy(scenario, plan, i, settings, None, cancel)?;
        for d in &mut plan.policies[i].dispositions {
            d.retained = optimum.best.quantity;
        }
        resolved.push((i, optimum));
    }
    Ok(resolved)
}
