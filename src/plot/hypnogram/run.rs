//! A run's hypnogram, from its outcome: in biological time (`ops[].sim_seconds`) when the
//! run simulated some, as the plan's hypnogram is; the wall time of each op
//! (`timing.ops`) is a second view.
//!
//! Which clock the main view uses:
//!
//! - every wake and sleep phase simulated time (a spiking protocol): **biological time**,
//!   each phase as wide as it simulated; measurements, checkpoints, restores and perturb
//!   phases take none (a perturb block keeps a sliver's width);
//! - some did and some did not (rate wake phases trained by backprop between spiking
//!   sleeps): biological time, and each phase without any is a lighter **stand-in block**
//!   as wide as the median phase that has some, as the axis title says;
//! - none did (a rate or foraging run, or an outcome older than `sim_seconds`): the wall
//!   time of each op, or one unit per phase when the outcome has no timings.

use super::{Block, Hypnogram, Mark, State};
use crate::outcome::{OpRecord, Outcome};
use crate::plan::timeline::{group_digits, seconds};

/// What x measures in a run's hypnogram.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Clock {
    /// Biological time; phases without any drawn `stand_in` seconds wide (0: none lack it).
    Biological {
        stand_in: f64,
    },
    Wall,
    Phases,
}

/// Whether an op is a phase that takes time (wake, NREM, REM), as opposed to perturb
/// phases, which are instantaneous, and measurements.
fn takes_time(op: &OpRecord) -> bool {
    matches!(op.kind.as_str(), "wake" | "nrem" | "rem")
}

fn timed(o: &Outcome) -> bool {
    o.timing.ops.len() == o.ops.len() && o.timing.ops.iter().sum::<f64>() > 0.0
}

fn clock(o: &Outcome) -> Clock {
    let mut simulated: Vec<f64> = o
        .ops
        .iter()
        .filter(|op| takes_time(op))
        .filter_map(|op| op.sim_seconds)
        .filter(|&s| s > 0.0)
        .collect();
    if simulated.is_empty() {
        return if timed(o) { Clock::Wall } else { Clock::Phases };
    }
    let lacking = o
        .ops
        .iter()
        .any(|op| takes_time(op) && op.sim_seconds.is_none());
    if !lacking {
        return Clock::Biological { stand_in: 0.0 };
    }
    simulated.sort_by(f64::total_cmp);
    Clock::Biological {
        stand_in: simulated[simulated.len() / 2],
    }
}

/// The hypnogram of a run: in biological time when it simulated some (see the module's
/// documentation for the fallbacks).
pub fn of_outcome(o: &Outcome) -> Hypnogram {
    draw_with(o, clock(o))
}

/// The run in wall time, the second view: `None` when the main view is already in wall
/// time or the outcome has no timings.
pub fn of_outcome_wall(o: &Outcome) -> Option<Hypnogram> {
    (timed(o) && clock(o) != Clock::Wall).then(|| {
        let mut h = draw_with(o, Clock::Wall);
        h.title.push_str(" · wall time");
        h
    })
}

fn draw_with(o: &Outcome, clock: Clock) -> Hypnogram {
    let (axis, note) = match clock {
        Clock::Biological { stand_in } if stand_in > 0.0 => (
            "biological time",
            Some(format!(
                "phases without biological time (rate wake) drawn lighter, {} wide each",
                seconds(stand_in)
            )),
        ),
        Clock::Biological { .. } => ("biological time", None),
        Clock::Wall => ("wall time", None),
        Clock::Phases => ("phase (one unit each)", None),
    };
    let mut h = Hypnogram {
        title: format!("{} · run, seed {}", o.protocol, o.seed),
        axis,
        seconds: clock != Clock::Phases,
        total: 0.0,
        note,
        blocks: Vec::new(),
        marks: Vec::new(),
        loops: Vec::new(),
    };
    let mut t = 0.0;
    for (i, op) in o.ops.iter().enumerate() {
        let state = State::of_kind(&op.kind);
        let mut stand_in = false;
        let d = match clock {
            Clock::Biological { stand_in: w } => match op.sim_seconds {
                Some(s) => s.max(0.0),
                None if takes_time(op) => {
                    stand_in = true;
                    w
                }
                None => 0.0,
            },
            Clock::Wall => o.timing.ops[i].max(0.0),
            Clock::Phases if state.is_some() => 1.0,
            Clock::Phases => 0.0,
        };
        let start = t;
        t += d;
        let phase = op.name.split('#').next().unwrap_or(&op.name).to_string();
        match state {
            Some(state) => {
                let detail = match (state, op.amount) {
                    (State::Wake, Some(n)) if op.forage.is_some() => {
                        format!("{} moves", group_digits(n))
                    }
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
                    stand_in,
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
    h.total = t;
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::Timing;

    fn op(index: usize, kind: &str, name: &str, sim: Option<f64>) -> OpRecord {
        OpRecord {
            index,
            kind: kind.into(),
            name: name.into(),
            amount: Some(10),
            sim_seconds: sim,
            spikes: Default::default(),
            loss: Vec::new(),
            weights: Vec::new(),
            forage: None,
        }
    }

    fn outcome(ops: Vec<OpRecord>, wall: Vec<f64>) -> Outcome {
        let mut o: Outcome = serde_json::from_str(
            r#"{"schema":1,"somnia":"0","protocol":"p","source":"p.sleep","source_hash":"",
            "plan_hash":"","seed":1,"evaluated_on":"test","status":"complete","timeline":[],
            "final":{},"expectations":[],"ops":[],
            "timing":{"total_seconds":0,"load_seconds":0,"ops":[]}}"#,
        )
        .unwrap();
        o.ops = ops;
        o.timing = Timing {
            total_seconds: wall.iter().sum(),
            load_seconds: 0.0,
            ops: wall,
        };
        o
    }

    #[test]
    fn a_spiking_run_is_drawn_in_the_time_it_simulated() {
        let o = outcome(
            vec![
                op(0, "wake", "learn#0", Some(50.0)),
                op(1, "nrem", "nap#0", Some(5.0)),
                op(2, "rem", "dream#0", Some(10.0)),
                op(3, "measure", "end", None),
            ],
            vec![2.0, 30.0, 1.0, 17.6],
        );
        let h = of_outcome(&o);
        assert_eq!(h.axis, "biological time");
        let widths: Vec<f64> = h.blocks.iter().map(|b| b.end - b.start).collect();
        assert_eq!(widths, [50.0, 5.0, 10.0]);
        assert_eq!(h.total, 65.0);
        // The wall view: the whole last measurement counts, not only up to its mark.
        let w = of_outcome_wall(&o).expect("timed");
        assert_eq!(w.axis, "wall time");
        assert!((w.total - 50.6).abs() < 1e-9, "{}", w.total);
        assert!((w.marks[0].at - (33.0 + 8.8)).abs() < 1e-9);
    }

    #[test]
    fn rate_wake_phases_get_the_median_phase_as_a_stand_in_width() {
        let o = outcome(
            vec![
                op(0, "wake", "learn#0", None),
                op(1, "nrem", "nap#0", Some(2.0)),
                op(2, "nrem", "nap#1", Some(4.0)),
                op(3, "nrem", "nap#2", Some(9.0)),
                op(4, "perturb", "shock#0", None),
            ],
            vec![],
        );
        let h = of_outcome(&o);
        assert_eq!(h.axis, "biological time");
        assert!(
            h.note.as_deref().unwrap().contains("4.00 s wide"),
            "{:?}",
            h.note
        );
        assert!(h.blocks[0].stand_in && !h.blocks[1].stand_in);
        assert_eq!(h.blocks[0].end - h.blocks[0].start, 4.0);
        assert_eq!(
            h.blocks[4].end - h.blocks[4].start,
            0.0,
            "a perturb is instant"
        );
        assert_eq!(h.total, 4.0 + 15.0);
        assert_eq!(of_outcome_wall(&o), None, "no timings");
    }

    #[test]
    fn without_simulated_time_the_run_is_drawn_in_wall_time_or_phases() {
        let ops = vec![op(0, "wake", "learn#0", None), op(1, "measure", "m", None)];
        let timed = of_outcome(&outcome(ops.clone(), vec![3.0, 1.0]));
        assert_eq!((timed.axis, timed.total), ("wall time", 4.0));
        assert_eq!(of_outcome_wall(&outcome(ops.clone(), vec![3.0, 1.0])), None);
        let bare = of_outcome(&outcome(ops, vec![]));
        assert_eq!(
            (bare.axis, bare.seconds, bare.total),
            ("phase (one unit each)", false, 1.0)
        );
    }
}
