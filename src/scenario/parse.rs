//! From TOML text to a validated [`Scenario`].

use std::collections::HashSet;
use std::path::Path;

use toml::de::{DeTable, DeValue};

use super::reader::{Bound, Source, Table, num, type_name};
use super::{
    Costs, HoldingComponents, Part, Partner, Policy, PolicyKind, Remanufacture, Replenishment,
    ReportSettings, Scenario, Simulation, StockSettings, UnmetDemand,
};
use crate::demand::{DemandModel, Intensity, OrderSize};
use crate::error::{InputError, Problem, Severity};
use crate::retention::{RetainRule, check_computable_at};

/// Default number of paths when neither the file nor the command line says.
pub const DEFAULT_PATHS: u64 = 10_000;
/// Default seed.
pub const DEFAULT_SEED: u64 = 1;
/// Shortest horizon, years (about nine hours): per-year figures of shorter horizons overflow.
const MIN_HORIZON: f64 = 1e-3;
/// Most paths a run may have (`simulation.paths`, `--paths`).
pub const MAX_PATHS: u64 = 1_000_000_000_000;

/// Largest amount of money per unit, run or request (currency): far above any real price, and
/// low enough that no sum of costs over a path can overflow.
const MAX_MONEY: f64 = 1e12;
/// Money that may be negative (income or a fee).
const MONEY: Bound = Bound::Money(-MAX_MONEY, MAX_MONEY);
/// Money that may not be negative.
const PRICE: Bound = Bound::Money(0.0, MAX_MONEY);
/// A rate of losses per unit-year: up to 1000 (a mean life of under nine hours), so that time
/// averages of stock stay far from underflow.
const RATE: Bound = Bound::Closed(0.0, 1000.0);
/// Largest number of units in stock, bought or in an (s, S) level.
const MAX_UNITS: i64 = 1_000_000_000_000;
/// Most orders one path may be expected to have (each is simulated), at the 1 − 10⁻⁹
/// quantile of the path's rate multiplier.
const MAX_ORDERS_PER_PATH: f64 = 1e8;
/// Most losses in storage one path may be expected to have (each is simulated).
const MAX_LOSSES_PER_PATH: f64 = 1e8;
/// Largest growth of re-manufacture costs over the time runs can be ordered.
const MAX_ESCALATION_FACTOR: f64 = 1e30;
/// Smallest non-zero `rate_cv` (below it the rate multiplier cannot be sampled reliably, and
/// it is indistinguishable from a known rate).
const MIN_RATE_CV: f64 = 1e-6;

const DEMAND_MODELS: &[&str] = &[
    "constant",
    "exponential",
    "linear",
    "installed_base",
    "table",
];
const MODEL_PARAMETERS: &[&str] = &[
    "rate",
    "half_life_years",
    "decay_rate",
    "end_years",
    "units_in_field",
    "retirement_scale_years",
    "retirement_shape",
    "failure_rate",
    "failure_growth",
    "rates",
];

pub(super) fn parse(path: &Path, text: &str) -> Result<(Scenario, Vec<Problem>), InputError> {
    let src = Source::new(path, text);
    let doc = match DeTable::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            src.report(
                Severity::Error,
                span,
                "(syntax)",
                false,
                format!("not valid TOML: {}", e.message().trim()),
            );
            return Err(InputError::Problems(src.into_problems()));
        }
    };
    let root = Table::root(&src, &doc);
    let scenario = read_scenario(&root, path);
    match scenario {
        Some(s) if !src.has_errors() => Ok((s, src.into_problems())),
        _ => Err(InputError::Problems(src.into_problems())),
    }
}

/// `report.currency`: a short label such as "EUR" or "USD" for the report's axes and tables.
fn read_currency(t: &Table<'_, '_>) -> Option<String> {
    let text = t.string("currency")?;
    let trimmed = text.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 12 || trimmed.chars().any(char::is_control) {
        t.error(
            "currency",
            "expected a short label of 1 to 12 characters for money in the report, e.g. \"EUR\"",
        );
        return None;
    }
    Some(trimmed.to_string())
}

fn read_scenario(root: &Table<'_, '_>, path: &Path) -> Option<Scenario> {
    // [sweep] is read by `super::sweep`; a single scenario ignores it.
    root.check_keys_except(
        &["sweep"],
        &[
            "scenario",
            "simulation",
            "report",
            "part",
            "demand",
            "stock",
            "costs",
            "replenishment",
            "remanufacture",
            "partner",
            "policy",
        ],
    );
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());

    // [scenario]
    let (name, description, horizon, discount_rate) = match root.table("scenario") {
        Some(t) => {
            t.check_keys(&["name", "description", "horizon_years", "discount_rate"]);
            (
                t.string("name").unwrap_or_else(|| stem.clone()),
                t.string("description").unwrap_or_default(),
                t.required_number(
                    "horizon_years",
                    Bound::HalfOpen(MIN_HORIZON, 1000.0),
                    "years",
                ),
                t.number(
                    "discount_rate",
                    Bound::HalfOpen(0.0, 10.0),
                    "fraction per year",
                )
                .unwrap_or(0.0),
            )
        }
        None => {
            root.error(
                "scenario",
                "missing table [scenario] with at least horizon_years",
            );
            (stem.clone(), String::new(), None, 0.0)
        }
    };

    let simulation = match root.table("simulation") {
        Some(t) => {
            t.check_keys(&["paths", "seed"]);
            Simulation {
                paths: t
                    .integer_in("paths", 1, MAX_PATHS as i64, "demand paths")
                    .map_or(DEFAULT_PATHS, |p| p as u64),
                seed: t
                    .integer("seed", 0, "seed")
                    .map_or(DEFAULT_SEED, |s| s as u64),
            }
        }
        None => Simulation {
            paths: DEFAULT_PATHS,
            seed: DEFAULT_SEED,
        },
    };

    let default_step = horizon.map_or(1.0, |h| if h <= 50.0 { 1.0 } else { (h / 50.0).ceil() });
    let report = match root.table("report") {
        Some(t) => {
            t.check_keys(&["step_years", "currency"]);
            ReportSettings {
                step_years: t
                    .number(
                        "step_years",
                        Bound::Positive,
                        "years between time-series points",
                    )
                    .unwrap_or(default_step),
                currency: read_currency(&t),
            }
        }
        None => ReportSettings {
            step_years: default_step,
            currency: None,
        },
    };
    if let Some(h) = horizon
        && h / report.step_years > 1000.0
        && let Some(t) = root.table("report")
    {
        t.error(
            "step_years",
            format!(
                "gives {:.0} time-series points over the {h}-year horizon; at most 1000 are allowed (step_years ≥ {})",
                h / report.step_years,
                h / 1000.0
            ),
        );
    }

    let part = read_part(root);
    let demand = read_demand(root, horizon);
    let stock = match root.table("stock") {
        Some(t) => {
            t.check_keys(&["shrinkage_rate"]);
            StockSettings {
                shrinkage_rate: t
                    .number("shrinkage_rate", RATE, "losses per unit-year")
                    .unwrap_or(0.0),
            }
        }
        None => StockSettings {
            shrinkage_rate: 0.0,
        },
    };
    let costs = read_costs(root, discount_rate);
    let replenishment = match root.table("replenishment") {
        Some(t) => read_replenishment(&t, None),
        None => Some(Replenishment {
            reorder_point: 0,
            order_up_to: 1,
        }),
    };
    let remanufacture = read_remanufacture(root, horizon);
    let partners = read_partners(root);
    // Partners as written, valid or not: a policy's need of partners is judged on those.
    let partner_count = root.array("partner").len();
    let policies = read_policies(root, horizon, replenishment, partner_count);

    let scenario = Scenario {
        name,
        description,
        horizon_years: horizon?,
        discount_rate,
        simulation,
        report,
        part: part?,
        demand: demand?,
        stock,
        costs: costs?,
        replenishment: replenishment?,
        remanufacture: remanufacture?,
        partners: partners?,
        policies: policies?,
    };
    if volume_checks(root, &scenario) {
        cross_checks(root, &scenario);
    }
    Some(scenario)
}

/// The 1 − 10⁻⁹ quantile of the path's rate multiplier M ~ Gamma(shape a = 1/cv², mean 1),
/// bounded from above with Chernoff's inequality P(M ≥ x) ≤ exp(−a·(x − 1 − ln x)).
fn multiplier_tail(rate_cv: f64) -> f64 {
    if rate_cv <= 0.0 {
        return 1.0;
    }
    let a = 1.0 / (rate_cv * rate_cv);
    let target = 1e9f64.ln() / a;
    let excess = |x: f64| x - 1.0 - x.ln();
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

/// Errors for scenarios whose volumes would make a path take hours or overflow: every order
/// and every loss in storage is simulated one by one. False when the demand is too large (the
/// checks that build on it are then skipped, so that one mistake gives one message).
fn volume_checks(root: &Table<'_, '_>, s: &Scenario) -> bool {
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
                 year, one order may ask for several units)",
                num(MAX_ORDERS_PER_PATH)
            )
        } else {
            format!(
                "the demand rate λ(t) overflows within {end} years (it grows without bound); \
                 check the growth parameters and the horizon"
            )
        };
        if let Some(t) = root.table("demand") {
            t.error(key, message);
        }
        return false;
    }
    let shrinkage = s.stock.shrinkage_rate;
    if shrinkage > 0.0 {
        let units = s.units_per_path_bound();
        let losses = units * (shrinkage * s.horizon_years).min(1.0);
        if losses > MAX_LOSSES_PER_PATH
            && let Some(t) = root.table("stock")
        {
            t.error(
                "shrinkage_rate",
                format!(
                    "with about {units:.3e} units in storage, up to {losses:.3e} losses per path \
                     would be simulated one by one; at most {} are allowed",
                    num(MAX_LOSSES_PER_PATH)
                ),
            );
        }
    }
    true
}

fn read_part(root: &Table<'_, '_>) -> Option<Part> {
    let Some(t) = root.table("part") else {
        root.error("part", "missing table [part] with unit_cost and on_hand");
        return None;
    };
    t.check_keys(&[
        "name",
        "unit_cost",
        "on_hand",
        "last_time_buy",
        "last_time_buy_cost",
        "sale_price",
    ]);
    let unit_cost = t.required_number("unit_cost", PRICE, "currency per unit");
    let on_hand = t.required_integer_in("on_hand", 0, MAX_UNITS, "units");
    let ltb = t
        .integer_in("last_time_buy", 0, MAX_UNITS, "units")
        .unwrap_or(0);
    let ltb_cost = t.number("last_time_buy_cost", PRICE, "currency per unit");
    let sale_price = t.number("sale_price", PRICE, "currency per unit");

    Some(Part {
        name: t.string("name").unwrap_or_default(),
        unit_cost: unit_cost?,
        on_hand: on_hand? as u64,
        last_time_buy: ltb as u64,
        last_time_buy_cost: ltb_cost.unwrap_or(unit_cost?),
        sale_price,
    })
}

fn read_demand(root: &Table<'_, '_>, horizon: Option<f64>) -> Option<DemandModel> {
    let Some(t) = root.table("demand") else {
        root.error(
            "demand",
            "missing table [demand] with a model and its parameters",
        );
        return None;
    };
    let mut allowed = vec!["model", "order_size", "uncertainty", "obsolescence"];
    allowed.extend_from_slice(MODEL_PARAMETERS);
    t.check_keys(&allowed);
    if !t.has("model") {
        t.error(
            "model",
            format!("missing required key; one of {}", DEMAND_MODELS.join(", ")),
        );
    }
    let model = t.choice("model", DEMAND_MODELS);
    let uses: &[&str] = match model.as_deref() {
        Some("constant") => &["rate"],
        Some("exponential") => &["rate", "half_life_years", "decay_rate"],
        Some("linear") => &["rate", "end_years"],
        Some("installed_base") => &[
            "units_in_field",
            "retirement_scale_years",
            "retirement_shape",
            "failure_rate",
            "failure_growth",
        ],
        Some("table") => &["rates"],
        _ => MODEL_PARAMETERS,
    };
    if let Some(m) = &model {
        for p in MODEL_PARAMETERS {
            if t.has(p) && !uses.contains(p) {
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
    let intensity = match model.as_deref() {
        Some("constant") => Some(Intensity::Constant {
            rate: t.required_number("rate", Bound::NonNegative, "orders per year")?,
        }),
        Some("exponential") => {
            let rate = t.required_number("rate", Bound::NonNegative, "orders per year at t = 0");
            let decay = match (t.has("half_life_years"), t.has("decay_rate")) {
                (true, false) => t
                    .number("half_life_years", Bound::Positive, "years")
                    .map(|h| 2f64.ln() / h),
                (false, true) => t.number("decay_rate", Bound::NonNegative, "per year"),
                (true, true) => {
                    t.error(
                        "decay_rate",
                        "give either half_life_years or decay_rate, not both",
                    );
                    None
                }
                (false, false) => {
                    t.error(
                        "half_life_years",
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
        Some("linear") => {
            let rate = t.required_number("rate", Bound::NonNegative, "orders per year at t = 0");
            let end = t.required_number("end_years", Bound::Positive, "years until demand ends");
            Some(Intensity::Linear {
                rate: rate?,
                end_years: end?,
            })
        }
        Some("installed_base") => {
            let n0 = t.required_number("units_in_field", Bound::NonNegative, "units in the field");
            let eta = t.required_number("retirement_scale_years", Bound::Positive, "years");
            let k = t
                .number(
                    "retirement_shape",
                    Bound::Closed(0.05, 20.0),
                    "Weibull shape",
                )
                .or_else(|| (!t.has("retirement_shape")).then_some(1.0));
            let rho = t.required_number(
                "failure_rate",
                Bound::NonNegative,
                "orders per unit in the field per year",
            );
            let g = t
                .number(
                    "failure_growth",
                    Bound::Open(-1.0, 10.0),
                    "fraction per year",
                )
                .or_else(|| (!t.has("failure_growth")).then_some(0.0));
            Some(Intensity::InstalledBase {
                units_in_field: n0?,
                retirement_scale_years: eta?,
                retirement_shape: k?,
                failure_rate: rho?,
                failure_growth: g?,
            })
        }
        Some("table") => {
            if !t.has("rates") {
                t.error("rates", "missing required key; expected an array of orders per year, one per year from t = 0");
                return None;
            }
            let rates = t.numbers("rates", Bound::NonNegative, "orders per year")?;
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
        _ => None,
    };

    let order_size = match t.table("order_size") {
        Some(o) => read_order_size(&o),
        None => Some(OrderSize::One),
    };
    let rate_cv = match t.table("uncertainty") {
        Some(u) => {
            u.check_keys(&["rate_cv"]);
            let cv = u.number(
                "rate_cv",
                Bound::Closed(0.0, 10.0),
                "coefficient of variation of the rate",
            );
            match cv {
                Some(c) if c > 0.0 && c < MIN_RATE_CV => {
                    u.error(
                        "rate_cv",
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
        None => Some(0.0),
    };
    let obsolescence = match t.table("obsolescence") {
        Some(o) => {
            // Like [demand.uncertainty], an empty table means no risk (0).
            o.check_keys(&["annual_probability"]);
            o.number(
                "annual_probability",
                Bound::HalfOpen(0.0, 1.0),
                "probability per year of sudden death",
            )
            .or_else(|| (!o.has("annual_probability")).then_some(0.0))
        }
        None => Some(0.0),
    };
    Some(DemandModel {
        intensity: intensity?,
        order_size: order_size?,
        rate_cv: rate_cv.unwrap_or(0.0),
        obsolescence_annual_probability: obsolescence?,
    })
}

fn read_order_size(t: &Table<'_, '_>) -> Option<OrderSize> {
    t.check_keys(&["distribution", "mean", "dispersion", "pmf"]);
    let kinds = ["one", "poisson", "geometric", "negative_binomial", "table"];
    let kind = if t.has("distribution") {
        t.choice("distribution", &kinds)?
    } else {
        "one".to_string()
    };
    let uses: &[&str] = match kind.as_str() {
        "one" => &[],
        "poisson" | "geometric" => &["mean"],
        "negative_binomial" => &["mean", "dispersion"],
        _ => &["pmf"],
    };
    for p in ["mean", "dispersion", "pmf"] {
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
    let mean = || t.required_number("mean", Bound::Closed(1.0, 1e6), "units per order, ≥ 1");
    match kind.as_str() {
        "one" => Some(OrderSize::One),
        "poisson" => Some(OrderSize::Poisson { mean: mean()? }),
        "geometric" => Some(OrderSize::Geometric { mean: mean()? }),
        "negative_binomial" => {
            let m = mean();
            let d = t.required_number(
                "dispersion",
                // Below 1e-9 the distribution is Poisson to every digit, and the Gamma mixing
                // shape 1/α can no longer be sampled.
                Bound::HalfOpen(1e-9, 1e6),
                "α in variance m + α·m² of the units above one; use \"poisson\" for α = 0",
            );
            Some(OrderSize::NegativeBinomial {
                mean: m?,
                dispersion: d?,
            })
        }
        _ => {
            if !t.has("pmf") {
                t.error(
                    "pmf",
                    "missing required key; expected probabilities of sizes 1, 2, … summing to 1",
                );
                return None;
            }
            let pmf = t.numbers("pmf", Bound::Closed(0.0, 1.0), "probability")?;
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

fn read_costs(root: &Table<'_, '_>, discount_rate: f64) -> Option<Costs> {
    let Some(t) = root.table("costs") else {
        root.error(
            "costs",
            "missing table [costs] with holding_rate (or [costs.holding]) and shortage_penalty",
        );
        return None;
    };
    t.check_keys(&[
        "holding_rate",
        "holding",
        "salvage_value",
        "shortage_penalty",
        "unmet_demand",
        "backorder_cost_per_year",
    ]);
    let (holding_rate, components) = match (t.has("holding_rate"), t.table("holding")) {
        (true, Some(_)) => {
            t.error(
                "holding",
                "give either holding_rate or [costs.holding], not both",
            );
            (None, None)
        }
        (true, None) => (
            t.number(
                "holding_rate",
                Bound::Closed(0.0, 10.0),
                "fraction of unit cost per year",
            ),
            None,
        ),
        (false, Some(h)) => {
            h.check_keys(&["capital", "storage", "insurance", "obsolescence"]);
            let unit = "fraction of unit cost per year";
            let c = HoldingComponents {
                capital: h
                    .number("capital", Bound::Closed(0.0, 10.0), unit)
                    .unwrap_or(0.0),
                storage: h
                    .number("storage", Bound::Closed(0.0, 10.0), unit)
                    .unwrap_or(0.0),
                insurance: h
                    .number("insurance", Bound::Closed(0.0, 10.0), unit)
                    .unwrap_or(0.0),
                obsolescence: h
                    .number("obsolescence", Bound::Closed(0.0, 10.0), unit)
                    .unwrap_or(0.0),
            };
            if c.capital > 0.0 && discount_rate > 0.0 {
                h.warn(
                    "capital",
                    format!(
                        "a capital component and discount_rate = {discount_rate} both charge for the cost of money: it is counted twice"
                    ),
                );
            }
            (
                Some(c.capital + c.storage + c.insurance + c.obsolescence),
                Some(c),
            )
        }
        (false, None) => {
            t.error(
                "holding_rate",
                "missing required key; expected a carrying cost as a fraction of unit cost per year (or a [costs.holding] table)",
            );
            (None, None)
        }
    };
    let penalty = t.required_number("shortage_penalty", PRICE, "currency per unit short");
    let unmet = match t.choice("unmet_demand", &["lost", "backorder"]).as_deref() {
        Some("backorder") => UnmetDemand::Backorder,
        _ => UnmetDemand::Lost,
    };
    let backorder_cost = t.number(
        "backorder_cost_per_year",
        PRICE,
        "currency per backordered unit per year",
    );
    if backorder_cost.is_some() && unmet == UnmetDemand::Lost {
        t.error(
            "backorder_cost_per_year",
            "only used with unmet_demand = \"backorder\"",
        );
    }
    Some(Costs {
        holding_rate: holding_rate?,
        holding_components: components,
        salvage_value: t
            .number(
                "salvage_value",
                MONEY,
                "currency per unit; negative = disposal fee",
            )
            .unwrap_or(0.0),
        shortage_penalty: penalty?,
        unmet_demand: unmet,
        backorder_cost_per_year: backorder_cost.unwrap_or(0.0),
    })
}

fn read_replenishment(t: &Table<'_, '_>, base: Option<Replenishment>) -> Option<Replenishment> {
    t.check_keys(&["reorder_point", "order_up_to"]);
    let base = base.unwrap_or(Replenishment {
        reorder_point: 0,
        order_up_to: 1,
    });
    let s = t.integer_in(
        "reorder_point",
        -1_000_000_000,
        MAX_UNITS,
        "units of inventory position",
    );
    let big_s = t.integer_in(
        "order_up_to",
        -1_000_000_000,
        MAX_UNITS,
        "units of inventory position",
    );
    let reorder_point = if t.has("reorder_point") {
        s?
    } else {
        base.reorder_point
    };
    let order_up_to = match (t.has("order_up_to"), t.has("reorder_point")) {
        (true, _) => big_s?,
        // A new s without a new S: keep S above s.
        (false, true) => base.order_up_to.max(reorder_point + 1),
        (false, false) => base.order_up_to,
    };
    if order_up_to <= reorder_point {
        t.error(
            "order_up_to",
            format!("must be greater than reorder_point ({reorder_point})"),
        );
        return None;
    }
    Some(Replenishment {
        reorder_point,
        order_up_to,
    })
}

fn read_remanufacture(root: &Table<'_, '_>, horizon: Option<f64>) -> Option<Option<Remanufacture>> {
    let Some(t) = root.table("remanufacture") else {
        return Some(None);
    };
    t.check_keys(&[
        "enabled",
        "setup_cost",
        "unit_cost",
        "cost_escalation",
        "lead_time_years",
        "available_until_years",
        "min_batch",
        "batch_cover_years",
    ]);
    // The other keys are validated even when disabled, so that switching re-manufacture back
    // on never reveals a hidden mistake.
    let enabled = t.boolean("enabled").unwrap_or(true);
    let setup = t
        .number("setup_cost", PRICE, "currency per run")
        .unwrap_or(0.0);
    let unit = t.required_number("unit_cost", PRICE, "currency per unit");
    let escalation = t
        .number(
            "cost_escalation",
            Bound::Open(-1.0, 10.0),
            "fraction per year",
        )
        .unwrap_or(0.0);
    let lead = t.required_number(
        "lead_time_years",
        Bound::NonNegative,
        "years from order to arrival",
    );
    let until = t.number("available_until_years", Bound::NonNegative, "years");
    let min_batch = t
        .integer_in("min_batch", 1, MAX_UNITS, "units")
        .unwrap_or(1);
    let cover = t.number(
        "batch_cover_years",
        Bound::Open(0.0, 1000.0),
        "years of expected demand per run",
    );
    // Costs grow by (1 + escalation)^t while runs can be ordered; keep them finite.
    if let Some(h) = horizon {
        let last_order = until.unwrap_or(h).min(h);
        let growth = escalation.ln_1p() * last_order;
        if growth > MAX_ESCALATION_FACTOR.ln() {
            t.error(
                "cost_escalation",
                format!(
                    "makes re-manufacture costs grow by a factor of about 10^{:.0} by year {last_order}; \
                     at most 10^30 is allowed (check that it is a fraction per year: 0.03 for 3 %)",
                    growth / std::f64::consts::LN_10
                ),
            );
            return None;
        }
    }
    if !enabled {
        return Some(None);
    }
    Some(Some(Remanufacture {
        setup_cost: setup,
        unit_cost: unit?,
        cost_escalation: escalation,
        lead_time_years: lead?,
        available_until_years: until.or(horizon).unwrap_or(f64::INFINITY),
        min_batch: min_batch as u64,
        batch_cover_years: cover,
    }))
}

fn read_partners(root: &Table<'_, '_>) -> Option<Vec<Partner>> {
    let items = root.array("partner");
    let mut partners = Vec::new();
    let mut names = HashSet::new();
    let mut ok = true;
    let mut shares_given = 0;
    for (i, item) in items.iter().enumerate() {
        let Some(t) = root.table_at(item, format!("partner[{i}]")) else {
            root.src.report(
                Severity::Error,
                item.span(),
                &format!("partner[{i}]"),
                false,
                format!(
                    "expected a table ([[partner]]), found {}",
                    type_name(item.get_ref())
                ),
            );
            ok = false;
            continue;
        };
        t.check_keys(&[
            "name",
            "share",
            "release_price",
            "buyback_price",
            "reliability",
            "response_days",
            "attrition_rate",
            "order_fee",
        ]);
        let name = t.string("name");
        if name.is_none() && !t.has("name") {
            t.error(
                "name",
                "missing required key; expected a unique partner name",
            );
        }
        if let Some(n) = &name {
            if n.trim().is_empty() {
                t.error("name", "must not be empty; give each partner a unique name");
                ok = false;
            } else if !names.insert(n.clone()) {
                t.error(
                    "name",
                    format!(
                        "partner names must be unique; \"{n}\" is used by an earlier [[partner]]"
                    ),
                );
                ok = false;
            }
        }
        let share = t.number(
            "share",
            Bound::Closed(0.0, 1.0),
            "fraction of released units",
        );
        if t.has("share") {
            shares_given += 1;
        }
        let release = t.required_number("release_price", MONEY, "currency per unit released");
        let buyback = t.required_number("buyback_price", PRICE, "currency per unit bought back");
        let reliability = t
            .number(
                "reliability",
                Bound::Closed(0.0, 1.0),
                "probability a request is honoured",
            )
            .unwrap_or(1.0);
        let response = t
            .number(
                "response_days",
                Bound::Closed(0.0, 365_250.0),
                "days from request to delivery, at most 1000 years",
            )
            .unwrap_or(0.0);
        let attrition = t
            .number("attrition_rate", RATE, "losses per unit-year")
            .unwrap_or(0.0);
        let fee = t
            .number("order_fee", PRICE, "currency per request")
            .unwrap_or(0.0);
        match (name, release, buyback) {
            (Some(name), Some(release_price), Some(buyback_price)) => partners.push(Partner {
                name,
                share: share.unwrap_or(f64::NAN),
                release_price,
                buyback_price,
                reliability,
                response_days: response,
                attrition_rate: attrition,
                order_fee: fee,
            }),
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    if shares_given == 0 {
        let n = partners.len() as f64;
        for p in &mut partners {
            p.share = 1.0 / n;
        }
    } else if shares_given < partners.len() || partners.iter().any(|p| p.share.is_nan()) {
        root.error(
            "partner",
            "give a share to every partner or to none (then released units are split equally)",
        );
        return None;
    } else {
        let total: f64 = partners.iter().map(|p| p.share).sum();
        if (total - 1.0).abs() > 1e-9 {
            root.error(
                "partner",
                format!("partner shares must sum to 1 (they sum to {total})"),
            );
            return None;
        }
    }
    Some(partners)
}

/// Most dispositions one policy may have over the horizon.
const MAX_REVIEWS: u64 = 10_000;

fn read_policies(
    root: &Table<'_, '_>,
    horizon: Option<f64>,
    replenishment: Option<Replenishment>,
    partner_count: usize,
) -> Option<Vec<Policy>> {
    let items = root.array("policy");
    if items.is_empty() {
        root.error(
            "policy",
            "at least one [[policy]] is needed (kind = \"hold\", \"scrap\" or \"partner_release\")",
        );
        return None;
    }
    let mut policies = Vec::new();
    let mut names = HashSet::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let Some(t) = root.table_at(item, format!("policy[{i}]")) else {
            root.src.report(
                Severity::Error,
                item.span(),
                &format!("policy[{i}]"),
                false,
                format!(
                    "expected a table ([[policy]]), found {}",
                    type_name(item.get_ref())
                ),
            );
            ok = false;
            continue;
        };
        t.check_keys(&[
            "name",
            "kind",
            "at_years",
            "retain",
            "review_every_years",
            "replenishment",
        ]);
        let name = t.string("name");
        if !t.has("name") {
            t.error(
                "name",
                "missing required key; expected a unique policy name",
            );
        }
        if let Some(n) = &name {
            if n.trim().is_empty() {
                t.error("name", "must not be empty; give each policy a unique name");
                ok = false;
            } else if !names.insert(n.clone()) {
                t.error(
                    "name",
                    format!(
                        "policy names must be unique; \"{n}\" is used by an earlier [[policy]]"
                    ),
                );
                ok = false;
            }
        }
        if !t.has("kind") {
            t.error(
                "kind",
                "missing required key; one of \"hold\", \"scrap\", \"partner_release\"",
            );
        }
        let kind = match t
            .choice("kind", &["hold", "scrap", "partner_release"])
            .as_deref()
        {
            Some("hold") => Some(PolicyKind::Hold),
            Some("scrap") => Some(PolicyKind::Scrap),
            Some("partner_release") => Some(PolicyKind::PartnerRelease),
            _ => None,
        };
        let at_years = match horizon {
            Some(h) => t.number(
                "at_years",
                Bound::HalfOpen(0.0, h),
                "years, before the horizon",
            ),
            None => t.number("at_years", Bound::NonNegative, "years"),
        }
        .or_else(|| (!t.has("at_years")).then_some(0.0));
        let review = t.number(
            "review_every_years",
            Bound::Positive,
            "years between reviews",
        );
        if let (Some(every), Some(h)) = (review, horizon)
            && h / every > MAX_REVIEWS as f64
        {
            t.error(
                "review_every_years",
                format!(
                    "gives {:.0} reviews over the horizon; at most {MAX_REVIEWS} are allowed (years ≥ {})",
                    h / every,
                    h / MAX_REVIEWS as f64
                ),
            );
            ok = false;
        }
        let retain = read_retain(&t, kind);
        if kind == Some(PolicyKind::Hold) && t.has("review_every_years") {
            t.error(
                "review_every_years",
                "a hold policy has no disposition to repeat",
            );
        }
        if kind == Some(PolicyKind::Hold) && t.has("at_years") {
            t.error("at_years", "a hold policy has no disposition time");
        }
        if kind == Some(PolicyKind::PartnerRelease) && partner_count == 0 {
            t.error(
                "kind",
                "a partner_release policy needs at least one [[partner]]",
            );
            ok = false;
        }
        let repl = match t.table("replenishment") {
            Some(r) => replenishment.and_then(|base| read_replenishment(&r, Some(base))),
            None => replenishment,
        };
        match (name, kind, at_years, retain, repl) {
            (Some(name), Some(kind), Some(at_years), Some(retain), Some(replenishment)) => policies
                .push(Policy {
                    name,
                    kind,
                    at_years,
                    retain,
                    review_every_years: review,
                    replenishment,
                }),
            _ => ok = false,
        }
    }
    ok.then_some(policies)
}

/// `retain`: an integer, `{ cover_years = y }`, `{ quantile = q }` or `"optimal"`.
fn read_retain(t: &Table<'_, '_>, kind: Option<PolicyKind>) -> Option<Option<RetainRule>> {
    let allowed = "a whole number of units, { cover_years = y }, { quantile = q } or \"optimal\"";
    let Some(raw) = t.raw("retain") else {
        if matches!(kind, Some(PolicyKind::Scrap | PolicyKind::PartnerRelease)) {
            t.error(
                "retain",
                format!("missing required key; expected {allowed}"),
            );
            return None;
        }
        return Some(None);
    };
    if kind == Some(PolicyKind::Hold) {
        t.error(
            "retain",
            "a hold policy keeps everything; remove retain or use kind = \"scrap\"",
        );
        return None;
    }
    match raw.get_ref() {
        DeValue::Integer(_) => t
            .integer("retain", 0, "units retained")
            .map(|r| Some(RetainRule::Units(r as u64))),
        DeValue::String(s) if s.as_ref() == "optimal" => {
            if t.has("review_every_years") {
                t.error(
                    "retain",
                    "\"optimal\" chooses one retained level for one disposition; remove review_every_years, or give R as a number of units, cover_years or quantile",
                );
                return None;
            }
            Some(Some(RetainRule::Optimal))
        }
        DeValue::Table(_) => {
            let r = t.table_at(raw, t.path("retain"))?;
            r.check_keys(&["cover_years", "quantile"]);
            match (r.has("cover_years"), r.has("quantile")) {
                (true, false) => r
                    .number(
                        "cover_years",
                        Bound::Open(0.0, 1000.0),
                        "years of expected demand",
                    )
                    .map(|y| Some(RetainRule::CoverYears(y))),
                (false, true) => r
                    .number(
                        "quantile",
                        Bound::Open(0.0, 1.0),
                        "probability of covering the remaining demand",
                    )
                    .map(|q| Some(RetainRule::Quantile(q))),
                _ => {
                    t.error("retain", "give exactly one of cover_years or quantile");
                    None
                }
            }
        }
        _ => {
            t.error("retain", format!("expected {allowed}"));
            None
        }
    }
}

/// Legal but suspicious combinations, as warnings.
fn cross_checks(root: &Table<'_, '_>, s: &Scenario) {
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
                && let Some(t) = root
                    .array("policy")
                    .get(i)
                    .and_then(|v| root.table_at(v, format!("policy[{i}]")))
            {
                t.error("retain", e.to_string());
            }
        }
        if let Some(RetainRule::Units(r)) = p.retain
            && r > stock
        {
            let items = root.array("policy");
            if let Some(t) = items
                .get(i)
                .and_then(|v| root.table_at(v, format!("policy[{i}]")))
            {
                t.warn(
                    "retain",
                    format!("retains {r} units but only {stock} are in stock at t = 0: nothing is disposed of then"),
                );
            }
        }
    }
}
