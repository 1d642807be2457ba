//! Demand: when orders arrive and how many units each asks for.
//!
//! Orders arrive as a Poisson process with intensity `M · λ(t)` for `t < min(T, τ)`, where
//! [`Intensity`] is λ, `M` is the path's rate multiplier (Gamma with mean 1 when the rate is
//! uncertain) and `τ` the path's sudden-death (obsolescence) time. Each order's size is drawn
//! from an [`OrderSize`] distribution.
//!
//! A path is generated once, exactly, by [`DemandGenerator::generate`]: the arrival times of a
//! unit-rate Poisson process are mapped through the inverse cumulative intensity (closed form for
//! the constant, exponential, linear and table models and the installed base with shape 1), or,
//! for the installed base with another shape, thinned from a piecewise-constant envelope that is
//! provably above λ. The work per path grows with the number of orders, never with the number of
//! calendar periods. Every policy is then evaluated on the same [`DemandPath`].
//!
//! Inversion runs in batches of up to 64 orders: the arrivals are drawn one by one, then mapped
//! to times, discount factors and discounted times in loops the compiler vectorises (with
//! [`crate::elementary`]'s `ln` and `exp`; compiled for AVX2 too where the CPU has it, with the
//! same bits), then given their sizes; a batch stops exactly where one order at a time would.

mod intensity;
mod order_size;

pub use intensity::Intensity;
pub use order_size::{OrderSize, OrderSizeSampler};

use std::cmp::Ordering;

use crate::sampling::{Gamma, exp1};
use schemars::JsonSchema;
use serde::Serialize;

use crate::discount::Discount;
use crate::elementary;
use crate::rng::{Stream, StreamFactory, StreamRng, uniform_open};

/// The demand block of a scenario: the order intensity λ(t) (its `model` and parameters), the
/// order sizes, and the per-path uncertainty and risk.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct DemandModel {
    /// λ(t), orders per year.
    #[serde(flatten)]
    pub intensity: Intensity,
    /// Units per order.
    pub order_size: OrderSize,
    /// Coefficient of variation of the path's rate multiplier `M` (dimensionless; 0 = the
    /// rate is known).
    pub rate_cv: f64,
    /// Probability per year that the part dies suddenly (probability in [0, 1); 0 = never).
    pub obsolescence_annual_probability: f64,
}

impl DemandModel {
    /// The hazard rate θ = −ln(1 − p) per year of sudden death.
    pub fn obsolescence_rate(&self) -> f64 {
        -elementary::ln_1p(-self.obsolescence_annual_probability)
    }

    /// Expected orders in (a, b] under the mean intensity, given the part is still alive at
    /// `a`: `∫ₐᵇ λ(s)·e^(−θ(s−a)) ds` (the rate multiplier has mean 1).
    pub fn expected_orders(&self, a: f64, b: f64) -> f64 {
        self.intensity
            .expected_orders(a, b, self.obsolescence_rate(), a)
    }

    /// Expected units demanded in (a, b] under the mean intensity, given the part is still alive
    /// at `a`.
    pub fn expected_units(&self, a: f64, b: f64) -> f64 {
        self.expected_orders(a, b) * self.order_size.mean()
    }

    /// Expected units demanded in (a, b] over all paths, as seen from t = 0 (rate uncertainty
    /// has mean 1; sudden death is counted from t = 0, so the part may be dead by `a`).
    pub fn expected_units_in_window(&self, a: f64, b: f64) -> f64 {
        self.intensity
            .expected_orders(a, b, self.obsolescence_rate(), 0.0)
            * self.order_size.mean()
    }
}

/// One order of a demand path.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C)]
pub struct Order {
    // `time` and `discounted_time` first and side by side (`repr(C)` fixes the layout): the
    // policies' per-order loop loads them as one pair.
    /// Arrival time, years.
    pub time: f64,
    /// Discounted time `G(time)` in years (see [`Discount::discounted_time`]).
    pub discounted_time: f64,
    /// Units asked for (≥ 1).
    pub units: u64,
    /// Discount factor at `time`.
    pub discount: f64,
}

/// One possible future of demand, shared by every policy.
#[derive(Debug, Clone, Default)]
pub struct DemandPath {
    /// Orders in time order, all before the horizon.
    pub orders: Vec<Order>,
    /// The path's rate multiplier `M` (1 without rate uncertainty).
    pub rate_multiplier: f64,
    /// When the part died suddenly on this path, if before the horizon (years).
    pub obsolete_at: Option<f64>,
}

impl DemandPath {
    /// Total units demanded on the path.
    pub fn units(&self) -> u64 {
        self.orders.iter().map(|o| o.units).sum()
    }
}

/// Piecewise-constant rate: `rates[j]` on `[starts[j], starts[j+1])`, the last one forever.
#[derive(Debug, Clone)]
struct PiecewiseRate {
    starts: Vec<f64>,
    rates: Vec<f64>,
    /// Cumulative rate at each start.
    cumulative: Vec<f64>,
}

impl PiecewiseRate {
    fn new(starts: Vec<f64>, rates: Vec<f64>) -> Self {
        let mut cumulative = Vec::with_capacity(starts.len());
        let mut c = 0.0;
        for j in 0..starts.len() {
            cumulative.push(c);
            if j + 1 < starts.len() {
                c += rates[j] * (starts[j + 1] - starts[j]);
            }
        }
        PiecewiseRate {
            starts,
            rates,
            cumulative,
        }
    }

    fn cumulative_at(&self, t: f64) -> f64 {
        let j = self.segment_of_time(t);
        self.cumulative[j] + self.rates[j] * (t - self.starts[j])
    }

    fn segment_of_time(&self, t: f64) -> usize {
        self.starts.partition_point(|&s| s <= t).saturating_sub(1)
    }

    /// The time at which the cumulative rate reaches `s`, searching forward from segment
    /// `*cursor` (arrivals come in increasing order, so the walk is amortised O(1)).
    fn invert(&self, s: f64, cursor: &mut usize) -> (f64, usize) {
        let last = self.starts.len() - 1;
        while *cursor < last && self.cumulative[*cursor + 1] <= s {
            *cursor += 1;
        }
        let j = *cursor;
        let rate = self.rates[j];
        let t = if rate > 0.0 {
            self.starts[j] + (s - self.cumulative[j]) / rate
        } else {
            f64::INFINITY
        };
        (t, j)
    }
}

/// How arrival times are produced for a model.
#[derive(Debug, Clone)]
enum ArrivalMethod {
    /// λ = a·e^(−b·t): closed-form inversion.
    Exponential { scale: f64, decay: f64 },
    /// λ = rate·(1 − t/end): closed-form inversion.
    Linear { rate: f64, end: f64 },
    /// Piecewise-constant λ: exact inversion.
    Piecewise(PiecewiseRate),
    /// Thinning of a piecewise-constant envelope ≥ λ.
    Thinning(PiecewiseRate),
}

/// Arrivals generated together by inversion: enough for the vector loops to pay, small
/// enough for the batch (five arrays, 2.5 KiB) to stay in the L1 cache.
const BATCH: usize = 64;

/// One batch of orders in the making: unit-rate arrival `s`, time (years), discount factor,
/// discounted time (years) and units.
struct Batch {
    arrivals: [f64; BATCH],
    times: [f64; BATCH],
    factors: [f64; BATCH],
    discounted_times: [f64; BATCH],
    units: [u64; BATCH],
}

/// Where [`DemandGenerator::map_batch`] writes: times (years), discount factors and
/// discounted times (years), as many as arrivals.
struct Mapped<'a> {
    times: &'a mut [f64],
    factors: &'a mut [f64],
    discounted_times: &'a mut [f64],
}

impl Default for Batch {
    fn default() -> Self {
        Batch {
            arrivals: [0.0; BATCH],
            times: [0.0; BATCH],
            factors: [0.0; BATCH],
            discounted_times: [0.0; BATCH],
            units: [0; BATCH],
        }
    }
}

/// Number of envelope pieces over the horizon for thinning.
const ENVELOPE_PIECES: usize = 64;

/// Generates demand paths of one scenario; cheap to share between threads.
#[derive(Debug, Clone)]
pub struct DemandGenerator {
    model: DemandModel,
    horizon: f64,
    discount: Discount,
    sizes: OrderSizeSampler,
    method: ArrivalMethod,
    risk: Option<Gamma>,
    obsolescence_rate: f64,
    /// The instruction set the batches are compiled for on this machine.
    kernel: Kernel,
}

/// The instruction set of the batch loops of [`DemandGenerator::map_batch`]. Both
/// give the same bits: the loops use only correctly rounded IEEE operations (no fused
/// multiply-add, which Rust never forms by itself), whose results do not depend on the
/// vector width; `batches_are_the_same_with_every_kernel` checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kernel {
    /// The target's baseline (SSE2 on x86-64): two lanes.
    Baseline,
    /// AVX2, detected at run time: four lanes.
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Kernel {
    /// The widest kernel this machine runs.
    fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            return Kernel::Avx2;
        }
        Kernel::Baseline
    }
}

impl DemandGenerator {
    /// A generator for `model` over `[0, horizon)` years, with `discount` for the order records.
    pub fn new(model: &DemandModel, horizon: f64, discount: Discount) -> Self {
        let method = if let Some((scale, decay)) = model.intensity.as_exponential() {
            ArrivalMethod::Exponential { scale, decay }
        } else {
            match &model.intensity {
                Intensity::Linear { rate, end_years } => ArrivalMethod::Linear {
                    rate: *rate,
                    end: *end_years,
                },
                Intensity::Table { rates } => ArrivalMethod::Piecewise(PiecewiseRate::new(
                    (0..rates.len()).map(|j| j as f64).collect(),
                    rates.clone(),
                )),
                _ => {
                    let width = horizon / ENVELOPE_PIECES as f64;
                    let starts: Vec<f64> = (0..ENVELOPE_PIECES).map(|j| j as f64 * width).collect();
                    let rates = starts
                        .iter()
                        .map(|&a| model.intensity.max_rate(a, a + width) * (1.0 + 1e-12))
                        .collect();
                    ArrivalMethod::Thinning(PiecewiseRate::new(starts, rates))
                }
            }
        };
        let risk = (model.rate_cv > 0.0).then(|| {
            let shape = 1.0 / (model.rate_cv * model.rate_cv);
            Gamma::new(shape, 1.0 / shape).expect("validated rate_cv > 0")
        });
        DemandGenerator {
            model: model.clone(),
            horizon,
            discount,
            sizes: model.order_size.sampler(),
            method,
            risk,
            obsolescence_rate: model.obsolescence_rate(),
            kernel: Kernel::detect(),
        }
    }

    /// The demand model this generator draws from.
    pub fn model(&self) -> &DemandModel {
        &self.model
    }

    /// Cumulative (envelope) intensity of the arrival method at `t`.
    fn method_cumulative(&self, t: f64) -> f64 {
        match &self.method {
            ArrivalMethod::Exponential { scale, decay } => {
                scale * crate::discount::exp_integral(*decay, 0.0, t)
            }
            ArrivalMethod::Linear { rate, end } => {
                let t = t.min(*end);
                rate * (t - t * t / (2.0 * end))
            }
            ArrivalMethod::Piecewise(p) | ArrivalMethod::Thinning(p) => p.cumulative_at(t),
        }
    }

    /// Fills `path` with the demand of path number `path_index`.
    pub fn generate(&self, streams: &StreamFactory, path_index: u64, path: &mut DemandPath) {
        path.orders.clear();
        let (multiplier, obsolete_at) = self.path_risk(streams, path_index);
        path.rate_multiplier = multiplier;
        path.obsolete_at = obsolete_at;
        let stop = obsolete_at.unwrap_or(self.horizon).min(self.horizon);
        if multiplier <= 0.0 || stop <= 0.0 {
            return;
        }
        // Unit-rate arrivals s₁ < s₂ < … mapped to times where M·Λ(t) = s.
        let budget = multiplier * self.method_cumulative(stop);
        let mut arrivals = streams.open(path_index, Stream::DemandArrivals);
        let mut sizes = streams.open(path_index, Stream::OrderSizes);
        match &self.method {
            ArrivalMethod::Thinning(envelope) => self.generate_thinned(
                envelope,
                (multiplier, budget, stop),
                &mut arrivals,
                &mut sizes,
                path,
            ),
            _ => {
                self.generate_inverted((multiplier, budget, stop), &mut arrivals, &mut sizes, path)
            }
        }
    }

    /// Inversion of the cumulative intensity, in batches of up to [`BATCH`] orders: the
    /// arrivals of a batch are drawn and summed in order (exactly as one at a time), then
    /// mapped to times, discount factors and discounted times in loops the compiler
    /// vectorises ([`DemandGenerator::map_batch`]), then given their sizes in order. The
    /// arrival stream serves nothing else, so a batch ends exactly where the one-at-a-time
    /// loop would stop: at the first arrival beyond the budget or the first time at or
    /// beyond `stop`.
    fn generate_inverted(
        &self,
        (multiplier, budget, stop): (f64, f64, f64),
        arrivals: &mut StreamRng,
        sizes: &mut StreamRng,
        path: &mut DemandPath,
    ) {
        let mut batch = Batch::default();
        let mut s = 0.0;
        let mut cursor = 0usize;
        loop {
            let mut drawn = 0;
            let mut beyond_budget = false;
            while drawn < BATCH {
                let e = exp1(arrivals);
                s += e;
                if s >= budget {
                    beyond_budget = true;
                    break;
                }
                batch.arrivals[drawn] = s;
                drawn += 1;
            }
            let mapped = Mapped {
                times: &mut batch.times[..drawn],
                factors: &mut batch.factors[..drawn],
                discounted_times: &mut batch.discounted_times[..drawn],
            };
            let arrivals_drawn = &batch.arrivals[..drawn];
            match self.kernel {
                Kernel::Baseline => self.map_batch(arrivals_drawn, multiplier, &mut cursor, mapped),
                #[cfg(target_arch = "x86_64")]
                // SAFETY: `Kernel::Avx2` is only chosen where the CPU has AVX2
                // (`Kernel::detect`).
                Kernel::Avx2 => unsafe {
                    self.map_batch_avx2(arrivals_drawn, multiplier, &mut cursor, mapped)
                },
            }
            // Times increase; the first at or beyond `stop` (or NaN) ends the path.
            let kept = batch.times[..drawn]
                .iter()
                .position(|t| t.partial_cmp(&stop) != Some(Ordering::Less))
                .unwrap_or(drawn);
            let units = &mut batch.units[..kept];
            self.sizes.fill(sizes, units);
            let (times, factors) = (&batch.times[..kept], &batch.factors[..kept]);
            let discounted_times = &batch.discounted_times[..kept];
            path.orders.extend((0..kept).map(|i| Order {
                time: times[i],
                units: units[i],
                discount: factors[i],
                discounted_time: discounted_times[i],
            }));
            if beyond_budget || kept < drawn {
                return;
            }
        }
    }

    /// [`DemandGenerator::map_batch`] compiled for AVX2 (the same bits, see [`Kernel`]).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn map_batch_avx2(&self, arrivals: &[f64], multiplier: f64, cursor: &mut usize, out: Mapped) {
        self.map_batch(arrivals, multiplier, cursor, out)
    }

    /// Unit-rate arrivals (in increasing order) to times where M·Λ(t) = s, with their discount
    /// factors and discounted times; `cursor` is the piecewise inversion's segment.
    #[inline(always)]
    fn map_batch(&self, arrivals: &[f64], multiplier: f64, cursor: &mut usize, out: Mapped) {
        let times = out.times;
        match &self.method {
            ArrivalMethod::Exponential { scale, decay } => {
                let (scale, decay) = (*scale, *decay);
                if decay == 0.0 {
                    for (t, &s) in times.iter_mut().zip(arrivals) {
                        *t = s / multiplier / scale;
                    }
                } else {
                    // e^(−decay·t) = 1 − decay·x/scale. `ln` rather than the several times
                    // slower `ln_1p`: the absolute error of t is ~10⁻¹⁶/decay years.
                    let mut all_normal = true;
                    for (t, &s) in times.iter_mut().zip(arrivals) {
                        let x = s / multiplier;
                        let survival = 1.0 - decay * x / scale;
                        all_normal &= elementary::is_positive_normal(survival);
                        *t = -elementary::ln_of_normal(survival) / decay;
                    }
                    if !all_normal {
                        // Only in extreme scenarios (e^(−decay·t) beyond the range of normal
                        // floats): again with the full `ln`, the same where both apply.
                        for (t, &s) in times.iter_mut().zip(arrivals) {
                            let x = s / multiplier;
                            *t = -elementary::ln(1.0 - decay * x / scale) / decay;
                        }
                    }
                }
            }
            ArrivalMethod::Linear { rate, end } => {
                // t = end·(1 − √(1 − 2x/(rate·end))), rationalised for small x.
                let (rate, end) = (*rate, *end);
                for (t, &s) in times.iter_mut().zip(arrivals) {
                    let x = s / multiplier;
                    let root = (1.0 - 2.0 * x / (rate * end)).max(0.0).sqrt();
                    *t = 2.0 * x / rate / (1.0 + root);
                }
            }
            ArrivalMethod::Piecewise(p) => {
                for (t, &s) in times.iter_mut().zip(arrivals) {
                    *t = p.invert(s / multiplier, cursor).0;
                }
            }
            ArrivalMethod::Thinning(_) => unreachable!("thinning is generated one by one"),
        }
        self.discount
            .factors_and_discounted_times(times, out.factors, out.discounted_times);
    }

    /// Thinning of the piecewise-constant `envelope`, one arrival at a time (each candidate
    /// draws its acceptance from the arrival stream).
    fn generate_thinned(
        &self,
        envelope: &PiecewiseRate,
        (multiplier, budget, stop): (f64, f64, f64),
        arrivals: &mut StreamRng,
        sizes: &mut StreamRng,
        path: &mut DemandPath,
    ) {
        let mut s = 0.0;
        let mut cursor = 0usize;
        loop {
            let e = exp1(arrivals);
            s += e;
            if s >= budget {
                break;
            }
            let (t, j) = envelope.invert(s / multiplier, &mut cursor);
            let accept = uniform_open(arrivals) * envelope.rates[j];
            if accept >= self.model.intensity.rate(t) {
                continue;
            }
            if t >= stop || t.is_nan() {
                break;
            }
            let units = self.sizes.sample(sizes);
            let (discount, discounted_time) = self.discount.factor_and_discounted_time(t);
            path.orders.push(Order {
                time: t,
                units,
                discount,
                discounted_time,
            });
        }
    }

    fn path_risk(&self, streams: &StreamFactory, path_index: u64) -> (f64, Option<f64>) {
        if self.risk.is_none() && self.obsolescence_rate == 0.0 {
            return (1.0, None);
        }
        let mut rng: StreamRng = streams.open(path_index, Stream::PathRisk);
        let multiplier = match &self.risk {
            Some(gamma) => gamma.sample(&mut rng),
            None => 1.0,
        };
        let obsolete_at = (self.obsolescence_rate > 0.0)
            .then(|| {
                let e = exp1(&mut rng);
                e / self.obsolescence_rate
            })
            .filter(|&tau| tau < self.horizon);
        (multiplier, obsolete_at)
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // references may use the platform's functions
mod tests {
    use super::*;

    fn model(intensity: Intensity, rate_cv: f64, obsolescence: f64) -> DemandModel {
        DemandModel {
            intensity,
            order_size: OrderSize::Geometric { mean: 1.5 },
            rate_cv,
            obsolescence_annual_probability: obsolescence,
        }
    }

    /// Every model the batches serve, with and without rate uncertainty and obsolescence;
    /// growing demand (negative decay) too.
    fn models() -> Vec<DemandModel> {
        let intensities = [
            Intensity::Exponential {
                rate: 24.0,
                decay_rate: 2f64.ln() / 6.0,
            },
            Intensity::Exponential {
                rate: 3.0,
                decay_rate: -0.08,
            },
            Intensity::Constant { rate: 40.0 },
            Intensity::Linear {
                rate: 30.0,
                end_years: 12.0,
            },
            Intensity::Table {
                rates: vec![5.0, 0.0, 12.5, 30.0, 2.0],
            },
        ];
        let mut all = Vec::new();
        for intensity in intensities {
            for (cv, p) in [(0.0, 0.0), (0.6, 0.0), (0.0, 0.1), (0.4, 0.05)] {
                all.push(model(intensity.clone(), cv, p));
            }
        }
        all
    }

    fn bits(path: &DemandPath) -> Vec<(u64, u64, u64, u64)> {
        path.orders
            .iter()
            .map(|o| {
                let (t, d, g) = (o.time, o.discount, o.discounted_time);
                (t.to_bits(), o.units, d.to_bits(), g.to_bits())
            })
            .collect()
    }

    /// Slurm clusters mix CPU kinds and shards must be bit-identical: the AVX2 batches
    /// must give exactly what the baseline ones give.
    #[test]
    fn batches_are_the_same_with_every_kernel() {
        let kernel = Kernel::detect();
        if kernel == Kernel::Baseline {
            eprintln!("only the baseline kernel runs on this machine; nothing to compare");
            return;
        }
        let streams = StreamFactory::new(3);
        for demand in models() {
            for rate in [0.0, 0.05] {
                let fast = DemandGenerator::new(&demand, 25.0, Discount::new(rate));
                assert_eq!(fast.kernel, kernel);
                let baseline = DemandGenerator {
                    kernel: Kernel::Baseline,
                    ..fast.clone()
                };
                let (mut a, mut b) = (DemandPath::default(), DemandPath::default());
                let mut orders = 0;
                for k in 0..500 {
                    fast.generate(&streams, k, &mut a);
                    baseline.generate(&streams, k, &mut b);
                    assert_eq!(bits(&a), bits(&b), "{demand:?}, path {k}");
                    assert_eq!(a.rate_multiplier.to_bits(), b.rate_multiplier.to_bits());
                    assert_eq!(a.obsolete_at, b.obsolete_at);
                    orders += a.orders.len();
                }
                assert!(orders > 500, "{demand:?}: {orders} orders");
            }
        }
    }

    /// The batches give what one order at a time gives: the same arrivals, sizes and stop,
    /// and times, discount factors and discounted times from the same formulas.
    #[test]
    fn batches_match_one_order_at_a_time() {
        let streams = StreamFactory::new(9);
        let discount = Discount::new(0.05);
        for demand in models() {
            let generator = DemandGenerator::new(&demand, 25.0, discount);
            let mut path = DemandPath::default();
            for k in 0..200 {
                generator.generate(&streams, k, &mut path);
                let expected = one_at_a_time(&generator, &streams, k);
                assert_eq!(bits(&path), bits(&expected), "{demand:?}, path {k}");
            }
        }
    }

    /// The loop of the generator before batches, with the same `exp` and `ln`.
    fn one_at_a_time(g: &DemandGenerator, streams: &StreamFactory, k: u64) -> DemandPath {
        let mut path = DemandPath::default();
        let (multiplier, obsolete_at) = g.path_risk(streams, k);
        let stop = obsolete_at.unwrap_or(g.horizon).min(g.horizon);
        if multiplier <= 0.0 || stop <= 0.0 {
            return path;
        }
        let budget = multiplier * g.method_cumulative(stop);
        let mut arrivals = streams.open(k, Stream::DemandArrivals);
        let mut sizes = streams.open(k, Stream::OrderSizes);
        let (mut s, mut cursor) = (0.0, 0);
        loop {
            let e = exp1(&mut arrivals);
            s += e;
            if s >= budget {
                break;
            }
            let x = s / multiplier;
            let t = match &g.method {
                ArrivalMethod::Exponential { scale, decay } if *decay == 0.0 => x / scale,
                ArrivalMethod::Exponential { scale, decay } => {
                    -elementary::ln(1.0 - decay * x / scale) / decay
                }
                ArrivalMethod::Linear { rate, end } => {
                    let root = (1.0 - 2.0 * x / (rate * end)).max(0.0).sqrt();
                    2.0 * x / rate / (1.0 + root)
                }
                ArrivalMethod::Piecewise(p) => p.invert(x, &mut cursor).0,
                ArrivalMethod::Thinning(_) => unreachable!("not among the models"),
            };
            if t >= stop || t.is_nan() {
                break;
            }
            let units = g.sizes.sample(&mut sizes);
            let (discount, discounted_time) = g.discount.factor_and_discounted_time(t);
            path.orders.push(Order {
                time: t,
                units,
                discount,
                discounted_time,
            });
        }
        path
    }
}
