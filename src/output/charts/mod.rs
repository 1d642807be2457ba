//! The report's charts, drawn with plotters as SVG (for the HTML report and for print) and as
//! PNG (for slides).
//!
//! Each [`Chart`] is drawn by one function that is generic over the plotters backend, so the
//! SVG and the PNG of a chart are the same drawing. Text is set in DejaVu Sans, embedded in the
//! binary (`assets/fonts/`) and registered with plotters as its `sans-serif` family, so that
//! PNGs need no system font and SVGs name a generic family every browser has.
//!
//! Colours, one rule for every chart: the policy colours ([`POLICY_COLORS`], Tableau 10) are
//! reserved for policies. Every policy keeps one colour in every chart ([`policy_color`], by
//! the policy's position in the scenario), and nothing else is drawn in a colour that could be
//! taken for one: the cost lines ([`cost_line_color`]), the demand statistics ([`DEMAND_BAND`],
//! [`DEMAND_MEDIAN`], [`DEMAND_SAMPLE`], [`DEMAND_EXPECTED`]) and the neutral marks (greys of
//! legends and notes) are greys and earth tones, each at least [`MIN_PALETTE_DISTANCE`]
//! (CIELAB ΔE, CIE76) from every one of the ten policy colours, so the rule holds however many
//! policies a scenario has. A test checks the distances. Money axes name the scenario's
//! currency (`report.currency`).
//!
//! Names from the input (policies, partners, parts, scenarios, swept keys and values, the
//! currency) reach a chart only through `drawable`, which shows the characters XML forbids
//! as `\u{..}` ([`xml_text`]), so every SVG stays well-formed and the PNG shows the same text.
//! Markup characters are left to plotters: its SVG backend escapes `<`, `>`, `&` and quotes in
//! every text and attribute, so they are escaped exactly once.
//!
//! - [`Chart::Demand`]: expected demand rate, simulated annual units (median and P5–P95), a
//!   few sample paths.
//! - [`Chart::Stock`]: units on hand per policy (mean and P5–P95) with the units arriving from
//!   re-manufacture and buy-backs.
//! - [`Chart::CostDistribution`]: histograms of total discounted cost, mean and P95 marked.
//! - [`Chart::CostBreakdown`]: mean cost lines per policy as stacked bars, income below zero.
//! - [`Chart::Comparison`]: cost difference against the baseline on the same paths.
//! - [`Chart::Service`]: fill rate, chance of no stock-out, time to the first stock-out.

mod comparison;
mod cost;
mod demand;
pub mod fit;
mod optimize;
mod palette;
pub mod pareto;
mod service;
mod stock;
pub mod sweep;
mod text;

pub use optimize::{optimize_png, optimize_svg};
pub use palette::*;
use palette::{GRID, INK, SOFT_INK};

use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::Exporter;
use crate::engine::{PolicySummary, RunSummary};
use crate::escape::xml_text;
use text::Glyphs;

/// DejaVu Sans, the one font of every chart (licence: `assets/fonts/LICENSE-DejaVu.txt`).
static FONT: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");

/// The font family charts ask for; the embedded font is registered under this name.
const FAMILY: &str = "sans-serif";

/// Registers the embedded font with plotters (once per process).
fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let ok = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT).is_ok();
        debug_assert!(ok, "the embedded font parses");
    });
}

/// One chart of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// Demand over the lifecycle: units demanded per year.
    Demand,
    /// Units on hand over time per policy, with re-manufacture and buy-back arrivals.
    Stock,
    /// Distribution of total discounted cost per policy.
    CostDistribution,
    /// Mean cost lines per policy.
    CostBreakdown,
    /// Paired cost difference against the baseline.
    Comparison,
    /// Fill rate, chance of no stock-out and time to the first stock-out.
    Service,
}

impl Chart {
    /// Every chart, in the order of the report.
    pub const ALL: [Chart; 6] = [
        Chart::Demand,
        Chart::Stock,
        Chart::CostDistribution,
        Chart::CostBreakdown,
        Chart::Comparison,
        Chart::Service,
    ];

    /// The file name without extension (`demand`, `stock`, …).
    pub fn file_stem(self) -> &'static str {
        match self {
            Chart::Demand => "demand",
            Chart::Stock => "stock",
            Chart::CostDistribution => "cost_distribution",
            Chart::CostBreakdown => "cost_breakdown",
            Chart::Comparison => "comparison",
            Chart::Service => "service",
        }
    }

    /// The SVG file name.
    pub fn svg_name(self) -> &'static str {
        match self {
            Chart::Demand => "demand.svg",
            Chart::Stock => "stock.svg",
            Chart::CostDistribution => "cost_distribution.svg",
            Chart::CostBreakdown => "cost_breakdown.svg",
            Chart::Comparison => "comparison.svg",
            Chart::Service => "service.svg",
        }
    }

    /// The PNG file name.
    pub fn png_name(self) -> &'static str {
        match self {
            Chart::Demand => "demand.png",
            Chart::Stock => "stock.png",
            Chart::CostDistribution => "cost_distribution.png",
            Chart::CostBreakdown => "cost_breakdown.png",
            Chart::Comparison => "comparison.png",
            Chart::Service => "service.png",
        }
    }

    /// The chart's title, as drawn on it and used as the report's heading.
    pub fn title(self) -> &'static str {
        match self {
            Chart::Demand => "Demand over the lifecycle",
            Chart::Stock => "Stock on hand over time",
            Chart::CostDistribution => "Distribution of total discounted cost",
            Chart::CostBreakdown => "Where the money goes: mean cost lines",
            Chart::Comparison => "Cost against the baseline, path by path",
            Chart::Service => "Service",
        }
    }

    /// Width and height in SVG pixels of the chart file, with its title (the PNG is
    /// [`PNG_SCALE`] times larger; the report's inline chart is [`TITLE_HEIGHT`] lower).
    pub fn size(self, summary: &RunSummary) -> (u32, u32) {
        let policies = summary.policies.len() as u32;
        let height = match self {
            Chart::Demand => 560,
            Chart::Stock => 120 + policies.div_ceil(2) * 330,
            Chart::CostDistribution => 170 + policies * 110,
            Chart::CostBreakdown => 220 + policies * 66,
            Chart::Comparison => 210 + policies.saturating_sub(1).max(1) * 84,
            Chart::Service => 230 + policies * 56,
        };
        (1000, height + TITLE_HEIGHT)
    }

    fn draw<DB: DrawingBackend>(
        self,
        root: &DrawingArea<DB, Shift>,
        summary: &RunSummary,
        style: &Style,
    ) -> DrawResult<DB> {
        root.fill(&WHITE)?;
        match self {
            Chart::Demand => demand::draw(root, summary, style),
            Chart::Stock => stock::draw(root, summary, style),
            Chart::CostDistribution => cost::draw_distribution(root, summary, style),
            Chart::CostBreakdown => cost::draw_breakdown(root, summary, style),
            Chart::Comparison => comparison::draw(root, summary, style),
            Chart::Service => service::draw(root, summary, style),
        }?;
        root.present()
    }

    /// The chart as an SVG document, with its title (the chart file).
    pub fn svg(self, summary: &RunSummary) -> anyhow::Result<String> {
        self.render_svg(summary, true)
    }

    /// The chart as an SVG element for the report, which gives the title as a heading.
    pub fn inline_svg(self, summary: &RunSummary) -> anyhow::Result<String> {
        self.render_svg(summary, false)
    }

    fn render_svg(self, summary: &RunSummary, standalone: bool) -> anyhow::Result<String> {
        register_font();
        let (w, h) = self.size(summary);
        let h = if standalone { h } else { h - TITLE_HEIGHT };
        let mut text = String::new();
        {
            let root = SVGBackend::with_string(&mut text, (w, h)).into_drawing_area();
            let style = Style {
                scale: 1.0,
                standalone,
            };
            self.draw(&root, summary, &style)
                .map_err(|e| anyhow::anyhow!("drawing {}: {e}", self.svg_name()))?;
        }
        Ok(text)
    }

    /// The chart as a PNG image, [`PNG_SCALE`] times the SVG's size.
    pub fn png(self, summary: &RunSummary) -> anyhow::Result<Vec<u8>> {
        register_font();
        let (w, h) = self.size(summary);
        let (w, h) = (
            (w as f64 * PNG_SCALE).round() as u32,
            (h as f64 * PNG_SCALE).round() as u32,
        );
        let mut rgb = vec![255u8; (w * h * 3) as usize];
        {
            let root =
                Glyphs::new(BitMapBackend::with_buffer(&mut rgb, (w, h))).into_drawing_area();
            let style = Style {
                scale: PNG_SCALE,
                standalone: true,
            };
            self.draw(&root, summary, &style)
                .map_err(|e| anyhow::anyhow!("drawing {}: {e}", self.png_name()))?;
        }
        encode_png(&rgb, w, h)
    }
}

/// How much larger PNGs are than SVGs (for sharp slides).
pub const PNG_SCALE: f64 = 1.5;

/// Height of a chart's title and subtitle, SVG pixels.
pub const TITLE_HEIGHT: u32 = 76;

/// Text sizes are given as plotters' line heights; this makes them comfortable to read when
/// the chart is shown 1000 pixels wide.
const FONT_SCALE: f64 = 1.2;

fn encode_png(rgb: &[u8], width: u32, height: u32) -> anyhow::Result<Vec<u8>> {
    let (palette, indices) = quantize(rgb);
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, width, height);
        encoder.set_color(png::ColorType::Indexed);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_palette(palette);
        encoder.set_compression(png::Compression::Best);
        encoder.set_adaptive_filter(png::AdaptiveFilterType::NonAdaptive);
        encoder.set_filter(png::FilterType::NoFilter);
        let mut writer = encoder.write_header()?;
        writer.write_image_data(&indices)?;
        writer.finish()?;
    }
    Ok(out)
}

/// Reduces an RGB image to at most 256 colours: the most frequent ones (a chart has a few
/// flat colours and the anti-aliased edges of its text), each other colour drawn as the
/// nearest of them. Returns the palette (RGB triples) and one index per pixel. Deterministic:
/// ties in frequency go to the smaller colour.
fn quantize(rgb: &[u8]) -> (Vec<u8>, Vec<u8>) {
    use std::collections::HashMap;
    // Runs of one colour (most of a chart) are counted with one look-up.
    let mut counts: HashMap<[u8; 3], u64> = HashMap::new();
    let mut run: Option<([u8; 3], u64)> = None;
    for px in rgb.chunks_exact(3) {
        let c = [px[0], px[1], px[2]];
        match &mut run {
            Some((colour, n)) if *colour == c => *n += 1,
            _ => {
                if let Some((colour, n)) = run {
                    *counts.entry(colour).or_insert(0) += n;
                }
                run = Some((c, 1));
            }
        }
    }
    if let Some((colour, n)) = run {
        *counts.entry(colour).or_insert(0) += n;
    }
    let mut colours: Vec<([u8; 3], u64)> = counts.into_iter().collect();
    colours.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let kept: Vec<[u8; 3]> = colours.iter().take(256).map(|c| c.0).collect();
    let nearest = |c: [u8; 3]| -> u8 {
        let distance = |p: &[u8; 3]| {
            (0..3)
                .map(|k| (i32::from(c[k]) - i32::from(p[k])).pow(2))
                .sum::<i32>()
        };
        (0..kept.len())
            .min_by_key(|&i| (distance(&kept[i]), i))
            .unwrap_or(0) as u8
    };
    let index: HashMap<[u8; 3], u8> = colours.iter().map(|c| (c.0, nearest(c.0))).collect();
    let mut last = ([0u8; 3], None);
    let indices = rgb
        .chunks_exact(3)
        .map(|px| {
            let c = [px[0], px[1], px[2]];
            match last {
                (colour, Some(k)) if colour == c => k,
                _ => {
                    let k = index[&c];
                    last = (c, Some(k));
                    k
                }
            }
        })
        .collect();
    (kept.concat(), indices)
}

/// A chart as an SVG file beside the report.
pub struct ChartSvg(pub Chart);

impl Exporter for ChartSvg {
    fn file_name(&self) -> &'static str {
        self.0.svg_name()
    }
    fn render(&self, summary: &RunSummary) -> anyhow::Result<Vec<u8>> {
        Ok(self.0.svg(summary)?.into_bytes())
    }
}

/// A chart as a PNG file beside the report.
pub struct ChartPng(pub Chart);

impl Exporter for ChartPng {
    fn file_name(&self) -> &'static str {
        self.0.png_name()
    }
    fn render(&self, summary: &RunSummary) -> anyhow::Result<Vec<u8>> {
        self.0.png(summary)
    }
}

/// What drawing on backend `DB` can fail with.
type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A `T` made by drawing on backend `DB` (a chart's axes, say), or what drawing failed with.
type Drawn<DB, T> = Result<T, DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A chart with two numeric axes on drawing area lifetime `'a` and backend `DB`.
type Plot<'a, DB> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Sizes in SVG pixels, multiplied for larger bitmaps.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Backend pixels per SVG pixel.
    scale: f64,
    /// Whether the chart draws its own title (files) or the page gives it (report).
    standalone: bool,
}

impl Style {
    /// A length in backend pixels.
    fn px(&self, v: f64) -> i32 {
        (v * self.scale).round() as i32
    }

    /// A length in backend pixels, unsigned.
    fn upx(&self, v: f64) -> u32 {
        (v * self.scale).round().max(1.0) as u32
    }

    /// Text of `size` SVG pixels in `color`.
    fn text(&self, size: f64, color: RGBColor) -> TextStyle<'static> {
        let mut style = TextStyle::from((FAMILY, size * FONT_SCALE * self.scale).into_font());
        style.color = color.to_backend_color();
        style
    }

    /// Text anchored at `h`, `v`.
    fn anchored(&self, size: f64, color: RGBColor, h: HPos, v: VPos) -> TextStyle<'static> {
        self.text(size, color).pos(Pos::new(h, v))
    }

    /// Title of a chart.
    fn title(&self) -> TextStyle<'static> {
        self.text(20.0, INK)
    }

    /// Tick labels.
    fn tick(&self) -> TextStyle<'static> {
        self.text(13.0, SOFT_INK)
    }

    /// Axis descriptions.
    fn axis(&self) -> TextStyle<'static> {
        self.text(14.0, INK)
    }

    /// A line of `width` SVG pixels.
    fn line(&self, color: impl Color, width: f64) -> ShapeStyle {
        color.stroke_width(self.upx(width))
    }
}

/// A money amount for an axis: 1.25M, 640k, 950 (the axis names the currency).
pub fn compact_money(x: f64) -> String {
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if a >= 1e9 {
        format!("{sign}{}bn", trim(format!("{:.2}", a / 1e9)))
    } else if a >= 1e6 {
        format!("{sign}{}M", trim(format!("{:.2}", a / 1e6)))
    } else if a >= 1e3 {
        format!("{sign}{}k", trim(format!("{:.1}", a / 1e3)))
    } else if a >= 10.0 || a == 0.0 {
        format!("{sign}{a:.0}")
    } else {
        format!("{sign}{}", trim(format!("{a:.2}")))
    }
}

/// A share as a percentage for an axis: "25 %".
fn percent_tick(x: f64) -> String {
    format!("{:.0} %", 100.0 * x)
}

/// The lower and upper end of an axis that shows every value of `values` with a margin of
/// `pad` of the span on each side, and always includes zero when `with_zero`.
fn padded_range(values: impl IntoIterator<Item = f64>, pad: f64, with_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values
        .into_iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if with_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let span = if hi > lo { hi - lo } else { lo.abs().max(1.0) };
    let lo = if with_zero && lo == 0.0 {
        0.0
    } else {
        lo - pad * span
    };
    let hi = if with_zero && hi == 0.0 && lo < 0.0 {
        0.0
    } else {
        hi + pad * span
    };
    (lo, hi)
}

/// A number for an axis tick: at most two decimals, trailing zeros dropped.
fn number_tick(x: f64) -> String {
    let s = format!("{x:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

/// Draws the chart's title at the top left and a subtitle under it, when the chart stands
/// alone; returns the area below.
fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: Chart,
    subtitle: &str,
    style: &Style,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    titled_by(root, chart.title(), subtitle, style)
}

/// [`titled`] for charts that are not a [`Chart`] of a run (sweeps, portfolios): draws
/// `title` and `subtitle` when the chart stands alone; returns the area below.
fn titled_by<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
    style: &Style,
) -> Result<DrawingArea<DB, Shift>, DrawingAreaErrorKind<DB::ErrorType>> {
    if !style.standalone {
        return Ok(root.clone());
    }
    root.draw(&Text::new(
        drawable(title),
        (style.px(16.0), style.px(12.0)),
        style.title().pos(Pos::new(HPos::Left, VPos::Top)),
    ))?;
    root.draw(&Text::new(
        drawable(subtitle),
        (style.px(16.0), style.px(44.0)),
        style.anchored(13.0, SOFT_INK, HPos::Left, VPos::Top),
    ))?;
    let (_, rest) = root.split_vertically(style.px(TITLE_HEIGHT as f64));
    Ok(rest)
}

/// A legend strip of its own, `width` (backend pixels) wide: [`legend_row`] from its usual
/// margins (24 px in, 18 px down, 16 px short of the right edge, in 1× pixels).
fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(Swatch, String, RGBColor)],
    width: u32,
    style: &Style,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    legend_row(
        area,
        entries,
        (style.px(24.0), style.px(18.0)),
        width as i32 - style.px(16.0),
        style,
    )?;
    Ok(())
}

/// One entry of a legend drawn by [`legend_row`].
enum Swatch {
    /// A filled square.
    Fill(RGBAColor),
    /// A short line.
    Line(RGBColor, f64),
    /// A diamond marker.
    Diamond(RGBColor),
}

/// Draws legend entries left to right from (`x`, `y`) (backend pixels, vertical centre),
/// wrapping at `right`; returns the y of the last row.
fn legend_row<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[(Swatch, String, RGBColor)],
    (x, y): (i32, i32),
    right: i32,
    style: &Style,
) -> Result<i32, DrawingAreaErrorKind<DB::ErrorType>> {
    let mut cx = x;
    let mut cy = y;
    for (swatch, label, text_color) in entries {
        let label = drawable(label);
        let text = style.anchored(13.0, *text_color, HPos::Left, VPos::Center);
        let (tw, _) = area.estimate_text_size(&label, &text)?;
        let width = style.px(24.0) + tw as i32 + style.px(18.0);
        if cx + width > right && cx > x {
            cx = x;
            cy += style.px(22.0);
        }
        let s = style.px(7.0);
        match swatch {
            Swatch::Fill(c) => area.draw(&Rectangle::new(
                [(cx, cy - s), (cx + 2 * s, cy + s)],
                c.filled(),
            ))?,
            Swatch::Line(c, w) => area.draw(&PathElement::new(
                vec![(cx, cy), (cx + 2 * s, cy)],
                style.line(*c, *w),
            ))?,
            Swatch::Diamond(c) => draw_diamond(area, (cx + s, cy), s, *c, style)?,
        }
        area.draw(&Text::new(label, (cx + style.px(22.0), cy), text.clone()))?;
        cx += width;
    }
    Ok(cy)
}

/// A diamond marker with a dark outline centred on `(x, y)` (backend pixels).
fn draw_diamond<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    r: i32,
    color: RGBColor,
    style: &Style,
) -> DrawResult<DB> {
    let points = vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)];
    area.draw(&Polygon::new(points.clone(), color.filled()))?;
    let mut outline = points;
    outline.push((x, y - r));
    area.draw(&PathElement::new(outline, style.line(INK, 1.2)))
}

/// The policies as legend entries in their colours.
fn policy_entries(summary: &RunSummary) -> Vec<(Swatch, String, RGBColor)> {
    summary
        .policies
        .iter()
        .enumerate()
        .map(|(i, p)| (Swatch::Fill(policy_color(i).to_rgba()), p.name.clone(), INK))
        .collect()
}

/// What a policy keeps, in words: "keeps everything", "keeps 160 units at t = 0", …
pub fn retention_in_words(policy: &PolicySummary) -> String {
    let levels = &policy.retained_levels;
    match levels.as_slice() {
        [] => "keeps all stock".to_string(),
        [only] => format!(
            "keeps {} units from year {}",
            only.units,
            number_tick(only.at_years)
        ),
        [first, .., last] => format!(
            "keeps {} units from year {}, reviewed {} times down to {} by year {}",
            first.units,
            number_tick(first.at_years),
            levels.len() - 1,
            last.units,
            number_tick(last.at_years)
        ),
    }
}

/// The money label of a scenario, as a chart may draw it ([`drawable`]): its currency or
/// "currency units".
fn currency(summary: &RunSummary) -> String {
    drawable(summary.scenario.report.currency_label())
}

/// `text`, which may hold names from the input, as a chart may draw it: the characters XML
/// 1.0 forbids, the C1 and the bidirectional controls shown as `\u{..}` ([`xml_text`]).
/// Markup characters stay as they are (plotters' SVG backend escapes them).
fn drawable(text: &str) -> String {
    xml_text(text).into_owned()
}

/// A fill-rate target as a percentage with as many decimals as it needs (one to three): 0.995
/// is "99.5 %", 0.9999 "99.99 %" (not the "100.0 %" of a rounded fill rate).
pub(crate) fn target_percent(target: f64) -> String {
    let pct = 100.0 * target;
    let decimals = (1..=3)
        .find(|&d| {
            let scale = crate::elementary::powi(10.0, d);
            ((pct * scale).round() / scale - pct).abs() < 1e-9
        })
        .unwrap_or(3) as usize;
    format!("{pct:.decimals$} %")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_money_is_short_and_signed() {
        assert_eq!(compact_money(1_250_000.0), "1.25M");
        assert_eq!(compact_money(-640_000.0), "-640k");
        assert_eq!(compact_money(2_000_000.0), "2M");
        assert_eq!(compact_money(950.0), "950");
        assert_eq!(compact_money(0.0), "0");
        assert_eq!(compact_money(2.5), "2.5");
        assert_eq!(compact_money(3.2e9), "3.2bn");
    }

    #[test]
    fn padded_range_keeps_zero_and_margins() {
        assert_eq!(padded_range([10.0, 20.0], 0.1, true), (0.0, 22.0));
        assert_eq!(padded_range([-10.0, 10.0], 0.0, true), (-10.0, 10.0));
        assert_eq!(padded_range([5.0, 5.0], 0.5, false), (2.5, 7.5));
        assert_eq!(padded_range([0.0, 0.0], 0.1, true), (0.0, 0.1));
        assert_eq!(padded_range([], 0.1, true), (0.0, 1.0));
    }

    #[test]
    fn quantize_keeps_few_colours_exactly_and_maps_the_rest_to_the_nearest() {
        // 300 distinct colours, the first ten much more frequent than the rest.
        let colour = |i: u32| [(i % 256) as u8, (i / 256 * 100) as u8, 7];
        let mut rgb = Vec::new();
        for i in 0..300u32 {
            for _ in 0..if i < 10 { 50 } else { 1 } {
                rgb.extend(colour(i));
            }
        }
        let (palette, indices) = quantize(&rgb);
        assert_eq!(palette.len(), 256 * 3);
        assert_eq!(indices.len(), rgb.len() / 3);
        let entries: Vec<&[u8]> = palette.chunks_exact(3).collect();
        let distance = |a: &[u8], b: &[u8]| {
            (0..3)
                .map(|k| (i32::from(a[k]) - i32::from(b[k])).pow(2))
                .sum::<i32>()
        };
        for (px, &k) in rgb.chunks_exact(3).zip(&indices) {
            let best = entries.iter().map(|e| distance(px, e)).min().unwrap();
            assert_eq!(distance(px, entries[k as usize]), best, "{px:?}");
        }
        for i in 0..10 {
            assert!(
                entries.contains(&&colour(i)[..]),
                "frequent colour {i} kept"
            );
        }
        // Few colours: an exact palette, most frequent first.
        let (palette, indices) = quantize(&[9, 9, 9, 1, 2, 3, 1, 2, 3]);
        assert_eq!(palette, vec![1, 2, 3, 9, 9, 9]);
        assert_eq!(indices, vec![1, 0, 0]);
    }

    #[test]
    fn number_ticks_drop_trailing_zeros() {
        assert_eq!(number_tick(5.0), "5");
        assert_eq!(number_tick(2.5), "2.5");
        assert_eq!(number_tick(-0.001), "0");
    }

    #[test]
    fn cost_line_and_demand_colours_are_far_from_every_policy_colour() {
        let others: Vec<(String, RGBColor)> = (0..COST_LINE_COLORS.len())
            .map(|k| (COST_LINE_LABELS[k].to_string(), cost_line_color(k)))
            .chain([
                ("demand band".to_string(), DEMAND_BAND),
                ("demand median".to_string(), DEMAND_MEDIAN),
                ("demand samples".to_string(), DEMAND_SAMPLE),
                ("expected demand".to_string(), DEMAND_EXPECTED),
            ])
            .collect();
        for (name, c) in &others {
            for (i, p) in POLICY_COLORS.iter().enumerate() {
                let d = color_distance(*c, *p);
                assert!(
                    d >= MIN_PALETTE_DISTANCE,
                    "{name} {} is {d:.1} from policy colour {i} {}",
                    hex(*c),
                    hex(*p)
                );
            }
        }
        // The old carrying navy was taken for hold's blue: the test would have caught it.
        assert!(color_distance(RGBColor(31, 78, 121), policy_color(0)) < MIN_PALETTE_DISTANCE);
        // The cost lines are told apart from one another too.
        for a in 0..COST_LINE_COLORS.len() {
            for b in a + 1..COST_LINE_COLORS.len() {
                let d = color_distance(cost_line_color(a), cost_line_color(b));
                assert!(d >= 15.0, "cost lines {a} and {b} are {d:.1} apart");
            }
        }
    }

    #[test]
    fn cielab_of_white_black_and_a_known_colour() {
        let [l, a, b] = cielab(RGBColor(255, 255, 255));
        assert!(
            (l - 100.0).abs() < 0.05 && a.abs() < 0.05 && b.abs() < 0.05,
            "{l} {a} {b}"
        );
        assert!(cielab(RGBColor(0, 0, 0))[0].abs() < 1e-9);
        // sRGB red is L* 53.2, a* 80.1, b* 67.2.
        let [l, a, b] = cielab(RGBColor(255, 0, 0));
        assert!((l - 53.24).abs() < 0.1 && (a - 80.09).abs() < 0.2 && (b - 67.20).abs() < 0.2);
    }

    #[test]
    fn policy_colours_are_stable_and_repeat() {
        assert_eq!(hex(policy_color(0)), "#4e79a7");
        assert_eq!(policy_color(10), policy_color(0));
    }
}
