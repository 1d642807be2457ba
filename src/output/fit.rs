//! Outputs of `pimsim fit`: the parts CSV, the scenario TOML of each part (the demand block
//! alone, or a whole scenario composed with a template) and the terminal table.
//!
//! The parts CSV has one row per part; its first columns are dotted scenario keys
//! ([`PARTS_SCENARIO_COLUMNS`]) that a portfolio run can apply to a template, the rest
//! (prefixed `fit.`) are diagnostics a portfolio run ignores. Numbers are written with 6
//! significant digits (far finer than their standard errors); empty cells mean "does not
//! apply to this model".

use std::io::Write;
use std::path::Path;

use crate::demand::{Intensity, OrderSize};
use crate::fit::{DecayModel, PartFit, TimeOrigin};

/// The scenario-key columns of the parts CSV, in order.
pub const PARTS_SCENARIO_COLUMNS: [&str; 9] = [
    "part",
    "demand.model",
    "demand.rate",
    "demand.half_life_years",
    "demand.end_years",
    "demand.order_size.distribution",
    "demand.order_size.mean",
    "demand.order_size.dispersion",
    "demand.uncertainty.rate_cv",
];

/// The diagnostic columns of the parts CSV, after [`PARTS_SCENARIO_COLUMNS`].
pub const PARTS_FIT_COLUMNS: [&str; 32] = [
    "fit.origin",
    "fit.eop_given",
    "fit.shift_years",
    "fit.months",
    "fit.orders",
    "fit.units",
    "fit.rows_before_origin",
    "fit.rate_se",
    "fit.decay_rate",
    "fit.decay_rate_se",
    "fit.half_life_years_se",
    "fit.end_years_se",
    "fit.half_life_years_ci95_low",
    "fit.half_life_years_ci95_high",
    "fit.end_years_ci95_low",
    "fit.end_years_ci95_high",
    "fit.rate_at_end",
    "fit.aic_constant",
    "fit.aic_exponential",
    "fit.aic_linear",
    "fit.log_likelihood",
    "fit.order_size_mean_se",
    "fit.adi",
    "fit.cv2",
    "fit.sb_class",
    "fit.gof_chi_square",
    "fit.gof_df",
    "fit.gof_p_value",
    "fit.gof_max_cumulative_gap",
    "fit.lr_p_exponential",
    "fit.lr_p_linear",
    "fit.admissible_models",
];

/// `x` with 6 significant digits, without trailing zeros; empty for a non-finite value.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (5 - magnitude).clamp(0, 17) as usize;
    let mut s = format!("{x:.decimals$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if s == "-0" { "0".into() } else { s }
}

fn opt(x: Option<f64>) -> String {
    x.map(number).unwrap_or_default()
}

/// The 95 % interval of a parameter p = c/θ from θ's Wald interval θ̂ ± 1.96·SE(θ): (c/(θ̂ +
/// 1.96·SE), c/(θ̂ − 1.96·SE)), the upper end `None` (unbounded) when θ̂ − 1.96·SE ≤ 0. Used for
/// the half-life (c = ln 2, θ = β) and the end of a linear decay (c = 1, θ = κ = 1/t_end), whose
/// own symmetric intervals would be poor: their estimates are skewed.
pub fn reciprocal_interval(c: f64, theta: f64, se: f64) -> (Option<f64>, Option<f64>) {
    if !(theta.is_finite() && se.is_finite()) {
        return (None, None);
    }
    let (lo, hi) = (theta - 1.96 * se, theta + 1.96 * se);
    ((hi > 0.0).then(|| c / hi), (lo > 0.0).then(|| c / lo))
}

/// The 95 % intervals of the half-life and of the end of a linear decay of the chosen model,
/// years (see [`reciprocal_interval`]).
fn decay_intervals(fit: &PartFit) -> [(Option<f64>, Option<f64>); 2] {
    let best = fit.intensity.best();
    let (theta, se) = (
        best.shape.unwrap_or(f64::NAN),
        best.shape_se.unwrap_or(f64::NAN),
    );
    match best.model {
        DecayModel::Exponential => [reciprocal_interval(2f64.ln(), theta, se), (None, None)],
        DecayModel::Linear => {
            // The end moves with the time origin (an end already passed is 0 years away).
            let s = fit.shift_years();
            let (lo, hi) = reciprocal_interval(1.0, 1.0 / theta, se / (theta * theta));
            [
                (None, None),
                (lo.map(|x| (x - s).max(0.0)), hi.map(|x| (x - s).max(0.0))),
            ]
        }
        DecayModel::Constant => [(None, None), (None, None)],
    }
}

/// The scenario's `demand.model` name and the rate level (orders per year at t = 0) of
/// `intensity`.
fn model_and_rate(intensity: &Intensity) -> (&'static str, f64) {
    match *intensity {
        Intensity::Constant { rate } => ("constant", rate),
        Intensity::Exponential { rate, .. } => ("exponential", rate),
        Intensity::Linear { rate, .. } => ("linear", rate),
        _ => ("table", f64::NAN),
    }
}

/// The scenario-key cells of one part, in the order of [`PARTS_SCENARIO_COLUMNS`].
fn scenario_cells(fit: &PartFit) -> Vec<String> {
    let demand = fit.demand_model();
    let (model, rate) = model_and_rate(&demand.intensity);
    let (half_life, end) = match demand.intensity {
        Intensity::Exponential { decay_rate, .. } => (Some(2f64.ln() / decay_rate), None),
        Intensity::Linear { end_years, .. } => (None, Some(end_years)),
        _ => (None, None),
    };
    let (distribution, mean, dispersion) = match &demand.order_size {
        OrderSize::One => ("one", None, None),
        OrderSize::Poisson { mean } => ("poisson", Some(*mean), None),
        OrderSize::Geometric { mean } => ("geometric", Some(*mean), None),
        OrderSize::NegativeBinomial { mean, dispersion } => {
            ("negative_binomial", Some(*mean), Some(*dispersion))
        }
        OrderSize::Table { .. } => ("table", None, None),
    };
    vec![
        fit.part.clone(),
        model.into(),
        number(rate),
        opt(half_life),
        opt(end),
        distribution.into(),
        opt(mean),
        opt(dispersion),
        number(demand.rate_cv),
    ]
}

/// The parts CSV: one row per part (see the module documentation).
pub fn render_parts_csv(fits: &[PartFit]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(PARTS_SCENARIO_COLUMNS.iter().chain(&PARTS_FIT_COLUMNS))?;
    for fit in fits {
        let best = fit.intensity.best();
        let exponential = fit.intensity.candidate(DecayModel::Exponential);
        let c = &fit.classification;
        let g = &fit.goodness_of_fit;
        let (beta, beta_se) = match best.model {
            DecayModel::Exponential => (best.shape, best.shape_se),
            _ => (None, None),
        };
        let admissible: Vec<&str> = fit
            .intensity
            .candidates
            .iter()
            .filter(|c| c.admissible)
            .map(|c| c.model.as_str())
            .collect();
        let mut row = scenario_cells(fit);
        row.extend([
            fit.origin.clone(),
            fit.eop_given.to_string(),
            number(fit.shift_years()),
            fit.months.to_string(),
            fit.orders.to_string(),
            fit.units.to_string(),
            fit.rows_before_origin.to_string(),
            number(best.rate_se),
            opt(beta),
            opt(beta_se),
            // half-life = ln 2 / β, so SE(half-life) = ln 2 · SE(β) / β².
            opt(beta.zip(beta_se).map(|(b, s)| 2f64.ln() * s / (b * b))),
            match best.model {
                DecayModel::Linear => opt(best.shape_se),
                _ => String::new(),
            },
        ]);
        let [half_life_ci, end_ci] = decay_intervals(fit);
        row.extend([
            opt(half_life_ci.0),
            opt(half_life_ci.1),
            opt(end_ci.0),
            opt(end_ci.1),
        ]);
        row.extend([
            number(fit.rate_at_end()),
            number(fit.intensity.candidate(DecayModel::Constant).aic),
            if exponential.admissible {
                number(exponential.aic)
            } else {
                String::new()
            },
            {
                let l = fit.intensity.candidate(DecayModel::Linear);
                if l.admissible {
                    number(l.aic)
                } else {
                    String::new()
                }
            },
            number(best.log_likelihood),
            number(fit.order_size.mean_se),
            number(c.adi),
            number(c.cv2),
            c.class.as_str().into(),
            number(g.chi_square),
            g.degrees_of_freedom.to_string(),
            number(g.p_value),
            number(g.max_cumulative_gap),
            number(fit.decay_tests.exponential.p_value),
            number(fit.decay_tests.linear.p_value),
            admissible.join(" "),
        ]);
        w.write_record(&row)?;
    }
    Ok(w.into_inner()?)
}

/// `fit_cumulative.csv`: per part and month end, the observed and the fitted (chosen model)
/// cumulative orders since t = 0 — the data of the observed-versus-fitted chart, for every
/// part. `month` m is the end of the m-th month (m/12 years).
pub fn render_cumulative_csv(fits: &[PartFit]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["part", "month", "observed_orders", "fitted_orders"])?;
    for fit in fits {
        let (mut observed, mut fitted) = (0u64, 0.0f64);
        for (m, (&n, &mu)) in fit
            .monthly_orders
            .iter()
            .zip(&fit.intensity.best().expected)
            .enumerate()
        {
            observed += n;
            fitted += mu;
            w.write_record([
                fit.part.as_str(),
                &(m + 1).to_string(),
                &observed.to_string(),
                &number(fitted),
            ])?;
        }
    }
    Ok(w.into_inner()?)
}

/// The fitted demand block of one part as scenario TOML (`[demand]`, `[demand.order_size]`
/// and, when the rate is uncertain, `[demand.uncertainty]`), with comments that give the
/// standard errors, the alternatives' AIC, the class and the goodness of fit. `source` names
/// the history file in the first comment.
pub fn render_demand_toml(fit: &PartFit, source: &str) -> String {
    let best = fit.intensity.best();
    let demand = fit.demand_model();
    let (model, rate) = model_and_rate(&demand.intensity);
    let mut s = String::new();
    let start = if fit.eop_given {
        format!("the end of production ({})", fit.origin)
    } else {
        format!("the first month of the history ({})", fit.origin)
    };
    let origin = match fit.time_origin {
        TimeOrigin::Eop => start,
        TimeOrigin::End => format!(
            "the end of the history, {} months after {start};\n# the model was fitted from \
             there and shifted to start at the end",
            fit.months
        ),
    };
    s.push_str(&format!(
        "# Demand of part {:?} fitted by pimsim fit from {source}: {} orders ({} units) in {} \
         months;\n# t = 0 is {origin}.\n",
        fit.part, fit.orders, fit.units, fit.months
    ));
    let aic: Vec<String> = fit
        .intensity
        .candidates
        .iter()
        .map(|c| {
            if c.admissible {
                format!("{} {}", c.model.as_str(), number(c.aic))
            } else {
                format!("{} n/a", c.model.as_str())
            }
        })
        .collect();
    s.push_str(&format!("# AIC: {} (lowest chosen).\n", aic.join(", ")));
    let t = &fit.decay_tests;
    s.push_str(&format!(
        "# Likelihood-ratio tests of a decay against a constant rate: exponential p = {}, \
         linear p = {}.\n",
        number(t.exponential.p_value),
        number(t.linear.p_value)
    ));
    let c = &fit.classification;
    let g = &fit.goodness_of_fit;
    s.push_str(&format!(
        "# Syntetos–Boylan class: {} (ADI {}, CV² {}). Goodness of fit: chi-square {} on {} df, \
         p = {}.\n",
        c.class.as_str(),
        number(c.adi),
        number(c.cv2),
        number(g.chi_square),
        g.degrees_of_freedom,
        if g.p_value.is_finite() {
            number(g.p_value)
        } else {
            "n/a".into()
        }
    ));
    s.push_str(&format!(
        "[demand]\nmodel = \"{model}\"\n# ± {} (s.e.), orders per year at t = 0\nrate = {}\n",
        number(rate * fit.log_rate_se()),
        number(rate)
    ));
    match demand.intensity {
        Intensity::Exponential { decay_rate, .. } => {
            let se = best.shape_se.unwrap_or(f64::NAN);
            let [(lo, hi), _] = decay_intervals(fit);
            s.push_str(&format!(
                "# 95 % interval {} to {} years (from the decay rate {} ± {} per year, s.e.)\n\
                 half_life_years = {}\n",
                opt(lo),
                hi.map_or("unbounded".into(), number),
                number(decay_rate),
                number(se),
                number(2f64.ln() / decay_rate)
            ));
        }
        Intensity::Linear { end_years, .. } => {
            let [_, (lo, hi)] = decay_intervals(fit);
            s.push_str(&format!(
                "# ± {} (s.e.); 95 % interval {} to {} years (from the decline 1/end_years)\n\
                 end_years = {}\n",
                number(best.shape_se.unwrap_or(f64::NAN)),
                opt(lo),
                hi.map_or("unbounded".into(), number),
                number(end_years)
            ));
        }
        _ => {}
    }
    s.push_str(&format!(
        "\n[demand.order_size]\n# mean ± {} (s.e.) units per order\n",
        number(fit.order_size.mean_se)
    ));
    match &demand.order_size {
        OrderSize::One => s.push_str("distribution = \"one\"\n"),
        OrderSize::Poisson { mean } => s.push_str(&format!(
            "distribution = \"poisson\"\nmean = {}\n",
            number(*mean)
        )),
        OrderSize::Geometric { mean } => s.push_str(&format!(
            "distribution = \"geometric\"\nmean = {}\n",
            number(*mean)
        )),
        OrderSize::NegativeBinomial { mean, dispersion } => s.push_str(&format!(
            "distribution = \"negative_binomial\"\nmean = {}\ndispersion = {}\n",
            number(*mean),
            number(*dispersion)
        )),
        OrderSize::Table { .. } => {}
    }
    if demand.rate_cv > 0.0 {
        s.push_str(&format!(
            "\n# The relative standard error of the rate: each path's rate is multiplied by a \
             Gamma factor\n# with mean 1 and this coefficient of variation.\n\
             [demand.uncertainty]\nrate_cv = {}\n",
            number(demand.rate_cv)
        ));
    }
    s
}

/// A whole scenario for one part: `template` (scenario TOML text) with its `[demand]`
/// replaced by the fitted block (keeping the template's `[demand.obsolescence]`, which a
/// history cannot show), `scenario.name` set to the part's id and `part.name` to the part's
/// id.
///
/// The template's text is edited in place when its demand is written as `[demand]` /
/// `[demand.…]` tables, so its comments and layout are kept (the comments inside the replaced
/// tables go with them); the edit is used only if it parses to exactly the same TOML as the
/// template's parsed table with the demand replaced. Otherwise that table is written (the same
/// content, without the template's comments). Whether the result is a valid scenario (e.g.
/// whether the template's retained-level rules can be computed for this demand) is for the
/// caller to check.
pub fn compose_scenario(template: &str, fit: &PartFit, source: &str) -> anyhow::Result<String> {
    let demand_text = render_demand_toml(fit, source);
    let by_table = compose_by_table(template, fit, &demand_text)?;
    // The splice is used only if it means exactly the same TOML as the rewritten table.
    let same = |text: &String| {
        matches!(
            (text.parse::<toml::Table>(), by_table.parse::<toml::Table>()),
            (Ok(a), Ok(b)) if a == b
        )
    };
    let spliced = splice_demand(template, &demand_text, &fit.part).filter(same);
    Ok(spliced
        .map(|text| {
            format!(
                "# Scenario of part {:?}: a template with its demand block replaced by the one \
                 fitted by pimsim fit.\n\n{text}",
                fit.part
            )
        })
        .unwrap_or(by_table))
}

/// The table a TOML header line opens (`[a.b]` or `[[a]]`), if the line is a header.
fn header_name(line: &str) -> Option<String> {
    let t = line.trim();
    if !t.starts_with('[') {
        return None;
    }
    let inner = t.trim_start_matches('[');
    let end = inner.find(']')?;
    Some(inner[..end].trim().replace([' ', '"'], ""))
}

/// Replaces the template's `[demand]` and `[demand.…]` tables (except
/// `[demand.obsolescence]`) by `block`, at the place of the first one, and sets `name` in
/// `[scenario]` and `[part]` to `part`. `None` when the template's demand is not written as
/// such tables (e.g. as dotted keys or an inline table at the top level).
fn splice_demand(template: &str, block: &str, part: &str) -> Option<String> {
    let lines: Vec<&str> = template.lines().collect();
    let headers: Vec<(usize, String)> = lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| header_name(l).map(|n| (i, n)))
        .collect();
    let first_header = headers.first().map_or(lines.len(), |h| h.0);
    if lines[..first_header]
        .iter()
        .any(|l| l.trim_start().starts_with("demand"))
    {
        return None;
    }
    let is_comment_or_blank = |l: &str| l.trim().is_empty() || l.trim_start().starts_with('#');
    let mut keep = vec![true; lines.len()];
    let mut insert_at = None;
    let quoted = toml::Value::String(part.to_string()).to_string();
    let mut renamed = Vec::new();
    for (j, (start, name)) in headers.iter().enumerate() {
        let next = headers.get(j + 1).map_or(lines.len(), |h| h.0);
        let replaced = |name: &str| {
            (name == "demand" || name.starts_with("demand.")) && name != "demand.obsolescence"
        };
        if replaced(name) {
            // Comments and blank lines just before the next header belong to it, unless it
            // is replaced too.
            let mut end = next;
            let next_replaced = headers.get(j + 1).is_some_and(|h| replaced(&h.1));
            while !next_replaced && end > start + 1 && is_comment_or_blank(lines[end - 1]) {
                end -= 1;
            }
            keep[*start..end].iter_mut().for_each(|k| *k = false);
            insert_at.get_or_insert(*start);
        } else if name == "scenario" || name == "part" {
            for (i, line) in lines.iter().enumerate().take(next).skip(start + 1) {
                let t = line.trim_start();
                if t.starts_with("name") && t["name".len()..].trim_start().starts_with('=') {
                    renamed.push(i);
                }
            }
        }
    }
    let insert_at = insert_at?;
    let mut out = String::new();
    let mut gap = false;
    for (i, line) in lines.iter().enumerate() {
        if i == insert_at {
            out.push_str(block);
            gap = true;
        }
        if !keep[i] {
            continue;
        }
        if std::mem::take(&mut gap) && !line.trim().is_empty() {
            out.push('\n');
        }
        if renamed.contains(&i) {
            out.push_str(&format!("name = {quoted}\n"));
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    Some(out)
}

/// [`compose_scenario`] through a parsed TOML table: works for any template, but loses its
/// comments and order of tables.
fn compose_by_table(template: &str, fit: &PartFit, demand_text: &str) -> anyhow::Result<String> {
    let fitted: toml::Table = demand_text.parse()?;
    let mut doc: toml::Table = template.parse()?;
    let mut demand = fitted
        .get("demand")
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no [demand] in the fitted block"))?;
    if let Some(o) = doc
        .get("demand")
        .and_then(|d| d.get("obsolescence"))
        .cloned()
        && let Some(t) = demand.as_table_mut()
    {
        t.insert("obsolescence".into(), o);
    }
    doc.insert("demand".into(), demand);
    for (table, key) in [("scenario", "name"), ("part", "name")] {
        if let Some(t) = doc.get_mut(table).and_then(|t| t.as_table_mut()) {
            t.insert(key.into(), toml::Value::String(fit.part.clone()));
        }
    }
    let comments: String = demand_text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    Ok(format!(
        "# Scenario of part {:?}: a template with the demand block fitted by pimsim fit.\n\
         {comments}\n{}",
        fit.part,
        toml::to_string(&doc)?
    ))
}

/// A file name for a part's TOML: its id with characters other than letters, digits, `.`,
/// `_` and `-` replaced by `_`, plus `.toml`.
pub fn part_file_stem(part: &str) -> String {
    let s: String = part
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.').to_string();
    if s.is_empty() { "part".into() } else { s }
}

/// The terminal table of `fit`: one line per part.
pub fn render_fit_table(fits: &[PartFit]) -> String {
    let mut s = format!(
        "{:<14} {:>6} {:>6}  {:<11} {:>17}  {:<18} {:<17} {:>6}  {:<12} {:>6}\n",
        "part",
        "orders",
        "months",
        "model",
        "rate/yr ± s.e.",
        "decay",
        "order size",
        "mean",
        "class",
        "χ² p"
    );
    for f in fits {
        // What the demand block says (t = 0 at the chosen origin).
        let intensity = f.intensity_model();
        let (model, rate) = model_and_rate(&intensity);
        let decay = match intensity {
            Intensity::Exponential { decay_rate, .. } => {
                format!("half-life {:.2} y", 2f64.ln() / decay_rate)
            }
            Intensity::Linear { end_years, .. } => format!("ends at {end_years:.2} y"),
            _ => String::new(),
        };
        let size = match &f.order_size.distribution {
            OrderSize::One => "one",
            OrderSize::Poisson { .. } => "poisson",
            OrderSize::Geometric { .. } => "geometric",
            OrderSize::NegativeBinomial { .. } => "negative_binomial",
            OrderSize::Table { .. } => "table",
        };
        let p = f.goodness_of_fit.p_value;
        s.push_str(&format!(
            "{:<14} {:>6} {:>6}  {:<11} {:>17}  {:<18} {:<17} {:>6}  {:<12} {:>6}\n",
            f.part,
            f.orders,
            f.months,
            model,
            format!("{:.2} ± {:.2}", rate, rate * f.log_rate_se()),
            decay,
            size,
            format!("{:.2}", f.order_size.distribution.mean()),
            f.classification.class.as_str(),
            if p.is_finite() {
                format!("{p:.3}")
            } else {
                "n/a".into()
            }
        ));
    }
    s
}

/// Writes `content` to `path` atomically (a temporary file in the same directory, flushed,
/// then renamed over `path`).
pub fn write_file_atomically(path: &Path, content: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".pimsim-fit.")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| anyhow::anyhow!("{}: cannot create a file: {e}", dir.display()))?;
    tmp.write_all(content)
        .and_then(|()| tmp.as_file().sync_all())
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot replace: {}", path.display(), e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_six_significant_digits() {
        assert_eq!(number(24.123456789), "24.1235");
        assert_eq!(number(0.000123456789), "0.000123457");
        assert_eq!(number(1234567.0), "1234567");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(0.0), "0");
        assert_eq!(number(f64::NAN), "");
    }

    #[test]
    fn splicing_keeps_comments_and_replaces_the_demand_tables() {
        let template = "# top\n[scenario]\nname = \"x\" # old\n\n# demand next\n[demand]\n\
                        model = \"constant\"\nrate = 1\n\n# the sizes\n[demand.order_size]\n\
                        distribution = \"one\"\n\n# stock next\n[demand.obsolescence]\n\
                        annual_probability = 0.1\n[part]\nname = \"old\"\n";
        let out = splice_demand(template, "[demand]\nrate = 2\n", "P 1").unwrap();
        assert_eq!(
            out,
            "# top\n[scenario]\nname = \"P 1\"\n\n# demand next\n[demand]\nrate = 2\n\n\
             # stock next\n[demand.obsolescence]\nannual_probability = 0.1\n[part]\n\
             name = \"P 1\"\n"
        );
        assert_eq!(splice_demand("demand.rate = 1\n[part]\n", "", "p"), None);
    }

    #[test]
    fn part_names_become_safe_file_names() {
        assert_eq!(part_file_stem("A/B 7"), "A_B_7");
        assert_eq!(part_file_stem("../x"), "_x");
        assert_eq!(part_file_stem(""), "part");
    }
}
