//! A raster of a recorded population during one op, with its population rate under it:
//! the first look a Brian2 or NEST user takes at a sleep (up and down states, a replay
//! event). One file per spike recording and op (`record spikes(pop)`).
//!
//! Very long or busy recordings are cut, not thinned: the raster shows every spike of the
//! first neurons (at most [`MAX_NEURONS`]) over the first stretch of time that holds at most
//! [`MAX_SPIKES`] of them, and the title says what was left out. The rate panel is computed
//! from every spike of the whole population over the whole op.

use super::{FONT, GREY, LIGHT, NREM, PlotError, REM, WAKE};
use crate::outcome::recordings::SpikeTrain;
use plotters::prelude::*;

/// The most spikes drawn (an SVG element each).
pub const MAX_SPIKES: usize = 20_000;
/// The most neurons drawn.
pub const MAX_NEURONS: usize = 1000;
/// Bins of the rate panel over the op.
const RATE_BINS: usize = 200;

/// The file name of a train's raster: `raster-op002-nap-0-h.svg`.
pub fn file_name(s: &SpikeTrain) -> String {
    super::file_safe(&format!(
        "raster-op{:03}-{}-{}.svg",
        s.op,
        s.name.replace('#', "-"),
        s.population
    ))
}

/// What the raster shows: the spikes kept, the time span and neurons drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub spikes: Vec<(f64, i32)>,
    /// Seconds drawn, from 0.
    pub until: f64,
    pub neurons: usize,
}

/// The spikes drawn: those of the first [`MAX_NEURONS`] neurons, up to the time that keeps
/// at most [`MAX_SPIKES`].
pub fn shown(s: &SpikeTrain) -> Shown {
    let neurons = s.size.clamp(1, MAX_NEURONS);
    let mut spikes: Vec<(f64, i32)> =
        s.t.iter()
            .zip(&s.i)
            .filter(|(_, i)| (**i as usize) < neurons)
            .map(|(&t, &i)| (t, i))
            .collect();
    let mut until = s.duration;
    if spikes.len() > MAX_SPIKES {
        // Times are in order: cut at the first spike past the limit.
        until = spikes[MAX_SPIKES].0;
        spikes.retain(|&(t, _)| t < until);
    }
    Shown {
        spikes,
        until: until.max(f64::MIN_POSITIVE),
        neurons,
    }
}

/// The population rate over the op: bin starts (s) and rates (Hz).
pub fn rate(s: &SpikeTrain) -> (f64, Vec<f64>) {
    let dur = s.duration.max(f64::MIN_POSITIVE);
    let bins = RATE_BINS.min(((dur / 0.001).round() as usize).max(1));
    let width = dur / bins as f64;
    let mut counts = vec![0u64; bins];
    for &t in &s.t {
        counts[((t / width) as usize).min(bins - 1)] += 1;
    }
    let n = s.size.max(1) as f64;
    (
        width,
        counts.iter().map(|&c| c as f64 / (width * n)).collect(),
    )
}

fn color_of(kind: &str) -> RGBColor {
    match kind {
        "nrem" => NREM,
        "rem" => REM,
        _ => WAKE,
    }
}

/// The raster with its rate panel, as an SVG document.
pub fn svg(s: &SpikeTrain) -> Result<String, PlotError> {
    let shown = shown(s);
    let (width, rates) = rate(s);
    let color = color_of(&s.kind);
    let (unit, scale) = if shown.until < 2.0 {
        ("ms", 1000.0)
    } else {
        ("s", 1.0)
    };
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (900, 620)).into_drawing_area();
        root.fill(&WHITE).map_err(PlotError::drawing)?;
        let (top, bottom) = root.split_vertically(430);
        let mut cut = Vec::new();
        if shown.until < s.duration {
            cut.push(format!("first {:.3} s of {:.3} s", shown.until, s.duration));
        }
        if shown.neurons < s.size {
            cut.push(format!("neurons 0–{} of {}", shown.neurons - 1, s.size));
        }
        let title = format!(
            "{} spikes of {} during {} ({}){}",
            s.t.len(),
            s.population,
            s.name,
            s.kind,
            if cut.is_empty() {
                String::new()
            } else {
                format!(" — shown: {}", cut.join(", "))
            }
        );
        let mut chart = ChartBuilder::on(&top)
            .caption(title, (FONT, 18))
            .margin(12)
            .set_label_area_size(LabelAreaPosition::Left, 60)
            .set_label_area_size(LabelAreaPosition::Bottom, 40)
            .build_cartesian_2d(0.0..shown.until * scale, -0.5..(shown.neurons as f64 - 0.5))
            .map_err(PlotError::drawing)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(format!("time from the phase's start ({unit})"))
            .y_desc("neuron (index)")
            .y_label_formatter(&|v| format!("{v:.0}"))
            .x_label_formatter(&|v| tick_text(*v))
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .draw()
            .map_err(PlotError::drawing)?;
        // One mark per spike: a short vertical tick, one neuron high.
        let h = if shown.neurons > 100 { 0.5 } else { 0.35 };
        let tick = (shown.until * scale / 900.0).max(1e-9);
        chart
            .draw_series(shown.spikes.iter().map(|&(t, i)| {
                Rectangle::new(
                    [(t * scale, i as f64 - h), (t * scale + tick, i as f64 + h)],
                    BLACK.filled(),
                )
            }))
            .map_err(PlotError::drawing)?;
        let peak = rates.iter().copied().fold(0.0, f64::max).max(1e-9);
        let mut rate_chart = ChartBuilder::on(&bottom)
            .margin(12)
            .set_label_area_size(LabelAreaPosition::Left, 60)
            .set_label_area_size(LabelAreaPosition::Bottom, 45)
            .build_cartesian_2d(0.0..shown.until * scale, 0.0..peak * 1.1)
            .map_err(PlotError::drawing)?;
        rate_chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(LIGHT.mix(0.5))
            .bold_line_style(LIGHT)
            .x_desc(format!("time from the phase's start ({unit})"))
            .y_desc("population rate (Hz)")
            .x_label_formatter(&|v| tick_text(*v))
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .draw()
            .map_err(PlotError::drawing)?;
        rate_chart
            .draw_series(
                rates
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| (*k as f64) * width < shown.until)
                    .map(|(k, &r)| {
                        let x0 = k as f64 * width * scale;
                        Rectangle::new(
                            [(x0, 0.0), (x0 + width * scale, r)],
                            color.mix(0.8).filled(),
                        )
                    }),
            )
            .map_err(PlotError::drawing)?;
        bottom
            .draw(&Text::new(
                format!("bins of {:.1} ms, all {} neurons", width * 1000.0, s.size),
                (700, 12),
                (FONT, 11).into_font().color(&GREY),
            ))
            .map_err(PlotError::drawing)?;
        root.present().map_err(PlotError::drawing)?;
    }
    Ok(out)
}

/// A tick's number without trailing zeros: `200`, `0.25`.
fn tick_text(v: f64) -> String {
    let s = format!("{v:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Every raster of a run folder: (file name, SVG).
pub fn of_run(run: &std::path::Path) -> Result<Vec<(String, String)>, PlotError> {
    let trains = crate::outcome::recordings::spike_trains(run).map_err(PlotError)?;
    trains.iter().map(|s| Ok((file_name(s), svg(s)?))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn train(n: usize, size: usize, duration: f64) -> SpikeTrain {
        SpikeTrain {
            op: 2,
            name: "nap#0".into(),
            kind: "nrem".into(),
            population: "h".into(),
            t: (0..n)
                .map(|k| (k as f64 + 0.5) * duration / n as f64)
                .collect(),
            i: (0..n).map(|k| (k % size) as i32).collect(),
            duration,
            size,
        }
    }

    #[test]
    fn a_busy_recording_is_cut_in_time_and_neurons_and_says_so() {
        let s = train(50_000, 2000, 10.0);
        let sh = shown(&s);
        assert_eq!(sh.neurons, MAX_NEURONS);
        assert!(sh.spikes.len() <= MAX_SPIKES && sh.spikes.len() > MAX_SPIKES - 100);
        assert!(sh.until < 10.0);
        let svg = svg(&s).unwrap();
        assert!(svg.contains("shown: first"), "the title says it was cut");
    }

    #[test]
    fn the_rate_panel_counts_every_spike_of_the_population() {
        let s = train(1000, 10, 1.0);
        let (width, r) = rate(&s);
        let back: f64 = r.iter().map(|hz| hz * width * 10.0).sum();
        assert!((back - 1000.0).abs() < 1e-6);
        // 1000 spikes over 10 neurons in 1 s: 100 Hz everywhere.
        assert!(r.iter().all(|hz| (hz - 100.0).abs() < 1e-6), "{r:?}");
    }
}
