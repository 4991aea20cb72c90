//! Plots as SVG documents: pure functions from a plan, an outcome or a sweep's table to the
//! text of an SVG file (drawn with `plotters`' SVG backend; text stays SVG `<text>`, so no
//! font is needed to make them).
//!
//! - [`hypnogram`]: the phases of a plan or of a run as levels over time, like a sleep
//!   hypnogram;
//! - [`accuracy`]: accuracy per task across the measurements of a run;
//! - [`foraging`]: an agent's performance over the aeons of a run with environment phases;
//! - [`weights`]: weight histograms of every projection before and after each sleep phase;
//! - [`raster`]: a recorded population's spikes during one op, with its rate under it;
//! - [`receptive_fields`]: the input weights of each neuron of a projection as images;
//! - [`sweep`]: a sweep's final values against the swept constant, mean and spread over seeds.

pub mod accuracy;
pub mod foraging;
pub mod hypnogram;
mod png;
pub mod raster;
pub mod receptive_fields;
pub mod sweep;
pub mod weights;

use crate::outcome::Outcome;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Why a plot could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PlotError(pub String);

impl PlotError {
    fn drawing<E: std::fmt::Debug>(e: E) -> PlotError {
        PlotError(format!("drawing failed: {e:?}"))
    }
}

/// The files `somnia plot outcome.json` (and `run --plots`) write: the hypnogram always (in
/// biological time when the run simulated some, and then in wall time too when the outcome
/// has timings), the accuracy plot when accuracy was measured, the weight histograms when a
/// sleep phase ran, the foraging performance when a phase ran in an environment.
pub fn outcome_plots(o: &Outcome) -> Result<Vec<(&'static str, String)>, PlotError> {
    let mut files = vec![("hypnogram.svg", hypnogram::outcome_svg(o)?)];
    if let Some(svg) = hypnogram::outcome_wall_svg(o)? {
        files.push(("hypnogram-wall.svg", svg));
    }
    if let Some(svg) = accuracy::svg(o)? {
        files.push(("accuracy.svg", svg));
    }
    if let Some(svg) = weights::svg(o)? {
        files.push(("weights.svg", svg));
    }
    if let Some(svg) = foraging::svg(o)? {
        files.push(("foraging.svg", svg));
    }
    Ok(files)
}

/// The font of every text.
const FONT: &str = "sans-serif";

/// A categorical palette (Tableau 10), for tasks and series.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

fn series_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Colours of the hypnogram's states.
const WAKE: RGBColor = RGBColor(240, 168, 48);
const NREM: RGBColor = RGBColor(49, 99, 170);
const REM: RGBColor = RGBColor(155, 89, 182);
const PERTURB: RGBColor = RGBColor(214, 39, 40);
const GREY: RGBColor = RGBColor(120, 120, 120);
const LIGHT: RGBColor = RGBColor(235, 235, 235);

fn font(size: u32) -> TextStyle<'static> {
    (FONT, size).into_font().color(&BLACK)
}

fn anchored(style: TextStyle<'static>, h: HPos, v: VPos) -> TextStyle<'static> {
    style.pos(Pos::new(h, v))
}

/// Text width in pixels, roughly (the SVG is laid out by the browser).
fn text_width(text: &str, size: u32) -> f64 {
    text.chars().count() as f64 * size as f64 * 0.55
}

/// `text`, cut to `max` pixels at `size` with an ellipsis, or `None` when not even one
/// character fits.
fn fit(text: &str, size: u32, max: f64) -> Option<String> {
    if text_width(text, size) <= max {
        return Some(text.to_string());
    }
    let keep = (max / (size as f64 * 0.55)) as usize;
    if keep < 2 {
        return None;
    }
    let mut t: String = text.chars().take(keep - 1).collect();
    t.push('…');
    Some(t)
}

/// A legend entry: a colour and its text.
struct Entry {
    color: RGBColor,
    text: String,
    /// Drawn as a filled box (areas) instead of a line (series).
    filled: bool,
}

/// Draws a legend as a column of entries from `(x, y)` (pixels of `area`).
fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    (x, y): (i32, i32),
    entries: &[Entry],
) -> Result<(), PlotError> {
    for (i, e) in entries.iter().enumerate() {
        let y = y + 18 * i as i32;
        if e.filled {
            area.draw(&Rectangle::new(
                [(x, y - 6), (x + 18, y + 6)],
                e.color.filled(),
            ))
            .map_err(PlotError::drawing)?;
        } else {
            area.draw(&PathElement::new(
                vec![(x, y), (x + 18, y)],
                e.color.stroke_width(3),
            ))
            .map_err(PlotError::drawing)?;
        }
        area.draw(&Text::new(
            e.text.clone(),
            (x + 24, y),
            anchored(font(12), HPos::Left, VPos::Center),
        ))
        .map_err(PlotError::drawing)?;
    }
    Ok(())
}

/// Seconds in the unit that reads best for a span of `total` seconds: the divisor and name.
fn time_unit(total: f64) -> (f64, &'static str) {
    if total >= 7200.0 {
        (3600.0, "h")
    } else if total >= 120.0 {
        (60.0, "min")
    } else {
        (1.0, "s")
    }
}

/// Replaces what a file name should not hold: `weights.mean` stays, `a/b` becomes `a_b`.
pub fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitting_text_cuts_with_an_ellipsis_or_gives_up() {
        assert_eq!(fit("nap", 12, 100.0).as_deref(), Some("nap"));
        assert_eq!(fit("consolidate", 10, 30.0).as_deref(), Some("cons…"));
        assert_eq!(fit("consolidate", 12, 5.0), None);
    }

    #[test]
    fn file_names_keep_dots_and_dashes() {
        assert_eq!(file_safe("weights.mean"), "weights.mean");
        assert_eq!(file_safe("a/b c"), "a_b_c");
    }
}
