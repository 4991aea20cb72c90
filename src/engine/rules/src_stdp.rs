//! `src_stdp`, Sleep Replay Consolidation's rule: when post neuron j spikes, every synapse
//! onto it changes by `+inc·f(w)` if its pre neuron spiked this step and `−dec·f(w)`
//! otherwise, f the weight gate.

use super::Limits;

/// The weight gate f(w) of `src_stdp`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Gate {
    /// 2·σ(−w/gate): ≈ 2 for negative weights, 1 at 0, ≈ 0 for w ≫ gate (published code).
    Matlab {
        inv_gate: f32,
    },
    /// σ(w) (the Python replicate).
    Logistic,
    None,
}

impl Gate {
    #[inline(always)]
    pub fn f(self, w: f32) -> f32 {
        match self {
            Gate::Matlab { inv_gate } => 2.0 / (1.0 + (w * inv_gate).exp()),
            Gate::Logistic => 1.0 / (1.0 + (-w).exp()),
            Gate::None => 1.0,
        }
    }
}

/// SRC's update of the synapses onto the post neurons that spiked.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn src_stdp(
    wt: &mut [f32],
    post: usize,
    post_spikes: &[u32],
    pre_spiked: &[u8],
    inc: f32,
    dec: f32,
    gate: Gate,
    limits: &Limits,
) {
    let update = |w: &mut f32, s: u8| {
        let change = if s != 0 { inc } else { -dec };
        *w = (*w + change * gate.f(*w)).clamp(limits.lo, limits.hi);
    };
    for &j in post_spikes {
        let j = j as usize;
        if let Some(syn) = &limits.synapses {
            for &i in syn.pres(j) {
                let i = i as usize;
                update(&mut wt[i * post + j], pre_spiked[i]);
            }
            continue;
        }
        for (i, &s) in pre_spiked.iter().enumerate() {
            let k = i * post + j;
            if !limits.exists(k) {
                continue;
            }
            update(&mut wt[k], s);
        }
    }
}
