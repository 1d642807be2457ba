//! Service: fill rate and the chance of never running short per policy, and the share of
//! futures that have run short by each time (the distribution of the time to the first
//! stock-out).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::cost::darker;
use super::{
    Chart, DrawResult, GRID, INK, Style, Swatch, drawable, legend_strip, number_tick, percent_tick,
    policy_color, policy_entries, titled,
};
use crate::engine::RunSummary;

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &RunSummary,
    style: &Style,
) -> DrawResult<DB> {
    let subtitle = "Left: fill rate (units served from stock at once) and the chance of never running short. Right: share of futures that have run short by then.";
    let area = titled(root, Chart::Service, subtitle, style)?;
    let (width, height) = area.dim_in_pixel();
    let (panels, legend) = area.split_vertically(height as i32 - style.px(64.0));
    let (left, right) = panels.split_horizontally((width as f64 * 0.47) as i32);
    bars(&left, root, summary, style)?;
    curves(&right, summary, style)?;

    let grey = RGBColor(90, 90, 90);
    let mut entries = vec![
        (Swatch::Fill(grey.to_rgba()), "fill rate".to_string(), INK),
        (
            Swatch::Fill(grey.mix(0.3)),
            "P(no stock-out)".to_string(),
            INK,
        ),
    ];
    entries.extend(policy_entries(summary));
    legend_strip(&legend, &entries, width, style)
}

fn bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    root: &DrawingArea<DB, Shift>,
    summary: &RunSummary,
    style: &Style,
) -> DrawResult<DB> {
    let count = summary.policies.len();
    let name_style = style.text(14.0, INK);
    let mut name_width = 0;
    for p in &summary.policies {
        name_width = name_width.max(root.estimate_text_size(&drawable(&p.name), &name_style)?.0);
    }
    let mut chart = ChartBuilder::on(area)
        .margin_left(style.px(12.0))
        .margin_right(style.px(24.0))
        .margin_top(style.px(8.0))
        .x_label_area_size(style.px(52.0))
        .y_label_area_size(name_width as i32 + style.px(18.0))
        .build_cartesian_2d(0f64..1f64, -0.5f64..(count as f64 - 0.5))?;
    chart
        .configure_mesh()
        .x_desc("share (fill rate: of units; P(no stock-out): of futures)")
        .label_style(style.tick())
        .axis_desc_style(style.axis())
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .disable_y_mesh()
        .x_labels(6)
        .y_labels(0)
        .x_label_formatter(&|v| percent_tick(*v))
        .draw()?;
    for (i, p) in summary.policies.iter().enumerate() {
        let y = (count - 1 - i) as f64;
        let color = policy_color(i);
        chart.draw_series(std::iter::once(
            EmptyElement::at((0.0, y))
                + Text::new(
                    drawable(&p.name),
                    (-style.px(8.0), 0),
                    style.anchored(14.0, darker(color), HPos::Right, VPos::Center),
                ),
        ))?;
        let rows = [
            (p.fill_rate, y + 0.17, color.to_rgba()),
            (Some(p.no_stockout_probability), y - 0.17, color.mix(0.3)),
        ];
        for (value, at, fill) in rows {
            let Some(v) = value else {
                chart.draw_series(std::iter::once(
                    EmptyElement::at((0.0, at))
                        + Text::new(
                            "no demand",
                            (style.px(4.0), 0),
                            style.anchored(12.0, INK, HPos::Left, VPos::Center),
                        ),
                ))?;
                continue;
            };
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, at - 0.15), (v, at + 0.15)],
                fill.filled(),
            )))?;
            let text = format!("{:.1} %", 100.0 * v);
            let inside = v > 0.25;
            chart.draw_series(std::iter::once(
                EmptyElement::at((v, at))
                    + Text::new(
                        text,
                        (
                            if inside {
                                -style.px(5.0)
                            } else {
                                style.px(5.0)
                            },
                            0,
                        ),
                        style.anchored(
                            12.0,
                            INK,
                            if inside { HPos::Right } else { HPos::Left },
                            VPos::Center,
                        ),
                    ),
            ))?;
        }
    }
    Ok(())
}

fn curves<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    summary: &RunSummary,
    style: &Style,
) -> DrawResult<DB> {
    let horizon = summary.scenario.horizon_years;
    let mut chart = ChartBuilder::on(area)
        .margin_left(style.px(12.0))
        .margin_right(style.px(28.0))
        .margin_top(style.px(8.0))
        .x_label_area_size(style.px(52.0))
        .y_label_area_size(style.px(60.0))
        .build_cartesian_2d(0f64..horizon, 0f64..1.02f64)?;
    chart
        .configure_mesh()
        .x_desc("years: time of the first stock-out")
        .y_desc("futures run short by then")
        .label_style(style.tick())
        .axis_desc_style(style.axis())
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_labels(8)
        .y_labels(6)
        .x_label_formatter(&|v| number_tick(*v))
        .y_label_formatter(&|v| percent_tick(*v))
        .draw()?;
    for (i, p) in summary.policies.iter().enumerate() {
        chart.draw_series(LineSeries::new(
            p.stockout_by_time
                .iter()
                .map(|s| (s.time_years, s.share_of_paths)),
            style.line(policy_color(i), 2.5),
        ))?;
    }
    Ok(())
}
