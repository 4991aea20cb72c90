//! `stdp`: pair-based with exponential traces. A pre spike depresses its synapses by
//! `lr·a_minus·y_post` and a post spike potentiates by `lr·a_plus·x_pre` (× (w_max − w) or
//! (w − w_min) when `multiplicative`; traces reset to 1 instead of adding 1 when `nearest`),
//! weights clipped to [w_min, w_max].

use super::Limits;

/// The parameters of pair-based STDP.
#[derive(Debug, Clone, PartialEq)]
pub struct Stdp {
    pub a_plus: f32,
    pub a_minus: f32,
    /// Seconds.
    pub tau_plus: f64,
    pub tau_minus: f64,
    pub lr: f32,
    pub multiplicative: bool,
    pub nearest: bool,
    pub w_min: f32,
    pub w_max: f32,
}

impl Stdp {
    /// Depression of the synapses of the pre neurons that spiked, by the post trace `y`.
    pub fn depress(&self, wt: &mut [f32], post: usize, pre_spikes: &[u32], y: &[f32], l: &Limits) {
        let (lo, hi) = (self.w_min.max(l.lo), self.w_max.min(l.hi));
        let k = self.lr * self.a_minus;
        let update = |w: &mut f32, yj: f32| {
            let scale = if self.multiplicative {
                *w - self.w_min
            } else {
                1.0
            };
            *w = (*w - k * yj * scale).clamp(lo, hi);
        };
        for &i in pre_spikes {
            let base = i as usize * post;
            if let Some(syn) = &l.synapses {
                for &j in syn.posts(i as usize) {
                    let yj = y[j as usize];
                    if yj != 0.0 {
                        update(&mut wt[base + j as usize], yj);
                    }
                }
                continue;
            }
            let row = &mut wt[base..base + post];
            if l.mask.is_none() && !self.multiplicative {
                // Dense and additive: a select per synapse instead of a branch, so the row
                // vectorises (a post trace of 0 leaves its weight exactly as it was).
                for (w, &yj) in row.iter_mut().zip(y) {
                    let d = (*w - k * yj).clamp(lo, hi);
                    *w = if yj != 0.0 { d } else { *w };
                }
                continue;
            }
            for (j, &yj) in y.iter().enumerate() {
                if yj == 0.0 || !l.exists(base + j) {
                    continue;
                }
                update(&mut row[j], yj);
            }
        }
    }

    /// Potentiation of the synapses onto the post neurons that spiked, by the pre trace `x`
    /// (plus the pre spikes of this step not yet in it, `same_step`).
    pub fn potentiate(
        &self,
        wt: &mut [f32],
        post: usize,
        post_spikes: &[u32],
        x: &[f32],
        same_step: Option<&[u8]>,
        l: &Limits,
    ) {
        let (lo, hi) = (self.w_min.max(l.lo), self.w_max.min(l.hi));
        let k = self.lr * self.a_plus;
        let trace = |i: usize, xi: f32| match same_step {
            Some(s) if s[i] != 0 => {
                if self.nearest {
                    1.0
                } else {
                    xi + 1.0
                }
            }
            _ => xi,
        };
        let update = |w: &mut f32, xi: f32| {
            let scale = if self.multiplicative {
                self.w_max - *w
            } else {
                1.0
            };
            *w = (*w + k * xi * scale).clamp(lo, hi);
        };
        for &j in post_spikes {
            let j = j as usize;
            if let Some(syn) = &l.synapses {
                for &i in syn.pres(j) {
                    let i = i as usize;
                    let xi = trace(i, x[i]);
                    if xi != 0.0 {
                        update(&mut wt[i * post + j], xi);
                    }
                }
                continue;
            }
            for (i, &xi) in x.iter().enumerate() {
                let xi = trace(i, xi);
                let at = i * post + j;
                if xi == 0.0 || !l.exists(at) {
                    continue;
                }
                update(&mut wt[at], xi);
            }
        }
    }
}
