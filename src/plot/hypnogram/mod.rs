//! The hypnogram: the phases of a plan or of a run as levels over time — wake above, then
//! REM, then NREM, as in a sleep hypnogram, with perturbations above wake — one coloured
//! block per phase, and measurements, checkpoints and restores as marks between them.
//!
//! Time is what is known: for a plan, the biological time when every wake and sleep phase
//! has one (spiking phases), else the estimated compute time (`somnia plan`'s cost column);
//! for a run, the biological time each op simulated (`ops[].sim_seconds`, [`run`]), with its
//! wall time as a second view.

mod draw;
pub mod run;

pub use draw::svg;
pub use run::{of_outcome, of_outcome_wall};

use super::{NREM, PERTURB, PlotError, REM, WAKE};
use crate::outcome::Outcome;
use crate::plan::estimate::bio_time;
use crate::plan::ir::{ForageKind, Op, Plan, SleepKind, WakeLength};
use crate::plan::timeline::group_digits;
use plotters::prelude::*;

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
    /// Drawn at a stand-in width: the phase took none of the axis' time (a rate wake
    /// phase in biological time). Drawn lighter.
    pub stand_in: bool,
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
    /// What x measures: `biological time`, `estimated compute time`, `wall time`, or
    /// `phase (one unit each)`.
    pub axis: &'static str,
    /// Whether x is in seconds (else it counts phases).
    pub seconds: bool,
    /// Where the last op ends, in x units: the whole span (a last measurement included,
    /// not only its middle where its mark is drawn).
    pub total: f64,
    /// What the axis title adds (how phases without the axis' time are drawn), if anything.
    pub note: Option<String>,
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
        total: 0.0,
        note: None,
        blocks: Vec::new(),
        marks: Vec::new(),
        loops: Vec::new(),
    };
    let mut t = 0.0;
    plan_ops(&plan.ops, plan, bio, &mut t, &mut h, &mut 0);
    h.total = t;
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
            stand_in: false,
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

/// The SVG of a plan's hypnogram.
pub fn plan_svg(plan: &Plan) -> Result<String, PlotError> {
    svg(&of_plan(plan))
}

/// The SVG of a run's hypnogram (in biological time when the run simulated some).
pub fn outcome_svg(o: &Outcome) -> Result<String, PlotError> {
    svg(&of_outcome(o))
}

/// The SVG of a run's hypnogram in wall time, when the outcome has timings and the main
/// hypnogram is not already in wall time.
pub fn outcome_wall_svg(o: &Outcome) -> Result<Option<String>, PlotError> {
    of_outcome_wall(o).map(|h| svg(&h)).transpose()
}
