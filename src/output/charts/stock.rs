//! Stock on hand over time: one panel per policy with the mean and the P5–P95 band of units
//! on hand, and under it the units arriving per year from re-manufacture and buy-backs.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::cost::darker;
use super::{
    Chart, DrawResult, GRID, INK, SOFT_INK, Style, Swatch, cost_line_color, drawable, legend_row,
    number_tick, padded_range, policy_color, retention_in_words, titled,
};
use crate::engine::{PolicySummary, RunSummary, TimeSeriesPoint};

/// Colour of re-manufactured units (the re-manufacture cost line's colour).
fn remanufactured_color() -> RGBColor {
    cost_line_color(5)
}

/// Colour of bought-back units (the buy-back cost line's colour).
fn bought_back_color() -> RGBColor {
    cost_line_color(4)
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &RunSummary,
    style: &Style,
) -> DrawResult<DB> {
    let subtitle = "Units on hand: mean and the range of 90 % of futures (P5–P95); bars: units arriving per year (mean per future). Each panel has its own scale.";
    let area = titled(root, Chart::Stock, subtitle, style)?;
    let (legend, grid) = area.split_vertically(style.px(36.0));
    let neutral = RGBColor(110, 110, 110);
    let entries = [
        (
            Swatch::Fill(neutral.mix(0.25)),
            "P5–P95 of units on hand".to_string(),
            INK,
        ),
        (
            Swatch::Line(neutral, 2.5),
            "mean units on hand".to_string(),
            INK,
        ),
        (
            Swatch::Fill(remanufactured_color().to_rgba()),
            "re-manufactured units arriving".to_string(),
            INK,
        ),
        (
            Swatch::Fill(bought_back_color().to_rgba()),
            "units bought back from partners".to_string(),
            INK,
        ),
    ];
    let (width, _) = legend.dim_in_pixel();
    legend_row(
        &legend,
        &entries,
        (style.px(24.0), style.px(14.0)),
        width as i32 - style.px(16.0),
        style,
    )?;

    let count = summary.policies.len();
    let cols = if count == 1 { 1 } else { 2 };
    let rows = count.div_ceil(cols);
    let cells = grid.split_evenly((rows, cols));
    for (i, policy) in summary.policies.iter().enumerate() {
        let points: Vec<&TimeSeriesPoint> = summary
            .timeseries
            .iter()
            .filter(|t| t.policy == policy.name)
            .collect();
        panel(&cells[i], i, policy, &points, summary, style)?;
    }
    Ok(())
}

/// A small mean count: "0", "< 0.01", "0.19", "56.5".
fn small_count(v: f64) -> String {
    if v == 0.0 {
        "0".into()
    } else if v < 0.01 {
        "< 0.01".into()
    } else if v < 10.0 {
        number_tick(v)
    } else {
        number_tick((v * 10.0).round() / 10.0)
    }
}

/// The panel of policy `policy` (at position `index`) in `cell`: its name, kind and retention,
/// the units on hand over time (`points`), the units arriving per year, and a note of the
/// mean re-manufacture runs and buy-backs.
fn panel<DB: DrawingBackend>(
    cell: &DrawingArea<DB, Shift>,
    index: usize,
    policy: &PolicySummary,
    points: &[&TimeSeriesPoint],
    summary: &RunSummary,
    style: &Style,
) -> DrawResult<DB> {
    let horizon = summary.scenario.horizon_years;
    let color = policy_color(index);
    let name = drawable(&policy.name);
    cell.draw(&Text::new(
        name.clone(),
        (style.px(16.0), style.px(6.0)),
        style.anchored(15.0, darker(color), HPos::Left, VPos::Top),
    ))?;
    let (name_width, _) = cell.estimate_text_size(&name, &style.text(15.0, color))?;
    cell.draw(&Text::new(
        format!(
            "{}, {}",
            policy.kind.replace('_', " "),
            retention_in_words(policy)
        ),
        (
            style.px(16.0) + name_width as i32 + style.px(10.0),
            style.px(8.0),
        ),
        style.anchored(12.0, SOFT_INK, HPos::Left, VPos::Top),
    ))?;
    let (_, body) = cell.split_vertically(style.px(30.0));
    let (_, h) = body.dim_in_pixel();
    let (upper, rest) = body.split_vertically((h as f64 * 0.6) as i32);
    let (note_area, lower) = rest.split_vertically(style.px(26.0));
    on_hand(&upper, color, points, horizon, style)?;
    arrivals(&lower, points, horizon, style)?;
    arrivals_note(cell, &note_area, policy, style)
}

/// Units on hand over time in `upper`: the P5–P95 band and the mean, in `color`.
fn on_hand<DB: DrawingBackend>(
    upper: &DrawingArea<DB, Shift>,
    color: RGBColor,
    points: &[&TimeSeriesPoint],
    horizon: f64,
    style: &Style,
) -> DrawResult<DB> {
    let (_, top) = padded_range(
        points.iter().flat_map(|p| [p.on_hand_p95, p.on_hand_mean]),
        0.1,
        true,
    );
    let mut chart = ChartBuilder::on(upper)
        .margin_left(style.px(8.0))
        .margin_right(style.px(20.0))
        .margin_top(style.px(4.0))
        .x_label_area_size(style.px(8.0))
        .y_label_area_size(style.px(66.0))
        .build_cartesian_2d(0f64..horizon, 0f64..top.max(1.0))?;
    chart
        .configure_mesh()
        .y_desc("units on hand")
        .label_style(style.text(12.0, SOFT_INK))
        .axis_desc_style(style.text(12.0, INK))
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_labels(8)
        .x_label_formatter(&|_| String::new())
        .y_labels(5)
        .y_label_formatter(&|v| number_tick(*v))
        .draw()?;
    let mut band: Vec<(f64, f64)> = points
        .iter()
        .map(|p| (p.time_years, p.on_hand_p95))
        .collect();
    band.extend(points.iter().rev().map(|p| (p.time_years, p.on_hand_p05)));
    chart.draw_series(std::iter::once(Polygon::new(
        band,
        color.mix(0.25).filled(),
    )))?;
    chart.draw_series(LineSeries::new(
        points.iter().map(|p| (p.time_years, p.on_hand_mean)),
        style.line(color, 2.5),
    ))?;
    Ok(())
}

/// Per interval between consecutive `points`: from, to, re-manufactured and bought-back
/// units arriving per year (mean per path); arrivals at t = 0 itself (immediate buy-backs)
/// count into the first interval.
fn arrival_bars(points: &[&TimeSeriesPoint]) -> Vec<(f64, f64, f64, f64)> {
    let mut bars = Vec::new();
    for pair in points.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        let years = b.time_years - a.time_years;
        if years <= 0.0 {
            continue;
        }
        let reman = (b.remanufactured_mean - a.remanufactured_mean) / years;
        let back = (b.bought_back_mean - a.bought_back_mean) / years;
        bars.push((a.time_years, b.time_years, reman.max(0.0), back.max(0.0)));
    }
    if let (Some(first), Some(bar)) = (points.first(), bars.first_mut()) {
        let years = bar.1 - bar.0;
        bar.2 += first.remanufactured_mean / years;
        bar.3 += first.bought_back_mean / years;
    }
    bars
}

/// Units arriving per year in `lower`: re-manufactured units, with bought-back units stacked
/// on them.
fn arrivals<DB: DrawingBackend>(
    lower: &DrawingArea<DB, Shift>,
    points: &[&TimeSeriesPoint],
    horizon: f64,
    style: &Style,
) -> DrawResult<DB> {
    let bars = arrival_bars(points);
    let (_, bar_top) = padded_range(bars.iter().map(|b| b.2 + b.3), 0.15, true);
    let mut lower_chart = ChartBuilder::on(lower)
        .margin_left(style.px(8.0))
        .margin_right(style.px(20.0))
        .x_label_area_size(style.px(44.0))
        .y_label_area_size(style.px(66.0))
        .build_cartesian_2d(0f64..horizon, 0f64..bar_top.max(1.0))?;
    lower_chart
        .configure_mesh()
        .x_desc("years")
        .y_desc("units in / year")
        .label_style(style.text(12.0, SOFT_INK))
        .axis_desc_style(style.text(12.0, INK))
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_labels(8)
        .y_labels(3)
        .x_label_formatter(&|v| number_tick(*v))
        .y_label_formatter(&|v| number_tick(*v))
        .draw()?;
    lower_chart.draw_series(
        bars.iter()
            .filter(|b| b.2 > 0.0)
            .map(|b| Rectangle::new([(b.0, 0.0), (b.1, b.2)], remanufactured_color().filled())),
    )?;
    lower_chart.draw_series(
        bars.iter()
            .filter(|b| b.3 > 0.0)
            .map(|b| Rectangle::new([(b.0, b.2), (b.1, b.2 + b.3)], bought_back_color().filled())),
    )?;
    Ok(())
}

/// The note in `note_area` (right-aligned) of the policy's mean re-manufacture runs, units
/// re-manufactured and units bought back; shorter when the long one does not fit.
fn arrivals_note<DB: DrawingBackend>(
    cell: &DrawingArea<DB, Shift>,
    note_area: &DrawingArea<DB, Shift>,
    policy: &PolicySummary,
    style: &Style,
) -> DrawResult<DB> {
    let units = &policy.units.counts;
    let (note_width, _) = note_area.dim_in_pixel();
    let note_style = style.anchored(11.5, SOFT_INK, HPos::Right, VPos::Center);
    let note = if units.remanufacture_runs == 0.0 && units.bought_back == 0.0 {
        "no re-manufacture, no buy-backs".to_string()
    } else {
        let long = format!(
            "mean per future: {} re-manufacture runs ({} units), {} units bought back",
            small_count(units.remanufacture_runs),
            small_count(units.remanufactured),
            small_count(units.bought_back)
        );
        let room = note_width as i32 - style.px(30.0);
        if cell.estimate_text_size(&long, &note_style)?.0 as i32 <= room {
            long
        } else {
            format!(
                "per future: {} runs · {} re-manufactured · {} bought back",
                small_count(units.remanufacture_runs),
                small_count(units.remanufactured),
                small_count(units.bought_back)
            )
        }
    };
    note_area.draw(&Text::new(
        note,
        (note_width as i32 - style.px(20.0), style.px(14.0)),
        note_style,
    ))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::small_count;

    #[test]
    fn small_counts_stay_short() {
        assert_eq!(small_count(0.0), "0");
        assert_eq!(small_count(0.0007), "< 0.01");
        assert_eq!(small_count(0.19), "0.19");
        assert_eq!(small_count(56.51), "56.5");
    }
}
