//! Random delays: re-manufacture lead times and partner response times drawn from a
//! distribution, each order its own draw (issue 18, uncertain lead times).
//!
//! In a scenario, `[remanufacture] lead_time_years` and `[[partner]] response_days` are either
//! a number (a fixed delay, as before) or a table naming a distribution and its parameters in
//! the key's unit (years or days):
//!
//! ```toml
//! [remanufacture]
//! lead_time_years = { distribution = "gamma", mean = 0.5, cv = 0.4 }
//! [[partner]]
//! response_days = { distribution = "empirical", values = [12, 15, 21, 40], weights = [3, 5, 1, 1] }
//! ```

use schemars::JsonSchema;
use serde::Serialize;

/// A delay drawn afresh for every order from a distribution, in the unit of the key that holds
/// it (years for re-manufacture lead times, days for partner response times).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct RandomDelay {
    /// The distribution and its parameters.
    #[serde(flatten)]
    pub distribution: DelayDistribution,
    /// Whether a later order may arrive before an earlier one from the same source (`true`:
    /// every order's delay is independent, Palm's assumption); `false`: a delivery arrives no
    /// earlier than the previous one from that source.
    pub crossing: bool,
}

/// The distribution of a random delay (parameters in the unit of the delay's key).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(tag = "distribution", rename_all = "snake_case")]
pub enum DelayDistribution {
    /// Gamma with this mean and coefficient of variation (shape 1/cv², scale mean·cv²).
    Gamma {
        /// Mean delay (years or days).
        mean: f64,
        /// Standard deviation / mean (dimensionless).
        cv: f64,
    },
    /// Lognormal with this mean and coefficient of variation (σ² = ln(1 + cv²),
    /// μ = ln(mean) − σ²/2).
    Lognormal {
        /// Mean delay (years or days).
        mean: f64,
        /// Standard deviation / mean (dimensionless).
        cv: f64,
    },
    /// Uniform on [lo, hi].
    Uniform {
        /// Shortest delay (years or days).
        lo: f64,
        /// Longest delay (years or days).
        hi: f64,
    },
    /// One of the recorded `values` (e.g. past lead times from an ERP export), each with
    /// probability proportional to its weight (equal when no weights are given).
    Empirical {
        /// The recorded delays (years or days).
        values: Vec<f64>,
        /// Relative weights, one per value (`null`: equal weights).
        weights: Option<Vec<f64>>,
    },
}

impl DelayDistribution {
    /// The mean delay (in the unit of the parameters).
    pub fn mean(&self) -> f64 {
        match self {
            DelayDistribution::Gamma { mean, .. } | DelayDistribution::Lognormal { mean, .. } => {
                *mean
            }
            DelayDistribution::Uniform { lo, hi } => lo + (hi - lo) / 2.0,
            DelayDistribution::Empirical { values, weights } => match weights {
                None => values.iter().sum::<f64>() / values.len() as f64,
                Some(w) => {
                    let total: f64 = w.iter().sum();
                    values.iter().zip(w).map(|(v, w)| v * w).sum::<f64>() / total
                }
            },
        }
    }

    /// The distribution's name as written in a scenario (`"gamma"`, …).
    pub fn name(&self) -> &'static str {
        match self {
            DelayDistribution::Gamma { .. } => "gamma",
            DelayDistribution::Lognormal { .. } => "lognormal",
            DelayDistribution::Uniform { .. } => "uniform",
            DelayDistribution::Empirical { .. } => "empirical",
        }
    }

    /// The same distribution with every delay divided by `divisor` (a change of unit: 365.25
    /// from days to years, as a fixed response time is converted, so that both give the same
    /// bits).
    pub fn divided(&self, divisor: f64) -> DelayDistribution {
        match self {
            DelayDistribution::Gamma { mean, cv } => DelayDistribution::Gamma {
                mean: mean / divisor,
                cv: *cv,
            },
            DelayDistribution::Lognormal { mean, cv } => DelayDistribution::Lognormal {
                mean: mean / divisor,
                cv: *cv,
            },
            DelayDistribution::Uniform { lo, hi } => DelayDistribution::Uniform {
                lo: lo / divisor,
                hi: hi / divisor,
            },
            DelayDistribution::Empirical { values, weights } => DelayDistribution::Empirical {
                values: values.iter().map(|v| v / divisor).collect(),
                weights: weights.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn means() {
        let e = DelayDistribution::Empirical {
            values: vec![1.0, 3.0],
            weights: Some(vec![3.0, 1.0]),
        };
        assert_eq!(e.mean(), 1.5);
        let u = DelayDistribution::Uniform { lo: 2.0, hi: 4.0 };
        assert_eq!(u.mean(), 3.0);
        assert_eq!(u.divided(2.0).mean(), 1.5);
    }
}
