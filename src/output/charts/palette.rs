//! The colours of the charts (the module documentation of [`super`] states the rule: policy
//! colours are reserved for policies; cost lines and demand statistics use greys and earth
//! tones at least [`MIN_PALETTE_DISTANCE`] from every policy colour) and the cost lines' labels.

use plotters::style::RGBColor;

/// Text colour.
pub(super) const INK: RGBColor = RGBColor(33, 37, 41);
/// Secondary text colour (ticks, notes).
pub(super) const SOFT_INK: RGBColor = RGBColor(85, 90, 98);
/// Grid lines.
pub(super) const GRID: RGBColor = RGBColor(226, 228, 232);

/// Colours of the policies, by position in the scenario (Tableau 10, then repeated).
pub const POLICY_COLORS: [RGBColor; 10] = [
    RGBColor(78, 121, 167),
    RGBColor(242, 142, 43),
    RGBColor(225, 87, 89),
    RGBColor(118, 183, 178),
    RGBColor(89, 161, 79),
    RGBColor(237, 201, 72),
    RGBColor(176, 122, 161),
    RGBColor(255, 157, 167),
    RGBColor(156, 117, 95),
    RGBColor(186, 176, 172),
];

/// The colour of the policy at `index` (the same in every chart).
pub fn policy_color(index: usize) -> RGBColor {
    POLICY_COLORS[index % POLICY_COLORS.len()]
}

/// The colour as `#rrggbb`, for the HTML report.
pub fn hex(color: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", color.0, color.1, color.2)
}

/// Colours of the cost lines, in the order of `CostLines::NAMES`: greys and earth tones, far
/// from every policy colour (see the module's colour rule).
pub(super) const COST_LINE_COLORS: [RGBColor; LINES] = [
    RGBColor(99, 99, 99),    // last-time buy: dark grey
    RGBColor(74, 60, 52),    // carrying: umber
    RGBColor(166, 154, 98),  // disposal: khaki
    RGBColor(192, 180, 232), // release: lavender
    RGBColor(226, 207, 166), // buy-back: sand
    RGBColor(128, 98, 38),   // re-manufacture: ochre
    RGBColor(112, 28, 45),   // shortage: maroon
    RGBColor(57, 69, 91),    // backorder: slate
    RGBColor(90, 110, 70),   // end of horizon: moss
    RGBColor(0, 90, 90),     // repair: deep teal (ΔE ≈ 35 from the policies, 25 from the lines)
    RGBColor(80, 32, 76),    // counting (drifting stock records): aubergine (ΔE ≈ 37, 29)
];

/// The number of cost lines.
const LINES: usize = crate::inventory::CostLines::<f64>::LEN;

/// Fill of the demand chart's P5–P95 band (pale sand).
pub const DEMAND_BAND: RGBColor = RGBColor(241, 235, 220);
/// The demand chart's median line (dark brown).
pub const DEMAND_MEDIAN: RGBColor = RGBColor(96, 60, 28);
/// The demand chart's single futures (grey).
pub const DEMAND_SAMPLE: RGBColor = RGBColor(120, 120, 120);
/// The demand chart's expected rate (near black).
pub const DEMAND_EXPECTED: RGBColor = RGBColor(20, 20, 20);

/// Least CIELAB distance (ΔE, CIE76) of a cost-line or demand colour from every policy
/// colour: about 20 is a difference no reader misses side by side.
pub const MIN_PALETTE_DISTANCE: f64 = 20.0;

/// The CIELAB coordinates (L*, a*, b*; D65 white) of an sRGB colour.
#[allow(clippy::disallowed_methods)] // colour science for the palette rule, not a result
pub fn cielab(c: RGBColor) -> [f64; 3] {
    let linear = |u: u8| {
        let u = f64::from(u) / 255.0;
        if u <= 0.04045 {
            u / 12.92
        } else {
            ((u + 0.055) / 1.055).powf(2.4)
        }
    };
    let (r, g, b) = (linear(c.0), linear(c.1), linear(c.2));
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| {
        if t > 216.0 / 24389.0 {
            t.cbrt()
        } else {
            (24389.0 / 27.0 * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (f(x), f(y), f(z));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// The CIELAB distance (ΔE, CIE76) of two colours.
#[allow(clippy::disallowed_methods)] // colour science for the palette rule, not a result
pub fn color_distance(a: RGBColor, b: RGBColor) -> f64 {
    let (a, b) = (cielab(a), cielab(b));
    (0..3).map(|k| (a[k] - b[k]).powi(2)).sum::<f64>().sqrt()
}

/// The colour of cost line `k` (in the order of `CostLines::NAMES`).
pub fn cost_line_color(k: usize) -> RGBColor {
    COST_LINE_COLORS[k % COST_LINE_COLORS.len()]
}

/// Plain-language names of the cost lines, in the order of `CostLines::NAMES`.
pub const COST_LINE_LABELS: [&str; LINES] = [
    "last-time buy",
    "carrying",
    "scrap (disposal)",
    "release to partners",
    "buy-backs",
    "re-manufacture",
    "shortage penalties",
    "backorder waiting",
    "end of horizon",
    "repair",
    "cycle counts",
];
