//! The sweep's `report.html`: per scenario the verdict (which policy is cheapest where, how
//! sure, how well it serves there), the decision map and the tornado inline, the points with
//! their cheapest policy, and the assumptions of the scenario as written with the swept keys.

use std::fmt::Write as _;

use super::{chart_stem, cheapest, means};
use crate::engine::{RunSummary, Z95};
use crate::output::charts::sweep::SweepChart;
use crate::output::charts::{hex, policy_color};
use crate::output::report::assumptions::rows_as_written;
use crate::output::report::{esc, page_start, row};
use crate::output::{MoneyColumn, money, percent, whole_number};
use crate::sweep::run::SweepRun;
use crate::sweep::{Design, value_text};

/// Most points listed in the report's table per scenario (all are in `sweep.csv`).
const MAX_TABLE_POINTS: usize = 500;

/// Most point numbers listed in one sentence of the verdict.
const MAX_LISTED_POINTS: usize = 12;

/// Most distinct values of a parameter listed one by one; more are shown as a range.
const MAX_LISTED_VALUES: usize = 5;

/// The sweep's `report.html`: per scenario the verdict, the decision map and the tornado, a
/// table of the points with the cheapest policy, and the assumptions.
pub fn render_sweep_html(
    runs: &[SweepRun],
    charts: &[(String, SweepChart)],
) -> anyhow::Result<String> {
    let title = if runs.len() == 1 {
        format!("{} — pimsim sweep", runs[0].plan.base.scenario.name)
    } else {
        format!("{} scenarios — pimsim sweep", runs.len())
    };
    let mut h = page_start(&title);
    let _ = writeln!(h, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        h,
        "<p>Every point runs on the same demand paths (same seed and path count), so the \
         differences between points are the parameters' effect, not noise. Data: \
         <a href=\"sweep.csv\">sweep.csv</a> (one row per point and policy), \
         <a href=\"sweep_oat.csv\">sweep_oat.csv</a> (the one-at-a-time runs), \
         <a href=\"sweep.json\">sweep.json</a>.</p>"
    );
    for r in runs {
        scenario_heading(&mut h, r);
        verdict(&mut h, r);
        scenario_figures(&mut h, runs, r, charts)?;
        points_table(&mut h, r);
        assumptions(&mut h, r);
        let _ = writeln!(h, "</section>");
    }
    let _ = writeln!(
        h,
        "<footer><p>pimsim {} sweep report.</p></footer>\n</main>\n</body>\n</html>",
        env!("CARGO_PKG_VERSION")
    );
    Ok(h)
}

/// The scenario's currency, escaped.
fn currency(r: &SweepRun) -> String {
    esc(r.plan.base.scenario.report.currency_label())
}

/// The swept parameters' titles for the page, unescaped ("Demand half-life (years)").
fn titles(r: &SweepRun) -> Vec<String> {
    let cur = r.plan.base.scenario.report.currency_label();
    r.plan.parameters.iter().map(|p| p.key.title(cur)).collect()
}

/// The heading of one scenario's section: its name and file, description and part, points,
/// paths, seed and design.
fn scenario_heading(h: &mut String, r: &SweepRun) {
    let s = &r.plan.base.scenario;
    let _ = writeln!(
        h,
        "<section>\n<h2>{} <small>({}.toml)</small></h2>",
        esc(&s.name),
        esc(&r.scenario)
    );
    if !s.description.is_empty() {
        let _ = writeln!(h, "<p class=\"description\">{}</p>", esc(&s.description));
    }
    let part = if s.part.name.is_empty() {
        String::new()
    } else {
        format!("{} · ", esc(&s.part.name))
    };
    let _ = writeln!(
        h,
        "<p class=\"meta\">{part}{} point(s), {}, seed {}; design: {}; money in {} \
         discounted to the end of production.</p>",
        r.points.len(),
        esc(&super::paths_text(r, true)),
        r.settings.seed,
        match r.plan.design {
            Design::Grid => "full grid".to_string(),
            Design::LatinHypercube { points, seed } =>
                format!("Latin hypercube of {points} points (seed {seed})"),
        },
        currency(r),
    );
}

/// The cheapest policy of every point (index) with its mean total cost (currency).
fn winners(r: &SweepRun) -> Vec<(usize, f64)> {
    r.points
        .iter()
        .map(|s| {
            let m = means(s);
            let (best, _) = cheapest(&m);
            (best, m[best])
        })
        .collect()
}

/// Point numbers as a list for a sentence: "3, 4 and 7", at most [`MAX_LISTED_POINTS`].
fn point_list(points: &[usize]) -> String {
    let shown: Vec<String> = points
        .iter()
        .take(MAX_LISTED_POINTS)
        .map(|p| p.to_string())
        .collect();
    let mut text = match shown.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    if points.len() > MAX_LISTED_POINTS {
        text = format!("{}, … ({} in all)", shown.join(", "), points.len());
    }
    text
}

/// The values one parameter takes at `points`, in words: the distinct values when few, else
/// their range (numbers) or how many there are.
fn values_at(r: &SweepRun, parameter: usize, points: &[usize]) -> String {
    let mut distinct: Vec<&toml::Value> = Vec::new();
    for &p in points {
        let v = &r.plan.points[p].values[parameter];
        if !distinct.contains(&v) {
            distinct.push(v);
        }
    }
    let number = |v: &toml::Value| match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    };
    let numbers: Option<Vec<f64>> = distinct.iter().map(|v| number(v)).collect();
    match numbers {
        Some(mut n) if distinct.len() > MAX_LISTED_VALUES => {
            n.sort_by(f64::total_cmp);
            format!(
                "{} to {}",
                value_text(&toml::Value::Float(n[0])),
                value_text(&toml::Value::Float(n[n.len() - 1]))
            )
        }
        _ if distinct.len() > MAX_LISTED_VALUES => format!("{} values", distinct.len()),
        _ => {
            let mut shown: Vec<&toml::Value> = distinct;
            if let Some(n) = shown
                .iter()
                .map(|v| number(v))
                .collect::<Option<Vec<f64>>>()
            {
                let mut order: Vec<usize> = (0..n.len()).collect();
                order.sort_by(|&a, &b| n[a].total_cmp(&n[b]));
                shown = order.into_iter().map(|i| shown[i]).collect();
            }
            shown
                .iter()
                .map(|v| value_text(v))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// The verdict of one scenario's sweep: which policy is cheapest at how many points and
/// where, how sure each point's lead is, and how well the cheapest policy serves.
fn verdict(h: &mut String, r: &SweepRun) {
    let Some(first) = r.points.first() else {
        return;
    };
    let cur = currency(r);
    let n = r.points.len();
    let names: Vec<&str> = first.policies.iter().map(|p| p.name.as_str()).collect();
    let won = winners(r);
    let mut by_policy: Vec<(usize, Vec<usize>)> = (0..names.len())
        .map(|i| (i, (0..n).filter(|&p| won[p].0 == i).collect::<Vec<_>>()))
        .filter(|(_, points)| !points.is_empty())
        .collect();
    by_policy.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(&b.0)));
    let named = |i: usize| {
        format!(
            "<span class=\"swatch\" style=\"background:{}\"></span><strong>{}</strong>",
            hex(policy_color(i)),
            esc(names[i])
        )
    };
    h.push_str("<div class=\"verdict\">\n<h3>Verdict</h3>\n");
    if by_policy.len() == 1 {
        let _ = writeln!(
            h,
            "<p class=\"lead\">{} is the cheapest policy at {}: within the swept values, the \
             answer does not depend on them.</p>",
            named(by_policy[0].0),
            if n == 1 {
                "the only point".to_string()
            } else {
                format!("every one of the {n} points")
            }
        );
    } else {
        let counts: Vec<String> = by_policy
            .iter()
            .map(|(i, points)| format!("{} at {}", named(*i), points.len()))
            .collect();
        let _ = writeln!(
            h,
            "<p class=\"lead\">Which policy is cheapest depends on the swept values: {} of the \
             {n} points.</p>",
            counts.join(", ")
        );
    }
    where_table(h, r, &by_policy, &won, &cur);
    h.push_str("<ul>\n");
    how_sure(h, r);
    service(h, r, &cur);
    as_written(h, r, &cur);
    h.push_str("</ul>\n</div>\n");
}

/// Per winning policy: at how many points it is cheapest, the swept values there, and its
/// mean total cost there.
fn where_table(
    h: &mut String,
    r: &SweepRun,
    by_policy: &[(usize, Vec<usize>)],
    won: &[(usize, f64)],
    cur: &str,
) {
    if r.plan.parameters.is_empty() {
        return;
    }
    let names: Vec<&str> = r.points[0]
        .policies
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    h.push_str("<table>\n<thead><tr><th>cheapest policy</th><th class=\"num\">points</th>");
    for t in titles(r) {
        let _ = write!(h, "<th class=\"wrap\">{}</th>", esc(&t));
    }
    let _ = writeln!(
        h,
        "<th class=\"num\">its mean total cost there ({cur})</th></tr></thead>\n<tbody>"
    );
    for (i, points) in by_policy {
        let _ = write!(
            h,
            "<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td class=\"num\">{}</td>",
            hex(policy_color(*i)),
            esc(names[*i]),
            points.len()
        );
        for parameter in 0..r.plan.parameters.len() {
            let _ = write!(h, "<td>{}</td>", esc(&values_at(r, parameter, points)));
        }
        let costs: Vec<f64> = points.iter().map(|&p| won[p].1).collect();
        let lo = costs.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = costs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let range = if lo == hi {
            money(lo)
        } else {
            format!("{} to {}", money(lo), money(hi))
        };
        let _ = writeln!(h, "<td class=\"num\">{}</td></tr>", esc(&range));
    }
    h.push_str(
        "</tbody>\n</table>\n<p class=\"tablenote\">The values of each swept key at the points \
         where that policy is cheapest; the decision map shows which combinations.</p>\n",
    );
}

/// Whether each point's lead over its runner-up is larger than its 95 % interval (paired on
/// the same paths).
fn how_sure(h: &mut String, r: &SweepRun) {
    let close: Vec<usize> = r
        .points
        .iter()
        .enumerate()
        .filter(
            |(_, s)| match (s.verdict.saving_vs_runner_up, s.verdict.saving_std_err) {
                (Some(saving), Some(se)) => saving <= Z95 * se && !(saving == 0.0 && se == 0.0),
                _ => false,
            },
        )
        .map(|(p, _)| p)
        .collect();
    if r.points
        .first()
        .is_none_or(|s| s.verdict.runner_up.is_none())
    {
        return;
    }
    if close.is_empty() {
        let _ = writeln!(
            h,
            "<li><strong>How sure:</strong> at every point the cheapest policy's lead over the \
             runner-up is larger than its 95 % interval (the difference paired on the same \
             paths).</li>"
        );
    } else {
        let _ = writeln!(
            h,
            "<li class=\"warning\"><strong>How sure:</strong> at {} ({}) the lead over the \
             runner-up is within its 95 % interval: there the two cost the same within the \
             simulation's precision; more paths would tell them apart.</li>",
            if close.len() == 1 {
                "point".to_string()
            } else {
                format!("{} points", close.len())
            },
            point_list(&close)
        );
    }
}

/// How the cheapest policy serves, by the service rule of each point's verdict.
fn service(h: &mut String, r: &SweepRun, cur: &str) {
    let Some(first) = r.points.first() else {
        return;
    };
    let rule = first.verdict.service.rule.describe();
    let poor: Vec<(usize, &RunSummary)> = r
        .points
        .iter()
        .enumerate()
        .filter(|(_, s)| s.verdict.service.poor)
        .collect();
    if poor.is_empty() {
        let _ = writeln!(
            h,
            "<li><strong>Service:</strong> at every point the cheapest policy serves well ({}).</li>",
            esc(&rule)
        );
        return;
    }
    let fill: Vec<f64> = poor
        .iter()
        .filter_map(|(_, s)| {
            let best = s.policies.iter().find(|p| p.name == s.verdict.cheapest)?;
            best.fill_rate
        })
        .collect();
    let lowest = fill.iter().copied().fold(f64::INFINITY, f64::min);
    let extra: Vec<f64> = poor
        .iter()
        .filter_map(|(_, s)| s.verdict.service.better_service_extra_cost)
        .collect();
    let remedy = if extra.is_empty() {
        " No policy serves well there.".to_string()
    } else {
        let lo = extra.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = extra.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        format!(
            " The cheapest policy that serves well costs {} {cur} more there{}.",
            esc(&if lo == hi {
                money(lo)
            } else {
                format!("{} to {}", money(lo), money(hi))
            }),
            if extra.len() < poor.len() {
                " (where one does)"
            } else {
                ""
            }
        )
    };
    let points: Vec<usize> = poor.iter().map(|(p, _)| *p).collect();
    let _ = writeln!(
        h,
        "<li class=\"warning\"><strong>Service is poor</strong> at {} ({}): the cheapest policy \
         there falls short of {}{}.{remedy}</li>",
        if points.len() == r.points.len() {
            format!("every one of the {} points", points.len())
        } else if points.len() == 1 {
            "point".to_string()
        } else {
            format!("{} of the {} points", points.len(), r.points.len())
        },
        point_list(&points),
        esc(&rule),
        if lowest.is_finite() {
            format!(", with fill rates down to {}", esc(&percent(Some(lowest))))
        } else {
            String::new()
        },
    );
}

/// The scenario as written (the base of the one-at-a-time runs), when it was run.
fn as_written(h: &mut String, r: &SweepRun, cur: &str) {
    let Some(base) = &r.base else {
        return;
    };
    let _ = writeln!(
        h,
        "<li><strong>As written</strong> (every key at the scenario's own value): {} is cheapest \
         at {} {cur}.</li>",
        esc(&base.verdict.cheapest),
        esc(&money(base.verdict.mean_total_cost))
    );
}

/// One scenario's decision map and tornado (those it has), inline, with a note on how to read
/// each.
fn scenario_figures(
    h: &mut String,
    runs: &[SweepRun],
    r: &SweepRun,
    charts: &[(String, SweepChart)],
) -> anyhow::Result<()> {
    for stem in [
        chart_stem(runs, r, "decision_map"),
        chart_stem(runs, r, "tornado"),
    ] {
        if let Some((_, chart)) = charts.iter().find(|(s, _)| *s == stem) {
            let (heading, note) = match chart {
                SweepChart::DecisionMap(_) => (
                    "Decision map: which policy is cheapest where",
                    "Colour: the policy with the lowest mean total cost; the paler, the \
                     smaller its lead over the runner-up (the figure in the cell). With more \
                     than two parameters, each cell averages the mean costs over the other \
                     parameters' values.",
                ),
                SweepChart::Tornado(_) => (
                    "Sensitivity: one parameter at a time",
                    "Each parameter at its lowest (○) and highest (●) swept value with every \
                     other field as written in the scenario (│ marks that base cost); \
                     widest swing first.",
                ),
            };
            let _ = writeln!(
                h,
                "<figure>\n<h3>{heading}</h3>\n<p class=\"note\">{note}</p>\n{}\n<figcaption>Files: \
                 <a href=\"{stem}.svg\">{stem}.svg</a>, <a href=\"{stem}.png\">{stem}.png</a></figcaption>\n</figure>",
                chart
                    .svg(false)?
                    .trim_start_matches("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                    .trim()
            );
        }
    }
    Ok(())
}

/// The table of one scenario's points (at most [`MAX_TABLE_POINTS`]) with the cheapest policy
/// of each, its mean cost, its lead over the runner-up and its service.
fn points_table(h: &mut String, r: &SweepRun) {
    let cur = currency(r);
    let _ = write!(
        h,
        "<h3>The points</h3>\n<div class=\"wide\">\n<table>\n<thead><tr><th class=\"num\">point</th>"
    );
    for (p, t) in r.plan.parameters.iter().zip(titles(r)) {
        let _ = write!(
            h,
            "<th class=\"num wrap\">{}<code>{}</code></th>",
            esc(&t),
            esc(&p.key.text)
        );
    }
    let _ = writeln!(
        h,
        "<th>cheapest policy</th><th class=\"num wrap\">its mean total cost ({cur})</th><th class=\"num wrap\">lead over the runner-up ({cur})</th><th class=\"num wrap\">its fill rate</th><th class=\"num wrap\">futures without a stock-out</th><th>its service</th></tr></thead>\n<tbody>"
    );
    let shown = || {
        r.points
            .iter()
            .take(MAX_TABLE_POINTS)
            .map(|s| cheapest(&means(s)))
    };
    let costs = MoneyColumn::of(winners(r).into_iter().take(MAX_TABLE_POINTS).map(|w| w.1));
    let leads = MoneyColumn::of(shown().map(|(_, margin)| margin));
    for (n, (pt, sum)) in r
        .plan
        .points
        .iter()
        .zip(&r.points)
        .enumerate()
        .take(MAX_TABLE_POINTS)
    {
        let m = means(sum);
        let (best, margin) = cheapest(&m);
        let _ = write!(h, "<tr><td class=\"num\">{n}</td>");
        for v in &pt.values {
            let _ = write!(h, "<td class=\"num\">{}</td>", esc(&value_text(v)));
        }
        let fill = sum.policies[best].fill_rate;
        let poor = sum.verdict.service.poor && sum.verdict.cheapest == sum.policies[best].name;
        let _ = writeln!(
            h,
            "<td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>{}</tr>",
            hex(policy_color(best)),
            esc(&sum.policies[best].name),
            esc(&costs.format(m[best])),
            if m.len() > 1 {
                esc(&leads.format(margin))
            } else {
                "n/a".into()
            },
            esc(&percent(fill)),
            esc(&percent(Some(sum.policies[best].no_stockout_probability))),
            if poor {
                "<td class=\"poor\">poor</td>"
            } else {
                "<td>good</td>"
            },
        );
    }
    let _ = writeln!(h, "</tbody>\n</table>\n</div>");
    if r.points.len() > MAX_TABLE_POINTS {
        let _ = writeln!(
            h,
            "<p class=\"note\">The first {MAX_TABLE_POINTS} of {} points; all of them are in \
             sweep.csv.</p>",
            r.points.len()
        );
    }
}

/// The assumptions: the scenario as written, the swept keys with their values, the
/// simulation.
fn assumptions(h: &mut String, r: &SweepRun) {
    let s = &r.plan.base.scenario;
    h.push_str(
        "<h3>Key assumptions: the scenario as written</h3>\n<p class=\"note\">Every point \
         changes only the swept keys (last rows); everything else is as below.</p>\n<table \
         class=\"assumptions\">\n<tbody>\n",
    );
    rows_as_written(h, s);
    let all: Vec<usize> = (0..r.plan.points.len()).collect();
    for ((p, t), i) in r.plan.parameters.iter().zip(titles(r)).zip(0..) {
        let written = match &p.base {
            Some(v) => format!("{} in the scenario", value_text(v)),
            None => "not set in the scenario (its default)".to_string(),
        };
        row(
            h,
            "Swept",
            &format!(
                "{} (<code>{}</code>): {} ({})",
                esc(&t),
                esc(&p.key.text),
                esc(&values_at(r, i, &all)),
                esc(&written)
            ),
        );
    }
    row(
        h,
        "Simulation",
        &format!(
            "{} futures (paths) per point, the same for every point, seed {}",
            whole_number(r.settings.paths),
            r.settings.seed
        ),
    );
    h.push_str("</tbody>\n</table>\n");
}
