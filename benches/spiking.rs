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
//! The sleeps run on networks trained for a few samples first, so activity is realistic.
//! Each iteration goes through the runner (so it includes setting up and finishing the
//! simulator, as in a protocol run), and keeps changing the same network.
//! `cargo bench --bench spiking`. Numbers are in benches/NOTES.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use somnia::engine::runner::{Options, Quiet, Runner};
use somnia::plan::ir::{Op, ParamIr, Plan, WakeLength};
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

/// The first wake op, shortened to `samples` samples.
fn wake(plan: &Plan, samples: u64) -> Op {
    let mut op = find_op(&plan.ops, &|o| matches!(o, Op::Wake { .. })).expect("a wake op");
    if let Op::Wake { length, .. } = &mut op {
        *length = WakeLength::Samples(samples);
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
        for r in rules.iter_mut().filter(|r| r.name == "decay_to_baseline") {
            r.params
                .insert("stop_at_baseline".into(), ParamIr::Bool { value: false });
        }
    }
    op
}

fn bench_protocol(c: &mut Criterion, name: &str, file: &str, protocol: &str, wake_samples: u64) {
    let plan = plan_of(file, protocol);
    let wake_op = wake(&plan, wake_samples);
    let sleep_op = sleep(&plan, 1000);
    let mut runner = Runner::new(&plan, &Options::default()).expect("the data loads");
    // A few samples of learning before timing anything.
    runner
        .ops(std::slice::from_ref(&wake_op), &mut Quiet)
        .expect("training runs");

    let mut g = c.benchmark_group("spiking");
    g.sample_size(10);
    g.throughput(Throughput::Elements(1000));
    g.bench_function(format!("{name} wake, 1000 steps"), |b| {
        b.iter(|| {
            runner
                .ops(std::slice::from_ref(&wake_op), &mut Quiet)
                .expect("wake runs")
        })
    });
    g.bench_function(format!("{name} sleep, 1000 steps"), |b| {
        b.iter(|| {
            runner
                .ops(std::slice::from_ref(&sleep_op), &mut Quiet)
                .expect("sleep runs")
        })
    });
    g.finish();
}

fn spiking(c: &mut Criterion) {
    bench_protocol(
        c,
        "dc 784-400-400",
        "protocols/nrem_rem_resilience.sleep",
        "resilience",
        2,
    );
    bench_protocol(
        c,
        "massey 784-200-50",
        "protocols/stdp_sleep_ratio.sleep",
        "massey",
        10,
    );
}

criterion_group!(benches, spiking);
criterion_main!(benches);
