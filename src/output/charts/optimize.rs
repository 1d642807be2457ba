//! The chart of `pimsim optimize` (`optimize.svg`, `optimize.png`, and inline in its
//! `report.html`): per optimised policy, two panels over the quantity — mean total cost with
//! its 95 % confidence band (top) and mean fill rate (bottom) — with the chosen quantity
//! marked by a vertical line in both and, only when a fill-rate target was asked for, the
//! target as a labelled horizontal dashed line.

use super::text::Glyphs;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::cost::darker;
use super::target_percent;
use super::{
    DrawResult, GRID, INK, PNG_SCALE, Style, Swatch, TITLE_HEIGHT, compact_money, drawable,
    encode_png, legend_strip, padded_range, policy_color, register_font, titled_by,
};
use crate::optimize::{FrontierPoint, OptimizeReport, PolicyOptimum, QuantityKind};
use crate::output::{money, percent, whole_number};

const WIDTH: u32 = 1000;
/// Height of a policy's caption line (SVG pixels).
const CAPTION: u32 = 54;
/// Heights of the cost and the fill-rate panel of a policy (SVG pixels).
const COST_PANEL: u32 = 250;
const FILL_PANEL: u32 = 190;
/// Space between two policies' blocks (SVG pixels).
const GAP: u32 = 18;
/// Height of the legend row at the bottom (SVG pixels).
const LEGEND: u32 = 44;
/// The dashed target line's colour.
const TARGET: RGBColor = RGBColor(200, 30, 30);

/// The chart's title, after the scenario's name (drawn on the files only).
const OPTIMIZE_TITLE: &str = "Mean total cost and fill rate by quantity";

/// Height of one policy's block (SVG pixels).
fn block() -> u32 {
    CAPTION + COST_PANEL + FILL_PANEL + GAP
}

/// Width and height of the chart in SVG pixels, with its title when `standalone`.
fn size(report: &OptimizeReport, standalone: bool) -> (u32, u32) {
    let title = if standalone { TITLE_HEIGHT } else { 0 };
    (
        WIDTH,
        title + report.policies.len().max(1) as u32 * block() + LEGEND,
    )
}

/// `optimize.svg`: with its title when `standalone` (the file), without it for the report,
/// which gives the title as a heading.
pub fn optimize_svg(report: &OptimizeReport, standalone: bool) -> anyhow::Result<String> {
    register_font();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size(report, standalone)).into_drawing_area();
        let style = Style {
            scale: 1.0,
            standalone,
        };
        draw(&root, report, &style).map_err(|e| anyhow::anyhow!("drawing optimize.svg: {e}"))?;
    }
    Ok(text)
}

/// `optimize.png`, [`PNG_SCALE`] times the SVG file's size.
pub fn optimize_png(report: &OptimizeReport) -> anyhow::Result<Vec<u8>> {
    register_font();
    let (w, h) = size(report, true);
    let (w, h) = (
        (w as f64 * PNG_SCALE).round() as u32,
        (h as f64 * PNG_SCALE).round() as u32,
    );
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    {
        let root = Glyphs::new(BitMapBackend::with_buffer(&mut rgb, (w, h))).into_drawing_area();
        let style = Style {
            scale: PNG_SCALE,
            standalone: true,
        };
        draw(&root, report, &style).map_err(|e| anyhow::anyhow!("drawing optimize.png: {e}"))?;
    }
    encode_png(&rgb, w, h)
}

/// The subtitle: paths, seed, and what the marks mean (the target only when there is one).
fn subtitle(report: &OptimizeReport) -> String {
    let mut text = format!(
        "{} simulated futures (seed {}), every quantity on the same ones; vertical line: the chosen quantity",
        whole_number(report.paths),
        report.seed
    );
    if let Some(target) = report.recommended.fill_rate_target {
        text.push_str(&format!(
            "; dashed: the fill-rate target, {}",
            target_percent(target)
        ));
    }
    text
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    report: &OptimizeReport,
    style: &Style,
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let area = titled_by(
        root,
        &format!("{}: {}", report.scenario, OPTIMIZE_TITLE.to_lowercase()),
        &subtitle(report),
        style,
    )?;
    let (width, height) = area.dim_in_pixel();
    let (body, legend) = area.split_vertically(height as i32 - style.px(LEGEND as f64));
    let currency = drawable(report.scenario_as_run.report.currency_label());
    let mut rest = body;
    for (k, p) in report.policies.iter().enumerate() {
        let (cell, below) = rest.split_vertically(style.px(block() as f64));
        rest = below;
        let color = policy_color(report.policy_indices.get(k).copied().unwrap_or(k));
        let (caption, panels) = cell.split_vertically(style.px(CAPTION as f64));
        caption.draw(&Text::new(
            drawable(&format!("{} ({})", p.policy, p.kind.replace('_', " "))),
            (style.px(16.0), style.px(4.0)),
            style.anchored(15.0, darker(color), HPos::Left, VPos::Top),
        ))?;
        caption.draw(&Text::new(
            drawable(&caption_text(p, &currency)),
            (style.px(16.0), style.px(28.0)),
            style.anchored(13.0, INK, HPos::Left, VPos::Top),
        ))?;
        self::panels(&panels, p, color, &currency, style)?;
    }
    let grey = RGBColor(90, 90, 90);
    let mut entries = vec![
        (
            Swatch::Line(grey, 2.0),
            "mean (dots: quantities evaluated)".to_string(),
            INK,
        ),
        (
            Swatch::Fill(grey.mix(0.3)),
            "95 % CI of the mean cost".to_string(),
            INK,
        ),
        (Swatch::Line(INK, 1.5), "chosen quantity".to_string(), INK),
    ];
    // The target's entry only when one was asked for.
    if let Some(target) = report.recommended.fill_rate_target {
        entries.push((
            Swatch::Line(TARGET, 1.5),
            format!("fill-rate target, {}", target_percent(target)),
            INK,
        ));
    }
    legend_strip(&legend, &entries, width, style)
}

/// "R" or "last-time buy".
fn quantity_symbol(p: &PolicyOptimum) -> &'static str {
    match p.quantity_kind {
        QuantityKind::RetainedLevel => "R",
        QuantityKind::LastTimeBuy => "last-time buy",
    }
}

/// The second line of a policy's caption: its optimum with the 95 % interval and the fill
/// rate (the first line is its name, which may be long).
fn caption_text(p: &PolicyOptimum, currency: &str) -> String {
    let b = &p.best;
    let mut text = format!(
        "best {} = {} units · mean cost {} ± {} {currency} (95 % CI) · fill rate {}",
        quantity_symbol(p),
        whole_number(b.quantity),
        money(b.total_cost),
        money((b.ci95[1] - b.ci95[0]) / 2.0),
        percent(Some(b.fill_rate))
    );
    if !p.target_met {
        text.push_str(" (below the target)");
    }
    text
}

fn quantity_label(p: &PolicyOptimum) -> &'static str {
    match p.quantity_kind {
        QuantityKind::RetainedLevel => "retained level R (units kept at the disposition)",
        QuantityKind::LastTimeBuy => "last-time buy (units bought at t = 0)",
    }
}

/// Evaluated quantities on either side of the best that the close-up shows.
const CLOSE_UP_NEIGHBOURS: usize = 8;

/// Share of a block's width taken by the full range (the close-up has the rest).
const FULL_SHARE: f64 = 0.62;

/// The frontier points of the close-up: the best and up to [`CLOSE_UP_NEIGHBOURS`] evaluated
/// quantities on either side, as long as they lie in the densely searched stretch (a side
/// stops at a gap more than four times the best's nearest gap, and at least 3 units wide, so
/// that one coarse point does not squash the close-up).
fn close_up(p: &PolicyOptimum) -> &[FrontierPoint] {
    let f = &p.frontier;
    let at = f
        .iter()
        .position(|x| x.quantity == p.best.quantity)
        .unwrap_or(0);
    let gap = |i: usize| f[i + 1].quantity - f[i].quantity;
    let nearest = [
        at.checked_sub(1).map(gap),
        (at + 1 < f.len()).then(|| gap(at)),
    ]
    .into_iter()
    .flatten()
    .min()
    .unwrap_or(1);
    let wide = (4 * nearest).max(3);
    let mut lo = at;
    while lo > 0 && at - lo < CLOSE_UP_NEIGHBOURS && gap(lo - 1) <= wide {
        lo -= 1;
    }
    let mut hi = at;
    while hi + 1 < f.len() && hi - at < CLOSE_UP_NEIGHBOURS && gap(hi) <= wide {
        hi += 1;
    }
    &f[lo..=hi]
}

/// The quantity axis over `points`, with a margin.
fn x_range(points: &[FrontierPoint]) -> std::ops::Range<f64> {
    let lo = points.first().map_or(0, |f| f.quantity) as f64;
    let hi = points.last().map_or(1, |f| f.quantity) as f64;
    let pad = ((hi - lo) * 0.03).max(0.5);
    (lo - pad)..(hi + pad)
}

/// A quantity for an axis tick: whole numbers only (a close-up of a few units would
/// otherwise repeat them).
fn quantity_tick(v: f64) -> String {
    if (v - v.round()).abs() > 1e-6 || v < 0.0 {
        String::new()
    } else {
        whole_number(v.round() as u64)
    }
}

/// One policy's four panels: the whole range (left) and the close-up (right), cost above fill
/// rate.
fn panels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &PolicyOptimum,
    color: RGBColor,
    currency: &str,
    style: &Style,
) -> DrawResult<DB> {
    let (width, _) = area.dim_in_pixel();
    let (top, bottom) = area.split_vertically(style.px(COST_PANEL as f64));
    let split = (width as f64 * FULL_SHARE).round() as i32;
    let (top_full, top_close) = top.split_horizontally(split);
    let (bottom_full, bottom_close) = bottom.split_horizontally(split);
    let near = close_up(p);
    cost_panel(&top_full, p, &p.frontier, color, Some(currency), style)?;
    cost_panel(&top_close, p, near, color, None, style)?;
    fill_panel(
        &bottom_full,
        p,
        &p.frontier,
        color,
        quantity_label(p),
        true,
        style,
    )?;
    fill_panel(
        &bottom_close,
        p,
        near,
        color,
        "close-up around the best (units)",
        false,
        style,
    )?;
    Ok(())
}

/// The mean cost over `points` with its 95 % band; `currency` names the axis (the full
/// range), none for the close-up, whose ticks are exact amounts.
fn cost_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &PolicyOptimum,
    points: &[FrontierPoint],
    color: RGBColor,
    currency: Option<&str>,
    style: &Style,
) -> DrawResult<DB> {
    let (lo, hi) = padded_range(
        points.iter().flat_map(|f| [f.ci95[0], f.ci95[1]]),
        0.06,
        false,
    );
    let mut chart = ChartBuilder::on(area)
        .margin_left(style.px(if currency.is_some() { 12.0 } else { 8.0 }))
        .margin_right(style.px(16.0))
        .margin_top(style.px(6.0))
        .x_label_area_size(style.px(26.0))
        .y_label_area_size(style.px(if currency.is_some() { 78.0 } else { 62.0 }))
        .build_cartesian_2d(x_range(points), lo..hi)?;
    let mut mesh = chart.configure_mesh();
    mesh.y_labels(6)
        .x_labels(if currency.is_some() { 10 } else { 6 })
        .x_label_formatter(&|v| quantity_tick(*v))
        .label_style(style.tick())
        .axis_desc_style(style.axis())
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT);
    let compact = |v: &f64| compact_money(*v);
    let exact = |v: &f64| money(*v);
    let desc;
    if let Some(currency) = currency {
        desc = drawable(&format!("mean total cost ({currency})"));
        mesh.y_desc(desc.as_str()).y_label_formatter(&compact);
    } else {
        mesh.y_label_formatter(&exact);
    }
    mesh.draw()?;
    // The 95 % band as a filled polygon between the interval's ends.
    let upper = points.iter().map(|f| (f.quantity as f64, f.ci95[1]));
    let lower = points.iter().rev().map(|f| (f.quantity as f64, f.ci95[0]));
    chart.draw_series(std::iter::once(Polygon::new(
        upper.chain(lower).collect::<Vec<_>>(),
        color.mix(0.25).filled(),
    )))?;
    chart.draw_series(LineSeries::new(
        points.iter().map(|f| (f.quantity as f64, f.total_cost)),
        style.line(color, 2.0),
    ))?;
    chart.draw_series(points.iter().map(|f| {
        Circle::new(
            (f.quantity as f64, f.total_cost),
            style.px(2.5),
            color.filled(),
        )
    }))?;
    let b = p.best.quantity as f64;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(b, lo), (b, hi)],
        style.line(INK, 1.5),
    )))?;
    Ok(())
}

/// The fill rate over `points`; the whole range (`full`) reaches up to 100 %, the close-up
/// spans its own values. The target, when there is one and it is in view, as a dashed line.
fn fill_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &PolicyOptimum,
    points: &[FrontierPoint],
    color: RGBColor,
    x_desc: &str,
    full: bool,
    style: &Style,
) -> DrawResult<DB> {
    let values = points.iter().map(|f| f.fill_rate);
    let (lo, hi) = if full {
        let lowest = values.chain(p.fill_rate_target).fold(1.0_f64, f64::min);
        // A tenth of the span below the lowest value, so that a fill rate near 100 %
        // everywhere still shows its rise.
        ((lowest - (0.1 * (1.0 - lowest)).max(0.002)).max(0.0), 1.0)
    } else {
        let (lo, hi) = padded_range(values.chain(p.fill_rate_target), 0.08, false);
        let (lo, hi) = (lo.max(0.0), hi.min(1.0));
        if hi - lo < 0.002 {
            ((hi - 0.002).max(0.0), (lo + 0.002).min(1.0))
        } else {
            (lo, hi)
        }
    };
    let mut chart = ChartBuilder::on(area)
        .margin_left(style.px(if full { 12.0 } else { 8.0 }))
        .margin_right(style.px(16.0))
        .margin_top(style.px(8.0))
        .x_label_area_size(style.px(50.0))
        .y_label_area_size(style.px(if full { 78.0 } else { 62.0 }))
        .build_cartesian_2d(x_range(points), lo..hi)?;
    let span = hi - lo;
    let decimals = if span < 0.005 { 2 } else { 1 };
    let percent_tick = |v: &f64| format!("{:.*} %", decimals, v * 100.0);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(x_desc)
        .y_labels(5)
        .y_label_formatter(&percent_tick)
        .x_labels(if full { 10 } else { 6 })
        .x_label_formatter(&|v| quantity_tick(*v))
        .label_style(style.tick())
        .axis_desc_style(style.axis())
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT);
    if full {
        mesh.y_desc("fill rate");
    }
    mesh.draw()?;
    chart.draw_series(LineSeries::new(
        points.iter().map(|f| (f.quantity as f64, f.fill_rate)),
        style.line(color, 2.0),
    ))?;
    chart.draw_series(points.iter().map(|f| {
        Circle::new(
            (f.quantity as f64, f.fill_rate),
            style.px(2.5),
            color.filled(),
        )
    }))?;
    let r = x_range(points);
    if let Some(target) = p.fill_rate_target.filter(|t| (lo..=hi).contains(t)) {
        // Dashes of about 6 SVG pixels over the panel's plotting width.
        let (plot_width, _) = chart.plotting_area().dim_in_pixel();
        let dash = (r.end - r.start) * style.px(6.0) as f64 / plot_width.max(1) as f64;
        let mut x = r.start;
        let mut segments = Vec::new();
        while x < r.end {
            segments.push(PathElement::new(
                vec![(x, target), ((x + dash).min(r.end), target)],
                style.line(TARGET, 1.5),
            ));
            x += 2.0 * dash;
        }
        chart.draw_series(segments)?;
        chart.draw_series(std::iter::once(Text::new(
            format!("target {}", target_percent(target)),
            // Fill rates rise with the quantity: the upper left is free.
            (r.start + 0.01 * (r.end - r.start), target),
            style.anchored(12.0, TARGET, HPos::Left, VPos::Bottom),
        )))?;
    }
    let b = p.best.quantity as f64;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(b, lo), (b, hi)],
        style.line(INK, 1.5),
    )))?;
    Ok(())
}
