//! Drawing a [`Foraging`] plot: lines per environment, sleep bands, measurement markers.

use super::{Foraging, LABEL_EACH, Mark};
use crate::plot::{
    Entry, FONT, GREY, LIGHT, PlotError, anchored, fit, font, legend, series_color, text_width,
};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 540;
const SIDE: u32 = 180;
/// The shading of sleep phases.
const SLEEP: RGBColor = RGBColor(214, 228, 248);
/// Lines with at most this many points also get a dot at each.
const DOTTED: usize = 40;
/// Values are written beside at most this many measurement markers.
const VALUES: usize = 24;
/// Pixels kept right of the run's end for the values measured there.
const VALUE_ROOM: f64 = 44.0;

/// An aeon number for the axis: whole when it is.
fn aeon_label(v: &f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// `text` in `room` pixels: whole at 11, 10 or 9 px, else cut with an ellipsis at 9 px; and
/// the size, or `None` when not even that fits.
fn shrink(text: &str, room: f64) -> Option<(String, u32)> {
    [11, 10, 9]
        .into_iter()
        .find(|&size| text_width(text, size) <= room)
        .map(|size| (text.to_string(), size))
        .or_else(|| fit(text, 9, room).map(|t| (t, 9)))
}

/// Draws a foraging plot.
pub fn draw(f: &Foraging) -> Result<String, PlotError> {
    let total = if f.aeons > 0.0 { f.aeons } else { 1.0 };
    let color_of = |e: &str| {
        f.environments
            .iter()
            .position(|x| x == e)
            .map_or(GREY, series_color)
    };
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(PlotError::drawing)?;
        let (main, side) = root.split_horizontally(WIDTH - SIDE);
        let title = format!("Foraging performance — {}", f.title);
        let title = fit(&title, 20, (WIDTH - SIDE) as f64 - 20.0).unwrap_or_default();
        main.draw(&Text::new(
            title,
            (((WIDTH - SIDE) / 2) as i32, 12),
            anchored(
                (FONT, 20).into_font().color(&BLACK),
                HPos::Center,
                VPos::Top,
            ),
        ))
        .map_err(PlotError::drawing)?;
        // Room above the plot for the strip of phases and their names.
        // Room right of the run's end for the values measured there.
        let plot_px = f64::from(WIDTH - SIDE) - 100.0;
        let pad = if f.marks.len() <= VALUES && f.marks.iter().any(|m| m.at >= total * 0.97) {
            total * VALUE_ROOM / (plot_px - VALUE_ROOM)
        } else {
            0.0
        };
        let mut chart = ChartBuilder::on(&main)
            .margin(12)
            .margin_top(64)
            .set_label_area_size(LabelAreaPosition::Left, 64)
            .set_label_area_size(LabelAreaPosition::Bottom, 46)
            .build_cartesian_2d(0.0..total + pad, 0.0..1.0)
            .map_err(PlotError::drawing)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_labels(11)
            .light_line_style(LIGHT.mix(0.5))
            .bold_line_style(LIGHT)
            .x_label_formatter(&aeon_label)
            .y_label_formatter(&|v| format!("{v:.1}"))
            .y_desc("performance (fraction: rewarded / (rewarded + punished))")
            .x_desc("time (aeons of 100 moves)")
            .axis_desc_style((FONT, 13))
            .label_style((FONT, 12))
            .draw()
            .map_err(PlotError::drawing)?;
        let (_, bottom) = chart.backend_coord(&(0.0, 0.0));
        let (_, top) = chart.backend_coord(&(0.0, 1.0));
        let strip = top - 12;
        // Sleep bands, adjacent sleeps (NREM then REM) as one, up through the strip.
        let mut bands: Vec<(f64, f64)> = Vec::new();
        for p in f.phases.iter().filter(|p| p.sleep && p.end > p.start) {
            match bands.last_mut() {
                Some(b) if (b.1 - p.start).abs() < 1e-9 => b.1 = p.end,
                _ => bands.push((p.start, p.end)),
            }
        }
        for &(a, b) in &bands {
            let (a, _) = chart.backend_coord(&(a, 1.0));
            let (b, _) = chart.backend_coord(&(b, 1.0));
            main.draw(&Rectangle::new(
                [(a, strip), (b.max(a + 1), bottom)],
                SLEEP.filled(),
            ))
            .map_err(PlotError::drawing)?;
        }
        // Chance.
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, 0.5), (total + pad, 0.5)],
                6,
                4,
                GREY.stroke_width(1),
            ))
            .map_err(PlotError::drawing)?;
        let (right, half) = chart.backend_coord(&(total + pad, 0.5));
        main.draw(&Text::new(
            "chance",
            (right - 4, half - 3),
            anchored(font(11), HPos::Right, VPos::Bottom).color(&GREY),
        ))
        .map_err(PlotError::drawing)?;
        // Measurements: a thin line at each, labelled above the axis when there is room.
        let mut free_from = f64::NEG_INFINITY;
        for m in &f.measurements {
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(m.at, 0.0), (m.at, 1.0)],
                    GREY.mix(0.6).stroke_width(1),
                )))
                .map_err(PlotError::drawing)?;
            let (x, _) = chart.backend_coord(&(m.at, 0.0));
            let w = text_width(&m.label, 10);
            if f.measurements.len() <= LABEL_EACH && (x as f64) > free_from {
                free_from = x as f64 + w + 8.0;
                main.draw(&Text::new(
                    m.label.clone(),
                    (x + 3, bottom - 4),
                    anchored(font(10), HPos::Left, VPos::Bottom).color(&GREY),
                ))
                .map_err(PlotError::drawing)?;
            }
        }
        // Training: a line per run of wake phases in one environment.
        for l in &f.lines {
            let color = color_of(&l.environment);
            chart
                .draw_series(LineSeries::new(
                    l.points.iter().copied(),
                    color.stroke_width(2),
                ))
                .map_err(PlotError::drawing)?;
            if l.points.len() <= DOTTED {
                chart
                    .draw_series(l.points.iter().map(|&p| Circle::new(p, 2, color.filled())))
                    .map_err(PlotError::drawing)?;
            }
        }
        // Measured values: filled circles ringed in black, with their values beside them
        // (pushed apart where they would overlap).
        for m in &f.marks {
            let color = color_of(&m.task);
            chart
                .draw_series([
                    Circle::new((m.at, m.value), 6, color.filled()),
                    Circle::new((m.at, m.value), 6, BLACK.stroke_width(1)),
                ])
                .map_err(PlotError::drawing)?;
        }
        if f.marks.len() <= VALUES {
            let mut placed: Vec<(i32, i32)> = Vec::new();
            let mut order: Vec<&Mark> = f.marks.iter().collect();
            order.sort_by(|a, b| a.at.total_cmp(&b.at).then(b.value.total_cmp(&a.value)));
            for m in order {
                let (x, y) = chart.backend_coord(&(m.at, m.value));
                let mut y = y.clamp(top + 6, bottom - 6);
                while placed
                    .iter()
                    .any(|&(px, py)| px == x && (py - y).abs() < 13)
                {
                    y += 13;
                }
                placed.push((x, y));
                // On a pale box, so a line behind it does not hide it.
                let text = format!("{:.2}", m.value);
                let w = text_width(&text, 11) as i32;
                main.draw(&Rectangle::new(
                    [(x + 8, y - 7), (x + 11 + w, y + 7)],
                    WHITE.mix(0.8).filled(),
                ))
                .map_err(PlotError::drawing)?;
                main.draw(&Text::new(
                    text,
                    (x + 9, y),
                    anchored(font(11), HPos::Left, VPos::Center).color(&color_of(&m.task)),
                ))
                .map_err(PlotError::drawing)?;
            }
        }
        // Along the top: a strip coloured by each wake phase's environment (the sleep bands
        // run through it), and the phases' names above it.
        for p in f.phases.iter().filter(|p| !p.sleep && p.end > p.start) {
            let (a, _) = chart.backend_coord(&(p.start, 1.0));
            let (b, _) = chart.backend_coord(&(p.end, 1.0));
            main.draw(&Rectangle::new(
                [(a, strip), (b.max(a + 1), strip + 8)],
                color_of(&p.environment).filled(),
            ))
            .map_err(PlotError::drawing)?;
        }
        for r in &f.runs {
            let (a, _) = chart.backend_coord(&(r.start, 1.0));
            let (b, _) = chart.backend_coord(&(r.end, 1.0));
            if let Some((t, size)) = shrink(&r.text(), (b - a) as f64 - 3.0) {
                main.draw(&Text::new(
                    t,
                    ((a + b) / 2, strip - 3),
                    anchored(font(size), HPos::Center, VPos::Bottom),
                ))
                .map_err(PlotError::drawing)?;
            }
        }
        // The legend: environments, sleep, then the measurement's marker and chance.
        let mut entries: Vec<Entry> = f
            .environments
            .iter()
            .map(|e| Entry {
                color: color_of(e),
                text: fit(e, 12, SIDE as f64 - 40.0).unwrap_or_default(),
                filled: false,
            })
            .collect();
        if f.phases.iter().any(|p| p.sleep) {
            entries.push(Entry {
                color: SLEEP,
                text: "sleep".into(),
                filled: true,
            });
        }
        let y0 = 64;
        legend(&side, (6, y0), &entries)?;
        let mut y = y0 + 18 * entries.len() as i32;
        if !f.measurements.is_empty() {
            side.draw(&Circle::new((15, y), 5, GREY.filled()))
                .map_err(PlotError::drawing)?;
            side.draw(&Circle::new((15, y), 5, BLACK.stroke_width(1)))
                .map_err(PlotError::drawing)?;
            side.draw(&Text::new(
                "measured",
                (30, y),
                anchored(font(12), HPos::Left, VPos::Center),
            ))
            .map_err(PlotError::drawing)?;
            y += 18;
        }
        side.draw(&PathElement::new(
            vec![(6, y), (11, y)],
            GREY.stroke_width(1),
        ))
        .map_err(PlotError::drawing)?;
        side.draw(&PathElement::new(
            vec![(16, y), (21, y)],
            GREY.stroke_width(1),
        ))
        .map_err(PlotError::drawing)?;
        side.draw(&Text::new(
            "chance",
            (30, y),
            anchored(font(12), HPos::Left, VPos::Center),
        ))
        .map_err(PlotError::drawing)?;
        y += 28;
        let wakes = f.phases.iter().filter(|p| !p.sleep).count();
        let sleeps = f.phases.len() - wakes;
        for line in [
            format!("{wakes} wake · {sleeps} sleep phases"),
            format!("{} aeons", aeon_label(&f.aeons)),
        ] {
            side.draw(&Text::new(
                line,
                (6, y),
                anchored(font(11), HPos::Left, VPos::Center).color(&GREY),
            ))
            .map_err(PlotError::drawing)?;
            y += 16;
        }
        root.present().map_err(PlotError::drawing)?;
    }
    Ok(out)
}
