//! The zooming grid of the optimiser ([`search`], [`search_with`]) over any evaluation of
//! candidate quantities: the method the module's documentation explains, apart from the
//! engine.

use std::collections::BTreeMap;

use super::{FrontierPoint, GRID_POINTS, MAX_DOUBLINGS, Method, SearchCost};
use crate::engine;
use crate::engine::PolicyEstimate;

/// What [`search`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    /// The chosen point.
    pub best: FrontierPoint,
    /// Whether it meets the fill-rate target (true without one).
    pub target_met: bool,
    /// Every evaluated point, by quantity.
    pub frontier: Vec<FrontierPoint>,
    /// The work done.
    pub cost: SearchCost,
}

/// At most `points` quantities spread evenly over `[lo, hi]`, both ends included (all of
/// them when the range is that small).
fn grid(lo: u64, hi: u64, points: usize) -> Vec<u64> {
    let width = hi - lo;
    if width < points as u64 {
        return (lo..=hi).collect();
    }
    let steps = (points - 1) as u128;
    let mut out: Vec<u64> = (0..points as u128)
        .map(|k| lo + ((k * width as u128 + steps / 2) / steps) as u64)
        .collect();
    out.dedup();
    out
}

/// The best evaluated point: the cheapest meeting the target (ties: the smaller quantity), or
/// without any point meeting it, the one with the highest fill rate (ties: the cheaper, then
/// the smaller). Returns the point and whether it meets the target.
fn best_point(points: &BTreeMap<u64, FrontierPoint>, target: Option<f64>) -> (FrontierPoint, bool) {
    let feasible = |p: &FrontierPoint| target.is_none_or(|f| p.fill_rate >= f);
    let cheapest =
        points
            .values()
            .filter(|p| feasible(p))
            .fold(None::<FrontierPoint>, |best, p| match best {
                Some(b) if b.total_cost <= p.total_cost => Some(b),
                _ => Some(*p),
            });
    if let Some(b) = cheapest {
        return (b, true);
    }
    let best = points
        .values()
        .fold(None::<FrontierPoint>, |best, p| match best {
            Some(b)
                if b.fill_rate > p.fill_rate
                    || (b.fill_rate == p.fill_rate && b.total_cost <= p.total_cost) =>
            {
                Some(b)
            }
            _ => Some(*p),
        })
        .expect("at least one point was evaluated");
    (best, false)
}

/// The zooming-grid search of the module's documentation over integer quantities in
/// `[lower, upper]`; `extendable` lets the upper end double while the best point lies on it.
/// `evaluate` gets the quantities of one pass and returns their estimates in order.
pub fn search<E>(
    lower: u64,
    upper: u64,
    extendable: bool,
    target: Option<f64>,
    evaluate: impl FnMut(&[u64]) -> Result<Vec<PolicyEstimate>, E>,
) -> Result<SearchResult, E> {
    search_with(GRID_POINTS, lower, upper, extendable, target, evaluate)
}

/// [`search`] with `per_round` quantities per round (at least 3; `usize::MAX` scans the whole
/// range in the first round).
pub fn search_with<E>(
    per_round: usize,
    lower: u64,
    upper: u64,
    extendable: bool,
    target: Option<f64>,
    mut evaluate: impl FnMut(&[u64]) -> Result<Vec<PolicyEstimate>, E>,
) -> Result<SearchResult, E> {
    let per_round = per_round.max(3);
    let mut points: BTreeMap<u64, FrontierPoint> = BTreeMap::new();
    let mut passes = 0;
    let mut upper = upper.max(lower);
    let (mut lo, mut hi) = (lower, upper);
    let mut doublings = 0;
    loop {
        let fresh: Vec<u64> = grid(lo, hi, per_round)
            .into_iter()
            .filter(|q| !points.contains_key(q))
            .collect();
        if !fresh.is_empty() {
            let estimates = evaluate(&fresh)?;
            passes += 1;
            for (&q, e) in fresh.iter().zip(&estimates) {
                points.insert(
                    q,
                    FrontierPoint {
                        quantity: q,
                        total_cost: e.mean_cost,
                        fill_rate: e.fill_rate(),
                        std_err: e.std_err,
                        ci95: [
                            e.mean_cost - engine::Z95 * e.std_err,
                            e.mean_cost + engine::Z95 * e.std_err,
                        ],
                        no_stockout_probability: e.no_stockout_probability,
                    },
                );
            }
        }
        let (best, _) = best_point(&points, target);
        let b = best.quantity;
        if extendable && b == upper && doublings < MAX_DOUBLINGS {
            doublings += 1;
            let new_upper = upper.saturating_mul(2).max(upper + 1);
            (lo, hi, upper) = (upper, new_upper, new_upper);
            continue;
        }
        let below = points.range(..b).next_back().map_or(b, |(&q, _)| q);
        let above = points.range(b + 1..).next().map_or(b, |(&q, _)| q);
        if (below..=above).all(|q| points.contains_key(&q)) {
            break;
        }
        (lo, hi) = (below, above);
    }
    let (best, target_met) = best_point(&points, target);
    let frontier: Vec<FrontierPoint> = points.into_values().collect();
    Ok(SearchResult {
        best,
        target_met,
        cost: SearchCost {
            method: if per_round == usize::MAX {
                Method::FullScan
            } else {
                Method::ZoomingGrid
            },
            passes,
            candidates: frontier.len() as u64,
            lower,
            upper,
            full_grid: upper - lower + 1,
        },
        frontier,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn estimate(cost: f64, fill: f64) -> PolicyEstimate {
        PolicyEstimate {
            mean_cost: cost,
            std_err: 0.0,
            units_demanded: 1_000_000,
            units_filled: (fill * 1e6).round() as u64,
            no_stockout_probability: fill,
        }
    }

    fn run(
        lower: u64,
        upper: u64,
        extendable: bool,
        target: Option<f64>,
        f: impl Fn(u64) -> (f64, f64),
    ) -> SearchResult {
        search::<()>(lower, upper, extendable, target, |qs: &[u64]| {
            Ok(qs
                .iter()
                .map(|&q| {
                    let (c, r) = f(q);
                    estimate(c, r)
                })
                .collect())
        })
        .unwrap()
    }

    #[test]
    fn grid_spans_the_range_with_both_ends() {
        assert_eq!(grid(0, 3, GRID_POINTS), vec![0, 1, 2, 3]);
        let g = grid(0, 1000, GRID_POINTS);
        assert_eq!(g.len(), GRID_POINTS);
        assert_eq!((g[0], g[GRID_POINTS - 1]), (0, 1000));
        assert!(g.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(grid(5, 5, GRID_POINTS), vec![5]);
    }

    #[test]
    fn finds_the_minimum_of_a_convex_curve_exactly_and_cheaply() {
        for m in [0u64, 1, 7, 333, 998, 999, 1000] {
            let r = run(0, 1000, false, None, |q| {
                let d = q as f64 - m as f64;
                (d * d + 0.5 * d, 0.5)
            });
            assert_eq!(r.best.quantity, m);
            assert!(r.cost.passes <= 5, "{:?}", r.cost);
            assert!(r.cost.candidates <= 60, "{:?}", r.cost);
            assert!(r.frontier.windows(2).all(|w| w[0].quantity < w[1].quantity));
        }
    }

    #[test]
    fn a_full_scan_finds_the_global_minimum_of_a_bumpy_curve() {
        // Local minima at every multiple of 10; the global one at 73.
        let f = |q: u64| {
            let base = ((q % 10) as f64 - 5.0).abs();
            (if q == 73 { -1.0 } else { base }, 0.5)
        };
        let r = search_with::<()>(usize::MAX, 0, 200, false, None, |qs: &[u64]| {
            Ok(qs.iter().map(|&q| estimate(f(q).0, f(q).1)).collect())
        })
        .unwrap();
        assert_eq!(r.best.quantity, 73);
        assert_eq!(r.cost.candidates, 201);
        assert_eq!(r.cost.method, Method::FullScan);
    }

    #[test]
    fn ties_go_to_the_smaller_quantity() {
        let r = run(0, 100, false, None, |q| {
            (if q >= 40 { 1.0 } else { 2.0 }, 0.5)
        });
        assert_eq!(r.best.quantity, 40);
    }

    #[test]
    fn a_fill_rate_target_picks_the_cheapest_feasible_point() {
        // Cost rises with q from 0, fill rate q/100: the smallest q with fill ≥ 0.9 is 90.
        let r = run(0, 100, false, Some(0.9), |q| (q as f64, q as f64 / 100.0));
        assert_eq!(r.best.quantity, 90);
        assert!(r.target_met);
        let r = run(0, 100, false, Some(0.999_999), |q| {
            (q as f64, q as f64 / 200.0)
        });
        assert!(!r.target_met);
        assert_eq!(r.best.quantity, 100);
    }

    #[test]
    fn a_last_time_buy_range_doubles_while_the_best_is_at_its_end() {
        let r = run(0, 10, true, None, |q| ((q as f64 - 77.0).abs(), 0.5));
        assert_eq!(r.best.quantity, 77);
        assert!(r.cost.upper >= 80, "{:?}", r.cost);
    }
}
