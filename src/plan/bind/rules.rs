//! Plasticity rules: what changes weights during a phase.

use crate::builtins::Kind;
use crate::{kernels, params, symbols};

kernels! {
    /// A plasticity rule. The last four run only in environment phases (the agent engine,
    /// `engine::forage`).
    pub enum Rule: Kind::Rule {
        "backprop" => Backprop(Backprop),
        "stdp" => Stdp(Stdp),
        "src_stdp" => SrcStdp(SrcStdp),
        "decay_to_baseline" => DecayToBaseline(DecayToBaseline),
        "normalize_sum" => NormalizeSum(NormalizeSum),
        "downscale" => Downscale(Downscale),
        "prune" => Prune(Prune),
        "weight_noise" => WeightNoise(WeightNoise),
        "hebbian" => Hebbian(Hebbian),
        "reward_stdp" => RewardStdp(RewardStdp),
        "input_balance" => InputBalance,
        "output_balance" => OutputBalance(OutputBalance),
        "rate_adaptation" => RateAdaptation(RateAdaptation),
    }
}

symbols! {
    pub enum Loss {
        Mse = "mse",
        CrossEntropy = "cross_entropy",
    }
}

symbols! {
    pub enum DropoutScaling {
        Inverted = "inverted",
        TestTime = "test_time",
    }
}

params! {
    /// Gradient descent on a loss.
    pub struct Backprop {
        pub loss: Loss,
        pub lr: f64,
        pub momentum: f64,
        pub batch: u64,
        pub dropout: f64,
        pub dropout_scaling: DropoutScaling,
        pub output_derivative: bool,
        pub weight_decay: f64,
    }
}

symbols! {
    pub enum StdpMode {
        Additive = "additive",
        Multiplicative = "multiplicative",
    }
}

params! {
    /// Pair-based STDP with exponential traces.
    pub struct Stdp {
        pub a_plus: f64,
        pub a_minus: f64,
        pub tau_plus: f64,
        pub tau_minus: f64,
        pub lr: f64,
        pub mode: StdpMode,
        pub nearest: bool,
        pub w_min: f64,
        pub w_max: f64,
    }
}

symbols! {
    /// The weight gate f(w) of `src_stdp`.
    pub enum GateFn {
        Matlab = "matlab",
        Logistic = "logistic",
        None = "none",
    }
}

params! {
    /// Sleep Replay Consolidation's rule.
    pub struct SrcStdp {
        pub inc: f64,
        pub dec: f64,
        pub gate: f64,
        pub gate_fn: GateFn,
    }
}

symbols! {
    pub enum DecayMode {
        Static = "static",
        Group = "group",
        Post = "post",
    }
}

params! {
    /// Massey et al.'s homeostatic sleep.
    pub struct DecayToBaseline {
        pub target: f64,
        pub lambda: f64,
        pub mode: DecayMode,
        pub stop_at_baseline: bool,
        pub tolerance: f64,
    }
}

symbols! {
    pub enum Every {
        Sample = "sample",
        Step = "step",
    }
}

params! {
    /// Diehl & Cook's normalisation of incoming weights.
    pub struct NormalizeSum {
        pub total: f64,
        pub every: Every,
    }
}

params! {
    /// Multiplicative downscaling each step.
    pub struct Downscale {
        pub factor: f64,
    }
}

params! {
    /// Pruning of weak synapses at the end of the phase: the `fraction` of existing synapses
    /// with the smallest |w|, or those with |w| `below` a magnitude when it is given.
    pub struct Prune {
        pub fraction: f64,
        pub below: Option<f64>,
    }
}

/// Which synapses a prune removes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PruneBy {
    /// This fraction of a projection's existing synapses, weakest first.
    Fraction(f64),
    /// Every synapse with |w| below this.
    Magnitude(f64),
}

impl Prune {
    pub fn by(&self) -> PruneBy {
        match self.below {
            Some(m) => PruneBy::Magnitude(m),
            None => PruneBy::Fraction(self.fraction),
        }
    }
}

params! {
    /// Gaussian noise on the weights every step.
    pub struct WeightNoise {
        pub sigma: f64,
        pub relative: bool,
    }
}

params! {
    /// Hebbian learning on a pre trace, through ties onto the shared weights.
    pub struct Hebbian {
        pub lr: f64,
        pub tau: f64,
    }
}

params! {
    /// Golden et al.'s dopamine-modulated STDP with eligibility traces (counts in steps).
    pub struct RewardStdp {
        pub scale: f64,
        pub tau: f64,
        pub window: u64,
        pub memory: u64,
        pub clip: f64,
        pub modulated: bool,
        pub average_rate: f64,
        pub w_min: f64,
        pub w_max: f64,
    }
}

params! {
    /// Inhibition that follows each cell's mean excitatory output.
    pub struct OutputBalance {
        pub inhibitory: super::Proj,
    }
}

symbols! {
    /// What spike-rate adaptation moves.
    pub enum AdaptBy {
        Resistance = "resistance",
        InputTarget = "input_target",
    }
}

params! {
    /// Spike-rate homeostasis toward a target number of spikes per move.
    pub struct RateAdaptation {
        pub target: f64,
        pub by: AdaptBy,
        pub rate: f64,
        pub smoothing: f64,
    }
}
