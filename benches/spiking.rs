//! Spiking engine speed on the networks of the two spiking protocols, data/mnist-10k:
//!
//! - `dc`: protocols/nrem_rem_resilience.sleep (784 → 400 exc ↔ 400 inh, Diehl & Cook:
//!   Poisson input, conductance LIF with adaptive thresholds, inhibition through an
//!   all_but_self inhibitory population, delayed dense input, pair STDP + normalize_sum on
//!   the input projection). Wake: 2 samples at dt 0.5 ms (700 + 300 steps = 1000 steps);
//!   sleep: 1000 steps of the NREM phase (Poisson 2 Hz drive, slow modulator, STDP, downscale).
//! - `massey`: protocols/stdp_sleep_ratio.sleep (784 → 200 exc + 50 inh, sparse 10–25 %
//!   connectivity, current LIF with adaptive thresholds, bernoulli input, nearest pair STDP
//!   on every projection). Wake: 10 samples × 100 steps = 1000 steps; sleep: 1000 steps of
//!   no input, 2 mV membrane noise, STDP and decay_to_baseline (not stopping at baseline).
//!
//! Everything runs on the network trained for a few samples first (so activity is
//! realistic), restored from a checkpoint at the start of every iteration (so the work per
//! iteration does not depend on how many iterations ran). Wake phases show each sample once
//! (no retries). Each iteration goes through the runner, so it includes restoring the
//! network and setting up and finishing the simulator, as in a protocol run.
//! `cargo bench --bench spiking`. Numbers are in benches/NOTES.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use somnia::engine::runner::{Options, Quiet, Runner};
use somnia::plan::bind::Rule;
use somnia::plan::ir::{Op, Plan, WakeLength};
use somnia::session;
use std::path::Path;

fn plan_of(file: &str, protocol: &str) -> Plan {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let report = session::check_file(&file, &[], &Default::default()).expect("the protocol loads");
    report.plan(protocol).expect("the protocol plans").clone()
}

/// The first op of the plan (looking inside loops) that `pick` accepts.
fn find_op(ops: &[Op], pick: &dyn Fn(&Op) -> bool) -> Option<Op> {
    ops.iter().find_map(|o| match o {
        Op::Until { body, .. } => find_op(body, pick),
        o if pick(o) => Some(o.clone()),
        _ => None,
    })
}

/// The first wake op, shortened to `samples` samples and without retries (so a sample is
/// always shown once: a fixed number of steps).
fn wake(plan: &Plan, samples: u64) -> Op {
    let mut op = find_op(&plan.ops, &|o| matches!(o, Op::Wake { .. })).expect("a wake op");
    if let Op::Wake {
        length, settings, ..
    } = &mut op
    {
        *length = WakeLength::Samples(samples);
        settings.typed.retry = 0;
    }
    op
}

/// The first sleep op, `steps` long; `decay_to_baseline` runs every step (no early stop).
fn sleep(plan: &Plan, steps: u64) -> Op {
    let mut op = find_op(&plan.ops, &|o| matches!(o, Op::Sleep { .. })).expect("a sleep op");
    if let Op::Sleep {
        steps: s, rules, ..
    } = &mut op
    {
        *s = steps;
        for r in rules.iter_mut() {
            if let Rule::DecayToBaseline(d) = &mut r.kernel {
                d.stop_at_baseline = false;
            }
        }
    }
    op
}

fn bench_protocol(
    c: &mut Criterion,
    name: &str,
    (file, protocol): (&str, &str),
    layers: &[(&str, u64)],
    wake_samples: u64,
) {
    let mut plan = plan_of(file, protocol);
    // The sizes benchmarked, whatever the protocol uses today.
    for p in plan.network.populations.iter_mut() {
        if let Some(&(_, n)) = layers.iter().find(|(l, _)| *l == p.name) {
            p.size = n;
        }
    }
    let wake_op = wake(&plan, wake_samples);
    let sleep_op = sleep(&plan, 1000);
    let mut runner = Runner::new(&plan, &Options::default()).expect("the data loads");
    // A few samples of learning before timing anything.
    runner
        .ops(std::slice::from_ref(&wake_op), &mut Quiet)
        .expect("training runs");
    // Every iteration starts from this network: the work per iteration stays the same
    // however many iterations a faster engine gets to run.
    let span = match &wake_op {
        Op::Wake { span, .. } => span.clone(),
        _ => unreachable!(),
    };
    let checkpoint = "bench".to_string();
    runner
        .ops(
            &[Op::Checkpoint {
                name: checkpoint.clone(),
                span: span.clone(),
            }],
            &mut Quiet,
        )
        .expect("checkpoint");
    let from_start = |op: &Op| {
        vec![
            Op::Restore {
                name: checkpoint.clone(),
                span: span.clone(),
            },
            op.clone(),
        ]
    };
    let (wake_op, sleep_op) = (from_start(&wake_op), from_start(&sleep_op));

    let mut g = c.benchmark_group("spiking");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1000));
    g.bench_function(format!("{name} wake, 1000 steps"), |b| {
        b.iter(|| runner.ops(&wake_op, &mut Quiet).expect("wake runs"))
    });
    // Without rules, as readouts show samples: propagation and neurons only.
    let mut still = wake_op.clone();
    if let Op::Wake { rules, .. } = &mut still[1] {
        rules.clear();
    }
    g.bench_function(format!("{name} wake without plasticity, 1000 steps"), |b| {
        b.iter(|| runner.ops(&still, &mut Quiet).expect("wake runs"))
    });
    g.bench_function(format!("{name} sleep, 1000 steps"), |b| {
        b.iter(|| runner.ops(&sleep_op, &mut Quiet).expect("sleep runs"))
    });
    g.finish();
}

fn spiking(c: &mut Criterion) {
    bench_protocol(
        c,
        "dc 784-400-400",
        ("protocols/nrem_rem_resilience.sleep", "resilience"),
        &[("exc", 400), ("inh", 400)],
        2,
    );
    bench_protocol(
        c,
        "massey 784-200-50",
        ("protocols/stdp_sleep_ratio.sleep", "massey"),
        &[("exc", 200), ("inh", 50)],
        10,
    );
}

criterion_group!(benches, spiking);
criterion_main!(benches);
