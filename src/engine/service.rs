//! The service rule: when a policy's service is poor enough that a verdict or a
//! recommendation must say so, and which dearer policy serves well instead.
//!
//! One rule for every output (the terminal verdict of `run`, the verdict of `report.html`,
//! the recommendations of a portfolio): a policy's service is **poor** when its fill rate is
//! below a floor — the fill-rate target when one is given (`pimsim portfolio
//! --fill-rate-target F`), else [`DEFAULT_FILL_RATE_FLOOR`] (95 %) — or when it runs short at
//! least once in more than [`MAX_STOCKOUT_SHARE`] (half) of the futures. A policy without
//! demand (no fill rate) serves every unit it is asked for: never poor. The floor is a
//! judgement, not a cost: the costs already include the shortage penalty, so a policy can be
//! cheapest and still serve badly when the penalty is low against carrying or re-manufacture.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Fill rate below which service is poor when no fill-rate target is given (share).
pub const DEFAULT_FILL_RATE_FLOOR: f64 = 0.95;

/// Share of futures with at least one short unit above which service is poor (share).
pub const MAX_STOCKOUT_SHARE: f64 = 0.5;

/// The rule that judges a policy's service: poor when its fill rate is below
/// `fill_rate_floor` or it runs short in more than `max_stockout_share` of the futures; a
/// policy without demand is never poor (docs/output.md).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ServiceRule {
    /// Fill rate below which service is poor: the fill-rate target when one is given, else
    /// 0.95 (share in [0, 1]).
    #[schemars(range(min = 0, max = 1))]
    pub fill_rate_floor: f64,
    /// Share of futures with at least one short unit above which service is poor (share in
    /// [0, 1]; 0.5).
    #[schemars(range(min = 0, max = 1))]
    pub max_stockout_share: f64,
}

impl Default for ServiceRule {
    fn default() -> Self {
        ServiceRule::new(None)
    }
}

impl ServiceRule {
    /// The rule with the fill-rate target `target` as its floor (share; `None`: 95 %).
    pub fn new(target: Option<f64>) -> ServiceRule {
        ServiceRule {
            fill_rate_floor: target.unwrap_or(DEFAULT_FILL_RATE_FLOOR),
            max_stockout_share: MAX_STOCKOUT_SHARE,
        }
    }

    /// Whether a policy with fill rate `fill_rate` (share; `None` without demand) and share of
    /// futures without a short unit `no_stockout_probability` serves poorly.
    pub fn is_poor(&self, fill_rate: Option<f64>, no_stockout_probability: f64) -> bool {
        let Some(fill) = fill_rate else {
            return false;
        };
        fill < self.fill_rate_floor || 1.0 - no_stockout_probability > self.max_stockout_share
    }

    /// When the policy at `chosen` serves poorly, the cheapest policy that serves well among
    /// `policies` (each as mean total cost, fill rate, share of futures without a short unit,
    /// in scenario order; ties go to the first): its position. `None` when the chosen policy
    /// serves well or no policy does.
    pub fn better_service(
        &self,
        policies: &[(f64, Option<f64>, f64)],
        chosen: usize,
    ) -> Option<usize> {
        let &(_, fill, no_stockout) = policies.get(chosen)?;
        if !self.is_poor(fill, no_stockout) {
            return None;
        }
        policies
            .iter()
            .enumerate()
            .filter(|(_, (_, f, n))| !self.is_poor(*f, *n))
            .min_by(|a, b| a.1.0.total_cmp(&b.1.0).then(a.0.cmp(&b.0)))
            .map(|(i, _)| i)
    }

    /// The rule in words, for reports: "a fill rate of at least 95 % and a stock-out in at
    /// most half of the futures".
    pub fn describe(&self) -> String {
        let stockouts = if self.max_stockout_share == 0.5 {
            "half".to_string()
        } else {
            format!("{} %", percent_text(self.max_stockout_share))
        };
        format!(
            "a fill rate of at least {} % and a stock-out in at most {stockouts} of the futures",
            percent_text(self.fill_rate_floor)
        )
    }
}

/// A share as a percentage with as few decimals as it needs (up to two): 95, 99.5, 99.95.
fn percent_text(share: f64) -> String {
    let p = 100.0 * share;
    for decimals in 0..2 {
        let text = format!("{p:.decimals$}");
        if (text.parse::<f64>().unwrap_or(f64::NAN) - p).abs() < 1e-9 {
            return text;
        }
    }
    format!("{p:.2}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_is_poor_below_the_floor_or_with_stockouts_in_most_futures() {
        let rule = ServiceRule::default();
        assert_eq!(rule.fill_rate_floor, 0.95);
        // The case: 91.6 % fill rate, short in 98.9 % of futures.
        assert!(rule.is_poor(Some(0.916), 0.011));
        // A low fill rate alone, and frequent stock-outs alone.
        assert!(rule.is_poor(Some(0.90), 1.0));
        assert!(rule.is_poor(Some(0.99), 0.40));
        // At the limits service is good: fill rate exactly the floor, short in exactly half.
        assert!(!rule.is_poor(Some(0.95), 0.5));
        assert!(!rule.is_poor(Some(1.0), 0.997));
        // No demand: nothing to serve, never poor.
        assert!(!rule.is_poor(None, 0.0));
    }

    #[test]
    fn a_target_is_the_floor() {
        let rule = ServiceRule::new(Some(0.995));
        assert!(rule.is_poor(Some(0.99), 1.0));
        assert!(!rule.is_poor(Some(0.996), 1.0));
        let lenient = ServiceRule::new(Some(0.5));
        assert!(!lenient.is_poor(Some(0.6), 0.9));
        // Stock-outs in most futures stay poor whatever the target.
        assert!(lenient.is_poor(Some(0.6), 0.3));
        assert_eq!(
            rule.describe(),
            "a fill rate of at least 99.5 % and a stock-out in at most half of the futures"
        );
        assert_eq!(
            ServiceRule::default().describe(),
            "a fill rate of at least 95 % and a stock-out in at most half of the futures"
        );
    }

    #[test]
    fn the_better_service_is_the_cheapest_policy_that_serves_well() {
        let rule = ServiceRule::default();
        // (mean cost, fill rate, P(no stock-out)), as in heavy_machinery.
        let policies = [
            (3_259_063.0, Some(1.0), 1.0),
            (1_841_937.0, Some(0.79), 0.0),
            (741_190.0, Some(0.916), 0.011),
            (1_433_145.0, Some(1.0), 0.997),
            (1_293_595.0, Some(1.0), 0.996),
        ];
        assert_eq!(rule.better_service(&policies, 2), Some(4));
        // A policy that serves well needs no alternative.
        assert_eq!(rule.better_service(&policies, 4), None);
        // None serves well: no alternative.
        let poor = [(1.0, Some(0.5), 0.0), (2.0, Some(0.8), 0.1)];
        assert_eq!(rule.better_service(&poor, 0), None);
        // Ties go to the first policy.
        let tied = [
            (1.0, Some(0.5), 0.0),
            (2.0, Some(1.0), 1.0),
            (2.0, Some(1.0), 1.0),
        ];
        assert_eq!(rule.better_service(&tied, 0), Some(1));
    }
}
