//! Recorders, bound: what the engine's monitor (src/engine/monitor.rs) keeps during the
//! spiking phases a `record` setting names.

use super::{FromArg, Pop};
use crate::builtins::Kind;
use crate::plan::ir::ParamIr;
use crate::{kernels, params, symbols};

kernels! {
    /// What a protocol's `record` setting records.
    pub enum Recorder: Kind::Recorder {
        "spikes" => Spikes(Spikes),
        "rates" => Rates(Rates),
        "state" => State(StateTrace),
    }
}

params! {
    pub struct Spikes {
        pub population: Pop,
        pub during: Phases,
    }
}

params! {
    pub struct Rates {
        pub population: Pop,
        /// Seconds.
        pub bin: f64,
        pub during: Phases,
    }
}

symbols! {
    /// A neuron's state variable.
    pub enum Variable {
        V = "v",
        Threshold = "threshold",
        Theta = "theta",
        Ge = "ge",
        Gi = "gi",
    }
}

params! {
    pub struct StateTrace {
        pub population: Pop,
        pub variable: Variable,
        /// `None`: every neuron.
        pub neurons: Option<Vec<f64>>,
        pub during: Phases,
    }
}

impl Recorder {
    /// The population recorded.
    pub fn population(&self) -> &str {
        match self {
            Recorder::Spikes(r) => &r.population.0,
            Recorder::Rates(r) => &r.population.0,
            Recorder::State(r) => &r.population.0,
        }
    }

    /// The phases recorded (empty: every spiking phase).
    pub fn during(&self) -> &[String] {
        match self {
            Recorder::Spikes(r) => &r.during.0,
            Recorder::Rates(r) => &r.during.0,
            Recorder::State(r) => &r.during.0,
        }
    }

    /// Whether it records during a call of the phase `phase`.
    pub fn records(&self, phase: &str) -> bool {
        let d = self.during();
        d.is_empty() || d.iter().any(|p| p == phase)
    }
}

/// Phases by name: one phase or a list of them; none when the parameter is left out.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Phases(pub Vec<String>);

impl FromArg for Phases {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        fn one(p: &ParamIr) -> Option<String> {
            match p {
                ParamIr::Phase { name } => Some(name.clone()),
                _ => None,
            }
        }
        match p {
            None => Ok(Phases(Vec::new())),
            Some(ParamIr::List { items }) => items
                .iter()
                .map(one)
                .collect::<Option<Vec<_>>>()
                .map(Phases)
                .ok_or("phases"),
            Some(p) => one(p).map(|n| Phases(vec![n])).ok_or("phases"),
        }
    }
}
