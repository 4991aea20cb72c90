//! Per-layer input scales for a spiking phase of a rate-trained network (`scale`).
//!
//! `activation_max` is data-based normalisation: λ_l = max(largest positive weight into
//! layer l, largest activation of layer l over the data). The published SRC code divides by
//! the previous *applied* factor (`matlab`): applied_0 = 1, applied_l = λ_l / applied_{l−1},
//! scale_l = 1 / applied_l; Diehl et al. 2015 divide by the previous λ (`diehl`):
//! scale_l = λ_{l−1} / λ_l. Both are then multiplied by the recipe's factor.

use super::network::Network;
use super::rate::{self, Inference};
use crate::plan::bind::measures::Recursion;
use crate::plan::bind::{Recipe, Scale};

/// The factor on each population's input current (1 for inputs): one for every layer, one
/// per layer in network order, or computed by a recipe from the training samples that
/// `train` returns for some tasks.
pub fn of(
    net: &Network,
    inf: &Inference,
    scale: &Scale,
    train: impl Fn(&[String]) -> Vec<f32>,
    features: usize,
) -> Vec<f32> {
    let layers = net.layers();
    let mut s = vec![1.0f32; net.pops.len()];
    match scale {
        Scale::Uniform(v) => layers.iter().for_each(|&p| s[p] = *v as f32),
        Scale::PerLayer(vs) => {
            for (&p, v) in layers.iter().zip(vs) {
                s[p] = *v as f32;
            }
        }
        Scale::Recipe {
            recipe: Recipe::ActivationMax(a),
            factor,
        } => {
            let x = train(&a.tasks.0);
            let maxima = rate::activation_max(net, inf, &x, features, a.percentile);
            s = activation_max(net, &maxima, a.recursion, *factor);
        }
    }
    s
}

/// Scales from the per-population activation maxima (`maxima[pop]`), one per population.
pub fn activation_max(
    net: &Network,
    maxima: &[f32],
    recursion: Recursion,
    factor: f64,
) -> Vec<f32> {
    let mut scale = vec![1.0f32; net.pops.len()];
    let mut applied_prev = 1.0f64;
    let mut lambda_prev = 1.0f64;
    for pop in net.layers() {
        let max_w = net.incoming[pop]
            .iter()
            .flat_map(|&pi| net.projs[pi].w.iter())
            .fold(0.0f32, |m, &w| m.max(w)) as f64;
        let lambda = max_w.max(maxima[pop] as f64);
        let s = if lambda <= 0.0 {
            1.0
        } else if recursion == Recursion::Diehl {
            lambda_prev / lambda
        } else {
            let applied = lambda / applied_prev;
            applied_prev = applied;
            1.0 / applied
        };
        if lambda > 0.0 {
            lambda_prev = lambda;
        }
        scale[pop] = (s * factor) as f32;
    }
    scale
}
