//! The front end is bounded: loops, seeds, grids and ranges are sized before they are built
//! and refused past their limits (E310, E319) at once, with the size and a span on the loop
//! or range; a plan past 10,000 ops is W008 (docs/language.md, "Limits").

use somnia::check::limits::{MAX_OPS, WARN_OPS};
mod common;

use common::checked::found;
use somnia::diagnostics::Code;
use somnia::plan::Options;
use somnia::session::{self, Report};
use std::time::{Duration, Instant};

/// The definitions every case shares: one wake and one sleep phase.
fn prelude() -> String {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data/mnist-10k");
    format!(
        r#"
dataset mnist = idx("{data}") {{ scale 1/255 }}
tasks pairs = split_classes(mnist, [0, 1], [2, 3]) {{ train_cap 1000 }}
network mlp {{
  input  x 784
  layer  h 100
  output y 10
  connect x -> h -> y {{ bias off }}
}}
rule sgd = backprop {{ lr 0.1 }}
rule replay = src_stdp {{ inc 0.03; dec 0.003 }}
phase learn(t: tasks) = wake {{ data t; plasticity sgd; length 1 epochs }}
phase tick(seen: tasks) = nrem {{ length 100 steps; drive bernoulli(mean_image(seen)); plasticity replay }}
let k = 1
"#
    )
}

/// A protocol `p` with this schedule body, and `more` after it.
fn file(schedule: &str, more: &str) -> String {
    format!(
        "{}\nprotocol p {{\n  network mlp\n  schedule {{\n    learn(pairs[0])\n    {schedule}\n    measure accuracy(pairs[0])\n  }}\n  expect final accuracy(pairs[0]) > 50 %\n}}\nprotocol q = p with {{ tick = skip }}\n{more}\n",
        prelude()
    )
}

/// Checks `text`, which must take less than `within`.
fn check(text: &str, within: Duration) -> Report {
    let start = Instant::now();
    let r = session::check_text("bounds.sleep", text, None, &[], &Options::default());
    let took = start.elapsed();
    assert!(took < within, "took {took:?}");
    r
}

const QUICK: Duration = Duration::from_secs(2);

#[test]
fn a_billion_seeds_in_a_comparison_are_refused() {
    let r = check(
        &file(
            "tick(seen)",
            "compare p vs q over seeds 1..1000000000 {\n  expect mean(p.final accuracy(pairs[0])) > 0\n}",
        ),
        QUICK,
    );
    let (message, at) = found(&r, Code::E319);
    assert_eq!(at, "1..1000000000");
    assert!(
        message.contains("1,000,000,000") && message.contains("100,000"),
        "{message}"
    );
}

#[test]
fn a_billion_seeds_in_a_sweep_are_refused() {
    let r = check(
        &file(
            "repeat k { tick(seen) }",
            "sweep p over k in [1, 2] seeds 1..1000000000",
        ),
        QUICK,
    );
    let (message, at) = found(&r, Code::E319);
    assert_eq!(at, "1..1000000000");
    assert!(message.contains("1,000,000,000"), "{message}");
}

#[test]
fn a_grid_of_a_million_points_is_refused() {
    let r = check(
        &file(
            "repeat k { tick(seen) }",
            "sweep p over k in 1..1000, k in 1..1000 seeds 1..3",
        ),
        QUICK,
    );
    let (message, at) = found(&r, Code::E319);
    assert_eq!(at, "1..3");
    assert!(message.contains("3,000,000 runs"), "{message}");
}

#[test]
fn a_sweep_axis_of_a_billion_values_is_refused() {
    let r = check(
        &file(
            "repeat k { tick(seen) }",
            "sweep p over k in 1..1000000000 seeds 1..3",
        ),
        QUICK,
    );
    assert_eq!(found(&r, Code::E319).1, "1..1000000000");
}

#[test]
fn a_range_inside_a_sweep_axis_list_is_refused() {
    let r = check(
        &file(
            "repeat k { tick(seen) }",
            "sweep p over k in [1..1000000000, 2] seeds 1..3",
        ),
        QUICK,
    );
    assert_eq!(found(&r, Code::E319).1, "[1..1000000000, 2]");
}

#[test]
fn a_task_list_of_10_to_the_29_tasks_is_refused() {
    // Found by tests/fuzz.rs (seed 27192): it panicked with a capacity overflow.
    let text = file("tick(seen)", "").replace(
        "split_classes(mnist, [0, 1], [2, 3])",
        "chunks(mnist, 99999999999999999999999999999)",
    );
    assert_eq!(
        found(&check(&text, QUICK), Code::E319).1,
        "99999999999999999999999999999"
    );
}

#[test]
fn a_range_too_long_for_a_list_is_refused() {
    let r = check(
        &file("tick(seen)", "let big = max(1..1000000000000)"),
        QUICK,
    );
    assert_eq!(found(&r, Code::E319).1, "1..1000000000000");
}

#[test]
fn for_over_a_billion_is_refused_at_its_header() {
    let r = check(&file("for i in 1..1000000000 { tick(seen) }", ""), QUICK);
    let (message, at) = found(&r, Code::E310);
    assert_eq!(at, "for i in 1..1000000000");
    assert!(message.contains("1,000,000,001 operations"), "{message}");
}

#[test]
fn repeat_100000_is_refused_before_it_is_built() {
    let r = check(&file("repeat 100000 { tick(seen) }", ""), QUICK);
    let (message, at) = found(&r, Code::E310);
    assert_eq!(at, "repeat 100000");
    assert!(message.contains("100,001 operations"), "{message}");
}

#[test]
fn repeat_a_billion_is_refused_at_once() {
    let r = check(&file("repeat 1000000000 { tick(seen) }", ""), QUICK);
    assert_eq!(found(&r, Code::E310).1, "repeat 1000000000");
    // Also when nothing in the body makes an op, and past u64 in f64.
    let r = check(&file("repeat 4000000000 { }", ""), QUICK);
    assert!(found(&r, Code::E310).0.contains("4,000,000,000 times"));
    let r = check(&file("repeat 1e308 { tick(seen) }", ""), QUICK);
    assert!(found(&r, Code::E310).0.contains("more than"));
}

#[test]
fn nested_loops_are_sized_by_their_product() {
    // Each loop alone is well within the limit; together they are 10^9 ops.
    let r = check(
        &file(
            "repeat 1000 { repeat 1000 { repeat 1000 { tick(seen) } } }",
            "",
        ),
        QUICK,
    );
    let (message, at) = found(&r, Code::E310);
    assert_eq!(at, "repeat 1000");
    assert!(message.contains("1,000,000,001 operations"), "{message}");
    let d = r.diagnostics.iter().find(|d| d.code == Code::E310).unwrap();
    assert_eq!(d.secondary.len(), 2, "the loops around it are shown");
    // Twenty nested loops of ten: the product saturates instead of overflowing.
    let deep = format!(
        "{} tick(seen) {}",
        "repeat 10 { ".repeat(20),
        "}".repeat(20)
    );
    let r = check(&file(&deep, ""), QUICK);
    assert!(found(&r, Code::E310).0.contains("operations"));
}

#[test]
fn a_plan_within_the_limit_is_not_refused() {
    // 2 + 400 × 10 × 2 ops: not refused, not large.
    let r = check(
        &file(
            "repeat 400 { repeat 10 { tick(seen); measure accuracy(seen) } }",
            "",
        ),
        Duration::from_secs(30),
    );
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    assert_eq!(r.plans[0].ops.len(), 8002);
    assert!(r.diagnostics.iter().all(|d| d.code != Code::W008));
}

#[test]
fn a_plan_past_10000_ops_is_a_warning() {
    const { assert!(WARN_OPS < MAX_OPS) };
    let n = WARN_OPS - 1;
    let r = check(
        &file(&format!("repeat {n} {{ tick(seen) }}"), ""),
        Duration::from_secs(60),
    );
    assert!(!r.has_errors(), "{:?}", r.diagnostics);
    assert_eq!(r.plans[0].ops.len(), WARN_OPS + 1);
    let (message, at) = found(&r, Code::W008);
    assert_eq!(at, "p");
    assert!(message.contains("10,001 operations"), "{message}");
}
