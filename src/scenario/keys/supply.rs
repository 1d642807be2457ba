//! `[replenishment]`, `[remanufacture]` and `[[partner]]`.

use super::general::{MAX_UNITS, MONEY, PRICE, RATE};
use super::{Bound, Key, Kind, Limits, TableSpec};

/// Lowest reorder point (units of inventory position).
pub const MIN_REORDER_POINT: i64 = -1_000_000_000;
/// Largest growth of re-manufacture costs over the time runs can be ordered.
pub const MAX_ESCALATION_FACTOR: f64 = 1e30;

/// `[replenishment]` (and a policy's `replenishment`).
pub mod replenishment {
    use super::*;

    /// `replenishment.reorder_point`.
    pub const REORDER_POINT: Key = Key::integer(
        "reorder_point",
        MIN_REORDER_POINT,
        MAX_UNITS,
        "units of inventory position",
        "0",
        "s: order when the inventory position (on hand + on order − backorders) is ≤ s.",
    )
    .label("Reorder point s (units)");
    /// `replenishment.order_up_to`.
    pub const ORDER_UP_TO: Key = Key::integer(
        "order_up_to",
        MIN_REORDER_POINT,
        MAX_UNITS,
        "units of inventory position",
        "s + 1 (at least 1)",
        "S: order up to this inventory position, from the first source that can take the order.",
    )
    .limited_by(&["replenishment.reorder_point"], "> reorder_point")
    .label("Order-up-to level S (units)");
}

/// `[replenishment]`.
pub static REPLENISHMENT: TableSpec = TableSpec {
    path: "replenishment",
    about: "Continuous review on the inventory position: when it is ≤ s, order up to S, first from the partners (in the order listed), then by re-manufacture. Any policy may override it.",
    keys: &[replenishment::REORDER_POINT, replenishment::ORDER_UP_TO],
};

/// `[remanufacture]`.
pub mod remanufacture {
    use super::*;

    /// `remanufacture.enabled`.
    pub const ENABLED: Key = Key::new(
        "enabled",
        Kind::Boolean,
        Limits::None,
        "",
        "true",
        "false: as if the table were absent (its keys are still checked).",
    );
    /// `remanufacture.setup_cost`.
    pub const SETUP_COST: Key = Key::number(
        "setup_cost",
        PRICE,
        "currency per run",
        "0",
        "Cost of one production run at t = 0, paid when ordered.",
    )
    .label("Re-manufacture setup cost (currency per run)");
    /// `remanufacture.unit_cost`.
    pub const UNIT_COST: Key = Key::number(
        "unit_cost",
        PRICE,
        "currency per unit",
        "required",
        "Cost per unit of a run at t = 0, paid when ordered.",
    )
    .label("Re-manufacture unit cost (currency per unit)");
    /// `remanufacture.cost_escalation`.
    pub const COST_ESCALATION: Key = Key::number(
        "cost_escalation",
        Bound::Open(-1.0, 10.0),
        "fraction per year",
        "0",
        "Annual growth of both costs of a run.",
    )
    .limited_by(
        &[
            "scenario.horizon_years",
            "remanufacture.available_until_years",
        ],
        "the costs may grow at most 10^30-fold by the last time a run can be ordered",
    )
    .label("Re-manufacture cost escalation (per year)");
    /// `remanufacture.lead_time_years`: a number (fixed) or a distribution's table.
    pub const LEAD_TIME_YEARS: Key = Key::new(
        "lead_time_years",
        Kind::NumberOrDistribution,
        Limits::Number(Bound::NonNegative),
        "years from order to arrival",
        "required",
        "Years from ordering a run to its arrival: a number (fixed), or a table `{ distribution = \"gamma\", mean = 0.5, cv = 0.4 }` drawing each run's own lead time (see `remanufacture.lead_time_years` below).",
    )
    .label("Re-manufacture lead time (years)");
    /// `remanufacture.available_until_years`.
    pub const AVAILABLE_UNTIL_YEARS: Key = Key::number(
        "available_until_years",
        Bound::NonNegative,
        "years",
        "the horizon",
        "Runs can be ordered while t < this (the factory may not exist forever).",
    )
    .label("Re-manufacture available until (years)");
    /// `remanufacture.min_batch`.
    pub const MIN_BATCH: Key = Key::integer(
        "min_batch",
        1,
        MAX_UNITS,
        "units",
        "1",
        "Smallest run: a run makes max(S − position, min_batch) units.",
    )
    .label("Re-manufacture minimum batch (units)");
    /// `remanufacture.batch_cover_years`.
    pub const BATCH_COVER_YEARS: Key = Key::number(
        "batch_cover_years",
        Bound::Open(0.0, 1000.0),
        "years of expected demand per run",
        "none",
        "When given, a run makes enough units to cover the expected demand of the next this many years.",
    )
        .label("Re-manufacture batch cover (years of demand)");
}

/// `[remanufacture]`.
pub static REMANUFACTURE: TableSpec = TableSpec {
    path: "remanufacture",
    about: "The fallback when stock runs out; absent: no re-manufacture.",
    keys: &[
        remanufacture::ENABLED,
        remanufacture::SETUP_COST,
        remanufacture::UNIT_COST,
        remanufacture::COST_ESCALATION,
        remanufacture::LEAD_TIME_YEARS,
        remanufacture::AVAILABLE_UNTIL_YEARS,
        remanufacture::MIN_BATCH,
        remanufacture::BATCH_COVER_YEARS,
    ],
};

/// `[[partner]]`.
pub mod partner {
    use super::*;

    /// `partner[].name`.
    pub const NAME: Key = Key::new(
        "name",
        Kind::Text,
        Limits::None,
        "",
        "required",
        "The partner's name, in outputs and in sweep keys (partner.<name>.reliability); at most 200 characters.",
    )
    .rule("non-empty, unique");
    /// `partner[].share`.
    pub const SHARE: Key = Key::number(
        "share",
        Bound::Closed(0.0, 1.0),
        "fraction of released units",
        "equal split",
        "Fraction of released units that go to this partner.",
    )
    .rule("give it to every partner or to none; the shares sum to 1")
    .label("Share of released units");
    /// `partner[].release_price`.
    pub const RELEASE_PRICE: Key = Key::number(
        "release_price",
        MONEY,
        "currency per unit released",
        "required",
        "Income per unit released to this partner.",
    )
    .label("Release price (currency per unit)");
    /// `partner[].buyback_price`.
    pub const BUYBACK_PRICE: Key = Key::number(
        "buyback_price",
        PRICE,
        "currency per unit bought back",
        "required",
        "Price per unit bought back, paid on delivery.",
    )
    .label("Buy-back price (currency per unit)");
    /// `partner[].reliability`.
    pub const RELIABILITY: Key = Key::number(
        "reliability",
        Bound::Closed(0.0, 1.0),
        "probability a request is honoured",
        "1",
        "Probability that a buy-back request is honoured; the rest of a request passes to the next source.",
    )
    .label("Buy-back reliability (share of requests honoured)");
    /// `partner[].response_days`: a number (fixed) or a distribution's table.
    pub const RESPONSE_DAYS: Key = Key::new(
        "response_days",
        Kind::NumberOrDistribution,
        Limits::Number(Bound::Closed(0.0, MAX_DELAY_DAYS)),
        "days from request to delivery, at most 1000 years",
        "0",
        "Days from request to delivery: a number (fixed), or a table `{ distribution = \"empirical\", values = [12, 15, 40] }` drawing each delivery's own response time (see `partner[].response_days` below).",
    )
    .label("Buy-back response time (days)");
    /// `partner[].attrition_rate`.
    pub const ATTRITION_RATE: Key = Key::number(
        "attrition_rate",
        RATE,
        "losses per unit-year",
        "0",
        "Rate per unit-year at which released units leave the partner's hands (sold or used elsewhere).",
    )
        .label("Attrition of released units (losses per unit-year)");
    /// `partner[].order_fee`.
    pub const ORDER_FEE: Key = Key::number(
        "order_fee",
        PRICE,
        "currency per request",
        "0",
        "Fee per buy-back request.",
    )
    .label("Buy-back order fee (currency per request)");
}

/// Most `[[partner]]` tables a scenario may have: far beyond real partner networks, and below
/// the partner streams' limit (the random streams of partner ids from 2¹⁴ − 4 on would
/// overlap others; see `rng::Stream::Partner`).
pub const MAX_PARTNERS: usize = 1_000;

/// `[[partner]]`.
pub static PARTNER: TableSpec = TableSpec {
    path: "partner[]",
    about: "At most 1,000; they take released units (split by share) and are asked for buy-backs in the order listed, while they still hold released units.",
    keys: &[
        partner::NAME,
        partner::SHARE,
        partner::RELEASE_PRICE,
        partner::BUYBACK_PRICE,
        partner::RELIABILITY,
        partner::RESPONSE_DAYS,
        partner::ATTRITION_RATE,
        partner::ORDER_FEE,
    ],
};

// Issue 18 (supply-leadtimes): re-manufacture lead times and partner response times drawn
// from a distribution. Kept in one block so that the merge with the other issue-18 keys stays
// mechanical.

/// The distributions of a random delay (`distribution` in `remanufacture.lead_time_years` and
/// `partner[].response_days` written as tables).
pub const DELAY_DISTRIBUTIONS: &[&str] = &["fixed", "gamma", "lognormal", "uniform", "empirical"];
/// Longest delay a distribution may give or a table may hold, in years (the partner's fixed
/// response time has the same limit in days).
pub const MAX_DELAY_YEARS: f64 = 1000.0;
/// [`MAX_DELAY_YEARS`] in days.
pub const MAX_DELAY_DAYS: f64 = 365_250.0;
/// Most values of an empirical delay table (an ERP export of past lead times is read into
/// memory once per run and searched per order; a hundred thousand is ample).
pub const MAX_DELAY_VALUES: usize = 100_000;
/// Smallest coefficient of variation of a gamma or lognormal delay (below it the delay is
/// fixed to every practical digit: write a number).
pub const MIN_DELAY_CV: f64 = 1e-3;
/// Largest coefficient of variation of a gamma or lognormal delay.
pub const MAX_DELAY_CV: f64 = 10.0;
/// Largest weight of an empirical delay's value (the sum of 10⁵ of them stays finite and
/// exact enough).
pub const MAX_DELAY_WEIGHT: f64 = 1e12;

/// The keys of a delay's table, with `unit` ("years" or "days") in their units, `longest`
/// their upper limit in that unit and `labels` the short names of its numbers (value, mean,
/// cv, lo, hi, values, weights) for charts and tables.
const fn delay_keys(unit: &'static str, longest: f64, labels: [&'static str; 7]) -> [Key; 9] {
    let limit = Bound::Closed(0.0, longest);
    [
        Key::new(
            "distribution",
            Kind::Choice(DELAY_DISTRIBUTIONS),
            Limits::None,
            "",
            "required",
            "fixed: always `value`; gamma and lognormal with the mean and coefficient of variation; uniform on [lo, hi]; empirical: one of the recorded `values`, with probability proportional to `weights` (equal without them).",
        )
        .rule("only the parameters of the chosen distribution may be given"),
        Key::number("value", limit, unit, "required", "The fixed delay.")
            .applies_to(&["fixed"])
            .label(labels[0]),
        Key::number(
            "mean",
            limit,
            unit,
            "required",
            "Mean delay.",
        )
        .applies_to(&["gamma", "lognormal"])
        .label(labels[1]),
        Key::number(
            "cv",
            Bound::Closed(MIN_DELAY_CV, MAX_DELAY_CV),
            "standard deviation / mean",
            "required",
            "Coefficient of variation of the delay (gamma shape 1/cv²).",
        )
        .applies_to(&["gamma", "lognormal"])
        .label(labels[2]),
        Key::number("lo", limit, unit, "required", "Shortest delay.")
            .applies_to(&["uniform"])
            .label(labels[3]),
        Key::number("hi", limit, unit, "required", "Longest delay.")
            .applies_to(&["uniform"])
            .rule("≥ lo")
            .label(labels[4]),
        Key::new(
            "values",
            Kind::Numbers,
            Limits::Number(limit),
            unit,
            "required",
            "Recorded delays (e.g. past lead times exported from an ERP system).",
        )
        .applies_to(&["empirical"])
        .rule("1 to 100000 values")
        .label(labels[5]),
        Key::new(
            "weights",
            Kind::Numbers,
            Limits::Number(Bound::Closed(0.0, MAX_DELAY_WEIGHT)),
            "relative weight",
            "equal weights",
            "Relative frequency of each value (e.g. how many orders took that long).",
        )
        .applies_to(&["empirical"])
        .rule("one per value; not all 0")
        .label(labels[6]),
        Key::new(
            "crossing",
            Kind::Boolean,
            Limits::None,
            "",
            "true",
            "true: each order draws its own delay, so a later order may arrive first; false: a delivery arrives no earlier than the previous one from the same source.",
        ),
    ]
}

/// The keys of `remanufacture.lead_time_years` as a table.
pub static LEAD_TIME_KEYS: [Key; 9] = delay_keys(
    "years",
    MAX_DELAY_YEARS,
    [
        "Re-manufacture lead time (years)",
        "Mean re-manufacture lead time (years)",
        "Re-manufacture lead-time coefficient of variation",
        "Shortest re-manufacture lead time (years)",
        "Longest re-manufacture lead time (years)",
        "Recorded re-manufacture lead times (years)",
        "Weights of the recorded lead times",
    ],
);
/// The keys of `partner[].response_days` as a table.
pub static RESPONSE_KEYS: [Key; 9] = delay_keys(
    "days",
    MAX_DELAY_DAYS,
    [
        "Buy-back response time (days)",
        "Mean buy-back response time (days)",
        "Buy-back response-time coefficient of variation",
        "Shortest buy-back response time (days)",
        "Longest buy-back response time (days)",
        "Recorded buy-back response times (days)",
        "Weights of the recorded response times",
    ],
);

/// `remanufacture.lead_time_years = { … }`.
pub static LEAD_TIME: TableSpec = TableSpec {
    path: "remanufacture.lead_time_years",
    about: "Re-manufacture lead times drawn from a distribution, each run its own draw (written as an inline table or as the table `[remanufacture.lead_time_years]`); parameters in years.",
    keys: &LEAD_TIME_KEYS,
};

/// `partner[].response_days = { … }`.
pub static RESPONSE: TableSpec = TableSpec {
    path: "partner[].response_days",
    about: "A partner's response times drawn from a distribution, each honoured request its own draw (an inline table, or `[partner.response_days]` after its `[[partner]]`); parameters in days.",
    keys: &RESPONSE_KEYS,
};
