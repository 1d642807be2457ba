//! Outputs of `pimsim fit`: the parts CSV, the scenario TOML of each part (the demand block
//! alone, or a whole scenario composed with a template) and the terminal table.
//!
//! The parts CSV has one row per part; its first columns are dotted scenario keys
//! ([`PARTS_SCENARIO_COLUMNS`]) that a portfolio run can apply to a template, the rest
//! (prefixed `fit.`) are diagnostics a portfolio run ignores. Numbers are written with 6
//! significant digits (far finer than their standard errors); empty cells mean "does not
//! apply to this model". Text cells (part ids, model names, the class, …) are written as
//! spreadsheet-safe cells ([`spreadsheet_cell`]: a leading apostrophe before `=`, `+`, `-`,
//! `@`, a tab or a carriage return), which pimsim's CSV readers read back as they were; numbers
//! are never escaped.
//!
//! The scenario TOML of a part is written by [`crate::output::fit::scenario_file`] (re-exported here:
//! [`render_part_file`], [`render_demand_toml`], [`compose_scenario`]), the file names of the
//! parts by [`crate::part_id`] ([`part_file_names`], [`part_file_stem`]).

use crate::elementary;
use std::io::Write;
use std::path::Path;

use crate::demand::{Intensity, OrderSize};
use crate::escape::{spreadsheet_cell, terminal_line};
use crate::fit::{DecayModel, PartFit};

pub use crate::part_id::{
    FIT_RESERVED_STEMS, MAX_PART_ID_CHARS, part_file_names, part_file_stem, part_id_problem,
};
pub mod scenario_file;

pub use scenario_file::{PartFileError, compose_scenario, render_demand_toml, render_part_file};

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

/// `x` with 6 significant digits, without trailing zeros; from 10^15 on in exponent form
/// (`6.93147e19`, a TOML float, where the digits would make an integer too large for TOML);
/// empty for a non-finite value.
pub fn number(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    if x == 0.0 {
        return "0".into();
    }
    let magnitude = elementary::log10(x.abs()).floor() as i32;
    if magnitude >= 15 {
        let s = format!("{x:.5e}");
        let (mantissa, exponent) = s.split_once('e').expect("exponent form");
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    let decimals = (5 - magnitude).clamp(0, 17) as usize;
    let mut s = format!("{x:.decimals$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if s == "-0" { "0".into() } else { s }
}

/// [`number`] of `x`, empty for `None`.
pub(crate) fn opt(x: Option<f64>) -> String {
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
pub(crate) fn decay_intervals(fit: &PartFit) -> [(Option<f64>, Option<f64>); 2] {
    let best = fit.intensity.best();
    let (theta, se) = (
        best.shape.unwrap_or(f64::NAN),
        best.shape_se.unwrap_or(f64::NAN),
    );
    match best.model {
        DecayModel::Exponential => [
            reciprocal_interval(elementary::ln(2f64), theta, se),
            (None, None),
        ],
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
pub(crate) fn model_and_rate(intensity: &Intensity) -> (&'static str, f64) {
    match *intensity {
        Intensity::Constant { rate } => ("constant", rate),
        Intensity::Exponential { rate, .. } => ("exponential", rate),
        Intensity::Linear { rate, .. } => ("linear", rate),
        _ => ("table", f64::NAN),
    }
}

/// A text cell of a CSV output, spreadsheet-safe ([`spreadsheet_cell`]).
fn text_cell(text: &str) -> String {
    spreadsheet_cell(text).into_owned()
}

/// The scenario-key cells of one part, in the order of [`PARTS_SCENARIO_COLUMNS`].
fn scenario_cells(fit: &PartFit) -> Vec<String> {
    let demand = fit.demand_model();
    let (model, rate) = model_and_rate(&demand.intensity);
    let (half_life, end) = match demand.intensity {
        Intensity::Exponential { decay_rate, .. } => {
            (Some(elementary::ln(2f64) / decay_rate), None)
        }
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
        text_cell(&fit.part),
        text_cell(model),
        number(rate),
        opt(half_life),
        opt(end),
        text_cell(distribution),
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
            text_cell(&fit.origin),
            text_cell(&fit.eop_given.to_string()),
            number(fit.shift_years()),
            fit.months.to_string(),
            fit.orders.to_string(),
            fit.units.to_string(),
            fit.rows_before_origin.to_string(),
            number(best.rate_se),
            opt(beta),
            opt(beta_se),
            // half-life = ln 2 / β, so SE(half-life) = ln 2 · SE(β) / β².
            opt(beta
                .zip(beta_se)
                .map(|(b, s)| elementary::ln(2f64) * s / (b * b))),
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
            text_cell(c.class.as_str()),
            number(g.chi_square),
            g.degrees_of_freedom.to_string(),
            number(g.p_value),
            number(g.max_cumulative_gap),
            number(fit.decay_tests.exponential.p_value),
            number(fit.decay_tests.linear.p_value),
            text_cell(&admissible.join(" ")),
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
                &text_cell(&fit.part),
                &(m + 1).to_string(),
                &observed.to_string(),
                &number(fitted),
            ])?;
        }
    }
    Ok(w.into_inner()?)
}

/// The terminal table of `fit`: one line per part (ids with their control and bidirectional
/// characters shown as `\u{..}`).
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
                format!("half-life {:.2} y", elementary::ln(2f64) / decay_rate)
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
            terminal_line(&f.part),
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
        assert_eq!(number(123_456_789_012_345.0), "123456789012345");
        assert_eq!(number(999_999_999_999_999.0), "1e15");
        assert_eq!(number(6.931471805599453e19), "6.93147e19");
        assert_eq!(number(-1e300), "-1e300");
    }
}
