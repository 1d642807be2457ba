//! The verdict: the cheapest policy in plain language (its expected total cost for the whole
//! part number), how sure that is, its service — a warning when it is poor by the
//! [`ServiceRule`](crate::engine::service::ServiceRule), the same rule as the terminal's and
//! the portfolio's — how it compares with the baseline, and the cheapest policy that serves
//! well when it serves poorly.

use std::fmt::Write as _;

use super::{esc, named, share, short, value};
use crate::engine::{RunSummary, Z95};
use crate::output::{money, whole_number};

/// The position of the policy called `name` (the first policy when there is none).
fn policy_index(summary: &RunSummary, name: &str) -> usize {
    summary
        .policies
        .iter()
        .position(|p| p.name == name)
        .unwrap_or(0)
}

/// The verdict section.
pub(super) fn verdict(h: &mut String, summary: &RunSummary) {
    let cur = esc(summary.scenario.report.currency_label());
    let best_index = policy_index(summary, &summary.verdict.cheapest);
    h.push_str("<section id=\"verdict\">\n<h2>Verdict</h2>\n");
    lead(h, summary, &cur);
    h.push_str("<ul>\n");
    how_sure(h, summary, &cur);
    service(h, summary, best_index);
    better_service(h, summary, &cur);
    against_baseline(h, summary, best_index, &cur);
    h.push_str("</ul>\n</section>\n");
}

/// The lead sentence: the cheapest policy and its mean cost, which is for the whole part
/// number (not per unit).
fn lead(h: &mut String, summary: &RunSummary, cur: &str) {
    let v = &summary.verdict;
    let part = &summary.scenario.part.name;
    let _ = writeln!(
        h,
        "<p class=\"lead\">{} is the cheapest policy: {} {cur} expected total cost over the {} years, \
         in today's money, for the whole part number{}: all its stock and demand together, not per \
         unit.</p>",
        named(summary, &v.cheapest),
        value(
            "span",
            "/verdict/mean_total_cost",
            v.mean_total_cost,
            &money(v.mean_total_cost)
        ),
        short(summary.scenario.horizon_years, 2),
        if part.is_empty() {
            String::new()
        } else {
            format!(" {}", esc(part))
        }
    );
}

/// How sure the verdict is: the saving against the runner-up with its confidence interval.
fn how_sure(h: &mut String, summary: &RunSummary, cur: &str) {
    let v = &summary.verdict;
    match (&v.runner_up, v.saving_vs_runner_up, v.saving_std_err) {
        (Some(r), Some(s), Some(se)) if s == 0.0 && se == 0.0 => {
            let _ = writeln!(
                h,
                "<li><strong>How sure:</strong> {} costs exactly the same on every simulated future.</li>",
                named(summary, r)
            );
        }
        (Some(r), Some(s), Some(se)) => {
            let half = Z95 * se;
            let p = v.probability_cheaper_than_runner_up.unwrap_or(0.0);
            if s - half > 0.0 {
                sure(h, summary, (r, s, half, p), cur);
            } else {
                not_sure(h, summary, (r, s, half, p), cur);
            }
        }
        _ => h.push_str("<li>It is the only policy of the scenario.</li>\n"),
    }
}

/// The runner-up's name, the saving against it, the half-width of the saving's 95 %
/// confidence interval and the probability that the cheapest policy is cheaper.
type RunnerUp<'a> = (&'a str, f64, f64, f64);

/// How sure, when the saving's confidence interval excludes zero.
fn sure(h: &mut String, summary: &RunSummary, (r, s, half, p): RunnerUp<'_>, cur: &str) {
    let _ = writeln!(
        h,
        "<li><strong>How sure:</strong> it costs {} {cur} less than the runner-up, {} \
         (95 % confidence interval {} to {}), and is cheaper on {} of the simulated futures.</li>",
        value("span", "/verdict/saving_vs_runner_up", s, &money(s)),
        named(summary, r),
        money(s - half),
        money(s + half),
        value(
            "span",
            "/verdict/probability_cheaper_than_runner_up",
            p,
            &share(p)
        )
    );
}

/// How sure, when the saving's confidence interval includes zero.
fn not_sure(h: &mut String, summary: &RunSummary, (r, s, half, p): RunnerUp<'_>, cur: &str) {
    let _ = writeln!(
        h,
        "<li><strong>How sure: not sure.</strong> The runner-up, {}, costs {} ± {} {cur} more \
         (95 % confidence interval), which includes no difference at all: with {} futures the \
         two cannot be told apart. It is cheaper on {} of futures. Run more paths, or treat them as equal.</li>",
        named(summary, r),
        value("span", "/verdict/saving_vs_runner_up", s, &money(s)),
        money(half),
        whole_number(summary.paths),
        value(
            "span",
            "/verdict/probability_cheaper_than_runner_up",
            p,
            &share(p)
        )
    );
}

/// The cheapest policy's service: fill rate and stock-outs, as a warning when it is poor by
/// the service rule.
fn service(h: &mut String, summary: &RunSummary, i: usize) {
    let best = &summary.policies[i];
    let never_short = value(
        "span",
        &format!("/policies/{i}/no_stockout_probability"),
        best.no_stockout_probability,
        &share(best.no_stockout_probability),
    );
    let shortages = match &best.first_stockout_years {
        Some(s) => format!(
            "it runs short at least once in {} of futures (never in {never_short}), the first time \
             after {} years (median)",
            share(1.0 - best.no_stockout_probability),
            value(
                "span",
                &format!("/policies/{i}/first_stockout_years/p50"),
                s.p50,
                &short(s.p50, 1)
            )
        ),
        None => format!("it never runs short in {never_short} of futures"),
    };
    let fill = match best.fill_rate {
        Some(f) => value("span", &format!("/policies/{i}/fill_rate"), f, &share(f)),
        None => "n/a (no demand)".to_string(),
    };
    let rule = esc(&summary.verdict.service.rule.describe());
    if summary.verdict.service.poor {
        let _ = writeln!(
            h,
            "<li class=\"warning\"><strong>Service warning:</strong> it serves only {fill} of the units \
             demanded from stock at once (fill rate); {shortages}. That is poor service: good \
             service is {rule}.</li>"
        );
    } else {
        let _ = writeln!(
            h,
            "<li><strong>Service:</strong> it serves {fill} of the units demanded from stock at once \
             (fill rate); {shortages}. That is good service ({rule}).</li>"
        );
    }
}

/// The cheapest policy against the baseline on the same futures (when it is not the baseline).
fn against_baseline(h: &mut String, summary: &RunSummary, i: usize, cur: &str) {
    let Some(c) = &summary.policies[i].comparison else {
        return;
    };
    let half = (c.ci95[1] - c.ci95[0]) / 2.0;
    let _ = writeln!(
        h,
        "<li><strong>Against the baseline,</strong> {} (the first policy of the scenario): it costs {} ± {} {cur} \
         {} on the same futures, and is cheaper on {} of them.</li>",
        named(summary, &c.baseline),
        value(
            "span",
            &format!("/policies/{i}/comparison/mean_difference"),
            c.mean_difference,
            &money(c.mean_difference.abs())
        ),
        money(half),
        if c.mean_difference <= 0.0 {
            "less"
        } else {
            "more"
        },
        value(
            "span",
            &format!("/policies/{i}/comparison/probability_cheaper"),
            c.probability_cheaper,
            &share(c.probability_cheaper)
        )
    );
}

/// When the cheapest policy serves poorly: the cheapest policy that serves well and what its
/// service costs, or a warning that none does.
fn better_service(h: &mut String, summary: &RunSummary, cur: &str) {
    let service = &summary.verdict.service;
    if !service.poor {
        return;
    }
    let alternative = service.better_service.as_ref().and_then(|name| {
        summary
            .policies
            .iter()
            .enumerate()
            .find(|(_, p)| &p.name == name)
    });
    match (alternative, service.better_service_extra_cost) {
        (Some((j, p)), Some(extra)) => {
            let _ = writeln!(
                h,
                "<li><strong>If service matters more:</strong> the cheapest policy with good service is \
                 {}, at {} {cur} ({} {cur} more for the part number), with a fill rate of {}, never \
                 short in {} of futures.</li>",
                named(summary, &p.name),
                value(
                    "span",
                    &format!("/policies/{j}/total_cost/mean"),
                    p.total_cost.mean,
                    &money(p.total_cost.mean)
                ),
                value(
                    "span",
                    "/verdict/service/better_service_extra_cost",
                    extra,
                    &money(extra)
                ),
                share(p.fill_rate.unwrap_or(1.0)),
                share(p.no_stockout_probability)
            );
        }
        _ => {
            let _ = writeln!(
                h,
                "<li class=\"warning\"><strong>No policy serves well:</strong> none of the scenario's \
                 policies reaches {}.</li>",
                esc(&service.rule.describe())
            );
        }
    }
}
