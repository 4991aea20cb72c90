//! Perturbations: shocks a `perturb` phase applies once.

use super::{Amount, Pop, Tasks};
use crate::builtins::Kind;
use crate::{kernels, params};

kernels! {
    /// A shock.
    pub enum Shock: Kind::Perturbation {
        "lesion" => Lesion(Lesion),
        "weight_noise" => WeightNoise(WeightNoise),
        "silence" => Silence(Silence),
        "interfere" => Interfere(Interfere),
        "prune" => Prune(super::rules::Prune),
    }
}

params! {
    /// Removes a fraction of a population's neurons for good.
    pub struct Lesion {
        pub target: Pop,
        pub fraction: f64,
    }
}

params! {
    /// Gaussian noise on the weights of the projections given `on`.
    pub struct WeightNoise {
        pub sigma: f64,
        pub relative: bool,
    }
}

params! {
    /// Keeps a population quiet during the next phase.
    pub struct Silence {
        pub target: Pop,
    }
}

params! {
    /// Brief training on a conflicting task.
    pub struct Interfere {
        pub task: Tasks,
        pub length: Amount,
        pub shuffle_labels: bool,
    }
}
