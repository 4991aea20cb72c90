//! Neuron models: what a population computes in a phase.

use super::network::Initial;
use crate::builtins::{Dynamics, Kind};
use crate::{kernels, params, symbols};

kernels! {
    /// A population's neuron model.
    pub enum NeuronModel: Kind::NeuronModel {
        "relu" => Relu,
        "sigmoid" => Sigmoid,
        "linear" => Linear,
        "integrate_fire" => IntegrateFire(IntegrateFire),
        "lif" => Lif(Lif),
        "rulkov" => Rulkov(Rulkov),
    }
}

impl NeuronModel {
    /// Rate units or spiking neurons: what decides how a phase runs.
    pub fn dynamics(&self) -> Dynamics {
        match self {
            NeuronModel::Relu | NeuronModel::Sigmoid | NeuronModel::Linear => Dynamics::Rate,
            NeuronModel::IntegrateFire(_) | NeuronModel::Lif(_) => Dynamics::Spiking,
            NeuronModel::Rulkov(_) => Dynamics::Agent,
        }
    }

    pub fn is_spiking(&self) -> bool {
        self.dynamics() == Dynamics::Spiking
    }
}

params! {
    /// Golden et al.'s Rulkov map neuron (dimensionless; one map step per simulation step).
    pub struct Rulkov {
        pub alpha: f64,
        pub sigma: f64,
        pub mu: f64,
        pub beta: f64,
        pub decay: f64,
        pub psp_noise: f64,
        pub x0: f64,
        pub u0: f64,
    }
}

params! {
    /// SRC's non-leaky integrate-and-fire neuron.
    pub struct IntegrateFire {
        pub decay: f64,
        pub reset: f64,
        pub threshold: f64,
        /// One factor on `threshold` per non-input layer, in network order.
        pub thresholds: Option<Vec<f64>>,
    }
}

impl IntegrateFire {
    /// The threshold of the `layer`-th non-input population.
    pub fn threshold_of(&self, layer: usize) -> f64 {
        let factor = self
            .thresholds
            .as_ref()
            .and_then(|t| t.get(layer).copied())
            .unwrap_or(1.0);
        self.threshold * factor
    }
}

symbols! {
    /// How a spike reaches a `lif` neuron.
    pub enum Synapse {
        Delta = "delta",
        Current = "current",
        CurrentEi = "current_ei",
        Conductance = "conductance",
    }
}

params! {
    /// The leaky integrate-and-fire neuron (SI units: seconds, volts).
    pub struct Lif {
        pub tau: f64,
        pub rest: f64,
        pub reset: f64,
        pub threshold: f64,
        pub refractory: f64,
        pub r: f64,
        pub synapse: Synapse,
        pub tau_syn: f64,
        pub tau_exc: f64,
        pub tau_inh: f64,
        pub e_exc: f64,
        pub e_inh: f64,
        pub adapt: f64,
        pub tau_adapt: f64,
        pub v_min: Option<f64>,
        pub v_max: Option<f64>,
        /// Where each neuron starts; `None`: at `rest`.
        pub v_init: Option<Initial>,
    }
}
