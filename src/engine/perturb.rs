//! Shocks of a `perturb` phase, applied once to the live network.
//!
//! - `lesion(target, fraction)`: a random fraction of the population's neurons is removed
//!   for good: every synapse into or out of them is cut (masked), so no rule brings it back.
//! - `weight_noise(sigma, relative)`: Gaussian noise on the weights of the projections given
//!   `on` (all if none), × |w| when relative; bounds and sign constraints still hold.
//! - `silence(target)`: the population fires nothing during the next phase.
//! - `prune(fraction | below)`: the weakest synapses of the projections given `on` (all if
//!   none) are removed for good ([`super::rules::prune`]).

use super::network::{Network, gaussian};
use super::rules::prune;
use crate::plan::bind::{Shock, Target};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Applies one shock (not `interfere`, which the runner trains); returns the populations
/// silenced for the next phase.
pub fn apply(net: &mut Network, shock: &Shock, on: &[Target], rng: &mut ChaCha8Rng) -> Vec<usize> {
    match shock {
        Shock::Lesion(l) => {
            let Some(pop) = net.pop(&l.target.0) else {
                return Vec::new();
            };
            let n = net.pops[pop].size;
            let k = ((n as f64) * l.fraction).round() as usize;
            let mut idx: Vec<usize> = (0..n).collect();
            idx.shuffle(rng);
            let mut removed = vec![false; n];
            idx[..k.min(n)].iter().for_each(|&i| removed[i] = true);
            for p in net.projs.iter_mut() {
                if p.to != pop && p.from != pop {
                    continue;
                }
                let mask = p.mask.get_or_insert_with(|| vec![1.0; p.pre * p.post]);
                for j in 0..p.post {
                    for i in 0..p.pre {
                        if (p.to == pop && removed[j]) || (p.from == pop && removed[i]) {
                            mask[j * p.pre + i] = 0.0;
                        }
                    }
                }
                p.constrain();
            }
            Vec::new()
        }
        Shock::WeightNoise(w) => {
            for p in net.projs.iter_mut() {
                if !on.is_empty() && !on.iter().any(|t| t.name() == p.name) {
                    continue;
                }
                for x in p.w.iter_mut() {
                    let n = w.sigma * gaussian(rng);
                    *x += (if w.relative { n * x.abs() as f64 } else { n }) as f32;
                }
                p.constrain();
            }
            Vec::new()
        }
        Shock::Silence(s) => net.pop(&s.target.0).into_iter().collect(),
        Shock::Prune(p) => {
            let applies: Vec<bool> = net
                .projs
                .iter()
                .map(|q| on.is_empty() || on.iter().any(|t| t.name() == q.name))
                .collect();
            prune::apply(net, p.by(), &applies);
            Vec::new()
        }
        // Training, not a change of the weights in place: the runner runs it.
        Shock::Interfere(_) => Vec::new(),
    }
}
