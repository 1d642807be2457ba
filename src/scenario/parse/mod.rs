//! From TOML text to a validated [`Scenario`], one module per scenario table: [`demand`],
//! [`costs`], [`supply`] (replenishment, re-manufacture and partners), [`policies`], and the
//! limits across tables in [`checks`]. Key names, limits and units come from the key table
//! ([`super::keys`]).

mod checks;
mod costs;
mod delay;
mod demand;
mod policies;
mod repair;
mod supply;

use std::path::Path;

use toml::de::DeTable;

use super::keys::general::{
    DEFAULT_PATHS, DEFAULT_SEED, ROOT, part as part_keys, report as report_keys,
    scenario as scenario_keys, simulation as simulation_keys, stock as stock_keys,
    stock_records as records_keys,
};
use super::keys::general::{PART, REPORT, SCENARIO, SIMULATION, STOCK};
use super::reader::{Source, Table};
use super::{
    Part, Replenishment, ReportSettings, RetainAt, Scenario, Simulation, StockRecords,
    StockSettings,
};
use crate::error::{InputError, Problem, Severity};

/// The validated scenario, its warnings and where each policy's `retain` is.
type Parsed = (Scenario, Vec<Problem>, Vec<Option<RetainAt>>);

pub(super) fn parse(path: &Path, text: &str) -> Result<Parsed, InputError> {
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
        Some(s) if !src.has_errors() => {
            let retain_at = policies::retain_positions(&root);
            Ok((s, src.into_problems(), retain_at))
        }
        _ => Err(InputError::Problems(src.into_problems())),
    }
}

/// `[scenario]`: name, description, horizon and discount rate.
struct Head {
    name: String,
    description: String,
    horizon: Option<f64>,
    discount_rate: f64,
}

fn read_scenario(root: &Table<'_, '_>, path: &Path) -> Option<Scenario> {
    // [sweep] is read by `super::sweep`; a single scenario ignores it.
    root.check_keys_except(&["sweep"], &ROOT.names_except(&["sweep"]));
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".into());
    let head = read_head(root, stem);
    let horizon = head.horizon;
    let simulation = read_simulation(root);
    let report = read_report(root, horizon);
    let part = read_part(root);
    let demand = demand::read_demand(root, horizon);
    let stock = read_stock(root);
    let costs = costs::read_costs(root, head.discount_rate);
    let replenishment = match root.table("replenishment") {
        Some(t) => supply::read_replenishment(&t, None),
        None => Some(Replenishment {
            reorder_point: 0,
            order_up_to: 1,
        }),
    };
    let remanufacture = supply::read_remanufacture(root, horizon);
    let repair = repair::read_repair(root, horizon);
    let partners = supply::read_partners(root);
    // Partners as written, valid or not: a policy's need of partners is judged on those.
    let partner_count = root.array("partner").len();
    let policies = policies::read_policies(root, horizon, replenishment, partner_count);

    let scenario = Scenario {
        name: head.name,
        description: head.description,
        horizon_years: horizon?,
        discount_rate: head.discount_rate,
        simulation,
        report,
        part: part?,
        demand: demand?,
        stock,
        costs: costs?,
        replenishment: replenishment?,
        remanufacture: remanufacture?,
        repair: repair?,
        partners: partners?,
        policies: policies?,
    };
    if checks::volume_checks(root, &scenario) {
        checks::cross_checks(root, &scenario);
    }
    Some(scenario)
}

fn read_head(root: &Table<'_, '_>, stem: String) -> Head {
    match root.table("scenario") {
        Some(t) => {
            t.check_spec(&SCENARIO);
            Head {
                name: t.name(scenario_keys::NAME.name).unwrap_or(stem),
                description: t
                    .string(scenario_keys::DESCRIPTION.name)
                    .unwrap_or_default(),
                horizon: t.required_number_of(&scenario_keys::HORIZON_YEARS),
                discount_rate: t.number_of(&scenario_keys::DISCOUNT_RATE).unwrap_or(0.0),
            }
        }
        None => {
            root.error(
                "scenario",
                "missing table [scenario] with at least horizon_years",
            );
            Head {
                name: stem,
                description: String::new(),
                horizon: None,
                discount_rate: 0.0,
            }
        }
    }
}

fn read_simulation(root: &Table<'_, '_>) -> Simulation {
    match root.table("simulation") {
        Some(t) => {
            t.check_spec(&SIMULATION);
            Simulation {
                paths: t
                    .integer_of(&simulation_keys::PATHS)
                    .map_or(DEFAULT_PATHS, |p| p as u64),
                seed: t
                    .integer_of(&simulation_keys::SEED)
                    .map_or(DEFAULT_SEED, |s| s as u64),
            }
        }
        None => Simulation {
            paths: DEFAULT_PATHS,
            seed: DEFAULT_SEED,
        },
    }
}

fn read_report(root: &Table<'_, '_>, horizon: Option<f64>) -> ReportSettings {
    let default_step = horizon.map_or(1.0, |h| if h <= 50.0 { 1.0 } else { (h / 50.0).ceil() });
    let Some(t) = root.table("report") else {
        return ReportSettings {
            step_years: default_step,
            currency: None,
        };
    };
    t.check_spec(&REPORT);
    let report = ReportSettings {
        step_years: t
            .number_of(&report_keys::STEP_YEARS)
            .unwrap_or(default_step),
        currency: read_currency(&t),
    };
    if let Some(h) = horizon
        && h / report.step_years > 1000.0
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
    report
}

/// `report.currency`: a short label such as "EUR" or "USD" for the report's axes and tables.
fn read_currency(t: &Table<'_, '_>) -> Option<String> {
    let text = t.string(report_keys::CURRENCY.name)?;
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

fn read_part(root: &Table<'_, '_>) -> Option<Part> {
    let Some(t) = root.table("part") else {
        root.error("part", "missing table [part] with unit_cost and on_hand");
        return None;
    };
    t.check_spec(&PART);
    let unit_cost = t.required_number_of(&part_keys::UNIT_COST);
    let on_hand = t.required_integer_of(&part_keys::ON_HAND);
    let ltb = t.integer_of(&part_keys::LAST_TIME_BUY).unwrap_or(0);
    let ltb_cost = t.number_of(&part_keys::LAST_TIME_BUY_COST);
    let sale_price = t.number_of(&part_keys::SALE_PRICE);

    Some(Part {
        name: t.name(part_keys::NAME.name).unwrap_or_default(),
        unit_cost: unit_cost?,
        on_hand: on_hand? as u64,
        last_time_buy: ltb as u64,
        last_time_buy_cost: ltb_cost.unwrap_or(unit_cost?),
        sale_price,
    })
}

fn read_stock(root: &Table<'_, '_>) -> StockSettings {
    match root.table("stock") {
        Some(t) => {
            t.check_spec(&STOCK);
            StockSettings {
                shrinkage_rate: t.number_of(&stock_keys::SHRINKAGE_RATE).unwrap_or(0.0),
                records: read_stock_records(&t),
            }
        }
        None => StockSettings {
            shrinkage_rate: 0.0,
            records: None,
        },
    }
}

/// The stock records of `[stock]`: present when the records can drift or are counted
/// (`unrecorded_shrinkage_rate` > 0 or `count_every_years` given), else `None`, so that a
/// scenario without them is run (and written) exactly as before they existed.
fn read_stock_records(t: &Table<'_, '_>) -> Option<StockRecords> {
    let rate = t.number_of(&records_keys::UNRECORDED_SHRINKAGE_RATE);
    let every = t.number_of(&records_keys::COUNT_EVERY_YEARS);
    let cost = t.number_of(&records_keys::COUNT_COST);
    // Only a cost without any count_every_years key: a bad count_every_years has its own error.
    if t.has(records_keys::COUNT_COST.name) && !t.has(records_keys::COUNT_EVERY_YEARS.name) {
        t.error(
            records_keys::COUNT_COST.name,
            "a cost per cycle count needs `count_every_years` (how often the stock is counted) \
             in the same [stock] table",
        );
    }
    let rate = rate.unwrap_or(0.0);
    if rate == 0.0 && every.is_none() {
        return None;
    }
    Some(StockRecords {
        unrecorded_shrinkage_rate: rate,
        count_every_years: every,
        count_cost: cost.unwrap_or(0.0),
    })
}
