//! Weight initialisers, connectivities and the settings of a `connect` block.

use super::FromArg;
use crate::builtins::Kind;
use crate::plan::ir::ParamIr;
use crate::{kernels, params, symbols};

kernels! {
    /// How initial values (weights, `lif`'s `v_init`) are drawn.
    pub enum Init: Kind::Init {
        "uniform" => Uniform(Uniform),
        "normal" => Normal(Normal),
        "constant" => Constant(Constant),
        "glorot" => Glorot,
        "chunks" => Chunks(Chunks),
        "load" => Load(Load),
    }
}

params! {
    /// Golden et al.'s chunked input weights.
    pub struct Chunks {
        pub size: f64,
        pub per_synapse: u64,
    }
}

params! {
    /// Weights from a `.npy` file.
    pub struct Load {
        pub path: String,
    }
}

params! {
    /// Uniform in [lo, hi).
    pub struct Uniform {
        pub lo: f64,
        pub hi: f64,
    }
}

params! {
    /// Gaussian.
    pub struct Normal {
        pub mean: f64,
        pub std: f64,
    }
}

params! {
    /// One value for all.
    pub struct Constant {
        pub value: f64,
    }
}

/// A value given as a number, or drawn by an initialiser.
#[derive(Debug, Clone, PartialEq)]
pub enum Initial {
    Value(f64),
    Drawn(Init),
}

impl FromArg for Initial {
    fn from_arg(p: Option<&ParamIr>) -> Result<Self, &'static str> {
        match p {
            Some(ParamIr::Number { value, .. }) => Ok(Initial::Value(*value)),
            Some(ParamIr::Builtin { .. }) => Init::from_arg(p).map(Initial::Drawn),
            _ => Err("a number or an initialiser"),
        }
    }
}

kernels! {
    /// Which pairs of neurons a projection connects.
    pub enum Connectivity: Kind::Connectivity {
        "dense" => Dense,
        "sparse" => Sparse(Sparse),
        "one_to_one" => OneToOne,
        "all_but_self" => AllButSelf,
        "fixed_in" => FixedIn(FixedIn),
    }
}

params! {
    /// Each pair with probability `p`.
    pub struct Sparse {
        pub p: f64,
    }
}

params! {
    /// `k` random inputs per post neuron.
    pub struct FixedIn {
        pub k: u64,
        pub balanced: bool,
    }
}

symbols! {
    /// The sign every weight of a projection keeps.
    pub enum Sign {
        Any = "any",
        Excitatory = "excitatory",
        Inhibitory = "inhibitory",
    }
}

params! {
    /// The settings of a `connect` block.
    pub struct Connect {
        pub connectivity: Connectivity,
        pub init: Initial,
        pub bias: bool,
        pub sign: Sign,
        /// `[min, max]`.
        pub bounds: Option<Vec<f64>>,
        pub delay: f64,
        pub delay_jitter: f64,
        pub plastic: bool,
        /// The projection whose weights this one shares.
        pub tie: Option<super::Proj>,
        pub factor: f64,
    }
}

impl Connect {
    /// The clipping interval, when `bounds` gives one.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        match self.bounds.as_deref() {
            Some(&[lo, hi]) => Some((lo, hi)),
            _ => None,
        }
    }
}
