//! What a plan will cost: memory (checked against the machine before anything runs) and
//! wall time, by the cost model of [`super::cost`].

use super::bind::Rule;
use super::bind::network::{Connect, Connectivity};
use super::cost::{self, SAMPLES_PER_TASK, Sizes};
use super::ir::{Estimate, NetworkIr, Op, Plan, TaskListIr, WakeLength};

/// The number of synapses of a projection from its `connectivity`.
pub fn synapses(connect: &Connect, from: u64, to: u64) -> u64 {
    match &connect.connectivity {
        Connectivity::Sparse(s) => (from as f64 * to as f64 * s.p).round() as u64,
        Connectivity::OneToOne => from.min(to),
        Connectivity::AllButSelf => from.saturating_mul(to) - from.min(to),
        Connectivity::FixedIn(f) => f.k.saturating_mul(to),
        Connectivity::Dense => from.saturating_mul(to),
    }
}

/// Neurons and synapses of a network.
pub fn size(net: &NetworkIr) -> (u64, u64) {
    let neurons = net
        .populations
        .iter()
        .fold(0u64, |a, p| a.saturating_add(p.size));
    let synapses = net
        .projections
        .iter()
        .fold(0u64, |a, p| a.saturating_add(p.synapses));
    (neurons, synapses)
}

/// Memory and cost of a whole plan.
pub fn estimate(net: &NetworkIr, ops: &[Op], tasks: &[TaskListIr]) -> Estimate {
    let (neurons, synapses) = size(net);
    let dense = net
        .projections
        .iter()
        .all(|p| p.params.connectivity == Connectivity::Dense);
    let backprop = walk(ops).any(|op| {
        matches!(op, Op::Wake { rules, .. } if rules.iter().any(|r| matches!(r.kernel, Rule::Backprop(_))))
    });
    // Dense weights: 4 bytes; sparse: weight + index. Backprop adds momentum and gradient.
    let per_synapse = if dense { 4 } else { 8 } + if backprop { 8 } else { 0 };
    let weight_bytes = synapses.saturating_mul(per_synapse);
    // Potentials, traces, thresholds; a batch of activations and their errors for backprop.
    let state_bytes = neurons.saturating_mul(32).saturating_add(if backprop {
        neurons.saturating_mul(800)
    } else {
        0
    });
    let mut sleep_steps = 0u64;
    let mut bio_seconds = 0.0;
    let mut wake_samples = Some(0u64);
    for op in walk(ops) {
        match op {
            Op::Sleep { steps, .. } => sleep_steps = sleep_steps.saturating_add(*steps),
            Op::Wake { data, length, .. } => {
                let known = samples(data, *length, tasks);
                wake_samples = wake_samples.zip(known.1).map(|(a, b)| a.saturating_add(b));
            }
            _ => {}
        }
        bio_seconds += bio_time(op, tasks);
    }
    Estimate {
        neurons,
        synapses,
        weight_bytes,
        state_bytes,
        total_bytes: weight_bytes.saturating_add(state_bytes),
        sleep_steps,
        wake_samples,
        bio_seconds,
        seconds: 0.0,
        startup_seconds: 0.0,
        op_seconds: Vec::new(),
        sizes: Sizes::guessed(tasks),
        record_bytes: 0,
    }
    .timed(net, ops)
}

impl Estimate {
    /// The wall time of `ops` on `net` with this estimate's sizes.
    fn timed(mut self, net: &NetworkIr, ops: &[Op]) -> Estimate {
        let (per_op, startup) = cost::seconds(net, ops, &self.sizes);
        self.seconds = startup + top_level(ops, &per_op);
        self.startup_seconds = startup;
        self.op_seconds = per_op;
        self
    }
}

/// The sum of the top-level ops' costs in `per_op` (listed as [`cost::seconds`] lists them).
fn top_level(ops: &[Op], per_op: &[f64]) -> f64 {
    let mut at = 0;
    let mut total = 0.0;
    for op in ops {
        total += per_op.get(at).copied().unwrap_or(0.0);
        at += listed(op);
    }
    total
}

/// How many entries an op takes in the listing: itself and its body's.
pub fn listed(op: &Op) -> usize {
    match op {
        Op::Until { body, .. } => 1 + body.iter().map(listed).sum::<usize>(),
        _ => 1,
    }
}

/// Re-times `plan` with the task sizes read from its data (`somnia plan`, `somnia run`).
pub fn with_sizes(plan: &mut Plan, sizes: Sizes) {
    let e = plan.estimate.clone();
    plan.estimate = Estimate { sizes, ..e }.timed(&plan.network, &plan.ops);
}

/// Every op, with the bodies of `until` loops counted once per possible iteration bound.
pub fn walk(ops: &[Op]) -> impl Iterator<Item = &Op> {
    let mut stack: Vec<&Op> = ops.iter().rev().collect();
    std::iter::from_fn(move || {
        let op = stack.pop()?;
        if let Op::Until { body, .. } = op {
            stack.extend(body.iter().rev());
        }
        Some(op)
    })
}

/// Samples a wake op presents: (assumed, known from caps).
fn samples(data: &[String], length: WakeLength, tasks: &[TaskListIr]) -> (u64, Option<u64>) {
    let mut total = 0u64;
    let mut known = true;
    for key in data {
        let cap = tasks
            .iter()
            .find(|t| t.tasks.contains(key))
            .and_then(|t| t.split.kernel.caps().0);
        known &= cap.is_some();
        total = total.saturating_add(cap.unwrap_or(SAMPLES_PER_TASK));
    }
    let n = match length {
        WakeLength::Epochs(e) => total.saturating_mul(e),
        WakeLength::Samples(s) => s,
    };
    let exact = matches!(length, WakeLength::Samples(_)) || known;
    (n, exact.then_some(n))
}

/// Biological time an op simulates, in seconds: sleep steps × dt, and for spiking wake
/// phases the samples shown × (present + rest). Rate phases take no biological time.
pub fn bio_time(op: &Op, tasks: &[TaskListIr]) -> f64 {
    match op {
        Op::Sleep { steps, dt, .. } => *steps as f64 * dt,
        Op::Wake {
            data,
            length,
            settings,
            ..
        } if op.is_spiking() => {
            let n = samples(data, *length, tasks).0 as f64;
            n * (settings.present + settings.rest)
        }
        _ => 0.0,
    }
}

/// Total memory of this machine, from /proc/meminfo (8 GiB when it cannot be read).
pub fn machine_memory() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<u64>().ok())
        })
        .map_or(8 << 30, |kb| kb * 1024)
}

/// `28.7 MB`
pub fn bytes(n: u64) -> String {
    let n = n as f64;
    if n >= 1e12 {
        format!("{:.1} TB", n / 1e12)
    } else if n >= 1e9 {
        format!("{:.1} GB", n / 1e9)
    } else if n >= 1e6 {
        format!("{:.1} MB", n / 1e6)
    } else if n >= 1e3 {
        format!("{:.1} kB", n / 1e3)
    } else {
        format!("{n} B")
    }
}
