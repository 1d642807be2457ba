//! The chart of `pimsim fit` (`fit_cumulative.svg`, `fit_cumulative.png`): observed against
//! fitted cumulative orders, month by month, one small panel per part.
//!
//! A history of thousands of parts cannot be drawn part by part, and the parts worth a look
//! are those the chosen model fits worst, so the panels show the parts with the largest
//! cumulative gap (`fit.gof_max_cumulative_gap`) among those with at least
//! [`MIN_ORDERS_SHOWN`] orders (fewer orders make any gap large), worst first; every part's
//! series is in `fit_cumulative.csv`.

use plotters::prelude::*;

use super::text::Glyphs;
use super::{
    DrawResult, GRID, INK, PNG_SCALE, SOFT_INK, Style, drawable, encode_png, register_font,
};
use crate::fit::PartFit;

/// Panels at most.
pub const MAX_PANELS: usize = 12;
/// Parts with fewer orders are not shown (unless no part has that many).
pub const MIN_ORDERS_SHOWN: u64 = 20;

const COLUMNS: usize = 3;
const PANEL_WIDTH: u32 = 333;
const PANEL_HEIGHT: u32 = 230;
const HEADER: u32 = 70;

/// Observed (black steps) and fitted (blue line) colours.
const OBSERVED: RGBColor = INK;
const FITTED: RGBColor = RGBColor(78, 121, 167);

/// The parts drawn, in panel order: worst cumulative gap first (ties by part order).
pub fn shown_parts(fits: &[PartFit]) -> Vec<&PartFit> {
    let enough = fits.iter().any(|f| f.orders >= MIN_ORDERS_SHOWN);
    let mut shown: Vec<&PartFit> = fits
        .iter()
        .filter(|f| f.orders > 0 && (!enough || f.orders >= MIN_ORDERS_SHOWN))
        .collect();
    shown.sort_by(|a, b| {
        b.goodness_of_fit
            .max_cumulative_gap
            .total_cmp(&a.goodness_of_fit.max_cumulative_gap)
    });
    shown.truncate(MAX_PANELS);
    shown
}

fn size(panels: usize) -> (u32, u32) {
    let rows = panels.div_ceil(COLUMNS).max(1) as u32;
    (COLUMNS as u32 * PANEL_WIDTH, HEADER + rows * PANEL_HEIGHT)
}

/// `fit_cumulative.svg`.
pub fn fit_cumulative_svg(fits: &[PartFit]) -> anyhow::Result<String> {
    register_font();
    let shown = shown_parts(fits);
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size(shown.len())).into_drawing_area();
        let style = Style {
            scale: 1.0,
            standalone: true,
        };
        draw(&root, fits.len(), &shown, &style)
            .map_err(|e| anyhow::anyhow!("drawing fit_cumulative.svg: {e}"))?;
    }
    Ok(text)
}

/// `fit_cumulative.png`, [`PNG_SCALE`] times the SVG's size.
pub fn fit_cumulative_png(fits: &[PartFit]) -> anyhow::Result<Vec<u8>> {
    register_font();
    let shown = shown_parts(fits);
    let (w, h) = size(shown.len());
    let (w, h) = (
        (f64::from(w) * PNG_SCALE).round() as u32,
        (f64::from(h) * PNG_SCALE).round() as u32,
    );
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    {
        let root = Glyphs::new(BitMapBackend::with_buffer(&mut rgb, (w, h))).into_drawing_area();
        let style = Style {
            scale: PNG_SCALE,
            standalone: true,
        };
        draw(&root, fits.len(), &shown, &style)
            .map_err(|e| anyhow::anyhow!("drawing fit_cumulative.png: {e}"))?;
    }
    encode_png(&rgb, w, h)
}

/// Cumulative sums of `values`, starting with 0 at month 0.
fn cumulative(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut total = 0.0;
    std::iter::once(0.0)
        .chain(values.map(|v| {
            total += v;
            total
        }))
        .collect()
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    parts: usize,
    shown: &[&PartFit],
    style: &Style,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let (header, body) = root.split_vertically(style.px(f64::from(HEADER)));
    header.draw(&Text::new(
        "Observed and fitted cumulative orders",
        (style.px(16.0), style.px(10.0)),
        style.title(),
    ))?;
    let note = if shown.len() < parts {
        format!(
            "The {} of {parts} parts with the largest gap (at least {MIN_ORDERS_SHOWN} orders), worst first; every part is in fit_cumulative.csv.",
            shown.len()
        )
    } else {
        "Every part, the largest gap first.".to_string()
    };
    header.draw(&Text::new(
        format!("{note} Black steps: observed; blue: the chosen model."),
        (style.px(16.0), style.px(40.0)),
        style.text(12.0, SOFT_INK),
    ))?;
    if shown.is_empty() {
        return Ok(());
    }
    let rows = shown.len().div_ceil(COLUMNS);
    let panels = body.split_evenly((rows, COLUMNS));
    for (panel, fit) in panels.iter().zip(shown) {
        let best = fit.intensity.best();
        let observed = cumulative(fit.monthly_orders.iter().map(|&n| n as f64));
        let fitted = cumulative(best.expected.iter().copied());
        let months = observed.len() - 1;
        let top = observed
            .iter()
            .chain(&fitted)
            .fold(1.0f64, |m, &v| m.max(v))
            * 1.08;
        let p = fit.goodness_of_fit.p_value;
        let caption = format!(
            "{} · {} · gap {:.0} %{}",
            fit.part,
            best.model.as_str(),
            100.0 * fit.goodness_of_fit.max_cumulative_gap,
            if p.is_finite() {
                format!(" · χ² p {p:.2}")
            } else {
                String::new()
            }
        );
        let mut chart = ChartBuilder::on(panel)
            .margin(style.px(6.0))
            .caption(drawable(&caption), style.text(12.0, INK))
            .x_label_area_size(style.px(28.0))
            .y_label_area_size(style.px(40.0))
            .build_cartesian_2d(0f64..months.max(1) as f64, 0f64..top)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(style.line(GRID, 1.0))
            .axis_style(style.line(SOFT_INK, 1.0))
            .x_labels(5)
            .y_labels(5)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .label_style(style.text(11.0, SOFT_INK))
            .x_desc("month")
            .axis_desc_style(style.text(11.0, SOFT_INK))
            .draw()?;
        // Orders arrive inside a month; the observed count is known at month ends: steps.
        let steps = observed.windows(2).enumerate().flat_map(|(i, w)| {
            [
                (i as f64, w[0]),
                ((i + 1) as f64, w[0]),
                ((i + 1) as f64, w[1]),
            ]
        });
        chart.draw_series(LineSeries::new(steps, style.line(OBSERVED, 1.5)))?;
        chart.draw_series(LineSeries::new(
            fitted.iter().enumerate().map(|(i, &v)| (i as f64, v)),
            style.line(FITTED, 2.0),
        ))?;
    }
    Ok(())
}
