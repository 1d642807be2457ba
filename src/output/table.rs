//! The terminal table of a run. Names from the input (the scenario's, the policies') are shown
//! through [`terminal_line`]: an escape sequence in a name is shown, not obeyed, and a name
//! with a newline stays on its row.

use crate::engine::RunSummary;
use crate::escape::terminal_line;

/// A money amount with thousands separators and no decimals (cents below 100).
pub fn money(x: f64) -> String {
    if !x.is_finite() {
        return "n/a".into();
    }
    if x.abs() < 100.0 {
        return format!("{x:.2}");
    }
    let rounded = x.round() as i64;
    let digits = rounded.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if rounded < 0 { format!("-{out}") } else { out }
}

/// Money amounts of one table column in one format: whole amounts with thousands separators
/// when any amount of the column is 100 or more in size, else cents, as [`money`] writes a lone
/// amount. (Cents for the small amounts of a column of large ones read as a different unit.)
#[derive(Debug, Clone, Copy)]
pub struct MoneyColumn {
    /// Whether the column shows cents.
    cents: bool,
}

impl MoneyColumn {
    /// The format of a column holding `amounts` (currency; those that are not finite are
    /// ignored).
    pub fn of(amounts: impl IntoIterator<Item = f64>) -> MoneyColumn {
        let largest = amounts
            .into_iter()
            .filter(|x| x.is_finite())
            .fold(0.0_f64, |m, x| m.max(x.abs()));
        MoneyColumn {
            cents: largest < 100.0,
        }
    }

    /// `x` (currency) in the column's format; "n/a" when not finite.
    pub fn format(self, x: f64) -> String {
        if self.cents || !x.is_finite() {
            return money(x);
        }
        // Below 100 `money` writes cents: the whole amount (−0.4 → "0", no sign) instead.
        let whole = x.round();
        if whole.abs() < 100.0 {
            (whole as i64).to_string()
        } else {
            money(whole)
        }
    }
}

/// A money amount as [`money`] does, with a leading `+` for positive amounts.
pub fn signed_money(x: f64) -> String {
    if x > 0.0 {
        format!("+{}", money(x))
    } else {
        money(x)
    }
}

/// A whole number with thousands separators: 20,000.
pub fn whole_number(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A share as a percentage with one decimal ("91.6 %"), "n/a" when absent.
pub fn percent(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".into(), |v| format!("{:.1} %", 100.0 * v))
}

/// A figure with its ± half-width, each right-aligned in its own width, so that the means
/// and the half-widths of a column line up whatever their lengths.
struct PlusMinus {
    value: String,
    half: String,
}

/// A column of [`PlusMinus`] cells (`Err`: a text cell such as "(baseline)") rendered at the
/// widths of its widest figure and widest half-width.
fn plus_minus_column(cells: &[Result<PlusMinus, String>]) -> Vec<String> {
    let width = |f: &dyn Fn(&PlusMinus) -> &str| {
        cells
            .iter()
            .filter_map(|c| c.as_ref().ok())
            .map(|c| f(c).chars().count())
            .max()
            .unwrap_or(0)
    };
    let (wv, wh) = (width(&|c| &c.value), width(&|c| &c.half));
    cells
        .iter()
        .map(|c| match c {
            Ok(c) => format!("{:>wv$} ± {:>wh$}", c.value, c.half),
            Err(text) => text.clone(),
        })
        .collect()
}

/// The policies as an aligned text table (names left-aligned, numbers right-aligned in
/// columns as wide as their widest cell, the ± figures aligned on the ±), followed by the
/// verdict: the cheapest policy, how sure, and a service warning when it serves poorly.
pub fn render_table(summary: &RunSummary) -> String {
    let header = [
        "policy",
        "mean cost ± 95% CI",
        "P95 cost",
        "fill rate",
        "P(no stock-out)",
        "vs baseline",
        "P(cheaper)",
    ];
    let costs: Vec<Result<PlusMinus, String>> = summary
        .policies
        .iter()
        .map(|p| {
            let c = &p.total_cost;
            Ok(PlusMinus {
                value: money(c.mean),
                half: money((c.ci95[1] - c.ci95[0]) / 2.0),
            })
        })
        .collect();
    let versus: Vec<Result<PlusMinus, String>> = summary
        .policies
        .iter()
        .map(|p| match &p.comparison {
            Some(cmp) => Ok(PlusMinus {
                value: signed_money(cmp.mean_difference),
                half: money((cmp.ci95[1] - cmp.ci95[0]) / 2.0),
            }),
            None => Err("(baseline)".into()),
        })
        .collect();
    let (costs, versus) = (plus_minus_column(&costs), plus_minus_column(&versus));
    let mut rows: Vec<[String; 7]> = Vec::new();
    for (i, p) in summary.policies.iter().enumerate() {
        rows.push([
            terminal_line(&format!("{} ({})", p.name, p.kind)).into_owned(),
            costs[i].clone(),
            money(p.total_cost.p95),
            percent(p.fill_rate),
            percent(Some(p.no_stockout_probability)),
            versus[i].clone(),
            p.comparison
                .as_ref()
                .map(|c| percent(Some(c.probability_cheaper)))
                .unwrap_or_default(),
        ]);
    }
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let pad = widths[i] - c.chars().count();
                if i == 0 {
                    format!("{c}{}", " ".repeat(pad))
                } else {
                    format!("{}{c}", " ".repeat(pad))
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = String::new();
    let scenario = &summary.scenario;
    out.push_str(&format!(
        "{} — {} paths, seed {}, horizon {} years, costs discounted to t = 0 ({})\n\n",
        terminal_line(&scenario.name),
        summary.paths,
        summary.seed,
        scenario.horizon_years,
        terminal_line(scenario.report.currency_label())
    ));
    out.push_str(&line(&header.map(String::from)));
    out.push('\n');
    out.push_str(&line(&widths.map(|w| "-".repeat(w))));
    out.push('\n');
    for r in &rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out.push('\n');
    for l in verdict_lines(summary) {
        out.push_str(&l);
        out.push('\n');
    }
    out
}

/// The verdict under the terminal table, one sentence a line: the cheapest policy and its
/// expected total cost for the whole part number, how sure that is, and — when its service is
/// poor by the [`ServiceRule`](crate::engine::service::ServiceRule) — a service warning with
/// its fill rate and the share of futures with a stock-out, and the cheapest policy that
/// serves well with what that service costs.
fn verdict_lines(summary: &RunSummary) -> Vec<String> {
    let v = &summary.verdict;
    let cur = terminal_line(summary.scenario.report.currency_label());
    let amount = |x: f64| format!("{} {cur}", money(x));
    let cheapest = terminal_line(&v.cheapest);
    let part = &summary.scenario.part.name;
    let whole = format!(
        "expected total cost over {} years, discounted to t = 0, for the whole part number{}: \
         all its stock and demand together, not per unit",
        summary.scenario.horizon_years,
        if part.is_empty() {
            String::new()
        } else {
            format!(" {}", terminal_line(part))
        }
    );
    let mut lines = Vec::new();
    match (&v.runner_up, v.saving_vs_runner_up, v.saving_std_err) {
        (Some(r), Some(s), Some(se)) if s == 0.0 && se == 0.0 => lines.push(format!(
            "{} and {} cost the same on every path: {} {whole}.",
            cheapest,
            terminal_line(r),
            amount(v.mean_total_cost)
        )),
        (Some(r), Some(s), Some(se)) => {
            lines.push(format!(
                "Cheapest: {} at {} {whole}.",
                cheapest,
                amount(v.mean_total_cost)
            ));
            lines.push(format!(
                "It costs {} ± {} (95% CI) less than {} on the same paths.",
                money(s),
                amount(crate::engine::Z95 * se),
                terminal_line(r)
            ));
        }
        _ => lines.push(format!(
            "Cheapest: {} at {} {whole}.",
            cheapest,
            amount(v.mean_total_cost)
        )),
    }
    lines.extend(records_line(summary));
    let service = &v.service;
    if !service.poor {
        return lines;
    }
    let Some(best) = summary.policies.iter().find(|p| p.name == v.cheapest) else {
        return lines;
    };
    lines.push(format!(
        "Service warning: {} fills only {} of the units demanded from stock at once and runs \
         short in {} of futures; good service is {}.",
        cheapest,
        percent(best.fill_rate),
        percent(Some(1.0 - best.no_stockout_probability)),
        service.rule.describe()
    ));
    let alternative = service
        .better_service
        .as_ref()
        .and_then(|name| summary.policies.iter().find(|p| &p.name == name));
    match (alternative, service.better_service_extra_cost) {
        (Some(p), Some(extra)) => lines.push(format!(
            "Cheapest with good service: {} at {} ({} more): fill rate {}, short in {} of futures.",
            terminal_line(&p.name),
            amount(p.total_cost.mean),
            amount(extra),
            percent(p.fill_rate),
            percent(Some(1.0 - p.no_stockout_probability))
        )),
        _ => lines.push("No policy of the scenario serves well by that rule.".to_string()),
    }
    lines
}

/// The cheapest policy's drifting stock records in one sentence (none without them).
fn records_line(summary: &RunSummary) -> Option<String> {
    let v = &summary.verdict;
    let p = summary.policies.iter().find(|p| p.name == v.cheapest)?;
    let r = p.records.as_ref()?;
    let counts = match (r.record_accuracy, r.phantom_found_per_count) {
        (Some(a), Some(f)) => format!(
            "the records were right at {} of the cycle counts, which found {} phantom units each",
            percent(Some(a)),
            money(f)
        ),
        _ => "no cycle counts".to_string(),
    };
    Some(format!(
        "Stock records ({}): {counts}; {} units a future went short because of phantom stock.",
        terminal_line(&p.name),
        money(r.means.phantom_short)
    ))
}

#[cfg(test)]
mod tests {
    use super::{money, signed_money, whole_number};

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(1234567.4), "1,234,567");
        assert_eq!(money(-4500.0), "-4,500");
        assert_eq!(money(12.345), "12.35");
        assert_eq!(signed_money(4500.0), "+4,500");
        assert_eq!(signed_money(-4500.0), "-4,500");
        assert_eq!(whole_number(20000), "20,000");
        assert_eq!(whole_number(7), "7");
    }
}
