//! Accuracy per task across a run: one line per task over the measurements that recorded
//! accuracy (x: the measurement, labelled by its label and the phase it followed; y: accuracy
//! in %), the group's accuracy (`all`) in black, and a shaded column behind the measurements
//! taken right after a sleep phase.

use super::{Entry, FONT, GREY, LIGHT, PlotError, anchored, fit, font, legend, series_color};
use crate::outcome::Outcome;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use std::collections::BTreeMap;

/// One measurement that recorded accuracy.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// Its index among all measurements of the run.
    pub measure: usize,
    pub label: Option<String>,
    /// The phase call it followed (`consolidate#2`), empty before any phase.
    pub after: String,
    /// Whether that phase was a sleep phase (`nrem`, `rem`).
    pub after_sleep: bool,
}

/// The accuracy of one task (or `all`) at the measurements that measured it.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub task: String,
    /// (index into the measurements, accuracy as a fraction)
    pub points: Vec<(usize, f64)>,
}

/// What the accuracy plot shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Accuracy {
    pub title: String,
    pub measurements: Vec<Measurement>,
    /// The tasks in the order first measured, then `all` when a group was measured.
    pub series: Vec<Series>,
}

/// The accuracies of an outcome, or `None` when it measured none.
pub fn of_outcome(o: &Outcome) -> Option<Accuracy> {
    let rows: Vec<_> = o
        .timeline
        .iter()
        .filter(|r| r.metric == "accuracy" && r.value.is_finite())
        .collect();
    if rows.is_empty() {
        return None;
    }
    let kinds: BTreeMap<&str, &str> = o
        .ops
        .iter()
        .map(|op| (op.name.as_str(), op.kind.as_str()))
        .collect();
    let mut measurements: Vec<Measurement> = Vec::new();
    let mut series: Vec<Series> = Vec::new();
    let mut all = Series {
        task: "all".into(),
        points: Vec::new(),
    };
    for r in rows {
        if measurements.last().map(|m| m.measure) != Some(r.measure) {
            measurements.push(Measurement {
                measure: r.measure,
                label: r.label.clone(),
                after: r.after.clone(),
                after_sleep: matches!(kinds.get(r.after.as_str()), Some(&("nrem" | "rem"))),
            });
        }
        let i = measurements.len() - 1;
        let s = if r.task == "all" {
            &mut all
        } else {
            match series.iter().position(|s| s.task == r.task) {
                Some(k) => &mut series[k],
                None => {
                    series.push(Series {
                        task: r.task.clone(),
                        points: Vec::new(),
                    });
                    series.last_mut().expect("just pushed")
                }
            }
        };
        // A second accuracy of one task at one measurement (another readout) replaces it.
        match s.points.last_mut() {
            Some(p) if p.0 == i => p.1 = r.value,
            _ => s.points.push((i, r.value)),
        }
    }
    if !all.points.is_empty() {
        series.push(all);
    }
    Some(Accuracy {
        title: format!("{} · run, seed {}", o.protocol, o.seed),
        measurements,
        series,
    })
}

/// The SVG of an outcome's accuracies, or `None` when it measured none.
pub fn svg(o: &Outcome) -> Result<Option<String>, PlotError> {
    of_outcome(o).map(|a| draw(&a)).transpose()
}

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 520;
const SLEPT: RGBColor = RGBColor(222, 232, 246);

/// Draws an accuracy plot.
pub fn draw(a: &Accuracy) -> Result<String, PlotError> {
    let n = a.measurements.len().max(1);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(PlotError::drawing)?;
        let (main, side) = root.split_horizontally(WIDTH - 170);
        let mut chart = ChartBuilder::on(&main)
            .caption(format!("Accuracy per task — {}", a.title), (FONT, 20))
            .margin(12)
            .set_label_area_size(LabelAreaPosition::Left, 60)
            .set_label_area_size(LabelAreaPosition::Bottom, 70)
            .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..100.0)
            .map_err(PlotError::drawing)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(0)
            .y_labels(11)
            .light_line_style(LIGHT.mix(0.5))
            .bold_line_style(LIGHT)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .y_desc("accuracy (%)")
            .x_desc("measurement (in run order: label · after phase)")
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .draw()
            .map_err(PlotError::drawing)?;
        for (i, m) in a.measurements.iter().enumerate() {
            if m.after_sleep {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(i as f64 - 0.5, 0.0), (i as f64 + 0.5, 100.0)],
                        SLEPT.filled(),
                    )))
                    .map_err(PlotError::drawing)?;
            }
        }
        let mut entries = Vec::new();
        let mut k = 0;
        for s in &a.series {
            let (color, width) = if s.task == "all" {
                (BLACK, 3)
            } else {
                k += 1;
                (series_color(k - 1), 2)
            };
            let points: Vec<(f64, f64)> = s
                .points
                .iter()
                .map(|&(i, v)| (i as f64, 100.0 * v))
                .collect();
            chart
                .draw_series(LineSeries::new(
                    points.iter().copied(),
                    color.stroke_width(width),
                ))
                .map_err(PlotError::drawing)?;
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&p| Circle::new(p, width + 1, color.filled())),
                )
                .map_err(PlotError::drawing)?;
            entries.push(Entry {
                color,
                text: if s.task == "all" {
                    "all (group)".into()
                } else {
                    s.task.clone()
                },
                filled: false,
            });
        }
        if a.measurements.iter().any(|m| m.after_sleep) {
            entries.push(Entry {
                color: SLEPT,
                text: "after a sleep".into(),
                filled: true,
            });
        }
        legend(&side, (6, 50), &entries)?;
        // Tick labels: the measurement's label over the phase it followed, thinned out when
        // they would overlap.
        let plot_px = chart.plotting_area().dim_in_pixel().0 as f64;
        let slot = plot_px / n as f64;
        let widest = a
            .measurements
            .iter()
            .map(|m| super::text_width(&tick(m).0, 11).max(super::text_width(&m.after, 10)))
            .fold(0.0, f64::max)
            .min(140.0);
        let every = ((widest + 8.0) / slot).ceil().max(1.0) as usize;
        for (i, m) in a.measurements.iter().enumerate() {
            if i % every != 0 {
                continue;
            }
            let (cx, cy) = chart.backend_coord(&(i as f64, 0.0));
            let room = slot * every as f64 - 4.0;
            let (top, bottom) = tick(m);
            if let Some(t) = fit(&top, 11, room) {
                main.draw(&Text::new(
                    t,
                    (cx, cy + 8),
                    anchored(font(11), HPos::Center, VPos::Top),
                ))
                .map_err(PlotError::drawing)?;
            }
            if let Some(t) = fit(&bottom, 10, room) {
                main.draw(&Text::new(
                    t,
                    (cx, cy + 22),
                    anchored(font(10), HPos::Center, VPos::Top).color(&GREY),
                ))
                .map_err(PlotError::drawing)?;
            }
        }
        root.present().map_err(PlotError::drawing)?;
    }
    Ok(out)
}

/// The two lines under a measurement: its label (or `#index`) and the phase it followed.
fn tick(m: &Measurement) -> (String, String) {
    let top = m.label.clone().unwrap_or_else(|| format!("#{}", m.measure));
    let bottom = if m.after.is_empty() {
        "start".to_string()
    } else {
        m.after.clone()
    };
    (top, bottom)
}
