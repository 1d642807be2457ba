//! `[costs]` and `[costs.holding]`.

use crate::scenario::keys::general::{COSTS, HOLDING, costs, holding};
use crate::scenario::reader::Table;
use crate::scenario::{Costs, HoldingComponents, UnmetDemand};

pub(super) fn read_costs(root: &Table<'_, '_>, discount_rate: f64) -> Option<Costs> {
    let Some(t) = root.table("costs") else {
        root.error(
            "costs",
            "missing table [costs] with holding_rate (or [costs.holding]) and shortage_penalty",
        );
        return None;
    };
    t.check_spec(&COSTS);
    let (holding_rate, components) = read_holding(&t, discount_rate);
    let penalty = t.required_number_of(&costs::SHORTAGE_PENALTY);
    let unmet = match t
        .choice(costs::UNMET_DEMAND.name, costs::UNMET_DEMAND.choices())
        .as_deref()
    {
        Some("backorder") => UnmetDemand::Backorder,
        _ => UnmetDemand::Lost,
    };
    let backorder_cost = t.number_of(&costs::BACKORDER_COST_PER_YEAR);
    if backorder_cost.is_some() && unmet == UnmetDemand::Lost {
        t.error(
            costs::BACKORDER_COST_PER_YEAR.name,
            "only used with unmet_demand = \"backorder\"",
        );
    }
    Some(Costs {
        holding_rate: holding_rate?,
        holding_components: components,
        salvage_value: t.number_of(&costs::SALVAGE_VALUE).unwrap_or(0.0),
        shortage_penalty: penalty?,
        unmet_demand: unmet,
        backorder_cost_per_year: backorder_cost.unwrap_or(0.0),
    })
}

/// The holding rate: `holding_rate`, or the sum of the `[costs.holding]` components.
fn read_holding(t: &Table<'_, '_>, discount_rate: f64) -> (Option<f64>, Option<HoldingComponents>) {
    match (
        t.has(costs::HOLDING_RATE.name),
        t.table(costs::HOLDING.name),
    ) {
        (true, Some(_)) => {
            t.error(
                costs::HOLDING.name,
                "give either holding_rate or [costs.holding], not both",
            );
            (None, None)
        }
        (true, None) => (t.number_of(&costs::HOLDING_RATE), None),
        (false, Some(h)) => {
            h.check_spec(&HOLDING);
            let c = HoldingComponents {
                capital: h.number_of(&holding::CAPITAL).unwrap_or(0.0),
                storage: h.number_of(&holding::STORAGE).unwrap_or(0.0),
                insurance: h.number_of(&holding::INSURANCE).unwrap_or(0.0),
                obsolescence: h.number_of(&holding::OBSOLESCENCE).unwrap_or(0.0),
            };
            if c.capital > 0.0 && discount_rate > 0.0 {
                h.warn(
                    holding::CAPITAL.name,
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
                costs::HOLDING_RATE.name,
                "missing required key; expected a carrying cost as a fraction of unit cost per year (or a [costs.holding] table)",
            );
            (None, None)
        }
    }
}
