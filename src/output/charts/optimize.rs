//! The chart of `pimsim optimize` (`optimize.svg`, `optimize.png`): per optimised policy, two
//! panels over the quantity — mean total cost with its 95 % band (top) and mean fill rate
//! (bottom) — with the chosen quantity marked by a vertical line in both and the fill-rate
//! target by a horizontal dashed line.

use plotters::prelude::*;

use super::{FAMILY, PNG_SCALE, compact_money, drawable, encode_png, policy_color, register_font};
use crate::engine::Z95;
use crate::optimize::{OptimizeReport, PolicyOptimum, QuantityKind};

const WIDTH: u32 = 1000;
const PANEL: u32 = 250;
const HEADER: u32 = 60;

/// Width and height of the chart in SVG pixels.
fn size(report: &OptimizeReport) -> (u32, u32) {
    (
        WIDTH,
        HEADER + report.policies.len().max(1) as u32 * (2 * PANEL + 30),
    )
}

/// `optimize.svg`.
pub fn optimize_svg(report: &OptimizeReport) -> anyhow::Result<String> {
    register_font();
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, size(report)).into_drawing_area();
        draw(&root, report, 1.0).map_err(|e| anyhow::anyhow!("drawing optimize.svg: {e}"))?;
    }
    Ok(text)
}

/// `optimize.png`, [`PNG_SCALE`] times the SVG's size.
pub fn optimize_png(report: &OptimizeReport) -> anyhow::Result<Vec<u8>> {
    register_font();
    let (w, h) = size(report);
    let (w, h) = (
        (w as f64 * PNG_SCALE).round() as u32,
        (h as f64 * PNG_SCALE).round() as u32,
    );
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(&root, report, PNG_SCALE).map_err(|e| anyhow::anyhow!("drawing optimize.png: {e}"))?;
    }
    encode_png(&rgb, w, h)
}

type Result<DB> = std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    report: &OptimizeReport,
    scale: f64,
) -> Result<DB> {
    let px = |x: f64| (x * scale).round() as i32;
    root.fill(&WHITE)?;
    let (header, body) = root.split_vertically(px(HEADER as f64));
    header.draw(&Text::new(
        drawable(&format!(
            "Optimising the stock of {}: mean total cost and fill rate by quantity",
            report.scenario
        )),
        (px(16.0), px(12.0)),
        (FAMILY, px(22.0)).into_font().color(&BLACK),
    ))?;
    header.draw(&Text::new(
        format!(
            "{} paths, seed {}; every quantity on the same paths. Vertical line: the chosen quantity; dashed: the fill-rate target.",
            report.paths, report.seed
        ),
        (px(16.0), px(38.0)),
        (FAMILY, px(13.0)).into_font().color(&RGBColor(80, 80, 80)),
    ))?;
    let rows = body.split_evenly((report.policies.len().max(1), 1));
    for (k, (row, p)) in rows.iter().zip(&report.policies).enumerate() {
        let color = policy_color(report.policy_indices.get(k).copied().unwrap_or(k));
        let (top, bottom) = row.split_vertically(px(PANEL as f64 + 15.0));
        cost_panel(&top, p, color, scale)?;
        fill_panel(&bottom, p, color, scale)?;
    }
    root.present()
}

fn quantity_label(p: &PolicyOptimum) -> &'static str {
    match p.quantity_kind {
        QuantityKind::RetainedLevel => "retained level R (units)",
        QuantityKind::LastTimeBuy => "last-time buy (units)",
    }
}

fn x_range(p: &PolicyOptimum) -> std::ops::Range<f64> {
    let lo = p.frontier.first().map_or(0, |f| f.quantity) as f64;
    let hi = p.frontier.last().map_or(1, |f| f.quantity) as f64;
    let pad = ((hi - lo) * 0.02).max(0.5);
    (lo - pad)..(hi + pad)
}

fn cost_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    p: &PolicyOptimum,
    color: RGBColor,
    scale: f64,
) -> Result<DB> {
    let px = |x: f64| (x * scale).round() as i32;
    let lo = p
        .frontier
        .iter()
        .map(|f| f.total_cost - Z95 * f.std_err)
        .fold(f64::INFINITY, f64::min);
    let hi = p
        .frontier
        .iter()
        .map(|f| f.total_cost + Z95 * f.std_err)
        .fold(f64::NEG_INFINITY, f64::max);
    let pad = ((hi - lo) * 0.05).max(1e-9 + lo.abs() * 1e-6);
    let mut chart = ChartBuilder::on(area)
        .margin(px(10.0))
        .caption(
            drawable(&format!(
                "{} ({}): best {} = {}, mean cost {:.2}",
                p.policy,
                p.kind,
                match p.quantity_kind {
                    QuantityKind::RetainedLevel => "R",
                    QuantityKind::LastTimeBuy => "last-time buy",
                },
                p.best.quantity,
                p.best.total_cost
            )),
            (FAMILY, px(16.0)),
        )
        .x_label_area_size(px(30.0))
        .y_label_area_size(px(80.0))
        .build_cartesian_2d(x_range(p), (lo - pad)..(hi + pad))?;
    chart
        .configure_mesh()
        .y_desc("mean total cost")
        .y_label_formatter(&|v| compact_money(*v))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .label_style((FAMILY, px(12.0)))
        .axis_desc_style((FAMILY, px(13.0)))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    chart.draw_series(p.frontier.iter().map(|f| {
        let x = f.quantity as f64;
        PathElement::new(
            vec![
                (x, f.total_cost - Z95 * f.std_err),
                (x, f.total_cost + Z95 * f.std_err),
            ],
            color.mix(0.35).stroke_width(px(1.0).max(1) as u32),
        )
    }))?;
    chart.draw_series(LineSeries::new(
        p.frontier.iter().map(|f| (f.quantity as f64, f.total_cost)),
        color.stroke_width(px(2.0) as u32),
    ))?;
    chart.draw_series(
        p.frontier
            .iter()
            .map(|f| Circle::new((f.quantity as f64, f.total_cost), px(2.5), color.filled())),
    )?;
    let b = p.best.quantity as f64;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(b, lo - pad), (b, hi + pad)],
        BLACK.stroke_width(px(1.5) as u32),
    )))?;
    Ok(())
}

fn fill_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    p: &PolicyOptimum,
    color: RGBColor,
    scale: f64,
) -> Result<DB> {
    let px = |x: f64| (x * scale).round() as i32;
    let lo = p
        .frontier
        .iter()
        .map(|f| f.fill_rate)
        .chain(p.fill_rate_target)
        .fold(1.0_f64, f64::min);
    let lo = (lo - 0.05).max(0.0);
    let mut chart = ChartBuilder::on(area)
        .margin(px(10.0))
        .x_label_area_size(px(36.0))
        .y_label_area_size(px(80.0))
        .build_cartesian_2d(x_range(p), lo..1.0)?;
    chart
        .configure_mesh()
        .x_desc(quantity_label(p))
        .y_desc("fill rate")
        .label_style((FAMILY, px(12.0)))
        .axis_desc_style((FAMILY, px(13.0)))
        .y_label_formatter(&|v| format!("{:.1} %", v * 100.0))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    chart.draw_series(LineSeries::new(
        p.frontier.iter().map(|f| (f.quantity as f64, f.fill_rate)),
        color.stroke_width(px(2.0) as u32),
    ))?;
    chart.draw_series(
        p.frontier
            .iter()
            .map(|f| Circle::new((f.quantity as f64, f.fill_rate), px(2.5), color.filled())),
    )?;
    let r = x_range(p);
    if let Some(target) = p.fill_rate_target {
        let dash = px(6.0) as f64 / scale;
        let span = r.end - r.start;
        let step = span * dash / (WIDTH as f64 - 120.0);
        let mut x = r.start;
        let mut segments = Vec::new();
        while x < r.end {
            segments.push(PathElement::new(
                vec![(x, target), ((x + step).min(r.end), target)],
                RGBColor(200, 30, 30).stroke_width(px(1.5) as u32),
            ));
            x += 2.0 * step;
        }
        chart.draw_series(segments)?;
    }
    let b = p.best.quantity as f64;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(b, lo), (b, 1.0)],
        BLACK.stroke_width(px(1.5) as u32),
    )))?;
    Ok(())
}
