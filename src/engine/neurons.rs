//! Spiking neuron models: SRC's `integrate_fire` (multiplicative decay, reset, per-layer
//! threshold) and the leaky `lif` (τ, rest, reset, threshold, refractory, adaptive
//! threshold, clamps). With `delta` synapses a spike adds its weight × r to `v`; with
//! `current` synapses it adds weight × dt/τ_syn to a current `i` that decays with τ_syn and
//! drives `v` (τ dv = (rest − v + r·i) dt, as Massey et al.). With `current_ei` synapses a
//! positive weight jumps an excitatory current by itself, a negative one an inhibitory current
//! (each with its own τ), and v is integrated exactly (Brette et al.'s CUBA benchmark, Brian2's
//! `exact`, NEST's `iaf_psc_exp`). `v_init` starts each neuron at its own potential, drawn
//! from a stream seeded per phase call.

use crate::plan::bind::NeuronModel;
use crate::plan::bind::models::{self, Lif};
use crate::plan::bind::network::{Constant, Init, Initial};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
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
        /// dt / τ_syn for `current` synapses; `None` for `delta`.
        current: Option<f32>,
        /// `conductance` synapses: positive weights open an excitatory conductance, negative
        /// ones an inhibitory one, each decaying with its τ and pulling v to its reversal
        /// potential (Diehl & Cook): τ dv = (rest − v + r·(g_e·(e_exc − v) + g_i·(e_inh − v))) dt,
        /// integrated exactly over each step with the conductances held.
        conductance: Option<Conductance>,
        /// `current_ei` synapses: excitatory and inhibitory currents with their own τ.
        currents: Option<Currents>,
        v_min: f32,
        v_max: f32,
        /// Where each neuron starts a phase and every sample.
        v_init: VInit,
    },
}

/// The potential neurons start at.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum VInit {
    /// `rest` (no `v_init`).
    Rest,
    /// The same potential for every neuron.
    Value(f32),
    /// Uniform in [lo, hi), drawn per neuron from the stream `seed`.
    Uniform { lo: f64, hi: f64, seed: u64 },
    /// Gaussian, drawn per neuron from the stream `seed`.
    Normal { mean: f64, std: f64, seed: u64 },
}

/// `current_ei` synapses of a `lif` population: excitatory current `State::i` (≥ 0) and
/// inhibitory current `State::gi` (its magnitude, ≥ 0), each decaying exponentially.
/// τ dv/dt = rest − v + r·(i_e − i_i) is linear with exponential inputs, so one step is
/// exact: v ← rest + (v − rest)·m + r·(i_e·k_e − i_i·k_i).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Currents {
    /// exp(−dt/τ_exc), exp(−dt/τ_inh).
    pub decay_e: f32,
    pub decay_i: f32,
    /// exp(−dt/τ).
    pub m: f32,
    /// What a unit current at the step's start adds to v over the step:
    /// τ_s/(τ_s − τ)·(e^(−dt/τ_s) − e^(−dt/τ)), or dt/τ·e^(−dt/τ) when τ_s = τ.
    pub k_e: f32,
    pub k_i: f32,
}

impl Currents {
    pub fn new(dt: f64, tau: f64, tau_exc: f64, tau_inh: f64) -> Currents {
        let m = (-dt / tau).exp();
        let k = |ts: f64| {
            let d = (-dt / ts).exp();
            if ((ts - tau) / tau).abs() < 1e-9 {
                dt / tau * m
            } else {
                ts / (ts - tau) * (d - m)
            }
        };
        Currents {
            decay_e: (-dt / tau_exc).exp() as f32,
            decay_i: (-dt / tau_inh).exp() as f32,
            m: m as f32,
            k_e: k(tau_exc) as f32,
            k_i: k(tau_inh) as f32,
        }
    }
}

impl VInit {
    fn of(v: Option<&Initial>) -> VInit {
        match v {
            None => VInit::Rest,
            Some(Initial::Value(v))
            | Some(Initial::Drawn(Init::Constant(Constant { value: v }))) => {
                VInit::Value(*v as f32)
            }
            Some(Initial::Drawn(Init::Uniform(u))) => VInit::Uniform {
                lo: u.lo,
                hi: u.hi,
                seed: 0,
            },
            Some(Initial::Drawn(Init::Normal(n))) => VInit::Normal {
                mean: n.mean,
                std: n.std,
                seed: 0,
            },
            // Not potentials: the checker allows only the three above for `v_init`.
            Some(Initial::Drawn(Init::Glorot | Init::Load(_) | Init::Chunks(_))) => VInit::Rest,
        }
    }
}

impl Model {
    /// The model of the `layer`-th non-input population (for `thresholds` lists) with time
    /// step `dt`; `None` for rate units.
    pub fn spiking(m: &NeuronModel, layer: usize, dt: f64) -> Option<Model> {
        match m {
            NeuronModel::Relu | NeuronModel::Sigmoid | NeuronModel::Linear => None,
            NeuronModel::IntegrateFire(p) => Some(Model::IntegrateFire {
                decay: p.decay as f32,
                reset: p.reset as f32,
                threshold: p.threshold_of(layer) as f32,
            }),
            NeuronModel::Lif(p) => Some(Model::lif(p, dt)),
            // Runs only in environment phases, in `engine::forage`: the plan refuses it in
            // any other phase (E320), so no spiking op carries it.
            NeuronModel::Rulkov(_) => None,
        }
    }

    fn lif(p: &Lif, dt: f64) -> Model {
        let current = (p.synapse == models::Synapse::Current).then(|| (dt / p.tau_syn) as f32);
        let currents = (p.synapse == models::Synapse::CurrentEi)
            .then(|| Currents::new(dt, p.tau, p.tau_exc, p.tau_inh));
        let conductance = (p.synapse == models::Synapse::Conductance).then(|| Conductance {
            decay_e: (-dt / p.tau_exc).exp() as f32,
            decay_i: (-dt / p.tau_inh).exp() as f32,
            e_exc: p.e_exc as f32,
            e_inh: p.e_inh as f32,
        });
        Model::Lif {
            leak: (dt / p.tau) as f32,
            rest: p.rest as f32,
            reset: p.reset as f32,
            threshold: p.threshold as f32,
            refractory_steps: (p.refractory / dt).round() as u32,
            gain: p.r as f32,
            adapt: p.adapt as f32,
            adapt_decay: (-dt / p.tau_adapt).exp() as f32,
            current,
            conductance,
            v_min: p.v_min.map_or(f32::NEG_INFINITY, |v| v as f32),
            v_max: p.v_max.map_or(f32::INFINITY, |v| v as f32),
            currents,
            v_init: VInit::of(p.v_init.as_ref()),
        }
    }

    /// The potential a population starts a phase at (`rest`, or `v_init` when it is one
    /// voltage; per-neuron draws are [`Model::initial_potentials`]).
    pub fn initial(&self) -> f32 {
        match self {
            Model::IntegrateFire { .. } => 0.0,
            Model::Lif {
                v_init: VInit::Value(v),
                ..
            } => *v,
            Model::Lif { rest, .. } => *rest,
        }
    }

    /// Writes each neuron's starting potential into `v`: [`Model::initial`], or `v_init`'s
    /// draws, the same ones every time (the stream restarts), so a population put back at
    /// its start between samples starts each sample where it started the phase.
    pub fn initial_potentials(&self, v: &mut [f32]) {
        match *self {
            Model::Lif {
                v_init: VInit::Uniform { lo, hi, seed },
                ..
            } => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                v.iter_mut()
                    .for_each(|v| *v = (lo + (hi - lo) * rng.random::<f64>()) as f32);
            }
            Model::Lif {
                v_init: VInit::Normal { mean, std, seed },
                ..
            } => {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                v.iter_mut()
                    .for_each(|v| *v = (mean + std * super::network::gaussian(&mut rng)) as f32);
            }
            _ => v.fill(self.initial()),
        }
    }

    /// Seeds `v_init`'s draws (the runner derives one stream per phase call and population).
    pub fn seed_initial(&mut self, stream: u64) {
        if let Model::Lif {
            v_init: VInit::Uniform { seed, .. } | VInit::Normal { seed, .. },
            ..
        } = self
        {
            *seed = stream;
        }
    }

    /// The input gain: a spike adds its weight times this to `v` (or to `i`).
    pub fn gain(&self) -> f32 {
        match self {
            Model::IntegrateFire { .. } => 1.0,
            Model::Lif {
                current: Some(k), ..
            } => *k,
            // The weight is the jump of the current; r multiplies the current in v.
            Model::Lif {
                currents: Some(_), ..
            } => 1.0,
            Model::Lif { gain, .. } => *gain,
        }
    }

    /// Where arriving spikes go.
    pub fn synapse(&self) -> Synapse {
        match self {
            Model::Lif {
                conductance: Some(_),
                ..
            }
            | Model::Lif {
                currents: Some(_), ..
            } => Synapse::Conductance,
            Model::Lif {
                current: Some(_), ..
            } => Synapse::Current,
            _ => Synapse::Delta,
        }
    }

    /// Whether spikes arrive into the synaptic current rather than the potential.
    pub fn has_current(&self) -> bool {
        self.synapse() == Synapse::Current
    }
}

/// How a spike acts on its target neuron.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synapse {
    /// Adds to the potential.
    Delta,
    /// Adds to a decaying current (`State::i`).
    Current,
    /// Split by sign: a positive weight adds to `State::i`, a negative one its magnitude to
    /// `State::gi` (the conductances of `conductance` synapses, the currents of `current_ei`).
    Conductance,
}

/// Conductance synapses of a `lif` population.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Conductance {
    pub decay_e: f32,
    pub decay_i: f32,
    pub e_exc: f32,
    pub e_inh: f32,
}

/// Appends the indices of the non-zero flags to `out`, ascending, skipping eight clear
/// flags at a time.
fn list_flags(flags: &[u32], out: &mut Vec<u32>) {
    let mut chunks = flags.chunks_exact(8);
    for (c, chunk) in chunks.by_ref().enumerate() {
        if chunk.iter().fold(0, |a, &f| a | f) != 0 {
            for (k, &f) in chunk.iter().enumerate() {
                if f != 0 {
                    out.push((c * 8 + k) as u32);
                }
            }
        }
    }
    let base = flags.len() - chunks.remainder().len();
    for (k, &f) in chunks.remainder().iter().enumerate() {
        if f != 0 {
            out.push((base + k) as u32);
        }
    }
}

/// A decaying quantity below 10⁻³⁰ in magnitude is 0. Left alone it would decay into
/// subnormal floats, on which x86 arithmetic is ~100 times slower: a quiet population's
/// conductances and traces spend most of a sleep there. Nothing else is affected: added to
/// a weight, a rest potential or 1, such a value rounds away in f32.
#[inline(always)]
pub fn flush(x: f32) -> f32 {
    if x.abs() < 1e-30 { 0.0 } else { x }
}

/// The state of one population during a phase.
#[derive(Debug, Clone, Default)]
pub struct State {
    pub v: Vec<f32>,
    pub refractory: Vec<u32>,
    pub theta: Vec<f32>,
    /// Synaptic current (`current` synapses), excitatory conductance (`conductance`) or
    /// excitatory current (`current_ei`).
    pub i: Vec<f32>,
    /// Inhibitory conductance (`conductance` synapses) or the magnitude of the inhibitory
    /// current (`current_ei`).
    pub gi: Vec<f32>,
    pub spikes: Vec<u32>,
    /// 1 for neurons that spiked this step.
    pub spiked: Vec<u8>,
    /// [`State::fire`]'s flags in 32-bit lanes (scratch, reused every step).
    pub fired: Vec<u32>,
    pub count: u64,
}

impl State {
    pub fn new(model: &Model, n: usize) -> State {
        let mut v = vec![0.0; n];
        model.initial_potentials(&mut v);
        State {
            v,
            refractory: vec![0; n],
            theta: vec![0.0; n],
            i: vec![
                0.0;
                if model.synapse() != Synapse::Delta {
                    n
                } else {
                    0
                }
            ],
            gi: vec![
                0.0;
                if model.synapse() == Synapse::Conductance {
                    n
                } else {
                    0
                }
            ],
            spikes: Vec::with_capacity(n),
            spiked: vec![0; n],
            fired: vec![0; n],
            count: 0,
        }
    }

    /// The part of the update before input arrives: decay or leak.
    pub fn decay(&mut self, model: &Model) {
        #[cfg(target_arch = "x86_64")]
        if super::simd::avx2() {
            // SAFETY: the CPU has AVX2.
            return unsafe { self.decay_avx2(model) };
        }
        self.decay_here(model)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn decay_avx2(&mut self, model: &Model) {
        self.decay_here(model)
    }

    #[inline(always)]
    fn decay_here(&mut self, model: &Model) {
        match *model {
            Model::IntegrateFire { decay, .. } => self.v.iter_mut().for_each(|v| *v *= decay),
            Model::Lif {
                leak,
                rest,
                adapt,
                adapt_decay,
                current,
                conductance,
                currents,
                gain,
                ..
            } => {
                if let Some(c) = currents {
                    // Exact for currents decaying exponentially over the step (CUBA).
                    for ((v, ie), ii) in self
                        .v
                        .iter_mut()
                        .zip(self.i.iter_mut())
                        .zip(self.gi.iter_mut())
                    {
                        *v = rest + (*v - rest) * c.m + gain * (*ie * c.k_e - *ii * c.k_i);
                        *ie = flush(*ie * c.decay_e);
                        *ii = flush(*ii * c.decay_i);
                    }
                }
                match (current, conductance) {
                    _ if currents.is_some() => {}
                    (_, Some(c)) => {
                        // With the conductances held over the step the equation is linear
                        // in v: it relaxes toward v∞ = (rest + r·(g_e·e_exc + g_i·e_inh)) / G
                        // with time constant τ / G, G = 1 + r·(g_e + g_i). The exact update
                        // stays stable however large G gets; Euler's v += dt/τ·(…) overshoots
                        // and oscillates once dt·G/τ > 2, which many simultaneous
                        // inhibitory spikes (a 400-neuron winner-take-all) reach.
                        for ((v, ge), gi) in self
                            .v
                            .iter_mut()
                            .zip(self.i.iter_mut())
                            .zip(self.gi.iter_mut())
                        {
                            let g = 1.0 + gain * (*ge + *gi);
                            let target = (rest + gain * (*ge * c.e_exc + *gi * c.e_inh)) / g;
                            // The vectorisable exp: this loop is most of a step.
                            *v = target + (*v - target) * super::expf::exp(-leak * g);
                            *ge = flush(*ge * c.decay_e);
                            *gi = flush(*gi * c.decay_i);
                        }
                    }
                    (None, None) => self.v.iter_mut().for_each(|v| *v += leak * (rest - *v)),
                    (Some(k), None) => {
                        for (v, i) in self.v.iter_mut().zip(self.i.iter_mut()) {
                            *v += leak * (rest - *v + gain * *i);
                            *i = flush(*i - k * *i);
                        }
                    }
                }
                if adapt > 0.0 {
                    self.theta.iter_mut().for_each(|t| *t *= adapt_decay);
                }
            }
        }
    }

    /// Finds the neurons at threshold, records them and clears last step's flags.
    /// (Resetting is separate: SRC applies its rule before the reset.)
    pub fn fire(&mut self, model: &Model) {
        #[cfg(target_arch = "x86_64")]
        if super::simd::avx2() {
            // SAFETY: the CPU has AVX2.
            return unsafe { self.fire_avx2(model) };
        }
        self.fire_here(model)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    fn fire_avx2(&mut self, model: &Model) {
        self.fire_here(model)
    }

    #[inline(always)]
    fn fire_here(&mut self, model: &Model) {
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
                threshold,
                reset,
                v_min,
                v_max,
                ..
            } => {
                // Branch-free over the population, in 32-bit lanes (it vectorises): the
                // flags first, then the few set ones listed.
                let n = self.v.len();
                self.fired.resize(n, 0);
                // Three simple passes over slices of one length: LLVM vectorises each,
                // not one loop doing all three.
                let (vs, rs) = (&mut self.v[..n], &mut self.refractory[..n]);
                let (thetas, fired) = (&self.theta[..n], &mut self.fired[..n]);
                // `clamp` by selects (f32::clamp's checks keep a loop scalar); a NaN stays
                // NaN, for the non-finite check.
                if v_min > f32::NEG_INFINITY || v_max < f32::INFINITY {
                    for v in vs.iter_mut() {
                        let x = *v;
                        *v = if x < v_min {
                            v_min
                        } else if x > v_max {
                            v_max
                        } else {
                            x
                        };
                    }
                }
                // Held at reset while refractory: input during the period is lost.
                // As bits under a mask: the float select compiles to a branch.
                let reset_bits = reset.to_bits();
                for j in 0..n {
                    let held = ((rs[j] != 0) as u32).wrapping_neg();
                    vs[j] = f32::from_bits((reset_bits & held) | (vs[j].to_bits() & !held));
                }
                for j in 0..n {
                    let free = (rs[j] == 0) as u32;
                    fired[j] = free & (vs[j] >= threshold + thetas[j]) as u32;
                    rs[j] -= 1 - free;
                }
                list_flags(&self.fired, &mut self.spikes);
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
