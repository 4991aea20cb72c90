//! The inner loops of spike propagation and STDP that [`super::spiking::Sim`] runs on each
//! projection: conductance opening, delivery through synapse lists, delay scheduling, and
//! the matrix transpose of the pre-major weight copies.

use super::neurons::State;
use super::neurons::Synapse;
use super::rules::{Limits, Stdp, Synapses};

/// Delayed delivery for one projection.
pub(super) struct Delays {
    /// Steps per synapse, pre-major.
    pub steps: Vec<u16>,
    /// `slots × post`: what arrives at each post neuron in each of the next steps.
    pub ring: Vec<f32>,
    pub slots: usize,
}

/// The traces of one `stdp` rule: per population, a pre trace `x` and a post trace `y`.
pub(super) struct Traces {
    pub x: Vec<Vec<f32>>,
    pub y: Vec<Vec<f32>>,
    pub decay_x: f32,
    pub decay_y: f32,
}

/// A weighted spike onto a conductance synapse: an excitatory weight opens g_e, an
/// inhibitory one g_i. Branch-free, so a spike's row add vectorises; adding a zero leaves
/// the other conductance exactly as it was.
#[inline(always)]
pub(super) fn open(ge: &mut f32, gi: &mut f32, x: f32) {
    *ge += x.max(0.0);
    *gi -= x.min(0.0);
}

/// Delivers the spikes of a listed projection (`Sim::listed`): each pre neuron's synapses
/// and weights are contiguous.
/// `target` is `v` (delta synapses) or `i`; `gi` takes the inhibitory part of
/// conductance (and `current_ei`) synapses.
pub(super) fn deliver_listed(
    target: &mut [f32],
    gi: &mut [f32],
    synapse: Synapse,
    spikes: &[u32],
    syn: &Synapses,
    w: &[f32],
    gain: f32,
) {
    for &i in spikes {
        let posts = syn.posts(i as usize);
        let start = syn.start(i as usize);
        let ws = &w[start..start + posts.len()];
        if synapse == Synapse::Conductance {
            for (&j, &w) in posts.iter().zip(ws) {
                open(&mut target[j as usize], &mut gi[j as usize], gain * w);
            }
        } else {
            for (&j, &w) in posts.iter().zip(ws) {
                target[j as usize] += gain * w;
            }
        }
    }
}

/// Delivers the spikes of a tied projection from its owner's pre-major copy `w` (`stride`
/// post neurons per pre neuron): the owner's row of each spiking neuron, or, transposed,
/// its column. `target` and `gi` as in [`deliver_listed`].
#[allow(clippy::too_many_arguments)]
pub(super) fn deliver_tied(
    target: &mut [f32],
    gi: &mut [f32],
    synapse: Synapse,
    spikes: &[u32],
    w: &[f32],
    stride: usize,
    tie: crate::engine::network::Tie,
    gain: f32,
) {
    let g = gain * tie.factor;
    let posts = target.len();
    let mut add = |j: usize, x: f32| {
        if synapse == Synapse::Conductance {
            open(&mut target[j], &mut gi[j], x);
        } else {
            target[j] += x;
        }
    };
    for &i in spikes {
        let i = i as usize;
        if tie.transposed {
            // Post neuron e of this projection is pre neuron e of the owner.
            for e in 0..posts {
                add(e, g * w[e * stride + i]);
            }
        } else {
            for (j, &x) in w[i * stride..(i + 1) * stride].iter().enumerate() {
                add(j, g * x);
            }
        }
    }
}

/// Puts the weights of the spiking pre neurons into the ring slots of their delays (only
/// the existing synapses when they are listed).
pub(super) fn schedule(
    d: &mut Delays,
    spikes: &[u32],
    w: &[f32],
    post: usize,
    slot: usize,
    gain: f32,
    syn: Option<&Synapses>,
) {
    // Every delay is below `slots`: one conditional subtraction wraps it, no division.
    let now = slot % d.slots;
    let mut put = |base: usize, j: usize| {
        let mut s = now + d.steps[base + j] as usize;
        if s >= d.slots {
            s -= d.slots;
        }
        d.ring[s * post + j] += gain * w[base + j];
    };
    for &i in spikes {
        let base = i as usize * post;
        match syn {
            Some(syn) => syn
                .posts(i as usize)
                .iter()
                .for_each(|&j| put(base, j as usize)),
            None => (0..post).for_each(|j| put(base, j)),
        }
    }
}

/// STDP on one projection after its post population fired: depression for the pre spikes
/// (by the post trace before this step's post spikes), potentiation for the post spikes
/// (by the pre trace, which includes this step's pre spikes).
#[allow(clippy::too_many_arguments)]
pub(super) fn apply_stdp(
    s: &Stdp,
    wt: &mut [f32],
    post: usize,
    pre_spikes: &[u32],
    st: &State,
    t: &Traces,
    from: usize,
    to: usize,
    l: &Limits,
) {
    s.depress(wt, post, pre_spikes, &t.y[to], l);
    // Onto itself, a population's traces are bumped after its rules: count this step's
    // spikes in the pre trace here.
    let same_step = (from == to).then_some(&st.spiked[..]);
    s.potentiate(wt, post, &st.spikes, &t.x[from], same_step, l);
}

/// A rows × cols matrix transposed (cols × rows), blocked for cache locality.
pub fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; m.len()];
    const B: usize = 32;
    for r0 in (0..rows).step_by(B) {
        for c0 in (0..cols).step_by(B) {
            for r in r0..(r0 + B).min(rows) {
                for c in c0..(c0 + B).min(cols) {
                    out[c * rows + r] = m[r * cols + c];
                }
            }
        }
    }
    out
}
