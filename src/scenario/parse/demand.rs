//! `[demand]` and its sub-tables: the intensity model, order sizes, rate uncertainty and
//! sudden death.

use crate::demand::{DemandModel, Intensity, OrderSize};
use crate::elementary;
use crate::scenario::keys::demand::{
    ANNUAL_PROBABILITY, DEMAND, MIN_RATE_CV, MODELS, OBSOLESCENCE, ORDER_SIZE, RATE_CV,
    UNCERTAINTY, keys, order_size,
};
use crate::scenario::reader::Table;

pub(super) fn read_demand(root: &Table<'_, '_>, horizon: Option<f64>) -> Option<DemandModel> {
    let Some(t) = root.table("demand") else {
        root.error(
            "demand",
            "missing table [demand] with a model and its parameters",
        );
        return None;
    };
    t.check_spec(&DEMAND);
    if !t.has(keys::MODEL.name) {
        t.error(
            keys::MODEL.name,
            format!("missing required key; one of {}", MODELS.join(", ")),
        );
    }
    let model = t.choice(keys::MODEL.name, MODELS);
    check_model_parameters(&t, model.as_deref());
    let intensity = match model.as_deref() {
        Some("constant") => Some(Intensity::Constant {
            rate: t.required_number_of(&keys::RATE)?,
        }),
        Some("exponential") => read_exponential(&t),
        Some("linear") => {
            let rate = t.required_number(
                keys::RATE.name,
                keys::RATE.bound(),
                "orders per year at t = 0",
            );
            let end = t.required_number_of(&keys::END_YEARS);
            Some(Intensity::Linear {
                rate: rate?,
                end_years: end?,
            })
        }
        Some("installed_base") => read_installed_base(&t),
        Some("table") => Some(read_rate_table(&t, horizon)?),
        _ => None,
    };

    let order_size = match t.table(keys::ORDER_SIZE.name) {
        Some(o) => read_order_size(&o),
        None => Some(OrderSize::One),
    };
    let rate_cv = read_uncertainty(&t);
    let obsolescence = read_obsolescence(&t);
    Some(DemandModel {
        intensity: intensity?,
        order_size: order_size?,
        rate_cv: rate_cv.unwrap_or(0.0),
        obsolescence_annual_probability: obsolescence?,
    })
}

/// Errors for the parameters of other models than `model`.
fn check_model_parameters(t: &Table<'_, '_>, model: Option<&str>) {
    let Some(m) = model else { return };
    let uses = DEMAND.parameters_of(m);
    for p in DEMAND.parameters() {
        if t.has(p) && !uses.contains(&p) {
            t.error(
                p,
                format!(
                    "not a parameter of model \"{m}\"; its parameters are: {}",
                    uses.join(", ")
                ),
            );
        }
    }
}

fn read_exponential(t: &Table<'_, '_>) -> Option<Intensity> {
    let rate = t.required_number(
        keys::RATE.name,
        keys::RATE.bound(),
        "orders per year at t = 0",
    );
    let half_life = keys::HALF_LIFE_YEARS.name;
    let decay_rate = keys::DECAY_RATE.name;
    let decay = match (t.has(half_life), t.has(decay_rate)) {
        // A normal half-life gives a finite decay rate (the bound excludes subnormals).
        (true, false) => t
            .number_of(&keys::HALF_LIFE_YEARS)
            .map(|h| elementary::ln(2f64) / h),
        (false, true) => t.number_of(&keys::DECAY_RATE),
        (true, true) => {
            t.error(
                decay_rate,
                "give either half_life_years or decay_rate, not both",
            );
            None
        }
        (false, false) => {
            t.error(
                half_life,
                "model \"exponential\" needs half_life_years (years, > 0) or decay_rate (per year, ≥ 0)",
            );
            None
        }
    };
    Some(Intensity::Exponential {
        rate: rate?,
        decay_rate: decay?,
    })
}

fn read_installed_base(t: &Table<'_, '_>) -> Option<Intensity> {
    let n0 = t.required_number_of(&keys::UNITS_IN_FIELD);
    let eta = t.required_number_of(&keys::RETIREMENT_SCALE_YEARS);
    let k = t
        .number_of(&keys::RETIREMENT_SHAPE)
        .or_else(|| (!t.has(keys::RETIREMENT_SHAPE.name)).then_some(1.0));
    let rho = t.required_number_of(&keys::FAILURE_RATE);
    let g = t
        .number_of(&keys::FAILURE_GROWTH)
        .or_else(|| (!t.has(keys::FAILURE_GROWTH.name)).then_some(0.0));
    Some(Intensity::InstalledBase {
        units_in_field: n0?,
        retirement_scale_years: eta?,
        retirement_shape: k?,
        failure_rate: rho?,
        failure_growth: g?,
    })
}

fn read_rate_table(t: &Table<'_, '_>, horizon: Option<f64>) -> Option<Intensity> {
    if !t.has(keys::RATES.name) {
        t.error(
            keys::RATES.name,
            "missing required key; expected an array of orders per year, one per year from t = 0",
        );
        return None;
    }
    let rates = t.numbers_of(&keys::RATES)?;
    if rates.is_empty() {
        t.error("rates", "must hold at least one rate (orders per year)");
        return None;
    }
    if let Some(h) = horizon
        && (rates.len() as f64) < h
    {
        t.warn(
            "rates",
            format!(
                "the table covers {} years but the horizon is {h} years; the last rate ({}) is held to the end",
                rates.len(),
                rates[rates.len() - 1]
            ),
        );
    }
    Some(Intensity::Table { rates })
}

fn read_uncertainty(t: &Table<'_, '_>) -> Option<f64> {
    let Some(u) = t.table(keys::UNCERTAINTY.name) else {
        return Some(0.0);
    };
    u.check_spec(&UNCERTAINTY);
    match u.number_of(&RATE_CV) {
        Some(c) if c > 0.0 && c < MIN_RATE_CV => {
            u.error(
                RATE_CV.name,
                format!(
                    "must be 0 (the rate is known) or a number in [{MIN_RATE_CV:e}, 10]; \
                     a smaller uncertainty is indistinguishable from none, write 0"
                ),
            );
            None
        }
        other => other,
    }
}

fn read_obsolescence(t: &Table<'_, '_>) -> Option<f64> {
    let Some(o) = t.table(keys::OBSOLESCENCE.name) else {
        return Some(0.0);
    };
    // Like [demand.uncertainty], an empty table means no risk (0).
    o.check_spec(&OBSOLESCENCE);
    o.number_of(&ANNUAL_PROBABILITY)
        .or_else(|| (!o.has(ANNUAL_PROBABILITY.name)).then_some(0.0))
}

fn read_order_size(t: &Table<'_, '_>) -> Option<OrderSize> {
    t.check_spec(&ORDER_SIZE);
    let distribution = order_size::DISTRIBUTION;
    let kind = if t.has(distribution.name) {
        t.choice(distribution.name, distribution.choices())?
    } else {
        "one".to_string()
    };
    let uses = ORDER_SIZE.parameters_of(&kind);
    for p in ORDER_SIZE.parameters() {
        if t.has(p) && !uses.contains(&p) {
            t.error(
                p,
                format!(
                    "not a parameter of distribution \"{kind}\"; its parameters are: {}",
                    if uses.is_empty() {
                        "none".to_string()
                    } else {
                        uses.join(", ")
                    }
                ),
            );
        }
    }
    let mean = || t.required_number_of(&order_size::MEAN);
    match kind.as_str() {
        "one" => Some(OrderSize::One),
        "poisson" => Some(OrderSize::Poisson { mean: mean()? }),
        "geometric" => Some(OrderSize::Geometric { mean: mean()? }),
        "negative_binomial" => {
            let m = mean();
            let d = t.required_number_of(&order_size::DISPERSION);
            Some(OrderSize::NegativeBinomial {
                mean: m?,
                dispersion: d?,
            })
        }
        _ => {
            if !t.has(order_size::PMF.name) {
                t.error(
                    order_size::PMF.name,
                    "missing required key; expected probabilities of sizes 1, 2, … summing to 1",
                );
                return None;
            }
            let pmf = t.numbers_of(&order_size::PMF)?;
            let total: f64 = pmf.iter().sum();
            if pmf.is_empty() || (total - 1.0).abs() > 1e-9 {
                t.error(
                    "pmf",
                    format!("probabilities must sum to 1 (they sum to {total})"),
                );
                return None;
            }
            Some(OrderSize::Table { pmf })
        }
    }
}
