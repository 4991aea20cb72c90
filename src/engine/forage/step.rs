//! One network step: every cell's map, then the fired cells' consequences.
//!
//! C++ `calc_next_state` then `apply_firings`. Fired cells are handled in cell-index
//! order (input, hidden, output populations as declared): each delivers its PSPs, makes
//! its STDP traces and — for output cells — votes for a direction. A cell's spike enters
//! its log only after its own traces are made, so when a lower-index pre cell and its
//! post cell fire in the same step the pair counts as pre→post with Δ = 0, as in C++.

use super::agent::Agent;
use super::rulkov::{self, Columns};
use super::traces;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The 8 moves in the C++ direction order `(mapi − 1, mapj − 1)`.
pub const MOVES: [(i32, i32); 8] = [
    (-1, -1),
    (-1, 0),
    (-1, 1),
    (0, -1),
    (0, 1),
    (1, -1),
    (1, 0),
    (1, 1),
];

/// Per-step buffers, allocated once per phase.
pub struct Scratch {
    fired: Vec<u8>,
    list: Vec<u32>,
    /// Spikes per cell since the phase began.
    pub spikes: Vec<u64>,
}

impl Scratch {
    pub fn new(cells: usize) -> Scratch {
        Scratch {
            fired: vec![0; cells],
            list: Vec::with_capacity(cells),
            spikes: vec![0; cells],
        }
    }
}

/// One step at time `a.step` (the caller advances the counter).
pub fn step(a: &mut Agent, s: &mut Scratch, rng: &mut ChaCha8Rng) {
    let now = a.step;
    let mut any = 0usize;
    for p in 0..a.pops.len() {
        let (start, size, m) = (a.pops[p].start, a.pops[p].size, a.pops[p].model);
        let r = start..start + size;
        any += rulkov::step_all(
            &m,
            Columns {
                x: &mut a.x[r.clone()],
                x_prev: &mut a.x_prev[r.clone()],
                x_prev2: &mut a.x_prev2[r.clone()],
                u: &mut a.u[r.clone()],
                input: &mut a.input[r.clone()],
                fired: &mut s.fired[r],
            },
        );
    }
    if any == 0 {
        return;
    }
    s.list.clear();
    // Spikes are sparse: look at 8 flags at a time, in index order.
    let mut chunks = s.fired.chunks_exact(8);
    for (k, chunk) in chunks.by_ref().enumerate() {
        let word = u64::from_ne_bytes([
            chunk[0], chunk[1], chunk[2], chunk[3], chunk[4], chunk[5], chunk[6], chunk[7],
        ]);
        if word != 0 {
            for (j, &f) in chunk.iter().enumerate() {
                if f != 0 {
                    s.list.push((k * 8 + j) as u32);
                }
            }
        }
    }
    let tail = s.fired.len() - chunks.remainder().len();
    for (j, &f) in chunks.remainder().iter().enumerate() {
        if f != 0 {
            s.list.push((tail + j) as u32);
        }
    }
    for &c in &s.list {
        a.move_spikes[c as usize] += 1;
        s.spikes[c as usize] += 1;
    }
    let out = a.range(a.output_pop);
    let group = out.len() / a.actions;
    for k in 0..s.list.len() {
        let c = s.list[k] as usize;
        deliver(a, c, rng);
        stdp(a, c, now);
        if out.contains(&c) {
            vote(a, (c - out.start) / group, rng);
        }
    }
}

/// C++ `add_synaptic_input` along the cell's outgoing synapses: `w / resistance(post)`
/// times a uniform factor in `[1 − n, 1 + n)`.
#[inline]
fn deliver(a: &mut Agent, c: usize, rng: &mut ChaCha8Rng) {
    for s in a.outputs(c) {
        let p = a.post[s] as usize;
        let n = a.noise[p];
        let r: f64 = rng.random();
        a.input[p] += a.w[s] / a.resistance[p] * (1.0 - n + r * 2.0 * n);
    }
}

/// C++ `compute_STDP`: pair this spike with the logged spikes of the cell's partners on
/// every recording projection (nonnegative, unfrozen synapses), then log it.
#[inline]
fn stdp(a: &mut Agent, c: usize, now: u64) {
    for k in a.inputs(c) {
        let s = a.in_syn[k] as usize;
        let Some(p) = a.trace_params[a.conn_of[s] as usize] else {
            continue;
        };
        if a.w[s] < 0.0 || a.frozen[s] {
            continue;
        }
        let pre = a.pre[s] as usize;
        traces::pre_post(&mut a.traces[s], now, &a.spike_log[pre], &p);
    }
    for s in a.outputs(c) {
        let Some(p) = a.trace_params[a.conn_of[s] as usize] else {
            continue;
        };
        traces::clean(&mut a.traces[s], now, p.memory);
        if a.w[s] < 0.0 || a.frozen[s] {
            continue;
        }
        let post = a.post[s] as usize;
        traces::post_pre(&mut a.traces[s], now, &a.spike_log[post], &p);
    }
    traces::log_spike(&mut a.spike_log[c], now, a.log_keep);
}

/// C++ `compute_critter_direction`: the group's count goes up; the direction becomes the
/// group with the most spikes since the last move, ties drawn uniformly.
#[inline]
fn vote(a: &mut Agent, g: usize, rng: &mut ChaCha8Rng) {
    a.votes[g] += 1;
    let best = a.votes.iter().copied().max().unwrap_or(0);
    let tied = a.votes.iter().filter(|&&v| v == best).count();
    let pick = if tied > 1 {
        rng.random_range(0..tied)
    } else {
        0
    };
    if let Some((i, _)) = a
        .votes
        .iter()
        .enumerate()
        .filter(|(_, v)| **v == best)
        .nth(pick)
    {
        a.dir = MOVES[i];
    }
}
