//! The cost model's shape, on small protocols: what scales with what. The constants are
//! calibrated against measured runs by benches/estimates.py (README, "Estimates"); these
//! tests hold the model's structure, not its numbers.

mod common;

use somnia::plan::ir::Plan;
use somnia::session::Report;

const HEAD: &str = r#"
dataset b = bars(side = 4, samples = 40)
tasks t4 = chunks(b, 2) { train_cap 10 }
network n {
  input x 16
  layer h 8
  output y 8
  connect x -> h -> y
}
rule sgd = backprop { lr 0.1 }
rule replay = src_stdp { inc 0.01 }
phase learn(t: tasks) = wake { data t; length 1 epochs; plasticity sgd }
phase twice(t: tasks) = wake { data t; length 2 epochs; plasticity sgd }
phase nap = nrem { length 1000 steps; drive poisson(20 Hz); plasticity replay }
phase peek = nrem { length 1000 steps; drive poisson(20 Hz) window 2 x 2; plasticity replay }
"#;

fn report(body: &str) -> Report {
    common::checked::clean(&format!("{HEAD}\n{body}"))
}

fn plan(body: &str) -> Plan {
    report(body).plans.remove(0)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1e-12)
}

#[test]
fn an_until_loop_is_costed_at_its_bound() {
    let p = plan(
        r#"protocol p { network n
  schedule { until accuracy(t4[0]) > 99 % max 4 { learn(t4[0]) } } }"#,
    );
    let e = &p.estimate;
    assert_eq!(e.op_seconds.len(), 2, "the loop, then its body");
    assert!(e.op_seconds[1] > 0.0);
    assert!(close(e.op_seconds[0], 4.0 * e.op_seconds[1]), "{e:?}");
    assert!(
        close(e.seconds, e.startup_seconds + e.op_seconds[0]),
        "{e:?}"
    );
}

#[test]
fn rate_training_scales_with_epochs_and_data_read_replaces_the_caps() {
    let mut p = plan(r#"protocol p { network n schedule { learn(t4[0]) twice(t4[0]) } }"#);
    assert!(!p.estimate.sizes.from_data);
    assert!(close(
        p.estimate.op_seconds[1],
        2.0 * p.estimate.op_seconds[0]
    ));
    // Read from the data: 40 bars in two chunks, a test split held out, 10 at most each.
    let sizes = somnia::data::sizes::of(&p).expect("bars are generated");
    assert!(sizes.from_data);
    let t0 = sizes.tasks["t4[0]"];
    assert!(t0.train > 0 && t0.train <= 10, "{t0:?}");
    let before = p.estimate.op_seconds[0];
    somnia::plan::estimate::with_sizes(&mut p, sizes);
    let after = p.estimate.op_seconds[0];
    assert!(
        close(after / before, t0.train as f64 / 10.0),
        "{before} → {after}"
    );
}

#[test]
fn a_window_lowers_the_input_a_sleep_delivers() {
    let p = plan(r#"protocol p { network n schedule { nap peek } }"#);
    let e = &p.estimate.op_seconds;
    assert!(e[1] < e[0], "a 2 × 2 window of 16 inputs: {e:?}");
}
