//! Front-end speed: parse + check + plan of a generated 5,000-line protocol file.
//! Target: under 100 ms (`cargo bench --bench frontend`).

use criterion::{Criterion, criterion_group, criterion_main};
use somnia::plan::Options;
use somnia::session;
use std::hint::black_box;

/// A protocol file of about `lines` lines using every kind of item: constants, rules,
/// networks, phases of each kind, protocols with loops, derived arms and a comparison.
fn generate(lines: usize) -> (String, usize) {
    let mut s = String::from("// generated for the front-end benchmark\n");
    s.push_str("dataset bars8 = bars(side = 8, samples = 50)\n");
    s.push_str("tasks chunks4 = chunks(bars8, 4) { train_cap 100 }\n");
    // Each group below is 52 lines.
    let groups = lines.div_ceil(52);
    for g in 0..groups {
        s.push_str(&format!(
            r#"
let base_{g} = {steps} steps
let lr_{g} = {lr}
let rate_{g} = 20 Hz * (1 + {g} / 100)
let decay_{g} = 0.999
rule sgd_{g} = backprop {{ loss mse; lr lr_{g}; momentum 0.5; batch 10; dropout 10 % on h_{g} }}
rule replay_{g} = src_stdp {{ inc 0.03; dec 0.003; gate 0.001 }}
rule ltp_{g} = stdp {{ a_plus 0.01; a_minus 0.012; tau_plus 20 ms; tau_minus 20 ms }}
network net_{g} {{
  input x_{g} 64
  layer h_{g} 32
  output y_{g} 16
  connect x_{g} -> h_{g} -> y_{g} {{ init uniform(-0.1, 0.1); bias off }}
}}
phase learn_{g}(t: tasks) = wake {{
  data t
  dynamics relu
  plasticity sgd_{g}
  length 1 epochs
}}
phase sleep_{g}(seen: tasks, k: count) = nrem {{
  dt 1 ms
  length base_{g} + k * 100 steps
  dynamics integrate_fire {{ decay decay_{g}; reset 0; thresholds [1.5, 2.5] }}
  scale by activation_max(seen) * 10
  drive bernoulli(mean_image(seen), max_rate = rate_{g}) window 4 x 4
  modulate slow(0.8 Hz)
  plasticity replay_{g}
}}
phase dream_{g} = rem {{
  length 500 ms
  drive poisson(2 Hz)
  modulate theta(6 Hz), gamma(40 Hz)
  plasticity ltp_{g}
}}
phase shock_{g} = perturb {{ apply weight_noise(sigma = 10 %) on x_{g} -> h_{g} }}
protocol run_{g} {{
  network net_{g}
  seed {g}
  schedule {{
    for t, k in chunks4 {{
      learn_{g}(t)
      measure accuracy(seen) as "wake"
      sleep_{g}(seen, k)
      dream_{g}
      measure accuracy(seen) as "sleep"
    }}
    shock_{g}
    measure accuracy(chunks4), weights(x_{g} -> h_{g}) as "end"
  }}
  expect final accuracy(chunks4) > 50 %
}}
"#,
            steps = 1000 + g,
            lr = 0.01 + g as f64 * 1e-4,
        ));
    }
    (s, groups)
}

fn frontend(c: &mut Criterion) {
    let (text, groups) = generate(5_000);
    let lines = text.lines().count();
    assert!(lines >= 5_000, "generated {lines} lines");
    // The generated file must be valid, or the benchmark measures error paths.
    let report = session::check_text("bench.sleep", &text, None, &[], &Options::default());
    let errors: Vec<_> = report
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.clone())
        .collect();
    assert!(
        errors.is_empty(),
        "the generated protocol has errors: {:?}",
        &errors[..errors.len().min(5)]
    );
    assert_eq!(
        report.plans.len(),
        groups,
        "one plan per generated protocol"
    );
    c.bench_function("parse + check + plan, 5000-line protocol", |b| {
        b.iter(|| {
            session::check_text(
                "bench.sleep",
                black_box(&text),
                None,
                &[],
                &Options::default(),
            )
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = frontend
}
criterion_main!(benches);
