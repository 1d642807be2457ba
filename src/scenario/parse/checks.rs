//! Limits across tables (demand volume, storage losses, quantile retention) and warnings for
//! legal but suspicious combinations.

use crate::demand::Intensity;
use crate::elementary;
use crate::retention::{RetainRule, check_computable_at};
use crate::scenario::Scenario;
use crate::scenario::keys::num;
use crate::scenario::reader::Table;

/// Most orders one path may be expected to have (each is simulated), at the 1 − 10⁻⁹
/// quantile of the path's rate multiplier.
const MAX_ORDERS_PER_PATH: f64 = 1e8;
/// Most losses in storage one path may be expected to have (each is simulated).
const MAX_LOSSES_PER_PATH: f64 = 1e8;

/// The 1 − 10⁻⁹ quantile of the path's rate multiplier M ~ Gamma(shape a = 1/cv², mean 1),
/// bounded from above with Chernoff's inequality P(M ≥ x) ≤ exp(−a·(x − 1 − ln x)).
fn multiplier_tail(rate_cv: f64) -> f64 {
    if rate_cv <= 0.0 {
        return 1.0;
    }
    let a = 1.0 / (rate_cv * rate_cv);
    let target = elementary::ln(1e9f64) / a;
    let excess = |x: f64| x - 1.0 - elementary::ln(x);
    let (mut lo, mut hi) = (1.0, 2.0);
    while excess(hi) < target {
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if excess(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// The keys the expected orders of `intensity` are computed from, for messages.
fn demand_drivers(intensity: &Intensity) -> &'static str {
    match intensity {
        Intensity::InstalledBase { .. } => {
            "units_in_field, failure_rate, failure_growth, retirement_scale_years, \
             retirement_shape and the horizon"
        }
        Intensity::Table { .. } => "rates and the horizon",
        _ => "rate, the decay and the horizon",
    }
}

/// Errors for scenarios whose volumes would make a path take hours or overflow: every order
/// and every loss in storage is simulated one by one. False when the demand is too large (the
/// checks that build on it are then skipped, so that one mistake gives one message).
pub(super) fn volume_checks(root: &Table<'_, '_>, s: &Scenario) -> bool {
    let demand = &s.demand;
    // Re-manufacture runs may cover expected demand beyond the horizon.
    let cover = s
        .remanufacture
        .as_ref()
        .and_then(|r| r.batch_cover_years)
        .unwrap_or(0.0);
    let end = s.horizon_years + cover;
    let orders = demand.intensity.expected_orders(0.0, end, 0.0, 0.0);
    let tail = multiplier_tail(demand.rate_cv);
    let volume = orders * tail;
    if volume.is_nan() || volume > MAX_ORDERS_PER_PATH {
        let key = match demand.intensity {
            Intensity::InstalledBase { .. } => "units_in_field",
            Intensity::Table { .. } => "rates",
            _ => "rate",
        };
        let drivers = demand_drivers(&demand.intensity);
        let message = if orders.is_finite() {
            let uncertain = if demand.rate_cv > 0.0 {
                format!(
                    ", and up to {:.3e} on rare paths (rate_cv = {})",
                    orders * tail,
                    demand.rate_cv
                )
            } else {
                String::new()
            };
            format!(
                "gives about {orders:.3e} expected orders per path over {end} years{uncertain}; \
                 every order is simulated, so at most {} are allowed (check the unit: orders per \
                 year, one order may ask for several units; the expected orders follow from \
                 {drivers})",
                num(MAX_ORDERS_PER_PATH)
            )
        } else if matches!(demand.intensity, Intensity::InstalledBase { .. }) {
            format!(
                "the demand rate λ(t) overflows within {end} years (it grows without bound); \
                 check the growth parameters and the horizon ({drivers})"
            )
        } else {
            format!(
                "gives more expected orders per path over {end} years than a floating-point \
                 number holds; every order is simulated, so at most {} are allowed (check the \
                 unit: orders per year; the expected orders follow from {drivers})",
                num(MAX_ORDERS_PER_PATH)
            )
        };
        if let Some(t) = root.table("demand") {
            t.error(key, message);
        }
        return false;
    }
    let records = s.stock.records.as_ref();
    let unrecorded = records.map_or(0.0, |r| r.unrecorded_shrinkage_rate);
    // Both kinds of loss are simulated one by one: their sum is limited.
    let shrinkage = s.stock.shrinkage_rate + unrecorded;
    let key = if s.stock.shrinkage_rate > 0.0 {
        "shrinkage_rate"
    } else {
        "unrecorded_shrinkage_rate"
    };
    if shrinkage > 0.0 {
        let units = s.units_per_path_bound();
        let losses = units * (shrinkage * s.horizon_years).min(1.0);
        if losses > MAX_LOSSES_PER_PATH
            && let Some(t) = root.table("stock")
        {
            t.error(
                key,
                format!(
                    "with about {units:.3e} units in storage, up to {losses:.3e} losses per path \
                     would be simulated one by one; at most {} are allowed (the units in storage \
                     are bounded by part.on_hand + part.last_time_buy, twice the expected demand, \
                     the largest order_up_to and remanufacture.min_batch)",
                    num(MAX_LOSSES_PER_PATH)
                ),
            );
        }
    }
    true
}

/// The table of policy `i`.
fn policy_table<'s, 'a>(root: &Table<'s, 'a>, i: usize) -> Option<Table<'s, 'a>> {
    root.array("policy")
        .get(i)
        .and_then(|v| root.table_at(v, format!("policy[{i}]")))
}

/// Legal but suspicious combinations, as warnings; and the cost of quantile rules.
pub(super) fn cross_checks(root: &Table<'_, '_>, s: &Scenario) {
    let warn = |table: &str, key: &str, message: String| {
        if let Some(t) = root.table(table) {
            t.warn(key, message);
        }
    };
    if s.costs.salvage_value > s.part.unit_cost && s.part.unit_cost > 0.0 {
        warn(
            "costs",
            "salvage_value",
            format!(
                "salvage value ({}) is above the unit cost ({}): scrapping makes money",
                s.costs.salvage_value, s.part.unit_cost
            ),
        );
    }
    for p in &s.partners {
        if s.costs.shortage_penalty < p.buyback_price {
            warn(
                "costs",
                "shortage_penalty",
                format!(
                    "the shortage penalty ({}) is below partner {}'s buy-back price ({}): going short is cheaper than buying back",
                    s.costs.shortage_penalty, p.name, p.buyback_price
                ),
            );
        }
    }
    let stock = s.starting_stock();
    for (i, p) in s.policies.iter().enumerate() {
        if let Some(rule) = p.retain {
            let problem = check_computable_at(
                rule,
                &s.demand,
                p.disposition_times(s.horizon_years),
                s.horizon_years,
            )
            .err();
            if let Some(e) = problem
                && let Some(t) = policy_table(root, i)
            {
                t.error("retain", e.to_string());
            }
        }
        if let Some(RetainRule::Units(r)) = p.retain
            && r > stock
            && let Some(t) = policy_table(root, i)
        {
            t.warn(
                "retain",
                format!("retains {r} units but only {stock} are in stock at t = 0: nothing is disposed of then"),
            );
        }
    }
}
