//! Controls from a policy's closed-form relative: a stock of `a` units that is never
//! replenished, serves demand until it runs out (lost sales) and is held to the horizon.
//!
//! Per path, for a threshold `a` (units), with D(t) the cumulative units demanded and
//! G(t) = ∫₀ᵗ (1 + i)^(−s) ds the discounted time:
//!
//! - H_a = ∫₀ᵀ (1 + i)^(−t)·(a − D(t))⁺ dt, the relative's discounted unit-years on hand,
//!   `a·G(T) − Σᵢ wᵢ·(G(T) − G(tᵢ))` with wᵢ the units of order i that fall within the first
//!   `a` of cumulative demand;
//! - L_a = (a − D(T))⁺, the units it has left at the horizon, `a − Σᵢ wᵢ`.
//!
//! (The discounted units beyond `a`, X_a = Σᵢ (1 + i)^(−tᵢ)·(uᵢ − wᵢ), is on every path
//! exactly W − a + r·H_a + (1 + i)^(−T)·L_a with W the discounted units demanded and
//! r = ln(1 + i): it adds nothing that H_a, L_a and the demand do not carry.)
//!
//! Their exact expectations follow from the distribution of D(t): given the path's rate
//! multiplier M (Gamma, mean 1, shape 1/cv²) and its death time τ (exponential at the
//! obsolescence rate θ), D(t) is a compound Poisson sum with M·Λ(min(t, τ)) expected orders;
//! over M the number of orders is negative binomial, and Panjer's recursion gives
//! ψ_a(μ) = E\[(a − S_μ)⁺\] = Σ_{k<a} (a − k)·P(S_μ = k) for S_μ with μ expected orders
//! (before the multiplier). Over τ (swapping the order of integration):
//!
//! ```text
//! E[H_a] = ∫₀ᵀ ψ_a(Λ(s))·[ (1 + i)^(−s)·e^(−θs) + θ·e^(−θs)·(G(T) − G(s)) ] ds
//! E[L_a] = e^(−θT)·ψ_a(Λ(T)) + ∫₀ᵀ θ·e^(−θs)·ψ_a(Λ(s)) ds
//! ```
//!
//! integrated by adaptive Gauss–Legendre quadrature on panels that never straddle a year
//! boundary (the table intensity changes there) or the end of a linear intensity, to a
//! relative accuracy far below any Monte Carlo standard error (about 1e-11).

use crate::demand::{DemandModel, DemandPath, Intensity, OrderSize};
use crate::discount::Discount;
use crate::elementary;
use crate::inventory::{Plan, PolicyPlan, count_f64};
use crate::lanes::Pair;
use crate::scenario::PolicyKind;
use std::cell::RefCell;

/// Gauss–Legendre nodes and weights on [−1, 1], 8 points.
const GL8: [(f64, f64); 8] = [
    (-0.960_289_856_497_536_3, 0.101_228_536_290_376_26),
    (-0.796_666_477_413_626_7, 0.222_381_034_453_374_47),
    (-0.525_532_409_916_329, 0.313_706_645_877_887_3),
    (-0.183_434_642_495_65, 0.362_683_783_378_362),
    (0.183_434_642_495_65, 0.362_683_783_378_362),
    (0.525_532_409_916_329, 0.313_706_645_877_887_3),
    (0.796_666_477_413_626_7, 0.222_381_034_453_374_47),
    (0.960_289_856_497_536_3, 0.101_228_536_290_376_26),
];

/// Most multiply-adds the expectations may take (all Panjer recursions together, about a
/// tenth of a second): beyond, the relative controls are not used.
pub const MAX_WORK: f64 = 3e8;

/// Largest threshold (units) whose relative controls are computed.
pub const MAX_THRESHOLD: u64 = 1_000_000;

/// Relative accuracy asked of each panel of the quadrature (of the integral's scale): far
/// below any Monte Carlo standard error (a run of 10⁸ paths resolves about 10⁻⁵).
const TOLERANCE: f64 = 1e-11;

/// Deepest bisection of a panel (a year split 2²⁰ times is far below any demand's scale).
const MAX_DEPTH: u32 = 20;

/// Why relative controls are not used for a scenario.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum NotUsed {
    /// A threshold beyond [`MAX_THRESHOLD`] units.
    TooLarge {
        /// The largest threshold, units.
        threshold: u64,
    },
    /// The recursions would take more than [`MAX_WORK`] multiply-adds.
    TooMuchWork {
        /// Multiply-adds they would take.
        operations: f64,
    },
}

impl NotUsed {
    /// The reason in words, for summary.json.
    pub fn describe(&self) -> String {
        match self {
            NotUsed::TooLarge { threshold } => format!(
                "the relative of a stock of {threshold} units is not a control: it is beyond \
                 the {MAX_THRESHOLD} units whose exact expectations are computed"
            ),
            NotUsed::TooMuchWork { operations } => format!(
                "a relative is not a control: its exact expectations would take about \
                 {operations:.1e} operations (at most {MAX_WORK:.0e})"
            ),
        }
    }
}

/// The exact expectations of the relative controls of a set of thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct Expectations {
    /// The thresholds, units (as given).
    pub thresholds: Vec<u64>,
    /// E\[H_a\] per threshold, discounted unit-years.
    pub holding: Vec<f64>,
    /// E\[L_a\] per threshold, units.
    pub leftover: Vec<f64>,
}

/// The distribution of demand that the expectations need, prepared once.
struct Distribution<'a> {
    model: &'a DemandModel,
    /// Largest threshold, units.
    top: usize,
    /// Shape of the negative binomial of the number of orders (`None`: Poisson).
    shape: Option<f64>,
    /// (P(order size = j + 1), (j + 1)·P(order size = j + 1)), j = 0, 1, … (up to the
    /// largest threshold): the two weights of a term of Panjer's recursion.
    sizes: Vec<Pair>,
    /// For geometric order sizes, P(size = k) = p·qᵏ⁻¹: (p, q). Panjer's two sums then
    /// follow from their values one unit earlier, so the recursion costs a few operations per
    /// unit instead of one per unit and order size.
    geometric: Option<(f64, f64)>,
    /// Working vectors of the recursion, kept between its hundreds of evaluations.
    scratch: RefCell<Scratch>,
}

/// The recursion's working vectors (each of `top` values once used).
#[derive(Default)]
struct Scratch {
    /// The working values in reverse order, `reversed[top − 1 − k]` = g_k.
    reversed: Vec<f64>,
    /// Each working value as computed, and the number of rescalings it was computed under.
    raw: Vec<f64>,
    rescalings: Vec<u32>,
    /// Σ_{m<a} P(S ≤ m) for a = 0 … top.
    running: Vec<f64>,
    /// P(S = k), k < top.
    pmf: Vec<f64>,
}

impl<'a> Distribution<'a> {
    /// The distribution of `model`'s demand, for thresholds up to `top` units, with the
    /// order-size probabilities `severity` (P(size = j + 1), j = 0, 1, …) and the negative
    /// binomial shape `shape` of the number of orders (`None`: Poisson).
    fn new(model: &'a DemandModel, severity: &[f64], top: usize, shape: Option<f64>) -> Self {
        let sizes = severity
            .iter()
            .enumerate()
            .map(|(j, &f)| Pair::new(f, (j + 1) as f64 * f))
            .collect();
        Distribution {
            model,
            top,
            shape,
            sizes,
            geometric: geometric_sizes(&model.order_size),
            scratch: RefCell::new(Scratch::default()),
        }
    }
}

impl Distribution<'_> {
    /// E\[(a − S_μ)⁺\] for every a in `thresholds`, S_μ the demand with μ expected orders
    /// (before the rate multiplier).
    fn psi(&self, mu: f64, thresholds: &[u64], out: &mut [f64]) {
        let mut scratch = self.scratch.borrow_mut();
        let scratch = &mut *scratch;
        let mut pmf = std::mem::take(&mut scratch.pmf);
        self.pmf_into(mu, scratch, &mut pmf);
        // ψ_a = Σ_{k<a} (a − k)·p_k = Σ_{m<a} P(S ≤ m), accumulated once for all thresholds.
        let (mut cdf, mut sum) = (0.0, 0.0);
        let running = &mut scratch.running;
        // Every value is written before it is read: sized once, never cleared.
        running.resize(self.top + 1, 0.0);
        running[0] = 0.0;
        for (r, &p) in running[1..].iter_mut().zip(&pmf[..self.top]) {
            cdf += p;
            sum += cdf;
            *r = sum;
        }
        for (o, &a) in out.iter_mut().zip(thresholds) {
            *o = running[a as usize];
        }
        scratch.pmf = pmf;
    }

    /// P(S_μ = k) for k < `top` (see [`Distribution::pmf_into`]).
    #[cfg(test)]
    fn pmf(&self, mu: f64) -> Vec<f64> {
        let mut g = Vec::new();
        self.pmf_into(mu, &mut Scratch::default(), &mut g);
        g
    }

    /// P(S_μ = k) for k < `top`, by Panjer's recursion for the (a, b, 0) class (Poisson
    /// or negative binomial counts), with a running scale so that P(S = 0) never underflows.
    /// Into `g`, with `scratch`'s working vectors.
    fn pmf_into(&self, mu: f64, scratch: &mut Scratch, g: &mut Vec<f64>) {
        let n = self.top;
        // Every vector below is sized once (its length stays `top`) and every value read is
        // written first in each evaluation, so none is cleared.
        g.resize(n.max(1), 0.0);
        if n == 0 {
            return;
        }
        let mu = mu.max(0.0);
        let (a, b, log_g0) = match self.shape {
            None => (0.0, mu, -mu),
            Some(r) => {
                let beta = mu / r;
                let q = beta / (1.0 + beta);
                (q, (r - 1.0) * q, -r * elementary::ln_1p(beta))
            }
        };
        // Each value is kept as computed, with the scale it was computed under: rescaling the
        // working values later (for larger k) must not change the earlier ones, so that the
        // probabilities below a threshold have the same bits whatever the largest threshold.
        let (raw, rescalings) = (&mut scratch.raw, &mut scratch.rescalings);
        rescalings.resize(n, 0);
        rescalings[0] = 0;
        raw.resize(n, 0.0);
        raw[0] = 1.0;
        let mut scale = 0u32;
        if let Some((p, q)) = self.geometric {
            // With f_j = p·qʲ⁻¹ the sums U_m = Σ_j f_j·g_(m−j) and V_m = Σ_j j·f_j·g_(m−j)
            // satisfy U_m = p·g_(m−1) + q·U_(m−1) and V_m = q·V_(m−1) + U_m (U₀ = V₀ = 0):
            // Panjer's g_m = a·U_m + (b/m)·V_m, exact and without truncating the sizes. U and
            // V are sums of non-negative terms (no cancellation beyond Panjer's own).
            let (mut u, mut v, mut previous) = (0.0, 0.0, 1.0);
            // m as a float, counted up (exact): no integer conversion per unit.
            let mut m = 0.0;
            for (r, e) in raw[1..n].iter_mut().zip(&mut rescalings[1..n]) {
                m += 1.0;
                u = p * previous + q * u;
                v = q * v + u;
                let s = a * u + b / m * v;
                *r = s;
                *e = scale;
                previous = s;
                if s > 1e250 {
                    // As below: the working values (here the last one and the two sums)
                    // rescaled, the values kept as computed.
                    previous *= 1e-250;
                    u *= 1e-250;
                    v *= 1e-250;
                    scale += 1;
                }
            }
            self.finish_pmf(log_g0, scratch, g);
            return;
        }
        // The working values in reverse order, `reversed[n − 1 − k]` = g_k: the recursion's
        // window g_(m−1), g_(m−2), … is then a forward slice, read in step with the sizes.
        let reversed = &mut scratch.reversed;
        reversed.resize(n, 0.0);
        reversed[n - 1] = 1.0;
        let (sizes, len) = (&self.sizes, self.sizes.len());
        // g_m = Σ_j (a + b·j/m)·f_j·g_(m−j) = a·Σ f_j·g_(m−j) + (b/m)·Σ j·f_j·g_(m−j):
        // two dot products without a division per term, summed as the two lanes of a pair
        // (f_j, j·f_j) each in the order of j.
        for m in 1..n {
            let mut sums = Pair::splat(0.0);
            let terms = m.min(len);
            for (size, gv) in sizes[..terms].iter().zip(&reversed[n - m..n - m + terms]) {
                sums = sums.add(size.mul(Pair::splat(*gv)));
            }
            let (plain, by_size) = (sums.lo(), sums.hi());
            let s = a * plain + b / m as f64 * by_size;
            reversed[n - 1 - m] = s;
            raw[m] = s;
            rescalings[m] = scale;
            if s > 1e250 {
                // Rare: the working values rescaled (the smallest underflow to 0, as they
                // would at the end).
                for v in &mut reversed[n - 1 - m..] {
                    *v *= 1e-250;
                }
                scale += 1;
            }
        }
        self.finish_pmf(log_g0, scratch, g);
    }

    /// The probabilities from the recursion's values as computed (`scratch.raw`, with their
    /// rescalings) and log P(S = 0), into `g`.
    fn finish_pmf(&self, log_g0: f64, scratch: &Scratch, g: &mut [f64]) {
        let (raw, rescalings) = (&scratch.raw, &scratch.rescalings);
        // g₀·g̃ where g₀ = e^(log g₀) is a normal number and g̃ was never rescaled; else
        // e^(log g₀ + scale + ln g̃), as g₀ alone may underflow where the product does not.
        let g0 = elementary::exp(log_g0);
        let direct = log_g0 > -700.0;
        for ((v, &r), &e) in g.iter_mut().zip(raw.iter()).zip(rescalings.iter()) {
            *v = if r <= 0.0 {
                0.0
            } else if direct && e == 0 {
                g0 * r
            } else {
                elementary::exp(
                    log_g0 + f64::from(e) * 250.0 * std::f64::consts::LN_10 + elementary::ln(r),
                )
            };
        }
    }
}

/// `(p, q)` of geometric order sizes, P(size = k) = p·qᵏ⁻¹ (as
/// [`OrderSize::probability`](crate::demand::OrderSize::probability) has them), or `None`.
fn geometric_sizes(size: &OrderSize) -> Option<(f64, f64)> {
    match *size {
        OrderSize::Geometric { mean } => {
            let p = (1.0 / mean).min(1.0);
            Some((p, 1.0 - p))
        }
        _ => None,
    }
}

/// Multiply-adds of one ψ evaluation for the largest threshold `top` and `len` sizes of
/// distribution `size`: one per unit and size, or, for geometric sizes, six per unit: their
/// recursion (two sums and the value, [`Distribution::pmf_into`]) with the per-unit work of
/// the probabilities and ψ's sums takes about the time of six terms of the full recursion
/// (measured: 62 instructions per unit on the benchmark, against about 10 per term), so that
/// [`MAX_WORK`] bounds the time alike for every family.
fn psi_work(top: u64, len: usize, size: &OrderSize) -> f64 {
    let top = top as f64;
    if geometric_sizes(size).is_some() {
        return 6.0 * top;
    }
    top * top.min(len as f64)
}

/// The exact expectations of H_a and L_a for every threshold in `thresholds` (units), for
/// demand `model` over `[0, horizon)` years discounted by `discount`; why not, when the
/// thresholds are too large to compute them cheaply.
pub fn expectations(
    model: &DemandModel,
    horizon: f64,
    discount: &Discount,
    thresholds: &[u64],
) -> Result<Expectations, NotUsed> {
    let severity = severity_within_budget(model, horizon, thresholds)?;
    let top = thresholds.iter().copied().max().unwrap_or(0);
    let dist = Distribution::new(
        model,
        &severity,
        top as usize,
        (model.rate_cv > 0.0).then(|| 1.0 / (model.rate_cv * model.rate_cv)),
    );
    let k = thresholds.len();
    let theta = model.obsolescence_rate();
    let g_end = discount.discounted_time(horizon);
    // The integrands, per threshold: [H weight · ψ, θ·e^(−θs)·ψ].
    let integrand = |s: f64, out: &mut [f64]| {
        let mut psi = vec![0.0; k];
        dist.psi(cumulative(&dist.model.intensity, s), thresholds, &mut psi);
        let survival = elementary::exp(-theta * s);
        let w_h = discount.factor(s) * survival
            + theta * survival * (g_end - discount.discounted_time(s));
        let w_l = theta * survival;
        for (a, &p) in psi.iter().enumerate() {
            out[2 * a] = w_h * p;
            out[2 * a + 1] = w_l * p;
        }
    };
    // The scale each integral is measured against: a·(G(T) + 1).
    let scale: Vec<f64> = thresholds
        .iter()
        .flat_map(|&a| {
            let s = a as f64 * (g_end + 1.0);
            [s, s]
        })
        .collect();
    let mut total = vec![0.0; 2 * k];
    let all = vec![true; 2 * k];
    let mut whole = vec![0.0; 2 * k];
    for (lo, hi) in panels(&model.intensity, horizon) {
        gauss(&integrand, lo, hi, &mut whole);
        adaptive(
            &integrand, lo, hi, horizon, &scale, 0, &all, &whole, &mut total,
        );
    }
    let mut at_end = vec![0.0; k];
    dist.psi(
        cumulative(&model.intensity, horizon),
        thresholds,
        &mut at_end,
    );
    let survival_end = elementary::exp(-theta * horizon);
    Ok(Expectations {
        thresholds: thresholds.to_vec(),
        holding: (0..k).map(|a| total[2 * a]).collect(),
        leftover: (0..k)
            .map(|a| survival_end * at_end[a] + total[2 * a + 1])
            .collect(),
    })
}

/// The order-size probabilities the expectations of `thresholds` need, or why computing them
/// would cost too much.
fn severity_within_budget(
    model: &DemandModel,
    horizon: f64,
    thresholds: &[u64],
) -> Result<Vec<f64>, NotUsed> {
    let top = thresholds.iter().copied().max().unwrap_or(0);
    if top > MAX_THRESHOLD {
        return Err(NotUsed::TooLarge { threshold: top });
    }
    let severity: Vec<f64> = if top == 0 {
        Vec::new()
    } else {
        model.order_size.truncated_pmf(1e-17, top)
    };
    // A first guess of the evaluations: 17 per panel on about 4 panels a year.
    let evaluations = 17.0 * 4.0 * horizon.ceil().max(1.0);
    let operations = evaluations * psi_work(top, severity.len(), &model.order_size);
    if operations > MAX_WORK {
        return Err(NotUsed::TooMuchWork { operations });
    }
    Ok(severity)
}

/// Most partners whose reliability draws are a policy's controls (the first ones).
pub const MAX_PARTNER_CONTROLS: usize = 2;

/// Most relative controls of one policy: H and L of at most two thresholds, and the
/// reliability draws of at most [`MAX_PARTNER_CONTROLS`] partners.
pub const MAX_POLICY_CONTROLS: usize = 4 + MAX_PARTNER_CONTROLS;

/// The relative controls of a run: every policy's thresholds, merged into one increasing
/// list so that one pass over a path's orders computes them all.
#[derive(Debug, Clone, PartialEq)]
pub struct RelativeSet {
    /// The distinct thresholds of all policies (units, increasing; empty when the relative
    /// controls are not used).
    pub thresholds: Vec<u64>,
    /// Per policy, the indices in `thresholds` of its own thresholds (increasing). Its
    /// controls are, per threshold in this order, H_a then L_a, and then its partners'.
    pub of_policy: Vec<Vec<usize>>,
    /// Per policy, the partners (indices) whose reliability draws are controls: for partner
    /// release, the first [`MAX_PARTNER_CONTROLS`] partners that do not always honour a
    /// request. The control is R_j = (requests honoured) − reliability·(requests made), whose
    /// expectation is exactly 0: each request is honoured with that probability, drawn
    /// independently of everything before it.
    pub partners_of_policy: Vec<Vec<usize>>,
    /// G(T), the horizon's discounted time (years).
    pub g_end: f64,
    /// Why a policy's threshold is not among `thresholds` (the first such), when one is not.
    pub not_used: Option<NotUsed>,
}

impl RelativeSet {
    /// The relative controls of the policies of `plan` for demand `model`: those of every
    /// threshold whose exact expectations cost little enough ([`NotUsed`]).
    pub fn new(model: &DemandModel, plan: &Plan) -> Self {
        let own: Vec<Vec<u64>> = plan
            .policies
            .iter()
            .map(|p| policy_thresholds(plan, p))
            .collect();
        let mut candidates: Vec<u64> = own.iter().flatten().copied().collect();
        candidates.sort_unstable();
        candidates.dedup();
        // Each threshold is judged on its own cost, so that whether a policy's relative is
        // used does not depend on the other policies (or candidates) of the run.
        let within = candidates.partition_point(|&a| a <= MAX_THRESHOLD);
        let sizes = candidates[..within]
            .last()
            .map_or(0, |&top| model.order_size.truncated_pmf(1e-17, top).len());
        let evaluations = 17.0 * 4.0 * plan.horizon.time.ceil().max(1.0);
        let mut not_used = None;
        let thresholds: Vec<u64> = candidates
            .iter()
            .copied()
            .filter(|&a| {
                let why = if a > MAX_THRESHOLD {
                    Some(NotUsed::TooLarge { threshold: a })
                } else {
                    let operations =
                        evaluations * psi_work(a, sizes.min(a as usize), &model.order_size);
                    (operations > MAX_WORK).then_some(NotUsed::TooMuchWork { operations })
                };
                if not_used.is_none() {
                    not_used = why;
                }
                why.is_none()
            })
            .collect();
        let of_policy = own
            .iter()
            .map(|t| {
                t.iter()
                    .filter_map(|a| thresholds.binary_search(a).ok())
                    .collect()
            })
            .collect();
        let partners_of_policy = plan
            .policies
            .iter()
            .map(|p| {
                if p.kind != PolicyKind::PartnerRelease {
                    return Vec::new();
                }
                (0..plan.partners.len())
                    .filter(|&j| plan.partners[j].reliability < 1.0)
                    .take(MAX_PARTNER_CONTROLS)
                    .collect()
            })
            .collect();
        RelativeSet {
            thresholds,
            of_policy,
            partners_of_policy,
            g_end: plan.horizon.discounted_time,
            not_used,
        }
    }

    /// Whether any policy has relative controls.
    pub fn any(&self) -> bool {
        !self.thresholds.is_empty() || self.partners_of_policy.iter().any(|p| !p.is_empty())
    }

    /// The relative controls of policy `p` on a path with demand controls `holding` and
    /// `leftover` (per threshold of the set) and partner counts `partners`, into `x`.
    #[inline]
    pub fn policy_controls(
        &self,
        p: usize,
        plan: &Plan,
        holding: &[f64],
        leftover: &[f64],
        partners: &[crate::inventory::PartnerCounts],
        x: &mut [f64],
    ) {
        let own = &self.of_policy[p];
        for (q, &t) in own.iter().enumerate() {
            x[2 * q] = holding[t];
            x[2 * q + 1] = leftover[t];
        }
        let base = 2 * own.len();
        for (q, &j) in self.partners_of_policy[p].iter().enumerate() {
            let c = &partners[j];
            x[base + q] = c.honoured as f64 - plan.partners[j].reliability * c.requests as f64;
        }
    }

    /// Number of relative controls of policy `p` (2 per threshold, 1 per partner).
    pub fn controls_of(&self, p: usize) -> usize {
        2 * self.of_policy[p].len() + self.partners_of_policy[p].len()
    }

    /// The exact expectations of every threshold's H_a and L_a (`None` when there are none).
    pub fn expectations(&self, model: &DemandModel, plan: &Plan) -> Option<Expectations> {
        if self.thresholds.is_empty() {
            return None;
        }
        expectations(model, plan.horizon.time, &plan.discount, &self.thresholds).ok()
    }
}

/// Λ(t), expected orders in (0, t] (before the multiplier, without death).
fn cumulative(intensity: &Intensity, t: f64) -> f64 {
    intensity.cumulative(t)
}

/// The panels of the quadrature: whole years (the last one cut at the horizon), also cut
/// where a linear intensity ends.
fn panels(intensity: &Intensity, horizon: f64) -> Vec<(f64, f64)> {
    let mut cuts: Vec<f64> = (0..).map(f64::from).take_while(|&t| t < horizon).collect();
    if let Intensity::Linear { end_years, .. } = intensity
        && *end_years > 0.0
        && *end_years < horizon
    {
        cuts.push(*end_years);
    }
    cuts.push(horizon);
    cuts.sort_by(f64::total_cmp);
    cuts.dedup();
    cuts.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Gauss–Legendre with 8 nodes of every integrand on [lo, hi].
fn gauss(integrand: &dyn Fn(f64, &mut [f64]), lo: f64, hi: f64, out: &mut [f64]) {
    out.iter_mut().for_each(|v| *v = 0.0);
    let (mid, half) = (0.5 * (lo + hi), 0.5 * (hi - lo));
    let mut values = vec![0.0; out.len()];
    for (x, w) in GL8 {
        integrand(mid + half * x, &mut values);
        for (o, v) in out.iter_mut().zip(&values) {
            *o += half * w * v;
        }
    }
}

/// Adds the integrals over [lo, hi] to `total`, bisecting until the two halves agree with
/// `whole` (the rule on all of [lo, hi]) within [`TOLERANCE`] of `scale` (per unit of the
/// panel's share of `horizon`). Each integral (those whose `active` is true) is judged on its
/// own: its panels, and so its bits, do not depend on which other integrals are computed with
/// it.
#[allow(clippy::too_many_arguments)]
fn adaptive(
    integrand: &dyn Fn(f64, &mut [f64]),
    lo: f64,
    hi: f64,
    horizon: f64,
    scale: &[f64],
    depth: u32,
    active: &[bool],
    whole: &[f64],
    total: &mut [f64],
) {
    let n = total.len();
    let mid = 0.5 * (lo + hi);
    let (mut left, mut right) = (vec![0.0; n], vec![0.0; n]);
    gauss(integrand, lo, mid, &mut left);
    gauss(integrand, mid, hi, &mut right);
    let share = (hi - lo) / horizon;
    let mut pending = vec![false; n];
    for i in (0..n).filter(|&i| active[i]) {
        let converged =
            (left[i] + right[i] - whole[i]).abs() <= TOLERANCE * scale[i].max(1e-300) * share;
        if converged || depth >= MAX_DEPTH {
            total[i] += left[i] + right[i];
        } else {
            pending[i] = true;
        }
    }
    if pending.iter().any(|&p| p) {
        adaptive(
            integrand,
            lo,
            mid,
            horizon,
            scale,
            depth + 1,
            &pending,
            &left,
            total,
        );
        adaptive(
            integrand,
            mid,
            hi,
            horizon,
            scale,
            depth + 1,
            &pending,
            &right,
            total,
        );
    }
}

/// The relative controls H_a (discounted unit-years) and L_a (units) of `path` for the
/// thresholds `thresholds` (units, in increasing order), into `holding` and `leftover`;
/// `g_end` is G(T), the horizon's discounted time (years).
///
/// One pass over the orders with two running sums, whatever the number of thresholds: with
/// wᵢ the units of order i within the first `a`, H_a = G(T)·L_a + Σᵢ wᵢ·G(tᵢ) (the same as
/// a·G(T) − Σᵢ wᵢ·(G(T) − G(tᵢ)), without the difference of large numbers).
#[inline]
pub fn path_controls(
    path: &DemandPath,
    thresholds: &[u64],
    g_end: f64,
    holding: &mut [f64],
    leftover: &mut [f64],
) {
    let m = thresholds.len();
    let (mut j, mut before, mut weighted) = (0, 0u64, 0.0);
    if m == 0 {
        return;
    }
    // The next threshold to reach: one comparison per order until it is reached.
    let mut next = thresholds[0];
    for o in &path.orders {
        let after = before + o.units;
        if after >= next {
            // The thresholds this order reaches: their stock runs out at this order.
            while j < m && thresholds[j] <= after {
                let part = (thresholds[j] - before) as f64;
                holding[j] = weighted + part * o.discounted_time;
                leftover[j] = 0.0;
                j += 1;
            }
            if j == m {
                return;
            }
            next = thresholds[j];
        }
        // `count_f64`: one conversion instruction where `as f64` of a u64 takes six.
        weighted += count_f64(o.units) * o.discounted_time;
        before = after;
    }
    for k in j..m {
        let left = (thresholds[k] - before) as f64;
        leftover[k] = left;
        holding[k] = g_end * left + weighted;
    }
}

/// The thresholds (units) of the closed-form relative of `policy`, in increasing order:
/// its starting stock for hold; the first retained level for scrap (and the starting stock
/// too when the first disposition is later than t = 0); for partner release the retained
/// level (its own stock) and the starting stock (own and partner stock together: an
/// always-reliable, instant, attrition-free buy-back).
pub fn policy_thresholds(plan: &Plan, policy: &PolicyPlan) -> Vec<u64> {
    let start = policy
        .last_time_buy
        .map_or(plan.starting_stock, |b| b.starting_stock);
    let mut t = vec![start];
    if let Some(first) = policy.dispositions.first() {
        let retained = first.retained.min(start);
        match policy.kind {
            PolicyKind::Hold => {}
            PolicyKind::Scrap if first.at.time <= 0.0 => t = vec![retained],
            _ => t.push(retained),
        }
    }
    t.sort_unstable();
    t.dedup();
    t.retain(|&a| a > 0);
    t
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // references may use the platform's functions
mod tests;
