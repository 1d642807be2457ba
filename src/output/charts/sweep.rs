//! The charts of a sweep's report: the decision map (which policy is cheapest where) and the
//! tornado (one-at-a-time sensitivity of mean total cost).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

use super::text::Glyphs;
use super::{
    DrawResult, Drawn, GRID, INK, PNG_SCALE, Plot, Style, Swatch, TITLE_HEIGHT, compact_money,
    drawable, encode_png, legend_row, policy_color, register_font, titled_by,
};

/// One cell (grid) or point (Latin hypercube) of the decision map.
#[derive(Debug, Clone)]
pub struct DecisionCell {
    /// Position on the x axis (grid: the value's index; hypercube: the value).
    pub x: f64,
    /// Position on the y axis (0 with one parameter).
    pub y: f64,
    /// Index of the cheapest policy.
    pub best: usize,
    /// Mean total cost of the runner-up minus the cheapest (currency; 0 with one policy).
    pub margin: f64,
}

/// The data of a decision map.
#[derive(Debug, Clone)]
pub struct DecisionMap {
    /// Title of the chart file.
    pub title: String,
    /// The x parameter's dotted key.
    pub x_label: String,
    /// The y parameter's dotted key (`None`: one parameter).
    pub y_label: Option<String>,
    /// Grid: one tick per listed value (index, text); empty for a hypercube (numeric axes).
    pub x_ticks: Vec<String>,
    /// Grid: y ticks.
    pub y_ticks: Vec<String>,
    /// Cells or points.
    pub cells: Vec<DecisionCell>,
    /// The policies' names, in scenario order (their colours).
    pub policies: Vec<String>,
    /// The currency label.
    pub currency: String,
}

/// One parameter of the tornado.
#[derive(Debug, Clone)]
pub struct TornadoRow {
    /// "key (low → high)".
    pub label: String,
    /// Per policy: mean total cost at the lowest and at the highest swept value.
    pub costs: Vec<(f64, f64)>,
}

/// The data of a tornado chart.
#[derive(Debug, Clone)]
pub struct Tornado {
    /// Title of the chart file.
    pub title: String,
    /// Rows, widest swing first.
    pub rows: Vec<TornadoRow>,
    /// Per policy: mean total cost of the scenario as written.
    pub base: Vec<f64>,
    /// The policies' names.
    pub policies: Vec<String>,
    /// The currency label.
    pub currency: String,
}

/// A chart of the sweep report.
#[derive(Debug, Clone)]
pub enum SweepChart {
    /// Cheapest policy per point.
    DecisionMap(DecisionMap),
    /// One-at-a-time sensitivity.
    Tornado(Tornado),
}

const WIDTH: u32 = 1000;

impl SweepChart {
    fn title(&self) -> &str {
        match self {
            SweepChart::DecisionMap(m) => &m.title,
            SweepChart::Tornado(t) => &t.title,
        }
    }

    fn height(&self) -> u32 {
        let body = match self {
            SweepChart::DecisionMap(m) => {
                if m.y_label.is_some() {
                    560
                } else {
                    260
                }
            }
            SweepChart::Tornado(t) => {
                150 + (t.rows.len() as u32) * (28 * t.policies.len() as u32 + 24)
            }
        };
        body + TITLE_HEIGHT
    }

    fn subtitle(&self) -> String {
        match self {
            SweepChart::DecisionMap(_) => "Colour: the policy with the lowest mean total cost; \
                 the paler the colour, the smaller its lead over the runner-up (the label)."
                .into(),
            SweepChart::Tornado(_) => "Mean total cost at each parameter's lowest (○) and highest \
                 (●) swept value, all other fields as written in the scenario (│)."
                .into(),
        }
    }

    fn draw<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        style: &Style,
    ) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        let area = titled_by(root, self.title(), &self.subtitle(), style)?;
        match self {
            SweepChart::DecisionMap(m) => draw_map(&area, m, style),
            SweepChart::Tornado(t) => draw_tornado(&area, t, style),
        }
    }

    /// The chart as SVG; `standalone` draws the title (the file), else the page gives it.
    pub fn svg(&self, standalone: bool) -> anyhow::Result<String> {
        register_font();
        let h = self.height() - if standalone { 0 } else { TITLE_HEIGHT };
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, (WIDTH, h)).into_drawing_area();
            let style = Style {
                scale: 1.0,
                standalone,
            };
            self.draw(&root, &style)
                .map_err(|e| anyhow::anyhow!("drawing {}: {e}", self.title()))?;
        }
        Ok(text)
    }

    /// The chart as PNG, [`PNG_SCALE`] times the SVG's size.
    pub fn png(&self) -> anyhow::Result<Vec<u8>> {
        register_font();
        let (w, h) = (
            (WIDTH as f64 * PNG_SCALE).round() as u32,
            (self.height() as f64 * PNG_SCALE).round() as u32,
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
                .map_err(|e| anyhow::anyhow!("drawing {}: {e}", self.title()))?;
        }
        encode_png(&rgb, w, h)
    }
}

/// `color` mixed with white: `strength` 1 is the colour itself, 0 white.
fn tint(color: RGBColor, strength: f64) -> RGBColor {
    let m = |c: u8| (255.0 - (255.0 - c as f64) * strength).round() as u8;
    RGBColor(m(color.0), m(color.1), m(color.2))
}

fn policy_legend(policies: &[String]) -> Vec<(Swatch, String, RGBColor)> {
    policies
        .iter()
        .enumerate()
        .map(|(i, p)| (Swatch::Fill(policy_color(i).to_rgba()), p.clone(), INK))
        .collect()
}

fn draw_map<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    m: &DecisionMap,
    style: &Style,
) -> DrawResult<DB> {
    let (width, height) = area.dim_in_pixel();
    let (plot, legend) = area.split_vertically(height as i32 - style.px(48.0));
    let grid = !m.x_ticks.is_empty();
    let mut chart = map_axes(&plot, m, style)?;
    if grid {
        grid_cells(&mut chart, m, style)?;
    } else {
        hypercube_points(&mut chart, m, style)?;
    }
    let mut entries = policy_legend(&m.policies);
    entries.push((
        Swatch::Fill(tint(RGBColor(90, 90, 90), 0.25).to_rgba()),
        if grid {
            format!(
                "pale: small lead (the label: lead over the runner-up, {})",
                m.currency
            )
        } else {
            "pale: small lead over the runner-up".to_string()
        },
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

/// How strongly a cell or point shows its policy's colour: from 0.25 (no lead) to 1 (the
/// largest lead of the map, `max_margin`); 1 when no policy leads anywhere.
fn strength(margin: f64, max_margin: f64) -> f64 {
    if max_margin > 0.0 {
        0.25 + 0.75 * margin / max_margin
    } else {
        1.0
    }
}

/// The largest lead of the cheapest policy over the runner-up on the map.
fn max_margin(m: &DecisionMap) -> f64 {
    m.cells.iter().map(|c| c.margin).fold(0.0, f64::max)
}

/// The label of an axis tick at `v`: a grid's listed value at whole positions (nothing in
/// between), a hypercube's number.
fn tick_label(ticks: &[String], v: f64) -> String {
    if ticks.is_empty() {
        compact(v)
    } else {
        let i = v.round();
        if (v - i).abs() < 1e-6 && i >= 0.0 {
            ticks
                .get(i as usize)
                .map(|t| drawable(t))
                .unwrap_or_default()
        } else {
            String::new()
        }
    }
}

/// The axes of the decision map: a grid's listed values (one cell per value), or a
/// hypercube's numeric ranges with a margin; the swept keys as descriptions.
fn map_axes<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    m: &DecisionMap,
    style: &Style,
) -> Drawn<DB, Plot<'a, DB>> {
    let grid = !m.x_ticks.is_empty();
    let (x_range, y_range) = if grid {
        (
            -0.5..(m.x_ticks.len() as f64 - 0.5),
            -0.5..(m.y_ticks.len().max(1) as f64 - 0.5),
        )
    } else {
        let span = |v: Vec<f64>| {
            let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let pad = if hi > lo { 0.05 * (hi - lo) } else { 0.5 };
            (lo - pad)..(hi + pad)
        };
        (
            span(m.cells.iter().map(|c| c.x).collect()),
            span(m.cells.iter().map(|c| c.y).collect()),
        )
    };
    let mut chart = ChartBuilder::on(plot)
        .margin_left(style.px(16.0))
        .margin_right(style.px(24.0))
        .margin_top(style.px(10.0))
        .x_label_area_size(style.px(56.0))
        .y_label_area_size(style.px(if m.y_label.is_some() { 90.0 } else { 20.0 }))
        .build_cartesian_2d(x_range.clone(), y_range.clone())?;
    let x_fmt = |v: &f64| tick_label(&m.x_ticks, *v);
    let y_fmt = |v: &f64| tick_label(&m.y_ticks, *v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(drawable(&m.x_label))
        .label_style(style.tick())
        .axis_desc_style(style.axis())
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt);
    if grid {
        mesh.disable_mesh()
            .x_labels(m.x_ticks.len() * 2 + 1)
            .y_labels(if m.y_label.is_some() {
                m.y_ticks.len() * 2 + 1
            } else {
                0
            });
    }
    if let Some(y) = &m.y_label {
        mesh.y_desc(drawable(y));
    }
    mesh.draw()?;
    Ok(chart)
}

/// A grid's cells in the cheapest policy's colour (paler for a smaller lead), each labelled
/// with the policy and its lead when the grid is small enough.
fn grid_cells<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    m: &DecisionMap,
    style: &Style,
) -> DrawResult<DB> {
    let max_margin = max_margin(m);
    let label_fits = m.x_ticks.len() <= 10 && m.y_ticks.len().max(1) <= 10;
    for c in &m.cells {
        let color = tint(policy_color(c.best), strength(c.margin, max_margin));
        chart.draw_series(std::iter::once(Rectangle::new(
            [(c.x - 0.5, c.y - 0.5), (c.x + 0.5, c.y + 0.5)],
            color.filled(),
        )))?;
        chart.draw_series(std::iter::once(Rectangle::new(
            [(c.x - 0.5, c.y - 0.5), (c.x + 0.5, c.y + 0.5)],
            style.line(WHITE, 2.0),
        )))?;
        if label_fits {
            let text = if m.policies.len() > 1 {
                format!("{} +{}", m.policies[c.best], compact_money(c.margin))
            } else {
                m.policies[c.best].clone()
            };
            chart.draw_series(std::iter::once(Text::new(
                drawable(&text),
                (c.x, c.y),
                style.anchored(12.0, INK, HPos::Center, VPos::Center),
            )))?;
        }
    }
    Ok(())
}

/// A hypercube's points in the cheapest policy's colour (paler for a smaller lead).
fn hypercube_points<DB: DrawingBackend>(
    chart: &mut Plot<'_, DB>,
    m: &DecisionMap,
    style: &Style,
) -> DrawResult<DB> {
    let max_margin = max_margin(m);
    for c in &m.cells {
        let color = tint(policy_color(c.best), strength(c.margin, max_margin));
        chart.draw_series(std::iter::once(Circle::new(
            (c.x, c.y),
            style.px(7.0),
            color.filled(),
        )))?;
        chart.draw_series(std::iter::once(Circle::new(
            (c.x, c.y),
            style.px(7.0),
            style.line(policy_color(c.best), 1.0),
        )))?;
    }
    Ok(())
}

fn compact(v: f64) -> String {
    if v.abs() >= 1000.0 {
        compact_money(v)
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn draw_tornado<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    t: &Tornado,
    style: &Style,
) -> DrawResult<DB> {
    let (width, height) = area.dim_in_pixel();
    let (plot, legend) = area.split_vertically(height as i32 - style.px(48.0));
    let np = t.policies.len().max(1);
    let values = t
        .rows
        .iter()
        .flat_map(|r| r.costs.iter().flat_map(|c| [c.0, c.1]))
        .chain(t.base.iter().cloned());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    let pad = if hi > lo { 0.06 * (hi - lo) } else { 1.0 };
    let rows = t.rows.len() as f64;
    let label_style = style.text(13.0, INK);
    let mut label_width = 0;
    for r in &t.rows {
        label_width = label_width.max(
            plot.estimate_text_size(&drawable(&r.label), &label_style)?
                .0,
        );
    }
    let mut chart = ChartBuilder::on(&plot)
        .margin_left(style.px(12.0))
        .margin_right(style.px(28.0))
        .margin_top(style.px(10.0))
        .x_label_area_size(style.px(52.0))
        .y_label_area_size(label_width as i32 + style.px(16.0))
        .build_cartesian_2d((lo - pad)..(hi + pad), -0.5..(rows - 0.5))?;
    chart
        .configure_mesh()
        .x_desc(drawable(&format!(
            "mean total discounted cost ({})",
            t.currency
        )))
        .label_style(style.tick())
        .axis_desc_style(style.axis())
        .bold_line_style(GRID)
        .light_line_style(TRANSPARENT)
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(7)
        .x_label_formatter(&|v| compact_money(*v))
        .draw()?;
    for (r, row) in t.rows.iter().enumerate() {
        let y = rows - 1.0 - r as f64;
        chart.draw_series(std::iter::once(
            EmptyElement::at((lo - pad, y))
                + Text::new(
                    drawable(&row.label),
                    (-style.px(8.0), 0),
                    style.anchored(13.0, INK, HPos::Right, VPos::Center),
                ),
        ))?;
        for (i, &(low, high)) in row.costs.iter().enumerate() {
            let band = 0.8 / np as f64;
            let yc = y + 0.4 - band * (i as f64 + 0.5);
            let color = policy_color(i);
            let (a, b) = (low.min(high), low.max(high));
            chart.draw_series(std::iter::once(Rectangle::new(
                [(a, yc - band * 0.3), (b, yc + band * 0.3)],
                color.mix(0.45).filled(),
            )))?;
            if let Some(base) = t.base.get(i) {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![(*base, yc - band * 0.45), (*base, yc + band * 0.45)],
                    style.line(INK, 1.5),
                )))?;
            }
            chart.draw_series(std::iter::once(Circle::new(
                (low, yc),
                style.px(4.5),
                style.line(color, 2.0),
            )))?;
            chart.draw_series(std::iter::once(Circle::new(
                (high, yc),
                style.px(4.5),
                color.filled(),
            )))?;
        }
    }
    let mut entries = policy_legend(&t.policies);
    entries.push((Swatch::Line(INK, 1.5), "as written".into(), INK));
    legend_row(
        &legend,
        &entries,
        (style.px(24.0), style.px(20.0)),
        width as i32 - style.px(16.0),
        style,
    )?;
    Ok(())
}
