//! The results of a run, with the stable names of SPEC section 7.

use serde::Serialize;

use super::stats::{Moments, quantile, upper_tail_mean};
use super::{PolicyTotals, RunSettings, Totals, horizon_years};
use crate::inventory::{CostLines, Plan};
use crate::scenario::Scenario;

/// z for a two-sided 95 % normal interval.
pub const Z95: f64 = 1.959_963_984_540_054;

/// Everything a run found, as written to `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSummary {
    /// pimsim's version.
    pub pimsim_version: String,
    /// Seed of the run.
    pub seed: u64,
    /// Number of paths.
    pub paths: u64,
    /// The policies, the first one the baseline.
    pub policies: Vec<PolicySummary>,
    /// Which policy is cheapest and by how much.
    pub verdict: Verdict,
    /// Demand as simulated against its exact expectation.
    pub demand: DemandSummary,
    /// How quantiles were computed.
    pub quantile_method: String,
    /// The validated scenario (every default filled in).
    pub scenario: Scenario,
    /// Per policy and time-series point (written to `timeseries.csv`, not to the JSON).
    #[serde(skip)]
    pub timeseries: Vec<TimeSeriesPoint>,
}

/// One policy's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicySummary {
    /// The policy's name.
    pub name: String,
    /// hold, scrap or partner_release.
    pub kind: String,
    /// Retained levels of the dispositions, in time order.
    pub retained_levels: Vec<RetainedLevel>,
    /// Units filled from stock at once ÷ units demanded, over all paths (`null` without demand).
    pub fill_rate: Option<f64>,
    /// Share of paths with no short unit.
    pub no_stockout_probability: f64,
    /// Total discounted cost per path (currency).
    pub total_cost: CostSummary,
    /// Mean of each cost line per path (currency).
    pub cost_breakdown: CostBreakdown,
    /// Mean units per path.
    pub units: UnitsSummary,
    /// Time of the first stock-out among paths that stock out.
    pub first_stockout_years: Option<StockoutSummary>,
    /// Dealings with each partner.
    pub partners: Vec<PartnerSummary>,
    /// Finance figures.
    pub finance: FinanceSummary,
    /// Paired comparison with the baseline (absent for the baseline itself).
    pub comparison: Option<Comparison>,
}

/// A retained level and when it applies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetainedLevel {
    /// Disposition time, years.
    pub at_years: f64,
    /// Units retained.
    pub units: u64,
}

/// Distribution of total discounted cost (currency).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostSummary {
    /// Mean over paths.
    pub mean: f64,
    /// Standard error of the mean.
    pub std_err: f64,
    /// 95 % confidence interval of the mean.
    pub ci95: [f64; 2],
    /// 5th percentile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Mean of the costliest 5 % of paths.
    pub cvar95: f64,
}

/// Mean cost lines per path (currency; income negative).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostBreakdown {
    /// Last-time buy.
    pub last_time_buy: f64,
    /// Carrying.
    pub holding: f64,
    /// Scrapping.
    pub disposal: f64,
    /// Releases to partners.
    pub release: f64,
    /// Buy-backs and request fees.
    pub buyback: f64,
    /// Re-manufacture runs.
    pub remanufacture: f64,
    /// Shortage penalties.
    pub shortage: f64,
    /// Backorder waiting.
    pub backorder: f64,
    /// Disposal at the horizon.
    pub end_of_horizon: f64,
    /// Sum of the lines.
    pub total: f64,
}

/// Mean units per path.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitsSummary {
    /// Units demanded.
    pub demanded: f64,
    /// Units filled from stock at once.
    pub filled_from_stock: f64,
    /// Units short.
    pub short: f64,
    /// Short units lost.
    pub lost: f64,
    /// Short units backordered.
    pub backordered: f64,
    /// Backordered units served later.
    pub backorders_filled: f64,
    /// Units scrapped.
    pub scrapped: f64,
    /// Units released to partners.
    pub released: f64,
    /// Units bought back.
    pub bought_back: f64,
    /// Units re-manufactured (delivered).
    pub remanufactured: f64,
    /// Units lost in storage.
    pub lost_in_storage: f64,
    /// Units on hand at the horizon.
    pub on_hand_at_horizon: f64,
    /// Backorders open at the horizon.
    pub open_backorders_at_horizon: f64,
    /// Units on order at the horizon.
    pub on_order_at_horizon: f64,
    /// Re-manufacture runs ordered.
    pub remanufacture_runs: f64,
    /// Time-average units on hand over the horizon.
    pub average_on_hand: f64,
}

/// First stock-out times among paths that stock out (years).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockoutSummary {
    /// Share of paths that stock out.
    pub share_of_paths: f64,
    /// 5th percentile.
    pub p05: f64,
    /// 25th percentile.
    pub p25: f64,
    /// Median.
    pub p50: f64,
    /// 75th percentile.
    pub p75: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// A partner's performance as a supplier of buy-backs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerSummary {
    /// Partner name.
    pub name: String,
    /// Mean requests per path.
    pub requests: f64,
    /// Share of requests honoured.
    pub honoured_share: Option<f64>,
    /// Units shipped ÷ units requested.
    pub request_fill_rate: Option<f64>,
    /// Mean days from request to delivery of honoured requests.
    pub mean_response_days: Option<f64>,
    /// Mean units bought back from this partner per path.
    pub units_shipped: f64,
}

/// Finance figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FinanceSummary {
    /// Units served per year ÷ average units on hand.
    pub inventory_turnover: Option<f64>,
    /// Gross margin per year ÷ average inventory at cost (with `part.sale_price`).
    pub gmroi: Option<f64>,
    /// Carrying cost ÷ total cost (when the total is positive).
    pub carrying_share_of_total: Option<f64>,
    /// Mean discounted revenue of units served (currency; not in total cost).
    pub revenue: Option<f64>,
}

/// Paired comparison of a policy with the baseline on the same paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    /// The baseline's name.
    pub baseline: String,
    /// Mean of (this policy's total − baseline total) (currency; negative = cheaper).
    pub mean_difference: f64,
    /// Standard error of the mean difference.
    pub std_err: f64,
    /// 95 % confidence interval of the mean difference.
    pub ci95: [f64; 2],
    /// Share of paths on which this policy is strictly cheaper.
    pub probability_cheaper: f64,
    /// Share of paths with exactly the same cost.
    pub probability_tie: f64,
}

/// Which policy is cheapest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    /// The policy with the lowest mean total cost.
    pub cheapest: String,
    /// Its mean total cost (currency).
    pub mean_total_cost: f64,
    /// The next cheapest policy, when there are several.
    pub runner_up: Option<String>,
    /// Mean saving against the runner-up on the same paths (currency).
    pub saving_vs_runner_up: Option<f64>,
    /// Standard error of that saving.
    pub saving_std_err: Option<f64>,
}

/// Simulated demand against its exact expectation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DemandSummary {
    /// Exact expected units over the horizon.
    pub expected_units: f64,
    /// Simulated mean units per path.
    pub mean_units: f64,
    /// Standard error of the simulated mean.
    pub std_err: f64,
    /// Per year of the horizon.
    pub annual: Vec<AnnualDemand>,
}

/// Units demanded in one year of the horizon.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AnnualDemand {
    /// Year index (0 = the first year).
    pub year: usize,
    /// Exact expected units.
    pub expected: f64,
    /// Simulated mean units.
    pub mean: f64,
    /// 5th percentile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// One policy at one time-series point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimeSeriesPoint {
    /// Policy name.
    pub policy: String,
    /// Years.
    pub time_years: f64,
    /// Mean units on hand.
    pub on_hand_mean: f64,
    /// 5th percentile of units on hand.
    pub on_hand_p05: f64,
    /// Median units on hand.
    pub on_hand_p50: f64,
    /// 95th percentile of units on hand.
    pub on_hand_p95: f64,
    /// Mean cumulative discounted cost (currency).
    pub cumulative_cost_mean: f64,
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

fn interval(m: &Moments) -> [f64; 2] {
    let (mean, se) = (m.mean(), m.std_err());
    [mean - Z95 * se, mean + Z95 * se]
}

fn policy_summary(
    scenario: &Scenario,
    plan: &Plan,
    index: usize,
    t: &PolicyTotals,
    versus_baseline: &Moments,
    paths: u64,
) -> PolicySummary {
    let n = paths as f64;
    let policy = &plan.policies[index];
    let mean_line = |k: usize| t.lines[k].value() / n;
    let lines: Vec<f64> = (0..CostLines::NAMES.len()).map(mean_line).collect();
    let total = t.total.mean();
    let sorted = t.total_sample.sorted();
    let units = |name: &str| {
        let k = crate::inventory::UnitCounts::NAMES
            .iter()
            .position(|u| *u == name)
            .expect("known unit name");
        t.units[k] as f64 / n
    };
    let horizon = plan.horizon.time;
    let average_on_hand = t.on_hand_unit_years.value() / n / horizon;
    let served = units("filled_from_stock") + units("backorders_filled");
    let stockouts = t.stockout_sample.sorted();
    let stockout_paths = paths - t.paths_without_short;
    let first_stockout_years = (!stockouts.is_empty()).then(|| StockoutSummary {
        share_of_paths: stockout_paths as f64 / n,
        p05: quantile(&stockouts, 0.05).unwrap_or(0.0),
        p25: quantile(&stockouts, 0.25).unwrap_or(0.0),
        p50: quantile(&stockouts, 0.5).unwrap_or(0.0),
        p75: quantile(&stockouts, 0.75).unwrap_or(0.0),
        p95: quantile(&stockouts, 0.95).unwrap_or(0.0),
    });
    let partners = scenario
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
        .collect();
    let revenue = scenario.part.sale_price.map(|_| t.revenue.value() / n);
    let gmroi = scenario.part.sale_price.and_then(|price| {
        let margin_per_year = (price - scenario.part.unit_cost) * served / horizon;
        ratio(margin_per_year, average_on_hand * scenario.part.unit_cost)
    });
    let comparison = (index > 0).then(|| Comparison {
        baseline: plan.policies[0].name.clone(),
        mean_difference: versus_baseline.mean(),
        std_err: versus_baseline.std_err(),
        ci95: interval(versus_baseline),
        probability_cheaper: t.cheaper as f64 / n,
        probability_tie: t.ties as f64 / n,
    });
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
        fill_rate: ratio(units("filled_from_stock"), units("demanded")),
        no_stockout_probability: t.paths_without_short as f64 / n,
        total_cost: CostSummary {
            mean: total,
            std_err: t.total.std_err(),
            ci95: interval(&t.total),
            p05: quantile(&sorted, 0.05).unwrap_or(0.0),
            p50: quantile(&sorted, 0.5).unwrap_or(0.0),
            p95: quantile(&sorted, 0.95).unwrap_or(0.0),
            cvar95: upper_tail_mean(&sorted, 0.95).unwrap_or(0.0),
        },
        cost_breakdown: CostBreakdown {
            last_time_buy: lines[0],
            holding: lines[1],
            disposal: lines[2],
            release: lines[3],
            buyback: lines[4],
            remanufacture: lines[5],
            shortage: lines[6],
            backorder: lines[7],
            end_of_horizon: lines[8],
            total,
        },
        units: UnitsSummary {
            demanded: units("demanded"),
            filled_from_stock: units("filled_from_stock"),
            short: units("short"),
            lost: units("lost"),
            backordered: units("backordered"),
            backorders_filled: units("backorders_filled"),
            scrapped: units("scrapped"),
            released: units("released"),
            bought_back: units("bought_back"),
            remanufactured: units("remanufactured"),
            lost_in_storage: units("lost_in_storage"),
            on_hand_at_horizon: units("on_hand_at_horizon"),
            open_backorders_at_horizon: units("open_backorders_at_horizon"),
            on_order_at_horizon: units("on_order_at_horizon"),
            remanufacture_runs: units("remanufacture_runs"),
            average_on_hand,
        },
        first_stockout_years,
        partners,
        finance: FinanceSummary {
            inventory_turnover: ratio(served / horizon, average_on_hand),
            gmroi,
            carrying_share_of_total: ratio(lines[1], total),
            revenue,
        },
        comparison,
    }
}

pub(super) fn summarize(
    scenario: &Scenario,
    plan: &Plan,
    settings: RunSettings,
    totals: &Totals,
) -> RunSummary {
    let paths = totals.paths;
    let policies: Vec<PolicySummary> = totals
        .policies
        .iter()
        .enumerate()
        .map(|(i, t)| policy_summary(scenario, plan, i, t, &totals.pairs[i], paths))
        .collect();

    // Cheapest by mean; the saving against the runner-up from the paired differences.
    let mut order: Vec<usize> = (0..policies.len()).collect();
    order.sort_by(|&a, &b| {
        policies[a]
            .total_cost
            .mean
            .total_cmp(&policies[b].total_cost.mean)
    });
    let best = order[0];
    let runner = order.get(1).copied();
    let p = policies.len();
    let saving = runner.map(|r| {
        // Moments of (cost of r − cost of best), path by path.
        let (m, sign) = if best < r {
            (&totals.pairs[best * p + r], 1.0)
        } else {
            (&totals.pairs[r * p + best], -1.0)
        };
        (sign * m.mean(), m.std_err())
    });
    let verdict = Verdict {
        cheapest: policies[best].name.clone(),
        mean_total_cost: policies[best].total_cost.mean,
        runner_up: runner.map(|r| policies[r].name.clone()),
        saving_vs_runner_up: saving.map(|s| s.0),
        saving_std_err: saving.map(|s| s.1),
    };

    let years = horizon_years(plan);
    let annual = (0..years)
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
    let demand = DemandSummary {
        expected_units: scenario
            .demand
            .expected_units_in_window(0.0, plan.horizon.time),
        mean_units: totals.units_demanded.mean(),
        std_err: totals.units_demanded.std_err(),
        annual,
    };

    let mut timeseries = Vec::new();
    let recorded = paths.min(plan.timeseries_paths);
    for (i, t) in totals.policies.iter().enumerate() {
        for (k, step) in plan.steps.iter().enumerate() {
            let sketch = &t.on_hand_at_step[k];
            timeseries.push(TimeSeriesPoint {
                policy: plan.policies[i].name.clone(),
                time_years: step.time,
                on_hand_mean: t.on_hand_sum_at_step[k] as f64 / recorded as f64,
                on_hand_p05: sketch.quantile(0.05).unwrap_or(0.0),
                on_hand_p50: sketch.quantile(0.5).unwrap_or(0.0),
                on_hand_p95: sketch.quantile(0.95).unwrap_or(0.0),
                cumulative_cost_mean: t.cost_at_step[k].value() / recorded as f64,
            });
        }
    }

    RunSummary {
        pimsim_version: env!("CARGO_PKG_VERSION").to_string(),
        seed: settings.seed,
        paths,
        policies,
        verdict,
        demand,
        quantile_method: format!(
            "total-cost and stock-out quantiles are exact order statistics (linear interpolation, \
             NumPy's default) of the first {} paths, i.e. of all paths when there are fewer; \
             CVaR95 is the mean of the costliest 5 % of those paths; the time series (means and \
             quantiles) comes from the first {} paths; time-series and annual-demand quantiles \
             are exact below 1024 units and within 0.5 % above",
            super::stats::PathSample::CAPACITY,
            plan.timeseries_paths
        ),
        scenario: scenario.clone(),
        timeseries,
    }
}
