//! The Syntetos–Boylan demand classes, on the monthly demand series (units per month).
//!
//! - ADI, the average demand interval: months observed / months with demand (so 1 means demand
//!   every month);
//! - CV², the squared coefficient of variation of the non-zero monthly demands:
//!   population variance / mean² (dividing by the number of non-zero months, not one less).
//!
//! | | CV² < 0.49 | CV² ≥ 0.49 |
//! |---|---|---|
//! | **ADI < 1.32** | smooth | erratic |
//! | **ADI ≥ 1.32** | intermittent | lumpy |
//!
//! A value exactly on a cut-off belongs to the upper side (intermittent or erratic/lumpy):
//! Syntetos, Boylan and Croston (2005) recommend Croston-type methods from the cut-offs on.
//! To make "exactly" robust to rounding, a value within 10⁻¹² (relative) of the cut-off counts
//! as on it. A series with no demand at all has the class `no_demand`.

use crate::elementary;
use serde::Serialize;

/// ADI cut-off, months.
pub const ADI_CUTOFF: f64 = 1.32;
/// CV² cut-off.
pub const CV2_CUTOFF: f64 = 0.49;

/// A Syntetos–Boylan demand class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DemandClass {
    /// Frequent, regular demand.
    Smooth,
    /// Infrequent demand of regular size.
    Intermittent,
    /// Frequent demand of irregular size.
    Erratic,
    /// Infrequent demand of irregular size.
    Lumpy,
    /// No demand in the history.
    NoDemand,
}

impl DemandClass {
    /// The class's name as written in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            DemandClass::Smooth => "smooth",
            DemandClass::Intermittent => "intermittent",
            DemandClass::Erratic => "erratic",
            DemandClass::Lumpy => "lumpy",
            DemandClass::NoDemand => "no_demand",
        }
    }
}

/// The classification of one monthly series.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Classification {
    /// Average demand interval, months (∞ without demand).
    pub adi: f64,
    /// Squared coefficient of variation of the non-zero monthly demands (NaN without demand).
    pub cv2: f64,
    /// The class.
    pub class: DemandClass,
}

fn at_or_above(x: f64, cutoff: f64) -> bool {
    x >= cutoff * (1.0 - 1e-12)
}

/// Classifies a monthly demand series (units per month, zeros included).
pub fn classify(units_per_month: &[u64]) -> Classification {
    let nonzero: Vec<f64> = units_per_month
        .iter()
        .filter(|&&u| u > 0)
        .map(|&u| u as f64)
        .collect();
    if nonzero.is_empty() {
        return Classification {
            adi: f64::INFINITY,
            cv2: f64::NAN,
            class: DemandClass::NoDemand,
        };
    }
    let k = nonzero.len() as f64;
    let adi = units_per_month.len() as f64 / k;
    let mean = nonzero.iter().sum::<f64>() / k;
    let var = nonzero
        .iter()
        .map(|x| elementary::powi(x - mean, 2))
        .sum::<f64>()
        / k;
    let cv2 = var / (mean * mean);
    let class = match (at_or_above(adi, ADI_CUTOFF), at_or_above(cv2, CV2_CUTOFF)) {
        (false, false) => DemandClass::Smooth,
        (true, false) => DemandClass::Intermittent,
        (false, true) => DemandClass::Erratic,
        (true, true) => DemandClass::Lumpy,
    };
    Classification { adi, cv2, class }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_demand() {
        assert_eq!(classify(&[0, 0, 0]).class, DemandClass::NoDemand);
    }

    #[test]
    fn adi_and_cv2_by_hand() {
        let c = classify(&[4, 0, 6, 0]);
        assert_eq!(c.adi, 2.0);
        assert!((c.cv2 - 1.0 / 25.0).abs() < 1e-15);
        assert_eq!(c.class, DemandClass::Intermittent);
    }
}
