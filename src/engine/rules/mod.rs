//! Plasticity in spiking phases (wake and sleep): one kernel file per rule, applied on the
//! pre-major weight copy (`wt[i·post + j]`) that event-driven propagation reads, within
//! each projection's [`Limits`].
//!
//! [`SleepRule`] is a rule's kernel built from its typed parameters (`plan::bind::Rule`);
//! the simulator ([`super::spiking::Sim`]) calls each kernel where its rule acts: on spikes
//! (`stdp`, `src_stdp`, `hebbian`), every step (`downscale`, `weight_noise`, `decay_to_baseline`,
//! `normalize_sum` per step), after each sample (`normalize_sum`). `prune` acts once, when
//! a phase ends, on the network itself ([`prune`]).

mod decay_to_baseline;
mod downscale;
mod hebbian;
mod limits;
mod normalize_sum;
pub mod prune;
mod src_stdp;
mod stdp;
mod weight_noise;

pub use decay_to_baseline::{DecayMode, decay_to_baseline};
pub use downscale::downscale;
pub use hebbian::{Storage, hebbian};
pub use limits::{Limits, Synapses};
pub use normalize_sum::normalize_sum;
pub use src_stdp::{Gate, src_stdp};
pub use stdp::Stdp;
pub use weight_noise::weight_noise;

use crate::plan::bind::Rule;
use crate::plan::bind::rules::{self as bind, Every, GateFn, StdpMode};

#[derive(Debug, Clone, PartialEq)]
pub enum SleepRule {
    SrcStdp {
        inc: f32,
        dec: f32,
        gate: Gate,
    },
    Stdp(Stdp),
    NormalizeSum {
        total: f32,
        every_step: bool,
    },
    /// Massey et al.'s homeostatic sleep: every step |w| ← w_t·(|w|/w_t)^λ, sign kept.
    DecayToBaseline {
        target: f32,
        lambda: f32,
        mode: DecayMode,
        /// End the phase when Σ|w| over the rule's projections is within `tolerance` (a
        /// fraction) of `baseline`, the sum at the start of the protocol.
        stop_at_baseline: bool,
        tolerance: f64,
        baseline: f64,
    },
    Downscale {
        factor: f32,
    },
    WeightNoise {
        sigma: f32,
        relative: bool,
    },
    /// At each post spike, w_ij += lr · x_i, through ties onto shared weights.
    Hebbian {
        lr: f32,
        tau: f64,
    },
}

impl SleepRule {
    /// The kernel of a rule in a spiking phase; `baseline` is Σ|w| at the start of the
    /// protocol over the projections it changes (`decay_to_baseline`). `None` for the rules
    /// that do not act step by step: `backprop` (rate phases) and `prune` (at a phase's end).
    pub fn new(rule: &Rule, baseline: f64) -> Option<SleepRule> {
        Some(match rule {
            Rule::SrcStdp(r) => SleepRule::SrcStdp {
                inc: r.inc as f32,
                dec: r.dec as f32,
                gate: match r.gate_fn {
                    GateFn::Logistic => Gate::Logistic,
                    GateFn::None => Gate::None,
                    GateFn::Matlab => Gate::Matlab {
                        inv_gate: (1.0 / r.gate) as f32,
                    },
                },
            },
            Rule::Stdp(r) => SleepRule::Stdp(Stdp {
                a_plus: r.a_plus as f32,
                a_minus: r.a_minus as f32,
                tau_plus: r.tau_plus,
                tau_minus: r.tau_minus,
                lr: r.lr as f32,
                multiplicative: r.mode == StdpMode::Multiplicative,
                nearest: r.nearest,
                w_min: r.w_min as f32,
                w_max: r.w_max as f32,
            }),
            Rule::DecayToBaseline(r) => SleepRule::DecayToBaseline {
                target: r.target as f32,
                lambda: r.lambda as f32,
                mode: match r.mode {
                    bind::DecayMode::Static => DecayMode::Static,
                    bind::DecayMode::Group => DecayMode::Group,
                    bind::DecayMode::Post => DecayMode::Post,
                },
                stop_at_baseline: r.stop_at_baseline,
                tolerance: r.tolerance,
                baseline,
            },
            Rule::NormalizeSum(r) => SleepRule::NormalizeSum {
                total: r.total as f32,
                every_step: r.every == Every::Step,
            },
            Rule::Downscale(r) => SleepRule::Downscale {
                factor: r.factor as f32,
            },
            Rule::WeightNoise(r) => SleepRule::WeightNoise {
                sigma: r.sigma as f32,
                relative: r.relative,
            },
            Rule::Hebbian(r) => SleepRule::Hebbian {
                lr: r.lr as f32,
                tau: r.tau,
            },
            Rule::Backprop(_) | Rule::Prune(_) => return None,
            // Act at an agent's moves, in `engine::forage`; the plan keeps them out of every
            // other phase (E320).
            Rule::RewardStdp(_)
            | Rule::InputBalance
            | Rule::OutputBalance(_)
            | Rule::RateAdaptation(_) => return None,
        })
    }
}
