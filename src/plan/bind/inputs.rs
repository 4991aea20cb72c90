//! What drives a spiking phase: drives (and encodings), the input patterns they read, and
//! the modulators laid over them.

use super::{FromArg, PhaseRef, Tasks};
use crate::builtins::Kind;
use crate::plan::ir::ParamIr;
use crate::{kernels, params, symbols};

kernels! {
    /// How input neurons fire.
    pub enum Drive: Kind::Drive {
        "silence" => Silence,
        "poisson" => Poisson(Poisson),
        "bernoulli" => Bernoulli(Bernoulli),
        "recorded_rates" => RecordedRates(RecordedRates),
        "recorded_kicks" => RecordedKicks(RecordedKicks),
        "gaussian" => Gaussian(Gaussian),
    }
}

/// How strongly each input is driven: a data pattern in [0, 1], one rate for every input,
/// or one fraction of `max_rate` for every input.
#[derive(Debug, Clone, PartialEq)]
pub enum Intensity {
    Pattern(Pattern),
    /// Hz.
    Rate(f64),
    Fraction(f64),
}

impl FromArg for Intensity {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::Number { value, unit }) if unit == "s^-1" => Ok(Intensity::Rate(*value)),
            Some(ParamIr::Number { value, .. }) => Ok(Intensity::Fraction(*value)),
            Some(ParamIr::Builtin { .. }) => Pattern::from_arg(p).map(Intensity::Pattern),
            _ => Err("a pattern, a rate or a number"),
        }
    }
}

params! {
    /// Poisson spikes at pattern × max_rate.
    pub struct Poisson {
        /// `None`: every input at `max_rate` (in wake: the presented sample).
        pub rates: Option<Intensity>,
        pub max_rate: f64,
    }
}

params! {
    /// SRC's input: probability 2·dt·max_rate·p per step.
    pub struct Bernoulli {
        pub p: Option<Intensity>,
        pub max_rate: f64,
    }
}

symbols! {
    pub enum ReplayMode {
        PerNeuron = "per_neuron",
        Uniform = "uniform",
    }
}

params! {
    /// The input rates an earlier phase recorded.
    pub struct RecordedRates {
        pub phase: PhaseRef,
        pub scale: f64,
        pub mode: ReplayMode,
    }
}

params! {
    /// Golden et al.'s sleep input: kicks with the probabilities earlier phases recorded.
    pub struct RecordedKicks {
        pub phases: PhaseRefs,
        pub kick: f64,
        pub mode: ReplayMode,
    }
}

/// One phase or a list of phases, by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhaseRefs(pub Vec<String>);

impl super::FromArg for PhaseRefs {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::Phase { name }) => Ok(PhaseRefs(vec![name.clone()])),
            Some(ParamIr::List { items }) => items
                .iter()
                .map(|i| match i {
                    ParamIr::Phase { name } => Ok(name.clone()),
                    _ => Err("phases"),
                })
                .collect::<Result<_, _>>()
                .map(PhaseRefs),
            _ => Err("phases"),
        }
    }
}

params! {
    /// Gaussian noise images.
    pub struct Gaussian {
        pub sigma: f64,
        pub mean: f64,
        pub max_rate: f64,
    }
}

impl Drive {
    /// A drive that encodes samples in a spiking wake phase: its spike probability per step
    /// for a pixel of 1 is `gain · max_rate · dt`. `None` for drives that are not encodings
    /// (the checker allows only these two for `encode`).
    pub fn encoding(&self) -> Option<(f64, f64)> {
        match self {
            Drive::Poisson(p) => Some((1.0, p.max_rate)),
            Drive::Bernoulli(b) => Some((2.0, b.max_rate)),
            _ => None,
        }
    }
}

kernels! {
    /// Data statistics a drive turns into spikes.
    pub enum Pattern: Kind::Pattern {
        "mean_image" => MeanImage(MeanImage),
        "sample_mean" => SampleMean(SampleMean),
    }
}

params! {
    pub struct MeanImage {
        pub tasks: Tasks,
    }
}

params! {
    pub struct SampleMean {
        pub tasks: Tasks,
        pub count: u64,
    }
}

kernels! {
    /// Oscillations and noise laid over a phase.
    pub enum Modulator: Kind::Modulator {
        "slow" => Slow(Slow),
        "theta" => Theta(Rhythm),
        "gamma" => Gamma(Rhythm),
        "sine" => Sine(Sine),
        "noise" => Noise(Noise),
    }
}

symbols! {
    pub enum SlowShape {
        Square = "square",
        Sine = "sine",
    }
}

params! {
    /// NREM up and down states.
    pub struct Slow {
        pub freq: f64,
        pub depth: f64,
        pub up_fraction: f64,
        pub shape: SlowShape,
    }
}

params! {
    /// × (1 + depth·sin 2πft).
    pub struct Rhythm {
        pub freq: f64,
        pub depth: f64,
    }
}

params! {
    /// × (offset + depth·sin 2πft).
    pub struct Sine {
        pub freq: f64,
        pub depth: f64,
        pub offset: f64,
    }
}

params! {
    /// Membrane noise.
    pub struct Noise {
        pub sigma: f64,
        /// `None`: every population with a model.
        pub population: Option<super::Pop>,
        pub rhythmic: bool,
    }
}
