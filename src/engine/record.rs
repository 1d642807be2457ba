//! One policy's figures as one flat record of numbers: what a row of `policies.csv` (and of
//! `sweep.csv`, `sweep_oat.csv` and `portfolio.csv`) says, before it is rendered as text.
//!
//! A portfolio keeps these records per part and policy instead of whole summaries (a few
//! hundred bytes each), and its shards carry them to `merge`; [`crate::output`] renders them.

use serde::{Deserialize, Serialize};

use super::summary::{PolicySummary, RecordsSummary, RunSummary};
use crate::inventory::{CostLines, UnitCounts};

/// One policy of one run, flat.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PolicyRow {
    /// The policy's name.
    pub policy: String,
    /// hold, scrap or partner_release.
    pub kind: String,
    /// Paths of the run.
    pub paths: u64,
    /// Seed of the run.
    pub seed: u64,
    /// Units filled from stock at once ÷ units demanded (`None` without demand).
    pub fill_rate: Option<f64>,
    /// Share of paths with no short unit.
    pub no_stockout_probability: f64,
    /// Total discounted cost per path (currency): mean, standard error, 95 % interval,
    /// quantiles and CVaR95.
    pub total_cost: TotalCostFigures,
    /// Mean of each cost line per path (currency).
    pub cost: CostLines<f64>,
    /// Sum of the mean cost lines (currency).
    pub cost_total: f64,
    /// Mean units per path.
    pub units: UnitCounts<f64>,
    /// Time-average units on hand.
    pub average_on_hand: f64,
    /// Share of paths that stock out (`None`: none does).
    pub first_stockout_share: Option<f64>,
    /// Median time of the first stock-out among paths that stock out, years.
    pub first_stockout_p50_years: Option<f64>,
    /// Paired difference against the baseline (`None` for the baseline itself).
    pub versus_baseline: Option<BaselineFigures>,
    /// Units served per year ÷ average units on hand.
    pub inventory_turnover: Option<f64>,
    /// Gross margin per year ÷ average inventory at cost.
    pub gmroi: Option<f64>,
    /// Carrying cost ÷ total cost.
    pub carrying_share_of_total: Option<f64>,
    /// Mean discounted revenue (currency).
    pub revenue: Option<f64>,
    /// Drifting stock records' figures (`None` when the scenario's records cannot drift).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<RecordsSummary>,
}

/// The total-cost figures of a [`PolicyRow`] (currency).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TotalCostFigures {
    /// Mean over paths.
    pub mean: f64,
    /// Standard error of the mean.
    pub std_err: f64,
    /// Lower end of the 95 % interval of the mean.
    pub ci95_low: f64,
    /// Upper end of the 95 % interval of the mean.
    pub ci95_high: f64,
    /// 5th percentile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Mean of the costliest 5 % of paths.
    pub cvar95: f64,
}

/// The paired comparison of a [`PolicyRow`] with the baseline (currency; negative = cheaper).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct BaselineFigures {
    /// Mean of (this policy's total − the baseline's) on the same paths.
    pub mean_difference: f64,
    /// Its standard error.
    pub std_err: f64,
    /// Lower end of its 95 % interval.
    pub ci95_low: f64,
    /// Upper end of its 95 % interval.
    pub ci95_high: f64,
    /// Share of paths on which this policy is strictly cheaper.
    pub probability_cheaper: f64,
}

impl PolicyRow {
    /// The row of policy `p` of the run `summary`.
    pub fn of(summary: &RunSummary, p: &PolicySummary) -> PolicyRow {
        let c = &p.total_cost;
        PolicyRow {
            policy: p.name.clone(),
            kind: p.kind.clone(),
            paths: summary.paths,
            seed: summary.seed,
            fill_rate: p.fill_rate,
            no_stockout_probability: p.no_stockout_probability,
            total_cost: TotalCostFigures {
                mean: c.mean,
                std_err: c.std_err,
                ci95_low: c.ci95[0],
                ci95_high: c.ci95[1],
                p05: c.p05,
                p50: c.p50,
                p95: c.p95,
                cvar95: c.cvar95,
            },
            cost: p.cost_breakdown.lines,
            cost_total: p.cost_breakdown.total,
            units: p.units.counts,
            average_on_hand: p.units.average_on_hand,
            first_stockout_share: p.first_stockout_years.as_ref().map(|s| s.share_of_paths),
            first_stockout_p50_years: p.first_stockout_years.as_ref().map(|s| s.p50),
            versus_baseline: p.comparison.as_ref().map(|c| BaselineFigures {
                mean_difference: c.mean_difference,
                std_err: c.std_err,
                ci95_low: c.ci95[0],
                ci95_high: c.ci95[1],
                probability_cheaper: c.probability_cheaper,
            }),
            inventory_turnover: p.finance.inventory_turnover,
            gmroi: p.finance.gmroi,
            carrying_share_of_total: p.finance.carrying_share_of_total,
            revenue: p.finance.revenue,
            records: p.records.clone(),
        }
    }

    /// Every row of `summary`, in the order of its policies.
    pub fn all(summary: &RunSummary) -> Vec<PolicyRow> {
        summary
            .policies
            .iter()
            .map(|p| PolicyRow::of(summary, p))
            .collect()
    }
}
