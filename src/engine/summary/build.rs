//! Computing a [`RunSummary`] from a run's totals: moments, intervals, quantiles, histograms,
//! the verdict, the demand figures and the time series.

use crate::elementary;

use super::*;
use crate::engine::adjust::{Adjusted, Expected};
use crate::engine::controls::{self, Estimate, Periods};
use crate::engine::service::ServiceRule;
use crate::engine::stats::{Moments, quantile, upper_tail_mean};
use crate::engine::totals::PolicyTotals;
use crate::engine::{RunSettings, Totals, horizon_years};
use crate::inventory::Plan;
use crate::scenario::Scenario;

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

fn interval(e: &Estimate) -> [f64; 2] {
    [e.mean - Z95 * e.std_err, e.mean + Z95 * e.std_err]
}

fn plain(m: &Moments) -> PlainEstimate {
    let e = Estimate {
        mean: m.mean(),
        std_err: m.std_err(),
        variance_reduction: None,
        controls_used: 0,
        fallback: None,
    };
    PlainEstimate {
        mean: e.mean,
        std_err: e.std_err,
        ci95: interval(&e),
    }
}

/// What summary.json says of the controls of a run whose policies' summaries are `policies`.
fn control_variates(
    adjusted: &Adjusted,
    scenario: &Scenario,
    plan: &Plan,
    policies: &[PolicySummary],
) -> ControlVariates {
    let periods = Periods::new(horizon_years(plan));
    let expected = controls::expected_units(scenario, &periods, plan.horizon.time);
    let n = adjusted.totals.paths.max(1) as f64;
    let controls = (0..periods.count)
        .map(|a| {
            let (first, end) = periods.years(a);
            ControlPeriod {
                from_years: first as f64,
                to_years: (end as f64).min(plan.horizon.time),
                expected_units: expected[a],
                mean_units: adjusted.totals.controls.sum[a] as f64 / n,
            }
        })
        .collect();
    let (set, expectations) = adjusted.relative();
    let relative = match expectations {
        None => Vec::new(),
        Some(e) => set
            .thresholds
            .iter()
            .enumerate()
            .map(|(t, &units)| {
                let means = adjusted.relative_means(t).unwrap_or([f64::NAN; 2]);
                RelativeControl {
                    stock_units: units,
                    policies: set
                        .of_policy
                        .iter()
                        .zip(&plan.policies)
                        .filter(|(own, _)| own.contains(&t))
                        .map(|(_, p)| p.name.clone())
                        .collect(),
                    expected_holding_unit_years: e.holding[t],
                    mean_holding_unit_years: means[0],
                    expected_leftover_units: e.leftover[t],
                    mean_leftover_units: means[1],
                }
            })
            .collect(),
    };
    let used = policies.iter().map(|p| p.controls_used).max().unwrap_or(0);
    let plain_reason = (0..policies.len()).find_map(|i| adjusted.policy(i).fallback);
    let note = match (used, plain_reason) {
        (0, Some(f)) => f.describe(),
        (0, None) => "plain estimates: no control varies between paths".to_string(),
        _ => format!(
            "adjusted by up to {used} control variate{} per policy (the closed-form relative's \
             discounted unit-years on hand and units left for each stock in `relative`, for \
             partner release each partner's requests honoured less reliability × requests made, \
             and the units demanded per period, all with exact expectations; coefficients by \
             least squares on the same paths){}",
            if used == 1 { "" } else { "s" },
            match set.not_used {
                Some(why) => format!("; {}", why.describe()),
                None => String::new(),
            }
        ),
    };
    ControlVariates {
        controls,
        relative,
        used,
        note,
    }
}

/// Points of the stock-out curve, evenly spaced over the horizon.
const STOCKOUT_CURVE_INTERVALS: usize = 100;

/// Points of the expected demand rate curve, evenly spaced over the horizon.
const DEMAND_RATE_INTERVALS: usize = 200;

/// Bins of the total-cost histograms (about; the width is rounded to a round number).
const COST_BINS: usize = 80;

/// The quantile samples of all policies, for the figures computed from them.
struct Samples<'a> {
    /// The run's totals (for the per-path samples).
    totals: &'a Totals,
    /// Total cost per policy, ascending.
    sorted: Vec<Vec<f64>>,
    /// Histogram bin edges shared by every policy.
    bin_edges: Vec<f64>,
}

impl<'a> Samples<'a> {
    fn new(totals: &'a Totals) -> Self {
        let sorted: Vec<Vec<f64>> = totals
            .policies
            .iter()
            .map(|t| t.total_sample.sorted())
            .collect();
        let bin_edges = histogram_edges(&sorted);
        Samples {
            totals,
            sorted,
            bin_edges,
        }
    }

    /// Quantiles of (cost of `policy` − cost of `baseline`), path by path. The differences
    /// are formed when needed, not kept in path order for every policy (which doubled the
    /// memory of the summary for large runs).
    fn difference(&self, policy: usize, baseline: usize) -> Vec<f64> {
        let p = &self.totals.policies;
        let mut d = p[policy]
            .total_sample
            .difference_by_path(&p[baseline].total_sample);
        d.sort_by(f64::total_cmp);
        d
    }
}

/// A round bin width near `raw`: 1, 2, 2.5 or 5 times a power of ten.
fn round_width(raw: f64) -> f64 {
    let power = elementary::pow(10f64, elementary::log10(raw).floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&w| w >= raw)
        .unwrap_or(10.0 * power)
}

/// Common bin edges for the cost histograms of every policy: from the cheapest path of any
/// policy to the costliest, in about [`COST_BINS`] bins of a round width. When the costliest
/// paths lie far out (beyond 1.5 times the range up to the largest 99th percentile), the bins
/// stop at that 99th percentile and the rest is counted as `above`.
fn histogram_edges(sorted: &[Vec<f64>]) -> Vec<f64> {
    let nonempty = || sorted.iter().filter(|v| !v.is_empty());
    let lo = nonempty().map(|v| v[0]).fold(f64::INFINITY, f64::min);
    let max = nonempty()
        .map(|v| v[v.len() - 1])
        .fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !max.is_finite() {
        return vec![0.0, 1.0];
    }
    let p99 = nonempty()
        .filter_map(|v| quantile(v, 0.99))
        .fold(f64::NEG_INFINITY, f64::max);
    let hi = if max - lo > 1.5 * (p99 - lo) {
        p99
    } else {
        max
    };
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    let width = round_width(span / COST_BINS as f64);
    let start = (lo / width).floor() * width;
    let bins = (((hi - start) / width).ceil() as usize).max(1);
    let mut edges: Vec<f64> = (0..=bins).map(|k| start + k as f64 * width).collect();
    // Rounding may leave the top edge a hair below the costliest value meant to be inside.
    if let Some(last) = edges.last_mut()
        && *last < hi
    {
        *last = hi;
    }
    edges
}

fn histogram(sorted: &[f64], edges: &[f64]) -> CostHistogram {
    let top = edges[edges.len() - 1];
    let mut counts = vec![0; edges.len() - 1];
    let mut above = 0;
    for &x in sorted {
        if x > top {
            above += 1;
        } else {
            let k = edges[1..]
                .partition_point(|&e| e <= x)
                .min(counts.len() - 1);
            counts[k] += 1;
        }
    }
    CostHistogram {
        bin_edges: edges.to_vec(),
        counts,
        above,
    }
}

/// First stock-out times among the paths kept for quantiles that stock out (`stockouts`,
/// sorted), with the share of all `n` paths (`stockout_paths` of them) that stock out.
fn stockout_summary(stockouts: &[f64], stockout_paths: u64, n: f64) -> Option<StockoutSummary> {
    (!stockouts.is_empty()).then(|| StockoutSummary {
        share_of_paths: stockout_paths as f64 / n,
        p05: quantile(stockouts, 0.05).unwrap_or(0.0),
        p25: quantile(stockouts, 0.25).unwrap_or(0.0),
        p50: quantile(stockouts, 0.5).unwrap_or(0.0),
        p75: quantile(stockouts, 0.75).unwrap_or(0.0),
        p95: quantile(stockouts, 0.95).unwrap_or(0.0),
    })
}

/// Each partner's figures for one policy over `n` paths.
fn partner_summaries(scenario: &Scenario, t: &PolicyTotals, n: f64) -> Vec<PartnerSummary> {
    scenario
        .partners
        .iter()
        .enumerate()
        .map(|(j, p)| {
            let [requests, honoured, asked, shipped] = t.partner_counts[j];
            PartnerSummary {
                name: p.name.clone(),
                requests: requests as f64 / n,
                honoured_share: ratio(honoured as f64, requests as f64),
                request_fill_rate: ratio(shipped as f64, asked as f64),
                mean_response_days: ratio(
                    t.partner_response_years[j].value() * crate::inventory::DAYS_PER_YEAR,
                    honoured as f64,
                ),
                units_shipped: shipped as f64 / n,
            }
        })
        .collect()
}

/// Policy `index` against the baseline (policy 0) on the same `n` paths.
fn comparison(
    plan: &Plan,
    index: usize,
    t: &PolicyTotals,
    adjusted: &Adjusted,
    n: f64,
    samples: &Samples,
) -> Comparison {
    let d = samples.difference(index, 0);
    let q = |p| quantile(&d, p).unwrap_or(0.0);
    let e = adjusted.pair(0, index);
    Comparison {
        baseline: plan.policies[0].name.clone(),
        mean_difference: e.mean,
        std_err: e.std_err,
        ci95: interval(&e),
        plain: plain(&adjusted.totals.pairs[index]),
        variance_reduction: e.variance_reduction,
        controls_used: e.controls_used,
        probability_cheaper: t.cheaper as f64 / n,
        probability_tie: t.ties as f64 / n,
        per_path_difference: DifferenceQuantiles {
            p05: q(0.05),
            p25: q(0.25),
            p50: q(0.5),
            p75: q(0.75),
            p95: q(0.95),
        },
    }
}

fn policy_summary(
    scenario: &Scenario,
    plan: &Plan,
    index: usize,
    t: &PolicyTotals,
    adjusted: &Adjusted,
    paths: u64,
    samples: &Samples,
) -> PolicySummary {
    let n = paths as f64;
    let policy = &plan.policies[index];
    let lines = t.lines.clone().map(|sum| sum.value() / n);
    let total = t.total.mean();
    let estimate = adjusted.policy(index);
    let sorted = &samples.sorted[index];
    let units = t.units.map(|sum| sum as f64 / n);
    let horizon = plan.horizon.time;
    let average_on_hand = t.on_hand_unit_years.value() / n / horizon;
    let served = units.filled_from_stock + units.backorders_filled;
    let stockouts = t.stockout_sample.sorted();
    let first_stockout_years = stockout_summary(&stockouts, paths - t.paths_without_short, n);
    let partners = partner_summaries(scenario, t, n);
    let revenue = scenario.part.sale_price.map(|_| t.revenue.value() / n);
    let gmroi = scenario.part.sale_price.and_then(|price| {
        let margin_per_year = (price - scenario.part.unit_cost) * served / horizon;
        ratio(margin_per_year, average_on_hand * scenario.part.unit_cost)
    });
    let comparison = (index > 0).then(|| comparison(plan, index, t, adjusted, n, samples));
    let sampled = sorted.len().max(1) as f64;
    let stockout_by_time = (0..=STOCKOUT_CURVE_INTERVALS)
        .map(|k| {
            let at = horizon * k as f64 / STOCKOUT_CURVE_INTERVALS as f64;
            StockoutPoint {
                time_years: at,
                share_of_paths: stockouts.partition_point(|&s| s <= at) as f64 / sampled,
            }
        })
        .collect();
    let cost_distribution = CostDistribution {
        paths: sorted.len() as u64,
        min: sorted.first().copied().unwrap_or(0.0),
        p25: quantile(sorted, 0.25).unwrap_or(0.0),
        p75: quantile(sorted, 0.75).unwrap_or(0.0),
        max: sorted.last().copied().unwrap_or(0.0),
        histogram: histogram(sorted, &samples.bin_edges),
    };
    PolicySummary {
        name: policy.name.clone(),
        kind: policy.kind.as_str().to_string(),
        retained_levels: policy
            .dispositions
            .iter()
            .map(|d| RetainedLevel {
                at_years: d.at.time,
                units: d.retained,
            })
            .collect(),
        fill_rate: ratio(units.filled_from_stock, units.demanded),
        no_stockout_probability: t.paths_without_short as f64 / n,
        variance_reduction: estimate.variance_reduction,
        controls_used: estimate.controls_used,
        total_cost: CostSummary {
            mean: estimate.mean,
            std_err: estimate.std_err,
            ci95: interval(&estimate),
            plain: plain(&t.total),
            p05: quantile(sorted, 0.05).unwrap_or(0.0),
            p50: quantile(sorted, 0.5).unwrap_or(0.0),
            p95: quantile(sorted, 0.95).unwrap_or(0.0),
            cvar95: upper_tail_mean(sorted, 0.95).unwrap_or(0.0),
        },
        cost_breakdown: CostBreakdown { lines, total },
        units: UnitsSummary {
            counts: units,
            average_on_hand,
        },
        first_stockout_years,
        partners,
        finance: FinanceSummary {
            inventory_turnover: ratio(served / horizon, average_on_hand),
            gmroi,
            carrying_share_of_total: ratio(lines.holding, total),
            revenue,
        },
        comparison,
        cost_distribution,
        stockout_by_time,
        records: plan.records.as_ref().map(|_| records_summary(t, n)),
    }
}

/// The drifting records' figures of a policy over `n` paths.
fn records_summary(t: &PolicyTotals, n: f64) -> RecordsSummary {
    let r = &t.records;
    let counts = r.counts as f64;
    RecordsSummary {
        record_accuracy: ratio(r.accurate_counts as f64, counts),
        phantom_found_per_count: ratio(r.phantom_found_at_counts as f64, counts),
        phantom_share_of_short: ratio(r.phantom_short as f64, t.units.short as f64),
        means: r.map(|sum| sum as f64 / n),
    }
}

/// Which policy is cheapest by mean, and the saving against the runner-up from the paired
/// differences.
fn verdict(policies: &[PolicySummary], adjusted: &Adjusted, samples: &Samples) -> Verdict {
    let mut order: Vec<usize> = (0..policies.len()).collect();
    order.sort_by(|&a, &b| {
        policies[a]
            .total_cost
            .mean
            .total_cmp(&policies[b].total_cost.mean)
    });
    let best = order[0];
    let runner = order.get(1).copied();
    let rule = ServiceRule::default();
    let service: Vec<(f64, Option<f64>, f64)> = policies
        .iter()
        .map(|p| (p.total_cost.mean, p.fill_rate, p.no_stockout_probability))
        .collect();
    let better = rule.better_service(&service, best);
    let saving = runner.map(|r| {
        // The mean of (cost of r − cost of best), path by path.
        let (e, sign) = if best < r {
            (adjusted.pair(best, r), 1.0)
        } else {
            (adjusted.pair(r, best), -1.0)
        };
        (sign * e.mean, e.std_err)
    });
    Verdict {
        cheapest: policies[best].name.clone(),
        mean_total_cost: policies[best].total_cost.mean,
        runner_up: runner.map(|r| policies[r].name.clone()),
        saving_vs_runner_up: saving.map(|s| s.0),
        saving_std_err: saving.map(|s| s.1),
        probability_cheaper_than_runner_up: runner.map(|r| {
            let d = samples.difference(best, r);
            d.partition_point(|&x| x < 0.0) as f64 / d.len().max(1) as f64
        }),
        service: ServiceVerdict {
            rule,
            poor: rule.is_poor(
                policies[best].fill_rate,
                policies[best].no_stockout_probability,
            ),
            better_service: better.map(|b| policies[b].name.clone()),
            better_service_extra_cost: better
                .map(|b| policies[b].total_cost.mean - policies[best].total_cost.mean),
        },
    }
}

/// Simulated demand against its exact expectation: in all, per year, and as a rate.
fn demand_summary(
    scenario: &Scenario,
    plan: &Plan,
    totals: &Totals,
    sample_paths: Vec<DemandSamplePath>,
) -> DemandSummary {
    let paths = totals.paths;
    let annual = (0..horizon_years(plan))
        .map(|y| {
            let mut sketch = totals.annual_units[y].clone();
            sketch.push_many(0, paths - sketch.count());
            let (a, b) = (y as f64, ((y + 1) as f64).min(plan.horizon.time));
            AnnualDemand {
                year: y,
                expected: scenario.demand.expected_units_in_window(a, b),
                mean: totals.annual_units_sum[y] as f64 / paths as f64,
                p05: sketch.quantile(0.05).unwrap_or(0.0),
                p50: sketch.quantile(0.5).unwrap_or(0.0),
                p95: sketch.quantile(0.95).unwrap_or(0.0),
            }
        })
        .collect();
    let model = &scenario.demand;
    let expected_rate = (0..=DEMAND_RATE_INTERVALS)
        .map(|k| {
            let at = plan.horizon.time * k as f64 / DEMAND_RATE_INTERVALS as f64;
            DemandRatePoint {
                time_years: at,
                expected_units_per_year: model.intensity.rate(at)
                    * elementary::exp(-model.obsolescence_rate() * at)
                    * model.order_size.mean(),
            }
        })
        .collect();
    DemandSummary {
        expected_units: scenario
            .demand
            .expected_units_in_window(0.0, plan.horizon.time),
        mean_units: totals.units_demanded.mean(),
        std_err: totals.units_demanded.std_err(),
        annual,
        expected_rate,
        sample_paths,
    }
}

/// Per policy and time-series point: on-hand stock, cumulative cost and supply so far, over
/// the paths that record the time series.
fn time_series(plan: &Plan, totals: &Totals) -> Vec<TimeSeriesPoint> {
    let mut timeseries = Vec::new();
    let recorded = totals.paths.min(plan.timeseries_paths);
    for (i, t) in totals.policies.iter().enumerate() {
        for (k, step) in plan.steps.iter().enumerate() {
            let sketch = &t.on_hand_at_step[k];
            let supply = t.supply_sum_at_step[k].map(|x| x as f64 / recorded as f64);
            timeseries.push(TimeSeriesPoint {
                policy: plan.policies[i].name.clone(),
                time_years: step.time,
                on_hand_mean: t.on_hand_sum_at_step[k] as f64 / recorded as f64,
                on_hand_p05: sketch.quantile(0.05).unwrap_or(0.0),
                on_hand_p50: sketch.quantile(0.5).unwrap_or(0.0),
                on_hand_p95: sketch.quantile(0.95).unwrap_or(0.0),
                cumulative_cost_mean: t.cost_at_step[k].value() / recorded as f64,
                remanufacture_runs_mean: supply[0],
                remanufactured_mean: supply[1],
                bought_back_mean: supply[2],
            });
        }
    }
    timeseries
}

/// The summary of a run's exact `totals`, whose controls' expectations are `expected`.
pub(in crate::engine) fn summarize(
    scenario: &Scenario,
    plan: &Plan,
    settings: RunSettings,
    totals: &Totals,
    expected: &Expected,
    sample_paths: Vec<DemandSamplePath>,
) -> RunSummary {
    let paths = totals.paths;
    let samples = Samples::new(totals);
    let adjusted = Adjusted::new(expected, totals);
    let policies: Vec<PolicySummary> = totals
        .policies
        .iter()
        .enumerate()
        .map(|(i, t)| policy_summary(scenario, plan, i, t, &adjusted, paths, &samples))
        .collect();

    let verdict = verdict(&policies, &adjusted, &samples);
    let demand = demand_summary(scenario, plan, totals, sample_paths);
    let timeseries = time_series(plan, totals);
    let control_variates = control_variates(&adjusted, scenario, plan, &policies);
    RunSummary {
        pimsim_version: env!("CARGO_PKG_VERSION").to_string(),
        seed: settings.seed,
        paths,
        policies,
        verdict,
        demand,
        control_variates,
        quantile_method: format!(
            "total-cost and stock-out quantiles are exact order statistics (linear interpolation, \
             NumPy's default) of the first {} paths, i.e. of all paths when there are fewer; \
             CVaR95 is the mean of the costliest 5 % of those paths; the time series (means and \
             quantiles) comes from the first {} paths; time-series and annual-demand quantiles \
             are exact below 1024 units and within 0.5 % above",
            crate::engine::stats::PathSample::CAPACITY,
            plan.timeseries_paths
        ),
        scenario: scenario.clone(),
        timeseries,
        precision: None,
    }
}

/// What a precision run judges after each stage ([`crate::engine::precision`]): every
/// policy's adjusted mean total cost relative to its size, and the verdict's saving (the
/// cheapest policy against the runner-up, as the verdict reports it) relative to the larger of
/// the saving and the baseline's mean cost — so that a near-tie, whose saving is close to 0,
/// settles once the saving is known to P of what is at stake.
pub(in crate::engine) fn precision_figures(
    expected: &Expected,
    totals: &Totals,
) -> Vec<crate::engine::precision::Figure> {
    use crate::engine::precision::Figure;
    let adjusted = Adjusted::new(expected, totals);
    let estimates: Vec<Estimate> = (0..totals.policies.len())
        .map(|i| adjusted.policy(i))
        .collect();
    let mut figures: Vec<Figure> = estimates
        .iter()
        .map(|e| Figure::of(e.std_err, e.mean))
        .collect();
    // The verdict's order: by adjusted mean, as `verdict` sorts.
    let mut order: Vec<usize> = (0..estimates.len()).collect();
    order.sort_by(|&a, &b| estimates[a].mean.total_cmp(&estimates[b].mean));
    if let [best, runner, ..] = order[..] {
        let e = adjusted.pair(best.min(runner), best.max(runner));
        let stake = estimates[0].mean.abs().max(e.mean.abs());
        figures.push(Figure::of(e.std_err, stake));
    }
    figures
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_widths_are_round() {
        assert_eq!(round_width(41_000.0), 50_000.0);
        assert_eq!(round_width(0.3), 0.5);
        assert_eq!(round_width(2.0), 2.0);
        assert_eq!(round_width(21.0), 25.0);
    }

    #[test]
    fn histogram_cuts_a_far_tail_and_counts_it_above() {
        let mut body: Vec<f64> = (0..1000).map(|i| 100.0 + i as f64 / 10.0).collect();
        body.push(10_000.0);
        let edges = histogram_edges(&[body.clone()]);
        assert!(edges[0] <= 100.0);
        assert!(*edges.last().unwrap() < 10_000.0);
        let h = histogram(&body, &edges);
        assert_eq!(h.above, 1);
        assert_eq!(h.counts.iter().sum::<u64>(), 1000);
        // Without a far tail the bins reach the costliest path.
        let edges = histogram_edges(&[vec![1.0, 2.0, 3.0]]);
        assert!(*edges.last().unwrap() >= 3.0);
        assert_eq!(histogram(&[1.0, 2.0, 3.0], &edges).above, 0);
        // Identical values still get a bin.
        let edges = histogram_edges(&[vec![5.0, 5.0]]);
        assert_eq!(histogram(&[5.0, 5.0], &edges).counts.iter().sum::<u64>(), 2);
    }
}
