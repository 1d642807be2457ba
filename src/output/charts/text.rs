//! Text on the PNG charts, set glyph by glyph at the right place.
//!
//! plotters' `ab_glyph` font backend draws each glyph at the pen position without the glyph's
//! left side bearing, so a glyph with a wide bearing (".", "(") sits too far left and the gap
//! after it opens: "(0.4 → 1)" reads "(0. 4 → 1)". [`Glyphs`] wraps a bitmap backend and
//! draws text itself: every glyph outlined at its pen position (advances and kerning as
//! plotters measures them, so layouts and anchors are unchanged) and placed by its own
//! bounds. Everything else goes to the wrapped backend.

use ab_glyph::{Font, FontRef, GlyphId, ScaleFont, point};
use plotters::prelude::DrawingBackend;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind, text_anchor,
};

use super::FONT;

/// A bitmap backend `B` whose text is drawn glyph by glyph in the embedded font.
pub(crate) struct Glyphs<B> {
    inner: B,
    font: FontRef<'static>,
}

impl<B: DrawingBackend> Glyphs<B> {
    /// Wraps `inner`.
    pub(crate) fn new(inner: B) -> Glyphs<B> {
        Glyphs {
            inner,
            font: FontRef::try_from_slice(FONT).expect("the embedded font parses"),
        }
    }
}

/// The pixels of `text` in `font` at `size` pixels per line, each (x, y, coverage) relative to
/// the pen's start, with the baseline at `size / 2` (where plotters puts it).
fn glyph_pixels(font: &FontRef<'static>, size: f32, text: &str) -> Vec<(i32, i32, f32)> {
    let scaled = font.as_scaled(size);
    let mut pixels = Vec::new();
    let mut caret = 0.0f32;
    let mut previous: Option<GlyphId> = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = previous {
            caret += scaled.kern(p, id);
        }
        let glyph = id.with_scale_and_position(scaled.scale(), point(caret, 0.0));
        if let Some(outline) = scaled.outline_glyph(glyph) {
            let bounds = outline.px_bounds();
            let (x0, y0) = (bounds.min.x as i32, (size / 2.0 + bounds.min.y) as i32);
            outline.draw(|x, y, coverage| {
                if coverage > 0.0 {
                    pixels.push((x0 + x as i32, y0 + y as i32, coverage));
                }
            });
        }
        caret += scaled.h_advance(id);
        previous = Some(id);
    }
    pixels
}

impl<B: DrawingBackend> DrawingBackend for Glyphs<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    /// plotters' default text drawing (anchor, rotation, clipping) with the glyphs placed by
    /// [`glyph_pixels`].
    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            text_anchor::HPos::Left => 0,
            text_anchor::HPos::Right => -width,
            text_anchor::HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            text_anchor::VPos::Top => 0,
            text_anchor::VPos::Center => -height / 2,
            text_anchor::VPos::Bottom => -height,
        };
        let transform = style.transform();
        let (w, h) = self.get_size();
        for (x, y, coverage) in glyph_pixels(&self.font, style.size() as f32, text) {
            let (x, y) = transform.transform(x + dx - min_x, y + dy - min_y);
            let (x, y) = (pos.0 + x, pos.1 + y);
            if x >= 0 && x < w as i32 && y >= 0 && y < h as i32 {
                let c = BackendColor {
                    alpha: color.alpha * f64::from(coverage.min(1.0)),
                    rgb: color.rgb,
                };
                self.inner.draw_pixel((x, y), c)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The columns with ink, and the widest run of blank columns between the first and the
    /// last inked column.
    fn widest_gap(pixels: &[(i32, i32, f32)]) -> (i32, i32, i32) {
        let mut columns: Vec<i32> = pixels.iter().filter(|p| p.2 > 0.3).map(|p| p.0).collect();
        columns.sort_unstable();
        columns.dedup();
        let gap = columns
            .windows(2)
            .map(|w| w[1] - w[0] - 1)
            .max()
            .unwrap_or(0);
        (columns[0], *columns.last().unwrap(), gap)
    }

    #[test]
    fn the_gap_after_a_period_is_no_wider_than_before_it() {
        let font = FontRef::try_from_slice(FONT).unwrap();
        let size = 23.4; // 13 px ticks × 1.2 × PNG scale 1.5
        // The blank columns on either side of "." in "0.4": the glyph sits in the middle of
        // its advance, so the gaps differ by a pixel or two at most (plotters' own drawing
        // left about 4 pixels more after it than before).
        let scaled = font.as_scaled(size);
        let zero = scaled.h_advance(scaled.glyph_id('0'));
        let pixels = glyph_pixels(&font, size, "0.4");
        let mut columns: Vec<i32> = pixels.iter().filter(|p| p.2 > 0.3).map(|p| p.0).collect();
        columns.sort_unstable();
        columns.dedup();
        let runs: Vec<(i32, i32)> = columns.iter().fold(Vec::new(), |mut runs, &x| {
            match runs.last_mut() {
                Some((_, end)) if *end + 1 == x => *end = x,
                _ => runs.push((x, x)),
            }
            runs
        });
        assert_eq!(runs.len(), 3, "three glyphs apart: {runs:?}");
        let before = runs[1].0 - runs[0].1 - 1;
        let after = runs[2].0 - runs[1].1 - 1;
        assert!(
            (after - before).abs() <= 2,
            "blank columns before '.' {before}, after {after}"
        );
        assert!(
            runs[1].0 as f32 > zero - 1.0,
            "the period starts after the zero's advance"
        );
    }

    #[test]
    fn text_starts_at_its_left_side_bearing_and_spans_its_advance() {
        let font = FontRef::try_from_slice(FONT).unwrap();
        let size = 20.0;
        let scaled = font.as_scaled(size);
        let (first, last, _) = widest_gap(&glyph_pixels(&font, size, "(x)"));
        let advance: f32 = "(x)"
            .chars()
            .map(|c| scaled.h_advance(scaled.glyph_id(c)))
            .sum();
        // "(" has a left side bearing of about a tenth of an em.
        assert!(first >= 1, "ink starts after the bearing, at {first}");
        assert!(
            (last as f32) < advance,
            "ink ends within the advance, at {last}"
        );
    }
}
