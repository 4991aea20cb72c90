//! Weight histograms before and after each sleep phase: one panel per sleep phase (rows) and
//! projection (columns), the histogram before the phase in grey, after it as a coloured line
//! (NREM blue, REM purple). y is a density — the share of the projection's synapses in a bin
//! divided by the bin's width — so histograms on different bins (outcomes written before
//! before and after shared their bins) still compare: the area under each is 1.

use super::{Entry, FONT, LIGHT, NREM, PlotError, REM, anchored, font, legend};
use crate::outcome::{Histogram, Outcome, WeightChange};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// At most this many sleep phases are drawn (evenly chosen, first and last included).
pub const MAX_ROWS: usize = 8;
/// At most this many projections are drawn (the first ones of the network).
pub const MAX_COLUMNS: usize = 4;

/// One sleep phase's histograms.
#[derive(Debug, Clone, PartialEq)]
pub struct Sleep<'o> {
    pub index: usize,
    /// `consolidate#0`
    pub name: &'o str,
    /// `nrem` or `rem`
    pub kind: &'o str,
    /// (projection, histograms), in the chosen projections' order.
    pub weights: Vec<(&'o str, &'o WeightChange)>,
}

/// What the weight plot shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights<'o> {
    pub title: String,
    pub projections: Vec<&'o str>,
    pub sleeps: Vec<Sleep<'o>>,
    /// How many sleep phases recorded histograms (more than `sleeps` when thinned).
    pub recorded: usize,
    /// How many projections had histograms (more than `projections` when cut).
    pub all_projections: usize,
}

/// The histograms of an outcome, or `None` when no sleep phase recorded any.
pub fn of_outcome(o: &Outcome) -> Option<Weights<'_>> {
    let slept: Vec<_> = o.ops.iter().filter(|op| !op.weights.is_empty()).collect();
    if slept.is_empty() {
        return None;
    }
    let mut projections: Vec<&str> = Vec::new();
    for op in &slept {
        for w in &op.weights {
            if !projections.contains(&w.projection.as_str()) {
                projections.push(&w.projection);
            }
        }
    }
    let all_projections = projections.len();
    projections.truncate(MAX_COLUMNS);
    let chosen = spread(slept.len(), MAX_ROWS);
    let sleeps = chosen
        .into_iter()
        .map(|i| {
            let op = slept[i];
            Sleep {
                index: op.index,
                name: &op.name,
                kind: &op.kind,
                weights: projections
                    .iter()
                    .filter_map(|p| {
                        op.weights
                            .iter()
                            .find(|w| w.projection == *p)
                            .map(|w| (*p, w))
                    })
                    .collect(),
            }
        })
        .collect();
    Some(Weights {
        title: format!("{} · run, seed {}", o.protocol, o.seed),
        projections,
        sleeps,
        recorded: slept.len(),
        all_projections,
    })
}

/// `k` indices out of `n`, evenly spread, first and last included.
fn spread(n: usize, k: usize) -> Vec<usize> {
    if n <= k {
        return (0..n).collect();
    }
    let mut v: Vec<usize> = (0..k)
        .map(|i| ((i as f64) * (n - 1) as f64 / (k - 1) as f64).round() as usize)
        .collect();
    v.dedup();
    v
}

/// The SVG of an outcome's weight histograms, or `None` when none were recorded.
pub fn svg(o: &Outcome) -> Result<Option<String>, PlotError> {
    of_outcome(o).map(|w| draw(&w)).transpose()
}

const WIDTH: u32 = 1000;
const HEADER: u32 = 70;
const ROW: u32 = 210;
const BEFORE: RGBColor = RGBColor(160, 160, 160);

/// Draws the weight histograms.
pub fn draw(w: &Weights) -> Result<String, PlotError> {
    let rows = w.sleeps.len().max(1);
    let cols = w.projections.len().max(1);
    let height = HEADER + ROW * rows as u32;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(PlotError::drawing)?;
        let (header, body) = root.split_vertically(HEADER);
        header
            .draw(&Text::new(
                format!("Weights before and after each sleep — {}", w.title),
                (WIDTH as i32 / 2, 8),
                anchored(font(20), HPos::Center, VPos::Top),
            ))
            .map_err(PlotError::drawing)?;
        let mut note = Vec::new();
        if w.recorded > w.sleeps.len() {
            note.push(format!("{} of {} sleeps shown", w.sleeps.len(), w.recorded));
        }
        if w.all_projections > w.projections.len() {
            note.push(format!(
                "{} of {} projections shown",
                w.projections.len(),
                w.all_projections
            ));
        }
        note.push(
            "x: weight · y: density (share of the projection's synapses per unit of weight)".into(),
        );
        header
            .draw(&Text::new(
                note.join(" · "),
                (WIDTH as i32 / 2, 34),
                anchored(font(11), HPos::Center, VPos::Top).color(&super::GREY),
            ))
            .map_err(PlotError::drawing)?;
        legend(
            &header,
            (20, 42),
            &[Entry {
                color: BEFORE,
                text: "before".into(),
                filled: true,
            }],
        )?;
        legend(
            &header,
            (110, 42),
            &[Entry {
                color: NREM,
                text: "after NREM".into(),
                filled: false,
            }],
        )?;
        legend(
            &header,
            (230, 42),
            &[Entry {
                color: REM,
                text: "after REM".into(),
                filled: false,
            }],
        )?;
        let panels = body.split_evenly((rows, cols));
        for (r, sleep) in w.sleeps.iter().enumerate() {
            for (c, proj) in w.projections.iter().enumerate() {
                let area = &panels[r * cols + c];
                match sleep.weights.iter().find(|(p, _)| p == proj) {
                    Some((_, change)) => panel(area, sleep, proj, change)?,
                    None => {
                        area.draw(&Text::new(
                            format!("{} · {proj}: not recorded", sleep.name),
                            (10, 20),
                            font(12),
                        ))
                        .map_err(PlotError::drawing)?;
                    }
                }
            }
        }
        root.present().map_err(PlotError::drawing)?;
    }
    Ok(out)
}

/// The x range of a panel: both histograms, widened when every weight is equal.
fn range(a: &Histogram, b: &Histogram) -> (f64, f64) {
    let lo = a.min.min(b.min);
    let hi = a.max.max(b.max);
    if hi > lo {
        let pad = (hi - lo) * 0.02;
        (lo - pad, hi + pad)
    } else {
        let half = (lo.abs() * 0.1).max(1e-3);
        (lo - half, hi + half)
    }
}

/// The bins of a histogram as (left, right, density): the share of the values in the bin
/// over its width, in 1 / weight unit.
pub fn bars(h: &Histogram) -> Vec<(f64, f64, f64)> {
    let total = h.total().max(1) as f64;
    let edges = h.edges();
    if h.max <= h.min {
        // One bin of zero width: a thin bar at the value, its area the share.
        let w = (h.min.abs() * 0.01).max(1e-4);
        return h
            .counts
            .iter()
            .map(|&c| (h.min - w, h.min + w, c as f64 / total / (2.0 * w)))
            .collect();
    }
    h.counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let width = edges[i + 1] - edges[i];
            (edges[i], edges[i + 1], c as f64 / total / width)
        })
        .collect()
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    sleep: &Sleep,
    proj: &str,
    change: &WeightChange,
) -> Result<(), PlotError> {
    let (lo, hi) = range(&change.before, &change.after);
    let before = bars(&change.before);
    let after = bars(&change.after);
    let peak = before.iter().chain(&after).map(|b| b.2).fold(0.0, f64::max);
    let top = if peak > 0.0 { peak * 1.25 } else { 1.0 };
    let color = if sleep.kind == "rem" { REM } else { NREM };
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!(
                "{} ({}) · {proj}",
                sleep.name,
                if sleep.kind == "rem" { "REM" } else { "NREM" }
            ),
            (FONT, 13),
        )
        .margin(8)
        .set_label_area_size(LabelAreaPosition::Left, 58)
        .set_label_area_size(LabelAreaPosition::Bottom, 40)
        .build_cartesian_2d(lo..hi, 0.0..top)
        .map_err(PlotError::drawing)?;
    chart
        .configure_mesh()
        .x_labels(5)
        .y_labels(4)
        .light_line_style(LIGHT.mix(0.5))
        .bold_line_style(LIGHT)
        // Tick positions are sums of steps: a zero tick can come out as -1.4e-17.
        .x_label_formatter(&|v| short(if v.abs() < (hi - lo) * 1e-9 { 0.0 } else { *v }))
        .y_label_formatter(&|v| short(*v))
        .x_desc("weight")
        .y_desc("density (1/weight unit)")
        .axis_desc_style((FONT, 10))
        .label_style((FONT, 10))
        .draw()
        .map_err(PlotError::drawing)?;
    chart
        .draw_series(
            before
                .iter()
                .map(|&(a, b, v)| Rectangle::new([(a, 0.0), (b, v)], BEFORE.mix(0.6).filled())),
        )
        .map_err(PlotError::drawing)?;
    let mut steps = Vec::with_capacity(2 * after.len() + 2);
    if let Some(&(a, _, _)) = after.first() {
        steps.push((a, 0.0));
    }
    for &(a, b, v) in &after {
        steps.push((a, v));
        steps.push((b, v));
    }
    if let Some(&(_, b, _)) = after.last() {
        steps.push((b, 0.0));
    }
    chart
        .draw_series(LineSeries::new(steps, color.stroke_width(2)))
        .map_err(PlotError::drawing)?;
    let (b, a) = (&change.before, &change.after);
    chart
        .draw_series(std::iter::once(Text::new(
            format!(
                "mean {} → {} · sd {} → {}",
                short(b.mean),
                short(a.mean),
                short(b.std),
                short(a.std)
            ),
            (lo + (hi - lo) * 0.02, top * 0.98),
            anchored(font(10), HPos::Left, VPos::Top).color(&BLACK),
        )))
        .map_err(PlotError::drawing)?;
    Ok(())
}

/// A number in at most 4 significant digits: `0.01234`, `-1.5`, `2.3e-5`.
pub(super) fn short(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let a = v.abs();
    if !(1e-3..1e4).contains(&a) {
        return format!("{v:.1e}");
    }
    let digits = (3 - a.log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreading_keeps_the_first_and_the_last() {
        assert_eq!(spread(3, 8), vec![0, 1, 2]);
        let v = spread(20, 8);
        assert_eq!(v.len(), 8);
        assert_eq!((v[0], v[7]), (0, 19));
    }

    #[test]
    fn bars_are_densities_whose_area_is_one() {
        let narrow = Histogram::of([0.0, 0.1, 0.1, 0.2].into_iter());
        let (_, wide) = Histogram::pair([0.0].into_iter(), [0.0, 0.1, 0.1, 0.2, 2.0].into_iter());
        for h in [&narrow, &wide] {
            let area: f64 = bars(h).iter().map(|(a, b, d)| (b - a) * d).sum();
            assert!((area - 1.0).abs() < 1e-9, "{area}");
        }
        // One value of four in a bin of width 0.005: density 0.25 / 0.005 = 50.
        assert!((bars(&narrow)[0].2 - 50.0).abs() < 1e-9);
        let one = Histogram::of([0.5, 0.5].into_iter());
        let [(a, b, d)] = bars(&one)[..] else {
            panic!()
        };
        assert!(((b - a) * d - 1.0).abs() < 1e-9);
    }

    #[test]
    fn short_numbers() {
        assert_eq!(short(0.0125), "0.0125");
        assert_eq!(short(-1.5), "-1.5");
        assert_eq!(short(2.3e-5), "2.3e-5");
        assert_eq!(short(0.0), "0");
    }
}
