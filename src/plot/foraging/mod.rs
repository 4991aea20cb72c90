//! An agent's foraging performance over a run with environment phases (Golden et al. 2022):
//! x the aeons of the run (every environment phase laid end to end in op order, each
//! `moves / 100` aeons wide), y the performance — rewarded / (rewarded + punished) over the
//! last pairs eaten — at the end of each aeon. Each wake phase is a line coloured by its
//! environment, sleep phases are light blue bands, `foraging` measurements are filled
//! circles at the point of the run they were taken, and a dashed line marks chance (0.5).

use super::PlotError;
use crate::outcome::{OpRecord, Outcome};

/// Moves in an aeon: `per_aeon` holds one value per this many moves.
const MOVES_PER_AEON: f64 = 100.0;

/// Up to this many blocks of consecutive calls of one phase are labelled one by one; more
/// are labelled as runs of a repeated cycle (`train_2 / nap × 100`).
const LABEL_EACH: usize = 12;

/// The longest cycle of phases recognised as repeated.
const LONGEST_CYCLE: usize = 4;

/// One environment phase as run.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// Its index in the outcome's `ops`.
    pub op: usize,
    /// The phase (`train_1` of the call `train_1#0`).
    pub phase: String,
    pub environment: String,
    /// A sleep phase (`nrem`, `rem`): the agent eats nothing.
    pub sleep: bool,
    /// Its span in aeons.
    pub start: f64,
    pub end: f64,
}

/// The performance of consecutive wake phases in one environment, sleeps between them
/// allowed: (aeon, performance), the aeons without a value left out.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub environment: String,
    pub points: Vec<(f64, f64)>,
}

/// One value of the `foraging` metric: the performance in an environment measured at `at`.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub at: f64,
    /// The measure op (index into `ops`).
    pub op: usize,
    /// The environment measured.
    pub task: String,
    /// The performance, finite.
    pub value: f64,
}

/// A measurement: where it was taken and what it is called.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    pub at: f64,
    pub op: usize,
    pub label: String,
}

/// A label along the top: `times` repetitions of the cycle of phases `names`, over
/// `start..end` aeons.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub names: Vec<String>,
    pub times: usize,
    pub start: f64,
    pub end: f64,
}

impl Run {
    /// `explore`, or `train_2 / nap × 100`.
    pub fn text(&self) -> String {
        let cycle = self.names.join(" / ");
        if self.times > 1 {
            format!("{cycle} × {}", self.times)
        } else {
            cycle
        }
    }
}

/// What the foraging plot shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Foraging {
    pub title: String,
    /// The run's length in aeons.
    pub aeons: f64,
    /// The environments of the wake phases and measurements, in the order first met: their
    /// colours.
    pub environments: Vec<String>,
    pub phases: Vec<Phase>,
    pub lines: Vec<Line>,
    pub marks: Vec<Mark>,
    pub measurements: Vec<Measurement>,
    /// The labels along the top.
    pub runs: Vec<Run>,
}

/// Each op's span in aeons, indexed as `ops`: environment phases laid end to end, each
/// `moves / 100` aeons wide (a phase shorter than an aeon keeps its fraction); every other
/// op takes no width and sits at the end of the phase before it.
pub fn layout(ops: &[OpRecord]) -> Vec<(f64, f64)> {
    let mut t = 0.0;
    ops.iter()
        .map(|op| {
            let start = t;
            if let Some(f) = &op.forage {
                t += f.moves as f64 / MOVES_PER_AEON;
            }
            (start, t)
        })
        .collect()
}

/// The points of one wake phase over `start..end`: `per_aeon[k]` at the end of aeon `k`,
/// and the phase's final performance at its end when it ends within an aeon; no point
/// where no pair had been eaten (`None`, NaN).
fn phase_points(op: &OpRecord, start: f64, end: f64) -> Vec<(f64, f64)> {
    let Some(f) = &op.forage else {
        return Vec::new();
    };
    let mut points: Vec<(f64, f64)> = f
        .per_aeon
        .iter()
        .enumerate()
        .filter_map(|(k, v)| {
            let v = (*v)?;
            v.is_finite()
                .then_some(((start + (k + 1) as f64).min(end), v))
        })
        .collect();
    if !f.moves.is_multiple_of(MOVES_PER_AEON as u64)
        && let Some(p) = f.performance.filter(|p| p.is_finite())
    {
        points.push((end, p));
    }
    points
}

/// The call's phase: `train_1` of `train_1#0`.
fn phase_of(call: &str) -> &str {
    call.split('#').next().unwrap_or(call)
}

fn is_sleep(kind: &str) -> bool {
    matches!(kind, "nrem" | "rem")
}

/// The labels along the top: one per block of consecutive phases of one name when there
/// are at most [`LABEL_EACH`] blocks, else one per run of a repeated cycle of blocks.
pub fn runs(phases: &[Phase]) -> Vec<Run> {
    let mut blocks: Vec<Run> = Vec::new();
    for p in phases {
        match blocks.last_mut() {
            Some(b) if b.names[0] == p.phase => b.end = p.end,
            _ => blocks.push(Run {
                names: vec![p.phase.clone()],
                times: 1,
                start: p.start,
                end: p.end,
            }),
        }
    }
    if blocks.len() <= LABEL_EACH {
        return blocks;
    }
    let n = blocks.len();
    let same = |a: usize, b: usize, len: usize| {
        (0..len).all(|j| blocks[a + j].names[0] == blocks[b + j].names[0])
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        // The cycle covering the most blocks from `i` (the shortest of equals).
        let (mut cycle, mut times) = (1, 1);
        for len in 2..=LONGEST_CYCLE.min(n - i) {
            let mut t = 1;
            while i + (t + 1) * len <= n && same(i, i + t * len, len) {
                t += 1;
            }
            if t >= 2 && t * len > cycle * times {
                (cycle, times) = (len, t);
            }
        }
        let last = i + cycle * times - 1;
        out.push(Run {
            names: blocks[i..i + cycle]
                .iter()
                .map(|b| b.names[0].clone())
                .collect(),
            times,
            start: blocks[i].start,
            end: blocks[last].end,
        });
        i = last + 1;
    }
    out
}

/// The foraging performance of an outcome, or `None` when no phase ran in an environment.
pub fn of_outcome(o: &Outcome) -> Option<Foraging> {
    if !o.ops.iter().any(|op| op.forage.is_some()) {
        return None;
    }
    let spans = layout(&o.ops);
    let aeons = spans.last().map_or(0.0, |s| s.1);
    let mut environments: Vec<String> = Vec::new();
    let mut meet = |e: &str| {
        if !environments.iter().any(|x| x == e) {
            environments.push(e.to_string());
        }
    };
    let mut phases = Vec::new();
    let mut lines: Vec<Line> = Vec::new();
    // Whether the last wake phase's line is still open for the next one in its environment.
    let mut open = false;
    let mut rows = o
        .timeline
        .iter()
        .filter(|r| r.metric == "foraging")
        .peekable();
    let mut marks = Vec::new();
    let mut measurements: Vec<Measurement> = Vec::new();
    for (i, op) in o.ops.iter().enumerate() {
        let (start, end) = spans[i];
        while let Some(r) = rows.next_if(|r| r.op <= i) {
            meet(&r.task);
            let at = spans.get(r.op).map_or(start, |s| s.0);
            if measurements.last().map(|m| m.op) != Some(r.op) {
                measurements.push(Measurement {
                    at,
                    op: r.op,
                    label: r.label.clone().unwrap_or_else(|| format!("#{}", r.measure)),
                });
            }
            if r.value.is_finite() {
                marks.push(Mark {
                    at,
                    op: r.op,
                    task: r.task.clone(),
                    value: r.value,
                });
            }
        }
        let Some(f) = &op.forage else {
            continue;
        };
        let sleep = is_sleep(&op.kind);
        phases.push(Phase {
            op: i,
            phase: phase_of(&op.name).to_string(),
            environment: f.environment.clone(),
            sleep,
            start,
            end,
        });
        if sleep {
            continue;
        }
        meet(&f.environment);
        let points = phase_points(op, start, end);
        match lines.last_mut() {
            Some(l) if open && l.environment == f.environment => l.points.extend(points),
            _ => lines.push(Line {
                environment: f.environment.clone(),
                points,
            }),
        }
        open = true;
    }
    // Measurements after the last op (a row whose op is out of range).
    for r in rows {
        meet(&r.task);
        if measurements.last().map(|m| m.op) != Some(r.op) {
            measurements.push(Measurement {
                at: aeons,
                op: r.op,
                label: r.label.clone().unwrap_or_else(|| format!("#{}", r.measure)),
            });
        }
        if r.value.is_finite() {
            marks.push(Mark {
                at: aeons,
                op: r.op,
                task: r.task.clone(),
                value: r.value,
            });
        }
    }
    let runs = runs(&phases);
    Some(Foraging {
        title: format!("{} · run, seed {}", o.protocol, o.seed),
        aeons,
        environments,
        phases,
        lines,
        marks,
        measurements,
        runs,
    })
}

mod draw;
pub use draw::draw;

/// The SVG of an outcome's foraging performance, or `None` when no phase ran in an
/// environment.
pub fn svg(o: &Outcome) -> Result<Option<String>, PlotError> {
    of_outcome(o).map(|f| draw(&f)).transpose()
}

#[cfg(test)]
mod tests;
