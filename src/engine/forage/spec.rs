//! The plain-data inputs of the foraging engine: the network, the world and one phase.
//!
//! Everything here is data the caller builds (from a plan, a test or a bench); nothing
//! here runs. The defaults in the comments are the values of Golden, Delanois, Sanda &
//! Bazhenov 2022 (the authors' C++, `spirit`), so a caller that wants the paper writes
//! them down once instead of the engine hiding them.

use serde::{Deserialize, Serialize};

/// The shape of a two-pixel food particle, as its two pixels lie on the grid `(x, y)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Pattern {
    /// `(x, y), (x + 1, y)` (C++ `horiz`).
    Horizontal,
    /// `(x, y), (x, y + 1)` (C++ `vert`).
    Vertical,
    /// `(x, y), (x + 1, y + 1)` (C++ `d_pos`).
    DiagonalUp,
    /// `(x, y), (x + 1, y − 1)` (C++ `d_neg`).
    DiagonalDown,
}

/// What eating a pattern means to the agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    Rewarded,
    Punished,
    Neutral,
}

/// The toroidal world the agent forages in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorldSpec {
    /// Side of the square grid (C++ 50).
    pub size: usize,
    /// Side of the square sensor window, odd (C++ 7); the input population has window² cells.
    pub window: usize,
    /// The patterns placed, each once, in this order (placement order consumes the rng).
    pub patterns: Vec<(Pattern, Role)>,
    /// Fraction of the grid's pixels each listed pattern covers: `ceil(size²·density/2)`
    /// pairs (C++ mode 1: 5 % → 63 pairs; mode 0: 2.5 % → 32 pairs).
    pub density: f64,
    /// Re-place an eaten pair elsewhere (C++ `!starving`).
    pub replace: bool,
}

/// Rulkov map parameters of one population (C++ `Cell`, `properDynamics == 1`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Rulkov {
    pub alpha: f64,
    pub sigma: f64,
    pub mu: f64,
    pub beta: f64,
    /// Input decay per step (C++ 0.985).
    pub decay: f64,
    /// Synaptic input is scaled by a uniform factor in `[1 − psp_noise, 1 + psp_noise)`.
    pub psp_noise: f64,
    /// Initial fast variable (also its two history values).
    pub x0: f64,
    /// Initial slow variable.
    pub u0: f64,
}

impl Default for Rulkov {
    /// The paper's cell.
    fn default() -> Self {
        Rulkov {
            alpha: 3.65,
            sigma: 0.06,
            mu: 0.0005,
            beta: 0.133,
            decay: 0.985,
            psp_noise: 0.12,
            x0: -0.939998046792114,
            u0: -2.821443297088526,
        }
    }
}

/// One population of Rulkov cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PopSpec {
    pub name: String,
    pub size: usize,
    /// The cell model; `None` is the paper's cell ([`Rulkov::default`]). Input cells are
    /// Rulkov cells too, driven by the sensor kick.
    pub model: Option<Rulkov>,
}

/// One projection: synapses `(pre, post, w)` with indices local to the populations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConnSpec {
    pub name: String,
    pub from: usize,
    pub to: usize,
    pub synapses: Vec<(u32, u32, f64)>,
}

/// The network: populations, projections and which populations see and act.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetSpec {
    pub pops: Vec<PopSpec>,
    pub conns: Vec<ConnSpec>,
    /// The population the sensor window drives (cell `x·window + y` sees window pixel `(x, y)`).
    pub input: usize,
    /// The population whose spikes vote for a move.
    pub output: usize,
    /// 8: the output cells split into 8 equal contiguous groups in the C++ direction order
    /// `(mapi, mapj) = (0,0),(0,1),(0,2),(1,0),(1,2),(2,0),(2,1),(2,2)`, move `(mapi−1, mapj−1)`.
    pub actions: usize,
}

/// Dopamine-gated (or plain) STDP on one projection.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct StdpSpec {
    pub conn: usize,
    /// `false`: the change is the trace itself, no dopamine (the C++ hidden layer), and a
    /// weight over `w_max` is set to `w_max · resistance(post)` (C++ `strength_middle_bound`).
    pub modulated: bool,
    /// Trace magnitude at Δt = 0 (C++ `stdp_scale` 0.4); pre→post +, post→pre −.
    pub scale: f64,
    /// Trace decay constant in steps (C++ 40).
    pub tau: f64,
    /// Pairs at least this many steps apart make no trace (C++ `spike_mem` 120).
    pub window: u32,
    /// Traces older than this many steps are dropped (C++ `trace_mem` 3600).
    pub memory: u32,
    /// Per-trace change clipped to ±clip (C++ 0.01).
    pub clip: f64,
    /// Floor (C++ 1e-5).
    pub w_min: f64,
    /// Ceiling (C++ 1 for output, 0.012 for hidden).
    pub w_max: f64,
    /// Rate of the per-synapse trace average (C++ `trace_average_d` 0.001).
    pub average_rate: f64,
}

/// What spike-rate adaptation changes in a cell whose rate is off target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdaptBy {
    /// The cell's resistance (output cells): over target ×(1 + rate), under ×(1 − rate).
    Resistance,
    /// The cell's input target (hidden cells): over target ×(1 − rate), under ×(1 + rate).
    InputTarget,
    /// Only the rate average and the per-move count reset (C++ hidden cells while the
    /// hidden layer is frozen: their rate is still tracked).
    Track,
}

/// Spike-rate adaptation of one population.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AdaptSpec {
    pub pop: usize,
    /// Spikes per move (C++ 0.5 output, 0.01 hidden).
    pub target: f64,
    pub by: AdaptBy,
    /// C++ `input_target_dt` 1e-5.
    pub rate: f64,
    /// C++ `spike_rate_dt` 1e-4.
    pub smoothing: f64,
}

/// Inhibitory weights set from the excitatory ones at every learning move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputBalanceSpec {
    /// The projection whose (negative) weights become −mean(pre's positive outgoing)/cells_per_group.
    pub inhibitory: usize,
    pub cells_per_group: usize,
}

/// Plasticity of one phase.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Learning {
    pub stdp: Vec<StdpSpec>,
    /// Projections whose post cells are balanced multiplicatively to their input target.
    pub input_balance: Vec<usize>,
    pub output_balance: Option<OutputBalanceSpec>,
    pub adapt: Vec<AdaptSpec>,
}

/// Where dopamine comes from at a move.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Dopamine {
    /// From what the agent eats; `nothing` is also used for neutral food.
    Events {
        reward: f64,
        punish: f64,
        nothing: f64,
    },
    /// The same at every move, nothing is eaten (C++ `applyConstantReward`, sleep: 0.5).
    Constant(f64),
}

/// Replay kicks: at each move, cell `i` of `pop` gets `kick` with probability `prob[i]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Replay {
    pub pop: usize,
    pub prob: Vec<f64>,
    pub kick: f64,
}

/// One phase (a C++ stage): `moves` moves of `steps_per_move` steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseSpec {
    pub moves: u64,
    pub steps_per_move: u32,
    /// `None`: an empty world (sleep).
    pub world: Option<WorldSpec>,
    pub sensor_kick: f64,
    pub dopamine: Dopamine,
    /// `None`: no plasticity (tests).
    pub learning: Option<Learning>,
    pub replay: Option<Replay>,
    /// Count the spikes of this population per cell over the phase.
    pub record: Option<usize>,
    /// C++ `p_random_mvmt` 0.005.
    pub random_moves: f64,
    /// Performance window, in task-relevant particles (C++ 100).
    pub last_n: usize,
    pub trajectory: bool,
    /// Moves per aeon, for the per-aeon series (C++ 100).
    pub moves_per_aeon: u64,
}
