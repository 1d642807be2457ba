//! The portfolio report's Pareto chart: value at stake per part (the mean saving of its
//! recommended policy against the baseline), largest first, coloured by the recommended
//! policy, with the cumulative share of the portfolio's total saving as a line.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::text::Glyphs;
use super::{
    DrawResult, GRID, INK, PNG_SCALE, Style, Swatch, TITLE_HEIGHT, compact_money, drawable,
    encode_png, legend_row, percent_tick, policy_color, register_font, titled_by,
};

/// Most bars drawn one by one; longer lists are drawn as the envelope of buckets.
const MAX_BARS: usize = 400;

/// The data of the Pareto chart.
#[derive(Debug, Clone)]
pub struct Pareto {
    /// Per part, largest first: (value at stake, index of the recommended policy).
    pub bars: Vec<(f64, usize)>,
    /// The policies' names (their colours).
    pub policies: Vec<String>,
    /// The currency label.
    pub currency: String,
}

/// Fill of the envelope of a long parts list: neutral, as it stands for no one policy (the
/// colour rule of the charts).
const ENVELOPE: RGBColor = super::DEMAND_SAMPLE;

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 520;
const TITLE: &str = "Value at stake by part (Pareto)";

impl Pareto {
    fn subtitle(&self) -> String {
        "Mean saving of each part's recommended policy against the baseline, largest first; \
         the line is the cumulative share of the total saving."
            .into()
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let area = titled_by(root, TITLE, &self.subtitle(), style)?;
        draw_pareto(&area, self, style)?;
        root.present()
    }

    /// The chart as SVG; `standalone` draws the title (the file), else the page gives it.
    pub fn svg(&self, standalone: bool) -> anyhow::Result<String> {
        register_font();
        let h = HEIGHT + if standalone { TITLE_HEIGHT } else { 0 };
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, (WIDTH, h)).into_drawing_area();
            let style = Style {
                scale: 1.0,
                standalone,
            };
            self.draw(&root, &style)
                .map_err(|e| anyhow::anyhow!("drawing the Pareto chart: {e}"))?;
        }
        Ok(text)
    }

    /// The chart as PNG, [`PNG_SCALE`] times the SVG's size.
    pub fn png(&self) -> anyhow::Result<Vec<u8>> {
        register_font();
        let (w, h) = (
            (WIDTH as f64 * PNG_SCALE).round() as u32,
            ((HEIGHT + TITLE_HEIGHT) as f64 * PNG_SCALE).round() as u32,
        );
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        {
            let root =
                Glyphs::new(BitMapBackend::with_buffer(&mut rgb, (w, h))).into_drawing_area();
            let style = Style {
                scale: PNG_SCALE,
                standalone: true,
            };
            self.draw(&root, &style)
                .map_err(|e| anyhow::anyhow!("drawing the Pareto chart: {e}"))?;
        }
        encode_png(&rgb, w, h)
    }
}

fn draw_pareto<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    p: &Pareto,
    style: &Style,
) -> DrawResult<DB> {
    let (width, height) = area.dim_in_pixel();
    let (plot, legend) = area.split_vertically(height as i32 - style.px(48.0));
    let n = p.bars.len().max(1);
    let (lo, hi) = p
        .bars
        .iter()
        .fold((0.0f64, 0.0f64), |(a, b), (v, _)| (a.min(*v), b.max(*v)));
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let pad = 0.05 * (hi - lo);
    let total: f64 = p.bars.iter().map(|b| b.0).sum();
    // The right axis: tick, its widest label ("100 %"), a gap and the rotated title, measured
    // in the chart's font so the title never runs over the labels.
    let (label_width, _) = area.estimate_text_size("100 %", &style.tick())?;
    let (_, title_height) = area.estimate_text_size("cumulative share", &style.axis())?;
    let right_area = label_width as i32 + title_height as i32 + style.px(30.0);
    let mut chart = ChartBuilder::on(&plot)
        .margin_left(style.px(12.0))
        .margin_right(style.px(12.0))
        .margin_top(style.px(10.0))
        .x_label_area_size(style.px(52.0))
        .y_label_area_size(style.px(76.0))
        .right_y_label_area_size(right_area)
        .build_cartesian_2d(
            0.0..n as f64,
            (lo - if lo < 0.0 { pad } else { 0.0 })..(hi + pad),
        )?
        .set_secondary_coord(0.0..n as f64, 0.0..1.05);
    chart
        .configure_mesh()
        .x_desc("parts, by value at stake (rank)")
        .y_desc(drawable(&format!("saving vs baseline ({})", p.currency)))
        .label_style(style.tick())
        .axis_desc_style(style.axis())
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .disable_x_mesh()
        .x_labels(10)
        .x_label_formatter(&|v| format!("{:.0}", v))
        .y_labels(7)
        .y_label_formatter(&|v| compact_money(*v))
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_desc("cumulative share of the total saving")
        .label_style(style.tick())
        .axis_desc_style(style.axis())
        .y_labels(6)
        .y_label_formatter(&|v| percent_tick(*v))
        .draw()?;
    if p.bars.len() <= MAX_BARS {
        chart.draw_series(p.bars.iter().enumerate().map(|(i, (v, best))| {
            let x = i as f64;
            Rectangle::new(
                [(x + 0.1, 0.0), (x + 0.9, *v)],
                policy_color(*best).filled(),
            )
        }))?;
    } else {
        // Too many parts for one bar each: the sorted values as a filled envelope.
        let step = p.bars.len().div_ceil(MAX_BARS);
        let mut points = vec![(0.0, 0.0)];
        for (k, chunk) in p.bars.chunks(step).enumerate() {
            let v = chunk[0].0;
            points.push(((k * step) as f64, v));
            points.push((((k * step) + chunk.len()) as f64, v));
        }
        points.push((n as f64, 0.0));
        chart.draw_series(std::iter::once(Polygon::new(points, ENVELOPE.filled())))?;
    }
    if total > 0.0 {
        let mut cum = 0.0;
        let step = p.bars.len().div_ceil(MAX_BARS).max(1);
        let mut line = vec![(0.0, 0.0)];
        for (i, (v, _)) in p.bars.iter().enumerate() {
            cum += v;
            if (i + 1) % step == 0 || i + 1 == p.bars.len() {
                line.push(((i + 1) as f64, cum / total));
            }
        }
        chart.draw_secondary_series(LineSeries::new(line, style.line(INK, 2.0)))?;
    }
    let mut entries: Vec<(Swatch, String, RGBColor)> = if p.bars.len() <= MAX_BARS {
        p.policies
            .iter()
            .enumerate()
            .map(|(i, name)| {
                (
                    Swatch::Fill(policy_color(i).to_rgba()),
                    format!("recommended: {name}"),
                    INK,
                )
            })
            .collect()
    } else {
        vec![(
            Swatch::Fill(ENVELOPE.to_rgba()),
            "value at stake per part".into(),
            INK,
        )]
    };
    entries.push((Swatch::Line(INK, 2.0), "cumulative share".into(), INK));
    legend_row(
        &legend,
        &entries,
        (style.px(24.0), style.px(20.0)),
        width as i32 - style.px(16.0),
        style,
    )?;
    Ok(())
}
