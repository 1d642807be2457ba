//! Demand over the lifecycle: the expected demand rate, the simulated annual units (median and
//! P5–P95 over all paths) and a few single paths, so that decay and intermittency show.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{
    Chart, DEMAND_BAND, DEMAND_EXPECTED, DEMAND_MEDIAN, DEMAND_SAMPLE, DrawResult, Drawn, GRID,
    INK, Plot, SOFT_INK, Style, Swatch, legend_row, number_tick, padded_range, titled,
};
use crate::engine::{DemandSummary, RunSummary};
use crate::output::money;

/// Fill of the P5–P95 band (the colours are the demand statistics' of the colour rule).
const BAND: RGBColor = DEMAND_BAND;
/// Median line.
const MEDIAN: RGBColor = DEMAND_MEDIAN;
/// Single paths.
const SAMPLE: RGBColor = DEMAND_SAMPLE;
/// Expected rate.
const EXPECTED: RGBColor = DEMAND_EXPECTED;

/// Points of a step function: `values[y]` on [y, min(y + 1, horizon)).
fn steps(values: impl Iterator<Item = f64>, horizon: f64) -> Vec<(f64, f64)> {
    let mut points = Vec::new();
    for (y, v) in values.enumerate() {
        let (a, b) = (y as f64, ((y + 1) as f64).min(horizon));
        points.push((a, v));
        points.push((b, v));
    }
    points
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &RunSummary,
    style: &Style,
) -> DrawResult<DB> {
    let demand = &summary.demand;
    let horizon = summary.scenario.horizon_years;
    let subtitle = format!(
        "Units demanded per year over {} simulated futures, against the expected rate of the demand model",
        money(summary.paths as f64)
    );
    let area = titled(root, Chart::Demand, &subtitle, style)?;
    let (_, height) = area.dim_in_pixel();
    let (plot, legend) = area.split_vertically(height as i32 - style.px(50.0));
    let mut chart = axes(&plot, demand, horizon, style)?;
    curves(&mut chart, demand, horizon, style)?;
    totals(&mut chart, demand, horizon, style)?;

    let entries = [
        (
            Swatch::Fill(BAND.mix(0.55)),
            "90 % of futures (P5–P95)".to_string(),
            INK,
        ),
        (Swatch::Line(MEDIAN, 2.5), "median (P50)".to_string(), INK),
        (
            Swatch::Line(SAMPLE, 1.5),
            format!("{} single futures", demand.sample_paths.len()),
            INK,
        ),
        (
            Swatch::Line(EXPECTED, 2.5),
            "expected rate (units per year)".to_string(),
            INK,
        ),
    ];
    let (width, _) = legend.dim_in_pixel();
    legend_row(
        &legend,
        &entries,
        (style.px(86.0), style.px(20.0)),
        width as i32 - style.px(16.0),
        style,
    )?;
    Ok(())
}

/// The axes: years across, units per year up to above every P95, sample path and expected
/// rate.
fn axes<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    demand: &DemandSummary,
    horizon: f64,
    style: &Style,
) -> Drawn<DB, Plot<'a, DB>> {
    let (_, top) = padded_range(
        demand
            .annual
            .iter()
            .map(|a| a.p95)
            .chain(
                demand
                    .sample_paths
                    .iter()
                    .flat_map(|p| p.annual_units.iter().map(|&u| u as f64)),
            )
            .chain(
                demand
                    .expected_rate
                    .iter()
                    .map(|r| r.expected_units_per_year),
            ),
        0.08,
        true,
    );
    let mut chart = ChartBuilder::on(plot)
        .margin_left(style.px(12.0))
        .margin_right(style.px(28.0))
        .margin_top(style.px(8.0))
        .x_label_area_size(style.px(56.0))
        .y_label_area_size(style.px(74.0))
        .build_cartesian_2d(0f64..horizon, 0f64..top)?;
    chart
        .configure_mesh()
        .x_desc("years after t = 0 (the decision, normally the end of production)")
        .y_desc("units demanded per year")
        .label_style(style.tick())
        .axis_desc_style(style.axis())
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_labels(12)
        .y_labels(8)
        .x_label_formatter(&|v| number_tick(*v))
        .y_label_formatter(&|v| number_tick(*v))
        .draw()?;
    Ok(chart)
}

/// The P5–P95 band, the sample paths, the median and the expected rate.
fn curves<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    demand: &DemandSummary,
    horizon: f64,
    style: &Style,
) -> DrawResult<DB> {
    let upper = steps(demand.annual.iter().map(|a| a.p95), horizon);
    let mut band = upper.clone();
    band.extend(
        steps(demand.annual.iter().map(|a| a.p05), horizon)
            .into_iter()
            .rev(),
    );
    chart.draw_series(std::iter::once(Polygon::new(band, BAND.mix(0.55).filled())))?;
    // Single futures as points at mid-year joined by thin lines: steps would hide each other.
    for path in &demand.sample_paths {
        let points = path.annual_units.iter().enumerate().map(|(y, &u)| {
            let (a, b) = (y as f64, ((y + 1) as f64).min(horizon));
            ((a + b) / 2.0, u as f64)
        });
        chart.draw_series(
            LineSeries::new(points, style.line(SAMPLE, 1.0).filled()).point_size(style.upx(2.2)),
        )?;
    }
    chart.draw_series(LineSeries::new(
        steps(demand.annual.iter().map(|a| a.p50), horizon),
        style.line(MEDIAN, 2.5),
    ))?;
    chart.draw_series(LineSeries::new(
        demand
            .expected_rate
            .iter()
            .map(|r| (r.time_years, r.expected_units_per_year)),
        style.line(EXPECTED, 2.5),
    ))?;
    Ok(())
}

/// The totals over the horizon, expected and simulated, top right inside the plot.
fn totals<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    demand: &DemandSummary,
    horizon: f64,
    style: &Style,
) -> DrawResult<DB> {
    let top = chart.y_range().end;
    let note = format!(
        "over {} years: {} units expected, {} simulated on average",
        number_tick(horizon),
        number_tick((demand.expected_units * 10.0).round() / 10.0),
        number_tick((demand.mean_units * 10.0).round() / 10.0),
    );
    chart.draw_series(std::iter::once(
        EmptyElement::at((horizon, top))
            + Text::new(
                note,
                (-style.px(8.0), style.px(8.0)),
                style.anchored(13.0, SOFT_INK, HPos::Right, VPos::Top),
            ),
    ))?;
    Ok(())
}
