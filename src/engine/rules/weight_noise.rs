//! `weight_noise` as a rule: Gaussian noise on every existing synapse each step.

use super::Limits;

/// Gaussian noise on every existing synapse, clipped into the limits.
pub fn weight_noise(
    wt: &mut [f32],
    sigma: f32,
    relative: bool,
    limits: &Limits,
    mut normal: impl FnMut() -> f32,
) {
    let mut shake = |w: &mut f32| {
        let n = sigma * normal();
        *w = (*w + if relative { n * w.abs() } else { n }).clamp(limits.lo, limits.hi);
    };
    if let Some(syn) = &limits.synapses {
        // Ascending indices: the same draws land on the same synapses as below.
        syn.indices().for_each(|k| shake(&mut wt[k]));
        return;
    }
    for (k, w) in wt.iter_mut().enumerate() {
        if !limits.exists(k) {
            continue;
        }
        shake(w);
    }
}
