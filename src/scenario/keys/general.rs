//! The top level, `[scenario]`, `[simulation]`, `[report]`, `[part]`, `[stock]` and `[costs]`.

use super::{Bound, Key, Kind, Limits, TableSpec};

/// Default number of paths when neither the file nor the command line says.
pub const DEFAULT_PATHS: u64 = 10_000;
/// Default seed.
pub const DEFAULT_SEED: u64 = 1;
/// Most paths a run may have (`simulation.paths`, `--paths`).
pub const MAX_PATHS: u64 = 1_000_000_000_000;
/// Shortest horizon, years (about nine hours): per-year figures of shorter horizons overflow.
pub const MIN_HORIZON: f64 = 1e-3;
/// Largest amount of money per unit, run or request (currency): far above any real price, and
/// low enough that no sum of costs over a path can overflow.
pub const MAX_MONEY: f64 = 1e12;
/// Money that may be negative (income or a fee).
pub const MONEY: Bound = Bound::Money(-MAX_MONEY, MAX_MONEY);
/// Money that may not be negative.
pub const PRICE: Bound = Bound::Money(0.0, MAX_MONEY);
/// A rate of losses per unit-year: up to 1000 (a mean life of under nine hours), so that time
/// averages of stock stay far from underflow.
pub const RATE: Bound = Bound::Closed(0.0, 1000.0);
/// Largest number of units in stock, bought or in an (s, S) level.
pub const MAX_UNITS: i64 = 1_000_000_000_000;
/// A carrying-cost rate: a fraction of the unit cost per year.
const CARRYING: Bound = Bound::Closed(0.0, 10.0);

/// The top level: the tables of a scenario file.
pub static ROOT: TableSpec = TableSpec {
    path: "",
    about: "A scenario is a TOML file: one part, its demand, its stock and costs, and the \
            policies to compare. Unknown keys are errors. Wherever a number is expected an \
            integer may be written; keys described as whole numbers must be integers (`on_hand \
            = 600`, not `600.0`). A range `[a, b)` includes a and excludes b; \"currency\" is \
            whatever currency the scenario uses throughout.",
    keys: &[
        Key::table(
            "scenario",
            Kind::Table,
            "required",
            "The horizon, the discount rate and the scenario's name.",
        ),
        Key::table(
            "simulation",
            Kind::Table,
            "10,000 paths, seed 1",
            "Default number of paths and seed (the command line overrides them).",
        ),
        Key::table(
            "report",
            Kind::Table,
            "yearly points, \"currency units\"",
            "Time-series spacing and the label of money in the report.",
        ),
        Key::table(
            "part",
            Kind::Table,
            "required",
            "The part, its unit cost and its stock at t = 0.",
        ),
        Key::table(
            "demand",
            Kind::Table,
            "required",
            "Orders arrive as a Poisson process with intensity λ(t) orders per year; each asks for an independent number of units.",
        ),
        Key::table(
            "stock",
            Kind::Table,
            "no losses",
            "Losses of units in storage, and stock records that drift.",
        ),
        Key::table(
            "costs",
            Kind::Table,
            "required",
            "Carrying, disposal, shortage and backorder costs.",
        ),
        Key::table(
            "replenishment",
            Kind::Table,
            "s = 0, S = 1",
            "The (s, S) rule on the inventory position; any policy may override it.",
        ),
        Key::table(
            "remanufacture",
            Kind::Table,
            "absent: no re-manufacture",
            "The fallback when stock runs out: production runs with a setup cost, a unit cost and a lead time.",
        ),
        Key::table(
            "repair",
            Kind::Table,
            "absent: no returns",
            "Repairable returns: a share of the units served comes back as cores, which a repair shop turns into stock.",
        ),
        Key::table(
            "partner",
            Kind::Tables,
            "none",
            "Partners that take released units and sell some back on request, asked in the order listed.",
        ),
        Key::table(
            "policy",
            Kind::Tables,
            "required, at least one",
            "The disposition policies to compare; the first is the baseline.",
        ),
        Key::table(
            "sweep",
            Kind::Table,
            "none",
            "Evaluate the scenario at many points: dotted keys with lists of values (read by sweep, run and check; a single scenario ignores it).",
        ),
    ],
};

/// `[scenario]`.
pub mod scenario {
    use super::*;

    /// `scenario.name`.
    pub const NAME: Key = Key::new(
        "name",
        Kind::Text,
        Limits::None,
        "",
        "the file stem",
        "Short name of the scenario, in reports and outputs (at most 200 characters).",
    );
    /// `scenario.description`.
    pub const DESCRIPTION: Key = Key::new(
        "description",
        Kind::Text,
        Limits::None,
        "",
        "empty",
        "Free text describing the case.",
    );
    /// `scenario.horizon_years`.
    pub const HORIZON_YEARS: Key = Key::number(
        "horizon_years",
        Bound::HalfOpen(MIN_HORIZON, 1000.0),
        "years",
        "required",
        "T: the years after the decision time (t = 0, normally the end of production) that are simulated.",
    )
        .label("Horizon (years)");
    /// `scenario.discount_rate`.
    pub const DISCOUNT_RATE: Key = Key::number(
        "discount_rate",
        Bound::HalfOpen(0.0, 10.0),
        "fraction per year",
        "0",
        "Annual effective rate i: a cash flow x at t years is worth x·(1+i)^(−t) today.",
    )
    .label("Discount rate (per year)");
}

/// `[scenario]`.
pub static SCENARIO: TableSpec = TableSpec {
    path: "scenario",
    about: "The horizon and the discounting of the whole scenario.",
    keys: &[
        scenario::NAME,
        scenario::DESCRIPTION,
        scenario::HORIZON_YEARS,
        scenario::DISCOUNT_RATE,
    ],
};

/// `[simulation]`.
pub mod simulation {
    use super::*;

    /// `simulation.paths`.
    pub const PATHS: Key = Key::integer(
        "paths",
        1,
        MAX_PATHS as i64,
        "demand paths",
        "10,000",
        "Number of demand paths (--paths overrides it).",
    )
    .limited_by(
        &["part.on_hand", "demand.rate"],
        "at run time also at most what keeps the exact 64-bit unit counters summed over all paths below 10^18",
    )
        .label("Paths");
    /// `simulation.seed`.
    pub const SEED: Key = Key::integer(
        "seed",
        0,
        i64::MAX,
        "seed",
        "1",
        "Seed of all random streams (--seed overrides it).",
    )
    .label("Seed");
}

/// `[simulation]`.
pub static SIMULATION: TableSpec = TableSpec {
    path: "simulation",
    about: "The default run size; `--paths` and `--seed` override it. A `[sweep]` cannot sweep these keys.",
    keys: &[simulation::PATHS, simulation::SEED],
};

/// `[report]`.
pub mod report {
    use super::*;

    /// `report.step_years`.
    pub const STEP_YEARS: Key = Key::number(
        "step_years",
        Bound::Positive,
        "years between time-series points",
        "1, or ceil(T / 50) when T > 50",
        "Spacing of the points of timeseries.csv and of the stock chart.",
    )
    .limited_by(
        &["scenario.horizon_years"],
        "at most 1,000 points: ≥ horizon_years / 1000",
    )
    .label("Time-series step (years)");
    /// `report.currency`.
    pub const CURRENCY: Key = Key::new(
        "currency",
        Kind::Text,
        Limits::None,
        "",
        "\"currency units\"",
        "Label of money in the report and charts, e.g. \"EUR\".",
    )
    .rule("1 to 12 characters, no control characters");
}

/// `[report]`.
pub static REPORT: TableSpec = TableSpec {
    path: "report",
    about: "How the report and the time series are laid out.",
    keys: &[report::STEP_YEARS, report::CURRENCY],
};

/// `[part]`.
pub mod part {
    use super::*;

    /// `part.name`.
    pub const NAME: Key = Key::new(
        "name",
        Kind::Text,
        Limits::None,
        "",
        "empty",
        "Part number or name (at most 200 characters).",
    );
    /// `part.unit_cost`.
    pub const UNIT_COST: Key = Key::number(
        "unit_cost",
        PRICE,
        "currency per unit",
        "required",
        "Book value of one unit; carrying rates apply to it.",
    )
    .label("Unit cost (currency per unit)");
    /// `part.on_hand`.
    pub const ON_HAND: Key = Key::integer(
        "on_hand",
        0,
        MAX_UNITS,
        "units",
        "required",
        "Units in stock at t = 0.",
    )
    .label("Units on hand at end of production");
    /// `part.last_time_buy`.
    pub const LAST_TIME_BUY: Key = Key::integer(
        "last_time_buy",
        0,
        MAX_UNITS,
        "units",
        "0",
        "Units bought at t = 0 as a last-time buy.",
    )
    .label("Last-time buy (units)");
    /// `part.last_time_buy_cost`.
    pub const LAST_TIME_BUY_COST: Key = Key::number(
        "last_time_buy_cost",
        PRICE,
        "currency per unit",
        "unit_cost",
        "Price of one last-time-buy unit.",
    )
    .label("Last-time-buy price (currency per unit)");
    /// `part.sale_price`.
    pub const SALE_PRICE: Key = Key::number(
        "sale_price",
        PRICE,
        "currency per unit",
        "none",
        "Price a customer pays for a unit: only for revenue and GMROI, never inside total cost.",
    )
    .label("Sale price (currency per unit)");
}

/// `[part]`.
pub static PART: TableSpec = TableSpec {
    path: "part",
    about: "The part and its stock at t = 0.",
    keys: &[
        part::NAME,
        part::UNIT_COST,
        part::ON_HAND,
        part::LAST_TIME_BUY,
        part::LAST_TIME_BUY_COST,
        part::SALE_PRICE,
    ],
};

/// `[stock]`.
pub mod stock {
    use super::*;

    /// `stock.shrinkage_rate`.
    pub const SHRINKAGE_RATE: Key = Key::number(
        "shrinkage_rate",
        RATE,
        "losses per unit-year",
        "0",
        "δ: each unit in storage is lost (damaged, corroded, missing) independently at this rate; a loss is not demand.",
    )
    .limited_by(
        &[
            "part.on_hand",
            "part.last_time_buy",
            "replenishment.reorder_point",
            "replenishment.order_up_to",
            "policy[].replenishment.reorder_point",
            "policy[].replenishment.order_up_to",
            "remanufacture.min_batch",
            "scenario.horizon_years",
            "demand.*",
        ],
        "every loss is simulated: at most 10^8 losses per path (the units in storage are bounded by the starting stock, twice the expected demand, the largest order_up_to and min_batch)",
    )
        .label("Shrinkage (losses per unit-year)");
}

/// Shortest time between cycle counts, years (about nine hours, as [`MIN_HORIZON`]): with
/// horizons under 1000 years a path has fewer than 10⁶ counts.
pub const MIN_COUNT_EVERY_YEARS: f64 = MIN_HORIZON;

/// `[stock]`: the keys of stock records that drift (issue 18 part 3).
pub mod stock_records {
    use super::*;

    /// `stock.unrecorded_shrinkage_rate`.
    pub const UNRECORDED_SHRINKAGE_RATE: Key = Key::number(
        "unrecorded_shrinkage_rate",
        RATE,
        "unrecorded losses per unit-year",
        "0",
        "Each unit in storage is also lost (stolen, misplaced, damaged and thrown away) independently at this rate without the stock records seeing it: the records keep counting it until a cycle count or an order that finds it missing. Beside shrinkage_rate, whose losses the records see at once.",
    )
    .limited_by(
        &["stock.shrinkage_rate"],
        "as shrinkage_rate, every loss is simulated: at most 10^8 losses of both kinds per path",
    )
    .label("Unrecorded shrinkage (losses per unit-year)");
    /// `stock.count_every_years`.
    pub const COUNT_EVERY_YEARS: Key = Key::number(
        "count_every_years",
        Bound::Closed(MIN_COUNT_EVERY_YEARS, 1000.0),
        "years between cycle counts",
        "no counts",
        "A cycle count every this many years (the first this long after t = 0; none at the horizon) sets the records to the physical stock.",
    )
    .label("Cycle-count interval (years)");
    /// `stock.count_cost`.
    pub const COUNT_COST: Key = Key::number(
        "count_cost",
        PRICE,
        "currency per count",
        "0",
        "Cost of one cycle count (labour, lost picking time): the cost line `counting`.",
    )
    .limited_by(
        &["stock.count_every_years"],
        "needs count_every_years in the same [stock] table",
    )
    .label("Cycle-count cost (currency per count)");
}

/// `[stock]`.
pub static STOCK: TableSpec = TableSpec {
    path: "stock",
    about: "Losses in storage, and stock records that drift from the physical stock.",
    keys: &[
        stock::SHRINKAGE_RATE,
        stock_records::UNRECORDED_SHRINKAGE_RATE,
        stock_records::COUNT_EVERY_YEARS,
        stock_records::COUNT_COST,
    ],
};

/// `[costs]`.
pub mod costs {
    use super::*;

    /// `costs.holding_rate`.
    pub const HOLDING_RATE: Key = Key::number(
        "holding_rate",
        CARRYING,
        "fraction of unit cost per year",
        "required unless [costs.holding] is given",
        "Carrying cost as a fraction of part.unit_cost per unit-year.",
    )
    .rule("not together with [costs.holding]")
    .label("Holding rate (share of unit cost per year)");
    /// `costs.holding`.
    pub const HOLDING: Key = Key::table(
        "holding",
        Kind::Table,
        "none",
        "The carrying cost by components, summed into the holding rate.",
    );
    /// `costs.salvage_value`.
    pub const SALVAGE_VALUE: Key = Key::number(
        "salvage_value",
        MONEY,
        "currency per unit; negative = disposal fee",
        "0",
        "Income per unit scrapped, and per unit left at the horizon (the end_of_horizon line).",
    )
    .rule("a warning if above part.unit_cost")
    .label("Salvage value (currency per unit)");
    /// `costs.shortage_penalty`.
    pub const SHORTAGE_PENALTY: Key = Key::number(
        "shortage_penalty",
        PRICE,
        "currency per unit short",
        "required",
        "Cost of a unit demanded that finds no stock: the customer's confidence erodes, a machine stands idle.",
    )
    .rule("a warning if below a partner's buyback_price")
        .label("Shortage penalty (currency per unit short)");
    /// `costs.unmet_demand`.
    pub const UNMET_DEMAND: Key = Key::new(
        "unmet_demand",
        Kind::Choice(&["lost", "backorder"]),
        Limits::None,
        "",
        "\"lost\"",
        "A short unit is lost, or waits in a first-in first-out queue for the next arriving units.",
    );
    /// `costs.backorder_cost_per_year`.
    pub const BACKORDER_COST_PER_YEAR: Key = Key::number(
        "backorder_cost_per_year",
        PRICE,
        "currency per backordered unit per year",
        "0",
        "Cost of every year a backordered unit waits.",
    )
    .rule("only with unmet_demand = \"backorder\"")
    .label("Backorder cost (currency per unit-year)");
}

/// `[costs]`.
pub static COSTS: TableSpec = TableSpec {
    path: "costs",
    about: "Cost parameters. Costs are positive and income is negative in every cost figure.",
    keys: &[
        costs::HOLDING_RATE,
        costs::HOLDING,
        costs::SALVAGE_VALUE,
        costs::SHORTAGE_PENALTY,
        costs::UNMET_DEMAND,
        costs::BACKORDER_COST_PER_YEAR,
    ],
};

/// `[costs.holding]`.
pub mod holding {
    use super::*;

    const UNIT: &str = "fraction of unit cost per year";

    /// `costs.holding.capital`.
    pub const CAPITAL: Key = Key::number(
        "capital",
        CARRYING,
        UNIT,
        "0",
        "Cost of capital tied up in stock.",
    )
    .rule("a warning if > 0 together with discount_rate > 0 (the cost of money counted twice)")
    .label("Capital cost (share of unit cost per year)");
    /// `costs.holding.storage`.
    pub const STORAGE: Key = Key::number(
        "storage",
        CARRYING,
        UNIT,
        "0",
        "Warehouse space and handling.",
    )
    .label("Storage cost (share of unit cost per year)");
    /// `costs.holding.insurance`.
    pub const INSURANCE: Key = Key::number("insurance", CARRYING, UNIT, "0", "Insurance.")
        .label("Insurance (share of unit cost per year)");
    /// `costs.holding.obsolescence`.
    pub const OBSOLESCENCE: Key = Key::number(
        "obsolescence",
        CARRYING,
        UNIT,
        "0",
        "Loss of value in storage (not the sudden death of [demand.obsolescence]).",
    )
    .label("Obsolescence charge (share of unit cost per year)");
}

/// `[costs.holding]`.
pub static HOLDING: TableSpec = TableSpec {
    path: "costs.holding",
    about: "The carrying cost by components, fractions of part.unit_cost per unit-year, summed into the holding rate; instead of costs.holding_rate.",
    keys: &[
        holding::CAPITAL,
        holding::STORAGE,
        holding::INSURANCE,
        holding::OBSOLESCENCE,
    ],
};
