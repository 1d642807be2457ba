//! `[demand]`, `[demand.order_size]`, `[demand.uncertainty]` and `[demand.obsolescence]`.

use super::{Bound, Key, Kind, Limits, TableSpec};

/// The demand models (`demand.model`).
pub const MODELS: &[&str] = &[
    "constant",
    "exponential",
    "linear",
    "installed_base",
    "table",
];
/// The order-size distributions (`demand.order_size.distribution`).
pub const DISTRIBUTIONS: &[&str] = &["one", "poisson", "geometric", "negative_binomial", "table"];
/// Smallest non-zero `rate_cv` (below it the rate multiplier cannot be sampled reliably, and
/// it is indistinguishable from a known rate).
pub const MIN_RATE_CV: f64 = 1e-6;

/// `[demand]`.
pub mod keys {
    use super::*;

    /// `demand.model`.
    pub const MODEL: Key = Key::new(
        "model",
        Kind::Choice(MODELS),
        Limits::None,
        "",
        "required",
        "The intensity λ(t): constant λ0; exponential λ0·e^(−βt); linear λ0·max(0, 1 − t/t_end); installed_base N0·exp(−(t/η)^k)·ρ0·(1+g)^t; table, one rate per year.",
    )
    .rule("only the parameters of the chosen model may be given");
    /// `demand.order_size`.
    pub const ORDER_SIZE: Key = Key::table(
        "order_size",
        Kind::Table,
        "always 1 unit",
        "Units per order, always ≥ 1.",
    );
    /// `demand.uncertainty`.
    pub const UNCERTAINTY: Key = Key::table(
        "uncertainty",
        Kind::Table,
        "rate known",
        "Per-path uncertainty of the rate.",
    );
    /// `demand.obsolescence`.
    pub const OBSOLESCENCE: Key = Key::table(
        "obsolescence",
        Kind::Table,
        "no sudden death",
        "Risk that demand stops for good.",
    );
    /// `demand.rate`.
    pub const RATE: Key = Key::number(
        "rate",
        Bound::NonNegative,
        "orders per year",
        "required",
        "λ0: orders per year (at t = 0 for exponential and linear).",
    )
    .applies_to(&["constant", "exponential", "linear"])
    .limited_by(
        &["scenario.horizon_years", "demand.uncertainty.rate_cv"],
        "every order is simulated: at most 10^8 expected orders per path over the horizon (plus batch_cover_years), at the 1 − 10^-9 quantile of the rate multiplier",
    )
        .label("Demand rate (orders per year)");
    /// `demand.half_life_years`.
    pub const HALF_LIFE_YEARS: Key = Key::number(
        "half_life_years",
        Bound::Positive,
        "years",
        "one of half_life_years or decay_rate is required",
        "Years in which the rate halves: β = ln 2 / half_life_years.",
    )
    .applies_to(&["exponential"])
    .rule("not together with decay_rate")
    .label("Demand half-life (years)");
    /// `demand.decay_rate`.
    pub const DECAY_RATE: Key = Key::number(
        "decay_rate",
        Bound::NonNegative,
        "per year",
        "one of half_life_years or decay_rate is required",
        "β, the decay of the rate per year.",
    )
    .applies_to(&["exponential"])
    .rule("not together with half_life_years")
    .label("Demand decay rate (per year)");
    /// `demand.end_years`.
    pub const END_YEARS: Key = Key::number(
        "end_years",
        Bound::Positive,
        "years until demand ends",
        "required",
        "t_end: the rate falls linearly to 0 at this time.",
    )
    .applies_to(&["linear"])
    .label("End of demand (years)");
    /// `demand.units_in_field`.
    pub const UNITS_IN_FIELD: Key = Key::number(
        "units_in_field",
        Bound::NonNegative,
        "units in the field",
        "required",
        "N0: units of the product in the field at t = 0.",
    )
    .applies_to(&["installed_base"])
    .limited_by(
        &[
            "demand.failure_rate",
            "demand.failure_growth",
            "scenario.horizon_years",
        ],
        "at most 10^8 expected orders per path, as for rate",
    )
    .label("Units in the field");
    /// `demand.retirement_scale_years`.
    pub const RETIREMENT_SCALE_YEARS: Key = Key::number(
        "retirement_scale_years",
        Bound::Positive,
        "years",
        "required",
        "η: the share of units still in the field is S(t) = exp(−(t/η)^k).",
    )
    .applies_to(&["installed_base"])
    .label("Retirement scale (years)");
    /// `demand.retirement_shape`.
    pub const RETIREMENT_SHAPE: Key = Key::number(
        "retirement_shape",
        Bound::Closed(0.05, 20.0),
        "Weibull shape",
        "1",
        "k, the Weibull shape of the retirement of units.",
    )
    .applies_to(&["installed_base"])
    .label("Retirement shape (Weibull)");
    /// `demand.failure_rate`.
    pub const FAILURE_RATE: Key = Key::number(
        "failure_rate",
        Bound::NonNegative,
        "orders per unit in the field per year",
        "required",
        "ρ0: orders per unit in the field per year at t = 0.",
    )
    .applies_to(&["installed_base"])
    .limited_by(
        &[
            "demand.units_in_field",
            "demand.failure_growth",
            "scenario.horizon_years",
        ],
        "at most 10^8 expected orders per path, as for rate",
    )
    .label("Failure rate (orders per field unit-year)");
    /// `demand.failure_growth`.
    pub const FAILURE_GROWTH: Key = Key::number(
        "failure_growth",
        Bound::Open(-1.0, 10.0),
        "fraction per year",
        "0",
        "g: the failure rate grows as ρ(t) = ρ0·(1+g)^t.",
    )
    .applies_to(&["installed_base"])
    .limited_by(
        &[
            "demand.units_in_field",
            "demand.failure_rate",
            "scenario.horizon_years",
        ],
        "at most 10^8 expected orders per path, as for rate",
    )
    .label("Failure-rate growth (per year)");
    /// `demand.rates`.
    pub const RATES: Key = Key::new(
        "rates",
        Kind::Numbers,
        Limits::Number(Bound::NonNegative),
        "orders per year",
        "required",
        "rates[j] is the rate on [j, j+1) years; the last rate holds after the table.",
    )
    .applies_to(&["table"])
    .limited_by(
        &["scenario.horizon_years"],
        "non-empty; a warning if it covers fewer years than the horizon; at most 10^8 expected orders per path, as for rate",
    )
        .label("Demand rates by year (orders per year)");
}

/// `[demand]`.
pub static DEMAND: TableSpec = TableSpec {
    path: "demand",
    about: "Orders arrive as a Poisson process with intensity λ(t) orders per year, generated exactly (never a per-period approximation); `model` (required) and the parameters of that model only: a parameter of another model is an error.",
    keys: &[
        keys::MODEL,
        keys::ORDER_SIZE,
        keys::UNCERTAINTY,
        keys::OBSOLESCENCE,
        keys::RATE,
        keys::HALF_LIFE_YEARS,
        keys::DECAY_RATE,
        keys::END_YEARS,
        keys::UNITS_IN_FIELD,
        keys::RETIREMENT_SCALE_YEARS,
        keys::RETIREMENT_SHAPE,
        keys::FAILURE_RATE,
        keys::FAILURE_GROWTH,
        keys::RATES,
    ],
};

/// `[demand.order_size]`.
pub mod order_size {
    use super::*;

    /// `demand.order_size.distribution`.
    pub const DISTRIBUTION: Key = Key::new(
        "distribution",
        Kind::Choice(DISTRIBUTIONS),
        Limits::None,
        "",
        "\"one\"",
        "one: always 1; poisson: 1 + Poisson(mean − 1); geometric on 1, 2, … with the mean; negative_binomial: 1 + NB with mean m = mean − 1 and variance m + α·m²; table: P(size = k) = pmf[k−1].",
    )
    .rule("only the parameters of the chosen distribution may be given");
    /// `demand.order_size.mean`.
    pub const MEAN: Key = Key::number(
        "mean",
        Bound::Closed(1.0, 1e6),
        "units per order, ≥ 1",
        "required",
        "Mean units per order.",
    )
    .applies_to(&["poisson", "geometric", "negative_binomial"])
    .label("Mean order size (units)");
    /// `demand.order_size.dispersion`.
    pub const DISPERSION: Key = Key::number(
        "dispersion",
        // Below 1e-9 the distribution is Poisson to every digit, and the Gamma mixing shape
        // 1/α can no longer be sampled.
        Bound::HalfOpen(1e-9, 1e6),
        "α in variance m + α·m² of the units above one; use \"poisson\" for α = 0",
        "required",
        "α of the negative binomial; \"poisson\" is α = 0.",
    )
    .applies_to(&["negative_binomial"])
    .label("Order-size dispersion α");
    /// `demand.order_size.pmf`.
    pub const PMF: Key = Key::new(
        "pmf",
        Kind::Numbers,
        Limits::Number(Bound::Closed(0.0, 1.0)),
        "probability",
        "required",
        "P(size = 1), P(size = 2), …",
    )
    .applies_to(&["table"])
    .rule("the probabilities sum to 1")
    .label("Order-size probabilities");
}

/// `[demand.order_size]`.
pub static ORDER_SIZE: TableSpec = TableSpec {
    path: "demand.order_size",
    about: "Units per order, drawn independently for each order; `distribution` and its parameters only.",
    keys: &[
        order_size::DISTRIBUTION,
        order_size::MEAN,
        order_size::DISPERSION,
        order_size::PMF,
    ],
};

/// `demand.uncertainty.rate_cv`.
pub const RATE_CV: Key = Key::number(
    "rate_cv",
    Bound::Closed(0.0, 10.0),
    "coefficient of variation of the rate",
    "0 (rate known)",
    "c: each path's λ(t) is multiplied by M ~ Gamma(shape 1/c², scale c²), mean 1: we do not know the true rate.",
)
.rule("0, or at least 10^-6")
    .label("Demand-rate coefficient of variation");

/// `[demand.uncertainty]`.
pub static UNCERTAINTY: TableSpec = TableSpec {
    path: "demand.uncertainty",
    about: "How well the rate is known; an empty table means it is known.",
    keys: &[RATE_CV],
};

/// `demand.obsolescence.annual_probability`.
pub const ANNUAL_PROBABILITY: Key = Key::number(
    "annual_probability",
    Bound::HalfOpen(0.0, 1.0),
    "probability per year of sudden death",
    "0",
    "p: each path draws τ ~ Exponential(rate −ln(1−p)); λ(t) = 0 for t ≥ τ (the fleet is retired, a successor supersedes the part).",
)
    .label("Sudden obsolescence (probability per year)");

/// `[demand.obsolescence]`.
pub static OBSOLESCENCE: TableSpec = TableSpec {
    path: "demand.obsolescence",
    about: "Sudden death of the demand; an empty table means no risk.",
    keys: &[ANNUAL_PROBABILITY],
};
