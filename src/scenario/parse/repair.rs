//! `[repair]`: repairable returns and the repair shop.

use crate::scenario::keys::repair::{self as keys, REPAIR};
use crate::scenario::reader::Table;
use crate::scenario::{Repair, ReturnDelay};

/// The repair terms: `Some(None)` without the table (or with `enabled = false`), `None` after
/// reporting problems.
pub(super) fn read_repair(root: &Table<'_, '_>, horizon: Option<f64>) -> Option<Option<Repair>> {
    let Some(t) = root.table("repair") else {
        return Some(None);
    };
    t.check_spec(&REPAIR);
    // A bad value is reported where it is read and fails the load (as for every table);
    // defaults stand in for it here.
    // Checked even when disabled, so that switching repair back on reveals no hidden mistake.
    let enabled = t.boolean(keys::ENABLED.name).unwrap_or(true);
    let return_rate = t.required_number_of(&keys::RETURN_RATE);
    let delay = t.required_number_of(&keys::RETURN_DELAY_YEARS);
    let shape = match t.has(keys::RETURN_DELAY.name) {
        true => t.choice(keys::RETURN_DELAY.name, keys::RETURN_DELAY.choices()),
        false => Some("exponential".to_string()),
    };
    let wash_rate = t.number_of(&keys::WASH_RATE).unwrap_or(0.0);
    let wash_cost = t.number_of(&keys::WASH_COST).unwrap_or(0.0);
    let unit_cost = t.required_number_of(&keys::UNIT_COST);
    let lead = t.required_number_of(&keys::LEAD_TIME_YEARS);
    let capacity = t.integer_of(&keys::CAPACITY);
    let until = t.number_of(&keys::AVAILABLE_UNTIL_YEARS);
    let in_position = t.boolean(keys::COUNT_IN_POSITION.name).unwrap_or(true);
    let return_delay = match shape?.as_str() {
        "fixed" => ReturnDelay::Fixed,
        _ => ReturnDelay::Exponential,
    };
    let (return_rate, return_delay_years, unit_cost, lead_time_years) =
        (return_rate?, delay?, unit_cost?, lead?);
    if !enabled {
        return Some(None);
    }
    Some(Some(Repair {
        return_rate,
        return_delay_years,
        return_delay,
        wash_rate,
        wash_cost,
        unit_cost,
        lead_time_years,
        capacity: capacity.map(|c| c as u64),
        available_until_years: until.or(horizon).unwrap_or(f64::INFINITY),
        count_in_position: in_position,
    }))
}
