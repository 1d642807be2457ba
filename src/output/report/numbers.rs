//! The full numbers: every figure of `summary.json` a reader may want, one table per topic,
//! each number carrying its JSON pointer (`data-key`) and exact value (`data-value`).

use std::fmt::Write as _;

use super::{cell, esc, plain, policy_columns, share, short, swatch, value};
use crate::engine::{PolicySummary, RunSummary, Z95};
use crate::output::charts::COST_LINE_LABELS;
use crate::output::{MoneyColumn, money, signed_money};

/// The full-numbers section.
pub(super) fn numbers(h: &mut String, summary: &RunSummary) {
    let cur = esc(summary.scenario.report.currency_label());
    h.push_str("<section id=\"numbers\">\n<h2>Full numbers</h2>\n");
    cost_table(h, summary, &cur);
    service_table(h, summary, &cur);
    cost_lines_table(h, summary);
    units_table(h, summary);
    stockout_finance_table(h, summary);
    super::records::records_table(h, summary);
    partners_table(h, summary);
    retained_table(h, summary);
    annual_demand_table(h, summary);
    h.push_str("</section>\n");
}

/// A row of the units table: JSON name, label, value.
type UnitRow = (&'static str, &'static str, fn(&PolicySummary) -> f64);

/// A row of the finance table: JSON name, label, value, format.
type FinanceRow = (
    &'static str,
    &'static str,
    fn(&PolicySummary) -> Option<f64>,
    fn(f64) -> String,
);

/// Total discounted cost per policy: mean with its confidence interval, quantiles, CVaR.
fn cost_table(h: &mut String, summary: &RunSummary, cur: &str) {
    // Say when the means are the control-variate estimates (docs/model.md).
    let adjusted = if summary.control_variates.used > 0 {
        "; means and intervals adjusted by control variates (each policy's closed-form relative \
         and the units demanded per period, whose exact expectations remove part of the noise)"
    } else {
        ""
    };
    let _ = write!(
        h,
        "<table class=\"numbers\" id=\"policies\">\n<caption>Total discounted cost per part ({cur}, present value at t = 0) over the simulated futures{adjusted}</caption>\n\
         <thead><tr><th scope=\"col\">policy</th><th scope=\"col\" class=\"num\">mean cost</th>\
         <th scope=\"col\" class=\"num\">± 95 % CI</th><th scope=\"col\" class=\"num\">P5</th><th scope=\"col\" class=\"num\">median</th>\
         <th scope=\"col\" class=\"num\">P95</th><th scope=\"col\" class=\"num\">CVaR95</th></tr></thead>\n<tbody>\n"
    );
    let column = |f: fn(&crate::engine::CostSummary) -> f64| {
        let format = MoneyColumn::of(summary.policies.iter().map(|p| f(&p.total_cost)));
        move |v: f64| format.format(v)
    };
    let mean = column(|c| c.mean);
    let half_width = column(|c| (c.ci95[1] - c.ci95[0]) / 2.0);
    let (p05, p50, p95, cvar95) = (
        column(|c| c.p05),
        column(|c| c.p50),
        column(|c| c.p95),
        column(|c| c.cvar95),
    );
    for (i, p) in summary.policies.iter().enumerate() {
        let c = &p.total_cost;
        let k = |name: &str| format!("/policies/{i}/{name}");
        let _ = write!(
            h,
            "<tr><th scope=\"row\">{}{}</th>",
            swatch(i),
            esc(&p.name)
        );
        h.push_str(&cell(&k("total_cost/mean"), Some(c.mean), mean));
        let _ = write!(
            h,
            "<td class=\"num\">± {}</td>",
            half_width((c.ci95[1] - c.ci95[0]) / 2.0)
        );
        h.push_str(&cell(&k("total_cost/p05"), Some(c.p05), p05));
        h.push_str(&cell(&k("total_cost/p50"), Some(c.p50), p50));
        h.push_str(&cell(&k("total_cost/p95"), Some(c.p95), p95));
        h.push_str(&cell(&k("total_cost/cvar95"), Some(c.cvar95), cvar95));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

/// Service, and each policy against the baseline on the same futures.
fn service_table(h: &mut String, summary: &RunSummary, cur: &str) {
    let _ = write!(
        h,
        "<table class=\"numbers\" id=\"service\">\n<caption>Service, and each policy against the baseline on the same futures ({cur})</caption>\n\
         <thead><tr><th scope=\"col\">policy</th><th scope=\"col\">kind</th><th scope=\"col\" class=\"num\">fill rate</th>\
         <th scope=\"col\" class=\"num\">P(no stock-out)</th><th scope=\"col\" class=\"num\">vs baseline ± 95 % CI</th>\
         <th scope=\"col\" class=\"num\">P(cheaper)</th></tr></thead>\n<tbody>\n"
    );
    for (i, p) in summary.policies.iter().enumerate() {
        let k = |name: &str| format!("/policies/{i}/{name}");
        let _ = write!(
            h,
            "<tr><th scope=\"row\">{}{}</th><td>{}</td>",
            swatch(i),
            esc(&p.name),
            esc(&p.kind.replace('_', " "))
        );
        h.push_str(&cell(&k("fill_rate"), p.fill_rate, share));
        h.push_str(&cell(
            &k("no_stockout_probability"),
            Some(p.no_stockout_probability),
            share,
        ));
        match &p.comparison {
            Some(cmp) => {
                let half = (cmp.ci95[1] - cmp.ci95[0]) / 2.0;
                let _ = write!(
                    h,
                    "<td class=\"num\" data-key=\"{}\" data-value=\"{}\">{} ± {}</td>",
                    k("comparison/mean_difference"),
                    cmp.mean_difference,
                    signed_money(cmp.mean_difference),
                    money(half)
                );
                h.push_str(&cell(
                    &k("comparison/probability_cheaper"),
                    Some(cmp.probability_cheaper),
                    share,
                ));
            }
            None => h.push_str("<td class=\"num\">(baseline)</td><td></td>"),
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

/// The mean cost lines per policy.
fn cost_lines_table(h: &mut String, summary: &RunSummary) {
    policy_columns(
        h,
        summary,
        &format!(
            "Mean cost lines per part ({}; income negative){}",
            summary.scenario.report.currency_label(),
            if summary.control_variates.used > 0 {
                "; plain averages over the futures, so their total may differ from the \
                 adjusted mean cost by a fraction of its interval"
            } else {
                ""
            }
        ),
        "cost line",
    );
    let names = <crate::inventory::CostLines>::NAMES;
    // One format per policy's column: its lines and its total.
    let columns: Vec<MoneyColumn> = summary
        .policies
        .iter()
        .map(|p| {
            let b = &p.cost_breakdown;
            MoneyColumn::of(b.lines.values().into_iter().chain([b.total]))
        })
        .collect();
    for (k, name) in names.iter().enumerate() {
        // The lines of optional features are absent from summary.json when zero: so here.
        if (crate::inventory::REPAIR_ONLY.contains(name) || *name == "counting")
            && summary
                .policies
                .iter()
                .all(|p| p.cost_breakdown.lines.values()[k] == 0.0)
        {
            continue;
        }
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", esc(COST_LINE_LABELS[k]));
        for (i, p) in summary.policies.iter().enumerate() {
            let v = p.cost_breakdown.lines.values()[k];
            h.push_str(&cell(
                &format!("/policies/{i}/cost_breakdown/{name}"),
                Some(v),
                |v| columns[i].format(v),
            ));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("<tr class=\"total\"><th scope=\"row\">total</th>");
    for (i, p) in summary.policies.iter().enumerate() {
        h.push_str(&cell(
            &format!("/policies/{i}/cost_breakdown/total"),
            Some(p.cost_breakdown.total),
            |v| columns[i].format(v),
        ));
    }
    h.push_str("</tr>\n</tbody>\n</table>\n");
}

/// The mean unit counts per policy.
fn units_table(h: &mut String, summary: &RunSummary) {
    policy_columns(h, summary, "Units, mean per future", "units");
    let units: [UnitRow; 16] = [
        ("demanded", "demanded", |p| p.units.counts.demanded),
        ("filled_from_stock", "served from stock at once", |p| {
            p.units.counts.filled_from_stock
        }),
        ("short", "short", |p| p.units.counts.short),
        ("lost", "lost sales", |p| p.units.counts.lost),
        ("backordered", "backordered", |p| p.units.counts.backordered),
        ("backorders_filled", "backorders served later", |p| {
            p.units.counts.backorders_filled
        }),
        ("scrapped", "scrapped", |p| p.units.counts.scrapped),
        ("released", "released to partners", |p| {
            p.units.counts.released
        }),
        ("bought_back", "bought back", |p| p.units.counts.bought_back),
        ("remanufactured", "re-manufactured", |p| {
            p.units.counts.remanufactured
        }),
        ("remanufacture_runs", "re-manufacture runs", |p| {
            p.units.counts.remanufacture_runs
        }),
        ("lost_in_storage", "lost in storage", |p| {
            p.units.counts.lost_in_storage
        }),
        ("on_hand_at_horizon", "on hand at the horizon", |p| {
            p.units.counts.on_hand_at_horizon
        }),
        (
            "open_backorders_at_horizon",
            "backorders open at the horizon",
            |p| p.units.counts.open_backorders_at_horizon,
        ),
        ("on_order_at_horizon", "on order at the horizon", |p| {
            p.units.counts.on_order_at_horizon
        }),
        ("average_on_hand", "average on hand", |p| {
            p.units.average_on_hand
        }),
    ];
    let repair: [UnitRow; 5] = [
        ("returned", "cores returned", |p| p.units.counts.returned),
        ("washed", "cores washed out", |p| p.units.counts.washed),
        ("repaired", "repaired into stock", |p| {
            p.units.counts.repaired
        }),
        ("in_repair_at_horizon", "in repair at the horizon", |p| {
            p.units.counts.in_repair_at_horizon
        }),
        (
            "cores_waiting_at_horizon",
            "cores waiting (unrepaired) at the horizon",
            |p| p.units.counts.cores_waiting_at_horizon,
        ),
    ];
    // The repair counts, where not zero (absent from summary.json when zero), before the
    // average on hand.
    let (last, others) = units.split_last().expect("rows");
    let shown_repair = repair
        .into_iter()
        .filter(|(_, _, get)| summary.policies.iter().any(|p| get(p) != 0.0));
    let rows: Vec<UnitRow> = others
        .iter()
        .copied()
        .chain(shown_repair)
        .chain([*last])
        .collect();
    for (key, label, get) in rows {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", esc(label));
        for (i, p) in summary.policies.iter().enumerate() {
            h.push_str(&cell(
                &format!("/policies/{i}/units/{key}"),
                Some(get(p)),
                |v| plain(v, 2),
            ));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}

/// The first stock-out and the finance figures per policy.
fn stockout_finance_table(h: &mut String, summary: &RunSummary) {
    policy_columns(h, summary, "First stock-out and finance", "figure");
    let _ = write!(h, "<tr><th scope=\"row\">futures that run short</th>");
    for p in &summary.policies {
        let _ = write!(
            h,
            "<td class=\"num\">{}</td>",
            share(1.0 - p.no_stockout_probability)
        );
    }
    h.push_str("</tr>\n");
    for (q, label) in [
        ("p05", "first stock-out, P5 (years)"),
        ("p25", "first stock-out, P25 (years)"),
        ("p50", "first stock-out, median (years)"),
        ("p75", "first stock-out, P75 (years)"),
        ("p95", "first stock-out, P95 (years)"),
    ] {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", esc(label));
        for (i, p) in summary.policies.iter().enumerate() {
            let v = p.first_stockout_years.as_ref().map(|s| match q {
                "p05" => s.p05,
                "p25" => s.p25,
                "p50" => s.p50,
                "p75" => s.p75,
                _ => s.p95,
            });
            h.push_str(&cell(
                &format!("/policies/{i}/first_stockout_years/{q}"),
                v,
                |v| plain(v, 2),
            ));
        }
        h.push_str("</tr>\n");
    }
    let finance: [FinanceRow; 4] = [
        (
            "inventory_turnover",
            "inventory turnover (per year)",
            |p| p.finance.inventory_turnover,
            |v| plain(v, 3),
        ),
        ("gmroi", "GMROI", |p| p.finance.gmroi, |v| plain(v, 3)),
        (
            "carrying_share_of_total",
            "carrying cost, share of net total *",
            |p| p.finance.carrying_share_of_total,
            share,
        ),
        (
            "revenue",
            "revenue (not in cost)",
            |p| p.finance.revenue,
            money,
        ),
    ];
    for (key, label, get, format) in finance {
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", esc(label));
        for (i, p) in summary.policies.iter().enumerate() {
            h.push_str(&cell(
                &format!("/policies/{i}/finance/{key}"),
                get(p),
                format,
            ));
        }
        h.push_str("</tr>\n");
        if key == "carrying_share_of_total" {
            // Computed here from the cost lines (not a figure of summary.json): never above
            // 100 %, however much income offsets the costs.
            h.push_str("<tr><th scope=\"row\">carrying cost, share of gross cost *</th>");
            for p in &summary.policies {
                match gross_carrying_share(p) {
                    Some(v) => {
                        let _ = write!(h, "<td class=\"num\">{}</td>", esc(&share(v)));
                    }
                    None => h.push_str("<td class=\"num na\">n/a</td>"),
                }
            }
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</tbody>\n</table>\n");
    h.push_str(
        "<p class=\"tablenote\">* The net total is the costs minus the income (release to \
         partners, scrap salvage, stock left at the horizon), as in the cost table; where income \
         offsets other costs, carrying alone can exceed 100 % of it. The gross cost is the sum \
         of the cost lines that are costs (the positive ones) before any income, so its share \
         stays within 0–100 %.</p>\n",
    );
}

/// Carrying cost ÷ the sum of the positive mean cost lines (`None` when there are none).
fn gross_carrying_share(p: &PolicySummary) -> Option<f64> {
    let lines = p.cost_breakdown.lines.values();
    let gross: f64 = lines.iter().filter(|v| **v > 0.0).sum();
    (gross > 0.0).then(|| p.cost_breakdown.lines.holding.max(0.0) / gross)
}

/// The partners as suppliers of buy-backs (when the scenario has partners).
fn partners_table(h: &mut String, summary: &RunSummary) {
    if !summary.scenario.partners.is_empty() {
        h.push_str(
            "<table class=\"numbers\">\n<caption>Partners as suppliers of buy-backs (means per future; policies that release stock)</caption>\n\
             <thead><tr><th scope=\"col\">policy</th><th scope=\"col\">partner</th><th scope=\"col\" class=\"num\">requests</th>\
             <th scope=\"col\" class=\"num\">honoured</th><th scope=\"col\" class=\"num\">units shipped ÷ asked</th>\
             <th scope=\"col\" class=\"num\">response (days)</th><th scope=\"col\" class=\"num\">units shipped</th></tr></thead>\n<tbody>\n",
        );
        for (i, p) in summary.policies.iter().enumerate() {
            if p.units.counts.released == 0.0 && p.partners.iter().all(|x| x.requests == 0.0) {
                continue;
            }
            for (j, partner) in p.partners.iter().enumerate() {
                let k = |name: &str| format!("/policies/{i}/partners/{j}/{name}");
                let _ = write!(
                    h,
                    "<tr><th scope=\"row\">{}{}</th><td>{}</td>",
                    swatch(i),
                    esc(&p.name),
                    esc(&partner.name)
                );
                h.push_str(&cell(&k("requests"), Some(partner.requests), |v| {
                    plain(v, 2)
                }));
                h.push_str(&cell(&k("honoured_share"), partner.honoured_share, share));
                h.push_str(&cell(
                    &k("request_fill_rate"),
                    partner.request_fill_rate,
                    share,
                ));
                h.push_str(&cell(
                    &k("mean_response_days"),
                    partner.mean_response_days,
                    |v| plain(v, 1),
                ));
                h.push_str(&cell(
                    &k("units_shipped"),
                    Some(partner.units_shipped),
                    |v| plain(v, 2),
                ));
                h.push_str("</tr>\n");
            }
        }
        h.push_str("</tbody>\n</table>\n");
    }
}

/// The retained levels of each policy.
fn retained_table(h: &mut String, summary: &RunSummary) {
    h.push_str(
        "<table class=\"numbers\">\n<caption>Retained levels (units kept at each disposition)</caption>\n\
         <thead><tr><th scope=\"col\">policy</th><th scope=\"col\" class=\"num\">year</th><th scope=\"col\" class=\"num\">units kept</th></tr></thead>\n<tbody>\n",
    );
    for (i, p) in summary.policies.iter().enumerate() {
        if p.retained_levels.is_empty() {
            let _ = writeln!(
                h,
                "<tr><th scope=\"row\">{}{}</th><td colspan=\"2\">keeps all stock</td></tr>",
                swatch(i),
                esc(&p.name)
            );
        }
        for (j, r) in p.retained_levels.iter().enumerate() {
            let _ = write!(
                h,
                "<tr><th scope=\"row\">{}{}</th>",
                swatch(i),
                esc(&p.name)
            );
            h.push_str(&cell(
                &format!("/policies/{i}/retained_levels/{j}/at_years"),
                Some(r.at_years),
                |v| short(v, 2),
            ));
            h.push_str(&cell(
                &format!("/policies/{i}/retained_levels/{j}/units"),
                Some(r.units as f64),
                |v| plain(v, 0),
            ));
            h.push_str("</tr>\n");
        }
    }
    h.push_str("</tbody>\n</table>\n");
}

/// The units demanded per year: exact expectation and simulation.
fn annual_demand_table(h: &mut String, summary: &RunSummary) {
    let d = &summary.demand;
    let _ = write!(
        h,
        "<table class=\"numbers\">\n<caption>Units demanded per year: exact expectation and simulation \
         (total over the horizon: {} expected, {} ± {} simulated)</caption>\n\
         <thead><tr><th scope=\"col\">year</th><th scope=\"col\" class=\"num\">expected</th><th scope=\"col\" class=\"num\">mean</th>\
         <th scope=\"col\" class=\"num\">P5</th><th scope=\"col\" class=\"num\">median</th><th scope=\"col\" class=\"num\">P95</th></tr></thead>\n<tbody>\n",
        plain(d.expected_units, 1),
        value(
            "span",
            "/demand/mean_units",
            d.mean_units,
            &plain(d.mean_units, 1)
        ),
        plain(Z95 * d.std_err, 1)
    );
    for (y, a) in d.annual.iter().enumerate() {
        let k = |name: &str| format!("/demand/annual/{y}/{name}");
        let _ = write!(h, "<tr><th scope=\"row\">{}</th>", a.year);
        h.push_str(&cell(&k("expected"), Some(a.expected), |v| plain(v, 2)));
        h.push_str(&cell(&k("mean"), Some(a.mean), |v| plain(v, 2)));
        h.push_str(&cell(&k("p05"), Some(a.p05), |v| plain(v, 0)));
        h.push_str(&cell(&k("p50"), Some(a.p50), |v| plain(v, 0)));
        h.push_str(&cell(&k("p95"), Some(a.p95), |v| plain(v, 0)));
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
}
