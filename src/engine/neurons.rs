//! Spiking neuron models for sleep phases: SRC's `integrate_fire` (multiplicative decay,
//! reset, per-layer threshold) and the leaky `lif` (τ, rest, reset, threshold, refractory,
//! adaptive threshold). Inputs arrive as charge already added to `v` by propagation.

use super::params::{num, numbers};
use crate::plan::ir::BuiltinIr;

#[derive(Debug, Clone, PartialEq)]
pub enum Model {
    IntegrateFire {
        decay: f32,
        reset: f32,
        threshold: f32,
    },
    Lif {
        /// dt / τ.
        leak: f32,
        rest: f32,
        reset: f32,
        threshold: f32,
        refractory_steps: u32,
        gain: f32,
        adapt: f32,
        /// exp(−dt / τ_adapt).
        adapt_decay: f32,
    },
}

impl Model {
    /// The model of the `layer`-th non-input population (for `thresholds` lists).
    pub fn from_ir(b: &BuiltinIr, layer: usize, dt: f64) -> Option<Model> {
        match b.name.as_str() {
            "integrate_fire" => {
                let factor = b
                    .params
                    .get("thresholds")
                    .map(numbers)
                    .and_then(|t| t.get(layer).copied())
                    .unwrap_or(1.0);
                Some(Model::IntegrateFire {
                    decay: num(&b.params, "decay", 0.999) as f32,
                    reset: num(&b.params, "reset", 0.0) as f32,
                    threshold: (num(&b.params, "threshold", 1.0) * factor) as f32,
                })
            }
            "lif" => {
                // Current and conductance synapses are not in this engine yet (E412).
                if super::params::symbol(&b.params, "synapse", "delta") != "delta" {
                    return None;
                }
                let tau = num(&b.params, "tau", 0.02);
                Some(Model::Lif {
                    leak: (dt / tau) as f32,
                    rest: num(&b.params, "rest", -0.065) as f32,
                    reset: num(&b.params, "reset", -0.065) as f32,
                    threshold: num(&b.params, "threshold", -0.052) as f32,
                    refractory_steps: (num(&b.params, "refractory", 0.0) / dt).round() as u32,
                    gain: num(&b.params, "r", 1.0) as f32,
                    adapt: num(&b.params, "adapt", 0.0) as f32,
                    adapt_decay: (-dt / num(&b.params, "tau_adapt", 0.1)).exp() as f32,
                })
            }
            _ => None,
        }
    }

    /// The potential a population starts a phase at.
    pub fn initial(&self) -> f32 {
        match self {
            Model::IntegrateFire { .. } => 0.0,
            Model::Lif { rest, .. } => *rest,
        }
    }

    /// The input gain: charge is added to v times this.
    pub fn gain(&self) -> f32 {
        match self {
            Model::IntegrateFire { .. } => 1.0,
            Model::Lif { gain, .. } => *gain,
        }
    }
}

/// The state of one population during a phase.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub v: Vec<f32>,
    pub refractory: Vec<u32>,
    pub theta: Vec<f32>,
    pub spikes: Vec<u32>,
    /// 1 for neurons that spiked this step.
    pub spiked: Vec<u8>,
    pub count: u64,
}

impl State {
    pub fn new(model: &Model, n: usize) -> State {
        State {
            v: vec![model.initial(); n],
            refractory: vec![0; n],
            theta: vec![0.0; n],
            spikes: Vec::with_capacity(n),
            spiked: vec![0; n],
            count: 0,
        }
    }

    /// The part of the update before input arrives: decay or leak.
    pub fn decay(&mut self, model: &Model) {
        match *model {
            Model::IntegrateFire { decay, .. } => self.v.iter_mut().for_each(|v| *v *= decay),
            Model::Lif {
                leak,
                rest,
                adapt,
                adapt_decay,
                ..
            } => {
                self.v.iter_mut().for_each(|v| *v += leak * (rest - *v));
                if adapt > 0.0 {
                    self.theta.iter_mut().for_each(|t| *t *= adapt_decay);
                }
            }
        }
    }

    /// Finds the neurons at threshold, records them and clears last step's flags.
    /// (Resetting is separate: SRC applies its rule before the reset.)
    pub fn fire(&mut self, model: &Model) {
        for &j in &self.spikes {
            self.spiked[j as usize] = 0;
        }
        self.spikes.clear();
        match *model {
            Model::IntegrateFire { threshold, .. } => {
                for (j, &v) in self.v.iter().enumerate() {
                    if v >= threshold {
                        self.spikes.push(j as u32);
                    }
                }
            }
            Model::Lif {
                threshold, reset, ..
            } => {
                for j in 0..self.v.len() {
                    if self.refractory[j] > 0 {
                        // Held at reset: input during the refractory period is lost.
                        self.refractory[j] -= 1;
                        self.v[j] = reset;
                        continue;
                    }
                    if self.v[j] >= threshold + self.theta[j] {
                        self.spikes.push(j as u32);
                    }
                }
            }
        }
        for &j in &self.spikes {
            self.spiked[j as usize] = 1;
        }
        self.count += self.spikes.len() as u64;
    }

    pub fn reset(&mut self, model: &Model) {
        match *model {
            Model::IntegrateFire { reset, .. } => {
                for &j in &self.spikes {
                    self.v[j as usize] = reset;
                }
            }
            Model::Lif {
                reset,
                refractory_steps,
                adapt,
                ..
            } => {
                for &j in &self.spikes {
                    let j = j as usize;
                    self.v[j] = reset;
                    self.refractory[j] = refractory_steps;
                    self.theta[j] += adapt;
                }
            }
        }
    }
}
