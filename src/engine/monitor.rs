//! Recordings of one spiking op: the spike trains, binned population rates and state traces
//! the protocol's `record` settings ask for, kept while the op runs and handed to the
//! outcome's writer when it ends ([`crate::outcome::recordings`]).
//!
//! A simulation without recordings holds no monitor (`Sim::monitor` is `None`): recording
//! off costs one branch per population per step. With one, each step appends only what is
//! recorded: a spike is two `u32`s, a state sample one `f32` per neuron recorded.

use super::network::Network;
use super::neurons::{Model, State};
use crate::plan::bind::Recorder;
use crate::plan::bind::recorders::Variable;
use crate::plan::ir::RecordingIr;

/// What one recorder kept during one op.
#[derive(Debug, Clone, PartialEq)]
pub enum Trace {
    /// Spikes as (step, neuron) pairs, in the order they happened.
    Spikes { steps: Vec<u32>, neurons: Vec<u32> },
    /// Spikes per bin of `bin` steps (the last bin may be shorter: `last` steps).
    Rates {
        bin: u32,
        counts: Vec<u32>,
        last: u32,
    },
    /// One row per step: the variable of each neuron of `neurons`.
    State {
        variable: Variable,
        neurons: Vec<u32>,
        values: Vec<f32>,
    },
}

/// One recorder's trace, with what it recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// Index of the recording in the plan's `recordings`.
    pub index: usize,
    pub pop: usize,
    pub trace: Trace,
}

/// The recordings of one op.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Monitor {
    pub recordings: Vec<Recording>,
    /// Whether any recording reads a population, by population index.
    watched: Vec<bool>,
    /// Seconds per step.
    pub dt: f64,
    /// Steps recorded.
    pub steps: u64,
}

impl Monitor {
    /// The monitor of a call of `phase`, or `None` when nothing records it.
    pub fn new(recordings: &[RecordingIr], net: &Network, phase: &str, dt: f64) -> Option<Monitor> {
        let mut m = Monitor {
            recordings: Vec::new(),
            watched: vec![false; net.pops.len()],
            dt,
            steps: 0,
        };
        for (index, r) in recordings.iter().enumerate() {
            let r = &r.recorder.kernel;
            if !r.records(phase) {
                continue;
            }
            let Some(pop) = net.pops.iter().position(|p| p.name == r.population()) else {
                continue;
            };
            let trace = match r {
                Recorder::Spikes(_) => Trace::Spikes {
                    steps: Vec::new(),
                    neurons: Vec::new(),
                },
                Recorder::Rates(x) => Trace::Rates {
                    bin: ((x.bin / dt).round() as u32).max(1),
                    counts: Vec::new(),
                    last: 0,
                },
                Recorder::State(s) => Trace::State {
                    variable: s.variable,
                    neurons: match &s.neurons {
                        Some(n) => n.iter().map(|&k| k as u32).collect(),
                        None => (0..net.pops[pop].size as u32).collect(),
                    },
                    values: Vec::new(),
                },
            };
            m.watched[pop] = true;
            m.recordings.push(Recording { index, pop, trace });
        }
        (!m.recordings.is_empty()).then_some(m)
    }

    /// Records population `pop` at step `step` (after its update and reset). `model` is
    /// `None` for an input population.
    #[inline]
    pub fn record(&mut self, pop: usize, step: u64, st: &State, model: Option<&Model>) {
        if !self.watched[pop] {
            return;
        }
        for r in self.recordings.iter_mut().filter(|r| r.pop == pop) {
            match &mut r.trace {
                Trace::Spikes { steps, neurons } => {
                    steps.extend(std::iter::repeat_n(step as u32, st.spikes.len()));
                    neurons.extend_from_slice(&st.spikes);
                }
                Trace::Rates { bin, counts, last } => {
                    if *last == 0 || *last == *bin {
                        counts.push(0);
                        *last = 0;
                    }
                    *counts.last_mut().expect("pushed above") += st.spikes.len() as u32;
                    *last += 1;
                }
                Trace::State {
                    variable,
                    neurons,
                    values,
                } => {
                    for &k in neurons.iter() {
                        values.push(value_of(*variable, st, model, k as usize));
                    }
                }
            }
        }
    }

    /// Counts a step (once per step, after every population was recorded).
    #[inline]
    pub fn stepped(&mut self) {
        self.steps += 1;
    }
}

/// A neuron's state variable (0 where its model has none: the plan refuses those, E322).
fn value_of(v: Variable, st: &State, model: Option<&Model>, k: usize) -> f32 {
    let at = |x: &[f32]| x.get(k).copied().unwrap_or(0.0);
    match v {
        Variable::V => at(&st.v),
        Variable::Theta => at(&st.theta),
        Variable::Threshold => {
            let base = match model {
                Some(Model::IntegrateFire { threshold, .. })
                | Some(Model::Lif { threshold, .. }) => *threshold,
                None => 0.0,
            };
            base + at(&st.theta)
        }
        Variable::Ge => at(&st.i),
        Variable::Gi => at(&st.gi),
    }
}
