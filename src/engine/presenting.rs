//! Presenting samples to a spiking network: each sample's pixels become input spike
//! probabilities (`encode`), shown for `present` and followed by `rest` of silence. Used
//! by spiking wake phases (learning on) and by spike-count readouts (learning off).

use super::drive::Drive;
use super::network::Network;
use super::neurons::Model;
use super::spiking::Sim;
use rand_chacha::ChaCha8Rng;

/// How samples are shown, from a spiking wake phase's settings.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Presentation {
    pub dt: f64,
    pub present_steps: u64,
    pub rest_steps: u64,
    /// Spike probability per step of a pixel of value 1.
    pub prob_per_unit: f32,
    /// Show a sample again, at a higher rate, while the watched layer fires fewer spikes
    /// than this (Diehl & Cook); 0 never.
    pub retry: u64,
    /// The rate increase of a retry, as a probability per step.
    pub retry_step: f32,
    /// The neuron model of each population.
    pub models: Vec<Option<Model>>,
}

/// Shows one sample, leaving the spikes per neuron of `watch` while it was presented in
/// `counts`; returns the steps simulated (present + rest, once per attempt: retries take
/// biological time too).
pub fn present(
    sim: &mut Sim,
    net: &Network,
    p: &Presentation,
    sample: &[f32],
    watch: usize,
    rng: &mut ChaCha8Rng,
    counts: &mut [u32],
) -> u64 {
    let mut extra = 0.0f32;
    let mut attempt = 0;
    loop {
        counts.iter_mut().for_each(|c| *c = 0);
        let mut drive = Drive::new(
            sample
                .iter()
                .map(|&x| ((p.prob_per_unit + extra) * x).clamp(0.0, 1.0))
                .collect(),
        );
        for _ in 0..p.present_steps {
            sim.set_input(|s| drive.step(rng, 1.0, s));
            sim.step(net, rng);
            for &j in &sim.states[watch].spikes {
                counts[j as usize] += 1;
            }
        }
        for _ in 0..p.rest_steps {
            sim.set_input(|s| s.clear());
            sim.step(net, rng);
        }
        let total: u64 = counts.iter().map(|&c| c as u64).sum();
        attempt += 1;
        if total >= p.retry || p.retry == 0 || attempt > 5 {
            return attempt * (p.present_steps + p.rest_steps);
        }
        extra += p.retry_step;
    }
}
