//! Shocks of a `perturb` phase, applied once to the live network.
//!
//! - `lesion(target, fraction)`: a random fraction of the population's neurons is removed
//!   for good: every synapse into or out of them is cut (masked), so no rule brings it back.
//! - `weight_noise(sigma, relative)`: Gaussian noise on the weights of the projections given
//!   `on` (all if none), × |w| when relative; bounds and sign constraints still hold.
//! - `silence(target)`: the population fires nothing during the next phase.

use super::network::{Network, gaussian};
use super::params::{flag, num};
use crate::plan::ir::{BuiltinIr, ParamIr};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// Applies one shock; returns the populations silenced for the next phase, or the name of
/// a shock this engine cannot apply.
pub fn apply(
    net: &mut Network,
    shock: &BuiltinIr,
    rng: &mut ChaCha8Rng,
) -> Result<Vec<usize>, String> {
    let target = || match shock.params.get("target") {
        Some(ParamIr::Population { name }) => net.pop(name),
        _ => None,
    };
    match shock.name.as_str() {
        "lesion" => {
            let Some(pop) = target() else {
                return Ok(Vec::new());
            };
            let n = net.pops[pop].size;
            let k = ((n as f64) * num(&shock.params, "fraction", 0.0)).round() as usize;
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
            Ok(Vec::new())
        }
        "weight_noise" => {
            let sigma = num(&shock.params, "sigma", 0.0);
            let relative = flag(&shock.params, "relative", true);
            let on: Vec<&str> = shock
                .on
                .iter()
                .filter_map(|o| match o {
                    ParamIr::Projection { name, .. } => Some(name.as_str()),
                    _ => None,
                })
                .collect();
            for p in net.projs.iter_mut() {
                if !on.is_empty() && !on.contains(&p.name.as_str()) {
                    continue;
                }
                for w in p.w.iter_mut() {
                    let n = sigma * gaussian(rng);
                    *w += (if relative { n * w.abs() as f64 } else { n }) as f32;
                }
                p.constrain();
            }
            Ok(Vec::new())
        }
        "silence" => Ok(target().into_iter().collect()),
        other => Err(other.to_string()),
    }
}
