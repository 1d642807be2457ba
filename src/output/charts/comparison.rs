//! The paired comparison: each policy's cost minus the baseline's on the same path, as the
//! spread over paths (P5–P95, P25–P75) and the mean difference with its 95 % confidence
//! interval, with the share of paths on which the policy is cheaper.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::cost::darker;
use super::{
    Chart, DrawResult, Drawn, GRID, INK, Plot, SOFT_INK, Style, Swatch, compact_money, currency,
    draw_diamond, drawable, legend_strip, padded_range, policy_color, titled,
};
use crate::engine::{Comparison, PolicySummary, RunSummary};
use crate::output::{money, signed_money};

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &RunSummary,
    style: &Style,
) -> DrawResult<DB> {
    let baseline = summary
        .policies
        .first()
        .map_or(String::new(), |p| p.name.clone());
    let subtitle = format!(
        "Each policy's cost minus the cost of the baseline, {baseline}, on the same simulated future (left of zero: cheaper)"
    );
    let area = titled(root, Chart::Comparison, &subtitle, style)?;
    let rows: Vec<Row<'_>> = summary
        .policies
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.comparison.as_ref().map(|c| (i, p, c)))
        .collect();
    if rows.is_empty() {
        area.draw(&Text::new(
            "Only one policy: there is nothing to compare it with.".to_string(),
            (style.px(24.0), style.px(24.0)),
            style.anchored(15.0, INK, HPos::Left, VPos::Top),
        ))?;
        return Ok(());
    }
    let count = rows.len();
    let (width, height) = area.dim_in_pixel();
    let (plot, legend) = area.split_vertically(height as i32 - style.px(44.0));
    let mut chart = axes(root, &plot, &rows, summary, style)?;
    zero_line(&mut chart, count, &baseline, style)?;
    for (row, &(i, policy, c)) in rows.iter().enumerate() {
        let y = (count - 1 - row) as f64 - 0.1;
        policy_row(root, &mut chart, y, (i, &policy.name), c, style)?;
    }
    let grey = RGBColor(90, 90, 90);
    let entries = [
        (
            Swatch::Line(grey, 1.5),
            "90 % of futures (P5–P95)".to_string(),
            INK,
        ),
        (
            Swatch::Fill(grey.mix(0.45)),
            "middle half (P25–P75)".to_string(),
            INK,
        ),
        (
            Swatch::Diamond(grey),
            "mean difference, black bar: its 95 % CI".to_string(),
            INK,
        ),
    ];
    legend_strip(&legend, &entries, width, style)
}

/// A policy compared with the baseline: its position, its summary and the comparison.
type Row<'s> = (usize, &'s PolicySummary, &'s Comparison);

/// The axes: cost differences across (every spread and interval, zero, a margin on both
/// sides), one row per compared policy, room on the left for the longest name.
fn axes<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: &'a DrawingArea<DB, Shift>,
    rows: &[Row<'_>],
    summary: &RunSummary,
    style: &Style,
) -> Drawn<DB, Plot<'a, DB>> {
    let count = rows.len();
    let (lo, hi) = padded_range(
        rows.iter().flat_map(|(_, _, c)| {
            [
                c.per_path_difference.p05,
                c.per_path_difference.p95,
                c.ci95[0],
                c.ci95[1],
            ]
        }),
        0.0,
        true,
    );
    // Zero is often at an end: keep a margin on both sides for its label.
    let margin = 0.1 * (hi - lo).max(f64::MIN_POSITIVE);
    let (x0, x1) = (lo - margin, hi + margin);
    let name_style = style.text(14.0, INK);
    let mut name_width = 0;
    for (_, p, _) in rows {
        name_width = name_width.max(root.estimate_text_size(&drawable(&p.name), &name_style)?.0);
    }
    let mut chart = ChartBuilder::on(plot)
        .margin_left(style.px(12.0))
        .margin_right(style.px(28.0))
        .margin_top(style.px(22.0))
        .x_label_area_size(style.px(52.0))
        .y_label_area_size(name_width as i32 + style.px(18.0))
        .build_cartesian_2d(x0..x1, -0.6f64..(count as f64 - 0.4))?;
    chart
        .configure_mesh()
        .x_desc(format!(
            "cost minus the baseline's cost on the same future ({})",
            currency(summary)
        ))
        .label_style(style.tick())
        .axis_desc_style(style.axis())
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .disable_y_mesh()
        .x_labels(10)
        .y_labels(0)
        .x_label_formatter(&|v| compact_money(*v))
        .draw()?;
    Ok(chart)
}

/// The line of no difference, labelled with the baseline's name at its top.
fn zero_line<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    count: usize,
    baseline: &str,
    style: &Style,
) -> DrawResult<DB> {
    let y_top = count as f64 - 0.4;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.6), (0.0, y_top)],
        style.line(INK, 1.5),
    )))?;
    chart.draw_series(std::iter::once(
        EmptyElement::at((0.0, y_top))
            + Text::new(
                drawable(&format!("same cost as {baseline}")),
                (0, -style.px(4.0)),
                style.anchored(12.0, SOFT_INK, HPos::Center, VPos::Bottom),
            ),
    ))?;
    Ok(())
}

/// One policy's row at height `y`: its name (policy at position `i` called `name`), the
/// spread of the per-path difference (P5–P95 with end caps, P25–P75 as a box), the mean with
/// its 95 % confidence interval, and the figures in words.
fn policy_row<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Plot<'_, DB>,
    y: f64,
    (i, name): (usize, &str),
    c: &Comparison,
    style: &Style,
) -> DrawResult<DB> {
    let x0 = chart.x_range().start;
    let q = &c.per_path_difference;
    let color = policy_color(i);
    chart.draw_series(std::iter::once(
        EmptyElement::at((x0, y))
            + Text::new(
                drawable(name),
                (-style.px(8.0), 0),
                style.anchored(14.0, darker(color), HPos::Right, VPos::Center),
            ),
    ))?;
    // P5–P95 with end caps, then P25–P75.
    let cap = 0.12;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(q.p05, y), (q.p95, y)],
        style.line(darker(color), 1.5),
    )))?;
    for x in [q.p05, q.p95] {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(x, y - cap), (x, y + cap)],
            style.line(darker(color), 1.5),
        )))?;
    }
    chart.draw_series(std::iter::once(Rectangle::new(
        [(q.p25, y - 0.14), (q.p75, y + 0.14)],
        color.mix(0.45).filled(),
    )))?;
    // The mean with its 95 % confidence interval.
    for seg in [
        vec![(c.ci95[0], y), (c.ci95[1], y)],
        vec![(c.ci95[0], y - 0.2), (c.ci95[0], y + 0.2)],
        vec![(c.ci95[1], y - 0.2), (c.ci95[1], y + 0.2)],
    ] {
        chart.draw_series(std::iter::once(PathElement::new(seg, style.line(INK, 1.5))))?;
    }
    let (px, py) = chart.backend_coord(&(c.mean_difference, y));
    draw_diamond(root, (px, py), style.px(7.0), color, style)?;
    let half = (c.ci95[1] - c.ci95[0]) / 2.0;
    let text = format!(
        "mean {} ± {} (95 % CI) · cheaper on {:.1} % of futures",
        signed_money(c.mean_difference),
        money(half),
        100.0 * c.probability_cheaper
    );
    chart.draw_series(std::iter::once(
        EmptyElement::at((x0, y + 0.22))
            + Text::new(
                text,
                (style.px(6.0), 0),
                style.anchored(12.5, INK, HPos::Left, VPos::Bottom),
            ),
    ))?;
    Ok(())
}
