//! The hypnogram: the phases of a plan or of a run as levels over time — wake above, then
//! REM, then NREM, as in a sleep hypnogram, with perturbations above wake — one coloured
//! block per phase, and measurements, checkpoints and restores as marks between them.
//!
//! Time is what is known: for a plan, the biological time when every wake and sleep phase
//! has one (spiking phases), else the estimated compute time (`somnia plan`'s cost column);
//! for a run, the wall time of each op (`timing.ops`), else one unit per phase.

use super::{
    Entry, FONT, GREY, LIGHT, NREM, PERTURB, PlotError, REM, WAKE, anchored, fit, font, legend,
    time_unit,
};
use crate::outcome::Outcome;
use crate::plan::estimate::bio_time;
use crate::plan::ir::{ForageKind, Op, Plan, SleepKind, WakeLength};
use crate::plan::timeline::{group_digits, seconds};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};

/// A level of the hypnogram, bottom (NREM) to top (perturb).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Nrem,
    Rem,
    Wake,
    Perturb,
}

impl State {
    const ALL: [State; 4] = [State::Nrem, State::Rem, State::Wake, State::Perturb];

    fn level(self) -> f64 {
        match self {
            State::Nrem => 0.0,
            State::Rem => 1.0,
            State::Wake => 2.0,
            State::Perturb => 3.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            State::Nrem => "NREM",
            State::Rem => "REM",
            State::Wake => "wake",
            State::Perturb => "perturb",
        }
    }

    fn color(self) -> RGBColor {
        match self {
            State::Nrem => NREM,
            State::Rem => REM,
            State::Wake => WAKE,
            State::Perturb => PERTURB,
        }
    }

    fn of_kind(kind: &str) -> Option<State> {
        match kind {
            "wake" => Some(State::Wake),
            "nrem" => Some(State::Nrem),
            "rem" => Some(State::Rem),
            "perturb" => Some(State::Perturb),
            _ => None,
        }
    }
}

/// One phase: a block at its state's level from `start` to `end` (x units).
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub state: State,
    pub start: f64,
    pub end: f64,
    /// The phase (`consolidate`).
    pub name: String,
    /// Its length (`15,000 steps`).
    pub detail: String,
}

/// A measurement, checkpoint or restore at `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub at: f64,
    /// `measure`, `checkpoint` or `restore`.
    pub kind: &'static str,
    pub label: String,
}

/// An `until` loop of a plan: its body, drawn once, spans `start..end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Loop {
    pub start: f64,
    pub end: f64,
    pub max: u64,
}

/// What a hypnogram shows, in x units of seconds (or ops when no time is known).
#[derive(Debug, Clone, PartialEq)]
pub struct Hypnogram {
    pub title: String,
    /// What x measures: `biological time`, `estimated compute time`, `wall time`, or `op`.
    pub axis: &'static str,
    /// Whether x is in seconds (else it counts ops).
    pub seconds: bool,
    pub blocks: Vec<Block>,
    pub marks: Vec<Mark>,
    pub loops: Vec<Loop>,
}

/// The hypnogram of a plan.
pub fn of_plan(plan: &Plan) -> Hypnogram {
    let bio = spiking_throughout(&plan.ops, plan);
    let mut h = Hypnogram {
        title: format!("{} · plan, seed {}", plan.protocol, plan.seed),
        axis: if bio {
            "biological time"
        } else {
            "estimated compute time"
        },
        seconds: true,
        blocks: Vec::new(),
        marks: Vec::new(),
        loops: Vec::new(),
    };
    let mut t = 0.0;
    plan_ops(&plan.ops, plan, bio, &mut t, &mut h, &mut 0);
    h
}

/// Whether every wake and sleep phase (loop bodies included) takes biological time.
fn spiking_throughout(ops: &[Op], plan: &Plan) -> bool {
    let mut any = false;
    let all = ops.iter().all(|op| match op {
        Op::Wake { .. } | Op::Sleep { .. } => {
            any = true;
            bio_time(op, &plan.task_lists) > 0.0
        }
        Op::Until { body, .. } => spiking_throughout(body, plan),
        _ => true,
    });
    all && any
}

/// `index`: the op's place in the plan's listing (`estimate.op_seconds`).
fn plan_ops(ops: &[Op], plan: &Plan, bio: bool, t: &mut f64, h: &mut Hypnogram, index: &mut usize) {
    for op in ops {
        let start = *t;
        let at = *index;
        *index += 1;
        if let Op::Until { body, max, .. } = op {
            plan_ops(body, plan, bio, t, h, index);
            h.loops.push(Loop {
                start,
                end: *t,
                max: *max,
            });
            continue;
        }
        let d = if bio {
            bio_time(op, &plan.task_lists)
        } else {
            plan.estimate.op_seconds.get(at).copied().unwrap_or(0.0)
        };
        *t += d.max(0.0);
        let block = |state, name: &str, detail: String| Block {
            state,
            start,
            end: start + d.max(0.0),
            name: name.to_string(),
            detail,
        };
        match op {
            Op::Wake { phase, length, .. } => {
                let detail = match length {
                    WakeLength::Epochs(n) => {
                        format!("{n} epoch{}", if *n == 1 { "" } else { "s" })
                    }
                    WakeLength::Samples(n) => format!("{} samples", group_digits(*n)),
                };
                h.blocks.push(block(State::Wake, phase, detail));
            }
            Op::Sleep {
                kind, phase, steps, ..
            } => {
                let state = match kind {
                    SleepKind::Nrem => State::Nrem,
                    SleepKind::Rem => State::Rem,
                };
                h.blocks.push(block(
                    state,
                    phase,
                    format!("{} steps", group_digits(*steps)),
                ));
            }
            Op::Forage {
                kind, phase, moves, ..
            } => {
                let state = match kind {
                    ForageKind::Wake => State::Wake,
                    ForageKind::Nrem => State::Nrem,
                    ForageKind::Rem => State::Rem,
                };
                h.blocks.push(block(
                    state,
                    phase,
                    format!("{} moves", group_digits(*moves)),
                ));
            }
            Op::Perturb { phase, .. } => h.blocks.push(block(State::Perturb, phase, String::new())),
            Op::Measure { label, .. } => h.marks.push(Mark {
                at: start + d / 2.0,
                kind: "measure",
                label: label.clone().unwrap_or_default(),
            }),
            Op::Checkpoint { name, .. } => h.marks.push(Mark {
                at: start + d / 2.0,
                kind: "checkpoint",
                label: name.clone(),
            }),
            Op::Restore { name, .. } => h.marks.push(Mark {
                at: start + d / 2.0,
                kind: "restore",
                label: name.clone(),
            }),
            Op::Until { .. } => {}
        }
    }
}

/// The hypnogram of a run, from its outcome.
pub fn of_outcome(o: &Outcome) -> Hypnogram {
    let timed = o.timing.ops.len() == o.ops.len() && o.timing.ops.iter().sum::<f64>() > 0.0;
    let mut h = Hypnogram {
        title: format!("{} · run, seed {}", o.protocol, o.seed),
        axis: if timed { "wall time" } else { "op" },
        seconds: timed,
        blocks: Vec::new(),
        marks: Vec::new(),
        loops: Vec::new(),
    };
    let mut t = 0.0;
    for (i, op) in o.ops.iter().enumerate() {
        let state = State::of_kind(&op.kind);
        let d = if timed {
            o.timing.ops[i].max(0.0)
        } else if state.is_some() {
            1.0
        } else {
            0.0
        };
        let start = t;
        t += d;
        let phase = op.name.split('#').next().unwrap_or(&op.name).to_string();
        match state {
            Some(state) => {
                let detail = match (state, op.amount) {
                    (State::Wake, Some(n)) => format!("{} samples", group_digits(n)),
                    (State::Nrem | State::Rem, Some(n)) => format!("{} steps", group_digits(n)),
                    _ => String::new(),
                };
                h.blocks.push(Block {
                    state,
                    start,
                    end: t,
                    name: phase,
                    detail,
                });
            }
            None => {
                let kind = match op.kind.as_str() {
                    "checkpoint" => "checkpoint",
                    "restore" => "restore",
                    _ => "measure",
                };
                h.marks.push(Mark {
                    at: start + d / 2.0,
                    kind,
                    label: op.name.clone(),
                });
            }
        }
    }
    h
}

/// The SVG of a plan's hypnogram.
pub fn plan_svg(plan: &Plan) -> Result<String, PlotError> {
    svg(&of_plan(plan))
}

/// The SVG of a run's hypnogram.
pub fn outcome_svg(o: &Outcome) -> Result<String, PlotError> {
    svg(&of_outcome(o))
}

const WIDTH: u32 = 1000;
const HEIGHT: u32 = 440;
/// Height of a block within its level (levels are 1 apart).
const BLOCK: f64 = 0.6;

/// Draws a hypnogram.
pub fn svg(h: &Hypnogram) -> Result<String, PlotError> {
    let end = h
        .blocks
        .iter()
        .map(|b| b.end)
        .chain(h.marks.iter().map(|m| m.at))
        .chain(h.loops.iter().map(|l| l.end))
        .fold(0.0, f64::max);
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
            .set_label_area_size(LabelAreaPosition::Left, 70)
            .set_label_area_size(LabelAreaPosition::Bottom, 45)
            .build_cartesian_2d(0.0..total, -0.5..3.6)
            .map_err(PlotError::drawing)?;
        let x_desc = if unit.is_empty() {
            h.axis.to_string()
        } else {
            format!("{} ({unit})", h.axis)
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_labels(10)
            .light_line_style(LIGHT.mix(0.6))
            .bold_line_style(LIGHT)
            .x_desc(x_desc)
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
                    b.state.color().filled(),
                )))
                .map_err(PlotError::drawing)?;
            let px = (x1 - x0) / total * plot_px - 4.0;
            let mid = (x0 + x1) / 2.0;
            let text_color = if b.state == State::Wake { BLACK } else { WHITE };
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
                    let w = super::text_width(&b.name, 11);
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
            let w = super::text_width(&text, 10);
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
            format!("{phases} phases · {span}"),
            (6, 60 + 18 * entries.len() as i32 + 10),
            anchored(font(11), HPos::Left, VPos::Center).color(&GREY),
        ))
        .map_err(PlotError::drawing)?;
        root.present().map_err(PlotError::drawing)?;
    }
    Ok(out)
}
