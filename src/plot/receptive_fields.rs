//! Receptive fields: the input weights of each neuron of a projection from an image input,
//! each drawn as an image of the input's shape, in a grid (Diehl & Cook 2015, Fig. 2: 400
//! neurons × 28 × 28 weights → a 20 × 20 grid of 28 × 28 images), with a colour bar of the
//! weight range. One colour scale serves the whole grid, so fields compare with each other.
//!
//! The weights are a `post × pre` matrix as `run --save-weights` writes it: row `i` holds the
//! weights into neuron `i`, pixel by pixel in the image's row-major order.

use super::png;
use super::{FONT, GREY, PlotError, anchored, font};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// At most this many neurons are drawn (the first ones): Diehl & Cook's 400.
pub const MAX_FIELDS: usize = 400;

/// What the figure shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Fields<'w> {
    /// `dc100, seed 1`.
    pub run: String,
    /// `px->exc`.
    pub projection: String,
    /// When the weights were saved (`end`, `op007-consolidate-2`).
    pub when: String,
    /// `post × pre` weights, row-major.
    pub weights: &'w [f32],
    pub post: usize,
    /// `(rows, cols)` of the input image: `rows × cols` is `pre`.
    pub image: (usize, usize),
    /// Said under the title when the image shape is a guess (a perfect square).
    pub shape_note: Option<String>,
}

const WIDTH: u32 = 900;
const HEADER: u32 = 80;
/// The grid's side in pixels.
const GRID: u32 = 760;
const GAP: u32 = 2;
const BAR_X: i32 = 810;
const BAR_W: i32 = 22;

/// The colour scale: sequential (viridis) from the smallest to the largest weight when no
/// weight is negative, else diverging (blue, white, red) symmetric around 0.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Scale {
    lo: f32,
    hi: f32,
    signed: bool,
}

impl Scale {
    fn of(w: &[f32]) -> Scale {
        let (lo, hi) = w
            .iter()
            .filter(|v| v.is_finite())
            .fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| {
                (a.min(v), b.max(v))
            });
        if !lo.is_finite() {
            return Scale {
                lo: 0.0,
                hi: 1.0,
                signed: false,
            };
        }
        if lo < 0.0 {
            let m = lo.abs().max(hi.abs()).max(f32::MIN_POSITIVE);
            return Scale {
                lo: -m,
                hi: m,
                signed: true,
            };
        }
        let hi = if hi > lo {
            hi
        } else {
            lo + 1e-6_f32.max(lo.abs() * 1e-3)
        };
        Scale {
            lo,
            hi,
            signed: false,
        }
    }

    fn color(&self, v: f32) -> RGBColor {
        let t = ((v - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0);
        if self.signed {
            // Blue (−) through white (0) to red (+).
            let (r, g, b) = if t < 0.5 {
                let u = t / 0.5;
                (lerp(33, 255, u), lerp(102, 255, u), lerp(172, 255, u))
            } else {
                let u = (t - 0.5) / 0.5;
                (lerp(255, 178, u), lerp(255, 24, u), lerp(255, 43, u))
            };
            RGBColor(r, g, b)
        } else {
            viridis(if t.is_finite() { t } else { 0.0 })
        }
    }
}

/// Viridis (matplotlib's default map: perceptually uniform, legible in grey), from its
/// values at ninths of the range, linearly between them.
fn viridis(t: f32) -> RGBColor {
    const AT: [(u8, u8, u8); 10] = [
        (68, 1, 84),
        (72, 40, 120),
        (62, 74, 137),
        (49, 104, 142),
        (38, 130, 142),
        (31, 158, 137),
        (53, 183, 121),
        (110, 206, 88),
        (181, 222, 43),
        (253, 231, 37),
    ];
    let x = t.clamp(0.0, 1.0) * (AT.len() - 1) as f32;
    let i = (x as usize).min(AT.len() - 2);
    let u = x - i as f32;
    let (a, b) = (AT[i], AT[i + 1]);
    RGBColor(lerp(a.0, b.0, u), lerp(a.1, b.1, u), lerp(a.2, b.2, u))
}

fn lerp(a: u8, b: u8, t: f32) -> u8 {
    (f32::from(a) + (f32::from(b) - f32::from(a)) * t).round() as u8
}

/// `(columns, rows)` of a grid of `n` cells, as square as it gets.
pub fn grid(n: usize) -> (usize, usize) {
    let cols = (n as f64).sqrt().ceil().max(1.0) as usize;
    (cols, n.div_ceil(cols).max(1))
}

/// Draws the receptive fields.
pub fn svg(f: &Fields) -> Result<String, PlotError> {
    let (rows, cols) = f.image;
    let pre = rows * cols;
    if pre == 0 || f.weights.len() != f.post * pre {
        return Err(PlotError(format!(
            "{}: {} weights are not {} neurons × {rows} × {cols} pixels",
            f.projection,
            f.weights.len(),
            f.post
        )));
    }
    let shown = f.post.min(MAX_FIELDS);
    let weights = &f.weights[..shown * pre];
    let scale = Scale::of(weights);
    let (gc, gr) = grid(shown);
    // Cells keep the image's aspect ratio; the grid fits in GRID × GRID.
    let cell = ((GRID - GAP * gc as u32) / gc as u32)
        .min((GRID - GAP * gr as u32) * cols as u32 / (gr as u32 * rows as u32).max(1))
        .max(1);
    let cell_h = (cell as usize * rows / cols).max(1) as u32;
    let height = HEADER + (cell_h + GAP) * gr as u32 + 40;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height.max(HEADER + 300)))
            .into_drawing_area();
        root.fill(&WHITE).map_err(PlotError::drawing)?;
        let first = if shown < f.post {
            format!("the first {shown} of {} neurons", f.post)
        } else {
            format!("{shown} neurons")
        };
        root.draw(&Text::new(
            format!(
                "Receptive fields — {} · {} at {}",
                f.run, f.projection, f.when
            ),
            (WIDTH as i32 / 2, 10),
            anchored(font(20), HPos::Center, VPos::Top),
        ))
        .map_err(PlotError::drawing)?;
        let mut sub = format!(
            "{first}: each cell is one neuron's {rows} × {cols} input weights, in the image's layout"
        );
        if let Some(note) = &f.shape_note {
            sub.push_str(&format!(" · {note}"));
        }
        root.draw(&Text::new(
            sub,
            (WIDTH as i32 / 2, 40),
            anchored(font(12), HPos::Center, VPos::Top).color(&GREY),
        ))
        .map_err(PlotError::drawing)?;
        colour_bar(&root, &scale, height.max(HEADER + 300))?;
        root.present().map_err(PlotError::drawing)?;
    }
    // The cells: one PNG image each, inserted before the document closes (plotters' SVG
    // backend draws bitmaps only with the `image` crate).
    let mut cells = String::new();
    for (i, field) in weights.chunks_exact(pre).enumerate() {
        let rgb: Vec<u8> = field
            .iter()
            .flat_map(|&v| {
                let c = scale.color(v);
                [c.0, c.1, c.2]
            })
            .collect();
        let uri = png::data_uri(&png::encode(cols as u32, rows as u32, &rgb));
        let x = 20 + (i % gc) as u32 * (cell + GAP);
        let y = HEADER + (i / gc) as u32 * (cell_h + GAP);
        cells.push_str(&format!(
            "<image class=\"field\" x=\"{x}\" y=\"{y}\" width=\"{cell}\" height=\"{cell_h}\" preserveAspectRatio=\"none\" style=\"image-rendering:pixelated\" href=\"{uri}\"><title>neuron {i}</title></image>\n"
        ));
    }
    let close = out
        .rfind("</svg>")
        .ok_or_else(|| PlotError("no </svg>".into()))?;
    out.insert_str(close, &cells);
    Ok(out)
}

/// A vertical colour bar right of the grid, labelled with the weight range.
fn colour_bar<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    scale: &Scale,
    height: u32,
) -> Result<(), PlotError> {
    let top = HEADER as i32;
    let bottom = (height as i32 - 60).min(top + GRID as i32);
    const STEPS: i32 = 100;
    let span = (bottom - top) as f32;
    for k in 0..STEPS {
        let y0 = bottom - ((k as f32) * span / STEPS as f32) as i32;
        let y1 = bottom - (((k + 1) as f32) * span / STEPS as f32) as i32;
        let v = scale.lo + (scale.hi - scale.lo) * (k as f32 + 0.5) / STEPS as f32;
        root.draw(&Rectangle::new(
            [(BAR_X, y1), (BAR_X + BAR_W, y0)],
            scale.color(v).filled(),
        ))
        .map_err(PlotError::drawing)?;
    }
    root.draw(&Rectangle::new(
        [(BAR_X, top), (BAR_X + BAR_W, bottom)],
        BLACK.stroke_width(1),
    ))
    .map_err(PlotError::drawing)?;
    let ticks = [
        (scale.lo, bottom),
        ((scale.lo + scale.hi) / 2.0, (top + bottom) / 2),
        (scale.hi, top),
    ];
    for (v, y) in ticks {
        root.draw(&Text::new(
            super::weights::short(f64::from(v)),
            (BAR_X + BAR_W + 5, y),
            anchored(font(11), HPos::Left, VPos::Center),
        ))
        .map_err(PlotError::drawing)?;
    }
    root.draw(&Text::new(
        "weight",
        (BAR_X + BAR_W / 2, bottom + 10),
        anchored(
            (FONT, 12).into_font().color(&BLACK),
            HPos::Center,
            VPos::Top,
        ),
    ))
    .map_err(PlotError::drawing)?;
    root.draw(&Text::new(
        "(synaptic weight, the",
        (BAR_X + BAR_W / 2, bottom + 26),
        anchored(font(9), HPos::Center, VPos::Top).color(&GREY),
    ))
    .map_err(PlotError::drawing)?;
    root.draw(&Text::new(
        "projection's own unit)",
        (BAR_X + BAR_W / 2, bottom + 37),
        anchored(font(9), HPos::Center, VPos::Top).color(&GREY),
    ))
    .map_err(PlotError::drawing)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grids_are_as_square_as_they_get() {
        assert_eq!(grid(400), (20, 20));
        assert_eq!(grid(100), (10, 10));
        assert_eq!(grid(10), (4, 3));
        assert_eq!(grid(1), (1, 1));
    }

    #[test]
    fn the_scale_is_sequential_for_positive_weights_and_symmetric_for_signed_ones() {
        let s = Scale::of(&[0.0, 0.5, 1.0]);
        assert!(!s.signed && s.lo == 0.0 && s.hi == 1.0);
        assert_eq!(s.color(0.0), RGBColor(68, 1, 84));
        assert_eq!(s.color(1.0), RGBColor(253, 231, 37));
        let d = Scale::of(&[-0.2, 0.5]);
        assert!(d.signed && d.lo == -0.5 && d.hi == 0.5);
        assert_eq!(d.color(0.0), RGBColor(255, 255, 255), "zero is white");
    }

    #[test]
    fn a_field_per_neuron_at_most_the_cap() {
        let w: Vec<f32> = (0..450 * 4).map(|i| (i % 7) as f32).collect();
        let f = Fields {
            run: "r, seed 1".into(),
            projection: "px->exc".into(),
            when: "end".into(),
            weights: &w,
            post: 450,
            image: (2, 2),
            shape_note: None,
        };
        let svg = svg(&f).unwrap();
        assert_eq!(svg.matches("<image class=\"field\"").count(), MAX_FIELDS);
        assert!(svg.contains("the first 400 of 450 neurons"));
        let bad = Fields { post: 3, ..f };
        assert!(
            super::svg(&bad).is_err(),
            "450 × 4 weights are not 3 × 2 × 2"
        );
    }
}
