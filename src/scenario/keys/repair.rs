//! `[repair]`: repairable returns and the repair shop (issue 18, part 1).

use super::general::{MAX_UNITS, MONEY, PRICE};
use super::{Bound, Key, Kind, Limits, TableSpec};

/// `repair.enabled`.
pub const ENABLED: Key = Key::new(
    "enabled",
    Kind::Boolean,
    Limits::None,
    "",
    "true",
    "false: as if the table were absent (its keys are still checked).",
);
/// `repair.return_rate`.
pub const RETURN_RATE: Key = Key::number(
    "return_rate",
    Bound::Closed(0.0, 1.0),
    "share of units served",
    "required",
    "Share of the units served that come back as a repairable core.",
)
.label("Core return rate (share of units served)");
/// `repair.return_delay_years`.
pub const RETURN_DELAY_YEARS: Key = Key::number(
    "return_delay_years",
    Bound::Closed(0.0, 1000.0),
    "years from serving a unit to its core's return (mean)",
    "required",
    "Mean time from serving a unit to the return of its core.",
)
.label("Core return delay (years)");
/// `repair.return_delay`.
pub const RETURN_DELAY: Key = Key::new(
    "return_delay",
    Kind::Choice(&["exponential", "fixed"]),
    Limits::None,
    "",
    "\"exponential\"",
    "Distribution of the return delay: exponential (units fail and are swapped at random times) or fixed (an exchange term).",
);
/// `repair.wash_rate`.
pub const WASH_RATE: Key = Key::number(
    "wash_rate",
    Bound::Closed(0.0, 1.0),
    "share of returned cores",
    "0",
    "Share of returned cores that cannot be repaired (washed out) and are scrapped on arrival.",
)
.label("Wash-out rate (share of cores)");
/// `repair.wash_cost`.
pub const WASH_COST: Key = Key::number(
    "wash_cost",
    MONEY,
    "currency per washed-out core",
    "0",
    "Cost of scrapping a washed-out core (negative: a scrap credit), in the repair cost line.",
)
.label("Wash-out cost (currency per core)");
/// `repair.unit_cost`.
pub const UNIT_COST: Key = Key::number(
    "unit_cost",
    PRICE,
    "currency per unit repaired",
    "required",
    "Cost of repairing one unit, paid when its repair starts.",
)
.label("Repair cost (currency per unit)");
/// `repair.lead_time_years`.
pub const LEAD_TIME_YEARS: Key = Key::number(
    "lead_time_years",
    Bound::Closed(0.0, 1000.0),
    "years from repair start to stock",
    "required",
    "Years from the start of a repair to the unit's arrival in stock.",
)
.label("Repair time (years)");
/// `repair.capacity`.
pub const CAPACITY: Key = Key::integer(
    "capacity",
    1,
    MAX_UNITS,
    "units in repair at once",
    "no limit",
    "Most units in repair at once; other repairable cores wait, first in first out, for a free slot.",
)
.label("Repair capacity (units at once)");
/// `repair.available_until_years`.
pub const AVAILABLE_UNTIL_YEARS: Key = Key::number(
    "available_until_years",
    Bound::NonNegative,
    "years",
    "the horizon",
    "Repairs can start while t < this (the shop may not exist forever); later cores stay unrepaired.",
)
.label("Repair available until (years)");
/// `repair.count_in_position`.
pub const COUNT_IN_POSITION: Key = Key::new(
    "count_in_position",
    Kind::Boolean,
    Limits::None,
    "",
    "true",
    "Whether the (s, S) rule counts units in repair in the inventory position (as units on order); cores in the field or waiting for a slot never count.",
);

/// `[repair]`.
pub static REPAIR: TableSpec = TableSpec {
    path: "repair",
    about: "Repairable returns; absent: no returns. A share of the units served comes back as a core after a return delay; cores that are not washed out are repaired (first in first out, within the capacity) and join the stock when their repair ends. Repair is not ordered: repaired units flow into stock as they finish, ahead of any partner or re-manufacture order, and `count_in_position` says whether the (s, S) rule already counts them while they are in repair.",
    keys: &[
        ENABLED,
        RETURN_RATE,
        RETURN_DELAY_YEARS,
        RETURN_DELAY,
        WASH_RATE,
        WASH_COST,
        UNIT_COST,
        LEAD_TIME_YEARS,
        CAPACITY,
        AVAILABLE_UNTIL_YEARS,
        COUNT_IN_POSITION,
    ],
};
