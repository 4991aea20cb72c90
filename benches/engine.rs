//! Engine speed on the SRC protocol's network (784-1200-1200-10, data/mnist-10k):
//! one training epoch of a task with backprop, and SRC sleep steps on the trained network.
//! `cargo bench --bench engine`. Numbers and how they were measured are in EXPERIMENTS.md.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use somnia::engine::runner::{Options, Quiet, Runner};
use somnia::plan::ir::{Op, Plan, WakeLength};
use somnia::session;
use std::path::Path;

fn src_plan() -> Plan {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("protocols/src_split_mnist.sleep");
    let report = session::check_file(&file, &[], &Default::default()).expect("the protocol loads");
    report.plan("src").expect("the protocol plans").clone()
}

fn engine(c: &mut Criterion) {
    let plan = src_plan();
    let wake = plan
        .ops
        .iter()
        .find(|o| matches!(o, Op::Wake { .. }))
        .expect("a wake op")
        .clone();
    let mut one_epoch = wake.clone();
    if let Op::Wake { length, .. } = &mut one_epoch {
        *length = WakeLength::Epochs(1);
    }
    let mut sleep_1000 = plan
        .ops
        .iter()
        .find(|o| matches!(o, Op::Sleep { .. }))
        .expect("a sleep op")
        .clone();
    if let Op::Sleep { steps, .. } = &mut sleep_1000 {
        *steps = 1000;
    }
    let mut runner = Runner::new(&plan, &Options::default()).expect("the data loads");
    // Train the first task so the sleep runs on a network with realistic activity.
    runner
        .ops(std::slice::from_ref(&wake), &mut Quiet)
        .expect("training runs");

    let mut g = c.benchmark_group("engine");
    g.sample_size(10);
    g.bench_function(
        "train one epoch of task 1 (784-1200-1200-10, batch 100)",
        |b| {
            b.iter(|| {
                runner
                    .ops(std::slice::from_ref(&one_epoch), &mut Quiet)
                    .expect("training runs")
            })
        },
    );
    g.throughput(Throughput::Elements(1000));
    g.bench_function("src sleep, 1000 steps (784-1200-1200-10)", |b| {
        b.iter(|| {
            runner
                .ops(std::slice::from_ref(&sleep_1000), &mut Quiet)
                .expect("sleep runs")
        })
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
