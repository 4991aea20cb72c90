//! Spiking phases: the network run step by step as spiking neurons, driven by an input
//! drive, with local plasticity.
//!
//! Propagation is event-driven: each spike adds its pre-major weight row to the post
//! potentials, so a step costs spikes × fan-out. Populations update in flow order within a
//! step, so a spike crosses every feed-forward layer in the step it is emitted (as SRC).
//! The step loop allocates nothing.

use super::drive::Drive;
use super::modulators::{self, Modulator};
use super::network::Network;
use super::network::gaussian;
use super::neurons::{Model, State};
use super::sleep_rules::{Limits, SleepRule, src_stdp, weight_noise};
use rand_chacha::ChaCha8Rng;

/// Everything a spiking phase needs, resolved against the network.
#[derive(Debug, Clone)]
pub struct Setup {
    pub steps: u64,
    pub dt: f64,
    /// The model of each population (`None` for inputs).
    pub models: Vec<Option<Model>>,
    /// The factor on each population's input current.
    pub scale: Vec<f32>,
    pub drive: Drive,
    /// Each rule with the projections it changes.
    pub rules: Vec<(SleepRule, Vec<bool>)>,
    pub modulators: Vec<Modulator>,
}

/// What a phase produced besides the weights.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Spikes per population.
    pub spikes: Vec<u64>,
    pub steps: u64,
}

/// Runs the phase; on a non-finite potential returns the population's index.
pub fn run(
    net: &mut Network,
    setup: &Setup,
    rng: &mut ChaCha8Rng,
    mut progress: impl FnMut(u64),
) -> Result<Stats, usize> {
    let input = net.input();
    // Pre-major copies for propagation and the spike-triggered rules.
    let mut wt: Vec<Vec<f32>> = net
        .projs
        .iter()
        .map(|p| transpose(&p.w, p.post, p.pre))
        .collect();
    let mut states: Vec<State> = net
        .pops
        .iter()
        .enumerate()
        .map(|(i, p)| match &setup.models[i] {
            Some(m) => State::new(m, p.size),
            None => State {
                spiked: vec![0; p.size],
                spikes: Vec::with_capacity(p.size),
                ..State::default()
            },
        })
        .collect();
    let limits: Vec<Limits> = net.projs.iter().map(Limits::of).collect();
    let order = net.layers();
    let mut result = Ok(());
    let report_every = 1000u64.min(setup.steps.max(1));
    for t in 0..setup.steps {
        if let Some(inp) = input {
            let st = &mut states[inp];
            for &k in &st.spikes {
                st.spiked[k as usize] = 0;
            }
            let gain = modulators::drive_factor(&setup.modulators, t as f64 * setup.dt);
            setup.drive.step(rng, gain, &mut st.spikes);
            for &k in &st.spikes {
                st.spiked[k as usize] = 1;
            }
            st.count += st.spikes.len() as u64;
        }
        for &pop in &order {
            let Some(model) = &setup.models[pop] else {
                continue;
            };
            let mut st = std::mem::take(&mut states[pop]);
            st.decay(model);
            for sigma in setup.modulators.iter().filter_map(Modulator::noise) {
                for v in st.v.iter_mut() {
                    *v += sigma * gaussian(rng) as f32;
                }
            }
            let gain = setup.scale[pop] * model.gain();
            for &pi in &net.incoming[pop] {
                let p = &net.projs[pi];
                let spikes = if p.from == pop {
                    &st.spikes
                } else {
                    &states[p.from].spikes
                };
                let w = &wt[pi];
                // Delta synapses charge the potential; current synapses the current.
                let target = if model.has_current() {
                    &mut st.i
                } else {
                    &mut st.v
                };
                for &i in spikes {
                    let row = &w[i as usize * p.post..(i as usize + 1) * p.post];
                    for (v, &w) in target.iter_mut().zip(row) {
                        *v += gain * w;
                    }
                }
            }
            st.fire(model);
            if !st.spikes.is_empty() {
                for (rule, applies) in &setup.rules {
                    if let SleepRule::SrcStdp { inc, dec, gate } = *rule {
                        for &pi in &net.incoming[pop] {
                            if !applies[pi] {
                                continue;
                            }
                            let p = &net.projs[pi];
                            let pre_spiked = if p.from == pop {
                                &st.spiked
                            } else {
                                &states[p.from].spiked
                            };
                            src_stdp(
                                &mut wt[pi],
                                p.post,
                                &st.spikes,
                                pre_spiked,
                                inc,
                                dec,
                                gate,
                                &limits[pi],
                            );
                        }
                    }
                }
            }
            st.reset(model);
            states[pop] = st;
        }
        for (rule, applies) in &setup.rules {
            match *rule {
                SleepRule::Downscale { factor } => {
                    for (w, _) in wt.iter_mut().zip(applies).filter(|(_, a)| **a) {
                        w.iter_mut().for_each(|w| *w *= factor);
                    }
                }
                SleepRule::WeightNoise { sigma, relative } => {
                    for ((w, l), _) in wt.iter_mut().zip(&limits).zip(applies).filter(|(_, a)| **a)
                    {
                        weight_noise(w, sigma, relative, l, || gaussian(rng) as f32);
                    }
                }
                SleepRule::SrcStdp { .. } => {}
            }
        }
        if (t + 1) % report_every == 0 || t + 1 == setup.steps {
            progress(t + 1);
            if let Some(pop) = order
                .iter()
                .copied()
                .find(|&p| states[p].v.iter().any(|v| !v.is_finite()))
            {
                result = Err(pop);
                break;
            }
        }
    }
    for (p, wt) in net.projs.iter_mut().zip(&wt) {
        p.w = transpose(wt, p.pre, p.post);
        if p.mask.is_some() || p.bounds.is_some() || p.sign != super::network::Sign::Any {
            p.constrain();
        }
    }
    result?;
    Ok(Stats {
        spikes: states.iter().map(|s| s.count).collect(),
        steps: setup.steps,
    })
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
