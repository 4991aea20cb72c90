//! Sleep phases: the network run as spiking neurons ([`super::spiking`]) for a number of
//! steps, driven by an input drive under its modulators, with local plasticity.

use super::activity::Recorder;
use super::drive::Drive;
use super::modulators::{self, Modulator};
use super::network::Network;
use super::neurons::Model;
use super::rules::SleepRule;
use super::spiking::Sim;
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::{AtomicBool, Ordering};

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
    /// Populations kept from firing during the phase (a `silence` shock before it).
    pub silenced: Vec<usize>,
    /// Count each input neuron's spikes (for a later `recorded_rates` drive).
    pub record_input: bool,
    /// The protocol's recordings of this phase, empty (`None`: nothing is recorded).
    pub monitor: Option<super::monitor::Monitor>,
}

/// What a phase produced besides the weights.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Spikes per population.
    pub spikes: Vec<u64>,
    pub steps: u64,
    /// Spikes per step, for activity metrics.
    pub activity: Recorder,
    /// Spikes of each input neuron, when the setup records them (else empty).
    pub input_counts: Vec<u32>,
    /// The stop flag ended the phase before its last step.
    pub stopped: bool,
    /// What the protocol's recordings kept.
    pub monitor: Option<super::monitor::Monitor>,
}

/// Runs the phase; on a non-finite potential returns the population's index.
pub fn run(
    net: &mut Network,
    setup: &Setup,
    rng: &mut ChaCha8Rng,
    progress: impl FnMut(u64),
) -> Result<Stats, usize> {
    run_stoppable(net, setup, rng, progress, &AtomicBool::new(false))
}

/// How many steps run between two looks at the stop flag: a relaxed load every 64 steps
/// costs nothing next to a step, and a stop waits for at most 63 more.
const STOP_EVERY: u64 = 64;

/// [`run`], ending early at a step boundary once `stop` is set: the weights keep what the
/// steps run did, per-sample rules act as at a normal end, and `Stats::steps` says how
/// many steps ran.
pub fn run_stoppable(
    net: &mut Network,
    setup: &Setup,
    rng: &mut ChaCha8Rng,
    mut progress: impl FnMut(u64),
    stop: &AtomicBool,
) -> Result<Stats, usize> {
    let mut sim = Sim::new(
        net,
        setup.models.clone(),
        setup.scale.clone(),
        setup.rules.clone(),
        setup.modulators.clone(),
        setup.dt,
    );
    for &p in &setup.silenced {
        sim.silenced[p] = true;
    }
    sim.recorder = Some(Recorder::new(
        net.pops.len(),
        setup.steps as usize,
        setup.dt,
    ));
    sim.monitor = setup.monitor.clone();
    let mut result = Ok(());
    let report_every = 1000u64.min(setup.steps.max(1));
    let checks_baseline = setup.rules.iter().any(|(r, _)| {
        matches!(
            r,
            SleepRule::DecayToBaseline {
                stop_at_baseline: true,
                ..
            }
        )
    });
    let mut ran = setup.steps;
    let mut stopped = false;
    // The drive keeps its spike clock for this run; the setup stays reusable.
    let mut drive = setup
        .drive
        .restarted(modulators::max_drive_factor(&setup.modulators));
    let mut input_counts = vec![
        0u32;
        if setup.record_input {
            setup.drive.prob.len()
        } else {
            0
        }
    ];
    for t in 0..setup.steps {
        if t % STOP_EVERY == 0 && stop.load(Ordering::Relaxed) {
            ran = t;
            stopped = true;
            progress(t);
            break;
        }
        let gain = modulators::drive_factor(&setup.modulators, t as f64 * setup.dt);
        sim.set_input(|spikes| {
            drive.step(rng, gain, spikes);
            if !input_counts.is_empty() {
                for &k in spikes.iter() {
                    input_counts[k as usize] += 1;
                }
            }
        });
        sim.step(net, rng);
        if checks_baseline && sim.at_baseline() {
            // Homeostatic sleep ends early once the weights are back at baseline.
            ran = t + 1;
            progress(setup.steps);
            break;
        }
        if (t + 1) % report_every == 0 || t + 1 == setup.steps {
            progress(t + 1);
            if let Some(pop) = sim.non_finite() {
                result = Err(pop);
                break;
            }
        }
    }
    // Rules that act per sample act once, at the end of a sleep.
    sim.sample_rules(net);
    let spikes = sim.counts();
    let activity = sim.recorder.take().unwrap_or_default();
    let sim_monitor = sim.monitor.take();
    if setup.rules.is_empty() {
        // Without rules no weight changed: only the adaptive thresholds go back (writing the
        // weights back would transpose every projection for nothing).
        for (theta, st) in net.theta.iter_mut().zip(&sim.states) {
            if st.theta.len() == theta.len() {
                theta.copy_from_slice(&st.theta);
            }
        }
    } else {
        sim.finish(net);
    }
    result?;
    Ok(Stats {
        spikes,
        steps: ran,
        activity,
        input_counts,
        stopped,
        monitor: sim_monitor,
    })
}

pub use super::spiking::transpose;
