//! `hebbian`: at each spike of post neuron j, every weight w_ij grows by lr · x_i (x the
//! pre trace). On a tied projection the change goes to the shared weights, times the tie's
//! factor, which is how ± error populations give the dictionary of a spiking LCA the
//! error-driven update ΔΦ ∝ (e⁺ − e⁻) aᵀ: one matrix, changed once per view.

use super::Limits;
use crate::engine::network::Tie;

/// Where a projection's weights live during a phase: its own pre-major copy, or (tied)
/// the pre-major copy of the projection it shares them with.
#[derive(Debug, Clone, Copy)]
pub struct Storage {
    /// Post neurons per pre neuron in the matrix written (the owner's `post`).
    pub stride: usize,
    /// `None`: the projection's own matrix.
    pub tie: Option<Tie>,
}

/// Hebbian growth of the synapses onto the post neurons that spiked, for a projection
/// with `pre` neurons whose trace is `x`, written into `wt` as `storage` says and kept
/// within `l` (the owner's limits).
pub fn hebbian(
    wt: &mut [f32],
    storage: Storage,
    post_spikes: &[u32],
    x: &[f32],
    lr: f32,
    l: &Limits,
) {
    if lr == 0.0 {
        return;
    }
    let stride = storage.stride;
    for &j in post_spikes {
        let j = j as usize;
        match storage.tie {
            // T(i → j) is the owner's (j → i): row j of its pre-major copy.
            Some(t) if t.transposed => {
                let k = lr * t.factor;
                let row = &mut wt[j * stride..(j + 1) * stride];
                for (w, &xi) in row.iter_mut().zip(x) {
                    *w = (*w + k * xi).clamp(l.lo, l.hi);
                }
            }
            tie => {
                let k = lr * tie.map_or(1.0, |t| t.factor);
                if let Some(syn) = &l.synapses {
                    for &i in syn.pres(j) {
                        let at = i as usize * stride + j;
                        wt[at] = (wt[at] + k * x[i as usize]).clamp(l.lo, l.hi);
                    }
                    continue;
                }
                for (i, &xi) in x.iter().enumerate() {
                    let at = i * stride + j;
                    if xi != 0.0 && l.exists(at) {
                        wt[at] = (wt[at] + k * xi).clamp(l.lo, l.hi);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn free() -> Limits {
        Limits {
            lo: f32::NEG_INFINITY,
            hi: f32::INFINITY,
            mask: None,
            synapses: None,
        }
    }

    /// A 3-pre × 2-post projection, pre-major: w[i·2 + j].
    #[test]
    fn a_post_spike_adds_lr_times_each_pre_trace() {
        let mut w = vec![0.0; 6];
        let own = Storage {
            stride: 2,
            tie: None,
        };
        hebbian(&mut w, own, &[1], &[0.5, 0.0, 2.0], 0.1, &free());
        // By hand: column j = 1 grows by 0.1 · (0.5, 0, 2).
        assert_eq!(w, vec![0.0, 0.05, 0.0, 0.0, 0.0, 0.2]);
    }

    #[test]
    fn a_tied_view_writes_the_owner_times_its_factor() {
        // Owner: err (3) → code (2), pre-major w[e·2 + c]. A view e_neg (3) → code (2) with
        // factor −1 subtracts; a view code (2) → err (3), transposed, writes row e.
        let mut w = vec![1.0; 6];
        let neg = Storage {
            stride: 2,
            tie: Some(Tie {
                source: 0,
                factor: -1.0,
                transposed: false,
            }),
        };
        hebbian(&mut w, neg, &[0], &[1.0, 0.0, 0.5], 0.2, &free());
        assert_eq!(w, vec![0.8, 1.0, 1.0, 1.0, 0.9, 1.0]);
        let back = Storage {
            stride: 2,
            tie: Some(Tie {
                source: 0,
                factor: 1.0,
                transposed: true,
            }),
        };
        // Err neuron 2 spiked; the code traces are (1, 3): owner (2 → c) grows by 0.1·x_c.
        hebbian(&mut w, back, &[2], &[1.0, 3.0], 0.1, &free());
        assert_eq!(w, vec![0.8, 1.0, 1.0, 1.0, 1.0, 1.3]);
    }

    #[test]
    fn the_owner_limits_clip_and_lr_zero_learns_nothing() {
        let mut w = vec![0.9; 2];
        let l = Limits {
            lo: 0.0,
            hi: 1.0,
            ..free()
        };
        let own = Storage {
            stride: 1,
            tie: None,
        };
        hebbian(&mut w, own, &[0], &[1.0, 0.05], 0.5, &l);
        assert_eq!(w[0], 1.0, "clipped at the bound");
        assert!((w[1] - 0.925).abs() < 1e-6, "{}", w[1]);
        let before = w.clone();
        hebbian(&mut w, own, &[0], &[1.0, 1.0], 0.0, &l);
        assert_eq!(w, before);
    }
}
