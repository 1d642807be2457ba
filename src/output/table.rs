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

/// The policies as an aligned text table, followed by the verdict.
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
    let mut rows: Vec<[String; 7]> = Vec::new();
    for p in &summary.policies {
        let c = &p.total_cost;
        let half = (c.ci95[1] - c.ci95[0]) / 2.0;
        let (vs, cheaper) = match &p.comparison {
            Some(cmp) => (
                format!(
                    "{}{} ± {}",
                    if cmp.mean_difference >= 0.0 { "+" } else { "" },
                    money(cmp.mean_difference),
                    money((cmp.ci95[1] - cmp.ci95[0]) / 2.0)
                ),
                percent(Some(cmp.probability_cheaper)),
            ),
            None => ("(baseline)".into(), String::new()),
        };
        rows.push([
            terminal_line(&format!("{} ({})", p.name, p.kind)).into_owned(),
            format!("{} ± {}", money(c.mean), money(half)),
            money(c.p95),
            percent(p.fill_rate),
            percent(Some(p.no_stockout_probability)),
            vs,
            cheaper,
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
        "{} — {} paths, seed {}, horizon {} years, costs discounted to t = 0\n\n",
        terminal_line(&scenario.name),
        summary.paths,
        summary.seed,
        scenario.horizon_years
    ));
    out.push_str(&line(&header.map(String::from)));
    out.push('\n');
    out.push_str(&line(&widths.map(|w| "-".repeat(w))));
    out.push('\n');
    for r in &rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    let v = &summary.verdict;
    let cheapest = terminal_line(&v.cheapest);
    out.push('\n');
    match (&v.runner_up, v.saving_vs_runner_up, v.saving_std_err) {
        (Some(r), Some(s), Some(se)) if s == 0.0 && se == 0.0 => out.push_str(&format!(
            "{} and {} cost the same on every path: {} per part on average.\n",
            cheapest,
            terminal_line(r),
            money(v.mean_total_cost)
        )),
        (Some(r), Some(s), Some(se)) => out.push_str(&format!(
            "Cheapest: {} at {} per part on average, {} ± {} (95% CI) less than {} on the same paths.\n",
            cheapest,
            money(v.mean_total_cost),
            money(s),
            money(crate::engine::Z95 * se),
            terminal_line(r)
        )),
        _ => out.push_str(&format!(
            "Cheapest: {} at {} per part on average.\n",
            cheapest,
            money(v.mean_total_cost)
        )),
    }
    out
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
