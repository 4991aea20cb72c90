//! What a plan will cost in wall time: a model of each op's work, in the units the engine
//! spends time on, times a per-unit cost measured on this project's machine.
//!
//! The units: a sample through a dense rate network (forward, or forward + backward +
//! update) per synapse; a spiking step per neuron; a spike delivered (or an STDP update)
//! per synapse it reaches; a per-step rule's pass over its synapses. What cannot be known
//! before running, the activity of non-input neurons, is a nominal rate ([`HIDDEN_HZ`]).
//! Input activity follows from the drive and, when the data has been read, the mean of the
//! input features ([`Sizes::from_data`]); before that, task sizes come from their caps.
//!
//! The constants were fitted with `benches/estimates.py`, which runs every shipped protocol,
//! example and benchmark protocol and prints estimate, measurement and ratio (README,
//! "Estimates"): every plan there is within 2× on the 2-core machine it was measured on.

use super::bind::inputs::Intensity;
use super::bind::network::Connectivity;
use super::bind::rules::Every;
use super::bind::{Drive, Metric, Readout, Recipe, Rule, Scale, Shock, Target};
use super::ir::{MetricIr, NetworkIr, Op, TaskListIr, WakeLength};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Seconds per sample per synapse of a rate training step (forward, backward, update).
pub const RATE_TRAIN: f64 = 1.0e-10;
/// Seconds per sample per synapse of a rate forward pass (accuracy, activation scales).
pub const RATE_FORWARD: f64 = 4.0e-11;
/// Seconds per neuron per spiking step (integration, threshold, traces).
pub const NEURON_STEP: f64 = 3.5e-9;
/// Seconds per synapse a spike reaches through a dense, one-to-one or all-but-self
/// projection (delivery; plastic synapses add an update each).
pub const SPIKE_EVENT: f64 = 5.0e-10;
/// The same through a `sparse` or `fixed_in` projection (index lists, scattered writes).
pub const SPARSE_EVENT: f64 = 5.0e-9;
/// Seconds per synapse per step of a rule that scales every synapse each step.
pub const RULE_PASS: f64 = 2.0e-10;
/// Seconds per synapse per step of `decay_to_baseline` (a power per synapse).
pub const RULE_POWER: f64 = 5.0e-9;
/// Seconds per synapse of a Gaussian draw (weight noise, as a rule or a shock).
pub const NOISE_DRAW: f64 = 4.0e-8;
/// Seconds per input per step of drawing a Gaussian noise image.
pub const INPUT_DRAW: f64 = 4.0e-8;
/// A readout's step against a learning step of the same network (no traces, no updates).
pub const READOUT_STEP: f64 = 0.7;
/// Seconds per training sample × feature × class of fitting `linear_readout`.
pub const LINEAR_FIT: f64 = 1.0e-6;
/// Classes a linear readout is assumed to separate.
const CLASSES: f64 = 10.0;
/// Seconds per synapse of copying or visiting the weights once (measures, checkpoints).
pub const WEIGHT_PASS: f64 = 2.0e-9;
/// Seconds per candidate pair of building a sparse projection, and per synapse of any.
pub const BUILD_PAIR: f64 = 1.2e-8;
/// Seconds per feature value of reading a dataset.
pub const LOAD_VALUE: f64 = 1.0e-8;
/// Seconds every run spends whatever it does (reading the plan, writing the outcome).
pub const FIXED: f64 = 0.02;
/// Nominal firing rate of non-input neurons, in Hz.
pub const HIDDEN_HZ: f64 = 5.0;
/// Seconds per cell per step of an agent's Rulkov network (`engine::forage`). Calibrated on
/// protocols/golden_foraging.sleep (2026-12-03, 2 cores shared): a wake aeon of the paper's
/// 841 cells costs 0.096 s CPU (task 1, learning on), a sleep aeon about the same since
/// inputs are flushed below 1e-30; estimate 0.11 s.
pub const AGENT_CELL_STEP: f64 = 1.7e-9;
/// Seconds per synapse per move of an agent's learning (traces, balancing).
pub const AGENT_MOVE_SYNAPSE: f64 = 5.0e-9;
/// Steps per move of an environment the walk has not met in an op (`foraging` measured
/// before any environment phase): the registry's default.
const DEFAULT_EPOCH: f64 = 600.0;
/// Mean input feature assumed before the data is read (MNIST's mean pixel is 0.13).
pub const MEAN_INPUT: f64 = 0.13;
/// Training samples per task assumed when the data is not read and a task list has no
/// `train_cap`; a quarter as many test samples.
pub const SAMPLES_PER_TASK: u64 = 1_000;
/// Held-out samples `clustering` shows at most.
const CLUSTERING_SAMPLES: u64 = 1_000;

/// Samples of each split.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Counts {
    pub train: u64,
    pub validation: u64,
    pub test: u64,
}

/// How many samples each task (and each whole dataset) holds, and the mean input feature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sizes {
    /// Whether the data was read (`false`: task caps and [`SAMPLES_PER_TASK`]).
    pub from_data: bool,
    pub tasks: BTreeMap<String, Counts>,
    pub datasets: BTreeMap<String, Counts>,
    /// Feature values of all datasets, read or generated.
    pub values: u64,
    pub mean_input: f64,
}

impl Sizes {
    /// Sizes known from the source alone: each task at its caps.
    pub fn guessed(task_lists: &[TaskListIr]) -> Sizes {
        let mut tasks = BTreeMap::new();
        let mut datasets: BTreeMap<String, Counts> = BTreeMap::new();
        for list in task_lists {
            let (train, test) = list.split.kernel.caps();
            let train = train.unwrap_or(SAMPLES_PER_TASK);
            let c = Counts {
                train,
                validation: 0,
                test: test.unwrap_or(train / 4),
            };
            let d = datasets.entry(list.dataset.clone()).or_default();
            for key in &list.tasks {
                tasks.insert(key.clone(), c);
                d.train += c.train;
                d.test += c.test;
            }
        }
        Sizes {
            from_data: false,
            tasks,
            datasets,
            values: 0,
            mean_input: MEAN_INPUT,
        }
    }

    /// The samples of tasks (or whole datasets) named by `keys`.
    fn of(&self, keys: &[String]) -> Counts {
        keys.iter().fold(Counts::default(), |a, k| {
            let c = self
                .tasks
                .get(k)
                .or_else(|| self.datasets.get(k))
                .copied()
                .unwrap_or(Counts {
                    train: SAMPLES_PER_TASK,
                    validation: 0,
                    test: SAMPLES_PER_TASK / 4,
                });
            Counts {
                train: a.train + c.train,
                validation: a.validation + c.validation,
                test: a.test + c.test,
            }
        })
    }
}

/// The network's shape, as the cost model reads it.
struct Shape<'a> {
    net: &'a NetworkIr,
    neurons: f64,
    synapses: f64,
    inputs: f64,
    /// The input populations.
    input: Vec<&'a str>,
}

impl<'a> Shape<'a> {
    fn new(net: &'a NetworkIr) -> Shape<'a> {
        let input: Vec<&str> = net
            .populations
            .iter()
            .filter(|p| p.role == "input")
            .map(|p| p.name.as_str())
            .collect();
        let size = |inp: bool| {
            net.populations
                .iter()
                .filter(|p| input.contains(&p.name.as_str()) == inp)
                .map(|p| p.size as f64)
                .sum::<f64>()
        };
        Shape {
            net,
            neurons: size(true) + size(false),
            synapses: net.projections.iter().map(|p| p.synapses as f64).sum(),
            inputs: size(true),
            input,
        }
    }

    /// Neurons of a population.
    fn size(&self, name: &str) -> f64 {
        self.net
            .populations
            .iter()
            .find(|p| p.name == name)
            .map_or(0.0, |p| p.size as f64)
    }

    /// Synapses of the projections a rule acts on (`on`, or every plastic projection).
    fn synapses_on(&self, on: &[Target]) -> f64 {
        self.net
            .projections
            .iter()
            .filter(|p| {
                if on.is_empty() {
                    p.params.typed.plastic
                } else {
                    on.iter().any(|t| match t {
                        Target::Projection(n) => *n == p.name,
                        Target::Population(n) => *n == p.to,
                    })
                }
            })
            .map(|p| p.synapses as f64)
            .sum()
    }

    /// Seconds of one spiking step with inputs firing at `input_hz` (`active`: the fraction
    /// of inputs a window leaves on); `plastic`: spikes also update the synapses they reach
    /// (STDP).
    fn step(&self, input_hz: f64, active: f64, dt: f64, plastic: bool) -> f64 {
        let events: f64 = self
            .net
            .projections
            .iter()
            .map(|p| {
                let hz = if self.input.contains(&p.from.as_str()) {
                    input_hz * active
                } else {
                    HIDDEN_HZ
                };
                let each = match p.params.typed.connectivity {
                    Connectivity::Sparse(_) | Connectivity::FixedIn(_) => SPARSE_EVENT,
                    _ => SPIKE_EVENT,
                };
                hz * dt * p.synapses as f64 * each
            })
            .sum();
        self.neurons * NEURON_STEP + events * if plastic { 2.0 } else { 1.0 }
    }
}

/// What the walk over the ops knows at each op.
struct Walk<'a> {
    shape: Shape<'a>,
    sizes: &'a Sizes,
    /// Tasks trained so far (activation scales read them).
    seen: Vec<String>,
    /// `(present, dt, input Hz)` of the last spiking wake phase: readouts show samples
    /// that way.
    shown: Option<(f64, f64, f64)>,
    /// Steps per move of each environment an op has run in.
    epochs: std::collections::HashMap<String, f64>,
}

/// Seconds of every op of `ops` in the order `somnia plan` lists them (an `until` loop,
/// at its bound, before the ops of its body, each costed once), and of the run's fixed work
/// (building the network, reading the data).
pub fn seconds(net: &NetworkIr, ops: &[Op], sizes: &Sizes) -> (Vec<f64>, f64) {
    let mut w = Walk {
        shape: Shape::new(net),
        sizes,
        seen: Vec::new(),
        shown: None,
        epochs: std::collections::HashMap::new(),
    };
    let mut per_op = Vec::new();
    w.ops(ops, &mut per_op);
    let build: f64 = net
        .projections
        .iter()
        .map(|p| {
            let pairs = match p.params.typed.connectivity {
                Connectivity::Sparse(_) | Connectivity::FixedIn(_) => {
                    w.shape.size(&p.from) * w.shape.size(&p.to)
                }
                _ => 0.0,
            };
            (pairs + p.synapses as f64) * BUILD_PAIR
        })
        .sum();
    (per_op, FIXED + build + sizes.values as f64 * LOAD_VALUE)
}

impl Walk<'_> {
    /// Pushes the cost of each op (and of the ops of its body) onto `out`; returns their sum.
    fn ops(&mut self, ops: &[Op], out: &mut Vec<f64>) -> f64 {
        let mut total = 0.0;
        for op in ops {
            let at = out.len();
            out.push(0.0);
            let c = match op {
                Op::Until { body, max, .. } => {
                    // Costed at its bound: the loop may stop earlier, never later.
                    self.ops(body, out) * *max as f64
                }
                _ => self.op(op),
            };
            out[at] = c;
            total += c;
        }
        total
    }

    fn op(&mut self, op: &Op) -> f64 {
        let s = &self.shape;
        match op {
            Op::Until { .. } => 0.0,
            Op::Wake {
                data,
                length,
                rules,
                settings,
                ..
            } => {
                let per_epoch = self.sizes.of(data).train as f64;
                let n = match length {
                    WakeLength::Epochs(e) => per_epoch * *e as f64,
                    WakeLength::Samples(n) => *n as f64,
                };
                for d in data {
                    if !self.seen.contains(d) {
                        self.seen.push(d.clone());
                    }
                }
                if !op.is_spiking() {
                    return n * s.synapses * RATE_TRAIN;
                }
                let w = &settings.typed;
                let dt = w.dt.max(1e-6);
                let (gain, max_rate) = w.encode.encoding().unwrap_or((1.0, 0.0));
                let present_hz = gain * max_rate * self.sizes.mean_input;
                self.shown = Some((w.present, dt, present_hz));
                let plastic = rules.iter().any(|r| spike_driven(&r.kernel));
                let present = (w.present / dt) * s.step(present_hz, 1.0, dt, plastic);
                let rest = (w.rest / dt) * s.step(0.0, 1.0, dt, plastic);
                let per_sample: f64 = rules
                    .iter()
                    .map(|r| match &r.kernel {
                        Rule::NormalizeSum(n) if n.every == Every::Sample => {
                            s.synapses_on(&r.on) * WEIGHT_PASS
                        }
                        _ => 0.0,
                    })
                    .sum();
                n * (present + rest + per_sample)
            }
            Op::Sleep {
                steps,
                dt,
                drive,
                rules,
                scale,
                window,
                modulators,
                ..
            } => {
                let dt = dt.max(1e-6);
                // Membrane noise: one normal draw per noisy neuron per step.
                let noisy: f64 = modulators
                    .iter()
                    .map(|m| match &m.kernel {
                        crate::plan::bind::Modulator::Noise(n) => {
                            n.population.as_ref().map_or(s.neurons, |p| s.size(&p.0))
                        }
                        _ => 0.0,
                    })
                    .sum();
                let hz = self.drive_hz(&drive.kernel);
                let plastic = rules.iter().any(|r| spike_driven(&r.kernel));
                let per_step: f64 = rules
                    .iter()
                    .map(|r| match &r.kernel {
                        Rule::WeightNoise(_) => s.synapses_on(&r.on) * NOISE_DRAW,
                        Rule::DecayToBaseline(_) => s.synapses_on(&r.on) * RULE_POWER,
                        Rule::Downscale(_) => s.synapses_on(&r.on) * RULE_PASS,
                        Rule::NormalizeSum(n) if n.every == Every::Step => {
                            s.synapses_on(&r.on) * RULE_PASS
                        }
                        _ => 0.0,
                    })
                    .sum::<f64>()
                    + match &drive.kernel {
                        Drive::Gaussian(_) => s.inputs * INPUT_DRAW,
                        _ => 0.0,
                    }
                    + noisy * NOISE_DRAW;
                // A `window w x h` leaves w·h inputs on each step.
                let active =
                    window.map_or(1.0, |[w, h]| ((w * h) as f64 / s.inputs.max(1.0)).min(1.0));
                let scaling = match &scale.typed {
                    Scale::Recipe {
                        recipe: Recipe::ActivationMax(a),
                        ..
                    } => {
                        let tasks = if a.tasks.0.is_empty() {
                            &self.seen
                        } else {
                            &a.tasks.0
                        };
                        self.sizes.of(tasks).train as f64 * s.synapses * RATE_FORWARD
                    }
                    _ => 0.0,
                };
                scaling + *steps as f64 * (s.step(hz, active, dt, plastic) + per_step)
            }
            Op::Forage {
                moves,
                epoch,
                environment,
                rules,
                ..
            } => {
                self.epochs.insert(environment.clone(), *epoch as f64);
                let learning: f64 = rules
                    .iter()
                    .map(|r| s.synapses_on(&r.on) * AGENT_MOVE_SYNAPSE)
                    .sum();
                *moves as f64 * (*epoch as f64 * s.neurons * AGENT_CELL_STEP + learning)
            }
            Op::Measure { metrics, .. } => metrics.iter().map(|m| self.metric(m)).sum(),
            Op::Perturb { shocks, .. } => shocks
                .iter()
                .map(|sh| match &sh.kernel {
                    Shock::WeightNoise(_) => s.synapses_on(&sh.on) * NOISE_DRAW,
                    Shock::Interfere(i) => {
                        self.sizes.of(&i.task.0).train as f64 * s.synapses * RATE_TRAIN
                    }
                    _ => s.synapses * WEIGHT_PASS,
                })
                .sum(),
            Op::Checkpoint { .. } | Op::Restore { .. } => s.synapses * WEIGHT_PASS,
        }
    }

    /// Input rate of a sleep drive, in Hz per input neuron.
    fn drive_hz(&self, d: &Drive) -> f64 {
        let of = |i: &Option<Intensity>, max_rate: f64| match i {
            None => max_rate,
            Some(Intensity::Rate(r)) => *r,
            Some(Intensity::Fraction(f)) => f * max_rate,
            Some(Intensity::Pattern(_)) => max_rate * self.sizes.mean_input,
        };
        match d {
            Drive::Silence => 0.0,
            Drive::Poisson(p) => of(&p.rates, p.max_rate),
            Drive::Bernoulli(b) => 2.0 * of(&b.p, b.max_rate),
            Drive::RecordedRates(r) => r.scale * HIDDEN_HZ,
            // Costed per move by the environment phase's own model.
            Drive::RecordedKicks(_) => 0.0,
            Drive::Gaussian(g) => clamped_mean(g.mean, g.sigma) * g.max_rate,
        }
    }

    fn metric(&self, m: &MetricIr) -> f64 {
        let s = &self.shape;
        match &m.kernel {
            Metric::Accuracy(a) => match &a.readout {
                Readout::Argmax => self.sizes.of(&m.tasks).test as f64 * s.synapses * RATE_FORWARD,
                Readout::LabelAssignment(_) => {
                    let c = self.sizes.of(&m.tasks);
                    self.shown_samples((c.train + c.test) as f64)
                }
                Readout::LinearReadout(r) => {
                    let c = self.sizes.of(&m.tasks);
                    let layer = r
                        .layer
                        .as_ref()
                        .map_or_else(|| self.output_size(), |l| s.size(&l.0));
                    self.shown_samples((c.train + c.test) as f64)
                        + c.train as f64 * layer * CLASSES * LINEAR_FIT
                }
            },
            Metric::Forgetting(_) | Metric::Bwt(_) => 0.0,
            Metric::Foraging(f) => {
                let epoch = self
                    .epochs
                    .get(&f.environment.0)
                    .copied()
                    .unwrap_or(DEFAULT_EPOCH);
                f.length as f64 * epoch * s.neurons * AGENT_CELL_STEP
            }
            Metric::Recovery(r) => self.metric(&r.metric),
            Metric::TimeToRecover(r) => self.metric(&r.metric),
            Metric::Clustering(_) => {
                let held_out = self.sizes.datasets.values().next().map_or(0, |c| c.test);
                self.shown_samples(held_out.min(CLUSTERING_SAMPLES) as f64)
            }
            Metric::Residual(_) => self.shown_samples(self.sizes.of(&m.tasks).test as f64),
            Metric::NoiseResponse(r) => {
                let (_, dt, _) = self.shown.unwrap_or((0.0, 1.0, 0.0));
                let hz = clamped_mean(r.mean, r.sigma) * r.max_rate;
                (r.length / dt) * s.step(hz, 1.0, dt, false) * READOUT_STEP
            }
            _ => s.synapses * WEIGHT_PASS,
        }
    }

    /// Seconds of showing `n` samples to the spiking network with learning off.
    fn shown_samples(&self, n: f64) -> f64 {
        // The plan refuses a readout before any spiking wake phase (E318).
        let (present, dt, hz) = self.shown.unwrap_or((0.0, 1.0, 0.0));
        n * (present / dt) * self.shape.step(hz, 1.0, dt, false) * READOUT_STEP
    }

    /// Neurons of the output population (the last one when none is marked).
    fn output_size(&self) -> f64 {
        let pops = &self.shape.net.populations;
        pops.iter()
            .find(|p| p.role == "output")
            .or(pops.last())
            .map_or(0.0, |p| p.size as f64)
    }
}

/// E[clamp(x, 0, 1)] for x ~ N(mean, sigma): the mean intensity of a Gaussian noise image.
fn clamped_mean(mean: f64, sigma: f64) -> f64 {
    if sigma <= 0.0 {
        return mean.clamp(0.0, 1.0);
    }
    // Midpoint rule over ±5σ: plenty for a planning estimate.
    let n = 200;
    let h = 10.0 * sigma / n as f64;
    (0..n)
        .map(|i| {
            let z = -5.0 + 10.0 * (i as f64 + 0.5) / n as f64;
            let x = mean + z * sigma;
            x.clamp(0.0, 1.0) * (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
        })
        .sum::<f64>()
        * h
        / sigma
}

/// Whether a rule updates synapses on spikes (so each delivered spike costs twice).
fn spike_driven(r: &Rule) -> bool {
    matches!(r, Rule::Stdp(_) | Rule::SrcStdp(_))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_noise_image_clamped_into_0_1_has_the_mean_of_its_positive_half() {
        // N(0, σ) clamped below at 0 (and σ small against 1): σ/√(2π).
        let m = super::clamped_mean(0.0, 0.1);
        assert!(
            (m - 0.1 / (2.0 * std::f64::consts::PI).sqrt()).abs() < 1e-3,
            "{m}"
        );
        assert_eq!(super::clamped_mean(0.3, 0.0), 0.3);
        assert!((super::clamped_mean(5.0, 0.5) - 1.0).abs() < 1e-5);
    }
}
