//! Drawing a hypnogram: the levels, the blocks with their names, the step line through
//! them, the marks and loops, a legend and the span.

use super::{Hypnogram, State};
use crate::plan::timeline::seconds;
use crate::plot::{
    Entry, FONT, GREY, LIGHT, PlotError, anchored, fit, font, legend, text_width, time_unit,
};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 440;
/// Height of a block within its level (levels are 1 apart).
const BLOCK: f64 = 0.6;

/// Draws a hypnogram.
pub fn svg(h: &Hypnogram) -> Result<String, PlotError> {
    // The span is where the last op ends (`total`), not where the last mark is drawn: a
    // mark sits in the middle of its measurement.
    let end = h
        .blocks
        .iter()
        .map(|b| b.end)
        .chain(h.loops.iter().map(|l| l.end))
        .fold(h.total, f64::max);
    let (div, unit) = if h.seconds { time_unit(end) } else { (1.0, "") };
    let total = if end > 0.0 { end / div } else { 1.0 };
    let x = |v: f64| v / div;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(PlotError::drawing)?;
        let body = root
            .titled(&format!("Hypnogram — {}", h.title), (FONT, 22))
            .map_err(PlotError::drawing)?;
        let (main, side) = body.split_horizontally(WIDTH - 130);
        let mut chart = ChartBuilder::on(&main)
            .margin(12)
            .margin_top(24)
            .set_label_area_size(LabelAreaPosition::Left, 90)
            .set_label_area_size(LabelAreaPosition::Bottom, 45)
            .build_cartesian_2d(0.0..total, -0.5..3.6)
            .map_err(PlotError::drawing)?;
        let mut x_desc = if unit.is_empty() {
            h.axis.to_string()
        } else {
            format!("{} ({unit})", h.axis)
        };
        if let Some(note) = &h.note {
            x_desc.push_str(&format!(" · {note}"));
        }
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(10)
            .light_line_style(LIGHT.mix(0.6))
            .bold_line_style(LIGHT)
            .x_desc(x_desc)
            .y_desc("state (sleep stage)")
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .draw()
            .map_err(PlotError::drawing)?;

        // Loops: a shaded band over the body, drawn once.
        for l in &h.loops {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x(l.start), -0.45), (x(l.end), 3.55)],
                    RGBColor(246, 240, 220).filled(),
                )))
                .map_err(PlotError::drawing)?;
            chart
                .draw_series(std::iter::once(Text::new(
                    format!("until … (at most {}×)", l.max),
                    (x(l.start), 3.55),
                    anchored(font(11), HPos::Left, VPos::Top).color(&GREY),
                )))
                .map_err(PlotError::drawing)?;
        }
        // A faint guide at each level.
        for s in State::ALL {
            chart
                .draw_series(LineSeries::new(
                    [(0.0, s.level()), (total, s.level())],
                    LIGHT.stroke_width(1),
                ))
                .map_err(PlotError::drawing)?;
        }
        // The step line through the states, as in a hypnogram.
        let mut path: Vec<(f64, f64)> = Vec::new();
        for b in &h.blocks {
            if let Some(&(_, last)) = path.last() {
                path.push((x(b.start), last));
            }
            path.push((x(b.start), b.state.level()));
            path.push((x(b.end), b.state.level()));
        }
        chart
            .draw_series(LineSeries::new(path, BLACK.mix(0.55).stroke_width(1)))
            .map_err(PlotError::drawing)?;
        // The blocks; the briefest still show.
        let min_width = total * 0.004;
        let plot_px = chart.plotting_area().dim_in_pixel().0 as f64;
        let mut outside = [f64::NEG_INFINITY; 4];
        for b in &h.blocks {
            let (x0, x1) = (x(b.start), x(b.end).max(x(b.start) + min_width));
            let y = b.state.level();
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x0, y - BLOCK / 2.0), (x1, y + BLOCK / 2.0)],
                    if b.stand_in {
                        b.state.color().mix(0.35).filled()
                    } else {
                        b.state.color().filled()
                    },
                )))
                .map_err(PlotError::drawing)?;
            let px = (x1 - x0) / total * plot_px - 4.0;
            let mid = (x0 + x1) / 2.0;
            let text_color = if b.state == State::Wake || b.stand_in {
                BLACK
            } else {
                WHITE
            };
            let inside = fit(&b.name, 12, px).filter(|t| *t == b.name || t.chars().count() >= 6);
            match inside {
                Some(name) => {
                    let at = if b.detail.is_empty() { y } else { y + 0.1 };
                    chart
                        .draw_series(std::iter::once(Text::new(
                            name,
                            (mid, at),
                            anchored(font(12), HPos::Center, VPos::Center).color(&text_color),
                        )))
                        .map_err(PlotError::drawing)?;
                    if let Some(detail) = fit(&b.detail, 10, px).filter(|d| *d == b.detail) {
                        chart
                            .draw_series(std::iter::once(Text::new(
                                detail,
                                (mid, y - 0.14),
                                anchored(font(10), HPos::Center, VPos::Center).color(&text_color),
                            )))
                            .map_err(PlotError::drawing)?;
                    }
                }
                None => {
                    // Too narrow: the name under the block, unless it would run into the
                    // last one written there.
                    let w = text_width(&b.name, 11);
                    let centre = mid / total * plot_px;
                    let free = &mut outside[b.state.level() as usize];
                    if centre - w / 2.0 > *free {
                        *free = centre + w / 2.0 + 6.0;
                        chart
                            .draw_series(std::iter::once(Text::new(
                                b.name.clone(),
                                (mid, y - BLOCK / 2.0 - 0.04),
                                anchored(font(11), HPos::Center, VPos::Top).color(&b.state.color()),
                            )))
                            .map_err(PlotError::drawing)?;
                    }
                }
            }
        }
        // Measurements, checkpoints and restores: a line over the levels, labelled on top
        // where the label has room.
        let mut free_from = f64::NEG_INFINITY;
        for m in &h.marks {
            let color = match m.kind {
                "measure" => GREY,
                _ => BLACK,
            };
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x(m.at), -0.45), (x(m.at), 3.45)],
                    color.mix(0.7).stroke_width(1),
                )))
                .map_err(PlotError::drawing)?;
            let text = match m.kind {
                "measure" if m.label.is_empty() => "measure".to_string(),
                "measure" => m.label.clone(),
                kind => format!("{kind} {}", m.label),
            };
            let px = x(m.at) / total * plot_px;
            let w = text_width(&text, 10);
            if px - w / 2.0 > free_from {
                free_from = px + w / 2.0 + 6.0;
                let (cx, cy) = chart.backend_coord(&(x(m.at), 3.6));
                root.draw(&Text::new(
                    text,
                    (cx, cy - 4),
                    anchored(font(10), HPos::Center, VPos::Bottom).color(&color),
                ))
                .map_err(PlotError::drawing)?;
            }
        }
        // The states' names beside their levels.
        for s in State::ALL {
            let (cx, cy) = chart.backend_coord(&(0.0, s.level()));
            root.draw(&Text::new(
                s.name(),
                (cx - 8, cy),
                anchored(font(13), HPos::Right, VPos::Center),
            ))
            .map_err(PlotError::drawing)?;
        }
        let mut entries: Vec<Entry> = State::ALL
            .iter()
            .rev()
            .map(|s| Entry {
                color: s.color(),
                text: s.name().to_string(),
                filled: true,
            })
            .collect();
        entries.push(Entry {
            color: GREY,
            text: "measure".into(),
            filled: false,
        });
        legend(&side, (6, 60), &entries)?;
        let phases = h.blocks.len();
        let span = if h.seconds {
            seconds(end)
        } else {
            format!("{} ops", h.blocks.len() + h.marks.len())
        };
        side.draw(&Text::new(
            format!(
                "{phases} phase{} · {span}",
                if phases == 1 { "" } else { "s" }
            ),
            (6, 60 + 18 * entries.len() as i32 + 10),
            anchored(font(11), HPos::Left, VPos::Center).color(&GREY),
        ))
        .map_err(PlotError::drawing)?;
        root.present().map_err(PlotError::drawing)?;
    }
    Ok(out)
}
