//! Total discounted cost: its distribution per policy (histograms on shared bins, mean and
//! P95 marked) and its mean breakdown into cost lines (stacked bars, income below zero).

use crate::inventory::CostLines;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::{
    COST_LINE_LABELS, Chart, DrawResult, Drawn, GRID, INK, Plot, SOFT_INK, Style, Swatch,
    compact_money, cost_line_color, currency, draw_diamond, drawable, legend_row, padded_range,
    percent_tick, policy_color, titled,
};
use crate::engine::{CostDistribution, PolicySummary, RunSummary};
use crate::output::{money, whole_number};

/// A darker shade of `c` for text in a policy's colour.
pub(super) fn darker(c: RGBColor) -> RGBColor {
    RGBColor(
        (c.0 as f64 * 0.72) as u8,
        (c.1 as f64 * 0.72) as u8,
        (c.2 as f64 * 0.72) as u8,
    )
}

pub(super) fn draw_distribution<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &RunSummary,
    style: &Style,
) -> DrawResult<DB> {
    let sampled = summary
        .policies
        .first()
        .map_or(0, |p| p.cost_distribution.paths);
    let subtitle = format!(
        "Share of {} simulated futures per cost band; solid line: mean, dashed: P95 (exceeded in 5 % of futures)",
        whole_number(sampled)
    );
    let area = titled(root, Chart::CostDistribution, &subtitle, style)?;
    let Some(first) = summary.policies.first() else {
        return Ok(());
    };
    let edges = &first.cost_distribution.histogram.bin_edges;
    let (first_edge, last_edge) = (edges[0], edges[edges.len() - 1]);
    // Room on the right for the labels of the costliest policy.
    let span = last_edge - first_edge;
    let bins = Bins {
        edges,
        x: (first_edge - 0.02 * span, last_edge + 0.12 * span),
    };
    let count = summary.policies.len();
    let (_, height) = area.dim_in_pixel();
    let axis = style.px(58.0);
    let row = (height as i32 - axis) / count as i32;
    let money_unit = currency(summary);
    let mut rest = area;
    for (i, policy) in summary.policies.iter().enumerate() {
        let last = i + 1 == count;
        let (cell, below) = if last {
            let (_, h) = rest.dim_in_pixel();
            rest.split_vertically(h as i32)
        } else {
            rest.split_vertically(row)
        };
        rest = below;
        // Only the last row has the money axis.
        let axis = last.then_some((axis, money_unit.as_str()));
        histogram(&cell, (i, policy), &bins, axis, style)?;
    }
    Ok(())
}

/// The shared bins of the cost histograms and the range of their x axis.
struct Bins<'e> {
    /// The bin edges (one more than bins).
    edges: &'e [f64],
    /// The x axis, from and to.
    x: (f64, f64),
}

/// One policy's histogram row in `cell`: its name, the shares of futures per bin, the mean
/// and P95 marked, and a note on the futures beyond the last bin. `axis`: the height of the
/// money axis and the currency, for the row that shows it.
fn histogram<DB: DrawingBackend>(
    cell: &DrawingArea<DB, Shift>,
    (i, policy): (usize, &PolicySummary),
    bins: &Bins<'_>,
    axis: Option<(i32, &str)>,
    style: &Style,
) -> DrawResult<DB> {
    let dist = &policy.cost_distribution;
    let n = dist.paths.max(1) as f64;
    let shares: Vec<f64> = dist
        .histogram
        .counts
        .iter()
        .map(|&c| c as f64 / n)
        .collect();
    let (_, top) = padded_range(shares.iter().copied(), 0.25, true);
    let color = policy_color(i);
    cell.draw(&Text::new(
        drawable(&policy.name),
        (style.px(16.0), style.px(4.0)),
        style.anchored(14.0, darker(color), HPos::Left, VPos::Top),
    ))?;
    let (_, body) = cell.split_vertically(style.px(20.0));
    let mut chart = histogram_axes(&body, bins.x, top, axis, style)?;
    chart.draw_series(
        bins.edges
            .windows(2)
            .zip(&shares)
            .filter(|(_, s)| **s > 0.0)
            .map(|(e, s)| Rectangle::new([(e[0], 0.0), (e[1], *s)], color.mix(0.85).filled())),
    )?;
    mean_and_p95(
        cell,
        &mut chart,
        (policy.total_cost.mean, policy.total_cost.p95),
        top,
        style,
    )?;
    if dist.histogram.above > 0 {
        let last_edge = bins.edges[bins.edges.len() - 1];
        off_the_chart(&mut chart, dist, (bins.x.1, top), last_edge, style)?;
    }
    Ok(())
}

/// The axes of a histogram row: shares of futures up to `top`; the money axis with its
/// description only where `axis` gives its height and currency.
fn histogram_axes<'a, DB: DrawingBackend>(
    body: &'a DrawingArea<DB, Shift>,
    (x0, x1): (f64, f64),
    top: f64,
    axis: Option<(i32, &str)>,
    style: &Style,
) -> Drawn<DB, Plot<'a, DB>> {
    let mut chart = ChartBuilder::on(body)
        .margin_left(style.px(12.0))
        .margin_right(style.px(28.0))
        .margin_bottom(style.px(6.0))
        .x_label_area_size(axis.map_or(0, |(height, _)| height))
        .y_label_area_size(style.px(66.0))
        .build_cartesian_2d(x0..x1, 0f64..top)?;
    let mut mesh = chart.configure_mesh();
    mesh.label_style(style.tick())
        .axis_desc_style(style.axis())
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .y_labels(3)
        .y_label_formatter(&|v| percent_tick(*v))
        .x_label_formatter(&|v| compact_money(*v));
    if let Some((_, money_unit)) = axis {
        let x_desc =
            format!("total discounted cost per future ({money_unit}, present value at t = 0)");
        mesh.x_desc(x_desc).x_labels(10);
    }
    mesh.draw()?;
    Ok(chart)
}

/// The mean (solid) and P95 (dashed) lines of a histogram up to `top`, labelled on the outer
/// sides so the labels never meet.
fn mean_and_p95<DB: DrawingBackend>(
    cell: &DrawingArea<DB, Shift>,
    chart: &mut Plot<'_, DB>,
    (mean, p95): (f64, f64),
    top: f64,
    style: &Style,
) -> DrawResult<DB> {
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(mean, 0.0), (mean, top)],
        style.line(INK, 1.8),
    )))?;
    chart.draw_series(DashedLineSeries::new(
        vec![(p95, 0.0), (p95, top)],
        style.px(6.0),
        style.px(4.0),
        style.line(INK, 1.8),
    ))?;
    let (plot_x, _) = chart.plotting_area().get_pixel_range();
    let label = style.text(12.5, INK);
    let mean_text = format!("mean {}", money(mean));
    let p95_text = format!("P95 {}", money(p95));
    let (mean_w, _) = cell.estimate_text_size(&mean_text, &label)?;
    let (p95_w, _) = cell.estimate_text_size(&p95_text, &label)?;
    let mean_px = chart.backend_coord(&(mean, 0.0)).0;
    let p95_px = chart.backend_coord(&(p95, 0.0)).0;
    let gap = style.px(5.0);
    // The mean goes left of its line, the P95 right of its line, unless they would leave
    // the plot; then both go on the same side on separate rows.
    let mean_left = mean_px - gap - mean_w as i32 >= plot_x.start;
    let p95_right = p95_px + gap + p95_w as i32 <= plot_x.end;
    let rows = [top * 0.97, top * 0.62];
    let placements = [
        (
            mean,
            mean_text,
            if mean_left { HPos::Right } else { HPos::Left },
            rows[0],
        ),
        (
            p95,
            p95_text,
            if p95_right { HPos::Left } else { HPos::Right },
            if p95_right && mean_left {
                rows[0]
            } else {
                rows[1]
            },
        ),
    ];
    for (at, text, h, y) in placements {
        let dx = if matches!(h, HPos::Right) { -gap } else { gap };
        chart.draw_series(std::iter::once(
            EmptyElement::at((at, y))
                + Text::new(text, (dx, 0), style.anchored(12.5, INK, h, VPos::Top)),
        ))?;
    }
    Ok(())
}

/// The note, at the right end (`x1`) of a histogram of height `top`, on the futures that
/// cost more than the last bin edge.
fn off_the_chart<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    dist: &CostDistribution,
    (x1, top): (f64, f64),
    last_edge: f64,
    style: &Style,
) -> DrawResult<DB> {
    let n = dist.paths.max(1) as f64;
    let above = dist.histogram.above;
    let how_many = if (above as f64) < 0.001 * n {
        format!("{} of {} futures", above, whole_number(dist.paths))
    } else {
        format!("{} of futures", percent_label(above as f64 / n))
    };
    chart.draw_series(std::iter::once(
        EmptyElement::at((x1, top * 0.3))
            + Text::new(
                format!(
                    "{how_many} above {} (off the chart)",
                    compact_money(last_edge)
                ),
                (-style.px(4.0), 0),
                style.anchored(12.0, SOFT_INK, HPos::Right, VPos::Top),
            ),
    ))?;
    Ok(())
}

/// A share as "0.8 %" (one decimal).
fn percent_label(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

/// The mean cost lines of every policy, in the order of `CostLines::NAMES`.
fn lines(summary: &RunSummary) -> Vec<[f64; CostLines::<f64>::LEN]> {
    summary
        .policies
        .iter()
        .map(|p| p.cost_breakdown.lines.values())
        .collect()
}

pub(super) fn draw_breakdown<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &RunSummary,
    style: &Style,
) -> DrawResult<DB> {
    let subtitle = "Mean per future, discounted to t = 0: costs right of zero, income (scrap, release, salvage) left of it; the black bar is the net total";
    let area = titled(root, Chart::CostBreakdown, subtitle, style)?;
    let all = lines(summary);
    let count = all.len();
    let used: Vec<usize> = (0..CostLines::<f64>::LEN)
        .filter(|&k| all.iter().any(|l| l[k] != 0.0))
        .collect();
    let (width, height) = area.dim_in_pixel();
    let (plot, legend) = area.split_vertically(height as i32 - style.px(62.0));
    let mut chart = breakdown_axes(root, &plot, &all, summary, style)?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, -0.5), (0.0, count as f64 - 0.5)],
        style.line(INK, 1.2),
    )))?;
    for (i, l) in all.iter().enumerate() {
        // The first policy at the top.
        let y = (count - 1 - i) as f64;
        let policy = &summary.policies[i];
        let x0 = chart.x_range().start;
        chart.draw_series(std::iter::once(
            EmptyElement::at((x0, y))
                + Text::new(
                    drawable(&policy.name),
                    (-style.px(8.0), 0),
                    style.anchored(14.0, darker(policy_color(i)), HPos::Right, VPos::Center),
                ),
        ))?;
        let right = stacked_lines(root, &mut chart, y, l, &used, style)?;
        net_total(root, &mut chart, y, (right, policy.total_cost.mean), style)?;
    }
    let mut entries: Vec<(Swatch, String, RGBColor)> = used
        .iter()
        .map(|&k| {
            (
                Swatch::Fill(cost_line_color(k).to_rgba()),
                COST_LINE_LABELS[k].to_string(),
                INK,
            )
        })
        .collect();
    entries.push((
        Swatch::Diamond(INK),
        "net total (costs − income)".to_string(),
        INK,
    ));
    legend_row(
        &legend,
        &entries,
        (style.px(24.0), style.px(20.0)),
        width as i32 - style.px(16.0),
        style,
    )?;
    Ok(())
}

/// The stacked bars span y − 0.1 to y + 0.34 of their row.
const BAR: (f64, f64) = (-0.1, 0.34);
/// The net total is a thin bar under them.
const NET: (f64, f64) = (-0.3, -0.18);

/// The axes of the breakdown: money across (every stack, every total, zero, room on the
/// right for the total's label), one row per policy, room on the left for the longest name.
fn breakdown_axes<'a, DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    plot: &'a DrawingArea<DB, Shift>,
    all: &[[f64; CostLines::<f64>::LEN]],
    summary: &RunSummary,
    style: &Style,
) -> Drawn<DB, Plot<'a, DB>> {
    let count = all.len();
    let positive = |l: &[f64; CostLines::<f64>::LEN]| l.iter().filter(|v| **v > 0.0).sum::<f64>();
    let negative = |l: &[f64; CostLines::<f64>::LEN]| l.iter().filter(|v| **v < 0.0).sum::<f64>();
    let (x0, x1) = padded_range(
        all.iter()
            .flat_map(|l| [positive(l), negative(l)])
            .chain(summary.policies.iter().map(|p| p.total_cost.mean)),
        0.06,
        true,
    );
    // Room on the right for the total's label.
    let x1 = x1 + 0.12 * (x1 - x0);
    let name_style = style.text(14.0, INK);
    let mut name_width = 0;
    for p in &summary.policies {
        name_width = name_width.max(root.estimate_text_size(&drawable(&p.name), &name_style)?.0);
    }
    let mut chart = ChartBuilder::on(plot)
        .margin_left(style.px(12.0))
        .margin_right(style.px(20.0))
        .margin_top(style.px(6.0))
        .x_label_area_size(style.px(52.0))
        .y_label_area_size(name_width as i32 + style.px(18.0))
        .build_cartesian_2d(x0..x1, -0.5f64..(count as f64 - 0.5))?;
    chart
        .configure_mesh()
        .x_desc(format!(
            "mean cost per future ({}, present value at t = 0)",
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

/// One policy's cost lines `l` (those of `used`) stacked in its row at `y`: costs to the right
/// of zero, income to the left, each amount inside its segment when it fits. Returns the right
/// end of the costs.
fn stacked_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Plot<'_, DB>,
    y: f64,
    l: &[f64; CostLines::<f64>::LEN],
    used: &[usize],
    style: &Style,
) -> Drawn<DB, f64> {
    let (bar_lo, bar_hi) = BAR;
    let (mut right, mut left) = (0.0, 0.0);
    for &k in used {
        let v = l[k];
        if v == 0.0 {
            continue;
        }
        let (a, b) = if v > 0.0 {
            right += v;
            (right - v, right)
        } else {
            left += v;
            (left, left - v)
        };
        chart.draw_series(std::iter::once(Rectangle::new(
            [(a, y + bar_lo), (b, y + bar_hi)],
            cost_line_color(k).filled(),
        )))?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(a, y + bar_lo), (b, y + bar_hi)],
            style.line(WHITE, 1.0),
        )))?;
        // The amount inside the segment when it fits.
        let text = compact_money(v);
        let label = style.anchored(11.5, segment_text_color(k), HPos::Center, VPos::Center);
        let (tw, _) = root.estimate_text_size(&text, &label)?;
        let (pa, pb) = (
            chart.backend_coord(&(a, y)).0,
            chart.backend_coord(&(b, y)).0,
        );
        if (pb - pa) > tw as i32 + style.px(8.0) {
            let mid = y + (bar_lo + bar_hi) / 2.0;
            chart.draw_series(std::iter::once(Text::new(
                text,
                ((a + b) / 2.0, mid),
                label,
            )))?;
        }
    }
    Ok(right)
}

/// The net `total` as a thin bar with a diamond under the stack of row `y`, and its amount
/// right of the stack (whose costs end at `right`).
fn net_total<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &mut Plot<'_, DB>,
    y: f64,
    (right, total): (f64, f64),
    style: &Style,
) -> DrawResult<DB> {
    let (bar_lo, bar_hi) = BAR;
    let (net_lo, net_hi) = NET;
    chart.draw_series(std::iter::once(Rectangle::new(
        [(0.0, y + net_lo), (total, y + net_hi)],
        INK.filled(),
    )))?;
    let (px, py) = chart.backend_coord(&(total, y + (net_lo + net_hi) / 2.0));
    draw_diamond(root, (px, py), style.px(6.0), INK, style)?;
    chart.draw_series(std::iter::once(
        EmptyElement::at((right.max(total), y + (bar_lo + bar_hi) / 2.0))
            + Text::new(
                format!("total {}", money(total)),
                (style.px(12.0), 0),
                style.anchored(13.0, INK, HPos::Left, VPos::Center),
            ),
    ))?;
    Ok(())
}

/// Text on a cost segment: white on dark fills, ink on light ones.
fn segment_text_color(k: usize) -> RGBColor {
    let c = cost_line_color(k);
    let luminance = 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
    if luminance < 140.0 { WHITE } else { INK }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn darker_keeps_the_hue() {
        assert_eq!(darker(RGBColor(100, 200, 50)), RGBColor(72, 144, 36));
    }

    #[test]
    fn dark_segments_get_white_text() {
        assert_eq!(segment_text_color(1), WHITE);
        assert_eq!(segment_text_color(2), INK);
    }
}
