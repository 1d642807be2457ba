//! The key assumptions: the scenario in words, one table row per topic (part and stock,
//! horizon and money, demand, costs, replenishment, each partner and each policy).

use std::fmt::Write as _;

use super::{esc, row, share, short, swatch, value};
use crate::demand::{Intensity, OrderSize};
use crate::engine::{RetainedLevel, RunSummary};
use crate::output::{money, whole_number};
use crate::retention::RetainRule;
use crate::scenario::delay::{DelayDistribution, RandomDelay};
use crate::scenario::{Policy, PolicyKind, Scenario, UnmetDemand};

/// The demand model in words.
fn demand_in_words(s: &Scenario) -> String {
    match &s.demand.intensity {
        Intensity::Constant { rate } => format!("constant: {} orders per year", short(*rate, 3)),
        Intensity::Exponential { rate, decay_rate } => {
            if *decay_rate > 0.0 {
                format!(
                    "exponential decay from {} orders per year, half-life {} years",
                    short(*rate, 3),
                    short(std::f64::consts::LN_2 / decay_rate, 2)
                )
            } else {
                format!("constant: {} orders per year", short(*rate, 3))
            }
        }
        Intensity::Linear { rate, end_years } => format!(
            "linear decline from {} orders per year to none at year {}",
            short(*rate, 3),
            short(*end_years, 2)
        ),
        Intensity::InstalledBase {
            units_in_field,
            retirement_scale_years,
            retirement_shape,
            failure_rate,
            failure_growth,
        } => format!(
            "installed base: {} units in the field, retiring with a Weibull scale of {} years \
             (shape {}); {} orders per unit in the field and year, growing {} % a year",
            short(*units_in_field, 0),
            short(*retirement_scale_years, 2),
            short(*retirement_shape, 2),
            short(*failure_rate, 4),
            short(100.0 * failure_growth, 2)
        ),
        Intensity::Table { rates } => format!(
            "table, orders per year from year 0: {}",
            rates
                .iter()
                .map(|r| short(*r, 3))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn order_size_in_words(size: &OrderSize) -> String {
    match size {
        OrderSize::One => "one unit per order".into(),
        OrderSize::Poisson { mean } => {
            format!("1 + Poisson, mean {} units per order", short(*mean, 3))
        }
        OrderSize::Geometric { mean } => {
            format!("geometric, mean {} units per order", short(*mean, 3))
        }
        OrderSize::NegativeBinomial { mean, dispersion } => format!(
            "1 + negative binomial, mean {} units per order, dispersion {}",
            short(*mean, 3),
            short(*dispersion, 3)
        ),
        OrderSize::Table { pmf } => format!(
            "table, P(1, 2, …) = {}; mean {} units per order",
            pmf.iter()
                .map(|p| short(*p, 4))
                .collect::<Vec<_>>()
                .join(", "),
            short(size.mean(), 3)
        ),
    }
}

/// The assumptions section.
pub(super) fn assumptions(h: &mut String, summary: &RunSummary) {
    let s = &summary.scenario;
    let cur = esc(s.report.currency_label());
    h.push_str(
        "<section id=\"assumptions\">\n<h2>Key assumptions</h2>\n<table class=\"assumptions\">\n<tbody>\n",
    );
    part_rows(h, s, &cur);
    demand_rows(h, summary);
    super::records::records_assumption(h, s, &cur);
    cost_rows(h, s, &cur);
    supply_rows(h, s, &cur);
    repair_rows(h, s, &cur);
    for (i, p) in s.policies.iter().enumerate() {
        policy_row(h, s, i, p, Some(&summary.policies[i].retained_levels));
    }
    row(
        h,
        "Simulation",
        &format!(
            "{} futures (paths), seed {}",
            whole_number(summary.paths),
            summary.seed
        ),
    );
    h.push_str("</tbody>\n</table>\n</section>\n");
}

/// The rows that depend on the scenario alone — part and stock, horizon and money, demand,
/// costs, replenishment, re-manufacture and partners — for a page without a run's summary
/// (`optimize`): the same rows as the run report's, without the policies.
pub(super) fn scenario_rows(h: &mut String, s: &Scenario) {
    let cur = esc(s.report.currency_label());
    part_rows(h, s, &cur);
    let expected = s.demand.expected_units_in_window(0.0, s.horizon_years);
    demand_rows_of(h, s, &esc(&short(expected, 1)));
    super::records::records_assumption(h, s, &cur);
    cost_rows(h, s, &cur);
    supply_rows(h, s, &cur);
    repair_rows(h, s, &cur);
}

/// The rows of `[repair]` (none without it).
fn repair_rows(h: &mut String, s: &Scenario, cur: &str) {
    let Some(r) = &s.repair else {
        return;
    };
    let delay = match r.return_delay {
        crate::scenario::ReturnDelay::Exponential => "exponential with a mean of",
        crate::scenario::ReturnDelay::Fixed => "exactly",
    };
    row(
        h,
        "Core returns",
        &format!(
            "{} of the units served come back as a core, after a delay {delay} {} years; \
             {} of the cores cannot be repaired (washed out{})",
            share(r.return_rate),
            short(r.return_delay_years, 2),
            share(r.wash_rate),
            if r.wash_cost < 0.0 {
                format!(", a scrap credit of {} {cur} each", money(-r.wash_cost))
            } else if r.wash_cost > 0.0 {
                format!(", {} {cur} each to scrap", money(r.wash_cost))
            } else {
                String::new()
            }
        ),
    );
    row(
        h,
        "Repair",
        &format!(
            "{} {cur} per unit, paid at the start; {} years from start to stock; {}; \
             repairs start until year {}; units in repair {} in the inventory position",
            money(r.unit_cost),
            short(r.lead_time_years, 2),
            match r.capacity {
                Some(c) =>
                    format!("at most {c} units in repair at once, the other cores wait in turn"),
                None => "no capacity limit".to_string(),
            },
            short(r.available_until_years, 2),
            if r.count_in_position {
                "count"
            } else {
                "do not count"
            }
        ),
    );
}

/// The rows of the scenario as written, for a page of many runs (`sweep`): the scenario's
/// rows and one per policy, its rule in words without the levels a run would compute.
pub(crate) fn rows_as_written(h: &mut String, s: &Scenario) {
    scenario_rows(h, s);
    for (i, p) in s.policies.iter().enumerate() {
        policy_row(h, s, i, p, None);
    }
}

/// The part, its stock and the horizon.
fn part_rows(h: &mut String, s: &Scenario, cur: &str) {
    let part = if s.part.name.is_empty() {
        "the part".to_string()
    } else {
        esc(&s.part.name)
    };
    row(
        h,
        "Part",
        &format!(
            "{part}, book value {} {cur} per unit",
            money(s.part.unit_cost)
        ),
    );
    let mut stock = format!("{} units on hand at t = 0", whole_number(s.part.on_hand));
    if s.part.last_time_buy > 0 {
        let _ = write!(
            stock,
            ", plus a last-time buy of {} units at {} {cur} each",
            whole_number(s.part.last_time_buy),
            money(s.part.last_time_buy_cost)
        );
    }
    row(h, "Stock", &stock);
    row(
        h,
        "Horizon and money",
        &format!(
            "{} years after the decision; cash flows discounted at {} % a year (annual effective)",
            short(s.horizon_years, 2),
            short(100.0 * s.discount_rate, 2)
        ),
    );
}

/// The demand model, order sizes, uncertainty and losses in storage.
fn demand_rows(h: &mut String, summary: &RunSummary) {
    let expected = value(
        "span",
        "/demand/expected_units",
        summary.demand.expected_units,
        &short(summary.demand.expected_units, 1),
    );
    demand_rows_of(h, &summary.scenario, &expected);
}

/// [`demand_rows`] of scenario `s`, with the expected lifetime demand already as markup.
fn demand_rows_of(h: &mut String, s: &Scenario, expected: &str) {
    row(
        h,
        "Demand",
        &format!(
            "{}; {expected} units expected over the horizon",
            esc(&demand_in_words(s)),
        ),
    );
    row(
        h,
        "Order sizes",
        &esc(&order_size_in_words(&s.demand.order_size)),
    );
    let d = &s.demand;
    row(
        h,
        "Uncertainty and risk",
        &format!(
            "{}; {}",
            if d.rate_cv > 0.0 {
                format!(
                    "the demand rate of each future is uncertain (coefficient of variation {})",
                    short(d.rate_cv, 3)
                )
            } else {
                "the demand rate is known".into()
            },
            if d.obsolescence_annual_probability > 0.0 {
                format!(
                    "sudden obsolescence (demand stops for good) with probability {} a year",
                    share(d.obsolescence_annual_probability)
                )
            } else {
                "no sudden obsolescence".into()
            }
        ),
    );
    if s.stock.shrinkage_rate > 0.0 {
        row(
            h,
            "Losses in storage",
            &format!("{} of stored units a year", share(s.stock.shrinkage_rate)),
        );
    }
}

/// Carrying cost, scrap and salvage, shortage.
fn cost_rows(h: &mut String, s: &Scenario, cur: &str) {
    let c = &s.costs;
    let mut carrying = format!(
        "{} of book value a year = {} {cur} per unit-year",
        share(c.holding_rate),
        money(s.holding_cost_per_unit_year())
    );
    if let Some(k) = &c.holding_components {
        let _ = write!(
            carrying,
            " (capital {}, storage {}, insurance {}, obsolescence {})",
            share(k.capital),
            share(k.storage),
            share(k.insurance),
            share(k.obsolescence)
        );
    }
    row(h, "Carrying cost", &carrying);
    row(
        h,
        "Scrap and salvage",
        &if c.salvage_value >= 0.0 {
            format!(
                "{} {cur} income per unit scrapped or left at the horizon",
                money(c.salvage_value)
            )
        } else {
            format!(
                "a disposal fee of {} {cur} per unit scrapped or left at the horizon",
                money(-c.salvage_value)
            )
        },
    );
    row(
        h,
        "Shortage",
        &match c.unmet_demand {
            UnmetDemand::Lost => format!(
                "{} {cur} per unit short; the sale is lost",
                money(c.shortage_penalty)
            ),
            UnmetDemand::Backorder => format!(
                "{} {cur} per unit short, which then waits for stock (backorder) at {} {cur} per unit-year",
                money(c.shortage_penalty),
                money(c.backorder_cost_per_year)
            ),
        },
    );
}

/// Replenishment, re-manufacture and each partner.
fn supply_rows(h: &mut String, s: &Scenario, cur: &str) {
    row(
        h,
        "Replenishment",
        &format!(
            "when the inventory position (on hand + on order − backorders) is {} or less, order up to {}: \
             first buy-backs from partners, then re-manufacture",
            s.replenishment.reorder_point, s.replenishment.order_up_to
        ),
    );
    row(
        h,
        "Re-manufacture",
        &match &s.remanufacture {
            Some(r) => format!(
                "{} {cur} per run + {} {cur} per unit{}, {}, \
                 possible until year {}, at least {} units per run{}",
                money(r.setup_cost),
                money(r.unit_cost),
                if r.cost_escalation != 0.0 {
                    format!(" (both growing {} a year)", share(r.cost_escalation))
                } else {
                    String::new()
                },
                match &r.lead_time_distribution {
                    None => format!("{} years lead time", short(r.lead_time_years, 2)),
                    Some(d) => format!("lead time {}", delay_in_words(d, "years", 2, "run")),
                },
                short(r.available_until_years, 2),
                r.min_batch,
                r.batch_cover_years
                    .map(|y| format!(", a run covers {} years of expected demand", short(y, 2)))
                    .unwrap_or_default()
            ),
            None => "not possible".into(),
        },
    );
    for p in &s.partners {
        row(
            h,
            &format!("Partner {}", p.name),
            &format!(
                "takes {} of released units at {} {cur} each; sells back at {} {cur}{}; honours {} of requests, \
                 delivers {}; {} of its stock leaves its hands each year",
                share(p.share),
                money(p.release_price),
                money(p.buyback_price),
                if p.order_fee > 0.0 {
                    format!(" plus {} {cur} per request", money(p.order_fee))
                } else {
                    String::new()
                },
                share(p.reliability),
                match &p.response_distribution {
                    Some(d) => format!(
                        "with a response time {}",
                        delay_in_words(d, "days", 1, "request")
                    ),
                    None if p.response_days > 0.0 => {
                        format!("in {} days", short(p.response_days, 1))
                    }
                    None => "at once".to_string(),
                },
                share(p.attrition_rate)
            ),
        );
    }
}

/// A delay drawn from a distribution, in words: "gamma with mean 0.5 years and CV 0.4, each
/// run its own draw …" (`unit` of the parameters, `decimals` of the figures, `order` what
/// draws a delay).
fn delay_in_words(d: &RandomDelay, unit: &str, decimals: usize, order: &str) -> String {
    let what = match &d.distribution {
        DelayDistribution::Gamma { mean, cv } | DelayDistribution::Lognormal { mean, cv } => {
            format!(
                "{} with mean {} {unit} and CV {}",
                d.distribution.name(),
                short(*mean, decimals),
                short(*cv, 2)
            )
        }
        DelayDistribution::Uniform { lo, hi } => {
            format!(
                "uniform from {} to {} {unit}",
                short(*lo, decimals),
                short(*hi, decimals)
            )
        }
        DelayDistribution::Empirical { values, weights } => format!(
            "drawn from {} recorded values{} (mean {} {unit})",
            whole_number(values.len() as u64),
            if weights.is_some() {
                " with weights"
            } else {
                ""
            },
            short(d.distribution.mean(), decimals)
        ),
    };
    if d.crossing {
        format!("{what}, each {order} its own draw (a later {order} may arrive first)")
    } else {
        format!("{what}, each {order} its own draw but arriving no earlier than the previous one")
    }
}

/// The row of policy `p` (at position `i`, with its results `summary_policy`).
fn policy_row(
    h: &mut String,
    s: &Scenario,
    i: usize,
    p: &Policy,
    levels: Option<&[RetainedLevel]>,
) {
    let what = match p.kind {
        PolicyKind::Hold => "hold: keep all stock".to_string(),
        PolicyKind::Scrap | PolicyKind::PartnerRelease => disposition_in_words(p, levels),
    };
    let replenishment = if p.replenishment != s.replenishment {
        format!(
            "; own reorder rule: reorder at {}, up to {}",
            p.replenishment.reorder_point, p.replenishment.order_up_to
        )
    } else {
        String::new()
    };
    row(
        h,
        &format!(
            "Policy {}{}",
            p.name,
            if i == 0 { " (baseline)" } else { "" }
        ),
        &format!("{}{}{}", swatch(i), esc(&what), esc(&replenishment)),
    );
}

/// What a scrap or partner-release policy does, in words: when, what it keeps, the reviews;
/// with the retained levels a run computed (`levels`), or the rule alone without them.
fn disposition_in_words(p: &Policy, levels: Option<&[RetainedLevel]>) -> String {
    let action = if p.kind == PolicyKind::Scrap {
        "scrap"
    } else {
        "release to partners"
    };
    let units = match levels.and_then(|l| l.first()) {
        Some(first) => format!(" ({} units)", first.units),
        None => String::new(),
    };
    let rule = match p.retain {
        Some(RetainRule::Units(n)) => format!("{n} units"),
        Some(RetainRule::CoverYears(y)) => format!(
            "the expected demand of the next {} years{units}",
            short(y, 2)
        ),
        Some(RetainRule::Quantile(q)) => format!(
            "enough for all remaining demand with probability {}{units}",
            share(q)
        ),
        Some(RetainRule::Optimal) => {
            format!("the retained level of least mean cost found by the optimiser{units}")
        }
        None => "nothing".into(),
    };
    let review = match (p.review_every_years, levels.unwrap_or(&[])) {
        (Some(r), [_, .., last]) => format!(
            "; again every {} years with the level recomputed, down to {} units by year {}",
            short(r, 2),
            last.units,
            short(last.at_years, 2)
        ),
        (Some(r), _) => format!("; again every {} years", short(r, 2)),
        _ => String::new(),
    };
    format!(
        "at year {}, keep {rule} and {action} the rest{review}",
        short(p.at_years, 2),
    )
}
